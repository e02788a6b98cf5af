// select_commits.cu — which scored positions each sequence commits this step, chosen on the device.
//
// After the LM-head epilogue (lm_head_epilogue.cu) has written one TokenScoreResult per scored row, this kernel ranks
// each sequence's rows and applies its commit rule, so the host downloads only the commits (row, token, log p) and a
// count per sequence — never the logits, nor every row's scores. For sequence s with args[s] = (first, n, ...), n ≤ 1024:
//   c_i    = the confidence of row i, as a double: p(token) | p(top-1) - p(top-2) | sum p log p (QS_CONFIDENCE_*), or
//            CounterRng.Uniform(random_seed, random_step, position_i) for random remasking (random_seed is the request
//            seed already salted by the host, CommitSelection.RandomRemaskingSalt)
//   rank_i = #{ j : row j goes before row i }: higher confidence first, NaN after every number, ties to the leftmost
//            canvas position, then the lower row (a strict total order, so the ranks are a permutation)
//   sorted[rank_i] = i
//   count  = schedule:  min(scheduled, n)
//            threshold: the first k >= 1 with !(c_sorted[k] >= parameter), else n         (the top row always commits)
//            factor:    the first k >= 1 with !(c_sorted[k] >= 1 - parameter / (k + 2)), else n
//            (0 when n == 0), all in double precision, as CommitCount.Of
//   committed[first + k] = (sorted[k], token, log p) for k < count, rows numbered within the sequence; counts[s] = count
//
// Version 1, rank by counting: every row compares itself with all n rows of its sequence in shared memory (n^2
// comparisons per block, ~1M at n = 1024, broadcast reads): exact, branch-light and deterministic, no sort network.
// Launch: grid = (sequences), block = n rounded up to a multiple of 32 (32 to 1024); rows stride over the threads,
// so any multiple of 32 up to 1024 works. The host checks n ≤ QS_SELECT_MAX_ROWS (CudaBackend.MaxSelectionRows) and
// the offsets before launch. Per-sequence arguments are CommitSelectArgs (48 bytes), results CommittedTokenResult (12
// bytes); both are mirrored in C# (Quicksilver.Engine.Compute.Cuda.CommitSelectArgs / CommittedTokenResult) and checked
// by unit tests.
// Dream's origin remasking is not selected here: its count (the rows whose draw exceeds the step's s/t) may be zero,
// and no rule above computes it; CudaBackend.CanSelect says so, DiffusionTransformer selects such steps on the host,
// and CommitSelectArgs.From refuses them.
// CPU reference: CommitSelection.Select (services/Quicksilver.Engine/Decoding/CommitSelection.cs), behind
// CpuBackend.ScoreAndSelect.
#include "sampling.cuh"
#include "token_score.cuh"

#define QS_SELECT_MAX_ROWS 1024

#define QS_CONFIDENCE_PROBABILITY 0
#define QS_CONFIDENCE_MARGIN 1
#define QS_CONFIDENCE_NEGATIVE_ENTROPY 2
#define QS_CONFIDENCE_RANDOM 3

#define QS_COMMIT_SCHEDULE 0
#define QS_COMMIT_THRESHOLD 1
#define QS_COMMIT_FACTOR 2

struct CommitSelectArgs {
    int first_row;    // the sequence's first row in the scores (and in committed)
    int rows;         // its row count n, 0..QS_SELECT_MAX_ROWS
    int confidence;   // QS_CONFIDENCE_*
    int rule;         // QS_COMMIT_*
    int scheduled;    // the schedule's count for this step (>= 0)
    u32 reserved;     // padding, so parameter is 8-byte aligned as in C#
    double parameter; // threshold or factor
    u64 random_seed;  // request seed ^ CommitSelection.RandomRemaskingSalt
    u64 random_step;  // steps the sequence took before this one
};

struct CommittedTokenResult {
    int row;                // within the sequence
    int token;
    float log_probability;
};

static_assert(sizeof(TokenScoreResult) == 20, "TokenScoreResult must match the C# mirror");
static_assert(sizeof(CommitSelectArgs) == 48, "CommitSelectArgs must match the C# mirror");
static_assert(sizeof(CommittedTokenResult) == 12, "CommittedTokenResult must match the C# mirror");

QS_DEVICE double row_confidence(const TokenScoreResult& r, int kind, int position, u64 seed, u64 step)
{
    switch (kind) {
    case QS_CONFIDENCE_MARGIN:
        return (double)r.margin;
    case QS_CONFIDENCE_NEGATIVE_ENTROPY:
        return (double)r.negative_entropy;
    case QS_CONFIDENCE_RANDOM:
        return rng_uniform(seed, step, (u64)position);
    default:
        return (double)r.probability;
    }
}

QS_DEVICE bool is_nan(double v) { return (__double_as_longlong(v) & 0x7fffffffffffffffll) > 0x7ff0000000000000ll; }

// Whether row a (confidence ca at canvas position pa) is committed before row b.
QS_DEVICE bool goes_before(double ca, int pa, int a, double cb, int pb, int b)
{
    const bool nan_a = is_nan(ca);
    const bool nan_b = is_nan(cb);
    if (nan_a != nan_b) {
        return nan_b;
    }
    if (!nan_a && ca != cb) {
        return ca > cb;
    }
    return pa < pb || (pa == pb && a < b);
}

// The smallest value over the block; every thread gets it. `scratch` holds 32 ints.
QS_DEVICE int block_min_int(int v, int* scratch)
{
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = (blockDim.x + 31) >> 5;
    for (int offset = 16; offset > 0; offset >>= 1) {
        const int o = __shfl_xor_sync(QS_FULL_MASK, v, offset);
        v = o < v ? o : v;
    }
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    v = scratch[0];
    for (int w = 1; w < warps; w++) {
        v = scratch[w] < v ? scratch[w] : v;
    }
    return v;
}

extern "C" __global__ void __launch_bounds__(1024) select_commits(const TokenScoreResult* __restrict__ scores,
                                                                   const int* __restrict__ positions,
                                                                   const CommitSelectArgs* __restrict__ args,
                                                                   CommittedTokenResult* __restrict__ committed,
                                                                   int* __restrict__ counts)
{
    __shared__ double confidence[QS_SELECT_MAX_ROWS];
    __shared__ int position[QS_SELECT_MAX_ROWS];
    __shared__ int sorted[QS_SELECT_MAX_ROWS];
    __shared__ int scratch[32];

    const CommitSelectArgs a = args[blockIdx.x];
    const int n = a.rows;
    const TokenScoreResult* rows = scores + a.first_row;

    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        const int p = positions[a.first_row + i];
        position[i] = p;
        confidence[i] = row_confidence(rows[i], a.confidence, p, a.random_seed, a.random_step);
    }
    __syncthreads();

    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        const double c = confidence[i];
        const int p = position[i];
        int rank = 0;
        for (int j = 0; j < n; j++) {
            rank += goes_before(confidence[j], position[j], j, c, p, i) ? 1 : 0;
        }
        sorted[rank] = i;
    }
    __syncthreads();

    int count;
    if (a.rule == QS_COMMIT_THRESHOLD || a.rule == QS_COMMIT_FACTOR) {
        // The first ranked row (k >= 1) below its bar ends the prefix; the top row always commits.
        int first_below = n;
        for (int k = 1 + threadIdx.x; k < n; k += blockDim.x) {
            const double bar = a.rule == QS_COMMIT_THRESHOLD ? a.parameter
                                                             : __dsub_rn(1.0, __ddiv_rn(a.parameter, (double)(k + 2)));
            if (!(confidence[sorted[k]] >= bar) && k < first_below) {
                first_below = k;
            }
        }
        count = block_min_int(first_below, scratch);
    } else {
        count = a.scheduled < n ? (a.scheduled > 0 ? a.scheduled : 0) : n;
    }

    for (int k = threadIdx.x; k < count; k += blockDim.x) {
        const int i = sorted[k];
        CommittedTokenResult r;
        r.row = i;
        r.token = rows[i].token;
        r.log_probability = rows[i].log_probability;
        committed[a.first_row + k] = r;
    }
    if (threadIdx.x == 0) {
        counts[blockIdx.x] = count;
    }
}
