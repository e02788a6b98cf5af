// rope.cu — rotary position embedding of a step's queries and keys, NeoX half-split layout (HF rotate_half), in
// place, in fp32, in one launch.
//
// For row r at position p, head h of q or k, and i in [0, D/2):
//   angle = fp32(p) * inv_freq[i]                     (one fp32 multiply, never fused)
//   x1 = x[h*D + i], x2 = x[h*D + i + D/2]
//   x[h*D + i]       = bf16(x1 * cos(angle) - x2 * sin(angle))
//   x[h*D + i + D/2] = bf16(x2 * cos(angle) + x1 * sin(angle))
// inv_freq[i] = 1 / theta^(2i/D) comes from the host as a table (RotaryEmbedding.InverseFrequencies, the CPU
// reference's own fp32 computation), so both backends rotate by bit-identical fp32 angles (large positions amplify
// any difference in inv_freq).
//
// Launch: grid = (ceil(rows * (q_heads + k_heads) * D/2 / 256)), block = 256; one thread per (row, head, pair), the
// query heads of a row first, then its key heads. A block step has few rows (32 for one sequence), so parallelism
// comes from the heads: a thread per (row, pair) looping over the heads left most of the GPU idle, each of its
// iterations waiting on the previous one's load.
// CPU reference: CpuBackend.ApplyRope (Compute/Cpu/RotaryEmbedding.cs).
#include "common.cuh"

extern "C" __global__ void rope_neox_bf16(bf16_t* __restrict__ q, bf16_t* __restrict__ k,
                                          const int* __restrict__ positions, const float* __restrict__ inv_freq,
                                          int rows, int q_heads, int k_heads, int head_dim, int q_stride,
                                          int k_stride)
{
    const int half = head_dim >> 1;
    const int heads = q_heads + k_heads;
    const long long total = (long long)rows * heads * half;
    for (long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (long long)gridDim.x * blockDim.x) {
        const int i = (int)(idx % half);
        const long long head_row = idx / half;
        const int h = (int)(head_row % heads);
        const long long row = head_row / heads;
        bf16_t* p = h < q_heads ? q + row * (long long)q_stride + (long long)h * head_dim + i
                                : k + row * (long long)k_stride + (long long)(h - q_heads) * head_dim + i;
        const float angle = __fmul_rn((float)positions[row], inv_freq[i]);
        float s, c;
        sincosf(angle, &s, &c);
        const float x1 = bf16_to_float(p[0]);
        const float x2 = bf16_to_float(p[half]);
        p[0] = float_to_bf16(__fsub_rn(__fmul_rn(x1, c), __fmul_rn(x2, s)));
        p[half] = float_to_bf16(__fadd_rn(__fmul_rn(x2, c), __fmul_rn(x1, s)));
    }
}
