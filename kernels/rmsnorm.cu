// rmsnorm.cu — RMSNorm as LLaDA's RMSLayerNorm computes it, alone or fused with the residual add before it.
//
//   rmsnorm_bf16:      y = bf16( bf16( x * rsqrt(mean(x^2) + eps) ) * w )
//   add_rmsnorm_bf16:  acc = bf16(acc + addend); then y = rmsnorm(acc)    (the residual add, then the next norm)
//
// The statistics are fp32; the normalised value is rounded to bf16 *before* the weight multiply (the model casts
// back to its dtype and then multiplies by the weight), and the product is rounded to bf16 again. The weight is
// kept in fp32 on the device (1-D parameters are uploaded as fp32), so the product matches PyTorch's bf16 x bf16.
// The fused kernel normalises the rounded sum it stores, so it is bit-identical to add_bf16 then rmsnorm_bf16, with
// one launch and one pass over the row fewer.
//
// Launch: grid = (rows), block = 256 threads (a multiple of 32); one block per row, block-wide fp32 reduction.
// Vectorised by 8 bf16 when columns % 8 == 0. In place (y == x) is valid for rmsnorm_bf16: each element is read,
// after the row's reduction, only by the thread that then overwrites it; SDAR's per-head q/k norm runs it so, one
// block per head. The second pass reads back only elements the same thread wrote in the first.
// CPU reference: CpuBackend.RmsNorm and CpuBackend.AddRmsNorm.
#include "common.cuh"

// Both kernels accumulate with these, in the same order, so the fused one's statistics are bit-identical.
QS_DEVICE float add_square(float sum, float a) { return __fadd_rn(sum, __fmul_rn(a, a)); }

QS_DEVICE float add_squares_bf16x2(float sum, u32 w)
{
    return __fadd_rn(sum, __fadd_rn(__fmul_rn(bf16x2_lo(w), bf16x2_lo(w)), __fmul_rn(bf16x2_hi(w), bf16x2_hi(w))));
}

// y = bf16(bf16(x * inv_rms) * w) over one row, by the block.
QS_DEVICE void scale_row(const bf16_t* xr, const float* __restrict__ weight, bf16_t* yr, int columns, float inv_rms)
{
    if ((columns & 7) == 0) {
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

QS_DEVICE float inverse_rms(float sum, int columns, float epsilon, float* scratch)
{
    const float total = block_sum(sum, scratch);
    return 1.0f / sqrtf(total / (float)columns + epsilon);
}

extern "C" __global__ void rmsnorm_bf16(const bf16_t* __restrict__ x, const float* __restrict__ weight,
                                        bf16_t* __restrict__ y, int columns, float epsilon)
{
    __shared__ float scratch[32];
    const long long base = row_offset(blockIdx.x, columns);
    const bf16_t* xr = x + base;

    float sum = 0.0f;
    if ((columns & 7) == 0) {
        const u32x4* xv = reinterpret_cast<const u32x4*>(xr);
        for (int i = threadIdx.x; i < (columns >> 3); i += blockDim.x) {
            const u32x4 p = xv[i];
            sum = add_squares_bf16x2(sum, p.x);
            sum = add_squares_bf16x2(sum, p.y);
            sum = add_squares_bf16x2(sum, p.z);
            sum = add_squares_bf16x2(sum, p.w);
        }
    } else {
        for (int i = threadIdx.x; i < columns; i += blockDim.x) {
            sum = add_square(sum, bf16_to_float(xr[i]));
        }
    }

    scale_row(xr, weight, y + base, columns, inverse_rms(sum, columns, epsilon, scratch));
}

extern "C" __global__ void add_rmsnorm_bf16(bf16_t* __restrict__ acc, const bf16_t* __restrict__ addend,
                                            const float* __restrict__ weight, bf16_t* __restrict__ y, int columns,
                                            float epsilon)
{
    __shared__ float scratch[32];
    const long long base = row_offset(blockIdx.x, columns);
    bf16_t* ar = acc + base;
    const bf16_t* br = addend + base;

    float sum = 0.0f;
    if ((columns & 7) == 0) {
        u32x4* av = reinterpret_cast<u32x4*>(ar);
        const u32x4* bv = reinterpret_cast<const u32x4*>(br);
        for (int i = threadIdx.x; i < (columns >> 3); i += blockDim.x) {
            const u32x4 a = av[i];
            const u32x4 b = bv[i];
            const u32 aw[4] = {a.x, a.y, a.z, a.w};
            const u32 bw[4] = {b.x, b.y, b.z, b.w};
            u32 o[4];
#pragma unroll
            for (int j = 0; j < 4; ++j) {
                o[j] = add_bf16x2(aw[j], bw[j]);
                sum = add_squares_bf16x2(sum, o[j]);
            }
            av[i] = make_u32x4(o[0], o[1], o[2], o[3]);
        }
    } else {
        for (int i = threadIdx.x; i < columns; i += blockDim.x) {
            const bf16_t s = float_to_bf16(bf16_to_float(ar[i]) + bf16_to_float(br[i]));
            ar[i] = s;
            sum = add_square(sum, bf16_to_float(s));
        }
    }

    scale_row(ar, weight, y + base, columns, inverse_rms(sum, columns, epsilon, scratch));
}
