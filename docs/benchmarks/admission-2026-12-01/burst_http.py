import json, requests, sys
B="http://127.0.0.1:18600"
def post(path, body, stream=False, raw=None, headers=None, timeout=120):
    h={'Content-Type':'application/json'}
    if headers: h.update(headers)
    data = raw if raw is not None else json.dumps(body)
    r=requests.post(B+path, data=data, headers=h, stream=stream, timeout=timeout)
    return r
def sse(path, body, timeout=120):
    r=post(path, body, stream=True, timeout=timeout)
    if r.status_code!=200:
        return r.status_code, r.text, None
    events=[]; rawtxt=r.content.decode('utf-8')
    parts=rawtxt.split('\n\n')
    for p in parts:
        if not p: continue
        assert p.startswith('data: '), repr(p)
        d=p[6:]
        events.append(d)
    return 200, events, r.headers
def collect(events):
    # returns per-index text, finish, usage, logprobs
    out={}; usage=None; ids=set(); created=set(); errs=[]
    assert events[-1]=='[DONE]', events[-3:]
    for e in events[:-1]:
        j=json.loads(e)
        if 'error' in j: errs.append(j); continue
        ids.add(j['id']); created.add(j['created'])
        if j.get('usage'): usage=j['usage']
        for c in j['choices']:
            o=out.setdefault(c['index'],{'text':'','finish':None,'lp':[], 'nchunks':0,'finish_count':0})
            o['nchunks']+=1
            if 'delta' in c:
                t=c['delta'].get('content') or ''
            else:
                t=c['text']
            if t=='' and c.get('finish_reason') is None and not ('delta' in c and 'role' in c['delta']):
                o.setdefault('empty',0); o['empty']=o.get('empty',0)+1
            if o['finish'] is not None: o.setdefault('after_finish',0); o['after_finish']=o.get('after_finish',0)+1
            o['text']+=t
            if c.get('finish_reason'): o['finish']=c['finish_reason']; o['finish_count']+=1
            if c.get('logprobs'): o['lp'].append(c['logprobs'])
    return out, usage, ids, created, errs
