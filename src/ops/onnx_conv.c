/* SPDX-License-Identifier: MIT */
/* ONNX's Conv and ConvTranspose (include/clresample/onnx.h), as the ONNX
 * operator docs and onnx.reference define them. Only the host plan is new:
 * ONNX's attributes (auto_pad, asymmetric pads, output_shape, kernel_shape)
 * become begin/end pads per spatial axis, and conv.c's plan runs them with
 * the kernels of clrs_conv / clrs_conv_transpose (conv_impl.h). Conv's
 * kernel reads pads per side already; the transposed kernel is a gather
 * that starts at -begin, and its output size comes from the descriptor, so
 * asymmetric and negative (output_shape larger than the natural size)
 * pads need no kernel change. */
#include <stdio.h>
#include <string.h>

#include <clresample/onnx.h>

#include "conv_impl.h"
#include "pool_impl.h"

void clrs_onnx_conv_params_init(clrs_onnx_conv_params *p)
{
    if (p == NULL) return;
    memset(p, 0, sizeof *p);
    p->struct_size = sizeof *p;
    p->auto_pad = CLRS_ONNX_NOTSET;
    p->group = 1;
}

static int64_t floor_div2(int64_t x)
{
    return x >= 0 ? x / 2 : -((-x + 1) / 2);
}

/* "(3, 3)" */
static void fmt_list(char *buf, size_t len, int n, const int64_t *v)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && off + 2 < len; i++) {
        int w = snprintf(buf + off, len - off, "%s%lld", i ? ", " : "(", (long long)v[i]);
        if (w < 0) return;
        off += (size_t)w;
    }
    if (off + 2 < len) snprintf(buf + off, len - off, n ? ")" : "()");
}

/* ONNX's attributes -> clrs_conv_params (stride, dilation, groups,
 * output_padding) and begin/end pads. */
static clrs_status onnx_conv_plan(clrs_context *ctx, const clrs_onnx_conv_params *p, const clrs_tensor_desc *x,
                                  const clrs_tensor_desc *w, int transposed, clrs_conv_params *cp,
                                  clrs__conv_pads *pads)
{
    const char *on = transposed ? "ConvTranspose" : "Conv";
    if (p == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s: params is NULL", on);
    if (p->struct_size != sizeof *p)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG,
                          "clrs_onnx_conv_params.struct_size is %zu, expected %zu (call clrs_onnx_conv_params_init)",
                          p->struct_size, sizeof *p);
    CLRS_FORWARD(clrs__check_desc(ctx, x, "X", 0));
    CLRS_FORWARD(clrs__check_desc(ctx, w, "W", 0));
    if (x->rank < 3 || x->rank > 5)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: X must have rank 3 to 5 (N, C, 1 to 3 spatial axes), got %d",
                          on, x->rank);
    const int sp = x->rank - 2;
    if (w->rank != x->rank)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: W must have X's rank %d, got %d", on, x->rank, w->rank);
    if ((unsigned)p->auto_pad > CLRS_ONNX_VALID)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: auto_pad %d is not a clrs_onnx_auto_pad", on, (int)p->auto_pad);
    const struct {
        const char *name;
        int n;
        int want;
    } lists[] = {{"kernel_shape", p->n_kernel_shape, sp}, {"strides", p->n_strides, sp},
                 {"pads", p->n_pads, 2 * sp},             {"dilations", p->n_dilations, sp},
                 {"output_padding", p->n_output_padding, sp}};
    for (size_t i = 0; i < CLRS_ARRAY_LEN(lists); i++)
        if (lists[i].n != 0 && lists[i].n != lists[i].want)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: %s has %d values, expected %d (X has %d spatial axes)", on,
                              lists[i].name, lists[i].n, lists[i].want, sp);
    if (!transposed && (p->n_output_padding != 0 || p->n_output_shape != 0))
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "Conv: %s is ConvTranspose's attribute",
                          p->n_output_padding ? "output_padding" : "output_shape");
    if (transposed && p->n_output_shape != 0 && p->n_output_shape != sp && p->n_output_shape != x->rank)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "ConvTranspose: output_shape has %d values, expected %d (or %d)",
                          p->n_output_shape, sp, x->rank);
    if (p->n_pads != 0 && p->auto_pad != CLRS_ONNX_NOTSET)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: pads cannot be given with auto_pad %s", on,
                          p->auto_pad == CLRS_ONNX_VALID        ? "VALID"
                          : p->auto_pad == CLRS_ONNX_SAME_UPPER ? "SAME_UPPER"
                                                                : "SAME_LOWER");
    if (p->group <= 0) return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: group must be > 0, got %lld", on, (long long)p->group);
    const int64_t C = x->sizes[1];
    if (C % p->group != 0)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: group %lld does not divide X's %lld channels", on,
                          (long long)p->group, (long long)C);
    if (!transposed) {
        if (w->sizes[0] % p->group != 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "Conv: group %lld does not divide W's %lld output channels",
                              (long long)p->group, (long long)w->sizes[0]);
        if (w->sizes[1] * p->group != C)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "Conv: W's dimension 1 is %lld, expected X's channels / group = %lld / %lld",
                              (long long)w->sizes[1], (long long)C, (long long)p->group);
    } else if (w->sizes[0] != C) {
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "ConvTranspose: W's dimension 0 is %lld, expected X's %lld channels",
                          (long long)w->sizes[0], (long long)C);
    }
    int64_t k[3], s[3], d[3], op[3];
    for (int i = 0; i < sp; i++) {
        k[i] = w->sizes[2 + i];
        s[i] = p->n_strides ? p->strides[i] : 1;
        d[i] = p->n_dilations ? p->dilations[i] : 1;
        op[i] = p->n_output_padding ? p->output_padding[i] : 0;
        if (p->n_kernel_shape && p->kernel_shape[i] != k[i]) {
            char a[80], b[80];
            fmt_list(a, sizeof a, sp, p->kernel_shape);
            fmt_list(b, sizeof b, sp, w->sizes + 2);
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: kernel_shape %s does not match W's spatial sizes %s", on, a,
                              b);
        }
        if (k[i] < 1)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: W's spatial axis %d is empty", on, 2 + i);
        if (s[i] <= 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: strides[%d] must be > 0, got %lld", on, i, (long long)s[i]);
        if (d[i] <= 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: dilations[%d] must be > 0, got %lld", on, i,
                              (long long)d[i]);
        if (op[i] < 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "ConvTranspose: output_padding[%d] must be >= 0, got %lld", i,
                              (long long)op[i]);
        if (s[i] > INT64_MAX / 64 || d[i] > INT64_MAX / 64 || k[i] > INT64_MAX / 64 || op[i] > INT64_MAX / 64)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: attributes of axis %d out of range", on, 2 + i);
    }
    for (int i = 0; i < 2 * sp && p->n_pads; i++)
        if (p->pads[i] < 0 || p->pads[i] > INT64_MAX / 64)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: pads[%d] must be >= 0, got %lld", on, i,
                              (long long)p->pads[i]);
    const int64_t *os = p->n_output_shape == x->rank ? p->output_shape + 2 : p->output_shape;
    for (int i = 0; i < sp && transposed && p->n_output_shape; i++)
        if (os[i] <= 0 || os[i] > INT64_MAX / 64)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "ConvTranspose: output_shape[%d] must be > 0, got %lld", i,
                              (long long)os[i]);
    for (int i = 0; i < sp; i++) {
        const int64_t in = x->sizes[2 + i], eff = (k[i] - 1) * d[i] + 1;
        int64_t b = p->n_pads ? p->pads[i] : 0, e = p->n_pads ? p->pads[sp + i] : 0;
        if (in > INT64_MAX / 64)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: X's axis %d is too large", on, 2 + i);
        if (!transposed) {
            if (p->auto_pad == CLRS_ONNX_SAME_UPPER || p->auto_pad == CLRS_ONNX_SAME_LOWER) {
                const int64_t out = (in + s[i] - 1) / s[i];
                int64_t total = (out - 1) * s[i] + eff - in;
                if (total < 0) total = 0;
                b = p->auto_pad == CLRS_ONNX_SAME_UPPER ? total / 2 : total - total / 2;
                e = total - b;
            } else if (p->auto_pad == CLRS_ONNX_VALID) {
                b = e = 0;
            }
        } else {
            const int have_os = p->n_output_shape != 0;
            if (have_os || p->auto_pad == CLRS_ONNX_SAME_UPPER || p->auto_pad == CLRS_ONNX_SAME_LOWER) {
                const int64_t want = have_os ? os[i] : in * s[i];
                const int64_t total = s[i] * (in - 1) + op[i] + eff - want;
                if (p->auto_pad == CLRS_ONNX_SAME_UPPER) {
                    b = floor_div2(total);
                    e = total - b;
                } else {
                    e = floor_div2(total);
                    b = total - e;
                }
            } else if (p->auto_pad == CLRS_ONNX_VALID) {
                b = e = 0;
            }
        }
        pads->begin[i] = b;
        pads->end[i] = e;
    }
    clrs_conv_params_init(cp);
    cp->n_stride = cp->n_dilation = sp;
    cp->groups = p->group;
    for (int i = 0; i < sp; i++) {
        cp->stride[i] = s[i];
        cp->dilation[i] = d[i];
    }
    if (transposed) {
        cp->n_output_padding = sp;
        for (int i = 0; i < sp; i++) cp->output_padding[i] = op[i];
    }
    return CLRS_OK;
}

static clrs_status shape_common(clrs_context *ctx, const clrs_onnx_conv_params *p, const clrs_tensor_desc *x,
                                const clrs_tensor_desc *w, int transposed, int64_t out_sizes[CLRS_MAX_RANK])
{
    clrs__clear_error(ctx);
    if (out_sizes == NULL)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s: out_sizes is NULL", transposed ? "ConvTranspose" : "Conv");
    clrs_conv_params cp;
    clrs__conv_pads pads;
    CLRS_FORWARD(onnx_conv_plan(ctx, p, x, w, transposed, &cp, &pads));
    return clrs__conv_pads_output_shape(ctx, &cp, &pads, x, w, transposed, out_sizes);
}

clrs_status clrs_onnx_conv_output_shape(clrs_context *ctx, const clrs_onnx_conv_params *p, const clrs_tensor_desc *x,
                                        const clrs_tensor_desc *w, int64_t out_sizes[CLRS_MAX_RANK])
{
    return shape_common(ctx, p, x, w, 0, out_sizes);
}

clrs_status clrs_onnx_conv_transpose_output_shape(clrs_context *ctx, const clrs_onnx_conv_params *p,
                                                  const clrs_tensor_desc *x, const clrs_tensor_desc *w,
                                                  int64_t out_sizes[CLRS_MAX_RANK])
{
    return shape_common(ctx, p, x, w, 1, out_sizes);
}

static clrs_status host_common(clrs_context *ctx, const clrs_onnx_conv_params *p, const clrs_tensor_desc *x,
                               const void *x_data, const clrs_tensor_desc *w, const void *w_data,
                               const clrs_tensor_desc *b, const void *b_data, const clrs_tensor_desc *y, void *y_data,
                               int transposed)
{
    clrs__clear_error(ctx);
    clrs_conv_params cp;
    clrs__conv_pads pads;
    CLRS_FORWARD(onnx_conv_plan(ctx, p, x, w, transposed, &cp, &pads));
    return clrs__conv_pads_host(ctx, &cp, &pads, x, x_data, w, w_data, b, b_data, y, y_data, transposed);
}

static clrs_status cl_common(clrs_context *ctx, const clrs_onnx_conv_params *p, const clrs_tensor_desc *x,
                             cl_mem x_mem, const clrs_tensor_desc *w, cl_mem w_mem, const clrs_tensor_desc *b,
                             cl_mem b_mem, const clrs_tensor_desc *y, cl_mem y_mem, cl_command_queue queue,
                             cl_uint num_wait, const cl_event *wait_list, cl_event *event, int transposed)
{
    clrs__clear_error(ctx);
    clrs_conv_params cp;
    clrs__conv_pads pads;
    CLRS_FORWARD(onnx_conv_plan(ctx, p, x, w, transposed, &cp, &pads));
    return clrs__conv_pads_cl(ctx, &cp, &pads, x, x_mem, w, w_mem, b, b_mem, y, y_mem, queue, num_wait, wait_list,
                              event, transposed);
}

clrs_status clrs_onnx_conv(clrs_context *ctx, const clrs_onnx_conv_params *p, const clrs_tensor_desc *x,
                           const void *x_data, const clrs_tensor_desc *w, const void *w_data,
                           const clrs_tensor_desc *b, const void *b_data, const clrs_tensor_desc *y, void *y_data)
{
    return host_common(ctx, p, x, x_data, w, w_data, b, b_data, y, y_data, 0);
}

clrs_status clrs_onnx_conv_transpose(clrs_context *ctx, const clrs_onnx_conv_params *p, const clrs_tensor_desc *x,
                                     const void *x_data, const clrs_tensor_desc *w, const void *w_data,
                                     const clrs_tensor_desc *b, const void *b_data, const clrs_tensor_desc *y,
                                     void *y_data)
{
    return host_common(ctx, p, x, x_data, w, w_data, b, b_data, y, y_data, 1);
}

clrs_status clrs_onnx_conv_cl(clrs_context *ctx, const clrs_onnx_conv_params *p, const clrs_tensor_desc *x,
                              cl_mem x_mem, const clrs_tensor_desc *w, cl_mem w_mem, const clrs_tensor_desc *b,
                              cl_mem b_mem, const clrs_tensor_desc *y, cl_mem y_mem, cl_command_queue queue,
                              cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    return cl_common(ctx, p, x, x_mem, w, w_mem, b, b_mem, y, y_mem, queue, num_wait, wait_list, event, 0);
}

clrs_status clrs_onnx_conv_transpose_cl(clrs_context *ctx, const clrs_onnx_conv_params *p,
                                        const clrs_tensor_desc *x, cl_mem x_mem, const clrs_tensor_desc *w,
                                        cl_mem w_mem, const clrs_tensor_desc *b, cl_mem b_mem,
                                        const clrs_tensor_desc *y, cl_mem y_mem, cl_command_queue queue,
                                        cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    return cl_common(ctx, p, x, x_mem, w, w_mem, b, b_mem, y, y_mem, queue, num_wait, wait_list, event, 1);
}
