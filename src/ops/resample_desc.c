/* SPDX-License-Identifier: MIT */
/* The general per-axis resampling description (clrs_rs_axis, ops.h) and
 * the tap tables built from it: coordinate transform x kernel x antialias
 * x out-of-range policy. The rules are ONNX Resize's (opsets 10..19) as
 * its reference implementation computes them (onnx/reference/ops/
 * op_resize.py, onnx 1.23): coordinates and weights in double, the window
 * of n taps chosen around the coordinate exactly as the reference's
 * vectorised _interpolate_1d_along_axis does (so an integral coordinate
 * takes the window that has it as its right-of-centre tap), out-of-range
 * taps clamped to the edge (its "edge" padding), antialiased windows
 * clamped too (not dropped and renormalised like PyTorch's). Used by
 * src/ops/onnx_resize.c. A description in PyTorch's arithmetic (the
 * PyTorch front-end's, interpolate.c) goes to interp_weights.c, whose bits
 * are matched to PyTorch's float maths. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "ops.h"

/* Python's math.isclose(a, b) with its default rel_tol 1e-9. */
static int isclose(double a, double b)
{
    double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    return a == b || fabs(a - b) <= 1e-9 * m;
}

int clrs__rs_axis_identity(const clrs_rs_axis *ax)
{
    if (ax->out != ax->in || !isclose(ax->scale, 1.0)) return 0;
    if (ax->coord == CLRS_RC_TF_CROP_AND_RESIZE && !(isclose(ax->roi0, 0.0) && isclose(ax->roi1, 1.0))) return 0;
    return 1;
}

/* The source coordinate of output o (op_resize.py _compute_x_ori, with the
 * same operation order); *outside for tf_crop_and_resize's range test. */
static double source_x(const clrs_rs_axis *ax, int64_t o, int *outside)
{
    const double y = (double)o, in = (double)ax->in, s = ax->scale;
    const double ow = s * in; /* output_width: fractional when a scale was given */
    double x;
    *outside = 0;
    switch (ax->coord) {
    case CLRS_RC_ALIGN_CORNERS:
        /* ONNX's reference and node tests: output_width = scale * in,
         * fractional when a scale was given (onnxruntime and the spec's
         * wording use the integer length: see README) */
        x = ow == 1.0 ? 0.0 : y * (in - 1.0) / (ow - 1.0);
        break;
    case CLRS_RC_ASYMMETRIC:
        x = y / s;
        break;
    case CLRS_RC_TF_CROP_AND_RESIZE:
        x = ow == 1.0 ? (ax->roi1 - ax->roi0) * (in - 1.0) / 2.0
                      : y * (ax->roi1 - ax->roi0) * (in - 1.0) / (ow - 1.0);
        x = x + ax->roi0 * (in - 1.0);
        *outside = x < 0.0 || x > in - 1.0;
        break;
    case CLRS_RC_PYTORCH_HALF_PIXEL:
        /* the reference: -0.5 where scale * in == 1 (onnxruntime and
         * the spec: 0 where the integer length is 1; the two differ for
         * cubic, and for any mode when scale * in is fractional) */
        x = ow == 1.0 ? -0.5 : (y + 0.5) / s - 0.5;
        break;
    case CLRS_RC_HALF_PIXEL_SYMMETRIC: {
        double adjustment = (double)ax->out / ow, center = in / 2.0, offset = center * (1.0 - adjustment);
        x = offset + (y + 0.5) / s - 0.5;
        break;
    }
    case CLRS_RC_TF_HALF_PIXEL_FOR_NN: /* opset 11 (onnxruntime's rule) */
        x = (y + 0.5) / s;
        break;
    case CLRS_RC_HALF_PIXEL:
    default:
        x = (y + 0.5) / s - 0.5;
        break;
    }
    return x;
}

/* compute_coeff of _cubic_coeffs_antialias (x <= 1 for the first piece) */
static double cubic_aa(double x, double A)
{
    x = fabs(x);
    double x2 = x * x, x3 = x * x2;
    if (x <= 1.0) return (A + 2.0) * x3 - (A + 3.0) * x2 + 1.0;
    if (x < 2.0) return A * x3 - 5.0 * A * x2 + 8.0 * A * x - 4.0 * A;
    return 0.0;
}

/* The coefficients for a fractional position `ratio` in (0, 1] (1 for an
 * integral coordinate), as the reference's get_coeffs; returns their
 * count (the window length, the same for every output of the axis). */
static int coeffs(const clrs_rs_axis *ax, double ratio, double *c, int max)
{
    const double A = ax->cubic_a;
    const int integral = ratio == 1.0;
    if (ax->kernel == CLRS_RK_NEAREST) {
        if (max < 2) return -1;
        int hi;
        if (integral) {
            hi = 1;
        } else {
            switch (ax->round) {
            case CLRS_RR_ROUND_PREFER_CEIL: hi = ratio >= 0.5; break;
            case CLRS_RR_FLOOR: hi = 0; break;
            case CLRS_RR_CEIL: hi = 1; break;
            default: hi = ratio > 0.5; break;
            }
        }
        c[0] = hi ? 0.0 : 1.0;
        c[1] = hi ? 1.0 : 0.0;
        return 2;
    }
    if (ax->kernel == CLRS_RK_LINEAR && !ax->antialias) {
        if (max < 2) return -1;
        c[0] = 1.0 - ratio;
        c[1] = ratio;
        return 2;
    }
    if (ax->kernel == CLRS_RK_CUBIC && !ax->antialias) {
        if (max < 4) return -1;
        double r1 = ratio + 1.0, q = 1.0 - ratio, q1 = q + 1.0;
        c[0] = ((A * r1 - 5.0 * A) * r1 + 8.0 * A) * r1 - 4.0 * A;
        c[1] = ((A + 2.0) * ratio - (A + 3.0)) * ratio * ratio + 1.0;
        c[2] = ((A + 2.0) * q - (A + 3.0)) * q * q + 1.0;
        c[3] = ((A * q1 - 5.0 * A) * q1 + 8.0 * A) * q1 - 4.0 * A;
        return 4;
    }
    /* antialias: the filter stretched by 1 / min(scale, 1) */
    const double s = ax->scale < 1.0 ? ax->scale : 1.0;
    double sum = 0.0;
    int n;
    if (ax->kernel == CLRS_RK_LINEAR) {
        int64_t start = (int64_t)(floor(-1.0 / s) + 1.0);
        int64_t fp = 2 - 2 * start;
        if (fp > max) return -1;
        n = (int)fp;
        for (int j = 0; j < n; j++) {
            double a = ((double)(start + j) - ratio) * s;
            double v = 1.0 - fabs(a);
            c[j] = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
        }
    } else {
        int64_t i0 = (int64_t)(floor(-2.0 / s) + 1.0), i1 = 2 - i0;
        if (i1 - i0 > max) return -1;
        n = (int)(i1 - i0);
        for (int j = 0; j < n; j++) c[j] = cubic_aa(s * ((double)(i0 + j) - ratio), A);
    }
    for (int j = 0; j < n; j++) sum += c[j];
    for (int j = 0; j < n; j++) c[j] /= sum;
    return n;
}

/* The window length of the axis (the same for every output). */
static int window_len(const clrs_rs_axis *ax)
{
    if (ax->kernel == CLRS_RK_NEAREST || (ax->kernel == CLRS_RK_LINEAR && !ax->antialias)) return 2;
    if (ax->kernel == CLRS_RK_CUBIC && !ax->antialias) return 4;
    const double s = ax->scale < 1.0 ? ax->scale : 1.0;
    double n = ax->kernel == CLRS_RK_LINEAR ? 2.0 - 2.0 * (floor(-1.0 / s) + 1.0)
                                            : 2.0 - 2.0 * (floor(-2.0 / s) + 1.0);
    return n > 1e7 ? -1 : (int)n;
}

clrs_status clrs__rs_axis_taps(const clrs_context *ctx, const clrs_rs_axis *ax, clrs_axis_taps *t,
                               unsigned char *outside)
{
    memset(t, 0, sizeof *t);
    const int64_t in = ax->in, out = ax->out;
    if (ax->arith == CLRS_RA_TORCH_CPU) {
        if (outside != NULL && out > 0) memset(outside, 0, (size_t)out);
        return clrs__torch_axis_taps(ctx, ax, t);
    }
    if (ax->kernel != CLRS_RK_NEAREST && ax->kernel != CLRS_RK_LINEAR && ax->kernel != CLRS_RK_CUBIC)
        return clrs__fail(ctx, CLRS_ERR_INTERNAL, "resampling kernel %d has no ONNX rule", (int)ax->kernel);
    if (in <= 0 || out < 0) return clrs__fail(ctx, CLRS_ERR_INTERNAL, "resampling axis %lld -> %lld", (long long)in, (long long)out);
    const int nearest = ax->kernel == CLRS_RK_NEAREST;
    const int n = window_len(ax);
    if (n <= 0)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "antialias at scale %g needs a window of over 10^7 taps", ax->scale);
    const int taps = nearest ? 1 : n;
    t->out = out;
    t->taps = taps;
    size_t cnt = (size_t)(out ? out : 1) * (size_t)taps;
    t->idx = malloc(cnt * sizeof *t->idx);
    t->w = malloc(cnt * sizeof *t->w);
    double *c = malloc((size_t)n * sizeof *c);
    if (t->idx == NULL || t->w == NULL || c == NULL) {
        free(c);
        clrs__axis_taps_free(t);
        return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "tap table of %lld x %d entries", (long long)out, taps);
    }
    const int64_t pad = (n + 1) / 2; /* ceil(n / 2) */
    for (int64_t o = 0; o < out; o++) {
        int oob;
        const double x = source_x(ax, o, &oob);
        if (outside != NULL) outside[o] = (unsigned char)(ax->oor == CLRS_OOR_CONSTANT && oob);
        if (nearest && ax->round == CLRS_RR_SIMPLE) {
            /* onnxruntime's opset-10 / Upsample nearest (asymmetric, x >= 0) */
            double v = ax->scale < 1.0 ? ceil(x) : trunc(x);
            int64_t i = v < 0.0 ? 0 : v > (double)(in - 1) ? in - 1 : (int64_t)v;
            t->idx[o] = i;
            t->w[o] = 1.0;
            continue;
        }
        const double fl = floor(x);
        const double ratio = x == fl ? 1.0 : x - fl;
        int got = coeffs(ax, ratio, c, n);
        if (got != n) {
            free(c);
            clrs__axis_taps_free(t);
            return clrs__fail(ctx, CLRS_ERR_INTERNAL, "window of %d taps, expected %d", got, n);
        }
        /* the reference's window: n taps nearest to x in edge-padded
         * coordinates, ties to the smaller index */
        const double xp = x + (double)pad, frac = xp - floor(xp);
        /* far outside [0, in) every tap clamps to the same edge: bound pp
         * (a whole number) there, as converting |x| >= 2^63 or NaN to an
         * integer is undefined (align_corners with scale * in near 1, tiny
         * scales, huge roi) */
        const double lim = (double)in + 2.0 * (double)n + 2.0;
        double pp = floor(xp);
        if (!(pp >= -lim)) pp = -lim;
        else if (pp > lim) pp = lim;
        int64_t off;
        if (n % 2 == 0)
            off = frac == 0.0 ? -(n / 2) : -(n / 2) + 1;
        else
            off = frac <= 0.5 ? -((n - 1) / 2) : -((n - 1) / 2) + 1;
        const int64_t start = (int64_t)pp + off - pad;
        if (ax->exclude_outside && !nearest) {
            double sum = 0.0;
            for (int j = 0; j < n; j++) {
                if (start + j < 0 || start + j >= in) c[j] = 0.0;
                sum += c[j];
            }
            if (sum == 0.0) sum = 1.0;
            for (int j = 0; j < n; j++) c[j] /= sum;
        }
        if (nearest) {
            int64_t i = start + (c[1] == 1.0 ? 1 : 0);
            t->idx[o] = i < 0 ? 0 : i > in - 1 ? in - 1 : i;
            t->w[o] = 1.0;
            continue;
        }
        for (int j = 0; j < n; j++) {
            int64_t i = start + j;
            t->idx[o * n + j] = i < 0 ? 0 : i > in - 1 ? in - 1 : i;
            t->w[o * n + j] = c[j];
        }
    }
    free(c);
    return CLRS_OK;
}
