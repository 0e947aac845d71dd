/* SPDX-License-Identifier: MIT */
/*
 * clresample ONNX semantics: operators as ONNX defines them (Resize,
 * Upsample, MaxPool, AveragePool, LpPool, Global*Pool, MaxUnpool,
 * DepthToSpace, SpaceToDepth, Conv, ConvTranspose), whose parameter structs carry ONNX's
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

/* MaxPool, AveragePool, LpPool and the Global* forms, opsets 7..22, on
 * tensors of rank 3..5 (1..3 spatial axes), as onnx.reference computes
 * them. Lists follow ONNX: kernel_shape / strides / dilations have one
 * entry per spatial axis (n_* = 0: absent, ONNX's default: strides and
 * dilations 1), pads all begins then all ends (n_pads 0 or 2*spatial).
 * Output shape: floor (ceil with ceil_mode, minus one when the last
 * window would start in the end pad) of
 * (in + pad_begin + pad_end - dilation*(kernel-1) - 1) / stride + 1;
 * auto_pad SAME_*: ceil(in / stride), the pads (out - 1)*stride +
 * dilation*(kernel-1) + 1 - in split with the odd one at the end for
 * SAME_UPPER, at the begin for SAME_LOWER; VALID: no pads, floor((in -
 * dilation*(kernel-1) - 1) / stride) + 1 (the ONNX docs' rules; with
 * dilations > 1 onnx.reference's stride-1 path and onnxruntime size SAME
 * pads without the dilation; a negative SAME pad total, stride > kernel,
 * is 0 as in TensorFlow). ceil_mode needs auto_pad NOTSET. Explicit
 * pads < kernel (as onnxruntime requires).
 * AveragePool's divisor: count_include_pad 1: the window's taps before the
 * padded end (a ceil_mode window running past it counts fewer, as both
 * onnx.reference and onnxruntime do); 0: the taps inside the input.
 * LpPool: (kernel volume * (sum |x|^p over the input taps) / (taps before
 * the padded end))^(1/p), which is (sum |x|^p)^(1/p) except in ceil_mode
 * windows past the padded end, where onnx.reference computes this and
 * onnxruntime the plain sum.
 * MaxPool's Indices (i64): flat over the whole tensor, n and c included:
 * (n*C + c)*D*H*W + the spatial position row-major (storage_order 0) or
 * column-major (1, the first spatial axis varies fastest). Padding is
 * never the max; ties keep the first tap; a NaN in the window is the max
 * (PyTorch's rule; ONNX leaves it open). Dtypes: f32, f64 (fp64 devices), f16, bf16; u8 and u16
 * for MaxPool and GlobalMaxPool. */
typedef enum clrs_onnx_pool_op {
    CLRS_ONNX_MAX_POOL = 0,
    CLRS_ONNX_AVERAGE_POOL = 1,
    CLRS_ONNX_LP_POOL = 2,
    CLRS_ONNX_GLOBAL_MAX_POOL = 3,
    CLRS_ONNX_GLOBAL_AVERAGE_POOL = 4,
    CLRS_ONNX_GLOBAL_LP_POOL = 5
} clrs_onnx_pool_op;

typedef enum clrs_onnx_auto_pad {
    CLRS_ONNX_NOTSET = 0,
    CLRS_ONNX_SAME_UPPER = 1,
    CLRS_ONNX_SAME_LOWER = 2,
    CLRS_ONNX_VALID = 3
} clrs_onnx_auto_pad;

typedef struct clrs_onnx_pool_params {
    size_t struct_size; /* sizeof(clrs_onnx_pool_params): set by _init */
    clrs_onnx_pool_op op;
    int n_kernel_shape;
    int64_t kernel_shape[3]; /* required by the windowed ops; ignored by Global* */
    int n_strides;
    int64_t strides[3];
    int n_pads;
    int64_t pads[6];
    int n_dilations;
    int64_t dilations[3];
    clrs_onnx_auto_pad auto_pad; /* NOTSET (default) */
    int ceil_mode;               /* 0 (default) */
    int count_include_pad;       /* AveragePool; 0 (default) */
    int64_t p;                   /* LpPool / GlobalLpPool; 2 (default) */
    int storage_order;           /* MaxPool's Indices; 0 (default) or 1 */
} clrs_onnx_pool_params;

/* ONNX's defaults for op (call before filling the lists). */
CLRS_API void clrs_onnx_pool_params_init(clrs_onnx_pool_params *p, clrs_onnx_pool_op op);
/* Y's sizes (rank of x; the rest 0). */
CLRS_API clrs_status clrs_onnx_pool_output_shape(clrs_context *ctx, const clrs_tensor_desc *x,
                                                 const clrs_onnx_pool_params *p,
                                                 int64_t out_sizes[CLRS_MAX_RANK]);
/* y: x's dtype and rank; indices (MaxPool only; NULL for none): i64 of y's
 * sizes. Any strides (channels-last, views). */
CLRS_API clrs_status clrs_onnx_pool(clrs_context *ctx, const clrs_onnx_pool_params *p,
                                    const clrs_tensor_desc *x, const void *x_data,
                                    const clrs_tensor_desc *y, void *y_data,
                                    const clrs_tensor_desc *indices, void *idx_data);
CLRS_API clrs_status clrs_onnx_pool_cl(clrs_context *ctx, const clrs_onnx_pool_params *p,
                                       const clrs_tensor_desc *x, cl_mem x_mem,
                                       const clrs_tensor_desc *y, cl_mem y_mem,
                                       const clrs_tensor_desc *indices, cl_mem idx_mem,
                                       cl_command_queue queue, cl_uint num_wait,
                                       const cl_event *wait_list, cl_event *event);

/* MaxUnpool (opsets 9, 11, 22): x and indices (i64, x's sizes; ONNX's
 * whole-tensor flat indices as MaxPool makes them); n_kernel_shape =
 * spatial rank, n_strides the same or 0 (all 1), n_pads 0 or 2*spatial. The inferred shape is
 * (in - 1)*stride - pad_begin - pad_end + kernel per axis; each x element
 * goes to flat position I of a zero tensor of the inferred shape, which
 * is then placed at the origin of the output_shape tensor (n_output_shape
 * = rank of x, with x's N and C; 0: absent), as onnx.reference does
 * (onnxruntime instead indexes the output_shape tensor directly; both
 * agree when output_shape is the inferred shape). output_shape must be
 * >= the inferred shape per axis. An index outside [0, numel(inferred))
 * is CLRS_ERR_BAD_PARAM. Where indices of two (n, c) planes name the same
 * element, which is written last is unspecified (MaxPool's never do);
 * within a plane the last in C order wins. Any dtype (bits are copied). */
typedef struct clrs_onnx_unpool_params {
    size_t struct_size; /* set by _init */
    int n_kernel_shape;
    int64_t kernel_shape[3];
    int n_strides;
    int64_t strides[3];
    int n_pads;
    int64_t pads[6];
    int n_output_shape; /* 0: none */
    int64_t output_shape[CLRS_MAX_RANK];
} clrs_onnx_unpool_params;

CLRS_API void clrs_onnx_unpool_params_init(clrs_onnx_unpool_params *p);
CLRS_API clrs_status clrs_onnx_max_unpool_output_shape(clrs_context *ctx, const clrs_tensor_desc *x,
                                                       const clrs_onnx_unpool_params *p,
                                                       int64_t out_sizes[CLRS_MAX_RANK]);
CLRS_API clrs_status clrs_onnx_max_unpool(clrs_context *ctx, const clrs_onnx_unpool_params *p,
                                          const clrs_tensor_desc *x, const void *x_data,
                                          const clrs_tensor_desc *indices, const void *idx_data,
                                          const clrs_tensor_desc *y, void *y_data);
CLRS_API clrs_status clrs_onnx_max_unpool_cl(clrs_context *ctx, const clrs_onnx_unpool_params *p,
                                             const clrs_tensor_desc *x, cl_mem x_mem,
                                             const clrs_tensor_desc *indices, cl_mem idx_mem,
                                             const clrs_tensor_desc *y, cl_mem y_mem,
                                             cl_command_queue queue, cl_uint num_wait,
                                             const cl_event *wait_list, cl_event *event);

/* DepthToSpace (mode DCR, ONNX's default, or CRD = torch's pixel_shuffle)
 * and SpaceToDepth (ONNX's order is DCR; CRD = torch's pixel_unshuffle),
 * rank 4, blocksize > 0. DCR: y[n, c, h*b + i, w*b + j] =
 * x[n, (i*b + j)*C + c, h, w]; CRD: x[n, c*b*b + i*b + j, h, w]. Any dtype. */
typedef enum clrs_onnx_depth_mode { CLRS_ONNX_DCR = 0, CLRS_ONNX_CRD = 1 } clrs_onnx_depth_mode;

CLRS_API clrs_status clrs_onnx_depth_to_space_output_shape(clrs_context *ctx, const clrs_tensor_desc *x,
                                                           int64_t blocksize, int64_t out_sizes[CLRS_MAX_RANK]);
CLRS_API clrs_status clrs_onnx_depth_to_space(clrs_context *ctx, int64_t blocksize, clrs_onnx_depth_mode mode,
                                              const clrs_tensor_desc *x, const void *x_data,
                                              const clrs_tensor_desc *y, void *y_data);
CLRS_API clrs_status clrs_onnx_depth_to_space_cl(clrs_context *ctx, int64_t blocksize, clrs_onnx_depth_mode mode,
                                                 const clrs_tensor_desc *x, cl_mem x_mem,
                                                 const clrs_tensor_desc *y, cl_mem y_mem,
                                                 cl_command_queue queue, cl_uint num_wait,
                                                 const cl_event *wait_list, cl_event *event);
CLRS_API clrs_status clrs_onnx_space_to_depth_output_shape(clrs_context *ctx, const clrs_tensor_desc *x,
                                                           int64_t blocksize, int64_t out_sizes[CLRS_MAX_RANK]);
CLRS_API clrs_status clrs_onnx_space_to_depth(clrs_context *ctx, int64_t blocksize, clrs_onnx_depth_mode mode,
                                              const clrs_tensor_desc *x, const void *x_data,
                                              const clrs_tensor_desc *y, void *y_data);
CLRS_API clrs_status clrs_onnx_space_to_depth_cl(clrs_context *ctx, int64_t blocksize, clrs_onnx_depth_mode mode,
                                                 const clrs_tensor_desc *x, cl_mem x_mem,
                                                 const clrs_tensor_desc *y, cl_mem y_mem,
                                                 cl_command_queue queue, cl_uint num_wait,
                                                 const cl_event *wait_list, cl_event *event);

/* ---- end of pooling ---- */

/* ---- Conv / ConvTranspose (src/ops/onnx_conv.c) ---------------------- */

/* ONNX Conv and ConvTranspose (opsets 1..22: the attributes have not
 * changed since opset 1/11), on tensors of rank 3..5 (1..3 spatial axes),
 * with the kernels of clrs_conv / clrs_conv_transpose. X (N, C, ...);
 * W: Conv (M, C/group, k...), ConvTranspose (C, M/group, k...); B: (M) or
 * NULL. Lists as ONNX has them (n_* = 0: absent): kernel_shape,
 * strides, dilations one per spatial axis; pads all begins then all ends
 * (asymmetric allowed); kernel_shape, when given, must equal W's spatial
 * sizes. `pads` cannot be given with an auto_pad other than NOTSET.
 * Conv: out = floor((in + begin + end - ((k-1)*d + 1)) / s) + 1;
 * auto_pad SAME_*: out = ceil(in / s), total pad = max(0, (out-1)*s +
 * (k-1)*d + 1 - in), the odd one at the end (SAME_UPPER) or the begin
 * (SAME_LOWER); VALID: no pads.
 * ConvTranspose: out = s*(in-1) + output_padding + (k-1)*d + 1 - begin
 * - end; with output_shape (spatial sizes; a full-rank list's last
 * spatial entries are taken) the output is output_shape and the pads
 * (given ones ignored) are total = s*(in-1) + output_padding + (k-1)*d +
 * 1 - output_shape split, as ONNX's docs write it with floor division:
 * SAME_UPPER begin = total/2, else (NOTSET, SAME_LOWER, VALID) end =
 * total/2; the rest on the other side (a negative total adds outputs
 * that no input reaches: zero plus bias). auto_pad SAME_* without
 * output_shape: output_shape = in * s. output_padding < stride or <
 * dilation per axis (PyTorch's rule). Sums in the dtype's accumulator
 * (f32 for f16/bf16, f64 for f64) in the order of clrs_conv. Dtypes:
 * f32, f64 (fp64 devices), f16, bf16. Invalid attributes: CLRS_ERR_BAD_PARAM
 * naming the attribute and value; shape mismatches: CLRS_ERR_BAD_SHAPE. */
typedef struct clrs_onnx_conv_params {
    size_t struct_size;          /* sizeof(clrs_onnx_conv_params): set by _init */
    clrs_onnx_auto_pad auto_pad; /* NOTSET (default) */
    int n_kernel_shape;
    int64_t kernel_shape[3];
    int n_strides;
    int64_t strides[3];
    int n_pads;
    int64_t pads[6];
    int n_dilations;
    int64_t dilations[3];
    int64_t group; /* 1 (default) */
    int n_output_padding; /* ConvTranspose only */
    int64_t output_padding[3];
    int n_output_shape; /* ConvTranspose only; spatial rank (or X's rank) */
    int64_t output_shape[CLRS_MAX_RANK];
} clrs_onnx_conv_params;

/* ONNX's defaults (group 1, every list absent). */
CLRS_API void clrs_onnx_conv_params_init(clrs_onnx_conv_params *p);
/* Y's sizes (rank of x; the rest 0). */
CLRS_API clrs_status clrs_onnx_conv_output_shape(clrs_context *ctx, const clrs_onnx_conv_params *p,
                                                 const clrs_tensor_desc *x, const clrs_tensor_desc *w,
                                                 int64_t out_sizes[CLRS_MAX_RANK]);
CLRS_API clrs_status clrs_onnx_conv(clrs_context *ctx, const clrs_onnx_conv_params *p, const clrs_tensor_desc *x,
                                    const void *x_data, const clrs_tensor_desc *w, const void *w_data,
                                    const clrs_tensor_desc *b, const void *b_data, const clrs_tensor_desc *y,
                                    void *y_data);
CLRS_API clrs_status clrs_onnx_conv_cl(clrs_context *ctx, const clrs_onnx_conv_params *p, const clrs_tensor_desc *x,
                                       cl_mem x_mem, const clrs_tensor_desc *w, cl_mem w_mem,
                                       const clrs_tensor_desc *b, cl_mem b_mem, const clrs_tensor_desc *y,
                                       cl_mem y_mem, cl_command_queue queue, cl_uint num_wait,
                                       const cl_event *wait_list, cl_event *event);
CLRS_API clrs_status clrs_onnx_conv_transpose_output_shape(clrs_context *ctx, const clrs_onnx_conv_params *p,
                                                           const clrs_tensor_desc *x, const clrs_tensor_desc *w,
                                                           int64_t out_sizes[CLRS_MAX_RANK]);
CLRS_API clrs_status clrs_onnx_conv_transpose(clrs_context *ctx, const clrs_onnx_conv_params *p,
                                              const clrs_tensor_desc *x, const void *x_data,
                                              const clrs_tensor_desc *w, const void *w_data,
                                              const clrs_tensor_desc *b, const void *b_data,
                                              const clrs_tensor_desc *y, void *y_data);
CLRS_API clrs_status clrs_onnx_conv_transpose_cl(clrs_context *ctx, const clrs_onnx_conv_params *p,
                                                 const clrs_tensor_desc *x, cl_mem x_mem, const clrs_tensor_desc *w,
                                                 cl_mem w_mem, const clrs_tensor_desc *b, cl_mem b_mem,
                                                 const clrs_tensor_desc *y, cl_mem y_mem, cl_command_queue queue,
                                                 cl_uint num_wait, const cl_event *wait_list, cl_event *event);

/* ---- end of Conv ---- */

#ifdef __cplusplus
}
#endif

#endif /* CLRESAMPLE_ONNX_H */
