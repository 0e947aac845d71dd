/* SPDX-License-Identifier: MIT */
/* pool_common.cl — what the pooling family's programs share (pool, pool_win,
 * unpool, pixel_shuffle): the algorithm codes, the output element a
 * work-item owns, and, for the programs built with a DTYPE_*, the storage
 * bits and the arithmetic every pooling kernel uses (the running max, the
 * sum steps, the stores, the windows along one axis).
 *
 * -D flags read here:
 *   name      values                 set by
 *   DTYPE_*   F32 F64 F16 BF16 U8 U16  src/ops/pool.c (pool, pool_win; none
 *                                    for unpool / pixel_shuffle, which copy
 *                                    ELEM_T bits)
 *   ALGO      0..5 (A_*)             pool.c "full", pool_win.c: the
 *                                    algorithm as a constant; without it
 *                                    the kernels read the runtime `algo`
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
 * The spatial part is always 3-D (D, H, W); missing leading axes have size 1.
 * No fast-math anywhere; contraction is off so x*x + sum stays two roundings. */
#pragma OPENCL FP_CONTRACT OFF

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
#if defined(ONNX) && ONNX
        x = fabs(x); /* ONNX's LP is on |x| */
#endif
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

#if defined(ONNX) && ONNX
/* ONNX's avg / LP window along one axis: taps o*s - pb + j*dl (j < k);
 * [*st, *en) step dl are those inside the input (*cnt of them), *pool
 * counts those before the padded end in + pe (onnx.reference's divisor
 * with count_include_pad, also where a ceil_mode window runs past it). */
inline void clrs_window_onnx(long o, long in, long k, long s, long pb, long pe, long dl, long *st, long *en,
                             long *pool, long *cnt)
{
    long a = o * s - pb;
    long last = a + (k - 1) * dl; /* the last tap */
    long e = min(last + 1, in);
    long f = a < 0 ? a + ((-a + dl - 1) / dl) * dl : a;
    *st = f;
    *en = e;
    *cnt = f < e ? (e - f + dl - 1) / dl : 0;
    long lim = in + pe; /* taps < lim count */
    *pool = last < lim ? k : (lim - a + dl - 1) / dl;
}
#endif
#endif /* RAW_T */
