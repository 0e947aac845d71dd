/* SPDX-License-Identifier: MIT */
/* clresample onnx: Resize (opsets 10..19) and Upsample (7, 9), on
 * clrs_onnx_resize (include/clresample/onnx.h). Inputs as ONNX orders them
 * (Resize-10: X, scales; 11+: X, roi, scales, sizes; Upsample-9: X,
 * scales; Upsample-7: X and the scales attribute); roi / scales / sizes may
 * also come as --roi / --scales / --sizes lists, and an empty tensor counts
 * as not given. X may have rank 1 to 5. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clresample/onnx.h>

#include "onnx_cli.h"

static int run_resize(onnx_call *c, int upsample)
{
    clrs_onnx_resize_params p;
    clrs_onnx_resize_params_init(&p);
    p.upsample = upsample;
    p.opset = c->opset;
    if (!c->given[0]) {
        onnx_error(c, "input X is required");
        return ONNX_RC_USAGE;
    }
    const npy_array *x = &c->in[0];
    const int r = x->ndim;
    if (r < 1 || r > CLRS_MAX_RANK) {
        onnx_error(c, "X has rank %d; 1 to %d here (merge non-resized dims first)", r, CLRS_MAX_RANK);
        return ONNX_RC_USAGE;
    }
    int rc;
    if ((rc = onnx_attr_str(c, "mode", NULL, &p.mode))) return rc;
    const int legacy = upsample || c->opset == 10;
    if (!legacy) {
        double v;
        int64_t iv;
        if ((rc = onnx_attr_str(c, "coordinate_transformation_mode", NULL, &p.coordinate_transformation_mode)))
            return rc;
        if ((rc = onnx_attr_str(c, "nearest_mode", NULL, &p.nearest_mode))) return rc;
        /* FLOAT attributes: ONNX stores them as float32 */
        if ((rc = onnx_attr_float(c, "cubic_coeff_a", -0.75, &v))) return rc;
        p.cubic_coeff_a = (double)(float)v;
        if ((rc = onnx_attr_float(c, "extrapolation_value", 0.0, &v))) return rc;
        p.extrapolation_value = (double)(float)v;
        if ((rc = onnx_attr_int(c, "exclude_outside", 0, &iv))) return rc;
        if (iv != 0 && iv != 1) {
            onnx_error(c, "--exclude_outside %lld (0 or 1)", (long long)iv);
            return ONNX_RC_USAGE;
        }
        p.exclude_outside = (int)iv;
        if (c->opset >= 18 || c->opset == 0) {
            if ((rc = onnx_attr_int(c, "antialias", 0, &iv))) return rc;
            if (iv != 0 && iv != 1) {
                onnx_error(c, "--antialias %lld (0 or 1)", (long long)iv);
                return ONNX_RC_USAGE;
            }
            p.antialias = (int)iv;
            if ((rc = onnx_attr_str(c, "keep_aspect_ratio_policy", NULL, &p.keep_aspect_ratio_policy))) return rc;
            int n;
            if ((rc = onnx_attr_ints(c, "axes", p.axes, 8, &n))) return rc;
            p.n_axes = n < 0 ? 0 : n;
            if (n == 0) {
                onnx_error(c, "--axes is an empty list");
                return ONNX_RC_USAGE;
            }
        }
    }
    int n;
    if (upsample && c->opset > 0 && c->opset < 9) {
        if ((rc = onnx_attr_floats(c, "scales", p.scales, 8, &n))) return rc;
        if (n < 0) {
            onnx_error(c, "Upsample-7 needs the scales attribute (--scales)");
            return ONNX_RC_USAGE;
        }
        p.n_scales = n;
    } else if (legacy) {
        if ((rc = onnx_input_floats(c, 1, "scales", p.scales, 8, &n))) return rc;
        if (n <= 0) {
            onnx_error(c, "%s-%d needs the scales input", upsample ? "Upsample" : "Resize", c->opset);
            return ONNX_RC_USAGE;
        }
        p.n_scales = n;
    } else {
        if ((rc = onnx_input_floats(c, 1, "roi", p.roi, 16, &n))) return rc;
        p.n_roi = n < 0 ? 0 : n;
        if ((rc = onnx_input_floats(c, 2, "scales", p.scales, 8, &n))) return rc;
        p.n_scales = n < 0 ? 0 : n;
        if ((rc = onnx_input_ints(c, 3, "sizes", p.sizes, 8, &n))) return rc;
        p.n_sizes = n < 0 ? 0 : n;
        /* roi is read by tf_crop_and_resize only (opsets 11-13 require the
         * input, often as an empty or all-default tensor) */
        if (p.coordinate_transformation_mode == NULL || strcmp(p.coordinate_transformation_mode, "tf_crop_and_resize") != 0)
            p.n_roi = 0;
    }
    /* rank 1 or 2: described as rank 3 with leading 1s */
    const int dr = r < 3 ? 3 : r;
    int64_t dshape[CLRS_MAX_RANK];
    for (int i = 0; i < dr - r; i++) dshape[i] = 1;
    for (int i = 0; i < r; i++) dshape[dr - r + i] = x->shape[i];
    p.rank = r;
    clrs_context *ctx = onnx_ctx(c);
    if (ctx == NULL) return ONNX_RC_FAIL;
    clrs_tensor_desc xd, yd;
    void *xb = NULL, *yb = NULL;
    if ((rc = onnx_data_in(c, 0, dr, dshape, &xd, &xb))) return rc;
    int64_t osz[CLRS_MAX_RANK];
    clrs_status st = clrs_onnx_resize_output_shape(ctx, &xd, &p, osz);
    if (st != CLRS_OK) {
        free(xb);
        return onnx_lib_fail(c, st);
    }
    if ((rc = onnx_data_out_alloc(c, xd.dtype, dr, osz, &yd, &yb))) {
        free(xb);
        return rc;
    }
    st = clrs_onnx_resize(ctx, &p, &xd, xb, &yd, yb);
    free(xb);
    if (st != CLRS_OK) {
        free(yb);
        return onnx_lib_fail(c, st);
    }
    return onnx_data_out_finish(c, 0, &yd, yb, r, osz + (dr - r));
}

static int op_resize(onnx_call *c) { return run_resize(c, 0); }
static int op_upsample(onnx_call *c) { return run_resize(c, 1); }

const onnx_op_def onnx_ops_resize[] = {
    {"Resize", op_resize, 1, 4, 1, 1, 10, 19,
     "mode,coordinate_transformation_mode,nearest_mode,cubic_coeff_a,exclude_outside,extrapolation_value,antialias,"
     "axes,keep_aspect_ratio_policy (inputs X,roi,scales,sizes; or --roi/--scales/--sizes)"},
    {"Upsample", op_upsample, 1, 2, 1, 1, 7, 9, "mode,scales (opset 7: attribute; 9: input or --scales)"},
    {0},
};
