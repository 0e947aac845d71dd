/* SPDX-License-Identifier: MIT */
/* ONNX pooling, unpooling and depth/space (include/clresample/onnx.h):
 * golden vectors from ONNX (tests/golden/onnx_pool.txt: ONNX's node test
 * cases, onnx.reference on random cases, onnxruntime / numpy where the
 * reference is wrong; see tests/golden/gen_onnx_pool.py) in three layouts,
 * the cl_mem calls, and the error cases.
 *
 * Tolerance: max, indices, unpool and depth/space bit-exact; avg and LP
 * |got - want| <= tol * max(1, |want|) with the manifest's tol (1e-5 for
 * f32, 1e-10 for f64). */
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

static int ctx_has_fp64(const clrs_context *ctx)
{
    clrs_device_info info;
    return clrs_context_device(ctx, &info) == CLRS_OK && info.fp64;
}

static int list_of(const tu_case *c, const char *key, int64_t *v, int max)
{
    return tu_get_str(c, key) ? tu_get_ints(c, key, v, max) : 0;
}

static clrs_onnx_pool_op pool_op_of(const char *op)
{
    static const char *const names[] = {"MaxPool", "AveragePool", "LpPool", "GlobalMaxPool", "GlobalAveragePool",
                                        "GlobalLpPool"};
    for (int i = 0; i < 6; i++)
        if (strcmp(op, names[i]) == 0) return (clrs_onnx_pool_op)i;
    return (clrs_onnx_pool_op)-1;
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

static void pool_params_of(const tu_case *c, clrs_onnx_pool_op op, clrs_onnx_pool_params *p)
{
    clrs_onnx_pool_params_init(p, op);
    p->n_kernel_shape = list_of(c, "kernel_shape", p->kernel_shape, 3);
    p->n_strides = list_of(c, "strides", p->strides, 3);
    p->n_pads = list_of(c, "pads", p->pads, 6);
    p->n_dilations = list_of(c, "dilations", p->dilations, 3);
    p->auto_pad = auto_pad_of(tu_get_str(c, "auto_pad"));
    p->ceil_mode = tu_get_int(c, "ceil_mode", 0);
    p->count_include_pad = tu_get_int(c, "count_include_pad", 0);
    p->p = tu_get_int(c, "p", 2);
    p->storage_order = tu_get_int(c, "storage_order", 0);
}

static struct {
    int cases, runs, exact, tol, identical;
    double max_rel, max_rel_node;
} stats;
static int cur_node;

/* Compare got (logical C order) with want; tol 0: bit-exact. */
static void compare(const char *id, const char *lay, clrs_dtype dt, const void *got, const npy_array *want, double tol,
                    int *identical)
{
    const int64_t n = numel_of(want->ndim, want->shape);
    const size_t bytes = (size_t)n * clrs_dtype_size(dt);
    const int same = memcmp(got, want->data, bytes) == 0;
    if (!same) *identical = 0;
    if (tol == 0) {
        ck_assert_msg(same, "%s (%s): not bit-exact", id, lay);
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        double g = tu_get(dt, got, i), r = tu_get(dt, want->data, i);
        double err = fabs(g - r), scale = fmax(1.0, fabs(r));
        if (isnan(r)) {
            ck_assert_msg(isnan(g), "%s (%s): element %lld: %.9g, want NaN", id, lay, (long long)i, g);
            continue;
        }
        ck_assert_msg(err <= tol * scale, "%s (%s): element %lld: %.9g vs %.9g (tol %g)", id, lay, (long long)i, g, r,
                      tol);
        double *mx = cur_node ? &stats.max_rel_node : &stats.max_rel;
        if (err / scale > *mx) *mx = err / scale;
    }
}

static void run_pool_case(clrs_context *ctx, const tu_case *c, const char *id, clrs_onnx_pool_op op, double tol)
{
    clrs_onnx_pool_params p;
    pool_params_of(c, op, &p);
    npy_array x, want, widx = {0};
    ck_assert_msg(tu_load_golden(tu_get_str(c, "in"), &x) == 0, "%s: X", id);
    ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &want) == 0, "%s: Y", id);
    const int with_idx = tu_get_str(c, "idx") != NULL;
    if (with_idx) ck_assert_msg(tu_load_golden(tu_get_str(c, "idx"), &widx) == 0, "%s: Indices", id);
    const clrs_dtype dt = x.dtype;
    ck_assert_msg(want.dtype == dt, "%s: Y's dtype", id);
    clrs_tensor_desc xd;
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&xd, dt, x.ndim, x.shape), CLRS_OK);
    int64_t osz[CLRS_MAX_RANK];
    clrs_status st = clrs_onnx_pool_output_shape(ctx, &xd, &p, osz);
    ck_assert_msg(st == CLRS_OK, "%s: output_shape: %s", id, clrs_last_error(ctx));
    ck_assert_int_eq(want.ndim, x.ndim);
    for (int i = 0; i < x.ndim; i++)
        ck_assert_msg(osz[i] == want.shape[i], "%s: Y dim %d is %lld, ONNX says %lld", id, i, (long long)osz[i],
                      (long long)want.shape[i]);
    const int64_t n = numel_of(x.ndim, osz);
    int identical = 1;
    for (int l = 0; l < TU_NLAYOUTS; l++) {
        const char *lay = tu_layout_name((tu_layout)l);
        tu_tensor tx, ty, ti;
        tu_alloc(&tx, dt, x.ndim, x.shape, (tu_layout)l, 0x5a);
        tu_alloc(&ty, dt, x.ndim, osz, (tu_layout)l, 0xab);
        tu_alloc(&ti, CLRS_I64, x.ndim, osz, (tu_layout)l, 0xcd);
        tu_store(&tx, x.data);
        st = clrs_onnx_pool(ctx, &p, &tx.desc, tx.base, &ty.desc, ty.base, with_idx ? &ti.desc : NULL,
                            with_idx ? ti.base : NULL);
        ck_assert_msg(st == CLRS_OK, "%s (%s): %s: %s", id, lay, clrs_strerror(st), clrs_last_error(ctx));
        unsigned char *got = malloc((size_t)n * clrs_dtype_size(dt) + 1);
        tu_load(&ty, got);
        compare(id, lay, dt, got, &want, tol, &identical);
        if (with_idx) {
            int64_t *gi = malloc((size_t)n * 8 + 1);
            tu_load(&ti, gi);
            for (int64_t i = 0; i < n; i++)
                ck_assert_msg(gi[i] == ((int64_t *)widx.data)[i], "%s (%s): Indices[%lld] = %lld, ONNX says %lld", id,
                              lay, (long long)i, (long long)gi[i], (long long)((int64_t *)widx.data)[i]);
            free(gi);
        }
        free(got);
        tu_free(&tx);
        tu_free(&ty);
        tu_free(&ti);
        stats.runs++;
    }
    stats.identical += identical;
    npy_free(&x);
    npy_free(&want);
    npy_free(&widx);
}

static void run_unpool_case(clrs_context *ctx, const tu_case *c, const char *id)
{
    clrs_onnx_unpool_params p;
    clrs_onnx_unpool_params_init(&p);
    p.n_kernel_shape = list_of(c, "kernel_shape", p.kernel_shape, 3);
    p.n_strides = list_of(c, "strides", p.strides, 3);
    p.n_pads = list_of(c, "pads", p.pads, 6);
    p.n_output_shape = list_of(c, "output_shape", p.output_shape, CLRS_MAX_RANK);
    npy_array x, ind, want;
    ck_assert_msg(tu_load_golden(tu_get_str(c, "in"), &x) == 0, "%s: X", id);
    ck_assert_msg(tu_load_golden(tu_get_str(c, "I"), &ind) == 0, "%s: I", id);
    ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &want) == 0, "%s: Y", id);
    const clrs_dtype dt = x.dtype;
    clrs_tensor_desc xd;
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&xd, dt, x.ndim, x.shape), CLRS_OK);
    int64_t osz[CLRS_MAX_RANK];
    clrs_status st = clrs_onnx_max_unpool_output_shape(ctx, &xd, &p, osz);
    ck_assert_msg(st == CLRS_OK, "%s: output_shape: %s", id, clrs_last_error(ctx));
    for (int i = 0; i < x.ndim; i++) ck_assert_msg(osz[i] == want.shape[i], "%s: Y dim %d", id, i);
    const int64_t n = numel_of(x.ndim, osz);
    int identical = 1;
    for (int l = 0; l < TU_NLAYOUTS; l++) {
        const char *lay = tu_layout_name((tu_layout)l);
        tu_tensor tx, ti, ty;
        tu_alloc(&tx, dt, x.ndim, x.shape, (tu_layout)l, 0x5a);
        tu_alloc(&ti, CLRS_I64, x.ndim, x.shape, (tu_layout)l, 0x77);
        tu_alloc(&ty, dt, x.ndim, osz, (tu_layout)l, 0xab);
        tu_store(&tx, x.data);
        tu_store(&ti, ind.data);
        st = clrs_onnx_max_unpool(ctx, &p, &tx.desc, tx.base, &ti.desc, ti.base, &ty.desc, ty.base);
        ck_assert_msg(st == CLRS_OK, "%s (%s): %s: %s", id, lay, clrs_strerror(st), clrs_last_error(ctx));
        unsigned char *got = malloc((size_t)n * clrs_dtype_size(dt) + 1);
        tu_load(&ty, got);
        compare(id, lay, dt, got, &want, 0, &identical);
        free(got);
        tu_free(&tx);
        tu_free(&ti);
        tu_free(&ty);
        stats.runs++;
    }
    stats.identical += identical;
    npy_free(&x);
    npy_free(&ind);
    npy_free(&want);
}

static void run_depth_case(clrs_context *ctx, const tu_case *c, const char *id, int to_space)
{
    const int64_t b = tu_get_int(c, "blocksize", 0);
    const char *ms = tu_get_str(c, "mode");
    const clrs_onnx_depth_mode mode = ms != NULL && strcmp(ms, "CRD") == 0 ? CLRS_ONNX_CRD : CLRS_ONNX_DCR;
    npy_array x, want;
    ck_assert_msg(tu_load_golden(tu_get_str(c, "in"), &x) == 0, "%s: X", id);
    ck_assert_msg(tu_load_golden(tu_get_str(c, "out"), &want) == 0, "%s: Y", id);
    const clrs_dtype dt = x.dtype;
    clrs_tensor_desc xd;
    ck_assert_int_eq(clrs_tensor_desc_contiguous(&xd, dt, x.ndim, x.shape), CLRS_OK);
    int64_t osz[CLRS_MAX_RANK];
    clrs_status st = to_space ? clrs_onnx_depth_to_space_output_shape(ctx, &xd, b, osz)
                              : clrs_onnx_space_to_depth_output_shape(ctx, &xd, b, osz);
    ck_assert_msg(st == CLRS_OK, "%s: output_shape: %s", id, clrs_last_error(ctx));
    for (int i = 0; i < 4; i++) ck_assert_msg(osz[i] == want.shape[i], "%s: Y dim %d", id, i);
    const int64_t n = numel_of(4, osz);
    int identical = 1;
    for (int l = 0; l < TU_NLAYOUTS; l++) {
        const char *lay = tu_layout_name((tu_layout)l);
        tu_tensor tx, ty;
        tu_alloc(&tx, dt, 4, x.shape, (tu_layout)l, 0x5a);
        tu_alloc(&ty, dt, 4, osz, (tu_layout)l, 0xab);
        tu_store(&tx, x.data);
        st = to_space ? clrs_onnx_depth_to_space(ctx, b, mode, &tx.desc, tx.base, &ty.desc, ty.base)
                      : clrs_onnx_space_to_depth(ctx, b, mode, &tx.desc, tx.base, &ty.desc, ty.base);
        ck_assert_msg(st == CLRS_OK, "%s (%s): %s: %s", id, lay, clrs_strerror(st), clrs_last_error(ctx));
        unsigned char *got = malloc((size_t)n * clrs_dtype_size(dt) + 1);
        tu_load(&ty, got);
        compare(id, lay, dt, got, &want, 0, &identical);
        free(got);
        tu_free(&tx);
        tu_free(&ty);
        stats.runs++;
    }
    stats.identical += identical;
    npy_free(&x);
    npy_free(&want);
}

START_TEST(test_golden_onnx_pool)
{
    clrs_context *ctx = tu_context();
    tu_case *cases = NULL;
    int n = tu_golden_cases("onnx_pool.txt", 380, &cases);
    int per_op[9] = {0}, by_src[4] = {0};
    memset(&stats, 0, sizeof stats);
    for (int ci = 0; ci < n; ci++) {
        tu_progress("test_golden_onnx_pool", ci, n, "cases");
        const tu_case *c = &cases[ci];
        const char *id = tu_get_str(c, "id"), *op = tu_get_str(c, "op"), *src = tu_get_str(c, "src");
        double tol = 0;
        const char *ts = tu_get_str(c, "tol");
        if (ts) tol = strtod(ts, NULL);
        if (!ctx_has_fp64(ctx) && strcmp(tu_get_str(c, "dtype"), "f64") == 0) continue;
        cur_node = strcmp(src, "node") == 0;
        clrs_onnx_pool_op pop = pool_op_of(op);
        if ((int)pop >= 0) {
            run_pool_case(ctx, c, id, pop, tol);
            per_op[pop]++;
        } else if (strcmp(op, "MaxUnpool") == 0) {
            run_unpool_case(ctx, c, id);
            per_op[6]++;
        } else if (strcmp(op, "DepthToSpace") == 0 || strcmp(op, "SpaceToDepth") == 0) {
            run_depth_case(ctx, c, id, op[0] == 'D');
            per_op[op[0] == 'D' ? 7 : 8]++;
        } else {
            ck_abort_msg("%s: unknown op %s", id, op);
        }
        by_src[strcmp(src, "node") == 0 ? 0 : strcmp(src, "ref") == 0 ? 1 : strcmp(src, "ort") == 0 ? 2 : 3]++;
        stats.cases++;
        if (tol == 0)
            stats.exact++;
        else
            stats.tol++;
    }
    tu_progress("test_golden_onnx_pool", n, n, "cases");
    fprintf(stderr,
            "# onnx_pool golden: %d cases (%d node, %d onnx.reference, %d onnxruntime, %d numpy), %d layout runs: "
            "MaxPool %d, AveragePool %d, LpPool %d, GlobalMaxPool %d, GlobalAveragePool %d, GlobalLpPool %d, "
            "MaxUnpool %d, DepthToSpace %d, SpaceToDepth %d; %d bit-exact (all are), %d within tolerance "
            "(max error %.3g relative on random cases, %.3g on node cases); %d "
            "bit-identical in all layouts\n",
            stats.cases, by_src[0], by_src[1], by_src[2], by_src[3], stats.runs, per_op[0], per_op[1], per_op[2],
            per_op[3], per_op[4], per_op[5], per_op[6], per_op[7], per_op[8], stats.exact, stats.tol, stats.max_rel,
            stats.max_rel_node, stats.identical);
    ck_assert_int_ge(stats.cases, 380);
    free(cases);
}
END_TEST

/* The cl_mem forms: wait lists, events, offsets (MaxPool with Indices: two
 * launches; MaxUnpool reads back its range flag; DepthToSpace). */
START_TEST(test_cl_mem_calls)
{
    clrs_context *ctx = tu_context();
    cl_context clc;
    cl_command_queue q;
    ck_assert_int_eq(clrs_context_get_cl(ctx, &clc, NULL, &q), CLRS_OK);
    /* X (2, 1, 4): MaxPool kernel 2, stride 2, pads 1,0 -> (2, 1, 2) */
    int64_t xs[3] = {2, 1, 4}, ys[3] = {2, 1, 2};
    clrs_tensor_desc xd, yd, id;
    clrs_tensor_desc_contiguous(&xd, CLRS_F32, 3, xs);
    clrs_tensor_desc_contiguous(&yd, CLRS_F32, 3, ys);
    clrs_tensor_desc_contiguous(&id, CLRS_I64, 3, ys);
    yd.offset = 2;
    id.offset = 1;
    float src[8] = {1, 5, 3, 2, 8, 8, -1, 0}, dst[6];
    int64_t idx[5];
    cl_int e;
    cl_mem a = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof src, src, &e);
    cl_mem b = clCreateBuffer(clc, CL_MEM_READ_WRITE, sizeof dst, NULL, &e);
    cl_mem c = clCreateBuffer(clc, CL_MEM_READ_WRITE, sizeof idx, NULL, &e);
    cl_event user = clCreateUserEvent(clc, &e), done = NULL;
    clrs_onnx_pool_params p;
    clrs_onnx_pool_params_init(&p, CLRS_ONNX_MAX_POOL);
    p.n_kernel_shape = 1;
    p.kernel_shape[0] = 2;
    p.n_strides = 1;
    p.strides[0] = 2;
    p.n_pads = 2;
    p.pads[0] = 1;
    p.pads[1] = 0;
    ck_assert_int_eq(clrs_onnx_pool_cl(ctx, &p, &xd, a, &yd, b, &id, c, NULL, 1, &user, &done), CLRS_OK);
    cl_int status = 0;
    clGetEventInfo(done, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, NULL);
    ck_assert_int_gt(status, CL_COMPLETE); /* still waiting for the user event */
    clSetUserEventStatus(user, CL_COMPLETE);
    clWaitForEvents(1, &done);
    clReleaseEvent(done);
    clEnqueueReadBuffer(q, b, CL_TRUE, 0, sizeof dst, dst, 0, NULL, NULL);
    clEnqueueReadBuffer(q, c, CL_TRUE, 0, sizeof idx, idx, 0, NULL, NULL);
    /* windows [-1, 1) and [1, 3) of each plane */
    const float want[4] = {1, 5, 8, 8};
    const int64_t wi[4] = {0, 1, 4, 5};
    for (int i = 0; i < 4; i++) {
        ck_assert_float_eq(dst[2 + i], want[i]);
        ck_assert_int_eq(idx[1 + i], wi[i]);
    }

    /* MaxUnpool of those back into (2, 1, 4): inferred (2-1)*2 - 1 + 2 = 3, output_shape 2,1,4 */
    clrs_onnx_unpool_params up;
    clrs_onnx_unpool_params_init(&up);
    up.n_kernel_shape = 1;
    up.kernel_shape[0] = 2;
    up.n_strides = 1;
    up.strides[0] = 2;
    up.n_pads = 2;
    up.pads[0] = 1;
    up.n_output_shape = 3;
    up.output_shape[0] = 2;
    up.output_shape[1] = 1;
    up.output_shape[2] = 4;
    /* the indices were made for a 4-wide plane; for the inferred 3-wide one
     * they mean other places: plane 1's 4, 5 are (1, 0, 1), (1, 0, 2) */
    clrs_tensor_desc ud;
    clrs_tensor_desc_contiguous(&ud, CLRS_F32, 3, xs);
    cl_mem u = clCreateBuffer(clc, CL_MEM_READ_WRITE, 8 * sizeof(float), NULL, &e);
    cl_event user2 = clCreateUserEvent(clc, &e);
    clSetUserEventStatus(user2, CL_COMPLETE); /* the call reads back its range flag: it waits for the list */
    ck_assert_int_eq(clrs_onnx_max_unpool_cl(ctx, &up, &yd, b, &id, c, &ud, u, NULL, 1, &user2, &done), CLRS_OK);
    clWaitForEvents(1, &done);
    clReleaseEvent(done);
    float back[8];
    clEnqueueReadBuffer(q, u, CL_TRUE, 0, sizeof back, back, 0, NULL, NULL);
    const float wb[8] = {1, 5, 0, 0, 0, 8, 8, 0};
    for (int i = 0; i < 8; i++) ck_assert_float_eq(back[i], wb[i]);
    clReleaseEvent(user2);

    /* DepthToSpace DCR: (1, 4, 1, 2) -> (1, 1, 2, 4) */
    int64_t ds[4] = {1, 4, 1, 2}, dso[4] = {1, 1, 2, 4};
    clrs_tensor_desc di, dout;
    clrs_tensor_desc_contiguous(&di, CLRS_F32, 4, ds);
    clrs_tensor_desc_contiguous(&dout, CLRS_F32, 4, dso);
    cl_event user3 = clCreateUserEvent(clc, &e);
    ck_assert_int_eq(clrs_onnx_depth_to_space_cl(ctx, 2, CLRS_ONNX_DCR, &di, a, &dout, u, NULL, 1, &user3, &done),
                     CLRS_OK);
    clGetEventInfo(done, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, NULL);
    ck_assert_int_gt(status, CL_COMPLETE);
    clSetUserEventStatus(user3, CL_COMPLETE);
    clWaitForEvents(1, &done);
    clEnqueueReadBuffer(q, u, CL_TRUE, 0, sizeof back, back, 0, NULL, NULL);
    /* x[0, ch, 0, w] = src[ch*2 + w]; y[0, 0, i, w*2 + j] = x[0, i*2 + j, 0, w] */
    const float wd[8] = {1, 3, 5, 2, 8, -1, 8, 0};
    for (int i = 0; i < 8; i++) ck_assert_float_eq(back[i], wd[i]);
    clReleaseEvent(done);
    clReleaseEvent(user3);
    /* errors on the cl_mem path */
    ck_assert_int_eq(clrs_onnx_pool_cl(ctx, &p, &xd, a, &yd, a, NULL, NULL, NULL, 0, NULL, NULL), CLRS_ERR_ALIASING);
    ck_assert_int_eq(clrs_onnx_pool_cl(ctx, &p, &xd, a, &yd, b, NULL, c, NULL, 0, NULL, NULL), CLRS_ERR_INVALID_ARG);
    clReleaseEvent(user);
    clReleaseMemObject(a);
    clReleaseMemObject(b);
    clReleaseMemObject(c);
    clReleaseMemObject(u);
}
END_TEST

static clrs_status pool_shape(clrs_context *ctx, const clrs_onnx_pool_params *p, clrs_dtype dt, int rank,
                              const int64_t *sizes)
{
    clrs_tensor_desc d;
    clrs_tensor_desc_contiguous(&d, dt, rank, sizes);
    int64_t o[CLRS_MAX_RANK];
    return clrs_onnx_pool_output_shape(ctx, &d, p, o);
}

static void expect_err_at(int line, clrs_context *ctx, clrs_status got, clrs_status want, const char *needle)
{
    ck_assert_msg(got == want, "line %d: status %s, want %s (%s)", line, clrs_strerror(got), clrs_strerror(want),
                  clrs_last_error(ctx));
    ck_assert_msg(strstr(clrs_last_error(ctx), needle) != NULL, "line %d: message '%s' lacks '%s'", line,
                  clrs_last_error(ctx), needle);
}
#define expect_err(...) expect_err_at(__LINE__, __VA_ARGS__)

START_TEST(test_errors)
{
    clrs_context *ctx = tu_context();
    const int64_t s4[4] = {1, 2, 6, 6};
    clrs_onnx_pool_params p;
    clrs_onnx_pool_params_init(&p, CLRS_ONNX_MAX_POOL);
    /* kernel_shape is required, one per spatial axis */
    expect_err(ctx, pool_shape(ctx, &p, CLRS_F32, 4, s4), CLRS_ERR_BAD_PARAM, "kernel_shape");
    p.n_kernel_shape = 2;
    p.kernel_shape[0] = p.kernel_shape[1] = 3;
    ck_assert_int_eq(pool_shape(ctx, &p, CLRS_F32, 4, s4), CLRS_OK);
    p.storage_order = 2;
    expect_err(ctx, pool_shape(ctx, &p, CLRS_F32, 4, s4), CLRS_ERR_BAD_PARAM, "storage_order");
    p.storage_order = 0;
    p.n_pads = 4;
    p.pads[0] = 1;
    p.auto_pad = CLRS_ONNX_SAME_UPPER;
    expect_err(ctx, pool_shape(ctx, &p, CLRS_F32, 4, s4), CLRS_ERR_BAD_PARAM, "auto_pad");
    p.auto_pad = CLRS_ONNX_NOTSET;
    p.pads[2] = 3; /* an end pad >= the kernel */
    expect_err(ctx, pool_shape(ctx, &p, CLRS_F32, 4, s4), CLRS_ERR_BAD_PARAM, "smaller than the kernel");
    p.pads[2] = 2;
    ck_assert_int_eq(pool_shape(ctx, &p, CLRS_F32, 4, s4), CLRS_OK);
    p.n_pads = 3;
    expect_err(ctx, pool_shape(ctx, &p, CLRS_F32, 4, s4), CLRS_ERR_BAD_PARAM, "pads has 3 values");
    p.n_pads = 0;
    p.auto_pad = CLRS_ONNX_VALID;
    p.ceil_mode = 1;
    expect_err(ctx, pool_shape(ctx, &p, CLRS_F32, 4, s4), CLRS_ERR_BAD_PARAM, "ceil_mode");
    p.ceil_mode = 0;
    p.auto_pad = CLRS_ONNX_NOTSET;
    p.n_strides = 2;
    p.strides[0] = 0;
    p.strides[1] = 1;
    expect_err(ctx, pool_shape(ctx, &p, CLRS_F32, 4, s4), CLRS_ERR_BAD_PARAM, "strides[0]");
    p.n_strides = 0;
    p.kernel_shape[0] = 7; /* larger than the input: an empty output */
    expect_err(ctx, pool_shape(ctx, &p, CLRS_F32, 4, s4), CLRS_ERR_BAD_SHAPE, "empty");
    p.kernel_shape[0] = 3;
    {
        clrs_tensor_desc d2;
        memset(&d2, 0, sizeof d2);
        d2.dtype = CLRS_F32;
        d2.rank = 2;
        d2.sizes[0] = 2;
        d2.sizes[1] = 3;
        d2.strides[0] = 3;
        d2.strides[1] = 1;
        int64_t o2[CLRS_MAX_RANK];
        expect_err(ctx, clrs_onnx_pool_output_shape(ctx, &d2, &p, o2), CLRS_ERR_BAD_SHAPE, "rank 2");
    }
    /* AveragePool / LpPool: floating point only; no Indices */
    clrs_onnx_pool_params a;
    clrs_onnx_pool_params_init(&a, CLRS_ONNX_AVERAGE_POOL);
    a.n_kernel_shape = 2;
    a.kernel_shape[0] = a.kernel_shape[1] = 2;
    clrs_tensor_desc xd, yd, id;
    clrs_tensor_desc_contiguous(&xd, CLRS_U8, 4, s4);
    int64_t o[CLRS_MAX_RANK];
    ck_assert_int_eq(clrs_onnx_pool_output_shape(ctx, &xd, &a, o), CLRS_OK);
    clrs_tensor_desc_contiguous(&yd, CLRS_U8, 4, o);
    unsigned char xb[72] = {0}, yb[50];
    expect_err(ctx, clrs_onnx_pool(ctx, &a, &xd, xb, &yd, yb, NULL, NULL), CLRS_ERR_BAD_DTYPE, "floating-point");
    clrs_tensor_desc_contiguous(&xd, CLRS_F32, 4, s4);
    clrs_tensor_desc_contiguous(&yd, CLRS_F32, 4, o);
    clrs_tensor_desc_contiguous(&id, CLRS_I64, 4, o);
    float xf[72] = {0}, yf[50];
    int64_t ib[50];
    expect_err(ctx, clrs_onnx_pool(ctx, &a, &xd, xf, &yd, yf, &id, ib), CLRS_ERR_BAD_PARAM, "Indices");
    a.count_include_pad = 2;
    expect_err(ctx, clrs_onnx_pool(ctx, &a, &xd, xf, &yd, yf, NULL, NULL), CLRS_ERR_BAD_PARAM, "count_include_pad");
    clrs_onnx_pool_params lp;
    clrs_onnx_pool_params_init(&lp, CLRS_ONNX_LP_POOL);
    lp.n_kernel_shape = 2;
    lp.kernel_shape[0] = lp.kernel_shape[1] = 2;
    lp.p = 0;
    expect_err(ctx, pool_shape(ctx, &lp, CLRS_F32, 4, s4), CLRS_ERR_BAD_PARAM, "p must be");
    p.struct_size = 3;
    expect_err(ctx, pool_shape(ctx, &p, CLRS_F32, 4, s4), CLRS_ERR_INVALID_ARG, "struct_size");

    /* MaxUnpool */
    clrs_onnx_unpool_params up;
    clrs_onnx_unpool_params_init(&up);
    const int64_t us[3] = {1, 1, 2};
    clrs_tensor_desc ux, ui, uy;
    clrs_tensor_desc_contiguous(&ux, CLRS_F32, 3, us);
    clrs_tensor_desc_contiguous(&ui, CLRS_I64, 3, us);
    expect_err(ctx, clrs_onnx_max_unpool_output_shape(ctx, &ux, &up, o), CLRS_ERR_BAD_PARAM, "kernel_shape");
    up.n_kernel_shape = 1;
    up.kernel_shape[0] = 2;
    up.n_strides = 1;
    up.strides[0] = 2;
    ck_assert_int_eq(clrs_onnx_max_unpool_output_shape(ctx, &ux, &up, o), CLRS_OK);
    ck_assert_int_eq(o[2], 4);
    clrs_tensor_desc_contiguous(&uy, CLRS_F32, 3, o);
    float uxv[2] = {1, 2}, uyv[4];
    int64_t uiv[2] = {1, 4}; /* 4 is outside [0, 4) */
    expect_err(ctx, clrs_onnx_max_unpool(ctx, &up, &ux, uxv, &ui, uiv, &uy, uyv), CLRS_ERR_BAD_PARAM, "outside");
    uiv[1] = 3;
    ck_assert_int_eq(clrs_onnx_max_unpool(ctx, &up, &ux, uxv, &ui, uiv, &uy, uyv), CLRS_OK);
    ck_assert_float_eq(uyv[1], 1);
    ck_assert_float_eq(uyv[3], 2);
    ck_assert_float_eq(uyv[0] + uyv[2], 0);
    up.n_output_shape = 3;
    up.output_shape[0] = 1;
    up.output_shape[1] = 1;
    up.output_shape[2] = 3; /* smaller than the inferred 4 */
    expect_err(ctx, clrs_onnx_max_unpool_output_shape(ctx, &ux, &up, o), CLRS_ERR_BAD_SHAPE, "output_shape");
    up.output_shape[1] = 2; /* C changes */
    up.output_shape[2] = 4;
    expect_err(ctx, clrs_onnx_max_unpool_output_shape(ctx, &ux, &up, o), CLRS_ERR_BAD_SHAPE, "output_shape");

    /* DepthToSpace / SpaceToDepth */
    const int64_t d4[4] = {1, 6, 2, 2};
    clrs_tensor_desc dd;
    clrs_tensor_desc_contiguous(&dd, CLRS_F32, 4, d4);
    expect_err(ctx, clrs_onnx_depth_to_space_output_shape(ctx, &dd, 0, o), CLRS_ERR_BAD_PARAM, "blocksize");
    expect_err(ctx, clrs_onnx_depth_to_space_output_shape(ctx, &dd, 2, o), CLRS_ERR_BAD_SHAPE, "divisible");
    expect_err(ctx, clrs_onnx_space_to_depth_output_shape(ctx, &dd, 3, o), CLRS_ERR_BAD_SHAPE, "divisible");
    ck_assert_int_eq(clrs_onnx_space_to_depth_output_shape(ctx, &dd, 2, o), CLRS_OK);
    ck_assert_int_eq(o[1], 24);
    float dv[24] = {0}, dy[24];
    clrs_tensor_desc dyd;
    clrs_tensor_desc_contiguous(&dyd, CLRS_F32, 4, o);
    expect_err(ctx, clrs_onnx_space_to_depth(ctx, 2, (clrs_onnx_depth_mode)7, &dd, dv, &dyd, dy), CLRS_ERR_BAD_PARAM,
               "mode");
}
END_TEST

/* A case of every pooling op on one input through the PyTorch-semantics
 * equivalent where one exists: ONNX MaxPool with symmetric pads <= k/2 is
 * torch's max_pool (the same kernel), bit for bit, indices aside. */
START_TEST(test_matches_torch_max_pool)
{
    clrs_context *ctx = tu_context();
    const int64_t xs[4] = {2, 3, 9, 7};
    uint64_t rng = 42;
    float x[2 * 3 * 9 * 7];
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++) x[i] = (float)tu_uniform(&rng) * 4 - 2;
    clrs_onnx_pool_params p;
    clrs_onnx_pool_params_init(&p, CLRS_ONNX_MAX_POOL);
    p.n_kernel_shape = p.n_strides = p.n_dilations = 2;
    p.kernel_shape[0] = 3;
    p.kernel_shape[1] = 2;
    p.strides[0] = 2;
    p.strides[1] = 1;
    p.dilations[0] = 2;
    p.dilations[1] = 1;
    p.n_pads = 4;
    p.pads[0] = p.pads[2] = 1;
    p.pads[1] = p.pads[3] = 1;
    p.ceil_mode = 1;
    clrs_pool_params t;
    clrs_pool_params_init(&t, CLRS_POOL_MAX);
    t.n_kernel = t.n_stride = t.n_padding = t.n_dilation = 2;
    t.kernel[0] = 3;
    t.kernel[1] = 2;
    t.stride[0] = 2;
    t.stride[1] = 1;
    t.padding[0] = t.padding[1] = 1;
    t.dilation[0] = 2;
    t.dilation[1] = 1;
    t.ceil_mode = 1;
    clrs_tensor_desc xd, yd;
    clrs_tensor_desc_contiguous(&xd, CLRS_F32, 4, xs);
    int64_t o1[CLRS_MAX_RANK], o2[CLRS_MAX_RANK];
    ck_assert_int_eq(clrs_onnx_pool_output_shape(ctx, &xd, &p, o1), CLRS_OK);
    ck_assert_int_eq(clrs_pool_output_shape(ctx, &xd, &t, o2), CLRS_OK);
    for (int i = 0; i < 4; i++) ck_assert_int_eq(o1[i], o2[i]);
    clrs_tensor_desc_contiguous(&yd, CLRS_F32, 4, o1);
    const int64_t n = o1[0] * o1[1] * o1[2] * o1[3];
    float *y1 = malloc((size_t)n * 4), *y2 = malloc((size_t)n * 4);
    ck_assert_int_eq(clrs_onnx_pool(ctx, &p, &xd, x, &yd, y1, NULL, NULL), CLRS_OK);
    ck_assert_int_eq(clrs_pool(ctx, &t, &xd, x, &yd, y2, NULL, NULL), CLRS_OK);
    ck_assert(memcmp(y1, y2, (size_t)n * 4) == 0);
    free(y1);
    free(y2);
}
END_TEST

/* f16 and bf16 (no golden vectors: numpy has no bf16, onnx.reference
 * computes f16 in f16): the kernels compute in float and round once, so a
 * 16-bit run is the float run of the same values rounded, within one unit
 * in the last place; max and Indices exactly. */
START_TEST(test_16bit_dtypes)
{
    clrs_context *ctx = tu_context();
    const int64_t xs[4] = {2, 3, 7, 9};
    const int64_t n = 2 * 3 * 7 * 9;
    const clrs_onnx_pool_op ops[3] = {CLRS_ONNX_MAX_POOL, CLRS_ONNX_AVERAGE_POOL, CLRS_ONNX_LP_POOL};
    const clrs_dtype dts[2] = {CLRS_F16, CLRS_BF16};
    uint64_t rng = 1234;
    for (int di = 0; di < 2; di++) {
        const clrs_dtype dt = dts[di];
        const int mant = dt == CLRS_F16 ? 10 : 7;
        uint16_t *x16 = malloc((size_t)n * 2);
        float *x32 = malloc((size_t)n * 4);
        for (int64_t i = 0; i < n; i++) {
            tu_set(dt, x16, i, tu_uniform(&rng) * 4 - 2);
            x32[i] = (float)tu_get(dt, x16, i);
        }
        for (int oi = 0; oi < 3; oi++) {
            clrs_onnx_pool_params p;
            clrs_onnx_pool_params_init(&p, ops[oi]);
            p.n_kernel_shape = p.n_strides = p.n_dilations = 2;
            p.kernel_shape[0] = 3;
            p.kernel_shape[1] = 2;
            p.strides[0] = 2;
            p.strides[1] = 3;
            p.dilations[0] = 2;
            p.dilations[1] = 1;
            p.n_pads = 4;
            p.pads[0] = 2;
            p.pads[1] = 0;
            p.pads[2] = 1;
            p.pads[3] = 1;
            p.ceil_mode = 1;
            p.count_include_pad = 1;
            p.p = 3;
            clrs_tensor_desc xd16, xd32, yd16, yd32, id;
            clrs_tensor_desc_contiguous(&xd16, dt, 4, xs);
            clrs_tensor_desc_contiguous(&xd32, CLRS_F32, 4, xs);
            int64_t o[CLRS_MAX_RANK];
            ck_assert_int_eq(clrs_onnx_pool_output_shape(ctx, &xd16, &p, o), CLRS_OK);
            clrs_tensor_desc_contiguous(&yd16, dt, 4, o);
            clrs_tensor_desc_contiguous(&yd32, CLRS_F32, 4, o);
            clrs_tensor_desc_contiguous(&id, CLRS_I64, 4, o);
            const int64_t m = o[0] * o[1] * o[2] * o[3];
            uint16_t *y16 = malloc((size_t)m * 2);
            float *y32 = malloc((size_t)m * 4);
            int64_t *i16 = malloc((size_t)m * 8), *i32 = malloc((size_t)m * 8);
            const int mx = ops[oi] == CLRS_ONNX_MAX_POOL;
            ck_assert_int_eq(clrs_onnx_pool(ctx, &p, &xd16, x16, &yd16, y16, mx ? &id : NULL, mx ? i16 : NULL),
                             CLRS_OK);
            ck_assert_int_eq(clrs_onnx_pool(ctx, &p, &xd32, x32, &yd32, y32, mx ? &id : NULL, mx ? i32 : NULL),
                             CLRS_OK);
            for (int64_t i = 0; i < m; i++) {
                double g = tu_get(dt, y16, i), r = y32[i];
                double ulp = ldexp(1.0, (int)floor(log2(fmax(fabs(r), 1e-4))) - mant);
                if (mx) {
                    ck_assert_msg(g == r && i16[i] == i32[i], "%s op %d element %lld", clrs_dtype_name(dt), oi,
                                  (long long)i);
                } else {
                    ck_assert_msg(fabs(g - r) <= ulp, "%s op %d element %lld: %.9g vs f32 %.9g", clrs_dtype_name(dt),
                                  oi, (long long)i, g, r);
                }
            }
            free(y16);
            free(y32);
            free(i16);
            free(i32);
        }
        free(x16);
        free(x32);
    }
}
END_TEST

int main(void)
{
    tu_binary_cache_off();
    Suite *s = suite_create("onnx_pool");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, tu_timeout(1200));
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_cl_mem_calls);
    tcase_add_test(tc, test_matches_torch_max_pool);
    tcase_add_test(tc, test_16bit_dtypes);
    tcase_add_test(tc, test_golden_onnx_pool);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_context_release();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
