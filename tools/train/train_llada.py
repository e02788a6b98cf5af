#!/usr/bin/env python3
"""Trains a LLaDA model with LLaDA's masked-diffusion objective, on the architecture the engine serves.

The model is tools/reference/llada_reference.py's forward pass (the independent reference the engine's parity tests
use), with its weights made trainable: what this trains is, by construction, the network the engine must reproduce.

  train_llada.py --init DIR --tokens FILE --output DIR [--steps N] [--batch B] [--length L] [--lr LR]
                 [--warmup N] [--seed S] [--threads T] [--eval-every N] [--report FILE]

  --init    a model folder (config, tokenizer, initial weights), e.g. from tools/Quicksilver.ModelBuilder
  --tokens  the corpus as uint16 ids, each document followed by EOS (ModelBuilder --token-ids)
  --output  the trained folder: the init folder's JSON files and tokenizer, weights in BF16 (model.safetensors)
  --report  JSON: options, loss curve, held-out masked-token loss by mask ratio, the unigram baseline, timings

Objective (LLaDA, Nie et al. 2025, eq. 3): per sequence t ~ U(eps, 1); each token is replaced by [MASK] with
probability t; loss = sum over masked positions of -log p(x0 | xt) / t, divided by the number of tokens.

Held-out data: documents are grouped in runs of 100; every 20th run (5 %) is never trained on. Windows start at a
document start; a quarter of them end after their last whole document and are filled with EOS, as an answer's
canvas is, so the model learns to close a canvas with EOS.

Deterministic for a given seed and thread count (CPU kernels; no data-dependent parallel reductions).
Needs PyTorch and NumPy (Debian 12: apt-get install python3-torch).
"""
import argparse
import json
import math
import os
import shutil
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from llada_reference import LLaDA  # noqa: E402

MIN_MASK_RATIO = 1e-3
EVAL_RATIOS = (0.15, 0.5, 0.85)
HELD_OUT_RUN, HELD_OUT_EVERY = 100, 20


def parse(argv):
    p = argparse.ArgumentParser(description="Masked-diffusion training of a LLaDA model folder.")
    p.add_argument("--init", required=True)
    p.add_argument("--tokens", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--length", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--min-lr", type=float, default=2e-4)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--eval-windows", type=int, default=64)
    p.add_argument("--report")
    return p.parse_args(argv)


class Corpus:
    """Documents (runs of ids ending with EOS), split into trained and held-out streams."""

    def __init__(self, path, eos):
        ids = np.fromfile(path, dtype="<u2").astype(np.int64)
        ends = np.flatnonzero(ids == eos) + 1
        starts = np.concatenate(([0], ends[:-1]))
        held_out = (np.arange(len(starts)) // HELD_OUT_RUN) % HELD_OUT_EVERY == HELD_OUT_EVERY - 1
        self.eos = eos
        self.train, self.train_starts = self._stream(ids, starts, ends, ~held_out)
        self.valid, self.valid_starts = self._stream(ids, starts, ends, held_out)

    @staticmethod
    def _stream(ids, starts, ends, chosen):
        pieces = [ids[s:e] for s, e in zip(starts[chosen], ends[chosen])]
        lengths = np.array([len(p) for p in pieces])
        return np.concatenate(pieces), np.concatenate(([0], np.cumsum(lengths)[:-1]))

    def windows(self, rng, stream, starts, count, length, eos_fill):
        """count windows of length ids, each starting at a document start; eos_fill of them EOS-filled after their
        last whole document."""
        usable = starts[starts + length <= len(stream)]
        out = np.stack([stream[s:s + length] for s in rng.choice(usable, count)])
        for row in out[: int(round(count * eos_fill))]:
            ends = np.flatnonzero(row == self.eos)
            if len(ends):
                row[ends[-1] + 1:] = self.eos
        return torch.from_numpy(out)


def unigram_cross_entropy(train, valid, vocab):
    """Held-out cross-entropy (nats/token) of the add-one-smoothed unigram distribution of the training stream."""
    counts = np.bincount(train, minlength=vocab).astype(np.float64) + 1.0
    log_p = np.log(counts / counts.sum())
    return float(-log_p[valid].mean())


def masked_loss(model, head, x0, ratio, mask_id, generator):
    """LLaDA's loss for one batch at per-row mask ratios; also the mean CE over masked positions."""
    mask = torch.rand(x0.shape, generator=generator) < ratio[:, None]
    xt = torch.where(mask, torch.full_like(x0, mask_id), x0)
    hidden = model.hidden(xt)[mask]
    ce = F.cross_entropy(hidden @ head.T, x0[mask], reduction="none")
    weighted = (ce / ratio[:, None].expand_as(x0)[mask]).sum() / x0.numel()
    return weighted, ce


def evaluate(model, head, windows, mask_id, seed):
    """Mean CE over masked positions at each fixed mask ratio, on fixed held-out windows and a fixed mask draw."""
    generator = torch.Generator().manual_seed(seed)
    result = {}
    with torch.no_grad():
        for ratio in EVAL_RATIOS:
            total, count = 0.0, 0
            for chunk in windows.split(16):
                _, ce = masked_loss(model, head, chunk, torch.full((len(chunk),), ratio), mask_id, generator)
                total, count = total + ce.sum().item(), count + ce.numel()
            result[f"{ratio:g}"] = total / count
    result["mean"] = sum(result.values()) / len(EVAL_RATIOS)
    return result


def learning_rate(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.min_lr + 0.5 * (args.lr - args.min_lr) * (1 + math.cos(math.pi * progress))


def trainable(folder, args):
    """The model of a folder with trainable weights, its output head, and AdamW (decay on matrices only)."""
    model = LLaDA(folder)
    model.w = {name: t.clone().requires_grad_(True) for name, t in model.w.items()}
    decayed = [t for t in model.w.values() if t.dim() == 2]
    plain = [t for t in model.w.values() if t.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decayed, "weight_decay": args.weight_decay},
                                   {"params": plain, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95))
    return model, model.w["model.transformer.ff_out.weight"], optimizer


def optimize(model, optimizer, loss, step, args):
    """One optimiser step on loss at the schedule's learning rate (gradients clipped at norm 1); returns the loss."""
    for group in optimizer.param_groups:
        group["lr"] = learning_rate(step, args)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(list(model.w.values()), 1.0)
    optimizer.step()
    return loss.item()


def save_bf16_safetensors(path, tensors):
    """Writes tensors as BF16 (round to nearest even, torch's conversion) in the given order, metadata format pt."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, tensor in tensors.items():
        blob = tensor.detach().to(torch.bfloat16).contiguous().view(torch.int16).numpy().astype("<i2").tobytes()
        header[name] = {"dtype": "BF16", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


def main(argv):
    args = parse(argv)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    generator = torch.Generator().manual_seed(args.seed)

    model, head, optimizer = trainable(args.init, args)
    config = model.config
    mask_id, eos = config["mask_token_id"], config["eos_token_id"]

    corpus = Corpus(args.tokens, eos)
    eval_windows = corpus.windows(np.random.default_rng(args.seed + 1), corpus.valid, corpus.valid_starts,
                                  args.eval_windows, args.length, eos_fill=0.0)
    unigram = unigram_cross_entropy(corpus.train, corpus.valid, config["vocab_size"])
    print(f"train {len(corpus.train)} tokens, held out {len(corpus.valid)}; unigram held-out CE {unigram:.3f}", flush=True)

    curve, evals, started = [], [], time.perf_counter()
    evals.append({"step": 0, **evaluate(model, head, eval_windows, mask_id, args.seed)})
    running = []
    for step in range(args.steps):
        x0 = corpus.windows(rng, corpus.train, corpus.train_starts, args.batch, args.length, eos_fill=0.25)
        ratio = (1 - MIN_MASK_RATIO) * torch.rand(args.batch, generator=generator) + MIN_MASK_RATIO
        loss, _ = masked_loss(model, head, x0, ratio, mask_id, generator)
        running.append(optimize(model, optimizer, loss, step, args))
        if (step + 1) % 10 == 0:
            elapsed = time.perf_counter() - started
            curve.append({"step": step + 1, "loss": sum(running) / len(running), "seconds": elapsed})
            print(f"step {step + 1}/{args.steps} loss {curve[-1]['loss']:.3f} lr {learning_rate(step, args):.2e} "
                  f"{elapsed / (step + 1):.2f} s/step", flush=True)
            running = []
        if (step + 1) % args.eval_every == 0 or step + 1 == args.steps:
            evals.append({"step": step + 1, **evaluate(model, head, eval_windows, mask_id, args.seed)})
            print(f"held-out masked CE at step {step + 1}: {evals[-1]}", flush=True)

    os.makedirs(args.output, exist_ok=True)
    for name in sorted(os.listdir(args.init)):
        if name.endswith(".json"):
            shutil.copyfile(os.path.join(args.init, name), os.path.join(args.output, name))
    save_bf16_safetensors(os.path.join(args.output, "model.safetensors"), model.w)

    if args.report:
        report = {"options": vars(args), "config": config, "torch": torch.__version__,
                  "parameters": sum(t.numel() for t in model.w.values()),
                  "train_tokens": int(len(corpus.train)), "held_out_tokens": int(len(corpus.valid)),
                  "tokens_seen": args.steps * args.batch * args.length, "seconds": time.perf_counter() - started,
                  "unigram_held_out_ce": unigram, "held_out_masked_ce": evals, "train_curve": curve}
        with open(args.report, "w") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
