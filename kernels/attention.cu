// attention.cu — scaled dot-product attention over a packed variable-length batch (flash style), non-causal or
// block-causal.
//
// For sequence s, query head h (key/value head hk = h / (H / Hkv), grouped-query attention), query row i in
// [cu_q[s], cu_q[s+1]) and its keys j in [0, n_i):
//   out[i, h] = sum_j softmax_j(q[i,h] . K_s[j,hk] / sqrt(D)) V_s[j,hk]
// With causal_block = 0, n_i = keys[s].count: every query sees every key of its own sequence (no padding mask).
// With causal_block = B > 0 (block diffusion), key j is canvas position j and query row i sits at canvas position
// p = keys[s].first_query + (i - cu_q[s]); it sees its own block of B positions and every earlier one:
// n_i = min(count, (p / B + 1) * B) (visible_keys; AttentionLayout.VisibleKeys in C#). Each sequence names where its
// key and value rows are (AttentionKeys): its rows of the step's packed k/v buffers, or positions of its K/V cache
// (Fast-dLLM block caching; kv_cache.cu writes them) at `layer`. q/out and every key/value row are bf16 row-major
// with rows of H*D (q, out) and Hkv*D (k, v) elements; softmax statistics and accumulators are fp32.
// A sequence with no keys produces zeros.
//
// Versions (CudaBackend picks 2 on compute capability >= 8.0 for D in {32, 64, 128}, else 1; the GPU harness
// checks both against CpuBackend.Attention):
//   1. attention_simple_d{32,64,128}: one warp per (query row, head); keys streamed from global memory, one
//      warp-reduced dot product per key, online softmax in fp32. Slow; the readable reference and fallback.
//      Launch: grid = (ceil(max_q_len / 4), H, sequences), block = 128 (4 warps = 4 query rows).
//   2. attention_mma_d{32,64,128}: FlashAttention-2 style on tensor cores (mma.sync m16n8k16 bf16 -> fp32,
//      sm_80+). A block owns a 64-row query tile of one (sequence, head); each of its 4 warps owns 16 rows and
//      keeps Q fragments, the S tile and the O accumulators in registers. K/V tiles of 64 keys are staged in
//      shared memory with cp.async (K[t+1] loads while softmax(t) and P.V(t) run; V[t+1] while S(t+1) runs),
//      read with ldmatrix (.trans for V), rows padded by 16 bytes so ldmatrix is bank-conflict free.
//      P is rounded to bf16 for the P.V product (as FlashAttention does); the row sum uses the fp32 P.
//      Launch: grid = (ceil(max_q_len / 64), H, sequences * splits), block = 128, static shared memory
//      2 * 64 * (D + 8) * 2 bytes (34 KB at D = 128).
//      Split keys (flash-decoding): a block step has few query rows (32 for one sequence), so one block per
//      (query tile, head, sequence) leaves most SMs idle while each block walks every key. With splits > 1, block z
//      takes sequence z / splits and share z % splits of its 64-key tiles (shares differ by at most one tile), and
//      writes its rows' unnormalised fp32 output, running max (log2 domain) and sum to `partial`; attention_combine
//      then weighs the splits by 2^(m_split - m) and normalises. splits = 1 writes bf16 output directly, as before.
//   attention_combine: one warp per (query row, head) over every split's partial, grid-stride.
//      Launch: grid = (min(ceil(rows * H / 4), 65535 * 32)), block = 128.
// CPU reference: CpuBackend.Attention.
#include "common.cuh"

// Where one sequence's keys and values are: key row j of head hk at layer L is
//   (const bf16_t*)k + L * layer_stride + j * (Hkv * D) + hk * D
// and likewise for v. Rows of the step's packed buffers have layer_stride 0; a K/V cache ([layer][keys | values]
// [position][Hkv * D]) moves by 2 * positions * Hkv * D elements per layer. Mirrored in C# by AttentionKeysArgs.
struct AttentionKeys {
    u64 k;                   // device address of key row 0 at layer 0
    u64 v;                   // device address of value row 0 at layer 0
    long long layer_stride;  // elements from one layer's rows to the next
    int count;               // keys attended to
    int first_query;         // canvas position of the sequence's first query row (block-causal layouts)
};
static_assert(sizeof(AttentionKeys) == 32, "AttentionKeys must match the C# mirror");

QS_DEVICE const bf16_t* key_rows(const AttentionKeys& keys, int layer)
{
    return reinterpret_cast<const bf16_t*>(keys.k) + (long long)layer * keys.layer_stride;
}

QS_DEVICE const bf16_t* value_rows(const AttentionKeys& keys, int layer)
{
    return reinterpret_cast<const bf16_t*>(keys.v) + (long long)layer * keys.layer_stride;
}

// Keys [0, n) that sequence-local query row `row` sees: all of them, or with block-causal attention those before
// the end of its block. Non-decreasing in `row`.
QS_DEVICE int visible_keys(const AttentionKeys& keys, int row, int causal_block)
{
    if (causal_block <= 0) {
        return keys.count;
    }
    const long long block_end = ((long long)(keys.first_query + row) / causal_block + 1) * causal_block;
    return block_end < keys.count ? (int)block_end : keys.count;
}

// ------------------------------------------------------------------------------------------------------------
// Version 1: one warp per (query row, head).
// ------------------------------------------------------------------------------------------------------------
template <int D>
QS_DEVICE void attention_simple(const bf16_t* __restrict__ q, bf16_t* __restrict__ out, const int* __restrict__ cu_q,
                                const AttentionKeys* __restrict__ keys, int layer, int heads, int kv_heads, float scale,
                                int causal_block)
{
    constexpr int PER_LANE = D / 32;
    const int seq = blockIdx.z;
    const int h = blockIdx.y;
    const int lane = threadIdx.x & 31;
    const int local_row = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    const int q_begin = cu_q[seq];
    const int q_len = cu_q[seq + 1] - q_begin;
    if (local_row >= q_len) {
        return;
    }
    const AttentionKeys source = keys[seq];
    const int k_len = visible_keys(source, local_row, causal_block);
    const bf16_t* k = key_rows(source, layer);
    const bf16_t* v = value_rows(source, layer);
    const int hk = h / (heads / kv_heads);
    const long long q_stride = (long long)heads * D;
    const long long kv_stride = (long long)kv_heads * D;

    float qv[PER_LANE];
    float acc[PER_LANE];
    const bf16_t* qrow = q + (long long)(q_begin + local_row) * q_stride + (long long)h * D;
#pragma unroll
    for (int e = 0; e < PER_LANE; ++e) {
        qv[e] = bf16_to_float(qrow[lane + 32 * e]) * scale;
        acc[e] = 0.0f;
    }

    float m = neg_infinity();
    float l = 0.0f;
    for (int j = 0; j < k_len; ++j) {
        const bf16_t* krow = k + (long long)j * kv_stride + (long long)hk * D;
        const bf16_t* vrow = v + (long long)j * kv_stride + (long long)hk * D;
        float dot = 0.0f;
#pragma unroll
        for (int e = 0; e < PER_LANE; ++e) {
            dot += qv[e] * bf16_to_float(krow[lane + 32 * e]);
        }
        dot = warp_sum(dot);
        const float m_new = fmaxf(m, dot);
        const float correction = expf(m - m_new);
        const float p = expf(dot - m_new);
        l = l * correction + p;
#pragma unroll
        for (int e = 0; e < PER_LANE; ++e) {
            acc[e] = acc[e] * correction + p * bf16_to_float(vrow[lane + 32 * e]);
        }
        m = m_new;
    }

    const float inv_l = l > 0.0f ? 1.0f / l : 0.0f;
    bf16_t* orow = out + (long long)(q_begin + local_row) * q_stride + (long long)h * D;
#pragma unroll
    for (int e = 0; e < PER_LANE; ++e) {
        orow[lane + 32 * e] = float_to_bf16(acc[e] * inv_l);
    }
}

#define QS_ATTENTION_SIMPLE(D)                                                                                  \
    extern "C" __global__ void __launch_bounds__(128) attention_simple_d##D(                                   \
        const bf16_t* __restrict__ q, bf16_t* __restrict__ out, const int* __restrict__ cu_q,                  \
        const AttentionKeys* __restrict__ keys, int layer, int heads, int kv_heads, float scale,              \
        float scale_log2, int causal_block)                                                                    \
    {                                                                                                          \
        (void)scale_log2;                                                                                      \
        attention_simple<D>(q, out, cu_q, keys, layer, heads, kv_heads, scale, causal_block);                  \
    }

QS_ATTENTION_SIMPLE(32)
QS_ATTENTION_SIMPLE(64)
QS_ATTENTION_SIMPLE(128)

// ------------------------------------------------------------------------------------------------------------
// Version 2: tensor cores. PTX wrappers (inline asm works the same under NVRTC and clang). The CPU emulator
// (kernels/emulator, QS_HOST_EMULATION) runs no inline PTX: it takes the same wrappers in C++ from its
// emulated_ptx.h.
// ------------------------------------------------------------------------------------------------------------
#ifndef QS_HOST_EMULATION
QS_DEVICE u32 shared_address(const void* p)
{
    u64 a;
    asm("cvta.to.shared.u64 %0, %1;" : "=l"(a) : "l"(p));
    return (u32)a;
}

// 16-byte global -> shared copy; src_bytes = 0 zero-fills the destination (rows past the sequence end).
QS_DEVICE void cp_async_16(u32 dst, const void* src, int src_bytes)
{
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes) : "memory");
}

QS_DEVICE void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }

template <int N>
QS_DEVICE void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory"); }

QS_DEVICE void ldmatrix_x4(u32 addr, u32& r0, u32& r1, u32& r2, u32& r3)
{
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3)
                 : "r"(addr));
}

QS_DEVICE void ldmatrix_x4_trans(u32 addr, u32& r0, u32& r1, u32& r2, u32& r3)
{
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3)
                 : "r"(addr));
}

// d += a(16x16, row) * b(16x8, col), bf16 inputs, fp32 accumulators.
QS_DEVICE void mma_bf16_16816(float* d, const u32* a, u32 b0, u32 b1)
{
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// Hardware round-to-nearest-even pack: `lo` in the low half.
QS_DEVICE u32 pack_bf16x2_rn(float lo, float hi)
{
    u32 r;
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;\n" : "=r"(r) : "f"(hi), "f"(lo));
    return r;
}

#else
#include "emulated_ptx.h"
#endif  // QS_HOST_EMULATION

QS_DEVICE u32 load_u32_or_zero(const bf16_t* p, bool valid)
{
    return valid ? *reinterpret_cast<const u32*>(p) : 0u;
}

#define QS_ATTN_BLOCK_M 64
#define QS_ATTN_BLOCK_N 64
#define QS_ATTN_THREADS 128

// Stages rows [tile_start, tile_start + 64) of one key/value head into shared memory (row pitch D + 8).
template <int D>
QS_DEVICE void load_kv_tile(bf16_t* smem, const bf16_t* __restrict__ src, int tile_start, int len,
                            long long row_stride)
{
    constexpr int CHUNKS_PER_ROW = D / 8;  // 16-byte chunks
    constexpr int CHUNKS = QS_ATTN_BLOCK_N * CHUNKS_PER_ROW;
    for (int c = threadIdx.x; c < CHUNKS; c += QS_ATTN_THREADS) {
        const int row = c / CHUNKS_PER_ROW;
        const int col = (c % CHUNKS_PER_ROW) * 8;
        const int key = tile_start + row;
        const bool valid = key < len;
        const bf16_t* g = src + (valid ? (long long)key * row_stride + col : 0);
        cp_async_16(shared_address(smem + row * (D + 8) + col), g, valid ? 16 : 0);
    }
}

// Where split `split` of query row `row` (of the whole packed batch), head h, keeps its partial result in `partial`:
// D fp32 outputs, then the running max and sum.
QS_DEVICE long long partial_offset(int split, int rows, int row, int h, int heads, int head_dim)
{
    return (((long long)split * rows + row) * heads + h) * (long long)(head_dim + 2);
}

template <int D>
QS_DEVICE void attention_mma(const bf16_t* __restrict__ q, bf16_t* __restrict__ out, const int* __restrict__ cu_q,
                             const AttentionKeys* __restrict__ keys, int layer, int heads, int kv_heads,
                             float scale_log2, int causal_block, int splits, float* __restrict__ partial, int rows)
{
    constexpr int PITCH = D + 8;
    constexpr int KSTEPS = D / 16;  // k-steps of S = Q K^T
    constexpr int DTILES = D / 8;   // n-tiles of O
    // Declared as 16-byte vectors so cp.async and ldmatrix get 16-byte aligned rows (PITCH * 2 is a multiple of 16).
    __shared__ u32x4 k_raw[QS_ATTN_BLOCK_N * PITCH / 8];
    __shared__ u32x4 v_raw[QS_ATTN_BLOCK_N * PITCH / 8];
    bf16_t* k_smem = reinterpret_cast<bf16_t*>(k_raw);
    bf16_t* v_smem = reinterpret_cast<bf16_t*>(v_raw);

    const int seq = blockIdx.z / splits;
    const int split = blockIdx.z % splits;
    const int h = blockIdx.y;
    const int q_begin = cu_q[seq];
    const int q_len = cu_q[seq + 1] - q_begin;
    const int tile_q = blockIdx.x * QS_ATTN_BLOCK_M;
    if (tile_q >= q_len) {
        return;  // uniform across the block: no barrier is skipped by part of it
    }
    const AttentionKeys source = keys[seq];
    const int hk = h / (heads / kv_heads);
    const long long q_stride = (long long)heads * D;
    const long long kv_stride = (long long)kv_heads * D;

    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
    const int group = lane >> 2;  // row within the 8-row half of an mma tile
    const int quad = lane & 3;    // column pair within an 8-column n-tile
    const int r0 = tile_q + warp * 16 + group;  // this thread's two query rows (sequence-local)
    const int r1 = r0 + 8;
    const bool r0_valid = r0 < q_len;
    const bool r1_valid = r1 < q_len;
    // Keys each of the two rows sees, and the most any row of the tile sees (its last row's: visible_keys grows
    // with the row), which bounds the key tiles; their loads zero-fill past it, since the keys and values after it
    // may be K/V cache rows never written (a block-causal refresh stops at its window's end) and 0 x NaN is NaN.
    const int k_len0 = visible_keys(source, r0, causal_block);
    const int k_len1 = visible_keys(source, r1, causal_block);
    const int last_row = tile_q + QS_ATTN_BLOCK_M - 1 < q_len ? tile_q + QS_ATTN_BLOCK_M - 1 : q_len - 1;
    const int k_tile_len = visible_keys(source, last_row, causal_block);

    // Q fragments (A operand, row-major 16x16 per k-step), straight from global memory.
    u32 qa[KSTEPS][4];
    {
        const bf16_t* q0 = q + (long long)(q_begin + (r0_valid ? r0 : 0)) * q_stride + (long long)h * D;
        const bf16_t* q1 = q + (long long)(q_begin + (r1_valid ? r1 : 0)) * q_stride + (long long)h * D;
#pragma unroll
        for (int ks = 0; ks < KSTEPS; ++ks) {
            const int col = ks * 16 + quad * 2;
            qa[ks][0] = load_u32_or_zero(q0 + col, r0_valid);
            qa[ks][1] = load_u32_or_zero(q1 + col, r1_valid);
            qa[ks][2] = load_u32_or_zero(q0 + col + 8, r0_valid);
            qa[ks][3] = load_u32_or_zero(q1 + col + 8, r1_valid);
        }
    }

    float o[DTILES][4];
#pragma unroll
    for (int d = 0; d < DTILES; ++d) {
        o[d][0] = o[d][1] = o[d][2] = o[d][3] = 0.0f;
    }
    float m0 = neg_infinity(), m1 = neg_infinity();
    float l0 = 0.0f, l1 = 0.0f;

    const bf16_t* k_head = key_rows(source, layer) + (long long)hk * D;
    const bf16_t* v_head = value_rows(source, layer) + (long long)hk * D;
    // This split's tiles: [split * n / splits, (split + 1) * n / splits), shares that differ by at most one tile.
    const int all_tiles = (k_tile_len + QS_ATTN_BLOCK_N - 1) / QS_ATTN_BLOCK_N;
    const int first_tile = (int)((long long)split * all_tiles / splits);
    const int end_tile = (int)((long long)(split + 1) * all_tiles / splits);

    const u32 k_base = shared_address(k_smem);
    const u32 v_base = shared_address(v_smem);
    // ldmatrix row addresses: lane supplies row (lane % 8) of matrix (lane / 8).
    const int mat = lane >> 3;
    const int mrow = lane & 7;
    // K (non-transposed): matrices {keys 0-7, dims 0-7}, {keys 0-7, dims 8-15}, {keys 8-15, dims 0-7}, {8-15, 8-15}.
    const u32 k_lane = k_base + (u32)(((mrow + (mat >> 1) * 8) * PITCH + (mat & 1) * 8) * 2);
    // V (transposed): matrices {keys 0-7, dims 0-7}, {keys 8-15, dims 0-7}, {keys 0-7, dims 8-15}, {8-15, 8-15}.
    const u32 v_lane = v_base + (u32)(((mrow + (mat & 1) * 8) * PITCH + (mat >> 1) * 8) * 2);

    if (first_tile < end_tile) {
        load_kv_tile<D>(k_smem, k_head, first_tile * QS_ATTN_BLOCK_N, k_tile_len, kv_stride);
        cp_async_commit();
        load_kv_tile<D>(v_smem, v_head, first_tile * QS_ATTN_BLOCK_N, k_tile_len, kv_stride);
        cp_async_commit();
    }

    for (int t = first_tile; t < end_tile; ++t) {
        const bool has_next = t + 1 < end_tile;
        cp_async_wait<1>();  // K[t] has landed (V[t] may still be in flight)
        __syncthreads();

        // S = Q K^T for this warp's 16 rows x 64 keys: 8 n-tiles of 8 keys.
        float s[8][4];
#pragma unroll
        for (int n = 0; n < 8; ++n) {
            s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.0f;
        }
#pragma unroll
        for (int ks = 0; ks < KSTEPS; ++ks) {
#pragma unroll
            for (int np = 0; np < 4; ++np) {
                u32 b0, b1, b2, b3;
                ldmatrix_x4(k_lane + (u32)((np * 16 * PITCH + ks * 16) * 2), b0, b1, b2, b3);
                mma_bf16_16816(s[2 * np], qa[ks], b0, b1);
                mma_bf16_16816(s[2 * np + 1], qa[ks], b2, b3);
            }
        }
        __syncthreads();  // every warp is done with K[t]
        if (has_next) {
            load_kv_tile<D>(k_smem, k_head, (t + 1) * QS_ATTN_BLOCK_N, k_tile_len, kv_stride);
            cp_async_commit();
        }

        // Scale into the log2 domain, mask keys past each row's visible end, online softmax.
        const int key0 = t * QS_ATTN_BLOCK_N + quad * 2;
        float mx0 = neg_infinity(), mx1 = neg_infinity();
#pragma unroll
        for (int n = 0; n < 8; ++n) {
            const int key = key0 + n * 8;
            s[n][0] = key < k_len0 ? s[n][0] * scale_log2 : neg_infinity();
            s[n][1] = key + 1 < k_len0 ? s[n][1] * scale_log2 : neg_infinity();
            s[n][2] = key < k_len1 ? s[n][2] * scale_log2 : neg_infinity();
            s[n][3] = key + 1 < k_len1 ? s[n][3] * scale_log2 : neg_infinity();
            mx0 = fmaxf(mx0, fmaxf(s[n][0], s[n][1]));
            mx1 = fmaxf(mx1, fmaxf(s[n][2], s[n][3]));
        }
        mx0 = fmaxf(mx0, __shfl_xor_sync(QS_FULL_MASK, mx0, 1));
        mx0 = fmaxf(mx0, __shfl_xor_sync(QS_FULL_MASK, mx0, 2));
        mx1 = fmaxf(mx1, __shfl_xor_sync(QS_FULL_MASK, mx1, 1));
        mx1 = fmaxf(mx1, __shfl_xor_sync(QS_FULL_MASK, mx1, 2));
        const float m0_new = fmaxf(m0, mx0);
        const float m1_new = fmaxf(m1, mx1);
        const float base0 = m0_new == neg_infinity() ? 0.0f : m0_new;
        const float base1 = m1_new == neg_infinity() ? 0.0f : m1_new;
        const float corr0 = exp2f(m0 - base0);
        const float corr1 = exp2f(m1 - base1);
        m0 = m0_new;
        m1 = m1_new;

        float sum0 = 0.0f, sum1 = 0.0f;
#pragma unroll
        for (int n = 0; n < 8; ++n) {
            s[n][0] = exp2f(s[n][0] - base0);
            s[n][1] = exp2f(s[n][1] - base0);
            s[n][2] = exp2f(s[n][2] - base1);
            s[n][3] = exp2f(s[n][3] - base1);
            sum0 += s[n][0] + s[n][1];
            sum1 += s[n][2] + s[n][3];
        }
        l0 = l0 * corr0 + sum0;  // per-thread partial row sums; reduced over the quad at the end
        l1 = l1 * corr1 + sum1;
#pragma unroll
        for (int d = 0; d < DTILES; ++d) {
            o[d][0] *= corr0;
            o[d][1] *= corr0;
            o[d][2] *= corr1;
            o[d][3] *= corr1;
        }

        // P as A fragments: k-step j covers keys 16j..16j+15 = n-tiles 2j and 2j+1 of S.
        u32 pa[4][4];
#pragma unroll
        for (int j = 0; j < 4; ++j) {
            pa[j][0] = pack_bf16x2_rn(s[2 * j][0], s[2 * j][1]);
            pa[j][1] = pack_bf16x2_rn(s[2 * j][2], s[2 * j][3]);
            pa[j][2] = pack_bf16x2_rn(s[2 * j + 1][0], s[2 * j + 1][1]);
            pa[j][3] = pack_bf16x2_rn(s[2 * j + 1][2], s[2 * j + 1][3]);
        }

        if (has_next) {
            cp_async_wait<1>();  // V[t] has landed (K[t+1] may still be in flight)
        } else {
            cp_async_wait<0>();
        }
        __syncthreads();

        // O += P V: n-tiles of 8 head dims, two per ldmatrix.
#pragma unroll
        for (int j = 0; j < 4; ++j) {
#pragma unroll
            for (int dp = 0; dp < DTILES / 2; ++dp) {
                u32 b0, b1, b2, b3;
                ldmatrix_x4_trans(v_lane + (u32)((j * 16 * PITCH + dp * 16) * 2), b0, b1, b2, b3);
                mma_bf16_16816(o[2 * dp], pa[j], b0, b1);
                mma_bf16_16816(o[2 * dp + 1], pa[j], b2, b3);
            }
        }
        __syncthreads();  // every warp is done with V[t]
        if (has_next) {
            load_kv_tile<D>(v_smem, v_head, (t + 1) * QS_ATTN_BLOCK_N, k_tile_len, kv_stride);
            cp_async_commit();
        }
    }

    l0 += __shfl_xor_sync(QS_FULL_MASK, l0, 1);
    l0 += __shfl_xor_sync(QS_FULL_MASK, l0, 2);
    l1 += __shfl_xor_sync(QS_FULL_MASK, l1, 1);
    l1 += __shfl_xor_sync(QS_FULL_MASK, l1, 2);
    if (splits > 1) {
        float* p0 = partial + partial_offset(split, rows, q_begin + r0, h, heads, D);
        float* p1 = partial + partial_offset(split, rows, q_begin + r1, h, heads, D);
#pragma unroll
        for (int d = 0; d < DTILES; ++d) {
            const int col = d * 8 + quad * 2;
            if (r0_valid) {
                p0[col] = o[d][0];
                p0[col + 1] = o[d][1];
            }
            if (r1_valid) {
                p1[col] = o[d][2];
                p1[col + 1] = o[d][3];
            }
        }
        if (quad == 0 && r0_valid) {
            p0[D] = m0;
            p0[D + 1] = l0;
        }
        if (quad == 0 && r1_valid) {
            p1[D] = m1;
            p1[D + 1] = l1;
        }
        return;
    }
    const float inv0 = l0 > 0.0f ? 1.0f / l0 : 0.0f;
    const float inv1 = l1 > 0.0f ? 1.0f / l1 : 0.0f;
    bf16_t* o0 = out + (long long)(q_begin + r0) * q_stride + (long long)h * D;
    bf16_t* o1 = out + (long long)(q_begin + r1) * q_stride + (long long)h * D;
#pragma unroll
    for (int d = 0; d < DTILES; ++d) {
        const int col = d * 8 + quad * 2;
        if (r0_valid) {
            *reinterpret_cast<u32*>(o0 + col) = pack_bf16x2(o[d][0] * inv0, o[d][1] * inv0);
        }
        if (r1_valid) {
            *reinterpret_cast<u32*>(o1 + col) = pack_bf16x2(o[d][2] * inv1, o[d][3] * inv1);
        }
    }
}

#define QS_ATTENTION_MMA(D)                                                                                     \
    extern "C" __global__ void __launch_bounds__(QS_ATTN_THREADS) attention_mma_d##D(                          \
        const bf16_t* __restrict__ q, bf16_t* __restrict__ out, const int* __restrict__ cu_q,                  \
        const AttentionKeys* __restrict__ keys, int layer, int heads, int kv_heads, float scale,              \
        float scale_log2, int causal_block, int splits, float* __restrict__ partial, int rows)                \
    {                                                                                                          \
        (void)scale;                                                                                           \
        attention_mma<D>(q, out, cu_q, keys, layer, heads, kv_heads, scale_log2, causal_block, splits, partial, \
                         rows);                                                                                \
    }

QS_ATTENTION_MMA(32)
QS_ATTENTION_MMA(64)
QS_ATTENTION_MMA(128)

// out[row, h] = sum_s 2^(m_s - m) o_s / sum_s 2^(m_s - m) l_s with m = max_s m_s; zeros when no split saw a key.
extern "C" __global__ void __launch_bounds__(128) attention_combine(const float* __restrict__ partial,
                                                                    bf16_t* __restrict__ out, int rows, int heads,
                                                                    int head_dim, int splits)
{
    const int lane = threadIdx.x & 31;
    const long long pairs = (long long)rows * heads;
    const long long warps = (long long)gridDim.x * (blockDim.x >> 5);
    for (long long pair = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5); pair < pairs; pair += warps) {
        const int row = (int)(pair / heads);
        const int h = (int)(pair % heads);
        float m = neg_infinity();
        for (int s = 0; s < splits; ++s) {
            m = fmaxf(m, partial[partial_offset(s, rows, row, h, heads, head_dim) + head_dim]);
        }
        const float base = m == neg_infinity() ? 0.0f : m;
        float l = 0.0f;
        for (int s = 0; s < splits; ++s) {
            const float* p = partial + partial_offset(s, rows, row, h, heads, head_dim);
            l += exp2f(p[head_dim] - base) * p[head_dim + 1];
        }
        const float inv_l = l > 0.0f ? 1.0f / l : 0.0f;
        bf16_t* o = out + ((long long)row * heads + h) * head_dim;
        for (int d = lane; d < head_dim; d += 32) {
            float acc = 0.0f;
            for (int s = 0; s < splits; ++s) {
                const float* p = partial + partial_offset(s, rows, row, h, heads, head_dim);
                acc += exp2f(p[head_dim] - base) * p[d];
            }
            o[d] = float_to_bf16(acc * inv_l);
        }
    }
}
