/* SPDX-License-Identifier: MIT */
/*
 * npy.h — a small, defensive reader and atomic writer for NumPy .npy files.
 *
 * Supported: format versions 1.0, 2.0 and 3.0; C-order (fortran_order False)
 * little-endian arrays of dtype <f4, <f8, <f2, |u1 (or <u1), <u2 and <i8, with
 * 0..NPY_MAX_NDIM dimensions. Everything else (big-endian, Fortran order,
 * structured or other dtypes, object arrays) is rejected with a message.
 *
 * The reader never trusts the file: the header dict is parsed as a Python
 * literal (keys in any order, spaces, trailing commas), every size is checked
 * for overflow, and the data length must match the header exactly, before any
 * allocation of the data buffer.
 *
 * Error messages are one line, without a trailing newline, and start with the
 * file name (or the `name` given to npy_parse). Nothing here prints.
 */
#ifndef CLRS_TOOLS_NPY_H
#define CLRS_TOOLS_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "clresample.h" /* clrs_dtype */

#ifdef __cplusplus
extern "C" {
#endif

#define NPY_MAX_NDIM 8

typedef struct npy_array {
    clrs_dtype dtype; /* <f4→CLRS_F32, <f8→CLRS_F64, <f2→CLRS_F16, |u1 (or <u1)→CLRS_U8,
                         <u2→CLRS_U16, <i8→CLRS_I64 */
    int ndim;         /* 0..NPY_MAX_NDIM */
    int64_t shape[NPY_MAX_NDIM];
    void *data; /* C-order, malloc'ed (non-NULL even when empty) */
    size_t nbytes;
} npy_array;

/*
 * Parses a complete .npy image held in memory. `out` is treated as
 * uninitialised: on success it receives a fresh copy of the data (free it with
 * npy_free); on failure it is zeroed (npy_free on it is harmless).
 * `name` prefixes error messages (NULL gives "<buffer>").
 * Returns 0 on success; -1 on error with a one-line message in err (err may be
 * NULL or errlen 0 to discard it; long messages are truncated).
 */
int npy_parse(const void *buf, size_t len, const char *name, npy_array *out, char *err,
              size_t errlen);

/*
 * Reads a .npy file. Only regular files are accepted (directories, FIFOs and
 * devices are refused without blocking). The file size is checked against the
 * header before the data buffer is allocated. Same `out`/error contract as
 * npy_parse; messages are prefixed with `path`.
 */
int npy_read(const char *path, npy_array *out, char *err, size_t errlen);

/*
 * Memory budget for npy_read_limited, checked against the header before the
 * data buffer is allocated (0 = no limit):
 *  - max_bytes: the data size the header declares (product(shape) * itemsize);
 *  - max_pixels: the spatial element count, i.e. the product of the dims
 *    after (N, C) — or between N and C when channels_last — for ndim >= 3,
 *    and the element count for ndim < 3.
 * A file over either limit is refused with a message naming the shape, the
 * value and the budget (and the CLI option that sets it).
 */
typedef struct npy_limits {
    uint64_t max_bytes;
    uint64_t max_pixels;
    int channels_last;
} npy_limits;

/* npy_read with a budget (`lim` NULL: none). */
int npy_read_limited(const char *path, const npy_limits *lim, npy_array *out, char *err,
                     size_t errlen);

/*
 * Writes `arr` as a .npy (same bytes as npy_write_atomic) to the open file
 * descriptor `fd`; `name` prefixes messages. Used with atomicfile.h when the
 * caller manages the output file itself. Returns 0, or -1 with err set.
 */
int npy_write_fd(int fd, const char *name, const npy_array *arr, char *err, size_t errlen);

/*
 * Writes `arr` to `path` through atomicfile.h: a device, FIFO or "-"
 * (stdout) is written directly; otherwise atomically: the bytes go to a new temporary file in
 * the same directory, which is fsync'ed and then rename()d over `path` (the
 * directory is fsync'ed afterwards, best effort). On any failure the temporary
 * is removed and an existing `path` is left untouched.
 * Always writes format 1.0 (2.0 if the header would not fit), with the header
 * padded so that the data starts at a multiple of 64 bytes, fortran_order
 * False and the dtype strings listed above (byte-identical to numpy.save).
 * `arr` must be consistent: supported dtype, 0 <= ndim <= NPY_MAX_NDIM,
 * non-negative shape, nbytes == product(shape) * element size, and data
 * non-NULL when nbytes > 0. A new file's mode is 0666 & ~umask; a replaced
 * file keeps its mode.
 */
int npy_write_atomic(const char *path, const npy_array *arr, char *err, size_t errlen);

/* Frees arr->data and zeroes *arr. NULL-safe and idempotent. */
void npy_free(npy_array *arr);

#ifdef __cplusplus
}
#endif

#endif /* CLRS_TOOLS_NPY_H */
