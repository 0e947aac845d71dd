/* SPDX-License-Identifier: MIT */
/*
 * clresample test oracle — see ref.h for the contract.
 *
 * Straightforward loops on contiguous double arrays. Spatial axes are always
 * handled as three axes (D, H, W); the axes a lower-rank tensor does not have
 * are size-1 axes with an identity mapping.
 *
 * PyTorch sources emulated (torch 2.15): aten/src/ATen/native/UpSample.h,
 * cpu/UpSampleKernel.cpp, Pool.h, PoolingChecks.h, AdaptivePooling.h,
 * FractionalMaxPooling.h, FractionalMaxPool{2,3}d.cpp, PixelShuffle.h,
 * torch/nn/functional.py (interpolate, lp_pool*, max_unpool*,
 * fractional_max_pool*).
 */
#include "ref.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The emulated PyTorch expressions must not be contracted into FMAs. GCC
 * does not contract in ISO C mode (-std=c11); clang needs the pragma. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define REF_PI 3.14159265358979323846 /* c10::pi<double> */

/* ------------------------------------------------------------------------ */
/* dtype helpers                                                            */

/* Round |v| (finite, non-zero) to a binary format with `mant` significand
 * bits (incl. the implicit one), minimum normal exponent `emin` and largest
 * finite value `maxv`; round to nearest even. */
static double round_to_format(double v, int mant, int emin, double maxv)
{
    if (isnan(v) || isinf(v) || v == 0.0) return v;
    double a = fabs(v);
    int e = ilogb(a);
    if (e < emin) e = emin; /* subnormal: fixed quantum */
    double q = ldexp(a, mant - 1 - e);
    double r = nearbyint(q); /* default rounding mode: ties to even */
    double res = ldexp(r, e - (mant - 1));
    if (res > maxv) res = INFINITY;
    return v < 0 ? -res : res;
}

double ref_round_to_dtype(double v, clrs_dtype dt)
{
    switch (dt) {
    case CLRS_F64:
        return v;
    case CLRS_F32:
        return (double)(float)v;
    case CLRS_F16:
        return round_to_format(v, 11, -14, 65504.0);
    case CLRS_BF16:
        return round_to_format(v, 8, -126, 0x1.fep127);
    case CLRS_U8:
    case CLRS_U16: {
        double hi = dt == CLRS_U8 ? 255.0 : 65535.0;
        if (isnan(v)) return 0.0;
        v = trunc(v);
        if (v < 0.0) return 0.0;
        if (v > hi) return hi;
        return v;
    }
    case CLRS_I64:
        if (isnan(v)) return 0.0;
        v = trunc(v);
        if (v < -9223372036854775808.0) return -9223372036854775808.0;
        if (v >= 9223372036854775808.0) return 9223372036854775807.0;
        return v;
    default:
        return v;
    }
}

uint16_t ref_f32_to_f16_bits(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    uint32_t ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return (uint16_t)(sign | 0x7e00u); /* NaN */
    if (ax == 0x7f800000u) return (uint16_t)(sign | 0x7c00u); /* inf */
    int e = (int)(ax >> 23) - 127;
    uint32_t m = ax & 0x7fffffu;
    if (e > 15) return (uint16_t)(sign | 0x7c00u);
    if (e >= -14) {
        /* normal half (rounding may carry into the exponent, up to inf) */
        uint32_t q = m >> 13, rem = m & 0x1fffu;
        uint32_t bits = ((uint32_t)(e + 15) << 10) + q;
        if (rem > 0x1000u || (rem == 0x1000u && (q & 1u))) bits++;
        return (uint16_t)(sign | bits);
    }
    /* subnormal half: value = m' * 2^(e-23) with m' = m | 2^23 (or m for a
     * float subnormal), in units of 2^-24: m' * 2^(e+1) */
    uint32_t mm = (ax >> 23) ? (m | 0x800000u) : m;
    if (!(ax >> 23)) e = -126;
    int shift = -(e + 1);
    if (shift >= 25) return sign; /* below 2^-25: rounds to zero */
    uint32_t q = mm >> shift;
    uint32_t rem = mm & ((1u << shift) - 1u);
    uint32_t half = 1u << (shift - 1);
    if (rem > half || (rem == half && (q & 1u))) q++;
    return (uint16_t)(sign | q);
}

float ref_f16_bits_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t e = (h >> 10) & 0x1fu;
    uint32_t m = h & 0x3ffu;
    uint32_t bits;
    if (e == 0x1f) {
        bits = sign | 0x7f800000u | (m << 13);
    } else if (e != 0) {
        bits = sign | ((e + 112u) << 23) | (m << 13);
    } else if (m == 0) {
        bits = sign;
    } else {
        float v = ldexpf((float)m, -24);
        return sign ? -v : v;
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

uint16_t ref_f32_to_bf16_bits(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    if (isnan(f)) return 0x7fc0u;
    uint32_t rounding_bias = 0x7fffu + ((x >> 16) & 1u);
    return (uint16_t)((x + rounding_bias) >> 16);
}

float ref_bf16_bits_to_f32(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Arithmetic in a reduced float type: compute the float result, round it to
 * the type (c10::Half / c10::BFloat16 operators do exactly this). */
static float rnd_small(float v, clrs_dtype dt)
{
    if (dt == CLRS_F16) return ref_f16_bits_to_f32(ref_f32_to_f16_bits(v));
    if (dt == CLRS_BF16) return ref_bf16_bits_to_f32(ref_f32_to_bf16_bits(v));
    return v;
}

static int is_float_dtype(clrs_dtype dt)
{
    return dt == CLRS_F32 || dt == CLRS_F64 || dt == CLRS_F16 || dt == CLRS_BF16;
}

static int is_valid_dtype(clrs_dtype dt)
{
    return is_float_dtype(dt) || dt == CLRS_U8 || dt == CLRS_U16 || dt == CLRS_I64;
}

/* ------------------------------------------------------------------------ */
/* small helpers                                                            */

static int64_t imin64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t imax64(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t iclamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

/* Spatial sizes of a (N, C, spatial...) shape as three axes (D, H, W). */
static void spatial3(int rank, const int64_t *sizes, int64_t s3[3])
{
    int nd = rank - 2;
    for (int a = 0; a < 3; ++a) s3[a] = 1;
    for (int i = 0; i < nd; ++i) s3[3 - nd + i] = sizes[2 + i];
}

static int64_t numel(int rank, const int64_t *sizes)
{
    int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= sizes[i];
    return n;
}

static int same_sizes(int rank, const int64_t *a, const int64_t *b)
{
    for (int i = 0; i < rank; ++i)
        if (a[i] != b[i]) return 0;
    return 1;
}

/* n must be 0 (allowed only when allow0), 1 or nd */
static int list_len_ok(int n, int nd, int allow0)
{
    return (n == 0 && allow0) || n == 1 || n == nd;
}

/* value of a list parameter for spatial axis i (0..nd-1) */
static int64_t list_i64(int n, const int64_t *v, int i, int64_t dflt)
{
    if (n == 0) return dflt;
    if (n == 1) return v[0];
    return v[i];
}

/* ------------------------------------------------------------------------ */
/* Interpolation: argument resolution                                       */

typedef struct interp_cfg {
    int nd;
    clrs_interp_mode mode;
    int align_corners; /* resolved: 0/1 */
    int antialias;
    int64_t in3[3], out3[3];
    int has_scale[3]; /* a user scale reaches the kernel (no recompute) */
    double scale[3];
} interp_cfg;

static int is_linear_mode(clrs_interp_mode m)
{
    return m == CLRS_INTERP_LINEAR || m == CLRS_INTERP_BILINEAR || m == CLRS_INTERP_TRILINEAR;
}

static int interp_resolve(int rank, const int64_t *in_sizes, const clrs_interpolate_params *p,
                          int64_t *out_sizes, interp_cfg *cfg)
{
    if (!in_sizes || !p) return CLRS_ERR_INVALID_ARG;
    if (rank < 3 || rank > 5) return CLRS_ERR_BAD_SHAPE;
    const int nd = rank - 2;
    memset(cfg, 0, sizeof *cfg);
    cfg->nd = nd;
    cfg->mode = p->mode;

    if ((int)p->mode < (int)CLRS_INTERP_NEAREST || (int)p->mode > (int)CLRS_INTERP_LANCZOS)
        return CLRS_ERR_BAD_PARAM;
    const clrs_interp_mode m = p->mode;
    const int nearest_like =
        m == CLRS_INTERP_NEAREST || m == CLRS_INTERP_NEAREST_EXACT || m == CLRS_INTERP_AREA;

    /* align_corners */
    if (p->align_corners != CLRS_UNSET && p->align_corners != 0 && p->align_corners != 1)
        return CLRS_ERR_BAD_PARAM;
    if (nearest_like && p->align_corners != CLRS_UNSET) return CLRS_ERR_BAD_PARAM;
    cfg->align_corners = p->align_corners == 1;
    if (p->antialias != 0 && p->antialias != 1) return CLRS_ERR_BAD_PARAM;
    cfg->antialias = p->antialias;
    if (p->recompute_scale_factor != CLRS_UNSET && p->recompute_scale_factor != 0 &&
        p->recompute_scale_factor != 1)
        return CLRS_ERR_BAD_PARAM;

    /* size / scale_factor: exactly one, scalar or one per spatial axis */
    const int have_size = p->n_size != 0, have_scale = p->n_scale != 0;
    if (have_size && have_scale) return CLRS_ERR_BAD_PARAM;
    if (!have_size && !have_scale) return CLRS_ERR_BAD_PARAM;
    if (have_size && !list_len_ok(p->n_size, nd, 0)) return CLRS_ERR_BAD_PARAM;
    if (have_scale && !list_len_ok(p->n_scale, nd, 0)) return CLRS_ERR_BAD_PARAM;
    int recompute = p->recompute_scale_factor == 1;
    if (recompute && have_size) return CLRS_ERR_BAD_PARAM;
    if (m == CLRS_INTERP_AREA && !have_size) recompute = 1;

    /* antialias: PyTorch allows bilinear/bicubic/lanczos on 4-D; we allow the
     * filtering modes on every rank. */
    if (cfg->antialias && !(is_linear_mode(m) || m == CLRS_INTERP_BICUBIC || m == CLRS_INTERP_LANCZOS))
        return CLRS_ERR_BAD_PARAM;
    /* mode vs rank (PyTorch raises NotImplementedError for these) */
    if (m == CLRS_INTERP_BILINEAR && rank != 4) return CLRS_ERR_BAD_PARAM;
    if (m == CLRS_INTERP_TRILINEAR && rank != 5) return CLRS_ERR_BAD_PARAM;
    if (m == CLRS_INTERP_LANCZOS) {
        if (cfg->align_corners) return CLRS_ERR_BAD_PARAM;
        if (!cfg->antialias) return CLRS_ERR_BAD_PARAM;
    }

    spatial3(rank, in_sizes, cfg->in3);
    int64_t out_sp[3] = {0, 0, 0};
    for (int i = 0; i < nd; ++i) {
        const int a = 3 - nd + i;
        if (have_size) {
            out_sp[i] = list_i64(p->n_size, p->size, i, 0);
        } else {
            const double s = p->n_scale == 1 ? p->scale[0] : p->scale[i];
            const double od = (double)in_sizes[2 + i] * s;
            /* Python int() / c10::checked_convert<int64_t>: NaN and values
             * outside int64 are errors; otherwise truncation. */
            if (isnan(od) || !(od > -9223372036854775808.0 && od < 9223372036854775808.0))
                return CLRS_ERR_BAD_PARAM;
            out_sp[i] = (int64_t)od;
            if (!recompute) {
                cfg->has_scale[a] = 1;
                cfg->scale[a] = s;
            }
        }
    }

    /* shape checks */
    if (in_sizes[0] < 0) return CLRS_ERR_BAD_SHAPE;
    if (m == CLRS_INTERP_AREA) {
        /* adaptive_avg_pool{1,2,3}d: output >= 0; non-batch input dims > 0,
         * except that the 1-D/2-D ops accept C == 0, and an all-ones output
         * is a plain mean() without any check (empty input -> NaN) */
        int all_one = 1;
        for (int i = 0; i < nd; ++i)
            if (out_sp[i] != 1) all_one = 0;
        if (in_sizes[1] < 0) return CLRS_ERR_BAD_SHAPE;
        if (!all_one && in_sizes[1] == 0 && nd == 3) return CLRS_ERR_BAD_SHAPE;
        for (int i = 0; i < nd; ++i)
            if (in_sizes[2 + i] < 0 || (!all_one && in_sizes[2 + i] == 0) || out_sp[i] < 0)
                return CLRS_ERR_BAD_SHAPE;
    } else {
        if (in_sizes[1] <= 0) return CLRS_ERR_BAD_SHAPE;
        for (int i = 0; i < nd; ++i)
            if (in_sizes[2 + i] <= 0 || out_sp[i] <= 0) return CLRS_ERR_BAD_SHAPE;
    }

    for (int a = 0; a < 3; ++a) cfg->out3[a] = 1;
    for (int i = 0; i < nd; ++i) cfg->out3[3 - nd + i] = out_sp[i];
    if (out_sizes) {
        out_sizes[0] = in_sizes[0];
        out_sizes[1] = in_sizes[1];
        for (int i = 0; i < nd; ++i) out_sizes[2 + i] = out_sp[i];
    }
    return CLRS_OK;
}

int ref_interpolate_shape(int rank, const int64_t *in_sizes, const clrs_interpolate_params *p,
                          int64_t *out_sizes)
{
    interp_cfg cfg;
    if (!out_sizes) return CLRS_ERR_INVALID_ARG;
    return interp_resolve(rank, in_sizes, p, out_sizes, &cfg);
}

/* ------------------------------------------------------------------------ */
/* Interpolation: scales and 1-D weights                                    */

/* area_pixel_compute_scale<double> */
static double aps_scale(int64_t in, int64_t out, int align_corners, int has_s, double s)
{
    if (align_corners) return out > 1 ? (double)(in - 1) / (double)(out - 1) : 0.0;
    return (has_s && s > 0.0) ? 1.0 / s : (double)in / (double)out;
}

/* compute_scales_value<float> */
static float scale_f32(int64_t in, int64_t out, int has_s, double s)
{
    return (has_s && s > 0.0) ? (float)(1.0 / s) : (float)in / (float)out;
}

static int64_t nearest_src(int64_t o, int64_t in, int64_t out, int has_s, double s, int exact,
                           int rule, int opmath_double, int use_fma)
{
    int64_t i;
    if (rule == REF_NEAREST_IDX) {
        if (!exact) {
            /* nearest_idx(): BC shortcuts, then OpenCV's floor(dst * scale) */
            if (out == in) return o;
            if (out == 2 * in) return o >> 1;
            const float sc = scale_f32(in, out, has_s, s);
            const float r = (float)o * sc;
            i = (int64_t)floorf(r);
        } else {
            /* nearest_exact_idx(): floorf((dst + 0.5) * scale), product in double */
            const float sc = scale_f32(in, out, has_s, s);
            const double r = ((double)o + 0.5) * (double)sc;
            i = (int64_t)floorf((float)r);
        }
    } else if (opmath_double) {
        /* HelperInterpNearest{,Exact} with opmath_t = double */
        const double sc = aps_scale(in, out, 0, has_s, s);
        if (!exact) {
            const double r = sc * (double)o;
            i = (int64_t)floorf((float)r);
        } else {
            double r = use_fma ? fma(sc, (double)o + 0.5, -0.5) : sc * ((double)o + 0.5) - 0.5;
            if (r < 0.0) r = 0.0;
            i = (int64_t)floorf((float)(r + 0.5));
        }
    } else {
        /* HelperInterpNearest{,Exact} with opmath_t = float */
        const float sc = scale_f32(in, out, has_s, s);
        if (!exact) {
            const float r = sc * (float)o;
            i = (int64_t)floorf(r);
        } else {
            float r = use_fma ? fmaf(sc, (float)o + 0.5f, -0.5f) : sc * ((float)o + 0.5f) - 0.5f;
            if (r < 0.0f) r = 0.0f;
            i = (int64_t)floorf((float)((double)r + 0.5));
        }
    }
    return i < in - 1 ? i : in - 1;
}

static double filt_linear(double x)
{
    x = fabs(x);
    if (x < 1.0) return 1.0 - x;
    return 0.0;
}

static double cubic_conv1(double x, double A) { return ((A + 2) * x - (A + 3)) * x * x + 1; }
static double cubic_conv2(double x, double A) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; }

static double filt_cubic_a(double x, double A)
{
    x = fabs(x);
    if (x < 1.0) return cubic_conv1(x, A);
    if (x < 2.0) return cubic_conv2(x, A);
    return 0.0;
}
static double filt_cubic_pil(double x) { return filt_cubic_a(x, -0.5); }
static double filt_cubic_keys(double x) { return filt_cubic_a(x, -0.75); }

static double sinc_filter(double x)
{
    if (x == 0.0) return 1.0;
    x *= REF_PI;
    return sin(x) / x;
}

static double filt_lanczos(double x)
{
    x = fabs(x);
    if (x < 3.0) return sinc_filter(x) * sinc_filter(x / 3.0);
    return 0.0;
}

typedef double (*filter_fn)(double);

/* Per-axis taps: for output o, cnt[o] taps (idx, w) at o*maxn. */
typedef struct taps {
    int64_t out;
    int maxn;
    int64_t *idx;
    double *w;
    int *cnt;
} taps;

static void taps_free(taps *t)
{
    free(t->idx);
    free(t->w);
    free(t->cnt);
    memset(t, 0, sizeof *t);
}

static int taps_alloc(taps *t, int64_t out, int maxn)
{
    t->out = out;
    t->maxn = maxn;
    t->idx = calloc((size_t)(out * maxn), sizeof *t->idx);
    t->w = calloc((size_t)(out * maxn), sizeof *t->w);
    t->cnt = calloc((size_t)out, sizeof *t->cnt);
    if (!t->idx || !t->w || !t->cnt) {
        taps_free(t);
        return CLRS_ERR_OUT_OF_HOST_MEMORY;
    }
    return CLRS_OK;
}

/* PIL-style antialiased weights (HelperInterpBase::_compute_indices_min_size_weights_aa),
 * in double. Returns the largest normalised weight of this output. */
static double aa_weights(int64_t o, int64_t in, double scale, double support, double *w,
                         int maxn, filter_fn f, int64_t *xmin, int64_t *xsize)
{
    const double center = scale * ((double)o + 0.5);
    double total = 0.0;
    const double invscale = (scale >= 1.0) ? 1.0 / scale : 1.0;
    *xmin = imax64((int64_t)(center - support + 0.5), 0);
    *xsize = imin64((int64_t)(center + support + 0.5), in) - *xmin;
    *xsize = iclamp64(*xsize, 0, maxn);
    int64_t j;
    for (j = 0; j < *xsize; ++j) {
        const double wj = f(((double)(j + *xmin) - center + 0.5) * invscale);
        w[j] = wj;
        total += wj;
    }
    double wmax = 0.0;
    if (total != 0.0) {
        for (j = 0; j < *xsize; ++j) {
            w[j] /= total;
            if (w[j] > wmax) wmax = w[j];
        }
    }
    for (; j < maxn; ++j) w[j] = 0.0;
    return wmax;
}

static void aa_support(int interp_size, double scale, double *support, int *maxn)
{
    *support = (scale >= 1.0) ? (interp_size * 0.5) * scale : interp_size * 0.5;
    *maxn = (int)ceil(*support) * 2 + 1;
}

static filter_fn mode_filter(clrs_interp_mode m, int antialias, int *interp_size)
{
    if (m == CLRS_INTERP_BICUBIC) {
        *interp_size = 4;
        return antialias ? filt_cubic_pil : filt_cubic_keys;
    }
    if (m == CLRS_INTERP_LANCZOS) {
        *interp_size = 6;
        return filt_lanczos;
    }
    *interp_size = 2;
    return filt_linear;
}

/* Float-path taps of one axis. */
/* ref_interpolate_backward: antialias axes whose size is unchanged keep
 * their weights (torch's backward does not skip them, its forward does) */
static int bw_keep_unchanged;

static int build_taps(const interp_cfg *c, int a, int rule, int opmath_double, int use_fma, taps *t)
{
    const int64_t in = c->in3[a], out = c->out3[a];
    const int has_s = c->has_scale[a];
    const double s = c->scale[a];
    const clrs_interp_mode m = c->mode;
    int rc;

    /* axes the tensor does not have */
    if (a < 3 - c->nd) {
        if ((rc = taps_alloc(t, 1, 1))) return rc;
        t->cnt[0] = 1;
        t->w[0] = 1.0;
        return CLRS_OK;
    }

    if (m == CLRS_INTERP_NEAREST || m == CLRS_INTERP_NEAREST_EXACT) {
        if ((rc = taps_alloc(t, out, 1))) return rc;
        for (int64_t o = 0; o < out; ++o) {
            t->cnt[o] = 1;
            t->idx[o] = nearest_src(o, in, out, has_s, s, m == CLRS_INTERP_NEAREST_EXACT, rule,
                                    opmath_double, use_fma);
            t->w[o] = 1.0;
        }
        return CLRS_OK;
    }

    if (c->antialias) {
        int isz;
        filter_fn f = mode_filter(m, 1, &isz);
        if (out == in && !bw_keep_unchanged) {
            /* upsample_separable_Nd_kernel_impl skips axes whose size is unchanged */
            if ((rc = taps_alloc(t, out, 1))) return rc;
            for (int64_t o = 0; o < out; ++o) {
                t->cnt[o] = 1;
                t->idx[o] = o;
                t->w[o] = 1.0;
            }
            return CLRS_OK;
        }
        const double scale = aps_scale(in, out, c->align_corners, has_s, s);
        double support;
        int maxn;
        aa_support(isz, scale, &support, &maxn);
        if ((rc = taps_alloc(t, out, maxn))) return rc;
        for (int64_t o = 0; o < out; ++o) {
            int64_t xmin, xsize;
            aa_weights(o, in, scale, support, t->w + o * maxn, maxn, f, &xmin, &xsize);
            t->cnt[o] = (int)xsize;
            for (int64_t j = 0; j < xsize; ++j) t->idx[o * maxn + j] = xmin + j;
        }
        return CLRS_OK;
    }

    if (is_linear_mode(m)) {
        if ((rc = taps_alloc(t, out, 2))) return rc;
        const double scale = aps_scale(in, out, c->align_corners, has_s, s);
        for (int64_t o = 0; o < out; ++o) {
            int64_t i0, i1;
            double l0, l1;
            if (out == in) {
                /* compute_source_index_and_lambda: same size -> copy (ignores a given scale) */
                i0 = i1 = o;
                l0 = 1.0;
                l1 = 0.0;
            } else {
                double real = c->align_corners ? scale * (double)o : scale * ((double)o + 0.5) - 0.5;
                if (!c->align_corners && real < 0.0) real = 0.0;
                i0 = imin64((int64_t)floor(real), in - 1);
                l1 = real - (double)i0;
                if (l1 < 0.0) l1 = 0.0;
                if (l1 > 1.0) l1 = 1.0;
                i1 = i0 + (i0 < in - 1 ? 1 : 0);
                l0 = 1.0 - l1;
            }
            t->cnt[o] = 2;
            t->idx[o * 2] = i0;
            t->idx[o * 2 + 1] = i1;
            t->w[o * 2] = l0;
            t->w[o * 2 + 1] = l1;
        }
        return CLRS_OK;
    }

    if (m == CLRS_INTERP_BICUBIC) {
        if ((rc = taps_alloc(t, out, 4))) return rc;
        const double scale = aps_scale(in, out, c->align_corners, has_s, s);
        const double A = -0.75;
        for (int64_t o = 0; o < out; ++o) {
            /* no out==in shortcut and no clamp of the source coordinate */
            const double real =
                c->align_corners ? scale * (double)o : scale * ((double)o + 0.5) - 0.5;
            const int64_t i0 = imin64((int64_t)floor(real), in - 1);
            double tt = real - (double)i0;
            if (tt < 0.0) tt = 0.0;
            if (tt > 1.0) tt = 1.0;
            double cf[4];
            cf[0] = cubic_conv2(tt + 1.0, A);
            cf[1] = cubic_conv1(tt, A);
            cf[2] = cubic_conv1(1.0 - tt, A);
            cf[3] = cubic_conv2((1.0 - tt) + 1.0, A);
            t->cnt[o] = 4;
            for (int j = 0; j < 4; ++j) {
                t->idx[o * 4 + j] = iclamp64(i0 + j - 1, 0, in - 1);
                t->w[o * 4 + j] = cf[j];
            }
        }
        return CLRS_OK;
    }
    return CLRS_ERR_INTERNAL;
}

/* Nested evaluation like PyTorch's InterpolateNonSeparable: the innermost
 * axis is summed first; each sum starts with its first term. */
static double eval_taps(const double *base, const taps *tp, const int64_t st[3], int a,
                        const int64_t o[3])
{
    const taps *t = &tp[a];
    const int n = t->cnt[o[a]];
    const int64_t *ix = t->idx + o[a] * t->maxn;
    const double *w = t->w + o[a] * t->maxn;
    double acc = 0.0;
    for (int j = 0; j < n; ++j) {
        const double *b = base + ix[j] * st[a];
        const double v = (a == 2) ? *b : eval_taps(b, tp, st, a + 1, o);
        if (j == 0)
            acc = v * w[j];
        else
            acc += v * w[j];
    }
    return acc;
}

/* ------------------------------------------------------------------------ */
/* Adaptive windows and adaptive average pooling (also interpolate 'area')  */

static int64_t adapt_start(int64_t a, int64_t b, int64_t c) { return (a / b) * c + ((a % b) * c) / b; }
static int64_t adapt_end(int64_t a, int64_t b, int64_t c) { return 1 + ((a + 1) * c - 1) / b; }

static void adaptive_avg(int64_t planes, const int64_t in3[3], const double *in,
                         const int64_t out3[3], double *out, clrs_dtype dtype)
{
    const int64_t isz = in3[0] * in3[1] * in3[2], osz = out3[0] * out3[1] * out3[2];
    for (int64_t pl = 0; pl < planes; ++pl) {
        const double *ip = in + pl * isz;
        double *op = out + pl * osz;
        for (int64_t od = 0; od < out3[0]; ++od) {
            const int64_t d0 = adapt_start(od, out3[0], in3[0]), d1 = adapt_end(od, out3[0], in3[0]);
            for (int64_t oh = 0; oh < out3[1]; ++oh) {
                const int64_t h0 = adapt_start(oh, out3[1], in3[1]), h1 = adapt_end(oh, out3[1], in3[1]);
                for (int64_t ow = 0; ow < out3[2]; ++ow) {
                    const int64_t w0 = adapt_start(ow, out3[2], in3[2]),
                                  w1 = adapt_end(ow, out3[2], in3[2]);
                    double sum = 0.0;
                    for (int64_t d = d0; d < d1; ++d)
                        for (int64_t h = h0; h < h1; ++h)
                            for (int64_t w = w0; w < w1; ++w) sum += ip[(d * in3[1] + h) * in3[2] + w];
                    double v = sum / (double)(d1 - d0) / (double)(h1 - h0) / (double)(w1 - w0);
                    op[(od * out3[1] + oh) * out3[2] + ow] = ref_round_to_dtype(v, dtype);
                }
            }
        }
    }
}

/* ------------------------------------------------------------------------ */
/* uint8 interpolation: PyTorch CPU's separable int16 fixed-point path      */

typedef struct u8axis {
    int maxn;
    unsigned prec;
    int64_t *xmin, *xsize;
    int16_t *w;
} u8axis;

static void u8axis_free(u8axis *ax)
{
    free(ax->xmin);
    free(ax->xsize);
    free(ax->w);
    memset(ax, 0, sizeof *ax);
}

/* HelperInterpBase::_compute_indices_min_size_weights (antialias=false) */
static double u8_noaa_weights(int64_t o, int64_t in, double scale, double *w, int maxn,
                              filter_fn f, int align_corners, int64_t *imin, int64_t *isize)
{
    const int cubic = maxn > 2;
    double real = align_corners ? scale * (double)o : scale * ((double)o + 0.5) - 0.5;
    if (!align_corners && !cubic && real < 0.0) real = 0.0;
    /* guard_index_and_lambda: floorf() on the double coordinate */
    int64_t ii = (int64_t)floorf((float)real);
    if (ii > in - 1) ii = in - 1;
    double lambda = real - (double)ii;
    if (lambda < 0.0) lambda = 0.0;
    if (lambda > 1.0) lambda = 1.0;

    const int64_t support = (int64_t)(maxn * 0.5);
    const int64_t umin = ii - support + 1;
    const int64_t umax = ii + support + 1;
    *imin = imax64(umin, 0);
    *isize = iclamp64(imin64(umax, in) - *imin, 0, maxn);

    int64_t w_index = 0;
    double wmax = 0.0;
    for (int64_t j = 0; j < maxn; ++j) {
        w[j] = 0.0;
        const double wj = f((double)(j + 1 - support) - lambda);
        if (umin + j <= 0)
            w_index = 0;
        else if (umin + j >= in - 1)
            w_index = *isize - 1;
        w[w_index] += wj;
        if (w[w_index] > wmax) wmax = w[w_index];
        w_index++;
    }
    return wmax;
}

/* HelperInterpBase::_compute_index_ranges_int16_weights */
static int u8_axis_weights(int64_t in, int64_t out, int align_corners, int has_s, double s,
                           int interp_size, filter_fn f, int antialias, u8axis *ax)
{
    const double scale = aps_scale(in, out, align_corners, has_s, s);
    double support;
    int maxn;
    if (antialias) {
        aa_support(interp_size, scale, &support, &maxn);
    } else {
        support = interp_size * 0.5;
        maxn = interp_size;
    }
    memset(ax, 0, sizeof *ax);
    ax->maxn = maxn;
    double *wd = calloc((size_t)(out * maxn), sizeof *wd);
    ax->xmin = calloc((size_t)out, sizeof *ax->xmin);
    ax->xsize = calloc((size_t)out, sizeof *ax->xsize);
    ax->w = calloc((size_t)(out * maxn), sizeof *ax->w);
    if (!wd || !ax->xmin || !ax->xsize || !ax->w) {
        free(wd);
        u8axis_free(ax);
        return CLRS_ERR_OUT_OF_HOST_MEMORY;
    }
    double wt_max = 0.0;
    for (int64_t o = 0; o < out; ++o) {
        double wmax_i;
        if (antialias)
            wmax_i = aa_weights(o, in, scale, support, wd + o * maxn, maxn, f, &ax->xmin[o],
                                &ax->xsize[o]);
        else
            wmax_i = u8_noaa_weights(o, in, scale, wd + o * maxn, maxn, f, align_corners,
                                     &ax->xmin[o], &ax->xsize[o]);
        if (wmax_i > wt_max) wt_max = wmax_i;
    }
    unsigned prec;
    for (prec = 0; prec < 22; ++prec) {
        const int next = (int)(0.5 + wt_max * (double)(1 << (prec + 1)));
        if (next >= (1 << 15)) break;
    }
    ax->prec = prec;
    for (int64_t k = 0; k < out * maxn; ++k) {
        const double v = wd[k] * (double)(1 << prec);
        ax->w[k] = (int16_t)((v < 0) ? (int)(-0.5 + v) : (int)(0.5 + v));
    }
    free(wd);
    return CLRS_OK;
}

/* One separable pass over axis `a` (0..2) of a (planes, D, H, W) uint8 buffer. */
static void u8_pass(int64_t planes, const int64_t src3[3], const int *src, int a,
                    const u8axis *ax, int64_t out_len, int *dst)
{
    int64_t dst3[3] = {src3[0], src3[1], src3[2]};
    dst3[a] = out_len;
    int64_t sst[3] = {src3[1] * src3[2], src3[2], 1};
    int64_t dstst[3] = {dst3[1] * dst3[2], dst3[2], 1};
    const int64_t sp = src3[0] * src3[1] * src3[2], dp = dst3[0] * dst3[1] * dst3[2];
    const int prec = (int)ax->prec;
    for (int64_t pl = 0; pl < planes; ++pl) {
        for (int64_t d = 0; d < dst3[0]; ++d)
            for (int64_t h = 0; h < dst3[1]; ++h)
                for (int64_t w = 0; w < dst3[2]; ++w) {
                    const int64_t pos[3] = {d, h, w};
                    const int64_t o = pos[a];
                    int64_t base = pl * sp;
                    for (int k = 0; k < 3; ++k)
                        if (k != a) base += pos[k] * sst[k];
                    base += ax->xmin[o] * sst[a];
                    int acc = prec > 0 ? 1 << (prec - 1) : 0;
                    const int16_t *wp = ax->w + o * ax->maxn;
                    for (int64_t j = 0; j < ax->xsize[o]; ++j) acc += src[base + j * sst[a]] * (int)wp[j];
                    int v = acc < 0 ? 0 : (acc >> prec);
                    if (v > 255) v = 255;
                    dst[pl * dp + d * dstst[0] + h * dstst[1] + w] = v;
                }
    }
}

static int interp_u8(const interp_cfg *c, int64_t planes, const double *in, double *out)
{
    int isz;
    filter_fn f = mode_filter(c->mode, c->antialias, &isz);
    int64_t cur3[3] = {c->in3[0], c->in3[1], c->in3[2]};
    const int64_t n_in = planes * cur3[0] * cur3[1] * cur3[2];
    int *buf = malloc((size_t)(n_in > 0 ? n_in : 1) * sizeof *buf);
    if (!buf) return CLRS_ERR_OUT_OF_HOST_MEMORY;
    for (int64_t i = 0; i < n_in; ++i) {
        const double v = in[i];
        buf[i] = v < 0 ? 0 : (v > 255 ? 255 : (int)v);
    }
    /* W first, then H, then D; unchanged axes are skipped */
    for (int a = 2; a >= 0; --a) {
        if (c->out3[a] == cur3[a]) continue;
        u8axis ax;
        int rc = u8_axis_weights(cur3[a], c->out3[a], c->align_corners, c->has_scale[a],
                                 c->scale[a], isz, f, c->antialias, &ax);
        if (rc) {
            free(buf);
            return rc;
        }
        int64_t nxt3[3] = {cur3[0], cur3[1], cur3[2]};
        nxt3[a] = c->out3[a];
        const int64_t n = planes * nxt3[0] * nxt3[1] * nxt3[2];
        int *nb = malloc((size_t)(n > 0 ? n : 1) * sizeof *nb);
        if (!nb) {
            u8axis_free(&ax);
            free(buf);
            return CLRS_ERR_OUT_OF_HOST_MEMORY;
        }
        u8_pass(planes, cur3, buf, a, &ax, c->out3[a], nb);
        u8axis_free(&ax);
        free(buf);
        buf = nb;
        memcpy(cur3, nxt3, sizeof cur3);
    }
    const int64_t n_out = planes * cur3[0] * cur3[1] * cur3[2];
    for (int64_t i = 0; i < n_out; ++i) out[i] = (double)buf[i];
    free(buf);
    return CLRS_OK;
}

/* ------------------------------------------------------------------------ */
/* Interpolation: driver                                                    */

static int pick_nearest_rule(int rule, const interp_cfg *c, int64_t channels)
{
    if (rule != REF_NEAREST_TORCH_CPU) return rule;
    if (c->nd == 1) return REF_NEAREST_GENERIC;
    if (c->nd == 2) {
        if (c->out3[1] + c->out3[2] <= 128) return REF_NEAREST_IDX;
        if (channels > 3 && c->in3[1] == 1 && c->in3[2] == 1) return REF_NEAREST_IDX;
        return REF_NEAREST_GENERIC;
    }
    if (channels > 3 && c->in3[0] == 1 && c->in3[1] == 1 && c->in3[2] == 1) return REF_NEAREST_IDX;
    return REF_NEAREST_GENERIC;
}

int ref_interpolate_ex(int rank, const int64_t *in_sizes, const double *in,
                       const clrs_interpolate_params *p, const int64_t *out_sizes, double *out,
                       clrs_dtype dtype, int nearest_rule)
{
    interp_cfg c;
    int64_t exp_sizes[CLRS_MAX_RANK];
    if (!in_sizes || !p || !out_sizes) return CLRS_ERR_INVALID_ARG;
    int rc = interp_resolve(rank, in_sizes, p, exp_sizes, &c);
    if (rc) return rc;
    if (!same_sizes(rank, exp_sizes, out_sizes)) return CLRS_ERR_BAD_SHAPE;
    if (!is_valid_dtype(dtype)) return CLRS_ERR_BAD_DTYPE;
    const int nearest = c.mode == CLRS_INTERP_NEAREST || c.mode == CLRS_INTERP_NEAREST_EXACT;
    if (dtype == CLRS_I64 && !nearest) return CLRS_ERR_BAD_DTYPE;
    const int use_fma = (nearest_rule & REF_NEAREST_FMA) != 0;
    nearest_rule &= ~REF_NEAREST_FMA;
    if (nearest_rule < REF_NEAREST_IDX || nearest_rule > REF_NEAREST_TORCH_CPU) return CLRS_ERR_INVALID_ARG;

    const int64_t planes = in_sizes[0] * in_sizes[1];
    const int64_t on = numel(rank, out_sizes);
    if (on == 0) return CLRS_OK;
    if (!in || !out) return CLRS_ERR_INVALID_ARG;

    if (c.mode == CLRS_INTERP_AREA) {
        adaptive_avg(planes, c.in3, in, c.out3, out, dtype);
        return CLRS_OK;
    }
    if (dtype == CLRS_U8 && !nearest) return interp_u8(&c, planes, in, out);

    const int rule = pick_nearest_rule(nearest_rule, &c, in_sizes[1]);
    const int opmath_double = dtype == CLRS_F64;
    taps tp[3];
    memset(tp, 0, sizeof tp);
    for (int a = 0; a < 3; ++a) {
        rc = build_taps(&c, a, rule, opmath_double, use_fma, &tp[a]);
        if (rc) {
            for (int k = 0; k < 3; ++k) taps_free(&tp[k]);
            return rc;
        }
    }
    const int64_t st[3] = {c.in3[1] * c.in3[2], c.in3[2], 1};
    const int64_t isz = c.in3[0] * c.in3[1] * c.in3[2];
    const int64_t osz = c.out3[0] * c.out3[1] * c.out3[2];
    for (int64_t pl = 0; pl < planes; ++pl) {
        const double *ip = in + pl * isz;
        double *op = out + pl * osz;
        int64_t o[3];
        for (o[0] = 0; o[0] < c.out3[0]; ++o[0])
            for (o[1] = 0; o[1] < c.out3[1]; ++o[1])
                for (o[2] = 0; o[2] < c.out3[2]; ++o[2]) {
                    double v = eval_taps(ip, tp, st, 0, o);
                    if (nearest) {
                        /* pure gather: no rounding */
                    } else if (dtype == CLRS_U16) {
                        v = isnan(v) ? 0.0 : round(v);
                        v = v < 0.0 ? 0.0 : (v > 65535.0 ? 65535.0 : v);
                    } else {
                        v = ref_round_to_dtype(v, dtype);
                    }
                    op[(o[0] * c.out3[1] + o[1]) * c.out3[2] + o[2]] = v;
                }
    }
    for (int k = 0; k < 3; ++k) taps_free(&tp[k]);
    return CLRS_OK;
}

int ref_interpolate(int rank, const int64_t *in_sizes, const double *in,
                    const clrs_interpolate_params *p, const int64_t *out_sizes, double *out,
                    clrs_dtype dtype)
{
    return ref_interpolate_ex(rank, in_sizes, in, p, out_sizes, out, dtype, REF_NEAREST_IDX);
}

/* ------------------------------------------------------------------------ */
/* Pooling                                                                  */

typedef struct pool_cfg {
    int nd;
    int64_t in3[3], out3[3];
    int64_t k[3], s[3], pad[3], dil[3];
} pool_cfg;

/* floor division (div_rtn) */
static int64_t div_rtn(int64_t x, int64_t y)
{
    int64_t q = x / y, r = x % y;
    if (r != 0 && ((r < 0) != (y < 0))) --q;
    return q;
}

/* pooling_output_shape_pad_lr with pad_l == pad_r */
static int64_t pool_out_size(int64_t in, int64_t k, int64_t pad, int64_t s, int64_t d, int ceil_mode)
{
    int64_t o = div_rtn(in + 2 * pad - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0), s) + 1;
    if (ceil_mode && (o - 1) * s >= in + pad) --o;
    return o;
}

static int is_lp_inf(const clrs_pool_params *p) { return isinf(p->norm_type); }

static int pool_resolve(int rank, const int64_t *in_sizes, const clrs_pool_params *p,
                        int64_t *out_sizes, pool_cfg *c)
{
    if (!in_sizes || !p) return CLRS_ERR_INVALID_ARG;
    if (rank < 3 || rank > 5) return CLRS_ERR_BAD_SHAPE;
    const int nd = rank - 2;
    memset(c, 0, sizeof *c);
    c->nd = nd;
    spatial3(rank, in_sizes, c->in3);
    for (int a = 0; a < 3; ++a) {
        c->out3[a] = 1;
        c->k[a] = c->s[a] = c->dil[a] = 1;
        c->pad[a] = 0;
    }
    const clrs_pool_kind kind = p->kind;
    if ((int)kind < (int)CLRS_POOL_MAX || (int)kind > (int)CLRS_POOL_FRACTIONAL_MAX)
        return CLRS_ERR_BAD_PARAM;

    if (in_sizes[0] < 0 || in_sizes[1] < 0) return CLRS_ERR_BAD_SHAPE;
    for (int i = 0; i < nd; ++i)
        if (in_sizes[2 + i] < 0) return CLRS_ERR_BAD_SHAPE;
    /* adaptive_avg_pool to an all-ones output is input.mean() in PyTorch,
     * with no shape check at all (empty planes give NaN) */
    int mean_path = 0;
    if (kind == CLRS_POOL_ADAPTIVE_AVG && list_len_ok(p->n_output_size, nd, 0)) {
        mean_path = 1;
        for (int i = 0; i < nd; ++i) {
            const int64_t o = list_i64(p->n_output_size, p->output_size, i, 0);
            if (!(o == 1 || (o == CLRS_UNSET && in_sizes[2 + i] == 1))) mean_path = 0;
        }
    }
    if (!mean_path) {
        /* non-batch dims must be non-empty; adaptive_avg_pool{1,2}d accept C == 0 */
        if (in_sizes[1] == 0 && !(kind == CLRS_POOL_ADAPTIVE_AVG && nd <= 2)) return CLRS_ERR_BAD_SHAPE;
        for (int i = 0; i < nd; ++i)
            if (in_sizes[2 + i] == 0) return CLRS_ERR_BAD_SHAPE;
    }

    if (kind == CLRS_POOL_MAX || kind == CLRS_POOL_AVG || kind == CLRS_POOL_LP) {
        if (!list_len_ok(p->n_kernel, nd, 0) || !list_len_ok(p->n_stride, nd, 1) ||
            !list_len_ok(p->n_padding, nd, 1) || !list_len_ok(p->n_dilation, nd, 1))
            return CLRS_ERR_BAD_PARAM;
        if (kind == CLRS_POOL_LP) {
            /* lp_pool has no padding / dilation argument */
            for (int i = 0; i < nd; ++i) {
                if (list_i64(p->n_padding, p->padding, i, 0) != 0) return CLRS_ERR_BAD_PARAM;
                if (list_i64(p->n_dilation, p->dilation, i, 1) != 1) return CLRS_ERR_BAD_PARAM;
            }
            if (p->norm_type == 0.0) return CLRS_ERR_BAD_PARAM;
        }
        if (kind == CLRS_POOL_AVG) {
            for (int i = 0; i < nd; ++i)
                if (list_i64(p->n_dilation, p->dilation, i, 1) != 1) return CLRS_ERR_BAD_PARAM;
        }
        for (int i = 0; i < nd; ++i) {
            const int a = 3 - nd + i;
            const int64_t k = list_i64(p->n_kernel, p->kernel, i, 0);
            const int64_t s = list_i64(p->n_stride, p->stride, i, k);
            const int64_t pd = list_i64(p->n_padding, p->padding, i, 0);
            const int64_t d = list_i64(p->n_dilation, p->dilation, i, 1);
            if (s == 0) return CLRS_ERR_BAD_PARAM;          /* "stride should not be zero" */
            if (pd < 0) return CLRS_ERR_BAD_PARAM;          /* "pad must be non-negative" */
            if (k <= 0 || s <= 0 || d <= 0) return CLRS_ERR_BAD_PARAM;
            if (pd > k / 2) return CLRS_ERR_BAD_PARAM;      /* raw kernel (pool2d/3d_shape_check) */
            c->k[a] = k;
            c->s[a] = s;
            c->pad[a] = pd;
            c->dil[a] = d;
        }
        /* avg_pool3d (and LP pool 3-D with finite p, which is avg_pool3d)
         * requires input >= kernel on every axis */
        if (nd == 3 && (kind == CLRS_POOL_AVG || (kind == CLRS_POOL_LP && !is_lp_inf(p)))) {
            for (int a = 0; a < 3; ++a)
                if (c->in3[a] < c->k[a]) return CLRS_ERR_BAD_SHAPE;
        }
        for (int i = 0; i < nd; ++i) {
            const int a = 3 - nd + i;
            c->out3[a] = pool_out_size(c->in3[a], c->k[a], c->pad[a], c->s[a], c->dil[a], p->ceil_mode != 0);
            if (c->out3[a] < 1) return CLRS_ERR_BAD_SHAPE; /* "Output size is too small" */
        }
    } else if (kind == CLRS_POOL_ADAPTIVE_AVG || kind == CLRS_POOL_ADAPTIVE_MAX) {
        if (!list_len_ok(p->n_output_size, nd, 0)) return CLRS_ERR_BAD_PARAM;
        for (int i = 0; i < nd; ++i) {
            const int a = 3 - nd + i;
            int64_t o = list_i64(p->n_output_size, p->output_size, i, 0);
            if (o == CLRS_UNSET) o = c->in3[a];
            if (o < 0) return CLRS_ERR_BAD_PARAM;
            c->out3[a] = o;
        }
    } else { /* FRACTIONAL_MAX */
        if (nd < 2) return CLRS_ERR_BAD_SHAPE;
        if (!list_len_ok(p->n_kernel, nd, 0)) return CLRS_ERR_BAD_PARAM;
        const int have_size = p->n_output_size != 0, have_ratio = p->n_output_ratio != 0;
        if (have_size == have_ratio) return CLRS_ERR_BAD_PARAM;
        if (have_size && !list_len_ok(p->n_output_size, nd, 0)) return CLRS_ERR_BAD_PARAM;
        if (have_ratio && !list_len_ok(p->n_output_ratio, nd, 0)) return CLRS_ERR_BAD_PARAM;
        for (int i = 0; i < nd; ++i) {
            const int a = 3 - nd + i;
            const int64_t k = list_i64(p->n_kernel, p->kernel, i, 0);
            if (k <= 0) return CLRS_ERR_BAD_PARAM;
            int64_t o;
            if (have_size) {
                o = list_i64(p->n_output_size, p->output_size, i, 0);
            } else {
                const double r = p->n_output_ratio == 1 ? p->output_ratio[0] : p->output_ratio[i];
                if (!(r > 0.0 && r < 1.0)) return CLRS_ERR_BAD_PARAM; /* nn.FractionalMaxPool*d */
                o = (int64_t)((double)c->in3[a] * r);
            }
            if (o < 0) return CLRS_ERR_BAD_SHAPE;
            if (nd == 2) {
                if (o + k - 1 > c->in3[a]) return CLRS_ERR_BAD_SHAPE;
            } else {
                if (!(k <= c->in3[a] && o + k - 1 < c->in3[a])) return CLRS_ERR_BAD_SHAPE;
            }
            c->k[a] = k;
            c->out3[a] = o;
        }
    }
    if (out_sizes) {
        out_sizes[0] = in_sizes[0];
        out_sizes[1] = in_sizes[1];
        for (int i = 0; i < nd; ++i) out_sizes[2 + i] = c->out3[3 - nd + i];
    }
    return CLRS_OK;
}

int ref_pool_shape(int rank, const int64_t *in_sizes, const clrs_pool_params *p, int64_t *out_sizes)
{
    pool_cfg c;
    if (!out_sizes) return CLRS_ERR_INVALID_ARG;
    return pool_resolve(rank, in_sizes, p, out_sizes, &c);
}

/* max pooling of one plane; `sign` = -1 computes -max(-|x|) style transforms
 * via the `xf` selector: 0 = x, 1 = |x|, 2 = -|x| */
static double xform(double v, int xf)
{
    if (xf == 1) return fabs(v);
    if (xf == 2) return -fabs(v);
    return v;
}

static void max_pool_plane(const pool_cfg *c, const double *ip, double *op, int64_t *xp, int xf)
{
    const int64_t H = c->in3[1], W = c->in3[2];
    for (int64_t od = 0; od < c->out3[0]; ++od)
        for (int64_t oh = 0; oh < c->out3[1]; ++oh)
            for (int64_t ow = 0; ow < c->out3[2]; ++ow) {
                const int64_t o3[3] = {od, oh, ow};
                int64_t st[3], en[3];
                for (int a = 0; a < 3; ++a) {
                    st[a] = o3[a] * c->s[a] - c->pad[a];
                    en[a] = imin64(st[a] + (c->k[a] - 1) * c->dil[a] + 1, c->in3[a]);
                    while (st[a] < 0) st[a] += c->dil[a];
                }
                int64_t maxindex = (st[0] * H + st[1]) * W + st[2];
                double maxval = -INFINITY;
                for (int64_t d = st[0]; d < en[0]; d += c->dil[0])
                    for (int64_t h = st[1]; h < en[1]; h += c->dil[1])
                        for (int64_t w = st[2]; w < en[2]; w += c->dil[2]) {
                            const int64_t idx = (d * H + h) * W + w;
                            const double v = xform(ip[idx], xf);
                            if (v > maxval || isnan(v)) {
                                maxval = v;
                                maxindex = idx;
                            }
                        }
                const int64_t oi = (od * c->out3[1] + oh) * c->out3[2] + ow;
                op[oi] = maxval;
                if (xp) xp[oi] = maxindex;
            }
}

static void avg_pool_plane(const pool_cfg *c, const double *ip, double *op, int count_include_pad,
                           int64_t divisor_override, int integer_result)
{
    const int64_t H = c->in3[1], W = c->in3[2];
    for (int64_t od = 0; od < c->out3[0]; ++od)
        for (int64_t oh = 0; oh < c->out3[1]; ++oh)
            for (int64_t ow = 0; ow < c->out3[2]; ++ow) {
                const int64_t o3[3] = {od, oh, ow};
                int64_t st[3], en[3];
                int64_t pool_size = 1;
                int empty = 0;
                for (int a = 0; a < 3; ++a) {
                    st[a] = o3[a] * c->s[a] - c->pad[a];
                    en[a] = imin64(st[a] + c->k[a], c->in3[a] + c->pad[a]);
                    pool_size *= en[a] - st[a];
                    st[a] = imax64(st[a], 0);
                    en[a] = imin64(en[a], c->in3[a]);
                    if (st[a] >= en[a]) empty = 1;
                }
                const int64_t oi = (od * c->out3[1] + oh) * c->out3[2] + ow;
                if (empty) {
                    op[oi] = 0.0;
                    continue;
                }
                double sum = 0.0;
                for (int64_t d = st[0]; d < en[0]; ++d)
                    for (int64_t h = st[1]; h < en[1]; ++h)
                        for (int64_t w = st[2]; w < en[2]; ++w) sum += ip[(d * H + h) * W + w];
                int64_t div;
                if (divisor_override != 0)
                    div = divisor_override;
                else if (count_include_pad)
                    div = pool_size;
                else
                    div = (en[0] - st[0]) * (en[1] - st[1]) * (en[2] - st[2]);
                double v = sum / (double)div;
                if (integer_result) v = trunc(v);
                op[oi] = v;
            }
}

static void adaptive_max_plane(const pool_cfg *c, const double *ip, double *op, int64_t *xp)
{
    const int64_t H = c->in3[1], W = c->in3[2];
    for (int64_t od = 0; od < c->out3[0]; ++od) {
        const int64_t d0 = adapt_start(od, c->out3[0], c->in3[0]), d1 = adapt_end(od, c->out3[0], c->in3[0]);
        for (int64_t oh = 0; oh < c->out3[1]; ++oh) {
            const int64_t h0 = adapt_start(oh, c->out3[1], H), h1 = adapt_end(oh, c->out3[1], H);
            for (int64_t ow = 0; ow < c->out3[2]; ++ow) {
                const int64_t w0 = adapt_start(ow, c->out3[2], W), w1 = adapt_end(ow, c->out3[2], W);
                int64_t maxindex = (d0 * H + h0) * W + w0;
                double maxval = -INFINITY;
                for (int64_t d = d0; d < d1; ++d)
                    for (int64_t h = h0; h < h1; ++h)
                        for (int64_t w = w0; w < w1; ++w) {
                            const int64_t idx = (d * H + h) * W + w;
                            const double v = ip[idx];
                            if (v > maxval || isnan(v)) {
                                maxval = v;
                                maxindex = idx;
                            }
                        }
                const int64_t oi = (od * c->out3[1] + oh) * c->out3[2] + ow;
                op[oi] = maxval;
                if (xp) xp[oi] = maxindex;
            }
        }
    }
}

/* generate_intervals<scalar_t>, with scalar_t's arithmetic */
static void frac_intervals(double u_in, int64_t in, int64_t out, int64_t k, clrs_dtype dt,
                           int64_t *seq)
{
    if (out > 1) {
        if (dt == CLRS_F32) {
            const float u = (float)u_in;
            const float alpha = (float)(in - k) / (float)(out - 1);
            for (int64_t i = 0; i < out - 1; ++i) {
                const float t1 = ((float)i + u) * alpha;
                const float t2 = u * alpha;
                seq[i] = (int64_t)((int)t1 - (int)t2);
            }
        } else if (dt == CLRS_F16 || dt == CLRS_BF16) {
            const float u = rnd_small((float)u_in, dt);
            const float alpha = rnd_small(rnd_small((float)(in - k), dt) / rnd_small((float)(out - 1), dt), dt);
            for (int64_t i = 0; i < out - 1; ++i) {
                const float isum = rnd_small(rnd_small((float)i, dt) + u, dt);
                const float t1 = rnd_small(isum * alpha, dt);
                const float t2 = rnd_small(u * alpha, dt);
                seq[i] = (int64_t)((int)t1 - (int)t2);
            }
        } else {
            const double u = u_in;
            const double alpha = (double)(in - k) / (double)(out - 1);
            for (int64_t i = 0; i < out - 1; ++i)
                seq[i] = (int64_t)((int)(((double)i + u) * alpha) - (int)(u * alpha));
        }
    }
    if (out > 0) seq[out - 1] = in - k;
}

static void frac_max_plane(const pool_cfg *c, const double *ip, double *op, int64_t *xp,
                           const int64_t *const seq[3])
{
    const int64_t H = c->in3[1], W = c->in3[2];
    for (int64_t od = 0; od < c->out3[0]; ++od)
        for (int64_t oh = 0; oh < c->out3[1]; ++oh)
            for (int64_t ow = 0; ow < c->out3[2]; ++ow) {
                const int64_t d0 = seq[0][od], h0 = seq[1][oh], w0 = seq[2][ow];
                int64_t maxindex = (d0 * H + h0) * W + w0;
                double maxval = -INFINITY;
                for (int64_t d = d0; d < d0 + c->k[0]; ++d)
                    for (int64_t h = h0; h < h0 + c->k[1]; ++h)
                        for (int64_t w = w0; w < w0 + c->k[2]; ++w) {
                            const int64_t idx = (d * H + h) * W + w;
                            const double v = ip[idx];
                            if (v > maxval || isnan(v)) {
                                maxval = v;
                                maxindex = idx;
                            }
                        }
                const int64_t oi = (od * c->out3[1] + oh) * c->out3[2] + ow;
                op[oi] = maxval;
                if (xp) xp[oi] = maxindex;
            }
}

/* Tensor.pow(scalar) as ATen's CPU kernel computes it: special exponents,
 * except that float16 takes std::pow for +-0.5 (pow(-inf, 0.5) = +inf where
 * sqrt gives NaN) */
static double torch_pow(double x, double e, clrs_dtype dt)
{
    if (e == 2.0) return x * x;
    if (e == 3.0) return x * x * x;
    if (dt != CLRS_F16 && e == 0.5) return sqrt(x);
    if (dt != CLRS_F16 && e == -0.5) return 1.0 / sqrt(x);
    if (e == -1.0) return 1.0 / x;
    if (e == -2.0) return 1.0 / (x * x);
    return pow(x, e);
}

int ref_pool(int rank, const int64_t *in_sizes, const double *in, const clrs_pool_params *p,
             const int64_t *out_sizes, double *out, int64_t *indices, clrs_dtype dtype)
{
    pool_cfg c;
    int64_t exp_sizes[CLRS_MAX_RANK];
    if (!in_sizes || !p || !out_sizes) return CLRS_ERR_INVALID_ARG;
    int rc = pool_resolve(rank, in_sizes, p, exp_sizes, &c);
    if (rc) return rc;
    if (!same_sizes(rank, exp_sizes, out_sizes)) return CLRS_ERR_BAD_SHAPE;
    if (!is_valid_dtype(dtype)) return CLRS_ERR_BAD_DTYPE;
    const int integer = !is_float_dtype(dtype);
    if (p->kind == CLRS_POOL_LP && integer) return CLRS_ERR_BAD_DTYPE;
    if (p->kind == CLRS_POOL_FRACTIONAL_MAX) {
        if (!p->samples && in_sizes[0] * in_sizes[1] > 0) return CLRS_ERR_INVALID_ARG;
        if (p->samples_dtype != CLRS_F32 && p->samples_dtype != CLRS_F64) return CLRS_ERR_BAD_DTYPE;
    }
    const int64_t planes = in_sizes[0] * in_sizes[1];
    const int64_t on = numel(rank, out_sizes);
    if (on == 0) return CLRS_OK;
    if (!in || !out) return CLRS_ERR_INVALID_ARG;
    const int64_t isz = c.in3[0] * c.in3[1] * c.in3[2];
    const int64_t osz = c.out3[0] * c.out3[1] * c.out3[2];

    switch (p->kind) {
    case CLRS_POOL_MAX:
        for (int64_t pl = 0; pl < planes; ++pl)
            max_pool_plane(&c, in + pl * isz, out + pl * osz, indices ? indices + pl * osz : NULL, 0);
        for (int64_t i = 0; i < planes * osz; ++i) out[i] = ref_round_to_dtype(out[i], dtype);
        return CLRS_OK;
    case CLRS_POOL_AVG:
        for (int64_t pl = 0; pl < planes; ++pl)
            avg_pool_plane(&c, in + pl * isz, out + pl * osz, p->count_include_pad != 0,
                           p->divisor_override, integer);
        for (int64_t i = 0; i < planes * osz; ++i) out[i] = ref_round_to_dtype(out[i], dtype);
        return CLRS_OK;
    case CLRS_POOL_LP: {
        const double nt = p->norm_type;
        if (isinf(nt)) {
            for (int64_t pl = 0; pl < planes; ++pl)
                max_pool_plane(&c, in + pl * isz, out + pl * osz, NULL, nt > 0 ? 1 : 2);
            if (nt < 0)
                for (int64_t i = 0; i < planes * osz; ++i) out[i] = -out[i];
        } else {
            double *pw = malloc((size_t)(planes * isz) * sizeof *pw);
            if (!pw) return CLRS_ERR_OUT_OF_HOST_MEMORY;
            /* every op of the composition stores its result in dtype */
            for (int64_t i = 0; i < planes * isz; ++i) pw[i] = ref_round_to_dtype(torch_pow(in[i], nt, dtype), dtype);
            double kprod = (double)(c.k[0] * c.k[1] * c.k[2]);
            for (int64_t pl = 0; pl < planes; ++pl)
                avg_pool_plane(&c, pw + pl * isz, out + pl * osz, 1, 0, 0);
            free(pw);
            for (int64_t i = 0; i < planes * osz; ++i) {
                const double a = ref_round_to_dtype(out[i], dtype);
                /* (sign(a) * relu(|a|)) * prod(kernel), then ^(1/p) */
                const double sg = isnan(a) ? a : (a > 0 ? 1.0 : (a < 0 ? -1.0 : 0.0));
                const double t = sg * fabs(a);
                const double m = ref_round_to_dtype(t * kprod, dtype);
                out[i] = torch_pow(m, 1.0 / nt, dtype);
            }
        }
        for (int64_t i = 0; i < planes * osz; ++i) out[i] = ref_round_to_dtype(out[i], dtype);
        return CLRS_OK;
    }
    case CLRS_POOL_ADAPTIVE_AVG:
        adaptive_avg(planes, c.in3, in, c.out3, out, dtype);
        return CLRS_OK;
    case CLRS_POOL_ADAPTIVE_MAX:
        for (int64_t pl = 0; pl < planes; ++pl)
            adaptive_max_plane(&c, in + pl * isz, out + pl * osz, indices ? indices + pl * osz : NULL);
        for (int64_t i = 0; i < planes * osz; ++i) out[i] = ref_round_to_dtype(out[i], dtype);
        return CLRS_OK;
    case CLRS_POOL_FRACTIONAL_MAX: {
        int64_t *seq[3] = {NULL, NULL, NULL};
        for (int a = 0; a < 3; ++a) {
            seq[a] = calloc((size_t)(c.out3[a] > 0 ? c.out3[a] : 1), sizeof *seq[a]);
            if (!seq[a]) {
                for (int k = 0; k < 3; ++k) free(seq[k]);
                return CLRS_ERR_OUT_OF_HOST_MEMORY;
            }
        }
        const int nd = c.nd;
        for (int64_t pl = 0; pl < planes; ++pl) {
            /* samples (N, C, nd): 2-D: [0] -> W, [1] -> H; 3-D: [0] -> D, [1] -> H, [2] -> W */
            double u[3] = {0, 0, 0};
            for (int j = 0; j < nd; ++j) {
                const int64_t si = pl * nd + j;
                u[j] = p->samples_dtype == CLRS_F32 ? (double)((const float *)p->samples)[si]
                                                    : ((const double *)p->samples)[si];
            }
            double ua[3];
            if (nd == 2) {
                ua[0] = 0.0;
                ua[1] = u[1];
                ua[2] = u[0];
            } else {
                ua[0] = u[0];
                ua[1] = u[1];
                ua[2] = u[2];
            }
            for (int a = 3 - nd; a < 3; ++a) frac_intervals(ua[a], c.in3[a], c.out3[a], c.k[a], dtype, seq[a]);
            if (nd == 2) seq[0][0] = 0;
            const int64_t *const cs[3] = {seq[0], seq[1], seq[2]};
            frac_max_plane(&c, in + pl * isz, out + pl * osz, indices ? indices + pl * osz : NULL, cs);
        }
        for (int k = 0; k < 3; ++k) free(seq[k]);
        for (int64_t i = 0; i < planes * osz; ++i) out[i] = ref_round_to_dtype(out[i], dtype);
        return CLRS_OK;
    }
    default:
        return CLRS_ERR_BAD_PARAM;
    }
}

/* ------------------------------------------------------------------------ */
/* Max unpooling                                                            */

int ref_max_unpool_shape(int rank, const int64_t *in_sizes, const clrs_unpool_params *p,
                         int64_t *out_sizes)
{
    if (!in_sizes || !p || !out_sizes) return CLRS_ERR_INVALID_ARG;
    if (rank < 3 || rank > 5) return CLRS_ERR_BAD_SHAPE;
    const int nd = rank - 2;
    if (!list_len_ok(p->n_kernel, nd, 0) || !list_len_ok(p->n_stride, nd, 1) ||
        !list_len_ok(p->n_padding, nd, 1) || !list_len_ok(p->n_output_size, nd, 1))
        return CLRS_ERR_BAD_PARAM;
    if (in_sizes[0] < 0 || in_sizes[1] <= 0) return CLRS_ERR_BAD_SHAPE;
    for (int i = 0; i < nd; ++i)
        if (in_sizes[2 + i] <= 0) return CLRS_ERR_BAD_SHAPE;
    for (int i = 0; i < nd; ++i) {
        const int64_t k = list_i64(p->n_kernel, p->kernel, i, 0);
        const int64_t s = list_i64(p->n_stride, p->stride, i, k);
        const int64_t pd = list_i64(p->n_padding, p->padding, i, 0);
        /* max_unpool3d validates the stride; 1-D/2-D do not */
        if (nd == 3 && s <= 0) return CLRS_ERR_BAD_PARAM;
        const int64_t dflt = (in_sizes[2 + i] - 1) * s + k - 2 * pd;
        int64_t o = dflt;
        if (p->n_output_size) {
            o = list_i64(p->n_output_size, p->output_size, i, 0);
            if (!(dflt - s < o && o < dflt + s)) return CLRS_ERR_BAD_SHAPE;
        }
        if (o < 0) return CLRS_ERR_BAD_SHAPE;
        out_sizes[2 + i] = o;
    }
    out_sizes[0] = in_sizes[0];
    out_sizes[1] = in_sizes[1];
    return CLRS_OK;
}

int ref_max_unpool(int rank, const int64_t *in_sizes, const double *in, const int64_t *indices,
                   const clrs_unpool_params *p, const int64_t *out_sizes, double *out,
                   clrs_dtype dtype)
{
    int64_t exp_sizes[CLRS_MAX_RANK];
    if (!in_sizes || !p || !out_sizes) return CLRS_ERR_INVALID_ARG;
    int rc = ref_max_unpool_shape(rank, in_sizes, p, exp_sizes);
    if (rc) return rc;
    if (!same_sizes(rank, exp_sizes, out_sizes)) return CLRS_ERR_BAD_SHAPE;
    if (!is_valid_dtype(dtype)) return CLRS_ERR_BAD_DTYPE;
    int64_t in3[3], out3[3];
    spatial3(rank, in_sizes, in3);
    spatial3(rank, out_sizes, out3);
    const int64_t planes = in_sizes[0] * in_sizes[1];
    const int64_t isz = in3[0] * in3[1] * in3[2], osz = out3[0] * out3[1] * out3[2];
    if (planes == 0) return CLRS_OK;
    if (!in || !indices || (!out && osz > 0)) return CLRS_ERR_INVALID_ARG;
    for (int64_t i = 0; i < planes * osz; ++i) out[i] = 0.0;
    int bad = 0;
    for (int64_t pl = 0; pl < planes; ++pl)
        for (int64_t i = 0; i < isz; ++i) {
            const int64_t idx = indices[pl * isz + i];
            if (idx < 0 || idx >= osz) {
                bad = 1;
                continue;
            }
            out[pl * osz + idx] = ref_round_to_dtype(in[pl * isz + i], dtype);
        }
    return bad ? CLRS_ERR_INDEX_OUT_OF_RANGE : CLRS_OK;
}

/* ------------------------------------------------------------------------ */
/* Pixel shuffle                                                            */

int ref_pixel_shuffle_shape(int rank, const int64_t *in_sizes, int64_t factor, int inverse,
                            int64_t *out_sizes)
{
    if (!in_sizes || !out_sizes) return CLRS_ERR_INVALID_ARG;
    if (rank != 4) return CLRS_ERR_BAD_SHAPE;
    for (int i = 0; i < 4; ++i)
        if (in_sizes[i] < 0) return CLRS_ERR_BAD_SHAPE;
    if (factor <= 0) return CLRS_ERR_BAD_PARAM;
    if (factor > INT64_MAX / factor) return CLRS_ERR_BAD_PARAM;
    const int64_t r = factor, r2 = factor * factor;
    const int64_t N = in_sizes[0], C = in_sizes[1], H = in_sizes[2], W = in_sizes[3];
    if (!inverse) {
        if (C % r2 != 0) return CLRS_ERR_BAD_SHAPE;
        if ((H && r > INT64_MAX / H) || (W && r > INT64_MAX / W)) return CLRS_ERR_BAD_SHAPE;
        out_sizes[0] = N;
        out_sizes[1] = C / r2;
        out_sizes[2] = H * r;
        out_sizes[3] = W * r;
    } else {
        if (H % r != 0 || W % r != 0) return CLRS_ERR_BAD_SHAPE;
        if (C && r2 > INT64_MAX / C) return CLRS_ERR_BAD_SHAPE;
        out_sizes[0] = N;
        out_sizes[1] = C * r2;
        out_sizes[2] = H / r;
        out_sizes[3] = W / r;
    }
    return CLRS_OK;
}

int ref_pixel_shuffle(int rank, const int64_t *in_sizes, const double *in, int64_t factor,
                      int inverse, const int64_t *out_sizes, double *out)
{
    int64_t exp_sizes[4];
    int rc = ref_pixel_shuffle_shape(rank, in_sizes, factor, inverse, exp_sizes);
    if (rc) return rc;
    if (!out_sizes) return CLRS_ERR_INVALID_ARG;
    if (!same_sizes(4, exp_sizes, out_sizes)) return CLRS_ERR_BAD_SHAPE;
    if (numel(4, out_sizes) == 0) return CLRS_OK;
    if (!in || !out) return CLRS_ERR_INVALID_ARG;
    const int64_t r = factor;
    /* (N, Cs, Hs, Ws) is the shuffled (large) side, (N, Cs*r*r, Hs/r, Ws/r) the other */
    const int64_t *big = inverse ? in_sizes : out_sizes;
    const int64_t N = big[0], Cs = big[1], Hs = big[2], Ws = big[3];
    const int64_t Cb = Cs * r * r, Hb = Hs / r, Wb = Ws / r;
    for (int64_t n = 0; n < N; ++n)
        for (int64_t c = 0; c < Cs; ++c)
            for (int64_t h = 0; h < Hs; ++h)
                for (int64_t w = 0; w < Ws; ++w) {
                    const int64_t i = h % r, j = w % r;
                    const int64_t s_idx = ((n * Cs + c) * Hs + h) * Ws + w;
                    const int64_t d_idx = ((n * Cb + c * r * r + i * r + j) * Hb + h / r) * Wb + w / r;
                    if (!inverse)
                        out[s_idx] = in[d_idx];
                    else
                        out[d_idx] = in[s_idx];
                }
    return CLRS_OK;
}

int ref_pixel_shuffle_backward(const int64_t *in_sizes, int64_t factor, int inverse, const double *grad_out,
                               double *grad_in)
{
    int64_t out_sizes[4];
    int rc = ref_pixel_shuffle_shape(4, in_sizes, factor, inverse, out_sizes);
    if (rc) return rc;
    const int64_t n_in = numel(4, in_sizes);
    if (n_in == 0) return CLRS_OK;
    if (!grad_out || !grad_in) return CLRS_ERR_INVALID_ARG;
    for (int64_t i = 0; i < n_in; ++i) grad_in[i] = 0.0;
    const int64_t r = factor;
    const int64_t *big = inverse ? in_sizes : out_sizes;
    const int64_t N = big[0], Cs = big[1], Hs = big[2], Ws = big[3];
    const int64_t Cb = Cs * r * r, Hb = Hs / r, Wb = Ws / r;
    /* every forward output o = out[dst] = in[src]: grad_in[src] += grad_out[dst] */
    for (int64_t n = 0; n < N; ++n)
        for (int64_t c = 0; c < Cs; ++c)
            for (int64_t h = 0; h < Hs; ++h)
                for (int64_t w = 0; w < Ws; ++w) {
                    const int64_t i = h % r, j = w % r;
                    const int64_t s_idx = ((n * Cs + c) * Hs + h) * Ws + w;
                    const int64_t d_idx = ((n * Cb + c * r * r + i * r + j) * Hb + h / r) * Wb + w / r;
                    if (!inverse)
                        grad_in[d_idx] += grad_out[s_idx];
                    else
                        grad_in[s_idx] += grad_out[d_idx];
                }
    return CLRS_OK;
}

int ref_max_unpool_backward(int rank, const int64_t *in_sizes, const int64_t *indices, const clrs_unpool_params *p,
                            const double *grad_out, double *grad_in)
{
    int64_t out_sizes[CLRS_MAX_RANK];
    if (!in_sizes || !p) return CLRS_ERR_INVALID_ARG;
    int rc = ref_max_unpool_shape(rank, in_sizes, p, out_sizes);
    if (rc) return rc;
    int64_t in3[3], out3[3];
    spatial3(rank, in_sizes, in3);
    spatial3(rank, out_sizes, out3);
    const int64_t planes = in_sizes[0] * in_sizes[1];
    const int64_t isz = in3[0] * in3[1] * in3[2], osz = out3[0] * out3[1] * out3[2];
    if (planes == 0 || isz == 0) return CLRS_OK;
    if (!indices || !grad_in || (!grad_out && osz > 0)) return CLRS_ERR_INVALID_ARG;
    int bad = 0;
    for (int64_t pl = 0; pl < planes; ++pl)
        for (int64_t i = 0; i < isz; ++i) {
            const int64_t idx = indices[pl * isz + i];
            if (idx < 0 || idx >= osz) {
                bad = 1;
                grad_in[pl * isz + i] = 0.0;
                continue;
            }
            grad_in[pl * isz + i] = grad_out[pl * osz + idx];
        }
    return bad ? CLRS_ERR_INDEX_OUT_OF_RANGE : CLRS_OK;
}


/* ---- grid_sample / affine_grid ------------------------------------------------ */
static double gs_unnorm(double g, int64_t size, int ac)
{
    return ac ? (g + 1) / 2 * (double)(size - 1) : ((g + 1) * (double)size - 1) / 2;
}

static double gs_clip(double x, int64_t size)
{
    return fmin((double)(size - 1), fmax(x, 0));
}

static double gs_reflect(double in, int64_t tlow, int64_t thigh)
{
    if (tlow == thigh) return 0;
    double mn = (double)tlow / 2, span = (double)(thigh - tlow) / 2;
    in = fabs(in - mn);
    double extra = fmod(in, span);
    double flips = floor(in / span);
    return fmod(flips, 2) == 0 ? extra + mn : span - extra + mn;
}

static double gs_pad(double x, int64_t size, int pad, int ac)
{
    if (pad == 1) return gs_clip(x, size);
    if (pad == 2) return gs_clip(ac ? gs_reflect(x, 0, 2 * (size - 1)) : gs_reflect(x, -1, 2 * size - 1), size);
    return x;
}

static void gs_cubic(double t, double c[4])
{
    const double A = -0.75;
    double x = t + 1;
    c[0] = ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    c[1] = ((A + 2) * t - (A + 3)) * t * t + 1;
    x = 1 - t;
    c[2] = ((A + 2) * x - (A + 3)) * x * x + 1;
    x = 2 - t;
    c[3] = ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
}

int ref_grid_sample(int rank, const int64_t *in_sizes, const double *in, const int64_t *grid_sizes,
                    const double *grid, int mode, int pad, int align_corners, double *out)
{
    if (in_sizes == NULL || grid_sizes == NULL || (rank != 4 && rank != 5)) return -1;
    if (mode < 0 || mode > 2 || pad < 0 || pad > 2) return -15;
    const int sp = rank - 2;
    const int64_t N = in_sizes[0], C = in_sizes[1];
    int64_t isz[3] = {1, 1, 1}, osz[3] = {1, 1, 1};
    for (int i = 0; i < sp; i++) {
        isz[3 - sp + i] = in_sizes[2 + i];
        osz[3 - sp + i] = grid_sizes[1 + i];
    }
    if (grid_sizes[0] != N || grid_sizes[rank - 1] != sp) return -11;
    const int64_t D = isz[0], H = isz[1], W = isz[2];
    const int64_t opl = osz[0] * osz[1] * osz[2], ipl = D * H * W;
    for (int64_t n = 0; n < N; n++)
        for (int64_t o = 0; o < opl; o++) {
            const double *g = grid + (n * opl + o) * sp;
            double u[3] = {0, 0, 0}; /* (z, y, x) unnormalised */
            int64_t sz[3] = {D, H, W};
            for (int a = 0; a < sp; a++) u[2 - a] = gs_unnorm(g[a], sz[2 - a], align_corners);
            for (int64_t c = 0; c < C; c++) {
                const double *p = in + (n * C + c) * ipl;
                double r = 0;
                if (mode == 2) {
                    double f[3], cf[3][4];
                    for (int a = 0; a < 3; a++) {
                        f[a] = floor(u[a]);
                        gs_cubic(u[a] - f[a], cf[a]);
                    }
                    int kz = sp == 3 ? 4 : 1;
                    for (int i = 0; i < kz; i++)
                        for (int j = 0; j < 4; j++)
                            for (int k = 0; k < 4; k++) {
                                double zz = sp == 3 ? f[0] - 1 + i : 0, yy = f[1] - 1 + j, xx = f[2] - 1 + k;
                                zz = sp == 3 ? gs_pad(zz, D, pad, align_corners) : 0;
                                yy = gs_pad(yy, H, pad, align_corners);
                                xx = gs_pad(xx, W, pad, align_corners);
                                int64_t iz = (int64_t)zz, iy = (int64_t)yy, ix = (int64_t)xx;
                                if (iz < 0 || iz >= D || iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                                double w = cf[1][j] * cf[2][k] * (sp == 3 ? cf[0][i] : 1);
                                r += p[(iz * H + iy) * W + ix] * w;
                            }
                } else {
                    double v[3];
                    for (int a = 0; a < 3; a++) v[a] = (a < 3 - sp) ? 0 : gs_pad(u[a], sz[a], pad, align_corners);
                    if (mode == 1) {
                        int64_t iz = (int64_t)nearbyint(v[0]), iy = (int64_t)nearbyint(v[1]),
                                ix = (int64_t)nearbyint(v[2]);
                        if (iz >= 0 && iz < D && iy >= 0 && iy < H && ix >= 0 && ix < W)
                            r = p[(iz * H + iy) * W + ix];
                    } else {
                        double f[3] = {floor(v[0]), floor(v[1]), floor(v[2])};
                        for (int k = 0; k < 8; k++) {
                            double w = 1;
                            int64_t id[3];
                            for (int a = 0; a < 3; a++) {
                                int b = (k >> (2 - a)) & 1;
                                id[a] = (int64_t)f[a] + b;
                                w *= b ? v[a] - f[a] : 1 - (v[a] - f[a]);
                            }
                            if (id[0] < 0 || id[0] >= D || id[1] < 0 || id[1] >= H || id[2] < 0 || id[2] >= W)
                                continue;
                            r += p[(id[0] * H + id[1]) * W + id[2]] * w;
                        }
                    }
                }
                out[(n * C + c) * opl + o] = r;
            }
        }
    return 0;
}

static double ag_lin(int64_t i, int64_t size, int ac)
{
    if (size <= 1) return 0;
    double v = -1 + 2.0 * (double)i / (double)(size - 1);
    return ac ? v : v * (double)(size - 1) / (double)size;
}

int ref_affine_grid(int rank, const int64_t *size, const double *theta, int align_corners, double *out)
{
    if (size == NULL || theta == NULL || out == NULL || (rank != 4 && rank != 5)) return -1;
    const int R = rank - 2;
    const int64_t N = size[0], D = R == 3 ? size[2] : 1, H = size[rank - 2], W = size[rank - 1];
    for (int64_t n = 0; n < N; n++)
        for (int64_t d = 0; d < D; d++)
            for (int64_t h = 0; h < H; h++)
                for (int64_t w = 0; w < W; w++) {
                    double b[4] = {ag_lin(w, W, align_corners), ag_lin(h, H, align_corners), 1, 1};
                    if (R == 3) b[2] = ag_lin(d, D, align_corners);
                    const double *t = theta + n * R * (R + 1);
                    double *o = out + (((n * D + d) * H + h) * W + w) * R;
                    for (int r = 0; r < R; r++) {
                        double acc = 0;
                        for (int k = 0; k <= R; k++) acc += b[k] * t[r * (R + 1) + k];
                        o[r] = acc;
                    }
                }
    return 0;
}

int ref_max_pool_backward(int rank, const int64_t *in_sizes, const int64_t *out_sizes, const int64_t *indices,
                          const double *grad_out, double *grad_in, clrs_dtype dtype)
{
    if (!in_sizes || !out_sizes || rank < 3 || rank > CLRS_MAX_RANK) return CLRS_ERR_INVALID_ARG;
    if (in_sizes[0] != out_sizes[0] || in_sizes[1] != out_sizes[1]) return CLRS_ERR_BAD_SHAPE;
    const int64_t planes = in_sizes[0] * in_sizes[1];
    const int64_t pi = planes ? numel(rank, in_sizes) / planes : 0, po = planes ? numel(rank, out_sizes) / planes : 0;
    if (planes == 0 || pi == 0) return CLRS_OK;
    if (!grad_in || (po > 0 && (!indices || !grad_out))) return CLRS_ERR_INVALID_ARG;
    for (int64_t i = 0; i < planes * pi; ++i) grad_in[i] = 0.0;
    int bad = 0;
    for (int64_t pl = 0; pl < planes; ++pl)
        for (int64_t o = 0; o < po; ++o) {
            const int64_t v = indices[pl * po + o];
            if (v < 0 || v >= pi) {
                bad = 1;
                continue;
            }
            double *g = &grad_in[pl * pi + v];
            *g = dtype == CLRS_F64 ? *g + grad_out[pl * po + o] : (double)(float)(*g + grad_out[pl * po + o]);
        }
    if (dtype != CLRS_F64 && dtype != CLRS_F32)
        for (int64_t i = 0; i < planes * pi; ++i) grad_in[i] = ref_round_to_dtype(grad_in[i], dtype);
    return bad ? CLRS_ERR_INDEX_OUT_OF_RANGE : CLRS_OK;
}

/* torch's CPU loops (AvgPoolKernel.cpp, AdaptiveAvgPoolKernel.cpp): for each
 * output in order, grad_delta = grad_out / divide_factor (adaptive: / kd /
 * kh / kw), added to every element of its window; in dtype (f32 or f64). */
int ref_avg_pool_backward(int rank, const int64_t *in_sizes, const clrs_pool_params *p, const double *grad_out,
                          double *grad_in, clrs_dtype dtype)
{
    pool_cfg c;
    int64_t out_sizes[CLRS_MAX_RANK];
    if (!p || (p->kind != CLRS_POOL_AVG && p->kind != CLRS_POOL_ADAPTIVE_AVG)) return CLRS_ERR_INVALID_ARG;
    int rc = pool_resolve(rank, in_sizes, p, out_sizes, &c);
    if (rc) return rc;
    const int64_t planes = in_sizes[0] * in_sizes[1];
    const int64_t isz = c.in3[0] * c.in3[1] * c.in3[2], osz = c.out3[0] * c.out3[1] * c.out3[2];
    if (planes == 0 || isz == 0) return CLRS_OK;
    if (!grad_in || (osz > 0 && !grad_out)) return CLRS_ERR_INVALID_ARG;
    const int f64 = dtype == CLRS_F64;
    const int64_t H = c.in3[1], W = c.in3[2];
    for (int64_t i = 0; i < planes * isz; ++i) grad_in[i] = 0.0;
    for (int64_t pl = 0; pl < planes; ++pl)
        for (int64_t od = 0; od < c.out3[0]; ++od)
            for (int64_t oh = 0; oh < c.out3[1]; ++oh)
                for (int64_t ow = 0; ow < c.out3[2]; ++ow) {
                    const int64_t o3[3] = {od, oh, ow};
                    int64_t st[3], en[3], pool_size = 1;
                    for (int a = 0; a < 3; ++a) {
                        if (p->kind == CLRS_POOL_ADAPTIVE_AVG) {
                            st[a] = adapt_start(o3[a], c.out3[a], c.in3[a]);
                            en[a] = adapt_end(o3[a], c.out3[a], c.in3[a]);
                            continue;
                        }
                        st[a] = o3[a] * c.s[a] - c.pad[a];
                        en[a] = imin64(st[a] + c.k[a], c.in3[a] + c.pad[a]);
                        pool_size *= en[a] - st[a];
                        st[a] = imax64(st[a], 0);
                        en[a] = imin64(en[a], c.in3[a]);
                    }
                    double g = grad_out[pl * osz + (od * c.out3[1] + oh) * c.out3[2] + ow];
                    if (p->kind == CLRS_POOL_ADAPTIVE_AVG && osz == 1) {
                        /* to an all-ones output torch computes input.mean():
                         * its gradient is grad_out / N in one division */
                        g /= (double)isz;
                        if (!f64) g = (double)(float)g;
                    } else if (p->kind == CLRS_POOL_ADAPTIVE_AVG) {
                        for (int a = 0; a < 3; ++a) {
                            g /= (double)(en[a] - st[a]);
                            if (!f64) g = (double)(float)g;
                        }
                    } else {
                        const int64_t div = p->divisor_override != 0 ? p->divisor_override
                                            : p->count_include_pad    ? pool_size
                                                                      : (en[0] - st[0]) * (en[1] - st[1]) * (en[2] - st[2]);
                        g /= (double)div;
                        if (!f64) g = (double)(float)g;
                    }
                    for (int64_t d = st[0]; d < en[0]; ++d)
                        for (int64_t h = st[1]; h < en[1]; ++h)
                            for (int64_t w = st[2]; w < en[2]; ++w) {
                                double *t = &grad_in[pl * isz + (d * H + h) * W + w];
                                *t = f64 ? *t + g : (double)(float)(*t + g);
                            }
                }
    if (!f64 && dtype != CLRS_F32)
        for (int64_t i = 0; i < planes * isz; ++i) grad_in[i] = ref_round_to_dtype(grad_in[i], dtype);
    return CLRS_OK;
}

/* LP pooling backward, finite p, in double: torch's composition
 * out = (sign(s) relu(|s|) K)^(1/p), s = avg_pool(x^p) over the window
 * clipped to the input (no padding; the divisor is the clipped count, K the
 * kernel's full size), differentiated: gs = g (1/p) u^(1/p - 1) K with
 * u = s K, 0 where s == 0 (threshold_backward); then the average pooling
 * backward of gs (gs / count added to each element of the window), times
 * p x^(p - 1). No rounding to the dtype: a reference for tolerance
 * comparisons (the library follows torch's float steps). */
int ref_lp_pool_backward(int rank, const int64_t *in_sizes, const clrs_pool_params *p, const double *in,
                         const double *grad_out, double *grad_in)
{
    pool_cfg c;
    int64_t out_sizes[CLRS_MAX_RANK];
    if (!p || p->kind != CLRS_POOL_LP || !isfinite(p->norm_type) || p->norm_type == 0) return CLRS_ERR_INVALID_ARG;
    int rc = pool_resolve(rank, in_sizes, p, out_sizes, &c);
    if (rc) return rc;
    const int64_t planes = in_sizes[0] * in_sizes[1];
    const int64_t isz = c.in3[0] * c.in3[1] * c.in3[2], osz = c.out3[0] * c.out3[1] * c.out3[2];
    if (planes == 0 || isz == 0) return CLRS_OK;
    if (!grad_in || !in || (osz > 0 && !grad_out)) return CLRS_ERR_INVALID_ARG;
    const double pn = p->norm_type, K = (double)(c.k[0] * c.k[1] * c.k[2]);
    const int64_t H = c.in3[1], W = c.in3[2];
    for (int64_t i = 0; i < planes * isz; ++i) grad_in[i] = 0.0;
    for (int64_t pl = 0; pl < planes; ++pl)
        for (int64_t od = 0; od < c.out3[0]; ++od)
            for (int64_t oh = 0; oh < c.out3[1]; ++oh)
                for (int64_t ow = 0; ow < c.out3[2]; ++ow) {
                    const int64_t o3[3] = {od, oh, ow};
                    int64_t st[3], en[3];
                    for (int a = 0; a < 3; ++a) {
                        st[a] = o3[a] * c.s[a];
                        en[a] = imin64(st[a] + c.k[a], c.in3[a]);
                    }
                    const double cnt = (double)((en[0] - st[0]) * (en[1] - st[1]) * (en[2] - st[2]));
                    double sum = 0;
                    for (int64_t d = st[0]; d < en[0]; ++d)
                        for (int64_t h = st[1]; h < en[1]; ++h)
                            for (int64_t w = st[2]; w < en[2]; ++w) sum += pow(in[pl * isz + (d * H + h) * W + w], pn);
                    const double s = sum / cnt, u = s * K;
                    const double g = grad_out[pl * osz + (od * c.out3[1] + oh) * c.out3[2] + ow];
                    const double gs = s == 0 ? 0 : g * (1 / pn) * pow(u, 1 / pn - 1) * K;
                    for (int64_t d = st[0]; d < en[0]; ++d)
                        for (int64_t h = st[1]; h < en[1]; ++h)
                            for (int64_t w = st[2]; w < en[2]; ++w) grad_in[pl * isz + (d * H + h) * W + w] += gs / cnt;
                }
    for (int64_t i = 0; i < planes * isz; ++i) grad_in[i] *= pn * pow(in[i], pn - 1);
    return CLRS_OK;
}

/* The gradient of interpolate by adjointness: interpolate is linear, so
 * grad_in[i] = sum over o of W[o, i] * grad_out[o], with W's column i the
 * forward of the one-hot plane e_i (ref_interpolate, in float opmath for
 * f32 / f16 / bf16, double for f64; nearest modes with torch's backward
 * index rule, REF_NEAREST_IDX), summed in double. Bicubic without
 * antialias with every axis unchanged is a copy (torch's backward
 * special case). */
int ref_interpolate_backward(int rank, const int64_t *in_sizes, const clrs_interpolate_params *p,
                             const double *grad_out, double *grad_in, clrs_dtype dtype)
{
    int64_t out_sizes[CLRS_MAX_RANK];
    if (!in_sizes || !p) return CLRS_ERR_INVALID_ARG;
    int rc = ref_interpolate_shape(rank, in_sizes, p, out_sizes);
    if (rc) return rc;
    const int64_t planes = in_sizes[0] * in_sizes[1];
    int64_t s1[CLRS_MAX_RANK], o1[CLRS_MAX_RANK];
    memcpy(s1, in_sizes, (size_t)rank * sizeof *s1);
    memcpy(o1, out_sizes, (size_t)rank * sizeof *o1);
    s1[0] = s1[1] = o1[0] = o1[1] = 1;
    const int64_t pin = numel(rank, s1), pout = numel(rank, o1);
    if (planes == 0 || pin == 0) return CLRS_OK;
    if (!grad_in || (pout > 0 && !grad_out)) return CLRS_ERR_INVALID_ARG;
    int copy = p->mode == CLRS_INTERP_BICUBIC && !p->antialias;
    for (int a = 2; a < rank; a++)
        if (in_sizes[a] != out_sizes[a]) copy = 0;
    double *e = calloc((size_t)pin, sizeof *e), *col = malloc((size_t)(pout > 0 ? pout : 1) * sizeof *col);
    if (!e || !col) {
        free(e);
        free(col);
        return CLRS_ERR_OUT_OF_HOST_MEMORY;
    }
    for (int64_t i = 0; i < planes * pin; i++) grad_in[i] = 0.0;
    const clrs_dtype wt = dtype == CLRS_F64 ? CLRS_F64 : CLRS_F32;
    bw_keep_unchanged = 1;
    for (int64_t i = 0; i < pin && rc == 0; i++) {
        e[i] = 1.0;
        if (copy) {
            for (int64_t o = 0; o < pout; o++) col[o] = o == i ? 1.0 : 0.0;
        } else {
            rc = ref_interpolate_ex(rank, s1, e, p, o1, col, wt, REF_NEAREST_IDX);
        }
        e[i] = 0.0;
        for (int64_t o = 0; o < pout && rc == 0; o++) {
            if (col[o] == 0.0) continue;
            for (int64_t pl = 0; pl < planes; pl++) grad_in[pl * pin + i] += col[o] * grad_out[pl * pout + o];
        }
    }
    bw_keep_unchanged = 0;
    free(e);
    free(col);
    return rc;
}

/* ---- convolution ---------------------------------------------------------- */
static void conv_lists(int sp, const clrs_conv_params *p, const int64_t *k, int64_t *s, int64_t *pl, int64_t *d,
                       int64_t *op)
{
    for (int i = 0; i < sp; i++) {
        s[i] = p->n_stride == 0 ? 1 : p->stride[p->n_stride == 1 ? 0 : i];
        d[i] = p->n_dilation == 0 ? 1 : p->dilation[p->n_dilation == 1 ? 0 : i];
        op[i] = p->n_output_padding == 0 ? 0 : p->output_padding[p->n_output_padding == 1 ? 0 : i];
        if (p->padding_kind == CLRS_CONV_PADDING_SAME)
            pl[i] = d[i] * (k[i] - 1) / 2;
        else if (p->padding_kind == CLRS_CONV_PADDING_VALID)
            pl[i] = 0;
        else
            pl[i] = p->n_padding == 0 ? 0 : p->padding[p->n_padding == 1 ? 0 : i];
    }
}

int ref_conv_shape(int rank, const int64_t *in_sizes, const int64_t *w_sizes, const clrs_conv_params *p,
                   int transposed, int64_t *out_sizes)
{
    const int sp = rank - 2;
    int64_t s[3], pl[3], d[3], op[3];
    conv_lists(sp, p, w_sizes + 2, s, pl, d, op);
    out_sizes[0] = in_sizes[0];
    out_sizes[1] = transposed ? w_sizes[1] * p->groups : w_sizes[0];
    for (int i = 0; i < sp; i++) {
        int64_t k = w_sizes[2 + i], eff = d[i] * (k - 1);
        int64_t o;
        if (transposed) {
            o = (in_sizes[2 + i] - 1) * s[i] - 2 * pl[i] + eff + op[i] + 1;
        } else {
            int64_t pr = p->padding_kind == CLRS_CONV_PADDING_SAME ? eff - pl[i] : pl[i];
            int64_t padded = in_sizes[2 + i] + pl[i] + pr;
            o = padded < eff + 1 ? 0 : (padded - eff - 1) / s[i] + 1;
        }
        if (o < 1) return -1;
        out_sizes[2 + i] = o;
    }
    return 0;
}

/* input coordinate of x (may be outside [0, n)) under padding mode m; -1: zero */
static int64_t conv_map(int64_t x, int64_t n, clrs_conv_padding_mode m)
{
    if (x >= 0 && x < n) return x;
    switch (m) {
    case CLRS_CONV_PAD_REFLECT: return x < 0 ? -x : 2 * n - 2 - x;
    case CLRS_CONV_PAD_REPLICATE: return x < 0 ? 0 : n - 1;
    case CLRS_CONV_PAD_CIRCULAR: return x < 0 ? x + n : x - n;
    default: return -1;
    }
}

int ref_conv(int rank, const int64_t *in_sizes, const double *in, const int64_t *w_sizes, const double *w,
             const double *bias, const clrs_conv_params *p, int transposed, double *out)
{
    const int sp = rank - 2;
    int64_t os[CLRS_MAX_RANK];
    if (ref_conv_shape(rank, in_sizes, w_sizes, p, transposed, os) != 0) return -1;
    int64_t s[3], pl[3], d[3], op[3];
    conv_lists(sp, p, w_sizes + 2, s, pl, d, op);
    /* everything as 3 spatial axes */
    int64_t I[3] = {1, 1, 1}, K[3] = {1, 1, 1}, O[3] = {1, 1, 1}, S[3] = {1, 1, 1}, P[3] = {0, 0, 0}, D[3] = {1, 1, 1};
    for (int i = 0; i < sp; i++) {
        I[3 - sp + i] = in_sizes[2 + i];
        K[3 - sp + i] = w_sizes[2 + i];
        O[3 - sp + i] = os[2 + i];
        S[3 - sp + i] = s[i];
        P[3 - sp + i] = pl[i];
        D[3 - sp + i] = d[i];
    }
    const int64_t N = in_sizes[0], C = in_sizes[1], CO = os[1], G = p->groups;
    const int64_t cin_g = C / G, cout_g = CO / G;
    const int64_t ip = I[0] * I[1] * I[2], op3 = O[0] * O[1] * O[2], kp = K[0] * K[1] * K[2];
    for (int64_t n = 0; n < N; n++)
        for (int64_t co = 0; co < CO; co++)
            for (int64_t q = 0; q < op3; q++) out[(n * CO + co) * op3 + q] = bias ? bias[co] : 0.0;
    for (int64_t n = 0; n < N; n++)
        for (int64_t g = 0; g < G; g++)
            for (int64_t cil = 0; cil < cin_g; cil++) {
                const int64_t ci = g * cin_g + cil;
                for (int64_t col = 0; col < cout_g; col++) {
                    const int64_t co = g * cout_g + col;
                    const double *wk = transposed ? w + (ci * cout_g + col) * kp : w + (co * cin_g + cil) * kp;
                    for (int64_t kd = 0; kd < K[0]; kd++)
                        for (int64_t kh = 0; kh < K[1]; kh++)
                            for (int64_t kw = 0; kw < K[2]; kw++) {
                                const double wv = wk[(kd * K[1] + kh) * K[2] + kw];
                                if (!transposed) {
                                    for (int64_t od = 0; od < O[0]; od++)
                                        for (int64_t oh = 0; oh < O[1]; oh++)
                                            for (int64_t ow = 0; ow < O[2]; ow++) {
                                                int64_t id = conv_map(od * S[0] - P[0] + kd * D[0], I[0], p->padding_mode);
                                                int64_t ih = conv_map(oh * S[1] - P[1] + kh * D[1], I[1], p->padding_mode);
                                                int64_t iw = conv_map(ow * S[2] - P[2] + kw * D[2], I[2], p->padding_mode);
                                                if (id < 0 || ih < 0 || iw < 0) continue;
                                                out[(n * CO + co) * op3 + (od * O[1] + oh) * O[2] + ow] +=
                                                    in[(n * C + ci) * ip + (id * I[1] + ih) * I[2] + iw] * wv;
                                            }
                                } else {
                                    for (int64_t id = 0; id < I[0]; id++)
                                        for (int64_t ih = 0; ih < I[1]; ih++)
                                            for (int64_t iw = 0; iw < I[2]; iw++) {
                                                int64_t od = id * S[0] - P[0] + kd * D[0];
                                                int64_t oh = ih * S[1] - P[1] + kh * D[1];
                                                int64_t ow = iw * S[2] - P[2] + kw * D[2];
                                                if (od < 0 || od >= O[0] || oh < 0 || oh >= O[1] || ow < 0 ||
                                                    ow >= O[2])
                                                    continue;
                                                out[(n * CO + co) * op3 + (od * O[1] + oh) * O[2] + ow] +=
                                                    in[(n * C + ci) * ip + (id * I[1] + ih) * I[2] + iw] * wv;
                                            }
                                }
                            }
                }
            }
    return 0;
}
