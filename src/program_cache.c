/* Program building with two caches:
 *  - in memory, per context: (source name + hash, canonical options) →
 *    program or the failed build's log; concurrent requests for the same
 *    program wait for one build instead of building twice;
 *  - on disk (CLRS_CACHE_DIR): program binaries keyed by library version,
 *    source, options and platform/device/driver identity, written
 *    atomically; anything unreadable, corrupt or foreign is a miss. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "internal.h"

/* ---- option strings ----------------------------------------------------- */
void clrs__opts_init(clrs_opts *o) { o->n = 0; }

void clrs__opts_def(clrs_opts *o, const char *fmt, ...)
{
    if (o->n >= CLRS_OPTS_MAX) return; /* host bug; the build then fails loudly */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->items[o->n++], sizeof o->items[0], fmt, ap);
    va_end(ap);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void clrs__opts_string(const clrs_opts *o, char *buf, size_t len)
{
    const char *v[CLRS_OPTS_MAX];
    for (int i = 0; i < o->n; i++) v[i] = o->items[i];
    qsort(v, (size_t)o->n, sizeof v[0], cmp_str);
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < o->n; i++) {
        if (i > 0 && strcmp(v[i], v[i - 1]) == 0) continue;
        int w = snprintf(buf + off, len - off, "%s-D%s", off ? " " : "", v[i]);
        if (w < 0 || (size_t)w >= len - off) break;
        off += (size_t)w;
    }
}

/* ---- on-disk cache ------------------------------------------------------ */
#define CACHE_MAGIC "CLRSBIN1"
#define CACHE_FORMAT 1u

static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static char cache_dir[4096];
static int cache_readonly;

static int mkdir_p(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
    struct stat st;
    return (stat(tmp, &st) == 0 && S_ISDIR(st.st_mode)) ? 0 : -1;
}

static void cache_init(void)
{
    const char *v = clrs__getenv("CLRS_CACHE_DIR");
    const char *ro = clrs__getenv("CLRS_CACHE_READONLY");
    cache_readonly = ro != NULL && strcmp(ro, "0") != 0;
    if (v != NULL && (strcmp(v, "0") == 0 || strcmp(v, "off") == 0 || strcmp(v, "disabled") == 0)) {
        clrs__log(CLRS_LOG_INFO, "cache", "binary cache disabled by CLRS_CACHE_DIR=%s", v);
        return;
    }
    if (v != NULL && strcmp(v, "1") != 0 && strcmp(v, "default") != 0) {
        snprintf(cache_dir, sizeof cache_dir, "%s", v);
    } else {
        const char *xdg = clrs__getenv("XDG_CACHE_HOME");
        const char *home = clrs__getenv("HOME");
        if (xdg != NULL)
            snprintf(cache_dir, sizeof cache_dir, "%s/clresample/clcache", xdg);
        else if (home != NULL)
            snprintf(cache_dir, sizeof cache_dir, "%s/.cache/clresample/clcache", home);
        else
            return;
    }
    if (!cache_readonly && mkdir_p(cache_dir) != 0) {
        clrs__log(CLRS_LOG_INFO, "cache", "cannot create cache directory %s (%s): binary cache off",
                  cache_dir, strerror(errno));
        cache_dir[0] = '\0';
        return;
    }
    clrs__log(CLRS_LOG_INFO, "cache", "binary cache in %s%s", cache_dir, cache_readonly ? " (read-only)" : "");
}

const char *clrs__binary_cache_dir(void)
{
    pthread_once(&cache_once, cache_init);
    return cache_dir;
}

const char *clrs_cache_dir(void) { return clrs__binary_cache_dir(); }

/* The full identity of a binary: everything that could change it. */
static size_t cache_key(const clrs_context *ctx, const clrs_kernel_source *src, const char *options,
                        char *key, size_t len)
{
    int w = snprintf(key, len, "clresample-cache-%u|%s|%s|%016llx|%s|%s|%s|%s|%s|%s", CACHE_FORMAT,
                     CLRS_VERSION_STRING, src->name, (unsigned long long)src->hash, options,
                     ctx->info.platform, ctx->platform_version, ctx->info.name, ctx->info.version,
                     ctx->info.driver);
    return (w < 0 || (size_t)w >= len) ? 0 : (size_t)w;
}

static void cache_path(const char *key, size_t klen, char *path, size_t len)
{
    snprintf(path, len, "%s/%016llx%016llx.clbin", cache_dir,
             (unsigned long long)clrs__fnv1a64(key, klen, CLRS_FNV_SEED),
             (unsigned long long)clrs__fnv1a64(key, klen, 0x84222325cbf29ce4ULL));
}

struct cache_header {
    char magic[8];
    uint32_t format;
    uint32_t key_len;
    uint64_t bin_len;
    uint64_t bin_hash;
};

/* Returns a malloc'ed binary or NULL on any mismatch. */
static unsigned char *cache_load(const char *path, const char *key, size_t klen, size_t *bin_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    unsigned char *bin = NULL;
    char *fkey = NULL;
    struct cache_header h;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || fread(&h, sizeof h, 1, f) != 1) goto miss;
    if (memcmp(h.magic, CACHE_MAGIC, 8) != 0 || h.format != CACHE_FORMAT || h.key_len != klen) goto miss;
    if (h.bin_len == 0 || (uint64_t)st.st_size != sizeof h + h.key_len + h.bin_len) goto miss;
    fkey = malloc(klen);
    if (fkey == NULL || fread(fkey, 1, klen, f) != klen || memcmp(fkey, key, klen) != 0) goto miss;
    bin = malloc(h.bin_len);
    if (bin == NULL || fread(bin, 1, h.bin_len, f) != h.bin_len) goto miss;
    if (clrs__fnv1a64(bin, h.bin_len, CLRS_FNV_SEED) != h.bin_hash) goto miss;
    free(fkey);
    fclose(f);
    *bin_len = h.bin_len;
    return bin;
miss:
    clrs__log(CLRS_LOG_DEBUG, "cache", "ignoring unusable cache file %s", path);
    free(fkey);
    free(bin);
    fclose(f);
    return NULL;
}

static void cache_store(const char *path, const char *key, size_t klen, const unsigned char *bin, size_t blen)
{
    static _Atomic unsigned counter;
    char tmp[4200 + 64]; /* path (< 4200) + ".tmp.<pid>.<n>" */
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld.%u", path, (long)getpid(), counter++);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        clrs__log(CLRS_LOG_DEBUG, "cache", "cannot write %s: %s", tmp, strerror(errno));
        return;
    }
    struct cache_header h;
    memcpy(h.magic, CACHE_MAGIC, 8);
    h.format = CACHE_FORMAT;
    h.key_len = (uint32_t)klen;
    h.bin_len = blen;
    h.bin_hash = clrs__fnv1a64(bin, blen, CLRS_FNV_SEED);
    FILE *f = fdopen(fd, "wb");
    int ok = f != NULL && fwrite(&h, sizeof h, 1, f) == 1 && fwrite(key, 1, klen, f) == klen &&
             fwrite(bin, 1, blen, f) == blen;
    if (f != NULL) ok = (fclose(f) == 0) && ok;
    else close(fd);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        clrs__log(CLRS_LOG_DEBUG, "cache", "could not save %s", path);
        return;
    }
    clrs__log(CLRS_LOG_DEBUG, "cache", "SAVE %s", path);
}

/* ---- in-memory cache ---------------------------------------------------- */
struct clrs_program_entry {
    clrs_program_entry *next;
    const clrs_kernel_source *src;
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
    const clrs_kernel_source *common = clrs__kernel_source("common");
    const clrs_kernel_source *src = ent->src;
    const char *texts[2] = {common ? common->text : "", src->text};
    size_t lens[2] = {common ? common->len : 0, src->len};
    char key[2048];
    size_t klen = cache_key(ctx, src, ent->options, key, sizeof key);
    char path[4200];
    path[0] = '\0';
    cl_int e;
    if (klen > 0 && clrs__binary_cache_dir()[0] != '\0') {
        cache_path(key, klen, path, sizeof path);
        size_t blen = 0;
        unsigned char *bin = cache_load(path, key, klen, &blen);
        if (bin != NULL) {
            const unsigned char *bins[1] = {bin};
            cl_int bst = CL_SUCCESS;
            cl_program p = clCreateProgramWithBinary(ctx->cl, 1, &ctx->dev, &blen, bins, &bst, &e);
            free(bin);
            if (e == CL_SUCCESS && bst == CL_SUCCESS &&
                clBuildProgram(p, 1, &ctx->dev, ent->options, NULL, NULL) == CL_SUCCESS) {
                clrs__log(CLRS_LOG_DEBUG, "cache", "HIT %s (%s %s)", path, src->name, ent->options);
                ent->program = p;
                return CLRS_OK;
            }
            if (p != NULL) clReleaseProgram(p);
            clrs__log(CLRS_LOG_DEBUG, "cache", "binary in %s rejected by the driver; rebuilding", path);
        } else {
            clrs__log(CLRS_LOG_DEBUG, "cache", "MISS %s (%s %s)", path, src->name, ent->options);
        }
    }
    cl_program p = clCreateProgramWithSource(ctx->cl, 2, texts, lens, &e);
    if (e != CL_SUCCESS) return clrs__fail_cl(ctx, e, "clCreateProgramWithSource");
    e = clBuildProgram(p, 1, &ctx->dev, ent->options, NULL, NULL);
    if (e != CL_SUCCESS) {
        ent->log = build_log(ctx, p);
        clReleaseProgram(p);
        clrs__log(CLRS_LOG_ERROR, "build", "building %s.cl with '%s' failed: %s", src->name, ent->options,
                  ent->log ? ent->log : "");
        return CLRS_ERR_BUILD_FAILED;
    }
    clrs__log(CLRS_LOG_DEBUG, "build", "built %s.cl with '%s'", src->name, ent->options);
    ent->program = p;
    if (path[0] != '\0' && !cache_readonly) {
        size_t blen = 0;
        if (clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof blen, &blen, NULL) == CL_SUCCESS && blen > 0) {
            unsigned char *bin = malloc(blen);
            unsigned char *bins[1] = {bin};
            if (bin != NULL && clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL) == CL_SUCCESS)
                cache_store(path, key, klen, bin, blen);
            free(bin);
        }
    }
    return CLRS_OK;
}

clrs_status clrs__get_kernel(clrs_context *ctx, const char *source, const char *options,
                             const char *kernel_name, cl_kernel *out)
{
    const clrs_kernel_source *src = clrs__kernel_source(source);
    if (src == NULL) return clrs__fail(ctx, CLRS_ERR_INTERNAL, "no kernel source named '%s'", source);
    char full[1024];
    const char *extra = clrs__getenv("CLRS_OPENCL_BUILD_OPTIONS");
    snprintf(full, sizeof full, "-cl-std=CL1.2 %s %s%s%s", ctx->device_options, options,
             extra ? " " : "", extra ? extra : "");

    pthread_mutex_lock(&ctx->lock);
    clrs_program_entry *ent = ctx->programs;
    for (; ent != NULL; ent = ent->next)
        if (ent->src == src && strcmp(ent->options, full) == 0) break;
    if (ent == NULL) {
        ent = calloc(1, sizeof *ent);
        char *opt = strdup(full);
        if (ent == NULL || opt == NULL) {
            free(ent);
            free(opt);
            pthread_mutex_unlock(&ctx->lock);
            return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "program cache entry");
        }
        ent->src = src;
        ent->options = opt;
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
        ent->refs++; /* keeps the entry alive across the wait */
        while (ent->state == 0) pthread_cond_wait(&ctx->built, &ctx->lock);
    }
    clrs_status st = ent->status;
    cl_program prog = ent->program;
    if (st != CLRS_OK || prog == NULL)
        /* A failed build stays cached with its log: report it every time. */
        st = clrs__fail(ctx, st == CLRS_OK ? CLRS_ERR_BUILD_FAILED : st,
                        "building %s.cl with options '%s' failed%s%s", src->name, ent->options,
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
