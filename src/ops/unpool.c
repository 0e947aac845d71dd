/* SPDX-License-Identifier: MIT */
/* Max unpooling (torch's max_unpool1d/2d/3d): the argument checks and shape
 * rule, and the launches of cl/unpool.cl (program "unpool"). The indices
 * are checked on the device first ("unpool/check"); then either every
 * output element gathers its input ("unpool/gather") or the output is
 * zeroed ("unpool/zero") and each plane scatters its inputs
 * ("unpool/scatter"): the same bits either way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool_impl.h"

typedef struct unpool_plan {
    int sp;
    int64_t in3[3], out3[3], k3[3], s3[3], p3[3];
    int64_t out_sizes[CLRS_MAX_RANK];
    int64_t numel_out, numel_in;
} unpool_plan;

static clrs_status unpool_plan_make(clrs_context *ctx, const clrs_tensor_desc *in, const clrs_unpool_params *p,
                                    unpool_plan *plan)
{
    if (p == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "max_unpool: params is NULL");
    if (p->struct_size != sizeof *p)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG,
                          "clrs_unpool_params.struct_size is %zu, expected %zu (call clrs_unpool_params_init)",
                          p->struct_size, sizeof *p);
    CLRS_FORWARD(clrs__check_desc(ctx, in, "input", 0));
    memset(plan, 0, sizeof *plan);
    const int rank = in->rank, sp = rank - 2;
    plan->sp = sp;
    const char *kn = "max_unpool";
    CLRS_FORWARD(clrs__pool_list3(ctx, kn, "kernel_size", p->n_kernel, p->kernel, sp, 0, 0, 1, plan->k3));
    CLRS_FORWARD(clrs__pool_list3(ctx, kn, "padding", p->n_padding, p->padding, sp, 1, 0, 0, plan->p3));
    if (p->n_stride == 0) {
        memcpy(plan->s3, plan->k3, sizeof plan->s3);
    } else {
        CLRS_FORWARD(clrs__pool_list3(ctx, kn, "stride", p->n_stride, p->stride, sp, 0, 0, 1, plan->s3));
    }
    int64_t osz3[3] = {1, 1, 1};
    if (p->n_output_size != 0)
        CLRS_FORWARD(clrs__pool_list3(ctx, kn, "output_size", p->n_output_size, p->output_size, sp, 0, 0, 1, osz3));
    char sz[128];
    clrs__format_sizes(sz, sizeof sz, rank, in->sizes);
    if (in->sizes[1] == 0)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "max_unpool: expected an input with non-zero channels, got %s", sz);
    for (int i = 0; i < sp; i++) {
        if (in->sizes[2 + i] == 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "max_unpool: expected non-zero spatial sizes, got %s", sz);
        plan->in3[3 - sp + i] = in->sizes[2 + i];
    }
    for (int a = 0; a < 3 - sp; a++) plan->in3[a] = 1;
    for (int a = 3 - sp; a < 3; a++) {
        int64_t k = plan->k3[a], s = plan->s3[a], pd = plan->p3[a], dflt;
        if (k <= 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "max_unpool: kernel_size should be greater than zero, but got %lld (%s)",
                              (long long)k, clrs__pool_axis_name(a));
        if (pd < 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "max_unpool: padding must be non-negative, but got %lld (%s)",
                              (long long)pd, clrs__pool_axis_name(a));
        /* torch's max_unpool3d validates the stride; 1-D/2-D take any */
        if (sp == 3 && s <= 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "max_unpool3d: strides should be greater than zero, but got %lld (%s)",
                              (long long)s, clrs__pool_axis_name(a));
        int64_t pad2;
        if (__builtin_mul_overflow(plan->in3[a] - 1, s, &dflt) || __builtin_add_overflow(dflt, k, &dflt) ||
            __builtin_mul_overflow(pd, (int64_t)2, &pad2) || __builtin_sub_overflow(dflt, pad2, &dflt))
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                              "max_unpool: default output size (in - 1) * stride - 2 * padding + kernel overflows 64 "
                              "bits (%s: in %lld, stride %lld, padding %lld, kernel %lld)",
                              clrs__pool_axis_name(a), (long long)plan->in3[a], (long long)s, (long long)pd, (long long)k);
        int64_t o = dflt;
        if (p->n_output_size != 0) {
            o = osz3[a];
            /* dflt - stride < o < dflt + stride; a bound past int64 excludes nothing */
            int64_t lo, hi;
            int lo_of = __builtin_sub_overflow(dflt, s, &lo), hi_of = __builtin_add_overflow(dflt, s, &hi);
            if (!((lo_of || lo < o) && (hi_of || o < hi))) {
                char ob[96];
                clrs__pool_fmt_list(ob, sizeof ob, sp, osz3, ", ");
                return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                                  "max_unpool: invalid output_size \"(%s)\" (dim %d must be between %lld and %lld, "
                                  "exclusive)",
                                  ob, a - (3 - sp), lo_of ? (long long)INT64_MIN : (long long)lo,
                                  hi_of ? (long long)INT64_MAX : (long long)hi);
            }
        }
        if (o < 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "max_unpool: output size %lld is negative (%s)", (long long)o,
                              clrs__pool_axis_name(a));
        plan->out3[a] = o;
    }
    for (int a = 0; a < 3 - sp; a++) plan->out3[a] = 1;
    plan->out_sizes[0] = in->sizes[0];
    plan->out_sizes[1] = in->sizes[1];
    for (int i = 0; i < sp; i++) plan->out_sizes[2 + i] = plan->out3[3 - sp + i];
    plan->numel_out = 1;
    for (int i = 0; i < rank; i++)
        if (__builtin_mul_overflow(plan->numel_out, plan->out_sizes[i], &plan->numel_out))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "max_unpool: output element count overflows 64 bits");
    plan->numel_in = clrs_tensor_desc_numel(in);
    return CLRS_OK;
}

clrs_status clrs_max_unpool_output_shape(clrs_context *ctx, const clrs_tensor_desc *in, const clrs_unpool_params *p,
                                         int64_t out_sizes[CLRS_MAX_RANK])
{
    clrs__clear_error(ctx);
    if (out_sizes == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "max_unpool: out_sizes is NULL");
    unpool_plan plan;
    CLRS_FORWARD(unpool_plan_make(ctx, in, p, &plan));
    for (int i = 0; i < CLRS_MAX_RANK; i++) out_sizes[i] = i < in->rank ? plan.out_sizes[i] : 0;
    return CLRS_OK;
}

/* The first invalid index in C order, read back from the device, for the
 * error message. */
static clrs_status unpool_bad_index(clrs_context *ctx, const unpool_plan *plan, const clrs_targ *ix,
                                    cl_command_queue q, cl_uint nwait, const cl_event *wait)
{
    const clrs_tensor_desc *d = &ix->desc;
    int64_t ext = clrs__desc_extent(d);
    cl_long *buf = malloc((size_t)(ext > 0 ? ext : 1) * sizeof *buf);
    if (buf == NULL) return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "max_unpool: reading back the indices");
    cl_int e = clEnqueueReadBuffer(q, ix->mem, CL_TRUE, 0, (size_t)ext * sizeof *buf, buf, nwait, wait, NULL);
    if (e != CL_SUCCESS) {
        free(buf);
        return clrs__fail_cl(ctx, e, "clEnqueueReadBuffer of the indices");
    }
    cl_long8 sz, st;
    clrs__iter_ncdhw(d, &sz, &st);
    const int64_t plane = plan->out3[0] * plan->out3[1] * plan->out3[2];
    char ob[96];
    clrs__pool_fmt_list(ob, sizeof ob, plan->sp, plan->out3, "x");
    for (int64_t n = 0; n < sz.s[0]; n++)
        for (int64_t c = 0; c < sz.s[1]; c++)
            for (int64_t z = 0; z < sz.s[2]; z++)
                for (int64_t y = 0; y < sz.s[3]; y++)
                    for (int64_t x = 0; x < sz.s[4]; x++) {
                        int64_t v = buf[d->offset + n * st.s[0] + c * st.s[1] + z * st.s[2] + y * st.s[3] + x * st.s[4]];
                        if (v >= 0 && v < plane) continue;
                        free(buf);
                        char pos[128];
                        int64_t all[5] = {n, c, z, y, x};
                        int64_t show[5];
                        show[0] = n;
                        show[1] = c;
                        for (int i = 0; i < plan->sp; i++) show[2 + i] = all[5 - plan->sp + i];
                        clrs__format_sizes(pos, sizeof pos, plan->sp + 2, show);
                        return clrs__fail(ctx, CLRS_ERR_INDEX_OUT_OF_RANGE,
                                          "max_unpool: Found an invalid max index: %lld at indices position %s (output "
                                          "planes are %s = %lld elements)",
                                          (long long)v, pos, ob, (long long)plane);
                    }
    free(buf);
    return clrs__fail(ctx, CLRS_ERR_INDEX_OUT_OF_RANGE, "max_unpool: an index is outside the output plane of %s", ob);
}

/* What "unpool" implementations decide on. */
typedef struct unpool_problem {
    const unpool_plan *plan;
    int windowed; /* every stride > 0 (the gather needs windows) */
    int unwindowed_index; /* the check found an index outside its window */
    int64_t planes;
} unpool_problem;

/* Both paths give the same bits. The gather (every index lies in its own
 * window) spreads over all output elements: the choice for GPUs and few
 * planes; CPUs with many planes do better with the per-plane scatter. */
static int gather_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    const unpool_problem *pb = problem;
    if (!pb->windowed) {
        snprintf(why, len, "a stride of 0 or less (no windows to gather from)");
        return 1;
    }
    if (pb->unwindowed_index) {
        snprintf(why, len, "an index lies outside the window of its input position");
        return 1;
    }
    if (pb->planes >= ctx->tune.v.unpool_gather_max_planes) {
        snprintf(why, len, "%lld planes >= unpool_gather_max_planes %lld", (long long)pb->planes,
                 (long long)ctx->tune.v.unpool_gather_max_planes);
        return 1;
    }
    return 0;
}

/* The geometry of one call, for the launches. */
typedef struct unpool_geom {
    clrs_targ *t;
    const char *elem;
    cl_long8 isz, ist, xsz, xst, osz, ost;
    cl_long4 o3, k3, s3, p3;
    cl_int ord;
} unpool_geom;

static clrs_status unpool_kernel(clrs_context *ctx, const unpool_geom *gm, const char *kernel, cl_kernel *k)
{
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "ELEM_T=%s", gm->elem);
    return clrs__pool_get_kernel(ctx, "unpool", &o, 0, kernel, k);
}

/* The gather and scatter kernels share their leading arguments (input,
 * indices, output, geometry); the gather also takes the window. */
static clrs_status unpool_copy(clrs_context *ctx, const unpool_geom *gm, int gather, const size_t g[3],
                               cl_command_queue q, cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    cl_kernel k = NULL;
    clrs_status st = unpool_kernel(ctx, gm, gather ? "clrs_unpool_gather" : "clrs_unpool_scatter", &k);
    if (st != CLRS_OK) return st;
    clrs_targ *t = gm->t;
    cl_long soff = t[0].desc.offset, xoff = t[1].desc.offset, doff = t[2].desc.offset;
    clrs_kargs a = clrs__kargs(ctx, k);
    CLRS_KARG(&a, t[0].mem);
    CLRS_KARG(&a, soff);
    CLRS_KARG(&a, t[1].mem);
    CLRS_KARG(&a, xoff);
    CLRS_KARG(&a, t[2].mem);
    CLRS_KARG(&a, doff);
    CLRS_KARG(&a, gm->isz);
    CLRS_KARG(&a, gm->ist);
    CLRS_KARG(&a, gm->xst);
    CLRS_KARG(&a, gm->osz);
    CLRS_KARG(&a, gm->ost);
    if (gather) {
        CLRS_KARG(&a, gm->k3);
        CLRS_KARG(&a, gm->s3);
        CLRS_KARG(&a, gm->p3);
        CLRS_KARG(&a, gm->ord);
    }
    st = a.st;
    if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 3, g, nwait, wait, ev);
    if (k != NULL) clReleaseKernel(k);
    return st;
}

/* Gather: each output element finds its input, no write conflicts. */
static clrs_status gather_launch(clrs_context *ctx, const unpool_geom *gm, cl_command_queue q, cl_event checked,
                                 cl_event *ev)
{
    size_t g[3];
    clrs__iter_grid(&gm->osz, gm->ord, g);
    return unpool_copy(ctx, gm, 1, g, q, 1, &checked, ev);
}

/* Scatter: zero the output, then one work-item per plane. */
static clrs_status scatter_launch(clrs_context *ctx, const unpool_geom *gm, cl_command_queue q, cl_event checked,
                                  cl_event *ev)
{
    clrs__dispatch_chosen("unpool", "zero");
    cl_kernel k = NULL;
    cl_event zeroed = NULL;
    clrs_status st = unpool_kernel(ctx, gm, "clrs_unpool_zero", &k);
    if (st != CLRS_OK) return st;
    cl_long doff = gm->t[2].desc.offset;
    clrs_kargs a = clrs__kargs(ctx, k);
    CLRS_KARG(&a, gm->t[2].mem);
    CLRS_KARG(&a, doff);
    CLRS_KARG(&a, gm->osz);
    CLRS_KARG(&a, gm->ost);
    CLRS_KARG(&a, gm->ord);
    st = a.st;
    size_t g[3];
    clrs__iter_grid(&gm->osz, gm->ord, g);
    if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 3, g, 1, &checked, &zeroed);
    if (k != NULL) clReleaseKernel(k);
    const size_t gp[3] = {(size_t)gm->isz.s[1], (size_t)gm->isz.s[0], 1};
    if (st == CLRS_OK) st = unpool_copy(ctx, gm, 0, gp, q, 1, &zeroed, ev);
    if (zeroed) clReleaseEvent(zeroed);
    return st;
}

typedef struct unpool_impl {
    clrs_impl impl;
    clrs_status (*launch)(clrs_context *ctx, const unpool_geom *gm, cl_command_queue q, cl_event checked, cl_event *ev);
} unpool_impl;

/* In order; the last accepts everything. Both give the same bits. */
static const unpool_impl UNPOOL_IMPLS[] = {
    {{"gather", CLRS_IMPL_EXACT, gather_decline}, gather_launch},
    {{"scatter", 0, NULL}, scatter_launch},
};
CLRS_IMPL_LIST(clrs__impls_unpool, "unpool", UNPOOL_IMPLS);

/* The index check (range, and whether each index lies in its own window)
 * into flags[0], flags[1]. */
static clrs_status unpool_check(clrs_context *ctx, const unpool_geom *gm, cl_mem fm, cl_int windowed,
                                cl_command_queue q, cl_uint nwait, const cl_event *wait, cl_event *checked)
{
    clrs__dispatch_chosen("unpool", "check");
    cl_kernel k = NULL;
    clrs_status st = unpool_kernel(ctx, gm, "clrs_unpool_check", &k);
    if (st != CLRS_OK) return st;
    cl_long xoff = gm->t[1].desc.offset;
    clrs_kargs a = clrs__kargs(ctx, k);
    CLRS_KARG(&a, gm->t[1].mem);
    CLRS_KARG(&a, xoff);
    CLRS_KARG(&a, gm->xsz);
    CLRS_KARG(&a, gm->xst);
    CLRS_KARG(&a, gm->o3);
    CLRS_KARG(&a, gm->k3);
    CLRS_KARG(&a, gm->s3);
    CLRS_KARG(&a, gm->p3);
    CLRS_KARG(&a, windowed);
    CLRS_KARG(&a, fm);
    st = a.st;
    const size_t g[3] = {(size_t)gm->xsz.s[4], (size_t)gm->xsz.s[3],
                         (size_t)(gm->xsz.s[2] * gm->xsz.s[1] * gm->xsz.s[0])};
    if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 3, g, nwait, wait, checked);
    if (k != NULL) clReleaseKernel(k);
    return st;
}

static clrs_status unpool_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                                  cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    (void)nt;
    const unpool_plan *plan = op;
    const int dry = clrs__dry_run(); /* no kernel runs: nothing to read back, no index to find */
    /* an empty output (PyTorch: e.g. a default size (in-1)*s - 2p + k of 0)
     * is returned without looking at the indices, as PyTorch does */
    if (plan->numel_in == 0 || plan->numel_out == 0) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    const int64_t plane_out = plan->out3[0] * plan->out3[1] * plan->out3[2]; /* fits: numel_out was checked */
    if (plane_out == 0)
        return dry ? clrs__enqueue_marker(ctx, q, nwait, wait, ev) : unpool_bad_index(ctx, plan, &t[1], q, nwait, wait);
    unpool_geom gm;
    gm.t = t;
    gm.elem = clrs__elem_type(clrs_dtype_size(t[0].desc.dtype));
    clrs__iter_ncdhw(&t[0].desc, &gm.isz, &gm.ist);
    clrs__iter_ncdhw(&t[1].desc, &gm.xsz, &gm.xst);
    clrs__iter_ncdhw(&t[2].desc, &gm.osz, &gm.ost);
    gm.o3 = clrs__long4_of(plan->out3);
    gm.k3 = clrs__long4_of(plan->k3);
    gm.s3 = clrs__long4_of(plan->s3);
    gm.p3 = clrs__long4_of(plan->p3);
    gm.ord = clrs__iter_channels_last(&t[2].desc);
    unpool_problem pb = {plan, plan->s3[0] > 0 && plan->s3[1] > 0 && plan->s3[2] > 0, 0, gm.isz.s[0] * gm.isz.s[1]};

    cl_int e;
    cl_int flags[2] = {0, 0};
    cl_mem fm = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof flags, flags, &e);
    if (e != CL_SUCCESS) return clrs__fail_cl(ctx, e, "clCreateBuffer (unpool flags)");
    cl_event checked = NULL;
    clrs_status st = unpool_check(ctx, &gm, fm, pb.windowed, q, nwait, wait, &checked);
    /* An invalid index must be reported as a status, so the flags are read
     * back here (this waits for the wait list and the check). A dry run
     * decides as if every index were valid and in its window. */
    if (st == CLRS_OK && !dry) {
        e = clEnqueueReadBuffer(q, fm, CL_TRUE, 0, sizeof flags, flags, 1, &checked, NULL);
        if (e != CL_SUCCESS) st = clrs__fail_cl(ctx, e, "clEnqueueReadBuffer (unpool flags)");
    }
    if (st == CLRS_OK && flags[0]) st = unpool_bad_index(ctx, plan, &t[1], q, 1, &checked);
    pb.unwindowed_index = flags[1] != 0;
    if (st == CLRS_OK) {
        int i = CLRS_PICK(ctx, "unpool", UNPOOL_IMPLS, &pb);
        st = i < 0 ? CLRS_ERR_INTERNAL : UNPOOL_IMPLS[i].launch(ctx, &gm, q, checked, ev);
    }
    if (checked) clReleaseEvent(checked);
    clReleaseMemObject(fm);
    return st;
}

static clrs_status unpool_prepare(clrs_context *ctx, const clrs_unpool_params *p, const clrs_tensor_desc *in,
                                  const clrs_tensor_desc *indices, const clrs_tensor_desc *out, unpool_plan *plan)
{
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "max_unpool: ctx is NULL");
    CLRS_FORWARD(unpool_plan_make(ctx, in, p, plan));
    CLRS_FORWARD(clrs__check_desc(ctx, indices, "indices", 0));
    if (indices->dtype != CLRS_I64)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "max_unpool: indices must be i64, got %s",
                          clrs_dtype_name(indices->dtype));
    if (indices->rank != in->rank || !clrs__desc_same_sizes(indices, in->sizes)) {
        char a[128], b[128];
        clrs__format_sizes(a, sizeof a, indices->rank, indices->sizes);
        clrs__format_sizes(b, sizeof b, in->rank, in->sizes);
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                          "max_unpool: Expected shape of indices to be same as that of the input tensor %s but got "
                          "indices tensor with shape %s",
                          b, a);
    }
    CLRS_FORWARD(clrs__check_output(ctx, "max_unpool", out, in->rank, plan->out_sizes, in->dtype));
    return CLRS_OK;
}

clrs_status clrs_max_unpool(clrs_context *ctx, const clrs_unpool_params *p, const clrs_tensor_desc *in,
                            const void *in_data, const clrs_tensor_desc *indices, const void *idx_data,
                            const clrs_tensor_desc *out, void *out_data)
{
    clrs__clear_error(ctx);
    unpool_plan plan;
    CLRS_FORWARD(unpool_prepare(ctx, p, in, indices, out, &plan));
    if (plan.numel_in > 0 && (in_data == NULL || idx_data == NULL || (plan.numel_out > 0 && out_data == NULL)))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "max_unpool: %s data pointer is NULL",
                          in_data == NULL ? "input" : idx_data == NULL ? "indices" : "output");
    clrs_host_tensor ht[3] = {{in, in_data, 0}, {indices, idx_data, 0}, {out, out_data, 1}};
    return clrs__host_call(ctx, &plan, ht, 3, unpool_enqueue);
}

clrs_status clrs_max_unpool_cl(clrs_context *ctx, const clrs_unpool_params *p, const clrs_tensor_desc *in,
                               cl_mem in_mem, const clrs_tensor_desc *indices, cl_mem idx_mem,
                               const clrs_tensor_desc *out, cl_mem out_mem, cl_command_queue queue,
                               cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    clrs__clear_error(ctx);
    unpool_plan plan;
    CLRS_FORWARD(unpool_prepare(ctx, p, in, indices, out, &plan));
    clrs_targ t[3] = {{*in, in_mem, 0}, {*indices, idx_mem, 0}, {*out, out_mem, 1}};
    return clrs__cl_call(ctx, &plan, t, 3, queue, num_wait, wait_list, event, unpool_enqueue);
}

/* ---- backward ------------------------------------------------------------ */
/* torch's autograd of max_unpool is max_pool_double_backward: a gather,
 * grad_in[n, c, j] = grad_out[n, c, indices[n, c, j]]. One work-item per
 * grad_in element copies one grad_out element's bits ("unpool_backward/
 * gather"): bit-exact, deterministic, nothing written twice. The indices
 * are first checked on the device by the forward's "unpool/check". */

/* One implementation; its own family so that --explain and the coverage
 * of tests/test_robust name it. */
static const clrs_impl UNPOOL_BW_IMPLS[] = {
    {"gather", 0, NULL},
};
CLRS_IMPL_LIST(clrs__impls_unpool_backward, "unpool_backward", UNPOOL_BW_IMPLS);

/* t[0]: grad_in (the forward input's sizes), t[1]: indices, t[2]: grad_out
 * (the forward output's sizes): the forward's order, so that the check and
 * its error message are the forward's. */
static clrs_status unpool_bw_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                                     cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    (void)nt;
    const unpool_plan *plan = op;
    const int dry = clrs__dry_run();
    if (plan->numel_in == 0) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    const int64_t plane_out = plan->out3[0] * plan->out3[1] * plan->out3[2];
    /* an empty output plane: every index is out of range (torch's gather
     * fails there too, although the forward returned an empty tensor) */
    if (plane_out == 0)
        return dry ? clrs__enqueue_marker(ctx, q, nwait, wait, ev) : unpool_bad_index(ctx, plan, &t[1], q, nwait, wait);
    unpool_geom gm;
    memset(&gm, 0, sizeof gm);
    gm.t = t;
    gm.elem = clrs__elem_type(clrs_dtype_size(t[0].desc.dtype));
    clrs__iter_ncdhw(&t[0].desc, &gm.isz, &gm.ist);
    clrs__iter_ncdhw(&t[1].desc, &gm.xsz, &gm.xst);
    clrs__iter_ncdhw(&t[2].desc, &gm.osz, &gm.ost);
    gm.o3 = clrs__long4_of(plan->out3);
    gm.k3 = clrs__long4_of(plan->k3);
    gm.s3 = clrs__long4_of(plan->s3);
    gm.p3 = clrs__long4_of(plan->p3);
    gm.ord = clrs__iter_channels_last(&t[0].desc);

    cl_int e;
    cl_int flags[2] = {0, 0};
    cl_mem fm = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof flags, flags, &e);
    if (e != CL_SUCCESS) return clrs__fail_cl(ctx, e, "clCreateBuffer (unpool flags)");
    cl_event checked = NULL;
    clrs_status st = unpool_check(ctx, &gm, fm, 0, q, nwait, wait, &checked);
    if (st == CLRS_OK && !dry) {
        e = clEnqueueReadBuffer(q, fm, CL_TRUE, 0, sizeof flags, flags, 1, &checked, NULL);
        if (e != CL_SUCCESS) st = clrs__fail_cl(ctx, e, "clEnqueueReadBuffer (unpool flags)");
    }
    if (st == CLRS_OK && flags[0]) st = unpool_bad_index(ctx, plan, &t[1], q, 1, &checked);
    if (st == CLRS_OK && CLRS_PICK(ctx, "unpool_backward", UNPOOL_BW_IMPLS, plan) < 0) st = CLRS_ERR_INTERNAL;
    cl_kernel k = NULL;
    if (st == CLRS_OK) st = unpool_kernel(ctx, &gm, "clrs_unpool_backward", &k);
    if (st == CLRS_OK) {
        cl_long gooff = t[2].desc.offset, xoff = t[1].desc.offset, gioff = t[0].desc.offset;
        clrs_kargs a = clrs__kargs(ctx, k);
        CLRS_KARG(&a, t[2].mem);
        CLRS_KARG(&a, gooff);
        CLRS_KARG(&a, t[1].mem);
        CLRS_KARG(&a, xoff);
        CLRS_KARG(&a, t[0].mem);
        CLRS_KARG(&a, gioff);
        CLRS_KARG(&a, gm.isz);
        CLRS_KARG(&a, gm.ist);
        CLRS_KARG(&a, gm.xst);
        CLRS_KARG(&a, gm.o3);
        CLRS_KARG(&a, gm.ost);
        CLRS_KARG(&a, gm.ord);
        st = a.st;
        size_t g[3];
        clrs__iter_grid(&gm.isz, gm.ord, g);
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 3, g, 1, &checked, ev);
    }
    if (k != NULL) clReleaseKernel(k);
    if (checked) clReleaseEvent(checked);
    clReleaseMemObject(fm);
    return st;
}

static clrs_status unpool_bw_prepare(clrs_context *ctx, const clrs_unpool_params *p, const clrs_tensor_desc *indices,
                                     const clrs_tensor_desc *grad_out, const clrs_tensor_desc *grad_in,
                                     unpool_plan *plan)
{
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "max_unpool backward: ctx is NULL");
    CLRS_FORWARD(clrs__check_desc(ctx, grad_in, "grad_input", 1));
    CLRS_FORWARD(unpool_plan_make(ctx, grad_in, p, plan)); /* grad_in has the forward input's sizes */
    CLRS_FORWARD(clrs__check_desc(ctx, indices, "indices", 0));
    if (indices->dtype != CLRS_I64)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "max_unpool backward: indices must be i64, got %s",
                          clrs_dtype_name(indices->dtype));
    if (indices->rank != grad_in->rank || !clrs__desc_same_sizes(indices, grad_in->sizes)) {
        char a[128], b[128];
        clrs__format_sizes(a, sizeof a, indices->rank, indices->sizes);
        clrs__format_sizes(b, sizeof b, grad_in->rank, grad_in->sizes);
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                          "max_unpool backward: indices have shape %s but grad_input (the forward input) has %s", a, b);
    }
    return clrs__check_grads(ctx, "max_unpool backward", grad_out, grad_in, grad_in->rank, plan->out_sizes);
}

clrs_status clrs_max_unpool_backward(clrs_context *ctx, const clrs_unpool_params *p, const clrs_tensor_desc *indices,
                                     const void *idx_data, const clrs_tensor_desc *grad_out, const void *go_data,
                                     const clrs_tensor_desc *grad_in, void *gi_data)
{
    clrs__clear_error(ctx);
    unpool_plan plan;
    CLRS_FORWARD(unpool_bw_prepare(ctx, p, indices, grad_out, grad_in, &plan));
    if (plan.numel_in > 0 && (gi_data == NULL || idx_data == NULL || (plan.numel_out > 0 && go_data == NULL)))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "max_unpool backward: %s data pointer is NULL",
                          gi_data == NULL ? "grad_input" : idx_data == NULL ? "indices" : "grad_output");
    clrs_host_tensor ht[3] = {{grad_in, gi_data, 1}, {indices, idx_data, 0}, {grad_out, go_data, 0}};
    return clrs__host_call(ctx, &plan, ht, 3, unpool_bw_enqueue);
}

clrs_status clrs_max_unpool_backward_cl(clrs_context *ctx, const clrs_unpool_params *p,
                                        const clrs_tensor_desc *indices, cl_mem idx_mem,
                                        const clrs_tensor_desc *grad_out, cl_mem go_mem,
                                        const clrs_tensor_desc *grad_in, cl_mem gi_mem, cl_command_queue queue,
                                        cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    clrs__clear_error(ctx);
    unpool_plan plan;
    CLRS_FORWARD(unpool_bw_prepare(ctx, p, indices, grad_out, grad_in, &plan));
    clrs_targ t[3] = {{*grad_in, gi_mem, 1}, {*indices, idx_mem, 0}, {*grad_out, go_mem, 0}};
    return clrs__cl_call(ctx, &plan, t, 3, queue, num_wait, wait_list, event, unpool_bw_enqueue);
}
