// lm_head_epilogue.cu — the fused LM-head epilogue: one pass over each row of logits (a few more under top-p/top-k),
// no probabilities written.
//
// For row r with logits x[0..V), temperature T = params[r].temperature and the CounterRng (seed, counter):
//   M = max x,  Z = sum exp(x - M),  logsumexp = M + log Z
//   top-1 / top-2 of the un-noised logits (ties: lower index), excluding `suppressed` (the mask id; -1 = none)
//   token = top-1 when T == 0, else argmax_i (double)x_i + T * g_i with g_i = -log(-log u_i),
//           u_i = CounterRng.Uniform(seed, counter, i) in double precision (same ties rule, `suppressed` excluded),
//           over the tokens top-p / top-k keep when the row truncates (T > 0 and top_p < 1 or top_k > 0;
//           truncation.cuh finds them first)
//   log p(token) = x_token - M - log Z,   p(token) = exp(log p)
//   margin = p(top-1) - p(top-2),   negative entropy = sum p log p = A / Z - log Z with A = sum exp(x - M)(x - M)
// The suppressed token still counts in M, Z and A. Each thread keeps an online (max, Z, A) state — rescaled when
// its running max grows — plus its top-2 and Gumbel winner; states merge by warp shuffles, then across warps.
// The sum p log p merge: A' = c (A + (m - M') Z) with c = exp(m - M').
//
// The confidences are those of the untruncated softmax whatever the sampling (TokenScore's convention), except in a
// row with draw_confidences (Dream's convention, RowSampling.ScoresTheDrawDistribution): there p(token), the margin
// and sum p log p are taken under the distribution the token is drawn from, with weights w_i = exp((x_i - top) / T')
// (T' = T, or 1 when greedy) summed in double over the candidates top-p / top-k keep (every candidate without them):
//   p(token) = w_token / W,  margin = (1 - w_top2) / W (w_top2 = 0 when top2 is not kept),  sum p log p = B / W - log W
// with W = sum w_i, B = sum w_i y_i, y_i = (x_i - top) / T'. log p(token) stays the plain softmax's.
//
// Launch: grid = (rows), block = 512 (a multiple of 32, at most 512), one block per row.
// Row parameters are RowSamplingArgs (40 bytes), results are TokenScoreResult (20 bytes, token_score.cuh; read on the
// device by select_commits.cu); both are mirrored in C# (Quicksilver.Engine.Compute.Cuda.RowSamplingArgs /
// TokenScoreResult) and checked by unit tests.
// CPU reference: CpuBackend.ScoreLogits (Compute/Cpu/CpuLogitScorer.cs).
#include "sampling.cuh"
#include "token_score.cuh"
#include "truncation.cuh"

struct RowSamplingArgs {
    float temperature;
    int top_k;      // the most tokens the draw keeps; 0 = every token
    u64 seed;
    u64 counter;
    double top_p;   // the nucleus mass the draw keeps, in (0, 1]; 1 = every token
    int draw_confidences;  // 1: confidences under the draw distribution (Dream's); 0: under softmax(x) (LLaDA's)
};

static_assert(sizeof(RowSamplingArgs) == 40, "RowSamplingArgs must match the C# mirror");
static_assert(sizeof(TokenScoreResult) == 20, "TokenScoreResult must match the C# mirror");

#define QS_NO_INDEX 0x7fffffff

struct ScoreState {
    float m;    // running max (-inf when empty)
    float z;    // sum exp(x - m)
    float a;    // sum exp(x - m) (x - m)
    float v1;   // top-1 value
    int i1;     // top-1 index
    float v2;   // top-2 value
    int i2;     // top-2 index
    double gv;  // Gumbel-max key
    int gi;     // its index
    float gx;   // its raw logit
};

QS_DEVICE bool better(float v, int i, float w, int j) { return v > w || (v == w && i < j); }
QS_DEVICE bool better_d(double v, int i, double w, int j) { return v > w || (v == w && i < j); }

QS_DEVICE void state_init(ScoreState& s)
{
    s.m = neg_infinity();
    s.z = 0.0f;
    s.a = 0.0f;
    s.v1 = neg_infinity();
    s.i1 = QS_NO_INDEX;
    s.v2 = neg_infinity();
    s.i2 = QS_NO_INDEX;
    s.gv = __longlong_as_double((long long)0xfff0000000000000ull);
    s.gi = QS_NO_INDEX;
    s.gx = neg_infinity();
}

// `drawable`: whether the token takes part in the Gumbel draw (T > 0 and kept by top-p/top-k).
QS_DEVICE void state_add(ScoreState& s, float x, int i, int suppressed, bool drawable, double t, u64 seed, u64 counter)
{
    // softmax statistics (every token counts)
    if (x > s.m) {
        const float c = s.z > 0.0f ? expf(s.m - x) : 0.0f;
        s.a = s.z > 0.0f ? c * (s.a + (s.m - x) * s.z) : 0.0f;
        s.z = s.z * c + 1.0f;
        s.m = x;
    } else if (x > neg_infinity()) {
        const float d = x - s.m;
        const float e = expf(d);
        s.z += e;
        s.a += e * d;
    }
    if (i == suppressed) {
        return;
    }
    if (better(x, i, s.v1, s.i1)) {
        s.v2 = s.v1;
        s.i2 = s.i1;
        s.v1 = x;
        s.i1 = i;
    } else if (better(x, i, s.v2, s.i2)) {
        s.v2 = x;
        s.i2 = i;
    }
    if (drawable) {
        const double key = __dadd_rn((double)x, __dmul_rn(t, rng_gumbel(seed, counter, (u64)i)));
        if (better_d(key, i, s.gv, s.gi)) {
            s.gv = key;
            s.gi = i;
            s.gx = x;
        }
    }
}

QS_DEVICE void state_merge(ScoreState& s, const ScoreState& o)
{
    // (m, z, a)
    if (o.z > 0.0f) {
        if (s.z <= 0.0f) {
            s.m = o.m;
            s.z = o.z;
            s.a = o.a;
        } else {
            const float m = fmaxf(s.m, o.m);
            const float cs = expf(s.m - m);
            const float co = expf(o.m - m);
            s.a = cs * (s.a + (s.m - m) * s.z) + co * (o.a + (o.m - m) * o.z);
            s.z = s.z * cs + o.z * co;
            s.m = m;
        }
    }
    // top-2: the merged top-2 is the better of the loser's top-1 and the winner's top-2
    if (better(o.v1, o.i1, s.v1, s.i1)) {
        float lv = s.v1;
        int li = s.i1;
        float wv2 = o.v2;
        int wi2 = o.i2;
        s.v1 = o.v1;
        s.i1 = o.i1;
        if (better(lv, li, wv2, wi2)) {
            s.v2 = lv;
            s.i2 = li;
        } else {
            s.v2 = wv2;
            s.i2 = wi2;
        }
    } else if (better(o.v1, o.i1, s.v2, s.i2)) {
        s.v2 = o.v1;
        s.i2 = o.i1;
    }
    if (better_d(o.gv, o.gi, s.gv, s.gi)) {
        s.gv = o.gv;
        s.gi = o.gi;
        s.gx = o.gx;
    }
}

QS_DEVICE ScoreState state_shfl_xor(const ScoreState& s, int offset)
{
    ScoreState o;
    o.m = __shfl_xor_sync(QS_FULL_MASK, s.m, offset);
    o.z = __shfl_xor_sync(QS_FULL_MASK, s.z, offset);
    o.a = __shfl_xor_sync(QS_FULL_MASK, s.a, offset);
    o.v1 = __shfl_xor_sync(QS_FULL_MASK, s.v1, offset);
    o.i1 = __shfl_xor_sync(QS_FULL_MASK, s.i1, offset);
    o.v2 = __shfl_xor_sync(QS_FULL_MASK, s.v2, offset);
    o.i2 = __shfl_xor_sync(QS_FULL_MASK, s.i2, offset);
    o.gv = shfl_xor_double(s.gv, offset);
    o.gi = __shfl_xor_sync(QS_FULL_MASK, s.gi, offset);
    o.gx = __shfl_xor_sync(QS_FULL_MASK, s.gx, offset);
    return o;
}

template <typename T>
QS_DEVICE void score_row(const T* __restrict__ logits, int vocab, const RowSamplingArgs* __restrict__ params,
                         int suppressed, TokenScoreResult* __restrict__ results)
{
    __shared__ ScoreState warp_states[32];
    __shared__ TruncationScratch truncation;
    const int row = blockIdx.x;
    const T* x = logits + row_offset(row, vocab);
    const RowSamplingArgs p = params[row];
    const bool sample = p.temperature > 0.0f;
    const double t = (double)p.temperature;
    const bool cuts = p.top_k > 0 || p.top_p < 1.0;
    const bool draw_confidences = p.draw_confidences != 0;
    // With draw confidences top-p / top-k apply when greedy too (Dream's sample_tokens); the draw is then the arg-max,
    // which they always keep.
    const bool truncates = (sample || draw_confidences) && cuts;
    TruncationRow kept = {};
    u64 lowest_kept = 0ull;
    if (truncates || draw_confidences) {
        kept = truncation_row(x, vocab, suppressed, sample ? p.temperature : 1.0f, truncation);
    }
    if (truncates) {
        lowest_kept = lowest_kept_key(x, kept, p.top_p, p.top_k, truncation);
    }
    double draw_w = 0.0, draw_b = 0.0;
    if (draw_confidences) {
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
            const float v = load_float(x, i);
            if (i != suppressed && rank_key(kept, v, i) >= lowest_kept) {
                const double y = __dmul_rn((double)__fsub_rn(v, kept.top), kept.inverse_t);
                const double w = exp(y);
                if (w > 0.0) {  // a logit of -inf weighs nothing (and 0 * -inf would be NaN)
                    draw_w = __dadd_rn(draw_w, w);
                    draw_b = __dadd_rn(draw_b, __dmul_rn(w, y));
                }
            }
        }
        draw_w = block_sum_double(draw_w, truncation);
        draw_b = block_sum_double(draw_b, truncation);
    }

    ScoreState s;
    state_init(s);
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        const float v = load_float(x, i);
        const bool drawable = sample && (!truncates || rank_key(kept, v, i) >= lowest_kept);
        state_add(s, v, i, suppressed, drawable, t, p.seed, p.counter);
    }

    for (int offset = 16; offset > 0; offset >>= 1) {
        const ScoreState o = state_shfl_xor(s, offset);
        state_merge(s, o);
    }
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = (blockDim.x + 31) >> 5;
    if (lane == 0) {
        warp_states[warp] = s;
    }
    __syncthreads();
    if (warp != 0) {
        return;
    }
    if (lane < warps) {
        s = warp_states[lane];
    } else {
        state_init(s);
    }
    for (int offset = 16; offset > 0; offset >>= 1) {
        const ScoreState o = state_shfl_xor(s, offset);
        state_merge(s, o);
    }
    if (lane != 0) {
        return;
    }

    const float log_z = logf(s.z);
    TokenScoreResult r;
    const int token = sample ? s.gi : s.i1;
    const float chosen = sample ? s.gx : s.v1;
    if (token == QS_NO_INDEX) {
        r.token = -1;
        r.probability = 0.0f;
        r.log_probability = neg_infinity();
    } else {
        r.token = token;
        r.log_probability = (chosen - s.m) - log_z;
        r.probability = expf(r.log_probability);
    }
    if (draw_confidences && draw_w > 0.0) {
        const bool second_kept = s.i2 != QS_NO_INDEX && rank_key(kept, s.v2, s.i2) >= lowest_kept;
        const double first = s.i1 == QS_NO_INDEX ? 0.0 : candidate_weight(kept, s.v1);
        const double second = second_kept ? candidate_weight(kept, s.v2) : 0.0;
        r.probability = token == QS_NO_INDEX ? 0.0f : (float)(candidate_weight(kept, chosen) / draw_w);
        r.margin = (float)((first - second) / draw_w);
        r.negative_entropy = (float)(draw_b / draw_w - log(draw_w));
    } else {
        const float p1 = s.i1 == QS_NO_INDEX ? 0.0f : expf((s.v1 - s.m) - log_z);
        const float p2 = s.i2 == QS_NO_INDEX ? 0.0f : expf((s.v2 - s.m) - log_z);
        r.margin = p1 - p2;
        r.negative_entropy = s.a / s.z - log_z;
    }
    results[row] = r;
}

extern "C" __global__ void __launch_bounds__(512) score_logits_f32(const float* __restrict__ logits, int vocab,
                                                                     const RowSamplingArgs* __restrict__ params,
                                                                     int suppressed,
                                                                     TokenScoreResult* __restrict__ results)
{
    score_row<float>(logits, vocab, params, suppressed, results);
}

extern "C" __global__ void __launch_bounds__(512) score_logits_bf16(const bf16_t* __restrict__ logits, int vocab,
                                                                      const RowSamplingArgs* __restrict__ params,
                                                                      int suppressed,
                                                                      TokenScoreResult* __restrict__ results)
{
    score_row<bf16_t>(logits, vocab, params, suppressed, results);
}
