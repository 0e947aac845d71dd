/* SPDX-License-Identifier: MIT */
/* Pooling (max, avg, LP, adaptive avg / max, fractional max): PyTorch's
 * argument checks and shape rules, fractional pooling's windows, and the
 * "pool" implementation list: global, the window forms (pool_win.c), full
 * and general, the last two and global launching cl/pool.cl. Max unpooling
 * is in unpool.c, pixel shuffle in pixel_shuffle.c.
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

#include "pool_impl.h"

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
clrs_status clrs__pool_list3(const clrs_context *ctx, const char *op, const char *what, int n, const int64_t *v, int sp,
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

void clrs__pool_fmt_list(char *buf, size_t len, int sp, const int64_t *v3, const char *sep)
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
        CLRS_FORWARD(clrs__pool_list3(ctx, kn, "kernel_size", p->n_kernel, p->kernel, sp, 0, 0, 1, plan->k3));
        int64_t s3[3], p3[3], d3[3];
        CLRS_FORWARD(clrs__pool_list3(ctx, kn, "padding", p->n_padding, p->padding, sp, 1, 0, 0, p3));
        CLRS_FORWARD(clrs__pool_list3(ctx, kn, "dilation", p->n_dilation, p->dilation, sp, 1, 1, 1, d3));
        /* stride defaults to the kernel, axis by axis */
        if (p->n_stride == 0) {
            memcpy(s3, plan->k3, sizeof s3);
        } else {
            CLRS_FORWARD(clrs__pool_list3(ctx, kn, "stride", p->n_stride, p->stride, sp, 0, 0, 1, s3));
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
            clrs__pool_fmt_list(b1, sizeof b1, sp, plan->in3, "x");
            clrs__pool_fmt_list(b2, sizeof b2, sp, plan->out3, "x");
            snprintf(ib, sizeof ib, "%lldx%s", (long long)in->sizes[1], b1);
            snprintf(ob, sizeof ob, "%lldx%s", (long long)in->sizes[1], b2);
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "%s: Given input size: (%s). Calculated output size: (%s). Output size is too small", kn, ib,
                              ob);
        }
    } else if (kind == CLRS_POOL_ADAPTIVE_AVG || kind == CLRS_POOL_ADAPTIVE_MAX) {
        CLRS_FORWARD(clrs__pool_list3(ctx, kn, "output_size", p->n_output_size, p->output_size, sp, 0, 0, 1, plan->out3));
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
        CLRS_FORWARD(clrs__pool_list3(ctx, kn, "kernel_size", p->n_kernel, p->kernel, sp, 0, 0, 1, plan->k3));
        for (int a = 3 - sp; a < 3; a++)
            if (plan->k3[a] <= 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                  "fractional_max_pool%dd(): kernel_size should be greater than zero, but got %lld (%s)",
                                  sp, (long long)plan->k3[a], axis_names[a]);
        /* As torch's F.fractional_max_pool*d: output_size wins when both are given. */
        if (p->n_output_size != 0) {
            CLRS_FORWARD(clrs__pool_list3(ctx, kn, "output_size", p->n_output_size, p->output_size, sp, 0, 0, 1, plan->out3));
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
 * computation type. Codes as clrs_pow in cl/pool_common.cl. */
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
const char *clrs__pool_dtype_define(clrs_dtype dt)
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

clrs_status clrs__pool_get_kernel(clrs_context *ctx, const char *program, clrs_opts *o, int exact_div,
                                  const char *kernel, cl_kernel *k)
{
    static const char crds[] = " -cl-fp32-correctly-rounded-divide-sqrt";
    char *s = clrs__opts_take(o);
    if (s == NULL) return clrs__fail(ctx, CLRS_ERR_INTERNAL, "%s: kernel options could not be built", kernel);
    cl_device_fp_config fc = 0;
    if (exact_div && clGetDeviceInfo(ctx->dev, CL_DEVICE_SINGLE_FP_CONFIG, sizeof fc, &fc, NULL) == CL_SUCCESS &&
        (fc & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT)) {
        char *t = realloc(s, strlen(s) + sizeof crds);
        if (t == NULL) {
            free(s);
            return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "%s: kernel options", kernel);
        }
        s = t;
        strcat(s, crds);
    }
    clrs_status st = clrs__get_kernel(ctx, program, s, kernel, k);
    free(s);
    return st;
}

/* Work-group size of clrs_pool_global on this device (tuning pool_wg). */
static size_t global_wg(const clrs_context *ctx)
{
    return clrs__wg_fit(ctx, (size_t)ctx->tune.v.pool_wg);
}

/* Options of a "pool" program: the general one per dtype (the algorithm is
 * a runtime argument), or, with full != 0, one specialised for an
 * algorithm and a whole-window size k3. */
static void pool_options(const clrs_context *ctx, clrs_opts *o, clrs_dtype dt, int full, int algo,
                         const int64_t k3[3], int onnx)
{
    clrs__opts_init(o);
    clrs__opts_def(o, "%s", clrs__pool_dtype_define(dt));
    clrs__opts_def(o, "WG_SIZE=%zu", global_wg(ctx));
    if (onnx) clrs__opts_def(o, "ONNX=1");
    if (full) {
        clrs__opts_def(o, "ALGO=%d", algo);
        clrs__opts_def(o, "FULL=1");
        clrs__opts_def(o, "KD=%lld", (long long)k3[0]);
        clrs__opts_def(o, "KH=%lld", (long long)k3[1]);
        clrs__opts_def(o, "KW=%lld", (long long)k3[2]);
    }
}

/* ---- global: one work-group per plane ------------------------------------- */
/* Global pooling: one output per plane covering the whole plane, on planes
 * large enough for a work-group reduction. Its sums add up as a tree:
 * within the float tolerance of the general kernel's serial sum. */
static int global_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    const clrs_pool_problem *pb = problem;
    const clrs_pool_plan *plan = pb->plan;
    if (pb->algo == A_FMAX) {
        snprintf(why, len, "fractional max pooling");
        return 1;
    }
    if (plan->out3[0] != 1 || plan->out3[1] != 1 || plan->out3[2] != 1) {
        snprintf(why, len, "output planes of more than one element");
        return 1;
    }
    if (pb->plane_in < ctx->tune.v.pool_global_min_plane) {
        snprintf(why, len, "input plane of %lld elements < pool_global_min_plane %lld", (long long)pb->plane_in,
                 (long long)ctx->tune.v.pool_global_min_plane);
        return 1;
    }
    if (pb->algo == A_MAX || pb->algo == A_AVG || pb->algo == A_LP)
        for (int a = 0; a < 3; a++)
            if (plan->k3[a] != plan->in3[a] || plan->p3[a] != 0 || (plan->d3[a] != 1 && plan->in3[a] != 1)) {
                snprintf(why, len, "the window is not the whole %s axis", clrs__pool_axis_name(a));
                return 1;
            }
    return 0;
}

/* Returns CLRS_ERR_UNSUPPORTED (no error recorded) when the device cannot
 * run the group size, so the caller picks among the entries after it. */
static clrs_status global_launch(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu)
{
    const clrs_pool_plan *plan = pb->plan;
    const clrs_tensor_desc *in = pb->in, *out = pb->out;
    const size_t wg = global_wg(ctx);
    clrs_opts o;
    pool_options(ctx, &o, in->dtype, 0, pb->algo, plan->k3, 0);
    cl_kernel k = NULL;
    clrs_status st = clrs__pool_get_kernel(ctx, "pool", &o, 1, "clrs_pool_global", &k);
    if (st != CLRS_OK) return st;
    size_t kwg = 0;
    /* (a dry run has no kernel to ask, and decides as if it ran) */
    if (k != NULL && (!clrs__kernel_wg(ctx, k, &kwg) || kwg < wg)) {
        clReleaseKernel(k);
        clrs__dispatch_declined("pool", "global", "kernel work-group size %zu < %zu", kwg, wg);
        return CLRS_ERR_UNSUPPORTED;
    }
    const int f64 = in->dtype == CLRS_F64;
    cl_long divisor = plan->divisor_override != 0 ? plan->divisor_override : pb->plane_in;
    cl_long soff = in->offset, doff = out->offset, xoff = pb->with_idx ? pb->t[2].desc.offset : 0;
    cl_mem nomem = NULL;
    cl_mem xm = pb->with_idx ? pb->t[2].mem : nomem;
    cl_long8 isz = pb->isz, ist = pb->ist, ost = pb->ost, xst = pb->xst;
    cl_int pwc = pb->pw_code, ipwc = pb->ipw_code;
    cl_int wi = pb->with_idx, xf = pb->xform, al = pb->algo, ovf = pb->ovf16;
    clrs_kargs a = clrs__kargs(ctx, k);
    CLRS_KARG(&a, pb->t[0].mem);
    CLRS_KARG(&a, soff);
    CLRS_KARG(&a, pb->t[1].mem);
    CLRS_KARG(&a, doff);
    CLRS_KARG(&a, xm);
    CLRS_KARG(&a, xoff);
    CLRS_KARG(&a, isz);
    CLRS_KARG(&a, ist);
    CLRS_KARG(&a, ost);
    CLRS_KARG(&a, xst);
    CLRS_KARG(&a, divisor);
    clrs__karg_acc(&a, f64, pb->pw_e);
    CLRS_KARG(&a, pwc);
    clrs__karg_acc(&a, f64, pb->ipw_e);
    CLRS_KARG(&a, ipwc);
    clrs__karg_acc(&a, f64, (double)pb->kvol);
    CLRS_KARG(&a, wi);
    CLRS_KARG(&a, xf);
    CLRS_KARG(&a, al);
    CLRS_KARG(&a, ovf);
    st = a.st;
    if (st == CLRS_OK) {
        const size_t g[3] = {wg, (size_t)isz.s[1], (size_t)isz.s[0]}, l[3] = {wg, 1, 1};
        st = clrs__enqueue_kernel_local(ctx, qu->q, k, 3, g, l, qu->nwait, qu->wait, qu->ev);
    }
    if (k != NULL) clReleaseKernel(k);
    return st;
}

/* ---- full and general: the per-element engine (clrs_pool) ------------------ */
/* Non-overlapping whole windows not taken above (3-D windows, adaptive
 * pooling with divisible sizes) (stride == kernel, no padding, no
 * dilation, every window inside the input, windows of at most 4 a side):
 * the window size becomes compile-time (KD/KH/KW) and the loops unroll with
 * no clipping. Adaptive pooling with divisible sizes is the same shape
 * (kernel = stride = in / out). A specialised program costs a build, so
 * only outputs of pool_full_min_output elements or more get one; everything
 * else shares the general program of its dtype. k3 gets the window. */
static int full_window(const clrs_pool_problem *pb, int64_t k3[3], char *why, size_t len)
{
    const clrs_pool_plan *plan = pb->plan;
    const int algo = pb->algo;
    memcpy(k3, plan->k3, 3 * sizeof *k3);
    for (int a = 0; a < 3; a++) {
        if (algo == A_MAX || algo == A_AVG) {
            if (plan->p3[a] != 0 || plan->d3[a] != 1 || plan->s3[a] != plan->k3[a] ||
                plan->out3[a] * plan->s3[a] > plan->in3[a]) {
                snprintf(why, len, "windows that overlap, pad, dilate or leave the input (%s)", clrs__pool_axis_name(a));
                return 1;
            }
        } else if ((algo == A_AAVG || algo == A_AMAX) && plan->in3[a] % plan->out3[a] == 0) {
            k3[a] = plan->in3[a] / plan->out3[a];
        } else {
            snprintf(why, len, algo == A_AAVG || algo == A_AMAX ? "sizes that do not divide (%s)"
                                                                : "not max, avg or adaptive%s",
                     algo == A_AAVG || algo == A_AMAX ? clrs__pool_axis_name(a) : "");
            return 1;
        }
        if (k3[a] > 4) {
            snprintf(why, len, "window of %lld > 4 (%s)", (long long)k3[a], clrs__pool_axis_name(a));
            return 1;
        }
    }
    return 0;
}

static int full_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    const clrs_pool_problem *pb = problem;
    if (pb->plan->numel_out < ctx->tune.v.pool_full_min_output) {
        snprintf(why, len, "output of %lld elements < pool_full_min_output %lld", (long long)pb->plan->numel_out,
                 (long long)ctx->tune.v.pool_full_min_output);
        return 1;
    }
    int64_t k3[3];
    return full_window(pb, k3, why, len);
}

static clrs_status engine_launch(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu, int full)
{
    const clrs_pool_plan *plan = pb->plan;
    const clrs_tensor_desc *in = pb->in, *out = pb->out;
    const int algo = pb->algo, f64 = in->dtype == CLRS_F64;
    int64_t k3[3], s3[3];
    memcpy(k3, plan->k3, sizeof k3);
    memcpy(s3, plan->s3, sizeof s3);
    if (full) {
        char why[200];
        full_window(pb, k3, why, sizeof why);
        memcpy(s3, k3, sizeof s3); /* max / avg: stride == kernel; adaptive: both in / out */
    }
    cl_long divisor = plan->divisor_override;
    if (full && (algo == A_AVG || algo == A_LP)) divisor = plan->divisor_override != 0 ? plan->divisor_override : pb->kvol;
    if (algo == A_LP && !full) divisor = 0;
    const int cl_order = clrs__iter_channels_last(out);
    clrs_opts o;
    pool_options(ctx, &o, in->dtype, full, algo, k3, plan->onnx);

    cl_mem tabm = NULL;
    clrs_status st = CLRS_OK;
    if (algo == A_FMAX) st = frac_table(ctx, plan, in->dtype, in->sizes[0], in->sizes[1], &tabm);
    if (st != CLRS_OK) {
        clrs__opts_free(&o);
        return st;
    }
    cl_kernel k = NULL;
    st = clrs__pool_get_kernel(ctx, "pool", &o, 1, "clrs_pool", &k);
    if (st == CLRS_OK) {
        cl_long soff = in->offset, doff = out->offset, xoff = pb->with_idx ? pb->t[2].desc.offset : 0;
        cl_mem nomem = NULL;
        cl_mem xm = pb->with_idx ? pb->t[2].mem : nomem;
        cl_long8 isz = pb->isz, osz = pb->osz, ist = pb->ist, ost = pb->ost, xst = pb->xst;
        cl_long4 kk = clrs__long4_of(k3), ss = clrs__long4_of(s3), pp = clrs__long4_of(plan->p3),
                 dd = clrs__long4_of(plan->d3);
        cl_int cip = plan->count_include_pad || algo == A_LP;
        cl_int pwc = pb->pw_code, ipwc = pb->ipw_code;
        cl_int ord = cl_order, wi = pb->with_idx, xf = pb->xform, al = algo, ovf = pb->ovf16;
        clrs_kargs a = clrs__kargs(ctx, k);
        CLRS_KARG(&a, pb->t[0].mem);
        CLRS_KARG(&a, soff);
        CLRS_KARG(&a, pb->t[1].mem);
        CLRS_KARG(&a, doff);
        CLRS_KARG(&a, xm);
        CLRS_KARG(&a, xoff);
        CLRS_KARG(&a, tabm);
        CLRS_KARG(&a, isz);
        CLRS_KARG(&a, osz);
        CLRS_KARG(&a, ist);
        CLRS_KARG(&a, ost);
        CLRS_KARG(&a, xst);
        CLRS_KARG(&a, kk);
        CLRS_KARG(&a, ss);
        CLRS_KARG(&a, pp);
        CLRS_KARG(&a, dd);
        CLRS_KARG(&a, divisor);
        CLRS_KARG(&a, cip);
        clrs__karg_acc(&a, f64, pb->pw_e);
        CLRS_KARG(&a, pwc);
        clrs__karg_acc(&a, f64, pb->ipw_e);
        CLRS_KARG(&a, ipwc);
        clrs__karg_acc(&a, f64, (double)pb->kvol);
        CLRS_KARG(&a, ord);
        CLRS_KARG(&a, wi);
        CLRS_KARG(&a, xf);
        CLRS_KARG(&a, al);
        CLRS_KARG(&a, ovf);
        if (plan->onnx) {
            cl_long4 pe = clrs__long4_of(plan->pe3);
            CLRS_KARG(&a, pe);
        }
        st = a.st;
        size_t g[3];
        clrs__iter_grid(&osz, cl_order, g);
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, qu->q, k, 3, g, qu->nwait, qu->wait, qu->ev);
        if (k != NULL) clReleaseKernel(k);
    }
    if (tabm) clReleaseMemObject(tabm);
    return st;
}

static clrs_status full_launch(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu)
{
    return engine_launch(ctx, pb, qu, 1);
}

static clrs_status general_launch(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu)
{
    return engine_launch(ctx, pb, qu, 0);
}

/* ---- the list ------------------------------------------------------------- */
/* In order, the first that accepts runs; the window forms (pool_win.c) take
 * disjoint cases (by algorithm and layout). CLRS_IMPL_EXACT: the general
 * kernel's bits on every input (the same taps in the same order, the same
 * divisors); global (a tree of sums) and the adaptive forms that add down
 * the columns first (aavg_cl_pc, aavg_row) are within the float tolerance. */
static const clrs_pool_impl POOL_IMPLS[] = {
    {{"global", 0, global_decline}, global_launch},
    {{"win_pc", CLRS_IMPL_EXACT, clrs__pool_win_pc_decline}, clrs__pool_win_pc_launch},
    {{"win", CLRS_IMPL_EXACT, clrs__pool_win_decline}, clrs__pool_win_launch},
    {{"aavg_cl_pc", 0, clrs__pool_aavg_cl_pc_decline}, clrs__pool_aavg_cl_pc_launch},
    {{"aavg_cl", CLRS_IMPL_EXACT, clrs__pool_aavg_cl_decline}, clrs__pool_aavg_cl_launch},
    {{"aavg_row", 0, clrs__pool_aavg_row_decline}, clrs__pool_aavg_row_launch},
    {{"full", CLRS_IMPL_EXACT, full_decline}, full_launch},
    {{"general", 0, NULL}, general_launch},
};
CLRS_IMPL_LIST(clrs__impls_pool, "pool", POOL_IMPLS);

/* The problem of one call: the algorithm, the geometry, the LP exponents. */
static void pool_problem(const clrs_pool_plan *plan, clrs_targ *t, int nt, clrs_pool_problem *pb)
{
    memset(pb, 0, sizeof *pb);
    pb->plan = plan;
    pb->t = t;
    pb->nt = nt;
    pb->in = &t[0].desc;
    pb->out = &t[1].desc;
    pb->with_idx = nt > 2 && t[2].mem != NULL;
    pb->algo = A_MAX;
    switch (plan->kind) {
    case CLRS_POOL_MAX: pb->algo = A_MAX; break;
    case CLRS_POOL_AVG: pb->algo = A_AVG; break;
    case CLRS_POOL_LP:
        pb->algo = plan->lp_inf ? A_MAX : A_LP;
        pb->xform = plan->lp_inf > 0 ? 1 : plan->lp_inf < 0 ? 2 : 0;
        break;
    case CLRS_POOL_ADAPTIVE_AVG: pb->algo = A_AAVG; break;
    case CLRS_POOL_ADAPTIVE_MAX: pb->algo = A_AMAX; break;
    case CLRS_POOL_FRACTIONAL_MAX: pb->algo = A_FMAX; break;
    }
    clrs__iter_ncdhw(pb->in, &pb->isz, &pb->ist);
    clrs__iter_ncdhw(pb->out, &pb->osz, &pb->ost);
    if (pb->with_idx) {
        cl_long8 xsz;
        clrs__iter_ncdhw(&t[2].desc, &xsz, &pb->xst);
    }
    /* window volume (only a divisor / LP factor): saturate rather than overflow */
    if (__builtin_mul_overflow(plan->k3[0], plan->k3[1], &pb->kvol) ||
        __builtin_mul_overflow(pb->kvol, plan->k3[2], &pb->kvol))
        pb->kvol = INT64_MAX;
    pb->pw_e = pb->ipw_e = 1.0;
    pb->pw_code = pb->ipw_code = 7;
    if (pb->algo == A_LP) {
        pb->pw_code = pow_code(pb->in->dtype, plan->norm_type, &pb->pw_e);
        pb->ipw_code = pow_code(pb->in->dtype, 1.0 / plan->norm_type, &pb->ipw_e);
    }
    pb->plane_in = plan->in3[0] * plan->in3[1] * plan->in3[2];
    /* torch keeps these intermediates in f16/bf16: their overflow is kept */
    pb->ovf16 = (pb->in->dtype == CLRS_F16 || pb->in->dtype == CLRS_BF16) &&
                (pb->algo == A_LP || (pb->algo == A_AAVG && plan->sp == 3 && !plan->mean_path));
}

clrs_status clrs__pool_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                               cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    const clrs_pool_plan *plan = op;
    if (plan->numel_out == 0) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    clrs_pool_problem pb;
    pool_problem(plan, t, nt, &pb);
    const clrs_pool_queue qu = {q, nwait, wait, ev};
    const size_t n = CLRS_ARRAY_LEN(POOL_IMPLS);
    /* ONNX's windows (asymmetric pads, dilated avg): only "general" knows them */
    if (plan->onnx)
        for (size_t i = 0; i + 1 < n; i++)
            clrs__dispatch_declined("pool", POOL_IMPLS[i].impl.name,
                                    "ONNX windows (end pads, dilated avg / LP, LP of |x|): general only");
    for (size_t from = plan->onnx ? n - 1 : 0; from < n;) {
        int i = clrs__pick(ctx, "pool", POOL_IMPLS + from, n - from, sizeof POOL_IMPLS[0], &pb);
        if (i < 0) return CLRS_ERR_INTERNAL;
        clrs_status st = POOL_IMPLS[from + (size_t)i].launch(ctx, &pb, &qu);
        /* an entry that found it cannot run after all (global: the group
         * size); the entries after it choose */
        if (st != CLRS_ERR_UNSUPPORTED || from + (size_t)i + 1 == n) return st;
        from += (size_t)i + 1;
    }
    return CLRS_ERR_INTERNAL;
}

/* Checks shared by both calling conventions. */
static clrs_status pool_prepare(clrs_context *ctx, const clrs_pool_params *p, const clrs_tensor_desc *in,
                                const clrs_tensor_desc *out, const clrs_tensor_desc *indices, clrs_pool_plan *plan)
{
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pooling: ctx is NULL");
    CLRS_FORWARD(clrs__pool_plan(ctx, in, p, plan));
    const char *kn = kind_names[plan->kind];
    CLRS_FORWARD(clrs__check_output(ctx, kn, out, in->rank, plan->out_sizes, in->dtype));
    if (clrs__pool_dtype_define(in->dtype) == NULL)
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

