/* SPDX-License-Identifier: MIT */
/* What the pooling family's files share (pool.c, pool_win.c, unpool.c,
 * pixel_shuffle.c) beyond the geometry (geometry.h) and launch (launch.h)
 * layers every family uses: the pooling problem every implementation of
 * "pool" is chosen for, and the window forms' entries (pool_win.c) that
 * pool.c's list names. */
#ifndef CLRS_POOL_IMPL_H
#define CLRS_POOL_IMPL_H

#include <string.h>

#include "../dispatch.h"
#include "../internal.h"
#include "../launch.h"
#include "geometry.h"
#include "ops.h"

/* Kernel algorithm codes (A_* in cl/pool_common.cl). */
enum { A_MAX = 0, A_AVG = 1, A_LP = 2, A_AAVG = 3, A_AMAX = 4, A_FMAX = 5 };

static inline const char *clrs__pool_axis_name(int a)
{
    return a == 0 ? "depth" : a == 1 ? "height" : "width";
}

static inline cl_long4 clrs__long4_of(const int64_t v[3])
{
    cl_long4 r;
    memset(&r, 0, sizeof r);
    for (int a = 0; a < 3; a++) r.s[a] = v[a];
    return r;
}

/* The OpenCL type of an element of es bytes (unpool, pixel shuffle: bits). */
static inline const char *clrs__elem_type(size_t es)
{
    switch (es) {
    case 1: return "uchar";
    case 2: return "ushort";
    case 4: return "uint";
    default: return "ulong";
    }
}

/* The queue side of a launch. */
typedef struct clrs_pool_queue {
    cl_command_queue q;
    cl_uint nwait;
    const cl_event *wait;
    cl_event *ev;
} clrs_pool_queue;

/* The one way the family's launches get a kernel: program `program`
 * (kernels.c), the -D items of `o` (taken and freed), plus correctly rounded
 * float division and sqrt where the device offers it and `exact_div` asks
 * for it (torch's f32 avg is sum / divisor, IEEE). In a dry run *k is NULL. */
clrs_status clrs__pool_get_kernel(clrs_context *ctx, const char *program, clrs_opts *o, int exact_div,
                                  const char *kernel, cl_kernel *k);
/* The DTYPE_* define of a pooling dtype, NULL for others. */
const char *clrs__pool_dtype_define(clrs_dtype dt);
/* Spatial list parameter into the 3-axis (D, H, W) form (pool.c). */
clrs_status clrs__pool_list3(const clrs_context *ctx, const char *op, const char *what, int n, const int64_t *v,
                             int sp, int allow0, int64_t dflt, int64_t lead, int64_t out3[3]);
void clrs__pool_fmt_list(char *buf, size_t len, int sp, const int64_t *v3, const char *sep);

/* ---- the pooling problem ("pool" implementations decide on it) ---------- */
typedef struct clrs_pool_problem {
    const clrs_pool_plan *plan;
    clrs_targ *t;
    int nt;
    const clrs_tensor_desc *in, *out;
    int with_idx, algo, xform, ovf16;
    cl_long8 isz, ist, osz, ost, xst;
    int64_t kvol, plane_in; /* window volume (saturated), input plane */
    double pw_e, ipw_e;     /* LP exponents and their pow codes */
    int pw_code, ipw_code;
} clrs_pool_problem;

typedef struct clrs_pool_impl {
    clrs_impl impl;
    clrs_status (*launch)(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu);
} clrs_pool_impl;

/* The window forms (pool_win.c). */
int clrs__pool_win_pc_decline(const clrs_context *ctx, const void *problem, char *why, size_t len);
int clrs__pool_win_decline(const clrs_context *ctx, const void *problem, char *why, size_t len);
int clrs__pool_aavg_cl_pc_decline(const clrs_context *ctx, const void *problem, char *why, size_t len);
int clrs__pool_aavg_cl_decline(const clrs_context *ctx, const void *problem, char *why, size_t len);
int clrs__pool_aavg_row_decline(const clrs_context *ctx, const void *problem, char *why, size_t len);
clrs_status clrs__pool_win_pc_launch(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu);
clrs_status clrs__pool_win_launch(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu);
clrs_status clrs__pool_aavg_cl_pc_launch(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu);
clrs_status clrs__pool_aavg_cl_launch(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu);
clrs_status clrs__pool_aavg_row_launch(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu);

#endif /* CLRS_POOL_IMPL_H */
