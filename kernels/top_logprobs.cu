// top_logprobs.cu — OpenAI's top_logprobs: the most likely tokens of the logit rows whose positions a step committed.
//
// For each listed row r (grid = rows), with logits x[0..V) and the token c the step chose there (log p(c) = lp_c):
//   the `count` best-ranked tokens other than `suppressed` (the mask id; -1 = none), best first, where a token's rank
//   key is the logit's order-preserving bits, then its id inverted (highest logit first, ties to the lower id, as
//   Quicksilver.Engine.Compute.LogitRank), each with log p = min(0, lp_c + (x_token - x_c)) in fp32, so the chosen
//   token lists exactly its own log-probability and no log-sum-exp is recomputed (the clamp catches the rounding of
//   lp_c when a token other than the chosen one holds nearly all the mass).
//
// One sweep of the row: each thread keeps the `count` best keys of its stride, sorted, in local memory. A key at or
// below the thread's cutoff is dropped with one register compare: the cutoff is its own list's last key once full, and
// every 16 elements the warp's largest cutoff (a lane holding `count` keys at least that large, and keys are unique,
// so no key below it can be among the row's best), which keeps the warp's insertions rare. Then `count` rounds merge
// the threads' lists: the block's largest head key is the next alternative, and the one thread holding it (keys carry
// the id) moves to its next. The logit is read back from the key, so the merge touches no global memory. The first version swept the row once per
// alternative; on an H200 that took 1.9 ms for 20 alternatives at 64 rows of 126,464 logits, 17x the epilogue.
//
// Launch: grid = (rows), block = 256 (a multiple of 32, at most 1024); count in [1, QS_TOP_LOGPROBS_MAX], checked on
// the host (TopLogprobsRow.Check). Results: results[r * count + k].
// Structs are mirrored in C# (Quicksilver.Engine.Compute.TopLogprobsRow / TokenLogprob) and checked by unit tests.
// CPU reference: CpuBackend.TopLogprobs (Compute/Cpu/CpuTopTokens.cs).
#include "common.cuh"

struct TopLogprobsRow {
    int logit_row;
    int chosen_token;
    float chosen_logprob;
};

struct TokenLogprob {
    int token;
    float logprob;
};

// TokenLogprob.MaxAlternatives on the host (a unit test reads this line).
#define QS_TOP_LOGPROBS_MAX 20

static_assert(sizeof(TopLogprobsRow) == 12, "TopLogprobsRow must match the C# mirror");
static_assert(sizeof(TokenLogprob) == 8, "TokenLogprob must match the C# mirror");

QS_DEVICE u64 logit_rank_key(float x, int i) { return ((u64)ordered_bits(x) << 32) | (u64)(0xffffffffu - (u32)i); }

QS_DEVICE int token_of_key(u64 key) { return (int)(0xffffffffu - (u32)key); }

// The logit a key was made from (ordered_bits inverted), bit for bit.
QS_DEVICE float logit_of_key(u64 key)
{
    const u32 ordered = (u32)(key >> 32);
    return __uint_as_float((ordered & 0x80000000u) != 0u ? (ordered & 0x7fffffffu) : ~ordered);
}

// The largest key over the warp; every lane gets it.
QS_DEVICE u64 warp_max_u64(u64 v)
{
    for (int offset = 16; offset > 0; offset >>= 1) {
        const u64 o = shfl_xor_u64(v, offset);
        v = o > v ? o : v;
    }
    return v;
}

// The largest key over the block; every thread gets it. `scratch` holds at least 32 keys.
QS_DEVICE u64 block_max_u64(u64 v, u64* scratch)
{
    v = warp_max_u64(v);
    __syncthreads();  // scratch may still be read by the previous pass
    if ((threadIdx.x & 31) == 0) {
        scratch[threadIdx.x >> 5] = v;
    }
    __syncthreads();
    const int warps = (blockDim.x + 31) >> 5;
    u64 best = 0ull;
    for (int w = 0; w < warps; ++w) {
        best = scratch[w] > best ? scratch[w] : best;
    }
    return best;
}

template <typename T>
QS_DEVICE void top_logprobs(const T* __restrict__ logits, int vocab, int suppressed, int count,
                            const TopLogprobsRow* __restrict__ rows, TokenLogprob* __restrict__ results)
{
    __shared__ u64 scratch[32];
    const TopLogprobsRow row = rows[blockIdx.x];
    const T* x = logits + row_offset(row.logit_row, vocab);
    const float chosen = load_float(x, row.chosen_token);

    // This thread's best keys, best first; 0 marks an empty slot (no key is 0: an inverted id is never 0).
    u64 best[QS_TOP_LOGPROBS_MAX];
    for (int k = 0; k < QS_TOP_LOGPROBS_MAX; ++k) {
        best[k] = 0ull;
    }

    // The loop's trip count is the same for every thread, so the warp can meet at its cutoff exchanges.
    u64 cutoff = 0ull;
    for (int base = 0, round = 1; base < vocab; base += blockDim.x, ++round) {
        const int i = base + (int)threadIdx.x;
        if (i < vocab && i != suppressed) {
            const u64 key = logit_rank_key(load_float(x, i), i);
            if (key > cutoff) {
                int j = count - 1;
                while (j > 0 && best[j - 1] < key) {
                    best[j] = best[j - 1];
                    --j;
                }
                best[j] = key;
                cutoff = best[count - 1] > cutoff ? best[count - 1] : cutoff;
            }
        }
        if ((round & 15) == 0) {
            cutoff = warp_max_u64(cutoff);
        }
    }

    int head = 0;
    for (int k = 0; k < count; ++k) {
        const u64 mine = head < count ? best[head] : 0ull;
        const u64 next = block_max_u64(mine, scratch);
        if (mine == next) {
            ++head;
        }
        if (threadIdx.x == 0) {
            TokenLogprob out;
            out.token = token_of_key(next);
            const float logprob = __fadd_rn(row.chosen_logprob, __fsub_rn(logit_of_key(next), chosen));
            out.logprob = logprob > 0.0f ? 0.0f : logprob;
            results[(long long)blockIdx.x * count + k] = out;
        }
    }
}

extern "C" __global__ void top_logprobs_f32(const float* __restrict__ logits, int vocab, int suppressed, int count,
                                            const TopLogprobsRow* __restrict__ rows, TokenLogprob* __restrict__ results)
{
    top_logprobs<float>(logits, vocab, suppressed, count, rows, results);
}

extern "C" __global__ void top_logprobs_bf16(const bf16_t* __restrict__ logits, int vocab, int suppressed, int count,
                                             const TopLogprobsRow* __restrict__ rows, TokenLogprob* __restrict__ results)
{
    top_logprobs<bf16_t>(logits, vocab, suppressed, count, rows, results);
}
