/* SPDX-License-Identifier: MIT */
/* grid_sample and affine_grid: golden vectors from real PyTorch
 * (tests/golden/grid.txt) in three layouts, the cl_mem forms, argument
 * errors, determinism and random shapes against the C reference
 * (tests/ref/ref.c). */
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

static int64_t numel_of(int rank, const int64_t *s)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= s[i];
    return n;
}

/* Tolerances against torch (relative to max(1, |ref|)). grid_sample must
 * be bit-exact (the kernel follows torch's operations, FMAs and f16/bf16
 * roundings) except 5-D bicubic, which sums its 64 taps in another order
 * than torch; affine_grid's matmul is torch's BLAS. Those two get: */
static double tol_of(clrs_dtype dt)
{
    switch (dt) {
    case CLRS_F64: return 1e-12;
    case CLRS_F16: return 2e-3;  /* 2 half ulps at 1 */
    case CLRS_BF16: return 1.6e-2; /* 2 bf16 ulps at 1 */
    default: return 1e-5;
    }
}

typedef struct cmp_stats {
    int64_t n, exact, bad;
    double max_rel;
    int64_t first_bad;
    double got_bad, ref_bad;
} cmp_stats;

static void compare(clrs_dtype dt, const void *got, const void *ref, int64_t n, double tol, cmp_stats *s)
{
    memset(s, 0, sizeof *s);
    s->first_bad = -1;
    s->n = n;
    const size_t es = clrs_dtype_size(dt);
    for (int64_t i = 0; i < n; i++) {
        double g = tu_get(dt, got, i), r = tu_get(dt, ref, i);
        if (memcmp((const char *)got + i * es, (const char *)ref + i * es, es) == 0 || (isnan(g) && isnan(r))) {
            s->exact++;
            continue;
        }
        double d = fabs(g - r), rel = d / fmax(1.0, fabs(r));
        if (!(isfinite(g) && isfinite(r)) || !(rel <= tol)) {
            if (s->bad++ == 0) {
                s->first_bad = i;
                s->got_bad = g;
                s->ref_bad = r;
            }
            continue;
        }
        if (rel > s->max_rel) s->max_rel = rel;
    }
}

static clrs_grid_mode mode_of(const char *s)
{
    clrs_grid_mode m;
    ck_assert_int_eq(clrs_grid_mode_parse(s, &m), CLRS_OK);
    return m;
}

static clrs_grid_padding pad_of(const char *s)
{
    clrs_grid_padding p;
    ck_assert_int_eq(clrs_grid_padding_parse(s, &p), CLRS_OK);
    return p;
}

/* ---- golden ------------------------------------------------------------------ */
START_TEST(test_golden_grid)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    ck_assert_int_eq(clrs_context_device(ctx, &info), CLRS_OK);
    tu_case *cases = NULL;
    int n = tu_golden_cases("grid.txt", 250, &cases);
    int ran = 0, errors_checked = 0, skipped_f64 = 0, runs = 0;
    int64_t elems = 0, exact = 0;
    double max_rel[5] = {0};
    for (int ci = 0; ci < n; ci++) {
        tu_progress("test_golden_grid", ci, n, "cases");
        const tu_case *c = &cases[ci];
        const char *id = tu_get_str(c, "id");
        const char *op = tu_get_str(c, "op");
        clrs_dtype dt = tu_dtype_from_name(tu_get_str(c, "dtype"));
        int rank = tu_get_int(c, "rank", 0);
        int ac = tu_get_int(c, "align_corners", 0);
        if (dt == CLRS_F64 && !info.fp64) {
            skipped_f64++;
            continue;
        }
        npy_array in;
        ck_assert_msg(tu_load_golden(tu_get_str(c, "in"), &in) == 0, "%s: input", id);
        ck_assert_int_eq(clrs_dtype_size(in.dtype), clrs_dtype_size(dt));
        clrs_tensor_desc ind;
        ck_assert_int_eq(clrs_tensor_desc_contiguous(&ind, dt, in.ndim, in.shape), CLRS_OK);
        const size_t es = clrs_dtype_size(dt);
        if (strcmp(op, "affine_grid") == 0) {
            int64_t size[5];
            int ns = tu_get_ints(c, "size", size, 5);
            ck_assert_int_eq(ns, rank);
            npy_array ref;
            ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &ref) == 0, "%s: output", id);
            int64_t numel = numel_of(ref.ndim, ref.shape);
            for (int l = 0; l < 3; l++) {
                /* theta and grid: contiguous, or (l == 2) strided views */
                tu_tensor tt, tg;
                tu_alloc(&tt, dt, 3, in.shape, l == 2 ? TU_STRIDED : TU_CONTIGUOUS, 0x5a);
                tu_alloc(&tg, dt, ref.ndim, ref.shape, l == 2 ? TU_STRIDED : TU_CONTIGUOUS, 0xab);
                tu_store(&tt, in.data);
                clrs_status st = clrs_affine_grid(ctx, &tt.desc, tt.base, rank, size, ac, &tg.desc, tg.base);
                ck_assert_msg(st == CLRS_OK, "%s: %s", id, clrs_last_error(ctx));
                unsigned char *got = malloc((size_t)numel * es + 1);
                tu_load(&tg, got);
                cmp_stats s;
                compare(dt, got, ref.data, numel, tol_of(dt), &s);
                ck_assert_msg(s.bad == 0, "%s (layout %d): %lld of %lld values off (first at %lld: %.9g vs torch %.9g)",
                              id, l, (long long)s.bad, (long long)numel, (long long)s.first_bad, s.got_bad, s.ref_bad);
                if (s.max_rel > max_rel[dt]) max_rel[dt] = s.max_rel;
                elems += numel;
                exact += s.exact;
                runs++;
                free(got);
                tu_free(&tt);
                tu_free(&tg);
                if (l == 0) l = 1; /* no channels-last form for theta / grid */
            }
            ran++;
            npy_free(&ref);
            npy_free(&in);
            continue;
        }
        npy_array gr;
        ck_assert_msg(tu_load_golden(tu_get_str(c, "grid"), &gr) == 0, "%s: grid", id);
        clrs_tensor_desc gd;
        gd.rank = gr.ndim;
        ck_assert_int_eq(clrs_tensor_desc_contiguous(&gd, dt, gr.ndim, gr.shape), CLRS_OK);
        int64_t osz[CLRS_MAX_RANK];
        clrs_status st = clrs_grid_sample_output_shape(ctx, &ind, &gd, osz);
        if (tu_get_str(c, "error") != NULL) {
            ck_assert_msg(st != CLRS_OK, "%s: torch raised '%s' but clrs accepted it", id, tu_get_str(c, "error"));
            ck_assert_msg(strlen(clrs_last_error(ctx)) > 0, "%s: no error detail", id);
            errors_checked++;
            npy_free(&gr);
            npy_free(&in);
            continue;
        }
        ck_assert_msg(st == CLRS_OK, "%s: %s", id, clrs_last_error(ctx));
        npy_array ref;
        ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &ref) == 0, "%s: output", id);
        for (int i = 0; i < rank; i++) ck_assert_int_eq(ref.shape[i], osz[i]);
        clrs_grid_sample_params p;
        clrs_grid_sample_params_init(&p);
        p.mode = mode_of(tu_get_str(c, "mode"));
        p.padding_mode = pad_of(tu_get_str(c, "padding_mode"));
        p.align_corners = ac;
        const int64_t numel = numel_of(rank, osz);
        /* bit-exact but for 5-D bicubic (another summation order) */
        const double tol = (rank == 5 && p.mode == CLRS_GRID_BICUBIC) ? tol_of(dt) : 0.0;
        for (int l = 0; l < TU_NLAYOUTS; l++) {
            tu_tensor ti, tg, to;
            tu_alloc(&ti, dt, rank, in.shape, (tu_layout)l, 0x5a);
            tu_alloc(&tg, dt, rank, gr.shape, l == TU_STRIDED ? TU_STRIDED : TU_CONTIGUOUS, 0x33);
            tu_alloc(&to, dt, rank, osz, (tu_layout)l, 0xab);
            tu_store(&ti, in.data);
            tu_store(&tg, gr.data);
            st = clrs_grid_sample(ctx, &p, &ti.desc, ti.base, &tg.desc, tg.base, &to.desc, to.base);
            ck_assert_msg(st == CLRS_OK, "%s: %s", id, clrs_last_error(ctx));
            unsigned char *got = malloc((size_t)numel * es + 1);
            tu_load(&to, got);
            cmp_stats s;
            compare(dt, got, ref.data, numel, tol, &s);
            ck_assert_msg(s.bad == 0, "%s (%s): %lld of %lld values off (first at %lld: %.9g vs torch %.9g)", id,
                          tu_layout_name((tu_layout)l), (long long)s.bad, (long long)numel, (long long)s.first_bad,
                          s.got_bad, s.ref_bad);
            if (s.max_rel > max_rel[dt]) max_rel[dt] = s.max_rel;
            elems += numel;
            exact += s.exact;
            runs++;
            free(got);
            tu_free(&ti);
            tu_free(&tg);
            tu_free(&to);
        }
        ran++;
        npy_free(&ref);
        npy_free(&gr);
        npy_free(&in);
    }
    tu_progress("test_golden_grid", n, n, "cases");
    fprintf(stderr,
            "# grid golden: %d cases (%d runs over the layouts), %d torch errors reproduced, %d f64 cases skipped "
            "(no fp64); %lld of %lld values bit-exact; max relative difference f32 %.3g f64 %.3g f16 %.3g bf16 "
            "%.3g\n",
            ran, runs, errors_checked, skipped_f64, (long long)exact, (long long)elems, max_rel[CLRS_F32],
            max_rel[CLRS_F64], max_rel[CLRS_F16], max_rel[CLRS_BF16]);
    ck_assert_int_gt(ran, 150);
    ck_assert_int_ge(errors_checked, 5);
    free(cases);
}
END_TEST

/* ---- cl_mem forms --------------------------------------------------------------- */
START_TEST(test_cl_mem_calls)
{
    clrs_context *ctx = tu_context();
    cl_context clc;
    cl_command_queue q;
    ck_assert_int_eq(clrs_context_get_cl(ctx, &clc, NULL, &q), CLRS_OK);
    /* theta = identity: affine_grid gives the base grid; sampling the
     * input with it (align_corners 1, bilinear) reproduces the input */
    const int64_t size[4] = {1, 2, 3, 4};
    float theta[6] = {1, 0, 0, 0, 1, 0};
    float src[24], dst[24], gbuf[24];
    for (int i = 0; i < 24; i++) src[i] = (float)i * 0.25f - 2.0f;
    clrs_tensor_desc dt_theta, dg, din, dout;
    int64_t ts[3] = {1, 2, 3}, gs[4] = {1, 3, 4, 2};
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&dt_theta, CLRS_F32, 3, ts), CLRS_OK);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&dg, CLRS_F32, 4, gs), CLRS_OK);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&din, CLRS_F32, 4, size), CLRS_OK);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&dout, CLRS_F32, 4, size), CLRS_OK);
    cl_int e;
    cl_mem mt = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof theta, theta, &e);
    cl_mem mg = clCreateBuffer(clc, CL_MEM_READ_WRITE, sizeof gbuf, NULL, &e);
    cl_mem mi = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof src, src, &e);
    cl_mem mo = clCreateBuffer(clc, CL_MEM_READ_WRITE, sizeof dst, NULL, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    cl_event ev1 = NULL, ev2 = NULL;
    clrs_status st = clrs_affine_grid_cl(ctx, &dt_theta, mt, 4, size, 1, &dg, mg, q, 0, NULL, &ev1);
    ck_assert_msg(st == CLRS_OK, "%s", clrs_last_error(ctx));
    clrs_grid_sample_params p;
    clrs_grid_sample_params_init(&p);
    p.align_corners = 1;
    st = clrs_grid_sample_cl(ctx, &p, &din, mi, &dg, mg, &dout, mo, q, 1, &ev1, &ev2);
    ck_assert_msg(st == CLRS_OK, "%s", clrs_last_error(ctx));
    ck_assert_int_eq(clWaitForEvents(1, &ev2), CL_SUCCESS);
    clEnqueueReadBuffer(q, mo, CL_TRUE, 0, sizeof dst, dst, 0, NULL, NULL);
    clEnqueueReadBuffer(q, mg, CL_TRUE, 0, sizeof gbuf, gbuf, 0, NULL, NULL);
    for (int i = 0; i < 24; i++) ck_assert_msg(fabsf(dst[i] - src[i]) <= 1e-6f, "%d: %g vs %g", i, dst[i], src[i]);
    ck_assert(gbuf[0] == -1.0f && gbuf[1] == -1.0f && gbuf[22] == 1.0f && gbuf[23] == 1.0f);
    /* an output overlapping the grid is refused */
    st = clrs_grid_sample_cl(ctx, &p, &din, mi, &dg, mg, &dg, mg, q, 0, NULL, NULL);
    ck_assert_int_ne(st, CLRS_OK);
    clReleaseEvent(ev1);
    clReleaseEvent(ev2);
    clReleaseMemObject(mt);
    clReleaseMemObject(mg);
    clReleaseMemObject(mi);
    clReleaseMemObject(mo);
}
END_TEST

/* ---- errors ------------------------------------------------------------------------ */
START_TEST(test_errors)
{
    clrs_context *ctx = tu_context();
    clrs_grid_sample_params p;
    clrs_grid_sample_params_init(&p);
    ck_assert_int_eq(p.mode, CLRS_GRID_BILINEAR);
    ck_assert_int_eq(p.padding_mode, CLRS_GRID_PAD_ZEROS);
    ck_assert_int_eq(p.align_corners, 0);
    clrs_grid_mode m;
    clrs_grid_padding pd;
    ck_assert_int_eq(clrs_grid_mode_parse("bicubic", &m), CLRS_OK);
    ck_assert_int_eq(m, CLRS_GRID_BICUBIC);
    ck_assert_int_eq(clrs_grid_mode_parse("trilinear", &m), CLRS_ERR_BAD_PARAM);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(NULL), "trilinear"));
    ck_assert_int_eq(clrs_grid_padding_parse("reflection", &pd), CLRS_OK);
    ck_assert_int_eq(clrs_grid_padding_parse("reflect", &pd), CLRS_ERR_BAD_PARAM);
    ck_assert_str_eq(clrs_grid_mode_name(CLRS_GRID_NEAREST), "nearest");
    ck_assert_str_eq(clrs_grid_padding_name(CLRS_GRID_PAD_BORDER), "border");
    ck_assert_str_eq(clrs_grid_mode_name((clrs_grid_mode)9), "invalid");

    float buf[256] = {0};
    clrs_tensor_desc in, grid, out;
    int64_t is[4] = {1, 2, 4, 5}, gs[4] = {1, 3, 3, 2}, os[4] = {1, 2, 3, 3};
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&in, CLRS_F32, 4, is), CLRS_OK);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&grid, CLRS_F32, 4, gs), CLRS_OK);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, os), CLRS_OK);
    float *gdata = buf + 64, *odata = buf + 128;
    ck_assert_int_eq(clrs_grid_sample(ctx, &p, &in, buf, &grid, gdata, &out, odata), CLRS_OK);
    /* params */
    p.mode = (clrs_grid_mode)7;
    ck_assert_int_eq(clrs_grid_sample(ctx, &p, &in, buf, &grid, gdata, &out, odata), CLRS_ERR_BAD_PARAM);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "mode 7"));
    clrs_grid_sample_params_init(&p);
    p.padding_mode = (clrs_grid_padding)-1;
    ck_assert_int_eq(clrs_grid_sample(ctx, &p, &in, buf, &grid, gdata, &out, odata), CLRS_ERR_BAD_PARAM);
    clrs_grid_sample_params_init(&p);
    p.align_corners = 2;
    ck_assert_int_eq(clrs_grid_sample(ctx, &p, &in, buf, &grid, gdata, &out, odata), CLRS_ERR_BAD_PARAM);
    clrs_grid_sample_params_init(&p);
    p.struct_size = 3;
    ck_assert_int_eq(clrs_grid_sample(ctx, &p, &in, buf, &grid, gdata, &out, odata), CLRS_ERR_INVALID_ARG);
    clrs_grid_sample_params_init(&p);
    ck_assert_int_eq(clrs_grid_sample(ctx, NULL, &in, buf, &grid, gdata, &out, odata), CLRS_ERR_INVALID_ARG);
    ck_assert_int_eq(clrs_grid_sample(ctx, &p, &in, NULL, &grid, gdata, &out, odata), CLRS_ERR_INVALID_ARG);
    ck_assert_int_eq(clrs_grid_sample(ctx, &p, &in, buf, &grid, NULL, &out, odata), CLRS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "grid"));
    /* shapes: last dim, batch, rank, empty spatial, wrong output */
    clrs_tensor_desc g2 = grid;
    g2.sizes[3] = 3;
    ck_assert_int_eq(clrs_grid_sample(ctx, &p, &in, buf, &g2, gdata, &out, odata), CLRS_ERR_BAD_SHAPE);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "size 2 in last dimension"));
    g2 = grid;
    g2.sizes[0] = 2;
    ck_assert_int_eq(clrs_grid_sample(ctx, &p, &in, buf, &g2, gdata, &out, odata), CLRS_ERR_BAD_SHAPE);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "batch size"));
    int64_t g5[5] = {1, 2, 3, 3, 2};
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&g2, CLRS_F32, 5, g5), CLRS_OK);
    ck_assert_int_eq(clrs_grid_sample(ctx, &p, &in, buf, &g2, gdata, &out, odata), CLRS_ERR_BAD_SHAPE);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "same number of dimensions"));
    clrs_tensor_desc i2 = in;
    i2.sizes[2] = 0;
    ck_assert_int_eq(clrs_grid_sample(ctx, &p, &i2, buf, &grid, gdata, &out, odata), CLRS_ERR_BAD_SHAPE);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "dimension 2 being empty"));
    int64_t i3s[3] = {1, 2, 5};
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&i2, CLRS_F32, 3, i3s), CLRS_OK);
    ck_assert_int_eq(clrs_grid_sample(ctx, &p, &i2, buf, &grid, gdata, &out, odata), CLRS_ERR_BAD_SHAPE);
    clrs_tensor_desc o2;
    int64_t os_bad[4] = {1, 2, 3, 4};
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&o2, CLRS_F32, 4, os_bad), CLRS_OK);
    ck_assert_int_eq(clrs_grid_sample(ctx, &p, &in, buf, &grid, gdata, &o2, odata), CLRS_ERR_BAD_SHAPE);
    /* dtypes: mismatch, integer */
    g2 = grid;
    g2.dtype = CLRS_F16;
    ck_assert_int_eq(clrs_grid_sample(ctx, &p, &in, buf, &g2, gdata, &out, odata), CLRS_ERR_BAD_DTYPE);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "f16"));
    i2 = in;
    i2.dtype = CLRS_U8;
    g2.dtype = CLRS_U8;
    o2 = out;
    o2.dtype = CLRS_U8;
    ck_assert_int_eq(clrs_grid_sample(ctx, &p, &i2, buf, &g2, gdata, &o2, odata), CLRS_ERR_BAD_DTYPE);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "u8"));
    /* output aliasing the input */
    ck_assert_int_eq(clrs_grid_sample(ctx, &p, &in, buf, &grid, gdata, &out, buf), CLRS_ERR_ALIASING);
    int64_t osz[CLRS_MAX_RANK];
    ck_assert_int_eq(clrs_grid_sample_output_shape(NULL, &in, &grid, osz), CLRS_OK);
    ck_assert(osz[0] == 1 && osz[1] == 2 && osz[2] == 3 && osz[3] == 3);
    ck_assert_int_eq(clrs_grid_sample_output_shape(ctx, &in, &grid, NULL), CLRS_ERR_INVALID_ARG);

    /* affine_grid */
    clrs_tensor_desc th, ag;
    int64_t ts[3] = {1, 2, 3}, size[4] = {1, 1, 3, 3}, as[4] = {1, 3, 3, 2};
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&th, CLRS_F32, 3, ts), CLRS_OK);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&ag, CLRS_F32, 4, as), CLRS_OK);
    ck_assert_int_eq(clrs_affine_grid(ctx, &th, buf, 4, size, 0, &ag, odata), CLRS_OK);
    ck_assert_int_eq(clrs_affine_grid(ctx, &th, buf, 3, size, 0, &ag, odata), CLRS_ERR_BAD_SHAPE);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "rank 3"));
    int64_t size5[5] = {1, 1, 3, 3, 3}; /* the API reads rank entries of size */
    ck_assert_int_eq(clrs_affine_grid(ctx, &th, buf, 5, size5, 0, &ag, odata), CLRS_ERR_BAD_SHAPE);
    ck_assert_int_eq(clrs_affine_grid(ctx, &th, buf, 4, size, 2, &ag, odata), CLRS_ERR_BAD_PARAM);
    ck_assert_int_eq(clrs_affine_grid(ctx, &th, buf, 4, NULL, 0, &ag, odata), CLRS_ERR_INVALID_ARG);
    int64_t bad[4] = {1, 1, 0, 3};
    ck_assert_int_eq(clrs_affine_grid(ctx, &th, buf, 4, bad, 0, &ag, odata), CLRS_ERR_BAD_SHAPE);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "positive output size"));
    int64_t bad2[4] = {2, 1, 3, 3};
    ck_assert_int_eq(clrs_affine_grid(ctx, &th, buf, 4, bad2, 0, &ag, odata), CLRS_ERR_BAD_SHAPE);
    clrs_tensor_desc ag2 = ag;
    ag2.sizes[3] = 3;
    ck_assert_int_ne(clrs_affine_grid(ctx, &th, buf, 4, size, 0, &ag2, odata), CLRS_OK);
}
END_TEST

/* ---- determinism and random shapes against the reference ----------------------- */
static void fill_random(uint64_t *rs, double *v, int64_t n, double lo, double hi)
{
    for (int64_t i = 0; i < n; i++) v[i] = lo + (hi - lo) * tu_uniform(rs);
}

START_TEST(test_random_vs_reference)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    ck_assert_int_eq(clrs_context_device(ctx, &info), CLRS_OK);
    const clrs_dtype dt = info.fp64 ? CLRS_F64 : CLRS_F32;
    const double tol = info.fp64 ? 1e-9 : 2e-5;
    uint64_t rs = 0x9e3779b97f4a7c15ull;
    const int iters = 120;
    int compared = 0, det = 0;
    /* each case runs with a random gs_chunk (grid_sample/chunk on planar
     * data, runs of 1..3 channels with a shorter last one, or all), then
     * again with gs_chunk 0 (grid_sample/general): the same bits */
    int64_t chunk0 = 0;
    ck_assert_int_eq(clrs_tuning_get(ctx, "gs_chunk", &chunk0, NULL), CLRS_OK);
    static const int64_t chunks[4] = {1, 2, 3, 16};
    tu_progress("test_random_vs_reference", 0, iters, "cases");
    for (int it = 0; it < iters; it++) {
        int rank = tu_range(&rs, 0, 2) == 0 ? 5 : 4, sp = rank - 2;
        int64_t is[5], gs[5], os[5];
        is[0] = gs[0] = os[0] = tu_range(&rs, 1, 2);
        is[1] = os[1] = tu_range(&rs, 1, 7);
        for (int a = 0; a < sp; a++) {
            is[2 + a] = tu_range(&rs, 1, rank == 5 ? 5 : 9);
            gs[1 + a] = os[2 + a] = tu_range(&rs, 1, rank == 5 ? 4 : 8);
        }
        gs[rank - 1] = sp;
        clrs_grid_sample_params p;
        clrs_grid_sample_params_init(&p);
        p.mode = (clrs_grid_mode)tu_range(&rs, 0, 2);
        p.padding_mode = (clrs_grid_padding)tu_range(&rs, 0, 2);
        p.align_corners = (int)tu_range(&rs, 0, 1);
        int64_t ni = numel_of(rank, is), ng = numel_of(rank, gs), no = numel_of(rank, os);
        double *vi = malloc(sizeof(double) * (size_t)ni), *vg = malloc(sizeof(double) * (size_t)ng);
        double *vr = malloc(sizeof(double) * (size_t)no);
        fill_random(&rs, vi, ni, -4, 4);
        fill_random(&rs, vg, ng, -2.2, 2.2);
        if (dt == CLRS_F32)
            for (int64_t i = 0; i < ni; i++) vi[i] = (float)vi[i];
        if (dt == CLRS_F32)
            for (int64_t i = 0; i < ng; i++) vg[i] = (float)vg[i];
        ck_assert_int_eq(ref_grid_sample(rank, is, vi, gs, vg, (int)p.mode, (int)p.padding_mode, p.align_corners, vr),
                         0);
        tu_layout l = (tu_layout)tu_range(&rs, 0, 2);
        tu_tensor ti, tg, to;
        tu_alloc(&ti, dt, rank, is, l, 0x11);
        tu_alloc(&tg, dt, rank, gs, tu_range(&rs, 0, 1) ? TU_STRIDED : TU_CONTIGUOUS, 0x22);
        tu_alloc(&to, dt, rank, os, l, 0x33);
        const size_t es = clrs_dtype_size(dt);
        unsigned char *li = malloc((size_t)ni * es), *lg = malloc((size_t)ng * es), *lo = malloc((size_t)no * es),
                      *lo2 = malloc((size_t)no * es);
        for (int64_t i = 0; i < ni; i++) tu_set(dt, li, i, vi[i]);
        for (int64_t i = 0; i < ng; i++) tu_set(dt, lg, i, vg[i]);
        tu_store(&ti, li);
        tu_store(&tg, lg);
        const int64_t chunk = chunks[tu_range(&rs, 0, 3)];
        ck_assert_int_eq(clrs_tuning_set(ctx, "gs_chunk", chunk), CLRS_OK);
        clrs_status st = clrs_grid_sample(ctx, &p, &ti.desc, ti.base, &tg.desc, tg.base, &to.desc, to.base);
        ck_assert_msg(st == CLRS_OK, "case %d: %s", it, clrs_last_error(ctx));
        tu_load(&to, lo);
        /* determinism: a second run, by the general implementation, gives
         * the same bits */
        ck_assert_int_eq(clrs_tuning_set(ctx, "gs_chunk", 0), CLRS_OK);
        st = clrs_grid_sample(ctx, &p, &ti.desc, ti.base, &tg.desc, tg.base, &to.desc, to.base);
        ck_assert_int_eq(st, CLRS_OK);
        tu_load(&to, lo2);
        ck_assert_msg(memcmp(lo, lo2, (size_t)no * es) == 0, "case %d (%s, gs_chunk %lld): differs from gs_chunk 0", it,
                      tu_layout_name(l), (long long)chunk);
        det++;
        for (int64_t i = 0; i < no; i++) {
            double g = tu_get(dt, lo, i), r = vr[i];
            /* nearest and reflection ties can round to the other side in
             * float: only those tap choices may differ, and rarely */
            ck_assert_msg(fabs(g - r) <= tol * fmax(1.0, fabs(r)) || p.mode == CLRS_GRID_NEAREST,
                          "case %d (rank %d %s %s ac %d, %s): element %lld: %.12g vs reference %.12g", it, rank,
                          clrs_grid_mode_name(p.mode), clrs_grid_padding_name(p.padding_mode), p.align_corners,
                          tu_layout_name(l), (long long)i, g, r);
        }
        if (p.mode == CLRS_GRID_NEAREST) {
            int64_t off = 0;
            for (int64_t i = 0; i < no; i++) off += tu_get(dt, lo, i) != vr[i];
            ck_assert_msg(off * 50 <= no, "case %d: nearest: %lld of %lld differ from the reference", it,
                          (long long)off, (long long)no);
        }
        compared++;
        free(li);
        free(lg);
        free(lo);
        free(lo2);
        free(vi);
        free(vg);
        free(vr);
        tu_free(&ti);
        tu_free(&tg);
        tu_free(&to);
        tu_progress("test_random_vs_reference", it + 1, iters, "cases");
    }
    ck_assert_int_eq(clrs_tuning_set(ctx, "gs_chunk", chunk0), CLRS_OK);
    /* affine_grid against the reference */
    for (int it = 0; it < 20; it++) {
        int rank = it % 2 ? 5 : 4, R = rank - 2;
        int64_t size[5], ts[3], gsz[5];
        size[0] = gsz[0] = ts[0] = tu_range(&rs, 1, 3);
        size[1] = tu_range(&rs, 1, 3);
        for (int a = 0; a < R; a++) size[2 + a] = gsz[1 + a] = tu_range(&rs, 1, 7);
        gsz[rank - 1] = R;
        ts[1] = R;
        ts[2] = R + 1;
        int ac = it / 2 % 2;
        int64_t nt = ts[0] * R * (R + 1), ng = numel_of(rank, gsz);
        double *vt = malloc(sizeof(double) * (size_t)nt), *vr = malloc(sizeof(double) * (size_t)ng);
        fill_random(&rs, vt, nt, -2, 2);
        if (dt == CLRS_F32)
            for (int64_t i = 0; i < nt; i++) vt[i] = (float)vt[i];
        ck_assert_int_eq(ref_affine_grid(rank, size, vt, ac, vr), 0);
        const size_t es = clrs_dtype_size(dt);
        unsigned char *lt = malloc((size_t)nt * es), *lg = malloc((size_t)ng * es);
        for (int64_t i = 0; i < nt; i++) tu_set(dt, lt, i, vt[i]);
        tu_tensor tt, tg;
        tu_alloc(&tt, dt, 3, ts, TU_CONTIGUOUS, 0);
        tu_alloc(&tg, dt, rank, gsz, it % 3 == 0 ? TU_STRIDED : TU_CONTIGUOUS, 0);
        tu_store(&tt, lt);
        clrs_status st = clrs_affine_grid(ctx, &tt.desc, tt.base, rank, size, ac, &tg.desc, tg.base);
        ck_assert_msg(st == CLRS_OK, "affine %d: %s", it, clrs_last_error(ctx));
        tu_load(&tg, lg);
        for (int64_t i = 0; i < ng; i++)
            ck_assert_msg(fabs(tu_get(dt, lg, i) - vr[i]) <= tol * 4 * fmax(1.0, fabs(vr[i])),
                          "affine %d: element %lld: %.12g vs %.12g", it, (long long)i, tu_get(dt, lg, i), vr[i]);
        free(vt);
        free(vr);
        free(lt);
        free(lg);
        tu_free(&tt);
        tu_free(&tg);
    }
    fprintf(stderr, "# grid random: %d grid_sample cases (%s) within %.0e of the C reference, %d deterministic; "
            "20 affine_grid cases\n", compared, clrs_dtype_name(dt), tol, det);
}
END_TEST

#define TIMEOUT_CORE 1800

int main(void)
{
    tu_binary_cache_off(); /* operators, not the cache: see testutil.h */
    Suite *s = suite_create("grid_sample");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, tu_timeout(TIMEOUT_CORE));
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_cl_mem_calls);
    tcase_add_test(tc, test_random_vs_reference);
    tcase_add_test(tc, test_golden_grid);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_context_release();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
