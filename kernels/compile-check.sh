#!/usr/bin/env bash
# compile-check.sh — compiles every kernel to PTX with clang (no CUDA SDK, no GPU) and fails on any error.
#
# Usage: kernels/compile-check.sh [output-dir]     (CLANG=clang-14 by default; PTX goes to a temp dir)
# The kernels are NVRTC sources; kernels/ci/cuda_shim.h stands in for the builtins NVRTC provides.
# Warnings are errors. Each file is compiled on its own; the script reports every failure, then exits 1.
set -u -o pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
clang="${CLANG:-clang-14}"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"

if ! command -v "$clang" >/dev/null 2>&1; then
  echo "compile-check: $clang not found (set CLANG=...)" >&2
  exit 2
fi

flags=(-x cuda --cuda-device-only -nocudainc -nocudalib --cuda-gpu-arch=sm_80 -S -O3 -std=c++17
  -Xclang -target-feature -Xclang +ptx70
  -Wall -Wextra -Werror -Wno-unknown-cuda-version
  -include "$here/ci/cuda_shim.h" -I "$here")

failed=0
count=0
shopt -s nullglob
for src in "$here"/*.cu; do
  name="$(basename "$src" .cu)"
  count=$((count + 1))
  if "$clang" "${flags[@]}" "$src" -o "$out/$name.ptx"; then
    entries=$(grep -c '^\.visible \.entry' "$out/$name.ptx" || true)
    echo "ok    $name.cu -> $out/$name.ptx ($entries kernels)"
  else
    echo "FAIL  $name.cu" >&2
    failed=$((failed + 1))
  fi
done

if [ "$count" -eq 0 ]; then
  echo "compile-check: no kernels found in $here" >&2
  exit 1
fi
if [ "$failed" -ne 0 ]; then
  echo "compile-check: $failed of $count kernel files failed" >&2
  exit 1
fi
echo "compile-check: all $count kernel files compiled"

# The tensor-core attention kernel's index arithmetic, emulated lane by lane on the CPU (PTX fragment layouts from
# the ISA). Skipped when python3 is missing or QS_SKIP_EMULATION=1.
if [ "${QS_SKIP_EMULATION:-0}" != "1" ] && command -v python3 >/dev/null 2>&1; then
  if ! python3 "$here/ci/emulate_attention_mma.py"; then
    echo "compile-check: attention_mma emulation FAILED" >&2
    exit 1
  fi
fi
