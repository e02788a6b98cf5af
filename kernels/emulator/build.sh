#!/usr/bin/env bash
# build.sh — builds the CPU emulator of the CUDA driver, NVRTC and cuBLAS into one shared object, installed under
# the names the engine's library resolver looks for (libcuda.so.1, libnvrtc.so.13, libcublas.so.13,
# libcublasLt.so.13), next to the headers the emulated NVRTC compiles kernels with (device.h, force-included;
# emulator_abi.h; emulated_ptx.h, attention.cu's PTX wrappers in C++).
#
# Usage: kernels/emulator/build.sh OUT_DIR      then   QS_CUDA_LIB_DIRS=OUT_DIR dotnet test ...
# CXX (default clang++-14) builds it; QS_EMU_CXX (default: the first of clang++-14, clang++, g++) compiles kernels.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build.sh OUT_DIR}"
cxx="${CXX:-clang++-14}"
mkdir -p "$out"
"$cxx" -std=c++17 -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra -Werror \
  "$here/runtime.cpp" "$here/driver.cpp" "$here/nvrtc.cpp" "$here/cublas.cpp" -ldl -o "$out/libqs_cuda_emulator.so"
cp "$here/device.h" "$here/emulator_abi.h" "$here/emulated_ptx.h" "$out/"
for name in libcuda.so.1 libnvrtc.so.13 libcublas.so.13 libcublasLt.so.13; do
  ln -sf libqs_cuda_emulator.so "$out/$name"
done
echo "CUDA CPU emulator: $out (QS_CUDA_LIB_DIRS=$out)"

"$cxx" -std=c++17 -O1 -Wall -Wextra -Werror "$here/selftest.cpp" -o "$out/selftest" "$out/libqs_cuda_emulator.so" -Wl,-rpath,"$out"
"$out/selftest"
