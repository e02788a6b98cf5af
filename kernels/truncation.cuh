// truncation.cuh — top-p and top-k on the device: which tokens a row's Gumbel draw may pick, and (Dream's convention)
// which tokens the confidences of a row are taken over, greedy rows included (at T = 1).
//
// The reference is Quicksilver.Engine.Compute.TruncatedSampler (Dream's sample_tokens order): the candidates are every
// token but the suppressed one, ranked by logit, highest first, ties to the lower id; top-p keeps the shortest ranked
// prefix whose mass under softmax(logits / T) over the candidates is >= top_p, top-k at most the first top_k of those.
//
// Nothing is sorted. A candidate's rank is a 64-bit key (the logit's order-preserving bits, then its id inverted, so a
// higher key ranks earlier), and the last kept candidate is found by a radix walk down the keys, 4 bits a pass: each
// pass sums, per digit, the count and the mass exp((x - top) / T) (in double, as on the host) of the candidates that
// share the key prefix fixed so far, and descends into the digit at which the running total (mass for top-p, count
// for top-k) first reaches its target. A digit holding a single candidate ends the walk. A row keeps the candidates
// whose key is at least the larger of the two cuts.
//
// Sums run per thread over a fixed stride, then through warp butterflies and over the warps in order, so a row's cut
// is the same on every run. They are not the host's rank-order sums, though: where a ranked prefix's mass lies within
// rounding (about 1e-15 relative) of top_p times the total, the cut may land one token away from the host's. Logits
// with NaN or infinity are not supported (the host keeps one token where the walk keeps them all).
//
// Every thread of the block must call these functions together (they synchronise it); a block has at most 32 warps.
#pragma once
#include "common.cuh"

#define QS_RADIX_BITS 4
#define QS_RADIX_DIGITS 16

struct TruncationScratch {
    double mass[32][QS_RADIX_DIGITS];  // per warp, per digit
    int count[32][QS_RADIX_DIGITS];
    double partial[32];                // per warp
    float best[32];
    u64 found;
};

struct TruncationRow {
    int vocab;
    int suppressed;    // never a candidate (-1 = none)
    int id_bits;       // bits of the largest token id
    float top;         // the best candidate's logit
    double inverse_t;  // 1 / T, as the host computes it
};

QS_DEVICE u64 shift_right(u64 v, int bits) { return bits >= 64 ? 0ull : v >> bits; }

QS_DEVICE u64 rank_key(const TruncationRow& row, float x, int i)
{
    const u64 id_mask = (1ull << row.id_bits) - 1ull;
    return ((u64)ordered_bits(x) << row.id_bits) | (id_mask - (u64)i);
}

// exp((x - top) / T) as TruncatedSampler computes it: the difference in fp32, then the product and exp in double.
QS_DEVICE double candidate_weight(const TruncationRow& row, float x)
{
    return exp(__dmul_rn((double)__fsub_rn(x, row.top), row.inverse_t));
}

QS_DEVICE double warp_sum_double(double v)
{
    for (int offset = 16; offset > 0; offset >>= 1) {
        v = __dadd_rn(v, shfl_xor_double(v, offset));
    }
    return v;
}

QS_DEVICE int warp_sum_int(int v)
{
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(QS_FULL_MASK, v, offset);
    }
    return v;
}

// The sum over the block, the warps' sums added in warp order; every thread gets the same value.
QS_DEVICE double block_sum_double(double v, TruncationScratch& sh)
{
    const int warps = (blockDim.x + 31) >> 5;
    v = warp_sum_double(v);
    if ((threadIdx.x & 31) == 0) {
        sh.partial[threadIdx.x >> 5] = v;
    }
    __syncthreads();
    double total = 0.0;
    for (int w = 0; w < warps; ++w) {
        total = __dadd_rn(total, sh.partial[w]);
    }
    __syncthreads();
    return total;
}

QS_DEVICE int bits_for(int largest)
{
    int bits = 1;
    while (bits < 31 && (1 << bits) <= largest) {
        ++bits;
    }
    return bits;
}

template <typename T>
QS_DEVICE TruncationRow truncation_row(const T* __restrict__ x, int vocab, int suppressed, float temperature,
                                       TruncationScratch& sh)
{
    float best = neg_infinity();
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        best = i == suppressed ? best : fmaxf(best, load_float(x, i));
    }
    best = warp_max(best);
    if ((threadIdx.x & 31) == 0) {
        sh.best[threadIdx.x >> 5] = best;
    }
    __syncthreads();
    TruncationRow row;
    row.vocab = vocab;
    row.suppressed = suppressed;
    row.id_bits = bits_for(vocab - 1);
    row.inverse_t = 1.0 / (double)temperature;
    row.top = neg_infinity();
    for (int w = 0; w < (int)((blockDim.x + 31) >> 5); ++w) {
        row.top = fmaxf(row.top, sh.best[w]);
    }
    __syncthreads();
    return row;
}

template <typename T>
QS_DEVICE double candidate_mass(const T* __restrict__ x, const TruncationRow& row, TruncationScratch& sh)
{
    double mass = 0.0;
    for (int i = threadIdx.x; i < row.vocab; i += blockDim.x) {
        mass = i == row.suppressed ? mass : __dadd_rn(mass, candidate_weight(row, load_float(x, i)));
    }
    return block_sum_double(mass, sh);
}

// The key of the candidate at which the ranked running total (mass when by_mass, else count) first reaches `target`;
// false when it never does, and every candidate is kept.
template <typename T>
QS_DEVICE bool last_kept_key(const T* __restrict__ x, const TruncationRow& row, bool by_mass, double target,
                             TruncationScratch& sh, u64& cut)
{
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = (blockDim.x + 31) >> 5;
    const int passes = (32 + row.id_bits + QS_RADIX_BITS - 1) / QS_RADIX_BITS;
    u64 prefix = 0ull;
    double above = 0.0;  // the total of the candidates ranked before the prefix
    for (int pass = 0; pass < passes; ++pass) {
        const int shift = QS_RADIX_BITS * (passes - 1 - pass);
        double mass[QS_RADIX_DIGITS];
        int count[QS_RADIX_DIGITS];
#pragma unroll
        for (int d = 0; d < QS_RADIX_DIGITS; ++d) {
            mass[d] = 0.0;
            count[d] = 0;
        }
        for (int i = threadIdx.x; i < row.vocab; i += blockDim.x) {
            const float v = load_float(x, i);
            const u64 key = rank_key(row, v, i);
            if (i == row.suppressed || shift_right(key, shift + QS_RADIX_BITS) != shift_right(prefix, shift + QS_RADIX_BITS)) {
                continue;
            }
            const int digit = (int)((key >> shift) & (QS_RADIX_DIGITS - 1));
            const double w = by_mass ? candidate_weight(row, v) : 0.0;
#pragma unroll
            for (int d = 0; d < QS_RADIX_DIGITS; ++d) {
                mass[d] = d == digit ? __dadd_rn(mass[d], w) : mass[d];
                count[d] += d == digit ? 1 : 0;
            }
        }
#pragma unroll
        for (int d = 0; d < QS_RADIX_DIGITS; ++d) {
            count[d] = warp_sum_int(count[d]);
            mass[d] = by_mass ? warp_sum_double(mass[d]) : 0.0;
        }
        if (lane == 0) {
#pragma unroll
            for (int d = 0; d < QS_RADIX_DIGITS; ++d) {
                sh.mass[warp][d] = mass[d];
                sh.count[warp][d] = count[d];
            }
        }
        __syncthreads();
        double digit_mass[QS_RADIX_DIGITS];
        int digit_count[QS_RADIX_DIGITS];
        int lowest = QS_RADIX_DIGITS;
#pragma unroll
        for (int d = 0; d < QS_RADIX_DIGITS; ++d) {
            digit_mass[d] = 0.0;
            digit_count[d] = 0;
            for (int w = 0; w < warps; ++w) {
                digit_mass[d] = __dadd_rn(digit_mass[d], sh.mass[w][d]);
                digit_count[d] += sh.count[w][d];
            }
            lowest = digit_count[d] > 0 && lowest == QS_RADIX_DIGITS ? d : lowest;
        }
        // Past the first pass the prefix's digit reached the target, so one of its sub-digits does: when re-added sums
        // round just short, the lowest non-empty one is taken.
        int chosen = -1, chosen_count = 0;
#pragma unroll
        for (int d = QS_RADIX_DIGITS - 1; d >= 0; --d) {
            if (chosen >= 0 || digit_count[d] == 0) {
                continue;
            }
            const double reached = __dadd_rn(above, by_mass ? digit_mass[d] : (double)digit_count[d]);
            if (reached >= target || (pass > 0 && d == lowest)) {
                chosen = d;
                chosen_count = digit_count[d];
            } else {
                above = reached;
            }
        }
        __syncthreads();  // the scratch is written again by the next pass
        if (chosen < 0) {
            return false;
        }
        prefix |= (u64)chosen << shift;
        if (chosen_count == 1 && shift > 0) {
            for (int i = threadIdx.x; i < row.vocab; i += blockDim.x) {
                const u64 key = rank_key(row, load_float(x, i), i);
                if (i != row.suppressed && shift_right(key, shift) == shift_right(prefix, shift)) {
                    sh.found = key;
                }
            }
            __syncthreads();
            cut = sh.found;
            __syncthreads();
            return true;
        }
    }
    cut = prefix;
    return true;
}

// The lowest rank key the row's draw may pick (0 keeps every candidate): the later of the top-p and top-k cuts.
template <typename T>
QS_DEVICE u64 lowest_kept_key(const T* __restrict__ x, const TruncationRow& row, double top_p, int top_k,
                              TruncationScratch& sh)
{
    u64 lowest = 0ull, cut = 0ull;
    if (top_p < 1.0 && last_kept_key(x, row, true, __dmul_rn(top_p, candidate_mass(x, row, sh)), sh, cut)) {
        lowest = cut;
    }
    if (top_k > 0 && last_kept_key(x, row, false, (double)top_k, sh, cut) && cut > lowest) {
        lowest = cut;
    }
    return lowest;
}
