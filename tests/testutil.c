/* SPDX-License-Identifier: MIT */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

static clrs_context *shared_ctx;

const char *tu_srcdir(void)
{
    const char *s = getenv("TEST_SRCDIR");
    return (s && *s) ? s : TEST_SRCDIR;
}

clrs_context *tu_context(void)
{
    if (shared_ctx) return shared_ctx;
    clrs_status st = clrs_context_create(&shared_ctx, NULL);
    if (st == CLRS_ERR_NO_PLATFORM) {
        const char *ci = getenv("CI");
        if (ci && *ci) {
            fprintf(stderr, "FAIL: CI is set but there is no OpenCL platform: %s\n", clrs_last_error(NULL));
            exit(1);
        }
        fprintf(stderr, "SKIP: no OpenCL platform (%s)\n", clrs_last_error(NULL));
        exit(77);
    }
    if (st != CLRS_OK) {
        fprintf(stderr, "FAIL: clrs_context_create: %s: %s\n", clrs_strerror(st), clrs_last_error(NULL));
        exit(1);
    }
    clrs_device_info info;
    if (clrs_context_device(shared_ctx, &info) == CLRS_OK)
        fprintf(stderr, "# device: %s '%s' on '%s' (%s)\n", info.type, info.name, info.platform, info.reason);
    return shared_ctx;
}

void tu_context_release(void)
{
    clrs_context_release(shared_ctx);
    shared_ctx = NULL;
}

double tu_timeout(double seconds)
{
    const char *env = getenv("CK_DEFAULT_TIMEOUT");
    if (env != NULL && *env != '\0') {
        char *end = NULL;
        double v = strtod(env, &end);
        if (end != env && *end == '\0' && v >= 0) {
            if (v == 0) return 0; /* no timeout at all */
            if (v > seconds) return v;
        }
    }
    return seconds;
}

void tu_require_platform(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        clrs_device_info *list = NULL;
        size_t n = 0;
        _exit(clrs_device_list(&list, &n) == CLRS_OK ? 0 : 77);
    }
    int status = 0;
    if (pid > 0) waitpid(pid, &status, 0);
    if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
    const char *ci = getenv("CI");
    fprintf(stderr, "%s: no OpenCL platform\n", (ci && *ci) ? "FAIL" : "SKIP");
    exit((ci && *ci) ? 1 : 77);
}

void tu_binary_cache_off(void)
{
    const char *keep = getenv("CLRS_TEST_BINARY_CACHE");
    if (keep != NULL && strcmp(keep, "1") == 0) return;
    setenv("CLRS_CACHE_DIR", "off", 1);
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void tu_progress(const char *what, long done, long total, const char *unit)
{
    /* one test runs at a time in a process (a forked child with CK_FORK),
     * so one clock per process is enough: a new name, or 0 done, restarts
     * it */
    static char last_what[128];
    static double start, last;
    double t = now_seconds();
    int fresh = done == 0 || strncmp(last_what, what, sizeof last_what - 1) != 0;
    if (fresh) {
        snprintf(last_what, sizeof last_what, "%s", what);
        start = t;
    } else if ((total <= 0 || done < total) && t - last < TU_PROGRESS_SECONDS) {
        return;
    }
    last = t;
    if (total > 0)
        fprintf(stderr, "# %s: %ld/%ld %s (%.0f s)\n", what, done, total, unit, t - start);
    else
        fprintf(stderr, "# %s: %ld %s (%.0f s)\n", what, done, unit, t - start);
    fflush(stderr);
}

const char *tu_layout_name(tu_layout l)
{
    static const char *const n[] = {"contiguous", "channels_last", "strided"};
    return (unsigned)l < 3 ? n[l] : "?";
}

void tu_alloc(tu_tensor *t, clrs_dtype dt, int rank, const int64_t *sizes, tu_layout l, unsigned char fill)
{
    memset(t, 0, sizeof *t);
    if (l == TU_CHANNELS_LAST)
        clrs_tensor_desc_channels_last(&t->desc, dt, rank, sizes);
    else
        clrs_tensor_desc_contiguous(&t->desc, dt, rank, sizes);
    if (l == TU_STRIDED) {
        /* order: N outermost, then spatial dims reversed, C innermost-but-one;
         * every stride padded by a dim-dependent gap */
        int order[CLRS_MAX_RANK], k = 0;
        order[k++] = 0;
        for (int i = rank - 1; i >= 2; i--) order[k++] = i;
        order[k++] = 1;
        int64_t s = 2; /* innermost stride 2: a gap between elements */
        for (int j = rank - 1; j >= 0; j--) {
            t->desc.strides[order[j]] = s;
            s = s * (sizes[order[j]] > 0 ? sizes[order[j]] : 1) + (j % 2 ? 3 : 1);
        }
        t->desc.offset = 5;
    }
    int64_t ext = 1 + t->desc.offset;
    for (int i = 0; i < rank; i++) ext += (sizes[i] > 0 ? sizes[i] - 1 : 0) * t->desc.strides[i];
    t->bytes = (size_t)ext * clrs_dtype_size(dt);
    t->base = malloc(t->bytes ? t->bytes : 1);
    memset(t->base, fill, t->bytes);
}

static void walk(const tu_tensor *t, void *logical, int store)
{
    const clrs_tensor_desc *d = &t->desc;
    size_t es = clrs_dtype_size(d->dtype);
    int64_t n = 1;
    for (int i = 0; i < d->rank; i++) n *= d->sizes[i];
    for (int64_t li = 0; li < n; li++) {
        int64_t r = li, off = d->offset;
        for (int i = d->rank - 1; i >= 0; i--) {
            off += (r % d->sizes[i]) * d->strides[i];
            r /= d->sizes[i];
        }
        unsigned char *phys = t->base + (size_t)off * es;
        unsigned char *lg = (unsigned char *)logical + (size_t)li * es;
        if (store)
            memcpy(phys, lg, es);
        else
            memcpy(lg, phys, es);
    }
}

void tu_store(tu_tensor *t, const void *logical) { walk(t, (void *)(uintptr_t)logical, 1); }
void tu_load(const tu_tensor *t, void *logical) { walk(t, logical, 0); }
void tu_free(tu_tensor *t)
{
    free(t->base);
    t->base = NULL;
}

float tu_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, u;
    if (exp == 0) {
        float f = ldexpf((float)man, -24);
        return sign ? -f : f;
    }
    if (exp == 31)
        u = sign | 0x7f800000u | (man << 13);
    else
        u = sign | ((exp + 112) << 23) | (man << 13);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

uint16_t tu_float_to_half(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
    uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return sign | 0x7e00;
    if (a >= 0x477ff000u) return sign | 0x7c00; /* rounds to inf */
    if (a < 0x38800000u) {                      /* subnormal half */
        float af;
        memcpy(&af, &a, 4);
        return sign | (uint16_t)lrintf(af * 16777216.0f);
    }
    uint32_t r = a + 0x0fffu + ((a >> 13) & 1u) - 0x38000000u;
    return sign | (uint16_t)(r >> 13);
}

double tu_get(clrs_dtype dt, const void *data, int64_t i)
{
    switch (dt) {
    case CLRS_F32: return ((const float *)data)[i];
    case CLRS_F64: return ((const double *)data)[i];
    case CLRS_F16: return tu_half_to_float(((const uint16_t *)data)[i]);
    case CLRS_BF16: {
        uint32_t u = (uint32_t)((const uint16_t *)data)[i] << 16;
        float f;
        memcpy(&f, &u, 4);
        return f;
    }
    case CLRS_U8: return ((const uint8_t *)data)[i];
    case CLRS_U16: return ((const uint16_t *)data)[i];
    case CLRS_I64: return (double)((const int64_t *)data)[i];
    default: return NAN;
    }
}

void tu_set(clrs_dtype dt, void *data, int64_t i, double v)
{
    switch (dt) {
    case CLRS_F32: ((float *)data)[i] = (float)v; break;
    case CLRS_F64: ((double *)data)[i] = v; break;
    case CLRS_F16: ((uint16_t *)data)[i] = tu_float_to_half((float)v); break;
    case CLRS_BF16: {
        float f = (float)v;
        uint32_t u;
        memcpy(&u, &f, 4);
        if ((u & 0x7fffffffu) > 0x7f800000u)
            u = (u >> 16) | 0x40;
        else
            u = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
        ((uint16_t *)data)[i] = (uint16_t)u;
        break;
    }
    case CLRS_U8: ((uint8_t *)data)[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : lrint(v)); break;
    case CLRS_U16: ((uint16_t *)data)[i] = (uint16_t)(v < 0 ? 0 : v > 65535 ? 65535 : lrint(v)); break;
    case CLRS_I64: ((int64_t *)data)[i] = (int64_t)v; break;
    default: break;
    }
}

int tu_read_manifest(const char *path, tu_case **cases)
{
    FILE *f = fopen(path, "r");
    *cases = NULL;
    if (!f) return -1;
    int n = 0, cap = 0;
    char buf[2048];
    while (fgets(buf, sizeof buf, f)) {
        size_t len = strlen(buf);
        while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) buf[--len] = '\0';
        if (len == 0 || buf[0] == '#') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            *cases = realloc(*cases, (size_t)cap * sizeof **cases);
        }
        tu_case *c = &(*cases)[n++];
        memset(c, 0, sizeof *c);
        memcpy(c->line, buf, len + 1);
    }
    /* tokenise only now: realloc above moves the lines */
    for (int i = 0; i < n; i++) {
        tu_case *c = &(*cases)[i];
        char *save = NULL;
        for (char *tok = strtok_r(c->line, " ", &save); tok && c->n < 48; tok = strtok_r(NULL, " ", &save)) {
            char *eq = strchr(tok, '=');
            if (!eq) continue;
            *eq = '\0';
            c->key[c->n] = tok;
            c->val[c->n++] = eq + 1;
        }
    }
    fclose(f);
    return n;
}

const char *tu_get_str(const tu_case *c, const char *key)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->key[i], key) == 0) return strcmp(c->val[i], "-") == 0 ? NULL : c->val[i];
    return NULL;
}

int tu_get_ints(const tu_case *c, const char *key, int64_t *v, int max)
{
    const char *s = tu_get_str(c, key);
    int n = 0;
    while (s && *s && n < max) {
        char *end;
        v[n++] = strtoll(s, &end, 10);
        s = (*end == ',') ? end + 1 : NULL;
    }
    return n;
}

int tu_get_doubles(const tu_case *c, const char *key, double *v, int max)
{
    const char *s = tu_get_str(c, key);
    int n = 0;
    while (s && *s && n < max) {
        char *end;
        v[n++] = strtod(s, &end);
        s = (*end == ',') ? end + 1 : NULL;
    }
    return n;
}

int tu_get_int(const tu_case *c, const char *key, int dflt)
{
    const char *s = tu_get_str(c, key);
    return s ? atoi(s) : dflt;
}

clrs_dtype tu_dtype_from_name(const char *s)
{
    static const struct { const char *n; clrs_dtype d; } m[] = {
        {"f32", CLRS_F32}, {"f64", CLRS_F64}, {"f16", CLRS_F16}, {"bf16", CLRS_BF16},
        {"u8", CLRS_U8},   {"u16", CLRS_U16}, {"i64", CLRS_I64}};
    for (size_t i = 0; s && i < sizeof m / sizeof m[0]; i++)
        if (strcmp(s, m[i].n) == 0) return m[i].d;
    return CLRS_DTYPE_INVALID;
}

uint64_t tu_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double tu_uniform(uint64_t *s) { return (double)(tu_rand(s) >> 11) * (1.0 / 9007199254740992.0); }

int64_t tu_range(uint64_t *s, int64_t lo, int64_t hi) { return lo + (int64_t)(tu_rand(s) % (uint64_t)(hi - lo + 1)); }
