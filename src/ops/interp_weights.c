/* SPDX-License-Identifier: MIT */
/* Per-axis tap tables of the resampling engine in PyTorch's arithmetic: the
 * table of a clrs_rs_axis description with arith CLRS_RA_TORCH_CPU (built
 * by the PyTorch front-end, interpolate.c: clrs__interp_axis): for every
 * output index along one spatial axis, the source index and weight of each
 * tap. Each kernel's rule follows PyTorch's CPU code (aten/src/ATen/native/UpSample.h
 * and cpu/UpSampleKernel.cpp): coordinates in the op's "opmath" type (float
 * for f32/f16/bf16, double for f64; 16-bit types keep float weights, as
 * PyTorch 2.x does), and for uint8 the int16 fixed-point weights of its
 * separable uint8 path. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "ops.h"

#define CLRS_PI 3.14159265358979323846

/* ---- filters ----------------------------------------------------------- */
static double filt_linear(double x)
{
    x = fabs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}
static double cubic1(double x, double A) { return ((A + 2) * x - (A + 3)) * x * x + 1; }
static double cubic2(double x, double A) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; }
static double filt_cubic(double x, double A)
{
    x = fabs(x);
    if (x < 1.0) return cubic1(x, A);
    if (x < 2.0) return cubic2(x, A);
    return 0.0;
}
static double filt_cubic_pil(double x) { return filt_cubic(x, -0.5); }
static double filt_cubic_keys(double x) { return filt_cubic(x, -0.75); }
static double sinc(double x)
{
    if (x == 0.0) return 1.0;
    x *= CLRS_PI;
    return sin(x) / x;
}
static double filt_lanczos(double x)
{
    x = fabs(x);
    return x < 3.0 ? sinc(x) * sinc(x / 3.0) : 0.0;
}
typedef double (*filter_fn)(double);

static filter_fn kernel_filter(clrs_rs_kernel k, int antialias, int *interp_size)
{
    if (k == CLRS_RK_CUBIC) {
        *interp_size = 4;
        return antialias ? filt_cubic_pil : filt_cubic_keys;
    }
    if (k == CLRS_RK_LANCZOS) {
        *interp_size = 6;
        return filt_lanczos;
    }
    *interp_size = 2;
    return filt_linear;
}

/* area_pixel_compute_scale<double> */
static double scale_d(int64_t in, int64_t out, int align, double s)
{
    if (align) return out > 1 ? (double)(in - 1) / (double)(out - 1) : 0.0;
    return s > 0.0 ? 1.0 / s : (double)in / (double)out;
}

/* ---- table storage ---------------------------------------------------- */
static clrs_status taps_alloc(const clrs_context *ctx, clrs_axis_taps *t, int64_t out, int taps)
{
    memset(t, 0, sizeof *t);
    t->out = out;
    t->taps = taps;
    size_t n = (size_t)out * (size_t)taps;
    t->idx = malloc((n ? n : 1) * sizeof *t->idx);
    t->w = malloc((n ? n : 1) * sizeof *t->w);
    if (t->idx == NULL || t->w == NULL) {
        clrs__axis_taps_free(t);
        return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "tap table of %lld x %d entries", (long long)out, taps);
    }
    for (size_t k = 0; k < n; k++) {
        t->idx[k] = -1;
        t->w[k] = 0.0;
    }
    return CLRS_OK;
}

/* Drop the trailing tap columns that no output uses (index -1 for every
 * output): antialias tables are sized ceil(support) * 2 + 1 while the
 * windows are shorter (x0.5 bilinear: 5 columns, 4 used). The kernels skip
 * a dropped tap, so the sums are the same, over fewer taps (W4 NCHW: 25
 * taps per output -> 16). */
static void taps_trim(clrs_axis_taps *t)
{
    int used = 1;
    for (int64_t o = 0; o < t->out; o++)
        for (int j = t->taps - 1; j >= used; j--)
            if (t->idx[o * t->taps + j] >= 0) {
                used = j + 1;
                break;
            }
    if (used == t->taps) return;
    for (int64_t o = 0; o < t->out; o++)
        for (int j = 0; j < used; j++) {
            t->idx[o * used + j] = t->idx[o * t->taps + j];
            t->w[o * used + j] = t->w[o * t->taps + j];
        }
    t->taps = used;
}

void clrs__axis_taps_free(clrs_axis_taps *t)
{
    free(t->idx);
    free(t->w);
    t->idx = NULL;
    t->w = NULL;
}

static clrs_status identity(const clrs_context *ctx, clrs_axis_taps *t, int64_t out)
{
    CLRS_FORWARD(taps_alloc(ctx, t, out, 1));
    for (int64_t o = 0; o < out; o++) {
        t->idx[o] = o;
        t->w[o] = 1.0;
    }
    t->identity = 1;
    return CLRS_OK;
}

/* PIL-style antialiased weights (HelperInterpBase::_compute_indices_min_size_weights_aa),
 * in double; returns the largest normalised weight. */
static double aa_row(int64_t o, int64_t in, double scale, double support, int maxn, filter_fn f, double *w,
                     int64_t *xmin, int64_t *xsize)
{
    double center = scale * ((double)o + 0.5);
    double invscale = scale >= 1.0 ? 1.0 / scale : 1.0;
    int64_t lo = (int64_t)(center - support + 0.5);
    int64_t hi = (int64_t)(center + support + 0.5);
    *xmin = lo > 0 ? lo : 0;
    int64_t n = (hi < in ? hi : in) - *xmin;
    *xsize = n < 0 ? 0 : n > maxn ? maxn : n;
    double total = 0.0, wmax = 0.0;
    for (int64_t j = 0; j < *xsize; j++) {
        w[j] = f(((double)(j + *xmin) - center + 0.5) * invscale);
        total += w[j];
    }
    if (total != 0.0)
        for (int64_t j = 0; j < *xsize; j++) {
            w[j] /= total;
            if (w[j] > wmax) wmax = w[j];
        }
    return wmax;
}

/* The same in float: PyTorch computes antialias weights in the op's
 * scalar type, and for float32 which taps get an exactly-zero weight (and
 * so turn an infinite input into NaN) depends on float rounding. */
static float filt_linear_f(float x)
{
    x = fabsf(x);
    return x < 1.0f ? 1.0f - x : 0.0f;
}
/* PyTorch's antialias cubic filter (aa_filter: cubic_convolution1/2) as
 * its x86 builds compile it, with the multiply-adds fused. Measured
 * against torch 2.15 with one-hot inputs (the weight tables of bicubic
 * antialias, every in 2..30 -> out 1..30: 13,485 rows): the unfused form
 * matched 2,384 rows bit for bit in f32 (f64: 2,446) and the zero pattern
 * (which decides NaN next to an infinity) in 13,359 (13,357); this form
 * with aa_row_f's argument rule: all 13,485 in f32 and f64. */
static float filt_cubic_pil_f(float x)
{
    const float A = -0.5f;
    x = fabsf(x);
    if (x < 1.0f) return fmaf(fmaf(A + 2.0f, x, -(A + 3.0f)) * x, x, 1.0f);
    if (x < 2.0f) return fmaf(fmaf(fmaf(A, x, -5.0f * A), x, 8.0f * A), x, -4.0f * A);
    return 0.0f;
}
static double filt_cubic_pil_fma(double x)
{
    const double A = -0.5;
    x = fabs(x);
    if (x < 1.0) return fma(fma(A + 2.0, x, -(A + 3.0)) * x, x, 1.0);
    if (x < 2.0) return fma(fma(fma(A, x, -5.0 * A), x, 8.0 * A), x, -4.0 * A);
    return 0.0;
}
static float sinc_f(float x)
{
    if (x == 0.0f) return 1.0f;
    x *= (float)CLRS_PI;
    return sinf(x) / x;
}
static float filt_lanczos_f(float x)
{
    x = fabsf(x);
    return x < 3.0f ? sinc_f(x) * sinc_f(x / 3.0f) : 0.0f;
}

static void aa_row_f(int64_t o, int64_t in, float scale, float support, int maxn, clrs_rs_kernel k, double *w,
                     float *wf, int64_t *xmin, int64_t *xsize)
{
    float center = scale * (float)((double)o + 0.5);
    float invscale = scale >= 1.0f ? 1.0f / scale : 1.0f;
    int64_t lo = (int64_t)((double)(center - support) + 0.5);
    int64_t hi = (int64_t)((double)(center + support) + 0.5);
    *xmin = lo > 0 ? lo : 0;
    int64_t n = (hi < in ? hi : in) - *xmin;
    *xsize = n < 0 ? 0 : n > maxn ? maxn : n;
    float total = 0.0f;
    int64_t cnt = *xsize;
    for (int64_t j = 0; j < cnt; j++) {
        /* PyTorch: (j + xmin - center + 0.5) * invscale, the int minus the
         * float in float, then + 0.5 (a double literal) and the product in
         * double, rounded to float once as the filter's argument */
        float x = (float)(((double)((float)(j + *xmin) - center) + 0.5) * (double)invscale);
        wf[j] = k == CLRS_RK_CUBIC ? filt_cubic_pil_f(x) : k == CLRS_RK_LANCZOS ? filt_lanczos_f(x) : filt_linear_f(x);
        total += wf[j];
    }
    for (int64_t j = 0; j < cnt; j++) w[j] = total != 0.0f ? (double)(wf[j] / total) : (double)wf[j];
}

/* HelperInterpBase::_compute_indices_min_size_weights (uint8, no antialias):
 * taps that fall outside the input are folded into the border taps. */
static double u8_row(int64_t o, int64_t in, double scale, int maxn, filter_fn f, int align, double *w,
                     int64_t *xmin, int64_t *xsize)
{
    int cubic = maxn > 2;
    double real = align ? scale * (double)o : scale * ((double)o + 0.5) - 0.5;
    if (!align && !cubic && real < 0.0) real = 0.0;
    int64_t ii = (int64_t)floorf((float)real);
    if (ii > in - 1) ii = in - 1;
    double lambda = real - (double)ii;
    lambda = lambda < 0.0 ? 0.0 : lambda > 1.0 ? 1.0 : lambda;
    int64_t support = (int64_t)(maxn * 0.5);
    int64_t umin = ii - support + 1, umax = ii + support + 1;
    *xmin = umin > 0 ? umin : 0;
    int64_t n = (umax < in ? umax : in) - *xmin;
    *xsize = n < 0 ? 0 : n > maxn ? maxn : n;
    int64_t wi = 0;
    double wmax = 0.0;
    for (int j = 0; j < maxn; j++) w[j] = 0.0;
    for (int64_t j = 0; j < maxn; j++) {
        double wj = f((double)(j + 1 - support) - lambda);
        if (umin + j <= 0)
            wi = 0;
        else if (umin + j >= in - 1)
            wi = *xsize - 1;
        if (wi >= 0 && wi < maxn) {
            w[wi] += wj;
            if (w[wi] > wmax) wmax = w[wi];
        }
        wi++;
    }
    return wmax;
}

/* uint8: _compute_index_ranges_int16_weights. Weights are stored as
 * integers (in t->w, exact) with t->prec fraction bits. */
static clrs_status u8_table(const clrs_context *ctx, const clrs_rs_axis *ax, int align, double sf, clrs_axis_taps *t)
{
    int64_t in = ax->in, out = ax->out;
    int isz;
    filter_fn f = kernel_filter(ax->kernel, ax->antialias, &isz);
    double scale = scale_d(in, out, align, sf);
    double support;
    int maxn;
    if (ax->antialias) {
        support = scale >= 1.0 ? isz * 0.5 * scale : isz * 0.5;
        maxn = (int)ceil(support) * 2 + 1;
    } else {
        support = isz * 0.5;
        maxn = isz;
    }
    CLRS_FORWARD(taps_alloc(ctx, t, out, maxn));
    double wmax = 0.0;
    double *row = malloc((size_t)maxn * sizeof *row);
    if (row == NULL) {
        clrs__axis_taps_free(t);
        return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "weights");
    }
    for (int64_t o = 0; o < out; o++) {
        int64_t xmin, xsize;
        for (int j = 0; j < maxn; j++) row[j] = 0.0;
        double m = ax->antialias ? aa_row(o, in, scale, support, maxn, f, row, &xmin, &xsize)
                                 : u8_row(o, in, scale, maxn, f, align, row, &xmin, &xsize);
        if (m > wmax) wmax = m;
        for (int64_t j = 0; j < maxn; j++) {
            t->w[o * maxn + j] = row[j];
            t->idx[o * maxn + j] = j < xsize ? xmin + j : -1;
        }
    }
    free(row);
    int prec;
    for (prec = 0; prec < 22; prec++)
        if ((int)(0.5 + wmax * (double)(1 << (prec + 1))) >= (1 << 15)) break;
    t->prec = prec;
    for (int64_t k = 0; k < out * maxn; k++) {
        double v = t->w[k] * (double)(1 << prec);
        t->w[k] = (double)(int16_t)(v < 0 ? (int)(-0.5 + v) : (int)(0.5 + v));
    }
    return CLRS_OK;
}

/* Float source coordinate as PyTorch's area_pixel_compute_source_index in
 * opmath (float unless f64). Whether the multiply-subtract is fused depends
 * on which PyTorch kernel runs (measured with torch 2.15 on x86: the 2-D
 * bilinear kernel fuses it for 32- and 16-bit floats; linear, trilinear and
 * bicubic round the product first for them; every f64 kernel fuses it). It
 * decides whether a tap gets an exactly zero weight, hence NaN or inf next
 * to an infinity. The f64 rule (with the index taken by floorf, below) was
 * measured with one infinite input at every position: 1-D linear, every
 * (in, out) in 1..29: 12,615 of 12,615 outputs as PyTorch (rounding the
 * product with double floor: 12,597); bilinear (2, in) -> (3, out), in
 * 2..21, out 1..21: 4,830 of 4,830 (4,823); bicubic 4,828 of 4,830 (4,814).
 * `fused` picks the form (for f64 too). torch's backward kernels
 * (tests/golden/backward_interp.txt): every linear mode fuses it, f32 and
 * f64; bicubic rounds the product, f64 included. clrs__interp_axis sets
 * the description's fused_coord by these rules. */
static double source_coord(int f64, double scale, int64_t o, int align, int cubic, int fused)
{
    if (f64) {
        double r = align ? scale * (double)o : fused ? fma(scale, (double)o + 0.5, -0.5) : scale * ((double)o + 0.5) - 0.5;
        return (!cubic && r < 0.0) ? 0.0 : r;
    }
    float s = (float)scale, r;
    if (align) {
        r = s * (float)o;
    } else if (fused) {
        r = fmaf(s, (float)o + 0.5f, -0.5f);
    } else {
        volatile float prod = s * ((float)o + 0.5f);
        r = prod - 0.5f;
    }
    return (!cubic && r < 0.0f) ? 0.0 : (double)r;
}

static double opmath_scale(int f64, int64_t in, int64_t out, int align, double s)
{
    if (f64) return scale_d(in, out, align, s);
    if (align) return out > 1 ? (double)((float)(in - 1) / (float)(out - 1)) : 0.0;
    return s > 0.0 ? (double)(float)(1.0 / s) : (double)((float)in / (float)out);
}

clrs_status clrs__torch_axis_taps(const clrs_context *ctx, const clrs_rs_axis *ax, clrs_axis_taps *t)
{
    const int64_t in = ax->in, out = ax->out;
    const clrs_rs_kernel k = ax->kernel;
    const int f64 = ax->f64, align = ax->coord == CLRS_RC_ALIGN_CORNERS;
    const double sf = ax->scale_given ? ax->scale : -1.0; /* F.interpolate's scale_factor, -1: none */
    memset(t, 0, sizeof *t);
    /* the descriptions clrs__interp_axis builds, and no other */
    const int nearest = k == CLRS_RK_NEAREST;
    if (in <= 0 || out < 0 ||
        (nearest ? ax->coord != CLRS_RC_ASYMMETRIC && ax->coord != CLRS_RC_HALF_PIXEL
                 : ax->coord != CLRS_RC_ALIGN_CORNERS && ax->coord != CLRS_RC_HALF_PIXEL) ||
        (k == CLRS_RK_CUBIC && ax->cubic_a != (ax->antialias ? -0.5 : -0.75)) || ax->exclude_outside ||
        ax->oor != CLRS_OOR_CLAMP)
        return clrs__fail(ctx, CLRS_ERR_INTERNAL, "no PyTorch tap rule for this resampling description (kernel %d, coordinate %d)",
                          (int)k, (int)ax->coord);
    if (nearest) {
        CLRS_FORWARD(taps_alloc(ctx, t, out, 1));
        for (int64_t o = 0; o < out; o++) {
            t->idx[o] = clrs__nearest_index(ax->coord == CLRS_RC_HALF_PIXEL, ax->nearest_idx_rule, f64, o, in, out, sf);
            t->w[o] = 1.0;
        }
        return CLRS_OK;
    }
    if (ax->fixed) {
        if (out == in) return identity(ctx, t, out); /* PyTorch skips unchanged axes */
        CLRS_FORWARD(u8_table(ctx, ax, align, sf, t));
        taps_trim(t);
        return CLRS_OK;
    }
    if (k == CLRS_RK_AREA) {
        /* adaptive average pooling windows: floor(o*in/out) .. ceil((o+1)*in/out) */
        int maxn = 1;
        for (int64_t o = 0; o < out; o++) {
            int64_t st = (o / out) * in + ((o % out) * in) / out, en = 1 + ((o + 1) * in - 1) / out;
            if (en - st > maxn) maxn = (int)(en - st);
        }
        if (out == in) return identity(ctx, t, out);
        CLRS_FORWARD(taps_alloc(ctx, t, out, maxn));
        for (int64_t o = 0; o < out; o++) {
            int64_t st = (o / out) * in + ((o % out) * in) / out, en = 1 + ((o + 1) * in - 1) / out;
            for (int64_t j = st; j < en; j++) {
                t->idx[o * maxn + (j - st)] = j;
                t->w[o * maxn + (j - st)] = 1.0 / (double)(en - st);
            }
        }
        return CLRS_OK;
    }
    if (ax->antialias) {
        if (out == in && !ax->aa_unchanged) return identity(ctx, t, out);
        int isz;
        filter_fn f = kernel_filter(k, 1, &isz);
        if (k == CLRS_RK_CUBIC) f = filt_cubic_pil_fma; /* (f64; f32 uses filt_cubic_pil_f) */
        double scale = f64 ? scale_d(in, out, align, sf) : opmath_scale(0, in, out, align, sf);
        double support = scale >= 1.0 ? isz * 0.5 * scale : isz * 0.5;
        if (!f64) support = scale >= 1.0 ? (double)((float)isz * 0.5f * (float)scale) : isz * 0.5;
        int maxn = (int)ceil(support) * 2 + 1;
        CLRS_FORWARD(taps_alloc(ctx, t, out, maxn));
        float *scratch = malloc((size_t)maxn * sizeof *scratch);
        if (scratch == NULL) {
            clrs__axis_taps_free(t);
            return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "antialias weights");
        }
        for (int64_t o = 0; o < out; o++) {
            int64_t xmin, xsize;
            if (f64)
                aa_row(o, in, scale, support, maxn, f, t->w + o * maxn, &xmin, &xsize);
            else
                aa_row_f(o, in, (float)scale, (float)support, maxn, k, t->w + o * maxn, scratch, &xmin, &xsize);
            for (int64_t j = 0; j < maxn; j++) {
                if (j < xsize)
                    t->idx[o * maxn + j] = xmin + j;
                else
                    t->w[o * maxn + j] = 0.0;
            }
        }
        free(scratch);
        taps_trim(t);
        return CLRS_OK;
    }
    if (k == CLRS_RK_LINEAR) {
        /* compute_source_index_and_lambda: out == in gives taps (o, o) with
         * weights (1, 0) whatever the scale; the zero-weight tap still
         * multiplies, so an infinite input gives NaN there, as in PyTorch */
        double scale = opmath_scale(f64, in, out, align, sf);
        CLRS_FORWARD(taps_alloc(ctx, t, out, 2));
        for (int64_t o = 0; o < out; o++) {
            if (out == in) {
                t->idx[2 * o] = t->idx[2 * o + 1] = o;
                t->w[2 * o] = 1.0;
                t->w[2 * o + 1] = 0.0;
                continue;
            }
            double real = source_coord(f64, scale, o, align, 0, ax->fused_coord);
            /* floorf even for f64, as PyTorch's compute_source_index_and_lambda:
             * 5.999999999999999 reads pixel 6 with lambda 0, not pixel 5 */
            int64_t i0 = (int64_t)floorf((float)real);
            if (i0 > in - 1) i0 = in - 1;
            double l1 = f64 ? real - (double)i0 : (double)((float)real - (float)i0);
            l1 = l1 < 0.0 ? 0.0 : l1 > 1.0 ? 1.0 : l1;
            double l0 = f64 ? 1.0 - l1 : (double)(1.0f - (float)l1);
            t->idx[2 * o] = i0;
            t->idx[2 * o + 1] = i0 + (i0 < in - 1 ? 1 : 0);
            t->w[2 * o] = l0;
            t->w[2 * o + 1] = l1;
        }
        return CLRS_OK;
    }
    if (k == CLRS_RK_CUBIC) {
        double scale = opmath_scale(f64, in, out, align, sf);
        CLRS_FORWARD(taps_alloc(ctx, t, out, 4));
        for (int64_t o = 0; o < out; o++) {
            double real = source_coord(f64, scale, o, align, 1, ax->fused_coord);
            /* PyTorch's guard_index_and_lambda: floorf (also for f64), the
             * index at most in - 1, the fraction clamped to [0, 1] */
            int64_t ix = (int64_t)floorf((float)real);
            if (ix > in - 1) ix = in - 1;
            double tt = f64 ? real - (double)ix : (double)((float)real - (float)ix);
            if (f64) tt = tt < 0.0 ? 0.0 : tt > 1.0 ? 1.0 : tt;
            double cf[4];
            if (f64) {
                cf[0] = cubic2(tt + 1.0, -0.75);
                cf[1] = cubic1(tt, -0.75);
                cf[2] = cubic1(1.0 - tt, -0.75);
                cf[3] = cubic2(1.0 - tt + 1.0, -0.75);
            } else {
                float x1 = (float)tt, x2 = 1.0f - x1, A = -0.75f;
                cf[0] = ((A * (x1 + 1.0f) - 5.0f * A) * (x1 + 1.0f) + 8.0f * A) * (x1 + 1.0f) - 4.0f * A;
                cf[1] = ((A + 2.0f) * x1 - (A + 3.0f)) * x1 * x1 + 1.0f;
                cf[2] = ((A + 2.0f) * x2 - (A + 3.0f)) * x2 * x2 + 1.0f;
                cf[3] = ((A * (x2 + 1.0f) - 5.0f * A) * (x2 + 1.0f) + 8.0f * A) * (x2 + 1.0f) - 4.0f * A;
            }
            for (int j = 0; j < 4; j++) {
                int64_t i = ix - 1 + j;
                t->idx[4 * o + j] = i < 0 ? 0 : i > in - 1 ? in - 1 : i;
                t->w[4 * o + j] = cf[j];
            }
        }
        return CLRS_OK;
    }
    return clrs__fail(ctx, CLRS_ERR_INTERNAL, "no PyTorch tap rule for kernel %d", (int)k);
}
