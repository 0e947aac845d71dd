/* SPDX-License-Identifier: MIT */
/* clresample onnx: the pooling family's handlers (MaxPool, AveragePool,
 * LpPool, GlobalAveragePool, GlobalMaxPool, GlobalLpPool, MaxUnpool,
 * DepthToSpace, SpaceToDepth) over include/clresample/onnx.h. Attributes
 * are read only in the opsets that define them (any other is reported as
 * unknown by the shared part); values ONNX forbids are usage errors naming
 * the attribute. */
#include <stdlib.h>
#include <string.h>

#include <clresample/onnx.h>

#include "onnx_cli.h"

/* ---- attributes ---------------------------------------------------------- */
static int attr_ints(onnx_call *c, const char *name, int64_t *v, int max, int *n)
{
    int rc = onnx_attr_ints(c, name, v, max, n);
    if (rc) return rc;
    if (*n < 0) *n = 0;
    return ONNX_RC_OK;
}

static int attr_01(onnx_call *c, const char *name, int *v)
{
    int64_t t;
    int rc = onnx_attr_int(c, name, 0, &t);
    if (rc) return rc;
    if (t != 0 && t != 1) {
        onnx_error(c, "--%s must be 0 or 1, got %lld", name, (long long)t);
        return ONNX_RC_USAGE;
    }
    *v = (int)t;
    return ONNX_RC_OK;
}

static int attr_auto_pad(onnx_call *c, clrs_onnx_auto_pad *ap)
{
    const char *s;
    int rc = onnx_attr_str(c, "auto_pad", "NOTSET", &s);
    if (rc) return rc;
    if (!strcmp(s, "NOTSET"))
        *ap = CLRS_ONNX_NOTSET;
    else if (!strcmp(s, "SAME_UPPER"))
        *ap = CLRS_ONNX_SAME_UPPER;
    else if (!strcmp(s, "SAME_LOWER"))
        *ap = CLRS_ONNX_SAME_LOWER;
    else if (!strcmp(s, "VALID"))
        *ap = CLRS_ONNX_VALID;
    else {
        onnx_error(c, "--auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got '%s'", s);
        return ONNX_RC_USAGE;
    }
    return ONNX_RC_OK;
}

/* The windowed ops' attributes, as opset c->opset defines them. */
static int window_attrs(onnx_call *c, clrs_onnx_pool_params *p, int has_ceil, int has_dil)
{
    int rc;
    if ((rc = attr_auto_pad(c, &p->auto_pad))) return rc;
    if ((rc = attr_ints(c, "kernel_shape", p->kernel_shape, 3, &p->n_kernel_shape))) return rc;
    if (p->n_kernel_shape == 0) {
        onnx_error(c, "--kernel_shape is required");
        return ONNX_RC_USAGE;
    }
    if ((rc = attr_ints(c, "strides", p->strides, 3, &p->n_strides))) return rc;
    if ((rc = attr_ints(c, "pads", p->pads, 6, &p->n_pads))) return rc;
    if (has_dil && (rc = attr_ints(c, "dilations", p->dilations, 3, &p->n_dilations))) return rc;
    if (has_ceil && (rc = attr_01(c, "ceil_mode", &p->ceil_mode))) return rc;
    if (p->auto_pad != CLRS_ONNX_NOTSET && p->n_pads > 0) {
        onnx_error(c, "--pads cannot be given with --auto_pad other than NOTSET");
        return ONNX_RC_USAGE;
    }
    for (int i = 0; i < p->n_kernel_shape; i++)
        if (p->kernel_shape[i] <= 0) {
            onnx_error(c, "--kernel_shape values must be > 0, got %lld", (long long)p->kernel_shape[i]);
            return ONNX_RC_USAGE;
        }
    for (int i = 0; i < p->n_strides; i++)
        if (p->strides[i] <= 0) {
            onnx_error(c, "--strides values must be > 0, got %lld", (long long)p->strides[i]);
            return ONNX_RC_USAGE;
        }
    for (int i = 0; i < p->n_dilations; i++)
        if (p->dilations[i] <= 0) {
            onnx_error(c, "--dilations values must be > 0, got %lld", (long long)p->dilations[i]);
            return ONNX_RC_USAGE;
        }
    for (int i = 0; i < p->n_pads; i++)
        if (p->pads[i] < 0) {
            onnx_error(c, "--pads values must be >= 0, got %lld", (long long)p->pads[i]);
            return ONNX_RC_USAGE;
        }
    return ONNX_RC_OK;
}

static int attr_p(onnx_call *c, clrs_onnx_pool_params *p)
{
    int rc = onnx_attr_int(c, "p", 2, &p->p);
    if (rc) return rc;
    if (p->p < 1) {
        onnx_error(c, "--p must be >= 1, got %lld", (long long)p->p);
        return ONNX_RC_USAGE;
    }
    return ONNX_RC_OK;
}

/* ---- the pools ------------------------------------------------------------- */
static int run_pool(onnx_call *c, const clrs_onnx_pool_params *p)
{
    clrs_context *ctx = onnx_ctx(c);
    if (!ctx) return ONNX_RC_FAIL;
    clrs_tensor_desc xd, yd, id;
    void *xb = NULL, *yb = NULL, *ib = NULL;
    int rc = onnx_data_in(c, 0, 0, NULL, &xd, &xb);
    if (rc) return rc;
    int64_t osz[CLRS_MAX_RANK];
    clrs_status st = clrs_onnx_pool_output_shape(ctx, &xd, p, osz);
    if (st != CLRS_OK) {
        free(xb);
        return onnx_lib_fail(c, st);
    }
    const int want_idx = c->nout > 1;
    rc = onnx_data_out_alloc(c, xd.dtype, xd.rank, osz, &yd, &yb);
    if (!rc && want_idx) rc = onnx_data_out_alloc(c, CLRS_I64, xd.rank, osz, &id, &ib);
    if (rc) {
        free(xb);
        free(yb);
        return rc;
    }
    st = clrs_onnx_pool(ctx, p, &xd, xb, &yd, yb, want_idx ? &id : NULL, want_idx ? ib : NULL);
    free(xb);
    if (st != CLRS_OK) {
        free(yb);
        free(ib);
        return onnx_lib_fail(c, st);
    }
    rc = onnx_data_out_finish(c, 0, &yd, yb, xd.rank, osz);
    if (want_idx) {
        int rc2 = onnx_data_out_finish(c, 1, &id, ib, xd.rank, osz);
        if (!rc) rc = rc2;
    }
    return rc;
}

static int op_max_pool(onnx_call *c)
{
    clrs_onnx_pool_params p;
    clrs_onnx_pool_params_init(&p, CLRS_ONNX_MAX_POOL);
    int rc = window_attrs(c, &p, c->opset >= 10, c->opset >= 10);
    if (rc) return rc;
    int64_t so;
    if ((rc = onnx_attr_int(c, "storage_order", 0, &so))) return rc;
    if (so != 0 && so != 1) {
        onnx_error(c, "--storage_order must be 0 (row major) or 1 (column major), got %lld", (long long)so);
        return ONNX_RC_USAGE;
    }
    p.storage_order = (int)so;
    return run_pool(c, &p);
}

static int op_average_pool(onnx_call *c)
{
    clrs_onnx_pool_params p;
    clrs_onnx_pool_params_init(&p, CLRS_ONNX_AVERAGE_POOL);
    int rc = window_attrs(c, &p, c->opset >= 10, c->opset >= 19);
    if (rc) return rc;
    if ((rc = attr_01(c, "count_include_pad", &p.count_include_pad))) return rc;
    return run_pool(c, &p);
}

static int op_lp_pool(onnx_call *c)
{
    clrs_onnx_pool_params p;
    clrs_onnx_pool_params_init(&p, CLRS_ONNX_LP_POOL);
    int rc = window_attrs(c, &p, 1, 1);
    if (rc) return rc;
    if ((rc = attr_p(c, &p))) return rc;
    return run_pool(c, &p);
}

static int op_global_max_pool(onnx_call *c)
{
    clrs_onnx_pool_params p;
    clrs_onnx_pool_params_init(&p, CLRS_ONNX_GLOBAL_MAX_POOL);
    return run_pool(c, &p);
}

static int op_global_average_pool(onnx_call *c)
{
    clrs_onnx_pool_params p;
    clrs_onnx_pool_params_init(&p, CLRS_ONNX_GLOBAL_AVERAGE_POOL);
    return run_pool(c, &p);
}

static int op_global_lp_pool(onnx_call *c)
{
    clrs_onnx_pool_params p;
    clrs_onnx_pool_params_init(&p, CLRS_ONNX_GLOBAL_LP_POOL);
    int rc = attr_p(c, &p);
    if (rc) return rc;
    return run_pool(c, &p);
}

/* ---- MaxUnpool --------------------------------------------------------------- */
static int op_max_unpool(onnx_call *c)
{
    clrs_onnx_unpool_params p;
    clrs_onnx_unpool_params_init(&p);
    int rc;
    if ((rc = attr_ints(c, "kernel_shape", p.kernel_shape, 3, &p.n_kernel_shape))) return rc;
    if (p.n_kernel_shape == 0) {
        onnx_error(c, "--kernel_shape is required");
        return ONNX_RC_USAGE;
    }
    if ((rc = attr_ints(c, "strides", p.strides, 3, &p.n_strides))) return rc;
    if ((rc = attr_ints(c, "pads", p.pads, 6, &p.n_pads))) return rc;
    int n = -1;
    if ((rc = onnx_input_ints(c, 2, "output_shape", p.output_shape, CLRS_MAX_RANK, &n))) return rc;
    p.n_output_shape = n < 0 ? 0 : n;
    if (n == 0) {
        onnx_error(c, "output_shape is empty");
        return ONNX_RC_USAGE;
    }
    clrs_context *ctx = onnx_ctx(c);
    if (!ctx) return ONNX_RC_FAIL;
    if (c->in[1].dtype != CLRS_I64) {
        onnx_error(c, "input 2 (I) must be int64, got %s", clrs_dtype_name(c->in[1].dtype));
        return ONNX_RC_USAGE;
    }
    clrs_tensor_desc xd, id, yd;
    void *xb = NULL, *ib = NULL, *yb = NULL;
    if ((rc = onnx_data_in(c, 0, 0, NULL, &xd, &xb))) return rc;
    if ((rc = onnx_data_in(c, 1, 0, NULL, &id, &ib))) {
        free(xb);
        return rc;
    }
    int64_t osz[CLRS_MAX_RANK];
    clrs_status st = clrs_onnx_max_unpool_output_shape(ctx, &xd, &p, osz);
    if (st == CLRS_OK) {
        rc = onnx_data_out_alloc(c, xd.dtype, xd.rank, osz, &yd, &yb);
        if (!rc) st = clrs_onnx_max_unpool(ctx, &p, &xd, xb, &id, ib, &yd, yb);
    }
    free(xb);
    free(ib);
    if (rc) return rc;
    if (st != CLRS_OK) {
        free(yb);
        return onnx_lib_fail(c, st);
    }
    return onnx_data_out_finish(c, 0, &yd, yb, xd.rank, osz);
}

/* ---- DepthToSpace / SpaceToDepth ------------------------------------------------ */
static int run_depth(onnx_call *c, int to_space)
{
    int64_t b;
    int rc = onnx_attr_int(c, "blocksize", 0, &b);
    if (rc) return rc;
    if (!onnx_attr_has(c, "blocksize")) {
        onnx_error(c, "--blocksize is required");
        return ONNX_RC_USAGE;
    }
    if (b <= 0) {
        onnx_error(c, "--blocksize must be > 0, got %lld", (long long)b);
        return ONNX_RC_USAGE;
    }
    /* mode: DepthToSpace from opset 11, SpaceToDepth from opset 28 (before
     * it, SpaceToDepth has DCR's order only) */
    clrs_onnx_depth_mode mode = CLRS_ONNX_DCR;
    if (c->opset >= (to_space ? 11 : 28)) {
        const char *m;
        if ((rc = onnx_attr_str(c, "mode", "DCR", &m))) return rc;
        if (!strcmp(m, "CRD"))
            mode = CLRS_ONNX_CRD;
        else if (strcmp(m, "DCR")) {
            onnx_error(c, "--mode must be DCR or CRD, got '%s'", m);
            return ONNX_RC_USAGE;
        }
    }
    if (c->in[0].ndim != 4) {
        onnx_error(c, "input 1 must be 4-D (N, C, H, W), got rank %d", c->in[0].ndim);
        return ONNX_RC_USAGE;
    }
    clrs_context *ctx = onnx_ctx(c);
    if (!ctx) return ONNX_RC_FAIL;
    clrs_tensor_desc xd, yd;
    void *xb = NULL, *yb = NULL;
    if ((rc = onnx_data_in(c, 0, 0, NULL, &xd, &xb))) return rc;
    int64_t osz[CLRS_MAX_RANK];
    clrs_status st = to_space ? clrs_onnx_depth_to_space_output_shape(ctx, &xd, b, osz)
                              : clrs_onnx_space_to_depth_output_shape(ctx, &xd, b, osz);
    if (st == CLRS_OK) {
        rc = onnx_data_out_alloc(c, xd.dtype, 4, osz, &yd, &yb);
        if (!rc)
            st = to_space ? clrs_onnx_depth_to_space(ctx, b, mode, &xd, xb, &yd, yb)
                          : clrs_onnx_space_to_depth(ctx, b, mode, &xd, xb, &yd, yb);
    }
    free(xb);
    if (rc) return rc;
    if (st != CLRS_OK) {
        free(yb);
        return onnx_lib_fail(c, st);
    }
    return onnx_data_out_finish(c, 0, &yd, yb, 4, osz);
}

static int op_depth_to_space(onnx_call *c) { return run_depth(c, 1); }
static int op_space_to_depth(onnx_call *c) { return run_depth(c, 0); }

const onnx_op_def onnx_ops_pool[] = {
    {"MaxPool", op_max_pool, 1, 1, 1, 2, 8, 22,
     "auto_pad, ceil_mode (10+), dilations (10+), kernel_shape, pads, storage_order, strides; outputs Y [Indices]"},
    {"AveragePool", op_average_pool, 1, 1, 1, 1, 7, 22,
     "auto_pad, ceil_mode (10+), count_include_pad, dilations (19+), kernel_shape, pads, strides"},
    {"LpPool", op_lp_pool, 1, 1, 1, 1, 18, 22, "auto_pad, ceil_mode, dilations, kernel_shape, p, pads, strides"},
    {"GlobalAveragePool", op_global_average_pool, 1, 1, 1, 1, 1, 22, ""},
    {"GlobalMaxPool", op_global_max_pool, 1, 1, 1, 1, 1, 22, ""},
    {"GlobalLpPool", op_global_lp_pool, 1, 1, 1, 1, 2, 22, "p"},
    {"MaxUnpool", op_max_unpool, 2, 3, 1, 1, 9, 22, "kernel_shape, pads, strides; inputs X I [output_shape] (or --output_shape)"},
    {"DepthToSpace", op_depth_to_space, 1, 1, 1, 1, 1, 28, "blocksize, mode (11+: DCR, CRD)"},
    {"SpaceToDepth", op_space_to_depth, 1, 1, 1, 1, 1, 28, "blocksize, mode (28+: DCR, CRD)"},
    {0},
};
