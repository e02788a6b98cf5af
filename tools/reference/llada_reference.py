#!/usr/bin/env python3
"""An independent reference for the engine: LLaDA's forward pass in PyTorch, written from the published
architecture (GSAI-ML's modeling_llada.py: LLaMA block, RMSNorm, rotate-half RoPE, bidirectional attention, SwiGLU,
untied head), reading the same safetensors checkpoint the engine serves. No code is shared with the engine.

  logits:  llada_reference.py logits <model dir> <request.json> <out.f32>
           request: {"sequences": [[ids...], ...], "positions": [[p...], ...]}; writes float32 rows, one of vocab_size
           logits per requested position, sequences in order (the layout of DiffusionTransformer.ComputeLogits).
  generate: llada_reference.py generate <model dir> <request.json> <out.json>
           request: {"prompt": [ids...], "gen_length": n, "block_length": b, "steps": s, "mask_id": m}; writes
           {"answer": [ids...]}: LLaDA's generate() at temperature 0 with low_confidence remasking (blocks left to
           right, get_num_transfer_tokens' even split, p of the arg-max under softmax in float64, top-k of the
           block's masked positions each step), as described in the LLaDA paper and README; the whole canvas, no EOS cut.
  bench:   llada_reference.py bench <model dir> <threads> <batch> <length> <first scored> <scored> <repeats>
           prints {"ms_per_forward": ...}: the median wall time (after 3 warm-ups) of one batched forward over
           <batch> sequences of <length> tokens with logits at <scored> positions from <first scored>, as a denoising
           step scores the masked positions of one block.

Needs PyTorch and NumPy (Debian 12: apt-get install python3-torch).
"""
import json
import statistics
import struct
import sys
import time

import numpy as np
import torch

DTYPES = {"BF16": np.uint16, "F16": np.float16, "F32": np.float32}


def load_safetensors(path):
    """Every tensor of a safetensors file as float32 torch tensors (BF16 widened exactly)."""
    with open(path, "rb") as f:
        header_len = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(header_len))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        raw = np.frombuffer(data[start:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        if info["dtype"] == "BF16":
            raw = (raw.astype(np.uint32) << 16).view(np.float32)
        tensors[name] = torch.from_numpy(np.ascontiguousarray(raw, dtype=np.float32))
    return tensors


def rms_norm(x, weight, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope(x, theta):
    """x: [heads, length, head_dim]; positions 0..length-1, as LLaDA's RotaryEmbedding."""
    head_dim, length = x.shape[-1], x.shape[-2]
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    freqs = torch.outer(torch.arange(length, dtype=torch.float64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
    return x * cos + rotate_half(x) * sin


class LLaDA:
    def __init__(self, folder):
        with open(f"{folder}/config.json") as f:
            self.config = json.load(f)
        self.w = load_safetensors(f"{folder}/model.safetensors")
        c = self.config
        self.heads, self.kv_heads = c["n_heads"], c.get("n_kv_heads", c["n_heads"])
        self.head_dim = c["d_model"] // self.heads
        self.eps, self.theta = c.get("rms_norm_eps", 1e-5), c.get("rope_theta", 10000.0)

    def hidden(self, ids, causal=False):
        """Final-norm hidden states of equal-length sequences: ids [batch, length] -> [batch, length, d_model].
        causal=True masks attention to later positions: the same network as an autoregressive model (for training
        comparisons only; LLaDA itself is never causal)."""
        w, t = self.w, "model.transformer."
        h = w[t + "wte.weight"][ids]
        batch, n = ids.shape
        for i in range(self.config["n_layers"]):
            b = f"{t}blocks.{i}."
            x = rms_norm(h, w[b + "attn_norm.weight"], self.eps)
            q = (x @ w[b + "q_proj.weight"].T).view(batch, n, self.heads, self.head_dim).transpose(1, 2)
            k = (x @ w[b + "k_proj.weight"].T).view(batch, n, self.kv_heads, self.head_dim).transpose(1, 2)
            v = (x @ w[b + "v_proj.weight"].T).view(batch, n, self.kv_heads, self.head_dim).transpose(1, 2)
            q, k = rope(q, self.theta), rope(k, self.theta)
            repeat = self.heads // self.kv_heads
            k, v = k.repeat_interleave(repeat, dim=1), v.repeat_interleave(repeat, dim=1)
            scores = (q @ k.transpose(-1, -2)) / (self.head_dim ** 0.5)  # no causal mask: a diffusion model sees all
            if causal:
                scores = scores.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float("-inf"))
            attended = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(batch, n, -1)
            h = h + attended @ w[b + "attn_out.weight"].T
            x = rms_norm(h, w[b + "ff_norm.weight"], self.eps)
            gate, up = x @ w[b + "ff_proj.weight"].T, x @ w[b + "up_proj.weight"].T
            h = h + (torch.nn.functional.silu(gate) * up) @ w[b + "ff_out.weight"].T
        return rms_norm(h, w[t + "ln_f.weight"], self.eps)

    def logits(self, ids, positions):
        """Logits at the given positions of each equal-length sequence: [batch, positions, vocab]."""
        return self.hidden(ids)[:, positions] @ self.w["model.transformer.ff_out.weight"].T


def num_transfer_tokens(masked, steps):
    """How many of a block's `masked` positions each of its `steps` steps unmasks: an even split, the remainder one
    each to the first steps."""
    base, remainder = divmod(masked, steps)
    return [base + (1 if i < remainder else 0) for i in range(steps)]


def generate(model, prompt, gen_length, block_length, steps, mask_id):
    """Greedy LLaDA sampling: the answer after every block's steps have unmasked all its positions."""
    assert gen_length % block_length == 0 and steps % (gen_length // block_length) == 0
    x = torch.tensor([list(prompt) + [mask_id] * gen_length])
    start = len(prompt)
    blocks = gen_length // block_length
    for b in range(blocks):
        block_start, block_end = start + b * block_length, start + (b + 1) * block_length
        counts = num_transfer_tokens(int((x[0, block_start:block_end] == mask_id).sum()), steps // blocks)
        for count in counts:
            masked = x[0] == mask_id
            logits = model.logits(x, torch.arange(x.shape[1]))[0]
            chosen = logits.argmax(-1)
            p = torch.softmax(logits.to(torch.float64), dim=-1)
            confidence = torch.gather(p, -1, chosen.unsqueeze(-1)).squeeze(-1)
            confidence[block_end:] = float("-inf")
            confidence = torch.where(masked, confidence, torch.tensor(float("-inf"), dtype=torch.float64))
            picked = torch.topk(confidence, count).indices
            x[0, picked] = chosen[picked]
    return x[0, start:].tolist()


def main(argv):
    torch.set_grad_enabled(False)
    if argv[1] == "logits":
        model = LLaDA(argv[2])
        with open(argv[3]) as f:
            request = json.load(f)
        # One sequence at a time: each is attended over alone, whatever its length.
        rows = [model.logits(torch.tensor([ids]), torch.tensor(pos))[0] for ids, pos in zip(request["sequences"], request["positions"])]
        torch.cat(rows).numpy().astype("<f4").tofile(argv[4])
    elif argv[1] == "generate":
        model = LLaDA(argv[2])
        with open(argv[3]) as f:
            r = json.load(f)
        answer = generate(model, r["prompt"], r["gen_length"], r["block_length"], r["steps"], r["mask_id"])
        with open(argv[4], "w") as f:
            json.dump({"answer": answer}, f)
    elif argv[1] == "bench":
        model = LLaDA(argv[2])
        threads, batch, length, first, scored, repeats = (int(a) for a in argv[3:9])
        torch.set_num_threads(threads)
        ids = torch.from_numpy(np.random.default_rng(0).integers(0, model.config["vocab_size"], (batch, length)))
        positions = torch.arange(first, first + scored)
        for _ in range(3):
            model.logits(ids, positions)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model.logits(ids, positions)
            times.append((time.perf_counter() - start) * 1000)
        print(json.dumps({"ms_per_forward": statistics.median(times), "threads": threads, "batch": batch, "length": length, "torch": torch.__version__}))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
