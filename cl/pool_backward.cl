/* SPDX-License-Identifier: MIT */
/* pool_backward.cl — input gradients of the max-type poolings (max,
 * adaptive max) from their indices, and of average / adaptive average
 * pooling; program "pool_backward" = common +
 * pool_common + pool_backward (src/ops/pool_backward.c, family
 * "pool_backward").
 *
 * Deterministic by construction: one work-item per grad_input element
 * gathers the grad_output elements whose index names it, in increasing
 * flat output order (the order of torch's CPU scatter, so f32 and f64 sums
 * are torch's bits), accumulates in ACC_T (float for f16/bf16) and writes
 * once. No atomics, no scatter.
 *
 *   clrs_poolbw_check   "pool_backward/check": flags[0] an index outside
 *                       the input plane, flags[1] one outside the window
 *                       range (the tables) of its output
 *   clrs_poolbw_gather  "pool_backward/gather": the outputs of the
 *                       per-axis ranges tab[] (host-made: the outputs whose
 *                       window can contain each input position)
 *   clrs_poolbw_scan    "pool_backward/scan": every output of the plane
 *                       (any in-plane indices; the same bits)
 *   clrs_poolbw_avg     "pool_backward_avg/avg": average and adaptive
 *                       average pooling (no indices; the outputs of the
 *                       table ranges, each divided by its window's divisor)
 *   clrs_poolbw_lp_gs   LP pooling: the gradient reaching each window's
 *   clrs_poolbw_lp_x    mean, then (f32, f64: after the average pooling
 *   clrs_poolbw_lp_h    backward) the factor p * x ** (p - 1); f16 /
 *                       bf16: lp_h, the average pooling backward and the
 *                       factor in float, rounded once
 *   clrs_poolbw_lp_sgn  LP pooling with p = +-inf: the max pooling
 *                       backward's sums times sign(x)
 *   clrs_poolbw_q       "pool_backward_avg/ranges" (f32, f64): each
 *   clrs_poolbw_ranges  output's quotient, then per grad_input row the sum
 *                       over the table ranges, vectorised along the row
 *   clrs_poolbw_dj_w    "pool_backward/disjoint", "pool_backward_avg/
 *   clrs_poolbw_dj_c    disjoint": windows that do not overlap (stride >=
 *                       kernel, adaptive with I % O == 0): each input
 *                       element's one output per axis from a host table,
 *                       rows along W (dj_w) or, channels-last, along C
 *                       (dj_c); no searching, vectorisable loops. Max:
 *                       per work-item hit counts; their sum short of the
 *                       number of outputs (an index outside its window)
 *                       sends the call to the general path
 *
 * -D flags:
 *   name      values              set by
 *   DTYPE_*   F32 F64 F16 BF16    src/ops/pool_backward.c: grad dtype
 * tab layout: for axis a (D, H, W), entries toff.s[a] + 2*i and + 2*i + 1
 * are the first and last output whose window may contain input i.
 */
#if defined(DTYPE_F32) || defined(DTYPE_F64) || defined(DTYPE_F16) || defined(DTYPE_BF16)

/* The kernels below run one work-item per row: a 1-D global range of the
 * rows (H fastest, then D, C, N), the row's elements along W in a loop
 * (the decomposition and the D, H table entries once per row: 64-bit
 * divisions per element made PoCL's per-element kernels slow; a 2-D range
 * (H, D*C*N) made it several times slower again). */
#define POOLBW_ROW(sz)                                                      \
    const long r1_ = (long)get_global_id(0);                                \
    const long oh = r1_ % (sz).s3, r_ = r1_ / (sz).s3;                      \
    const long od = r_ % (sz).s2, q_ = r_ / (sz).s2;                        \
    const long c = q_ % (sz).s1, n = q_ / (sz).s1;                          \
    if (n >= (sz).s0) return;

/* osz: grad_out's (and the indices') sizes. */
__kernel void clrs_poolbw_check(__global const long *ind, long ind_off, long8 osz, long8 xst, long4 in3,
                                __global const long *tab, long4 toff, __global int *flags)
{
    POOLBW_ROW(osz)
    const long plane = in3.s0 * in3.s1 * in3.s2;
    for (long ow = 0; ow < osz.s4; ow++) {
        const long v = ind[OFF5(ind_off, xst, n, c, od, oh, ow)];
        if (v < 0 || v >= plane) {
            flags[0] = 1;
            return;
        }
        const long w = v % in3.s2, q = v / in3.s2, h = q % in3.s1, d = q / in3.s1;
        const long td = toff.s0 + 2 * d, th = toff.s1 + 2 * h, tw = toff.s2 + 2 * w;
        if (od < tab[td] || od > tab[td + 1] || oh < tab[th] || oh > tab[th + 1] || ow < tab[tw] || ow > tab[tw + 1])
            flags[1] = 1;
    }
}

/* isz: grad_input's sizes; each of its elements gathers the outputs of
 * its table ranges in increasing order. */
__kernel void clrs_poolbw_gather(__global const DATA_T *go, long go_off, __global const long *ind, long ind_off,
                                 __global DATA_T *gi, long gi_off, long8 isz, long8 ist, long8 osz, long8 ost,
                                 long8 xst, __global const long *tab, long4 toff)
{
    POOLBW_ROW(isz)
    const long d0 = tab[toff.s0 + 2 * od], d1 = tab[toff.s0 + 2 * od + 1];
    const long h0 = tab[toff.s1 + 2 * oh], h1 = tab[toff.s1 + 2 * oh + 1];
    const long row = (od * isz.s3 + oh) * isz.s4;
    for (long ow = 0; ow < isz.s4; ow++) {
        const long w0 = tab[toff.s2 + 2 * ow], w1 = tab[toff.s2 + 2 * ow + 1], me = row + ow;
        ACC_T acc = (ACC_T)0;
        for (long zd = d0; zd <= d1; zd++)
            for (long zh = h0; zh <= h1; zh++)
                for (long zw = w0; zw <= w1; zw++)
                    if (ind[OFF5(ind_off, xst, n, c, zd, zh, zw)] == me)
                        acc += (ACC_T)LOAD(go, OFF5(go_off, ost, n, c, zd, zh, zw));
        STORE(gi, OFF5(gi_off, ist, n, c, od, oh, ow), acc);
    }
}

/* Every output of the plane, for indices outside their windows. */
__kernel void clrs_poolbw_scan(__global const DATA_T *go, long go_off, __global const long *ind, long ind_off,
                               __global DATA_T *gi, long gi_off, long8 isz, long8 ist, long8 osz, long8 ost,
                               long8 xst)
{
    POOLBW_ROW(isz)
    const long row = (od * isz.s3 + oh) * isz.s4;
    for (long ow = 0; ow < isz.s4; ow++) {
        const long me = row + ow;
        ACC_T acc = (ACC_T)0;
        for (long zd = 0; zd < osz.s2; zd++)
            for (long zh = 0; zh < osz.s3; zh++)
                for (long zw = 0; zw < osz.s4; zw++)
                    if (ind[OFF5(ind_off, xst, n, c, zd, zh, zw)] == me)
                        acc += (ACC_T)LOAD(go, OFF5(go_off, ost, n, c, zd, zh, zw));
        STORE(gi, OFF5(gi_off, ist, n, c, od, oh, ow), acc);
    }
}

/* Average and adaptive average pooling: each grad_input element adds
 * grad_out[o] / divisor(o) over the outputs o of its table ranges (every
 * one of them covers it: avg pooling has no dilation), in increasing
 * output order, the order and rounding of torch's CPU loop
 * (AvgPoolKernel.cpp: grad_delta = grad_out / divide_factor, added to each
 * element of the window; AdaptiveAvgPoolKernel.cpp: grad_out / kd / kh /
 * kw). dv: per axis (offsets dvoff) each output's window count along it
 * (avg: with or without the padding, by count_include_pad; adaptive: the
 * window's length); avg divides by their product (or divisor_override,
 * dov != 0), adaptive by each in turn (D, H, W; 1 on the absent axes, an
 * exact division). */
__kernel void clrs_poolbw_avg(__global const DATA_T *go, long go_off, __global DATA_T *gi, long gi_off, long8 isz,
                              long8 ist, long8 ost, __global const long *tab, long4 toff, __global const long *dv,
                              long4 dvoff, long dov, int adaptive)
{
    POOLBW_ROW(isz)
    const long d0 = tab[toff.s0 + 2 * od], d1 = tab[toff.s0 + 2 * od + 1];
    const long h0 = tab[toff.s1 + 2 * oh], h1 = tab[toff.s1 + 2 * oh + 1];
    for (long ow = 0; ow < isz.s4; ow++) {
        const long w0 = tab[toff.s2 + 2 * ow], w1 = tab[toff.s2 + 2 * ow + 1];
        ACC_T acc = (ACC_T)0;
        for (long zd = d0; zd <= d1; zd++)
            for (long zh = h0; zh <= h1; zh++)
                for (long zw = w0; zw <= w1; zw++) {
                    const long vd = dv[dvoff.s0 + zd], vh = dv[dvoff.s1 + zh], vw = dv[dvoff.s2 + zw];
                    ACC_T g = (ACC_T)LOAD(go, OFF5(go_off, ost, n, c, zd, zh, zw));
                    if (adaptive)
                        g = g / (ACC_T)vd / (ACC_T)vh / (ACC_T)vw;
                    else
                        g = g / (ACC_T)(dov != 0 ? dov : vd * vh * vw);
                    acc += g;
                }
        STORE(gi, OFF5(gi_off, ist, n, c, od, oh, ow), acc);
    }
}

/* The disjoint windows (no two overlap along any axis): each input
 * position has at most one output per axis, own[] (host-made; -1: in no
 * window). win[] per axis and output: the window's first input position
 * and its length (clipped to the input). Each grad_input element is that
 * output's single contribution added to 0 (0 + g: -0 becomes +0 as in the
 * general path), or 0. The loops below are the innermost, with no
 * control flow but selects, so the compiler vectorises them.
 * mode 0: max (indices; hits[] gets, per work-item, how many of its
 * elements their output's index names: the host adds them up, and when
 * the sum is not the number of outputs some index lies outside its
 * window or the plane, and it runs the general path, which also reports
 * an index outside the plane),
 * 1: avg (divide by dov, else dv's product), 2: adaptive avg (divide by
 * each axis's factor in turn). */

/* grad_out[o] / divisor(o), as the general path divides. */
#define DJ_Q(g, md, vd, vh, vw, dov)                                                                              \
    ((md) == 2 ? (g) / (ACC_T)(vd) / (ACC_T)(vh) / (ACC_T)(vw)                                                    \
               : (g) / (ACC_T)((dov) != 0 ? (dov) : (vd) * (vh) * (vw)))

/* Rows along W: one work-item per grad_input row. POOLBW_UNITW: the W
 * strides of grad_input, grad_output and the indices are 1 (a contiguous
 * row: the compiler's loops then need no stride checks). */
#ifdef POOLBW_UNITW
#define DJ_SI 1
#define DJ_SO 1
#define DJ_SX 1
#else
#define DJ_SI ist.s4
#define DJ_SO ost.s4
#define DJ_SX xst.s4
#endif
__kernel void clrs_poolbw_dj_w(__global const DATA_T *go, long go_off, __global const long *ind, long ind_off,
                               __global DATA_T *gi, long gi_off, long8 isz, long8 ist, long8 ost, long8 xst,
                               long4 in3, long4 out3, __global const long *tab, long4 own_off, long4 win_off,
                               long4 dv_off, long dov, int mode, __global int *hits)
{
    POOLBW_ROW(isz)
    const long d = od, h = oh, W = isz.s4;
    const long pd = tab[own_off.s0 + d], ph = tab[own_off.s1 + h];
    const long ib = gi_off + n * ist.s0 + c * ist.s1 + d * ist.s2 + h * ist.s3;
    if (pd < 0 || ph < 0) {
        for (long w = 0; w < W; w++) STORE(gi, ib + w * DJ_SI, (ACC_T)0);
        if (mode == 0) hits[get_global_id(0)] = 0;
        return;
    }
    const long gb = go_off + n * ost.s0 + c * ost.s1 + pd * ost.s2 + ph * ost.s3;
    __global const long *ow_of = tab + own_off.s2;
    /* [w_lo, w_hi): the positions in full windows of POOLBW_KW positions
     * from -POOLBW_PW (a compile-time window length: the loop over those
     * windows stores KW elements each, interleaved stores the compiler
     * vectorises); the others one by one from the table */
#ifdef POOLBW_KW
    const long q_lo = (POOLBW_PW + POOLBW_KW - 1) / POOLBW_KW,
               q_hi0 = (W + POOLBW_PW) / POOLBW_KW < out3.s2 ? (W + POOLBW_PW) / POOLBW_KW : out3.s2,
               q_hi = q_hi0 > q_lo ? q_hi0 : q_lo;
    const long w_lo = q_lo * POOLBW_KW - POOLBW_PW, w_hi = q_hi * POOLBW_KW - POOLBW_PW;
#else
    const long w_lo = W, w_hi = W;
#endif
    if (mode == 0) {
        const long xb = ind_off + n * xst.s0 + c * xst.s1 + pd * xst.s2 + ph * xst.s3, me0 = (d * in3.s1 + h) * W;
        int nh = 0;
#define DJ_MAX_ONE(w)                                                           \
    do {                                                                        \
        const long pw = ow_of[w], pc = pw < 0 ? 0 : pw;                         \
        const long v = ind[xb + pc * DJ_SX];                                   \
        const ACC_T g = (ACC_T)0 + (ACC_T)LOAD(go, gb + pc * DJ_SO);           \
        const int hit = pw >= 0 && v == me0 + (w);                              \
        nh += hit;                                                              \
        STORE(gi, ib + (w) * DJ_SI, hit ? g : (ACC_T)0);                       \
    } while (0)
        for (long w = 0; w < w_lo; w++) DJ_MAX_ONE(w);
#ifdef POOLBW_KW
        for (long q = q_lo; q < q_hi; q++) {
            const long v = ind[xb + q * DJ_SX] - me0, w0 = q * POOLBW_KW - POOLBW_PW;
            const ACC_T g = (ACC_T)0 + (ACC_T)LOAD(go, gb + q * DJ_SO);
#pragma unroll
            for (int j = 0; j < POOLBW_KW; j++) {
                const int hit = v == w0 + j;
                nh += hit;
                STORE(gi, ib + (w0 + j) * DJ_SI, hit ? g : (ACC_T)0);
            }
        }
#endif
        for (long w = w_hi; w < W; w++) DJ_MAX_ONE(w);
#undef DJ_MAX_ONE
        hits[get_global_id(0)] = nh;
    } else {
        const long vd = tab[dv_off.s0 + pd], vh = tab[dv_off.s1 + ph];
        __global const long *dvw = tab + dv_off.s2;
#define DJ_AVG_ONE(w)                                                           \
    do {                                                                        \
        const long pw = ow_of[w], pc = pw < 0 ? 0 : pw;                         \
        const ACC_T g = (ACC_T)LOAD(go, gb + pc * DJ_SO);                      \
        const ACC_T q = (ACC_T)0 + DJ_Q(g, mode, vd, vh, dvw[pc], dov);         \
        STORE(gi, ib + (w) * DJ_SI, pw >= 0 ? q : (ACC_T)0);                   \
    } while (0)
        for (long w = 0; w < w_lo; w++) DJ_AVG_ONE(w);
#ifdef POOLBW_KW
        for (long q = q_lo; q < q_hi; q++) {
            const long w0 = q * POOLBW_KW - POOLBW_PW;
            const ACC_T g = (ACC_T)LOAD(go, gb + q * DJ_SO);
            const ACC_T val = (ACC_T)0 + DJ_Q(g, mode, vd, vh, dvw[q], dov);
#pragma unroll
            for (int j = 0; j < POOLBW_KW; j++) STORE(gi, ib + (w0 + j) * DJ_SI, val);
        }
#endif
        for (long w = w_hi; w < W; w++) DJ_AVG_ONE(w);
#undef DJ_AVG_ONE
    }
}

/* Channels-last: along C; global (W, N*D*H) of grad_input. */
__kernel void clrs_poolbw_dj_c(__global const DATA_T *go, long go_off, __global const long *ind, long ind_off,
                               __global DATA_T *gi, long gi_off, long8 isz, long8 ist, long8 ost, long8 xst,
                               long4 in3, long4 out3, __global const long *tab, long4 own_off, long4 win_off,
                               long4 dv_off, long dov, int mode, __global int *hits)
{
    const long r1_ = (long)get_global_id(0);
    const long w = r1_ % isz.s4, r_ = r1_ / isz.s4;
    const long h = r_ % isz.s3, q_ = r_ / isz.s3;
    const long d = q_ % isz.s2, n = q_ / isz.s2;
    if (n >= isz.s0) return;
    const long C = isz.s1;
    const long pd = tab[own_off.s0 + d], ph = tab[own_off.s1 + h], pw = tab[own_off.s2 + w];
    const long ib = gi_off + n * ist.s0 + d * ist.s2 + h * ist.s3 + w * ist.s4;
    if (pd < 0 || ph < 0 || pw < 0) {
        for (long c = 0; c < C; c++) STORE(gi, ib + c * ist.s1, (ACC_T)0);
        if (mode == 0) hits[get_global_id(0)] = 0;
        return;
    }
    const long gb = go_off + n * ost.s0 + pd * ost.s2 + ph * ost.s3 + pw * ost.s4;
    if (mode == 0) {
        const long xb = ind_off + n * xst.s0 + pd * xst.s2 + ph * xst.s3 + pw * xst.s4;
        const long me = (d * in3.s1 + h) * in3.s2 + w;
        int nh = 0;
        for (long c = 0; c < C; c++) {
            const long v = ind[xb + c * xst.s1];
            const ACC_T g = (ACC_T)0 + (ACC_T)LOAD(go, gb + c * ost.s1);
            nh += v == me;
            STORE(gi, ib + c * ist.s1, v == me ? g : (ACC_T)0);
        }
        hits[get_global_id(0)] = nh;
    } else {
        const long vd = tab[dv_off.s0 + pd], vh = tab[dv_off.s1 + ph], vw = tab[dv_off.s2 + pw];
        for (long c = 0; c < C; c++) {
            const ACC_T g = (ACC_T)LOAD(go, gb + c * ost.s1);
            STORE(gi, ib + c * ist.s1, (ACC_T)0 + DJ_Q(g, mode, vd, vh, vw, dov));
        }
    }
}
/* Average pooling over overlapping windows, f32 / f64 (DATA_T is ACC_T):
 * "pool_backward_avg/ranges", two kernels. clrs_poolbw_q: each output's
 * grad_out[o] / divisor(o) (the general path's quotient, the same bits)
 * into q (strides qst: grad_input's layout order). clrs_poolbw_ranges:
 * one work-item per grad_input row (W, or channels-last C) sets the row
 * to 0, then for the per-axis ranges' offsets j (the largest range's
 * length Lw; uniform across the row for D, H) adds q[o] (or +0 where the
 * element's range is shorter: an exact no-op, the sum is never -0) in
 * the general path's order: D, H, W offsets increasing. The adds run
 * in the innermost loop over the row, which the compiler vectorises. */
#if defined(DTYPE_F32) || defined(DTYPE_F64)
__kernel void clrs_poolbw_q(__global const DATA_T *go, long go_off, __global ACC_T *q, long8 osz, long8 ost,
                            long8 qst, __global const long *dv, long4 dv_off, long dov, int mode)
{
    const long r = (long)get_global_id(0);
    const long ow = r % osz.s4, r1 = r / osz.s4, oh = r1 % osz.s3, r2 = r1 / osz.s3, od = r2 % osz.s2,
               r3 = r2 / osz.s2, c = r3 % osz.s1, n = r3 / osz.s1;
    if (n >= osz.s0) return;
    const ACC_T g = (ACC_T)LOAD(go, OFF5(go_off, ost, n, c, od, oh, ow));
    q[OFF5(0, qst, n, c, od, oh, ow)] =
        DJ_Q(g, mode, dv[dv_off.s0 + od], dv[dv_off.s1 + oh], dv[dv_off.s2 + ow], dov);
}

/* tab: the window-range tables of clrs_poolbw_avg (first, last output
 * per input position and axis, offsets toff); L: the longest range per
 * axis (D, H, W). chlast: rows along C. */
__kernel void clrs_poolbw_ranges(__global const ACC_T *q, __global DATA_T *gi, long gi_off, long8 isz, long8 ist,
                                 long8 qst, __global const long *tab, long4 toff, long4 L, int chlast)
{
    const long r1_ = (long)get_global_id(0);
    long n, c, d, h, w, len, es, qs;
    if (chlast) {
        w = r1_ % isz.s4;
        const long r_ = r1_ / isz.s4;
        h = r_ % isz.s3;
        const long q_ = r_ / isz.s3;
        d = q_ % isz.s2;
        n = q_ / isz.s2;
        c = 0;
        len = isz.s1;
        es = ist.s1;
        qs = qst.s1;
    } else {
        h = r1_ % isz.s3;
        const long r_ = r1_ / isz.s3;
        d = r_ % isz.s2;
        const long q_ = r_ / isz.s2;
        c = q_ % isz.s1;
        n = q_ / isz.s1;
        w = 0;
        len = isz.s4;
        es = ist.s4;
        qs = qst.s4;
    }
    if (n >= isz.s0) return;
#ifdef POOLBW_UNITW /* the row's stride in grad_input is 1 (q's always is) */
    es = 1;
    qs = 1;
#endif
    const long ib = gi_off + n * ist.s0 + c * ist.s1 + d * ist.s2 + h * ist.s3 + w * ist.s4;
    for (long e = 0; e < len; e++) gi[ib + e * es] = (ACC_T)0;
    const long d0 = tab[toff.s0 + 2 * d], d1 = tab[toff.s0 + 2 * d + 1];
    const long h0 = tab[toff.s1 + 2 * h], h1 = tab[toff.s1 + 2 * h + 1];
    __global const long *tw = tab + toff.s2;
    for (long zd = d0; zd <= d1; zd++)
        for (long zh = h0; zh <= h1; zh++) {
            const long qb = n * qst.s0 + c * qst.s1 + zd * qst.s2 + zh * qst.s3;
            if (chlast) {
                const long w0 = tw[2 * w], w1 = tw[2 * w + 1];
                for (long zw = w0; zw <= w1; zw++) {
                    __global const ACC_T *qr = q + qb + zw * qst.s4;
                    for (long e = 0; e < len; e++) gi[ib + e * es] += qr[e * qs];
                }
            } else {
                for (long j = 0; j < L.s2; j++)
                    for (long e = 0; e < len; e++) {
                        const long zw = tw[2 * e] + j;
                        const int ok = zw <= tw[2 * e + 1];
                        const ACC_T v = q[qb + (ok ? zw : 0) * qs];
                        gi[ib + e * es] += ok ? v : (ACC_T)0;
                    }
            }
        }
}
#endif /* DTYPE_F32 || DTYPE_F64 */
/* The range of a 16-bit tensor (f16 / bf16; an identity for f32 / f64):
 * beyond the type's largest value +-inf (clrs_ovf16), at or below half its
 * smallest subnormal +-0 (where torch's 16-bit intermediate rounds to 0).
 * Only the range, not the rounding. */
inline ACC_T clrs_rng16(ACC_T v)
{
#if defined(DTYPE_F16)
    v = clrs_ovf16(v);
    return fabs(v) <= 0x1p-25f ? copysign(0.0f, v) : v;
#elif defined(DTYPE_BF16)
    v = clrs_ovf16(v);
    return fabs(v) <= 0x1p-134f ? copysign(0.0f, v) : v;
#else
    return v;
#endif
}

/* LP pooling (finite p): torch's composition out = (sign(s) * relu(|s|) *
 * K) ** (1/p), s = avg_pool(x ** p) (no padding: the window clipped to the
 * input, divided by its element count), differentiated as autograd does,
 * step by step. clrs_poolbw_lp_gs, one work-item per output: s again
 * (x ** p summed in the window's order, as the forward), then the
 * gradient reaching s:
 *   gu = g * (1/p * u ** (1/p - 1))   pow_backward (u = sign(s)|s| K)
 *   gm = gu * K                       mul by the kernel's size
 *   gr = gm * sign(s)                 mul, towards relu(|s|)
 *   gb = relu(|s|) <= 0 ? 0 : gr      threshold_backward
 *   gs = gb * sign(s) + 0             abs_backward, plus sign's zero
 * (where s is 0 the gradient is 0, whatever the infinities before it),
 * into gs (contiguous, ACC_T: f32 / f64 as the dtype, f16 / bf16 in
 * float). f32 / f64: the average pooling backward then spreads gs[o] /
 * count(o) into grad_input and clrs_poolbw_lp_x multiplies each element
 * by p * x ** (p - 1) (pow_backward), each step in the dtype. f16 / bf16:
 * clrs_poolbw_lp_h does both in float and rounds once; every value that
 * is a 16-bit tensor in torch's autograd gets that type's range
 * (clrs_rng16: where torch's intermediate overflows to +-inf or underflows
 * to 0, so does ours, and the NaN / 0 / inf that follow are torch's), and
 * the pow exponents are rounded to the 16-bit type on the host, as
 * torch's Tensor.pow(scalar) does. The pow codes are clrs_pow's. */
__kernel void clrs_poolbw_lp_gs(__global const DATA_T *x, long x_off, long8 xst, __global const DATA_T *go,
                                long go_off, long8 ost, __global ACC_T *gs, long8 osz, long4 in3, long4 k3,
                                long4 s3, ACC_T pw_e, int pw_code, ACC_T em1_e, int em1_code, ACC_T e_f,
                                ACC_T kprod)
{
    const long r = (long)get_global_id(0);
    const long ow = r % osz.s4, r1 = r / osz.s4, oh = r1 % osz.s3, r2 = r1 / osz.s3, od = r2 % osz.s2,
               r3 = r2 / osz.s2, c = r3 % osz.s1, n = r3 / osz.s1;
    if (n >= osz.s0) return;
    const long d0 = od * s3.s0, h0 = oh * s3.s1, w0 = ow * s3.s2;
    const long d1 = min(d0 + k3.s0, in3.s0), h1 = min(h0 + k3.s1, in3.s1), w1 = min(w0 + k3.s2, in3.s2);
    ACC_T sum = (ACC_T)0;
    for (long zd = d0; zd < d1; zd++)
        for (long zh = h0; zh < h1; zh++)
            for (long zw = w0; zw < w1; zw++)
                sum += clrs_rng16(clrs_pow((ACC_T)LOAD(x, OFF5(x_off, xst, n, c, zd, zh, zw)), pw_e, pw_code));
    const ACC_T s = clrs_rng16(sum / (ACC_T)((d1 - d0) * (h1 - h0) * (w1 - w0)));
    const ACC_T a = s > (ACC_T)0 ? (ACC_T)1 : s < (ACC_T)0 ? (ACC_T)-1 : (ACC_T)0; /* torch.sign: NaN -> 0 */
    const ACC_T rl = fabs(s);
    const ACC_T u = clrs_rng16((a * rl) * kprod);
    const ACC_T g = (ACC_T)LOAD(go, OFF5(go_off, ost, n, c, od, oh, ow));
    const ACC_T gu = clrs_rng16(g * clrs_rng16(e_f * clrs_rng16(clrs_pow(u, em1_e, em1_code))));
    const ACC_T gm = clrs_rng16(gu * kprod);
    const ACC_T gr = gm * a;
    const ACC_T gb = rl <= (ACC_T)0 ? (ACC_T)0 : gr;
    gs[r] = gb * a + (ACC_T)0;
}

#if defined(DTYPE_F32) || defined(DTYPE_F64)
/* grad_input *= p * x ** (p - 1), one work-item per row (as POOLBW_ROW). */
__kernel void clrs_poolbw_lp_x(__global const DATA_T *x, long x_off, long8 xst, __global DATA_T *gi, long gi_off,
                               long8 isz, long8 ist, ACC_T pm1_e, int pm1_code, ACC_T p_f)
{
    POOLBW_ROW(isz)
    const long xb = x_off + n * xst.s0 + c * xst.s1 + od * xst.s2 + oh * xst.s3;
    const long ib = gi_off + n * ist.s0 + c * ist.s1 + od * ist.s2 + oh * ist.s3;
    for (long w = 0; w < isz.s4; w++) {
        const ACC_T xv = (ACC_T)LOAD(x, xb + w * xst.s4);
        gi[ib + w * ist.s4] = gi[ib + w * ist.s4] * (p_f * clrs_pow(xv, pm1_e, pm1_code));
    }
}
#endif /* DTYPE_F32 || DTYPE_F64 */

/* LP pooling, f16 / bf16 (any dtype computes the same way): each
 * grad_input element gathers gs[o] / count(o) over the outputs of its
 * table ranges in increasing order (the average pooling backward of gs,
 * as clrs_poolbw_avg: tab / toff the ranges, dv / dvoff the counts per
 * axis), times p * x ** (p - 1), in float, stored once. gs: contiguous
 * over grad_output's sizes osz. */
__kernel void clrs_poolbw_lp_h(__global const ACC_T *gs, long8 osz, __global const DATA_T *x, long x_off, long8 xst,
                               __global DATA_T *gi, long gi_off, long8 isz, long8 ist, __global const long *tab,
                               long4 toff, long4 dvoff, ACC_T pm1_e, int pm1_code, ACC_T p_f)
{
    POOLBW_ROW(isz)
    const long d0 = tab[toff.s0 + 2 * od], d1 = tab[toff.s0 + 2 * od + 1];
    const long h0 = tab[toff.s1 + 2 * oh], h1 = tab[toff.s1 + 2 * oh + 1];
    const long gb = (n * osz.s1 + c) * osz.s2;
    for (long ow = 0; ow < isz.s4; ow++) {
        const long w0 = tab[toff.s2 + 2 * ow], w1 = tab[toff.s2 + 2 * ow + 1];
        ACC_T acc = (ACC_T)0;
        for (long zd = d0; zd <= d1; zd++)
            for (long zh = h0; zh <= h1; zh++)
                for (long zw = w0; zw <= w1; zw++) {
                    const long cnt = tab[dvoff.s0 + zd] * tab[dvoff.s1 + zh] * tab[dvoff.s2 + zw];
                    /* torch adds each quotient into the 16-bit grad_input */
                    acc = clrs_rng16(acc + clrs_rng16(gs[((gb + zd) * osz.s3 + zh) * osz.s4 + zw] / (ACC_T)cnt));
                }
        const ACC_T xv = (ACC_T)LOAD(x, OFF5(x_off, xst, n, c, od, oh, ow));
        const ACC_T f = clrs_rng16(p_f * clrs_rng16(clrs_pow(xv, pm1_e, pm1_code)));
        STORE(gi, OFF5(gi_off, ist, n, c, od, oh, ow), acc * f);
    }
}

/* LP pooling with p = +-inf, torch's max_pool(|x|) / -max_pool(-|x|):
 * grad_input holds the max pooling backward's sums S (the indices of
 * |x|'s, or -|x|'s, windows); times abs's backward sign(x) (torch.sign:
 * 0 at +-0 and NaN). p = -inf (neg != 0): torch's two negations around
 * the scatter of -grad_out turn an exact zero sum into -0, else are
 * exact. */
__kernel void clrs_poolbw_lp_sgn(__global const DATA_T *x, long x_off, long8 xst, __global DATA_T *gi, long gi_off,
                                 long8 isz, long8 ist, int neg)
{
    POOLBW_ROW(isz)
    const long xb = x_off + n * xst.s0 + c * xst.s1 + od * xst.s2 + oh * xst.s3;
    const long ib = gi_off + n * ist.s0 + c * ist.s1 + od * ist.s2 + oh * ist.s3;
    for (long w = 0; w < isz.s4; w++) {
        const ACC_T xv = (ACC_T)LOAD(x, xb + w * xst.s4);
        ACC_T v = (ACC_T)LOAD(gi, ib + w * ist.s4);
        if (neg && v == (ACC_T)0) v = copysign((ACC_T)0, (ACC_T)-1);
        const ACC_T sg = xv > (ACC_T)0 ? (ACC_T)1 : xv < (ACC_T)0 ? (ACC_T)-1 : (ACC_T)0;
        STORE(gi, ib + w * ist.s4, v * sg);
    }
}
#endif /* DTYPE_F32 .. DTYPE_BF16 */
