/* SPDX-License-Identifier: MIT */
/*
 * clresample — PyTorch-exact resampling and pooling operators on OpenCL.
 *
 * Public C API. Everything here is plain C11; no OpenCL header is needed.
 * Functions that take or return OpenCL objects live in <clresample/cl_interop.h>.
 *
 * Conventions
 *  - Every function that can fail returns a clrs_status (0 = CLRS_OK, errors
 *    are negative). clrs_strerror() gives a fixed message for a code;
 *    clrs_last_error() gives the detail of the calling thread's last failure
 *    (the bad value, the OpenCL error, the build log).
 *  - Handles are opaque; release functions accept NULL. Handles carry no
 *    validity check: using a context after clrs_context_release() (or a
 *    pointer that never was a context) is undefined behaviour, as with free().
 *  - The library trusts descriptors: a descriptor's offset, sizes and strides
 *    must stay inside the caller's allocation (host pointer or cl_mem). The
 *    library checks what it can (overflow, negative strides, overlapping
 *    outputs, the cl_mem's size) but cannot know a host allocation's size.
 *  - Parameter structs start with `struct_size`; fill them with the matching
 *    *_init() function, then set the fields you need.
 *  - Tensors are described by clrs_tensor_desc: rank 3..5 laid out as
 *    (N, C, spatial...) like PyTorch, with element strides, so contiguous
 *    NCHW, channels-last and strided views are all described the same way.
 */
#ifndef CLRESAMPLE_H
#define CLRESAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "clresample/version.h"

#if defined(CLRS_BUILDING) && defined(CLRS_STATIC)
#error "Define either CLRS_BUILDING or CLRS_STATIC, not both."
#endif

#if defined(_WIN32)
#if defined(CLRS_BUILDING)
#define CLRS_API __declspec(dllexport)
#elif defined(CLRS_STATIC)
#define CLRS_API
#else
#define CLRS_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define CLRS_API __attribute__((visibility("default")))
#else
#define CLRS_API
#endif

#if defined(__GNUC__) || defined(__clang__)
#define CLRS_NODISCARD __attribute__((warn_unused_result))
#else
#define CLRS_NODISCARD
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                  */

/** Runtime version: MAJOR*10000 + MINOR*100 + PATCH (compare with CLRS_VERSION_NUMBER). */
CLRS_API unsigned clrs_version_number(void);
/** Runtime version string, e.g. "0.1.0". */
CLRS_API const char *clrs_version_string(void);

/* ------------------------------------------------------------------------ */
/* Status codes. Values are stable once released.                           */

#define CLRS_STATUS_MAP(X)                                                            \
    X(CLRS_OK, 0, "success")                                                          \
    X(CLRS_ERR_INVALID_ARG, -1, "invalid argument")                                   \
    X(CLRS_ERR_OUT_OF_HOST_MEMORY, -2, "out of host memory")                          \
    X(CLRS_ERR_NO_PLATFORM, -3,                                                       \
      "no OpenCL platform found: install an OpenCL driver, e.g. Debian's pocl-opencl-icd") \
    X(CLRS_ERR_DEVICE_NOT_FOUND, -4, "no OpenCL device matches the requested device")  \
    X(CLRS_ERR_UNSUPPORTED, -5, "not supported on this device or for this data type")  \
    X(CLRS_ERR_BUILD_FAILED, -6, "OpenCL program build failed")                        \
    X(CLRS_ERR_OUT_OF_DEVICE_MEMORY, -7, "out of device memory or resources")          \
    X(CLRS_ERR_OPENCL, -8, "OpenCL runtime error")                                     \
    X(CLRS_ERR_INTERNAL, -9, "internal error")                                         \
    X(CLRS_ERR_NOT_IMPLEMENTED, -10, "not implemented yet")                            \
    X(CLRS_ERR_BAD_SHAPE, -11, "invalid tensor shape or size")                         \
    X(CLRS_ERR_BAD_STRIDES, -12, "invalid strides or overflowing tensor extent")      \
    X(CLRS_ERR_ALIASING, -13, "input and output memory overlap")                      \
    X(CLRS_ERR_BAD_DTYPE, -14, "unsupported or mismatched data type")                 \
    X(CLRS_ERR_BAD_PARAM, -15, "invalid operator parameter")                          \
    X(CLRS_ERR_INDEX_OUT_OF_RANGE, -16, "index out of range")

typedef enum clrs_status {
#define CLRS_STATUS_ENUM_(name, value, msg) name = value,
    CLRS_STATUS_MAP(CLRS_STATUS_ENUM_)
#undef CLRS_STATUS_ENUM_
    CLRS_STATUS_MIN_ = -16
} clrs_status;

/** Fixed message for a status; never NULL ("unknown clresample status" for unknown codes). The
 *  string is static: it stays valid and unchanged for the life of the process. */
CLRS_API const char *clrs_strerror(clrs_status s);
/** Symbolic name of a status, e.g. "CLRS_ERR_INVALID_ARG"; never NULL. */
CLRS_API const char *clrs_status_name(clrs_status s);

/* ------------------------------------------------------------------------ */
/* Data types and tensor descriptors                                        */

typedef enum clrs_dtype {
    CLRS_DTYPE_INVALID = 0,
    CLRS_F32 = 1,  /* float32 */
    CLRS_F64 = 2,  /* float64, where the device reports fp64 */
    CLRS_F16 = 3,  /* IEEE half, stored as 16 bits, computed in float */
    CLRS_BF16 = 4, /* bfloat16, stored as 16 bits, computed in float */
    CLRS_U8 = 5,   /* uint8 */
    CLRS_U16 = 6,  /* uint16 (images) */
    CLRS_I64 = 7   /* int64 (indices) */
} clrs_dtype;

/** Size in bytes of one element (0 for an invalid dtype). */
CLRS_API size_t clrs_dtype_size(clrs_dtype dt);
/** Short name: "f32", "f64", "f16", "bf16", "u8", "u16", "i64"; "invalid" otherwise. */
CLRS_API const char *clrs_dtype_name(clrs_dtype dt);

#define CLRS_MAX_RANK 5

/**
 * A strided tensor of rank 3, 4 or 5: sizes are (N, C, [D,] [H,] W).
 * strides[] are in elements (not bytes) and must be >= 0; offset is the
 * element offset of element (0,...,0) from the data pointer or cl_mem start.
 */
typedef struct clrs_tensor_desc {
    clrs_dtype dtype;
    int rank;
    int64_t sizes[CLRS_MAX_RANK];
    int64_t strides[CLRS_MAX_RANK];
    int64_t offset;
} clrs_tensor_desc;

/** Fill a contiguous (N, C, spatial...) descriptor (NCL / NCHW / NCDHW). */
CLRS_API clrs_status clrs_tensor_desc_contiguous(clrs_tensor_desc *d, clrs_dtype dt, int rank,
                                                 const int64_t *sizes);
/** Fill a channels-last descriptor: logical sizes (N, C, spatial...), memory order (N, spatial..., C). */
CLRS_API clrs_status clrs_tensor_desc_channels_last(clrs_tensor_desc *d, clrs_dtype dt, int rank,
                                                    const int64_t *sizes);
/** Number of elements (product of sizes); 0 if any size is 0. */
CLRS_API int64_t clrs_tensor_desc_numel(const clrs_tensor_desc *d);

/* ------------------------------------------------------------------------ */
/* Context                                                                  */

typedef struct clrs_context clrs_context;

typedef struct clrs_context_options {
    size_t struct_size; /* sizeof(clrs_context_options) */
    /* Device request in CLRS_DEVICE syntax "<platform>:<type>:<name-or-index>".
     * NULL: use the CLRS_DEVICE environment variable, else choose automatically. */
    const char *device;
} clrs_context_options;

CLRS_API void clrs_context_options_init(clrs_context_options *o);

/** Create a context on the chosen device, with its own in-order command queue. */
CLRS_API CLRS_NODISCARD clrs_status clrs_context_create(clrs_context **out,
                                                        const clrs_context_options *opts);
/** Release a context (NULL is fine). Outstanding calls must have finished. */
CLRS_API void clrs_context_release(clrs_context *ctx);

/**
 * Detail of the calling thread's last failure on `ctx` (or, with ctx == NULL,
 * of the calling thread's last failure anywhere, e.g. in clrs_context_create).
 * Returns "" when there is none. Valid until the thread's next call.
 */
CLRS_API const char *clrs_last_error(const clrs_context *ctx);

/** What a device is and why it was (not) chosen. */
typedef struct clrs_device_info {
    char platform[128];
    char name[128];
    char vendor[128];
    char version[128];        /* CL_DEVICE_VERSION */
    char driver[64];          /* CL_DRIVER_VERSION */
    char type[16];            /* "dGPU", "iGPU", "CPU", "ACCELERATOR", "OTHER" */
    int platform_index;
    int device_index;         /* index within its platform */
    int available;            /* available and has a compiler */
    int fp64, fp16, images;   /* capabilities */
    uint64_t global_mem;      /* bytes */
    uint64_t max_alloc;       /* bytes */
    size_t max_work_group;
    int is_default;           /* what automatic choice (or CLRS_DEVICE) picks */
    char reason[160];         /* why it is (not) the default */
} clrs_device_info;

/** The device a context uses and the reason it was chosen. */
CLRS_API clrs_status clrs_context_device(const clrs_context *ctx, clrs_device_info *info);
/**
 * Every device of every platform; the default choice (honouring CLRS_DEVICE)
 * is marked. Free with clrs_device_list_free().
 */
CLRS_API clrs_status clrs_device_list(clrs_device_info **list, size_t *count);
CLRS_API void clrs_device_list_free(clrs_device_info *list);

/** Drop the context's in-memory program cache. */
CLRS_API clrs_status clrs_cache_clear(clrs_context *ctx);
/** The on-disk binary cache directory in force ("" when disabled). */
CLRS_API const char *clrs_cache_dir(void);

/** The on-disk binary cache (CLRS_CACHE_DIR; see docs/security.md for what it trusts). */
typedef struct clrs_cache_info {
    int enabled;            /**< 1 when binaries are read from and written to dir */
    int readonly;           /**< CLRS_CACHE_READONLY: read, never written */
    const char *dir;        /**< the directory ("" when off); static storage */
    const char *off_reason; /**< why it is off ("" when on); static storage */
    uint64_t entries;       /**< entries now in dir */
    uint64_t bytes;         /**< their total size */
    uint64_t max_bytes;     /**< the size cap (CLRS_CACHE_MAX_MB), least recently used evicted first */
} clrs_cache_info;
CLRS_API clrs_status clrs_cache_stats(clrs_cache_info *info);
/** Remove every entry of the on-disk cache (the per-user key stays). CLRS_ERR_UNSUPPORTED when
 *  the cache is off or read-only. `removed` (may be NULL) gets the count. */
CLRS_API clrs_status clrs_cache_clear_disk(uint64_t *removed);
/** Check every on-disk entry's owner, type, format and HMAC; bad ones are removed (unless
 *  read-only) and logged at warn. `good`/`bad` (may be NULL) get the counts. */
CLRS_API clrs_status clrs_cache_verify(uint64_t *good, uint64_t *bad);

/* Logging: by default nothing is printed except what CLRS_LOG enables. */
typedef enum clrs_log_level {
    CLRS_LOG_ERROR = 0,
    CLRS_LOG_WARN = 1,
    CLRS_LOG_INFO = 2,
    CLRS_LOG_DEBUG = 3
} clrs_log_level;
typedef void (*clrs_log_fn)(clrs_log_level level, const char *category, const char *msg, void *user);
/** Route log lines to `fn` instead of stderr (NULL restores stderr). */
CLRS_API void clrs_set_log_callback(clrs_log_fn fn, void *user);
/** Log every line up to `level` (error < warn < info < debug), overriding CLRS_LOG's level
 *  (its categories still apply). E.g. CLRS_LOG_INFO shows each kernel build and its time. */
CLRS_API void clrs_set_log_level(clrs_log_level level);
#define CLRS_HAVE_SET_LOG_LEVEL 1

/* ------------------------------------------------------------------------ */
/* Dispatch: which named implementation runs, and why                        */
/* Each operator family keeps an ordered list of named implementations
 * ("resample/vper", "pool/win", ...); a kernel launch runs the first whose
 * eligibility check accepts the call. CLRS_LOG=debug:dispatch logs every
 * decision; clrs_explain_begin() hands them to a callback instead. */
typedef void (*clrs_explain_fn)(void *user, const char *family, const char *impl, int chosen,
                                const char *reason);
/** Until clrs_explain_end(), every operator call made by this thread reports
 *  to `fn`, for each kernel launch, the implementations declined first
 *  (chosen 0, reason says why) and then the one chosen (chosen 1, reason
 *  NULL). With CLRS_EXPLAIN_DRY_RUN, operators validate, plan and choose as
 *  usual but build and launch no kernel and write no output. */
#define CLRS_EXPLAIN_DRY_RUN 1u
CLRS_API clrs_status clrs_explain_begin(clrs_explain_fn fn, void *user, unsigned flags);
CLRS_API void clrs_explain_end(void);
/** The k-th implementation over every family's list, in order (NULL past the
 *  end): its name, its family (may be NULL) and whether it gives the bits of
 *  its family's general entry (may be NULL). */
CLRS_API const char *clrs_impl_at(size_t k, const char **family, int *exact);

/* ------------------------------------------------------------------------ */
/* Tuning: the device-dependent values (work-group sizes, thresholds)        */
/* A context resolves them once at creation: built-in defaults, the tuning
 * table's entry for the device, a tuning file written by `clresample tune`
 * for this device and driver, then CLRS_TUNE_<NAME> variables. Tuning
 * changes speed only, never results. */
/** Number of tuning values; names by index with clrs_tuning_name(). */
CLRS_API int clrs_tuning_count(void);
/** Name (NULL past the end) and one-line description of value `i`. */
CLRS_API const char *clrs_tuning_name(int i);
CLRS_API const char *clrs_tuning_doc(int i);
/** The context's value of `name`, and where it came from ("default",
 *  "table <entry>", "file", "env CLRS_TUNE_<NAME>", "api"; source may be NULL). */
CLRS_API clrs_status clrs_tuning_get(const clrs_context *ctx, const char *name, int64_t *value,
                                     const char **source);
/** Override one value on this context (checked against its range); affects
 *  later calls. Not thread-safe against calls running on the context. */
CLRS_API clrs_status clrs_tuning_set(clrs_context *ctx, const char *name, int64_t value);
/** The matched table entry's id and note ("measured on ..." or "unmeasured ..."),
 *  and the tuning file loaded ("" for none). Any pointer may be NULL. */
CLRS_API clrs_status clrs_tuning_entry(const clrs_context *ctx, const char **entry, const char **note,
                                       const char **file);
/** Write the values set with clrs_tuning_set() (and those its tuning file
 *  held) as the tuning file of the context's device and driver in the cache
 *  directory (what `clresample tune` does at the end); the path written goes
 *  to `path` (may be NULL). */
CLRS_API clrs_status clrs_tuning_save(const clrs_context *ctx, char *path, size_t path_len);

/* ------------------------------------------------------------------------ */
/* Interpolation (torch.nn.functional.interpolate)                           */

typedef enum clrs_interp_mode {
    CLRS_INTERP_NEAREST = 0,
    CLRS_INTERP_NEAREST_EXACT = 1,
    CLRS_INTERP_LINEAR = 2,    /* 1-D (also accepted, per axis, on any rank) */
    CLRS_INTERP_BILINEAR = 3,  /* 2-D */
    CLRS_INTERP_TRILINEAR = 4, /* 3-D */
    CLRS_INTERP_BICUBIC = 5,
    CLRS_INTERP_AREA = 6,
    CLRS_INTERP_LANCZOS = 7
} clrs_interp_mode;

/** Parse PyTorch's mode name ("nearest", "nearest-exact", "bilinear", ...). */
CLRS_API clrs_status clrs_interp_mode_parse(const char *name, clrs_interp_mode *mode);
CLRS_API const char *clrs_interp_mode_name(clrs_interp_mode mode);

#define CLRS_UNSET (-1)

typedef struct clrs_interpolate_params {
    size_t struct_size; /* sizeof(clrs_interpolate_params) */
    clrs_interp_mode mode;
    /* Exactly one of size / scale: n_size (or n_scale) is 0 when not given,
     * 1 to broadcast one value to every spatial axis, or the spatial rank. */
    int n_size;
    int64_t size[3];
    int n_scale;
    double scale[3];
    int align_corners;          /* CLRS_UNSET (None), 0 or 1 */
    int recompute_scale_factor; /* CLRS_UNSET (None), 0 or 1 */
    int antialias;              /* 0 or 1 */
} clrs_interpolate_params;

CLRS_API void clrs_interpolate_params_init(clrs_interpolate_params *p);

/**
 * The output sizes (N, C, spatial...) that F.interpolate would produce, with
 * all of its argument checks. ctx may be NULL.
 */
CLRS_API clrs_status clrs_interpolate_output_shape(clrs_context *ctx, const clrs_tensor_desc *in,
                                                   const clrs_interpolate_params *p,
                                                   int64_t out_sizes[CLRS_MAX_RANK]);

/**
 * Host-memory call: blocking. `in`/`out` describe the tensors at in_data /
 * out_data; `out` must have the sizes clrs_interpolate_output_shape() gives
 * and the same dtype as `in`; the two may not overlap.
 */
CLRS_API clrs_status clrs_interpolate(clrs_context *ctx, const clrs_interpolate_params *p,
                                      const clrs_tensor_desc *in, const void *in_data,
                                      const clrs_tensor_desc *out, void *out_data);

/**
 * Batched variable-size resize (what data loaders need; NPP's and DALI's
 * batched resize): n images (tensors) of possibly different spatial sizes,
 * all resized to the one output size p->size, into one output batch.
 *
 * Image i (in[i], data at in_data[i]) is (B_i, C, spatial...) of the same
 * rank, channel count C and dtype as image 0 (else CLRS_ERR_BAD_SHAPE or
 * CLRS_ERR_BAD_DTYPE naming the image's index and value); it fills rows
 * [B_0 + ... + B_{i-1}, ... + B_i) of `out`, whose sizes are (sum of B_i, C,
 * p->size...) and dtype the images'. Any layouts and strides, the output's
 * too (NCHW, channels-last, ...). Every image gives the bits of
 * clrs_interpolate(ctx, p, &in[i], ...) into its rows: the same modes,
 * dtypes, align_corners and antialias, each image's scale derived from its
 * own size (F.interpolate with size=). p must give a size (n_size > 0;
 * a scale_factor is CLRS_ERR_BAD_PARAM: it would give different sizes);
 * one target size for the whole batch (for per-image sizes, call it once
 * per size). An argument error of one image is reported as
 * "resize_batch: image I: ..." with interpolate's message.
 * n == 0 is an empty batch: CLRS_OK, nothing is read (in, out may be NULL).
 * The launches of the images are enqueued one after the other with no
 * wait between them (implementation "resize_batch/per_image"). Blocking.
 */
CLRS_API clrs_status clrs_resize_batch(clrs_context *ctx, const clrs_interpolate_params *p, size_t n,
                                       const clrs_tensor_desc *in, const void *const *in_data,
                                       const clrs_tensor_desc *out, void *out_data);

/* ------------------------------------------------------------------------ */
/* Pooling (max, avg, LP, adaptive, fractional)                             */

typedef enum clrs_pool_kind {
    CLRS_POOL_MAX = 0,
    CLRS_POOL_AVG = 1,
    CLRS_POOL_LP = 2,
    CLRS_POOL_ADAPTIVE_AVG = 3,
    CLRS_POOL_ADAPTIVE_MAX = 4,
    CLRS_POOL_FRACTIONAL_MAX = 5
} clrs_pool_kind;

typedef struct clrs_pool_params {
    size_t struct_size; /* sizeof(clrs_pool_params) */
    clrs_pool_kind kind;
    /* List parameters: n_* is 0 (default), 1 (broadcast) or the spatial rank. */
    int n_kernel;
    int64_t kernel[3];
    int n_stride; /* 0: stride = kernel */
    int64_t stride[3];
    int n_padding; /* 0: padding 0 */
    int64_t padding[3];
    int n_dilation; /* 0: dilation 1 */
    int64_t dilation[3];
    int ceil_mode;
    int count_include_pad;    /* avg: default 1 */
    int64_t divisor_override; /* avg: 0 = none */
    double norm_type;         /* LP: p (INFINITY allowed) */
    /* adaptive / fractional output size; for adaptive, an entry of
     * CLRS_UNSET keeps the input size (PyTorch's None). */
    int n_output_size;
    int64_t output_size[3];
    int n_output_ratio; /* fractional: ratio in (0, 1) */
    double output_ratio[3];
    /* fractional: samples of shape (N, C, spatial rank) in [0, 1), dtype
     * f32 or f64, contiguous; NULL = draw them from `seed`. */
    const void *samples;
    clrs_dtype samples_dtype;
    uint64_t seed;
} clrs_pool_params;

CLRS_API void clrs_pool_params_init(clrs_pool_params *p, clrs_pool_kind kind);

/** Output sizes (N, C, spatial...) with PyTorch's shape rules and checks. ctx may be NULL. */
CLRS_API clrs_status clrs_pool_output_shape(clrs_context *ctx, const clrs_tensor_desc *in,
                                            const clrs_pool_params *p,
                                            int64_t out_sizes[CLRS_MAX_RANK]);

/**
 * Host-memory pooling call (blocking). `indices`/`idx_data` may be NULL; when
 * given (max, adaptive max, fractional max) they receive int64 flat per-plane
 * indices with the output's sizes.
 */
CLRS_API clrs_status clrs_pool(clrs_context *ctx, const clrs_pool_params *p,
                               const clrs_tensor_desc *in, const void *in_data,
                               const clrs_tensor_desc *out, void *out_data,
                               const clrs_tensor_desc *indices, void *idx_data);

/* ------------------------------------------------------------------------ */
/* Max unpooling                                                            */

typedef struct clrs_unpool_params {
    size_t struct_size; /* sizeof(clrs_unpool_params) */
    int n_kernel;
    int64_t kernel[3];
    int n_stride; /* 0: stride = kernel */
    int64_t stride[3];
    int n_padding;
    int64_t padding[3];
    int n_output_size; /* 0: default (in-1)*stride - 2*padding + kernel */
    int64_t output_size[3];
} clrs_unpool_params;

CLRS_API void clrs_unpool_params_init(clrs_unpool_params *p);
CLRS_API clrs_status clrs_max_unpool_output_shape(clrs_context *ctx, const clrs_tensor_desc *in,
                                                  const clrs_unpool_params *p,
                                                  int64_t out_sizes[CLRS_MAX_RANK]);
CLRS_API clrs_status clrs_max_unpool(clrs_context *ctx, const clrs_unpool_params *p,
                                     const clrs_tensor_desc *in, const void *in_data,
                                     const clrs_tensor_desc *indices, const void *idx_data,
                                     const clrs_tensor_desc *out, void *out_data);

/* ------------------------------------------------------------------------ */
/* Pixel shuffle / unshuffle (rank 4 only: N, C, H, W)                       */

CLRS_API clrs_status clrs_pixel_shuffle_output_shape(clrs_context *ctx, const clrs_tensor_desc *in,
                                                     int64_t factor, int inverse,
                                                     int64_t out_sizes[CLRS_MAX_RANK]);
CLRS_API clrs_status clrs_pixel_shuffle(clrs_context *ctx, int64_t factor, int inverse,
                                        const clrs_tensor_desc *in, const void *in_data,
                                        const clrs_tensor_desc *out, void *out_data);

/* ------------------------------------------------------------------------ */
/* Backward (input gradients, PyTorch autograd's semantics)                 */
/* Each call takes the forward's parameters, grad_output (the forward
 * output's sizes, else CLRS_ERR_BAD_SHAPE naming both shapes) and writes
 * grad_input (the forward input's sizes); both any layout or strided view,
 * of one floating dtype (f32, f64, f16, bf16; else CLRS_ERR_BAD_DTYPE).
 * Deterministic by construction: every grad_input element is computed by
 * one work-item that gathers its contributions in a fixed order (no
 * atomics, no scatter), so a call gives the same bits on every run, for
 * every work-group size and tuning value, and for every layout. Both ops
 * below are permutations / gathers of grad_output: bit-exact with
 * PyTorch. */

/**
 * Gradient of clrs_pool for max pooling (CLRS_POOL_MAX, 1-D to 3-D, every
 * kernel / stride / padding / dilation / ceil_mode) and adaptive max
 * pooling (CLRS_POOL_ADAPTIVE_MAX): grad_in[n, c, i] = the sum of
 * grad_out[n, c, o] over the outputs o whose index is i, added in
 * increasing o (torch's CPU order: f32 and f64 are PyTorch's bits; f16 and
 * bf16 accumulate in float and round once). `in` is the forward input's
 * descriptor (grad_in has its sizes and dtype). `indices` / `idx_data`:
 * the forward's int64 indices (the output's sizes, any layout), or both
 * NULL to recompute them with the forward (its tie and NaN rules), which
 * then needs in_data (else in_data may be NULL). An index outside the
 * input plane is CLRS_ERR_INDEX_OUT_OF_RANGE; one outside its window is
 * accepted (as torch's scatter does) on a slower path with the same bits.
 * Average pooling (CLRS_POOL_AVG: padding, ceil_mode, count_include_pad,
 * divisor_override) and adaptive average pooling (CLRS_POOL_ADAPTIVE_AVG):
 * grad_in[n, c, i] = the sum of grad_out[n, c, o] / divisor(o) over the
 * outputs o whose window covers i, in increasing o, each divided as torch's
 * CPU loop does (avg: by the forward's divisor; adaptive: by the window's
 * length along D, H, W in turn, or once by the plane's size to an
 * all-ones output, the gradient of PyTorch's input.mean() there): f32 and f64 are PyTorch's bits. They take
 * no indices (CLRS_ERR_INVALID_ARG) and read no input data (in_data may
 * be NULL). Fractional max pooling (CLRS_POOL_FRACTIONAL_MAX) as max
 * pooling: the forward's indices, or recomputed from in_data with p's
 * samples (or seed), the forward's windows. LP pooling (CLRS_POOL_LP)
 * needs in_data (CLRS_ERR_INVALID_ARG without) and takes no indices.
 * Finite norm_type: torch's autograd of its composition (sign(s) *
 * relu(|s|) * K) ** (1/p), s = avg_pool(x ** p), step by step; where a
 * window's sum is 0 its gradient is 0, NaN / inf appear where torch's do;
 * within about 1e-6 (f32) / 4e-15 (f64) of the gradient's scale of
 * PyTorch's (the device's pow is not glibc's); f16 / bf16 computed in
 * float with the 16-bit range at each of torch's steps and rounded once:
 * within 8 epsilons of the gradient's scale of PyTorch's (which rounds
 * every step to 16 bits; more where a signed window's sum cancels, where
 * PyTorch's own 16-bit result is inaccurate). norm_type = +inf / -inf:
 * torch's max_pool(|x|) / -max_pool(-|x|) differentiated: the max pooling
 * gradient at the argmax of |x| (of -|x|; the forward's tie and NaN
 * rules) times sign(x) (0 at +-0 and NaN; with -inf a zero sum is -0):
 * f32 / f64 PyTorch's bits, f16 / bf16 as max pooling's. The results
 * never depend on which implementation runs (families "pool_backward",
 * "pool_backward_avg"; CLRS_DISABLE_IMPLS): disjoint windows and
 * overlapping average windows have faster ones with the general ones'
 * bits.
 */
CLRS_API clrs_status clrs_pool_backward(clrs_context *ctx, const clrs_pool_params *p,
                                        const clrs_tensor_desc *in, const void *in_data,
                                        const clrs_tensor_desc *indices, const void *idx_data,
                                        const clrs_tensor_desc *grad_out, const void *go_data,
                                        const clrs_tensor_desc *grad_in, void *gi_data);

/**
 * Gradient of clrs_pixel_shuffle(factor, inverse): grad_input is the
 * inverse permutation of grad_output (pixel_unshuffle of grad_output for
 * the shuffle, pixel_shuffle for the unshuffle). grad_in has the forward
 * input's sizes (rank 4), grad_out the forward output's.
 */
CLRS_API clrs_status clrs_pixel_shuffle_backward(clrs_context *ctx, int64_t factor, int inverse,
                                                 const clrs_tensor_desc *grad_out, const void *go_data,
                                                 const clrs_tensor_desc *grad_in, void *gi_data);

/**
 * Gradient of clrs_max_unpool with the same params and indices:
 * grad_in[n, c, j] = grad_out[n, c, indices[n, c, j]] (a gather; every
 * input whose index repeats receives that gradient, as torch's autograd
 * gives). grad_in and indices (i64) have the forward input's sizes, which
 * define the forward's output sizes with p. An index outside the output
 * plane is CLRS_ERR_INDEX_OUT_OF_RANGE with the forward's message (also
 * for an empty output plane, as torch's gather fails there).
 */
CLRS_API clrs_status clrs_max_unpool_backward(clrs_context *ctx, const clrs_unpool_params *p,
                                              const clrs_tensor_desc *indices, const void *idx_data,
                                              const clrs_tensor_desc *grad_out, const void *go_data,
                                              const clrs_tensor_desc *grad_in, void *gi_data);

/**
 * Gradient of clrs_interpolate with the same params (every mode: nearest,
 * nearest-exact, linear / bilinear / trilinear, bicubic, area, antialias
 * bilinear / bicubic / lanczos; 1-D to 3-D; align_corners, size or
 * scale_factor, recompute_scale_factor). `in` is the forward input's
 * descriptor (only its sizes and dtype: interpolate is linear, no input
 * data); grad_out has the sizes clrs_interpolate_output_shape() gives
 * (else CLRS_ERR_BAD_SHAPE naming both shapes), grad_in the input's sizes
 * and dtype (f32, f64, f16, bf16; uint8 has no gradient:
 * CLRS_ERR_BAD_DTYPE). grad_in[i] = sum of w(o, i) * grad_out[o] over the
 * outputs o whose taps read i (the forward's weights; clamped edge taps
 * count at the clamped index; nearest modes use torch's backward index
 * rule), added in increasing o with the arithmetic of torch's CPU backward
 * kernels (linear modes and antialias: acc = fma(wD*wH*wW, g, acc);
 * bicubic: acc + (g*wH)*wW), in float for f32/f16/bf16 (16-bit types
 * rounded once) and double for f64; 'area' is adaptive average pooling's
 * gradient (clrs_pool_backward), to an all-ones output torch's mean's (g /
 * N). Deterministic (the same bits on every run and layout). Measured
 * against torch 2.15's CPU autograd (tests/golden/backward_interp.txt, 398
 * cases): f32 and f64 bit-exact in every mode but lanczos f32 (within
 * 2.3e-7 of max|grad_in|: torch's sinf; the tests allow 1e-6); f16 / bf16
 * within 0.0062 of max|grad_in| (torch rounds some sums to 16 bits; the
 * tests allow 4 epsilons).
 */
CLRS_API clrs_status clrs_interpolate_backward(clrs_context *ctx, const clrs_interpolate_params *p,
                                               const clrs_tensor_desc *in,
                                               const clrs_tensor_desc *grad_out, const void *go_data,
                                               const clrs_tensor_desc *grad_in, void *gi_data);

/* ------------------------------------------------------------------------ */
/* Grid sampling (torch.nn.functional.grid_sample, affine_grid)              */
/* 4-D: input (N, C, H, W), grid (N, Ho, Wo, 2) -> output (N, C, Ho, Wo);
 * 5-D: input (N, C, D, H, W), grid (N, Do, Ho, Wo, 3) -> (N, C, Do, Ho, Wo).
 * grid[..., 0] is x (width), [..., 1] y (height), [..., 2] z (depth), in
 * [-1, 1] (values outside are padded as padding_mode says; NaN and
 * infinities behave as in PyTorch's CPU kernels). The grid has the input's
 * dtype (f32, f64 where the device has fp64, f16, bf16) and any strides; it
 * is described as a rank 4/5 clrs_tensor_desc with sizes (N, Ho, Wo, 2) /
 * (N, Do, Ho, Wo, 3). */

typedef enum clrs_grid_mode {
    CLRS_GRID_BILINEAR = 0, /* trilinear for 5-D */
    CLRS_GRID_NEAREST = 1,
    CLRS_GRID_BICUBIC = 2   /* A = -0.75; tricubic for 5-D (as torch >= 2.15 on CPU) */
} clrs_grid_mode;

typedef enum clrs_grid_padding {
    CLRS_GRID_PAD_ZEROS = 0,
    CLRS_GRID_PAD_BORDER = 1,
    CLRS_GRID_PAD_REFLECTION = 2
} clrs_grid_padding;

/** Parse / name PyTorch's mode ("bilinear", "nearest", "bicubic") and padding_mode
 *  ("zeros", "border", "reflection") strings. */
CLRS_API clrs_status clrs_grid_mode_parse(const char *name, clrs_grid_mode *mode);
CLRS_API const char *clrs_grid_mode_name(clrs_grid_mode mode);
CLRS_API clrs_status clrs_grid_padding_parse(const char *name, clrs_grid_padding *padding);
CLRS_API const char *clrs_grid_padding_name(clrs_grid_padding padding);

typedef struct clrs_grid_sample_params {
    size_t struct_size; /* sizeof(clrs_grid_sample_params) */
    clrs_grid_mode mode;
    clrs_grid_padding padding_mode;
    int align_corners; /* 0 or 1 */
} clrs_grid_sample_params;

/** Bilinear, zeros, align_corners 0 (F.grid_sample's defaults). */
CLRS_API void clrs_grid_sample_params_init(clrs_grid_sample_params *p);

/** Output sizes (N, C, [Do,] Ho, Wo) with F.grid_sample's checks. ctx may be NULL. */
CLRS_API clrs_status clrs_grid_sample_output_shape(clrs_context *ctx, const clrs_tensor_desc *in,
                                                   const clrs_tensor_desc *grid,
                                                   int64_t out_sizes[CLRS_MAX_RANK]);
/** Host-memory call (blocking); `out` has the sizes above and the input's dtype. */
CLRS_API clrs_status clrs_grid_sample(clrs_context *ctx, const clrs_grid_sample_params *p,
                                      const clrs_tensor_desc *in, const void *in_data,
                                      const clrs_tensor_desc *grid, const void *grid_data,
                                      const clrs_tensor_desc *out, void *out_data);

/**
 * F.affine_grid: theta (N, 2, 3) with rank 4 and size = (N, C, H, W) gives a
 * grid (N, H, W, 2); theta (N, 3, 4) with rank 5 and size = (N, C, D, H, W)
 * gives (N, D, H, W, 3). `grid` has theta's dtype (f32, f64, f16, bf16).
 */
CLRS_API clrs_status clrs_affine_grid(clrs_context *ctx, const clrs_tensor_desc *theta,
                                      const void *theta_data, int rank, const int64_t *size,
                                      int align_corners, const clrs_tensor_desc *grid,
                                      void *grid_data);

/* ------------------------------------------------------------------------ */
/* Convolution (torch.nn.functional.conv1d/2d/3d, conv_transpose1d/2d/3d)   */
/* input (N, C_in, *spatial) of rank 3, 4 or 5 (the rank gives the spatial
 * rank, as for pooling); conv weight (C_out, C_in/groups, k...) and
 * conv_transpose weight (C_in, C_out/groups, k...), both of the input's
 * rank and dtype; optional bias: a rank-1 descriptor of C_out elements (any
 * stride), the input's dtype. f32, f64 (where the device has fp64), f16 and
 * bf16 (stored as such, accumulated in float); any strides and offsets.
 * Each output element is a direct sum over (c_in of its group, k_d, k_h,
 * k_w) in that order, in float (double for f64), with the bias added last:
 * deterministic, no atomics. README "Convolution" has the tolerances. */

typedef enum clrs_conv_padding_mode {
    CLRS_CONV_PAD_ZEROS = 0,
    CLRS_CONV_PAD_REFLECT = 1,
    CLRS_CONV_PAD_REPLICATE = 2,
    CLRS_CONV_PAD_CIRCULAR = 3
} clrs_conv_padding_mode;

/* clrs_conv_params.padding_kind: PyTorch's int padding or its strings */
typedef enum clrs_conv_padding_kind {
    CLRS_CONV_PADDING_EXPLICIT = 0, /* padding[] */
    CLRS_CONV_PADDING_SAME = 1,     /* 'same' (stride 1 only; odd totals pad one more on the right) */
    CLRS_CONV_PADDING_VALID = 2     /* 'valid': no padding */
} clrs_conv_padding_kind;

/** Parse / name nn.Conv*d's padding_mode ("zeros", "reflect", "replicate", "circular"). */
CLRS_API clrs_status clrs_conv_padding_mode_parse(const char *name, clrs_conv_padding_mode *mode);
CLRS_API const char *clrs_conv_padding_mode_name(clrs_conv_padding_mode mode);

typedef struct clrs_conv_params {
    size_t struct_size; /* sizeof(clrs_conv_params) */
    /* List parameters: n_* is 0 (default), 1 (broadcast) or the spatial rank. */
    int n_stride;
    int64_t stride[3]; /* default 1 */
    int n_padding;
    int64_t padding[3]; /* default 0; used when padding_kind is EXPLICIT */
    int n_dilation;
    int64_t dilation[3]; /* default 1 */
    int n_output_padding;
    int64_t output_padding[3]; /* conv_transpose only; default 0 */
    int64_t groups;            /* default 1 */
    clrs_conv_padding_kind padding_kind;  /* conv only */
    clrs_conv_padding_mode padding_mode;  /* conv only (nn.Conv*d's); conv_transpose: zeros */
} clrs_conv_params;

/** Stride 1, padding 0, dilation 1, groups 1, zeros (F.conv*d's defaults). */
CLRS_API void clrs_conv_params_init(clrs_conv_params *p);

/** Output sizes (N, C_out, spatial...) with PyTorch's checks. ctx may be NULL. */
CLRS_API clrs_status clrs_conv_output_shape(clrs_context *ctx, const clrs_conv_params *p,
                                            const clrs_tensor_desc *in, const clrs_tensor_desc *weight,
                                            int64_t out_sizes[CLRS_MAX_RANK]);
/** Host-memory call (blocking). bias / bias_data may be NULL (no bias). */
CLRS_API clrs_status clrs_conv(clrs_context *ctx, const clrs_conv_params *p, const clrs_tensor_desc *in,
                               const void *in_data, const clrs_tensor_desc *weight, const void *w_data,
                               const clrs_tensor_desc *bias, const void *bias_data,
                               const clrs_tensor_desc *out, void *out_data);

/** F.conv_transpose*d: out = (in - 1)*stride - 2*padding + dilation*(k - 1)
 *  + output_padding + 1 per axis; output_padding < stride or < dilation. */
CLRS_API clrs_status clrs_conv_transpose_output_shape(clrs_context *ctx, const clrs_conv_params *p,
                                                      const clrs_tensor_desc *in,
                                                      const clrs_tensor_desc *weight,
                                                      int64_t out_sizes[CLRS_MAX_RANK]);
CLRS_API clrs_status clrs_conv_transpose(clrs_context *ctx, const clrs_conv_params *p,
                                         const clrs_tensor_desc *in, const void *in_data,
                                         const clrs_tensor_desc *weight, const void *w_data,
                                         const clrs_tensor_desc *bias, const void *bias_data,
                                         const clrs_tensor_desc *out, void *out_data);

#ifdef __cplusplus
}
#endif

#endif /* CLRESAMPLE_H */
