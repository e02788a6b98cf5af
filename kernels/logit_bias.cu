// logit_bias.cu — OpenAI's logit_bias: each sequence's token biases added, in place, to every logit row it scores.
//
//   add_logit_bias_f32:   x[r, token] += bias                       (fp32 logits)
//   add_logit_bias_bf16:  x[r, token] = bf16(float(x[r, token]) + bias)
// for r in [first_row, first_row + row_count) and each (token, bias) of [first_bias, first_bias + bias_count).
//
// Launch: grid = (spans), block = 256; one thread per (row, bias) pair of a span. A span names each token once and
// spans share no row (checked on the host: LogitBiasRows.Check), so no two threads write one logit.
// Structs are mirrored in C# (Quicksilver.Engine.Compute.LogitBiasRows / TokenBias) and checked by unit tests.
// CPU reference: CpuBackend.AddLogitBias.
#include "common.cuh"

struct LogitBiasRows {
    int first_row;
    int row_count;
    int first_bias;
    int bias_count;
};

struct TokenBias {
    int token;
    float bias;
};

static_assert(sizeof(LogitBiasRows) == 16, "LogitBiasRows must match the C# mirror");
static_assert(sizeof(TokenBias) == 8, "TokenBias must match the C# mirror");

QS_DEVICE void add_bias(float* x, float bias) { *x = __fadd_rn(*x, bias); }
QS_DEVICE void add_bias(bf16_t* x, float bias) { *x = float_to_bf16(__fadd_rn(bf16_to_float(*x), bias)); }

template <typename T>
QS_DEVICE void add_logit_bias(T* __restrict__ logits, int vocab, const LogitBiasRows* __restrict__ spans,
                              const TokenBias* __restrict__ biases)
{
    const LogitBiasRows span = spans[blockIdx.x];
    const long long pairs = (long long)span.row_count * span.bias_count;
    for (long long k = threadIdx.x; k < pairs; k += blockDim.x) {
        const int row = span.first_row + (int)(k / span.bias_count);
        const TokenBias b = biases[span.first_bias + (int)(k % span.bias_count)];
        add_bias(logits + row_offset(row, vocab) + b.token, b.bias);
    }
}

extern "C" __global__ void add_logit_bias_f32(float* __restrict__ logits, int vocab, const LogitBiasRows* __restrict__ spans,
                                              const TokenBias* __restrict__ biases)
{
    add_logit_bias<float>(logits, vocab, spans, biases);
}

extern "C" __global__ void add_logit_bias_bf16(bf16_t* __restrict__ logits, int vocab, const LogitBiasRows* __restrict__ spans,
                                               const TokenBias* __restrict__ biases)
{
    add_logit_bias<bf16_t>(logits, vocab, spans, biases);
}
