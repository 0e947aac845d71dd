/* SPDX-License-Identifier: MIT */
/*
 * clresample OpenCL interop: contexts on the caller's own cl_context and
 * queue, and operator calls on cl_mem buffers that enqueue without blocking.
 *
 * The cl_mem calls enqueue on `queue` (NULL: the context's own queue), wait
 * for `num_wait` events in `wait_list`, and return an event for the last
 * command in `*event` when event != NULL. They never call clFinish. One
 * exception: clrs_max_unpool_cl waits for its small index-check kernel (and
 * so for the wait list) before returning, so that an index out of range is
 * reported as CLRS_ERR_INDEX_OUT_OF_RANGE instead of a silent bad write: do
 * not pass it a user event that you complete only after it returns. Tensor
 * descriptors' `offset` fields are element offsets into the buffers.
 * Any queue passed must belong to the context's cl_context and device.
 */
#ifndef CLRESAMPLE_CL_INTEROP_H
#define CLRESAMPLE_CL_INTEROP_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#ifdef __APPLE__
#include <OpenCL/opencl.h>
#else
#include <CL/cl.h>
#endif

#include "../clresample.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Wrap the caller's context, device and in-order queue (all retained, released with the context). */
CLRS_API CLRS_NODISCARD clrs_status clrs_context_create_from_cl(clrs_context **out, cl_context context,
                                                                cl_device_id device,
                                                                cl_command_queue queue);
/** The context's OpenCL objects (not retained for the caller). Any pointer may be NULL. */
CLRS_API clrs_status clrs_context_get_cl(const clrs_context *ctx, cl_context *context,
                                         cl_device_id *device, cl_command_queue *queue);
/** The OpenCL error code behind the calling thread's last CLRS_ERR_OPENCL (CL_SUCCESS if none). */
CLRS_API cl_int clrs_last_cl_error(const clrs_context *ctx);

CLRS_API clrs_status clrs_interpolate_cl(clrs_context *ctx, const clrs_interpolate_params *p,
                                         const clrs_tensor_desc *in, cl_mem in_mem,
                                         const clrs_tensor_desc *out, cl_mem out_mem,
                                         cl_command_queue queue, cl_uint num_wait,
                                         const cl_event *wait_list, cl_event *event);

/** clrs_resize_batch on buffers: image i is in[i] in in_mem[i] (an array of
 *  n cl_mem; the same cl_mem may be given for several images, each at its
 *  own in[i].offset), the batch is out in out_mem (which may not overlap an
 *  image). The event completes when every image is done; n == 0 enqueues
 *  only a marker (when an event is asked for). */
CLRS_API clrs_status clrs_resize_batch_cl(clrs_context *ctx, const clrs_interpolate_params *p, size_t n,
                                          const clrs_tensor_desc *in, const cl_mem *in_mem,
                                          const clrs_tensor_desc *out, cl_mem out_mem,
                                          cl_command_queue queue, cl_uint num_wait,
                                          const cl_event *wait_list, cl_event *event);

CLRS_API clrs_status clrs_pool_cl(clrs_context *ctx, const clrs_pool_params *p,
                                  const clrs_tensor_desc *in, cl_mem in_mem,
                                  const clrs_tensor_desc *out, cl_mem out_mem,
                                  const clrs_tensor_desc *indices, cl_mem idx_mem,
                                  cl_command_queue queue, cl_uint num_wait,
                                  const cl_event *wait_list, cl_event *event);

CLRS_API clrs_status clrs_max_unpool_cl(clrs_context *ctx, const clrs_unpool_params *p,
                                        const clrs_tensor_desc *in, cl_mem in_mem,
                                        const clrs_tensor_desc *indices, cl_mem idx_mem,
                                        const clrs_tensor_desc *out, cl_mem out_mem,
                                        cl_command_queue queue, cl_uint num_wait,
                                        const cl_event *wait_list, cl_event *event);

CLRS_API clrs_status clrs_pixel_shuffle_cl(clrs_context *ctx, int64_t factor, int inverse,
                                           const clrs_tensor_desc *in, cl_mem in_mem,
                                           const clrs_tensor_desc *out, cl_mem out_mem,
                                           cl_command_queue queue, cl_uint num_wait,
                                           const cl_event *wait_list, cl_event *event);

/* Backward (clresample.h): grad_out read, grad_in written. Like
 * clrs_max_unpool_cl, clrs_max_unpool_backward_cl and clrs_pool_backward_cl
 * wait for their index check (and so for the wait list) before returning. */
CLRS_API clrs_status clrs_pixel_shuffle_backward_cl(clrs_context *ctx, int64_t factor, int inverse,
                                                    const clrs_tensor_desc *grad_out, cl_mem go_mem,
                                                    const clrs_tensor_desc *grad_in, cl_mem gi_mem,
                                                    cl_command_queue queue, cl_uint num_wait,
                                                    const cl_event *wait_list, cl_event *event);

/* in_mem is only read (and only needed) when indices is NULL. */
CLRS_API clrs_status clrs_pool_backward_cl(clrs_context *ctx, const clrs_pool_params *p,
                                           const clrs_tensor_desc *in, cl_mem in_mem,
                                           const clrs_tensor_desc *indices, cl_mem idx_mem,
                                           const clrs_tensor_desc *grad_out, cl_mem go_mem,
                                           const clrs_tensor_desc *grad_in, cl_mem gi_mem,
                                           cl_command_queue queue, cl_uint num_wait,
                                           const cl_event *wait_list, cl_event *event);

/* `in`: the forward input's descriptor (no data). */
CLRS_API clrs_status clrs_interpolate_backward_cl(clrs_context *ctx, const clrs_interpolate_params *p,
                                                  const clrs_tensor_desc *in,
                                                  const clrs_tensor_desc *grad_out, cl_mem go_mem,
                                                  const clrs_tensor_desc *grad_in, cl_mem gi_mem,
                                                  cl_command_queue queue, cl_uint num_wait,
                                                  const cl_event *wait_list, cl_event *event);

CLRS_API clrs_status clrs_max_unpool_backward_cl(clrs_context *ctx, const clrs_unpool_params *p,
                                                 const clrs_tensor_desc *indices, cl_mem idx_mem,
                                                 const clrs_tensor_desc *grad_out, cl_mem go_mem,
                                                 const clrs_tensor_desc *grad_in, cl_mem gi_mem,
                                                 cl_command_queue queue, cl_uint num_wait,
                                                 const cl_event *wait_list, cl_event *event);

CLRS_API clrs_status clrs_grid_sample_cl(clrs_context *ctx, const clrs_grid_sample_params *p,
                                         const clrs_tensor_desc *in, cl_mem in_mem,
                                         const clrs_tensor_desc *grid, cl_mem grid_mem,
                                         const clrs_tensor_desc *out, cl_mem out_mem,
                                         cl_command_queue queue, cl_uint num_wait,
                                         const cl_event *wait_list, cl_event *event);

CLRS_API clrs_status clrs_affine_grid_cl(clrs_context *ctx, const clrs_tensor_desc *theta,
                                         cl_mem theta_mem, int rank, const int64_t *size,
                                         int align_corners, const clrs_tensor_desc *grid,
                                         cl_mem grid_mem, cl_command_queue queue, cl_uint num_wait,
                                         const cl_event *wait_list, cl_event *event);

CLRS_API clrs_status clrs_conv_cl(clrs_context *ctx, const clrs_conv_params *p,
                                  const clrs_tensor_desc *in, cl_mem in_mem,
                                  const clrs_tensor_desc *weight, cl_mem w_mem,
                                  const clrs_tensor_desc *bias, cl_mem bias_mem,
                                  const clrs_tensor_desc *out, cl_mem out_mem,
                                  cl_command_queue queue, cl_uint num_wait,
                                  const cl_event *wait_list, cl_event *event);

CLRS_API clrs_status clrs_conv_transpose_cl(clrs_context *ctx, const clrs_conv_params *p,
                                            const clrs_tensor_desc *in, cl_mem in_mem,
                                            const clrs_tensor_desc *weight, cl_mem w_mem,
                                            const clrs_tensor_desc *bias, cl_mem bias_mem,
                                            const clrs_tensor_desc *out, cl_mem out_mem,
                                            cl_command_queue queue, cl_uint num_wait,
                                            const cl_event *wait_list, cl_event *event);

#ifdef __cplusplus
}
#endif

#endif /* CLRESAMPLE_CL_INTEROP_H */
