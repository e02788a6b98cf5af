// kv_cache.cu — stores a step's post-RoPE key and value rows in the sequences' K/V caches (Fast-dLLM block caching).
//
//   kv_cache_write_bf16: for each written row w (one block per row), at `layer`:
//     cache key slot of w   = k[rows[w].source_row, :]
//     cache value slot of w = v[rows[w].source_row, :]
//
// A cache holds [layer][keys | values][position][Hkv * D] bf16 (attention.cu reads it through AttentionKeys). A row's
// KvCacheRowWrite addresses its key and value slots at layer 0; layer_stride (elements) moves both to `layer`, so
// the table is the same for every layer of a step and the host uploads it once. k/v are the step's packed key and
// value buffers, rows of `width` = Hkv * D elements.
// Launch: grid = (rows written), block = 128 threads. CPU reference: CpuBackend.WriteKvCache.
#include "common.cuh"

// Mirrored in C# by KvCacheRowWriteArgs.
struct KvCacheRowWrite {
    u64 k;                   // device address of the row's key slot at layer 0
    u64 v;                   // device address of the row's value slot at layer 0
    long long layer_stride;  // elements from one layer's slots to the next
    int source_row;          // row of the packed k/v buffers
    int reserved;
};
static_assert(sizeof(KvCacheRowWrite) == 32, "KvCacheRowWrite must match the C# mirror");

extern "C" __global__ void kv_cache_write_bf16(const bf16_t* __restrict__ k, const bf16_t* __restrict__ v,
                                               const KvCacheRowWrite* __restrict__ rows, int layer, int width)
{
    const KvCacheRowWrite row = rows[blockIdx.x];
    const long long offset = (long long)layer * row.layer_stride;
    const bf16_t* k_src = k + row_offset(row.source_row, width);
    const bf16_t* v_src = v + row_offset(row.source_row, width);
    bf16_t* k_dst = reinterpret_cast<bf16_t*>(row.k) + offset;
    bf16_t* v_dst = reinterpret_cast<bf16_t*>(row.v) + offset;
    for (int i = threadIdx.x; i < width; i += blockDim.x) {
        k_dst[i] = k_src[i];
        v_dst[i] = v_src[i];
    }
}
