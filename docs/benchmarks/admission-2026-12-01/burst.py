import sys, json, time, concurrent.futures as cf
sys.path.insert(0, __import__('os').path.dirname(__file__))
from burst_http import *
def short(i): return post('/v1/completions',dict(prompt="And",max_tokens=8,ignore_eos=True,n=4,temperature=1,seed=i)).status_code
with cf.ThreadPoolExecutor(16) as ex: print('warm', sorted(set(ex.map(short, range(48)))))
def run(i):
    c=dict(prompt="And God said",max_tokens=128,ignore_eos=True,n=8,temperature=1,seed=i)
    t=time.time(); r=post('/v1/completions',c,timeout=200)
    return r.status_code, r.headers.get('Retry-After'), r.text[:130] if r.status_code!=200 else 'ok', round(time.time()-t,1)
with cf.ThreadPoolExecutor(16) as ex:
    for x in ex.map(run, range(16)): print(x)
print(requests.get(B+'/load').text)
