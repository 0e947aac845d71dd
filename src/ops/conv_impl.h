/* SPDX-License-Identifier: MIT */
/* Shared by the convolution sources (src/ops/conv.c: shape rules, the
 * implementation lists, the general kernels; src/ops/conv_win.c: the
 * depthwise window form; src/ops/onnx_conv.c: the ONNX front-end). Not
 * exported. */
#ifndef CLRS_CONV_IMPL_H
#define CLRS_CONV_IMPL_H

#include "pool_impl.h"
#include "clresample/cl_interop.h"

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

/* conv.c's entry for the ONNX front-end: PyTorch's convolution plan with
 * explicit begin/end pads per spatial axis instead of clrs_conv_params'
 * symmetric padding. */
typedef struct clrs__conv_pads {
    /* per spatial axis, first spatial axis first. conv: >= 0;
     * conv_transpose: any sign (ONNX's output_shape can make them negative):
     * the output size is (in-1)*stride - begin - end + dilation*(k-1) +
     * output_padding + 1 and the gather starts at -begin. */
    int64_t begin[3], end[3];
} clrs__conv_pads;

/* p: stride, dilation, groups, output_padding (transposed) as PyTorch's
 * calls take them; its padding is ignored (padding_kind must be explicit). */
clrs_status clrs__conv_pads_output_shape(clrs_context *ctx, const clrs_conv_params *p, const clrs__conv_pads *pads,
                                         const clrs_tensor_desc *in, const clrs_tensor_desc *w, int transposed,
                                         int64_t out_sizes[CLRS_MAX_RANK]);
clrs_status clrs__conv_pads_host(clrs_context *ctx, const clrs_conv_params *p, const clrs__conv_pads *pads,
                                 const clrs_tensor_desc *in, const void *in_data, const clrs_tensor_desc *w,
                                 const void *w_data, const clrs_tensor_desc *bias, const void *b_data,
                                 const clrs_tensor_desc *out, void *out_data, int transposed);
clrs_status clrs__conv_pads_cl(clrs_context *ctx, const clrs_conv_params *p, const clrs__conv_pads *pads,
                               const clrs_tensor_desc *in, cl_mem in_mem, const clrs_tensor_desc *w, cl_mem w_mem,
                               const clrs_tensor_desc *bias, cl_mem b_mem, const clrs_tensor_desc *out, cl_mem out_mem,
                               cl_command_queue queue, cl_uint num_wait, const cl_event *wait_list, cl_event *event,
                               int transposed);
#endif
