/* SPDX-License-Identifier: MIT */
/* Named implementations chosen from ordered lists (oneDNN's pattern, in C).
 *
 * Each operator family keeps a `static const` table whose entries begin
 * with a clrs_impl: a name and an eligibility check that declines with a
 * reason. clrs__pick() walks the table in order and takes the first entry
 * that accepts; every decision is logged (CLRS_LOG=debug,dispatch) and
 * reported to the calling thread's clrs_explain_begin() callback. The
 * family then builds the entry's kernel (its own kernel name, its -D
 * options from its config) and launches it. */
#ifndef CLRS_DISPATCH_H
#define CLRS_DISPATCH_H

#include <stddef.h>

#include "internal.h"

/* clrs_impl.flags */
#define CLRS_IMPL_EXACT 1u /* gives the bits of the family's general (last) entry on every input */

typedef struct clrs_impl {
    const char *name; /* "vper": reported as "<family>/vper" */
    unsigned flags;   /* CLRS_IMPL_* */
    /* 0 when the entry takes the call (`problem` is the family's own
     * struct); else nonzero with a short reason written to why */
    int (*decline)(const clrs_context *ctx, const void *problem, char *why, size_t len);
} clrs_impl;

/* Index of the first entry of `list` (n entries of `stride` bytes, each
 * beginning with a clrs_impl) that accepts `problem`; -1 (with an error
 * recorded) when none does, which is a bug: the last entry of every list
 * is the general one and accepts everything. */
int clrs__pick(const clrs_context *ctx, const char *family, const void *list, size_t n, size_t stride,
               const void *problem);
#define CLRS_PICK(ctx, family, table, problem) \
    clrs__pick((ctx), (family), (table), CLRS_ARRAY_LEN(table), sizeof(table)[0], (problem))

/* Every family's list, for tests and `clresample info` (each family's
 * file defines its clrs__impls_<family>; the registry is in dispatch.c). */
typedef struct clrs_impl_list {
    const char *family;
    const void *list;
    size_t n, stride;
} clrs_impl_list;
#define CLRS_IMPL_LIST(var, family, table) \
    const clrs_impl_list var = {(family), (table), CLRS_ARRAY_LEN(table), sizeof(table)[0]}
const clrs_impl_list *const *clrs__impl_lists(size_t *count);
/* 1 when `name` is the last (general) entry of `family`'s list, 0 when it
 * is another entry, -1 when there is no such entry. */
int clrs__impl_at_general(const char *family, const char *name);
static inline const clrs_impl *clrs__impl_at(const clrs_impl_list *l, size_t i)
{
    return (const clrs_impl *)(const void *)((const char *)l->list + i * l->stride);
}

/* Implementations to skip ("family/name", or "family" for all its
 * specialised entries; comma-separated):
 * CLRS_DISABLE_IMPLS, read once per process, or, for the calling thread
 * only, clrs__dispatch_disable() (tests: every comparison run again with
 * each specialised entry off; NULL restores the environment's list). A
 * family's last (general) entry cannot be disabled. */
void clrs__dispatch_disable(const char *list);

/* Report one decision by hand (for launches not chosen from a list, e.g.
 * the second launch of a two-part implementation). */
void clrs__dispatch_declined(const char *family, const char *impl, const char *fmt, ...) CLRS_PRINTF(3, 4);
void clrs__dispatch_chosen(const char *family, const char *impl);

/* The calling thread is in a CLRS_EXPLAIN_DRY_RUN explain section: no
 * kernel is built or launched (clrs__get_kernel hands out NULL kernels,
 * clrs__set_arg ignores them, the enqueue helpers enqueue a marker
 * instead) and host calls copy no output back. */
int clrs__dry_run(void);

/* The families' lists (each defined in its family's file). */
extern const clrs_impl_list clrs__impls_resample;      /* src/ops/resample_engine.c */
extern const clrs_impl_list clrs__impls_gather;        /* src/ops/resample_engine.c */
extern const clrs_impl_list clrs__impls_resize_batch;  /* src/ops/resize_batch.c */
extern const clrs_impl_list clrs__impls_pool;          /* src/ops/pool.c */
extern const clrs_impl_list clrs__impls_unpool;        /* src/ops/unpool.c */
extern const clrs_impl_list clrs__impls_unpool_backward; /* src/ops/unpool.c */
extern const clrs_impl_list clrs__impls_pool_backward; /* src/ops/pool_backward.c */
extern const clrs_impl_list clrs__impls_interp_backward; /* src/ops/interp_backward.c */
extern const clrs_impl_list clrs__impls_pixel_shuffle; /* src/ops/pixel_shuffle.c */
extern const clrs_impl_list clrs__impls_grid_sample;   /* src/ops/grid_sample.c */
extern const clrs_impl_list clrs__impls_affine_grid;   /* src/ops/grid_sample.c */
extern const clrs_impl_list clrs__impls_resize_fill;   /* src/ops/onnx_resize.c */
extern const clrs_impl_list clrs__impls_pool_backward_avg; /* src/ops/pool_backward.c */
extern const clrs_impl_list clrs__impls_conv;          /* src/ops/conv.c */
extern const clrs_impl_list clrs__impls_conv_transpose; /* src/ops/conv.c */

#endif /* CLRS_DISPATCH_H */
