#!/usr/bin/env bash
# Rebuilds models/quicksilver-tiny from nothing but Debian packages and this repository: the corpus, tokenizer and
# initial weights (tools/train/prepare-kjv.sh), then training (tools/train/train_llada.py: LLaDA's masked-diffusion
# objective, PyTorch on the CPU).
# usage: tools/train/train-quicksilver-tiny.sh [WORK_DIR] [REPORT_JSON]   (from the repository root; ~1 h on 2 cores)
set -euo pipefail

work=${1:-/tmp/quicksilver-tiny-train}
report=${2:-$work/report.json}
python=${QS_TORCH_PYTHON:-/usr/bin/python3}

tools/train/prepare-kjv.sh "$work"

"$python" tools/train/train_llada.py --init "$work/init" --tokens "$work/kjv.ids" --output models/quicksilver-tiny \
  --steps 1100 --batch 32 --length 128 --lr 2e-3 --min-lr 2e-4 --warmup 60 --seed 1234 --threads 2 \
  --eval-every 200 --report "$report"
