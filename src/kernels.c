/* SPDX-License-Identifier: MIT */
/* Kernel sources: the copies embedded at build time, or, for kernel
 * development, files in CLRS_KERNEL_DIR. Never read relative to the CWD. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "kernels.h"

#define CLRS_MAX_SOURCES 32
#define MAX_KERNEL_FILE (4u << 20)  /* a kernel source larger than this is refused */
#define MAX_ENV_PATH 3800           /* longer CLRS_KERNEL_DIR values are refused, not cut */
#define MAX_EXTRA_OPTIONS 4096      /* longer CLRS_OPENCL_BUILD_OPTIONS are refused, not cut */
static clrs_kernel_source sources[CLRS_MAX_SOURCES];
static size_t nsources;
static pthread_once_t sources_once = PTHREAD_ONCE_INIT;

/* A regular file of at most MAX_KERNEL_FILE bytes, opened without following
 * a symlink and without blocking on a FIFO; NULL with *why set otherwise. */
static char *read_file(const char *path, size_t *len, const char **why)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        *why = errno == ELOOP ? "a symbolic link" : strerror(errno);
        return NULL;
    }
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) != 0) {
        *why = strerror(errno);
    } else if (!S_ISREG(st.st_mode)) {
        *why = "not a regular file";
    } else if ((uint64_t)st.st_size > MAX_KERNEL_FILE) {
        *why = "larger than 4 MiB";
    } else if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
        *why = "out of memory";
    } else {
        size_t n = 0, want = (size_t)st.st_size;
        while (n < want) {
            ssize_t r = read(fd, buf + n, want - n);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            n += (size_t)r;
        }
        if (n != want) {
            *why = "changed size while being read";
            free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
            *len = n;
        }
    }
    close(fd);
    return buf;
}

static const char *kernel_dir(void)
{
    const char *dir = clrs__getenv("CLRS_KERNEL_DIR");
    if (dir == NULL) return NULL;
    if (strlen(dir) > MAX_ENV_PATH) {
        clrs__log(CLRS_LOG_WARN, "build", "ignoring CLRS_KERNEL_DIR: %zu bytes long (at most %d)", strlen(dir),
                  MAX_ENV_PATH);
        return NULL;
    }
    struct stat st;
    int bad = stat(dir, &st) != 0;
    if (bad || !S_ISDIR(st.st_mode)) {
        clrs__log(CLRS_LOG_WARN, "build", "ignoring CLRS_KERNEL_DIR=%s: %s", dir,
                  bad ? strerror(errno) : "not a directory");
        return NULL;
    }
    return dir;
}

static void load_sources(void)
{
    const char *dir = kernel_dir();
    for (size_t i = 0; i < clrs_embedded_kernel_count && nsources < CLRS_MAX_SOURCES; i++) {
        const clrs_embedded_kernel *e = &clrs_embedded_kernels[i];
        clrs_kernel_source *s = &sources[nsources++];
        s->name = e->name;
        s->text = e->text;
        s->len = e->len;
        if (dir != NULL) {
            char path[MAX_ENV_PATH + 64];
            snprintf(path, sizeof path, "%s/%s.cl", dir, e->name);
            size_t len = 0;
            const char *why = NULL;
            char *text = read_file(path, &len, &why);
            if (text != NULL) {
                s->text = text; /* kept for the life of the process */
                s->len = len;
                s->overridden = 1;
                clrs__log(CLRS_LOG_WARN, "build", "kernel source %s.cl read from CLRS_KERNEL_DIR=%s",
                          e->name, dir);
            } else {
                clrs__log(CLRS_LOG_WARN, "build", "CLRS_KERNEL_DIR=%s: not using %s.cl (%s); using the embedded copy",
                          dir, e->name, why);
            }
        }
        clrs__sha256(s->text, s->len, s->sha256);
    }
}

const clrs_kernel_source *clrs__kernel_source(const char *name)
{
    pthread_once(&sources_once, load_sources);
    for (size_t i = 0; i < nsources; i++)
        if (strcmp(sources[i].name, name) == 0) return &sources[i];
    return NULL;
}

/* Programs built from several sources (fragments), in order: each family's
 * kernels with the shared fragments they use. A program not listed here is
 * "common" followed by the source of its own name. */
static const struct {
    const char *program;
    const char *parts[CLRS_MAX_PARTS];
} PROGRAMS[] = {
    {"probe", {"probe"}},
    /* resampling (src/ops/resample_engine.c) */
    {"gather", {"common", "resample_common", "gather"}},
    {"resample", {"common", "half", "resample_common", "resample"}},
    {"resample_vec", {"common", "half", "resample_common", "resample_vec"}},
    {"resample_u8", {"common", "half", "resample_common", "resample_u8"}},
    /* pooling (src/ops/pool.c, pool_win.c, unpool.c, pixel_shuffle.c, pool_backward.c) */
    {"pool", {"common", "pool_common", "pool"}},
    {"pool_win", {"common", "pool_common", "pool_win"}},
    {"unpool", {"common", "pool_common", "unpool"}},
    {"pool_backward", {"common", "pool_common", "pool_backward"}},
    {"interp_backward", {"common", "pool_common", "interp_backward"}}, /* src/ops/interp_backward.c */
    {"pixel_shuffle", {"common", "pool_common", "pixel_shuffle"}},
    /* grid sampling (src/ops/grid_sample.c) */
    {"grid_sample", {"common", "grid_sample"}},
    /* convolution (src/ops/conv.c) */
    {"conv", {"common", "pool_common", "conv"}},
    {"conv_win", {"common", "pool_common", "conv_win"}},
    {"conv_gemm", {"common", "pool_common", "conv_gemm"}}, /* src/ops/conv_clblast.c */
};

int clrs__program_parts(const char *program, const clrs_kernel_source **parts, int max)
{
    for (size_t i = 0; i < CLRS_ARRAY_LEN(PROGRAMS); i++) {
        if (strcmp(PROGRAMS[i].program, program) != 0) continue;
        int n = 0;
        for (; n < CLRS_MAX_PARTS && PROGRAMS[i].parts[n] != NULL; n++) {
            if (n >= max || (parts[n] = clrs__kernel_source(PROGRAMS[i].parts[n])) == NULL) return -1;
        }
        return n;
    }
    if (max < 2 || (parts[0] = clrs__kernel_source("common")) == NULL ||
        (parts[1] = clrs__kernel_source(program)) == NULL)
        return -1;
    return 2;
}

void clrs__extra_build_options(char *buf, size_t len)
{
    buf[0] = '\0';
    const char *v = clrs__getenv("CLRS_OPENCL_BUILD_OPTIONS");
    if (v == NULL) return;
    if (strlen(v) > MAX_EXTRA_OPTIONS || strlen(v) >= len) {
        clrs__log(CLRS_LOG_WARN, "build", "ignoring CLRS_OPENCL_BUILD_OPTIONS: %zu bytes long (at most %d)",
                  strlen(v), MAX_EXTRA_OPTIONS);
        return;
    }
    clrs__log(CLRS_LOG_INFO, "build", "extra build options from CLRS_OPENCL_BUILD_OPTIONS: %s", v);
    memcpy(buf, v, strlen(v) + 1);
}
