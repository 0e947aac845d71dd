/* SPDX-License-Identifier: MIT */
/* Backward of the max-type poolings (issue #14): the input gradient of max
 * pooling (1-D to 3-D, every kernel / stride / padding / dilation /
 * ceil_mode) and adaptive max pooling, from the forward's indices given by
 * the caller or recomputed here by the forward itself (so its tie and NaN
 * rules hold). torch's autograd scatters grad_output[o] into
 * grad_input[indices[o]]; here each grad_input element gathers instead
 * (cl/pool_backward.cl): the outputs whose window can contain it come
 * from per-axis tables made on the host (the transposed tap tables), and
 * it adds the grad_output elements whose index names it in increasing
 * output order, as torch's CPU loop does. Average and adaptive average
 * pooling's gradients gather grad_output[o] / divisor(o) over the same
 * tables (no indices, the input's data unused). Fractional max pooling's
 * runs the max path (indices given, or recomputed by the forward from the
 * same samples) with tables that bound every plane's windows. LP
 * pooling's (finite p) composes torch's autograd steps: the gradient
 * reaching each window's mean from the input's data, the average pooling
 * backward of it, times p * x ** (p - 1) (f16 / bf16: in float with the
 * 16-bit range at each of torch's steps, rounded once); with p = +-inf
 * (torch's max_pool(|x|), -max_pool(-|x|)) the max path on the indices of
 * |x| (-|x|) the forward recomputes, times sign(x). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool_impl.h"

typedef struct poolbw_plan {
    clrs_pool_plan fwd;
    int has_idx;    /* indices given (else recomputed) */
    int64_t numel_in;
} poolbw_plan;

static const char *bw_name(clrs_pool_kind k)
{
    switch (k) {
    case CLRS_POOL_MAX: return "max_pool backward";
    case CLRS_POOL_ADAPTIVE_MAX: return "adaptive_max_pool backward";
    case CLRS_POOL_AVG: return "avg_pool backward";
    case CLRS_POOL_LP: return "lp_pool backward";
    case CLRS_POOL_ADAPTIVE_AVG: return "adaptive_avg_pool backward";
    case CLRS_POOL_FRACTIONAL_MAX: return "fractional_max_pool backward";
    }
    return "pool backward";
}

/* The outputs whose window may contain input i, along one axis: [lo, hi]
 * (lo > hi: none). Max pooling: taps o*s - p + j*d, j < k; adaptive:
 * [floor(o*I/O), ceil((o+1)*I/O)). */
static void axis_ranges(const clrs_pool_plan *pl, int a, int64_t *tab)
{
    const int64_t I = pl->in3[a], O = pl->out3[a];
    if (pl->kind == CLRS_POOL_ADAPTIVE_MAX || pl->kind == CLRS_POOL_ADAPTIVE_AVG) {
        for (int64_t i = 0; i < I; i++) {
            tab[2 * i] = O;
            tab[2 * i + 1] = -1;
        }
        for (int64_t o = 0; o < O; o++) {
            const int64_t st = o * I / O, en = ((o + 1) * I + O - 1) / O;
            for (int64_t i = st; i < en && i < I; i++) {
                if (o < tab[2 * i]) tab[2 * i] = o;
                if (o > tab[2 * i + 1]) tab[2 * i + 1] = o;
            }
        }
        return;
    }
    if (pl->kind == CLRS_POOL_FRACTIONAL_MAX) {
        /* torch's window starts, floor((o + u) * alpha) - floor(u * alpha)
         * with alpha = (I - k) / (O - 1), u in [0, 1) per plane, lie in
         * (o * alpha - 1, o * alpha + 1); the last is I - k. A range for
         * every plane's samples, one wider each side for the rounding of
         * torch's float alpha (the index check sends anything outside to
         * the general entry anyway). */
        const int64_t k = pl->k3[a];
        const double alpha = O > 1 ? (double)(I - k) / (double)(O - 1) : 0.0;
        for (int64_t i = 0; i < I; i++) {
            int64_t lo = 0, hi = O - 1;
            if (O > 1 && alpha > 0) {
                const double l = floor((double)(i - k) / alpha) - 1, h = ceil((double)(i + 1) / alpha) + 1;
                lo = l < 0 ? 0 : l > (double)(O - 1) ? O - 1 : (int64_t)l;
                hi = h < 0 ? 0 : h > (double)(O - 1) ? O - 1 : (int64_t)h;
                if (i >= I - k) hi = O - 1;
            }
            tab[2 * i] = lo;
            tab[2 * i + 1] = hi;
        }
        return;
    }
    const int64_t k = pl->k3[a], s = pl->s3[a], p = pl->p3[a], d = pl->d3[a];
    const int64_t span = (k - 1) * d; /* the window's last tap, from its first */
    for (int64_t i = 0; i < I; i++) {
        /* o*s - p <= i <= o*s - p + span */
        int64_t num = i + p - span, lo = num <= 0 ? 0 : (num + s - 1) / s, hi = (i + p) / s;
        if (hi > O - 1) hi = O - 1;
        tab[2 * i] = lo;
        tab[2 * i + 1] = hi;
    }
}

/* The disjoint-window tables (clrs_poolbw_dj_*), one axis: win (2 per
 * output) the window's first input position and its length (clipped to
 * the input); own (NULL: not wanted; I entries) each input position's
 * output, -1 when in no window. 0 when two windows overlap, one is empty,
 * or (max with dilation) not a contiguous run. */
static int axis_disjoint(const clrs_pool_plan *pl, int a, int64_t *win, int64_t *own)
{
    const int64_t I = pl->in3[a], O = pl->out3[a];
    if (O <= 0 || pl->kind == CLRS_POOL_FRACTIONAL_MAX) return 0; /* fractional: windows per plane */
    const int adaptive = pl->kind == CLRS_POOL_ADAPTIVE_MAX || pl->kind == CLRS_POOL_ADAPTIVE_AVG;
    if (!adaptive && pl->k3[a] > 1 && pl->d3[a] != 1) return 0;
    if (own != NULL)
        for (int64_t i = 0; i < I; i++) own[i] = -1;
    int64_t prev_end = 0;
    for (int64_t o = 0; o < O; o++) {
        int64_t st, en;
        if (adaptive) {
            st = o * I / O;
            en = ((o + 1) * I + O - 1) / O;
        } else {
            st = o * pl->s3[a] - pl->p3[a];
            en = st + pl->k3[a];
        }
        if (st < 0) st = 0;
        if (en > I) en = I;
        if (en <= st || st < prev_end) return 0; /* empty, or overlaps the previous one */
        prev_end = en;
        if (win != NULL) {
            win[2 * o] = st;
            win[2 * o + 1] = en - st;
        }
        if (own != NULL)
            for (int64_t i = st; i < en; i++) own[i] = o;
    }
    return 1;
}

/* 1 when every axis's windows are disjoint. */
static int plan_disjoint(const clrs_pool_plan *pl)
{
    for (int a = 0; a < 3; a++)
        if (!axis_disjoint(pl, a, NULL, NULL)) return 0;
    return 1;
}

/* What "pool_backward" and "pool_backward_avg" implementations decide on. */
typedef struct poolbw_problem {
    int unwindowed;      /* an index lies outside its output's window ranges */
    int overlapping;     /* some windows overlap (axis_disjoint) */
    int disjoint_failed; /* the disjoint kernel found an index outside its window */
    int empty;           /* grad_output has no elements */
    int half;            /* 16-bit storage (f16, bf16) */
} poolbw_problem;

static int gather_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    (void)ctx;
    const poolbw_problem *pb = problem;
    if (pb->unwindowed) {
        snprintf(why, len, "an index lies outside the window of its output");
        return 1;
    }
    return 0;
}

static int disjoint_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    (void)ctx;
    const poolbw_problem *pb = problem;
    if (pb->empty) {
        snprintf(why, len, "grad_output is empty");
        return 1;
    }
    if (pb->overlapping) {
        snprintf(why, len, "the windows overlap (or are not contiguous runs) along an axis");
        return 1;
    }
    if (pb->disjoint_failed || pb->unwindowed) {
        snprintf(why, len, "an index lies outside the window of its output");
        return 1;
    }
    return 0;
}

/* In order; the last (every output of the plane) accepts everything. */
static const clrs_impl POOLBW_IMPLS[] = {
    {"disjoint", CLRS_IMPL_EXACT, disjoint_decline},
    {"gather", CLRS_IMPL_EXACT, gather_decline},
    {"scan", 0, NULL},
};
CLRS_IMPL_LIST(clrs__impls_pool_backward, "pool_backward", POOLBW_IMPLS);

static int ranges_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    (void)ctx;
    const poolbw_problem *pb = problem;
    if (pb->empty) {
        snprintf(why, len, "grad_output is empty");
        return 1;
    }
    if (pb->half) {
        snprintf(why, len, "16-bit storage (it sums in grad_input)");
        return 1;
    }
    return 0;
}

/* Average and adaptive average pooling; the last (the table ranges, per
 * element) accepts everything. */
static const clrs_impl POOLBW_AVG_IMPLS[] = {
    {"disjoint", CLRS_IMPL_EXACT, disjoint_decline},
    {"ranges", CLRS_IMPL_EXACT, ranges_decline},
    {"avg", 0, NULL},
};
CLRS_IMPL_LIST(clrs__impls_pool_backward_avg, "pool_backward_avg", POOLBW_AVG_IMPLS);

/* exact_div: correctly rounded division (the avg kernels divide as torch does). */
static clrs_status poolbw_kernel_kw(clrs_context *ctx, clrs_dtype dt, int exact_div, const char *name, int64_t kw,
                                    int64_t pw, int unitw, cl_kernel *k)
{
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "%s", clrs__pool_dtype_define(dt));
    if (kw > 0) {
        clrs__opts_def(&o, "POOLBW_KW=%lld", (long long)kw);
        clrs__opts_def(&o, "POOLBW_PW=%lld", (long long)pw);
    }
    if (unitw) clrs__opts_def(&o, "POOLBW_UNITW=1");
    return clrs__pool_get_kernel(ctx, "pool_backward", &o, exact_div, name, k);
}

static clrs_status poolbw_kernel(clrs_context *ctx, clrs_dtype dt, int exact_div, const char *name, cl_kernel *k)
{
    return poolbw_kernel_kw(ctx, dt, exact_div, name, 0, 0, 0, k);
}

static int is_avg(clrs_pool_kind k)
{
    return k == CLRS_POOL_AVG || k == CLRS_POOL_ADAPTIVE_AVG;
}

/* Each output's divisor factor along one axis, O entries: avg pooling
 * torch's window count along the axis (ih1 - ih0 after clipping to the
 * padded input, then, without count_include_pad, to the input);
 * adaptive: the window's length. */
static void axis_divisors(const clrs_pool_plan *pl, int a, int64_t *dv)
{
    const int64_t I = pl->in3[a], O = pl->out3[a];
    for (int64_t o = 0; o < O; o++) {
        if (pl->kind == CLRS_POOL_ADAPTIVE_AVG) {
            dv[o] = ((o + 1) * I + O - 1) / O - o * I / O;
            continue;
        }
        const int64_t k = pl->k3[a], s = pl->s3[a], p = pl->p3[a];
        int64_t i0 = o * s - p, i1 = i0 + k;
        if (i1 > I + p) i1 = I + p;
        const int64_t padded = i1 - i0;
        if (i0 < 0) i0 = 0;
        if (i1 > I) i1 = I;
        dv[o] = pl->count_include_pad ? padded : i1 - i0;
    }
}

/* The disjoint windows' kernels (clrs_poolbw_dj_w, clrs_poolbw_dj_c):
 * mode 0 max (ix: the indices; *missed = 1 when an index is not in its
 * window, then grad_in is not complete and the caller runs the general
 * path), 1 avg, 2 adaptive avg. */
static clrs_status poolbw_disjoint_enqueue(clrs_context *ctx, const clrs_pool_plan *pl, clrs_targ *t,
                                           const clrs_targ *ix, int mode, cl_command_queue q, cl_uint nwait,
                                           const cl_event *wait, cl_event *ev, int *missed)
{
    const clrs_dtype dt = t[3].desc.dtype;
    const int64_t nin = pl->in3[0] + pl->in3[1] + pl->in3[2], nout = pl->out3[0] + pl->out3[1] + pl->out3[2];
    const int64_t ntab = nin + 3 * nout; /* own, win, dv */
    int64_t *tab = malloc((size_t)(ntab + 1) * sizeof *tab);
    if (tab == NULL) return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "pool backward: the window tables");
    cl_long4 own_off, win_off, dv_off;
    memset(&own_off, 0, sizeof own_off);
    memset(&win_off, 0, sizeof win_off);
    memset(&dv_off, 0, sizeof dv_off);
    int ok = 1;
    for (int a = 0, ao = 0, aw = (int)nin, ad = (int)(nin + 2 * nout); a < 3;
         ao += (int)pl->in3[a], aw += (int)(2 * pl->out3[a]), ad += (int)pl->out3[a], a++) {
        own_off.s[a] = ao;
        win_off.s[a] = aw;
        dv_off.s[a] = ad;
        ok &= axis_disjoint(pl, a, tab + aw, tab + ao);
        if (mode != 0)
            axis_divisors(pl, a, tab + ad);
        else
            for (int64_t o = 0; o < pl->out3[a]; o++) tab[ad + o] = 1;
    }
    if (!ok) {
        free(tab);
        return clrs__fail(ctx, CLRS_ERR_INTERNAL, "pool backward: the disjoint tables disagree with the dispatch");
    }
    cl_int e;
    cl_mem tabm = clCreateBuffer(ctx->cl, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (size_t)(ntab + 1) * sizeof *tab,
                                 tab, &e),
           fm = NULL;
    free(tab);
    if (e != CL_SUCCESS) return clrs__fail_cl(ctx, e, "clCreateBuffer (window tables)");
    cl_long8 isz, ist, osz, ost, xsz, xst;
    clrs__iter_ncdhw(&t[3].desc, &isz, &ist);
    clrs__iter_ncdhw(&t[2].desc, &osz, &ost);
    memset(&xst, 0, sizeof xst);
    if (mode == 0) clrs__iter_ncdhw(&ix->desc, &xsz, &xst);
    const cl_long4 in3 = clrs__long4_of(pl->in3), out3 = clrs__long4_of(pl->out3);
    /* channels-last (C the fastest axis of grad_input): along C */
    /* channels-last with enough channels for the rows along C to pay */
    const int chlast = ist.s1 == 1 && isz.s1 >= 16;
    /* one work-item per row (W, or channels-last C), 1-D: a 2-D range
     * with H first made PoCL run 10x slower here */
    const size_t g[2] = {(size_t)(chlast ? isz.s0 * isz.s2 * isz.s3 * isz.s4 : isz.s0 * isz.s1 * isz.s2 * isz.s3), 1};
    /* max: one hit count per work-item */
    int *hits = NULL;
    if (mode == 0) {
        hits = malloc(g[0] * g[1] * sizeof *hits);
        if (hits != NULL) fm = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, g[0] * g[1] * sizeof *hits, NULL, &e);
        if (hits == NULL || e != CL_SUCCESS) {
            free(hits);
            clReleaseMemObject(tabm);
            return hits == NULL ? clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "pool backward: the hit counts")
                                : clrs__fail_cl(ctx, e, "clCreateBuffer (pool backward hit counts)");
        }
    }
    cl_kernel k = NULL;
    cl_event done = NULL;
    /* windows of one length k along W, one after the other from -p (max
     * and avg with stride == kernel, adaptive with W % OW == 0): the
     * W kernel computes each position's output as (w + p) / k, k and p
     * compile-time constants (a vectorisable division) */
    int64_t kw = 0, pw = 0;
    if (!chlast) {
        if (pl->kind == CLRS_POOL_ADAPTIVE_MAX || pl->kind == CLRS_POOL_ADAPTIVE_AVG) {
            if (pl->in3[2] % pl->out3[2] == 0) kw = pl->in3[2] / pl->out3[2];
        } else if (pl->s3[2] == pl->k3[2] && (pl->d3[2] == 1 || pl->k3[2] == 1)) {
            kw = pl->k3[2];
            pw = pl->p3[2];
        }
        if (kw > 64) kw = 0; /* keep the program variants few */
    }
    const int unitw = !chlast && ist.s4 == 1 && ost.s4 == 1 && (mode != 0 || xst.s4 == 1);
    clrs_status st =
        poolbw_kernel_kw(ctx, dt, mode != 0, chlast ? "clrs_poolbw_dj_c" : "clrs_poolbw_dj_w", kw, pw, unitw, &k);
    if (st == CLRS_OK) {
        cl_long gooff = t[2].desc.offset, xoff = mode == 0 ? ix->desc.offset : 0, gioff = t[3].desc.offset,
                dov = pl->divisor_override;
        cl_int md = mode;
        cl_mem xm = mode == 0 ? ix->mem : t[2].mem;
        clrs_kargs ka = clrs__kargs(ctx, k);
        CLRS_KARG(&ka, t[2].mem);
        CLRS_KARG(&ka, gooff);
        CLRS_KARG(&ka, xm);
        CLRS_KARG(&ka, xoff);
        CLRS_KARG(&ka, t[3].mem);
        CLRS_KARG(&ka, gioff);
        CLRS_KARG(&ka, isz);
        CLRS_KARG(&ka, ist);
        CLRS_KARG(&ka, ost);
        CLRS_KARG(&ka, xst);
        CLRS_KARG(&ka, in3);
        CLRS_KARG(&ka, out3);
        CLRS_KARG(&ka, tabm);
        CLRS_KARG(&ka, own_off);
        CLRS_KARG(&ka, win_off);
        CLRS_KARG(&ka, dv_off);
        CLRS_KARG(&ka, dov);
        CLRS_KARG(&ka, md);
        CLRS_KARG(&ka, fm);
        st = ka.st;
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 2, g, nwait, wait, mode == 0 ? &done : ev);
    }
    if (k != NULL) clReleaseKernel(k);
    if (st == CLRS_OK && mode == 0) {
        *missed = 0;
        if (!clrs__dry_run()) {
            e = clEnqueueReadBuffer(q, fm, CL_TRUE, 0, g[0] * g[1] * sizeof *hits, hits, 1, &done, NULL);
            if (e != CL_SUCCESS) st = clrs__fail_cl(ctx, e, "clEnqueueReadBuffer (pool backward hit counts)");
            int64_t sum = 0;
            for (size_t i = 0; i < g[0] * g[1]; i++) sum += hits[i];
            *missed = sum != pl->numel_out;
        }
        if (st == CLRS_OK && !*missed && ev != NULL) {
            *ev = done;
            done = NULL;
        }
    }
    if (done) clReleaseEvent(done);
    if (st != CLRS_OK) clFinish(q);
    if (fm) clReleaseMemObject(fm);
    clReleaseMemObject(tabm);
    free(hits);
    return st;
}

/* "pool_backward_avg/ranges": the quotients (clrs_poolbw_q) into a
 * temporary in grad_input's layout order, then the row sums
 * (clrs_poolbw_ranges). tabm: the range tables (offsets toff) and the
 * divisors (dvoff). */
static clrs_status poolbw_ranges_enqueue(clrs_context *ctx, const clrs_pool_plan *pl, clrs_targ *t, cl_mem tabm,
                                         cl_long4 toff, cl_long4 dvoff, cl_command_queue q, cl_uint nwait,
                                         const cl_event *wait, cl_event *ev)
{
    const clrs_dtype dt = t[3].desc.dtype;
    const size_t es = clrs_dtype_size(dt);
    cl_long8 isz, ist, osz, ost, qst;
    clrs__iter_ncdhw(&t[3].desc, &isz, &ist);
    clrs__iter_ncdhw(&t[2].desc, &osz, &ost);
    /* channels-last with enough channels for the rows along C to pay */
    const int chlast = ist.s1 == 1 && isz.s1 >= 16;
    /* q's strides: contiguous, or channels-last (C fastest) */
    memset(&qst, 0, sizeof qst);
    if (chlast) {
        qst.s1 = 1;
        qst.s4 = osz.s1;
        qst.s3 = qst.s4 * osz.s4;
        qst.s2 = qst.s3 * osz.s3;
        qst.s0 = qst.s2 * osz.s2;
    } else {
        qst.s4 = 1;
        qst.s3 = osz.s4;
        qst.s2 = qst.s3 * osz.s3;
        qst.s1 = qst.s2 * osz.s2;
        qst.s0 = qst.s1 * osz.s1;
    }
    /* the longest range per axis */
    cl_long4 L;
    memset(&L, 0, sizeof L);
    for (int a = 0; a < 3; a++) {
        int64_t *tab = malloc((size_t)(2 * pl->in3[a]) * sizeof *tab);
        if (tab == NULL) return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "pool backward: the window tables");
        axis_ranges(pl, a, tab);
        for (int64_t i = 0; i < pl->in3[a]; i++)
            if (tab[2 * i + 1] - tab[2 * i] + 1 > L.s[a]) L.s[a] = tab[2 * i + 1] - tab[2 * i] + 1;
        free(tab);
    }
    cl_int e;
    cl_mem qm = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, (size_t)pl->numel_out * es, NULL, &e);
    if (e != CL_SUCCESS) return clrs__fail_cl(ctx, e, "clCreateBuffer (pool backward quotients)");
    cl_kernel k1 = NULL, k2 = NULL;
    cl_event e1 = NULL;
    clrs_status st = poolbw_kernel(ctx, dt, 1, "clrs_poolbw_q", &k1);
    const int unit = chlast ? ist.s1 == 1 : ist.s4 == 1; /* the row's stride in grad_input */
    if (st == CLRS_OK) st = poolbw_kernel_kw(ctx, dt, 1, "clrs_poolbw_ranges", 0, 0, unit, &k2);
    if (st == CLRS_OK) {
        cl_long gooff = t[2].desc.offset, dov = pl->divisor_override;
        cl_int mode = pl->kind == CLRS_POOL_ADAPTIVE_AVG ? 2 : 1;
        clrs_kargs ka = clrs__kargs(ctx, k1);
        CLRS_KARG(&ka, t[2].mem);
        CLRS_KARG(&ka, gooff);
        CLRS_KARG(&ka, qm);
        CLRS_KARG(&ka, osz);
        CLRS_KARG(&ka, ost);
        CLRS_KARG(&ka, qst);
        CLRS_KARG(&ka, tabm);
        CLRS_KARG(&ka, dvoff);
        CLRS_KARG(&ka, dov);
        CLRS_KARG(&ka, mode);
        st = ka.st;
        const size_t g1[1] = {(size_t)pl->numel_out};
        clrs__dispatch_chosen("pool_backward_avg", "ranges/quotients");
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k1, 1, g1, nwait, wait, &e1);
    }
    if (st == CLRS_OK) {
        cl_long gioff = t[3].desc.offset;
        cl_int cl = chlast;
        clrs_kargs ka = clrs__kargs(ctx, k2);
        CLRS_KARG(&ka, qm);
        CLRS_KARG(&ka, t[3].mem);
        CLRS_KARG(&ka, gioff);
        CLRS_KARG(&ka, isz);
        CLRS_KARG(&ka, ist);
        CLRS_KARG(&ka, qst);
        CLRS_KARG(&ka, tabm);
        CLRS_KARG(&ka, toff);
        CLRS_KARG(&ka, L);
        CLRS_KARG(&ka, cl);
        st = ka.st;
        const size_t g2[1] = {(size_t)(chlast ? isz.s0 * isz.s2 * isz.s3 * isz.s4 : isz.s0 * isz.s1 * isz.s2 * isz.s3)};
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k2, 1, g2, 1, &e1, ev);
    }
    if (k1) clReleaseKernel(k1);
    if (k2) clReleaseKernel(k2);
    if (e1) clReleaseEvent(e1);
    if (st != CLRS_OK) clFinish(q);
    clReleaseMemObject(qm); /* released once the kernels are done (OpenCL keeps it while in use) */
    return st;
}

/* The average pooling backward's tables in one buffer (*tabm): per axis
 * (D, H, W) the window ranges of each input position (axis_ranges, at
 * toff), then each output's divisor factor (axis_divisors, at dvoff). */
static clrs_status avg_tables(clrs_context *ctx, const clrs_pool_plan *pl, cl_mem *tabm, cl_long4 *toff,
                              cl_long4 *dvoff)
{
    const int64_t ntab = 2 * (pl->in3[0] + pl->in3[1] + pl->in3[2]), ndv = pl->out3[0] + pl->out3[1] + pl->out3[2];
    int64_t *tab = malloc((size_t)(ntab + ndv + 1) * sizeof *tab);
    if (tab == NULL) return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "pool backward: the window tables");
    int64_t *dv = tab + ntab;
    memset(toff, 0, sizeof *toff);
    memset(dvoff, 0, sizeof *dvoff);
    for (int a = 0, at = 0, ad = 0; a < 3; at += (int)(2 * pl->in3[a]), ad += (int)pl->out3[a], a++) {
        toff->s[a] = at;
        dvoff->s[a] = ad;
        axis_ranges(pl, a, tab + at);
        axis_divisors(pl, a, dv + ad);
    }
    cl_int e;
    *tabm = clCreateBuffer(ctx->cl, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (size_t)(ntab + ndv + 1) * sizeof *tab,
                           tab, &e);
    free(tab);
    if (e != CL_SUCCESS) return clrs__fail_cl(ctx, e, "clCreateBuffer (window tables)");
    /* the divisors follow the ranges in the one buffer */
    for (int a = 0; a < 3; a++) dvoff->s[a] += ntab;
    return CLRS_OK;
}

/* Average / adaptive average pooling: t[2] grad_out, t[3] grad_in. */
static clrs_status poolbw_avg_enqueue(clrs_context *ctx, const clrs_pool_plan *pl, clrs_targ *t, cl_command_queue q,
                                      cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    const clrs_dtype dt = t[3].desc.dtype;
    /* adaptive_avg_pool to an all-ones output is input.mean() in PyTorch
     * (the forward's mean_path), so its gradient is mean's: grad_out / N,
     * one division by the plane's size, not / kd / kh / kw in turn (which
     * differs in the last bit, e.g. / 7 / 7 against / 49): an average
     * pooling whose one window is the whole plane, divided by the product */
    clrs_pool_plan mean_pl;
    if (pl->kind == CLRS_POOL_ADAPTIVE_AVG && pl->mean_path) {
        mean_pl = *pl;
        mean_pl.kind = CLRS_POOL_AVG;
        for (int a = 0; a < 3; a++) {
            mean_pl.k3[a] = mean_pl.s3[a] = pl->in3[a] > 0 ? pl->in3[a] : 1;
            mean_pl.p3[a] = 0;
            mean_pl.d3[a] = 1;
        }
        mean_pl.ceil_mode = 0;
        mean_pl.count_include_pad = 1;
        mean_pl.divisor_override = 0;
        pl = &mean_pl;
    }
    /* No output, so no window: the gradient is 0 everywhere. The tables
     * are then sized by the input alone: an empty grad_out can still have
     * an output axis of 2^32 (adaptive pooling to (0, 2^32)), whose divisor
     * table would take 32 GiB (found by fuzz_ops). */
    clrs_pool_plan none_pl;
    if (pl->numel_out == 0) {
        none_pl = *pl;
        for (int a = 0; a < 3; a++) none_pl.out3[a] = 0;
        pl = &none_pl;
    }
    int impl;
    {
        poolbw_problem pb = {0};
        pb.empty = pl->numel_out == 0;
        pb.overlapping = !pb.empty && !plan_disjoint(pl);
        pb.half = dt == CLRS_F16 || dt == CLRS_BF16;
        impl = CLRS_PICK(ctx, "pool_backward_avg", POOLBW_AVG_IMPLS, &pb);
        if (impl < 0) return CLRS_ERR_INTERNAL;
        if (impl == 0)
            return poolbw_disjoint_enqueue(ctx, pl, t, NULL, pl->kind == CLRS_POOL_ADAPTIVE_AVG ? 2 : 1, q, nwait,
                                           wait, ev, NULL);
    }
    cl_mem tabm = NULL;
    cl_long4 toff, dvoff;
    CLRS_FORWARD(avg_tables(ctx, pl, &tabm, &toff, &dvoff));
    cl_long8 isz, ist, osz, ost;
    clrs__iter_ncdhw(&t[3].desc, &isz, &ist);
    clrs__iter_ncdhw(&t[2].desc, &osz, &ost);
    if (impl == 1) {
        clrs_status st = poolbw_ranges_enqueue(ctx, pl, t, tabm, toff, dvoff, q, nwait, wait, ev);
        clReleaseMemObject(tabm);
        return st;
    }
    cl_kernel k = NULL;
    clrs_status st = poolbw_kernel(ctx, dt, 1, "clrs_poolbw_avg", &k);
    if (st == CLRS_OK) {
        cl_long gooff = t[2].desc.offset, gioff = t[3].desc.offset, dov = pl->divisor_override;
        cl_int adaptive = pl->kind == CLRS_POOL_ADAPTIVE_AVG;
        clrs_kargs ka = clrs__kargs(ctx, k);
        CLRS_KARG(&ka, t[2].mem);
        CLRS_KARG(&ka, gooff);
        CLRS_KARG(&ka, t[3].mem);
        CLRS_KARG(&ka, gioff);
        CLRS_KARG(&ka, isz);
        CLRS_KARG(&ka, ist);
        CLRS_KARG(&ka, ost);
        CLRS_KARG(&ka, tabm);
        CLRS_KARG(&ka, toff);
        CLRS_KARG(&ka, tabm);
        CLRS_KARG(&ka, dvoff);
        CLRS_KARG(&ka, dov);
        CLRS_KARG(&ka, adaptive);
        st = ka.st;
        const size_t g[2] = {(size_t)(isz.s[3] * isz.s[2] * isz.s[1] * isz.s[0]), 1}; /* one per row */
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 2, g, nwait, wait, ev);
    }
    if (k != NULL) clReleaseKernel(k);
    if (st != CLRS_OK) clFinish(q);
    clReleaseMemObject(tabm);
    return st;
}

/* A double as torch turns a Scalar into a 16-bit float (through float,
 * to nearest even): 11 (f16) or 8 (bf16) significant bits, f16's range. */
static double round16(clrs_dtype dt, double v)
{
    const float f = (float)v;
    if (!isfinite(f) || f == 0.0f) return f;
    const int prec = dt == CLRS_F16 ? 11 : 8, qmin = dt == CLRS_F16 ? -24 : -133;
    int ex;
    frexp(f, &ex); /* f = m * 2^ex, 0.5 <= |m| < 1 */
    const double q = ldexp(1.0, ex - prec > qmin ? ex - prec : qmin);
    const double r = nearbyint((double)f / q) * q;
    if (dt == CLRS_F16 && fabs(r) > 65504.0) return copysign(INFINITY, r);
    if (fabs(r) > 3.4028234663852886e38) return copysign(INFINITY, r);
    return r;
}

/* Tensor.pow(scalar)'s kernel choice in ATen (clrs_pow's codes; as
 * src/ops/pool.c's for the forward); *eff: the exponent in the dtype (f16
 * / bf16: ATen's pow rounds the exponent to the tensor's type). */
static int lp_pow_code(clrs_dtype dt, double e, double *eff)
{
    *eff = dt == CLRS_F64 ? e : dt == CLRS_F32 ? (double)(float)e : round16(dt, e);
    if (e == 1.0) return 7;
    if (e == 2.0) return 1;
    if (e == 3.0) return 2;
    if (e == -2.0) return 6;
    if (e == 0.5) return 3;
    if (e == -0.5) return 4;
    if (e == -1.0) return 5;
    return 0; /* pow(x, e); e == 0 gives 1 as torch's fill */
}

/* LP pooling (finite p): t[0] the input (its data), t[2] grad_out, t[3]
 * grad_in. The gradient reaching each window's mean (clrs_poolbw_lp_gs)
 * into a temporary (ACC_T: float for f16 / bf16), then, f32 / f64: the
 * average pooling backward of it (any "pool_backward_avg" entry) and the
 * factor p * x ** (p - 1) (clrs_poolbw_lp_x), each rounded to the dtype
 * as torch's steps are; f16 / bf16: both in float, rounded once
 * (clrs_poolbw_lp_h over the average pooling's tables). */
static clrs_status poolbw_lp_enqueue(clrs_context *ctx, const clrs_pool_plan *pl, clrs_targ *t, cl_command_queue q,
                                     cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    const clrs_dtype dt = t[3].desc.dtype;
    const int f64 = dt == CLRS_F64, half = dt == CLRS_F16 || dt == CLRS_BF16;
    const size_t es = half ? sizeof(cl_float) : clrs_dtype_size(dt); /* gs's element (ACC_T) */
    const double p = pl->norm_type;
    double pw_e, em1_e, pm1_e;
    const cl_int pw_code = lp_pow_code(dt, p, &pw_e), em1_code = lp_pow_code(dt, 1.0 / p - 1.0, &em1_e),
                 pm1_code = lp_pow_code(dt, p - 1.0, &pm1_e);
    const double kprod = (double)(pl->k3[0] * pl->k3[1] * pl->k3[2]);
    /* the average pooling whose backward spreads gs: LP's windows, no
     * padding, divided by the window's count (clipped to the input) */
    clrs_pool_plan avg = *pl;
    avg.kind = CLRS_POOL_AVG;
    avg.count_include_pad = 1;
    avg.divisor_override = 0;
    cl_int e;
    cl_mem gsm = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, (size_t)pl->numel_out * es, NULL, &e), tabm = NULL;
    if (e != CL_SUCCESS) return clrs__fail_cl(ctx, e, "clCreateBuffer (lp_pool backward temporary)");
    cl_long8 xsz, xst, osz, ost, isz, ist;
    clrs__iter_ncdhw(&t[0].desc, &xsz, &xst);
    clrs__iter_ncdhw(&t[2].desc, &osz, &ost);
    clrs__iter_ncdhw(&t[3].desc, &isz, &ist);
    const cl_long4 in3 = clrs__long4_of(pl->in3), k3 = clrs__long4_of(pl->k3), s3 = clrs__long4_of(pl->s3);
    cl_long4 toff, dvoff;
    cl_kernel k1 = NULL, k2 = NULL;
    cl_event e1 = NULL, e2 = NULL;
    clrs_status st = poolbw_kernel(ctx, dt, 1, "clrs_poolbw_lp_gs", &k1);
    if (st == CLRS_OK) st = poolbw_kernel(ctx, dt, 1, half ? "clrs_poolbw_lp_h" : "clrs_poolbw_lp_x", &k2);
    if (st == CLRS_OK && half) st = avg_tables(ctx, &avg, &tabm, &toff, &dvoff);
    clrs__dispatch_chosen("pool_backward", "lp");
    if (st == CLRS_OK) {
        cl_long xoff = t[0].desc.offset, gooff = t[2].desc.offset;
        clrs_kargs ka = clrs__kargs(ctx, k1);
        CLRS_KARG(&ka, t[0].mem);
        CLRS_KARG(&ka, xoff);
        CLRS_KARG(&ka, xst);
        CLRS_KARG(&ka, t[2].mem);
        CLRS_KARG(&ka, gooff);
        CLRS_KARG(&ka, ost);
        CLRS_KARG(&ka, gsm);
        CLRS_KARG(&ka, osz);
        CLRS_KARG(&ka, in3);
        CLRS_KARG(&ka, k3);
        CLRS_KARG(&ka, s3);
        clrs__karg_acc(&ka, f64, pw_e);
        CLRS_KARG(&ka, pw_code);
        clrs__karg_acc(&ka, f64, em1_e);
        CLRS_KARG(&ka, em1_code);
        clrs__karg_acc(&ka, f64, f64 ? 1.0 / p : (double)(float)(1.0 / p));
        clrs__karg_acc(&ka, f64, kprod);
        st = ka.st;
        const size_t g1[1] = {(size_t)pl->numel_out};
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k1, 1, g1, nwait, wait, &e1);
    }
    if (st == CLRS_OK && !half) {
        clrs_targ ta[4];
        memset(ta, 0, sizeof ta);
        ta[2].mem = gsm;
        ta[3] = t[3];
        st = clrs_tensor_desc_contiguous(&ta[2].desc, dt, t[2].desc.rank, t[2].desc.sizes);
        if (st == CLRS_OK) st = poolbw_avg_enqueue(ctx, &avg, ta, q, 1, &e1, &e2);
    }
    if (st == CLRS_OK) {
        cl_long xoff = t[0].desc.offset, gioff = t[3].desc.offset;
        clrs_kargs ka = clrs__kargs(ctx, k2);
        if (half) {
            CLRS_KARG(&ka, gsm);
            CLRS_KARG(&ka, osz);
        }
        CLRS_KARG(&ka, t[0].mem);
        CLRS_KARG(&ka, xoff);
        CLRS_KARG(&ka, xst);
        CLRS_KARG(&ka, t[3].mem);
        CLRS_KARG(&ka, gioff);
        CLRS_KARG(&ka, isz);
        CLRS_KARG(&ka, ist);
        if (half) {
            CLRS_KARG(&ka, tabm);
            CLRS_KARG(&ka, toff);
            CLRS_KARG(&ka, dvoff);
        }
        clrs__karg_acc(&ka, f64, pm1_e);
        CLRS_KARG(&ka, pm1_code);
        clrs__karg_acc(&ka, f64, f64 ? p : (double)(float)p);
        st = ka.st;
        const size_t g2[1] = {(size_t)(isz.s[0] * isz.s[1] * isz.s[2] * isz.s[3])};
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k2, 1, g2, 1, half ? &e1 : &e2, ev);
    }
    if (k1) clReleaseKernel(k1);
    if (k2) clReleaseKernel(k2);
    if (e1) clReleaseEvent(e1);
    if (e2) clReleaseEvent(e2);
    if (st != CLRS_OK) clFinish(q);
    if (tabm) clReleaseMemObject(tabm);
    clReleaseMemObject(gsm);
    return st;
}

/* LP pooling with p = +-inf: torch's max_pool(|x|) (p = +inf) or
 * -max_pool(-|x|) (-inf), differentiated: the max pooling backward
 * (poolbw_max_enqueue: the forward's indices of |x| or -|x|, recomputed
 * by the forward with its transform, its tie and NaN rules) into
 * grad_in, then abs's backward, times sign(x) (clrs_poolbw_lp_sgn). */
static clrs_status poolbw_max_enqueue(clrs_context *ctx, const poolbw_plan *plan, clrs_targ *t, cl_command_queue q,
                                      cl_uint nwait, const cl_event *wait, cl_event *ev);

static clrs_status poolbw_lpinf_enqueue(clrs_context *ctx, const poolbw_plan *plan, clrs_targ *t, cl_command_queue q,
                                        cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    const clrs_dtype dt = t[3].desc.dtype;
    cl_event e1 = NULL;
    cl_kernel k = NULL;
    clrs_status st = poolbw_kernel(ctx, dt, 0, "clrs_poolbw_lp_sgn", &k);
    if (st == CLRS_OK) st = poolbw_max_enqueue(ctx, plan, t, q, nwait, wait, &e1);
    if (st == CLRS_OK) {
        cl_long8 xsz, xst, isz, ist;
        clrs__iter_ncdhw(&t[0].desc, &xsz, &xst);
        clrs__iter_ncdhw(&t[3].desc, &isz, &ist);
        cl_long xoff = t[0].desc.offset, gioff = t[3].desc.offset;
        cl_int neg = plan->fwd.lp_inf < 0;
        clrs_kargs ka = clrs__kargs(ctx, k);
        CLRS_KARG(&ka, t[0].mem);
        CLRS_KARG(&ka, xoff);
        CLRS_KARG(&ka, xst);
        CLRS_KARG(&ka, t[3].mem);
        CLRS_KARG(&ka, gioff);
        CLRS_KARG(&ka, isz);
        CLRS_KARG(&ka, ist);
        CLRS_KARG(&ka, neg);
        st = ka.st;
        const size_t g[1] = {(size_t)(isz.s[0] * isz.s[1] * isz.s[2] * isz.s[3])};
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 1, g, e1 != NULL, e1 != NULL ? &e1 : NULL, ev);
    }
    if (k) clReleaseKernel(k);
    if (e1) clReleaseEvent(e1);
    if (st != CLRS_OK) clFinish(q);
    return st;
}

/* t[0] input (data only read to recompute the indices), t[1] indices
 * (unused when recomputed), t[2] grad_out, t[3] grad_in. */
static clrs_status poolbw_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                                  cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    (void)nt;
    const poolbw_plan *plan = op;
    const clrs_pool_plan *pl = &plan->fwd;
    if (plan->numel_in == 0) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    if (is_avg(pl->kind)) return poolbw_avg_enqueue(ctx, pl, t, q, nwait, wait, ev);
    if (pl->kind == CLRS_POOL_LP) {
        if (pl->numel_out == 0) { /* no window: the gradient is 0 */
            clrs_pool_plan avg = *pl;
            avg.kind = CLRS_POOL_AVG;
            avg.count_include_pad = 1;
            avg.divisor_override = 0;
            return poolbw_avg_enqueue(ctx, &avg, t, q, nwait, wait, ev);
        }
        if (pl->lp_inf) return poolbw_lpinf_enqueue(ctx, plan, t, q, nwait, wait, ev);
        return poolbw_lp_enqueue(ctx, pl, t, q, nwait, wait, ev);
    }
    return poolbw_max_enqueue(ctx, plan, t, q, nwait, wait, ev);
}

/* The max-type poolings (and LP with p = +-inf): the indices given, or
 * recomputed by the forward (t[0]'s data). */
static clrs_status poolbw_max_enqueue(clrs_context *ctx, const poolbw_plan *plan, clrs_targ *t, cl_command_queue q,
                                      cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    const clrs_pool_plan *pl = &plan->fwd;
    const int dry = clrs__dry_run();
    const clrs_dtype dt = t[3].desc.dtype;
    const size_t es = clrs_dtype_size(dt);
    cl_int e;
    clrs_status st = CLRS_OK;
    cl_mem tmp_out = NULL, tmp_idx = NULL, tabm = NULL, fm = NULL;
    cl_event ready = NULL, checked = NULL;
    clrs_targ ix = t[1];
    cl_uint nw = nwait;
    const cl_event *wl = wait;

    /* no indices: the forward computes them (its output is discarded) */
    if (!plan->has_idx) {
        tmp_out = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, (size_t)(pl->numel_out > 0 ? pl->numel_out : 1) * es,
                                 NULL, &e);
        if (e == CL_SUCCESS)
            tmp_idx = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE,
                                     (size_t)(pl->numel_out > 0 ? pl->numel_out : 1) * sizeof(cl_long), NULL, &e);
        if (e != CL_SUCCESS) {
            st = clrs__fail_cl(ctx, e, "clCreateBuffer (recomputed indices)");
            goto done;
        }
        clrs_targ ft[3];
        memset(ft, 0, sizeof ft);
        ft[0] = t[0];
        ft[1].mem = tmp_out;
        ft[1].is_output = 1;
        ft[2].mem = tmp_idx;
        ft[2].is_output = 1;
        if ((st = clrs_tensor_desc_contiguous(&ft[1].desc, t[0].desc.dtype, t[0].desc.rank, pl->out_sizes)) != CLRS_OK ||
            (st = clrs_tensor_desc_contiguous(&ft[2].desc, CLRS_I64, t[0].desc.rank, pl->out_sizes)) != CLRS_OK)
            goto done;
        if ((st = clrs__pool_enqueue(ctx, pl, ft, 3, q, nwait, wait, &ready)) != CLRS_OK) goto done;
        ix = ft[2];
        nw = 1;
        wl = &ready;
    }

    poolbw_problem pb = {0};
    pb.empty = pl->numel_out == 0;
    pb.overlapping = !pb.empty && !plan_disjoint(pl);
    if (!pb.empty && !pb.overlapping) {
        /* the disjoint windows, checked as they go; an index outside its
         * window (or the plane) sends the call to the general path */
        const int i = CLRS_PICK(ctx, "pool_backward", POOLBW_IMPLS, &pb);
        if (i < 0) {
            st = CLRS_ERR_INTERNAL;
            goto done;
        }
        if (i == 0) {
            int missed = 0;
            if ((st = poolbw_disjoint_enqueue(ctx, pl, t, &ix, 0, q, nw, wl, ev, &missed)) != CLRS_OK || !missed)
                goto done;
            pb.disjoint_failed = 1;
        }
    }

    /* the transposed tap tables, D, H, W one after the other */
    const int64_t ntab = 2 * (pl->in3[0] + pl->in3[1] + pl->in3[2]);
    int64_t *tab = malloc((size_t)ntab * sizeof *tab);
    if (tab == NULL) {
        st = clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "pool backward: the window tables");
        goto done;
    }
    cl_long4 toff;
    memset(&toff, 0, sizeof toff);
    for (int a = 0, at = 0; a < 3; at += (int)(2 * pl->in3[a]), a++) {
        toff.s[a] = at;
        axis_ranges(pl, a, tab + at);
    }
    tabm = clCreateBuffer(ctx->cl, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (size_t)ntab * sizeof *tab, tab, &e);
    free(tab);
    if (e != CL_SUCCESS) {
        st = clrs__fail_cl(ctx, e, "clCreateBuffer (window tables)");
        goto done;
    }

    cl_long8 isz, ist, osz, ost, xsz, xst;
    clrs__iter_ncdhw(&t[3].desc, &isz, &ist);
    clrs__iter_ncdhw(&t[2].desc, &osz, &ost);
    clrs__iter_ncdhw(&ix.desc, &xsz, &xst);
    const cl_long4 in3 = clrs__long4_of(pl->in3);
    cl_int flags[2] = {0, 0};
    if (pl->numel_out > 0) {
        /* the index check: in the plane (else the error), in the window */
        clrs__dispatch_chosen("pool_backward", "check");
        fm = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof flags, flags, &e);
        if (e != CL_SUCCESS) {
            st = clrs__fail_cl(ctx, e, "clCreateBuffer (pool backward flags)");
            goto done;
        }
        cl_kernel k = NULL;
        if ((st = poolbw_kernel(ctx, dt, 0, "clrs_poolbw_check", &k)) != CLRS_OK) goto done;
        cl_long xoff = ix.desc.offset;
        clrs_kargs ka = clrs__kargs(ctx, k);
        CLRS_KARG(&ka, ix.mem);
        CLRS_KARG(&ka, xoff);
        CLRS_KARG(&ka, xsz);
        CLRS_KARG(&ka, xst);
        CLRS_KARG(&ka, in3);
        CLRS_KARG(&ka, tabm);
        CLRS_KARG(&ka, toff);
        CLRS_KARG(&ka, fm);
        st = ka.st;
        const size_t g[2] = {(size_t)(xsz.s[3] * xsz.s[2] * xsz.s[1] * xsz.s[0]), 1}; /* one per row */
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 2, g, nw, wl, &checked);
        if (k != NULL) clReleaseKernel(k);
        if (st != CLRS_OK) goto done;
        nw = 1;
        wl = &checked;
        if (!dry) {
            e = clEnqueueReadBuffer(q, fm, CL_TRUE, 0, sizeof flags, flags, 1, &checked, NULL);
            if (e != CL_SUCCESS) {
                st = clrs__fail_cl(ctx, e, "clEnqueueReadBuffer (pool backward flags)");
                goto done;
            }
        }
        if (flags[0]) {
            char ib[96];
            clrs__pool_fmt_list(ib, sizeof ib, pl->sp, pl->in3, "x");
            st = clrs__fail(ctx, CLRS_ERR_INDEX_OUT_OF_RANGE,
                            "%s: an index is outside the input plane of %s = %lld elements", bw_name(pl->kind), ib,
                            (long long)(pl->in3[0] * pl->in3[1] * pl->in3[2]));
            goto done;
        }
        pb.unwindowed = flags[1] != 0;
    }
    {
        const int i = CLRS_PICK(ctx, "pool_backward", POOLBW_IMPLS, &pb);
        if (i < 0) {
            st = CLRS_ERR_INTERNAL;
            goto done;
        }
        if (i == 0) { /* not reached: the disjoint entry declines here */
            st = clrs__fail(ctx, CLRS_ERR_INTERNAL, "pool backward: the disjoint entry taken twice");
            goto done;
        }
        const int gather = i == 1;
        cl_kernel k = NULL;
        if ((st = poolbw_kernel(ctx, dt, 0, gather ? "clrs_poolbw_gather" : "clrs_poolbw_scan", &k)) != CLRS_OK) goto done;
        cl_long gooff = t[2].desc.offset, xoff = ix.desc.offset, gioff = t[3].desc.offset;
        clrs_kargs ka = clrs__kargs(ctx, k);
        CLRS_KARG(&ka, t[2].mem);
        CLRS_KARG(&ka, gooff);
        CLRS_KARG(&ka, ix.mem);
        CLRS_KARG(&ka, xoff);
        CLRS_KARG(&ka, t[3].mem);
        CLRS_KARG(&ka, gioff);
        CLRS_KARG(&ka, isz);
        CLRS_KARG(&ka, ist);
        CLRS_KARG(&ka, osz);
        CLRS_KARG(&ka, ost);
        CLRS_KARG(&ka, xst);
        if (gather) {
            CLRS_KARG(&ka, tabm);
            CLRS_KARG(&ka, toff);
        }
        st = ka.st;
        const size_t g[2] = {(size_t)(isz.s[3] * isz.s[2] * isz.s[1] * isz.s[0]), 1}; /* one per row */
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 2, g, nw, wl, ev);
        if (k != NULL) clReleaseKernel(k);
    }
done:
    if (st != CLRS_OK) clFinish(q); /* nothing may still use the temporaries */
    if (checked) clReleaseEvent(checked);
    if (ready) clReleaseEvent(ready);
    if (fm) clReleaseMemObject(fm);
    if (tabm) clReleaseMemObject(tabm);
    if (tmp_out) clReleaseMemObject(tmp_out);
    if (tmp_idx) clReleaseMemObject(tmp_idx);
    return st;
}

static clrs_status poolbw_prepare(clrs_context *ctx, const clrs_pool_params *p, const clrs_tensor_desc *in,
                                  const clrs_tensor_desc *indices, const clrs_tensor_desc *grad_out,
                                  const clrs_tensor_desc *grad_in, poolbw_plan *plan)
{
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pool backward: ctx is NULL");
    memset(plan, 0, sizeof *plan);
    CLRS_FORWARD(clrs__pool_plan(ctx, in, p, &plan->fwd));
    const clrs_pool_plan *pl = &plan->fwd;
    const char *kn = bw_name(pl->kind);
    if ((is_avg(pl->kind) || pl->kind == CLRS_POOL_LP) && indices != NULL)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s takes no indices (the forward has none)", kn);
    CLRS_FORWARD(clrs__check_grads(ctx, kn, grad_out, grad_in, in->rank, pl->out_sizes));
    if (!clrs__desc_same_sizes(grad_in, in->sizes) || grad_in->rank != in->rank) {
        char a[128], b[128];
        clrs__format_sizes(a, sizeof a, grad_in->rank, grad_in->sizes);
        clrs__format_sizes(b, sizeof b, in->rank, in->sizes);
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: grad_input has shape %s but the input's shape is %s", kn, a, b);
    }
    if (in->dtype != grad_in->dtype)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s: grad_input dtype %s differs from the input's %s", kn,
                          clrs_dtype_name(grad_in->dtype), clrs_dtype_name(in->dtype));
    if (in->dtype == CLRS_F64 && !ctx->fp64)
        return clrs__fail(ctx, CLRS_ERR_UNSUPPORTED, "%s: f64 needs a device with fp64 support; '%s' has none", kn,
                          ctx->info.name);
    plan->has_idx = indices != NULL;
    if (indices != NULL) {
        CLRS_FORWARD(clrs__check_desc(ctx, indices, "indices", 0));
        if (indices->dtype != CLRS_I64)
            return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s: indices must be i64, got %s", kn,
                              clrs_dtype_name(indices->dtype));
        if (indices->rank != in->rank || !clrs__desc_same_sizes(indices, pl->out_sizes)) {
            char a[128], b[128];
            clrs__format_sizes(a, sizeof a, indices->rank, indices->sizes);
            clrs__format_sizes(b, sizeof b, in->rank, pl->out_sizes);
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s: indices have shape %s but the forward output's shape is %s",
                              kn, a, b);
        }
    }
    plan->numel_in = clrs_tensor_desc_numel(in);
    return CLRS_OK;
}

clrs_status clrs_pool_backward(clrs_context *ctx, const clrs_pool_params *p, const clrs_tensor_desc *in,
                               const void *in_data, const clrs_tensor_desc *indices, const void *idx_data,
                               const clrs_tensor_desc *grad_out, const void *go_data, const clrs_tensor_desc *grad_in,
                               void *gi_data)
{
    clrs__clear_error(ctx);
    if ((indices == NULL) != (idx_data == NULL))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pool backward: indices descriptor is %s but idx_data is %s",
                          indices ? "given" : "NULL", idx_data ? "given" : "NULL");
    poolbw_plan plan;
    CLRS_FORWARD(poolbw_prepare(ctx, p, in, indices, grad_out, grad_in, &plan));
    if (plan.numel_in > 0) {
        if (gi_data == NULL || (plan.fwd.numel_out > 0 && go_data == NULL))
            return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s: %s data pointer is NULL", bw_name(plan.fwd.kind),
                              gi_data == NULL ? "grad_input" : "grad_output");
        if (plan.fwd.kind == CLRS_POOL_LP && in_data == NULL)
            return clrs__fail(ctx, CLRS_ERR_INVALID_ARG,
                              "%s needs the input data (its gradient depends on it); in_data is NULL",
                              bw_name(plan.fwd.kind));
        if (indices == NULL && in_data == NULL && !is_avg(plan.fwd.kind))
            return clrs__fail(ctx, CLRS_ERR_INVALID_ARG,
                              "%s: without indices the input data is needed (to recompute them); in_data is NULL",
                              bw_name(plan.fwd.kind));
    }
    clrs_host_tensor ht[4] = {{in, indices || is_avg(plan.fwd.kind) ? NULL : in_data, 0},
                              {indices ? indices : grad_out, idx_data, 0},
                              {grad_out, go_data, 0},
                              {grad_in, gi_data, 1}};
    return clrs__host_call(ctx, &plan, ht, 4, poolbw_enqueue);
}

clrs_status clrs_pool_backward_cl(clrs_context *ctx, const clrs_pool_params *p, const clrs_tensor_desc *in,
                                  cl_mem in_mem, const clrs_tensor_desc *indices, cl_mem idx_mem,
                                  const clrs_tensor_desc *grad_out, cl_mem go_mem, const clrs_tensor_desc *grad_in,
                                  cl_mem gi_mem, cl_command_queue queue, cl_uint num_wait, const cl_event *wait_list,
                                  cl_event *event)
{
    clrs__clear_error(ctx);
    if (indices == NULL && idx_mem != NULL)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "pool backward: idx_mem is given without an indices descriptor");
    poolbw_plan plan;
    CLRS_FORWARD(poolbw_prepare(ctx, p, in, indices, grad_out, grad_in, &plan));
    if (plan.fwd.kind == CLRS_POOL_LP && in_mem == NULL && plan.numel_in > 0)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG,
                          "%s needs the input (its gradient depends on it); in_mem is NULL", bw_name(plan.fwd.kind));
    if (indices == NULL && in_mem == NULL && plan.numel_in > 0 && !is_avg(plan.fwd.kind))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG,
                          "%s: without indices the input is needed (to recompute them); in_mem is NULL",
                          bw_name(plan.fwd.kind));
    /* the tensor not used (the input with indices, else the indices) goes
     * as an empty one */
    clrs_tensor_desc unused = *grad_out;
    unused.sizes[0] = 0;
    const int no_in = indices != NULL || is_avg(plan.fwd.kind); /* the input is not read */
    clrs_targ t[4] = {{no_in ? unused : *in, no_in ? NULL : in_mem, 0},
                      {indices ? *indices : unused, indices ? idx_mem : NULL, 0},
                      {*grad_out, go_mem, 0},
                      {*grad_in, gi_mem, 1}};
    return clrs__cl_call(ctx, &plan, t, 4, queue, num_wait, wait_list, event, poolbw_enqueue);
}
