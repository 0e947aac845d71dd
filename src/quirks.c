/* Per-platform driver quirks: workarounds chosen by the platform a device
 * belongs to (a small table keyed on the OpenCL platform's name), never
 * assumed of every driver. */
#include <pthread.h>
#include <string.h>

#include "internal.h"

static const struct {
    const char *platform; /* CL_PLATFORM_NAME, exactly */
    unsigned quirks;
    const char *why;
} quirk_table[] = {
    /* Intel's CPU runtime (PyPI intel-opencl-rt 2026.2): concurrent
     * clBuildProgram calls crash (SIGSEGV) in its LLVM passes, a different
     * pass each time (tests/test_threads, 8 threads on one context). */
    {"Intel(R) OpenCL", CLRS_QUIRK_SERIAL_BUILD, "program builds serialised (its compiler crashes on concurrent builds)"},
};

unsigned clrs__platform_quirks(cl_platform_id platform)
{
    char name[256] = "";
    if (platform == NULL || clGetPlatformInfo(platform, CL_PLATFORM_NAME, sizeof name, name, NULL) != CL_SUCCESS)
        return 0;
    name[sizeof name - 1] = '\0';
    unsigned q = 0;
    for (size_t i = 0; i < CLRS_ARRAY_LEN(quirk_table); i++)
        if (strcmp(name, quirk_table[i].platform) == 0) {
            q |= quirk_table[i].quirks;
            clrs__log(CLRS_LOG_INFO, "device", "platform '%s': %s", name, quirk_table[i].why);
        }
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
