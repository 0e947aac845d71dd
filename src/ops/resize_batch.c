/* SPDX-License-Identifier: MIT */
/* resize_batch: N images (tensors) of different spatial sizes resized to
 * one size, F.interpolate(img, size=...) per image, into one output batch.
 *
 * Every image is planned by interpolate's own rules (clrs__interp_plan:
 * its scale comes from its own size, as F.interpolate with size=) and runs
 * interpolate's enqueue on its rows of the output, so each image's bits are
 * those of clrs_interpolate on it, whatever the mode, dtype or layout.
 *
 * The family "resize_batch" has one implementation for now:
 *  - per_image: the images' launches enqueued one after the other with no
 *    wait between them (their outputs are disjoint rows); the call's event
 *    is a marker after all of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dispatch.h"
#include "../internal.h"
#include "ops.h"

typedef struct batch_plan {
    size_t n;
    clrs_interp_plan *plans; /* per image */
    int64_t *row0;           /* each image's first row (dim 0) of the output */
} batch_plan;

typedef struct batch_impl {
    clrs_impl base;
} batch_impl;

enum { B_PER_IMAGE };
static const batch_impl BATCH_IMPLS[] = {
    [B_PER_IMAGE] = {{"per_image", CLRS_IMPL_EXACT, NULL}}, /* the general entry: takes every call */
};
CLRS_IMPL_LIST(clrs__impls_resize_batch, "resize_batch", BATCH_IMPLS);

static void batch_free(batch_plan *b)
{
    free(b->plans);
    free(b->row0);
    memset(b, 0, sizeof *b);
}

/* The checks of both calling conventions: every image against interpolate's
 * rules, the same rank, channels and dtype as image 0, a size (not a scale)
 * and the output's sizes (sum of the images' dim 0, C, the size). */
static clrs_status batch_prepare(clrs_context *ctx, const clrs_interpolate_params *p, size_t n,
                                 const clrs_tensor_desc *in, const clrs_tensor_desc *out, batch_plan *b)
{
    memset(b, 0, sizeof *b);
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "resize_batch: ctx is NULL");
    if (p == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "resize_batch: params is NULL");
    if (n == 0) return CLRS_OK; /* an empty batch: nothing to do, as torch on an empty list */
    if (in == NULL || out == NULL)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "resize_batch: %s is NULL", in == NULL ? "in" : "out");
    if (n > (size_t)INT32_MAX - 1)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "resize_batch: %zu images (at most %d)", n, INT32_MAX - 1);
    if (p->struct_size == sizeof *p && p->n_size == 0)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM,
                          "resize_batch needs an output size (n_size > 0): a scale_factor would give images "
                          "of different sizes different output sizes");
    b->n = n;
    b->plans = calloc(n, sizeof *b->plans);
    b->row0 = calloc(n, sizeof *b->row0);
    if (b->plans == NULL || b->row0 == NULL) {
        batch_free(b);
        return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "resize_batch: plans of %zu images", n);
    }
    int64_t rows = 0;
    for (size_t i = 0; i < n; i++) {
        clrs_status st = clrs__interp_plan(ctx, &in[i], p, &b->plans[i]);
        if (st != CLRS_OK) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", clrs_last_error(ctx));
            batch_free(b);
            return clrs__fail(ctx, st, "resize_batch: image %zu: %s", i, msg);
        }
        const char *bad = NULL;
        clrs_status code = CLRS_OK;
        if (in[i].rank != in[0].rank) {
            bad = "rank";
            code = CLRS_ERR_BAD_SHAPE;
        } else if (in[i].sizes[1] != in[0].sizes[1]) {
            bad = "channel count";
            code = CLRS_ERR_BAD_SHAPE;
        } else if (in[i].dtype != in[0].dtype) {
            bad = "dtype";
            code = CLRS_ERR_BAD_DTYPE;
        }
        if (bad != NULL) {
            char vi[32], v0[32];
            if (code == CLRS_ERR_BAD_DTYPE) {
                snprintf(vi, sizeof vi, "%s", clrs_dtype_name(in[i].dtype));
                snprintf(v0, sizeof v0, "%s", clrs_dtype_name(in[0].dtype));
            } else {
                const int rk = !strcmp(bad, "rank");
                snprintf(vi, sizeof vi, "%lld", (long long)(rk ? in[i].rank : in[i].sizes[1]));
                snprintf(v0, sizeof v0, "%lld", (long long)(rk ? in[0].rank : in[0].sizes[1]));
            }
            batch_free(b);
            return clrs__fail(ctx, code, "resize_batch: image %zu has %s %s but image 0 has %s", i, bad, vi, v0);
        }
        b->row0[i] = rows;
        if (__builtin_add_overflow(rows, in[i].sizes[0], &rows)) {
            batch_free(b);
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "resize_batch: the images' dim 0 sizes overflow 64 bits");
        }
    }
    if (in[0].dtype == CLRS_I64) {
        batch_free(b);
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "resize_batch does not take dtype %s", clrs_dtype_name(CLRS_I64));
    }
    int64_t want[CLRS_MAX_RANK];
    memcpy(want, b->plans[0].out_sizes, sizeof want);
    want[0] = rows;
    clrs_status st = clrs__check_output(ctx, "resize_batch", out, in[0].rank, want, in[0].dtype);
    if (st != CLRS_OK) batch_free(b);
    return st;
}

/* t[0..n-1]: the images; t[n]: the output batch. */
static clrs_status batch_enqueue(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                                 cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    (void)nt;
    const batch_plan *b = op;
    const int which = CLRS_PICK(ctx, "resize_batch", BATCH_IMPLS, b);
    if (which < 0) return CLRS_ERR_INTERNAL; /* (recorded by the pick) */
    const clrs_targ *out = &t[b->n];
    /* with an event to give: one per image, joined by a marker */
    cl_event *evs = NULL;
    if (ev != NULL) {
        evs = calloc(b->n, sizeof *evs);
        if (evs == NULL) return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "resize_batch: %zu events", b->n);
    }
    clrs_status st = CLRS_OK;
    cl_uint nev = 0;
    for (size_t i = 0; i < b->n && st == CLRS_OK; i++) {
        if (b->plans[i].numel_out == 0) continue;
        clrs_targ pair[2] = {t[i], *out};
        pair[1].desc.sizes[0] = t[i].desc.sizes[0];
        pair[1].desc.offset = out->desc.offset + b->row0[i] * out->desc.strides[0];
        st = clrs__interp_enqueue(ctx, &b->plans[i], pair, 2, q, nwait, wait, evs ? &evs[nev] : NULL);
        if (st == CLRS_OK && evs) nev++;
    }
    if (st == CLRS_OK && ev != NULL) st = clrs__enqueue_marker(ctx, q, nev ? nev : nwait, nev ? evs : wait, ev);
    for (cl_uint k = 0; k < nev; k++) clReleaseEvent(evs[k]);
    free(evs);
    return st;
}

clrs_status clrs_resize_batch(clrs_context *ctx, const clrs_interpolate_params *p, size_t n,
                              const clrs_tensor_desc *in, const void *const *in_data, const clrs_tensor_desc *out,
                              void *out_data)
{
    clrs__clear_error(ctx);
    batch_plan b;
    CLRS_FORWARD(batch_prepare(ctx, p, n, in, out, &b));
    if (n == 0) return CLRS_OK;
    clrs_status st = CLRS_OK;
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) total += b.plans[i].numel_out;
    if (total > 0 && in_data == NULL) st = clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "resize_batch: in_data is NULL");
    if (st == CLRS_OK && total > 0 && out_data == NULL)
        st = clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "resize_batch: output data pointer is NULL");
    for (size_t i = 0; i < n && st == CLRS_OK; i++)
        if (b.plans[i].numel_out > 0 && in_data[i] == NULL)
            st = clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "resize_batch: image %zu: input data pointer is NULL", i);
    clrs_host_tensor *ht = st == CLRS_OK ? calloc(n + 1, sizeof *ht) : NULL;
    if (st == CLRS_OK && ht == NULL)
        st = clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "resize_batch: %zu tensor arguments", n + 1);
    if (st == CLRS_OK) {
        for (size_t i = 0; i < n; i++) {
            ht[i].desc = &in[i];
            ht[i].data = in_data[i];
            ht[i].is_output = 0;
        }
        ht[n].desc = out;
        ht[n].data = out_data;
        ht[n].is_output = 1;
        st = clrs__host_call(ctx, &b, ht, (int)n + 1, batch_enqueue);
    }
    free(ht);
    batch_free(&b);
    return st;
}

clrs_status clrs_resize_batch_cl(clrs_context *ctx, const clrs_interpolate_params *p, size_t n,
                                 const clrs_tensor_desc *in, const cl_mem *in_mem, const clrs_tensor_desc *out,
                                 cl_mem out_mem, cl_command_queue queue, cl_uint num_wait, const cl_event *wait_list,
                                 cl_event *event)
{
    clrs__clear_error(ctx);
    batch_plan b;
    CLRS_FORWARD(batch_prepare(ctx, p, n, in, out, &b));
    if (n == 0) {
        if (event == NULL) return CLRS_OK;
        if ((num_wait > 0) != (wait_list != NULL))
            return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "num_wait is %u but wait_list is %s", num_wait,
                              wait_list ? "non-NULL" : "NULL");
        return clrs__enqueue_marker(ctx, queue ? queue : ctx->queue, num_wait, wait_list, event);
    }
    clrs_status st = CLRS_OK;
    if (in_mem == NULL) st = clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "resize_batch: in_mem is NULL");
    clrs_targ *t = st == CLRS_OK ? calloc(n + 1, sizeof *t) : NULL;
    if (st == CLRS_OK && t == NULL)
        st = clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "resize_batch: %zu tensor arguments", n + 1);
    if (st == CLRS_OK) {
        for (size_t i = 0; i < n; i++) t[i] = (clrs_targ){in[i], in_mem[i], 0};
        t[n] = (clrs_targ){*out, out_mem, 1};
        st = clrs__cl_call(ctx, &b, t, (int)n + 1, queue, num_wait, wait_list, event, batch_enqueue);
    }
    free(t);
    batch_free(&b);
    return st;
}
