/* SPDX-License-Identifier: MIT */
/* resample_common.cl — what the resampling engine's kernels share: the
 * iteration geometry (also clrs_gather's, cl/gather.cl) and, with -D SRC,
 * the weighted sums (TAP, ACCUM, the tap-loop nest clrs_rs_sum) used by
 * cl/resample.cl, cl/resample_vec.cl and cl/resample_u8.cl.
 * Programs (src/kernels.c PROGRAMS[]): common, [half,] resample_common,
 * then the family's file; the host (src/ops/resample_engine.c) picks one
 * implementation and sets every flag below.
 *
 * Every mode is a per-axis table computed on the host: for each output
 * index along a spatial axis, the source index of each tap (already
 * clamped or dropped as the mode's border rule says) and, for the weighted
 * kernels, its weight.
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
 * Launch: local size (lx, ly, 1), global sizes of dims 1 and 2 exact. The
 * kernels are written for PoCL's horizontal vectorisation across
 * work-items: everything that depends on dims 1..4 is uniform over a
 * work-group, tap counts are compile-time, dropped taps are selects, not
 * branches, and only the final store may be conditional.
 *
 * Flags (-D; all set by the host for every build of the family):
 *   flag        values              meaning
 *   R0..R4      0, 1                iteration dim k is resampled (has a table)
 *   IDX         int, long           table entry / dim-0 offset type
 *   IS0, OS0    0, 1                dim 0 has input / output stride 1
 *   EXACT0      0, 1                the global size of dim 0 is osz.s0
 *   SPLIT2      0, 1                global id 2 spans dims 2..4
 * weighted kernels only (-D SRC present):
 *   SRC, DST    f32 f64 f16 bf16 u8 u16   storage types
 *   ACC, WT     float double int    accumulator and weight types
 *   FIXED       0, 1                PyTorch's uint8 fixed-point pass
 *   T0..T4      >= 1                taps of iteration dim k (1: copied)
 *   DROP        0, 1                some tap of the tables is dropped (-1)
 *   WIDE        0, 1                8/16-bit source read as 32-bit words
 *   PER, PERQ   P >= 0, Q           periodic interior (resample.cl, _per)
 *   PERC        0, 2..8             channels-last channels folded (FOLD_C)
 *   EDGE        E >= 0              edge outputs (resample.cl, _per_edge)
 *   VPER, EDGEV P 0..2, 0/1         explicit-vector form (resample_vec.cl)
 *   VBT, VRELS, VDROPS              its reference taps, compile-time
 *   CTAPS       defined             u8 RGB consecutive taps (resample_u8.cl)
 *   ROWS, RBH   R > 0, B            W then H, R input rows per B output rows (resample.cl, _rows)
 * Entry (source offset = index x the axis' input stride, weight) of tap t
 * of output i_k along dim k is at toff[k] + t * osz[k] + i_k in tidx/tw;
 * an offset of -1 is a dropped tap (antialias, area). Sums are nested:
 * the innermost iteration dim is summed first. -D FIXED=1: integer weights
 * with `prec` fraction bits, accumulator starting at 1 << (prec - 1),
 * result >> prec clamped to [0, 255].
 */

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

#ifdef SRC
#ifndef PER
#define PER 0
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
#ifndef VPER
#define VPER 0
#endif
#ifndef EDGEV
#define EDGEV 0
#endif
#ifndef ROWS
#define ROWS 0
#endif
#ifndef RBH
#define RBH 1
#endif
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
#define WSH CLRS_CAT(WSH_, SRC)
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
 * instead of gathered. Measured slower, so not there: the periodic and
 * edge kernels and f16 sources (docs/benchmarks.md).
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
 * function; a call per output costs several times the time on f16) */
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

#if FIXED
#define RS_STORE(d, i, a) ((d)[i] = (uchar)clamp(((a) + (prec > 0 ? (1 << (prec - 1)) : 0)) >> prec, 0, 255))
#else
#define RS_STORE(d, i, a) STORE_DST(d, i, a)
#endif
#define RS_SUM(i0, e0, s0, i1, i2, i3, i4) \
    clrs_rs_sum(src, src_off, tidx, tw, osz, ist, toff, i0, e0, s0, i1, i2, i3, i4)
#define RS_DST(i1, i2, i3, i4) (dst + (dst_off + (i1) * ost.s1 + (i2) * ost.s2 + (i3) * ost.s3 + (i4) * ost.s4))

/* Every weighted kernel's arguments, in the host's order (resample_engine.c
 * rs_launch) */
#define RS_KERNEL_ARGS                                                                                              \
    __global const SRC_T *RS_RESTRICT src, long src_off, __global DST_T *RS_RESTRICT dst, long dst_off,            \
        __global const IDX *RS_RESTRICT tidx, __global const WT *RS_RESTRICT tw, long8 osz, long8 ost, long8 ist, \
        long8 toff, int prec
/* PERC = C: the folded channels' unit strides, compile-time (a runtime
 * channel offset kept LLVM from grouping the C loads of a tap into
 * interleaved vector loads: gathers); first statement of every weighted
 * kernel */
#if PERC
#define RS_FOLD_PROLOGUE() \
    ist.s1 = 1;            \
    ost.s1 = 1
#else
#define RS_FOLD_PROLOGUE() (void)0
#endif
#endif /* SRC */
