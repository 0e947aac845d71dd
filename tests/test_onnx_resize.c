/* SPDX-License-Identifier: MIT */
/* ONNX Resize / Upsample (include/clresample/onnx.h) against the vectors of
 * tests/golden/onnx_resize.txt (ONNX's node test cases, random cases from
 * onnx.reference.ReferenceEvaluator, and onnxruntime for the modes the
 * reference lacks; tests/golden/gen_onnx_resize.py), in three layouts
 * (contiguous, channels-last, a strided view), the cl_mem form once, and
 * the error cases. Nearest is compared bit for bit; linear / cubic within
 * a tolerance: the reference computes in float64 and rounds once to X's
 * dtype, the library in float (double for f64) with float intermediates. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clresample/onnx.h>

#include "dispatch.h"
#include "golden_io.h"
#include "testutil.h"

static npy_array d32, d64;
static int loaded;

static void load_data(void)
{
    if (loaded) return;
    ck_assert_int_eq(tu_load_golden("onnx_resize/data32.npy", &d32), 0);
    ck_assert_int_eq(tu_load_golden("onnx_resize/data64.npy", &d64), 0);
    loaded = 1;
}

static double data_at(int is64, int64_t i)
{
    return is64 ? ((const double *)d64.data)[i] : (double)((const float *)d32.data)[i];
}

/* The case's params; returns the ONNX rank. */
static int case_params(const tu_case *c, clrs_onnx_resize_params *p, int64_t *xs, int64_t *ys)
{
    clrs_onnx_resize_params_init(p);
    const char *op = tu_get_str(c, "op");
    p->upsample = op != NULL && strcmp(op, "Upsample") == 0;
    p->opset = tu_get_int(c, "opset", 0);
    p->mode = tu_get_str(c, "mode");
    p->coordinate_transformation_mode = tu_get_str(c, "ctm");
    p->nearest_mode = tu_get_str(c, "nearest_mode");
    p->keep_aspect_ratio_policy = tu_get_str(c, "policy");
    double v;
    if (tu_get_doubles(c, "cubic_coeff_a", &v, 1) == 1) p->cubic_coeff_a = v;
    if (tu_get_doubles(c, "extrapolation_value", &v, 1) == 1) p->extrapolation_value = v;
    p->exclude_outside = tu_get_int(c, "exclude_outside", 0);
    p->antialias = tu_get_int(c, "antialias", 0);
    p->n_axes = tu_get_ints(c, "axes", p->axes, 8);
    p->n_roi = tu_get_doubles(c, "roi", p->roi, 16);
    p->n_scales = tu_get_doubles(c, "scales", p->scales, 8);
    p->n_sizes = tu_get_ints(c, "sizes", p->sizes, 8);
    int r = tu_get_ints(c, "xshape", xs, 8);
    int ry = tu_get_ints(c, "yshape", ys, 8);
    ck_assert_int_eq(r, ry);
    if (p->opset == 10 || p->upsample) {
        /* Resize-10 / Upsample: no roi input */
        p->n_roi = 0;
    } else if (p->coordinate_transformation_mode == NULL ||
               strcmp(p->coordinate_transformation_mode, "tf_crop_and_resize") != 0) {
        p->n_roi = 0; /* roi is only read by tf_crop_and_resize */
    }
    p->rank = r;
    return r;
}

/* rank-r shape as the descriptor's (rank 3 with leading 1s below 3) */
static int desc_shape(int r, const int64_t *s, int64_t *d)
{
    int dr = r < 3 ? 3 : r;
    for (int i = 0; i < dr - r; i++) d[i] = 1;
    for (int i = 0; i < r; i++) d[dr - r + i] = s[i];
    return dr;
}

static int is_nearest(const clrs_onnx_resize_params *p)
{
    return p->mode == NULL || strcmp(p->mode, "nearest") == 0;
}

static double tol_for(clrs_dtype dt, double exp, double xmax)
{
    double m = fabs(exp) > xmax ? fabs(exp) : xmax;
    switch (dt) {
    case CLRS_F64: return 1e-10 * (m > 1 ? m : 1);
    case CLRS_F32: return 1e-5 * (m > 1 ? m : 1);
    case CLRS_F16: return 2e-3 * (m > 1 ? m : 1);
    case CLRS_BF16: return 1.6e-2 * (m > 1 ? m : 1);
    default: return 1.0; /* u8: one unit (float vs the reference's float64 before rounding) */
    }
}

/* Runs one case in layout l (cl_mem form when use_cl); returns failures. */
static int run_case(clrs_context *ctx, const tu_case *c, tu_layout l, int use_cl)
{
    clrs_onnx_resize_params p;
    int64_t xs[8], ys[8], xd[5], yd[5];
    int r = case_params(c, &p, xs, ys);
    int dr = desc_shape(r, xs, xd);
    desc_shape(r, ys, yd);
    clrs_dtype dt = tu_dtype_from_name(tu_get_str(c, "dtype"));
    int is64 = strcmp(tu_get_str(c, "data"), "64") == 0;
    int64_t xo = tu_get_int(c, "x", 0), yo = tu_get_int(c, "y", 0);
    int64_t nx = 1, ny = 1;
    for (int i = 0; i < r; i++) {
        nx *= xs[i];
        ny *= ys[i];
    }
    const char *name = tu_get_str(c, "name");
    /* the shape rule */
    clrs_tensor_desc xdsc;
    clrs_tensor_desc_contiguous(&xdsc, dt, dr, xd);
    int64_t osz[CLRS_MAX_RANK];
    clrs_status st = clrs_onnx_resize_output_shape(ctx, &xdsc, &p, osz);
    ck_assert_msg(st == CLRS_OK, "%s: output_shape: %s", name, clrs_last_error(ctx));
    for (int i = 0; i < dr; i++) ck_assert_msg(osz[i] == yd[i], "%s: output dim %d is %lld, expected %lld", name, i,
                                               (long long)osz[i], (long long)yd[i]);
    size_t es = clrs_dtype_size(dt);
    unsigned char *xl = malloc((size_t)nx * es + 1), *yl = malloc((size_t)ny * es + 1);
    double xmax = 0;
    for (int64_t i = 0; i < nx; i++) {
        double v = data_at(is64, xo + i);
        tu_set(dt, xl, i, v);
        if (fabs(v) > xmax) xmax = fabs(v);
    }
    tu_tensor tx, ty;
    tu_alloc(&tx, dt, dr, xd, l, 0x5a);
    tu_alloc(&ty, dt, dr, yd, l, 0xa5);
    tu_store(&tx, xl);
    if (!use_cl) {
        st = clrs_onnx_resize(ctx, &p, &tx.desc, tx.base, &ty.desc, ty.base);
    } else {
        cl_context clc;
        cl_command_queue q;
        ck_assert_int_eq(clrs_context_get_cl(ctx, &clc, NULL, &q), CLRS_OK);
        cl_int e;
        cl_mem xm = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, tx.bytes, tx.base, &e);
        ck_assert_int_eq(e, CL_SUCCESS);
        cl_mem ym = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, ty.bytes, ty.base, &e);
        ck_assert_int_eq(e, CL_SUCCESS);
        cl_event ev = NULL;
        st = clrs_onnx_resize_cl(ctx, &p, &tx.desc, xm, &ty.desc, ym, q, 0, NULL, &ev);
        if (st == CLRS_OK) {
            ck_assert_int_eq(clEnqueueReadBuffer(q, ym, CL_TRUE, 0, ty.bytes, ty.base, 1, &ev, NULL), CL_SUCCESS);
            clReleaseEvent(ev);
        }
        clReleaseMemObject(xm);
        clReleaseMemObject(ym);
    }
    ck_assert_msg(st == CLRS_OK, "%s (%s): %s", name, tu_layout_name(l), clrs_last_error(ctx));
    tu_load(&ty, yl);
    int bad = 0;
    const int exact = is_nearest(&p);
    for (int64_t i = 0; i < ny && bad < 3; i++) {
        double got = tu_get(dt, yl, i), exp = data_at(is64, yo + i);
        int ok;
        if (exact) {
            /* the same value (the reference's 0 * a + 1 * b makes -0.0
             * +0.0; the library copies bits: test_nearest_bits) */
            ok = got == exp || (isnan(got) && isnan(exp));
        } else {
            ok = fabs(got - exp) <= tol_for(dt, exp, xmax) || (isnan(got) && isnan(exp));
        }
        if (!ok) {
            fprintf(stderr, "%s (%s, %s): y[%lld] = %.9g, expected %.9g\n", name, tu_layout_name(l),
                    use_cl ? "cl_mem" : "host", (long long)i, got, exp);
            bad++;
        }
    }
    tu_free(&tx);
    tu_free(&ty);
    free(xl);
    free(yl);
    return bad;
}

START_TEST(test_golden)
{
    clrs_context *ctx = tu_context();
    load_data();
    clrs_device_info info;
    ck_assert_int_eq(clrs_context_device(ctx, &info), CLRS_OK);
    tu_case *cases = NULL;
    int n = tu_golden_cases("onnx_resize.txt", 200, &cases);
    int fails = 0, run = 0;
    tu_progress("onnx_resize golden", 0, n, "cases");
    for (int k = 0; k < n; k++) {
        clrs_dtype dt = tu_dtype_from_name(tu_get_str(&cases[k], "dtype"));
        if (dt == CLRS_F64 && !info.fp64) continue;
        for (int l = 0; l < TU_NLAYOUTS; l++) {
            int f = run_case(ctx, &cases[k], (tu_layout)l, 0);
            fails += f != 0;
        }
        run++;
        tu_progress("onnx_resize golden", k + 1, n, "cases");
    }
    free(cases);
    ck_assert_msg(fails == 0, "%d of %d case-layouts differ", fails, run * TU_NLAYOUTS);
}
END_TEST

START_TEST(test_cl_mem)
{
    clrs_context *ctx = tu_context();
    load_data();
    tu_case *cases = NULL;
    int n = tu_golden_cases("onnx_resize.txt", 200, &cases);
    int done[3] = {0, 0, 0};
    for (int k = 0; k < n; k++) {
        const char *m = tu_get_str(&cases[k], "mode"), *ctm = tu_get_str(&cases[k], "ctm");
        if (strcmp(tu_get_str(&cases[k], "dtype"), "f32") != 0) continue;
        int which = m == NULL || strcmp(m, "nearest") == 0 ? 0 : ctm && strcmp(ctm, "tf_crop_and_resize") == 0 ? 2 : 1;
        if (done[which]) continue;
        ck_assert_int_eq(run_case(ctx, &cases[k], TU_CONTIGUOUS, 1), 0);
        done[which] = 1;
    }
    ck_assert(done[0] && done[1] && done[2]);
    free(cases);
}
END_TEST

#define EXPECT_ERR(call, code, text)                                                                       \
    do {                                                                                                   \
        clrs_status st_ = (call);                                                                          \
        ck_assert_msg(st_ == (code), "%s: status %s, expected %s (%s)", #call, clrs_status_name(st_), #code, \
                      clrs_last_error(ctx));                                                               \
        ck_assert_msg(strstr(clrs_last_error(ctx), (text)) != NULL, "%s: message '%s' lacks '%s'", #call,  \
                      clrs_last_error(ctx), (text));                                                       \
    } while (0)

START_TEST(test_errors)
{
    clrs_context *ctx = tu_context();
    int64_t sz[4] = {1, 2, 4, 4}, osz[CLRS_MAX_RANK];
    clrs_tensor_desc x;
    clrs_tensor_desc_contiguous(&x, CLRS_F32, 4, sz);
    clrs_onnx_resize_params p;
#define RESET()                              \
    do {                                     \
        clrs_onnx_resize_params_init(&p);    \
        p.n_scales = 4;                      \
        p.scales[0] = p.scales[1] = 1.0;     \
        p.scales[2] = p.scales[3] = 2.0;     \
    } while (0)
    RESET();
    ck_assert_int_eq(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_OK);
    ck_assert_int_eq(osz[3], 8);
    RESET();
    p.mode = "bilinear";
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "mode 'bilinear'");
    RESET();
    p.coordinate_transformation_mode = "half";
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM,
               "coordinate_transformation_mode 'half'");
    RESET();
    p.coordinate_transformation_mode = "tf_half_pixel_for_nn"; /* opset 11 only */
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "tf_half_pixel_for_nn");
    RESET();
    p.opset = 13;
    p.coordinate_transformation_mode = "half_pixel_symmetric";
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "half_pixel_symmetric");
    RESET();
    p.nearest_mode = "round";
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "nearest_mode 'round'");
    RESET();
    p.antialias = 1;
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "antialias=1 with mode 'nearest'");
    RESET();
    p.opset = 13;
    p.mode = "linear";
    p.antialias = 1;
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "opset-18");
    RESET();
    p.keep_aspect_ratio_policy = "fit";
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "keep_aspect_ratio_policy 'fit'");
    RESET();
    p.n_sizes = 4;
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "exactly one of scales and sizes");
    RESET();
    p.n_scales = 0;
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "exactly one of scales and sizes");
    RESET();
    p.n_scales = 3;
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "3 scales for 4 axes");
    RESET();
    p.scales[2] = -1.0;
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "scales[2] = -1");
    RESET();
    p.n_axes = 2;
    p.axes[0] = 2;
    p.axes[1] = -2;
    p.n_scales = 2;
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "axis 2 is repeated");
    RESET();
    p.n_axes = 1;
    p.axes[0] = 4;
    p.n_scales = 1;
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "axes[0] = 4");
    RESET();
    p.coordinate_transformation_mode = "tf_crop_and_resize";
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "needs roi of 8 values");
    RESET();
    p.opset = 10;
    p.mode = "cubic";
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "mode 'cubic'");
    RESET();
    p.opset = 10;
    p.coordinate_transformation_mode = "half_pixel";
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "takes mode and scales only");
    RESET();
    p.opset = 9;
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "opset 9");
    RESET();
    p.upsample = 1;
    p.opset = 9;
    p.scales[2] = 0.5;
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_PARAM, "Upsample: scales[2] = 0.5");
    RESET();
    p.rank = 2; /* leading dims must be 1 */
    p.n_scales = 2;
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_BAD_SHAPE, "dim 1 has size 2, not 1");
    RESET();
    p.struct_size = 4;
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &x, &p, osz), CLRS_ERR_INVALID_ARG, "struct_size");
    /* dtype and output checks */
    RESET();
    clrs_tensor_desc xi, y;
    clrs_tensor_desc_contiguous(&xi, CLRS_I64, 4, sz);
    EXPECT_ERR(clrs_onnx_resize_output_shape(ctx, &xi, &p, osz), CLRS_ERR_BAD_DTYPE, "i64");
    int64_t wrong[4] = {1, 2, 8, 7};
    clrs_tensor_desc_contiguous(&y, CLRS_F32, 4, wrong);
    float buf[128] = {0}, out[128];
    EXPECT_ERR(clrs_onnx_resize(ctx, &p, &x, buf, &y, out), CLRS_ERR_BAD_SHAPE, "Resize");
#undef RESET
}
END_TEST

/* -0.0 and NaN payloads survive nearest (a copy, not 0 + 1 * x), also
 * where the rest of the output is the extrapolation constant. */
START_TEST(test_nearest_bits)
{
    clrs_context *ctx = tu_context();
    int64_t sz[3] = {1, 1, 4}, osz[3] = {1, 1, 8};
    clrs_tensor_desc x, y;
    clrs_tensor_desc_contiguous(&x, CLRS_F32, 3, sz);
    clrs_tensor_desc_contiguous(&y, CLRS_F32, 3, osz);
    uint32_t in[4] = {0x80000000u, 0x7fc12345u, 0x3f800000u, 0xffa00001u}, out[8];
    clrs_onnx_resize_params p;
    clrs_onnx_resize_params_init(&p);
    p.rank = 1;
    p.n_scales = 1;
    p.scales[0] = 2.0;
    p.coordinate_transformation_mode = "asymmetric";
    ck_assert_int_eq(clrs_onnx_resize(ctx, &p, &x, in, &y, out), CLRS_OK);
    for (int i = 0; i < 8; i++) ck_assert_uint_eq(out[i], in[i / 2]);
    /* tf_crop_and_resize, roi [-0.5, 1.5]: the outer outputs are the constant */
    p.coordinate_transformation_mode = "tf_crop_and_resize";
    p.n_roi = 2;
    p.roi[0] = -0.5;
    p.roi[1] = 1.5;
    p.extrapolation_value = -2.0;
    ck_assert_int_eq(clrs_onnx_resize(ctx, &p, &x, in, &y, out), CLRS_OK);
    float fm2 = -2.0f;
    uint32_t m2;
    memcpy(&m2, &fm2, 4);
    ck_assert_uint_eq(out[0], m2);
    ck_assert_uint_eq(out[7], m2);
    int copies = 0;
    for (int i = 1; i < 7; i++)
        for (int j = 0; j < 4; j++) copies += out[i] == in[j];
    ck_assert_int_eq(copies, 6 - (out[1] == m2) - (out[6] == m2));
}
END_TEST

/* The specialised forms of the engine (periodic, vector, folded channels,
 * nearest factor) on ONNX's tables give the general kernels' bits: every
 * case runs with every implementation, then with the general ones only. */
static char seen_impls[1024];
static void note_impl(void *user, const char *family, const char *impl, int chosen, const char *reason)
{
    (void)user;
    (void)reason;
    char item[96];
    snprintf(item, sizeof item, "%s/%s;", family, impl);
    if (chosen && strstr(seen_impls, item) == NULL && strlen(seen_impls) + strlen(item) < sizeof seen_impls)
        strcat(seen_impls, item);
}

START_TEST(test_forms_match_general)
{
    clrs_context *ctx = tu_context();
    static const struct {
        const char *mode, *ctm;
        int aa;
        double s0, s1;
        clrs_dtype dt;
        tu_layout l;
    } cs[] = {
        {"linear", "half_pixel", 0, 2.0, 2.0, CLRS_F32, TU_CONTIGUOUS},
        {"linear", "half_pixel", 0, 0.5, 0.5, CLRS_F32, TU_CONTIGUOUS},
        {"cubic", "half_pixel", 0, 2.0, 2.0, CLRS_F32, TU_CONTIGUOUS},
        {"cubic", "asymmetric", 1, 0.5, 0.5, CLRS_F32, TU_CONTIGUOUS},
        {"linear", "align_corners", 1, 0.25, 0.5, CLRS_F16, TU_CONTIGUOUS},
        {"linear", "half_pixel", 0, 2.0, 2.0, CLRS_F32, TU_CHANNELS_LAST},
        {"cubic", "pytorch_half_pixel", 1, 0.5, 0.5, CLRS_U8, TU_CHANNELS_LAST},
        {"linear", "half_pixel", 0, 2.0, 0.5, CLRS_U8, TU_CONTIGUOUS},
        {"nearest", "asymmetric", 0, 2.0, 2.0, CLRS_F32, TU_CONTIGUOUS},
        {"nearest", "half_pixel", 0, 3.0, 3.0, CLRS_U8, TU_CHANNELS_LAST},
        {"cubic", "tf_crop_and_resize", 0, 2.0, 2.0, CLRS_F32, TU_CONTIGUOUS},
    };
    uint64_t rng = 19;
    seen_impls[0] = 0;
    for (size_t k = 0; k < sizeof cs / sizeof cs[0]; k++) {
        int64_t isz[4] = {1, 3, 48, 64}, osz[CLRS_MAX_RANK];
        clrs_tensor_desc xd;
        clrs_tensor_desc_contiguous(&xd, cs[k].dt, 4, isz);
        clrs_onnx_resize_params p;
        clrs_onnx_resize_params_init(&p);
        p.mode = cs[k].mode;
        p.coordinate_transformation_mode = cs[k].ctm;
        p.antialias = cs[k].aa;
        p.n_axes = 2;
        p.axes[0] = 2;
        p.axes[1] = 3;
        p.n_scales = 2;
        p.scales[0] = cs[k].s0;
        p.scales[1] = cs[k].s1;
        if (strcmp(cs[k].ctm, "tf_crop_and_resize") == 0) {
            p.n_roi = 4;
            p.roi[0] = p.roi[1] = -0.125;
            p.roi[2] = p.roi[3] = 1.0;
            p.extrapolation_value = 7.0;
        }
        ck_assert_int_eq(clrs_onnx_resize_output_shape(ctx, &xd, &p, osz), CLRS_OK);
        int64_t nx = 3 * 48 * 64, ny = osz[0] * osz[1] * osz[2] * osz[3];
        size_t es = clrs_dtype_size(cs[k].dt);
        unsigned char *xl = malloc((size_t)nx * es), *y1 = malloc((size_t)ny * es), *y2 = malloc((size_t)ny * es);
        for (int64_t i = 0; i < nx; i++)
            tu_set(cs[k].dt, xl, i, cs[k].dt == CLRS_U8 ? (double)tu_range(&rng, 0, 255) : tu_uniform(&rng) * 8 - 4);
        tu_tensor tx, ty;
        tu_alloc(&tx, cs[k].dt, 4, isz, cs[k].l, 0);
        tu_alloc(&ty, cs[k].dt, 4, osz, cs[k].l, 0);
        tu_store(&tx, xl);
        ck_assert_int_eq(clrs_explain_begin(note_impl, NULL, 0), CLRS_OK);
        ck_assert_msg(clrs_onnx_resize(ctx, &p, &tx.desc, tx.base, &ty.desc, ty.base) == CLRS_OK, "%s",
                      clrs_last_error(ctx));
        clrs_explain_end();
        tu_load(&ty, y1);
        clrs__dispatch_disable("resample,gather");
        ck_assert_int_eq(clrs_onnx_resize(ctx, &p, &tx.desc, tx.base, &ty.desc, ty.base), CLRS_OK);
        clrs__dispatch_disable(NULL);
        tu_load(&ty, y2);
        ck_assert_msg(memcmp(y1, y2, (size_t)ny * es) == 0, "case %zu (%s %s): specialised and general forms differ", k,
                      cs[k].mode, cs[k].ctm);
        tu_free(&tx);
        tu_free(&ty);
        free(xl);
        free(y1);
        free(y2);
    }
    fprintf(stderr, "# forms chosen: %s\n", seen_impls);
    /* the specialised forms were exercised, not only the general ones */
    ck_assert_ptr_nonnull(strstr(seen_impls, "resample/vper"));
    ck_assert_ptr_nonnull(strstr(seen_impls, "gather/vnear"));
    ck_assert_ptr_nonnull(strstr(seen_impls, "resize_fill/general"));
}
END_TEST

int main(void)
{
    tu_binary_cache_off();
    Suite *s = suite_create("onnx_resize");
    TCase *tc = tcase_create("onnx_resize");
    tcase_set_timeout(tc, tu_timeout(600));
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_nearest_bits);
    tcase_add_test(tc, test_cl_mem);
    tcase_add_test(tc, test_forms_match_general);
    tcase_add_test(tc, test_golden);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_context_release();
    return nf == 0 ? 0 : 1;
}
