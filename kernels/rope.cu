// rope.cu — rotary position embedding, NeoX half-split layout (HF rotate_half), in place, in fp32.
//
// For row r at position p, head h, and i in [0, D/2):
//   angle = fp32(p) * inv_freq[i]                     (one fp32 multiply, never fused)
//   x1 = x[h*D + i], x2 = x[h*D + i + D/2]
//   x[h*D + i]       = bf16(x1 * cos(angle) - x2 * sin(angle))
//   x[h*D + i + D/2] = bf16(x2 * cos(angle) + x1 * sin(angle))
// inv_freq[i] = 1 / theta^(2i/D) comes from the host as a table (RotaryEmbedding.InverseFrequencies, the CPU
// reference's own fp32 computation), so both backends rotate by bit-identical fp32 angles (large positions amplify
// any difference in inv_freq).
//
// Launch: grid = (ceil(rows * D/2 / 256)), block = 256; one thread per (row, i) computes the angle's sine and cosine
// once and rotates pair i of every head (consecutive threads touch consecutive elements of each head).
// CPU reference: CpuBackend.ApplyRope (Compute/Cpu/RotaryEmbedding.cs).
#include "common.cuh"

extern "C" __global__ void rope_neox_bf16(bf16_t* __restrict__ x, const int* __restrict__ positions,
                                          const float* __restrict__ inv_freq, int rows, int heads, int head_dim,
                                          int row_stride)
{
    const int half = head_dim >> 1;
    const long long total = (long long)rows * half;
    for (long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (long long)gridDim.x * blockDim.x) {
        const int i = (int)(idx % half);
        const long long row = idx / half;
        const float angle = __fmul_rn((float)positions[row], inv_freq[i]);
        float s, c;
        sincosf(angle, &s, &c);
        bf16_t* base = x + row * (long long)row_stride + i;
        for (int h = 0; h < heads; ++h) {
            bf16_t* p = base + (long long)h * head_dim;
            const float x1 = bf16_to_float(p[0]);
            const float x2 = bf16_to_float(p[half]);
            p[0] = float_to_bf16(__fsub_rn(__fmul_rn(x1, c), __fmul_rn(x2, s)));
            p[half] = float_to_bf16(__fadd_rn(__fmul_rn(x2, c), __fmul_rn(x1, s)));
        }
    }
}
