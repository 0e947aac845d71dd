/* SPDX-License-Identifier: MIT */
/* conv.cl — direct convolution and transposed convolution (torch's
 * F.conv1d/2d/3d, F.conv_transpose1d/2d/3d); program "conv" = common +
 * pool_common + conv (src/ops/conv.c).
 *   clrs_conv            "conv/general"
 *   clrs_conv_transpose  "conv_transpose/general"
 *
 * -D flags:
 *   name      values               set by
 *   DTYPE_*   F32 F64 F16 BF16     src/ops/conv.c (storage; ACC_T is float,
 *                                  double for F64)
 *
 * One work-item per output element (n, c_out, od, oh, ow), every tensor
 * through its own (N, C, D, H, W) strides and 64-bit offsets (rank 3/4
 * tensors have leading spatial axes of size 1). The sum runs in a FIXED
 * order: c_in of the group (ascending), then k_d, k_h, k_w (ascending), one
 * rounding per product and per addition (FP_CONTRACT OFF, pool_common.cl),
 * from 0; the bias is added last, then the sum is rounded once to the
 * storage type. Taps that fall in zero padding are skipped (they add
 * nothing); the other padding modes map the tap into the input (nn.Conv*d's
 * F.pad then conv with padding 0). Deterministic: the same bits on every
 * run, no atomics. */
#ifdef ACC_T

#define PM_ZEROS 0
#define PM_REFLECT 1
#define PM_REPLICATE 2
#define PM_CIRCULAR 3

/* The input coordinate of padded coordinate x - (left pad) = x along an axis
 * of n elements, or -1 for a zero-padding tap. The host has checked that
 * reflect pads are < n and circular ones <= n, so one fold suffices. */
inline long clrs_conv_map(long x, long n, int mode)
{
    if (x >= 0 && x < n) return x;
    switch (mode) {
    case PM_REFLECT: return x < 0 ? -x : 2 * n - 2 - x;
    case PM_REPLICATE: return x < 0 ? 0 : n - 1;
    case PM_CIRCULAR: return x < 0 ? x + n : x - n;
    default: return -1;
    }
}

/* out[n, co, o] = sum_{ci, k} in[n, g*cin_g + ci, o*s - p + k*d] * w[co, ci, k] + bias[co]
 * (g = co / cout_g); str / pad (left) / dil are (D, H, W) in .s0-.s2. */
__kernel void clrs_conv(__global const DATA_T *src, long src_off, __global const DATA_T *wt, long w_off,
                        __global const DATA_T *bias, long b_off, long b_st, int has_bias, __global DATA_T *dst,
                        long dst_off, long8 isz, long8 ist, long8 wsz, long8 wst, long8 osz, long8 ost, long4 str,
                        long4 pad, long4 dil, long cin_g, long cout_g, int pmode, int order)
{
    DECOMPOSE_OUTPUT(osz, order);
    const long cs0 = (c / cout_g) * cin_g;
    ACC_T sum = (ACC_T)0;
    for (long ci = 0; ci < cin_g; ci++) {
        for (long kd = 0; kd < wsz.s2; kd++) {
            long id = clrs_conv_map(od * str.s0 - pad.s0 + kd * dil.s0, isz.s2, pmode);
            if (id < 0) continue;
            for (long kh = 0; kh < wsz.s3; kh++) {
                long ih = clrs_conv_map(oh * str.s1 - pad.s1 + kh * dil.s1, isz.s3, pmode);
                if (ih < 0) continue;
                for (long kw = 0; kw < wsz.s4; kw++) {
                    long iw = clrs_conv_map(ow * str.s2 - pad.s2 + kw * dil.s2, isz.s4, pmode);
                    if (iw < 0) continue;
                    ACC_T x = LOAD(src, OFF5(src_off, ist, n, cs0 + ci, id, ih, iw));
                    ACC_T w = LOAD(wt, OFF5(w_off, wst, c, ci, kd, kh, kw));
                    ACC_T prod = x * w;
                    sum = sum + prod;
                }
            }
        }
    }
    if (has_bias) sum = sum + LOAD(bias, b_off + c * b_st);
    STORE(dst, OFF5(dst_off, ost, n, c, od, oh, ow), sum);
}

/* The gather form of the transposed convolution: output o along an axis
 * takes input i with i*s - p + k*d == o, i.e. t = o + p - k*d >= 0,
 * t % s == 0, i = t / s < in. out[n, co, o] = sum_{ci, k} in[n, g*cin_g +
 * ci, i(k)] * w[g*cin_g + ci, co % cout_g, k] + bias[co], same order. */
__kernel void clrs_conv_transpose(__global const DATA_T *src, long src_off, __global const DATA_T *wt, long w_off,
                                  __global const DATA_T *bias, long b_off, long b_st, int has_bias,
                                  __global DATA_T *dst, long dst_off, long8 isz, long8 ist, long8 wsz, long8 wst,
                                  long8 osz, long8 ost, long4 str, long4 pad, long4 dil, long cin_g, long cout_g,
                                  int pmode, int order)
{
    (void)pmode;
    DECOMPOSE_OUTPUT(osz, order);
    const long cs0 = (c / cout_g) * cin_g, col = c % cout_g;
    ACC_T sum = (ACC_T)0;
    for (long ci = 0; ci < cin_g; ci++) {
        for (long kd = 0; kd < wsz.s2; kd++) {
            long td = od + pad.s0 - kd * dil.s0;
            if (td < 0 || td % str.s0 != 0 || td / str.s0 >= isz.s2) continue;
            long id = td / str.s0;
            for (long kh = 0; kh < wsz.s3; kh++) {
                long th = oh + pad.s1 - kh * dil.s1;
                if (th < 0 || th % str.s1 != 0 || th / str.s1 >= isz.s3) continue;
                long ih = th / str.s1;
                for (long kw = 0; kw < wsz.s4; kw++) {
                    long tw = ow + pad.s2 - kw * dil.s2;
                    if (tw < 0 || tw % str.s2 != 0 || tw / str.s2 >= isz.s4) continue;
                    long iw = tw / str.s2;
                    ACC_T x = LOAD(src, OFF5(src_off, ist, n, cs0 + ci, id, ih, iw));
                    ACC_T w = LOAD(wt, OFF5(w_off, wst, cs0 + ci, col, kd, kh, kw));
                    ACC_T prod = x * w;
                    sum = sum + prod;
                }
            }
        }
    }
    if (has_bias) sum = sum + LOAD(bias, b_off + c * b_st);
    STORE(dst, OFF5(dst_off, ost, n, c, od, oh, ow), sum);
}
#endif /* ACC_T */
