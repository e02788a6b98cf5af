// rmsnorm.cu — RMSNorm as LLaDA's RMSLayerNorm computes it.
//
//   y = bf16( bf16( x * rsqrt(mean(x^2) + eps) ) * w )
//
// The statistics are fp32; the normalised value is rounded to bf16 *before* the weight multiply (the model casts
// back to its dtype and then multiplies by the weight), and the product is rounded to bf16 again. The weight is
// kept in fp32 on the device (1-D parameters are uploaded as fp32), so the product matches PyTorch's bf16 x bf16.
//
// Launch: grid = (rows), block = 256 threads (a multiple of 32); one block per row, block-wide fp32 reduction.
// Vectorised by 8 bf16 when columns % 8 == 0. In place (y == x) is valid: each element is read, after the row's
// reduction, only by the thread that then overwrites it; SDAR's per-head q/k norm runs it so, one block per head.
// CPU reference: CpuBackend.RmsNorm.
#include "common.cuh"

extern "C" __global__ void rmsnorm_bf16(const bf16_t* __restrict__ x, const float* __restrict__ weight,
                                        bf16_t* __restrict__ y, int columns, float epsilon)
{
    __shared__ float scratch[32];
    const long long base = row_offset(blockIdx.x, columns);
    const bf16_t* xr = x + base;
    bf16_t* yr = y + base;
    const bool vec = (columns & 7) == 0;

    float sum = 0.0f;
    if (vec) {
        const u32x4* xv = reinterpret_cast<const u32x4*>(xr);
        for (int i = threadIdx.x; i < (columns >> 3); i += blockDim.x) {
            const u32x4 p = xv[i];
            const u32 w[4] = {p.x, p.y, p.z, p.w};
#pragma unroll
            for (int j = 0; j < 4; ++j) {
                const float a = bf16x2_lo(w[j]);
                const float b = bf16x2_hi(w[j]);
                sum += a * a + b * b;
            }
        }
    } else {
        for (int i = threadIdx.x; i < columns; i += blockDim.x) {
            const float a = bf16_to_float(xr[i]);
            sum += a * a;
        }
    }

    const float total = block_sum(sum, scratch);
    const float inv_rms = 1.0f / sqrtf(total / (float)columns + epsilon);

    if (vec) {
        const u32x4* xv = reinterpret_cast<const u32x4*>(xr);
        u32x4* yv = reinterpret_cast<u32x4*>(yr);
        for (int i = threadIdx.x; i < (columns >> 3); i += blockDim.x) {
            const u32x4 p = xv[i];
            const u32 w[4] = {p.x, p.y, p.z, p.w};
            u32 o[4];
#pragma unroll
            for (int j = 0; j < 4; ++j) {
                const int c = i * 8 + j * 2;
                const float a = bf16_to_float(float_to_bf16(bf16x2_lo(w[j]) * inv_rms)) * weight[c];
                const float b = bf16_to_float(float_to_bf16(bf16x2_hi(w[j]) * inv_rms)) * weight[c + 1];
                o[j] = pack_bf16x2(a, b);
            }
            yv[i] = make_u32x4(o[0], o[1], o[2], o[3]);
        }
    } else {
        for (int i = threadIdx.x; i < columns; i += blockDim.x) {
            const float n = bf16_to_float(float_to_bf16(bf16_to_float(xr[i]) * inv_rms));
            yr[i] = float_to_bf16(n * weight[i]);
        }
    }
}
