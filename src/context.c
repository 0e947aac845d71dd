/* SPDX-License-Identifier: MIT */
/* Contexts: device choice with fallback, or the caller's own OpenCL objects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_CONFIG_H
#include "config.h" /* HAVE_CLBLAST; the fuzz build (tests/fuzz/run.sh) has none */
#endif
#include "device.h"
#include "internal.h"
#ifdef HAVE_CLBLAST
#include "ops/conv_clblast.h"
#endif

void clrs_context_options_init(clrs_context_options *o)
{
    if (o == NULL) return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
}

static clrs_status finish_init(clrs_context *ctx)
{
    clrs_device_info *info = &ctx->info;
    char reason[sizeof info->reason];
    memcpy(reason, info->reason, sizeof reason);
    int pi = info->platform_index, di = info->device_index, def = info->is_default;
    clrs__describe_device(ctx->platform, ctx->dev, info);
    memcpy(info->reason, reason, sizeof reason);
    info->platform_index = pi;
    info->device_index = di;
    info->is_default = def;
    cl_bool unified = CL_FALSE;
    clGetDeviceInfo(ctx->dev, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof unified, &unified, NULL);
    ctx->unified_memory = unified != CL_FALSE;
    ctx->is_cpu = strcmp(info->type, "CPU") == 0;
    ctx->fp64 = info->fp64;
    ctx->fp16 = info->fp16;
    ctx->max_wg = info->max_work_group ? info->max_work_group : 1;
    size_t items[3] = {0, 0, 0};
    if (clGetDeviceInfo(ctx->dev, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof items, items, NULL) != CL_SUCCESS)
        items[0] = items[1] = items[2] = 1;
    for (int i = 0; i < 3; i++) ctx->max_item[i] = items[i] ? items[i] : 1;
    ctx->max_alloc = info->max_alloc;
    if (clGetPlatformInfo(ctx->platform, CL_PLATFORM_VERSION, sizeof ctx->platform_version,
                          ctx->platform_version, NULL) != CL_SUCCESS)
        ctx->platform_version[0] = '\0';
    ctx->platform_version[sizeof ctx->platform_version - 1] = '\0';
    ctx->quirks = clrs__platform_quirks(ctx->platform);
    clrs__tuning_resolve(ctx); /* after info and is_cpu: the table matches on them */
    clrs__extra_build_options(ctx->extra_options, sizeof ctx->extra_options);
    snprintf(ctx->device_options, sizeof ctx->device_options,
             "-DHAS_FP64=%d -DHAS_FP16=%d -DHAS_IMAGES=%d -DIS_CPU=%d -DMAX_WG=%zu", ctx->fp64, ctx->fp16,
             info->images, ctx->is_cpu, ctx->max_wg);
    if (pthread_mutex_init(&ctx->lock, NULL) != 0 || pthread_cond_init(&ctx->built, NULL) != 0)
        return clrs__fail(NULL, CLRS_ERR_INTERNAL, "cannot initialise the context's mutex");
    clrs__log(CLRS_LOG_INFO, "device", "using %s '%s' on platform '%s' (%s; driver %s): %s",
              info->type, info->name, info->platform, info->version, info->driver, info->reason);
    return CLRS_OK;
}

/* Build a trivial program: guards against broken drivers in automatic mode. */
static int smoke_build(cl_context c, cl_device_id d, unsigned quirks)
{
    static const char *src = "__kernel void clrs_smoke(__global int *x) { x[get_global_id(0)] = 1; }\n";
    cl_int e;
    cl_program p = clCreateProgramWithSource(c, 1, &src, NULL, &e);
    if (e != CL_SUCCESS) return 0;
    e = clrs__build_program(quirks, p, d, "");
    clReleaseProgram(p);
    return e == CL_SUCCESS;
}

static clrs_status open_device(clrs_context *ctx, const clrs_device_entry *ent, int smoke)
{
    cl_int e;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)ent->platform, 0};
    ctx->cl = clCreateContext(props, 1, &ent->device, NULL, NULL, &e);
    if (e != CL_SUCCESS) return clrs__fail_cl(NULL, e, "clCreateContext");
    if (smoke && !smoke_build(ctx->cl, ent->device, clrs__platform_quirks(ent->platform))) {
        clReleaseContext(ctx->cl);
        ctx->cl = NULL;
        return clrs__fail(NULL, CLRS_ERR_BUILD_FAILED, "device '%s' failed a trivial test build",
                          ent->info.name);
    }
    ctx->queue = clCreateCommandQueue(ctx->cl, ent->device, CL_QUEUE_PROFILING_ENABLE, &e);
    if (e != CL_SUCCESS) {
        clReleaseContext(ctx->cl);
        ctx->cl = NULL;
        return clrs__fail_cl(NULL, e, "clCreateCommandQueue");
    }
    ctx->dev = ent->device;
    ctx->platform = ent->platform;
    ctx->info = ent->info;
    return CLRS_OK;
}

clrs_status clrs_context_create(clrs_context **out, const clrs_context_options *opts)
{
    clrs__clear_error(NULL);
    if (out == NULL) return clrs__fail(NULL, CLRS_ERR_INVALID_ARG, "clrs_context_create: out is NULL");
    *out = NULL;
    if (opts != NULL && opts->struct_size != sizeof *opts)
        return clrs__fail(NULL, CLRS_ERR_INVALID_ARG,
                          "clrs_context_options.struct_size is %zu, expected %zu (call clrs_context_options_init)",
                          opts->struct_size, sizeof *opts);
    const char *request = NULL, *origin = NULL;
    clrs_devspec spec;
    CLRS_FORWARD(clrs__resolve_request(opts ? opts->device : NULL, &request, &origin, &spec));

    clrs_device_entry *ents = NULL;
    size_t n = 0;
    CLRS_FORWARD(clrs__enumerate(&ents, &n));
    size_t *order = calloc(n, sizeof *order);
    clrs_context *ctx = calloc(1, sizeof *ctx);
    if (order == NULL || ctx == NULL) {
        free(order);
        free(ctx);
        free(ents);
        return clrs__fail(NULL, CLRS_ERR_OUT_OF_HOST_MEMORY, "clrs_context_create");
    }
    size_t m = clrs__candidates(ents, n, request ? &spec : NULL, order);
    clrs_status st;
    if (m == 0) {
        st = request ? clrs__no_match(ents, n, origin, request)
                     : clrs__fail(NULL, CLRS_ERR_DEVICE_NOT_FOUND,
                                  "no usable OpenCL device (every device is unavailable or has no compiler)");
    } else if (request != NULL) {
        /* An explicit request is honoured or fails: no silent fallback. */
        st = open_device(ctx, &ents[order[0]], 0);
        if (st == CLRS_OK)
            clrs__describe_choice(&ents[order[0]], origin, request, ctx->info.reason, sizeof ctx->info.reason);
    } else {
        st = CLRS_ERR_DEVICE_NOT_FOUND;
        for (size_t i = 0; i < m; i++) {
            st = open_device(ctx, &ents[order[i]], 1);
            if (st == CLRS_OK) {
                clrs__describe_choice(&ents[order[i]], origin, NULL, ctx->info.reason, sizeof ctx->info.reason);
                if (i > 0) {
                    size_t len = strlen(ctx->info.reason);
                    snprintf(ctx->info.reason + len, sizeof ctx->info.reason - len,
                             "; %zu better device(s) failed a test build", i);
                }
                break;
            }
            clrs__log(CLRS_LOG_WARN, "device", "skipping '%s': %s", ents[order[i]].info.name,
                      clrs_last_error(NULL));
        }
        if (st != CLRS_OK)
            st = clrs__fail(NULL, st, "no OpenCL device passed a test build; last failure: %s",
                            clrs_last_error(NULL));
    }
    if (st == CLRS_OK) {
        ctx->info.is_default = 1;
        st = finish_init(ctx);
    }
    free(order);
    free(ents);
    if (st != CLRS_OK) {
        if (ctx->queue) clReleaseCommandQueue(ctx->queue);
        if (ctx->cl) clReleaseContext(ctx->cl);
        free(ctx);
        return st;
    }
    *out = ctx;
    return CLRS_OK;
}

clrs_status clrs_context_create_from_cl(clrs_context **out, cl_context context, cl_device_id device,
                                        cl_command_queue queue)
{
    clrs__clear_error(NULL);
    if (out == NULL) return clrs__fail(NULL, CLRS_ERR_INVALID_ARG, "clrs_context_create_from_cl: out is NULL");
    *out = NULL;
    if (context == NULL || device == NULL || queue == NULL)
        return clrs__fail(NULL, CLRS_ERR_INVALID_ARG,
                          "clrs_context_create_from_cl: context, device and queue must all be given");
    cl_context qctx = NULL;
    cl_device_id qdev = NULL;
    cl_int e = clGetCommandQueueInfo(queue, CL_QUEUE_CONTEXT, sizeof qctx, &qctx, NULL);
    if (e != CL_SUCCESS) return clrs__fail_cl(NULL, e, "clGetCommandQueueInfo(CL_QUEUE_CONTEXT)");
    clGetCommandQueueInfo(queue, CL_QUEUE_DEVICE, sizeof qdev, &qdev, NULL);
    if (qctx != context || qdev != device)
        return clrs__fail(NULL, CLRS_ERR_INVALID_ARG,
                          "clrs_context_create_from_cl: the queue does not belong to the given context and device");
    cl_platform_id plat = NULL;
    e = clGetDeviceInfo(device, CL_DEVICE_PLATFORM, sizeof plat, &plat, NULL);
    if (e != CL_SUCCESS) return clrs__fail_cl(NULL, e, "clGetDeviceInfo(CL_DEVICE_PLATFORM)");
    clrs_context *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) return clrs__fail(NULL, CLRS_ERR_OUT_OF_HOST_MEMORY, "clrs_context_create_from_cl");
    ctx->cl = context;
    ctx->dev = device;
    ctx->queue = queue;
    ctx->platform = plat;
    ctx->info.platform_index = -1;
    ctx->info.device_index = -1;
    snprintf(ctx->info.reason, sizeof ctx->info.reason, "attached by the application (cl_context given)");
    clrs_status st = finish_init(ctx);
    if (st != CLRS_OK) {
        free(ctx);
        return st;
    }
    clRetainContext(context);
    clRetainCommandQueue(queue);
    *out = ctx;
    return CLRS_OK;
}

void clrs_context_release(clrs_context *ctx)
{
    if (ctx == NULL) return;
    clrs__program_cache_release(ctx);
#ifdef HAVE_CLBLAST
    clrs__conv_clblast_release(ctx);
#endif
    if (ctx->queue) clReleaseCommandQueue(ctx->queue);
    if (ctx->cl) clReleaseContext(ctx->cl);
    pthread_mutex_destroy(&ctx->lock);
    pthread_cond_destroy(&ctx->built);
    free(ctx);
}

clrs_status clrs_context_device(const clrs_context *ctx, clrs_device_info *info)
{
    clrs__clear_error(ctx);
    if (ctx == NULL || info == NULL)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "clrs_context_device: NULL argument");
    *info = ctx->info;
    return CLRS_OK;
}

clrs_status clrs_context_get_cl(const clrs_context *ctx, cl_context *context, cl_device_id *device,
                                cl_command_queue *queue)
{
    clrs__clear_error(ctx);
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "clrs_context_get_cl: ctx is NULL");
    if (context) *context = ctx->cl;
    if (device) *device = ctx->dev;
    if (queue) *queue = ctx->queue;
    return CLRS_OK;
}
