// init.cu — device-side weight initialisation, so benchmark weights (16 GB for LLaDA-8B) never cross PCIe.
//
//   init_uniform_bf16: w[i] = bf16(offset + scale * u_i)     u_i in [-1, 1) from rng_symmetric_float(seed, i)
//   init_uniform_f32:  w[i] = offset + scale * u_i
//   fill_u32:          p[i] = value (poisons outputs before parity checks)
// The products and sums are unfused (__fmul_rn/__fadd_rn) so the host can reproduce every value bit-exactly
// with CounterRng.Hash (the GPU harness checks this).
//
// Launch: grid-stride loops, block = 256.
// CPU reference: none in CpuBackend; the harness recomputes the values on the host.
#include "sampling.cuh"

extern "C" __global__ void init_uniform_bf16(bf16_t* __restrict__ w, long long n, u64 seed, float scale, float offset)
{
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        w[i] = float_to_bf16(__fadd_rn(offset, __fmul_rn(scale, rng_symmetric_float(seed, (u64)i))));
    }
}

extern "C" __global__ void init_uniform_f32(float* __restrict__ w, long long n, u64 seed, float scale, float offset)
{
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        w[i] = __fadd_rn(offset, __fmul_rn(scale, rng_symmetric_float(seed, (u64)i)));
    }
}

extern "C" __global__ void fill_u32(u32* __restrict__ p, long long n, u32 value)
{
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        p[i] = value;
    }
}
