// gather.cu — row gathers: the token embedding lookup and GatherRows.
//
//   embed_bf16:        out[i, :] = table[tokens[i], :]       (bf16 table, bf16 activations)
//   gather_rows_bf16:  out[i, :] = in[rows[i], :]            (bf16 activations)
//   gather_rows_f32:   out[i, :] = in[rows[i], :]            (fp32 buffers, e.g. logits)
//
// Launch: grid = (row count), block = 128 threads; each block copies one row with 16-byte vectors when the
// row is 16-byte aligned (columns % 8 == 0 for bf16, % 4 for fp32), element by element otherwise.
// Indices are validated on the host before launch.
// CPU reference: CpuBackend.Embed and CpuBackend.GatherRows.
#include "common.cuh"

QS_DEVICE void copy_row_bytes(const unsigned char* __restrict__ src, unsigned char* __restrict__ dst, long long bytes)
{
    if ((bytes & 15) == 0) {
        const u32x4* s = reinterpret_cast<const u32x4*>(src);
        u32x4* d = reinterpret_cast<u32x4*>(dst);
        const long long n = bytes >> 4;
        for (long long i = threadIdx.x; i < n; i += blockDim.x) {
            d[i] = s[i];
        }
    } else {
        const unsigned short* s = reinterpret_cast<const unsigned short*>(src);
        unsigned short* d = reinterpret_cast<unsigned short*>(dst);
        const long long n = bytes >> 1;
        for (long long i = threadIdx.x; i < n; i += blockDim.x) {
            d[i] = s[i];
        }
    }
}

extern "C" __global__ void embed_bf16(const bf16_t* __restrict__ table, const int* __restrict__ tokens,
                                      bf16_t* __restrict__ out, int columns)
{
    const int row = blockIdx.x;
    const long long bytes = (long long)columns * 2;
    copy_row_bytes(reinterpret_cast<const unsigned char*>(table + row_offset(tokens[row], columns)),
                   reinterpret_cast<unsigned char*>(out + row_offset(row, columns)), bytes);
}

extern "C" __global__ void gather_rows_bf16(const bf16_t* __restrict__ in, const int* __restrict__ rows,
                                            bf16_t* __restrict__ out, int columns)
{
    const int row = blockIdx.x;
    const long long bytes = (long long)columns * 2;
    copy_row_bytes(reinterpret_cast<const unsigned char*>(in + row_offset(rows[row], columns)),
                   reinterpret_cast<unsigned char*>(out + row_offset(row, columns)), bytes);
}

extern "C" __global__ void gather_rows_f32(const float* __restrict__ in, const int* __restrict__ rows,
                                           float* __restrict__ out, int columns)
{
    const int row = blockIdx.x;
    const long long bytes = (long long)columns * 4;
    copy_row_bytes(reinterpret_cast<const unsigned char*>(in + row_offset(rows[row], columns)),
                   reinterpret_cast<unsigned char*>(out + row_offset(row, columns)), bytes);
}
