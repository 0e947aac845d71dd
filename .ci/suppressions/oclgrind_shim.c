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
 * 2. CLRS_KERNEL_TRACE=FILE: append one line per clCreateKernel,
 *    "<process> <kernel name> <build options of its program>", so that
 *    reliability.sh can compare the kernel variants the test suite uses with
 *    those the oclgrind pass ran. Options are taken from clBuildProgram.
 */
#define _GNU_SOURCE 1
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char *program_invocation_short_name;

#define MAXP 4096
static struct {
    cl_program p;
    char opts[512];
} progs[MAXP];
static int nprogs;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

typedef cl_int (*build_fn)(cl_program, cl_uint, const cl_device_id *, const char *,
                           void(CL_CALLBACK *)(cl_program, void *), void *);
typedef cl_kernel (*kernel_fn)(cl_program, const char *, cl_int *);
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

CL_API_ENTRY cl_int CL_API_CALL clBuildProgram(cl_program p, cl_uint n, const cl_device_id *d, const char *opts,
                                               void(CL_CALLBACK *cb)(cl_program, void *), void *user)
{
    static build_fn real;
    if (!real) real = (build_fn)next("clBuildProgram");
    if (getenv("CLRS_KERNEL_TRACE")) {
        pthread_mutex_lock(&lock);
        int i;
        for (i = 0; i < nprogs && progs[i].p != p; i++) {}
        if (i == nprogs && nprogs < MAXP) nprogs++;
        if (i < MAXP) {
            progs[i].p = p;
            snprintf(progs[i].opts, sizeof progs[i].opts, "%s", opts ? opts : "");
        }
        pthread_mutex_unlock(&lock);
    }
    return real(p, n, d, opts, cb, user);
}

CL_API_ENTRY cl_kernel CL_API_CALL clCreateKernel(cl_program p, const char *name, cl_int *err)
{
    static kernel_fn real;
    if (!real) real = (kernel_fn)next("clCreateKernel");
    const char *trace = getenv("CLRS_KERNEL_TRACE");
    if (trace && *trace) {
        char opts[512] = "?";
        pthread_mutex_lock(&lock);
        for (int i = 0; i < nprogs; i++)
            if (progs[i].p == p) snprintf(opts, sizeof opts, "%s", progs[i].opts);
        pthread_mutex_unlock(&lock);
        FILE *f = fopen(trace, "a");
        if (f) {
            fprintf(f, "%s %s %s\n", program_invocation_short_name, name ? name : "?", opts);
            fclose(f);
        }
    }
    return real(p, name, err);
}
