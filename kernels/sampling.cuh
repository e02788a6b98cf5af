// sampling.cuh — the counter-based random source shared with the host.
//
// A bit-exact port of Quicksilver.Engine.Compute.CounterRng: every draw is a pure function of
// (seed, counter, index), built from SplitMix64's finaliser, so a seeded request samples the same tokens on the
// CPU and CUDA backends and in any batch. Keep the constants and the order of operations identical to CounterRng.cs.
#pragma once
#include "common.cuh"

#define QS_RNG_GOLDEN 0x9E3779B97F4A7C15ull

QS_DEVICE u64 rng_mix(u64 z)
{
    z += QS_RNG_GOLDEN;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// CounterRng.Hash(seed, counter, index).
QS_DEVICE u64 rng_hash(u64 seed, u64 counter, u64 index)
{
    u64 x = rng_mix(seed + QS_RNG_GOLDEN);
    x = rng_mix(x ^ (counter * 0xD1B54A32D192ED03ull));
    return rng_mix(x ^ (index * 0xABC98388FB8FAC03ull));
}

// CounterRng.Uniform: a double on the open interval (0, 1) with 53 random bits. Every step is exact.
QS_DEVICE double rng_uniform(u64 seed, u64 counter, u64 index)
{
    return ((double)(rng_hash(seed, counter, index) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

// CounterRng.Gumbel: -log(-log u) in double precision.
QS_DEVICE double rng_gumbel(u64 seed, u64 counter, u64 index)
{
    return -log(-log(rng_uniform(seed, counter, index)));
}

// A float on [-1, 1) from the top 24 bits of the hash (weight initialisation; exact in fp32).
QS_DEVICE float rng_symmetric_float(u64 seed, u64 index)
{
    const u64 h = rng_hash(seed, 0ull, index);
    return (float)(long long)(h >> 40) * (1.0f / 8388608.0f) - 1.0f;
}
