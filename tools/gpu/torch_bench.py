#!/usr/bin/env python3
"""torch_bench.py — the Quicksilver GPU harness's `bench` step, through PyTorch, for comparison.

An LLaDA-8B-shaped model (d 4096, 32 layers, 32 heads, MLP 12288, vocab 126464) with random bf16 weights; one
full-canvas denoising step = prompt 512 + 256 masks per sequence: embed, 32 blocks (RMSNorm as LLaDA's RMSLayerNorm,
q/k/v GEMMs, NeoX RoPE in fp32, SDPA non-causal, output GEMM, residual, RMSNorm, SwiGLU MLP, residual), then the
masked rows only: final RMSNorm, LM head, fp32 softmax confidence and arg-max — the work the engine's step does.
Eager and torch.compile (the block compiled once per batch shape), bf16, CUDA events, warm-up, median of N.

usage: python3 tools/gpu/torch_bench.py --out torch.json [--batches 1,8,32] [--layers 32] [--iters 5] [--budget 170]
Writes the JSON after every measurement, so a run cut short by its time limit still leaves what it measured.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time
import traceback

import torch
import torch.nn.functional as F

D, HEADS, FF, VOCAB, THETA, EPS = 4096, 32, 12288, 126464, 500000.0, 1e-5
HEAD_DIM = D // HEADS
MASK_ID = 126336


def rms_norm(x, w):
    # LLaDA RMSLayerNorm: statistics in fp32, cast back to the activation dtype, then times the weight.
    xf = x.float()
    xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + EPS)
    return w * xf.to(x.dtype)


def rope(x, cos, sin):
    # x: [B, L, H, Dh] bf16; NeoX rotate_half in fp32.
    xf = x.float()
    x1, x2 = xf[..., : HEAD_DIM // 2], xf[..., HEAD_DIM // 2:]
    return torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1).to(x.dtype)


def block(h, attn_norm, wq, wk, wv, wo, ff_norm, wg, wu, wd, cos, sin):
    b, l, _ = h.shape
    x = rms_norm(h, attn_norm)
    q = (x @ wq.t()).view(b, l, HEADS, HEAD_DIM)
    k = (x @ wk.t()).view(b, l, HEADS, HEAD_DIM)
    v = (x @ wv.t()).view(b, l, HEADS, HEAD_DIM)
    q, k = rope(q, cos, sin), rope(k, cos, sin)
    o = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=False)
    h = h + o.transpose(1, 2).reshape(b, l, D) @ wo.t()
    x = rms_norm(h, ff_norm)
    return h + (F.silu(x @ wg.t()) * (x @ wu.t())) @ wd.t()


def head(h, prompt, final_norm, w_head):
    x = rms_norm(h[:, prompt:, :], final_norm)
    logits = (x @ w_head.t()).float()
    p = torch.softmax(logits, dim=-1)
    conf, token = p.max(dim=-1)
    return conf, token


def make_weights(layers, device, seed):
    g = torch.Generator(device=device)
    g.manual_seed(seed)

    def rnd(*shape, scale):
        return (torch.rand(*shape, device=device, dtype=torch.bfloat16, generator=g) * 2 - 1) * scale

    sd, sff = 1 / math.sqrt(D), 1 / math.sqrt(FF)
    blocks = []
    for _ in range(layers):
        blocks.append((
            1 + rnd(D, scale=0.1), rnd(D, D, scale=sd), rnd(D, D, scale=sd), rnd(D, D, scale=sd), rnd(D, D, scale=sd),
            1 + rnd(D, scale=0.1), rnd(FF, D, scale=sd), rnd(FF, D, scale=sd), rnd(D, FF, scale=sff)))
    return rnd(VOCAB, D, scale=1.0), blocks, 1 + rnd(D, scale=0.1), rnd(VOCAB, D, scale=sd)


def rope_tables(canvas, device):
    inv = 1.0 / (THETA ** (torch.arange(0, HEAD_DIM, 2, device=device, dtype=torch.float32) / HEAD_DIM))
    angles = torch.outer(torch.arange(canvas, device=device, dtype=torch.float32), inv)
    # broadcast over [B, L, H, Dh/2]
    return angles.cos()[None, :, None, :], angles.sin()[None, :, None, :]


def flops(batch, layers, canvas, gen):
    tokens = batch * canvas
    gemm = 2.0 * tokens * layers * (4.0 * D * D + 3.0 * D * FF)
    attention = 4.0 * batch * layers * canvas * canvas * D
    lm_head = 2.0 * batch * gen * D * VOCAB
    return gemm, attention, lm_head


def time_steps(step, warmup, iters):
    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    samples = []
    for _ in range(iters):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        step()
        stop.record()
        stop.synchronize()
        samples.append(start.elapsed_time(stop))
    return samples


def gemm_peak(n, device):
    a = torch.rand(n, n, device=device, dtype=torch.bfloat16)
    b = torch.rand(n, n, device=device, dtype=torch.bfloat16)
    samples = time_steps(lambda: a @ b, 3, 10)
    return 2.0 * n ** 3 / (statistics.median(samples) * 1e-3) / 1e12


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="torch.json")
    ap.add_argument("--batches", default="1,8,32")
    ap.add_argument("--layers", type=int, default=32)
    ap.add_argument("--prompt", type=int, default=512)
    ap.add_argument("--gen", type=int, default=256)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--budget", type=float, default=170, help="seconds; no new measurement starts after this")
    ap.add_argument("--modes", default="eager,compile")
    args = ap.parse_args()
    clock = time.monotonic()
    device = torch.device("cuda")
    canvas = args.prompt + args.gen
    report = {
        "torch": torch.__version__, "cuda": torch.version.cuda, "device": torch.cuda.get_device_name(0),
        "model": "LLaDA-8B shape, random bf16 weights", "layers": args.layers, "hidden": D, "heads": HEADS,
        "intermediate": FF, "vocab": VOCAB, "prompt_length": args.prompt, "generation_length": args.gen,
        "step": "embed + blocks (SDPA non-causal) + masked rows: final norm, LM head, fp32 softmax max/argmax",
        "results": [], "errors": [],
    }

    def save():
        with open(args.out, "w") as f:
            json.dump(report, f, indent=2)

    def over_budget():
        return time.monotonic() - clock > args.budget

    torch.backends.cuda.matmul.allow_tf32 = False
    print(f"torch_bench: torch {torch.__version__} (CUDA {torch.version.cuda}) on {report['device']}", flush=True)
    report["gemm_peak_tflops"] = gemm_peak(8192, device)
    print(f"torch_bench: bf16 matmul 8192^3 peak {report['gemm_peak_tflops']:.1f} TFLOP/s", flush=True)
    save()

    embedding, blocks, final_norm, w_head = make_weights(args.layers, device, seed=1234)
    cos, sin = rope_tables(canvas, device)
    compiled_block = torch.compile(block, dynamic=False)
    compiled_head = torch.compile(head, dynamic=False)

    for mode in args.modes.split(","):
        for batch in [int(b) for b in args.batches.split(",")]:
            if over_budget():
                report["errors"].append(f"{mode} batch {batch}: skipped, over the {args.budget:.0f} s budget")
                print(f"torch_bench: {mode} batch {batch}: skipped (budget)", flush=True)
                save()
                continue
            blk, hd = (compiled_block, compiled_head) if mode == "compile" else (block, head)
            g = torch.Generator(device=device)
            g.manual_seed(batch)
            tokens = torch.randint(0, MASK_ID, (batch, canvas), device=device, generator=g)
            tokens[:, args.prompt:] = MASK_ID

            def step():
                h = embedding[tokens]
                for w in blocks:
                    h = blk(h, *w, cos, sin)
                return hd(h, args.prompt, final_norm, w_head)

            try:
                t0 = time.monotonic()
                with torch.no_grad():
                    step()  # first call: compilation for this shape
                    torch.cuda.synchronize()
                    first = time.monotonic() - t0
                    samples = time_steps(step, args.warmup, args.iters)
                med = statistics.median(samples)
                gemm, attn, lm = flops(batch, args.layers, canvas, args.gen)
                tflops = (gemm + attn + lm) / (med * 1e-3) / 1e12
                entry = {"mode": mode, "batch": batch, "step_ms_median": med, "step_ms_min": min(samples),
                         "step_ms_max": max(samples), "step_ms_samples": samples, "first_call_seconds": first,
                         "achieved_tflops": tflops, "fraction_of_gemm_peak": tflops / report["gemm_peak_tflops"],
                         "tokens_per_second_steps256": batch * args.gen / (256 * med * 1e-3),
                         "tokens_per_second_steps64": batch * args.gen / (64 * med * 1e-3)}
                report["results"].append(entry)
                print(f"torch_bench: {mode:7s} batch {batch:3d}: {med:9.2f} ms/step ({tflops:6.1f} TFLOP/s; first call {first:.1f} s)", flush=True)
            except Exception as e:  # keep going: one failing mode/size must not lose the others
                report["errors"].append(f"{mode} batch {batch}: {type(e).__name__}: {e}")
                print(f"torch_bench: {mode} batch {batch} FAILED: {e}", flush=True)
                traceback.print_exc()
                torch.cuda.empty_cache()
            save()

    report["seconds"] = time.monotonic() - clock
    save()
    print(f"torch_bench: wrote {os.path.abspath(args.out)} ({report['seconds']:.0f} s)", flush=True)
    return 0 if report["results"] else 1


if __name__ == "__main__":
    sys.exit(main())
