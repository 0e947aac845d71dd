/* SPDX-License-Identifier: MIT */
/* resample_vec.cl — the periodic interior in explicit 16-lane vectors, a
 * work-item per row (CPU devices: tuning rs_vper): program "resample_vec"
 * = common, half, resample_common, resample_vec.
 *
 *   kernel               flags
 *   clrs_resample_vper   VPER = P (1, 2), PERQ = Q (1, 2), EDGEV (0, 1),
 *                        VBT / VRELS / VDROPS (the reference's taps),
 *                        PERC (0, 2..8: lanes are (period, channel))
 * The row's ends: element by element through clrs_rs_sum, or with EDGEV
 * one 16-lane vector per end. Every lane is computed by the same
 * operations in the same order as clrs_rs_sum: the general kernel's bits. */
#if !VPER
#error "resample_vec.cl is built with -D VPER=1 or 2"
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
 * out: non-temporal stores of 64-byte aligned chunks, slower.) */
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

__kernel void clrs_resample_vper(RS_KERNEL_ARGS)
{
    RS_FOLD_PROLOGUE();
    /* a work-item per row: the outputs before the interior's start mlo
     * (osz.s6), its whole chunks of VPW periods, the chunk that ends at
     * the interior's end mhi (osz.s7), which may overlap the last whole
     * one (the overlap written twice with the same values; element-wise
     * stores of a partial chunk instead were slower), and the
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
}
