/* SPDX-License-Identifier: MIT */
/*
 * clresample ONNX semantics: operators as ONNX defines them (Resize,
 * Upsample, MaxPool, AveragePool, LpPool, Global*Pool, MaxUnpool,
 * DepthToSpace, SpaceToDepth), whose parameter structs carry ONNX's
 * attributes under ONNX's names. They run on the same kernels as the
 * PyTorch-semantics calls of <clresample.h>; only the plans differ.
 * Each has a host-memory form here and a cl_mem form (suffix _cl) that
 * enqueues like the calls of <clresample/cl_interop.h>.
 */
#ifndef CLRESAMPLE_ONNX_H
#define CLRESAMPLE_ONNX_H

#include "cl_interop.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Resize / Upsample (src/ops/onnx_resize.c) ------------------------- */

/* ONNX Resize (opsets 10, 11, 13, 18, 19; opsets in between take the
 * version before them) and Upsample (7, 9). Attributes under ONNX's names;
 * strings NULL = the ONNX default. Tensors: X and Y are clrs_tensor_desc
 * of rank 3..5; an ONNX tensor of rank 1 or 2 is described as rank 3 with
 * leading dims of size 1 and `rank` set to its ONNX rank (axes, roi,
 * scales and sizes then refer to the ONNX rank; the descriptor's leading
 * rank - `rank` dims must have size 1). ONNX ranks above 5: merge
 * non-resized neighbouring dims into one first. Any axes may be resized,
 * N and C included. Dtypes: f32, f64 (fp64 devices), f16, bf16, u8
 * (computed in float, or double for f64; uint8 results rounded half to
 * even and saturated, as ONNX's reference). Invalid attributes or
 * combinations: CLRS_ERR_BAD_PARAM naming the attribute and value. */
typedef struct clrs_onnx_resize_params {
    size_t struct_size;                      /* sizeof(clrs_onnx_resize_params) (set by _init) */
    int opset;                               /* Resize: 10..; Upsample: 7..9; 0 = the newest (19) */
    int upsample;                            /* 1: the Upsample operator */
    int rank;                                /* X's ONNX rank 1..5; 0 = the descriptor's rank */
    const char *mode;                        /* "nearest" (default), "linear", "cubic" */
    const char *coordinate_transformation_mode; /* "half_pixel" (default), "half_pixel_symmetric",
                                                   "pytorch_half_pixel", "align_corners", "asymmetric",
                                                   "tf_half_pixel_for_nn" (opset 11), "tf_crop_and_resize" */
    const char *nearest_mode;                /* "round_prefer_floor" (default), "round_prefer_ceil",
                                                "floor", "ceil" */
    double cubic_coeff_a;                    /* -0.75 */
    int exclude_outside;                     /* 0 */
    double extrapolation_value;              /* 0.0 */
    int antialias;                           /* 0 (opset 18+) */
    const char *keep_aspect_ratio_policy;    /* "stretch" (default), "not_larger", "not_smaller" (18+) */
    int n_axes;                              /* 0: all axes (opset 18+) */
    int64_t axes[8];
    int n_roi;                               /* 2 x (axes) values, tf_crop_and_resize only */
    double roi[16];
    int n_scales;                            /* exactly one of scales / sizes */
    double scales[8];
    int n_sizes;
    int64_t sizes[8];
} clrs_onnx_resize_params;

/** ONNX's defaults (opset 0 = newest, mode nearest, cubic_coeff_a -0.75). */
CLRS_API void clrs_onnx_resize_params_init(clrs_onnx_resize_params *p);
/** Y's sizes (the descriptor's rank; dims past it 0). */
CLRS_API clrs_status clrs_onnx_resize_output_shape(clrs_context *ctx, const clrs_tensor_desc *x,
                                                   const clrs_onnx_resize_params *p,
                                                   int64_t out_sizes[CLRS_MAX_RANK]);
CLRS_API clrs_status clrs_onnx_resize(clrs_context *ctx, const clrs_onnx_resize_params *p, const clrs_tensor_desc *x,
                                      const void *x_data, const clrs_tensor_desc *y, void *y_data);
CLRS_API clrs_status clrs_onnx_resize_cl(clrs_context *ctx, const clrs_onnx_resize_params *p,
                                         const clrs_tensor_desc *x, cl_mem x_mem, const clrs_tensor_desc *y,
                                         cl_mem y_mem, cl_command_queue queue, cl_uint num_wait,
                                         const cl_event *wait_list, cl_event *event);

/* ---- end of Resize ---- */

/* ---- pooling, unpooling, depth/space (src/ops/onnx_pool.c) ------------- */

/* ---- end of pooling ---- */

#ifdef __cplusplus
}
#endif

#endif /* CLRESAMPLE_ONNX_H */
