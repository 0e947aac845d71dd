/* SPDX-License-Identifier: MIT */
/* Backward of interpolate (issue #14): the input gradient of every mode
 * clrs_interpolate has. interpolate is linear in its input, so
 * grad_in[i] = sum over the outputs o whose taps read i of w(o, i) *
 * grad_out[o]. torch's autograd scatters each grad_out element into its
 * taps; here each grad_input element gathers instead
 * (cl/interp_backward.cl): per axis the host transposes the forward's tap
 * table (interp_weights.c, the forward's weights exactly) into a CSR list
 * per input index of (output, weight) in increasing output order, then in
 * tap order (clamped edge taps land on the clamped index, as torch's
 * bounded increment does). Nearest modes use torch's backward index rule
 * (nearest_idx / nearest_exact_idx, the float scale with its shortcuts:
 * torch's CPU backward always uses it). Bicubic (no antialias) with every
 * axis unchanged is a copy, as torch's backward special-cases it; the
 * tables are built with plan.for_backward (antialias weights on unchanged
 * axes, linear coordinates fused: torch's backward kernels). The kernel
 * adds with their arithmetic (cl/interp_backward.cl), so f32 and f64 are
 * torch's bits. 'area' is adaptive average pooling: its gradient is
 * pool_backward's (the same divisions as torch's CPU loop), except to an
 * all-ones output, torch's mean: g / N here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool_impl.h"

static const char BW_NAME[] = "interpolate backward";
#define CMAJOR_MIN_C 4

/* What the entries decide on. */
typedef struct interpbw_problem {
    int64_t channels;
    int vw;       /* cvec's channels per work-item (16, 8, 4; 0: none) */
    int mean_div; /* 'area' to an all-ones output: g / N */
    int planar;   /* grad_out and grad_in both have W stride 1 */
} interpbw_problem;

/* The vector width cvec builds with: the widest of OpenCL's 16, 8, 4 within
 * ibw_vw and the channel count; 0 when none (off, or fewer than 4 channels) */
static int cvec_width(const clrs_context *ctx, int64_t channels)
{
    const int64_t v = ctx->tune.v.ibw_vw < channels ? ctx->tune.v.ibw_vw : channels;
    return v >= 16 ? 16 : v >= 8 ? 8 : v >= 4 ? 4 : 0;
}

static int cvec_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    const interpbw_problem *pb = problem;
    if (pb->mean_div) {
        snprintf(why, len, "'area' to an all-ones output (torch's mean) divides instead of gathering");
        return 1;
    }
    if (ctx->tune.v.ibw_vw < 4) {
        snprintf(why, len, "ibw_vw is %lld (below 4: off)", (long long)ctx->tune.v.ibw_vw);
        return 1;
    }
    if (pb->vw == 0) {
        snprintf(why, len, "%lld channels, fewer than 4", (long long)pb->channels);
        return 1;
    }
    return 0;
}

static int wflat_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    const interpbw_problem *pb = problem;
    if (pb->mean_div) {
        snprintf(why, len, "'area' to an all-ones output (torch's mean) divides instead of gathering");
        return 1;
    }
    if (ctx->tune.v.ibw_vw < 4) {
        snprintf(why, len, "ibw_vw is %lld (below 4: off)", (long long)ctx->tune.v.ibw_vw);
        return 1;
    }
    if (!pb->planar) {
        snprintf(why, len, "grad_output or grad_input has a W stride other than 1");
        return 1;
    }
    return 0;
}

/* In order; the last (every grad_input element gathers over the transposed
 * tables, one work-item per row) accepts everything. cvec runs gather's
 * arithmetic per channel, VW channels per work-item: the same bits; wflat
 * (planar: unit W strides; what cvec declines) runs it
 * for TW elements along W at once, the W tables flattened to a fixed count
 * per column: the same bits (W9b-W9c2 (1, 3, 512, 512) NCHW 1.3-3x faster
 * than gather; ahead of cvec it lost on W9b NCHW (64 channels), won on W9e
 * NCDHW (16): bench/README.md). */
static const clrs_impl INTERPBW_IMPLS[] = {
    {"cvec", CLRS_IMPL_EXACT, cvec_decline},
    {"wflat", CLRS_IMPL_EXACT, wflat_decline},
    {"gather", 0, NULL},
};
CLRS_IMPL_LIST(clrs__impls_interp_backward, "interp_backward", INTERPBW_IMPLS);

typedef struct interpbw_plan {
    clrs_interp_plan fwd;
    int64_t numel_in;
} interpbw_plan;

/* The transposed tables of the three axes (D, H, W; absent leading axes a
 * single entry), CSR: off (sum of (I_a + 1)) absolute offsets into eo / ew. */
typedef struct bw_tables {
    int64_t *off, *eo, *er;
    double *ew;
    int64_t noff, nent;
    int64_t ooff[3];
} bw_tables;

static void bw_tables_free(bw_tables *b)
{
    free(b->off);
    free(b->eo);
    free(b->er);
    free(b->ew);
    memset(b, 0, sizeof *b);
}

/* The forward's tap table of spatial axis a in the form the backward
 * uses (nearest: torch's backward index rule). */
static clrs_status axis_table(const clrs_context *ctx, const clrs_interp_plan *pl, int a, clrs_dtype dt, int copy,
                              clrs_axis_taps *t)
{
    const int64_t out = pl->out[a];
    memset(t, 0, sizeof *t);
    if (copy) {
        t->taps = 1;
        t->out = out;
        t->idx = malloc((size_t)out * sizeof *t->idx);
        t->w = malloc((size_t)out * sizeof *t->w);
        if (t->idx == NULL || t->w == NULL) {
            clrs__axis_taps_free(t);
            return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "%s: a tap table of %lld entries", BW_NAME,
                              (long long)out);
        }
        for (int64_t o = 0; o < out; o++) {
            t->idx[o] = o;
            t->w[o] = 1.0;
        }
        return CLRS_OK;
    }
    /* the forward's description in torch's backward arithmetic (nearest:
     * its backward's "idx" index rule) */
    clrs_interp_plan kp = *pl;
    kp.for_backward = 1;
    clrs_rs_axis ax;
    clrs__interp_axis(&kp, a, dt, 0, 1, &ax);
    return clrs__rs_axis_taps(ctx, &ax, t, NULL);
}

static clrs_status build_tables(const clrs_context *ctx, const clrs_interp_plan *pl, clrs_dtype dt, bw_tables *b)
{
    memset(b, 0, sizeof *b);
    const int sp = pl->sp, lead = 3 - sp;
    /* torch's bicubic backward copies when no axis changes */
    int copy = pl->mode == CLRS_INTERP_BICUBIC && !pl->antialias;
    for (int a = 0; a < sp; a++)
        if (pl->in[a] != pl->out[a]) copy = 0;
    clrs_axis_taps tabs[3];
    memset(tabs, 0, sizeof tabs);
    clrs_status st = CLRS_OK;
    int64_t in3[3];
    for (int a = 0; a < 3; a++) in3[a] = 1;
    for (int a = 0; a < sp && st == CLRS_OK; a++) {
        st = axis_table(ctx, pl, a, dt, copy, &tabs[lead + a]);
        in3[lead + a] = pl->in[a];
        if (st == CLRS_OK) b->nent += tabs[lead + a].out * tabs[lead + a].taps;
    }
    if (st != CLRS_OK) goto out;
    b->nent += lead;
    b->noff = in3[0] + in3[1] + in3[2] + 3;
    b->off = malloc((size_t)b->noff * sizeof *b->off);
    b->eo = malloc((size_t)(b->nent > 0 ? b->nent : 1) * sizeof *b->eo);
    b->ew = malloc((size_t)(b->nent > 0 ? b->nent : 1) * sizeof *b->ew);
    b->er = malloc((size_t)(b->nent > 0 ? b->nent : 1) * sizeof *b->er);
    if (b->off == NULL || b->eo == NULL || b->ew == NULL || b->er == NULL) {
        st = clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "%s: transposed tables of %lld entries", BW_NAME,
                        (long long)b->nent);
        goto out;
    }
    int64_t ob = 0, eb = 0;
    for (int a = 0; a < 3; a++) {
        b->ooff[a] = ob;
        int64_t *off = b->off + ob;
        const int64_t I = in3[a];
        if (a < lead) {
            off[0] = eb;
            off[1] = eb + 1;
            b->eo[eb] = 0;
            b->er[eb] = eb + 1;
            b->ew[eb] = 1.0;
            eb++;
            ob += 2;
            continue;
        }
        const clrs_axis_taps *t = &tabs[a];
        /* counts, then offsets, then the entries in (o, tap) order */
        for (int64_t i = 0; i <= I; i++) off[i] = 0;
        for (int64_t k = 0; k < t->out * t->taps; k++)
            if (t->idx[k] >= 0 && t->idx[k] < I) off[t->idx[k] + 1]++;
        off[0] = eb;
        for (int64_t i = 0; i < I; i++) off[i + 1] += off[i];
        int64_t *fill = malloc((size_t)I * sizeof *fill);
        if (fill == NULL) {
            st = clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "%s: transposed tables", BW_NAME);
            goto out;
        }
        memcpy(fill, off, (size_t)I * sizeof *fill);
        for (int64_t o = 0; o < t->out; o++)
            for (int j = 0; j < t->taps; j++) {
                const int64_t i = t->idx[o * t->taps + j];
                if (i < 0 || i >= I) continue;
                b->eo[fill[i]] = o;
                b->ew[fill[i]] = t->w[o * t->taps + j];
                fill[i]++;
            }
        free(fill);
        /* each entry's run end: the entries of one input naming one output */
        for (int64_t i = 0; i < I; i++)
            for (int64_t k = off[i + 1] - 1; k >= off[i]; k--)
                b->er[k] = k + 1 < off[i + 1] && b->eo[k + 1] == b->eo[k] ? b->er[k + 1] : k + 1;
        eb = off[I];
        ob += I + 1;
    }
    b->nent = eb;
out:
    for (int a = 0; a < 3; a++) clrs__axis_taps_free(&tabs[a]);
    if (st != CLRS_OK) bw_tables_free(b);
    return st;
}

/* t[0] grad_out, t[1] grad_in. */
static clrs_status interpbw_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                                    cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    (void)nt;
    const interpbw_plan *plan = op;
    const clrs_interp_plan *pl = &plan->fwd;
    if (plan->numel_in == 0) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    const clrs_dtype dt = t[1].desc.dtype;
    const int f64 = dt == CLRS_F64;
    bw_tables b;
    CLRS_FORWARD(build_tables(ctx, pl, dt, &b));
    /* the weights as ACC_T: the forward's float weights, or double */
    const size_t ws = f64 ? sizeof(double) : sizeof(float);
    void *wb = malloc((size_t)(b.nent > 0 ? b.nent : 1) * ws);
    if (wb == NULL) {
        bw_tables_free(&b);
        return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "%s: the tables", BW_NAME);
    }
    for (int64_t k = 0; k < b.nent; k++) {
        if (f64)
            ((double *)wb)[k] = b.ew[k];
        else
            ((float *)wb)[k] = (float)b.ew[k];
    }
    cl_long4 ooff;
    memset(&ooff, 0, sizeof ooff);
    for (int a = 0; a < 3; a++) ooff.s[a] = b.ooff[a];
    cl_int e;
    clrs_status st = CLRS_OK;
    cl_mem offm = clCreateBuffer(ctx->cl, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (size_t)b.noff * sizeof(cl_long),
                                 b.off, &e), eom = NULL, erm = NULL, ewm = NULL;
    if (e == CL_SUCCESS)
        eom = clCreateBuffer(ctx->cl, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                             (size_t)(b.nent > 0 ? b.nent : 1) * sizeof(cl_long), b.eo, &e);
    if (e == CL_SUCCESS)
        erm = clCreateBuffer(ctx->cl, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                             (size_t)(b.nent > 0 ? b.nent : 1) * sizeof(cl_long), b.er, &e);
    if (e == CL_SUCCESS)
        ewm = clCreateBuffer(ctx->cl, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (size_t)(b.nent > 0 ? b.nent : 1) * ws,
                             wb, &e);
    if (e != CL_SUCCESS) st = clrs__fail_cl(ctx, e, "clCreateBuffer (interpolate backward tables)");
    free(wb);
    cl_kernel k = NULL;
    cl_long8 isz, ist, osz, ost;
    clrs__iter_ncdhw(&t[1].desc, &isz, &ist);
    clrs__iter_ncdhw(&t[0].desc, &osz, &ost);
    interpbw_problem pb = {isz.s[1], cvec_width(ctx, isz.s[1]), pl->mode == CLRS_INTERP_AREA,
                           ist.s[4] == 1 && ost.s[4] == 1};
    int cvec = 0, wflat = 0, nvec = 1;
    /* wflat's element count along W per step (ibw_vw as 16, 8 or 4) */
    const int tw = ctx->tune.v.ibw_vw >= 16 ? 16 : ctx->tune.v.ibw_vw >= 8 ? 8 : 4;
    cl_mem fom = NULL, fwm = NULL, fcm = NULL;
    cl_long fl = 0, fwp = 0;
    if (st == CLRS_OK) {
        const int i = CLRS_PICK(ctx, "interp_backward", INTERPBW_IMPLS, &pb);
        if (i < 0) st = CLRS_ERR_INTERNAL;
        cvec = i == 0;
        wflat = i == 1;
    }
    if (st == CLRS_OK && wflat) {
        /* the W axis's CSR lists as L entries per column, Wp columns
         * (entry k of column iw at k * Wp + iw); the padding: output 0,
         * weight 0, count fc[iw] (the kernel discards it) */
        const int64_t W = isz.s[4], *wo = b.off + b.ooff[2];
        fwp = (W + tw - 1) / tw * tw;
        for (int64_t iw = 0; iw < W; iw++)
            if (wo[iw + 1] - wo[iw] > fl) fl = wo[iw + 1] - wo[iw];
        const size_t nf = (size_t)(fl > 0 ? fl : 1) * (size_t)fwp;
        cl_long *fo = calloc(nf, sizeof *fo);
        void *fw = calloc(nf, ws);
        cl_int *fc = calloc((size_t)fwp, sizeof *fc);
        if (fo == NULL || fw == NULL || fc == NULL)
            st = clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "%s: flat W tables of %lld entries", BW_NAME,
                            (long long)nf);
        for (int64_t iw = 0; iw < W && st == CLRS_OK; iw++) {
            fc[iw] = (cl_int)(wo[iw + 1] - wo[iw]);
            for (int64_t j = 0; j < fc[iw]; j++) {
                const int64_t x = wo[iw] + j;
                fo[j * fwp + iw] = b.eo[x];
                if (f64)
                    ((double *)fw)[j * fwp + iw] = b.ew[x];
                else
                    ((float *)fw)[j * fwp + iw] = (float)b.ew[x];
            }
        }
        if (st == CLRS_OK) {
            fom = clCreateBuffer(ctx->cl, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, nf * sizeof *fo, fo, &e);
            if (e == CL_SUCCESS)
                fwm = clCreateBuffer(ctx->cl, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, nf * ws, fw, &e);
            if (e == CL_SUCCESS)
                fcm = clCreateBuffer(ctx->cl, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (size_t)fwp * sizeof *fc, fc,
                                     &e);
            if (e != CL_SUCCESS) st = clrs__fail_cl(ctx, e, "clCreateBuffer (interpolate backward flat tables)");
        }
        free(fo);
        free(fw);
        free(fc);
    }
    bw_tables_free(&b);
    if (st == CLRS_OK) {
        /* channels-last grad_out: ibw_vectors vectors per work-item, at most
         * C's whole vectors (strided channels: one, 4 x 16 strided loads per
         * tap are slower: W9b NCHW 600 ms against 91) */
        if (cvec && ost.s[1] == 1) {
            const int64_t whole = isz.s[1] / pb.vw;
            nvec = (int)(ctx->tune.v.ibw_vectors < whole ? ctx->tune.v.ibw_vectors : whole);
        }
    }
    if (st == CLRS_OK) {
        clrs_opts o;
        clrs__opts_init(&o);
        clrs__opts_def(&o, "%s", clrs__pool_dtype_define(dt));
        if (cvec) {
            clrs__opts_def(&o, "VW=%d", pb.vw);
            clrs__opts_def(&o, "NVEC=%d", nvec);
        }
        if (wflat) clrs__opts_def(&o, "TW=%d", tw);
        st = clrs__pool_get_kernel(ctx, "interp_backward", &o, 1,
                                   cvec    ? "clrs_interpbw_cvec"
                                   : wflat ? "clrs_interpbw_wflat"
                                           : "clrs_interpbw_gather",
                                   &k);
    }
    if (st == CLRS_OK) {
        cl_long gooff = t[0].desc.offset, gioff = t[1].desc.offset;
        cl_int gfirst = pl->mode == CLRS_INTERP_BICUBIC && !pl->antialias;
        /* grad_in channels-last (channels closer than W): the channels as
         * the first dimension, its neighbours' reads and writes adjacent
         * (bilinear x2 of (8, 64, 128, 128) NHWC: 190 ms, by rows 340 ms;
         * NCHW by rows: 140-175 ms, channels first 210-440 ms) */
        cl_int cmajor = isz.s[1] >= CMAJOR_MIN_C && ist.s[1] < ist.s[4];
        cl_long mean_div = 0;
        if (pl->mode == CLRS_INTERP_AREA) {
            mean_div = 1;
            for (int a = 0; a < pl->sp; a++) mean_div *= pl->in[a];
        }
        clrs_kargs ka = clrs__kargs(ctx, k);
        CLRS_KARG(&ka, t[0].mem);
        CLRS_KARG(&ka, gooff);
        CLRS_KARG(&ka, t[1].mem);
        CLRS_KARG(&ka, gioff);
        CLRS_KARG(&ka, isz);
        CLRS_KARG(&ka, ist);
        CLRS_KARG(&ka, ost);
        CLRS_KARG(&ka, offm);
        CLRS_KARG(&ka, ooff);
        CLRS_KARG(&ka, eom);
        CLRS_KARG(&ka, erm);
        CLRS_KARG(&ka, ewm);
        CLRS_KARG(&ka, gfirst);
        if (wflat) {
            CLRS_KARG(&ka, fom);
            CLRS_KARG(&ka, fwm);
            CLRS_KARG(&ka, fcm);
            CLRS_KARG(&ka, fl);
            CLRS_KARG(&ka, fwp);
        } else {
            if (!cvec) CLRS_KARG(&ka, mean_div);
            CLRS_KARG(&ka, cmajor);
        }
        st = ka.st;
        if (wflat) {
            /* one work-item per row, rows along H first */
            const size_t g2[2] = {(size_t)isz.s[3], (size_t)(isz.s[2] * isz.s[1] * isz.s[0])};
            if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 2, g2, nwait, wait, ev);
        } else if (cvec) {
            /* nvec VW-vectors of channels per work-item (the last: the rest),
             * channel groups first where grad_in is channels-last */
            const size_t cgs = (size_t)((isz.s[1] + pb.vw * nvec - 1) / (pb.vw * nvec)), rows = (size_t)(isz.s[2] * isz.s[0]);
            const size_t gv[3] = {cmajor ? cgs : (size_t)isz.s[3], cmajor ? (size_t)isz.s[3] : cgs, rows};
            if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 3, gv, nwait, wait, ev);
        } else {
            /* one work-item per row along W, rows along H first, or
             * channels first (cmajor) */
            const size_t g2[2] = {(size_t)isz.s[3], (size_t)(isz.s[2] * isz.s[1] * isz.s[0])},
                         g3[3] = {(size_t)isz.s[1], (size_t)isz.s[3], (size_t)(isz.s[2] * isz.s[0])};
            if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, cmajor ? 3 : 2, cmajor ? g3 : g2, nwait, wait, ev);
        }
    }
    if (k != NULL) clReleaseKernel(k);
    if (st != CLRS_OK) clFinish(q);
    if (ewm) clReleaseMemObject(ewm);
    if (eom) clReleaseMemObject(eom);
    if (erm) clReleaseMemObject(erm);
    if (offm) clReleaseMemObject(offm);
    if (fom) clReleaseMemObject(fom);
    if (fwm) clReleaseMemObject(fwm);
    if (fcm) clReleaseMemObject(fcm);
    return st;
}

/* 'area' to an all-ones output is torch's mean (adaptive_avg_pool2d/3d's
 * shortcut): its gradient divides once by the plane's size, here
 * (interpbw_enqueue); other sizes are adaptive average pooling's. */
static int area_mean(const clrs_interp_plan *pl)
{
    if (pl->mode != CLRS_INTERP_AREA) return 0;
    for (int a = 0; a < pl->sp; a++)
        if (pl->out[a] != 1) return 0;
    return 1;
}

/* 'area': adaptive average pooling's parameters for the forward's sizes. */
static void area_params(const clrs_interp_plan *pl, clrs_pool_params *pp)
{
    clrs_pool_params_init(pp, CLRS_POOL_ADAPTIVE_AVG);
    pp->n_output_size = pl->sp;
    for (int a = 0; a < pl->sp; a++) pp->output_size[a] = pl->out[a];
}

static clrs_status interpbw_prepare(clrs_context *ctx, const clrs_interpolate_params *p, const clrs_tensor_desc *in,
                                    const clrs_tensor_desc *grad_out, const clrs_tensor_desc *grad_in,
                                    interpbw_plan *plan)
{
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s: ctx is NULL", BW_NAME);
    memset(plan, 0, sizeof *plan);
    if (grad_out == NULL || grad_in == NULL)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s: %s descriptor is NULL", BW_NAME,
                          grad_out == NULL ? "grad_output" : "grad_input");
    CLRS_FORWARD(clrs__interp_plan(ctx, in, p, &plan->fwd));
    const clrs_interp_plan *pl = &plan->fwd;
    CLRS_FORWARD(clrs__check_grads(ctx, BW_NAME, grad_out, grad_in, in->rank, pl->out_sizes));
    if (!clrs__desc_same_sizes(grad_in, in->sizes) || grad_in->rank != in->rank) {
        char a[128], b[128];
        clrs__format_sizes(a, sizeof a, grad_in->rank, grad_in->sizes);
        clrs__format_sizes(b, sizeof b, in->rank, in->sizes);
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: grad_input has shape %s but the input's shape is %s", BW_NAME,
                          a, b);
    }
    if (in->dtype != grad_in->dtype)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s: grad_input dtype %s differs from the input's %s", BW_NAME,
                          clrs_dtype_name(grad_in->dtype), clrs_dtype_name(in->dtype));
    if (in->dtype == CLRS_F64 && !ctx->fp64)
        return clrs__fail(ctx, CLRS_ERR_UNSUPPORTED, "%s: f64 needs a device with fp64 support; '%s' has none",
                          BW_NAME, ctx->info.name);
    plan->numel_in = clrs_tensor_desc_numel(in);
    return CLRS_OK;
}

clrs_status clrs_interpolate_backward(clrs_context *ctx, const clrs_interpolate_params *p, const clrs_tensor_desc *in,
                                      const clrs_tensor_desc *grad_out, const void *go_data,
                                      const clrs_tensor_desc *grad_in, void *gi_data)
{
    clrs__clear_error(ctx);
    interpbw_plan plan;
    CLRS_FORWARD(interpbw_prepare(ctx, p, in, grad_out, grad_in, &plan));
    if (plan.fwd.mode == CLRS_INTERP_AREA && !area_mean(&plan.fwd)) {
        clrs_pool_params pp;
        area_params(&plan.fwd, &pp);
        return clrs_pool_backward(ctx, &pp, in, NULL, NULL, NULL, grad_out, go_data, grad_in, gi_data);
    }
    if (plan.numel_in > 0 && (gi_data == NULL || go_data == NULL))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s: %s data pointer is NULL", BW_NAME,
                          gi_data == NULL ? "grad_input" : "grad_output");
    clrs_host_tensor ht[2] = {{grad_out, go_data, 0}, {grad_in, gi_data, 1}};
    return clrs__host_call(ctx, &plan, ht, 2, interpbw_enqueue);
}

clrs_status clrs_interpolate_backward_cl(clrs_context *ctx, const clrs_interpolate_params *p,
                                         const clrs_tensor_desc *in, const clrs_tensor_desc *grad_out, cl_mem go_mem,
                                         const clrs_tensor_desc *grad_in, cl_mem gi_mem, cl_command_queue queue,
                                         cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    clrs__clear_error(ctx);
    interpbw_plan plan;
    CLRS_FORWARD(interpbw_prepare(ctx, p, in, grad_out, grad_in, &plan));
    if (plan.fwd.mode == CLRS_INTERP_AREA && !area_mean(&plan.fwd)) {
        clrs_pool_params pp;
        area_params(&plan.fwd, &pp);
        return clrs_pool_backward_cl(ctx, &pp, in, NULL, NULL, NULL, grad_out, go_mem, grad_in, gi_mem, queue,
                                     num_wait, wait_list, event);
    }
    clrs_targ t[2] = {{*grad_out, go_mem, 0}, {*grad_in, gi_mem, 1}};
    return clrs__cl_call(ctx, &plan, t, 2, queue, num_wait, wait_list, event, interpbw_enqueue);
}
