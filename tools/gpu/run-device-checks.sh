#!/usr/bin/env bash
# run-device-checks.sh — every GPU check of the CUDA backend in one run on the device machine.
#
# Run from the repository root on the GPU machine (CUDA 13 driver/toolkit, python3 + torch; no .NET needed):
#   OUT=/path/to/results bash tools/gpu/run-device-checks.sh
# Needs the published harness (git-ignored, carry it): publish/gpu-harness, made here, right before the run, with
#   bash tools/gpu/publish-harness.sh publish/gpu-harness
# (a harness published from other sources than the tree it runs in is refused at once: see harness-sources.sh)
# and, for decode-tiny's text prompts, publish/prompts (carry it too), made here with
#   bash tools/train/held-out-prompts.sh publish/prompts/held-out.txt
#
# Stages, each under `timeout` and each allowed to fail without stopping the others; a stage that could not end
# before $DEADLINE seconds (default 450: with a machine's start, a full run then leaves a session's 15 device minutes
# room to rerun a part; call the device tool with timeout_s about 480) is skipped, so the summary is always written.
# Took 182 s on the H200 on 2026-11-29 (before the block steps and the trained-model decode):
#   env (nvidia-smi, libraries) → harness info → parity (→ $OUT/parity.json) → bench: full-canvas steps, then the dual
#   cache's refresh and block step with their breakdown (→ $OUT/bench.json)
#   → decode: whole answers through the engine's step loop, no cache / prefix / dual, and dual with the answer and
#     frontier refreshes (kv_cache_refresh), LLaDA-8B shape (→ $OUT/decode.json)
#   → decode-tiny: the same on the trained quicksilver-tiny, for the caches' agreement on a trained model (→ $OUT/decode-tiny.json)
#   → torch bench (→ $OUT/torch.json) → compute-sanitizer memcheck of some checks → ncu per-kernel times of one block step
#   → comparison table (→ $OUT/summary.txt, printed last, with the per-kernel table).
# The parity stage runs every check of the harness (tools/Quicksilver.GpuHarness/Parity/ParityCheck.cs), in order:
#   kernels random_weights embed gather_rows rmsnorm head_rmsnorm matmul rope swiglu add add_rmsnorm logit_bias top_logprobs (kernels/top_logprobs.cu; a note
#   times it) score_logits_greedy score_logits_gumbel
#   score_logits_truncated (top-p/top-k drawn on the device by kernels/truncation.cuh; a note times it)
#   score_logits_dream (Dream's confidences under the draw distribution; a note times them against LLaDA's) select_commits (kernels/select_commits.cu: commit selection on the device vs CommitSelection and the CPU backend)
#   attention_simple attention_mma model_synthetic_llada model_synthetic_llada_kv_cache model_synthetic_dream model_synthetic_sdar model_tiny
# One check alone: "$HARNESS" parity --only select_commits --kernel-dir kernels --out /tmp/p.json
# Writes exactly 8 files to $OUT (the most the device tool brings back): parity.json bench.json decode.json
# decode-tiny.json torch.json log-parity.txt (env, info, parity, sanitizer) log-bench.txt (bench, decode, torch) summary.txt. Kernels are compiled from kernels/ and cached in
# $QS_KERNEL_CACHE (default /tmp/qs-kernel-cache).
#
# SCALE=emulator runs the same stages at toy shapes on the CPU emulator of the CUDA libraries (kernels/emulator, found
# through QS_CUDA_LIB_DIRS), with every time limit multiplied by LIMIT_SCALE (default 6 there); torch, the sanitizer
# and ncu need a GPU and are left out. STRICT=1 makes the exit status say whether every stage ran and every report
# is whole (compare.py --strict). CI runs both, so a broken harness, script or summary never costs device time.
set -u -o pipefail

OUT="${OUT:-$PWD/device-out}"
mkdir -p "$OUT"
HARNESS="${HARNESS:-publish/gpu-harness/Quicksilver.GpuHarness}"
MODEL="${MODEL:-models/quicksilver-tiny}"
export QS_KERNEL_CACHE="${QS_KERNEL_CACHE:-/tmp/qs-kernel-cache}"
export PYTHONUNBUFFERED=1
STAGES=/tmp/qs-device-stages.txt
: > "$STAGES"
RUN_START=$(date +%s)
SCALE="${SCALE:-device}"
case "$SCALE" in
  device) LIMIT_SCALE="${LIMIT_SCALE:-1}" ;;
  emulator) LIMIT_SCALE="${LIMIT_SCALE:-6}" ;;
  *) echo "SCALE must be device or emulator, not '$SCALE'" >&2; exit 3 ;;
esac
DEADLINE="${DEADLINE:-$((450 * LIMIT_SCALE))}"
# The LLaDA-8B shape on a device; on the emulator a two-layer model of width 64 and a 40-token canvas.
TOY=(--layers 2 --hidden 64 --heads 2 --intermediate 128 --prompt 8 --gen 32 --block 16)
if [ "$SCALE" = emulator ]; then
  BENCH_SHAPE=("${TOY[@]}" --block-batches 1 --warmup 0 --iters 1 --gemm-n 256)
  DECODE_SHAPE=("${TOY[@]}" --concurrency 1,2 --steps 8)
else
  BENCH_SHAPE=()
  DECODE_SHAPE=(--concurrency 1,16 --steps 16,32,64)
fi

# A harness published from other sources than this tree measures another engine than the one committed (a changed
# kernel-argument layout reads as every check failing numerically): refuse it before any device time goes to it.
published_sources=$(cat "$(dirname "$HARNESS")/SOURCES.sha256" 2>/dev/null || echo "none recorded")
tree_sources=$(bash tools/gpu/harness-sources.sh)
if [ "$published_sources" != "$tree_sources" ]; then
  echo "STALE HARNESS: $(dirname "$HARNESS") was published from sources $published_sources, this tree's are $tree_sources;" \
    "republish with: bash tools/gpu/publish-harness.sh $(dirname "$HARNESS")" | tee "$OUT/summary.txt" >&2
  exit 4
fi

# stage NAME LIMIT LOG CMD...: runs CMD under timeout, tees to LOG (appending), records the exit status; skips it
# when it could run past the deadline.
stage() {
  local name=$1 limit=$(($2 * LIMIT_SCALE)) log=$3
  shift 3
  local start rc
  start=$(date +%s)
  if [ $((start - RUN_START + limit)) -gt "$DEADLINE" ]; then
    echo "=== [$name] SKIPPED: ${limit}s from $((start - RUN_START))s would pass the ${DEADLINE}s deadline" | tee -a "$log"
    echo "$name skipped 0" >> "$STAGES"
    return 0
  fi
  echo "=== [$name] start (limit ${limit}s, run at $((start - RUN_START))s): $*" | tee -a "$log"
  timeout --signal=TERM --kill-after=10 "$limit" "$@" 2>&1 | tee -a "$log"
  rc=${PIPESTATUS[0]}
  [ "$rc" -eq 124 ] && echo "=== [$name] TIMED OUT after ${limit}s" | tee -a "$log"
  echo "=== [$name] exit $rc after $(( $(date +%s) - start ))s" | tee -a "$log"
  echo "$name $rc $(( $(date +%s) - start ))" >> "$STAGES"
  return 0
}

env_report() {
  nvidia-smi || echo "nvidia-smi failed"
  echo "--- CUDA libraries"
  ls -l /usr/local/cuda/lib64/libnvrtc.so* /usr/local/cuda/lib64/libcublas.so* 2>/dev/null || echo "no /usr/local/cuda/lib64 nvrtc/cublas"
  ldconfig -p 2>/dev/null | grep -E 'libcuda\.so|libnvrtc|libcublas' | head -20
  python3 - <<'PY' 2>&1 || true
import glob, site, sys
try:
    import torch
    print("torch", torch.__version__, "cuda", torch.version.cuda, "device", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none")
except Exception as e:
    print("torch import failed:", e)
for s in site.getsitepackages():
    for p in glob.glob(s + "/nvidia/*/lib") + glob.glob(s + "/nvidia/cu13/lib"):
        print("wheel libs:", p)
PY
  echo "--- harness"
  if [ -f "$HARNESS" ]; then
    chmod +x "$HARNESS" 2>/dev/null
    ls -l "$HARNESS"
  else
    echo "MISSING $HARNESS: publish it (see the header of this script) and carry publish/gpu-harness"
  fi
}

stage env 20 "$OUT/log-parity.txt" bash -c "$(declare -f env_report); HARNESS='$HARNESS' env_report"
stage info 20 "$OUT/log-parity.txt" "$HARNESS" info --kernel-dir kernels

# Parity: one child process per check (a faulting kernel only fails its own check).
stage parity 120 "$OUT/log-parity.txt" "$HARNESS" parity --model "$MODEL" --out "$OUT/parity.json" --kernel-dir kernels --timeout $((70 * LIMIT_SCALE))

# The bench uses the tensor-core attention only if it passed parity; otherwise the simple kernel at batch 1 only.
ATTENTION=auto
BATCHES=1,8,32
[ "$SCALE" = emulator ] && BATCHES=1
if [ -f "$OUT/parity.json" ]; then
  MMA=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(next((c['status'] for c in r.get('checks',[]) if c['name']=='attention_mma'),'missing'))" "$OUT/parity.json" 2>/dev/null || echo unknown)
  if [ "$MMA" != "pass" ]; then
    ATTENTION=simple
    [ "$SCALE" = emulator ] || BATCHES=1,8
    echo "attention_mma parity: $MMA → bench with the simple attention kernel at batches $BATCHES" | tee -a "$OUT/log-bench.txt"
  fi
fi
stage bench 100 "$OUT/log-bench.txt" "$HARNESS" bench --out "$OUT/bench.json" --kernel-dir kernels --attention "$ATTENTION" --batches "$BATCHES" --budget $((75 * LIMIT_SCALE)) ${BENCH_SHAPE[@]+"${BENCH_SHAPE[@]}"}

# #7's number: a 256-token answer to a 512-token prompt, single request and 16 at once, through DiffusionEngine. No
# 256-step row: on random weights the threshold row is one token per step already.
stage decode 120 "$OUT/log-bench.txt" "$HARNESS" decode --out "$OUT/decode.json" --kernel-dir kernels --budget $((95 * LIMIT_SCALE)) "${DECODE_SHAPE[@]}"
# The caches' accuracy cost on a trained model. With the held-out text prompts carried (made here by
# `bash tools/train/held-out-prompts.sh publish/prompts/held-out.txt`; the device has no Debian archive), the CPU
# benchmark's text settings (docs/benchmarks/kv-refresh-2026-11-30.md); without them, random prompts as in
# docs/benchmarks/kv-cache-cpu-2026-11-29.md.
PROMPTS="${PROMPTS:-publish/prompts/held-out.txt}"
if [ "$SCALE" = emulator ]; then
  TINY_SHAPE=(--prompt 16 --gen 16 --block 8 --concurrency 1,2 --steps 4)
elif [ -f "$PROMPTS" ]; then
  TINY_SHAPE=(--prompt 64 --gen 64 --block 16 --concurrency 1,16,48 --steps 64,16)
else
  TINY_SHAPE=(--prompt 32 --gen 32 --block 16 --concurrency 1,16 --steps 32,8)
fi
TINY_PROMPTS=()
[ -f "$PROMPTS" ] && TINY_PROMPTS=(--prompt-text "$PROMPTS")
stage decode-tiny 45 "$OUT/log-bench.txt" "$HARNESS" decode --model "$MODEL" ${TINY_PROMPTS[@]+"${TINY_PROMPTS[@]}"} --out "$OUT/decode-tiny.json" --kernel-dir kernels --budget $((35 * LIMIT_SCALE)) "${TINY_SHAPE[@]}"

if [ "$SCALE" = emulator ]; then
  echo "emulator scale: torch, compute-sanitizer and ncu need a GPU; left out" | tee -a "$OUT/log-bench.txt"
  TORCH_REPORT=()
else
  stage torch 90 "$OUT/log-bench.txt" python3 tools/gpu/torch_bench.py --out "$OUT/torch.json" --budget 75 --warmup 1 --iters 3
  TORCH_REPORT=(--torch "$OUT/torch.json")
fi

# compute-sanitizer memcheck over the kernels with the most index arithmetic, in one process (last: it may be slow).
SANITIZED=top_logprobs,select_commits,score_logits_truncated,score_logits_dream,logit_bias,attention_mma,model_synthetic_llada_kv_cache,model_synthetic_sdar
SANITIZER=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null)
if [ "$SCALE" = emulator ]; then
  :
elif [ -n "$SANITIZER" ]; then
  stage sanitizer 45 "$OUT/log-parity.txt" "$SANITIZER" --tool memcheck --print-limit 20 "$HARNESS" parity --in-process --only "$SANITIZED" --kernel-dir kernels --out /tmp/qs-sanitized-parity.json
else
  echo "no compute-sanitizer: memcheck skipped" | tee -a "$OUT/log-parity.txt"
fi

# Nsight Compute: each kernel of one block step at batch 1 timed alone (bench marks it as a profiler range); the CSV
# stays in /tmp and its per-kernel table goes to log-bench.txt and the summary.
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
KERNEL_TIMES=/tmp/qs-kernel-times.txt
: > "$KERNEL_TIMES"
if [ "$SCALE" = emulator ]; then
  :
elif [ -n "$NCU" ]; then
  stage profile 60 "$OUT/log-bench.txt" bash -c "'$NCU' --profile-from-start off --clock-control none --cache-control none --metrics gpu__time_duration.sum --csv --page raw --print-units base '$HARNESS' bench --out /tmp/qs-profiled-bench.json --kernel-dir kernels --batches , --block-batches 1 --gemm-n 2048 > /tmp/qs-ncu.csv && python3 tools/gpu/kernel_times.py /tmp/qs-ncu.csv | tee '$KERNEL_TIMES'"
else
  echo "no ncu: per-kernel profile skipped" | tee -a "$OUT/log-bench.txt"
fi

STRICT_FLAG=()
[ "${STRICT:-0}" = 1 ] && STRICT_FLAG=(--strict)
python3 tools/gpu/compare.py --parity "$OUT/parity.json" --bench "$OUT/bench.json" --decode "$OUT/decode.json" --decode "$OUT/decode-tiny.json" ${TORCH_REPORT[@]+"${TORCH_REPORT[@]}"} --stages "$STAGES" ${STRICT_FLAG[@]+"${STRICT_FLAG[@]}"} 2>&1 | tee "$OUT/summary.txt"
summary_rc=${PIPESTATUS[0]}
[ -s "$KERNEL_TIMES" ] && { echo "block step, batch 1, per kernel (ncu):"; cat "$KERNEL_TIMES"; } | tee -a "$OUT/summary.txt"
echo "total $(( $(date +%s) - RUN_START ))s; results in $OUT"
exit "$summary_rc"
