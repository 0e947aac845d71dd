/* Shared declarations of the operator implementations. */
#ifndef CLRS_OPS_H
#define CLRS_OPS_H
#include "../internal.h"

/* interpolate's resolved arguments (src/ops/interpolate.c) */
typedef struct clrs_interp_plan {
    clrs_interp_mode mode;
    int sp;                     /* spatial rank */
    int align_corners;
    int antialias;
    int64_t in[3], out[3];      /* spatial sizes */
    double scale[3];            /* scale_factor used for coordinates, -1 = none (in/out) */
    int64_t out_sizes[CLRS_MAX_RANK];
    int64_t numel_out;
} clrs_interp_plan;

clrs_status clrs__interp_plan(clrs_context *ctx, const clrs_tensor_desc *in, const clrs_interpolate_params *p,
                              clrs_interp_plan *plan);
/* PyTorch CPU's nearest / nearest-exact source index under its "idx" or
 * "generic" kernel rule (see interpolate.c). */
int64_t clrs__nearest_index(int exact, int idx_rule, int f64, int64_t o, int64_t in, int64_t out, double scale);
#endif
