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
 *   VW        1, 8, 16          outputs per work-item along W (ORDER 0,
 *                               f32, input and output rows contiguous;
 *                               tuning conv_dw_vw caps it)
 *   KH KW     1..               window (the weight's last two sizes)
 *   SH SW     1..               stride
 *   PH PW     0..               left / top padding
 *   DH DW     1..               dilation
 *   PMODE     0..3              padding mode (zeros, reflect, replicate,
 *                               circular)
 *   OFF32     0, 1              every offset fits in an int
 *
 * The depth axis, if any, has a window of 1, stride 1, no padding: it is
 * walked like a batch axis. Results are clrs_conv's (conv/general) bit for
 * bit: each output sums its taps kh, kw ascending from +0, product and sum
 * rounded separately (FP_CONTRACT OFF), bias last, one rounding to the
 * storage type. A zero-padding tap adds +0 instead of being skipped, which
 * leaves the sum's bits unchanged (the sum starts at +0 and so is never -0;
 * x + +0 == x for every other x, NaN and infinities included). */
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
    const long cs = c / cout_g;
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
#if VW > 1
    if (x0 + VW <= nx) {
        const OFF_T w0 = (OFF_T)ow * SW - PW, h0 = (OFF_T)oh * SH - PH;
        const long o = OFF5(dst_off, ost, n, c, od, oh, ow);
        if (w0 >= 0 && w0 + (VW - 1) * SW + (KW - 1) * DW < IW) {
            /* every lane's window inside the row: vector loads */
            __global const float *rs = src + src_nc;
            VF sum = (VF)(0.0f);
#pragma unroll
            for (int kh = 0; kh < KH; kh++) {
                const OFF_T ih = clrs_dww_map(h0 + kh * DH, IH);
#if PMODE == PM_ZEROS
                if (ih < 0) continue; /* adds +0 to every lane */
#endif
#pragma unroll
                for (int kw = 0; kw < KW; kw++) {
                    const VF x = clrs_dww_row(rs + ih * ish + w0 + kw * DW);
                    const VF prod = x * (VF)(w[kh * KW + kw]);
                    sum = sum + prod;
                }
            }
            if (has_bias) sum = sum + (VF)(b);
            VSTORE(sum, dst + o);
            return;
        }
    }
#endif
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
#endif
