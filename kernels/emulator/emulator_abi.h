// emulator_abi.h — what a kernel module compiled for the CPU emulator and the emulator's runtime share.
//
// The runtime (runtime.cpp) hands each loaded module one EmuRuntime table (qs_emu_bind); the module's kernels read
// the builtin variables and call the block barrier and the warp shuffle through it. Plain C types only: the two
// sides are separate shared objects.
#pragma once

struct EmuDim3 {
    unsigned x, y, z;
};

struct EmuRuntime {
    const EmuDim3* thread_idx;  // of the fiber running now
    const EmuDim3* block_idx;
    const EmuDim3* block_dim;
    const EmuDim3* grid_dim;
    void (*syncthreads)(void);
    // Every live lane of the calling lane's warp exchanges `bits`; returns lane (lane ^ lane_mask)'s value.
    unsigned long long (*shfl_xor)(unsigned long long bits, int lane_mask);
    // Every live lane of the calling lane's warp contributes `bytes` (at most kEmuGatherBytes) from `mine`; `all`
    // receives the 32 contributions, lane by lane (zeros for lanes that have exited). For warp-wide instructions
    // (ldmatrix, mma.sync) emulated in emulated_ptx.h.
    void (*warp_gather)(const void* mine, unsigned bytes, void* all);
};

enum { kEmuGatherBytes = 64 };

// Exported by every module: the trampoline of kernel NAME is qs_emu_kernel_NAME(void** kernel_params).
typedef void (*EmuTrampoline)(void** kernel_params);
typedef void (*EmuBind)(const EmuRuntime* runtime);

// A module image (what the emulated nvrtcGetCUBIN returns and cuModuleLoadData takes): this header, then the bytes
// of the shared object. The driver API passes images without a size, so the image carries its own.
struct EmuImageHeader {
    char magic[8];             // "QSEMU01\0"
    unsigned long long bytes;  // shared-object bytes that follow
};
