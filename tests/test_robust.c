/* SPDX-License-Identifier: MIT */
/* Robustness: clear errors for bad input (a table of cases through the
 * API, each with the status it must return and the bad value its message
 * must name), device-memory exhaustion, memory staying flat over 10,000
 * calls, tensors of more than 2^31 elements, two processes filling one
 * binary-cache directory at once, and a small-shape pass over every
 * kernel variant (borders, padding, ceil_mode, strided views) against the
 * C reference -- the pass .ci/reliability.sh also runs under oclgrind
 * (CK_RUN_CASE=kernels).
 *
 * Environment:
 *   CLRS_TEST_HUGE=1       run the >2^31-element tensors (about 80 s on 2
 *                          cores, 4 GiB; skipped otherwise, and when the
 *                          device or the host cannot hold them, saying so)
 *   CLRS_TEST_LOOP_CALLS=N calls of the memory-flatness loop (default 10000)
 */
#define _GNU_SOURCE 1 /* MAP_NORESERVE */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clresample/cl_interop.h"
#include "clresample/onnx.h"
#include "dispatch.h"
#include "npy.h"
#include "ref/ref.h"
#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

static const char *self_exe; /* argv[0]: the worker processes of the cache test */

/* ======================================================================= */
/* 1. Bad input through the API: a table of cases                          */

enum { OPX_INTERP, OPX_POOL, OPX_UNPOOL, OPX_SHUFFLE };

typedef struct fx {
    int op;
    int cl;                    /* use the cl_mem entry point */
    clrs_context *ctx;         /* NULL for the "no context" case */
    clrs_interpolate_params ip;
    clrs_pool_params pp;
    clrs_unpool_params up;
    int64_t factor;
    int inverse;
    clrs_tensor_desc in, out, idx;
    int use_idx;
    const void *in_data;
    void *out_data, *idx_data;
    /* cl_mem variants */
    long cl_out_shrink;        /* bytes taken off the output buffer */
    int cl_same_buffer;        /* output in the input's buffer, overlapping */
    cl_uint nwait;
    int wait_null;             /* a NULL wait list with nwait > 0 */
    float samples[64];
} fx;

#define ARENA_FLOATS 8192
static float arena[ARENA_FLOATS]; /* in at 0, out at 2048, idx at 4096 (as bytes) */

static void fx_init(fx *f, int op, clrs_context *ctx)
{
    memset(f, 0, sizeof *f);
    f->op = op;
    f->ctx = ctx;
    for (int i = 0; i < ARENA_FLOATS; i++) arena[i] = (float)(i % 97);
    f->in_data = arena;
    f->out_data = arena + 2048;
    f->idx_data = arena + 4096;
    switch (op) {
    case OPX_INTERP: {
        int64_t is[4] = {1, 2, 4, 4}, os[4] = {1, 2, 8, 8};
        clrs_tensor_desc_contiguous(&f->in, CLRS_F32, 4, is);
        clrs_tensor_desc_contiguous(&f->out, CLRS_F32, 4, os);
        clrs_interpolate_params_init(&f->ip);
        f->ip.mode = CLRS_INTERP_NEAREST;
        f->ip.n_size = 1;
        f->ip.size[0] = 8;
        break;
    }
    case OPX_POOL: {
        int64_t is[4] = {1, 2, 6, 6}, os[4] = {1, 2, 3, 3};
        clrs_tensor_desc_contiguous(&f->in, CLRS_F32, 4, is);
        clrs_tensor_desc_contiguous(&f->out, CLRS_F32, 4, os);
        clrs_tensor_desc_contiguous(&f->idx, CLRS_I64, 4, os);
        clrs_pool_params_init(&f->pp, CLRS_POOL_MAX);
        f->pp.n_kernel = 1;
        f->pp.kernel[0] = 2;
        break;
    }
    case OPX_UNPOOL: {
        int64_t is[4] = {1, 2, 2, 2}, os[4] = {1, 2, 4, 4};
        clrs_tensor_desc_contiguous(&f->in, CLRS_F32, 4, is);
        clrs_tensor_desc_contiguous(&f->idx, CLRS_I64, 4, is);
        clrs_tensor_desc_contiguous(&f->out, CLRS_F32, 4, os);
        clrs_unpool_params_init(&f->up);
        f->up.n_kernel = 1;
        f->up.kernel[0] = 2;
        int64_t *ix = f->idx_data;
        for (int c = 0; c < 2; c++) /* each index inside its own 2x2 window */
            for (int y = 0; y < 2; y++)
                for (int x = 0; x < 2; x++) ix[c * 4 + y * 2 + x] = (2 * y + (x & 1)) * 4 + 2 * x + (y & 1);
        f->use_idx = 1;
        break;
    }
    default: {
        int64_t is[4] = {1, 4, 2, 2}, os[4] = {1, 1, 4, 4};
        clrs_tensor_desc_contiguous(&f->in, CLRS_F32, 4, is);
        clrs_tensor_desc_contiguous(&f->out, CLRS_F32, 4, os);
        f->factor = 2;
        break;
    }
    }
}

static size_t desc_bytes(const clrs_tensor_desc *d)
{
    int64_t end = d->offset;
    for (int i = 0; i < d->rank && i < CLRS_MAX_RANK; i++) {
        if (d->sizes[i] <= 0) return 0;
        end += (d->sizes[i] - 1) * d->strides[i];
    }
    return (size_t)(end + 1) * clrs_dtype_size(d->dtype);
}

static clrs_status fx_call(fx *f)
{
    clrs_context *ctx = f->ctx;
    if (!f->cl) {
        switch (f->op) {
        case OPX_INTERP: return clrs_interpolate(ctx, &f->ip, &f->in, f->in_data, &f->out, f->out_data);
        case OPX_POOL:
            return clrs_pool(ctx, &f->pp, &f->in, f->in_data, &f->out, f->out_data, f->use_idx ? &f->idx : NULL,
                             f->use_idx ? f->idx_data : NULL);
        case OPX_UNPOOL: return clrs_max_unpool(ctx, &f->up, &f->in, f->in_data, &f->idx, f->idx_data, &f->out, f->out_data);
        default: return clrs_pixel_shuffle(ctx, f->factor, f->inverse, &f->in, f->in_data, &f->out, f->out_data);
        }
    }
    cl_context clc;
    cl_command_queue q;
    ck_assert_int_eq(clrs_context_get_cl(tu_context(), &clc, NULL, &q), CLRS_OK);
    cl_int e;
    size_t ib = desc_bytes(&f->in), ob = desc_bytes(&f->out), xb = desc_bytes(&f->idx);
    size_t isz = f->cl_same_buffer && ob > ib ? ob : ib;
    cl_mem in = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, isz ? isz : 4, arena, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    size_t osz = ob > (size_t)f->cl_out_shrink ? ob - (size_t)f->cl_out_shrink : 4;
    cl_mem out = f->cl_same_buffer ? in : clCreateBuffer(clc, CL_MEM_READ_WRITE, osz ? osz : 4, NULL, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    cl_mem idx = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, xb ? xb : 8, f->idx_data, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    cl_event user = clCreateUserEvent(clc, &e);
    clSetUserEventStatus(user, CL_COMPLETE);
    const cl_event *wl = f->nwait && !f->wait_null ? &user : NULL;
    clrs_status st;
    switch (f->op) {
    case OPX_INTERP: st = clrs_interpolate_cl(ctx, &f->ip, &f->in, in, &f->out, out, NULL, f->nwait, wl, NULL); break;
    case OPX_POOL:
        st = clrs_pool_cl(ctx, &f->pp, &f->in, in, &f->out, out, f->use_idx ? &f->idx : NULL, f->use_idx ? idx : NULL,
                          NULL, f->nwait, wl, NULL);
        break;
    case OPX_UNPOOL: st = clrs_max_unpool_cl(ctx, &f->up, &f->in, in, &f->idx, idx, &f->out, out, NULL, f->nwait, wl, NULL); break;
    default: st = clrs_pixel_shuffle_cl(ctx, f->factor, f->inverse, &f->in, in, &f->out, out, NULL, f->nwait, wl, NULL); break;
    }
    clFinish(q);
    clReleaseEvent(user);
    clReleaseMemObject(in);
    if (!f->cl_same_buffer) clReleaseMemObject(out);
    clReleaseMemObject(idx);
    return st;
}

/* One row: the operator, the change to a valid call, the status the call
 * must return and up to two pieces of text its message must contain (the
 * bad value, and what it is). */
#define I64MAX INT64_MAX
#define API_CASES(X)                                                                                             \
    /* ---- interpolate: sizes and scales ---- */                                                              \
    X(interp_zero_size, OPX_INTERP, CLRS_ERR_BAD_SHAPE, "output (0, 0)", "greater than 0", f->ip.size[0] = 0)     \
    X(interp_negative_size, OPX_INTERP, CLRS_ERR_BAD_SHAPE, "output (-3, -3)", NULL, f->ip.size[0] = -3)          \
    X(interp_negative_input_size, OPX_INTERP, CLRS_ERR_BAD_SHAPE, "-1", "dim 2", f->in.sizes[2] = -1)            \
    X(interp_zero_input_size, OPX_INTERP, CLRS_ERR_BAD_SHAPE, "input (4, 0)", NULL, f->in.sizes[3] = 0)          \
    X(interp_zero_channels, OPX_INTERP, CLRS_ERR_BAD_SHAPE, "channels = 0", NULL, f->in.sizes[1] = 0)            \
    X(interp_size_and_scale, OPX_INTERP, CLRS_ERR_BAD_PARAM, "only one of size or scale_factor", NULL,          \
      f->ip.n_scale = 1; f->ip.scale[0] = 2)                                                                    \
    X(interp_neither_size_nor_scale, OPX_INTERP, CLRS_ERR_BAD_PARAM, "either size or scale_factor", NULL,       \
      f->ip.n_size = 0)                                                                                          \
    X(interp_nan_scale, OPX_INTERP, CLRS_ERR_BAD_PARAM, "nan", "scale_factor", f->ip.n_size = 0;               \
      f->ip.n_scale = 1; f->ip.scale[0] = NAN)                                                                  \
    X(interp_negative_scale, OPX_INTERP, CLRS_ERR_BAD_PARAM, "-2.5", "scale_factor", f->ip.n_size = 0;         \
      f->ip.n_scale = 1; f->ip.scale[0] = -2.5)                                                                 \
    X(interp_zero_scale, OPX_INTERP, CLRS_ERR_BAD_PARAM, "scale_factor 0 ", NULL, f->ip.n_size = 0;            \
      f->ip.n_scale = 1; f->ip.scale[0] = 0)                                                                    \
    X(interp_infinite_scale, OPX_INTERP, CLRS_ERR_BAD_PARAM, "inf", "scale_factor", f->ip.n_size = 0;          \
      f->ip.n_scale = 2; f->ip.scale[0] = 2; f->ip.scale[1] = INFINITY)                                         \
    X(interp_scale_empties_output, OPX_INTERP, CLRS_ERR_BAD_SHAPE, "output (0, 0)", NULL, f->ip.n_size = 0;    \
      f->ip.n_scale = 1; f->ip.scale[0] = 0.1)                                                                  \
    X(interp_overflowing_scale, OPX_INTERP, CLRS_ERR_BAD_PARAM, "1e+300", "overflow", f->ip.n_size = 0;        \
      f->ip.n_scale = 1; f->ip.scale[0] = 1e300)                                                                \
    X(interp_overflowing_output_shape, OPX_INTERP, CLRS_ERR_BAD_SHAPE, "overflow", "1099511627776",            \
      f->ip.size[0] = (int64_t)1 << 40)                                                                         \
    X(interp_overflowing_input_shape, OPX_INTERP, CLRS_ERR_BAD_STRIDES, "overflow", "dim 0",                   \
      f->in.sizes[0] = (int64_t)1 << 62; f->in.strides[0] = 32)                                                 \
    X(interp_wrong_size_count, OPX_INTERP, CLRS_ERR_BAD_PARAM, "3 values", "2 spatial dimensions",             \
      f->ip.n_size = 3; f->ip.size[1] = f->ip.size[2] = 8)                                                      \
    X(interp_unknown_mode, OPX_INTERP, CLRS_ERR_BAD_PARAM, "42", "mode", f->ip.mode = (clrs_interp_mode)42)     \
    X(interp_negative_mode, OPX_INTERP, CLRS_ERR_BAD_PARAM, "-1", "mode", f->ip.mode = (clrs_interp_mode)-1)    \
    X(interp_align_corners_value, OPX_INTERP, CLRS_ERR_BAD_PARAM, "align_corners is 7", NULL,                  \
      f->ip.mode = CLRS_INTERP_BILINEAR; f->ip.align_corners = 7)                                               \
    X(interp_align_corners_nearest, OPX_INTERP, CLRS_ERR_BAD_PARAM, "align_corners", "'nearest'",              \
      f->ip.align_corners = 1)                                                                                   \
    X(interp_antialias_value, OPX_INTERP, CLRS_ERR_BAD_PARAM, "antialias is 3", NULL,                          \
      f->ip.mode = CLRS_INTERP_BILINEAR; f->ip.antialias = 3)                                                   \
    X(interp_antialias_nearest, OPX_INTERP, CLRS_ERR_BAD_PARAM, "Anti-alias", "'nearest'", f->ip.antialias = 1) \
    X(interp_mode_rank, OPX_INTERP, CLRS_ERR_BAD_PARAM, "trilinear", "4D", f->ip.mode = CLRS_INTERP_TRILINEAR)  \
    X(interp_recompute_with_size, OPX_INTERP, CLRS_ERR_BAD_PARAM, "recompute_scale_factor", NULL,              \
      f->ip.recompute_scale_factor = 1)                                                                         \
    X(interp_struct_size, OPX_INTERP, CLRS_ERR_INVALID_ARG, "struct_size is 3", NULL, f->ip.struct_size = 3)   \
    /* ---- descriptors ---- */                                                                                  \
    X(desc_rank2, OPX_INTERP, CLRS_ERR_BAD_SHAPE, "rank 2", NULL, f->in.rank = 2)                               \
    X(desc_rank6, OPX_INTERP, CLRS_ERR_BAD_SHAPE, "rank 6", NULL, f->in.rank = 6)                               \
    X(desc_bad_dtype, OPX_INTERP, CLRS_ERR_BAD_DTYPE, "dtype 42", NULL, f->in.dtype = (clrs_dtype)42)           \
    X(desc_i64_interpolate, OPX_INTERP, CLRS_ERR_BAD_DTYPE, "i64", NULL, f->in.dtype = CLRS_I64;               \
      f->out.dtype = CLRS_I64)                                                                                   \
    X(desc_dtype_mismatch, OPX_INTERP, CLRS_ERR_BAD_DTYPE, "f64", "f32", f->out.dtype = CLRS_F64)               \
    X(desc_negative_stride, OPX_INTERP, CLRS_ERR_BAD_STRIDES, "-4", "stride", f->in.strides[2] = -4)            \
    X(desc_negative_offset, OPX_INTERP, CLRS_ERR_BAD_STRIDES, "offset -1", NULL, f->in.offset = -1)             \
    X(desc_extent_overflow, OPX_INTERP, CLRS_ERR_BAD_STRIDES, "overflow", "dim 0", f->in.strides[0] = I64MAX / 2; \
      f->in.sizes[0] = 4)                                                                                        \
    X(desc_output_self_overlap, OPX_INTERP, CLRS_ERR_BAD_STRIDES, "overlap", "stride 0", f->out.strides[3] = 0) \
    X(desc_output_strides_alias, OPX_INTERP, CLRS_ERR_BAD_STRIDES, "overlap", "stride 4",                      \
      f->out.strides[2] = 4) /* rows of 8 elements 4 apart */                                                   \
    X(output_wrong_shape, OPX_INTERP, CLRS_ERR_BAD_SHAPE, "(1, 2, 8, 7)", "(1, 2, 8, 8)", f->out.sizes[3] = 7;  \
      f->out.strides[2] = 7; f->out.strides[1] = 56; f->out.strides[0] = 112)                                   \
    X(output_aliases_input, OPX_INTERP, CLRS_ERR_ALIASING, "overlaps", NULL, f->out_data = arena + 16)          \
    X(null_input_data, OPX_INTERP, CLRS_ERR_INVALID_ARG, "input data pointer is NULL", NULL, f->in_data = NULL) \
    X(null_output_data, OPX_INTERP, CLRS_ERR_INVALID_ARG, "output data pointer is NULL", NULL,                 \
      f->out_data = NULL)                                                                                        \
    X(null_context, OPX_INTERP, CLRS_ERR_INVALID_ARG, "ctx is NULL", NULL, f->ctx = NULL)                       \
    /* ---- cl_mem calls ---- */                                                                                 \
    X(cl_output_buffer_too_small, OPX_INTERP, CLRS_ERR_BAD_STRIDES, "needs 512 bytes", "holds 508",            \
      f->cl = 1; f->cl_out_shrink = 4)                                                                          \
    X(cl_output_offset_past_buffer, OPX_INTERP, CLRS_ERR_BAD_STRIDES, "needs 516 bytes", NULL, f->cl = 1;      \
      f->out.offset = 1; f->cl_out_shrink = 4)                                                                  \
    X(cl_same_buffer_overlap, OPX_INTERP, CLRS_ERR_ALIASING, "overlaps", "same cl_mem", f->cl = 1;             \
      f->cl_same_buffer = 1; f->in.offset = 0; f->out.offset = 8)                                               \
    X(cl_wait_list_null, OPX_INTERP, CLRS_ERR_INVALID_ARG, "num_wait is 1", "NULL", f->cl = 1; f->nwait = 1;   \
      f->wait_null = 1)                                                                                          \
    /* ---- pooling ---- */                                                                                      \
    X(pool_zero_kernel, OPX_POOL, CLRS_ERR_BAD_PARAM, "got 0", "kernel_size", f->pp.kernel[0] = 0)              \
    X(pool_negative_kernel, OPX_POOL, CLRS_ERR_BAD_PARAM, "got -2", "kernel_size", f->pp.kernel[0] = -2)        \
    X(pool_zero_stride, OPX_POOL, CLRS_ERR_BAD_PARAM, "stride", "is 0", f->pp.n_stride = 1;                    \
      f->pp.stride[0] = 0)                                                                                       \
    X(pool_negative_stride, OPX_POOL, CLRS_ERR_BAD_PARAM, "got -1", "stride", f->pp.n_stride = 1;              \
      f->pp.stride[0] = -1)                                                                                      \
    X(pool_padding_too_large, OPX_POOL, CLRS_ERR_BAD_PARAM, "pad=2", "kernel_size=2", f->pp.n_padding = 1;     \
      f->pp.padding[0] = 2)                                                                                      \
    X(pool_negative_padding, OPX_POOL, CLRS_ERR_BAD_PARAM, "-1", "pad", f->pp.n_padding = 1;                   \
      f->pp.padding[0] = -1)                                                                                     \
    X(pool_zero_dilation, OPX_POOL, CLRS_ERR_BAD_PARAM, "got 0", "dilation", f->pp.n_dilation = 1;             \
      f->pp.dilation[0] = 0)                                                                                     \
    X(pool_output_too_small, OPX_POOL, CLRS_ERR_BAD_SHAPE, "2x0x0", "too small", f->pp.kernel[0] = 7;          \
      f->pp.n_padding = 1; f->pp.padding[0] = 0)                                                                \
    X(pool_dilated_window_too_large, OPX_POOL, CLRS_ERR_BAD_SHAPE, "too small", NULL, f->pp.kernel[0] = 3;     \
      f->pp.n_dilation = 1; f->pp.dilation[0] = 3)                                                              \
    X(pool_kernel_count, OPX_POOL, CLRS_ERR_BAD_PARAM, "3 values", "kernel_size", f->pp.n_kernel = 3)          \
    X(pool_overflowing_kernel, OPX_POOL, CLRS_ERR_BAD_PARAM, "overflow", "4611686018427387903",                \
      f->pp.kernel[0] = I64MAX / 2;                                                                             \
      f->pp.n_dilation = 1; f->pp.dilation[0] = 4)                                                              \
    X(pool_overflowing_dilation, OPX_POOL, CLRS_ERR_BAD_PARAM, "overflow", "9223372036854775807",             \
      f->pp.n_dilation = 1; f->pp.dilation[0] = I64MAX) /* d * (k - 1) + 1 overflowed: fuzz_ops found it */     \
    X(fractional_overflowing_output_size, OPX_POOL, CLRS_ERR_BAD_SHAPE, "too large", "9223372036854775807",      \
      f->pp.kind = CLRS_POOL_FRACTIONAL_MAX; f->pp.n_output_size = 1; f->pp.output_size[0] = I64MAX)            \
    X(pool_unknown_kind, OPX_POOL, CLRS_ERR_BAD_PARAM, "9", "kind", f->pp.kind = (clrs_pool_kind)9)             \
    X(pool_lp_zero_norm, OPX_POOL, CLRS_ERR_BAD_PARAM, "got 0", "norm_type", f->pp.kind = CLRS_POOL_LP;         \
      f->pp.norm_type = 0)                                                                                       \
    X(pool_avg_dilation, OPX_POOL, CLRS_ERR_BAD_PARAM, "dilation 2", NULL, f->pp.kind = CLRS_POOL_AVG;         \
      f->pp.n_dilation = 1; f->pp.dilation[0] = 2)                                                              \
    X(pool_adaptive_negative_size, OPX_POOL, CLRS_ERR_BAD_PARAM, "-3", "output_size",                          \
      f->pp.kind = CLRS_POOL_ADAPTIVE_MAX; f->pp.n_output_size = 1; f->pp.output_size[0] = -3)                  \
    X(pool_fractional_nan_ratio, OPX_POOL, CLRS_ERR_BAD_PARAM, "nan", "output_ratio",                          \
      f->pp.kind = CLRS_POOL_FRACTIONAL_MAX; f->pp.n_output_ratio = 1; f->pp.output_ratio[0] = NAN)             \
    X(pool_fractional_too_large, OPX_POOL, CLRS_ERR_BAD_SHAPE, "too large", "6",                               \
      f->pp.kind = CLRS_POOL_FRACTIONAL_MAX; f->pp.n_output_size = 1; f->pp.output_size[0] = 6)                 \
    X(pool_fractional_bad_sample, OPX_POOL, CLRS_ERR_BAD_PARAM, "1.5", "[0, 1)",                               \
      f->pp.kind = CLRS_POOL_FRACTIONAL_MAX; f->pp.n_output_size = 1; f->pp.output_size[0] = 3;                 \
      for (int i = 0; i < 4; i++) f->samples[i] = 0.25f; f->samples[3] = 1.5f; f->pp.samples = f->samples;      \
      f->pp.samples_dtype = CLRS_F32)                                                                           \
    X(pool_indices_for_avg, OPX_POOL, CLRS_ERR_BAD_PARAM, "avg_pool", "indices", f->pp.kind = CLRS_POOL_AVG;   \
      f->use_idx = 1)                                                                                            \
    X(pool_indices_dtype, OPX_POOL, CLRS_ERR_BAD_DTYPE, "f32", "indices", f->use_idx = 1;                      \
      f->idx.dtype = CLRS_F32)                                                                                   \
    X(pool_indices_shape, OPX_POOL, CLRS_ERR_BAD_SHAPE, "(1, 2, 3, 2)", "indices", f->use_idx = 1;             \
      f->idx.sizes[3] = 2)                                                                                       \
    X(pool_output_too_small_shape, OPX_POOL, CLRS_ERR_BAD_SHAPE, "(1, 2, 2, 2)", "(1, 2, 3, 3)",               \
      f->out.sizes[2] = f->out.sizes[3] = 2)                                                                    \
    X(pool_lp_u8, OPX_POOL, CLRS_ERR_BAD_DTYPE, "u8", NULL, f->pp.kind = CLRS_POOL_LP; f->in.dtype = CLRS_U8;  \
      f->out.dtype = CLRS_U8)                                                                                    \
    X(pool_i64, OPX_POOL, CLRS_ERR_BAD_DTYPE, "i64", NULL, f->in.dtype = CLRS_I64; f->out.dtype = CLRS_I64)     \
    X(pool_idx_without_data, OPX_POOL, CLRS_ERR_INVALID_ARG, "idx_data", NULL, f->use_idx = 1;                 \
      f->idx_data = NULL)                                                                                        \
    /* ---- max_unpool ---- */                                                                                   \
    X(unpool_index_too_large, OPX_UNPOOL, CLRS_ERR_INDEX_OUT_OF_RANGE, "99", "16 elements",                    \
      ((int64_t *)f->idx_data)[5] = 99)                                                                         \
    X(unpool_negative_index, OPX_UNPOOL, CLRS_ERR_INDEX_OUT_OF_RANGE, "-1", NULL,                              \
      ((int64_t *)f->idx_data)[2] = -1)                                                                         \
    X(unpool_index_out_of_range_cl, OPX_UNPOOL, CLRS_ERR_INDEX_OUT_OF_RANGE, "16", NULL, f->cl = 1;            \
      ((int64_t *)f->idx_data)[7] = 16)                                                                         \
    X(unpool_indices_dtype, OPX_UNPOOL, CLRS_ERR_BAD_DTYPE, "f32", "indices", f->idx.dtype = CLRS_F32)         \
    X(unpool_indices_shape, OPX_UNPOOL, CLRS_ERR_BAD_SHAPE, "(1, 2, 2, 1)", NULL, f->idx.sizes[3] = 1)         \
    X(unpool_bad_output_size, OPX_UNPOOL, CLRS_ERR_BAD_SHAPE, "7", "output_size", f->up.n_output_size = 2;     \
      f->up.output_size[0] = 7; f->up.output_size[1] = 4)                                                       \
    X(unpool_overflowing_padding, OPX_UNPOOL, CLRS_ERR_BAD_PARAM, "overflow", "4611686018427387904",            \
      f->up.n_padding = 1; f->up.padding[0] = (int64_t)1 << 62)                                                  \
    X(unpool_zero_kernel, OPX_UNPOOL, CLRS_ERR_BAD_PARAM, "got 0", "kernel_size", f->up.kernel[0] = 0)          \
    X(unpool_negative_padding, OPX_UNPOOL, CLRS_ERR_BAD_PARAM, "got -1", "padding", f->up.n_padding = 1;       \
      f->up.padding[0] = -1)                                                                                     \
    /* ---- pixel shuffle ---- */                                                                                \
    X(shuffle_zero_factor, OPX_SHUFFLE, CLRS_ERR_BAD_PARAM, "got 0", NULL, f->factor = 0)                       \
    X(shuffle_negative_factor, OPX_SHUFFLE, CLRS_ERR_BAD_PARAM, "got -2", NULL, f->factor = -2)                 \
    X(shuffle_channels_not_divisible, OPX_SHUFFLE, CLRS_ERR_BAD_SHAPE, "input.size(-3)=4", "9",                \
      f->factor = 3)                                                                                             \
    X(shuffle_factor_overflow, OPX_SHUFFLE, CLRS_ERR_BAD_PARAM, "4294967296", "overflow",                      \
      f->factor = (int64_t)1 << 32)                                                                             \
    X(unshuffle_not_divisible, OPX_SHUFFLE, CLRS_ERR_BAD_SHAPE, "input.size(-2)=2", "3", f->inverse = 1;       \
      f->factor = 3)                                                                                             \
    X(shuffle_rank5, OPX_SHUFFLE, CLRS_ERR_BAD_SHAPE, "rank 5", NULL, f->in.rank = 5; f->in.sizes[4] = 1;      \
      f->in.strides[4] = 1)

#define DEF_FN(id, op, st, m1, m2, ...) \
    static void mut_##id(fx *f) { __VA_ARGS__; }
API_CASES(DEF_FN)
#undef DEF_FN

typedef struct api_case {
    const char *name;
    int op;
    clrs_status expect;
    const char *m1, *m2;
    void (*mutate)(fx *);
} api_case;

#define DEF_ROW(id, op, st, m1, m2, ...) {#id, op, st, m1, m2, mut_##id},
static const api_case api_cases[] = {API_CASES(DEF_ROW)};
#undef DEF_ROW

START_TEST(test_api_errors)
{
    clrs_context *ctx = tu_context();
    int n = (int)(sizeof api_cases / sizeof api_cases[0]), bad = 0;
    char report[8192];
    size_t off = 0;
    report[0] = '\0';
    /* every case starts from a call that succeeds */
    for (int op = OPX_INTERP; op <= OPX_SHUFFLE; op++)
        for (int cl = 0; cl < 2; cl++) {
            fx f;
            fx_init(&f, op, ctx);
            f.cl = cl;
            clrs_status st = fx_call(&f);
            ck_assert_msg(st == CLRS_OK, "base call of op %d (cl %d): %s: %s", op, cl, clrs_status_name(st),
                          clrs_last_error(ctx));
        }
    for (int i = 0; i < n; i++) {
        const api_case *c = &api_cases[i];
        fx f;
        fx_init(&f, c->op, ctx);
        c->mutate(&f);
        clrs_status st = fx_call(&f);
        const char *msg = clrs_last_error(f.ctx);
        int ok = st == c->expect && msg[0] != '\0' && strchr(msg, '\n') == NULL &&
                 (c->m1 == NULL || strstr(msg, c->m1) != NULL) && (c->m2 == NULL || strstr(msg, c->m2) != NULL);
        printf("%s %d - %s: %s: %s\n", ok ? "ok" : "not ok", i + 1, c->name, clrs_status_name(st), msg);
        if (!ok) {
            bad++;
            int w = snprintf(report + off, sizeof report - off, "\n  %s: got %s '%s', want %s naming '%s'%s%s%s",
                             c->name, clrs_status_name(st), msg, clrs_status_name(c->expect), c->m1 ? c->m1 : "",
                             c->m2 ? " and '" : "", c->m2 ? c->m2 : "", c->m2 ? "'" : "");
            if (w > 0 && (size_t)w < sizeof report - off) off += (size_t)w;
        }
    }
    printf("# API error table: %d cases, %d passed, %d failed\n", n, n - bad, bad);
    ck_assert_msg(bad == 0, "%d of %d error cases wrong:%s", bad, n, report);
}
END_TEST

/* Valid calls at the edges of int64: they must succeed with the right
 * result (PyTorch accepts them all), and compute nothing out of range on the
 * way (the sanitizer build turns any signed overflow into a failure). Found
 * by tests/fuzz/fuzz_ops.c; its regression inputs are the same calls. */
START_TEST(test_valid_extremes)
{
    clrs_context *ctx = tu_context();
    float in[72], out[16];
    for (int i = 0; i < 72; i++) in[i] = (float)((i * 37) % 71) - 20.0f;
    clrs_tensor_desc di, dout, dx;
    clrs_status st;

    /* max and avg pooling with a kernel of 3037000500 (its square overflows
     * int64) and padding of half of it: one window covering the input */
    int64_t is[4] = {1, 2, 6, 6}, os[4] = {1, 2, 1, 1};
    clrs_tensor_desc_contiguous(&di, CLRS_F32, 4, is);
    clrs_tensor_desc_contiguous(&dout, CLRS_F32, 4, os);
    for (int kind = 0; kind < 2; kind++) {
        clrs_pool_params p;
        clrs_pool_params_init(&p, kind ? CLRS_POOL_AVG : CLRS_POOL_MAX);
        p.n_kernel = 1;
        p.kernel[0] = 3037000500LL;
        p.n_padding = 1;
        p.padding[0] = 3037000500LL / 2;
        p.count_include_pad = 0;
        st = clrs_pool(ctx, &p, &di, in, &dout, out, NULL, NULL);
        ck_assert_msg(st == CLRS_OK, "%s pool with kernel 3037000500: %s: %s", kind ? "avg" : "max", clrs_status_name(st),
                      clrs_last_error(ctx));
        for (int c = 0; c < 2; c++) {
            double m = -1e30, sum = 0;
            for (int i = 0; i < 36; i++) {
                m = fmax(m, in[c * 36 + i]);
                sum += in[c * 36 + i];
            }
            double want = kind ? sum / 36 : m;
            ck_assert_msg(fabs(out[c] - want) <= 1e-5 * (1 + fabs(want)), "%s pool channel %d: %g, expected %g",
                          kind ? "avg" : "max", c, out[c], want);
        }
    }

    /* max_unpool with stride INT64_MAX and an output_size inside
     * (default - stride, default + stride) */
    int64_t us[4] = {1, 2, 1, 1}, uo[4] = {1, 2, 2, 2};
    clrs_tensor_desc_contiguous(&di, CLRS_F32, 4, us);
    clrs_tensor_desc_contiguous(&dx, CLRS_I64, 4, us);
    clrs_tensor_desc_contiguous(&dout, CLRS_F32, 4, uo);
    clrs_unpool_params up;
    clrs_unpool_params_init(&up);
    up.n_kernel = 1;
    up.kernel[0] = 2;
    up.n_stride = 1;
    up.stride[0] = INT64_MAX;
    up.n_output_size = 2;
    up.output_size[0] = up.output_size[1] = 2;
    int64_t idx[2] = {3, 1};
    float uin[2] = {5, 7};
    st = clrs_max_unpool(ctx, &up, &di, uin, &dx, idx, &dout, out);
    ck_assert_msg(st == CLRS_OK, "max_unpool with stride INT64_MAX: %s: %s", clrs_status_name(st), clrs_last_error(ctx));
    float want[8] = {0, 0, 0, 5, 0, 7, 0, 0};
    for (int i = 0; i < 8; i++) ck_assert_float_eq(out[i], want[i]);

    /* an empty batch with output planes whose size overflows int64 */
    int64_t es[4] = {0, 1, 2, 2};
    clrs_tensor_desc_contiguous(&di, CLRS_F32, 4, es);
    clrs_tensor_desc_contiguous(&dx, CLRS_I64, 4, es);
    clrs_unpool_params_init(&up);
    up.n_kernel = 1;
    up.kernel[0] = 2;
    up.n_stride = 1;
    up.stride[0] = (int64_t)1 << 32;
    int64_t eo[CLRS_MAX_RANK];
    ck_assert_int_eq(clrs_max_unpool_output_shape(ctx, &di, &up, eo), CLRS_OK);
    ck_assert_int_eq(eo[2], ((int64_t)1 << 32) + 2);
    dout = di;
    dout.sizes[2] = eo[2];
    dout.sizes[3] = eo[3];
    dout.strides[0] = dout.strides[1] = dout.strides[2] = dout.strides[3] = 0;
    st = clrs_max_unpool(ctx, &up, &di, NULL, &dx, NULL, &dout, NULL);
    ck_assert_msg(st == CLRS_OK, "max_unpool of an empty batch: %s: %s", clrs_status_name(st), clrs_last_error(ctx));
    clrs_interpolate_params ip;
    clrs_interpolate_params_init(&ip);
    ip.n_size = 1;
    ip.size[0] = (int64_t)1 << 40;
    st = clrs_interpolate_output_shape(ctx, &di, &ip, eo);
    ck_assert_msg(st == CLRS_OK, "interpolate of an empty batch to 2^40 x 2^40: %s: %s", clrs_status_name(st),
                  clrs_last_error(ctx));
}
END_TEST

/* A missing device: an explicit request and CLRS_DEVICE that match
 * nothing, a malformed request and "disabled". */
START_TEST(test_missing_device)
{
    tu_context(); /* skip (77) without any platform */
    static const struct {
        const char *request, *env;
        clrs_status expect;
        const char *m1, *m2;
    } rows[] = {
        {"nosuchplatform:ALL:0", NULL, CLRS_ERR_DEVICE_NOT_FOUND, "'nosuchplatform:ALL:0'", "devices present"},
        {NULL, "nosuch-env-device", CLRS_ERR_DEVICE_NOT_FOUND, "CLRS_DEVICE 'nosuch-env-device'", "matches no"},
        {":GPU|TPU:0", NULL, CLRS_ERR_INVALID_ARG, "'TPU'", "device type"},
        {"a:b", NULL, CLRS_ERR_INVALID_ARG, "'a:b'", NULL},
        {"disabled", NULL, CLRS_ERR_DEVICE_NOT_FOUND, "disabled", NULL},
        {":CPU:99", NULL, CLRS_ERR_DEVICE_NOT_FOUND, "':CPU:99'", NULL},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (rows[i].env) setenv("CLRS_DEVICE", rows[i].env, 1);
        clrs_context_options o;
        clrs_context_options_init(&o);
        o.device = rows[i].request;
        clrs_context *c = (clrs_context *)(uintptr_t)16; /* must be reset to NULL */
        clrs_status st = clrs_context_create(&c, &o);
        const char *msg = clrs_last_error(NULL);
        int ok = st == rows[i].expect && c == NULL && strstr(msg, rows[i].m1) != NULL &&
                 (rows[i].m2 == NULL || strstr(msg, rows[i].m2) != NULL);
        printf("%s - device %s%s: %s: %s\n", ok ? "ok" : "not ok", rows[i].request ? rows[i].request : "CLRS_DEVICE=",
               rows[i].env ? rows[i].env : "", clrs_status_name(st), msg);
        if (!ok) bad++;
        if (st == CLRS_OK) clrs_context_release(c);
        unsetenv("CLRS_DEVICE");
    }
    ck_assert_int_eq(bad, 0);
}
END_TEST

/* Truncated and lying .npy files through npy_parse (what the CLI reads). */
static size_t npy_make(unsigned char *buf, const char *dict, size_t header_len_field, size_t data_bytes, int version)
{
    size_t dl = strlen(dict), hl = dl + 1, pre = version == 1 ? 10 : 12;
    while ((pre + hl) % 64) hl++;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)version;
    buf[7] = 0;
    size_t field = header_len_field ? header_len_field : hl;
    if (version == 1) {
        buf[8] = (unsigned char)(field & 0xff);
        buf[9] = (unsigned char)(field >> 8);
    } else {
        for (int i = 0; i < 4; i++) buf[8 + i] = (unsigned char)(field >> (8 * i));
    }
    memset(buf + pre, ' ', hl);
    memcpy(buf + pre, dict, dl);
    buf[pre + hl - 1] = '\n';
    for (size_t i = 0; i < data_bytes; i++) buf[pre + hl + i] = (unsigned char)i;
    return pre + hl + data_bytes;
}

START_TEST(test_npy_errors)
{
    static unsigned char buf[4096];
    const char *ok_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 2, 2), }";
    size_t good = npy_make(buf, ok_dict, 0, 16, 1);
    npy_array a;
    char err[512];
    ck_assert_int_eq(npy_parse(buf, good, "x.npy", &a, err, sizeof err), 0);
    npy_free(&a);
    static const struct {
        const char *name, *dict;
        size_t len_field, data;
        long cut; /* bytes cut off the end (negative: appended) */
        int version;
        const char *m1, *m2;
    } rows[] = {
        {"truncated header", NULL, 0, 16, 60, 1, "truncated", NULL},
        {"truncated data", NULL, 0, 16, 4, 1, "16 bytes", "12 data bytes"},
        {"extra data", NULL, 0, 16, -4, 1, "16 bytes", "20 data bytes"},
        {"header length past the end", NULL, 0xffff, 16, 0, 1, "65535", "past the end"},
        {"header length v2 lies", NULL, 0x7fffffff, 16, 0, 2, "2147483647", NULL},
        {"negative dimension", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, -2, 2), }", 0, 16, 0, 1, "-2",
         NULL},
        {"overflowing shape", "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 2), }", 0,
         16, 0, 1, "overflow", "4294967296"},
        {"unsupported dtype", "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 0, 16, 0, 1, "<c8", NULL},
        {"big-endian", "{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", 0, 16, 0, 1, ">f4", NULL},
        {"fortran order", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 0, 16, 0, 1, "ortran", NULL},
        {"missing shape", "{'descr': '<f4', 'fortran_order': False, }", 0, 16, 0, 1, "'shape'", NULL},
        {"unknown key", "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'bogus': 1, }", 0, 16, 0, 1,
         "'bogus'", NULL},
        {"bad version", NULL, 0, 16, 0, 9, "version 9.0", NULL},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t len = npy_make(buf, rows[i].dict ? rows[i].dict : ok_dict, rows[i].len_field, rows[i].data,
                              rows[i].version == 9 ? 1 : rows[i].version);
        if (rows[i].version == 9) buf[6] = 9;
        if (rows[i].cut > 0) len -= (size_t)rows[i].cut;
        if (rows[i].cut < 0) {
            memset(buf + len, 7, (size_t)-rows[i].cut);
            len += (size_t)-rows[i].cut;
        }
        /* an exact-size copy so that ASan sees any read past the end */
        unsigned char *exact = malloc(len);
        memcpy(exact, buf, len);
        err[0] = '\0';
        int rc = npy_parse(exact, len, "x.npy", &a, err, sizeof err);
        free(exact);
        int ok = rc != 0 && strncmp(err, "x.npy: ", 7) == 0 && strstr(err, rows[i].m1) != NULL &&
                 (rows[i].m2 == NULL || strstr(err, rows[i].m2) != NULL) && a.data == NULL;
        printf("%s - npy %s: %s\n", ok ? "ok" : "not ok", rows[i].name, err);
        if (!ok) bad++;
        if (rc == 0) npy_free(&a);
    }
    ck_assert_int_eq(bad, 0);
}
END_TEST

/* ======================================================================= */
/* 2. Resource exhaustion and memory flatness                              */

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;
    if (f == NULL) return -1;
    if (fscanf(f, "%ld %ld", &size, &res) != 2) res = -1;
    fclose(f);
    return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Address space that costs nothing until touched. */
static void *reserve(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void small_call_ok(clrs_context *ctx)
{
    int64_t is[4] = {1, 2, 3, 3}, os[4] = {1, 2, 6, 6};
    clrs_tensor_desc in, out;
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 4, is);
    clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, os);
    clrs_interpolate_params p;
    clrs_interpolate_params_init(&p);
    p.n_scale = 1;
    p.scale[0] = 2;
    float src[18], dst[72];
    for (int i = 0; i < 18; i++) src[i] = (float)i;
    clrs_status st = clrs_interpolate(ctx, &p, &in, src, &out, dst);
    ck_assert_msg(st == CLRS_OK, "the context no longer works: %s", clrs_last_error(ctx));
    for (int c = 0; c < 2; c++)
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 6; x++) ck_assert_float_eq(dst[c * 36 + y * 6 + x], src[c * 9 + (y / 2) * 3 + x / 2]);
}

START_TEST(test_out_of_device_memory)
{
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    ck_assert_int_eq(clrs_context_device(ctx, &info), CLRS_OK);
    uint64_t max_alloc = info.max_alloc;
    printf("# device '%s': max allocation %.2f GiB, global memory %.2f GiB\n", info.name, max_alloc / 1073741824.0,
           info.global_mem / 1073741824.0);
    small_call_ok(ctx);

    /* (a) an output bigger than the device's largest allocation (and than its
     * memory): u8 (1, 1, H, W) upsampled from a small input */
    uint64_t want = (max_alloc > info.global_mem ? max_alloc : info.global_mem) + ((uint64_t)1 << 30);
    int64_t W = 65536, H = (int64_t)((want + (uint64_t)W - 1) / (uint64_t)W);
    H += H & 1;
    size_t obytes = (size_t)H * (size_t)W;
    unsigned char *big = reserve(obytes);
    ck_assert_msg(big != NULL, "cannot reserve %zu bytes of address space", obytes);
    int64_t is[4] = {1, 1, H / 2, W / 2}, os[4] = {1, 1, H, W};
    clrs_tensor_desc in, out;
    clrs_tensor_desc_contiguous(&in, CLRS_U8, 4, is);
    clrs_tensor_desc_contiguous(&out, CLRS_U8, 4, os);
    unsigned char *src = reserve((size_t)(H / 2) * (size_t)(W / 2));
    ck_assert_ptr_nonnull(src);
    clrs_interpolate_params p;
    clrs_interpolate_params_init(&p);
    p.n_scale = 1;
    p.scale[0] = 2;
    long rss0 = rss_kib();
    for (int rep = 0; rep < 50; rep++) {
        clrs_status st = clrs_interpolate(ctx, &p, &in, src, &out, big);
        if (rep == 0)
            printf("# output of %.1f GiB: %s: %s\n", obytes / 1073741824.0, clrs_status_name(st), clrs_last_error(ctx));
        ck_assert_msg(st == CLRS_ERR_OUT_OF_DEVICE_MEMORY, "a %.1f GiB output gave %s: %s", obytes / 1073741824.0,
                      clrs_status_name(st), clrs_last_error(ctx));
        ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "clCreateBuffer"));
        small_call_ok(ctx); /* the context keeps working */
    }
    long rss1 = rss_kib();
    printf("# 50 failed calls: RSS %ld -> %ld KiB\n", rss0, rss1);
    ck_assert_msg(UNDER_ASAN || rss1 - rss0 < 4096, "RSS grew by %ld KiB over 50 failed calls", rss1 - rss0);
    munmap(big, obytes);
    munmap(src, (size_t)(H / 2) * (size_t)(W / 2));

    /* (b) a failure in the middle of a call: a separable antialiased resize
     * whose float32 intermediate (the input's rows at the output's width)
     * exceeds the largest allocation, while input and output fit */
    int64_t w = 65536, h = (int64_t)((max_alloc / 3) / (uint64_t)w); /* f16 input: 2/3 of max_alloc */
    int64_t ow = w - w / 8, oh = h / 8;
    uint64_t inter = (uint64_t)h * (uint64_t)ow * 4;
    if (inter <= max_alloc || (uint64_t)h * (uint64_t)w * 2 > max_alloc) {
        printf("# mid-call exhaustion: not reachable on this device\n");
        return;
    }
    size_t ib = (size_t)h * (size_t)w * 2, ob = (size_t)oh * (size_t)ow * 2;
    unsigned char *bi = reserve(ib), *bo = reserve(ob);
    ck_assert(bi != NULL && bo != NULL);
    int64_t is2[4] = {1, 1, h, w}, os2[4] = {1, 1, oh, ow};
    clrs_tensor_desc_contiguous(&in, CLRS_F16, 4, is2);
    clrs_tensor_desc_contiguous(&out, CLRS_F16, 4, os2);
    clrs_interpolate_params_init(&p);
    p.mode = CLRS_INTERP_BICUBIC;
    p.antialias = 1;
    p.n_size = 2;
    p.size[0] = oh;
    p.size[1] = ow;
    clrs_status st = clrs_interpolate(ctx, &p, &in, bi, &out, bo);
    printf("# %.1f GiB intermediate: %s: %s\n", inter / 1073741824.0, clrs_status_name(st), clrs_last_error(ctx));
    ck_assert_msg(st == CLRS_ERR_OUT_OF_DEVICE_MEMORY, "a %.1f GiB intermediate gave %s: %s", inter / 1073741824.0,
                  clrs_status_name(st), clrs_last_error(ctx));
    small_call_ok(ctx);
    munmap(bi, ib);
    munmap(bo, ob);
}
END_TEST

/* One call of a mix that goes through every path of a call (programs from
 * the cache, buffers, kernels, events, failures). */
static void loop_call(clrs_context *ctx, int i, float *src, float *dst, int64_t *idx)
{
    int64_t is[4] = {1, 3, 8, 8};
    clrs_tensor_desc in, out, ix;
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 4, is);
    clrs_status st;
    switch (i % 5) {
    case 0: {
        int64_t os[4] = {1, 3, 12, 5};
        clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, os);
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        p.mode = CLRS_INTERP_BILINEAR;
        p.n_size = 2;
        p.size[0] = 12;
        p.size[1] = 5;
        p.antialias = 1;
        st = clrs_interpolate(ctx, &p, &in, src, &out, dst);
        break;
    }
    case 1: {
        int64_t os[4] = {1, 3, 4, 4};
        clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, os);
        clrs_tensor_desc_contiguous(&ix, CLRS_I64, 4, os);
        clrs_pool_params p;
        clrs_pool_params_init(&p, CLRS_POOL_MAX);
        p.n_kernel = 1;
        p.kernel[0] = 3;
        p.n_stride = 1;
        p.stride[0] = 2;
        p.n_padding = 1;
        p.padding[0] = 1;
        st = clrs_pool(ctx, &p, &in, src, &out, dst, &ix, idx);
        break;
    }
    case 2: {
        int64_t os[4] = {1, 3, 16, 16};
        clrs_tensor_desc_channels_last(&out, CLRS_F32, 4, os);
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        p.mode = CLRS_INTERP_NEAREST;
        p.n_scale = 1;
        p.scale[0] = 2;
        st = clrs_interpolate(ctx, &p, &in, src, &out, dst);
        break;
    }
    case 3: { /* a failure after validation */
        int64_t us[4] = {1, 3, 8, 8}, os[4] = {1, 3, 16, 16};
        clrs_tensor_desc_contiguous(&ix, CLRS_I64, 4, us);
        clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, os);
        clrs_unpool_params p;
        clrs_unpool_params_init(&p);
        p.n_kernel = 1;
        p.kernel[0] = 2;
        for (int k = 0; k < 192; k++) idx[k] = k;
        idx[100] = 1000;
        st = clrs_max_unpool(ctx, &p, &in, src, &ix, idx, &out, dst);
        ck_assert_int_eq(st, CLRS_ERR_INDEX_OUT_OF_RANGE);
        return;
    }
    default: { /* a failure in validation */
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        p.n_scale = 1;
        p.scale[0] = NAN;
        st = clrs_interpolate(ctx, &p, &in, src, &in, dst);
        ck_assert_int_eq(st, CLRS_ERR_BAD_PARAM);
        return;
    }
    }
    ck_assert_msg(st == CLRS_OK, "call %d: %s", i, clrs_last_error(ctx));
}

START_TEST(test_memory_flat)
{
    clrs_context *ctx = tu_context();
    const char *e = getenv("CLRS_TEST_LOOP_CALLS");
    int calls = e && *e ? atoi(e) : 10000;
    float *src = malloc(3 * 64 * sizeof *src), *dst = malloc(3 * 256 * sizeof *dst);
    int64_t *idx = malloc(256 * sizeof *idx);
    for (int i = 0; i < 192; i++) src[i] = (float)((i * 37) % 101);
    for (int i = 0; i < 500; i++) loop_call(ctx, i, src, dst, idx); /* warm-up: programs, pools, caches */
    long r0 = rss_kib();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long rmid = 0;
    for (int i = 0; i < calls; i++) {
        loop_call(ctx, i, src, dst, idx);
        if (i == calls / 2) rmid = rss_kib();
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long r1 = rss_kib();
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    printf("# %d calls in %.1f s (%.0f us/call): RSS %ld KiB before, %ld KiB half-way, %ld KiB after (%+ld KiB, %+.1f "
           "bytes/call)\n",
           calls, secs, secs * 1e6 / calls, r0, rmid, r1, r1 - r0, (r1 - r0) * 1024.0 / calls);
    /* A leak of 100 bytes per call would be 1 MB; allow allocator noise.
     * Under ASan the quarantine holds freed memory: LeakSanitizer checks it. */
    long limit = UNDER_ASAN ? 262144 : 2048;
    ck_assert_msg(r1 - r0 < limit, "RSS grew by %ld KiB over %d calls", r1 - r0, calls);
    free(src);
    free(dst);
    free(idx);
}
END_TEST

/* ======================================================================= */
/* 3. Tensors of more than 2^31 elements (uint8)                           */

/* A pattern that is not periodic with any power of two: a wrong 32-bit
 * index reads a different value. */
static inline uint8_t pat(uint64_t i) { return (uint8_t)((i * 0x9E3779B97F4A7C15ULL) >> 56); }

static int huge_wanted(clrs_context *ctx, uint64_t need_dev_alloc, uint64_t need_host, const char *what)
{
    const char *e = getenv("CLRS_TEST_HUGE");
    if (!(e && strcmp(e, "1") == 0)) {
        printf("# huge: %s: skipped (about 80 s and 4 GiB: set CLRS_TEST_HUGE=1; .ci/reliability.sh does)\n", what);
        return 0;
    }
    clrs_device_info info;
    clrs_context_device(ctx, &info);
    if (info.max_alloc < need_dev_alloc || info.global_mem < need_host) {
        printf("# huge: %s: SKIPPED: the device cannot hold it (needs one allocation of %.2f GiB and %.2f GiB in "
               "all; '%s' allows %.2f GiB per allocation and has %.2f GiB)\n",
               what, need_dev_alloc / 1073741824.0, need_host / 1073741824.0, info.name,
               info.max_alloc / 1073741824.0, info.global_mem / 1073741824.0);
        return 0;
    }
    long avail_kib = 0;
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %ld kB", &avail_kib) == 1) break;
    if (f) fclose(f);
    if (avail_kib > 0 && (uint64_t)avail_kib * 1024 < need_host + ((uint64_t)1 << 30)) {
        printf("# huge: %s: SKIPPED: the host has %.2f GiB available, the test needs %.2f GiB\n", what,
               avail_kib / 1048576.0, need_host / 1073741824.0 + 1);
        return 0;
    }
    return 1;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/* nearest 2x in H: output (1, 1, 65536, 40000) = 2.6e9 elements > 2^31 */
START_TEST(test_huge_output)
{
    clrs_context *ctx = tu_context();
    const int64_t H = 32768, W = 40000, OH = 2 * H;
    uint64_t ni = (uint64_t)H * W, no = (uint64_t)OH * W;
    if (!huge_wanted(ctx, no, ni + no, "nearest u8 to 2.6e9 output elements")) return;
    double t0 = now_s();
    uint8_t *in = reserve(ni), *out = reserve(no);
    ck_assert(in && out);
    for (uint64_t i = 0; i < ni; i++) in[i] = pat(i);
    memset(out, 0x5a, no);
    int64_t is[4] = {1, 1, H, W}, os[4] = {1, 1, OH, W};
    clrs_tensor_desc di, dout;
    clrs_tensor_desc_contiguous(&di, CLRS_U8, 4, is);
    clrs_tensor_desc_contiguous(&dout, CLRS_U8, 4, os);
    clrs_interpolate_params p;
    clrs_interpolate_params_init(&p);
    p.mode = CLRS_INTERP_NEAREST;
    p.n_size = 2;
    p.size[0] = OH;
    p.size[1] = W;
    double t1 = now_s();
    clrs_status st = clrs_interpolate(ctx, &p, &di, in, &dout, out);
    double t2 = now_s();
    ck_assert_msg(st == CLRS_OK, "%s", clrs_last_error(ctx));
    uint64_t bad = 0, first = 0;
    for (int64_t y = 0; y < OH; y++) {
        const uint8_t *o = out + (uint64_t)y * W;
        uint64_t base = (uint64_t)(y / 2) * W;
        for (int64_t x = 0; x < W; x++)
            if (o[x] != pat(base + (uint64_t)x) && bad++ == 0) first = (uint64_t)y * W + (uint64_t)x;
    }
    printf("# huge: nearest u8 (1, 1, %lld, %lld) -> (1, 1, %lld, %lld) = %.2fe9 output elements: call %.1f s, "
           "total %.1f s, %llu wrong\n",
           (long long)H, (long long)W, (long long)OH, (long long)W, no / 1e9, t2 - t1, now_s() - t0,
           (unsigned long long)bad);
    ck_assert_msg(bad == 0, "%llu wrong output elements, the first at flat index %llu", (unsigned long long)bad,
                  (unsigned long long)first);
    munmap(in, ni);
    munmap(out, no);
}
END_TEST

/* input (1, 1, 46342, 46342) = 2.15e9 elements > 2^31: max pooling 2x2,
 * bilinear u8 2x (PyTorch's fixed-point path: for an exact 2x reduction,
 * per axis (a + b + 1) >> 1, W then H), adaptive max pooling to 2x3 with
 * int64 indices beyond 2^31, and the global mean (work-group reduction). */
/* The huge input: pat() without 255, except for its last element. */
static inline uint8_t pv(uint64_t i, uint64_t n)
{
    uint8_t v = pat(i);
    return i == n - 1 ? 255 : v == 255 ? 254 : v;
}

START_TEST(test_huge_input)
{
    clrs_context *ctx = tu_context();
    const int64_t S = 46342, O = S / 2;
    uint64_t ni = (uint64_t)S * S, no = (uint64_t)O * O;
    if (!huge_wanted(ctx, ni, ni + no, "pooling / bilinear u8 from 2.15e9 input elements")) return;
    double t0 = now_s();
    uint8_t *in = reserve(ni), *out = reserve(no);
    ck_assert(in && out);
    for (uint64_t i = 0; i < ni; i++) in[i] = pv(i, ni);
    int64_t is[4] = {1, 1, S, S}, os[4] = {1, 1, O, O};
    clrs_tensor_desc di, dout;
    clrs_tensor_desc_contiguous(&di, CLRS_U8, 4, is);
    clrs_tensor_desc_contiguous(&dout, CLRS_U8, 4, os);

    /* first, on a small input, check that the bilinear rule below is the operator's */
    {
        uint8_t si[64], so[16];
        int64_t ss[4] = {1, 1, 8, 8}, sos[4] = {1, 1, 4, 4};
        clrs_tensor_desc a, b;
        clrs_tensor_desc_contiguous(&a, CLRS_U8, 4, ss);
        clrs_tensor_desc_contiguous(&b, CLRS_U8, 4, sos);
        for (int i = 0; i < 64; i++) si[i] = pat((uint64_t)i * 77);
        clrs_interpolate_params ip;
        clrs_interpolate_params_init(&ip);
        ip.mode = CLRS_INTERP_BILINEAR;
        ip.n_size = 1;
        ip.size[0] = 4;
        ck_assert_int_eq(clrs_interpolate(ctx, &ip, &a, si, &b, so), CLRS_OK);
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++) {
                const uint8_t *q = si + 2 * y * 8 + 2 * x;
                int t0v = (q[0] + q[1] + 1) >> 1, t1v = (q[8] + q[9] + 1) >> 1;
                ck_assert_int_eq(so[y * 4 + x], (t0v + t1v + 1) >> 1);
            }
    }

    clrs_pool_params pp;
    clrs_pool_params_init(&pp, CLRS_POOL_MAX);
    pp.n_kernel = 1;
    pp.kernel[0] = 2;
    double t1 = now_s();
    clrs_status st = clrs_pool(ctx, &pp, &di, in, &dout, out, NULL, NULL);
    double t2 = now_s();
    ck_assert_msg(st == CLRS_OK, "max_pool: %s", clrs_last_error(ctx));
    uint64_t bad = 0, first = 0;
    for (int64_t y = 0; y < O; y++)
        for (int64_t x = 0; x < O; x++) {
            uint64_t r0 = (uint64_t)(2 * y) * S + (uint64_t)(2 * x), r1 = r0 + (uint64_t)S;
            uint8_t m = pv(r0, ni), v;
            if ((v = pv(r0 + 1, ni)) > m) m = v;
            if ((v = pv(r1, ni)) > m) m = v;
            if ((v = pv(r1 + 1, ni)) > m) m = v;
            uint64_t o = (uint64_t)y * O + (uint64_t)x;
            if (out[o] != m && bad++ == 0) first = o;
        }
    printf("# huge: max_pool 2x2 u8 (1, 1, %lld, %lld) = %.2fe9 input elements: call %.1f s, %llu wrong\n", (long long)S,
           (long long)S, ni / 1e9, t2 - t1, (unsigned long long)bad);
    ck_assert_msg(bad == 0, "max_pool: %llu wrong outputs, the first at %llu", (unsigned long long)bad,
                  (unsigned long long)first);

    clrs_interpolate_params ip;
    clrs_interpolate_params_init(&ip);
    ip.mode = CLRS_INTERP_BILINEAR;
    ip.n_size = 1;
    ip.size[0] = O;
    memset(out, 0, no);
    t1 = now_s();
    st = clrs_interpolate(ctx, &ip, &di, in, &dout, out);
    t2 = now_s();
    ck_assert_msg(st == CLRS_OK, "bilinear: %s", clrs_last_error(ctx));
    bad = 0;
    for (int64_t y = 0; y < O; y++)
        for (int64_t x = 0; x < O; x++) {
            uint64_t r0 = (uint64_t)(2 * y) * S + (uint64_t)(2 * x), r1 = r0 + (uint64_t)S;
            int a = (pv(r0, ni) + pv(r0 + 1, ni) + 1) >> 1, b = (pv(r1, ni) + pv(r1 + 1, ni) + 1) >> 1;
            uint64_t o = (uint64_t)y * O + (uint64_t)x;
            if (out[o] != ((a + b + 1) >> 1) && bad++ == 0) first = o;
        }
    printf("# huge: bilinear u8 (1, 1, %lld, %lld) -> (1, 1, %lld, %lld): call %.1f s, %llu wrong\n", (long long)S,
           (long long)S, (long long)O, (long long)O, t2 - t1, (unsigned long long)bad);
    ck_assert_msg(bad == 0, "bilinear: %llu wrong outputs, the first at %llu", (unsigned long long)bad,
                  (unsigned long long)first);
    munmap(out, no);

    /* adaptive max to 2x3: windows [floor(o*S/out), ceil((o+1)*S/out)),
     * the first maximum in scan order, flat indices up to 2.1e9 */
    clrs_pool_params_init(&pp, CLRS_POOL_ADAPTIVE_MAX);
    pp.n_output_size = 2;
    pp.output_size[0] = 2;
    pp.output_size[1] = 3;
    int64_t as[4] = {1, 1, 2, 3};
    clrs_tensor_desc da, dx;
    clrs_tensor_desc_contiguous(&da, CLRS_U8, 4, as);
    clrs_tensor_desc_contiguous(&dx, CLRS_I64, 4, as);
    uint8_t av[6];
    int64_t ax[6];
    t1 = now_s();
    st = clrs_pool(ctx, &pp, &di, in, &da, av, &dx, ax);
    t2 = now_s();
    ck_assert_msg(st == CLRS_OK, "adaptive max: %s", clrs_last_error(ctx));
    bad = 0;
    for (int oy = 0; oy < 2; oy++)
        for (int ox = 0; ox < 3; ox++) {
            int64_t y0 = oy * S / 2, y1 = ((oy + 1) * S + 1) / 2, x0 = ox * S / 3, x1 = ((ox + 1) * S + 2) / 3;
            int best = -1, lim = oy == 1 && ox == 2 ? 255 : 254; /* the last window holds the 255 */
            int64_t at = -1;
            for (int64_t y = y0; y < y1 && best < lim; y++)
                for (int64_t x = x0; x < x1; x++) {
                    int v = pv((uint64_t)y * S + (uint64_t)x, ni);
                    if (v > best) {
                        best = v;
                        at = y * S + x;
                        if (v >= lim) break;
                    }
                }
            if (av[oy * 3 + ox] != best || ax[oy * 3 + ox] != at) {
                printf("# adaptive max window (%d, %d): got %d at %lld, expected %d at %lld\n", oy, ox, av[oy * 3 + ox],
                       (long long)ax[oy * 3 + ox], best, (long long)at);
                bad++;
            }
        }
    printf("# huge: adaptive max u8 to 2x3 with indices (largest %lld): call %.1f s, %llu wrong\n", (long long)ax[5],
           t2 - t1, (unsigned long long)bad);
    ck_assert_msg(bad == 0, "adaptive max: %llu wrong windows", (unsigned long long)bad);

    /* the maximum of the whole plane (adaptive max to 1x1: the work-group
     * reduction) is its last element: index 2,147,580,963 > 2^31 */
    pp.output_size[0] = pp.output_size[1] = 1;
    int64_t gs[4] = {1, 1, 1, 1};
    clrs_tensor_desc dg, dgx;
    clrs_tensor_desc_contiguous(&dg, CLRS_U8, 4, gs);
    clrs_tensor_desc_contiguous(&dgx, CLRS_I64, 4, gs);
    uint8_t gmax = 0;
    int64_t gidx = -1;
    t1 = now_s();
    st = clrs_pool(ctx, &pp, &di, in, &dg, &gmax, &dgx, &gidx);
    t2 = now_s();
    ck_assert_msg(st == CLRS_OK, "global max: %s", clrs_last_error(ctx));
    printf("# huge: global max of %.2fe9 u8 values: %d at %lld (expected 255 at %llu): call %.1f s; input tests %.1f s\n",
           ni / 1e9, gmax, (long long)gidx, (unsigned long long)(ni - 1), t2 - t1, now_s() - t0);
    ck_assert_msg(gmax == 255 && (uint64_t)gidx == ni - 1, "global max %d at %lld, expected 255 at %llu", gmax,
                  (long long)gidx, (unsigned long long)(ni - 1));
    munmap(in, ni);
}
END_TEST

/* ======================================================================= */
/* 4. Two processes filling one binary-cache directory at once             */

/* The ops each cache worker runs: several programs (resample, pool) with
 * different options, so the workers build and save at the same time. */
#define CW_OPS 8
static int cw_hits, cw_saves, cw_misses;

static void cw_log(clrs_log_level lvl, const char *cat, const char *msg, void *user)
{
    (void)lvl;
    (void)user;
    if (strcmp(cat, "cache") != 0) return;
    if (strncmp(msg, "HIT", 3) == 0) cw_hits++;
    if (strncmp(msg, "SAVE", 4) == 0) cw_saves++;
    if (strncmp(msg, "MISS", 4) == 0) cw_misses++;
}

/* Runs the ops; writes their outputs to `out` (CW_OPS blocks of 4096
 * bytes) and then the hit/miss/save counts. */
static int cache_worker(const char *dir, const char *outpath, int start_fd)
{
    setenv("CLRS_CACHE_DIR", dir, 1);
    setenv("CLRS_LOG", "debug,cache", 1);
    clrs_set_log_callback(cw_log, NULL);
    char go;
    if (start_fd >= 0 && read(start_fd, &go, 1) < 0) return 10; /* wait for the others */
    clrs_context *ctx = NULL;
    if (clrs_context_create(&ctx, NULL) != CLRS_OK) return 11;
    static unsigned char res[CW_OPS][4096];
    memset(res, 0, sizeof res);
    static const clrs_dtype dts[CW_OPS] = {CLRS_F32, CLRS_F16, CLRS_U8, CLRS_F64, CLRS_BF16, CLRS_F32, CLRS_U16, CLRS_F32};
    for (int k = 0; k < CW_OPS; k++) {
        clrs_dtype dt = dts[k];
        int64_t is[4] = {1, 2, 9, 7};
        unsigned char src[1024];
        for (int i = 0; i < (int)sizeof src; i++) src[i] = (unsigned char)(i * 29 + k);
        if (dt == CLRS_F32 || dt == CLRS_F64 || dt == CLRS_F16 || dt == CLRS_BF16)
            for (int i = 0; i < 126; i++) tu_set(dt, src, i, (i * 37 % 101) / 7.0);
        clrs_tensor_desc in, out;
        clrs_tensor_desc_contiguous(&in, dt, 4, is);
        clrs_status st;
        if (k % 2 == 0) {
            clrs_interpolate_params p;
            clrs_interpolate_params_init(&p);
            static const clrs_interp_mode m[4] = {CLRS_INTERP_BILINEAR, CLRS_INTERP_BICUBIC, CLRS_INTERP_AREA,
                                                  CLRS_INTERP_LANCZOS};
            p.mode = m[(k / 2) % 4];
            p.antialias = p.mode == CLRS_INTERP_LANCZOS || k == 2;
            p.n_size = 2;
            p.size[0] = 5 + k;
            p.size[1] = 4;
            int64_t os[CLRS_MAX_RANK];
            if (clrs_interpolate_output_shape(ctx, &in, &p, os) != CLRS_OK) return 12;
            clrs_tensor_desc_contiguous(&out, dt, 4, os);
            st = clrs_interpolate(ctx, &p, &in, src, &out, res[k]);
        } else {
            clrs_pool_params p;
            static const clrs_pool_kind kinds[4] = {CLRS_POOL_MAX, CLRS_POOL_AVG, CLRS_POOL_ADAPTIVE_MAX, CLRS_POOL_LP};
            clrs_pool_params_init(&p, kinds[(k / 2) % 4]);
            if (p.kind == CLRS_POOL_ADAPTIVE_MAX) {
                p.n_output_size = 2;
                p.output_size[0] = 4;
                p.output_size[1] = 3;
            } else {
                p.n_kernel = 1;
                p.kernel[0] = 3;
                p.n_stride = 1;
                p.stride[0] = 2;
                p.ceil_mode = 1;
                if (p.kind != CLRS_POOL_LP) {
                    p.n_padding = 1;
                    p.padding[0] = 1;
                }
            }
            int64_t os[CLRS_MAX_RANK];
            if (clrs_pool_output_shape(ctx, &in, &p, os) != CLRS_OK) return 13;
            clrs_tensor_desc_contiguous(&out, dt, 4, os);
            st = clrs_pool(ctx, &p, &in, src, &out, res[k], NULL, NULL);
        }
        if (st != CLRS_OK) {
            fprintf(stderr, "cache worker: op %d: %s\n", k, clrs_last_error(ctx));
            return 14;
        }
    }
    clrs_context_release(ctx);
    FILE *f = fopen(outpath, "wb");
    if (f == NULL) return 15;
    int counts[3] = {cw_hits, cw_misses, cw_saves};
    int ok = fwrite(res, sizeof res, 1, f) == 1 && fwrite(counts, sizeof counts, 1, f) == 1;
    return (fclose(f) == 0 && ok) ? 0 : 16;
}

/* Start n workers on `dir` at the same moment; collect their results. */
static void run_workers(const char *dir, const char *outdir, int n, const char *tag,
                        unsigned char (*res)[CW_OPS * 4096], int (*counts)[3])
{
    int go[2];
    ck_assert_int_eq(pipe(go), 0);
    pid_t pids[8];
    char paths[8][300];
    for (int i = 0; i < n; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s.%d.out", outdir, tag, i);
        pids[i] = fork();
        ck_assert_int_ge(pids[i], 0);
        if (pids[i] == 0) {
            close(go[1]);
            char fd[16];
            snprintf(fd, sizeof fd, "%d", go[0]);
            execl(self_exe, self_exe, "--cache-worker", dir, paths[i], fd, (char *)NULL);
            _exit(127);
        }
    }
    close(go[0]);
    usleep(200000);
    close(go[1]); /* all start now (read returns 0) */
    for (int i = 0; i < n; i++) {
        int status = 0;
        ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s worker %d: status %#x", tag, i, status);
        FILE *f = fopen(paths[i], "rb");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(fread(res[i], sizeof res[i], 1, f), 1);
        ck_assert_int_eq(fread(counts[i], sizeof counts[i], 1, f), 1);
        fclose(f);
        unlink(paths[i]);
    }
}

START_TEST(test_cache_two_processes)
{
    tu_context(); /* skip (77) without a platform; the workers make their own */
    char dir[256], outdir[256];
    snprintf(dir, sizeof dir, "/tmp/clrs-robust-cache-%ld", (long)getpid());
    snprintf(outdir, sizeof outdir, "/tmp/clrs-robust-out-%ld", (long)getpid());
    ck_assert_int_eq(mkdir(outdir, 0700), 0);
    static unsigned char ref[1][CW_OPS * 4096], res[4][CW_OPS * 4096];
    int rc[1][3], c[4][3];
    run_workers("off", outdir, 1, "ref", ref, rc); /* CLRS_CACHE_DIR=off: the reference, built from source */
    ck_assert_int_eq(rc[0][0] + rc[0][2], 0);
    for (int round = 0; round < 2; round++) {
        int n = round == 0 ? 3 : 2;
        run_workers(dir, outdir, n, round == 0 ? "cold" : "warm", res, c);
        for (int i = 0; i < n; i++) {
            printf("# cache %s worker %d: %d hits, %d misses, %d saves\n", round ? "warm" : "cold", i, c[i][0], c[i][1],
                   c[i][2]);
            ck_assert_msg(memcmp(res[i], ref[0], sizeof ref[0]) == 0, "round %d worker %d: results differ from the "
                          "uncached reference", round, i);
            if (round == 1) {
                ck_assert_int_ge(c[i][0], CW_OPS / 2); /* every program from the cache */
                ck_assert_int_eq(c[i][1], 0);
                ck_assert_int_eq(c[i][2], 0);
            }
        }
        if (round == 0) {
            int saves = 0;
            for (int i = 0; i < n; i++) saves += c[i][2];
            ck_assert_int_ge(saves, CW_OPS / 2);
        }
        /* nothing half-written left behind, every file a complete entry */
        DIR *d = opendir(dir);
        ck_assert_ptr_nonnull(d);
        struct dirent *e;
        int files = 0;
        while ((e = readdir(d)) != NULL) {
            ck_assert_msg(strstr(e->d_name, ".tmp") == NULL, "temporary file %s left in the cache", e->d_name);
            if (e->d_name[0] == '.' || strcmp(e->d_name, "hmac.key") == 0) continue; /* ., .., the secret */
            char p[600], magic[8];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            FILE *f = fopen(p, "rb");
            ck_assert_ptr_nonnull(f);
            ck_assert_int_eq(fread(magic, 8, 1, f), 1);
            fclose(f);
            ck_assert_msg(memcmp(magic, "CLRSBIN2", 8) == 0, "%s is not a cache entry", e->d_name);
            files++;
        }
        closedir(d);
        printf("# cache %s: %d entries\n", round ? "warm" : "cold", files);
        ck_assert_int_ge(files, CW_OPS / 2);
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, outdir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ======================================================================= */
/* 5. Every kernel variant on small shapes, against the C reference        */

static double ulp16(clrs_dtype dt, double v)
{
    if (dt == CLRS_F16) return ldexp(1.0, (int)floor(log2(fmax(fabs(v), 6.103515625e-05))) - 10);
    return ldexp(1.0, (int)floor(log2(fmax(fabs(v), 1.2e-38))) - 7);
}

/* Which comparison a result needs. */
enum { CMP_EXACT, CMP_SUM, CMP_FILTER, CMP_POW };

static int close_to(clrs_dtype dt, int how, double got, double ref)
{
    if (isnan(ref)) return isnan(got);
    if (how == CMP_EXACT || isinf(ref)) return got == ref;
    double err = fabs(got - ref), a = fabs(ref);
    switch (dt) {
    case CLRS_F64: return err <= (how == CMP_FILTER ? 1e-9 : 1e-12) * (1 + a);
    case CLRS_F32: return err <= (how == CMP_FILTER ? 2e-3 : how == CMP_POW ? 1e-4 : 1e-5) * (1 + a);
    case CLRS_F16:
    case CLRS_BF16: return how == CMP_FILTER ? err <= 0.02 * (1 + a) : err <= (how == CMP_POW ? 2.01 : 1.01) * ulp16(dt, ref);
    default: return err <= 1; /* u8, u16: rounding of a float sum */
    }
}

static int kcases, kfail;

/* One more kernel call checked (and a progress line now and then). */
static void kcase_done(void)
{
    kcases++;
    tu_progress("test_kernel_variants", kcases, 0, "kernel calls");
}

/* Random values representable in dt: distinct-ish, some negative. */
static void fill_values(clrs_dtype dt, double *v, int64_t n, uint64_t *rng)
{
    for (int64_t i = 0; i < n; i++) {
        double x = dt == CLRS_U8 ? (double)tu_range(rng, 0, 255)
                 : dt == CLRS_U16 ? (double)tu_range(rng, 0, 65535)
                 : tu_uniform(rng) * 20 - 10;
        unsigned char b[8];
        tu_set(dt, b, 0, x);
        v[i] = tu_get(dt, b, 0);
    }
}

/* Store logical values into t (layout l), run, load. */
static void to_tensor(tu_tensor *t, clrs_dtype dt, const double *v, int64_t n)
{
    size_t es = clrs_dtype_size(dt);
    unsigned char *lg = malloc((size_t)n * es + 1);
    for (int64_t i = 0; i < n; i++) tu_set(dt, lg, i, v[i]);
    tu_store(t, lg);
    free(lg);
}

/* The gap bytes of an output keep their fill (0xcd). */
static int gaps_intact(const tu_tensor *t, int64_t numel)
{
    size_t es = clrs_dtype_size(t->desc.dtype);
    unsigned char *mask = calloc(t->bytes + 1, 1), *ones = malloc((size_t)numel * es + 1);
    memset(ones, 1, (size_t)numel * es);
    tu_tensor m = *t;
    m.base = mask;
    tu_store(&m, ones);
    int ok = 1;
    for (size_t b = 0; b < t->bytes; b++)
        if (!mask[b] && t->base[b] != 0xcd) ok = 0;
    free(mask);
    free(ones);
    return ok;
}

static int64_t prod(int rank, const int64_t *s)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= s[i];
    return n;
}

#if defined(__GNUC__) || defined(__clang__)
static void kfailf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
static void kfailf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("not ok - ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    kfail++;
}

/* bcast: the input is one channel seen C times (stride 0 on C). */
static void kernel_interp(clrs_context *ctx, clrs_dtype dt, int rank, const int64_t *isz, const clrs_interpolate_params *p,
                          tu_layout li, tu_layout lo, int bcast, uint64_t *rng)
{
    int64_t osz[CLRS_MAX_RANK];
    clrs_tensor_desc d;
    clrs_tensor_desc_contiguous(&d, dt, rank, isz);
    clrs_status st = clrs_interpolate_output_shape(ctx, &d, p, osz);
    if (st != CLRS_OK) {
        kfailf("interpolate %s rank %d: output_shape: %s", clrs_interp_mode_name(p->mode), rank, clrs_last_error(ctx));
        return;
    }
    int64_t ni = prod(rank, isz), no = prod(rank, osz);
    double *vi = malloc((size_t)ni * sizeof *vi), *vr = malloc((size_t)no * sizeof *vr), *vg = malloc((size_t)no * sizeof *vg);
    fill_values(dt, vi, ni, rng);
    int64_t plane = ni / isz[0] / isz[1];
    if (bcast) /* every channel a copy of channel 0 of its batch */
        for (int64_t i = 0; i < ni; i++) vi[i] = vi[(i / (plane * isz[1])) * plane * isz[1] + i % plane];
    ck_assert_int_eq(ref_interpolate_ex(rank, isz, vi, p, osz, vr, dt, REF_NEAREST_TORCH_CPU | REF_NEAREST_FMA), 0);
    tu_tensor ti, to;
    int64_t one[CLRS_MAX_RANK] = {0};
    memcpy(one, isz, (size_t)rank * sizeof one[0]);
    if (bcast) one[1] = 1;
    tu_alloc(&ti, dt, rank, one, li, 0x11);
    tu_alloc(&to, dt, rank, osz, lo, 0xcd);
    if (bcast) {
        double *v1 = malloc((size_t)(ni / isz[1]) * sizeof *v1);
        for (int64_t i = 0; i < ni / isz[1]; i++) v1[i] = vi[(i / plane) * plane * isz[1] + i % plane];
        to_tensor(&ti, dt, v1, ni / isz[1]);
        free(v1);
        ti.desc.sizes[1] = isz[1];
        ti.desc.strides[1] = 0;
    } else {
        to_tensor(&ti, dt, vi, ni);
    }
    st = clrs_interpolate(ctx, p, &ti.desc, ti.base, &to.desc, to.base);
    kcase_done();
    char what[200];
    snprintf(what, sizeof what, "interpolate %s%s ac=%d %s rank %d %s%s -> %s", clrs_interp_mode_name(p->mode),
             p->antialias ? "+aa" : "", p->align_corners, clrs_dtype_name(dt), rank, tu_layout_name(li),
             bcast ? " (broadcast C)" : "", tu_layout_name(lo));
    if (st != CLRS_OK) {
        kfailf("%s: %s", what, clrs_last_error(ctx));
    } else {
        size_t es = clrs_dtype_size(dt);
        unsigned char *lg = malloc((size_t)no * es + 1);
        tu_load(&to, lg);
        int how = (p->mode == CLRS_INTERP_NEAREST || p->mode == CLRS_INTERP_NEAREST_EXACT) ? CMP_EXACT
                : p->mode == CLRS_INTERP_AREA ? CMP_SUM
                : (dt == CLRS_U8 ? CMP_EXACT : CMP_FILTER);
        for (int64_t i = 0; i < no; i++) {
            vg[i] = tu_get(dt, lg, i);
            if (!close_to(dt, how, vg[i], vr[i])) {
                kfailf("%s: element %lld: %.9g vs reference %.9g", what, (long long)i, vg[i], vr[i]);
                break;
            }
        }
        if (!gaps_intact(&to, no)) kfailf("%s: wrote outside the output's elements", what);
        free(lg);
    }
    tu_free(&ti);
    tu_free(&to);
    free(vi);
    free(vr);
    free(vg);
}

static void kernel_pool(clrs_context *ctx, clrs_dtype dt, int rank, const int64_t *isz, clrs_pool_params *p, int with_idx,
                        tu_layout li, tu_layout lo, uint64_t *rng)
{
    int64_t osz[CLRS_MAX_RANK];
    clrs_tensor_desc d;
    clrs_tensor_desc_contiguous(&d, dt, rank, isz);
    float samples[256];
    if (p->kind == CLRS_POOL_FRACTIONAL_MAX) {
        for (int i = 0; i < 256; i++) samples[i] = (float)tu_uniform(rng);
        p->samples = samples;
        p->samples_dtype = CLRS_F32;
    }
    clrs_status st = clrs_pool_output_shape(ctx, &d, p, osz);
    if (st != CLRS_OK) {
        kfailf("pool kind %d rank %d: output_shape: %s", (int)p->kind, rank, clrs_last_error(ctx));
        return;
    }
    int64_t ni = prod(rank, isz), no = prod(rank, osz);
    double *vi = malloc((size_t)ni * sizeof *vi), *vr = malloc((size_t)no * sizeof *vr);
    int64_t *ir = malloc((size_t)no * sizeof *ir), *ig = malloc((size_t)no * sizeof *ig);
    fill_values(dt, vi, ni, rng);
    int rst = ref_pool(rank, isz, vi, p, osz, vr, ir, dt);
    ck_assert_msg(rst == 0, "ref_pool kind %d %s rank %d: %d", (int)p->kind, clrs_dtype_name(dt), rank, rst);
    tu_tensor ti, to, tx;
    tu_alloc(&ti, dt, rank, isz, li, 0x11);
    tu_alloc(&to, dt, rank, osz, lo, 0xcd);
    tu_alloc(&tx, CLRS_I64, rank, osz, lo, 0xcd);
    to_tensor(&ti, dt, vi, ni);
    st = clrs_pool(ctx, p, &ti.desc, ti.base, &to.desc, to.base, with_idx ? &tx.desc : NULL, with_idx ? tx.base : NULL);
    kcase_done();
    static const char *const kn[] = {"max", "avg", "lp", "adaptive_avg", "adaptive_max", "fractional_max"};
    char what[240];
    snprintf(what, sizeof what, "pool %s%s k=%lld s=%lld p=%lld d=%lld ceil=%d cip=%d p=%g %s rank %d %s -> %s",
             kn[p->kind], with_idx ? "+indices" : "", (long long)p->kernel[0], (long long)(p->n_stride ? p->stride[0] : 0),
             (long long)p->padding[0], (long long)(p->n_dilation ? p->dilation[0] : 1), p->ceil_mode,
             p->count_include_pad, p->norm_type, clrs_dtype_name(dt), rank, tu_layout_name(li), tu_layout_name(lo));
    if (st != CLRS_OK) {
        kfailf("%s: %s", what, clrs_last_error(ctx));
    } else {
        size_t es = clrs_dtype_size(dt);
        unsigned char *lg = malloc((size_t)no * es + 1);
        tu_load(&to, lg);
        int how = (p->kind == CLRS_POOL_AVG || p->kind == CLRS_POOL_ADAPTIVE_AVG) ? CMP_SUM
                : p->kind == CLRS_POOL_LP && !isinf(p->norm_type) ? CMP_POW : CMP_EXACT;
        for (int64_t i = 0; i < no; i++) {
            double g = tu_get(dt, lg, i);
            if (!close_to(dt, how, g, vr[i])) {
                kfailf("%s: element %lld: %.9g vs reference %.9g", what, (long long)i, g, vr[i]);
                break;
            }
        }
        if (with_idx) {
            tu_load(&tx, ig);
            for (int64_t i = 0; i < no; i++)
                if (ig[i] != ir[i]) {
                    kfailf("%s: index %lld: %lld vs reference %lld", what, (long long)i, (long long)ig[i], (long long)ir[i]);
                    break;
                }
            if (!gaps_intact(&tx, no)) kfailf("%s: wrote outside the indices' elements", what);
        }
        if (!gaps_intact(&to, no)) kfailf("%s: wrote outside the output's elements", what);
        free(lg);
    }
    p->samples = NULL;
    tu_free(&ti);
    tu_free(&to);
    tu_free(&tx);
    free(vi);
    free(vr);
    free(ir);
    free(ig);
}

/* dup: give input 1 the index of input 0 (an index outside its own
 * window: the zero-and-scatter kernels instead of the gather) */
static void kernel_unpool(clrs_context *ctx, clrs_dtype dt, int rank, const int64_t *psz, int64_t k, int64_t s,
                          tu_layout l, int dup, uint64_t *rng)
{
    /* indices from a max_pool of a random input of sizes psz */
    clrs_pool_params pp;
    clrs_pool_params_init(&pp, CLRS_POOL_MAX);
    pp.n_kernel = 1;
    pp.kernel[0] = k;
    pp.n_stride = 1;
    pp.stride[0] = s;
    int64_t isz[CLRS_MAX_RANK], osz[CLRS_MAX_RANK];
    ck_assert_int_eq(ref_pool_shape(rank, psz, &pp, isz), 0);
    int64_t np = prod(rank, psz), ni = prod(rank, isz);
    double *vp = malloc((size_t)np * sizeof *vp), *vm = malloc((size_t)ni * sizeof *vm), *vi = malloc((size_t)ni * sizeof *vi);
    int64_t *ix = malloc((size_t)ni * sizeof *ix);
    fill_values(CLRS_F64, vp, np, rng);
    ck_assert_int_eq(ref_pool(rank, psz, vp, &pp, isz, vm, ix, CLRS_F64), 0);
    if (dup) ix[1] = ix[0]; /* a duplicate index in plane 0: either write may win */
    fill_values(dt, vi, ni, rng);
    clrs_unpool_params up;
    clrs_unpool_params_init(&up);
    up.n_kernel = 1;
    up.kernel[0] = k;
    up.n_stride = 1;
    up.stride[0] = s;
    ck_assert_int_eq(ref_max_unpool_shape(rank, isz, &up, osz), 0);
    int64_t no = prod(rank, osz);
    double *vr = malloc((size_t)no * sizeof *vr);
    int dup_ok = ref_max_unpool(rank, isz, vi, ix, &up, osz, vr, dt);
    ck_assert_int_eq(dup_ok, 0);
    tu_tensor ti, tx, to;
    tu_alloc(&ti, dt, rank, isz, l, 0x11);
    tu_alloc(&tx, CLRS_I64, rank, isz, l, 0x11);
    tu_alloc(&to, dt, rank, osz, l, 0xcd);
    to_tensor(&ti, dt, vi, ni);
    tu_store(&tx, ix);
    clrs_status st = clrs_max_unpool(ctx, &up, &ti.desc, ti.base, &tx.desc, tx.base, &to.desc, to.base);
    kcase_done();
    char what[160];
    snprintf(what, sizeof what, "max_unpool k=%lld s=%lld %s rank %d %s", (long long)k, (long long)s, clrs_dtype_name(dt),
             rank, tu_layout_name(l));
    if (st != CLRS_OK) {
        kfailf("%s: %s", what, clrs_last_error(ctx));
    } else {
        size_t es = clrs_dtype_size(dt);
        unsigned char *lg = malloc((size_t)no * es + 1);
        tu_load(&to, lg);
        int64_t iplane = ni / isz[0] / isz[1], oplane = no / osz[0] / osz[1];
        for (int64_t i = 0; i < no; i++) {
            double g = tu_get(dt, lg, i);
            int ok = g == vr[i];
            /* several inputs with this index (duplicates, overlapping
             * windows): any of their values may win */
            for (int64_t j = 0; j < ni && !ok; j++)
                if ((j / iplane) * oplane + ix[j] == i && g == vi[j]) ok = 1;
            if (!ok) {
                kfailf("%s: element %lld: %.9g vs reference %.9g", what, (long long)i, g, vr[i]);
                break;
            }
        }
        if (!gaps_intact(&to, no)) kfailf("%s: wrote outside the output's elements", what);
        free(lg);
    }
    /* and an index out of range: the error, nothing written outside */
    ix[ni / 2] = no / osz[0] / osz[1];
    tu_store(&tx, ix);
    st = clrs_max_unpool(ctx, &up, &ti.desc, ti.base, &tx.desc, tx.base, &to.desc, to.base);
    kcase_done();
    if (st != CLRS_ERR_INDEX_OUT_OF_RANGE) kfailf("%s: a bad index gave %s", what, clrs_status_name(st));
    tu_free(&ti);
    tu_free(&tx);
    tu_free(&to);
    free(vp);
    free(vm);
    free(vi);
    free(ix);
    free(vr);
}

/* max_unpool backward ("unpool_backward/gather"): random in-plane indices
 * (repeats included) for a forward input of sizes isz, grad_out in layout
 * lo, indices and grad_in in li; against the C reference, no write outside
 * grad_in's elements; then an index out of range: the error. */
static void kernel_unpool_backward(clrs_context *ctx, clrs_dtype dt, int rank, const int64_t *isz, int64_t k,
                                   tu_layout lo, tu_layout li, uint64_t *rng)
{
    clrs_unpool_params up;
    clrs_unpool_params_init(&up);
    up.n_kernel = 1;
    up.kernel[0] = k;
    int64_t osz[CLRS_MAX_RANK];
    ck_assert_int_eq(ref_max_unpool_shape(rank, isz, &up, osz), 0);
    const int64_t ni = prod(rank, isz), no = prod(rank, osz), oplane = no / osz[0] / osz[1];
    double *vg = malloc((size_t)no * sizeof *vg), *vr = malloc((size_t)ni * sizeof *vr);
    int64_t *ix = malloc((size_t)ni * sizeof *ix);
    fill_values(dt, vg, no, rng);
    for (int64_t i = 0; i < ni; i++) ix[i] = tu_range(rng, 0, oplane - 1);
    ck_assert_int_eq(ref_max_unpool_backward(rank, isz, ix, &up, vg, vr), 0);
    tu_tensor tg, tx, ti;
    tu_alloc(&tg, dt, rank, osz, lo, 0x11);
    tu_alloc(&tx, CLRS_I64, rank, isz, li, 0x11);
    tu_alloc(&ti, dt, rank, isz, li, 0xcd);
    to_tensor(&tg, dt, vg, no);
    tu_store(&tx, ix);
    clrs_status st = clrs_max_unpool_backward(ctx, &up, &tx.desc, tx.base, &tg.desc, tg.base, &ti.desc, ti.base);
    kcase_done();
    char what[160];
    snprintf(what, sizeof what, "max_unpool backward k=%lld %s rank %d %s/%s", (long long)k, clrs_dtype_name(dt), rank,
             tu_layout_name(lo), tu_layout_name(li));
    if (st != CLRS_OK) {
        kfailf("%s: %s", what, clrs_last_error(ctx));
    } else {
        unsigned char *lg = malloc((size_t)ni * clrs_dtype_size(dt) + 1);
        tu_load(&ti, lg);
        for (int64_t i = 0; i < ni; i++)
            if (tu_get(dt, lg, i) != vr[i]) {
                kfailf("%s: element %lld: %.9g vs reference %.9g", what, (long long)i, tu_get(dt, lg, i), vr[i]);
                break;
            }
        if (!gaps_intact(&ti, ni)) kfailf("%s: wrote outside grad_in's elements", what);
        free(lg);
    }
    ix[ni / 2] = oplane;
    tu_store(&tx, ix);
    st = clrs_max_unpool_backward(ctx, &up, &tx.desc, tx.base, &tg.desc, tg.base, &ti.desc, ti.base);
    kcase_done();
    if (st != CLRS_ERR_INDEX_OUT_OF_RANGE) kfailf("%s: a bad index gave %s", what, clrs_status_name(st));
    tu_free(&tg);
    tu_free(&tx);
    tu_free(&ti);
    free(vg);
    free(vr);
    free(ix);
}

/* interpolate backward (interp_backward/cvec from 4 channels, else wflat or gather): grad_out in lo, grad_in
 * in li (C = 5: channels-last grad_in runs channels first); against the
 * reference's backward (double sums of the forward's one-hot columns)
 * within the dtype's rounding of the largest gradient, no write outside
 * grad_in's elements. */
static void kernel_interp_backward(clrs_context *ctx, clrs_dtype dt, int rank, const int64_t *isz, clrs_interp_mode m,
                                   int antialias, double scale, tu_layout lo, tu_layout li, uint64_t *rng)
{
    clrs_interpolate_params p;
    clrs_interpolate_params_init(&p);
    p.mode = m;
    p.antialias = antialias;
    p.n_scale = 1;
    p.scale[0] = scale;
    int64_t osz[CLRS_MAX_RANK];
    ck_assert_int_eq(ref_interpolate_shape(rank, isz, &p, osz), 0);
    const int64_t ni = prod(rank, isz), no = prod(rank, osz);
    double *vg = malloc((size_t)no * sizeof *vg), *vr = malloc((size_t)ni * sizeof *vr);
    fill_values(dt, vg, no, rng);
    ck_assert_int_eq(ref_interpolate_backward(rank, isz, &p, vg, vr, dt), 0);
    tu_tensor tg, ti;
    tu_alloc(&tg, dt, rank, osz, lo, 0x11);
    tu_alloc(&ti, dt, rank, isz, li, 0xcd);
    to_tensor(&tg, dt, vg, no);
    clrs_tensor_desc din;
    clrs_tensor_desc_contiguous(&din, dt, rank, isz);
    clrs_status st = clrs_interpolate_backward(ctx, &p, &din, &tg.desc, tg.base, &ti.desc, ti.base);
    kcase_done();
    char what[160];
    snprintf(what, sizeof what, "interpolate backward %s%s x%g %s rank %d %s/%s", clrs_interp_mode_name(m),
             antialias ? " antialias" : "", scale, clrs_dtype_name(dt), rank, tu_layout_name(lo), tu_layout_name(li));
    if (st != CLRS_OK) {
        kfailf("%s: %s", what, clrs_last_error(ctx));
    } else {
        unsigned char *lg = malloc((size_t)ni * clrs_dtype_size(dt) + 1);
        tu_load(&ti, lg);
        double mx = 0;
        for (int64_t i = 0; i < ni; i++) mx = fmax(mx, fabs(vr[i]));
        const double tol = (dt == CLRS_F64 ? 1e-12 : dt == CLRS_F32 ? 1e-5 : dt == CLRS_F16 ? 0x1p-10 : 0x1p-7) * mx;
        for (int64_t i = 0; i < ni; i++)
            if (!(fabs(tu_get(dt, lg, i) - vr[i]) <= tol)) {
                kfailf("%s: element %lld: %.9g vs reference %.9g", what, (long long)i, tu_get(dt, lg, i), vr[i]);
                break;
            }
        if (!gaps_intact(&ti, ni)) kfailf("%s: wrote outside grad_in's elements", what);
        free(lg);
    }
    tu_free(&tg);
    tu_free(&ti);
    free(vg);
    free(vr);
}

/* max / adaptive max pool backward ("pool_backward/gather", and with one
 * index moved outside its window "pool_backward/scan"): indices from the
 * reference's forward, grad_out in lo, the rest in li; against the
 * reference's backward, no write outside grad_in's elements. */
static void kernel_pool_backward(clrs_context *ctx, clrs_dtype dt, int rank, const int64_t *isz, int adaptive,
                                 int far, tu_layout lo, tu_layout li, uint64_t *rng)
{
    clrs_pool_params p;
    clrs_pool_params_init(&p, adaptive == 1 ? CLRS_POOL_ADAPTIVE_MAX : CLRS_POOL_MAX);
    if (adaptive == 1) {
        p.n_output_size = 1;
        p.output_size[0] = 2;
    } else if (adaptive == 2) { /* 2x2 stride 2: disjoint windows ("pool_backward/disjoint") */
        p.n_kernel = 1;
        p.kernel[0] = 2;
    } else {
        p.n_kernel = p.n_stride = p.n_padding = 1;
        p.kernel[0] = 3;
        p.stride[0] = 2;
        p.padding[0] = 1;
    }
    int64_t osz[CLRS_MAX_RANK];
    ck_assert_int_eq(ref_pool_shape(rank, isz, &p, osz), 0);
    const int64_t ni = prod(rank, isz), no = prod(rank, osz);
    double *vi = malloc((size_t)ni * sizeof *vi), *vo = malloc((size_t)no * sizeof *vo),
           *vg = malloc((size_t)no * sizeof *vg), *vr = malloc((size_t)ni * sizeof *vr);
    int64_t *ix = malloc((size_t)no * sizeof *ix);
    fill_values(dt, vi, ni, rng);
    fill_values(dt, vg, no, rng);
    ck_assert_int_eq(ref_pool(rank, isz, vi, &p, osz, vo, ix, dt), 0);
    if (far) ix[0] = ni / isz[0] / isz[1] - 1; /* the plane's last element: outside output 0's window */
    ck_assert_int_eq(ref_max_pool_backward(rank, isz, osz, ix, vg, vr, dt), 0);
    tu_tensor tg, tx, ti;
    tu_alloc(&tg, dt, rank, osz, lo, 0x11);
    tu_alloc(&tx, CLRS_I64, rank, osz, li, 0x11);
    tu_alloc(&ti, dt, rank, isz, li, 0xcd);
    to_tensor(&tg, dt, vg, no);
    tu_store(&tx, ix);
    clrs_tensor_desc din;
    clrs_tensor_desc_contiguous(&din, dt, rank, isz);
    clrs_status st = clrs_pool_backward(ctx, &p, &din, NULL, &tx.desc, tx.base, &tg.desc, tg.base, &ti.desc, ti.base);
    kcase_done();
    char what[160];
    snprintf(what, sizeof what, "%s backward%s %s rank %d %s/%s",
             adaptive == 1 ? "adaptive_max_pool" : adaptive == 2 ? "max_pool 2x2" : "max_pool",
             far ? " (an index outside its window)" : "", clrs_dtype_name(dt), rank, tu_layout_name(lo),
             tu_layout_name(li));
    if (st != CLRS_OK) {
        kfailf("%s: %s", what, clrs_last_error(ctx));
    } else {
        unsigned char *lg = malloc((size_t)ni * clrs_dtype_size(dt) + 1);
        tu_load(&ti, lg);
        for (int64_t i = 0; i < ni; i++)
            if (tu_get(dt, lg, i) != vr[i]) {
                kfailf("%s: element %lld: %.9g vs reference %.9g", what, (long long)i, tu_get(dt, lg, i), vr[i]);
                break;
            }
        if (!gaps_intact(&ti, ni)) kfailf("%s: wrote outside grad_in's elements", what);
        free(lg);
    }
    tu_free(&tg);
    tu_free(&tx);
    tu_free(&ti);
    free(vi);
    free(vo);
    free(vg);
    free(vr);
    free(ix);
}

/* avg / adaptive avg pool backward: variant 0 avg 2x2 stride 2
 * ("pool_backward_avg/disjoint"), 1 avg 3x3 stride 2 padding 1
 * ("pool_backward_avg/ranges" for f32/f64, "pool_backward_avg/avg" for
 * f16/bf16), 2 adaptive avg to 2 (overlapping for odd sizes); against the
 * reference's backward bit for bit, no write outside grad_in's elements. */
static void kernel_avgpool_backward(clrs_context *ctx, clrs_dtype dt, int rank, const int64_t *isz, int variant,
                                    tu_layout lo, tu_layout li, uint64_t *rng)
{
    clrs_pool_params p;
    clrs_pool_params_init(&p, variant == 2 ? CLRS_POOL_ADAPTIVE_AVG : CLRS_POOL_AVG);
    if (variant == 2) {
        p.n_output_size = 1;
        p.output_size[0] = 2;
    } else {
        p.n_kernel = p.n_stride = p.n_padding = 1;
        p.kernel[0] = variant ? 3 : 2;
        p.stride[0] = 2;
        p.padding[0] = variant;
    }
    int64_t osz[CLRS_MAX_RANK];
    ck_assert_int_eq(ref_pool_shape(rank, isz, &p, osz), 0);
    const int64_t ni = prod(rank, isz), no = prod(rank, osz);
    double *vg = malloc((size_t)no * sizeof *vg), *vr = malloc((size_t)ni * sizeof *vr);
    fill_values(dt, vg, no, rng);
    ck_assert_int_eq(ref_avg_pool_backward(rank, isz, &p, vg, vr, dt), 0);
    tu_tensor tg, ti;
    tu_alloc(&tg, dt, rank, osz, lo, 0x11);
    tu_alloc(&ti, dt, rank, isz, li, 0xcd);
    to_tensor(&tg, dt, vg, no);
    clrs_tensor_desc din;
    clrs_tensor_desc_contiguous(&din, dt, rank, isz);
    clrs_status st = clrs_pool_backward(ctx, &p, &din, NULL, NULL, NULL, &tg.desc, tg.base, &ti.desc, ti.base);
    kcase_done();
    char what[160];
    snprintf(what, sizeof what, "%s backward %s rank %d %s/%s",
             variant == 2 ? "adaptive_avg_pool" : variant ? "avg_pool 3x3" : "avg_pool 2x2", clrs_dtype_name(dt), rank,
             tu_layout_name(lo), tu_layout_name(li));
    if (st != CLRS_OK) {
        kfailf("%s: %s", what, clrs_last_error(ctx));
    } else {
        unsigned char *lg = malloc((size_t)ni * clrs_dtype_size(dt) + 1);
        tu_load(&ti, lg);
        for (int64_t i = 0; i < ni; i++)
            if (tu_get(dt, lg, i) != vr[i]) {
                kfailf("%s: element %lld: %.9g vs reference %.9g", what, (long long)i, tu_get(dt, lg, i), vr[i]);
                break;
            }
        if (!gaps_intact(&ti, ni)) kfailf("%s: wrote outside grad_in's elements", what);
        free(lg);
    }
    tu_free(&tg);
    tu_free(&ti);
    free(vg);
    free(vr);
}

/* LP pool backward (the clrs_poolbw_lp_* kernels): 2x2 stride 2 disjoint
 * windows (kernel 2 on every spatial axis), p = 2 and p = +-inf. Each input
 * element lies in at most one window, so the gradient has a closed form:
 * p = 2: g * x / sqrt(sum of x^2 over its window) (torch's autograd of
 * (sum x^2)^(1/2)), within a tolerance (the library follows torch's pow
 * steps); p = +inf: g * sign(x) at the window's argmax of |x|, 0 elsewhere
 * (-inf, torch's -max_pool(-|x|): at the argmin of |x|), exact for f32 and
 * f64. Random values are distinct, so no ties. No write outside grad_in's elements. */
static void kernel_lppool_backward(clrs_context *ctx, clrs_dtype dt, int rank, const int64_t *isz, double pn,
                                   tu_layout lo, tu_layout li, uint64_t *rng)
{
    clrs_pool_params p;
    clrs_pool_params_init(&p, CLRS_POOL_LP);
    p.n_kernel = 1;
    p.kernel[0] = 2;
    p.norm_type = pn;
    int64_t osz[CLRS_MAX_RANK];
    osz[0] = isz[0];
    osz[1] = isz[1];
    for (int a = 2; a < rank; a++) osz[a] = isz[a] / 2;
    const int64_t ni = prod(rank, isz), no = prod(rank, osz);
    double *vi = malloc((size_t)ni * sizeof *vi), *vg = malloc((size_t)no * sizeof *vg),
           *vr = calloc((size_t)ni, sizeof *vr);
    fill_values(dt, vi, ni, rng);
    fill_values(dt, vg, no, rng);
    /* the window of each output element: the input elements whose index
     * halves to its index on every spatial axis */
    for (int64_t o = 0; o < no; o++) {
        int64_t oc[CLRS_MAX_RANK] = {0}, r = o;
        for (int a = rank - 1; a >= 0; a--) {
            oc[a] = r % osz[a];
            r /= osz[a];
        }
        const int nw = 1 << (rank - 2);
        int64_t idx[8];
        double sum = 0, best = pn < 0 ? INFINITY : -1;
        int bi = -1;
        for (int w = 0; w < nw; w++) {
            int64_t i = 0;
            for (int a = 0; a < rank; a++) i = i * isz[a] + (a < 2 ? oc[a] : oc[a] * 2 + ((w >> (a - 2)) & 1));
            idx[w] = i;
            sum += vi[i] * vi[i];
            if (pn < 0 ? fabs(vi[i]) < best : fabs(vi[i]) > best) best = fabs(vi[i]), bi = w;
        }
        for (int w = 0; w < nw; w++) {
            const double x = vi[idx[w]];
            if (isinf(pn))
                vr[idx[w]] = w == bi ? vg[o] * (x > 0 ? 1 : x < 0 ? -1 : 0) : 0;
            else
                vr[idx[w]] = vg[o] * x / sqrt(sum);
        }
    }
    tu_tensor tg, tx, ti;
    tu_alloc(&tg, dt, rank, osz, lo, 0x11);
    tu_alloc(&tx, dt, rank, isz, li, 0x11);
    tu_alloc(&ti, dt, rank, isz, li, 0xcd);
    to_tensor(&tg, dt, vg, no);
    to_tensor(&tx, dt, vi, ni);
    clrs_status st = clrs_pool_backward(ctx, &p, &tx.desc, tx.base, NULL, NULL, &tg.desc, tg.base, &ti.desc, ti.base);
    kcase_done();
    char what[160];
    snprintf(what, sizeof what, "lp_pool p=%g backward %s rank %d %s/%s", pn, clrs_dtype_name(dt), rank,
             tu_layout_name(lo), tu_layout_name(li));
    if (st != CLRS_OK) {
        kfailf("%s: %s", what, clrs_last_error(ctx));
    } else {
        const double eps = dt == CLRS_F64 ? 1e-13 : dt == CLRS_F32 ? 1e-5 : dt == CLRS_F16 ? 1e-2 : 8e-2;
        unsigned char *lg = malloc((size_t)ni * clrs_dtype_size(dt) + 1);
        tu_load(&ti, lg);
        for (int64_t i = 0; i < ni; i++) {
            const double got = tu_get(dt, lg, i), want = vr[i];
            const int ok = isinf(pn) && dt != CLRS_F16 && dt != CLRS_BF16 ? got == want
                                                                          : fabs(got - want) <= eps * (1 + fabs(want));
            if (!ok) {
                kfailf("%s: element %lld: %.9g vs closed form %.9g", what, (long long)i, got, want);
                break;
            }
        }
        if (!gaps_intact(&ti, ni)) kfailf("%s: wrote outside grad_in's elements", what);
        free(lg);
    }
    tu_free(&tg);
    tu_free(&tx);
    tu_free(&ti);
    free(vi);
    free(vg);
    free(vr);
}

static void kernel_shuffle(clrs_context *ctx, clrs_dtype dt, const int64_t *isz, int64_t r, int inverse, tu_layout li,
                           tu_layout lo, uint64_t *rng)
{
    int64_t osz[CLRS_MAX_RANK];
    clrs_tensor_desc d;
    clrs_tensor_desc_contiguous(&d, dt, 4, isz);
    ck_assert_int_eq(clrs_pixel_shuffle_output_shape(ctx, &d, r, inverse, osz), CLRS_OK);
    int64_t n = prod(4, isz);
    double *vi = malloc((size_t)n * sizeof *vi), *vr = malloc((size_t)n * sizeof *vr);
    fill_values(dt, vi, n, rng);
    ck_assert_int_eq(ref_pixel_shuffle(4, isz, vi, r, inverse, osz, vr), 0);
    tu_tensor ti, to;
    tu_alloc(&ti, dt, 4, isz, li, 0x11);
    tu_alloc(&to, dt, 4, osz, lo, 0xcd);
    to_tensor(&ti, dt, vi, n);
    clrs_status st = clrs_pixel_shuffle(ctx, r, inverse, &ti.desc, ti.base, &to.desc, to.base);
    kcase_done();
    char what[160];
    snprintf(what, sizeof what, "pixel_%sshuffle r=%lld %s %s -> %s", inverse ? "un" : "", (long long)r, clrs_dtype_name(dt),
             tu_layout_name(li), tu_layout_name(lo));
    if (st != CLRS_OK) {
        kfailf("%s: %s", what, clrs_last_error(ctx));
    } else {
        size_t es = clrs_dtype_size(dt);
        unsigned char *lg = malloc((size_t)n * es + 1);
        tu_load(&to, lg);
        for (int64_t i = 0; i < n; i++)
            if (tu_get(dt, lg, i) != vr[i]) {
                kfailf("%s: element %lld differs", what, (long long)i);
                break;
            }
        if (!gaps_intact(&to, n)) kfailf("%s: wrote outside the output's elements", what);
        free(lg);
    }
    tu_free(&ti);
    tu_free(&to);
    free(vi);
    free(vr);
}

static const clrs_dtype all_dts[6] = {CLRS_F32, CLRS_F64, CLRS_F16, CLRS_BF16, CLRS_U8, CLRS_U16};

/* conv / conv_transpose on a small case against the C reference: groups,
 * stride, dilation, padding (a padding mode for conv), a strided bias; the
 * tolerance is relative to the output's scale (README "Convolution").
 * dw == 2: dense (groups 1, 4 -> 6 channels; conv/clblast where built in,
 * its threshold off). */
static void kernel_conv(clrs_context *ctx, clrs_dtype dt, int rank, int tr, int dw, int pmode, tu_layout l,
                        uint64_t *rng)
{
    const int sp = rank - 2;
    clrs_conv_params p;
    clrs_conv_params_init(&p);
    const int dense = dw == 2;
    if (dense) dw = 0;
    p.groups = dense ? 1 : dw ? 4 : 2; /* dw: depthwise with a multiplier of 2 (conv/depthwise) */
    p.n_stride = p.n_padding = p.n_dilation = sp;
    if (tr) p.n_output_padding = sp;
    int64_t is[5] = {2, 4, 5, 4, 5}, ws[5] = {dw ? 8 : tr ? 4 : 6, dense ? 4 : dw ? 1 : tr ? 3 : 2, 3, 2, 3},
            os[CLRS_MAX_RANK];
    for (int i = 0; i < sp; i++) {
        p.stride[i] = 1 + (i + tr) % 2;
        p.dilation[i] = 1 + (i + pmode) % 2;
        p.padding[i] = 1;
        if (tr) p.output_padding[i] = p.stride[i] > 1 ? 1 : 0;
    }
    if (!tr) p.padding_mode = (clrs_conv_padding_mode)pmode;
    ck_assert_int_eq(ref_conv_shape(rank, is, ws, &p, tr, os), 0);
    const int64_t ni = prod(rank, is), nw = prod(rank, ws), no = prod(rank, os);
    double *vi = malloc((size_t)ni * sizeof *vi), *vw = malloc((size_t)nw * sizeof *vw);
    double *vb = malloc((size_t)os[1] * sizeof *vb), *vr = malloc((size_t)no * sizeof *vr);
    fill_values(dt, vi, ni, rng);
    fill_values(dt, vw, nw, rng);
    fill_values(dt, vb, os[1], rng);
    ck_assert_int_eq(ref_conv(rank, is, vi, ws, vw, vb, &p, tr, vr), 0);
    tu_tensor ti, tw, to;
    tu_alloc(&ti, dt, rank, is, l, 0x11);
    tu_alloc(&tw, dt, rank, ws, (tu_layout)((l + 1) % TU_NLAYOUTS), 0x22);
    tu_alloc(&to, dt, rank, os, l, 0xcd);
    to_tensor(&ti, dt, vi, ni);
    to_tensor(&tw, dt, vw, nw);
    const size_t es = clrs_dtype_size(dt);
    unsigned char *bb = malloc((size_t)(2 * os[1] + 1) * es);
    memset(bb, 0x5c, (size_t)(2 * os[1] + 1) * es);
    for (int64_t i = 0; i < os[1]; i++) tu_set(dt, bb, 1 + 2 * i, vb[i]);
    clrs_tensor_desc bd;
    memset(&bd, 0, sizeof bd);
    bd.dtype = dt;
    bd.rank = 1;
    bd.sizes[0] = os[1];
    bd.strides[0] = 2;
    bd.offset = 1;
    clrs_status st = (tr ? clrs_conv_transpose : clrs_conv)(ctx, &p, &ti.desc, ti.base, &tw.desc, tw.base, &bd, bb,
                                                            &to.desc, to.base);
    kcase_done();
    char what[160];
    snprintf(what, sizeof what, "%s rank %d %s %s %s", tr ? "conv_transpose" : dw ? "conv depthwise" : "conv", rank,
             clrs_dtype_name(dt),
             tr ? "zeros" : clrs_conv_padding_mode_name((clrs_conv_padding_mode)pmode), tu_layout_name(l));
    if (st != CLRS_OK) {
        kfailf("%s: %s", what, clrs_last_error(ctx));
    } else {
        const double tol = dt == CLRS_F64 ? 1e-12 : dt == CLRS_F32 ? 1e-5 : dt == CLRS_F16 ? 2e-3 : 1.6e-2;
        double scale = 1;
        for (int64_t i = 0; i < no; i++) scale = fmax(scale, fabs(vr[i]));
        unsigned char *lg = malloc((size_t)no * es + 1);
        tu_load(&to, lg);
        for (int64_t i = 0; i < no; i++)
            if (!(fabs(tu_get(dt, lg, i) - vr[i]) <= tol * scale)) {
                kfailf("%s: element %lld: %.9g vs reference %.9g", what, (long long)i, tu_get(dt, lg, i), vr[i]);
                break;
            }
        if (!gaps_intact(&to, no)) kfailf("%s: wrote outside the output's elements", what);
        free(lg);
    }
    tu_free(&ti);
    tu_free(&tw);
    tu_free(&to);
    free(bb);
    free(vi);
    free(vw);
    free(vb);
    free(vr);
}

/* grid_sample (and, for its grid, affine_grid) on a small random case,
 * against the C reference: f32/f64 closely; f16/bf16 (torch rounds every
 * operation to the storage type) loosely, nearest there unchecked. */
static void kernel_grid(clrs_context *ctx, clrs_dtype dt, int rank, int mode, int pad, int ac, tu_layout l,
                        uint64_t *rng)
{
    const int sp = rank - 2;
    int64_t isz[5] = {2, 3, 0, 0, 0}, gsz[5] = {2, 0, 0, 0, sp}, osz[5] = {2, 3, 0, 0, 0};
    for (int a = 0; a < sp; a++) {
        isz[2 + a] = 3 + a + (rank == 4);
        gsz[1 + a] = osz[2 + a] = 2 + a;
    }
    gsz[rank - 1] = sp;
    int64_t ni = prod(rank, isz), ng = prod(rank, gsz), no = prod(rank, osz);
    double *vi = malloc((size_t)ni * sizeof *vi), *vg = malloc((size_t)ng * sizeof *vg),
           *vr = malloc((size_t)no * sizeof *vr);
    fill_values(dt, vi, ni, rng);
    for (int64_t i = 0; i < ng; i++) {
        unsigned char b[8];
        tu_set(dt, b, 0, tu_uniform(rng) * 2.6 - 1.3);
        vg[i] = tu_get(dt, b, 0);
    }
    ck_assert_int_eq(ref_grid_sample(rank, isz, vi, gsz, vg, mode, pad, ac, vr), 0);
    tu_tensor ti, tg, to;
    tu_alloc(&ti, dt, rank, isz, l, 0x11);
    tu_alloc(&tg, dt, rank, gsz, l == TU_STRIDED ? TU_STRIDED : TU_CONTIGUOUS, 0x22);
    tu_alloc(&to, dt, rank, osz, l, 0xcd);
    to_tensor(&ti, dt, vi, ni);
    to_tensor(&tg, dt, vg, ng);
    clrs_grid_sample_params p;
    clrs_grid_sample_params_init(&p);
    p.mode = (clrs_grid_mode)mode;
    p.padding_mode = (clrs_grid_padding)pad;
    p.align_corners = ac;
    clrs_status st = clrs_grid_sample(ctx, &p, &ti.desc, ti.base, &tg.desc, tg.base, &to.desc, to.base);
    kcase_done();
    char what[160];
    snprintf(what, sizeof what, "grid_sample %d-D %s %s ac=%d %s %s", rank, clrs_grid_mode_name(p.mode),
             clrs_grid_padding_name(p.padding_mode), ac, clrs_dtype_name(dt), tu_layout_name(l));
    const double tol = dt == CLRS_F64 ? 1e-9 : dt == CLRS_F32 ? 1e-4 : dt == CLRS_F16 ? 0.25 : 2.5;
    if (st != CLRS_OK) {
        kfailf("%s: %s", what, clrs_last_error(ctx));
    } else {
        size_t es = clrs_dtype_size(dt);
        unsigned char *lg = malloc((size_t)no * es + 1);
        tu_load(&to, lg);
        if (!(mode == 1 && (dt == CLRS_F16 || dt == CLRS_BF16)))
            for (int64_t i = 0; i < no; i++)
                if (!(fabs(tu_get(dt, lg, i) - vr[i]) <= tol)) {
                    kfailf("%s: element %lld: %g vs reference %g", what, (long long)i, tu_get(dt, lg, i), vr[i]);
                    break;
                }
        if (!gaps_intact(&to, no)) kfailf("%s: wrote outside the output's elements", what);
        free(lg);
    }
    /* affine_grid into a strided grid (its gaps must stay untouched) */
    {
        int64_t tsz[3] = {2, sp, sp + 1}, asz[5];
        asz[0] = 2;
        for (int a = 0; a < sp; a++) asz[1 + a] = isz[2 + a];
        asz[rank - 1] = sp;
        int64_t nt = prod(3, tsz), na = prod(rank, asz);
        double *vt = malloc((size_t)nt * sizeof *vt), *va = malloc((size_t)na * sizeof *va);
        for (int64_t i = 0; i < nt; i++) {
            unsigned char b[8];
            tu_set(dt, b, 0, tu_uniform(rng) * 2 - 1);
            vt[i] = tu_get(dt, b, 0);
        }
        ck_assert_int_eq(ref_affine_grid(rank, isz, vt, ac, va), 0);
        tu_tensor tt, ta;
        tu_alloc(&tt, dt, 3, tsz, TU_CONTIGUOUS, 0x11);
        tu_alloc(&ta, dt, rank, asz, TU_STRIDED, 0xcd);
        to_tensor(&tt, dt, vt, nt);
        st = clrs_affine_grid(ctx, &tt.desc, tt.base, rank, isz, ac, &ta.desc, ta.base);
        kcase_done();
        if (st != CLRS_OK) {
            kfailf("affine_grid %d-D %s: %s", rank, clrs_dtype_name(dt), clrs_last_error(ctx));
        } else {
            size_t es = clrs_dtype_size(dt);
            unsigned char *lg = malloc((size_t)na * es + 1);
            tu_load(&ta, lg);
            const double atol = dt == CLRS_F64 ? 1e-12 : dt == CLRS_F32 ? 1e-5 : 0.1;
            for (int64_t i = 0; i < na; i++)
                if (!(fabs(tu_get(dt, lg, i) - va[i]) <= atol)) {
                    kfailf("affine_grid %d-D %s: element %lld: %g vs %g", rank, clrs_dtype_name(dt), (long long)i,
                           tu_get(dt, lg, i), va[i]);
                    break;
                }
            if (!gaps_intact(&ta, na)) kfailf("affine_grid %d-D %s: wrote outside the grid", rank, clrs_dtype_name(dt));
            free(lg);
        }
        tu_free(&tt);
        tu_free(&ta);
        free(vt);
        free(va);
    }
    tu_free(&ti);
    tu_free(&tg);
    tu_free(&to);
    free(vi);
    free(vg);
    free(vr);
}


/* Coverage by implementation name: every kernel launch reports the named
 * implementation it ran (clrs_explain_begin); each entry of every family's
 * list must run at least once. */
#define COV_MAX 96
static struct cov {
    char name[COV_MAX][64];
    int chosen[COV_MAX];
    char why[COV_MAX][160]; /* the last reason it declined */
    int n;
} cov;

static int cov_slot(const char *family, const char *impl)
{
    char key[64];
    snprintf(key, sizeof key, "%s/%s", family, impl);
    for (int i = 0; i < cov.n; i++)
        if (strcmp(cov.name[i], key) == 0) return i;
    if (cov.n == COV_MAX) return -1;
    snprintf(cov.name[cov.n], sizeof cov.name[0], "%s", key);
    return cov.n++;
}

static void cov_cb(void *user, const char *family, const char *impl, int chosen, const char *reason)
{
    (void)user;
    int i = cov_slot(family, impl);
    if (i < 0) return;
    if (chosen)
        cov.chosen[i]++;
    else
        snprintf(cov.why[i], sizeof cov.why[0], "%s", reason);
}

/* _i == 0: as dispatched, and every implementation must have run;
 * _i == 1: every family's specialised entries disabled (the general
 * kernels alone), the same comparisons: results do not depend on which
 * implementation runs. CLRS_TEST_KERNELS_PASSES=1 runs only the first
 * (the Oclgrind passes of .ci/reliability.sh). */
START_TEST(test_kernel_variants)
{
    const char *passes = getenv("CLRS_TEST_KERNELS_PASSES");
    if (_i == 1 && passes != NULL && strcmp(passes, "1") == 0) return;
    clrs_context *ctx = tu_context();
    clrs_device_info info;
    clrs_context_device(ctx, &info);
    char general_only[512] = "";
    {
        size_t nl = 0;
        const clrs_impl_list *const *lists = clrs__impl_lists(&nl);
        for (size_t l = 0; l < nl; l++)
            snprintf(general_only + strlen(general_only), sizeof general_only - strlen(general_only), "%s%s",
                     l ? "," : "", lists[l]->family);
    }
    if (_i == 1) {
        clrs__dispatch_disable(general_only);
        printf("# kernel variants again with only the general implementations (%s)\n", general_only);
    }
    memset(&cov, 0, sizeof cov);
    ck_assert_int_eq(clrs_explain_begin(cov_cb, NULL, 0), CLRS_OK);
    uint64_t rng = 0xC0FFEEULL;
    kcases = kfail = 0;
    tu_progress("test_kernel_variants", 0, 0, "kernel calls");
    int n = 0;
    /* resample/rows is off in the tuning table of some devices (Intel's CPU
     * runtime, GPUs, Oclgrind's simulated one): on here, with PoCL's block,
     * so that it runs on every device; restored at the end */
    int64_t rows0 = 0;
    ck_assert_int_eq(clrs_tuning_get(ctx, "rs_rows_block", &rows0, NULL), CLRS_OK);
    if (rows0 == 0) ck_assert_int_eq(clrs_tuning_set(ctx, "rs_rows_block", 16), CLRS_OK);
    /* interpolate: every mode x dtype x layout; rank, direction,
     * align_corners and antialias cycle so each appears with each mode */
    static const clrs_interp_mode modes[6] = {CLRS_INTERP_NEAREST, CLRS_INTERP_NEAREST_EXACT, CLRS_INTERP_LINEAR,
                                              CLRS_INTERP_BICUBIC, CLRS_INTERP_AREA, CLRS_INTERP_LANCZOS};
    for (int mi = 0; mi < 6; mi++)
        for (int di = 0; di < 6; di++)
            for (int l = 0; l < TU_NLAYOUTS; l++, n++) {
                clrs_dtype dt = all_dts[di];
                if (dt == CLRS_F64 && !info.fp64) continue;
                int rank = 3 + (n + mi) % 3, sp = rank - 2;
                int64_t isz[5] = {1 + n % 2, 1 + (n / 2) % 3, 0, 0, 0};
                for (int a = 0; a < sp; a++) isz[2 + a] = (rank == 5 ? 3 : 5) + (a + n) % 3;
                clrs_interpolate_params p;
                clrs_interpolate_params_init(&p);
                p.mode = modes[mi];
                if (p.mode == CLRS_INTERP_LINEAR)
                    p.mode = rank == 3 ? CLRS_INTERP_LINEAR : rank == 4 ? CLRS_INTERP_BILINEAR : CLRS_INTERP_TRILINEAR;
                int filtering = mi == 2 || mi == 3 || mi == 5;
                int down = (n / 3) % 2;
                if (filtering) p.antialias = mi == 5 ? 1 : (n / 4) % 2;
                if (filtering && mi != 5) p.align_corners = (n / 2) % 2;
                p.n_size = sp;
                for (int a = 0; a < sp; a++)
                    p.size[a] = down ? (isz[2 + a] * 2 + 2) / 3 + (a == 0 && p.antialias ? -1 : 0) : 2 * isz[2 + a] - 1 + a;
                if (n % 5 == 0) { /* a scale factor instead of a size */
                    p.n_size = 0;
                    p.n_scale = 1;
                    p.scale[0] = down ? 0.6 : 1.7;
                }
                kernel_interp(ctx, dt, rank, isz, &p, (tu_layout)l, (tu_layout)((l + n) % TU_NLAYOUTS), 0, &rng);
            }
    /* broadcast inputs (stride 0 on C), and an identity resize */
    for (int mi = 0; mi < 4; mi++) {
        int64_t isz[4] = {2, 3, 4, 5};
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        static const clrs_interp_mode bm[4] = {CLRS_INTERP_NEAREST, CLRS_INTERP_BILINEAR, CLRS_INTERP_BICUBIC,
                                               CLRS_INTERP_AREA};
        p.mode = bm[mi];
        p.n_size = 2;
        p.size[0] = mi == 2 ? 4 : 7;
        p.size[1] = mi == 2 ? 5 : 3;
        kernel_interp(ctx, mi == 1 ? CLRS_U8 : CLRS_F32, 4, isz, &p, TU_CONTIGUOUS, (tu_layout)(mi % 3), 1, &rng);
    }
    /* resize_batch (family resize_batch): three images of different sizes,
     * u8 channels-last bilinear antialias, into an NCHW batch; each image's
     * rows must be clrs_interpolate's bits into the same rows */
    {
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        p.mode = CLRS_INTERP_BILINEAR;
        p.antialias = 1;
        p.n_size = 2;
        p.size[0] = 5;
        p.size[1] = 4;
        static const int64_t hw[3][2] = {{9, 7}, {3, 11}, {6, 6}};
        /* its own generator: drawing from rng would reshuffle every random
         * case below (it did, and drew a u16 trilinear-antialias case that
         * Intel's CPU vectoriser miscompiles: see NEWS, known issues) */
        uint64_t brng = 0xBA7C4ULL;
        tu_tensor im[3], bo, ro;
        clrs_tensor_desc d[3];
        const void *data[3];
        for (int i = 0; i < 3; i++) {
            const int64_t sz[4] = {1, 3, hw[i][0], hw[i][1]};
            tu_alloc(&im[i], CLRS_U8, 4, sz, TU_CHANNELS_LAST, 0);
            for (size_t k = 0; k < im[i].bytes; k++) im[i].base[k] = (unsigned char)tu_rand(&brng);
            d[i] = im[i].desc;
            data[i] = im[i].base;
        }
        const int64_t osz[4] = {3, 3, 5, 4};
        tu_alloc(&bo, CLRS_U8, 4, osz, TU_CONTIGUOUS, 0);
        tu_alloc(&ro, CLRS_U8, 4, osz, TU_CONTIGUOUS, 0);
        int bad = clrs_resize_batch(ctx, &p, 3, d, data, &bo.desc, bo.base) != CLRS_OK;
        for (int i = 0; i < 3 && !bad; i++) {
            clrs_tensor_desc rd = ro.desc;
            rd.sizes[0] = 1;
            rd.offset += i * rd.strides[0];
            bad |= clrs_interpolate(ctx, &p, &d[i], data[i], &rd, ro.base) != CLRS_OK;
        }
        bad |= memcmp(bo.base, ro.base, bo.bytes) != 0;
        kcase_done();
        if (bad) {
            printf("# resize_batch: the batch differs from clrs_interpolate per image (%s)\n", clrs_last_error(ctx));
            kfail++;
        }
        for (int i = 0; i < 3; i++) tu_free(&im[i]);
        tu_free(&bo);
        tu_free(&ro);
    }
    /* which axes change, in every layout and rank (the engine's per-dim
     * resample flags and tap counts): nearest, u8 fixed-point bilinear, f32
     * bicubic (one pass), f16 antialiased bilinear (one pass per axis), u8 area */
    for (int rank = 3; rank <= 5; rank++)
        for (int l = 0; l < TU_NLAYOUTS; l++)
            for (int sub = 1; sub < (1 << (rank - 2)); sub++)
                for (int g = 0; g < 5; g++, n++) {
                    int sp = rank - 2;
                    int64_t isz[5] = {1 + (sub + g) % 2, 1 + (sub + l + g) % 3, 0, 0, 0};
                    clrs_interpolate_params p;
                    clrs_interpolate_params_init(&p);
                    static const clrs_dtype near_dt[4] = {CLRS_U8, CLRS_U16, CLRS_F32, CLRS_F64};
                    clrs_dtype dt = g == 0 ? near_dt[n % 4] : g == 1 || g == 4 ? CLRS_U8 : g == 2 ? CLRS_F32 : CLRS_F16;
                    if (dt == CLRS_F64 && !info.fp64) dt = CLRS_F32;
                    clrs_interp_mode lin = rank == 3 ? CLRS_INTERP_LINEAR : rank == 4 ? CLRS_INTERP_BILINEAR
                                                                                      : CLRS_INTERP_TRILINEAR;
                    p.mode = g == 0 ? CLRS_INTERP_NEAREST : g == 2 ? CLRS_INTERP_BICUBIC : g == 4 ? CLRS_INTERP_AREA : lin;
                    p.antialias = g == 3;
                    if (g == 1 || g == 2) p.align_corners = n % 2;
                    p.n_size = sp;
                    for (int a = 0; a < sp; a++) {
                        isz[2 + a] = rank == 5 ? 4 : 6;
                        int changed = (sub >> a) & 1, down = (a + n) % 2 || g == 3;
                        p.size[a] = !changed ? isz[2 + a] : down ? (g == 4 ? 3 : 4) : 7;
                    }
                    kernel_interp(ctx, dt, rank, isz, &p, (tu_layout)l, (tu_layout)((l + sub) % TU_NLAYOUTS), 0, &rng);
                }
    /* random small cases: shapes (size-1 dims included), modes, dtypes,
     * layouts, scales and sizes, for the shape-dependent variants */
    for (int it = 0; it < 320; it++, n++) {
        int rank = (int)tu_range(&rng, 3, 5), sp = rank - 2;
        int64_t isz[5] = {tu_range(&rng, 1, 2), tu_range(&rng, 1, 4), 0, 0, 0};
        for (int a = 0; a < sp; a++) isz[2 + a] = tu_range(&rng, 1, rank == 5 ? 5 : 8);
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        static const clrs_interp_mode rm[6] = {CLRS_INTERP_NEAREST, CLRS_INTERP_NEAREST_EXACT, CLRS_INTERP_LINEAR,
                                               CLRS_INTERP_BICUBIC, CLRS_INTERP_AREA, CLRS_INTERP_LANCZOS};
        p.mode = rm[tu_range(&rng, 0, 5)];
        if (p.mode == CLRS_INTERP_LINEAR)
            p.mode = rank == 3 ? CLRS_INTERP_LINEAR : rank == 4 ? CLRS_INTERP_BILINEAR : CLRS_INTERP_TRILINEAR;
        int filt = p.mode != CLRS_INTERP_NEAREST && p.mode != CLRS_INTERP_NEAREST_EXACT && p.mode != CLRS_INTERP_AREA;
        if (filt) p.antialias = p.mode == CLRS_INTERP_LANCZOS ? 1 : (int)tu_range(&rng, 0, 1);
        if (filt && p.mode != CLRS_INTERP_LANCZOS) p.align_corners = (int)tu_range(&rng, -1, 1);
        p.n_size = tu_range(&rng, 0, 1) ? 1 : sp;
        for (int a = 0; a < p.n_size; a++) p.size[a] = tu_range(&rng, 1, 2 * isz[2 + a] + 2);
        clrs_dtype dt = all_dts[tu_range(&rng, 0, 5)];
        if (dt == CLRS_F64 && !info.fp64) dt = CLRS_F32;
        clrs_tensor_desc d;
        int64_t osz[CLRS_MAX_RANK];
        clrs_tensor_desc_contiguous(&d, dt, rank, isz);
        if (clrs_interpolate_output_shape(ctx, &d, &p, osz) != CLRS_OK) continue;
        kernel_interp(ctx, dt, rank, isz, &p, (tu_layout)tu_range(&rng, 0, 2), (tu_layout)tu_range(&rng, 0, 2), 0, &rng);
    }
    /* the vectorised engine's shape flags: a local size dividing the output
     * W exactly (EXACT0) or not, folded dims 3/4 (SPLIT2), lanes along dim 1
     * for short copied channels (channels-last RGB), 32-bit word gathers of
     * 8/16-bit sources (WIDE) */
    {
        static const struct {
            clrs_dtype dt;
            clrs_interp_mode mode;
            int rank, aa;
            int64_t in[5], out[3];
            tu_layout l;
        } fi[] = {
            {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 0, {1, 2, 5, 6}, {7, 8}, TU_CONTIGUOUS},
            {CLRS_F32, CLRS_INTERP_NEAREST, 4, 0, {1, 2, 4, 4}, {8, 8}, TU_CONTIGUOUS},
            {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 0, {1, 2, 5, 6}, {8, 7}, TU_CONTIGUOUS},
            {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 0, {2, 3, 5, 6}, {7, 8}, TU_CHANNELS_LAST},
            {CLRS_F32, CLRS_INTERP_TRILINEAR, 5, 0, {2, 3, 3, 4, 5}, {5, 6, 8}, TU_CONTIGUOUS},
            {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 0, {1, 3, 4, 8}, {5, 16}, TU_CHANNELS_LAST},
            {CLRS_U8, CLRS_INTERP_NEAREST, 4, 0, {1, 3, 4, 8}, {4, 16}, TU_CHANNELS_LAST},
            {CLRS_F32, CLRS_INTERP_NEAREST, 4, 0, {1, 3, 4, 8}, {4, 16}, TU_CHANNELS_LAST},
            {CLRS_F64, CLRS_INTERP_NEAREST, 4, 0, {1, 3, 4, 9}, {4, 20}, TU_CHANNELS_LAST},
            {CLRS_F16, CLRS_INTERP_NEAREST, 4, 0, {1, 3, 4, 9}, {4, 20}, TU_CHANNELS_LAST},
            {CLRS_U8, CLRS_INTERP_BILINEAR, 4, 1, {1, 3, 4, 32}, {4, 16}, TU_CHANNELS_LAST},
            {CLRS_U8, CLRS_INTERP_BILINEAR, 4, 1, {1, 1, 8, 12}, {4, 8}, TU_CONTIGUOUS},
            {CLRS_F16, CLRS_INTERP_BILINEAR, 4, 0, {1, 2, 4, 8}, {6, 16}, TU_CONTIGUOUS},
            {CLRS_BF16, CLRS_INTERP_BICUBIC, 4, 0, {1, 1, 4, 8}, {6, 12}, TU_CONTIGUOUS},
            {CLRS_U16, CLRS_INTERP_LINEAR, 3, 0, {1, 2, 8}, {12}, TU_CONTIGUOUS},
            {CLRS_U8, CLRS_INTERP_BILINEAR, 4, 0, {1, 1, 3, 5}, {3, 7}, TU_CONTIGUOUS},
            /* rows long enough for the periodic interior (-D PER) + EDGE
             * (used for f32/f64 with >= 8 taps, 8/16-bit with any) */
            {CLRS_F32, CLRS_INTERP_BICUBIC, 4, 0, {1, 1, 2, 32}, {3, 64}, TU_CONTIGUOUS},
            {CLRS_F64, CLRS_INTERP_BICUBIC, 4, 0, {1, 1, 2, 32}, {3, 64}, TU_CONTIGUOUS},
            {CLRS_F16, CLRS_INTERP_BILINEAR, 4, 0, {1, 1, 2, 32}, {3, 64}, TU_CONTIGUOUS},
            {CLRS_BF16, CLRS_INTERP_BICUBIC, 4, 0, {1, 1, 2, 32}, {3, 64}, TU_CONTIGUOUS},
            {CLRS_U8, CLRS_INTERP_BILINEAR, 4, 0, {1, 1, 2, 32}, {3, 64}, TU_CONTIGUOUS},
            /* f32 / f16 x2 / x0.5 along W in explicit vectors (-D VPER=2 /
             * 1, an interior of 32 periods or more) */
            {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 0, {1, 1, 2, 40}, {3, 80}, TU_CONTIGUOUS},
            {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 1, {1, 1, 4, 144}, {2, 72}, TU_CONTIGUOUS},
            {CLRS_F32, CLRS_INTERP_AREA, 4, 0, {1, 1, 2, 96}, {2, 48}, TU_CONTIGUOUS},
            {CLRS_F16, CLRS_INTERP_BILINEAR, 4, 0, {1, 1, 2, 40}, {3, 80}, TU_CONTIGUOUS},
            {CLRS_F16, CLRS_INTERP_BILINEAR, 4, 1, {1, 1, 4, 144}, {2, 72}, TU_CONTIGUOUS},
            {CLRS_F16, CLRS_INTERP_AREA, 4, 0, {1, 1, 2, 96}, {2, 48}, TU_CONTIGUOUS},
            /* and bicubic x2, whose row ends are vectors too (-D EDGEV) */
            {CLRS_F32, CLRS_INTERP_BICUBIC, 4, 0, {1, 1, 2, 40}, {3, 80}, TU_CONTIGUOUS},
            {CLRS_F16, CLRS_INTERP_BICUBIC, 4, 0, {1, 1, 2, 40}, {3, 80}, TU_CONTIGUOUS},
            {CLRS_F32, CLRS_INTERP_BICUBIC, 4, 1, {1, 1, 4, 144}, {2, 72}, TU_CONTIGUOUS},
            /* the explicit-vector forms with 3 channels-last channels
             * folded (-D VPER -D PERC: lanes are (period, channel)) */
            {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 0, {1, 3, 2, 40}, {3, 80}, TU_CHANNELS_LAST},
            {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 1, {1, 3, 4, 144}, {2, 72}, TU_CHANNELS_LAST},
            {CLRS_F32, CLRS_INTERP_AREA, 4, 0, {1, 3, 2, 96}, {2, 48}, TU_CHANNELS_LAST},
            {CLRS_F16, CLRS_INTERP_BILINEAR, 4, 0, {1, 3, 2, 40}, {3, 80}, TU_CHANNELS_LAST},
            {CLRS_F16, CLRS_INTERP_BILINEAR, 4, 1, {1, 3, 4, 144}, {2, 72}, TU_CHANNELS_LAST},
            {CLRS_F16, CLRS_INTERP_AREA, 4, 0, {1, 3, 2, 96}, {2, 48}, TU_CHANNELS_LAST},
            {CLRS_F32, CLRS_INTERP_BICUBIC, 4, 0, {1, 3, 2, 40}, {3, 80}, TU_CHANNELS_LAST},
            {CLRS_F16, CLRS_INTERP_BICUBIC, 4, 0, {1, 3, 2, 40}, {3, 80}, TU_CHANNELS_LAST},
            {CLRS_F32, CLRS_INTERP_BICUBIC, 4, 1, {1, 3, 4, 144}, {2, 72}, TU_CHANNELS_LAST},
            /* the periodic kernel with 3 channels folded into the work-item
             * (-D PER -D PERC; rows too short for the vector form) */
            {CLRS_F32, CLRS_INTERP_BICUBIC, 4, 0, {1, 3, 2, 32}, {3, 64}, TU_CHANNELS_LAST},
            {CLRS_F64, CLRS_INTERP_BICUBIC, 4, 0, {1, 3, 2, 32}, {3, 64}, TU_CHANNELS_LAST},
            {CLRS_F16, CLRS_INTERP_BILINEAR, 4, 0, {1, 3, 2, 32}, {3, 64}, TU_CHANNELS_LAST},
            {CLRS_BF16, CLRS_INTERP_BICUBIC, 4, 0, {1, 3, 2, 32}, {3, 64}, TU_CHANNELS_LAST},
            {CLRS_U8, CLRS_INTERP_BILINEAR, 4, 0, {1, 3, 2, 32}, {3, 64}, TU_CHANNELS_LAST},
            /* channels-last RGB without a period: the general kernel with
             * the channels folded into the work-item (-D PER=0 -D PERC=3) */
            {CLRS_F32, CLRS_INTERP_BILINEAR, 4, 1, {1, 3, 6, 40}, {3, 24}, TU_CHANNELS_LAST},
            {CLRS_F64, CLRS_INTERP_BILINEAR, 4, 0, {1, 3, 3, 17}, {4, 24}, TU_CHANNELS_LAST},
            {CLRS_F64, CLRS_INTERP_BILINEAR, 4, 1, {1, 3, 6, 40}, {3, 24}, TU_CHANNELS_LAST},
            {CLRS_F16, CLRS_INTERP_BILINEAR, 4, 0, {1, 3, 3, 17}, {4, 24}, TU_CHANNELS_LAST},
            {CLRS_F16, CLRS_INTERP_BILINEAR, 4, 1, {1, 3, 6, 40}, {3, 24}, TU_CHANNELS_LAST},
            {CLRS_BF16, CLRS_INTERP_BILINEAR, 4, 0, {1, 3, 3, 17}, {4, 24}, TU_CHANNELS_LAST},
            {CLRS_U8, CLRS_INTERP_AREA, 4, 0, {1, 3, 6, 40}, {3, 24}, TU_CHANNELS_LAST},
            {CLRS_U8, CLRS_INTERP_BILINEAR, 4, 0, {1, 3, 3, 17}, {4, 24}, TU_CHANNELS_LAST},
            {CLRS_U8, CLRS_INTERP_BILINEAR, 4, 0, {1, 3, 3, 48}, {3, 24}, TU_CHANNELS_LAST}, /* no dropped tap */
            /* uint8 RGBA along W alone: the general kernel with the channels
             * folded (the RGB W pass reads consecutive pixels, -D CTAPS) */
            {CLRS_U8, CLRS_INTERP_BILINEAR, 4, 1, {1, 4, 3, 40}, {3, 24}, TU_CHANNELS_LAST},
            {CLRS_U8, CLRS_INTERP_BILINEAR, 4, 0, {1, 4, 3, 48}, {3, 24}, TU_CHANNELS_LAST}, /* no dropped tap */
            /* nearest x2..x4 along W in explicit vectors (-D VNEAR), each
             * element size, rows of whole chunks and not */
            {CLRS_F32, CLRS_INTERP_NEAREST, 4, 0, {1, 2, 2, 16}, {3, 32}, TU_CONTIGUOUS},
            {CLRS_U8, CLRS_INTERP_NEAREST, 4, 0, {1, 1, 2, 20}, {2, 80}, TU_CONTIGUOUS},
            {CLRS_F16, CLRS_INTERP_NEAREST_EXACT, 4, 0, {1, 1, 2, 17}, {2, 51}, TU_CONTIGUOUS},
            {CLRS_F64, CLRS_INTERP_NEAREST, 5, 0, {1, 1, 2, 2, 16}, {2, 4, 32}, TU_CONTIGUOUS},
        };
        for (size_t i = 0; i < sizeof fi / sizeof fi[0]; i++, n++) {
            clrs_interpolate_params p;
            clrs_interpolate_params_init(&p);
            p.mode = fi[i].mode;
            p.antialias = fi[i].aa;
            p.n_size = fi[i].rank - 2;
            for (int a = 0; a < p.n_size; a++) p.size[a] = fi[i].out[a];
            kernel_interp(ctx, fi[i].dt, fi[i].rank, fi[i].in, &p, fi[i].l, fi[i].l, 0, &rng);
        }
        /* uint8 RGB along W alone with 32-bit word loads (u8rgb_wide): what
         * runs where ctaps does not (a device without unaligned loads, or
         * tuning rs_vper=0), so ctaps is disabled for these calls */
        if (_i == 0) {
            clrs__dispatch_disable("resample/ctaps");
            static const int64_t win[2][4] = {{1, 3, 3, 40}, {2, 3, 2, 17}};
            static const int64_t wout[2][2] = {{3, 24}, {2, 30}};
            for (int w = 0; w < 2; w++, n++) {
                clrs_interpolate_params p;
                clrs_interpolate_params_init(&p);
                p.mode = CLRS_INTERP_BILINEAR;
                p.antialias = w == 0;
                p.n_size = 2;
                p.size[0] = wout[w][0];
                p.size[1] = wout[w][1];
                kernel_interp(ctx, CLRS_U8, 4, win[w], &p, TU_CHANNELS_LAST, TU_CHANNELS_LAST, 0, &rng);
            }
            clrs__dispatch_disable(NULL);
        }
    }
    /* pooling: every kind x dtype x layout, with padding, ceil_mode windows
     * that hang over the border, dilation, indices */
    for (int kind = 0; kind < 8; kind++)
        for (int di = 0; di < 6; di++)
            for (int l = 0; l < TU_NLAYOUTS; l++, n++) {
                clrs_dtype dt = all_dts[di];
                if (dt == CLRS_F64 && !info.fp64) continue;
                clrs_pool_params p;
                int k = kind < 6 ? kind : CLRS_POOL_LP; /* 6: LP p=inf, 7: LP p=1.5 */
                clrs_pool_params_init(&p, (clrs_pool_kind)k);
                int is_int = dt == CLRS_U8 || dt == CLRS_U16;
                if (k == CLRS_POOL_LP && is_int) continue; /* the reference has no integer LP (p = inf is max |x|) */
                int rank = k == CLRS_POOL_FRACTIONAL_MAX ? 4 + n % 2 : 3 + n % 3, sp = rank - 2;
                int64_t isz[5] = {1 + n % 2, 1 + (n / 2) % 3, 0, 0, 0};
                for (int a = 0; a < sp; a++) isz[2 + a] = (rank == 5 ? 5 : 7) + (a + n) % 3;
                int with_idx = 0;
                switch (k) {
                case CLRS_POOL_MAX:
                case CLRS_POOL_AVG:
                    p.n_kernel = 1;
                    p.kernel[0] = 3;
                    p.n_stride = 1;
                    p.stride[0] = 2;
                    p.n_padding = 1;
                    p.padding[0] = n % 2;
                    p.ceil_mode = (n / 2) % 2;
                    if (k == CLRS_POOL_MAX) {
                        p.n_dilation = 1;
                        p.dilation[0] = 1 + (n / 3) % 2;
                        with_idx = n % 3 != 0;
                    } else {
                        p.count_include_pad = (n / 3) % 2;
                        if (n % 7 == 0 && rank > 3) p.divisor_override = 5;
                    }
                    break;
                case CLRS_POOL_LP:
                    p.norm_type = kind == 6 ? INFINITY : kind == 7 ? 1.5 : 2.0;
                    p.n_kernel = 1;
                    p.kernel[0] = 2;
                    p.n_stride = 1;
                    p.stride[0] = 1 + n % 2;
                    p.ceil_mode = (n / 2) % 2;
                    break;
                case CLRS_POOL_ADAPTIVE_AVG:
                case CLRS_POOL_ADAPTIVE_MAX:
                    p.n_output_size = 1;
                    p.output_size[0] = n % 2 ? 3 : isz[2]; /* uneven windows, or identity */
                    with_idx = k == CLRS_POOL_ADAPTIVE_MAX && n % 2;
                    break;
                default: /* fractional */
                    p.n_kernel = 1;
                    p.kernel[0] = 2;
                    p.n_output_size = 1;
                    p.output_size[0] = 3;
                    with_idx = n % 2;
                    break;
                }
                kernel_pool(ctx, dt, rank, isz, &p, with_idx, (tu_layout)l, (tu_layout)((l + n) % TU_NLAYOUTS), &rng);
            }
    /* full windows (no padding, exact tiling: the FULL kernels), and global
     * pooling by work-group reduction (planes of 4096 elements) */
    for (int di = 0; di < 6; di++) {
        clrs_dtype dt = all_dts[di];
        if (dt == CLRS_F64 && !info.fp64) continue;
        int64_t isz[4] = {1, 2, 6, 8};
        for (int kind = 0; kind < 2; kind++) {
            clrs_pool_params p;
            clrs_pool_params_init(&p, kind ? CLRS_POOL_AVG : CLRS_POOL_MAX);
            p.n_kernel = 1;
            p.kernel[0] = 2;
            kernel_pool(ctx, dt, 4, isz, &p, kind == 0, TU_CONTIGUOUS, TU_CHANNELS_LAST, &rng);
        }
        int64_t fsz[4] = {1, 1, 128, 128}; /* non-overlapping windows, 4096 outputs: the specialised program */
        for (int kind = 0; kind < 2; kind++) {
            clrs_pool_params p;
            clrs_pool_params_init(&p, kind ? CLRS_POOL_AVG : CLRS_POOL_MAX);
            p.n_kernel = 1;
            p.kernel[0] = 2;
            kernel_pool(ctx, dt, 4, fsz, &p, kind == 0 && di % 2, di % 3 == 2 ? TU_STRIDED : TU_CONTIGUOUS,
                        TU_CONTIGUOUS, &rng);
        }
        int64_t gsz[4] = {1, 2, 64, 64};
        for (int kind = 0; kind < 3; kind++) {
            clrs_pool_params p;
            clrs_pool_params_init(&p, kind == 0 ? CLRS_POOL_ADAPTIVE_AVG : kind == 1 ? CLRS_POOL_ADAPTIVE_MAX : CLRS_POOL_MAX);
            if (kind < 2) {
                p.n_output_size = 1;
                p.output_size[0] = 1;
            } else {
                p.n_kernel = 1;
                p.kernel[0] = 64;
            }
            kernel_pool(ctx, dt, 4, gsz, &p, kind > 0 && di % 2, di % 2 ? TU_STRIDED : TU_CONTIGUOUS, TU_CONTIGUOUS, &rng);
        }
    }
    /* clrs_pool_win, the vectorised 2-D window kernel (f32, >= 4096 outputs):
     * edges that clip the padding, indices, stride 1, count_include_pad off,
     * ceil_mode with divisor_override, dilation (the generic-stride row
     * gather), a scalar row tail, channels-last, adaptive avg over C and
     * along NCHW rows (uneven windows) */
    {
        static const struct {
            clrs_pool_kind kind;
            int k, s, pad, dil, ceil, cip, dov, idx;
            int64_t in[4];
            tu_layout l;
        } fw[] = {
            {CLRS_POOL_MAX, 3, 2, 1, 1, 0, 1, 0, 1, {1, 4, 64, 64}, TU_CONTIGUOUS},
            {CLRS_POOL_MAX, 3, 2, 1, 1, 0, 1, 0, 1, {1, 16, 32, 32}, TU_CHANNELS_LAST},
            {CLRS_POOL_AVG, 3, 1, 1, 1, 0, 0, 0, 0, {1, 1, 64, 64}, TU_CONTIGUOUS},
            {CLRS_POOL_AVG, 2, 2, 0, 1, 1, 1, 3, 0, {1, 16, 33, 33}, TU_CHANNELS_LAST},
            {CLRS_POOL_MAX, 3, 3, 0, 2, 0, 1, 0, 0, {1, 1, 200, 200}, TU_CONTIGUOUS},
            {CLRS_POOL_MAX, 3, 2, 1, 1, 0, 1, 0, 0, {1, 1, 64, 140}, TU_CONTIGUOUS},
            {CLRS_POOL_ADAPTIVE_AVG, 0, 0, 0, 0, 0, 1, 0, 0, {2, 32, 16, 16}, TU_CHANNELS_LAST},
            {CLRS_POOL_ADAPTIVE_AVG, 0, 0, 0, 0, 0, 1, 0, 0, {2, 32, 20, 20}, TU_CONTIGUOUS},
        };
        for (size_t i = 0; i < sizeof fw / sizeof fw[0]; i++, n++) {
            clrs_pool_params p;
            clrs_pool_params_init(&p, fw[i].kind);
            if (fw[i].kind == CLRS_POOL_ADAPTIVE_AVG) {
                p.n_output_size = 1;
                p.output_size[0] = 8;
            } else {
                p.n_kernel = p.n_stride = p.n_padding = p.n_dilation = 1;
                p.kernel[0] = fw[i].k;
                p.stride[0] = fw[i].s;
                p.padding[0] = fw[i].pad;
                p.dilation[0] = fw[i].dil;
                p.ceil_mode = fw[i].ceil;
                p.count_include_pad = fw[i].cip;
                p.divisor_override = fw[i].dov;
            }
            kernel_pool(ctx, CLRS_F32, 4, fw[i].in, &p, fw[i].idx, fw[i].l, fw[i].l, &rng);
        }
        /* the adaptive avg row form: a strided input (columns read one by
         * one, -D AUNIT=0), rows narrower than one vector, and sizes that
         * divide into windows wider than 4 */
        static const struct {
            int64_t in[4];
            int64_t out;
            tu_layout li;
        } ar[] = {
            {{2, 32, 20, 20}, 8, TU_STRIDED},
            {{2, 32, 12, 12}, 8, TU_CONTIGUOUS},
            {{2, 32, 64, 64}, 8, TU_CONTIGUOUS},
        };
        for (size_t i = 0; i < sizeof ar / sizeof ar[0]; i++, n++) {
            clrs_pool_params p;
            clrs_pool_params_init(&p, CLRS_POOL_ADAPTIVE_AVG);
            p.n_output_size = 1;
            p.output_size[0] = ar[i].out;
            kernel_pool(ctx, CLRS_F32, 4, ar[i].in, &p, 0, ar[i].li, TU_CONTIGUOUS, &rng);
        }
        /* adaptive avg over 3 channels-last channels (a work-item per
         * output pixel, window rows as 16-wide vectors; the last row's
         * partial vector at the input's end) */
        {
            int64_t asz[4] = {1, 3, 80, 81};
            clrs_pool_params p;
            clrs_pool_params_init(&p, CLRS_POOL_ADAPTIVE_AVG);
            p.n_output_size = 1;
            p.output_size[0] = 40;
            kernel_pool(ctx, CLRS_F32, 4, asz, &p, 0, TU_CHANNELS_LAST, TU_CHANNELS_LAST, &rng);
            n++;
        }
    }
    /* whole 3-D windows on >= 4096 outputs (the FULL program) and u8 max with
     * indices in the window kernel's scalar form */
    {
        int64_t vsz[5] = {1, 1, 32, 32, 32}, wsz[4] = {1, 1, 128, 128};
        static const clrs_dtype fdt[2] = {CLRS_F16, CLRS_U8};
        for (int di = 0; di < 2; di++)
            for (int kind = 0; kind < 2; kind++, n++) {
                clrs_pool_params p;
                clrs_pool_params_init(&p, kind ? CLRS_POOL_AVG : CLRS_POOL_MAX);
                p.n_kernel = 1;
                p.kernel[0] = 2;
                kernel_pool(ctx, fdt[di], 5, vsz, &p, 0, TU_CONTIGUOUS, TU_CONTIGUOUS, &rng);
            }
        clrs_pool_params p;
        clrs_pool_params_init(&p, CLRS_POOL_MAX);
        p.n_kernel = 1;
        p.kernel[0] = 2;
        kernel_pool(ctx, CLRS_U8, 4, wsz, &p, 1, TU_CONTIGUOUS, TU_CONTIGUOUS, &rng);
        n++;
    }
    /* channels-last RGB in the window kernel (-D PC=3): max with and
     * without indices, avg with and without count_include_pad, per dtype
     * the suite uses it with */
    {
        static const clrs_dtype pdt[3] = {CLRS_F32, CLRS_F16, CLRS_U8};
        int64_t csz[4] = {1, 3, 96, 96};
        for (int di = 0; di < 3; di++)
            for (int v = 0; v < 4; v++, n++) {
                clrs_pool_params p;
                clrs_pool_params_init(&p, v < 2 ? CLRS_POOL_MAX : CLRS_POOL_AVG);
                p.n_kernel = p.n_stride = p.n_padding = 1;
                p.kernel[0] = 3;
                p.stride[0] = 2;
                p.padding[0] = 1;
                p.count_include_pad = v == 2;
                kernel_pool(ctx, pdt[di], 4, csz, &p, v == 1, TU_CHANNELS_LAST, TU_CHANNELS_LAST, &rng);
            }
        /* f32's 16-pixel form with a partial last chunk (-D TAIL) whose
         * last window ends at the input's last element */
        int64_t tsz[4] = {1, 3, 100, 100};
        for (int v = 0; v < 2; v++, n++) {
            clrs_pool_params p;
            clrs_pool_params_init(&p, v ? CLRS_POOL_AVG : CLRS_POOL_MAX);
            p.n_kernel = 1;
            p.kernel[0] = 2;
            kernel_pool(ctx, CLRS_F32, 4, tsz, &p, v == 0, TU_CHANNELS_LAST, TU_CHANNELS_LAST, &rng);
        }
    }
    /* max_unpool: windows that tile (gather) and that overlap (scatter) */
    for (int di = 0; di < 6; di++)
        for (int l = 0; l < 2 * TU_NLAYOUTS; l++, n++) {
            clrs_dtype dt = all_dts[di];
            if (dt == CLRS_F64 && !info.fp64) continue;
            /* (the rank from the loop's own counters: not from n, which
             * cases added above would shift) */
            int rank = 3 + (di * 2 * TU_NLAYOUTS + l) % 3, sp = rank - 2;
            int64_t psz[5] = {1, 2, 0, 0, 0}, k = l % 2 ? 3 : 2;
            /* a pool input the unpool output reproduces: (out - 1) * 2 + k */
            for (int a = 0; a < sp; a++) psz[2 + a] = (rank == 5 ? 4 : 6) + (k == 3);
            kernel_unpool(ctx, dt, rank, psz, k, 2, (tu_layout)(l / 2), k == 3, &rng);
        }
    /* max_unpool backward: each float dtype, rank and layout pair */
    for (int di = 0; di < 4; di++)
        for (int l = 0; l < TU_NLAYOUTS; l++, n++) {
            clrs_dtype dt = all_dts[di];
            if (dt == CLRS_F64 && !info.fp64) continue;
            const int rank = 3 + (di + l) % 3;
            int64_t isz[5] = {2, 3, 3, 2, 3};
            kernel_unpool_backward(ctx, dt, rank, isz, 2 + l % 2, (tu_layout)l, (tu_layout)((l + di) % TU_NLAYOUTS),
                                   &rng);
        }
    /* max / adaptive max pool backward: each float dtype, rank and layout
     * pair; every third with an index outside its window (the scan form) */
    for (int di = 0; di < 4; di++)
        for (int l = 0; l < TU_NLAYOUTS; l++, n++) {
            clrs_dtype dt = all_dts[di];
            if (dt == CLRS_F64 && !info.fp64) continue;
            const int rank = 3 + (di + l) % 3;
            int64_t isz[5] = {1, 2, 5, 4, 6};
            kernel_pool_backward(ctx, dt, rank, isz, (di + l) % 3, l == 2, (tu_layout)l,
                                 (tu_layout)((l + di) % TU_NLAYOUTS), &rng);
        }
    /* avg / adaptive avg pool backward: each float dtype, rank, layout
     * pair and variant (disjoint, overlapping, adaptive) */
    for (int di = 0; di < 4; di++)
        for (int l = 0; l < TU_NLAYOUTS; l++, n++) {
            clrs_dtype dt = all_dts[di];
            if (dt == CLRS_F64 && !info.fp64) continue;
            const int rank = 3 + (di + l) % 3;
            int64_t isz[5] = {1, 2, 5, 4, 6};
            for (int v = 0; v < 3; v++)
                kernel_avgpool_backward(ctx, dt, rank, isz, v, (tu_layout)l, (tu_layout)((l + di) % TU_NLAYOUTS),
                                        &rng);
        }
    /* LP pool backward: each float dtype, rank and layout pair; p = 2,
     * +inf, -inf in turn */
    for (int di = 0; di < 4; di++)
        for (int l = 0; l < TU_NLAYOUTS; l++, n++) {
            clrs_dtype dt = all_dts[di];
            if (dt == CLRS_F64 && !info.fp64) continue;
            const int rank = 3 + (di + l) % 3;
            const double pn[3] = {2.0, INFINITY, -INFINITY};
            int64_t isz[5] = {1, 2, 4, 6, 4};
            kernel_lppool_backward(ctx, dt, rank, isz, pn[(di + l) % 3], (tu_layout)l,
                                   (tu_layout)((l + di) % TU_NLAYOUTS), &rng);
        }
    /* interpolate backward: each float dtype, rank and layout pair, the
     * modes in turn */
    for (int di = 0; di < 4; di++)
        for (int l = 0; l < TU_NLAYOUTS; l++, n++) {
            clrs_dtype dt = all_dts[di];
            if (dt == CLRS_F64 && !info.fp64) continue;
            const int rank = 3 + (di + l) % 3, k = (di * TU_NLAYOUTS + l) % 4;
            static const clrs_interp_mode lin[3] = {CLRS_INTERP_LINEAR, CLRS_INTERP_BILINEAR, CLRS_INTERP_TRILINEAR};
            const clrs_interp_mode m = k == 0 ? lin[rank - 3] : k == 1 ? CLRS_INTERP_BICUBIC
                                     : k == 2 ? CLRS_INTERP_NEAREST_EXACT : CLRS_INTERP_BILINEAR;
            int64_t isz[5] = {1, 5, 4, 3, 5};
            kernel_interp_backward(ctx, dt, rank, isz, k == 3 ? lin[rank - 3] : m, k == 3, k == 3 ? 0.6 : 1.7,
                                   (tu_layout)l, (tu_layout)((l + di) % TU_NLAYOUTS), &rng);
        }
    {
        /* interpolate backward's entries: 3 channels (interp_backward/gather, or wflat;
         * C = 5 above runs cvec), 19 (cvec's several vectors per item, single
         * vectors and a tail of 3); an rng of their own */
        uint64_t rng_ibw = 0x1B3A77ULL;
        int64_t i3[4] = {1, 3, 4, 5}, i19[4] = {2, 19, 3, 4};
        kernel_interp_backward(ctx, CLRS_F32, 4, i3, CLRS_INTERP_BILINEAR, 0, 1.7, TU_CHANNELS_LAST, TU_CONTIGUOUS,
                               &rng_ibw);
        int64_t vw0 = 0, nv0 = 0; /* 4-wide, 3 vectors per item: 0-11, then 12-15 and 16-18 one by one */
        ck_assert_int_eq(clrs_tuning_get(ctx, "ibw_vw", &vw0, NULL), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_get(ctx, "ibw_vectors", &nv0, NULL), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_set(ctx, "ibw_vw", 4), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_set(ctx, "ibw_vectors", 3), CLRS_OK);
        kernel_interp_backward(ctx, CLRS_F32, 4, i19, CLRS_INTERP_BICUBIC, 0, 1.7, TU_CHANNELS_LAST, TU_CHANNELS_LAST,
                               &rng_ibw);
        ck_assert_int_eq(clrs_tuning_set(ctx, "ibw_vw", vw0), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_set(ctx, "ibw_vectors", nv0), CLRS_OK);
        /* 3 planar channels: interp_backward/wflat (its own rng) */
        uint64_t rng_wf = 0x1B3A78ULL;
        kernel_interp_backward(ctx, CLRS_F32, 4, i3, CLRS_INTERP_BICUBIC, 0, 1.7, TU_CONTIGUOUS, TU_CONTIGUOUS,
                               &rng_wf);
        n += 3;
    }
    /* pixel shuffle / unshuffle: every element size, every layout */
    for (int di = 0; di < 6; di++)
        for (int l = 0; l < TU_NLAYOUTS; l++, n++) {
            clrs_dtype dt = all_dts[di];
            if (dt == CLRS_F64 && !info.fp64) continue;
            int64_t a[4] = {2, 8, 3, 2}, b[4] = {1, 3, 4, 6};
            kernel_shuffle(ctx, dt, n % 2 ? a : b, 2, n % 2 == 0, (tu_layout)l, (tu_layout)((l + 1) % TU_NLAYOUTS), &rng);
        }
    {
        int64_t c[4] = {1, 2, 6, 6};
        kernel_shuffle(ctx, CLRS_I64, c, 3, 1, TU_CHANNELS_LAST, TU_STRIDED, &rng);
    }
    /* grid_sample: every mode x padding on each float dtype, 4-D and 5-D,
     * align_corners and the layout cycling. grid_sample/chunk runs the
     * planar cases; where the device's gs_chunk is 0 (GPUs, Oclgrind's
     * simulated one) it is set to 2 here (runs of 2 and 1 of the 3
     * channels), so that the entry runs on every device */
    int64_t gs_chunk0 = 0;
    ck_assert_int_eq(clrs_tuning_get(ctx, "gs_chunk", &gs_chunk0, NULL), CLRS_OK);
    if (gs_chunk0 == 0) ck_assert_int_eq(clrs_tuning_set(ctx, "gs_chunk", 2), CLRS_OK);
    for (int di = 0; di < 4; di++)
        for (int m = 0; m < 3; m++)
            for (int pd = 0; pd < 3; pd++, n++) {
                clrs_dtype dt = all_dts[di];
                if (dt == CLRS_F64 && !info.fp64) continue;
                kernel_grid(ctx, dt, (m + pd + di) % 2 ? 5 : 4, m, pd, (pd + di) % 2, (tu_layout)((m + di) % TU_NLAYOUTS),
                            &rng);
            }
    ck_assert_int_eq(clrs_tuning_set(ctx, "gs_chunk", gs_chunk0), CLRS_OK);
    /* conv (every padding mode), conv_transpose and depthwise conv (zeros,
     * reflect): each float dtype, ranks 3-5, layouts cycling */
    for (int di = 0; di < 4; di++)
        for (int v = 0; v < 7; v++, n++) {
            clrs_dtype dt = all_dts[di];
            if (dt == CLRS_F64 && !info.fp64) continue;
            kernel_conv(ctx, dt, 3 + (v + di) % 3, v == 4, v >= 5, v < 4 ? v : v == 6, (tu_layout)((v + di) % TU_NLAYOUTS),
                        &rng);
        }
    /* conv/depthwise_win: the depthwise cases again, ranks 3 and 4, with
     * its output threshold lowered so that these small cases take it (its
     * own generator: the cases after this keep theirs) */
    {
        int64_t dw_min0 = 0;
        uint64_t rng_dw = 0xd3e7a11u;
        ck_assert_int_eq(clrs_tuning_get(ctx, "conv_dw_min_output", &dw_min0, NULL), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_set(ctx, "conv_dw_min_output", 1), CLRS_OK);
        for (int di = 0; di < 4; di++)
            for (int v = 5; v < 7; v++, n++) {
                clrs_dtype dt = all_dts[di];
                if (dt == CLRS_F64 && !info.fp64) continue;
                kernel_conv(ctx, dt, 3 + (v + di) % 2, 0, 1, v == 6, (tu_layout)((v + di) % TU_NLAYOUTS), &rng_dw);
            }
        ck_assert_int_eq(clrs_tuning_set(ctx, "conv_dw_min_output", dw_min0), CLRS_OK);
    }
    {
        /* dense conv (conv/clblast where built in: its work-size threshold
         * off), f32 rank 4 and f16 rank 3; its own generator */
        uint64_t rng_dense = 0xde45e21u;
        int64_t mk0 = 0, mm0 = 0;
        ck_assert_int_eq(clrs_tuning_get(ctx, "conv_gemm_min_k", &mk0, NULL), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_get(ctx, "conv_gemm_min_macs", &mm0, NULL), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_set(ctx, "conv_gemm_min_k", 0), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_set(ctx, "conv_gemm_min_macs", 0), CLRS_OK);
        kernel_conv(ctx, CLRS_F32, 4, 0, 2, 1, TU_CHANNELS_LAST, &rng_dense);
        kernel_conv(ctx, CLRS_F16, 3, 0, 2, 0, TU_STRIDED, &rng_dense);
        n += 2;
        /* dense transposed conv (conv_transpose/clblast where built in:
         * its threshold off too; its col2im gather), f32 rank 4
         * channels-last and f16 rank 5 strided; its own generator, and n
         * left as it was so that the cases after these keep their layouts */
        uint64_t rng_convt = 0xc0a7e2au;
        int64_t tm0 = 0;
        ck_assert_int_eq(clrs_tuning_get(ctx, "conv_transpose_gemm_min_macs", &tm0, NULL), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_set(ctx, "conv_transpose_gemm_min_macs", 0), CLRS_OK);
        kernel_conv(ctx, CLRS_F32, 4, 1, 2, 0, TU_CHANNELS_LAST, &rng_convt);
        kernel_conv(ctx, CLRS_F16, 5, 1, 2, 1, TU_STRIDED, &rng_convt);
        ck_assert_int_eq(clrs_tuning_set(ctx, "conv_transpose_gemm_min_macs", tm0), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_set(ctx, "conv_gemm_min_k", mk0), CLRS_OK);
        ck_assert_int_eq(clrs_tuning_set(ctx, "conv_gemm_min_macs", mm0), CLRS_OK);
    }
    /* ONNX Resize's extrapolation fill (resize_fill/general), every ONNX
     * dtype, nearest and linear: roi [-0.5, 1.5] puts the first and last
     * two of 8 outputs outside the input of 4: they read the constant 2 */
    for (int di = 0; di < 5; di++)
        for (int lin = 0; lin < 2; lin++, n++) {
            clrs_dtype dt = all_dts[di];
            if (dt == CLRS_F64 && !info.fp64) continue;
            int64_t isz[3] = {1, 2, 4}, osz[3] = {1, 2, 8};
            tu_tensor ti, to;
            tu_alloc(&ti, dt, 3, isz, (tu_layout)(n % TU_NLAYOUTS), 0x11);
            tu_alloc(&to, dt, 3, osz, (tu_layout)((n + 1) % TU_NLAYOUTS), 0x22);
            unsigned char il[64], ol[128];
            for (int i = 0; i < 8; i++) tu_set(dt, il, i, (double)(3 * i + 5));
            tu_store(&ti, il);
            clrs_onnx_resize_params rp;
            clrs_onnx_resize_params_init(&rp);
            rp.rank = 2;
            rp.n_axes = 1;
            rp.axes[0] = -1;
            rp.mode = lin ? "linear" : "nearest";
            rp.coordinate_transformation_mode = "tf_crop_and_resize";
            rp.n_roi = 2;
            rp.roi[0] = -0.5;
            rp.roi[1] = 1.5;
            rp.n_sizes = 1;
            rp.sizes[0] = 8;
            rp.extrapolation_value = 2.0;
            clrs_status st = clrs_onnx_resize(ctx, &rp, &ti.desc, ti.base, &to.desc, to.base);
            int bad = st != CLRS_OK;
            if (!bad) {
                tu_load(&to, ol);
                for (int c = 0; c < 2; c++)
                    for (int o = 0; o < 8; o++) {
                        /* x = o * 2 * 3 / 7 - 1.5: outside for o = 0, 1, 6, 7 */
                        double v = tu_get(dt, ol, c * 8 + o);
                        int outside = o < 2 || o > 5;
                        if (outside ? v != 2.0 : (v < 5.0 + 12 * c || v > 14.0 + 12 * c)) bad++;
                    }
            }
            kcase_done();
            if (bad) {
                printf("# onnx_resize extrapolation %s %s: %s\n", clrs_dtype_name(dt), rp.mode,
                       st != CLRS_OK ? clrs_last_error(ctx) : "wrong values");
                kfail++;
            }
            tu_free(&ti);
            tu_free(&to);
        }
    /* input and output in one cl_mem (allowed: their ranges do not
     * overlap), rows of 64 with padding: the vector window kernel's padded
     * row vectors must read only inside the input's range (the oclgrind
     * pass runs this case with --data-races; reading up to the buffer's end
     * raced with the output's stores) */
    {
        cl_context clc;
        cl_command_queue q;
        ck_assert_int_eq(clrs_context_get_cl(ctx, &clc, NULL, &q), CLRS_OK);
        enum { H = 64, W = 64, NI = H * W };
        int64_t isz[4] = {1, 1, H, W}, osz[5];
        clrs_pool_params p;
        clrs_pool_params_init(&p, CLRS_POOL_MAX);
        p.n_kernel = p.n_stride = p.n_padding = 1;
        p.kernel[0] = 3;
        p.stride[0] = 1;
        p.padding[0] = 1;
        clrs_tensor_desc in, out;
        clrs_tensor_desc_contiguous(&in, CLRS_F32, 4, isz);
        ck_assert_int_eq(clrs_pool_output_shape(ctx, &in, &p, osz), CLRS_OK);
        clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, osz);
        out.offset = NI;
        static float h[2 * NI];
        for (int i = 0; i < 2 * NI; i++) h[i] = (float)(tu_rand(&rng) % 2001) - 1000.0f;
        cl_int e;
        cl_mem m = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof h, h, &e);
        ck_assert_int_eq(e, CL_SUCCESS);
        ck_assert_int_eq(clrs_pool_cl(ctx, &p, &in, m, &out, m, NULL, NULL, NULL, 0, NULL, NULL), CLRS_OK);
        static float r[NI];
        ck_assert_int_eq(clEnqueueReadBuffer(q, m, CL_TRUE, sizeof(float) * NI, sizeof r, r, 0, NULL, NULL), CL_SUCCESS);
        clReleaseMemObject(m);
        int bad = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                float mx = -INFINITY;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                        if (y + dy >= 0 && y + dy < H && x + dx >= 0 && x + dx < W && h[(y + dy) * W + x + dx] > mx)
                            mx = h[(y + dy) * W + x + dx];
                bad += r[y * W + x] != mx;
            }
        kcase_done();
        if (bad) {
            printf("# one-buffer max pool: %d of %d outputs wrong\n", bad, NI);
            kfail++;
        }
    }
    clrs_explain_end();
    clrs__dispatch_disable(NULL);
    printf("# kernel variants on '%s'%s: %d calls, %d failed\n", info.name, _i ? " (general only)" : "", kcases, kfail);
    ck_assert_msg(kfail == 0, "%d of %d small-shape kernel calls wrong (see the log)", kfail, kcases);
    /* every implementation ran (first pass), by name */
    int missing = 0, total = 0, ran_n = 0;
    ck_assert_int_eq(clrs_tuning_set(ctx, "rs_rows_block", rows0), CLRS_OK);
    for (size_t k = 0;; k++) {
        const char *fam = NULL, *name = clrs_impl_at(k, &fam, NULL);
        if (name == NULL) break;
        total++;
        int i = cov_slot(fam, name);
        const int ran = i >= 0 && cov.chosen[i] > 0;
        ran_n += ran;
        if (_i == 0 && !ran) {
            printf("# implementation %s/%s never ran%s%s\n", fam, name, i >= 0 && cov.why[i][0] ? "; last declined: " : "",
                   i >= 0 ? cov.why[i] : "");
            missing++;
        }
        if (_i == 1 && ran && clrs__impl_at_general(fam, name) == 0) {
            printf("# %s/%s ran although disabled\n", fam, name);
            missing++;
        }
    }
    printf("# implementations run: %d of %d\n", ran_n, total);
    for (int i = 0; i < cov.n; i++)
        if (cov.chosen[i]) printf("#   %-28s %d launch%s\n", cov.name[i], cov.chosen[i], cov.chosen[i] == 1 ? "" : "es");
    ck_assert_msg(missing == 0, "%d implementation(s) %s (see the log)", missing,
                  _i == 0 ? "never ran" : "ran although disabled");
}
END_TEST

/* Timeout of the "kernels" test case, in seconds, for a machine 10 times
 * slower than an idle 2-core one (from an empty kernel cache every
 * variant is compiled once); the environment can only widen it. */
#define TIMEOUT_KERNELS 3600

int main(int argc, char **argv)
{
    self_exe = argv[0];
    if (argc == 5 && strcmp(argv[1], "--cache-worker") == 0) return cache_worker(argv[2], argv[3], atoi(argv[4]));
    if (argc == 4 && strcmp(argv[1], "--cache-worker") == 0) return cache_worker(argv[2], argv[3], -1);
    /* operators, not the cache (see testutil.h); the two-process cache
     * test gives its workers their own CLRS_CACHE_DIR */
    tu_binary_cache_off();
    setvbuf(stdout, NULL, _IOLBF, 0);
    Suite *s = suite_create("robust");
    TCase *tc = tcase_create("errors");
    tcase_set_timeout(tc, tu_timeout(600));
    tcase_add_test(tc, test_api_errors);
    tcase_add_test(tc, test_valid_extremes);
    tcase_add_test(tc, test_missing_device);
    tcase_add_test(tc, test_npy_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("resources");
    tcase_set_timeout(tc, tu_timeout(1200));
    tcase_add_test(tc, test_out_of_device_memory);
    tcase_add_test(tc, test_memory_flat);
    suite_add_tcase(s, tc);
    tc = tcase_create("huge");
    tcase_set_timeout(tc, tu_timeout(3600)); /* CLRS_TEST_HUGE=1: about 80 s each */
    tcase_add_test(tc, test_huge_output);
    tcase_add_test(tc, test_huge_input);
    suite_add_tcase(s, tc);
    tc = tcase_create("cache");
    tcase_set_timeout(tc, tu_timeout(1800));
    tcase_add_test(tc, test_cache_two_processes);
    suite_add_tcase(s, tc);
    tc = tcase_create("kernels");
    tcase_set_timeout(tc, tu_timeout(TIMEOUT_KERNELS));
    tcase_add_loop_test(tc, test_kernel_variants, 0, 2);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_context_release();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
