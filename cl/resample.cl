/* SPDX-License-Identifier: MIT */
/* resample.cl — the separable resampling engine behind interpolate.
 *
 * Every mode is a per-axis table computed on the host (src/ops/interpolate.c):
 * for each output index along a spatial axis, the source index of each tap
 * (already clamped or dropped as the mode's border rule says) and, for the
 * weighted kernel, its weight.
 *
 * The host iterates the 5 dimensions (N, C, D, H, W; missing spatial dims
 * have size 1) in memory order of the output: iteration dim 0 is the one
 * with the smallest output stride (W for NCHW, C for channels-last; the
 * host swaps in dim 1 when a copied dim 0 is shorter than 16) and is
 * global id 0; dim 1 is global id 1; dims 2..4 are folded into global id 2.
 * osz/ost/ist hold output sizes, output strides and input strides in that
 * order; toff[k] is the offset of dim k's table in `tab`, or -1 when the
 * dim is not resampled (N, C).
 *
 * Launch (src/ops/interpolate.c): local size (lx, 1, 1), global sizes of
 * dims 1 and 2 exact. The kernels are written for PoCL's horizontal
 * vectorisation across work-items: everything that depends on dims 1..4 is
 * uniform over a work-group, tap counts are compile-time, dropped taps are
 * selects, not branches, and only the final store may be conditional.
 *
 * Kernels:
 *   clrs_gather   (-D ELEM_T=uchar|ushort|uint|ulong) one tap per axis
 *                 (tab: source offsets, toff[k] + i_k), copies the
 *                 element's bits: bit-exact for every dtype.
 *   clrs_resample weighted taps: -D SRC, DST (f32 f64 f16 bf16 u8 u16),
 *                 ACC (float or double), WT (weight type: float, double,
 *                 or int for FIXED), T0..T4 (taps of iteration dims 0..4,
 *                 1 for dims that are copied), R0..R4 and DROP (below).
 *                 Entry (source offset = index x the axis' input stride,
 *                 weight) of tap t of output i_k along dim k is at
 *                 toff[k] + t * osz[k] + i_k in tidx/tw; an offset of -1
 *                 is a dropped tap (antialias, area). Sums are nested:
 *                 the innermost iteration dim is summed first.
 *                 -D FIXED=1: PyTorch's uint8 fixed-point pass: integer
 *                 weights with `prec` fraction bits, accumulator starting at
 *                 1 << (prec - 1), result >> prec clamped to [0, 255].
 *   Both also take -D IDX, IS0, OS0, EXACT0, SPLIT2 (below); clrs_resample
 *   also -D WIDE.
 */

#ifndef ELEM_T
#define ELEM_T uint
#endif

/* R0..R4 (0 or 1): whether iteration dim k is resampled (has a table);
 * compile-time, so copied dims cost nothing. */
#ifndef R0
#define R0 1
#endif
#ifndef R1
#define R1 1
#endif
#ifndef R2
#define R2 1
#endif
#ifndef R3
#define R3 1
#endif
#ifndef R4
#define R4 1
#endif
/* IDX: type of the table entries (int when the host proved every entry
 * and dim 0's copied offsets fit in 32 bits, else long). Entries are
 * source offsets already multiplied by the axis' input stride; tables are
 * tap-major: dim k, tap t, output i at toff.s<k> + t * osz.s<k> + i, so that
 * consecutive work-items (dim 0) read consecutive entries. IS0 / OS0 (0 or
 * 1): dim 0 has input / output stride 1 (compile-time, so that loads and
 * stores along x are contiguous). */
#ifndef IDX
#define IDX long
#endif
#ifndef IS0
#define IS0 0
#endif
#ifndef OS0
#define OS0 0
#endif
/* EXACT0 (0 or 1): the global size of dim 0 is exactly osz.s0 */
#ifndef EXACT0
#define EXACT0 0
#endif
/* SPLIT2 (0 or 1): global id 2 spans dims 2..4 (osz.s3 or osz.s4 > 1) */
#ifndef SPLIT2
#define SPLIT2 1
#endif
#define OFF0(i) (IS0 ? (IDX)(i) : (IDX)((i) * ist.s0))
#define DOFF0(i) (OS0 ? (i) : (i) * (IDX)ost.s0)
#define MAPK(k, i) (R##k ? (long)tab[toff.s##k + (long)(i)] : (long)(i) * ist.s##k)

/* Global ids. Dims 1 and 2 are launched with exact global sizes (local
 * size 1 along dim 2, a divisor of dim 1 along dim 1), so i1..i4 are
 * always in range and uniform across PoCL's innermost work-item loop
 * (along dim 0): everything derived from them is computed once per row.
 * Dim 0 is rounded up to the local size: i0 is clamped (ok0 says whether
 * the work-item is real) so that the body has no divergent branch and only
 * the final store is conditional. */
#ifndef GC
#define GC 0
#endif
/* i2, i3, i4 from global id 2: with SPLIT2, dims 3 and 4 were not folded
 * away by the host and global id 2 runs over dims 2..4 */
#define SPLIT_G2(g2)                  \
    long i2 = (g2), i3 = 0, i4 = 0;   \
    if (SPLIT2) {                     \
        i2 = (g2) % osz.s2;           \
        long r_ = (g2) / osz.s2;      \
        i3 = r_ % osz.s3;             \
        i4 = r_ / osz.s3;             \
    }
#define SPLIT_IDS()                                                                    \
    IDX x0_ = (IDX)get_global_id(0);                                                   \
    int ok0 = EXACT0 || x0_ < osz.s0;                                                  \
    IDX i0 = ok0 ? x0_ : (IDX)(osz.s0 - 1);                                            \
    long i1 = (long)get_global_id(1);                                                  \
    long g2 = (long)get_global_id(2);                                                  \
    SPLIT_G2(g2)

#ifndef VNEAR
#define VNEAR 0
#endif
#if VNEAR
/* VNEAR = k (2..4): dim 0 upsampled by the integer factor k with unit
 * strides, every output i0 taking input i0 / k (nearest and nearest-exact
 * x2..x4 along W; the host checks the table): a work-item per row copies
 * 16 inputs at a time into k vectors of 16 outputs, lane l of output
 * vector u being input (16u + l) / k: one load, k permutes and k stores
 * instead of a gathered table entry and a gathered element per output. A
 * row that is not whole chunks ends with the chunk of its last 16 inputs,
 * overlapping the previous one inside the work-item (same values). */
#define VN_T CLRS_CAT(ELEM_T, 16)
#if defined(__clang__)
typedef ELEM_T clrs_vn16 __attribute__((ext_vector_type(16), aligned(sizeof(ELEM_T))));
#define VN_LD(p) (*(__global const clrs_vn16 *)(p))
#define VN_ST(v, p) (*(__global clrs_vn16 *)(p) = (v))
#else
#define VN_LD(p) vload16(0, (p))
#define VN_ST(v, p) vstore16((v), 0, (p))
#endif
#define VN_PICK(a, u, l) (a)[(16 * (u) + (l)) / VNEAR]
#define VN_LANES(a, u)                                                                                      \
    (VN_PICK(a, u, 0), VN_PICK(a, u, 1), VN_PICK(a, u, 2), VN_PICK(a, u, 3), VN_PICK(a, u, 4), VN_PICK(a, u, 5), \
     VN_PICK(a, u, 6), VN_PICK(a, u, 7), VN_PICK(a, u, 8), VN_PICK(a, u, 9), VN_PICK(a, u, 10),                \
     VN_PICK(a, u, 11), VN_PICK(a, u, 12), VN_PICK(a, u, 13), VN_PICK(a, u, 14), VN_PICK(a, u, 15))
__attribute__((always_inline)) inline void clrs_vnear_chunk(__global const ELEM_T *s, __global ELEM_T *d, long m)
{
    const VN_T a = VN_LD(s + m);
#pragma unroll
    for (int u = 0; u < VNEAR; u++) VN_ST((VN_T)VN_LANES(a, u), d + VNEAR * m + 16 * u);
}
#endif

__kernel void clrs_gather(__global const ELEM_T *src, long src_off, __global ELEM_T *dst, long dst_off,
                          __global const IDX *tab, long8 osz, long8 ost, long8 ist, long8 toff)
{
#if VNEAR
    const long i1 = (long)get_global_id(1), g2 = (long)get_global_id(2);
    SPLIT_G2(g2)
    __global const ELEM_T *s = src + (src_off + MAPK(1, i1) + MAPK(2, i2) + MAPK(3, i3) + MAPK(4, i4));
    __global ELEM_T *d = dst + (dst_off + i1 * ost.s1 + i2 * ost.s2 + i3 * ost.s3 + i4 * ost.s4);
    const long nin = osz.s0 / VNEAR; /* >= 16 (the host checks) */
    for (long m = 0; m + 16 <= nin; m += 16) clrs_vnear_chunk(s, d, m);
    if (nin % 16 != 0) clrs_vnear_chunk(s, d, nin - 16);
#else
    SPLIT_IDS()
#if GC
    /* GC = C: dim 1 is C <= 8 unit-stride channels of a channels-last
     * tensor (dim 0's stride), copied by one work-item with the stride
     * compile-time (a runtime stride left PoCL's scalar loop running) */
    (void)i1;
    __global const ELEM_T *s = src + (src_off + MAPK(2, i2) + MAPK(3, i3) + MAPK(4, i4));
    __global ELEM_T *d = dst + (dst_off + i2 * ost.s2 + i3 * ost.s3 + i4 * ost.s4);
    const long so = R0 ? (long)tab[toff.s0 + i0] : (long)i0 * GC;
#pragma unroll
    for (int c = 0; c < GC; c++) {
        ELEM_T v = s[so + c];
        if (ok0) d[(long)i0 * GC + c] = v;
    }
#else
    __global const ELEM_T *s =
        src + (src_off + MAPK(1, i1) + MAPK(2, i2) + MAPK(3, i3) + MAPK(4, i4));
    __global ELEM_T *d = dst + (dst_off + i1 * ost.s1 + i2 * ost.s2 + i3 * ost.s3 + i4 * ost.s4);
    ELEM_T v = s[R0 ? tab[toff.s0 + i0] : OFF0(i0)];
    if (ok0) d[DOFF0(i0)] = v;
#endif
#endif /* VNEAR */
}

#ifdef SRC
#define SRC_T CLRS_CAT(PTR_, SRC)
#define DST_T CLRS_CAT(PTR_, DST)
#define LOAD_SRC(p, i) CLRS_CAT(LD_, SRC)(p, i)
#define STORE_DST(p, i, v) CLRS_CAT(ST_, DST)(p, i, v)
#ifndef T0
#define T0 1
#endif
#ifndef T1
#define T1 1
#endif
#ifndef T2
#define T2 1
#endif
#ifndef T3
#define T3 1
#endif
#ifndef T4
#define T4 1
#endif
#ifndef FIXED
#define FIXED 0
#endif

#ifndef DROP
#define DROP 1
#endif
/* One tap of iteration dim k (>= 1): its source offset o (0 for a dropped
 * tap, which ok = 0 marks; only with -D DROP=1) and weight w; copied dims
 * (R_k == 0) take o = i * stride, w = 1. Dropped taps are skipped with
 * selects, not branches, so that the work-item loop stays vectorisable. */
#define TAP(k, tk, i, o, w, ok)                                   \
    long o = (i) * ist.s##k;                                      \
    WT w = (WT)1;                                                 \
    int ok = 1;                                                   \
    if (R##k) {                                                   \
        long e_ = toff.s##k + (long)(tk) * osz.s##k + (i);        \
        IDX j_ = tidx[e_];                                        \
        ok = !DROP || j_ >= 0;                                    \
        o = ok ? (long)j_ : 0;                                    \
        w = tw[e_];                                               \
    }
/* WIDE (0 or 1): an 8- or 16-bit source is read as the aligned 32-bit word
 * that holds the element, then shifted: PoCL gathers 32-bit words in
 * hardware but narrower ones element by element. The host enables it with
 * int offsets and when the source buffer holds the whole last word. */
#ifndef WIDE
#define WIDE 0
#endif
#define WSH_u8 2
#define WSH_u16 1
#define WSH_f16 1
#define WSH_bf16 1
#define WSH_f32 0
#define WSH_f64 0
#define WVAL_u8(b) ((uchar)(b))
#define WVAL_u16(b) ((ushort)(b))
#define WVAL_f16(b) clrs_h2f((b) & 0xffffu)
#define WVAL_bf16(b) clrs_bf16_to_f32((ushort)(b))
/* x86 with F16C under clang >= 15 (PoCL's CPU devices): half <-> float by
 * the hardware (vcvtph2ps / vcvtps2ph, 16 lanes an instruction) through
 * clang's _Float16, instead of the integer sequences below that bound the
 * f16 kernels. Both give the same bits as the integer forms for every
 * non-NaN value (checked exhaustively, all 2^16 halves and 2^32 floats, on
 * PoCL 3.1); NaNs: see each function. Elsewhere (GPUs, other compilers)
 * the integer forms, which are OpenCL C 1.2. */
#if defined(__F16C__) && defined(__clang__) && __clang_major__ >= 15 && !defined(CLRS_NO_F16C)
#define CLRS_F16C 1
#else
#define CLRS_F16C 0
#endif
/* IEEE half bits to float, exactly as vload_half (a NaN keeps its payload;
 * every use goes through arithmetic, which quiets it as vload_half would;
 * F16C quiets it at once: the same after arithmetic) */
inline float clrs_h2f(uint h)
{
#if CLRS_F16C
    union {
        ushort u;
        _Float16 f;
    } v;
    v.u = (ushort)h;
    return (float)v.f;
#else
    uint em = h & 0x7fffu, s = (h & 0x8000u) << 16;
    float f = as_float((em << 13) + 0x38000000u);               /* normal */
    f = em < 0x0400u ? (float)(int)em * 0x1p-24f : f;            /* zero, subnormal */
    f = em >= 0x7c00u ? as_float((em << 13) | 0x7f800000u) : f; /* inf, NaN */
    return as_float(as_uint(f) | s);
#endif
}
#define WSH CLRS_CAT(WSH_, SRC)
/* float bits to IEEE half bits, round to nearest even, exactly as PoCL's
 * vstore_half_rte (checked for all 2^32 floats on the device; a NaN gives
 * sign | 0x7fff as PoCL does), in integer selects that vectorise: PoCL's
 * vstore_half_rte is a long software sequence per element. */
inline ushort clrs_f2h_rte(uint x)
{
    uint a = x & 0x7fffffffu, s = (x >> 16) & 0x8000u;
#if CLRS_F16C
    /* the hardware keeps the NaN's payload; PoCL's sign | 0x7fff instead */
    union {
        ushort u;
        _Float16 f;
    } v;
    v.f = (_Float16)as_float(x);
    /* (a NaN converts to s | 0x7e00 | payload: the low 15 bits set give
     * s | 0x7fff, as in clrs_vper_f2h) */
    return v.u | (a > 0x7f800000u ? (ushort)0x7fffu : (ushort)0);
#else
    /* normal half (a >= 2^-14): rebias, round on the 13 dropped bits (the
     * carry may step the exponent, up to 0x7c00 = inf, where it clamps) */
    uint hn = min((a - 0x38000000u + 0xfffu + ((a >> 13) & 1u)) >> 13, 0x7c00u);
    /* subnormal half (or zero): the 24-bit significand shifted right by
     * sh = 126 - exponent (>= 14 here; clamped to 31, which gives 0 with
     * a remainder below half), rounded on the remainder */
    uint sh = min(126u - min(a >> 23, 126u), 31u);
    uint m = (a & 0x7fffffu) | 0x800000u;
    uint k = m >> sh, r = m & ((1u << sh) - 1u), hf = 1u << (sh - 1u);
    k += (r > hf || (r == hf && (k & 1u))) ? 1u : 0u;
    uint h = a < 0x38800000u ? k : hn;
    h = a > 0x7f800000u ? 0x7fffu : h;
    return (ushort)(h | s);
#endif
}
/* SRC == f16: loads as 16-bit integers converted by clrs_h2f (the same
 * value as vload_half, in selects that vectorise) */
#define CLRS_F16SRC_f16 1
#define CLRS_U8SRC_u8 1
#if CLRS_CAT(CLRS_F16SRC_, SRC)
#undef LOAD_SRC
#define LOAD_SRC(p, i) clrs_h2f(((__global const ushort *)(p))[i])
#endif
/* restrict (the library never lets an output overlap an input, and the
 * tables are its own buffers) lets PoCL hoist the tables of dims 1..4 out
 * of its work-item loop in the general kernel, so that with a copied dim 0
 * (the H pass of a separable resize) the loads along x are contiguous
 * instead of gathered: W11's H pass 4.4 -> 0.67 ms, W3 channels-last 17.3
 * -> 15.5 ms. Measured slower, so not there: the periodic and edge kernels
 * (W3 NCHW 18.8 -> 42 ms) and f16 sources (W12 channels-last 7.0 -> 7.9).
 * On the kernel's arguments only: restrict parameters of an inlined
 * function make LLVM emit llvm.experimental.noalias.scope.decl, which
 * Oclgrind cannot run. */
#ifndef RS_RESTRICT
#if (defined(PER) && PER) || (defined(EDGE) && EDGE) || CLRS_CAT(CLRS_F16SRC_, SRC)
#define RS_RESTRICT
#else
#define RS_RESTRICT restrict
#endif
#endif
/* DST == f16 (CLRS_F16DST_<other> is an undefined name, 0 in #if) */
#define CLRS_F16DST_f16 1
#if CLRS_CAT(CLRS_F16DST_, DST)
#undef STORE_DST
#define STORE_DST(p, i, v) (((__global ushort *)(p))[i] = clrs_f2h_rte(as_uint((float)(v))))
#endif
/* a += w * v, or a unchanged for a dropped tap */
#if FIXED
/* the uint8 weights are int16 by construction (interp_weights.c): saying
 * so lets LLVM multiply 16-bit pairs (vpmaddwd) instead of 32-bit lanes */
#define ACCUM(a, w, v, ok) a = (ok) ? a + (int)(short)(w) * (int)(v) : a
#else
#define ACCUM(a, w, v, ok) a = (ok) ? a + (ACC)(w) * (v) : a
#endif

/* The sum of iteration dim k >= 1 over its taps: a copied dim (R_k = 0:
 * one tap, weight 1) passes the inner sum on as it is. Bit-identical with
 * accumulating it from +0 like the resampled dims: the inner sum started
 * from +0 itself (dim 0 always does), so it is never -0 (nor a signalling
 * NaN), and +0 + x is then x. (LLVM cannot prove that and kept one vaddps
 * per output vector: W12's vector form.) */
#define ACCUM_K(k, a, w, v, ok) \
    if (R##k)                   \
        ACCUM(a, w, v, ok);     \
    else                        \
        a = (v)

/* Taps loops unroll fully up to UNROLL_MAX taps; longer ones (strong
 * antialiased downscales: hundreds of taps) stay loops, since a full unroll
 * of those costs the compiler seconds to minutes and buys nothing. The
 * summation order is the same either way. */
#define UNROLL_MAX 32
#define CLRS_UNROLL_YES _Pragma("unroll")
#define CLRS_UNROLL_NO _Pragma("nounroll")
#if T0 <= UNROLL_MAX
#define UNROLL_T0 CLRS_UNROLL_YES
#else
#define UNROLL_T0 CLRS_UNROLL_NO
#endif
#if T1 <= UNROLL_MAX
#define UNROLL_T1 CLRS_UNROLL_YES
#else
#define UNROLL_T1 CLRS_UNROLL_NO
#endif
#if T2 <= UNROLL_MAX
#define UNROLL_T2 CLRS_UNROLL_YES
#else
#define UNROLL_T2 CLRS_UNROLL_NO
#endif
#if T3 <= UNROLL_MAX
#define UNROLL_T3 CLRS_UNROLL_YES
#else
#define UNROLL_T3 CLRS_UNROLL_NO
#endif
#if T4 <= UNROLL_MAX
#define UNROLL_T4 CLRS_UNROLL_YES
#else
#define UNROLL_T4 CLRS_UNROLL_NO
#endif

/* The weighted sum of one output, dims 1..4 at i1..i4. Dim 0's tap t is
 * entry toff.s0 + t * osz.s0 + e0 of the tables, its source offset shifted
 * by s0: the general kernel passes e0 = i0, s0 = 0; the periodic kernel
 * (PER) passes the entry of a reference output of the same phase and the
 * shift to this one, which the host proved gives the same offsets and the
 * same weights. A copied dim 0 (R0 = 0) reads at OFF0(i0). */
/* (always inlined: PoCL vectorises across work-items only within one
 * function; a call per output costs a factor of 8 on f16) */
__attribute__((always_inline)) inline ACC
clrs_rs_sum(__global const SRC_T *src, long src_off, __global const IDX *tidx, __global const WT *tw, long8 osz,
            long8 ist, long8 toff, IDX i0, long e0, IDX s0, long i1, long i2, long i3, long i4)
{
    ACC a4 = 0;
    UNROLL_T4
    for (int t4 = 0; t4 < T4; t4++) {
        TAP(4, t4, i4, o4, w4, k4)
        o4 += src_off;
        ACC a3 = 0;
        UNROLL_T3
        for (int t3 = 0; t3 < T3; t3++) {
            TAP(3, t3, i3, o3, w3, k3)
            o3 += o4;
            ACC a2 = 0;
            UNROLL_T2
            for (int t2 = 0; t2 < T2; t2++) {
                TAP(2, t2, i2, o2, w2, k2)
                o2 += o3;
                ACC a1 = 0;
                UNROLL_T1
                for (int t1 = 0; t1 < T1; t1++) {
                    TAP(1, t1, i1, o1, w1, k1)
#if WIDE
                    /* words from the one holding the row's first element;
                     * rl + o0: the element's index from that word */
                    __global const uint *row = (__global const uint *)src + ((o1 + o2) >> WSH);
                    IDX rl = (IDX)((o1 + o2) & ((1 << WSH) - 1));
#define LOADV(o) CLRS_CAT(WVAL_, SRC)(row[(rl + (o)) >> WSH] >> (((rl + (o)) & ((1 << WSH) - 1)) << (5 - WSH)))
#else
                    __global const SRC_T *row = src + (o1 + o2);
#define LOADV(o) LOAD_SRC(row, o)
#endif
                    ACC a0 = 0;
                    UNROLL_T0
                    for (int t0 = 0; t0 < T0; t0++) {
                        IDX o0 = OFF0(i0);
                        WT w0 = (WT)1;
                        int k0 = 1;
                        if (R0) {
                            long e_ = toff.s0 + (long)t0 * osz.s0 + e0;
                            IDX j_ = tidx[e_];
                            k0 = !DROP || j_ >= 0;
                            o0 = k0 ? j_ + s0 : 0;
                            w0 = tw[e_];
                        }
                        ACCUM(a0, w0, (ACC)LOADV(o0), k0);
                    }
#undef LOADV
                    ACCUM_K(1, a1, w1, a0, k1);
                }
                ACCUM_K(2, a2, w2, a1, k2);
            }
            ACCUM_K(3, a3, w3, a2, k3);
        }
        ACCUM_K(4, a4, w4, a3, k4);
    }
    return a4;
}

#ifndef VPER
#define VPER 0
#endif
#ifndef EDGEV
#define EDGEV 0
#endif
#if VPER
/* VPER = P (1 or 2) with PERQ = Q (1 or 2): the periodic interior of dim 0
 * (f32 or f16 in and out, unit strides) in explicit vectors of VPW = 16 lanes: lane j
 * holds the output P * (m0 + j) + r, whose taps the host proved sit at the
 * reference's offsets shifted by (m0 + j - mref) * Q with the reference's
 * weights. Lane j of a tap reads element o + j * Q: one contiguous load
 * (Q = 1) or the even lanes of two (Q = 2; PoCL's own vectorisation of
 * such loads across work-items gave gathers). The sums nest as in
 * clrs_rs_sum, term by term the same operations, so each lane is what the
 * general kernel gives for its output. */
#define VPW 16
#define VPF float16
#define CLRS_LANES16(f, v)                                                                                      \
    (f((v).s0), f((v).s1), f((v).s2), f((v).s3), f((v).s4), f((v).s5), f((v).s6), f((v).s7), f((v).s8), f((v).s9), \
     f((v).sa), f((v).sb), f((v).sc), f((v).sd), f((v).se), f((v).sf))
/* f32 or f16 (16-bit integers) elements: RAWV, the vector of 16 as stored */
#if CLRS_CAT(CLRS_F16SRC_, SRC)
#define RAWV ushort16
#define RAWE ushort
#else
#define RAWV float16
#define RAWE float
#endif
#if defined(__clang__)
/* clang: whole unaligned vector loads and stores (PoCL's vload16 /
 * vstore16 split into 2-element pieces) */
typedef RAWE clrs_vpu __attribute__((ext_vector_type(16), aligned(sizeof(RAWE))));
#define VPER_LD(p) (*(__global const clrs_vpu *)(p))
#define VPER_ST(v, p) (*(__global clrs_vpu *)(p) = (v))
#else
#define VPER_LD(p) vload16(0, (p))
#define VPER_ST(v, p) vstore16((v), 0, (p))
#endif
#if CLRS_CAT(CLRS_F16SRC_, SRC)
#if CLRS_F16C
typedef _Float16 clrs_h16 __attribute__((ext_vector_type(16)));
#endif
/* half bits to float and float to half bits (round to nearest even, a NaN
 * to sign | 0x7fff), lane by lane the scalar clrs_h2f / clrs_f2h_rte: with
 * F16C one conversion instruction, elsewhere the integer forms */
inline float16 clrs_vper_h2f(ushort16 u)
{
#if CLRS_F16C
    union {
        ushort16 u;
        clrs_h16 h;
    } v;
    v.u = u;
    return __builtin_convertvector(v.h, float16);
#else
    return (float16)CLRS_LANES16(clrs_h2f, u);
#endif
}
#define CLRS_F2H_BITS(x) clrs_f2h_rte(as_uint(x))
inline ushort16 clrs_vper_f2h(float16 x)
{
#if CLRS_F16C
    union {
        ushort16 u;
        clrs_h16 h;
    } v;
    v.h = __builtin_convertvector(x, clrs_h16);
    /* a NaN converts to sign | 0x7e00 | payload bits: setting the low 15
     * bits gives sign | 0x7fff (one masked OR; a select of a computed
     * sign | 0x7fff took twice the instructions) */
    const uint16 b = as_uint16(x);
    return v.u | (convert_ushort16((b & 0x7fffffffu) > 0x7f800000u) & (ushort)0x7fff);
#else
    return (ushort16)CLRS_LANES16(CLRS_F2H_BITS, x);
#endif
}
#define VPER_CVT(r) clrs_vper_h2f(r)
#define VPER_STORE(v, p) VPER_ST(clrs_vper_f2h(v), (__global ushort *)(p))
#else
#define VPER_CVT(r) (r)
#define VPER_STORE(v, p) VPER_ST((v), (p))
#endif
/* The shuffles as vector literals: they compile to the same permutes,
 * and Oclgrind's uninitialized-value plugin runs them (on .even / .odd
 * and on __builtin_shufflevector's upper half it crashed or misreported). */
#define VPER_ZIP_LO(a, b)                                                                                        \
    ((float16)((a).s0, (b).s0, (a).s1, (b).s1, (a).s2, (b).s2, (a).s3, (b).s3, (a).s4, (b).s4, (a).s5, (b).s5, \
               (a).s6, (b).s6, (a).s7, (b).s7))
#define VPER_ZIP_HI(a, b)                                                                                        \
    ((float16)((a).s8, (b).s8, (a).s9, (b).s9, (a).sa, (b).sa, (a).sb, (b).sb, (a).sc, (b).sc, (a).sd, (b).sd, \
               (a).se, (b).se, (a).sf, (b).sf))
/* 16 consecutive elements as floats */
inline float16 clrs_vper_row16(__global const SRC_T *sp)
{
    return VPER_CVT(VPER_LD((__global const RAWE *)sp));
}
/* VPC = C (PERC, 2..8 channels-last channels folded into the work-item):
 * the lanes of a phase are (m, c), VPC vectors of 16 in memory order, lane
 * L = 16 lv + l of vector lv being channel L % VPC of period L / VPC; with
 * Q = 1 its taps are VPC contiguous vectors. With Q = 2 (every other
 * pixel) lane L reads element 2L - L % VPC of the tap: two loads inside the
 * vector's span (at most 32 elements, the host checks) and a compile-time
 * permute, as pool.cl's clrs_win_pcv. */
#if PERC
#define VPC PERC
#else
#define VPC 1
#endif
#define VQ_E(lv, l) (2 * (16 * (lv) + (l)) - (16 * (lv) + (l)) % VPC)
#define VQ_D(lv, l) (VQ_E(lv, l) - VQ_E(lv, 0))
#define VQ_PICK(a, b, lv, l) \
    (VQ_D(lv, l) < 16 ? (a)[VQ_D(lv, l) & 15] : (b)[(VQ_D(lv, l) - (VQ_E(lv, 15) - VQ_E(lv, 0) - 15)) & 15])
#define VPER_LANES16(f, a, b, lv)                                                                                   \
    (f(a, b, lv, 0), f(a, b, lv, 1), f(a, b, lv, 2), f(a, b, lv, 3), f(a, b, lv, 4), f(a, b, lv, 5), f(a, b, lv, 6), \
     f(a, b, lv, 7), f(a, b, lv, 8), f(a, b, lv, 9), f(a, b, lv, 10), f(a, b, lv, 11), f(a, b, lv, 12),             \
     f(a, b, lv, 13), f(a, b, lv, 14), f(a, b, lv, 15))
/* lane vector lv (a constant once the loops over it unroll) of a tap */
__attribute__((always_inline)) inline float16 clrs_vper_load(__global const SRC_T *sp, int lv)
{
    __global const RAWE *p = (__global const RAWE *)sp;
#if PERQ == 1
    return VPER_CVT(VPER_LD(p + 16 * lv));
#elif VPC > 1
    const RAWV a = VPER_LD(p + VQ_E(lv, 0)), b = VPER_LD(p + VQ_E(lv, 15) - 15);
    return VPER_CVT((RAWV)VPER_LANES16(VQ_PICK, a, b, lv));
#else
    const RAWV a = VPER_LD(p), b = VPER_LD(p + 15);
    return VPER_CVT(
        (RAWV)(a.s0, a.s2, a.s4, a.s6, a.s8, a.sa, a.sc, a.se, b.s1, b.s3, b.s5, b.s7, b.s9, b.sb, b.sd, b.sf));
#endif
}
__attribute__((always_inline)) inline VPF
clrs_rs_vsum(__global const SRC_T *src, long src_off, __global const IDX *tidx, __global const WT *tw, long8 osz,
             long8 ist, long8 toff, long e0, IDX s0, long i1, long i2, long i3, long i4, int lv, IDX vb, int r)
{
    VPF a4 = 0;
    UNROLL_T4
    for (int t4 = 0; t4 < T4; t4++) {
        TAP(4, t4, i4, o4, w4, k4)
        o4 += src_off;
        VPF a3 = 0;
        UNROLL_T3
        for (int t3 = 0; t3 < T3; t3++) {
            TAP(3, t3, i3, o3, w3, k3)
            o3 += o4;
            VPF a2 = 0;
            UNROLL_T2
            for (int t2 = 0; t2 < T2; t2++) {
                TAP(2, t2, i2, o2, w2, k2)
                o2 += o3;
                VPF a1 = 0;
                UNROLL_T1
                for (int t1 = 0; t1 < T1; t1++) {
                    TAP(1, t1, i1, o1, w1, k1)
                    __global const SRC_T *row = src + (o1 + o2);
                    VPF a0 = 0;
                    UNROLL_T0
                    for (int t0 = 0; t0 < T0; t0++) {
                        long e_ = toff.s0 + (long)t0 * osz.s0 + e0;
#ifdef VRELS
                        /* the reference's tap offsets from its first kept
                         * tap (at vb, shifted to this chunk) and its dropped
                         * taps, compile-time (-D VRELS, VDROPS): the loads
                         * are a row pointer plus a constant (with the
                         * offsets from the table, the chunk loop of W3
                         * reloaded spilled offsets for every tap) */
                        const int rel_[VPER * T0] = {VRELS}, drop_[VPER * T0] = {VDROPS};
                        int k0 = !drop_[r * T0 + t0];
                        IDX o0 = vb + rel_[r * T0 + t0];
#else
                        IDX j_ = tidx[e_];
                        int k0 = !DROP || j_ >= 0;
                        IDX o0 = k0 ? j_ + s0 : 0;
#endif
                        ACCUM(a0, tw[e_], clrs_vper_load(row + o0, lv), k0);
                    }
                    ACCUM_K(1, a1, w1, a0, k1);
                }
                ACCUM_K(2, a2, w2, a1, k2);
            }
            ACCUM_K(3, a3, w3, a2, k3);
        }
        ACCUM_K(4, a4, w4, a3, k4);
    }
    return a4;
}
#endif

#if VPER
/* The chunk of VPW periods from m0 of row d: P vector sums (of VPC lane
 * vectors each), interleaved for P = 2, stored whole. (Measured and left
 * out: non-temporal stores of 64-byte aligned chunks, W2 large NCHW cold
 * 8.8 -> 9.7 ms.) */
#if VPC > 1
/* P = 2 with VPC channels: output vector u's lane l is element E = 16u + l
 * of the chunk, channel E % VPC of pixel E / VPC, i.e. lane
 * (pixel / 2) * VPC + E % VPC of phase pixel % 2 */
#define VZ_L(u, l) ((((16 * (u) + (l)) / VPC) >> 1) * VPC + (16 * (u) + (l)) % VPC)
#define VZ_PICK(x0, x1, u, l)                                                              \
    ((((16 * (u) + (l)) / VPC) & 1) ? (x1)[VZ_L(u, l) / 16][VZ_L(u, l) % 16] : (x0)[VZ_L(u, l) / 16][VZ_L(u, l) % 16])
#endif
__attribute__((always_inline)) inline void
clrs_vper_chunk(__global DST_T *d, IDX m0, __global const SRC_T *src, long src_off, __global const IDX *tidx,
                __global const WT *tw, long8 osz, long8 ist, long8 toff, long i1, long i2, long i3, long i4)
{
    const IDX mref = (IDX)osz.s5, sh = (m0 - mref) * PERQ * VPC;
    __global DST_T *dc = d + VPER * m0 * VPC;
#ifdef VRELS
    /* VBT: the tap of the reference's phase 0 that the offsets start from */
    const IDX vb = tidx[toff.s0 + (long)VBT * osz.s0 + VPER * mref] + sh;
#else
    const IDX vb = 0;
#endif
#if VPC == 1
    const VPF v0 = clrs_rs_vsum(src, src_off, tidx, tw, osz, ist, toff, (long)(VPER * mref), sh, i1, i2, i3, i4, 0, vb, 0);
#if VPER == 1
    VPER_STORE(v0, dc);
#else
    const VPF v1 =
        clrs_rs_vsum(src, src_off, tidx, tw, osz, ist, toff, (long)(VPER * mref + 1), sh, i1, i2, i3, i4, 0, vb, 1);
    VPER_STORE(VPER_ZIP_LO(v0, v1), dc);
    VPER_STORE(VPER_ZIP_HI(v0, v1), dc + VPW);
#endif
#else /* VPC channels */
    VPF v0[VPC];
    CLRS_UNROLL_YES
    for (int lv = 0; lv < VPC; lv++)
        v0[lv] = clrs_rs_vsum(src, src_off, tidx, tw, osz, ist, toff, (long)(VPER * mref), sh, i1, i2, i3, i4, lv, vb, 0);
#if VPER == 1
    CLRS_UNROLL_YES
    for (int lv = 0; lv < VPC; lv++) VPER_STORE(v0[lv], dc + 16 * lv);
#else
    VPF v1[VPC];
    CLRS_UNROLL_YES
    for (int lv = 0; lv < VPC; lv++)
        v1[lv] =
            clrs_rs_vsum(src, src_off, tidx, tw, osz, ist, toff, (long)(VPER * mref + 1), sh, i1, i2, i3, i4, lv, vb, 1);
    CLRS_UNROLL_YES
    for (int u = 0; u < 2 * VPC; u++) VPER_STORE((VPF)VPER_LANES16(VZ_PICK, v0, v1, u), dc + 16 * u);
#endif
#endif
}
#define VPER_CHUNK(m0) clrs_vper_chunk(d, (m0), src, src_off, tidx, tw, osz, ist, toff, i1, i2, i3, i4)
#endif

#if FIXED
#define RS_STORE(d, i, a) ((d)[i] = (uchar)clamp(((a) + (prec > 0 ? (1 << (prec - 1)) : 0)) >> prec, 0, 255))
#else
#define RS_STORE(d, i, a) STORE_DST(d, i, a)
#endif
#define RS_SUM(i0, e0, s0, i1, i2, i3, i4) \
    clrs_rs_sum(src, src_off, tidx, tw, osz, ist, toff, i0, e0, s0, i1, i2, i3, i4)
#define RS_DST(i1, i2, i3, i4) (dst + (dst_off + (i1) * ost.s1 + (i2) * ost.s2 + (i3) * ost.s3 + (i4) * ost.s4))

#if VPER && EDGEV
/* EDGEV: the outputs of a row outside the interior as the lanes of one
 * 16-wide vector per end (the host proved that each end's taps lie in 16
 * consecutive inputs from toff.s5 / toff.s6): per tap row one contiguous
 * load, each lane's tap picked from it by a permute (not a gather), the
 * tables read 16 entries at a time, dropped taps as selects; per lane the
 * same operations in the same order as clrs_rs_sum. Lanes [elo, ehi) of
 * the window of outputs from ob are stored. */
#define CLRS_TIX(x) t_[x]
inline float16 clrs_vper_perm(float16 v, int16 ix)
{
#if defined(__AVX512F__) && defined(__clang__)
    return __builtin_ia32_permvarsf512(v, ix);
#else
    float t_[16];
    vstore16(v, 0, t_);
    return (float16)CLRS_LANES16(CLRS_TIX, ix);
#endif
}
__attribute__((always_inline)) inline void
clrs_vper_edge(__global DST_T *d, IDX ob, int elo, int ehi, IDX b, __global const SRC_T *src, long src_off,
               __global const IDX *tidx, __global const WT *tw, long8 osz, long8 ist, long8 toff, long i1, long i2,
               long i3, long i4)
{
    const int16 lane = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const int16 on = lane >= elo & lane < ehi;
    VPF a4 = 0;
    UNROLL_T4
    for (int t4 = 0; t4 < T4; t4++) {
        TAP(4, t4, i4, o4, w4, k4)
        o4 += src_off;
        VPF a3 = 0;
        UNROLL_T3
        for (int t3 = 0; t3 < T3; t3++) {
            TAP(3, t3, i3, o3, w3, k3)
            o3 += o4;
            VPF a2 = 0;
            UNROLL_T2
            for (int t2 = 0; t2 < T2; t2++) {
                TAP(2, t2, i2, o2, w2, k2)
                o2 += o3;
                VPF a1 = 0;
                UNROLL_T1
                for (int t1 = 0; t1 < T1; t1++) {
                    TAP(1, t1, i1, o1, w1, k1)
                    const float16 row = clrs_vper_row16(src + (o1 + o2 + b));
                    VPF a0 = 0;
                    UNROLL_T0
                    for (int t0 = 0; t0 < T0; t0++) {
                        const long e_ = toff.s0 + (long)t0 * osz.s0 + ob;
                        const int16 j = convert_int16(CLRS_CAT(vload, 16)(0, tidx + e_));
                        const int16 k0 = DROP ? on & (j >= 0) : on;
                        const float16 v = clrs_vper_perm(row, select((int16)(0), j - (int)b, k0));
                        a0 = select(a0, a0 + convert_float16(vload16(0, tw + e_)) * v, k0);
                    }
                    ACCUM_K(1, a1, w1, a0, k1);
                }
                ACCUM_K(2, a2, w2, a1, k2);
            }
            ACCUM_K(3, a3, w3, a2, k3);
        }
        ACCUM_K(4, a4, w4, a3, k4);
    }
    float t_[16];
    vstore16(a4, 0, t_);
    for (int e = elo; e < ehi; e++) RS_STORE(d, ob + e, t_[e]);
}
#define VPER_EDGE(ob, elo, ehi, b) \
    clrs_vper_edge(d, (ob), (elo), (ehi), (b), src, src_off, tidx, tw, osz, ist, toff, i1, i2, i3, i4)
#endif

#ifndef PER
#define PER 0
#endif
#ifdef CTAPS
typedef uint clrs_u32u __attribute__((aligned(1))); /* an unaligned 32-bit load */
#endif
#ifndef PERQ
#define PERQ 1
#endif
#ifndef EDGE
#define EDGE 0
#endif
#ifndef PERC
#define PERC 0
#endif

/* PER = P (>= 1), PERQ = Q: the periodic interior of a dim 0 with unit
 * strides (or stride C, with PERC): outputs P*m + r (r < P) for m in [osz.s6, osz.s6 + global size)
 * read taps at the offsets of the reference outputs P*osz.s5 + r shifted
 * by (m - osz.s5) * Q (Q in elements: the step in inputs times dim 0's
 * input stride), with the reference's weights. One work-item per m
 * computes its P outputs: the loads are contiguous (Q = 1) or interleaved
 * (Q > 1) across work-items, never gathered, and the stores interleave.
 * The host checked every table entry of the range against the reference
 * (offsets, weight bits, dropped taps), so each result is what the general
 * kernel gives; the outputs outside the range are the EDGE kernel's.
 * Launched with EXACT0 = 1 (the range is a multiple of the local size).
 *
 * EDGE = E (> 0): the E outputs of dim 0 outside the periodic range,
 * osz.s5 of them at the start of each row and the rest from osz.s7 on:
 * the general kernel with global id 0 along dim 1 (a row has only a few
 * edge outputs, so work-groups take many rows) and each work-item
 * computing its row's E outputs in turn (compile-time E: the loop
 * unrolls and PoCL vectorises across the rows; with a work-item per
 * output W10 took 9.5 ms, with this form 8.7). */
__kernel void clrs_resample(__global const SRC_T *RS_RESTRICT src, long src_off, __global DST_T *RS_RESTRICT dst,
                            long dst_off, __global const IDX *RS_RESTRICT tidx, __global const WT *RS_RESTRICT tw,
                            long8 osz, long8 ost, long8 ist, long8 toff, int prec)
{
#if PERC
    /* the folded channels' unit strides, compile-time (a runtime
     * channel offset kept LLVM from grouping the C loads of a tap into
     * interleaved vector loads: gathers) */
    ist.s1 = 1;
    ost.s1 = 1;
#endif
#if VPER
    /* a work-item per row: the outputs before the interior's start mlo
     * (osz.s6), its whole chunks of VPW periods, the chunk that ends at
     * the interior's end mhi (osz.s7), which may overlap the last whole
     * one (the overlap written twice with the same values; element-wise
     * stores of a partial chunk instead cost W2 large 2-3 ms), and the
     * outputs from P * mhi on */
    const long i1 = (long)get_global_id(1), g2 = (long)get_global_id(2);
    const IDX mlo = (IDX)osz.s6, mhi = (IDX)osz.s7, nv = (mhi - mlo) / VPW;
    SPLIT_G2(g2)
    __global DST_T *d = RS_DST(i1, i2, i3, i4);
#if EDGEV
    if (mlo > 0) VPER_EDGE(0, 0, VPER * (int)mlo, (IDX)toff.s5);
#else
    for (IDX i0 = 0; i0 < VPER * mlo; i0++) {
        CLRS_UNROLL_YES
        for (int c = 0; c < VPC; c++) {
            ACC a = RS_SUM(i0, (long)i0, (IDX)0, i1 + c, i2, i3, i4);
            RS_STORE(d, i0 * VPC + c, a);
        }
    }
#endif
    for (IDX k = 0; k < nv; k++) VPER_CHUNK(mlo + k * VPW);
    if (mlo + nv * VPW < mhi) VPER_CHUNK(mhi - VPW);
#if EDGEV
    if (VPER * mhi < (IDX)osz.s0)
        VPER_EDGE((IDX)osz.s0 - 16, 16 - (int)((IDX)osz.s0 - VPER * mhi), 16, (IDX)toff.s6);
#else
    for (IDX i0 = VPER * mhi; i0 < (IDX)osz.s0; i0++) {
        CLRS_UNROLL_YES
        for (int c = 0; c < VPC; c++) {
            ACC a = RS_SUM(i0, (long)i0, (IDX)0, i1 + c, i2, i3, i4);
            RS_STORE(d, i0 * VPC + c, a);
        }
    }
#endif
#elif PER
    const IDX m = (IDX)(osz.s6 + (long)get_global_id(0)), mref = (IDX)osz.s5;
    const long g2 = (long)get_global_id(2);
    SPLIT_G2(g2)
    /* PERC = C > 0: dim 1 is a copied dim of C elements with unit strides
     * inside dim 0 (channels-last with few channels): folded into the
     * work-item (global size 1 along it), so that dim 0's stride C is
     * compile-time and the accesses interleave instead of gathering */
    CLRS_UNROLL_YES
    for (int c = 0; c < (PERC ? PERC : 1); c++) {
        const long i1 = PERC ? (long)c : (long)get_global_id(1);
        __global DST_T *d = RS_DST(i1, i2, i3, i4);
        CLRS_UNROLL_YES
        for (int r = 0; r < PER; r++) {
            ACC a = RS_SUM((IDX)(PER * m + r), (long)(PER * mref + r), (IDX)((m - mref) * PERQ), i1, i2, i3, i4);
            RS_STORE(d, (PER * m + r) * (PERC ? PERC : 1), a);
        }
    }
#elif EDGE
    const long x1 = (long)get_global_id(0), g2 = (long)get_global_id(2);
    const int ok1 = EXACT0 || x1 < osz.s1;
    const long i1 = ok1 ? x1 : osz.s1 - 1;
    SPLIT_G2(g2)
#if EDGE * T0 * T1 * T2 * T3 * T4 <= UNROLL_MAX * 4
    CLRS_UNROLL_YES
#else
    CLRS_UNROLL_NO
#endif
    for (int e = 0; e < EDGE; e++) {
        const IDX i0 = (IDX)(e < osz.s5 ? e : osz.s7 + (e - osz.s5));
        ACC a = RS_SUM(i0, (long)i0, (IDX)0, i1, i2, i3, i4);
        if (ok1) RS_STORE(RS_DST(i1, i2, i3, i4), DOFF0(i0), a);
    }
#elif defined(CTAPS) && PERC == 3 && FIXED && CLRS_CAT(CLRS_U8SRC_, SRC)
    /* u8 RGB(-like) channels-last along W, every output's T0 taps being T0
     * consecutive pixels from the one in its tap-0 entry (the host rewrote
     * the tables, rs_contiguous_taps: windows inside the row, weight 0 for
     * the pixels that are not taps, T0 a multiple of 4): the window's
     * 3 * T0 bytes are 3 * T0 / 4 unaligned 32-bit loads (gathers across
     * work-items; two per tap in the form below), each tap's channels
     * bytes of them at constant shifts. Exact integer sums: the same
     * results. */
    SPLIT_IDS()
    (void)i1;
    __global const uchar *win =
        (__global const uchar *)src + (src_off + i2 * ist.s2 + i3 * ist.s3 + i4 * ist.s4 + (long)tidx[toff.s0 + i0]);
    uint wd[3 * T0 / 4];
    CLRS_UNROLL_YES
    for (int k = 0; k < 3 * T0 / 4; k++) wd[k] = *(__global const clrs_u32u *)(win + 4 * k);
    int a0 = 0, a1 = 0, a2 = 0;
    CLRS_UNROLL_YES
    for (int t0 = 0; t0 < T0; t0++) {
        const int w0 = (short)tw[toff.s0 + (long)t0 * osz.s0 + (long)i0]; /* int16: vpmaddwd (see ACCUM) */
        a0 += w0 * (int)((wd[(3 * t0) / 4] >> (8 * ((3 * t0) % 4))) & 0xffu);
        a1 += w0 * (int)((wd[(3 * t0 + 1) / 4] >> (8 * ((3 * t0 + 1) % 4))) & 0xffu);
        a2 += w0 * (int)((wd[(3 * t0 + 2) / 4] >> (8 * ((3 * t0 + 2) % 4))) & 0xffu);
    }
    if (ok0) {
        __global DST_T *d = RS_DST(0, i2, i3, i4);
        RS_STORE(d, i0 * 3, a0);
        RS_STORE(d, i0 * 3 + 1, a1);
        RS_STORE(d, i0 * 3 + 2, a2);
    }
#elif PERC == 3 && WIDE && FIXED && R0 && !R1 && !R2 && !R3 && !R4 && CLRS_CAT(CLRS_U8SRC_, SRC)
    /* u8 RGB(-like) channels-last along W (the W pass of an image resize):
     * per tap, the two aligned words that hold the pixel's 3 bytes (not one
     * gather per channel); exact integer sums, so the same results */
    SPLIT_IDS()
    (void)i1;
    const long base = src_off + i2 * ist.s2 + i3 * ist.s3 + i4 * ist.s4;
    __global const uint *words = (__global const uint *)src;
    int a0 = 0, a1 = 0, a2 = 0;
    UNROLL_T0
    for (int t0 = 0; t0 < T0; t0++) {
        const long e_ = toff.s0 + (long)t0 * osz.s0 + (long)i0;
        const IDX j_ = tidx[e_];
        const int k0 = !DROP || j_ >= 0;
        const long b = base + (k0 ? (long)j_ : 0);
        const ulong v = ((ulong)words[(b + 2) >> 2] << 32 | (ulong)words[b >> 2]) >> ((b & 3) << 3);
        const int w0 = (short)tw[e_]; /* int16 by construction: vpmaddwd (see ACCUM) */
        a0 = k0 ? a0 + w0 * (int)(v & 0xff) : a0;
        a1 = k0 ? a1 + w0 * (int)((v >> 8) & 0xff) : a1;
        a2 = k0 ? a2 + w0 * (int)((v >> 16) & 0xff) : a2;
    }
    if (ok0) {
        __global DST_T *d = RS_DST(0, i2, i3, i4);
        RS_STORE(d, i0 * 3, a0);
        RS_STORE(d, i0 * 3 + 1, a1);
        RS_STORE(d, i0 * 3 + 2, a2);
    }
#elif PERC
    /* the general kernel with dim 1 (C <= 8 unit-stride channels of a
     * channels-last tensor) folded into the work-item, as in PER: dim 0's
     * stride C is compile-time, so the stores interleave (a runtime stride
     * made PoCL run its scalar loop) and the tap tables are read once for
     * the C outputs */
    SPLIT_IDS()
    (void)i1;
    CLRS_UNROLL_YES
    for (int c = 0; c < PERC; c++) {
        ACC a = RS_SUM(i0, (long)i0, (IDX)0, (long)c, i2, i3, i4);
        if (ok0) RS_STORE(RS_DST((long)c, i2, i3, i4), i0 * PERC, a);
    }
#else
    SPLIT_IDS()
    ACC a = RS_SUM(i0, (long)i0, (IDX)0, i1, i2, i3, i4);
    if (ok0) RS_STORE(RS_DST(i1, i2, i3, i4), DOFF0(i0), a);
#endif
}
#endif
