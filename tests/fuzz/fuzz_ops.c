/* SPDX-License-Identifier: MIT */
/* Fuzz harness (c): parameter and descriptor validation of every operator
 * (interpolate, pool, max_unpool, pixel_shuffle, grid_sample, affine_grid,
 * the ONNX-semantics Resize / Upsample, pools, MaxUnpool, DepthToSpace and
 * SpaceToDepth, plus the descriptor constructors and the string parsers),
 * followed by a real call when validation accepts.
 *
 * The input is a byte stream decoded field by field (fuzz.h: small values
 * mostly, sometimes values that break arithmetic): operator, flags, dtype,
 * rank, sizes, layout (contiguous, channels-last, padded strides, broadcast,
 * raw strides, reversed, offsets), the operator's parameters, and the
 * output descriptor (from *_output_shape, optionally mutated); after pool
 * and interpolate, optionally their backward (run_backward).
 *
 * Oracles (each a fuzz_fail, i.e. a crash that libFuzzer keeps):
 *  - no crash, no sanitizer report, no hang;
 *  - every failure has a known status and a non-empty clrs_last_error();
 *  - an op never returns OK or a runtime error where *_output_shape refused
 *    the same arguments; never CLRS_ERR_INTERNAL, CLRS_ERR_OPENCL or
 *    CLRS_ERR_BUILD_FAILED, nor BAD_SHAPE for the output shape it computed;
 *  - with NULL data pointers (tensors too big for the harness) an op never
 *    returns OK unless the output is empty;
 *  - a cl_mem smaller than the described extent, or input and output in
 *    overlapping ranges of one cl_mem, is never accepted;
 *  - a real call never writes outside the output's elements (every other
 *    byte of the allocation, 64 guard bytes each side and the gaps of
 *    strided layouts, keeps its fill) and never modifies its inputs.
 * CLRS_ERR_NOT_IMPLEMENTED is accepted everywhere (operators still being
 * written). Kernels run on the host's OpenCL device (PoCL on the CI). */
#define CL_TARGET_OPENCL_VERSION 120
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clresample.h"
#include "clresample/cl_interop.h"
#include "clresample/onnx.h"
#include "fuzz.h"
#include "internal.h"

const char fuzz_name[] = "ops";

/* Largest tensors the harness allocates (elements, bytes of extent). */
#define MAX_NUMEL (1 << 14)
#define MAX_BYTES ((size_t)4 << 20)
#define GUARD 64
#define FILL 0xA5

static clrs_context *ctx;

static clrs_context *get_ctx(void)
{
    if (ctx) return ctx;
    clrs_status st = clrs_context_create(&ctx, NULL);
    if (st != CLRS_OK) {
        const char *ci = getenv("CI");
        fprintf(stderr, "fuzz_ops: no OpenCL context: %s: %s\n", clrs_strerror(st), clrs_last_error(NULL));
        exit(st == CLRS_ERR_NO_PLATFORM && !(ci && *ci) ? 77 : 1);
    }
    return ctx;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    get_ctx();
    return 0;
}

/* ---- decoding ------------------------------------------------------------ */
static clrs_dtype fz_dtype(fuzz_stream *f)
{
    uint8_t v = fz_u8(f) % 10;
    if (v == 8) return (clrs_dtype)42;
    if (v == 9) return (clrs_dtype)-1;
    return (clrs_dtype)v;
}

static int fz_rank(fuzz_stream *f)
{
    static const int r[16] = {3, 4, 5, 3, 4, 5, 3, 4, 5, 4, 0, 1, 2, 6, 7, -1};
    return r[fz_u8(f) % 16];
}

static int64_t fz_size(fuzz_stream *f)
{
    static const int64_t special[8] = {-1, (int64_t)1 << 31, INT64_MAX, (int64_t)1 << 40,
                                       3037000500LL, 65537, -5, (int64_t)1 << 62};
    uint8_t v = fz_u8(f);
    if (v < 200) return v % 10;
    if (v < 240) return 10 + (v - 200);
    return special[(v - 240) % 8];
}

/* n of a PyTorch-style list: mostly 0, 1 or the spatial rank. */
static int fz_count(fuzz_stream *f) { return (int)(fz_u8(f) % 6) - 1; }

typedef struct ft {
    clrs_tensor_desc d;
    int sane;          /* the harness can compute extent and numel */
    int empty;         /* a size is 0 */
    int64_t numel;     /* when sane */
    size_t bytes;      /* extent x element size, when sane */
    unsigned char *alloc; /* bytes + 2 * GUARD */
    unsigned char *base;  /* alloc + GUARD: the data pointer */
    unsigned char *mask;  /* outputs: 1 on bytes of elements */
    unsigned char *copy;  /* inputs: the bytes before the call */
} ft;

static void ft_measure(ft *t)
{
    const clrs_tensor_desc *d = &t->d;
    t->sane = 0;
    t->empty = 0;
    for (int i = 0; i < d->rank && i < CLRS_MAX_RANK; i++)
        if (d->sizes[i] == 0) t->empty = 1; /* no elements, whatever the rest says */
    size_t es = clrs_dtype_size(d->dtype);
    if (d->rank < 3 || d->rank > CLRS_MAX_RANK || es == 0 || d->offset < 0) return;
    __int128 end = d->offset, n = 1;
    for (int i = 0; i < d->rank; i++) {
        if (d->sizes[i] < 0 || d->strides[i] < 0) return;
        n *= d->sizes[i];
        if (d->sizes[i] > 0) end += (__int128)(d->sizes[i] - 1) * d->strides[i];
        if (end > ((__int128)1 << 62) || n > ((__int128)1 << 62)) return;
    }
    t->numel = (int64_t)n;
    __int128 bytes = n == 0 ? 0 : (end + 1) * (__int128)es;
    if (bytes > ((__int128)1 << 62)) return;
    t->bytes = (size_t)bytes;
    t->sane = 1;
}

/* A descriptor for logical sizes in one of eight layouts. */
static void make_desc(fuzz_stream *f, ft *t, clrs_dtype dt, int rank, const int64_t *sizes)
{
    memset(t, 0, sizeof *t);
    clrs_tensor_desc *d = &t->d;
    int layout = fz_u8(f) % 8;
    clrs_status st = layout == 2 ? clrs_tensor_desc_channels_last(d, dt, rank, sizes)
                                 : clrs_tensor_desc_contiguous(d, dt, rank, sizes);
    if (st != CLRS_OK) { /* bad rank or sizes: describe them anyway */
        memset(d, 0, sizeof *d);
        d->dtype = dt;
        d->rank = rank;
        for (int i = 0; i < CLRS_MAX_RANK && i < rank; i++) {
            d->sizes[i] = sizes[i];
            d->strides[i] = 1;
        }
    }
    int r = rank < 0 ? 0 : rank > CLRS_MAX_RANK ? CLRS_MAX_RANK : rank;
    switch (layout) {
    case 3: { /* padded strides: gaps between elements and rows, an offset */
        int64_t s = 1 + fz_u8(f) % 3;
        for (int i = r - 1; i >= 0; i--) {
            d->strides[i] = s;
            int64_t sz = sizes[i] > 0 ? sizes[i] : 1;
            if (__builtin_mul_overflow(s, sz, &s) || __builtin_add_overflow(s, (int64_t)(fz_u8(f) % 4), &s)) s = 1;
        }
        d->offset = fz_u8(f) % 8;
        break;
    }
    case 4: /* a broadcast dim (stride 0) */
        if (r > 0) d->strides[fz_u8(f) % r] = 0;
        break;
    case 5: /* raw strides and offset */
        for (int i = 0; i < r; i++) d->strides[i] = fz_int(f);
        d->offset = fz_int(f);
        break;
    case 6: { /* dims in reverse memory order */
        int64_t s = 1;
        for (int i = 0; i < r; i++) {
            d->strides[i] = s;
            int64_t sz = sizes[i] > 0 ? sizes[i] : 1;
            if (__builtin_mul_overflow(s, sz, &s)) s = 1;
        }
        break;
    }
    case 7:
        d->offset = fz_int(f);
        break;
    default:
        break;
    }
    ft_measure(t);
}

static void fill_bytes(fuzz_stream *f, unsigned char *p, size_t n)
{
    uint32_t x = 0x9e3779b9u ^ fz_u8(f);
    for (size_t i = 0; i < n; i++) {
        x = x * 1664525u + 1013904223u;
        p[i] = (unsigned char)(x >> 24);
    }
}

/* Visit the byte offsets (relative to base) of every element. */
static void mark_elements(const clrs_tensor_desc *d, unsigned char *mask)
{
    size_t es = clrs_dtype_size(d->dtype);
    int64_t idx[CLRS_MAX_RANK] = {0};
    for (int i = 0; i < d->rank; i++)
        if (d->sizes[i] == 0) return;
    for (;;) {
        int64_t off = d->offset;
        for (int i = 0; i < d->rank; i++) off += idx[i] * d->strides[i];
        memset(mask + (size_t)off * es, 1, es);
        int i = d->rank - 1;
        while (i >= 0 && ++idx[i] == d->sizes[i]) idx[i--] = 0;
        if (i < 0) break;
    }
}

/* Allocate a tensor: inputs get random bytes (kept in copy), outputs the
 * fill pattern and the mask of their elements. */
static void ft_alloc(fuzz_stream *f, ft *t, int is_output)
{
    t->alloc = malloc(t->bytes + 2 * GUARD);
    if (t->alloc == NULL) fuzz_fail("out of memory");
    t->base = t->alloc + GUARD;
    if (is_output) {
        memset(t->alloc, FILL, t->bytes + 2 * GUARD);
        t->mask = calloc(t->bytes + 1, 1);
        if (t->mask == NULL) fuzz_fail("out of memory");
        mark_elements(&t->d, t->mask);
    } else {
        fill_bytes(f, t->alloc, t->bytes + 2 * GUARD);
        t->copy = malloc(t->bytes + 2 * GUARD);
        if (t->copy == NULL) fuzz_fail("out of memory");
        memcpy(t->copy, t->alloc, t->bytes + 2 * GUARD);
    }
}

static void ft_free(ft *t)
{
    free(t->alloc);
    free(t->mask);
    free(t->copy);
    t->alloc = t->base = t->mask = t->copy = NULL;
}

static void ft_check(const ft *t, int is_output, const char *what)
{
    if (t->alloc == NULL) return;
    if (!is_output) {
        if (memcmp(t->alloc, t->copy, t->bytes + 2 * GUARD) != 0) fuzz_fail("%s: an input was modified", what);
        return;
    }
    for (size_t b = 0; b < t->bytes + 2 * GUARD; b++) {
        int elem = b >= GUARD && b < GUARD + t->bytes && t->mask[b - GUARD];
        if (!elem && t->alloc[b] != FILL)
            fuzz_fail("%s: byte %lld relative to the output's data pointer, outside its elements, was written",
                      what, (long long)b - GUARD);
    }
}

/* ---- one call ------------------------------------------------------------ */
/* The op byte b selects b % OP_LEGACY below 128 (what every byte meant
 * before the later ops existed: old corpus inputs keep their meaning), the
 * later ops from 128 up. */
enum {
    OP_INTERP, OP_POOL, OP_UNPOOL, OP_SHUFFLE, OP_MISC, OP_LEGACY,
    OP_GRID = OP_LEGACY, OP_AFFINE, OP_ORESIZE, OP_OPOOL, OP_OUNPOOL, OP_D2S, OP_S2D, OP_CONV, OP_CONVT, OP_COUNT
};
enum {
    F_CLMEM = 1,    /* the cl_mem API */
    F_INDICES = 2,  /* pool: ask for indices */
    F_MUTATE = 4,   /* change the output descriptor after *_output_shape */
    F_SHRINK = 8,   /* cl_mem: a buffer smaller than the extent */
    F_ALIAS = 16,   /* cl_mem: input and output in one buffer, overlapping */
    F_EVENT = 32    /* cl_mem: ask for an event */
};

typedef struct call {
    int op;
    unsigned flags;
    clrs_interpolate_params ip;
    clrs_pool_params pp;
    clrs_unpool_params up;
    int64_t factor;
    int inverse;
    clrs_grid_sample_params gp;
    int arank;       /* affine_grid: rank and size */
    int64_t *asize;
    int align;
    clrs_onnx_resize_params rp;
    clrs_onnx_pool_params op_;
    clrs_onnx_unpool_params oup;
    clrs_onnx_depth_mode dmode;
    clrs_conv_params cp;
    ft in, out, idx; /* idx: pool's output indices, unpool's input indices, grid_sample's grid, conv's weight */
    clrs_tensor_desc bias; /* conv: rank 1, so outside ft (ft_measure wants rank >= 3) */
    unsigned char *bias_alloc, *bias_copy; /* GUARD | bias_bytes | GUARD */
    size_t bias_bytes;
    int has_bias;
    int has_idx;
    int idx_out;     /* idx is an output */
    void *samples;
} call;

static void check_status(clrs_status st, const char *what)
{
    if (st == CLRS_OK || st == CLRS_ERR_NOT_IMPLEMENTED) return;
    const char *name = clrs_status_name(st);
    if (strncmp(name, "CLRS_", 5) != 0) fuzz_fail("%s returned unknown status %d", what, (int)st);
    const char *msg = clrs_last_error(ctx);
    if (msg == NULL || msg[0] == '\0') fuzz_fail("%s returned %s with no clrs_last_error() detail", what, name);
}

static clrs_status run_host(call *c)
{
    const void *in = c->in.base;
    void *out = c->out.base, *idx = c->idx.base;
    switch (c->op) {
    case OP_INTERP: return clrs_interpolate(ctx, &c->ip, &c->in.d, in, &c->out.d, out);
    case OP_POOL: return clrs_pool(ctx, &c->pp, &c->in.d, in, &c->out.d, out, c->has_idx ? &c->idx.d : NULL, c->has_idx ? idx : NULL);
    case OP_UNPOOL: return clrs_max_unpool(ctx, &c->up, &c->in.d, in, &c->idx.d, idx, &c->out.d, out);
    case OP_GRID: return clrs_grid_sample(ctx, &c->gp, &c->in.d, in, &c->idx.d, idx, &c->out.d, out);
    case OP_AFFINE: return clrs_affine_grid(ctx, &c->in.d, in, c->arank, c->asize, c->align, &c->out.d, out);
    case OP_ORESIZE: return clrs_onnx_resize(ctx, &c->rp, &c->in.d, in, &c->out.d, out);
    case OP_OPOOL:
        return clrs_onnx_pool(ctx, &c->op_, &c->in.d, in, &c->out.d, out, c->has_idx ? &c->idx.d : NULL,
                              c->has_idx ? idx : NULL);
    case OP_OUNPOOL: return clrs_onnx_max_unpool(ctx, &c->oup, &c->in.d, in, &c->idx.d, idx, &c->out.d, out);
    case OP_D2S: return clrs_onnx_depth_to_space(ctx, c->factor, c->dmode, &c->in.d, in, &c->out.d, out);
    case OP_S2D: return clrs_onnx_space_to_depth(ctx, c->factor, c->dmode, &c->in.d, in, &c->out.d, out);
    case OP_CONV:
    case OP_CONVT:
        return (c->op == OP_CONV ? clrs_conv : clrs_conv_transpose)(ctx, &c->cp, &c->in.d, in, &c->idx.d, idx,
                                                                    c->has_bias ? &c->bias : NULL,
                                                                    c->has_bias ? c->bias_alloc + GUARD : NULL,
                                                                    &c->out.d, out);
    default: return clrs_pixel_shuffle(ctx, c->factor, c->inverse, &c->in.d, in, &c->out.d, out);
    }
}

static cl_mem make_mem(cl_context clc, ft *t, size_t size, const unsigned char *src)
{
    cl_int e;
    cl_mem m = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, size ? size : 1, (void *)(uintptr_t)src, &e);
    (void)t;
    return e == CL_SUCCESS ? m : NULL;
}

/* The cl_mem calling convention: buffers hold [guard | extent | guard];
 * descriptors' offsets are moved past the leading guard. */
static clrs_status run_cl(fuzz_stream *f, call *c, int *expect_reject)
{
    cl_context clc;
    cl_command_queue q;
    if (clrs_context_get_cl(ctx, &clc, NULL, &q) != CLRS_OK) fuzz_fail("clrs_context_get_cl");
    ft *ts[3] = {&c->in, &c->out, c->has_idx ? &c->idx : NULL};
    cl_mem mem[3] = {NULL, NULL, NULL};
    clrs_tensor_desc d[3];
    size_t shrink_which = fz_u8(f) % 3, shrink_by = 1 + fz_u8(f);
    *expect_reject = 0;
    int alias = (c->flags & F_ALIAS) && c->in.numel > 0 && c->out.numel > 0;
    for (int i = 0; i < 3; i++) {
        if (ts[i] == NULL) continue;
        d[i] = ts[i]->d;
        size_t es = clrs_dtype_size(d[i].dtype);
        d[i].offset += GUARD / (int64_t)es;
        size_t size = ts[i]->bytes + 2 * GUARD;
        if ((c->flags & F_SHRINK) && shrink_which == (size_t)i && ts[i]->numel > 0) {
            size_t need = ts[i]->bytes + GUARD; /* end of the extent */
            size = need > shrink_by ? need - shrink_by : 1;
            *expect_reject = 1;
        }
        unsigned char *src = ts[i]->alloc, *tmp = NULL;
        if (alias && i == 0 && c->out.bytes > c->in.bytes) { /* room for the output too */
            size = c->out.bytes + 2 * GUARD;
            tmp = calloc(1, size);
            if (tmp == NULL) fuzz_fail("out of memory");
            memcpy(tmp, src, ts[i]->bytes + 2 * GUARD);
            src = tmp;
        }
        mem[i] = make_mem(clc, ts[i], size, src);
        free(tmp);
        if (mem[i] == NULL) fuzz_fail("clCreateBuffer of %zu bytes failed", size);
    }
    if (alias) {
        /* the output in the input's buffer, over the input's first element */
        clReleaseMemObject(mem[1]);
        mem[1] = mem[0];
        clRetainMemObject(mem[1]);
        size_t eo = clrs_dtype_size(d[1].dtype);
        d[1].offset = (d[0].offset * (int64_t)clrs_dtype_size(d[0].dtype)) / (int64_t)eo;
        *expect_reject = 1;
    }
    cl_event ev = NULL;
    cl_event *evp = (c->flags & F_EVENT) ? &ev : NULL;
    clrs_status st;
    switch (c->op) {
    case OP_INTERP: st = clrs_interpolate_cl(ctx, &c->ip, &d[0], mem[0], &d[1], mem[1], NULL, 0, NULL, evp); break;
    case OP_POOL:
        st = clrs_pool_cl(ctx, &c->pp, &d[0], mem[0], &d[1], mem[1], c->has_idx ? &d[2] : NULL, mem[2], NULL, 0,
                          NULL, evp);
        break;
    case OP_UNPOOL: st = clrs_max_unpool_cl(ctx, &c->up, &d[0], mem[0], &d[2], mem[2], &d[1], mem[1], q, 0, NULL, evp); break;
    case OP_GRID:
        st = clrs_grid_sample_cl(ctx, &c->gp, &d[0], mem[0], &d[2], mem[2], &d[1], mem[1], q, 0, NULL, evp);
        break;
    case OP_AFFINE:
        st = clrs_affine_grid_cl(ctx, &d[0], mem[0], c->arank, c->asize, c->align, &d[1], mem[1], NULL, 0, NULL, evp);
        break;
    case OP_ORESIZE: st = clrs_onnx_resize_cl(ctx, &c->rp, &d[0], mem[0], &d[1], mem[1], q, 0, NULL, evp); break;
    case OP_OPOOL:
        st = clrs_onnx_pool_cl(ctx, &c->op_, &d[0], mem[0], &d[1], mem[1], c->has_idx ? &d[2] : NULL, mem[2], NULL, 0,
                               NULL, evp);
        break;
    case OP_OUNPOOL:
        st = clrs_onnx_max_unpool_cl(ctx, &c->oup, &d[0], mem[0], &d[2], mem[2], &d[1], mem[1], q, 0, NULL, evp);
        break;
    case OP_D2S: st = clrs_onnx_depth_to_space_cl(ctx, c->factor, c->dmode, &d[0], mem[0], &d[1], mem[1], q, 0, NULL, evp); break;
    case OP_S2D: st = clrs_onnx_space_to_depth_cl(ctx, c->factor, c->dmode, &d[0], mem[0], &d[1], mem[1], NULL, 0, NULL, evp); break;
    case OP_CONV:
    case OP_CONVT: { /* the weight is tensor 2; the bias its own buffer */
        cl_mem bm = NULL;
        clrs_tensor_desc bd = c->bias;
        if (c->has_bias) {
            bm = make_mem(clc, NULL, c->bias_bytes + 2 * GUARD, c->bias_alloc);
            if (bm == NULL) fuzz_fail("clCreateBuffer of the bias failed");
            bd.offset += GUARD / (int64_t)(clrs_dtype_size(bd.dtype) ? clrs_dtype_size(bd.dtype) : 1);
        }
        st = (c->op == OP_CONV ? clrs_conv_cl : clrs_conv_transpose_cl)(ctx, &c->cp, &d[0], mem[0], &d[2], mem[2],
                                                                       c->has_bias ? &bd : NULL, bm, &d[1], mem[1],
                                                                       q, 0, NULL, evp);
        if (bm) clReleaseMemObject(bm);
        break;
    }
    default: st = clrs_pixel_shuffle_cl(ctx, c->factor, c->inverse, &d[0], mem[0], &d[1], mem[1], q, 0, NULL, evp); break;
    }
    if (st == CLRS_OK && evp != NULL && ev == NULL) fuzz_fail("no event returned");
    if (st != CLRS_OK && ev != NULL) fuzz_fail("an event returned with a failure");
    if (ev) clReleaseEvent(ev);
    if (clFinish(q) != CL_SUCCESS) fuzz_fail("clFinish failed after a call (status %d)", (int)st);
    if (st == CLRS_OK && !alias) {
        for (int i = 1; i < 3; i++) { /* outputs back into the host arrays */
            if (ts[i] == NULL || (i == 2 && !c->idx_out)) continue;
            if (clEnqueueReadBuffer(q, mem[i], CL_TRUE, 0, ts[i]->bytes + 2 * GUARD, ts[i]->alloc, 0, NULL, NULL) !=
                CL_SUCCESS)
                fuzz_fail("reading back an output failed");
        }
    }
    for (int i = 0; i < 3; i++)
        if (mem[i]) clReleaseMemObject(mem[i]);
    return st;
}

static void decode_interp(fuzz_stream *f, clrs_interpolate_params *p)
{
    clrs_interpolate_params_init(p);
    p->mode = (clrs_interp_mode)(fz_u8(f) % 10);
    int which = fz_u8(f) % 8; /* 0-2 size, 3-5 scale, 6 both, 7 neither */
    int n = fz_count(f);
    if (which <= 2 || which == 6) {
        p->n_size = n;
        for (int i = 0; i < 3; i++) p->size[i] = fz_size(f);
    }
    if ((which >= 3 && which <= 5) || which == 6) {
        p->n_scale = which == 6 ? fz_count(f) : n;
        for (int i = 0; i < 3; i++) p->scale[i] = fz_real(f);
    }
    p->align_corners = (int)(fz_u8(f) % 5) - 2;
    p->recompute_scale_factor = (int)(fz_u8(f) % 5) - 2;
    p->antialias = (int)(fz_u8(f) % 4) - 1;
    if (fz_u8(f) == 255) p->struct_size = 3;
}

static void decode_pool(fuzz_stream *f, clrs_pool_params *p)
{
    clrs_pool_params_init(p, (clrs_pool_kind)(fz_u8(f) % 7));
    p->n_kernel = fz_count(f);
    for (int i = 0; i < 3; i++) p->kernel[i] = fz_int(f);
    p->n_stride = fz_count(f);
    for (int i = 0; i < 3; i++) p->stride[i] = fz_int(f);
    p->n_padding = fz_count(f);
    for (int i = 0; i < 3; i++) p->padding[i] = fz_int(f);
    p->n_dilation = fz_count(f);
    for (int i = 0; i < 3; i++) p->dilation[i] = fz_int(f);
    p->ceil_mode = fz_u8(f) % 3;
    p->count_include_pad = fz_u8(f) % 3;
    p->divisor_override = fz_u8(f) < 200 ? 0 : fz_int(f);
    p->norm_type = fz_real(f);
    p->n_output_size = fz_count(f);
    for (int i = 0; i < 3; i++) p->output_size[i] = fz_int(f);
    p->n_output_ratio = fz_count(f);
    for (int i = 0; i < 3; i++) p->output_ratio[i] = fz_real(f);
    p->seed = 0;
    for (int i = 0; i < 8; i++) p->seed = (p->seed << 8) | fz_u8(f);
    if (fz_u8(f) == 255) p->struct_size = 1;
}

static void decode_unpool(fuzz_stream *f, clrs_unpool_params *p)
{
    clrs_unpool_params_init(p);
    p->n_kernel = fz_count(f);
    for (int i = 0; i < 3; i++) p->kernel[i] = fz_int(f);
    p->n_stride = fz_count(f);
    for (int i = 0; i < 3; i++) p->stride[i] = fz_int(f);
    p->n_padding = fz_count(f);
    for (int i = 0; i < 3; i++) p->padding[i] = fz_int(f);
    p->n_output_size = fz_count(f);
    for (int i = 0; i < 3; i++) p->output_size[i] = fz_size(f);
}

/* A few values of a small table, now and then a hostile one (fz_int). */
static int fz_pick(fuzz_stream *f, const int *v, int n)
{
    uint8_t b = fz_u8(f);
    return b < 240 ? v[b % n] : (int)fz_int(f);
}

/* A list count: mostly `natural` (what the op wants), else 0 or hostile. */
static int fz_ncount(fuzz_stream *f, int natural)
{
    static const int hostile[8] = {0, -1, 1, 2, 3, 6, 9, 17};
    uint8_t b = fz_u8(f);
    if (b < 160) return natural;
    if (b < 220) return 0;
    return hostile[b % 8];
}

/* conv / conv_transpose: mostly small strides, paddings (ints, 'same',
 * 'valid', an invalid kind), dilations, groups dividing C, the four padding
 * modes; sometimes hostile values, invalid enums, a wrong struct_size. */
static void decode_conv(fuzz_stream *f, clrs_conv_params *p, int rank, int64_t C)
{
    static const int st[5] = {1, 2, 1, 3, 2}, pad[5] = {0, 1, 2, 0, 3}, dil[4] = {1, 2, 1, 3};
    static const int op[4] = {0, 1, 0, 2}, kinds[8] = {0, 0, 0, 0, 0, 1, 2, 3};
    static const int modes[6] = {0, 1, 2, 3, 0, 4};
    const int sp = rank >= 3 && rank <= 5 ? rank - 2 : 2;
    clrs_conv_params_init(p);
    p->n_stride = fz_ncount(f, fz_u8(f) & 1 ? 1 : sp);
    for (int i = 0; i < 3; i++) p->stride[i] = fz_pick(f, st, 5);
    p->padding_kind = (clrs_conv_padding_kind)fz_pick(f, kinds, 8);
    p->n_padding = fz_ncount(f, fz_u8(f) & 1 ? 1 : sp);
    for (int i = 0; i < 3; i++) p->padding[i] = fz_pick(f, pad, 5);
    p->n_dilation = fz_ncount(f, sp);
    for (int i = 0; i < 3; i++) p->dilation[i] = fz_pick(f, dil, 4);
    p->n_output_padding = fz_ncount(f, 0);
    for (int i = 0; i < 3; i++) p->output_padding[i] = fz_pick(f, op, 4);
    const int64_t c = C > 0 && C < 1024 ? C : 1;
    const int groups[6] = {1, 1, (int)c, (int)(c % 2 == 0 ? c / 2 : 1), 2, 3};
    p->groups = fz_pick(f, groups, 6);
    p->padding_mode = (clrs_conv_padding_mode)fz_pick(f, modes, 6);
    if (fz_u8(f) == 255) p->struct_size = 5;
}

/* Coordinate-like values for grids and thetas: mostly in [-1.25, 1.25],
 * sometimes -1, 0, 1 exactly, NaN, infinities, huge or tiny. */
static double fz_coord(fuzz_stream *f)
{
    static const double special[12] = {-1.0, 0.0, 1.0, -0.0, 1e30, -1e30, 65504.0, 1e-30, 3e38, -2.5, 7.0, 0.5};
    uint8_t b = fz_u8(f);
    if (b < 200) return ((double)b - 100.0) / 80.0;
    if (b < 212) return special[b - 200];
    if (b < 220) return __builtin_nan("");
    if (b < 228) return __builtin_inf();
    if (b < 236) return -__builtin_inf();
    return fz_real(f);
}

static uint16_t to_f16(double v) /* truncating; NaN, infinities and overflow kept */
{
    float x = (float)v;
    uint32_t u;
    memcpy(&u, &x, 4);
    uint16_t s = (uint16_t)((u >> 16) & 0x8000u);
    int e = (int)((u >> 23) & 0xff);
    uint32_t m = u & 0x7fffffu;
    if (e == 0xff) return (uint16_t)(s | 0x7c00u | (m ? 0x200u : 0u));
    int ne = e - 127 + 15;
    if (ne >= 31) return (uint16_t)(s | 0x7c00u);
    if (ne <= 0) return s;
    return (uint16_t)(s | (uint16_t)(ne << 10) | (uint16_t)(m >> 13));
}

/* Write fuzzed coordinates into every element slot of a tensor's extent
 * (gaps included) for the floating dtypes; other dtypes keep their bytes. */
static void fill_coords(fuzz_stream *f, ft *t)
{
    size_t es = clrs_dtype_size(t->d.dtype);
    if (t->base == NULL || es == 0) return;
    for (size_t i = 0; i + es <= t->bytes; i += es) {
        double v = fz_coord(f);
        unsigned char *p = t->base + i;
        if (t->d.dtype == CLRS_F32) {
            float x = (float)v;
            memcpy(p, &x, 4);
        } else if (t->d.dtype == CLRS_F64) {
            memcpy(p, &v, 8);
        } else if (t->d.dtype == CLRS_F16) {
            uint16_t h = to_f16(v);
            memcpy(p, &h, 2);
        } else if (t->d.dtype == CLRS_BF16) {
            float x = (float)v;
            uint32_t u;
            memcpy(&u, &x, 4);
            uint16_t h = (uint16_t)(u >> 16);
            memcpy(p, &h, 2);
        }
    }
    memcpy(t->copy, t->alloc, t->bytes + 2 * GUARD);
}

static void decode_grid_params(fuzz_stream *f, clrs_grid_sample_params *p)
{
    static const int modes[5] = {0, 1, 2, 0, 3}, pads[5] = {0, 1, 2, 1, 3}, ac[5] = {0, 1, 0, 1, 2};
    clrs_grid_sample_params_init(p);
    p->mode = (clrs_grid_mode)fz_pick(f, modes, 5);
    p->padding_mode = (clrs_grid_padding)fz_pick(f, pads, 5);
    p->align_corners = fz_pick(f, ac, 5);
    if (fz_u8(f) == 255) p->struct_size = 4;
}

/* Strings for the Resize attributes: NULL (the default), the valid names,
 * and names that are not (case, spaces, empty, another attribute's). */
static const char *fz_str(fuzz_stream *f, const char *const *valid, int nvalid)
{
    static const char *const bad[8] = {"", "NEAREST", "linear ", "bilinear", "half_pixel\t", "floor",
                                       "not_smaller_", "tf_crop_and_resize"};
    uint8_t b = fz_u8(f);
    if (b < 64) return NULL;
    if (b < 224) return valid[b % nvalid];
    return bad[b % 8];
}

static void decode_oresize(fuzz_stream *f, clrs_onnx_resize_params *p, int drank)
{
    static const char *const modes[3] = {"nearest", "linear", "cubic"};
    static const char *const coords[7] = {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
                                          "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
    static const char *const nmodes[4] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    static const char *const policies[3] = {"stretch", "not_larger", "not_smaller"};
    static const int opsets[12] = {0, 19, 18, 13, 11, 10, 9, 7, 8, 12, 20, 1};
    static const int flag3[5] = {0, 0, 1, 0, 2};
    clrs_onnx_resize_params_init(p);
    p->opset = fz_pick(f, opsets, 12);
    p->upsample = fz_u8(f) % 5 == 4;
    uint8_t rb = fz_u8(f);
    p->rank = rb < 160 ? 0 : rb < 240 ? (int)(rb % 8) - 1 : (int)fz_int(f);
    p->mode = fz_str(f, modes, 3);
    p->coordinate_transformation_mode = fz_str(f, coords, 7);
    p->nearest_mode = fz_str(f, nmodes, 4);
    p->keep_aspect_ratio_policy = fz_str(f, policies, 3);
    if (fz_u8(f) >= 200) p->cubic_coeff_a = fz_real(f);
    p->exclude_outside = fz_pick(f, flag3, 5);
    if (fz_u8(f) >= 200) p->extrapolation_value = fz_real(f);
    p->antialias = fz_pick(f, flag3, 5);
    int r = p->rank > 0 && p->rank <= 8 ? p->rank : drank > 0 && drank <= 8 ? drank : 4;
    uint8_t ab = fz_u8(f);
    p->n_axes = ab < 160 ? 0 : ab < 240 ? 1 + (int)(ab % (unsigned)r) : fz_ncount(f, r);
    for (int i = 0; i < 8; i++) {
        uint8_t b = fz_u8(f);
        p->axes[i] = b < 200 ? (int64_t)(b % 11) - 5 : fz_int(f);
    }
    int na = p->n_axes > 0 && p->n_axes <= 8 ? p->n_axes : r;
    p->n_roi = fz_ncount(f, 2 * na);
    for (int i = 0; i < p->n_roi && i < 16; i++) {
        uint8_t b = fz_u8(f);
        p->roi[i] = b < 200 ? (double)(b % 12) / 8.0 - 0.25 : fz_real(f);
    }
    int which = fz_u8(f) % 8; /* 0-3 scales, 4-6 sizes, 7 both or neither */
    int n = fz_ncount(f, na);
    if (which <= 3 || (which == 7 && (n & 1))) {
        p->n_scales = n;
        for (int i = 0; i < 8; i++) {
            uint8_t b = fz_u8(f);
            p->scales[i] = b < 200 ? (double)(1 + b % 24) / 8.0 : fz_real(f);
        }
    }
    if (which >= 4) {
        p->n_sizes = which == 7 ? fz_ncount(f, na) : n;
        for (int i = 0; i < 8; i++) p->sizes[i] = fz_size(f);
    }
    if (fz_u8(f) == 255) p->struct_size = 8;
}

static void decode_opool(fuzz_stream *f, clrs_onnx_pool_params *p, int rank)
{
    static const int ops[8] = {0, 1, 2, 3, 4, 5, 0, 6}, pads[6] = {0, 0, 1, 2, 3, 4}, flag[5] = {0, 1, 0, 1, 2};
    int sp = rank - 2 > 0 && rank - 2 <= 3 ? rank - 2 : 2;
    clrs_onnx_pool_params_init(p, (clrs_onnx_pool_op)fz_pick(f, ops, 8));
    p->n_kernel_shape = fz_ncount(f, sp);
    for (int i = 0; i < 3; i++) p->kernel_shape[i] = fz_int(f);
    p->n_strides = fz_ncount(f, sp);
    for (int i = 0; i < 3; i++) p->strides[i] = fz_int(f);
    p->n_pads = fz_ncount(f, 2 * sp);
    for (int i = 0; i < 6; i++) p->pads[i] = fz_int(f);
    p->n_dilations = fz_ncount(f, sp);
    for (int i = 0; i < 3; i++) p->dilations[i] = fz_int(f);
    p->auto_pad = (clrs_onnx_auto_pad)fz_pick(f, pads, 6);
    p->ceil_mode = fz_pick(f, flag, 5);
    p->count_include_pad = fz_pick(f, flag, 5);
    uint8_t b = fz_u8(f);
    p->p = b < 200 ? 1 + b % 4 : fz_int(f);
    p->storage_order = fz_pick(f, flag, 5);
    if (fz_u8(f) == 255) p->struct_size = 16;
}

static void decode_ounpool(fuzz_stream *f, clrs_onnx_unpool_params *p, int rank)
{
    int sp = rank - 2 > 0 && rank - 2 <= 3 ? rank - 2 : 2;
    clrs_onnx_unpool_params_init(p);
    p->n_kernel_shape = fz_ncount(f, sp);
    for (int i = 0; i < 3; i++) p->kernel_shape[i] = fz_int(f);
    p->n_strides = fz_ncount(f, sp);
    for (int i = 0; i < 3; i++) p->strides[i] = fz_int(f);
    p->n_pads = fz_ncount(f, 2 * sp);
    for (int i = 0; i < 6; i++) p->pads[i] = fz_int(f);
    if (fz_u8(f) == 255) p->struct_size = 2;
}

/* affine_grid has no *_output_shape: the shape rule of its header, and
 * whether it refuses the shapes (BAD_SHAPE). */
static clrs_status affine_shape(const clrs_tensor_desc *theta, int rank, const int64_t *size, int64_t out[CLRS_MAX_RANK])
{
    memset(out, 0, CLRS_MAX_RANK * sizeof *out);
    if (rank != 4 && rank != 5) return CLRS_ERR_BAD_SHAPE;
    for (int i = 0; i < rank; i++)
        if (size[i] <= 0) return CLRS_ERR_BAD_SHAPE;
    int sp = rank - 2;
    if (theta->rank != 3 || theta->sizes[0] != size[0] || theta->sizes[1] != sp || theta->sizes[2] != sp + 1)
        return CLRS_ERR_BAD_SHAPE;
    out[0] = size[0];
    for (int i = 0; i < sp; i++) out[1 + i] = size[2 + i];
    out[rank - 1] = sp;
    int64_t n = 1;
    for (int i = 0; i < rank; i++)
        if (__builtin_mul_overflow(n, out[i], &n)) return CLRS_ERR_BAD_SHAPE;
    return CLRS_OK;
}

/* Descriptor constructors, string parsers and name functions. */
static void run_misc(fuzz_stream *f)
{
    int64_t *sizes = malloc(CLRS_MAX_RANK * sizeof *sizes); /* exact: ASan sees over-reads */
    if (sizes == NULL) return;
    for (int i = 0; i < CLRS_MAX_RANK; i++) sizes[i] = fz_size(f);
    clrs_tensor_desc d;
    int rank = (int)fz_int(f);
    clrs_dtype dt = fz_dtype(f);
    clrs_status st = (fz_u8(f) & 1) ? clrs_tensor_desc_channels_last(&d, dt, rank, sizes)
                                    : clrs_tensor_desc_contiguous(&d, dt, rank, sizes);
    if (st != CLRS_OK && clrs_last_error(NULL)[0] == '\0') fuzz_fail("descriptor constructor failed silently");
    if (st == CLRS_OK) {
        if (d.rank != rank) fuzz_fail("rank not kept");
        int64_t n = clrs_tensor_desc_numel(&d);
        if (n < 0) fuzz_fail("negative numel");
    }
    free(sizes);
    clrs_tensor_desc junk;
    fill_bytes(f, (unsigned char *)&junk, sizeof junk);
    (void)clrs_tensor_desc_numel(&junk);
    (void)clrs_tensor_desc_numel(NULL);
    (void)clrs_strerror((clrs_status)fz_int(f));
    (void)clrs_status_name((clrs_status)fz_int(f));
    (void)clrs_dtype_name((clrs_dtype)fz_int(f));
    (void)clrs_dtype_size((clrs_dtype)fz_int(f));
    (void)clrs_interp_mode_name((clrs_interp_mode)fz_int(f));
    /* the rest of the input as a string, for the two parsers */
    size_t len = f->n - f->i;
    char *s = malloc(len + 1);
    if (s == NULL) return;
    memcpy(s, f->p + f->i, len);
    s[len] = '\0';
    f->i = f->n;
    clrs_interp_mode m;
    st = clrs_interp_mode_parse(s, &m);
    if (st == CLRS_OK && strcmp(clrs_interp_mode_name(m), s) != 0) fuzz_fail("mode '%s' parsed as '%s'", s, clrs_interp_mode_name(m));
    if (st != CLRS_OK && clrs_last_error(NULL)[0] == '\0') fuzz_fail("clrs_interp_mode_parse failed silently");
    clrs_devspec spec;
    char err[256];
    err[0] = '\0';
    clrs_grid_mode gm;
    st = clrs_grid_mode_parse(s, &gm);
    if (st == CLRS_OK && strcmp(clrs_grid_mode_name(gm), s) != 0) fuzz_fail("grid mode '%s' parsed as '%s'", s, clrs_grid_mode_name(gm));
    if (st != CLRS_OK && clrs_last_error(NULL)[0] == '\0') fuzz_fail("clrs_grid_mode_parse failed silently");
    clrs_grid_padding gpad;
    st = clrs_grid_padding_parse(s, &gpad);
    if (st == CLRS_OK && strcmp(clrs_grid_padding_name(gpad), s) != 0)
        fuzz_fail("padding_mode '%s' parsed as '%s'", s, clrs_grid_padding_name(gpad));
    if (st != CLRS_OK && clrs_last_error(NULL)[0] == '\0') fuzz_fail("clrs_grid_padding_parse failed silently");
    (void)clrs_grid_mode_name((clrs_grid_mode)(len > 0 ? (signed char)s[0] : -1));
    (void)clrs_grid_padding_name((clrs_grid_padding)(len > 1 ? (signed char)s[1] : 7));
    if (clrs__devspec_parse(s, &spec, err, sizeof err) == 0) {
        clrs_device_info info;
        memset(&info, 0, sizeof info);
        snprintf(info.platform, sizeof info.platform, "Portable Computing Language");
        snprintf(info.name, sizeof info.name, "cpu-0");
        snprintf(info.type, sizeof info.type, "CPU");
        (void)clrs__devspec_matches(&spec, &info);
    } else if (err[0] == '\0') {
        fuzz_fail("clrs__devspec_parse failed without a message");
    }
    free(s);
}

/* ---- the backward of pool and interpolate --------------------------------- */
/* After a pool or interpolate call, one more byte b (0 when the input has
 * ended, so older inputs keep their meaning): b & 1 runs the op's backward
 * (clrs_pool_backward, clrs_interpolate_backward) with the same parameters
 * and forward input: grad_out of the forward output's shape (b & 4: one
 * size changed), grad_in of the input's, each in a fuzzed layout, in the
 * input's dtype (b & 2: a fuzzed one); b & 8 (pool) passes indices: the
 * forward's when it wrote them, else mostly valid flat plane indices with
 * some outside the plane. Oracles: known statuses with a message, never
 * INTERNAL / OPENCL / BUILD_FAILED; never OK where output_shape refused
 * the parameters or shape (a refused dtype aside: the backward reads only
 * the input's shape for some ops), nor with a NULL grad_in that has
 * elements; never BAD_SHAPE for the shapes output_shape gave; nothing
 * written outside grad_in's elements; the input, grad_out and the indices
 * untouched. */
static void run_backward(fuzz_stream *f, call *c, clrs_dtype dt, int rank, const int64_t *sizes, const int64_t *osz,
                         clrs_status sst, int fwd_idx)
{
    const uint8_t b = fz_u8(f);
    if (!(b & 1)) return;
    const char *name = c->op == OP_POOL ? "pool backward" : "interpolate backward";
    ft go, gi, xi;
    memset(&xi, 0, sizeof xi);
    const clrs_dtype gdt = (b & 2) ? fz_dtype(f) : dt;
    int mutated = gdt != dt;
    int64_t gos[CLRS_MAX_RANK];
    memcpy(gos, osz, sizeof gos);
    if (b & 4) { /* wrapping add: the harness itself must stay defined */
        int k = fz_u8(f) % CLRS_MAX_RANK;
        gos[k] = (int64_t)((uint64_t)gos[k] + (uint64_t)fz_int(f));
        mutated = 1;
    }
    make_desc(f, &go, gdt, rank, gos);
    make_desc(f, &gi, gdt, rank, sizes);
    const int use_idx = c->op == OP_POOL && (b & 8);
    if (use_idx) {
        const clrs_dtype xdt = fz_u8(f) < 240 ? CLRS_I64 : fz_dtype(f);
        make_desc(f, &xi, xdt, rank, gos);
        if (xdt != CLRS_I64) mutated = 1;
    }
    ft *all[3] = {&go, &gi, use_idx ? &xi : NULL};
    int real = 1;
    for (int i = 0; i < 3; i++)
        if (all[i] && (!all[i]->sane || all[i]->numel > MAX_NUMEL || all[i]->bytes > MAX_BYTES)) real = 0;
    if (real) {
        ft_alloc(f, &go, 0);
        ft_alloc(f, &gi, 1);
        if (use_idx) {
            ft_alloc(f, &xi, 0);
            if (clrs_dtype_size(xi.d.dtype) == 8 && xi.bytes > 0) {
                int64_t plane = 1;
                for (int i = 2; i < rank && i < CLRS_MAX_RANK; i++)
                    if (__builtin_mul_overflow(plane, sizes[i] > 0 ? sizes[i] : 1, &plane)) plane = INT64_MAX;
                int64_t *v = (int64_t *)xi.base;
                const int64_t *fv = (const int64_t *)c->idx.base;
                const int same = fwd_idx && c->idx.bytes == xi.bytes;
                for (size_t i = 0; i < xi.bytes / 8; i++) {
                    uint8_t r = fz_u8(f);
                    v[i] = same && r < 200 ? fv[i]
                           : r < 240   ? (int64_t)((uint64_t)(r * 7919u + i * 31u) % (uint64_t)(plane > 0 ? plane : 1))
                                       : fz_int(f);
                }
                memcpy(xi.copy, xi.alloc, xi.bytes + 2 * GUARD);
            }
        }
    }
    clrs_status st;
    if (c->op == OP_POOL)
        st = clrs_pool_backward(ctx, &c->pp, &c->in.d, c->in.base, use_idx ? &xi.d : NULL, use_idx ? xi.base : NULL,
                                &go.d, go.base, &gi.d, gi.base);
    else
        st = clrs_interpolate_backward(ctx, &c->ip, &c->in.d, &go.d, go.base, &gi.d, gi.base);
    check_status(st, name);
    static int verbose = -1;
    if (verbose < 0) verbose = getenv("FUZZ_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "fuzz_ops: %s %s rank %d%s: shape %s, call %s%s%s\n", name, clrs_dtype_name(gdt), rank,
                real ? "" : " (no memory)", clrs_status_name(sst), clrs_status_name(st), st != CLRS_OK ? ": " : "",
                st != CLRS_OK ? clrs_last_error(ctx) : "");
    if (sst != CLRS_OK && sst != CLRS_ERR_BAD_DTYPE && st == CLRS_OK)
        fuzz_fail("%s accepted what output_shape refused (%s)", name, clrs_status_name(sst));
    if (st == CLRS_OK && !real && !gi.empty) fuzz_fail("%s returned OK with a NULL grad_in that has elements", name);
    if (st == CLRS_ERR_INTERNAL || st == CLRS_ERR_OPENCL || st == CLRS_ERR_BUILD_FAILED)
        fuzz_fail("%s: %s: %s", name, clrs_status_name(st), clrs_last_error(ctx));
    if (sst == CLRS_OK && !mutated && st == CLRS_ERR_BAD_SHAPE)
        fuzz_fail("%s: BAD_SHAPE for the shapes output_shape gave: %s", name, clrs_last_error(ctx));
    if (real) {
        ft_check(&go, 0, name);
        ft_check(&xi, 0, name);
        ft_check(&c->in, 0, name);
        if (st == CLRS_OK) ft_check(&gi, 1, name);
    }
    ft_free(&go);
    ft_free(&gi);
    ft_free(&xi);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_stream fs = {data, size, 0}, *f = &fs;
    get_ctx();
    call c;
    memset(&c, 0, sizeof c);
    uint8_t opb = fz_u8(f);
    c.op = opb < 128 ? opb % OP_LEGACY : OP_LEGACY + (opb - 128) % (OP_COUNT - OP_LEGACY);
    if (c.op == OP_MISC) {
        run_misc(f);
        return 0;
    }
    c.flags = fz_u8(f);
    clrs_dtype dt = fz_dtype(f);
    int rank = fz_rank(f);
    int64_t sizes[CLRS_MAX_RANK];
    for (int i = 0; i < CLRS_MAX_RANK; i++) sizes[i] = fz_size(f);
    make_desc(f, &c.in, dt, rank, sizes);

    int64_t osz[CLRS_MAX_RANK] = {0};
    clrs_status sst;
    const char *opname;
    int orank = rank;
    int64_t idx_range = 0; /* OP_OUNPOOL: numel of the inferred shape */
    int mutated_conv_bias = 0; /* conv: a bias of a fuzzed shape (BAD_SHAPE is right then) */
    switch (c.op) {
    case OP_INTERP:
        opname = "interpolate";
        decode_interp(f, &c.ip);
        sst = clrs_interpolate_output_shape(ctx, &c.in.d, &c.ip, osz);
        break;
    case OP_POOL:
        opname = "pool";
        decode_pool(f, &c.pp);
        sst = clrs_pool_output_shape(ctx, &c.in.d, &c.pp, osz);
        c.has_idx = (c.flags & F_INDICES) != 0;
        break;
    case OP_UNPOOL:
        opname = "max_unpool";
        decode_unpool(f, &c.up);
        sst = clrs_max_unpool_output_shape(ctx, &c.in.d, &c.up, osz);
        c.has_idx = 1;
        break;
    case OP_SHUFFLE:
        opname = "pixel_shuffle";
        c.factor = fz_int(f);
        c.inverse = fz_u8(f) & 1;
        sst = clrs_pixel_shuffle_output_shape(ctx, &c.in.d, c.factor, c.inverse, osz);
        break;
    case OP_GRID: { /* the grid: mostly (N, [Do,] Ho, Wo, rank-2) in the input's dtype */
        opname = "grid_sample";
        int grank = fz_u8(f) < 240 ? rank : fz_rank(f);
        int64_t gs[CLRS_MAX_RANK];
        for (int i = 0; i < CLRS_MAX_RANK; i++) gs[i] = fz_size(f);
        if (fz_u8(f) < 240) gs[0] = sizes[0];
        if (grank >= 1 && grank <= CLRS_MAX_RANK && fz_u8(f) < 240) gs[grank - 1] = rank - 2;
        clrs_dtype gdt = fz_u8(f) < 240 ? dt : fz_dtype(f);
        make_desc(f, &c.idx, gdt, grank, gs);
        c.has_idx = 1;
        decode_grid_params(f, &c.gp);
        sst = clrs_grid_sample_output_shape(ctx, &c.in.d, &c.idx.d, osz);
        break;
    }
    case OP_AFFINE: { /* the input is theta (N, 2, 3) / (N, 3, 4) */
        static const int ranks[8] = {4, 5, 4, 5, 4, 3, 6, 0};
        opname = "affine_grid";
        c.arank = fz_pick(f, ranks, 8);
        int n = c.arank > 0 && c.arank <= 16 ? c.arank : 1;
        c.asize = malloc((size_t)n * sizeof *c.asize); /* exact: ASan sees over-reads */
        if (c.asize == NULL) fuzz_fail("out of memory");
        for (int i = 0; i < n; i++) c.asize[i] = fz_size(f);
        if (fz_u8(f) < 240) c.asize[0] = sizes[0];
        static const int ac[5] = {0, 1, 0, 1, 2};
        c.align = fz_pick(f, ac, 5);
        sst = affine_shape(&c.in.d, c.arank, c.asize, osz);
        orank = c.arank;
        break;
    }
    case OP_ORESIZE:
        decode_oresize(f, &c.rp, rank);
        opname = c.rp.upsample ? "Upsample" : "Resize";
        sst = clrs_onnx_resize_output_shape(ctx, &c.in.d, &c.rp, osz);
        break;
    case OP_OPOOL:
        decode_opool(f, &c.op_, rank);
        opname = "onnx_pool";
        sst = clrs_onnx_pool_output_shape(ctx, &c.in.d, &c.op_, osz);
        c.has_idx = (c.flags & F_INDICES) != 0;
        c.idx_out = 1;
        break;
    case OP_OUNPOOL: {
        opname = "MaxUnpool";
        decode_ounpool(f, &c.oup, rank);
        sst = clrs_onnx_max_unpool_output_shape(ctx, &c.in.d, &c.oup, osz);
        if (sst == CLRS_OK && rank >= 3 && rank <= CLRS_MAX_RANK) { /* the range of valid indices */
            idx_range = 1;
            for (int i = 0; i < rank; i++)
                if (__builtin_mul_overflow(idx_range, osz[i], &idx_range)) idx_range = INT64_MAX;
        }
        uint8_t m = fz_u8(f);
        if (m >= 128 && m < 224 && sst == CLRS_OK) { /* output_shape: the inferred one, a little larger */
            c.oup.n_output_shape = rank;
            for (int i = 0; i < rank && i < CLRS_MAX_RANK; i++)
                c.oup.output_shape[i] = osz[i] + (i >= 2 ? fz_u8(f) % 3 : 0);
        } else if (m >= 224) { /* anything */
            c.oup.n_output_shape = (int)fz_int(f);
            for (int i = 0; i < CLRS_MAX_RANK; i++) c.oup.output_shape[i] = fz_size(f);
        }
        if (m >= 128) sst = clrs_onnx_max_unpool_output_shape(ctx, &c.in.d, &c.oup, osz);
        c.has_idx = 1;
        break;
    }
    case OP_CONV:
    case OP_CONVT: { /* the weight in idx: mostly the shape the parameters ask for */
        const int tr = c.op == OP_CONVT;
        opname = tr ? "conv_transpose" : "conv";
        const int64_t C = rank >= 2 && rank <= CLRS_MAX_RANK ? sizes[1] : 1;
        decode_conv(f, &c.cp, rank, C);
        int wrank = fz_u8(f) < 240 ? rank : fz_rank(f);
        int64_t ws[CLRS_MAX_RANK];
        for (int i = 0; i < CLRS_MAX_RANK; i++) ws[i] = fz_size(f) % 5; /* kernel sizes 0..4 (0: refused) */
        const int64_t g = c.cp.groups > 0 && c.cp.groups < 64 ? c.cp.groups : 1, m = 1 + fz_u8(f) % 3;
        if (fz_u8(f) < 230) { /* (C_out, C_in/groups, k...) or transposed (C_in, C_out/groups, k...) */
            ws[0] = tr ? C : g * m;
            ws[1] = tr ? m : (C >= 0 && C < INT32_MAX ? C / g : 1);
        } else {
            ws[0] = fz_size(f);
            ws[1] = fz_size(f);
        }
        clrs_dtype wdt = fz_u8(f) < 240 ? dt : fz_dtype(f);
        make_desc(f, &c.idx, wdt, wrank, ws);
        c.has_idx = 1;
        sst = (tr ? clrs_conv_transpose_output_shape : clrs_conv_output_shape)(ctx, &c.cp, &c.in.d, &c.idx.d, osz);
        /* the bias: rank 1 of C_out, stride 1 or 2, an offset; sometimes wrong */
        uint8_t bb = fz_u8(f);
        if (bb % 3 != 0) {
            const int64_t cout = sst == CLRS_OK ? osz[1] : 1;
            memset(&c.bias, 0, sizeof c.bias);
            c.bias.dtype = bb >= 240 ? fz_dtype(f) : dt;
            c.bias.rank = bb >= 250 ? fz_rank(f) : 1;
            c.bias.sizes[0] = bb >= 230 ? fz_size(f) : cout;
            c.bias.strides[0] = 1 + fz_u8(f) % 2;
            c.bias.offset = fz_u8(f) % 3;
            if (bb >= 230) mutated_conv_bias = 1;
            const size_t es = clrs_dtype_size(c.bias.dtype);
            if (es > 0 && c.bias.sizes[0] >= 0 && c.bias.sizes[0] <= MAX_NUMEL) {
                c.bias_bytes = (size_t)(c.bias.offset + (c.bias.sizes[0] > 0 ? (c.bias.sizes[0] - 1) * c.bias.strides[0] + 1 : 0)) * es;
                c.bias_alloc = malloc(c.bias_bytes + 2 * GUARD);
                c.bias_copy = malloc(c.bias_bytes + 2 * GUARD);
                if (c.bias_alloc == NULL || c.bias_copy == NULL) fuzz_fail("out of memory");
                fill_bytes(f, c.bias_alloc, c.bias_bytes + 2 * GUARD);
                memcpy(c.bias_copy, c.bias_alloc, c.bias_bytes + 2 * GUARD);
                c.has_bias = 1;
            }
        }
        break;
    }
    default: {
        static const int dmodes[5] = {CLRS_ONNX_DCR, CLRS_ONNX_CRD, CLRS_ONNX_DCR, CLRS_ONNX_CRD, 2};
        c.factor = fz_int(f);
        c.dmode = (clrs_onnx_depth_mode)fz_pick(f, dmodes, 5);
        if (c.op == OP_D2S) {
            opname = "DepthToSpace";
            sst = clrs_onnx_depth_to_space_output_shape(ctx, &c.in.d, c.factor, osz);
        } else {
            opname = "SpaceToDepth";
            sst = clrs_onnx_space_to_depth_output_shape(ctx, &c.in.d, c.factor, osz);
        }
        break;
    }
    }
    if (c.op == OP_POOL) c.idx_out = 1;
    if (c.op != OP_AFFINE) check_status(sst, "output_shape"); /* affine's is the harness's own */

    /* output descriptor: the computed shape, or random sizes when refused */
    int64_t outsz[CLRS_MAX_RANK];
    int mutated = (c.flags & F_MUTATE) != 0 || mutated_conv_bias;
    for (int i = 0; i < CLRS_MAX_RANK; i++) outsz[i] = sst == CLRS_OK ? osz[i] : fz_size(f);
    clrs_dtype odt = dt;
    if (mutated) {
        uint8_t m = fz_u8(f);
        if (m & 1) odt = fz_dtype(f);
        if (m & 2) { /* wrapping add: the harness itself must stay defined */
            int k = fz_u8(f) % CLRS_MAX_RANK;
            outsz[k] = (int64_t)((uint64_t)outsz[k] + (uint64_t)fz_int(f));
        }
    }
    make_desc(f, &c.out, odt, orank, outsz);
    if ((c.op == OP_POOL || c.op == OP_OPOOL) && c.has_idx) {
        clrs_dtype xdt = (fz_u8(f) < 240) ? CLRS_I64 : fz_dtype(f);
        make_desc(f, &c.idx, xdt, orank, outsz);
        if (xdt != CLRS_I64) mutated = 1;
    } else if (c.op == OP_UNPOOL || c.op == OP_OUNPOOL) {
        clrs_dtype xdt = (fz_u8(f) < 240) ? CLRS_I64 : fz_dtype(f);
        int64_t xs[CLRS_MAX_RANK];
        memcpy(xs, sizes, sizeof xs);
        if (fz_u8(f) >= 240) {
            int k = fz_u8(f) % CLRS_MAX_RANK;
            xs[k] = (int64_t)((uint64_t)xs[k] + (uint64_t)fz_int(f));
            mutated = 1;
        }
        make_desc(f, &c.idx, xdt, rank, xs);
    }

    /* fractional samples: exactly N*C*sp values, or NULL */
    if (c.op == OP_POOL && c.in.sane && c.in.numel > 0 && c.in.numel <= MAX_NUMEL) {
        int kind = fz_u8(f) % 3;
        int64_t ns = c.in.d.sizes[0] * c.in.d.sizes[1] * (rank - 2); /* <= 3 numel: no overflow */
        if (kind != 0 && ns > 0 && ns <= MAX_NUMEL) {
            /* 8 bytes per sample whatever the dtype: a samples_dtype changed
             * below to F64 must not make the library read past the array */
            c.samples = calloc((size_t)ns, 8);
            if (c.samples == NULL) fuzz_fail("out of memory");
            for (int64_t i = 0; i < ns; i++) {
                uint8_t v = fz_u8(f);
                double u = v < 250 ? v / 250.0 : v == 250 ? 1.0 : v == 251 ? -0.25 : v == 252 ? NAN : 0.999999999;
                if (kind == 1) ((float *)c.samples)[i] = (float)u;
                else ((double *)c.samples)[i] = u;
            }
            c.pp.samples = c.samples;
            c.pp.samples_dtype = kind == 1 ? CLRS_F32 : CLRS_F64;
        }
        if (fz_u8(f) >= 250) c.pp.samples_dtype = fz_dtype(f);
    }

    /* real memory when every tensor is small enough, else NULL pointers */
    ft *all[3] = {&c.in, &c.out, c.has_idx || c.op == OP_UNPOOL ? &c.idx : NULL};
    int real = 1;
    for (int i = 0; i < 3; i++)
        if (all[i] && (!all[i]->sane || all[i]->numel > MAX_NUMEL || all[i]->bytes > MAX_BYTES)) real = 0;
    int use_cl = real && (c.flags & F_CLMEM);
    if (real) {
        ft_alloc(f, &c.in, 0);
        ft_alloc(f, &c.out, 1);
        if (c.op == OP_AFFINE && fz_u8(f) < 224) fill_coords(f, &c.in);
        if (all[2]) {
            ft_alloc(f, &c.idx, c.idx_out);
            if (c.op == OP_GRID && fz_u8(f) < 224) fill_coords(f, &c.idx);
            if (c.op == OP_OUNPOOL && clrs_dtype_size(c.idx.d.dtype) == 8 && c.idx.bytes > 0) {
                int64_t *v = (int64_t *)c.idx.base; /* mostly valid flat indices */
                int64_t range = idx_range > 0 ? idx_range : 1;
                for (size_t i = 0; i < c.idx.bytes / 8; i++) {
                    uint8_t b = fz_u8(f);
                    v[i] = b < 240 ? (int64_t)((uint64_t)(b * 7919u + i * 31u) % (uint64_t)range) : fz_int(f);
                }
                memcpy(c.idx.copy, c.idx.alloc, c.idx.bytes + 2 * GUARD);
            }
            if (c.op == OP_UNPOOL && clrs_dtype_size(c.idx.d.dtype) == 8 && c.idx.bytes > 0) {
                /* mostly valid indices into the output plane, some not */
                int64_t plane = 1;
                for (int i = 2; i < orank && i < CLRS_MAX_RANK; i++)
                    if (__builtin_mul_overflow(plane, outsz[i] > 0 ? outsz[i] : 1, &plane)) plane = INT64_MAX;
                int64_t *v = (int64_t *)c.idx.base;
                for (size_t i = 0; i < c.idx.bytes / 8; i++) {
                    uint8_t b = fz_u8(f);
                    v[i] = b < 240 ? (int64_t)(b * 7919u) % (plane > 0 ? plane : 1) : fz_int(f);
                }
                memcpy(c.idx.copy, c.idx.alloc, c.idx.bytes + 2 * GUARD);
            }
        }
    }
    int expect_reject = 0;
    clrs_status st = use_cl ? run_cl(f, &c, &expect_reject) : run_host(&c);
    check_status(st, opname);
    static int verbose = -1;
    if (verbose < 0) verbose = getenv("FUZZ_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "fuzz_ops: %s %s rank %d%s%s: shape %s, call %s%s%s\n", opname, clrs_dtype_name(dt), rank,
                real ? "" : " (no memory)", use_cl ? " cl_mem" : "", clrs_status_name(sst), clrs_status_name(st),
                st != CLRS_OK ? ": " : "", st != CLRS_OK ? clrs_last_error(ctx) : "");

    /* the oracles */
    if (sst != CLRS_OK && st == CLRS_OK) fuzz_fail("%s accepted what its output_shape refused (%s)", opname, clrs_status_name(sst));
    if (expect_reject && st == CLRS_OK) fuzz_fail("%s accepted a too small or aliasing cl_mem", opname);
    if (!real && st == CLRS_OK && !c.out.empty)
        fuzz_fail("%s returned OK with NULL data pointers and a non-empty output", opname);
    if (st == CLRS_ERR_INTERNAL || st == CLRS_ERR_OPENCL || st == CLRS_ERR_BUILD_FAILED)
        fuzz_fail("%s: %s: %s", opname, clrs_status_name(st), clrs_last_error(ctx));
    if (sst == CLRS_OK && !mutated && st == CLRS_ERR_BAD_SHAPE)
        fuzz_fail("%s: BAD_SHAPE for the shape its output_shape gave: %s", opname, clrs_last_error(ctx));
    if (real && st == CLRS_OK) {
        ft_check(&c.in, 0, opname);
        ft_check(&c.out, 1, opname);
        if (all[2]) ft_check(&c.idx, c.idx_out, opname);
    } else if (real && !use_cl) {
        ft_check(&c.in, 0, opname); /* inputs stay untouched whatever happens */
        if (all[2] && !c.idx_out) ft_check(&c.idx, 0, opname);
    }
    if (c.has_bias && memcmp(c.bias_alloc, c.bias_copy, c.bias_bytes + 2 * GUARD) != 0)
        fuzz_fail("%s modified its bias", opname);
    if (c.op == OP_POOL || c.op == OP_INTERP)
        run_backward(f, &c, dt, rank, sizes, osz, sst, real && st == CLRS_OK && c.has_idx && !use_cl);
    ft_free(&c.in);
    ft_free(&c.out);
    ft_free(&c.idx);
    free(c.samples);
    free(c.asize);
    free(c.bias_alloc);
    free(c.bias_copy);
    return 0;
}
