// runtime.cpp — the CPU emulator's execution model.
//
// Blocks run one after another. Within a block every CUDA thread is a fiber on the calling OS thread (its own stack,
// switched by qs_emu_switch below: glibc's swapcontext makes a system call per switch, and warp shuffles switch
// often), resumed round-robin; a fiber runs until it waits at __syncthreads or at a warp shuffle, or finishes. A barrier
// opens when every live thread of its block (or warp) has arrived; a thread that has finished counts as arrived,
// as on the GPU. A shuffle is one warp barrier: each lane writes its value into a slot of one of two buffers
// (alternating per shuffle, so a lane that runs ahead to the next shuffle cannot overwrite a value still to be
// read) and, once the warp has arrived, reads its partner's slot.
#include "runtime.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#if !defined(__x86_64__)
#error "the emulator's fiber switch is x86-64 assembly"
#endif

// qs_emu_switch(save, load): saves the callee-saved registers, MXCSR and the x87 control word on the current stack,
// stores the stack pointer in *save, and resumes the fiber whose stack pointer is `load` (System V x86-64 ABI).
extern "C" void qs_emu_switch(void** save, void* load);
asm(R"(
    .text
    .globl qs_emu_switch
    .hidden qs_emu_switch
    .type qs_emu_switch, @function
qs_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size qs_emu_switch, .-qs_emu_switch
)");

namespace qs_emu {
namespace {

constexpr int kMaxThreads = 1024;
constexpr int kWarp = 32;
constexpr size_t kStackBytes = 256 * 1024;

enum class FiberState { Ready, AtBlockBarrier, AtWarpBarrier, Done };

struct Fiber {
    void* stack_pointer;
    EmuDim3 thread_idx;
    FiberState state;
    unsigned long long shuffle;  // the warp's shuffle this fiber joined last
};

struct Warp {
    int live;
    int arrived;
    unsigned long long shuffle;  // exchanges completed; its parity picks the buffer of the next one
    unsigned char parts[2][kWarp][kEmuGatherBytes];  // each lane's part of an exchange (a shuffle's word, a gather's blob)
    unsigned long long written[2][kWarp];  // which exchange wrote each part, plus one (0: none)
};

struct Block {
    EmuTrampoline trampoline;
    void** params;
    int threads;
    int live;
    int arrived;
    std::vector<Fiber> fibers = std::vector<Fiber>(kMaxThreads);
    std::vector<Warp> warps = std::vector<Warp>(kMaxThreads / kWarp);
    char* stacks;
    void* scheduler;
    int current;
};

std::mutex launch_gate;
Block block_state;
EmuDim3 thread_idx, block_idx, block_dim, grid_dim;

void ReleaseBlockBarrierIfComplete()
{
    Block& b = block_state;
    if (b.arrived > 0 && b.arrived == b.live) {
        for (int i = 0; i < b.threads; ++i) {
            if (b.fibers[i].state == FiberState::AtBlockBarrier) {
                b.fibers[i].state = FiberState::Ready;
            }
        }
        b.arrived = 0;
    }
}

void ReleaseWarpBarrierIfComplete(int warp)
{
    Block& b = block_state;
    Warp& w = b.warps[warp];
    if (w.arrived > 0 && w.arrived == w.live) {
        const int first = warp * kWarp;
        for (int i = first; i < first + kWarp && i < b.threads; ++i) {
            if (b.fibers[i].state == FiberState::AtWarpBarrier) {
                b.fibers[i].state = FiberState::Ready;
            }
        }
        w.arrived = 0;
        ++w.shuffle;
    }
}

void YieldToScheduler()
{
    Block& b = block_state;
    qs_emu_switch(&b.fibers[b.current].stack_pointer, b.scheduler);
}

void SyncThreads()
{
    Block& b = block_state;
    b.fibers[b.current].state = FiberState::AtBlockBarrier;
    ++b.arrived;
    ReleaseBlockBarrierIfComplete();
    YieldToScheduler();
}

// One warp-wide exchange (a shuffle or a gather): stores this lane's `bytes` from `mine` as its part, then waits
// until every live lane of its warp has; returns the buffer, which holds the parts of this exchange until the
// next-but-one.
int WarpExchange(const void* mine, unsigned bytes)
{
    if (bytes > kEmuGatherBytes) {
        std::fprintf(stderr, "qs-emu: a warp exchange of %u bytes; at most %d fit\n", bytes, (int)kEmuGatherBytes);
        std::abort();
    }
    Block& b = block_state;
    const int warp = b.current / kWarp;
    const int lane = b.current % kWarp;
    Warp& w = b.warps[warp];
    Fiber& f = b.fibers[b.current];
    f.shuffle = w.shuffle;
    const int buffer = (int)(f.shuffle & 1);
    std::memcpy(w.parts[buffer][lane], mine, bytes);
    w.written[buffer][lane] = f.shuffle + 1;
    f.state = FiberState::AtWarpBarrier;
    ++w.arrived;
    ReleaseWarpBarrierIfComplete(warp);
    YieldToScheduler();
    return buffer;
}

// Whether `lane` took part in the calling fiber's last exchange (it exists and had not exited).
bool Contributed(const Warp& w, int buffer, int lane) { return w.written[buffer][lane] == block_state.fibers[block_state.current].shuffle + 1; }

unsigned long long ShuffleXor(unsigned long long bits, int lane_mask)
{
    const int buffer = WarpExchange(&bits, sizeof bits);
    const Warp& w = block_state.warps[block_state.current / kWarp];
    const int partner = (block_state.current % kWarp) ^ (lane_mask & (kWarp - 1));
    // A partner that does not exist or has exited: undefined on the GPU; the lane keeps its own value.
    if (Contributed(w, buffer, partner)) {
        std::memcpy(&bits, w.parts[buffer][partner], sizeof bits);
    }
    return bits;
}

void WarpGather(const void* mine, unsigned bytes, void* all)
{
    const int buffer = WarpExchange(mine, bytes);
    const Warp& w = block_state.warps[block_state.current / kWarp];
    auto* out = static_cast<unsigned char*>(all);
    for (int l = 0; l < kWarp; ++l) {
        if (Contributed(w, buffer, l)) {
            std::memcpy(out + (size_t)l * bytes, w.parts[buffer][l], bytes);
        } else {
            std::memset(out + (size_t)l * bytes, 0, bytes);
        }
    }
}

void FiberMain()
{
    Block& b = block_state;
    b.trampoline(b.params);
    Fiber& f = b.fibers[b.current];
    f.state = FiberState::Done;
    --b.live;
    --b.warps[b.current / kWarp].live;
    ReleaseBlockBarrierIfComplete();
    ReleaseWarpBarrierIfComplete(b.current / kWarp);
    qs_emu_switch(&f.stack_pointer, b.scheduler);  // never resumed
    __builtin_unreachable();
}

// A fresh fiber's stack, as qs_emu_switch leaves a suspended one: MXCSR and control word, six zeroed registers,
// then FiberMain as the return address, at a 16-byte boundary so FiberMain starts with the ABI's alignment.
void* InitialStack(char* stack)
{
    auto* top = reinterpret_cast<unsigned long long*>(reinterpret_cast<uintptr_t>(stack + kStackBytes) & ~uintptr_t{15});
    top -= 2;
    top[0] = reinterpret_cast<unsigned long long>(&FiberMain);
    top[1] = 0;
    top -= 7;
    std::memset(top, 0, 7 * sizeof *top);
    const unsigned int mxcsr = 0x1f80;  // round to nearest, all exceptions masked
    const unsigned short control = 0x037f;
    std::memcpy(top, &mxcsr, 4);
    std::memcpy(reinterpret_cast<char*>(top) + 4, &control, 2);
    return top;
}

bool RunBlock(std::string& error)
{
    Block& b = block_state;
    b.live = b.threads;
    b.arrived = 0;
    for (int w = 0; w < (b.threads + kWarp - 1) / kWarp; ++w) {
        b.warps[w].live = std::min(kWarp, b.threads - w * kWarp);
        b.warps[w].arrived = 0;
        b.warps[w].shuffle = 0;
        std::memset(b.warps[w].written, 0, sizeof b.warps[w].written);
    }
    for (int i = 0; i < b.threads; ++i) {
        Fiber& f = b.fibers[i];
        f.thread_idx = {i % block_dim.x, (i / block_dim.x) % block_dim.y, i / (block_dim.x * block_dim.y)};
        f.state = FiberState::Ready;
        f.stack_pointer = InitialStack(b.stacks + (size_t)i * kStackBytes);
    }

    int done = 0;
    while (done < b.threads) {
        bool progressed = false;
        done = 0;
        for (int i = 0; i < b.threads; ++i) {
            if (b.fibers[i].state == FiberState::Ready) {
                b.current = i;
                thread_idx = b.fibers[i].thread_idx;
                qs_emu_switch(&b.scheduler, b.fibers[i].stack_pointer);
                progressed = true;
            }
            done += b.fibers[i].state == FiberState::Done;
        }
        if (!progressed && done < b.threads) {
            error = "deadlock in block (" + std::to_string(block_idx.x) + ", " + std::to_string(block_idx.y) + ", " +
                    std::to_string(block_idx.z) + "): " + std::to_string(b.threads - done) +
                    " threads wait at a barrier that the others never reach";
            return false;
        }
    }
    return true;
}

}  // namespace

const EmuRuntime* Runtime()
{
    static const EmuRuntime table = {&thread_idx, &block_idx, &block_dim, &grid_dim, SyncThreads, ShuffleXor, WarpGather};
    return &table;
}

bool Launch(EmuTrampoline trampoline, void** params, EmuDim3 grid, EmuDim3 block, std::string& error)
{
    const unsigned long long threads = (unsigned long long)block.x * block.y * block.z;
    if (threads == 0 || threads > kMaxThreads || grid.x == 0 || grid.y == 0 || grid.z == 0) {
        error = "invalid launch configuration: block of " + std::to_string(threads) + " threads";
        return false;
    }

    std::lock_guard<std::mutex> lock(launch_gate);
    Block& b = block_state;
    if (b.stacks == nullptr) {
        void* stacks = mmap(nullptr, kMaxThreads * kStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (stacks == MAP_FAILED) {
            error = "cannot map the fiber stacks";
            return false;
        }
        b.stacks = static_cast<char*>(stacks);
    }
    b.trampoline = trampoline;
    b.params = params;
    b.threads = (int)threads;
    block_dim = block;
    grid_dim = grid;
    for (unsigned z = 0; z < grid.z; ++z) {
        for (unsigned y = 0; y < grid.y; ++y) {
            for (unsigned x = 0; x < grid.x; ++x) {
                block_idx = {x, y, z};
                if (!RunBlock(error)) {
                    return false;
                }
            }
        }
    }
    return true;
}

}  // namespace qs_emu
