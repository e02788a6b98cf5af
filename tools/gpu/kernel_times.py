#!/usr/bin/env python3
"""kernel_times.py — per-kernel GPU time from an Nsight Compute CSV (ncu --csv --page raw --print-units base
--metrics gpu__time_duration.sum), grouped by kernel name: launches, total and mean time, share of the range.

usage: python3 tools/gpu/kernel_times.py ncu.csv
"""
import argparse
import csv
import re
from collections import defaultdict


def rows(path):
    with open(path, newline="") as f:
        lines = [l for l in f if l.startswith('"')]  # ncu prints its own log lines before the CSV
    reader = csv.reader(lines)
    header = next(reader)
    name = header.index("Kernel Name")
    metric = header.index("gpu__time_duration.sum")
    for r in reader:
        try:
            yield r[name], float(r[metric].replace(",", ""))
        except (ValueError, IndexError):
            continue  # the units row


def short(kernel):
    """cuBLAS kernels have long template names: keep the family."""
    k = re.sub(r"\(.*$", "", kernel)
    return k if len(k) <= 70 else k[:67] + "..."


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    a = ap.parse_args()
    total = defaultdict(float)
    count = defaultdict(int)
    for kernel, ns in rows(a.csv):
        total[short(kernel)] += ns
        count[short(kernel)] += 1
    whole = sum(total.values())
    print(f"{sum(count.values())} launches, {whole / 1e6:.3f} ms of kernel time (kernels serialised by the profiler: no gaps, no overlap)")
    print(f"{'kernel':<70} | {'launches':>8} | {'total ms':>9} | {'mean us':>8} | {'share':>6}")
    for k in sorted(total, key=lambda k: -total[k]):
        print(f"{k:<70} | {count[k]:>8} | {total[k] / 1e6:>9.3f} | {total[k] / count[k] / 1e3:>8.2f} | {100 * total[k] / whole:>5.1f}%")


if __name__ == "__main__":
    raise SystemExit(main())
