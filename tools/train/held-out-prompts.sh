#!/usr/bin/env bash
# Text prompts the trained quicksilver-tiny never saw: the held-out verses of its corpus (runs of 100 verses, every
# 20th run, as tools/train/train_llada.py splits them), four consecutive verses to a line → OUT_FILE.
# usage: tools/train/held-out-prompts.sh OUT_FILE   (installs Debian's bible-kjv when the `bible` program is missing)
set -euo pipefail

out=$1
mkdir -p "$(dirname "$out")"
if ! command -v bible >/dev/null; then
  apt-get install -y --no-install-recommends bible-kjv
fi
bible -f "Genesis 1:1-Revelation 22:21" | sed -E 's/^[^ ]+ //' \
  | awk 'int((NR - 1) / 100) % 20 == 19 { line = line (line == "" ? "" : " ") $0; if (++n % 4 == 0) { print line; line = "" } }' \
  > "$out"
echo "$(wc -l < "$out") prompts → $out"
