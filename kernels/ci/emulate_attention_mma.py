#!/usr/bin/env python3
"""emulate_attention_mma.py — runs attention_mma<D> from kernels/attention.cu on the CPU, lane by lane, and for split
keys attention_combine.

No GPU is needed: the kernel's index arithmetic (lane → ldmatrix row addresses, fragment registers, cp.async tile
loads with zero fill, masking, GQA head mapping, stores) is ported line for line, and the three PTX instructions it
relies on are emulated from their definitions in the PTX ISA:
  * ldmatrix.sync.aligned.m8n8.x4[.trans].shared.b16 — lanes 8j..8j+7 give the row addresses of matrix j; lane t
    receives row t/4, elements 2(t%4), 2(t%4)+1 (with .trans: column t/4, rows 2(t%4), 2(t%4)+1);
  * mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 — A regs {a0a1, a2a3, a4a5, a6a7} at (g, 2t..), (g+8, 2t..),
    (g, 2t+8..), (g+8, 2t+8..); B regs {b0b1, b2b3} at (k=2t.., n=g), (k=2t+8.., n=g); C (g, 2t..), (g+8, 2t..);
  * cvt.rn.bf16x2.f32 — round to nearest even, first operand to the high half.
The result is compared with float64 attention on the same bf16 inputs, masked for block-causal cases by an explicit
per-(query, key) block comparison. Pure Python (slow): small shapes only.

usage: python3 kernels/ci/emulate_attention_mma.py      (exit 1 on a mismatch)
"""
import math
import random
import struct
import sys

BLOCK_M = BLOCK_N = 64
THREADS = 128


def f2bf(x):
    """fp32 value -> bf16 bits, round to nearest even (as float_to_bf16 / cvt.rn)."""
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    if (bits & 0x7FFFFFFF) > 0x7F800000:
        return ((bits >> 16) | 0x40) & 0xFFFF
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFFFFFF
    return bits >> 16


def bf2f(b):
    return struct.unpack("<f", struct.pack("<I", (b & 0xFFFF) << 16))[0]


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def pack(lo_bits, hi_bits):
    return (lo_bits & 0xFFFF) | ((hi_bits & 0xFFFF) << 16)


def lo(r):
    return r & 0xFFFF


def hi(r):
    return (r >> 16) & 0xFFFF


class Shared:
    """Shared memory as 16-bit words, addressed in bytes like the kernel's u32 shared addresses."""

    def __init__(self, words):
        self.mem = [0] * words

    def word(self, byte_addr):
        assert byte_addr % 2 == 0
        return self.mem[byte_addr // 2]

    def row8(self, byte_addr):
        assert byte_addr % 16 == 0, f"ldmatrix row address {byte_addr} not 16-byte aligned"
        i = byte_addr // 2
        return self.mem[i:i + 8]


def ldmatrix_x4(smem, lane_addrs, trans):
    """lane_addrs[l] for l in 0..31; returns regs[lane] = (r0, r1, r2, r3)."""
    mats = [[smem.row8(lane_addrs[8 * j + r]) for r in range(8)] for j in range(4)]
    out = []
    for t in range(32):
        regs = []
        for j in range(4):
            m = mats[j]
            if not trans:
                row, c = t // 4, 2 * (t % 4)
                regs.append(pack(m[row][c], m[row][c + 1]))
            else:
                col, r = t // 4, 2 * (t % 4)
                regs.append(pack(m[r][col], m[r + 1][col]))
        out.append(tuple(regs))
    return out


def mma_16816(acc, a, b0, b1):
    """acc[lane] = [4 floats]; a[lane] = 4 regs; b0/b1[lane] = regs. Returns the new acc (fp32 results)."""
    A = [[0.0] * 16 for _ in range(16)]
    B = [[0.0] * 8 for _ in range(16)]
    for t in range(32):
        g, q = t // 4, t % 4
        r = a[t]
        A[g][2 * q], A[g][2 * q + 1] = bf2f(lo(r[0])), bf2f(hi(r[0]))
        A[g + 8][2 * q], A[g + 8][2 * q + 1] = bf2f(lo(r[1])), bf2f(hi(r[1]))
        A[g][2 * q + 8], A[g][2 * q + 9] = bf2f(lo(r[2])), bf2f(hi(r[2]))
        A[g + 8][2 * q + 8], A[g + 8][2 * q + 9] = bf2f(lo(r[3])), bf2f(hi(r[3]))
        B[2 * q][g], B[2 * q + 1][g] = bf2f(lo(b0[t])), bf2f(hi(b0[t]))
        B[2 * q + 8][g], B[2 * q + 9][g] = bf2f(lo(b1[t])), bf2f(hi(b1[t]))
    new = []
    for t in range(32):
        g, q = t // 4, t % 4
        vals = []
        for (row, col, c) in ((g, 2 * q, acc[t][0]), (g, 2 * q + 1, acc[t][1]), (g + 8, 2 * q, acc[t][2]), (g + 8, 2 * q + 1, acc[t][3])):
            s = c
            for k in range(16):
                s += A[row][k] * B[k][col]
            vals.append(f32(s))
        new.append(vals)
    return new


def exp2f(x):
    if x == -math.inf:
        return 0.0
    return f32(2.0 ** x)


def key_rows(keys, layer):
    """key_rows / value_rows of attention.cu, as element offsets into the flat k and v lists."""
    return keys["k"] + layer * keys["layer_stride"], keys["v"] + layer * keys["layer_stride"]


def visible_keys(keys, row, causal_block):
    """visible_keys of attention.cu."""
    if causal_block <= 0:
        return keys["count"]
    return min(keys["count"], ((keys["first_query"] + row) // causal_block + 1) * causal_block)


def attention_mma(D, q, k, v, cu_q, keys, layer, heads, kv_heads, block, causal_block, split=0, splits=1):
    """One block (bx, h, seq) of attention_mma<D>, split `split` of `splits` of its key tiles. q/k/v/out: flat lists of
    bf16 bits; keys: one AttentionKeys per sequence (dict of k, v, layer_stride, count, first_query; addresses as
    element offsets). Returns {(row, col): bits}, or with splits > 1 the partials {(row, h): (o[D], m, l)}."""
    PITCH = D + 8
    KSTEPS, DTILES = D // 16, D // 8
    bx, h, seq = block
    q_begin = cu_q[seq]
    q_len = cu_q[seq + 1] - q_begin
    tile_q = bx * BLOCK_M
    if tile_q >= q_len:
        return {}
    source = keys[seq]
    k_rows, v_rows = key_rows(source, layer)
    hk = h // (heads // kv_heads)
    q_stride, kv_stride = heads * D, kv_heads * D
    k_smem, v_smem = Shared(BLOCK_N * PITCH), Shared(BLOCK_N * PITCH)
    k_base = v_base = 0  # separate arrays; byte addresses relative to each

    def load_tile(smem, src_head, tile_start):
        chunks_per_row = D // 8
        for tid in range(THREADS):
            c = tid
            while c < BLOCK_N * chunks_per_row:
                row, col = c // chunks_per_row, (c % chunks_per_row) * 8
                key = tile_start + row
                valid = key < k_tile_len
                dst = (row * PITCH + col)
                for e in range(8):
                    smem.mem[dst + e] = src_head(key, col + e) if valid else 0
                c += THREADS

    k_head = lambda key, d: k[k_rows + key * kv_stride + hk * D + d]
    v_head = lambda key, d: v[v_rows + key * kv_stride + hk * D + d]
    last_row = min(tile_q + BLOCK_M - 1, q_len - 1)
    k_tile_len = visible_keys(source, last_row, causal_block)
    all_tiles = (k_tile_len + BLOCK_N - 1) // BLOCK_N
    first_tile = split * all_tiles // splits
    end_tile = (split + 1) * all_tiles // splits
    out = {}
    warps = []
    for warp in range(4):
        lanes = []
        for lane in range(32):
            group, quad = lane >> 2, lane & 3
            r0 = tile_q + warp * 16 + group
            r1 = r0 + 8
            qa = []
            for ks in range(KSTEPS):
                col = ks * 16 + quad * 2
                def ld(row, c, valid):
                    if not valid:
                        return 0
                    base = (q_begin + row) * q_stride + h * D + c
                    return pack(q[base], q[base + 1])
                qa.append((ld(r0, col, r0 < q_len), ld(r1, col, r1 < q_len), ld(r0, col + 8, r0 < q_len), ld(r1, col + 8, r1 < q_len)))
            mat, mrow = lane >> 3, lane & 7
            k_lane = k_base + ((mrow + (mat >> 1) * 8) * PITCH + (mat & 1) * 8) * 2
            v_lane = v_base + ((mrow + (mat & 1) * 8) * PITCH + (mat >> 1) * 8) * 2
            lanes.append(dict(r0=r0, r1=r1, quad=quad, qa=qa, k_lane=k_lane, v_lane=v_lane,
                              k_len0=visible_keys(source, r0, causal_block), k_len1=visible_keys(source, r1, causal_block),
                              o=[[0.0] * 4 for _ in range(DTILES)], m0=-math.inf, m1=-math.inf, l0=0.0, l1=0.0))
        warps.append(lanes)

    for t in range(first_tile, end_tile):
        load_tile(k_smem, k_head, t * BLOCK_N)   # cp.async K[t] (landed by the wait before S)
        load_tile(v_smem, v_head, t * BLOCK_N)   # cp.async V[t] (landed by the wait before P.V)
        for lanes in warps:
            s = [[[0.0] * 4 for _ in range(8)] for _ in range(32)]  # s[lane][n][4]
            for ks in range(KSTEPS):
                for np_ in range(4):
                    addrs = [lanes[l]["k_lane"] + (np_ * 16 * PITCH + ks * 16) * 2 for l in range(32)]
                    regs = ldmatrix_x4(k_smem, addrs, trans=False)
                    a = [lanes[l]["qa"][ks] for l in range(32)]
                    acc = mma_16816([s[l][2 * np_] for l in range(32)], a, [r[0] for r in regs], [r[1] for r in regs])
                    for l in range(32):
                        s[l][2 * np_] = acc[l]
                    acc = mma_16816([s[l][2 * np_ + 1] for l in range(32)], a, [r[2] for r in regs], [r[3] for r in regs])
                    for l in range(32):
                        s[l][2 * np_ + 1] = acc[l]
            # mask + scale + row max (per lane, then across the quad)
            mx0, mx1 = [-math.inf] * 32, [-math.inf] * 32
            scale_log2 = f32(f32(1.0 / math.sqrt(D)) * f32(1.4426950408889634))
            for l in range(32):
                key0 = t * BLOCK_N + lanes[l]["quad"] * 2
                n0, n1 = lanes[l]["k_len0"], lanes[l]["k_len1"]
                for n in range(8):
                    key = key0 + n * 8
                    sn = s[l][n]
                    sn[0] = f32(sn[0] * scale_log2) if key < n0 else -math.inf
                    sn[1] = f32(sn[1] * scale_log2) if key + 1 < n0 else -math.inf
                    sn[2] = f32(sn[2] * scale_log2) if key < n1 else -math.inf
                    sn[3] = f32(sn[3] * scale_log2) if key + 1 < n1 else -math.inf
                    mx0[l] = max(mx0[l], sn[0], sn[1])
                    mx1[l] = max(mx1[l], sn[2], sn[3])
            for off in (1, 2):
                mx0 = [max(mx0[l], mx0[l ^ off]) for l in range(32)]
                mx1 = [max(mx1[l], mx1[l ^ off]) for l in range(32)]
            pa = []
            for l in range(32):
                L = lanes[l]
                m0n, m1n = max(L["m0"], mx0[l]), max(L["m1"], mx1[l])
                b0 = 0.0 if m0n == -math.inf else m0n
                b1 = 0.0 if m1n == -math.inf else m1n
                c0, c1 = exp2f(L["m0"] - b0), exp2f(L["m1"] - b1)
                L["m0"], L["m1"] = m0n, m1n
                sum0 = sum1 = 0.0
                for n in range(8):
                    sn = s[l][n]
                    sn[0], sn[1] = exp2f(sn[0] - b0), exp2f(sn[1] - b0)
                    sn[2], sn[3] = exp2f(sn[2] - b1), exp2f(sn[3] - b1)
                    sum0 = f32(sum0 + f32(sn[0] + sn[1]))
                    sum1 = f32(sum1 + f32(sn[2] + sn[3]))
                L["l0"] = f32(L["l0"] * c0 + sum0)
                L["l1"] = f32(L["l1"] * c1 + sum1)
                for d in range(DTILES):
                    o = L["o"][d]
                    o[0], o[1], o[2], o[3] = f32(o[0] * c0), f32(o[1] * c0), f32(o[2] * c1), f32(o[3] * c1)
                regs = []
                for j in range(4):
                    regs.append((pack(f2bf(s[l][2 * j][0]), f2bf(s[l][2 * j][1])), pack(f2bf(s[l][2 * j][2]), f2bf(s[l][2 * j][3])),
                                 pack(f2bf(s[l][2 * j + 1][0]), f2bf(s[l][2 * j + 1][1])), pack(f2bf(s[l][2 * j + 1][2]), f2bf(s[l][2 * j + 1][3]))))
                pa.append(regs)
            for j in range(4):
                for dp in range(DTILES // 2):
                    addrs = [lanes[l]["v_lane"] + (j * 16 * PITCH + dp * 16) * 2 for l in range(32)]
                    regs = ldmatrix_x4(v_smem, addrs, trans=True)
                    a = [pa[l][j] for l in range(32)]
                    acc = mma_16816([lanes[l]["o"][2 * dp] for l in range(32)], a, [r[0] for r in regs], [r[1] for r in regs])
                    for l in range(32):
                        lanes[l]["o"][2 * dp] = acc[l]
                    acc = mma_16816([lanes[l]["o"][2 * dp + 1] for l in range(32)], a, [r[2] for r in regs], [r[3] for r in regs])
                    for l in range(32):
                        lanes[l]["o"][2 * dp + 1] = acc[l]

    for lanes in warps:
        l0 = [lanes[l]["l0"] for l in range(32)]
        l1 = [lanes[l]["l1"] for l in range(32)]
        for off in (1, 2):
            l0 = [f32(l0[l] + l0[l ^ off]) for l in range(32)]
            l1 = [f32(l1[l] + l1[l ^ off]) for l in range(32)]
        if splits > 1:
            for l in range(32):
                L = lanes[l]
                for r, m, lsum, lo in ((L["r0"], L["m0"], l0[l], 0), (L["r1"], L["m1"], l1[l], 2)):
                    if r < q_len:
                        o, _, _ = out.setdefault((q_begin + r, h), ([0.0] * D, m, lsum))
                        for d in range(DTILES):
                            col = d * 8 + L["quad"] * 2
                            o[col], o[col + 1] = L["o"][d][lo], L["o"][d][lo + 1]
            continue
        for l in range(32):
            L = lanes[l]
            inv0 = f32(1.0 / l0[l]) if l0[l] > 0 else 0.0
            inv1 = f32(1.0 / l1[l]) if l1[l] > 0 else 0.0
            for d in range(DTILES):
                col = d * 8 + L["quad"] * 2
                if L["r0"] < q_len:
                    row = q_begin + L["r0"]
                    out[(row, h * D + col)] = f2bf(L["o"][d][0] * inv0)
                    out[(row, h * D + col + 1)] = f2bf(L["o"][d][1] * inv0)
                if L["r1"] < q_len:
                    row = q_begin + L["r1"]
                    out[(row, h * D + col)] = f2bf(L["o"][d][2] * inv1)
                    out[(row, h * D + col + 1)] = f2bf(L["o"][d][3] * inv1)
    return out


def attention_combine(D, partials):
    """attention_combine for one (row, head): the splits weighed by 2^(m_s - m), normalised. Returns D bf16 bits."""
    m = max(p[1] for p in partials)
    base = 0.0 if m == -math.inf else m
    def weighed_sum(values):
        total = 0.0
        for p, value in zip(partials, values):
            total = f32(total + f32(exp2f(f32(p[1] - base)) * value))
        return total
    total = weighed_sum([p[2] for p in partials])
    inv = f32(1.0 / total) if total > 0 else 0.0
    return [f2bf(f32(weighed_sum([p[0][d] for p in partials]) * inv)) for d in range(D)]


def reference(D, q, k, v, keys, layer, heads, kv_heads, seq, h, row, position, causal_block):
    """float64 attention of packed query row `row` (canvas position `position`) over the keys its block may see."""
    hk = h // (heads // kv_heads)
    qs, kvs = heads * D, kv_heads * D
    (kb, vb) = key_rows(keys[seq], layer)
    seen = [j for j in range(keys[seq]["count"]) if causal_block <= 0 or j // causal_block <= position // causal_block]
    qv = [bf2f(q[row * qs + h * D + d]) for d in range(D)]
    if not seen:
        return [0.0] * D
    scores = []
    for j in seen:
        kr = kb + j * kvs + hk * D
        scores.append(sum(qv[d] * bf2f(k[kr + d]) for d in range(D)) / math.sqrt(D))
    m = max(scores)
    p = [math.exp(s - m) for s in scores]
    z = sum(p)
    return [sum(p[i] * bf2f(v[vb + j * kvs + hk * D + d]) for i, j in enumerate(seen)) / z for d in range(D)]


def run_case(name, D, q_lens, k_lens, heads, kv_heads, rng, heads_to_check, layer=0, causal_block=0, first_queries=None, splits=1):
    """Keys packed back to back; with layer > 0 the k/v lists hold layer + 1 such blocks (a cache's layout) and the
    kernel must read block `layer`. With causal_block > 0 sequence s's first query sits at first_queries[s]. With
    splits > 1 every split of a block runs and attention_combine joins them."""
    first_queries = first_queries or [0] * len(q_lens)
    cu_q, cu_k = [0], [0]
    for a, b in zip(q_lens, k_lens):
        cu_q.append(cu_q[-1] + a)
        cu_k.append(cu_k[-1] + b)
    kvs = kv_heads * D
    stride = cu_k[-1] * kvs if layer > 0 else 0
    keys = [dict(k=cu_k[s] * kvs, v=cu_k[s] * kvs, layer_stride=stride, count=k_lens[s], first_query=first_queries[s])
            for s in range(len(k_lens))]
    rand = lambda n, s: [f2bf(s * (2 * rng.random() - 1)) for _ in range(n)]
    q = rand(cu_q[-1] * heads * D, 2.0)
    k = rand((layer + 1) * cu_k[-1] * kvs, 2.0)
    v = rand((layer + 1) * cu_k[-1] * kvs, 1.0)
    if causal_block > 0:
        # Keys no query of the sequence sees hold NaN, as K/V cache rows a block-causal refresh never wrote may.
        for s in range(len(q_lens)):
            last = first_queries[s] + q_lens[s] - 1
            seen = min(k_lens[s], (last // causal_block + 1) * causal_block)
            for lay in range(layer + 1):
                base = lay * stride + cu_k[s] * kvs
                for at in range(base + seen * kvs, base + k_lens[s] * kvs):
                    k[at] = v[at] = f2bf(math.nan)
    worst = 0.0
    written = 0
    for seq in range(len(q_lens)):
        for h in heads_to_check:
            for bx in range((max(q_lens) + BLOCK_M - 1) // BLOCK_M):
                if splits == 1:
                    out = attention_mma(D, q, k, v, cu_q, keys, layer, heads, kv_heads, (bx, h, seq), causal_block)
                else:
                    parts = [attention_mma(D, q, k, v, cu_q, keys, layer, heads, kv_heads, (bx, h, seq), causal_block, sp, splits)
                             for sp in range(splits)]
                    out = {}
                    for (row, _) in parts[0]:
                        for d, bits in enumerate(attention_combine(D, [p[(row, h)] for p in parts])):
                            out[(row, h * D + d)] = bits
                written += len(out)
                rows = sorted({r for (r, _) in out})
                for row in rows:
                    position = first_queries[seq] + row - cu_q[seq]
                    ref = reference(D, q, k, v, keys, layer, heads, kv_heads, seq, h, row, position, causal_block)
                    for d in range(D):
                        got = bf2f(out[(row, h * D + d)])
                        err = abs(got - ref[d])
                        worst = max(worst, err)
                        if not err <= 1e-2 + 1.6e-2 * abs(ref[d]):
                            print(f"FAIL {name}: seq {seq} head {h} row {row} dim {d}: got {got}, expected {ref[d]}")
                            return False
    expected = sum(q_lens) * len(heads_to_check) * D
    if written != expected:
        print(f"FAIL {name}: wrote {written} outputs, expected {expected}")
        return False
    print(f"ok   {name}: {written} outputs, max |err| {worst:.2e}")
    return True


def main():
    rng = random.Random(1234)
    cases = [
        ("d32 varlen q 1/70 kv 1/70 GQA 4:2", 32, [1, 70], [1, 70], 4, 2, [1, 2]),
        ("d64 q 5 over kv 100 (partial second tile)", 64, [5], [100], 2, 2, [1]),
        ("d128 q 17 kv 64 (exactly one tile)", 128, [17], [64], 1, 1, [0]),
        ("d32 empty keys", 32, [3], [0], 1, 1, [0]),
        ("d64 block q 8 over cached kv 70 at layer 2 (K/V cache)", 64, [8, 3], [70, 5], 2, 1, [1], 2),
        ("d32 block-causal 24, whole canvases of 70 and 9 (rows past a tile's keys)", 32, [70, 9], [70, 9], 2, 1, [1], 0, 24, [0, 0]),
        ("d32 block-causal 16, cached window at 40 over kv 90 at layer 1", 32, [30, 5], [90, 20], 2, 2, [0], 1, 16, [40, 15]),
        ("d32 keys split 3 ways: q 4 over kv 200 (4 tiles: 1, 1, 2) and kv 30 (1 tile: none, none, 1)", 32, [4, 3], [200, 30], 2, 1, [1], 0, 0, None, 3),
        ("d32 empty keys split 2 ways", 32, [3], [0], 1, 1, [0], 0, 0, None, 2),
        ("d32 block-causal 32, keys split 2 ways: q 140 over kv 140 (early rows masked in split 2)", 32, [140], [140], 1, 1, [0], 0, 32, [0], 2),
    ]
    ok = all(run_case(*c[:6], rng, *c[6:]) for c in cases)
    print("emulate_attention_mma: " + ("all cases match" if ok else "MISMATCH"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
