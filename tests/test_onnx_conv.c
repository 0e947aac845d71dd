/* SPDX-License-Identifier: MIT */
/* ONNX Conv and ConvTranspose (include/clresample/onnx.h): golden vectors
 * from ONNX (tests/golden/onnx_conv.txt: ONNX's 17 node test cases and
 * random cases from onnx.reference over every attribute, f32 and f16; see
 * tests/golden/gen_onnx_conv.py) with X and W in three layouts, the
 * cl_mem calls, the shape rules and the error cases.
 *
 * Tolerance: |got - want| <= tol * max(1, max |want|) with the manifest's
 * tol (1e-5 for f32: summation order differs from onnx.reference's GEMM;
 * 2e-3 for f16: f32 accumulation, one rounding, against the reference's
 * f32 result rounded once). 40 f32 cases also run as f64 (1e-5) and bf16
 * (4e-2: inputs rounded to bf16) against the f32 expected output. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clresample/onnx.h"
#include "golden_io.h"
#include "npy.h"
#include "testutil.h"

static int64_t numel_of(int rank, const int64_t *s)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= s[i];
    return n;
}

static int list_of(const tu_case *c, const char *key, int64_t *v, int max)
{
    return tu_get_str(c, key) ? tu_get_ints(c, key, v, max) : 0;
}

static clrs_onnx_auto_pad auto_pad_of(const char *s)
{
    if (s == NULL || strcmp(s, "NOTSET") == 0) return CLRS_ONNX_NOTSET;
    if (strcmp(s, "SAME_UPPER") == 0) return CLRS_ONNX_SAME_UPPER;
    if (strcmp(s, "SAME_LOWER") == 0) return CLRS_ONNX_SAME_LOWER;
    if (strcmp(s, "VALID") == 0) return CLRS_ONNX_VALID;
    ck_abort_msg("unknown auto_pad %s", s);
    return CLRS_ONNX_NOTSET;
}

/* a contiguous rank-1 descriptor (clrs_tensor_desc_contiguous takes ranks 3..5) */
static void desc1(clrs_tensor_desc *d, clrs_dtype dt, int64_t n)
{
    memset(d, 0, sizeof *d);
    d->dtype = dt;
    d->rank = 1;
    d->sizes[0] = n;
    d->strides[0] = 1;
}

static struct {
    int cases, runs, by_src[4], per_op[2], f16;
    double max_rel[2]; /* f32, f16 */
} stats;

/* Convert a loaded array to dtype dt (values through double; tu_set rounds). */
static void to_dtype(npy_array *a, clrs_dtype dt)
{
    if (a->dtype == dt) return;
    const int64_t n = numel_of(a->ndim, a->shape);
    void *d = malloc((size_t)n * clrs_dtype_size(dt) + 1);
    for (int64_t i = 0; i < n; i++) tu_set(dt, d, i, tu_get(a->dtype, a->data, i));
    free(a->data);
    a->data = d;
    a->dtype = dt;
}

/* as_dt: CLRS_F32 etc. to run an f32 case in another dtype (inputs
 * converted; the f32 expected output compared with tol_override); -1: the
 * case's own dtype and tolerance. */
static void run_case_as(clrs_context *ctx, const tu_case *c, const char *id, int as_dt, double tol_override)
{
    const int tr = strcmp(tu_get_str(c, "op"), "ConvTranspose") == 0;
    clrs_onnx_conv_params p;
    clrs_onnx_conv_params_init(&p);
    p.auto_pad = auto_pad_of(tu_get_str(c, "auto_pad"));
    p.n_kernel_shape = list_of(c, "kernel_shape", p.kernel_shape, 3);
    p.n_strides = list_of(c, "strides", p.strides, 3);
    p.n_pads = list_of(c, "pads", p.pads, 6);
    p.n_dilations = list_of(c, "dilations", p.dilations, 3);
    p.group = tu_get_int(c, "group", 1);
    p.n_output_padding = list_of(c, "output_padding", p.output_padding, 3);
    p.n_output_shape = list_of(c, "output_shape", p.output_shape, CLRS_MAX_RANK);
    const double tol = as_dt >= 0 ? tol_override : strtod(tu_get_str(c, "tol"), NULL);
    npy_array x, w, b = {0}, want;
    ck_assert_msg(tu_load_golden(tu_get_str(c, "in"), &x) == 0, "%s: X", id);
    ck_assert_msg(tu_load_golden(tu_get_str(c, "W"), &w) == 0, "%s: W", id);
    const int has_b = tu_get_str(c, "B") != NULL;
    if (has_b) ck_assert_msg(tu_load_golden(tu_get_str(c, "B"), &b) == 0, "%s: B", id);
    ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &want) == 0, "%s: Y", id);
    if (as_dt >= 0) {
        to_dtype(&x, (clrs_dtype)as_dt);
        to_dtype(&w, (clrs_dtype)as_dt);
        if (has_b) to_dtype(&b, (clrs_dtype)as_dt);
        to_dtype(&want, (clrs_dtype)as_dt);
    }
    const clrs_dtype dt = x.dtype;
    clrs_tensor_desc xd, wd, bd;
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&xd, dt, x.ndim, x.shape), CLRS_OK);
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&wd, dt, w.ndim, w.shape), CLRS_OK);
    if (has_b) desc1(&bd, dt, b.shape[0]);
    int64_t osz[CLRS_MAX_RANK];
    clrs_status st = tr ? clrs_onnx_conv_transpose_output_shape(ctx, &p, &xd, &wd, osz)
                        : clrs_onnx_conv_output_shape(ctx, &p, &xd, &wd, osz);
    ck_assert_msg(st == CLRS_OK, "%s: output_shape: %s", id, clrs_last_error(ctx));
    ck_assert_int_eq(want.ndim, x.ndim);
    for (int i = 0; i < x.ndim; i++)
        ck_assert_msg(osz[i] == want.shape[i], "%s: Y dim %d is %lld, ONNX says %lld", id, i, (long long)osz[i],
                      (long long)want.shape[i]);
    const int64_t n = numel_of(x.ndim, osz);
    double scale = 1;
    for (int64_t i = 0; i < n; i++) scale = fmax(scale, fabs(tu_get(dt, want.data, i)));
    double dummy = 0, *mx = as_dt >= 0 ? &dummy : &stats.max_rel[dt == CLRS_F16];
    for (int l = 0; l < TU_NLAYOUTS; l++) {
        const char *lay = tu_layout_name((tu_layout)l);
        tu_tensor tx, tw, ty;
        tu_alloc(&tx, dt, x.ndim, x.shape, (tu_layout)l, 0x5a);
        tu_alloc(&tw, dt, w.ndim, w.shape, (tu_layout)l, 0x3c);
        tu_alloc(&ty, dt, x.ndim, osz, (tu_layout)l, 0xab);
        tu_store(&tx, x.data);
        tu_store(&tw, w.data);
        st = tr ? clrs_onnx_conv_transpose(ctx, &p, &tx.desc, tx.base, &tw.desc, tw.base, has_b ? &bd : NULL,
                                           has_b ? b.data : NULL, &ty.desc, ty.base)
                : clrs_onnx_conv(ctx, &p, &tx.desc, tx.base, &tw.desc, tw.base, has_b ? &bd : NULL,
                                 has_b ? b.data : NULL, &ty.desc, ty.base);
        ck_assert_msg(st == CLRS_OK, "%s (%s): %s: %s", id, lay, clrs_strerror(st), clrs_last_error(ctx));
        unsigned char *got = malloc((size_t)n * clrs_dtype_size(dt) + 1);
        tu_load(&ty, got);
        for (int64_t i = 0; i < n; i++) {
            const double g = tu_get(dt, got, i), r = tu_get(dt, want.data, i), err = fabs(g - r);
            ck_assert_msg(err <= tol * scale, "%s (%s): element %lld: %.9g vs %.9g (tol %g of scale %g)", id, lay,
                          (long long)i, g, r, tol, scale);
            if (err / scale > *mx) *mx = err / scale;
        }
        free(got);
        tu_free(&tx);
        tu_free(&tw);
        tu_free(&ty);
        if (as_dt < 0) stats.runs++;
    }
    npy_free(&x);
    npy_free(&w);
    if (has_b) npy_free(&b);
    npy_free(&want);
}

START_TEST(test_golden_onnx_conv)
{
    clrs_context *ctx = tu_context();
    tu_case *cases = NULL;
    int n = tu_golden_cases("onnx_conv.txt", 200, &cases);
    memset(&stats, 0, sizeof stats);
    for (int ci = 0; ci < n; ci++) {
        tu_progress("test_golden_onnx_conv", ci, n, "cases");
        const tu_case *c = &cases[ci];
        const char *id = tu_get_str(c, "id"), *src = tu_get_str(c, "src");
        run_case_as(ctx, c, id, -1, 0);
        stats.by_src[strcmp(src, "node") == 0 ? 0 : strcmp(src, "ref") == 0 ? 1 : strcmp(src, "refconv") == 0 ? 2 : 3]++;
        stats.per_op[strcmp(tu_get_str(c, "op"), "ConvTranspose") == 0]++;
        stats.f16 += strcmp(tu_get_str(c, "dtype"), "f16") == 0;
        stats.cases++;
    }
    tu_progress("test_golden_onnx_conv", n, n, "cases");
    fprintf(stderr,
            "# onnx_conv golden: %d cases (%d node, %d onnx.reference, %d onnx.reference Conv for ConvTranspose, "
            "%d onnx.reference with the docs' pads), Conv %d, ConvTranspose %d, %d of them f16; %d layout runs; max "
            "error %.3g (f32) / %.3g (f16) of the output's scale\n",
            stats.cases, stats.by_src[0], stats.by_src[1], stats.by_src[2], stats.by_src[3], stats.per_op[0],
            stats.per_op[1], stats.f16, stats.runs, stats.max_rel[0], stats.max_rel[1]);
    ck_assert_int_ge(stats.cases, 200);
    ck_assert_int_ge(stats.by_src[0], 17);
    free(cases);
}
END_TEST

/* f64 and bf16: the first 40 f32 random cases with their inputs converted.
 * f64 against the f32 expected output within 1e-5 of its scale (the
 * reference computed in f32); bf16 within 4e-2 (inputs rounded to 8
 * significant bits; f32 accumulation): these check the dtypes' plumbing,
 * the f32 cases the arithmetic. */
START_TEST(test_f64_bf16)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    const int fp64 = clrs_context_device(ctx, &info) == CLRS_OK && info.fp64;
    tu_case *cases = NULL;
    int n = tu_golden_cases("onnx_conv.txt", 200, &cases), done = 0;
    for (int ci = 0; ci < n && done < 40; ci++) {
        const tu_case *c = &cases[ci];
        if (strcmp(tu_get_str(c, "src"), "node") == 0 || strcmp(tu_get_str(c, "dtype"), "f32") != 0) continue;
        if (fp64) run_case_as(ctx, c, tu_get_str(c, "id"), CLRS_F64, 1e-5);
        run_case_as(ctx, c, tu_get_str(c, "id"), CLRS_BF16, 4e-2);
        done++;
    }
    fprintf(stderr, "# onnx_conv: %d f32 cases also as bf16%s\n", done, fp64 ? " and f64" : " (no fp64 device)");
    ck_assert_int_eq(done, 40);
    free(cases);
}
END_TEST

/* ---- shapes and errors ------------------------------------------------------ */
static clrs_status shape_of(clrs_context *ctx, const clrs_onnx_conv_params *p, int tr, int rank, const int64_t *xs,
                            const int64_t *ws, int64_t *out)
{
    clrs_tensor_desc xd, wd;
    clrs_tensor_desc_contiguous(&xd, CLRS_F32, rank, xs);
    clrs_tensor_desc_contiguous(&wd, CLRS_F32, rank, ws);
    int64_t o[CLRS_MAX_RANK];
    clrs_status st = tr ? clrs_onnx_conv_transpose_output_shape(ctx, p, &xd, &wd, out ? out : o)
                        : clrs_onnx_conv_output_shape(ctx, p, &xd, &wd, out ? out : o);
    return st;
}

static void expect_err_at(int line, clrs_context *ctx, clrs_status got, clrs_status want, const char *needle)
{
    ck_assert_msg(got == want, "line %d: status %s, want %s (%s)", line, clrs_strerror(got), clrs_strerror(want),
                  clrs_last_error(ctx));
    ck_assert_msg(strstr(clrs_last_error(ctx), needle) != NULL, "line %d: message '%s' lacks '%s'", line,
                  clrs_last_error(ctx), needle);
}
#define expect_err(...) expect_err_at(__LINE__, __VA_ARGS__)

START_TEST(test_shapes)
{
    clrs_context *ctx = tu_context();
    const int64_t xs[4] = {1, 4, 7, 10}, ws[4] = {6, 2, 3, 4};
    int64_t o[CLRS_MAX_RANK];
    clrs_onnx_conv_params p;
    clrs_onnx_conv_params_init(&p);
    ck_assert_int_eq(p.struct_size, sizeof p);
    ck_assert_int_eq(p.group, 1);
    p.group = 2;
    /* no pads: 7-3+1, 10-4+1 */
    ck_assert_int_eq(shape_of(ctx, &p, 0, 4, xs, ws, o), CLRS_OK);
    ck_assert(o[0] == 1 && o[1] == 6 && o[2] == 5 && o[3] == 7);
    /* SAME_* with stride 3 and dilation 2: ceil(7/3) = 3, ceil(10/3) = 4 */
    p.auto_pad = CLRS_ONNX_SAME_LOWER;
    p.n_strides = p.n_dilations = 2;
    p.strides[0] = p.strides[1] = 3;
    p.dilations[0] = p.dilations[1] = 2;
    ck_assert_int_eq(shape_of(ctx, &p, 0, 4, xs, ws, o), CLRS_OK);
    ck_assert(o[2] == 3 && o[3] == 4);
    /* VALID: floor((7 - 5) / 3) + 1 = 1, floor((10 - 7) / 3) + 1 = 2 */
    p.auto_pad = CLRS_ONNX_VALID;
    ck_assert_int_eq(shape_of(ctx, &p, 0, 4, xs, ws, o), CLRS_OK);
    ck_assert(o[2] == 1 && o[3] == 2);
    /* asymmetric pads: (7 + 0 + 2 - 5) / 3 + 1 = 2, (10 + 3 + 0 - 7) / 3 + 1 = 3 */
    p.auto_pad = CLRS_ONNX_NOTSET;
    p.n_pads = 4;
    p.pads[0] = 0;
    p.pads[1] = 3;
    p.pads[2] = 2;
    p.pads[3] = 0;
    ck_assert_int_eq(shape_of(ctx, &p, 0, 4, xs, ws, o), CLRS_OK);
    ck_assert(o[2] == 2 && o[3] == 3);

    /* ConvTranspose: W (4, 3, 3, 4) with group 2 -> 6 outputs */
    const int64_t wt[4] = {4, 3, 3, 4};
    clrs_onnx_conv_params_init(&p);
    p.group = 2;
    p.n_strides = 2;
    p.strides[0] = 2;
    p.strides[1] = 3;
    ck_assert_int_eq(shape_of(ctx, &p, 1, 4, xs, wt, o), CLRS_OK);
    ck_assert(o[1] == 6 && o[2] == 15 && o[3] == 31); /* 2*6+3, 3*9+4 */
    p.n_output_padding = 2;
    p.output_padding[0] = 1;
    p.output_padding[1] = 2;
    ck_assert_int_eq(shape_of(ctx, &p, 1, 4, xs, wt, o), CLRS_OK);
    ck_assert(o[2] == 16 && o[3] == 33);
    /* SAME_*: in * stride */
    p.auto_pad = CLRS_ONNX_SAME_UPPER;
    ck_assert_int_eq(shape_of(ctx, &p, 1, 4, xs, wt, o), CLRS_OK);
    ck_assert(o[2] == 14 && o[3] == 30);
    /* output_shape wins over pads and auto_pad; spatial or full rank */
    p.auto_pad = CLRS_ONNX_NOTSET;
    p.n_pads = 4;
    p.pads[0] = p.pads[1] = p.pads[2] = p.pads[3] = 1;
    p.n_output_shape = 2;
    p.output_shape[0] = 20;
    p.output_shape[1] = 3;
    ck_assert_int_eq(shape_of(ctx, &p, 1, 4, xs, wt, o), CLRS_OK);
    ck_assert(o[2] == 20 && o[3] == 3);
    p.n_output_shape = 4;
    p.output_shape[2] = 9;
    p.output_shape[3] = 8;
    ck_assert_int_eq(shape_of(ctx, &p, 1, 4, xs, wt, o), CLRS_OK);
    ck_assert(o[2] == 9 && o[3] == 8);
}
END_TEST

START_TEST(test_errors)
{
    clrs_context *ctx = tu_context();
    const int64_t xs[4] = {1, 4, 7, 10}, ws[4] = {6, 2, 3, 4}, wt[4] = {4, 3, 3, 4};
    clrs_onnx_conv_params p;
    clrs_onnx_conv_params_init(&p);
    p.group = 2;
    ck_assert_int_eq(shape_of(ctx, &p, 0, 4, xs, ws, NULL), CLRS_OK);
    /* bad auto_pad value */
    p.auto_pad = (clrs_onnx_auto_pad)7;
    expect_err(ctx, shape_of(ctx, &p, 0, 4, xs, ws, NULL), CLRS_ERR_BAD_PARAM, "auto_pad 7");
    /* pads with auto_pad */
    p.auto_pad = CLRS_ONNX_SAME_UPPER;
    p.n_pads = 4;
    expect_err(ctx, shape_of(ctx, &p, 0, 4, xs, ws, NULL), CLRS_ERR_BAD_PARAM, "pads cannot be given with auto_pad SAME_UPPER");
    p.auto_pad = CLRS_ONNX_NOTSET;
    /* pads length */
    p.n_pads = 2;
    expect_err(ctx, shape_of(ctx, &p, 0, 4, xs, ws, NULL), CLRS_ERR_BAD_PARAM, "pads has 2 values, expected 4");
    p.n_pads = 4;
    p.pads[2] = -1;
    expect_err(ctx, shape_of(ctx, &p, 0, 4, xs, ws, NULL), CLRS_ERR_BAD_PARAM, "pads[2] must be >= 0, got -1");
    p.n_pads = 0;
    /* kernel_shape mismatch and length */
    p.n_kernel_shape = 2;
    p.kernel_shape[0] = 3;
    p.kernel_shape[1] = 3;
    expect_err(ctx, shape_of(ctx, &p, 0, 4, xs, ws, NULL), CLRS_ERR_BAD_SHAPE,
               "kernel_shape (3, 3) does not match W's spatial sizes (3, 4)");
    p.n_kernel_shape = 3;
    expect_err(ctx, shape_of(ctx, &p, 0, 4, xs, ws, NULL), CLRS_ERR_BAD_PARAM, "kernel_shape has 3 values");
    p.n_kernel_shape = 0;
    /* group */
    p.group = 3;
    expect_err(ctx, shape_of(ctx, &p, 0, 4, xs, ws, NULL), CLRS_ERR_BAD_SHAPE, "group 3 does not divide X's 4 channels");
    p.group = 0;
    expect_err(ctx, shape_of(ctx, &p, 0, 4, xs, ws, NULL), CLRS_ERR_BAD_PARAM, "group must be > 0, got 0");
    p.group = 4;
    expect_err(ctx, shape_of(ctx, &p, 0, 4, xs, ws, NULL), CLRS_ERR_BAD_SHAPE, "group 4 does not divide W's 6");
    p.group = 1;
    expect_err(ctx, shape_of(ctx, &p, 0, 4, xs, ws, NULL), CLRS_ERR_BAD_SHAPE, "W's dimension 1 is 2");
    p.group = 2;
    /* strides / dilations */
    p.n_strides = 2;
    p.strides[0] = 1;
    p.strides[1] = 0;
    expect_err(ctx, shape_of(ctx, &p, 0, 4, xs, ws, NULL), CLRS_ERR_BAD_PARAM, "strides[1] must be > 0, got 0");
    p.n_strides = 0;
    p.n_dilations = 2;
    p.dilations[0] = -1;
    p.dilations[1] = 1;
    expect_err(ctx, shape_of(ctx, &p, 0, 4, xs, ws, NULL), CLRS_ERR_BAD_PARAM, "dilations[0] must be > 0, got -1");
    p.n_dilations = 0;
    /* kernel larger than the padded input */
    const int64_t small[4] = {1, 4, 2, 10};
    expect_err(ctx, shape_of(ctx, &p, 0, 4, small, ws, NULL), CLRS_ERR_BAD_SHAPE, "Kernel size");
    /* ConvTranspose-only attributes on Conv */
    p.n_output_padding = 2;
    expect_err(ctx, shape_of(ctx, &p, 0, 4, xs, ws, NULL), CLRS_ERR_BAD_PARAM, "output_padding is ConvTranspose's");
    p.n_output_padding = 0;

    /* ConvTranspose */
    clrs_onnx_conv_params_init(&p);
    p.group = 2;
    ck_assert_int_eq(shape_of(ctx, &p, 1, 4, xs, wt, NULL), CLRS_OK);
    expect_err(ctx, shape_of(ctx, &p, 1, 4, xs, ws, NULL), CLRS_ERR_BAD_SHAPE, "W's dimension 0 is 6, expected X's 4");
    p.n_output_shape = 2;
    p.output_shape[0] = 0;
    p.output_shape[1] = 4;
    expect_err(ctx, shape_of(ctx, &p, 1, 4, xs, wt, NULL), CLRS_ERR_BAD_PARAM, "output_shape[0] must be > 0, got 0");
    p.n_output_shape = 3;
    expect_err(ctx, shape_of(ctx, &p, 1, 4, xs, wt, NULL), CLRS_ERR_BAD_PARAM, "output_shape has 3 values");
    p.n_output_shape = 0;
    p.n_output_padding = 2;
    p.output_padding[0] = 1;
    p.output_padding[1] = 0;
    expect_err(ctx, shape_of(ctx, &p, 1, 4, xs, wt, NULL), CLRS_ERR_BAD_PARAM, "output padding must be smaller");
    p.output_padding[0] = -1;
    expect_err(ctx, shape_of(ctx, &p, 1, 4, xs, wt, NULL), CLRS_ERR_BAD_PARAM, "output_padding[0] must be >= 0, got -1");
    p.n_output_padding = 0;
    /* pads leaving no output: 7-1+3 - 5 - 5 < 1 */
    p.n_pads = 4;
    p.pads[0] = p.pads[2] = 5;
    p.pads[1] = p.pads[3] = 0;
    expect_err(ctx, shape_of(ctx, &p, 1, 4, xs, wt, NULL), CLRS_ERR_BAD_SHAPE, "Output size is too small");
    p.n_pads = 0;
    /* rank, struct_size, NULLs */
    {
        clrs_tensor_desc x2, w2;
        desc1(&x2, CLRS_F32, 4);
        desc1(&w2, CLRS_F32, 4);
        int64_t o[CLRS_MAX_RANK];
        expect_err(ctx, clrs_onnx_conv_transpose_output_shape(ctx, &p, &x2, &w2, o), CLRS_ERR_BAD_SHAPE, "X rank 1");
    }
    p.struct_size = 8;
    expect_err(ctx, shape_of(ctx, &p, 1, 4, xs, wt, NULL), CLRS_ERR_INVALID_ARG, "struct_size");
    expect_err(ctx, shape_of(ctx, NULL, 1, 4, xs, wt, NULL), CLRS_ERR_INVALID_ARG, "params is NULL");
    /* B of the wrong size, dtype mismatch */
    clrs_onnx_conv_params_init(&p);
    p.group = 2;
    clrs_tensor_desc xd, wd, bd, yd;
    clrs_tensor_desc_contiguous(&xd, CLRS_F32, 4, xs);
    clrs_tensor_desc_contiguous(&wd, CLRS_F32, 4, ws);
    const int64_t bs = 5, ys[4] = {1, 6, 5, 7};
    desc1(&bd, CLRS_F32, bs);
    clrs_tensor_desc_contiguous(&yd, CLRS_F32, 4, ys);
    float *buf = calloc(1024, sizeof(float));
    expect_err(ctx, clrs_onnx_conv(ctx, &p, &xd, buf, &wd, buf, &bd, buf, &yd, buf + 512), CLRS_ERR_BAD_SHAPE, "bias");
    clrs_tensor_desc_contiguous(&wd, CLRS_F16, 4, ws);
    expect_err(ctx, clrs_onnx_conv(ctx, &p, &xd, buf, &wd, buf, NULL, NULL, &yd, buf + 512), CLRS_ERR_BAD_DTYPE, "dtype");
    free(buf);
}
END_TEST

/* The cl_mem forms: a wait list, an event, offsets; ConvTranspose with
 * output_shape larger than the natural size (negative pads: zeros + bias). */
START_TEST(test_cl_mem_calls)
{
    clrs_context *ctx = tu_context();
    cl_context clc;
    cl_command_queue q;
    ck_assert_int_eq(clrs_context_get_cl(ctx, &clc, NULL, &q), CLRS_OK);
    /* X (1, 1, 4) = 1 2 3 4, W (1, 1, 2) = 1 10, B = 0.5 */
    int64_t xs[3] = {1, 1, 4}, ws[3] = {1, 1, 2}, bs = 1;
    float host[16] = {1, 2, 3, 4, 1, 10, 0.5f};
    cl_int e;
    cl_mem a = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof host, host, &e);
    cl_mem out = clCreateBuffer(clc, CL_MEM_READ_WRITE, 16 * sizeof(float), NULL, &e);
    clrs_tensor_desc xd, wd, bd, yd;
    clrs_tensor_desc_contiguous(&xd, CLRS_F32, 3, xs);
    clrs_tensor_desc_contiguous(&wd, CLRS_F32, 3, ws);
    desc1(&bd, CLRS_F32, bs);
    wd.offset = 4;
    bd.offset = 6;
    /* Conv, SAME_UPPER stride 2: out 2, total pad (2-1)*2 + 2 - 4 = 0 -> x0+10x1, x2+10x3 */
    clrs_onnx_conv_params p;
    clrs_onnx_conv_params_init(&p);
    p.auto_pad = CLRS_ONNX_SAME_UPPER;
    p.n_strides = 1;
    p.strides[0] = 2;
    int64_t o[CLRS_MAX_RANK];
    ck_assert_int_eq(clrs_onnx_conv_output_shape(ctx, &p, &xd, &wd, o), CLRS_OK);
    ck_assert_int_eq(o[2], 2);
    clrs_tensor_desc_contiguous(&yd, CLRS_F32, 3, o);
    yd.offset = 1;
    cl_event user = clCreateUserEvent(clc, &e), done = NULL;
    ck_assert_int_eq(clrs_onnx_conv_cl(ctx, &p, &xd, a, &wd, a, &bd, a, &yd, out, NULL, 1, &user, &done), CLRS_OK);
    cl_int status = 0;
    clGetEventInfo(done, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, NULL);
    ck_assert_int_gt(status, CL_COMPLETE);
    clSetUserEventStatus(user, CL_COMPLETE);
    clWaitForEvents(1, &done);
    clReleaseEvent(done);
    clReleaseEvent(user);
    float got[16];
    clEnqueueReadBuffer(q, out, CL_TRUE, 0, sizeof got, got, 0, NULL, NULL);
    ck_assert_float_eq(got[1], 21.5f);
    ck_assert_float_eq(got[2], 43.5f);
    /* ConvTranspose stride 2, output_shape 10 (natural 8): total -2, NOTSET:
     * end = -1, begin = -1: one zero (+B) before and after the natural
     * 1 10 2 20 3 30 4 40 */
    clrs_onnx_conv_params_init(&p);
    p.n_strides = 1;
    p.strides[0] = 2;
    p.n_output_shape = 1;
    p.output_shape[0] = 10;
    ck_assert_int_eq(clrs_onnx_conv_transpose_output_shape(ctx, &p, &xd, &wd, o), CLRS_OK);
    ck_assert_int_eq(o[2], 10);
    clrs_tensor_desc_contiguous(&yd, CLRS_F32, 3, o);
    ck_assert_int_eq(clrs_onnx_conv_transpose_cl(ctx, &p, &xd, a, &wd, a, &bd, a, &yd, out, NULL, 0, NULL, &done),
                     CLRS_OK);
    clWaitForEvents(1, &done);
    clReleaseEvent(done);
    clEnqueueReadBuffer(q, out, CL_TRUE, 0, sizeof got, got, 0, NULL, NULL);
    const float want[10] = {0.5f, 1.5f, 10.5f, 2.5f, 20.5f, 3.5f, 30.5f, 4.5f, 40.5f, 0.5f};
    for (int i = 0; i < 10; i++) ck_assert_float_eq(got[i], want[i]);
    /* SAME_UPPER with output_shape 7: total 1, begin 0, end 1: the first 7 */
    p.auto_pad = CLRS_ONNX_SAME_UPPER;
    p.output_shape[0] = 7;
    clrs_tensor_desc_contiguous(&yd, CLRS_F32, 3, (int64_t[3]){1, 1, 7});
    ck_assert_int_eq(clrs_onnx_conv_transpose_cl(ctx, &p, &xd, a, &wd, a, NULL, NULL, &yd, out, NULL, 0, NULL, NULL),
                     CLRS_OK);
    clFinish(q);
    clEnqueueReadBuffer(q, out, CL_TRUE, 0, sizeof got, got, 0, NULL, NULL);
    const float w7[7] = {1, 10, 2, 20, 3, 30, 4};
    for (int i = 0; i < 7; i++) ck_assert_float_eq(got[i], w7[i]);
    /* SAME_LOWER: begin 1 */
    p.auto_pad = CLRS_ONNX_SAME_LOWER;
    ck_assert_int_eq(clrs_onnx_conv_transpose_cl(ctx, &p, &xd, a, &wd, a, NULL, NULL, &yd, out, NULL, 0, NULL, NULL),
                     CLRS_OK);
    clFinish(q);
    clEnqueueReadBuffer(q, out, CL_TRUE, 0, sizeof got, got, 0, NULL, NULL);
    const float natural[8] = {1, 10, 2, 20, 3, 30, 4, 40};
    for (int i = 0; i < 7; i++) ck_assert_float_eq(got[i], natural[i + 1]);
    /* errors on the cl_mem path: output aliasing the input */
    ck_assert_int_eq(clrs_onnx_conv_transpose_cl(ctx, &p, &xd, a, &wd, a, NULL, NULL, &yd, a, NULL, 0, NULL, NULL),
                     CLRS_ERR_ALIASING);
    clReleaseMemObject(a);
    clReleaseMemObject(out);
}
END_TEST

int main(void)
{
    tu_binary_cache_off();
    Suite *s = suite_create("onnx_conv");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, tu_timeout(1200));
    tcase_add_test(tc, test_shapes);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_cl_mem_calls);
    tcase_add_test(tc, test_golden_onnx_conv);
    tcase_add_test(tc, test_f64_bf16);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_context_release();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
