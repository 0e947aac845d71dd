/* SPDX-License-Identifier: MIT */
/*
 * oclgrind_shim.c — an LD_PRELOAD helper for .ci/reliability.sh (not part of
 * clresample). Built there with: cc -shared -fPIC -o shim.so oclgrind_shim.c -ldl
 *
 * 1. CLRS_SHIM_KEEP_BUFFERS=1: clReleaseMemObject does nothing (the buffers
 *    stay allocated until the process exits).
 *
 *    Why: a workaround for a false positive of Oclgrind 21.10 (Debian 12's
 *    oclgrind package), not a suppression of anything clresample does. Its
 *    --uninitialized plugin keeps a "shadow" of every global buffer, keyed
 *    by the buffer's index, but never drops it when the buffer is released
 *    (the plugin has no memoryDeallocated hook for global memory; see
 *    ShadowMemory and Uninitialized::kernelBegin in
 *    src/plugins/Uninitialized.cpp). Oclgrind reuses the index of a released
 *    buffer for the next one, and a new buffer created without host data
 *    (clCreateBuffer(CL_MEM_READ_WRITE, size, NULL): clresample's
 *    intermediates and outputs on a non-unified device) then inherits the
 *    stale shadow of whatever lived there before, with the old size: stores
 *    past the old size are not recorded, and the next kernel reading the
 *    buffer is reported as "Uninitialized value written to global memory" /
 *    "Controlflow depends on uninitialized value". Which kernel gets the
 *    report depends only on the allocation history (the same call alone is
 *    clean), and with this shim (no index is ever reused) every report is
 *    gone. Keeping the buffers costs a few MB for the small-shape pass.
 *
 * (It used to record every clCreateKernel too, for reliability.sh's
 * coverage check; the library now reports which named implementation
 * each launch runs, and the tests assert coverage by name.)
 */
#define _GNU_SOURCE 1
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef cl_int (*release_fn)(cl_mem);

static void *next(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (f == NULL) {
        fprintf(stderr, "oclgrind_shim: no next %s\n", name);
        abort();
    }
    return f;
}

CL_API_ENTRY cl_int CL_API_CALL clReleaseMemObject(cl_mem m)
{
    static release_fn real;
    const char *keep = getenv("CLRS_SHIM_KEEP_BUFFERS");
    if (keep && strcmp(keep, "1") == 0) return m ? CL_SUCCESS : CL_INVALID_MEM_OBJECT;
    if (!real) real = (release_fn)next("clReleaseMemObject");
    return real(m);
}
