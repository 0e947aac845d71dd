/* SPDX-License-Identifier: MIT */
/* pool.cl — the pooling engine, max unpooling and pixel shuffle.
 *
 * ONE pooling engine (clrs_pool, and clrs_pool_global for global pooling):
 *   DTYPE_*   storage type (common.cl): f32, f64, f16, bf16, u8, u16; one
 *             general program per dtype serves every algorithm through the
 *             runtime argument `algo`:
 *             0 max, 1 avg, 2 LP (finite p), 3 adaptive avg, 4 adaptive max,
 *             5 fractional max; LP with p = +-inf is max with `xform`
 *             1 |x| (p = +inf) or 2 -|x| (p = -inf; the stored result is
 *             negated back, as torch's -max_pool(-|x|))
 *   WG_SIZE   work-group size of clrs_pool_global's reduction
 * Specialised programs for large outputs with non-overlapping whole windows
 * (stride == kernel, no padding; adaptive with divisible sizes):
 *   ALGO      the algorithm as a constant (every test on it folds away)
 *   FULL=1    every window lies inside the input: no clipping
 *   KD/KH/KW  the window size per axis (loops unroll)
 * The spatial part is always 3-D (D, H, W); missing leading axes have size 1.
 * clrs_pool_win (WIN=1, below): max / avg with a compile-time 2-D window
 * (KH/KW, SH/SW, PH/PW, DH/DW) and adaptive avg on channels-last f32, for
 * large outputs; f32 rows (or channels) contiguous along x get VW outputs
 * per work-item as OpenCL vectors (PoCL does not vectorise the general
 * kernel's data-dependent loops across work-items); adaptive avg into a
 * non-channels-last output gets one work-item per output row (AIW/AOW).
 *
 * Rules (PyTorch CPU, aten/src/ATen/native/cpu/MaxPoolKernel.cpp,
 * AvgPoolKernel.cpp, AdaptiveAvgPoolKernel.cpp, AdaptiveMaxPoolKernel.cpp,
 * FractionalMaxPool2d/3d.cpp, torch/nn/functional.py lp_pool*):
 *  - max: taps in scan order d, h, w; a value replaces the running max when
 *    val > max or val is NaN (NaN propagates, last NaN wins, ties keep the
 *    first); padding acts as -inf; the index starts at the first in-bounds
 *    tap. The value is copied as raw bits (bit-exact, NaN payloads kept).
 *  - avg: hstart = o*s - pad, hend = min(hstart + k, in + pad), pool_size =
 *    (hend - hstart)*..., then clip to [0, in); empty -> 0; divisor =
 *    divisor_override ?: count_include_pad ? pool_size : clipped count;
 *    sum in ACC_T (float for f16/bf16) in scan order, out = sum / divisor.
 *    Integer dtypes: integer sum, truncated quotient, saturated.
 *  - adaptive: [floor(o*in/out), ceil((o+1)*in/out)) in integers; avg is
 *    sum / kd / kh / kw.
 *  - LP: torch's composite avg_pool(x^p) -> sign*relu(|a|) * prod(kernel)
 *    -> ^(1/p), with ATen's special exponents (2, 3, +-0.5, -1, -2, 1).
 *  - f16/bf16 are computed in float and rounded once when stored. torch's
 *    CPU rounds some intermediates to 16 bits (every step of LP's composite,
 *    the partial sums of adaptive_avg_pool3d): its results can be a few ulp
 *    away from the float answer we give, but where such an intermediate
 *    overflows to +-inf in torch, it does here too (ovf16).
 * No fast-math anywhere; contraction is off so x*x + sum stays two roundings. */
#pragma OPENCL FP_CONTRACT OFF

#ifndef FULL
#define FULL 0
#endif
#ifndef WIN
#define WIN 0
#endif

#define A_MAX 0
#define A_AVG 1
#define A_LP 2
#define A_AAVG 3
#define A_AMAX 4
#define A_FMAX 5

/* ---- the output element a work-item owns -------------------------------- */
#define DECOMPOSE_OUTPUT(osz, order)                                        \
    long n, c, od, oh, ow;                                                  \
    {                                                                       \
        long g0 = (long)get_global_id(0), g1 = (long)get_global_id(1);      \
        long g2 = (long)get_global_id(2);                                   \
        if (order) {                                                        \
            if (g0 >= (osz).s1 || g1 >= (osz).s4) return;                   \
            c = g0;                                                         \
            ow = g1;                                                        \
            oh = g2 % (osz).s3;                                             \
            long r_ = g2 / (osz).s3;                                        \
            od = r_ % (osz).s2;                                             \
            n = r_ / (osz).s2;                                              \
        } else {                                                            \
            if (g0 >= (osz).s4 || g1 >= (osz).s3) return;                   \
            ow = g0;                                                        \
            oh = g1;                                                        \
            od = g2 % (osz).s2;                                             \
            long r_ = g2 / (osz).s2;                                        \
            c = r_ % (osz).s1;                                              \
            n = r_ / (osz).s1;                                              \
        }                                                                   \
        if (n >= (osz).s0) return;                                          \
    }

#define OFF5(off, st, a, b, cc, d, e) ((off) + (a) * (st).s0 + (b) * (st).s1 + (cc) * (st).s2 + (d) * (st).s3 + (e) * (st).s4)

/* ---- storage bits ------------------------------------------------------- */
inline float clrs_h2f(ushort h)
{
    uint s = ((uint)h & 0x8000u) << 16, e = ((uint)h >> 10) & 0x1fu, m = (uint)h & 0x3ffu;
    if (e == 0u) {
        float f = (float)m * 5.9604644775390625e-8f; /* 2^-24 */
        return s ? -f : f;
    }
    if (e == 31u) return as_float(s | 0x7f800000u | (m << 13));
    return as_float(s | ((e + 112u) << 23) | (m << 13));
}

#if defined(DTYPE_F32)
#define RAW_T uint
#define RAW_TO_ACC(r) as_float(r)
#define RAW_ABS(r) ((r) & 0x7fffffffu)
#define RAW_NEG(r) ((r) ^ 0x80000000u)
#define RAW_NEG_INF 0xff800000u
#define IS_INT_DTYPE 0
#elif defined(DTYPE_F64)
#define RAW_T ulong
#define RAW_TO_ACC(r) as_double(r)
#define RAW_ABS(r) ((r) & 0x7fffffffffffffffUL)
#define RAW_NEG(r) ((r) ^ 0x8000000000000000UL)
#define RAW_NEG_INF 0xfff0000000000000UL
#define IS_INT_DTYPE 0
#elif defined(DTYPE_F16)
#define RAW_T ushort
#define RAW_TO_ACC(r) clrs_h2f(r)
#define RAW_ABS(r) ((ushort)((r) & 0x7fffu))
#define RAW_NEG(r) ((ushort)((r) ^ 0x8000u))
#define RAW_NEG_INF ((ushort)0xfc00u)
#define IS_INT_DTYPE 0
#elif defined(DTYPE_BF16)
#define RAW_T ushort
#define RAW_TO_ACC(r) clrs_bf16_to_f32(r)
#define RAW_ABS(r) ((ushort)((r) & 0x7fffu))
#define RAW_NEG(r) ((ushort)((r) ^ 0x8000u))
#define RAW_NEG_INF ((ushort)0xff80u)
#define IS_INT_DTYPE 0
#elif defined(DTYPE_U8)
#define RAW_T uchar
#define RAW_TO_ACC(r) ((float)(r))
#define RAW_ABS(r) (r)
#define RAW_NEG(r) ((uchar)(0u - (uint)(r))) /* torch's uint8 negation wraps */
#define RAW_NEG_INF ((uchar)0)               /* numeric_limits<uint8_t>::min() */
#define IS_INT_DTYPE 1
#define INT_MAXV 255
#elif defined(DTYPE_U16)
#define RAW_T ushort
#define RAW_TO_ACC(r) ((float)(r))
#define RAW_ABS(r) (r)
#define RAW_NEG(r) ((ushort)(0u - (uint)(r)))
#define RAW_NEG_INF ((ushort)0)
#define IS_INT_DTYPE 1
#define INT_MAXV 65535
#endif

#if defined(RAW_T)

/* the max family's input transform (xform, a runtime argument) */
#define XF(r) (xform == 0 ? (r) : xform == 1 ? RAW_ABS(r) : RAW_NEG(RAW_ABS(r)))

#if IS_INT_DTYPE
#define SUM_T long
#define SUM_LOAD(p, i) ((long)(p)[i])
#else
#define SUM_T ACC_T
#define SUM_LOAD(p, i) LOAD(p, i)
#endif

/* Tensor.pow(scalar) as ATen's CPU kernel computes it (code chosen on the host). */
inline ACC_T clrs_pow(ACC_T x, ACC_T e, int code)
{
    switch (code) {
    case 1: return x * x;
    case 2: return x * x * x;
    case 3: return sqrt(x);
    case 4: return (ACC_T)1 / sqrt(x);
    case 5: return (ACC_T)1 / x;
    case 6: return (ACC_T)1 / (x * x);
    case 7: return x;
    default: return pow(x, e);
    }
}

/* ---- the running max (scan order, torch's NaN and tie rules) ------------ */
typedef struct {
    ACC_T v;
    RAW_T raw;
    long i;
} clrs_maxst;

#define MAX_STEP(st, r_, idx_)                        \
    do {                                              \
        RAW_T xr_ = XF(r_);                           \
        ACC_T xv_ = RAW_TO_ACC(xr_);                  \
        if (xv_ > (st).v || isnan(xv_)) {             \
            (st).v = xv_;                             \
            (st).raw = xr_;                           \
            (st).i = (idx_);                          \
        }                                             \
    } while (0)

#define MAX_RESULT(raw) (xform == 2 ? RAW_NEG(raw) : (raw))

/* ALGO is a -D constant in the window-size specialised programs (FULL);
 * the general program takes the runtime argument `algo` instead. Every test
 * on ALGO_V folds away when it is a constant. */
#ifdef ALGO
#define ALGO_V ALGO
#else
#define ALGO_V algo
#endif
#define IS_MAXF(a) ((a) == A_MAX || (a) == A_AMAX || (a) == A_FMAX)

/* ---- finishing the sum-type algorithms ----------------------------------- */
inline void clrs_store_sum(__global DATA_T *dst, long o, SUM_T sum, long divisor)
{
#if IS_INT_DTYPE
    long q = divisor != 0 ? sum / divisor : 0;
    q = q < 0 ? 0 : (q > INT_MAXV ? INT_MAXV : q);
    ((__global RAW_T *)dst)[o] = (RAW_T)q;
#else
    STORE(dst, o, sum / (ACC_T)divisor);
#endif
}

inline void clrs_store_aavg(__global DATA_T *dst, long o, SUM_T sum, long kd, long kh, long kw)
{
#if IS_INT_DTYPE
    clrs_store_sum(dst, o, sum, kd * kh * kw);
#else
    STORE(dst, o, sum / (ACC_T)kd / (ACC_T)kh / (ACC_T)kw);
#endif
}

/* Where torch stores a 16-bit intermediate that overflows, the result is
 * +-inf: ovf16 applies that range limit (not the rounding) to a float
 * value. OVF_LIMIT is the smallest float that rounds to the type's inf. */
#if defined(DTYPE_F16)
#define OVF_LIMIT 65520.0f
#elif defined(DTYPE_BF16)
#define OVF_LIMIT 3.3961775e38f /* 0x7f7f8000 */
#endif
inline ACC_T clrs_ovf16(ACC_T v)
{
#ifdef OVF_LIMIT
    return fabs(v) >= OVF_LIMIT ? copysign((ACC_T)INFINITY, v) : v;
#else
    return v;
#endif
}

inline void clrs_store_lp(__global DATA_T *dst, long o, SUM_T sum, long divisor, ACC_T kprod, ACC_T ipw_e,
                          int ipw_code, int ovf16)
{
#if !IS_INT_DTYPE /* LP with a finite p is refused for integer dtypes */
    ACC_T a = sum / (ACC_T)divisor;
    if (ovf16) a = clrs_ovf16(a);
    ACC_T t = a == (ACC_T)0 ? (ACC_T)0 : a; /* sign(a) * relu(|a|): -0 -> +0, NaN stays */
    ACC_T m = t * kprod;
    if (ovf16) m = clrs_ovf16(m);
    STORE(dst, o, clrs_pow(m, ipw_e, ipw_code));
#endif
}

/* One tap of the sum family: LP sums x^p (each term a 16-bit tensor
 * element in torch, hence ovf16), adaptive avg 3-D on f16/bf16 has 16-bit
 * partial sums in torch (ovf16 on the running sum). */
inline SUM_T clrs_sum_step(SUM_T sum, __global const DATA_T *src, long i, int lp, int ovf16, ACC_T pw_e,
                           int pw_code)
{
#if IS_INT_DTYPE
    return sum + SUM_LOAD(src, i);
#else
    ACC_T x = LOAD(src, i);
    if (lp) {
        x = clrs_pow(x, pw_e, pw_code);
        return sum + (ovf16 ? clrs_ovf16(x) : x);
    }
    sum += x;
    return ovf16 ? clrs_ovf16(sum) : sum;
#endif
}

/* Window of output index o along one axis: [*st, *en) (step: dilation for
 * max, else 1); *pool is avg's pool size before clipping. */
inline void clrs_window(int algo, long o, long in, long out, long k, long s, long p, long dl, long ftab, long *st,
                        long *en, long *pool)
{
    *pool = 0;
    if (algo == A_MAX) {
        long a = o * s - p;
        long e = min(a + (k - 1) * dl + 1, in);
        if (a < 0) a += ((-a + dl - 1) / dl) * dl;
        *st = a;
        *en = e;
    } else if (algo == A_AVG || algo == A_LP) {
        long a = o * s - p;
        long e = min(a + k, in + p);
        *pool = e - a;
        *st = max(a, 0L);
        *en = min(e, in);
    } else if (algo == A_AAVG || algo == A_AMAX) {
        *st = (o / out) * in + ((o % out) * in) / out;
        *en = 1 + ((o + 1) * in - 1) / out;
    } else { /* fractional: start from the host's table */
        *st = ftab;
        *en = ftab + k;
    }
}

#if !WIN /* the general engine (clrs_pool, clrs_pool_global) */
#if FULL
#define NTAPS_D KD
#define NTAPS_H KH
#define NTAPS_W KW
#define TAPS(v, st, en, step, ntaps) for (long v##_t = 0, v = (st); v##_t < (ntaps); v##_t++, v += (step))
#else
#define TAPS(v, st, en, step, ntaps) for (long v = (st); v < (en); v += (step))
#endif

/*
 * clrs_pool: one work-item per output element.
 *  isz/osz: logical sizes (N, C, D, H, W) of input / output; ist/ost/xst:
 *  element strides of input / output / indices in the same order.
 *  k3/s3/p3/d3: kernel, stride, padding, dilation per spatial axis (D, H, W).
 *  tab: fractional window starts, per plane (n*C + c) tlen = OD + OH + OW
 *  entries (D starts, then H, then W).
 *  divisor: avg: divisor_override (0 = none); with FULL: the divisor itself.
 *  order: 1 = work-item x walks C (channels-last outputs), 0 = it walks W.
 *  with_idx: also write int64 flat per-plane indices ((d*H + h)*W + w).
 *  algo: the algorithm when ALGO is not compiled in; ovf16: see clrs_ovf16.
 */
__kernel void clrs_pool(__global const DATA_T *src, long src_off, __global DATA_T *dst, long dst_off,
                        __global long *idx, long idx_off, __global const long *tab, long8 isz, long8 osz,
                        long8 ist, long8 ost, long8 xst, long4 k3, long4 s3, long4 p3, long4 d3, long divisor,
                        int cip, ACC_T pw_e, int pw_code, ACC_T ipw_e, int ipw_code, ACC_T kprod, int order,
                        int with_idx, int xform, int algo, int ovf16)
{
    DECOMPOSE_OUTPUT(osz, order);
    const int A = ALGO_V;
    const long IH = isz.s3, IW = isz.s4;
    const long base = src_off + n * ist.s0 + c * ist.s1;
    long sd, ed, pd, sh, eh, ph, sw, ew, pw;
#if FULL
    /* non-overlapping whole windows: stride == kernel, nothing to clip */
    sd = od * s3.s0;
    sh = oh * s3.s1;
    sw = ow * s3.s2;
    ed = eh = ew = pd = ph = pw = 0;
#else
    long fd = 0, fh = 0, fw = 0;
    if (A == A_FMAX) {
        long tlen = osz.s2 + osz.s3 + osz.s4;
        __global const long *t = tab + (n * osz.s1 + c) * tlen;
        fd = t[od];
        fh = t[osz.s2 + oh];
        fw = t[osz.s2 + osz.s3 + ow];
    }
    clrs_window(A, od, isz.s2, osz.s2, k3.s0, s3.s0, p3.s0, d3.s0, fd, &sd, &ed, &pd);
    clrs_window(A, oh, IH, osz.s3, k3.s1, s3.s1, p3.s1, d3.s1, fh, &sh, &eh, &ph);
    clrs_window(A, ow, IW, osz.s4, k3.s2, s3.s2, p3.s2, d3.s2, fw, &sw, &ew, &pw);
#endif
    const long o = OFF5(dst_off, ost, n, c, od, oh, ow);
    if (IS_MAXF(A)) {
        const long dd = A == A_MAX ? d3.s0 : 1, dh = A == A_MAX ? d3.s1 : 1, dw = A == A_MAX ? d3.s2 : 1;
        clrs_maxst m;
        m.raw = (RAW_T)RAW_NEG_INF;
        m.v = RAW_TO_ACC(m.raw);
        m.i = (sd * IH + sh) * IW + sw;
        __global const RAW_T *rs = (__global const RAW_T *)src;
        TAPS(id, sd, ed, dd, NTAPS_D)
        {
            TAPS(ih, sh, eh, dh, NTAPS_H)
            {
                const long rowoff = base + id * ist.s2 + ih * ist.s3;
                const long rowidx = (id * IH + ih) * IW;
                TAPS(iw, sw, ew, dw, NTAPS_W) { MAX_STEP(m, rs[rowoff + iw * ist.s4], rowidx + iw); }
            }
        }
        ((__global RAW_T *)dst)[o] = MAX_RESULT(m.raw);
        if (with_idx) idx[OFF5(idx_off, xst, n, c, od, oh, ow)] = m.i;
        return;
    }
    /* sum family */
#if !FULL
    if ((A == A_AVG || A == A_LP) && (sd >= ed || sh >= eh || sw >= ew)) {
        STORE(dst, o, (ACC_T)0);
        return;
    }
#endif
    const int lp = A == A_LP;
    SUM_T sum = 0;
    TAPS(id, sd, ed, 1, NTAPS_D)
    {
        TAPS(ih, sh, eh, 1, NTAPS_H)
        {
            const long rowoff = base + id * ist.s2 + ih * ist.s3;
            TAPS(iw, sw, ew, 1, NTAPS_W) { sum = clrs_sum_step(sum, src, rowoff + iw * ist.s4, lp, ovf16, pw_e, pw_code); }
        }
    }
    if (A == A_AAVG) {
#if FULL
        clrs_store_aavg(dst, o, sum, NTAPS_D, NTAPS_H, NTAPS_W);
#else
        clrs_store_aavg(dst, o, sum, ed - sd, eh - sh, ew - sw);
#endif
        return;
    }
    long dv;
#if FULL
    dv = divisor; /* the host's constant: override or the kernel volume */
#else
    if (divisor != 0)
        dv = divisor;
    else if (cip)
        dv = pd * ph * pw;
    else
        dv = (ed - sd) * (eh - sh) * (ew - sw);
#endif
    if (lp)
        clrs_store_lp(dst, o, sum, dv, kprod, ipw_e, ipw_code, ovf16);
    else
        clrs_store_sum(dst, o, sum, dv);
}

/*
 * clrs_pool_global: global pooling (every output is one whole input plane),
 * one work-group of WG_SIZE items per plane; global size (WG_SIZE, C, N).
 * Sums are combined as a tree (within tolerance of torch's serial sum); the
 * max family combines (value, index) pairs so the result equals the serial
 * scan exactly: any NaN -> the NaN with the largest index, else the largest
 * value with the smallest index.
 */
#ifdef WG_SIZE
inline int clrs_max_takes_b(ACC_T av, long ai, ACC_T bv, long bi)
{
    if (bi < 0) return 0;
    if (ai < 0) return 1;
    int an = isnan(av), bn = isnan(bv);
    if (an && bn) return bi > ai;
    if (an || bn) return bn;
    if (av != bv) return bv > av;
    return bi < ai;
}

__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1))) void
clrs_pool_global(__global const DATA_T *src, long src_off, __global DATA_T *dst, long dst_off, __global long *idx,
                 long idx_off, long8 isz, long8 ist, long8 ost, long8 xst, long divisor, ACC_T pw_e, int pw_code,
                 ACC_T ipw_e, int ipw_code, ACC_T kprod, int with_idx, int xform, int algo, int ovf16)
{
    __local ACC_T lv[WG_SIZE];
    __local long li[WG_SIZE];
    __local RAW_T lr[WG_SIZE];
    __local SUM_T ls[WG_SIZE];
    const int A = ALGO_V;
    const int lid = (int)get_local_id(0);
    const long c = (long)get_global_id(1), n = (long)get_global_id(2);
    const long ID = isz.s2, IH = isz.s3, IW = isz.s4, total = ID * IH * IW;
    const long base = src_off + n * ist.s0 + c * ist.s1;
    const long o = dst_off + n * ost.s0 + c * ost.s1;
    if (IS_MAXF(A)) {
        __global const RAW_T *rs = (__global const RAW_T *)src;
        clrs_maxst m;
        m.raw = (RAW_T)RAW_NEG_INF;
        m.v = RAW_TO_ACC(m.raw);
        m.i = -1; /* nothing replaced the initial -inf yet */
        for (long e = lid; e < total; e += WG_SIZE) {
            long w = e % IW, r = e / IW, h = r % IH, d = r / IH;
            MAX_STEP(m, rs[base + d * ist.s2 + h * ist.s3 + w * ist.s4], e);
        }
        lv[lid] = m.v;
        li[lid] = m.i;
        lr[lid] = m.raw;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int half_ = WG_SIZE / 2; half_ > 0; half_ >>= 1) {
            if (lid < half_ && clrs_max_takes_b(lv[lid], li[lid], lv[lid + half_], li[lid + half_])) {
                lv[lid] = lv[lid + half_];
                li[lid] = li[lid + half_];
                lr[lid] = lr[lid + half_];
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        if (lid == 0) {
            ((__global RAW_T *)dst)[o] = MAX_RESULT(lr[0]);
            if (with_idx) idx[idx_off + n * xst.s0 + c * xst.s1] = li[0] < 0 ? 0 : li[0]; /* all -inf: first tap */
        }
    } else {
        const int lp = A == A_LP;
        SUM_T sum = 0;
        for (long e = lid; e < total; e += WG_SIZE) {
            long w = e % IW, r = e / IW, h = r % IH, d = r / IH;
            sum = clrs_sum_step(sum, src, base + d * ist.s2 + h * ist.s3 + w * ist.s4, lp, ovf16, pw_e, pw_code);
        }
        ls[lid] = sum;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int half_ = WG_SIZE / 2; half_ > 0; half_ >>= 1) {
            if (lid < half_) ls[lid] = ls[lid] + ls[lid + half_];
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        if (lid == 0) {
            if (A == A_AAVG)
                clrs_store_aavg(dst, o, ls[0], ID, IH, IW);
            else if (lp)
                clrs_store_lp(dst, o, ls[0], divisor, kprod, ipw_e, ipw_code, ovf16);
            else
                clrs_store_sum(dst, o, ls[0], divisor);
        }
    }
}
#endif /* WG_SIZE */
#endif /* !WIN */

/*
 * clrs_pool_win: max / avg pooling with a 2-D window (H, W) whose shape is
 * compile-time (the depth axis, if any, is walked like a batch axis: KD =
 * SD = 1, no depth padding), for large outputs. -D constants:
 *   WIN=1     selects this kernel (the program holds nothing else)
 *   ALGO      A_MAX (no xform) or A_AVG
 *   KH/KW SH/SW PH/PW DH/DW   window, stride, padding, dilation
 *   CIP       avg: count_include_pad
 *   IDX       max: also write the int64 indices
 *   ORDER     1: work-item x walks C (channels-last output), 0: it walks W
 *   PC        with ORDER 0: C (2..8) channels-last channels per work-item,
 *             strides along W and C compile-time (else 0)
 *   OFF32     the host proved every offset fits in int: 32-bit index math
 *   VW        outputs per work-item along x (1, or 8/16 for f32 when the
 *             input, output and indices are contiguous along x): whole
 *             vectors inside the input, one output at a time at the borders
 * Results are those of clrs_pool: the same taps in the same scan order, the
 * same first in-bounds index, the NaN rule written as selects; a padded tap
 * is skipped (max) or adds +0, which leaves a float sum's bits unchanged
 * (the sum starts at +0 and is never -0).
 */
#if WIN
#ifndef PC
#define PC 0
#endif
#ifndef DH /* avg has no dilation */
#define DH 1
#define DW 1
#endif
#if OFF32
#define OFF_T int
#define OFFV_T(n) CAT(int, n)
#else
#define OFF_T long
#define OFFV_T(n) CAT(long, n)
#endif
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
/* 16 unaligned floats as one load / store (clang: one instruction; PoCL's
 * vload16 / vstore16 split into pieces), for the explicit-vector forms */
#if defined(__clang__)
typedef float clrs_f16u __attribute__((ext_vector_type(16), aligned(4)));
#define WIN_LD16(p) (*(__global const clrs_f16u *)(p))
#define WIN_ST16(x, p) (*(__global clrs_f16u *)(p) = (x))
#else
#define WIN_LD16(p) vload16(0, (p))
#define WIN_ST16(x, p) vstore16((x), 0, (p))
#endif

#if ALGO == A_MAX || ALGO == A_AVG
/* One output element (n, c, od, oh, ow), any dtype, any strides. */
inline void clrs_win_one(__global const DATA_T *src, long src_off, __global DATA_T *dst, long dst_off,
                         __global long *idx, long idx_off, long8 isz, long8 ist, long8 ost, long8 xst, long divisor,
                         long n, long c, long od, long oh, long ow)
{
    const OFF_T IH = (OFF_T)isz.s3, IW = (OFF_T)isz.s4;
    const OFF_T h0 = (OFF_T)oh * SH - PH, w0 = (OFF_T)ow * SW - PW;
#if PC
    /* PC = C channels-last channels (unit stride, W stride C in the input,
     * output and indices): compile-time strides along W and C */
    const OFF_T sh = (OFF_T)ist.s3, sw = PC;
    const long base = src_off + n * ist.s0 + c + od * ist.s2;
    const long o = dst_off + n * ost.s0 + c + od * ost.s2 + oh * ost.s3 + ow * PC;
#define WIN_IDX_AT (idx_off + n * xst.s0 + c + od * xst.s2 + oh * xst.s3 + ow * PC)
#else
    const OFF_T sh = (OFF_T)ist.s3, sw = (OFF_T)ist.s4;
    const long base = src_off + n * ist.s0 + c * ist.s1 + od * ist.s2;
    const long o = OFF5(dst_off, ost, n, c, od, oh, ow);
#define WIN_IDX_AT OFF5(idx_off, xst, n, c, od, oh, ow)
#endif
#if ALGO == A_MAX
    __global const RAW_T *rs = (__global const RAW_T *)src + base;
    RAW_T mr = (RAW_T)RAW_NEG_INF;
    ACC_T mv = RAW_TO_ACC(mr);
    /* torch's first index: the first in-bounds tap of each axis */
    const OFF_T fh = h0 < 0 ? h0 + ((-h0 + DH - 1) / DH) * DH : h0;
    const OFF_T fw = w0 < 0 ? w0 + ((-w0 + DW - 1) / DW) * DW : w0;
    const OFF_T pl = (OFF_T)od * IH;
    OFF_T mi = (pl + fh) * IW + fw;
    for (int kh = 0; kh < KH; kh++) {
        const OFF_T ih = h0 + kh * DH;
        if (ih < 0 || ih >= IH) continue;
        for (int kw = 0; kw < KW; kw++) {
            const OFF_T iw = w0 + kw * DW;
            if (iw < 0 || iw >= IW) continue;
            const RAW_T r = rs[ih * sh + iw * sw];
            const ACC_T v = RAW_TO_ACC(r);
            if (v > mv || isnan(v)) {
                mv = v;
                mr = r;
                mi = (pl + ih) * IW + iw;
            }
        }
    }
    ((__global RAW_T *)dst)[o] = mr;
#if IDX
    idx[WIN_IDX_AT] = (long)mi;
#endif
#else /* A_AVG */
    SUM_T sum = 0;
    int cnt = 0;
    for (int kh = 0; kh < KH; kh++) {
        const OFF_T ih = h0 + kh;
        if (ih < 0 || ih >= IH) continue;
        for (int kw = 0; kw < KW; kw++) {
            const OFF_T iw = w0 + kw;
            if (iw < 0 || iw >= IW) continue;
            sum += SUM_LOAD(src + base, ih * sh + iw * sw);
            cnt++;
        }
    }
    long dv = divisor;
    if (dv == 0) {
#if CIP
        const OFF_T he = min(h0 + KH, IH + PH), we = min(w0 + KW, IW + PW);
        dv = (long)((he - h0) * (we - w0));
#else
        dv = cnt;
#endif
    }
    if (cnt == 0) {
        sum = 0;
        dv = 1;
    }
    clrs_store_sum(dst, o, sum, dv);
#endif
#undef WIN_IDX_AT
}
#if PC
/* The PC channels of output (n, od, oh, ow). A window inside the input
 * along W (every output but a few at the row ends) reads without column
 * checks, so the loads stay affine in ow (rows: oh is uniform across the
 * work-items PoCL vectorises over); the others go through clrs_win_one. */
inline void clrs_win_pc(__global const DATA_T *src, long src_off, __global DATA_T *dst, long dst_off,
                        __global long *idx, long idx_off, long8 isz, long8 ist, long8 ost, long8 xst, long divisor,
                        long n, long od, long oh, long ow)
{
    const OFF_T IH = (OFF_T)isz.s3, IW = (OFF_T)isz.s4;
    const OFF_T h0 = (OFF_T)oh * SH - PH, w0 = (OFF_T)ow * SW - PW;
    if (w0 < 0 || w0 + (KW - 1) * DW >= IW) {
#pragma unroll
        for (int cc = 0; cc < PC; cc++)
            clrs_win_one(src, src_off, dst, dst_off, idx, idx_off, isz, ist, ost, xst, divisor, n, cc, od, oh, ow);
        return;
    }
    const OFF_T sh = (OFF_T)ist.s3;
    const long base = src_off + n * ist.s0 + od * ist.s2;
    const long o = dst_off + n * ost.s0 + od * ost.s2 + oh * ost.s3 + ow * PC;
#if ALGO == A_MAX
    __global const RAW_T *rs = (__global const RAW_T *)src + base;
    RAW_T mr[PC];
    ACC_T mv[PC];
    const OFF_T fh = h0 < 0 ? h0 + ((-h0 + DH - 1) / DH) * DH : h0;
    const OFF_T pl = (OFF_T)od * IH;
    OFF_T mi[PC];
#pragma unroll
    for (int cc = 0; cc < PC; cc++) {
        mr[cc] = (RAW_T)RAW_NEG_INF;
        mv[cc] = RAW_TO_ACC(mr[cc]);
        mi[cc] = (pl + fh) * IW + w0;
    }
#pragma unroll
    for (int kh = 0; kh < KH; kh++) {
        const OFF_T ih = h0 + kh * DH;
        if (ih < 0 || ih >= IH) continue;
#pragma unroll
        for (int kw = 0; kw < KW; kw++) {
            const OFF_T iw = w0 + kw * DW;
#pragma unroll
            for (int cc = 0; cc < PC; cc++) {
                const RAW_T r = rs[ih * sh + iw * PC + cc];
                const ACC_T v = RAW_TO_ACC(r);
                const int take = v > mv[cc] || isnan(v);
                mv[cc] = take ? v : mv[cc];
                mr[cc] = take ? r : mr[cc];
                mi[cc] = take ? (pl + ih) * IW + iw : mi[cc];
            }
        }
    }
#pragma unroll
    for (int cc = 0; cc < PC; cc++) {
        ((__global RAW_T *)dst)[o + cc] = mr[cc];
#if IDX
        idx[idx_off + n * xst.s0 + od * xst.s2 + oh * xst.s3 + ow * PC + cc] = (long)mi[cc];
#endif
    }
#else /* A_AVG */
    SUM_T sum[PC];
#pragma unroll
    for (int cc = 0; cc < PC; cc++) sum[cc] = 0;
    int rows = 0;
#pragma unroll
    for (int kh = 0; kh < KH; kh++) {
        const OFF_T ih = h0 + kh;
        if (ih < 0 || ih >= IH) continue;
        rows++;
#pragma unroll
        for (int kw = 0; kw < KW; kw++)
#pragma unroll
            for (int cc = 0; cc < PC; cc++) sum[cc] += SUM_LOAD(src + base, ih * sh + (w0 + kw) * PC + cc);
    }
    const int cnt = rows * KW;
    long dv = divisor;
    if (dv == 0) {
#if CIP
        const OFF_T he = min(h0 + KH, IH + PH), we = min(w0 + KW, IW + PW);
        dv = (long)((he - h0) * (we - w0));
#else
        dv = cnt;
#endif
    }
#pragma unroll
    for (int cc = 0; cc < PC; cc++) clrs_store_sum(dst, o + cc, cnt == 0 ? 0 : sum[cc], cnt == 0 ? 1 : dv);
#endif
}
#endif /* PC */
#endif /* A_MAX || A_AVG */

#ifndef VW
#define VW 1
#endif
#if VW > 1 /* f32 only */
#define VF CAT(float, VW)
#define VI CAT(int, VW)
#define VOFF OFFV_T(VW)
#define VLOAD(p) CAT(vload, VW)(0, (p))
#define VSTORE(v, p) CAT(vstore, VW)((v), 0, (p))
#endif
#if VW > 1 && (ALGO == A_MAX || ALGO == A_AVG)
#if ALGO == A_MAX
#define PADV (-INFINITY) /* a padded tap never replaces the running max */
#else
#define PADV 0.0f
#endif
#if VW == 16
#define LANES (VOFF)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
#else
#define LANES (VOFF)(0, 1, 2, 3, 4, 5, 6, 7)
#endif
#ifndef TAIL
#define TAIL 0
#endif
/* store vector v of T at p, all lanes or (a row's partial last vector)
 * those from `skip` on */
#define WIN_STORE(T, vst, v, p, skip)                   \
    do {                                                \
        if ((skip) == 0) {                              \
            vst((v), 0, (p));                           \
        } else {                                        \
            T t_[VW];                                   \
            vst((v), 0, t_);                            \
            for (int j_ = (skip); j_ < VW; j_++)        \
                (p)[j_] = t_[j_];                       \
        }                                               \
    } while (0)
/* elements a vector of VW lanes at stride SW (<= 2) loads */
#define WIN_SPAN (SW == 1 ? VW : 2 * VW - 1)
/* Lane j: p[j * SW], the column col + j*SW of a row of iw elements; with
 * `checked`, columns outside [0, iw) read PADV. Reads nothing outside
 * [p, p + (VW-1)*SW] (unchecked) or the row (checked) -- or, checked with
 * SW <= 2, the unchecked span when it lies inside the input tensor's
 * element range [lo, hi) (p is element pos): the elements of the
 * neighbouring rows there are read and replaced by PADV (a vector load
 * and a select, not a scalar load per lane: W7 NCHW, a quarter of whose
 * vectors touch the padding, 3.2 -> 2.6 ms). */
inline VF clrs_win_row(__global const float *p, int checked, OFF_T col, OFF_T iw, long pos, long lo, long hi)
{
    if (checked) {
#if SW <= 2
        if (pos >= lo && pos + WIN_SPAN <= hi) {
            const VOFF cj = (VOFF)(col) + LANES * SW;
#if SW == 1
            const VF v = VLOAD(p);
#else
            const VF v = (VF)(VLOAD(p).even, VLOAD(p + VW - 1).odd);
#endif
            return select(v, (VF)(PADV), CAT(convert_, VI)((cj < 0) | (cj >= (VOFF)(iw))));
        }
#endif
        float t[VW];
        for (int j = 0; j < VW; j++) {
            const OFF_T cj = col + j * SW;
            t[j] = cj >= 0 && cj < iw ? p[j * SW] : PADV;
        }
        return VLOAD(t);
    }
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

#if ALGO == A_AAVG && ORDER && PC
/* Adaptive avg, 2-D, channels-last f32 with PC (2..7) channels: one
 * work-item per output pixel (n, oh, ow) sums its window's rows, each a
 * run of (we - ws) * PC contiguous elements, in 16-wide vectors. Lane l of
 * a row's vector v holds channel (16v + l) % PC, a pattern that repeats
 * every PCA = PC / gcd(16, PC) vectors, so PCA accumulators take them all;
 * the row's partial last vector is masked. The channels' lanes are added
 * up at the end (clrs_pool's sum over PC lanes: W8 small channels-last ran
 * at 26 % of the copy bandwidth). Each sum goes down the window's columns
 * first, then along the row (clrs_pool: row by row): within the float
 * tolerance, not bit-identical; the result is sum / kd / kh / kw. */
#define PCA (PC == 2 || PC == 4 ? 1 : PC == 6 ? 3 : PC)
__kernel void clrs_pool_win(__global const DATA_T *src, long src_off, __global DATA_T *dst, long dst_off,
                            __global long *idx, long idx_off, long8 isz, long8 osz, long8 ist, long8 ost, long8 xst,
                            long divisor)
{
    const long ow = (long)get_global_id(0), oh = (long)get_global_id(1), n = (long)get_global_id(2);
    if (ow >= osz.s4 || oh >= osz.s3 || n >= osz.s0) return;
    const OFF_T IH = (OFF_T)isz.s3, IW = (OFF_T)isz.s4, OH = (OFF_T)osz.s3, OW = (OFF_T)osz.s4;
    const OFF_T hs = ((OFF_T)oh / OH) * IH + (((OFF_T)oh % OH) * IH) / OH, he = 1 + (((OFF_T)oh + 1) * IH - 1) / OH;
    const OFF_T ws = ((OFF_T)ow / OW) * IW + (((OFF_T)ow % OW) * IW) / OW, we = 1 + (((OFF_T)ow + 1) * IW - 1) / OW;
    const OFF_T sh = (OFF_T)ist.s3, len = (we - ws) * PC, nf = len / 16, rem = len - nf * 16;
    const long pos = src_off + n * ist.s0 + hs * sh + ws * PC;
    __global const float *rs = src + pos;
    const int16 lane = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    float16 acc[PCA];
#pragma unroll
    for (int k = 0; k < PCA; k++) acc[k] = (float16)(0.0f);
    for (OFF_T r = 0; r < he - hs; r++) {
        __global const float *row = rs + r * sh;
        OFF_T v = 0;
        for (; v + PCA <= nf; v += PCA)
#pragma unroll
            for (int k = 0; k < PCA; k++) acc[k] += WIN_LD16(row + 16 * (v + k));
        /* the whole vectors left (fewer than PCA), then the partial one;
         * vector v + k has pattern k */
#pragma unroll
        for (int k = 0; k < PCA; k++) {
            if (v + k < nf) {
                acc[k] += WIN_LD16(row + 16 * (v + k));
            } else if (v + k == nf && rem > 0) {
                __global const float *p = row + 16 * nf;
                float16 x;
                if (pos + r * sh + 16 * nf + 16 <= isz.s7) { /* a whole load inside the input tensor */
                    x = WIN_LD16(p);
                } else {
                    float t[16];
                    for (int l = 0; l < 16; l++) t[l] = l < rem ? p[l] : 0.0f;
                    x = vload16(0, t);
                }
                acc[k] += select((float16)(0.0f), x, lane < (int16)(rem));
            }
        }
    }
    float tot[PC];
#pragma unroll
    for (int c = 0; c < PC; c++) tot[c] = 0.0f;
#pragma unroll
    for (int k = 0; k < PCA; k++)
#pragma unroll
        for (int l = 0; l < 16; l++) tot[(16 * k + l) % PC] += acc[k][l];
    const long o = dst_off + n * ost.s0 + oh * ost.s3 + ow * ost.s4;
#pragma unroll
    for (int c = 0; c < PC; c++) clrs_store_aavg(dst, o + c * ost.s1, tot[c], 1, he - hs, we - ws);
}
#endif

#if ALGO == A_AAVG && ORDER && VW > 1 && !PC
#ifndef ACH
#define ACH 1
#endif
/* Adaptive avg, 2-D, channels-last f32 with C a multiple of VW (the host
 * checks): every lane (channel) shares the window, so the runtime window
 * loops are uniform; the result is clrs_pool's sum / kh / kw. */
__kernel void clrs_pool_win(__global const DATA_T *src, long src_off, __global DATA_T *dst, long dst_off,
                            __global long *idx, long idx_off, long8 isz, long8 osz, long8 ist, long8 ost, long8 xst,
                            long divisor)
{
    /* ACH vectors of VW channels per work-item (all of C up to 64): the
     * window's rows are then read as contiguous runs of pixels */
    const long c = (long)get_global_id(0) * (VW * ACH), ow = (long)get_global_id(1), g2 = (long)get_global_id(2);
    if (c >= osz.s1 || ow >= osz.s4) return;
    const long oh = g2 % osz.s3, n = g2 / osz.s3;
    if (n >= osz.s0) return;
    const OFF_T IH = (OFF_T)isz.s3, IW = (OFF_T)isz.s4, OH = (OFF_T)osz.s3, OW = (OFF_T)osz.s4;
    const OFF_T hs = ((OFF_T)oh / OH) * IH + (((OFF_T)oh % OH) * IH) / OH, he = 1 + (((OFF_T)oh + 1) * IH - 1) / OH;
    const OFF_T ws = ((OFF_T)ow / OW) * IW + (((OFF_T)ow % OW) * IW) / OW, we = 1 + (((OFF_T)ow + 1) * IW - 1) / OW;
    const OFF_T sh = (OFF_T)ist.s3, sw = (OFF_T)ist.s4;
    __global const float *rs = src + (src_off + n * ist.s0 + c);
    VF sum[ACH];
#pragma unroll
    for (int a = 0; a < ACH; a++) sum[a] = (VF)(0.0f);
    for (OFF_T ih = hs; ih < he; ih++)
        for (OFF_T iw = ws; iw < we; iw++)
#pragma unroll
            for (int a = 0; a < ACH; a++) sum[a] += VLOAD(rs + ih * sh + iw * sw + a * VW);
#pragma unroll
    for (int a = 0; a < ACH; a++)
        VSTORE(sum[a] / (VF)(1.0f) / (VF)((float)(he - hs)) / (VF)((float)(we - ws)),
               dst + (dst_off + n * ost.s0 + c + a * VW + oh * ost.s3 + ow * ost.s4));
}
#endif

#if ALGO == A_AAVG && !ORDER
/* Adaptive avg, 2-D, output rows along W (ORDER 0), the row's geometry
 * compile-time (AIW input / AOW output columns): one work-item per output
 * row (n, c, oh) sums the whole input row over its window rows into AIW
 * column sums (16-wide vectors when the columns are contiguous, AUNIT),
 * then adds up each output's window of columns, all indices compile-time.
 * Each sum goes rows first, then columns (clrs_pool scans h, then w: the
 * rounding differs, within the float tolerance); the result is clrs_pool's
 * sum / kd / kh / kw with kd = 1. */
__kernel void clrs_pool_win(__global const DATA_T *src, long src_off, __global DATA_T *dst, long dst_off,
                            __global long *idx, long idx_off, long8 isz, long8 osz, long8 ist, long8 ost, long8 xst,
                            long divisor)
{
    const long oh = (long)get_global_id(0), c = (long)get_global_id(1), n = (long)get_global_id(2);
    if (oh >= osz.s3 || c >= osz.s1 || n >= osz.s0) return;
    const OFF_T IH = (OFF_T)isz.s3, OH = (OFF_T)osz.s3;
    const OFF_T hs = ((OFF_T)oh / OH) * IH + (((OFF_T)oh % OH) * IH) / OH, he = 1 + (((OFF_T)oh + 1) * IH - 1) / OH;
    const OFF_T sh = (OFF_T)ist.s3, sw = (OFF_T)ist.s4;
    __global const DATA_T *rs = src + (src_off + n * ist.s0 + c * ist.s1 + hs * sh);
    SUM_T cs[AIW];
#if AUNIT && defined(DTYPE_F32) && AIW >= 16
    /* the row's whole vectors in registers (a private array that vload16
     * reads stays in memory), stored once for the column windows */
    float16 cv[AIW / 16];
#pragma unroll
    for (int v = 0; v < AIW / 16; v++) cv[v] = (float16)(0.0f);
#pragma unroll
    for (int x = AIW - AIW % 16; x < AIW; x++) cs[x] = 0;
    for (OFF_T r = 0; r < he - hs; r++) {
        __global const float *row = rs + r * sh;
#pragma unroll
        for (int v = 0; v < AIW / 16; v++) cv[v] += vload16(v, row);
#pragma unroll
        for (int x = AIW - AIW % 16; x < AIW; x++) cs[x] += row[x];
    }
#pragma unroll
    for (int v = 0; v < AIW / 16; v++) vstore16(cv[v], v, cs);
#else
#pragma unroll
    for (int x = 0; x < AIW; x++) cs[x] = 0;
    for (OFF_T r = 0; r < he - hs; r++) {
        __global const DATA_T *row = rs + r * sh;
#pragma unroll
        for (int x = 0; x < AIW; x++) cs[x] += SUM_LOAD(row, x * sw);
    }
#endif
    const long o = dst_off + n * ost.s0 + c * ost.s1 + oh * ost.s3;
#pragma unroll
    for (int j = 0; j < AOW; j++) {
        SUM_T s = 0;
#pragma unroll
        for (int iw = (j * AIW) / AOW; iw < 1 + ((j + 1) * AIW - 1) / AOW; iw++) s += cs[iw];
        clrs_store_aavg(dst, o + j * ost.s4, s, 1, he - hs, 1 + ((j + 1) * AIW - 1) / AOW - (j * AIW) / AOW);
    }
}
#endif

#if (ALGO == A_MAX || ALGO == A_AVG) && PC && VW == 16
/* PC (2..8) channels-last channels of f32, 16 pixels per work-item (-D PC
 * with VW=16): the 16 * PC outputs of pixels ow .. ow + 15 are PC vectors
 * of 16 lanes in memory order, lane l of vector v being channel
 * (16v + l) % PC of pixel (16v + l) / PC. For window tap (kh, kw) lane l
 * reads element PCV_E(v, l) from the tap's first element; those of one
 * vector lie in a span of at most 32 elements (the host checks), read as
 * two loads inside the span and combined by one compile-time permute: no
 * gather and no per-pixel code (PoCL did not vectorise the one-pixel form,
 * clrs_win_pc, across work-items: W5 small channels-last ran at 7 % of the
 * copy bandwidth). Used where all 16 pixels' windows lie inside the row;
 * the others go through clrs_win_pc. Per lane the same taps in the same
 * order, the same NaN rule, first index and divisor as clrs_win_one. */
#define PCV_L(v, l) (16 * (v) + (l))
#define PCV_PIX(v, l) (PCV_L(v, l) / PC)
#define PCV_E(v, l) (PCV_PIX(v, l) * SW * PC + PCV_L(v, l) % PC)
#define PCV_SPAN(v) (PCV_E(v, 15) - PCV_E(v, 0))
/* element e (0 .. span) of vector v's span: A holds elements 0..15, B the
 * 16 that end at the span's end */
#define PCV_D(v, l) (PCV_E(v, l) - PCV_E(v, 0))
#define PCV_PICK(A, B, v, l) (PCV_D(v, l) < 16 ? (A)[PCV_D(v, l) & 15] : (B)[(PCV_D(v, l) - (PCV_SPAN(v) - 15)) & 15])
#define PCV_LANES(f, a, b, v)                                                                                       \
    (f(a, b, v, 0), f(a, b, v, 1), f(a, b, v, 2), f(a, b, v, 3), f(a, b, v, 4), f(a, b, v, 5), f(a, b, v, 6),     \
     f(a, b, v, 7), f(a, b, v, 8), f(a, b, v, 9), f(a, b, v, 10), f(a, b, v, 11), f(a, b, v, 12), f(a, b, v, 13), \
     f(a, b, v, 14), f(a, b, v, 15))
#define PCV_PIXF(a, b, v, l) PCV_PIX(v, l)
/* the lanes of vector v (a constant once the loops over v unroll) of the
 * tap whose first element is at p */
__attribute__((always_inline)) inline float16 clrs_pcv_tap(__global const float *p, int v)
{
    const float16 a = WIN_LD16(p + PCV_E(v, 0)), b = WIN_LD16(p + PCV_E(v, 15) - 15);
    return (float16)PCV_LANES(PCV_PICK, a, b, v);
}
#define PCV_TAP(p, v) clrs_pcv_tap((p), (v))
/* store vector x (vector v of the chunk at p), all lanes or those from
 * element `from` on (a row's partial last chunk) */
#define PCV_STORE(T, x, p, v, from)                                              \
    do {                                                                         \
        if ((from) <= 16 * (v)) {                                                \
            PCV_ST##T((x), (p) + 16 * (v));                                      \
        } else {                                                                 \
            for (int l_ = 0; l_ < 16; l_++)                                      \
                if (16 * (v) + l_ >= (from)) (p)[16 * (v) + l_] = (x)[l_];        \
        }                                                                        \
    } while (0)
#define PCV_STF(x, p) WIN_ST16((x), (p))
#define PCV_STL(x, p) vstore16((x), 0, (p))

/* 1 when it computed the chunk, 0 when a window leaves the row */
inline int clrs_win_pcv(__global const float *src, long src_off, __global float *dst, long dst_off,
                        __global long *idx, long idx_off, long8 isz, long8 ist, long8 ost, long8 xst, long divisor,
                        long n, long od, long oh, long ow, int skip)
{
    const OFF_T IH = (OFF_T)isz.s3, IW = (OFF_T)isz.s4;
    const OFF_T h0 = (OFF_T)oh * SH - PH, w0 = (OFF_T)ow * SW - PW;
    if (w0 < 0 || w0 + 15 * SW + (KW - 1) * DW >= IW) return 0;
    const OFF_T sh = (OFF_T)ist.s3;
    __global const float *rs = src + (src_off + n * ist.s0 + od * ist.s2 + (long)w0 * PC);
    __global float *d = dst + (dst_off + n * ost.s0 + od * ost.s2 + oh * ost.s3 + ow * PC);
    const int from = skip * PC;
#if ALGO == A_MAX
    const OFF_T pl = (OFF_T)od * IH;
    const OFF_T fh = h0 < 0 ? h0 + ((-h0 + DH - 1) / DH) * DH : h0;
    float16 m[PC];
    VOFF mi[PC];
#pragma unroll
    for (int v = 0; v < PC; v++) {
        m[v] = (float16)(-INFINITY);
        mi[v] = (VOFF)((pl + fh) * IW + w0) + (VOFF)PCV_LANES(PCV_PIXF, 0, 0, v) * SW;
    }
#pragma unroll
    for (int kh = 0; kh < KH; kh++) {
        const OFF_T ih = h0 + kh * DH;
        if (ih < 0 || ih >= IH) continue;
#pragma unroll
        for (int kw = 0; kw < KW; kw++) {
            __global const float *p = rs + ih * sh + kw * DW * PC;
            const OFF_T at = (pl + ih) * IW + w0 + kw * DW;
#pragma unroll
            for (int v = 0; v < PC; v++) {
                const float16 x = PCV_TAP(p, v);
                const int16 take = (x > m[v]) | isnan(x);
                m[v] = select(m[v], x, take);
#if IDX
                mi[v] = select(mi[v], (VOFF)(at) + (VOFF)PCV_LANES(PCV_PIXF, 0, 0, v) * SW, CAT(convert_, VOFF)(take));
#endif
            }
        }
    }
#pragma unroll
    for (int v = 0; v < PC; v++) PCV_STORE(F, m[v], d, v, from);
#if IDX
    __global long *xd = idx + (idx_off + n * xst.s0 + od * xst.s2 + oh * xst.s3 + ow * PC);
#pragma unroll
    for (int v = 0; v < PC; v++) {
        const long16 xl = convert_long16(mi[v]);
        PCV_STORE(L, xl, xd, v, from);
    }
#endif
#else /* A_AVG */
    float16 s[PC];
#pragma unroll
    for (int v = 0; v < PC; v++) s[v] = (float16)(0.0f);
    int rows = 0;
#pragma unroll
    for (int kh = 0; kh < KH; kh++) {
        const OFF_T ih = h0 + kh;
        if (ih < 0 || ih >= IH) continue;
        rows++;
#pragma unroll
        for (int kw = 0; kw < KW; kw++) {
            __global const float *p = rs + ih * sh + kw * PC;
#pragma unroll
            for (int v = 0; v < PC; v++) s[v] += PCV_TAP(p, v);
        }
    }
    /* clrs_win_one's divisor; every window is inside the row */
    const int cnt = rows * KW;
    long dv = divisor;
    if (dv == 0) {
#if CIP
        dv = (long)((min(h0 + KH, IH + PH) - h0) * KW);
#else
        dv = cnt;
#endif
    }
#pragma unroll
    for (int v = 0; v < PC; v++) {
        const float16 q = cnt == 0 ? (float16)(0.0f) : s[v] / (float16)((float)dv);
        PCV_STORE(F, q, d, v, from);
    }
#endif
    return 1;
}
#endif

#if ALGO == A_MAX || ALGO == A_AVG
__kernel void clrs_pool_win(__global const DATA_T *src, long src_off, __global DATA_T *dst, long dst_off,
                            __global long *idx, long idx_off, long8 isz, long8 osz, long8 ist, long8 ost, long8 xst,
                            long divisor)
{
    long n, c, od, oh, ow, x0, nx;
    {
        const long g0 = (long)get_global_id(0), g1 = (long)get_global_id(1), g2 = (long)get_global_id(2);
#if ORDER
        nx = osz.s1;
        x0 = g0 * VW;
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
#if PC /* the channels are the work-item's */
        c = 0;
        n = r;
#else
        c = r % osz.s1;
        n = r / osz.s1;
#endif
#endif
        if (n >= osz.s0) return;
    }
#if VW > 1
    /* a row's last, partial vector: the whole vector that ends at the
     * row's end, storing only its lanes from x0 on (the lanes before are
     * the previous work-item's outputs) */
    int skip = 0;
#if TAIL /* (compiled only for rows that are not whole vectors: the
          * runtime lane count in the stores cost W6 NCHW 1.9 -> 2.2 ms) */
    if (x0 + VW > nx && nx >= VW) {
        skip = (int)(x0 + VW - nx);
        x0 = nx - VW;
#if ORDER
        c = x0;
#else
        ow = x0;
#endif
    }
#endif
#if PC && VW == 16
    if (x0 + VW <= nx && clrs_win_pcv(src, src_off, dst, dst_off, idx, idx_off, isz, ist, ost, xst, divisor, n, od,
                                      oh, ow, skip))
        return;
    x0 += skip; /* the per-pixel form for a chunk with windows outside the row */
#else
    if (x0 + VW <= nx) { /* a whole vector of outputs */
        const OFF_T IH = (OFF_T)isz.s3, IW = (OFF_T)isz.s4;
        const OFF_T h0 = (OFF_T)oh * SH - PH, w0 = (OFF_T)ow * SW - PW;
        const OFF_T sh = (OFF_T)ist.s3, sw = (OFF_T)ist.s4;
        const long rpos = src_off + n * ist.s0 + c * ist.s1 + od * ist.s2;
        __global const float *rs = src + rpos;
        const long o = OFF5(dst_off, ost, n, c, od, oh, ow);
        const OFF_T fh = h0 < 0 ? h0 + ((-h0 + DH - 1) / DH) * DH : h0; /* first in-bounds row */
#if ORDER
        /* every lane (channel) has the same window */
        const OFF_T fw = w0 < 0 ? w0 + ((-w0 + DW - 1) / DW) * DW : w0;
#else
        /* lane j's window starts at column w0 + j*SW; only the vectors at
         * the row's ends need their columns checked */
        const int checked = w0 < 0 || w0 + (VW - 1) * SW + (KW - 1) * DW >= IW;
        const VOFF w0v = (VOFF)(w0) + LANES * SW;
        const VOFF fwv = select(w0v, w0v + ((DW - 1 - w0v) / DW) * DW, w0v < 0);
#endif
#if ALGO == A_MAX
        VF m = (VF)(-INFINITY);
        const OFF_T pl = (OFF_T)od * IH;
#if ORDER
        VOFF mi = (VOFF)((pl + fh) * IW + fw);
#else
        VOFF mi = (VOFF)((pl + fh) * IW) + fwv;
#endif
#pragma unroll
        for (int kh = 0; kh < KH; kh++) {
            const OFF_T ih = h0 + kh * DH;
            if (ih < 0 || ih >= IH) continue;
#pragma unroll
            for (int kw = 0; kw < KW; kw++) {
                const OFF_T iw = w0 + kw * DW;
#if ORDER
                if (iw < 0 || iw >= IW) continue;
                const VF v = VLOAD(rs + ih * sh + iw * sw);
                const VOFF at = (VOFF)((pl + ih) * IW + iw);
#else
                const VF v = clrs_win_row(rs + ih * sh + iw, checked, iw, IW, rpos + ih * sh + iw, isz.s6, isz.s7);
                const VOFF at = (VOFF)((pl + ih) * IW + iw) + LANES * SW;
#endif
                const VI take = (v > m) | isnan(v);
                m = select(m, v, take);
#if IDX
                mi = select(mi, at, CAT(convert_, VOFF)(take));
#endif
            }
        }
        WIN_STORE(float, CAT(vstore, VW), m, dst + o, skip);
#if IDX
        WIN_STORE(long, CAT(vstore, VW), CAT(convert_long, VW)(mi), idx + OFF5(idx_off, xst, n, c, od, oh, ow), skip);
#endif
#else /* A_AVG */
        VF sum = (VF)(0.0f);
        int rows = 0;
#pragma unroll
        for (int kh = 0; kh < KH; kh++) {
            const OFF_T ih = h0 + kh;
            if (ih < 0 || ih >= IH) continue;
            rows++;
#pragma unroll
            for (int kw = 0; kw < KW; kw++) {
                const OFF_T iw = w0 + kw;
#if ORDER
                if (iw < 0 || iw >= IW) continue;
                sum += VLOAD(rs + ih * sh + iw * sw);
#else
                sum += clrs_win_row(rs + ih * sh + iw, checked, iw, IW, rpos + ih * sh + iw, isz.s6, isz.s7);
#endif
            }
        }
        /* the divisor per lane (clrs_win_one's rule) */
#if ORDER
        VOFF cols = (VOFF)(min(w0 + KW, IW) - max(w0, (OFF_T)0));
#if CIP
        VOFF pool = (VOFF)((min(h0 + KH, IH + PH) - h0) * (min(w0 + KW, IW + PW) - w0));
#endif
#else
        VOFF cols = min(w0v + KW, (VOFF)(IW)) - max(w0v, (VOFF)(0));
#if CIP
        VOFF pool = (VOFF)(min(h0 + KH, IH + PH) - h0) * (min(w0v + KW, (VOFF)(IW + PW)) - w0v);
#endif
#endif
        const VOFF cnt = (VOFF)(rows) * cols;
#if CIP
        VF q = sum / CAT(convert_, VF)(pool);
#else
        VF q = sum / CAT(convert_, VF)(cnt);
#endif
        if (divisor != 0) q = sum / (VF)((float)divisor);
        WIN_STORE(float, CAT(vstore, VW), select(q, (VF)(0.0f), CAT(convert_, VI)(cnt == 0)), dst + o, skip);
#endif
        return;
    }
#endif /* PC && VW == 16 */
#endif /* VW > 1 */
    for (long x = x0; x < min(x0 + VW, nx); x++) {
#if ORDER
        clrs_win_one(src, src_off, dst, dst_off, idx, idx_off, isz, ist, ost, xst, divisor, n, x, od, oh, ow);
#elif PC
        (void)c;
        clrs_win_pc(src, src_off, dst, dst_off, idx, idx_off, isz, ist, ost, xst, divisor, n, od, oh, x);
#else
        clrs_win_one(src, src_off, dst, dst_off, idx, idx_off, isz, ist, ost, xst, divisor, n, c, od, oh, x);
#endif
    }
}
#endif /* A_MAX || A_AVG */
#endif /* WIN */

#endif /* RAW_T: the pooling engine needs a DTYPE_* */

/* ======================================================================== */
/* Max unpooling and pixel shuffle: pure copies of ELEM_T bits.              */
#ifdef ELEM_T

/* In-range check (flags[0]) and "windowed" check (flags[1]: an index lies
 * outside the window [i*s - p, i*s - p + k) of its own input position, so
 * the gather below cannot find it). One work-item per input element. */
__kernel void clrs_unpool_check(__global const long *ind, long ind_off, long8 isz, long8 xst, long4 out3,
                                long4 k3, long4 s3, long4 p3, int windowed, __global int *flags)
{
    long w = (long)get_global_id(0), h = (long)get_global_id(1), g2 = (long)get_global_id(2);
    if (w >= isz.s4 || h >= isz.s3) return;
    long d = g2 % isz.s2, r = g2 / isz.s2, c = r % isz.s1, n = r / isz.s1;
    if (n >= isz.s0) return;
    long v = ind[OFF5(ind_off, xst, n, c, d, h, w)];
    long plane = out3.s0 * out3.s1 * out3.s2;
    if (v < 0 || v >= plane) {
        flags[0] = 1;
        return;
    }
    if (!windowed) return;
    long ow = v % out3.s2, q = v / out3.s2, oh = q % out3.s1, od = q / out3.s1;
    long rd = od - (d * s3.s0 - p3.s0), rh = oh - (h * s3.s1 - p3.s1), rw = ow - (w * s3.s2 - p3.s2);
    if (rd < 0 || rd >= k3.s0 || rh < 0 || rh >= k3.s1 || rw < 0 || rw >= k3.s2) flags[1] = 1;
}

/* Candidate input positions along one axis whose window covers output o. */
inline void clrs_unpool_range(long o, long in, long k, long s, long p, long *lo, long *hi)
{
    long a = o + p - k + 1;
    *lo = a <= 0 ? 0 : (a + s - 1) / s;
    *hi = min((o + p) / s, in - 1);
}

/* Gather (every index is windowed): each output element scans the input
 * positions whose window covers it, in C order; the last match wins. */
__kernel void clrs_unpool_gather(__global const ELEM_T *src, long src_off, __global const long *ind, long ind_off,
                                 __global ELEM_T *dst, long dst_off, long8 isz, long8 ist, long8 xst, long8 osz,
                                 long8 ost, long4 k3, long4 s3, long4 p3, int order)
{
    DECOMPOSE_OUTPUT(osz, order);
    long target = (od * osz.s3 + oh) * osz.s4 + ow;
    long d0, d1, h0, h1, w0, w1;
    clrs_unpool_range(od, isz.s2, k3.s0, s3.s0, p3.s0, &d0, &d1);
    clrs_unpool_range(oh, isz.s3, k3.s1, s3.s1, p3.s1, &h0, &h1);
    clrs_unpool_range(ow, isz.s4, k3.s2, s3.s2, p3.s2, &w0, &w1);
    ELEM_T v = (ELEM_T)0;
    for (long d = d0; d <= d1; d++)
        for (long h = h0; h <= h1; h++)
            for (long w = w0; w <= w1; w++)
                if (ind[OFF5(ind_off, xst, n, c, d, h, w)] == target) v = src[OFF5(src_off, ist, n, c, d, h, w)];
    dst[OFF5(dst_off, ost, n, c, od, oh, ow)] = v;
}

/* General indices: zero the output, then one work-item per plane scatters
 * its inputs in C order (so the last duplicate wins). Global size (C, N). */
__kernel void clrs_unpool_zero(__global ELEM_T *dst, long dst_off, long8 osz, long8 ost, int order)
{
    DECOMPOSE_OUTPUT(osz, order);
    dst[OFF5(dst_off, ost, n, c, od, oh, ow)] = (ELEM_T)0;
}

__kernel void clrs_unpool_scatter(__global const ELEM_T *src, long src_off, __global const long *ind, long ind_off,
                                  __global ELEM_T *dst, long dst_off, long8 isz, long8 ist, long8 xst, long8 osz,
                                  long8 ost)
{
    long c = (long)get_global_id(0), n = (long)get_global_id(1);
    if (c >= isz.s1 || n >= isz.s0) return;
    long plane = osz.s2 * osz.s3 * osz.s4;
    for (long d = 0; d < isz.s2; d++)
        for (long h = 0; h < isz.s3; h++)
            for (long w = 0; w < isz.s4; w++) {
                long v = ind[OFF5(ind_off, xst, n, c, d, h, w)];
                if (v < 0 || v >= plane) continue; /* checked before; never write out of bounds */
                long ow = v % osz.s4, q = v / osz.s4, oh = q % osz.s3, od = q / osz.s3;
                dst[OFF5(dst_off, ost, n, c, od, oh, ow)] = src[OFF5(src_off, ist, n, c, d, h, w)];
            }
}

/* Pixel shuffle (inverse == 0) / unshuffle (inverse == 1), rank 4 as
 * (N, C, 1, H, W): out[n, c, h*r + i, w*r + j] = in[n, c*r*r + i*r + j, h, w]. */
__kernel void clrs_pixel_shuffle(__global const ELEM_T *src, long src_off, __global ELEM_T *dst, long dst_off,
                                 long8 osz, long8 ist, long8 ost, long r, int inverse, int order)
{
    DECOMPOSE_OUTPUT(osz, order);
    long sc, sh, sw;
    if (!inverse) {
        sc = c * r * r + (oh % r) * r + (ow % r);
        sh = oh / r;
        sw = ow / r;
    } else {
        long rr = r * r;
        sc = c / rr;
        sh = oh * r + (c / r) % r;
        sw = ow * r + c % r;
    }
    dst[OFF5(dst_off, ost, n, c, od, oh, ow)] = src[OFF5(src_off, ist, n, sc, od, sh, sw)];
}

#endif /* ELEM_T */
