// selftest.cpp — checks the emulator's execution model through its own driver and NVRTC entry points, as the
// backend calls them: warp shuffles (a butterfly sum, and lanes that exit before a shuffle), block barriers with
// threads that return early, 2-D blocks and grids, and that barriers waiting on each other fail the launch instead
// of hanging; and cuBLAS's GEMM over more rows than one of its fp32 slabs. Built and run by build.sh; exits 1 on the
// first failure.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
int nvrtcCreateProgram(void** program, const char* source, const char* name, int headers, const char* const* header_sources,
                       const char* const* include_names);
int nvrtcCompileProgram(void* program, int count, const char* const* options);
int nvrtcGetProgramLogSize(void* program, size_t* size);
int nvrtcGetProgramLog(void* program, char* log);
int nvrtcGetCUBINSize(void* program, size_t* size);
int nvrtcGetCUBIN(void* program, char* image);
int nvrtcDestroyProgram(void** program);
int cuModuleLoadData(void** module, const void* image);
int cuModuleGetFunction(void** function, void* module, const char* name);
int cuLaunchKernel(void* function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz, unsigned shared,
                   void* stream, void** params, void** extra);
int cublasCreate_v2(void** handle);
int cublasDestroy_v2(void* handle);
int cublasGemmEx(void* handle, int transa, int transb, int m, int n, int k, const void* alpha, unsigned long long a, int a_type, int lda,
                 unsigned long long b, int b_type, int ldb, const void* beta, unsigned long long c, int c_type, int ldc, int compute_type,
                 int algo);
}

namespace {

const char* const kSource = R"(
extern "C" __global__ void warp_sums(const float* in, float* out)
{
    float v = in[threadIdx.x];
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    }
    out[threadIdx.x] = v;
}

// Lanes 16..31 return at once; lanes 0..15 then shuffle with offset 16: their partners have exited, so each keeps
// its own value (undefined on a GPU; the emulator's documented choice).
extern "C" __global__ void shuffle_with_exited_lanes(int* out)
{
    if (threadIdx.x >= 16) {
        return;
    }
    out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, (int)threadIdx.x, 16);
}

// Threads past `live` return before the barriers; the others still meet there, as on a GPU.
extern "C" __global__ void block_reverse(const int* in, int* out, int live)
{
    __shared__ int scratch[256];
    const int t = threadIdx.y * blockDim.x + threadIdx.x;
    const int n = blockDim.x * blockDim.y;
    if (t >= live) {
        return;
    }
    scratch[t] = in[blockIdx.x * n + t] + (int)blockIdx.y * 1000;
    __syncthreads();
    out[(blockIdx.y * gridDim.x + blockIdx.x) * n + t] = scratch[live - 1 - t];
}

// Lanes 0..15 wait at the block barrier while lanes 16..31 of the same warp wait at a shuffle for them: on a GPU
// this hangs; the emulator must report it.
extern "C" __global__ void divergent_barrier(int* out)
{
    if (threadIdx.x < 16) {
        __syncthreads();
    } else {
        out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, 1, 1);
    }
}
)";

int failures = 0;

void Check(bool ok, const std::string& what)
{
    std::printf("%s  %s\n", ok ? "ok  " : "FAIL", what.c_str());
    failures += ok ? 0 : 1;
}

void* Function(void* module, const char* name)
{
    void* f = nullptr;
    if (cuModuleGetFunction(&f, module, name) != 0) {
        std::printf("FAIL  kernel %s not found\n", name);
        std::exit(1);
    }
    return f;
}

// C = Aᵀ B + C with A bf16 (k x m, as the backend stores row-major weights), B and C fp32: m = 3000 rows at k = 128
// span two of the GEMM's 1 MiB slabs. Each output must equal the fp32 dot product in order of k, plus C, exactly.
void CheckGemmAcrossSlabs()
{
    const int m = 3000, n = 3, k = 128;
    std::vector<unsigned short> a((size_t)m * k);
    std::vector<float> a_values(a.size()), b((size_t)k * n), c((size_t)m * n), expected(c.size());
    for (size_t i = 0; i < a.size(); ++i) {
        a[i] = (unsigned short)(0x3c00 + (i * 37 % 256));  // bf16 in [0.0078, 0.0156)
        const unsigned bits = (unsigned)a[i] << 16;
        std::memcpy(&a_values[i], &bits, 4);
    }
    for (size_t i = 0; i < b.size(); ++i) {
        b[i] = (float)((int)(i % 17) - 8) * 0.25f;
    }
    for (int j = 0; j < n; ++j) {
        for (int i = 0; i < m; ++i) {
            float sum = 0;
            for (int l = 0; l < k; ++l) {
                sum += a_values[(size_t)i * k + l] * b[(size_t)j * k + l];
            }
            c[i + (size_t)j * m] = (float)(i % 5);
            expected[i + (size_t)j * m] = sum + (float)(i % 5);
        }
    }
    void* handle = nullptr;
    cublasCreate_v2(&handle);
    const float one = 1.0f;
    const int status = cublasGemmEx(handle, 1, 0, m, n, k, &one, (unsigned long long)a.data(), 14, k, (unsigned long long)b.data(), 0, k, &one,
                                    (unsigned long long)c.data(), 0, m, 68, 0);
    cublasDestroy_v2(handle);
    Check(status == 0 && c == expected, "cublasGemmEx over 3000 rows (two fp32 slabs): every output is the in-order fp32 dot product plus C");
}

}  // namespace

std::vector<char> Compile(const char* source, const char* name)
{
    void* program = nullptr;
    nvrtcCreateProgram(&program, source, name, 0, nullptr, nullptr);
    const char* options[] = {"-std=c++17", "--gpu-architecture=sm_80"};
    const int compiled = nvrtcCompileProgram(program, 2, options);
    size_t log_size = 0;
    nvrtcGetProgramLogSize(program, &log_size);
    std::string log(log_size, '\0');
    nvrtcGetProgramLog(program, log.data());
    if (compiled != 0) {
        std::printf("FAIL  compile %s: %s\n", name, log.c_str());
        std::exit(1);
    }
    size_t size = 0;
    nvrtcGetCUBINSize(program, &size);
    std::vector<char> image(size);
    nvrtcGetCUBIN(program, image.data());
    nvrtcDestroyProgram(&program);
    return image;
}

int main()
{
    std::vector<char> image = Compile(kSource, "selftest.cu");
    void* module = nullptr;
    Check(cuModuleLoadData(&module, image.data()) == 0, "module loads");
    std::vector<char> second_image = Compile(R"(extern "C" __global__ void second_module_kernel(int* out) { out[threadIdx.x] = 7; })", "second.cu");
    void* second = nullptr;
    void* second_kernel = nullptr;
    Check(cuModuleLoadData(&second, second_image.data()) == 0 && cuModuleGetFunction(&second_kernel, second, "second_module_kernel") == 0,
          "a second module loads beside the first and its kernel is found");

    std::vector<float> in(64), out(64);
    for (int i = 0; i < 64; ++i) {
        in[i] = (float)(i + 1);
    }
    const float* in_p = in.data();
    float* out_p = out.data();
    void* sum_params[] = {&in_p, &out_p};
    Check(cuLaunchKernel(Function(module, "warp_sums"), 1, 1, 1, 64, 1, 1, 0, nullptr, sum_params, nullptr) == 0, "warp_sums launches");
    bool sums = true;
    for (int i = 0; i < 64; ++i) {
        sums &= out[i] == (i < 32 ? 528.0f : 1552.0f);  // 1+...+32 and 33+...+64
    }
    Check(sums, "butterfly shuffle sums each warp of a 64-thread block");

    std::vector<int> lanes(32, -1);
    int* lanes_p = lanes.data();
    void* exited_params[] = {&lanes_p};
    cuLaunchKernel(Function(module, "shuffle_with_exited_lanes"), 1, 1, 1, 32, 1, 1, 0, nullptr, exited_params, nullptr);
    bool kept = true;
    for (int i = 0; i < 16; ++i) {
        kept &= lanes[i] == i;
    }
    Check(kept && lanes[16] == -1, "a shuffle with exited partners keeps the lane's own value");

    const int bx = 16, by = 8, n = bx * by, live = 100;
    std::vector<int> values(3 * n), reversed(3 * 2 * n, -1);
    for (int i = 0; i < 3 * n; ++i) {
        values[i] = i;
    }
    const int* values_p = values.data();
    int* reversed_p = reversed.data();
    int live_arg = live;
    void* reverse_params[] = {&values_p, &reversed_p, &live_arg};
    Check(cuLaunchKernel(Function(module, "block_reverse"), 3, 2, 1, bx, by, 1, 0, nullptr, reverse_params, nullptr) == 0,
          "block_reverse launches (grid 3x2, block 16x8)");
    bool reversal = true;
    for (int y = 0; y < 2; ++y) {
        for (int x = 0; x < 3; ++x) {
            for (int t = 0; t < n; ++t) {
                const int got = reversed[(y * 3 + x) * n + t];
                reversal &= t < live ? got == x * n + (live - 1 - t) + y * 1000 : got == -1;
            }
        }
    }
    Check(reversal, "a block barrier waits for the live threads only; blockIdx, gridDim and 2-D threadIdx are right");

    std::vector<int> flags(64, 0);
    int* flags_p = flags.data();
    void* divergent_params[] = {&flags_p};
    Check(cuLaunchKernel(Function(module, "divergent_barrier"), 1, 1, 1, 64, 1, 1, 0, nullptr, divergent_params, nullptr) == 719,
          "a block barrier and a shuffle waiting on each other fail the launch (CUDA_ERROR_LAUNCH_FAILED) instead of hanging");

    CheckGemmAcrossSlabs();

    std::printf("%s\n", failures == 0 ? "emulator selftest: all checks pass" : "emulator selftest: FAILED");
    return failures == 0 ? 0 : 1;
}
