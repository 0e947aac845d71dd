/* SPDX-License-Identifier: MIT */
/* `clresample onnx OPTYPE INPUT... -o OUTPUT... [--ATTRIBUTE VALUE ...]`:
 * the shared part (tools/onnx_cli.c: argument parsing, attribute access,
 * layouts, output writing) and the per-op handlers (tools/onnx_ops_*.c).
 *
 * A handler reads its inputs from c->in[] (already loaded, ONNX's input
 * order; c->given[k] is 0 for an omitted optional input, "" on the command
 * line), its attributes through onnx_attr_*() (every attribute the command
 * line gave must be read by the handler, else it is reported as unknown),
 * runs the library through onnx_ctx(), and fills c->out[k] (contiguous
 * npy arrays, ONNX's shape and dtype) for k < c->nout. The shared part then
 * writes every output atomically. Handlers return RC_OK, RC_FAIL (runtime
 * or data error: exit 1) or RC_USAGE (bad attribute or combination: exit 2),
 * having printed one "clresample: error: ..." line through onnx_error(). */
#ifndef CLRS_ONNX_CLI_H
#define CLRS_ONNX_CLI_H
#include <stdint.h>

#include <clresample.h>

#include "npy.h"

#define ONNX_MAX_IO 8
#define ONNX_MAX_ATTR 32
#define ONNX_MAX_LIST 16

enum { ONNX_RC_OK = 0, ONNX_RC_FAIL = 1, ONNX_RC_USAGE = 2 };

/* How the data tensors are laid out in memory when the library runs
 * (--layout): the files are the same either way. */
typedef enum onnx_layout {
    ONNX_LAYOUT_NCHW = 0,    /* contiguous, ONNX's own order (default) */
    ONNX_LAYOUT_NHWC = 1,    /* channels-last: axis 1 has stride 1 */
    ONNX_LAYOUT_STRIDED = 2, /* a non-contiguous view: every axis' stride doubled, offset 3 */
} onnx_layout;

typedef struct onnx_attr {
    const char *name;  /* without the leading "--" */
    const char *value;
    int used;
} onnx_attr;

typedef struct onnx_call {
    const char *op; /* OPTYPE as given (ONNX's spelling) */
    int opset;      /* --opset N, or the newest implemented */
    int nin;        /* inputs given (positionally), omitted ones included */
    const char *in_path[ONNX_MAX_IO];
    int given[ONNX_MAX_IO];    /* 0: omitted ("") or not given at all */
    npy_array in[ONNX_MAX_IO]; /* loaded when given */
    int nout;                  /* outputs requested with -o */
    const char *out_path[ONNX_MAX_IO];
    npy_array out[ONNX_MAX_IO]; /* filled by the handler */
    int nattr;
    onnx_attr attr[ONNX_MAX_ATTR];
    onnx_layout layout;
    const char *device; /* --device */
    clrs_context *ctx;  /* created by onnx_ctx() on first use */
} onnx_call;

/* One "clresample: error: onnx OPTYPE: ..." line on stderr. */
void onnx_error(const onnx_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report a library failure (its message); returns ONNX_RC_USAGE for
 * CLRS_ERR_BAD_PARAM / BAD_SHAPE / INVALID_ARG / BAD_DTYPE, else ONNX_RC_FAIL. */
int onnx_lib_fail(onnx_call *c, clrs_status st);
/* The context (--device), created on first use; NULL after printing an error. */
clrs_context *onnx_ctx(onnx_call *c);

/* Attributes: each returns ONNX_RC_OK (and *v = def when absent) or
 * ONNX_RC_USAGE after printing an error naming the attribute and value. */
int onnx_attr_int(onnx_call *c, const char *name, int64_t def, int64_t *v);
int onnx_attr_float(onnx_call *c, const char *name, double def, double *v);
int onnx_attr_str(onnx_call *c, const char *name, const char *def, const char **v);
/* A comma-separated list; *n = -1 when absent. */
int onnx_attr_ints(onnx_call *c, const char *name, int64_t *v, int max, int *n);
int onnx_attr_floats(onnx_call *c, const char *name, double *v, int max, int *n);
/* Was the attribute given? (Does not mark it used.) */
int onnx_attr_has(const onnx_call *c, const char *name);

/* An optional 1-D tensor input that may come as input k (a .npy of any
 * int or float dtype) or as the list option --NAME: *n = -1 when neither
 * is given; both given is a usage error. */
int onnx_input_ints(onnx_call *c, int k, const char *name, int64_t *v, int max, int *n);
int onnx_input_floats(onnx_call *c, int k, const char *name, double *v, int max, int *n);

/* Data tensors in the chosen layout. onnx_data_in: a descriptor + buffer
 * (free with free()) of input k reshaped to `rank` dims `shape` (same
 * element count; pass NULL to keep the file's shape; rank 3..5), laid out
 * per c->layout. onnx_data_out_alloc: a zeroed buffer for an output of
 * `shape` in that layout; onnx_data_out_finish copies it into c->out[k]
 * (shape `file_shape` of `file_rank` dims, contiguous) and frees buf. */
int onnx_data_in(onnx_call *c, int k, int rank, const int64_t *shape, clrs_tensor_desc *d, void **buf);
int onnx_data_out_alloc(onnx_call *c, clrs_dtype dt, int rank, const int64_t *shape, clrs_tensor_desc *d,
                        void **buf);
int onnx_data_out_finish(onnx_call *c, int k, const clrs_tensor_desc *d, void *buf, int file_rank,
                         const int64_t *file_shape);
/* A contiguous output k of any rank 0..8 (e.g. AffineGrid's grid): an
 * owned, zeroed npy array the handler fills. */
int onnx_out_plain(onnx_call *c, int k, clrs_dtype dt, int rank, const int64_t *shape);

typedef int (*onnx_op_fn)(onnx_call *c);
typedef struct onnx_op_def {
    const char *name;  /* ONNX op type */
    onnx_op_fn fn;
    int min_in, max_in;   /* inputs */
    int min_out, max_out; /* outputs */
    int opset_min, opset_max; /* the opsets implemented (the newest is the default) */
    const char *attrs; /* the attributes it reads, comma-separated (for --help) */
} onnx_op_def;

/* Handlers, one file per family: tools/onnx_ops_resize.c (Resize,
 * Upsample), tools/onnx_ops_pool.c (MaxPool, AveragePool, LpPool,
 * GlobalAveragePool, GlobalMaxPool, GlobalLpPool, MaxUnpool, DepthToSpace,
 * SpaceToDepth), tools/onnx_ops_grid.c (GridSample, AffineGrid),
 * tools/onnx_ops_conv.c (Conv, ConvTranspose). */
extern const onnx_op_def onnx_ops_resize[];
extern const onnx_op_def onnx_ops_pool[];
extern const onnx_op_def onnx_ops_grid[];
extern const onnx_op_def onnx_ops_conv[];

/* tools/clresample.c: do two paths name the same file (same inode, or for
 * files not there yet the same resolved directory and name)? */
int cli_same_file(const char *a, int a_output, const char *b, int b_output);

/* Entry from main(): argv[0] is "onnx". */
int onnx_main(int argc, char **argv);
#endif
