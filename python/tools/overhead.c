/* SPDX-License-Identifier: MIT */
/* Per-call time of one small clrs_interpolate (1x1x4x4 f32, nearest, scale 2)
 * through the C API, to compare with tools/overhead.py (the same call through
 * the Python package). Build in the source tree:
 *   cc -std=c11 -O2 -Iinclude python/tools/overhead.c src/.libs/libclresample.so \
 *      -Wl,-rpath,$PWD/src/.libs -o /tmp/overhead
 * Prints the medians over 7 rounds of the mean of N calls, in microseconds: wall
 * clock, and the calling thread's CPU time (the host-side cost; steadier on a
 * loaded machine, since the kernel runs on the driver's threads). */
#define _POSIX_C_SOURCE 200809L
#include <clresample.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_clock(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double now(void) { return now_clock(CLOCK_MONOTONIC); }
static double cpu(void) { return now_clock(CLOCK_THREAD_CPUTIME_ID); }

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    clrs_context *ctx;
    if (clrs_context_create(&ctx, NULL) != CLRS_OK) {
        fprintf(stderr, "%s\n", clrs_last_error(NULL));
        return 1;
    }
    float x[16], y[64];
    for (int i = 0; i < 16; i++) x[i] = (float)i;
    int64_t in_sizes[4] = {1, 1, 4, 4}, out_sizes[CLRS_MAX_RANK];
    clrs_tensor_desc in, out;
    clrs_interpolate_params p;
    clrs_interpolate_params_init(&p);
    p.mode = CLRS_INTERP_NEAREST;
    p.n_scale = 1;
    p.scale[0] = 2.0;
    double t[7], c[7];
    for (int r = -1; r < 7; r++) {
        double t0 = now(), c0 = cpu();
        for (int i = 0; i < (r < 0 ? 200 : n); i++) {
            /* what the Python call does too: descriptors, output shape, the call */
            if (clrs_tensor_desc_contiguous(&in, CLRS_F32, 4, in_sizes) != CLRS_OK ||
                clrs_interpolate_output_shape(ctx, &in, &p, out_sizes) != CLRS_OK ||
                clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, out_sizes) != CLRS_OK ||
                clrs_interpolate(ctx, &p, &in, x, &out, y) != CLRS_OK) {
                fprintf(stderr, "%s\n", clrs_last_error(ctx));
                return 1;
            }
        }
        if (r >= 0) {
            t[r] = (now() - t0) / n * 1e6;
            c[r] = (cpu() - c0) / n * 1e6;
        }
    }
    qsort(t, 7, sizeof t[0], cmp);
    qsort(c, 7, sizeof c[0], cmp);
    printf("C API: %.1f us per call wall, %.1f us CPU in the calling thread "
           "(medians of 7 x %d calls)\n", t[3], c[3], n);
    clrs_context_release(ctx);
    return 0;
}
