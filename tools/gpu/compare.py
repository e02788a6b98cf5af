#!/usr/bin/env python3
"""compare.py — the short table run-device-checks.sh prints last: parity outcome, engine vs PyTorch step times,
achieved TFLOP/s and the fraction of the measured bf16 GEMM peak. Any input may be missing or partial; with --strict
the exit status is 1 when one is, or when a stage failed or was skipped, a parity check failed, or a bench or decode
row holds an error (CI's dry run on the emulator).

usage: python3 tools/gpu/compare.py --parity parity.json --bench bench.json --decode decode.json [--decode decode-tiny.json] [--torch torch.json] [--stages stages.txt] [--strict]
"""
import argparse
import json
import os


class Obj(dict):
    """A JSON object whose keys match with or without underscores (the .NET snake_case and Python spellings differ)."""

    def get(self, key, default=None):
        if key in self:
            return dict.get(self, key)
        want = key.replace("_", "")
        for k in self.keys():
            if k.replace("_", "") == want:
                return dict.get(self, k)
        return default

    def __getitem__(self, key):
        v = self.get(key, KeyError)
        if v is KeyError:
            raise KeyError(key)
        return v


def load(path):
    if not path or not os.path.exists(path):
        return None, f"{path or '(none)'}: missing"
    try:
        with open(path) as f:
            return json.load(f, object_hook=Obj), None
    except Exception as e:  # a truncated file from a killed stage
        return None, f"{path}: unreadable ({e})"


def fmt(v, spec=".2f", none="—"):
    if v is None:
        return none
    if isinstance(v, str):  # the harness writes NaN and infinities as JSON strings
        try:
            v = float(v)
        except ValueError:
            return v
    try:
        if v != v:  # NaN
            return none
    except TypeError:
        pass
    return format(v, spec)


def decode_table(path):
    """The decode report (whole answers through the engine's step loop) as one line per cell."""
    decode, err = load(path)
    if decode is None:
        return ["", f"decode: {err}"]
    lines = ["", f"whole answers through DiffusionEngine: prompt {decode.get('prompt_length')}, {decode.get('max_tokens')} answer tokens, "
                 f"block {decode.get('block_length')}, {decode.get('model')}; speed-up and agreement against no cache"]
    header = f"{'conc':>4} | {'decoding':<14} | {'cache':<13} | {'wall s':>8} | {'steps':>6} | {'tok/s':>9} | {'per req':>8} | {'vs none':>7} | {'same':>6}"
    lines += [header, "-" * len(header)]
    for r in decode.get("rows", []):
        if r.get("skipped"):
            lines.append(f"{r['concurrency']:>4} | {r['decoding']:<14} | {r['kv_cache']:<13} | skipped: {r['skipped']}")
            continue
        same = r.get("tokens_same_as_none")
        lines.append(f"{r['concurrency']:>4} | {r['decoding']:<14} | {r['kv_cache']:<13} | {fmt(r.get('wall_seconds'), '.3f'):>8} | "
                     f"{fmt(r.get('mean_steps'), '.1f'):>6} | {fmt(r.get('tokens_per_second'), '.1f'):>9} | "
                     f"{fmt(r.get('tokens_per_second_per_request'), '.1f'):>8} | {fmt(r.get('speedup_over_none'), '.2f'):>7} | "
                     f"{fmt(100 * same if same is not None else None, '.1f'):>6}")
    return lines


def problems(stages, parity, bench, decodes, torch_given, torch_r):
    """What --strict refuses: everything the run was asked for must have run and be whole."""
    found = [f"stage {s[0]}: {'skipped' if s[1] == 'skipped' else 'exit ' + s[1]}" for s in stages if len(s) >= 2 and s[1] != "0"]
    if parity is None or parity.get("device_error"):
        found.append("parity: no report" if parity is None else f"parity: no device ({parity['device_error']})")
    elif parity.get("failed") or parity.get("skipped") or not parity.get("passed"):
        found.append(f"parity: {parity.get('passed')} passed, {parity.get('failed')} failed, {parity.get('skipped')} skipped")
    if bench is None:
        found.append("bench: no report")
    else:
        rows = list(bench.get("batches", [])) + list(bench.get("block_steps", []))
        found += [f"bench batch {r.get('batch')}: {r['error']}" for r in rows if r.get("error")]
        found += [f"bench: {n}" for n in bench.get("notes", []) if "skipped" in n]
        if not rows:
            found.append("bench: no rows")
    for path, decode in decodes:
        rows = (decode or {}).get("rows", [])
        if decode is None:
            found.append(f"{path}: no report")
        elif not rows or any(r.get("skipped") or not (r.get("tokens_per_second") or 0) > 0 for r in rows):
            found.append(f"{path}: {sum(1 for r in rows if r.get('skipped'))} of {len(rows)} cells skipped or without a rate")
    if torch_given and not (torch_r or {}).get("results"):
        found.append("torch: no results")
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parity")
    ap.add_argument("--bench")
    ap.add_argument("--decode", action="append", default=[], help="a decode report; may be given more than once")
    ap.add_argument("--torch")
    ap.add_argument("--stages")
    ap.add_argument("--strict", action="store_true", help="exit 1 unless every stage ran and every report is whole")
    a = ap.parse_args()
    lines = ["", "=" * 100, "Quicksilver device checks — summary", "=" * 100]

    stages = []
    if a.stages and os.path.exists(a.stages):
        with open(a.stages) as f:
            stages = [l.split() for l in f if l.strip()]
        lines.append("stages: " + ", ".join(f"{s[0]} rc={s[1]} ({s[2]} s)" for s in stages if len(s) >= 3))

    parity, err = load(a.parity)
    if parity is None:
        lines.append(f"parity: {err}")
    elif parity.get("device_error"):
        lines.append(f"parity: no device: {parity['device_error']}")
    else:
        failing = [c["name"] for c in parity.get("checks", []) if c.get("status") == "fail"]
        skipped = [c["name"] for c in parity.get("checks", []) if c.get("status") == "skip"]
        lines.append(f"parity: {parity.get('passed')} passed, {parity.get('failed')} failed, {parity.get('skipped')} skipped "
                     f"(seed {parity.get('seed')})" + (f"; FAILING: {', '.join(failing)}" if failing else "")
                     + (f"; skipped: {', '.join(skipped)}" if skipped else ""))
        worst = []
        for c in parity.get("checks", []):
            for m in c.get("metrics", []):
                if m.get("dtype") not in ("int", "exact") and m.get("relative_l2") is not None and m.get("tolerance_relative_l2"):
                    worst.append((m.get("relative_l2") / max(m.get("tolerance_relative_l2") or 1e-30, 1e-30) if m.get("tolerance_relative_l2") else 0, c["name"], m))
        worst.sort(key=lambda t: -t[0] if t[0] == t[0] else 0)
        for ratio, name, m in worst[:3]:
            lines.append(f"  closest to tolerance: {name} / {m['label']}: rel-L2 {fmt(m['relative_l2'], '.2e')} of {fmt(m['tolerance_relative_l2'], '.0e')}")

    bench, err = load(a.bench)
    torch_r, terr = load(a.torch)
    if bench is None:
        lines.append(f"engine bench: {err}")
    if torch_r is None:
        lines.append(f"torch bench: {terr}")

    peak = bench.get("gemm_peak_tflops") if bench else None
    tpeak = torch_r.get("gemm_peak_tflops") if torch_r else None
    lines.append(f"bf16 GEMM {(bench or {}).get('gemm_peak_n', 8192)}^3 peak: engine cuBLAS {fmt(peak, '.1f')} TFLOP/s, torch {fmt(tpeak, '.1f')} TFLOP/s")
    if bench:
        lines.append(f"engine: {bench.get('device', {}).get('name')} {bench.get('device', {}).get('architecture')}, attention kernel "
                     f"{bench.get('device', {}).get('attention_kernel')}, NVRTC {bench.get('device', {}).get('nvrtc')}, cuBLAS {bench.get('device', {}).get('cublas_version')}")

    def torch_ms(mode, batch):
        if not torch_r:
            return None
        for r in torch_r.get("results", []):
            if r["mode"] == mode and r["batch"] == batch:
                return r["step_ms_median"]
        return None

    batches = sorted({b["batch"] for b in (bench or {}).get("batches", [])} |
                     {r["batch"] for r in (torch_r or {}).get("results", [])})
    lines.append("")
    lines.append(f"full-canvas step (prompt {(bench or {}).get('prompt_length', 512)} + {(bench or {}).get('generation_length', 256)} masks per sequence), "
                 "ms per denoising step (median); speed-up = torch ms / engine ms")
    header = f"{'batch':>5} | {'engine ms':>10} | {'eager ms':>10} | {'compile ms':>10} | {'vs eager':>8} | {'vs compile':>10} | {'TFLOP/s':>8} | {'% peak':>7} | {'attn ms':>8}"
    lines.append(header)
    lines.append("-" * len(header))
    for b in batches:
        e = next((x for x in (bench or {}).get("batches", []) if x["batch"] == b), None)
        ems = e.get("step_ms_median") if e else None
        eager, comp = torch_ms("eager", b), torch_ms("compile", b)
        ratio = lambda t: (t / ems) if (t and ems and ems == ems) else None
        lines.append(f"{b:>5} | {fmt(ems):>10} | {fmt(eager):>10} | {fmt(comp):>10} | {fmt(ratio(eager), '.2f'):>8} | "
                     f"{fmt(ratio(comp), '.2f'):>10} | {fmt(e.get('achieved_tflops') if e else None, '.1f'):>8} | "
                     f"{fmt(100 * e['fraction_of_gemm_peak'] if e and e.get('fraction_of_gemm_peak') == e.get('fraction_of_gemm_peak') and e.get('fraction_of_gemm_peak') is not None else None, '.1f'):>7} | "
                     f"{fmt(e.get('attention_ms') if e else None):>8}")
        if e and e.get("error"):
            lines.append(f"      engine batch {b} error: {e['error']}")

    one = next((x for x in (bench or {}).get("batches", []) if x["batch"] == 1), None)
    if one:
        lines.append("")
        lines.append(f"single request, {bench.get('generation_length', 256)}-token answer, one full-canvas step per denoising step (no cache): "
                     f"engine {fmt(one.get('tokens_per_second_steps256'), '.1f')} tok/s at 256 steps, "
                     f"{fmt(one.get('tokens_per_second_steps64'), '.1f')} tok/s at 64 steps")
        for mode in ("eager", "compile"):
            t = torch_ms(mode, 1)
            if t:
                lines.append(f"  torch {mode}: {256 / (256 * t * 1e-3):.1f} tok/s at 256 steps, {256 / (64 * t * 1e-3):.1f} at 64")
    steps = (bench or {}).get("block_steps", [])
    if steps:
        lines.append("")
        lines.append(f"dual cache steps (a block of {steps[0].get('block_length')} masks per sequence over the cached canvas), ms; "
                     "'other' = block GPU − GEMMs − attention; peers timed in the same process: 'unsplit' = the keys of attention "
                     "unsplit (the kernel before split-key attention), 'unbatched' = q/k/v and gate/up as separate GEMMs; modelled tok/s per request for the whole answer in "
                     f"{steps[0].get('modelled_steps')} steps (one refresh per block, wall times)")
        header = (f"{'batch':>5} | {'refresh GPU':>11} | {'unbatched':>9} | {'refresh wall':>12} | {'block GPU':>9} | {'unsplit':>7} | {'unbatched':>9} | {'block wall':>10} | {'GEMMs':>7} | {'TB/s':>5} | "
                  f"{'attn':>6} | {'unsplit':>7} | {'LM head':>7} | {'other':>6} | {'launches':>8} | {'modelled tok/s':>14}")
        lines += [header, "-" * len(header)]
        for r in steps:
            if r.get("error"):
                lines.append(f"{r['batch']:>5} | error: {r['error']}")
                continue
            lines.append(f"{r['batch']:>5} | {fmt(r.get('refresh_gpu_ms')):>11} | {fmt(r.get('unbatched_refresh_gpu_ms')):>9} | {fmt(r.get('refresh_wall_ms')):>12} | "
                         f"{fmt(r.get('block_step_gpu_ms')):>9} | {fmt(r.get('unsplit_block_step_gpu_ms')):>7} | {fmt(r.get('unbatched_block_step_gpu_ms')):>9} | {fmt(r.get('block_step_wall_ms')):>10} | "
                         f"{fmt(r.get('gemm_ms')):>7} | {fmt(r.get('gemm_weight_terabytes_per_second')):>5} | {fmt(r.get('attention_ms')):>6} | "
                         f"{fmt(r.get('unsplit_attention_ms')):>7} | {fmt(r.get('lm_head_ms')):>7} | {fmt(r.get('other_gpu_ms')):>6} | "
                         f"{r.get('launches_per_block_step', '-'):>8} | {fmt(r.get('modelled_tokens_per_second_per_request'), '.0f'):>14}")
        lines.append("")
        lines.append("later refreshes (kv_cache_refresh): 'answer' = each refresh after the first computes the answer's rows; "
                     "'frontier' = the rows from the finished block on, summed over the blocks after the first; ms and modelled tok/s per request")
        header = f"{'batch':>5} | {'canvas refresh wall':>19} | {'answer GPU':>10} | {'answer wall':>11} | {'frontier wall, sum':>18} | {'tok/s canvas':>12} | {'answer':>7} | {'frontier':>8}"
        lines += [header, "-" * len(header)]
        for r in steps:
            if r.get("error"):
                continue
            lines.append(f"{r['batch']:>5} | {fmt(r.get('refresh_wall_ms')):>19} | {fmt(r.get('answer_refresh_gpu_ms')):>10} | {fmt(r.get('answer_refresh_wall_ms')):>11} | "
                         f"{fmt(r.get('frontier_refreshes_wall_ms')):>18} | {fmt(r.get('modelled_tokens_per_second_per_request'), '.0f'):>12} | "
                         f"{fmt(r.get('modelled_answer_tokens_per_second_per_request'), '.0f'):>7} | {fmt(r.get('modelled_frontier_tokens_per_second_per_request'), '.0f'):>8}")
    for n in (torch_r or {}).get("errors", []):
        lines.append(f"torch note: {n}")
    for path in a.decode:
        lines.extend(decode_table(path))
    lines.append("=" * 100)
    status = 0
    if a.strict:
        found = problems(stages, parity, bench, [(p, load(p)[0]) for p in a.decode], a.torch is not None, torch_r)
        lines.append(f"strict: {len(found)} problem(s)" + "".join(f"\n  {p}" for p in found))
        status = 1 if found else 0
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
