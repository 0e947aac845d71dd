/* SPDX-License-Identifier: MIT */
/* The 5-D iteration geometry both operator families hand their kernels
 * (src/ops/geometry.c): sizes and strides in and out, memory order
 * (channels-last), the channel fold, and the proofs that offsets fit in a
 * 32-bit int.
 *
 * Two orders exist on purpose, because the kernels expect them:
 *   - sorted (resampling: gather.cl, resample*.cl): the iteration dims in
 *     output memory order, dense copied dims folded together, size-1 copied
 *     dims dropped (clrs__iter_sorted), with the optional lane swap
 *     (clrs__iter_lanes) and the channel fold (clrs__iter_fold_c);
 *   - fixed NCDHW (pooling, unpooling, pixel shuffle: pool*.cl): the
 *     logical (N, C, D, H, W) sizes and strides (clrs__iter_ncdhw), with the
 *     walk order a runtime/-D flag (clrs__iter_channels_last, ORDER) and the
 *     grid from it (clrs__iter_grid). */
#ifndef CLRS_GEOMETRY_H
#define CLRS_GEOMETRY_H

#include "../internal.h"

/* ---- sorted order (resampling) -------------------------------------------- */
/* Dims 0..4 innermost first: output sizes, output and input strides, and the
 * table offset of a resampled dim (-1 for a copied one). */
typedef struct clrs_iter5 {
    cl_long8 osz, ost, ist, toff;
} clrs_iter5;

/* Iteration order: smallest output stride first, size-1 dims last; a copied
 * dim folds into the previous copied dim where both tensors are dense across
 * the two, and size-1 copied dims vanish. spatial_toff[a] is the table
 * offset of spatial axis a (or -1). */
void clrs__iter_sorted(const clrs_tensor_desc *in, const clrs_tensor_desc *out, const int64_t *spatial_toff,
                       clrs_iter5 *d);
/* The lane swap: dims 0 and 1 exchanged where dim 0 is shorter than 16 and
 * dim 1 is not, only when dim 0 is copied (resampling's rule: its weighted
 * kernel sums dim 0 innermost, and a copied dim's single tap of weight 1
 * adds nothing to the order of the sums, so every result keeps its bits). */
void clrs__iter_lanes(clrs_iter5 *d);
/* The channel fold (-D PERC / -D GC): C when dim 1 is a copied dim of
 * 2 <= C <= 8 unit-stride elements inside dim 0 (channels-last after the
 * lane swap), else 0. */
int clrs__iter_fold_c(const clrs_iter5 *d);
/* The int32 proof of the sorted order: dim 0's offsets (in and out) and
 * every table entry (max_tab the largest) fit in an int, with a few units of
 * headroom (-D WIDE adds up to 3 to an offset). */
int clrs__iter_fits_int(const clrs_iter5 *d, int64_t max_tab);

/* ---- fixed NCDHW order (pooling, unpooling, pixel shuffle) ---------------- */
/* Logical (N, C, D, H, W) sizes / strides; missing leading spatial axes have
 * size 1 and stride 0. */
void clrs__iter_ncdhw(const clrs_tensor_desc *d, cl_long8 *sz, cl_long8 *st);
/* Work-item x walks C when the output is channels-last-like (C has the
 * smallest stride among the dims that matter), else W. */
int clrs__iter_channels_last(const clrs_tensor_desc *out);
/* One work-item per output element: (C, W, H*D*N) or (W, H, D*C*N). */
void clrs__iter_grid(const cl_long8 *osz, int cl_order, size_t g[3]);
/* The int32 proof of the fixed order (-D OFF32): every element offset of
 * the tensors present (and every flat plane index) fits in a 32-bit int. */
int clrs__iter_tensors_fit_int(const clrs_targ *t, int nt);

#endif /* CLRS_GEOMETRY_H */
