/* SPDX-License-Identifier: MIT */
/* Per-platform driver quirks: workarounds chosen by the platform a device
 * belongs to (a small table keyed on the OpenCL platform's name), never
 * assumed of every driver; and what a device's kernel compiler supports,
 * asked of the compiler itself. */
#include <pthread.h>
#include <string.h>

#include "internal.h"

/* The quirks live in the tuning table (src/tuning.c: serial_build, with
 * the reason in its entry's note); this asks it before a context exists
 * (the smoke build). */
unsigned clrs__platform_quirks(cl_platform_id platform)
{
    char name[256] = "";
    if (platform == NULL || clGetPlatformInfo(platform, CL_PLATFORM_NAME, sizeof name, name, NULL) != CL_SUCCESS)
        return 0;
    name[sizeof name - 1] = '\0';
    unsigned q = clrs__tuning_serial_build(name, NULL) ? CLRS_QUIRK_SERIAL_BUILD : 0;
    if (q) clrs__log(CLRS_LOG_INFO, "device", "platform '%s': program builds serialised (tuning table: serial_build)", name);
    return q;
}

/* Process-wide, not per context: the crashing state is the compiler
 * library's own (LLVM's global registries), shared by every context of the
 * platform, so two contexts building at once in two threads crash as well.
 * Taken only for platforms with CLRS_QUIRK_SERIAL_BUILD: other drivers keep
 * building in parallel. */
static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;

cl_int clrs__build_program(unsigned quirks, cl_program p, cl_device_id dev, const char *options)
{
    if (!(quirks & CLRS_QUIRK_SERIAL_BUILD)) return clBuildProgram(p, 1, &dev, options, NULL, NULL);
    pthread_mutex_lock(&build_lock);
    cl_int e = clBuildProgram(p, 1, &dev, options, NULL, NULL);
    pthread_mutex_unlock(&build_lock);
    return e;
}

void clrs__build_lock(unsigned quirks, int lock)
{
    if (!(quirks & CLRS_QUIRK_SERIAL_BUILD)) return;
    if (lock)
        pthread_mutex_lock(&build_lock);
    else
        pthread_mutex_unlock(&build_lock);
}

/* cl/half.cl takes the F16C conversions (CLRS_F16C) when the device's
 * compiler has them: asked of the compiler once per context through
 * cl/probe.cl (built and cached like any program: on a cache hit no
 * compile at all). */
int clrs__device_has_f16c(clrs_context *ctx)
{
    pthread_mutex_lock(&ctx->lock);
    int known = ctx->f16c;
    pthread_mutex_unlock(&ctx->lock);
    if (known != 0) return known > 0;
    int yes = 0;
    cl_kernel k = NULL;
    size_t wg[3] = {0, 0, 0};
    if (clrs__get_kernel(ctx, "probe", "", "clrs_probe_f16c", &k) == CLRS_OK && k != NULL &&
        clGetKernelWorkGroupInfo(k, ctx->dev, CL_KERNEL_COMPILE_WORK_GROUP_SIZE, sizeof wg, wg, NULL) == CL_SUCCESS)
        yes = wg[0] == 2;
    if (k != NULL) clReleaseKernel(k);
    clrs__log(CLRS_LOG_DEBUG, "device", "the device's compiler %s F16C", yes ? "has" : "lacks");
    pthread_mutex_lock(&ctx->lock);
    ctx->f16c = yes ? 1 : -1;
    pthread_mutex_unlock(&ctx->lock);
    return yes;
}
