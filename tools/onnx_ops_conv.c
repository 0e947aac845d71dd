/* SPDX-License-Identifier: MIT */
/* clresample onnx: Conv and ConvTranspose over include/clresample/onnx.h.
 * X and W are laid out per --layout; B (1-D) is contiguous. Values ONNX
 * forbids are usage errors naming the attribute; the library's own checks
 * (group against the channels, kernel_shape against W) come back as usage
 * errors through onnx_lib_fail. */
#include <stdlib.h>
#include <string.h>

#include <clresample/onnx.h>

#include "onnx_cli.h"

static int attr_list(onnx_call *c, const char *name, int64_t *v, int max, int *n, int64_t min)
{
    int rc = onnx_attr_ints(c, name, v, max, n);
    if (rc) return rc;
    if (*n < 0) *n = 0;
    for (int i = 0; i < *n; i++)
        if (v[i] < min) {
            onnx_error(c, "--%s values must be %s %lld, got %lld", name, min == 0 ? ">=" : ">",
                       (long long)(min == 0 ? 0 : min - 1), (long long)v[i]);
            return ONNX_RC_USAGE;
        }
    return ONNX_RC_OK;
}

static int conv_attrs(onnx_call *c, clrs_onnx_conv_params *p, int transposed)
{
    const char *s;
    int rc = onnx_attr_str(c, "auto_pad", "NOTSET", &s);
    if (rc) return rc;
    if (!strcmp(s, "NOTSET"))
        p->auto_pad = CLRS_ONNX_NOTSET;
    else if (!strcmp(s, "SAME_UPPER"))
        p->auto_pad = CLRS_ONNX_SAME_UPPER;
    else if (!strcmp(s, "SAME_LOWER"))
        p->auto_pad = CLRS_ONNX_SAME_LOWER;
    else if (!strcmp(s, "VALID"))
        p->auto_pad = CLRS_ONNX_VALID;
    else {
        onnx_error(c, "--auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got '%s'", s);
        return ONNX_RC_USAGE;
    }
    if ((rc = attr_list(c, "kernel_shape", p->kernel_shape, 3, &p->n_kernel_shape, 1))) return rc;
    if ((rc = attr_list(c, "strides", p->strides, 3, &p->n_strides, 1))) return rc;
    if ((rc = attr_list(c, "dilations", p->dilations, 3, &p->n_dilations, 1))) return rc;
    if ((rc = attr_list(c, "pads", p->pads, 6, &p->n_pads, 0))) return rc;
    if ((rc = onnx_attr_int(c, "group", 1, &p->group))) return rc;
    if (p->group < 1) {
        onnx_error(c, "--group must be > 0, got %lld", (long long)p->group);
        return ONNX_RC_USAGE;
    }
    if (transposed) {
        if ((rc = attr_list(c, "output_padding", p->output_padding, 3, &p->n_output_padding, 0))) return rc;
        if ((rc = attr_list(c, "output_shape", p->output_shape, CLRS_MAX_RANK, &p->n_output_shape, 1))) return rc;
    }
    if (p->auto_pad != CLRS_ONNX_NOTSET && p->n_pads > 0) {
        onnx_error(c, "--pads cannot be given with --auto_pad other than NOTSET");
        return ONNX_RC_USAGE;
    }
    const int sp = c->in[0].ndim - 2;
    if (c->in[0].ndim < 3 || c->in[0].ndim > 5) {
        onnx_error(c, "input 1 (X) must have rank 3 to 5, got %d", c->in[0].ndim);
        return ONNX_RC_USAGE;
    }
    const struct {
        const char *name;
        int n, want;
    } l[] = {{"kernel_shape", p->n_kernel_shape, sp}, {"strides", p->n_strides, sp}, {"dilations", p->n_dilations, sp},
             {"pads", p->n_pads, 2 * sp},             {"output_padding", p->n_output_padding, sp}};
    for (size_t i = 0; i < sizeof l / sizeof l[0]; i++)
        if (l[i].n != 0 && l[i].n != l[i].want) {
            onnx_error(c, "--%s has %d values, expected %d (X has %d spatial axes)", l[i].name, l[i].n, l[i].want, sp);
            return ONNX_RC_USAGE;
        }
    if (p->n_output_shape != 0 && p->n_output_shape != sp && p->n_output_shape != sp + 2) {
        onnx_error(c, "--output_shape has %d values, expected %d", p->n_output_shape, sp);
        return ONNX_RC_USAGE;
    }
    return ONNX_RC_OK;
}

static int run_conv(onnx_call *c, int transposed)
{
    clrs_onnx_conv_params p;
    clrs_onnx_conv_params_init(&p);
    int rc = conv_attrs(c, &p, transposed);
    if (rc) return rc;
    clrs_context *ctx = onnx_ctx(c);
    if (!ctx) return ONNX_RC_FAIL;
    const int has_b = c->nin > 2 && c->given[2];
    if (has_b && c->in[2].ndim != 1) {
        onnx_error(c, "input 3 (B) must be 1-D, got rank %d", c->in[2].ndim);
        return ONNX_RC_USAGE;
    }
    if (c->in[1].ndim != c->in[0].ndim) {
        onnx_error(c, "input 2 (W) must have X's rank %d, got %d", c->in[0].ndim, c->in[1].ndim);
        return ONNX_RC_USAGE;
    }
    clrs_tensor_desc xd, wd, bd, yd;
    void *xb = NULL, *wb = NULL, *yb = NULL;
    if ((rc = onnx_data_in(c, 0, 0, NULL, &xd, &xb))) return rc;
    if ((rc = onnx_data_in(c, 1, 0, NULL, &wd, &wb))) {
        free(xb);
        return rc;
    }
    if (has_b) { /* contiguous rank 1 (clrs_tensor_desc_contiguous takes ranks 3..5) */
        memset(&bd, 0, sizeof bd);
        bd.dtype = c->in[2].dtype;
        bd.rank = 1;
        bd.sizes[0] = c->in[2].shape[0];
        bd.strides[0] = 1;
    }
    int64_t osz[CLRS_MAX_RANK];
    clrs_status st = transposed ? clrs_onnx_conv_transpose_output_shape(ctx, &p, &xd, &wd, osz)
                                : clrs_onnx_conv_output_shape(ctx, &p, &xd, &wd, osz);
    if (st == CLRS_OK) {
        rc = onnx_data_out_alloc(c, xd.dtype, xd.rank, osz, &yd, &yb);
        if (!rc)
            st = transposed ? clrs_onnx_conv_transpose(ctx, &p, &xd, xb, &wd, wb, has_b ? &bd : NULL,
                                                       has_b ? c->in[2].data : NULL, &yd, yb)
                            : clrs_onnx_conv(ctx, &p, &xd, xb, &wd, wb, has_b ? &bd : NULL,
                                             has_b ? c->in[2].data : NULL, &yd, yb);
    }
    free(xb);
    free(wb);
    if (rc) return rc;
    if (st != CLRS_OK) {
        free(yb);
        return onnx_lib_fail(c, st);
    }
    return onnx_data_out_finish(c, 0, &yd, yb, xd.rank, osz);
}

static int op_conv(onnx_call *c) { return run_conv(c, 0); }
static int op_conv_transpose(onnx_call *c) { return run_conv(c, 1); }

const onnx_op_def onnx_ops_conv[] = {
    {"Conv", op_conv, 2, 3, 1, 1, 1, 22, "auto_pad, dilations, group, kernel_shape, pads, strides; inputs X W [B]"},
    {"ConvTranspose", op_conv_transpose, 2, 3, 1, 1, 1, 22,
     "auto_pad, dilations, group, kernel_shape, output_padding, output_shape, pads, strides; inputs X W [B]"},
    {0},
};
