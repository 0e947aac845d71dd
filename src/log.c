/* SPDX-License-Identifier: MIT */
/* Error details, logging (CLRS_LOG) and environment helpers. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- per-thread last error --------------------------------------------- */
#define CLRS_ERRBUF 8192
static _Thread_local char tl_err[CLRS_ERRBUF];
static _Thread_local const clrs_context *tl_err_ctx;
static _Thread_local cl_int tl_cl_err;

void clrs__clear_error(const clrs_context *ctx)
{
    tl_err[0] = '\0';
    tl_err_ctx = ctx;
    tl_cl_err = CL_SUCCESS;
}

clrs_status clrs__fail(const clrs_context *ctx, clrs_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tl_err, sizeof tl_err, fmt, ap);
    va_end(ap);
    tl_err_ctx = ctx;
    clrs__log(CLRS_LOG_DEBUG, "dispatch", "%s: %s", clrs_status_name(st), tl_err);
    return st;
}

const char *clrs_last_error(const clrs_context *ctx)
{
    if (ctx == NULL || ctx == tl_err_ctx) return tl_err;
    return "";
}

cl_int clrs_last_cl_error(const clrs_context *ctx)
{
    if (ctx == NULL || ctx == tl_err_ctx) return tl_cl_err;
    return CL_SUCCESS;
}

const char *clrs__cl_error_name(cl_int err)
{
    switch (err) {
#define E(x) \
    case x:  \
        return #x;
        E(CL_SUCCESS) E(CL_DEVICE_NOT_FOUND) E(CL_DEVICE_NOT_AVAILABLE) E(CL_COMPILER_NOT_AVAILABLE)
        E(CL_MEM_OBJECT_ALLOCATION_FAILURE) E(CL_OUT_OF_RESOURCES) E(CL_OUT_OF_HOST_MEMORY)
        E(CL_PROFILING_INFO_NOT_AVAILABLE) E(CL_MEM_COPY_OVERLAP) E(CL_IMAGE_FORMAT_MISMATCH)
        E(CL_IMAGE_FORMAT_NOT_SUPPORTED) E(CL_BUILD_PROGRAM_FAILURE) E(CL_MAP_FAILURE)
        E(CL_MISALIGNED_SUB_BUFFER_OFFSET) E(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST)
        E(CL_COMPILE_PROGRAM_FAILURE) E(CL_LINKER_NOT_AVAILABLE) E(CL_LINK_PROGRAM_FAILURE)
        E(CL_INVALID_VALUE) E(CL_INVALID_DEVICE_TYPE) E(CL_INVALID_PLATFORM) E(CL_INVALID_DEVICE)
        E(CL_INVALID_CONTEXT) E(CL_INVALID_QUEUE_PROPERTIES) E(CL_INVALID_COMMAND_QUEUE)
        E(CL_INVALID_HOST_PTR) E(CL_INVALID_MEM_OBJECT) E(CL_INVALID_BINARY)
        E(CL_INVALID_BUILD_OPTIONS) E(CL_INVALID_PROGRAM) E(CL_INVALID_PROGRAM_EXECUTABLE)
        E(CL_INVALID_KERNEL_NAME) E(CL_INVALID_KERNEL_DEFINITION) E(CL_INVALID_KERNEL)
        E(CL_INVALID_ARG_INDEX) E(CL_INVALID_ARG_VALUE) E(CL_INVALID_ARG_SIZE)
        E(CL_INVALID_KERNEL_ARGS) E(CL_INVALID_WORK_DIMENSION) E(CL_INVALID_WORK_GROUP_SIZE)
        E(CL_INVALID_WORK_ITEM_SIZE) E(CL_INVALID_GLOBAL_OFFSET) E(CL_INVALID_EVENT_WAIT_LIST)
        E(CL_INVALID_EVENT) E(CL_INVALID_OPERATION) E(CL_INVALID_BUFFER_SIZE)
        E(CL_INVALID_GLOBAL_WORK_SIZE) E(CL_INVALID_PROPERTY)
#undef E
    case -1001: return "CL_PLATFORM_NOT_FOUND_KHR";
    default: return "CL_UNKNOWN_ERROR";
    }
}

clrs_status clrs__fail_cl(const clrs_context *ctx, cl_int err, const char *what)
{
    clrs_status st = CLRS_ERR_OPENCL;
    if (err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_RESOURCES ||
        err == CL_INVALID_BUFFER_SIZE)
        st = CLRS_ERR_OUT_OF_DEVICE_MEMORY;
    else if (err == CL_OUT_OF_HOST_MEMORY)
        st = CLRS_ERR_OUT_OF_HOST_MEMORY;
    clrs__fail(ctx, st, "%s failed: %s (%d)", what, clrs__cl_error_name(err), (int)err);
    tl_cl_err = err;
    return st;
}

/* ---- environment ------------------------------------------------------- */
const char *clrs__getenv(const char *name)
{
    const char *v = getenv(name);
    return (v != NULL && v[0] != '\0') ? v : NULL;
}

/* ---- logging ----------------------------------------------------------- */
/* CLRS_LOG=<level>[,<category>...]: level error|warn|info|debug (default
 * warn... but the library prints nothing unless CLRS_LOG is set); categories
 * device, build, cache, dispatch, tune, all (default all). */
static pthread_once_t log_once = PTHREAD_ONCE_INIT;
static int log_level = -1; /* -1: logging off */
static unsigned log_cats = ~0u;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static clrs_log_fn log_fn;
/* Whether a callback is set, readable without the lock (the hot check). */
static atomic_int log_has_fn;
static void *log_user;

static const char *const log_cat_names[] = {"device", "build", "cache", "dispatch", "tune"};

static unsigned cat_bit(const char *cat)
{
    for (unsigned i = 0; i < CLRS_ARRAY_LEN(log_cat_names); i++)
        if (strcmp(cat, log_cat_names[i]) == 0) return 1u << i;
    return 0;
}

static void log_init(void)
{
    const char *v = clrs__getenv("CLRS_LOG");
    if (v == NULL) return;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    char *save = NULL;
    char *tok = strtok_r(buf, ",", &save);
    static const char *const levels[] = {"error", "warn", "info", "debug"};
    log_level = CLRS_LOG_WARN;
    int known = 0;
    for (int i = 0; tok != NULL && i < 4; i++)
        if (strcmp(tok, levels[i]) == 0) log_level = i, known = 1;
    char bad[256] = "";
    if (!known) snprintf(bad, sizeof bad, "level '%s'", tok ? tok : "");
    unsigned cats = 0;
    while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
        if (strcmp(tok, "all") == 0)
            cats = ~0u;
        else if (cat_bit(tok) != 0)
            cats |= cat_bit(tok);
        else if (bad[0] == '\0')
            snprintf(bad, sizeof bad, "category '%s'", tok);
    }
    log_cats = cats ? cats : ~0u;
    if (bad[0] != '\0') /* said once, on stderr: logging is being set up, so no callback yet */
        fprintf(stderr, "clresample: warn: log: CLRS_LOG=%s: unknown %s, ignored (levels: error, warn, info, "
                        "debug; categories: device, build, cache, dispatch, tune, all)\n",
                v, bad);
}

int clrs__log_enabled(clrs_log_level lvl, const char *category)
{
    pthread_once(&log_once, log_init);
    /* A callback gets warnings and errors unless CLRS_LOG says otherwise;
     * stderr gets only what CLRS_LOG enables. */
    int threshold = log_level >= 0 ? log_level : (atomic_load_explicit(&log_has_fn, memory_order_relaxed) ? CLRS_LOG_WARN : -1);
    if ((int)lvl > threshold) return 0;
    unsigned b = cat_bit(category);
    return b == 0 || (log_cats & b) != 0;
}

void clrs__log(clrs_log_level lvl, const char *category, const char *fmt, ...)
{
    if (!clrs__log_enabled(lvl, category)) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    static const char *const names[] = {"error", "warn", "info", "debug"};
    pthread_mutex_lock(&log_lock);
    if (log_fn != NULL)
        log_fn(lvl, category, msg, log_user);
    else
        fprintf(stderr, "clresample: %s: %s: %s\n", names[lvl], category, msg);
    pthread_mutex_unlock(&log_lock);
}

void clrs_set_log_level(clrs_log_level level)
{
    pthread_once(&log_once, log_init);
    if (level < CLRS_LOG_ERROR) level = CLRS_LOG_ERROR;
    if (level > CLRS_LOG_DEBUG) level = CLRS_LOG_DEBUG;
    pthread_mutex_lock(&log_lock);
    log_level = (int)level;
    pthread_mutex_unlock(&log_lock);
}

void clrs_set_log_callback(clrs_log_fn fn, void *user)
{
    pthread_mutex_lock(&log_lock);
    log_fn = fn;
    log_user = user;
    atomic_store_explicit(&log_has_fn, fn != NULL, memory_order_relaxed);
    pthread_mutex_unlock(&log_lock);
}
