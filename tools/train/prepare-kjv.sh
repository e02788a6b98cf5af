#!/usr/bin/env bash
# The corpus, tokenizer and initial weights of quicksilver-tiny, from nothing but Debian packages and this repository:
#   1. the King James Version of the Bible, from Debian's bible-kjv (public domain), one verse per line → WORK/kjv.txt;
#   2. tools/Quicksilver.ModelBuilder: a byte-level BPE trained on it and initial weights (seed 1234) → WORK/init,
#      and the corpus as token ids → WORK/kjv.ids.
# usage: tools/train/prepare-kjv.sh WORK_DIR   (from the repository root; a few minutes on 2 cores)
set -euo pipefail

work=$1
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
