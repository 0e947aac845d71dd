/* SPDX-License-Identifier: MIT */
/* Shared by the convolution sources (src/ops/conv.c: shape rules, the
 * implementation lists, the general kernels; src/ops/conv_win.c: the
 * depthwise window form). */
#ifndef CLRS_CONV_IMPL_H
#define CLRS_CONV_IMPL_H

#include "pool_impl.h"

/* A checked convolution: per axis (D, H, W) in [0..2], axes a model of
 * lower rank lacks have size 1, stride 1, no padding. */
typedef struct conv_plan {
    int transposed, sp, has_bias;
    clrs_conv_padding_mode pmode;
    int64_t groups, cin_g, cout_g;
    int64_t s3[3], pl3[3], pr3[3], d3[3], op3[3], k3[3], in3[3];
    int64_t out_sizes[CLRS_MAX_RANK];
    int64_t numel_out;
} conv_plan;

/* "conv/depthwise_win" (src/ops/conv_win.c): decline() on a conv_plan, and
 * the launch (t[0] input, t[1] output, t[2] weight, t[3] bias if nt == 4). */
int clrs__conv_dww_decline(const clrs_context *ctx, const void *problem, char *why, size_t len);
clrs_status clrs__conv_dww_enqueue(clrs_context *ctx, const conv_plan *plan, clrs_targ *t, int nt,
                                   cl_command_queue q, cl_uint nwait, const cl_event *wait, cl_event *ev);

#endif
