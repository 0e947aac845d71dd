/* SPDX-License-Identifier: MIT */
/* Program building with two caches:
 *  - in memory, per context: (source, canonical options) → program or the
 *    failed build's log; concurrent requests for the same program wait for
 *    one build instead of building twice;
 *  - on disk (src/disk_cache.c): program binaries keyed by everything that
 *    shapes them (every compiled source's SHA-256, the options, the library
 *    build, the user, the platform/device/driver) and authenticated there. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "build_id.h"
#include "dispatch.h"
#include "internal.h"

/* ---- option strings ----------------------------------------------------- */
void clrs__opts_init(clrs_opts *o)
{
    memset(o, 0, sizeof *o);
}

void clrs__opts_def(clrs_opts *o, const char *fmt, ...)
{
    if (o->n >= CLRS_OPTS_MAX) { /* a host bug: refused loudly when joined */
        o->overflow = 1;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *item = w >= 0 ? malloc((size_t)w + 1) : NULL;
    if (item == NULL) {
        o->overflow = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(item, (size_t)w + 1, fmt, ap);
    va_end(ap);
    o->items[o->n++] = item;
}

void clrs__opts_free(clrs_opts *o)
{
    for (int i = 0; i < o->n; i++) free(o->items[i]);
    o->n = 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char *clrs__opts_take(clrs_opts *o)
{
    char *out = NULL;
    if (o->overflow) {
        clrs__log(CLRS_LOG_ERROR, "build", "internal error: a kernel option set has more than %d items",
                  CLRS_OPTS_MAX);
    } else {
        qsort(o->items, (size_t)o->n, sizeof o->items[0], cmp_str);
        size_t len = 1;
        for (int i = 0; i < o->n; i++) len += strlen(o->items[i]) + 3;
        out = malloc(len);
        if (out != NULL) {
            size_t off = 0;
            out[0] = '\0';
            for (int i = 0; i < o->n; i++) {
                if (i > 0 && strcmp(o->items[i], o->items[i - 1]) == 0) continue;
                off += (size_t)snprintf(out + off, len - off, "%s-D%s", off ? " " : "", o->items[i]);
            }
        }
    }
    clrs__opts_free(o);
    return out;
}

int clrs__opts_string(clrs_opts *o, char *buf, size_t len)
{
    char *s = clrs__opts_take(o);
    if (s == NULL || strlen(s) >= len) {
        if (s != NULL)
            clrs__log(CLRS_LOG_ERROR, "build", "internal error: kernel options of %zu bytes for a %zu-byte buffer",
                      strlen(s), len);
        free(s);
        snprintf(buf, len, "%s", CLRS_OPTS_OVERFLOW);
        return -1;
    }
    memcpy(buf, s, strlen(s) + 1);
    free(s);
    return 0;
}

/* ---- the key of an on-disk entry ---------------------------------------- */
/* The full identity of a binary: everything that could change it — every
 * source text compiled (by SHA-256), the options, the library build, the
 * user, and the platform/device/driver. Returns its length, 0 if too long. */
static size_t cache_key(const clrs_context *ctx, const clrs_kernel_source *const *srcs, size_t nsrc,
                        const char *options, char *key, size_t len)
{
    size_t off = 0;
    int w = snprintf(key, len, "clresample-cache-2|%s|%s|uid=%ld|", CLRS_VERSION_STRING, CLRS_BUILD_ID,
                     (long)geteuid());
    if (w < 0 || (size_t)w >= len) return 0;
    off = (size_t)w;
    for (size_t i = 0; i < nsrc; i++) {
        char hex[65];
        clrs__hex(srcs[i]->sha256, 32, hex);
        w = snprintf(key + off, len - off, "%s.cl=%s|", srcs[i]->name, hex);
        if (w < 0 || (size_t)w >= len - off) return 0;
        off += (size_t)w;
    }
    w = snprintf(key + off, len - off, "%s|%s|%s|%s|%s|%s", options, ctx->info.platform, ctx->platform_version,
                 ctx->info.name, ctx->info.version, ctx->info.driver);
    if (w < 0 || (size_t)w >= len - off) return 0;
    return off + (size_t)w;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* ---- in-memory cache ---------------------------------------------------- */
struct clrs_program_entry {
    clrs_program_entry *next;
    char name[48]; /* the program's name (clrs__program_parts) */
    char *options;
    int state; /* 0 building, 1 done */
    int refs;   /* threads using the entry (the list itself holds none) */
    int orphan; /* dropped from the list by clrs_cache_clear while in use */
    clrs_status status;
    cl_program program; /* NULL when the build failed */
    char *log;          /* build log of a failure */
};

static void entry_free(clrs_program_entry *ent);

static char *build_log(const clrs_context *ctx, cl_program p)
{
    size_t len = 0;
    if (clGetProgramBuildInfo(p, ctx->dev, CL_PROGRAM_BUILD_LOG, 0, NULL, &len) != CL_SUCCESS) len = 0;
    char *log = malloc(len + 1);
    if (log == NULL) return NULL;
    if (len == 0 || clGetProgramBuildInfo(p, ctx->dev, CL_PROGRAM_BUILD_LOG, len, log, NULL) != CL_SUCCESS) len = 0;
    log[len] = '\0';
    return log;
}

static clrs_status build_program(clrs_context *ctx, clrs_program_entry *ent)
{
    const clrs_kernel_source *srcs[CLRS_MAX_PARTS];
    int nsrc = clrs__program_parts(ent->name, srcs, CLRS_MAX_PARTS);
    if (nsrc <= 0) return clrs__fail(ctx, CLRS_ERR_INTERNAL, "no kernel program named '%s'", ent->name);
    const char *texts[CLRS_MAX_PARTS];
    size_t lens[CLRS_MAX_PARTS];
    for (int i = 0; i < nsrc; i++) {
        texts[i] = srcs[i]->text;
        lens[i] = srcs[i]->len;
    }
    const struct {
        const char *name;
    } prog = {ent->name}, *src = &prog;
    size_t cap = strlen(ent->options) + 4096;
    char *key = malloc(cap);
    if (key == NULL) return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "program cache key");
    size_t klen = cache_key(ctx, srcs, (size_t)nsrc, ent->options, key, cap);
    cl_int e;
    if (klen > 0) {
        size_t blen = 0;
        unsigned char *bin = clrs__disk_cache_load(key, klen, &blen);
        if (bin != NULL) {
            const unsigned char *bins[1] = {bin};
            cl_int bst = CL_SUCCESS;
            cl_program p = clCreateProgramWithBinary(ctx->cl, 1, &ctx->dev, &blen, bins, &bst, &e);
            free(bin);
            if (e == CL_SUCCESS && bst == CL_SUCCESS &&
                clrs__build_program(ctx->quirks, p, ctx->dev, ent->options) == CL_SUCCESS) {
                clrs__log(CLRS_LOG_DEBUG, "cache", "HIT program %s (%s)", src->name, ent->options);
                ent->program = p;
                free(key);
                return CLRS_OK;
            }
            if (p != NULL) clReleaseProgram(p);
            clrs__log(CLRS_LOG_DEBUG, "cache", "cached binary of program %s rejected by the driver; rebuilding", src->name);
        }
    }
    clrs__log(CLRS_LOG_INFO, "build", "building program %s (%s)", src->name, ent->options);
    double t0 = now_ms();
    cl_program p = clCreateProgramWithSource(ctx->cl, (cl_uint)nsrc, texts, lens, &e);
    if (e != CL_SUCCESS) {
        free(key);
        return clrs__fail_cl(ctx, e, "clCreateProgramWithSource");
    }
    e = clrs__build_program(ctx->quirks, p, ctx->dev, ent->options);
    if (e != CL_SUCCESS) {
        ent->log = build_log(ctx, p);
        clReleaseProgram(p);
        free(key);
        clrs__log(CLRS_LOG_ERROR, "build", "building program %s with '%s' failed: %s", src->name, ent->options,
                  ent->log ? ent->log : "");
        return CLRS_ERR_BUILD_FAILED;
    }
    clrs__log(CLRS_LOG_INFO, "build", "built program %s in %.0f ms", src->name, now_ms() - t0);
    if (clrs__log_enabled(CLRS_LOG_DEBUG, "build")) { /* the compiler's warnings, if any */
        char *blog = build_log(ctx, p);
        if (blog != NULL && blog[strspn(blog, " \t\r\n")] != '\0')
            clrs__log(CLRS_LOG_DEBUG, "build", "build log of program %s:\n%s", src->name, blog);
        free(blog);
    }
    ent->program = p;
    if (klen > 0) {
        size_t blen = 0;
        if (clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof blen, &blen, NULL) == CL_SUCCESS && blen > 0) {
            unsigned char *bin = malloc(blen);
            unsigned char *bins[1] = {bin};
            if (bin != NULL && clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL) == CL_SUCCESS)
                clrs__disk_cache_store(key, klen, bin, blen);
            free(bin);
        }
    }
    free(key);
    return CLRS_OK;
}

clrs_status clrs__get_kernel(clrs_context *ctx, const char *source, const char *options,
                             const char *kernel_name, cl_kernel *out)
{
    const clrs_kernel_source *parts[CLRS_MAX_PARTS];
    if (clrs__program_parts(source, parts, CLRS_MAX_PARTS) <= 0)
        return clrs__fail(ctx, CLRS_ERR_INTERNAL, "no kernel program named '%s'", source);

    if (clrs__dry_run() && strcmp(source, "probe") != 0) { /* explain without running: no build */
        *out = NULL;
        return CLRS_OK;
    }
    if (strstr(options, CLRS_OPTS_OVERFLOW) != NULL)
        return clrs__fail(ctx, CLRS_ERR_INTERNAL, "kernel options for %s.cl overflowed their buffer", source);
    const char *extra = ctx->extra_options[0] ? ctx->extra_options : NULL;
    size_t flen = strlen(ctx->device_options) + strlen(options) + (extra ? strlen(extra) : 0) + 32;
    char *full = malloc(flen);
    if (full == NULL) return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "kernel options");
    snprintf(full, flen, "-cl-std=CL1.2 %s %s%s%s", ctx->device_options, options, extra ? " " : "",
             extra ? extra : "");

    pthread_mutex_lock(&ctx->lock);
    clrs_program_entry *ent = ctx->programs;
    for (; ent != NULL; ent = ent->next)
        if (strcmp(ent->name, source) == 0 && strcmp(ent->options, full) == 0) break;
    if (ent == NULL) {
        ent = calloc(1, sizeof *ent);
        if (ent == NULL) {
            free(full);
            pthread_mutex_unlock(&ctx->lock);
            return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "program cache entry");
        }
        snprintf(ent->name, sizeof ent->name, "%s", source);
        ent->options = full; /* the entry owns it */
        ent->refs = 1;
        ent->next = ctx->programs;
        ctx->programs = ent;
        pthread_mutex_unlock(&ctx->lock);
        clrs_status st = build_program(ctx, ent);
        pthread_mutex_lock(&ctx->lock);
        ent->status = st;
        ent->state = 1;
        pthread_cond_broadcast(&ctx->built);
    } else {
        free(full);
        ent->refs++; /* keeps the entry alive across the wait */
        while (ent->state == 0) pthread_cond_wait(&ctx->built, &ctx->lock);
    }
    clrs_status st = ent->status;
    cl_program prog = ent->program;
    if (st != CLRS_OK || prog == NULL)
        /* A failed build stays cached with its log: report it every time. */
        st = clrs__fail(ctx, st == CLRS_OK ? CLRS_ERR_BUILD_FAILED : st,
                        "building program %s with options '%s' failed%s%s", ent->name, ent->options,
                        ent->log ? "; build log:\n" : "", ent->log ? ent->log : "");
    else
        clRetainProgram(prog); /* ours until the kernel exists */
    int drop = --ent->refs == 0 && ent->orphan;
    pthread_mutex_unlock(&ctx->lock);
    if (drop) entry_free(ent);
    if (st != CLRS_OK) return st;
    cl_int e;
    *out = clCreateKernel(prog, kernel_name, &e);
    clReleaseProgram(prog);
    if (e != CL_SUCCESS) return clrs__fail_cl(ctx, e, "clCreateKernel");
    return CLRS_OK;
}

static void entry_free(clrs_program_entry *ent)
{
    if (ent->program) clReleaseProgram(ent->program);
    free(ent->options);
    free(ent->log);
    free(ent);
}

void clrs__program_cache_release(clrs_context *ctx)
{
    pthread_mutex_lock(&ctx->lock);
    clrs_program_entry *ent = ctx->programs;
    ctx->programs = NULL;
    pthread_mutex_unlock(&ctx->lock);
    while (ent != NULL) { /* no call is running: nobody holds a reference */
        clrs_program_entry *next = ent->next;
        entry_free(ent);
        ent = next;
    }
}

clrs_status clrs_cache_clear(clrs_context *ctx)
{
    clrs__clear_error(ctx);
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "clrs_cache_clear: ctx is NULL");
    /* Entries still building are kept; finished ones leave the list and are
     * freed now, or by the last thread still using one. */
    pthread_mutex_lock(&ctx->lock);
    clrs_program_entry **pp = &ctx->programs, *dead = NULL;
    while (*pp != NULL) {
        clrs_program_entry *ent = *pp;
        if (ent->state == 0) {
            pp = &ent->next;
            continue;
        }
        *pp = ent->next;
        if (ent->refs > 0) {
            ent->orphan = 1;
        } else {
            ent->next = dead;
            dead = ent;
        }
    }
    pthread_mutex_unlock(&ctx->lock);
    while (dead != NULL) {
        clrs_program_entry *next = dead->next;
        entry_free(dead);
        dead = next;
    }
    return CLRS_OK;
}
