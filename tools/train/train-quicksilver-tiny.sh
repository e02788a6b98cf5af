#!/usr/bin/env bash
# Rebuilds models/quicksilver-tiny from nothing but Debian packages and this repository:
#   1. the corpus: the King James Version of the Bible, from Debian's bible-kjv (public domain), one verse per line;
#   2. the tokenizer and the initial weights: tools/Quicksilver.ModelBuilder (byte-level BPE trained on the corpus),
#      which also writes the corpus as token ids;
#   3. training: tools/train/train_llada.py (LLaDA's masked-diffusion objective, PyTorch on the CPU).
# usage: tools/train/train-quicksilver-tiny.sh [WORK_DIR] [REPORT_JSON]   (from the repository root; ~1 h on 2 cores)
set -euo pipefail

work=${1:-/tmp/quicksilver-tiny-train}
report=${2:-$work/report.json}
python=${QS_TORCH_PYTHON:-/usr/bin/python3}
mkdir -p "$work"

if ! command -v bible >/dev/null; then
  apt-get install -y --no-install-recommends bible-kjv
fi
# `bible -f` prints "Ge1:1 In the beginning..."; the reference before the first space is dropped.
bible -f "Genesis 1:1-Revelation 22:21" | sed -E 's/^[^ ]+ //' > "$work/kjv.txt"

dotnet run -c Release --project tools/Quicksilver.ModelBuilder -- --output "$work/init" --seed 1234 \
  --corpus "$work/kjv.txt" --merges 3900 --vocab-size 4224 \
  --d-model 192 --layers 6 --heads 6 --kv-heads 6 --mlp 512 --max-seq 1024 \
  --token-ids "$work/kjv.ids"

"$python" tools/train/train_llada.py --init "$work/init" --tokens "$work/kjv.ids" --output models/quicksilver-tiny \
  --steps 1100 --batch 32 --length 128 --lr 2e-3 --min-lr 2e-4 --warmup 60 --seed 1234 --threads 2 \
  --eval-every 200 --report "$report"
