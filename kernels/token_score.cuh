// token_score.cuh — the per-row result of the LM-head epilogue, shared by the kernels that write and read it.
//
// lm_head_epilogue.cu writes one TokenScoreResult per scored row; select_commits.cu ranks a sequence's rows by them on
// the device. Mirrored in C# by Quicksilver.Engine.Compute.Cuda.TokenScoreResult (20 bytes; a unit test checks it).
#pragma once
#include "common.cuh"

struct TokenScoreResult {
    int token;               // chosen token id (-1 when every token is suppressed)
    float probability;       // p(token)
    float log_probability;   // log p(token) = logit - logsumexp
    float margin;            // p(top-1) - p(top-2)
    float negative_entropy;  // sum p log p
};
