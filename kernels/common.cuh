// common.cuh — shared device helpers for every Quicksilver kernel.
//
// Compiled in two ways, with no other header on the include path:
//   * NVRTC on the GPU pod (CudaBackend passes this file and sampling.cuh as in-memory headers and defines
//     QS_NVRTC); NVRTC provides the CUDA builtins (threadIdx, expf, __shfl_xor_sync, ...) itself.
//   * clang in CI (kernels/compile-check.sh force-includes kernels/ci/cuda_shim.h, which declares the same
//     builtins from clang's own CUDA headers and libdevice declarations).
// bfloat16 is handled as raw 16-bit patterns (bf16_t) with round-to-nearest-even conversions written out here,
// bit-identical to Quicksilver.Engine.Compute.BFloat16 on the host, so no cuda_bf16.h is needed by either compiler.
#pragma once

typedef unsigned short bf16_t;
typedef unsigned int u32;
typedef unsigned long long u64;

#define QS_DEVICE static __device__ __forceinline__
#define QS_FULL_MASK 0xffffffffu

// 16 bytes moved as one vector access (eight bf16 or four fp32). Our own type, so neither compiler's vector
// headers are needed.
struct alignas(16) u32x4 {
    u32 x, y, z, w;
};

QS_DEVICE u32x4 make_u32x4(u32 x, u32 y, u32 z, u32 w)
{
    u32x4 r;
    r.x = x;
    r.y = y;
    r.z = z;
    r.w = w;
    return r;
}

// ---- bfloat16 <-> fp32 (round to nearest even; NaN stays a quiet NaN), as BFloat16.FromSingle/ToSingle ----
QS_DEVICE float bf16_to_float(bf16_t v) { return __uint_as_float(((u32)v) << 16); }

// Element i of an fp32 or bf16 array, as fp32 (exact).
QS_DEVICE float load_float(const float* p, long long i) { return p[i]; }
QS_DEVICE float load_float(const bf16_t* p, long long i) { return bf16_to_float(p[i]); }

QS_DEVICE bf16_t float_to_bf16(float f)
{
    u32 bits = __float_as_uint(f);
    if ((bits & 0x7fffffffu) > 0x7f800000u) {
        return (bf16_t)((bits >> 16) | 0x40u);
    }
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (bf16_t)(bits >> 16);
}

// Two bf16 packed in a 32-bit word: element 0 in the low half (lower address), element 1 in the high half.
QS_DEVICE u32 pack_bf16x2(float lo, float hi)
{
    return (u32)float_to_bf16(lo) | ((u32)float_to_bf16(hi) << 16);
}

QS_DEVICE float bf16x2_lo(u32 v) { return __uint_as_float(v << 16); }
QS_DEVICE float bf16x2_hi(u32 v) { return __uint_as_float(v & 0xffff0000u); }

// Two bf16 sums of packed pairs, each added in fp32 and rounded once (the residual add).
QS_DEVICE u32 add_bf16x2(u32 a, u32 b) { return pack_bf16x2(bf16x2_lo(a) + bf16x2_lo(b), bf16x2_hi(a) + bf16x2_hi(b)); }

QS_DEVICE float neg_infinity() { return __int_as_float((int)0xff800000u); }

// ---- warp and block reductions (blockDim.x must be a multiple of 32, at most 1024) ----
QS_DEVICE float warp_sum(float v)
{
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(QS_FULL_MASK, v, offset);
    }
    return v;
}

QS_DEVICE float warp_max(float v)
{
    for (int offset = 16; offset > 0; offset >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(QS_FULL_MASK, v, offset));
    }
    return v;
}

// Sum over the whole block; every thread gets the result. `scratch` holds at least 32 floats.
QS_DEVICE float block_sum(float v, float* scratch)
{
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = (blockDim.x + 31) >> 5;
    v = warp_sum(v);
    __syncthreads();  // scratch may still be read by a previous call
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    float total = lane < warps ? scratch[lane] : 0.0f;
    return warp_sum(total);
}

// 64-bit shuffles built from two 32-bit ones (portable across compilers).
QS_DEVICE u64 shfl_xor_u64(u64 v, int offset)
{
    const u32 lo = (u32)__shfl_xor_sync(QS_FULL_MASK, (int)(u32)v, offset);
    const u32 hi = (u32)__shfl_xor_sync(QS_FULL_MASK, (int)(u32)(v >> 32), offset);
    return ((u64)hi << 32) | (u64)lo;
}

QS_DEVICE double shfl_xor_double(double v, int offset)
{
    return __longlong_as_double((long long)shfl_xor_u64((u64)__double_as_longlong(v), offset));
}

// The float's bits mapped so that unsigned order is numeric order (LogitRank.OrderedBits on the host).
QS_DEVICE u32 ordered_bits(float x)
{
    const u32 bits = __float_as_uint(x);
    return (bits & 0x80000000u) != 0u ? ~bits : bits | 0x80000000u;
}

// ---- element offsets use 64-bit arithmetic: rows x columns can pass 2^31 for logits ----
QS_DEVICE long long row_offset(long long row, int columns) { return row * (long long)columns; }
