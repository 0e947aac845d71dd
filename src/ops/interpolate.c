/* SPDX-License-Identifier: MIT */
/* interpolate: F.interpolate's argument rules, output-size rule, nearest
 * index rules and the multi-pass driver, on the separable resampling
 * engine (resample_engine.c: tables, implementation choice, launches). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "ops.h"

static const char *const mode_names[] = {"nearest", "nearest-exact", "linear", "bilinear",
                                         "trilinear", "bicubic", "area", "lanczos"};

clrs_status clrs_interp_mode_parse(const char *name, clrs_interp_mode *mode)
{
    clrs__clear_error(NULL);
    if (name == NULL || mode == NULL) return clrs__fail(NULL, CLRS_ERR_INVALID_ARG, "clrs_interp_mode_parse: NULL argument");
    for (size_t i = 0; i < CLRS_ARRAY_LEN(mode_names); i++)
        if (strcmp(name, mode_names[i]) == 0) {
            *mode = (clrs_interp_mode)i;
            return CLRS_OK;
        }
    return clrs__fail(NULL, CLRS_ERR_BAD_PARAM,
                      "unknown interpolation mode '%s' (nearest, nearest-exact, linear, bilinear, "
                      "trilinear, bicubic, area, lanczos)", name);
}

const char *clrs_interp_mode_name(clrs_interp_mode mode)
{
    return ((unsigned)mode < CLRS_ARRAY_LEN(mode_names)) ? mode_names[mode] : "invalid";
}

void clrs_interpolate_params_init(clrs_interpolate_params *p)
{
    if (p == NULL) return;
    memset(p, 0, sizeof *p);
    p->struct_size = sizeof *p;
    p->mode = CLRS_INTERP_NEAREST;
    p->align_corners = CLRS_UNSET;
    p->recompute_scale_factor = CLRS_UNSET;
}

static int is_nearest_like(clrs_interp_mode m)
{
    return m == CLRS_INTERP_NEAREST || m == CLRS_INTERP_NEAREST_EXACT || m == CLRS_INTERP_AREA;
}

/* F.interpolate's checks and size rules (torch/nn/functional.py and
 * aten/src/ATen/native/UpSample.{h,cpp}). */
clrs_status clrs__interp_plan(clrs_context *ctx, const clrs_tensor_desc *in, const clrs_interpolate_params *p,
                              clrs_interp_plan *plan)
{
    if (p == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "interpolate: params is NULL");
    if (p->struct_size != sizeof *p)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG,
                          "clrs_interpolate_params.struct_size is %zu, expected %zu (call clrs_interpolate_params_init)",
                          p->struct_size, sizeof *p);
    CLRS_FORWARD(clrs__check_desc(ctx, in, "input", 0));
    memset(plan, 0, sizeof *plan);
    clrs_interp_mode mode = p->mode;
    if ((unsigned)mode >= CLRS_ARRAY_LEN(mode_names))
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "interpolation mode %d is not a clrs_interp_mode", (int)mode);
    const char *mname = mode_names[mode];
    int rank = in->rank, sp = rank - 2;
    plan->mode = mode;
    plan->sp = sp;
    plan->antialias = p->antialias != 0;

    if (p->align_corners != CLRS_UNSET && p->align_corners != 0 && p->align_corners != 1)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "align_corners is %d (expected CLRS_UNSET, 0 or 1)", p->align_corners);
    if (p->recompute_scale_factor != CLRS_UNSET && p->recompute_scale_factor != 0 && p->recompute_scale_factor != 1)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "recompute_scale_factor is %d (expected CLRS_UNSET, 0 or 1)",
                          p->recompute_scale_factor);
    if (is_nearest_like(mode)) {
        if (p->align_corners != CLRS_UNSET)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                              "align_corners option can only be set with the interpolating modes: "
                              "linear | bilinear | bicubic | trilinear (mode is '%s')", mname);
        plan->align_corners = 0;
    } else {
        plan->align_corners = p->align_corners == 1;
    }
    /* Ranks: PyTorch's per-rank mode names are kept; bicubic, lanczos and
     * antialias work per axis on every rank (beyond PyTorch's 4-D only). */
    if ((mode == CLRS_INTERP_LINEAR && rank != 3) || (mode == CLRS_INTERP_BILINEAR && rank != 4) ||
        (mode == CLRS_INTERP_TRILINEAR && rank != 5))
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "Got %dD input, but %s mode needs %dD input", rank, mname,
                          mode == CLRS_INTERP_LINEAR ? 3 : mode == CLRS_INTERP_BILINEAR ? 4 : 5);
    if (p->antialias != 0 && p->antialias != 1)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "antialias is %d (expected 0 or 1)", p->antialias);
    if (p->antialias && !(mode == CLRS_INTERP_LINEAR || mode == CLRS_INTERP_BILINEAR ||
                          mode == CLRS_INTERP_TRILINEAR || mode == CLRS_INTERP_BICUBIC ||
                          mode == CLRS_INTERP_LANCZOS))
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                          "Anti-alias option is restricted to bilinear, bicubic and lanczos modes (mode is '%s')", mname);
    if (mode == CLRS_INTERP_LANCZOS && !p->antialias)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "lanczos mode requires antialias=True");
    if (mode == CLRS_INTERP_LANCZOS && plan->align_corners)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "lanczos mode does not support align_corners=True");

    if (p->n_size != 0 && p->n_scale != 0)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "only one of size or scale_factor should be defined");
    if (p->n_size == 0 && p->n_scale == 0)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "either size or scale_factor should be defined");
    if (p->n_size < 0 || p->n_size > 3 || p->n_scale < 0 || p->n_scale > 3 ||
        (p->n_size > 1 && p->n_size != sp) || (p->n_scale > 1 && p->n_scale != sp))
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                          "Input and output must have the same number of spatial dimensions, but got "
                          "input with %d spatial dimension%s and %s with %d values",
                          sp, sp == 1 ? "" : "s", p->n_size ? "output size" : "scale_factor",
                          p->n_size ? p->n_size : p->n_scale);
    int recompute = p->recompute_scale_factor == 1;
    if (recompute && p->n_size != 0)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "recompute_scale_factor is not meaningful with an explicit size.");
    if (mode == CLRS_INTERP_AREA && p->n_size == 0) recompute = 1;

    for (int a = 0; a < sp; a++) {
        int64_t isz = in->sizes[2 + a], osz;
        plan->in[a] = isz;
        plan->scale[a] = -1.0;
        if (p->n_size) {
            osz = p->size[p->n_size == 1 ? 0 : a];
        } else {
            double s = p->scale[p->n_scale == 1 ? 0 : a];
            if (!isfinite(s) || s <= 0.0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "scale_factor %g for spatial dim %d must be finite and > 0", s, a);
            double o = floor((double)isz * s);
            if (o >= 9.2e18)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "scale_factor %g makes spatial dim %d overflow", s, a);
            osz = (int64_t)o;
            if (!recompute) plan->scale[a] = s;
        }
        plan->out[a] = osz;
    }
    /* UpSample.h: input and output spatial sizes must be > 0. */
    /* area is adaptive_avg_pool, which allows an empty output */
    int min_out = mode == CLRS_INTERP_AREA ? 0 : 1;
    for (int a = 0; a < sp; a++)
        if (plan->in[a] <= 0 || plan->out[a] < min_out) {
            char ib[96], ob[96];
            clrs__format_sizes(ib, sizeof ib, sp, plan->in);
            clrs__format_sizes(ob, sizeof ob, sp, plan->out);
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "Input and output sizes should be greater than 0, but got input %s and output %s", ib, ob);
        }
    if (in->sizes[1] == 0 || (in->sizes[0] < 0))
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "Non-empty %dD data tensor expected but got channels = 0", rank);
    plan->out_sizes[0] = in->sizes[0];
    plan->out_sizes[1] = in->sizes[1];
    for (int a = 0; a < sp; a++) plan->out_sizes[2 + a] = plan->out[a];
    plan->numel_out = 1;
    for (int i = 0; i < rank; i++)
        if (__builtin_mul_overflow(plan->numel_out, plan->out_sizes[i], &plan->numel_out)) {
            char ob[160];
            clrs__format_sizes(ob, sizeof ob, rank, plan->out_sizes);
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "output sizes %s: element count overflows 64 bits", ob);
        }
    return CLRS_OK;
}

clrs_status clrs_interpolate_output_shape(clrs_context *ctx, const clrs_tensor_desc *in,
                                          const clrs_interpolate_params *p, int64_t out_sizes[CLRS_MAX_RANK])
{
    clrs__clear_error(ctx);
    if (out_sizes == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "interpolate: out_sizes is NULL");
    clrs_interp_plan plan;
    CLRS_FORWARD(clrs__interp_plan(ctx, in, p, &plan));
    for (int i = 0; i < CLRS_MAX_RANK; i++) out_sizes[i] = i < in->rank ? plan.out_sizes[i] : 0;
    return CLRS_OK;
}

/* ---- nearest index rules (aten/src/ATen/native/UpSample.h, cpu/UpSampleKernel.cpp) ----
 * PyTorch's CPU has two nearest kernels with slightly different index
 * maths, and picks one by shape (for contiguous inputs):
 *  - "idx" (nearest_idx / nearest_exact_idx, the vectorised kernel):
 *    float32 scale; nearest shortcuts out == in -> dst and out == 2*in ->
 *    dst >> 1, else floorf((float)dst * scale); exact:
 *    floorf((float)((dst + 0.5) * scale)).
 *  - "generic" (HelperInterpNearest[Exact]): no shortcuts; the scale and
 *    the product in opmath (double for f64, float otherwise), then floorf.
 * Rank 3 uses generic; rank 4 uses idx when out_H + out_W <= 128 or (C > 3
 * and H == W == 1); rank 5 uses idx when C > 3 and D == H == W == 1. We
 * follow the contiguous-input choice whatever the layout, so a result never
 * depends on the memory layout. */
static int nearest_uses_idx_rule(const clrs_tensor_desc *in, const clrs_interp_plan *plan)
{
    int64_t c = in->sizes[1];
    if (plan->sp == 1) return 0;
    if (plan->sp == 2) return plan->out[0] + plan->out[1] <= 128 || (c > 3 && plan->in[0] == 1 && plan->in[1] == 1);
    return c > 3 && plan->in[0] == 1 && plan->in[1] == 1 && plan->in[2] == 1;
}

int64_t clrs__nearest_index(int exact, int idx_rule, int f64, int64_t o, int64_t in, int64_t out, double scale)
{
    int64_t src;
    if (idx_rule) {
        if (!exact) {
            if (out == in) return o;
            if (out == 2 * in) return o >> 1;
        }
        float s = scale > 0.0 ? (float)(1.0 / scale) : (float)in / (float)out;
        if (exact)
            src = (int64_t)floorf((float)(((double)o + 0.5) * (double)s));
        else
            src = (int64_t)floorf((float)o * s);
    } else if (f64) {
        /* opmath double; nearest-exact goes through area_pixel_compute_source_index,
         * which x86 builds of PyTorch (AVX2/AVX512 kernels) compile to an FMA */
        double s = scale > 0.0 ? 1.0 / scale : (double)in / (double)out;
        if (exact) {
            double r = fma(s, (double)o + 0.5, -0.5);
            if (r < 0.0) r = 0.0;
            src = (int64_t)floorf((float)(r + 0.5));
        } else {
            src = (int64_t)floorf((float)(s * (double)o));
        }
    } else {
        float s = scale > 0.0 ? (float)(1.0 / scale) : (float)in / (float)out;
        if (exact) {
            float r = fmaf(s, (float)o + 0.5f, -0.5f);
            if (r < 0.0f) r = 0.0f;
            src = (int64_t)floorf((float)((double)r + 0.5));
        } else {
            src = (int64_t)floorf(s * (float)o);
        }
    }
    return src < in - 1 ? src : in - 1;
}

/* The PyTorch front-end's description of spatial axis a (ops.h): the mode
 * as a coordinate transform x kernel x antialias, in PyTorch CPU's
 * arithmetic for dtype dt (which the table builder, interp_weights.c,
 * follows bit for bit). */
void clrs__interp_axis(const clrs_interp_plan *plan, int a, clrs_dtype dt, int fixed, int nearest_idx_rule,
                       clrs_rs_axis *ax)
{
    const clrs_interp_mode m = plan->mode;
    const int f64 = dt == CLRS_F64;
    memset(ax, 0, sizeof *ax);
    ax->arith = CLRS_RA_TORCH_CPU;
    ax->in = plan->in[a];
    ax->out = plan->out[a];
    ax->scale_given = plan->scale[a] > 0.0;
    ax->scale = ax->scale_given ? plan->scale[a] : ax->in > 0 ? (double)ax->out / (double)ax->in : 1.0;
    ax->antialias = plan->antialias;
    ax->oor = CLRS_OOR_CLAMP;
    ax->f64 = f64;
    ax->aa_unchanged = plan->antialias && plan->for_backward;
    ax->coord = plan->align_corners == 1 ? CLRS_RC_ALIGN_CORNERS : CLRS_RC_HALF_PIXEL;
    switch (m) {
    case CLRS_INTERP_NEAREST:
    case CLRS_INTERP_NEAREST_EXACT:
        ax->kernel = CLRS_RK_NEAREST;
        ax->coord = m == CLRS_INTERP_NEAREST ? CLRS_RC_ASYMMETRIC : CLRS_RC_HALF_PIXEL;
        ax->round = CLRS_RR_FLOOR;
        ax->nearest_idx_rule = nearest_idx_rule;
        return;
    case CLRS_INTERP_BICUBIC:
        ax->kernel = CLRS_RK_CUBIC;
        ax->cubic_a = plan->antialias ? -0.5 : -0.75; /* PIL's filter with antialias, Keys' without */
        /* torch's f64 forward fuses the coordinate; its backward does not */
        ax->fused_coord = f64 && !plan->for_backward;
        break;
    case CLRS_INTERP_LANCZOS:
        ax->kernel = CLRS_RK_LANCZOS;
        break;
    case CLRS_INTERP_AREA:
        ax->kernel = CLRS_RK_AREA;
        break;
    default: /* linear, bilinear, trilinear: only the 2-D kernel fuses for 32/16-bit floats */
        ax->kernel = CLRS_RK_LINEAR;
        ax->fused_coord = f64 || m == CLRS_INTERP_BILINEAR || plan->for_backward;
        break;
    }
    ax->fixed = fixed;
}

static clrs_status enqueue_gather(clrs_context *ctx, const clrs_interp_plan *plan, clrs_targ *t,
                                  cl_command_queue q, cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    const clrs_tensor_desc *in = &t[0].desc;
    int sp = plan->sp;
    int64_t ntab = 0, toff[3];
    for (int a = 0; a < sp; a++) {
        toff[a] = ntab;
        ntab += plan->out[a];
    }
    cl_long *tab = malloc((size_t)ntab * sizeof *tab);
    if (tab == NULL) return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "nearest index table of %lld entries", (long long)ntab);
    const int idx_rule = nearest_uses_idx_rule(in, plan);
    int64_t max_tab = 0;
    /* entries are source offsets: index times the axis' input stride */
    for (int a = 0; a < sp; a++) {
        clrs_rs_axis ax;
        clrs_axis_taps ta;
        clrs__interp_axis(plan, a, in->dtype, 0, idx_rule, &ax);
        clrs_status st = clrs__rs_axis_taps(ctx, &ax, &ta, NULL);
        if (st != CLRS_OK) {
            free(tab);
            return st;
        }
        for (int64_t o = 0; o < plan->out[a]; o++) {
            int64_t v = ta.idx[o] * in->strides[2 + a];
            tab[toff[a] + o] = v;
            if (v > max_tab) max_tab = v;
        }
        clrs__axis_taps_free(&ta);
    }
    return clrs__rs_gather(ctx, q, &t[0], &t[1], tab, toff, ntab, max_tab, nwait, wait, ev);
}


/* Single pass when the taps of all axes multiply to a few (bilinear,
 * bicubic, trilinear: tuning rs_single_pass_taps) and the axes after the
 * first pass's do not grow the data rs_two_pass_min_growth times or more
 * (linear, cubic; below);
 * otherwise one pass per resampled axis, W first (as PyTorch's separable
 * antialias and uint8 paths), through intermediates in float (double for
 * f64) or, for uint8, in uint8 as PyTorch does. A strong upsampling along H (segmentation logits
 * 64 -> 512) gathers far less in two passes: the W pass runs on the few
 * input rows, and the H pass reads whole rows. */

static clrs_status enqueue_weighted(clrs_context *ctx, const clrs_interp_plan *plan, clrs_targ *t,
                                    cl_command_queue q, cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    const clrs_tensor_desc *in = &t[0].desc, *out = &t[1].desc;
    clrs_dtype dt = in->dtype;
    int sp = plan->sp;
    if (dt == CLRS_F64 && !ctx->fp64)
        return clrs__fail(ctx, CLRS_ERR_UNSUPPORTED, "interpolate mode '%s' on f64 needs a device with fp64; '%s' has none",
                          clrs_interp_mode_name(plan->mode), ctx->info.name);
    int fixed = dt == CLRS_U8 && plan->mode != CLRS_INTERP_AREA;
    clrs_axis_taps tabs[3];
    memset(tabs, 0, sizeof tabs);
    clrs_status st = CLRS_OK;
    int64_t prod = 1;
    for (int a = 0; a < sp && st == CLRS_OK; a++) {
        clrs_rs_axis ax;
        clrs__interp_axis(plan, a, dt, fixed, 0, &ax);
        st = clrs__rs_axis_taps(ctx, &ax, &tabs[a], NULL);
        prod *= tabs[a].taps;
    }
    /* the axes that need a pass, in PyTorch's order (last axis first) */
    int order[3], np = 0;
    for (int a = sp - 1; a >= 0; a--)
        if (!tabs[a].identity) order[np++] = a;
    /* how many times the passes after the first grow the data; split only
     * where one pass and a pass per axis are known to give the same bits:
     * linear and cubic without antialias, spatial strides in D, H, W order
     * in both tensors (W the innermost sum of the single pass too). With
     * antialias, lanczos, area or other stride orders they can differ in
     * the last bit (test_random_vs_reference) */
    double growth = 1;
    for (int p = 1; p < np; p++)
        if (plan->in[order[p]] > 0) growth *= (double)plan->out[order[p]] / (double)plan->in[order[p]];
    int split = np >= 2 && growth >= (double)ctx->tune.v.rs_two_pass_min_growth && !plan->antialias &&
                (plan->mode == CLRS_INTERP_LINEAR || plan->mode == CLRS_INTERP_BILINEAR ||
                 plan->mode == CLRS_INTERP_TRILINEAR || plan->mode == CLRS_INTERP_BICUBIC);
    for (int a = 0; split && a + 1 < sp; a++)
        if (in->strides[2 + a] < in->strides[3 + a] || out->strides[2 + a] < out->strides[3 + a]) split = 0;
    if (st == CLRS_OK && !fixed && prod <= ctx->tune.v.rs_single_pass_taps && !split) {
        const clrs_axis_taps *all[3] = {&tabs[0], &tabs[1], &tabs[2]};
        for (int a = 0; a < sp; a++)
            if (tabs[a].identity) all[a] = NULL;
        st = clrs__rs_pass(ctx, q, in, t[0].mem, out, t[1].mem, all, sp, 0, nwait, wait, ev);
    } else if (st == CLRS_OK && np == 0) {
        const clrs_axis_taps *none[3] = {NULL, NULL, NULL};
        st = clrs__rs_pass(ctx, q, in, t[0].mem, out, t[1].mem, none, sp, fixed, nwait, wait, ev);
    } else if (st == CLRS_OK) {
        clrs_dtype mid = fixed ? CLRS_U8 : dt == CLRS_F64 ? CLRS_F64 : CLRS_F32;
        clrs_tensor_desc cur = *in;
        cl_mem curm = t[0].mem, tmp[2] = {NULL, NULL};
        cl_event prev = NULL;
        int64_t sizes[CLRS_MAX_RANK];
        memcpy(sizes, in->sizes, sizeof sizes);
        for (int p = 0; p < np && st == CLRS_OK; p++) {
            int a = order[p];
            const clrs_axis_taps *one[3] = {NULL, NULL, NULL};
            one[a] = &tabs[a];
            sizes[2 + a] = plan->out[a];
            int last = p == np - 1;
            clrs_tensor_desc nd;
            cl_mem ndm;
            if (last) {
                nd = *out;
                ndm = t[1].mem;
            } else {
                /* in the output's layout (faster than a channels-last
                 * resize through a contiguous intermediate transposed
                 * twice); the bits are the same either way */
                if (out->rank >= 3 && out->strides[1] == 1 && out->sizes[1] > 1)
                    clrs_tensor_desc_channels_last(&nd, mid, in->rank, sizes);
                else
                    clrs_tensor_desc_contiguous(&nd, mid, in->rank, sizes);
                size_t bytes = (size_t)clrs_tensor_desc_numel(&nd) * clrs_dtype_size(mid);
                cl_int e;
                tmp[p % 2] = ndm = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, bytes ? bytes : 1, NULL, &e);
                if (e != CL_SUCCESS) {
                    st = clrs__fail_cl(ctx, e, "clCreateBuffer for a resampling intermediate");
                    break;
                }
            }
            cl_event done = NULL;
            st = clrs__rs_pass(ctx, q, &cur, curm, &nd, ndm, one, sp, fixed, p == 0 ? nwait : (prev ? 1 : 0),
                          p == 0 ? wait : (prev ? &prev : NULL), last ? ev : &done);
            if (prev) clReleaseEvent(prev);
            prev = done;
            /* the buffer read by this pass may go: OpenCL keeps it alive until the pass ran */
            if (p > 0 && tmp[(p - 1) % 2] != NULL) {
                clReleaseMemObject(tmp[(p - 1) % 2]);
                tmp[(p - 1) % 2] = NULL;
            }
            cur = nd;
            curm = ndm;
        }
        if (prev) clReleaseEvent(prev);
        for (int i = 0; i < 2; i++)
            if (tmp[i]) clReleaseMemObject(tmp[i]);
    }
    for (int a = 0; a < sp; a++) clrs__axis_taps_free(&tabs[a]);
    return st;
}

/* `area` is adaptive average pooling (PyTorch's F.interpolate calls
 * adaptive_avg_pool). On integer tensors it runs as exactly that: the
 * pooling family's integer sum and truncated mean, the same bits as
 * clrs_pool(CLRS_POOL_ADAPTIVE_AVG). The weighted engine's float weights
 * 1/n lost the last unit (25 x 255 gave 254). */
static clrs_status enqueue_area_integer(clrs_context *ctx, const clrs_interp_plan *plan, clrs_targ *t,
                                        cl_command_queue q, cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    clrs_pool_params pp;
    clrs_pool_params_init(&pp, CLRS_POOL_ADAPTIVE_AVG);
    pp.n_output_size = plan->sp;
    for (int a = 0; a < plan->sp; a++) pp.output_size[a] = plan->out[a];
    clrs_pool_plan pl;
    CLRS_FORWARD(clrs__pool_plan(ctx, &t[0].desc, &pp, &pl));
    return clrs__pool_enqueue(ctx, &pl, t, 2, q, nwait, wait, ev);
}

clrs_status clrs__interp_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                                 cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    (void)nt;
    const clrs_interp_plan *plan = op;
    if (plan->numel_out == 0) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    switch (plan->mode) {
    case CLRS_INTERP_NEAREST:
    case CLRS_INTERP_NEAREST_EXACT:
        return enqueue_gather(ctx, plan, t, q, nwait, wait, ev);
    case CLRS_INTERP_AREA:
        if (t[0].desc.dtype == CLRS_U8 || t[0].desc.dtype == CLRS_U16)
            return enqueue_area_integer(ctx, plan, t, q, nwait, wait, ev);
        return enqueue_weighted(ctx, plan, t, q, nwait, wait, ev);
    default:
        return enqueue_weighted(ctx, plan, t, q, nwait, wait, ev);
    }
}

/* Checks shared by both calling conventions. */
static clrs_status interp_prepare(clrs_context *ctx, const clrs_interpolate_params *p, const clrs_tensor_desc *in,
                                  const clrs_tensor_desc *out, clrs_interp_plan *plan)
{
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "interpolate: ctx is NULL");
    CLRS_FORWARD(clrs__interp_plan(ctx, in, p, plan));
    CLRS_FORWARD(clrs__check_output(ctx, NULL, out, in->rank, plan->out_sizes, in->dtype));
    if (in->dtype == CLRS_I64)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "interpolate does not take dtype %s", clrs_dtype_name(in->dtype));
    return CLRS_OK;
}

clrs_status clrs_interpolate(clrs_context *ctx, const clrs_interpolate_params *p, const clrs_tensor_desc *in,
                             const void *in_data, const clrs_tensor_desc *out, void *out_data)
{
    clrs__clear_error(ctx);
    clrs_interp_plan plan;
    CLRS_FORWARD(interp_prepare(ctx, p, in, out, &plan));
    if (plan.numel_out > 0 && (in_data == NULL || out_data == NULL))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "interpolate: %s data pointer is NULL", in_data ? "output" : "input");
    clrs_host_tensor ht[2] = {{in, in_data, 0}, {out, out_data, 1}};
    return clrs__host_call(ctx, &plan, ht, 2, clrs__interp_enqueue);
}

clrs_status clrs_interpolate_cl(clrs_context *ctx, const clrs_interpolate_params *p, const clrs_tensor_desc *in,
                                cl_mem in_mem, const clrs_tensor_desc *out, cl_mem out_mem, cl_command_queue queue,
                                cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    clrs__clear_error(ctx);
    clrs_interp_plan plan;
    CLRS_FORWARD(interp_prepare(ctx, p, in, out, &plan));
    clrs_targ t[2] = {{*in, in_mem, 0}, {*out, out_mem, 1}};
    return clrs__cl_call(ctx, &plan, t, 2, queue, num_wait, wait_list, event, clrs__interp_enqueue);
}
