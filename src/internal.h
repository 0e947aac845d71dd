/* SPDX-License-Identifier: MIT */
/* Internal declarations shared by the library's translation units. Nothing
 * here is exported: the library is built with -fvisibility=hidden and only
 * CLRS_API functions leave it. */
#ifndef CLRS_INTERNAL_H
#define CLRS_INTERNAL_H

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>

#include "clresample.h"
#include "clresample/cl_interop.h"
#include "tuning.h"

#if defined(__GNUC__) || defined(__clang__)
#define CLRS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLRS_PRINTF(a, b)
#endif

#define CLRS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- errors (src/log.c) ---------------------------------------------- */
/* Record the detail for the calling thread and return st. */
clrs_status clrs__fail(const clrs_context *ctx, clrs_status st, const char *fmt, ...) CLRS_PRINTF(3, 4);
/* Map an OpenCL error to a status, recording "<what>: CL_NAME (code)". */
clrs_status clrs__fail_cl(const clrs_context *ctx, cl_int err, const char *what);
const char *clrs__cl_error_name(cl_int err);
/* Forget the calling thread's last error (start of every API call). */
void clrs__clear_error(const clrs_context *ctx);

#define CLRS_RETURN_IF(ctx, cond, st, ...)               \
    do {                                                 \
        if (cond) return clrs__fail((ctx), (st), __VA_ARGS__); \
    } while (0)
#define CLRS_FORWARD(expr)                \
    do {                                  \
        clrs_status st_fwd_ = (expr);     \
        if (st_fwd_ != CLRS_OK) return st_fwd_; \
    } while (0)

/* ---- logging and environment (src/log.c) ----------------------------- */
int clrs__log_enabled(clrs_log_level lvl, const char *category);
void clrs__log(clrs_log_level lvl, const char *category, const char *fmt, ...) CLRS_PRINTF(3, 4);
/* getenv that treats an empty value as unset. */
const char *clrs__getenv(const char *name);

/* ---- hashing (src/sha256.c) ------------------------------------------ */
typedef struct clrs_sha256 {
    uint32_t s[8];
    uint64_t len;
    unsigned char buf[64];
    size_t fill;
} clrs_sha256;
typedef struct clrs_hmac_sha256 {
    clrs_sha256 inner, outer;
} clrs_hmac_sha256;
void clrs__sha256_init(clrs_sha256 *c);
void clrs__sha256_update(clrs_sha256 *c, const void *data, size_t len);
void clrs__sha256_final(clrs_sha256 *c, unsigned char out[32]);
void clrs__sha256(const void *data, size_t len, unsigned char out[32]);
void clrs__hmac_sha256_init(clrs_hmac_sha256 *h, const void *key, size_t klen);
void clrs__hmac_sha256_update(clrs_hmac_sha256 *h, const void *data, size_t len);
void clrs__hmac_sha256_final(clrs_hmac_sha256 *h, unsigned char out[32]);
/* Lower-case hex of n bytes into out (2n + 1 chars). */
void clrs__hex(const unsigned char *b, size_t n, char *out);
/* Constant-time comparison: 1 when equal. */
int clrs__ct_equal(const unsigned char *a, const unsigned char *b, size_t n);

/* ---- kernel sources (src/kernels.c) ----------------------------------- */
typedef struct clrs_kernel_source {
    const char *name; /* "resample" for cl/resample.cl */
    const char *text;
    size_t len;
    unsigned char sha256[32]; /* of the bytes actually used */
    int overridden;   /* read from CLRS_KERNEL_DIR */
} clrs_kernel_source;
/* NULL if no such source. Thread-safe, loaded once per process. */
const clrs_kernel_source *clrs__kernel_source(const char *name);
/* The sources of program `program`, in build order (the table in
 * src/kernels.c: a program not listed is "common" + its own source):
 * their count, or -1 when a part is missing or there are more than max. */
#define CLRS_MAX_PARTS 8
int clrs__program_parts(const char *program, const clrs_kernel_source **parts, int max);
/* CLRS_OPENCL_BUILD_OPTIONS into buf ("" when unset or refused, with a
 * warning): read when a context is created, like the tuning values. */
#define CLRS_EXTRA_OPTIONS_MAX 4097
void clrs__extra_build_options(char *buf, size_t len);

/* ---- device choice (src/device.c) ------------------------------------ */
#define CLRS_DEVSPEC_MAX_TYPES 6
typedef struct clrs_devspec {
    int disabled;        /* "disabled" */
    char platform[128];  /* substring, "" = any */
    int ntypes;          /* 0 = any */
    char types[CLRS_DEVSPEC_MAX_TYPES][16]; /* "GPU","CPU","ACCELERATOR","DGPU","IGPU","ALL" */
    char name[128];      /* substring, "" = any */
    int index;           /* >= 0 when name is all digits */
} clrs_devspec;
int clrs__devspec_parse(const char *s, clrs_devspec *spec, char *err, size_t errlen);
int clrs__devspec_matches(const clrs_devspec *spec, const clrs_device_info *info);

typedef struct clrs_device_entry {
    cl_platform_id platform;
    cl_device_id device;
    clrs_device_info info;
    int score; /* automatic preference; < 0 = unusable */
} clrs_device_entry;
/* Enumerate every device. *no_platform set when there is no OpenCL platform. */
clrs_status clrs__enumerate(clrs_device_entry **list, size_t *count);
/* Fill info for one device. */
void clrs__describe_device(cl_platform_id p, cl_device_id d, clrs_device_info *info);

/* ---- context ---------------------------------------------------------- */
typedef struct clrs_program_entry clrs_program_entry;

struct clrs_context {
    cl_context cl;
    cl_device_id dev;
    cl_platform_id platform;
    cl_command_queue queue;
    clrs_device_info info;
    int is_cpu;
    int unified_memory;
    int fp64, fp16;
    size_t max_wg;
    size_t max_item[3]; /* CL_DEVICE_MAX_WORK_ITEM_SIZES (work-group extent per dimension) */
    cl_ulong max_alloc;
    char platform_version[128];
    char device_options[256]; /* -D options derived from device capabilities */
    pthread_mutex_t lock;     /* protects the program cache */
    pthread_cond_t built;
    clrs_program_entry *programs;
    unsigned quirks; /* CLRS_QUIRK_* of the device's platform (src/quirks.c) */
    int f16c;        /* the device's compiler has F16C: 0 not yet asked, 1 yes, -1 no (under lock) */
    clrs_tuning_state tune; /* every device-dependent value (src/tuning.c), resolved at creation */
    char extra_options[CLRS_EXTRA_OPTIONS_MAX]; /* CLRS_OPENCL_BUILD_OPTIONS at creation */
    int clblast_used; /* conv/clblast ran (CLBlast's caches hold programs of this context: cleared at release) */
};

/* ---- driver quirks (src/quirks.c) ------------------------------------- */
/* clBuildProgram calls one at a time, process-wide (Intel's CPU runtime
 * crashes in its compiler when threads build at once) */
#define CLRS_QUIRK_SERIAL_BUILD 1u
/* The quirks of a platform (a table keyed on its name); 0 for most. */
unsigned clrs__platform_quirks(cl_platform_id platform);
/* clBuildProgram for one device, serialised when quirks say so. */
cl_int clrs__build_program(unsigned quirks, cl_program p, cl_device_id dev, const char *options);
/* Hold (lock = 1) or release that serialisation around a library call that
 * may build programs itself (CLBlast); nothing without the quirk. */
void clrs__build_lock(unsigned quirks, int lock);
/* Whether the device's compiler has cl/half.cl's F16C conversions
 * (CLRS_F16C): asked once per context (cl/probe.cl, through the program
 * caches), then remembered. */
int clrs__device_has_f16c(clrs_context *ctx);

/* ---- program cache (src/program_cache.c) ----------------------------- */
/* A kernel object for (source, options, kernel name), building and caching
 * the program as needed. The caller owns the returned kernel. */
clrs_status clrs__get_kernel(clrs_context *ctx, const char *source, const char *options,
                             const char *kernel_name, cl_kernel *out);
void clrs__program_cache_release(clrs_context *ctx);

/* ---- on-disk binary cache (src/disk_cache.c) -------------------------- */
/* The trusted cache directory in force ("" when the cache is off). */
const char *clrs__binary_cache_dir(void);
/* The binary stored for `key` (malloc'ed, *len set) when an entry exists and
 * passes every check (owner, type, size, format, key, HMAC); else NULL. */
unsigned char *clrs__disk_cache_load(const char *key, size_t klen, size_t *len);
/* Best-effort store (no-op when off or read-only), then LRU eviction. */
void clrs__disk_cache_store(const char *key, size_t klen, const unsigned char *bin, size_t len);
/* A small file of the cache directory (tuning files): read only when it
 * passes the entries' checks (regular, ours, not g/o-writable, <= max
 * bytes), NUL-terminated, malloc'ed; written atomically (0600 temporary,
 * renamed). NULL / -1 with *why set (ENOENT's strerror when absent). */
char *clrs__cache_read_small(const char *name, size_t max, const char **why);
int clrs__cache_write_small(const char *name, const void *data, size_t len, const char **why);

/* ---- option strings (src/program_cache.c) ---------------------------- */
/* The one -D option builder: items of any length; more than CLRS_OPTS_MAX
 * items or no memory marks the set as overflowed, refused when joined, so
 * a truncated option set never builds a wrong kernel variant. */
#define CLRS_OPTS_MAX 96
typedef struct clrs_opts {
    int n;
    int overflow;
    char *items[CLRS_OPTS_MAX];
} clrs_opts;
void clrs__opts_init(clrs_opts *o);
/* Adds one define ("NAME=value", without -D). */
void clrs__opts_def(clrs_opts *o, const char *fmt, ...) CLRS_PRINTF(2, 3);
/* Frees the items (the join functions do it too). */
void clrs__opts_free(clrs_opts *o);
/* The canonical (sorted, de-duplicated) "-DA -DB ..." string, malloc'ed;
 * NULL (logged) when the set overflowed. Frees the items. */
char *clrs__opts_take(clrs_opts *o);
/* The same into buf: 0, or -1 when the set overflowed or buf is too small:
 * buf then holds CLRS_OPTS_OVERFLOW, which clrs__get_kernel refuses with
 * CLRS_ERR_INTERNAL. Frees the items. */
#define CLRS_OPTS_OVERFLOW "-DCLRS_OPTIONS_OVERFLOW"
int clrs__opts_string(clrs_opts *o, char *buf, size_t len);

/* ---- tensors and calls (src/tensor.c) --------------------------------- */
/* Checks rank, dtype, sizes, strides and the extent; `what` names the
 * tensor in messages ("input", "output"). Output tensors must not overlap
 * themselves. */
clrs_status clrs__check_desc(const clrs_context *ctx, const clrs_tensor_desc *d, const char *what,
                             int is_output);
/* The output of an operator: a valid output descriptor (clrs__check_desc),
 * of `rank` with sizes `want`, and of `dtype` (the input's). `op` prefixes
 * the messages ("max_pool2d: output sizes ..."); NULL for none. */
clrs_status clrs__check_output(const clrs_context *ctx, const char *op, const clrs_tensor_desc *out, int rank,
                               const int64_t *want, clrs_dtype dtype);
/* Backward calls (pixel_shuffle.c, unpool.c): the gradients' dtype must be a
 * floating one (f32, f64, f16, bf16), grad_input a valid output descriptor
 * and grad_output a valid input descriptor of the forward output's `rank`
 * and sizes `want` and of grad_input's dtype. A shape mismatch names both
 * shapes. `op` prefixes the messages ("max_unpool backward"). */
clrs_status clrs__check_grads(const clrs_context *ctx, const char *op, const clrs_tensor_desc *grad_out,
                              const clrs_tensor_desc *grad_in, int rank, const int64_t *want);
/* One past the largest element offset touched (offset + sum((size-1)*stride) + 1), 0 if empty. */
int64_t clrs__desc_extent(const clrs_tensor_desc *d);
int clrs__desc_same_sizes(const clrs_tensor_desc *d, const int64_t *sizes);
void clrs__format_sizes(char *buf, size_t len, int rank, const int64_t *sizes);

/* A tensor argument of an operator: its descriptor and buffer. */
typedef struct clrs_targ {
    clrs_tensor_desc desc;
    cl_mem mem;
    int is_output;
} clrs_targ;

/* An operator implementation: enqueue on q with the given waits/event. */
typedef clrs_status (*clrs_enqueue_fn)(clrs_context *ctx, const void *op, clrs_targ *t, int nt,
                                       cl_command_queue q, cl_uint nwait, const cl_event *wait,
                                       cl_event *ev);
/* Host-memory call: wraps host pointers as buffers (zero-copy where the
 * device shares host memory), runs fn, and makes the outputs visible. */
typedef struct clrs_host_tensor {
    const clrs_tensor_desc *desc;
    const void *data;
    int is_output;
} clrs_host_tensor;
clrs_status clrs__host_call(clrs_context *ctx, const void *op, const clrs_host_tensor *ht, int nt,
                            clrs_enqueue_fn fn);
/* cl_mem call: checks that the queue is usable and that outputs don't alias inputs. */
clrs_status clrs__cl_call(clrs_context *ctx, const void *op, clrs_targ *t, int nt,
                          cl_command_queue q, cl_uint nwait, const cl_event *wait, cl_event *ev,
                          clrs_enqueue_fn fn);
/* Check host or device ranges of outputs against every other tensor. */
clrs_status clrs__check_alias_host(const clrs_context *ctx, const clrs_host_tensor *ht, int nt);

/* Enqueue an NDRange of up to 3 dims; gsize is rounded up per device. */
clrs_status clrs__enqueue_kernel(clrs_context *ctx, cl_command_queue q, cl_kernel k, int dims,
                                 const size_t *gsize, cl_uint nwait, const cl_event *wait,
                                 cl_event *ev);
/* The same with an explicit work-group shape (lsize[dims], not NULL; each
 * global size is rounded up to a multiple of it: kernels must guard). */
clrs_status clrs__enqueue_kernel_local(clrs_context *ctx, cl_command_queue q, cl_kernel k, int dims,
                                       const size_t *gsize, const size_t *lsize, cl_uint nwait,
                                       const cl_event *wait, cl_event *ev);
/* Helpers that set a run of kernel arguments. */
clrs_status clrs__set_arg(clrs_context *ctx, cl_kernel k, cl_uint idx, size_t size, const void *val);
/* An event that completes at once after the wait list (for ops with nothing to do). */
clrs_status clrs__enqueue_marker(clrs_context *ctx, cl_command_queue q, cl_uint nwait,
                                 const cl_event *wait, cl_event *ev);
/* A read-only device buffer holding a copy of host data (released by caller). */
clrs_status clrs__make_buffer(clrs_context *ctx, const void *data, size_t bytes, cl_mem *out);

/* ---- shared parameter helpers (src/tensor.c) -------------------------- */
/* Expand a PyTorch-style list (n == 1 broadcasts, n == sp is per axis) of
 * length `sp`; n == 0 fills `dflt`. Error names `what`. */
clrs_status clrs__expand_list(const clrs_context *ctx, const char *what, int n, const int64_t *v,
                              int sp, int64_t dflt, int64_t *outv);

#endif /* CLRS_INTERNAL_H */
