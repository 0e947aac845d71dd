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
 *   clrs_interpbw_gather  "interp_backward/gather"
 *
 * -D flags:
 *   name      values              set by
 *   DTYPE_*   F32 F64 F16 BF16    src/ops/interp_backward.c: grad dtype
 * Tables: off[] holds, per axis a (D, H, W, from ooff.s[a]), I_a + 1
 * CSR offsets into eo[] / ew[] (absolute); eo[k] the output index, ew[k]
 * the weight (ACC_T: the forward's float weights for f32/f16/bf16, double
 * for f64). Missing leading axes have one entry (output 0, weight 1).
 * gfirst: the product (g * wD * wH) * wW (torch's bicubic backward), else
 * ((wD * wH) * wW) * g (torch's linear backward).
 */
#pragma OPENCL FP_CONTRACT OFF
#if defined(DTYPE_F32) || defined(DTYPE_F64) || defined(DTYPE_F16) || defined(DTYPE_BF16)

__kernel void clrs_interpbw_gather(__global const DATA_T *go, long go_off, __global DATA_T *gi, long gi_off,
                                   long8 isz, long8 ist, long8 ost, __global const long *off, long4 ooff,
                                   __global const long *eo, __global const ACC_T *ew, int gfirst)
{
    const long ih = (long)get_global_id(0), r_ = (long)get_global_id(1);
    if (ih >= isz.s3) return;
    const long id = r_ % isz.s2, q_ = r_ / isz.s2;
    const long c = q_ % isz.s1, n = q_ / isz.s1;
    if (n >= isz.s0) return;
    const long d0 = off[ooff.s0 + id], d1 = off[ooff.s0 + id + 1];
    const long h0 = off[ooff.s1 + ih], h1 = off[ooff.s1 + ih + 1];
    for (long iw = 0; iw < isz.s4; iw++) {
        const long w0 = off[ooff.s2 + iw], w1 = off[ooff.s2 + iw + 1];
        ACC_T acc = (ACC_T)0;
        for (long a = d0; a < d1; a++) {
            const long zd = eo[a];
            const ACC_T wd = ew[a];
            for (long b = h0; b < h1; b++) {
                const long zh = eo[b];
                const ACC_T wdh = wd * ew[b];
                for (long e = w0; e < w1; e++) {
                    const ACC_T g = (ACC_T)LOAD(go, OFF5(go_off, ost, n, c, zd, zh, eo[e]));
                    ACC_T v;
                    if (gfirst)
                        v = ((g * wd) * ew[b]) * ew[e];
                    else
                        v = (wdh * ew[e]) * g;
                    acc += v;
                }
            }
        }
        STORE(gi, OFF5(gi_off, ist, n, c, id, ih, iw), acc);
    }
}
#endif /* DTYPE_F32 .. DTYPE_BF16 */
