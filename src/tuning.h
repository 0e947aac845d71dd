/* SPDX-License-Identifier: MIT */
/* The tuning table: every device-dependent number in one place (CLBlast's
 * database, lite). A context resolves its values once, at creation, from
 *   1. the built-in defaults (the "default" column below),
 *   2. the first entry of the table in src/tuning.c that matches the device
 *      (type, platform, vendor, name),
 *   3. a tuning file written by `clresample tune` for this exact device and
 *      driver (in the kernel cache directory),
 *   4. CLRS_TUNE_<NAME> environment variables (upper-case field names),
 *   5. clrs_tuning_set() on the context (tests, the tuner),
 * and remembers where each value came from (`clresample info` prints it).
 *
 * Tuning only ever changes speed: every implementation a value can select
 * gives results the tests compare with the others. Values that shape a
 * kernel reach it only through -D options, so they are part of the
 * program-cache key. */
#ifndef CLRS_TUNING_H
#define CLRS_TUNING_H

#include <stddef.h>
#include <stdint.h>

/* X(name, cpu default, gpu default, min, max, what it does)
 * "default" values are used when no table entry matches; the table's
 * entries override some of them. */
#define CLRS_TUNING_LAUNCH(X)                                                                          \
    X(lx, 16, 64, 1, 1024, "work-group size of plain 1-D launches (power of two)")                     \
    X(serial_build, 0, 0, 0, 1, "1: one clBuildProgram at a time, process-wide (a driver quirk)")

#define CLRS_TUNING_RESAMPLE(X)                                                                        \
    X(rs_lx, 256, 64, 1, 1024, "resampling engine: work-group size along the row (power of two)")      \
    X(rs_rows_cap, 1024, 256, 1, 4096, "resampling engine: items per group when rows join a group")    \
    X(rs_per_rows_cap, 1024, 64, 1, 4096, "periodic resampling: items per group when rows join")       \
    X(rs_per, 1, 1, 0, 1, "periodic resampling forms allowed (vper, per + per_edge)")                  \
    X(rs_vper, 1, 0, 0, 2, "explicit-vector CPU forms (vper, vnear, ctaps): 0 off, 1 where fast, 2 also f16 without F16C") \
    X(rs_per_min_taps, 8, 8, 1, 4096, "periodic form pays with at least this many taps per output")    \
    X(rs_per_min_row, 512, 512, 1, INT64_MAX, "... or with rows of at least this many outputs")        \
    X(rs_per_max_sums, 128, 128, 1, 1024, "taps unrolled per work-item at most (periods x channels x taps)") \
    X(rs_edgev_min_sums, 32, 32, 1, 4096, "vector edges when an end has at least this many taps")      \
    X(rs_single_pass_taps, 64, 64, 1, 4096, "one pass when all axes' taps multiply to at most this")    \
    X(rs_two_pass_min_growth, 8, INT64_MAX, 1, INT64_MAX,                                              \
      "... unless the axes after the first grow the data at least this many times: a pass per axis") \
    X(rs_rows_block, 16, 0, 0, 4096, "resample/rows: output rows per work-item (0: off)")

#define CLRS_TUNING_POOL(X)                                                                            \
    X(pool_wg, 16, 256, 1, 1024, "global pooling: work-group size (power of two)")                     \
    X(pool_vw, 16, 16, 1, 16, "window pooling: outputs per work-item at most (1, 8 or 16)")            \
    X(conv_dw_vw, 16, 16, 1, 16, "depthwise window conv: outputs per work-item along W at most (1, 8 or 16)") \
    X(conv_dw_max_taps, 64, 64, 1, 256, "depthwise window conv: specialised builds up to this many taps") \
    X(conv_dw_min_output, 4096, 4096, 1, INT64_MAX, "depthwise window conv: specialised builds from this many outputs") \
    X(conv_dw_group, 64, 64, 1, 1024, "depthwise window conv: work-group items when a row has few vectors") \
    X(conv_dw_px, 8, 1, 1, 64, "depthwise window conv, channels-last: output pixels per work-item") \
    X(pool_global_min_plane, 4096, 4096, 1, INT64_MAX, "global pooling by group reduction from this plane size") \
    X(pool_full_min_output, 4096, 4096, 1, INT64_MAX, "specialised window builds from this many outputs") \
    X(pool_win_max_taps, 64, 64, 1, 256, "specialised window builds up to this many taps")             \
    X(pool_aavg_row_min_input, 262144, 262144, 1, INT64_MAX, "adaptive avg by rows from this input size") \
    X(pool_win_group, 64, 64, 1, 1024, "window pooling: work-group items when a row has few vectors")  \
    X(pool_aavg_vectors, 4, 4, 1, 4, "channels-last adaptive avg: channel vectors per work-item at most") \
    X(ibw_vw, 16, 4, 1, 16, "interpolate backward: cvec channels / wflat W elements per work-item (4, 8 or 16; below 4 off)") \
    X(ibw_vectors, 4, 1, 1, 4, "interpolate backward (interp_backward/cvec): channel vectors per work-item at most (channels-last)") \
    X(unpool_gather_max_planes, 16, INT64_MAX, 0, INT64_MAX, "max_unpool gathers below this many planes, else scatters") \
    X(gs_chunk, 16, 0, 0, 4096, "grid_sample on planar (not channels-last) data: channels per work-item (0: all, grid_sample/general)")

/* dense convolution through CLBlast (conv/clblast, src/ops/conv_clblast.c) */
#define CLRS_TUNING_CONV(X)                                                                            \
    X(conv_gemm, 1, 1, 0, 1, "conv/clblast allowed on this device (0: never, e.g. a runtime CLBlast fails on)") \
    X(conv_gemm_min_k, 4, 16, 0, INT64_MAX, "conv/clblast from this GEMM depth C_in*k (k: the kernel's taps)") \
    X(conv_gemm_min_macs, 262144, 1048576, 0, INT64_MAX, "... and from this many multiply-adds (N*C_out*outputs*C_in*k)") \
    X(conv_gemm_col_mb, 64, 256, 1, 65536, "conv/clblast: im2col buffer per chunk of images, MiB (conv_transpose/clblast: its columns)") \
    X(conv_transpose_gemm_min_macs, 262144, 1048576, 0, INT64_MAX, "conv_transpose/clblast from this many multiply-adds (N*C_in*C_out/g*k*inputs)")

#define CLRS_TUNING_FIELDS(X) CLRS_TUNING_LAUNCH(X) CLRS_TUNING_RESAMPLE(X) CLRS_TUNING_POOL(X) CLRS_TUNING_CONV(X)

#define CLRS_TUNING_MEMBER_(n, c, g, lo, hi, doc) int64_t n;
#define CLRS_TUNING_COUNT_(n, c, g, lo, hi, doc) +1
typedef struct clrs_tuning {
    CLRS_TUNING_FIELDS(CLRS_TUNING_MEMBER_)
} clrs_tuning;
#define CLRS_TUNING_NFIELDS (0 CLRS_TUNING_FIELDS(CLRS_TUNING_COUNT_))

/* Where a context's values came from: the entry's id, each value's source. */
typedef struct clrs_tuning_state {
    clrs_tuning v;
    char entry[48];                        /* id of the matched table entry, or "default-cpu" / "default-gpu" */
    char entry_note[256];                  /* the entry's "measured on" or "unmeasured: ..." note */
    char file[600];                        /* the tuning file loaded, "" for none */
    char src[CLRS_TUNING_NFIELDS][48];     /* "default", "table", "file", "env CLRS_TUNE_X", "api" */
} clrs_tuning_state;

struct clrs_context;
/* Resolve ctx->tune (defaults, table, file, environment); logs warnings
 * for ignored files or values; never fails. */
void clrs__tuning_resolve(struct clrs_context *ctx);
/* The table's quirks for a platform before a context exists (smoke build). */
int clrs__tuning_serial_build(const char *platform_name, const char *device_name);
/* Field lookup: index of `name` or -1. */
int clrs__tuning_index(const char *name);
/* The path of the tuning file of this context's device/driver (in the
 * cache directory); 0 on success, -1 when the cache is off. */
int clrs__tuning_file_path(const struct clrs_context *ctx, char *buf, size_t len);

#endif /* CLRS_TUNING_H */
