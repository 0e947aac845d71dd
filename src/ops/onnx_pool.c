/* SPDX-License-Identifier: MIT */
/* ONNX's pooling, unpooling and depth/space operators (include/clresample/
 * onnx.h): MaxPool, AveragePool, LpPool, Global{Max,Average,Lp}Pool,
 * MaxUnpool, DepthToSpace, SpaceToDepth, as the ONNX operator docs and
 * onnx.reference define them. Only the host plans are new:
 *  - the pools are a clrs_pool_plan: a PyTorch one where the windows are
 *    PyTorch's (symmetric pads <= kernel/2; avg: no dilation), run by the
 *    whole "pool" list; else with plan.onnx set (begin pads in p3, end pads
 *    in pe3), run by pool.c's general engine built with -DONNX=1
 *    (cl/pool.cl: dilated avg / LP taps, ONNX's divisors, LP on |x|);
 *    MaxPool's Indices come out per plane as for PyTorch and a second
 *    launch ("clrs_pool_index_flat", cl/unpool.cl) makes them ONNX's
 *    whole-tensor indices in place, in storage_order's axis order;
 *  - MaxUnpool zeroes the output ("clrs_unpool_zero"), checks the range of
 *    the indices ("clrs_unpool_check" over the whole tensor as one plane)
 *    and scatters them ("clrs_unpool_scatter_flat");
 *  - DepthToSpace / SpaceToDepth are pixel_shuffle.c's plan, with -DDCR=1
 *    for ONNX's DCR channel order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clresample/onnx.h>

#include "pool_impl.h"

static const char *const op_names[] = {"MaxPool",          "AveragePool",       "LpPool",
                                       "GlobalMaxPool",    "GlobalAveragePool", "GlobalLpPool"};

void clrs_onnx_pool_params_init(clrs_onnx_pool_params *p, clrs_onnx_pool_op op)
{
    if (p == NULL) return;
    memset(p, 0, sizeof *p);
    p->struct_size = sizeof *p;
    p->op = op;
    p->auto_pad = CLRS_ONNX_NOTSET;
    p->p = 2;
}

void clrs_onnx_unpool_params_init(clrs_onnx_unpool_params *p)
{
    if (p == NULL) return;
    memset(p, 0, sizeof *p);
    p->struct_size = sizeof *p;
}

static int64_t floor_div(int64_t x, int64_t y)
{
    int64_t q = x / y, r = x % y;
    if (r != 0 && ((r < 0) != (y < 0))) --q;
    return q;
}

/* A list attribute: n must be 0 (absent: dflt) or want. */
static clrs_status onnx_list(const clrs_context *ctx, const char *op, const char *what, int n, const int64_t *v,
                             int want, int64_t dflt, int64_t min, int64_t *out)
{
    if (n != 0 && n != want)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: %s has %d values, expected %d", op, what, n, want);
    for (int i = 0; i < want; i++) {
        out[i] = n ? v[i] : dflt;
        if (out[i] < min)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: %s[%d] is %lld, must be >= %lld", op, what, i,
                              (long long)out[i], (long long)min);
    }
    return CLRS_OK;
}

/* ---- the pooling plan -------------------------------------------------------- */
static clrs_status onnx_pool_plan(clrs_context *ctx, const clrs_tensor_desc *x, const clrs_onnx_pool_params *p,
                                  clrs_pool_plan *plan)
{
    if (p == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "onnx pooling: params is NULL");
    if (p->struct_size != sizeof *p)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG,
                          "clrs_onnx_pool_params.struct_size is %zu, expected %zu (call clrs_onnx_pool_params_init)",
                          p->struct_size, sizeof *p);
    if ((unsigned)p->op >= CLRS_ARRAY_LEN(op_names))
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "onnx pooling: op %d is not a clrs_onnx_pool_op", (int)p->op);
    const char *on = op_names[p->op];
    CLRS_FORWARD(clrs__check_desc(ctx, x, "X", 0));
    if (x->rank < 3 || x->rank > 5)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: X must have rank 3 to 5 (N, C, 1 to 3 spatial axes), got %d",
                          on, x->rank);
    const int sp = x->rank - 2;
    const int global = p->op >= CLRS_ONNX_GLOBAL_MAX_POOL;
    memset(plan, 0, sizeof *plan);
    plan->onnx = 1;
    plan->sp = sp;
    switch (p->op) {
    case CLRS_ONNX_MAX_POOL:
    case CLRS_ONNX_GLOBAL_MAX_POOL: plan->kind = CLRS_POOL_MAX; break;
    case CLRS_ONNX_AVERAGE_POOL:
    case CLRS_ONNX_GLOBAL_AVERAGE_POOL: plan->kind = CLRS_POOL_AVG; break;
    default: plan->kind = CLRS_POOL_LP; break;
    }
    for (int a = 0; a < 3; a++) {
        plan->in3[a] = plan->out3[a] = plan->k3[a] = plan->s3[a] = plan->d3[a] = 1;
        plan->p3[a] = plan->pe3[a] = 0;
    }
    for (int i = 0; i < sp; i++) {
        plan->in3[3 - sp + i] = x->sizes[2 + i];
        if (x->sizes[2 + i] == 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: X's spatial axis %d is empty", on, 2 + i);
    }
    if (plan->kind == CLRS_POOL_LP) {
        if (p->p < 1)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: p must be >= 1, got %lld", on, (long long)p->p);
        plan->norm_type = (double)p->p;
    }
    plan->count_include_pad = plan->kind == CLRS_POOL_LP || (p->op == CLRS_ONNX_AVERAGE_POOL && p->count_include_pad);
    if (p->op == CLRS_ONNX_AVERAGE_POOL && p->count_include_pad != 0 && p->count_include_pad != 1)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: count_include_pad must be 0 or 1, got %d", on,
                          p->count_include_pad);
    if (p->op == CLRS_ONNX_MAX_POOL && p->storage_order != 0 && p->storage_order != 1)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: storage_order must be 0 or 1, got %d", on, p->storage_order);
    if (p->ceil_mode != 0 && p->ceil_mode != 1)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: ceil_mode must be 0 or 1, got %d", on, p->ceil_mode);
    if ((unsigned)p->auto_pad > CLRS_ONNX_VALID)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: auto_pad %d is not a clrs_onnx_auto_pad", on, (int)p->auto_pad);

    int64_t k[3], s[3], d[3], pads[6] = {0, 0, 0, 0, 0, 0}, out[3];
    if (global) {
        for (int i = 0; i < sp; i++) {
            k[i] = x->sizes[2 + i];
            s[i] = d[i] = 1;
            out[i] = 1;
        }
    } else {
        if (p->n_kernel_shape != sp)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: kernel_shape has %d values but X has %d spatial axes", on,
                              p->n_kernel_shape, sp);
        CLRS_FORWARD(onnx_list(ctx, on, "kernel_shape", p->n_kernel_shape, p->kernel_shape, sp, 1, 1, k));
        CLRS_FORWARD(onnx_list(ctx, on, "strides", p->n_strides, p->strides, sp, 1, 1, s));
        CLRS_FORWARD(onnx_list(ctx, on, "dilations", p->n_dilations, p->dilations, sp, 1, 1, d));
        CLRS_FORWARD(onnx_list(ctx, on, "pads", p->n_pads, p->pads, 2 * sp, 0, 0, pads));
        if (p->auto_pad != CLRS_ONNX_NOTSET && p->n_pads != 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                              "%s: pads cannot be given together with auto_pad %s (ONNX: explicit pads need NOTSET)", on,
                              p->auto_pad == CLRS_ONNX_VALID ? "VALID" : p->auto_pad == CLRS_ONNX_SAME_UPPER ? "SAME_UPPER"
                                                                                                           : "SAME_LOWER");
        if (p->auto_pad != CLRS_ONNX_NOTSET && p->ceil_mode)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                              "%s: ceil_mode 1 with auto_pad is not defined (onnx.reference refuses it)", on);
        for (int i = 0; i < sp; i++) {
            int64_t eff, num;
            if (__builtin_mul_overflow(d[i], k[i] - 1, &eff) || __builtin_add_overflow(eff, (int64_t)1, &eff))
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: dilated kernel overflows 64 bits (axis %d)", on, 2 + i);
            const int64_t in = x->sizes[2 + i];
            if (p->auto_pad == CLRS_ONNX_SAME_UPPER || p->auto_pad == CLRS_ONNX_SAME_LOWER) {
                out[i] = floor_div(in - 1, s[i]) + 1;
                /* (out - 1) * stride + eff - in, ordered so that it cannot overflow:
                 * 1 <= in - (out - 1) * stride <= stride */
                int64_t tot = eff - (in - (out[i] - 1) * s[i]);
                if (tot < 0) tot = 0;
                int64_t small = tot / 2, big = tot - small;
                pads[i] = p->auto_pad == CLRS_ONNX_SAME_UPPER ? small : big;
                pads[sp + i] = p->auto_pad == CLRS_ONNX_SAME_UPPER ? big : small;
            } else if (p->auto_pad == CLRS_ONNX_VALID) {
                out[i] = in >= eff ? floor_div(in - eff, s[i]) + 1 : 0;
            } else {
                if (pads[i] >= k[i] || pads[sp + i] >= k[i])
                    return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                      "%s: pads must be smaller than the kernel (as onnxruntime requires), but axis %d "
                                      "has pads %lld, %lld and kernel_shape %lld",
                                      on, 2 + i, (long long)pads[i], (long long)pads[sp + i], (long long)k[i]);
                if (__builtin_add_overflow(in, pads[i], &num) || __builtin_add_overflow(num, pads[sp + i], &num))
                    return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: padded size overflows 64 bits (axis %d)", on, 2 + i);
                num -= eff;
                if (p->ceil_mode) {
                    /* ceil(num / stride) without num + stride - 1, which overflows
                     * for huge strides */
                    out[i] = (num >= 0 ? num / s[i] + (num % s[i] != 0) : floor_div(num, s[i])) + 1;
                    int64_t last;
                    if (__builtin_mul_overflow(out[i] - 1, s[i], &last) || last >= in + pads[i]) out[i]--;
                } else {
                    out[i] = floor_div(num, s[i]) + 1;
                }
            }
            if (out[i] < 1)
                return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                                  "%s: the output would be empty along axis %d (input %lld, kernel_shape %lld, "
                                  "dilation %lld, pads %lld+%lld, stride %lld)",
                                  on, 2 + i, (long long)in, (long long)k[i], (long long)d[i], (long long)pads[i],
                                  (long long)pads[sp + i], (long long)s[i]);
        }
        plan->ceil_mode = p->ceil_mode;
    }
    for (int i = 0; i < sp; i++) {
        int a = 3 - sp + i;
        plan->k3[a] = k[i];
        plan->s3[a] = s[i];
        plan->d3[a] = d[i];
        plan->p3[a] = pads[i];
        plan->pe3[a] = pads[sp + i];
        plan->out3[a] = out[i];
    }
    /* Where the ONNX windows are PyTorch's (max: symmetric pads <= k/2; avg:
     * also no dilation; the global max / average), the plan is a PyTorch
     * plan: the same shape rule and divisors, so the whole "pool" list (the
     * window forms, global) may take it. Otherwise only the general engine
     * built with -DONNX=1 runs it. */
    int torch_windows = plan->kind == CLRS_POOL_MAX || plan->kind == CLRS_POOL_AVG;
    for (int a = 0; a < 3; a++)
        if (plan->p3[a] != plan->pe3[a] || plan->p3[a] > plan->k3[a] / 2 ||
            (plan->kind == CLRS_POOL_AVG && plan->d3[a] != 1))
            torch_windows = 0;
    if (torch_windows) plan->onnx = 0;
    plan->out_sizes[0] = x->sizes[0];
    plan->out_sizes[1] = x->sizes[1];
    for (int i = 0; i < sp; i++) plan->out_sizes[2 + i] = out[i];
    plan->numel_out = 1;
    for (int i = 0; i < x->rank; i++)
        if (__builtin_mul_overflow(plan->numel_out, plan->out_sizes[i], &plan->numel_out))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: output element count overflows 64 bits", on);
    return CLRS_OK;
}

clrs_status clrs_onnx_pool_output_shape(clrs_context *ctx, const clrs_tensor_desc *x, const clrs_onnx_pool_params *p,
                                        int64_t out_sizes[CLRS_MAX_RANK])
{
    clrs__clear_error(ctx);
    if (out_sizes == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "onnx pooling: out_sizes is NULL");
    clrs_pool_plan plan;
    CLRS_FORWARD(onnx_pool_plan(ctx, x, p, &plan));
    for (int i = 0; i < CLRS_MAX_RANK; i++) out_sizes[i] = i < x->rank ? plan.out_sizes[i] : 0;
    return CLRS_OK;
}

typedef struct onnx_pool_op {
    clrs_pool_plan plan;
    int storage_order;
} onnx_pool_op;

/* The pool launch, then (with Indices) the in-place flattening. */
static clrs_status onnx_pool_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                                     cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    const onnx_pool_op *po = op;
    if (nt < 3 || po->plan.numel_out == 0) return clrs__pool_enqueue(ctx, &po->plan, t, nt, q, nwait, wait, ev);
    cl_event pooled = NULL;
    clrs_status st = clrs__pool_enqueue(ctx, &po->plan, t, nt, q, nwait, wait, &pooled);
    if (st != CLRS_OK) return st;
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "ELEM_T=ulong");
    cl_kernel k = NULL;
    st = clrs__pool_get_kernel(ctx, "unpool", &o, 0, "clrs_pool_index_flat", &k);
    if (st == CLRS_OK) {
        const clrs_tensor_desc *xd = &t[2].desc;
        cl_long8 xsz, xst;
        clrs__iter_ncdhw(xd, &xsz, &xst);
        cl_long xoff = xd->offset;
        cl_long4 in3 = clrs__long4_of(po->plan.in3);
        cl_int cm = po->storage_order, ord = clrs__iter_channels_last(xd);
        clrs_kargs a = clrs__kargs(ctx, k);
        CLRS_KARG(&a, t[2].mem);
        CLRS_KARG(&a, xoff);
        CLRS_KARG(&a, xsz);
        CLRS_KARG(&a, xst);
        CLRS_KARG(&a, in3);
        CLRS_KARG(&a, cm);
        CLRS_KARG(&a, ord);
        st = a.st;
        size_t g[3];
        clrs__iter_grid(&xsz, ord, g);
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 3, g, pooled ? 1 : 0, pooled ? &pooled : NULL, ev);
        if (k != NULL) clReleaseKernel(k);
    }
    if (pooled) clReleaseEvent(pooled);
    return st;
}

static clrs_status onnx_pool_prepare(clrs_context *ctx, const clrs_onnx_pool_params *p, const clrs_tensor_desc *x,
                                     const clrs_tensor_desc *y, const clrs_tensor_desc *indices, onnx_pool_op *po)
{
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "onnx pooling: ctx is NULL");
    CLRS_FORWARD(onnx_pool_plan(ctx, x, p, &po->plan));
    po->storage_order = p->storage_order;
    const char *on = op_names[p->op];
    CLRS_FORWARD(clrs__check_output(ctx, on, y, x->rank, po->plan.out_sizes, x->dtype));
    const clrs_dtype dt = x->dtype;
    if (clrs__pool_dtype_define(dt) == NULL)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s does not take dtype %s (f32, f64, f16, bf16%s)", on,
                          clrs_dtype_name(dt), po->plan.kind == CLRS_POOL_MAX ? ", u8, u16" : "");
    if (po->plan.kind != CLRS_POOL_MAX && (dt == CLRS_U8 || dt == CLRS_U16))
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s takes floating-point dtypes only, got %s", on,
                          clrs_dtype_name(dt));
    if (dt == CLRS_F64 && !ctx->fp64)
        return clrs__fail(ctx, CLRS_ERR_UNSUPPORTED, "%s: f64 needs a device with fp64 support; '%s' has none", on,
                          ctx->info.name);
    if (indices != NULL) {
        if (p->op != CLRS_ONNX_MAX_POOL)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s has no Indices output (only MaxPool has)", on);
        CLRS_FORWARD(clrs__check_desc(ctx, indices, "Indices", 1));
        if (indices->dtype != CLRS_I64)
            return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s: Indices must be i64, got %s", on,
                              clrs_dtype_name(indices->dtype));
        if (indices->rank != x->rank || !clrs__desc_same_sizes(indices, po->plan.out_sizes)) {
            char want[128], got[128];
            clrs__format_sizes(want, sizeof want, x->rank, po->plan.out_sizes);
            clrs__format_sizes(got, sizeof got, indices->rank, indices->sizes);
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: Indices sizes %s do not match Y's %s", on, got, want);
        }
    }
    return CLRS_OK;
}

clrs_status clrs_onnx_pool(clrs_context *ctx, const clrs_onnx_pool_params *p, const clrs_tensor_desc *x,
                           const void *x_data, const clrs_tensor_desc *y, void *y_data, const clrs_tensor_desc *indices,
                           void *idx_data)
{
    clrs__clear_error(ctx);
    if ((indices == NULL) != (idx_data == NULL))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "onnx pooling: indices descriptor is %s but idx_data is %s",
                          indices ? "given" : "NULL", idx_data ? "given" : "NULL");
    onnx_pool_op po;
    CLRS_FORWARD(onnx_pool_prepare(ctx, p, x, y, indices, &po));
    if (po.plan.numel_out > 0 && (y_data == NULL || (x_data == NULL && clrs_tensor_desc_numel(x) > 0)))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s: %s data pointer is NULL", op_names[p->op],
                          y_data ? "X" : "Y");
    clrs_host_tensor ht[3] = {{x, x_data, 0}, {y, y_data, 1}, {indices, idx_data, 1}};
    return clrs__host_call(ctx, &po, ht, indices ? 3 : 2, onnx_pool_enqueue);
}

clrs_status clrs_onnx_pool_cl(clrs_context *ctx, const clrs_onnx_pool_params *p, const clrs_tensor_desc *x,
                              cl_mem x_mem, const clrs_tensor_desc *y, cl_mem y_mem, const clrs_tensor_desc *indices,
                              cl_mem idx_mem, cl_command_queue queue, cl_uint num_wait, const cl_event *wait_list,
                              cl_event *event)
{
    clrs__clear_error(ctx);
    if (indices == NULL && idx_mem != NULL)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "onnx pooling: idx_mem is given without an indices descriptor");
    onnx_pool_op po;
    CLRS_FORWARD(onnx_pool_prepare(ctx, p, x, y, indices, &po));
    clrs_targ t[3] = {{*x, x_mem, 0}, {*y, y_mem, 1}, {{0}, idx_mem, 1}};
    if (indices) t[2].desc = *indices;
    return clrs__cl_call(ctx, &po, t, indices ? 3 : 2, queue, num_wait, wait_list, event, onnx_pool_enqueue);
}

/* ---- MaxUnpool ------------------------------------------------------------------ */
typedef struct onnx_unpool_plan {
    int rank;
    int64_t inf[CLRS_MAX_RANK];       /* the inferred shape */
    int64_t out_sizes[CLRS_MAX_RANK]; /* output_shape or inf */
    int64_t numel_out, numel_inf, numel_in;
} onnx_unpool_plan;

static clrs_status onnx_unpool_plan_make(clrs_context *ctx, const clrs_tensor_desc *x,
                                         const clrs_onnx_unpool_params *p, onnx_unpool_plan *plan)
{
    const char *on = "MaxUnpool";
    if (p == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s: params is NULL", on);
    if (p->struct_size != sizeof *p)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG,
                          "clrs_onnx_unpool_params.struct_size is %zu, expected %zu (call clrs_onnx_unpool_params_init)",
                          p->struct_size, sizeof *p);
    CLRS_FORWARD(clrs__check_desc(ctx, x, "X", 0));
    if (x->rank < 3 || x->rank > 5)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: X must have rank 3 to 5, got %d", on, x->rank);
    const int sp = x->rank - 2;
    memset(plan, 0, sizeof *plan);
    plan->rank = x->rank;
    int64_t k[3], s[3], pads[6];
    if (p->n_kernel_shape != sp)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: kernel_shape has %d values but X has %d spatial axes", on,
                          p->n_kernel_shape, sp);
    CLRS_FORWARD(onnx_list(ctx, on, "kernel_shape", p->n_kernel_shape, p->kernel_shape, sp, 1, 1, k));
    CLRS_FORWARD(onnx_list(ctx, on, "strides", p->n_strides, p->strides, sp, 1, 1, s));
    CLRS_FORWARD(onnx_list(ctx, on, "pads", p->n_pads, p->pads, 2 * sp, 0, 0, pads));
    plan->inf[0] = x->sizes[0];
    plan->inf[1] = x->sizes[1];
    for (int i = 0; i < sp; i++) {
        int64_t v;
        if (__builtin_mul_overflow(x->sizes[2 + i] - 1, s[i], &v) || __builtin_add_overflow(v, k[i], &v) ||
            __builtin_sub_overflow(v, pads[i] + pads[sp + i], &v))
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: the inferred size overflows 64 bits (axis %d)", on, 2 + i);
        if (v < 0 || (x->sizes[2 + i] > 0 && v == 0))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "%s: the inferred output size (in - 1)*stride - pads + kernel is %lld along axis %d", on,
                              (long long)v, 2 + i);
        plan->inf[2 + i] = v;
    }
    memcpy(plan->out_sizes, plan->inf, sizeof plan->inf);
    if (p->n_output_shape > 0) {
        if (p->n_output_shape != x->rank)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: output_shape has %d values but X has rank %d", on,
                              p->n_output_shape, x->rank);
        for (int i = 0; i < x->rank; i++) {
            int64_t v = p->output_shape[i];
            if (i < 2 ? v != plan->inf[i] : v < plan->inf[i]) {
                char a[128], b[128];
                clrs__format_sizes(a, sizeof a, x->rank, p->output_shape);
                clrs__format_sizes(b, sizeof b, x->rank, plan->inf);
                return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                                  "%s: output_shape %s must keep N and C and be at least the inferred shape %s "
                                  "(axis %d: %lld)",
                                  on, a, b, i, (long long)v);
            }
            plan->out_sizes[i] = v;
        }
    }
    plan->numel_out = plan->numel_inf = 1;
    for (int i = 0; i < x->rank; i++)
        if (__builtin_mul_overflow(plan->numel_out, plan->out_sizes[i], &plan->numel_out) ||
            __builtin_mul_overflow(plan->numel_inf, plan->inf[i], &plan->numel_inf))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: output element count overflows 64 bits", on);
    plan->numel_in = clrs_tensor_desc_numel(x);
    return CLRS_OK;
}

clrs_status clrs_onnx_max_unpool_output_shape(clrs_context *ctx, const clrs_tensor_desc *x,
                                              const clrs_onnx_unpool_params *p, int64_t out_sizes[CLRS_MAX_RANK])
{
    clrs__clear_error(ctx);
    if (out_sizes == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "MaxUnpool: out_sizes is NULL");
    onnx_unpool_plan plan;
    CLRS_FORWARD(onnx_unpool_plan_make(ctx, x, p, &plan));
    for (int i = 0; i < CLRS_MAX_RANK; i++) out_sizes[i] = i < x->rank ? plan.out_sizes[i] : 0;
    return CLRS_OK;
}

/* (N, C, D, H, W) of an n-D shape. */
static cl_long8 ncdhw_of(int rank, const int64_t *sz)
{
    cl_long8 r;
    memset(&r, 0, sizeof r);
    r.s[0] = sz[0];
    r.s[1] = sz[1];
    for (int a = 2; a < 5; a++) r.s[a] = 1;
    for (int i = 2; i < rank; i++) r.s[5 - rank + i] = sz[i];
    return r;
}

static clrs_status unpool_get(clrs_context *ctx, size_t es, const char *kernel, cl_kernel *k)
{
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "ELEM_T=%s", clrs__elem_type(es));
    return clrs__pool_get_kernel(ctx, "unpool", &o, 0, kernel, k);
}

static clrs_status onnx_unpool_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                                       cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    (void)nt;
    const onnx_unpool_plan *plan = op;
    if (plan->numel_out == 0) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    const int dry = clrs__dry_run();
    const size_t es = clrs_dtype_size(t[0].desc.dtype);
    const clrs_tensor_desc *yd = &t[2].desc;
    cl_long8 isz, ist, xsz, xst, osz, ost, inf = ncdhw_of(plan->rank, plan->inf);
    clrs__iter_ncdhw(&t[0].desc, &isz, &ist);
    clrs__iter_ncdhw(&t[1].desc, &xsz, &xst);
    clrs__iter_ncdhw(yd, &osz, &ost);
    cl_int ord = clrs__iter_channels_last(yd);
    cl_long soff = t[0].desc.offset, xoff = t[1].desc.offset, doff = yd->offset;
    clrs_status st = CLRS_OK;
    cl_int e;
    cl_int flags[2] = {0, 0};
    cl_mem fm = NULL;
    cl_event checked = NULL, zeroed = NULL;
    cl_kernel k = NULL;
    /* 1. zero the output */
    st = unpool_get(ctx, es, "clrs_unpool_zero", &k);
    if (st == CLRS_OK) {
        clrs_kargs a = clrs__kargs(ctx, k);
        CLRS_KARG(&a, t[2].mem);
        CLRS_KARG(&a, doff);
        CLRS_KARG(&a, osz);
        CLRS_KARG(&a, ost);
        CLRS_KARG(&a, ord);
        st = a.st;
        size_t g[3];
        clrs__iter_grid(&osz, ord, g);
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 3, g, nwait, wait, &zeroed);
        if (k) clReleaseKernel(k);
        k = NULL;
    }
    if (st != CLRS_OK || plan->numel_in == 0) goto done;
    /* 2. the range check: the whole inferred tensor as one plane */
    fm = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof flags, flags, &e);
    if (e != CL_SUCCESS) {
        st = clrs__fail_cl(ctx, e, "clCreateBuffer (MaxUnpool flags)");
        goto done;
    }
    st = unpool_get(ctx, es, "clrs_unpool_check", &k);
    if (st == CLRS_OK) {
        int64_t whole[3] = {plan->numel_inf, 1, 1};
        cl_long4 o3 = clrs__long4_of(whole), one = clrs__long4_of((int64_t[3]){1, 1, 1}),
                 zero = clrs__long4_of((int64_t[3]){0, 0, 0});
        cl_int windowed = 0;
        clrs_kargs a = clrs__kargs(ctx, k);
        CLRS_KARG(&a, t[1].mem);
        CLRS_KARG(&a, xoff);
        CLRS_KARG(&a, xsz);
        CLRS_KARG(&a, xst);
        CLRS_KARG(&a, o3);
        CLRS_KARG(&a, one);
        CLRS_KARG(&a, one);
        CLRS_KARG(&a, zero);
        CLRS_KARG(&a, windowed);
        CLRS_KARG(&a, fm);
        st = a.st;
        size_t g[3];
        clrs__iter_grid(&xsz, 0, g);
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 3, g, zeroed ? 1 : 0, zeroed ? &zeroed : NULL, &checked);
        if (k) clReleaseKernel(k);
        k = NULL;
    }
    if (st == CLRS_OK && !dry) {
        e = clEnqueueReadBuffer(q, fm, CL_TRUE, 0, sizeof flags, flags, checked ? 1 : 0, checked ? &checked : NULL,
                                NULL);
        if (e != CL_SUCCESS) st = clrs__fail_cl(ctx, e, "clEnqueueReadBuffer (MaxUnpool flags)");
    }
    if (st == CLRS_OK && flags[0])
        st = clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                        "MaxUnpool: an index of I lies outside [0, %lld) (the inferred output's element count)",
                        (long long)plan->numel_inf);
    if (st != CLRS_OK) goto done;
    /* 3. the scatter */
    st = unpool_get(ctx, es, "clrs_unpool_scatter_flat", &k);
    if (st == CLRS_OK) {
        clrs_kargs a = clrs__kargs(ctx, k);
        CLRS_KARG(&a, t[0].mem);
        CLRS_KARG(&a, soff);
        CLRS_KARG(&a, t[1].mem);
        CLRS_KARG(&a, xoff);
        CLRS_KARG(&a, t[2].mem);
        CLRS_KARG(&a, doff);
        CLRS_KARG(&a, isz);
        CLRS_KARG(&a, ist);
        CLRS_KARG(&a, xst);
        CLRS_KARG(&a, inf);
        CLRS_KARG(&a, ost);
        st = a.st;
        size_t g[3] = {(size_t)isz.s[1], (size_t)isz.s[0], 1};
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 3, g, checked ? 1 : 0, checked ? &checked : NULL, ev);
        if (k) clReleaseKernel(k);
        k = NULL;
    }
    if (checked) clReleaseEvent(checked);
    if (zeroed) clReleaseEvent(zeroed);
    if (fm) clReleaseMemObject(fm);
    return st;
done:
    /* the output is all zeros (no input) or an error: the event is the zeroing's */
    if (st == CLRS_OK && ev != NULL) {
        *ev = zeroed;
        zeroed = NULL;
    }
    if (checked) clReleaseEvent(checked);
    if (zeroed) clReleaseEvent(zeroed);
    if (fm) clReleaseMemObject(fm);
    return st;
}

static clrs_status onnx_unpool_prepare(clrs_context *ctx, const clrs_onnx_unpool_params *p, const clrs_tensor_desc *x,
                                       const clrs_tensor_desc *indices, const clrs_tensor_desc *y,
                                       onnx_unpool_plan *plan)
{
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "MaxUnpool: ctx is NULL");
    CLRS_FORWARD(onnx_unpool_plan_make(ctx, x, p, plan));
    CLRS_FORWARD(clrs__check_desc(ctx, indices, "I", 0));
    if (indices->dtype != CLRS_I64)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "MaxUnpool: I must be i64, got %s", clrs_dtype_name(indices->dtype));
    if (indices->rank != x->rank || !clrs__desc_same_sizes(indices, x->sizes)) {
        char a[128], b[128];
        clrs__format_sizes(a, sizeof a, indices->rank, indices->sizes);
        clrs__format_sizes(b, sizeof b, x->rank, x->sizes);
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "MaxUnpool: I has sizes %s, X has %s (they must match)", a, b);
    }
    CLRS_FORWARD(clrs__check_output(ctx, "MaxUnpool", y, x->rank, plan->out_sizes, x->dtype));
    return CLRS_OK;
}

clrs_status clrs_onnx_max_unpool(clrs_context *ctx, const clrs_onnx_unpool_params *p, const clrs_tensor_desc *x,
                                 const void *x_data, const clrs_tensor_desc *indices, const void *idx_data,
                                 const clrs_tensor_desc *y, void *y_data)
{
    clrs__clear_error(ctx);
    onnx_unpool_plan plan;
    CLRS_FORWARD(onnx_unpool_prepare(ctx, p, x, indices, y, &plan));
    if ((plan.numel_in > 0 && (x_data == NULL || idx_data == NULL)) || (plan.numel_out > 0 && y_data == NULL))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "MaxUnpool: %s data pointer is NULL",
                          x_data == NULL ? "X" : idx_data == NULL ? "I" : "Y");
    clrs_host_tensor ht[3] = {{x, x_data, 0}, {indices, idx_data, 0}, {y, y_data, 1}};
    return clrs__host_call(ctx, &plan, ht, 3, onnx_unpool_enqueue);
}

clrs_status clrs_onnx_max_unpool_cl(clrs_context *ctx, const clrs_onnx_unpool_params *p, const clrs_tensor_desc *x,
                                    cl_mem x_mem, const clrs_tensor_desc *indices, cl_mem idx_mem,
                                    const clrs_tensor_desc *y, cl_mem y_mem, cl_command_queue queue, cl_uint num_wait,
                                    const cl_event *wait_list, cl_event *event)
{
    clrs__clear_error(ctx);
    onnx_unpool_plan plan;
    CLRS_FORWARD(onnx_unpool_prepare(ctx, p, x, indices, y, &plan));
    clrs_targ t[3] = {{*x, x_mem, 0}, {*indices, idx_mem, 0}, {*y, y_mem, 1}};
    return clrs__cl_call(ctx, &plan, t, 3, queue, num_wait, wait_list, event, onnx_unpool_enqueue);
}

/* ---- DepthToSpace / SpaceToDepth --------------------------------------------------- */
/* pixel_shuffle.c's messages name torch's op: say which ONNX op it was. */
static clrs_status depth_fail(clrs_context *ctx, const char *on, int64_t b, clrs_status st)
{
    if (st == CLRS_OK || ctx == NULL) return st;
    char prev[400];
    snprintf(prev, sizeof prev, "%s", clrs_last_error(ctx));
    return clrs__fail(ctx, st, "%s (blocksize %lld): %s", on, (long long)b, prev);
}

static clrs_status depth_mode_ok(const clrs_context *ctx, const char *on, clrs_onnx_depth_mode mode, int64_t b)
{
    if (mode != CLRS_ONNX_DCR && mode != CLRS_ONNX_CRD)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: mode %d is neither CLRS_ONNX_DCR nor CLRS_ONNX_CRD", on,
                          (int)mode);
    if (b <= 0) return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: blocksize must be > 0, got %lld", on, (long long)b);
    return CLRS_OK;
}

clrs_status clrs_onnx_depth_to_space_output_shape(clrs_context *ctx, const clrs_tensor_desc *x, int64_t blocksize,
                                                  int64_t out_sizes[CLRS_MAX_RANK])
{
    clrs__clear_error(ctx);
    CLRS_FORWARD(depth_mode_ok(ctx, "DepthToSpace", CLRS_ONNX_DCR, blocksize));
    return depth_fail(ctx, "DepthToSpace", blocksize,
                      clrs__shuffle_output_shape(ctx, "DepthToSpace", x, blocksize, 0, out_sizes));
}

clrs_status clrs_onnx_space_to_depth_output_shape(clrs_context *ctx, const clrs_tensor_desc *x, int64_t blocksize,
                                                  int64_t out_sizes[CLRS_MAX_RANK])
{
    clrs__clear_error(ctx);
    CLRS_FORWARD(depth_mode_ok(ctx, "SpaceToDepth", CLRS_ONNX_DCR, blocksize));
    return depth_fail(ctx, "SpaceToDepth", blocksize,
                      clrs__shuffle_output_shape(ctx, "SpaceToDepth", x, blocksize, 1, out_sizes));
}

clrs_status clrs_onnx_depth_to_space(clrs_context *ctx, int64_t blocksize, clrs_onnx_depth_mode mode,
                                     const clrs_tensor_desc *x, const void *x_data, const clrs_tensor_desc *y,
                                     void *y_data)
{
    clrs__clear_error(ctx);
    CLRS_FORWARD(depth_mode_ok(ctx, "DepthToSpace", mode, blocksize));
    return depth_fail(ctx, "DepthToSpace", blocksize,
                      clrs__shuffle_host(ctx, "DepthToSpace", blocksize, 0, mode == CLRS_ONNX_DCR, x, x_data, y, y_data));
}

clrs_status clrs_onnx_depth_to_space_cl(clrs_context *ctx, int64_t blocksize, clrs_onnx_depth_mode mode,
                                        const clrs_tensor_desc *x, cl_mem x_mem, const clrs_tensor_desc *y,
                                        cl_mem y_mem, cl_command_queue queue, cl_uint num_wait,
                                        const cl_event *wait_list, cl_event *event)
{
    clrs__clear_error(ctx);
    CLRS_FORWARD(depth_mode_ok(ctx, "DepthToSpace", mode, blocksize));
    return depth_fail(ctx, "DepthToSpace", blocksize,
                      clrs__shuffle_cl(ctx, "DepthToSpace", blocksize, 0, mode == CLRS_ONNX_DCR, x, x_mem, y, y_mem,
                                       queue, num_wait, wait_list, event));
}

clrs_status clrs_onnx_space_to_depth(clrs_context *ctx, int64_t blocksize, clrs_onnx_depth_mode mode,
                                     const clrs_tensor_desc *x, const void *x_data, const clrs_tensor_desc *y,
                                     void *y_data)
{
    clrs__clear_error(ctx);
    CLRS_FORWARD(depth_mode_ok(ctx, "SpaceToDepth", mode, blocksize));
    return depth_fail(ctx, "SpaceToDepth", blocksize,
                      clrs__shuffle_host(ctx, "SpaceToDepth", blocksize, 1, mode == CLRS_ONNX_DCR, x, x_data, y, y_data));
}

clrs_status clrs_onnx_space_to_depth_cl(clrs_context *ctx, int64_t blocksize, clrs_onnx_depth_mode mode,
                                        const clrs_tensor_desc *x, cl_mem x_mem, const clrs_tensor_desc *y,
                                        cl_mem y_mem, cl_command_queue queue, cl_uint num_wait,
                                        const cl_event *wait_list, cl_event *event)
{
    clrs__clear_error(ctx);
    CLRS_FORWARD(depth_mode_ok(ctx, "SpaceToDepth", mode, blocksize));
    return depth_fail(ctx, "SpaceToDepth", blocksize,
                      clrs__shuffle_cl(ctx, "SpaceToDepth", blocksize, 1, mode == CLRS_ONNX_DCR, x, x_mem, y, y_mem,
                                       queue, num_wait, wait_list, event));
}
