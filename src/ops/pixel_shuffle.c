/* SPDX-License-Identifier: MIT */
/* Pixel shuffle / unshuffle (torch's F.pixel_shuffle, F.pixel_unshuffle):
 * the argument checks and shape rule, and the launch of
 * cl/pixel_shuffle.cl (program "pixel_shuffle"). */
#include <stdio.h>
#include <string.h>

#include "pool_impl.h"

typedef struct shuffle_plan {
    int64_t r;
    int inverse;
    int dcr; /* ONNX's DCR channel order (-DDCR=1), 0 for torch's */
    int64_t out_sizes[CLRS_MAX_RANK];
    int64_t numel_out;
} shuffle_plan;

static clrs_status shuffle_plan_make(clrs_context *ctx, const clrs_tensor_desc *in, int64_t factor, int inverse,
                                     shuffle_plan *plan)
{
    CLRS_FORWARD(clrs__check_desc(ctx, in, "input", 0));
    const char *kn = inverse ? "pixel_unshuffle" : "pixel_shuffle";
    if (in->rank != 4)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s needs a 4-D input (N, C, H, W), got rank %d", kn, in->rank);
    if (factor <= 0)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s expects a positive %s factor, but got %lld", kn,
                          inverse ? "downscale" : "upscale", (long long)factor);
    memset(plan, 0, sizeof *plan);
    int64_t r = factor, r2;
    if (__builtin_mul_overflow(r, r, &r2))
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: factor %lld squared overflows 64 bits", kn, (long long)r);
    const int64_t N = in->sizes[0], C = in->sizes[1], H = in->sizes[2], W = in->sizes[3];
    plan->r = r;
    plan->inverse = inverse != 0;
    plan->out_sizes[0] = N;
    if (!inverse) {
        if (C % r2 != 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                              "upscale_factor, but input.size(-3)=%lld is not divisible by %lld",
                              (long long)C, (long long)r2);
        plan->out_sizes[1] = C / r2;
        if (__builtin_mul_overflow(H, r, &plan->out_sizes[2]) || __builtin_mul_overflow(W, r, &plan->out_sizes[3]))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "pixel_shuffle: output sizes overflow 64 bits");
    } else {
        if (H % r != 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=%lld "
                              "is not divisible by %lld",
                              (long long)H, (long long)r);
        if (W % r != 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=%lld "
                              "is not divisible by %lld",
                              (long long)W, (long long)r);
        if (__builtin_mul_overflow(C, r2, &plan->out_sizes[1]))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "pixel_unshuffle: output channels overflow 64 bits");
        plan->out_sizes[2] = H / r;
        plan->out_sizes[3] = W / r;
    }
    plan->numel_out = 1;
    for (int i = 0; i < 4; i++)
        if (__builtin_mul_overflow(plan->numel_out, plan->out_sizes[i], &plan->numel_out))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: output element count overflows 64 bits", kn);
    return CLRS_OK;
}

clrs_status clrs_pixel_shuffle_output_shape(clrs_context *ctx, const clrs_tensor_desc *in, int64_t factor,
                                            int inverse, int64_t out_sizes[CLRS_MAX_RANK])
{
    clrs__clear_error(ctx);
    if (out_sizes == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pixel_shuffle: out_sizes is NULL");
    shuffle_plan plan;
    CLRS_FORWARD(shuffle_plan_make(ctx, in, factor, inverse, &plan));
    for (int i = 0; i < CLRS_MAX_RANK; i++) out_sizes[i] = i < 4 ? plan.out_sizes[i] : 0;
    return CLRS_OK;
}

/* One implementation: a work-item per output element. */
static const clrs_impl SHUFFLE_IMPLS[] = {
    {"general", 0, NULL},
};
CLRS_IMPL_LIST(clrs__impls_pixel_shuffle, "pixel_shuffle", SHUFFLE_IMPLS);

static clrs_status shuffle_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                                   cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    (void)nt;
    const shuffle_plan *plan = op;
    if (plan->numel_out == 0) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    if (CLRS_PICK(ctx, "pixel_shuffle", SHUFFLE_IMPLS, plan) < 0) return CLRS_ERR_INTERNAL;
    const clrs_tensor_desc *in = &t[0].desc, *out = &t[1].desc;
    cl_long8 isz, ist, osz, ost;
    clrs__iter_ncdhw(in, &isz, &ist);
    clrs__iter_ncdhw(out, &osz, &ost);
    int cl_order = clrs__iter_channels_last(out);
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "ELEM_T=%s", clrs__elem_type(clrs_dtype_size(in->dtype)));
    if (plan->dcr) clrs__opts_def(&o, "DCR=1");
    cl_kernel k = NULL;
    clrs_status st = clrs__pool_get_kernel(ctx, "pixel_shuffle", &o, 0, "clrs_pixel_shuffle", &k);
    if (st != CLRS_OK) return st;
    cl_long soff = in->offset, doff = out->offset, r = plan->r;
    cl_int inv = plan->inverse, ord = cl_order;
    clrs_kargs a = clrs__kargs(ctx, k);
    CLRS_KARG(&a, t[0].mem);
    CLRS_KARG(&a, soff);
    CLRS_KARG(&a, t[1].mem);
    CLRS_KARG(&a, doff);
    CLRS_KARG(&a, osz);
    CLRS_KARG(&a, ist);
    CLRS_KARG(&a, ost);
    CLRS_KARG(&a, r);
    CLRS_KARG(&a, inv);
    CLRS_KARG(&a, ord);
    st = a.st;
    size_t g[3];
    clrs__iter_grid(&osz, cl_order, g);
    if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 3, g, nwait, wait, ev);
    if (k != NULL) clReleaseKernel(k);
    return st;
}

static clrs_status shuffle_prepare(clrs_context *ctx, int64_t factor, int inverse, const clrs_tensor_desc *in,
                                   const clrs_tensor_desc *out, shuffle_plan *plan)
{
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pixel_shuffle: ctx is NULL");
    CLRS_FORWARD(shuffle_plan_make(ctx, in, factor, inverse, plan));
    CLRS_FORWARD(clrs__check_output(ctx, inverse ? "pixel_unshuffle" : "pixel_shuffle", out, 4, plan->out_sizes,
                                    in->dtype));
    return CLRS_OK;
}

clrs_status clrs_pixel_shuffle(clrs_context *ctx, int64_t factor, int inverse, const clrs_tensor_desc *in,
                               const void *in_data, const clrs_tensor_desc *out, void *out_data)
{
    clrs__clear_error(ctx);
    shuffle_plan plan;
    CLRS_FORWARD(shuffle_prepare(ctx, factor, inverse, in, out, &plan));
    if (plan.numel_out > 0 && (in_data == NULL || out_data == NULL))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pixel_shuffle: %s data pointer is NULL",
                          in_data ? "output" : "input");
    clrs_host_tensor ht[2] = {{in, in_data, 0}, {out, out_data, 1}};
    return clrs__host_call(ctx, &plan, ht, 2, shuffle_enqueue);
}

clrs_status clrs_pixel_shuffle_cl(clrs_context *ctx, int64_t factor, int inverse, const clrs_tensor_desc *in,
                                  cl_mem in_mem, const clrs_tensor_desc *out, cl_mem out_mem, cl_command_queue queue,
                                  cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    clrs__clear_error(ctx);
    shuffle_plan plan;
    CLRS_FORWARD(shuffle_prepare(ctx, factor, inverse, in, out, &plan));
    clrs_targ t[2] = {{*in, in_mem, 0}, {*out, out_mem, 1}};
    return clrs__cl_call(ctx, &plan, t, 2, queue, num_wait, wait_list, event, shuffle_enqueue);
}

/* ---- backward ------------------------------------------------------------ */
/* The gradient of a permutation is the inverse permutation: grad_in =
 * the inverse op (unshuffle for shuffle and vice versa) of grad_out, run
 * by the same kernel (a work-item per grad_in element copying one
 * grad_out element: bit-exact, nothing to accumulate). */
static clrs_status shuffle_bw_prepare(clrs_context *ctx, int64_t factor, int inverse, const clrs_tensor_desc *grad_out,
                                      const clrs_tensor_desc *grad_in, shuffle_plan *plan)
{
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pixel_shuffle backward: ctx is NULL");
    const char *kn = inverse ? "pixel_unshuffle backward" : "pixel_shuffle backward";
    CLRS_FORWARD(clrs__check_desc(ctx, grad_in, "grad_input", 1));
    shuffle_plan fwd; /* the forward on the forward input's (grad_in's) shape */
    CLRS_FORWARD(shuffle_plan_make(ctx, grad_in, factor, inverse, &fwd));
    CLRS_FORWARD(clrs__check_grads(ctx, kn, grad_out, grad_in, 4, fwd.out_sizes));
    /* the inverse op on grad_out: its output sizes are grad_in's */
    CLRS_FORWARD(shuffle_plan_make(ctx, grad_out, factor, !inverse, plan));
    return CLRS_OK;
}

clrs_status clrs_pixel_shuffle_backward(clrs_context *ctx, int64_t factor, int inverse,
                                        const clrs_tensor_desc *grad_out, const void *go_data,
                                        const clrs_tensor_desc *grad_in, void *gi_data)
{
    clrs__clear_error(ctx);
    shuffle_plan plan;
    CLRS_FORWARD(shuffle_bw_prepare(ctx, factor, inverse, grad_out, grad_in, &plan));
    if (plan.numel_out > 0 && (go_data == NULL || gi_data == NULL))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pixel_shuffle backward: %s data pointer is NULL",
                          go_data ? "grad_input" : "grad_output");
    clrs_host_tensor ht[2] = {{grad_out, go_data, 0}, {grad_in, gi_data, 1}};
    return clrs__host_call(ctx, &plan, ht, 2, shuffle_enqueue);
}

clrs_status clrs_pixel_shuffle_backward_cl(clrs_context *ctx, int64_t factor, int inverse,
                                           const clrs_tensor_desc *grad_out, cl_mem go_mem,
                                           const clrs_tensor_desc *grad_in, cl_mem gi_mem, cl_command_queue queue,
                                           cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    clrs__clear_error(ctx);
    shuffle_plan plan;
    CLRS_FORWARD(shuffle_bw_prepare(ctx, factor, inverse, grad_out, grad_in, &plan));
    clrs_targ t[2] = {{*grad_out, go_mem, 0}, {*grad_in, gi_mem, 1}};
    return clrs__cl_call(ctx, &plan, t, 2, queue, num_wait, wait_list, event, shuffle_enqueue);
}

/* ---- ONNX's DepthToSpace / SpaceToDepth (src/ops/onnx_pool.c) ---------- */
/* The same plan and checks under the ONNX op's name (messages say
 * "DepthToSpace" / "SpaceToDepth" with ONNX's wording added by the caller). */
clrs_status clrs__shuffle_output_shape(clrs_context *ctx, const char *op, const clrs_tensor_desc *in, int64_t factor,
                                       int inverse, int64_t out_sizes[CLRS_MAX_RANK])
{
    (void)op;
    return clrs_pixel_shuffle_output_shape(ctx, in, factor, inverse, out_sizes);
}

clrs_status clrs__shuffle_host(clrs_context *ctx, const char *op, int64_t factor, int inverse, int dcr,
                               const clrs_tensor_desc *in, const void *in_data, const clrs_tensor_desc *out,
                               void *out_data)
{
    shuffle_plan plan;
    CLRS_FORWARD(shuffle_prepare(ctx, factor, inverse, in, out, &plan));
    plan.dcr = dcr != 0;
    if (plan.numel_out > 0 && (in_data == NULL || out_data == NULL))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s: %s data pointer is NULL", op, in_data ? "output" : "input");
    clrs_host_tensor ht[2] = {{in, in_data, 0}, {out, out_data, 1}};
    return clrs__host_call(ctx, &plan, ht, 2, shuffle_enqueue);
}

clrs_status clrs__shuffle_cl(clrs_context *ctx, const char *op, int64_t factor, int inverse, int dcr,
                             const clrs_tensor_desc *in, cl_mem in_mem, const clrs_tensor_desc *out, cl_mem out_mem,
                             cl_command_queue queue, cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    (void)op;
    shuffle_plan plan;
    CLRS_FORWARD(shuffle_prepare(ctx, factor, inverse, in, out, &plan));
    plan.dcr = dcr != 0;
    clrs_targ t[2] = {{*in, in_mem, 0}, {*out, out_mem, 1}};
    return clrs__cl_call(ctx, &plan, t, 2, queue, num_wait, wait_list, event, shuffle_enqueue);
}
