// residual.cu — element-wise adds: the residual connection and the GEMM bias (Dream's q/k/v bias).
//
//   add_bf16:       acc[i] = bf16(acc[i] + addend[i])                    (fp32 add of bf16 values)
//   add_bias_bf16:  out[r, c] = bf16(out[r, c] + bias[c])                 (bf16 activations, fp32 bias)
//   add_bias_f32:   out[r, c] += bias[c]                                  (fp32 outputs, e.g. logits)
//
// Launch: grid-stride loops, block = 256; add_bf16 handles 8 elements per thread with 16-byte loads when
// n % 8 == 0. Bias kernels: one thread per element over rows x columns.
// CPU reference: CpuBackend.Add, and the bias term of CpuBackend.MatMul.
#include "common.cuh"

extern "C" __global__ void add_bf16(bf16_t* __restrict__ acc, const bf16_t* __restrict__ addend, long long n)
{
    const long long stride = (long long)gridDim.x * blockDim.x;
    if ((n & 7) == 0) {
        u32x4* a4 = reinterpret_cast<u32x4*>(acc);
        const u32x4* b4 = reinterpret_cast<const u32x4*>(addend);
        for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n >> 3); i += stride) {
            const u32x4 a = a4[i];
            const u32x4 b = b4[i];
            const u32 aw[4] = {a.x, a.y, a.z, a.w};
            const u32 bw[4] = {b.x, b.y, b.z, b.w};
            u32 o[4];
#pragma unroll
            for (int j = 0; j < 4; ++j) {
                o[j] = add_bf16x2(aw[j], bw[j]);
            }
            a4[i] = make_u32x4(o[0], o[1], o[2], o[3]);
        }
    } else {
        for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
            acc[i] = float_to_bf16(bf16_to_float(acc[i]) + bf16_to_float(addend[i]));
        }
    }
}

extern "C" __global__ void add_bias_bf16(bf16_t* __restrict__ out, const float* __restrict__ bias, int rows,
                                         int columns)
{
    const long long n = (long long)rows * columns;
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        out[i] = float_to_bf16(bf16_to_float(out[i]) + bias[i % columns]);
    }
}

extern "C" __global__ void add_bias_f32(float* __restrict__ out, const float* __restrict__ bias, int rows,
                                        int columns)
{
    const long long n = (long long)rows * columns;
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        out[i] += bias[i % columns];
    }
}
