/* SPDX-License-Identifier: MIT */
/* conv.c's entry for the ONNX front-end (src/ops/onnx_conv.c): PyTorch's
 * convolution plan with explicit begin/end pads per spatial axis instead
 * of clrs_conv_params' symmetric padding. Not exported. */
#ifndef CLRS_CONV_IMPL_H
#define CLRS_CONV_IMPL_H
#include "clresample.h"
#include "clresample/cl_interop.h"

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
