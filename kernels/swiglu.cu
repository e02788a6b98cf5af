// swiglu.cu — the gated MLP activation of LLaDA and Qwen2: out = silu(gate) * up, silu(g) = g / (1 + exp(-g)).
//
// Computed in fp32 from bf16 inputs and rounded to bf16 once.
// Launch: grid = (ceil(n / 8 / 256)), block = 256; each thread handles 8 elements with 16-byte loads when
// n % 8 == 0 (the host checks alignment), a scalar tail loop otherwise.
// CPU reference: CpuBackend.SwiGlu.
#include "common.cuh"

QS_DEVICE float silu_mul(float g, float u) { return g / (1.0f + expf(-g)) * u; }

extern "C" __global__ void swiglu_bf16(const bf16_t* __restrict__ gate, const bf16_t* __restrict__ up,
                                       bf16_t* __restrict__ out, long long n)
{
    const long long stride = (long long)gridDim.x * blockDim.x;
    if ((n & 7) == 0) {
        const u32x4* g4 = reinterpret_cast<const u32x4*>(gate);
        const u32x4* u4 = reinterpret_cast<const u32x4*>(up);
        u32x4* o4 = reinterpret_cast<u32x4*>(out);
        for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n >> 3); i += stride) {
            const u32x4 g = g4[i];
            const u32x4 u = u4[i];
            const u32 gw[4] = {g.x, g.y, g.z, g.w};
            const u32 uw[4] = {u.x, u.y, u.z, u.w};
            u32 o[4];
#pragma unroll
            for (int j = 0; j < 4; ++j) {
                o[j] = pack_bf16x2(silu_mul(bf16x2_lo(gw[j]), bf16x2_lo(uw[j])),
                                   silu_mul(bf16x2_hi(gw[j]), bf16x2_hi(uw[j])));
            }
            o4[i] = make_u32x4(o[0], o[1], o[2], o[3]);
        }
    } else {
        for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
            out[i] = float_to_bf16(silu_mul(bf16_to_float(gate[i]), bf16_to_float(up[i])));
        }
    }
}
