// driver.cpp — the CUDA driver API for the CPU emulator (the entry points CudaDriverApi.cs binds).
//
// One device, "Quicksilver CPU emulator (not a GPU)", compute capability 8.0 (the tensor-core attention kernel runs,
// its PTX wrappers in C++: emulated_ptx.h). Device memory is host memory and a device pointer its address;
// every stream is synchronous, so a launch has finished when cuLaunchKernel returns and events time host work.
// A module image (nvrtc.cpp) is a shared object: loading writes it to an in-memory file and dlopens that.
#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "emulator_abi.h"
#include "runtime.h"

namespace {

enum CuResult {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_LAUNCH_FAILED = 719,
};

constexpr unsigned long long kTotalMemory = 16ull << 30;
constexpr const char* kDeviceName = "Quicksilver CPU emulator (not a GPU)";

std::atomic<unsigned long long> allocated{0};
int context_token;

struct Module {
    void* library;
    int fd;  // the in-memory file, open while the module is loaded: dlopen knows modules by path, and fd paths recur
};

struct Event {
    std::chrono::steady_clock::time_point at;
};

struct Allocation {
    size_t bytes;
};

// Each allocation is preceded by its size, so cuMemFree can account for it.
constexpr size_t kHeader = 256;

const char* Name(int error)
{
    switch (error) {
        case CUDA_SUCCESS: return "CUDA_SUCCESS";
        case CUDA_ERROR_INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
        case CUDA_ERROR_OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
        case CUDA_ERROR_INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
        case CUDA_ERROR_INVALID_HANDLE: return "CUDA_ERROR_INVALID_HANDLE";
        case CUDA_ERROR_NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
        case CUDA_ERROR_LAUNCH_FAILED: return "CUDA_ERROR_LAUNCH_FAILED";
        default: return "CUDA_ERROR_UNKNOWN";
    }
}

const char* Description(int error)
{
    switch (error) {
        case CUDA_SUCCESS: return "no error";
        case CUDA_ERROR_INVALID_VALUE: return "invalid argument";
        case CUDA_ERROR_OUT_OF_MEMORY: return "out of memory";
        case CUDA_ERROR_INVALID_IMAGE: return "device kernel image is invalid (not an emulator image)";
        case CUDA_ERROR_INVALID_HANDLE: return "invalid resource handle";
        case CUDA_ERROR_NOT_FOUND: return "named symbol not found";
        case CUDA_ERROR_LAUNCH_FAILED: return "unspecified launch failure (the emulator printed why)";
        default: return "unknown error";
    }
}

}  // namespace

#define QS_EXPORT extern "C" __attribute__((visibility("default")))

QS_EXPORT int cuInit(unsigned) { return CUDA_SUCCESS; }
QS_EXPORT int cuDriverGetVersion(int* version) { *version = 13000; return CUDA_SUCCESS; }
QS_EXPORT int cuDeviceGetCount(int* count) { *count = 1; return CUDA_SUCCESS; }

QS_EXPORT int cuDeviceGet(int* device, int ordinal)
{
    if (ordinal != 0) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    *device = 0;
    return CUDA_SUCCESS;
}

QS_EXPORT int cuDeviceGetName(char* name, int length, int)
{
    std::snprintf(name, (size_t)length, "%s", kDeviceName);
    return CUDA_SUCCESS;
}

QS_EXPORT int cuDeviceGetAttribute(int* value, int attribute, int)
{
    switch (attribute) {
        case 1: *value = 1024; return CUDA_SUCCESS;        // max threads per block
        case 8: *value = 48 * 1024; return CUDA_SUCCESS;   // shared memory per block
        case 16: *value = 1; return CUDA_SUCCESS;          // multiprocessors
        case 38: *value = 0; return CUDA_SUCCESS;          // L2 cache
        case 75: *value = 8; return CUDA_SUCCESS;          // compute capability 8.0
        case 76: *value = 0; return CUDA_SUCCESS;
        case 97: *value = 64 * 1024; return CUDA_SUCCESS;  // shared memory per block, opt-in
        default: return CUDA_ERROR_INVALID_VALUE;
    }
}

QS_EXPORT int cuDeviceTotalMem_v2(size_t* bytes, int) { *bytes = kTotalMemory; return CUDA_SUCCESS; }
QS_EXPORT int cuDevicePrimaryCtxRetain(void** context, int) { *context = &context_token; return CUDA_SUCCESS; }
QS_EXPORT int cuDevicePrimaryCtxRelease_v2(int) { return CUDA_SUCCESS; }
QS_EXPORT int cuCtxSetCurrent(void*) { return CUDA_SUCCESS; }
QS_EXPORT int cuCtxSynchronize() { return CUDA_SUCCESS; }

QS_EXPORT int cuModuleLoadData(Module** module, const void* image)
{
    const auto* header = static_cast<const EmuImageHeader*>(image);
    if (image == nullptr || std::memcmp(header->magic, "QSEMU01", 8) != 0) {
        return CUDA_ERROR_INVALID_IMAGE;
    }
    // An anonymous in-memory file: no temporary path, and no noexec mount in the way of dlopen.
    const int fd = memfd_create("qs-emu-module", MFD_CLOEXEC);
    if (fd < 0) {
        return CUDA_ERROR_INVALID_IMAGE;
    }
    const char* bytes = reinterpret_cast<const char*>(header + 1);
    const bool written = write(fd, bytes, header->bytes) == (ssize_t)header->bytes;
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    void* library = written ? dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL) : nullptr;
    if (library == nullptr) {
        std::fprintf(stderr, "qs-emu: cannot load module: %s\n", written ? dlerror() : "write failed");
        close(fd);
    }
    auto bind = library != nullptr ? reinterpret_cast<EmuBind>(dlsym(library, "qs_emu_bind")) : nullptr;
    if (bind == nullptr) {
        if (library != nullptr) {
            dlclose(library);
            close(fd);
        }
        return CUDA_ERROR_INVALID_IMAGE;
    }
    bind(qs_emu::Runtime());
    *module = new Module{library, fd};
    return CUDA_SUCCESS;
}

QS_EXPORT int cuModuleGetFunction(void** function, Module* module, const char* name)
{
    if (module == nullptr) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    void* trampoline = dlsym(module->library, (std::string("qs_emu_kernel_") + name).c_str());
    if (trampoline == nullptr) {
        return CUDA_ERROR_NOT_FOUND;
    }
    *function = trampoline;
    return CUDA_SUCCESS;
}

QS_EXPORT int cuModuleUnload(Module* module)
{
    if (module == nullptr) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    dlclose(module->library);
    close(module->fd);
    delete module;
    return CUDA_SUCCESS;
}

QS_EXPORT int cuFuncSetAttribute(void*, int, int) { return CUDA_SUCCESS; }

QS_EXPORT int cuLaunchKernel(void* function, unsigned grid_x, unsigned grid_y, unsigned grid_z, unsigned block_x, unsigned block_y,
                             unsigned block_z, unsigned, void*, void** params, void** extra)
{
    if (function == nullptr || extra != nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    std::string error;
    if (!qs_emu::Launch(reinterpret_cast<EmuTrampoline>(function), params, {grid_x, grid_y, grid_z}, {block_x, block_y, block_z}, error)) {
        std::fprintf(stderr, "qs-emu: launch failed: %s\n", error.c_str());
        return CUDA_ERROR_LAUNCH_FAILED;
    }
    return CUDA_SUCCESS;
}

QS_EXPORT int cuMemAlloc_v2(unsigned long long* pointer, size_t bytes)
{
    void* block = std::aligned_alloc(kHeader, kHeader + ((bytes + kHeader - 1) / kHeader) * kHeader);
    if (block == nullptr) {
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    static_cast<Allocation*>(block)->bytes = bytes;
    allocated += bytes;
    *pointer = reinterpret_cast<unsigned long long>(static_cast<char*>(block) + kHeader);
    return CUDA_SUCCESS;
}

QS_EXPORT int cuMemFree_v2(unsigned long long pointer)
{
    if (pointer == 0) {
        return CUDA_SUCCESS;
    }
    auto* block = reinterpret_cast<char*>(pointer) - kHeader;
    allocated -= reinterpret_cast<Allocation*>(block)->bytes;
    std::free(block);
    return CUDA_SUCCESS;
}

QS_EXPORT int cuMemAllocHost_v2(void** pointer, size_t bytes)
{
    *pointer = std::malloc(bytes == 0 ? 1 : bytes);
    return *pointer != nullptr ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}

QS_EXPORT int cuMemFreeHost(void* pointer) { std::free(pointer); return CUDA_SUCCESS; }

QS_EXPORT int cuMemcpyHtoD_v2(unsigned long long destination, const void* source, size_t bytes)
{
    std::memcpy(reinterpret_cast<void*>(destination), source, bytes);
    return CUDA_SUCCESS;
}

QS_EXPORT int cuMemcpyDtoH_v2(void* destination, unsigned long long source, size_t bytes)
{
    std::memcpy(destination, reinterpret_cast<const void*>(source), bytes);
    return CUDA_SUCCESS;
}

QS_EXPORT int cuMemcpyHtoDAsync_v2(unsigned long long destination, const void* source, size_t bytes, void*)
{
    return cuMemcpyHtoD_v2(destination, source, bytes);
}

QS_EXPORT int cuMemcpyDtoHAsync_v2(void* destination, unsigned long long source, size_t bytes, void*)
{
    return cuMemcpyDtoH_v2(destination, source, bytes);
}

QS_EXPORT int cuMemcpyDtoDAsync_v2(unsigned long long destination, unsigned long long source, size_t bytes, void*)
{
    std::memmove(reinterpret_cast<void*>(destination), reinterpret_cast<const void*>(source), bytes);
    return CUDA_SUCCESS;
}

QS_EXPORT int cuMemsetD8_v2(unsigned long long destination, unsigned char value, size_t bytes)
{
    std::memset(reinterpret_cast<void*>(destination), value, bytes);
    return CUDA_SUCCESS;
}

QS_EXPORT int cuMemGetInfo_v2(size_t* free, size_t* total)
{
    *total = kTotalMemory;
    *free = kTotalMemory - allocated.load();
    return CUDA_SUCCESS;
}

QS_EXPORT int cuStreamCreate(void** stream, unsigned) { *stream = new int(0); return CUDA_SUCCESS; }
QS_EXPORT int cuStreamDestroy_v2(void* stream) { delete static_cast<int*>(stream); return CUDA_SUCCESS; }
QS_EXPORT int cuStreamSynchronize(void*) { return CUDA_SUCCESS; }

QS_EXPORT int cuEventCreate(Event** event, unsigned) { *event = new Event{}; return CUDA_SUCCESS; }

QS_EXPORT int cuEventRecord(Event* event, void*)
{
    event->at = std::chrono::steady_clock::now();
    return CUDA_SUCCESS;
}

QS_EXPORT int cuEventSynchronize(Event*) { return CUDA_SUCCESS; }

QS_EXPORT int cuEventElapsedTime(float* milliseconds, Event* start, Event* end)
{
    *milliseconds = std::chrono::duration<float, std::milli>(end->at - start->at).count();
    return CUDA_SUCCESS;
}

QS_EXPORT int cuEventDestroy_v2(Event* event) { delete event; return CUDA_SUCCESS; }

// No profiler runs under the emulator: the range markers do nothing, as on a GPU without one attached.
QS_EXPORT int cuProfilerStart() { return CUDA_SUCCESS; }
QS_EXPORT int cuProfilerStop() { return CUDA_SUCCESS; }

QS_EXPORT int cuGetErrorName(int error, const char** text) { *text = Name(error); return CUDA_SUCCESS; }
QS_EXPORT int cuGetErrorString(int error, const char** text) { *text = Description(error); return CUDA_SUCCESS; }
