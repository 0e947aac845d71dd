/* SPDX-License-Identifier: MIT */
/* "conv/clblast": dense convolution as im2col (our kernel, cl/conv_gemm.cl)
 * + CLBlast's GEMM + an epilogue (bias, output strides and type), on the
 * context's OpenCL context and the call's queue. Compiled only with
 * HAVE_CLBLAST (configure --with-clblast). src/ops/conv.c fills the problem
 * from its plan. */
#ifndef CLRS_CONV_CLBLAST_H
#define CLRS_CONV_CLBLAST_H

#include "internal.h"

typedef struct clrs_conv_gemm {
    int has_bias, pmode;
    int64_t groups, N, cin, cout;
    int64_t k3[3], s3[3], pl3[3], d3[3], in3[3], o3[3]; /* (D, H, W); absent axes 1 (pads 0) */
} clrs_conv_gemm;

/* 0 when conv/clblast takes the problem, else nonzero and why. */
int clrs__conv_clblast_decline(const clrs_context *ctx, const clrs_conv_gemm *g, char *why, size_t len);
/* t[0] input, t[1] output, t[2] weight, t[3] bias (nt == 4 and has_bias). */
clrs_status clrs__conv_clblast_enqueue(clrs_context *ctx, const clrs_conv_gemm *g, clrs_targ *t, int nt,
                                       cl_command_queue q, cl_uint nwait, const cl_event *wait, cl_event *ev);
/* "conv_transpose/clblast": the same problem for a transposed convolution
 * (cin, cout: all channels; in3 the input's, o3 the output's sizes; pl3 the
 * begin padding): a GEMM per group into columns, then a col2im gather. */
int clrs__convt_clblast_decline(const clrs_context *ctx, const clrs_conv_gemm *g, char *why, size_t len);
clrs_status clrs__convt_clblast_enqueue(clrs_context *ctx, const clrs_conv_gemm *g, clrs_targ *t, int nt,
                                        cl_command_queue q, cl_uint nwait, const cl_event *wait, cl_event *ev);
/* At clrs_context_release: CLBlast's caches let go of ctx's programs
 * (nothing when ctx never ran conv/clblast). */
void clrs__conv_clblast_release(clrs_context *ctx);

#endif /* CLRS_CONV_CLBLAST_H */
