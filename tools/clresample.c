/* SPDX-License-Identifier: MIT */
/*
 * clresample — command-line front end of the clresample library.
 *
 * Reads NumPy .npy arrays, runs one operator through the library's
 * host-memory API and writes the result atomically (tools/npy.c); `resize`
 * does the same for PNG/PPM/PGM images (tools/image.c). Options
 * follow PyTorch's names and semantics; see `clresample --help`.
 *
 * Exit status: 0 success, 1 bad data or runtime error, 2 usage error. Every
 * failure prints exactly one line "clresample: error: ..." on stderr and
 * nothing else; an existing OUT is never touched by a failed run.
 *
 * Layout of this file: the option table (OPTS), the subcommand table (CMDS)
 * with the options each subcommand accepts, the shared parsing helpers, and
 * one generic driver (run_op) for every operator subcommand.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* realpath() */
#endif
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "config.h" /* CLRS_CLBLAST_VERSION: what configure found */
#include "clresample.h"
#include "atomicfile.h"
#include "onnx_cli.h"
#include "image.h"
#include "bench.h"
#include "npy.h"

#define PROG "clresample"

enum { RC_OK = 0, RC_FAIL = 1, RC_USAGE = 2 };

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(a, b) __attribute__((format(printf, a, b)))
#else
#define PRINTF_LIKE(a, b)
#endif

_Static_assert(sizeof(long long) == sizeof(int64_t), "long long must be 64-bit");

/* ------------------------------------------------------------------------ */
/* Options                                                                  */

typedef enum opt_id {
    O_MODE,
    O_SIZE,
    O_SCALE,
    O_RATIO,
    O_ALIGN_CORNERS,
    O_ANTIALIAS,
    O_RECOMPUTE_SCALE_FACTOR,
    O_NORM_TYPE,
    O_KERNEL,
    O_STRIDE,
    O_PADDING,
    O_DILATION,
    O_CEIL_MODE,
    O_NO_COUNT_INCLUDE_PAD,
    O_DIVISOR_OVERRIDE,
    O_FACTOR,
    O_SAMPLES,
    O_SEED,
    O_INDICES,
    O_DEVICE,
    O_CHANNELS_LAST,
    O_MAX_PIXELS, /* memory budget of every array or image read or allocated */
    O_MAX_BYTES,
    O_IMG_SIZE,  /* resize's --size WxH */
    O_IMG_SCALE, /* resize's --scale F */
    O_EXPLAIN,   /* print the implementation each kernel launch ran */
    O_GRID_MODE,    /* grid-sample's --mode */
    O_PADDING_MODE, /* grid-sample's --padding-mode */
    O_BW_INDICES,   /* backward's --indices: the forward's indices, read */
    O_BIAS,           /* conv's --bias B (.npy, 1-D) */
    O_CONV_PADDING,   /* conv's --padding P|same|valid */
    O_CONV_PMODE,     /* conv's --padding-mode */
    O_GROUPS,         /* conv's --groups */
    O_OUTPUT_PADDING, /* conv-transpose's --output-padding */
    O_OUT_DIR,      /* resize-batch's --out-dir */
    O_COUNT
} opt_id;

typedef enum opt_type {
    T_FLAG,     /* no value */
    T_STR,      /* non-empty string (a path, a device spec) */
    T_MODE,     /* interpolation mode name */
    T_INT,      /* one int64 */
    T_INT_NZ,   /* one non-zero int64 */
    T_U64,      /* one uint64 */
    T_REAL_INF, /* one double, +-inf allowed, NaN not */
    T_INTS,     /* comma-separated int64 list */
    T_REALS,    /* comma-separated list of finite doubles */
    T_WXH,      /* image size "WxH": i[0] = W, i[1] = H, both positive */
    T_REAL_POS, /* one finite double > 0 */
    T_GMODE,    /* grid_sample mode name */
    T_GPAD      /* grid_sample padding_mode name */
} opt_type;

typedef struct opt_def {
    const char *name; /* without the leading "--" */
    opt_type type;
    const char *metavar; /* NULL for flags */
} opt_def;

static const opt_def OPTS[O_COUNT] = {
    [O_MODE] = {"mode", T_MODE, "MODE"},
    [O_SIZE] = {"size", T_INTS, "S"},
    [O_SCALE] = {"scale", T_REALS, "F"},
    [O_RATIO] = {"ratio", T_REALS, "R"},
    [O_ALIGN_CORNERS] = {"align-corners", T_FLAG, NULL},
    [O_ANTIALIAS] = {"antialias", T_FLAG, NULL},
    [O_RECOMPUTE_SCALE_FACTOR] = {"recompute-scale-factor", T_FLAG, NULL},
    [O_NORM_TYPE] = {"norm-type", T_REAL_INF, "P"},
    [O_KERNEL] = {"kernel", T_INTS, "K"},
    [O_STRIDE] = {"stride", T_INTS, "S"},
    [O_PADDING] = {"padding", T_INTS, "P"},
    [O_DILATION] = {"dilation", T_INTS, "D"},
    [O_CEIL_MODE] = {"ceil-mode", T_FLAG, NULL},
    [O_NO_COUNT_INCLUDE_PAD] = {"no-count-include-pad", T_FLAG, NULL},
    [O_DIVISOR_OVERRIDE] = {"divisor-override", T_INT_NZ, "N"},
    [O_FACTOR] = {"factor", T_INT, "R"},
    [O_SAMPLES] = {"samples", T_STR, "SAMPLES_IN"},
    [O_SEED] = {"seed", T_U64, "N"},
    [O_INDICES] = {"indices", T_STR, "IDX_OUT"},
    [O_DEVICE] = {"device", T_STR, "SPEC"},
    [O_CHANNELS_LAST] = {"channels-last", T_FLAG, NULL},
    [O_MAX_PIXELS] = {"max-pixels", T_U64, "N"},
    [O_MAX_BYTES] = {"max-bytes", T_U64, "N"},
    /* Same names as --size / --scale: the subcommand decides which applies. */
    [O_IMG_SIZE] = {"size", T_WXH, "WxH"},
    [O_IMG_SCALE] = {"scale", T_REAL_POS, "F"},
    [O_EXPLAIN] = {"explain", T_FLAG, NULL},
    [O_GRID_MODE] = {"mode", T_GMODE, "MODE"},
    [O_PADDING_MODE] = {"padding-mode", T_GPAD, "P"},
    [O_BW_INDICES] = {"indices", T_STR, "IDX"},
    [O_BIAS] = {"bias", T_STR, "B"},
    [O_CONV_PADDING] = {"padding", T_STR, "P"},
    [O_CONV_PMODE] = {"padding-mode", T_STR, "M"},
    [O_GROUPS] = {"groups", T_INT, "G"},
    [O_OUTPUT_PADDING] = {"output-padding", T_INTS, "P"},
    [O_OUT_DIR] = {"out-dir", T_STR, "DIR"},
};

/* Most list values: one per spatial dim (3); --size of max-unpool may also
 * give the full (N, C, spatial...) size like PyTorch's output_size. */
#define MAX_LIST 5

/* How a subcommand uses an option. */
enum {
    F_REQ = 1u,     /* required */
    F_ONEOF = 2u,   /* exactly one of the subcommand's F_ONEOF options is required */
    F_NONE_OK = 4u, /* list entries may be "none" (PyTorch's None: keep the input size) */
    F_FULL = 8u,    /* list may also hold rank values (N, C, spatial...); N, C are ignored */
    /* Value ranges that hold whatever the input: outside them is a usage error
     * (exit 2) found before any file is read. Ranges that depend on the input's
     * shape are the library's to check (exit 1). */
    F_POS = 16u,    /* every value > 0 */
    F_NONNEG = 32u, /* every value >= 0 */
    F_NONZERO = 64u /* the value is not 0 */
};

typedef struct cmd_opt {
    opt_id id;
    unsigned flags;
    const char *help; /* NULL ends a list */
} cmd_opt;
/* clang-format off */
#define OPTS_END {O_COUNT, 0, NULL}
/* clang-format on */

/* ------------------------------------------------------------------------ */
/* Subcommands                                                              */

typedef enum op_kind { K_NONE, K_INTERP, K_POOL, K_UNPOOL, K_SHUFFLE, K_IMAGE, K_GRID, K_AFFINE, K_CONV } op_kind;

struct args;
typedef struct cmd_def {
    const char *name;
    const char *pos[5]; /* positional argument names, NULL-terminated */
    op_kind kind;
    int sub;                          /* clrs_pool_kind, or `inverse` for K_SHUFFLE */
    int (*run)(const struct args *a); /* NULL: the generic operator driver (run_op) */
    const char *summary;
    cmd_opt opts[8]; /* ended by OPTS_END */
} cmd_def;

static int run_devices(const struct args *a);
static int run_info(const struct args *a);
static int run_resize(const struct args *a);
static int run_resize_batch(const struct args *a);
static int run_grid(const struct args *a);
static int run_conv(const struct args *a);

#define KERNEL_HELP "kernel size"
#define STRIDE_HELP "stride (default: the kernel size)"
#define ANTIALIAS_HELP                                                                      \
    "antialias=True: anti-aliased downsampling for linear/bilinear/trilinear and bicubic; " \
    "lanczos requires it"
#define INDICES_HELP "also write the argmax indices (int64, flat per plane) to IDX_OUT"

/* clang-format off */
static const cmd_def CMDS[] = {
    {"devices", {NULL}, K_NONE, 0, run_devices,
     "list OpenCL devices, marking the default choice",
     {OPTS_END}},
    {"info", {NULL}, K_NONE, 0, run_info,
     "show version, chosen device, cache and environment",
     {{O_DEVICE, 0, "device to report on (CLRS_DEVICE syntax)"},
      OPTS_END}},
    {"interpolate", {"IN", "OUT", NULL}, K_INTERP, 0, NULL,
     "resize (torch.nn.functional.interpolate)",
     {{O_MODE, F_REQ, "nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area or "
                      "lanczos (lanczos requires --antialias)"},
      {O_SIZE, F_ONEOF | F_NONNEG, "output spatial size in PyTorch order, HEIGHT FIRST: H,W for "
                                   "2-D, D,H,W for 3-D (resize --size is WxH instead)"},
      {O_SCALE, F_ONEOF | F_POS, "scale factor (> 0), in the same H,W order as --size"},
      {O_ALIGN_CORNERS, 0, "align_corners=True (default None; linear modes and bicubic)"},
      {O_ANTIALIAS, 0, ANTIALIAS_HELP},
      {O_RECOMPUTE_SCALE_FACTOR, 0, "recompute_scale_factor=True (default None)"},
      OPTS_END}},
    {"resize", {"IN", "OUT", NULL}, K_IMAGE, 0, run_resize,
     "resize a PNG, PPM or PGM image (F.interpolate)",
     {{O_IMG_SIZE, F_ONEOF, "output size, WIDTH FIRST like image tools: 640x480; 640x or x480 "
                            "gives one side and keeps the aspect ratio (the other side is "
                            "round(other * given / this), at least 1)"},
      {O_IMG_SCALE, F_ONEOF, "scale both sides by F: floor(F * size), as F.interpolate"},
      {O_MODE, 0, "nearest, nearest-exact, bilinear (default), bicubic, area or lanczos "
                  "(lanczos requires --antialias)"},
      {O_ANTIALIAS, 0, ANTIALIAS_HELP},
      {O_ALIGN_CORNERS, 0, "align_corners=True (default None)"},
      {O_DEVICE, 0, "OpenCL device, same syntax as CLRS_DEVICE"},
      OPTS_END}},
    {"resize-batch", {"IN...", NULL}, K_IMAGE, 0, run_resize_batch,
     "resize several images to one size in one batched call (clrs_resize_batch)",
     {{O_IMG_SIZE, F_REQ, "output size of every image, WIDTH FIRST: 224x224 (both sides)"},
      {O_OUT_DIR, F_REQ, "existing directory for the outputs: each IN is written to DIR with "
                         "its own file name (the input format's extension added when the name "
                         "has none of .png, .ppm, .pgm)"},
      {O_MODE, 0, "nearest, nearest-exact, bilinear (default), bicubic, area or lanczos "
                  "(lanczos requires --antialias)"},
      {O_ANTIALIAS, 0, ANTIALIAS_HELP},
      {O_ALIGN_CORNERS, 0, "align_corners=True (default None)"},
      {O_DEVICE, 0, "OpenCL device, same syntax as CLRS_DEVICE"},
      OPTS_END}},
    {"max-pool", {"IN", "OUT", NULL}, K_POOL, CLRS_POOL_MAX, NULL,
     "max pooling (F.max_pool1d/2d/3d)",
     {{O_KERNEL, F_REQ | F_POS, KERNEL_HELP},
      {O_STRIDE, F_POS, STRIDE_HELP},
      {O_PADDING, F_NONNEG, "implicit -inf padding on both sides (default 0)"},
      {O_DILATION, F_POS, "dilation (default 1)"},
      {O_CEIL_MODE, 0, "ceil_mode=True"},
      {O_INDICES, 0, INDICES_HELP},
      OPTS_END}},
    {"avg-pool", {"IN", "OUT", NULL}, K_POOL, CLRS_POOL_AVG, NULL,
     "average pooling (F.avg_pool1d/2d/3d)",
     {{O_KERNEL, F_REQ | F_POS, KERNEL_HELP},
      {O_STRIDE, F_POS, STRIDE_HELP},
      {O_PADDING, F_NONNEG, "implicit zero padding on both sides (default 0)"},
      {O_CEIL_MODE, 0, "ceil_mode=True"},
      {O_NO_COUNT_INCLUDE_PAD, 0, "count_include_pad=False"},
      {O_DIVISOR_OVERRIDE, 0, "divide by N instead of the window size (2-D and 3-D)"},
      OPTS_END}},
    {"lp-pool", {"IN", "OUT", NULL}, K_POOL, CLRS_POOL_LP, NULL,
     "power-average pooling (F.lp_pool1d/2d/3d)",
     {{O_NORM_TYPE, F_REQ | F_NONZERO, "the power p, not 0 (inf gives max pooling)"},
      {O_KERNEL, F_REQ | F_POS, KERNEL_HELP},
      {O_STRIDE, F_POS, STRIDE_HELP},
      {O_CEIL_MODE, 0, "ceil_mode=True"},
      OPTS_END}},
    {"adaptive-avg-pool", {"IN", "OUT", NULL}, K_POOL, CLRS_POOL_ADAPTIVE_AVG, NULL,
     "adaptive avg pooling (F.adaptive_avg_pool1d/2d/3d)",
     {{O_SIZE, F_REQ | F_NONE_OK, "output size; 'none' keeps that input dim"},
      OPTS_END}},
    {"adaptive-max-pool", {"IN", "OUT", NULL}, K_POOL, CLRS_POOL_ADAPTIVE_MAX, NULL,
     "adaptive max pooling (F.adaptive_max_pool1d/2d/3d)",
     {{O_SIZE, F_REQ | F_NONE_OK, "output size; 'none' keeps that input dim"},
      {O_INDICES, 0, INDICES_HELP},
      OPTS_END}},
    {"fractional-max-pool", {"IN", "OUT", NULL}, K_POOL, CLRS_POOL_FRACTIONAL_MAX, NULL,
     "fractional max pooling (F.fractional_max_pool2d/3d)",
     {{O_KERNEL, F_REQ | F_POS, KERNEL_HELP},
      {O_SIZE, F_ONEOF, "output size"},
      {O_RATIO, F_ONEOF | F_POS, "output size as a ratio of the input size, in (0, 1)"},
      {O_SAMPLES, 0, "random samples .npy of shape (N, C, spatial rank), f32 or f64, in [0, 1)"},
      {O_INDICES, 0, INDICES_HELP},
      {O_SEED, 0, "seed for the samples when --samples is not given"},
      OPTS_END}},
    {"max-unpool", {"IN", "INDICES", "OUT", NULL}, K_UNPOOL, 0, NULL,
     "inverse of max-pool (F.max_unpool1d/2d/3d)",
     {{O_KERNEL, F_REQ | F_POS, "kernel size of the max-pool"},
      {O_STRIDE, F_POS, "stride of the max-pool (default: the kernel size)"},
      {O_PADDING, F_NONNEG, "padding of the max-pool (default 0)"},
      {O_SIZE, F_FULL, "output spatial size (default (in-1)*stride - 2*padding + kernel)"},
      OPTS_END}},
    {"pixel-shuffle", {"IN", "OUT", NULL}, K_SHUFFLE, 0, NULL,
     "depth to space (F.pixel_shuffle)",
     {{O_FACTOR, F_REQ | F_POS, "upscale factor"},
      OPTS_END}},
    {"pixel-unshuffle", {"IN", "OUT", NULL}, K_SHUFFLE, 1, NULL,
     "space to depth (F.pixel_unshuffle)",
     {{O_FACTOR, F_REQ | F_POS, "downscale factor"},
      OPTS_END}},
    {"grid-sample", {"IN", "GRID", "OUT", NULL}, K_GRID, 0, run_grid,
     "sample at grid locations (F.grid_sample)",
     {{O_GRID_MODE, 0, "bilinear (default; trilinear on 5-D), nearest or bicubic"},
      {O_PADDING_MODE, 0, "values outside the input: zeros (default), border or reflection"},
      {O_ALIGN_CORNERS, 0, "align_corners=True: -1 and 1 are the corner pixels' centres "
                           "(default False: their outer edges)"},
      OPTS_END}},
    {"affine-grid", {"THETA", "OUT", NULL}, K_AFFINE, 1, run_grid,
     "sampling grid of affine transforms (F.affine_grid)",
     {{O_SIZE, F_REQ | F_FULL | F_POS, "output size N,C,H,W (2-D) or N,C,D,H,W (3-D)"},
      {O_ALIGN_CORNERS, 0, "align_corners=True (default False)"},
      {O_DEVICE, 0, "OpenCL device, same syntax as CLRS_DEVICE"},
      OPTS_END}},
    {"conv", {"IN", "WEIGHT", "OUT", NULL}, K_CONV, 0, run_conv,
     "convolution (F.conv1d/2d/3d, nn.Conv*d's padding_mode)",
     {{O_BIAS, 0, "bias .npy, 1-D (C_out), IN's dtype (default: none)"},
      {O_STRIDE, F_POS, "stride (default 1)"},
      {O_CONV_PADDING, 0, "padding on both sides (default 0), or same (stride 1 only; an odd total "
                          "pads one more on the right) or valid (none)"},
      {O_DILATION, F_POS, "dilation (default 1)"},
      {O_GROUPS, F_POS, "groups (default 1): C_in and C_out divisible by it"},
      {O_CONV_PMODE, 0, "what the padding holds: zeros (default), reflect, replicate or circular"},
      OPTS_END}},
    {"conv-transpose", {"IN", "WEIGHT", "OUT", NULL}, K_CONV, 1, run_conv,
     "transposed convolution (F.conv_transpose1d/2d/3d)",
     {{O_BIAS, 0, "bias .npy, 1-D (C_out), IN's dtype (default: none)"},
      {O_STRIDE, F_POS, "stride (default 1)"},
      {O_PADDING, F_NONNEG, "dilation*(kernel-1) - padding zeros added to both sides of the input "
                            "(default 0)"},
      {O_OUTPUT_PADDING, F_NONNEG, "extra size on one side of the output (default 0; less than "
                                   "the stride or the dilation)"},
      {O_DILATION, F_POS, "dilation (default 1)"},
      {O_GROUPS, F_POS, "groups (default 1): C_in and C_out divisible by it"},
      OPTS_END}},
};
/* clang-format on */
#define NCMDS (sizeof CMDS / sizeof CMDS[0])

/* `backward OP`'s entry, made from OP's by backward_cmd(). */
static cmd_def bw_cmd;
#define IS_BACKWARD(c) ((c) == &bw_cmd)

/* Options every operator subcommand accepts, after its own. */
static const cmd_opt OP_COMMON_OPTS[] = {
    {O_DEVICE, 0, "OpenCL device, same syntax as CLRS_DEVICE"},
    {O_CHANNELS_LAST, 0, "IN and OUT hold (N, spatial..., C) data"},
    OPTS_END,
};

/* Default memory budget: a 16-bit RGBA 16384x16384 image (2^28 pixels,
 * 2 GiB) passes; a decompression bomb or a sparse .npy past it does not. */
#define DEFAULT_MAX_PIXELS ((uint64_t)1 << 28)
#define DEFAULT_MAX_BYTES ((uint64_t)1 << 32)

/* Budget options of every subcommand that reads or writes files, last. */
static const cmd_opt BUDGET_OPTS[] = {
    {O_MAX_PIXELS, 0,
     "refuse any input or output array or image of more than N pixels (spatial elements per "
     "plane; default 268435456 = 2^28; 0: no limit)"},
    {O_MAX_BYTES, 0,
     "refuse any input or output array or image of more than N bytes, checked before "
     "allocating (default 4294967296 = 4 GiB; 0: no limit)"},
    OPTS_END,
};

/* Every subcommand that runs an operator, after the common options. */
static const cmd_opt EXPLAIN_OPTS[] = {
    {O_EXPLAIN, 0,
     "run as usual and print to stderr, for each kernel launch, the implementation that ran "
     "('clresample: impl: FAMILY/NAME') and why each one listed before it declined "
     "('clresample: declined: NAME: REASON')"},
    OPTS_END,
};

/* The i-th option a subcommand accepts (its own, then the common ones), or NULL. */
static const cmd_opt *cmd_opt_at(const cmd_def *c, int i)
{
    int n = 0;
    while (c->opts[n].help) n++;
    if (i < n) return &c->opts[i];
    if (c->kind == K_NONE) return NULL;
    i -= n;
    if (c->kind != K_IMAGE && c->kind != K_AFFINE) {
        for (n = 0; OP_COMMON_OPTS[n].help; n++) continue;
        if (i < n) return &OP_COMMON_OPTS[i];
        i -= n;
    }
    for (n = 0; EXPLAIN_OPTS[n].help; n++) continue;
    if (i < n) return &EXPLAIN_OPTS[i];
    i -= n;
    return BUDGET_OPTS[i].help ? &BUDGET_OPTS[i] : NULL;
}

static const cmd_opt *cmd_find_opt(const cmd_def *c, opt_id id)
{
    const cmd_opt *o;
    for (int i = 0; (o = cmd_opt_at(c, i)) != NULL; i++)
        if (o->id == id) return o;
    return NULL;
}

static int cmd_npos(const cmd_def *c)
{
    int n = 0;
    while (c->pos[n]) n++;
    return n;
}

/* ------------------------------------------------------------------------ */
/* Parsed arguments                                                         */

typedef struct optval {
    int given;
    const char *str; /* the raw value */
    int n;           /* list length */
    int64_t i[MAX_LIST];
    double d[MAX_LIST];
    uint64_t u;
} optval;

typedef struct args {
    const cmd_def *cmd;
    const char *pos[4];
    int npos;
    /* a subcommand whose last positional name ends in "..." (resize-batch's
     * IN...): all the words it took, pos[last] being the first */
    const char **rest;
    int nrest;
    optval v[O_COUNT];
} args;

static const char *opt_str(const args *a, opt_id id)
{
    return a->v[id].given ? a->v[id].str : NULL;
}

/* ------------------------------------------------------------------------ */
/* Messages                                                                 */

/* Print "clresample: error: MSG" as exactly one line: control characters
 * (newlines of a build log, say) are folded into single spaces. */
static void errorf(const char *fmt, ...) PRINTF_LIKE(1, 2);
static void errorf(const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        msg[0] = '\0';
    else if ((size_t)n >= sizeof msg)
        memcpy(msg + sizeof msg - 4, "...", 4);
    char *w = msg;
    int pending_space = 0;
    for (const char *r = msg; *r; r++) {
        unsigned char ch = (unsigned char)*r;
        if (ch < 0x20 || ch == 0x7f) {
            pending_space = 1;
            continue;
        }
        if (pending_space && w != msg && w[-1] != ' ') *w++ = ' ';
        pending_space = 0;
        *w++ = (char)ch;
    }
    while (w != msg && w[-1] == ' ') w--;
    *w = '\0';
    fflush(stdout);
    fprintf(stderr, "%s: error: %s\n", PROG, msg);
}

/* Report a library failure of `op`; ctx may be NULL (thread's last error). */
static int lib_error(const char *op, const clrs_context *ctx, clrs_status st)
{
    if (st == CLRS_ERR_NOT_IMPLEMENTED) {
        errorf("%s: not implemented yet", op);
        return RC_FAIL;
    }
    const char *detail = clrs_last_error(ctx);
    if (detail && *detail && st == CLRS_ERR_NO_PLATFORM)
        errorf("%s: %s", op, detail); /* the detail says it all; the fixed message would repeat it */
    else if (detail && *detail)
        errorf("%s: %s: %s", op, clrs_strerror(st), detail);
    else
        errorf("%s: %s", op, clrs_strerror(st));
    return RC_FAIL;
}

/* "(1, 3, 4, 4)" */
static const char *fmt_shape(char *buf, size_t len, int ndim, const int64_t *shape)
{
    size_t o = 0;
    buf[0] = '\0';
    o += (size_t)snprintf(buf + o, len - o, "(");
    for (int k = 0; k < ndim && o < len; k++)
        o += (size_t)snprintf(buf + o, len - o, "%s%lld", k ? ", " : "", (long long)shape[k]);
    if (o < len) snprintf(buf + o, len - o, ndim == 1 ? ",)" : ")");
    return buf;
}

/* ------------------------------------------------------------------------ */
/* Progress: -v/--verbose, and the compile notice on a terminal             */

/* The CLI's log callback sees the library's lines. It prints:
 *  - with CLRS_LOG set: every line it gets, as the library would itself
 *    (CLRS_LOG decides which; the CLI does not change the level);
 *  - with -v: warnings, errors, info lines, and each program build with its
 *    duration, plus the CLI's own lines (device, time of each step);
 *  - on a terminal without -v: once, that kernels are being compiled for this
 *    device, then how long it took (the first run on a device, or after the
 *    binary cache was cleared, spends seconds there).
 * Without -v, CLRS_LOG or a terminal no callback is installed: stderr stays
 * empty on success, one line on failure. */
static struct progress {
    int verbose;         /* -v */
    int notice;          /* stderr is a terminal (and no -v) */
    int user_log;        /* CLRS_LOG is set */
    char device[256];    /* for the notice */
    const char *cached;  /* "(first use; cached for next time)" or why not */
    int building;        /* a program build is under way */
    double build_t0;     /* when it started */
    double build_s;      /* seconds spent building so far */
    int notice_shown;    /* the notice was printed */
    int notice_open;     /* ... and its line is not ended yet */
} pg;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* End the notice's line before anything else goes to stderr. */
static void notice_break(void)
{
    if (pg.notice_open) {
        fputc('\n', stderr);
        pg.notice_open = 0;
    }
}

/* "clresample: MSG" on stderr, with -v only. */
static void vlog(const char *fmt, ...) PRINTF_LIKE(1, 2);
static void vlog(const char *fmt, ...)
{
    if (!pg.verbose) return;
    va_list ap;
    va_start(ap, fmt);
    notice_break();
    fflush(stdout);
    fprintf(stderr, "%s: ", PROG);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* -v: "clresample: STEP: 1.2 ms" for the step that began at t0. */
static void vstep(const char *step, double t0)
{
    vlog("%s: %.1f ms", step, (now_s() - t0) * 1e3);
}

static void log_line(clrs_log_level level, const char *cat, const char *msg, void *user)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    (void)user;
    /* A build starts with the library's "building program P (...)" line (info),
     * or a binary cache miss (debug), and ends with "built program P ..." */
    const int is_build = !strcmp(cat, "build");
    const int start = (is_build && level == CLRS_LOG_INFO && !strncmp(msg, "building ", 9)) ||
                      (!strcmp(cat, "cache") && !strncmp(msg, "MISS ", 5));
    const int end = is_build && level >= CLRS_LOG_INFO && !strncmp(msg, "built ", 6);
    double took = -1;
    if (start && !pg.building) {
        pg.building = 1;
        pg.build_t0 = now_s();
    } else if (end && pg.building) {
        pg.building = 0;
        took = now_s() - pg.build_t0;
        pg.build_s += took;
    }
    if (pg.user_log ||
        (pg.verbose && (level <= CLRS_LOG_WARN ||
                        (level == CLRS_LOG_INFO && !start && !end && strcmp(cat, "device") != 0)))) {
        notice_break();
        fprintf(stderr, "%s: %s: %s: %s\n", PROG, (unsigned)level < 4 ? names[level] : "log", cat,
                msg);
    } else if (pg.verbose && end) {
        notice_break();
        if (took >= 0 && !strstr(msg, " ms"))
            fprintf(stderr, "%s: %s in %.0f ms\n", PROG, msg, took * 1e3);
        else
            fprintf(stderr, "%s: %s\n", PROG, msg);
    }
    if (pg.notice && !pg.user_log && start && !pg.notice_shown) {
        fprintf(stderr, "%s: compiling kernels for %s%s%s...", PROG,
                pg.device[0] ? pg.device : "this device", pg.cached ? " " : "",
                pg.cached ? pg.cached : "");
        fflush(stderr);
        pg.notice_shown = pg.notice_open = 1;
    }
}

/* Before the first library call: install the callback when there is
 * something to show, and ask the library for its build lines. */
static void progress_init(int verbose)
{
    const char *l = getenv("CLRS_LOG");
    pg.verbose = verbose;
    pg.user_log = l && *l;
    pg.notice = !verbose && !pg.user_log && isatty(STDERR_FILENO);
    if (!pg.verbose && !pg.notice) return; /* the library's own stderr logging, as CLRS_LOG says */
    clrs_set_log_callback(log_line, NULL);
    if (pg.user_log) return;
    /* the library then sends "building"/"built" (info) without CLRS_LOG */
    clrs_set_log_level(CLRS_LOG_INFO);
}

/* With the context made: the device name for the notice; -v prints it. */
static void progress_device(clrs_context *ctx)
{
    clrs_device_info d;
    memset(&d, 0, sizeof d);
    if (!pg.verbose && !pg.notice) return;
    if (clrs_context_device(ctx, &d) != CLRS_OK) return;
    snprintf(pg.device, sizeof pg.device, "%.*s", (int)strnlen(d.name, sizeof d.name), d.name);
    const char *cache = clrs_cache_dir();
    const char *ro = getenv("CLRS_CACHE_READONLY");
    if (!cache || !*cache)
        pg.cached = "(binary cache off: every run compiles)";
    else if (ro && *ro && strcmp(ro, "0") != 0)
        pg.cached = "(CLRS_CACHE_READONLY: not cached)";
    else
        pg.cached = "(first use; cached for next time)";
    vlog("device: %d:%d %s [%.*s] on platform %.*s", d.platform_index, d.device_index, pg.device,
         (int)strnlen(d.type, sizeof d.type), d.type, (int)strnlen(d.platform, sizeof d.platform),
         d.platform);
}

/* The context on --device's choice (or the library's): the notice and -v's
 * "open device" step. 0 on failure, reported as op's with *rc its exit code
 * (*rc untouched on success: callers' later failures rely on its value). */
static int open_device(const args *a, const char *op, clrs_context **ctx, int *rc)
{
    clrs_context_options opts;
    clrs_context_options_init(&opts);
    opts.device = opt_str(a, O_DEVICE);
    const double t0 = now_s();
    clrs_status st = clrs_context_create(ctx, &opts);
    if (st != CLRS_OK) {
        *ctx = NULL;
        *rc = lib_error(op, NULL, st);
        return 0;
    }
    progress_device(*ctx);
    vstep("open device", t0);
    return 1;
}

/* After the operator ran: end the notice; -v prints the compute time. */
static void progress_computed(int ok, double t0)
{
    if (pg.building) { /* no end line came */
        pg.building = 0;
        pg.build_s += now_s() - pg.build_t0;
    }
    if (pg.notice_open) {
        if (!ok)
            fputs(" failed\n", stderr);
        else if (pg.build_s >= 1)
            fprintf(stderr, " done in %.1f s\n", pg.build_s);
        else
            fprintf(stderr, " done in %.0f ms\n", pg.build_s * 1e3);
    }
    pg.notice_open = 0;
    if (pg.build_s > 0)
        vlog("compute: %.1f ms (%.1f ms of it compiling kernels)", (now_s() - t0) * 1e3,
             pg.build_s * 1e3);
    else
        vstep("compute", t0);
}

/* ------------------------------------------------------------------------ */
/* Help                                                                     */

/* Append a synopsis word, wrapping before column 80. */
static void syn_word(FILE *f, int *col, int indent, const char *word)
{
    int len = (int)strlen(word);
    if (*col + 1 + len > 79 && *col > indent) {
        fprintf(f, "\n%*s", indent, "");
        *col = indent;
    } else {
        fputc(' ', f);
        (*col)++;
    }
    fputs(word, f);
    *col += len;
}

static void print_synopsis(FILE *f, const char *lead, const cmd_def *c)
{
    char word[256];
    int col = fprintf(f, "%s%s %s", lead, PROG, c->name);
    int indent = (int)(strlen(lead) + strlen(PROG) + strlen(c->name) + 2);
    if (indent > 40) indent = 8;
    for (int k = 0; c->pos[k]; k++) syn_word(f, &col, indent, c->pos[k]);
    int group_done = 0;
    const cmd_opt *o;
    for (int i = 0; (o = cmd_opt_at(c, i)) != NULL; i++) {
        const opt_def *d = &OPTS[o->id];
        if (o->flags & F_ONEOF) {
            if (group_done) continue;
            group_done = 1;
            size_t w = 0;
            const cmd_opt *g;
            for (int j = i; (g = cmd_opt_at(c, j)) != NULL; j++)
                if (g->flags & F_ONEOF)
                    w += (size_t)snprintf(word + w, sizeof word - w, "%s--%s %s", w ? " | " : "(",
                                          OPTS[g->id].name, OPTS[g->id].metavar);
            snprintf(word + w, sizeof word - w, ")");
        } else if (o->flags & F_REQ) {
            snprintf(word, sizeof word, "--%s %s", d->name, d->metavar);
        } else {
            snprintf(word, sizeof word, "[--%s%s%s]", d->name, d->metavar ? " " : "",
                     d->metavar ? d->metavar : "");
        }
        syn_word(f, &col, indent, word);
    }
    fputc('\n', f);
}

/* Print text word-wrapped before column 80, continuing at column `col`;
 * continuation lines start at column `indent`. */
static void print_wrapped(FILE *f, int indent, int col, const char *text)
{
    int fresh = 1; /* no separator before the first word of a line */
    for (const char *p = text; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        int len = (int)strcspn(p, " ");
        if (!fresh && col + 1 + len > 79) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
            fresh = 1;
        }
        col += fprintf(f, "%s%.*s", fresh ? "" : " ", len, p);
        fresh = 0;
        p += len;
    }
    fputc('\n', f);
}

/* "  LHS                     help text..." */
static void print_help_line(FILE *f, const char *lhs, const char *help)
{
    enum { HELP_COL = 27 };
    int col = fprintf(f, "  %-*s ", HELP_COL - 3, lhs);
    if (col > HELP_COL) {
        fprintf(f, "\n%*s", HELP_COL, "");
        col = HELP_COL;
    }
    print_wrapped(f, HELP_COL, col, help);
}

static void print_main_help(FILE *f)
{
    fprintf(f,
            "usage: %s [-v] SUBCOMMAND [ARGS...] [OPTIONS...]\n"
            "       %s SUBCOMMAND --help\n"
            "       %s help [SUBCOMMAND]\n"
            "       %s --help | --version\n\n",
            PROG, PROG, PROG, PROG);
    fputs("PyTorch-exact resampling and pooling operators on an OpenCL device.\n"
          "Arrays are NumPy .npy files in C order (<f4, <f8, <f2, |u1, <u2; indices <i8).\n"
          "The input's rank picks the operator: 3-D (N, C, L) for 1-D ops,\n"
          "4-D (N, C, H, W) for 2-D ops, 5-D (N, C, D, H, W) for 3-D ops.\n"
          "resize works on images instead: PNG, binary PPM and PGM files.\n"
          "Sizes: resize --size is WxH (width first, like image tools); interpolate\n"
          "--size is H,W (PyTorch order: height first).\n\nsubcommands:\n",
          f);
    for (size_t i = 0; i < NCMDS; i++) print_help_line(f, CMDS[i].name, CMDS[i].summary);
    print_help_line(f, "backward", "input gradients of an operator, as PyTorch's autograd gives them, "
                                   "deterministic (backward --help)");
    print_help_line(f, "bench", "benchmark every operator against the device's copy bandwidth (bench --help)");
    print_help_line(f, "tune", "time the tuning values on this device and write its tuning file (tune --help)");
    print_help_line(f, "cache", "inspect, verify or clear the on-disk kernel cache (cache --help)");
    print_help_line(f, "onnx", "run one ONNX operator (Resize, MaxPool, GridSample, ...) with ONNX's semantics (onnx --help)");
    fputs("\nEvery .npy operator also takes --device SPEC (CLRS_DEVICE syntax), --explain,\n"
          "--max-pixels N and --max-bytes N, and all but affine-grid --channels-last (IN\n"
          "and OUT in (N, spatial..., C) order). List options take comma-separated\n"
          "values; one value applies to every spatial dim.\n"
          "OUT is written atomically, and only when everything succeeded.\n\n"
          "-v, --verbose (before or after the subcommand; operators, resize, onnx): print\n"
          "the device, each kernel build with its duration, and the time of each step\n"
          "on stderr. On a terminal, the first run on a device says that it compiles\n"
          "kernels (cached for later runs) and how long that took.\n\n"
          "Exit status: 0 success, 1 bad data or runtime error, 2 usage error (bad\n"
          "command line, including values out of range whatever the input: --scale 0,\n"
          "--kernel 0, --padding -1...). Data-dependent failures (an output too small\n"
          "for this input, say) are 1.\n",
          f);
}

/* Paragraphs after the options of `resize --help`. */
static const char *const IMAGE_NOTES[] = {
    "The image is processed as a (1, C, H, W) tensor of uint8 samples (uint16 for 16-bit "
    "images), channels-last in memory, exactly like F.interpolate on that tensor: every "
    "channel, alpha included, is resampled on its own (no premultiplied alpha, no gamma or "
    "colour conversion), and the output keeps the input's channels and bit depth.",
    "PNG input: 8- and 16-bit gray, gray+alpha, RGB and RGBA; palette images become RGB "
    "(RGBA with transparency), gray below 8 bits becomes 8-bit gray, and a tRNS colour key "
    "becomes an alpha channel. PPM/PGM input: binary P6/P5; maxval up to 255 gives 8 bits, "
    "up to 65535 16 bits, and a maxval other than 255 or 65535 is rescaled to the full range.",
    "A .ppm OUT takes RGB images only and a .pgm OUT gray images only. Metadata is dropped: "
    "gamma, colour profiles (iCCP, sRGB, cHRM), text, time, physical pixel size, background "
    "and the other ancillary PNG chunks, and PPM/PGM comments.",
};

static void print_cmd_help(FILE *f, const cmd_def *c)
{
    print_synopsis(f, "usage: ", c);
    fprintf(f, "\n%c%s.\n", toupper((unsigned char)c->summary[0]), c->summary + 1);
    if (c->pos[0]) {
        fputs("\narguments:\n", f);
        for (int k = 0; c->pos[k]; k++) {
            const char *p = c->pos[k], *h;
            if (IS_BACKWARD(c) && !strcmp(p, "IN"))
                h = c->kind == K_POOL ? "the forward's input .npy (its values recompute the indices "
                                        "when --indices is not given)"
                                      : "the forward's input .npy (these gradients use only its shape and dtype)";
            else if (c->kind == K_IMAGE && !strcmp(p, "IN..."))
                h = "input images (one or more): PNG, binary PPM (P6) or PGM (P5), all of one "
                    "channel count and bit depth, of any sizes";
            else if (c->kind == K_IMAGE)
                h = !strcmp(p, "IN") ? "input image: PNG, binary PPM (P6) or PGM (P5)"
                                     : "output image, written atomically; its type follows "
                                       "the extension: .png, .ppm or .pgm";
            else if (!strcmp(p, "IN") && c->kind == K_GRID)
                h = "input .npy, 4-D (N, C, H, W) or 5-D (N, C, D, H, W): f32, f64 or f16 (.npy has no bf16)";
            else if (!strcmp(p, "IN"))
                h = c->kind != K_SHUFFLE ? "input .npy, 3-D (N, C, L) to 5-D (N, C, D, H, W)"
                    : c->sub             ? "input .npy (N, C, H*R, W*R)"
                                         : "input .npy (N, C*R*R, H, W)";
            else if (!strcmp(p, "WEIGHT"))
                h = c->sub ? "weight .npy (C_in, C_out/groups, k...), IN's rank and dtype; always in "
                             "this layout, --channels-last or not"
                           : "weight .npy (C_out, C_in/groups, k...), IN's rank and dtype; always in "
                             "this layout, --channels-last or not";
            else if (!strcmp(p, "INDICES"))
                h = "int64 .npy of max-pool indices, same shape as IN";
            else if (!strcmp(p, "GRAD_OUT"))
                h = "gradient of the forward's output .npy: the forward output's shape, IN's "
                    "dtype (f32, f64, f16 or bf16)";
            else if (!strcmp(p, "GRAD_IN"))
                h = "output .npy: the gradient of IN (IN's shape and dtype), written atomically";

            else if (!strcmp(p, "GRID"))
                h = ".npy (N, Ho, Wo, 2) for a 4-D IN or (N, Do, Ho, Wo, 3) for a 5-D IN, IN's "
                    "dtype, x (width) first; always in this layout, --channels-last or not";
            else if (!strcmp(p, "THETA"))
                h = ".npy of affine matrices (N, 2, 3) for 2-D or (N, 3, 4) for 3-D: f32, f64 "
                    "or f16";
            else if (c->kind == K_AFFINE)
                h = "output grid .npy (N, H, W, 2) or (N, D, H, W, 3), THETA's dtype, written "
                    "atomically";
            else if (c->kind == K_SHUFFLE)
                h = c->sub ? "output .npy (N, C*R*R, H, W)" : "output .npy (N, C, H*R, W*R)";
            else
                h = "output .npy, same dtype as IN, written atomically";
            print_help_line(f, p, h);
        }
    }
    fputs("\noptions:\n", f);
    const cmd_opt *o;
    char lists[256];
    size_t nl = 0;
    lists[0] = '\0';
    for (int i = 0; (o = cmd_opt_at(c, i)) != NULL; i++) {
        char lhs[64];
        const opt_def *d = &OPTS[o->id];
        snprintf(lhs, sizeof lhs, "--%s%s%s", d->name, d->metavar ? " " : "",
                 d->metavar ? d->metavar : "");
        print_help_line(f, lhs, o->help);
        if ((d->type == T_INTS || d->type == T_REALS) && nl < sizeof lists)
            nl +=
                (size_t)snprintf(lists + nl, sizeof lists - nl, "%s--%s", nl ? ", " : "", d->name);
    }
    if (c->kind != K_NONE)
        print_help_line(f, "-v, --verbose",
                        "print the device, kernel builds and step times on stderr");
    print_help_line(f, "-h, --help", "show this help");
    if (nl && c->kind != K_AFFINE) { /* affine-grid's --size is the full N,C,[D,]H,W */
        char note[400];
        snprintf(note, sizeof note,
                 "%s: comma-separated lists; one value applies to every spatial dim.", lists);
        fputc('\n', f);
        print_wrapped(f, 0, 0, note);
    }
    if (c->kind == K_IMAGE)
        for (size_t k = 0; k < sizeof IMAGE_NOTES / sizeof IMAGE_NOTES[0]; k++) {
            fputc('\n', f);
            print_wrapped(f, 0, 0, IMAGE_NOTES[k]);
        }
}

static void print_version(void)
{
    const char *lib = clrs_version_string();
    if (lib && strcmp(lib, CLRS_VERSION_STRING) != 0)
        printf("%s %s (library %s)\n", PROG, CLRS_VERSION_STRING, lib);
    else
        printf("%s %s\n", PROG, CLRS_VERSION_STRING);
    printf("License: MIT\n");
}

/* ------------------------------------------------------------------------ */
/* Strict number parsing: the whole string, no leading blanks, no overflow.  */
/* Each returns NULL on success or what was expected.                       */

static const char *parse_i64(const char *s, int64_t *out)
{
    char *end;
    if (!*s || isspace((unsigned char)*s)) return "expected an integer";
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (end == s || *end) return "expected an integer";
    if (errno == ERANGE) return "integer out of range";
    *out = (int64_t)x;
    return NULL;
}

static const char *parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!*s || isspace((unsigned char)*s) || *s == '-') return "expected a non-negative integer";
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (end == s || *end) return "expected a non-negative integer";
    if (errno == ERANGE || x > UINT64_MAX) return "integer out of range";
    *out = (uint64_t)x;
    return NULL;
}

static const char *parse_real(const char *s, int allow_inf, double *out)
{
    char *end;
    const char *what = allow_inf ? "expected a number or inf" : "expected a finite number";
    if (!*s || isspace((unsigned char)*s)) return what;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end || isnan(x)) return what;
    if (isinf(x)) {
        const char *p = s + (*s == '+' || *s == '-');
        if (tolower((unsigned char)*p) != 'i') return "number out of range"; /* "1e999" */
        if (!allow_inf) return what;
    } else if (errno == ERANGE) {
        return "number out of range"; /* underflow */
    }
    *out = x;
    return NULL;
}

/* What the range flags of an option ask of one value x, or NULL when it holds. */
static const char *range_bad(unsigned flags, double x)
{
    if ((flags & F_POS) && !(x > 0)) return "must be positive";
    if ((flags & F_NONNEG) && !(x >= 0)) return "must be >= 0";
    if ((flags & F_NONZERO) && x == 0) return "must not be zero";
    return NULL;
}

/* Parse one option value into v; on error print the message and return RC_USAGE. */
static int parse_value(const cmd_def *c, const cmd_opt *co, const char *val, optval *v)
{
    const opt_def *d = &OPTS[co->id];
    const char *bad = NULL;
    v->str = val;
    switch (d->type) {
    case T_FLAG: return RC_OK;
    case T_STR:
        if (!*val) bad = "expected a non-empty value";
        break;
    case T_MODE: {
        clrs_interp_mode m;
        if (clrs_interp_mode_parse(val, &m) == CLRS_OK) {
            v->i[0] = (int64_t)m;
            return RC_OK;
        }
        char names[256];
        size_t w = 0;
        names[0] = '\0';
        for (int k = CLRS_INTERP_NEAREST; k <= CLRS_INTERP_LANCZOS && w < sizeof names; k++)
            w += (size_t)snprintf(names + w, sizeof names - w, "%s%s", k ? ", " : "",
                                  clrs_interp_mode_name((clrs_interp_mode)k));
        errorf("%s: --%s: unknown mode '%s' (expected one of: %s)", c->name, d->name, val, names);
        return RC_USAGE;
    }
    case T_GMODE:
    case T_GPAD: {
        clrs_status gst;
        if (d->type == T_GMODE) {
            clrs_grid_mode m;
            gst = clrs_grid_mode_parse(val, &m);
            v->i[0] = (int64_t)m;
        } else {
            clrs_grid_padding pm;
            gst = clrs_grid_padding_parse(val, &pm);
            v->i[0] = (int64_t)pm;
        }
        if (gst == CLRS_OK) return RC_OK;
        errorf("%s: --%s: unknown value '%s' (expected one of: %s)", c->name, d->name, val,
               d->type == T_GMODE ? "bilinear, nearest, bicubic" : "zeros, border, reflection");
        return RC_USAGE;
    }
    case T_INT:
    case T_INT_NZ:
        bad = parse_i64(val, &v->i[0]);
        if (!bad && d->type == T_INT_NZ && v->i[0] == 0) bad = "must not be zero";
        if (!bad) bad = range_bad(co->flags, (double)v->i[0]);
        break;
    case T_U64: bad = parse_u64(val, &v->u); break;
    case T_REAL_INF:
        bad = parse_real(val, 1, &v->d[0]);
        if (!bad) bad = range_bad(co->flags, v->d[0]);
        break;
    case T_REAL_POS:
        bad = parse_real(val, 0, &v->d[0]);
        if (!bad && !(v->d[0] > 0)) bad = "must be positive";
        break;
    case T_WXH: {
        const char *x = strpbrk(val, "xX");
        char tok[64];
        size_t wlen = x ? (size_t)(x - val) : 0;
        bad = "expected WIDTHxHEIGHT, WIDTHx or xHEIGHT in pixels, e.g. 640x480 or 640x";
        if (!x || wlen >= sizeof tok) break;
        memcpy(tok, val, wlen);
        tok[wlen] = '\0';
        /* "640x" or "x480": one side given (the other is 0 here), the aspect
         * ratio decides the other once the image is read (run_resize) */
        const int has_w = wlen > 0, has_h = x[1] != '\0';
        if (!has_w && !has_h) break;
        if (has_w && (!isdigit((unsigned char)tok[0]) || parse_i64(tok, &v->i[0]) != NULL)) break;
        if (has_h && (!isdigit((unsigned char)x[1]) || parse_i64(x + 1, &v->i[1]) != NULL)) break;
        if (!has_w) v->i[0] = 0;
        if (!has_h) v->i[1] = 0;
        if ((has_w && v->i[0] <= 0) || (has_h && v->i[1] <= 0))
            bad = "width and height must be positive";
        else if (v->i[0] > (int64_t)IMAGE_MAX_DIM || v->i[1] > (int64_t)IMAGE_MAX_DIM)
            bad = "width and height must be at most 2147483647";
        else
            bad = NULL;
        v->n = 2;
        break;
    }
    case T_INTS:
    case T_REALS: {
        int max = (co->flags & F_FULL) ? MAX_LIST : 3;
        const char *p = val;
        v->n = 0;
        for (;;) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            char tok[128];
            if (v->n == max) {
                errorf("%s: --%s: too many values in '%s' (at most %d)", c->name, d->name, val,
                       max);
                return RC_USAGE;
            }
            if (len >= sizeof tok) len = sizeof tok - 1;
            memcpy(tok, p, len);
            tok[len] = '\0';
            if (d->type == T_REALS)
                bad = parse_real(tok, 0, &v->d[v->n]);
            else if ((co->flags & F_NONE_OK) && !strcmp(tok, "none"))
                v->i[v->n] = CLRS_UNSET;
            else if ((bad = parse_i64(tok, &v->i[v->n])) == NULL && (co->flags & F_NONE_OK) && v->i[v->n] < 0)
                bad = "must be >= 0 or 'none'"; /* -1 is CLRS_UNSET: only "none" may say that */
            if (!bad && strcmp(tok, "none") != 0)
                bad = range_bad(co->flags, d->type == T_REALS ? v->d[v->n] : (double)v->i[v->n]);
            if (bad) {
                if (strcmp(tok, val) != 0)
                    errorf("%s: --%s: invalid value '%s' in '%s': %s", c->name, d->name, tok, val,
                           bad);
                else
                    errorf("%s: --%s: invalid value '%s': %s", c->name, d->name, val, bad);
                return RC_USAGE;
            }
            v->n++;
            if (!comma) break;
            p = comma + 1;
        }
        return RC_OK;
    }
    }
    if (bad) {
        errorf("%s: --%s: invalid value '%s': %s", c->name, d->name, val, bad);
        return RC_USAGE;
    }
    return RC_OK;
}

static int is_option_word(const char *s) { return s[0] == '-' && s[1] == '-'; }

/* ------------------------------------------------------------------------ */
/* Same-file check: files are compared by identity, not by spelling.        */

typedef struct file_key {
    int kind; /* 0: unknown (cannot alias anything), 1: existing (dev, ino), 2: new (name) */
    dev_t dev;
    ino_t ino;
    char *name; /* realpath(dirname) + "/" + basename of a file not there yet */
} file_key;

/* An output "-" is standard output, whatever it is connected to. */
static void file_key_get(const char *path, int output, file_key *k)
{
    struct stat st;
    memset(k, 0, sizeof *k);
    if (output && !strcmp(path, "-")) {
        if (fstat(STDOUT_FILENO, &st) == 0) k->kind = 1, k->dev = st.st_dev, k->ino = st.st_ino;
        return;
    }
    if (stat(path, &st) == 0) {
        k->kind = 1, k->dev = st.st_dev, k->ino = st.st_ino;
        return;
    }
    /* Not there (or a dangling symlink, which the writer refuses anyway). */
    if (errno != ENOENT || lstat(path, &st) == 0) return;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) return;
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    char *rdir = dir ? realpath(dir, NULL) : NULL;
    free(dir);
    if (!rdir) return; /* no such directory: writing it fails later (exit 1) */
    size_t n = strlen(rdir) + strlen(base) + 2;
    k->name = malloc(n);
    if (k->name) {
        snprintf(k->name, n, "%s/%s", rdir, base);
        k->kind = 2;
    }
    free(rdir);
}

static int file_key_same(const file_key *x, const file_key *y)
{
    if (!x->kind || x->kind != y->kind) return 0;
    if (x->kind == 1) return x->dev == y->dev && x->ino == y->ino;
    return !strcmp(x->name, y->name);
}

/* For tools/onnx_cli.c: do two paths name the same file (as above)? */
int cli_same_file(const char *a, int a_output, const char *b, int b_output)
{
    file_key ka, kb;
    file_key_get(a, a_output, &ka);
    file_key_get(b, b_output, &kb);
    int same = file_key_same(&ka, &kb) || (a_output && b_output && !strcmp(a, b));
    free(ka.name);
    free(kb.name);
    return same;
}

/* Every pair of an output with another output or an input must name
 * different files (same inode, or for files not there yet the same resolved
 * directory and name: hard links, symlinks, "./x" and "x" all count), except
 * OUT over IN: that in-place run is allowed, as IN is read completely before
 * OUT is replaced (atomically). Inputs may repeat. Exit 2 (a usage error)
 * before anything is read. */
static int check_same_files(const args *a)
{
    const cmd_def *c = a->cmd;
    const int npos = cmd_npos(c);
    struct {
        const char *role, *path;
        int output;
        file_key key;
    } f[6];
    int n = 0;
    if (c->kind == K_NONE || npos < 2) return RC_OK;
    for (int k = 0; k < npos; k++) {
        f[n].role = c->pos[k];
        f[n].path = a->pos[k];
        f[n++].output = k == npos - 1;
    }
    if (opt_str(a, O_SAMPLES)) {
        f[n].role = "--samples";
        f[n].path = opt_str(a, O_SAMPLES);
        f[n++].output = 0;
    }
    if (opt_str(a, O_INDICES)) {
        f[n].role = "--indices";
        f[n].path = opt_str(a, O_INDICES);
        f[n++].output = 1;
    }
    if (opt_str(a, O_BW_INDICES)) { /* backward: the forward's indices, read */
        f[n].role = "--indices";
        f[n].path = opt_str(a, O_BW_INDICES);
        f[n++].output = 0;
    }
    for (int i = 0; i < n; i++) file_key_get(f[i].path, f[i].output, &f[i].key);
    int rc = RC_OK;
    for (int i = 0; i < n && rc == RC_OK; i++)
        for (int j = i + 1; j < n && rc == RC_OK; j++) {
            if (!f[i].output && !f[j].output) continue;
            if (i == 0 && j == npos - 1) continue; /* OUT may replace IN */
            if (file_key_same(&f[i].key, &f[j].key) ||
                (f[i].output && f[j].output && !strcmp(f[i].path, f[j].path))) {
                errorf("%s: %s '%s' and %s '%s' name the same file", c->name, f[i].role,
                       f[i].path, f[j].role, f[j].path);
                rc = RC_USAGE;
            }
        }
    for (int i = 0; i < n; i++) free(f[i].key.name);
    return rc;
}

/* Parse the arguments after the subcommand name. Returns RC_OK or RC_USAGE. */
static int parse_cmd_args(const cmd_def *c, int argc, char **argv, args *a)
{
    const int npos = cmd_npos(c);
    int only_pos = 0;
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (!only_pos && !strcmp(s, "--")) {
            only_pos = 1;
            continue;
        }
        if (only_pos || s[0] != '-' || s[1] == '\0') {
            if (npos > 0 && strstr(c->pos[npos - 1], "...") != NULL && a->npos >= npos - 1) {
                if (a->rest == NULL && (a->rest = calloc((size_t)argc, sizeof *a->rest)) == NULL) {
                    errorf("%s: out of memory", c->name);
                    return RC_FAIL;
                }
                a->rest[a->nrest++] = s;
                if (a->npos == npos - 1) a->pos[a->npos++] = s;
                continue;
            }
            if (a->npos >= npos) {
                errorf("%s: unexpected argument '%s'", c->name, s);
                return RC_USAGE;
            }
            a->pos[a->npos++] = s;
            continue;
        }
        if (s[1] != '-') {
            errorf("%s: unknown option '%s'", c->name, s);
            return RC_USAGE;
        }
        const char *name = s + 2, *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        int id = -1;
        for (int k = 0; k < O_COUNT; k++) /* of two options of one name, the one c takes */
            if (strlen(OPTS[k].name) == nlen && !strncmp(OPTS[k].name, name, nlen) &&
                (id < 0 || cmd_find_opt(c, (opt_id)k)))
                id = k;
        if (id < 0) {
            errorf("%s: unknown option '--%.*s'", c->name, (int)nlen, name);
            return RC_USAGE;
        }
        const opt_def *d = &OPTS[id];
        const cmd_opt *co = cmd_find_opt(c, (opt_id)id);
        if (!co) {
            errorf("%s: option '--%s' does not apply to %s", c->name, d->name, c->name);
            return RC_USAGE;
        }
        optval *v = &a->v[id];
        if (v->given) {
            errorf("%s: option '--%s' given more than once", c->name, d->name);
            return RC_USAGE;
        }
        v->given = 1;
        if (d->type == T_FLAG) {
            if (eq) {
                errorf("%s: option '--%s' takes no value", c->name, d->name);
                return RC_USAGE;
            }
            continue;
        }
        const char *val;
        if (eq)
            val = eq + 1;
        else if (i + 1 < argc && !is_option_word(argv[i + 1]))
            val = argv[++i];
        else {
            errorf("%s: option '--%s' needs a value (%s)", c->name, d->name, d->metavar);
            return RC_USAGE;
        }
        if (parse_value(c, co, val, v) != RC_OK) return RC_USAGE;
    }
    if (a->npos < npos) {
        errorf("%s: missing argument %s", c->name, c->pos[a->npos]);
        return RC_USAGE;
    }

    const cmd_opt *o, *first = NULL, *second = NULL;
    int ngiven = 0;
    for (int i = 0; (o = cmd_opt_at(c, i)) != NULL; i++) {
        if ((o->flags & F_REQ) && !a->v[o->id].given) {
            errorf("%s: missing required option --%s", c->name, OPTS[o->id].name);
            return RC_USAGE;
        }
        if (o->flags & F_ONEOF) {
            if (!first)
                first = o;
            else if (!second)
                second = o;
            ngiven += a->v[o->id].given;
        }
    }
    if (first && second && ngiven != 1) {
        errorf(ngiven ? "%s: --%s and --%s are mutually exclusive"
                      : "%s: one of --%s or --%s is required",
               c->name, OPTS[first->id].name, OPTS[second->id].name);
        return RC_USAGE;
    }
    return check_same_files(a);
}

/* With the input's rank known: every list holds 1 value or one per spatial dim. */
static int check_list_counts(const args *a, int rank)
{
    const cmd_def *c = a->cmd;
    const int spatial = rank - 2;
    const cmd_opt *o;
    for (int i = 0; (o = cmd_opt_at(c, i)) != NULL; i++) {
        const opt_def *d = &OPTS[o->id];
        const optval *v = &a->v[o->id];
        if (!v->given || (d->type != T_INTS && d->type != T_REALS)) continue;
        int full = (o->flags & F_FULL) != 0;
        if (v->n == 1 || v->n == spatial || (full && v->n == rank)) continue;
        char want[48];
        if (spatial == 1)
            snprintf(want, sizeof want, full ? "1 or %d values" : "1 value", rank);
        else
            snprintf(want, sizeof want, full ? "1, %d or %d values" : "1 or %d values", spatial,
                     rank);
        errorf("%s: --%s takes %s for a %d-D input, got %d ('%s')", c->name, d->name, want, rank,
               v->n, v->str);
        return RC_USAGE;
    }
    return RC_OK;
}

/* Copy a list option into a params field (only when given); FULL lists drop N, C. */
static void take_ints(const args *a, opt_id id, int rank, int *n, int64_t dst[3])
{
    const optval *v = &a->v[id];
    if (!v->given) return;
    int skip = v->n == rank ? 2 : 0;
    *n = v->n - skip;
    for (int k = 0; k < *n; k++) dst[k] = v->i[skip + k];
}

static void take_reals(const args *a, opt_id id, int *n, double dst[3])
{
    const optval *v = &a->v[id];
    if (!v->given) return;
    *n = v->n;
    for (int k = 0; k < *n; k++) dst[k] = v->d[k];
}

/* ------------------------------------------------------------------------ */
/* Tensors: a .npy array plus its descriptor                                */

typedef struct tensor {
    npy_array arr;         /* file shape: (N, C, spatial...) or (N, spatial..., C) */
    clrs_tensor_desc desc; /* logical sizes (N, C, spatial...) */
} tensor;

/* Logical (N, C, spatial...) sizes <-> the file's shape. */
static void file_to_logical(int rank, int cl, const int64_t *shape, int64_t *sizes)
{
    sizes[0] = shape[0];
    sizes[1] = cl ? shape[rank - 1] : shape[1];
    for (int k = 2; k < rank; k++) sizes[k] = cl ? shape[k - 1] : shape[k];
}

static void logical_to_file(int rank, int cl, const int64_t *sizes, int64_t *shape)
{
    shape[0] = sizes[0];
    if (cl) {
        for (int k = 2; k < rank; k++) shape[k - 1] = sizes[k];
        shape[rank - 1] = sizes[1];
    } else {
        for (int k = 1; k < rank; k++) shape[k] = sizes[k];
    }
}

static clrs_status make_desc(clrs_tensor_desc *d, clrs_dtype dt, int rank, int cl,
                             const int64_t *sizes)
{
    return cl ? clrs_tensor_desc_channels_last(d, dt, rank, sizes)
              : clrs_tensor_desc_contiguous(d, dt, rank, sizes);
}

/* The memory budget in force: --max-pixels / --max-bytes, or the defaults. */
static uint64_t budget_pixels(const args *a)
{
    return a->v[O_MAX_PIXELS].given ? a->v[O_MAX_PIXELS].u : DEFAULT_MAX_PIXELS;
}

static uint64_t budget_bytes(const args *a)
{
    return a->v[O_MAX_BYTES].given ? a->v[O_MAX_BYTES].u : DEFAULT_MAX_BYTES;
}

static npy_limits npy_budget(const args *a, int cl)
{
    npy_limits lim = {budget_bytes(a), budget_pixels(a), cl};
    return lim;
}

/* An output of logical sizes (N, C, spatial...) must fit the budget before
 * it is allocated. */
static int check_out_budget(const args *a, const char *what, clrs_dtype dt, int rank,
                            const int64_t *sizes)
{
    uint64_t numel = 1, px = 1, esize = clrs_dtype_size(dt);
    for (int k = 0; k < rank; k++) {
        uint64_t d = sizes[k] > 0 ? (uint64_t)sizes[k] : 0;
        numel = d && numel > UINT64_MAX / d ? UINT64_MAX : numel * d;
        if (k >= 2) px = d && px > UINT64_MAX / d ? UINT64_MAX : px * d;
    }
    uint64_t bytes = esize && numel > UINT64_MAX / esize ? UINT64_MAX : numel * esize;
    uint64_t maxpx = budget_pixels(a), maxb = budget_bytes(a);
    char sh[160];
    if (maxb && bytes > maxb) {
        errorf("%s: %s of shape %s (%s) needs %llu bytes: too large for the budget of %llu "
               "bytes (--max-bytes)",
               a->cmd->name, what, fmt_shape(sh, sizeof sh, rank, sizes), clrs_dtype_name(dt),
               (unsigned long long)bytes, (unsigned long long)maxb);
        return RC_FAIL;
    }
    if (maxpx && px > maxpx) {
        errorf("%s: %s of shape %s has %llu spatial elements per plane: too large for the "
               "budget of %llu (--max-pixels)",
               a->cmd->name, what, fmt_shape(sh, sizeof sh, rank, sizes), (unsigned long long)px,
               (unsigned long long)maxpx);
        return RC_FAIL;
    }
    return RC_OK;
}

/* Read a 3-D..5-D .npy (within the budget `lim`) and describe it.
 * `indices`: must be int64, else data. */
static int load_tensor(const char *op, const char *path, int cl, int indices,
                       const npy_limits *lim, tensor *t)
{
    char err[512];
    if (npy_read_limited(path, lim, &t->arr, err, sizeof err) != 0) {
        errorf("%s", err);
        return RC_FAIL;
    }
    const npy_array *arr = &t->arr;
    if (arr->ndim < 3 || arr->ndim > CLRS_MAX_RANK) {
        errorf("%s: expected a 3-D, 4-D or 5-D array %s, got %d-D", path,
               cl ? "(N, spatial..., C)" : "(N, C, spatial...)", arr->ndim);
        return RC_FAIL;
    }
    if (indices && arr->dtype != CLRS_I64) {
        errorf("%s: indices must be int64 (<i8), got %s", path, clrs_dtype_name(arr->dtype));
        return RC_FAIL;
    }
    if (!indices && arr->dtype == CLRS_I64) {
        errorf("%s: unsupported data type i64 (expected <f4, <f8, <f2, |u1 or <u2)", path);
        return RC_FAIL;
    }
    int64_t sizes[CLRS_MAX_RANK];
    file_to_logical(arr->ndim, cl, arr->shape, sizes);
    clrs_status st = make_desc(&t->desc, arr->dtype, arr->ndim, cl, sizes);
    return st == CLRS_OK ? RC_OK : lib_error(op, NULL, st);
}

/* Allocate a zeroed tensor with logical sizes and the chosen layout. */
static int alloc_tensor(const char *op, clrs_dtype dt, int rank, int cl, const int64_t *sizes,
                        tensor *t)
{
    clrs_status st = make_desc(&t->desc, dt, rank, cl, sizes);
    if (st != CLRS_OK) return lib_error(op, NULL, st);
    int64_t numel = clrs_tensor_desc_numel(&t->desc);
    size_t esize = clrs_dtype_size(dt);
    if (numel < 0 || esize == 0 || (uint64_t)numel > SIZE_MAX / esize) {
        errorf("%s: output of %lld elements is too large", op, (long long)numel);
        return RC_FAIL;
    }
    t->arr.dtype = dt;
    t->arr.ndim = rank;
    logical_to_file(rank, cl, sizes, t->arr.shape);
    t->arr.nbytes = (size_t)numel * esize;
    t->arr.data = calloc(t->arr.nbytes ? t->arr.nbytes : 1, 1);
    if (!t->arr.data) {
        errorf("%s: out of memory allocating %zu bytes for the output", op, t->arr.nbytes);
        return RC_FAIL;
    }
    return RC_OK;
}

/* ------------------------------------------------------------------------ */
/* The operator driver                                                      */

typedef union op_params {
    clrs_interpolate_params interp;
    clrs_pool_params pool;
    clrs_unpool_params unpool;
    int64_t factor;
} op_params;

/* fractional-max-pool's --samples (the forward's, or given to its
 * gradient): read within the budget, float32/float64 of shape (N, C,
 * rank - 2), then set in P */
static int load_samples(const args *a, const char *samples_path, const clrs_tensor_desc *in, int rank,
                        tensor *samples, op_params *P)
{
    char err[512], b1[160], b2[160];
    const npy_limits slim = npy_budget(a, 0);
    if (npy_read_limited(samples_path, &slim, &samples->arr, err, sizeof err) != 0) {
        errorf("%s", err);
        return RC_FAIL;
    }
    const int64_t want[3] = {in->sizes[0], in->sizes[1], rank - 2};
    if (samples->arr.dtype != CLRS_F32 && samples->arr.dtype != CLRS_F64) {
        errorf("%s: samples must be float32 or float64, got %s", samples_path, clrs_dtype_name(samples->arr.dtype));
        return RC_FAIL;
    }
    if (samples->arr.ndim != 3 || memcmp(samples->arr.shape, want, sizeof want) != 0) {
        errorf("%s: shape %s does not match (N, C, %d) = %s", samples_path,
               fmt_shape(b1, sizeof b1, samples->arr.ndim, samples->arr.shape), rank - 2,
               fmt_shape(b2, sizeof b2, 3, want));
        return RC_FAIL;
    }
    P->pool.samples = samples->arr.data;
    P->pool.samples_dtype = samples->arr.dtype;
    return RC_OK;
}

static void build_params(const args *a, int rank, op_params *P)
{
    const cmd_def *c = a->cmd;
    switch (c->kind) {
    case K_INTERP: {
        clrs_interpolate_params *p = &P->interp;
        clrs_interpolate_params_init(p);
        p->mode = (clrs_interp_mode)a->v[O_MODE].i[0];
        take_ints(a, O_SIZE, rank, &p->n_size, p->size);
        take_reals(a, O_SCALE, &p->n_scale, p->scale);
        p->align_corners = a->v[O_ALIGN_CORNERS].given ? 1 : CLRS_UNSET;
        p->recompute_scale_factor = a->v[O_RECOMPUTE_SCALE_FACTOR].given ? 1 : CLRS_UNSET;
        p->antialias = a->v[O_ANTIALIAS].given ? 1 : 0;
        break;
    }
    case K_POOL: {
        clrs_pool_params *p = &P->pool;
        clrs_pool_params_init(p, (clrs_pool_kind)c->sub);
        take_ints(a, O_KERNEL, rank, &p->n_kernel, p->kernel);
        take_ints(a, O_STRIDE, rank, &p->n_stride, p->stride);
        take_ints(a, O_PADDING, rank, &p->n_padding, p->padding);
        take_ints(a, O_DILATION, rank, &p->n_dilation, p->dilation);
        take_ints(a, O_SIZE, rank, &p->n_output_size, p->output_size);
        take_reals(a, O_RATIO, &p->n_output_ratio, p->output_ratio);
        if (a->v[O_CEIL_MODE].given) p->ceil_mode = 1;
        if (a->v[O_NO_COUNT_INCLUDE_PAD].given) p->count_include_pad = 0;
        if (a->v[O_DIVISOR_OVERRIDE].given) p->divisor_override = a->v[O_DIVISOR_OVERRIDE].i[0];
        if (a->v[O_NORM_TYPE].given) p->norm_type = a->v[O_NORM_TYPE].d[0];
        if (a->v[O_SEED].given) p->seed = a->v[O_SEED].u;
        break;
    }
    case K_UNPOOL: {
        clrs_unpool_params *p = &P->unpool;
        clrs_unpool_params_init(p);
        take_ints(a, O_KERNEL, rank, &p->n_kernel, p->kernel);
        take_ints(a, O_STRIDE, rank, &p->n_stride, p->stride);
        take_ints(a, O_PADDING, rank, &p->n_padding, p->padding);
        take_ints(a, O_SIZE, rank, &p->n_output_size, p->output_size);
        break;
    }
    case K_SHUFFLE: P->factor = a->v[O_FACTOR].i[0]; break;
    case K_NONE:
    case K_IMAGE:
    case K_GRID:
    case K_AFFINE:
    case K_CONV: break;
    }
}

static clrs_status op_output_shape(const args *a, const op_params *P, const clrs_tensor_desc *in,
                                   int64_t out[CLRS_MAX_RANK])
{
    switch (a->cmd->kind) {
    case K_INTERP: return clrs_interpolate_output_shape(NULL, in, &P->interp, out);
    case K_POOL: return clrs_pool_output_shape(NULL, in, &P->pool, out);
    case K_UNPOOL: return clrs_max_unpool_output_shape(NULL, in, &P->unpool, out);
    case K_SHUFFLE: return clrs_pixel_shuffle_output_shape(NULL, in, P->factor, a->cmd->sub, out);
    case K_NONE:
    case K_IMAGE:
    case K_GRID:
    case K_AFFINE:
    case K_CONV: break;
    }
    return CLRS_ERR_INTERNAL;
}

static clrs_status op_execute(clrs_context *ctx, const args *a, const op_params *P,
                              const tensor *in, const tensor *in_idx, tensor *out, tensor *out_idx)
{
    switch (a->cmd->kind) {
    case K_INTERP:
        return clrs_interpolate(ctx, &P->interp, &in->desc, in->arr.data, &out->desc,
                                out->arr.data);
    case K_POOL:
        return clrs_pool(ctx, &P->pool, &in->desc, in->arr.data, &out->desc, out->arr.data,
                         out_idx->arr.data ? &out_idx->desc : NULL, out_idx->arr.data);
    case K_UNPOOL:
        return clrs_max_unpool(ctx, &P->unpool, &in->desc, in->arr.data, &in_idx->desc,
                               in_idx->arr.data, &out->desc, out->arr.data);
    case K_SHUFFLE:
        return clrs_pixel_shuffle(ctx, P->factor, a->cmd->sub, &in->desc, in->arr.data, &out->desc,
                                  out->arr.data);
    case K_NONE:
    case K_IMAGE:
    case K_GRID:
    case K_AFFINE:
    case K_CONV: break;
    }
    return CLRS_ERR_INTERNAL;
}

/* Write OUT (and IDX_OUT) only now that everything succeeded, through
 * atomicfile.h: both are written and fsync'ed before either is renamed into
 * place, so a failure leaves neither changed (short of the last rename
 * failing). "-", devices and FIFOs are written directly instead. */
static int write_outputs(const char *out_path, const tensor *out, const char *idx_path,
                         const tensor *idx)
{
    char err[512];
    atomic_file fo, fi;
    if (atomic_file_open(&fo, out_path, err, sizeof err) != 0) {
        errorf("%s", err);
        return RC_FAIL;
    }
    if (idx_path && atomic_file_open(&fi, idx_path, err, sizeof err) != 0) {
        atomic_file_abort(&fo);
        errorf("%s", err);
        return RC_FAIL;
    }
    int ok = npy_write_fd(fo.fd, out_path, &out->arr, err, sizeof err) == 0;
    if (ok && idx_path) ok = npy_write_fd(fi.fd, idx_path, &idx->arr, err, sizeof err) == 0;
    if (atomic_file_close(&fo, ok, err, sizeof err) != 0) ok = 0;
    if (idx_path && atomic_file_close(&fi, ok, err, sizeof err) != 0) ok = 0;
    if (ok && atomic_file_commit(&fo, err, sizeof err) != 0) ok = 0;
    if (!ok) {
        atomic_file_abort(&fo);
        if (idx_path) atomic_file_abort(&fi);
        errorf("%s", err);
        return RC_FAIL;
    }
    if (idx_path && atomic_file_commit(&fi, err, sizeof err) != 0) {
        errorf("%s", err);
        return RC_FAIL;
    }
    return RC_OK;
}

/* --explain: the library reports, per kernel launch, the entries it
 * declined and then the one it chose; printed chosen first, then the
 * declines in list order. */
typedef struct explain_state {
    int n;
    char lines[32][320];
} explain_state;

static void explain_cb(void *user, const char *family, const char *impl, int chosen, const char *reason)
{
    explain_state *e = user;
    if (!chosen) {
        if (e->n < (int)(sizeof e->lines / sizeof e->lines[0]))
            snprintf(e->lines[e->n++], sizeof e->lines[0], "%s: %s", impl, reason ? reason : "");
        return;
    }
    notice_break();
    fprintf(stderr, "%s: impl: %s/%s\n", PROG, family, impl);
    for (int i = 0; i < e->n; i++) fprintf(stderr, "%s: declined: %s\n", PROG, e->lines[i]);
    e->n = 0;
}

static explain_state explain_buf;

static void explain_start(const args *a)
{
    if (a->v[O_EXPLAIN].given) clrs_explain_begin(explain_cb, &explain_buf, 0);
}

static void explain_stop(const args *a)
{
    if (a->v[O_EXPLAIN].given) clrs_explain_end();
}

static int run_op(const args *a)
{
    const cmd_def *c = a->cmd;
    const char *op = c->name;
    const int npos = cmd_npos(c);
    const char *in_path = a->pos[0], *out_path = a->pos[npos - 1];
    const char *idx_path = opt_str(a, O_INDICES), *samples_path = opt_str(a, O_SAMPLES);
    const int cl = a->v[O_CHANNELS_LAST].given;
    tensor in = {0}, in_idx = {0}, samples = {0}, out = {0}, out_idx = {0};
    clrs_context *ctx = NULL;
    op_params P;
    char b1[160], b2[160];
    clrs_status st;
    int rc;

    memset(&P, 0, sizeof P);
    double t0 = now_s();
    const npy_limits lim = npy_budget(a, cl);
    if ((rc = load_tensor(op, in_path, cl, 0, &lim, &in)) != RC_OK) goto done;
    const int rank = in.arr.ndim;
    if ((rc = check_list_counts(a, rank)) != RC_OK) goto done;

    if (c->kind == K_UNPOOL) {
        if ((rc = load_tensor(op, a->pos[1], cl, 1, &lim, &in_idx)) != RC_OK) goto done;
        if (in_idx.arr.ndim != rank ||
            memcmp(in_idx.arr.shape, in.arr.shape, (size_t)rank * sizeof(int64_t)) != 0) {
            errorf("%s: shape %s does not match IN's shape %s", a->pos[1],
                   fmt_shape(b1, sizeof b1, in_idx.arr.ndim, in_idx.arr.shape),
                   fmt_shape(b2, sizeof b2, rank, in.arr.shape));
            rc = RC_FAIL;
            goto done;
        }
    }

    build_params(a, rank, &P);

    if (samples_path) {
        if ((rc = load_samples(a, samples_path, &in.desc, rank, &samples, &P)) != RC_OK) goto done;
    }
    vstep("read input", t0);

    /* Parameter and shape checks need no device. */
    int64_t out_sizes[CLRS_MAX_RANK];
    if ((st = op_output_shape(a, &P, &in.desc, out_sizes)) != CLRS_OK) {
        rc = lib_error(op, NULL, st);
        goto done;
    }
    if ((rc = check_out_budget(a, "OUT", in.arr.dtype, rank, out_sizes)) != RC_OK ||
        (idx_path && (rc = check_out_budget(a, "--indices", CLRS_I64, rank, out_sizes)) != RC_OK))
        goto done;
    if ((rc = alloc_tensor(op, in.arr.dtype, rank, cl, out_sizes, &out)) != RC_OK) goto done;
    if (idx_path && (rc = alloc_tensor(op, CLRS_I64, rank, cl, out_sizes, &out_idx)) != RC_OK)
        goto done;

    if (!open_device(a, op, &ctx, &rc)) goto done;
    t0 = now_s();
    explain_start(a);
    st = op_execute(ctx, a, &P, &in, &in_idx, &out, &out_idx);
    explain_stop(a);
    progress_computed(st == CLRS_OK, t0);
    if (st != CLRS_OK) {
        rc = lib_error(op, ctx, st);
        goto done;
    }
    t0 = now_s();
    rc = write_outputs(out_path, &out, idx_path, &out_idx);
    if (rc == RC_OK) vstep("write output", t0);

done:
    clrs_context_release(ctx);
    npy_free(&in.arr);
    npy_free(&in_idx.arr);
    npy_free(&samples.arr);
    npy_free(&out.arr);
    npy_free(&out_idx.arr);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* backward OP: input gradients                                             */

/* `backward OP`'s table entry, made from OP's: the forward's positional
 * inputs, then GRAD_OUT and GRAD_IN (OUT dropped); OP's options, with
 * --indices reading the forward's indices instead of writing them. */
static char bw_name[64], bw_summary[192];

static int is_operator(const cmd_def *c)
{
    return c->kind == K_INTERP || c->kind == K_POOL || c->kind == K_UNPOOL || c->kind == K_SHUFFLE;
}

static const cmd_def *backward_cmd(const cmd_def *c)
{
    bw_cmd = *c;
    bw_cmd.run = NULL;
    snprintf(bw_name, sizeof bw_name, "backward %s", c->name);
    snprintf(bw_summary, sizeof bw_summary, "input gradient of %s, %s", c->name, c->summary);
    bw_cmd.name = bw_name;
    bw_cmd.summary = bw_summary;
    const int n = cmd_npos(c) - 1;
    for (int k = 0; k < n; k++) bw_cmd.pos[k] = c->pos[k];
    bw_cmd.pos[n] = "GRAD_OUT";
    bw_cmd.pos[n + 1] = "GRAD_IN";
    bw_cmd.pos[n + 2] = NULL;
    for (int i = 0; bw_cmd.opts[i].help; i++)
        if (bw_cmd.opts[i].id == O_INDICES) {
            bw_cmd.opts[i].id = O_BW_INDICES;
            bw_cmd.opts[i].help = "the forward's indices (int64 .npy, flat per plane, the forward "
                                  "output's shape) to take the gradient from; without it they are "
                                  "recomputed from IN by the forward (its tie and NaN rules)";
        }
    return &bw_cmd;
}

static void print_backward_help(FILE *f)
{
    fprintf(f,
            "usage: %s backward OP FORWARD_INPUT... GRAD_OUT GRAD_IN [OP's options] [--indices IDX]\n"
            "       %s backward OP --help\n\n",
            PROG, PROG);
    fputs("The gradient of OP's input (GRAD_IN) for the gradient of its output (GRAD_OUT), as\n"
          "torch.autograd.grad gives it. OP and its options are exactly the forward subcommand's;\n"
          "FORWARD_INPUT... are the forward's inputs (max-unpool: IN INDICES). GRAD_OUT must have\n"
          "the forward output's shape and IN's dtype (f32, f64, f16 or bf16); GRAD_IN gets IN's.\n"
          "--channels-last applies to every array. Deterministic: the same bits on every run,\n"
          "for either layout. pixel-shuffle, pixel-unshuffle and max-unpool gradients are\n"
          "bit-exact with PyTorch's, max-pool, adaptive-max-pool, fractional-max-pool,\n"
          "avg-pool and adaptive-avg-pool ones too in f32 and f64 (f16: within a few ulp, PyTorch adding\n"
          "in 16 bits). interpolate's (every mode) too, but lanczos in f32 (within 1e-6 of the\n"
          "largest gradient: PyTorch's sinf). avg-pool, adaptive-avg-pool and interpolate use\n"
          "only IN's shape.\n\nOP:\n",
          f);
    print_help_line(f, "pixel-shuffle", "IN GRAD_OUT GRAD_IN --factor R");
    print_help_line(f, "pixel-unshuffle", "IN GRAD_OUT GRAD_IN --factor R");
    print_help_line(f, "max-unpool", "IN INDICES GRAD_OUT GRAD_IN --kernel K ...");
    print_help_line(f, "max-pool", "IN GRAD_OUT GRAD_IN --kernel K ... [--indices IDX]");
    print_help_line(f, "adaptive-max-pool", "IN GRAD_OUT GRAD_IN --size S [--indices IDX]");
    print_help_line(f, "fractional-max-pool", "IN GRAD_OUT GRAD_IN --kernel K --size S|--ratio R --samples U "
                                              "[--indices IDX]");
    print_help_line(f, "avg-pool", "IN GRAD_OUT GRAD_IN --kernel K ... [--no-count-include-pad] ...");
    print_help_line(f, "adaptive-avg-pool", "IN GRAD_OUT GRAD_IN --size S");
    print_help_line(f, "lp-pool", "IN GRAD_OUT GRAD_IN --kernel K --norm-type P ...");
    print_help_line(f, "interpolate", "IN GRAD_OUT GRAD_IN --size S|--scale F [--mode M] ...");
}

static int run_backward(const args *a)
{
    const cmd_def *c = a->cmd;
    const char *op = c->name;
    const int npos = cmd_npos(c);
    const char *in_path = a->pos[0], *go_path = a->pos[npos - 2], *gi_path = a->pos[npos - 1];
    const int cl = a->v[O_CHANNELS_LAST].given;
    tensor in = {0}, in_idx = {0}, go = {0}, gi = {0}, samples = {0};
    clrs_context *ctx = NULL;
    op_params P;
    char b1[160], b2[160];
    clrs_status st;
    int rc;

    const int maxpool = c->kind == K_POOL && (c->sub == CLRS_POOL_MAX || c->sub == CLRS_POOL_ADAPTIVE_MAX ||
                                              c->sub == CLRS_POOL_FRACTIONAL_MAX);
    const int avgpool = c->kind == K_POOL && (c->sub == CLRS_POOL_AVG || c->sub == CLRS_POOL_ADAPTIVE_AVG ||
                                              c->sub == CLRS_POOL_LP);
    if (c->kind != K_SHUFFLE && c->kind != K_UNPOOL && c->kind != K_INTERP && !maxpool && !avgpool) {
        errorf("%s: not yet implemented (issue #14: the gradients of interpolate, max-pool, adaptive-max-pool, "
               "fractional-max-pool, avg-pool, lp-pool, adaptive-avg-pool, max-unpool, pixel-shuffle and "
               "pixel-unshuffle exist so far)",
               op);
        return RC_FAIL;
    }
    const char *idx_path = opt_str(a, O_BW_INDICES);
    memset(&P, 0, sizeof P);
    double t0 = now_s();
    const npy_limits lim = npy_budget(a, cl);
    if ((rc = load_tensor(op, in_path, cl, 0, &lim, &in)) != RC_OK) goto done;
    const int rank = in.arr.ndim;
    if ((rc = check_list_counts(a, rank)) != RC_OK) goto done;
    if (c->kind == K_UNPOOL) {
        if ((rc = load_tensor(op, a->pos[1], cl, 1, &lim, &in_idx)) != RC_OK) goto done;
        if (in_idx.arr.ndim != rank ||
            memcmp(in_idx.arr.shape, in.arr.shape, (size_t)rank * sizeof(int64_t)) != 0) {
            errorf("%s: shape %s does not match IN's shape %s", a->pos[1],
                   fmt_shape(b1, sizeof b1, in_idx.arr.ndim, in_idx.arr.shape),
                   fmt_shape(b2, sizeof b2, rank, in.arr.shape));
            rc = RC_FAIL;
            goto done;
        }
    }
    build_params(a, rank, &P);
    const char *samples_path = opt_str(a, O_SAMPLES);
    if (samples_path) { /* fractional-max-pool: the forward's samples */
        if ((rc = load_samples(a, samples_path, &in.desc, rank, &samples, &P)) != RC_OK) goto done;
    }
    int64_t out_sizes[CLRS_MAX_RANK];
    if ((st = op_output_shape(a, &P, &in.desc, out_sizes)) != CLRS_OK) {
        rc = lib_error(op, NULL, st);
        goto done;
    }
    if ((rc = load_tensor(op, go_path, cl, 0, &lim, &go)) != RC_OK) goto done;
    if (go.arr.ndim != rank ||
        memcmp(go.desc.sizes, out_sizes, (size_t)rank * sizeof(int64_t)) != 0) {
        int64_t want[CLRS_MAX_RANK];
        logical_to_file(rank, cl, out_sizes, want);
        errorf("%s: GRAD_OUT %s has shape %s but the forward output's shape is %s%s", op, go_path,
               fmt_shape(b1, sizeof b1, go.arr.ndim, go.arr.shape), fmt_shape(b2, sizeof b2, rank, want),
               cl ? " (channels-last)" : "");
        rc = RC_FAIL;
        goto done;
    }
    if (go.arr.dtype != in.arr.dtype) {
        errorf("%s: GRAD_OUT %s is %s but IN is %s (the gradients have the input's dtype)", op, go_path,
               clrs_dtype_name(go.arr.dtype), clrs_dtype_name(in.arr.dtype));
        rc = RC_FAIL;
        goto done;
    }
    if (idx_path) { /* the forward's indices: the output's shape */
        if ((rc = load_tensor(op, idx_path, cl, 1, &lim, &in_idx)) != RC_OK) goto done;
        if (in_idx.arr.ndim != rank || memcmp(in_idx.arr.shape, go.arr.shape, (size_t)rank * sizeof(int64_t)) != 0) {
            errorf("%s: --indices %s has shape %s but the forward output's (GRAD_OUT's) is %s", op, idx_path,
                   fmt_shape(b1, sizeof b1, in_idx.arr.ndim, in_idx.arr.shape),
                   fmt_shape(b2, sizeof b2, rank, go.arr.shape));
            rc = RC_FAIL;
            goto done;
        }
    }
    vstep("read inputs", t0);
    if ((rc = check_out_budget(a, "GRAD_IN", in.arr.dtype, rank, in.desc.sizes)) != RC_OK) goto done;
    if ((rc = alloc_tensor(op, in.arr.dtype, rank, cl, in.desc.sizes, &gi)) != RC_OK) goto done;

    if (!open_device(a, op, &ctx, &rc)) goto done;
    t0 = now_s();
    explain_start(a);
    if (c->kind == K_POOL)
        st = clrs_pool_backward(ctx, &P.pool, &in.desc, in.arr.data, idx_path ? &in_idx.desc : NULL,
                                idx_path ? in_idx.arr.data : NULL, &go.desc, go.arr.data, &gi.desc, gi.arr.data);
    else if (c->kind == K_INTERP)
        st = clrs_interpolate_backward(ctx, &P.interp, &in.desc, &go.desc, go.arr.data, &gi.desc, gi.arr.data);
    else if (c->kind == K_UNPOOL)
        st = clrs_max_unpool_backward(ctx, &P.unpool, &in_idx.desc, in_idx.arr.data, &go.desc, go.arr.data,
                                      &gi.desc, gi.arr.data);
    else
        st = clrs_pixel_shuffle_backward(ctx, P.factor, c->sub, &go.desc, go.arr.data, &gi.desc, gi.arr.data);
    explain_stop(a);
    progress_computed(st == CLRS_OK, t0);
    if (st != CLRS_OK) {
        rc = lib_error(op, ctx, st);
        goto done;
    }
    t0 = now_s();
    rc = write_outputs(gi_path, &gi, NULL, NULL);
    if (rc == RC_OK) vstep("write output", t0);

done:
    clrs_context_release(ctx);
    npy_free(&in.arr);
    npy_free(&in_idx.arr);
    npy_free(&go.arr);
    npy_free(&gi.arr);
    npy_free(&samples.arr);
    return rc;
}

static int check_ranges(const args *a);
static int is_help(const char *s);
static const cmd_def *find_cmd(const char *name);

/* argv[0] = "backward", argv[1] = OP, then OP's arguments. */
static int backward_main(int argc, char **argv)
{
    if (argc < 2) {
        errorf("backward: no operator given (see '%s backward --help')", PROG);
        return RC_USAGE;
    }
    if (is_help(argv[1])) {
        print_backward_help(stdout);
        return RC_OK;
    }
    const cmd_def *fc = find_cmd(argv[1]);
    if (fc == NULL || !is_operator(fc)) {
        errorf("backward: '%s' is not an operator with a gradient (see '%s backward --help')", argv[1], PROG);
        return RC_USAGE;
    }
    const cmd_def *c = backward_cmd(fc);
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (is_help(argv[i])) {
            print_cmd_help(stdout, c);
            return RC_OK;
        }
    static args a;
    a.cmd = c;
    int rc = parse_cmd_args(c, argc - 2, argv + 2, &a);
    if (rc == RC_OK) rc = check_ranges(&a);
    if (rc != RC_OK) return rc;
    return run_backward(&a);
}

/* ------------------------------------------------------------------------ */
/* grid-sample and affine-grid                                              */

/* grid-sample IN GRID OUT (sub 0) and affine-grid THETA OUT (sub 1). GRID,
 * THETA and affine-grid's OUT keep PyTorch's layouts whatever
 * --channels-last says; it applies to grid-sample's IN and OUT. */
static int run_grid(const args *a)
{
    const cmd_def *c = a->cmd;
    const char *op = c->name;
    const int affine = c->sub == 1;
    const int cl = !affine && a->v[O_CHANNELS_LAST].given;
    const char *out_path = a->pos[affine ? 1 : 2];
    tensor in = {0}, grid = {0}, out = {0};
    clrs_context *ctx = NULL;
    clrs_status st;
    int rc;
    int64_t size[CLRS_MAX_RANK], out_sizes[CLRS_MAX_RANK];
    int rank = 0;

    if (affine) {
        const optval *v = &a->v[O_SIZE];
        if (v->n != 4 && v->n != 5) {
            errorf("%s: --size takes N,C,H,W or N,C,D,H,W (4 or 5 values), got %d ('%s')", op, v->n,
                   v->str);
            return RC_USAGE;
        }
        rank = v->n;
        memcpy(size, v->i, sizeof(int64_t) * (size_t)rank);
    }
    double t0 = now_s();
    const npy_limits lim = npy_budget(a, cl), glim = npy_budget(a, 0);
    if ((rc = load_tensor(op, a->pos[0], affine ? 0 : cl, 0, affine ? &glim : &lim, &in)) != RC_OK) goto done;
    if (!affine && (rc = load_tensor(op, a->pos[1], 0, 0, &glim, &grid)) != RC_OK) goto done;
    vstep("read input", t0);

    if (affine) {
        /* grid (N, [D,] H, W, R); the library checks THETA against it */
        const int R = rank - 2;
        out_sizes[0] = size[0];
        for (int k = 0; k < R; k++) out_sizes[1 + k] = size[2 + k];
        out_sizes[rank - 1] = R;
    } else {
        rank = in.arr.ndim;
        if ((st = clrs_grid_sample_output_shape(NULL, &in.desc, &grid.desc, out_sizes)) != CLRS_OK) {
            rc = lib_error(op, NULL, st);
            goto done;
        }
    }
    if ((rc = check_out_budget(a, "OUT", in.arr.dtype, rank, out_sizes)) != RC_OK) goto done;
    if ((rc = alloc_tensor(op, in.arr.dtype, rank, cl, out_sizes, &out)) != RC_OK) goto done;

    if (!open_device(a, op, &ctx, &rc)) goto done;
    t0 = now_s();
    explain_start(a);
    if (affine) {
        st = clrs_affine_grid(ctx, &in.desc, in.arr.data, rank, size, a->v[O_ALIGN_CORNERS].given ? 1 : 0,
                              &out.desc, out.arr.data);
    } else {
        clrs_grid_sample_params p;
        clrs_grid_sample_params_init(&p);
        if (a->v[O_GRID_MODE].given) p.mode = (clrs_grid_mode)a->v[O_GRID_MODE].i[0];
        if (a->v[O_PADDING_MODE].given) p.padding_mode = (clrs_grid_padding)a->v[O_PADDING_MODE].i[0];
        p.align_corners = a->v[O_ALIGN_CORNERS].given ? 1 : 0;
        st = clrs_grid_sample(ctx, &p, &in.desc, in.arr.data, &grid.desc, grid.arr.data, &out.desc,
                              out.arr.data);
    }
    explain_stop(a);
    progress_computed(st == CLRS_OK, t0);
    if (st != CLRS_OK) {
        rc = lib_error(op, ctx, st);
        goto done;
    }
    t0 = now_s();
    rc = write_outputs(out_path, &out, NULL, NULL);
    if (rc == RC_OK) vstep("write output", t0);

done:
    clrs_context_release(ctx);
    npy_free(&in.arr);
    npy_free(&grid.arr);
    npy_free(&out.arr);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* conv and conv-transpose                                                  */

/* A per-axis list option (1 value or one per spatial axis) into dst. */
static void take_list(const args *a, opt_id id, int *n, int64_t dst[3])
{
    const optval *v = &a->v[id];
    if (!v->given) return;
    *n = v->n > 3 ? 3 : v->n;
    for (int k = 0; k < *n; k++) dst[k] = v->i[k];
}

/* conv IN WEIGHT OUT (sub 0), conv-transpose IN WEIGHT OUT (sub 1).
 * WEIGHT and BIAS keep PyTorch's layouts; --channels-last applies to IN
 * and OUT. */
static int run_conv(const args *a)
{
    const cmd_def *c = a->cmd;
    const char *op = c->name;
    const int tr = c->sub == 1;
    const int cl = a->v[O_CHANNELS_LAST].given;
    tensor in = {0}, w = {0}, out = {0};
    npy_array bias = {0};
    clrs_tensor_desc bd;
    clrs_context *ctx = NULL;
    clrs_status st;
    int rc;
    int64_t out_sizes[CLRS_MAX_RANK];
    char err[512];

    clrs_conv_params p;
    clrs_conv_params_init(&p);
    take_list(a, O_STRIDE, &p.n_stride, p.stride);
    take_list(a, O_DILATION, &p.n_dilation, p.dilation);
    if (tr) {
        take_list(a, O_PADDING, &p.n_padding, p.padding);
        take_list(a, O_OUTPUT_PADDING, &p.n_output_padding, p.output_padding);
    }
    if (a->v[O_GROUPS].given) p.groups = a->v[O_GROUPS].i[0];
    /* usage errors before any file is read */
    if (!tr && a->v[O_CONV_PADDING].given) {
        const char *s = a->v[O_CONV_PADDING].str;
        if (!strcmp(s, "same")) {
            p.padding_kind = CLRS_CONV_PADDING_SAME;
        } else if (!strcmp(s, "valid")) {
            p.padding_kind = CLRS_CONV_PADDING_VALID;
        } else {
            /* a comma list of integers >= 0 */
            const char *q = s;
            p.n_padding = 0;
            for (;;) {
                char *end;
                errno = 0;
                long long v = strtoll(q, &end, 10);
                if (end == q || errno || v < 0 || p.n_padding == 3 || (*end != ',' && *end != '\0')) {
                    errorf("%s: --padding: expected same, valid or 1 to 3 comma-separated integers >= 0, got '%s'",
                           op, s);
                    return RC_USAGE;
                }
                p.padding[p.n_padding++] = v;
                if (*end == '\0') break;
                q = end + 1;
            }
        }
    }
    if (!tr && a->v[O_CONV_PMODE].given &&
        clrs_conv_padding_mode_parse(a->v[O_CONV_PMODE].str, &p.padding_mode) != CLRS_OK) {
        errorf("%s: --padding-mode: unknown value '%s' (expected one of: zeros, reflect, replicate, circular)", op,
               a->v[O_CONV_PMODE].str);
        return RC_USAGE;
    }

    double t0 = now_s();
    const npy_limits lim = npy_budget(a, cl), wlim = npy_budget(a, 0);
    if ((rc = load_tensor(op, a->pos[0], cl, 0, &lim, &in)) != RC_OK) goto done;
    if ((rc = load_tensor(op, a->pos[1], 0, 0, &wlim, &w)) != RC_OK) goto done;
    if (a->v[O_BIAS].given) {
        const char *bp = a->v[O_BIAS].str;
        if (npy_read_limited(bp, &wlim, &bias, err, sizeof err) != 0) {
            errorf("%s", err);
            rc = RC_FAIL;
            goto done;
        }
        if (bias.ndim != 1) {
            errorf("%s: --bias: expected a 1-D array (C_out), got %d-D", bp, bias.ndim);
            rc = RC_FAIL;
            goto done;
        }
        memset(&bd, 0, sizeof bd);
        bd.dtype = bias.dtype;
        bd.rank = 1;
        bd.sizes[0] = bias.shape[0];
        bd.strides[0] = 1;
    }
    vstep("read input", t0);
    if ((st = (tr ? clrs_conv_transpose_output_shape : clrs_conv_output_shape)(NULL, &p, &in.desc, &w.desc,
                                                                              out_sizes)) != CLRS_OK) {
        rc = lib_error(op, NULL, st);
        goto done;
    }
    const int rank = in.arr.ndim;
    if ((rc = check_out_budget(a, "OUT", in.arr.dtype, rank, out_sizes)) != RC_OK) goto done;
    if ((rc = alloc_tensor(op, in.arr.dtype, rank, cl, out_sizes, &out)) != RC_OK) goto done;

    if (!open_device(a, op, &ctx, &rc)) goto done;
    t0 = now_s();
    explain_start(a);
    const clrs_tensor_desc *bdp = a->v[O_BIAS].given ? &bd : NULL;
    const void *bdata = a->v[O_BIAS].given ? bias.data : NULL;
    if (bdp != NULL && bdata == NULL) bdata = &bd; /* an empty bias: any non-NULL pointer */
    st = (tr ? clrs_conv_transpose : clrs_conv)(ctx, &p, &in.desc, in.arr.data, &w.desc, w.arr.data, bdp, bdata,
                                                &out.desc, out.arr.data);
    explain_stop(a);
    progress_computed(st == CLRS_OK, t0);
    if (st != CLRS_OK) {
        rc = lib_error(op, ctx, st);
        goto done;
    }
    t0 = now_s();
    rc = write_outputs(a->pos[2], &out, NULL, NULL);
    if (rc == RC_OK) vstep("write output", t0);

done:
    clrs_context_release(ctx);
    npy_free(&in.arr);
    npy_free(&w.arr);
    npy_free(&bias);
    npy_free(&out.arr);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* resize: images                                                           */

/* The side to go with `given` pixels on the other axis so that the aspect
 * ratio stays: round(this_in * given / other_in), halves up, at least 1. */
static int64_t aspect_side(int64_t given, uint32_t other_in, uint32_t this_in)
{
    if (other_in == 0) return 1;
    /* given, this_in < 2^31: 2 * this_in * given < 2^63 */
    uint64_t num = 2u * (uint64_t)this_in * (uint64_t)given + other_in;
    uint64_t side = num / (2u * (uint64_t)other_in);
    return side ? (int64_t)side : 1;
}

static int run_resize(const args *a)
{
    const char *op = a->cmd->name;
    const char *in_path = a->pos[0], *out_path = a->pos[1];
    image in = {0}, out = {0};
    clrs_context *ctx = NULL;
    char err[512];
    clrs_status st;
    int rc = RC_FAIL;

    /* OUT's type is part of the command line: a usage error, found before any work.
     * OUT "-" (stdout), or an existing device or FIFO, without a known
     * extension gets the input's format. */
    image_format fmt = image_format_from_path(out_path);
    struct stat ost;
    const int out_stream = !strcmp(out_path, "-") ||
                           (stat(out_path, &ost) == 0 && !S_ISREG(ost.st_mode) &&
                            !S_ISDIR(ost.st_mode));
    if (fmt == IMAGE_FMT_UNKNOWN && !out_stream) {
        errorf("%s: OUT '%s' has no known image extension (expected .png, .ppm or .pgm)", op,
               out_path);
        return RC_USAGE;
    }
    double t0 = now_s();
    const image_limits lim = {budget_pixels(a), budget_bytes(a)};
    if (image_read_limited(in_path, &lim, &in, err, sizeof err) != 0) {
        errorf("%s", err);
        goto done;
    }
    if (fmt == IMAGE_FMT_UNKNOWN) fmt = in.format;
    if (image_check_format(out_path, fmt, in.channels, err, sizeof err) != 0) {
        errorf("%s", err);
        goto done;
    }
    vstep("read input", t0);

    clrs_interpolate_params p;
    clrs_interpolate_params_init(&p);
    p.mode = a->v[O_MODE].given ? (clrs_interp_mode)a->v[O_MODE].i[0] : CLRS_INTERP_BILINEAR;
    if (a->v[O_IMG_SIZE].given) {
        int64_t w = a->v[O_IMG_SIZE].i[0], h = a->v[O_IMG_SIZE].i[1];
        /* "640x" / "x480": the other side keeps the aspect ratio */
        if (w == 0) w = aspect_side(h, in.height, in.width);
        if (h == 0) h = aspect_side(w, in.width, in.height);
        if (w > (int64_t)IMAGE_MAX_DIM || h > (int64_t)IMAGE_MAX_DIM) {
            errorf("%s: --size %s on a %ux%u image gives %lldx%lld, above the limit of "
                   "2147483647 per side",
                   op, a->v[O_IMG_SIZE].str, in.width, in.height, (long long)w, (long long)h);
            goto done;
        }
        p.n_size = 2; /* (H, W) in the library's order; the option says W first */
        p.size[0] = h;
        p.size[1] = w;
    } else {
        p.n_scale = 1;
        p.scale[0] = a->v[O_IMG_SCALE].d[0];
    }
    p.align_corners = a->v[O_ALIGN_CORNERS].given ? 1 : CLRS_UNSET;
    p.antialias = a->v[O_ANTIALIAS].given ? 1 : 0;

    /* The decoded buffer is (H, W, C): a channels-last (1, C, H, W) tensor as it is. */
    const clrs_dtype dt = in.depth == 16 ? CLRS_U16 : CLRS_U8;
    const int64_t in_sizes[4] = {1, in.channels, in.height, in.width};
    int64_t out_sizes[CLRS_MAX_RANK];
    clrs_tensor_desc din, dout;
    if ((st = clrs_tensor_desc_channels_last(&din, dt, 4, in_sizes)) != CLRS_OK ||
        (st = clrs_interpolate_output_shape(NULL, &din, &p, out_sizes)) != CLRS_OK) {
        rc = lib_error(op, NULL, st);
        goto done;
    }
    if (image_check_budget(out_path, (uint64_t)out_sizes[3], (uint64_t)out_sizes[2], in.channels,
                           in.depth, &lim, err, sizeof err) != 0 ||
        image_alloc(&out, (uint64_t)out_sizes[3], (uint64_t)out_sizes[2], in.channels, in.depth,
                    out_path, err, sizeof err) != 0) {
        errorf("%s", err);
        goto done;
    }
    if ((st = clrs_tensor_desc_channels_last(&dout, dt, 4, out_sizes)) != CLRS_OK) {
        rc = lib_error(op, NULL, st);
        goto done;
    }
    vlog("%ux%u -> %lldx%lld pixels, %d channel%s of %d bits", in.width, in.height,
         (long long)out_sizes[3], (long long)out_sizes[2], in.channels, in.channels > 1 ? "s" : "",
         in.depth);

    if (!open_device(a, op, &ctx, &rc)) goto done;
    t0 = now_s();
    explain_start(a);
    st = clrs_interpolate(ctx, &p, &din, in.data, &dout, out.data);
    explain_stop(a);
    progress_computed(st == CLRS_OK, t0);
    if (st != CLRS_OK) {
        rc = lib_error(op, ctx, st);
        goto done;
    }
    t0 = now_s();
    atomic_file af;
    if (atomic_file_open(&af, out_path, err, sizeof err) != 0) {
        errorf("%s", err);
        goto done;
    }
    if (atomic_file_finish(&af, image_write_fd(af.fd, out_path, fmt, &out, err, sizeof err) == 0,
                           err, sizeof err) != 0) {
        errorf("%s", err);
        goto done;
    }
    vstep("write output", t0);
    rc = RC_OK;

done:
    clrs_context_release(ctx);
    image_free(&in);
    image_free(&out);
    return rc;
}

/* resize-batch: several images, one size, one clrs_resize_batch call. The
 * outputs go to --out-dir under the inputs' file names; an existing output
 * that is a symbolic link or not a regular file is refused (the names are
 * derived, not given: nothing is written through a link planted there). */
static int run_resize_batch(const args *a)
{
    const char *op = a->cmd->name, *dir = opt_str(a, O_OUT_DIR);
    const int n = a->nrest;
    image *in = NULL, out = {0};
    char **out_path = NULL;
    clrs_tensor_desc *din = NULL;
    const void **data = NULL;
    clrs_context *ctx = NULL;
    char err[512];
    clrs_status st;
    int rc = RC_FAIL;
    const int64_t w = a->v[O_IMG_SIZE].i[0], h = a->v[O_IMG_SIZE].i[1];
    if (w == 0 || h == 0) {
        errorf("%s: --size %s: give both sides (WxH); every image gets this size", op,
               a->v[O_IMG_SIZE].str);
        return RC_USAGE;
    }
    struct stat dst;
    if (stat(dir, &dst) != 0 || !S_ISDIR(dst.st_mode)) {
        errorf("%s: --out-dir '%s' is not an existing directory", op, dir);
        return RC_USAGE;
    }
    in = calloc((size_t)n, sizeof *in);
    out_path = calloc((size_t)n, sizeof *out_path);
    din = calloc((size_t)n, sizeof *din);
    data = calloc((size_t)n, sizeof *data);
    if (in == NULL || out_path == NULL || din == NULL || data == NULL) {
        errorf("%s: out of memory", op);
        goto done;
    }
    double t0 = now_s();
    const image_limits lim = {budget_pixels(a), budget_bytes(a)};
    for (int i = 0; i < n; i++) {
        if (image_read_limited(a->rest[i], &lim, &in[i], err, sizeof err) != 0) {
            errorf("%s", err);
            goto done;
        }
        if (in[i].channels != in[0].channels || in[i].depth != in[0].depth) {
            errorf("%s: '%s' is %d-bit %s but '%s' is %d-bit %s: one batch takes one channel "
                   "count and bit depth",
                   op, a->rest[i], in[i].depth, image_channels_name(in[i].channels), a->rest[0],
                   in[0].depth, image_channels_name(in[0].channels));
            goto done;
        }
        /* DIR/<IN's file name>, the input format's extension added when it has no known one */
        const char *base = strrchr(a->rest[i], '/');
        base = base ? base + 1 : a->rest[i];
        image_format fmt = image_format_from_path(base);
        const char *ext = fmt != IMAGE_FMT_UNKNOWN ? "" : in[i].format == IMAGE_FMT_PNG ? ".png"
                                                      : in[i].format == IMAGE_FMT_PPM ? ".ppm"
                                                                                        : ".pgm";
        size_t len = strlen(dir) + strlen(base) + strlen(ext) + 2;
        if (*base == '\0' || (out_path[i] = malloc(len)) == NULL) {
            errorf("%s: no output name for '%s'", op, a->rest[i]);
            goto done;
        }
        snprintf(out_path[i], len, "%s/%s%s", dir, base, ext);
        for (int j = 0; j < i; j++)
            if (!strcmp(out_path[i], out_path[j])) {
                errorf("%s: '%s' and '%s' would both be written to '%s'", op, a->rest[j], a->rest[i],
                       out_path[i]);
                rc = RC_USAGE;
                goto done;
            }
        struct stat ost;
        if (lstat(out_path[i], &ost) == 0 && !S_ISREG(ost.st_mode)) {
            errorf("%s: '%s' exists and is %s: not written", op, out_path[i],
                   S_ISLNK(ost.st_mode) ? "a symbolic link" : "not a regular file");
            goto done;
        }
        if (image_check_format(out_path[i], image_format_from_path(out_path[i]), in[i].channels, err,
                               sizeof err) != 0) {
            errorf("%s", err);
            goto done;
        }
        const int64_t sz[4] = {1, in[i].channels, in[i].height, in[i].width};
        if ((st = clrs_tensor_desc_channels_last(&din[i], in[i].depth == 16 ? CLRS_U16 : CLRS_U8, 4, sz)) !=
            CLRS_OK) {
            rc = lib_error(op, NULL, st);
            goto done;
        }
        data[i] = in[i].data;
    }
    vstep("read inputs", t0);

    clrs_interpolate_params p;
    clrs_interpolate_params_init(&p);
    p.mode = a->v[O_MODE].given ? (clrs_interp_mode)a->v[O_MODE].i[0] : CLRS_INTERP_BILINEAR;
    p.n_size = 2; /* (H, W) in the library's order; the option says W first */
    p.size[0] = h;
    p.size[1] = w;
    p.align_corners = a->v[O_ALIGN_CORNERS].given ? 1 : CLRS_UNSET;
    p.antialias = a->v[O_ANTIALIAS].given ? 1 : 0;

    /* the batch (N, C, H, W) channels-last: image i's output is an image buffer at i * H*W*C */
    if (image_check_budget("output", (uint64_t)w, (uint64_t)h * (uint64_t)n, in[0].channels, in[0].depth,
                           &lim, err, sizeof err) != 0 ||
        image_alloc(&out, (uint64_t)w, (uint64_t)h * (uint64_t)n, in[0].channels, in[0].depth, "output",
                    err, sizeof err) != 0) {
        errorf("%s", err);
        goto done;
    }
    const clrs_dtype dt = in[0].depth == 16 ? CLRS_U16 : CLRS_U8;
    const int64_t out_sizes[4] = {n, in[0].channels, h, w};
    clrs_tensor_desc dout;
    if ((st = clrs_tensor_desc_channels_last(&dout, dt, 4, out_sizes)) != CLRS_OK) {
        rc = lib_error(op, NULL, st);
        goto done;
    }
    vlog("%d images -> %lldx%lld pixels, %d channel%s of %d bits", n, (long long)w, (long long)h,
         in[0].channels, in[0].channels > 1 ? "s" : "", in[0].depth);

    if (!open_device(a, op, &ctx, &rc)) goto done;
    t0 = now_s();
    explain_start(a);
    st = clrs_resize_batch(ctx, &p, (size_t)n, din, data, &dout, out.data);
    explain_stop(a);
    progress_computed(st == CLRS_OK, t0);
    if (st != CLRS_OK) {
        rc = lib_error(op, ctx, st);
        goto done;
    }
    t0 = now_s();
    const size_t one = out.nbytes / (size_t)n;
    for (int i = 0; i < n; i++) {
        image oi = out;
        oi.height = (uint32_t)h;
        oi.data = (unsigned char *)out.data + (size_t)i * one;
        oi.nbytes = one;
        atomic_file af;
        if (atomic_file_open(&af, out_path[i], err, sizeof err) != 0) {
            errorf("%s", err);
            goto done;
        }
        if (atomic_file_finish(&af,
                               image_write_fd(af.fd, out_path[i], image_format_from_path(out_path[i]), &oi,
                                              err, sizeof err) == 0,
                               err, sizeof err) != 0) {
            errorf("%s", err);
            goto done;
        }
    }
    vstep("write outputs", t0);
    rc = RC_OK;

done:
    clrs_context_release(ctx);
    for (int i = 0; in != NULL && i < n; i++) image_free(&in[i]);
    for (int i = 0; out_path != NULL && i < n; i++) free(out_path[i]);
    image_free(&out);
    free(in);
    free(out_path);
    free(din);
    free(data);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* devices, info                                                            */

/* A fixed-size char field printed safely even if it lacks a NUL. */
#define FIELD(x) (int)strnlen((x), sizeof(x)), (x)

static const char *fmt_bytes(char *buf, size_t len, uint64_t bytes)
{
    if (bytes >= (1ull << 30))
        snprintf(buf, len, "%.1f GiB", (double)bytes / (double)(1ull << 30));
    else
        snprintf(buf, len, "%.1f MiB", (double)bytes / (double)(1ull << 20));
    return buf;
}

static void print_device(const clrs_device_info *d, const char *indent)
{
    char m1[32], m2[32];
    printf("%svendor %.*s; %.*s; driver %.*s\n", indent, FIELD(d->vendor), FIELD(d->version),
           FIELD(d->driver));
    printf("%smemory %s, max allocation %s, max work-group %zu\n", indent,
           fmt_bytes(m1, sizeof m1, d->global_mem), fmt_bytes(m2, sizeof m2, d->max_alloc),
           d->max_work_group);
    printf("%sfp64 %s, fp16 %s, images %s\n", indent, d->fp64 ? "yes" : "no",
           d->fp16 ? "yes" : "no", d->images ? "yes" : "no");
}

static int run_devices(const args *a)
{
    (void)a;
    clrs_device_info *list = NULL;
    size_t n = 0;
    clrs_status st = clrs_device_list(&list, &n);
    if (st != CLRS_OK) return lib_error("devices", NULL, st);
    int platform = -1;
    for (size_t i = 0; i < n; i++) {
        const clrs_device_info *d = &list[i];
        if (d->platform_index != platform || i == 0) {
            platform = d->platform_index;
            printf("%splatform %d: %.*s\n", i ? "\n" : "", platform, FIELD(d->platform));
        }
        printf("  %c %d:%d %.*s [%.*s]%s\n", d->is_default ? '*' : ' ', d->platform_index,
               d->device_index, FIELD(d->name), FIELD(d->type),
               d->available ? "" : " (unavailable)");
        print_device(d, "      ");
        if (d->reason[0])
            printf("      %s: %.*s\n", d->is_default ? "default" : "not default", FIELD(d->reason));
    }
    if (n == 0)
        printf("no OpenCL devices found\n");
    else
        printf("\n* = the default device (CLRS_DEVICE or --device chooses another)\n");
    clrs_device_list_free(list);
    return RC_OK;
}

static void tuning_env_name(const char *field, char *buf, size_t len)
{
    snprintf(buf, len, "CLRS_TUNE_%s", field);
    for (char *p = buf + 10; *p; p++) *p = (char)toupper((unsigned char)*p);
}

/* The tuning entry in force and each value with where it came from. */
static void print_tuning(const clrs_context *ctx)
{
    const char *entry = NULL, *note = NULL, *file = NULL;
    if (clrs_tuning_entry(ctx, &entry, &note, &file) != CLRS_OK) return;
    printf("tuning: entry %s (%s)\n", entry, note);
    printf("  tuning file: %s\n", file && *file ? file : "(none: run 'clresample tune' to write one)");
    for (int t = 0; clrs_tuning_name(t) != NULL; t++) {
        int64_t v = 0;
        const char *src = NULL;
        if (clrs_tuning_get(ctx, clrs_tuning_name(t), &v, &src) != CLRS_OK) continue;
        printf("  %-28s %-12" PRId64 " %s\n", clrs_tuning_name(t), v, src);
    }
}

/* info: the "conv" entry a dense convolution would take on ctx (bench
 * W21's layer on one image: (1,64,128,128) f32 3x3 stride 2 -> 128), by a
 * dry run (nothing built or launched), with the entries' reasons. */
typedef struct info_conv {
    char chosen[32];
    char why[256];
} info_conv;
static void info_conv_cb(void *user, const char *family, const char *impl, int chosen, const char *reason)
{
    info_conv *ic = user;
    if (strcmp(family, "conv") != 0) return;
    if (chosen)
        snprintf(ic->chosen, sizeof ic->chosen, "%s", impl);
    else if (strcmp(impl, "clblast") == 0)
        snprintf(ic->why, sizeof ic->why, "conv/clblast declined: %s", reason ? reason : "?");
}

static void print_dense_conv(clrs_context *ctx)
{
    const char *fam = NULL, *name;
    int clblast = 0;
    for (size_t k = 0; (name = clrs_impl_at(k, &fam, NULL)) != NULL; k++)
        if (!strcmp(fam, "conv") && !strcmp(name, "clblast")) clblast = 1;
#ifdef CLRS_CLBLAST_VERSION
    const char *ver = " " CLRS_CLBLAST_VERSION;
#else
    const char *ver = "";
#endif
    printf("CLBlast: %s\n", clblast ? "compiled in (conv/clblast)" : "not compiled in (configure --with-clblast)");
    if (clblast && *ver) printf("  version:%s (at build time)\n", ver);
    if (ctx == NULL) return;
    clrs_conv_params p;
    clrs_conv_params_init(&p);
    p.n_stride = p.n_padding = 1;
    p.stride[0] = 2;
    p.padding[0] = 1;
    const int64_t is[4] = {1, 64, 128, 128}, ws[4] = {128, 64, 3, 3};
    int64_t os[CLRS_MAX_RANK];
    clrs_tensor_desc di, dw, dout;
    info_conv ic = {"?", ""};
    /* a dry run reads and writes nothing, but the host form checks the
     * arrays do not overlap: three of their sizes */
    float *bi = calloc(64 * 128 * 128, sizeof(float)), *bw = calloc(128 * 64 * 9, sizeof(float)),
          *bo = calloc(128 * 64 * 64, sizeof(float));
    if (bi != NULL && bw != NULL && bo != NULL && clrs_tensor_desc_contiguous(&di, CLRS_F32, 4, is) == CLRS_OK &&
        clrs_tensor_desc_contiguous(&dw, CLRS_F32, 4, ws) == CLRS_OK &&
        clrs_conv_output_shape(ctx, &p, &di, &dw, os) == CLRS_OK &&
        clrs_tensor_desc_contiguous(&dout, CLRS_F32, 4, os) == CLRS_OK &&
        clrs_explain_begin(info_conv_cb, &ic, CLRS_EXPLAIN_DRY_RUN) == CLRS_OK) {
        clrs_status st = clrs_conv(ctx, &p, &di, bi, &dw, bw, NULL, NULL, &dout, bo);
        clrs_explain_end();
        if (st != CLRS_OK) snprintf(ic.chosen, sizeof ic.chosen, "? (%s)", clrs_status_name(st));
    }
    free(bi);
    free(bw);
    free(bo);
    printf("  dense conv (1x64x128x128 f32, 3x3 stride 2 -> 128 channels): conv/%s%s%s\n", ic.chosen,
           ic.why[0] ? "; " : "", ic.why);
}

static int run_info(const args *a)
{
    /* Every CLRS_ variable the library reads (tests/test_cli.sh checks the
     * list against src/), then the OpenCL loader's and PoCL's main ones. */
    static const char *const env_names[] = {
        "CLRS_DEVICE",
        "CLRS_LOG",
        "CLRS_CACHE_DIR",
        "CLRS_CACHE_READONLY",
        "CLRS_CACHE_MAX_MB",
        "CLRS_KERNEL_DIR",
        "CLRS_OPENCL_BUILD_OPTIONS",
        "CLRS_DISABLE_IMPLS",
        "OCL_ICD_VENDORS",
        "POCL_DEVICES",
    };
    int rc = RC_OK;
    const char *lib = clrs_version_string();
    printf("version: %s (library %s)\n", CLRS_VERSION_STRING, lib ? lib : "?");

    clrs_context_options opts;
    clrs_context_options_init(&opts);
    opts.device = opt_str(a, O_DEVICE);
    clrs_context *ctx = NULL;
    clrs_device_info d = {0};
    clrs_status st = clrs_context_create(&ctx, &opts);
    if (st != CLRS_OK) ctx = NULL;
    if (st == CLRS_OK) st = clrs_context_device(ctx, &d);
    if (st == CLRS_OK) {
        printf("device: %d:%d %.*s [%.*s] on platform %.*s\n", d.platform_index, d.device_index,
               FIELD(d.name), FIELD(d.type), FIELD(d.platform));
        print_device(&d, "  ");
        if (d.reason[0]) printf("  reason: %.*s\n", FIELD(d.reason));
        print_tuning(ctx);
        print_dense_conv(ctx);
    } else {
        print_dense_conv(NULL);
        printf("device: (none)\n");
        rc = lib_error("info", ctx, st);
    }
    clrs_context_release(ctx);

    const char *cache = clrs_cache_dir();
    printf("cache directory: %s\n", cache && *cache ? cache : "(disabled)");
    printf("environment:\n");
    for (size_t i = 0; i < sizeof env_names / sizeof env_names[0]; i++) {
        const char *v = getenv(env_names[i]);
        printf("  %-34s %s\n", env_names[i], v ? (*v ? v : "(empty)") : "(unset)");
        if (!strcmp(env_names[i], "CLRS_DISABLE_IMPLS")) /* then one CLRS_TUNE_<NAME> per tuning value */
            for (int t = 0; clrs_tuning_name(t) != NULL; t++) {
                char name[64];
                tuning_env_name(clrs_tuning_name(t), name, sizeof name);
                const char *tv = getenv(name);
                printf("  %-34s %s\n", name, tv ? (*tv ? tv : "(empty)") : "(unset)");
            }
    }
    printf("implementations (each family's list, in the order tried; * = the bits of its general entry):\n");
    const char *prev = NULL;
    for (size_t k = 0;; k++) {
        const char *fam = NULL;
        int exact = 0;
        const char *name = clrs_impl_at(k, &fam, &exact);
        if (name == NULL) break;
        if (prev == NULL || strcmp(prev, fam) != 0) printf("%s  %s:", prev ? "\n" : "", fam);
        printf(" %s%s", name, exact ? "*" : "");
        prev = fam;
    }
    if (prev) printf("\n");
    return rc;
}

/* ------------------------------------------------------------------------ */

static const cmd_def *find_cmd(const char *name)
{
    for (size_t i = 0; i < NCMDS; i++)
        if (!strcmp(CMDS[i].name, name)) return &CMDS[i];
    return NULL;
}

static int is_help(const char *s) { return !strcmp(s, "-h") || !strcmp(s, "--help"); }
static int is_verbose(const char *s) { return !strcmp(s, "-v") || !strcmp(s, "--verbose"); }

/* `clresample cache [info|clear|verify]`: the on-disk kernel binary cache. */
static int run_cache(int argc, char **argv)
{
    static const char usage[] =
        "usage: clresample cache [info|clear|verify]\n\n"
        "The on-disk cache of compiled OpenCL programs (CLRS_CACHE_DIR; default\n"
        "$XDG_CACHE_HOME/clresample/clcache or ~/.cache/clresample/clcache).\n"
        "  info    where it is, whether it is in use (and why not), entries, size, cap\n"
        "  clear   remove every entry\n"
        "  verify  check every entry's owner, format and HMAC; remove bad ones\n"
        "A directory that another user could write to is never used (docs/security.md).\n";
    const char *what = argc > 0 ? argv[0] : "info";
    if (argc > 1 || is_help(what)) {
        if (argc > 1) {
            errorf("cache: unexpected argument '%s' (see 'clresample cache --help')", argv[1]);
            return RC_USAGE;
        }
        fputs(usage, stdout);
        return RC_OK;
    }
    if (!strcmp(what, "info")) {
        clrs_cache_info ci;
        clrs_status st = clrs_cache_stats(&ci);
        if (st != CLRS_OK) return lib_error("cache info", NULL, st);
        if (ci.enabled)
            printf("cache directory: %s%s\n", ci.dir, ci.readonly ? " (read-only)" : "");
        else
            printf("cache directory: (off: %s)\n", ci.off_reason);
        printf("entries: %llu\nsize: %llu bytes\nlimit: %llu bytes (CLRS_CACHE_MAX_MB)\n",
               (unsigned long long)ci.entries, (unsigned long long)ci.bytes, (unsigned long long)ci.max_bytes);
        return RC_OK;
    }
    if (!strcmp(what, "clear")) {
        uint64_t removed = 0;
        clrs_status st = clrs_cache_clear_disk(&removed);
        if (st != CLRS_OK) return lib_error("cache clear", NULL, st);
        printf("removed %llu entries from %s\n", (unsigned long long)removed, clrs_cache_dir());
        return RC_OK;
    }
    if (!strcmp(what, "verify")) {
        uint64_t good = 0, bad = 0;
        clrs_status st = clrs_cache_verify(&good, &bad);
        if (st != CLRS_OK) return lib_error("cache verify", NULL, st);
        printf("%llu good, %llu bad%s in %s\n", (unsigned long long)good, (unsigned long long)bad,
               bad ? " (removed)" : "", clrs_cache_dir());
        return bad ? RC_FAIL : RC_OK;
    }
    errorf("cache: unknown action '%s' (info, clear or verify)", what);
    return RC_USAGE;
}

/* Flush stdout; a write error (e.g. a full disk) is a runtime failure. */
static int finish(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (rc == RC_OK) {
            errorf("error writing to standard output: %s", strerror(errno));
            rc = RC_FAIL;
        }
    }
    return rc;
}

/* Ranges that need two options: interpolate --size 0 only with --mode area
 * (adaptive_avg_pool allows an empty output; the other modes never do). */
static int check_ranges(const args *a)
{
    const cmd_def *c = a->cmd;
    const optval *v = &a->v[O_SIZE];
    if (c->kind != K_INTERP || !v->given || a->v[O_MODE].i[0] == CLRS_INTERP_AREA) return RC_OK;
    for (int k = 0; k < v->n; k++)
        if (v->i[k] == 0) {
            errorf(v->n > 1 ? "%s: --size: invalid value '0' in '%s': must be positive (0 only "
                              "with --mode area)"
                            : "%s: --size: invalid value '%s': must be positive (0 only with "
                              "--mode area)",
                   c->name, v->str);
            return RC_USAGE;
        }
    return RC_OK;
}

int main(int argc, char **argv)
{
    /* -v/--verbose: before the subcommand, or anywhere among its arguments
     * (before a "--"); taken out here so the parsers never see it */
    int verbose = 0;
    while (argc > 1 && is_verbose(argv[1])) {
        verbose = 1;
        argv[1] = argv[0];
        argv++;
        argc--;
    }
    if (argc > 2 && strcmp(argv[1], "bench") != 0) {
        int n = 2;
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "--")) {
                while (i < argc) argv[n++] = argv[i++];
                break;
            }
            if (is_verbose(argv[i]))
                verbose = 1;
            else
                argv[n++] = argv[i];
        }
        argc = n;
        argv[argc] = NULL;
    }
    if (argc < 2) {
        errorf("no subcommand given (see '%s --help')", PROG);
        return RC_USAGE;
    }
    const char *s = argv[1];
    if (is_help(s)) {
        print_main_help(stdout);
        return finish(RC_OK);
    }
    if (!strcmp(s, "--version")) {
        print_version();
        return finish(RC_OK);
    }
    if (!strcmp(s, "help")) {
        /* the subcommands with their own parsers print their own help */
        static char help_opt[] = "--help";
        if (argc > 2 && !strcmp(argv[2], "cache")) {
            char *h[] = {help_opt, NULL};
            return finish(run_cache(1, h));
        }
        if (argc > 2 && (!strcmp(argv[2], "bench") || !strcmp(argv[2], "tune") || !strcmp(argv[2], "onnx"))) {
            char *h[] = {argv[2], help_opt, NULL};
            return finish(!strcmp(argv[2], "bench") ? clrs_bench_main(2, h)
                          : !strcmp(argv[2], "tune") ? clrs_tune_main(2, h)
                                                     : onnx_main(2, h));
        }
        const cmd_def *c = argc > 2 ? find_cmd(argv[2]) : NULL;
        if (argc > 2 && !c) {
            errorf("unknown subcommand '%s' (see '%s --help')", argv[2], PROG);
            return RC_USAGE;
        }
        if (c)
            print_cmd_help(stdout, c);
        else
            print_main_help(stdout);
        return finish(RC_OK);
    }
    if (s[0] == '-') {
        errorf("unknown option '%s' (see '%s --help')", s, PROG);
        return RC_USAGE;
    }
    if (!strcmp(s, "bench")) {
        if (verbose) {
            errorf("--verbose does not apply to bench");
            return RC_USAGE;
        }
        return clrs_bench_main(argc - 1, argv + 1); /* bench/bench.c */
    }
    if (!strcmp(s, "cache")) return finish(run_cache(argc - 2, argv + 2));
    if (!strcmp(s, "backward")) {
        progress_init(verbose);
        atomic_file_install_signal_cleanup();
        return finish(backward_main(argc - 1, argv + 1));
    }
    if (!strcmp(s, "tune")) return finish(clrs_tune_main(argc - 1, argv + 1)); /* bench/bench.c */
    if (!strcmp(s, "onnx")) {                                                   /* tools/onnx_cli.c */
        progress_init(verbose);
        atomic_file_install_signal_cleanup();
        return finish(onnx_main(argc - 1, argv + 1));
    }
    const cmd_def *c = find_cmd(s);
    if (!c) {
        errorf("unknown subcommand '%s' (see '%s --help')", s, PROG);
        return RC_USAGE;
    }
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (is_help(argv[i])) {
            print_cmd_help(stdout, c);
            return finish(RC_OK);
        }
    }
    if (c->kind != K_NONE) progress_init(verbose); /* before any library call */
    /* Interrupted while writing: no temporary file is left behind. */
    atomic_file_install_signal_cleanup();
    static args a; /* large-ish; zero-initialised */
    a.cmd = c;
    int rc = parse_cmd_args(c, argc - 2, argv + 2, &a);
    if (rc == RC_OK) rc = check_ranges(&a);
    if (rc != RC_OK) return rc;
    rc = c->run ? c->run(&a) : run_op(&a);
    return finish(rc);
}
