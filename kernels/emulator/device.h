// device.h — CUDA's device builtins for the CPU emulator: force-included (-include) when the emulated NVRTC
// compiles a kernel file as host C++ (nvrtc.cpp). Each CUDA thread of a block is a fiber of the runtime
// (runtime.cpp); builtin variables, __syncthreads and the warp shuffles go through the runtime's table.
// Inline PTX cannot be compiled for the host: attention.cu's PTX wrappers come from emulated_ptx.h instead
// (QS_HOST_EMULATION). The kernel cache keys do not cover these headers: give each emulator build its own
// QS_KERNEL_CACHE.
#pragma once
#include <cmath>
#include <cstring>

#include "emulator_abi.h"

extern "C" const EmuRuntime* qs_emu_runtime;

#define __host__
#define __device__
#define __global__ __attribute__((annotate("qs_emu_kernel"), visibility("default")))
#define __shared__ static  // one block runs at a time, so a static is the block's shared memory
#define __forceinline__ inline __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)

#define threadIdx (*qs_emu_runtime->thread_idx)
#define blockIdx (*qs_emu_runtime->block_idx)
#define blockDim (*qs_emu_runtime->block_dim)
#define gridDim (*qs_emu_runtime->grid_dim)

static inline void __syncthreads() { qs_emu_runtime->syncthreads(); }

template <class To, class From>
static inline To qs_emu_bits(From from)
{
    static_assert(sizeof(To) == sizeof(From), "bit cast between types of one size");
    To to;
    std::memcpy(&to, &from, sizeof to);
    return to;
}

static inline float __uint_as_float(unsigned v) { return qs_emu_bits<float>(v); }
static inline unsigned __float_as_uint(float v) { return qs_emu_bits<unsigned>(v); }
static inline float __int_as_float(int v) { return qs_emu_bits<float>(v); }
static inline int __float_as_int(float v) { return qs_emu_bits<int>(v); }
static inline double __longlong_as_double(long long v) { return qs_emu_bits<double>(v); }
static inline long long __double_as_longlong(double v) { return qs_emu_bits<long long>(v); }

// Round-to-nearest arithmetic that the compiler may not contract into FMA (the module is built with
// -ffp-contract=off, so plain operators are already exact IEEE operations).
static inline float __fadd_rn(float a, float b) { return a + b; }
static inline float __fsub_rn(float a, float b) { return a - b; }
static inline float __fmul_rn(float a, float b) { return a * b; }
static inline double __dadd_rn(double a, double b) { return a + b; }
static inline double __dsub_rn(double a, double b) { return a - b; }
static inline double __dmul_rn(double a, double b) { return a * b; }
static inline double __ddiv_rn(double a, double b) { return a / b; }

static inline int min(int a, int b) { return a < b ? a : b; }
static inline int max(int a, int b) { return a > b ? a : b; }
static inline long long min(long long a, long long b) { return a < b ? a : b; }
static inline long long max(long long a, long long b) { return a > b ? a : b; }

static inline unsigned long long qs_emu_shfl(unsigned long long bits, int lane_mask, int width)
{
    (void)width;  // the kernels shuffle whole warps
    return qs_emu_runtime->shfl_xor(bits, lane_mask);
}
static inline float __shfl_xor_sync(unsigned, float v, int lane_mask, int width = 32)
{
    return __uint_as_float((unsigned)qs_emu_shfl(__float_as_uint(v), lane_mask, width));
}
static inline int __shfl_xor_sync(unsigned, int v, int lane_mask, int width = 32)
{
    return (int)(unsigned)qs_emu_shfl((unsigned)v, lane_mask, width);
}
static inline unsigned __shfl_xor_sync(unsigned, unsigned v, int lane_mask, int width = 32)
{
    return (unsigned)qs_emu_shfl(v, lane_mask, width);
}
