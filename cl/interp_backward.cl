/* SPDX-License-Identifier: MIT */
/* interp_backward.cl — the input gradient of interpolate (F.interpolate's
 * backward) for the weighted and nearest modes; program "interp_backward"
 * = common + pool_common + interp_backward (src/ops/interp_backward.c,
 * family "interp_backward"; 'area' runs pool_backward/avg instead).
 *
 * Deterministic by construction: one work-item per grad_input row; each
 * grad_input element gathers, from the host-made TRANSPOSED tap tables of
 * the forward (per axis, for input index i: the outputs o whose taps read
 * i, with the tap's weight, in increasing o and, within one output, in tap
 * order), sum over (zd, zh, zw) of w * grad_out[zd, zh, zw], nested D, H,
 * W, i.e. in increasing flat output order (torch's CPU scatter order),
 * accumulated in ACC_T (float for f16/bf16, double for f64) and stored
 * once. No atomics.
 *
 *   clrs_interpbw_cvec    "interp_backward/cvec" (built with -D VW)
 *   clrs_interpbw_gather  "interp_backward/gather"
 *   clrs_interpbw_wflat   "interp_backward/wflat" (built with -D TW)
 *
 * cvec: one work-item per NVEC x VW channels of one grad_input row: the table
 * walk is shared by the channels, grad_out read as VW-vectors (vloadN
 * where its channel stride is 1, else VW strided loads), every channel's
 * sum the same operations in the same order as gather's (vector
 * arithmetic is per component; the weight products are scalars
 * broadcast), so the same bits; the last group's channels past a multiple
 * of VW run gather's scalar body.
 *
 * -D flags:
 *   name      values              set by
 *   DTYPE_*   F32 F64 F16 BF16    src/ops/interp_backward.c: grad dtype
 *   VW        4 8 16              src/ops/interp_backward.c: tuning ibw_vw (cvec only)
 *   NVEC      1..4                ... VW-vectors per work-item: tuning ibw_vectors (cvec only)
 *   TW        4 8 16              ... elements along W per step: tuning ibw_vw (wflat only)
 * Tables: off[] holds, per axis a (D, H, W, from ooff.s[a]), I_a + 1
 * CSR offsets into eo[] / ew[] (absolute); eo[k] the output index, ew[k]
 * the weight (ACC_T: the forward's float weights for f32/f16/bf16, double
 * for f64), er[k] the end of the run of entries from k naming the same
 * output (taps of one output clamped onto one input). Missing leading axes have one entry (output 0, weight 1).
 * The arithmetic of torch 2.15's CPU backward kernels on x86 (measured
 * against its autograd, tests/golden/backward_interp.txt): linear modes,
 * antialias and nearest add fma((wD * wH) * wW, g, acc) (the compiler
 * fuses the accumulation); bicubic (gfirst) adds ((g * wH) * wW) rounded,
 * its W tap outer and H tap inner within one output. mean_div > 0: 'area'
 * to an all-ones output, torch's mean: every element grad_out / mean_div
 * (built with correctly rounded division).
 */
#pragma OPENCL FP_CONTRACT OFF
#if defined(DTYPE_F32) || defined(DTYPE_F64) || defined(DTYPE_F16) || defined(DTYPE_BF16)

__kernel void clrs_interpbw_gather(__global const DATA_T *go, long go_off, __global DATA_T *gi, long gi_off,
                                   long8 isz, long8 ist, long8 ost, __global const long *off, long4 ooff,
                                   __global const long *eo, __global const long *er, __global const ACC_T *ew,
                                   int gfirst, long mean_div, int cmajor)
{
    long c, ih, id, n;
    if (cmajor) { /* (C, H, D*N): neighbours share their tables, loops and bounds */
        c = (long)get_global_id(0);
        ih = (long)get_global_id(1);
        const long r_ = (long)get_global_id(2);
        id = r_ % isz.s2;
        n = r_ / isz.s2;
        if (c >= isz.s1 || ih >= isz.s3 || n >= isz.s0) return;
    } else { /* (H, D*C*N) */
        ih = (long)get_global_id(0);
        const long r_ = (long)get_global_id(1);
        id = r_ % isz.s2;
        const long q_ = r_ / isz.s2;
        c = q_ % isz.s1;
        n = q_ / isz.s1;
        if (ih >= isz.s3 || n >= isz.s0) return;
    }
    if (mean_div > 0) {
        /* 'area' to all ones: torch's mean, whose gradient is g / N */
        const ACC_T g = (ACC_T)LOAD(go, OFF5(go_off, ost, n, c, 0, 0, 0)) / (ACC_T)mean_div;
        for (long iw = 0; iw < isz.s4; iw++) STORE(gi, OFF5(gi_off, ist, n, c, id, ih, iw), g);
        return;
    }
    const long d0 = off[ooff.s0 + id], d1 = off[ooff.s0 + id + 1];
    const long h0 = off[ooff.s1 + ih], h1 = off[ooff.s1 + ih + 1];
    const long base = go_off + n * ost.s0 + c * ost.s1;
    const long obase = gi_off + n * ist.s0 + c * ist.s1 + id * ist.s2 + ih * ist.s3;
    for (long iw = 0; iw < isz.s4; iw++) {
        const long w0 = off[ooff.s2 + iw], w1 = off[ooff.s2 + iw + 1];
        ACC_T acc = (ACC_T)0;
        /* one output (zd, zh, zw) at a time: the runs of entries naming it
         * (several taps of one output clamped onto this input) */
        for (long a = d0, an; a < d1; a = an) {
            an = er[a];
            const long pd = base + eo[a] * ost.s2;
            for (long b = h0, bn; b < h1; b = bn) {
                bn = er[b];
                const long ph = pd + eo[b] * ost.s3;
                for (long e = w0, en; e < w1; e = en) {
                    en = er[e];
                    const ACC_T g = (ACC_T)LOAD(go, ph + eo[e] * ost.s4);
                    if (gfirst) {
                        /* torch's bicubic: the W tap outer, the H tap inner,
                         * acc + ((g * wH) * wW) */
                        for (long a2 = a; a2 < an; a2++)
                            for (long e2 = e; e2 < en; e2++)
                                for (long b2 = b; b2 < bn; b2++)
                                    acc += ((g * ew[a2]) * ew[b2]) * ew[e2];
                    } else {
                        /* torch's linear / antialias: fma((wD * wH) * wW, g, acc) */
                        for (long a2 = a; a2 < an; a2++)
                            for (long b2 = b; b2 < bn; b2++) {
                                const ACC_T wdh = ew[a2] * ew[b2];
                                for (long e2 = e; e2 < en; e2++) acc = fma(wdh * ew[e2], g, acc);
                            }
                    }
                }
            }
        }
        STORE(gi, obase + iw * ist.s4, acc);
    }
}

#if defined(VW)
/* One grad_input row of NV runs of the (VW or scalar) channel type T, run q
 * at channel offset q * VW: gather's body with the loads and stores of T. */
#define IBW_ROW(T, NV, GLOAD, GSTORE)                                                    \
    for (long iw = 0; iw < isz.s4; iw++) {                                               \
        const long w0 = off[ooff.s2 + iw], w1 = off[ooff.s2 + iw + 1];                   \
        T acc[NV];                                                                       \
        for (int q = 0; q < NV; q++) acc[q] = (T)0;                                      \
        for (long a = d0, an; a < d1; a = an) {                                          \
            an = er[a];                                                                  \
            const long pd = base + eo[a] * ost.s2;                                       \
            for (long b = h0, bn; b < h1; b = bn) {                                      \
                bn = er[b];                                                              \
                const long ph = pd + eo[b] * ost.s3;                                     \
                for (long e = w0, en; e < w1; e = en) {                                  \
                    en = er[e];                                                          \
                    T g[NV];                                                             \
                    for (int q = 0; q < NV; q++)                                         \
                        g[q] = GLOAD(ph + eo[e] * ost.s4 + q * VW * ost.s1);             \
                    if (gfirst) {                                                        \
                        for (long a2 = a; a2 < an; a2++)                                 \
                            for (long e2 = e; e2 < en; e2++)                             \
                                for (long b2 = b; b2 < bn; b2++)                         \
                                    for (int q = 0; q < NV; q++)                         \
                                        acc[q] += ((g[q] * ew[a2]) * ew[b2]) * ew[e2];   \
                    } else {                                                             \
                        for (long a2 = a; a2 < an; a2++)                                 \
                            for (long b2 = b; b2 < bn; b2++) {                           \
                                const ACC_T wdh = ew[a2] * ew[b2];                       \
                                for (long e2 = e; e2 < en; e2++) {                       \
                                    const T w_ = (T)(wdh * ew[e2]);                      \
                                    for (int q = 0; q < NV; q++)                         \
                                        acc[q] = fma(w_, g[q], acc[q]);                  \
                                }                                                        \
                            }                                                            \
                    }                                                                    \
                }                                                                        \
            }                                                                            \
        }                                                                                \
        for (int q = 0; q < NV; q++) GSTORE(obase + iw * ist.s4 + q * VW * ist.s1, acc[q]); \
    }

#define IBW_CAT_(a, b) a##b
#define IBW_CAT(a, b) IBW_CAT_(a, b)
#define VACC_T IBW_CAT(ACC_T, VW)

/* VW channels from element o, channel stride cs. f16 / bf16 convert one
 * element at a time as gather does (PoCL's vstore_halfN_rte writes other
 * NaN bits than vstore_half_rte). */
inline VACC_T ibw_vload(__global const DATA_T *p, long o, long cs)
{
#if defined(DTYPE_F32) || defined(DTYPE_F64)
    if (cs == 1) return IBW_CAT(vload, VW)(0, p + o);
#endif
    ACC_T t[VW];
    for (int j = 0; j < VW; j++) t[j] = LOAD(p, o + j * cs);
    return IBW_CAT(vload, VW)(0, t);
}

inline void ibw_vstore(__global DATA_T *p, long o, long cs, VACC_T v)
{
#if defined(DTYPE_F32) || defined(DTYPE_F64)
    if (cs == 1) {
        IBW_CAT(vstore, VW)(v, 0, p + o);
        return;
    }
#endif
    ACC_T t[VW];
    IBW_CAT(vstore, VW)(v, 0, t);
    for (int j = 0; j < VW; j++) STORE(p, o + j * cs, t[j]);
}

#define IBW_VLOAD(x) ibw_vload(go, (x), ost.s1)
#define IBW_VSTORE(x, v) ibw_vstore(gi, (x), ist.s1, (v))
#define IBW_SLOAD(x) ((ACC_T)LOAD(go, (x)))
#define IBW_SSTORE(x, v) STORE(gi, (x), (v))

/* Global (ceil(C / (VW * NVEC)), H, D*N) when cmajor, else (H, that, D*N). */
__kernel void clrs_interpbw_cvec(__global const DATA_T *go, long go_off, __global DATA_T *gi, long gi_off,
                                 long8 isz, long8 ist, long8 ost, __global const long *off, long4 ooff,
                                 __global const long *eo, __global const long *er, __global const ACC_T *ew,
                                 int gfirst, int cmajor)
{
    const long cg = (long)get_global_id(cmajor ? 0 : 1), ih = (long)get_global_id(cmajor ? 1 : 0);
    const long r_ = (long)get_global_id(2), id = r_ % isz.s2, n = r_ / isz.s2;
    long c0 = cg * VW * NVEC;
    if (c0 >= isz.s1 || ih >= isz.s3 || n >= isz.s0) return;
    const long d0 = off[ooff.s0 + id], d1 = off[ooff.s0 + id + 1];
    const long h0 = off[ooff.s1 + ih], h1 = off[ooff.s1 + ih + 1];
    if (c0 + VW * NVEC <= isz.s1) {
        const long base = go_off + n * ost.s0 + c0 * ost.s1;
        const long obase = gi_off + n * ist.s0 + c0 * ist.s1 + id * ist.s2 + ih * ist.s3;
        IBW_ROW(VACC_T, NVEC, IBW_VLOAD, IBW_VSTORE)
        return;
    }
    for (; c0 + VW <= isz.s1; c0 += VW) { /* the last item's whole vectors */
        const long base = go_off + n * ost.s0 + c0 * ost.s1;
        const long obase = gi_off + n * ist.s0 + c0 * ist.s1 + id * ist.s2 + ih * ist.s3;
        IBW_ROW(VACC_T, 1, IBW_VLOAD, IBW_VSTORE)
    }
    for (long c = c0; c < isz.s1; c++) { /* the tail: gather's body per channel */
        const long base = go_off + n * ost.s0 + c * ost.s1;
        const long obase = gi_off + n * ist.s0 + c * ist.s1 + id * ist.s2 + ih * ist.s3;
        IBW_ROW(ACC_T, 1, IBW_SLOAD, IBW_SSTORE)
    }
}
#endif /* VW */
#if defined(TW)
#define IBWF_CAT_(a, b) a##b
#define IBWF_CAT(a, b) IBWF_CAT_(a, b)
#define TVEC IBWF_CAT(ACC_T, TW)
#if defined(DTYPE_F64)
#define TMASK IBWF_CAT(long, TW)
#define TMASK_CONV IBWF_CAT(convert_long, TW)
#else
#define TMASK IBWF_CAT(int, TW)
#define TMASK_CONV IBWF_CAT(convert_int, TW)
#endif
/* wflat: gather's layout (H, D*C*N), TW grad_input elements along W per step
 * as TW-vectors. The W axis from the host's flat tables: column iw's
 * entries k < fc[iw] (the CSR W entries, in order) at fo / fw[k * Wp + iw],
 * the columns padded to L entries and Wp (a multiple of TW) columns; the
 * padded lanes read grad_out at the row's output 0 and their result is
 * discarded by select (acc unchanged), so no padded value reaches a sum.
 * Per (D output, H output) pair with one entry each (a, b runs of length
 * 1), gather runs each element's W entries in order: the same here, per
 * vector lane, the same operations (vector arithmetic is per component).
 * A pair with a longer run (clamped taps on D or H) runs gather's loops
 * per element. So every element's sum is gather's, bit for bit. */
__kernel void clrs_interpbw_wflat(__global const DATA_T *go, long go_off, __global DATA_T *gi, long gi_off,
                                  long8 isz, long8 ist, long8 ost, __global const long *off, long4 ooff,
                                  __global const long *eo, __global const long *er, __global const ACC_T *ew,
                                  int gfirst, __global const long *fo, __global const ACC_T *fw,
                                  __global const int *fc, long L, long Wp)
{
    const long ih = (long)get_global_id(0);
    const long r_ = (long)get_global_id(1);
    const long id = r_ % isz.s2;
    const long q_ = r_ / isz.s2;
    const long c = q_ % isz.s1;
    const long n = q_ / isz.s1;
    if (ih >= isz.s3 || n >= isz.s0) return;
    const long d0 = off[ooff.s0 + id], d1 = off[ooff.s0 + id + 1];
    const long h0 = off[ooff.s1 + ih], h1 = off[ooff.s1 + ih + 1];
    const long base = go_off + n * ost.s0 + c * ost.s1;
    const long obase = gi_off + n * ist.s0 + c * ist.s1 + id * ist.s2 + ih * ist.s3;
    for (long iw0 = 0; iw0 < isz.s4; iw0 += TW) {
        TVEC acc = (TVEC)0;
        ACC_T s[TW];
        const TMASK cnt = TMASK_CONV(IBWF_CAT(vload, TW)(0, fc + iw0));
        for (long a = d0, an; a < d1; a = an) {
            an = er[a];
            const long pd = base + eo[a] * ost.s2;
            for (long b = h0, bn; b < h1; b = bn) {
                bn = er[b];
                const long ph = pd + eo[b] * ost.s3;
                if (an == a + 1 && bn == b + 1) {
                    const ACC_T wd = ew[a], wh = ew[b], wdh = wd * wh;
                    for (long k = 0; k < L; k++) {
                        const long fk = k * Wp + iw0;
                        for (int j = 0; j < TW; j++) s[j] = (ACC_T)LOAD(go, ph + fo[fk + j] * ost.s4);
                        const TVEC g = IBWF_CAT(vload, TW)(0, s), w = IBWF_CAT(vload, TW)(0, fw + fk);
                        /* gather's: acc + ((g * wD) * wH) * wW, or
                         * fma((wD * wH) * wW, g, acc) */
                        const TVEC nacc = gfirst ? acc + ((g * wd) * wh) * w : fma(wdh * w, g, acc);
                        acc = select(acc, nacc, (TMASK)((int)k) < cnt);
                    }
                } else {
                    /* gather's loops for this pair, element by element */
                    IBWF_CAT(vstore, TW)(acc, 0, s);
                    for (int j = 0; j < TW && iw0 + j < isz.s4; j++) {
                        const long iw = iw0 + j, w0 = off[ooff.s2 + iw], w1 = off[ooff.s2 + iw + 1];
                        ACC_T accj = s[j];
                        for (long e = w0, en; e < w1; e = en) {
                            en = er[e];
                            const ACC_T g = (ACC_T)LOAD(go, ph + eo[e] * ost.s4);
                            if (gfirst) {
                                for (long a2 = a; a2 < an; a2++)
                                    for (long e2 = e; e2 < en; e2++)
                                        for (long b2 = b; b2 < bn; b2++)
                                            accj += ((g * ew[a2]) * ew[b2]) * ew[e2];
                            } else {
                                for (long a2 = a; a2 < an; a2++)
                                    for (long b2 = b; b2 < bn; b2++) {
                                        const ACC_T wdh = ew[a2] * ew[b2];
                                        for (long e2 = e; e2 < en; e2++) accj = fma(wdh * ew[e2], g, accj);
                                    }
                            }
                        }
                        s[j] = accj;
                    }
                    acc = IBWF_CAT(vload, TW)(0, s);
                }
            }
        }
        IBWF_CAT(vstore, TW)(acc, 0, s);
        for (int j = 0; j < TW && iw0 + j < isz.s4; j++) STORE(gi, obase + (iw0 + j) * ist.s4, s[j]);
    }
}
#endif /* TW */
#endif /* DTYPE_F32 .. DTYPE_BF16 */
