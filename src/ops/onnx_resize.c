/* SPDX-License-Identifier: MIT */
/* ONNX Resize (opsets 10..19) and Upsample (7, 9): the attribute rules,
 * the output-shape rule, and the per-axis descriptions (clrs_rs_axis,
 * resample_desc.c) run on the resampling engine:
 *   - nearest: the gather family (a copy of each element's bits), one
 *     launch per 3 resized axes;
 *   - linear / cubic: the weighted family, in one pass when the taps of all
 *     resized axes multiply to a few (tuning rs_single_pass_taps), else one
 *     pass per axis (last first) through float (double for f64)
 *     intermediates; uint8 results are stored rounded half to even
 *     (clrs_rs_opts.u8_rte);
 *   - tf_crop_and_resize's extrapolation_value: after those, family
 *     "resize_fill" (cl/resize_fill.cl) writes the constant's bits where
 *     any axis' coordinate is outside [0, in-1], as ONNX's reference.
 * The ONNX rank (1..5) maps onto the engine's (N, C, 3 spatial) views by
 * strides: each launch takes its resized axes as spatial axes and every
 * other dim as N, C or a copied spatial axis. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clresample/onnx.h>

#include "../dispatch.h"
#include "../internal.h"
#include "../launch.h"
#include "ops.h"

typedef struct oresize_plan {
    int drank;                 /* the descriptor's rank */
    int lead;                  /* leading dims of size 1 not in the ONNX tensor */
    clrs_rs_axis ax[CLRS_MAX_RANK];
    int res[CLRS_MAX_RANK];    /* descriptor dims that are resampled, in order */
    int nres;
    int nearest;
    int constant;              /* some axis has CLRS_OOR_CONSTANT */
    double extrapolation_value;
    int64_t out_sizes[CLRS_MAX_RANK];
    int64_t numel_out;
} oresize_plan;

void clrs_onnx_resize_params_init(clrs_onnx_resize_params *p)
{
    if (p == NULL) return;
    memset(p, 0, sizeof *p);
    p->struct_size = sizeof *p;
    p->cubic_coeff_a = -0.75;
}

/* The version of the operator's definition that an opset selects. */
static int resize_version(int opset)
{
    if (opset >= 19 || opset == 0) return 19;
    if (opset >= 18) return 18;
    if (opset >= 13) return 13;
    if (opset >= 11) return 11;
    if (opset == 10) return 10;
    return -1;
}

static int str_pick(const char *v, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v, names[i]) == 0) return i;
    return -1;
}

static clrs_status plan_make(clrs_context *ctx, const clrs_tensor_desc *x, const clrs_onnx_resize_params *p,
                             oresize_plan *pl)
{
    if (p == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "onnx_resize: params is NULL");
    if (p->struct_size != sizeof *p)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG,
                          "clrs_onnx_resize_params.struct_size is %zu, expected %zu (call clrs_onnx_resize_params_init)",
                          p->struct_size, sizeof *p);
    CLRS_FORWARD(clrs__check_desc(ctx, x, "input", 0));
    memset(pl, 0, sizeof *pl);
    const char *op = p->upsample ? "Upsample" : "Resize";
    int ver;
    if (p->upsample) {
        ver = p->opset == 0 ? 9 : p->opset >= 7 && p->opset <= 8 ? 7 : p->opset == 9 ? 9 : -1;
        if (ver < 0) return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "Upsample: opset %d (7..9; 10+ is Resize)", p->opset);
    } else {
        ver = resize_version(p->opset);
        if (ver < 0) return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "Resize: opset %d (10 or later)", p->opset);
    }
    const int legacy = p->upsample || ver == 10; /* asymmetric, onnxruntime's nearest rule, scales only */
    const int r = p->rank == 0 ? x->rank : p->rank;
    if (r < 1 || r > x->rank)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: rank %d for a descriptor of rank %d (1..%d)", op, p->rank,
                          x->rank, x->rank);
    pl->drank = x->rank;
    pl->lead = x->rank - r;
    for (int d = 0; d < pl->lead; d++)
        if (x->sizes[d] != 1)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: rank %d input described with rank %d: dim %d has size %lld, not 1",
                              op, r, x->rank, d, (long long)x->sizes[d]);
    if (x->dtype != CLRS_F32 && x->dtype != CLRS_F64 && x->dtype != CLRS_F16 && x->dtype != CLRS_BF16 &&
        x->dtype != CLRS_U8)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s does not take dtype %s (f32, f64, f16, bf16, u8)", op,
                          clrs_dtype_name(x->dtype));

    /* mode and its attributes */
    static const char *const modes[] = {"nearest", "linear", "cubic"};
    static const char *const coords[] = {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
                                         "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
    static const char *const nmodes[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    static const char *const policies[] = {"stretch", "not_larger", "not_smaller"};
    int mode = 0, coord = legacy ? CLRS_RC_ASYMMETRIC : CLRS_RC_HALF_PIXEL, nmode = CLRS_RR_ROUND_PREFER_FLOOR,
        policy = 0;
    if (p->mode != NULL) {
        mode = str_pick(p->mode, modes, legacy ? 2 : 3);
        if (mode < 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s-%d: mode '%s' (%s)", op, ver, p->mode,
                              legacy ? "nearest, linear" : "nearest, linear, cubic");
    }
    if (legacy) {
        if (p->coordinate_transformation_mode || p->nearest_mode || p->keep_aspect_ratio_policy || p->antialias ||
            p->exclude_outside || p->n_axes || p->n_sizes || p->cubic_coeff_a != -0.75 || p->extrapolation_value != 0.0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                              "%s-%d takes mode and scales only (coordinate_transformation_mode, nearest_mode, "
                              "cubic_coeff_a, exclude_outside, extrapolation_value, antialias, axes, sizes, "
                              "keep_aspect_ratio_policy: Resize-11 and later)", op, ver);
        nmode = CLRS_RR_SIMPLE;
    } else {
        if (p->coordinate_transformation_mode != NULL) {
            coord = str_pick(p->coordinate_transformation_mode, coords, 7);
            if (coord < 0 || (coord == CLRS_RC_TF_HALF_PIXEL_FOR_NN && ver != 11) ||
                (coord == CLRS_RC_HALF_PIXEL_SYMMETRIC && ver < 19))
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                  "Resize-%d: coordinate_transformation_mode '%s' (half_pixel, %spytorch_half_pixel, "
                                  "align_corners, asymmetric, %stf_crop_and_resize)",
                                  ver, p->coordinate_transformation_mode, ver >= 19 ? "half_pixel_symmetric, " : "",
                                  ver == 11 ? "tf_half_pixel_for_nn, " : "");
        }
        if (p->nearest_mode != NULL) {
            nmode = str_pick(p->nearest_mode, nmodes, 4);
            if (nmode < 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                  "Resize: nearest_mode '%s' (round_prefer_floor, round_prefer_ceil, floor, ceil)",
                                  p->nearest_mode);
        }
        if (p->keep_aspect_ratio_policy != NULL) {
            policy = str_pick(p->keep_aspect_ratio_policy, policies, 3);
            if (policy < 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                  "Resize: keep_aspect_ratio_policy '%s' (stretch, not_larger, not_smaller)",
                                  p->keep_aspect_ratio_policy);
            if (ver < 18 && policy != 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "Resize-%d: keep_aspect_ratio_policy is an opset-18 attribute",
                                  ver);
        }
        if (p->exclude_outside != 0 && p->exclude_outside != 1)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "Resize: exclude_outside %d (0 or 1)", p->exclude_outside);
        if (p->antialias != 0 && p->antialias != 1)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "Resize: antialias %d (0 or 1)", p->antialias);
        if (p->antialias && ver < 18)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "Resize-%d: antialias is an opset-18 attribute", ver);
        if (p->antialias && mode == 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "Resize: antialias=1 with mode 'nearest' (linear or cubic only)");
        if (p->n_axes != 0 && ver < 18)
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "Resize-%d: axes is an opset-18 attribute", ver);
        if (!isfinite(p->cubic_coeff_a))
            return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "Resize: cubic_coeff_a %g is not finite", p->cubic_coeff_a);
    }

    /* axes */
    int axes[CLRS_MAX_RANK], na = r;
    if (p->n_axes < 0 || p->n_axes > r)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: %d axes for a rank-%d input", op, p->n_axes, r);
    if (p->n_axes > 0) {
        na = p->n_axes;
        for (int i = 0; i < na; i++) {
            int64_t a = p->axes[i];
            if (a < -r || a >= r)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: axes[%d] = %lld is outside [%d, %d]", op, i, (long long)a, -r,
                                  r - 1);
            axes[i] = (int)(a < 0 ? a + r : a);
            for (int j = 0; j < i; j++)
                if (axes[j] == axes[i])
                    return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: axis %d is repeated in axes", op, axes[i]);
        }
    } else {
        for (int i = 0; i < r; i++) axes[i] = i;
    }
    /* scales or sizes */
    if ((p->n_scales > 0) == (p->n_sizes > 0))
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: exactly one of scales and sizes must be given (%d scales, %d sizes)",
                          op, p->n_scales, p->n_sizes);
    if (p->n_scales < 0 || p->n_sizes < 0 || (p->n_scales > 0 && p->n_scales != na) ||
        (p->n_sizes > 0 && p->n_sizes != na))
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: %d %s for %d axes", op, p->n_scales ? p->n_scales : p->n_sizes,
                          p->n_scales ? "scales" : "sizes", na);
    if (coord == CLRS_RC_TF_CROP_AND_RESIZE && p->n_roi != 2 * na)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                          "Resize: coordinate_transformation_mode 'tf_crop_and_resize' needs roi of %d values, got %d",
                          2 * na, p->n_roi);
    if (p->n_roi < 0 || p->n_roi > 16)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: %d roi values", op, p->n_roi);

    /* per-axis sizes and scales (ONNX axis a = descriptor dim lead + a) */
    double scale[CLRS_MAX_RANK];
    for (int d = 0; d < pl->drank; d++) {
        pl->out_sizes[d] = x->sizes[d];
        scale[d] = 1.0;
        pl->ax[d].roi0 = 0.0;
        pl->ax[d].roi1 = 1.0;
    }
    for (int i = 0; i < na; i++) {
        int d = pl->lead + axes[i];
        if (coord == CLRS_RC_TF_CROP_AND_RESIZE) {
            pl->ax[d].roi0 = p->roi[i];
            pl->ax[d].roi1 = p->roi[na + i];
            if (!isfinite(p->roi[i]) || !isfinite(p->roi[na + i]))
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "Resize: roi for axis %d is not finite", axes[i]);
        }
        if (p->n_scales) {
            double s = p->scales[i];
            if (!isfinite(s) || s <= 0.0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: scales[%d] = %g (finite and > 0)", op, i, s);
            if (p->upsample && s < 1.0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "Upsample: scales[%d] = %g (>= 1)", i, s);
            double o = s * (double)x->sizes[d];
            if (o >= 9.2e18) return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s: scales[%d] = %g overflows", op, i, s);
            scale[d] = s;
            pl->out_sizes[d] = (int64_t)o; /* floor (the reference's astype(int)) */
        } else {
            if (p->sizes[i] < 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "Resize: sizes[%d] = %lld is negative", i, (long long)p->sizes[i]);
            if (x->sizes[d] == 0)
                return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "Resize: sizes for axis %d of size 0", axes[i]);
            pl->out_sizes[d] = p->sizes[i];
            scale[d] = (double)p->sizes[i] / (double)x->sizes[d];
        }
    }
    if (p->n_sizes && policy != 0) {
        double s = scale[pl->lead + axes[0]];
        for (int i = 1; i < na; i++) {
            double v = scale[pl->lead + axes[i]];
            s = policy == 1 ? (v < s ? v : s) : (v > s ? v : s);
        }
        for (int i = 0; i < na; i++) {
            int d = pl->lead + axes[i];
            scale[d] = s;
            const double o = s * (double)x->sizes[d] + 0.5; /* round half up */
            if (!(o < 9.2e18))
                return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                                  "Resize: keep_aspect_ratio_policy '%s' scales axis %d by %g: its size overflows",
                                  p->keep_aspect_ratio_policy, axes[i], s);
            pl->out_sizes[d] = (int64_t)o;
        }
    }
    pl->numel_out = 1;
    for (int d = 0; d < pl->drank; d++)
        if (__builtin_mul_overflow(pl->numel_out, pl->out_sizes[d], &pl->numel_out))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: output element count overflows 64 bits", op);
    for (int d = 0; d < pl->drank; d++)
        if (x->sizes[d] == 0 && pl->out_sizes[d] != 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: axis %d of size 0 cannot grow to %lld", op, d - pl->lead,
                              (long long)pl->out_sizes[d]);

    pl->nearest = mode == 0;
    pl->extrapolation_value = p->extrapolation_value;
    for (int d = 0; d < pl->drank; d++) {
        clrs_rs_axis *a = &pl->ax[d];
        a->in = x->sizes[d];
        a->out = pl->out_sizes[d];
        a->scale = scale[d];
        a->coord = (clrs_rs_coord)coord;
        a->kernel = mode == 0 ? CLRS_RK_NEAREST : mode == 1 ? CLRS_RK_LINEAR : CLRS_RK_CUBIC;
        a->round = (clrs_rs_round)nmode;
        a->cubic_a = p->cubic_coeff_a;
        a->exclude_outside = p->exclude_outside;
        a->antialias = p->antialias;
        a->oor = coord == CLRS_RC_TF_CROP_AND_RESIZE ? CLRS_OOR_CONSTANT : CLRS_OOR_CLAMP;
        if (a->in > 0 && a->out > 0 && !clrs__rs_axis_identity(a)) {
            pl->res[pl->nres++] = d;
            if (a->oor == CLRS_OOR_CONSTANT) pl->constant = 1;
        }
    }
    return CLRS_OK;
}

clrs_status clrs_onnx_resize_output_shape(clrs_context *ctx, const clrs_tensor_desc *x,
                                          const clrs_onnx_resize_params *p, int64_t out_sizes[CLRS_MAX_RANK])
{
    clrs__clear_error(ctx);
    if (out_sizes == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "onnx_resize: out_sizes is NULL");
    oresize_plan pl;
    CLRS_FORWARD(plan_make(ctx, x, p, &pl));
    for (int i = 0; i < CLRS_MAX_RANK; i++) out_sizes[i] = i < x->rank ? pl.out_sizes[i] : 0;
    return CLRS_OK;
}

/* ---- engine views ------------------------------------------------------ */
/* A rank-5 view of d: dims perm[0..4] of d (-1: a dim of size 1). */
static void view5(const clrs_tensor_desc *d, const int perm[5], clrs_tensor_desc *v)
{
    memset(v, 0, sizeof *v);
    v->dtype = d->dtype;
    v->rank = 5;
    v->offset = d->offset;
    for (int k = 0; k < 5; k++) {
        v->sizes[k] = perm[k] >= 0 ? d->sizes[perm[k]] : 1;
        v->strides[k] = perm[k] >= 0 ? d->strides[perm[k]] : 1;
    }
}

/* The slots of a launch resampling dims sel[0..ns-1] (ns <= 3): those as
 * spatial slots 2.., every other dim of the descriptor in the slots left. */
static void stage_perm(int drank, const int *sel, int ns, int perm[5])
{
    int used[CLRS_MAX_RANK] = {0}, k = 0, rest[5] = {-1, -1, -1, -1, -1}, nr = 0;
    for (int i = 0; i < ns; i++) used[sel[i]] = 1;
    for (int d = 0; d < drank; d++)
        if (!used[d]) rest[nr++] = d;
    for (k = 0; k < 5; k++) perm[k] = -1;
    int ri = 0;
    perm[0] = ri < nr ? rest[ri++] : -1;
    perm[1] = ri < nr ? rest[ri++] : -1;
    for (int i = 0; i < ns; i++) perm[2 + i] = sel[i];
    for (k = 2 + ns; k < 5; k++) perm[k] = ri < nr ? rest[ri++] : -1;
}

static clrs_status make_tmp(clrs_context *ctx, clrs_dtype dt, int rank, const int64_t *sizes, clrs_tensor_desc *d,
                            cl_mem *m)
{
    clrs_tensor_desc_contiguous(d, dt, rank, sizes);
    size_t bytes = (size_t)clrs_tensor_desc_numel(d) * clrs_dtype_size(dt);
    cl_int e;
    *m = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, bytes ? bytes : 1, NULL, &e);
    if (e != CL_SUCCESS) return clrs__fail_cl(ctx, e, "clCreateBuffer for a Resize intermediate");
    return CLRS_OK;
}

/* Nearest over dims sel[0..ns-1] from (sd, sm) to (dd, dm): one gather. */
static clrs_status gather_stage(clrs_context *ctx, const oresize_plan *pl, cl_command_queue q, const clrs_tensor_desc *sd,
                                cl_mem sm, const clrs_tensor_desc *dd, cl_mem dm, const int *sel, int ns, cl_uint nwait,
                                const cl_event *wait, cl_event *ev)
{
    int perm[5];
    stage_perm(pl->drank, sel, ns, perm);
    clrs_targ s, d;
    memset(&s, 0, sizeof s);
    memset(&d, 0, sizeof d);
    view5(sd, perm, &s.desc);
    view5(dd, perm, &d.desc);
    s.mem = sm;
    d.mem = dm;
    d.is_output = 1;
    int64_t toff[3] = {-1, -1, -1}, ntab = 0, max_tab = 0;
    for (int i = 0; i < ns; i++) ntab += pl->ax[sel[i]].out;
    cl_long *tab = malloc((size_t)(ntab ? ntab : 1) * sizeof *tab);
    if (tab == NULL) return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "nearest table of %lld entries", (long long)ntab);
    int64_t at = 0;
    for (int i = 0; i < ns; i++) {
        clrs_axis_taps t;
        clrs_status st = clrs__rs_axis_taps(ctx, &pl->ax[sel[i]], &t, NULL);
        if (st != CLRS_OK) {
            free(tab);
            return st;
        }
        toff[i] = at;
        for (int64_t o = 0; o < t.out; o++) {
            int64_t v = t.idx[o] * sd->strides[sel[i]];
            tab[at + o] = v;
            if (v > max_tab) max_tab = v;
        }
        at += t.out;
        clrs__axis_taps_free(&t);
    }
    return clrs__rs_gather(ctx, q, &s, &d, tab, toff, ntab, max_tab, nwait, wait, ev);
}

/* A plain copy (every axis unchanged): a gather with identity tables along
 * up to 3 dims (the bits of every element, -0.0 and NaN payloads kept). */
static clrs_status copy_stage(clrs_context *ctx, const oresize_plan *pl, cl_command_queue q, clrs_targ *t,
                              cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    int sel[3], ns = 0;
    for (int d = 0; d < pl->drank && ns < 3; d++) sel[ns++] = d;
    oresize_plan cp = *pl;
    for (int i = 0; i < ns; i++) {
        cp.ax[sel[i]].kernel = CLRS_RK_NEAREST;
        cp.ax[sel[i]].coord = CLRS_RC_ASYMMETRIC;
        cp.ax[sel[i]].scale = 1.0;
        cp.ax[sel[i]].round = CLRS_RR_FLOOR;
    }
    return gather_stage(ctx, &cp, q, &t[0].desc, t[0].mem, &t[1].desc, t[1].mem, sel, ns, nwait, wait, ev);
}

/* Weighted: one pass over dims sel[0..ns-1] with their tables. */
static clrs_status weighted_stage(clrs_context *ctx, const oresize_plan *pl, cl_command_queue q,
                                  const clrs_tensor_desc *sd, cl_mem sm, const clrs_tensor_desc *dd, cl_mem dm,
                                  const int *sel, const clrs_axis_taps *tabs, int ns, cl_uint nwait,
                                  const cl_event *wait, cl_event *ev)
{
    int perm[5];
    stage_perm(pl->drank, sel, ns, perm);
    clrs_tensor_desc s5, d5;
    view5(sd, perm, &s5);
    view5(dd, perm, &d5);
    const clrs_axis_taps *all[3] = {NULL, NULL, NULL};
    for (int i = 0; i < ns; i++) all[i] = &tabs[i];
    clrs_rs_opts xo = {1};
    return clrs__rs_pass_ex(ctx, q, &s5, sm, &d5, dm, all, 3, 0, &xo, nwait, wait, ev);
}

/* A chain of stages from t[0] to t[1] through intermediates of dtype mid. */
typedef struct chain {
    clrs_tensor_desc cur;
    cl_mem curm;
    cl_mem tmp[2];
    cl_event prev;
    int n;
    int64_t sizes[CLRS_MAX_RANK];
} chain;

static clrs_status chain_dst(clrs_context *ctx, chain *c, int last, clrs_dtype mid, clrs_targ *t, clrs_tensor_desc *nd,
                             cl_mem *ndm)
{
    if (last) {
        *nd = t[1].desc;
        *ndm = t[1].mem;
        return CLRS_OK;
    }
    CLRS_FORWARD(make_tmp(ctx, mid, c->cur.rank, c->sizes, nd, &c->tmp[c->n % 2]));
    *ndm = c->tmp[c->n % 2];
    return CLRS_OK;
}

static void chain_step(chain *c, const clrs_tensor_desc *nd, cl_mem ndm, cl_event done)
{
    if (c->prev) clReleaseEvent(c->prev);
    c->prev = done;
    if (c->n > 0 && c->tmp[(c->n - 1) % 2] != NULL) {
        clReleaseMemObject(c->tmp[(c->n - 1) % 2]);
        c->tmp[(c->n - 1) % 2] = NULL;
    }
    c->cur = *nd;
    c->curm = ndm;
    c->n++;
}

static void chain_end(chain *c)
{
    if (c->prev) clReleaseEvent(c->prev);
    for (int i = 0; i < 2; i++)
        if (c->tmp[i]) clReleaseMemObject(c->tmp[i]);
}

/* ---- the out-of-range constant (family "resize_fill") ------------------ */
static const clrs_impl FILL_IMPLS[] = {
    {"general", CLRS_IMPL_EXACT, NULL},
};
CLRS_IMPL_LIST(clrs__impls_resize_fill, "resize_fill", FILL_IMPLS);

static uint16_t f32_to_f16_bits(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t s = (x >> 16) & 0x8000u, e = (x >> 23) & 0xffu, m = x & 0x7fffffu;
    if (e == 0xffu) return (uint16_t)(s | 0x7c00u | (m ? 0x200u | (m >> 13) : 0u));
    int32_t ne = (int32_t)e - 127 + 15;
    if (ne >= 31) return (uint16_t)(s | 0x7c00u);
    if (ne <= 0) {
        if (ne < -10) return (uint16_t)s;
        m |= 0x800000u;
        uint32_t sh = (uint32_t)(14 - ne), h = m >> sh, rem = m & ((1u << sh) - 1u), half = 1u << (sh - 1);
        if (rem > half || (rem == half && (h & 1u))) h++;
        return (uint16_t)(s | h);
    }
    uint32_t h = ((uint32_t)ne << 10) | (m >> 13), rem = m & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++;
    return (uint16_t)(s | h);
}

static uint16_t f32_to_bf16_bits(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40u);
    x += 0x7fffu + ((x >> 16) & 1u);
    return (uint16_t)(x >> 16);
}

static clrs_status fill_stage(clrs_context *ctx, const oresize_plan *pl, cl_command_queue q, const clrs_targ *y,
                              cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    if (CLRS_PICK(ctx, "resize_fill", FILL_IMPLS, pl) < 0) return CLRS_ERR_INTERNAL;
    const clrs_tensor_desc *dd = &y->desc;
    int64_t nm = 0;
    cl_long8 osz, ost, moff;
    memset(&osz, 0, sizeof osz);
    memset(&ost, 0, sizeof ost);
    memset(&moff, 0, sizeof moff);
    for (int k = 0; k < 8; k++) {
        osz.s[k] = 1;
        moff.s[k] = -1;
    }
    for (int d = 0; d < pl->drank; d++) nm += pl->out_sizes[d];
    unsigned char *mask = calloc((size_t)(nm ? nm : 1), 1);
    if (mask == NULL) return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "extrapolation flags");
    int64_t at = 0;
    const int base = 5 - pl->drank;
    for (int d = 0; d < pl->drank; d++) {
        osz.s[base + d] = dd->sizes[d];
        ost.s[base + d] = dd->strides[d];
        int resampled = 0;
        for (int i = 0; i < pl->nres; i++) resampled |= pl->res[i] == d;
        if (resampled && pl->ax[d].oor == CLRS_OOR_CONSTANT) {
            clrs_axis_taps t;
            clrs_status st = clrs__rs_axis_taps(ctx, &pl->ax[d], &t, mask + at);
            clrs__axis_taps_free(&t);
            if (st != CLRS_OK) {
                free(mask);
                return st;
            }
            moff.s[base + d] = at;
        }
        at += pl->out_sizes[d];
    }
    union {
        cl_uchar u8;
        cl_ushort u16;
        cl_float f;
        cl_double dbl;
    } val;
    memset(&val, 0, sizeof val);
    size_t vsz = clrs_dtype_size(dd->dtype);
    const double v = pl->extrapolation_value;
    switch (dd->dtype) {
    case CLRS_F64: val.dbl = v; break;
    case CLRS_F32: val.f = (float)v; break;
    case CLRS_F16: val.u16 = f32_to_f16_bits((float)v); break;
    case CLRS_BF16: val.u16 = f32_to_bf16_bits((float)v); break;
    default: { /* u8: np.round (half to even), then saturate; NaN -> 0 */
        double rv = nearbyint(v);
        val.u8 = (cl_uchar)(isnan(rv) || rv <= 0.0 ? 0 : rv >= 255.0 ? 255 : (int)rv);
    }
    }
    cl_mem mm = NULL;
    clrs_status st = clrs__make_buffer(ctx, mask, (size_t)(nm ? nm : 1), &mm);
    free(mask);
    if (st != CLRS_OK) return st;
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "ELEM_T=%s", vsz == 1 ? "uchar" : vsz == 2 ? "ushort" : vsz == 4 ? "uint" : "ulong");
    char *opts = clrs__opts_take(&o);
    cl_kernel k = NULL;
    st = opts == NULL ? clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "fill kernel options")
                      : clrs__get_kernel(ctx, "resize_fill", opts, "clrs_resize_fill", &k);
    free(opts);
    if (st == CLRS_OK) {
        cl_long doff = dd->offset, numel = pl->numel_out;
        clrs_kargs a = clrs__kargs(ctx, k);
        clrs__karg(&a, sizeof(cl_mem), &y->mem);
        CLRS_KARG(&a, doff);
        CLRS_KARG(&a, osz);
        CLRS_KARG(&a, ost);
        CLRS_KARG(&a, mm);
        CLRS_KARG(&a, moff);
        clrs__karg(&a, vsz, &val);
        CLRS_KARG(&a, numel);
        st = a.st;
        size_t g = (size_t)numel;
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 1, &g, nwait, wait, ev);
    }
    if (k != NULL) clReleaseKernel(k);
    clReleaseMemObject(mm);
    return st;
}

/* ---- the driver ------------------------------------------------------- */
static clrs_status resize_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                                  cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    (void)nt;
    const oresize_plan *pl = op;
    if (pl->numel_out == 0) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    if (pl->nres == 0) return copy_stage(ctx, pl, q, t, nwait, wait, ev);
    const clrs_dtype dt = t[0].desc.dtype;
    if (!pl->nearest && dt == CLRS_F64 && !ctx->fp64)
        return clrs__fail(ctx, CLRS_ERR_UNSUPPORTED, "Resize on f64 needs a device with fp64; '%s' has none",
                          ctx->info.name);
    /* the stages: groups of resampled dims, each one launch */
    int groups[CLRS_MAX_RANK][3], gn[CLRS_MAX_RANK], ng = 0;
    clrs_axis_taps tabs[CLRS_MAX_RANK];
    memset(tabs, 0, sizeof tabs);
    clrs_status st = CLRS_OK;
    if (pl->nearest) {
        for (int i = 0; i < pl->nres; i += 3) {
            gn[ng] = 0;
            for (int j = i; j < pl->nres && j < i + 3; j++) groups[ng][gn[ng]++] = pl->res[j];
            ng++;
        }
    } else {
        int64_t prod = 1;
        for (int i = 0; i < pl->nres && st == CLRS_OK; i++) {
            st = clrs__rs_axis_taps(ctx, &pl->ax[pl->res[i]], &tabs[pl->res[i]], NULL);
            prod *= tabs[pl->res[i]].taps;
        }
        if (st == CLRS_OK && pl->nres <= 3 && prod <= ctx->tune.v.rs_single_pass_taps) {
            gn[0] = pl->nres;
            for (int i = 0; i < pl->nres; i++) groups[0][i] = pl->res[i];
            ng = 1;
        } else {
            for (int i = pl->nres - 1; i >= 0; i--) { /* last axis first */
                gn[ng] = 1;
                groups[ng++][0] = pl->res[i];
            }
        }
    }
    const int fill = pl->constant;
    chain c;
    memset(&c, 0, sizeof c);
    c.cur = t[0].desc;
    c.curm = t[0].mem;
    memcpy(c.sizes, t[0].desc.sizes, sizeof c.sizes);
    const clrs_dtype mid = pl->nearest ? dt : dt == CLRS_F64 ? CLRS_F64 : CLRS_F32;
    for (int g = 0; g < ng && st == CLRS_OK; g++) {
        for (int i = 0; i < gn[g]; i++) c.sizes[groups[g][i]] = pl->out_sizes[groups[g][i]];
        const int last = g == ng - 1;
        clrs_tensor_desc nd;
        cl_mem ndm;
        st = chain_dst(ctx, &c, last, mid, t, &nd, &ndm);
        if (st != CLRS_OK) break;
        cl_event done = NULL;
        cl_uint nw = g == 0 ? nwait : (c.prev ? 1 : 0);
        const cl_event *wl = g == 0 ? wait : (c.prev ? &c.prev : NULL);
        cl_event *evp = last && !fill ? ev : &done;
        if (pl->nearest) {
            st = gather_stage(ctx, pl, q, &c.cur, c.curm, &nd, ndm, groups[g], gn[g], nw, wl, evp);
        } else {
            clrs_axis_taps gt[3];
            for (int i = 0; i < gn[g]; i++) gt[i] = tabs[groups[g][i]];
            st = weighted_stage(ctx, pl, q, &c.cur, c.curm, &nd, ndm, groups[g], gt, gn[g], nw, wl, evp);
        }
        if (st != CLRS_OK) break;
        chain_step(&c, &nd, ndm, done);
    }
    if (st == CLRS_OK && fill) st = fill_stage(ctx, pl, q, &t[1], c.prev ? 1 : 0, c.prev ? &c.prev : NULL, ev);
    chain_end(&c);
    for (int d = 0; d < CLRS_MAX_RANK; d++) clrs__axis_taps_free(&tabs[d]);
    return st;
}

static clrs_status resize_prepare(clrs_context *ctx, const clrs_onnx_resize_params *p, const clrs_tensor_desc *x,
                                  const clrs_tensor_desc *y, oresize_plan *pl)
{
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "onnx_resize: ctx is NULL");
    CLRS_FORWARD(plan_make(ctx, x, p, pl));
    CLRS_FORWARD(clrs__check_output(ctx, p->upsample ? "Upsample" : "Resize", y, x->rank, pl->out_sizes, x->dtype));
    return CLRS_OK;
}

clrs_status clrs_onnx_resize(clrs_context *ctx, const clrs_onnx_resize_params *p, const clrs_tensor_desc *x,
                             const void *x_data, const clrs_tensor_desc *y, void *y_data)
{
    clrs__clear_error(ctx);
    oresize_plan pl;
    CLRS_FORWARD(resize_prepare(ctx, p, x, y, &pl));
    if (pl.numel_out > 0 && (x_data == NULL || y_data == NULL))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "onnx_resize: %s data pointer is NULL", x_data ? "output" : "input");
    clrs_host_tensor ht[2] = {{x, x_data, 0}, {y, y_data, 1}};
    return clrs__host_call(ctx, &pl, ht, 2, resize_enqueue);
}

clrs_status clrs_onnx_resize_cl(clrs_context *ctx, const clrs_onnx_resize_params *p, const clrs_tensor_desc *x,
                                cl_mem x_mem, const clrs_tensor_desc *y, cl_mem y_mem, cl_command_queue queue,
                                cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    clrs__clear_error(ctx);
    oresize_plan pl;
    CLRS_FORWARD(resize_prepare(ctx, p, x, y, &pl));
    clrs_targ t[2] = {{*x, x_mem, 0}, {*y, y_mem, 1}};
    return clrs__cl_call(ctx, &pl, t, 2, queue, num_wait, wait_list, event, resize_enqueue);
}
