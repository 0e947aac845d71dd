/* SPDX-License-Identifier: MIT */
/* interpolate: golden vectors from real PyTorch (tests/golden/interpolate.txt)
 * in three layouts, random cases against the C reference, and the error
 * cases. */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clresample/cl_interop.h"
#include "golden_io.h"
#include "internal.h"
#include "npy.h"
#include "ref/ref.h"
#include "testutil.h"

/* Modes whose kernels exist; golden cases of other modes are counted and
 * reported as not run, never silently passed. */
static int mode_implemented(clrs_interp_mode m)
{
    (void)m;
    return 1;
}

static int is_nearest(clrs_interp_mode m) { return m == CLRS_INTERP_NEAREST || m == CLRS_INTERP_NEAREST_EXACT; }

/* One unit in the last place of a 16-bit float type at v. */
static double ulp16(clrs_dtype dt, double v)
{
    if (dt == CLRS_F16) return ldexp(1.0, (int)floor(log2(fmax(fabs(v), 6.103515625e-05))) - 10);
    return ldexp(1.0, (int)floor(log2(fmax(fabs(v), 1.2e-38))) - 7);
}

/* Tolerance check of one element; returns 1 when acceptable. */
static int close_enough(clrs_dtype dt, double got, double ref)
{
    if (isnan(ref)) return isnan(got);
    if (isinf(ref)) return got == ref;
    double err = fabs(got - ref);
    switch (dt) {
    case CLRS_F32: return err <= 2e-5 * (1 + fabs(ref));
    case CLRS_F64: return err <= 1e-10 * (1 + fabs(ref));
    case CLRS_F16: return err <= ulp16(dt, ref) * 1.0001;
    case CLRS_BF16: return err <= ulp16(dt, ref) * 1.0001;
    default: return err == 0;
    }
}

/* Cases PyTorch rejects only because of the rank, that clresample accepts. */
static int beyond_pytorch(const clrs_interpolate_params *p, int rank)
{
    if (rank == 4) return 0;
    int per_axis = p->mode == CLRS_INTERP_BICUBIC || p->mode == CLRS_INTERP_LANCZOS ||
                   (p->mode == CLRS_INTERP_LINEAR && rank == 3) || (p->mode == CLRS_INTERP_TRILINEAR && rank == 5);
    return per_axis && (p->antialias || p->mode != CLRS_INTERP_LANCZOS) && !(p->mode == CLRS_INTERP_LANCZOS && !p->antialias);
}

static void params_from_case(const tu_case *c, clrs_interpolate_params *p)
{
    clrs_interpolate_params_init(p);
    ck_assert_int_eq(clrs_interp_mode_parse(tu_get_str(c, "mode"), &p->mode), CLRS_OK);
    p->n_size = tu_get_ints(c, "size", p->size, 3);
    p->n_scale = tu_get_doubles(c, "scale", p->scale, 3);
    p->align_corners = tu_get_int(c, "align_corners", CLRS_UNSET);
    p->recompute_scale_factor = tu_get_int(c, "recompute", CLRS_UNSET);
    p->antialias = tu_get_int(c, "antialias", 0);
}

/* test_golden is bound by kernel compilation (from an empty cache, nearly
 * every case needs a kernel variant of its own, built in the calling
 * thread). A helper thread runs the same calls on the same context from
 * the last case backwards, discarding the results, until it meets the
 * main thread: the main thread then finds those programs built (the
 * context's program cache is shared, and a program being built by one
 * thread is waited for by the other). It only moves work from one core to
 * another: the main thread still makes and checks every call itself.
 * Not with CK_FORK=no (a failed assertion would leave the helper running
 * into the next test) nor with CLRS_TEST_PREFETCH=0. */
typedef struct golden_prefetch {
    clrs_context *ctx;
    const tu_case *cases;
    int n;
    atomic_int main_at; /* the case the main thread has reached */
    atomic_int stop;
    int ran; /* cases the helper ran (read after the join) */
} golden_prefetch;

static void *golden_prefetch_main(void *arg)
{
    golden_prefetch *pf = arg;
    for (int ci = pf->n - 1; ci >= 0; ci--) {
        if (atomic_load(&pf->stop) || ci <= atomic_load(&pf->main_at)) break;
        const tu_case *c = &pf->cases[ci];
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        if (tu_get_str(c, "error") != NULL || clrs_interp_mode_parse(tu_get_str(c, "mode"), &p.mode) != CLRS_OK)
            continue;
        p.n_size = tu_get_ints(c, "size", p.size, 3);
        p.n_scale = tu_get_doubles(c, "scale", p.scale, 3);
        p.align_corners = tu_get_int(c, "align_corners", CLRS_UNSET);
        p.recompute_scale_factor = tu_get_int(c, "recompute", CLRS_UNSET);
        p.antialias = tu_get_int(c, "antialias", 0);
        clrs_dtype dt = tu_dtype_from_name(tu_get_str(c, "dtype"));
        npy_array in;
        if (tu_load_golden(tu_get_str(c, "in"), &in) != 0) continue;
        clrs_tensor_desc ind;
        int64_t osz[CLRS_MAX_RANK];
        if (clrs_dtype_size(in.dtype) == clrs_dtype_size(dt) &&
            clrs_tensor_desc_contiguous(&ind, dt, in.ndim, in.shape) == CLRS_OK &&
            clrs_interpolate_output_shape(pf->ctx, &ind, &p, osz) == CLRS_OK) {
            for (int l = 0; l < TU_NLAYOUTS && !atomic_load(&pf->stop); l++) {
                tu_tensor ti, to;
                tu_alloc(&ti, dt, in.ndim, in.shape, (tu_layout)l, 0x5a);
                tu_alloc(&to, dt, in.ndim, osz, (tu_layout)l, 0xab);
                tu_store(&ti, in.data);
                (void)clrs_interpolate(pf->ctx, &p, &ti.desc, ti.base, &to.desc, to.base);
                tu_free(&ti);
                tu_free(&to);
            }
            pf->ran++;
        }
        npy_free(&in);
    }
    return NULL;
}

START_TEST(test_golden)
{
    clrs_context *ctx = tu_context();
    tu_case *cases = NULL;
    int n = tu_golden_cases("interpolate.txt", 101, &cases);
    const char *fork_env = getenv("CK_FORK"), *pf_env = getenv("CLRS_TEST_PREFETCH");
    int prefetching = !(fork_env && strcmp(fork_env, "no") == 0) && !(pf_env && strcmp(pf_env, "0") == 0);
    static golden_prefetch pf; /* static: outlives the test function, whatever happens */
    pthread_t pf_thread;
    pf.ctx = ctx;
    pf.cases = cases;
    pf.n = n;
    pf.ran = 0;
    atomic_store(&pf.main_at, -1);
    atomic_store(&pf.stop, 0);
    if (prefetching && pthread_create(&pf_thread, NULL, golden_prefetch_main, &pf) != 0) prefetching = 0;
    int ran = 0, errors_checked = 0, not_run = 0, compared = 0;
    double worst16 = 0;
    int bug_cases = 0, extensions = 0;
    for (int ci = 0; ci < n; ci++) {
        tu_progress("test_golden (interpolate)", ci, n, "cases");
        atomic_store(&pf.main_at, ci);
        const tu_case *c = &cases[ci];
        const char *id = tu_get_str(c, "id");
        clrs_interpolate_params p;
        params_from_case(c, &p);
        clrs_dtype dt = tu_dtype_from_name(tu_get_str(c, "dtype"));
        if (!mode_implemented(p.mode)) {
            not_run++;
            continue;
        }
        npy_array in;
        ck_assert_msg(tu_load_golden(tu_get_str(c, "in"), &in) == 0, "%s: input", id);
        ck_assert_int_eq(clrs_dtype_size(in.dtype), clrs_dtype_size(dt));
        clrs_tensor_desc ind;
        ck_assert_int_eq(clrs_tensor_desc_contiguous(&ind, dt, in.ndim, in.shape), CLRS_OK);
        int64_t osz[CLRS_MAX_RANK];
        clrs_status st = clrs_interpolate_output_shape(ctx, &ind, &p, osz);
        if (tu_get_str(c, "error") != NULL && beyond_pytorch(&p, in.ndim)) {
            /* documented extension: bicubic, antialias and lanczos on 1-D
             * and 3-D too (PyTorch has them on 4-D only) */
            if (st == CLRS_OK)
                extensions++;
            else /* then for another reason torch would also give */
                ck_assert_msg(strstr(clrs_last_error(ctx), "greater than 0") != NULL, "%s: extension case rejected: %s", id,
                              clrs_last_error(ctx));
            npy_free(&in);
            continue;
        }
        if (tu_get_str(c, "error") != NULL) {
            ck_assert_msg(st != CLRS_OK, "%s: torch raised '%s' but clrs accepted it", id, tu_get_str(c, "error"));
            ck_assert_msg(strlen(clrs_last_error(ctx)) > 0, "%s: no error detail", id);
            errors_checked++;
            npy_free(&in);
            continue;
        }
        ck_assert_msg(st == CLRS_OK, "%s: output_shape failed: %s", id, clrs_last_error(ctx));
        npy_array ref;
        ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &ref) == 0, "%s: output", id);
        ck_assert_int_eq(ref.ndim, in.ndim);
        for (int i = 0; i < ref.ndim; i++) ck_assert_msg(ref.shape[i] == osz[i], "%s: shape dim %d: %lld vs torch %lld", id, i, (long long)osz[i], (long long)ref.shape[i]);
        int64_t numel = 1, nin = 1;
        for (int i = 0; i < ref.ndim; i++) numel *= ref.shape[i];
        for (int i = 0; i < in.ndim; i++) nin *= in.shape[i];
        size_t es = clrs_dtype_size(dt);
        /* PyTorch 2.15 bug: with antialias and an output width of 1, CPU
         * computes every output row with the weights of row 0. We do not
         * copy it; those cases are checked against the C reference. */
        int torch_bug = p.antialias && osz[in.ndim - 1] == 1;
        double *exact = NULL, amax = 0;
        if (dt == CLRS_F16 || dt == CLRS_BF16 || torch_bug) {
            double *vin = malloc((size_t)nin * sizeof *vin);
            exact = malloc((size_t)numel * sizeof *exact);
            for (int64_t i = 0; i < nin; i++) {
                vin[i] = tu_get(dt, in.data, i);
                if (isfinite(vin[i])) amax = fmax(amax, fabs(vin[i]));
            }
            ck_assert_int_eq(ref_interpolate_ex(in.ndim, in.shape, vin, &p, osz, exact, dt,
                                                REF_NEAREST_TORCH_CPU | REF_NEAREST_FMA), 0);
            free(vin);
        }
        for (int l = 0; l < TU_NLAYOUTS; l++) {
            tu_tensor ti, to;
            tu_alloc(&ti, dt, in.ndim, in.shape, (tu_layout)l, 0x5a);
            tu_alloc(&to, dt, in.ndim, osz, (tu_layout)l, 0xab);
            tu_store(&ti, in.data);
            st = clrs_interpolate(ctx, &p, &ti.desc, ti.base, &to.desc, to.base);
            ck_assert_msg(st == CLRS_OK, "%s (%s): %s: %s", id, tu_layout_name((tu_layout)l), clrs_strerror(st), clrs_last_error(ctx));
            unsigned char *got = malloc((size_t)numel * es + 1);
            tu_load(&to, got);
            if (torch_bug) {
                for (int64_t i = 0; i < numel; i++) {
                    double g = tu_get(dt, got, i), x = exact[i];
                    ck_assert_msg(dt == CLRS_U8 ? g == x : close_enough(dt, g, x),
                                  "%s (%s): element %lld: %.9g vs reference %.9g", id,
                                  tu_layout_name((tu_layout)l), (long long)i, g, x);
                }
                if (l == 0) bug_cases++;
            } else if (is_nearest(p.mode) || dt == CLRS_U8) {
                ck_assert_msg(memcmp(got, ref.data, (size_t)numel * es) == 0, "%s (%s): not bit-exact with torch", id,
                              tu_layout_name((tu_layout)l));
            } else if (dt == CLRS_F16 || dt == CLRS_BF16) {
                /* PyTorch's CPU half kernels round intermediate products to
                 * the 16-bit type, so torch itself is often several ulp from
                 * the exact result (its error scales with the inputs, not the
                 * output). We require: within 1 ulp of the exactly computed
                 * value (the C reference, in double), and that exact value
                 * within torch's own rounding noise of torch's answer (which
                 * checks that the reference means what torch means). "Exact"
                 * has double weights; ours, like PyTorch's opmath, are float:
                 * where the sum cancels (a result far below its inputs) that
                 * moves it by a few 2^-24 of the inputs, which the 1 ulp may
                 * not cover: 2^-17 of the largest input is allowed on top. */
                for (int64_t i = 0; i < numel; i++) {
                    double g = tu_get(dt, got, i), r = tu_get(dt, ref.data, i), x = exact[i];
                    ck_assert_msg(close_enough(dt, g, x) || (isfinite(x) && fabs(g - x) <= ulp16(dt, x) + amax * 0x1p-17),
                                  "%s (%s): element %lld: %.9g vs exact %.9g", id, tu_layout_name((tu_layout)l),
                                  (long long)i, g, x);
                    if (!isnan(r) && !isinf(r)) {
                        worst16 = fmax(worst16, fabs(r - x) / ulp16(dt, x));
                        double noise = 16 * ulp16(dt, x) + (dt == CLRS_F16 ? 0x1p-9 : 0x1p-6);
                        ck_assert_msg(fabs(r - x) <= noise, "%s (%s): element %lld: torch %.9g vs exact %.9g", id,
                                      tu_layout_name((tu_layout)l), (long long)i, r, x);
                    } else {
                        ck_assert_msg(close_enough(dt, g, r), "%s: element %lld: %g vs torch %g", id, (long long)i, g, r);
                    }
                }
            } else {
                for (int64_t i = 0; i < numel; i++) {
                    double g = tu_get(dt, got, i), r = tu_get(dt, ref.data, i);
                    ck_assert_msg(close_enough(dt, g, r), "%s (%s): element %lld: %.9g vs torch %.9g", id,
                                  tu_layout_name((tu_layout)l), (long long)i, g, r);
                }
            }
            free(got);
            tu_free(&ti);
            tu_free(&to);
            compared++;
        }
        ran++;
        free(exact);
        npy_free(&ref);
        npy_free(&in);
    }
    tu_progress("test_golden (interpolate)", n, n, "cases");
    if (prefetching) {
        atomic_store(&pf.stop, 1);
        pthread_join(pf_thread, NULL);
        fprintf(stderr, "# interpolate golden: a helper thread ran %d cases ahead of the checking thread\n", pf.ran);
    }
    fprintf(stderr, "# interpolate golden: %d cases run in %d layout runs, %d torch errors reproduced, %d not run; "
            "torch's own f16/bf16 error: up to %.1f ulp; %d cases of torch's antialias width-1 bug checked against the reference; "
            "%d torch rank errors accepted as documented extensions\n",
            ran, compared, errors_checked, not_run, worst16, bug_cases, extensions);
    ck_assert_int_gt(ran, 50);
    free(cases);
}
END_TEST

/* Writes outside an output's elements are caught exactly: every gap byte of
 * a strided output must keep its fill. */
START_TEST(test_strided_gaps_untouched)
{
    clrs_context *ctx = tu_context();
    int64_t isz[4] = {2, 3, 5, 7};
    clrs_interpolate_params p;
    clrs_interpolate_params_init(&p);
    p.mode = CLRS_INTERP_NEAREST_EXACT;
    p.n_scale = 2;
    p.scale[0] = 1.7;
    p.scale[1] = 0.6;
    tu_tensor ti, to;
    tu_alloc(&ti, CLRS_F32, 4, isz, TU_STRIDED, 0);
    int64_t osz[CLRS_MAX_RANK];
    ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &ti.desc, &p, osz), CLRS_OK);
    tu_alloc(&to, CLRS_F32, 4, osz, TU_STRIDED, 0xab);
    int64_t numel = osz[0] * osz[1] * osz[2] * osz[3];
    float ones[2 * 3 * 5 * 7];
    for (int i = 0; i < 2 * 3 * 5 * 7; i++) ones[i] = 1.0f;
    tu_store(&ti, ones);
    ck_assert_int_eq(clrs_interpolate(ctx, &p, &ti.desc, ti.base, &to.desc, to.base), CLRS_OK);
    /* mark each element's bytes in a mask, then check every other byte */
    unsigned char *mask = calloc(to.bytes, 1);
    tu_tensor m = to;
    m.base = mask;
    unsigned char *ff = malloc((size_t)numel * 4);
    memset(ff, 0xff, (size_t)numel * 4);
    tu_store(&m, ff);
    for (size_t b = 0; b < to.bytes; b++) {
        if (mask[b]) continue;
        ck_assert_msg(to.base[b] == 0xab, "byte %zu outside the output's elements was written", b);
    }
    float *got = malloc((size_t)numel * 4);
    tu_load(&to, got);
    for (int64_t i = 0; i < numel; i++) ck_assert_float_eq(got[i], 1.0f);
    free(got);
    free(ff);
    free(mask);
    tu_free(&ti);
    tu_free(&to);
}
END_TEST

/* Random shapes, scales, dtypes and layouts against the C reference. */
START_TEST(test_random_vs_reference)
{
    clrs_context *ctx = tu_context();
    uint64_t rng = 0x1234567ULL + (uint64_t)_i;
    static const clrs_dtype dts[] = {CLRS_F32, CLRS_F64, CLRS_F16, CLRS_BF16, CLRS_U8};
    int ncases = 60;
    char what[64];
    snprintf(what, sizeof what, "test_random_vs_reference:%d", _i);
    for (int it = 0; it < ncases; it++) {
        tu_progress(what, it, ncases, "cases");
        int rank = (int)tu_range(&rng, 3, 5), sp = rank - 2;
        int64_t isz[5];
        isz[0] = tu_range(&rng, 1, 2);
        isz[1] = tu_range(&rng, 1, 5);
        for (int a = 0; a < sp; a++) isz[2 + a] = tu_range(&rng, 1, rank == 5 ? 6 : 11);
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        static const clrs_interp_mode modes[] = {CLRS_INTERP_NEAREST, CLRS_INTERP_NEAREST_EXACT, CLRS_INTERP_LINEAR,
                                                 CLRS_INTERP_BICUBIC, CLRS_INTERP_AREA, CLRS_INTERP_LANCZOS};
        p.mode = modes[tu_range(&rng, 0, 5)];
        if (p.mode == CLRS_INTERP_LINEAR) /* the rank's own name */
            p.mode = rank == 3 ? CLRS_INTERP_LINEAR : rank == 4 ? CLRS_INTERP_BILINEAR : CLRS_INTERP_TRILINEAR;
        int filtering = p.mode != CLRS_INTERP_NEAREST && p.mode != CLRS_INTERP_NEAREST_EXACT && p.mode != CLRS_INTERP_AREA;
        if (filtering && p.mode != CLRS_INTERP_LANCZOS) p.align_corners = (int)tu_range(&rng, 0, 1);
        if (filtering) p.antialias = p.mode == CLRS_INTERP_LANCZOS ? 1 : (int)tu_range(&rng, 0, 1);
        if (p.antialias && p.align_corners == 1 && p.mode == CLRS_INTERP_LANCZOS) p.align_corners = CLRS_UNSET;
        if (tu_range(&rng, 0, 1)) {
            p.n_size = tu_range(&rng, 0, 1) ? 1 : sp;
            for (int a = 0; a < p.n_size; a++) p.size[a] = tu_range(&rng, 1, 2 * isz[2 + a] + 3);
        } else {
            static const double sc[] = {0.3, 0.5, 0.75, 1.0, 1.05, 1.7, 2.0, 2.1, 2.5, 3.0, 0.9, 1.3333};
            p.n_scale = tu_range(&rng, 0, 1) ? 1 : sp;
            for (int a = 0; a < p.n_scale; a++) p.scale[a] = sc[tu_range(&rng, 0, 11)];
            p.recompute_scale_factor = (int)tu_range(&rng, -1, 1);
        }
        clrs_dtype dt = dts[tu_range(&rng, 0, 4)];
        tu_layout lay = (tu_layout)tu_range(&rng, 0, 2);
        clrs_tensor_desc d;
        clrs_tensor_desc_contiguous(&d, dt, rank, isz);
        int64_t osz[5], rsz[5];
        clrs_status st = clrs_interpolate_output_shape(ctx, &d, &p, osz);
        int rst = ref_interpolate_shape(rank, isz, &p, rsz);
        ck_assert_msg((st == CLRS_OK) == (rst == 0), "case %d: shape status %d vs reference %d (%s)", it, st, rst, clrs_last_error(ctx));
        if (st != CLRS_OK) continue;
        for (int i = 0; i < rank; i++) ck_assert_int_eq(osz[i], rsz[i]);
        int64_t ni = 1, no = 1;
        for (int i = 0; i < rank; i++) ni *= isz[i], no *= osz[i];
        size_t es = clrs_dtype_size(dt);
        double *vin = malloc((size_t)ni * sizeof(double)), *vout = malloc((size_t)no * sizeof(double));
        unsigned char *lin = malloc((size_t)ni * es), *lref = malloc((size_t)no * es), *lgot = malloc((size_t)no * es);
        for (int64_t i = 0; i < ni; i++) {
            tu_set(dt, lin, i, dt == CLRS_U8 ? (double)tu_range(&rng, 0, 255) : tu_uniform(&rng) * 200 - 100);
            vin[i] = tu_get(dt, lin, i);
        }
        ck_assert_int_eq(ref_interpolate_ex(rank, isz, vin, &p, osz, vout, dt, REF_NEAREST_TORCH_CPU | REF_NEAREST_FMA), 0);
        for (int64_t i = 0; i < no; i++) tu_set(dt, lref, i, vout[i]);
        tu_tensor ti, to;
        tu_alloc(&ti, dt, rank, isz, lay, 0);
        tu_alloc(&to, dt, rank, osz, lay, 0xcd);
        tu_store(&ti, lin);
        st = clrs_interpolate(ctx, &p, &ti.desc, ti.base, &to.desc, to.base);
        ck_assert_msg(st == CLRS_OK, "case %d: %s", it, clrs_last_error(ctx));
        tu_load(&to, lgot);
        if (!filtering && p.mode != CLRS_INTERP_AREA) {
            ck_assert_msg(memcmp(lgot, lref, (size_t)no * es) == 0, "case %d: %s rank %d %s %s differs from the reference",
                          it, clrs_interp_mode_name(p.mode), rank, clrs_dtype_name(dt), tu_layout_name(lay));
        } else {
            /* the reference computes coordinates in double, PyTorch (and we)
             * in float for the 32- and 16-bit types: compare loosely here;
             * the golden test holds us to PyTorch's own numbers */
            for (int64_t i = 0; i < no; i++) {
                double g = tu_get(dt, lgot, i), r = vout[i];
                double tol = dt == CLRS_F64 ? 1e-9 * (1 + fabs(r))
                           : dt == CLRS_U8  ? (p.mode == CLRS_INTERP_AREA ? 1 : 0)
                           : dt == CLRS_F32 ? 2e-3 * (1 + fabs(r)) : 0.02 * (1 + fabs(r));
                ck_assert_msg(fabs(g - r) <= tol, "case %d: %s%s rank %d %s %s element %lld: %.9g vs reference %.9g", it,
                              clrs_interp_mode_name(p.mode), p.antialias ? "+aa" : "", rank, clrs_dtype_name(dt),
                              tu_layout_name(lay), (long long)i, g, r);
            }
        }
        /* where rs_two_pass_min_growth may split a single pass (linear and
         * cubic without antialias, NCHW / channels-last order): one pass
         * (rs_single_pass_taps 4096, growth off) and a pass per axis
         * (growth 1: any upsampling after the first axis splits;
         * rs_single_pass_taps 1) give the bits of the default choice */
        int splittable = (p.mode == CLRS_INTERP_LINEAR || p.mode == CLRS_INTERP_BILINEAR ||
                          p.mode == CLRS_INTERP_TRILINEAR || p.mode == CLRS_INTERP_BICUBIC) &&
                         !p.antialias && lay != TU_STRIDED && dt != CLRS_U8;
        if (splittable) {
            int64_t old_taps = 0, old_growth = 0;
            ck_assert_int_eq(clrs_tuning_get(ctx, "rs_single_pass_taps", &old_taps, NULL), CLRS_OK);
            ck_assert_int_eq(clrs_tuning_get(ctx, "rs_two_pass_min_growth", &old_growth, NULL), CLRS_OK);
            static const int64_t settings[3][2] = {{4096, INT64_MAX}, {64, 1}, {1, INT64_MAX}};
            unsigned char *lpass = malloc((size_t)no * es);
            for (int k = 0; k < 3; k++) {
                ck_assert_int_eq(clrs_tuning_set(ctx, "rs_single_pass_taps", settings[k][0]), CLRS_OK);
                ck_assert_int_eq(clrs_tuning_set(ctx, "rs_two_pass_min_growth", settings[k][1]), CLRS_OK);
                st = clrs_interpolate(ctx, &p, &ti.desc, ti.base, &to.desc, to.base);
                ck_assert_msg(st == CLRS_OK, "case %d: %s", it, clrs_last_error(ctx));
                tu_load(&to, lpass);
                ck_assert_msg(memcmp(lpass, lgot, (size_t)no * es) == 0,
                              "case %d: %s rank %d %s %s: rs_single_pass_taps %lld, rs_two_pass_min_growth %lld "
                              "changes the bits",
                              it, clrs_interp_mode_name(p.mode), rank, clrs_dtype_name(dt), tu_layout_name(lay),
                              (long long)settings[k][0], (long long)settings[k][1]);
            }
            ck_assert_int_eq(clrs_tuning_set(ctx, "rs_single_pass_taps", old_taps), CLRS_OK);
            ck_assert_int_eq(clrs_tuning_set(ctx, "rs_two_pass_min_growth", old_growth), CLRS_OK);
            free(lpass);
        }
        tu_free(&ti);
        tu_free(&to);
        free(vin);
        free(vout);
        free(lin);
        free(lref);
        free(lgot);
    }
    tu_progress(what, ncases, ncases, "cases");
}
END_TEST

START_TEST(test_errors)
{
    clrs_context *ctx = tu_context();
    int64_t isz[4] = {1, 2, 4, 4};
    clrs_tensor_desc in, out;
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 4, isz);
    int64_t osz[5];
    clrs_interpolate_params p;

    clrs_interpolate_params_init(&p);
    p.n_size = 1;
    p.size[0] = 8;
    p.align_corners = 0;
    ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &in, &p, osz), CLRS_ERR_BAD_PARAM);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "align_corners"));

    clrs_interpolate_params_init(&p);
    ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &in, &p, osz), CLRS_ERR_BAD_PARAM);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "either size or scale_factor"));

    p.n_size = 1, p.size[0] = 3, p.n_scale = 1, p.scale[0] = 2;
    ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &in, &p, osz), CLRS_ERR_BAD_PARAM);

    clrs_interpolate_params_init(&p);
    p.n_scale = 1, p.scale[0] = 0.1;
    ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &in, &p, osz), CLRS_ERR_BAD_SHAPE);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "greater than 0"));

    p.scale[0] = NAN;
    ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &in, &p, osz), CLRS_ERR_BAD_PARAM);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "nan"));
    p.scale[0] = -2;
    ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &in, &p, osz), CLRS_ERR_BAD_PARAM);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "-2"));

    clrs_interpolate_params_init(&p);
    p.n_size = 3, p.size[0] = p.size[1] = p.size[2] = 4;
    ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &in, &p, osz), CLRS_ERR_BAD_PARAM);

    clrs_interpolate_params_init(&p);
    p.n_size = 1, p.size[0] = 8, p.antialias = 1;
    ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &in, &p, osz), CLRS_ERR_BAD_PARAM);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "Anti-alias"));

    clrs_interpolate_params_init(&p);
    p.n_size = 1, p.size[0] = 8, p.recompute_scale_factor = 1;
    ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &in, &p, osz), CLRS_ERR_BAD_PARAM);

    clrs_interpolate_params_init(&p);
    p.struct_size = 3;
    ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &in, &p, osz), CLRS_ERR_INVALID_ARG);

    /* wrong output shape / dtype / aliasing */
    clrs_interpolate_params_init(&p);
    p.n_size = 1, p.size[0] = 8;
    float buf[2 * 64 + 64];
    int64_t wrong[4] = {1, 2, 8, 7};
    clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, wrong);
    ck_assert_int_eq(clrs_interpolate(ctx, &p, &in, buf, &out, buf + 64), CLRS_ERR_BAD_SHAPE);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "(1, 2, 8, 7)"));
    int64_t right[4] = {1, 2, 8, 8};
    clrs_tensor_desc_contiguous(&out, CLRS_F64, 4, right);
    ck_assert_int_eq(clrs_interpolate(ctx, &p, &in, buf, &out, buf + 64), CLRS_ERR_BAD_DTYPE);
    clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, right);
    ck_assert_int_eq(clrs_interpolate(ctx, &p, &in, buf, &out, buf + 16), CLRS_ERR_ALIASING);
    ck_assert_int_eq(clrs_interpolate(ctx, &p, &in, buf, &out, buf + 32), CLRS_OK);
    ck_assert_int_eq(clrs_interpolate(ctx, &p, &in, NULL, &out, buf + 32), CLRS_ERR_INVALID_ARG);
    ck_assert_int_eq(clrs_interpolate(NULL, &p, &in, buf, &out, buf + 32), CLRS_ERR_INVALID_ARG);

    /* an output whose elements overlap one another */
    clrs_tensor_desc bad = out;
    bad.strides[3] = 0;
    ck_assert_int_eq(clrs_interpolate(ctx, &p, &in, buf, &bad, buf + 32), CLRS_ERR_BAD_STRIDES);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "overlap"));
    /* negative strides and overflowing extents */
    bad = in;
    bad.strides[2] = -4;
    ck_assert_int_eq(clrs_interpolate(ctx, &p, &bad, buf, &out, buf + 32), CLRS_ERR_BAD_STRIDES);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "-4"));
    bad = in;
    bad.strides[0] = INT64_MAX / 2;
    bad.sizes[0] = 4;
    ck_assert_int_eq(clrs_interpolate(ctx, &p, &bad, buf, &out, buf + 32), CLRS_ERR_BAD_STRIDES);
    bad = in;
    bad.rank = 2;
    ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &bad, &p, osz), CLRS_ERR_BAD_SHAPE);
    bad = in;
    bad.dtype = (clrs_dtype)42;
    ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &bad, &p, osz), CLRS_ERR_BAD_DTYPE);

    /* an input stride of 0 (a broadcast view) is a valid input */
    clrs_tensor_desc bc = in;
    bc.strides[1] = 0;
    ck_assert_int_eq(clrs_interpolate(ctx, &p, &bc, buf, &out, buf + 32), CLRS_OK);

    /* empty batch: nothing to do, still OK */
    int64_t e0[4] = {0, 2, 4, 4}, e1[4] = {0, 2, 8, 8};
    clrs_tensor_desc ein, eout;
    clrs_tensor_desc_contiguous(&ein, CLRS_F32, 4, e0);
    clrs_tensor_desc_contiguous(&eout, CLRS_F32, 4, e1);
    ck_assert_int_eq(clrs_interpolate(ctx, &p, &ein, buf, &eout, buf + 64), CLRS_OK);
    int64_t c0[4] = {1, 0, 4, 4};
    clrs_tensor_desc_contiguous(&ein, CLRS_F32, 4, c0);
    ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &ein, &p, osz), CLRS_ERR_BAD_SHAPE);
}
END_TEST

/* The cl_mem call: enqueue with a wait list, event returned, no hidden finish. */
START_TEST(test_cl_mem_call)
{
    clrs_context *ctx = tu_context();
    cl_context clc;
    cl_command_queue q;
    ck_assert_int_eq(clrs_context_get_cl(ctx, &clc, NULL, &q), CLRS_OK);
    int64_t isz[3] = {1, 1, 4}, osz[3] = {1, 1, 8};
    clrs_tensor_desc in, out;
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 3, isz);
    clrs_tensor_desc_contiguous(&out, CLRS_F32, 3, osz);
    out.offset = 2; /* element offset into the buffer */
    float src[4] = {1, 2, 3, 4}, dst[10];
    cl_int e;
    cl_mem a = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof src, src, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    cl_mem b = clCreateBuffer(clc, CL_MEM_READ_WRITE, sizeof dst, NULL, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    cl_event user = clCreateUserEvent(clc, &e), done = NULL;
    clrs_interpolate_params p;
    clrs_interpolate_params_init(&p);
    p.n_scale = 1;
    p.scale[0] = 2;
    ck_assert_int_eq(clrs_interpolate_cl(ctx, &p, &in, a, &out, b, NULL, 1, &user, &done), CLRS_OK);
    ck_assert_ptr_nonnull(done);
    cl_int status = 0;
    clGetEventInfo(done, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, NULL);
    ck_assert_int_gt(status, CL_COMPLETE); /* still waiting for the user event */
    clSetUserEventStatus(user, CL_COMPLETE);
    clWaitForEvents(1, &done);
    clEnqueueReadBuffer(q, b, CL_TRUE, 0, sizeof dst, dst, 0, NULL, NULL);
    for (int i = 0; i < 8; i++) ck_assert_float_eq(dst[2 + i], src[i / 2]);
    /* too small a buffer for the described extent */
    out.offset = 3;
    ck_assert_int_eq(clrs_interpolate_cl(ctx, &p, &in, a, &out, b, NULL, 0, NULL, NULL), CLRS_ERR_BAD_STRIDES);
    /* same buffer, overlapping ranges */
    out.offset = 0;
    ck_assert_int_eq(clrs_interpolate_cl(ctx, &p, &in, b, &out, b, NULL, 0, NULL, NULL), CLRS_ERR_ALIASING);
    ck_assert_int_eq(clrs_interpolate_cl(ctx, &p, &in, a, &out, b, NULL, 1, NULL, NULL), CLRS_ERR_INVALID_ARG);
    clReleaseEvent(done);
    clReleaseEvent(user);
    clReleaseMemObject(a);
    clReleaseMemObject(b);
}
END_TEST

/* The implementations a call chose (clrs_explain_begin): "family/impl"
 * joined by spaces, in launch order. */
typedef struct chosen_log {
    char names[512];
} chosen_log;
static void record_chosen(void *user, const char *family, const char *impl, int chosen, const char *reason)
{
    (void)reason;
    chosen_log *l = user;
    size_t n = strlen(l->names);
    if (chosen) snprintf(l->names + n, sizeof l->names - n, "%s%s/%s", n ? " " : "", family, impl);
}
/* Whether a chosen list names one of the forms the general kernels check. */
static int uses_special(const char *names)
{
    static const char *const forms[] = {"resample/vper", "resample/per", "gather/vnear", "resample/ctaps",
                                        "resample/rows"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        const char *p = names;
        size_t fl = strlen(forms[i]);
        while ((p = strstr(p, forms[i])) != NULL) {
            if (p[fl] == ' ' || p[fl] == '\0') return 1;
            p += fl;
        }
    }
    return 0;
}
/* Set two tuning values (and rs_rows_block, to rows), returning the
 * previous ones. */
static void tune2(clrs_context *ctx, int64_t per, int64_t vper, int64_t rows, int64_t *old_per, int64_t *old_vper,
                  int64_t *old_rows)
{
    if (old_per != NULL) ck_assert_int_eq(clrs_tuning_get(ctx, "rs_per", old_per, NULL), CLRS_OK);
    if (old_vper != NULL) ck_assert_int_eq(clrs_tuning_get(ctx, "rs_vper", old_vper, NULL), CLRS_OK);
    if (old_rows != NULL) ck_assert_int_eq(clrs_tuning_get(ctx, "rs_rows_block", old_rows, NULL), CLRS_OK);
    ck_assert_int_eq(clrs_tuning_set(ctx, "rs_per", per), CLRS_OK);
    ck_assert_int_eq(clrs_tuning_set(ctx, "rs_vper", vper), CLRS_OK);
    ck_assert_int_eq(clrs_tuning_set(ctx, "rs_rows_block", rows), CLRS_OK);
}

/* The periodic interior kernels (-D PER, with its EDGE kernel, and the
 * explicit-vector -D VPER) and the explicit-vector nearest rows (-D VNEAR)
 * give the bits of the general kernels (tuning rs_per=0, rs_vper=0: the
 * test checks that those choose other implementations), specials included:
 * every dtype, the weighted modes, up- and downscales, rows long enough
 * for a period, several layouts (the periodic paths need unit W strides
 * or, channels-last, 2..8 unit-stride channels; strided runs take the
 * general one both times). */
START_TEST(test_periodic_matches_general)
{
    clrs_context *ctx = tu_context();
    uint64_t rng = 0xfeedULL;
    static const struct {
        clrs_dtype dt;
        clrs_interp_mode mode;
        int rank, aa, ac;
        int64_t in[5];
        int64_t out[3];
    } cs[] = {
        {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 0, 0, {2, 3, 5, 48}, {9, 96}},
        {CLRS_F32, CLRS_INTERP_BICUBIC, 4, 0, 1, {1, 2, 4, 40}, {7, 120}},
        {CLRS_F16, CLRS_INTERP_BILINEAR, 4, 0, 0, {1, 3, 4, 48}, {8, 96}},
        {CLRS_BF16, CLRS_INTERP_LINEAR, 3, 0, 0, {2, 3, 64}, {160}},
        {CLRS_F64, CLRS_INTERP_TRILINEAR, 5, 0, 0, {1, 2, 2, 3, 40}, {4, 6, 80}},
        {CLRS_U8, CLRS_INTERP_BILINEAR, 4, 1, 0, {1, 3, 6, 96}, {3, 64}},
        {CLRS_F32, CLRS_INTERP_BICUBIC, 4, 1, 0, {1, 2, 6, 128}, {3, 64}},
        {CLRS_F32, CLRS_INTERP_AREA, 4, 0, 0, {1, 2, 4, 96}, {2, 48}},
        /* f32 and f16 x2 and x0.5 along W in explicit vectors (-D VPER=2 /
         * 1): an interior that is not whole chunks (the last chunk
         * overlaps), the antialiased downscale, trilinear, bicubic (whose
         * row ends are vectors too, -D EDGEV) */
        {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 0, 0, {2, 3, 5, 53}, {7, 106}},
        {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 1, 0, {1, 2, 8, 100}, {4, 50}},
        {CLRS_F32, CLRS_INTERP_TRILINEAR, 5, 0, 0, {1, 2, 3, 4, 40}, {5, 8, 80}},
        {CLRS_F16, CLRS_INTERP_BILINEAR, 4, 1, 0, {1, 2, 8, 100}, {4, 50}},
        {CLRS_F16, CLRS_INTERP_BICUBIC, 4, 0, 0, {1, 2, 5, 53}, {7, 106}},
        {CLRS_F32, CLRS_INTERP_BICUBIC, 4, 0, 0, {2, 2, 6, 70}, {9, 140}},
        /* the same with 2..8 channels-last channels folded (-D PERC: the
         * lanes are (period, channel)) in the channels-last layout: x0.5
         * with C = 3, 4, 5 (pixel-granular even lanes) and 6 (spans too
         * wide: the PER kernel), f16 x0.5, bicubic x2 with C = 4 */
        {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 1, 0, {1, 3, 6, 100}, {3, 50}},
        {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 0, 0, {1, 4, 5, 96}, {3, 48}},
        {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 1, 0, {1, 5, 4, 98}, {2, 49}},
        {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 0, 0, {1, 6, 4, 96}, {2, 48}},
        {CLRS_F16, CLRS_INTERP_BILINEAR, 4, 1, 0, {1, 3, 6, 100}, {3, 50}},
        {CLRS_F32, CLRS_INTERP_BICUBIC, 4, 0, 0, {1, 4, 5, 53}, {7, 106}},
        /* nearest and nearest-exact x2..x4 along W copy whole rows in
         * explicit vectors (-D VNEAR), every element size: rows of whole
         * chunks of 16 inputs and not, 1-D and 3-D, and a factor the form
         * does not take (x2.5) */
        {CLRS_F32, CLRS_INTERP_NEAREST, 4, 0, 0, {2, 3, 5, 32}, {10, 64}},
        {CLRS_F16, CLRS_INTERP_NEAREST_EXACT, 4, 0, 0, {1, 2, 3, 37}, {6, 111}},
        {CLRS_U8, CLRS_INTERP_NEAREST, 4, 0, 0, {1, 3, 4, 50}, {8, 200}},
        {CLRS_F64, CLRS_INTERP_NEAREST, 5, 0, 0, {1, 2, 3, 4, 21}, {6, 4, 42}},
        {CLRS_U16, CLRS_INTERP_NEAREST_EXACT, 3, 0, 0, {2, 3, 16}, {32}},
        {CLRS_F32, CLRS_INTERP_NEAREST, 4, 0, 0, {1, 2, 4, 40}, {8, 100}},
        /* uint8 with 3 channels resized along W alone, channels-last: the
         * taps as consecutive pixels (-D CTAPS; windows moved inside the
         * row end): x1/1.5 and x1/2.5 antialiased, bicubic antialiased,
         * a x7/4 upscale */
        {CLRS_U8, CLRS_INTERP_BILINEAR, 4, 1, 0, {1, 3, 4, 96}, {4, 64}},
        {CLRS_U8, CLRS_INTERP_BILINEAR, 4, 1, 0, {2, 3, 3, 50}, {3, 20}},
        {CLRS_U8, CLRS_INTERP_BICUBIC, 4, 1, 0, {1, 3, 3, 61}, {3, 25}},
        {CLRS_U8, CLRS_INTERP_BILINEAR, 4, 0, 0, {1, 3, 3, 40}, {3, 70}},
        /* 2-D bilinear / bicubic at non-integer factors with unit W
         * strides (NCHW): W then H per block of output rows (-D ROWS):
         * up and down, align_corners both ways, odd sizes, 1 / 3 / 5
         * channels, every float dtype, an antialiased downscale (dropped
         * taps), and a strong downscale whose blocks shrink until their
         * input rows fit (<= 32) */
        {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 0, 0, {2, 3, 13, 37}, {19, 53}},
        {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 0, 1, {1, 1, 29, 41}, {17, 23}},
        {CLRS_F32, CLRS_INTERP_BICUBIC, 4, 0, 0, {1, 3, 24, 40}, {32, 53}},
        {CLRS_F32, CLRS_INTERP_BICUBIC, 4, 0, 1, {2, 1, 40, 36}, {30, 27}},
        {CLRS_F64, CLRS_INTERP_BILINEAR, 4, 0, 0, {1, 5, 11, 19}, {15, 26}},
        {CLRS_F16, CLRS_INTERP_BICUBIC, 4, 0, 0, {1, 3, 17, 23}, {25, 31}},
        {CLRS_BF16, CLRS_INTERP_BILINEAR, 4, 0, 1, {1, 2, 9, 30}, {13, 21}},
        {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 1, 0, {1, 3, 40, 50}, {23, 29}},
        {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 0, 0, {1, 2, 200, 24}, {20, 17}},
    };
    const long ncs = (long)(sizeof cs / sizeof cs[0]);
    long nspecial = 0;
    struct {
        const char *form;
        long n;
    } seen[] = {{"resample/vper", 0}, {"resample/per ", 0}, {"resample/per_edge", 0}, {"gather/vnear", 0},
                {"resample/ctaps", 0}, {"resample/rows", 0}};
    /* the specialised forms are CPU forms (rs_vper), and the per form pays
     * on this device's table entry */
    int64_t vper_on = 0, per_on = 0;
    ck_assert_int_eq(clrs_tuning_get(ctx, "rs_vper", &vper_on, NULL), CLRS_OK);
    ck_assert_int_eq(clrs_tuning_get(ctx, "rs_per", &per_on, NULL), CLRS_OK);
    /* resample/rows is off in some devices' tables (Intel's CPU runtime):
     * on here, with PoCL's block, so that it is compared on every device */
    int64_t rows_dev = 0;
    ck_assert_int_eq(clrs_tuning_get(ctx, "rs_rows_block", &rows_dev, NULL), CLRS_OK);
    if (rows_dev == 0) ck_assert_int_eq(clrs_tuning_set(ctx, "rs_rows_block", 16), CLRS_OK);
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        tu_progress("test_periodic_matches_general", (long)c, ncs, "cases");
        int rank = cs[c].rank;
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        p.mode = cs[c].mode;
        p.antialias = cs[c].aa;
        if (cs[c].mode != CLRS_INTERP_AREA && cs[c].mode != CLRS_INTERP_NEAREST &&
            cs[c].mode != CLRS_INTERP_NEAREST_EXACT)
            p.align_corners = cs[c].ac;
        p.n_size = rank - 2;
        for (int a = 0; a < rank - 2; a++) p.size[a] = cs[c].out[a];
        int64_t osz[5];
        clrs_tensor_desc d;
        clrs_tensor_desc_contiguous(&d, cs[c].dt, rank, cs[c].in);
        ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &d, &p, osz), CLRS_OK);
        int64_t ni = 1, no = 1;
        for (int i = 0; i < rank; i++) ni *= cs[c].in[i], no *= osz[i];
        size_t es = clrs_dtype_size(cs[c].dt);
        unsigned char *lin = malloc((size_t)ni * es), *a = calloc((size_t)no, es), *b = calloc((size_t)no, es);
        for (int64_t i = 0; i < ni; i++) {
            const int integer = cs[c].dt == CLRS_U8 || cs[c].dt == CLRS_U16;
            double v = integer ? (double)tu_range(&rng, 0, 255) : tu_uniform(&rng) * 8 - 4;
            uint64_t r = tu_range(&rng, 0, 60);
            if (!integer && r < 3) v = r == 0 ? NAN : r == 1 ? INFINITY : -0.0;
            tu_set(cs[c].dt, lin, i, v);
        }
        for (int l = 0; l < TU_NLAYOUTS; l++) {
            chosen_log used[2];
            memset(used, 0, sizeof used);
            for (int run = 0; run < 2; run++) {
                tu_tensor ti, to;
                tu_alloc(&ti, cs[c].dt, rank, cs[c].in, (tu_layout)l, 0);
                tu_alloc(&to, cs[c].dt, rank, osz, (tu_layout)l, 0xcd);
                tu_store(&ti, lin);
                int64_t old_per = 0, old_vper = 0, old_rows = 0;
                if (run == 1) tune2(ctx, 0, 0, 0, &old_per, &old_vper, &old_rows);
                ck_assert_int_eq(clrs_explain_begin(record_chosen, &used[run], 0), CLRS_OK);
                clrs_status st = clrs_interpolate(ctx, &p, &ti.desc, ti.base, &to.desc, to.base);
                clrs_explain_end();
                if (run == 1) tune2(ctx, old_per, old_vper, old_rows, NULL, NULL, NULL);
                ck_assert_msg(st == CLRS_OK, "case %zu: %s", c, clrs_last_error(ctx));
                tu_load(&to, run == 0 ? a : b);
                tu_free(&ti);
                tu_free(&to);
            }
            ck_assert_msg(memcmp(a, b, (size_t)no * es) == 0, "case %zu (%s %s, %s): periodic and general kernels differ",
                          c, clrs_interp_mode_name(p.mode), clrs_dtype_name(cs[c].dt), tu_layout_name((tu_layout)l));
            /* the forced run really took other implementations */
            ck_assert_msg(!uses_special(used[1].names), "case %zu (%s): rs_per=0 rs_vper=0 still chose %s", c,
                          tu_layout_name((tu_layout)l), used[1].names);
            if (uses_special(used[0].names)) {
                nspecial++;
                ck_assert_msg(strcmp(used[0].names, used[1].names) != 0, "case %zu: the same implementations", c);
            }
            for (size_t f = 0; f < sizeof seen / sizeof seen[0]; f++)
                if (strstr(used[0].names, seen[f].form) != NULL) seen[f].n++;
        }
        free(lin);
        free(a);
        free(b);
    }
    ck_assert_int_eq(clrs_tuning_set(ctx, "rs_rows_block", rows_dev), CLRS_OK);
    tu_progress("test_periodic_matches_general", ncs, ncs, "cases");
    fprintf(stderr, "# periodic vs general: %ld comparisons with a specialised form:", nspecial);
    for (size_t f = 0; f < sizeof seen / sizeof seen[0]; f++) fprintf(stderr, " %s %ld", seen[f].form, seen[f].n);
    fprintf(stderr, "\n");
    if (vper_on && per_on)
        for (size_t f = 0; f < sizeof seen / sizeof seen[0]; f++)
            ck_assert_msg(seen[f].n > 0, "no case chose %s: the test no longer compares it", seen[f].form);
}
END_TEST

/* f16 on PoCL CPU devices converts through F16C (clang's _Float16,
 * cl/resample.cl CLRS_F16C); the integer forms are what other devices run.
 * Both must give the same bits: every half bit pattern as input (1-D linear
 * up, down, antialiased down; x2 and x0.5 in the explicit-vector VPER
 * form) and 2-D bilinear / bicubic in every layout,
 * against a build with -DCLRS_NO_F16C. On a device whose compiler has no
 * F16C (Intel's CPU runtime, GPUs) both builds would take the integer
 * forms and agree trivially: there the test says so and compares instead
 * the explicit-vector forms (tuning rs_vper=2, lane-by-lane integer
 * conversions) with the general kernels (rs_per=0 and rs_vper=0), the
 * same bits required. */
START_TEST(test_f16_conversions_match)
{
    clrs_context *ctx = tu_context();
    const int f16c = clrs__device_has_f16c(ctx);
    fprintf(stderr, "# f16 conversions: %s\n", f16c ? "the device's compiler has F16C: F16C vs the integer forms (-DCLRS_NO_F16C)"
                                           : "no F16C on this device (F16C vs integer comparison not applicable): "
                                             "explicit-vector vs general kernels, integer forms in both");
    uint64_t rng = 0xf16cULL;
    static const struct {
        clrs_interp_mode mode;
        int rank, aa;
        int64_t in[4];
        int64_t out[2];
    } cs[] = {
        {CLRS_INTERP_LINEAR, 3, 0, {1, 1, 65536}, {131072}},
        {CLRS_INTERP_LINEAR, 3, 0, {2, 1, 32768}, {45000}},
        {CLRS_INTERP_LINEAR, 3, 1, {1, 1, 65536}, {20000}},
        {CLRS_INTERP_LINEAR, 3, 0, {1, 1, 65536}, {32768}},
        {CLRS_INTERP_BILINEAR, 4, 0, {2, 5, 64, 80}, {100, 150}},
        {CLRS_INTERP_BILINEAR, 4, 0, {1, 4, 32, 256}, {64, 512}},
        {CLRS_INTERP_BICUBIC, 4, 0, {1, 3, 40, 300}, {80, 600}},
    };
    const long ncs = (long)(sizeof cs / sizeof cs[0]);
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        tu_progress("test_f16_conversions_match", (long)c, ncs, "cases");
        int rank = cs[c].rank;
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        p.mode = cs[c].mode;
        p.antialias = cs[c].aa;
        p.n_size = rank - 2;
        for (int a = 0; a < rank - 2; a++) p.size[a] = cs[c].out[a];
        int64_t osz[5];
        clrs_tensor_desc d;
        clrs_tensor_desc_contiguous(&d, CLRS_F16, rank, cs[c].in);
        ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &d, &p, osz), CLRS_OK);
        int64_t ni = 1, no = 1;
        for (int i = 0; i < rank; i++) ni *= cs[c].in[i], no *= osz[i];
        uint16_t *lin = malloc((size_t)ni * 2), *a = calloc((size_t)no, 2), *b = calloc((size_t)no, 2);
        ck_assert(lin != NULL && a != NULL && b != NULL);
        for (int64_t i = 0; i < ni; i++) /* rank 3: every bit pattern; else random, 1 in 64 any pattern */
            lin[i] = rank == 3 ? (uint16_t)(i & 0xffff)
                     : tu_range(&rng, 0, 63) == 0 ? (uint16_t)tu_range(&rng, 0, 0xffff)
                                                  : (uint16_t)(0x3c00 + (tu_range(&rng, 0, 0x7ff) - 0x400) * 2);
        for (int l = 0; l < (rank == 3 ? 1 : TU_NLAYOUTS); l++) {
            for (int run = 0; run < 2; run++) {
                tu_tensor ti, to;
                tu_alloc(&ti, CLRS_F16, rank, cs[c].in, (tu_layout)l, 0);
                tu_alloc(&to, CLRS_F16, rank, osz, (tu_layout)l, 0xcd);
                tu_store(&ti, lin);
                int64_t old_per = 0, old_vper = 0;
                /* F16C: the second run on a context created with
                 * CLRS_OPENCL_BUILD_OPTIONS=-DCLRS_NO_F16C (read when a
                 * context is created), so every kernel it builds takes the
                 * integer conversions */
                clrs_context *rctx = ctx;
                if (f16c && run == 1) {
                    setenv("CLRS_OPENCL_BUILD_OPTIONS", "-DCLRS_NO_F16C", 1);
                    ck_assert_int_eq(clrs_context_create(&rctx, NULL), CLRS_OK);
                    unsetenv("CLRS_OPENCL_BUILD_OPTIONS");
                    ck_assert_ptr_nonnull(strstr(rctx->extra_options, "-DCLRS_NO_F16C"));
                }
                /* no F16C: the vector form forced (rs_vper=2), then the general kernels */
                int64_t old_rows = 0;
                if (!f16c) ck_assert_int_eq(clrs_tuning_get(ctx, "rs_rows_block", &old_rows, NULL), CLRS_OK);
                if (!f16c) tune2(ctx, run == 0 ? 1 : 0, run == 0 ? 2 : 0, old_rows, &old_per, &old_vper, NULL);
                clrs_status st = clrs_interpolate(rctx, &p, &ti.desc, ti.base, &to.desc, to.base);
                if (!f16c) tune2(ctx, old_per, old_vper, old_rows, NULL, NULL, NULL);
                ck_assert_msg(st == CLRS_OK, "case %zu: %s", c, clrs_last_error(rctx));
                if (rctx != ctx) clrs_context_release(rctx);
                tu_load(&to, run == 0 ? a : b);
                tu_free(&ti);
                tu_free(&to);
            }
            for (int64_t i = 0; i < no; i++)
                ck_assert_msg(a[i] == b[i], "case %zu (%s, %s): output %lld is 0x%04x with %s, 0x%04x without", c,
                              clrs_interp_mode_name(p.mode), tu_layout_name((tu_layout)l), (long long)i, a[i],
                              f16c ? "F16C" : "explicit vectors", b[i]);
        }
        free(lin);
        free(a);
        free(b);
    }
    tu_progress("test_f16_conversions_match", ncs, ncs, "cases");
}
END_TEST

/* f64 linear and bicubic pick the source index and weights as PyTorch
 * does (fused multiply-add coordinate, floorf index): outputs next to an
 * infinite input, from torch 2.15 (issue #19). I = inf, N = NaN, 0 = 0. */
static void check_pattern(const double *y, const char *want, int n, const char *what)
{
    for (int i = 0; i < n; i++) {
        char got = isnan(y[i]) ? 'N' : isinf(y[i]) ? 'I' : y[i] == 0.0 ? '0' : '?';
        ck_assert_msg(got == want[i], "%s: output %d is %g, PyTorch: %c", what, i, y[i], want[i]);
    }
}

START_TEST(test_f64_source_index_as_pytorch)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    clrs_context_device(ctx, &info);
    if (!info.fp64) return;
    static const struct {
        int in, out, inf_at; /* inf_at < 0: every input inf */
        clrs_interp_mode mode;
        const char *want;
    } cs[] = {
        /* x = zeros((1,1,13)); x[...,5] = inf; size 23: output 11 is 0 */
        {13, 23, 5, CLRS_INTERP_LINEAR, "00000000III000000000000"},
        /* x = full((1,1,1), inf); size 11: output 5 is inf, not NaN */
        {1, 11, -1, CLRS_INTERP_LINEAR, "NNNNNIIIIII"},
    };
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        int64_t isz[3] = {1, 1, cs[c].in}, osz[3] = {1, 1, cs[c].out};
        clrs_tensor_desc in, out;
        clrs_tensor_desc_contiguous(&in, CLRS_F64, 3, isz);
        clrs_tensor_desc_contiguous(&out, CLRS_F64, 3, osz);
        double x[64], y[64];
        for (int i = 0; i < cs[c].in; i++) x[i] = cs[c].inf_at < 0 || i == cs[c].inf_at ? INFINITY : 0.0;
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        p.mode = cs[c].mode;
        p.n_size = 1;
        p.size[0] = cs[c].out;
        ck_assert_int_eq(clrs_interpolate(ctx, &p, &in, x, &out, y), CLRS_OK);
        check_pattern(y, cs[c].want, cs[c].out, clrs_interp_mode_name(cs[c].mode));
    }
}
END_TEST

/* `area` on integer tensors is adaptive average pooling's truncated
 * integer mean, bit for bit (issue #19: 25 x 255 gave 254 through float
 * weights 1/25). Random shapes, ranks 3-5, up and down, both layouts. */
START_TEST(test_area_integer_is_adaptive_avg)
{
    clrs_context *ctx = tu_context();
    /* the case */
    {
        int64_t isz[3] = {1, 1, 25}, osz[3] = {1, 1, 1};
        clrs_tensor_desc in, out;
        clrs_tensor_desc_contiguous(&in, CLRS_U8, 3, isz);
        clrs_tensor_desc_contiguous(&out, CLRS_U8, 3, osz);
        unsigned char x[25], y[1] = {0};
        memset(x, 255, sizeof x);
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        p.mode = CLRS_INTERP_AREA;
        p.n_size = 1;
        p.size[0] = 1;
        ck_assert_int_eq(clrs_interpolate(ctx, &p, &in, x, &out, y), CLRS_OK);
        ck_assert_int_eq(y[0], 255);
    }
    uint64_t rng = 0xa4ea;
    for (int it = 0; it < 60; it++) {
        const clrs_dtype dt = it % 2 ? CLRS_U16 : CLRS_U8;
        const int rank = 3 + it % 3, sp = rank - 2;
        int64_t isz[5] = {1 + it % 2, 1 + it % 3, 1, 1, 1}, osz[5];
        clrs_interpolate_params ip;
        clrs_interpolate_params_init(&ip);
        ip.mode = CLRS_INTERP_AREA;
        ip.n_size = sp;
        clrs_pool_params pp;
        clrs_pool_params_init(&pp, CLRS_POOL_ADAPTIVE_AVG);
        pp.n_output_size = sp;
        for (int a = 0; a < sp; a++) {
            isz[2 + a] = tu_range(&rng, 1, rank == 5 ? 7 : 19);
            ip.size[a] = pp.output_size[a] = tu_range(&rng, 1, 2 * isz[2 + a]);
        }
        clrs_tensor_desc d;
        clrs_tensor_desc_contiguous(&d, dt, rank, isz);
        ck_assert_int_eq(clrs_interpolate_output_shape(ctx, &d, &ip, osz), CLRS_OK);
        int64_t ni = 1, no = 1;
        for (int i = 0; i < rank; i++) ni *= isz[i], no *= osz[i];
        const tu_layout l = (tu_layout)(it % TU_NLAYOUTS);
        tu_tensor ti, ta, tp;
        tu_alloc(&ti, dt, rank, isz, l, 0);
        tu_alloc(&ta, dt, rank, osz, l, 0xcd);
        tu_alloc(&tp, dt, rank, osz, l, 0xcd);
        size_t es = clrs_dtype_size(dt);
        unsigned char *lin = malloc((size_t)ni * es), *a = malloc((size_t)no * es), *b = malloc((size_t)no * es);
        ck_assert(lin != NULL && a != NULL && b != NULL);
        for (int64_t i = 0; i < ni; i++)
            tu_set(dt, lin, i, it % 5 == 0 ? (dt == CLRS_U8 ? 255 : 65535) : (double)tu_range(&rng, 0, dt == CLRS_U8 ? 255 : 65535));
        tu_store(&ti, lin);
        ck_assert_msg(clrs_interpolate(ctx, &ip, &ti.desc, ti.base, &ta.desc, ta.base) == CLRS_OK, "%s", clrs_last_error(ctx));
        ck_assert_msg(clrs_pool(ctx, &pp, &ti.desc, ti.base, &tp.desc, tp.base, NULL, NULL) == CLRS_OK, "%s",
                      clrs_last_error(ctx));
        tu_load(&ta, a);
        tu_load(&tp, b);
        ck_assert_msg(memcmp(a, b, (size_t)no * es) == 0, "case %d (%s rank %d %s): area differs from adaptive avg pooling",
                      it, clrs_dtype_name(dt), rank, tu_layout_name(l));
        if (it % 5 == 0) /* a constant input keeps its value */
            for (int64_t i = 0; i < no; i++) ck_assert_int_eq((int64_t)tu_get(dt, a, i), dt == CLRS_U8 ? 255 : 65535);
        tu_free(&ti);
        tu_free(&ta);
        tu_free(&tp);
        free(lin);
        free(a);
        free(b);
    }
}
END_TEST

/* The test case's timeout, in seconds, for a machine 10 times slower
 * than an idle 2-core one (test_golden from an empty kernel cache is the
 * slowest test: every kernel variant it needs is compiled once); the
 * environment can only widen it (tu_timeout). */
#define TIMEOUT_CORE 7200

int main(void)
{
    tu_binary_cache_off(); /* operators, not the cache: see testutil.h */
    Suite *s = suite_create("interpolate");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, tu_timeout(TIMEOUT_CORE));
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_cl_mem_call);
    tcase_add_test(tc, test_strided_gaps_untouched);
    tcase_add_loop_test(tc, test_random_vs_reference, 0, 4);
    tcase_add_test(tc, test_golden);
    tcase_add_test(tc, test_area_integer_is_adaptive_avg);
    tcase_add_test(tc, test_f64_source_index_as_pytorch);
    tcase_add_test(tc, test_periodic_matches_general);
    tcase_add_test(tc, test_f16_conversions_match);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_context_release();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
