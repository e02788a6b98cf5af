#!/usr/bin/env bash
# Masked diffusion against an autoregressive twin on a small, repeated corpus (tools/train/data_constrained.py): the
# first 20,000 training tokens of quicksilver-tiny's corpus, from the same initial weights, for EPOCHS epochs.
# usage: tools/train/data-constrained.sh [WORK_DIR] [EPOCHS] [REPORT_JSON] [PLOT_PNG]
#        (from the repository root; needs python3-torch, and python3-matplotlib for the plot; ~35 min for 40 epochs on 2 cores)
set -euo pipefail

work=${1:-/tmp/quicksilver-data-constrained}
epochs=${2:-40}
report=${3:-$work/report.json}
plot=${4:-$work/data-constrained.png}
python=${QS_TORCH_PYTHON:-/usr/bin/python3}

[ -f "$work/kjv.ids" ] || tools/train/prepare-kjv.sh "$work"

"$python" tools/train/data_constrained.py --init "$work/init" --tokens "$work/kjv.ids" --report "$report" --plot "$plot" \
  --unique-tokens 20000 --epochs "$epochs" --batch 16 --length 128 --eval-windows 32 --ratios 8 \
  --eval-every "$((epochs >= 20 ? epochs / 20 : 1))" --seed 1234 --threads 2
