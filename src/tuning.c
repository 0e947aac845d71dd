/* SPDX-License-Identifier: MIT */
/* The tuning table (see tuning.h): built-in defaults, entries per device
 * class, tuning files from `clresample tune`, CLRS_TUNE_* overrides. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tuning.h"

#define TUNING_FILE_MAX 65536
#define TUNING_FILE_MAGIC "# clresample tuning file 1"

static const struct field {
    const char *name, *doc;
    int64_t cpu, gpu, lo, hi;
} FIELDS[] = {
#define CLRS_TUNING_FIELD_(n, c, g, l, h, d) {#n, d, c, g, l, h},
    CLRS_TUNING_FIELDS(CLRS_TUNING_FIELD_)
#undef CLRS_TUNING_FIELD_
};

/* Values that must be powers of two (work-group sizes halved to fit). */
static int needs_pow2(const char *name)
{
    return strcmp(name, "lx") == 0 || strcmp(name, "rs_lx") == 0 || strcmp(name, "pool_wg") == 0;
}

/* The table. The first entry whose every non-NULL field is a substring of
 * the device's (type: "CPU" or "GPU", the latter matching dGPU and iGPU)
 * applies its values over the defaults of its type. "measured" entries
 * were timed with `clresample bench` / `clresample tune`; the GPU entries
 * come from the vendors' optimisation guides and stay marked unmeasured
 * until a run on such a device replaces them. */
static const struct entry {
    const char *id, *type, *platform, *vendor, *name;
    const char *note;
    const char *values; /* "name=value ..." over the type's defaults */
} TABLE[] = {
    {"pocl-cpu", "CPU", "Portable Computing Language", NULL, NULL,
     "measured: PoCL 3.1 (Debian 12), 2-core AVX-512 CPU, bench W1-W12 (docs/benchmarks.md); "
     "gs_chunk: W19 planar 22 ms at 16 against 29-32 ms at 0; rs_two_pass_min_growth 8: W16 NCHW 2.3-4.2 ms "
     "against 5.3-8.0, NHWC 3.2-4.3 against 14.8-18.9 (2026-12-07, loaded); conv_dw_vw 16 / conv_dw_px 8: W22/W23 "
     "on a loaded machine (other processes 45-77 %), vw 8 vs 16 and px 4/8/16/32 within its noise (2026-12-07); "
     "conv_gemm_min_macs: conv/clblast "
     "(CLBlast 1.5.3) 1.3-2x faster than conv/general from 3e4-1e5 multiply-adds with C_in*k >= 2, 4-16x from 1e6 "
     "(1x1 and 3x3 convs, 1-128 channels, 16-128 px; 2026-12-07, loaded); conv_transpose_gemm_min_macs: "
     "conv_transpose/clblast 1.05-1.5x faster than conv_transpose/general at 4e3-1.6e4 multiply-adds, 0.72x at 1e3, "
     "2-50x from 1.6e4 (2x2 and 4x4 stride 2, 4-64 channels, 4-64 px; 2026-12-08, loaded); rs_rows_block 16: "
     "W13a/W13b/W14a/W14b NCHW 1.15-2.1x faster than resample/general, 8 and 32 slower (2026-12-08, loaded)",
     "lx=16 rs_lx=256 rs_rows_cap=1024 rs_per_rows_cap=1024 rs_vper=1 pool_wg=16 unpool_gather_max_planes=16 "
     "gs_chunk=16 rs_two_pass_min_growth=8 conv_dw_vw=16 conv_dw_px=8 conv_gemm_min_macs=65536 "
     "conv_transpose_gemm_min_macs=4096 rs_rows_block=16"},
    {"intel-cpu", "CPU", "Intel(R) OpenCL", NULL, NULL,
     "measured: Intel CPU runtime 2026.2 (PyPI), 2-core AMD EPYC, clresample tune 2026-12-07: PoCL's values "
     "except rs_lx=512 (0.81-0.84x), gs_chunk=16 kept (0: 1.27x, 4: 1.38x, 64: 1.34x); concurrent program builds "
     "crash (serial_build); conv/clblast 1.5-4x faster than conv/general from 2.6e5 multiply-adds, "
     "0.4-1.2x below (1x1 and 3x3 convs, 1-64 channels; the default conv_gemm_min_macs); "
     "conv_transpose/clblast 1.3-24x faster than conv_transpose/general from 1.6e4 multiply-adds, 0.36-0.97x at "
     "1e3-4e3 (2x2 and 4x4 stride 2, 4-64 channels, 4-64 px; 2026-12-08, loaded); rs_rows_block 0: "
     "resample/rows 1.0-1.5x slower than resample/general on W13a/W13b/W14a/W14b NCHW (general vectorises there; "
     "2026-12-08, min of 10)",
     "serial_build=1 rs_lx=512 conv_transpose_gemm_min_macs=16384 rs_rows_block=0"},
    {"nvidia-gpu", "GPU", NULL, "NVIDIA", NULL,
     "unmeasured: NVIDIA CUDA C best-practices guide (warps of 32, 128-256 threads per block)",
     "lx=128 rs_lx=128 rs_rows_cap=256 rs_per_rows_cap=256 pool_wg=256"},
    {"amd-gpu", "GPU", NULL, "Advanced Micro Devices", NULL,
     "unmeasured: AMD GPU optimisation guides (wavefronts of 64 on GCN/CDNA, 32 on RDNA; groups of 64-256)",
     "lx=64 rs_lx=64 rs_rows_cap=256 rs_per_rows_cap=256 pool_wg=256"},
    {"intel-gpu", "GPU", NULL, "Intel", NULL,
     "unmeasured: Intel GPU optimisation guide (SIMD8-32 sub-groups; work-groups of 64-256)",
     "lx=64 rs_lx=64 rs_rows_cap=256 rs_per_rows_cap=128 pool_wg=256"},
    {"arm-mali-gpu", "GPU", NULL, "ARM", "Mali",
     "unmeasured: Arm Mali OpenCL developer guide (work-groups of 64-128, smaller on older Midgard parts)",
     "lx=64 rs_lx=64 rs_rows_cap=128 rs_per_rows_cap=64 pool_wg=128"},
    {"qualcomm-adreno-gpu", "GPU", NULL, "QUALCOMM", "Adreno",
     "unmeasured: Qualcomm Adreno OpenCL programming guide (waves of 64/128; groups up to the kernel's limit)",
     "lx=128 rs_lx=128 rs_rows_cap=256 rs_per_rows_cap=128 pool_wg=256"},
    {"apple-gpu", "GPU", "Apple", NULL, NULL,
     "unmeasured: Apple Metal/OpenCL guidance (SIMD-groups of 32; groups of 64-256)",
     "lx=64 rs_lx=64 rs_rows_cap=256 rs_per_rows_cap=128 pool_wg=256"},
};

int clrs__tuning_index(const char *name)
{
    if (name == NULL) return -1;
    for (int i = 0; i < CLRS_TUNING_NFIELDS; i++)
        if (strcmp(FIELDS[i].name, name) == 0) return i;
    return -1;
}

static int64_t *slot(clrs_tuning *t, int i) { return (int64_t *)t + i; }

/* A strict decimal integer (an optional sign, digits, nothing else). */
static int parse_i64(const char *s, int64_t *v)
{
    if (s == NULL || *s == '\0') return -1;
    const char *p = s;
    if (*p == '-' || *p == '+') p++;
    if (!isdigit((unsigned char)*p)) return -1;
    errno = 0;
    char *end = NULL;
    long long x = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0') return -1;
    *v = (int64_t)x;
    return 0;
}

/* NULL when `v` is a valid value of field i; else why not. */
static const char *check_value(int i, int64_t v, char *why, size_t len)
{
    if (v < FIELDS[i].lo || v > FIELDS[i].hi) {
        snprintf(why, len, "%s=%" PRId64 " is outside [%" PRId64 ", %" PRId64 "]", FIELDS[i].name, v, FIELDS[i].lo,
                 FIELDS[i].hi);
        return why;
    }
    if (needs_pow2(FIELDS[i].name) && (v & (v - 1)) != 0) {
        snprintf(why, len, "%s=%" PRId64 " is not a power of two", FIELDS[i].name, v);
        return why;
    }
    return NULL;
}

/* Apply "name=value name=value ..." (the table's strings); returns -1 on
 * the first bad item (a bug in the table: tests/test_dispatch checks). */
static int apply_values(clrs_tuning_state *ts, const char *values, const char *src)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", values);
    char *save = NULL;
    for (char *tok = strtok_r(buf, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        if (eq == NULL) return -1;
        *eq = '\0';
        int i = clrs__tuning_index(tok);
        int64_t v;
        char why[128];
        if (i < 0 || parse_i64(eq + 1, &v) != 0 || check_value(i, v, why, sizeof why) != NULL) return -1;
        *slot(&ts->v, i) = v;
        snprintf(ts->src[i], sizeof ts->src[i], "%s", src);
    }
    return 0;
}

static int is_gpu_type(const char *type) { return strstr(type, "GPU") != NULL; }

static int entry_matches(const struct entry *e, const clrs_device_info *info)
{
    if (e->type != NULL && !(strcmp(e->type, "GPU") == 0 ? is_gpu_type(info->type) : strcmp(e->type, info->type) == 0))
        return 0;
    if (e->platform != NULL && strstr(info->platform, e->platform) == NULL) return 0;
    if (e->vendor != NULL && strstr(info->vendor, e->vendor) == NULL) return 0;
    if (e->name != NULL && strstr(info->name, e->name) == NULL) return 0;
    return 1;
}

int clrs__tuning_serial_build(const char *platform_name, const char *device_name)
{
    clrs_device_info info;
    memset(&info, 0, sizeof info);
    snprintf(info.platform, sizeof info.platform, "%s", platform_name);
    snprintf(info.name, sizeof info.name, "%s", device_name ? device_name : "");
    for (size_t k = 0; k < CLRS_ARRAY_LEN(TABLE); k++) {
        const struct entry *e = &TABLE[k];
        /* the type is not known yet: platform and name only */
        if (e->platform == NULL || strstr(info.platform, e->platform) == NULL) continue;
        if (e->name != NULL && strstr(info.name, e->name) == NULL) continue;
        return strstr(e->values, "serial_build=1") != NULL;
    }
    return 0;
}

/* The identity a tuning file must carry: it applies to exactly this
 * device, driver and library version. */
static void file_identity(const clrs_context *ctx, char *buf, size_t len)
{
    snprintf(buf, len, "platform: %s\ndevice: %s\ndriver: %s\nlibrary: %s\n", ctx->info.platform, ctx->info.name,
             ctx->info.driver, clrs_version_string());
}

int clrs__tuning_file_path(const clrs_context *ctx, char *buf, size_t len)
{
    const char *dir = clrs__binary_cache_dir();
    if (dir[0] == '\0') return -1;
    char id[1024];
    file_identity(ctx, id, sizeof id);
    unsigned char h[32];
    char hex[65];
    clrs__sha256(id, strlen(id), h);
    clrs__hex(h, 8, hex);
    snprintf(buf, len, "%s/tune-%s.txt", dir, hex);
    return 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Parse a tuning file's text into `ts`: every line checked first, applied
 * only when all are good. NULL on success, else why it is ignored. */
static const char *apply_file(clrs_tuning_state *ts, const clrs_context *ctx, const char *text, char *why,
                              size_t wlen)
{
    char id[1024];
    file_identity(ctx, id, sizeof id);
    size_t ml = strlen(TUNING_FILE_MAGIC);
    if (strncmp(text, TUNING_FILE_MAGIC, ml) != 0 || text[ml] != '\n') return "not a clresample tuning file (format 1)";
    const char *p = text + ml + 1;
    if (strncmp(p, id, strlen(id)) != 0)
        return "written for another device, driver or library version (stale or foreign)";
    p += strlen(id);
    clrs_tuning_state tmp = *ts;
    int line = 0;
    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        line++;
        char buf[256];
        if (n >= sizeof buf) {
            snprintf(why, wlen, "line %d is too long", line);
            return why;
        }
        memcpy(buf, p, n);
        buf[n] = '\0';
        p += n + (nl ? 1 : 0);
        if (buf[0] == '#' || buf[0] == '\0') continue;
        char *eq = strchr(buf, '=');
        int64_t v;
        int i = -1;
        if (eq != NULL) {
            *eq = '\0';
            i = clrs__tuning_index(buf);
        }
        if (eq == NULL || i < 0) {
            snprintf(why, wlen, "line %d: unknown value '%.64s'", line, buf);
            return why;
        }
        if (parse_i64(eq + 1, &v) != 0) {
            snprintf(why, wlen, "line %d: %.64s='%.32s' is not an integer", line, buf, eq + 1);
            return why;
        }
        char vwhy[128];
        if (check_value(i, v, vwhy, sizeof vwhy) != NULL) {
            snprintf(why, wlen, "line %d: %s", line, vwhy);
            return why;
        }
        *slot(&tmp.v, i) = v;
        snprintf(tmp.src[i], sizeof tmp.src[i], "file");
    }
    *ts = tmp;
    return NULL;
}

static void env_name(const char *field, char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len, "CLRS_TUNE_%s", field);
    for (size_t k = 10; k < n && k < len; k++) buf[k] = (char)toupper((unsigned char)buf[k]);
}

void clrs__tuning_resolve(clrs_context *ctx)
{
    clrs_tuning_state *ts = &ctx->tune;
    memset(ts, 0, sizeof *ts);
    const int gpu = !ctx->is_cpu;
    for (int i = 0; i < CLRS_TUNING_NFIELDS; i++) {
        *slot(&ts->v, i) = gpu ? FIELDS[i].gpu : FIELDS[i].cpu;
        snprintf(ts->src[i], sizeof ts->src[i], "default");
    }
    snprintf(ts->entry, sizeof ts->entry, "%s", gpu ? "default-gpu" : "default-cpu");
    snprintf(ts->entry_note, sizeof ts->entry_note, "%s",
             gpu ? "unmeasured: conservative defaults for any GPU" : "the PoCL CPU values, unmeasured on this CPU runtime");
    for (size_t k = 0; k < CLRS_ARRAY_LEN(TABLE); k++) {
        if (!entry_matches(&TABLE[k], &ctx->info)) continue;
        snprintf(ts->entry, sizeof ts->entry, "%s", TABLE[k].id);
        snprintf(ts->entry_note, sizeof ts->entry_note, "%s", TABLE[k].note);
        char src[48];
        snprintf(src, sizeof src, "table %.40s", TABLE[k].id);
        if (apply_values(ts, TABLE[k].values, src) != 0)
            clrs__log(CLRS_LOG_ERROR, "tune", "tuning table entry %s has a bad value list (ignored in part)",
                      TABLE[k].id);
        break;
    }
    /* the tuning file of this device and driver */
    char path[600];
    if (clrs__tuning_file_path(ctx, path, sizeof path) == 0) {
        const char *why = NULL;
        char *text = clrs__cache_read_small(base_name(path), TUNING_FILE_MAX, &why);
        if (text != NULL) {
            char buf[160];
            const char *bad = apply_file(ts, ctx, text, buf, sizeof buf);
            if (bad != NULL)
                clrs__log(CLRS_LOG_WARN, "tune", "ignoring tuning file %s: %s", path, bad);
            else
                snprintf(ts->file, sizeof ts->file, "%s", path);
            free(text);
        } else if (why != NULL && strcmp(why, strerror(ENOENT)) != 0) {
            clrs__log(CLRS_LOG_WARN, "tune", "ignoring tuning file %s: %s", path, why);
        }
    }
    /* CLRS_TUNE_<NAME> */
    for (int i = 0; i < CLRS_TUNING_NFIELDS; i++) {
        char name[40];
        env_name(FIELDS[i].name, name, sizeof name);
        const char *s = clrs__getenv(name);
        if (s == NULL) continue;
        int64_t v;
        char why[128];
        if (parse_i64(s, &v) != 0) {
            clrs__log(CLRS_LOG_WARN, "tune", "ignoring %s='%.32s': not an integer", name, s);
        } else if (check_value(i, v, why, sizeof why) != NULL) {
            clrs__log(CLRS_LOG_WARN, "tune", "ignoring %s: %s", name, why);
        } else {
            *slot(&ts->v, i) = v;
            snprintf(ts->src[i], sizeof ts->src[i], "env %s", name);
        }
    }
    if (ts->v.serial_build) ctx->quirks |= CLRS_QUIRK_SERIAL_BUILD;
    clrs__log(CLRS_LOG_INFO, "tune", "tuning entry %s%s%s", ts->entry, ts->file[0] ? ", file " : "", ts->file);
}

/* ---- public ------------------------------------------------------------ */
int clrs_tuning_count(void) { return CLRS_TUNING_NFIELDS; }
const char *clrs_tuning_name(int i) { return i >= 0 && i < CLRS_TUNING_NFIELDS ? FIELDS[i].name : NULL; }
const char *clrs_tuning_doc(int i) { return i >= 0 && i < CLRS_TUNING_NFIELDS ? FIELDS[i].doc : NULL; }

clrs_status clrs_tuning_get(const clrs_context *ctx, const char *name, int64_t *value, const char **source)
{
    clrs__clear_error(ctx);
    if (ctx == NULL || value == NULL)
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "clrs_tuning_get: ctx and value must not be NULL");
    int i = clrs__tuning_index(name);
    if (i < 0) return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "no tuning value named '%s'", name ? name : "(null)");
    *value = *((const int64_t *)&ctx->tune.v + i);
    if (source) *source = ctx->tune.src[i];
    return CLRS_OK;
}

clrs_status clrs_tuning_set(clrs_context *ctx, const char *name, int64_t value)
{
    clrs__clear_error(ctx);
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "clrs_tuning_set: ctx is NULL");
    int i = clrs__tuning_index(name);
    if (i < 0) return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "no tuning value named '%s'", name ? name : "(null)");
    char why[128];
    if (check_value(i, value, why, sizeof why) != NULL) return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s", why);
    *slot(&ctx->tune.v, i) = value;
    snprintf(ctx->tune.src[i], sizeof ctx->tune.src[i], "api");
    if (i == clrs__tuning_index("serial_build") && value) ctx->quirks |= CLRS_QUIRK_SERIAL_BUILD;
    return CLRS_OK;
}

clrs_status clrs_tuning_entry(const clrs_context *ctx, const char **entry, const char **note, const char **file)
{
    clrs__clear_error(ctx);
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "clrs_tuning_entry: ctx is NULL");
    if (entry) *entry = ctx->tune.entry;
    if (note) *note = ctx->tune.entry_note;
    if (file) *file = ctx->tune.file;
    return CLRS_OK;
}

clrs_status clrs_tuning_save(const clrs_context *ctx, char *path, size_t path_len)
{
    clrs__clear_error(ctx);
    if (ctx == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "clrs_tuning_save: ctx is NULL");
    char p[600];
    if (clrs__tuning_file_path(ctx, p, sizeof p) != 0)
        return clrs__fail(ctx, CLRS_ERR_UNSUPPORTED, "no tuning file: the kernel cache directory is off (%s)",
                          "see `clresample cache info`");
    size_t cap = 4096 + (size_t)CLRS_TUNING_NFIELDS * 64;
    char *text = malloc(cap);
    if (text == NULL) return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "tuning file text");
    char id[1024];
    file_identity(ctx, id, sizeof id);
    size_t n = (size_t)snprintf(text, cap, "%s\n%s# written by clrs_tuning_save (clresample tune); values:\n",
                                TUNING_FILE_MAGIC, id);
    /* the values tuned on this context (clrs_tuning_set) or by an earlier
     * tuning file; the others keep following the table */
    for (int i = 0; i < CLRS_TUNING_NFIELDS && n < cap; i++)
        if (strcmp(ctx->tune.src[i], "api") == 0 || strcmp(ctx->tune.src[i], "file") == 0)
            n += (size_t)snprintf(text + n, cap - n, "%s=%" PRId64 "\n", FIELDS[i].name,
                                  *((const int64_t *)&ctx->tune.v + i));
    const char *why = NULL;
    int rc = n < cap ? clrs__cache_write_small(base_name(p), text, n, &why) : -1;
    free(text);
    if (rc != 0) return clrs__fail(ctx, CLRS_ERR_UNSUPPORTED, "cannot write the tuning file %s: %s", p, why ? why : "too long");
    if (path != NULL && path_len > 0) snprintf(path, path_len, "%s", p);
    clrs__log(CLRS_LOG_INFO, "tune", "wrote %s", p);
    return CLRS_OK;
}
