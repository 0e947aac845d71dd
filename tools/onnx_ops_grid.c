/* SPDX-License-Identifier: MIT */
/* clresample onnx: GridSample (opset 16: 4-D, modes bilinear|nearest|bicubic;
 * opset 20-22: N-D with modes linear|nearest|cubic, of which the 4-D and
 * 5-D cases are implemented) and AffineGrid (opset 20), on the library's
 * clrs_grid_sample / clrs_affine_grid. ONNX's semantics are PyTorch's here
 * (cubic with A = -0.75, the same unnormalisation, padding and
 * reflection); the grid must have X's dtype. */
#include <stdlib.h>
#include <string.h>

#include "onnx_cli.h"

static int grid_sample(onnx_call *c)
{
    int64_t ac;
    const char *mode, *pad;
    const int v20 = c->opset >= 20;
    int rc;
    if ((rc = onnx_attr_int(c, "align_corners", 0, &ac))) return rc;
    if ((rc = onnx_attr_str(c, "mode", v20 ? "linear" : "bilinear", &mode))) return rc;
    if ((rc = onnx_attr_str(c, "padding_mode", "zeros", &pad))) return rc;
    if (ac != 0 && ac != 1) {
        onnx_error(c, "--align_corners %lld: expected 0 or 1", (long long)ac);
        return ONNX_RC_USAGE;
    }
    clrs_grid_sample_params p;
    clrs_grid_sample_params_init(&p);
    p.align_corners = (int)ac;
    if (!strcmp(mode, v20 ? "linear" : "bilinear"))
        p.mode = CLRS_GRID_BILINEAR;
    else if (!strcmp(mode, "nearest"))
        p.mode = CLRS_GRID_NEAREST;
    else if (!strcmp(mode, v20 ? "cubic" : "bicubic"))
        p.mode = CLRS_GRID_BICUBIC;
    else {
        onnx_error(c, "--mode '%s': expected %s (opset %d)", mode,
                   v20 ? "linear, nearest or cubic" : "bilinear, nearest or bicubic", c->opset);
        return ONNX_RC_USAGE;
    }
    if (clrs_grid_padding_parse(pad, &p.padding_mode) != CLRS_OK) {
        onnx_error(c, "--padding_mode '%s': expected zeros, border or reflection", pad);
        return ONNX_RC_USAGE;
    }
    const npy_array *x = &c->in[0], *g = &c->in[1];
    const int rank = x->ndim;
    if (!v20 && rank != 4) {
        onnx_error(c, "X has rank %d: GridSample opset %d takes a 4-D X (N, C, H, W)", rank, c->opset);
        return ONNX_RC_FAIL;
    }
    if (rank != 4 && rank != 5) {
        onnx_error(c, "X has rank %d: only 4-D (N, C, H, W) and 5-D (N, C, D, H, W) inputs are implemented",
                   rank);
        return ONNX_RC_FAIL;
    }
    if (g->ndim != rank) {
        onnx_error(c, "grid has rank %d, X rank %d: expected a grid (N, %s, %d)", g->ndim, rank,
                   rank == 4 ? "H_out, W_out" : "D_out, H_out, W_out", rank - 2);
        return ONNX_RC_FAIL;
    }
    if (g->dtype != x->dtype) {
        onnx_error(c, "grid dtype %s differs from X dtype %s: the grid must have X's dtype here",
                   clrs_dtype_name(g->dtype), clrs_dtype_name(x->dtype));
        return ONNX_RC_FAIL;
    }
    clrs_tensor_desc dx, dg, dy;
    void *bx = NULL, *bg = NULL, *by = NULL;
    int64_t osz[CLRS_MAX_RANK];
    clrs_context *ctx = onnx_ctx(c);
    if (!ctx) return ONNX_RC_FAIL;
    if ((rc = onnx_data_in(c, 0, rank, NULL, &dx, &bx))) goto done;
    if ((rc = onnx_data_in(c, 1, rank, NULL, &dg, &bg))) goto done;
    clrs_status st = clrs_grid_sample_output_shape(ctx, &dx, &dg, osz);
    if (st != CLRS_OK) {
        rc = onnx_lib_fail(c, st);
        goto done;
    }
    if ((rc = onnx_data_out_alloc(c, x->dtype, rank, osz, &dy, &by))) goto done;
    st = clrs_grid_sample(ctx, &p, &dx, bx, &dg, bg, &dy, by);
    if (st != CLRS_OK) {
        rc = onnx_lib_fail(c, st);
        goto done;
    }
    rc = onnx_data_out_finish(c, 0, &dy, by, rank, osz);
    by = NULL;
done:
    free(bx);
    free(bg);
    free(by);
    return rc;
}

static int affine_grid(onnx_call *c)
{
    int64_t ac;
    int rc;
    if ((rc = onnx_attr_int(c, "align_corners", 0, &ac))) return rc;
    if (ac != 0 && ac != 1) {
        onnx_error(c, "--align_corners %lld: expected 0 or 1", (long long)ac);
        return ONNX_RC_USAGE;
    }
    int64_t size[8];
    int ns;
    if ((rc = onnx_input_ints(c, 1, "size", size, 8, &ns))) return rc;
    if (ns != 4 && ns != 5) {
        if (ns < 0)
            onnx_error(c, "the size input (or --size N,C,H,W / N,C,D,H,W) is required");
        else
            onnx_error(c, "size has %d values: expected (N, C, H, W) or (N, C, D, H, W)", ns);
        return ns < 0 || !c->given[1] ? ONNX_RC_USAGE : ONNX_RC_FAIL;
    }
    const npy_array *th = &c->in[0];
    if (th->ndim != 3) {
        onnx_error(c, "theta has rank %d: expected (N, %d, %d)", th->ndim, ns - 2, ns - 1);
        return ONNX_RC_FAIL;
    }
    clrs_context *ctx = onnx_ctx(c);
    if (!ctx) return ONNX_RC_FAIL;
    clrs_tensor_desc dt, dg;
    if (clrs_tensor_desc_contiguous(&dt, th->dtype, 3, th->shape) != CLRS_OK) return onnx_lib_fail(c, CLRS_ERR_BAD_DTYPE);
    int64_t gsz[CLRS_MAX_RANK];
    const int R = ns - 2;
    gsz[0] = size[0];
    for (int i = 0; i < R; i++) gsz[1 + i] = size[2 + i];
    gsz[ns - 1] = R;
    for (int i = 0; i < ns; i++)
        if (size[i] <= 0) {
            onnx_error(c, "size[%d] = %lld: expected positive sizes", i, (long long)size[i]);
            return ONNX_RC_FAIL;
        }
    /* ONNX's base grid with align_corners=1 is linspace(-1, 1, n): -1 on an
     * axis of size 1, where PyTorch's affine_grid (the library) puts 0. The
     * same grid follows from moving theta's column for that axis (x: W, y: H,
     * z: D) times -1 into the translation column. */
    void *theta = th->data, *theta_copy = NULL;
    if (ac) {
        const int64_t nb = th->shape[0], rows = th->shape[1], cols = th->shape[2];
        for (int i = 0; i < R; i++) {
            if (size[ns - 1 - i] != 1 || cols != R + 1) continue;
            if (th->dtype != CLRS_F32 && th->dtype != CLRS_F64) {
                onnx_error(c, "align_corners=1 with an axis of size 1 is implemented for float and double theta, "
                              "not %s", clrs_dtype_name(th->dtype));
                return ONNX_RC_FAIL;
            }
            if (!theta_copy) {
                theta_copy = malloc(th->nbytes ? th->nbytes : 1);
                if (!theta_copy) {
                    onnx_error(c, "out of memory");
                    return ONNX_RC_FAIL;
                }
                memcpy(theta_copy, th->data, th->nbytes);
                theta = theta_copy;
            }
            for (int64_t b = 0; b < nb * rows; b++) {
                if (th->dtype == CLRS_F32) {
                    float *t = (float *)theta_copy + b * cols;
                    t[R] -= t[i];
                } else {
                    double *t = (double *)theta_copy + b * cols;
                    t[R] -= t[i];
                }
            }
        }
    }
    void *bg = NULL;
    if ((rc = onnx_data_out_alloc(c, th->dtype, ns, gsz, &dg, &bg))) {
        free(theta_copy);
        return rc;
    }
    clrs_status st = clrs_affine_grid(ctx, &dt, theta, ns, size, (int)ac, &dg, bg);
    free(theta_copy);
    if (st != CLRS_OK) {
        free(bg);
        return onnx_lib_fail(c, st);
    }
    return onnx_data_out_finish(c, 0, &dg, bg, ns, gsz);
}

const onnx_op_def onnx_ops_grid[] = {
    {"GridSample", grid_sample, 2, 2, 1, 1, 16, 22, "align_corners,mode,padding_mode"},
    {"AffineGrid", affine_grid, 1, 2, 1, 1, 20, 22, "align_corners,size (instead of input 2)"},
    {0},
};
