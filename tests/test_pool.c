/* SPDX-License-Identifier: MIT */
/* Pooling, max unpooling and pixel shuffle: golden vectors from real PyTorch
 * (tests/golden/pool.txt, unpool.txt, shuffle.txt) in three layouts, random
 * cases against the C reference (tests/ref), the fast paths (global pooling,
 * whole windows), the documented tie / duplicate / seed rules, 64-bit
 * indices, the cl_mem calls and the error cases. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clresample/cl_interop.h"
#include "golden_io.h"
#include "npy.h"
#include "ref/ref.h"
#include "testutil.h"

/* ---- comparisons ----------------------------------------------------------- */
/* Error in units in the last place of a 16-bit float type at ref. */
static double ulps16(clrs_dtype dt, double got, double ref)
{
    int mant = dt == CLRS_F16 ? 10 : 7;
    double tiny = dt == CLRS_F16 ? 6.103515625e-05 : 1.1754943508222875e-38;
    return fabs(got - ref) / ldexp(1.0, (int)floor(log2(fmax(fabs(ref), tiny))) - mant);
}

/* |got - ref| within `ulps` units in the last place of the 16-bit type, or
 * the f32 / f64 rule of the README; NaN where NaN, infinities exact. */
static int close_enough(clrs_dtype dt, double got, double ref, double ulps)
{
    if (isnan(ref)) return isnan(got);
    if (isinf(ref)) return got == ref;
    double err = fabs(got - ref);
    switch (dt) {
    case CLRS_F32: return err <= 2e-5 * (1 + fabs(ref));
    case CLRS_F64: return err <= 1e-10 * (1 + fabs(ref));
    case CLRS_F16: return err <= ulps * ldexp(1.0, (int)floor(log2(fmax(fabs(ref), 6.1e-5))) - 10) * 1.0001;
    case CLRS_BF16: return err <= ulps * ldexp(1.0, (int)floor(log2(fmax(fabs(ref), 1e-38))) - 7) * 1.0001;
    default: return err == 0;
    }
}

static int64_t numel_of(int rank, const int64_t *s)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= s[i];
    return n;
}

/* A manifest list with `none` (Python None) allowed; returns the count (up to
 * max entries are stored, the count may be larger). */
static int get_list(const tu_case *c, const char *key, int64_t *v, int max, int *had_minus_one)
{
    const char *s = tu_get_str(c, key);
    int n = 0;
    while (s && *s) {
        int64_t x;
        char *end;
        if (strncmp(s, "none", 4) == 0) {
            x = CLRS_UNSET;
            end = (char *)s + 4;
        } else {
            x = strtoll(s, &end, 10);
            /* CLRS_UNSET (-1) means None in the C API: torch's literal -1 is
             * passed as -2, which must fail the same way ("must be >= 0"). */
            if (x == -1 && had_minus_one) {
                x = -2;
                *had_minus_one = 1;
            }
        }
        if (n < max) v[n] = x;
        n++;
        s = (*end == ',') ? end + 1 : NULL;
    }
    return n;
}

static void set_list(int *n_out, int64_t *dst, int n, const int64_t *v)
{
    *n_out = n;
    for (int i = 0; i < n && i < 3; i++) dst[i] = v[i];
}

static int kind_from_op(const char *op, clrs_pool_kind *k)
{
    static const struct { const char *n; clrs_pool_kind k; } m[] = {
        {"max_pool", CLRS_POOL_MAX},
        {"avg_pool", CLRS_POOL_AVG},
        {"lp_pool", CLRS_POOL_LP},
        {"adaptive_avg_pool", CLRS_POOL_ADAPTIVE_AVG},
        {"adaptive_max_pool", CLRS_POOL_ADAPTIVE_MAX},
        {"fractional_max_pool", CLRS_POOL_FRACTIONAL_MAX}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(op, m[i].n) == 0) {
            *k = m[i].k;
            return 1;
        }
    return 0;
}

/* Pool parameters of a manifest line; returns 0 when the case cannot be
 * expressed in the C API (torch's divisor_override=0: our 0 means None). */
static int pool_params_from_case(const tu_case *c, clrs_pool_params *p, int *remapped)
{
    clrs_pool_kind kind;
    ck_assert_msg(kind_from_op(tu_get_str(c, "op"), &kind), "unknown op %s", tu_get_str(c, "op"));
    clrs_pool_params_init(p, kind);
    int64_t v[8];
    int n;
    n = get_list(c, "kernel", v, 8, NULL);
    set_list(&p->n_kernel, p->kernel, n, v);
    n = get_list(c, "stride", v, 8, NULL);
    set_list(&p->n_stride, p->stride, n, v);
    n = get_list(c, "padding", v, 8, NULL);
    set_list(&p->n_padding, p->padding, n, v);
    n = get_list(c, "dilation", v, 8, NULL);
    set_list(&p->n_dilation, p->dilation, n, v);
    p->ceil_mode = tu_get_int(c, "ceil_mode", 0);
    p->count_include_pad = tu_get_int(c, "count_include_pad", 1);
    const char *dv = tu_get_str(c, "divisor_override");
    if (dv != NULL) {
        p->divisor_override = strtoll(dv, NULL, 10);
        if (p->divisor_override == 0) return 0;
    }
    double d[4];
    if (tu_get_doubles(c, "norm_type", d, 1) == 1) p->norm_type = d[0];
    n = get_list(c, "output_size", v, 8, remapped);
    set_list(&p->n_output_size, p->output_size, n, v);
    n = tu_get_doubles(c, "output_ratio", d, 4);
    p->n_output_ratio = n;
    for (int i = 0; i < n && i < 3; i++) p->output_ratio[i] = d[i];
    return 1;
}

/* torch's adaptive_avg_pool3d on f16/bf16 accumulates in the 16-bit type
 * (each partial sum rounded: error <= eps * |partial| <= eps * n * max|x|,
 * n additions, then / n), we accumulate in float and round once. Bound for
 * output element o: 1 ulp + n * eps * max|x| over its window (eps = 2^-11
 * for f16, 2^-8 for bf16). */
static double aavg3d16_bound(clrs_dtype dt, const npy_array *in, const int64_t *osz, int64_t o, double ref)
{
    int64_t r = o, ov[5];
    for (int i = 4; i >= 0; i--) {
        ov[i] = r % osz[i];
        r /= osz[i];
    }
    int64_t st[3], en[3];
    for (int a = 0; a < 3; a++) {
        int64_t isz = in->shape[2 + a], os = osz[2 + a];
        st[a] = (ov[2 + a] * isz) / os;
        en[a] = ((ov[2 + a] + 1) * isz + os - 1) / os;
    }
    double mx = 0;
    int64_t n = 0;
    for (int64_t d = st[0]; d < en[0]; d++)
        for (int64_t h = st[1]; h < en[1]; h++)
            for (int64_t w = st[2]; w < en[2]; w++) {
                int64_t li = (((ov[0] * in->shape[1] + ov[1]) * in->shape[2] + d) * in->shape[3] + h) * in->shape[4] + w;
                mx = fmax(mx, fabs(tu_get(dt, in->data, li)));
                n++;
            }
    double eps = dt == CLRS_F16 ? ldexp(1.0, -11) : ldexp(1.0, -8);
    int mant = dt == CLRS_F16 ? 10 : 7;
    double tiny = dt == CLRS_F16 ? 6.103515625e-05 : 1.1754943508222875e-38;
    return ldexp(1.0, (int)floor(log2(fmax(fabs(ref), tiny))) - mant) + (double)n * eps * mx;
}

static int is_exact_case(const clrs_pool_params *p, clrs_dtype dt)
{
    return dt == CLRS_U8 || p->kind == CLRS_POOL_MAX || p->kind == CLRS_POOL_ADAPTIVE_MAX ||
           p->kind == CLRS_POOL_FRACTIONAL_MAX || (p->kind == CLRS_POOL_LP && isinf(p->norm_type));
}

/* The golden dtype (bf16 arrays are stored as raw <u2). */
static void check_golden_dtype(const npy_array *a, clrs_dtype dt, const char *id)
{
    ck_assert_msg(clrs_dtype_size(a->dtype) == clrs_dtype_size(dt), "%s: golden array dtype %s vs case dtype %s", id,
                  clrs_dtype_name(a->dtype), clrs_dtype_name(dt));
}

/* ---- golden: pooling -------------------------------------------------------- */
START_TEST(test_golden_pool)
{
    clrs_context *ctx = tu_context();
    tu_case *cases = NULL;
    int n = tu_golden_cases("pool.txt", 1001, &cases);
    int ran = 0, bitexact = 0, errors_checked = 0, remapped_errors = 0, not_expressible = 0, layout_runs = 0;
    int exact_cases = 0, tol_cases = 0, tol_identical = 0;
    double max_lp16 = 0, max_aavg3d16 = 0, max_other16 = 0;
    for (int ci = 0; ci < n; ci++) {
        tu_progress("test_golden_pool", ci, n, "cases");
        const tu_case *c = &cases[ci];
        const char *id = tu_get_str(c, "id");
        clrs_pool_params p;
        int remapped = 0;
        clrs_dtype dt = tu_dtype_from_name(tu_get_str(c, "dtype"));
        if (!pool_params_from_case(c, &p, &remapped)) {
            ck_assert_msg(tu_get_str(c, "error") != NULL, "%s: only torch error cases may be inexpressible", id);
            not_expressible++;
            continue;
        }
        npy_array in, samples = {0};
        ck_assert_msg(tu_load_golden(tu_get_str(c, "in"), &in) == 0, "%s: input", id);
        check_golden_dtype(&in, dt, id);
        if (tu_get_str(c, "samples") != NULL) {
            ck_assert_msg(tu_load_golden(tu_get_str(c, "samples"), &samples) == 0, "%s: samples", id);
            p.samples = samples.data;
            p.samples_dtype = samples.dtype;
        }
        clrs_tensor_desc ind;
        ck_assert_int_eq(clrs_tensor_desc_contiguous(&ind, dt, in.ndim, in.shape), CLRS_OK);
        int64_t osz[CLRS_MAX_RANK];
        clrs_status st = clrs_pool_output_shape(ctx, &ind, &p, osz);
        if (tu_get_str(c, "error") != NULL) {
            ck_assert_msg(st != CLRS_OK, "%s: torch raised '%s' but clrs accepted it", id, tu_get_str(c, "error"));
            ck_assert_msg(strlen(clrs_last_error(ctx)) > 0, "%s: no error detail", id);
            errors_checked++;
            remapped_errors += remapped;
            npy_free(&in);
            npy_free(&samples);
            continue;
        }
        ck_assert_msg(st == CLRS_OK, "%s: output_shape failed: %s", id, clrs_last_error(ctx));
        npy_array ref, ridx = {0};
        ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &ref) == 0, "%s: output", id);
        check_golden_dtype(&ref, dt, id);
        ck_assert_int_eq(ref.ndim, in.ndim);
        for (int i = 0; i < ref.ndim; i++)
            ck_assert_msg(ref.shape[i] == osz[i], "%s: shape dim %d: %lld vs torch %lld", id, i, (long long)osz[i],
                          (long long)ref.shape[i]);
        const int want_idx = tu_get_str(c, "indices") != NULL;
        if (want_idx) ck_assert_msg(tu_load_golden(tu_get_str(c, "indices"), &ridx) == 0, "%s: indices", id);
        const int64_t numel = numel_of(ref.ndim, ref.shape);
        const size_t es = clrs_dtype_size(dt);
        const int exact = is_exact_case(&p, dt);
        /* f16/bf16: 1 ulp of torch's value (also for lp_pool, whose
         * composite torch rounds step by step), except adaptive_avg_pool3d
         * (see aavg3d16_bound) */
        const double ulps = 1.0;
        const int aavg3d16 = p.kind == CLRS_POOL_ADAPTIVE_AVG && in.ndim == 5 && (dt == CLRS_F16 || dt == CLRS_BF16);
        int identical = 1;
        for (int l = 0; l < TU_NLAYOUTS; l++) {
            tu_tensor ti, to, tx;
            tu_alloc(&ti, dt, in.ndim, in.shape, (tu_layout)l, 0x5a);
            tu_alloc(&to, dt, in.ndim, osz, (tu_layout)l, 0xab);
            tu_alloc(&tx, CLRS_I64, in.ndim, osz, (tu_layout)l, 0xcd);
            tu_store(&ti, in.data);
            st = clrs_pool(ctx, &p, &ti.desc, ti.base, &to.desc, to.base, want_idx ? &tx.desc : NULL,
                           want_idx ? tx.base : NULL);
            ck_assert_msg(st == CLRS_OK, "%s (%s): %s: %s", id, tu_layout_name((tu_layout)l), clrs_strerror(st),
                          clrs_last_error(ctx));
            unsigned char *got = malloc((size_t)numel * es + 1);
            tu_load(&to, got);
            if (memcmp(got, ref.data, (size_t)numel * es) != 0) identical = 0;
            if (exact) {
                ck_assert_msg(memcmp(got, ref.data, (size_t)numel * es) == 0, "%s (%s): not bit-exact with torch", id,
                              tu_layout_name((tu_layout)l));
            } else {
                for (int64_t i = 0; i < numel; i++) {
                    double g = tu_get(dt, got, i), r = tu_get(dt, ref.data, i);
                    if (aavg3d16 && isfinite(r))
                        ck_assert_msg(fabs(g - r) <= aavg3d16_bound(dt, &in, osz, i, r),
                                      "%s (%s): element %lld: %.9g vs torch %.9g (bound %g)", id,
                                      tu_layout_name((tu_layout)l), (long long)i, g, r, aavg3d16_bound(dt, &in, osz, i, r));
                    else
                        ck_assert_msg(close_enough(dt, g, r, ulps), "%s (%s): element %lld: %.9g vs torch %.9g", id,
                                      tu_layout_name((tu_layout)l), (long long)i, g, r);
                    if ((dt == CLRS_F16 || dt == CLRS_BF16) && isfinite(r)) {
                        double u = ulps16(dt, g, r);
                        double *mx = p.kind == CLRS_POOL_LP ? &max_lp16 : (p.kind == CLRS_POOL_ADAPTIVE_AVG && in.ndim == 5) ? &max_aavg3d16 : &max_other16;
                        if (u > *mx) *mx = u;
                    }
                }
            }
            if (want_idx) {
                int64_t *gi = malloc((size_t)numel * 8 + 1);
                tu_load(&tx, gi);
                ck_assert_msg(memcmp(gi, ridx.data, (size_t)numel * 8) == 0, "%s (%s): indices differ from torch", id,
                              tu_layout_name((tu_layout)l));
                free(gi);
            }
            free(got);
            tu_free(&ti);
            tu_free(&to);
            tu_free(&tx);
            layout_runs++;
        }
        ran++;
        if (identical) bitexact++;
        if (exact)
            exact_cases++;
        else {
            tol_cases++;
            tol_identical += identical;
        }
        npy_free(&ref);
        npy_free(&ridx);
        npy_free(&in);
        npy_free(&samples);
    }
    tu_progress("test_golden_pool", n, n, "cases");
    fprintf(stderr,
            "# pool golden: %d cases run (%d layout runs): %d must be bit-exact (all are), %d within tolerance (%d of "
            "them bit-identical too); %d bit-identical in all; %d torch errors reproduced (%d with output_size -1 "
            "passed as -2), %d not expressible (divisor_override=0)\n",
            ran, layout_runs, exact_cases, tol_cases, tol_identical, bitexact, errors_checked, remapped_errors,
            not_expressible);
    fprintf(stderr, "# pool golden f16/bf16 max error vs torch: %.2f ulp (avg, adaptive 1-D/2-D), %.2f ulp (lp_pool), "
                    "%.2f ulp (adaptive_avg 3-D, where torch sums in 16 bits)\n",
            max_other16, max_lp16, max_aavg3d16);
    ck_assert_int_gt(ran, 900);
    free(cases);
}
END_TEST

/* ---- golden: unpool ----------------------------------------------------------- */
START_TEST(test_golden_unpool)
{
    clrs_context *ctx = tu_context();
    tu_case *cases = NULL;
    int n = tu_golden_cases("unpool.txt", 91, &cases);
    int ran = 0, errors_checked = 0, index_errors = 0;
    for (int ci = 0; ci < n; ci++) {
        tu_progress("test_golden_unpool", ci, n, "cases");
        const tu_case *c = &cases[ci];
        const char *id = tu_get_str(c, "id");
        clrs_dtype dt = tu_dtype_from_name(tu_get_str(c, "dtype"));
        clrs_unpool_params p;
        clrs_unpool_params_init(&p);
        int64_t v[8];
        int k = get_list(c, "kernel", v, 8, NULL);
        set_list(&p.n_kernel, p.kernel, k, v);
        k = get_list(c, "stride", v, 8, NULL);
        set_list(&p.n_stride, p.stride, k, v);
        k = get_list(c, "padding", v, 8, NULL);
        set_list(&p.n_padding, p.padding, k, v);
        k = get_list(c, "output_size", v, 8, NULL);
        set_list(&p.n_output_size, p.output_size, k, v);
        npy_array in, idx;
        ck_assert_msg(tu_load_golden(tu_get_str(c, "in"), &in) == 0, "%s: input", id);
        ck_assert_msg(tu_load_golden(tu_get_str(c, "indices_in"), &idx) == 0, "%s: indices", id);
        check_golden_dtype(&in, dt, id);
        clrs_tensor_desc ind;
        ck_assert_int_eq(clrs_tensor_desc_contiguous(&ind, dt, in.ndim, in.shape), CLRS_OK);
        int64_t osz[CLRS_MAX_RANK];
        clrs_status st = clrs_max_unpool_output_shape(ctx, &ind, &p, osz);
        const char *err = tu_get_str(c, "error");
        if (err != NULL && st != CLRS_OK) {
            ck_assert_msg(strlen(clrs_last_error(ctx)) > 0, "%s: no error detail", id);
            errors_checked++;
            npy_free(&in);
            npy_free(&idx);
            continue;
        }
        ck_assert_msg(st == CLRS_OK, "%s: output_shape failed: %s", id, clrs_last_error(ctx));
        npy_array ref = {0};
        if (err == NULL) ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &ref) == 0, "%s: output", id);
        const int64_t numel = numel_of(in.ndim, osz);
        const size_t es = clrs_dtype_size(dt);
        for (int l = 0; l < TU_NLAYOUTS; l++) {
            tu_tensor ti, tx, to;
            tu_alloc(&ti, dt, in.ndim, in.shape, (tu_layout)l, 0x5a);
            tu_alloc(&tx, CLRS_I64, idx.ndim, idx.shape, (tu_layout)l, 0x77);
            tu_alloc(&to, dt, in.ndim, osz, (tu_layout)l, 0xab);
            tu_store(&ti, in.data);
            tu_store(&tx, idx.data);
            st = clrs_max_unpool(ctx, &p, &ti.desc, ti.base, &tx.desc, tx.base, &to.desc, to.base);
            if (err != NULL) {
                ck_assert_msg(st != CLRS_OK, "%s (%s): torch raised '%s' but clrs accepted it", id,
                              tu_layout_name((tu_layout)l), err);
                if (strstr(err, "invalid_max_index") != NULL) {
                    ck_assert_int_eq(st, CLRS_ERR_INDEX_OUT_OF_RANGE);
                    /* the message names the offending index */
                    const char *bad = strstr(err, "index:_") + 7;
                    char num[32];
                    size_t m = strcspn(bad, "_");
                    snprintf(num, sizeof num, "%.*s", (int)m, bad);
                    ck_assert_msg(strstr(clrs_last_error(ctx), num) != NULL, "%s: '%s' does not name index %s", id,
                                  clrs_last_error(ctx), num);
                    if (l == 0) index_errors++;
                }
            } else {
                ck_assert_msg(st == CLRS_OK, "%s (%s): %s", id, tu_layout_name((tu_layout)l), clrs_last_error(ctx));
                unsigned char *got = malloc((size_t)numel * es + 1);
                tu_load(&to, got);
                ck_assert_msg(memcmp(got, ref.data, (size_t)numel * es) == 0, "%s (%s): not bit-exact with torch", id,
                              tu_layout_name((tu_layout)l));
                free(got);
            }
            tu_free(&ti);
            tu_free(&tx);
            tu_free(&to);
        }
        if (err != NULL)
            errors_checked++;
        else
            ran++;
        npy_free(&ref);
        npy_free(&in);
        npy_free(&idx);
    }
    tu_progress("test_golden_unpool", n, n, "cases");
    fprintf(stderr, "# unpool golden: %d cases bit-exact in 3 layouts, %d torch errors reproduced (%d invalid indices)\n",
            ran, errors_checked, index_errors);
    ck_assert_int_gt(ran, 70);
    free(cases);
}
END_TEST

/* ---- golden: shuffle ---------------------------------------------------------- */
START_TEST(test_golden_shuffle)
{
    clrs_context *ctx = tu_context();
    tu_case *cases = NULL;
    int n = tu_golden_cases("shuffle.txt", 61, &cases);
    int ran = 0, errors_checked = 0;
    for (int ci = 0; ci < n; ci++) {
        tu_progress("test_golden_shuffle", ci, n, "cases");
        const tu_case *c = &cases[ci];
        const char *id = tu_get_str(c, "id");
        clrs_dtype dt = tu_dtype_from_name(tu_get_str(c, "dtype"));
        int inverse = strcmp(tu_get_str(c, "op"), "pixel_unshuffle") == 0;
        int64_t factor = strtoll(tu_get_str(c, "factor"), NULL, 10);
        npy_array in;
        ck_assert_msg(tu_load_golden(tu_get_str(c, "in"), &in) == 0, "%s: input", id);
        check_golden_dtype(&in, dt, id);
        clrs_tensor_desc ind;
        ck_assert_int_eq(clrs_tensor_desc_contiguous(&ind, dt, in.ndim, in.shape), CLRS_OK);
        int64_t osz[CLRS_MAX_RANK];
        clrs_status st = clrs_pixel_shuffle_output_shape(ctx, &ind, factor, inverse, osz);
        if (tu_get_str(c, "error") != NULL) {
            ck_assert_msg(st != CLRS_OK, "%s: torch raised '%s' but clrs accepted it", id, tu_get_str(c, "error"));
            ck_assert_msg(strlen(clrs_last_error(ctx)) > 0, "%s: no error detail", id);
            errors_checked++;
            npy_free(&in);
            continue;
        }
        ck_assert_msg(st == CLRS_OK, "%s: %s", id, clrs_last_error(ctx));
        npy_array ref;
        ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &ref) == 0, "%s: output", id);
        for (int i = 0; i < 4; i++) ck_assert_int_eq(ref.shape[i], osz[i]);
        const int64_t numel = numel_of(4, osz);
        const size_t es = clrs_dtype_size(dt);
        for (int l = 0; l < TU_NLAYOUTS; l++) {
            tu_tensor ti, to;
            tu_alloc(&ti, dt, 4, in.shape, (tu_layout)l, 0x5a);
            tu_alloc(&to, dt, 4, osz, (tu_layout)l, 0xab);
            tu_store(&ti, in.data);
            st = clrs_pixel_shuffle(ctx, factor, inverse, &ti.desc, ti.base, &to.desc, to.base);
            ck_assert_msg(st == CLRS_OK, "%s: %s", id, clrs_last_error(ctx));
            unsigned char *got = malloc((size_t)numel * es + 1);
            tu_load(&to, got);
            ck_assert_msg(memcmp(got, ref.data, (size_t)numel * es) == 0, "%s (%s): not bit-exact with torch", id,
                          tu_layout_name((tu_layout)l));
            free(got);
            tu_free(&ti);
            tu_free(&to);
        }
        ran++;
        npy_free(&ref);
        npy_free(&in);
    }
    tu_progress("test_golden_shuffle", n, n, "cases");
    fprintf(stderr, "# shuffle golden: %d cases bit-exact in 3 layouts, %d torch errors reproduced\n", ran,
            errors_checked);
    ck_assert_int_gt(ran, 55);
    free(cases);
}
END_TEST

/* ---- random cases against the C reference ----------------------------------- */
static const clrs_dtype all_dts[] = {CLRS_F32, CLRS_F64, CLRS_F16, CLRS_BF16, CLRS_U8};

/* Fill logical values: random, with NaN / +-inf / ties mixed in when `special`. */
static void fill_values(uint64_t *rng, clrs_dtype dt, unsigned char *lin, double *vin, int64_t ni, int special,
                        int positive)
{
    for (int64_t i = 0; i < ni; i++) {
        double v;
        if (dt == CLRS_U8 || dt == CLRS_U16)
            v = (double)tu_range(rng, 0, special ? 3 : 255);
        else if (special && tu_range(rng, 0, 9) == 0) {
            static const double sv[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0, 1.0};
            v = sv[tu_range(rng, 0, 5)];
        } else if (special)
            v = (double)tu_range(rng, -3, 3);
        else
            v = tu_uniform(rng) * 20 - 10;
        if (positive && !(dt == CLRS_U8 || dt == CLRS_U16)) v = fabs(v) + 0.05;
        tu_set(dt, lin, i, v);
        vin[i] = tu_get(dt, lin, i);
    }
}

static void random_pool_params(uint64_t *rng, int rank, const int64_t *isz, clrs_pool_params *p, clrs_pool_kind kind)
{
    int sp = rank - 2;
    clrs_pool_params_init(p, kind);
    if (kind == CLRS_POOL_ADAPTIVE_AVG || kind == CLRS_POOL_ADAPTIVE_MAX) {
        p->n_output_size = tu_range(rng, 0, 1) ? 1 : sp;
        for (int a = 0; a < p->n_output_size; a++)
            p->output_size[a] = tu_range(rng, 0, 6) == 0 ? CLRS_UNSET : tu_range(rng, 1, isz[2 + a] + 3);
        return;
    }
    if (kind == CLRS_POOL_FRACTIONAL_MAX) {
        p->n_kernel = sp;
        for (int a = 0; a < sp; a++) p->kernel[a] = tu_range(rng, 1, 3);
        if (tu_range(rng, 0, 1)) {
            p->n_output_size = sp;
            for (int a = 0; a < sp; a++)
                p->output_size[a] = tu_range(rng, 1, isz[2 + a] - p->kernel[a] + (sp == 2 ? 1 : 0) > 1
                                                         ? isz[2 + a] - p->kernel[a] + (sp == 2 ? 1 : 0)
                                                         : 1);
        } else {
            p->n_output_ratio = sp;
            for (int a = 0; a < sp; a++) p->output_ratio[a] = 0.2 + 0.7 * tu_uniform(rng);
        }
        return;
    }
    p->n_kernel = tu_range(rng, 0, 1) ? 1 : sp;
    for (int a = 0; a < p->n_kernel; a++) p->kernel[a] = tu_range(rng, 1, 4);
    if (tu_range(rng, 0, 2)) {
        p->n_stride = tu_range(rng, 0, 1) ? 1 : sp;
        for (int a = 0; a < p->n_stride; a++) p->stride[a] = tu_range(rng, 1, 3);
    }
    p->ceil_mode = (int)tu_range(rng, 0, 1);
    if (kind != CLRS_POOL_LP && tu_range(rng, 0, 1)) {
        p->n_padding = sp;
        for (int a = 0; a < sp; a++) {
            int64_t k = p->kernel[p->n_kernel == 1 ? 0 : a];
            p->padding[a] = tu_range(rng, 0, k / 2 + (tu_range(rng, 0, 19) == 0));
        }
    }
    if (kind == CLRS_POOL_MAX && tu_range(rng, 0, 2) == 0) {
        p->n_dilation = sp;
        for (int a = 0; a < sp; a++) p->dilation[a] = tu_range(rng, 1, 3);
    }
    if (kind == CLRS_POOL_AVG) {
        p->count_include_pad = (int)tu_range(rng, 0, 1);
        if (tu_range(rng, 0, 4) == 0) p->divisor_override = tu_range(rng, -3, 7);
    }
    if (kind == CLRS_POOL_LP) {
        static const double pv[] = {1.0, 2.0, 3.0, 1.5, 0.5, 4.0, INFINITY, -INFINITY, -1.0, -0.5, 2.5};
        p->norm_type = pv[tu_range(rng, 0, 10)];
    }
}

START_TEST(test_random_pool_vs_reference)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    clrs_context_device(ctx, &info);
    uint64_t rng = 0x9001ULL + (uint64_t)_i * 7919;
    int ran = 0, shape_errors = 0;
    char what[64];
    snprintf(what, sizeof what, "test_random_pool_vs_reference:%d", _i);
    for (int it = 0; it < 70; it++) {
        tu_progress(what, it, 70, "cases");
        clrs_pool_kind kind = (clrs_pool_kind)tu_range(&rng, 0, 5);
        int rank = kind == CLRS_POOL_FRACTIONAL_MAX ? (int)tu_range(&rng, 4, 5) : (int)tu_range(&rng, 3, 5);
        int sp = rank - 2;
        int64_t isz[5];
        isz[0] = tu_range(&rng, 1, 2);
        isz[1] = tu_range(&rng, 1, 4);
        for (int a = 0; a < sp; a++) isz[2 + a] = tu_range(&rng, kind == CLRS_POOL_FRACTIONAL_MAX ? 3 : 1, rank == 5 ? 7 : 12);
        clrs_pool_params p;
        random_pool_params(&rng, rank, isz, &p, kind);
        clrs_dtype dt = all_dts[tu_range(&rng, 0, 4)];
        if (dt == CLRS_F64 && !info.fp64) dt = CLRS_F32;
        /* the reference refuses integer LP even for p = inf (torch and we
         * take u8 there: the goldens check it) */
        if (kind == CLRS_POOL_LP && dt == CLRS_U8) dt = CLRS_F32;
        tu_layout lay = (tu_layout)tu_range(&rng, 0, 2);
        clrs_tensor_desc d;
        clrs_tensor_desc_contiguous(&d, dt, rank, isz);
        int64_t osz[5], rsz[5];
        clrs_status st = clrs_pool_output_shape(ctx, &d, &p, osz);
        int rst = ref_pool_shape(rank, isz, &p, rsz);
        ck_assert_msg((st == CLRS_OK) == (rst == 0), "case %d (kind %d): shape status %d vs reference %d (%s)", it,
                      (int)kind, st, rst, clrs_last_error(ctx));
        if (st != CLRS_OK) {
            shape_errors++;
            continue;
        }
        for (int i = 0; i < rank; i++) ck_assert_int_eq(osz[i], rsz[i]);
        int64_t ni = numel_of(rank, isz), no = numel_of(rank, osz);
        size_t es = clrs_dtype_size(dt);
        double *vin = malloc((size_t)ni * sizeof(double)), *vout = malloc((size_t)(no + 1) * sizeof(double));
        int64_t *rix = malloc((size_t)(no + 1) * 8), *gix = malloc((size_t)(no + 1) * 8);
        unsigned char *lin = malloc((size_t)ni * es), *lgot = malloc((size_t)(no + 1) * es);
        int special = kind != CLRS_POOL_LP && tu_range(&rng, 0, 2) == 0;
        /* LP of mixed signs is ill-conditioned (x^p cancels): torch's float
         * answer and the reference's double one part; the goldens cover it */
        int positive = kind == CLRS_POOL_LP;
        fill_values(&rng, dt, lin, vin, ni, special, positive);
        float *samples = NULL;
        if (kind == CLRS_POOL_FRACTIONAL_MAX) {
            samples = malloc((size_t)(isz[0] * isz[1] * sp) * sizeof(float));
            for (int64_t i = 0; i < isz[0] * isz[1] * sp; i++) {
                float u = (float)tu_uniform(&rng);
                if (dt == CLRS_F16 || dt == CLRS_BF16) u = floorf(u * 256.0f) / 256.0f; /* exact in the type */
                samples[i] = u;
            }
            p.samples = samples;
            p.samples_dtype = CLRS_F32;
        }
        int has_idx = kind == CLRS_POOL_MAX || kind == CLRS_POOL_ADAPTIVE_MAX || kind == CLRS_POOL_FRACTIONAL_MAX;
        ck_assert_int_eq(ref_pool(rank, isz, vin, &p, osz, vout, has_idx ? rix : NULL, dt), 0);
        /* LP on f16/bf16: the reference rounds every step of the composite to
         * the 16-bit type (as torch does); we compute in float and round once,
         * keeping only torch's overflows. Compare with the reference run in
         * f32 arithmetic, and require inf exactly where the 16-bit one has it. */
        double *v32 = NULL;
        const int lp16 = kind == CLRS_POOL_LP && !isinf(p.norm_type) && (dt == CLRS_F16 || dt == CLRS_BF16);
        if (lp16) {
            v32 = malloc((size_t)(no + 1) * sizeof(double));
            ck_assert_int_eq(ref_pool(rank, isz, vin, &p, osz, v32, NULL, CLRS_F32), 0);
        }
        tu_tensor ti, to, tx;
        tu_alloc(&ti, dt, rank, isz, lay, 0);
        tu_alloc(&to, dt, rank, osz, lay, 0xcd);
        tu_alloc(&tx, CLRS_I64, rank, osz, lay, 0xcd);
        tu_store(&ti, lin);
        st = clrs_pool(ctx, &p, &ti.desc, ti.base, &to.desc, to.base, has_idx ? &tx.desc : NULL,
                       has_idx ? tx.base : NULL);
        ck_assert_msg(st == CLRS_OK, "case %d: %s", it, clrs_last_error(ctx));
        tu_load(&to, lgot);
        int exact = is_exact_case(&p, dt);
        for (int64_t i = 0; i < no; i++) {
            double g = tu_get(dt, lgot, i), r = ref_round_to_dtype(vout[i], dt);
            if (lp16) {
                ck_assert_msg(isinf(g) == isinf(r) && (!isinf(g) || g == r), "case %d: lp %s element %lld: %.9g, 16-bit ref %.9g",
                              it, clrs_dtype_name(dt), (long long)i, g, r);
                if (!isinf(g)) r = ref_round_to_dtype(v32[i], dt);
            }
            if (exact)
                ck_assert_msg((isnan(g) && isnan(r)) || g == r, "case %d: kind %d rank %d %s %s element %lld: %.9g vs ref %.9g",
                              it, (int)kind, rank, clrs_dtype_name(dt), tu_layout_name(lay), (long long)i, g, r);
            else
                ck_assert_msg(close_enough(dt, g, r, 1.0), "case %d: kind %d rank %d %s %s element %lld: %.9g vs ref %.9g",
                              it, (int)kind, rank, clrs_dtype_name(dt), tu_layout_name(lay), (long long)i, g, r);
        }
        if (has_idx) {
            tu_load(&tx, gix);
            ck_assert_msg(memcmp(gix, rix, (size_t)no * 8) == 0, "case %d: kind %d rank %d %s %s: indices differ", it,
                          (int)kind, rank, clrs_dtype_name(dt), tu_layout_name(lay));
        }
        ran++;
        tu_free(&ti);
        tu_free(&to);
        tu_free(&tx);
        free(vin);
        free(vout);
        free(rix);
        free(gix);
        free(lin);
        free(lgot);
        free(samples);
        free(v32);
    }
    tu_progress(what, 70, 70, "cases");
    ck_assert_int_gt(ran, 30);
    (void)shape_errors;
}
END_TEST

/* Global pooling (work-group reduction, planes >= 4096) and non-overlapping
 * windows (the window-size specialised program, outputs >= 4096), with the
 * NaN / tie rules. */
START_TEST(test_fast_paths_vs_reference)
{
    clrs_context *ctx = tu_context();
    uint64_t rng = 0xfa57ULL;
    static const int64_t shapes[][5] = {{2, 3, 64, 80, 0}, {2, 4, 16, 18, 18}, {1, 2, 5000, 0, 0}};
    static const int ranks[] = {4, 5, 3};
    for (int si = 0; si < 3; si++) {
        int rank = ranks[si], sp = rank - 2;
        int64_t isz[5];
        for (int i = 0; i < rank; i++) isz[i] = shapes[si][i];
        for (int kind = 0; kind <= 4; kind++)
            for (int variant = 0; variant < 3; variant++) {
                clrs_pool_params p;
                clrs_pool_params_init(&p, (clrs_pool_kind)kind);
                clrs_dtype dt = variant == 0 ? CLRS_F32 : variant == 1 ? CLRS_BF16 : CLRS_U8;
                if (kind == CLRS_POOL_LP) {
                    if (dt == CLRS_U8) dt = CLRS_F16;
                    p.norm_type = variant == 0 ? 2.0 : INFINITY;
                }
                if (kind == CLRS_POOL_ADAPTIVE_AVG || kind == CLRS_POOL_ADAPTIVE_MAX) {
                    p.n_output_size = 1;
                    p.output_size[0] = 1; /* global */
                } else {
                    /* variant 2: non-overlapping windows (stride == kernel) */
                    p.n_kernel = sp;
                    for (int a = 0; a < sp; a++) p.kernel[a] = variant == 2 ? 2 : isz[2 + a];
                }
                tu_layout lay = variant == 1 ? TU_CHANNELS_LAST : TU_CONTIGUOUS;
                clrs_tensor_desc d;
                clrs_tensor_desc_contiguous(&d, dt, rank, isz);
                int64_t osz[5];
                ck_assert_int_eq(clrs_pool_output_shape(ctx, &d, &p, osz), CLRS_OK);
                int64_t ni = numel_of(rank, isz), no = numel_of(rank, osz);
                size_t es = clrs_dtype_size(dt);
                double *vin = malloc((size_t)ni * 8), *vout = malloc((size_t)no * 8);
                unsigned char *lin = malloc((size_t)ni * es), *lgot = malloc((size_t)no * es);
                int64_t *rix = malloc((size_t)no * 8), *gix = malloc((size_t)no * 8);
                fill_values(&rng, dt, lin, vin, ni, kind != CLRS_POOL_LP, kind == CLRS_POOL_LP);
                if (kind == CLRS_POOL_MAX && variant == 0) {
                    /* two NaNs in one plane: the later one's index wins */
                    for (int64_t i = 0; i < ni; i++)
                        if (isnan(vin[i])) vin[i] = 0.0, tu_set(dt, lin, i, 0.0);
                    tu_set(dt, lin, 100, NAN);
                    tu_set(dt, lin, 3000, NAN);
                    vin[100] = vin[3000] = NAN;
                }
                int has_idx = kind == CLRS_POOL_MAX || kind == CLRS_POOL_ADAPTIVE_MAX;
                ck_assert_int_eq(ref_pool(rank, isz, vin, &p, osz, vout, has_idx ? rix : NULL, dt), 0);
                tu_tensor ti, to, tx;
                tu_alloc(&ti, dt, rank, isz, lay, 0);
                tu_alloc(&to, dt, rank, osz, lay, 0);
                tu_alloc(&tx, CLRS_I64, rank, osz, lay, 0);
                tu_store(&ti, lin);
                ck_assert_msg(clrs_pool(ctx, &p, &ti.desc, ti.base, &to.desc, to.base, has_idx ? &tx.desc : NULL,
                                        has_idx ? tx.base : NULL) == CLRS_OK,
                              "%s", clrs_last_error(ctx));
                tu_load(&to, lgot);
                int exact = is_exact_case(&p, dt);
                for (int64_t i = 0; i < no; i++) {
                    double g = tu_get(dt, lgot, i), r = ref_round_to_dtype(vout[i], dt);
                    if (exact)
                        ck_assert_msg((isnan(g) && isnan(r)) || g == r, "shape %d kind %d variant %d element %lld: %g vs %g",
                                      si, kind, variant, (long long)i, g, r);
                    else
                        ck_assert_msg(close_enough(dt, g, r, 4.0), "shape %d kind %d variant %d element %lld: %g vs %g", si,
                                      kind, variant, (long long)i, g, r);
                }
                if (has_idx) {
                    tu_load(&tx, gix);
                    ck_assert_msg(memcmp(gix, rix, (size_t)no * 8) == 0, "shape %d kind %d variant %d: indices", si,
                                  kind, variant);
                    if (kind == CLRS_POOL_MAX && variant == 0) ck_assert_int_eq(gix[0], 3000);
                }
                tu_free(&ti);
                tu_free(&to);
                tu_free(&tx);
                free(vin);
                free(vout);
                free(lin);
                free(lgot);
                free(rix);
                free(gix);
            }
    }
}
END_TEST

/* Channels-last tensors with 2..8 channels in the window kernel (-D PC:
 * one work-item per pixel takes its channels, or for f32 16 pixels in C
 * vectors; windows inside the row read without column checks, the row
 * ends per channel): max with and without
 * indices, avg with and without count_include_pad, ceil_mode and
 * divisor_override, against the reference; NaN, -inf and ties included. */
START_TEST(test_channels_last_rgb_windows)
{
    clrs_context *ctx = tu_context();
    uint64_t rng = 0x7b9cULL;
    static const clrs_dtype dts[3] = {CLRS_F32, CLRS_F16, CLRS_U8};
    static const struct {
        clrs_pool_kind kind;
        int k, s, pad, dil, ceil, cip, dov, idx;
        int64_t in[4];
    } cs[] = {
        {CLRS_POOL_MAX, 3, 2, 1, 1, 0, 1, 0, 1, {1, 3, 96, 96}},
        {CLRS_POOL_MAX, 2, 2, 0, 1, 0, 1, 0, 0, {2, 3, 64, 70}},
        {CLRS_POOL_MAX, 3, 1, 1, 2, 1, 1, 0, 1, {1, 4, 40, 41}},
        {CLRS_POOL_AVG, 3, 2, 1, 1, 0, 1, 0, 0, {1, 3, 96, 96}},
        {CLRS_POOL_AVG, 3, 2, 1, 1, 1, 0, 0, 0, {1, 2, 97, 99}},
        {CLRS_POOL_AVG, 2, 2, 0, 1, 1, 1, 3, 0, {1, 8, 45, 47}},
        /* f32 runs 16 pixels per work-item (clrs_win_pcv) where each
         * vector's taps span at most 32 elements: C = 5 at stride 2 with a
         * partial last chunk, C = 7 at stride 1 with padding, C = 2 with
         * divisor_override, and C = 6 at stride 2 (spans too wide: the
         * per-pixel form) */
        {CLRS_POOL_MAX, 2, 2, 0, 1, 0, 1, 0, 1, {1, 5, 48, 70}},
        {CLRS_POOL_AVG, 3, 1, 1, 1, 0, 1, 0, 0, {1, 7, 30, 40}},
        {CLRS_POOL_AVG, 2, 2, 0, 1, 0, 1, 5, 0, {2, 2, 64, 66}},
        {CLRS_POOL_MAX, 3, 2, 1, 1, 0, 1, 0, 1, {1, 6, 44, 64}},
    };
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++)
        for (int di = 0; di < 3; di++) {
            clrs_dtype dt = dts[di];
            clrs_pool_params p;
            clrs_pool_params_init(&p, cs[c].kind);
            p.n_kernel = p.n_stride = p.n_padding = 1;
            p.kernel[0] = cs[c].k;
            p.stride[0] = cs[c].s;
            p.padding[0] = cs[c].pad;
            if (cs[c].kind == CLRS_POOL_MAX) {
                p.n_dilation = 1;
                p.dilation[0] = cs[c].dil;
            }
            p.ceil_mode = cs[c].ceil;
            p.count_include_pad = cs[c].cip;
            p.divisor_override = cs[c].dov;
            clrs_tensor_desc d;
            clrs_tensor_desc_contiguous(&d, dt, 4, cs[c].in);
            int64_t osz[CLRS_MAX_RANK];
            ck_assert_int_eq(clrs_pool_output_shape(ctx, &d, &p, osz), CLRS_OK);
            int64_t ni = numel_of(4, cs[c].in), no = numel_of(4, osz);
            ck_assert_int_ge(no, 4096); /* the window kernel's threshold */
            size_t es = clrs_dtype_size(dt);
            double *vin = malloc((size_t)ni * 8), *vout = malloc((size_t)no * 8);
            unsigned char *lin = malloc((size_t)ni * es), *lgot = malloc((size_t)no * es);
            int64_t *rix = malloc((size_t)no * 8), *gix = malloc((size_t)no * 8);
            fill_values(&rng, dt, lin, vin, ni, 1, 0);
            int idx = cs[c].idx;
            ck_assert_int_eq(ref_pool(4, cs[c].in, vin, &p, osz, vout, idx ? rix : NULL, dt), 0);
            tu_tensor ti, to, tx;
            tu_alloc(&ti, dt, 4, cs[c].in, TU_CHANNELS_LAST, 0);
            tu_alloc(&to, dt, 4, osz, TU_CHANNELS_LAST, 0);
            tu_alloc(&tx, CLRS_I64, 4, osz, TU_CHANNELS_LAST, 0);
            tu_store(&ti, lin);
            ck_assert_msg(clrs_pool(ctx, &p, &ti.desc, ti.base, &to.desc, to.base, idx ? &tx.desc : NULL,
                                    idx ? tx.base : NULL) == CLRS_OK,
                          "%s", clrs_last_error(ctx));
            tu_load(&to, lgot);
            int exact = is_exact_case(&p, dt);
            for (int64_t i = 0; i < no; i++) {
                double g = tu_get(dt, lgot, i), r = ref_round_to_dtype(vout[i], dt);
                ck_assert_msg(exact ? ((isnan(g) && isnan(r)) || g == r) : close_enough(dt, g, r, 4.0),
                              "case %zu %s element %lld: %g vs %g", c, clrs_dtype_name(dt), (long long)i, g, r);
            }
            if (idx) {
                tu_load(&tx, gix);
                for (int64_t i = 0; i < no; i++)
                    ck_assert_msg(gix[i] == rix[i], "case %zu %s index %lld: %lld vs %lld", c, clrs_dtype_name(dt),
                                  (long long)i, (long long)gix[i], (long long)rix[i]);
            }
            tu_free(&ti);
            tu_free(&to);
            tu_free(&tx);
            free(vin);
            free(vout);
            free(lin);
            free(lgot);
            free(rix);
            free(gix);
        }
}
END_TEST

/* The adaptive avg window kernels, against the reference. Channels-last
 * f32 with C a multiple of 8 (vectors along C; up to 4 of them per
 * work-item, -D ACH): 1, 2, 3 and 4 vectors per work-item, uneven windows.
 * Channels-last with 2..7 channels (a work-item per output pixel).
 * NCHW rows (one work-item per output row, column sums in 16-wide vectors):
 * uneven windows, a row of whole vectors plus a scalar tail, a row
 * narrower than a vector, a strided input (columns one by one), sizes
 * that divide into windows wider than 4 and a large input with few
 * outputs (W8 small). */
START_TEST(test_adaptive_avg_channels_last_vectors)
{
    clrs_context *ctx = tu_context();
    uint64_t rng = 0xac4ULL;
    static const struct {
        int64_t in[4], out;
        tu_layout li, lo;
    } cs[] = {{{1, 64, 40, 40}, 8, TU_CHANNELS_LAST, TU_CHANNELS_LAST},
              {{1, 48, 30, 31}, 10, TU_CHANNELS_LAST, TU_CHANNELS_LAST},
              {{2, 8, 50, 50}, 17, TU_CHANNELS_LAST, TU_CHANNELS_LAST},
              {{1, 96, 21, 20}, 7, TU_CHANNELS_LAST, TU_CHANNELS_LAST},
              {{1, 32, 36, 35}, 12, TU_CHANNELS_LAST, TU_CHANNELS_LAST},
              {{2, 32, 40, 40}, 8, TU_CONTIGUOUS, TU_CONTIGUOUS},
              {{4, 32, 100, 100}, 7, TU_CONTIGUOUS, TU_CONTIGUOUS},
              {{1, 64, 12, 12}, 8, TU_CONTIGUOUS, TU_CONTIGUOUS},
              {{2, 32, 50, 50}, 8, TU_STRIDED, TU_CONTIGUOUS},
              {{2, 32, 64, 64}, 8, TU_CONTIGUOUS, TU_CONTIGUOUS},
              {{1, 3, 512, 512}, 7, TU_CONTIGUOUS, TU_CONTIGUOUS},
              /* channels-last with 2..7 channels (a work-item per output
               * pixel, window rows as runs of 16-wide vectors): W8 small,
               * rows of whole vectors plus a partial one, C = 5, 6 and 2,
               * windows narrower than a vector, the partial vector at the
               * input's end */
              {{1, 3, 512, 512}, 7, TU_CHANNELS_LAST, TU_CHANNELS_LAST},
              {{2, 5, 64, 64}, 30, TU_CHANNELS_LAST, TU_CHANNELS_LAST},
              {{1, 6, 61, 60}, 27, TU_CHANNELS_LAST, TU_CHANNELS_LAST},
              {{1, 2, 400, 700}, 9, TU_CHANNELS_LAST, TU_CHANNELS_LAST},
              {{1, 7, 100, 97}, 90, TU_CHANNELS_LAST, TU_CHANNELS_LAST}};
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        clrs_pool_params p;
        clrs_pool_params_init(&p, CLRS_POOL_ADAPTIVE_AVG);
        p.n_output_size = 1;
        p.output_size[0] = cs[c].out;
        clrs_tensor_desc d;
        clrs_tensor_desc_contiguous(&d, CLRS_F32, 4, cs[c].in);
        int64_t osz[CLRS_MAX_RANK];
        ck_assert_int_eq(clrs_pool_output_shape(ctx, &d, &p, osz), CLRS_OK);
        int64_t ni = numel_of(4, cs[c].in), no = numel_of(4, osz);
        /* the window kernels' thresholds: 4096 outputs, or (NCHW rows)
         * 2^18 input elements */
        ck_assert(no >= 4096 || ni >= (1 << 18));
        double *vin = malloc((size_t)ni * 8), *vout = malloc((size_t)no * 8);
        unsigned char *lin = malloc((size_t)ni * 4), *lgot = malloc((size_t)no * 4);
        fill_values(&rng, CLRS_F32, lin, vin, ni, 0, 0);
        ck_assert_int_eq(ref_pool(4, cs[c].in, vin, &p, osz, vout, NULL, CLRS_F32), 0);
        tu_tensor ti, to;
        tu_alloc(&ti, CLRS_F32, 4, cs[c].in, cs[c].li, 0);
        tu_alloc(&to, CLRS_F32, 4, osz, cs[c].lo, 0);
        tu_store(&ti, lin);
        ck_assert_msg(clrs_pool(ctx, &p, &ti.desc, ti.base, &to.desc, to.base, NULL, NULL) == CLRS_OK, "%s",
                      clrs_last_error(ctx));
        tu_load(&to, lgot);
        for (int64_t i = 0; i < no; i++) {
            double g = tu_get(CLRS_F32, lgot, i), r = ref_round_to_dtype(vout[i], CLRS_F32);
            ck_assert_msg(close_enough(CLRS_F32, g, r, 4.0), "case %zu element %lld: %g vs %g", c, (long long)i, g, r);
        }
        tu_free(&ti);
        tu_free(&to);
        free(vin);
        free(vout);
        free(lin);
        free(lgot);
    }
}
END_TEST

START_TEST(test_random_unpool_shuffle_vs_reference)
{
    clrs_context *ctx = tu_context();
    uint64_t rng = 0x5eedULL + (uint64_t)_i;
    static const clrs_dtype dts[] = {CLRS_F32, CLRS_F16, CLRS_BF16, CLRS_U8, CLRS_I64};
    char what[64];
    snprintf(what, sizeof what, "test_random_unpool_shuffle_vs_reference:%d", _i);
    for (int it = 0; it < 40; it++) {
        tu_progress(what, it, 40, "cases");
        int rank = (int)tu_range(&rng, 3, 5), sp = rank - 2;
        int64_t isz[5];
        isz[0] = tu_range(&rng, 1, 2);
        isz[1] = tu_range(&rng, 1, 3);
        for (int a = 0; a < sp; a++) isz[2 + a] = tu_range(&rng, 1, rank == 5 ? 4 : 7);
        clrs_unpool_params p;
        clrs_unpool_params_init(&p);
        p.n_kernel = sp;
        p.n_stride = sp;
        p.n_padding = sp;
        for (int a = 0; a < sp; a++) {
            p.kernel[a] = tu_range(&rng, 1, 3);
            p.stride[a] = tu_range(&rng, 1, 3);
            p.padding[a] = tu_range(&rng, 0, p.kernel[a] / 2);
        }
        clrs_dtype dt = dts[tu_range(&rng, 0, 4)];
        tu_layout lay = (tu_layout)tu_range(&rng, 0, 2);
        clrs_tensor_desc d;
        clrs_tensor_desc_contiguous(&d, dt, rank, isz);
        int64_t osz[5], rsz[5];
        clrs_status st = clrs_max_unpool_output_shape(ctx, &d, &p, osz);
        int rst = ref_max_unpool_shape(rank, isz, &p, rsz);
        ck_assert_int_eq(st == CLRS_OK, rst == 0);
        if (st != CLRS_OK) continue;
        int64_t plane = 1, iplane = 1;
        for (int a = 0; a < sp; a++) plane *= osz[2 + a], iplane *= isz[2 + a];
        if (plane == 0) continue;
        int64_t ni = numel_of(rank, isz), no = numel_of(rank, osz);
        size_t es = clrs_dtype_size(dt);
        unsigned char *lin = malloc((size_t)ni * es), *lref = malloc((size_t)no * es + 1), *lgot = malloc((size_t)no * es + 1);
        double *vin = malloc((size_t)ni * 8), *vout = malloc((size_t)no * 8 + 8);
        int64_t *ix = malloc((size_t)ni * 8);
        for (int64_t i = 0; i < ni; i++) {
            double v = dt == CLRS_U8 ? (double)tu_range(&rng, 1, 255) : (double)tu_range(&rng, 1, 1000);
            tu_set(dt, lin, i, v);
            vin[i] = v;
        }
        /* indices: from each element's own window (the gather path) with
         * duplicates, or anywhere in the plane (the scatter path) */
        int windowed = tu_range(&rng, 0, 1);
        for (int64_t i = 0; i < ni; i++) {
            if (!windowed) {
                ix[i] = tu_range(&rng, 0, plane - 1 < 3 ? plane - 1 : 3 + tu_range(&rng, 0, plane - 4 > 0 ? plane - 4 : 0));
                continue;
            }
            int64_t r = i % iplane, pos[3] = {0, 0, 0}, o[3] = {0, 0, 0};
            for (int a = sp - 1; a >= 0; a--) {
                pos[a] = r % isz[2 + a];
                r /= isz[2 + a];
            }
            int ok = 1;
            for (int a = 0; a < sp; a++) {
                int64_t lo = pos[a] * p.stride[a] - p.padding[a];
                int64_t c0 = lo < 0 ? 0 : lo, c1 = lo + p.kernel[a] - 1 < osz[2 + a] - 1 ? lo + p.kernel[a] - 1 : osz[2 + a] - 1;
                if (c1 < c0) ok = 0;
                o[a] = c1 < c0 ? 0 : tu_range(&rng, c0, c1);
            }
            int64_t flat = 0;
            for (int a = 0; a < sp; a++) flat = flat * osz[2 + a] + o[a];
            ix[i] = ok ? flat : 0;
        }
        ck_assert_int_eq(ref_max_unpool(rank, isz, vin, ix, &p, osz, vout, dt), 0);
        for (int64_t i = 0; i < no; i++) tu_set(dt, lref, i, vout[i]);
        tu_tensor ti, tx, to;
        tu_alloc(&ti, dt, rank, isz, lay, 0);
        tu_alloc(&tx, CLRS_I64, rank, isz, lay, 0);
        tu_alloc(&to, dt, rank, osz, lay, 0xcd);
        tu_store(&ti, lin);
        tu_store(&tx, ix);
        st = clrs_max_unpool(ctx, &p, &ti.desc, ti.base, &tx.desc, tx.base, &to.desc, to.base);
        ck_assert_msg(st == CLRS_OK, "unpool case %d: %s", it, clrs_last_error(ctx));
        tu_load(&to, lgot);
        ck_assert_msg(memcmp(lgot, lref, (size_t)no * es) == 0, "unpool case %d (rank %d %s %s, %s indices) differs", it,
                      rank, clrs_dtype_name(dt), tu_layout_name(lay), windowed ? "windowed" : "arbitrary");
        tu_free(&ti);
        tu_free(&tx);
        tu_free(&to);
        free(lin);
        free(lref);
        free(lgot);
        free(vin);
        free(vout);
        free(ix);

        /* pixel shuffle / unshuffle */
        int inverse = (int)tu_range(&rng, 0, 1);
        int64_t r = tu_range(&rng, 1, 3), s4[4];
        s4[0] = tu_range(&rng, 0, 2);
        s4[1] = inverse ? tu_range(&rng, 1, 3) : r * r * tu_range(&rng, 1, 2);
        s4[2] = inverse ? r * tu_range(&rng, 1, 3) : tu_range(&rng, 1, 4);
        s4[3] = inverse ? r * tu_range(&rng, 1, 3) : tu_range(&rng, 1, 4);
        clrs_tensor_desc_contiguous(&d, dt, 4, s4);
        ck_assert_int_eq(clrs_pixel_shuffle_output_shape(ctx, &d, r, inverse, osz), CLRS_OK);
        ck_assert_int_eq(ref_pixel_shuffle_shape(4, s4, r, inverse, rsz), 0);
        for (int i = 0; i < 4; i++) ck_assert_int_eq(osz[i], rsz[i]);
        ni = numel_of(4, s4);
        lin = malloc((size_t)ni * es + 1);
        lgot = malloc((size_t)ni * es + 1);
        lref = malloc((size_t)ni * es + 1);
        vin = malloc((size_t)ni * 8 + 8);
        vout = malloc((size_t)ni * 8 + 8);
        for (int64_t i = 0; i < ni; i++) {
            double v = (double)tu_range(&rng, 0, 200);
            tu_set(dt, lin, i, v);
            vin[i] = v;
        }
        ck_assert_int_eq(ref_pixel_shuffle(4, s4, vin, r, inverse, osz, vout), 0);
        for (int64_t i = 0; i < ni; i++) tu_set(dt, lref, i, vout[i]);
        tu_alloc(&ti, dt, 4, s4, lay, 0);
        tu_alloc(&to, dt, 4, osz, (tu_layout)((lay + 1) % 3), 0xcd);
        tu_store(&ti, lin);
        st = clrs_pixel_shuffle(ctx, r, inverse, &ti.desc, ti.base, &to.desc, to.base);
        ck_assert_msg(st == CLRS_OK, "shuffle case %d: %s", it, clrs_last_error(ctx));
        tu_load(&to, lgot);
        ck_assert_msg(memcmp(lgot, lref, (size_t)ni * es) == 0, "shuffle case %d differs", it);
        tu_free(&ti);
        tu_free(&to);
        free(lin);
        free(lref);
        free(lgot);
        free(vin);
        free(vout);
    }
    tu_progress(what, 40, 40, "cases");
}
END_TEST

/* ---- documented rules ----------------------------------------------------------- */
/* An empty output: returned without looking at the indices, as PyTorch
 * does (torch 2.15: max_unpool1d of y = zeros((1,1,1)), indices zeros,
 * kernel 2, stride 3, padding 1 -> a (1, 1, 0) tensor; issue #19). */
START_TEST(test_unpool_empty_output)
{
    clrs_context *ctx = tu_context();
    int64_t isz[3] = {1, 1, 1}, osz[5];
    clrs_tensor_desc in, ix, out;
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 3, isz);
    clrs_tensor_desc_contiguous(&ix, CLRS_I64, 3, isz);
    clrs_unpool_params p;
    clrs_unpool_params_init(&p);
    p.n_kernel = 1;
    p.kernel[0] = 2;
    p.n_stride = 1;
    p.stride[0] = 3;
    p.n_padding = 1;
    p.padding[0] = 1;
    ck_assert_int_eq(clrs_max_unpool_output_shape(ctx, &in, &p, osz), CLRS_OK);
    ck_assert_int_eq(osz[2], 0);
    clrs_tensor_desc_contiguous(&out, CLRS_F32, 3, osz);
    float v[1] = {0}, o[1] = {42};
    for (int k = 0; k < 2; k++) {
        int64_t idx[1] = {k == 0 ? 0 : 7}; /* in range of nothing either way */
        ck_assert_msg(clrs_max_unpool(ctx, &p, &in, v, &ix, idx, &out, o) == CLRS_OK, "%s", clrs_last_error(ctx));
    }
    ck_assert_float_eq(o[0], 42);
}
END_TEST


/* Duplicate indices: the last input element in C order wins, on both the
 * gather path (indices inside their windows) and the scatter path. */
START_TEST(test_unpool_duplicates)
{
    clrs_context *ctx = tu_context();
    int64_t isz[3] = {1, 1, 4}, osz[5];
    clrs_tensor_desc in, ix, out;
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 3, isz);
    clrs_tensor_desc_contiguous(&ix, CLRS_I64, 3, isz);
    clrs_unpool_params p;
    clrs_unpool_params_init(&p);
    p.n_kernel = 1;
    p.kernel[0] = 3;
    p.n_stride = 1;
    p.stride[0] = 1; /* windows [i-0, i+3) overlap: index 2 is in the windows of 0, 1 and 2 */
    ck_assert_int_eq(clrs_max_unpool_output_shape(ctx, &in, &p, osz), CLRS_OK);
    ck_assert_int_eq(osz[2], 6);
    clrs_tensor_desc_contiguous(&out, CLRS_F32, 3, osz);
    float v[4] = {10, 20, 30, 40}, o[6];
    int64_t i_win[4] = {2, 2, 2, 5};  /* windowed duplicates */
    int64_t i_any[4] = {5, 0, 5, 0};  /* not windowed (0 is outside element 3's window) */
    ck_assert_int_eq(clrs_max_unpool(ctx, &p, &in, v, &ix, i_win, &out, o), CLRS_OK);
    float want1[6] = {0, 0, 30, 0, 0, 40};
    for (int i = 0; i < 6; i++) ck_assert_float_eq(o[i], want1[i]);
    ck_assert_int_eq(clrs_max_unpool(ctx, &p, &in, v, &ix, i_any, &out, o), CLRS_OK);
    float want2[6] = {40, 0, 0, 0, 0, 30};
    for (int i = 0; i < 6; i++) ck_assert_float_eq(o[i], want2[i]);
    /* an index out of range: an error naming it and where, nothing written out of bounds */
    int64_t i_bad[4] = {0, 1, 6, 2};
    float guard[8] = {7, 7, 7, 7, 7, 7, 7, 7};
    ck_assert_int_eq(clrs_max_unpool(ctx, &p, &in, v, &ix, i_bad, &out, guard + 1), CLRS_ERR_INDEX_OUT_OF_RANGE);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "6"));
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "(0, 0, 2)"));
    ck_assert_float_eq(guard[0], 7);
    ck_assert_float_eq(guard[7], 7);
    int64_t i_neg[4] = {0, -3, 1, 2};
    ck_assert_int_eq(clrs_max_unpool(ctx, &p, &in, v, &ix, i_neg, &out, o), CLRS_ERR_INDEX_OUT_OF_RANGE);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "-3"));
}
END_TEST

/* Max ties keep the first, NaN: the last NaN; padding is -inf. */
START_TEST(test_max_rules)
{
    clrs_context *ctx = tu_context();
    int64_t isz[3] = {1, 1, 6}, osz[5];
    clrs_tensor_desc in, out, ix;
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 3, isz);
    clrs_pool_params p;
    clrs_pool_params_init(&p, CLRS_POOL_MAX);
    p.n_kernel = 1;
    p.kernel[0] = 3;
    p.n_padding = 1;
    p.padding[0] = 1;
    p.ceil_mode = 1;
    ck_assert_int_eq(clrs_pool_output_shape(ctx, &in, &p, osz), CLRS_OK);
    ck_assert_int_eq(osz[2], 3); /* windows start at -1, 2, 5; a 4th would start in the right padding */
    clrs_tensor_desc_contiguous(&out, CLRS_F32, 3, osz);
    clrs_tensor_desc_contiguous(&ix, CLRS_I64, 3, osz);
    float x[6] = {-INFINITY, 5, 5, NAN, 1, NAN};
    float y[3];
    int64_t iy[3];
    ck_assert_int_eq(clrs_pool(ctx, &p, &in, x, &out, y, &ix, iy), CLRS_OK);
    ck_assert_float_eq(y[0], 5);
    ck_assert_int_eq(iy[0], 1); /* tie: the first 5 */
    ck_assert(isnan(y[1]));
    ck_assert_int_eq(iy[1], 3);
    ck_assert(isnan(y[2]));
    ck_assert_int_eq(iy[2], 5);
    /* all -inf window: -inf at the first in-bounds tap */
    float z[6] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY};
    ck_assert_int_eq(clrs_pool(ctx, &p, &in, z, &out, y, &ix, iy), CLRS_OK);
    ck_assert(isinf(y[0]) && y[0] < 0);
    ck_assert_int_eq(iy[0], 0);
    ck_assert_int_eq(iy[1], 2);
}
END_TEST

/* Fractional pooling without samples: reproducible from params.seed with the
 * documented SplitMix64 generator. */
static uint64_t splitmix(uint64_t seed, uint64_t index)
{
    uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

START_TEST(test_fractional_seed)
{
    clrs_context *ctx = tu_context();
    int64_t isz[4] = {2, 3, 17, 13};
    clrs_tensor_desc in, out, ix;
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 4, isz);
    clrs_pool_params p;
    clrs_pool_params_init(&p, CLRS_POOL_FRACTIONAL_MAX);
    p.n_kernel = 1;
    p.kernel[0] = 2;
    p.n_output_ratio = 2;
    p.output_ratio[0] = 0.6;
    p.output_ratio[1] = 0.5;
    int64_t osz[5];
    ck_assert_int_eq(clrs_pool_output_shape(ctx, &in, &p, osz), CLRS_OK);
    ck_assert_int_eq(osz[2], 10);
    ck_assert_int_eq(osz[3], 6);
    clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, osz);
    clrs_tensor_desc_contiguous(&ix, CLRS_I64, 4, osz);
    float x[2 * 3 * 17 * 13], y1[2 * 3 * 60], y2[2 * 3 * 60], y3[2 * 3 * 60];
    int64_t i1[2 * 3 * 60], i2[2 * 3 * 60], i3[2 * 3 * 60];
    uint64_t rng = 42;
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++) x[i] = (float)tu_uniform(&rng);
    p.seed = 1234;
    ck_assert_int_eq(clrs_pool(ctx, &p, &in, x, &out, y1, &ix, i1), CLRS_OK);
    ck_assert_int_eq(clrs_pool(ctx, &p, &in, x, &out, y2, &ix, i2), CLRS_OK);
    ck_assert_int_eq(memcmp(i1, i2, sizeof i1), 0);
    /* the same windows from explicit samples drawn as documented */
    float s[2 * 3 * 2];
    for (int i = 0; i < 12; i++) s[i] = (float)((double)(splitmix(1234, (uint64_t)i) >> 40) / 16777216.0);
    p.samples = s;
    p.samples_dtype = CLRS_F32;
    ck_assert_int_eq(clrs_pool(ctx, &p, &in, x, &out, y3, &ix, i3), CLRS_OK);
    ck_assert_int_eq(memcmp(i1, i3, sizeof i1), 0);
    ck_assert_int_eq(memcmp(y1, y3, sizeof y1), 0);
    /* another seed gives other windows */
    p.samples = NULL;
    p.seed = 99;
    ck_assert_int_eq(clrs_pool(ctx, &p, &in, x, &out, y2, &ix, i2), CLRS_OK);
    ck_assert_int_ne(memcmp(i1, i2, sizeof i1), 0);
    /* samples outside [0, 1) are refused, naming the value and position */
    s[5] = 1.5f;
    p.samples = s;
    ck_assert_int_eq(clrs_pool(ctx, &p, &in, x, &out, y2, &ix, i2), CLRS_ERR_BAD_PARAM);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "1.5"));
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "samples[0, 2, 1]"));
}
END_TEST

/* Indices beyond 2^32 and 64-bit offsets, without allocating 2^32 elements:
 * a broadcast (stride 0) width. */
START_TEST(test_64bit_indices)
{
    clrs_context *ctx = tu_context();
    const int64_t W = (1LL << 31) + 3;
    int64_t isz[4] = {1, 1, 3, W};
    clrs_tensor_desc in, out, ix;
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 4, isz);
    in.strides[3] = 0;
    in.strides[2] = 1;
    in.strides[1] = in.strides[0] = 3;
    clrs_pool_params p;
    clrs_pool_params_init(&p, CLRS_POOL_MAX);
    p.n_kernel = 1;
    p.kernel[0] = 1;
    p.n_stride = 2;
    p.stride[0] = 1;
    p.stride[1] = 1LL << 30;
    int64_t osz[5];
    ck_assert_int_eq(clrs_pool_output_shape(ctx, &in, &p, osz), CLRS_OK);
    ck_assert_int_eq(osz[3], 3);
    clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, osz);
    clrs_tensor_desc_contiguous(&ix, CLRS_I64, 4, osz);
    float x[3] = {1, 2, 3}, y[9];
    int64_t iy[9];
    ck_assert_int_eq(clrs_pool(ctx, &p, &in, x, &out, y, &ix, iy), CLRS_OK);
    for (int h = 0; h < 3; h++)
        for (int j = 0; j < 3; j++) {
            ck_assert_float_eq(y[h * 3 + j], x[h]);
            ck_assert_int_eq(iy[h * 3 + j], h * W + j * (1LL << 30));
        }
    ck_assert_int_gt(iy[8], 1LL << 32);
}
END_TEST

/* Writes outside an output's elements are caught exactly: gap bytes of
 * strided outputs and indices keep their fill. */
START_TEST(test_strided_gaps_untouched)
{
    clrs_context *ctx = tu_context();
    int64_t isz[5] = {2, 3, 5, 6, 7};
    clrs_pool_params p;
    clrs_pool_params_init(&p, CLRS_POOL_MAX);
    p.n_kernel = 1;
    p.kernel[0] = 2;
    p.ceil_mode = 1;
    tu_tensor ti, to, tx;
    tu_alloc(&ti, CLRS_F32, 5, isz, TU_STRIDED, 0);
    int64_t osz[5];
    ck_assert_int_eq(clrs_pool_output_shape(ctx, &ti.desc, &p, osz), CLRS_OK);
    tu_alloc(&to, CLRS_F32, 5, osz, TU_STRIDED, 0xab);
    tu_alloc(&tx, CLRS_I64, 5, osz, TU_STRIDED, 0xab);
    int64_t ni = numel_of(5, isz), no = numel_of(5, osz);
    float *ones = malloc((size_t)ni * 4);
    for (int64_t i = 0; i < ni; i++) ones[i] = 1.0f;
    tu_store(&ti, ones);
    ck_assert_int_eq(clrs_pool(ctx, &p, &ti.desc, ti.base, &to.desc, to.base, &tx.desc, tx.base), CLRS_OK);
    tu_tensor *ts[2] = {&to, &tx};
    for (int t = 0; t < 2; t++) {
        size_t es = clrs_dtype_size(ts[t]->desc.dtype);
        unsigned char *mask = calloc(ts[t]->bytes, 1);
        tu_tensor m = *ts[t];
        m.base = mask;
        unsigned char *ff = malloc((size_t)no * es);
        memset(ff, 0xff, (size_t)no * es);
        tu_store(&m, ff);
        for (size_t b = 0; b < ts[t]->bytes; b++)
            if (!mask[b]) ck_assert_msg(ts[t]->base[b] == 0xab, "tensor %d: byte %zu outside the elements was written", t, b);
        free(ff);
        free(mask);
    }
    float *got = malloc((size_t)no * 4);
    tu_load(&to, got);
    for (int64_t i = 0; i < no; i++) ck_assert_float_eq(got[i], 1.0f);
    free(got);
    free(ones);
    tu_free(&ti);
    tu_free(&to);
    tu_free(&tx);
}
END_TEST

/* ---- errors ------------------------------------------------------------------- */
static clrs_status shape_of(clrs_context *ctx, const clrs_pool_params *p, int rank, const int64_t *sizes, int64_t *osz)
{
    clrs_tensor_desc d;
    clrs_tensor_desc_contiguous(&d, CLRS_F32, rank, sizes);
    return clrs_pool_output_shape(ctx, &d, p, osz);
}

#define EXPECT_ERR(call, code, text)                                                                        \
    do {                                                                                                    \
        clrs_status st_ = (call);                                                                           \
        ck_assert_msg(st_ == (code), "%s: got %s (%s)", #call, clrs_status_name(st_), clrs_last_error(ctx)); \
        ck_assert_msg(strstr(clrs_last_error(ctx), (text)) != NULL, "%s: '%s' lacks '%s'", #call,           \
                      clrs_last_error(ctx), (text));                                                        \
    } while (0)

START_TEST(test_errors)
{
    clrs_context *ctx = tu_context();
    int64_t s4[4] = {2, 3, 7, 9}, s5[5] = {1, 2, 5, 6, 7}, osz[5];
    clrs_pool_params p;

    clrs_pool_params_init(&p, CLRS_POOL_MAX);
    EXPECT_ERR(shape_of(ctx, &p, 4, s4, osz), CLRS_ERR_BAD_PARAM, "kernel_size is required");
    p.n_kernel = 1, p.kernel[0] = 2, p.n_stride = 1, p.stride[0] = 0;
    EXPECT_ERR(shape_of(ctx, &p, 4, s4, osz), CLRS_ERR_BAD_PARAM, "stride should not be zero");
    p.n_stride = 0, p.kernel[0] = 0;
    EXPECT_ERR(shape_of(ctx, &p, 4, s4, osz), CLRS_ERR_BAD_PARAM, "kernel_size should be greater than zero, but got 0");
    p.kernel[0] = 3, p.n_padding = 1, p.padding[0] = 2;
    EXPECT_ERR(shape_of(ctx, &p, 4, s4, osz), CLRS_ERR_BAD_PARAM, "pad=2, kernel_size=3");
    p.padding[0] = -1;
    EXPECT_ERR(shape_of(ctx, &p, 4, s4, osz), CLRS_ERR_BAD_PARAM, "pad: -1");
    p.padding[0] = 0, p.n_dilation = 2, p.dilation[0] = 1, p.dilation[1] = 0;
    EXPECT_ERR(shape_of(ctx, &p, 4, s4, osz), CLRS_ERR_BAD_PARAM, "dilation");
    p.n_dilation = 0, p.kernel[0] = 10;
    EXPECT_ERR(shape_of(ctx, &p, 4, s4, osz), CLRS_ERR_BAD_SHAPE, "Calculated output size: (3x0x0)");
    p.kernel[0] = 2, p.n_kernel = 4;
    EXPECT_ERR(shape_of(ctx, &p, 4, s4, osz), CLRS_ERR_BAD_PARAM, "4 values");
    p.n_kernel = 1;
    int64_t c0[4] = {2, 0, 7, 9};
    EXPECT_ERR(shape_of(ctx, &p, 4, c0, osz), CLRS_ERR_BAD_SHAPE, "non-zero");

    clrs_pool_params_init(&p, CLRS_POOL_AVG);
    p.n_kernel = 1, p.kernel[0] = 10;
    EXPECT_ERR(shape_of(ctx, &p, 5, s5, osz), CLRS_ERR_BAD_SHAPE, "smaller than kernel size");
    p.kernel[0] = 2, p.n_dilation = 1, p.dilation[0] = 2;
    EXPECT_ERR(shape_of(ctx, &p, 4, s4, osz), CLRS_ERR_BAD_PARAM, "dilation 2");

    clrs_pool_params_init(&p, CLRS_POOL_LP);
    p.n_kernel = 1, p.kernel[0] = 2, p.norm_type = 0.0;
    EXPECT_ERR(shape_of(ctx, &p, 4, s4, osz), CLRS_ERR_BAD_PARAM, "norm_type");
    p.norm_type = 2.0, p.n_padding = 1, p.padding[0] = 1;
    EXPECT_ERR(shape_of(ctx, &p, 4, s4, osz), CLRS_ERR_BAD_PARAM, "padding 1");

    clrs_pool_params_init(&p, CLRS_POOL_ADAPTIVE_MAX);
    EXPECT_ERR(shape_of(ctx, &p, 4, s4, osz), CLRS_ERR_BAD_PARAM, "output_size is required");
    p.n_output_size = 2, p.output_size[0] = 3, p.output_size[1] = -4;
    EXPECT_ERR(shape_of(ctx, &p, 4, s4, osz), CLRS_ERR_BAD_PARAM, "-4");
    p.output_size[1] = CLRS_UNSET;
    ck_assert_int_eq(shape_of(ctx, &p, 4, s4, osz), CLRS_OK);
    ck_assert_int_eq(osz[2], 3);
    ck_assert_int_eq(osz[3], 9);
    p.output_size[1] = 20; /* larger than the input: allowed */
    ck_assert_int_eq(shape_of(ctx, &p, 4, s4, osz), CLRS_OK);
    ck_assert_int_eq(osz[3], 20);

    clrs_pool_params_init(&p, CLRS_POOL_FRACTIONAL_MAX);
    p.n_kernel = 1, p.kernel[0] = 2;
    EXPECT_ERR(shape_of(ctx, &p, 4, s4, osz), CLRS_ERR_BAD_PARAM, "either an output size or an output ratio");
    p.n_output_ratio = 2, p.output_ratio[0] = 1.0, p.output_ratio[1] = 0.5;
    EXPECT_ERR(shape_of(ctx, &p, 4, s4, osz), CLRS_ERR_BAD_SHAPE, "too large relative to input");
    p.output_ratio[0] = NAN;
    EXPECT_ERR(shape_of(ctx, &p, 4, s4, osz), CLRS_ERR_BAD_PARAM, "output_ratio nan");
    int64_t s3[3] = {1, 2, 9};
    p.output_ratio[0] = 0.5;
    EXPECT_ERR(shape_of(ctx, &p, 3, s3, osz), CLRS_ERR_BAD_SHAPE, "4-D or 5-D");

    /* dtype and indices errors on execution */
    clrs_pool_params_init(&p, CLRS_POOL_LP);
    p.n_kernel = 1, p.kernel[0] = 2;
    clrs_tensor_desc in, out, ix;
    int64_t s[4] = {1, 1, 4, 4}, o[4] = {1, 1, 2, 2};
    unsigned char ub[16], uo[4];
    clrs_tensor_desc_contiguous(&in, CLRS_U8, 4, s);
    clrs_tensor_desc_contiguous(&out, CLRS_U8, 4, o);
    EXPECT_ERR(clrs_pool(ctx, &p, &in, ub, &out, uo, NULL, NULL), CLRS_ERR_BAD_DTYPE, "u8");
    p.norm_type = INFINITY; /* p = inf is max pooling: u8 works */
    memset(ub, 0, sizeof ub);
    ub[5] = 9;
    ck_assert_int_eq(clrs_pool(ctx, &p, &in, ub, &out, uo, NULL, NULL), CLRS_OK);
    ck_assert_int_eq(uo[0], 9);
    clrs_pool_params_init(&p, CLRS_POOL_AVG);
    p.n_kernel = 1, p.kernel[0] = 2;
    clrs_tensor_desc_contiguous(&ix, CLRS_I64, 4, o);
    int64_t ib[4];
    EXPECT_ERR(clrs_pool(ctx, &p, &in, ub, &out, uo, &ix, ib), CLRS_ERR_BAD_PARAM, "no indices");
    ck_assert_int_eq(clrs_pool(ctx, &p, &in, ub, &out, uo, NULL, NULL), CLRS_OK); /* u8 avg: truncated mean */
    ck_assert_int_eq(uo[0], 2);
    p.kind = CLRS_POOL_MAX;
    clrs_tensor_desc bad = ix;
    bad.dtype = CLRS_F32;
    EXPECT_ERR(clrs_pool(ctx, &p, &in, ub, &out, uo, &bad, ib), CLRS_ERR_BAD_DTYPE, "i64");
    clrs_tensor_desc_contiguous(&out, CLRS_U8, 4, s);
    EXPECT_ERR(clrs_pool(ctx, &p, &in, ub, &out, ub, NULL, NULL), CLRS_ERR_BAD_SHAPE, "(1, 1, 4, 4)");
    clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, o);
    EXPECT_ERR(clrs_pool(ctx, &p, &in, ub, &out, uo, NULL, NULL), CLRS_ERR_BAD_DTYPE, "differs");
    p.struct_size = 5;
    EXPECT_ERR(clrs_pool(ctx, &p, &in, ub, &out, uo, NULL, NULL), CLRS_ERR_INVALID_ARG, "struct_size");
    clrs_tensor_desc_contiguous(&in, CLRS_I64, 4, s);
    clrs_tensor_desc_contiguous(&out, CLRS_I64, 4, o);
    clrs_pool_params_init(&p, CLRS_POOL_MAX);
    p.n_kernel = 1, p.kernel[0] = 2;
    int64_t lb[16], lo[4];
    EXPECT_ERR(clrs_pool(ctx, &p, &in, lb, &out, lo, NULL, NULL), CLRS_ERR_BAD_DTYPE, "i64");
    /* output overlapping input */
    float fb[40];
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 4, s);
    clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, o);
    EXPECT_ERR(clrs_pool(ctx, &p, &in, fb, &out, fb + 10, NULL, NULL), CLRS_ERR_ALIASING, "overlaps");

    /* unpool */
    clrs_unpool_params up;
    clrs_unpool_params_init(&up);
    int64_t us[3] = {1, 2, 4};
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 3, us);
    EXPECT_ERR(clrs_max_unpool_output_shape(ctx, &in, &up, osz), CLRS_ERR_BAD_PARAM, "kernel_size is required");
    up.n_kernel = 1, up.kernel[0] = 2, up.n_output_size = 1, up.output_size[0] = 10;
    EXPECT_ERR(clrs_max_unpool_output_shape(ctx, &in, &up, osz), CLRS_ERR_BAD_SHAPE, "between 6 and 10");
    up.output_size[0] = 9;
    ck_assert_int_eq(clrs_max_unpool_output_shape(ctx, &in, &up, osz), CLRS_OK);
    ck_assert_int_eq(osz[2], 9);
    int64_t us2[3] = {1, 2, 3};
    clrs_tensor_desc_contiguous(&ix, CLRS_I64, 3, us2);
    clrs_tensor_desc_contiguous(&out, CLRS_F32, 3, osz);
    float uv[8] = {0}, uout[18];
    int64_t uix[8] = {0};
    EXPECT_ERR(clrs_max_unpool(ctx, &up, &in, uv, &ix, uix, &out, uout), CLRS_ERR_BAD_SHAPE, "Expected shape of indices");

    /* pixel shuffle */
    int64_t ps[4] = {1, 8, 3, 3};
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 4, ps);
    EXPECT_ERR(clrs_pixel_shuffle_output_shape(ctx, &in, 3, 0, osz), CLRS_ERR_BAD_SHAPE, "input.size(-3)=8");
    EXPECT_ERR(clrs_pixel_shuffle_output_shape(ctx, &in, 0, 0, osz), CLRS_ERR_BAD_PARAM, "got 0");
    EXPECT_ERR(clrs_pixel_shuffle_output_shape(ctx, &in, 2, 1, osz), CLRS_ERR_BAD_SHAPE, "input.size(-2)=3");
    ck_assert_int_eq(clrs_pixel_shuffle_output_shape(ctx, &in, 2, 0, osz), CLRS_OK);
    ck_assert_int_eq(osz[1], 2);
    ck_assert_int_eq(osz[2], 6);
    EXPECT_ERR(clrs_pixel_shuffle_output_shape(ctx, &in, 3037000500LL, 0, osz), CLRS_ERR_BAD_PARAM, "overflows");
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 3, us);
    EXPECT_ERR(clrs_pixel_shuffle_output_shape(ctx, &in, 2, 0, osz), CLRS_ERR_BAD_SHAPE, "4-D");
}
END_TEST

/* The cl_mem calls: wait lists, events, offsets, no hidden finish (except
 * max_unpool's index check, which must read back its flag). */
START_TEST(test_cl_mem_calls)
{
    clrs_context *ctx = tu_context();
    cl_context clc;
    cl_command_queue q;
    ck_assert_int_eq(clrs_context_get_cl(ctx, &clc, NULL, &q), CLRS_OK);
    int64_t isz[3] = {1, 1, 8}, osz[3] = {1, 1, 4};
    clrs_tensor_desc in, out, ix;
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 3, isz);
    clrs_tensor_desc_contiguous(&out, CLRS_F32, 3, osz);
    clrs_tensor_desc_contiguous(&ix, CLRS_I64, 3, osz);
    out.offset = 2;
    ix.offset = 1;
    float src[8] = {1, 5, 3, 2, 8, 8, -1, 0}, dst[6];
    int64_t idx[5];
    cl_int e;
    cl_mem a = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof src, src, &e);
    cl_mem b = clCreateBuffer(clc, CL_MEM_READ_WRITE, sizeof dst, NULL, &e);
    cl_mem c = clCreateBuffer(clc, CL_MEM_READ_WRITE, sizeof idx, NULL, &e);
    cl_event user = clCreateUserEvent(clc, &e), done = NULL;
    clrs_pool_params p;
    clrs_pool_params_init(&p, CLRS_POOL_MAX);
    p.n_kernel = 1;
    p.kernel[0] = 2;
    ck_assert_int_eq(clrs_pool_cl(ctx, &p, &in, a, &out, b, &ix, c, NULL, 1, &user, &done), CLRS_OK);
    cl_int status = 0;
    clGetEventInfo(done, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, NULL);
    ck_assert_int_gt(status, CL_COMPLETE); /* still waiting for the user event */
    clSetUserEventStatus(user, CL_COMPLETE);
    clWaitForEvents(1, &done);
    clEnqueueReadBuffer(q, b, CL_TRUE, 0, sizeof dst, dst, 0, NULL, NULL);
    clEnqueueReadBuffer(q, c, CL_TRUE, 0, sizeof idx, idx, 0, NULL, NULL);
    float want[4] = {5, 3, 8, 0};
    int64_t wi[4] = {1, 2, 4, 7};
    for (int i = 0; i < 4; i++) {
        ck_assert_float_eq(dst[2 + i], want[i]);
        ck_assert_int_eq(idx[1 + i], wi[i]);
    }
    clReleaseEvent(done);
    done = NULL;

    /* unpool from those indices back into a (default size 8) buffer */
    clrs_unpool_params up;
    clrs_unpool_params_init(&up);
    up.n_kernel = 1;
    up.kernel[0] = 2;
    cl_mem u = clCreateBuffer(clc, CL_MEM_READ_WRITE, 8 * sizeof(float), NULL, &e);
    ck_assert_int_eq(clrs_max_unpool_cl(ctx, &up, &out, b, &ix, c, &in, u, NULL, 0, NULL, &done), CLRS_OK);
    ck_assert_ptr_nonnull(done);
    clWaitForEvents(1, &done);
    float back[8];
    clEnqueueReadBuffer(q, u, CL_TRUE, 0, sizeof back, back, 0, NULL, NULL);
    float wb[8] = {0, 5, 3, 0, 8, 0, 0, 0};
    for (int i = 0; i < 8; i++) ck_assert_float_eq(back[i], wb[i]);
    clReleaseEvent(done);
    done = NULL;

    /* pixel shuffle with a pending user event */
    int64_t ps[4] = {1, 4, 1, 2}, po[4] = {1, 1, 2, 4};
    clrs_tensor_desc pin, pout;
    clrs_tensor_desc_contiguous(&pin, CLRS_F32, 4, ps);
    clrs_tensor_desc_contiguous(&pout, CLRS_F32, 4, po);
    cl_event user2 = clCreateUserEvent(clc, &e);
    ck_assert_int_eq(clrs_pixel_shuffle_cl(ctx, 2, 0, &pin, a, &pout, u, NULL, 1, &user2, &done), CLRS_OK);
    clGetEventInfo(done, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, NULL);
    ck_assert_int_gt(status, CL_COMPLETE);
    clSetUserEventStatus(user2, CL_COMPLETE);
    clWaitForEvents(1, &done);
    clEnqueueReadBuffer(q, u, CL_TRUE, 0, sizeof back, back, 0, NULL, NULL);
    /* in[c, 0, w] = src[c*2 + w]; out[0, i, w*2 + j] = in[i*2 + j, 0, w] */
    float wsh[8] = {1, 3, 5, 2, 8, -1, 8, 0};
    for (int i = 0; i < 8; i++) ck_assert_float_eq(back[i], wsh[i]);
    /* errors on the cl_mem path */
    ck_assert_int_eq(clrs_pool_cl(ctx, &p, &in, a, &out, a, NULL, NULL, NULL, 0, NULL, NULL), CLRS_ERR_ALIASING);
    ck_assert_int_eq(clrs_pool_cl(ctx, &p, &in, a, &out, b, NULL, c, NULL, 0, NULL, NULL), CLRS_ERR_INVALID_ARG);
    clReleaseEvent(done);
    clReleaseEvent(user);
    clReleaseEvent(user2);
    clReleaseMemObject(a);
    clReleaseMemObject(b);
    clReleaseMemObject(c);
    clReleaseMemObject(u);
}
END_TEST

/* The test case's timeout, in seconds, for a machine 10 times slower
 * than an idle 2-core one (test_golden_pool from an empty kernel cache is
 * the slowest test); the environment can only widen it (tu_timeout). */
#define TIMEOUT_CORE 3600

int main(void)
{
    tu_binary_cache_off(); /* operators, not the cache: see testutil.h */
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, tu_timeout(TIMEOUT_CORE));
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_max_rules);
    tcase_add_test(tc, test_unpool_duplicates);
    tcase_add_test(tc, test_unpool_empty_output);
    tcase_add_test(tc, test_fractional_seed);
    tcase_add_test(tc, test_64bit_indices);
    tcase_add_test(tc, test_strided_gaps_untouched);
    tcase_add_test(tc, test_cl_mem_calls);
    tcase_add_loop_test(tc, test_random_pool_vs_reference, 0, 3);
    tcase_add_loop_test(tc, test_random_unpool_shuffle_vs_reference, 0, 2);
    tcase_add_test(tc, test_fast_paths_vs_reference);
    tcase_add_test(tc, test_channels_last_rgb_windows);
    tcase_add_test(tc, test_adaptive_avg_channels_last_vectors);
    tcase_add_test(tc, test_golden_shuffle);
    tcase_add_test(tc, test_golden_unpool);
    tcase_add_test(tc, test_golden_pool);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_context_release();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
