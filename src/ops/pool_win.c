/* SPDX-License-Identifier: MIT */
/* The window pooling forms (program "pool_win", cl/pool_win.cl) for large
 * outputs: each an entry of pool.c's list, a decline() and a launch.
 *   win_pc      max / avg, 2..7 channels-last channels per work-item
 *   win         max / avg with a compile-time 2-D window
 *   aavg_cl_pc  adaptive avg, channels-last f32 with 2..7 channels
 *   aavg_cl     adaptive avg, channels-last f32, C a multiple of 8
 *   aavg_row    adaptive avg into rows along W */
#include <stdio.h>

#include "pool_impl.h"

/* Window sizes the row form unrolls (kernel limits: AOW output and AIW
 * input columns per row, all compile-time). */
#define AAVG_ROW_MAX_OW 16
#define AAVG_ROW_MAX_IW 512

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

#define DECLINE(...)                         \
    do {                                     \
        snprintf(why, len, __VA_ARGS__);     \
        return 1;                            \
    } while (0)

/* Large enough to pay for a specialised build: outputs, or (where `or_input`)
 * a large input with few outputs. */
static int too_small(const clrs_context *ctx, const clrs_pool_problem *pb, int or_input, char *why, size_t len)
{
    const int64_t n = pb->plan->numel_out, nin = clrs_tensor_desc_numel(pb->in);
    if (n >= ctx->tune.v.pool_full_min_output || (or_input && nin >= ctx->tune.v.pool_aavg_row_min_input)) return 0;
    if (or_input)
        snprintf(why, len, "output of %lld elements < pool_full_min_output %lld and input of %lld < pool_aavg_row_min_input %lld",
                 (long long)n, (long long)ctx->tune.v.pool_full_min_output, (long long)nin,
                 (long long)ctx->tune.v.pool_aavg_row_min_input);
    else
        snprintf(why, len, "output of %lld elements < pool_full_min_output %lld", (long long)n,
                 (long long)ctx->tune.v.pool_full_min_output);
    return 1;
}

/* ---- max / avg with a compile-time 2-D window ------------------------------ */
/* Max (no |x| transform) and avg pooling with a window on H and W only
 * (the depth axis, if any, is not pooled). */
static int win_declines(const clrs_context *ctx, const clrs_pool_problem *pb, char *why, size_t len)
{
    const clrs_pool_plan *plan = pb->plan;
    if (!((pb->algo == A_MAX && pb->xform == 0) || pb->algo == A_AVG)) DECLINE("not max (without |x|) or avg");
    if (too_small(ctx, pb, 0, why, len)) return 1;
    if (plan->k3[0] != 1 || plan->s3[0] != 1 || plan->p3[0] != 0 || plan->d3[0] != 1) DECLINE("a window along depth");
    int64_t taps;
    if (__builtin_mul_overflow(plan->k3[1], plan->k3[2], &taps) || taps > ctx->tune.v.pool_win_max_taps)
        DECLINE("window of %lld x %lld taps > pool_win_max_taps %lld", (long long)plan->k3[1], (long long)plan->k3[2],
                (long long)ctx->tune.v.pool_win_max_taps);
    for (int a = 1; a < 3; a++)
        if (plan->s3[a] > 1024 || plan->d3[a] > 1024) DECLINE("stride or dilation > 1024");
    return 0;
}

/* max / avg over channels-last with fewer than 8 channels: lanes along W
 * instead (too few channels to vectorise over); win_pc (2..7 channels in
 * the usual strides) takes the C channels of its output per work-item with
 * the strides compile-time (-D PC; a runtime stride C kept PoCL on its
 * scalar loop). */
static int win_cl_order(const clrs_pool_problem *pb)
{
    return clrs__iter_channels_last(pb->out) && pb->out->sizes[1] >= 8;
}

static int win_pc_channels(const clrs_pool_problem *pb)
{
    const int64_t c = pb->out->sizes[1];
    const cl_long8 *ist = &pb->ist, *ost = &pb->ost, *xst = &pb->xst;
    if (win_cl_order(pb) || !clrs__iter_channels_last(pb->out) || c < 2 || c > 8 || ist->s[1] != 1 ||
        ist->s[4] != c || ost->s[1] != 1 || ost->s[4] != c || (pb->with_idx && (xst->s[1] != 1 || xst->s[4] != c)))
        return 0;
    return (int)c;
}

int clrs__pool_win_pc_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    const clrs_pool_problem *pb = problem;
    if (win_declines(ctx, pb, why, len)) return 1;
    if (win_pc_channels(pb) == 0) DECLINE("not channels-last with 2..7 channels of unit stride");
    return 0;
}

int clrs__pool_win_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    return win_declines(ctx, problem, why, len);
}

/* The launch shared by the window kernels: x (work-item dimension 0) runs
 * over g[0] items; `local` lets a short x take more rows into its group. */
static clrs_status win_launch(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu, clrs_opts *o,
                              const char *kernel, const size_t g[3], int local)
{
    const clrs_tensor_desc *in = pb->in, *out = pb->out;
    clrs__opts_def(o, "%s", clrs__pool_dtype_define(in->dtype));
    clrs__opts_def(o, "OFF32=%d", clrs__iter_tensors_fit_int(pb->t, pb->nt));
    cl_kernel k = NULL;
    clrs_status st = clrs__pool_get_kernel(ctx, "pool_win", o, 1, kernel, &k);
    if (st != CLRS_OK) return st;
    cl_long soff = in->offset, doff = out->offset, xoff = pb->with_idx ? pb->t[2].desc.offset : 0;
    cl_long divisor = pb->algo == A_AVG ? pb->plan->divisor_override : 0;
    cl_mem nomem = NULL;
    cl_mem xm = pb->with_idx ? pb->t[2].mem : nomem;
    /* isz.s6, s7: the input tensor's element range [offset, extent) in
     * its buffer (the vector form's checked rows read whole vectors inside
     * it, see clrs_win_row; not the whole buffer, which may hold the
     * output too) */
    cl_long8 iszb = pb->isz, osz = pb->osz, ist = pb->ist, ost = pb->ost, xst = pb->xst;
    iszb.s[6] = (cl_long)in->offset;
    iszb.s[7] = (cl_long)clrs__desc_extent(in);
    clrs_kargs a = clrs__kargs(ctx, k);
    CLRS_KARG(&a, pb->t[0].mem);
    CLRS_KARG(&a, soff);
    CLRS_KARG(&a, pb->t[1].mem);
    CLRS_KARG(&a, doff);
    CLRS_KARG(&a, xm);
    CLRS_KARG(&a, xoff);
    CLRS_KARG(&a, iszb);
    CLRS_KARG(&a, osz);
    CLRS_KARG(&a, ist);
    CLRS_KARG(&a, ost);
    CLRS_KARG(&a, xst);
    CLRS_KARG(&a, divisor);
    st = a.st;
    const size_t grp = (size_t)ctx->tune.v.pool_win_group;
    if (st == CLRS_OK && local && g[0] <= grp && g[0] <= ctx->max_wg) {
        /* x runs over a few vectors (channel vectors channels-last, 16-wide
         * output vectors of a short row), so the work-group (exactly those
         * along x) takes output columns or rows too, pool_win_group items
         * in all: an x-only group of lx leaves most of its items idle there
         * (not the adaptive row form's (oh, c, n) grid, which is slower so) */
        const size_t lsz[3] = {g[0], clrs__wg_rows(g[0], g[1], grp, ctx->max_wg, 0), 1};
        st = clrs__enqueue_kernel_local(ctx, qu->q, k, 3, g, lsz, qu->nwait, qu->wait, qu->ev);
    } else if (st == CLRS_OK) {
        st = clrs__enqueue_kernel(ctx, qu->q, k, 3, g, qu->nwait, qu->wait, qu->ev);
    }
    if (k != NULL) clReleaseKernel(k);
    return st;
}

/* pc: 0 ("win") or the channels per work-item ("win_pc") */
static clrs_status win_max_avg_launch(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu, int pc)
{
    const clrs_pool_plan *plan = pb->plan;
    const int cl_order = win_cl_order(pb), algo = pb->algo, f32 = pb->in->dtype == CLRS_F32;
    const cl_long8 *ist = &pb->ist, *osz = &pb->osz, *ost = &pb->ost, *xst = &pb->xst;
    const int64_t cap = ctx->tune.v.pool_vw;
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "ALGO=%d", algo);
    clrs__opts_def(&o, "ORDER=%d", cl_order);
    clrs__opts_def(&o, "PC=%d", pc);
    clrs__opts_def(&o, "KH=%lld", (long long)plan->k3[1]);
    clrs__opts_def(&o, "KW=%lld", (long long)plan->k3[2]);
    clrs__opts_def(&o, "SH=%lld", (long long)plan->s3[1]);
    clrs__opts_def(&o, "SW=%lld", (long long)plan->s3[2]);
    clrs__opts_def(&o, "PH=%lld", (long long)plan->p3[1]);
    clrs__opts_def(&o, "PW=%lld", (long long)plan->p3[2]);
    if (algo == A_MAX) {
        clrs__opts_def(&o, "DH=%lld", (long long)plan->d3[1]);
        clrs__opts_def(&o, "DW=%lld", (long long)plan->d3[2]);
        clrs__opts_def(&o, "IDX=%d", pb->with_idx);
    } else {
        clrs__opts_def(&o, "CIP=%d", plan->count_include_pad);
    }
    /* f32 with x contiguous in the input, output and indices: vectors of
     * 16 outputs per work-item (8 on short rows), at most pool_vw (1 gives
     * the scalar form, which .ci/reliability.sh needs for Oclgrind's
     * uninitialized-value plugin: it crashes on the unoptimised vector
     * de-interleave) */
    const int ax = cl_order ? 1 : 4;
    int vw = 1;
    if (f32 && ist->s[ax] == 1 && ost->s[ax] == 1 && (!pb->with_idx || xst->s[ax] == 1))
        vw = osz->s[ax] >= 16 ? 16 : osz->s[ax] >= 8 ? 8 : 1;
    if (vw > cap) vw = cap >= 8 ? 8 : 1;
    /* f32 channels-last with 2..7 channels: 16 pixels per work-item in C
     * vectors, each vector's taps read with two loads and a permute
     * (clrs_win_pcv), where every vector's span fits in 32 elements */
    if (pc && f32 && osz->s[4] >= 16 && pcv_spans_fit(pc, plan->s3[2]) && cap >= 16) vw = 16;
    clrs__opts_def(&o, "VW=%d", vw);
    /* rows (along x) that end in a partial vector */
    if (vw > 1 && osz->s[ax] % vw != 0) clrs__opts_def(&o, "TAIL=1");
    size_t g[3];
    clrs__iter_grid(osz, cl_order, g);
    g[0] = (g[0] + (size_t)vw - 1) / (size_t)vw;
    if (pc) g[2] /= (size_t)pc; /* (od, n): the channels are the work-item's */
    return win_launch(ctx, pb, qu, &o, "clrs_pool_win", g, 1);
}

clrs_status clrs__pool_win_pc_launch(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu)
{
    return win_max_avg_launch(ctx, pb, qu, win_pc_channels(pb));
}

clrs_status clrs__pool_win_launch(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu)
{
    return win_max_avg_launch(ctx, pb, qu, 0);
}

/* ---- adaptive avg ------------------------------------------------------- */
static int aavg_declines(const clrs_context *ctx, const clrs_pool_problem *pb, int or_input, char *why, size_t len)
{
    if (pb->algo != A_AAVG) DECLINE("not adaptive avg");
    if (pb->in->dtype != CLRS_F32) DECLINE("not f32");
    if (pb->plan->in3[0] != 1 || pb->plan->out3[0] != 1) DECLINE("a depth axis");
    return too_small(ctx, pb, or_input, why, len);
}

/* Channels-last f32 with 2..7 channels, unit channel stride and pixels of
 * C elements in both tensors (images): a work-item per output pixel sums
 * its window's rows as runs of 16-wide vectors. */
int clrs__pool_aavg_cl_pc_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    const clrs_pool_problem *pb = problem;
    const clrs_tensor_desc *in = pb->in, *out = pb->out;
    const int64_t c = in->sizes[1];
    if (aavg_declines(ctx, pb, 1, why, len)) return 1;
    if (in->rank != 4) DECLINE("not 4-D");
    if (!clrs__iter_channels_last(out) || c < 2 || c > 7 || in->strides[1] != 1 || in->strides[3] != c ||
        out->strides[1] != 1)
        DECLINE("not channels-last f32 with 2..7 channels of unit stride");
    return 0;
}

clrs_status clrs__pool_aavg_cl_pc_launch(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu)
{
    const cl_long8 *osz = &pb->osz;
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "ALGO=%d", A_AAVG);
    clrs__opts_def(&o, "ORDER=1");
    clrs__opts_def(&o, "PC=%d", (int)pb->out->sizes[1]);
    clrs__opts_def(&o, "VW=16");
    const size_t g[3] = {(size_t)osz->s[4], (size_t)osz->s[3], (size_t)osz->s[0]}; /* (ow, oh, n); depth is 1 */
    return win_launch(ctx, pb, qu, &o, "clrs_pool_aavg_cl_pc", g, 0);
}

/* Channels-last f32, C a multiple of 8, both tensors contiguous along C:
 * vectors along C. */
int clrs__pool_aavg_cl_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    const clrs_pool_problem *pb = problem;
    const clrs_tensor_desc *in = pb->in, *out = pb->out;
    if (aavg_declines(ctx, pb, 0, why, len)) return 1;
    if (!clrs__iter_channels_last(out) || in->sizes[1] % 8 != 0 || in->strides[1] != 1 || out->strides[1] != 1)
        DECLINE("not channels-last f32 with a multiple of 8 channels of unit stride");
    return 0;
}

clrs_status clrs__pool_aavg_cl_launch(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu)
{
    const cl_long8 *osz = &pb->osz;
    const int vw = osz->s[1] % 16 == 0 ? 16 : 8;
    /* up to pool_aavg_vectors vectors (all of C up to 64) per work-item, so
     * that a window row is read as one run of whole pixels */
    int ach = (int)ctx->tune.v.pool_aavg_vectors;
    while (ach > 1 && osz->s[1] % (vw * ach) != 0) ach--;
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "ALGO=%d", A_AAVG);
    clrs__opts_def(&o, "ORDER=1");
    clrs__opts_def(&o, "PC=0");
    clrs__opts_def(&o, "ACH=%d", ach);
    clrs__opts_def(&o, "VW=%d", vw);
    size_t g[3];
    clrs__iter_grid(osz, 1, g);
    g[0] = (g[0] + (size_t)vw - 1) / (size_t)vw;
    g[0] = (g[0] + (size_t)ach - 1) / (size_t)ach;
    return win_launch(ctx, pb, qu, &o, "clrs_pool_aavg_cl", g, 1);
}

/* Into a non-channels-last f32 output whose windows are not a whole-window
 * "full" case (sizes that divide with windows of at most 4 a side): one
 * work-item per output row (n, c, oh) with the row's column windows
 * compile-time (AIW/AOW), so rows are limited in width (the taps unroll).
 * A large input with few outputs pays for the specialised build too. */
int clrs__pool_aavg_row_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    const clrs_pool_problem *pb = problem;
    const clrs_pool_plan *plan = pb->plan;
    if (aavg_declines(ctx, pb, 1, why, len)) return 1;
    if (clrs__iter_channels_last(pb->out)) DECLINE("a channels-last output");
    if (plan->out3[2] > AAVG_ROW_MAX_OW || plan->in3[2] > AAVG_ROW_MAX_IW)
        DECLINE("rows of %lld -> %lld columns (at most %d -> %d)", (long long)plan->in3[2], (long long)plan->out3[2],
                AAVG_ROW_MAX_IW, AAVG_ROW_MAX_OW);
    if (plan->in3[1] % plan->out3[1] == 0 && plan->in3[2] % plan->out3[2] == 0 && plan->in3[1] / plan->out3[1] <= 4 &&
        plan->in3[2] / plan->out3[2] <= 4)
        DECLINE("whole windows of at most 4 (the full form's)");
    return 0;
}

clrs_status clrs__pool_aavg_row_launch(clrs_context *ctx, const clrs_pool_problem *pb, const clrs_pool_queue *qu)
{
    const cl_long8 *isz = &pb->isz, *osz = &pb->osz;
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "ALGO=%d", A_AAVG);
    clrs__opts_def(&o, "ORDER=0");
    clrs__opts_def(&o, "PC=0");
    clrs__opts_def(&o, "AIW=%lld", (long long)isz->s[4]);
    clrs__opts_def(&o, "AOW=%lld", (long long)osz->s[4]);
    clrs__opts_def(&o, "AUNIT=%d", pb->ist.s[4] == 1);
    clrs__opts_def(&o, "VW=1");
    const size_t g[3] = {(size_t)osz->s[3], (size_t)osz->s[1], (size_t)osz->s[0]}; /* (oh, c, n); depth is 1 */
    return win_launch(ctx, pb, qu, &o, "clrs_pool_aavg_row", g, 0);
}
