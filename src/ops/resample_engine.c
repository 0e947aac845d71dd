/* SPDX-License-Identifier: MIT */
/* The separable resampling engine behind interpolate (cl/gather.cl,
 * cl/resample*.cl): from per-axis tables to kernel launches.
 *
 *   1. tables: the axis taps (interp_weights.c) laid out tap-major with
 *      entries as source offsets (rs_tables_build);
 *   2. geometry: the 5 dims in output memory order (geometry.c:
 *      clrs__iter_sorted, clrs__iter_lanes, clrs__iter_fold_c), 32-bit
 *      offsets or not (clrs__iter_fits_int);
 *   3. table analysis (rs_tables_analyse, gather_analyse): what the tables
 *      allow, checked on the data: periods, contiguous taps, the nearest
 *      factor; a result struct, no policy;
 *   4. the pick: the first entry of the family's ordered list (GATHER_IMPLS,
 *      RS_IMPLS) whose decline() accepts, by the table analysis and the
 *      context's tuning (src/dispatch.h);
 *   5. the chosen entry's config (it may rewrite the tables), its -D
 *      options (clrs_opts) and its launch.
 *
 * Every entry gives the bits of its family's general (last) entry
 * (CLRS_IMPL_EXACT; test_periodic_matches_general compares them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dispatch.h"
#include "../internal.h"
#include "../launch.h"
#include "geometry.h"
#include "ops.h"

static const char *elem_type(size_t es)
{
    switch (es) {
    case 1: return "uchar";
    case 2: return "ushort";
    case 4: return "uint";
    default: return "ulong";
    }
}

/* The geometry's -D flags, shared by both families. */
static void engine_defines(clrs_opts *o, const clrs_iter5 *d, int narrow, int exact0)
{
    for (int k = 0; k < 5; k++) clrs__opts_def(o, "R%d=%d", k, d->toff.s[k] >= 0);
    clrs__opts_def(o, "IDX=%s", narrow ? "int" : "long");
    clrs__opts_def(o, "IS0=%d", d->ist.s[0] == 1);
    clrs__opts_def(o, "OS0=%d", d->ost.s[0] == 1);
    clrs__opts_def(o, "SPLIT2=%d", d->osz.s[3] != 1 || d->osz.s[4] != 1);
    clrs__opts_def(o, "EXACT0=%d", exact0);
}

/* Tables of long entries narrowed to int in place (after clrs__iter_fits_int). */
static void narrow_tables(cl_long *tab, int64_t n)
{
    cl_int *t32 = (cl_int *)tab;
    for (int64_t k = 0; k < n; k++) t32[k] = (cl_int)tab[k];
}

/* ========================================================================
 * The gather family (nearest, nearest-exact): one tap per axis.
 * ===================================================================== */
typedef struct gather_problem {
    clrs_iter5 d;
    int vnear; /* table analysis: dim 0 is input i / k for this k (2..4), else 0 */
    int gc;    /* clrs__iter_fold_c */
    char vnear_why[96];
} gather_problem;

/* Table analysis: nearest along a unit-stride dim 0 by an integer factor
 * k = 2..4 (every output i taking input i / k, rows of at least 16
 * inputs); 0 (with the reason) when not. */
static int vnear_factor(const clrs_iter5 *d, const cl_long *tab, char *why, size_t len)
{
    if (d->toff.s[0] < 0) {
        snprintf(why, len, "dim 0 is copied, not resampled");
        return 0;
    }
    if (d->ist.s[0] != 1 || d->ost.s[0] != 1) {
        snprintf(why, len, "dim 0 has strides %lld / %lld, not 1", (long long)d->ist.s[0], (long long)d->ost.s[0]);
        return 0;
    }
    const int64_t n0 = d->osz.s[0];
    for (int k = 2; k <= 4; k++) {
        if (n0 % k != 0 || n0 / k < 16) continue;
        int64_t i = 0;
        while (i < n0 && tab[d->toff.s[0] + i] == i / k) i++;
        if (i == n0) return k;
    }
    snprintf(why, len, "row of %lld outputs is no x2..x4 copy of >= 16 inputs", (long long)n0);
    return 0;
}

static int gather_decline_vnear(const clrs_context *ctx, const void *pr, char *why, size_t len)
{
    const gather_problem *p = pr;
    if (ctx->tune.v.rs_vper == 0) {
        snprintf(why, len, "needs a CPU device's explicit vectors (tuning rs_vper=0)");
        return 1;
    }
    if (p->vnear == 0) {
        snprintf(why, len, "%s", p->vnear_why);
        return 1;
    }
    return 0;
}

static int gather_decline_gc(const clrs_context *ctx, const void *pr, char *why, size_t len)
{
    (void)ctx;
    const gather_problem *p = pr;
    if (p->gc == 0) {
        snprintf(why, len, "dim 1 is not 2..8 unit-stride channels-last channels");
        return 1;
    }
    return 0;
}

typedef struct gather_impl {
    clrs_impl base;
    const char *kernel;
} gather_impl;

enum { G_VNEAR, G_GC, G_GENERAL };
static const gather_impl GATHER_IMPLS[] = {
    [G_VNEAR] = {{"vnear", CLRS_IMPL_EXACT, gather_decline_vnear}, "clrs_gather_vnear"},
    [G_GC] = {{"gather_gc", CLRS_IMPL_EXACT, gather_decline_gc}, "clrs_gather_gc"},
    [G_GENERAL] = {{"gather", CLRS_IMPL_EXACT, NULL}, "clrs_gather"},
};
CLRS_IMPL_LIST(clrs__impls_gather, "gather", GATHER_IMPLS);

clrs_status clrs__rs_gather(clrs_context *ctx, cl_command_queue q, const clrs_targ *src, const clrs_targ *dst,
                            cl_long *tab, const int64_t *toff, int64_t ntab, int64_t max_tab, cl_uint nwait,
                            const cl_event *wait, cl_event *ev)
{
    const clrs_tensor_desc *in = &src->desc, *out = &dst->desc;
    gather_problem p;
    memset(&p, 0, sizeof p);
    clrs__iter_sorted(in, out, toff, &p.d);
    clrs__iter_lanes(&p.d);
    const clrs_iter5 *d = &p.d;
    int narrow = clrs__iter_fits_int(d, max_tab), exact0;
    size_t lx = clrs__wg_x(ctx, (size_t)ctx->tune.v.rs_lx, d->osz.s[0], &exact0);
    p.vnear = vnear_factor(d, tab, p.vnear_why, sizeof p.vnear_why);
    p.gc = clrs__iter_fold_c(d);
    const int which = CLRS_PICK(ctx, "gather", GATHER_IMPLS, &p);
    if (which < 0) {
        free(tab);
        return CLRS_ERR_INTERNAL; /* (recorded by the pick) */
    }
    const int vnear = which == G_VNEAR ? p.vnear : 0, gc = which == G_GC ? p.gc : 0;
    if (narrow) narrow_tables(tab, ntab); /* int entries, in place */
    cl_mem tabm = NULL;
    clrs_status st = clrs__make_buffer(ctx, tab, (size_t)ntab * (narrow ? sizeof(cl_int) : sizeof(cl_long)), &tabm);
    free(tab);
    if (st != CLRS_OK) return st;

    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "ELEM_T=%s", elem_type(clrs_dtype_size(in->dtype)));
    engine_defines(&o, d, narrow, exact0);
    clrs__opts_def(&o, "GC=%d", gc);
    clrs__opts_def(&o, "VNEAR=%d", vnear);
    char *opts = clrs__opts_take(&o);
    cl_kernel k = NULL;
    st = opts == NULL ? clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "gather kernel options")
                      : clrs__get_kernel(ctx, "gather", opts, GATHER_IMPLS[which].kernel, &k);
    free(opts);
    if (st == CLRS_OK) {
        cl_long ioff = in->offset, ooff = out->offset;
        clrs_kargs a = clrs__kargs(ctx, k);
        clrs__karg(&a, sizeof(cl_mem), &src->mem);
        CLRS_KARG(&a, ioff);
        clrs__karg(&a, sizeof(cl_mem), &dst->mem);
        CLRS_KARG(&a, ooff);
        CLRS_KARG(&a, tabm);
        CLRS_KARG(&a, d->osz);
        CLRS_KARG(&a, d->ost);
        CLRS_KARG(&a, d->ist);
        CLRS_KARG(&a, d->toff);
        st = a.st;
        /* vnear: a work-item per row; gc: one along the folded channels */
        size_t g[3] = {vnear ? 1 : (size_t)d->osz.s[0], gc ? 1 : (size_t)d->osz.s[1],
                       (size_t)(d->osz.s[2] * d->osz.s[3] * d->osz.s[4])};
        if (st == CLRS_OK)
            st = clrs__enqueue_rows(ctx, q, k, g, vnear ? 1 : lx, (size_t)ctx->tune.v.rs_rows_cap, nwait, wait, ev);
        if (k != NULL) clReleaseKernel(k);
    }
    clReleaseMemObject(tabm);
    return st;
}

/* ========================================================================
 * The weighted family: taps with weights.
 * ===================================================================== */
static const char *dtype_tag(clrs_dtype dt)
{
    switch (dt) {
    case CLRS_F32: return "f32";
    case CLRS_F64: return "f64";
    case CLRS_F16: return "f16";
    case CLRS_BF16: return "bf16";
    case CLRS_U8: return "u8";
    default: return "u16";
    }
}

/* The periodic interior of a resampled dim 0 (clrs_resample_per, see
 * resample.cl): the outputs P*m + r, m in [mlo, mlo + len), whose every
 * tap (offset, weight bits, dropped or not) is that of the reference
 * output P*mref + r with the offset shifted by (m - mref) * Q, Q one input
 * (dim 0's input stride, as the entries): P outputs per input, upscales
 * (downscales, Q > 1, measured slower than the general kernel: strided
 * loads). The other outputs (nb of them: bl at the start of the row, the
 * rest from eb on) go to clrs_resample_per_edge. The kernel has no guard:
 * len is a multiple of 16 and its work-group size along dim 0 divides it.
 * Tables as rs_tables_build makes them (tap-major, long entries). */
typedef struct rs_period {
    int p, q;
    int64_t mref, mlo, len, bl, eb, nb;
    int64_t lo, hi; /* the whole interior found, before trimming to len */
} rs_period;

#define RS_PER_MAX_P 8
/* lanes of the explicit-vector periodic kernel (-D VPER; VPW there) */
#define RS_VPW 16

static int rs_period_same(const cl_long *idx, const unsigned char *w, size_t wsz, int64_t off, int64_t n0, int T,
                          int p, int q, int64_t mref, int64_t m)
{
    for (int t = 0; t < T; t++)
        for (int r = 0; r < p; r++) {
            int64_t er = off + t * n0 + p * mref + r, e = off + t * n0 + p * m + r;
            if (idx[er] < 0) {
                if (idx[e] >= 0) return 0;
            } else if (idx[e] != idx[er] + (m - mref) * q || memcmp(w + e * wsz, w + er * wsz, wsz) != 0) {
                return 0;
            }
        }
    return 1;
}

/* The explicit-vector form with c folded channels and every other pixel
 * (x0.5): lane L of lane vector v (L = 16v + l) reads element 2L - L % c;
 * each vector's lanes must lie within 32 elements (two loads). */
static int vper_q2_fits(int c)
{
    for (int v = 0; v < c; v++)
        if ((2 * (16 * v + 15) - (16 * v + 15) % c) - (2 * (16 * v) - (16 * v) % c) > 31) return 0;
    return 1;
}

/* Work-group size along dim 0 for the periodic interior: len itself up to
 * 256 (one group per row; PoCL vectorises 16 items at a time and runs a
 * remainder scalar), else its largest divisor in [32, 256]; 0 when none. */
static int64_t rs_period_local(int64_t len, size_t kmax)
{
    int64_t cap = kmax < 256 ? (int64_t)kmax : 256;
    if (len <= cap) return len;
    for (int64_t l = cap; l >= 32; l--)
        if (len % l == 0) return l;
    return 0;
}

/* Smallest period P (<= RS_PER_MAX_P, <= maxp) of Q = 1 (or 2, with maxq
 * 2) input steps whose interior covers at least half of the row; 0 when
 * none. */
static int rs_find_period(const cl_long *idx, const unsigned char *w, size_t wsz, int64_t off, int64_t n0, int T,
                          int64_t stride, size_t kmax, int maxp, int maxq, rs_period *pp, int64_t *lx)
{
    for (int p = 1; p <= RS_PER_MAX_P && p <= maxp; p++) {
        if (n0 < 32 * (int64_t)p) break;
        int64_t mref = n0 / p / 2;
        /* Q from the first tap kept by the reference's phase 0 */
        int64_t q = -1;
        for (int t = 0; t < T && q < 0; t++) {
            int64_t e = off + t * n0 + p * mref;
            if (idx[e] >= 0 && idx[e + p] >= 0) q = idx[e + p] - idx[e];
            else if (idx[e] >= 0 || idx[e + p] >= 0) break;
        }
        if (q != stride && !(maxq >= 2 && q == 2 * stride)) continue;
        if (!rs_period_same(idx, w, wsz, off, n0, T, p, (int)q, mref, mref + 1)) continue;
        int64_t lo = mref, hi = mref + 2;
        while (lo > 0 && rs_period_same(idx, w, wsz, off, n0, T, p, (int)q, mref, lo - 1)) lo--;
        while (p * (hi + 1) <= n0 && rs_period_same(idx, w, wsz, off, n0, T, p, (int)q, mref, hi)) hi++;
        pp->lo = lo;
        pp->hi = hi;
        int64_t len = hi - lo, l = rs_period_local(len, kmax);
        if (l == 0) { /* no divisor: a multiple of 64 */
            len = len / 64 * 64;
            l = 64;
        }
        if (len < 16 || 2 * p * len < n0) continue;
        lo += (hi - lo - len) / 2;
        *lx = l;
        pp->p = p;
        pp->q = (int)q;
        pp->mref = mref;
        pp->mlo = lo;
        pp->len = len;
        pp->bl = p * lo;
        pp->eb = p * (lo + len);
        pp->nb = pp->bl + (n0 - pp->eb);
        return 1;
    }
    return 0;
}

/* Whether every output's taps of a 3-channel W table (the only table:
 * tap-major, T rows of n0 entries, entries pixel * 3) are consecutive
 * pixels from its tap 0, with no kept tap after them, and the row (iw
 * pixels) holds the TS = T rounded up to a multiple of 4 pixels (at most
 * 32) of a window: what rs_contiguous_taps needs. */
static int rs_taps_contiguous(const cl_long *idx, int64_t n0, int T, int64_t iw)
{
    const int TS = (T + 3) / 4 * 4;
    if (TS > 32 || iw < TS) return 0;
    for (int64_t o = 0; o < n0; o++) {
        const cl_long j0 = idx[o];
        int cnt = 0;
        while (cnt < T && idx[cnt * n0 + o] == j0 + 3 * cnt) cnt++;
        for (int t = cnt; t < T; t++)
            if (idx[t * n0 + o] >= 0) return 0;
        if (j0 < 0 || j0 % 3 != 0) return 0;
    }
    return 1;
}

/* -D CTAPS: the tables (rs_taps_contiguous holds) rewritten so that output
 * o's taps are the TS consecutive pixels from start_o (the window moved
 * left where it would leave the row, so that its 3 * TS bytes lie inside
 * it), with weight 0 for the pixels that are not the output's taps.
 * Integer sums: the same results. */
static clrs_status rs_contiguous_taps(clrs_context *ctx, cl_long **pidx, unsigned char **pw, int64_t *pn, int64_t n0,
                                      int *pt, int64_t iw)
{
    const int T = *pt, TS = (T + 3) / 4 * 4;
    const cl_long *idx = *pidx;
    const cl_int *w = (const cl_int *)*pw;
    cl_long *ni = malloc((size_t)(TS * n0) * sizeof *ni);
    cl_int *nw = malloc((size_t)(TS * n0) * sizeof *nw);
    if (ni == NULL || nw == NULL) {
        free(ni);
        free(nw);
        return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "contiguous-tap tables of %lld entries",
                          (long long)(TS * n0));
    }
    for (int64_t o = 0; o < n0; o++) {
        const cl_long j0 = idx[o];
        int cnt = 0;
        while (cnt < T && idx[cnt * n0 + o] == j0 + 3 * cnt) cnt++;
        const int64_t p0 = j0 / 3, start = p0 < iw - TS ? p0 : iw - TS;
        for (int sl = 0; sl < TS; sl++) {
            const int64_t k = start + sl - p0;
            ni[sl * n0 + o] = (start + sl) * 3;
            nw[sl * n0 + o] = k >= 0 && k < cnt ? w[k * n0 + o] : 0;
        }
    }
    free(*pidx);
    free(*pw);
    *pidx = ni;
    *pw = (unsigned char *)nw;
    *pn = TS * n0;
    *pt = TS;
    return CLRS_OK;
}

/* resample/rows (clrs_resample_rows): blocks of bh output rows of a 2-D
 * pass (W along a unit-stride dim 0, H along dim 1), each needing at most
 * r input rows' W sums (compile-time, a work-item's private array: at most
 * RS_ROWS_MAX_R) per column. */
typedef struct rs_rows {
    int64_t bh, r, nblk;
    char why[128];
} rs_rows;

#define RS_ROWS_MAX_R 32

/* The first input row and the number of rows that output rows [o0, o1) of
 * the H table (tap-major, T rows of n entries, offsets row * stride or -1)
 * touch; 0 rows when every tap is dropped. */
static void rs_rows_span(const cl_long *idx, int64_t off, int64_t n, int T, int64_t stride, int64_t o0, int64_t o1,
                         int64_t *first, int64_t *count)
{
    int64_t lo = INT64_MAX, hi = -1;
    for (int t = 0; t < T; t++)
        for (int64_t o = o0; o < o1; o++) {
            const cl_long e = idx[off + t * n + o];
            if (e < 0) continue;
            const int64_t r = stride ? e / stride : 0;
            if (r < lo) lo = r;
            if (r > hi) hi = r;
        }
    *first = hi < 0 ? 0 : lo;
    *count = hi < 0 ? 1 : hi - lo + 1;
}

/* What the tables allow (rs_tables_analyse): facts, no policy. */
typedef struct rs_shape {
    int fold_c;         /* clrs__iter_fold_c: channels-last channels (2..8) in dim 0, else 0 */
    int perc;           /* fold_c for the non-periodic forms: 0 past rs_per_max_sums taps in all */
    int vper_found;     /* a period of 1 or 2 outputs per 1 or 2 inputs (unit strides or fold_c) */
    rs_period vp;
    int per_found;      /* a period of P outputs per input (P <= RS_PER_MAX_P) */
    rs_period per;
    int64_t per_lx;     /* the periodic interior's work-group along dim 0 */
    int ctaps;          /* rs_taps_contiguous: a u8 RGB W table of consecutive pixels */
    int wide;           /* 8/16-bit source readable as whole 32-bit words */
    int64_t iw0;        /* the input size of dim 0's axis (0: copied) */
    rs_rows rows;       /* resample/rows: its blocks (rows.bh 0: none, rows.why says why) */
} rs_shape;

/* One pass: the tables and the analysis, the weighted family's problem. */
typedef struct rs_problem {
    const clrs_tensor_desc *sd, *dd;
    int fixed, f64, narrow, drop, prec, exact0;
    size_t wsz, lx;
    cl_long *idx;        /* tap-major entries (source offsets, -1 dropped), long */
    unsigned char *w;    /* weights: cl_int (fixed), cl_double (f64) or cl_float */
    int64_t n, max_tab;  /* entries; the largest */
    clrs_iter5 d;
    int taps[5];         /* taps of each iteration dim (1: copied) */
    int64_t ttot;        /* their product */
    rs_shape s;
    int u8rte;           /* clrs_rs_opts.u8_rte: -D U8RTE=1 (every form stores through ST_u8) */
} rs_problem;

/* Tap-major rows (tap t of output o at toff + t * out + o), entries are
 * source offsets (index times the axis' input stride) or -1 (dropped). */
static clrs_status rs_tables_build(clrs_context *ctx, rs_problem *p, const clrs_axis_taps *const *tabs, int sp,
                                   int64_t toff[3])
{
    const clrs_tensor_desc *sd = p->sd;
    int64_t n = 0;
    for (int a = 0; a < sp; a++)
        if (tabs[a] != NULL) {
            toff[a] = n;
            n += tabs[a]->out * tabs[a]->taps;
            p->prec = tabs[a]->prec;
        }
    p->wsz = p->fixed ? sizeof(cl_int) : p->f64 ? sizeof(cl_double) : sizeof(cl_float);
    p->idx = malloc((size_t)(n ? n : 1) * sizeof *p->idx);
    p->w = malloc((size_t)(n ? n : 1) * p->wsz);
    p->n = n;
    if (p->idx == NULL || p->w == NULL)
        return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "resampling tables of %lld entries", (long long)n);
    for (int a = 0; a < sp; a++) {
        if (tabs[a] == NULL) continue;
        int64_t out = tabs[a]->out, nt = tabs[a]->taps, stride = sd->strides[2 + a];
        for (int64_t o = 0; o < out; o++)
            for (int64_t tp = 0; tp < nt; tp++) {
                int64_t e = toff[a] + tp * out + o, j = tabs[a]->idx[o * nt + tp];
                double v = tabs[a]->w[o * nt + tp];
                p->idx[e] = j < 0 ? -1 : j * stride;
                if (j < 0) p->drop = 1;
                if (p->idx[e] > p->max_tab) p->max_tab = p->idx[e];
                if (p->fixed)
                    ((cl_int *)p->w)[e] = (cl_int)v;
                else if (p->f64)
                    ((cl_double *)p->w)[e] = v;
                else
                    ((cl_float *)p->w)[e] = (cl_float)v;
            }
    }
    return CLRS_OK;
}

/* Whether a W tap's offset (the kernel's int) could pass 2^31 - 1. */
static int rs_rows_w_wide(const rs_problem *p)
{
    for (int t = 0; t < p->taps[0]; t++)
        for (int64_t o = 0; o < p->d.osz.s[0]; o++)
            if (p->idx[p->d.toff.s[0] + t * p->d.osz.s[0] + o] > INT32_MAX) return 1;
    return 0;
}

/* Table analysis for resample/rows: the geometry it needs, and the largest
 * block of at most rs_rows_block output rows (halved until it fits) whose
 * input rows are at most RS_ROWS_MAX_R. */
static void rs_rows_analyse(const clrs_context *ctx, const rs_problem *p, rs_rows *rw)
{
    const clrs_iter5 *d = &p->d;
    memset(rw, 0, sizeof *rw);
    if (ctx->tune.v.rs_rows_block == 0) {
        snprintf(rw->why, sizeof rw->why, "off (tuning rs_rows_block=0)");
        return;
    }
    if (p->fixed) {
        snprintf(rw->why, sizeof rw->why, "uint8 fixed-point pass (one axis per pass)");
        return;
    }
    if (d->toff.s[0] < 0 || d->ist.s[0] != 1 || d->ost.s[0] != 1) {
        snprintf(rw->why, sizeof rw->why, "dim 0 is not resampled with unit strides (strides %lld / %lld)",
                 (long long)d->ist.s[0], (long long)d->ost.s[0]);
        return;
    }
    if (d->toff.s[1] < 0 || d->toff.s[2] >= 0 || d->toff.s[3] >= 0 || d->toff.s[4] >= 0) {
        snprintf(rw->why, sizeof rw->why, "not a pass along dims 0 and 1 alone (2-D W and H)");
        return;
    }
    if (p->taps[0] > 32 || p->taps[1] > 32) {
        snprintf(rw->why, sizeof rw->why, "%d x %d taps (> 32 along an axis)", p->taps[0], p->taps[1]);
        return;
    }
    if (d->osz.s[0] > INT32_MAX || rs_rows_w_wide(p)) {
        snprintf(rw->why, sizeof rw->why, "rows of %lld outputs: the kernel's column indices are 32-bit",
                 (long long)d->osz.s[0]);
        return;
    }
    const int64_t n1 = d->osz.s[1], st1 = d->ist.s[1];
    for (int64_t t = 0; t < p->taps[1] * n1; t++) {
        const cl_long e = p->idx[d->toff.s[1] + t];
        if (e >= 0 && st1 != 0 && e % st1 != 0) {
            snprintf(rw->why, sizeof rw->why, "H table entry %lld is no multiple of the row stride %lld",
                     (long long)e, (long long)st1);
            return;
        }
    }
    for (int64_t bh = ctx->tune.v.rs_rows_block < n1 ? ctx->tune.v.rs_rows_block : n1; bh >= 1; bh /= 2) {
        int64_t r = 0;
        for (int64_t o = 0; o < n1; o += bh) {
            int64_t first, count;
            rs_rows_span(p->idx, d->toff.s[1], n1, p->taps[1], st1, o, o + bh < n1 ? o + bh : n1, &first, &count);
            if (count > r) r = count;
        }
        if (r <= RS_ROWS_MAX_R) {
            rw->bh = bh;
            rw->r = r;
            rw->nblk = (n1 + bh - 1) / bh;
            return;
        }
    }
    snprintf(rw->why, sizeof rw->why, "one output row's H taps span more than %d input rows", RS_ROWS_MAX_R);
}

/* The table analysis: periods (for vper and per), contiguous taps (ctaps),
 * 32-bit words (wide), checked on the tables themselves. */
static void rs_tables_analyse(const clrs_context *ctx, rs_problem *p, const clrs_axis_taps *const *tabs, int sp,
                              const int64_t toff[3], cl_mem sm)
{
    const clrs_iter5 *d = &p->d;
    rs_shape *s = &p->s;
    /* at most rs_per_max_sums taps unrolled per work-item (P outputs x
     * folded channels x taps each): more (a 3-D bicubic x4, 4 x 64) made
     * PoCL's compiler print a warning (an unroll it gave up on) to the
     * caller's stderr */
    const int64_t max_sums = ctx->tune.v.rs_per_max_sums, n0 = d->osz.s[0];
    for (int a = 0; a < sp; a++)
        if (tabs[a] != NULL && toff[a] == d->toff.s[0]) s->iw0 = p->sd->sizes[2 + a];
    s->fold_c = clrs__iter_fold_c(d);
    /* with channels-last channels folded (stride C along dim 0), the
     * vector form's lanes are (period, channel), C vectors per phase */
    const int64_t vst = s->fold_c ? s->fold_c : 1;
    int64_t plx = 0;
    if (d->toff.s[0] >= 0 && d->ist.s[0] == vst && d->ost.s[0] == vst && p->taps[0] <= 32)
        s->vper_found = rs_find_period(p->idx, p->w, p->wsz, d->toff.s[0], n0, p->taps[0], vst, ctx->max_wg, 2, 2,
                                       &s->vp, &plx);
    if (d->toff.s[0] >= 0 && ((d->ist.s[0] == 1 && d->ost.s[0] == 1) || s->fold_c) && p->taps[0] <= 32)
        s->per_found = rs_find_period(p->idx, p->w, p->wsz, d->toff.s[0], n0, p->taps[0], d->ist.s[0], ctx->max_wg,
                                      (int)(max_sums / (p->ttot * (s->fold_c ? s->fold_c : 1))), 1, &s->per,
                                      &s->per_lx);
    /* without a period, more taps than that in all: the channels go to
     * work-items again */
    s->perc = p->ttot * s->fold_c > max_sums ? 0 : s->fold_c;
    if (p->fixed && s->perc == 3 && p->sd->dtype == CLRS_U8 && d->toff.s[0] == 0 && d->toff.s[1] < 0 &&
        d->toff.s[2] < 0 && d->toff.s[3] < 0 && d->toff.s[4] < 0 && p->n == (int64_t)p->taps[0] * n0)
        s->ctaps = rs_taps_contiguous(p->idx, n0, p->taps[0], s->iw0);
    /* 8- and 16-bit sources gathered along x as 32-bit words (-D WIDE=1):
     * with int offsets, when the buffer holds the word of the last element */
    size_t es = clrs_dtype_size(p->sd->dtype);
    if (p->narrow && (es == 1 || es == 2) && !(d->toff.s[0] < 0 && d->ist.s[0] == 1)) {
        int64_t last = p->sd->offset;
        for (int i = 0; i < p->sd->rank; i++) last += (p->sd->sizes[i] - 1) * p->sd->strides[i];
        size_t msz = 0;
        if (clGetMemObjectInfo(sm, CL_MEM_SIZE, sizeof msz, &msz, NULL) == CL_SUCCESS)
            s->wide = ((uint64_t)last * es) / 4 * 4 + 4 <= (uint64_t)msz;
    }
    rs_rows_analyse(ctx, p, &s->rows);
}

/* ---- the implementations' eligibility -------------------------------- */
#define DECLINE(...)                          \
    do {                                      \
        snprintf(why, len, __VA_ARGS__);      \
        return 1;                             \
    } while (0)

/* f32 or f16 with unit strides along dim 0 (or folded channels) and a
 * period of 1 or 2 outputs per 1 or 2 inputs (x2 up, x0.5 down): the
 * interior in explicit vectors, the rest of the row in the same work-items
 * (CPU devices: a work-item walks a whole row). f16 only where the compiler
 * converts 16 lanes at once (F16C, as on PoCL's x86 devices): elsewhere
 * the form converts lane by lane, far slower than the other kernels (Intel's
 * CPU runtime); the same bits either way (test_periodic_matches_general).
 * rs_vper=2 still forces it. */
static int rs_decline_vper(const clrs_context *ctx, const void *pr, char *why, size_t len)
{
    const rs_problem *p = pr;
    const rs_shape *s = &p->s;
    const int64_t vst = s->fold_c ? s->fold_c : 1;
    if (ctx->tune.v.rs_vper == 0) DECLINE("needs a CPU device's explicit vectors (tuning rs_vper=0)");
    if (ctx->tune.v.rs_per == 0) DECLINE("periodic forms off (tuning rs_per=0)");
    if (p->fixed || p->f64 || p->sd->dtype != p->dd->dtype ||
        (p->sd->dtype != CLRS_F32 && p->sd->dtype != CLRS_F16))
        DECLINE("%s to %s: f32 or f16 in and out only", dtype_tag(p->sd->dtype), dtype_tag(p->dd->dtype));
    if (p->d.toff.s[0] < 0) DECLINE("dim 0 is copied, not resampled");
    if (p->d.ist.s[0] != vst || p->d.ost.s[0] != vst)
        DECLINE("dim 0 has strides %lld / %lld, not %lld", (long long)p->d.ist.s[0], (long long)p->d.ost.s[0],
                (long long)vst);
    if (p->taps[0] > 32) DECLINE("%d taps along dim 0 (> 32)", p->taps[0]);
    if (p->ttot * 2 * vst > ctx->tune.v.rs_per_max_sums)
        DECLINE("%lld taps per work-item (> rs_per_max_sums %lld)", (long long)(p->ttot * 2 * vst),
                (long long)ctx->tune.v.rs_per_max_sums);
    if (!s->vper_found) DECLINE("no x2 or x0.5 period over half the row of %lld outputs", (long long)p->d.osz.s[0]);
    if (s->vp.hi - s->vp.lo < 2 * RS_VPW)
        DECLINE("periodic interior of %lld periods (< %d)", (long long)(s->vp.hi - s->vp.lo), 2 * RS_VPW);
    if (s->vp.q != vst && !vper_q2_fits(s->fold_c))
        DECLINE("x0.5 with %d folded channels: a vector's lanes span more than two loads", s->fold_c);
    if (p->sd->dtype == CLRS_F16 && ctx->tune.v.rs_vper < 2 && !clrs__device_has_f16c((clrs_context *)ctx))
        DECLINE("f16 without F16C converts lane by lane (tuning rs_vper=2 forces it)");
    return 0;
}

/* A resampled dim 0 with unit strides (or channels-last channels folded):
 * its periodic interior runs without gathers (clrs_resample_per), the rest
 * of the row in clrs_resample_per_edge. Worth it (measured, PoCL) with many
 * taps per output (bicubic, trilinear), long rows, or 8/16-bit sources;
 * not for f32 bilinear on short rows (the edge kernel's partial cache lines
 * cost more than the interior gains). */
static int rs_decline_per(const clrs_context *ctx, const void *pr, char *why, size_t len)
{
    const rs_problem *p = pr;
    const rs_shape *s = &p->s;
    const size_t es = clrs_dtype_size(p->sd->dtype);
    if (ctx->tune.v.rs_per == 0) DECLINE("periodic forms off (tuning rs_per=0)");
    if (!(p->ttot >= ctx->tune.v.rs_per_min_taps || p->d.osz.s[0] >= ctx->tune.v.rs_per_min_row || es <= 2))
        DECLINE("%lld taps per output (< rs_per_min_taps %lld), row of %lld outputs (< rs_per_min_row %lld), "
                "%zu-byte elements: does not pay",
                (long long)p->ttot, (long long)ctx->tune.v.rs_per_min_taps, (long long)p->d.osz.s[0],
                (long long)ctx->tune.v.rs_per_min_row, es);
    if (p->d.toff.s[0] < 0) DECLINE("dim 0 is copied, not resampled");
    if (!((p->d.ist.s[0] == 1 && p->d.ost.s[0] == 1) || s->fold_c))
        DECLINE("dim 0 has strides %lld / %lld, neither 1 nor folded channels", (long long)p->d.ist.s[0],
                (long long)p->d.ost.s[0]);
    if (p->taps[0] > 32) DECLINE("%d taps along dim 0 (> 32)", p->taps[0]);
    if (!s->per_found)
        DECLINE("row of %lld outputs: no periodic interior over half of it (P <= %d, %lld taps in all at most)",
                (long long)p->d.osz.s[0], RS_PER_MAX_P, (long long)ctx->tune.v.rs_per_max_sums);
    return 0;
}

/* uint8 RGB along W alone without a period (an image's W pass): every
 * output's taps as consecutive pixels. Its loads are unaligned, which
 * OpenCL devices need not support: CPU devices, as the explicit-vector
 * forms. */
static int rs_decline_ctaps(const clrs_context *ctx, const void *pr, char *why, size_t len)
{
    const rs_problem *p = pr;
    if (ctx->tune.v.rs_vper == 0) DECLINE("needs a CPU device's unaligned loads (tuning rs_vper=0)");
    if (!p->fixed || p->sd->dtype != CLRS_U8 || p->s.perc != 3)
        DECLINE("not a uint8 pass of 3 folded channels-last channels");
    if (p->d.toff.s[0] != 0 || p->d.toff.s[1] >= 0 || p->d.toff.s[2] >= 0 || p->d.toff.s[3] >= 0 ||
        p->d.toff.s[4] >= 0)
        DECLINE("not a pass along dim 0 alone");
    if (!p->s.ctaps)
        DECLINE("some output's %d taps are not consecutive pixels inside a row of %lld", p->taps[0],
                (long long)p->s.iw0);
    return 0;
}

/* uint8 RGB along W with 32-bit word loads: two aligned words per tap. */
static int rs_decline_u8rgb_wide(const clrs_context *ctx, const void *pr, char *why, size_t len)
{
    (void)ctx;
    const rs_problem *p = pr;
    if (!p->fixed || p->sd->dtype != CLRS_U8 || p->s.perc != 3)
        DECLINE("not a uint8 pass of 3 folded channels-last channels");
    if (p->d.toff.s[0] < 0 || p->d.toff.s[1] >= 0 || p->d.toff.s[2] >= 0 || p->d.toff.s[3] >= 0 ||
        p->d.toff.s[4] >= 0)
        DECLINE("not a pass along dim 0 alone");
    if (!p->s.wide) DECLINE("no 32-bit word loads (64-bit offsets, or the buffer ends inside the last word)");
    return 0;
}

static int rs_decline_perc(const clrs_context *ctx, const void *pr, char *why, size_t len)
{
    const rs_problem *p = pr;
    if (p->s.fold_c == 0) DECLINE("dim 1 is not 2..8 unit-stride channels-last channels");
    if (p->s.perc == 0)
        DECLINE("%lld taps x %d channels per work-item (> rs_per_max_sums %lld)", (long long)p->ttot, p->s.fold_c,
                (long long)ctx->tune.v.rs_per_max_sums);
    return 0;
}

/* Both axes of a 2-D pass with unit strides along W (NCHW and other
 * planar layouts): W's sums once per input row (a work-item's private
 * array), not once per output row and H tap (clrs_resample_rows). The non-integer factors
 * the periodic forms decline (128 -> 181, x0.75, x1.33) gathered every W
 * tap again for each output row in the general kernel. Off where
 * unmeasured (tuning rs_rows_block=0: GPUs). */
static int rs_decline_rows(const clrs_context *ctx, const void *pr, char *why, size_t len)
{
    (void)ctx;
    const rs_problem *p = pr;
    if (p->s.rows.bh == 0) DECLINE("%s", p->s.rows.why);
    return 0;
}

/* ---- the implementations' launches ----------------------------------- */
/* A chosen implementation's configuration: its -D values and grid. */
typedef struct rs_conf {
    int per, perq, perc, edge, vper, edgev, wide, exact0, ctaps;
    int64_t eb[2];       /* EDGEV: each end's first input */
    int vbt;             /* VPER: the reference's first kept tap */
    char *vrels;         /* VPER: "VRELS=..." and "VDROPS=..." items, malloc'ed */
    char *vdrops;
    size_t g[3], l;      /* global sizes, local size along dim 0 */
    cl_long8 osz, toff;  /* the kernel's osz / toff (s5..s7 carry the form's values) */
    int per_groups;      /* enqueue as the periodic interior (rows join by rs_per_rows_cap) */
    int rows, rows_r, rows_bh; /* the rows form: ROWS = rows_r, RBH = rows_bh */
} rs_conf;

typedef struct rs_impl {
    clrs_impl base;
    const char *program, *kernel;
    /* the configuration (may rewrite the tables: ctaps) */
    clrs_status (*config)(clrs_context *ctx, rs_problem *p, rs_conf *c);
} rs_impl;

/* The defaults: a work-item per output (the general kernel's). */
static void conf_general(const rs_problem *p, rs_conf *c)
{
    c->exact0 = p->exact0;
    c->wide = p->s.wide;
    c->perc = p->s.perc;
    c->g[0] = (size_t)p->d.osz.s[0];
    c->g[1] = c->perc ? 1 : (size_t)p->d.osz.s[1];
    c->g[2] = (size_t)(p->d.osz.s[2] * p->d.osz.s[3] * p->d.osz.s[4]);
    c->l = p->lx;
    c->osz = p->d.osz;
    c->toff = p->d.toff;
}

/* perc, u8rgb_wide: the channels-last channels folded into the work-item */
static clrs_status rs_config_folded(clrs_context *ctx, rs_problem *p, rs_conf *c)
{
    (void)ctx;
    conf_general(p, c);
    return CLRS_OK;
}

/* general: a work-item per output element, never folded (clrs_resample is
 * built only without PERC), so that it takes every call, also when the
 * entries before it are disabled */
static clrs_status rs_config_general(clrs_context *ctx, rs_problem *p, rs_conf *c)
{
    (void)ctx;
    conf_general(p, c);
    c->perc = 0;
    c->g[1] = (size_t)p->d.osz.s[1];
    return CLRS_OK;
}

static clrs_status rs_config_ctaps(clrs_context *ctx, rs_problem *p, rs_conf *c)
{
    conf_general(p, c);
    c->ctaps = 1;
    return rs_contiguous_taps(ctx, &p->idx, &p->w, &p->n, p->d.osz.s[0], &p->taps[0], p->s.iw0);
}

static clrs_status rs_config_per(clrs_context *ctx, rs_problem *p, rs_conf *c)
{
    (void)ctx;
    const rs_period *per = &p->s.per;
    conf_general(p, c);
    c->exact0 = 1;
    c->wide = 0;
    c->perc = p->s.fold_c;
    c->per = per->p;
    c->perq = per->q;
    c->osz.s[5] = per->mref;
    c->osz.s[6] = per->mlo;
    c->g[0] = (size_t)per->len;
    c->g[1] = c->perc ? 1 : (size_t)p->d.osz.s[1];
    c->l = (size_t)p->s.per_lx;
    c->per_groups = 1;
    return CLRS_OK;
}

/* The outputs around the periodic interior (after it): work-items along
 * dim 1 (rows), each computing its row's edge outputs (guarded unless the
 * work-group size divides the rows). */
static void rs_conf_per_edge(const clrs_context *ctx, const rs_problem *p, rs_conf *c)
{
    const rs_period *per = &p->s.per;
    memset(c, 0, sizeof *c);
    conf_general(p, c);
    c->l = clrs__wg_x(ctx, (size_t)ctx->tune.v.rs_lx, p->d.osz.s[1], &c->exact0);
    c->wide = 0;
    c->perc = 0;
    c->perq = 1;
    c->edge = (int)per->nb;
    c->osz.s[5] = per->bl;
    c->osz.s[7] = per->eb;
    c->g[0] = (size_t)p->d.osz.s[1];
    c->g[1] = 1;
}

static clrs_status rs_config_vper(clrs_context *ctx, rs_problem *p, rs_conf *c)
{
    const rs_period *vp = &p->s.vp;
    const int perc = p->s.fold_c;
    const int64_t vst = perc ? perc : 1, n0 = p->d.osz.s[0];
    conf_general(p, c);
    c->exact0 = 1;
    c->wide = 0;
    c->perc = perc;
    c->vper = vp->p;
    c->perq = (int)(vp->q / vst);
    /* each end of the row outside the interior (at most 16 outputs) with
     * all its taps in 16 consecutive inputs: computed as one vector whose
     * lanes pick their taps from one load (-D EDGEV; the first input of
     * the 16 in toff.s5 (start) and s6 (end)), not output by output; only
     * with many taps at an end (rs_edgev_min_sums) */
    if (!perc) {
        const int64_t iw = p->s.iw0, nh = vp->p * vp->lo, nt = n0 - vp->p * vp->hi;
        c->edgev = iw >= 16 && n0 >= 16 && nh <= 16 && nt <= 16 &&
                   (nh > nt ? nh : nt) * p->ttot >= ctx->tune.v.rs_edgev_min_sums;
        for (int end = 0; end < 2 && c->edgev; end++) {
            const int64_t o0 = end ? n0 - nt : 0, o1 = end ? n0 : nh;
            int64_t lo = INT64_MAX, hi = -1;
            for (int t = 0; t < p->taps[0]; t++)
                for (int64_t o = o0; o < o1; o++) {
                    const int64_t j = p->idx[p->d.toff.s[0] + t * n0 + o];
                    if (j < 0) continue;
                    if (j < lo) lo = j;
                    if (j > hi) hi = j;
                }
            if (hi < 0) lo = hi = 0;
            c->eb[end] = lo < iw - 16 ? lo : iw - 16;
            if (hi - c->eb[end] >= 16) c->edgev = 0;
        }
    }
    /* the vector form's reference taps as compile-time offsets from the
     * first kept tap of its phase 0 (tap VBT), dropped taps as flags (-D
     * VRELS, VDROPS; see clrs_rs_vsum) */
    const int64_t e0 = p->d.toff.s[0] + vp->p * vp->mref;
    int vbt = 0;
    while (vbt < p->taps[0] - 1 && p->idx[e0 + vbt * n0] < 0) vbt++;
    const int64_t base = p->idx[e0 + vbt * n0];
    const size_t cap = (size_t)(vp->p * p->taps[0]) * 24 + 16;
    char *rel = malloc(cap), *drop = malloc(cap);
    if (rel == NULL || drop == NULL) {
        free(rel);
        free(drop);
        return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "vector-form options");
    }
    size_t lr = (size_t)snprintf(rel, cap, "VRELS="), ld = (size_t)snprintf(drop, cap, "VDROPS=");
    for (int r = 0; r < vp->p; r++)
        for (int tp = 0; tp < p->taps[0]; tp++) {
            const int64_t j = p->idx[e0 + tp * n0 + r];
            lr += (size_t)snprintf(rel + lr, cap - lr, "%s%lld", r + tp ? "," : "",
                                   (long long)(j < 0 || base < 0 ? 0 : j - base));
            ld += (size_t)snprintf(drop + ld, cap - ld, "%s%d", r + tp ? "," : "", j < 0);
        }
    c->vbt = vbt;
    c->vrels = rel;
    c->vdrops = drop;
    /* per row: a work-item per whole chunk of RS_VPW periods */
    c->osz.s[5] = vp->mref;
    c->osz.s[6] = vp->lo;
    c->osz.s[7] = vp->hi;
    c->toff.s[5] = c->eb[0];
    c->toff.s[6] = c->eb[1];
    c->g[0] = 1;
    c->g[1] = perc ? 1 : (size_t)p->d.osz.s[1];
    c->l = 1;
    return CLRS_OK;
}

/* rows: the tables get two more parts (rs_rows_analyse's blocks): at
 * toff.s5 each H tap's input row relative to its block's first (-1
 * dropped), tap-major as the H table; at toff.s6 per block its first row's
 * source offset and its row count. Weights 0 there (unread). */
static clrs_status rs_config_rows(clrs_context *ctx, rs_problem *p, rs_conf *c)
{
    const rs_rows *rw = &p->s.rows;
    const clrs_iter5 *d = &p->d;
    const int64_t n1 = d->osz.s[1], st1 = d->ist.s[1], T1 = p->taps[1];
    const int64_t extra = T1 * n1 + 2 * rw->nblk, n = p->n + extra;
    cl_long *ni = realloc(p->idx, (size_t)n * sizeof *ni);
    if (ni == NULL) return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "row-block tables of %lld entries", (long long)n);
    p->idx = ni;
    unsigned char *nw = realloc(p->w, (size_t)n * p->wsz);
    if (nw == NULL) return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "row-block tables of %lld entries", (long long)n);
    p->w = nw;
    memset(p->w + (size_t)p->n * p->wsz, 0, (size_t)extra * p->wsz);
    const int64_t rel = p->n, blk = p->n + T1 * n1;
    for (int64_t b = 0; b < rw->nblk; b++) {
        const int64_t o0 = b * rw->bh, o1 = o0 + rw->bh < n1 ? o0 + rw->bh : n1;
        int64_t first, count;
        rs_rows_span(ni, d->toff.s[1], n1, (int)T1, st1, o0, o1, &first, &count);
        ni[blk + 2 * b] = first * st1;
        ni[blk + 2 * b + 1] = count;
        for (int64_t t = 0; t < T1; t++)
            for (int64_t o = o0; o < o1; o++) {
                const cl_long e = ni[d->toff.s[1] + t * n1 + o];
                ni[rel + t * n1 + o] = e < 0 ? -1 : (st1 ? e / st1 : 0) - first;
            }
    }
    p->n = n;
    conf_general(p, c);
    c->wide = 0;
    c->perc = 0;
    c->rows = 1;
    c->rows_r = (int)rw->r;
    c->rows_bh = (int)rw->bh;
    c->toff.s[5] = rel;
    c->toff.s[6] = blk;
    c->g[1] = (size_t)rw->nblk;
    return CLRS_OK;
}

/* The weighted family, in order (the first that accepts runs). */
enum { RS_VPER, RS_PER, RS_CTAPS, RS_U8RGB_WIDE, RS_PERC, RS_ROWS, RS_GENERAL };
static const rs_impl RS_IMPLS[] = {
    [RS_VPER] = {{"vper", CLRS_IMPL_EXACT, rs_decline_vper}, "resample_vec", "clrs_resample_vper", rs_config_vper},
    [RS_PER] = {{"per", CLRS_IMPL_EXACT, rs_decline_per}, "resample", "clrs_resample_per", rs_config_per},
    [RS_CTAPS] = {{"ctaps", CLRS_IMPL_EXACT, rs_decline_ctaps}, "resample_u8", "clrs_resample_ctaps", rs_config_ctaps},
    [RS_U8RGB_WIDE] = {{"u8rgb_wide", CLRS_IMPL_EXACT, rs_decline_u8rgb_wide},
                       "resample_u8",
                       "clrs_resample_u8rgb_wide",
                       rs_config_folded},
    [RS_PERC] = {{"perc", CLRS_IMPL_EXACT, rs_decline_perc}, "resample", "clrs_resample_perc", rs_config_folded},
    [RS_ROWS] = {{"rows", CLRS_IMPL_EXACT, rs_decline_rows}, "resample", "clrs_resample_rows", rs_config_rows},
    [RS_GENERAL] = {{"general", CLRS_IMPL_EXACT, NULL}, "resample", "clrs_resample", rs_config_general},
};
CLRS_IMPL_LIST(clrs__impls_resample, "resample", RS_IMPLS);

/* Every weighted kernel's -D options (all flags, whatever the kernel). */
static char *rs_options(const rs_problem *p, const rs_conf *c)
{
    const char *acc = p->fixed ? "int" : p->f64 ? "double" : "float";
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "SRC=%s", dtype_tag(p->sd->dtype));
    clrs__opts_def(&o, "DST=%s", dtype_tag(p->dd->dtype));
    clrs__opts_def(&o, "ACC=%s", acc);
    clrs__opts_def(&o, "WT=%s", acc);
    clrs__opts_def(&o, "FIXED=%d", p->fixed);
    for (int k = 0; k < 5; k++) clrs__opts_def(&o, "T%d=%d", k, p->taps[k]);
    clrs__opts_def(&o, "DROP=%d", p->drop);
    engine_defines(&o, &p->d, p->narrow, c->exact0);
    clrs__opts_def(&o, "WIDE=%d", c->wide);
    clrs__opts_def(&o, "PER=%d", c->per);
    clrs__opts_def(&o, "PERQ=%d", c->perq);
    clrs__opts_def(&o, "PERC=%d", c->perc);
    clrs__opts_def(&o, "EDGE=%d", c->edge);
    clrs__opts_def(&o, "VPER=%d", c->vper);
    clrs__opts_def(&o, "EDGEV=%d", c->edgev);
    if (c->vrels != NULL) {
        clrs__opts_def(&o, "VBT=%d", c->vbt);
        clrs__opts_def(&o, "%s", c->vrels);
        clrs__opts_def(&o, "%s", c->vdrops);
    }
    if (c->ctaps) clrs__opts_def(&o, "CTAPS=1");
    if (c->rows) { /* only when on, as CTAPS */
        clrs__opts_def(&o, "ROWS=%d", c->rows_r);
        clrs__opts_def(&o, "RBH=%d", c->rows_bh);
    }
    if (p->u8rte) clrs__opts_def(&o, "U8RTE=1"); /* only when on: other programs keep their -D strings */
    return clrs__opts_take(&o);
}

/* Build and launch one configured kernel. */
static clrs_status rs_launch(clrs_context *ctx, cl_command_queue q, const rs_problem *p, const rs_conf *c,
                             const char *program, const char *kernel, cl_mem sm, cl_mem dm, cl_mem im, cl_mem wm,
                             cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    char *opts = rs_options(p, c);
    if (opts == NULL) return clrs__fail(ctx, CLRS_ERR_INTERNAL, "resampling kernel options could not be built");
    cl_kernel k = NULL;
    clrs_status st = clrs__get_kernel(ctx, program, opts, kernel, &k);
    free(opts);
    if (st != CLRS_OK) return st;
    cl_long so = p->sd->offset, doff = p->dd->offset;
    cl_int pr = p->prec;
    clrs_kargs a = clrs__kargs(ctx, k);
    CLRS_KARG(&a, sm);
    CLRS_KARG(&a, so);
    CLRS_KARG(&a, dm);
    CLRS_KARG(&a, doff);
    CLRS_KARG(&a, im);
    CLRS_KARG(&a, wm);
    CLRS_KARG(&a, c->osz);
    CLRS_KARG(&a, p->d.ost);
    CLRS_KARG(&a, p->d.ist);
    CLRS_KARG(&a, c->toff);
    CLRS_KARG(&a, pr);
    st = a.st;
    if (st == CLRS_OK && c->per_groups) {
        /* the periodic kernel has no guard along dim 1 either: work-groups
         * of up to rs_per_rows_cap items take rows too (a divisor of their
         * count), fewer groups where a row has few periods */
        size_t kmax = 0, l = c->l;
        if (!clrs__kernel_wg(ctx, k, &kmax)) kmax = l;
        if (l > kmax) { /* a kernel limit below the device's: a divisor of len */
            l = 1;
            for (size_t v = kmax; v > 1 && l == 1; v--)
                if (c->g[0] % v == 0) l = v;
        }
        size_t lsz[3] = {l, clrs__wg_rows(l, c->g[1], (size_t)ctx->tune.v.rs_per_rows_cap, kmax, 1), 1};
        st = clrs__enqueue_kernel_local(ctx, q, k, 3, c->g, lsz, nwait, wait, ev);
    } else if (st == CLRS_OK) {
        st = clrs__enqueue_rows(ctx, q, k, c->g, c->l, (size_t)ctx->tune.v.rs_rows_cap, nwait, wait, ev);
    }
    if (k != NULL) clReleaseKernel(k);
    return st;
}

clrs_status clrs__rs_pass(clrs_context *ctx, cl_command_queue q, const clrs_tensor_desc *sd, cl_mem sm,
                          const clrs_tensor_desc *dd, cl_mem dm, const clrs_axis_taps *const *tabs, int sp, int fixed,
                          cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    return clrs__rs_pass_ex(ctx, q, sd, sm, dd, dm, tabs, sp, fixed, NULL, nwait, wait, ev);
}

clrs_status clrs__rs_pass_ex(clrs_context *ctx, cl_command_queue q, const clrs_tensor_desc *sd, cl_mem sm,
                             const clrs_tensor_desc *dd, cl_mem dm, const clrs_axis_taps *const *tabs, int sp,
                             int fixed, const clrs_rs_opts *xo, cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    rs_problem p;
    memset(&p, 0, sizeof p);
    p.u8rte = xo != NULL && xo->u8_rte && !fixed && dd->dtype == CLRS_U8;
    p.sd = sd;
    p.dd = dd;
    p.fixed = fixed;
    p.f64 = sd->dtype == CLRS_F64 || dd->dtype == CLRS_F64;
    int64_t toff[3] = {-1, -1, -1};
    clrs_status st = rs_tables_build(ctx, &p, tabs, sp, toff);
    if (st != CLRS_OK) {
        free(p.idx);
        free(p.w);
        return st;
    }
    clrs__iter_sorted(sd, dd, toff, &p.d);
    clrs__iter_lanes(&p.d);
    p.narrow = clrs__iter_fits_int(&p.d, p.max_tab);
    p.lx = clrs__wg_x(ctx, (size_t)ctx->tune.v.rs_lx, p.d.osz.s[0], &p.exact0);
    /* taps per iteration dim: find which spatial axis each landed on */
    for (int k = 0; k < 5; k++) {
        p.taps[k] = 1;
        for (int a = 0; a < sp; a++)
            if (tabs[a] != NULL && p.d.toff.s[k] == toff[a] && p.d.osz.s[k] == tabs[a]->out) p.taps[k] = tabs[a]->taps;
    }
    p.ttot = (int64_t)p.taps[0] * p.taps[1] * p.taps[2] * p.taps[3] * p.taps[4];
    rs_tables_analyse(ctx, &p, tabs, sp, toff, sm);

    const int which = CLRS_PICK(ctx, "resample", RS_IMPLS, &p);
    const rs_impl *im = which >= 0 ? &RS_IMPLS[which] : NULL;
    rs_conf c;
    memset(&c, 0, sizeof c);
    st = im != NULL ? im->config(ctx, &p, &c) : CLRS_ERR_INTERNAL; /* (recorded by the pick) */
    cl_mem idxm = NULL, wm = NULL;
    if (st == CLRS_OK) {
        if (p.narrow) narrow_tables(p.idx, p.n); /* int entries, in place */
        st = clrs__make_buffer(ctx, p.idx, (size_t)p.n * (p.narrow ? sizeof(cl_int) : sizeof(cl_long)), &idxm);
        if (st == CLRS_OK) st = clrs__make_buffer(ctx, p.w, (size_t)p.n * p.wsz, &wm);
    }
    free(p.idx);
    free(p.w);
    /* the periodic interior's edges (after it) in a second launch */
    const int edges = st == CLRS_OK && which == RS_PER && p.s.per.nb != 0;
    cl_event first = NULL;
    if (st == CLRS_OK)
        st = rs_launch(ctx, q, &p, &c, im->program, im->kernel, sm, dm, idxm, wm, nwait, wait, edges ? &first : ev);
    if (st == CLRS_OK && edges) {
        rs_conf e;
        rs_conf_per_edge(ctx, &p, &e);
        clrs__dispatch_chosen("resample", "per_edge");
        st = rs_launch(ctx, q, &p, &e, "resample", "clrs_resample_per_edge", sm, dm, idxm, wm, 1, &first, ev);
    }
    free(c.vrels);
    free(c.vdrops);
    if (first) clReleaseEvent(first);
    if (idxm) clReleaseMemObject(idxm);
    if (wm) clReleaseMemObject(wm);
    return st;
}
