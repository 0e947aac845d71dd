/* SPDX-License-Identifier: MIT */
/* Pooling (max, avg, LP, adaptive avg / max, fractional max), max unpooling
 * and pixel shuffle: PyTorch's argument checks and shape rules, and the
 * launches of the kernels in cl/pool.cl.
 *
 * Shape rules (torch 2.15, aten/src/ATen/native/Pool.h and friends):
 *   out = div_rtn(in + 2p - d(k-1) - 1 + (ceil ? s-1 : 0), s) + 1, minus one
 *   when ceil_mode and (out-1)*s >= in + p (the last window must start
 *   inside the input or the left padding); out >= 1; 0 <= p <= k/2 on the
 *   raw kernel (torch 2.15's pool2d/3d_shape_check); avg_pool3d (and LP
 *   3-D with a finite p, which is avg_pool3d) need in >= k.
 * The one shape function is clrs__pool_plan(); clrs_pool_output_shape(), the
 * CLI and the tests all go through it.
 *
 * Dtypes: f32, f64 (device fp64), f16 and bf16 (stored as such, computed in
 * float) for everything; u8 and u16 for max, avg (truncated integer mean;
 * torch has no uint8 avg pooling), adaptive and fractional pooling and LP
 * with p = +-inf; unpool and pixel shuffle copy bits, so any dtype. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "ops.h"

void clrs_pool_params_init(clrs_pool_params *p, clrs_pool_kind kind)
{
    if (p == NULL) return;
    memset(p, 0, sizeof *p);
    p->struct_size = sizeof *p;
    p->kind = kind;
    p->count_include_pad = 1;
    p->norm_type = 2.0;
    p->samples_dtype = CLRS_DTYPE_INVALID;
}

void clrs_unpool_params_init(clrs_unpool_params *p)
{
    if (p == NULL) return;
    memset(p, 0, sizeof *p);
    p->struct_size = sizeof *p;
}

static const char *const kind_names[] = {"max_pool", "avg_pool", "lp_pool", "adaptive_avg_pool",
                                         "adaptive_max_pool", "fractional_max_pool"};
static const char *const axis_names[3] = {"depth", "height", "width"};

/* Kernel algorithm codes (ALGO in cl/pool.cl). */
enum { A_MAX = 0, A_AVG = 1, A_LP = 2, A_AAVG = 3, A_AMAX = 4, A_FMAX = 5 };

/* Work-groups of global pooling only pay off on large planes. */
#define GLOBAL_POOL_MIN_PLANE 4096
/* Window-size specialised programs only pay off on large outputs. */
#define FULL_MIN_OUTPUT 4096

/* ---- small helpers --------------------------------------------------------- */
static int64_t div_rtn(int64_t x, int64_t y)
{
    int64_t q = x / y, r = x % y;
    if (r != 0 && ((r < 0) != (y < 0))) --q;
    return q;
}

/* Spatial list parameter into the 3-axis (D, H, W) form: axis 3-sp+i gets
 * entry i; leading axes keep `lead`. n must be 1 or sp (or 0 when allowed,
 * giving dflt). */
static clrs_status list3(const clrs_context *ctx, const char *op, const char *what, int n, const int64_t *v, int sp,
                         int allow0, int64_t dflt, int64_t lead, int64_t out3[3])
{
    if (n == 0 && !allow0) return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: %s is required", op, what);
    if (n < 0 || n > 3 || (n > 1 && n != sp))
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: %s has %d values but the input has %d spatial dimension%s", op,
                          what, n, sp, sp == 1 ? "" : "s");
    int64_t tmp[3];
    CLRS_FORWARD(clrs__expand_list(ctx, what, n, v, sp, dflt, tmp));
    for (int a = 0; a < 3; a++) out3[a] = lead;
    for (int i = 0; i < sp; i++) out3[3 - sp + i] = tmp[i];
    return CLRS_OK;
}

static void fmt_list(char *buf, size_t len, int sp, const int64_t *v3, const char *sep)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < sp && off < len; i++) {
        int w = snprintf(buf + off, len - off, "%s%lld", i ? sep : "", (long long)v3[3 - sp + i]);
        if (w < 0) return;
        off += (size_t)w;
    }
}

/* pooling_output_shape_pad_lr with pad_l == pad_r; -1 on int64 overflow. */
static int pool_out_size(int64_t in, int64_t k, int64_t pad, int64_t s, int64_t d, int ceil_mode, int64_t *out)
{
    int64_t eff, num, pad2;
    if (__builtin_mul_overflow(d, k - 1, &eff) || __builtin_add_overflow(eff, (int64_t)1, &eff) ||
        __builtin_mul_overflow(pad, (int64_t)2, &pad2) || __builtin_add_overflow(in, pad2, &num) ||
        __builtin_sub_overflow(num, eff, &num) || __builtin_add_overflow(num, ceil_mode ? s - 1 : 0, &num))
        return -1;
    int64_t o = div_rtn(num, s) + 1;
    if (ceil_mode) {
        int64_t start;
        if (__builtin_mul_overflow(o - 1, s, &start)) return -1;
        if (start >= in + pad) --o;
    }
    *out = o;
    return 0;
}

/* ---- the plan ------------------------------------------------------------- */
clrs_status clrs__pool_plan(clrs_context *ctx, const clrs_tensor_desc *in, const clrs_pool_params *p,
                            clrs_pool_plan *plan)
{
    if (p == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pooling: params is NULL");
    if (p->struct_size != sizeof *p)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG,
                          "clrs_pool_params.struct_size is %zu, expected %zu (call clrs_pool_params_init)",
                          p->struct_size, sizeof *p);
    CLRS_FORWARD(clrs__check_desc(ctx, in, "input", 0));
    if ((unsigned)p->kind >= CLRS_ARRAY_LEN(kind_names))
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "pooling kind %d is not a clrs_pool_kind", (int)p->kind);
    memset(plan, 0, sizeof *plan);
    const clrs_pool_kind kind = p->kind;
    const char *kn = kind_names[kind];
    const int rank = in->rank, sp = rank - 2;
    plan->kind = kind;
    plan->sp = sp;
    for (int a = 0; a < 3; a++) {
        plan->in3[a] = plan->out3[a] = plan->k3[a] = plan->s3[a] = plan->d3[a] = 1;
        plan->p3[a] = 0;
    }
    for (int i = 0; i < sp; i++) plan->in3[3 - sp + i] = in->sizes[2 + i];
    if (kind == CLRS_POOL_FRACTIONAL_MAX && sp < 2)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                          "fractional_max_pool needs a 4-D or 5-D input (N, C, [D,] H, W), got rank %d", rank);

    /* adaptive_avg_pool to an all-ones output is input.mean() in PyTorch,
     * with no shape check at all (an empty plane gives NaN). */
    if (kind == CLRS_POOL_ADAPTIVE_AVG && (p->n_output_size == 1 || p->n_output_size == sp)) {
        plan->mean_path = 1;
        for (int i = 0; i < sp; i++) {
            int64_t o = p->output_size[p->n_output_size == 1 ? 0 : i];
            if (!(o == 1 || (o == CLRS_UNSET && in->sizes[2 + i] == 1))) plan->mean_path = 0;
        }
    }
    if (!plan->mean_path) {
        char sz[128];
        clrs__format_sizes(sz, sizeof sz, rank, in->sizes);
        if (in->sizes[1] == 0 && !(kind == CLRS_POOL_ADAPTIVE_AVG && sp <= 2))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "%s: expected an input with non-zero channels and spatial sizes (N may be 0), got %s", kn, sz);
        for (int i = 0; i < sp; i++)
            if (in->sizes[2 + i] == 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                                  "%s: expected an input with non-zero spatial sizes (N may be 0), got %s (dim %d is 0)",
                                  kn, sz, 2 + i);
    }

    if (kind == CLRS_POOL_MAX || kind == CLRS_POOL_AVG || kind == CLRS_POOL_LP) {
        CLRS_FORWARD(list3(ctx, kn, "kernel_size", p->n_kernel, p->kernel, sp, 0, 0, 1, plan->k3));
        int64_t s3[3], p3[3], d3[3];
        CLRS_FORWARD(list3(ctx, kn, "padding", p->n_padding, p->padding, sp, 1, 0, 0, p3));
        CLRS_FORWARD(list3(ctx, kn, "dilation", p->n_dilation, p->dilation, sp, 1, 1, 1, d3));
        /* stride defaults to the kernel, axis by axis */
        if (p->n_stride == 0) {
            memcpy(s3, plan->k3, sizeof s3);
        } else {
            CLRS_FORWARD(list3(ctx, kn, "stride", p->n_stride, p->stride, sp, 0, 0, 1, s3));
        }
        if (kind == CLRS_POOL_LP) {
            if (p->norm_type == 0.0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "lp_pool: norm_type must be a non-zero value, but got %g",
                                  p->norm_type);
            plan->norm_type = p->norm_type;
            plan->lp_inf = isinf(p->norm_type) ? (p->norm_type > 0 ? 1 : -1) : 0;
        }
        if (kind == CLRS_POOL_AVG) {
            plan->count_include_pad = p->count_include_pad != 0;
            plan->divisor_override = p->divisor_override;
        }
        plan->ceil_mode = p->ceil_mode != 0;
        for (int a = 3 - sp; a < 3; a++) {
            int64_t k = plan->k3[a], s = s3[a], pd = p3[a], d = d3[a];
            const char *ax = axis_names[a];
            if (k <= 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: kernel_size should be greater than zero, but got %lld (%s)",
                                  kn, (long long)k, ax);
            if (s == 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: stride should not be zero (%s stride is 0)", kn, ax);
            if (s < 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: stride should be greater than zero, but got %lld (%s)", kn,
                                  (long long)s, ax);
            if (kind == CLRS_POOL_LP && (pd != 0 || d != 1))
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                  "lp_pool has no padding or dilation, but got padding %lld, dilation %lld (%s)",
                                  (long long)pd, (long long)d, ax);
            if (kind == CLRS_POOL_AVG && d != 1)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "avg_pool has no dilation, but got dilation %lld (%s)",
                                  (long long)d, ax);
            if (d <= 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: dilation should be greater than zero, but got %lld (%s)",
                                  kn, (long long)d, ax);
            if (pd < 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: pad must be non-negative, but got pad: %lld (%s)", kn,
                                  (long long)pd, ax);
            if (pd > k / 2)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                  "%s: pad should be at most half of kernel size, but got pad=%lld, kernel_size=%lld (%s)",
                                  kn, (long long)pd, (long long)k, ax);
            plan->s3[a] = s;
            plan->p3[a] = pd;
            plan->d3[a] = d;
        }
        if (sp == 3 && (kind == CLRS_POOL_AVG || (kind == CLRS_POOL_LP && !plan->lp_inf))) {
            if (plan->in3[0] < plan->k3[0] || plan->in3[1] < plan->k3[1] || plan->in3[2] < plan->k3[2])
                return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                                  "%s: input image (T: %lld H: %lld W: %lld) smaller than kernel size (kT: %lld kH: %lld "
                                  "kW: %lld)",
                                  kn, (long long)plan->in3[0], (long long)plan->in3[1], (long long)plan->in3[2],
                                  (long long)plan->k3[0], (long long)plan->k3[1], (long long)plan->k3[2]);
        }
        int small = 0;
        for (int a = 3 - sp; a < 3; a++) {
            if (pool_out_size(plan->in3[a], plan->k3[a], plan->p3[a], plan->s3[a], plan->d3[a], plan->ceil_mode,
                              &plan->out3[a]) != 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                  "%s: kernel %lld, stride %lld, padding %lld, dilation %lld overflow 64 bits (%s)", kn,
                                  (long long)plan->k3[a], (long long)plan->s3[a], (long long)plan->p3[a],
                                  (long long)plan->d3[a], axis_names[a]);
            if (plan->out3[a] < 1) small = 1;
        }
        if (small) {
            char ib[96], ob[96], b1[80], b2[80];
            fmt_list(b1, sizeof b1, sp, plan->in3, "x");
            fmt_list(b2, sizeof b2, sp, plan->out3, "x");
            snprintf(ib, sizeof ib, "%lldx%s", (long long)in->sizes[1], b1);
            snprintf(ob, sizeof ob, "%lldx%s", (long long)in->sizes[1], b2);
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "%s: Given input size: (%s). Calculated output size: (%s). Output size is too small", kn, ib,
                              ob);
        }
    } else if (kind == CLRS_POOL_ADAPTIVE_AVG || kind == CLRS_POOL_ADAPTIVE_MAX) {
        CLRS_FORWARD(list3(ctx, kn, "output_size", p->n_output_size, p->output_size, sp, 0, 0, 1, plan->out3));
        for (int a = 3 - sp; a < 3; a++) {
            if (plan->out3[a] == CLRS_UNSET) plan->out3[a] = plan->in3[a];
            if (plan->out3[a] < 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                  "%s: elements of output_size must be greater than or equal to 0 but got %lld (%s; "
                                  "CLRS_UNSET keeps the input size)",
                                  kn, (long long)plan->out3[a], axis_names[a]);
            int64_t t;
            if (__builtin_add_overflow(plan->out3[a], 1, &t) || __builtin_mul_overflow(t, plan->in3[a] + 1, &t))
                return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: output size %lld x input size %lld overflows 64 bits (%s)",
                                  kn, (long long)plan->out3[a], (long long)plan->in3[a], axis_names[a]);
        }
    } else { /* FRACTIONAL_MAX */
        CLRS_FORWARD(list3(ctx, kn, "kernel_size", p->n_kernel, p->kernel, sp, 0, 0, 1, plan->k3));
        for (int a = 3 - sp; a < 3; a++)
            if (plan->k3[a] <= 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                  "fractional_max_pool%dd(): kernel_size should be greater than zero, but got %lld (%s)",
                                  sp, (long long)plan->k3[a], axis_names[a]);
        /* As torch's F.fractional_max_pool*d: output_size wins when both are given. */
        if (p->n_output_size != 0) {
            CLRS_FORWARD(list3(ctx, kn, "output_size", p->n_output_size, p->output_size, sp, 0, 0, 1, plan->out3));
        } else if (p->n_output_ratio != 0) {
            if (p->n_output_ratio < 0 || p->n_output_ratio > 3 || (p->n_output_ratio > 1 && p->n_output_ratio != sp))
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                  "fractional_max_pool: output_ratio has %d values but the input has %d spatial dimensions",
                                  p->n_output_ratio, sp);
            for (int i = 0; i < sp; i++) {
                int a = 3 - sp + i;
                double r = p->output_ratio[p->n_output_ratio == 1 ? 0 : i];
                double o = (double)plan->in3[a] * r;
                if (!isfinite(r) || !(fabs(o) < 9.2e18))
                    return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "fractional_max_pool: output_ratio %g is not usable (%s)",
                                      r, axis_names[a]);
                plan->out3[a] = (int64_t)o; /* int(in * ratio): truncation */
            }
        } else {
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                              "fractional_max_pool%dd requires specifying either an output size or an output ratio", sp);
        }
        for (int a = 3 - sp; a < 3; a++) {
            int64_t o = plan->out3[a], k = plan->k3[a], isz = plan->in3[a];
            if (o < 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "fractional_max_pool: output size %lld is negative (%s)",
                                  (long long)o, axis_names[a]);
            /* o + k - 1 <= in (2-D), k <= in && o + k - 1 < in (3-D), without overflow */
            int ok = sp == 2 ? (o <= isz - k + 1) : (k <= isz && o < isz - k + 1);
            if (!ok)
                return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                                  "fractional_max_pool%dd(): pool %s %lld too large relative to input %s %lld (output "
                                  "%lld)",
                                  sp, sp == 3 && a == 0 ? "time" : axis_names[a], (long long)k,
                                  sp == 3 && a == 0 ? "time" : axis_names[a], (long long)isz, (long long)o);
        }
        if (p->samples != NULL && p->samples_dtype != CLRS_F32 && p->samples_dtype != CLRS_F64)
            return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "fractional_max_pool: samples must be f32 or f64, got %s",
                              clrs_dtype_name(p->samples_dtype));
        plan->samples = p->samples;
        plan->samples_dtype = p->samples_dtype;
        plan->seed = p->seed;
    }

    plan->out_sizes[0] = in->sizes[0];
    plan->out_sizes[1] = in->sizes[1];
    for (int i = 0; i < sp; i++) plan->out_sizes[2 + i] = plan->out3[3 - sp + i];
    plan->numel_out = 1;
    for (int i = 0; i < rank; i++)
        if (__builtin_mul_overflow(plan->numel_out, plan->out_sizes[i], &plan->numel_out))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: output element count overflows 64 bits", kn);
    return CLRS_OK;
}

clrs_status clrs_pool_output_shape(clrs_context *ctx, const clrs_tensor_desc *in, const clrs_pool_params *p,
                                   int64_t out_sizes[CLRS_MAX_RANK])
{
    clrs__clear_error(ctx);
    if (out_sizes == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pooling: out_sizes is NULL");
    clrs_pool_plan plan;
    CLRS_FORWARD(clrs__pool_plan(ctx, in, p, &plan));
    for (int i = 0; i < CLRS_MAX_RANK; i++) out_sizes[i] = i < in->rank ? plan.out_sizes[i] : 0;
    return CLRS_OK;
}

/* ---- host float formats (fractional intervals, LP exponents) ---------------- */
static float f32_from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static float round_f16(float f)
{
    uint32_t u = f32_bits(f), sign = u & 0x80000000u, a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return f;
    if (a >= 0x477ff000u) return f32_from_bits(sign | 0x7f800000u);
    uint16_t h;
    if (a < 0x38800000u) {
        h = (uint16_t)lrintf(f32_from_bits(a) * 16777216.0f); /* subnormal half, round half even */
        float r = (float)h / 16777216.0f;
        return sign ? -r : r;
    }
    uint32_t r = a + 0x0fffu + ((a >> 13) & 1u);
    r &= ~0x1fffu;
    return f32_from_bits(sign | r);
}

static float round_bf16(float f)
{
    uint32_t u = f32_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return f;
    u += 0x7fffu + ((u >> 16) & 1u);
    return f32_from_bits(u & 0xffff0000u);
}

/* Arithmetic of a 16-bit float type: the float result rounded to the type. */
static float rnd16(float v, clrs_dtype dt) { return dt == CLRS_F16 ? round_f16(v) : dt == CLRS_BF16 ? round_bf16(v) : v; }

/* generate_intervals<scalar_t> (FractionalMaxPool2d.cpp) in the input dtype's
 * arithmetic: start[i] = (int)((i + u) * alpha) - (int)(u * alpha) with
 * alpha = (in - k) / (out - 1), start[out - 1] = in - k. */
static void frac_starts(double u_in, int64_t in, int64_t out, int64_t k, clrs_dtype dt, cl_long *seq)
{
    if (out > 1) {
        if (dt == CLRS_F32) {
            const float u = (float)u_in;
            const float alpha = (float)(in - k) / (float)(out - 1);
            for (int64_t i = 0; i < out - 1; ++i) {
                const float t1 = ((float)i + u) * alpha;
                const float t2 = u * alpha;
                seq[i] = (cl_long)((int64_t)t1 - (int64_t)t2);
            }
        } else if (dt == CLRS_F16 || dt == CLRS_BF16) {
            const float u = rnd16((float)u_in, dt);
            const float alpha = rnd16(rnd16((float)(in - k), dt) / rnd16((float)(out - 1), dt), dt);
            for (int64_t i = 0; i < out - 1; ++i) {
                const float t1 = rnd16(rnd16(rnd16((float)i, dt) + u, dt) * alpha, dt);
                const float t2 = rnd16(u * alpha, dt);
                seq[i] = (cl_long)((int64_t)t1 - (int64_t)t2);
            }
        } else {
            const double alpha = (double)(in - k) / (double)(out - 1);
            for (int64_t i = 0; i < out - 1; ++i)
                seq[i] = (cl_long)((int64_t)(((double)i + u_in) * alpha) - (int64_t)(u_in * alpha));
        }
    }
    if (out > 0) seq[out - 1] = in - k;
}

/* Samples drawn when the caller gives none: SplitMix64 (Steele, Lea, Flood
 * 2014) on the counter seed + (index + 1) * 0x9e3779b97f4a7c15, where index =
 * (n*C + c)*rank + j is the flat position in the (N, C, rank) samples array;
 * u = top 53 bits * 2^-53 for f64 and integer inputs, top 24 bits * 2^-24
 * for f32 and top 8 bits * 2^-8 for f16/bf16 (exact in the input's type, so
 * u < 1 survives the conversion). Same seed, same samples, on any device. */
static double frac_sample(uint64_t seed, uint64_t index, clrs_dtype dt)
{
    uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    if (dt == CLRS_F32) return (double)(z >> 40) * (1.0 / 16777216.0);
    if (dt == CLRS_F16 || dt == CLRS_BF16) return (double)(z >> 56) * (1.0 / 256.0);
    return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

/* Per plane (n*C + c): OD + OH + OW window starts (D, then H, then W). */
static clrs_status frac_table(clrs_context *ctx, const clrs_pool_plan *plan, clrs_dtype dt, int64_t N, int64_t C,
                              cl_mem *out)
{
    const int nd = plan->sp;
    const int64_t tlen = plan->out3[0] + plan->out3[1] + plan->out3[2];
    int64_t planes, total;
    if (__builtin_mul_overflow(N, C, &planes) || __builtin_mul_overflow(planes, tlen, &total) ||
        (uint64_t)total > SIZE_MAX / sizeof(cl_long))
        return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "fractional_max_pool: window table too large");
    cl_long *tab = malloc((size_t)(total > 0 ? total : 1) * sizeof *tab);
    if (tab == NULL)
        return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "fractional_max_pool: window table of %lld entries",
                          (long long)total);
    const int64_t toff[3] = {0, plan->out3[0], plan->out3[0] + plan->out3[1]};
    for (int64_t pl = 0; pl < planes; pl++) {
        double u[3] = {0, 0, 0};
        for (int j = 0; j < nd; j++) {
            int64_t si = pl * nd + j;
            if (plan->samples != NULL) {
                double v = plan->samples_dtype == CLRS_F32 ? (double)((const float *)plan->samples)[si]
                                                           : ((const double *)plan->samples)[si];
                if (!(v >= 0.0 && v < 1.0)) {
                    free(tab);
                    return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                      "fractional_max_pool: samples[%lld, %lld, %d] = %g is not in [0, 1)",
                                      (long long)(pl / C), (long long)(pl % C), j, v);
                }
                u[j] = v;
            } else {
                u[j] = frac_sample(plan->seed, (uint64_t)si, dt);
            }
        }
        /* 2-D: sample 0 drives W, sample 1 drives H; 3-D: 0 -> D, 1 -> H, 2 -> W */
        double ua[3];
        if (nd == 2) {
            ua[0] = 0.0;
            ua[1] = u[1];
            ua[2] = u[0];
        } else {
            ua[0] = u[0];
            ua[1] = u[1];
            ua[2] = u[2];
        }
        cl_long *t = tab + pl * tlen;
        for (int a = 0; a < 3; a++) {
            frac_starts(ua[a], plan->in3[a], plan->out3[a], plan->k3[a], dt, t + toff[a]);
            for (int64_t o = 0; o < plan->out3[a]; o++)
                if (t[toff[a] + o] < 0 || t[toff[a] + o] > plan->in3[a] - plan->k3[a]) {
                    long long bad = (long long)t[toff[a] + o];
                    free(tab);
                    return clrs__fail(ctx, CLRS_ERR_INTERNAL,
                                      "fractional_max_pool: window start %lld outside [0, %lld] (%s, sample %g)", bad,
                                      (long long)(plan->in3[a] - plan->k3[a]), axis_names[a], ua[a]);
                }
        }
    }
    clrs_status st = clrs__make_buffer(ctx, tab, (size_t)(total > 0 ? total : 1) * sizeof *tab, out);
    free(tab);
    return st;
}

/* Tensor.pow(scalar) as ATen's CPU kernel does it (Pow.cpp, PowKernel.cpp):
 * exponent 1 copies; f32/f64 special-case 2, 3, 0.5, -0.5, -1, -2; bf16
 * special-cases 0.5, -0.5, -1; f16 has no special case (pow(-inf, 0.5) is
 * +inf there, where sqrt gives NaN). Otherwise pow(x, e) with e in the
 * computation type. Codes as clrs_pow in cl/pool.cl. */
static int pow_code(clrs_dtype dt, double e, double *eff)
{
    *eff = dt == CLRS_F64 ? e : (double)(float)e;
    if (e == 1.0) return 7;
    if (dt == CLRS_F32 || dt == CLRS_F64) {
        if (e == 2.0) return 1;
        if (e == 3.0) return 2;
        if (e == -2.0) return 6;
    }
    if (dt != CLRS_F16) {
        if (e == 0.5) return 3;
        if (e == -0.5) return 4;
        if (e == -1.0) return 5;
    }
    return 0;
}

/* ---- launching ------------------------------------------------------------- */
static const char *dtype_define(clrs_dtype dt)
{
    switch (dt) {
    case CLRS_F32: return "DTYPE_F32";
    case CLRS_F64: return "DTYPE_F64";
    case CLRS_F16: return "DTYPE_F16";
    case CLRS_BF16: return "DTYPE_BF16";
    case CLRS_U8: return "DTYPE_U8";
    case CLRS_U16: return "DTYPE_U16";
    default: return NULL;
    }
}

static const char *elem_type(size_t es)
{
    switch (es) {
    case 1: return "uchar";
    case 2: return "ushort";
    case 4: return "uint";
    default: return "ulong";
    }
}

/* Canonical -D options plus correctly rounded float division and sqrt
 * where the device offers it (torch's f32 avg is sum / divisor, IEEE). */
static void build_options(clrs_context *ctx, clrs_opts *o, char *buf, size_t len)
{
    clrs__opts_string(o, buf, len);
    cl_device_fp_config fc = 0;
    if (clGetDeviceInfo(ctx->dev, CL_DEVICE_SINGLE_FP_CONFIG, sizeof fc, &fc, NULL) == CL_SUCCESS &&
        (fc & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT)) {
        size_t l = strlen(buf);
        int w = snprintf(buf + l, len - l, " -cl-fp32-correctly-rounded-divide-sqrt");
        if (w < 0 || (size_t)w >= len - l) snprintf(buf, len, "%s", CLRS_OPTS_OVERFLOW);
    }
}

/* Logical (N, C, D, H, W) sizes / strides; missing leading spatial axes have
 * size 1 and stride 0. */
static void geom5(const clrs_tensor_desc *d, cl_long8 *sz, cl_long8 *st)
{
    memset(sz, 0, sizeof *sz);
    memset(st, 0, sizeof *st);
    int sp = d->rank - 2;
    for (int i = 0; i < 5; i++) {
        sz->s[i] = 1;
        st->s[i] = 0;
    }
    for (int i = 0; i < 2; i++) {
        sz->s[i] = d->sizes[i];
        st->s[i] = d->strides[i];
    }
    for (int i = 0; i < sp; i++) {
        sz->s[5 - sp + i] = d->sizes[2 + i];
        st->s[5 - sp + i] = d->strides[2 + i];
    }
}

/* Work-item x walks C when the output is channels-last-like (C has the
 * smallest stride among the dims that matter), else W. */
static int channels_last_order(const clrs_tensor_desc *out)
{
    if (out->sizes[1] <= 1) return 0;
    for (int i = 2; i < out->rank; i++)
        if (out->sizes[i] > 1 && out->strides[i] <= out->strides[1]) return 0;
    return 1;
}

static void output_grid(const cl_long8 *osz, int cl_order, size_t g[3])
{
    if (cl_order) {
        g[0] = (size_t)osz->s[1];
        g[1] = (size_t)osz->s[4];
        g[2] = (size_t)(osz->s[3] * osz->s[2] * osz->s[0]);
    } else {
        g[0] = (size_t)osz->s[4];
        g[1] = (size_t)osz->s[3];
        g[2] = (size_t)(osz->s[2] * osz->s[1] * osz->s[0]);
    }
}

/* The shared NDRange launcher (fixed local size, rounded global size). */
static clrs_status enqueue_grid(clrs_context *ctx, cl_command_queue q, cl_kernel k, const size_t gsize[3],
                                cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    return clrs__enqueue_kernel(ctx, q, k, 3, gsize, nwait, wait, ev);
}

static clrs_status set_acc(clrs_context *ctx, cl_kernel k, cl_uint i, int f64, double v)
{
    if (f64) {
        cl_double d = v;
        return clrs__set_arg(ctx, k, i, sizeof d, &d);
    }
    cl_float f = (cl_float)v;
    return clrs__set_arg(ctx, k, i, sizeof f, &f);
}

static cl_long4 long4_of(const int64_t v[3])
{
    cl_long4 r;
    memset(&r, 0, sizeof r);
    for (int a = 0; a < 3; a++) r.s[a] = v[a];
    return r;
}

#define ARG(v)                                                            \
    do {                                                                  \
        if (st == CLRS_OK) st = clrs__set_arg(ctx, k, ai++, sizeof(v), &(v)); \
    } while (0)
#define ACC_ARG(v)                                                    \
    do {                                                              \
        if (st == CLRS_OK) st = set_acc(ctx, k, ai++, f64, (v));      \
    } while (0)

/* Work-group size of clrs_pool_global on this device. */
static size_t global_wg(const clrs_context *ctx)
{
    size_t wg = ctx->is_cpu ? 16 : 256;
    while (wg > ctx->max_wg && wg > 1) wg >>= 1;
    return wg;
}

/* Build options of a pooling program: the general one per dtype (the
 * algorithm is a runtime argument), or, with full != 0, one specialised for
 * an algorithm and a whole-window size k3. */
static void pool_options(clrs_context *ctx, clrs_dtype dt, int full, int algo, const int64_t k3[3], char *buf,
                         size_t len)
{
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "%s", dtype_define(dt));
    clrs__opts_def(&o, "WG_SIZE=%zu", global_wg(ctx));
    if (full) {
        clrs__opts_def(&o, "ALGO=%d", algo);
        clrs__opts_def(&o, "FULL=1");
        clrs__opts_def(&o, "KD=%lld", (long long)k3[0]);
        clrs__opts_def(&o, "KH=%lld", (long long)k3[1]);
        clrs__opts_def(&o, "KW=%lld", (long long)k3[2]);
    }
    build_options(ctx, &o, buf, len);
}

/* Global pooling by work-group reduction: one group per plane. Returns
 * CLRS_ERR_UNSUPPORTED (no error recorded) when the device cannot run the
 * group size, so the caller falls back to the per-element engine. */
static clrs_status enqueue_global(clrs_context *ctx, const clrs_pool_plan *plan, clrs_targ *t, int with_idx, int algo,
                                  int xform, const cl_long8 *isz, const cl_long8 *ist, const cl_long8 *ost,
                                  const cl_long8 *xst, cl_long divisor, double pw_e, int pw_code, double ipw_e,
                                  int ipw_code, double kprod, int ovf16, cl_command_queue q, cl_uint nwait,
                                  const cl_event *wait, cl_event *ev)
{
    const clrs_tensor_desc *in = &t[0].desc, *out = &t[1].desc;
    size_t wg = global_wg(ctx);
    char opts[512];
    pool_options(ctx, in->dtype, 0, algo, plan->k3, opts, sizeof opts);
    cl_kernel k = NULL;
    clrs_status st = clrs__get_kernel(ctx, "pool", opts, "clrs_pool_global", &k);
    if (st != CLRS_OK) return st;
    size_t kwg = 0;
    if (clGetKernelWorkGroupInfo(k, ctx->dev, CL_KERNEL_WORK_GROUP_SIZE, sizeof kwg, &kwg, NULL) != CL_SUCCESS ||
        kwg < wg) {
        clReleaseKernel(k);
        return CLRS_ERR_UNSUPPORTED;
    }
    int f64 = in->dtype == CLRS_F64;
    cl_long soff = in->offset, doff = out->offset, xoff = with_idx ? t[2].desc.offset : 0;
    cl_mem nomem = NULL;
    cl_mem xm = with_idx ? t[2].mem : nomem;
    cl_uint ai = 0;
    ARG(t[0].mem);
    ARG(soff);
    ARG(t[1].mem);
    ARG(doff);
    ARG(xm);
    ARG(xoff);
    ARG(*isz);
    ARG(*ist);
    ARG(*ost);
    ARG(*xst);
    ARG(divisor);
    ACC_ARG(pw_e);
    ARG(pw_code);
    ACC_ARG(ipw_e);
    ARG(ipw_code);
    ACC_ARG(kprod);
    cl_int wi = with_idx, xf = xform, al = algo, ovf = ovf16;
    ARG(wi);
    ARG(xf);
    ARG(al);
    ARG(ovf);
    if (st == CLRS_OK) {
        size_t g[3] = {wg, (size_t)isz->s[1], (size_t)isz->s[0]}, l[3] = {wg, 1, 1};
        cl_int e = clEnqueueNDRangeKernel(q, k, 3, NULL, g, l, nwait, wait, ev);
        if (e != CL_SUCCESS) st = clrs__fail_cl(ctx, e, "clEnqueueNDRangeKernel (global pooling)");
    }
    clReleaseKernel(k);
    return st;
}

/* ---- the windowed fast path (clrs_pool_win) -------------------------------- */
/* Largest window of the compile-time 2-D program (taps unroll). */
#define WIN_MAX_TAPS 64

/* Max (no |x| transform) and avg pooling with a window on H and W only
 * (the depth axis, if any, is not pooled), on outputs large enough to pay
 * for a specialised build. */
static int win_eligible(const clrs_pool_plan *plan, int algo, int xform)
{
    if (!((algo == A_MAX && xform == 0) || algo == A_AVG) || plan->numel_out < FULL_MIN_OUTPUT) return 0;
    if (plan->k3[0] != 1 || plan->s3[0] != 1 || plan->p3[0] != 0 || plan->d3[0] != 1) return 0;
    if (plan->k3[1] * plan->k3[2] > WIN_MAX_TAPS) return 0; /* each <= 64: no overflow */
    for (int a = 1; a < 3; a++)
        if (plan->s3[a] > 1024 || plan->d3[a] > 1024) return 0;
    return 1;
}

/* Adaptive avg over H and W of a channels-last f32 tensor, C a multiple
 * of 8, both tensors contiguous along C: vectors along C. */
static int win_aavg_eligible(const clrs_pool_plan *plan, const clrs_tensor_desc *in, const clrs_tensor_desc *out,
                             int algo)
{
    return algo == A_AAVG && plan->numel_out >= FULL_MIN_OUTPUT && in->dtype == CLRS_F32 && plan->in3[0] == 1 &&
           plan->out3[0] == 1 && channels_last_order(out) && in->sizes[1] % 8 == 0 && in->strides[1] == 1 &&
           out->strides[1] == 1;
}

/* Adaptive avg over H and W into a non-channels-last f32 output whose
 * windows are not a whole-window FULL case (sizes that divide with windows
 * of at most 4 a side): one work-item per output row (n, c, oh) with the
 * row's column windows compile-time (AIW/AOW), so short rows are limited
 * in width (the taps unroll). Measured, (8,64,H,W) f32 cold: 128x128 ->
 * 7x7 (W8) 2.5 -> 1.4 ms with the column sums in vectors (scalar sums per
 * output before); 224x224 -> 7x7 (divisible, windows of 32, the general
 * kernel before) 11.0 -> 4.3 ms. */
#define WIN_AAVG_ROW_MAX_OW 16
/* a large input with few outputs pays for the specialised build too: W8
 * small, (1,3,512,512) -> 7x7 NCHW, 0.31 -> 0.16 ms */
#define WIN_AAVG_ROW_MIN_INPUT (1 << 18)
#define WIN_AAVG_ROW_MAX_IW 512
static int win_aavg_row_eligible(const clrs_pool_plan *plan, const clrs_tensor_desc *in,
                                 const clrs_tensor_desc *out, int algo)
{
    const int whole = plan->in3[1] % plan->out3[1] == 0 && plan->in3[2] % plan->out3[2] == 0 &&
                      plan->in3[1] / plan->out3[1] <= 4 && plan->in3[2] / plan->out3[2] <= 4;
    return algo == A_AAVG && (plan->numel_out >= FULL_MIN_OUTPUT || clrs_tensor_desc_numel(in) >= WIN_AAVG_ROW_MIN_INPUT) &&
           in->dtype == CLRS_F32 && plan->in3[0] == 1 &&
           plan->out3[0] == 1 && !channels_last_order(out) && plan->out3[2] <= WIN_AAVG_ROW_MAX_OW &&
           plan->in3[2] <= WIN_AAVG_ROW_MAX_IW && !whole;
}

/* Adaptive avg over H and W of a channels-last f32 tensor with 2..7
 * channels (images), unit channel stride and pixels of C elements in both
 * tensors: a work-item per output pixel sums its window's rows as runs of
 * 16-wide vectors (-D PC with ORDER 1). Measured, (1,3,512,512) -> 7x7
 * (W8 small channels-last), kernel warm / cold: see the commit. */
static int win_aavg_pc_eligible(const clrs_pool_plan *plan, const clrs_tensor_desc *in, const clrs_tensor_desc *out,
                                int algo)
{
    const int64_t c = in->sizes[1];
    return algo == A_AAVG && in->dtype == CLRS_F32 && in->rank == 4 && plan->in3[0] == 1 && plan->out3[0] == 1 &&
           (plan->numel_out >= FULL_MIN_OUTPUT || clrs_tensor_desc_numel(in) >= WIN_AAVG_ROW_MIN_INPUT) &&
           channels_last_order(out) && c >= 2 && c <= 7 && in->strides[1] == 1 && in->strides[3] == c &&
           out->strides[1] == 1;
}

/* Every element offset of these tensors (and every flat plane index) fits in
 * a 32-bit int. */
static int fits_int32(const clrs_targ *t, int nt)
{
    for (int i = 0; i < nt; i++)
        if (t[i].mem != NULL && clrs__desc_extent(&t[i].desc) > (int64_t)INT32_MAX / 2) return 0;
    return 1;
}

/* The explicit-vector channels-last form (clrs_win_pcv): lane l of vector
 * v (of c) reads element ((16v + l) / c) * sw * c + (16v + l) % c of a
 * tap; each vector's lanes must lie within 32 elements (two loads). */
static int pcv_spans_fit(int c, int64_t sw)
{
    for (int v = 0; v < c; v++) {
        const int64_t a = (16 * v) / c * sw * c + (16 * v) % c, b = (16 * v + 15) / c * sw * c + (16 * v + 15) % c;
        if (b - a > 31) return 0;
    }
    return 1;
}

static clrs_status enqueue_win(clrs_context *ctx, const clrs_pool_plan *plan, clrs_targ *t, int nt, int with_idx,
                               int algo, const cl_long8 *isz, const cl_long8 *osz, const cl_long8 *ist,
                               const cl_long8 *ost, const cl_long8 *xst, cl_command_queue q, cl_uint nwait,
                               const cl_event *wait, cl_event *ev)
{
    const clrs_tensor_desc *in = &t[0].desc, *out = &t[1].desc;
    /* max / avg over channels-last with fewer than 8 channels: lanes along
     * W instead (too few channels to vectorise over), and with 2..8
     * channels in the usual strides each work-item takes the C channels of
     * its output with the strides compile-time (-D PC; a runtime stride C
     * kept PoCL on its scalar loop). Measured, (1,3,512,512) cold: avg 2x2
     * 1.91 -> 0.73 ms, max 2x2 1.20 -> 0.47, 3x3 with indices 3.26 -> 0.96. */
    const int cl_order = channels_last_order(out) && !(out->sizes[1] < 8 && (algo == A_MAX || algo == A_AVG));
    const int64_t cch = out->sizes[1];
    const int pc = !cl_order && (algo == A_MAX || algo == A_AVG) && channels_last_order(out) && cch >= 2 &&
                           cch <= 8 && ist->s[1] == 1 && ist->s[4] == cch && ost->s[1] == 1 && ost->s[4] == cch &&
                           (!with_idx || (xst->s[1] == 1 && xst->s[4] == cch))
                       ? (int)cch
                       : 0;
    /* adaptive avg over 2..7 channels-last channels (win_aavg_pc_eligible) */
    const int apc = win_aavg_pc_eligible(plan, in, out, algo) ? (int)cch : 0;
    char opts[512];
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "%s", dtype_define(in->dtype));
    clrs__opts_def(&o, "WIN=1");
    clrs__opts_def(&o, "ALGO=%d", algo);
    clrs__opts_def(&o, "ORDER=%d", cl_order);
    clrs__opts_def(&o, "PC=%d", pc ? pc : apc);
    clrs__opts_def(&o, "OFF32=%d", fits_int32(t, nt));
    const int ax = cl_order ? 1 : 4;
    int vw = 1, ach = 1;
    if (algo == A_AAVG && !cl_order) { /* win_aavg_row_eligible */
        clrs__opts_def(&o, "AIW=%lld", (long long)isz->s[4]);
        clrs__opts_def(&o, "AOW=%lld", (long long)osz->s[4]);
        clrs__opts_def(&o, "AUNIT=%d", ist->s[4] == 1);
    } else if (apc) {
        vw = 16;
    } else if (algo == A_AAVG) { /* win_aavg_eligible: C % 8 == 0 */
        vw = osz->s[1] % 16 == 0 ? 16 : 8;
        /* up to 4 vectors (64 channels) per work-item, so that a window
         * row is read as one run of whole pixels: W8 large channels-last
         * 2.21 -> 1.15 ms (1 -> 4 vectors; 2: 1.36) */
        ach = 4;
        while (ach > 1 && osz->s[1] % (vw * ach) != 0) ach--;
        clrs__opts_def(&o, "ACH=%d", ach);
    } else {
        clrs__opts_def(&o, "KH=%lld", (long long)plan->k3[1]);
        clrs__opts_def(&o, "KW=%lld", (long long)plan->k3[2]);
        clrs__opts_def(&o, "SH=%lld", (long long)plan->s3[1]);
        clrs__opts_def(&o, "SW=%lld", (long long)plan->s3[2]);
        clrs__opts_def(&o, "PH=%lld", (long long)plan->p3[1]);
        clrs__opts_def(&o, "PW=%lld", (long long)plan->p3[2]);
        if (algo == A_MAX) {
            clrs__opts_def(&o, "DH=%lld", (long long)plan->d3[1]);
            clrs__opts_def(&o, "DW=%lld", (long long)plan->d3[2]);
            clrs__opts_def(&o, "IDX=%d", with_idx);
        } else {
            clrs__opts_def(&o, "CIP=%d", plan->count_include_pad);
        }
        /* f32 with x contiguous in the input, output and indices: vectors of
         * 16 outputs per work-item (8 on short rows; measured: 16 beats 8 on
         * the benchmark's 64-wide rows) */
        if (in->dtype == CLRS_F32 && ist->s[ax] == 1 && ost->s[ax] == 1 && (!with_idx || xst->s[ax] == 1))
            vw = osz->s[ax] >= 16 ? 16 : osz->s[ax] >= 8 ? 8 : 1;
        /* CLRS_TUNE_POOL_VW (development, like CLRS_TUNE_LX): at most this
         * many outputs per work-item; 1 gives the scalar form, which
         * .ci/reliability.sh needs for Oclgrind's uninitialized-value
         * plugin (it crashes on the unoptimised vector de-interleave). */
        const char *cap = clrs__getenv("CLRS_TUNE_POOL_VW");
        if (cap != NULL && atoi(cap) >= 1 && vw > atoi(cap)) vw = atoi(cap) >= 8 ? 8 : 1;
        /* f32 channels-last with 2..8 channels: 16 pixels per work-item in
         * C vectors, each vector's taps read with two loads and a permute
         * (clrs_win_pcv), where every vector's span fits in 32 elements */
        if (pc && in->dtype == CLRS_F32 && osz->s[4] >= 16 && pcv_spans_fit(pc, plan->s3[2]) &&
            (cap == NULL || atoi(cap) < 1 || atoi(cap) >= 16))
            vw = 16;
    }
    clrs__opts_def(&o, "VW=%d", vw);
    /* rows (along x) that end in a partial vector */
    if (vw > 1 && algo != A_AAVG && osz->s[ax] % vw != 0) clrs__opts_def(&o, "TAIL=1");
    build_options(ctx, &o, opts, sizeof opts);
    cl_kernel k = NULL;
    clrs_status st = clrs__get_kernel(ctx, "pool", opts, "clrs_pool_win", &k);
    if (st != CLRS_OK) return st;
    cl_long soff = in->offset, doff = out->offset, xoff = with_idx ? t[2].desc.offset : 0;
    cl_long divisor = algo == A_AVG ? plan->divisor_override : 0;
    cl_mem nomem = NULL;
    cl_mem xm = with_idx ? t[2].mem : nomem;
    /* isz.s6, s7: the input tensor's element range [offset, extent) in
     * its buffer (the vector form's checked rows read whole vectors inside
     * it, see clrs_win_row; not the whole buffer, which may hold the
     * output too) */
    cl_long8 iszb = *isz;
    iszb.s[6] = (cl_long)in->offset;
    iszb.s[7] = (cl_long)clrs__desc_extent(in);
    cl_uint ai = 0;
    ARG(t[0].mem);
    ARG(soff);
    ARG(t[1].mem);
    ARG(doff);
    ARG(xm);
    ARG(xoff);
    ARG(iszb);
    ARG(*osz);
    ARG(*ist);
    ARG(*ost);
    ARG(*xst);
    ARG(divisor);
    size_t g[3];
    output_grid(osz, cl_order, g);
    g[0] = (g[0] + (size_t)vw - 1) / (size_t)vw;
    g[0] = (g[0] + (size_t)ach - 1) / (size_t)ach;
    if (pc) g[2] /= (size_t)pc; /* (od, n): the channels are the work-item's */
    if (algo == A_AAVG && !cl_order) { /* (oh, c, n); depth is 1 */
        g[0] = (size_t)osz->s[3];
        g[1] = (size_t)osz->s[1];
        g[2] = (size_t)osz->s[0];
    } else if (apc) { /* (ow, oh, n); depth is 1 */
        g[0] = (size_t)osz->s[4];
        g[1] = (size_t)osz->s[3];
        g[2] = (size_t)osz->s[0];
    }
    if (st == CLRS_OK && (cl_order || algo != A_AAVG) && !apc && g[0] <= 64 && g[0] <= ctx->max_wg) {
        /* x runs over a few vectors (channel vectors channels-last: 4 for
         * C = 64; 16-wide output vectors of a row: 4 for W = 64), so the
         * work-group (exactly those along x) takes output columns or rows
         * too, 64 items in all; the default x-only group of 16 left 12 of
         * 16 idle there (measured, large, cold: W5 NHWC 2.0 -> 1.8 ms, NCHW
         * 2.3 -> 2.05; W6 NCHW 1.85 -> 1.73; not the adaptive kernel's
         * (oh, c, n) grid: W8 NCHW 2.3 -> 3.4) */
        size_t l1 = 1;
        while (g[0] * l1 * 2 <= 64 && g[0] * l1 * 2 <= ctx->max_wg) l1 *= 2;
        const size_t lsz[3] = {g[0], l1, 1};
        st = clrs__enqueue_kernel_local(ctx, q, k, 3, g, lsz, nwait, wait, ev);
    } else if (st == CLRS_OK) {
        st = enqueue_grid(ctx, q, k, g, nwait, wait, ev);
    }
    clReleaseKernel(k);
    return st;
}

clrs_status clrs__pool_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                               cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    const clrs_pool_plan *plan = op;
    if (plan->numel_out == 0) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    const clrs_tensor_desc *in = &t[0].desc, *out = &t[1].desc;
    const int with_idx = nt > 2 && t[2].mem != NULL;
    const int f64 = in->dtype == CLRS_F64;
    int algo = A_MAX, xform = 0;
    switch (plan->kind) {
    case CLRS_POOL_MAX: algo = A_MAX; break;
    case CLRS_POOL_AVG: algo = A_AVG; break;
    case CLRS_POOL_LP:
        algo = plan->lp_inf ? A_MAX : A_LP;
        xform = plan->lp_inf > 0 ? 1 : plan->lp_inf < 0 ? 2 : 0;
        break;
    case CLRS_POOL_ADAPTIVE_AVG: algo = A_AAVG; break;
    case CLRS_POOL_ADAPTIVE_MAX: algo = A_AMAX; break;
    case CLRS_POOL_FRACTIONAL_MAX: algo = A_FMAX; break;
    }
    cl_long8 isz, ist, osz, ost, xsz, xst;
    geom5(in, &isz, &ist);
    geom5(out, &osz, &ost);
    if (with_idx)
        geom5(&t[2].desc, &xsz, &xst);
    else
        memset(&xst, 0, sizeof xst);

    /* window volume (only a divisor / LP factor): saturate rather than overflow */
    int64_t kvol;
    if (__builtin_mul_overflow(plan->k3[0], plan->k3[1], &kvol) || __builtin_mul_overflow(kvol, plan->k3[2], &kvol))
        kvol = INT64_MAX;
    double pw_e = 1.0, ipw_e = 1.0;
    int pw_code = 7, ipw_code = 7;
    if (algo == A_LP) {
        pw_code = pow_code(in->dtype, plan->norm_type, &pw_e);
        ipw_code = pow_code(in->dtype, 1.0 / plan->norm_type, &ipw_e);
    }
    const int64_t plane_in = plan->in3[0] * plan->in3[1] * plan->in3[2];
    /* torch keeps these intermediates in f16/bf16: their overflow is kept */
    const int ovf16 = (in->dtype == CLRS_F16 || in->dtype == CLRS_BF16) &&
                      (algo == A_LP || (algo == A_AAVG && plan->sp == 3 && !plan->mean_path));

    /* Global pooling: one output per plane covering the whole plane. */
    int global = plan->out3[0] == 1 && plan->out3[1] == 1 && plan->out3[2] == 1 && algo != A_FMAX &&
                 plane_in >= GLOBAL_POOL_MIN_PLANE;
    if (global && (algo == A_MAX || algo == A_AVG || algo == A_LP))
        for (int a = 0; a < 3; a++)
            if (plan->k3[a] != plan->in3[a] || plan->p3[a] != 0 || (plan->d3[a] != 1 && plan->in3[a] != 1)) global = 0;
    if (global) {
        cl_long divisor = plan->divisor_override != 0 ? plan->divisor_override : plane_in;
        clrs_status st = enqueue_global(ctx, plan, t, with_idx, algo, xform, &isz, &ist, &ost, &xst, divisor, pw_e,
                                        pw_code, ipw_e, ipw_code, (double)kvol, ovf16, q, nwait, wait, ev);
        if (st != CLRS_ERR_UNSUPPORTED) return st;
    }

    if (win_eligible(plan, algo, xform) || win_aavg_eligible(plan, in, out, algo) ||
        win_aavg_row_eligible(plan, in, out, algo) || win_aavg_pc_eligible(plan, in, out, algo))
        return enqueue_win(ctx, plan, t, nt, with_idx, algo, &isz, &osz, &ist, &ost, &xst, q, nwait, wait, ev);

    /* Fast path for non-overlapping windows not taken above (3-D windows,
     * adaptive pooling with divisible sizes) (stride == kernel, no padding,
     * no dilation, every window inside the input, small kernels): the
     * window size becomes compile-time (KD/KH/KW) and the loops unroll with
     * no clipping. Adaptive pooling with divisible sizes is the same shape
     * (kernel = stride = in / out). A specialised program costs a build
     * (about a second on PoCL), so only outputs of FULL_MIN_OUTPUT
     * elements or more get one; everything else shares the general program
     * of its dtype (the algorithm is then a runtime argument). */
    int full = plan->numel_out >= FULL_MIN_OUTPUT;
    int64_t k3[3], s3[3];
    memcpy(k3, plan->k3, sizeof k3);
    memcpy(s3, plan->s3, sizeof s3);
    for (int a = 0; a < 3; a++) {
        if (algo == A_MAX || algo == A_AVG) {
            if (plan->p3[a] != 0 || plan->d3[a] != 1 || plan->s3[a] != plan->k3[a] ||
                plan->out3[a] * plan->s3[a] > plan->in3[a])
                full = 0;
        } else if ((algo == A_AAVG || algo == A_AMAX) && plan->in3[a] % plan->out3[a] == 0) {
            k3[a] = s3[a] = plan->in3[a] / plan->out3[a];
        } else {
            full = 0;
        }
        if (k3[a] > 4) full = 0;
    }
    if (!full) {
        memcpy(k3, plan->k3, sizeof k3);
        memcpy(s3, plan->s3, sizeof s3);
    }
    cl_long divisor = plan->divisor_override;
    if (full && (algo == A_AVG || algo == A_LP)) divisor = plan->divisor_override != 0 ? plan->divisor_override : kvol;
    if (algo == A_LP && !full) divisor = 0;

    int cl_order = channels_last_order(out);
    char opts[512];
    pool_options(ctx, in->dtype, full, algo, k3, opts, sizeof opts);

    cl_mem tabm = NULL;
    clrs_status st = CLRS_OK;
    if (algo == A_FMAX) st = frac_table(ctx, plan, in->dtype, in->sizes[0], in->sizes[1], &tabm);
    if (st != CLRS_OK) return st;
    cl_kernel k = NULL;
    st = clrs__get_kernel(ctx, "pool", opts, "clrs_pool", &k);
    if (st == CLRS_OK) {
        cl_long soff = in->offset, doff = out->offset, xoff = with_idx ? t[2].desc.offset : 0;
        cl_mem nomem = NULL;
        cl_mem xm = with_idx ? t[2].mem : nomem;
        cl_long4 kk = long4_of(k3), ss = long4_of(s3), pp = long4_of(plan->p3), dd = long4_of(plan->d3);
        cl_int cip = plan->count_include_pad || algo == A_LP;
        cl_int pwc = pw_code, ipwc = ipw_code;
        cl_uint ai = 0;
        ARG(t[0].mem);
        ARG(soff);
        ARG(t[1].mem);
        ARG(doff);
        ARG(xm);
        ARG(xoff);
        ARG(tabm);
        ARG(isz);
        ARG(osz);
        ARG(ist);
        ARG(ost);
        ARG(xst);
        ARG(kk);
        ARG(ss);
        ARG(pp);
        ARG(dd);
        ARG(divisor);
        ARG(cip);
        ACC_ARG(pw_e);
        ARG(pwc);
        ACC_ARG(ipw_e);
        ARG(ipwc);
        ACC_ARG((double)kvol);
        cl_int ord = cl_order, wi = with_idx, xf = xform, al = algo, ovf = ovf16;
        ARG(ord);
        ARG(wi);
        ARG(xf);
        ARG(al);
        ARG(ovf);
        size_t g[3];
        output_grid(&osz, cl_order, g);
        if (st == CLRS_OK) st = enqueue_grid(ctx, q, k, g, nwait, wait, ev);
        clReleaseKernel(k);
    }
    if (tabm) clReleaseMemObject(tabm);
    return st;
}

/* Checks shared by both calling conventions. */
static clrs_status pool_prepare(clrs_context *ctx, const clrs_pool_params *p, const clrs_tensor_desc *in,
                                const clrs_tensor_desc *out, const clrs_tensor_desc *indices, clrs_pool_plan *plan)
{
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pooling: ctx is NULL");
    CLRS_FORWARD(clrs__pool_plan(ctx, in, p, plan));
    const char *kn = kind_names[plan->kind];
    CLRS_FORWARD(clrs__check_output(ctx, kn, out, in->rank, plan->out_sizes, in->dtype));
    if (dtype_define(in->dtype) == NULL)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s does not take dtype %s (f32, f64, f16, bf16, u8, u16)", kn,
                          clrs_dtype_name(in->dtype));
    if (in->dtype == CLRS_F64 && !ctx->fp64)
        return clrs__fail(ctx, CLRS_ERR_UNSUPPORTED, "%s: f64 needs a device with fp64 support; '%s' has none", kn,
                          ctx->info.name);
    if (plan->kind == CLRS_POOL_LP && !plan->lp_inf && (in->dtype == CLRS_U8 || in->dtype == CLRS_U16))
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE,
                          "lp_pool with a finite norm_type needs a floating-point dtype, got %s (torch returns float32)",
                          clrs_dtype_name(in->dtype));
    if (indices != NULL) {
        if (plan->kind != CLRS_POOL_MAX && plan->kind != CLRS_POOL_ADAPTIVE_MAX &&
            plan->kind != CLRS_POOL_FRACTIONAL_MAX)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                              "%s returns no indices (only max, adaptive max and fractional max pooling do)", kn);
        CLRS_FORWARD(clrs__check_desc(ctx, indices, "indices", 1));
        if (indices->dtype != CLRS_I64)
            return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s: indices must be i64, got %s", kn,
                              clrs_dtype_name(indices->dtype));
        if (indices->rank != in->rank || !clrs__desc_same_sizes(indices, plan->out_sizes)) {
            char want[128], got[128];
            clrs__format_sizes(want, sizeof want, in->rank, plan->out_sizes);
            clrs__format_sizes(got, sizeof got, indices->rank, indices->sizes);
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: indices sizes %s do not match the output's %s", kn, got,
                              want);
        }
    }
    return CLRS_OK;
}

clrs_status clrs_pool(clrs_context *ctx, const clrs_pool_params *p, const clrs_tensor_desc *in, const void *in_data,
                      const clrs_tensor_desc *out, void *out_data, const clrs_tensor_desc *indices, void *idx_data)
{
    clrs__clear_error(ctx);
    if ((indices == NULL) != (idx_data == NULL))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pooling: indices descriptor is %s but idx_data is %s",
                          indices ? "given" : "NULL", idx_data ? "given" : "NULL");
    clrs_pool_plan plan;
    CLRS_FORWARD(pool_prepare(ctx, p, in, out, indices, &plan));
    if (plan.numel_out > 0 && (out_data == NULL || (in_data == NULL && clrs_tensor_desc_numel(in) > 0)))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pooling: %s data pointer is NULL", out_data ? "input" : "output");
    clrs_host_tensor ht[3] = {{in, in_data, 0}, {out, out_data, 1}, {indices, idx_data, 1}};
    return clrs__host_call(ctx, &plan, ht, indices ? 3 : 2, clrs__pool_enqueue);
}

clrs_status clrs_pool_cl(clrs_context *ctx, const clrs_pool_params *p, const clrs_tensor_desc *in, cl_mem in_mem,
                         const clrs_tensor_desc *out, cl_mem out_mem, const clrs_tensor_desc *indices, cl_mem idx_mem,
                         cl_command_queue queue, cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    clrs__clear_error(ctx);
    if (indices == NULL && idx_mem != NULL)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pooling: idx_mem is given without an indices descriptor");
    clrs_pool_plan plan;
    CLRS_FORWARD(pool_prepare(ctx, p, in, out, indices, &plan));
    clrs_targ t[3] = {{*in, in_mem, 0}, {*out, out_mem, 1}, {{0}, idx_mem, 1}};
    if (indices) t[2].desc = *indices;
    return clrs__cl_call(ctx, &plan, t, indices ? 3 : 2, queue, num_wait, wait_list, event, clrs__pool_enqueue);
}

/* ======================================================================== */
/* Max unpooling                                                            */

typedef struct unpool_plan {
    int sp;
    int64_t in3[3], out3[3], k3[3], s3[3], p3[3];
    int64_t out_sizes[CLRS_MAX_RANK];
    int64_t numel_out, numel_in;
} unpool_plan;

static clrs_status unpool_plan_make(clrs_context *ctx, const clrs_tensor_desc *in, const clrs_unpool_params *p,
                                    unpool_plan *plan)
{
    if (p == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "max_unpool: params is NULL");
    if (p->struct_size != sizeof *p)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG,
                          "clrs_unpool_params.struct_size is %zu, expected %zu (call clrs_unpool_params_init)",
                          p->struct_size, sizeof *p);
    CLRS_FORWARD(clrs__check_desc(ctx, in, "input", 0));
    memset(plan, 0, sizeof *plan);
    const int rank = in->rank, sp = rank - 2;
    plan->sp = sp;
    const char *kn = "max_unpool";
    CLRS_FORWARD(list3(ctx, kn, "kernel_size", p->n_kernel, p->kernel, sp, 0, 0, 1, plan->k3));
    CLRS_FORWARD(list3(ctx, kn, "padding", p->n_padding, p->padding, sp, 1, 0, 0, plan->p3));
    if (p->n_stride == 0) {
        memcpy(plan->s3, plan->k3, sizeof plan->s3);
    } else {
        CLRS_FORWARD(list3(ctx, kn, "stride", p->n_stride, p->stride, sp, 0, 0, 1, plan->s3));
    }
    int64_t osz3[3] = {1, 1, 1};
    if (p->n_output_size != 0)
        CLRS_FORWARD(list3(ctx, kn, "output_size", p->n_output_size, p->output_size, sp, 0, 0, 1, osz3));
    char sz[128];
    clrs__format_sizes(sz, sizeof sz, rank, in->sizes);
    if (in->sizes[1] == 0)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "max_unpool: expected an input with non-zero channels, got %s", sz);
    for (int i = 0; i < sp; i++) {
        if (in->sizes[2 + i] == 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "max_unpool: expected non-zero spatial sizes, got %s", sz);
        plan->in3[3 - sp + i] = in->sizes[2 + i];
    }
    for (int a = 0; a < 3 - sp; a++) plan->in3[a] = 1;
    for (int a = 3 - sp; a < 3; a++) {
        int64_t k = plan->k3[a], s = plan->s3[a], pd = plan->p3[a], dflt;
        if (k <= 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "max_unpool: kernel_size should be greater than zero, but got %lld (%s)",
                              (long long)k, axis_names[a]);
        if (pd < 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "max_unpool: padding must be non-negative, but got %lld (%s)",
                              (long long)pd, axis_names[a]);
        /* torch's max_unpool3d validates the stride; 1-D/2-D take any */
        if (sp == 3 && s <= 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "max_unpool3d: strides should be greater than zero, but got %lld (%s)",
                              (long long)s, axis_names[a]);
        int64_t pad2;
        if (__builtin_mul_overflow(plan->in3[a] - 1, s, &dflt) || __builtin_add_overflow(dflt, k, &dflt) ||
            __builtin_mul_overflow(pd, (int64_t)2, &pad2) || __builtin_sub_overflow(dflt, pad2, &dflt))
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                              "max_unpool: default output size (in - 1) * stride - 2 * padding + kernel overflows 64 "
                              "bits (%s: in %lld, stride %lld, padding %lld, kernel %lld)",
                              axis_names[a], (long long)plan->in3[a], (long long)s, (long long)pd, (long long)k);
        int64_t o = dflt;
        if (p->n_output_size != 0) {
            o = osz3[a];
            /* dflt - stride < o < dflt + stride; a bound past int64 excludes nothing */
            int64_t lo, hi;
            int lo_of = __builtin_sub_overflow(dflt, s, &lo), hi_of = __builtin_add_overflow(dflt, s, &hi);
            if (!((lo_of || lo < o) && (hi_of || o < hi))) {
                char ob[96];
                fmt_list(ob, sizeof ob, sp, osz3, ", ");
                return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                                  "max_unpool: invalid output_size \"(%s)\" (dim %d must be between %lld and %lld, "
                                  "exclusive)",
                                  ob, a - (3 - sp), lo_of ? (long long)INT64_MIN : (long long)lo,
                                  hi_of ? (long long)INT64_MAX : (long long)hi);
            }
        }
        if (o < 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "max_unpool: output size %lld is negative (%s)", (long long)o,
                              axis_names[a]);
        plan->out3[a] = o;
    }
    for (int a = 0; a < 3 - sp; a++) plan->out3[a] = 1;
    plan->out_sizes[0] = in->sizes[0];
    plan->out_sizes[1] = in->sizes[1];
    for (int i = 0; i < sp; i++) plan->out_sizes[2 + i] = plan->out3[3 - sp + i];
    plan->numel_out = 1;
    for (int i = 0; i < rank; i++)
        if (__builtin_mul_overflow(plan->numel_out, plan->out_sizes[i], &plan->numel_out))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "max_unpool: output element count overflows 64 bits");
    plan->numel_in = clrs_tensor_desc_numel(in);
    return CLRS_OK;
}

clrs_status clrs_max_unpool_output_shape(clrs_context *ctx, const clrs_tensor_desc *in, const clrs_unpool_params *p,
                                         int64_t out_sizes[CLRS_MAX_RANK])
{
    clrs__clear_error(ctx);
    if (out_sizes == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "max_unpool: out_sizes is NULL");
    unpool_plan plan;
    CLRS_FORWARD(unpool_plan_make(ctx, in, p, &plan));
    for (int i = 0; i < CLRS_MAX_RANK; i++) out_sizes[i] = i < in->rank ? plan.out_sizes[i] : 0;
    return CLRS_OK;
}

/* The first invalid index in C order, read back from the device, for the
 * error message. */
static clrs_status unpool_bad_index(clrs_context *ctx, const unpool_plan *plan, const clrs_targ *ix,
                                    cl_command_queue q, cl_uint nwait, const cl_event *wait)
{
    const clrs_tensor_desc *d = &ix->desc;
    int64_t ext = clrs__desc_extent(d);
    cl_long *buf = malloc((size_t)(ext > 0 ? ext : 1) * sizeof *buf);
    if (buf == NULL) return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "max_unpool: reading back the indices");
    cl_int e = clEnqueueReadBuffer(q, ix->mem, CL_TRUE, 0, (size_t)ext * sizeof *buf, buf, nwait, wait, NULL);
    if (e != CL_SUCCESS) {
        free(buf);
        return clrs__fail_cl(ctx, e, "clEnqueueReadBuffer of the indices");
    }
    cl_long8 sz, st;
    geom5(d, &sz, &st);
    const int64_t plane = plan->out3[0] * plan->out3[1] * plan->out3[2];
    char ob[96];
    fmt_list(ob, sizeof ob, plan->sp, plan->out3, "x");
    for (int64_t n = 0; n < sz.s[0]; n++)
        for (int64_t c = 0; c < sz.s[1]; c++)
            for (int64_t z = 0; z < sz.s[2]; z++)
                for (int64_t y = 0; y < sz.s[3]; y++)
                    for (int64_t x = 0; x < sz.s[4]; x++) {
                        int64_t v = buf[d->offset + n * st.s[0] + c * st.s[1] + z * st.s[2] + y * st.s[3] + x * st.s[4]];
                        if (v >= 0 && v < plane) continue;
                        free(buf);
                        char pos[128];
                        int64_t all[5] = {n, c, z, y, x};
                        int64_t show[5];
                        show[0] = n;
                        show[1] = c;
                        for (int i = 0; i < plan->sp; i++) show[2 + i] = all[5 - plan->sp + i];
                        clrs__format_sizes(pos, sizeof pos, plan->sp + 2, show);
                        return clrs__fail(ctx, CLRS_ERR_INDEX_OUT_OF_RANGE,
                                          "max_unpool: Found an invalid max index: %lld at indices position %s (output "
                                          "planes are %s = %lld elements)",
                                          (long long)v, pos, ob, (long long)plane);
                    }
    free(buf);
    return clrs__fail(ctx, CLRS_ERR_INDEX_OUT_OF_RANGE, "max_unpool: an index is outside the output plane of %s", ob);
}

/* The gather and scatter kernels share their leading arguments (input,
 * indices, output, geometry); the gather also takes the window. */
static clrs_status unpool_launch(clrs_context *ctx, const char *opts, const char *kname, clrs_targ *t,
                                 const cl_long8 *isz, const cl_long8 *ist, const cl_long8 *xst, const cl_long8 *osz,
                                 const cl_long8 *ost, int windowed, const cl_long4 *k3, const cl_long4 *s3,
                                 const cl_long4 *p3, cl_int ord, const size_t g[3], cl_command_queue q, cl_uint nwait,
                                 const cl_event *wait, cl_event *ev)
{
    cl_kernel k = NULL;
    clrs_status st = clrs__get_kernel(ctx, "pool", opts, kname, &k);
    if (st != CLRS_OK) return st;
    cl_long soff = t[0].desc.offset, xoff = t[1].desc.offset, doff = t[2].desc.offset;
    cl_uint ai = 0;
    ARG(t[0].mem);
    ARG(soff);
    ARG(t[1].mem);
    ARG(xoff);
    ARG(t[2].mem);
    ARG(doff);
    ARG(*isz);
    ARG(*ist);
    ARG(*xst);
    ARG(*osz);
    ARG(*ost);
    if (windowed) {
        ARG(*k3);
        ARG(*s3);
        ARG(*p3);
        ARG(ord);
    }
    if (st == CLRS_OK) st = enqueue_grid(ctx, q, k, g, nwait, wait, ev);
    clReleaseKernel(k);
    return st;
}

static clrs_status unpool_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                                  cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    (void)nt;
    const unpool_plan *plan = op;
    const clrs_tensor_desc *in = &t[0].desc, *ix = &t[1].desc, *out = &t[2].desc;
    if (plan->numel_in == 0) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    const int64_t plane_out = plan->out3[0] * plan->out3[1] * plan->out3[2]; /* fits: numel_out was checked */
    if (plane_out == 0) return unpool_bad_index(ctx, plan, &t[1], q, nwait, wait);
    cl_long8 isz, ist, xsz, xst, osz, ost;
    geom5(in, &isz, &ist);
    geom5(ix, &xsz, &xst);
    geom5(out, &osz, &ost);
    int windowed = plan->s3[0] > 0 && plan->s3[1] > 0 && plan->s3[2] > 0;
    int cl_order = channels_last_order(out);
    char opts[256];
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "ELEM_T=%s", elem_type(clrs_dtype_size(in->dtype)));
    clrs__opts_string(&o, opts, sizeof opts);

    cl_int e;
    cl_int flags[2] = {0, 0};
    cl_mem fm = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof flags, flags, &e);
    if (e != CL_SUCCESS) return clrs__fail_cl(ctx, e, "clCreateBuffer (unpool flags)");
    cl_event checked = NULL, zeroed = NULL;
    cl_kernel k = NULL;
    clrs_status st = clrs__get_kernel(ctx, "pool", opts, "clrs_unpool_check", &k);
    cl_uint ai = 0;
    cl_long xoff = ix->offset, doff = out->offset;
    cl_long4 o3 = long4_of(plan->out3), k3 = long4_of(plan->k3), s3 = long4_of(plan->s3), p3 = long4_of(plan->p3);
    cl_int win = windowed, ord = cl_order;
    if (st == CLRS_OK) {
        ARG(t[1].mem);
        ARG(xoff);
        ARG(xsz);
        ARG(xst);
        ARG(o3);
        ARG(k3);
        ARG(s3);
        ARG(p3);
        ARG(win);
        ARG(fm);
        size_t g[3] = {(size_t)xsz.s[4], (size_t)xsz.s[3], (size_t)(xsz.s[2] * xsz.s[1] * xsz.s[0])};
        if (st == CLRS_OK) st = enqueue_grid(ctx, q, k, g, nwait, wait, &checked);
        clReleaseKernel(k);
        k = NULL;
    }
    /* An invalid index must be reported as a status, so the flags are read
     * back here (this waits for the wait list and the check). */
    if (st == CLRS_OK) {
        e = clEnqueueReadBuffer(q, fm, CL_TRUE, 0, sizeof flags, flags, 1, &checked, NULL);
        if (e != CL_SUCCESS) st = clrs__fail_cl(ctx, e, "clEnqueueReadBuffer (unpool flags)");
    }
    if (st == CLRS_OK && flags[0]) st = unpool_bad_index(ctx, plan, &t[1], q, 1, &checked);
    /* Both paths give the same bits. The gather (every index lies in its
     * own window) spreads over all output elements: the choice for GPUs and
     * few planes; CPUs with many planes do better with the per-plane scatter. */
    const int64_t planes = isz.s[0] * isz.s[1];
    if (st == CLRS_OK && windowed && !flags[1] && (!ctx->is_cpu || planes < 16)) {
        /* gather: each output element finds its input, no write conflicts */
        size_t g[3];
        output_grid(&osz, cl_order, g);
        st = unpool_launch(ctx, opts, "clrs_unpool_gather", t, &isz, &ist, &xst, &osz, &ost, 1, &k3, &s3, &p3, ord, g,
                           q, 1, &checked, ev);
    } else if (st == CLRS_OK) {
        st = clrs__get_kernel(ctx, "pool", opts, "clrs_unpool_zero", &k);
        ai = 0;
        ARG(t[2].mem);
        ARG(doff);
        ARG(osz);
        ARG(ost);
        ARG(ord);
        size_t g[3];
        output_grid(&osz, cl_order, g);
        if (st == CLRS_OK) st = enqueue_grid(ctx, q, k, g, 1, &checked, &zeroed);
        /* scatter: one work-item per plane */
        size_t gp[3] = {(size_t)isz.s[1], (size_t)isz.s[0], 1};
        if (st == CLRS_OK)
            st = unpool_launch(ctx, opts, "clrs_unpool_scatter", t, &isz, &ist, &xst, &osz, &ost, 0, NULL, NULL, NULL, 0,
                               gp, q, 1, &zeroed, ev);
    }
    if (k) clReleaseKernel(k);
    if (checked) clReleaseEvent(checked);
    if (zeroed) clReleaseEvent(zeroed);
    clReleaseMemObject(fm);
    return st;
}

static clrs_status unpool_prepare(clrs_context *ctx, const clrs_unpool_params *p, const clrs_tensor_desc *in,
                                  const clrs_tensor_desc *indices, const clrs_tensor_desc *out, unpool_plan *plan)
{
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "max_unpool: ctx is NULL");
    CLRS_FORWARD(unpool_plan_make(ctx, in, p, plan));
    CLRS_FORWARD(clrs__check_desc(ctx, indices, "indices", 0));
    if (indices->dtype != CLRS_I64)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "max_unpool: indices must be i64, got %s",
                          clrs_dtype_name(indices->dtype));
    if (indices->rank != in->rank || !clrs__desc_same_sizes(indices, in->sizes)) {
        char a[128], b[128];
        clrs__format_sizes(a, sizeof a, indices->rank, indices->sizes);
        clrs__format_sizes(b, sizeof b, in->rank, in->sizes);
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                          "max_unpool: Expected shape of indices to be same as that of the input tensor %s but got "
                          "indices tensor with shape %s",
                          b, a);
    }
    CLRS_FORWARD(clrs__check_output(ctx, "max_unpool", out, in->rank, plan->out_sizes, in->dtype));
    return CLRS_OK;
}

clrs_status clrs_max_unpool(clrs_context *ctx, const clrs_unpool_params *p, const clrs_tensor_desc *in,
                            const void *in_data, const clrs_tensor_desc *indices, const void *idx_data,
                            const clrs_tensor_desc *out, void *out_data)
{
    clrs__clear_error(ctx);
    unpool_plan plan;
    CLRS_FORWARD(unpool_prepare(ctx, p, in, indices, out, &plan));
    if (plan.numel_in > 0 && (in_data == NULL || idx_data == NULL || (plan.numel_out > 0 && out_data == NULL)))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "max_unpool: %s data pointer is NULL",
                          in_data == NULL ? "input" : idx_data == NULL ? "indices" : "output");
    clrs_host_tensor ht[3] = {{in, in_data, 0}, {indices, idx_data, 0}, {out, out_data, 1}};
    return clrs__host_call(ctx, &plan, ht, 3, unpool_enqueue);
}

clrs_status clrs_max_unpool_cl(clrs_context *ctx, const clrs_unpool_params *p, const clrs_tensor_desc *in,
                               cl_mem in_mem, const clrs_tensor_desc *indices, cl_mem idx_mem,
                               const clrs_tensor_desc *out, cl_mem out_mem, cl_command_queue queue,
                               cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    clrs__clear_error(ctx);
    unpool_plan plan;
    CLRS_FORWARD(unpool_prepare(ctx, p, in, indices, out, &plan));
    clrs_targ t[3] = {{*in, in_mem, 0}, {*indices, idx_mem, 0}, {*out, out_mem, 1}};
    return clrs__cl_call(ctx, &plan, t, 3, queue, num_wait, wait_list, event, unpool_enqueue);
}

/* ======================================================================== */
/* Pixel shuffle / unshuffle                                                */

typedef struct shuffle_plan {
    int64_t r;
    int inverse;
    int64_t out_sizes[CLRS_MAX_RANK];
    int64_t numel_out;
} shuffle_plan;

static clrs_status shuffle_plan_make(clrs_context *ctx, const clrs_tensor_desc *in, int64_t factor, int inverse,
                                     shuffle_plan *plan)
{
    CLRS_FORWARD(clrs__check_desc(ctx, in, "input", 0));
    const char *kn = inverse ? "pixel_unshuffle" : "pixel_shuffle";
    if (in->rank != 4)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s needs a 4-D input (N, C, H, W), got rank %d", kn, in->rank);
    if (factor <= 0)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s expects a positive %s factor, but got %lld", kn,
                          inverse ? "downscale" : "upscale", (long long)factor);
    memset(plan, 0, sizeof *plan);
    int64_t r = factor, r2;
    if (__builtin_mul_overflow(r, r, &r2))
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: factor %lld squared overflows 64 bits", kn, (long long)r);
    const int64_t N = in->sizes[0], C = in->sizes[1], H = in->sizes[2], W = in->sizes[3];
    plan->r = r;
    plan->inverse = inverse != 0;
    plan->out_sizes[0] = N;
    if (!inverse) {
        if (C % r2 != 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                              "upscale_factor, but input.size(-3)=%lld is not divisible by %lld",
                              (long long)C, (long long)r2);
        plan->out_sizes[1] = C / r2;
        if (__builtin_mul_overflow(H, r, &plan->out_sizes[2]) || __builtin_mul_overflow(W, r, &plan->out_sizes[3]))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "pixel_shuffle: output sizes overflow 64 bits");
    } else {
        if (H % r != 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=%lld "
                              "is not divisible by %lld",
                              (long long)H, (long long)r);
        if (W % r != 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=%lld "
                              "is not divisible by %lld",
                              (long long)W, (long long)r);
        if (__builtin_mul_overflow(C, r2, &plan->out_sizes[1]))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "pixel_unshuffle: output channels overflow 64 bits");
        plan->out_sizes[2] = H / r;
        plan->out_sizes[3] = W / r;
    }
    plan->numel_out = 1;
    for (int i = 0; i < 4; i++)
        if (__builtin_mul_overflow(plan->numel_out, plan->out_sizes[i], &plan->numel_out))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: output element count overflows 64 bits", kn);
    return CLRS_OK;
}

clrs_status clrs_pixel_shuffle_output_shape(clrs_context *ctx, const clrs_tensor_desc *in, int64_t factor,
                                            int inverse, int64_t out_sizes[CLRS_MAX_RANK])
{
    clrs__clear_error(ctx);
    if (out_sizes == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pixel_shuffle: out_sizes is NULL");
    shuffle_plan plan;
    CLRS_FORWARD(shuffle_plan_make(ctx, in, factor, inverse, &plan));
    for (int i = 0; i < CLRS_MAX_RANK; i++) out_sizes[i] = i < 4 ? plan.out_sizes[i] : 0;
    return CLRS_OK;
}

static clrs_status shuffle_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                                   cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    (void)nt;
    const shuffle_plan *plan = op;
    if (plan->numel_out == 0) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    const clrs_tensor_desc *in = &t[0].desc, *out = &t[1].desc;
    cl_long8 isz, ist, osz, ost;
    geom5(in, &isz, &ist);
    geom5(out, &osz, &ost);
    int cl_order = channels_last_order(out);
    char opts[256];
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "ELEM_T=%s", elem_type(clrs_dtype_size(in->dtype)));
    clrs__opts_string(&o, opts, sizeof opts);
    cl_kernel k = NULL;
    clrs_status st = clrs__get_kernel(ctx, "pool", opts, "clrs_pixel_shuffle", &k);
    if (st != CLRS_OK) return st;
    cl_long soff = in->offset, doff = out->offset, r = plan->r;
    cl_int inv = plan->inverse, ord = cl_order;
    cl_uint ai = 0;
    ARG(t[0].mem);
    ARG(soff);
    ARG(t[1].mem);
    ARG(doff);
    ARG(osz);
    ARG(ist);
    ARG(ost);
    ARG(r);
    ARG(inv);
    ARG(ord);
    size_t g[3];
    output_grid(&osz, cl_order, g);
    if (st == CLRS_OK) st = enqueue_grid(ctx, q, k, g, nwait, wait, ev);
    clReleaseKernel(k);
    return st;
}

static clrs_status shuffle_prepare(clrs_context *ctx, int64_t factor, int inverse, const clrs_tensor_desc *in,
                                   const clrs_tensor_desc *out, shuffle_plan *plan)
{
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pixel_shuffle: ctx is NULL");
    CLRS_FORWARD(shuffle_plan_make(ctx, in, factor, inverse, plan));
    CLRS_FORWARD(clrs__check_output(ctx, inverse ? "pixel_unshuffle" : "pixel_shuffle", out, 4, plan->out_sizes,
                                    in->dtype));
    return CLRS_OK;
}

clrs_status clrs_pixel_shuffle(clrs_context *ctx, int64_t factor, int inverse, const clrs_tensor_desc *in,
                               const void *in_data, const clrs_tensor_desc *out, void *out_data)
{
    clrs__clear_error(ctx);
    shuffle_plan plan;
    CLRS_FORWARD(shuffle_prepare(ctx, factor, inverse, in, out, &plan));
    if (plan.numel_out > 0 && (in_data == NULL || out_data == NULL))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pixel_shuffle: %s data pointer is NULL",
                          in_data ? "output" : "input");
    clrs_host_tensor ht[2] = {{in, in_data, 0}, {out, out_data, 1}};
    return clrs__host_call(ctx, &plan, ht, 2, shuffle_enqueue);
}

clrs_status clrs_pixel_shuffle_cl(clrs_context *ctx, int64_t factor, int inverse, const clrs_tensor_desc *in,
                                  cl_mem in_mem, const clrs_tensor_desc *out, cl_mem out_mem, cl_command_queue queue,
                                  cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    clrs__clear_error(ctx);
    shuffle_plan plan;
    CLRS_FORWARD(shuffle_prepare(ctx, factor, inverse, in, out, &plan));
    clrs_targ t[2] = {{*in, in_mem, 0}, {*out, out_mem, 1}};
    return clrs__cl_call(ctx, &plan, t, 2, queue, num_wait, wait_list, event, shuffle_enqueue);
}
