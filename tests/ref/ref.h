/* SPDX-License-Identifier: MIT */
/*
 * clresample test oracle: a plain-C, straightforward-loops reference
 * implementation of every operator, written from PyTorch's semantics
 * (docs/semantics.md and the PyTorch sources it cites). Checked against
 * torch 2.15.0 (CPU).
 *
 * Conventions
 *  - All tensors are contiguous C-order arrays of double with the logical
 *    shape (N, C, spatial...), rank 3, 4 or 5 (1, 2 or 3 spatial axes).
 *    Index tensors are contiguous int64_t arrays of the same shape.
 *  - Values in `in` are assumed to be representable in `dtype` already
 *    (the caller converts them when filling the device buffers).
 *  - The computation is done in double; the result is rounded once to the
 *    storage precision of `dtype` (see ref_round_to_dtype; LP pooling rounds
 *    each stage of its composition), except where a
 *    PyTorch rule is integer/bit exact and is emulated as such:
 *      * nearest / nearest-exact source indices (float32 index maths),
 *      * uint8 linear/bicubic/antialias/lanczos interpolation (PyTorch CPU's
 *        int16 fixed-point separable passes with uint8 intermediates),
 *      * fractional max pooling window starts (computed in the input dtype's
 *        arithmetic, as PyTorch's generate_intervals<scalar_t> does).
 *  - Return value: 0 (CLRS_OK) on success, otherwise a negative clrs_status:
 *      CLRS_ERR_INVALID_ARG   NULL pointer
 *      CLRS_ERR_BAD_PARAM     an argument PyTorch rejects on its own
 *                             (mode, align_corners, size/scale combination,
 *                             list lengths, kernel/stride/dilation <= 0,
 *                             padding < 0 or > kernel/2, p == 0, ratio, ...)
 *      CLRS_ERR_BAD_SHAPE     rank not 3..5, empty non-batch input axes,
 *                             computed/requested output size invalid
 *                             ("Output size is too small", size <= 0, pool
 *                             larger than input, C % r^2 != 0, ...), or
 *                             out_sizes not equal to what *_shape() returns
 *      CLRS_ERR_INDEX_OUT_OF_RANGE  max_unpool index outside the plane
 *      CLRS_ERR_BAD_DTYPE     dtype not meaningful for the operator
 *                             (CLRS_DTYPE_INVALID; I64 for non-nearest
 *                             interpolation; integer dtypes for LP pooling)
 *  - The batch size N may be 0 (empty output, nothing is computed).
 */
#ifndef CLRS_TESTS_REF_H
#define CLRS_TESTS_REF_H

#include <stdint.h>

#include "clresample.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* dtype helpers                                                            */

/**
 * Round v to the value the storage format of dt can hold:
 *  F64: v unchanged.  F32: round-to-nearest-even (overflow -> inf).
 *  F16, BF16: round-to-nearest-even directly from double, with subnormals
 *    and overflow to inf (PyTorch rounds from its float opmath result; the
 *    two differ only on rare double-rounding cases).
 *  U8, U16: NaN -> 0, truncation toward zero (PyTorch's float->integer cast),
 *    saturated to [0, 255] / [0, 65535].
 *  I64: truncation toward zero (NaN -> 0, saturated to the int64 range).
 *  CLRS_DTYPE_INVALID: v unchanged.
 */
double ref_round_to_dtype(double v, clrs_dtype dt);

/** IEEE binary16 conversions; f32->f16 rounds to nearest even (NaN -> sign|0x7e00). */
uint16_t ref_f32_to_f16_bits(float f);
float ref_f16_bits_to_f32(uint16_t h);
/** bfloat16 conversions as c10::BFloat16: round to nearest even, NaN -> 0x7fc0. */
uint16_t ref_f32_to_bf16_bits(float f);
float ref_bf16_bits_to_f32(uint16_t h);

/* ------------------------------------------------------------------------ */
/* Interpolation (F.interpolate)                                            */

/**
 * Output sizes (N, C, spatial...) that F.interpolate produces, with all its
 * argument checks:
 *  - exactly one of size / scale; n_size / n_scale is 1 (broadcast) or the
 *    spatial rank; size entries > 0 and input spatial sizes > 0, C > 0;
 *  - align_corners must be unset for nearest / nearest-exact / area;
 *  - recompute_scale_factor=1 with a size is an error; area with a scale
 *    always recomputes;  out = (int64)(in * scale) (truncation);
 *  - antialias only for linear-family, bicubic and lanczos; lanczos needs
 *    antialias=1 and align_corners unset/0.
 * Beyond PyTorch: LINEAR is accepted on every rank (BILINEAR only on rank 4,
 * TRILINEAR only on rank 5, as in PyTorch), and bicubic, antialias and
 * lanczos work on 1, 2 and 3 spatial axes with the same per-axis definition.
 */
int ref_interpolate_shape(int rank, const int64_t *in_sizes, const clrs_interpolate_params *p,
                          int64_t *out_sizes);

/** Which rule `nearest` / `nearest-exact` use for the source index. */
typedef enum ref_nearest_rule {
    /* at::native::nearest_idx / nearest_exact_idx (UpSample.h), used by
     * PyTorch CPU's channels-last kernel: float32 scale
     * ((float)(1.0/scale) or (float)in/(float)out); nearest: shortcuts
     * out==in -> dst and out==2*in -> dst>>1, else floorf((float)dst*scale);
     * nearest-exact: floorf((float)((dst+0.5)*(double)scale)). Default. */
    REF_NEAREST_IDX = 0,
    /* PyTorch CPU's generic TensorIterator kernel (HelperInterpNearest /
     * HelperInterpNearestExact) and, for float32, CUDA: no shortcuts, scale
     * and source coordinate in opmath (double for F64, float otherwise),
     * floored with floorf. */
    REF_NEAREST_GENERIC = 1,
    /* What PyTorch CPU actually runs for a contiguous (NCHW) input: rank 3 ->
     * GENERIC; rank 4 -> IDX when out_H + out_W <= 128 or (C > 3 and
     * H == W == 1), else GENERIC; rank 5 -> IDX when C > 3 and D == H == W
     * == 1, else GENERIC. */
    REF_NEAREST_TORCH_CPU = 2,
    /* Flag to OR into GENERIC / TORCH_CPU: evaluate nearest-exact's
     * `scale * (dst + 0.5) - 0.5` as one fused multiply-add. PyTorch's
     * AVX2/AVX512 kernel builds are compiled with FMA contraction and do this
     * (e.g. in=2 -> out=497, dst=248 gives source 1 instead of 0); the
     * DEFAULT (ATEN_CPU_CAPABILITY=default) build does not. */
    REF_NEAREST_FMA = 4
} ref_nearest_rule;

/**
 * Interpolate `in` (in_sizes) into `out` (out_sizes, which must equal what
 * ref_interpolate_shape returns). dtype selects the rounding of the result
 * and the integer paths:
 *  - nearest / nearest-exact: a pure gather (bit copy) for every dtype;
 *  - U8 with linear/bilinear/trilinear/bicubic (with or without antialias)
 *    or lanczos: PyTorch CPU's uint8 algorithm — per axis, last axis (W)
 *    first, then H, then D, skipping axes whose size does not change; int16
 *    weights with precision p = largest p < 22 with round(wmax*2^(p+1)) <
 *    2^15; acc = 2^(p-1) + sum(x*w); out = clamp(acc >> p, 0, 255); uint8
 *    intermediates. Non-antialiased bicubic uses A = -0.75, antialiased A =
 *    -0.5 (PIL). (PyTorch only has this for 2-D bilinear/bicubic/lanczos.)
 *  - integer area (U8, U16): truncated mean (PyTorch has no integer area).
 *  - U16 with a filtering mode: the double result rounded half away from
 *    zero and saturated (no PyTorch counterpart).
 *  - float dtypes: computed in double, rounded once to dtype. PyTorch works
 *    in float32 for F32/F16/BF16 (coordinates included; for F16/BF16 its CPU
 *    kernels even store the linear weights in the 16-bit type), so compare
 *    with a tolerance that covers ~1e-6 relative coordinate error times the
 *    local slope, plus 1 ulp of the storage type.
 * Known PyTorch 2.15 CPU bugs that are NOT reproduced: the generic separable
 * kernel (float antialias; uint8 without the AVX path, i.e. C > 4 or the
 * DEFAULT build) uses the weights of output row 0 for every row when the
 * output width is 1.
 */
int ref_interpolate(int rank, const int64_t *in_sizes, const double *in,
                    const clrs_interpolate_params *p, const int64_t *out_sizes, double *out,
                    clrs_dtype dtype);
/** As ref_interpolate with an explicit nearest rule (ref_nearest_rule). */
int ref_interpolate_ex(int rank, const int64_t *in_sizes, const double *in,
                       const clrs_interpolate_params *p, const int64_t *out_sizes, double *out,
                       clrs_dtype dtype, int nearest_rule);

/* ------------------------------------------------------------------------ */
/* Pooling                                                                  */

/**
 * Output sizes for clrs_pool_params with PyTorch's checks.
 *  MAX / AVG / LP: n_kernel must be 1 or the spatial rank; kernel, stride,
 *    dilation > 0; 0 <= padding <= kernel/2 (raw kernel, as pool2d/3d_shape_check
 *    in torch 2.15); out = floor((in + 2p - d(k-1) - 1 + (ceil ? s-1 : 0)) / s) + 1,
 *    minus one when ceil_mode and (out-1)*s >= in + p; out >= 1.
 *    AVG: dilation must be 1; rank 5 also needs in >= kernel (AvgPool3d's
 *    check_input_size). LP: no padding/dilation; norm_type != 0; finite p on
 *    rank 5 needs in >= kernel (it is avg_pool3d underneath).
 *  ADAPTIVE_*: n_output_size 1 or rank; CLRS_UNSET keeps the input size;
 *    sizes must be >= 0 (0 gives an empty output). ADAPTIVE_AVG (and area
 *    interpolation) of rank 3/4 accepts C == 0, and an all-ones output skips
 *    every input check (PyTorch computes input.mean(); empty planes -> NaN).
 *  FRACTIONAL_MAX: rank 4 or 5 only; exactly one of output_size / output_ratio
 *    (ratio in (0,1), out = (int64)(in * ratio)); kernel > 0;
 *    rank 4: out + k - 1 <= in; rank 5: k <= in and out + k - 1 < in.
 *  Input: C and every spatial size > 0 (N may be 0).
 */
int ref_pool_shape(int rank, const int64_t *in_sizes, const clrs_pool_params *p, int64_t *out_sizes);

/**
 * Pool `in` into `out` (out_sizes must equal ref_pool_shape's). `indices`
 * (may be NULL) receives per-plane flat indices ((d*H + h)*W + w) for MAX,
 * ADAPTIVE_MAX and FRACTIONAL_MAX; it is not touched for the other kinds.
 *  MAX: -inf padding, scan order d,h,w; a value replaces the running max when
 *    val > max or val is NaN (NaN propagates, the last NaN wins, ties keep the
 *    first); the index starts at the first in-bounds tap of the window.
 *  AVG: PyTorch's divisor rule (pool size clipped to in+pad, ceil overhang
 *    never counted; count_include_pad; divisor_override when != 0).
 *    Integer dtypes: truncated mean.
 *  LP: PyTorch's composition avg_pool(x^p) * prod(kernel) then ^(1/p)
 *    (no abs: NaN for negative x with non-integer p); each intermediate is
 *    rounded to dtype as the separate ATen ops store it (f16 x^p overflows to
 *    inf like PyTorch); pow uses ATen's special cases (x*x, sqrt, ...; std::pow
 *    for +-0.5 on F16). p = +inf: max_pool(|x|); p = -inf: -max_pool(-|x|).
 *    Integer dtypes are rejected.
 *  ADAPTIVE_AVG / ADAPTIVE_MAX: windows [floor(o*in/out), ceil((o+1)*in/out)).
 *  FRACTIONAL_MAX: p->samples is required here (shape (N, C, spatial rank),
 *    p->samples_dtype F32 or F64); each sample is converted to the arithmetic
 *    type of dtype (double for F64, float for F32, half / bfloat16 with
 *    per-operation rounding for F16 / BF16, double for integer dtypes) and
 *    start[i] = (int)((i + u) * alpha) - (int)(u * alpha), alpha = (in-k)/(out-1),
 *    start[out-1] = in - k. Rank 4: sample 0 drives W, sample 1 drives H;
 *    rank 5: samples 0, 1, 2 drive D, H, W (as PyTorch).
 */
int ref_pool(int rank, const int64_t *in_sizes, const double *in, const clrs_pool_params *p,
             const int64_t *out_sizes, double *out, int64_t *indices, clrs_dtype dtype);

/* ------------------------------------------------------------------------ */
/* Max unpooling                                                            */

/**
 * Output sizes: default (in-1)*stride - 2*padding + kernel per axis, or the
 * given output_size (n_output_size = spatial rank; also accepted: 1 =
 * broadcast), which must satisfy default-stride < size < default+stride.
 * Sizes must be >= 0; C and the input spatial sizes must be > 0. As in
 * PyTorch, kernel / stride / padding are not validated except stride > 0 on
 * rank 5 (max_unpool3d); e.g. stride 0 with the default size is accepted on
 * rank 3/4. n_kernel must be 1 or the spatial rank.
 */
int ref_max_unpool_shape(int rank, const int64_t *in_sizes, const clrs_unpool_params *p,
                         int64_t *out_sizes);
/**
 * Scatter in[i] to out[plane][indices[i]] over a zeroed output, for i in
 * increasing flat order within each plane, so with duplicate indices the last
 * write (largest input index) wins. Any index < 0 or >= the output plane size
 * gives CLRS_ERR_INDEX_OUT_OF_RANGE (out is then unspecified).
 */
int ref_max_unpool(int rank, const int64_t *in_sizes, const double *in, const int64_t *indices,
                   const clrs_unpool_params *p, const int64_t *out_sizes, double *out,
                   clrs_dtype dtype);

/* ------------------------------------------------------------------------ */
/* Pixel shuffle / unshuffle (rank 4 only)                                  */

/**
 * inverse == 0 (shuffle): (N, C*r*r, H, W) -> (N, C, H*r, W*r), needs C % r^2 == 0.
 * inverse != 0 (unshuffle): (N, C, H*r, W*r) -> (N, C*r*r, H, W), needs H % r == 0
 * and W % r == 0. factor r > 0 (and r*r must not overflow). Zero sizes are
 * allowed (as in PyTorch). Note: torch 2.15's pixel_unshuffle returns an
 * empty input unchanged (shape not permuted); the reference gives the
 * logical shape.
 */
int ref_pixel_shuffle_shape(int rank, const int64_t *in_sizes, int64_t factor, int inverse,
                            int64_t *out_sizes);
/** out[n, c, h*r+i, w*r+j] = in[n, c*r*r + i*r + j, h, w] (and the inverse). */
int ref_pixel_shuffle(int rank, const int64_t *in_sizes, const double *in, int64_t factor,
                      int inverse, const int64_t *out_sizes, double *out);

/* ------------------------------------------------------------------------ */
/* Backward (input gradients), the definitions autograd uses                */

/**
 * Gradient of ref_pixel_shuffle: the forward's permutation transposed,
 * written as a scatter-add (grad_in[src(o)] += grad_out[o] over every
 * forward output o in flat order; each src is hit once). in_sizes: the
 * forward input's sizes (grad_in's); grad_out has the forward output's.
 */
int ref_pixel_shuffle_backward(const int64_t *in_sizes, int64_t factor, int inverse, const double *grad_out,
                               double *grad_in);
/**
 * Gradient of max_unpool as torch's autograd gives it
 * (max_pool_double_backward): grad_in[plane][i] = grad_out[plane][indices[i]],
 * so every input sharing an index receives that gradient. in_sizes: the
 * forward input's (grad_in's). An index outside the output plane (or an
 * empty plane) gives CLRS_ERR_INDEX_OUT_OF_RANGE.
 */
int ref_max_unpool_backward(int rank, const int64_t *in_sizes, const int64_t *indices, const clrs_unpool_params *p,
                            const double *grad_out, double *grad_in);

/**
 * Gradient of max-type pooling from its indices, as torch's CPU loop does
 * it: grad_in[plane][indices[o]] += grad_out[plane][o] for o in increasing
 * flat order, over a zeroed grad_in; the additions round to float for
 * f32 (and, the library's choice, f16 / bf16: float accumulation, rounded
 * to dtype at the end), to double for f64. An index outside the input
 * plane gives CLRS_ERR_INDEX_OUT_OF_RANGE.
 */
int ref_max_pool_backward(int rank, const int64_t *in_sizes, const int64_t *out_sizes, const int64_t *indices,
                          const double *grad_out, double *grad_in, clrs_dtype dtype);

/**
 * Average / adaptive average pooling backward (p->kind CLRS_POOL_AVG or
 * CLRS_POOL_ADAPTIVE_AVG), torch's CPU loop: for each output in order its
 * grad_out divided by the window's divisor (avg: divisor_override, else the
 * window count with or without the padding, as the forward; adaptive: / kd
 * / kh / kw in turn), added to each element of its window. Rounded to f32
 * at every step for f32 (and f16 / bf16, rounded to dtype at the end: the
 * library's float accumulation), double for f64. grad_out (N, C, out...)
 * and grad_in (N, C, in...) contiguous.
 */
int ref_avg_pool_backward(int rank, const int64_t *in_sizes, const clrs_pool_params *p, const double *grad_out,
                          double *grad_in, clrs_dtype dtype);

/**
 * LP pooling backward (p->kind CLRS_POOL_LP, finite norm_type), in double
 * without rounding to a dtype: torch's autograd of its composition (the
 * window sum of x^p over the clipped window, its p-th root times K^(1/p)),
 * a reference for tolerance comparisons. in, grad_out (N, C, out...) and
 * grad_in contiguous.
 */
int ref_lp_pool_backward(int rank, const int64_t *in_sizes, const clrs_pool_params *p, const double *in,
                         const double *grad_out, double *grad_in);

/**
 * The input gradient of interpolate (torch.autograd of F.interpolate) by
 * adjointness: grad_in[i] = sum over o of W[o, i] * grad_out[o], W's
 * columns the forward of one-hot planes (ref_interpolate_ex in float
 * opmath for f32 / f16 / bf16, double for f64; nearest modes with the
 * REF_NEAREST_IDX rule, which torch's backward uses), summed in double
 * (not rounded to dtype). Bicubic without antialias with every axis
 * unchanged is a copy (torch's backward special case). grad_out (N, C,
 * out...) and grad_in (N, C, in...) contiguous. Cost: the input plane's
 * size times one plane's forward.
 */
int ref_interpolate_backward(int rank, const int64_t *in_sizes, const clrs_interpolate_params *p,
                             const double *grad_out, double *grad_in, clrs_dtype dtype);

/**
 * F.grid_sample in double, from GridSampler.h's scalar formulas
 * (grid_sampler_compute_source_index, reflect_coordinates, the bilinear /
 * nearest (round half to even) / bicubic (A = -0.75, separable, taps
 * padded one by one) kernels; tricubic for rank 5). rank 4: in (N, C, H,
 * W), grid (N, Ho, Wo, 2) contiguous; rank 5: in (N, C, D, H, W), grid (N,
 * Do, Ho, Wo, 3). mode 0 bilinear, 1 nearest, 2 bicubic; pad 0 zeros,
 * 1 border, 2 reflection. Out-of-bounds taps contribute 0. Meant for finite
 * grids (PyTorch's NaN/inf behaviour is that of its vectorized kernels and
 * is checked by the golden vectors instead). out: (N, C, [Do,] Ho, Wo).
 */
int ref_grid_sample(int rank, const int64_t *in_sizes, const double *in, const int64_t *grid_sizes,
                    const double *grid, int mode, int pad, int align_corners, double *out);
/** F.affine_grid in double: theta (N, R, R+1) contiguous, size (N, C, [D,] H, W), R = rank - 2;
 *  out (N, [D,] H, W, R). */
int ref_affine_grid(int rank, const int64_t *size, const double *theta, int align_corners, double *out);

#ifdef __cplusplus
}
#endif

/* F.conv*d (with nn.Conv*d's padding_mode) / F.conv_transpose*d in double,
 * straight from the definitions: out[n, co, o] = bias[co] + sum over the
 * group's input channels and the kernel taps (transpose: the scatter form
 * in[n, ci, i] * w[ci, co', k] added at o = i*s - p + k*d). weight sizes
 * as PyTorch's; bias NULL for none. 0, or -1 for arguments it refuses
 * (it only checks what it needs: the caller gives valid shapes). */
int ref_conv_shape(int rank, const int64_t *in_sizes, const int64_t *w_sizes, const clrs_conv_params *p,
                   int transposed, int64_t *out_sizes);
int ref_conv(int rank, const int64_t *in_sizes, const double *in, const int64_t *w_sizes, const double *w,
             const double *bias, const clrs_conv_params *p, int transposed, double *out);

#endif /* CLRS_TESTS_REF_H */
