/* SPDX-License-Identifier: MIT */
/*
 * bench/bench.c — how close clresample's operators get to the memory
 * bandwidth limit on the device they run on.
 *
 * Resampling and pooling are memory-bound: the floor for an operator is the
 * time to read its input once and write its output once. For every workload
 * (see the table `workloads`) this program measures
 *   - kernel time: OpenCL profiling, from a marker that gates the call to the
 *     end of the operator's last command (so multi-pass operators count all
 *     their passes and the gaps between them, but not host-side enqueueing);
 *   - wall time of the cl_mem call until clFinish returns;
 *   - wall time of the host-pointer call (the convenience path);
 *   - effective GB/s = (bytes read once + bytes written once) / kernel time,
 *     and the same for a plain float4 copy kernel moving the same number of
 *     bytes, measured in the same run; fraction_of_copy = their ratio.
 * "warm": the same buffers again, data may sit in the caches; compared with
 * the copy kernel run the same way (in-cache copy). "cold": a buffer larger
 * than the last-level cache is written before every run; compared with the
 * copy kernel run cold (DRAM copy).
 * First-call latency is measured in child processes (this program executed
 * again) with an empty CLRS_CACHE_DIR and PoCL's kernel cache off (a true
 * compile from source), then with the clresample binary cache warm, then
 * with PoCL's kernel cache warm too.
 *
 * Only the public API (clresample.h, clresample/cl_interop.h) and OpenCL.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clresample.h"
#include "clresample/cl_interop.h"
#include "bench.h"

#define MIB (1024.0 * 1024.0)

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(const double *v, int n)
{
    if (n <= 0) return NAN;
    double *s = malloc((size_t)n * sizeof *s);
    if (s == NULL) return NAN;
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    double m = (n % 2) ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    free(s);
    return m;
}

static double min_of(const double *v, int n)
{
    double m = INFINITY;
    for (int i = 0; i < n; i++)
        if (v[i] < m) m = v[i];
    return n > 0 ? m : NAN;
}

static uint64_t lcg_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* float -> IEEE half, round to nearest even (finite inputs). */
static uint16_t f32_to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint32_t sign = (x >> 16) & 0x8000u, mant = x & 0x7fffffu;
    int32_t exp = (int32_t)((x >> 23) & 0xffu) - 127 + 15;
    if (exp >= 31) return (uint16_t)(sign | 0x7c00u);
    if (exp <= 0) {
        if (exp < -10) return (uint16_t)sign;
        mant |= 0x800000u;
        uint32_t shift = (uint32_t)(14 - exp), h = mant >> shift, rem = mant & ((1u << shift) - 1u),
                 half = 1u << (shift - 1u);
        if (rem > half || (rem == half && (h & 1u))) h++;
        return (uint16_t)(sign | h);
    }
    uint32_t h = ((uint32_t)exp << 10) | (mant >> 13), rem = mant & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++;
    return (uint16_t)(sign | h);
}

/* Fixed, reproducible input data in memory order. */
static void fill_input(void *p, size_t numel, clrs_dtype dt, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < numel; i++) {
        uint64_t r = lcg_next(&s);
        float v = (float)(r & 0xffffffu) * (1.0f / 16777216.0f);
        switch (dt) {
        case CLRS_U8: ((uint8_t *)p)[i] = (uint8_t)(r >> 7); break;
        case CLRS_F16: ((uint16_t *)p)[i] = f32_to_f16(v); break;
        default: ((float *)p)[i] = v; break;
        }
    }
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s != NULL && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void json_num(FILE *f, double v, const char *fmt)
{
    if (isfinite(v))
        fprintf(f, fmt, v);
    else
        fputs("null", f);
}

/* Size of the largest (highest-level) CPU cache in bytes, 0 if unknown. */
static uint64_t llc_bytes(void)
{
    uint64_t best = 0;
    int best_level = -1;
    for (int i = 0; i < 8; i++) {
        char path[128], buf[64];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
        FILE *f = fopen(path, "r");
        if (f == NULL) continue;
        int level = fgets(buf, sizeof buf, f) ? atoi(buf) : -1;
        fclose(f);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        f = fopen(path, "r");
        if (f == NULL) continue;
        uint64_t sz = 0;
        if (fgets(buf, sizeof buf, f)) {
            char *end;
            sz = strtoull(buf, &end, 10);
            if (*end == 'K') sz <<= 10;
            else if (*end == 'M') sz <<= 20;
            else if (*end == 'G') sz <<= 30;
        }
        fclose(f);
        if (level > best_level || (level == best_level && sz > best)) {
            best_level = level;
            best = sz;
        }
    }
    return best;
}

static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d != NULL) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
                char sub[4096];
                int w = snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
                if (w > 0 && (size_t)w < sizeof sub) rm_rf(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int count_files(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

/* CPU time used on the machine by everything but this process, to flag
 * measurements disturbed by other processes: busy jiffies of all CPUs from
 * /proc/stat minus this process's from /proc/self/stat. */
typedef struct cpu_mark {
    double t_ms;
    unsigned long long busy, self;
    int ok;
} cpu_mark;

static void cpu_mark_take(cpu_mark *m)
{
    m->t_ms = now_ms();
    m->ok = 0;
    FILE *f = fopen("/proc/stat", "r");
    if (f == NULL) return;
    unsigned long long v[8] = {0};
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
                   &v[7]);
    fclose(f);
    if (n < 4) return;
    m->busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]; /* all but idle and iowait */
    f = fopen("/proc/self/stat", "r");
    if (f == NULL) return;
    char buf[1024];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    const char *p = strrchr(buf, ')'); /* the command name may contain spaces */
    if (p == NULL) return;
    unsigned long long ut = 0, st = 0;
    /* after ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) return;
    m->self = ut + st;
    m->ok = 1;
}

/* Fraction of the machine's CPU capacity used by other processes between two marks. */
static double cpu_other_fraction(const cpu_mark *a, const cpu_mark *b)
{
    if (!a->ok || !b->ok) return NAN;
    double hz = (double)sysconf(_SC_CLK_TCK), ncpu = (double)sysconf(_SC_NPROCESSORS_ONLN);
    double wall_ticks = (b->t_ms - a->t_ms) * 1e-3 * hz * ncpu;
    if (wall_ticks < 10) return NAN; /* too short to say */
    double other = (double)(b->busy - a->busy) - (double)(b->self - a->self);
    if (other < 0) other = 0;
    return other / wall_ticks;
}

/* ------------------------------------------------------------------------ */
/* Workloads                                                                */

enum { OP_INTERP, OP_POOL, OP_GRID, OP_POOL_BW, OP_BATCH, OP_CONV, OP_DCONV };
enum { LAYOUT_NCHW = 1, LAYOUT_NHWC = 2 };

typedef struct workload {
    const char *id;
    const char *what;
    int op;
    clrs_dtype dtype;
    /* interpolate */
    clrs_interp_mode mode;
    double scale;
    int antialias;
    int align_corners;
    int64_t out_size[2]; /* explicit output size (H, W) when scale == 0 */
    /* pool */
    clrs_pool_kind kind;
    int kernel, stride, pad, indices, adaptive_out;
    /* fixed shape (rank > 0) instead of the small / large pair */
    int rank;
    int64_t shape[5];
    const char *shape_name;
    /* OP_INTERP: the input gradient (clrs_interpolate_backward) instead:
     * reads grad_out (the forward output's shape), writes grad_in */
    int backward;
} workload;

/* OP_CONV's workloads (kernel / stride / pad in the workload): output
 * channels, groups, padding mode, BlurPool's fixed binomial weights,
 * transposed */
typedef struct conv_spec {
    const char *id;
    int out, groups, mode, blur, t;
} conv_spec;
static const conv_spec conv_specs[] = {
    {"W22", 64, 64, CLRS_CONV_PAD_ZEROS, 0, 0},
    {"W23", 64, 64, CLRS_CONV_PAD_REFLECT, 1, 0},
    {"W24", 32, 1, CLRS_CONV_PAD_ZEROS, 0, 1},
};
static const conv_spec *conv_of(const workload *w)
{
    for (size_t i = 0; i < sizeof conv_specs / sizeof conv_specs[0]; i++)
        if (strcmp(conv_specs[i].id, w->id) == 0) return &conv_specs[i];
    return &conv_specs[0];
}

static const workload workloads[] = {
    {"W1", "nearest x2", OP_INTERP, CLRS_F32, CLRS_INTERP_NEAREST, 2.0, 0, CLRS_UNSET, {0, 0},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 0, {0}, NULL, 0},
    {"W2", "bilinear x2", OP_INTERP, CLRS_F32, CLRS_INTERP_BILINEAR, 2.0, 0, 0, {0, 0},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 0, {0}, NULL, 0},
    {"W3", "bicubic x2", OP_INTERP, CLRS_F32, CLRS_INTERP_BICUBIC, 2.0, 0, 0, {0, 0},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 0, {0}, NULL, 0},
    {"W4", "bilinear x0.5 antialias", OP_INTERP, CLRS_F32, CLRS_INTERP_BILINEAR, 0.5, 1, 0, {0, 0},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 0, {0}, NULL, 0},
    {"W5", "avg pool 2x2 s2", OP_POOL, CLRS_F32, CLRS_INTERP_NEAREST, 0, 0, 0, {0, 0},
     CLRS_POOL_AVG, 2, 2, 0, 0, 0, 0, {0}, NULL, 0},
    {"W6", "max pool 2x2 s2", OP_POOL, CLRS_F32, CLRS_INTERP_NEAREST, 0, 0, 0, {0, 0},
     CLRS_POOL_MAX, 2, 2, 0, 0, 0, 0, {0}, NULL, 0},
    {"W7", "max pool 3x3 s2 p1 +indices", OP_POOL, CLRS_F32, CLRS_INTERP_NEAREST, 0, 0, 0, {0, 0},
     CLRS_POOL_MAX, 3, 2, 1, 1, 0, 0, {0}, NULL, 0},
    {"W8", "adaptive avg pool 7x7", OP_POOL, CLRS_F32, CLRS_INTERP_NEAREST, 0, 0, 0, {0, 0},
     CLRS_POOL_ADAPTIVE_AVG, 0, 0, 0, 0, 7, 0, {0}, NULL, 0},
    {"W9b", "bilinear x2 backward", OP_INTERP, CLRS_F32, CLRS_INTERP_BILINEAR, 2.0, 0, 0, {0, 0},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 0, {0}, NULL, 1},
    {"W9c", "bicubic x2 backward", OP_INTERP, CLRS_F32, CLRS_INTERP_BICUBIC, 2.0, 0, 0, {0, 0},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 0, {0}, NULL, 1},
    {"W9c2", "bicubic x0.5 antialias backward", OP_INTERP, CLRS_F32, CLRS_INTERP_BICUBIC, 0.5, 1, 0, {0, 0},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 0, {0}, NULL, 1},
    {"W10", "trilinear x2", OP_INTERP, CLRS_F32, CLRS_INTERP_TRILINEAR, 2.0, 0, 0, {0, 0},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 5, {1, 16, 32, 64, 64}, "1x16x32x64x64", 0},
    {"W9e", "trilinear x2 backward", OP_INTERP, CLRS_F32, CLRS_INTERP_TRILINEAR, 2.0, 0, 0, {0, 0},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 5, {1, 16, 32, 64, 64}, "1x16x32x64x64", 1},
    {"W11", "u8 bilinear 1080p->720p aa", OP_INTERP, CLRS_U8, CLRS_INTERP_BILINEAR, 0, 1, 0, {720, 1280},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 4, {1, 3, 1080, 1920}, "1x3x1080x1920", 0},
    {"W12", "bilinear x2 (f16 storage)", OP_INTERP, CLRS_F16, CLRS_INTERP_BILINEAR, 2.0, 0, 0, {0, 0},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 0, {0}, NULL, 0},
    /* the shapes real pipelines resize to (issue #15): non-integer factors,
     * model input sizes from camera frames, segmentation logits */
    {"W13a", "bilinear 128->181", OP_INTERP, CLRS_F32, CLRS_INTERP_BILINEAR, 0, 0, 0, {181, 181},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 4, {8, 64, 128, 128}, "8x64x128x128", 0},
    {"W13b", "bilinear 128->91", OP_INTERP, CLRS_F32, CLRS_INTERP_BILINEAR, 0, 0, 0, {91, 91},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 4, {8, 64, 128, 128}, "8x64x128x128", 0},
    {"W14a", "bicubic x0.75", OP_INTERP, CLRS_F32, CLRS_INTERP_BICUBIC, 0.75, 0, 0, {0, 0},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 0, {0}, NULL, 0},
    {"W14b", "bicubic x1.33", OP_INTERP, CLRS_F32, CLRS_INTERP_BICUBIC, 1.33, 0, 0, {0, 0},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 0, {0}, NULL, 0},
    {"W15a", "u8 bilinear 1080p->640x640", OP_INTERP, CLRS_U8, CLRS_INTERP_BILINEAR, 0, 0, 0, {640, 640},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 4, {1, 3, 1080, 1920}, "1x3x1080x1920", 0},
    {"W15b", "u8 bilinear 1080p->224 aa", OP_INTERP, CLRS_U8, CLRS_INTERP_BILINEAR, 0, 1, 0, {224, 224},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 4, {1, 3, 1080, 1920}, "1x3x1080x1920", 0},
    {"W16", "bilinear 64->512 corners", OP_INTERP, CLRS_F32, CLRS_INTERP_BILINEAR, 0, 0, 1, {512, 512},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 4, {1, 21, 64, 64}, "1x21x64x64", 0},
    {"W17", "u8 nearest 1080p->720p", OP_INTERP, CLRS_U8, CLRS_INTERP_NEAREST, 0, 0, CLRS_UNSET, {720, 1280},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 4, {1, 3, 1080, 1920}, "1x3x1080x1920", 0},
    {"W18", "area 1080p->224", OP_INTERP, CLRS_F32, CLRS_INTERP_AREA, 0, 0, CLRS_UNSET, {224, 224},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 4, {1, 3, 1080, 1920}, "1x3x1080x1920", 0},
    /* grid_sample: bilinear, zeros, align_corners 0, on a random affine grid
     * (rotation, scale, shift per image) of the input's own size (W13 until
     * issue #15 took W13-W18) */
    {"W19", "grid_sample bilinear affine", OP_GRID, CLRS_F32, CLRS_INTERP_BILINEAR, 0, 0, 0, {0, 0},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 4, {8, 64, 128, 128}, "8x64x128x128", 0},
    /* clrs_resize_batch: BATCH_N uint8 RGB images of mixed sizes (fixed
     * seed, each side in [200, 1000]) to 224x224, what a classifier's data
     * loader does; images/s */
    {"W20", "u8 batch 64 mixed->224 aa", OP_BATCH, CLRS_U8, CLRS_INTERP_BILINEAR, 0, 1, 0, {224, 224},
     CLRS_POOL_MAX, 0, 0, 0, 0, 0, 4, {64, 3, 0, 0}, "64x3x[200..1000]^2", 0},
    /* pooling backward (clrs_pool_backward_cl): the shape is the forward
     * input's (= grad_input's); bytes moved = grad_output + indices read,
     * grad_input written. W9a's indices come from the forward, run once. */
    /* dense convolution (issue #17): 3x3 stride 2 padding 1, 64 -> 128
     * channels, bias; compute-bound: timed with conv/clblast and with
     * conv/general in one run, GFLOP/s against the device's GEMM peak
     * (dense_conv_rows) */
    {"W21", "dense conv 3x3 s2 64->128", OP_DCONV, CLRS_F32, CLRS_INTERP_NEAREST, 0, 0, 0, {0, 0},
     CLRS_POOL_MAX, 3, 2, 1, 0, 0, 4, {8, 64, 128, 128}, "8x64x128x128", 0},
    {"W9a", "max pool 2x2 s2 backward (indices)", OP_POOL_BW, CLRS_F32, CLRS_INTERP_NEAREST, 0, 0, 0, {0, 0},
     CLRS_POOL_MAX, 2, 2, 0, 1, 0, 0, {0}, NULL, 0},
    {"W9d", "adaptive avg pool 7x7 backward", OP_POOL_BW, CLRS_F32, CLRS_INTERP_NEAREST, 0, 0, 0, {0, 0},
     CLRS_POOL_ADAPTIVE_AVG, 0, 0, 0, 0, 7, 0, {0}, NULL, 0},
    /* convolution (clrs_conv_cl / clrs_conv_transpose_cl); bytes moved =
     * input + weight read, output written. W23: antialiased-cnns' BlurPool
     * (depthwise [1,2,1]x[1,2,1]/16, reflect padding 1, stride 2) */
    {"W22", "depthwise conv 3x3 s2 p1", OP_CONV, CLRS_F32, CLRS_INTERP_NEAREST, 0, 0, 0, {0, 0}, CLRS_POOL_MAX, 3, 2, 1,
     0, 0, 4, {8, 64, 128, 128}, "8x64x128x128", 0},
    {"W23", "BlurPool 3x3 s2 reflect", OP_CONV, CLRS_F32, CLRS_INTERP_NEAREST, 0, 0, 0, {0, 0}, CLRS_POOL_MAX, 3, 2, 1,
     0, 0, 4, {8, 64, 128, 128}, "8x64x128x128", 0},
    {"W24", "conv_transpose 4x4 s2 p1 64->32", OP_CONV, CLRS_F32, CLRS_INTERP_NEAREST, 0, 0, 0, {0, 0}, CLRS_POOL_MAX,
     4, 2, 1, 0, 0, 4, {2, 64, 64, 64}, "2x64x64x64", 0},
};
#define N_WORKLOADS ((int)(sizeof workloads / sizeof workloads[0]))

static const int64_t shape_small[4] = {1, 3, 512, 512};
static const int64_t shape_large[4] = {8, 64, 128, 128};

/* ------------------------------------------------------------------------ */
/* Options                                                                  */

enum { MODE_WARM = 1, MODE_COLD = 2 };

typedef struct options {
    int wl_mask[N_WORKLOADS];
    int sizes;   /* 1 small, 2 large */
    int layouts; /* LAYOUT_* bits */
    int runs, warmup;
    int modes; /* MODE_* bits */
    int json;
    const char *device;
    int quick;
    int first_call;
    int host_path;
    double flush_mb;
} options;

/* The workload ids, comma-separated (fixed: only those of one fixed shape). */
static const char *workload_ids(int fixed)
{
    static char buf[2][512];
    char *b = buf[fixed != 0];
    b[0] = 0;
    for (int i = 0; i < N_WORKLOADS; i++)
        if (!fixed || workloads[i].rank)
            snprintf(b + strlen(b), sizeof buf[0] - strlen(b), "%s%s", b[0] ? "," : "", workloads[i].id);
    return b;
}

static void usage(FILE *f, const char *argv0)
{
    fprintf(f,
            "usage: %s [options]\n"
            "Measures clresample's operators against the device's copy bandwidth.\n"
            "  --workloads LIST   comma-separated ids (%s); default all\n"
            "  --size S           small (1,3,512,512) | large (8,64,128,128) | all (default);\n"
            "                     %s have one fixed shape each and run with any --size\n"
            "  --layout L         nchw (contiguous) | nhwc (channels-last) | all (default)\n"
            "  --runs N           timed runs per measurement (default 10, at least 1)\n"
            "  --warmup N         untimed runs first (default 2)\n"
            "  --warm | --cold | --both   cache state (default --both):\n"
            "                     warm = same buffers again, may be cache-resident (vs the in-cache copy)\n"
            "                     cold = a buffer > last-level cache written before each run (vs the DRAM copy)\n"
            "  --json             one JSON array of measurement objects on stdout\n"
            "  --device SPEC      CLRS_DEVICE syntax <platform>:<type>:<name-or-index>\n"
            "  --quick            smoke test: small sizes, nchw, 3 runs, 1 warm-up, warm only, short first-call test\n"
            "  --no-first-call    skip the cold/warm first-call latency measurement\n"
            "  --no-host          skip the host-pointer call\n"
            "  --flush-mb N       size of the cache-flush buffer (default 2x the last-level cache, 64..1024 MiB)\n"
            "Kernel times come from OpenCL profiling events; see bench/README.md.\n",
            argv0 == NULL || strcmp(argv0, "bench") == 0 ? "clresample bench" : argv0, workload_ids(0),
            workload_ids(1));
}

static int parse_int(const char *s, int lo, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > 1000000) return -1;
    *out = (int)v;
    return 0;
}

static int find_workload(const char *id)
{
    for (int i = 0; i < N_WORKLOADS; i++) {
        if (strcasecmp(id, workloads[i].id) == 0) return i;
        if (strcmp(id, workloads[i].id + 1) == 0) return i; /* "2" for W2 */
    }
    return -1;
}

static int parse_options(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < N_WORKLOADS; i++) o->wl_mask[i] = 1;
    o->sizes = 3;
    o->layouts = LAYOUT_NCHW | LAYOUT_NHWC;
    o->runs = 10;
    o->warmup = 2;
    o->modes = 0;
    o->first_call = 1;
    o->host_path = 1;
    int runs_set = 0, warm_set = 0, sizes_set = 0, layouts_set = 0;
    const char *argv0 = argc > 0 ? argv[0] : "bench";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = (i + 1 < argc) ? argv[i + 1] : NULL;
#define NEED_VALUE                                                           \
    do {                                                                     \
        if (v == NULL) {                                                     \
            fprintf(stderr, "clresample bench: error: %s needs a value\n", a); \
            return 2;                                                        \
        }                                                                    \
        i++;                                                                 \
    } while (0)
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout, argv0);
            return 1;
        } else if (strcmp(a, "--workloads") == 0) {
            NEED_VALUE;
            for (int k = 0; k < N_WORKLOADS; k++) o->wl_mask[k] = 0;
            char *copy = strdup(v), *save = NULL;
            if (copy == NULL) return 2;
            for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
                int k = find_workload(t);
                if (k < 0) {
                    fprintf(stderr, "clresample bench: error: unknown workload '%s' (%s)\n", t, workload_ids(0));
                    free(copy);
                    return 2;
                }
                o->wl_mask[k] = 1;
            }
            free(copy);
        } else if (strcmp(a, "--size") == 0) {
            NEED_VALUE;
            sizes_set = 1;
            if (strcmp(v, "small") == 0) o->sizes = 1;
            else if (strcmp(v, "large") == 0) o->sizes = 2;
            else if (strcmp(v, "all") == 0) o->sizes = 3;
            else {
                fprintf(stderr, "clresample bench: error: --size is small, large or all, not '%s'\n", v);
                return 2;
            }
        } else if (strcmp(a, "--layout") == 0) {
            NEED_VALUE;
            layouts_set = 1;
            if (strcmp(v, "nchw") == 0) o->layouts = LAYOUT_NCHW;
            else if (strcmp(v, "nhwc") == 0) o->layouts = LAYOUT_NHWC;
            else if (strcmp(v, "all") == 0) o->layouts = LAYOUT_NCHW | LAYOUT_NHWC;
            else {
                fprintf(stderr, "clresample bench: error: --layout is nchw, nhwc or all, not '%s'\n", v);
                return 2;
            }
        } else if (strcmp(a, "--runs") == 0) {
            NEED_VALUE;
            if (parse_int(v, 1, &o->runs)) {
                fprintf(stderr, "clresample bench: error: --runs needs a positive integer, not '%s'\n", v);
                return 2;
            }
            runs_set = 1;
        } else if (strcmp(a, "--warmup") == 0) {
            NEED_VALUE;
            if (parse_int(v, 0, &o->warmup)) {
                fprintf(stderr, "clresample bench: error: --warmup needs an integer >= 0, not '%s'\n", v);
                return 2;
            }
            warm_set = 1;
        } else if (strcmp(a, "--warm") == 0) {
            o->modes = MODE_WARM;
        } else if (strcmp(a, "--cold") == 0) {
            o->modes = MODE_COLD;
        } else if (strcmp(a, "--both") == 0) {
            o->modes = MODE_WARM | MODE_COLD;
        } else if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "--device") == 0) {
            NEED_VALUE;
            o->device = v;
        } else if (strcmp(a, "--quick") == 0) {
            o->quick = 1;
        } else if (strcmp(a, "--no-first-call") == 0) {
            o->first_call = 0;
        } else if (strcmp(a, "--no-host") == 0) {
            o->host_path = 0;
        } else if (strcmp(a, "--flush-mb") == 0) {
            NEED_VALUE;
            int mb;
            if (parse_int(v, 1, &mb)) {
                fprintf(stderr, "clresample bench: error: --flush-mb needs a positive integer, not '%s'\n", v);
                return 2;
            }
            o->flush_mb = mb;
        } else {
            fprintf(stderr, "clresample bench: error: unknown option '%s' (see --help)\n", a);
            return 2;
        }
#undef NEED_VALUE
    }
    if (o->quick) {
        if (!sizes_set) o->sizes = 1;
        if (!layouts_set) o->layouts = LAYOUT_NCHW;
        if (!runs_set) o->runs = 3;
        if (!warm_set) o->warmup = 1;
        if (o->modes == 0) o->modes = MODE_WARM;
    }
    if (o->modes == 0) o->modes = MODE_WARM | MODE_COLD;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The benchmark's OpenCL state                                              */

static const char *bench_cl_source =
    "__kernel void bench_copy(__global const float4 *restrict src, __global float4 *restrict dst)\n"
    "{ size_t i = get_global_id(0); dst[i] = src[i]; }\n"
    "__kernel void bench_fill(__global float4 *restrict dst, float v)\n"
    "{ size_t i = get_global_id(0); dst[i] = (float4)(v); }\n";

typedef struct bench {
    options opt;
    clrs_context *ctx;
    cl_context clctx;
    cl_device_id dev;
    cl_command_queue q;
    clrs_device_info info;
    cl_uint cus;
    char date[64];
    double loadavg; /* 1-minute load average at the start, NAN if unknown */
    cl_program prog;
    cl_kernel kcopy, kfill;
    cl_mem flush;
    size_t flush_bytes;
    int flush_count;
    uint64_t llc;
    /* gating watchdog: completes the gate if a call blocks on its own queue */
    pthread_t wd;
    int wd_started;
    pthread_mutex_t wd_mu;
    pthread_cond_t wd_cv;
    int wd_quit, wd_armed, wd_fired;
    cl_event wd_event;
    struct timespec wd_deadline;
    int gate_broken;
    int marker_profiling;
    int failures;
} bench;

static void *watchdog_main(void *arg)
{
    bench *b = arg;
    pthread_mutex_lock(&b->wd_mu);
    while (!b->wd_quit) {
        if (b->wd_armed) {
            int r = pthread_cond_timedwait(&b->wd_cv, &b->wd_mu, &b->wd_deadline);
            if (r == ETIMEDOUT && b->wd_armed && !b->wd_quit) {
                clSetUserEventStatus(b->wd_event, CL_COMPLETE);
                b->wd_armed = 0;
                b->wd_fired = 1;
            }
        } else {
            pthread_cond_wait(&b->wd_cv, &b->wd_mu);
        }
    }
    pthread_mutex_unlock(&b->wd_mu);
    return NULL;
}

static void watchdog_arm(bench *b, cl_event u)
{
    pthread_mutex_lock(&b->wd_mu);
    clock_gettime(CLOCK_REALTIME, &b->wd_deadline);
    b->wd_deadline.tv_sec += 5;
    b->wd_event = u;
    b->wd_fired = 0;
    b->wd_armed = 1;
    pthread_cond_signal(&b->wd_cv);
    pthread_mutex_unlock(&b->wd_mu);
}

/* Returns 1 when the watchdog had to release the gate. */
static int watchdog_disarm(bench *b)
{
    pthread_mutex_lock(&b->wd_mu);
    int fired = b->wd_fired;
    b->wd_armed = 0;
    b->wd_fired = 0;
    pthread_cond_signal(&b->wd_cv);
    pthread_mutex_unlock(&b->wd_mu);
    return fired;
}

static cl_ulong prof(cl_event ev, cl_profiling_info what, int *ok)
{
    cl_ulong t = 0;
    if (clGetEventProfilingInfo(ev, what, sizeof t, &t, NULL) != CL_SUCCESS) *ok = 0;
    return t;
}

/* One float4 per work-item; the driver picks the work-group size (sizes are
 * multiples of 4096 bytes). */
static int enqueue_1d(bench *b, cl_kernel k, size_t n4, cl_event *ev)
{
    size_t g = n4;
    return clEnqueueNDRangeKernel(b->q, k, 1, NULL, &g, NULL, 0, NULL, ev) == CL_SUCCESS ? 0 : -1;
}

/* Write the flush buffer (evicts the caches), wait for it. */
static void flush_caches(bench *b)
{
    if (b->flush == NULL) return;
    cl_float v = (cl_float)(++b->flush_count);
    clSetKernelArg(b->kfill, 0, sizeof(cl_mem), &b->flush);
    clSetKernelArg(b->kfill, 1, sizeof v, &v);
    enqueue_1d(b, b->kfill, b->flush_bytes / 16, NULL);
    clFinish(b->q);
}

static int bench_init(bench *b)
{
    clrs_context_options co;
    clrs_context_options_init(&co);
    co.device = b->opt.device;
    clrs_status st = clrs_context_create(&b->ctx, &co);
    if (st != CLRS_OK) {
        fprintf(stderr, "clresample bench: error: clrs_context_create: %s: %s\n", clrs_strerror(st),
                clrs_last_error(NULL));
        return -1;
    }
    if (clrs_context_get_cl(b->ctx, &b->clctx, &b->dev, &b->q) != CLRS_OK ||
        clrs_context_device(b->ctx, &b->info) != CLRS_OK) {
        fprintf(stderr, "clresample bench: error: cannot query the context: %s\n", clrs_last_error(b->ctx));
        return -1;
    }
    b->cus = 0;
    clGetDeviceInfo(b->dev, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof b->cus, &b->cus, NULL);
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(b->date, sizeof b->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    b->loadavg = NAN;
    FILE *la = fopen("/proc/loadavg", "r");
    if (la != NULL) {
        if (fscanf(la, "%lf", &b->loadavg) != 1) b->loadavg = NAN;
        fclose(la);
    }

    cl_int e;
    b->prog = clCreateProgramWithSource(b->clctx, 1, &bench_cl_source, NULL, &e);
    if (e == CL_SUCCESS) e = clBuildProgram(b->prog, 1, &b->dev, "", NULL, NULL);
    if (e == CL_SUCCESS) b->kcopy = clCreateKernel(b->prog, "bench_copy", &e);
    if (e == CL_SUCCESS) b->kfill = clCreateKernel(b->prog, "bench_fill", &e);
    if (e != CL_SUCCESS) {
        fprintf(stderr, "clresample bench: error: building the copy kernel failed (OpenCL error %d)\n", (int)e);
        return -1;
    }

    b->llc = llc_bytes();
    double want = b->opt.flush_mb > 0 ? b->opt.flush_mb * MIB : (b->llc ? 2.0 * (double)b->llc : 256 * MIB);
    if (b->opt.flush_mb <= 0) {
        if (want < 64 * MIB) want = 64 * MIB;
        if (want > 1024 * MIB) want = 1024 * MIB;
    }
    if (b->info.max_alloc && want > (double)b->info.max_alloc) want = (double)b->info.max_alloc;
    if (b->info.global_mem && want > (double)b->info.global_mem / 4) want = (double)b->info.global_mem / 4;
    b->flush_bytes = ((size_t)want / 4096) * 4096;
    if (b->opt.modes & MODE_COLD) {
        b->flush = clCreateBuffer(b->clctx, CL_MEM_READ_WRITE, b->flush_bytes, NULL, &e);
        if (e != CL_SUCCESS) {
            fprintf(stderr, "clresample bench: error: cannot allocate the %.0f MiB flush buffer (OpenCL error %d)\n",
                    (double)b->flush_bytes / MIB, (int)e);
            return -1;
        }
        flush_caches(b); /* first touch */
    }

    /* Does a marker carry profiling timestamps? (needed for gated timing) */
    cl_event m = NULL;
    b->marker_profiling = 0;
    if (clEnqueueMarkerWithWaitList(b->q, 0, NULL, &m) == CL_SUCCESS) {
        clWaitForEvents(1, &m);
        int ok = 1;
        cl_ulong end = prof(m, CL_PROFILING_COMMAND_END, &ok);
        b->marker_profiling = ok && end != 0;
        clReleaseEvent(m);
    }

    pthread_mutex_init(&b->wd_mu, NULL);
    pthread_cond_init(&b->wd_cv, NULL);
    if (pthread_create(&b->wd, NULL, watchdog_main, b) == 0) b->wd_started = 1;
    return 0;
}

static void bench_fini(bench *b)
{
    if (b->wd_started) {
        pthread_mutex_lock(&b->wd_mu);
        b->wd_quit = 1;
        pthread_cond_signal(&b->wd_cv);
        pthread_mutex_unlock(&b->wd_mu);
        pthread_join(b->wd, NULL);
        pthread_mutex_destroy(&b->wd_mu);
        pthread_cond_destroy(&b->wd_cv);
    }
    if (b->flush) clReleaseMemObject(b->flush);
    if (b->kcopy) clReleaseKernel(b->kcopy);
    if (b->kfill) clReleaseKernel(b->kfill);
    if (b->prog) clReleaseProgram(b->prog);
    clrs_context_release(b->ctx);
}

/* ------------------------------------------------------------------------ */
/* One configuration: a workload at one size and layout                     */

typedef struct cfg {
    const workload *wl;
    const char *size; /* "small", "large" or the fixed shape */
    int nhwc;
    char layout[8];
    char shape[64];
    clrs_interpolate_params ip;
    clrs_pool_params pp;
    clrs_grid_sample_params gp;
    clrs_conv_params cp;
    clrs_tensor_desc din, dout, didx, dgrid, dwt;
    size_t wt_bytes;
    cl_mem mwt;
    void *hwt;
    clrs_tensor_desc dfwd; /* backward: the forward input's (din is grad_out, dout grad_in) */
    size_t in_bytes, out_bytes, idx_bytes, grid_bytes;
    cl_mem min, mout, midx, mgrid;
    void *hin, *hout, *hidx, *hgrid;
    double moved; /* bytes read once + written once */
    cl_mem csrc, cdst;
    size_t cbytes; /* each copy buffer */
    cl_mem mgi;    /* OP_POOL_BW: grad_input (mout holds grad_output) */
    void *hgi;
    /* OP_BATCH: the images, all in min / hin at their descriptors' offsets */
    int nimg;
    clrs_tensor_desc *dimgs;
    cl_mem *mimgs;
    const void **himgs;
} cfg;

static void cfg_free(cfg *c)
{
    if (c->min) clReleaseMemObject(c->min);
    if (c->mout) clReleaseMemObject(c->mout);
    if (c->midx) clReleaseMemObject(c->midx);
    if (c->mgrid) clReleaseMemObject(c->mgrid);
    free(c->hgrid);
    if (c->mwt) clReleaseMemObject(c->mwt);
    free(c->hwt);
    if (c->csrc) clReleaseMemObject(c->csrc);
    if (c->cdst) clReleaseMemObject(c->cdst);
    free(c->hin);
    free(c->hout);
    free(c->hidx);
    if (c->mgi) clReleaseMemObject(c->mgi);
    free(c->hgi);
    free(c->dimgs);
    free(c->mimgs);
    free(c->himgs);
    memset(c, 0, sizeof *c);
}

static clrs_status run_cl(clrs_context *ctx, cfg *c, cl_event *ev)
{
    if (c->wl->op == OP_CONV)
        return (conv_of(c->wl)->t ? clrs_conv_transpose_cl : clrs_conv_cl)(ctx, &c->cp, &c->din, c->min, &c->dwt, c->mwt,
                                                                     NULL, NULL, &c->dout, c->mout, NULL, 0, NULL, ev);
    if (c->wl->op == OP_BATCH)
        return clrs_resize_batch_cl(ctx, &c->ip, (size_t)c->nimg, c->dimgs, c->mimgs, &c->dout, c->mout, NULL, 0,
                                    NULL, ev);
    if (c->wl->op == OP_POOL_BW)
        return clrs_pool_backward_cl(ctx, &c->pp, &c->din, NULL, c->wl->indices ? &c->didx : NULL,
                                     c->wl->indices ? c->midx : NULL, &c->dout, c->mout, &c->din, c->mgi, NULL, 0,
                                     NULL, ev);
    if (c->wl->op == OP_INTERP && c->wl->backward)
        return clrs_interpolate_backward_cl(ctx, &c->ip, &c->dfwd, &c->din, c->min, &c->dout, c->mout, NULL, 0, NULL,
                                            ev);
    if (c->wl->op == OP_INTERP)
        return clrs_interpolate_cl(ctx, &c->ip, &c->din, c->min, &c->dout, c->mout, NULL, 0, NULL, ev);
    if (c->wl->op == OP_GRID)
        return clrs_grid_sample_cl(ctx, &c->gp, &c->din, c->min, &c->dgrid, c->mgrid, &c->dout, c->mout, NULL, 0,
                                   NULL, ev);
    return clrs_pool_cl(ctx, &c->pp, &c->din, c->min, &c->dout, c->mout, c->wl->indices ? &c->didx : NULL,
                        c->wl->indices ? c->midx : NULL, NULL, 0, NULL, ev);
}

static clrs_status run_host(clrs_context *ctx, cfg *c)
{
    if (c->wl->op == OP_CONV)
        return (conv_of(c->wl)->t ? clrs_conv_transpose : clrs_conv)(ctx, &c->cp, &c->din, c->hin, &c->dwt, c->hwt, NULL,
                                                               NULL, &c->dout, c->hout);
    if (c->wl->op == OP_BATCH)
        return clrs_resize_batch(ctx, &c->ip, (size_t)c->nimg, c->dimgs, c->himgs, &c->dout, c->hout);
    if (c->wl->op == OP_POOL_BW)
        return clrs_pool_backward(ctx, &c->pp, &c->din, NULL, c->wl->indices ? &c->didx : NULL,
                                  c->wl->indices ? c->hidx : NULL, &c->dout, c->hout, &c->din, c->hgi);
    if (c->wl->op == OP_INTERP && c->wl->backward)
        return clrs_interpolate_backward(ctx, &c->ip, &c->dfwd, &c->din, c->hin, &c->dout, c->hout);
    if (c->wl->op == OP_INTERP) return clrs_interpolate(ctx, &c->ip, &c->din, c->hin, &c->dout, c->hout);
    if (c->wl->op == OP_GRID)
        return clrs_grid_sample(ctx, &c->gp, &c->din, c->hin, &c->dgrid, c->hgrid, &c->dout, c->hout);
    return clrs_pool(ctx, &c->pp, &c->din, c->hin, &c->dout, c->hout, c->wl->indices ? &c->didx : NULL,
                     c->wl->indices ? c->hidx : NULL);
}

static void layout_name(const workload *w, int nhwc, char *buf, size_t len)
{
    int rank = w->rank ? w->rank : 4;
    snprintf(buf, len, "%s", rank == 5 ? (nhwc ? "ndhwc" : "ncdhw") : (nhwc ? "nhwc" : "nchw"));
}

/* Descriptors, shapes and byte counts (no OpenCL objects). */
static clrs_status cfg_describe(clrs_context *ctx, cfg *c, const workload *w, const char *size, int nhwc)
{
    memset(c, 0, sizeof *c);
    c->wl = w;
    c->size = size;
    c->nhwc = nhwc;
    layout_name(w, nhwc, c->layout, sizeof c->layout);
    int rank = w->rank ? w->rank : 4;
    int64_t sizes[5];
    if (w->rank)
        memcpy(sizes, w->shape, sizeof sizes);
    else
        memcpy(sizes, strcmp(size, "large") == 0 ? shape_large : shape_small, 4 * sizeof sizes[0]);
    size_t off = 0;
    for (int i = 0; i < rank; i++)
        off += (size_t)snprintf(c->shape + off, sizeof c->shape - off, "%s%lld", i ? "x" : "", (long long)sizes[i]);
    clrs_status st = nhwc ? clrs_tensor_desc_channels_last(&c->din, w->dtype, rank, sizes)
                          : clrs_tensor_desc_contiguous(&c->din, w->dtype, rank, sizes);
    if (st != CLRS_OK) return st;
    int64_t osz[CLRS_MAX_RANK];
    if (w->op == OP_BATCH) {
        /* the images one after the other in one buffer, each (1, 3, H, W) in the layout */
        const int n = (int)w->shape[0];
        c->nimg = n;
        snprintf(c->shape, sizeof c->shape, "%s", w->shape_name);
        c->dimgs = calloc((size_t)n, sizeof *c->dimgs);
        c->mimgs = calloc((size_t)n, sizeof *c->mimgs);
        c->himgs = calloc((size_t)n, sizeof *c->himgs);
        if (c->dimgs == NULL || c->mimgs == NULL || c->himgs == NULL) return CLRS_ERR_OUT_OF_HOST_MEMORY;
        uint64_t rng = 0x20202020u;
        int64_t at = 0;
        for (int i = 0; i < n; i++) {
            int64_t isz[4] = {1, w->shape[1], 0, 0};
            for (int a = 0; a < 2; a++) {
                rng = rng * 6364136223846793005ull + 1442695040888963407ull;
                isz[2 + a] = 200 + (int64_t)((rng >> 33) % 801);
            }
            st = nhwc ? clrs_tensor_desc_channels_last(&c->dimgs[i], w->dtype, 4, isz)
                      : clrs_tensor_desc_contiguous(&c->dimgs[i], w->dtype, 4, isz);
            if (st != CLRS_OK) return st;
            c->dimgs[i].offset = at;
            at += clrs_tensor_desc_numel(&c->dimgs[i]);
        }
        clrs_interpolate_params_init(&c->ip);
        c->ip.mode = w->mode;
        c->ip.align_corners = w->align_corners;
        c->ip.antialias = w->antialias;
        c->ip.n_size = 2;
        c->ip.size[0] = w->out_size[0];
        c->ip.size[1] = w->out_size[1];
        const int64_t osz4[4] = {n, w->shape[1], w->out_size[0], w->out_size[1]};
        memcpy(osz, osz4, sizeof osz4);
        /* din: the whole input buffer as one flat (1, 1, 1, n) tensor (its byte count) */
        const int64_t flat[4] = {1, 1, 1, at};
        st = clrs_tensor_desc_contiguous(&c->din, w->dtype, 4, flat);
    } else if (w->op == OP_INTERP) {
        clrs_interpolate_params_init(&c->ip);
        c->ip.mode = w->mode;
        c->ip.align_corners = w->align_corners;
        c->ip.antialias = w->antialias;
        if (w->scale > 0) {
            c->ip.n_scale = 1;
            c->ip.scale[0] = w->scale;
        } else {
            c->ip.n_size = 2;
            c->ip.size[0] = w->out_size[0];
            c->ip.size[1] = w->out_size[1];
        }
        st = clrs_interpolate_output_shape(ctx, &c->din, &c->ip, osz);
    } else if (w->op == OP_CONV) {
        const conv_spec *cs = conv_of(w);
        clrs_conv_params_init(&c->cp);
        c->cp.n_stride = c->cp.n_padding = 1;
        c->cp.stride[0] = w->stride;
        c->cp.padding[0] = w->pad;
        c->cp.groups = cs->groups;
        c->cp.padding_mode = (clrs_conv_padding_mode)cs->mode;
        /* weight (C_out, C_in/groups, k, k); transposed (C_in, C_out/groups, k, k) */
        const int64_t ws[4] = {cs->t ? sizes[1] : cs->out, (cs->t ? cs->out : sizes[1]) / cs->groups,
                               w->kernel, w->kernel};
        st = clrs_tensor_desc_contiguous(&c->dwt, w->dtype, 4, ws);
        if (st == CLRS_OK)
            st = (cs->t ? clrs_conv_transpose_output_shape : clrs_conv_output_shape)(ctx, &c->cp, &c->din, &c->dwt,
                                                                                       osz);
        c->wt_bytes = (size_t)clrs_tensor_desc_numel(&c->dwt) * clrs_dtype_size(w->dtype);
    } else if (w->op == OP_GRID) {
        clrs_grid_sample_params_init(&c->gp);
        int64_t gsz[4] = {sizes[0], sizes[2], sizes[3], 2};
        st = clrs_tensor_desc_contiguous(&c->dgrid, w->dtype, 4, gsz);
        if (st == CLRS_OK) st = clrs_grid_sample_output_shape(ctx, &c->din, &c->dgrid, osz);
        c->grid_bytes = (size_t)clrs_tensor_desc_numel(&c->dgrid) * clrs_dtype_size(w->dtype);
    } else {
        clrs_pool_params_init(&c->pp, w->kind);
        if (w->kind == CLRS_POOL_ADAPTIVE_AVG) {
            c->pp.n_output_size = 1;
            c->pp.output_size[0] = w->adaptive_out;
        } else {
            c->pp.n_kernel = 1;
            c->pp.kernel[0] = w->kernel;
            c->pp.n_stride = 1;
            c->pp.stride[0] = w->stride;
            c->pp.n_padding = 1;
            c->pp.padding[0] = w->pad;
        }
        st = clrs_pool_output_shape(ctx, &c->din, &c->pp, osz);
    }
    if (st != CLRS_OK) return st;
    st = nhwc ? clrs_tensor_desc_channels_last(&c->dout, w->dtype, rank, osz)
              : clrs_tensor_desc_contiguous(&c->dout, w->dtype, rank, osz);
    if (st != CLRS_OK) return st;
    if (w->backward) { /* reads grad_out (the output's shape), writes grad_in (the input's) */
        c->dfwd = c->din;
        c->din = c->dout;
        c->dout = c->dfwd;
    }
    size_t es = clrs_dtype_size(w->dtype);
    c->in_bytes = (size_t)clrs_tensor_desc_numel(&c->din) * es;
    c->out_bytes = (size_t)clrs_tensor_desc_numel(&c->dout) * es;
    if (w->indices) {
        st = nhwc ? clrs_tensor_desc_channels_last(&c->didx, CLRS_I64, rank, osz)
                  : clrs_tensor_desc_contiguous(&c->didx, CLRS_I64, rank, osz);
        if (st != CLRS_OK) return st;
        c->idx_bytes = (size_t)clrs_tensor_desc_numel(&c->didx) * 8;
    }
    c->moved = (double)(c->in_bytes + c->out_bytes + c->idx_bytes + c->grid_bytes + c->wt_bytes);
    return CLRS_OK;
}

static cl_mem new_buffer(cl_context cx, size_t bytes, const void *init, cl_command_queue q)
{
    cl_int e;
    cl_mem m = clCreateBuffer(cx, CL_MEM_READ_WRITE, bytes ? bytes : 1, NULL, &e);
    if (e != CL_SUCCESS) return NULL;
    if (init != NULL && clEnqueueWriteBuffer(q, m, CL_TRUE, 0, bytes, init, 0, NULL, NULL) != CL_SUCCESS) {
        clReleaseMemObject(m);
        return NULL;
    }
    return m;
}

/* Buffers: device input (fixed data), output, indices; host copies for the
 * host-pointer path; the copy kernel's pair moving the same byte count. */
static int cfg_alloc(bench *b, cfg *c, int host, int copy)
{
    const workload *w = c->wl;
    c->hin = malloc(c->in_bytes ? c->in_bytes : 1);
    if (c->hin == NULL) return -1;
    fill_input(c->hin, c->in_bytes / clrs_dtype_size(w->dtype), w->dtype, 0x5eed0000u + (uint64_t)(w - workloads));
    c->min = new_buffer(b->clctx, c->in_bytes, c->hin, b->q);
    c->mout = new_buffer(b->clctx, c->out_bytes, NULL, b->q);
    if (c->min == NULL || c->mout == NULL) return -1;
    if (w->indices && (c->midx = new_buffer(b->clctx, c->idx_bytes, NULL, b->q)) == NULL) return -1;
    if (w->op == OP_POOL_BW) {
        /* the indices from the forward (into mout), then a random grad_output in mout */
        if ((c->mgi = new_buffer(b->clctx, c->in_bytes, NULL, b->q)) == NULL) return -1;
        if (w->indices && (clrs_pool_cl(b->ctx, &c->pp, &c->din, c->min, &c->dout, c->mout, &c->didx, c->midx, NULL,
                                        0, NULL, NULL) != CLRS_OK ||
                           clFinish(b->q) != CL_SUCCESS))
            return -1;
        void *go = malloc(c->out_bytes ? c->out_bytes : 1);
        if (go == NULL) return -1;
        fill_input(go, c->out_bytes / clrs_dtype_size(w->dtype), w->dtype, 0x60000000u + (uint64_t)(w - workloads));
        cl_int e = clEnqueueWriteBuffer(b->q, c->mout, CL_TRUE, 0, c->out_bytes, go, 0, NULL, NULL);
        if (host) {
            c->hgi = calloc(1, c->in_bytes ? c->in_bytes : 1);
            if (c->hgi == NULL) e = CL_OUT_OF_HOST_MEMORY;
            if (w->indices && (c->hidx = malloc(c->idx_bytes)) != NULL &&
                clEnqueueReadBuffer(b->q, c->midx, CL_TRUE, 0, c->idx_bytes, c->hidx, 0, NULL, NULL) != CL_SUCCESS)
                e = CL_OUT_OF_RESOURCES;
            c->hout = go;
        } else {
            free(go);
        }
        if (e != CL_SUCCESS || (w->indices && host && c->hidx == NULL)) return -1;
    }
    if (w->op == OP_BATCH)
        for (int i = 0; i < c->nimg; i++) {
            c->mimgs[i] = c->min;
            c->himgs[i] = c->hin;
        }
    if (w->op == OP_CONV) {
        const size_t nw = c->wt_bytes / sizeof(float);
        float *wt = malloc(c->wt_bytes ? c->wt_bytes : 1);
        if (wt == NULL) return -1;
        fill_input(wt, nw, CLRS_F32, 0x77000000u + (uint64_t)(w - workloads));
        if (conv_of(w)->blur) /* [1,2,1] x [1,2,1] / 16 per channel */
            for (size_t i = 0; i < nw; i++) wt[i] = (float)((1 + (i % 3 == 1)) * (1 + (i / 3 % 3 == 1))) / 16.0f;
        c->hwt = wt;
        if ((c->mwt = new_buffer(b->clctx, c->wt_bytes, wt, b->q)) == NULL) return -1;
    }
    if (w->op == OP_GRID) {
        /* grid[n, h, w] = A_n (x_w, y_h, 1): a rotation by up to 30
         * degrees, a scale in [0.8, 1.2] and a shift of up to 0.1 per
         * image, x_w and y_h F.affine_grid's base coordinates */
        const int64_t N = c->dgrid.sizes[0], H = c->dgrid.sizes[1], W = c->dgrid.sizes[2];
        float *g = malloc(c->grid_bytes ? c->grid_bytes : 1);
        if (g == NULL) return -1;
        uint64_t st = 0x9e3779b97f4a7c15ull;
        for (int64_t n = 0; n < N; n++) {
            double r[4];
            for (int k = 0; k < 4; k++) {
                st = st * 6364136223846793005ull + 1442695040888963407ull;
                r[k] = (double)(st >> 11) / 9007199254740992.0;
            }
            double ang = (r[0] - 0.5) * 1.0472, sc = 0.8 + 0.4 * r[1], tx = (r[2] - 0.5) * 0.2, ty = (r[3] - 0.5) * 0.2;
            for (int64_t h = 0; h < H; h++)
                for (int64_t x = 0; x < W; x++) {
                    double bx = ((2.0 * (double)x + 1) / (double)W) - 1, by = ((2.0 * (double)h + 1) / (double)H) - 1;
                    float *o = g + ((n * H + h) * W + x) * 2;
                    o[0] = (float)(sc * (cos(ang) * bx - sin(ang) * by) + tx);
                    o[1] = (float)(sc * (sin(ang) * bx + cos(ang) * by) + ty);
                }
        }
        c->hgrid = g;
        if ((c->mgrid = new_buffer(b->clctx, c->grid_bytes, g, b->q)) == NULL) return -1;
    }
    if (host && w->op != OP_POOL_BW) {
        c->hout = calloc(1, c->out_bytes ? c->out_bytes : 1);
        if (c->hout == NULL) return -1;
        if (w->indices && (c->hidx = calloc(1, c->idx_bytes)) == NULL) return -1;
    }
    if (copy) {
        /* two buffers of (in + out) / 2 bytes: the copy reads and writes as many bytes as the operator */
        size_t half = (size_t)(c->moved / 2);
        c->cbytes = (half + 4095) / 4096 * 4096;
        unsigned char *tmp = malloc(c->cbytes);
        if (tmp == NULL) return -1;
        memset(tmp, 0x3c, c->cbytes);
        c->csrc = new_buffer(b->clctx, c->cbytes, tmp, b->q);
        c->cdst = new_buffer(b->clctx, c->cbytes, tmp, b->q);
        free(tmp);
        if (c->csrc == NULL || c->cdst == NULL) return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Measurements                                                             */

enum { RS_OK = 0, RS_NOT_IMPLEMENTED, RS_UNSUPPORTED, RS_ERROR };

typedef struct result {
    const workload *wl;
    char size[24], layout[8], shape[64];
    int mode; /* MODE_WARM / MODE_COLD */
    int status;
    char note[256];
    int runs;
    double k_med, k_min, w_med, w_min, h_med, h_min;
    double c_med, c_min, moved;
    double gbps, copy_gbps, frac;
    double other_cpu; /* fraction of the machine used by other processes meanwhile */
    int gated;
} result;

/* One cl_mem call; kernel time from the gate marker's end to the end of the
 * operator's last command. The caller takes the wall time around it: the
 * gate only adds a user event and a marker, and the commands of a gated
 * call start when the call has returned, as they would on an idle queue
 * (only overlap of host enqueueing with the first pass is lost). */
static clrs_status timed_call(bench *b, cfg *c, double *kernel_ms, int *gated)
{
    cl_int e;
    cl_event u = NULL, m = NULL, ev = NULL;
    int gate = b->marker_profiling && !b->gate_broken && b->wd_started;
    if (gate) {
        u = clCreateUserEvent(b->clctx, &e);
        if (e != CL_SUCCESS || clEnqueueMarkerWithWaitList(b->q, 1, &u, &m) != CL_SUCCESS) {
            if (u) clReleaseEvent(u);
            u = NULL;
            gate = 0;
        } else {
            watchdog_arm(b, u);
        }
    }
    clrs_status st = run_cl(b->ctx, c, &ev);
    if (gate) {
        if (watchdog_disarm(b))
            b->gate_broken = 1; /* the call blocked behind the gate: stop gating */
        else
            clSetUserEventStatus(u, CL_COMPLETE);
    }
    clFinish(b->q);
    *kernel_ms = NAN;
    *gated = gate && !b->gate_broken;
    if (st == CLRS_OK && ev != NULL) {
        int ok = 1;
        cl_ulong end = prof(ev, CL_PROFILING_COMMAND_END, &ok);
        cl_ulong start = *gated ? prof(m, CL_PROFILING_COMMAND_END, &ok) : prof(ev, CL_PROFILING_COMMAND_START, &ok);
        if (ok && end >= start) *kernel_ms = (double)(end - start) * 1e-6;
    }
    if (ev) clReleaseEvent(ev);
    if (m) clReleaseEvent(m);
    if (u) clReleaseEvent(u);
    return st;
}

static double copy_once(bench *b, cfg *c)
{
    cl_event ev = NULL;
    clSetKernelArg(b->kcopy, 0, sizeof(cl_mem), &c->csrc);
    clSetKernelArg(b->kcopy, 1, sizeof(cl_mem), &c->cdst);
    if (enqueue_1d(b, b->kcopy, c->cbytes / 16, &ev) != 0) return NAN;
    clWaitForEvents(1, &ev);
    int ok = 1;
    cl_ulong s = prof(ev, CL_PROFILING_COMMAND_START, &ok), t = prof(ev, CL_PROFILING_COMMAND_END, &ok);
    clReleaseEvent(ev);
    return ok ? (double)(t - s) * 1e-6 : NAN;
}

/* The copy kernel alone on a pair of buffers moving `total` bytes: the
 * device's in-cache (warm, small) and DRAM (cold, large) copy bandwidth. */
typedef struct copy_ref {
    const char *label;
    double bytes, med_ms, min_ms, gbps;
    int ok;
} copy_ref;

static void measure_copy_ref(bench *b, copy_ref *cr, const char *label, size_t total, int cold)
{
    memset(cr, 0, sizeof *cr);
    cr->label = label;
    cfg c;
    memset(&c, 0, sizeof c);
    c.cbytes = (total / 2 + 4095) / 4096 * 4096;
    cr->bytes = 2.0 * (double)c.cbytes;
    c.csrc = new_buffer(b->clctx, c.cbytes, NULL, b->q);
    c.cdst = new_buffer(b->clctx, c.cbytes, NULL, b->q);
    int runs = b->opt.runs;
    double *t = calloc((size_t)runs, sizeof *t);
    if (c.csrc != NULL && c.cdst != NULL && t != NULL) {
        for (int i = 0; i < 2; i++) copy_once(b, &c); /* first touch, then warm */
        for (int i = 0; i < runs; i++) {
            if (cold) flush_caches(b);
            t[i] = copy_once(b, &c);
        }
        cr->med_ms = median_of(t, runs);
        cr->min_ms = min_of(t, runs);
        cr->gbps = cr->bytes / (cr->med_ms * 1e-3) / 1e9;
        cr->ok = isfinite(cr->gbps);
    }
    free(t);
    cfg_free(&c);
}

static void classify(result *r, clrs_status st, const clrs_context *ctx)
{
    if (st == CLRS_ERR_NOT_IMPLEMENTED) {
        r->status = RS_NOT_IMPLEMENTED;
        snprintf(r->note, sizeof r->note, "n/a (not implemented)");
    } else if (st == CLRS_ERR_UNSUPPORTED) {
        r->status = RS_UNSUPPORTED;
        snprintf(r->note, sizeof r->note, "n/a (unsupported: %s)", clrs_last_error(ctx));
    } else {
        r->status = RS_ERROR;
        snprintf(r->note, sizeof r->note, "error %s: %s", clrs_status_name(st), clrs_last_error(ctx));
    }
}

static void measure(bench *b, cfg *c, int mode, int warmup, result *r)
{
    const int runs = b->opt.runs, cold = mode == MODE_COLD;
    memset(r, 0, sizeof *r);
    r->wl = c->wl;
    snprintf(r->size, sizeof r->size, "%s", c->wl->rank ? "fixed" : c->size);
    snprintf(r->layout, sizeof r->layout, "%s", c->layout);
    snprintf(r->shape, sizeof r->shape, "%s", c->shape);
    r->mode = mode;
    r->runs = runs;
    r->moved = c->moved;
    r->k_med = r->k_min = r->w_med = r->w_min = r->h_med = r->h_min = NAN;
    r->c_med = r->c_min = r->gbps = r->copy_gbps = r->frac = NAN;
    r->other_cpu = NAN;
    cpu_mark m0, m1;
    cpu_mark_take(&m0);

    double *k = calloc((size_t)runs, sizeof *k), *w = calloc((size_t)runs, sizeof *w),
           *h = calloc((size_t)runs, sizeof *h), *cp = calloc((size_t)runs, sizeof *cp);
    if (k == NULL || w == NULL || h == NULL || cp == NULL) {
        r->status = RS_ERROR;
        snprintf(r->note, sizeof r->note, "out of host memory");
        goto done;
    }
    /* warm-up (also the program build on the first configuration of a kind);
     * at least one call, to find out whether the operator runs at all */
    for (int i = 0; i < warmup || i < 1; i++) {
        clrs_status st = run_cl(b->ctx, c, NULL);
        clFinish(b->q);
        if (st == CLRS_OK && b->opt.host_path) st = run_host(b->ctx, c);
        if (st != CLRS_OK) {
            classify(r, st, b->ctx);
            goto done;
        }
    }
    int gated_all = 1;
    for (int i = 0; i < runs; i++) {
        int g = 0;
        if (cold) flush_caches(b);
        double t0 = now_ms();
        clrs_status st = timed_call(b, c, &k[i], &g);
        w[i] = now_ms() - t0;
        gated_all &= g;
        if (b->opt.host_path && st == CLRS_OK) {
            if (cold) flush_caches(b);
            t0 = now_ms();
            st = run_host(b->ctx, c);
            h[i] = now_ms() - t0;
        }
        if (st != CLRS_OK) {
            classify(r, st, b->ctx);
            goto done;
        }
    }
    r->gated = gated_all;
    r->k_med = median_of(k, runs);
    r->k_min = min_of(k, runs);
    r->w_med = median_of(w, runs);
    r->w_min = min_of(w, runs);
    if (b->opt.host_path) {
        r->h_med = median_of(h, runs);
        r->h_min = min_of(h, runs);
    }
    /* the copy kernel, same bytes, same cache state */
    for (int i = 0; i < (cold ? 0 : (b->opt.warmup > 0 ? b->opt.warmup : 1)); i++) copy_once(b, c);
    for (int i = 0; i < runs; i++) {
        if (cold) flush_caches(b);
        cp[i] = copy_once(b, c);
    }
    r->c_med = median_of(cp, runs);
    r->c_min = min_of(cp, runs);
    r->gbps = c->moved / (r->k_med * 1e-3) / 1e9;
    r->copy_gbps = 2.0 * (double)c->cbytes / (r->c_med * 1e-3) / 1e9;
    r->frac = r->gbps / r->copy_gbps;
    r->status = RS_OK;
    cpu_mark_take(&m1);
    r->other_cpu = cpu_other_fraction(&m0, &m1);
done:
    free(k);
    free(w);
    free(h);
    free(cp);
}

/* ------------------------------------------------------------------------ */
/* Output                                                                   */

static void print_header(bench *b, FILE *f, const copy_ref *cr, int ncr)
{
    char pocl_cu[64];
    const char *env = getenv("POCL_CPU_MAX_CU_COUNT");
    snprintf(pocl_cu, sizeof pocl_cu, "%s", env ? env : "unset");
    fprintf(f, "clresample %s benchmark, %s\n", clrs_version_string(), b->date);
    fprintf(f, "device:  %s [%s] on %s (driver %s, %s)\n", b->info.name, b->info.type, b->info.platform,
            b->info.driver, b->info.version);
    fprintf(f, "threads: %u compute units (CL_DEVICE_MAX_COMPUTE_UNITS; POCL_CPU_MAX_CU_COUNT=%s; %ld CPUs online)\n",
            b->cus, pocl_cu, sysconf(_SC_NPROCESSORS_ONLN));
    if (isfinite(b->loadavg))
        fprintf(f, "load:    %.2f (1-minute load average at the start%s)\n", b->loadavg,
                b->loadavg > 0.5 ? "; other processes were running: timings are noisy" : "");
    fprintf(f, "runs:    %d timed after %d warm-up; median and min; inputs are fixed pseudo-random data\n",
            b->opt.runs, b->opt.warmup);
    fprintf(f, "kernel:  OpenCL profiling, %s\n",
            b->marker_profiling ? "gate marker end -> end of the operator's last command (all passes)"
                                : "start -> end of the operator's last command (last pass only)");
    fprintf(f, "wall:    the same cl_mem call timed on the host until clFinish returns; host: the host-pointer\n"
               "         call (blocking) on malloc'ed memory; +extra = host - wall (cost of the convenience path)\n");
    fprintf(f, "GB/s:    (input bytes + output bytes [+ indices]) / median kernel time; copy = float4 copy kernel\n"
               "         moving the same bytes in the same cache state; %%copy = GB/s / copy GB/s\n");
    if (b->opt.modes & MODE_COLD)
        fprintf(f, "cold:    %.0f MiB written before every run (last-level cache: %.0f MiB) -> compare with DRAM copy\n",
                (double)b->flush_bytes / MIB, (double)b->llc / MIB);
    if (b->opt.modes & MODE_WARM)
        fprintf(f, "warm:    the same buffers again (may be cache-resident) -> compare with the in-cache copy\n");
    for (int i = 0; i < ncr; i++)
        if (cr[i].ok)
            fprintf(f, "copy:    %-29s %7.2f GB/s (median %.3f ms, min %.3f ms)\n", cr[i].label, cr[i].gbps,
                    cr[i].med_ms, cr[i].min_ms);
    fprintf(f, "other:   share of the machine's CPU time used by other processes during the row (disturbance)\n");
    fprintf(f, "\n%-4s %-27s %-5s %-5s %-4s %-4s | %8s %8s | %8s | %8s %8s | %7s | %7s %7s %5s | %4s\n", "id",
            "workload", "size", "lay", "type", "mode", "kern med", "kern min", "wall med", "host med", "+extra", "MB",
            "GB/s", "copy", "%copy", "oth");
}

static void print_row(FILE *f, const result *r)
{
    fprintf(f, "%-4s %-27s %-5s %-5s %-4s %-4s | ", r->wl->id, r->wl->what, r->size, r->layout,
            clrs_dtype_name(r->wl->dtype), r->mode == MODE_COLD ? "cold" : "warm");
    if (r->status != RS_OK) {
        fprintf(f, "%s\n", r->note);
    } else {
        fprintf(f, "%8.3f %8.3f | %8.3f | ", r->k_med, r->k_min, r->w_med);
        if (isfinite(r->h_med))
            fprintf(f, "%8.3f %+8.3f | ", r->h_med, r->h_med - r->w_med);
        else
            fprintf(f, "%8s %8s | ", "-", "-");
        fprintf(f, "%7.1f | %7.2f %7.2f %4.0f%% | ", r->moved / 1e6, r->gbps, r->copy_gbps, 100.0 * r->frac);
        if (isfinite(r->other_cpu))
            fprintf(f, "%3.0f%%\n", 100.0 * r->other_cpu);
        else
            fprintf(f, "  -\n");
        if (r->wl->op == OP_BATCH) {
            const double n = (double)r->wl->shape[0];
            fprintf(f, "%-4s %-27s images/s: %.0f kernel, %.0f wall", "", "", n / (r->k_med * 1e-3),
                    n / (r->w_med * 1e-3));
            if (isfinite(r->h_med)) fprintf(f, ", %.0f host", n / (r->h_med * 1e-3));
            fputc('\n', f);
        }
    }
    fflush(f);
}

typedef struct first_call {
    char label[32];
    char what[160];
    const workload *wl;
    int ok;
    double ctx_ms, first_ms, second_ms;
    char note[200];
} first_call;

static void json_common(FILE *f, bench *b)
{
    fputs("\"device\": ", f);
    json_str(f, b->info.name);
    fputs(", \"driver\": ", f);
    json_str(f, b->info.driver);
    fputs(", \"platform\": ", f);
    json_str(f, b->info.platform);
    fprintf(f, ", \"threads\": %u, \"date\": ", b->cus);
    json_str(f, b->date);
    fputs(", \"version\": ", f);
    json_str(f, clrs_version_string());
    fputs(", \"load_avg\": ", f);
    json_num(f, b->loadavg, "%.2f");
}

static void print_json(bench *b, FILE *f, const result *rs, int nr, const first_call *fc, int nfc, const copy_ref *cr,
                       int ncr)
{
    fputs("[\n", f);
    int first = 1;
    for (int i = 0; i < ncr; i++) {
        if (!cr[i].ok) continue;
        fprintf(f, "%s  {\"kind\": \"copy\", \"workload\": \"copy\", \"what\": ", first ? "" : ",\n");
        first = 0;
        json_str(f, cr[i].label);
        fprintf(f, ", \"layout\": null, \"size\": null, \"dtype\": \"f32\", ");
        json_common(f, b);
        fprintf(f, ", \"mode\": \"%s\", \"status\": \"ok\", \"runs\": %d, \"bytes\": %.0f, \"median_ms\": %.5f, "
                   "\"min_ms\": %.5f, \"gbps\": %.4f, \"copy_gbps\": %.4f, \"fraction_of_copy\": 1}",
                i == 0 ? "warm" : "cold", b->opt.runs, cr[i].bytes, cr[i].med_ms, cr[i].min_ms, cr[i].gbps, cr[i].gbps);
    }
    for (int i = 0; i < nr; i++) {
        const result *r = &rs[i];
        fprintf(f, "%s  {\"kind\": \"op\", \"workload\": \"%s\", \"what\": ", first ? "" : ",\n", r->wl->id);
        first = 0;
        json_str(f, r->wl->what);
        fprintf(f, ", \"layout\": \"%s\", \"size\": \"%s\", \"shape\": \"%s\", \"dtype\": \"%s\", ", r->layout, r->size,
                r->shape, clrs_dtype_name(r->wl->dtype));
        json_common(f, b);
        fprintf(f, ", \"mode\": \"%s\", \"status\": \"%s\", \"note\": ", r->mode == MODE_COLD ? "cold" : "warm",
                r->status == RS_OK ? "ok" : r->status == RS_NOT_IMPLEMENTED ? "not_implemented"
                                       : r->status == RS_UNSUPPORTED       ? "unsupported"
                                                                          : "error");
        json_str(f, r->note);
        fprintf(f, ", \"runs\": %d, \"bytes\": %.0f", r->runs, r->moved);
        fputs(", \"median_ms\": ", f);
        json_num(f, r->k_med, "%.5f");
        fputs(", \"min_ms\": ", f);
        json_num(f, r->k_min, "%.5f");
        fputs(", \"wall_median_ms\": ", f);
        json_num(f, r->w_med, "%.5f");
        fputs(", \"wall_min_ms\": ", f);
        json_num(f, r->w_min, "%.5f");
        fputs(", \"host_median_ms\": ", f);
        json_num(f, r->h_med, "%.5f");
        fputs(", \"host_min_ms\": ", f);
        json_num(f, r->h_min, "%.5f");
        fputs(", \"host_overhead_ms\": ", f);
        json_num(f, r->h_med - r->w_med, "%.5f");
        fputs(", \"gbps\": ", f);
        json_num(f, r->gbps, "%.4f");
        fputs(", \"copy_median_ms\": ", f);
        json_num(f, r->c_med, "%.5f");
        fputs(", \"copy_gbps\": ", f);
        json_num(f, r->copy_gbps, "%.4f");
        fputs(", \"fraction_of_copy\": ", f);
        json_num(f, r->frac, "%.4f");
        fputs(", \"other_cpu\": ", f);
        json_num(f, r->other_cpu, "%.3f");
        if (r->wl->op == OP_BATCH) {
            const double n = (double)r->wl->shape[0];
            fprintf(f, ", \"images\": %d, \"images_per_s\": ", (int)r->wl->shape[0]);
            json_num(f, n / (r->k_med * 1e-3), "%.1f");
            fputs(", \"wall_images_per_s\": ", f);
            json_num(f, n / (r->w_med * 1e-3), "%.1f");
            fputs(", \"host_images_per_s\": ", f);
            json_num(f, n / (r->h_med * 1e-3), "%.1f");
        }
        fprintf(f, ", \"kernel_timing\": \"%s\"}", r->status != RS_OK ? "none" : r->gated ? "gated" : "last_command");
    }
    for (int i = 0; i < nfc; i++) {
        const first_call *x = &fc[i];
        fprintf(f, "%s  {\"kind\": \"first_call\", \"workload\": \"%s\", \"layout\": \"nchw\", \"size\": \"%s\", "
                   "\"dtype\": \"%s\", ",
                first ? "" : ",\n", x->wl->id, x->wl->rank ? "fixed" : "small", clrs_dtype_name(x->wl->dtype));
        first = 0;
        json_common(f, b);
        fprintf(f, ", \"cache\": \"%s\", \"what\": ", x->label);
        json_str(f, x->what);
        fprintf(f, ", \"status\": \"%s\", \"note\": ", x->ok ? "ok" : "error");
        json_str(f, x->note);
        fputs(", \"context_ms\": ", f);
        json_num(f, x->ok ? x->ctx_ms : NAN, "%.3f");
        fputs(", \"first_call_ms\": ", f);
        json_num(f, x->ok ? x->first_ms : NAN, "%.3f");
        fputs(", \"second_call_ms\": ", f);
        json_num(f, x->ok ? x->second_ms : NAN, "%.3f");
        fputs(", \"median_ms\": ", f);
        json_num(f, x->ok ? x->ctx_ms + x->first_ms : NAN, "%.3f");
        fputs(", \"min_ms\": ", f);
        json_num(f, x->ok ? x->ctx_ms + x->first_ms : NAN, "%.3f");
        fputs(", \"gbps\": null, \"copy_gbps\": null, \"fraction_of_copy\": null}", f);
    }
    fputs("\n]\n", f);
}

/* ------------------------------------------------------------------------ */
/* First-call latency: this program executed again in a child process      */

#define CHILD_ENV "CLRS_BENCH_CHILD"
#define CHILD_FD_ENV "CLRS_BENCH_CHILD_FD"
#define CHILD_DEV_ENV "CLRS_BENCH_CHILD_DEVICE"

static int child_main(const char *spec)
{
    const char *fds = getenv(CHILD_FD_ENV);
    int fd = fds ? atoi(fds) : 1;
    FILE *out = fdopen(fd, "w");
    if (out == NULL) return 1;
    int wi = find_workload(spec);
    if (wi < 0) {
        fprintf(out, "err unknown workload %s\n", spec);
        fclose(out);
        return 1;
    }
    clrs_context_options co;
    clrs_context_options_init(&co);
    co.device = getenv(CHILD_DEV_ENV);
    bench b;
    memset(&b, 0, sizeof b);
    double t0 = now_ms();
    clrs_status st = clrs_context_create(&b.ctx, &co);
    double t1 = now_ms();
    if (st != CLRS_OK) {
        fprintf(out, "err clrs_context_create: %s\n", clrs_last_error(NULL));
        fclose(out);
        return 1;
    }
    clrs_context_get_cl(b.ctx, &b.clctx, &b.dev, &b.q);
    cfg c;
    st = cfg_describe(b.ctx, &c, &workloads[wi], "small", 0);
    if (st != CLRS_OK || cfg_alloc(&b, &c, 0, 0) != 0) {
        fprintf(out, "err setup: %s\n", st != CLRS_OK ? clrs_last_error(b.ctx) : "out of memory");
        fclose(out);
        return 1;
    }
    double t2 = now_ms();
    st = run_cl(b.ctx, &c, NULL);
    clFinish(b.q);
    double t3 = now_ms();
    if (st == CLRS_OK) st = run_cl(b.ctx, &c, NULL);
    clFinish(b.q);
    double t4 = now_ms();
    if (st != CLRS_OK)
        fprintf(out, "err %s: %s\n", clrs_status_name(st), clrs_last_error(b.ctx));
    else
        fprintf(out, "ok %.3f %.3f %.3f\n", t1 - t0, t3 - t2, t4 - t3);
    fclose(out);
    cfg_free(&c);
    clrs_context_release(b.ctx);
    return st == CLRS_OK ? 0 : 1;
}

/* argv of this process from /proc/self/cmdline (NULL-terminated, malloc'ed). */
static char **self_argv(char **buf_out)
{
    FILE *f = fopen("/proc/self/cmdline", "rb");
    if (f == NULL) return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL) break;
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (len < cap) break;
        char *nb = realloc(buf, cap * 2);
        if (nb == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (buf == NULL || len == 0) {
        free(buf);
        return NULL;
    }
    int n = 0;
    for (size_t i = 0; i < len; i++)
        if (buf[i] == '\0') n++;
    char **av = calloc((size_t)n + 1, sizeof *av);
    if (av == NULL) {
        free(buf);
        return NULL;
    }
    int k = 0;
    for (size_t i = 0; i < len && k < n; i += strlen(buf + i) + 1) av[k++] = buf + i;
    *buf_out = buf;
    return av;
}

/* Run one child with the given environment additions (NAME=VALUE or NAME to unset). */
static void run_child(bench *b, const char *wid, const char *const *env, first_call *r)
{
    r->ok = 0;
    char *buf = NULL;
    char **av = self_argv(&buf);
    if (av == NULL) {
        snprintf(r->note, sizeof r->note, "cannot read /proc/self/cmdline");
        return;
    }
    int pfd[2];
    if (pipe(pfd) != 0) {
        snprintf(r->note, sizeof r->note, "pipe: %s", strerror(errno));
        free(av);
        free(buf);
        return;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        char fdv[16];
        snprintf(fdv, sizeof fdv, "%d", pfd[1]);
        setenv(CHILD_ENV, wid, 1);
        setenv(CHILD_FD_ENV, fdv, 1);
        if (b->opt.device) setenv(CHILD_DEV_ENV, b->opt.device, 1);
        for (int i = 0; env[i] != NULL; i++) {
            char kv[4096];
            snprintf(kv, sizeof kv, "%s", env[i]);
            char *eq = strchr(kv, '=');
            if (eq) {
                *eq = '\0';
                setenv(kv, eq + 1, 1);
            } else {
                unsetenv(kv);
            }
        }
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 1); /* whatever the front end prints */
        alarm(300);
        execv("/proc/self/exe", av);
        _exit(127);
    }
    close(pfd[1]);
    free(av);
    free(buf);
    if (pid < 0) {
        close(pfd[0]);
        snprintf(r->note, sizeof r->note, "fork: %s", strerror(errno));
        return;
    }
    char line[512] = {0};
    size_t got = 0;
    ssize_t n;
    while (got < sizeof line - 1 && (n = read(pfd[0], line + got, sizeof line - 1 - got)) > 0) got += (size_t)n;
    close(pfd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    line[got] = '\0';
    char *nl = strchr(line, '\n');
    if (nl) *nl = '\0';
    if (strncmp(line, "ok ", 3) == 0 && sscanf(line + 3, "%lf %lf %lf", &r->ctx_ms, &r->first_ms, &r->second_ms) == 3) {
        r->ok = 1;
    } else {
        snprintf(r->note, sizeof r->note, "child failed (%s): %.160s",
                 WIFSIGNALED(status) ? "killed by a signal" : "exit", line[0] ? line : "no output");
    }
}

static int first_call_tests(bench *b, first_call *out, int max)
{
    /* one interpolate program and one pool program from the selection */
    int picks[2], np = 0;
    int iw = -1, pw = -1;
    for (int i = 0; i < N_WORKLOADS; i++) {
        if (!b->opt.wl_mask[i] || workloads[i].rank) continue;
        if (workloads[i].op == OP_INTERP && !workloads[i].backward && iw < 0) iw = i;
        if (workloads[i].op == OP_POOL && pw < 0) pw = i;
    }
    if (iw >= 0) picks[np++] = iw;
    if (pw >= 0 && !b->opt.quick) picks[np++] = pw;
    if (np == 0) return 0;

    const char *tmpdir = getenv("TMPDIR");
    char root[1024];
    snprintf(root, sizeof root, "%s/clrs-bench-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (mkdtemp(root) == NULL) return 0;
    int n = 0;
    for (int p = 0; p < np; p++) {
        const workload *w = &workloads[picks[p]];
        char clc[1100], pcc[1100], e_clrs[1200], e_pocl[1200];
        snprintf(clc, sizeof clc, "%s/clcache-%s", root, w->id);
        snprintf(pcc, sizeof pcc, "%s/pocl-%s", root, w->id);
        mkdir(clc, 0700);
        mkdir(pcc, 0700);
        snprintf(e_clrs, sizeof e_clrs, "CLRS_CACHE_DIR=%s", clc);
        snprintf(e_pocl, sizeof e_pocl, "POCL_CACHE_DIR=%s", pcc);
        const char *env_cold[] = {e_clrs, "POCL_KERNEL_CACHE=0", "CLRS_CACHE_READONLY", NULL};
        const char *env_pocl[] = {e_clrs, e_pocl, "POCL_KERNEL_CACHE=1", "CLRS_CACHE_READONLY", NULL};
        struct {
            const char *label, *what;
            const char *const *env;
            int report;
        } steps[] = {
            {"cold", "empty CLRS_CACHE_DIR, POCL_KERNEL_CACHE=0: OpenCL C compiled from source", env_cold, 1},
            {"warm_clrs", "CLRS_CACHE_DIR hit, POCL_KERNEL_CACHE=0: PoCL still generates the work-group code",
             env_cold, 1},
            {"prime_pocl", "", env_pocl, 0},
            {"warm_all", "CLRS_CACHE_DIR hit and PoCL kernel cache hit (normal warm start)", env_pocl, 1},
        };
        int nsteps = b->opt.quick ? 2 : 4;
        for (int s = 0; s < nsteps && n < max; s++) {
            first_call r;
            memset(&r, 0, sizeof r);
            snprintf(r.label, sizeof r.label, "%s", steps[s].label);
            snprintf(r.what, sizeof r.what, "%s", steps[s].what);
            r.wl = w;
            if (!b->opt.json) fprintf(stderr, "  first call %s %s ...\n", w->id, steps[s].label);
            run_child(b, w->id, steps[s].env, &r);
            if (s == 0 && r.ok && count_files(clc) == 0)
                snprintf(r.note, sizeof r.note, "note: nothing was written to CLRS_CACHE_DIR");
            if (steps[s].report) out[n++] = r;
        }
    }
    rm_rf(root);
    return n;
}

static void print_first_calls(FILE *f, const first_call *fc, int n)
{
    if (n == 0) return;
    fprintf(f, "\nfirst-call latency (fresh process each; small NCHW input; ctx = clrs_context_create, first = first\n"
               "call + clFinish including the program build, second = the same call again):\n");
    for (int i = 0; i < n; i++) {
        const first_call *x = &fc[i];
        if (x->ok)
            fprintf(f, "  %-4s %-22s %-10s ctx %7.1f ms  first %8.1f ms  second %7.2f ms   %s%s%s\n", x->wl->id,
                    x->wl->what, x->label, x->ctx_ms, x->first_ms, x->second_ms, x->what, x->note[0] ? "; " : "",
                    x->note);
        else
            fprintf(f, "  %-4s %-22s %-10s failed: %s\n", x->wl->id, x->wl->what, x->label, x->note);
    }
}

/* ------------------------------------------------------------------------ */
/* Entry point                                                              */

/* W21 (OP_DCONV): not a bandwidth workload, so its own rows: median / min
 * wall time of the cl_mem call (to the event's completion) with the
 * tuning's choice (conv/clblast where compiled in and the shape is above
 * its threshold) and with conv/general (tuning conv_gemm=0), GFLOP/s =
 * 2*N*Cout*Hout*Wout*Cin*k*k / time, and the device's peak as the same
 * path's GFLOP/s on a 1x1 convolution that is one 1024^3 GEMM. */
typedef struct dconv_impl_seen {
    char impl[32];
} dconv_impl_seen;
static void dconv_seen_cb(void *user, const char *family, const char *impl, int chosen, const char *reason)
{
    (void)reason;
    if (chosen && strcmp(family, "conv") == 0) snprintf(((dconv_impl_seen *)user)->impl, 32, "%s", impl);
}

static int dconv_time(bench *b, const int64_t is[4], const int64_t ws[4], int stride, int pad, double *med, double *mn,
                      double *flops, char *impl, size_t impl_len)
{
    clrs_conv_params p;
    clrs_conv_params_init(&p);
    p.n_stride = p.n_padding = 1;
    p.stride[0] = stride;
    p.padding[0] = pad;
    clrs_tensor_desc di, dw, db, dout;
    memset(&db, 0, sizeof db); /* the bias: rank 1 (clrs_tensor_desc_contiguous makes ranks 3-5) */
    db.dtype = CLRS_F32;
    db.rank = 1;
    db.sizes[0] = ws[0];
    db.strides[0] = 1;
    int64_t os[CLRS_MAX_RANK];
    if (clrs_tensor_desc_contiguous(&di, CLRS_F32, 4, is) != CLRS_OK ||
        clrs_tensor_desc_contiguous(&dw, CLRS_F32, 4, ws) != CLRS_OK ||
        clrs_conv_output_shape(b->ctx, &p, &di, &dw, os) != CLRS_OK ||
        clrs_tensor_desc_contiguous(&dout, CLRS_F32, 4, os) != CLRS_OK) {
        fprintf(stderr, "clresample bench: W21: %s\n", clrs_last_error(b->ctx));
        return -1;
    }
    size_t ni = (size_t)clrs_tensor_desc_numel(&di), nw = (size_t)clrs_tensor_desc_numel(&dw);
    float *h = malloc((ni > nw ? ni : nw) * sizeof(float));
    if (h == NULL) return -1;
    fill_input(h, ni, CLRS_F32, 0x21000000u);
    cl_mem mi = new_buffer(b->clctx, ni * 4, h, b->q);
    fill_input(h, nw, CLRS_F32, 0x21000001u);
    cl_mem mw = new_buffer(b->clctx, nw * 4, h, b->q);
    cl_mem mb = new_buffer(b->clctx, (size_t)ws[0] * 4, h, b->q);
    cl_mem mo = new_buffer(b->clctx, (size_t)clrs_tensor_desc_numel(&dout) * 4, NULL, b->q);
    free(h);
    int rc = mi && mw && mb && mo ? 0 : -1;
    const int total = b->opt.warmup + b->opt.runs;
    double *t = calloc((size_t)total, sizeof *t);
    dconv_impl_seen seen = {"?"};
    for (int r = 0; rc == 0 && r < total; r++) {
        cl_event ev = NULL;
        if (r == 0) clrs_explain_begin(dconv_seen_cb, &seen, 0);
        double t0 = now_ms();
        clrs_status st = clrs_conv_cl(b->ctx, &p, &di, mi, &dw, mw, &db, mb, &dout, mo, NULL, 0, NULL, &ev);
        if (st == CLRS_OK && clWaitForEvents(1, &ev) != CL_SUCCESS) st = CLRS_ERR_OPENCL;
        t[r] = now_ms() - t0;
        if (r == 0) clrs_explain_end();
        if (ev) clReleaseEvent(ev);
        if (st != CLRS_OK) {
            fprintf(stderr, "clresample bench: W21: %s\n", clrs_last_error(b->ctx));
            rc = -1;
        }
    }
    if (rc == 0) {
        double *tt = t + b->opt.warmup;
        const int n = b->opt.runs;
        for (int i = 1; i < n; i++) /* insertion sort: a handful of runs */
            for (int j = i; j > 0 && tt[j] < tt[j - 1]; j--) {
                double x = tt[j];
                tt[j] = tt[j - 1];
                tt[j - 1] = x;
            }
        *mn = tt[0];
        *med = n % 2 ? tt[n / 2] : 0.5 * (tt[n / 2 - 1] + tt[n / 2]);
        *flops = 2.0 * (double)os[0] * (double)os[1] * (double)os[2] * (double)os[3] * (double)is[1] *
                 (double)ws[2] * (double)ws[3];
        snprintf(impl, impl_len, "conv/%s", seen.impl);
    }
    free(t);
    if (mi) clReleaseMemObject(mi);
    if (mw) clReleaseMemObject(mw);
    if (mb) clReleaseMemObject(mb);
    if (mo) clReleaseMemObject(mo);
    return rc;
}

static void dense_conv_rows(bench *b, const workload *w, FILE *f)
{
    const int64_t ws[4] = {128, w->shape[1], w->kernel, w->kernel};
    const int64_t pis[4] = {1, 1024, 32, 32}, pws[4] = {1024, 1024, 1, 1};
    double pmed = NAN, pmin = NAN, pfl = 0, med, mn, fl;
    char impl[48], pimpl[48] = "-";
    fprintf(f, "\n%-4s %-27s %-13s %-14s | %8s %8s | %8s %6s\n", "id", "workload (f32 nchw, bias)", "shape", "impl",
            "wall med", "wall min", "GFLOP/s", "%peak");
    if (dconv_time(b, pis, pws, 1, 0, &pmed, &pmin, &pfl, pimpl, sizeof pimpl) != 0) b->failures++;
    const double peak = pfl / (pmin * 1e-3) / 1e9; /* the best run: the device's attainable GEMM rate */
    int64_t old = 1;
    clrs_tuning_get(b->ctx, "conv_gemm", &old, NULL);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) clrs_tuning_set(b->ctx, "conv_gemm", 0); /* B: the direct kernel */
        if (dconv_time(b, w->shape, ws, w->stride, w->pad, &med, &mn, &fl, impl, sizeof impl) != 0) {
            b->failures++;
            fprintf(f, "%-4s %-27s %-13s failed\n", w->id, w->what, w->shape_name);
            continue;
        }
        const double gf = fl / (med * 1e-3) / 1e9;
        fprintf(f, "%-4s %-27s %-13s %-14s | %8.2f %8.2f | %8.2f %5.1f%%\n", w->id, w->what, w->shape_name, impl, med,
                mn, gf, 100.0 * gf / peak);
    }
    clrs_tuning_set(b->ctx, "conv_gemm", old);
    fprintf(f, "%-4s %-27s %-13s %-14s | %8.2f %8.2f | %8.2f (peak: the best run)\n", "peak", "1x1 conv = GEMM 1024^3",
            "1x1024x32x32", pimpl, pmed, pmin, peak);
    fflush(f);
}

int clrs_bench_main(int argc, char **argv)
{
    const char *child = getenv(CHILD_ENV);
    if (child != NULL && *child) return child_main(child);

    bench b;
    memset(&b, 0, sizeof b);
    int rc = parse_options(argc, argv, &b.opt);
    if (rc != 0) return rc == 1 ? 0 : rc;
    FILE *tf = b.opt.json ? stderr : stdout; /* the table goes to stderr under --json */

    /* first-call latency before this process creates its own context */
    first_call fc[8];
    int nfc = 0;
    if (b.opt.first_call) {
        if (!b.opt.json) fprintf(stderr, "measuring first-call latency in child processes ...\n");
        nfc = first_call_tests(&b, fc, 8);
    }

    if (bench_init(&b) != 0) {
        bench_fini(&b);
        return 1;
    }
    copy_ref cref[2];
    int ncref = 0;
    measure_copy_ref(&b, &cref[ncref++], "in-cache (warm, 8 MiB moved)", 8u << 20, 0);
    if (b.opt.modes & MODE_COLD) measure_copy_ref(&b, &cref[ncref++], "DRAM (cold, 256 MiB moved)", 256u << 20, 1);
    print_header(&b, tf, cref, ncref);

    int cap = N_WORKLOADS * 2 * 2 * 2, nr = 0;
    result *rs = calloc((size_t)cap, sizeof *rs);
    if (rs == NULL) {
        bench_fini(&b);
        return 1;
    }
    double t_start = now_ms();
    for (int wi = 0; wi < N_WORKLOADS; wi++) {
        if (!b.opt.wl_mask[wi]) continue;
        const workload *w = &workloads[wi];
        if (w->op == OP_DCONV) {
            dense_conv_rows(&b, w, tf);
            continue;
        }
        for (int si = 0; si < 2; si++) {
            if (w->rank && si > 0) break;
            if (!w->rank && !(b.opt.sizes & (1 << si))) continue;
            const char *size = w->rank ? w->shape_name : si ? "large" : "small";
            for (int li = 0; li < 2; li++) {
                if (!(b.opt.layouts & (1 << li))) continue;
                cfg c;
                clrs_status st = cfg_describe(b.ctx, &c, w, size, li);
                int alloc_fail = st == CLRS_OK && cfg_alloc(&b, &c, b.opt.host_path, 1) != 0, done_modes = 0;
                for (int m = MODE_WARM; m <= MODE_COLD; m <<= 1) {
                    if (!(b.opt.modes & m) || nr >= cap) continue;
                    result *r = &rs[nr++];
                    if (st != CLRS_OK || alloc_fail) {
                        memset(r, 0, sizeof *r);
                        r->wl = w;
                        snprintf(r->size, sizeof r->size, "%s", w->rank ? "fixed" : size);
                        layout_name(w, li, r->layout, sizeof r->layout);
                        r->mode = m;
                        r->k_med = r->k_min = r->w_med = r->w_min = r->h_med = r->h_min = NAN;
                        r->c_med = r->c_min = r->gbps = r->copy_gbps = r->frac = NAN;
                        if (st != CLRS_OK)
                            classify(r, st, b.ctx);
                        else {
                            r->status = RS_ERROR;
                            snprintf(r->note, sizeof r->note, "cannot allocate the buffers");
                        }
                    } else {
                        /* the second cache state of a configuration needs no more warm-up */
                        measure(&b, &c, m, done_modes ? 0 : b.opt.warmup, r);
                        done_modes++;
                    }
                    if (r->status == RS_ERROR) b.failures++;
                    print_row(tf, r);
                }
                cfg_free(&c);
            }
        }
    }
    double elapsed = (now_ms() - t_start) / 1e3;
    if (b.gate_broken)
        fprintf(tf, "note: an operator call blocked on its own queue; later kernel times are last-command only\n");
    print_first_calls(tf, fc, nfc);
    double load_end = NAN;
    FILE *la = fopen("/proc/loadavg", "r");
    if (la != NULL) {
        if (fscanf(la, "%lf", &load_end) != 1) load_end = NAN;
        fclose(la);
    }
    fprintf(tf, "\nmeasured in %.1f s", elapsed);
    if (isfinite(load_end)) fprintf(tf, "; 1-minute load average at the end: %.2f", load_end);
    fputc('\n', tf);
    if (b.opt.json) print_json(&b, stdout, rs, nr, fc, nfc, cref, ncref);
    free(rs);
    bench_fini(&b);
    return b.failures ? 1 : 0;
}

#ifdef CLRS_BENCH_STANDALONE
int main(int argc, char **argv)
{
    return clrs_bench_main(argc, argv);
}
#endif

/* ------------------------------------------------------------------------ */
/* The tuner: `clresample tune [--ops LIST] [--quick] [--device SPEC]`      */
/*
 * Coordinate descent over the tuning values that only change speed: for
 * each value in turn, every candidate is set on the context
 * (clrs_tuning_set), the benchmark's workloads of the operators it affects
 * are timed the benchmark's way (warm, kernel time from profiling events,
 * the median of several runs), and the candidate with the lowest geometric
 * mean of times relative to the current value is kept when it is at least
 * 3% faster (noise otherwise keeps the current value). The result is
 * written with clrs_tuning_save() as the tuning file of this device and
 * driver, which every later context on it loads (`clresample info`). */

typedef struct tune_knob {
    const char *name;
    const char *ops; /* "interpolate", "pool" */
    int64_t cand[6];
    int ncand;
    int quick; /* also tried with --quick */
} tune_knob;

static const tune_knob TUNE_KNOBS[] = {
    {"rs_lx", "interpolate", {64, 128, 256, 512}, 4, 1},
    {"rs_rows_cap", "interpolate", {256, 1024}, 2, 0},
    {"rs_per_rows_cap", "interpolate", {64, 256, 1024}, 3, 1},
    {"rs_per", "interpolate", {0, 1}, 2, 1},
    {"rs_two_pass_min_growth", "interpolate", {4, 8, 16, INT64_MAX}, 4, 0},
    {"rs_rows_block", "interpolate", {0, 8, 16, 32}, 4, 0},
    {"rs_vper", "interpolate", {0, 1}, 2, 1},
    {"lx", "pool", {16, 64, 256}, 3, 0},
    {"pool_wg", "pool", {16, 64, 256}, 3, 1},
    {"pool_vw", "pool", {1, 8, 16}, 3, 1},
    {"gs_chunk", "grid_sample", {0, 4, 16, 64}, 4, 0},
};

static void tune_usage(FILE *f)
{
    fprintf(f, "usage: clresample tune [--ops interpolate,pool,grid_sample] [--quick] [--device SPEC] [--dry-run]\n\n"
               "Times the candidate values of each tuning value on this device with the benchmark's\n"
               "workloads and writes the fastest as the tuning file of this device and driver in the\n"
               "kernel cache directory; later runs load it ('clresample info' shows it). Tuning changes\n"
               "speed only, never results. --quick: small shapes, fewer candidates and runs (about a\n"
               "minute on a 2-core CPU); --dry-run: print the choices, write nothing.\n");
}

/* Time every workload of `ops` once per candidate; *score is the geometric
 * mean of time / base[i] (base NULL: fills base with the times). */
static int tune_measure(bench *b, const char *ops, int quick, double *base, double *score)
{
    double logsum = 0;
    int n = 0, wi, idx = 0;
    for (wi = 0; wi < N_WORKLOADS; wi++) {
        const workload *w = &workloads[wi];
        const char *op = w->op == OP_INTERP   ? "interpolate"
                         : w->op == OP_POOL   ? "pool"
                         : w->op == OP_GRID   ? "grid_sample"
                         : w->op == OP_BATCH  ? "resize_batch"
                         : w->op == OP_CONV   ? "conv"
                                              : "pool_backward";
        if (strcmp(op, ops) != 0 || w->backward) continue; /* (the forward's tuning values) */
        if (quick && w->rank) continue; /* the fixed big shapes */
        for (int nhwc = 0; nhwc < (quick ? 1 : 2); nhwc++) {
            cfg c;
            if (cfg_describe(b->ctx, &c, w, "small", nhwc) != CLRS_OK || cfg_alloc(b, &c, 0, 0) != 0) {
                cfg_free(&c);
                return -1;
            }
            double t[9];
            int runs = quick ? 3 : 7, ok = 1;
            clrs_status st = run_cl(b->ctx, &c, NULL); /* warm-up and build */
            clFinish(b->q);
            for (int r = 0; r < runs && st == CLRS_OK; r++) {
                int g = 0;
                double t0 = now_ms();
                st = timed_call(b, &c, &t[r], &g);
                if (isnan(t[r])) t[r] = now_ms() - t0;
            }
            cfg_free(&c);
            if (st != CLRS_OK) {
                fprintf(stderr, "clresample: error: tune: %s %s failed: %s\n", w->id, w->what, clrs_last_error(b->ctx));
                ok = 0;
            }
            if (!ok) return -1;
            double m = median_of(t, runs);
            if (base[idx] <= 0) base[idx] = m;
            logsum += log(m / base[idx]);
            n++;
            idx++;
        }
    }
    *score = n ? exp(logsum / n) : 1.0;
    return 0;
}

int clrs_tune_main(int argc, char **argv)
{
    int quick = 0, dry = 0;
    const char *ops = "interpolate,pool,grid_sample", *device = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            tune_usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--quick")) {
            quick = 1;
        } else if (!strcmp(argv[i], "--dry-run")) {
            dry = 1;
        } else if ((!strcmp(argv[i], "--ops") || !strcmp(argv[i], "--device")) && i + 1 < argc) {
            if (!strcmp(argv[i], "--ops"))
                ops = argv[++i];
            else
                device = argv[++i];
        } else if (!strncmp(argv[i], "--ops=", 6)) {
            ops = argv[i] + 6;
        } else if (!strncmp(argv[i], "--device=", 9)) {
            device = argv[i] + 9;
        } else {
            fprintf(stderr, "clresample: error: tune: unknown argument '%s'\n", argv[i]);
            tune_usage(stderr);
            return 2;
        }
    }
    /* --ops: a comma-separated subset of interpolate,pool,grid_sample */
    int want_interp = 0, want_pool = 0, want_grid = 0;
    {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", ops);
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (!strcmp(t, "interpolate"))
                want_interp = 1;
            else if (!strcmp(t, "pool"))
                want_pool = 1;
            else if (!strcmp(t, "grid_sample"))
                want_grid = 1;
            else {
                fprintf(stderr,
                        "clresample: error: tune: --ops: unknown operator family '%s' (interpolate, pool, grid_sample)\n",
                        t);
                return 2;
            }
        }
        if (!want_interp && !want_pool && !want_grid) {
            fprintf(stderr, "clresample: error: tune: --ops: empty list\n");
            return 2;
        }
    }
    bench b;
    memset(&b, 0, sizeof b);
    b.opt.device = device;
    b.opt.modes = MODE_WARM;
    b.opt.runs = quick ? 3 : 7;
    if (bench_init(&b) != 0) {
        bench_fini(&b);
        return 1;
    }
    const char *entry = NULL, *note = NULL, *file = NULL;
    clrs_tuning_entry(b.ctx, &entry, &note, &file);
    printf("tuning %s '%s' (driver %s), starting from entry %s%s%s\n", b.info.type, b.info.name, b.info.driver, entry,
           file && *file ? " and file " : "", file && *file ? file : "");
    int rc = 0, changed = 0;
    for (size_t k = 0; k < sizeof TUNE_KNOBS / sizeof TUNE_KNOBS[0] && rc == 0; k++) {
        const tune_knob *kn = &TUNE_KNOBS[k];
        if (quick && !kn->quick) continue;
        if (!strcmp(kn->ops, "interpolate") ? !want_interp : !strcmp(kn->ops, "pool") ? !want_pool : !want_grid) continue;
        int64_t cur = 0;
        if (clrs_tuning_get(b.ctx, kn->name, &cur, NULL) != CLRS_OK) {
            rc = 1;
            break;
        }
        double base[64];
        for (int i = 0; i < 64; i++) base[i] = 0;
        double cur_score = 1.0, best_score = 1.0;
        int64_t best = cur;
        /* the current value twice: the first pass warms up (builds, first
         * touches) and is discarded, the second is the reference */
        if (tune_measure(&b, kn->ops, quick, base, &cur_score) != 0) {
            rc = 1;
            break;
        }
        for (int i = 0; i < 64; i++) base[i] = 0;
        if (tune_measure(&b, kn->ops, quick, base, &cur_score) != 0) {
            rc = 1;
            break;
        }
        printf("  %-18s current %-6lld", kn->name, (long long)cur);
        for (int ci = 0; ci < kn->ncand; ci++) {
            int64_t v = kn->cand[ci];
            if (v == cur) continue;
            if (clrs_tuning_set(b.ctx, kn->name, v) != CLRS_OK) continue; /* outside this device's range */
            double sc = 0;
            if (tune_measure(&b, kn->ops, quick, base, &sc) != 0) {
                rc = 1;
                break;
            }
            printf(" | %lld: %.2fx", (long long)v, sc);
            if (sc < best_score * 0.97) {
                best_score = sc;
                best = v;
            }
        }
        clrs_tuning_set(b.ctx, kn->name, best); /* tuned, even when kept */
        if (best != cur) changed++;
        printf("  -> %lld%s\n", (long long)best, best != cur ? "" : " (kept)");
        fflush(stdout);
    }
    if (rc == 0 && !dry) {
        char path[1024];
        if (clrs_tuning_save(b.ctx, path, sizeof path) != CLRS_OK) {
            fprintf(stderr, "clresample: error: tune: %s\n", clrs_last_error(b.ctx));
            rc = 1;
        } else {
            printf("wrote %s (%d value%s changed)\n", path, changed, changed == 1 ? "" : "s");
        }
    } else if (rc == 0) {
        printf("dry run: nothing written (%d value%s would change)\n", changed, changed == 1 ? "" : "s");
    }
    bench_fini(&b);
    return rc;
}
