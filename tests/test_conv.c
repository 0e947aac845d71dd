/* SPDX-License-Identifier: MIT */
/* conv and conv_transpose: golden vectors from real PyTorch
 * (tests/golden/conv.txt) in three layouts, the cl_mem forms, argument
 * errors (torch's checks, status and message), determinism and random
 * shapes against the C reference (tests/ref/ref.c), and the "depthwise"
 * entry's bits against the "general" entry's.
 *
 * Tolerances: |got - ref| <= tol * max(1, max |ref| of the output) — the
 * output's scale, since the sum runs in another order than torch's
 * (oneDNN / thnn) and cancellation makes small outputs relatively
 * inexact. tol: f32 1e-5, f64 1e-12, f16 2e-3, bf16 1.6e-2 (about two
 * ulps of the 16-bit types at the output's scale: we round the float sum
 * once, torch's CPU kernels may round partial sums). */
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

static double tol_of(clrs_dtype dt)
{
    switch (dt) {
    case CLRS_F64: return 1e-12;
    case CLRS_F16: return 2e-3;
    case CLRS_BF16: return 1.6e-2;
    default: return 1e-5;
    }
}

/* largest |got - ref| / max(1, max|ref|); *bad set when above tol or when
 * one is non-finite and the other differs */
static double scaled_err(clrs_dtype dt, const void *got, clrs_dtype rdt, const void *ref, int64_t n, double tol,
                         int64_t *bad, double *gb, double *rb)
{
    double scale = 1.0, worst = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double r = tu_get(rdt, ref, i);
        if (isfinite(r) && fabs(r) > scale) scale = fabs(r);
    }
    *bad = -1;
    for (int64_t i = 0; i < n; i++) {
        double g = tu_get(dt, got, i), r = tu_get(rdt, ref, i);
        if (isnan(g) && isnan(r)) continue;
        if (!isfinite(g) || !isfinite(r)) {
            if (g != r && *bad < 0) {
                *bad = i;
                *gb = g;
                *rb = r;
            }
            continue;
        }
        double e = fabs(g - r) / scale;
        if (e > worst) worst = e;
        if (!(e <= tol) && *bad < 0) {
            *bad = i;
            *gb = g;
            *rb = r;
        }
    }
    return worst;
}

/* params from a manifest case */
static void params_of(const tu_case *c, int sp, clrs_conv_params *p)
{
    clrs_conv_params_init(p);
    p->n_stride = tu_get_ints(c, "stride", p->stride, 3);
    const char *pad = tu_get_str(c, "padding");
    if (pad != NULL && strcmp(pad, "same") == 0)
        p->padding_kind = CLRS_CONV_PADDING_SAME;
    else if (pad != NULL && strcmp(pad, "valid") == 0)
        p->padding_kind = CLRS_CONV_PADDING_VALID;
    else
        p->n_padding = tu_get_ints(c, "padding", p->padding, 3);
    p->n_dilation = tu_get_ints(c, "dilation", p->dilation, 3);
    p->n_output_padding = tu_get_ints(c, "output_padding", p->output_padding, 3);
    p->groups = tu_get_int(c, "groups", 1);
    const char *pm = tu_get_str(c, "padding_mode");
    if (pm != NULL) ck_assert_int_eq(clrs_conv_padding_mode_parse(pm, &p->padding_mode), CLRS_OK);
    (void)sp;
}

/* a rank-1 bias of n elements with stride bs (gaps filled with 0x77) */
static void *bias_alloc(clrs_tensor_desc *d, clrs_dtype dt, int64_t n, int64_t bs, const void *vals)
{
    memset(d, 0, sizeof *d);
    d->dtype = dt;
    d->rank = 1;
    d->sizes[0] = n;
    d->strides[0] = bs;
    d->offset = bs > 1 ? 1 : 0;
    size_t es = clrs_dtype_size(dt);
    size_t bytes = (size_t)(d->offset + (n > 0 ? (n - 1) * bs + 1 : 0)) * es + 1;
    unsigned char *b = malloc(bytes);
    memset(b, 0x77, bytes);
    for (int64_t i = 0; i < n; i++) memcpy(b + (size_t)(d->offset + i * bs) * es, (const char *)vals + i * es, es);
    return b;
}

typedef clrs_status (*conv_fn)(clrs_context *, const clrs_conv_params *, const clrs_tensor_desc *, const void *,
                               const clrs_tensor_desc *, const void *, const clrs_tensor_desc *, const void *,
                               const clrs_tensor_desc *, void *);
typedef clrs_status (*shape_fn)(clrs_context *, const clrs_conv_params *, const clrs_tensor_desc *,
                                const clrs_tensor_desc *, int64_t *);

/* ---- conv/clblast (compiled in with configure --with-clblast) ----------------- */
/* 1 when the "conv" list has the entry (the library was built with CLBlast) */
static int have_clblast(void)
{
    const char *fam = NULL;
    for (size_t k = 0;; k++) {
        const char *name = clrs_impl_at(k, &fam, NULL);
        if (name == NULL) return 0;
        if (strcmp(fam, "conv") == 0 && strcmp(name, "clblast") == 0) return 1;
    }
}

/* the tuning's work-size thresholds off (force = 1: every eligible conv
 * and conv_transpose through their clblast entries) or back to the
 * context's table values (force = 0) */
static void clblast_force(clrs_context *ctx, int force)
{
    static int64_t k0 = -1, m0 = -1, t0 = -1;
    if (k0 < 0) {
        ck_assert_int_eq(clrs_tuning_get(ctx, "conv_gemm_min_k", &k0, NULL), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_get(ctx, "conv_gemm_min_macs", &m0, NULL), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_get(ctx, "conv_transpose_gemm_min_macs", &t0, NULL), CLRS_OK);
    }
    ck_assert_int_eq(clrs_tuning_set(ctx, "conv_gemm_min_k", force ? 0 : k0), CLRS_OK);
    ck_assert_int_eq(clrs_tuning_set(ctx, "conv_gemm_min_macs", force ? 0 : m0), CLRS_OK);
    ck_assert_int_eq(clrs_tuning_set(ctx, "conv_transpose_gemm_min_macs", force ? 0 : t0), CLRS_OK);
}

/* the "conv" / "conv_transpose" implementation the last call chose */
static void chosen_cb(void *user, const char *family, const char *impl, int chosen, const char *reason)
{
    (void)reason;
    if (chosen && (strcmp(family, "conv") == 0 || strcmp(family, "conv_transpose") == 0))
        snprintf((char *)user, 32, "%s", impl);
}

/* ---- golden ------------------------------------------------------------------ */
START_TEST(test_golden_conv)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    ck_assert_int_eq(clrs_context_device(ctx, &info), CLRS_OK);
    tu_case *cases = NULL;
    int n = tu_golden_cases("conv.txt", 120, &cases);
    int ran = 0, errors_checked = 0, skipped_f64 = 0, runs = 0, clblast_runs = 0, convt_clblast_runs = 0;
    const int clb = have_clblast();
    double max_err[16] = {0};
    for (int ci = 0; ci < n; ci++) {
        tu_progress("test_golden_conv", ci, n, "cases");
        const tu_case *c = &cases[ci];
        const char *id = tu_get_str(c, "id");
        const int tr = strcmp(tu_get_str(c, "op"), "conv_transpose") == 0;
        conv_fn fn = tr ? clrs_conv_transpose : clrs_conv;
        shape_fn sfn = tr ? clrs_conv_transpose_output_shape : clrs_conv_output_shape;
        clrs_dtype dt = tu_dtype_from_name(tu_get_str(c, "dtype"));
        int rank = tu_get_int(c, "rank", 0);
        if (dt == CLRS_F64 && !info.fp64) {
            skipped_f64++;
            continue;
        }
        npy_array in, w, b;
        ck_assert_msg(tu_load_golden(tu_get_str(c, "in"), &in) == 0, "%s: input", id);
        ck_assert_msg(tu_load_golden(tu_get_str(c, "weight"), &w) == 0, "%s: weight", id);
        const char *brel = tu_get_str(c, "bias");
        if (brel) ck_assert_msg(tu_load_golden(brel, &b) == 0, "%s: bias", id);
        clrs_conv_params p;
        params_of(c, rank - 2, &p);
        clrs_tensor_desc ind, wd, bd;
        ck_assert_int_eq(clrs_tensor_desc_contiguous(&ind, dt, rank, in.shape), CLRS_OK);
        ck_assert_int_eq(clrs_tensor_desc_contiguous(&wd, dt, rank, w.shape), CLRS_OK);
        int64_t osz[CLRS_MAX_RANK];
        clrs_status st = sfn(ctx, &p, &ind, &wd, osz);
        if (tu_get_str(c, "error") != NULL) {
            ck_assert_msg(st != CLRS_OK, "%s: torch raised '%s' but clrs accepted it", id, tu_get_str(c, "error"));
            ck_assert_msg(strlen(clrs_last_error(ctx)) > 0, "%s: no error detail", id);
            errors_checked++;
        } else {
            ck_assert_msg(st == CLRS_OK, "%s: %s", id, clrs_last_error(ctx));
            npy_array ref;
            ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &ref) == 0, "%s: output", id);
            ck_assert_int_eq(ref.ndim, rank);
            for (int i = 0; i < rank; i++)
                ck_assert_msg(ref.shape[i] == osz[i], "%s: output size %lld at dim %d, torch's %lld", id,
                              (long long)osz[i], i, (long long)ref.shape[i]);
            const int64_t numel = numel_of(rank, osz);
            const size_t es = clrs_dtype_size(dt);
            /* pass 0: the table's choice with the clblast entries off;
             * pass 1 (built with CLBlast): conv/clblast and
             * conv_transpose/clblast forced where eligible */
            for (int run = 0; run < TU_NLAYOUTS * (clb ? 2 : 1); run++) {
                const int l = run % TU_NLAYOUTS, pass = run / TU_NLAYOUTS;
                char impl[32] = "";
                tu_tensor ti, tw, to;
                tu_alloc(&ti, dt, rank, in.shape, (tu_layout)l, 0x5a);
                tu_alloc(&tw, dt, rank, w.shape, (tu_layout)l, 0x33);
                tu_alloc(&to, dt, rank, osz, (tu_layout)l, 0xab);
                tu_store(&ti, in.data);
                tu_store(&tw, w.data);
                void *bb = brel ? bias_alloc(&bd, dt, b.shape[0], l == TU_STRIDED ? 3 : 1, b.data) : NULL;
                if (pass == 0) clrs__dispatch_disable("conv/clblast,conv_transpose/clblast");
                if (pass == 1) clblast_force(ctx, 1);
                ck_assert_int_eq(clrs_explain_begin(chosen_cb, impl, 0), CLRS_OK);
                st = fn(ctx, &p, &ti.desc, ti.base, &tw.desc, tw.base, brel ? &bd : NULL, bb, &to.desc, to.base);
                clrs_explain_end();
                clrs__dispatch_disable(NULL);
                if (pass == 1) clblast_force(ctx, 0);
                ck_assert_msg(st == CLRS_OK, "%s: %s", id, clrs_last_error(ctx));
                if (strcmp(impl, "clblast") == 0) *(tr ? &convt_clblast_runs : &clblast_runs) += 1;
                ck_assert_msg(pass == 1 || strcmp(impl, "clblast") != 0, "%s: %s/clblast ran while disabled", id,
                              tr ? "conv_transpose" : "conv");
                unsigned char *got = malloc((size_t)numel * es + 1);
                tu_load(&to, got);
                int64_t bad;
                double gb = 0, rb = 0;
                double e = scaled_err(dt, got, dt, ref.data, numel, tol_of(dt), &bad, &gb, &rb);
                ck_assert_msg(bad < 0,
                              "%s (%s, conv/%s): value %lld: %.9g vs torch %.9g (tolerance %g of the output's scale)",
                              id, tu_layout_name((tu_layout)l), impl, (long long)bad, gb, rb, tol_of(dt));
                if (e > max_err[dt]) max_err[dt] = e;
                runs++;
                free(got);
                free(bb);
                tu_free(&ti);
                tu_free(&tw);
                tu_free(&to);
            }
            ran++;
            npy_free(&ref);
        }
        if (brel) npy_free(&b);
        npy_free(&w);
        npy_free(&in);
    }
    tu_progress("test_golden_conv", n, n, "cases");
    fprintf(stderr,
            "# conv golden: %d cases (%d runs over the layouts, %d of them through conv/clblast, %d through "
            "conv_transpose/clblast), %d torch errors reproduced, %d f64 cases skipped; max error / output scale: f32 "
            "%.3g f64 %.3g f16 %.3g bf16 %.3g\n",
            ran, runs, clblast_runs, convt_clblast_runs, errors_checked, skipped_f64, max_err[CLRS_F32],
            max_err[CLRS_F64], max_err[CLRS_F16], max_err[CLRS_BF16]);
    if (clb) ck_assert_int_gt(clblast_runs, 100); /* groups == 1 cases in three layouts */
    if (clb) ck_assert_int_gt(convt_clblast_runs, 20); /* conv_transpose cases, groups <= 16 */
    ck_assert_int_gt(ran, 100);
    ck_assert_int_ge(errors_checked, 14);
    free(cases);
}
END_TEST

/* ---- random shapes and options against the C reference ---------------------------- */
START_TEST(test_random_vs_reference)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    ck_assert_int_eq(clrs_context_device(ctx, &info), CLRS_OK);
    uint64_t rs = 0xc0417u;
    int compared = 0, det = 0, via_clblast = 0;
    for (int iter = 0; iter < 60; iter++) {
        /* f64 where the device has it, and f32 (whose inputs the reference sees exactly) */
        const clrs_dtype dt = info.fp64 && iter % 4 < 2 ? CLRS_F64 : CLRS_F32;
        const int tr = iter % 3 == 2;
        const int rank = 3 + (int)tu_range(&rs, 0, 2), sp = rank - 2;
        clrs_conv_params p;
        clrs_conv_params_init(&p);
        p.groups = tu_range(&rs, 1, 3);
        int64_t cin_g = tu_range(&rs, 1, 3), cout_g = tu_range(&rs, 1, 3);
        int64_t is[5], ws[5];
        is[0] = tu_range(&rs, 1, 2);
        is[1] = cin_g * p.groups;
        ws[0] = tr ? cin_g * p.groups : cout_g * p.groups;
        ws[1] = tr ? cout_g : cin_g;
        p.n_stride = p.n_padding = p.n_dilation = sp;
        if (tr) p.n_output_padding = sp;
        const int same = !tr && tu_range(&rs, 0, 4) == 0;
        if (same) p.padding_kind = CLRS_CONV_PADDING_SAME;
        if (!tr) p.padding_mode = (clrs_conv_padding_mode)tu_range(&rs, 0, 3);
        for (int i = 0; i < sp; i++) {
            is[2 + i] = tu_range(&rs, 3, sp == 3 ? 5 : 9);
            ws[2 + i] = tu_range(&rs, 1, 4);
            p.stride[i] = same ? 1 : tu_range(&rs, 1, 3);
            p.dilation[i] = tu_range(&rs, 1, 2);
            p.padding[i] = tu_range(&rs, 0, 2);
            if (tr) p.output_padding[i] = tu_range(&rs, 0, (p.stride[i] > p.dilation[i] ? p.stride[i] : p.dilation[i]) - 1);
        }
        int64_t os[CLRS_MAX_RANK];
        if (ref_conv_shape(rank, is, ws, &p, tr, os) != 0) continue;
        clrs_tensor_desc ind, wd;
        ck_assert_int_eq(clrs_tensor_desc_contiguous(&ind, dt, rank, is), CLRS_OK);
        ck_assert_int_eq(clrs_tensor_desc_contiguous(&wd, dt, rank, ws), CLRS_OK);
        int64_t cs[CLRS_MAX_RANK];
        clrs_status st = (tr ? clrs_conv_transpose_output_shape : clrs_conv_output_shape)(ctx, &p, &ind, &wd, cs);
        if (st != CLRS_OK) {
            /* only F.pad's limits may refuse what the reference accepts */
            ck_assert_msg(p.padding_mode == CLRS_CONV_PAD_REFLECT || p.padding_mode == CLRS_CONV_PAD_CIRCULAR,
                          "iter %d: %s", iter, clrs_last_error(ctx));
            continue;
        }
        for (int i = 0; i < rank; i++) ck_assert_int_eq(cs[i], os[i]);
        const int64_t ni = numel_of(rank, is), nw = numel_of(rank, ws), no = numel_of(rank, os);
        double *x = malloc(sizeof(double) * (size_t)ni), *w = malloc(sizeof(double) * (size_t)nw);
        double *bias = malloc(sizeof(double) * (size_t)os[1]), *ref = malloc(sizeof(double) * (size_t)no);
        for (int64_t i = 0; i < ni; i++) x[i] = tu_uniform(&rs) * 4 - 2;
        for (int64_t i = 0; i < nw; i++) w[i] = tu_uniform(&rs) * 2 - 1;
        for (int64_t i = 0; i < os[1]; i++) bias[i] = tu_uniform(&rs) - 0.5;
        const int with_bias = iter % 2 == 0;
        if (dt == CLRS_F32) { /* the reference sees the f32 values */
            for (int64_t i = 0; i < ni; i++) x[i] = (float)x[i];
            for (int64_t i = 0; i < nw; i++) w[i] = (float)w[i];
            for (int64_t i = 0; i < os[1]; i++) bias[i] = (float)bias[i];
        }
        ck_assert_int_eq(ref_conv(rank, is, x, ws, w, with_bias ? bias : NULL, &p, tr, ref), 0);
        const tu_layout l = (tu_layout)(iter % TU_NLAYOUTS);
        tu_tensor ti, tw, to;
        tu_alloc(&ti, dt, rank, is, l, 0x11);
        tu_alloc(&tw, dt, rank, ws, l, 0x22);
        tu_alloc(&to, dt, rank, os, l, 0x33);
        const size_t es = clrs_dtype_size(dt);
        unsigned char *tmp = malloc((size_t)(ni > nw ? (ni > no ? ni : no) : (nw > no ? nw : no)) * es + 8);
        for (int64_t i = 0; i < ni; i++) tu_set(dt, tmp, i, x[i]);
        tu_store(&ti, tmp);
        for (int64_t i = 0; i < nw; i++) tu_set(dt, tmp, i, w[i]);
        tu_store(&tw, tmp);
        for (int64_t i = 0; i < os[1]; i++) tu_set(dt, tmp, i, bias[i]);
        clrs_tensor_desc bd;
        void *bb = bias_alloc(&bd, dt, os[1], l == TU_STRIDED ? 2 : 1, tmp);
        conv_fn fn = tr ? clrs_conv_transpose : clrs_conv;
        st = fn(ctx, &p, &ti.desc, ti.base, &tw.desc, tw.base, with_bias ? &bd : NULL, with_bias ? bb : NULL,
                &to.desc, to.base);
        ck_assert_msg(st == CLRS_OK, "iter %d: %s", iter, clrs_last_error(ctx));
        unsigned char *got = calloc((size_t)no * es + 1, 1), *again = calloc((size_t)no * es + 1, 1);
        tu_load(&to, got);
        int64_t bad;
        double gb = 0, rb = 0;
        double e = scaled_err(dt, got, CLRS_F64, ref, no, dt == CLRS_F64 ? 1e-12 : 1e-5, &bad, &gb, &rb);
        ck_assert_msg(bad < 0, "iter %d (%s, rank %d, %s): value %lld: %.17g vs reference %.17g (error %g)", iter,
                      tr ? "conv_transpose" : "conv", rank, tu_layout_name(l), (long long)bad, gb, rb, e);
        /* determinism: the same bits again */
        st = fn(ctx, &p, &ti.desc, ti.base, &tw.desc, tw.base, with_bias ? &bd : NULL, with_bias ? bb : NULL,
                &to.desc, to.base);
        ck_assert_int_eq(st, CLRS_OK);
        tu_load(&to, again);
        ck_assert_msg(memcmp(got, again, (size_t)no * es) == 0, "iter %d: not deterministic", iter);
        det++;
        if ((tr || p.groups == 1) && have_clblast()) { /* again through the clblast entry, threshold off */
            char impl[32] = "";
            clblast_force(ctx, 1);
            ck_assert_int_eq(clrs_explain_begin(chosen_cb, impl, 0), CLRS_OK);
            st = fn(ctx, &p, &ti.desc, ti.base, &tw.desc, tw.base, with_bias ? &bd : NULL, with_bias ? bb : NULL,
                    &to.desc, to.base);
            clrs_explain_end();
            clblast_force(ctx, 0);
            ck_assert_msg(st == CLRS_OK, "iter %d: %s", iter, clrs_last_error(ctx));
            ck_assert_str_eq(impl, "clblast");
            tu_load(&to, again);
            e = scaled_err(dt, again, CLRS_F64, ref, no, dt == CLRS_F64 ? 1e-12 : 1e-5, &bad, &gb, &rb);
            ck_assert_msg(bad < 0, "iter %d (%s/clblast, rank %d, %s): value %lld: %.17g vs reference %.17g", iter,
                          tr ? "conv_transpose" : "conv", rank, tu_layout_name(l), (long long)bad, gb, rb);
            via_clblast++;
        }
        compared++;
        free(got);
        free(again);
        free(tmp);
        free(bb);
        free(x);
        free(w);
        free(bias);
        free(ref);
        tu_free(&ti);
        tu_free(&tw);
        tu_free(&to);
    }
    ck_assert_int_gt(compared, 30);
    fprintf(stderr, "# conv random: %d cases (f32, f64 where the device has it) within the tolerance of the C "
            "reference, %d deterministic, %d again through conv/clblast or conv_transpose/clblast\n", compared, det,
            via_clblast);
    if (have_clblast()) ck_assert_int_gt(via_clblast, 5);
}
END_TEST

/* ---- cl_mem forms --------------------------------------------------------------- */
START_TEST(test_cl_mem_calls)
{
    clrs_context *ctx = tu_context();
    cl_context clc;
    cl_command_queue q;
    ck_assert_int_eq(clrs_context_get_cl(ctx, &clc, NULL, &q), CLRS_OK);
    /* a 3x3 box filter, padding 1, and its transpose (the same for a
     * symmetric kernel, stride 1) */
    float src[1 * 1 * 4 * 5], wt[9], bias[1] = {0.5f}, dst[20], dst2[20], host[20];
    for (int i = 0; i < 20; i++) src[i] = (float)i * 0.25f - 2.0f;
    for (int i = 0; i < 9; i++) wt[i] = 1.0f;
    int64_t is[4] = {1, 1, 4, 5}, ws[4] = {1, 1, 3, 3};
    clrs_tensor_desc din, dw, dout, db;
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&din, CLRS_F32, 4, is), CLRS_OK);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&dw, CLRS_F32, 4, ws), CLRS_OK);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&dout, CLRS_F32, 4, is), CLRS_OK);
    memset(&db, 0, sizeof db);
    db.dtype = CLRS_F32;
    db.rank = 1;
    db.sizes[0] = 1;
    db.strides[0] = 1;
    clrs_conv_params p;
    clrs_conv_params_init(&p);
    p.n_padding = 1;
    p.padding[0] = 1;
    cl_int e;
    cl_mem mi = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof src, src, &e);
    cl_mem mw = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof wt, wt, &e);
    cl_mem mb = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof bias, bias, &e);
    cl_mem mo = clCreateBuffer(clc, CL_MEM_READ_WRITE, sizeof dst, NULL, &e);
    cl_mem mo2 = clCreateBuffer(clc, CL_MEM_READ_WRITE, sizeof dst, NULL, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    cl_event ev1 = NULL, ev2 = NULL;
    clrs_status st = clrs_conv_cl(ctx, &p, &din, mi, &dw, mw, &db, mb, &dout, mo, q, 0, NULL, &ev1);
    ck_assert_msg(st == CLRS_OK, "%s", clrs_last_error(ctx));
    st = clrs_conv_transpose_cl(ctx, &p, &din, mi, &dw, mw, &db, mb, &dout, mo2, q, 1, &ev1, &ev2);
    ck_assert_msg(st == CLRS_OK, "%s", clrs_last_error(ctx));
    ck_assert_int_eq(clWaitForEvents(1, &ev2), CL_SUCCESS);
    clEnqueueReadBuffer(q, mo, CL_TRUE, 0, sizeof dst, dst, 0, NULL, NULL);
    clEnqueueReadBuffer(q, mo2, CL_TRUE, 0, sizeof dst2, dst2, 0, NULL, NULL);
    ck_assert_int_eq(clrs_conv(ctx, &p, &din, src, &dw, wt, &db, bias, &dout, host), CLRS_OK);
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 5; x++) {
            float s = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                    if (y + dy >= 0 && y + dy < 4 && x + dx >= 0 && x + dx < 5) s += src[(y + dy) * 5 + x + dx];
            ck_assert_msg(fabsf(dst[y * 5 + x] - (s + 0.5f)) <= 1e-5f, "(%d,%d): %g vs %g", y, x, dst[y * 5 + x],
                          s + 0.5f);
            ck_assert_msg(memcmp(&dst[y * 5 + x], &host[y * 5 + x], 4) == 0, "host and cl_mem forms differ");
            ck_assert_msg(fabsf(dst2[y * 5 + x] - dst[y * 5 + x]) <= 1e-5f, "transpose (%d,%d): %g vs %g", y, x,
                          dst2[y * 5 + x], dst[y * 5 + x]);
        }
    /* an output overlapping the input is refused */
    st = clrs_conv_cl(ctx, &p, &din, mi, &dw, mw, NULL, NULL, &dout, mi, q, 0, NULL, NULL);
    ck_assert_int_eq(st, CLRS_ERR_ALIASING);
    /* bias descriptor without its buffer */
    st = clrs_conv_cl(ctx, &p, &din, mi, &dw, mw, &db, NULL, &dout, mo, q, 0, NULL, NULL);
    ck_assert_int_eq(st, CLRS_ERR_INVALID_ARG);
    clReleaseEvent(ev1);
    clReleaseEvent(ev2);
    clReleaseMemObject(mi);
    clReleaseMemObject(mw);
    clReleaseMemObject(mb);
    clReleaseMemObject(mo);
    clReleaseMemObject(mo2);
}
END_TEST

/* ---- errors ------------------------------------------------------------------------ */
static void expect_err(clrs_status got, clrs_status want, const char *needle)
{
    ck_assert_msg(got == want, "status %s, expected %s (%s)", clrs_status_name(got), clrs_status_name(want),
                  clrs_last_error(NULL));
    ck_assert_msg(strstr(clrs_last_error(NULL), needle) != NULL, "message '%s' lacks '%s'", clrs_last_error(NULL),
                  needle);
}

START_TEST(test_errors)
{
    clrs_context *ctx = tu_context();
    clrs_conv_params p;
    clrs_conv_params_init(&p);
    ck_assert_int_eq(p.groups, 1);
    clrs_conv_padding_mode m;
    ck_assert_int_eq(clrs_conv_padding_mode_parse("circular", &m), CLRS_OK);
    ck_assert_int_eq(m, CLRS_CONV_PAD_CIRCULAR);
    ck_assert_int_eq(clrs_conv_padding_mode_parse("reflection", &m), CLRS_ERR_BAD_PARAM);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(NULL), "padding_mode='reflection'"));
    ck_assert_str_eq(clrs_conv_padding_mode_name(CLRS_CONV_PAD_REPLICATE), "replicate");
    ck_assert_ptr_null(clrs_conv_padding_mode_name((clrs_conv_padding_mode)9));

    clrs_tensor_desc in, w, b, out;
    int64_t is[4] = {1, 2, 5, 5}, ws[4] = {4, 2, 3, 3}, os[CLRS_MAX_RANK];
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&in, CLRS_F32, 4, is), CLRS_OK);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&w, CLRS_F32, 4, ws), CLRS_OK);
    memset(&b, 0, sizeof b);
    b.dtype = CLRS_F32;
    b.rank = 1;
    b.sizes[0] = 3;
    b.strides[0] = 1;
    ck_assert_int_eq(clrs_conv_output_shape(NULL, &p, &in, &w, os), CLRS_OK);
    ck_assert_int_eq(os[1], 4);
    ck_assert_int_eq(os[2], 3);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, os), CLRS_OK);
    static float buf[1024];
    /* bias length (torch's message) */
    expect_err(clrs_conv(ctx, &p, &in, buf, &w, buf + 256, &b, buf + 512, &out, buf + 600), CLRS_ERR_BAD_SHAPE,
               "expected bias to be 1-dimensional with 4 elements, but got bias of size [3]");
    /* struct_size */
    p.struct_size = 3;
    expect_err(clrs_conv_output_shape(NULL, &p, &in, &w, os), CLRS_ERR_INVALID_ARG, "struct_size");
    clrs_conv_params_init(&p);
    p.groups = 0;
    expect_err(clrs_conv_output_shape(NULL, &p, &in, &w, os), CLRS_ERR_BAD_PARAM, "non-positive groups");
    p.groups = 3;
    expect_err(clrs_conv_output_shape(NULL, &p, &in, &w, os), CLRS_ERR_BAD_SHAPE, "divisible by 3");
    clrs_conv_params_init(&p);
    p.n_stride = 1;
    p.stride[0] = 2;
    p.padding_kind = CLRS_CONV_PADDING_SAME;
    expect_err(clrs_conv_output_shape(NULL, &p, &in, &w, os), CLRS_ERR_BAD_PARAM,
               "padding='same' is not supported for strided convolutions");
    clrs_conv_params_init(&p);
    p.n_padding = 1;
    p.padding[0] = -1;
    expect_err(clrs_conv_output_shape(NULL, &p, &in, &w, os), CLRS_ERR_BAD_PARAM, "negative padding");
    p.padding[0] = 5;
    p.padding_mode = CLRS_CONV_PAD_REFLECT;
    expect_err(clrs_conv_output_shape(NULL, &p, &in, &w, os), CLRS_ERR_BAD_PARAM, "padding (5, 5)");
    p.padding[0] = 6;
    p.padding_mode = CLRS_CONV_PAD_CIRCULAR;
    expect_err(clrs_conv_output_shape(NULL, &p, &in, &w, os), CLRS_ERR_BAD_PARAM, "wrapping around more than once");
    p.padding[0] = 5;
    ck_assert_int_eq(clrs_conv_output_shape(NULL, &p, &in, &w, os), CLRS_OK); /* pad == size is fine */
    clrs_conv_params_init(&p);
    p.n_dilation = 2;
    p.dilation[0] = 3;
    p.dilation[1] = 1;
    expect_err(clrs_conv_output_shape(NULL, &p, &in, &w, os), CLRS_ERR_BAD_SHAPE, "Kernel size: (7 x 3)");
    p.dilation[0] = 0;
    expect_err(clrs_conv_output_shape(NULL, &p, &in, &w, os), CLRS_ERR_BAD_PARAM, "dilation should be greater than zero");
    clrs_conv_params_init(&p);
    p.n_stride = 1;
    p.stride[0] = 0;
    expect_err(clrs_conv_output_shape(NULL, &p, &in, &w, os), CLRS_ERR_BAD_PARAM, "non-positive stride");
    clrs_conv_params_init(&p);
    p.n_output_padding = 1;
    p.output_padding[0] = 1;
    expect_err(clrs_conv_output_shape(NULL, &p, &in, &w, os), CLRS_ERR_BAD_PARAM, "output_padding");
    /* channels */
    int64_t ws3[4] = {4, 3, 3, 3};
    clrs_tensor_desc w3;
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&w3, CLRS_F32, 4, ws3), CLRS_OK);
    clrs_conv_params_init(&p);
    expect_err(clrs_conv_output_shape(NULL, &p, &in, &w3, os), CLRS_ERR_BAD_SHAPE,
               "to have 3 channels, but got 2 channels instead");
    /* transpose: output_padding, channels, padding mode, 'same' */
    int64_t wts[4] = {2, 3, 3, 3};
    clrs_tensor_desc wt;
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&wt, CLRS_F32, 4, wts), CLRS_OK);
    ck_assert_int_eq(clrs_conv_transpose_output_shape(NULL, &p, &in, &wt, os), CLRS_OK);
    ck_assert_int_eq(os[1], 3);
    ck_assert_int_eq(os[2], 7);
    p.n_stride = 1;
    p.stride[0] = 2;
    p.n_output_padding = 1;
    p.output_padding[0] = 2;
    expect_err(clrs_conv_transpose_output_shape(NULL, &p, &in, &wt, os), CLRS_ERR_BAD_PARAM,
               "output padding must be smaller than either stride or dilation");
    p.output_padding[0] = 1;
    ck_assert_int_eq(clrs_conv_transpose_output_shape(NULL, &p, &in, &wt, os), CLRS_OK);
    ck_assert_int_eq(os[2], 12);
    clrs_conv_params_init(&p);
    p.padding_mode = CLRS_CONV_PAD_REFLECT;
    expect_err(clrs_conv_transpose_output_shape(NULL, &p, &in, &wt, os), CLRS_ERR_BAD_PARAM, "zeros");
    clrs_conv_params_init(&p);
    p.n_padding = 1;
    p.padding[0] = 5;
    expect_err(clrs_conv_transpose_output_shape(NULL, &p, &in, &wt, os), CLRS_ERR_BAD_SHAPE,
               "Output size is too small");
    p.padding[0] = INT64_MAX / 2 + 1; /* 2 * padding overflows */
    expect_err(clrs_conv_transpose_output_shape(NULL, &p, &in, &wt, os), CLRS_ERR_BAD_PARAM,
               "output size overflows 64 bits");
    clrs_conv_params_init(&p);
    p.n_stride = 1;
    p.stride[0] = INT64_MAX / 2; /* (in - 1) * stride overflows */
    expect_err(clrs_conv_transpose_output_shape(NULL, &p, &in, &wt, os), CLRS_ERR_BAD_PARAM,
               "output size overflows 64 bits");
    clrs_conv_params_init(&p);
    expect_err(clrs_conv_transpose_output_shape(NULL, &p, &in, &w, os), CLRS_ERR_BAD_SHAPE,
               "expected input[1, 2, 5, 5] to have 4 channels");
    /* dtype: weight mismatch, u8 */
    clrs_tensor_desc w64 = w;
    w64.dtype = CLRS_F64;
    expect_err(clrs_conv_output_shape(NULL, &p, &in, &w64, os), CLRS_ERR_BAD_DTYPE, "weight dtype");
    clrs_tensor_desc in8 = in, w8 = w, o8;
    in8.dtype = w8.dtype = CLRS_U8;
    ck_assert_int_eq(clrs_conv_output_shape(NULL, &p, &in8, &w8, os), CLRS_OK);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&o8, CLRS_U8, 4, os), CLRS_OK);
    expect_err(clrs_conv(ctx, &p, &in8, buf, &w8, buf + 256, NULL, NULL, &o8, buf + 600), CLRS_ERR_BAD_DTYPE,
               "does not take dtype u8");
    /* rank mismatch */
    int64_t w5s[5] = {4, 2, 3, 3, 3};
    clrs_tensor_desc w5;
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&w5, CLRS_F32, 5, w5s), CLRS_OK);
    expect_err(clrs_conv_output_shape(NULL, &p, &in, &w5, os), CLRS_ERR_BAD_SHAPE, "5-dimensional weight");
    /* empty batch: an empty output, nothing read */
    int64_t e0[4] = {0, 2, 5, 5}, eo[CLRS_MAX_RANK];
    clrs_tensor_desc ein, eout;
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&ein, CLRS_F32, 4, e0), CLRS_OK);
    ck_assert_int_eq(clrs_conv_output_shape(NULL, &p, &ein, &w, eo), CLRS_OK);
    ck_assert_int_eq(eo[0], 0);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&eout, CLRS_F32, 4, eo), CLRS_OK);
    ck_assert_int_eq(clrs_conv(ctx, &p, &ein, NULL, &w, buf, NULL, NULL, &eout, NULL), CLRS_OK);
}
END_TEST

/* ---- conv/clblast: dense shapes against the C reference ---------------------------- */
/* Dense (groups == 1) convolutions that the tuning table's threshold sends
 * to conv/clblast (asserted where it is compiled in; conv/general runs them
 * otherwise, and the comparison is the same): 1-D / 2-D / 3-D, f32, f16,
 * bf16, f64, bias (strided), stride, dilation, padding ints / 'same'
 * (asymmetric) and the four padding modes, batches split into several
 * im2col chunks (conv_gemm_col_mb=1), the three layouts, offsets. Own rng. */
/* A dry run (nothing computed) of a 3x3 / 4x4 stride-2 padding-1 f32
 * layer, conv or conv_transpose, with the device's own thresholds (its
 * tuning table): the entry it picks must be `want`. */
static void dry_run_expect(clrs_context *ctx, int transposed, const int64_t is[4], const int64_t ws[4],
                           const int64_t os[4], const char *want)
{
    clrs_conv_params p;
    clrs_conv_params_init(&p);
    p.n_stride = p.n_padding = 1;
    p.stride[0] = 2;
    p.padding[0] = 1;
    clrs_tensor_desc ind, wd, od;
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&ind, CLRS_F32, 4, is), CLRS_OK);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&wd, CLRS_F32, 4, ws), CLRS_OK);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&od, CLRS_F32, 4, os), CLRS_OK);
    float *bi = calloc((size_t)numel_of(4, is), sizeof(float)), *bw = calloc((size_t)numel_of(4, ws), sizeof(float));
    float *bo = calloc((size_t)numel_of(4, os), sizeof(float));
    char impl[32] = "";
    ck_assert_int_eq(clrs_explain_begin(chosen_cb, impl, CLRS_EXPLAIN_DRY_RUN), CLRS_OK);
    clrs_status st = transposed ? clrs_conv_transpose(ctx, &p, &ind, bi, &wd, bw, NULL, NULL, &od, bo)
                                : clrs_conv(ctx, &p, &ind, bi, &wd, bw, NULL, NULL, &od, bo);
    clrs_explain_end();
    ck_assert_msg(st == CLRS_OK, "%s", clrs_last_error(ctx));
    ck_assert_str_eq(impl, want);
    free(bi);
    free(bw);
    free(bo);
}

START_TEST(test_clblast_dense)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    ck_assert_int_eq(clrs_context_device(ctx, &info), CLRS_OK);
    const int clb = have_clblast();
    const clrs_dtype dts[4] = {CLRS_F32, CLRS_F16, CLRS_F32, CLRS_BF16};
    uint64_t rs = 0xc1b1a57u;
    int compared = 0, via_clblast = 0, chunked = 0;
    for (int iter = 0; iter < 24; iter++) {
        clrs_dtype dt = dts[iter % 4];
        if (iter % 8 == 7 && info.fp64) dt = CLRS_F64;
        const int rank = iter % 6 == 5 ? 5 : iter % 6 == 4 ? 3 : 4, sp = rank - 2;
        clrs_conv_params p;
        clrs_conv_params_init(&p);
        const int64_t C = tu_range(&rs, 8, 24), K = tu_range(&rs, 8, 40);
        int64_t is[5] = {tu_range(&rs, 1, 3), C}, ws[5] = {K, C};
        p.n_stride = p.n_padding = p.n_dilation = sp;
        const int same = iter % 5 == 3;
        if (same) p.padding_kind = CLRS_CONV_PADDING_SAME;
        p.padding_mode = (clrs_conv_padding_mode)((iter / 2) % 4);
        for (int i = 0; i < sp; i++) {
            is[2 + i] = sp == 3 ? tu_range(&rs, 5, 8) : sp == 1 ? tu_range(&rs, 64, 200) : tu_range(&rs, 12, 28);
            ws[2 + i] = tu_range(&rs, 1, sp == 3 ? 3 : 4);
            p.stride[i] = same ? 1 : tu_range(&rs, 1, 2);
            p.dilation[i] = tu_range(&rs, 1, 2);
            p.padding[i] = tu_range(&rs, 0, 2);
        }
        int64_t os[CLRS_MAX_RANK];
        if (ref_conv_shape(rank, is, ws, &p, 0, os) != 0) continue;
        clrs_tensor_desc ind, wd;
        ck_assert_int_eq(clrs_tensor_desc_contiguous(&ind, dt, rank, is), CLRS_OK);
        ck_assert_int_eq(clrs_tensor_desc_contiguous(&wd, dt, rank, ws), CLRS_OK);
        int64_t cs[CLRS_MAX_RANK];
        if (clrs_conv_output_shape(ctx, &p, &ind, &wd, cs) != CLRS_OK) continue; /* F.pad's limits */
        const int64_t ni = numel_of(rank, is), nw = numel_of(rank, ws), no = numel_of(rank, os);
        double *x = malloc(sizeof(double) * (size_t)ni), *w = malloc(sizeof(double) * (size_t)nw);
        double *bias = malloc(sizeof(double) * (size_t)K), *ref = malloc(sizeof(double) * (size_t)no);
        const size_t es = clrs_dtype_size(dt);
        unsigned char *tmp = malloc((size_t)(ni > nw ? (ni > no ? ni : no) : (nw > no ? nw : no)) * es + 8);
        /* the values the device sees (rounded to dt), so the reference sums exactly those */
        for (int64_t i = 0; i < ni; i++) {
            tu_set(dt, tmp, i, tu_uniform(&rs) * 4 - 2);
            x[i] = tu_get(dt, tmp, i);
        }
        tu_tensor ti, tw, to;
        const tu_layout l = (tu_layout)(iter % TU_NLAYOUTS);
        tu_alloc(&ti, dt, rank, is, l, 0x11);
        tu_alloc(&tw, dt, rank, ws, (tu_layout)((iter + 1) % TU_NLAYOUTS), 0x22);
        tu_alloc(&to, dt, rank, os, (tu_layout)((iter + 2) % TU_NLAYOUTS), 0x33);
        tu_store(&ti, tmp);
        for (int64_t i = 0; i < nw; i++) {
            tu_set(dt, tmp, i, tu_uniform(&rs) * 2 - 1);
            w[i] = tu_get(dt, tmp, i);
        }
        tu_store(&tw, tmp);
        for (int64_t i = 0; i < K; i++) {
            tu_set(dt, tmp, i, tu_uniform(&rs) - 0.5);
            bias[i] = tu_get(dt, tmp, i);
        }
        const int with_bias = iter % 3 != 1;
        clrs_tensor_desc bd;
        void *bb = bias_alloc(&bd, dt, K, 1 + iter % 2, tmp);
        ck_assert_int_eq(ref_conv(rank, is, x, ws, w, with_bias ? bias : NULL, &p, 0, ref), 0);
        const int chunk = iter % 4 == 2;
        int64_t col_mb = 0;
        if (chunk) {
            ck_assert_int_eq(clrs_tuning_get(ctx, "conv_gemm_col_mb", &col_mb, NULL), CLRS_OK);
            ck_assert_int_eq(clrs_tuning_set(ctx, "conv_gemm_col_mb", 1), CLRS_OK);
        }
        char impl[32] = "";
        if (clb) clblast_force(ctx, 1); /* the shapes are small: the device's threshold off */
        ck_assert_int_eq(clrs_explain_begin(chosen_cb, impl, 0), CLRS_OK);
        clrs_status st = clrs_conv(ctx, &p, &ti.desc, ti.base, &tw.desc, tw.base, with_bias ? &bd : NULL,
                                   with_bias ? bb : NULL, &to.desc, to.base);
        clrs_explain_end();
        if (clb) clblast_force(ctx, 0);
        if (chunk) ck_assert_int_eq(clrs_tuning_set(ctx, "conv_gemm_col_mb", col_mb), CLRS_OK);
        ck_assert_msg(st == CLRS_OK, "iter %d: %s", iter, clrs_last_error(ctx));
        /* every case is dense (groups == 1) */
        ck_assert_msg(strcmp(impl, clb ? "clblast" : "general") == 0, "iter %d: conv/%s ran, not conv/%s", iter, impl,
                      clb ? "clblast" : "general");
        via_clblast += strcmp(impl, "clblast") == 0;
        chunked += chunk && is[0] > 1 && strcmp(impl, "clblast") == 0;
        unsigned char *got = malloc((size_t)no * es + 1);
        tu_load(&to, got);
        int64_t bad;
        double gb = 0, rb = 0;
        /* the reference rounded once to dt is within half an ulp: the dtype's tolerance */
        double e = scaled_err(dt, got, CLRS_F64, ref, no, tol_of(dt), &bad, &gb, &rb);
        ck_assert_msg(bad < 0, "iter %d (%s, rank %d, %s, %s, conv/%s): value %lld: %.9g vs reference %.9g (error %g)",
                      iter, clrs_dtype_name(dt), rank, clrs_conv_padding_mode_name(p.padding_mode), tu_layout_name(l),
                      impl, (long long)bad, gb, rb, e);
        compared++;
        free(got);
        free(tmp);
        free(bb);
        free(x);
        free(w);
        free(bias);
        free(ref);
        tu_free(&ti);
        tu_free(&tw);
        tu_free(&to);
    }
    ck_assert_int_gt(compared, 18);
    if (clb) ck_assert_int_ge(chunked, 2);
    /* the device's own threshold (the tuning table) sends a layer of
     * bench W21's kind to conv/clblast: a dry run, nothing computed */
    dry_run_expect(ctx, 0, (const int64_t[4]){1, 64, 64, 64}, (const int64_t[4]){128, 64, 3, 3},
                   (const int64_t[4]){1, 128, 32, 32}, clb ? "clblast" : "general");
    fprintf(stderr, "# conv dense: %d cases within the tolerance of the C reference, %d through conv/clblast (%s), "
            "%d split into im2col chunks\n", compared, via_clblast, clb ? "compiled in" : "not compiled in", chunked);
}
END_TEST

/* ---- conv_transpose/clblast: against the C reference and conv_transpose/general -- */
/* Transposed convolutions through conv_transpose/clblast (its threshold
 * off; asserted where it is compiled in, conv_transpose/general runs them
 * otherwise): 1-D / 2-D / 3-D, f32, f16, bf16, f64, bias (strided),
 * strides 1-3, dilation, padding, output_padding, groups 1-2, the three
 * layouts, batches split into several column chunks (conv_gemm_col_mb=1).
 * Each result: within the dtype's tolerance of the C reference and of
 * conv_transpose/general's, and the same bits on a second run. Own rng. */
START_TEST(test_clblast_transpose)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    ck_assert_int_eq(clrs_context_device(ctx, &info), CLRS_OK);
    const int clb = have_clblast();
    const clrs_dtype dts[4] = {CLRS_F32, CLRS_F16, CLRS_F32, CLRS_BF16};
    uint64_t rs = 0x7c0a7b1au;
    int compared = 0, via_clblast = 0, chunked = 0, stride3 = 0, outpad = 0, dilated = 0, grouped = 0;
    for (int iter = 0; iter < 30; iter++) {
        clrs_dtype dt = dts[iter % 4];
        if (iter % 8 == 7 && info.fp64) dt = CLRS_F64;
        const int rank = iter % 6 == 5 ? 5 : iter % 6 == 4 ? 3 : 4, sp = rank - 2;
        const int chunk = iter % 5 == 2 && rank == 4; /* columns of >= 1 MiB per image */
        clrs_conv_params p;
        clrs_conv_params_init(&p);
        p.groups = iter % 3 == 1 ? 2 : 1;
        const int64_t cin_g = tu_range(&rs, 4, 16), cout_g = chunk ? 16 : tu_range(&rs, 2, 12);
        int64_t is[5] = {chunk ? 3 : tu_range(&rs, 1, 3), cin_g * p.groups}, ws[5] = {cin_g * p.groups, cout_g};
        p.n_stride = p.n_padding = p.n_dilation = p.n_output_padding = sp;
        for (int i = 0; i < sp; i++) {
            is[2 + i] = chunk ? 32 : sp == 3 ? tu_range(&rs, 3, 6) : sp == 1 ? tu_range(&rs, 16, 80) : tu_range(&rs, 5, 16);
            ws[2 + i] = chunk ? 4 : tu_range(&rs, 1, sp == 3 ? 3 : 5);
            p.stride[i] = iter % 4 == 3 ? 3 : tu_range(&rs, 1, 2);
            p.dilation[i] = iter % 4 == 1 ? tu_range(&rs, 1, 3) : 1;
            p.padding[i] = tu_range(&rs, 0, 2);
            const int64_t opmax = (p.stride[i] > p.dilation[i] ? p.stride[i] : p.dilation[i]) - 1;
            p.output_padding[i] = iter % 2 == 0 ? opmax : tu_range(&rs, 0, opmax);
        }
        int64_t os[CLRS_MAX_RANK];
        if (ref_conv_shape(rank, is, ws, &p, 1, os) != 0) continue;
        clrs_tensor_desc ind, wd;
        ck_assert_int_eq(clrs_tensor_desc_contiguous(&ind, dt, rank, is), CLRS_OK);
        ck_assert_int_eq(clrs_tensor_desc_contiguous(&wd, dt, rank, ws), CLRS_OK);
        int64_t cs[CLRS_MAX_RANK];
        ck_assert_int_eq(clrs_conv_transpose_output_shape(ctx, &p, &ind, &wd, cs), CLRS_OK);
        const int64_t ni = numel_of(rank, is), nw = numel_of(rank, ws), no = numel_of(rank, os), cout = os[1];
        double *x = malloc(sizeof(double) * (size_t)ni), *w = malloc(sizeof(double) * (size_t)nw);
        double *bias = malloc(sizeof(double) * (size_t)cout), *ref = malloc(sizeof(double) * (size_t)no);
        const size_t es = clrs_dtype_size(dt);
        unsigned char *tmp = malloc((size_t)(ni > nw ? (ni > no ? ni : no) : (nw > no ? nw : no)) * es + 8);
        for (int64_t i = 0; i < ni; i++) { /* the values the device sees */
            tu_set(dt, tmp, i, tu_uniform(&rs) * 4 - 2);
            x[i] = tu_get(dt, tmp, i);
        }
        tu_tensor ti, tw, to;
        const tu_layout l = (tu_layout)(iter % TU_NLAYOUTS);
        tu_alloc(&ti, dt, rank, is, l, 0x11);
        tu_alloc(&tw, dt, rank, ws, (tu_layout)((iter + 1) % TU_NLAYOUTS), 0x22);
        tu_alloc(&to, dt, rank, os, (tu_layout)((iter + 2) % TU_NLAYOUTS), 0x33);
        tu_store(&ti, tmp);
        for (int64_t i = 0; i < nw; i++) {
            tu_set(dt, tmp, i, tu_uniform(&rs) * 2 - 1);
            w[i] = tu_get(dt, tmp, i);
        }
        tu_store(&tw, tmp);
        for (int64_t i = 0; i < cout; i++) {
            tu_set(dt, tmp, i, tu_uniform(&rs) - 0.5);
            bias[i] = tu_get(dt, tmp, i);
        }
        const int with_bias = iter % 3 != 2;
        clrs_tensor_desc bd;
        void *bb = bias_alloc(&bd, dt, cout, 1 + iter % 2, tmp);
        ck_assert_int_eq(ref_conv(rank, is, x, ws, w, with_bias ? bias : NULL, &p, 1, ref), 0);
        int64_t col_mb = 0;
        if (chunk) {
            ck_assert_int_eq(clrs_tuning_get(ctx, "conv_gemm_col_mb", &col_mb, NULL), CLRS_OK);
            ck_assert_int_eq(clrs_tuning_set(ctx, "conv_gemm_col_mb", 1), CLRS_OK);
        }
        unsigned char *got = calloc((size_t)no * es + 1, 1), *again = calloc((size_t)no * es + 1, 1);
        unsigned char *gen = malloc((size_t)no * es + 1);
        char impl[32] = "";
        for (int run = 0; run < 2; run++) { /* twice: the same bits */
            if (clb) clblast_force(ctx, 1); /* the shapes are small: the device's threshold off */
            ck_assert_int_eq(clrs_explain_begin(chosen_cb, impl, 0), CLRS_OK);
            clrs_status st = clrs_conv_transpose(ctx, &p, &ti.desc, ti.base, &tw.desc, tw.base,
                                                 with_bias ? &bd : NULL, with_bias ? bb : NULL, &to.desc, to.base);
            clrs_explain_end();
            if (clb) clblast_force(ctx, 0);
            ck_assert_msg(st == CLRS_OK, "iter %d: %s", iter, clrs_last_error(ctx));
            ck_assert_msg(strcmp(impl, clb ? "clblast" : "general") == 0, "iter %d: conv_transpose/%s ran, not /%s",
                          iter, impl, clb ? "clblast" : "general");
            tu_load(&to, run ? again : got);
            memset(tmp, 0xff, (size_t)no * es); /* NaNs: the second run must write every element again */
            tu_store(&to, tmp);
        }
        if (chunk) ck_assert_int_eq(clrs_tuning_set(ctx, "conv_gemm_col_mb", col_mb), CLRS_OK);
        ck_assert_msg(memcmp(got, again, (size_t)no * es) == 0, "iter %d: conv_transpose/%s not reproducible", iter,
                      impl);
        /* conv_transpose/general on the same tensors */
        clrs__dispatch_disable("conv_transpose/clblast");
        clrs_status st = clrs_conv_transpose(ctx, &p, &ti.desc, ti.base, &tw.desc, tw.base, with_bias ? &bd : NULL,
                                             with_bias ? bb : NULL, &to.desc, to.base);
        clrs__dispatch_disable(NULL);
        ck_assert_msg(st == CLRS_OK, "iter %d: %s", iter, clrs_last_error(ctx));
        tu_load(&to, gen);
        int64_t bad;
        double gb = 0, rb = 0;
        double e = scaled_err(dt, got, CLRS_F64, ref, no, tol_of(dt), &bad, &gb, &rb);
        ck_assert_msg(bad < 0, "iter %d (%s, rank %d, %s, conv_transpose/%s): value %lld: %.9g vs reference %.9g "
                      "(error %g)", iter, clrs_dtype_name(dt), rank, tu_layout_name(l), impl, (long long)bad, gb, rb, e);
        e = scaled_err(dt, got, dt, gen, no, tol_of(dt), &bad, &gb, &rb);
        ck_assert_msg(bad < 0, "iter %d (%s, rank %d, %s, conv_transpose/%s): value %lld: %.9g vs general %.9g "
                      "(error %g)", iter, clrs_dtype_name(dt), rank, tu_layout_name(l), impl, (long long)bad, gb, rb, e);
        via_clblast += strcmp(impl, "clblast") == 0;
        chunked += chunk && strcmp(impl, "clblast") == 0;
        if (strcmp(impl, "clblast") == 0) {
            for (int i = 0; i < sp; i++) {
                stride3 += p.stride[i] == 3;
                outpad += p.output_padding[i] > 0;
                dilated += p.dilation[i] > 1;
            }
            grouped += p.groups > 1;
        }
        compared++;
        free(got);
        free(again);
        free(gen);
        free(tmp);
        free(bb);
        free(x);
        free(w);
        free(bias);
        free(ref);
        tu_free(&ti);
        tu_free(&tw);
        tu_free(&to);
    }
    ck_assert_int_gt(compared, 25);
    if (clb) {
        ck_assert_int_ge(chunked, 2);
        ck_assert_int_gt(stride3, 0);
        ck_assert_int_gt(outpad, 0);
        ck_assert_int_gt(dilated, 0);
        ck_assert_int_gt(grouped, 0);
    }
    /* the device's own threshold (the tuning table) sends bench W24's
     * layer to conv_transpose/clblast: a dry run, nothing computed */
    dry_run_expect(ctx, 1, (const int64_t[4]){2, 64, 128, 128}, (const int64_t[4]){64, 32, 4, 4},
                   (const int64_t[4]){2, 32, 256, 256}, clb ? "clblast" : "general");
    fprintf(stderr, "# conv_transpose via clblast: %d cases within the tolerance of the C reference and of "
            "conv_transpose/general, bit-reproducible, %d through conv_transpose/clblast (%s), %d split into column "
            "chunks, %d grouped\n", compared, via_clblast, clb ? "compiled in" : "not compiled in", chunked, grouped);
}
END_TEST

/* Contexts that ran conv/clblast come and go (their release clears
 * CLBlast's program caches): a second context, the shared one after the
 * first's release, and a third give the same bits on the same call. */
START_TEST(test_clblast_context_cycle)
{
    const int clb = have_clblast(); /* without it: the same cycle through conv/general */
    clrs_context *shared = tu_context();
    clrs_conv_params p;
    clrs_conv_params_init(&p);
    const int64_t is[4] = {2, 16, 20, 20}, ws[4] = {24, 16, 3, 3};
    int64_t os[CLRS_MAX_RANK];
    clrs_tensor_desc ind, wd, od;
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&ind, CLRS_F32, 4, is), CLRS_OK);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&wd, CLRS_F32, 4, ws), CLRS_OK);
    ck_assert_int_eq(clrs_conv_output_shape(shared, &p, &ind, &wd, os), CLRS_OK);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&od, CLRS_F32, 4, os), CLRS_OK);
    const int64_t ni = numel_of(4, is), nw = numel_of(4, ws), no = numel_of(4, os);
    float *x = malloc((size_t)ni * sizeof *x), *w = malloc((size_t)nw * sizeof *w);
    float *o[4];
    uint64_t rs = 0xcc1e;
    for (int64_t i = 0; i < ni; i++) x[i] = (float)(tu_uniform(&rs) - 0.5);
    for (int64_t i = 0; i < nw; i++) w[i] = (float)(tu_uniform(&rs) - 0.5);
    clrs_context *kept = NULL;
    for (int r = 0; r < 4; r++) {
        /* runs 0, 1, 3: a context of their own; run 2: the shared one */
        clrs_context *ctx = shared;
        if (r != 2) ck_assert_int_eq(clrs_context_create(&ctx, NULL), CLRS_OK);
        if (r == 2) clblast_force(ctx, 1);
        ck_assert_int_eq(clrs_tuning_set(ctx, "conv_gemm_min_k", 0), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_set(ctx, "conv_gemm_min_macs", 0), CLRS_OK);
        o[r] = calloc((size_t)no, sizeof *o[r]);
        char impl[32] = "";
        ck_assert_int_eq(clrs_explain_begin(chosen_cb, impl, 0), CLRS_OK);
        clrs_status st = clrs_conv(ctx, &p, &ind, x, &wd, w, NULL, NULL, &od, o[r]);
        clrs_explain_end();
        ck_assert_msg(st == CLRS_OK, "run %d: %s", r, clrs_last_error(ctx));
        ck_assert_str_eq(impl, clb ? "clblast" : "general");
        if (r == 2) {
            clblast_force(ctx, 0);
            clrs_context_release(kept); /* run 1's context lived across run 2 */
        } else if (r == 1) {
            kept = ctx;
        } else {
            clrs_context_release(ctx);
        }
        if (r > 0) ck_assert_msg(memcmp(o[0], o[r], (size_t)no * sizeof(float)) == 0, "run %d: other bits", r);
    }
    for (int r = 0; r < 4; r++) free(o[r]);
    free(x);
    free(w);
}
END_TEST

/* ---- conv/depthwise gives conv/general's bits ------------------------------------ */
static const char *count_impl = "depthwise";
static void count_cb(void *user, const char *family, const char *impl, int chosen, const char *reason)
{
    (void)reason;
    if (chosen && strcmp(family, "conv") == 0 && strcmp(impl, count_impl) == 0) (*(int *)user)++;
}

/* win == 0: "conv/depthwise" on small random cases; win == 1:
 * "conv/depthwise_win" (its size threshold lowered, the vector width
 * varied) on 2-D windows with longer rows, so that vectors of 8 and 16
 * outputs run inside the rows and the scalar form at their ends. */
static void dw_bits(int win)
{
    clrs_context *ctx = tu_context();
    int64_t min_out = 0, vw0 = 0, px0 = 0;
    if (win) {
        ck_assert_int_eq(clrs_tuning_get(ctx, "conv_dw_min_output", &min_out, NULL), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_get(ctx, "conv_dw_vw", &vw0, NULL), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_get(ctx, "conv_dw_px", &px0, NULL), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_set(ctx, "conv_dw_min_output", 1), CLRS_OK);
    }
    count_impl = win ? "depthwise_win" : "depthwise";
    clrs_device_info info;
    ck_assert_int_eq(clrs_context_device(ctx, &info), CLRS_OK);
    const clrs_dtype dts[4] = {CLRS_F32, CLRS_F16, CLRS_BF16, CLRS_F64};
    uint64_t rs = win ? 0x5eedc0u : 0xd3b7u; /* each its own stream */
    int compared = 0;
    for (int iter = 0; iter < 48; iter++) {
        /* win: the vector forms are f32's, the others every dtype */
        const clrs_dtype dt = !win ? dts[iter % 4] : (const clrs_dtype[]){CLRS_F16, CLRS_F32, CLRS_BF16, CLRS_F32, CLRS_F64,
                                                                         CLRS_F32, CLRS_F32, CLRS_F32}[iter % 8];
        if (dt == CLRS_F64 && !info.fp64) continue;
        const int rank = 3 + iter % 3, sp = rank - 2;
        if (win) {
            ck_assert_int_eq(clrs_tuning_set(ctx, "conv_dw_vw", (int64_t[]){1, 8, 16}[iter % 3]), CLRS_OK);
            ck_assert_int_eq(clrs_tuning_set(ctx, "conv_dw_px", (int64_t[]){1, 3, 8}[iter / 3 % 3]), CLRS_OK);
        }
        clrs_conv_params p;
        clrs_conv_params_init(&p);
        int64_t C = tu_range(&rs, 1, 5), mult = tu_range(&rs, 1, 2);
        if (win && iter % 4 >= 2) { /* channels-last vectors of 8 / 16 channels */
            C = iter % 8 >= 4 ? 16 : 8;
            mult = 1;
        }
        p.groups = C;
        int64_t is[5] = {tu_range(&rs, 1, 2), C}, ws[5] = {C * mult, 1};
        p.n_stride = p.n_padding = p.n_dilation = sp;
        p.padding_mode = (clrs_conv_padding_mode)((iter / 4) % 4);
        for (int i = 0; i < sp; i++) {
            is[2 + i] = tu_range(&rs, 3, sp == 3 ? 6 : 10);
            ws[2 + i] = tu_range(&rs, 1, sp == 3 ? 3 : 5);
            p.stride[i] = tu_range(&rs, 1, 2);
            p.dilation[i] = tu_range(&rs, 1, 2);
            p.padding[i] = tu_range(&rs, 0, 2);
            if (win && sp == 3 && i == 0) { /* the window form walks depth like a batch axis */
                ws[2] = 1;
                p.stride[0] = 1;
                p.padding[0] = 0;
            }
            if (win && i == sp - 1) is[2 + i] = tu_range(&rs, 8, 60); /* rows of several vectors */
        }
        int64_t os[CLRS_MAX_RANK];
        clrs_tensor_desc ind, wd;
        ck_assert_int_eq(clrs_tensor_desc_contiguous(&ind, dt, rank, is), CLRS_OK);
        ck_assert_int_eq(clrs_tensor_desc_contiguous(&wd, dt, rank, ws), CLRS_OK);
        if (clrs_conv_output_shape(ctx, &p, &ind, &wd, os) != CLRS_OK) continue;
        const int64_t ni = numel_of(rank, is), nw = numel_of(rank, ws), no = numel_of(rank, os);
        tu_layout l = (tu_layout)(iter % TU_NLAYOUTS);
        if (win && iter % 4 >= 2 && iter % 12 != 2) l = TU_CHANNELS_LAST;
        tu_tensor ti, tw, to;
        tu_alloc(&ti, dt, rank, is, l, 0x11);
        tu_alloc(&tw, dt, rank, ws, l, 0x22);
        tu_alloc(&to, dt, rank, os, l, 0x33);
        const size_t es = clrs_dtype_size(dt);
        unsigned char *tmp = malloc((size_t)(ni > nw ? ni : nw) * es + 8);
        for (int64_t i = 0; i < ni; i++) tu_set(dt, tmp, i, tu_uniform(&rs) * 8 - 4);
        if (iter % 8 == 5) tu_set(dt, tmp, ni / 2, NAN); /* NaN and inf travel the same way */
        if (iter % 8 == 6) tu_set(dt, tmp, ni / 3, INFINITY);
        tu_store(&ti, tmp);
        for (int64_t i = 0; i < nw; i++) tu_set(dt, tmp, i, tu_uniform(&rs) * 2 - 1);
        tu_store(&tw, tmp);
        for (int64_t i = 0; i < os[1]; i++) tu_set(dt, tmp, i, tu_uniform(&rs) - 0.5);
        clrs_tensor_desc bd;
        void *bb = bias_alloc(&bd, dt, os[1], 1 + iter % 2, tmp);
        const int wb = iter % 3 != 0;
        unsigned char *a = malloc((size_t)no * es + 1), *b = malloc((size_t)no * es + 1);
        int chosen = 0;
        clrs__dispatch_disable("conv/clblast"); /* groups == C == 1 is dense too */
        ck_assert_int_eq(clrs_explain_begin(count_cb, &chosen, 0), CLRS_OK);
        if (!win) clrs__dispatch_disable("conv/depthwise_win"); /* (3-D cases may be large enough) */
        clrs_status st = clrs_conv(ctx, &p, &ti.desc, ti.base, &tw.desc, tw.base, wb ? &bd : NULL, wb ? bb : NULL,
                                   &to.desc, to.base);
        clrs_explain_end();
        clrs__dispatch_disable(NULL);
        ck_assert_msg(st == CLRS_OK, "iter %d: %s", iter, clrs_last_error(ctx));
        ck_assert_msg(chosen == 1, "iter %d: conv/%s did not run", iter, count_impl);
        tu_load(&to, a);
        clrs__dispatch_disable("conv");
        st = clrs_conv(ctx, &p, &ti.desc, ti.base, &tw.desc, tw.base, wb ? &bd : NULL, wb ? bb : NULL, &to.desc,
                       to.base);
        clrs__dispatch_disable(NULL);
        ck_assert_msg(st == CLRS_OK, "iter %d: %s", iter, clrs_last_error(ctx));
        tu_load(&to, b);
        ck_assert_msg(memcmp(a, b, (size_t)no * es) == 0, "iter %d (%s, rank %d, %s, %s): %s and general differ", iter,
                      clrs_dtype_name(dt), rank, clrs_conv_padding_mode_name(p.padding_mode), tu_layout_name(l),
                      count_impl);
        compared++;
        free(a);
        free(b);
        free(bb);
        free(tmp);
        tu_free(&ti);
        tu_free(&tw);
        tu_free(&to);
    }
    if (win) {
        ck_assert_int_eq(clrs_tuning_set(ctx, "conv_dw_min_output", min_out), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_set(ctx, "conv_dw_vw", vw0), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_set(ctx, "conv_dw_px", px0), CLRS_OK);
    }
    ck_assert_int_gt(compared, 25);
    fprintf(stderr, "# conv %s: %d cases bit-identical to conv/general\n", count_impl, compared);
}

START_TEST(test_depthwise_bits)
{
    dw_bits(0);
}
END_TEST

START_TEST(test_depthwise_win_bits)
{
    dw_bits(1);
}
END_TEST

#define TIMEOUT_CORE 1800

int main(void)
{
    tu_binary_cache_off(); /* operators, not the cache: see testutil.h */
    Suite *s = suite_create("conv");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, tu_timeout(TIMEOUT_CORE));
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_cl_mem_calls);
    tcase_add_test(tc, test_random_vs_reference);
    tcase_add_test(tc, test_depthwise_bits);
    tcase_add_test(tc, test_depthwise_win_bits);
    tcase_add_test(tc, test_clblast_dense);
    tcase_add_test(tc, test_clblast_transpose);
    tcase_add_test(tc, test_clblast_context_cycle);
    tcase_add_test(tc, test_golden_conv);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_context_release();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
