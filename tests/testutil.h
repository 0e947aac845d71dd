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

/* Deterministic random numbers. */
uint64_t tu_rand(uint64_t *state);
double tu_uniform(uint64_t *state); /* [0, 1) */
int64_t tu_range(uint64_t *state, int64_t lo, int64_t hi); /* [lo, hi] */

#endif
