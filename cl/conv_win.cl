/* SPDX-License-Identifier: MIT */
/* conv_win.cl — depthwise convolution with a compile-time 2-D window
 * ("conv/depthwise_win", src/ops/conv_win.c); program "conv_win" = common +
 * pool_common + conv_win. A depthwise strided convolution is a weighted
 * pooling window: the form follows cl/pool_win.cl's clrs_pool_win.
 *
 * -D flags (all set by src/ops/conv_win.c):
 *   name      values            meaning
 *   DTYPE_*   storage type      any (ACC_T float, double for F64)
 *   ORDER     0, 1              1: work-item x walks C (channels-last
 *                               output), 0: it walks W
 *   VW        1, 8, 16          ORDER 0, f32, input and output rows
 *                               contiguous: a work-item per output row,
 *                               its whole-window run in vectors of VW
 *                               (tuning conv_dw_vw caps it); 1: a
 *                               work-item per output element
 *   KH KW     1..               window (the weight's last two sizes)
 *   SH SW     1..               stride
 *   PH PW     0..               left / top padding
 *   DH DW     1..               dilation
 *   PMODE     0..3              padding mode (zeros, reflect, replicate,
 *                               circular)
 *   MULT      1..               channel multiplier (C_out / groups)
 *   VC        0, 8, 16          ORDER 1, f32, channels of unit stride in
 *                               both tensors, MULT 1: vectors of VC
 *                               channels per work-item, PX output pixels
 *                               along W each (tuning conv_dw_px)
 *   PX        1..               see VC
 *   OFF32     0, 1              every offset fits in an int
 *
 * The depth axis, if any, has a window of 1, stride 1, no padding: it is
 * walked like a batch axis. Results are clrs_conv's (conv/general) bit for
 * bit: each output sums its taps kh, kw ascending from +0, product and sum
 * rounded separately (FP_CONTRACT OFF), bias last, one rounding to the
 * storage type. A zero-padding tap adds +0 instead of being skipped, which
 * leaves the sum's bits unchanged (the sum starts at +0 and so is never -0;
 * x + +0 == x for every other x, NaN and infinities included); its product
 * is never taken (0 * inf would be NaN). */
#if defined(ACC_T) && defined(KH)
#if OFF32
#define OFF_T int
#else
#define OFF_T long
#endif
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define PM_ZEROS 0
#define PM_REFLECT 1
#define PM_REPLICATE 2
#define PM_CIRCULAR 3

/* input coordinate of tap x along an axis of n elements; -1: zero padding
 * (the host checked reflect pads < n, circular <= n: one fold suffices) */
inline OFF_T clrs_dww_map(OFF_T x, OFF_T n)
{
    if (x >= 0 && x < n) return x;
#if PMODE == PM_REFLECT
    return x < 0 ? -x : 2 * n - 2 - x;
#elif PMODE == PM_REPLICATE
    return x < 0 ? 0 : n - 1;
#elif PMODE == PM_CIRCULAR
    return x < 0 ? x + n : x - n;
#else
    return -1;
#endif
}

/* One output element; the channel's KH*KW weights in w. */
inline ACC_T clrs_dww_one(__global const DATA_T *src, long src_nc, OFF_T ish, OFF_T isw, OFF_T IH, OFF_T IW,
                          const ACC_T *w, OFF_T oh, OFF_T ow)
{
    ACC_T sum = (ACC_T)0;
#pragma unroll
    for (int kh = 0; kh < KH; kh++) {
        const OFF_T ih = clrs_dww_map(oh * SH - PH + kh * DH, IH);
#pragma unroll
        for (int kw = 0; kw < KW; kw++) {
            const OFF_T iw = clrs_dww_map(ow * SW - PW + kw * DW, IW);
            const int ok = ih >= 0 && iw >= 0;
            const ACC_T x = LOAD(src, src_nc + (ok ? ih * ish + iw * isw : 0));
            const ACC_T prod = x * w[kh * KW + kw];
            sum = sum + (ok ? prod : (ACC_T)0);
        }
    }
    return sum;
}

#if VW > 1 /* f32 rows, unit stride along W in the input and the output */
#define VF CAT(float, VW)
#define VLOAD(p) CAT(vload, VW)(0, (p))
#define VSTORE(v, p) CAT(vstore, VW)((v), 0, (p))
/* lane j: p[j * SW] (reads p[0 .. (VW-1)*SW] only) */
inline VF clrs_dww_row(__global const float *p)
{
#if SW == 1
    return VLOAD(p);
#elif SW == 2
    return (VF)(VLOAD(p).even, VLOAD(p + VW - 1).odd);
#else
    float t[VW];
    for (int j = 0; j < VW; j++) t[j] = p[j * SW];
    return VLOAD(t);
#endif
}
#endif

#ifndef VC
#define VC 0
#endif
#if ORDER && VC
#define VCF CAT(float, VC)
/* channels-last f32, MULT 1, channels of unit stride: VC channels of PX
 * output pixels (n, od, oh, ow .. ow+PX-1) per work-item; every lane has
 * the same taps, so a zero-padding tap is skipped for all (as general) */
__kernel void clrs_conv_dww(__global const float *src, long src_off, __global const float *wt, long w_off,
                            __global const float *bias, long b_off, long b_st, int has_bias, __global float *dst,
                            long dst_off, long8 isz, long8 ist, long8 wst, long8 osz, long8 ost, long cout_g)
{
    (void)cout_g;
    const long c = (long)get_global_id(0) * VC, ow0 = (long)get_global_id(1) * PX, g2 = (long)get_global_id(2);
    if (c >= osz.s1 || ow0 >= osz.s4) return;
    const long oh = g2 % osz.s3, r = g2 / osz.s3, od = r % osz.s2, n = r / osz.s2;
    if (n >= osz.s0) return;
    const OFF_T ish = (OFF_T)ist.s3, isw = (OFF_T)ist.s4, IH = (OFF_T)isz.s3, IW = (OFF_T)isz.s4;
    __global const float *rs = src + (src_off + n * ist.s0 + c + od * ist.s2);
    VCF wv[KH * KW];
    {
        float t[VC];
#pragma unroll
        for (int k = 0; k < KH * KW; k++) {
            const long at = w_off + (k / KW) * wst.s3 + (k % KW) * wst.s4 + c * wst.s0;
            for (int j = 0; j < VC; j++) t[j] = wt[at + j * wst.s0];
            wv[k] = CAT(vload, VC)(0, t);
        }
    }
    VCF bv = (VCF)(0.0f);
    if (has_bias) {
        float t[VC];
        for (int j = 0; j < VC; j++) t[j] = bias[b_off + (c + j) * b_st];
        bv = CAT(vload, VC)(0, t);
    }
    const OFF_T h0 = (OFF_T)oh * SH - PH;
    const long ob = dst_off + n * ost.s0 + c + od * ost.s2 + oh * ost.s3;
    for (long ow = ow0; ow < min(ow0 + PX, osz.s4); ow++) {
        const OFF_T w0 = (OFF_T)ow * SW - PW;
        VCF sum = (VCF)(0.0f);
#pragma unroll
        for (int kh = 0; kh < KH; kh++) {
            const OFF_T ih = clrs_dww_map(h0 + kh * DH, IH);
            if (ih < 0) continue;
#pragma unroll
            for (int kw = 0; kw < KW; kw++) {
                const OFF_T iw = clrs_dww_map(w0 + kw * DW, IW);
                if (iw < 0) continue;
                const VCF x = CAT(vload, VC)(0, rs + ih * ish + iw * isw);
                const VCF prod = x * wv[kh * KW + kw];
                sum = sum + prod;
            }
        }
        if (has_bias) sum = sum + bv;
        CAT(vstore, VC)(sum, 0, dst + ob + ow * ost.s4);
    }
}
#elif VW > 1
/* NCHW f32 rows (unit stride along W in both tensors): a work-item per
 * output row (n, c, od, oh), weights and row coordinates once per row; the
 * outputs whose windows lie inside the input row go in vectors of VW (the
 * last vector overlapping the one before where the run is not a multiple
 * of VW: the same values written twice), the few at the row's ends one by
 * one through clrs_dww_one. */
__kernel void clrs_conv_dww(__global const float *src, long src_off, __global const float *wt, long w_off,
                            __global const float *bias, long b_off, long b_st, int has_bias, __global float *dst,
                            long dst_off, long8 isz, long8 ist, long8 wst, long8 osz, long8 ost, long cout_g)
{
    (void)cout_g;
    const long oh = (long)get_global_id(0), c = (long)get_global_id(1), g2 = (long)get_global_id(2);
    if (oh >= osz.s3 || c >= osz.s1) return;
    const long od = g2 % osz.s2, n = g2 / osz.s2;
    if (n >= osz.s0) return;
    const long src_nc = src_off + n * ist.s0 + (c / MULT) * ist.s1 + od * ist.s2;
    const OFF_T ish = (OFF_T)ist.s3, IH = (OFF_T)isz.s3, IW = (OFF_T)isz.s4, OW = (OFF_T)osz.s4;
    float w[KH * KW];
    {
        const long wc = w_off + c * wst.s0;
#pragma unroll
        for (int kh = 0; kh < KH; kh++)
#pragma unroll
            for (int kw = 0; kw < KW; kw++) w[kh * KW + kw] = wt[wc + kh * wst.s3 + kw * wst.s4];
    }
    const float b = has_bias ? bias[b_off + c * b_st] : 0.0f;
    __global float *drow = dst + (dst_off + n * ost.s0 + c * ost.s1 + od * ost.s2 + oh * ost.s3);
    __global const float *rs = src + src_nc;
    const OFF_T h0 = (OFF_T)oh * SH - PH;
    /* the outputs [lo, hi) whose windows lie inside the row */
    const OFF_T lo = min((OFF_T)((PW + SW - 1) / SW), OW);
    const OFF_T last = IW - 1 - (KW - 1) * DW + PW; /* the last window start + PW */
    const OFF_T hi = max(lo, last < 0 ? lo : min(OW, last / SW + 1));
    const int vec = hi - lo >= VW;
    for (OFF_T ow = 0; ow < OW; ow++) {
        if (vec && ow == lo) { /* the run of whole windows */
            for (OFF_T x = lo; x < hi; x += VW) {
                const OFF_T xs = min(x, hi - VW), w0 = xs * SW - PW;
                VF sum = (VF)(0.0f);
#pragma unroll
                for (int kh = 0; kh < KH; kh++) {
                    const OFF_T ih = clrs_dww_map(h0 + kh * DH, IH);
#if PMODE == PM_ZEROS
                    if (ih < 0) continue; /* adds +0 to every lane */
#endif
#pragma unroll
                    for (int kw = 0; kw < KW; kw++) {
                        const VF xv = clrs_dww_row(rs + ih * ish + w0 + kw * DW);
                        const VF prod = xv * (VF)(w[kh * KW + kw]);
                        sum = sum + prod;
                    }
                }
                if (has_bias) sum = sum + (VF)(b);
                VSTORE(sum, drow + xs);
            }
            ow = hi - 1;
            continue;
        }
        float sum = clrs_dww_one(src, src_nc, ish, 1, IH, IW, w, (OFF_T)oh, ow);
        if (has_bias) sum = sum + b;
        drow[ow] = sum;
    }
}
#else
__kernel void clrs_conv_dww(__global const DATA_T *src, long src_off, __global const DATA_T *wt, long w_off,
                            __global const DATA_T *bias, long b_off, long b_st, int has_bias, __global DATA_T *dst,
                            long dst_off, long8 isz, long8 ist, long8 wst, long8 osz, long8 ost, long cout_g)
{
    long n, c, od, oh, ow, x0, nx;
    {
        const long g0 = (long)get_global_id(0), g1 = (long)get_global_id(1), g2 = (long)get_global_id(2);
#if ORDER
        nx = osz.s1;
        x0 = g0;
        if (x0 >= nx || g1 >= osz.s4) return;
        c = x0;
        ow = g1;
        oh = g2 % osz.s3;
        const long r = g2 / osz.s3;
        od = r % osz.s2;
        n = r / osz.s2;
#else
        nx = osz.s4;
        x0 = g0 * VW;
        if (x0 >= nx || g1 >= osz.s3) return;
        ow = x0;
        oh = g1;
        od = g2 % osz.s2;
        const long r = g2 / osz.s2;
        c = r % osz.s1;
        n = r / osz.s1;
#endif
        if (n >= osz.s0) return;
    }
    (void)cout_g;
    const long cs = c / MULT;
    const long src_nc = src_off + n * ist.s0 + cs * ist.s1 + od * ist.s2;
    const OFF_T ish = (OFF_T)ist.s3, isw = (OFF_T)ist.s4, IH = (OFF_T)isz.s3, IW = (OFF_T)isz.s4;
    ACC_T w[KH * KW];
    {
        const long wc = w_off + c * wst.s0;
#pragma unroll
        for (int kh = 0; kh < KH; kh++)
#pragma unroll
            for (int kw = 0; kw < KW; kw++) w[kh * KW + kw] = LOAD(wt, wc + kh * wst.s3 + kw * wst.s4);
    }
    const ACC_T b = has_bias ? LOAD(bias, b_off + c * b_st) : (ACC_T)0;
    for (long x = x0; x < min(x0 + VW, nx); x++) {
#if ORDER
        const long cc = x, oww = ow;
#else
        const long cc = c, oww = x;
#endif
        ACC_T sum = clrs_dww_one(src, src_nc, ish, isw, IH, IW, w, (OFF_T)oh, (OFF_T)oww);
        if (has_bias) sum = sum + b;
        STORE(dst, OFF5(dst_off, ost, n, cc, od, oh, oww), sum);
    }
}
#endif /* ORDER && VC */
#endif
