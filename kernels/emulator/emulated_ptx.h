// emulated_ptx.h — the inline-PTX wrappers of kernels/attention.cu (tensor-core attention), in C++ for the CPU
// emulator: attention.cu includes this instead of its asm versions when QS_HOST_EMULATION is defined. Same names and
// signatures; fragment layouts from the PTX ISA (ldmatrix .m8n8.x4 .b16, mma .m16n8k16 .row.col bf16 -> f32).
// The warp-wide instructions exchange their operands through the runtime's warp_gather.
#pragma once

// A "shared address" is a 32-bit offset from this module-wide anchor (biased by 2^31): the emulated shared memory
// is static storage of the module, always within 2 GB of it.
static char qs_emu_shared_anchor;

QS_DEVICE u32 shared_address(const void* p)
{
    const long long offset = static_cast<const char*>(p) - &qs_emu_shared_anchor;
    return (u32)(offset + 0x80000000ll);
}

QS_DEVICE char* shared_pointer(u32 address) { return &qs_emu_shared_anchor + ((long long)address - 0x80000000ll); }

// cp.async.cg 16 bytes, done at once: copies src_bytes and zero-fills the rest, as the instruction does.
QS_DEVICE void cp_async_16(u32 dst, const void* src, int src_bytes)
{
    char* d = shared_pointer(dst);
    std::memset(d, 0, 16);
    if (src_bytes > 0) {
        std::memcpy(d, src, (size_t)src_bytes);
    }
}

QS_DEVICE void cp_async_commit() {}

template <int N>
QS_DEVICE void cp_async_wait() {}

// ldmatrix .x4: lane l supplies the address of row (l % 8) of matrix (l / 8); register j of lane l receives row
// l / 4, elements 2 (l % 4) and 2 (l % 4) + 1 of matrix j (.trans: row 2 (l % 4) and the next, element l / 4).
QS_DEVICE void ldmatrix_x4_lanes(u32 addr, u32& r0, u32& r1, u32& r2, u32& r3, bool transpose)
{
    u32 rows[32];
    qs_emu_runtime->warp_gather(&addr, sizeof addr, rows);
    const int lane = (int)(threadIdx.x & 31);
    u32* r[4] = {&r0, &r1, &r2, &r3};
    for (int j = 0; j < 4; ++j) {
        if (!transpose) {
            std::memcpy(r[j], shared_pointer(rows[j * 8 + lane / 4]) + 4 * (lane % 4), 4);
        } else {
            bf16_t lo, hi;
            std::memcpy(&lo, shared_pointer(rows[j * 8 + 2 * (lane % 4)]) + 2 * (lane / 4), 2);
            std::memcpy(&hi, shared_pointer(rows[j * 8 + 2 * (lane % 4) + 1]) + 2 * (lane / 4), 2);
            *r[j] = (u32)lo | ((u32)hi << 16);
        }
    }
}

QS_DEVICE void ldmatrix_x4(u32 addr, u32& r0, u32& r1, u32& r2, u32& r3) { ldmatrix_x4_lanes(addr, r0, r1, r2, r3, false); }

QS_DEVICE void ldmatrix_x4_trans(u32 addr, u32& r0, u32& r1, u32& r2, u32& r3) { ldmatrix_x4_lanes(addr, r0, r1, r2, r3, true); }

// mma.m16n8k16 row.col: lane l = 4 g + t holds A (16x16) rows g and g + 8 at columns 2t, 2t + 1 (a0: row g,
// a1: row g + 8; a2, a3: the same rows at columns + 8), B (16x8) column g at rows 2t, 2t + 1 (b0) and + 8 (b1), and
// D rows g, g + 8 at columns 2t, 2t + 1 (d0, d1 | d2, d3). Products summed in fp32, in k order.
struct QsEmuMmaOperands {
    u32 a[4];
    u32 b[2];
};

QS_DEVICE float qs_emu_bf16(u32 pair, int half) { return half == 0 ? bf16x2_lo(pair) : bf16x2_hi(pair); }

QS_DEVICE void mma_bf16_16816(float* d, const u32* a, u32 b0, u32 b1)
{
    QsEmuMmaOperands mine = {{a[0], a[1], a[2], a[3]}, {b0, b1}};
    QsEmuMmaOperands all[32];
    qs_emu_runtime->warp_gather(&mine, sizeof mine, all);
    const int lane = (int)(threadIdx.x & 31);
    const int g = lane / 4, t = lane % 4;
    for (int out = 0; out < 4; ++out) {
        const int row = g + (out >= 2 ? 8 : 0);
        const int col = 2 * t + (out & 1);
        float sum = 0.0f;
        for (int k = 0; k < 16; ++k) {
            // A[row][k]: lane 4 (row % 8) + (k % 8) / 2, register (row >= 8) + 2 (k >= 8), half k % 2.
            const QsEmuMmaOperands& a_lane = all[4 * (row % 8) + (k % 8) / 2];
            const float a_value = qs_emu_bf16(a_lane.a[(row >= 8 ? 1 : 0) + (k >= 8 ? 2 : 0)], k % 2);
            // B[k][col]: lane 4 col + (k % 8) / 2, register k >= 8, half k % 2.
            const QsEmuMmaOperands& b_lane = all[4 * col + (k % 8) / 2];
            const float b_value = qs_emu_bf16(b_lane.b[k >= 8 ? 1 : 0], k % 2);
            sum += a_value * b_value;
        }
        d[out] += sum;
    }
}

// cvt.rn.bf16x2.f32: round to nearest even, `lo` in the low half (pack_bf16x2 of common.cuh is the same rounding).
QS_DEVICE u32 pack_bf16x2_rn(float lo, float hi) { return pack_bf16x2(lo, hi); }
