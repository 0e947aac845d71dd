/* SPDX-License-Identifier: MIT */
/* The launch layer every operator family shares (src/launch.c): kernel
 * arguments set in order with the first failure kept (clrs_kargs), and the
 * work-group sizing driven by the context's tuning (ctx->tune) and the
 * device's and the built kernel's limits. The enqueue primitives themselves
 * (clrs__enqueue_kernel, clrs__enqueue_kernel_local, clrs__set_arg) are
 * declared in internal.h and live in launch.c too.
 *
 * Dry runs (src/dispatch.h): a NULL kernel is accepted by clrs__karg and
 * the enqueue functions; clrs__kernel_wg answers "unknown" for it, and every
 * caller then sizes as if the kernel allowed what it asked. */
#ifndef CLRS_LAUNCH_H
#define CLRS_LAUNCH_H

#include "internal.h"

/* ---- kernel arguments ----------------------------------------------------- */
/* Arguments 0, 1, 2, ... of kernel k: each clrs__karg sets the next one,
 * until one fails; a.st is then that failure (recorded by clrs__set_arg)
 * and the later ones do nothing.
 *
 *     clrs_kargs a = clrs__kargs(ctx, k);
 *     clrs__karg(&a, sizeof x, &x);
 *     ...
 *     st = a.st; */
typedef struct clrs_kargs {
    clrs_context *ctx;
    cl_kernel k;
    cl_uint i;      /* the next argument's index */
    clrs_status st; /* CLRS_OK or the first failure */
} clrs_kargs;

clrs_kargs clrs__kargs(clrs_context *ctx, cl_kernel k);
void clrs__karg(clrs_kargs *a, size_t size, const void *val);
/* An accumulator-typed argument: a double where f64, else a float. */
void clrs__karg_acc(clrs_kargs *a, int f64, double v);
/* The argument v (an lvalue) by its own size. */
#define CLRS_KARG(a, v) clrs__karg((a), sizeof(v), &(v))

/* ---- work-group sizing ---------------------------------------------------- */
/* want, halved (down to 1) while above the device's work-group limit. */
size_t clrs__wg_fit(const clrs_context *ctx, size_t want);
/* The built kernel's work-group limit (CL_KERNEL_WORK_GROUP_SIZE) into
 * *kmax: 1, or 0 (*kmax untouched) when k is NULL (a dry run) or the query
 * fails. */
int clrs__kernel_wg(const clrs_context *ctx, cl_kernel k, size_t *kmax);
/* Rows of dim 1 that join a work-group of lx items along dim 0: the largest
 * power of two with at most cap items in all and within kmax; where
 * `divide`, also dividing g1 (kernels with no guard along dim 1). */
size_t clrs__wg_rows(size_t lx, size_t g1, size_t cap, size_t kmax, int divide);
/* A work-group along x of at most `want` (tuning, fitted to the device) for
 * a dim 0 of n0 items: a divisor of n0 of at least 8 where one exists
 * (*exact = 1: the kernel needs no guard along x), else (*exact = 0) one
 * rounded-up group of 16s spanning a short row, or 16 for a long one. */
size_t clrs__wg_x(const clrs_context *ctx, size_t want, int64_t n0, int *exact);
/* Enqueue a 3-D kernel with work-group (lx, ly, 1): lx halved while the
 * built kernel allows less (a power-of-two divisor of an exact lx still
 * divides g[0]); where one group spans g[0] and lx < 256, ly rows of g[1]
 * join it (clrs__wg_rows, dividing g[1]) up to rows_cap items, else ly = 1. */
clrs_status clrs__enqueue_rows(clrs_context *ctx, cl_command_queue q, cl_kernel k, const size_t g[3], size_t lx,
                               size_t rows_cap, cl_uint nwait, const cl_event *wait, cl_event *ev);

#endif /* CLRS_LAUNCH_H */
