/* SPDX-License-Identifier: MIT */
/* Thread safety: one context shared by 8 threads, each running a few
 * hundred mixed operators (every operator kind, all dtypes, three memory
 * layouts, different shapes) in a different order, starting together on a
 * context whose program cache is empty, so that the same programs are
 * requested by several threads at once and different ones are built
 * concurrently; a ninth thread keeps dropping the in-memory program cache
 * meanwhile. Every result, gap bytes included, must be bit-identical to a
 * single-threaded run on another context. Then 4 threads on 4 contexts of
 * their own build and run at once (the same bits again). .ci/reliability.sh also runs this
 * under ThreadSanitizer.
 *
 * The binary cache is turned off (CLRS_CACHE_DIR=off) so programs are
 * really built, concurrently.
 *
 * Environment: CLRS_TEST_THREAD_CALLS=N calls per thread (default 300);
 * CLRS_TEST_THREADS_NO_CLEAR=1 leaves the cache-clearing thread idle (to
 * tell its failures from the others'). */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"

#define NTHREADS 8
#define NJOBS 120

enum { J_INTERP, J_POOL, J_UNPOOL, J_SHUFFLE };

typedef struct job {
    int op;
    clrs_dtype dt;
    int rank;
    int64_t isz[CLRS_MAX_RANK], osz[CLRS_MAX_RANK];
    tu_layout lo;
    clrs_interpolate_params ip;
    clrs_pool_params pp;
    clrs_unpool_params up;
    int64_t factor;
    int inverse;
    int with_idx;
    tu_tensor in, idx_in;        /* inputs, shared read-only by all threads */
    unsigned char *ref, *ref_idx; /* the single-threaded result, whole allocations */
    size_t ref_bytes, ref_idx_bytes;
    char name[160];
} job;

static job jobs[NJOBS];
static int calls_per_thread = 300;

static void fill_input(tu_tensor *t, clrs_dtype dt, int rank, const int64_t *sz, uint64_t *rng)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= sz[i];
    size_t es = clrs_dtype_size(dt);
    unsigned char *lg = malloc((size_t)n * es + 1);
    for (int64_t i = 0; i < n; i++)
        tu_set(dt, lg, i, dt == CLRS_U8 ? (double)tu_range(rng, 0, 255)
                           : dt == CLRS_U16 ? (double)tu_range(rng, 0, 65535)
                           : tu_uniform(rng) * 50 - 25);
    tu_store(t, lg);
    free(lg);
}

/* A random valid job (retries until *_output_shape accepts it). */
static void make_job(clrs_context *ctx, job *j, int k, uint64_t *rng, int fp64)
{
    static const clrs_dtype dts[6] = {CLRS_F32, CLRS_F64, CLRS_F16, CLRS_BF16, CLRS_U8, CLRS_U16};
    for (;;) {
        memset(j, 0, sizeof *j);
        j->op = k % 10 < 4 ? J_INTERP : k % 10 < 7 ? J_POOL : k % 10 < 9 ? J_UNPOOL : J_SHUFFLE;
        j->dt = dts[tu_range(rng, 0, 5)];
        if (!fp64 && j->dt == CLRS_F64) j->dt = CLRS_F32;
        j->rank = j->op == J_SHUFFLE ? 4 : (int)tu_range(rng, 3, 5);
        int sp = j->rank - 2;
        j->isz[0] = tu_range(rng, 1, 2);
        j->isz[1] = tu_range(rng, 1, 4);
        for (int a = 0; a < sp; a++) j->isz[2 + a] = tu_range(rng, 2, j->rank == 5 ? 5 : 9);
        tu_layout li = (tu_layout)tu_range(rng, 0, 2);
        j->lo = (tu_layout)tu_range(rng, 0, 2);
        clrs_tensor_desc d;
        clrs_status st;
        switch (j->op) {
        case J_INTERP: {
            static const clrs_interp_mode modes[6] = {CLRS_INTERP_NEAREST, CLRS_INTERP_NEAREST_EXACT, CLRS_INTERP_LINEAR,
                                                      CLRS_INTERP_BICUBIC, CLRS_INTERP_AREA, CLRS_INTERP_LANCZOS};
            clrs_interpolate_params *p = &j->ip;
            clrs_interpolate_params_init(p);
            p->mode = modes[tu_range(rng, 0, 5)];
            if (p->mode == CLRS_INTERP_LINEAR)
                p->mode = j->rank == 3 ? CLRS_INTERP_LINEAR : j->rank == 4 ? CLRS_INTERP_BILINEAR : CLRS_INTERP_TRILINEAR;
            int filt = p->mode != CLRS_INTERP_NEAREST && p->mode != CLRS_INTERP_NEAREST_EXACT && p->mode != CLRS_INTERP_AREA;
            if (filt) p->antialias = p->mode == CLRS_INTERP_LANCZOS ? 1 : (int)tu_range(rng, 0, 1);
            if (filt && p->mode != CLRS_INTERP_LANCZOS) p->align_corners = (int)tu_range(rng, -1, 1);
            p->n_size = sp;
            for (int a = 0; a < sp; a++) p->size[a] = tu_range(rng, 1, 2 * j->isz[2 + a] + 2);
            clrs_tensor_desc_contiguous(&d, j->dt, j->rank, j->isz);
            st = clrs_interpolate_output_shape(ctx, &d, p, j->osz);
            snprintf(j->name, sizeof j->name, "interpolate %s%s %s rank %d", clrs_interp_mode_name(p->mode),
                     p->antialias ? "+aa" : "", clrs_dtype_name(j->dt), j->rank);
            break;
        }
        case J_POOL: {
            clrs_pool_params *p = &j->pp;
            int kind = (int)tu_range(rng, 0, 5);
            clrs_pool_params_init(p, (clrs_pool_kind)kind);
            if (kind == CLRS_POOL_ADAPTIVE_AVG || kind == CLRS_POOL_ADAPTIVE_MAX) {
                p->n_output_size = 1;
                p->output_size[0] = tu_range(rng, 1, 4);
            } else if (kind == CLRS_POOL_FRACTIONAL_MAX) {
                if (j->rank == 3) continue;
                p->n_kernel = 1;
                p->kernel[0] = 2;
                p->n_output_size = 1;
                p->output_size[0] = tu_range(rng, 1, 2);
                p->seed = (uint64_t)k * 7919u;
            } else {
                p->n_kernel = 1;
                p->kernel[0] = tu_range(rng, 1, 3);
                p->n_stride = 1;
                p->stride[0] = tu_range(rng, 1, 2);
                if (kind != CLRS_POOL_LP) {
                    p->n_padding = 1;
                    p->padding[0] = tu_range(rng, 0, p->kernel[0] / 2);
                }
                p->ceil_mode = (int)tu_range(rng, 0, 1);
                if (kind == CLRS_POOL_LP) {
                    p->norm_type = tu_range(rng, 0, 1) ? 2.0 : INFINITY;
                    if (p->norm_type == 2.0 && (j->dt == CLRS_U8 || j->dt == CLRS_U16)) j->dt = CLRS_F32;
                }
                if (kind == CLRS_POOL_AVG) p->count_include_pad = (int)tu_range(rng, 0, 1);
            }
            j->with_idx = (kind == CLRS_POOL_MAX || kind == CLRS_POOL_ADAPTIVE_MAX || kind == CLRS_POOL_FRACTIONAL_MAX) &&
                          tu_range(rng, 0, 1);
            clrs_tensor_desc_contiguous(&d, j->dt, j->rank, j->isz);
            st = clrs_pool_output_shape(ctx, &d, p, j->osz);
            snprintf(j->name, sizeof j->name, "pool kind %d%s %s rank %d", kind, j->with_idx ? "+indices" : "",
                     clrs_dtype_name(j->dt), j->rank);
            break;
        }
        case J_UNPOOL: {
            clrs_unpool_params_init(&j->up);
            j->up.n_kernel = 1;
            j->up.kernel[0] = 2;
            clrs_tensor_desc_contiguous(&d, j->dt, j->rank, j->isz);
            st = clrs_max_unpool_output_shape(ctx, &d, &j->up, j->osz);
            snprintf(j->name, sizeof j->name, "max_unpool %s rank %d", clrs_dtype_name(j->dt), j->rank);
            break;
        }
        default: {
            j->factor = tu_range(rng, 1, 3);
            j->inverse = (int)tu_range(rng, 0, 1);
            if (j->inverse) {
                j->isz[2] *= j->factor;
                j->isz[3] *= j->factor;
            } else {
                j->isz[1] *= j->factor * j->factor;
            }
            clrs_tensor_desc_contiguous(&d, j->dt, 4, j->isz);
            st = clrs_pixel_shuffle_output_shape(ctx, &d, j->factor, j->inverse, j->osz);
            snprintf(j->name, sizeof j->name, "pixel_%sshuffle r=%lld %s", j->inverse ? "un" : "", (long long)j->factor,
                     clrs_dtype_name(j->dt));
            break;
        }
        }
        if (st != CLRS_OK) continue;
        tu_alloc(&j->in, j->dt, j->rank, j->isz, li, 0x3c);
        fill_input(&j->in, j->dt, j->rank, j->isz, rng);
        if (j->op == J_UNPOOL) { /* each index inside its own 2-wide window: no duplicates */
            tu_alloc(&j->idx_in, CLRS_I64, j->rank, j->isz, li, 0x3c);
            int64_t n = 1, plane = 1, oplane = 1;
            for (int i = 0; i < j->rank; i++) n *= j->isz[i];
            for (int i = 2; i < j->rank; i++) plane *= j->isz[i], oplane *= j->osz[i];
            int64_t *ix = malloc((size_t)n * sizeof *ix);
            for (int64_t e = 0; e < n; e++) {
                int64_t r = e % plane, o = 0, stride_o = 1;
                for (int a = j->rank - 1; a >= 2; a--) {
                    int64_t c = r % j->isz[a];
                    r /= j->isz[a];
                    o += (2 * c + tu_range(rng, 0, 1)) * stride_o;
                    stride_o *= j->osz[a];
                }
                ix[e] = o;
            }
            tu_store(&j->idx_in, ix);
            free(ix);
            (void)oplane;
        }
        size_t len = strlen(j->name);
        snprintf(j->name + len, sizeof j->name - len, " %s -> %s", tu_layout_name(li), tu_layout_name(j->lo));
        return;
    }
}

/* Run a job into freshly allocated outputs (caller frees them). */
static clrs_status run_job(clrs_context *ctx, const job *j, tu_tensor *out, tu_tensor *idx)
{
    tu_alloc(out, j->dt, j->rank, j->osz, j->lo, 0xab);
    memset(idx, 0, sizeof *idx);
    switch (j->op) {
    case J_INTERP: return clrs_interpolate(ctx, &j->ip, &j->in.desc, j->in.base, &out->desc, out->base);
    case J_POOL:
        if (j->with_idx) tu_alloc(idx, CLRS_I64, j->rank, j->osz, j->lo, 0xab);
        return clrs_pool(ctx, &j->pp, &j->in.desc, j->in.base, &out->desc, out->base, j->with_idx ? &idx->desc : NULL,
                         j->with_idx ? idx->base : NULL);
    case J_UNPOOL:
        return clrs_max_unpool(ctx, &j->up, &j->in.desc, j->in.base, &j->idx_in.desc, j->idx_in.base, &out->desc,
                               out->base);
    default: return clrs_pixel_shuffle(ctx, j->factor, j->inverse, &j->in.desc, j->in.base, &out->desc, out->base);
    }
}

typedef struct worker {
    clrs_context *ctx;
    int id;
    pthread_barrier_t *start;
    int calls;
    int mismatches, errors, done;
    char first[512];
} worker;

static atomic_int workers_running;
static atomic_int calls_done; /* by all workers: the progress lines */

static void *worker_main(void *arg)
{
    worker *w = arg;
    pthread_barrier_wait(w->start);
    for (int i = 0; i < w->calls; i++) {
        /* a different order per thread; all threads start on the same few jobs */
        int k = i < 8 ? (i + w->id) % 8 : (int)(((unsigned)i * 37u + (unsigned)w->id * 101u) % NJOBS);
        const job *j = &jobs[k];
        tu_tensor out, idx;
        clrs_status st = run_job(w->ctx, j, &out, &idx);
        if (st != CLRS_OK) {
            if (w->errors++ == 0)
                snprintf(w->first, sizeof w->first, "thread %d call %d (%s): %s: %s", w->id, i, j->name,
                         clrs_status_name(st), clrs_last_error(w->ctx));
        } else if (out.bytes != j->ref_bytes || memcmp(out.base, j->ref, out.bytes) != 0 ||
                   (j->ref_idx && memcmp(idx.base, j->ref_idx, j->ref_idx_bytes) != 0)) {
            if (w->mismatches++ == 0)
                snprintf(w->first, sizeof w->first, "thread %d call %d (%s): result differs from the single-threaded run",
                         w->id, i, j->name);
        }
        tu_free(&out);
        if (idx.base) tu_free(&idx);
        w->done++;
        atomic_fetch_add(&calls_done, 1);
    }
    atomic_fetch_sub(&workers_running, 1);
    return NULL;
}

/* Meanwhile: drop the program cache, read the device, the last error. */
static void *clearer_main(void *arg)
{
    worker *w = arg;
    pthread_barrier_wait(w->start);
    struct timespec ms = {0, 10000000}; /* every 10 ms */
    const char *e = getenv("CLRS_TEST_THREADS_NO_CLEAR");
    int idle = e && strcmp(e, "1") == 0;
    while (!idle && atomic_load(&workers_running) > 0) {
        if (clrs_cache_clear(w->ctx) != CLRS_OK) w->errors++;
        clrs_device_info info;
        if (clrs_context_device(w->ctx, &info) != CLRS_OK) w->errors++;
        (void)clrs_last_error(w->ctx);
        w->done++;
        nanosleep(&ms, NULL);
    }
    return NULL;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

START_TEST(test_shared_context)
{
    clrs_context *ref_ctx = tu_context();
    clrs_device_info info;
    clrs_context_device(ref_ctx, &info);
    uint64_t rng = 0x5eed1234ULL;
    int counts[4] = {0, 0, 0, 0};
    for (int k = 0; k < NJOBS; k++) {
        make_job(ref_ctx, &jobs[k], k, &rng, info.fp64);
        counts[jobs[k].op]++;
    }
    /* the single-threaded reference */
    double t0 = now_s();
    for (int k = 0; k < NJOBS; k++) {
        tu_progress("test_shared_context (single-threaded)", k, NJOBS, "jobs");
        tu_tensor out, idx;
        clrs_status st = run_job(ref_ctx, &jobs[k], &out, &idx);
        ck_assert_msg(st == CLRS_OK, "single-threaded %s: %s", jobs[k].name, clrs_last_error(ref_ctx));
        jobs[k].ref = out.base;
        jobs[k].ref_bytes = out.bytes;
        jobs[k].ref_idx = idx.base;
        jobs[k].ref_idx_bytes = idx.bytes;
    }
    double t1 = now_s();
    tu_progress("test_shared_context (single-threaded)", NJOBS, NJOBS, "jobs");

    /* 8 threads on one fresh context (empty program cache) */
    clrs_context *ctx = NULL;
    ck_assert_int_eq(clrs_context_create(&ctx, NULL), CLRS_OK);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, NTHREADS + 2);
    worker w[NTHREADS + 1];
    pthread_t th[NTHREADS + 1];
    atomic_store(&workers_running, NTHREADS);
    atomic_store(&calls_done, 0);
    for (int i = 0; i <= NTHREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].ctx = ctx;
        w[i].id = i;
        w[i].start = &start;
        w[i].calls = calls_per_thread;
        ck_assert_int_eq(pthread_create(&th[i], NULL, i < NTHREADS ? worker_main : clearer_main, &w[i]), 0);
    }
    double t2 = now_s();
    pthread_barrier_wait(&start);
    /* progress while the workers run (the clearer stops with them) */
    const long total = (long)NTHREADS * calls_per_thread;
    tu_progress("test_shared_context (threads)", 0, total, "calls");
    while (atomic_load(&workers_running) > 0) {
        struct timespec wait = {0, 200000000};
        nanosleep(&wait, NULL);
        tu_progress("test_shared_context (threads)", atomic_load(&calls_done), total, "calls");
    }
    tu_progress("test_shared_context (threads)", atomic_load(&calls_done), total, "calls");
    int mismatches = 0, errors = 0, done = 0;
    const char *first = NULL;
    for (int i = 0; i <= NTHREADS; i++) {
        pthread_join(th[i], NULL);
        mismatches += w[i].mismatches;
        errors += w[i].errors;
        if (i < NTHREADS) done += w[i].done;
        if (!first && w[i].first[0]) first = w[i].first;
    }
    double t3 = now_s();
    pthread_barrier_destroy(&start);
    printf("# %d jobs (%d interpolate, %d pool, %d unpool, %d shuffle); single-threaded %.2f s; %d threads x %d calls "
           "= %d calls in %.2f s with %d cache clears: %d mismatches, %d errors\n",
           NJOBS, counts[0], counts[1], counts[2], counts[3], t1 - t0, NTHREADS, calls_per_thread, done, t3 - t2,
           w[NTHREADS].done, mismatches, errors);
    ck_assert_msg(mismatches == 0 && errors == 0, "%d mismatches, %d errors; first: %s", mismatches, errors,
                  first ? first : "?");
    ck_assert_int_eq(done, NTHREADS * calls_per_thread);
    clrs_context_release(ctx);

    /* then 4 threads, each on a context of its own (fresh: empty program
     * caches), 40 calls each: builds on different contexts of one device
     * at once (a driver whose compiler is not thread-safe crashes here
     * too: src/quirks.c serialises builds process-wide, not per context) */
    enum { NOWN = 4, OWN_CALLS = 40 };
    clrs_context *own[NOWN];
    worker wo[NOWN];
    pthread_t tho[NOWN];
    for (int i = 0; i < NOWN; i++) ck_assert_int_eq(clrs_context_create(&own[i], NULL), CLRS_OK);
    pthread_barrier_init(&start, NULL, NOWN + 1);
    atomic_store(&workers_running, NOWN);
    for (int i = 0; i < NOWN; i++) {
        memset(&wo[i], 0, sizeof wo[i]);
        wo[i].ctx = own[i];
        wo[i].id = i;
        wo[i].start = &start;
        wo[i].calls = OWN_CALLS;
        ck_assert_int_eq(pthread_create(&tho[i], NULL, worker_main, &wo[i]), 0);
    }
    t2 = now_s();
    pthread_barrier_wait(&start);
    mismatches = errors = done = 0;
    first = NULL;
    for (int i = 0; i < NOWN; i++) {
        pthread_join(tho[i], NULL);
        mismatches += wo[i].mismatches;
        errors += wo[i].errors;
        done += wo[i].done;
        if (!first && wo[i].first[0]) first = wo[i].first;
        clrs_context_release(own[i]);
    }
    t3 = now_s();
    pthread_barrier_destroy(&start);
    printf("# %d threads on %d contexts x %d calls = %d calls in %.2f s: %d mismatches, %d errors\n", NOWN, NOWN,
           OWN_CALLS, done, t3 - t2, mismatches, errors);
    ck_assert_msg(mismatches == 0 && errors == 0, "own contexts: %d mismatches, %d errors; first: %s", mismatches,
                  errors, first ? first : "?");
    ck_assert_int_eq(done, NOWN * OWN_CALLS);
    for (int k = 0; k < NJOBS; k++) {
        tu_free(&jobs[k].in);
        if (jobs[k].idx_in.base) tu_free(&jobs[k].idx_in);
        free(jobs[k].ref);
        free(jobs[k].ref_idx);
    }
}
END_TEST

/* Installing and removing a log callback while other threads run
 * operators (whose builds and failures log). */
static atomic_int log_lines;
static void count_log(clrs_log_level lvl, const char *cat, const char *msg, void *user)
{
    (void)lvl;
    (void)cat;
    (void)msg;
    (void)user;
    atomic_fetch_add(&log_lines, 1);
}

static void *failing_calls(void *arg)
{
    clrs_context *ctx = arg;
    int64_t is[4] = {1, 1, 4, 4};
    clrs_tensor_desc in;
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 4, is);
    float buf[16] = {0};
    for (int i = 0; i < 2000; i++) {
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        p.n_scale = 1;
        p.scale[0] = -1.0 - i; /* a validation failure: logged at debug level */
        if (clrs_interpolate(ctx, &p, &in, buf, &in, buf) != CLRS_ERR_BAD_PARAM) return (void *)1;
    }
    return NULL;
}

START_TEST(test_log_callback_while_running)
{
    clrs_context *ctx = tu_context();
    pthread_t th[4];
    for (int i = 0; i < 4; i++) ck_assert_int_eq(pthread_create(&th[i], NULL, failing_calls, ctx), 0);
    for (int i = 0; i < 2000; i++) clrs_set_log_callback(i % 2 ? NULL : count_log, NULL);
    clrs_set_log_callback(NULL, NULL);
    for (int i = 0; i < 4; i++) {
        void *r = NULL;
        pthread_join(th[i], &r);
        ck_assert_ptr_null(r);
    }
    printf("# log callback swapped 2000 times under 4 threads: %d lines delivered\n", atomic_load(&log_lines));
}
END_TEST

/* The test case's timeout, in seconds, for a machine 10 times slower than
 * an idle 2-core one (every program is compiled twice, from source: the
 * single-threaded run and the 8 threads); the environment can only widen
 * it (tu_timeout). */
#define TIMEOUT_CORE 3600

int main(void)
{
    /* build programs from source, concurrently; must precede any library call */
    setenv("CLRS_CACHE_DIR", "off", 1);
    const char *e = getenv("CLRS_TEST_THREAD_CALLS");
    if (e && atoi(e) > 0) calls_per_thread = atoi(e);
    setvbuf(stdout, NULL, _IOLBF, 0);
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("shared context");
    tcase_set_timeout(tc, tu_timeout(TIMEOUT_CORE));
    tcase_add_test(tc, test_shared_context);
    tcase_add_test(tc, test_log_callback_while_running);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_context_release();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
