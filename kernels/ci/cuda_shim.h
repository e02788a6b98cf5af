// cuda_shim.h — the CUDA builtins Quicksilver's kernels use, for a compile check with plain clang (no CUDA SDK).
//
// kernels/compile-check.sh force-includes this file (-include) with
//   clang -x cuda --cuda-device-only -nocudainc -nocudalib --cuda-gpu-arch=sm_80
// NVRTC never sees it: on the GPU pod NVRTC supplies the real builtins. Everything here comes from clang's own
// CUDA support headers (builtin variables, libdevice declarations, device functions and math), plus the few
// macros, vector types and warp intrinsics that normally arrive through the CUDA SDK's headers.
#pragma once

#if !defined(__clang__) || !defined(__CUDA__)
#error "cuda_shim.h is for clang's CUDA mode only"
#endif

#define CUDA_VERSION 12000

#define __host__ __attribute__((host))
#define __device__ __attribute__((device))
#define __global__ __attribute__((global))
#define __shared__ __attribute__((shared))
#define __constant__ __attribute__((constant))
#define __forceinline__ __inline__ __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...) __attribute__((launch_bounds(__VA_ARGS__)))

// What clang's CUDA headers expect from the C library.
typedef __SIZE_TYPE__ size_t;
#define INT_MAX __INT_MAX__
#define INT_MIN (-__INT_MAX__ - 1)
#define HUGE_VAL __builtin_huge_val()
#define HUGE_VALF __builtin_huge_valf()

#include <__clang_cuda_builtin_vars.h>
#include <__clang_cuda_libdevice_declares.h>
#include <__clang_cuda_device_functions.h>
#include <__clang_cuda_math.h>

// Warp shuffles (sm_30_intrinsics.h in the CUDA SDK). Needs PTX >= 6.0: the script passes +ptx70.
static __device__ __forceinline__ float __shfl_xor_sync(unsigned mask, float v, int lane_mask, int width = 32)
{
    return __nvvm_shfl_sync_bfly_f32(mask, v, lane_mask, ((32 - width) << 8) | 0x1f);
}
static __device__ __forceinline__ int __shfl_xor_sync(unsigned mask, int v, int lane_mask, int width = 32)
{
    return __nvvm_shfl_sync_bfly_i32(mask, v, lane_mask, ((32 - width) << 8) | 0x1f);
}
static __device__ __forceinline__ unsigned __shfl_xor_sync(unsigned mask, unsigned v, int lane_mask, int width = 32)
{
    return (unsigned)__nvvm_shfl_sync_bfly_i32(mask, (int)v, lane_mask, ((32 - width) << 8) | 0x1f);
}
