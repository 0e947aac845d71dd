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
 *   clrs_poolbw_avg     "pool_backward/avg": average and adaptive average
 *                       pooling (no indices; the outputs of the table
 *                       ranges, each divided by its window's divisor)
 *
 * -D flags:
 *   name      values              set by
 *   DTYPE_*   F32 F64 F16 BF16    src/ops/pool_backward.c: grad dtype
 * tab layout: for axis a (D, H, W), entries toff.s[a] + 2*i and + 2*i + 1
 * are the first and last output whose window may contain input i.
 */
#if defined(DTYPE_F32) || defined(DTYPE_F64) || defined(DTYPE_F16) || defined(DTYPE_BF16)

/* The kernels below run one work-item per row: global (rows along H, then
 * D*C*N), the row's elements along W in a loop (the decomposition and the
 * D, H table entries once per row: 64-bit divisions per element made
 * PoCL's per-element kernels slow). */
#define POOLBW_ROW(sz)                                                      \
    const long oh = (long)get_global_id(0), r_ = (long)get_global_id(1);   \
    if (oh >= (sz).s3) return;                                              \
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
#endif /* DTYPE_F32 .. DTYPE_BF16 */
