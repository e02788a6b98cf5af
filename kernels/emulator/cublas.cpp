// cublas.cpp — the cuBLAS entry points CublasApi.cs binds, for the CPU emulator: column-major GEMMs on host memory
// (device pointers are host addresses), fp32 accumulation, bf16/fp16/fp32 operands, alpha and beta on the host.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

enum CublasStatus { CUBLAS_STATUS_SUCCESS = 0, CUBLAS_STATUS_INVALID_VALUE = 7, CUBLAS_STATUS_NOT_SUPPORTED = 15 };
enum DataType { CUDA_R_32F = 0, CUDA_R_16F = 2, CUDA_R_16BF = 14 };
enum Operation { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1, CUBLAS_OP_C = 2 };
constexpr int CUBLAS_COMPUTE_32F = 68;
constexpr int CUBLAS_COMPUTE_32F_FAST_TF32 = 77;

struct Handle {
    int math_mode;
};

float HalfToFloat(uint16_t h)
{
    const uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    int exponent = (h >> 10) & 0x1f;
    uint32_t mantissa = h & 0x3ff;
    uint32_t bits;
    if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {
            exponent = 1;
            while ((mantissa & 0x400) == 0) {
                mantissa <<= 1;
                --exponent;
            }
            bits = sign | (uint32_t)(exponent + 112) << 23 | ((mantissa & 0x3ff) << 13);
        }
    } else {
        bits = sign | (uint32_t)(exponent + 112) << 23 | (mantissa << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

float Load(const void* base, DataType type, int64_t index)
{
    switch (type) {
        case CUDA_R_32F: return static_cast<const float*>(base)[index];
        case CUDA_R_16BF: {
            uint32_t bits = (uint32_t)static_cast<const uint16_t*>(base)[index] << 16;
            float f;
            std::memcpy(&f, &bits, 4);
            return f;
        }
        default: return HalfToFloat(static_cast<const uint16_t*>(base)[index]);
    }
}

// Round to nearest even, as BFloat16.FromSingle and the kernels' float_to_bf16.
uint16_t ToBf16(float f)
{
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    if ((bits & 0x7fffffffu) > 0x7f800000u) {
        return (uint16_t)((bits >> 16) | 0x40u);
    }
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

bool Supported(int type) { return type == CUDA_R_32F || type == CUDA_R_16BF; }

// C = alpha op(A) op(B) + beta C for one matrix of the batch; op(A) is m x k, op(B) k x n, all column-major.
// op(B) is converted to fp32 once; op(A) a slab of rows at a time (about 1 MiB of fp32), so a vocabulary-wide
// LM head does not need a full fp32 copy of its weight. Each output is one fp32 dot product in order of k.
void Gemm(int transa, int transb, int m, int n, int k, float alpha, const void* a, DataType a_type, int lda, const void* b,
          DataType b_type, int ldb, float beta, void* c, DataType c_type, int ldc)
{
    std::vector<float> b_columns((size_t)n * k);
    for (int j = 0; j < n; ++j) {
        for (int l = 0; l < k; ++l) {
            b_columns[(size_t)j * k + l] = Load(b, b_type, transb == CUBLAS_OP_N ? l + (int64_t)j * ldb : j + (int64_t)l * ldb);
        }
    }
    const int slab = (int)std::max<int64_t>(1, std::min<int64_t>(m, ((int64_t)1 << 18) / std::max(k, 1)));
    std::vector<float> a_rows((size_t)std::min(slab, m) * k);
    for (int first = 0; first < m; first += slab) {
        const int rows = std::min(slab, m - first);
        for (int r = 0; r < rows; ++r) {
            const int i = first + r;
            for (int l = 0; l < k; ++l) {
                a_rows[(size_t)r * k + l] = Load(a, a_type, transa == CUBLAS_OP_N ? i + (int64_t)l * lda : l + (int64_t)i * lda);
            }
        }
        for (int j = 0; j < n; ++j) {
            const float* column = &b_columns[(size_t)j * k];
            for (int r = 0; r < rows; ++r) {
                const float* row = &a_rows[(size_t)r * k];
                float sum = 0;
                for (int l = 0; l < k; ++l) {
                    sum += row[l] * column[l];
                }
                const int64_t at = first + r + (int64_t)j * ldc;
                float value = alpha * sum + (beta != 0 ? beta * Load(c, c_type, at) : 0.0f);
                if (c_type == CUDA_R_32F) {
                    static_cast<float*>(c)[at] = value;
                } else {
                    static_cast<uint16_t*>(c)[at] = ToBf16(value);
                }
            }
        }
    }
}

size_t ElementBytes(int type) { return type == CUDA_R_32F ? 4 : 2; }

// What both GEMM entry points refuse: types and transposes the emulator does not implement, negative sizes.
int CheckGemm(int transa, int transb, int m, int n, int k, int a_type, int b_type, int c_type, int batch, int compute_type)
{
    if (!Supported(a_type) || !Supported(b_type) || !Supported(c_type) ||
        (compute_type != CUBLAS_COMPUTE_32F && compute_type != CUBLAS_COMPUTE_32F_FAST_TF32) || transa == CUBLAS_OP_C ||
        transb == CUBLAS_OP_C) {
        return CUBLAS_STATUS_NOT_SUPPORTED;
    }
    return m < 0 || n < 0 || k < 0 || batch < 0 ? CUBLAS_STATUS_INVALID_VALUE : CUBLAS_STATUS_SUCCESS;
}

}  // namespace

#define QS_EXPORT extern "C" __attribute__((visibility("default")))

QS_EXPORT int cublasCreate_v2(Handle** handle) { *handle = new Handle{0}; return CUBLAS_STATUS_SUCCESS; }
QS_EXPORT int cublasDestroy_v2(Handle* handle) { delete handle; return CUBLAS_STATUS_SUCCESS; }
QS_EXPORT int cublasGetVersion_v2(Handle*, int* version) { *version = 130000; return CUBLAS_STATUS_SUCCESS; }
QS_EXPORT int cublasSetStream_v2(Handle*, void*) { return CUBLAS_STATUS_SUCCESS; }
QS_EXPORT int cublasSetMathMode(Handle* handle, int mode) { handle->math_mode = mode; return CUBLAS_STATUS_SUCCESS; }

QS_EXPORT int cublasGemmStridedBatchedEx(Handle*, int transa, int transb, int m, int n, int k, const void* alpha, unsigned long long a,
                                         int a_type, int lda, long long stride_a, unsigned long long b, int b_type, int ldb,
                                         long long stride_b, const void* beta, unsigned long long c, int c_type, int ldc,
                                         long long stride_c, int batch, int compute_type, int)
{
    const int status = CheckGemm(transa, transb, m, n, k, a_type, b_type, c_type, batch, compute_type);
    if (status != CUBLAS_STATUS_SUCCESS) {
        return status;
    }
    const float alpha_value = *static_cast<const float*>(alpha), beta_value = *static_cast<const float*>(beta);
    for (int i = 0; i < batch; ++i) {
        Gemm(transa, transb, m, n, k, alpha_value, reinterpret_cast<const char*>(a) + i * stride_a * (long long)ElementBytes(a_type),
             (DataType)a_type, lda, reinterpret_cast<const char*>(b) + i * stride_b * (long long)ElementBytes(b_type), (DataType)b_type, ldb,
             beta_value, reinterpret_cast<char*>(c) + i * stride_c * (long long)ElementBytes(c_type), (DataType)c_type, ldc);
    }
    return CUBLAS_STATUS_SUCCESS;
}

QS_EXPORT int cublasGemmEx(Handle* handle, int transa, int transb, int m, int n, int k, const void* alpha, unsigned long long a, int a_type,
                           int lda, unsigned long long b, int b_type, int ldb, const void* beta, unsigned long long c, int c_type, int ldc,
                           int compute_type, int algo)
{
    return cublasGemmStridedBatchedEx(handle, transa, transb, m, n, k, alpha, a, a_type, lda, 0, b, b_type, ldb, 0, beta, c, c_type, ldc, 0, 1,
                                      compute_type, algo);
}

QS_EXPORT int cublasGemmBatchedEx(Handle*, int transa, int transb, int m, int n, int k, const void* alpha, const void* const* a_array,
                                  int a_type, int lda, const void* const* b_array, int b_type, int ldb, const void* beta,
                                  void* const* c_array, int c_type, int ldc, int batch, int compute_type, int)
{
    const int status = CheckGemm(transa, transb, m, n, k, a_type, b_type, c_type, batch, compute_type);
    if (status != CUBLAS_STATUS_SUCCESS) {
        return status;
    }
    const float alpha_value = *static_cast<const float*>(alpha), beta_value = *static_cast<const float*>(beta);
    for (int i = 0; i < batch; ++i) {
        Gemm(transa, transb, m, n, k, alpha_value, a_array[i], (DataType)a_type, lda, b_array[i], (DataType)b_type, ldb, beta_value,
             c_array[i], (DataType)c_type, ldc);
    }
    return CUBLAS_STATUS_SUCCESS;
}
