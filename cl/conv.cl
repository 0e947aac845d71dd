/* SPDX-License-Identifier: MIT */
/* conv.cl — direct convolution and transposed convolution (torch's
 * F.conv1d/2d/3d, F.conv_transpose1d/2d/3d); program "conv" = common +
 * pool_common + conv (src/ops/conv.c).
 *   clrs_conv            "conv/general"
 *   clrs_conv_dw         "conv/depthwise" (one input channel per group)
 *   clrs_conv_transpose  "conv_transpose/general"
 *
 * -D flags:
 *   name      values               set by
 *   DTYPE_*   F32 F64 F16 BF16     src/ops/conv.c (storage; ACC_T is float,
 *                                  double for F64)
 *   PMODE     0..3 (PM_*)          "depthwise" only: the padding mode
 *   OFF32     0, 1                 "depthwise" only: every offset fits in
 *                                  an int (32-bit index math)
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
#define DW_MAX_KW 16 /* the depthwise entry's widest kernel (src/ops/conv.c) */

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

#if defined(PMODE)
#if defined(OFF32) && OFF32
#define OFF_T int
#else
#define OFF_T long
#endif
/* Depthwise (each group has one input channel: C_out = groups * multiplier):
 * the same sum as clrs_conv with cin_g == 1 — taps k_d, k_h, k_w ascending,
 * zero-padding taps skipped, product and sum rounded separately, bias last —
 * so the same bits, with the padding mode compile-time and the input
 * columns of a row computed once (the non-zero modes map every tap into the
 * input, so nothing is skipped). */
__kernel void clrs_conv_dw(__global const DATA_T *src, long src_off, __global const DATA_T *wt, long w_off,
                           __global const DATA_T *bias, long b_off, long b_st, int has_bias, __global DATA_T *dst,
                           long dst_off, long8 isz, long8 ist, long8 wsz, long8 wst, long8 osz, long8 ost, long4 str,
                           long4 pad, long4 dil, long cin_g, long cout_g, int pmode, int order)
{
    const int KD = (int)wsz.s2, KH = (int)wsz.s3, KW = (int)wsz.s4;
    (void)cin_g;
    (void)pmode;
    DECOMPOSE_OUTPUT(osz, order);
    const long cs = c / cout_g;
    /* OFF32: the host proved every offset of every tensor fits in an int */
    const OFF_T src_nc = (OFF_T)(src_off + n * ist.s0 + cs * ist.s1), w_c = (OFF_T)(w_off + c * wst.s0);
    const OFF_T ist2 = (OFF_T)ist.s2, ist3 = (OFF_T)ist.s3, ist4 = (OFF_T)ist.s4;
    const OFF_T wst2 = (OFF_T)wst.s2, wst3 = (OFF_T)wst.s3, wst4 = (OFF_T)wst.s4;
    ACC_T sum = (ACC_T)0;
#if PMODE == PM_ZEROS
    /* branch-free: every tap loads from its coordinate clamped into the
     * input (the host declines empty inputs) and a tap in the padding adds
     * +0 instead of being skipped: the same bits, since the sum starts at +0
     * and so is never -0 (x + +0 == x for every other x, NaN included) */
    OFF_T iw[DW_MAX_KW];
    int vw[DW_MAX_KW];
    for (int kw = 0; kw < KW; kw++) {
        long t = ow * str.s2 - pad.s2 + kw * dil.s2;
        vw[kw] = t >= 0 && t < isz.s4;
        iw[kw] = (OFF_T)clamp(t, 0L, isz.s4 - 1);
    }
    for (int kd = 0; kd < KD; kd++) {
        long td = od * str.s0 - pad.s0 + kd * dil.s0;
        int vd = td >= 0 && td < isz.s2;
        OFF_T id = (OFF_T)clamp(td, 0L, isz.s2 - 1);
        for (int kh = 0; kh < KH; kh++) {
            long th = oh * str.s1 - pad.s1 + kh * dil.s1;
            int vh = vd && th >= 0 && th < isz.s3;
            OFF_T ih = (OFF_T)clamp(th, 0L, isz.s3 - 1);
            const OFF_T row = src_nc + id * ist2 + ih * ist3, wrow = w_c + (OFF_T)kd * wst2 + (OFF_T)kh * wst3;
            for (int kw = 0; kw < KW; kw++) {
                ACC_T x = LOAD(src, row + iw[kw] * ist4);
                ACC_T w = LOAD(wt, wrow + (OFF_T)kw * wst4);
                ACC_T prod = x * w;
                sum = sum + (vh && vw[kw] ? prod : (ACC_T)0);
            }
        }
    }
#else
    OFF_T iw[DW_MAX_KW];
    for (int kw = 0; kw < KW; kw++) iw[kw] = (OFF_T)clrs_conv_map(ow * str.s2 - pad.s2 + kw * dil.s2, isz.s4, PMODE);
    for (int kd = 0; kd < KD; kd++) {
        OFF_T id = (OFF_T)clrs_conv_map(od * str.s0 - pad.s0 + kd * dil.s0, isz.s2, PMODE);
        for (int kh = 0; kh < KH; kh++) {
            OFF_T ih = (OFF_T)clrs_conv_map(oh * str.s1 - pad.s1 + kh * dil.s1, isz.s3, PMODE);
            const OFF_T row = src_nc + id * ist2 + ih * ist3, wrow = w_c + (OFF_T)kd * wst2 + (OFF_T)kh * wst3;
            for (int kw = 0; kw < KW; kw++) {
                ACC_T x = LOAD(src, row + iw[kw] * ist4);
                ACC_T w = LOAD(wt, wrow + (OFF_T)kw * wst4);
                ACC_T prod = x * w;
                sum = sum + prod;
            }
        }
    }
#endif
    if (has_bias) sum = sum + LOAD(bias, b_off + c * b_st);
    STORE(dst, OFF5(dst_off, ost, n, c, od, oh, ow), sum);
}
#endif

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
