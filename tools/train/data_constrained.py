#!/usr/bin/env python3
"""Masked diffusion against autoregression when data is scarce: the same network, the same data, the same compute.

Prabhudesai et al. (2025, "Diffusion Beats Autoregressive in Data-Constrained Settings") report that when a small
corpus is repeated for many epochs, an autoregressive model's validation loss bottoms out and climbs while a masked
diffusion model's keeps falling and ends lower. This trains both on a few thousand verses and measures it.

  data_constrained.py --init DIR --tokens FILE --report FILE [--unique-tokens N] [--epochs E] [--batch B]
                      [--length L] [--lr LR] [--min-lr LR] [--warmup N] [--seed S] [--threads T]
                      [--eval-windows N] [--ratios K] [--eval-every EPOCHS] [--plot PNG]

Both models start from the same weights (--init, e.g. tools/Quicksilver.ModelBuilder's) and see the same windows in
the same order, drawn from the first --unique-tokens of train_llada.py's training split; the AR model is the same
LLaDA network with a causal attention mask, trained on next-token cross-entropy. Equal steps of equal batches make
equal compute (a forward and backward over the same tokens; the diffusion loss evaluates the head only where masked).

Measured every --eval-every epochs on held-out windows (train_llada.py's held-out split) and on windows of the training
subset, in nats per token:
  autoregressive  next-token cross-entropy;
  diffusion       LLaDA's ELBO bound on the negative log-likelihood, integral over t of E[sum of masked CE] / (t L),
                  by the midpoint rule over K mask ratios with a fixed mask draw per ratio.
The diffusion number is an upper bound on its NLL while the AR one is exact: a tie favours diffusion's true NLL.

Deterministic for a seed and thread count. Needs PyTorch and NumPy; --plot needs matplotlib (python3-matplotlib).
"""
import argparse
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from train_llada import MIN_MASK_RATIO, Corpus, masked_loss, optimize, trainable, unigram_cross_entropy

OBJECTIVES = ("autoregressive", "diffusion")


def parse(argv):
    p = argparse.ArgumentParser(description="Masked diffusion against autoregression on a small, repeated corpus.")
    p.add_argument("--init", required=True)
    p.add_argument("--tokens", required=True)
    p.add_argument("--report", required=True)
    p.add_argument("--unique-tokens", type=int, default=20_000)
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--length", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--min-lr", type=float, default=2e-4)
    p.add_argument("--warmup", type=int, default=40)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--eval-windows", type=int, default=48)
    p.add_argument("--ratios", type=int, default=8)
    p.add_argument("--eval-every", type=float, default=2.0, help="epochs between measurements")
    p.add_argument("--plot")
    return p.parse_args(argv)


def first_documents(stream, starts, count):
    """The leading documents of a stream holding at least count tokens: (ids, document starts)."""
    cut = starts[starts >= count]
    end = int(cut[0]) if len(cut) else len(stream)
    return stream[:end], starts[starts < end]


def next_token_loss(model, head, x):
    """Mean cross-entropy of each position's prediction of the next token, under a causal mask."""
    hidden = model.hidden(x, causal=True)[:, :-1]
    return F.cross_entropy((hidden @ head.T).flatten(0, 1), x[:, 1:].flatten())


def diffusion_bound(model, head, windows, mask_id, ratios, seed):
    """LLaDA's ELBO per token: the mean over midpoint mask ratios of E[sum of masked CE] / (t * tokens)."""
    generator = torch.Generator().manual_seed(seed)
    total = 0.0
    for k in range(ratios):
        ratio = torch.full((len(windows),), (k + 0.5) / ratios)
        weighted, _ = masked_loss(model, head, windows, ratio, mask_id, generator)
        total += weighted.item()
    return total / ratios


def evaluate(objective, model, head, windows, mask_id, args):
    with torch.no_grad():
        if objective == "autoregressive":
            return next_token_loss(model, head, windows).item()
        return diffusion_bound(model, head, windows, mask_id, args.ratios, args.seed)


def train(objective, corpus, train_ids, train_starts, held_out, seen, args):
    """Trains one objective for the whole budget; returns its losses, measured every --eval-every epochs."""
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    model, head, optimizer = trainable(args.init, args)
    mask_id = model.config["mask_token_id"]
    steps_between = len(train_ids) / (args.batch * args.length) * args.eval_every

    def measure(step, started):
        return {"step": step, "epoch": step * args.batch * args.length / len(train_ids), "seconds": time.perf_counter() - started,
                "held_out": evaluate(objective, model, head, held_out, mask_id, args),
                "train": evaluate(objective, model, head, seen, mask_id, args)}

    started = time.perf_counter()
    curve = [measure(0, started)]
    for step in range(args.steps):
        x0 = corpus.windows(rng, train_ids, train_starts, args.batch, args.length, eos_fill=0.25)
        if objective == "autoregressive":
            loss = next_token_loss(model, head, x0)
        else:
            ratio = (1 - MIN_MASK_RATIO) * torch.rand(args.batch, generator=generator) + MIN_MASK_RATIO
            loss, _ = masked_loss(model, head, x0, ratio, mask_id, generator)
        optimize(model, optimizer, loss, step, args)
        if math.floor((step + 1) / steps_between) > math.floor(step / steps_between) or step + 1 == args.steps:
            curve.append(measure(step + 1, started))
            point = curve[-1]
            print(f"{objective} epoch {point['epoch']:.1f}: held-out {point['held_out']:.3f}, "
                  f"train {point['train']:.3f} ({point['seconds']:.0f} s)", flush=True)
    return curve


def plot(report, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=120)
    for objective, color in zip(OBJECTIVES, ("tab:orange", "tab:blue")):
        curve = report["curves"][objective]
        epochs = [p["epoch"] for p in curve]
        axes.plot(epochs, [p["held_out"] for p in curve], color=color, label=f"{objective}, held-out")
        axes.plot(epochs, [p["train"] for p in curve], color=color, linestyle=":", label=f"{objective}, training data")
    axes.axhline(report["unigram_held_out"], color="grey", linewidth=0.8, label="unigram, held-out")
    axes.set_xlabel(f"epochs over {report['unique_tokens']:,} unique tokens")
    axes.set_ylabel("nats / token (diffusion: ELBO bound)")
    axes.set_title("Same network, data and compute: masked diffusion vs autoregressive")
    highest = max(p["held_out"] for curve in report["curves"].values() for p in curve)
    axes.set_ylim(0, max(report["unigram_held_out"] * 1.5, highest * 1.05))
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path)


def main(argv):
    args = parse(argv)
    torch.set_num_threads(args.threads)
    with open(f"{args.init}/config.json") as f:
        config = json.load(f)
    corpus = Corpus(args.tokens, config["eos_token_id"])
    train_ids, train_starts = first_documents(corpus.train, corpus.train_starts, args.unique_tokens)
    args.steps = math.ceil(args.epochs * len(train_ids) / (args.batch * args.length))
    held_out = corpus.windows(np.random.default_rng(args.seed + 1), corpus.valid, corpus.valid_starts,
                              args.eval_windows, args.length, eos_fill=0.0)
    seen = corpus.windows(np.random.default_rng(args.seed + 2), train_ids, train_starts,
                          args.eval_windows, args.length, eos_fill=0.0)
    unigram = unigram_cross_entropy(train_ids, corpus.valid, config["vocab_size"])
    print(f"{len(train_ids)} unique training tokens, {args.steps} steps of {args.batch}x{args.length}", flush=True)

    report = {"options": vars(args), "torch": torch.__version__, "unique_tokens": int(len(train_ids)),
              "unigram_held_out": unigram,
              "curves": {o: train(o, corpus, train_ids, train_starts, held_out, seen, args) for o in OBJECTIVES}}
    for objective in OBJECTIVES:
        best = min(report["curves"][objective], key=lambda p: p["held_out"])
        report[f"{objective}_best"] = best
        print(f"{objective}: best held-out {best['held_out']:.3f} at epoch {best['epoch']:.1f}, "
              f"last {report['curves'][objective][-1]['held_out']:.3f}", flush=True)
    with open(args.report, "w") as f:
        json.dump(report, f, indent=1)
    if args.plot:
        plot(report, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
