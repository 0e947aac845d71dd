/* SPDX-License-Identifier: MIT */
/* "conv/depthwise_win": depthwise convolution (one input channel per
 * group, any channel multiplier) with a compile-time 2-D window, stride,
 * padding, dilation and padding mode (program "conv_win", cl/conv_win.cl),
 * modelled on the window pooling form (src/ops/pool_win.c): a depthwise
 * strided convolution is a weighted pooling window. NCHW f32: a work-item
 * per output row, in vectors of conv_dw_vw outputs; channels-last f32 with
 * a multiplier of 1: vectors of 8 / 16 channels, conv_dw_px pixels per
 * work-item; everything else one output per work-item (channels-last: C
 * along work-item x, unit-stride loads across the work-items PoCL
 * vectorises over). The same
 * bits as conv/general (CLRS_IMPL_EXACT, see cl/conv_win.cl). */
#include <stdio.h>
#include <string.h>

#include "conv_impl.h"

#define DECLINE(...)                     \
    do {                                 \
        snprintf(why, len, __VA_ARGS__); \
        return 1;                        \
    } while (0)

int clrs__conv_dww_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    const conv_plan *pl = problem;
    if (pl->transposed) DECLINE("transposed");
    if (pl->cin_g != 1) DECLINE("%lld input channels per group (depthwise has 1)", (long long)pl->cin_g);
    if (pl->numel_out < ctx->tune.v.conv_dw_min_output)
        DECLINE("output of %lld elements < conv_dw_min_output %lld", (long long)pl->numel_out,
                (long long)ctx->tune.v.conv_dw_min_output);
    if (pl->k3[0] != 1 || pl->s3[0] != 1 || pl->pl3[0] != 0 || pl->pr3[0] != 0)
        DECLINE("a window along depth");
    for (int a = 0; a < 3; a++)
        if (pl->in3[a] == 0) DECLINE("an empty input");
    int64_t taps;
    if (__builtin_mul_overflow(pl->k3[1], pl->k3[2], &taps) || taps > ctx->tune.v.conv_dw_max_taps)
        DECLINE("window of %lld x %lld taps > conv_dw_max_taps %lld", (long long)pl->k3[1], (long long)pl->k3[2],
                (long long)ctx->tune.v.conv_dw_max_taps);
    for (int a = 1; a < 3; a++)
        if (pl->s3[a] > 1024 || pl->d3[a] > 1024 || pl->pl3[a] > 1024) DECLINE("stride, dilation or padding > 1024");
    return 0;
}

clrs_status clrs__conv_dww_enqueue(clrs_context *ctx, const conv_plan *plan, clrs_targ *t, int nt,
                                   cl_command_queue q, cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    const clrs_tensor_desc *in = &t[0].desc, *out = &t[1].desc, *w = &t[2].desc;
    cl_long8 isz, ist, wsz, wst, osz, ost;
    clrs__iter_ncdhw(in, &isz, &ist);
    clrs__iter_ncdhw(w, &wsz, &wst);
    clrs__iter_ncdhw(out, &osz, &ost);
    const int order = clrs__iter_channels_last(out);
    /* NCHW f32 rows contiguous in both tensors: vectors of outputs */
    int vw = 1;
    if (!order && in->dtype == CLRS_F32 && ist.s[4] == 1 && ost.s[4] == 1)
        vw = osz.s[4] >= 16 ? 16 : osz.s[4] >= 8 ? 8 : 1;
    if (vw > ctx->tune.v.conv_dw_vw) vw = ctx->tune.v.conv_dw_vw >= 8 ? 8 : 1;
    /* channels-last f32, multiplier 1, channels of unit stride in both
     * tensors: vectors of channels, conv_dw_px pixels per work-item */
    int vc = 0;
    const int64_t C = osz.s[1];
    if (order && in->dtype == CLRS_F32 && plan->cout_g == 1 && ist.s[1] == 1 && ost.s[1] == 1 &&
        ctx->tune.v.conv_dw_vw >= 8)
        vc = C % 16 == 0 && ctx->tune.v.conv_dw_vw >= 16 ? 16 : C % 8 == 0 ? 8 : 0;
    const int px = (int)ctx->tune.v.conv_dw_px;
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "%s", clrs__pool_dtype_define(in->dtype));
    clrs__opts_def(&o, "ORDER=%d", order);
    clrs__opts_def(&o, "VW=%d", vw);
    clrs__opts_def(&o, "KH=%lld", (long long)plan->k3[1]);
    clrs__opts_def(&o, "KW=%lld", (long long)plan->k3[2]);
    clrs__opts_def(&o, "SH=%lld", (long long)plan->s3[1]);
    clrs__opts_def(&o, "SW=%lld", (long long)plan->s3[2]);
    clrs__opts_def(&o, "PH=%lld", (long long)plan->pl3[1]);
    clrs__opts_def(&o, "PW=%lld", (long long)plan->pl3[2]);
    clrs__opts_def(&o, "DH=%lld", (long long)plan->d3[1]);
    clrs__opts_def(&o, "DW=%lld", (long long)plan->d3[2]);
    clrs__opts_def(&o, "PMODE=%d", (int)plan->pmode);
    clrs__opts_def(&o, "MULT=%lld", (long long)plan->cout_g);
    clrs__opts_def(&o, "VC=%d", vc);
    if (vc) clrs__opts_def(&o, "PX=%d", px);
    clrs__opts_def(&o, "OFF32=%d", clrs__iter_tensors_fit_int(t, nt));
    cl_kernel k = NULL;
    clrs_status st = clrs__pool_get_kernel(ctx, "conv_win", &o, 0, "clrs_conv_dww", &k);
    if (st != CLRS_OK) return st;
    const int has_bias = nt == 4 && plan->has_bias;
    cl_long soff = in->offset, woff = w->offset, doff = out->offset;
    cl_long boff = has_bias ? t[3].desc.offset : 0, bst = has_bias ? t[3].desc.strides[0] : 0;
    cl_mem bm = has_bias ? t[3].mem : t[2].mem; /* any valid buffer when there is no bias */
    cl_int hb = has_bias;
    cl_long cout_g = plan->cout_g;
    clrs_kargs a = clrs__kargs(ctx, k);
    CLRS_KARG(&a, t[0].mem);
    CLRS_KARG(&a, soff);
    CLRS_KARG(&a, t[2].mem);
    CLRS_KARG(&a, woff);
    CLRS_KARG(&a, bm);
    CLRS_KARG(&a, boff);
    CLRS_KARG(&a, bst);
    CLRS_KARG(&a, hb);
    CLRS_KARG(&a, t[1].mem);
    CLRS_KARG(&a, doff);
    CLRS_KARG(&a, isz);
    CLRS_KARG(&a, ist);
    CLRS_KARG(&a, wst);
    CLRS_KARG(&a, osz);
    CLRS_KARG(&a, ost);
    CLRS_KARG(&a, cout_g);
    st = a.st;
    size_t g[3];
    clrs__iter_grid(&osz, order, g);
    if (vw > 1) { /* a work-item per output row: (oh, c, n * od) */
        g[0] = (size_t)osz.s[3];
        g[1] = (size_t)osz.s[1];
        g[2] = (size_t)(osz.s[0] * osz.s[2]);
    }
    if (vc) {
        g[0] /= (size_t)vc;
        g[1] = (g[1] + (size_t)px - 1) / (size_t)px;
    }
    /* as the window pooling: a short x (a few vectors of a row, or the
     * channels) takes rows into its group, conv_dw_group items in all */
    const size_t grp = (size_t)ctx->tune.v.conv_dw_group;
    if (st == CLRS_OK && g[0] <= grp && g[0] <= ctx->max_wg) {
        const size_t lsz[3] = {g[0], clrs__wg_rows(g[0], g[1], grp, ctx->max_wg, 0), 1};
        st = clrs__enqueue_kernel_local(ctx, q, k, 3, g, lsz, nwait, wait, ev);
    } else if (st == CLRS_OK) {
        st = clrs__enqueue_kernel(ctx, q, k, 3, g, nwait, wait, ev);
    }
    if (k != NULL) clReleaseKernel(k);
    return st;
}
