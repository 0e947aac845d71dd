/* SPDX-License-Identifier: MIT */
/* The launch layer (src/launch.h): kernel arguments, work-group sizing
 * from the context's tuning, and the enqueue primitives every operator
 * family uses. */
#include <stdio.h>

#include "dispatch.h"
#include "launch.h"

/* ---- enqueue helpers ---------------------------------------------------- */
clrs_status clrs__set_arg(clrs_context *ctx, cl_kernel k, cl_uint idx, size_t size, const void *val)
{
    if (k == NULL && clrs__dry_run()) return CLRS_OK;
    cl_int e = clSetKernelArg(k, idx, size, val);
    if (e != CL_SUCCESS) {
        char what[64];
        snprintf(what, sizeof what, "clSetKernelArg(%u)", idx);
        return clrs__fail_cl(ctx, e, what);
    }
    return CLRS_OK;
}

clrs_status clrs__enqueue_kernel(clrs_context *ctx, cl_command_queue q, cl_kernel k, int dims,
                                 const size_t *gsize, cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    return clrs__enqueue_kernel_local(ctx, q, k, dims, gsize, NULL, nwait, wait, ev);
}

clrs_status clrs__enqueue_kernel_local(clrs_context *ctx, cl_command_queue q, cl_kernel k, int dims,
                                       const size_t *gsize, const size_t *lsize, cl_uint nwait,
                                       const cl_event *wait, cl_event *ev)
{
    size_t g[3] = {1, 1, 1}, l[3] = {1, 1, 1};
    /* x is the contiguous axis. A fixed local size (x only) keeps PoCL from
     * compiling a new work-group function for every grid shape; the global
     * size is rounded up and the kernels guard (the tuning table's lx). An explicit lsize (a kernel's own work-group shape) is
     * used as given, each global size rounded up to a multiple of it. */
    if (k == NULL && clrs__dry_run()) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    for (int i = 0; i < dims; i++) g[i] = gsize[i] ? gsize[i] : 1;
    if (lsize != NULL) {
        for (int i = 0; i < dims; i++) l[i] = lsize[i] ? lsize[i] : 1;
        /* the device's extent per dimension (OpenCL 1.2 lets a device
         * report e.g. 1024 x 1 x 1): the callers' y and z sizes are powers
         * of two dividing their global sizes, so halving keeps that */
        for (int i = 1; i < dims; i++)
            while (l[i] > ctx->max_item[i] && l[i] > 1) l[i] >>= 1;
    } else {
        l[0] = clrs__wg_fit(ctx, (size_t)ctx->tune.v.lx);
    }
    for (int i = 0; i < dims; i++) g[i] = (g[i] + l[i] - 1) / l[i] * l[i];
    cl_int e = clEnqueueNDRangeKernel(q, k, (cl_uint)dims, NULL, g, l, nwait, wait, ev);
    if (e != CL_SUCCESS) return clrs__fail_cl(ctx, e, "clEnqueueNDRangeKernel");
    return CLRS_OK;
}

clrs_status clrs__enqueue_marker(clrs_context *ctx, cl_command_queue q, cl_uint nwait, const cl_event *wait,
                                 cl_event *ev)
{
    if (ev == NULL && nwait == 0) return CLRS_OK;
    cl_int e = clEnqueueMarkerWithWaitList(q, nwait, wait, ev);
    if (e != CL_SUCCESS) return clrs__fail_cl(ctx, e, "clEnqueueMarkerWithWaitList");
    return CLRS_OK;
}

/* ---- kernel arguments ----------------------------------------------------- */
clrs_kargs clrs__kargs(clrs_context *ctx, cl_kernel k)
{
    clrs_kargs a = {ctx, k, 0, CLRS_OK};
    return a;
}

void clrs__karg(clrs_kargs *a, size_t size, const void *val)
{
    if (a->st == CLRS_OK) a->st = clrs__set_arg(a->ctx, a->k, a->i++, size, val);
}

void clrs__karg_acc(clrs_kargs *a, int f64, double v)
{
    if (f64) {
        cl_double d = v;
        clrs__karg(a, sizeof d, &d);
    } else {
        cl_float f = (cl_float)v;
        clrs__karg(a, sizeof f, &f);
    }
}

/* ---- work-group sizing ---------------------------------------------------- */
size_t clrs__wg_fit(const clrs_context *ctx, size_t want)
{
    while (want > ctx->max_wg && want > 1) want >>= 1;
    return want;
}

int clrs__kernel_wg(const clrs_context *ctx, cl_kernel k, size_t *kmax)
{
    return k != NULL &&
           clGetKernelWorkGroupInfo(k, ctx->dev, CL_KERNEL_WORK_GROUP_SIZE, sizeof *kmax, kmax, NULL) == CL_SUCCESS;
}

size_t clrs__wg_rows(size_t lx, size_t g1, size_t cap, size_t kmax, int divide)
{
    size_t ly = 1;
    while (lx * ly * 2 <= cap && lx * ly * 2 <= kmax && (!divide || g1 % (ly * 2) == 0)) ly *= 2;
    return ly;
}

size_t clrs__wg_x(const clrs_context *ctx, size_t want, int64_t n0, int *exact)
{
    size_t lx = clrs__wg_fit(ctx, want);
    for (size_t l = lx; l >= 8; l >>= 1)
        if (n0 % (int64_t)l == 0) {
            *exact = 1;
            return l;
        }
    *exact = 0;
    /* a row of at most lx: one guarded group (rounded up to 16) spans it
     * and clrs__enqueue_rows adds rows (faster than groups of 16 per row);
     * longer rows: groups of 16 */
    if (n0 <= (int64_t)lx) {
        size_t r = (size_t)((n0 + 15) / 16 * 16);
        return r < lx ? r : lx;
    }
    return lx < 16 ? lx : 16;
}

clrs_status clrs__enqueue_rows(clrs_context *ctx, cl_command_queue q, cl_kernel k, const size_t g[3], size_t lx,
                               size_t rows_cap, cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    size_t kmax = 0;
    if (clrs__kernel_wg(ctx, k, &kmax))
        while (lx > kmax && lx > 1) lx >>= 1;
    else
        kmax = lx;
    /* when one group spans dim 0 (a short dim 0: channels-last channels,
     * short rows), rows of dim 1 join it, up to rows_cap items: PoCL
     * vectorises its innermost work-item loop (x) and runs y around it, so
     * the kernels' per-row values stay scalar, while a group of 16 or 64
     * items cost more in scheduling than in work. Not when dim 0 alone
     * fills a group of 256 (measured slower). */
    const size_t ly = lx >= g[0] && lx < 256 ? clrs__wg_rows(lx, g[1], rows_cap, kmax, 1) : 1;
    size_t lsz[3] = {lx, ly, 1};
    return clrs__enqueue_kernel_local(ctx, q, k, 3, g, lsz, nwait, wait, ev);
}
