/* SPDX-License-Identifier: MIT */
/* Backward (input gradients) of pixel (un)shuffle, max unpooling, the
 * poolings and interpolate (tests/golden/backward_interp.txt: within the
 * stated tolerances of torch, every layout the same bits):
 * golden vectors from torch.autograd.grad (tests/golden/backward.txt) in
 * every pair of layouts, bit-exact; random shapes against the C reference
 * (tests/ref); determinism (repeat runs, other work-group sizes through
 * clrs_tuning_set, NCHW vs channels-last: identical bits); the cl_mem
 * forms; the error cases. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clresample/cl_interop.h"
#include "dispatch.h"
#include "golden_io.h"
#include "npy.h"
#include "ref/ref.h"
#include "testutil.h"

static int64_t numel_of(int rank, const int64_t *s)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= s[i];
    return n;
}

static void set_list(int *n_out, int64_t *dst, int n, const int64_t *v)
{
    *n_out = n;
    for (int i = 0; i < n; i++) dst[i] = v[i];
}

static void unpool_params_from_case(const tu_case *c, clrs_unpool_params *p)
{
    clrs_unpool_params_init(p);
    int64_t v[8];
    set_list(&p->n_kernel, p->kernel, tu_get_ints(c, "kernel", v, 8), v);
    set_list(&p->n_stride, p->stride, tu_get_ints(c, "stride", v, 8), v);
    set_list(&p->n_padding, p->padding, tu_get_ints(c, "padding", v, 8), v);
    set_list(&p->n_output_size, p->output_size, tu_get_ints(c, "output_size", v, 8), v);
}

/* ---- golden ----------------------------------------------------------------- */
/* Layout pairs (grad_out, grad_in): each layout for both, and mixed. */
static const int LAYOUT_PAIRS[][2] = {{TU_CONTIGUOUS, TU_CONTIGUOUS},     {TU_CHANNELS_LAST, TU_CHANNELS_LAST},
                                      {TU_STRIDED, TU_STRIDED},           {TU_CONTIGUOUS, TU_CHANNELS_LAST},
                                      {TU_CHANNELS_LAST, TU_STRIDED},     {TU_STRIDED, TU_CONTIGUOUS}};
#define NPAIRS ((int)(sizeof LAYOUT_PAIRS / sizeof LAYOUT_PAIRS[0]))

START_TEST(test_golden_backward)
{
    clrs_context *ctx = tu_context();
    tu_case *cases = NULL;
    int n = tu_golden_cases("backward.txt", 60, &cases);
    int ran_shuffle = 0, ran_unpool = 0, errors = 0;
    for (int ci = 0; ci < n; ci++) {
        tu_progress("test_golden_backward", ci, n, "cases");
        const tu_case *c = &cases[ci];
        const char *id = tu_get_str(c, "id"), *op = tu_get_str(c, "op"), *err = tu_get_str(c, "error");
        const clrs_dtype dt = tu_dtype_from_name(tu_get_str(c, "dtype"));
        const int unpool = strcmp(op, "max_unpool") == 0;
        const int inverse = strcmp(op, "pixel_unshuffle") == 0;
        if (strstr(op, "_pool") != NULL) continue; /* test_golden_pool_backward, test_golden_avgpool_backward */
        ck_assert_msg(unpool || inverse || strcmp(op, "pixel_shuffle") == 0, "%s: unknown op %s", id, op);
        npy_array in, go, idx = {0}, ref = {0};
        ck_assert_msg(tu_load_golden(tu_get_str(c, "in"), &in) == 0, "%s: input", id);
        ck_assert_msg(tu_load_golden(tu_get_str(c, "grad_out"), &go) == 0, "%s: grad_out", id);
        if (unpool) ck_assert_msg(tu_load_golden(tu_get_str(c, "indices_in"), &idx) == 0, "%s: indices", id);
        if (err == NULL) ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &ref) == 0, "%s: grad_in", id);
        clrs_unpool_params up;
        int64_t factor = 0;
        if (unpool)
            unpool_params_from_case(c, &up);
        else
            factor = strtoll(tu_get_str(c, "factor"), NULL, 10);
        const int rank = in.ndim;
        const size_t es = clrs_dtype_size(dt);
        const int64_t ni = numel_of(rank, in.shape);
        for (int l = 0; l < NPAIRS; l++) {
            tu_tensor tg, ti, tx;
            tu_alloc(&tg, dt, go.ndim, go.shape, (tu_layout)LAYOUT_PAIRS[l][0], 0x5a);
            tu_alloc(&ti, dt, rank, in.shape, (tu_layout)LAYOUT_PAIRS[l][1], 0xab);
            tu_store(&tg, go.data);
            clrs_status st;
            if (unpool) {
                tu_alloc(&tx, CLRS_I64, rank, in.shape, (tu_layout)LAYOUT_PAIRS[(l + 1) % NPAIRS][0], 0x77);
                tu_store(&tx, idx.data);
                st = clrs_max_unpool_backward(ctx, &up, &tx.desc, tx.base, &tg.desc, tg.base, &ti.desc, ti.base);
                tu_free(&tx);
            } else {
                st = clrs_pixel_shuffle_backward(ctx, factor, inverse, &tg.desc, tg.base, &ti.desc, ti.base);
            }
            if (err != NULL) {
                ck_assert_msg(st == CLRS_ERR_INDEX_OUT_OF_RANGE, "%s: torch raised '%s', clrs gave %s", id, err,
                              clrs_status_name(st));
                /* the message names the offending index, as the forward's */
                const char *bad = strstr(err, "index:_");
                ck_assert_ptr_nonnull(bad);
                char num[32];
                snprintf(num, sizeof num, "%.*s", (int)strcspn(bad + 7, "_"), bad + 7);
                ck_assert_msg(strstr(clrs_last_error(ctx), num) != NULL, "%s: '%s' does not name index %s", id,
                              clrs_last_error(ctx), num);
            } else {
                ck_assert_msg(st == CLRS_OK, "%s: %s", id, clrs_last_error(ctx));
                unsigned char *got = malloc((size_t)ni * es + 1);
                tu_load(&ti, got);
                ck_assert_msg(memcmp(got, ref.data, (size_t)ni * es) == 0, "%s (grad_out %s, grad_in %s): not bit-exact",
                              id, tu_layout_name((tu_layout)LAYOUT_PAIRS[l][0]),
                              tu_layout_name((tu_layout)LAYOUT_PAIRS[l][1]));
                free(got);
            }
            tu_free(&tg);
            tu_free(&ti);
        }
        if (err != NULL)
            errors++;
        else if (unpool)
            ran_unpool++;
        else
            ran_shuffle++;
        npy_free(&in);
        npy_free(&go);
        npy_free(&idx);
        npy_free(&ref);
    }
    tu_progress("test_golden_backward", n, n, "cases");
    fprintf(stderr,
            "# backward golden: %d pixel (un)shuffle and %d max_unpool gradients bit-exact in %d layout pairs, %d torch "
            "errors reproduced\n",
            ran_shuffle, ran_unpool, NPAIRS, errors);
    ck_assert_int_ge(ran_shuffle, 20);
    ck_assert_int_gt(ran_unpool, 35);
    ck_assert_int_ge(errors, 6);
    free(cases);
}
END_TEST

/* ---- golden: max pooling, adaptive max pooling -------------------------------- */
/* Error in units in the last place of a 16-bit float type at ref. */
static double ulps16(clrs_dtype dt, double got, double ref)
{
    if (got == ref) return 0;
    int e;
    frexp(ref, &e);
    const double ulp = ldexp(1.0, e - (dt == CLRS_F16 ? 11 : 8));
    return fabs(got - ref) / ulp;
}

static void pool_params_from_case(const tu_case *c, clrs_pool_params *p)
{
    const char *op = tu_get_str(c, "op");
    clrs_pool_params_init(p, strcmp(op, "adaptive_max_pool") == 0   ? CLRS_POOL_ADAPTIVE_MAX
                             : strcmp(op, "avg_pool") == 0          ? CLRS_POOL_AVG
                             : strcmp(op, "adaptive_avg_pool") == 0 ? CLRS_POOL_ADAPTIVE_AVG
                             : strcmp(op, "fractional_max_pool") == 0 ? CLRS_POOL_FRACTIONAL_MAX
                             : strcmp(op, "lp_pool") == 0           ? CLRS_POOL_LP
                                                                    : CLRS_POOL_MAX);
    int64_t v[8];
    set_list(&p->n_kernel, p->kernel, tu_get_ints(c, "kernel", v, 8), v);
    set_list(&p->n_stride, p->stride, tu_get_ints(c, "stride", v, 8), v);
    set_list(&p->n_padding, p->padding, tu_get_ints(c, "padding", v, 8), v);
    set_list(&p->n_dilation, p->dilation, tu_get_ints(c, "dilation", v, 8), v);
    set_list(&p->n_output_size, p->output_size, tu_get_ints(c, "output_size", v, 8), v);
    p->ceil_mode = tu_get_int(c, "ceil_mode", 0);
    p->count_include_pad = tu_get_int(c, "count_include_pad", 1);
    p->divisor_override = tu_get_int(c, "divisor_override", 0);
    double d[4];
    const int nr = tu_get_doubles(c, "output_ratio", d, 4);
    p->n_output_ratio = nr;
    for (int i = 0; i < nr && i < 3; i++) p->output_ratio[i] = d[i];
    if (tu_get_doubles(c, "norm_type", d, 1) == 1) p->norm_type = d[0];
}

START_TEST(test_golden_pool_backward)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    clrs_context_device(ctx, &info);
    tu_case *cases = NULL;
    int n = tu_golden_cases("backward.txt", 60, &cases);
    int ran = 0, exact16 = 0, n16 = 0, nfrac = 0;
    double worst16 = 0;
    for (int ci = 0; ci < n; ci++) {
        const tu_case *c = &cases[ci];
        const char *id = tu_get_str(c, "id"), *op = tu_get_str(c, "op");
        if (strstr(op, "max_pool") == NULL) continue;
        tu_progress("test_golden_pool_backward", ci, n, "cases");
        const clrs_dtype dt = tu_dtype_from_name(tu_get_str(c, "dtype"));
        if (dt == CLRS_F64 && !info.fp64) continue;
        clrs_pool_params p;
        pool_params_from_case(c, &p);
        npy_array in, go, idx, ref, samples = {0};
        ck_assert_msg(tu_load_golden(tu_get_str(c, "in"), &in) == 0, "%s: input", id);
        ck_assert_msg(tu_load_golden(tu_get_str(c, "grad_out"), &go) == 0, "%s: grad_out", id);
        ck_assert_msg(tu_load_golden(tu_get_str(c, "indices_in"), &idx) == 0, "%s: indices", id);
        if (tu_get_str(c, "samples") != NULL) { /* fractional: the forward's samples (to recompute) */
            ck_assert_msg(tu_load_golden(tu_get_str(c, "samples"), &samples) == 0, "%s: samples", id);
            p.samples = samples.data;
            p.samples_dtype = samples.dtype;
            nfrac++;
        }
        ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &ref) == 0, "%s: grad_in", id);
        const int rank = in.ndim;
        const size_t es = clrs_dtype_size(dt);
        const int64_t ni = numel_of(rank, in.shape);
        unsigned char *got = malloc((size_t)ni * es + 1), *first = malloc((size_t)ni * es + 1);
        /* with the forward's indices and recomputed (no indices), in each
         * layout pair: the same bits every time */
        for (int l = 0; l < NPAIRS; l++)
            for (int given = 1; given >= 0; given--) {
                tu_tensor tin, tg, ti, tx;
                tu_alloc(&tin, dt, rank, in.shape, (tu_layout)LAYOUT_PAIRS[(l + 2) % NPAIRS][0], 0x5a);
                tu_alloc(&tg, dt, go.ndim, go.shape, (tu_layout)LAYOUT_PAIRS[l][0], 0x5a);
                tu_alloc(&ti, dt, rank, in.shape, (tu_layout)LAYOUT_PAIRS[l][1], 0xab);
                tu_alloc(&tx, CLRS_I64, idx.ndim, idx.shape, (tu_layout)LAYOUT_PAIRS[(l + 1) % NPAIRS][1], 0x77);
                tu_store(&tin, in.data);
                tu_store(&tg, go.data);
                tu_store(&tx, idx.data);
                clrs_status st = clrs_pool_backward(ctx, &p, &tin.desc, tin.base, given ? &tx.desc : NULL,
                                                    given ? tx.base : NULL, &tg.desc, tg.base, &ti.desc, ti.base);
                ck_assert_msg(st == CLRS_OK, "%s: %s", id, clrs_last_error(ctx));
                tu_load(&ti, got);
                if (l == 0 && given) {
                    memcpy(first, got, (size_t)ni * es);
                    if (dt == CLRS_F32 || dt == CLRS_F64) {
                        ck_assert_msg(memcmp(got, ref.data, (size_t)ni * es) == 0, "%s: not bit-exact with torch", id);
                    } else {
                        /* torch adds in the 16-bit type, rounding every partial
                         * sum (|sum| <= m * max|grad_out| for m contributions):
                         * within m^2 * eps * max|grad_out|, or 1 ulp */
                        const int64_t no = numel_of(go.ndim, go.shape), pi = ni / in.shape[0] / in.shape[1],
                                      po = no / in.shape[0] / in.shape[1];
                        int *m = calloc((size_t)ni, sizeof *m);
                        double maxgo = 0;
                        for (int64_t o = 0; o < no; o++) {
                            const int64_t v = ((const int64_t *)idx.data)[o];
                            if (v >= 0 && v < pi) m[o / po * pi + v]++;
                            if (fabs(tu_get(dt, go.data, o)) > maxgo) maxgo = fabs(tu_get(dt, go.data, o));
                        }
                        const double eps = dt == CLRS_F16 ? 0x1p-11 : 0x1p-8;
                        int all = 1;
                        for (int64_t i = 0; i < ni; i++) {
                            const double g = tu_get(dt, got, i), r = tu_get(dt, ref.data, i);
                            const double e = ulps16(dt, g, r);
                            ck_assert_msg(e <= 1.0 || fabs(g - r) <= (double)m[i] * m[i] * eps * maxgo,
                                          "%s: element %lld (%d contributions): %.9g vs torch %.9g (%.2f ulp)", id,
                                          (long long)i, m[i], g, r, e);
                            if (e > worst16) worst16 = e;
                            all &= e == 0;
                        }
                        exact16 += all;
                        n16++;
                        free(m);
                    }
                } else {
                    ck_assert_msg(memcmp(got, first, (size_t)ni * es) == 0,
                                  "%s (%s indices, grad_out %s, grad_in %s): other bits", id,
                                  given ? "given" : "recomputed", tu_layout_name((tu_layout)LAYOUT_PAIRS[l][0]),
                                  tu_layout_name((tu_layout)LAYOUT_PAIRS[l][1]));
                }
                tu_free(&tin);
                tu_free(&tg);
                tu_free(&ti);
                tu_free(&tx);
            }
        ran++;
        free(got);
        free(first);
        npy_free(&in);
        npy_free(&go);
        npy_free(&idx);
        npy_free(&ref);
        npy_free(&samples);
    }
    tu_progress("test_golden_pool_backward", n, n, "cases");
    fprintf(stderr,
            "# pool backward golden: %d max / adaptive max / fractional max (%d) pool gradients (f32, f64 bit-exact; "
            "f16/bf16: %d of %d bit-exact, worst %.2f ulp, torch adding in 16 bits), given and recomputed indices, %d "
            "layout pairs, identical bits\n",
            ran, nfrac, exact16, n16, worst16, NPAIRS);
    ck_assert_int_ge(ran, 60);
    free(cases);
}
END_TEST

/* Average and adaptive average pooling: no indices, the input's data not
 * read (NULL). f32 / f64: torch's bits (the same divisions, the same order
 * of additions); f16 / bf16: torch rounds each term and each partial sum
 * to 16 bits, the library adds in f32 and rounds once. */
START_TEST(test_golden_avgpool_backward)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    clrs_context_device(ctx, &info);
    tu_case *cases = NULL;
    int n = tu_golden_cases("backward.txt", 60, &cases);
    int ran = 0, exact16 = 0, n16 = 0, nref = 0;
    double worst16 = 0, worst16rel = 0;
    for (int ci = 0; ci < n; ci++) {
        const tu_case *c = &cases[ci];
        const char *id = tu_get_str(c, "id"), *op = tu_get_str(c, "op");
        if (strstr(op, "avg_pool") == NULL) continue;
        tu_progress("test_golden_avgpool_backward", ci, n, "cases");
        const clrs_dtype dt = tu_dtype_from_name(tu_get_str(c, "dtype"));
        if (dt == CLRS_F64 && !info.fp64) continue;
        clrs_pool_params p;
        pool_params_from_case(c, &p);
        npy_array in, go, ref;
        ck_assert_msg(tu_load_golden(tu_get_str(c, "in"), &in) == 0, "%s: input", id);
        ck_assert_msg(tu_load_golden(tu_get_str(c, "grad_out"), &go) == 0, "%s: grad_out", id);
        ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &ref) == 0, "%s: grad_in", id);
        const int rank = in.ndim;
        const size_t es = clrs_dtype_size(dt);
        const int64_t ni = numel_of(rank, in.shape), no = numel_of(go.ndim, go.shape);
        unsigned char *got = malloc((size_t)ni * es + 1), *first = malloc((size_t)ni * es + 1);
        for (int l = 0; l < NPAIRS; l++) {
            tu_tensor tg, ti;
            clrs_tensor_desc din;
            clrs_tensor_desc_contiguous(&din, dt, rank, in.shape);
            tu_alloc(&tg, dt, go.ndim, go.shape, (tu_layout)LAYOUT_PAIRS[l][0], 0x5a);
            tu_alloc(&ti, dt, rank, in.shape, (tu_layout)LAYOUT_PAIRS[l][1], 0xab);
            tu_store(&tg, go.data);
            clrs_status st = clrs_pool_backward(ctx, &p, &din, NULL, NULL, NULL, &tg.desc, tg.base, &ti.desc, ti.base);
            ck_assert_msg(st == CLRS_OK, "%s: %s", id, clrs_last_error(ctx));
            tu_load(&ti, got);
            if (l == 0) {
                memcpy(first, got, (size_t)ni * es);
                if (dt == CLRS_F32 || dt == CLRS_F64) {
                    for (int64_t i = 0; i < ni; i++)
                        ck_assert_msg(memcmp(got + i * es, (const unsigned char *)ref.data + i * es, es) == 0,
                                      "%s: element %lld: %.17g vs torch %.17g", id, (long long)i, tu_get(dt, got, i),
                                      tu_get(dt, ref.data, i));
                    /* the C reference (tests/ref) gives torch's bits too */
                    double *vg = malloc((size_t)(no + 1) * sizeof *vg), *vr = malloc((size_t)ni * sizeof *vr);
                    for (int64_t o = 0; o < no; o++) vg[o] = tu_get(dt, go.data, o);
                    ck_assert_int_eq(ref_avg_pool_backward(rank, in.shape, &p, vg, vr, dt), 0);
                    for (int64_t i = 0; i < ni; i++)
                        ck_assert_msg(vr[i] == tu_get(dt, ref.data, i), "%s: reference element %lld: %.17g vs torch %.17g",
                                      id, (long long)i, vr[i], tu_get(dt, ref.data, i));
                    nref++;
                    free(vg);
                    free(vr);
                } else {
                    double maxgo = 0;
                    for (int64_t o = 0; o < no; o++)
                        if (fabs(tu_get(dt, go.data, o)) > maxgo) maxgo = fabs(tu_get(dt, go.data, o));
                    const double eps = dt == CLRS_F16 ? 0x1p-11 : 0x1p-8;
                    int all = 1;
                    for (int64_t i = 0; i < ni; i++) {
                        const double g = tu_get(dt, got, i), r = tu_get(dt, ref.data, i);
                        const double e = ulps16(dt, g, r), rel = fabs(g - r) / (eps * maxgo);
                        /* within 4 eps of the gradient's scale (max |grad_out|) */
                        ck_assert_msg(rel <= 4.0, "%s: element %lld: %.9g vs torch %.9g (%.2f eps x max|grad_out|)",
                                      id, (long long)i, g, r, rel);
                        if (e > worst16) worst16 = e;
                        if (rel > worst16rel) worst16rel = rel;
                        all &= e == 0;
                    }
                    exact16 += all;
                    n16++;
                }
            } else {
                ck_assert_msg(memcmp(got, first, (size_t)ni * es) == 0, "%s (grad_out %s, grad_in %s): other bits", id,
                              tu_layout_name((tu_layout)LAYOUT_PAIRS[l][0]),
                              tu_layout_name((tu_layout)LAYOUT_PAIRS[l][1]));
            }
            tu_free(&tg);
            tu_free(&ti);
        }
        ran++;
        free(got);
        free(first);
        npy_free(&in);
        npy_free(&go);
        npy_free(&ref);
    }
    tu_progress("test_golden_avgpool_backward", n, n, "cases");
    fprintf(stderr,
            "# avg pool backward golden: %d avg / adaptive avg pool gradients (f32, f64 bit-exact; f16/bf16: %d of %d "
            "bit-exact, worst %.2f ulp = %.2f eps x max|grad_out|, torch adding in 16 bits), %d layout pairs, "
            "identical bits; the C reference bit-exact on %d f32/f64 ones\n",
            ran, exact16, n16, worst16, worst16rel, NPAIRS, nref);
    ck_assert_int_ge(ran, 60);
    free(cases);
}
END_TEST

/* ---- random shapes against the C reference ----------------------------------- */
static const clrs_dtype FLOAT_DTS[] = {CLRS_F32, CLRS_F64, CLRS_F16, CLRS_BF16};

/* Random values exact in every dtype (multiples of 1/8 in [-16, 16)). */
static void fill_exact(uint64_t *rng, clrs_dtype dt, double *v, unsigned char *lin, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        v[i] = (double)tu_range(rng, -128, 127) / 8.0;
        tu_set(dt, lin, i, v[i]);
    }
}

START_TEST(test_random_vs_reference)
{
    clrs_context *ctx = tu_context();
    uint64_t rng = 0xB4C3A11ULL + (uint64_t)_i;
    int cases = 0;
    for (int it = 0; it < 24; it++) {
        const clrs_dtype dt = FLOAT_DTS[it % 4];
        const size_t es = clrs_dtype_size(dt);
        const tu_layout lg = (tu_layout)tu_range(&rng, 0, 2), li = (tu_layout)tu_range(&rng, 0, 2);
        /* max_unpool: random kernel/stride/padding, random indices in the
         * output plane (repeats and indices outside their window included) */
        {
            const int rank = (int)tu_range(&rng, 3, 5), sp = rank - 2;
            int64_t isz[CLRS_MAX_RANK], osz[CLRS_MAX_RANK];
            isz[0] = tu_range(&rng, 1, 2);
            isz[1] = tu_range(&rng, 1, 3);
            clrs_unpool_params p;
            clrs_unpool_params_init(&p);
            p.n_kernel = p.n_stride = p.n_padding = sp;
            for (int a = 0; a < sp; a++) {
                isz[2 + a] = tu_range(&rng, 1, rank == 5 ? 4 : 7);
                p.kernel[a] = tu_range(&rng, 1, 3);
                p.stride[a] = tu_range(&rng, 1, 3);
                p.padding[a] = tu_range(&rng, 0, (p.kernel[a] - 1) / 2);
            }
            if (ref_max_unpool_shape(rank, isz, &p, osz) != 0) continue;
            clrs_tensor_desc d;
            clrs_tensor_desc_contiguous(&d, dt, rank, isz);
            int64_t lsz[CLRS_MAX_RANK];
            ck_assert_int_eq(clrs_max_unpool_output_shape(ctx, &d, &p, lsz), CLRS_OK);
            for (int i = 0; i < rank; i++) ck_assert_int_eq(lsz[i], osz[i]);
            const int64_t ni = numel_of(rank, isz), no = numel_of(rank, osz), oplane = no / osz[0] / osz[1];
            if (oplane == 0) continue;
            double *vg = malloc((size_t)no * sizeof *vg), *vr = malloc((size_t)ni * sizeof *vr);
            unsigned char *lgo = malloc((size_t)no * es), *lgot = malloc((size_t)ni * es), *lref = malloc((size_t)ni * es);
            int64_t *ix = malloc((size_t)ni * sizeof *ix);
            fill_exact(&rng, dt, vg, lgo, no);
            for (int64_t i = 0; i < ni; i++) ix[i] = tu_range(&rng, 0, oplane - 1);
            ck_assert_int_eq(ref_max_unpool_backward(rank, isz, ix, &p, vg, vr), 0);
            for (int64_t i = 0; i < ni; i++) tu_set(dt, lref, i, vr[i]);
            tu_tensor tg, tx, ti;
            tu_alloc(&tg, dt, rank, osz, lg, 0x11);
            tu_alloc(&tx, CLRS_I64, rank, isz, li, 0x22);
            tu_alloc(&ti, dt, rank, isz, li, 0x33);
            tu_store(&tg, lgo);
            tu_store(&tx, ix);
            clrs_status st = clrs_max_unpool_backward(ctx, &p, &tx.desc, tx.base, &tg.desc, tg.base, &ti.desc, ti.base);
            ck_assert_msg(st == CLRS_OK, "unpool backward case %d: %s", it, clrs_last_error(ctx));
            tu_load(&ti, lgot);
            ck_assert_msg(memcmp(lgot, lref, (size_t)ni * es) == 0, "unpool backward case %d (rank %d %s) differs", it,
                          rank, clrs_dtype_name(dt));
            tu_free(&tg);
            tu_free(&tx);
            tu_free(&ti);
            free(vg);
            free(vr);
            free(lgo);
            free(lgot);
            free(lref);
            free(ix);
            cases++;
        }
        /* pixel shuffle / unshuffle */
        {
            const int inverse = (int)tu_range(&rng, 0, 1);
            const int64_t r = tu_range(&rng, 1, 3);
            int64_t isz[4], osz[4];
            isz[0] = tu_range(&rng, 1, 2);
            if (inverse) {
                isz[1] = tu_range(&rng, 1, 3);
                isz[2] = r * tu_range(&rng, 1, 4);
                isz[3] = r * tu_range(&rng, 1, 4);
            } else {
                isz[1] = r * r * tu_range(&rng, 1, 3);
                isz[2] = tu_range(&rng, 1, 5);
                isz[3] = tu_range(&rng, 1, 5);
            }
            ck_assert_int_eq(ref_pixel_shuffle_shape(4, isz, r, inverse, osz), 0);
            const int64_t n = numel_of(4, isz);
            double *vg = malloc((size_t)n * sizeof *vg), *vr = malloc((size_t)n * sizeof *vr);
            unsigned char *lgo = malloc((size_t)n * es), *lgot = malloc((size_t)n * es), *lref = malloc((size_t)n * es);
            fill_exact(&rng, dt, vg, lgo, n);
            ck_assert_int_eq(ref_pixel_shuffle_backward(isz, r, inverse, vg, vr), 0);
            for (int64_t i = 0; i < n; i++) tu_set(dt, lref, i, vr[i]);
            tu_tensor tg, ti;
            tu_alloc(&tg, dt, 4, osz, lg, 0x11);
            tu_alloc(&ti, dt, 4, isz, li, 0x33);
            tu_store(&tg, lgo);
            clrs_status st = clrs_pixel_shuffle_backward(ctx, r, inverse, &tg.desc, tg.base, &ti.desc, ti.base);
            ck_assert_msg(st == CLRS_OK, "shuffle backward case %d: %s", it, clrs_last_error(ctx));
            tu_load(&ti, lgot);
            ck_assert_msg(memcmp(lgot, lref, (size_t)n * es) == 0, "shuffle backward case %d differs", it);
            tu_free(&tg);
            tu_free(&ti);
            free(vg);
            free(vr);
            free(lgo);
            free(lgot);
            free(lref);
            cases++;
        }
    }
    ck_assert_int_gt(cases, 30);
}
END_TEST

/* Max and adaptive max pooling: random parameters, values with ties, the
 * indices from the reference's forward; the library with those indices and
 * recomputing them must give the reference's backward bits (float
 * accumulation in output order), every dtype. */
START_TEST(test_random_pool_vs_reference)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    clrs_context_device(ctx, &info);
    uint64_t rng = 0x9001BACCULL + (uint64_t)_i;
    int cases = 0, nfrac = 0;
    for (int it = 0; it < 40 && cases < 24; it++) {
        const clrs_dtype dt = FLOAT_DTS[it % 4];
        if (dt == CLRS_F64 && !info.fp64) continue;
        const size_t es = clrs_dtype_size(dt);
        const int frac = it % 5 == 4, rank = frac ? (int)tu_range(&rng, 4, 5) : (int)tu_range(&rng, 3, 5),
                  sp = rank - 2;
        const int adaptive = !frac && it % 3 == 2;
        int64_t isz[CLRS_MAX_RANK], osz[CLRS_MAX_RANK];
        isz[0] = tu_range(&rng, 1, 2);
        isz[1] = tu_range(&rng, 1, 3);
        clrs_pool_params p;
        clrs_pool_params_init(&p, frac       ? CLRS_POOL_FRACTIONAL_MAX
                                  : adaptive ? CLRS_POOL_ADAPTIVE_MAX
                                             : CLRS_POOL_MAX);
        for (int a = 0; a < sp; a++) isz[2 + a] = tu_range(&rng, 1, rank == 5 ? 6 : 12);
        double smp[2 * 3 * 3];
        if (frac) { /* kernel k, output o with o + k - 1 < in; samples in [0, 1) */
            p.n_kernel = p.n_output_size = sp;
            for (int a = 0; a < sp; a++) {
                isz[2 + a] += 2;
                p.kernel[a] = tu_range(&rng, 1, isz[2 + a] - 1 < 3 ? isz[2 + a] - 1 : 3); /* >= 1 output */
                p.output_size[a] = tu_range(&rng, 1, isz[2 + a] - p.kernel[a]);
            }
            for (int i = 0; i < 2 * 3 * 3; i++) smp[i] = tu_uniform(&rng) * 0.999;
            p.samples = smp;
            p.samples_dtype = CLRS_F64;
        } else if (adaptive) {
            p.n_output_size = sp;
            for (int a = 0; a < sp; a++) p.output_size[a] = tu_range(&rng, 1, isz[2 + a] + 1);
        } else {
            p.n_kernel = p.n_stride = p.n_padding = p.n_dilation = sp;
            for (int a = 0; a < sp; a++) {
                p.kernel[a] = tu_range(&rng, 1, 4);
                p.stride[a] = tu_range(&rng, 1, 3);
                p.padding[a] = tu_range(&rng, 0, p.kernel[a] / 2);
                p.dilation[a] = tu_range(&rng, 1, 2);
            }
            p.ceil_mode = (int)tu_range(&rng, 0, 1);
        }
        if (ref_pool_shape(rank, isz, &p, osz) != 0) continue;
        const int64_t ni = numel_of(rank, isz), no = numel_of(rank, osz);
        if (no == 0) continue;
        double *vin = malloc((size_t)ni * sizeof *vin), *vout = malloc((size_t)no * sizeof *vout),
               *vg = malloc((size_t)no * sizeof *vg), *vr = malloc((size_t)ni * sizeof *vr);
        int64_t *ix = malloc((size_t)no * sizeof *ix);
        unsigned char *lin = malloc((size_t)ni * es), *lgo = malloc((size_t)no * es), *lref = malloc((size_t)ni * es),
                      *lgot = malloc((size_t)ni * es);
        for (int64_t i = 0; i < ni; i++) {
            vin[i] = (double)tu_range(&rng, 0, 5); /* ties */
            tu_set(dt, lin, i, vin[i]);
        }
        fill_exact(&rng, dt, vg, lgo, no);
        ck_assert_int_eq(ref_pool(rank, isz, vin, &p, osz, vout, ix, dt), 0);
        ck_assert_int_eq(ref_max_pool_backward(rank, isz, osz, ix, vg, vr, dt), 0);
        for (int64_t i = 0; i < ni; i++) tu_set(dt, lref, i, vr[i]);
        for (int given = 0; given < 2; given++) {
            tu_tensor tin, tx, tg, ti;
            tu_alloc(&tin, dt, rank, isz, (tu_layout)tu_range(&rng, 0, 2), 0x11);
            tu_alloc(&tx, CLRS_I64, rank, osz, (tu_layout)tu_range(&rng, 0, 2), 0x22);
            tu_alloc(&tg, dt, rank, osz, (tu_layout)tu_range(&rng, 0, 2), 0x33);
            tu_alloc(&ti, dt, rank, isz, (tu_layout)tu_range(&rng, 0, 2), 0x44);
            tu_store(&tin, lin);
            tu_store(&tx, ix);
            tu_store(&tg, lgo);
            clrs_status st = clrs_pool_backward(ctx, &p, &tin.desc, tin.base, given ? &tx.desc : NULL,
                                                given ? tx.base : NULL, &tg.desc, tg.base, &ti.desc, ti.base);
            ck_assert_msg(st == CLRS_OK, "pool backward case %d: %s", it, clrs_last_error(ctx));
            tu_load(&ti, lgot);
            ck_assert_msg(memcmp(lgot, lref, (size_t)ni * es) == 0,
                          "pool backward case %d (%s rank %d %s, %s indices) differs from the reference", it,
                          frac ? "fractional max" : adaptive ? "adaptive max" : "max", rank, clrs_dtype_name(dt), given ? "given" : "recomputed");
            tu_free(&tin);
            tu_free(&tx);
            tu_free(&tg);
            tu_free(&ti);
        }
        free(vin);
        free(vout);
        free(vg);
        free(vr);
        free(ix);
        free(lin);
        free(lgo);
        free(lref);
        free(lgot);
        cases++;
        nfrac += frac;
    }
    fprintf(stderr, "# random max-type pool backward: %d cases (%d fractional) bit-exact with the reference\n", cases,
            nfrac);
    ck_assert_int_ge(cases, 20);
    ck_assert_int_ge(nfrac, 3);
}
END_TEST

/* Average and adaptive average pooling: random parameters (padding,
 * ceil_mode, count_include_pad, divisor_override), random grad_out; the
 * library must give the reference's bits (torch's divisions, float
 * accumulation in output order), every dtype and layout. */
START_TEST(test_random_avgpool_vs_reference)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    clrs_context_device(ctx, &info);
    uint64_t rng = 0xA76B0CCULL + (uint64_t)_i;
    int cases = 0;
    for (int it = 0; it < 50 && cases < 30; it++) {
        const clrs_dtype dt = FLOAT_DTS[it % 4];
        if (dt == CLRS_F64 && !info.fp64) continue;
        const size_t es = clrs_dtype_size(dt);
        const int rank = (int)tu_range(&rng, 3, 5), sp = rank - 2;
        const int adaptive = it % 3 == 2;
        int64_t isz[CLRS_MAX_RANK], osz[CLRS_MAX_RANK];
        isz[0] = tu_range(&rng, 1, 2);
        isz[1] = tu_range(&rng, 1, 3);
        clrs_pool_params p;
        clrs_pool_params_init(&p, adaptive ? CLRS_POOL_ADAPTIVE_AVG : CLRS_POOL_AVG);
        for (int a = 0; a < sp; a++) isz[2 + a] = tu_range(&rng, 1, rank == 5 ? 7 : 13);
        if (adaptive) {
            p.n_output_size = sp;
            for (int a = 0; a < sp; a++) p.output_size[a] = tu_range(&rng, 1, isz[2 + a] + 2);
        } else {
            p.n_kernel = p.n_stride = p.n_padding = sp;
            for (int a = 0; a < sp; a++) {
                p.kernel[a] = tu_range(&rng, 1, 4);
                p.stride[a] = tu_range(&rng, 1, 3);
                p.padding[a] = tu_range(&rng, 0, p.kernel[a] / 2);
            }
            p.ceil_mode = (int)tu_range(&rng, 0, 1);
            p.count_include_pad = (int)tu_range(&rng, 0, 1);
            if (tu_range(&rng, 0, 3) == 0) p.divisor_override = tu_range(&rng, 1, 7);
        }
        if (ref_pool_shape(rank, isz, &p, osz) != 0) continue;
        const int64_t ni = numel_of(rank, isz), no = numel_of(rank, osz);
        if (no == 0) continue;
        double *vg = malloc((size_t)no * sizeof *vg), *vr = malloc((size_t)ni * sizeof *vr);
        unsigned char *lgo = malloc((size_t)no * es), *lref = malloc((size_t)ni * es), *lgot = malloc((size_t)ni * es);
        fill_exact(&rng, dt, vg, lgo, no);
        ck_assert_int_eq(ref_avg_pool_backward(rank, isz, &p, vg, vr, dt), 0);
        for (int64_t i = 0; i < ni; i++) tu_set(dt, lref, i, vr[i]);
        tu_tensor tg, ti;
        clrs_tensor_desc din;
        clrs_tensor_desc_contiguous(&din, dt, rank, isz);
        tu_alloc(&tg, dt, rank, osz, (tu_layout)tu_range(&rng, 0, 2), 0x33);
        tu_alloc(&ti, dt, rank, isz, (tu_layout)tu_range(&rng, 0, 2), 0x44);
        tu_store(&tg, lgo);
        clrs_status st = clrs_pool_backward(ctx, &p, &din, NULL, NULL, NULL, &tg.desc, tg.base, &ti.desc, ti.base);
        ck_assert_msg(st == CLRS_OK, "avg pool backward case %d: %s", it, clrs_last_error(ctx));
        tu_load(&ti, lgot);
        ck_assert_msg(memcmp(lgot, lref, (size_t)ni * es) == 0,
                      "avg pool backward case %d (%s rank %d %s) differs from the reference", it,
                      adaptive ? "adaptive avg" : "avg", rank, clrs_dtype_name(dt));
        tu_free(&tg);
        tu_free(&ti);
        free(vg);
        free(vr);
        free(lgo);
        free(lref);
        free(lgot);
        cases++;
    }
    ck_assert_int_ge(cases, 24);
}
END_TEST

/* LP pooling backward, finite p, f32 / f64, random shapes, kernels,
 * strides, ceil_mode and p against the double reference
 * (ref_lp_pool_backward): within 1e-5 (f32) / 1e-12 (f64) of the
 * gradient's scale max(1, max|ref|). Inputs positive (x^p defined for
 * every p), every tensor in a random layout. */
START_TEST(test_random_lppool_vs_reference)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    clrs_context_device(ctx, &info);
    uint64_t rng = 0x1B9001ULL + (uint64_t)_i;
    static const double PS[5] = {1.0, 2.0, 3.0, 1.5, 4.0};
    int cases = 0;
    for (int it = 0; it < 40 && cases < 24; it++) {
        const clrs_dtype dt = it % 2 ? CLRS_F64 : CLRS_F32;
        if (dt == CLRS_F64 && !info.fp64) continue;
        const size_t es = clrs_dtype_size(dt);
        const int rank = (int)tu_range(&rng, 3, 5), sp = rank - 2;
        int64_t isz[CLRS_MAX_RANK], osz[CLRS_MAX_RANK];
        isz[0] = tu_range(&rng, 1, 2);
        isz[1] = tu_range(&rng, 1, 3);
        for (int a = 0; a < sp; a++) isz[2 + a] = tu_range(&rng, 1, rank == 5 ? 7 : 13);
        clrs_pool_params p;
        clrs_pool_params_init(&p, CLRS_POOL_LP);
        p.norm_type = PS[tu_range(&rng, 0, 4)];
        p.n_kernel = sp;
        for (int a = 0; a < sp; a++) p.kernel[a] = tu_range(&rng, 1, 3);
        if (tu_range(&rng, 0, 1)) {
            p.n_stride = sp;
            for (int a = 0; a < sp; a++) p.stride[a] = tu_range(&rng, 1, 3);
        }
        p.ceil_mode = (int)tu_range(&rng, 0, 1);
        if (ref_pool_shape(rank, isz, &p, osz) != 0) continue;
        const int64_t ni = numel_of(rank, isz), no = numel_of(rank, osz);
        if (no == 0) continue;
        double *vx = malloc((size_t)ni * sizeof *vx), *vg = malloc((size_t)no * sizeof *vg),
               *vr = malloc((size_t)ni * sizeof *vr);
        unsigned char *lx = malloc((size_t)ni * es), *lgo = malloc((size_t)no * es), *lgot = malloc((size_t)ni * es);
        for (int64_t i = 0; i < ni; i++) {
            vx[i] = (double)tu_range(&rng, 1, 64) / 16.0;
            tu_set(dt, lx, i, vx[i]);
        }
        fill_exact(&rng, dt, vg, lgo, no);
        ck_assert_int_eq(ref_lp_pool_backward(rank, isz, &p, vx, vg, vr), 0);
        tu_tensor tx, tg, ti;
        tu_alloc(&tx, dt, rank, isz, (tu_layout)tu_range(&rng, 0, 2), 0x22);
        tu_alloc(&tg, dt, rank, osz, (tu_layout)tu_range(&rng, 0, 2), 0x33);
        tu_alloc(&ti, dt, rank, isz, (tu_layout)tu_range(&rng, 0, 2), 0x44);
        tu_store(&tx, lx);
        tu_store(&tg, lgo);
        clrs_status st = clrs_pool_backward(ctx, &p, &tx.desc, tx.base, NULL, NULL, &tg.desc, tg.base, &ti.desc, ti.base);
        ck_assert_msg(st == CLRS_OK, "lp pool backward case %d: %s", it, clrs_last_error(ctx));
        tu_load(&ti, lgot);
        double scale = 1;
        for (int64_t i = 0; i < ni; i++) scale = fmax(scale, fabs(vr[i]));
        const double tol = (dt == CLRS_F64 ? 1e-12 : 1e-5) * scale;
        for (int64_t i = 0; i < ni; i++) {
            const double got = tu_get(dt, lgot, i);
            ck_assert_msg(fabs(got - vr[i]) <= tol,
                          "lp pool backward case %d (p %g rank %d %s ceil %d): element %lld: %.17g vs reference %.17g",
                          it, p.norm_type, rank, clrs_dtype_name(dt), p.ceil_mode, (long long)i, got, vr[i]);
        }
        tu_free(&tx);
        tu_free(&tg);
        tu_free(&ti);
        free(vx);
        free(vg);
        free(vr);
        free(lx);
        free(lgo);
        free(lgot);
        cases++;
    }
    ck_assert_int_ge(cases, 16);
}
END_TEST

/* LP pooling: torch's autograd of its composition (golden). Finite p, f32
 * / f64: the library recomputes each window's sum from the input and
 * composes the same steps, but its pow is not glibc's: within LP_TOL of
 * the gradient's scale (the largest finite |torch gradient| of the case),
 * NaN where torch has NaN, the same infinities. Finite p, f16 / bf16: torch
 * rounds every step to 16 bits, the library computes in float with the
 * 16-bit range and rounds once: within LP_TOL16 epsilons of the scale
 * (measured: 5.6 f16, 4.7 bf16 on non-negative inputs and even p; where a
 * signed window's sum cancels torch's own 16-bit error is unbounded, so
 * the goldens hold no such case). p = +-inf: max_pool(|x|)'s gradient
 * times sign(x): f32 / f64 bit-exact (signed zeros too), f16 / bf16 as
 * max pooling's (torch adds in 16 bits): within 1 ulp or M^2 eps
 * max|grad_out| for M windows that may hold a position. Every layout pair
 * gives identical bits. */
#define LP_TOL_F32 1e-6
#define LP_TOL_F64 4e-15
#define LP_TOL16 8.0
START_TEST(test_golden_lppool_backward)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    clrs_context_device(ctx, &info);
    tu_case *cases = NULL;
    int n = tu_golden_cases("backward.txt", 60, &cases);
    int ran = 0, exact = 0, nonfinite = 0, ninf = 0, n16 = 0;
    double worst[2] = {0, 0}, worst16 = 0, worstinf16 = 0;
    for (int ci = 0; ci < n; ci++) {
        const tu_case *c = &cases[ci];
        const char *id = tu_get_str(c, "id"), *op = tu_get_str(c, "op");
        if (strcmp(op, "lp_pool") != 0) continue;
        const clrs_dtype dt = tu_dtype_from_name(tu_get_str(c, "dtype"));
        if (dt == CLRS_F64 && !info.fp64) continue;
        const int half = dt == CLRS_F16 || dt == CLRS_BF16;
        const double eps = dt == CLRS_F16 ? 0x1p-11 : 0x1p-8;
        clrs_pool_params p;
        pool_params_from_case(c, &p);
        const int pinf = isinf(p.norm_type) != 0; /* glibc: -1 for -inf */
        npy_array in, go, ref;
        ck_assert_msg(tu_load_golden(tu_get_str(c, "in"), &in) == 0, "%s: input", id);
        ck_assert_msg(tu_load_golden(tu_get_str(c, "grad_out"), &go) == 0, "%s: grad_out", id);
        ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &ref) == 0, "%s: grad_in", id);
        const int rank = in.ndim;
        const size_t es = clrs_dtype_size(dt);
        const int64_t ni = numel_of(rank, in.shape), no = numel_of(go.ndim, go.shape);
        unsigned char *got = malloc((size_t)ni * es + 1), *first = malloc((size_t)ni * es + 1);
        double scale = 0, maxgo = 0;
        for (int64_t i = 0; i < ni; i++) {
            const double r = tu_get(dt, ref.data, i);
            if (isfinite(r) && fabs(r) > scale) scale = fabs(r);
        }
        for (int64_t o = 0; o < no; o++) {
            const double g = tu_get(dt, go.data, o);
            if (isfinite(g) && fabs(g) > maxgo) maxgo = fabs(g);
        }
        /* p = +-inf, 16-bit: how many windows may hold one position */
        double m = 1;
        for (int a = 0; a < rank - 2; a++) {
            const int64_t k = p.kernel[p.n_kernel == 1 ? 0 : a], s = p.n_stride ? p.stride[p.n_stride == 1 ? 0 : a] : k;
            m *= (double)((k + s - 1) / s);
        }
        const double tol = half ? LP_TOL16 * eps * (scale > 0 ? scale : 1)
                                : (dt == CLRS_F64 ? LP_TOL_F64 : LP_TOL_F32) * (scale > 0 ? scale : 1);
        int case_exact = 1;
        for (int l = 0; l < NPAIRS; l++) {
            tu_tensor tin, tg, ti;
            tu_alloc(&tin, dt, rank, in.shape, (tu_layout)LAYOUT_PAIRS[l][0], 0x11);
            tu_alloc(&tg, dt, go.ndim, go.shape, (tu_layout)LAYOUT_PAIRS[l][0], 0x5a);
            tu_alloc(&ti, dt, rank, in.shape, (tu_layout)LAYOUT_PAIRS[l][1], 0xab);
            tu_store(&tin, in.data);
            tu_store(&tg, go.data);
            clrs_status st = clrs_pool_backward(ctx, &p, &tin.desc, tin.base, NULL, NULL, &tg.desc, tg.base, &ti.desc,
                                                ti.base);
            ck_assert_msg(st == CLRS_OK, "%s: %s", id, clrs_last_error(ctx));
            tu_load(&ti, got);
            if (l == 0) {
                memcpy(first, got, (size_t)ni * es);
                if (pinf && !half) { /* torch's bits, signed zeros and all */
                    for (int64_t i = 0; i < ni; i++) {
                        const double g = tu_get(dt, got, i), r = tu_get(dt, ref.data, i);
                        ck_assert_msg((isnan(g) && isnan(r)) ||
                                          memcmp(got + i * es, (const unsigned char *)ref.data + i * es, es) == 0,
                                      "%s: element %lld: %g vs torch %g (not bit-exact)", id, (long long)i, g, r);
                        nonfinite += !isfinite(r);
                    }
                }
                for (int64_t i = 0; i < ni && !(pinf && !half); i++) {
                    const double g = tu_get(dt, got, i), r = tu_get(dt, ref.data, i);
                    if (isnan(r) || isinf(r)) {
                        ck_assert_msg(isnan(r) ? isnan(g) : g == r, "%s: element %lld: %g vs torch %g", id,
                                      (long long)i, g, r);
                        nonfinite++;
                        continue;
                    }
                    const double err = fabs(g - r);
                    if (memcmp(got + i * es, (const unsigned char *)ref.data + i * es, es) != 0) case_exact = 0;
                    if (pinf) {
                        ck_assert_msg(ulps16(dt, g, r) <= 1.0 || err <= m * m * eps * maxgo,
                                      "%s: element %lld: %.9g vs torch %.9g (%.2f ulp, %g windows)", id, (long long)i,
                                      g, r, ulps16(dt, g, r), m);
                        if (maxgo > 0 && err / (eps * maxgo) > worstinf16) worstinf16 = err / (eps * maxgo);
                        continue;
                    }
                    ck_assert_msg(err <= tol, "%s: element %lld: %.17g vs torch %.17g (error %g > %g)", id,
                                  (long long)i, g, r, err, tol);
                    if (half) {
                        if (err / (eps * (scale > 0 ? scale : 1)) > worst16) worst16 = err / (eps * scale);
                    } else if (err / (scale > 0 ? scale : 1) > worst[dt == CLRS_F64]) {
                        worst[dt == CLRS_F64] = err / scale;
                    }
                }
            } else {
                ck_assert_msg(memcmp(got, first, (size_t)ni * es) == 0, "%s: layout pair %d gives other bits", id, l);
            }
            tu_free(&tin);
            tu_free(&tg);
            tu_free(&ti);
        }
        exact += case_exact;
        ninf += pinf;
        n16 += half;
        free(got);
        free(first);
        npy_free(&in);
        npy_free(&go);
        npy_free(&ref);
        ran++;
    }
    free(cases);
    fprintf(stderr,
            "# lp pool backward golden: %d cases (%d bit-exact; %d with p = +-inf, f32/f64 of them bit-exact; %d "
            "f16/bf16), %d NaN/inf elements as torch's; worst error / scale: f32 %.3g, f64 %.3g, f16/bf16 %.2f eps; "
            "p = +-inf f16/bf16 %.2f eps x max|grad_out|\n",
            ran, exact, ninf, n16, nonfinite, worst[0], worst[1], worst16, worstinf16);
    ck_assert_int_ge(ran, 200);
    ck_assert_int_ge(ninf, 60);
    ck_assert_int_ge(n16, 40);
    ck_assert_int_gt(nonfinite, 0);
}
END_TEST

/* ---- forced implementations ---------------------------------------------------- */
/* The pooling backward's specialised entries (pool_backward/disjoint,
 * pool_backward/gather, pool_backward_avg/disjoint) against the general
 * ones (pool_backward/scan, pool_backward_avg/avg), forced by disabling:
 * the same bits, every dtype, contiguous and channels-last tensors;
 * disjoint windows (stride == kernel with padding and ceil_mode, adaptive
 * with divisible sizes) and overlapping ones, indices given, recomputed,
 * and moved outside their windows (the disjoint entry hands those to the
 * general path). */
typedef struct impl_count {
    int disjoint, other;
} impl_count;

static void impl_count_cb(void *user, const char *family, const char *impl, int chosen, const char *reason)
{
    (void)reason;
    impl_count *c = user;
    if (!chosen || strncmp(family, "pool_backward", 13) != 0) return;
    if (strcmp(impl, "disjoint") == 0)
        c->disjoint++;
    else
        c->other++;
}

static void pool_bw_run(clrs_context *ctx, const clrs_pool_params *p, int rank, const int64_t *isz,
                        const int64_t *osz, clrs_dtype dt, tu_layout l, const unsigned char *lin, const int64_t *ix,
                        const unsigned char *lgo, unsigned char *out, const char *disable, impl_count *cnt)
{
    const int avg = p->kind == CLRS_POOL_AVG || p->kind == CLRS_POOL_ADAPTIVE_AVG;
    tu_tensor tin, tx, tg, ti;
    tu_alloc(&tin, dt, rank, isz, l, 0x11);
    tu_alloc(&tx, CLRS_I64, rank, osz, l, 0x22);
    tu_alloc(&tg, dt, rank, osz, l, 0x33);
    tu_alloc(&ti, dt, rank, isz, l, 0x44);
    tu_store(&tin, lin);
    if (ix != NULL) tu_store(&tx, ix);
    tu_store(&tg, lgo);
    clrs__dispatch_disable(disable);
    if (cnt != NULL) ck_assert_int_eq(clrs_explain_begin(impl_count_cb, cnt, 0), CLRS_OK);
    clrs_status st = clrs_pool_backward(ctx, p, &tin.desc, avg ? NULL : tin.base, ix ? &tx.desc : NULL,
                                        ix ? tx.base : NULL, &tg.desc, tg.base, &ti.desc, ti.base);
    if (cnt != NULL) clrs_explain_end();
    clrs__dispatch_disable(NULL);
    ck_assert_msg(st == CLRS_OK, "pool backward (disabled: %s): %s", disable ? disable : "none", clrs_last_error(ctx));
    tu_load(&ti, out);
    tu_free(&tin);
    tu_free(&tx);
    tu_free(&tg);
    tu_free(&ti);
}

START_TEST(test_pool_backward_impls)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    clrs_context_device(ctx, &info);
    uint64_t rng = 0xD15A01ULL;
    impl_count cnt = {0, 0};
    int cases = 0, moved = 0;
    for (int it = 0; it < 48; it++) {
        const clrs_dtype dt = FLOAT_DTS[it % 4];
        if (dt == CLRS_F64 && !info.fp64) continue;
        const size_t es = clrs_dtype_size(dt);
        const int rank = (int)tu_range(&rng, 3, 5), sp = rank - 2, kind = (it / 4) % 4;
        const int overlap = it % 6 == 5;
        static const clrs_pool_kind KINDS[4] = {CLRS_POOL_MAX, CLRS_POOL_ADAPTIVE_MAX, CLRS_POOL_AVG,
                                                CLRS_POOL_ADAPTIVE_AVG};
        clrs_pool_params p;
        clrs_pool_params_init(&p, KINDS[kind]);
        int64_t isz[CLRS_MAX_RANK], osz[CLRS_MAX_RANK];
        isz[0] = tu_range(&rng, 1, 2);
        isz[1] = it % 3 == 0 ? tu_range(&rng, 16, 18) : tu_range(&rng, 1, 5); /* >= 16: rows along C */
        if (kind == 1 || kind == 3) { /* adaptive: divisible sizes, else (overlap) not */
            p.n_output_size = sp;
            for (int a = 0; a < sp; a++) {
                p.output_size[a] = tu_range(&rng, 1, 4);
                isz[2 + a] = p.output_size[a] * tu_range(&rng, 1, 3) + (overlap ? 1 : 0);
            }
        } else {
            p.n_kernel = p.n_stride = p.n_padding = sp;
            for (int a = 0; a < sp; a++) {
                p.kernel[a] = tu_range(&rng, 1, 3);
                p.stride[a] = overlap ? 1 : p.kernel[a] + (tu_range(&rng, 0, 3) == 0);
                p.padding[a] = tu_range(&rng, 0, p.kernel[a] / 2);
                isz[2 + a] = tu_range(&rng, 2, rank == 5 ? 7 : 11);
            }
            if (overlap) p.kernel[0] = 2;
            p.ceil_mode = (int)tu_range(&rng, 0, 1);
            if (kind == 2) {
                p.count_include_pad = (int)tu_range(&rng, 0, 1);
                if (tu_range(&rng, 0, 3) == 0) p.divisor_override = tu_range(&rng, 1, 7);
            }
        }
        if (ref_pool_shape(rank, isz, &p, osz) != 0) continue;
        const int64_t ni = numel_of(rank, isz), no = numel_of(rank, osz);
        if (no == 0) continue;
        double *vin = malloc((size_t)ni * sizeof *vin), *vout = malloc((size_t)no * sizeof *vout),
               *vg = malloc((size_t)no * sizeof *vg);
        int64_t *ix = malloc((size_t)no * sizeof *ix);
        unsigned char *lin = malloc((size_t)ni * es), *lgo = malloc((size_t)no * es), *a = malloc((size_t)ni * es),
                      *b = malloc((size_t)ni * es);
        for (int64_t i = 0; i < ni; i++) {
            vin[i] = (double)tu_range(&rng, 0, 5); /* ties */
            tu_set(dt, lin, i, vin[i]);
        }
        fill_exact(&rng, dt, vg, lgo, no);
        const int avg = kind >= 2;
        if (!avg) ck_assert_int_eq(ref_pool(rank, isz, vin, &p, osz, vout, ix, dt), 0);
        /* max: given, recomputed, and (disjoint windows of more than one
         * output per plane) the first index swapped with the last */
        const int64_t plane_out = no / (isz[0] * isz[1]);
        for (int v = 0; v < (avg ? 1 : plane_out > 1 ? 3 : 2); v++) {
            if (v == 2) {
                const int64_t t = ix[0];
                ix[0] = ix[plane_out - 1];
                ix[plane_out - 1] = t;
                moved++;
            }
            for (int l = 0; l < 2; l++) {
                const tu_layout lay = l ? TU_CHANNELS_LAST : TU_CONTIGUOUS;
                const int64_t *xi = avg || v == 1 ? NULL : ix;
                pool_bw_run(ctx, &p, rank, isz, osz, dt, lay, lin, xi, lgo, a, NULL, &cnt);
                pool_bw_run(ctx, &p, rank, isz, osz, dt, lay, lin, xi, lgo, b, "pool_backward,pool_backward_avg", NULL);
                ck_assert_msg(memcmp(a, b, (size_t)ni * es) == 0,
                              "case %d (kind %d rank %d %s %s, variant %d): the dispatched result differs from the "
                              "general entry's",
                              it, kind, rank, clrs_dtype_name(dt), l ? "channels-last" : "contiguous", v);
                if (!avg) { /* the gather entry too */
                    pool_bw_run(ctx, &p, rank, isz, osz, dt, lay, lin, xi, lgo, b, "pool_backward/disjoint", NULL);
                    ck_assert_msg(memcmp(a, b, (size_t)ni * es) == 0, "case %d: gather differs", it);
                }
            }
        }
        free(vin);
        free(vout);
        free(vg);
        free(ix);
        free(lin);
        free(lgo);
        free(a);
        free(b);
        cases++;
    }
    /* LP pooling with p = +-inf: the max path on the indices of |x| (of
     * -|x|) recomputed by the forward, then sign(x): disjoint and
     * overlapping windows, every entry the same bits */
    int nlp = 0;
    for (int it = 0; it < 16; it++) {
        const clrs_dtype dt = FLOAT_DTS[it % 4];
        if (dt == CLRS_F64 && !info.fp64) continue;
        const size_t es = clrs_dtype_size(dt);
        const int rank = 3 + it % 3, sp = rank - 2;
        clrs_pool_params p;
        clrs_pool_params_init(&p, CLRS_POOL_LP);
        p.norm_type = it % 8 < 4 ? INFINITY : -INFINITY;
        p.n_kernel = p.n_stride = sp;
        int64_t isz[CLRS_MAX_RANK], osz[CLRS_MAX_RANK];
        isz[0] = 1;
        isz[1] = it % 2 ? 17 : 3;
        for (int a = 0; a < sp; a++) {
            p.kernel[a] = 2;
            p.stride[a] = it / 8 ? 1 : 2; /* overlapping, disjoint */
            isz[2 + a] = tu_range(&rng, 3, 7);
        }
        p.ceil_mode = it % 3 == 0;
        if (ref_pool_shape(rank, isz, &p, osz) != 0) continue;
        const int64_t ni = numel_of(rank, isz), no = numel_of(rank, osz);
        double *vg = malloc((size_t)no * sizeof *vg);
        unsigned char *lin = malloc((size_t)ni * es), *lgo = malloc((size_t)no * es), *a = malloc((size_t)ni * es),
                      *b = malloc((size_t)ni * es);
        for (int64_t i = 0; i < ni; i++) tu_set(dt, lin, i, (double)tu_range(&rng, -3, 3)); /* ties, zeros */
        fill_exact(&rng, dt, vg, lgo, no);
        for (int l = 0; l < 2; l++) {
            const tu_layout lay = l ? TU_CHANNELS_LAST : TU_CONTIGUOUS;
            pool_bw_run(ctx, &p, rank, isz, osz, dt, lay, lin, NULL, lgo, a, NULL, NULL);
            pool_bw_run(ctx, &p, rank, isz, osz, dt, lay, lin, NULL, lgo, b, "pool_backward", NULL);
            ck_assert_msg(memcmp(a, b, (size_t)ni * es) == 0, "lp %g case %d (%s): scan differs", p.norm_type, it,
                          clrs_dtype_name(dt));
            pool_bw_run(ctx, &p, rank, isz, osz, dt, lay, lin, NULL, lgo, b, "pool_backward/disjoint", NULL);
            ck_assert_msg(memcmp(a, b, (size_t)ni * es) == 0, "lp %g case %d (%s): gather differs", p.norm_type, it,
                          clrs_dtype_name(dt));
        }
        free(vg);
        free(lin);
        free(lgo);
        free(a);
        free(b);
        nlp++;
    }
    ck_assert_int_ge(nlp, 10);
    fprintf(stderr, "# pool backward implementations: %d cases (%d with moved indices), disjoint chosen %d times, "
                    "others %d; %d LP +-inf cases\n",
            cases, moved, cnt.disjoint, cnt.other, nlp);
    ck_assert_int_ge(cases, 30);
    ck_assert_int_ge(moved, 4);
    ck_assert_int_ge(cnt.disjoint, 40);
    ck_assert_int_ge(cnt.other, 10);
}
END_TEST

/* ---- determinism ------------------------------------------------------------------ */
/* One unpool backward (overlapping windows: indices repeat) and one pixel
 * unshuffle backward on a larger shape: run three times, with other
 * work-group sizes (tuning value lx) and with channels-last tensors; every
 * result must have the same bits. */
static void run_unpool_bw(clrs_context *ctx, tu_layout l, const int64_t *isz, const int64_t *osz,
                          const clrs_unpool_params *p, const float *go, const int64_t *ix, float *gi)
{
    tu_tensor tg, tx, ti;
    tu_alloc(&tg, CLRS_F32, 4, osz, l, 0x11);
    tu_alloc(&tx, CLRS_I64, 4, isz, l, 0x22);
    tu_alloc(&ti, CLRS_F32, 4, isz, l, 0x33);
    tu_store(&tg, go);
    tu_store(&tx, ix);
    clrs_status st = clrs_max_unpool_backward(ctx, p, &tx.desc, tx.base, &tg.desc, tg.base, &ti.desc, ti.base);
    ck_assert_msg(st == CLRS_OK, "%s", clrs_last_error(ctx));
    tu_load(&ti, gi);
    tu_free(&tg);
    tu_free(&tx);
    tu_free(&ti);
}

/* avg pool 3x3 stride 1 padding 1, count_include_pad off (divisors 4, 6
 * and 9), of a (2, 3, 31, 45) input */
static void run_avg_bw(clrs_context *ctx, tu_layout l, const int64_t *isz, const float *go, float *gi)
{
    clrs_pool_params p;
    clrs_pool_params_init(&p, CLRS_POOL_AVG);
    p.n_kernel = p.n_stride = p.n_padding = 1;
    p.kernel[0] = 3;
    p.stride[0] = 1;
    p.padding[0] = 1;
    p.count_include_pad = 0;
    tu_tensor tg, ti;
    clrs_tensor_desc din;
    clrs_tensor_desc_contiguous(&din, CLRS_F32, 4, isz);
    tu_alloc(&tg, CLRS_F32, 4, isz, l, 0x11);
    tu_alloc(&ti, CLRS_F32, 4, isz, l, 0x33);
    tu_store(&tg, go);
    clrs_status st = clrs_pool_backward(ctx, &p, &din, NULL, NULL, NULL, &tg.desc, tg.base, &ti.desc, ti.base);
    ck_assert_msg(st == CLRS_OK, "%s", clrs_last_error(ctx));
    tu_load(&ti, gi);
    tu_free(&tg);
    tu_free(&ti);
}

static void run_shuffle_bw(clrs_context *ctx, tu_layout l, const int64_t *isz, const int64_t *osz, const float *go,
                           float *gi)
{
    tu_tensor tg, ti;
    tu_alloc(&tg, CLRS_F32, 4, osz, l, 0x11);
    tu_alloc(&ti, CLRS_F32, 4, isz, l, 0x33);
    tu_store(&tg, go);
    clrs_status st = clrs_pixel_shuffle_backward(ctx, 2, 1, &tg.desc, tg.base, &ti.desc, ti.base);
    ck_assert_msg(st == CLRS_OK, "%s", clrs_last_error(ctx));
    tu_load(&ti, gi);
    tu_free(&tg);
    tu_free(&ti);
}

START_TEST(test_determinism)
{
    clrs_context *ctx = tu_context();
    uint64_t rng = 0xDE7E4ULL;
    /* unpool 2x2 stride 1 of a (2, 3, 31, 45) input: output (2, 3, 32, 46) */
    const int64_t isz[4] = {2, 3, 31, 45}, osz[4] = {2, 3, 32, 46};
    clrs_unpool_params p;
    clrs_unpool_params_init(&p);
    p.n_kernel = p.n_stride = 1;
    p.kernel[0] = 2;
    p.stride[0] = 1;
    const int64_t ni = numel_of(4, isz), no = numel_of(4, osz);
    float *go = malloc((size_t)no * sizeof *go), *first = malloc((size_t)ni * sizeof *first),
          *got = malloc((size_t)ni * sizeof *got);
    int64_t *ix = malloc((size_t)ni * sizeof *ix);
    for (int64_t i = 0; i < no; i++) go[i] = (float)(tu_uniform(&rng) * 8.0 - 4.0);
    for (int64_t i = 0; i < ni; i++) {
        const int64_t w = i % 45, h = i / 45 % 31;
        ix[i] = (h + tu_range(&rng, 0, 1)) * 46 + w + tu_range(&rng, 0, 1); /* in its window: repeats */
    }
    /* pixel unshuffle backward of a (2, 5, 34, 22) input */
    const int64_t ssz[4] = {2, 5, 34, 22}, sosz[4] = {2, 20, 17, 11};
    const int64_t ns = numel_of(4, ssz);
    float *sgo = malloc((size_t)ns * sizeof *sgo), *sfirst = malloc((size_t)ns * sizeof *sfirst),
          *sgot = malloc((size_t)ns * sizeof *sgot);
    for (int64_t i = 0; i < ns; i++) sgo[i] = (float)(tu_uniform(&rng) * 8.0 - 4.0);

    run_unpool_bw(ctx, TU_CONTIGUOUS, isz, osz, &p, go, ix, first);
    float *afirst = malloc((size_t)ni * sizeof *afirst), *agot = malloc((size_t)ni * sizeof *agot);
    run_avg_bw(ctx, TU_CONTIGUOUS, isz, go, afirst);
    run_shuffle_bw(ctx, TU_CONTIGUOUS, ssz, sosz, sgo, sfirst);
    int64_t lx0;
    ck_assert_int_eq(clrs_tuning_get(ctx, "lx", &lx0, NULL), CLRS_OK);
    const int64_t lxs[] = {lx0, 1, 4, 32, 64};
    int runs = 0;
    for (int t = 0; t < 5; t++) {
        ck_assert_int_eq(clrs_tuning_set(ctx, "lx", lxs[t]), CLRS_OK);
        for (int l = 0; l < TU_NLAYOUTS; l++)
            for (int rep = 0; rep < (t == 0 ? 3 : 1); rep++) {
                run_unpool_bw(ctx, (tu_layout)l, isz, osz, &p, go, ix, got);
                ck_assert_msg(memcmp(got, first, (size_t)ni * sizeof *got) == 0,
                              "unpool backward: other bits with lx %lld, %s, run %d", (long long)lxs[t],
                              tu_layout_name((tu_layout)l), rep);
                run_shuffle_bw(ctx, (tu_layout)l, ssz, sosz, sgo, sgot);
                ck_assert_msg(memcmp(sgot, sfirst, (size_t)ns * sizeof *sgot) == 0,
                              "shuffle backward: other bits with lx %lld, %s, run %d", (long long)lxs[t],
                              tu_layout_name((tu_layout)l), rep);
                run_avg_bw(ctx, (tu_layout)l, isz, go, agot);
                ck_assert_msg(memcmp(agot, afirst, (size_t)ni * sizeof *agot) == 0,
                              "avg pool backward: other bits with lx %lld, %s, run %d", (long long)lxs[t],
                              tu_layout_name((tu_layout)l), rep);
                runs += 3;
            }
    }
    ck_assert_int_eq(clrs_tuning_set(ctx, "lx", lx0), CLRS_OK);
    fprintf(stderr, "# backward determinism: %d runs (5 work-group sizes, 3 layouts, repeats) with identical bits\n",
            runs);
    free(go);
    free(first);
    free(got);
    free(ix);
    free(sgo);
    free(sfirst);
    free(sgot);
    free(afirst);
    free(agot);
}
END_TEST

/* ---- errors ------------------------------------------------------------------------ */
#define EXPECT_ERR(call, code, needle)                                                                         \
    do {                                                                                                       \
        clrs_status st_ = (call);                                                                              \
        ck_assert_msg(st_ == (code), "%s: got %s (%s), expected %s", #call, clrs_status_name(st_),             \
                      clrs_last_error(ctx), clrs_status_name(code));                                           \
        ck_assert_msg(strstr(clrs_last_error(ctx), (needle)) != NULL, "%s: message '%s' lacks '%s'", #call,      \
                      clrs_last_error(ctx), (needle));                                                         \
    } while (0)

START_TEST(test_errors)
{
    clrs_context *ctx = tu_context();
    /* unpool: forward input (1, 1, 2, 2), kernel 2 -> output (1, 1, 4, 4) */
    const int64_t isz[4] = {1, 1, 2, 2}, osz[4] = {1, 1, 4, 4}, wrong[4] = {1, 1, 4, 5};
    clrs_tensor_desc gi, go, gw, ix, gu8, ixf;
    clrs_tensor_desc_contiguous(&gi, CLRS_F32, 4, isz);
    clrs_tensor_desc_contiguous(&go, CLRS_F32, 4, osz);
    clrs_tensor_desc_contiguous(&gw, CLRS_F32, 4, wrong);
    clrs_tensor_desc_contiguous(&ix, CLRS_I64, 4, isz);
    clrs_tensor_desc_contiguous(&gu8, CLRS_U8, 4, isz);
    clrs_tensor_desc_contiguous(&ixf, CLRS_F32, 4, isz);
    clrs_unpool_params p;
    clrs_unpool_params_init(&p);
    p.n_kernel = 1;
    p.kernel[0] = 2;
    float vgo[20] = {0}, vgi[4];
    int64_t vix[4] = {0, 3, 8, 15};
    for (int i = 0; i < 16; i++) vgo[i] = (float)i;
    ck_assert_int_eq(clrs_max_unpool_backward(ctx, &p, &ix, vix, &go, vgo, &gi, vgi), CLRS_OK);
    ck_assert(vgi[0] == 0.0f && vgi[1] == 3.0f && vgi[2] == 8.0f && vgi[3] == 15.0f);
    EXPECT_ERR(clrs_max_unpool_backward(ctx, &p, &ix, vix, &gw, vgo, &gi, vgi), CLRS_ERR_BAD_SHAPE,
               "grad_output has shape (1, 1, 4, 5) but the forward output's shape is (1, 1, 4, 4)");
    EXPECT_ERR(clrs_max_unpool_backward(ctx, &p, &ixf, vix, &go, vgo, &gi, vgi), CLRS_ERR_BAD_DTYPE, "i64");
    {
        clrs_tensor_desc ix3;
        const int64_t s3[4] = {1, 1, 2, 1};
        clrs_tensor_desc_contiguous(&ix3, CLRS_I64, 4, s3);
        EXPECT_ERR(clrs_max_unpool_backward(ctx, &p, &ix3, vix, &go, vgo, &gi, vgi), CLRS_ERR_BAD_SHAPE,
                   "(1, 1, 2, 1)");
    }
    {
        clrs_tensor_desc gou8;
        clrs_tensor_desc_contiguous(&gou8, CLRS_U8, 4, osz);
        EXPECT_ERR(clrs_max_unpool_backward(ctx, &p, &ix, vix, &gou8, vgo, &gu8, vgi), CLRS_ERR_BAD_DTYPE, "u8");
        clrs_tensor_desc go64;
        clrs_tensor_desc_contiguous(&go64, CLRS_F64, 4, osz);
        EXPECT_ERR(clrs_max_unpool_backward(ctx, &p, &ix, vix, &go64, vgo, &gi, vgi), CLRS_ERR_BAD_DTYPE, "f64");
    }
    EXPECT_ERR(clrs_max_unpool_backward(ctx, &p, &ix, NULL, &go, vgo, &gi, vgi), CLRS_ERR_INVALID_ARG, "indices");
    EXPECT_ERR(clrs_max_unpool_backward(ctx, &p, &ix, vix, &go, NULL, &gi, vgi), CLRS_ERR_INVALID_ARG, "grad_output");
    EXPECT_ERR(clrs_max_unpool_backward(ctx, &p, &ix, vix, &go, vgo, &gi, NULL), CLRS_ERR_INVALID_ARG, "grad_input");
    EXPECT_ERR(clrs_max_unpool_backward(ctx, NULL, &ix, vix, &go, vgo, &gi, vgi), CLRS_ERR_INVALID_ARG, "params");
    vix[2] = 16;
    vgi[2] = 99.0f;
    EXPECT_ERR(clrs_max_unpool_backward(ctx, &p, &ix, vix, &go, vgo, &gi, vgi), CLRS_ERR_INDEX_OUT_OF_RANGE, "16");
    vix[2] = -3;
    EXPECT_ERR(clrs_max_unpool_backward(ctx, &p, &ix, vix, &go, vgo, &gi, vgi), CLRS_ERR_INDEX_OUT_OF_RANGE, "-3");
    vix[2] = 8;
    /* grad_input overlapping grad_output in host memory */
    {
        clrs_tensor_desc gi2 = gi;
        gi2.offset = 0;
        EXPECT_ERR(clrs_max_unpool_backward(ctx, &p, &ix, vix, &go, vgo, &gi2, vgo), CLRS_ERR_ALIASING, "overlaps");
    }
    /* an empty output plane: torch's gather fails (index 0 out of range) */
    {
        const int64_t s1[3] = {1, 1, 1}, s0[3] = {1, 1, 0};
        clrs_unpool_params q;
        clrs_unpool_params_init(&q);
        q.n_kernel = q.n_stride = q.n_padding = 1;
        q.kernel[0] = 2;
        q.stride[0] = 1;
        q.padding[0] = 1;
        clrs_tensor_desc a, x, o;
        clrs_tensor_desc_contiguous(&a, CLRS_F32, 3, s1);
        clrs_tensor_desc_contiguous(&x, CLRS_I64, 3, s1);
        clrs_tensor_desc_contiguous(&o, CLRS_F32, 3, s0);
        int64_t z = 0;
        float g1 = 5.0f, none = 0.0f;
        EXPECT_ERR(clrs_max_unpool_backward(ctx, &q, &x, &z, &o, &none, &a, &g1), CLRS_ERR_INDEX_OUT_OF_RANGE, "0");
        /* an empty batch: nothing to do */
        const int64_t e3[3] = {0, 1, 2}, eo[3] = {0, 1, 3};
        clrs_tensor_desc_contiguous(&a, CLRS_F32, 3, e3);
        clrs_tensor_desc_contiguous(&x, CLRS_I64, 3, e3);
        clrs_tensor_desc_contiguous(&o, CLRS_F32, 3, eo);
        q.padding[0] = 0;
        ck_assert_msg(clrs_max_unpool_backward(ctx, &q, &x, NULL, &o, NULL, &a, NULL) == CLRS_OK, "%s",
                      clrs_last_error(ctx));
    }

    /* pixel shuffle: forward input (1, 8, 2, 3), factor 2 -> (1, 2, 4, 6) */
    const int64_t ssz[4] = {1, 8, 2, 3}, sosz[4] = {1, 2, 4, 6}, sbad[4] = {1, 2, 6, 4};
    clrs_tensor_desc si, so, sb;
    clrs_tensor_desc_contiguous(&si, CLRS_F32, 4, ssz);
    clrs_tensor_desc_contiguous(&so, CLRS_F32, 4, sosz);
    clrs_tensor_desc_contiguous(&sb, CLRS_F32, 4, sbad);
    float sg[48], sgi[48];
    for (int i = 0; i < 48; i++) sg[i] = (float)i;
    ck_assert_int_eq(clrs_pixel_shuffle_backward(ctx, 2, 0, &so, sg, &si, sgi), CLRS_OK);
    /* grad_in[0, c, h, w] = grad_out[0, c / 4, 2h + (c / 2) % 2, 2w + c % 2] */
    for (int c = 0; c < 8; c++)
        for (int h = 0; h < 2; h++)
            for (int w = 0; w < 3; w++)
                ck_assert(sgi[(c * 2 + h) * 3 + w] == sg[((c / 4) * 4 + 2 * h + (c / 2) % 2) * 6 + 2 * w + c % 2]);
    EXPECT_ERR(clrs_pixel_shuffle_backward(ctx, 2, 0, &sb, sg, &si, sgi), CLRS_ERR_BAD_SHAPE,
               "grad_output has shape (1, 2, 6, 4) but the forward output's shape is (1, 2, 4, 6)");
    EXPECT_ERR(clrs_pixel_shuffle_backward(ctx, 3, 0, &so, sg, &si, sgi), CLRS_ERR_BAD_SHAPE, "input.size(-3)=8");
    EXPECT_ERR(clrs_pixel_shuffle_backward(ctx, 0, 0, &so, sg, &si, sgi), CLRS_ERR_BAD_PARAM, "got 0");
    /* unshuffle's forward input is (1, 2, 4, 6): grad_in si is not divisible */
    EXPECT_ERR(clrs_pixel_shuffle_backward(ctx, 2, 1, &so, sg, &si, sgi), CLRS_ERR_BAD_SHAPE, "input.size(-1)=3");
    EXPECT_ERR(clrs_pixel_shuffle_backward(ctx, 2, 0, &so, NULL, &si, sgi), CLRS_ERR_INVALID_ARG, "grad_output");
    EXPECT_ERR(clrs_pixel_shuffle_backward(NULL, 2, 0, &so, sg, &si, sgi), CLRS_ERR_INVALID_ARG, "");
    {
        clrs_tensor_desc su8 = si, sou8 = so;
        su8.dtype = sou8.dtype = CLRS_U8;
        EXPECT_ERR(clrs_pixel_shuffle_backward(ctx, 2, 0, &sou8, sg, &su8, sgi), CLRS_ERR_BAD_DTYPE, "u8");
    }
    /* the unshuffle's gradient: the shuffle of grad_out */
    ck_assert_int_eq(clrs_pixel_shuffle_backward(ctx, 2, 1, &si, sg, &so, sgi), CLRS_OK);
    float fw[48];
    ck_assert_int_eq(clrs_pixel_shuffle(ctx, 2, 0, &si, sg, &so, fw), CLRS_OK);
    ck_assert(memcmp(fw, sgi, sizeof fw) == 0);
}
END_TEST

/* Pool backward: errors, an index outside its window (the scan form: the
 * same sums), the cl_mem form with and without indices, and the same bits
 * for other work-group sizes. */
START_TEST(test_pool_backward_paths)
{
    clrs_context *ctx = tu_context();
    const int64_t isz[3] = {1, 1, 6}, osz[3] = {1, 1, 3}, bad[3] = {1, 1, 4};
    clrs_tensor_desc in, go, gw, gi, ix;
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 3, isz);
    clrs_tensor_desc_contiguous(&gi, CLRS_F32, 3, isz);
    clrs_tensor_desc_contiguous(&go, CLRS_F32, 3, osz);
    clrs_tensor_desc_contiguous(&gw, CLRS_F32, 3, bad);
    clrs_tensor_desc_contiguous(&ix, CLRS_I64, 3, osz);
    clrs_pool_params p;
    clrs_pool_params_init(&p, CLRS_POOL_MAX);
    p.n_kernel = 1;
    p.kernel[0] = 2;
    float x[6] = {1, 5, 7, 2, 0, 3}, g[4] = {10, 20, 30, 0}, r[6];
    int64_t idx[3] = {1, 2, 5};
    ck_assert_int_eq(clrs_pool_backward(ctx, &p, &in, x, &ix, idx, &go, g, &gi, r), CLRS_OK);
    ck_assert(r[0] == 0 && r[1] == 10 && r[2] == 20 && r[3] == 0 && r[4] == 0 && r[5] == 30);
    ck_assert_int_eq(clrs_pool_backward(ctx, &p, &in, x, NULL, NULL, &go, g, &gi, r), CLRS_OK); /* recomputed */
    ck_assert(r[0] == 0 && r[1] == 10 && r[2] == 20 && r[3] == 0 && r[4] == 0 && r[5] == 30);
    {
        /* an empty grad_out with an output axis of 2^32 (adaptive pooling
         * to (0, 2^32), found by fuzz_ops): the gradient is 0, and no
         * table is sized by that axis (it was 32 GiB) */
        clrs_pool_params ap;
        clrs_pool_params_init(&ap, CLRS_POOL_ADAPTIVE_AVG);
        ap.n_output_size = 2;
        ap.output_size[0] = 0;
        ap.output_size[1] = (int64_t)1 << 32;
        const int64_t i4[4] = {1, 1, 5, 6}, o4[4] = {1, 1, 0, (int64_t)1 << 32};
        clrs_tensor_desc gi4, go4;
        clrs_tensor_desc_contiguous(&gi4, CLRS_F32, 4, i4);
        clrs_tensor_desc_contiguous(&go4, CLRS_F32, 4, o4);
        float z[30];
        for (int k = 0; k < 30; k++) z[k] = -1.0f;
        ck_assert_int_eq(clrs_pool_backward(ctx, &ap, &gi4, NULL, NULL, NULL, &go4, NULL, &gi4, z), CLRS_OK);
        for (int k = 0; k < 30; k++) ck_assert(z[k] == 0.0f);
    }
    /* indices outside their windows, one repeated: torch's scatter adds them */
    int64_t far[3] = {5, 0, 5};
    ck_assert_int_eq(clrs_pool_backward(ctx, &p, &in, NULL, &ix, far, &go, g, &gi, r), CLRS_OK);
    ck_assert(r[0] == 20 && r[5] == 40 && r[1] == 0 && r[2] == 0 && r[3] == 0 && r[4] == 0);
    EXPECT_ERR(clrs_pool_backward(ctx, &p, &in, x, &ix, idx, &gw, g, &gi, r), CLRS_ERR_BAD_SHAPE,
               "grad_output has shape (1, 1, 4) but the forward output's shape is (1, 1, 3)");
    idx[2] = 6;
    EXPECT_ERR(clrs_pool_backward(ctx, &p, &in, x, &ix, idx, &go, g, &gi, r), CLRS_ERR_INDEX_OUT_OF_RANGE, "6 elements");
    idx[2] = -1;
    EXPECT_ERR(clrs_pool_backward(ctx, &p, &in, x, &ix, idx, &go, g, &gi, r), CLRS_ERR_INDEX_OUT_OF_RANGE, "input plane");
    idx[2] = 5;
    EXPECT_ERR(clrs_pool_backward(ctx, &p, &in, NULL, NULL, NULL, &go, g, &gi, r), CLRS_ERR_INVALID_ARG, "in_data");
    EXPECT_ERR(clrs_pool_backward(ctx, &p, &in, x, &ix, NULL, &go, g, &gi, r), CLRS_ERR_INVALID_ARG, "idx_data");
    EXPECT_ERR(clrs_pool_backward(ctx, &p, &in, x, &gw, idx, &go, g, &gi, r), CLRS_ERR_BAD_DTYPE, "i64");
    {
        clrs_tensor_desc ix4;
        clrs_tensor_desc_contiguous(&ix4, CLRS_I64, 3, bad);
        EXPECT_ERR(clrs_pool_backward(ctx, &p, &in, x, &ix4, idx, &go, g, &gi, r), CLRS_ERR_BAD_SHAPE, "(1, 1, 4)");
        clrs_tensor_desc gi5;
        const int64_t s5[3] = {1, 1, 5};
        clrs_tensor_desc_contiguous(&gi5, CLRS_F32, 3, s5);
        EXPECT_ERR(clrs_pool_backward(ctx, &p, &in, x, &ix, idx, &go, g, &gi5, r), CLRS_ERR_BAD_SHAPE,
                   "grad_input has shape (1, 1, 5)");
    }
    {
        clrs_pool_params a;
        clrs_pool_params_init(&a, CLRS_POOL_LP);
        a.norm_type = INFINITY;
        a.n_kernel = 1;
        a.kernel[0] = 2;
        /* x = {1, 5, 7, 2, 0, 3}, g = {10, 20, 30}: +inf, max_pool(|x|): the
         * argmax of |x| per window, times sign(x) */
        ck_assert_int_eq(clrs_pool_backward(ctx, &a, &in, x, NULL, NULL, &go, g, &gi, r), CLRS_OK);
        ck_assert_msg(r[0] == 0 && r[1] == 10 && r[2] == 20 && r[3] == 0 && r[4] == 0 && r[5] == 30,
                      "lp_pool +inf backward: %g %g %g %g %g %g", (double)r[0], (double)r[1], (double)r[2],
                      (double)r[3], (double)r[4], (double)r[5]);
        /* -inf, -max_pool(-|x|): the argmin of |x|; sign(0) = 0; the sums
         * that are 0 become -0 (torch's two negations) */
        a.norm_type = -INFINITY;
        ck_assert_int_eq(clrs_pool_backward(ctx, &a, &in, x, NULL, NULL, &go, g, &gi, r), CLRS_OK);
        ck_assert_msg(r[0] == 10 && r[1] == 0 && signbit(r[1]) && signbit(r[2]) && r[3] == 20 && r[4] == 0 &&
                          !signbit(r[4]) && r[5] == 0 && signbit(r[5]),
                      "lp_pool -inf backward: %g %g %g %g %g %g", (double)r[0], (double)r[1], (double)r[2],
                      (double)r[3], (double)r[4], (double)r[5]);
        a.norm_type = 2;
        EXPECT_ERR(clrs_pool_backward(ctx, &a, &in, NULL, NULL, NULL, &go, g, &gi, r), CLRS_ERR_INVALID_ARG,
                   "needs the input data");
        EXPECT_ERR(clrs_pool_backward(ctx, &a, &in, x, &ix, idx, &go, g, &gi, r), CLRS_ERR_INVALID_ARG,
                   "takes no indices");
        {
            /* f16 and bf16, p = 2 and +inf: as f32 within a 16-bit rounding */
            clrs_tensor_desc i16 = in, o16 = go, g16 = gi;
            uint16_t x16[6], go16[3], r16[6];
            float r32[6];
            for (int t = 0; t < 2; t++) {
                const clrs_dtype d16 = t ? CLRS_BF16 : CLRS_F16;
                i16.dtype = o16.dtype = g16.dtype = d16;
                for (int i = 0; i < 6; i++) tu_set(d16, x16, i, x[i]);
                for (int i = 0; i < 3; i++) tu_set(d16, go16, i, g[i]);
                for (int pi = 0; pi < 2; pi++) {
                    a.norm_type = pi ? INFINITY : 2;
                    ck_assert_int_eq(clrs_pool_backward(ctx, &a, &in, x, NULL, NULL, &go, g, &gi, r32), CLRS_OK);
                    ck_assert_int_eq(clrs_pool_backward(ctx, &a, &i16, x16, NULL, NULL, &o16, go16, &g16, r16),
                                     CLRS_OK);
                    for (int i = 0; i < 6; i++)
                        ck_assert_msg(fabs(tu_get(d16, r16, i) - r32[i]) <= fabs(r32[i]) * (t ? 0x1p-8 : 0x1p-11),
                                      "lp_pool %s p = %g backward: element %d: %g vs f32 %g", clrs_dtype_name(d16),
                                      a.norm_type, i, tu_get(d16, r16, i), (double)r32[i]);
                }
            }
            a.norm_type = 2;
        }
        /* x = {1, 5, 7, 2, 0, 3}, k = 2, p = 2: out = sqrt(x0^2 + x1^2), d/dx = x / out */
        ck_assert_int_eq(clrs_pool_backward(ctx, &a, &in, x, NULL, NULL, &go, g, &gi, r), CLRS_OK);
        ck_assert_msg(fabsf(r[0] - 10.0f * 1 / sqrtf(26)) < 1e-5f && fabsf(r[1] - 10.0f * 5 / sqrtf(26)) < 1e-5f &&
                          fabsf(r[2] - 20.0f * 7 / sqrtf(53)) < 1e-5f && fabsf(r[5] - 30.0f * 3 / 3) < 1e-5f &&
                          r[4] == 0.0f,
                      "lp_pool backward: %g %g %g %g %g %g", (double)r[0], (double)r[1], (double)r[2], (double)r[3],
                      (double)r[4], (double)r[5]);
        clrs_pool_params_init(&a, CLRS_POOL_AVG);
        a.n_kernel = 1;
        a.kernel[0] = 2;
        EXPECT_ERR(clrs_pool_backward(ctx, &a, &in, x, &ix, idx, &go, g, &gi, r), CLRS_ERR_INVALID_ARG,
                   "takes no indices");
        clrs_tensor_desc i8 = in, o8 = go, g8 = gi;
        i8.dtype = o8.dtype = g8.dtype = CLRS_U8;
        EXPECT_ERR(clrs_pool_backward(ctx, &p, &i8, x, &ix, idx, &o8, g, &g8, r), CLRS_ERR_BAD_DTYPE, "u8");
    }

    /* the cl_mem form, indices given then recomputed */
    cl_context clc;
    cl_command_queue q;
    ck_assert_int_eq(clrs_context_get_cl(ctx, &clc, NULL, &q), CLRS_OK);
    cl_int e;
    cl_mem mx = clCreateBuffer(clc, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof x, x, &e);
    cl_mem mg = clCreateBuffer(clc, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof g, g, &e);
    cl_mem mi = clCreateBuffer(clc, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof idx, idx, &e);
    cl_mem mr = clCreateBuffer(clc, CL_MEM_READ_WRITE, sizeof r, NULL, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    for (int given = 1; given >= 0; given--) {
        cl_event done = NULL;
        memset(r, 0, sizeof r);
        ck_assert_int_eq(clEnqueueWriteBuffer(q, mr, CL_TRUE, 0, sizeof r, r, 0, NULL, NULL), CL_SUCCESS);
        clrs_status st = clrs_pool_backward_cl(ctx, &p, &in, given ? NULL : mx, given ? &ix : NULL, given ? mi : NULL,
                                               &go, mg, &gi, mr, NULL, 0, NULL, &done);
        ck_assert_msg(st == CLRS_OK, "%s", clrs_last_error(ctx));
        ck_assert_int_eq(clEnqueueReadBuffer(q, mr, CL_TRUE, 0, sizeof r, r, 1, &done, NULL), CL_SUCCESS);
        clReleaseEvent(done);
        ck_assert(r[0] == 0 && r[1] == 10 && r[2] == 20 && r[3] == 0 && r[4] == 0 && r[5] == 30);
    }
    ck_assert_int_eq(clrs_pool_backward_cl(ctx, &p, &in, NULL, NULL, NULL, &go, mg, &gi, mr, NULL, 0, NULL, NULL),
                     CLRS_ERR_INVALID_ARG);
    clReleaseMemObject(mx);
    clReleaseMemObject(mg);
    clReleaseMemObject(mi);
    clReleaseMemObject(mr);

    /* overlapping 3x3 windows, stride 1, on (2, 3, 33, 47): identical bits
     * for other work-group sizes and layouts, indices recomputed */
    {
        const int64_t bs[4] = {2, 3, 33, 47};
        clrs_pool_params q3;
        clrs_pool_params_init(&q3, CLRS_POOL_MAX);
        q3.n_kernel = q3.n_stride = q3.n_padding = 1;
        q3.kernel[0] = 3;
        q3.stride[0] = 1;
        q3.padding[0] = 1;
        const int64_t n = numel_of(4, bs);
        uint64_t rng = 77;
        float *vx = malloc((size_t)n * sizeof *vx), *vg = malloc((size_t)n * sizeof *vg),
              *first = calloc((size_t)n, sizeof *first), *got = calloc((size_t)n, sizeof *got);
        for (int64_t i = 0; i < n; i++) {
            vx[i] = (float)tu_range(&rng, 0, 3);
            vg[i] = (float)(tu_uniform(&rng) * 2 - 1);
        }
        int64_t lx0;
        ck_assert_int_eq(clrs_tuning_get(ctx, "lx", &lx0, NULL), CLRS_OK);
        const int64_t lxs[] = {lx0, 1, 8, 64};
        for (int t = 0; t < 4; t++) {
            ck_assert_int_eq(clrs_tuning_set(ctx, "lx", lxs[t]), CLRS_OK);
            for (int l = 0; l < TU_NLAYOUTS; l++) {
                tu_tensor tin, tg, ti;
                tu_alloc(&tin, CLRS_F32, 4, bs, (tu_layout)l, 0);
                tu_alloc(&tg, CLRS_F32, 4, bs, (tu_layout)l, 0);
                tu_alloc(&ti, CLRS_F32, 4, bs, (tu_layout)l, 0);
                tu_store(&tin, vx);
                tu_store(&tg, vg);
                ck_assert_int_eq(clrs_pool_backward(ctx, &q3, &tin.desc, tin.base, NULL, NULL, &tg.desc, tg.base,
                                                    &ti.desc, ti.base),
                                 CLRS_OK);
                tu_load(&ti, t == 0 && l == 0 ? first : got);
                if (t || l)
                    ck_assert_msg(memcmp(got, first, (size_t)n * sizeof *got) == 0,
                                  "max pool backward: other bits with lx %lld, %s", (long long)lxs[t],
                                  tu_layout_name((tu_layout)l));
                tu_free(&tin);
                tu_free(&tg);
                tu_free(&ti);
            }
        }
        ck_assert_int_eq(clrs_tuning_set(ctx, "lx", lx0), CLRS_OK);
        free(vx);
        free(vg);
        free(first);
        free(got);
    }
}
END_TEST

/* ---- cl_mem forms ----------------------------------------------------------------- */
START_TEST(test_cl_mem_calls)
{
    clrs_context *ctx = tu_context();
    cl_context clc;
    cl_command_queue q;
    ck_assert_int_eq(clrs_context_get_cl(ctx, &clc, NULL, &q), CLRS_OK);
    cl_int e;
    /* unpool backward: (1, 2, 2, 2) input, kernel 2 -> (1, 2, 4, 4) */
    const int64_t isz[4] = {1, 2, 2, 2}, osz[4] = {1, 2, 4, 4};
    clrs_tensor_desc gi, go, ix;
    clrs_tensor_desc_contiguous(&gi, CLRS_F32, 4, isz);
    clrs_tensor_desc_channels_last(&go, CLRS_F32, 4, osz);
    clrs_tensor_desc_contiguous(&ix, CLRS_I64, 4, isz);
    float hgo[32];
    for (int i = 0; i < 32; i++) hgo[i] = (float)(i * 3 - 7);
    int64_t hix[8] = {0, 3, 12, 15, 5, 5, 10, 6};
    cl_mem mgo = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof hgo, hgo, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    cl_mem mix = clCreateBuffer(clc, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof hix, hix, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    cl_mem mgi = clCreateBuffer(clc, CL_MEM_READ_WRITE, 8 * sizeof(float), NULL, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    cl_event done = NULL;
    ck_assert_int_eq(clrs_max_unpool_backward_cl(ctx, NULL, &ix, mix, &go, mgo, &gi, mgi, NULL, 0, NULL, &done),
                     CLRS_ERR_INVALID_ARG);
    clrs_unpool_params p;
    clrs_unpool_params_init(&p);
    p.n_kernel = 1;
    p.kernel[0] = 2;
    ck_assert_msg(clrs_max_unpool_backward_cl(ctx, &p, &ix, mix, &go, mgo, &gi, mgi, NULL, 0, NULL, &done) == CLRS_OK,
                  "%s", clrs_last_error(ctx));
    float hgi[8];
    ck_assert_int_eq(clEnqueueReadBuffer(q, mgi, CL_TRUE, 0, sizeof hgi, hgi, 1, &done, NULL), CL_SUCCESS);
    clReleaseEvent(done);
    /* grad_out is channels-last: logical (0, c, h, w) at (h * 4 + w) * 2 + c */
    for (int c = 0; c < 2; c++)
        for (int j = 0; j < 4; j++) {
            int64_t v = hix[c * 4 + j];
            ck_assert(hgi[c * 4 + j] == hgo[v * 2 + c]);
        }
    /* an index out of range on the cl_mem path */
    hix[1] = 16;
    ck_assert_int_eq(clEnqueueWriteBuffer(q, mix, CL_TRUE, 0, sizeof hix, hix, 0, NULL, NULL), CL_SUCCESS);
    ck_assert_int_eq(clrs_max_unpool_backward_cl(ctx, &p, &ix, mix, &go, mgo, &gi, mgi, NULL, 0, NULL, NULL),
                     CLRS_ERR_INDEX_OUT_OF_RANGE);
    /* pixel shuffle backward: grad_out (1, 2, 4, 4) -> grad_in (1, 8, 2, 2) */
    const int64_t ssz[4] = {1, 8, 2, 2};
    clrs_tensor_desc si, so;
    clrs_tensor_desc_contiguous(&si, CLRS_F32, 4, ssz);
    clrs_tensor_desc_contiguous(&so, CLRS_F32, 4, osz);
    cl_mem msi = clCreateBuffer(clc, CL_MEM_READ_WRITE, 32 * sizeof(float), NULL, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    ck_assert_msg(clrs_pixel_shuffle_backward_cl(ctx, 2, 0, &so, mgo, &si, msi, NULL, 0, NULL, &done) == CLRS_OK, "%s",
                  clrs_last_error(ctx));
    float hsi[32], want[32];
    ck_assert_int_eq(clEnqueueReadBuffer(q, msi, CL_TRUE, 0, sizeof hsi, hsi, 1, &done, NULL), CL_SUCCESS);
    clReleaseEvent(done);
    ck_assert_int_eq(clrs_pixel_shuffle(ctx, 2, 1, &so, hgo, &si, want), CLRS_OK);
    ck_assert(memcmp(hsi, want, sizeof hsi) == 0);
    /* aliasing on the cl_mem path */
    ck_assert_int_eq(clrs_pixel_shuffle_backward_cl(ctx, 2, 0, &so, mgo, &si, mgo, NULL, 0, NULL, NULL),
                     CLRS_ERR_ALIASING);
    clReleaseMemObject(mgo);
    clReleaseMemObject(mix);
    clReleaseMemObject(mgi);
    clReleaseMemObject(msi);
}
END_TEST


/* ---- interpolate backward ------------------------------------------------------ */
static void interp_params_from_case(const tu_case *c, clrs_interpolate_params *p)
{
    clrs_interpolate_params_init(p);
    ck_assert_int_eq(clrs_interp_mode_parse(tu_get_str(c, "mode"), &p->mode), CLRS_OK);
    p->n_size = tu_get_ints(c, "size", p->size, 3);
    p->n_scale = tu_get_doubles(c, "scale", p->scale, 3);
    p->align_corners = tu_get_int(c, "align_corners", CLRS_UNSET);
    p->recompute_scale_factor = tu_get_int(c, "recompute", CLRS_UNSET);
    p->antialias = tu_get_int(c, "antialias", 0);
}

/* clrs_interpolate_backward of grad_out (logical values, C order) into
 * lin (grad_in's logical values in dtype's bits). */
static void run_interp_bw(clrs_context *ctx, const clrs_interpolate_params *p, clrs_dtype dt, int rank,
                          const int64_t *isz, const int64_t *osz, const void *go, tu_layout lo, tu_layout li,
                          void *lin)
{
    tu_tensor tg, ti;
    clrs_tensor_desc din;
    clrs_tensor_desc_contiguous(&din, dt, rank, isz);
    tu_alloc(&tg, dt, rank, osz, lo, 0x5a);
    tu_alloc(&ti, dt, rank, isz, li, 0xab);
    tu_store(&tg, go);
    clrs_status st = clrs_interpolate_backward(ctx, p, &din, &tg.desc, tg.base, &ti.desc, ti.base);
    ck_assert_msg(st == CLRS_OK, "interpolate backward (%s, %s): %s", clrs_interp_mode_name(p->mode),
                  clrs_dtype_name(dt), clrs_last_error(ctx));
    tu_load(&ti, lin);
    tu_free(&tg);
    tu_free(&ti);
}

/* Worst |got - torch| / max|torch| over the golden cases, per dtype (0 f32,
 * 1 f64, 2 f16, 3 bf16) and mode family (0 nearest / nearest-exact, 1 area,
 * 2 linear / bilinear / trilinear, 3 bicubic, 4 antialias / lanczos). */
static int mode_family(const clrs_interpolate_params *p)
{
    if (p->antialias) return 4;
    switch (p->mode) {
    case CLRS_INTERP_NEAREST:
    case CLRS_INTERP_NEAREST_EXACT: return 0;
    case CLRS_INTERP_AREA: return 1;
    case CLRS_INTERP_BICUBIC: return 3;
    default: return 2;
    }
}

static int dt_slot(clrs_dtype dt)
{
    return dt == CLRS_F32 ? 0 : dt == CLRS_F64 ? 1 : dt == CLRS_F16 ? 2 : 3;
}

START_TEST(test_golden_interp_backward)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    clrs_context_device(ctx, &info);
    tu_case *cases = NULL;
    int n = tu_golden_cases("backward_interp.txt", 300, &cases);
    /* the bounds the header and README state: f32 / f64 bit-exact but
     * lanczos f32 (torch's sinf), within 1e-6 of max|grad_in| */
    const double tol[4] = {1e-6, 0, 0, 0};
    double worst[4][5], worst_ref[2] = {0, 0};
    int exact[4][5], count[4][5], ran = 0;
    memset(worst, 0, sizeof worst);
    memset(exact, 0, sizeof exact);
    memset(count, 0, sizeof count);
    static const char *const fam_names[5] = {"nearest", "area", "linear", "bicubic", "antialias"};
    static const char *const dt_names[4] = {"f32", "f64", "f16", "bf16"};
    for (int ci = 0; ci < n; ci++) {
        const tu_case *c = &cases[ci];
        const char *id = tu_get_str(c, "id");
        tu_progress("test_golden_interp_backward", ci, n, "cases");
        const clrs_dtype dt = tu_dtype_from_name(tu_get_str(c, "dtype"));
        if (dt == CLRS_F64 && !info.fp64) continue;
        clrs_interpolate_params p;
        interp_params_from_case(c, &p);
        npy_array in, go, ref;
        ck_assert_msg(tu_load_golden(tu_get_str(c, "in"), &in) == 0, "%s: input", id);
        ck_assert_msg(tu_load_golden(tu_get_str(c, "grad_out"), &go) == 0, "%s: grad_out", id);
        ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &ref) == 0, "%s: grad_in", id);
        const int rank = in.ndim;
        const size_t es = clrs_dtype_size(dt);
        const int64_t ni = numel_of(rank, in.shape), no = numel_of(go.ndim, go.shape);
        unsigned char *got = calloc((size_t)ni * es + 1, 1), *first = calloc((size_t)ni * es + 1, 1);
        for (int l = 0; l < TU_NLAYOUTS; l++) {
            run_interp_bw(ctx, &p, dt, rank, in.shape, go.shape, go.data, (tu_layout)l,
                          (tu_layout)((l + 1) % TU_NLAYOUTS), l == 0 ? first : got);
            if (l > 0)
                ck_assert_msg(memcmp(got, first, (size_t)ni * es) == 0, "%s: layouts %s / %s give other bits", id,
                              tu_layout_name((tu_layout)l), tu_layout_name((tu_layout)((l + 1) % TU_NLAYOUTS)));
        }
        double mx = 0, err = 0;
        for (int64_t i = 0; i < ni; i++)
            if (fabs(tu_get(dt, ref.data, i)) > mx) mx = fabs(tu_get(dt, ref.data, i));
        if (mx == 0) mx = 1;
        for (int64_t i = 0; i < ni; i++) {
            const double e = fabs(tu_get(dt, first, i) - tu_get(dt, ref.data, i)) / mx;
            if (e > err) err = e;
        }
        const int ds = dt_slot(dt), mf = mode_family(&p);
        /* f16 / bf16: torch rounds its scatter sums to 16 bits; here float
         * sums rounded once: within 4 units of the 16-bit epsilon x max */
        const double lim = ds < 2 ? tol[ds] : 4.0 * (dt == CLRS_F16 ? 0x1p-11 : 0x1p-8);
        ck_assert_msg(err <= lim, "%s: %.3g x max|grad_in| from torch (bound %.3g)", id, err, lim);
        if (ds < 2 && p.mode != CLRS_INTERP_LANCZOS)
            ck_assert_msg(memcmp(first, ref.data, (size_t)ni * es) == 0, "%s: not torch's bits (%.3g x max|grad_in|)", id,
                          err);
        if (err > worst[ds][mf]) worst[ds][mf] = err;
        exact[ds][mf] += memcmp(first, ref.data, (size_t)ni * es) == 0;
        count[ds][mf]++;
        if (ds < 2) {
            /* the C reference (double sums of the forward's one-hot columns) agrees too */
            double *vg = malloc((size_t)no * sizeof *vg), *vr = malloc((size_t)ni * sizeof *vr);
            for (int64_t o = 0; o < no; o++) vg[o] = tu_get(dt, go.data, o);
            ck_assert_int_eq(ref_interpolate_backward(rank, in.shape, &p, vg, vr, dt), 0);
            double re = 0;
            for (int64_t i = 0; i < ni; i++) {
                const double e = fabs(vr[i] - tu_get(dt, ref.data, i)) / mx;
                if (e > re) re = e;
            }
            ck_assert_msg(re <= (ds == 0 ? 1e-5 : 1e-12), "%s: the C reference is %.3g x max from torch", id, re);
            if (re > worst_ref[ds]) worst_ref[ds] = re;
            free(vg);
            free(vr);
        }
        ran++;
        free(got);
        free(first);
        npy_free(&in);
        npy_free(&go);
        npy_free(&ref);
    }
    tu_progress("test_golden_interp_backward", n, n, "cases");
    fprintf(stderr, "# interpolate backward golden: %d cases, 3 layout pairs each with identical bits; worst |diff| / "
                    "max|grad_in| from torch (bit-exact cases / cases):\n", ran);
    for (int d = 0; d < 4; d++) {
        fprintf(stderr, "#   %-4s", dt_names[d]);
        for (int m = 0; m < 5; m++)
            if (count[d][m]) fprintf(stderr, "  %s %.2g (%d/%d)", fam_names[m], worst[d][m], exact[d][m], count[d][m]);
        fprintf(stderr, "\n");
    }
    fprintf(stderr, "#   C reference: f32 %.2g, f64 %.2g\n", worst_ref[0], worst_ref[1]);
    ck_assert_int_ge(ran, 300);
    free(cases);
}
END_TEST

/* ---- interpolate backward's entries: each the bits of gather --------------- */
typedef struct ibw_count {
    int wflat, cvec, gather;
} ibw_count;

static void ibw_count_cb(void *user, const char *family, const char *impl, int chosen, const char *reason)
{
    (void)reason;
    ibw_count *c = user;
    if (!chosen || strcmp(family, "interp_backward") != 0) return;
    if (strcmp(impl, "wflat") == 0)
        c->wflat++;
    else if (strcmp(impl, "cvec") == 0)
        c->cvec++;
    else
        c->gather++;
}

/* run_interp_bw with `disable` as the thread's disabled entries ("interp_backward":
 * gather only), counting the entries chosen into cnt (may be NULL). */
static void run_interp_bw_with(clrs_context *ctx, const clrs_interpolate_params *p, clrs_dtype dt, int rank,
                               const int64_t *isz, const int64_t *osz, const void *go, tu_layout lo, tu_layout li,
                               void *lin, const char *disable, ibw_count *cnt)
{
    clrs__dispatch_disable(disable);
    if (cnt != NULL) ck_assert_int_eq(clrs_explain_begin(ibw_count_cb, cnt, 0), CLRS_OK);
    run_interp_bw(ctx, p, dt, rank, isz, osz, go, lo, li, lin);
    if (cnt != NULL) clrs_explain_end();
    clrs__dispatch_disable(NULL);
}

/* Every golden case with its channels repeated to 5 or 6 (cvec at ibw_vw 4:
 * one vector group and a tail), every layout pair: the dispatched entry
 * gives gather's bits, and each channel torch's where the golden test
 * demands torch's bits (f32 / f64 but lanczos). */
START_TEST(test_interp_backward_impls_golden)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    clrs_context_device(ctx, &info);
    int64_t vw0 = 0;
    ck_assert_int_eq(clrs_tuning_get(ctx, "ibw_vw", &vw0, NULL), CLRS_OK);
    ck_assert_int_eq(clrs_tuning_set(ctx, "ibw_vw", 4), CLRS_OK);
    tu_case *cases = NULL;
    int n = tu_golden_cases("backward_interp.txt", 300, &cases);
    ibw_count cnt = {0, 0, 0};
    int ran = 0, torch_planes = 0;
    for (int ci = 0; ci < n; ci++) {
        const tu_case *c = &cases[ci];
        const char *id = tu_get_str(c, "id");
        tu_progress("test_interp_backward_impls_golden", ci, n, "cases");
        const clrs_dtype dt = tu_dtype_from_name(tu_get_str(c, "dtype"));
        if (dt == CLRS_F64 && !info.fp64) continue;
        clrs_interpolate_params p;
        interp_params_from_case(c, &p);
        npy_array in, go, ref;
        ck_assert_msg(tu_load_golden(tu_get_str(c, "in"), &in) == 0, "%s: input", id);
        ck_assert_msg(tu_load_golden(tu_get_str(c, "grad_out"), &go) == 0, "%s: grad_out", id);
        ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &ref) == 0, "%s: grad_in", id);
        const int rank = in.ndim;
        const size_t es = clrs_dtype_size(dt);
        const int64_t C = in.shape[1], r = (5 + C - 1) / C, C2 = C * r, N = in.shape[0];
        int64_t isz[CLRS_MAX_RANK], osz[CLRS_MAX_RANK];
        memcpy(isz, in.shape, (size_t)rank * sizeof *isz);
        memcpy(osz, go.shape, (size_t)rank * sizeof *osz);
        isz[1] = osz[1] = C2;
        const int64_t si = numel_of(rank, in.shape) / (N * C), so = numel_of(rank, go.shape) / (N * C);
        const int64_t ni = N * C2 * si;
        /* grad_out's planes repeated: channel c2 is the case's c2 % C */
        unsigned char *go2 = malloc((size_t)(N * C2 * so) * es + 1), *a = calloc((size_t)ni * es + 1, 1),
                      *b = calloc((size_t)ni * es + 1, 1);
        for (int64_t q = 0; q < N * C2; q++)
            memcpy(go2 + (size_t)(q * so) * es, (const unsigned char *)go.data + (size_t)(((q / C2) * C + (q % C2) % C) * so) * es,
                   (size_t)so * es);
        for (int l = 0; l < TU_NLAYOUTS; l++) {
            const tu_layout lo = (tu_layout)l, li = (tu_layout)((l + ci) % TU_NLAYOUTS);
            run_interp_bw_with(ctx, &p, dt, rank, isz, osz, go2, lo, li, a, NULL, &cnt);
            run_interp_bw_with(ctx, &p, dt, rank, isz, osz, go2, lo, li, b, "interp_backward", NULL);
            ck_assert_msg(memcmp(a, b, (size_t)ni * es) == 0, "%s (%lld channels, %s / %s): not gather's bits", id,
                          (long long)C2, tu_layout_name(lo), tu_layout_name(li));
            /* without cvec: wflat on planar layouts */
            run_interp_bw_with(ctx, &p, dt, rank, isz, osz, go2, lo, li, a, "interp_backward/cvec", &cnt);
            ck_assert_msg(memcmp(a, b, (size_t)ni * es) == 0, "%s (%lld channels, %s / %s): wflat not gather's bits",
                          id, (long long)C2, tu_layout_name(lo), tu_layout_name(li));
        }
        if ((dt == CLRS_F32 || dt == CLRS_F64) && p.mode != CLRS_INTERP_LANCZOS)
            for (int64_t q = 0; q < N * C2; q++, torch_planes++)
                ck_assert_msg(memcmp(a + (size_t)(q * si) * es,
                                     (const unsigned char *)ref.data + (size_t)(((q / C2) * C + (q % C2) % C) * si) * es,
                                     (size_t)si * es) == 0,
                              "%s: channel %lld of %lld not torch's bits", id, (long long)(q % C2), (long long)C2);
        ran++;
        free(go2);
        free(a);
        free(b);
        npy_free(&in);
        npy_free(&go);
        npy_free(&ref);
    }
    tu_progress("test_interp_backward_impls_golden", n, n, "cases");
    fprintf(stderr, "# interpolate backward entries, golden: %d cases x %d layout pairs, wflat %d / cvec %d / "
                    "gather %d runs the same bits; %d planes torch's bits\n", ran, TU_NLAYOUTS, cnt.wflat, cnt.cvec,
            cnt.gather, torch_planes);
    ck_assert_int_ge(ran, 300);
    ck_assert_int_ge(cnt.cvec, ran); /* 'area' cases run pool_backward */
    ck_assert_int_ge(cnt.wflat, ran / 4); /* planar pairs */
    ck_assert_int_eq(clrs_tuning_set(ctx, "ibw_vw", vw0), CLRS_OK);
    free(cases);
}
END_TEST

/* Random modes, shapes, channel counts (1-37: tails, narrower widths,
 * fewer than 4), ibw_vw 4 / 8 / 16, ibw_vectors 1-4, layouts and dtypes,
 * grad_out with -0, +-inf and NaN among exact values (all -0 in some): the
 * dispatched entry gives gather's bits (a NaN may carry other NaN bits). */
START_TEST(test_interp_backward_impls_random)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    clrs_context_device(ctx, &info);
    int64_t vw0 = 0;
    ck_assert_int_eq(clrs_tuning_get(ctx, "ibw_vw", &vw0, NULL), CLRS_OK);
    int64_t nv0 = 0, nan_bits = 0;
    ck_assert_int_eq(clrs_tuning_get(ctx, "ibw_vectors", &nv0, NULL), CLRS_OK);
    uint64_t rng = 0x1B3C7EC0ULL;
    ibw_count cnt = {0, 0, 0};
    int cases = 0;
    static const clrs_interp_mode MODES[] = {CLRS_INTERP_NEAREST, CLRS_INTERP_NEAREST_EXACT, CLRS_INTERP_LINEAR,
                                             CLRS_INTERP_BICUBIC, CLRS_INTERP_AREA, CLRS_INTERP_LANCZOS};
    static const int VWS[3] = {4, 8, 16};
    for (int it = 0; it < 96; it++) {
        const clrs_dtype dt = FLOAT_DTS[it % 4];
        if (dt == CLRS_F64 && !info.fp64) continue;
        const size_t es = clrs_dtype_size(dt);
        const int rank = 3 + (it / 4) % 3, sp = rank - 2, vw = VWS[(it / 12) % 3];
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        p.mode = MODES[tu_range(&rng, 0, 5)];
        if (p.mode == CLRS_INTERP_LINEAR) p.mode = rank == 3 ? CLRS_INTERP_LINEAR : rank == 4 ? CLRS_INTERP_BILINEAR
                                                                                              : CLRS_INTERP_TRILINEAR;
        const int interpolating = p.mode != CLRS_INTERP_NEAREST && p.mode != CLRS_INTERP_NEAREST_EXACT &&
                                  p.mode != CLRS_INTERP_AREA;
        if (p.mode == CLRS_INTERP_LANCZOS) p.antialias = 1;
        else if (interpolating && tu_range(&rng, 0, 2) == 0) p.antialias = 1;
        if (interpolating && p.mode != CLRS_INTERP_LANCZOS) p.align_corners = (int)tu_range(&rng, 0, 1);
        int64_t isz[CLRS_MAX_RANK], osz[CLRS_MAX_RANK];
        isz[0] = tu_range(&rng, 1, 2);
        isz[1] = it % 8 == 7 ? tu_range(&rng, 1, 3) : tu_range(&rng, 4, 37); /* narrower below ibw_vw */
        for (int a = 0; a < sp; a++) isz[2 + a] = tu_range(&rng, 1, rank == 5 ? 6 : 11);
        p.n_size = sp;
        for (int a = 0; a < sp; a++)
            p.size[a] = p.mode == CLRS_INTERP_AREA ? 1 : tu_range(&rng, 1, rank == 5 ? 9 : 17); /* area: the mean */
        if (ref_interpolate_shape(rank, isz, &p, osz) != 0) continue;
        const int64_t ni = numel_of(rank, isz), no = numel_of(rank, osz);
        if (no == 0) continue;
        double *vg = malloc((size_t)no * sizeof *vg);
        unsigned char *lgo = malloc((size_t)no * es), *a = malloc((size_t)ni * es), *b = malloc((size_t)ni * es);
        fill_exact(&rng, dt, vg, lgo, no);
        static const double SPECIAL[4] = {-0.0, INFINITY, -INFINITY, NAN};
        for (int64_t i = 0; i < no; i++) /* all -0 in some cases: the sign of zero */
            if (it % 16 == 3 || tu_range(&rng, 0, 31) == 0)
                tu_set(dt, lgo, i, it % 16 == 3 ? -0.0 : SPECIAL[tu_range(&rng, 0, 3)]);
        const tu_layout lo = (tu_layout)tu_range(&rng, 0, 2), li = (tu_layout)tu_range(&rng, 0, 2);
        ck_assert_int_eq(clrs_tuning_set(ctx, "ibw_vw", vw), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_set(ctx, "ibw_vectors", 1 + it % 4), CLRS_OK);
        run_interp_bw_with(ctx, &p, dt, rank, isz, osz, lgo, lo, li, a, NULL, &cnt);
        run_interp_bw_with(ctx, &p, dt, rank, isz, osz, lgo, lo, li, b, "interp_backward", NULL);
        for (int pass = 0; pass < 3; pass++) {
            /* pass 1: without cvec (wflat on planar layouts); pass 2: both
             * contiguous, without cvec (wflat but for 'area' to all ones) */
            if (pass == 1)
                run_interp_bw_with(ctx, &p, dt, rank, isz, osz, lgo, lo, li, a, "interp_backward/cvec", &cnt);
            if (pass == 2) {
                run_interp_bw_with(ctx, &p, dt, rank, isz, osz, lgo, TU_CONTIGUOUS, TU_CONTIGUOUS, a,
                                   "interp_backward/cvec", &cnt);
                run_interp_bw_with(ctx, &p, dt, rank, isz, osz, lgo, TU_CONTIGUOUS, TU_CONTIGUOUS, b, "interp_backward",
                                   NULL);
            }
            /* the same bits; where a NaN met another NaN (grad_out's and one made
             * of inf - inf) which one propagates is the compiler's operand
             * order (Intel's CPU runtime: other signs in vector and scalar
             * code): NaN against NaN passes, counted */
            int64_t bad = 0;
            for (; bad < ni; bad++)
                if (memcmp(a + (size_t)bad * es, b + (size_t)bad * es, es) != 0) {
                    if (!isnan(tu_get(dt, a, bad)) || !isnan(tu_get(dt, b, bad))) break;
                    nan_bits++;
                }
            ck_assert_msg(bad == ni,
                          "case %d pass %d (%s%s rank %d %s, %lld channels, width %d, %s / %s): element %lld %.9g, "
                          "gather's %.9g",
                          it, pass, clrs_interp_mode_name(p.mode), p.antialias ? " antialias" : "", rank, clrs_dtype_name(dt),
                          (long long)isz[1], vw, tu_layout_name(lo), tu_layout_name(li), (long long)bad,
                          bad < ni ? tu_get(dt, a, bad) : 0.0, bad < ni ? tu_get(dt, b, bad) : 0.0);
        }
        free(vg);
        free(lgo);
        free(a);
        free(b);
        cases++;
    }
    ck_assert_int_eq(clrs_tuning_set(ctx, "ibw_vw", vw0), CLRS_OK);
    ck_assert_int_eq(clrs_tuning_set(ctx, "ibw_vectors", nv0), CLRS_OK);
    fprintf(stderr,
            "# interpolate backward entries, random: %d cases, wflat %d / cvec %d / gather %d the same bits (%lld "
            "NaNs with other NaN bits)\n",
            cases, cnt.wflat, cnt.cvec, cnt.gather, (long long)nan_bits);
    ck_assert_int_ge(cases, 60);
    ck_assert_int_ge(cnt.cvec, cases / 2);
    ck_assert_int_ge(cnt.wflat, cases / 2);
    ck_assert_int_ge(cnt.gather, 4); /* fewer than 4 channels; 'area' to all ones */
}
END_TEST

/* Random shapes, modes and layouts against the C reference (double). */
START_TEST(test_random_interp_vs_reference)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    clrs_context_device(ctx, &info);
    uint64_t rng = 0x1B7E4B00ULL + (uint64_t)_i;
    int cases = 0;
    static const clrs_interp_mode MODES[] = {CLRS_INTERP_NEAREST, CLRS_INTERP_NEAREST_EXACT, CLRS_INTERP_LINEAR,
                                             CLRS_INTERP_BICUBIC, CLRS_INTERP_AREA, CLRS_INTERP_LANCZOS};
    for (int it = 0; it < 60 && cases < 30; it++) {
        const clrs_dtype dt = FLOAT_DTS[it % 4];
        if (dt == CLRS_F64 && !info.fp64) continue;
        const size_t es = clrs_dtype_size(dt);
        const int rank = (int)tu_range(&rng, 3, 5), sp = rank - 2;
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        p.mode = MODES[tu_range(&rng, 0, 5)];
        if (p.mode == CLRS_INTERP_LINEAR) p.mode = rank == 3 ? CLRS_INTERP_LINEAR : rank == 4 ? CLRS_INTERP_BILINEAR
                                                                                              : CLRS_INTERP_TRILINEAR;
        const int interpolating = p.mode != CLRS_INTERP_NEAREST && p.mode != CLRS_INTERP_NEAREST_EXACT &&
                                  p.mode != CLRS_INTERP_AREA;
        if (p.mode == CLRS_INTERP_LANCZOS) p.antialias = 1;
        else if (interpolating && tu_range(&rng, 0, 3) == 0) p.antialias = 1;
        if (interpolating && p.mode != CLRS_INTERP_LANCZOS) p.align_corners = (int)tu_range(&rng, 0, 1);
        int64_t isz[CLRS_MAX_RANK], osz[CLRS_MAX_RANK];
        isz[0] = tu_range(&rng, 1, 2);
        isz[1] = tu_range(&rng, 1, 6); /* 4 and more: channels first for channels-last grad_in */
        for (int a = 0; a < sp; a++) isz[2 + a] = tu_range(&rng, 1, rank == 5 ? 6 : 11);
        if (tu_range(&rng, 0, 1)) {
            p.n_size = sp;
            for (int a = 0; a < sp; a++) p.size[a] = tu_range(&rng, 1, rank == 5 ? 9 : 17);
        } else {
            p.n_scale = sp;
            for (int a = 0; a < sp; a++) p.scale[a] = 0.3 + tu_uniform(&rng) * 2.5;
            if (tu_range(&rng, 0, 2) == 0) p.recompute_scale_factor = 1;
        }
        if (ref_interpolate_shape(rank, isz, &p, osz) != 0) continue;
        const int64_t ni = numel_of(rank, isz), no = numel_of(rank, osz);
        if (no == 0) continue;
        double *vg = malloc((size_t)no * sizeof *vg), *vr = malloc((size_t)ni * sizeof *vr);
        unsigned char *lgo = malloc((size_t)no * es), *lgot = malloc((size_t)ni * es);
        fill_exact(&rng, dt, vg, lgo, no);
        ck_assert_int_eq(ref_interpolate_backward(rank, isz, &p, vg, vr, dt), 0);
        run_interp_bw(ctx, &p, dt, rank, isz, osz, lgo, (tu_layout)tu_range(&rng, 0, 2),
                      (tu_layout)tu_range(&rng, 0, 2), lgot);
        double mx = 0, err = 0;
        for (int64_t i = 0; i < ni; i++)
            if (fabs(vr[i]) > mx) mx = fabs(vr[i]);
        if (mx == 0) mx = 1;
        for (int64_t i = 0; i < ni; i++) {
            const double e = fabs(tu_get(dt, lgot, i) - vr[i]) / mx;
            if (e > err) err = e;
        }
        /* f32: float weights and sums against double sums of the same
         * weights; f16 / bf16: one rounding to 16 bits */
        const double lim = dt == CLRS_F64 ? 1e-12 : dt == CLRS_F32 ? 1e-5 : dt == CLRS_F16 ? 0x1p-10 : 0x1p-7;
        ck_assert_msg(err <= lim, "interpolate backward case %d (%s%s rank %d %s): %.3g x max from the reference", it,
                      clrs_interp_mode_name(p.mode), p.antialias ? " antialias" : "", rank, clrs_dtype_name(dt), err);
        free(vg);
        free(vr);
        free(lgo);
        free(lgot);
        cases++;
    }
    ck_assert_int_ge(cases, 24);
}
END_TEST

/* Bilinear x2 and trilinear x2 backward (overlapping taps, clamped edges):
 * repeat runs, other work-group sizes and layouts give the same bits. */
START_TEST(test_interp_determinism)
{
    clrs_context *ctx = tu_context();
    uint64_t rng = 0xD1B7ULL;
    /* C >= 4: channels-last grad_in runs channels first (cmajor), NCHW by rows */
    const int64_t i4[4] = {2, 5, 29, 37}, o4[4] = {2, 5, 58, 74}, i5[5] = {1, 4, 7, 9, 11}, o5[5] = {1, 4, 14, 18, 22};
    clrs_interpolate_params p4, p5;
    clrs_interpolate_params_init(&p4);
    p4.mode = CLRS_INTERP_BILINEAR;
    p4.n_scale = 1;
    p4.scale[0] = 2.0;
    p5 = p4;
    p5.mode = CLRS_INTERP_TRILINEAR;
    p5.align_corners = 1;
    const int64_t ni4 = numel_of(4, i4), no4 = numel_of(4, o4), ni5 = numel_of(5, i5), no5 = numel_of(5, o5);
    float *g4 = malloc((size_t)no4 * sizeof *g4), *g5 = malloc((size_t)no5 * sizeof *g5);
    float *f4 = malloc((size_t)ni4 * sizeof *f4), *f5 = malloc((size_t)ni5 * sizeof *f5);
    float *r4 = malloc((size_t)ni4 * sizeof *r4), *r5 = malloc((size_t)ni5 * sizeof *r5);
    for (int64_t i = 0; i < no4; i++) g4[i] = (float)(tu_uniform(&rng) * 8.0 - 4.0);
    for (int64_t i = 0; i < no5; i++) g5[i] = (float)(tu_uniform(&rng) * 8.0 - 4.0);
    run_interp_bw(ctx, &p4, CLRS_F32, 4, i4, o4, g4, TU_CONTIGUOUS, TU_CONTIGUOUS, f4);
    run_interp_bw(ctx, &p5, CLRS_F32, 5, i5, o5, g5, TU_CONTIGUOUS, TU_CONTIGUOUS, f5);
    int64_t lx0;
    ck_assert_int_eq(clrs_tuning_get(ctx, "lx", &lx0, NULL), CLRS_OK);
    const int64_t lxs[] = {lx0, 1, 32};
    int runs = 0;
    for (int t = 0; t < 3; t++) {
        ck_assert_int_eq(clrs_tuning_set(ctx, "lx", lxs[t]), CLRS_OK);
        for (int l = 0; l < TU_NLAYOUTS; l++)
            for (int rep = 0; rep < (t == 0 ? 2 : 1); rep++) {
                run_interp_bw(ctx, &p4, CLRS_F32, 4, i4, o4, g4, (tu_layout)l, (tu_layout)((l + rep) % TU_NLAYOUTS),
                              r4);
                ck_assert_msg(memcmp(r4, f4, (size_t)ni4 * sizeof *r4) == 0, "bilinear backward: other bits (lx %lld, %s)",
                              (long long)lxs[t], tu_layout_name((tu_layout)l));
                run_interp_bw(ctx, &p5, CLRS_F32, 5, i5, o5, g5, (tu_layout)l, (tu_layout)((l + rep) % TU_NLAYOUTS),
                              r5);
                ck_assert_msg(memcmp(r5, f5, (size_t)ni5 * sizeof *r5) == 0, "trilinear backward: other bits (lx %lld, %s)",
                              (long long)lxs[t], tu_layout_name((tu_layout)l));
                runs += 2;
            }
    }
    ck_assert_int_eq(clrs_tuning_set(ctx, "lx", lx0), CLRS_OK);
    fprintf(stderr, "# interpolate backward determinism: %d runs with identical bits\n", runs);
    free(g4);
    free(g5);
    free(f4);
    free(f5);
    free(r4);
    free(r5);
}
END_TEST

/* Errors and the cl_mem form. */
START_TEST(test_interp_errors)
{
    clrs_context *ctx = tu_context();
    const int64_t isz[4] = {1, 1, 2, 3}, osz[4] = {1, 1, 4, 6}, wrong[4] = {1, 1, 4, 5};
    clrs_tensor_desc din, gi, go, gw, gu8, ou8;
    clrs_tensor_desc_contiguous(&din, CLRS_F32, 4, isz);
    clrs_tensor_desc_contiguous(&gi, CLRS_F32, 4, isz);
    clrs_tensor_desc_contiguous(&go, CLRS_F32, 4, osz);
    clrs_tensor_desc_contiguous(&gw, CLRS_F32, 4, wrong);
    clrs_tensor_desc_contiguous(&gu8, CLRS_U8, 4, isz);
    clrs_tensor_desc_contiguous(&ou8, CLRS_U8, 4, osz);
    clrs_interpolate_params p;
    clrs_interpolate_params_init(&p);
    p.mode = CLRS_INTERP_NEAREST;
    p.n_scale = 1;
    p.scale[0] = 2.0;
    float vgo[24], vgi[6];
    for (int i = 0; i < 24; i++) vgo[i] = (float)(i + 1);
    ck_assert_int_eq(clrs_interpolate_backward(ctx, &p, &din, &go, vgo, &gi, vgi), CLRS_OK);
    /* nearest x2: each input gathers its 2x2 block */
    for (int h = 0; h < 2; h++)
        for (int w = 0; w < 3; w++) {
            const float want = vgo[(2 * h) * 6 + 2 * w] + vgo[(2 * h) * 6 + 2 * w + 1] + vgo[(2 * h + 1) * 6 + 2 * w] +
                               vgo[(2 * h + 1) * 6 + 2 * w + 1];
            ck_assert(vgi[h * 3 + w] == want);
        }
    EXPECT_ERR(clrs_interpolate_backward(ctx, &p, &din, &gw, vgo, &gi, vgi), CLRS_ERR_BAD_SHAPE, "(1, 1, 4, 5)");
    EXPECT_ERR(clrs_interpolate_backward(ctx, &p, &din, &gw, vgo, &gi, vgi), CLRS_ERR_BAD_SHAPE, "(1, 1, 4, 6)");
    EXPECT_ERR(clrs_interpolate_backward(ctx, &p, &din, &go, vgo, &go, vgo), CLRS_ERR_BAD_SHAPE, "grad_input");
    clrs_tensor_desc din8 = din;
    din8.dtype = CLRS_U8;
    unsigned char b8[24];
    ck_assert_int_ne(clrs_interpolate_backward(ctx, &p, &din8, &ou8, b8, &gu8, b8), CLRS_OK);
    EXPECT_ERR(clrs_interpolate_backward(ctx, &p, &din, &go, NULL, &gi, vgi), CLRS_ERR_INVALID_ARG, "NULL");
    EXPECT_ERR(clrs_interpolate_backward(ctx, NULL, &din, &go, vgo, &gi, vgi), CLRS_ERR_INVALID_ARG, "NULL");
    p.mode = CLRS_INTERP_BILINEAR;
    p.align_corners = 2;
    EXPECT_ERR(clrs_interpolate_backward(ctx, &p, &din, &go, vgo, &gi, vgi), CLRS_ERR_BAD_PARAM, "align_corners");
    p.align_corners = CLRS_UNSET;
    /* the cl_mem form: bilinear x2, grad_out channels-last */
    cl_context clc;
    cl_command_queue q;
    ck_assert_int_eq(clrs_context_get_cl(ctx, &clc, NULL, &q), CLRS_OK);
    cl_int e;
    cl_mem mgo = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof vgo, vgo, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    cl_mem mgi = clCreateBuffer(clc, CL_MEM_READ_WRITE, sizeof vgi, NULL, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    cl_event done = NULL;
    ck_assert_msg(clrs_interpolate_backward_cl(ctx, &p, &din, &go, mgo, &gi, mgi, NULL, 0, NULL, &done) == CLRS_OK,
                  "%s", clrs_last_error(ctx));
    float hgi[6], want[6];
    ck_assert_int_eq(clEnqueueReadBuffer(q, mgi, CL_TRUE, 0, sizeof hgi, hgi, 1, &done, NULL), CL_SUCCESS);
    clReleaseEvent(done);
    ck_assert_int_eq(clrs_interpolate_backward(ctx, &p, &din, &go, vgo, &gi, want), CLRS_OK);
    ck_assert(memcmp(hgi, want, sizeof hgi) == 0);
    /* area to 1x1 is torch's mean: one division by the plane's size */
    p.mode = CLRS_INTERP_AREA;
    p.scale[0] = 0.5;
    const int64_t asz[4] = {1, 1, 1, 1};
    clrs_tensor_desc ga;
    clrs_tensor_desc_contiguous(&ga, CLRS_F32, 4, asz);
    ck_assert_msg(clrs_interpolate_backward_cl(ctx, &p, &din, &ga, mgo, &gi, mgi, NULL, 0, NULL, &done) == CLRS_OK,
                  "%s", clrs_last_error(ctx));
    ck_assert_int_eq(clEnqueueReadBuffer(q, mgi, CL_TRUE, 0, sizeof hgi, hgi, 1, &done, NULL), CL_SUCCESS);
    clReleaseEvent(done);
    for (int i = 0; i < 6; i++) ck_assert(hgi[i] == vgo[0] / 6.0f);
    clReleaseMemObject(mgo);
    clReleaseMemObject(mgi);
}
END_TEST

int main(void)
{
    tu_binary_cache_off(); /* operators, not the cache: see testutil.h */
    Suite *s = suite_create("backward");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, tu_timeout(1200));
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_cl_mem_calls);
    tcase_add_test(tc, test_pool_backward_paths);
    tcase_add_test(tc, test_determinism);
    tcase_add_loop_test(tc, test_random_vs_reference, 0, 2);
    tcase_add_loop_test(tc, test_random_pool_vs_reference, 0, 2);
    tcase_add_test(tc, test_golden_backward);
    tcase_add_test(tc, test_golden_pool_backward);
    tcase_add_test(tc, test_golden_avgpool_backward);
    tcase_add_test(tc, test_random_avgpool_vs_reference);
    tcase_add_test(tc, test_pool_backward_impls);
    tcase_add_test(tc, test_golden_lppool_backward);
    tcase_add_loop_test(tc, test_random_lppool_vs_reference, 0, 2);
    tcase_add_test(tc, test_interp_errors);
    tcase_add_test(tc, test_interp_determinism);
    tcase_add_loop_test(tc, test_random_interp_vs_reference, 0, 2);
    tcase_add_test(tc, test_golden_interp_backward);
    tcase_add_test(tc, test_interp_backward_impls_golden);
    tcase_add_test(tc, test_interp_backward_impls_random);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_context_release();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
