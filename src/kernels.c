/* Kernel sources: the copies embedded at build time, or, for kernel
 * development, files in CLRS_KERNEL_DIR. Never read relative to the CWD. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kernels.h"

uint64_t clrs__fnv1a64(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#define CLRS_MAX_SOURCES 16
static clrs_kernel_source sources[CLRS_MAX_SOURCES];
static size_t nsources;
static pthread_once_t sources_once = PTHREAD_ONCE_INIT;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, ncap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        size_t r = fread(buf + n, 1, 4096, f);
        n += r;
        if (r < 4096) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void load_sources(void)
{
    const char *dir = clrs__getenv("CLRS_KERNEL_DIR");
    for (size_t i = 0; i < clrs_embedded_kernel_count && nsources < CLRS_MAX_SOURCES; i++) {
        const clrs_embedded_kernel *e = &clrs_embedded_kernels[i];
        clrs_kernel_source *s = &sources[nsources++];
        s->name = e->name;
        s->text = e->text;
        s->len = e->len;
        if (dir != NULL) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s.cl", dir, e->name);
            size_t len = 0;
            char *text = read_file(path, &len);
            if (text != NULL) {
                s->text = text; /* kept for the life of the process */
                s->len = len;
                s->overridden = 1;
                clrs__log(CLRS_LOG_WARN, "build", "kernel source %s.cl read from CLRS_KERNEL_DIR=%s",
                          e->name, dir);
            } else {
                clrs__log(CLRS_LOG_WARN, "build",
                          "CLRS_KERNEL_DIR=%s has no readable %s.cl (%s); using the embedded copy",
                          dir, e->name, strerror(errno));
            }
        }
        s->hash = clrs__fnv1a64(s->text, s->len, CLRS_FNV_SEED);
    }
}

const clrs_kernel_source *clrs__kernel_source(const char *name)
{
    pthread_once(&sources_once, load_sources);
    for (size_t i = 0; i < nsources; i++)
        if (strcmp(sources[i].name, name) == 0) return &sources[i];
    return NULL;
}
