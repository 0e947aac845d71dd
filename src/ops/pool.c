/* Pooling, max unpooling and pixel shuffle: parameter initialisation.
 * The operators themselves come with the pooling work; until then every
 * entry point answers CLRS_ERR_NOT_IMPLEMENTED after checking its arguments. */
#include <string.h>

#include "../internal.h"
#include "ops.h"

void clrs_pool_params_init(clrs_pool_params *p, clrs_pool_kind kind)
{
    if (p == NULL) return;
    memset(p, 0, sizeof *p);
    p->struct_size = sizeof *p;
    p->kind = kind;
    p->count_include_pad = 1;
    p->norm_type = 2.0;
    p->samples_dtype = CLRS_DTYPE_INVALID;
}

void clrs_unpool_params_init(clrs_unpool_params *p)
{
    if (p == NULL) return;
    memset(p, 0, sizeof *p);
    p->struct_size = sizeof *p;
}

static clrs_status not_yet(clrs_context *ctx, const char *op)
{
    clrs__clear_error(ctx);
    return clrs__fail(ctx, CLRS_ERR_NOT_IMPLEMENTED, "%s is not implemented yet", op);
}

clrs_status clrs_pool_output_shape(clrs_context *ctx, const clrs_tensor_desc *in, const clrs_pool_params *p,
                                   int64_t out_sizes[CLRS_MAX_RANK])
{
    (void)in, (void)p, (void)out_sizes;
    return not_yet(ctx, "pooling");
}

clrs_status clrs_pool(clrs_context *ctx, const clrs_pool_params *p, const clrs_tensor_desc *in, const void *in_data,
                      const clrs_tensor_desc *out, void *out_data, const clrs_tensor_desc *indices, void *idx_data)
{
    (void)p, (void)in, (void)in_data, (void)out, (void)out_data, (void)indices, (void)idx_data;
    return not_yet(ctx, "pooling");
}

clrs_status clrs_pool_cl(clrs_context *ctx, const clrs_pool_params *p, const clrs_tensor_desc *in, cl_mem in_mem,
                         const clrs_tensor_desc *out, cl_mem out_mem, const clrs_tensor_desc *indices, cl_mem idx_mem,
                         cl_command_queue queue, cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    (void)p, (void)in, (void)in_mem, (void)out, (void)out_mem, (void)indices, (void)idx_mem;
    (void)queue, (void)num_wait, (void)wait_list, (void)event;
    return not_yet(ctx, "pooling");
}

clrs_status clrs_max_unpool_output_shape(clrs_context *ctx, const clrs_tensor_desc *in, const clrs_unpool_params *p,
                                         int64_t out_sizes[CLRS_MAX_RANK])
{
    (void)in, (void)p, (void)out_sizes;
    return not_yet(ctx, "max_unpool");
}

clrs_status clrs_max_unpool(clrs_context *ctx, const clrs_unpool_params *p, const clrs_tensor_desc *in,
                            const void *in_data, const clrs_tensor_desc *indices, const void *idx_data,
                            const clrs_tensor_desc *out, void *out_data)
{
    (void)p, (void)in, (void)in_data, (void)indices, (void)idx_data, (void)out, (void)out_data;
    return not_yet(ctx, "max_unpool");
}

clrs_status clrs_max_unpool_cl(clrs_context *ctx, const clrs_unpool_params *p, const clrs_tensor_desc *in,
                               cl_mem in_mem, const clrs_tensor_desc *indices, cl_mem idx_mem,
                               const clrs_tensor_desc *out, cl_mem out_mem, cl_command_queue queue,
                               cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    (void)p, (void)in, (void)in_mem, (void)indices, (void)idx_mem, (void)out, (void)out_mem;
    (void)queue, (void)num_wait, (void)wait_list, (void)event;
    return not_yet(ctx, "max_unpool");
}

clrs_status clrs_pixel_shuffle_output_shape(clrs_context *ctx, const clrs_tensor_desc *in, int64_t factor,
                                            int inverse, int64_t out_sizes[CLRS_MAX_RANK])
{
    (void)in, (void)factor, (void)inverse, (void)out_sizes;
    return not_yet(ctx, "pixel_shuffle");
}

clrs_status clrs_pixel_shuffle(clrs_context *ctx, int64_t factor, int inverse, const clrs_tensor_desc *in,
                               const void *in_data, const clrs_tensor_desc *out, void *out_data)
{
    (void)factor, (void)inverse, (void)in, (void)in_data, (void)out, (void)out_data;
    return not_yet(ctx, "pixel_shuffle");
}

clrs_status clrs_pixel_shuffle_cl(clrs_context *ctx, int64_t factor, int inverse, const clrs_tensor_desc *in,
                                  cl_mem in_mem, const clrs_tensor_desc *out, cl_mem out_mem, cl_command_queue queue,
                                  cl_uint num_wait, const cl_event *wait_list, cl_event *event)
{
    (void)factor, (void)inverse, (void)in, (void)in_mem, (void)out, (void)out_mem;
    (void)queue, (void)num_wait, (void)wait_list, (void)event;
    return not_yet(ctx, "pixel_shuffle");
}
