/* SPDX-License-Identifier: MIT */
/* Convolution and transposed convolution (torch's F.conv1d/2d/3d with
 * nn.Conv*d's padding_mode, F.conv_transpose1d/2d/3d): PyTorch's argument
 * checks and shape rules, and the "conv" / "conv_transpose" implementation
 * lists, whose general entries launch cl/conv.cl (program "conv").
 *
 * Shape rules (torch 2.15, aten/src/ATen/native/Convolution.cpp,
 * torch/nn/modules/conv.py):
 *   conv:      out = (in + pl + pr - d(k-1) - 1) / s + 1, an error when the
 *              padded input is smaller than the dilated kernel;
 *              'same': total = d(k-1), pl = total/2, pr = total - pl
 *              (stride 1 only); 'valid': 0.
 *   transpose: out = (in-1)s - 2p + d(k-1) + op + 1, op < s or op < d,
 *              an error when out < 1.
 * Non-zero padding modes pad with F.pad's rules (reflect: pad < size,
 * circular: pad <= size) and convolve with padding 0.
 *
 * The implementation list is the seam for later entries (a GEMM through
 * CLBlast for dense convolution, depthwise windows): each is one more named
 * entry before "general", which accepts everything. */
#include <stdio.h>
#include <string.h>

#ifdef HAVE_CONFIG_H
#include "config.h" /* HAVE_CLBLAST; the fuzz build (tests/fuzz/run.sh) has none */
#endif
#include "conv_clblast.h"
#include "conv_impl.h"

static const char *const PM_NAMES[] = {"zeros", "reflect", "replicate", "circular"};
static const char *const AXIS[3] = {"depth", "height", "width"};

void clrs_conv_params_init(clrs_conv_params *p)
{
    if (p == NULL) return;
    memset(p, 0, sizeof *p);
    p->struct_size = sizeof *p;
    p->groups = 1;
    p->padding_kind = CLRS_CONV_PADDING_EXPLICIT;
    p->padding_mode = CLRS_CONV_PAD_ZEROS;
}

clrs_status clrs_conv_padding_mode_parse(const char *name, clrs_conv_padding_mode *mode)
{
    clrs__clear_error(NULL);
    if (name == NULL || mode == NULL)
        return clrs__fail(NULL, CLRS_ERR_INVALID_ARG, "clrs_conv_padding_mode_parse: NULL argument");
    for (size_t i = 0; i < CLRS_ARRAY_LEN(PM_NAMES); i++)
        if (strcmp(name, PM_NAMES[i]) == 0) {
            *mode = (clrs_conv_padding_mode)i;
            return CLRS_OK;
        }
    return clrs__fail(NULL, CLRS_ERR_BAD_PARAM,
                      "conv: padding_mode must be one of 'zeros', 'reflect', 'replicate' or 'circular', but got "
                      "padding_mode='%s'",
                      name);
}

const char *clrs_conv_padding_mode_name(clrs_conv_padding_mode mode)
{
    return (unsigned)mode < CLRS_ARRAY_LEN(PM_NAMES) ? PM_NAMES[mode] : NULL;
}

/* ---- the plan: conv_plan (conv_impl.h) ---------------------------------------- */

/* sizes as torch prints them: [1, 2, 5, 5] */
static void tsizes(char *buf, size_t len, int rank, const int64_t *sizes)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < rank && off + 2 < len; i++) {
        int w = snprintf(buf + off, len - off, "%s%lld", i ? ", " : "[", (long long)sizes[i]);
        if (w < 0) return;
        off += (size_t)w;
    }
    if (off + 2 < len) snprintf(buf + off, len - off, "]");
}

static void fmt3(char *buf, size_t len, int sp, const int64_t *v3, const char *sep)
{
    clrs__pool_fmt_list(buf, len, sp, v3, sep);
}

/* bias: rank 1 of C_out elements, the input's dtype; offsets and stride valid. */
static clrs_status check_bias(const clrs_context *ctx, const char *kn, const clrs_tensor_desc *b,
                              const clrs_tensor_desc *w, int64_t cout, clrs_dtype dt, int transposed)
{
    char ws[128];
    tsizes(ws, sizeof ws, w->rank, w->sizes);
    if (b->rank != 1 || b->sizes[0] != cout) {
        char bs[128];
        if (b->rank >= 1 && b->rank <= CLRS_MAX_RANK)
            tsizes(bs, sizeof bs, b->rank, b->sizes);
        else
            snprintf(bs, sizeof bs, "(rank %d)", b->rank);
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                          "%s: Given %sweight of size %s, expected bias to be 1-dimensional with %lld elements, but "
                          "got bias of size %s instead",
                          kn, transposed ? "transposed=1, " : "", ws, (long long)cout, bs);
    }
    if (b->dtype != dt)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s: bias dtype %s differs from input dtype %s", kn,
                          clrs_dtype_name(b->dtype), clrs_dtype_name(dt));
    int64_t end;
    if (b->offset < 0 || b->strides[0] < 0)
        return clrs__fail(ctx, CLRS_ERR_BAD_STRIDES, "%s: bias offset %lld / stride %lld is negative", kn,
                          (long long)b->offset, (long long)b->strides[0]);
    if (__builtin_mul_overflow(cout > 0 ? cout - 1 : 0, b->strides[0], &end) ||
        __builtin_add_overflow(end, b->offset, &end) || end > INT64_MAX / 16)
        return clrs__fail(ctx, CLRS_ERR_BAD_STRIDES, "%s: bias extent overflows 64-bit offsets", kn);
    return CLRS_OK;
}

/* pads: NULL for PyTorch's rules (p's padding / padding_kind); else the
 * ONNX front-end's begin/end pads per spatial axis (p's padding ignored;
 * conv: >= 0; conv_transpose: any sign, the output size then being
 * (in-1)s - begin - end + d(k-1) + output_padding + 1). */
static clrs_status conv_plan_make(clrs_context *ctx, const clrs_conv_params *p, const clrs_tensor_desc *in,
                                  const clrs_tensor_desc *w, const clrs_tensor_desc *bias, int transposed,
                                  const clrs__conv_pads *pads, conv_plan *plan)
{
    const char *kn = transposed ? "conv_transpose" : "conv";
    if (p == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s: params is NULL", kn);
    if (p->struct_size != sizeof *p)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG,
                          "clrs_conv_params.struct_size is %zu, expected %zu (call clrs_conv_params_init)",
                          p->struct_size, sizeof *p);
    CLRS_FORWARD(clrs__check_desc(ctx, in, "input", 0));
    CLRS_FORWARD(clrs__check_desc(ctx, w, "weight", 0));
    memset(plan, 0, sizeof *plan);
    const int rank = in->rank, sp = rank - 2;
    plan->transposed = transposed;
    plan->sp = sp;
    char is[128], ws[128];
    tsizes(is, sizeof is, in->rank, in->sizes);
    tsizes(ws, sizeof ws, w->rank, w->sizes);
    if (w->rank != rank)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                          "%s: Expected %d-dimensional input for %d-dimensional weight %s, but got %d-dimensional "
                          "input of size %s instead",
                          kn, w->rank, w->rank, ws, rank, is);
    if (w->dtype != in->dtype)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s: weight dtype %s differs from input dtype %s", kn,
                          clrs_dtype_name(w->dtype), clrs_dtype_name(in->dtype));
    if ((unsigned)p->padding_mode >= CLRS_ARRAY_LEN(PM_NAMES))
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: padding_mode %d is not a clrs_conv_padding_mode", kn,
                          (int)p->padding_mode);
    if ((unsigned)p->padding_kind > CLRS_CONV_PADDING_VALID)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: padding_kind %d is not a clrs_conv_padding_kind", kn,
                          (int)p->padding_kind);
    if (transposed && p->padding_mode != CLRS_CONV_PAD_ZEROS)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                          "conv_transpose: Only \"zeros\" padding mode is supported for ConvTranspose, got '%s'",
                          PM_NAMES[p->padding_mode]);
    if (pads != NULL && p->padding_kind != CLRS_CONV_PADDING_EXPLICIT)
        return clrs__fail(ctx, CLRS_ERR_INTERNAL, "%s: explicit pads with padding_kind %d", kn, (int)p->padding_kind);
    if (transposed && p->padding_kind != CLRS_CONV_PADDING_EXPLICIT)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "conv_transpose: padding must be integers ('%s' is conv's only)",
                          p->padding_kind == CLRS_CONV_PADDING_SAME ? "same" : "valid");
    if (!transposed && p->n_output_padding != 0)
        for (int i = 0; i < p->n_output_padding && i < 3; i++)
            if (p->output_padding[i] != 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "conv: output_padding is conv_transpose's only, got %lld",
                                  (long long)p->output_padding[i]);
    plan->pmode = p->padding_mode;

    int64_t s3[3], p3[3], d3[3], o3[3];
    CLRS_FORWARD(clrs__pool_list3(ctx, kn, "stride", p->n_stride, p->stride, sp, 1, 1, 1, s3));
    CLRS_FORWARD(clrs__pool_list3(ctx, kn, "padding", p->n_padding, p->padding, sp, 1, 0, 0, p3));
    CLRS_FORWARD(clrs__pool_list3(ctx, kn, "dilation", p->n_dilation, p->dilation, sp, 1, 1, 1, d3));
    CLRS_FORWARD(clrs__pool_list3(ctx, kn, "output_padding", transposed ? p->n_output_padding : 0,
                                  p->output_padding, sp, 1, 0, 0, o3));
    for (int a = 3 - sp; a < 3; a++) {
        if (s3[a] <= 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: non-positive stride is not supported (%s stride %lld)", kn,
                              AXIS[a], (long long)s3[a]);
        if (d3[a] <= 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                              "%s: dilation should be greater than zero, but got %lld (%s)", kn, (long long)d3[a],
                              AXIS[a]);
        if (pads == NULL && p->padding_kind == CLRS_CONV_PADDING_EXPLICIT && p3[a] < 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: negative padding is not supported (%s padding %lld)", kn,
                              AXIS[a], (long long)p3[a]);
        if (transposed && o3[a] < 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: negative output_padding is not supported (%s %lld)", kn,
                              AXIS[a], (long long)o3[a]);
    }
    if (p->groups <= 0)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: non-positive groups is not supported (groups %lld)", kn,
                          (long long)p->groups);
    const int64_t G = p->groups, N = in->sizes[0], C = in->sizes[1];
    plan->groups = G;
    if (C == 0)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                          "%s: input%s has no channels (torch returns an (N, 0, ...) tensor whatever the weight; "
                          "refused)",
                          kn, is);
    if (p->padding_kind == CLRS_CONV_PADDING_SAME) {
        for (int a = 3 - sp; a < 3; a++)
            if (s3[a] != 1)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                  "conv: padding='same' is not supported for strided convolutions (%s stride %lld)",
                                  AXIS[a], (long long)s3[a]);
    }
    /* weight's channels */
    int64_t cout;
    if (!transposed) {
        if (w->sizes[0] < G)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "conv: Given groups=%lld, expected weight to be at least %lld at dimension 0, but got "
                              "weight of size %s instead",
                              (long long)G, (long long)G, ws);
        if (w->sizes[0] % G != 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "conv: Given groups=%lld, expected weight to be divisible by %lld at dimension 0, but got "
                              "weight of size %s instead",
                              (long long)G, (long long)G, ws);
        int64_t want;
        if (__builtin_mul_overflow(w->sizes[1], G, &want) || want != C)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "conv: Given groups=%lld, weight of size %s, expected input%s to have %lld channels, but "
                              "got %lld channels instead",
                              (long long)G, ws, is, (long long)(w->sizes[1] * G), (long long)C);
        cout = w->sizes[0];
        plan->cin_g = w->sizes[1];
        plan->cout_g = cout / G;
    } else {
        if (w->sizes[0] != C)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "conv_transpose: Given transposed=1, weight of size %s, expected input%s to have %lld "
                              "channels, but got %lld channels instead",
                              ws, is, (long long)w->sizes[0], (long long)C);
        if (C % G != 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "conv_transpose: Given groups=%lld, expected weight to be divisible by %lld at dimension "
                              "0, but got weight of size %s instead",
                              (long long)G, (long long)G, ws);
        if (__builtin_mul_overflow(w->sizes[1], G, &cout))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "conv_transpose: output channels overflow 64 bits");
        plan->cin_g = C / G;
        plan->cout_g = w->sizes[1];
    }
    for (int a = 0; a < 3; a++) {
        plan->s3[a] = s3[a];
        plan->d3[a] = d3[a];
        plan->op3[a] = o3[a];
        plan->k3[a] = 1;
        plan->in3[a] = 1;
        plan->pl3[a] = plan->pr3[a] = 0;
    }
    for (int i = 0; i < sp; i++) {
        plan->k3[3 - sp + i] = w->sizes[2 + i];
        plan->in3[3 - sp + i] = in->sizes[2 + i];
    }
    for (int a = 3 - sp; a < 3; a++)
        if (plan->k3[a] < 1)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: weight of size %s has an empty kernel (%s size %lld)", kn,
                              ws, AXIS[a], (long long)plan->k3[a]);
    if (bias != NULL) {
        CLRS_FORWARD(check_bias(ctx, kn, bias, w, cout, in->dtype, transposed));
        plan->has_bias = 1;
    }
    if (transposed) {
        for (int a = 3 - sp; a < 3; a++)
            if (o3[a] >= s3[a] && o3[a] >= d3[a]) {
                char ob[80], sb[80], db[80];
                fmt3(ob, sizeof ob, sp, o3, ", ");
                fmt3(sb, sizeof sb, sp, s3, ", ");
                fmt3(db, sizeof db, sp, d3, ", ");
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                  "conv_transpose: output padding must be smaller than either stride or dilation, but "
                                  "got output_padding (%s), stride (%s), dilation (%s) (%s output_padding %lld)",
                                  ob, sb, db, AXIS[a], (long long)o3[a]);
            }
    }

    /* padding per axis */
    for (int a = 3 - sp; a < 3; a++) {
        int64_t eff; /* d(k-1) */
        if (__builtin_mul_overflow(d3[a], plan->k3[a] - 1, &eff))
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: dilation %lld x kernel %lld overflows 64 bits (%s)", kn,
                              (long long)d3[a], (long long)plan->k3[a], AXIS[a]);
        if (pads != NULL) {
            const int i = a - (3 - sp);
            if (!transposed && (pads->begin[i] < 0 || pads->end[i] < 0))
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "conv: negative padding is not supported (%s pads %lld, %lld)",
                                  AXIS[a], (long long)pads->begin[i], (long long)pads->end[i]);
            if (pads->begin[i] < -(INT64_MAX / 8) || pads->begin[i] > INT64_MAX / 8 || pads->end[i] < -(INT64_MAX / 8) ||
                pads->end[i] > INT64_MAX / 8)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: pads %lld, %lld out of range (%s)", kn,
                                  (long long)pads->begin[i], (long long)pads->end[i], AXIS[a]);
            plan->pl3[a] = pads->begin[i];
            plan->pr3[a] = pads->end[i];
        } else if (p->padding_kind == CLRS_CONV_PADDING_SAME) {
            plan->pl3[a] = eff / 2;
            plan->pr3[a] = eff - eff / 2;
        } else if (p->padding_kind == CLRS_CONV_PADDING_EXPLICIT) {
            plan->pl3[a] = plan->pr3[a] = p3[a];
        }
    }
    /* F.pad's limits for the non-zero modes */
    if (!transposed && plan->pmode != CLRS_CONV_PAD_ZEROS) {
        for (int a = 3 - sp; a < 3; a++) {
            int64_t pm = plan->pl3[a] > plan->pr3[a] ? plan->pl3[a] : plan->pr3[a], n = plan->in3[a];
            if (plan->pmode == CLRS_CONV_PAD_REFLECT && pm >= n)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                  "conv: reflect padding: Padding size should be less than the corresponding input "
                                  "dimension, but got: padding (%lld, %lld) at dimension %d of input %s",
                                  (long long)plan->pl3[a], (long long)plan->pr3[a], a - 1 + sp, is);
            if (plan->pmode == CLRS_CONV_PAD_CIRCULAR && pm > n)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                  "conv: circular padding: Padding value causes wrapping around more than once "
                                  "(padding %lld > input size %lld at dimension %d of input %s)",
                                  (long long)pm, (long long)n, a - 1 + sp, is);
            if (plan->pmode == CLRS_CONV_PAD_REPLICATE && n == 0 && pm > 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "conv: replicate padding of an empty dimension %d of input %s",
                                  a - 1 + sp, is);
        }
    }
    /* output sizes */
    int small = 0;
    int64_t out3[3] = {1, 1, 1};
    for (int a = 3 - sp; a < 3; a++) {
        int64_t eff = d3[a] * (plan->k3[a] - 1), v;
        if (!transposed) {
            int64_t padded;
            if (__builtin_add_overflow(plan->in3[a], plan->pl3[a], &padded) ||
                __builtin_add_overflow(padded, plan->pr3[a], &padded) || padded > INT64_MAX / 4)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "conv: padded input size overflows 64 bits (%s)", AXIS[a]);
            if (padded < eff + 1) small = 1;
            v = padded >= eff + 1 ? (padded - eff - 1) / s3[a] + 1 : 0;
        } else {
            int64_t t, p2;
            if (pads != NULL) p3[a] = 0; /* the pads are plan->pl3 / pr3 */
            if (__builtin_mul_overflow(plan->in3[a] - 1, s3[a], &t) || __builtin_mul_overflow(p3[a], 2, &p2) ||
                __builtin_sub_overflow(t, p2, &t) ||
                __builtin_add_overflow(t, eff, &t) || __builtin_add_overflow(t, o3[a] + 1, &t) ||
                (pads != NULL && (__builtin_sub_overflow(t, plan->pl3[a], &t) ||
                                  __builtin_sub_overflow(t, plan->pr3[a], &t))) ||
                t > INT64_MAX / 4)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "conv_transpose: output size overflows 64 bits (%s)",
                                  AXIS[a]);
            v = t;
            if (v < 1) small = 1;
        }
        out3[a] = v;
    }
    if (small) {
        char ib[80], kb[80], ob[80];
        fmt3(ib, sizeof ib, sp, plan->in3, " x ");
        if (!transposed) {
            int64_t padded3[3], eff3[3];
            for (int a = 0; a < 3; a++) {
                padded3[a] = plan->in3[a] + plan->pl3[a] + plan->pr3[a];
                eff3[a] = d3[a] * (plan->k3[a] - 1) + 1;
            }
            fmt3(ib, sizeof ib, sp, padded3, " x ");
            fmt3(kb, sizeof kb, sp, eff3, " x ");
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "conv: Calculated padded input size per channel: (%s). Kernel size: (%s). Kernel size "
                              "can't be greater than actual input size",
                              ib, kb);
        }
        fmt3(ob, sizeof ob, sp, out3, " x ");
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                          "conv_transpose: Given input size per channel: (%s). Calculated output size per channel: "
                          "(%s). Output size is too small",
                          ib, ob);
    }
    plan->out_sizes[0] = N;
    plan->out_sizes[1] = cout;
    for (int i = 0; i < sp; i++) plan->out_sizes[2 + i] = out3[3 - sp + i];
    plan->numel_out = 1;
    for (int i = 0; i < rank; i++)
        if (__builtin_mul_overflow(plan->numel_out, plan->out_sizes[i], &plan->numel_out))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: output element count overflows 64 bits", kn);
    return CLRS_OK;
}

static clrs_status shape_common(clrs_context *ctx, const clrs_conv_params *p, const clrs_tensor_desc *in,
                                const clrs_tensor_desc *w, int transposed, const clrs__conv_pads *pads,
                                int64_t out_sizes[CLRS_MAX_RANK])
{
    clrs__clear_error(ctx);
    if (out_sizes == NULL)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s: out_sizes is NULL", transposed ? "conv_transpose" : "conv");
    conv_plan plan;
    CLRS_FORWARD(conv_plan_make(ctx, p, in, w, NULL, transposed, pads, &plan));
    for (int i = 0; i < CLRS_MAX_RANK; i++) out_sizes[i] = i < in->rank ? plan.out_sizes[i] : 0;
    return CLRS_OK;
}

clrs_status clrs_conv_output_shape(clrs_context *ctx, const clrs_conv_params *p, const clrs_tensor_desc *in,
                                   const clrs_tensor_desc *weight, int64_t out_sizes[CLRS_MAX_RANK])
{
    return shape_common(ctx, p, in, weight, 0, NULL, out_sizes);
}

clrs_status clrs_conv_transpose_output_shape(clrs_context *ctx, const clrs_conv_params *p,
                                             const clrs_tensor_desc *in, const clrs_tensor_desc *weight,
                                             int64_t out_sizes[CLRS_MAX_RANK])
{
    return shape_common(ctx, p, in, weight, 1, NULL, out_sizes);
}

/* ---- implementations ---------------------------------------------------------- */
/* A work-item per output element (cl/conv.cl). "depthwise" (one input
 * channel per group, kernel width up to DW_MAX_KW) is "general"'s sum with
 * the padding mode compile-time, a row's input columns computed once and,
 * for zeros, branch-free taps: the same bits (CLRS_IMPL_EXACT).
 * "clblast" (with HAVE_CLBLAST) goes first: dense convolution as a GEMM. */
#define DW_MAX_KW 16 /* cl/conv.cl: the row of input columns it keeps */
static int dw_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    (void)ctx;
    const conv_plan *pl = problem;
    if (pl->cin_g != 1) {
        snprintf(why, len, "%lld input channels per group (depthwise has 1)", (long long)pl->cin_g);
        return 1;
    }
    for (int a = 0; a < 3; a++)
        if (pl->in3[a] == 0) {
            snprintf(why, len, "an empty input (%s size 0)", AXIS[a]);
            return 1;
        }
    if (pl->k3[2] > DW_MAX_KW) {
        snprintf(why, len, "kernel width %lld > %d", (long long)pl->k3[2], DW_MAX_KW);
        return 1;
    }
    return 0;
}

#ifdef HAVE_CLBLAST
/* "clblast" (src/ops/conv_clblast.c): im2col + CLBlast's GEMM, for dense
 * convolutions above the tuning table's work-size threshold; another
 * summation order (not EXACT). conv_transpose's "clblast": the GEMM first
 * (columns), then a col2im gather (also not EXACT). */
static void gemm_problem_of(const conv_plan *pl, clrs_conv_gemm *g)
{
    memset(g, 0, sizeof *g);
    g->has_bias = pl->has_bias;
    g->pmode = (int)pl->pmode;
    g->groups = pl->groups;
    g->N = pl->out_sizes[0];
    g->cin = pl->cin_g * pl->groups;
    g->cout = pl->out_sizes[1];
    for (int a = 0; a < 3; a++) {
        g->k3[a] = pl->k3[a];
        g->s3[a] = pl->s3[a];
        g->pl3[a] = pl->pl3[a];
        g->d3[a] = pl->d3[a];
        g->in3[a] = pl->in3[a];
        g->o3[a] = a < 3 - pl->sp ? 1 : pl->out_sizes[2 + a - (3 - pl->sp)];
    }
}

static int clblast_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    clrs_conv_gemm g;
    gemm_problem_of(problem, &g);
    return clrs__conv_clblast_decline(ctx, &g, why, len);
}

/* "conv_transpose/clblast": a GEMM per group into columns + a col2im
 * gather; the same problem (cin: the input's channels, in3 / o3 the
 * input's / output's sizes, pl3 the begin padding). */
static int convt_clblast_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    clrs_conv_gemm g;
    gemm_problem_of(problem, &g);
    return clrs__convt_clblast_decline(ctx, &g, why, len);
}
#endif

static const clrs_impl CONV_IMPLS[] = {
#ifdef HAVE_CLBLAST
    {"clblast", 0, clblast_decline},
#endif
    {"depthwise_win", CLRS_IMPL_EXACT, clrs__conv_dww_decline}, /* src/ops/conv_win.c */
    {"depthwise", CLRS_IMPL_EXACT, dw_decline},
    {"general", 0, NULL},
};
CLRS_IMPL_LIST(clrs__impls_conv, "conv", CONV_IMPLS);
static const clrs_impl CONVT_IMPLS[] = {
#ifdef HAVE_CLBLAST
    {"clblast", 0, convt_clblast_decline},
#endif
    {"general", 0, NULL},
};
CLRS_IMPL_LIST(clrs__impls_conv_transpose, "conv_transpose", CONVT_IMPLS);

/* t[0] input, t[1] output, t[2] weight, t[3] bias (nt == 4). */
static clrs_status conv_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                                cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    const conv_plan *plan = op;
    const char *fam = plan->transposed ? "conv_transpose" : "conv";
    if (plan->numel_out == 0) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    const int pick = plan->transposed ? CLRS_PICK(ctx, fam, CONVT_IMPLS, plan) : CLRS_PICK(ctx, fam, CONV_IMPLS, plan);
    if (pick < 0) return CLRS_ERR_INTERNAL;
    if (!plan->transposed && strcmp(CONV_IMPLS[pick].name, "depthwise_win") == 0)
        return clrs__conv_dww_enqueue(ctx, plan, t, nt, q, nwait, wait, ev);
#ifdef HAVE_CLBLAST
    if (!plan->transposed && strcmp(CONV_IMPLS[pick].name, "clblast") == 0) {
        clrs_conv_gemm g;
        gemm_problem_of(plan, &g);
        return clrs__conv_clblast_enqueue(ctx, &g, t, nt, q, nwait, wait, ev);
    }
    if (plan->transposed && strcmp(CONVT_IMPLS[pick].name, "clblast") == 0) {
        clrs_conv_gemm g;
        gemm_problem_of(plan, &g);
        return clrs__convt_clblast_enqueue(ctx, &g, t, nt, q, nwait, wait, ev);
    }
#endif
    const int dw = !plan->transposed && strcmp(CONV_IMPLS[pick].name, "depthwise") == 0;
    const clrs_tensor_desc *in = &t[0].desc, *out = &t[1].desc, *w = &t[2].desc;
    cl_long8 isz, ist, wsz, wst, osz, ost;
    clrs__iter_ncdhw(in, &isz, &ist);
    clrs__iter_ncdhw(w, &wsz, &wst);
    clrs__iter_ncdhw(out, &osz, &ost);
    /* an input with an empty spatial axis (all taps in zero padding) is
     * never read: its buffer may be NULL (host calls) */
    int cl_order = clrs__iter_channels_last(out);
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "%s", clrs__pool_dtype_define(in->dtype));
    if (dw) {
        clrs__opts_def(&o, "PMODE=%d", (int)plan->pmode);
        clrs__opts_def(&o, "OFF32=%d", clrs__iter_tensors_fit_int(t, nt));
    }
    cl_kernel k = NULL;
    clrs_status st = clrs__pool_get_kernel(ctx, "conv", &o, 0,
                                           plan->transposed ? "clrs_conv_transpose" : dw ? "clrs_conv_dw" : "clrs_conv", &k);
    if (st != CLRS_OK) return st;
    const int has_bias = nt == 4 && plan->has_bias;
    cl_long soff = in->offset, woff = w->offset, doff = out->offset;
    cl_long boff = has_bias ? t[3].desc.offset : 0, bst = has_bias ? t[3].desc.strides[0] : 0;
    cl_mem bm = has_bias ? t[3].mem : t[2].mem; /* any valid buffer when there is no bias */
    cl_int hb = has_bias, pm = (cl_int)plan->pmode, ord = cl_order;
    /* pl3: conv's left padding; conv_transpose's padding (the same on both sides) */
    cl_long4 s4 = clrs__long4_of(plan->s3), p4 = clrs__long4_of(plan->pl3), d4 = clrs__long4_of(plan->d3);
    cl_long cin_g = plan->cin_g, cout_g = plan->cout_g;
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
    CLRS_KARG(&a, wsz);
    CLRS_KARG(&a, wst);
    CLRS_KARG(&a, osz);
    CLRS_KARG(&a, ost);
    CLRS_KARG(&a, s4);
    CLRS_KARG(&a, p4);
    CLRS_KARG(&a, d4);
    CLRS_KARG(&a, cin_g);
    CLRS_KARG(&a, cout_g);
    CLRS_KARG(&a, pm);
    CLRS_KARG(&a, ord);
    st = a.st;
    size_t g[3];
    clrs__iter_grid(&osz, cl_order, g);
    /* work-groups as the resampling engine's (its tuning values rs_lx and
     * rs_rows_cap): a wide group along x, short rows joined along y, since
     * PoCL pays per group (on the shared 2-core test machine the difference
     * to groups of 16 was within its noise; to be measured with the bench
     * workloads). The kernels guard both dimensions. */
    int exact0;
    const size_t lx = clrs__wg_x(ctx, (size_t)ctx->tune.v.rs_lx, (int64_t)g[0], &exact0);
    if (st == CLRS_OK) st = clrs__enqueue_rows(ctx, q, k, g, lx, (size_t)ctx->tune.v.rs_rows_cap, nwait, wait, ev);
    if (k != NULL) clReleaseKernel(k);
    return st;
}

static clrs_status conv_prepare(clrs_context *ctx, const clrs_conv_params *p, const clrs_tensor_desc *in,
                                const clrs_tensor_desc *w, const clrs_tensor_desc *bias, const clrs_tensor_desc *out,
                                int transposed, const clrs__conv_pads *pads, conv_plan *plan)
{
    const char *kn = transposed ? "conv_transpose" : "conv";
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s: ctx is NULL", kn);
    CLRS_FORWARD(conv_plan_make(ctx, p, in, w, bias, transposed, pads, plan));
    CLRS_FORWARD(clrs__check_output(ctx, kn, out, in->rank, plan->out_sizes, in->dtype));
    if (in->dtype != CLRS_F32 && in->dtype != CLRS_F64 && in->dtype != CLRS_F16 && in->dtype != CLRS_BF16)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s does not take dtype %s (f32, f64, f16, bf16)", kn,
                          clrs_dtype_name(in->dtype));
    if (in->dtype == CLRS_F64 && !ctx->fp64)
        return clrs__fail(ctx, CLRS_ERR_UNSUPPORTED, "%s: f64 needs a device with fp64 support; '%s' has none", kn,
                          ctx->info.name);
    return CLRS_OK;
}

static clrs_status host_common(clrs_context *ctx, const clrs_conv_params *p, const clrs_tensor_desc *in,
                               const void *in_data, const clrs_tensor_desc *w, const void *w_data,
                               const clrs_tensor_desc *bias, const void *b_data, const clrs_tensor_desc *out,
                               void *out_data, int transposed, const clrs__conv_pads *pads)
{
    clrs__clear_error(ctx);
    const char *kn = transposed ? "conv_transpose" : "conv";
    if ((bias == NULL) != (b_data == NULL))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s: bias descriptor is %s but bias_data is %s", kn,
                          bias ? "given" : "NULL", b_data ? "given" : "NULL");
    conv_plan plan;
    CLRS_FORWARD(conv_prepare(ctx, p, in, w, bias, out, transposed, pads, &plan));
    if (plan.numel_out > 0 &&
        (out_data == NULL || (in_data == NULL && clrs_tensor_desc_numel(in) > 0) ||
         (w_data == NULL && clrs_tensor_desc_numel(w) > 0)))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s: %s data pointer is NULL", kn,
                          out_data == NULL ? "output" : in_data == NULL ? "input" : "weight");
    clrs_host_tensor ht[4] = {{in, in_data, 0}, {out, out_data, 1}, {w, w_data, 0}, {bias, b_data, 0}};
    return clrs__host_call(ctx, &plan, ht, bias ? 4 : 3, conv_enqueue);
}

static clrs_status cl_common(clrs_context *ctx, const clrs_conv_params *p, const clrs_tensor_desc *in, cl_mem in_mem,
                             const clrs_tensor_desc *w, cl_mem w_mem, const clrs_tensor_desc *bias, cl_mem b_mem,
                             const clrs_tensor_desc *out, cl_mem out_mem, cl_command_queue queue, cl_uint num_wait,
                             const cl_event *wait_list, cl_event *event, int transposed,
                             const clrs__conv_pads *pads)
{
    clrs__clear_error(ctx);
    const char *kn = transposed ? "conv_transpose" : "conv";
    if ((bias == NULL) != (b_mem == NULL))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s: bias descriptor is %s but bias_mem is %s", kn,
                          bias ? "given" : "NULL", b_mem ? "given" : "NULL");
    conv_plan plan;
    CLRS_FORWARD(conv_prepare(ctx, p, in, w, bias, out, transposed, pads, &plan));
    clrs_targ t[4] = {{*in, in_mem, 0}, {*out, out_mem, 1}, {*w, w_mem, 0}, {{0}, b_mem, 0}};
    if (bias) t[3].desc = *bias;
    return clrs__cl_call(ctx, &plan, t, bias ? 4 : 3, queue, num_wait, wait_list, event, conv_enqueue);
}

clrs_status clrs_conv(clrs_context *ctx, const clrs_conv_params *p, const clrs_tensor_desc *in, const void *in_data,
                      const clrs_tensor_desc *weight, const void *w_data, const clrs_tensor_desc *bias,
                      const void *bias_data, const clrs_tensor_desc *out, void *out_data)
{
    return host_common(ctx, p, in, in_data, weight, w_data, bias, bias_data, out, out_data, 0, NULL);
}

clrs_status clrs_conv_transpose(clrs_context *ctx, const clrs_conv_params *p, const clrs_tensor_desc *in,
                                const void *in_data, const clrs_tensor_desc *weight, const void *w_data,
                                const clrs_tensor_desc *bias, const void *bias_data, const clrs_tensor_desc *out,
                                void *out_data)
{
    return host_common(ctx, p, in, in_data, weight, w_data, bias, bias_data, out, out_data, 1, NULL);
}

clrs_status clrs_conv_cl(clrs_context *ctx, const clrs_conv_params *p, const clrs_tensor_desc *in, cl_mem in_mem,
                         const clrs_tensor_desc *weight, cl_mem w_mem, const clrs_tensor_desc *bias, cl_mem bias_mem,
                         const clrs_tensor_desc *out, cl_mem out_mem, cl_command_queue queue, cl_uint num_wait,
                         const cl_event *wait_list, cl_event *event)
{
    return cl_common(ctx, p, in, in_mem, weight, w_mem, bias, bias_mem, out, out_mem, queue, num_wait, wait_list, event,
                     0, NULL);
}

clrs_status clrs_conv_transpose_cl(clrs_context *ctx, const clrs_conv_params *p, const clrs_tensor_desc *in,
                                   cl_mem in_mem, const clrs_tensor_desc *weight, cl_mem w_mem,
                                   const clrs_tensor_desc *bias, cl_mem bias_mem, const clrs_tensor_desc *out,
                                   cl_mem out_mem, cl_command_queue queue, cl_uint num_wait,
                                   const cl_event *wait_list, cl_event *event)
{
    return cl_common(ctx, p, in, in_mem, weight, w_mem, bias, bias_mem, out, out_mem, queue, num_wait, wait_list, event,
                     1, NULL);
}

/* ---- the ONNX front-end's entry (src/ops/onnx_conv.c; conv_impl.h) ---------- */
clrs_status clrs__conv_pads_output_shape(clrs_context *ctx, const clrs_conv_params *p, const clrs__conv_pads *pads,
                                         const clrs_tensor_desc *in, const clrs_tensor_desc *w, int transposed,
                                         int64_t out_sizes[CLRS_MAX_RANK])
{
    return shape_common(ctx, p, in, w, transposed, pads, out_sizes);
}

clrs_status clrs__conv_pads_host(clrs_context *ctx, const clrs_conv_params *p, const clrs__conv_pads *pads,
                                 const clrs_tensor_desc *in, const void *in_data, const clrs_tensor_desc *w,
                                 const void *w_data, const clrs_tensor_desc *bias, const void *b_data,
                                 const clrs_tensor_desc *out, void *out_data, int transposed)
{
    return host_common(ctx, p, in, in_data, w, w_data, bias, b_data, out, out_data, transposed, pads);
}

clrs_status clrs__conv_pads_cl(clrs_context *ctx, const clrs_conv_params *p, const clrs__conv_pads *pads,
                               const clrs_tensor_desc *in, cl_mem in_mem, const clrs_tensor_desc *w, cl_mem w_mem,
                               const clrs_tensor_desc *bias, cl_mem b_mem, const clrs_tensor_desc *out, cl_mem out_mem,
                               cl_command_queue queue, cl_uint num_wait, const cl_event *wait_list, cl_event *event,
                               int transposed)
{
    return cl_common(ctx, p, in, in_mem, w, w_mem, bias, b_mem, out, out_mem, queue, num_wait, wait_list, event,
                     transposed, pads);
}
