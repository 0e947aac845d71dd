/* SPDX-License-Identifier: MIT */
/* Grid sampling (torch's F.grid_sample) and affine grids (F.affine_grid):
 * the argument checks and shape rules, and the launches of
 * cl/grid_sample.cl (program "grid_sample"). */
#include <stdio.h>
#include <string.h>

#include "pool_impl.h"

/* ---- names --------------------------------------------------------------- */
static const char *const grid_mode_names[] = {"bilinear", "nearest", "bicubic"};
static const char *const grid_pad_names[] = {"zeros", "border", "reflection"};

clrs_status clrs_grid_mode_parse(const char *name, clrs_grid_mode *mode)
{
    clrs__clear_error(NULL);
    if (name == NULL || mode == NULL) return clrs__fail(NULL, CLRS_ERR_INVALID_ARG, "clrs_grid_mode_parse: NULL argument");
    for (size_t i = 0; i < CLRS_ARRAY_LEN(grid_mode_names); i++)
        if (strcmp(name, grid_mode_names[i]) == 0) {
            *mode = (clrs_grid_mode)i;
            return CLRS_OK;
        }
    return clrs__fail(NULL, CLRS_ERR_BAD_PARAM,
                      "grid_sample: unknown mode '%s' (bilinear, nearest, bicubic)", name);
}

const char *clrs_grid_mode_name(clrs_grid_mode mode)
{
    return ((unsigned)mode < CLRS_ARRAY_LEN(grid_mode_names)) ? grid_mode_names[mode] : "invalid";
}

clrs_status clrs_grid_padding_parse(const char *name, clrs_grid_padding *padding)
{
    clrs__clear_error(NULL);
    if (name == NULL || padding == NULL)
        return clrs__fail(NULL, CLRS_ERR_INVALID_ARG, "clrs_grid_padding_parse: NULL argument");
    for (size_t i = 0; i < CLRS_ARRAY_LEN(grid_pad_names); i++)
        if (strcmp(name, grid_pad_names[i]) == 0) {
            *padding = (clrs_grid_padding)i;
            return CLRS_OK;
        }
    return clrs__fail(NULL, CLRS_ERR_BAD_PARAM,
                      "grid_sample: unknown padding_mode '%s' (zeros, border, reflection)", name);
}

const char *clrs_grid_padding_name(clrs_grid_padding padding)
{
    return ((unsigned)padding < CLRS_ARRAY_LEN(grid_pad_names)) ? grid_pad_names[padding] : "invalid";
}

void clrs_grid_sample_params_init(clrs_grid_sample_params *p)
{
    if (p == NULL) return;
    memset(p, 0, sizeof *p);
    p->struct_size = sizeof *p;
    p->mode = CLRS_GRID_BILINEAR;
    p->padding_mode = CLRS_GRID_PAD_ZEROS;
    p->align_corners = 0;
}

/* The dtypes with a DTYPE_* compute form here. */
static clrs_status grid_dtype_ok(clrs_context *ctx, const char *op, const char *what, clrs_dtype dt)
{
    if (dt != CLRS_F32 && dt != CLRS_F64 && dt != CLRS_F16 && dt != CLRS_BF16)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s: %s dtype %s is not supported (f32, f64, f16, bf16)", op, what,
                          clrs_dtype_name(dt));
    if (dt == CLRS_F64 && ctx != NULL && !ctx->fp64)
        return clrs__fail(ctx, CLRS_ERR_UNSUPPORTED, "%s: f64 needs a device with fp64 support; '%s' has none", op,
                          ctx->info.name);
    return CLRS_OK;
}

/* ---- grid_sample ----------------------------------------------------------- */
typedef struct grid_plan {
    int sp; /* spatial rank: 2 or 3 */
    int mode, pad, align;
    int planar;       /* set at enqueue: input and output channel strides exceed their spatial ones */
    int64_t channels; /* set at enqueue */
    int64_t out_sizes[CLRS_MAX_RANK];
    int64_t numel_out;
} grid_plan;

static clrs_status grid_plan_make(clrs_context *ctx, const clrs_grid_sample_params *p, const clrs_tensor_desc *in,
                                  const clrs_tensor_desc *grid, grid_plan *plan)
{
    if (p != NULL && p->struct_size != sizeof *p)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG,
                          "clrs_grid_sample_params.struct_size is %zu, expected %zu (call clrs_grid_sample_params_init)",
                          p->struct_size, sizeof *p);
    CLRS_FORWARD(clrs__check_desc(ctx, in, "input", 0));
    CLRS_FORWARD(clrs__check_desc(ctx, grid, "grid", 0));
    char isz[128], gsz[128];
    clrs__format_sizes(isz, sizeof isz, in->rank, in->sizes);
    clrs__format_sizes(gsz, sizeof gsz, grid->rank, grid->sizes);
    if (in->rank != 4 && in->rank != 5)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                          "grid_sample: expected a 4-D or 5-D input, but got input with sizes %s (rank %d)", isz,
                          in->rank);
    if (grid->rank != in->rank)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                          "grid_sample: expected %dD input and grid with same number of dimensions, but got input "
                          "with sizes %s and grid with sizes %s",
                          in->rank, isz, gsz);
    if (in->sizes[0] != grid->sizes[0])
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                          "grid_sample: expected grid and input to have same batch size, but got input with sizes "
                          "%s and grid with sizes %s",
                          isz, gsz);
    if (grid->sizes[grid->rank - 1] != in->rank - 2)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                          "grid_sample: expected grid to have size %d in last dimension, but got grid with sizes %s",
                          in->rank - 2, gsz);
    for (int i = 2; i < in->rank; i++)
        if (in->sizes[i] <= 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "grid_sample: expected input to have non-empty spatial dimensions, but input has sizes "
                              "%s with dimension %d being empty",
                              isz, i);
    if (grid->dtype != in->dtype)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE,
                          "grid_sample: expected input and grid to have the same dtype, but input has %s and grid "
                          "has %s",
                          clrs_dtype_name(in->dtype), clrs_dtype_name(grid->dtype));
    CLRS_FORWARD(grid_dtype_ok(ctx, "grid_sample", "input", in->dtype));
    memset(plan, 0, sizeof *plan);
    plan->sp = in->rank - 2;
    clrs_grid_sample_params dflt;
    if (p == NULL) {
        clrs_grid_sample_params_init(&dflt);
        p = &dflt;
    }
    if ((unsigned)p->mode > CLRS_GRID_BICUBIC)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "grid_sample: mode %d is not a clrs_grid_mode", (int)p->mode);
    if ((unsigned)p->padding_mode > CLRS_GRID_PAD_REFLECTION)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "grid_sample: padding_mode %d is not a clrs_grid_padding",
                          (int)p->padding_mode);
    if (p->align_corners != 0 && p->align_corners != 1)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "grid_sample: align_corners %d is not 0 or 1", p->align_corners);
    plan->mode = (int)p->mode;
    plan->pad = (int)p->padding_mode;
    plan->align = p->align_corners;
    plan->out_sizes[0] = in->sizes[0];
    plan->out_sizes[1] = in->sizes[1];
    for (int i = 0; i < plan->sp; i++) plan->out_sizes[2 + i] = grid->sizes[1 + i];
    plan->numel_out = 1;
    for (int i = 0; i < in->rank; i++)
        if (__builtin_mul_overflow(plan->numel_out, plan->out_sizes[i], &plan->numel_out))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "grid_sample: output element count overflows 64 bits");
    return CLRS_OK;
}

clrs_status clrs_grid_sample_output_shape(clrs_context *ctx, const clrs_tensor_desc *in, const clrs_tensor_desc *grid,
                                          int64_t out_sizes[CLRS_MAX_RANK])
{
    clrs__clear_error(ctx);
    if (out_sizes == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "grid_sample: out_sizes is NULL");
    grid_plan plan;
    CLRS_FORWARD(grid_plan_make(ctx, NULL, in, grid, &plan));
    for (int i = 0; i < CLRS_MAX_RANK; i++) out_sizes[i] = i < in->rank ? plan.out_sizes[i] : 0;
    return CLRS_OK;
}

/* "chunk": a work-item per output location and run of gs_chunk channels,
 * for planar (NCHW-like) data, where the general entry's loop over every
 * channel keeps one line of each of C planes live in a work-item (a power
 * of two apart: the same cache sets); its size is the tuning value
 * gs_chunk (0 declines). The same arithmetic per output: the same bits. "general": a work-item per output location, channels in a
 * loop (channels-last data: contiguous channel runs). */
static int chunk_decline(const clrs_context *ctx, const void *problem, char *why, size_t len)
{
    const grid_plan *pl = problem;
    if (ctx->tune.v.gs_chunk <= 0) {
        snprintf(why, len, "gs_chunk is 0 on this device");
        return 1;
    }
    if (!pl->planar) {
        snprintf(why, len, "input or output not planar (a channel stride below a spatial one)");
        return 1;
    }
    if (pl->channels < 2) {
        snprintf(why, len, "one channel");
        return 1;
    }
    return 0;
}
enum { GRID_CHUNK, GRID_GENERAL };
static const clrs_impl GRID_IMPLS[] = {
    {"chunk", CLRS_IMPL_EXACT, chunk_decline},
    {"general", 0, NULL},
};
CLRS_IMPL_LIST(clrs__impls_grid_sample, "grid_sample", GRID_IMPLS);

/* Grid strides as (N, D, H, W, coordinate), D stride 0 for a 4-D grid. */
static cl_long8 grid_strides(const clrs_tensor_desc *g)
{
    cl_long8 s;
    memset(&s, 0, sizeof s);
    s.s[0] = g->strides[0];
    if (g->rank == 5) {
        s.s[1] = g->strides[1];
        s.s[2] = g->strides[2];
        s.s[3] = g->strides[3];
        s.s[4] = g->strides[4];
    } else {
        s.s[2] = g->strides[1];
        s.s[3] = g->strides[2];
        s.s[4] = g->strides[3];
    }
    return s;
}

static clrs_status grid_get_kernel(clrs_context *ctx, clrs_dtype dt, int sp, int mode, int pad, int align,
                                   int64_t chunk, const char *name, cl_kernel *k)
{
    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "%s", clrs__pool_dtype_define(dt));
    clrs__opts_def(&o, "SPATIAL=%d", sp);
    clrs__opts_def(&o, "MODE=%d", mode);
    clrs__opts_def(&o, "PAD=%d", pad);
    clrs__opts_def(&o, "ALIGN=%d", align);
    clrs__opts_def(&o, "CHUNK=%lld", (long long)chunk);
    return clrs__pool_get_kernel(ctx, "grid_sample", &o, 1, name, k); /* exact division (linspace, reflection) */
}

static clrs_status grid_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                                cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    (void)nt;
    grid_plan pl = *(const grid_plan *)op;
    if (pl.numel_out == 0) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    const clrs_tensor_desc *in = &t[0].desc, *grid = &t[1].desc, *out = &t[2].desc;
    cl_long8 isz, ist, osz, ost, gst = grid_strides(grid);
    clrs__iter_ncdhw(in, &isz, &ist);
    clrs__iter_ncdhw(out, &osz, &ost);
    pl.channels = isz.s[1];
    pl.planar = 1;
    for (int a = 2; a < 5; a++)
        if ((isz.s[a] > 1 && ist.s[1] < ist.s[a]) || (osz.s[a] > 1 && ost.s[1] < ost.s[a])) pl.planar = 0;
    int impl = CLRS_PICK(ctx, "grid_sample", GRID_IMPLS, &pl);
    if (impl < 0) return CLRS_ERR_INTERNAL;
    int64_t chunk = impl == GRID_CHUNK ? ctx->tune.v.gs_chunk : 0;
    if (chunk > isz.s[1]) chunk = isz.s[1];
    cl_kernel k = NULL;
    clrs_status st = grid_get_kernel(ctx, in->dtype, pl.sp, pl.mode, pl.pad, pl.align, chunk, "clrs_grid_sample", &k);
    if (st != CLRS_OK) return st;
    cl_long soff = in->offset, goff = grid->offset, doff = out->offset;
    clrs_kargs a = clrs__kargs(ctx, k);
    CLRS_KARG(&a, t[0].mem);
    CLRS_KARG(&a, soff);
    CLRS_KARG(&a, isz);
    CLRS_KARG(&a, ist);
    CLRS_KARG(&a, t[1].mem);
    CLRS_KARG(&a, goff);
    CLRS_KARG(&a, gst);
    CLRS_KARG(&a, t[2].mem);
    CLRS_KARG(&a, doff);
    CLRS_KARG(&a, osz);
    CLRS_KARG(&a, ost);
    st = a.st;
    size_t g[3] = {(size_t)osz.s[4], (size_t)osz.s[3], (size_t)(osz.s[2] * osz.s[0])};
    if (chunk > 0) g[2] *= (size_t)((isz.s[1] + chunk - 1) / chunk);
    if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 3, g, nwait, wait, ev);
    if (k != NULL) clReleaseKernel(k);
    return st;
}

static clrs_status grid_prepare(clrs_context *ctx, const clrs_grid_sample_params *p, const clrs_tensor_desc *in,
                                const clrs_tensor_desc *grid, const clrs_tensor_desc *out, grid_plan *plan)
{
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "grid_sample: ctx is NULL");
    if (p == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "grid_sample: params is NULL");
    CLRS_FORWARD(grid_plan_make(ctx, p, in, grid, plan));
    CLRS_FORWARD(clrs__check_output(ctx, "grid_sample", out, in->rank, plan->out_sizes, in->dtype));
    return CLRS_OK;
}

clrs_status clrs_grid_sample(clrs_context *ctx, const clrs_grid_sample_params *p, const clrs_tensor_desc *in,
                             const void *in_data, const clrs_tensor_desc *grid, const void *grid_data,
                             const clrs_tensor_desc *out, void *out_data)
{
    clrs__clear_error(ctx);
    grid_plan plan;
    CLRS_FORWARD(grid_prepare(ctx, p, in, grid, out, &plan));
    if (plan.numel_out > 0 && (in_data == NULL || grid_data == NULL || out_data == NULL))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "grid_sample: %s data pointer is NULL",
                          in_data == NULL ? "input" : grid_data == NULL ? "grid" : "output");
    clrs_host_tensor ht[3] = {{in, in_data, 0}, {grid, grid_data, 0}, {out, out_data, 1}};
    return clrs__host_call(ctx, &plan, ht, 3, grid_enqueue);
}

clrs_status clrs_grid_sample_cl(clrs_context *ctx, const clrs_grid_sample_params *p, const clrs_tensor_desc *in,
                                cl_mem in_mem, const clrs_tensor_desc *grid, cl_mem grid_mem,
                                const clrs_tensor_desc *out, cl_mem out_mem, cl_command_queue queue, cl_uint num_wait,
                                const cl_event *wait_list, cl_event *event)
{
    clrs__clear_error(ctx);
    grid_plan plan;
    CLRS_FORWARD(grid_prepare(ctx, p, in, grid, out, &plan));
    clrs_targ t[3] = {{*in, in_mem, 0}, {*grid, grid_mem, 0}, {*out, out_mem, 1}};
    return clrs__cl_call(ctx, &plan, t, 3, queue, num_wait, wait_list, event, grid_enqueue);
}

/* ---- affine_grid ------------------------------------------------------------ */
typedef struct affine_plan {
    int sp;
    int align;
    int64_t grid_sizes[CLRS_MAX_RANK]; /* (N, [D,] H, W, sp) */
    int64_t numel;
} affine_plan;

static const clrs_impl AFFINE_IMPLS[] = {
    {"general", 0, NULL},
};
CLRS_IMPL_LIST(clrs__impls_affine_grid, "affine_grid", AFFINE_IMPLS);

static clrs_status affine_prepare(clrs_context *ctx, const clrs_tensor_desc *theta, int rank, const int64_t *size,
                                  int align_corners, const clrs_tensor_desc *grid, affine_plan *plan)
{
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "affine_grid: ctx is NULL");
    if (size == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "affine_grid: size is NULL");
    if (rank != 4 && rank != 5)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                          "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                          "respectively. Got size of rank %d.",
                          rank);
    if (align_corners != 0 && align_corners != 1)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "affine_grid: align_corners %d is not 0 or 1", align_corners);
    if (theta == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "affine_grid: theta descriptor is NULL");
    char ssz[128], tsz[128];
    clrs__format_sizes(ssz, sizeof ssz, rank, size);
    for (int i = 0; i < rank; i++)
        if (size[i] <= 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                              "affine_grid: expected non-zero, positive output size. Got %s", ssz);
    if (theta->rank != 3)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                          "affine_grid: expected a batch of affine matrices of shape Nx%dx%d for size %s; theta has "
                          "rank %d",
                          rank - 2, rank - 1, ssz, theta->rank);
    CLRS_FORWARD(clrs__check_desc(ctx, theta, "theta", 0));
    clrs__format_sizes(tsz, sizeof tsz, 3, theta->sizes);
    int sp = rank - 2;
    if (theta->sizes[1] != sp || theta->sizes[2] != sp + 1 || theta->sizes[0] != size[0])
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                          "affine_grid: expected a batch of %dD affine matrices of shape Nx%dx%d for size %s. Got "
                          "%s.",
                          sp, sp, sp + 1, ssz, tsz);
    CLRS_FORWARD(grid_dtype_ok(ctx, "affine_grid", "theta", theta->dtype));
    memset(plan, 0, sizeof *plan);
    plan->sp = sp;
    plan->align = align_corners;
    plan->grid_sizes[0] = size[0];
    for (int i = 0; i < sp; i++) plan->grid_sizes[1 + i] = size[2 + i];
    plan->grid_sizes[rank - 1] = sp;
    plan->numel = 1;
    for (int i = 0; i < rank; i++)
        if (__builtin_mul_overflow(plan->numel, plan->grid_sizes[i], &plan->numel))
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "affine_grid: grid element count overflows 64 bits");
    CLRS_FORWARD(clrs__check_output(ctx, "affine_grid", grid, rank, plan->grid_sizes, theta->dtype));
    return CLRS_OK;
}

static clrs_status affine_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                                  cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    (void)nt;
    const affine_plan *plan = op;
    if (plan->numel == 0) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    if (CLRS_PICK(ctx, "affine_grid", AFFINE_IMPLS, plan) < 0) return CLRS_ERR_INTERNAL;
    const clrs_tensor_desc *th = &t[0].desc, *gr = &t[1].desc;
    cl_long4 tst, gsz;
    memset(&tst, 0, sizeof tst);
    memset(&gsz, 0, sizeof gsz);
    for (int i = 0; i < 3; i++) tst.s[i] = th->strides[i];
    cl_long8 gst = grid_strides(gr);
    gsz.s[0] = gr->sizes[0];
    gsz.s[1] = plan->sp == 3 ? gr->sizes[1] : 1;
    gsz.s[2] = gr->sizes[gr->rank - 3];
    gsz.s[3] = gr->sizes[gr->rank - 2];
    cl_kernel k = NULL;
    clrs_status st = grid_get_kernel(ctx, th->dtype, plan->sp, 0, 0, plan->align, 0, "clrs_affine_grid", &k);
    if (st != CLRS_OK) return st;
    cl_long toff = th->offset, goff = gr->offset;
    clrs_kargs a = clrs__kargs(ctx, k);
    CLRS_KARG(&a, t[0].mem);
    CLRS_KARG(&a, toff);
    CLRS_KARG(&a, tst);
    CLRS_KARG(&a, t[1].mem);
    CLRS_KARG(&a, goff);
    CLRS_KARG(&a, gsz);
    CLRS_KARG(&a, gst);
    st = a.st;
    size_t g[3] = {(size_t)gsz.s[3], (size_t)gsz.s[2], (size_t)(gsz.s[1] * gsz.s[0])};
    if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, k, 3, g, nwait, wait, ev);
    if (k != NULL) clReleaseKernel(k);
    return st;
}

clrs_status clrs_affine_grid(clrs_context *ctx, const clrs_tensor_desc *theta, const void *theta_data, int rank,
                             const int64_t *size, int align_corners, const clrs_tensor_desc *grid, void *grid_data)
{
    clrs__clear_error(ctx);
    affine_plan plan;
    CLRS_FORWARD(affine_prepare(ctx, theta, rank, size, align_corners, grid, &plan));
    if (plan.numel > 0 && (theta_data == NULL || grid_data == NULL))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "affine_grid: %s data pointer is NULL",
                          theta_data == NULL ? "theta" : "grid");
    clrs_host_tensor ht[2] = {{theta, theta_data, 0}, {grid, grid_data, 1}};
    return clrs__host_call(ctx, &plan, ht, 2, affine_enqueue);
}

clrs_status clrs_affine_grid_cl(clrs_context *ctx, const clrs_tensor_desc *theta, cl_mem theta_mem, int rank,
                                const int64_t *size, int align_corners, const clrs_tensor_desc *grid, cl_mem grid_mem,
                                cl_command_queue queue, cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    clrs__clear_error(ctx);
    affine_plan plan;
    CLRS_FORWARD(affine_prepare(ctx, theta, rank, size, align_corners, grid, &plan));
    clrs_targ t[2] = {{*theta, theta_mem, 0}, {*grid, grid_mem, 1}};
    return clrs__cl_call(ctx, &plan, t, 2, queue, num_wait, wait_list, event, affine_enqueue);
}
