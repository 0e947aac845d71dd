/* SPDX-License-Identifier: MIT */
/* Shared test helpers: contexts (skip with 77 only outside CI), layouts,
 * dtype conversion and the golden-vector manifests. */
#ifndef CLRS_TESTUTIL_H
#define CLRS_TESTUTIL_H
#include <stddef.h>
#include <stdint.h>

#include "clresample.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "."
#endif

/* A shared context; exits 77 (skip) when there is no OpenCL platform,
 * unless CI is set, where a missing platform is a failure (exit 1). */
clrs_context *tu_context(void);
void tu_context_release(void);
/* For suites whose tests each run in their own process (Check's fork mode)
 * and create contexts there: probes for a platform in a child process (so
 * that nothing is initialised in the parent) and exits as tu_context does
 * (77, or 1 under CI) when there is none. */
void tu_require_platform(void);
const char *tu_srcdir(void);

/* Layouts a logical tensor can be stored in. */
typedef enum tu_layout { TU_CONTIGUOUS = 0, TU_CHANNELS_LAST = 1, TU_STRIDED = 2, TU_NLAYOUTS = 3 } tu_layout;
const char *tu_layout_name(tu_layout l);

/* A tensor in some layout: `base` holds the allocation, desc describes it. */
typedef struct tu_tensor {
    clrs_tensor_desc desc;
    unsigned char *base;
    size_t bytes;
} tu_tensor;

/* Allocate a tensor of logical sizes in layout l (strided: padded strides,
 * reversed dim order for the middle dims and a non-zero offset); the
 * unused bytes are filled with `fill`. */
void tu_alloc(tu_tensor *t, clrs_dtype dt, int rank, const int64_t *sizes, tu_layout l, unsigned char fill);
/* Copy logical C-order bytes in / out. */
void tu_store(tu_tensor *t, const void *logical);
void tu_load(const tu_tensor *t, void *logical);
void tu_free(tu_tensor *t);

/* Element conversions (storage bits <-> double). */
double tu_get(clrs_dtype dt, const void *data, int64_t i);
void tu_set(clrs_dtype dt, void *data, int64_t i, double v);
float tu_half_to_float(uint16_t h);
uint16_t tu_float_to_half(float f);

/* Manifest cases: key=value tokens of one line. */
typedef struct tu_case {
    char line[2048];
    int n;
    char *key[48];
    char *val[48];
} tu_case;
/* Reads all cases of a manifest (comments skipped). Returns count; *cases malloc'ed. */
int tu_read_manifest(const char *path, tu_case **cases);
const char *tu_get_str(const tu_case *c, const char *key); /* NULL if missing or "-" */
/* Parse a comma list of ints/doubles; returns count (0 if missing). */
int tu_get_ints(const tu_case *c, const char *key, int64_t *v, int max);
int tu_get_doubles(const tu_case *c, const char *key, double *v, int max);
int tu_get_int(const tu_case *c, const char *key, int dflt);
clrs_dtype tu_dtype_from_name(const char *s);

/* Check timeouts that a busy machine cannot trip.
 *
 * tu_timeout(s) is the value to give tcase_set_timeout for a test case
 * whose slowest test takes well under s / 10 seconds on an idle 2-core
 * machine (so s already allows a machine 10 times slower). The environment
 * can only widen it: CK_DEFAULT_TIMEOUT=N (Makefile.am sets one) raises it
 * to N when N is larger, and CK_DEFAULT_TIMEOUT=0 disables the timeout;
 * Check itself then multiplies the result by CK_TIMEOUT_MULTIPLIER (it
 * does so for tcase_set_timeout values too). A timeout of 0 means none:
 * Check arms no timer. */
double tu_timeout(double seconds);

/* Progress of a long test, for the .log of `make check` on a busy machine:
 * tu_progress("test_golden", done, total, "cases") prints
 * "# test_golden: 120/480 cases (35 s)" to stderr when at least
 * TU_PROGRESS_SECONDS have passed since its last line, and always for
 * done == 0 (which starts the test's clock, as does a new name) and
 * done == total, so a log never stays silent for long. Call it with 0
 * before the first case and with the number done after each one;
 * total <= 0: not known in advance ("# what: 120 cases (35 s)"). */
#define TU_PROGRESS_SECONDS 10.0
void tu_progress(const char *what, long done, long total, const char *unit);

/* For the suites that test operators, not the binary cache (interpolate,
 * pool, robust): sets CLRS_CACHE_DIR=off for this process and its
 * children, unless CLRS_TEST_BINARY_CACHE=1. Call it first thing in main(),
 * before any library call. Why: from an empty cache nearly every kernel
 * variant of these suites is a miss, and saving a miss (clGetProgramInfo
 * CL_PROGRAM_BINARIES makes PoCL compile every kernel of the program for
 * its binary) cost as much CPU as building it; the OpenCL implementation's
 * own cache (PoCL's kcache) still makes a second run fast. test_cache and
 * test_robust's two-process test exercise the binary cache, in their own
 * directories. */
void tu_binary_cache_off(void);

/* Deterministic random numbers. */
uint64_t tu_rand(uint64_t *state);
double tu_uniform(uint64_t *state); /* [0, 1) */
int64_t tu_range(uint64_t *state, int64_t lo, int64_t hi); /* [lo, hi] */

#endif
