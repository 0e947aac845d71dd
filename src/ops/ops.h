/* SPDX-License-Identifier: MIT */
/* Shared declarations of the operator implementations. */
#ifndef CLRS_OPS_H
#define CLRS_OPS_H
#include "../internal.h"

/* interpolate's resolved arguments (src/ops/interpolate.c) */
typedef struct clrs_interp_plan {
    clrs_interp_mode mode;
    int sp;                     /* spatial rank */
    int align_corners;
    int antialias;
    int64_t in[3], out[3];      /* spatial sizes */
    double scale[3];            /* scale_factor used for coordinates, -1 = none (in/out) */
    int64_t out_sizes[CLRS_MAX_RANK];
    int64_t numel_out;
    int for_backward; /* the tables of torch's backward: antialias weights also for
                         unchanged axes (its forward skips them), linear modes' source
                         coordinates always fused (a multiply-add, as its backward kernels
                         compute them on x86) */
} clrs_interp_plan;

clrs_status clrs__interp_plan(clrs_context *ctx, const clrs_tensor_desc *in, const clrs_interpolate_params *p,
                              clrs_interp_plan *plan);
/* interpolate's enqueue (op: a clrs_interp_plan; t[0] input, t[1] output);
 * resize_batch.c runs it per image */
clrs_status clrs__interp_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                                 cl_uint nwait, const cl_event *wait, cl_event *ev);
/* PyTorch CPU's nearest / nearest-exact source index under its "idx" or
 * "generic" kernel rule (see interpolate.c). */
int64_t clrs__nearest_index(int exact, int idx_rule, int f64, int64_t o, int64_t in, int64_t out, double scale);

/* One spatial axis of the resampling engine (src/ops/interp_weights.c):
 * `taps` entries per output index; idx -1 = dropped tap. For the uint8
 * fixed-point path the weights are integers with `prec` fraction bits. */
typedef struct clrs_axis_taps {
    int taps;
    int64_t out;
    cl_long *idx;
    double *w;
    int prec;
    int identity; /* a plain copy along this axis */
} clrs_axis_taps;
void clrs__axis_taps_free(clrs_axis_taps *t);

/* ---- a general per-axis resampling description (resample_desc.c) ----
 * One axis of a separable resampling: a coordinate transform (output index
 * -> source coordinate), a kernel (nearest with its rounding rule, linear,
 * cubic(a) with or without exclude_outside, lanczos, area), antialiasing
 * on/off with its border rule, the out-of-range policy (clamp to the edge,
 * or a constant output where the coordinate leaves [0, in-1]), and whose
 * arithmetic turns it into a tap table. Both front-ends build these: the
 * ONNX front-end (onnx_resize.c) with ONNX's reference arithmetic (double,
 * op_resize.py's order; antialias taps clamped to the edge), the PyTorch
 * front-end (interpolate.c: clrs__interp_axis) with PyTorch CPU's
 * (interp_weights.c: float or double opmath, which multiply-adds are fused,
 * uint8 fixed point; antialias taps outside the input dropped and the
 * window renormalised), whose bits are measured against PyTorch. */
typedef enum clrs_rs_coord {
    CLRS_RC_HALF_PIXEL,
    CLRS_RC_HALF_PIXEL_SYMMETRIC,
    CLRS_RC_PYTORCH_HALF_PIXEL,
    CLRS_RC_ALIGN_CORNERS,
    CLRS_RC_ASYMMETRIC,
    CLRS_RC_TF_HALF_PIXEL_FOR_NN,
    CLRS_RC_TF_CROP_AND_RESIZE
} clrs_rs_coord;
typedef enum clrs_rs_kernel {
    CLRS_RK_NEAREST,
    CLRS_RK_LINEAR,
    CLRS_RK_CUBIC,
    CLRS_RK_LANCZOS, /* lanczos-3 (PyTorch arithmetic only: clresample's antialiased mode) */
    CLRS_RK_AREA     /* adaptive-average windows (PyTorch arithmetic only: mode 'area') */
} clrs_rs_kernel;
/* Whose arithmetic builds the table from the description. */
typedef enum clrs_rs_arith {
    CLRS_RA_ONNX_REF = 0, /* ONNX's reference evaluator (resample_desc.c) */
    CLRS_RA_TORCH_CPU     /* PyTorch's CPU kernels (interp_weights.c) */
} clrs_rs_arith;
typedef enum clrs_rs_round {
    CLRS_RR_ROUND_PREFER_FLOOR,
    CLRS_RR_ROUND_PREFER_CEIL,
    CLRS_RR_FLOOR,
    CLRS_RR_CEIL,
    CLRS_RR_SIMPLE /* onnxruntime's opset-10 / Upsample rule: floor when upsampling, ceil when downsampling */
} clrs_rs_round;
typedef enum clrs_rs_oor { CLRS_OOR_CLAMP, CLRS_OOR_CONSTANT } clrs_rs_oor;
typedef struct clrs_rs_axis {
    int64_t in, out;
    double scale;     /* the scale of the coordinate transform (ONNX: given, or out/in) */
    clrs_rs_coord coord;
    double roi0, roi1; /* tf_crop_and_resize */
    clrs_rs_kernel kernel;
    clrs_rs_round round;
    double cubic_a;
    int exclude_outside;
    int antialias;
    clrs_rs_oor oor;
    clrs_rs_arith arith;
    /* CLRS_RA_TORCH_CPU only (coord is ALIGN_CORNERS or HALF_PIXEL;
     * nearest: ASYMMETRIC for 'nearest', HALF_PIXEL for 'nearest-exact') */
    int scale_given;      /* scale is F.interpolate's scale_factor (else torch divides in / out) */
    int f64;              /* opmath double (else float: f32, f16, bf16, uint16, area) */
    int fixed;            /* uint8: PyTorch's int16 fixed-point weights */
    int fused_coord;      /* the source coordinate is a multiply-add (which torch kernel runs) */
    int aa_unchanged;     /* antialias weights also where in == out (torch's backward) */
    int nearest_idx_rule; /* nearest: torch's "idx" kernel rule (else its "generic" one) */
} clrs_rs_axis;
/* The axis' tap table (weights in double; nearest: one tap of weight 1)
 * and, when outside != NULL, outside[o] = 1 where output o's coordinate is
 * out of range under CLRS_OOR_CONSTANT (else 0). */
clrs_status clrs__rs_axis_taps(const clrs_context *ctx, const clrs_rs_axis *ax, clrs_axis_taps *t,
                               unsigned char *outside);
/* Whether the axis is a plain copy (ONNX's reference skips such axes). */
int clrs__rs_axis_identity(const clrs_rs_axis *ax);
/* The table of a CLRS_RA_TORCH_CPU description (interp_weights.c; called
 * by clrs__rs_axis_taps). */
clrs_status clrs__torch_axis_taps(const clrs_context *ctx, const clrs_rs_axis *ax, clrs_axis_taps *t);
/* The PyTorch front-end's description of spatial axis a of an interpolate
 * plan for dtype dt (interpolate.c); fixed: the uint8 fixed-point path;
 * nearest_idx_rule: see clrs__nearest_index. */
void clrs__interp_axis(const clrs_interp_plan *plan, int a, clrs_dtype dt, int fixed, int nearest_idx_rule,
                       clrs_rs_axis *ax);

/* ---- the resampling engine (resample_engine.c) ---- */
/* Nearest: one tap per spatial axis; tab holds each axis' source offsets
 * (index x input stride) from toff[a], ntab entries in all, the largest
 * max_tab; the call frees tab. Family "gather". */
clrs_status clrs__rs_gather(clrs_context *ctx, cl_command_queue q, const clrs_targ *src, const clrs_targ *dst,
                            cl_long *tab, const int64_t *toff, int64_t ntab, int64_t max_tab, cl_uint nwait,
                            const cl_event *wait, cl_event *ev);
/* One weighted pass from sd to dd: tabs[a] is the table of spatial axis a,
 * or NULL to copy along it; fixed: PyTorch's uint8 fixed-point pass.
 * Family "resample". */
clrs_status clrs__rs_pass(clrs_context *ctx, cl_command_queue q, const clrs_tensor_desc *sd, cl_mem sm,
                          const clrs_tensor_desc *dd, cl_mem dm, const clrs_axis_taps *const *tabs, int sp, int fixed,
                          cl_uint nwait, const cl_event *wait, cl_event *ev);
/* The same with options that default off (existing programs keep their
 * -D strings): u8_rte: a non-fixed pass storing uint8 rounds to nearest
 * even (ONNX's reference: np.round, then saturate) instead of truncating. */
typedef struct clrs_rs_opts {
    int u8_rte;
} clrs_rs_opts;
clrs_status clrs__rs_pass_ex(clrs_context *ctx, cl_command_queue q, const clrs_tensor_desc *sd, cl_mem sm,
                             const clrs_tensor_desc *dd, cl_mem dm, const clrs_axis_taps *const *tabs, int sp,
                             int fixed, const clrs_rs_opts *xo, cl_uint nwait, const cl_event *wait, cl_event *ev);

/* ---- pooling (pool.c) ---- */
/* Resolved pooling arguments: PyTorch's checks and shape rule, in the
 * 3-axis (D, H, W) form (missing leading axes have size 1, kernel 1). */
typedef struct clrs_pool_plan {
    clrs_pool_kind kind;
    int sp;                                /* spatial rank */
    int64_t in3[3], out3[3];               /* spatial sizes */
    int64_t k3[3], s3[3], p3[3], d3[3];    /* kernel, stride, padding, dilation */
    int ceil_mode, count_include_pad;
    int64_t divisor_override;              /* 0 = none */
    double norm_type;                      /* LP */
    int lp_inf;                            /* LP: +1 / -1 for p = +-inf, else 0 */
    int mean_path;                         /* adaptive avg to all-ones: no input checks */
    const void *samples;                   /* fractional: (N, C, sp) or NULL (seed) */
    clrs_dtype samples_dtype;
    uint64_t seed;
    int64_t out_sizes[CLRS_MAX_RANK];
    int64_t numel_out;
    /* ONNX's windows (src/ops/onnx_pool.c; 0 for PyTorch's): p3 holds the
     * begin pads, pe3 the end pads; only the general engine runs them,
     * built with -DONNX=1 */
    int onnx;
    int64_t pe3[3];
} clrs_pool_plan;

/* The one pooling shape function (clrs_pool_output_shape uses it). */
clrs_status clrs__pool_plan(clrs_context *ctx, const clrs_tensor_desc *in, const clrs_pool_params *p,
                            clrs_pool_plan *plan);
/* A clrs_enqueue_fn for a plan: t[0] input, t[1] output, t[2] (nt == 3)
 * int64 indices. Usable by other ops, e.g. interpolate 'area' is
 * CLRS_POOL_ADAPTIVE_AVG with the output's spatial sizes. */
clrs_status clrs__pool_enqueue(clrs_context *ctx, const void *plan, clrs_targ *t, int nt, cl_command_queue q,
                               cl_uint nwait, const cl_event *wait, cl_event *ev);

/* ---- depth / space (pixel_shuffle.c) ---- */
/* Pixel shuffle (inverse 0) / unshuffle (1) in torch's channel order
 * (dcr 0, ONNX's CRD) or ONNX's DCR order (dcr 1); `op` names it in
 * messages. Host and cl_mem forms. */
clrs_status clrs__shuffle_output_shape(clrs_context *ctx, const char *op, const clrs_tensor_desc *in, int64_t factor,
                                       int inverse, int64_t out_sizes[CLRS_MAX_RANK]);
clrs_status clrs__shuffle_host(clrs_context *ctx, const char *op, int64_t factor, int inverse, int dcr,
                               const clrs_tensor_desc *in, const void *in_data, const clrs_tensor_desc *out,
                               void *out_data);
clrs_status clrs__shuffle_cl(clrs_context *ctx, const char *op, int64_t factor, int inverse, int dcr,
                             const clrs_tensor_desc *in, cl_mem in_mem, const clrs_tensor_desc *out, cl_mem out_mem,
                             cl_command_queue queue, cl_uint num_wait, const cl_event *wait_list, cl_event *event);
#endif
