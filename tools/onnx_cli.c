/* SPDX-License-Identifier: MIT */
/* `clresample onnx OPTYPE INPUT... -o OUTPUT... [--ATTRIBUTE VALUE ...]`:
 * argument parsing, attribute access, the data layouts (--layout) and the
 * atomic writing of every output. The ops themselves are in
 * tools/onnx_ops_*.c (see onnx_cli.h). */
#define _XOPEN_SOURCE 700 /* realpath() in atomicfile.h */
#include "onnx_cli.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"

#define PROG "clresample"
#define ONNX_STRIDED_OFFSET 3
/* Budget defaults as for every other subcommand (see clresample.c). */
#define ONNX_DEFAULT_MAX_PIXELS ((uint64_t)1 << 28)
#define ONNX_DEFAULT_MAX_BYTES ((uint64_t)1 << 32)

static uint64_t g_max_bytes = ONNX_DEFAULT_MAX_BYTES, g_max_pixels = ONNX_DEFAULT_MAX_PIXELS;

/* ------------------------------------------------------------------------ */
/* The op tables                                                            */

static const onnx_op_def *const OP_TABLES[] = {onnx_ops_resize, onnx_ops_pool, onnx_ops_grid, onnx_ops_conv};

static const onnx_op_def *find_op(const char *name)
{
    for (size_t t = 0; t < sizeof OP_TABLES / sizeof OP_TABLES[0]; t++)
        for (const onnx_op_def *d = OP_TABLES[t]; d->name; d++)
            if (!strcmp(d->name, name)) return d;
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Messages                                                                 */

static void vline(const char *op, const char *fmt, va_list ap)
{
    char msg[2048];
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    if (n < 0) msg[0] = '\0';
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = ' ';
    fflush(stdout);
    if (op)
        fprintf(stderr, "%s: error: onnx %s: %s\n", PROG, op, msg);
    else
        fprintf(stderr, "%s: error: onnx: %s\n", PROG, msg);
}

void onnx_error(const onnx_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(c ? c->op : NULL, fmt, ap);
    va_end(ap);
}

static void plain_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void plain_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(NULL, fmt, ap);
    va_end(ap);
}

int onnx_lib_fail(onnx_call *c, clrs_status st)
{
    const char *detail = clrs_last_error(c->ctx);
    if (st == CLRS_ERR_NOT_IMPLEMENTED)
        onnx_error(c, "not implemented: %s", detail && *detail ? detail : clrs_strerror(st));
    else
        onnx_error(c, "%s", detail && *detail ? detail : clrs_strerror(st));
    switch (st) {
    case CLRS_ERR_BAD_PARAM:
    case CLRS_ERR_BAD_SHAPE:
    case CLRS_ERR_INVALID_ARG:
    case CLRS_ERR_BAD_DTYPE:
        return ONNX_RC_USAGE;
    default:
        return ONNX_RC_FAIL;
    }
}

clrs_context *onnx_ctx(onnx_call *c)
{
    if (c->ctx) return c->ctx;
    clrs_context_options o;
    clrs_context_options_init(&o);
    o.device = c->device;
    clrs_status st = clrs_context_create(&c->ctx, &o);
    if (st != CLRS_OK) {
        c->ctx = NULL;
        const char *d = clrs_last_error(NULL);
        onnx_error(c, "%s", d && *d ? d : clrs_strerror(st));
        return NULL;
    }
    return c->ctx;
}

/* ------------------------------------------------------------------------ */
/* Attributes                                                               */

static onnx_attr *attr_find(onnx_call *c, const char *name)
{
    for (int i = 0; i < c->nattr; i++)
        if (!strcmp(c->attr[i].name, name)) return &c->attr[i];
    return NULL;
}

int onnx_attr_has(const onnx_call *c, const char *name)
{
    for (int i = 0; i < c->nattr; i++)
        if (!strcmp(c->attr[i].name, name)) return 1;
    return 0;
}

static int parse_i64(const char *s, int64_t *v)
{
    if (!*s) return -1;
    errno = 0;
    char *end;
    long long x = strtoll(s, &end, 10);
    if (errno || *end) return -1;
    *v = x;
    return 0;
}

static int parse_f64(const char *s, double *v)
{
    if (!*s) return -1;
    errno = 0;
    char *end;
    double x = strtod(s, &end);
    if (*end || (errno == ERANGE && isinf(x))) return -1;
    *v = x;
    return 0;
}

int onnx_attr_int(onnx_call *c, const char *name, int64_t def, int64_t *v)
{
    onnx_attr *a = attr_find(c, name);
    *v = def;
    if (!a) return ONNX_RC_OK;
    a->used = 1;
    if (parse_i64(a->value, v) != 0) {
        onnx_error(c, "--%s '%s' is not an integer", name, a->value);
        return ONNX_RC_USAGE;
    }
    return ONNX_RC_OK;
}

int onnx_attr_float(onnx_call *c, const char *name, double def, double *v)
{
    onnx_attr *a = attr_find(c, name);
    *v = def;
    if (!a) return ONNX_RC_OK;
    a->used = 1;
    if (parse_f64(a->value, v) != 0) {
        onnx_error(c, "--%s '%s' is not a number", name, a->value);
        return ONNX_RC_USAGE;
    }
    return ONNX_RC_OK;
}

int onnx_attr_str(onnx_call *c, const char *name, const char *def, const char **v)
{
    onnx_attr *a = attr_find(c, name);
    *v = def;
    if (!a) return ONNX_RC_OK;
    a->used = 1;
    *v = a->value;
    return ONNX_RC_OK;
}

/* Split a comma-separated list; "" is the empty list. */
static int parse_list(onnx_call *c, const char *name, const char *s, int64_t *iv, double *dv, int max, int *n)
{
    *n = 0;
    if (!*s) return ONNX_RC_OK;
    char buf[1024];
    if (strlen(s) >= sizeof buf) {
        onnx_error(c, "--%s: list of %zu characters is too long", name, strlen(s));
        return ONNX_RC_USAGE;
    }
    strcpy(buf, s);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (*n >= max) {
            onnx_error(c, "--%s '%s': more than %d values", name, s, max);
            return ONNX_RC_USAGE;
        }
        int bad = iv ? parse_i64(tok, &iv[*n]) : parse_f64(tok, &dv[*n]);
        if (bad) {
            onnx_error(c, "--%s '%s': '%s' is not %s", name, s, tok, iv ? "an integer" : "a number");
            return ONNX_RC_USAGE;
        }
        (*n)++;
    }
    /* "1,,2" or a trailing comma: strtok_r skips the empty field */
    int commas = 0;
    for (const char *p = s; *p; p++) commas += *p == ',';
    if (commas != *n - 1) {
        onnx_error(c, "--%s '%s': empty list element", name, s);
        return ONNX_RC_USAGE;
    }
    return ONNX_RC_OK;
}

int onnx_attr_ints(onnx_call *c, const char *name, int64_t *v, int max, int *n)
{
    onnx_attr *a = attr_find(c, name);
    *n = -1;
    if (!a) return ONNX_RC_OK;
    a->used = 1;
    return parse_list(c, name, a->value, v, NULL, max, n);
}

int onnx_attr_floats(onnx_call *c, const char *name, double *v, int max, int *n)
{
    onnx_attr *a = attr_find(c, name);
    *n = -1;
    if (!a) return ONNX_RC_OK;
    a->used = 1;
    return parse_list(c, name, a->value, NULL, v, max, n);
}

/* Element i of a loaded numeric array as double / int64. */
static double arr_f64(const npy_array *a, size_t i)
{
    switch (a->dtype) {
    case CLRS_F32: return ((const float *)a->data)[i];
    case CLRS_F64: return ((const double *)a->data)[i];
    case CLRS_U8: return ((const uint8_t *)a->data)[i];
    case CLRS_U16: return ((const uint16_t *)a->data)[i];
    case CLRS_I64: return (double)((const int64_t *)a->data)[i];
    case CLRS_F16: {
        uint16_t h = ((const uint16_t *)a->data)[i];
        int e = (h >> 10) & 31, m = h & 1023;
        double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m + 1024, e - 25);
        return h & 0x8000 ? -v : v;
    }
    default: return NAN;
    }
}

static int input_list(onnx_call *c, int k, const char *name, int64_t *iv, double *dv, int max, int *n)
{
    int has_attr = onnx_attr_has(c, name);
    int has_in = k < c->nin && c->given[k];
    *n = -1;
    if (has_attr && has_in) {
        onnx_error(c, "%s given both as input %d ('%s') and as --%s", name, k + 1, c->in_path[k], name);
        return ONNX_RC_USAGE;
    }
    if (has_attr) return iv ? onnx_attr_ints(c, name, iv, max, n) : onnx_attr_floats(c, name, dv, max, n);
    if (!has_in) return ONNX_RC_OK;
    const npy_array *a = &c->in[k];
    if (a->ndim > 1) {
        onnx_error(c, "%s ('%s') must be a 1-D tensor, got %d-D", name, c->in_path[k], a->ndim);
        return ONNX_RC_USAGE;
    }
    int64_t len = a->ndim == 0 ? 1 : a->shape[0];
    if (len > max) {
        onnx_error(c, "%s ('%s') has %lld values, at most %d allowed", name, c->in_path[k], (long long)len, max);
        return ONNX_RC_USAGE;
    }
    for (int64_t i = 0; i < len; i++) {
        double x = arr_f64(a, (size_t)i);
        if (iv) {
            if (a->dtype != CLRS_I64 && (x != floor(x) || !(fabs(x) < 9.2e18))) {
                onnx_error(c, "%s ('%s'): value %g is not an integer", name, c->in_path[k], x);
                return ONNX_RC_USAGE;
            }
            iv[i] = a->dtype == CLRS_I64 ? ((const int64_t *)a->data)[i] : (int64_t)x;
        } else {
            dv[i] = x;
        }
    }
    *n = (int)len;
    return ONNX_RC_OK;
}

int onnx_input_ints(onnx_call *c, int k, const char *name, int64_t *v, int max, int *n)
{
    return input_list(c, k, name, v, NULL, max, n);
}

int onnx_input_floats(onnx_call *c, int k, const char *name, double *v, int max, int *n)
{
    return input_list(c, k, name, NULL, v, max, n);
}

/* ------------------------------------------------------------------------ */
/* Layouts                                                                  */

static size_t elem_size(clrs_dtype dt) { return clrs_dtype_size(dt); }

/* Copy a rank-`rank` tensor of `sizes` between two strided layouts (element strides). */
static void copy_strided(int rank, const int64_t *sizes, size_t es, const unsigned char *src, const int64_t *ss,
                         unsigned char *dst, const int64_t *ds)
{
    int64_t idx[CLRS_MAX_RANK] = {0};
    for (int k = 0; k < rank; k++)
        if (sizes[k] == 0) return;
    for (;;) {
        int64_t so = 0, doff = 0;
        for (int k = 0; k < rank; k++) {
            so += idx[k] * ss[k];
            doff += idx[k] * ds[k];
        }
        memcpy(dst + (size_t)doff * es, src + (size_t)so * es, es);
        int k = rank - 1;
        while (k >= 0 && ++idx[k] == sizes[k]) idx[k--] = 0;
        if (k < 0) break;
    }
}

static void contiguous_strides(int rank, const int64_t *sizes, int64_t *st)
{
    int64_t s = 1;
    for (int k = rank - 1; k >= 0; k--) {
        st[k] = s;
        s *= sizes[k] > 0 ? sizes[k] : 1;
    }
}

static int check_budget(const onnx_call *c, const char *what, clrs_dtype dt, int rank, const int64_t *shape)
{
    uint64_t numel = 1, px = 1;
    for (int k = 0; k < rank; k++) {
        uint64_t d = shape[k] > 0 ? (uint64_t)shape[k] : 0;
        numel = d && numel > UINT64_MAX / d ? UINT64_MAX : numel * d;
        if (k >= 2) px = d && px > UINT64_MAX / d ? UINT64_MAX : px * d;
    }
    uint64_t es = elem_size(dt), bytes = numel > UINT64_MAX / (2 * es + 1) ? UINT64_MAX : numel * es;
    if (g_max_bytes && bytes > g_max_bytes) {
        onnx_error(c, "%s needs %llu bytes: too large for the budget of %llu bytes (--max-bytes)", what,
                   (unsigned long long)bytes, (unsigned long long)g_max_bytes);
        return ONNX_RC_FAIL;
    }
    if (g_max_pixels && px > g_max_pixels) {
        onnx_error(c, "%s has %llu spatial elements per plane: too large for the budget of %llu (--max-pixels)",
                   what, (unsigned long long)px, (unsigned long long)g_max_pixels);
        return ONNX_RC_FAIL;
    }
    return ONNX_RC_OK;
}

/* A descriptor of `shape` in the call's layout and the element count to allocate. */
static int layout_desc(onnx_call *c, clrs_dtype dt, int rank, const int64_t *shape, clrs_tensor_desc *d,
                       size_t *alloc_elems)
{
    clrs_status st;
    if (c->layout == ONNX_LAYOUT_NHWC)
        st = clrs_tensor_desc_channels_last(d, dt, rank, shape);
    else
        st = clrs_tensor_desc_contiguous(d, dt, rank, shape);
    if (st != CLRS_OK) {
        onnx_error(c, "cannot describe a tensor of rank %d: %s", rank, clrs_strerror(st));
        return ONNX_RC_USAGE;
    }
    int64_t numel = clrs_tensor_desc_numel(d);
    if (c->layout == ONNX_LAYOUT_STRIDED) {
        for (int k = 0; k < rank; k++) d->strides[k] *= 2;
        d->offset = ONNX_STRIDED_OFFSET;
        *alloc_elems = (size_t)(ONNX_STRIDED_OFFSET + 2 * (numel > 0 ? numel : 0));
    } else {
        *alloc_elems = (size_t)numel;
    }
    return ONNX_RC_OK;
}

/* The bytes a strided layout leaves between elements: a pattern that reads
 * as NaN in every float type, checked after the run for stray writes. */
#define GAP_BYTE 0xff

int onnx_data_in(onnx_call *c, int k, int rank, const int64_t *shape, clrs_tensor_desc *d, void **buf)
{
    const npy_array *a = &c->in[k];
    *buf = NULL;
    int64_t sh[CLRS_MAX_RANK];
    if (!shape) {
        rank = a->ndim;
        if (rank < 3 || rank > CLRS_MAX_RANK) {
            onnx_error(c, "input %d ('%s') must have rank 3 to 5 here, got %d", k + 1, c->in_path[k], a->ndim);
            return ONNX_RC_USAGE;
        }
        shape = a->shape;
    }
    int64_t numel = 1, fnumel = 1;
    for (int i = 0; i < rank; i++) numel *= (sh[i] = shape[i]);
    for (int i = 0; i < a->ndim; i++) fnumel *= a->shape[i];
    if (numel != fnumel) {
        onnx_error(c, "input %d ('%s'): %lld elements cannot be viewed with %d dims", k + 1, c->in_path[k],
                   (long long)fnumel, rank);
        return ONNX_RC_USAGE;
    }
    size_t n;
    int rc = layout_desc(c, a->dtype, rank, sh, d, &n);
    if (rc) return rc;
    size_t es = elem_size(a->dtype);
    unsigned char *b = malloc(n ? n * es : 1);
    if (!b) {
        onnx_error(c, "out of memory for input %d (%zu bytes)", k + 1, n * es);
        return ONNX_RC_FAIL;
    }
    memset(b, GAP_BYTE, n * es);
    int64_t cs[CLRS_MAX_RANK];
    contiguous_strides(rank, sh, cs);
    copy_strided(rank, sh, es, a->data, cs, b + (size_t)d->offset * es, d->strides);
    *buf = b;
    return ONNX_RC_OK;
}

int onnx_data_out_alloc(onnx_call *c, clrs_dtype dt, int rank, const int64_t *shape, clrs_tensor_desc *d,
                        void **buf)
{
    *buf = NULL;
    int rc = check_budget(c, "the output", dt, rank, shape);
    if (rc) return rc;
    size_t n;
    if ((rc = layout_desc(c, dt, rank, shape, d, &n))) return rc;
    size_t es = elem_size(dt);
    unsigned char *b = malloc(n ? n * es : 1);
    if (!b) {
        onnx_error(c, "out of memory for an output (%zu bytes)", n * es);
        return ONNX_RC_FAIL;
    }
    if (c->layout == ONNX_LAYOUT_STRIDED)
        memset(b, GAP_BYTE, n * es);
    else
        memset(b, 0, n * es);
    *buf = b;
    return ONNX_RC_OK;
}

int onnx_data_out_finish(onnx_call *c, int k, const clrs_tensor_desc *d, void *buf, int file_rank,
                         const int64_t *file_shape)
{
    unsigned char *b = buf;
    size_t es = elem_size(d->dtype);
    int64_t numel = clrs_tensor_desc_numel(d), fnumel = 1;
    for (int i = 0; i < file_rank; i++) fnumel *= file_shape[i];
    if (numel != fnumel || file_rank > NPY_MAX_NDIM) {
        onnx_error(c, "internal: output %d: %lld elements do not fill a %d-D shape", k + 1, (long long)numel, file_rank);
        free(buf);
        return ONNX_RC_FAIL;
    }
    if (c->layout == ONNX_LAYOUT_STRIDED && numel > 0) {
        /* every byte outside the view must be as the layout left it */
        size_t total = (size_t)(ONNX_STRIDED_OFFSET + 2 * numel) * es;
        unsigned char *mask = calloc(total, 1);
        if (!mask) {
            free(buf);
            onnx_error(c, "out of memory");
            return ONNX_RC_FAIL;
        }
        int64_t one[CLRS_MAX_RANK];
        for (int i = 0; i < d->rank; i++) one[i] = d->sizes[i];
        /* mark the view's elements */
        unsigned char *ones = malloc(es);
        if (ones) {
            memset(ones, 1, es);
            int64_t zs[CLRS_MAX_RANK] = {0};
            copy_strided(d->rank, one, es, ones, zs, mask + (size_t)d->offset * es, d->strides);
            free(ones);
        }
        for (size_t i = 0; i < total; i++)
            if (!mask[i] && b[i] != GAP_BYTE) {
                onnx_error(c, "the library wrote byte %zu of output %d, outside its strided view", i, k + 1);
                free(mask);
                free(buf);
                return ONNX_RC_FAIL;
            }
        free(mask);
    }
    npy_array *o = &c->out[k];
    memset(o, 0, sizeof *o);
    o->dtype = d->dtype;
    o->ndim = file_rank;
    memcpy(o->shape, file_shape, (size_t)file_rank * sizeof(int64_t));
    o->nbytes = (size_t)numel * es;
    o->data = malloc(o->nbytes ? o->nbytes : 1);
    if (!o->data) {
        free(buf);
        onnx_error(c, "out of memory");
        return ONNX_RC_FAIL;
    }
    int64_t cs[CLRS_MAX_RANK];
    contiguous_strides(d->rank, d->sizes, cs);
    copy_strided(d->rank, d->sizes, es, b + (size_t)d->offset * es, d->strides, o->data, cs);
    free(buf);
    return ONNX_RC_OK;
}

int onnx_out_plain(onnx_call *c, int k, clrs_dtype dt, int rank, const int64_t *shape)
{
    if (rank < 0 || rank > NPY_MAX_NDIM) {
        onnx_error(c, "internal: output rank %d", rank);
        return ONNX_RC_FAIL;
    }
    int rc = check_budget(c, "the output", dt, rank, shape);
    if (rc) return rc;
    npy_array *o = &c->out[k];
    memset(o, 0, sizeof *o);
    o->dtype = dt;
    o->ndim = rank;
    size_t numel = 1;
    for (int i = 0; i < rank; i++) numel *= (size_t)(o->shape[i] = shape[i]);
    o->nbytes = numel * elem_size(dt);
    o->data = calloc(o->nbytes ? o->nbytes : 1, 1);
    if (!o->data) {
        onnx_error(c, "out of memory for an output (%zu bytes)", o->nbytes);
        return ONNX_RC_FAIL;
    }
    return ONNX_RC_OK;
}

/* ------------------------------------------------------------------------ */
/* Help                                                                     */

static void print_help(FILE *f)
{
    fprintf(f,
            "usage: %s onnx OPTYPE INPUT... -o OUTPUT... [--ATTRIBUTE VALUE ...] [options]\n"
            "\n"
            "Run one ONNX operator with ONNX's semantics on .npy files. INPUT and OUTPUT are\n"
            "in the op's input and output order; an omitted optional input is \"\". Every\n"
            "attribute is an option spelled as ONNX spells it (--coordinate_transformation_mode\n"
            "half_pixel, --pads 0,1,0,1); lists are comma-separated; defaults are ONNX's.\n"
            "\n"
            "Options:\n"
            "  --opset N        the opset whose definition applies (default: the newest implemented)\n"
            "  --device SPEC    OpenCL device, same syntax as CLRS_DEVICE\n"
            "  --layout L       nchw (default), nhwc or strided: how the data tensors are laid out\n"
            "                   in memory when the library runs (a test aid; the files are the same)\n"
            "  --explain        print which implementation ran for each kernel launch\n"
            "  --max-bytes N    refuse any array of more than N bytes (default 4294967296)\n"
            "  --max-pixels N   refuse any array of more than N spatial elements per plane (default 2^28)\n"
            "  -v, --verbose    print the library's info lines and each kernel build with its duration\n"
            "                   on stderr (before or after onnx)\n"
            "  -h, --help       show this help\n"
            "\n"
            "Operators (opsets; attributes):\n",
            PROG);
    for (size_t t = 0; t < sizeof OP_TABLES / sizeof OP_TABLES[0]; t++)
        for (const onnx_op_def *d = OP_TABLES[t]; d->name; d++)
            fprintf(f, "  %-18s %d-%d; %s\n", d->name, d->opset_min, d->opset_max,
                    d->attrs && *d->attrs ? d->attrs : "no attributes");
    fprintf(f,
            "\nExit status: 0 success, 1 runtime or data error, 2 usage error (an unknown op or\n"
            "attribute, a bad value or combination); nothing is written unless every output is.\n");
}

/* ------------------------------------------------------------------------ */
/* --explain                                                                */

/* As the other subcommands print it: the chosen entry first, then the
 * entries before it that declined, in list order. */
static struct {
    int n;
    char lines[32][320];
} explain_buf;

static void explain_cb(void *user, const char *family, const char *impl, int chosen, const char *reason)
{
    (void)user;
    if (!chosen) {
        if (explain_buf.n < (int)(sizeof explain_buf.lines / sizeof explain_buf.lines[0]))
            snprintf(explain_buf.lines[explain_buf.n++], sizeof explain_buf.lines[0], "%s: %s", impl,
                     reason ? reason : "");
        return;
    }
    fprintf(stderr, "%s: impl: %s/%s\n", PROG, family, impl);
    for (int i = 0; i < explain_buf.n; i++) fprintf(stderr, "%s: declined: %s\n", PROG, explain_buf.lines[i]);
    explain_buf.n = 0;
}

/* ------------------------------------------------------------------------ */
/* Main                                                                     */

static int parse_u64(const char *s, uint64_t *v)
{
    if (!*s || *s == '-') return -1;
    errno = 0;
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end) return -1;
    *v = x;
    return 0;
}

static int write_all(onnx_call *c)
{
    char err[512];
    atomic_file af[ONNX_MAX_IO];
    int opened = 0, ok = 1;
    for (; opened < c->nout; opened++)
        if (atomic_file_open(&af[opened], c->out_path[opened], err, sizeof err) != 0) {
            ok = 0;
            break;
        }
    for (int k = 0; ok && k < c->nout; k++)
        if (npy_write_fd(af[k].fd, c->out_path[k], &c->out[k], err, sizeof err) != 0) ok = 0;
    for (int k = 0; k < opened; k++)
        if (atomic_file_close(&af[k], ok, err, sizeof err) != 0) ok = 0;
    for (int k = 0; ok && k < c->nout; k++)
        if (atomic_file_commit(&af[k], err, sizeof err) != 0) ok = 0;
    if (!ok) {
        for (int k = 0; k < opened; k++) atomic_file_abort(&af[k]);
        plain_error("%s", err);
        return ONNX_RC_FAIL;
    }
    return ONNX_RC_OK;
}

int onnx_main(int argc, char **argv)
{
    onnx_call call, *c = &call;
    memset(c, 0, sizeof *c);
    int rc = ONNX_RC_OK, explain = 0, i = 1;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        print_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? ONNX_RC_USAGE : ONNX_RC_OK;
    }
    c->op = argv[i++];
    const onnx_op_def *def = find_op(c->op);
    if (!def) {
        plain_error("unknown operator '%s' (see '%s onnx --help' for the list; names are ONNX's, e.g. Resize)",
                    c->op, PROG);
        return ONNX_RC_USAGE;
    }
    c->opset = def->opset_max;
    /* INPUT... until -o, OUTPUT... until the first option */
    for (; i < argc && strcmp(argv[i], "-o") && !(argv[i][0] == '-' && argv[i][1] == '-'); i++) {
        if (c->nin >= ONNX_MAX_IO) {
            onnx_error(c, "too many inputs (at most %d)", ONNX_MAX_IO);
            return ONNX_RC_USAGE;
        }
        c->in_path[c->nin++] = argv[i];
    }
    if (i < argc && !strcmp(argv[i], "-o"))
        for (i++; i < argc && !(argv[i][0] == '-' && argv[i][1] == '-'); i++) {
            if (c->nout >= ONNX_MAX_IO) {
                onnx_error(c, "too many outputs (at most %d)", ONNX_MAX_IO);
                return ONNX_RC_USAGE;
            }
            c->out_path[c->nout++] = argv[i];
        }
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] != '-' || !a[2]) {
            onnx_error(c, "unexpected argument '%s' (inputs come before -o, outputs after it, then --options)", a);
            return ONNX_RC_USAGE;
        }
        const char *name = a + 2;
        if (!strcmp(name, "explain")) {
            explain = 1;
            continue;
        }
        if (!strcmp(name, "help")) {
            print_help(stdout);
            return ONNX_RC_OK;
        }
        if (i + 1 >= argc) {
            onnx_error(c, "--%s needs a value", name);
            return ONNX_RC_USAGE;
        }
        const char *val = argv[++i];
        if (!strcmp(name, "opset")) {
            int64_t v;
            if (parse_i64(val, &v) || v < 1 || v > 1000) {
                onnx_error(c, "--opset '%s' is not an opset number", val);
                return ONNX_RC_USAGE;
            }
            if (v < def->opset_min) {
                onnx_error(c, "--opset %lld: %s is implemented from opset %d (newest %d)", (long long)v, c->op,
                           def->opset_min, def->opset_max);
                return ONNX_RC_USAGE;
            }
            c->opset = (int)v;
        } else if (!strcmp(name, "device")) {
            c->device = val;
        } else if (!strcmp(name, "layout")) {
            if (!strcmp(val, "nchw"))
                c->layout = ONNX_LAYOUT_NCHW;
            else if (!strcmp(val, "nhwc"))
                c->layout = ONNX_LAYOUT_NHWC;
            else if (!strcmp(val, "strided"))
                c->layout = ONNX_LAYOUT_STRIDED;
            else {
                onnx_error(c, "--layout '%s' is not one of nchw, nhwc, strided", val);
                return ONNX_RC_USAGE;
            }
        } else if (!strcmp(name, "max-bytes") || !strcmp(name, "max-pixels")) {
            uint64_t v;
            if (parse_u64(val, &v)) {
                onnx_error(c, "--%s '%s' is not a non-negative integer", name, val);
                return ONNX_RC_USAGE;
            }
            if (name[4] == 'b')
                g_max_bytes = v;
            else
                g_max_pixels = v;
        } else {
            for (int k = 0; k < c->nattr; k++)
                if (!strcmp(c->attr[k].name, name)) {
                    onnx_error(c, "--%s given twice", name);
                    return ONNX_RC_USAGE;
                }
            if (c->nattr >= ONNX_MAX_ATTR) {
                onnx_error(c, "too many attributes (at most %d)", ONNX_MAX_ATTR);
                return ONNX_RC_USAGE;
            }
            c->attr[c->nattr].name = name;
            c->attr[c->nattr].value = val;
            c->nattr++;
        }
    }
    if (c->nin < def->min_in || c->nin > def->max_in) {
        onnx_error(c, "takes %d to %d inputs, got %d", def->min_in, def->max_in, c->nin);
        return ONNX_RC_USAGE;
    }
    if (c->nout < def->min_out || c->nout > def->max_out) {
        onnx_error(c, "takes %d to %d outputs (after -o), got %d", def->min_out, def->max_out, c->nout);
        return ONNX_RC_USAGE;
    }
    /* Outputs must not name each other or an input (OUT over the first input is allowed: it is read completely
     * before any output replaces it). */
    for (int k = 0; k < c->nout; k++) {
        if (!*c->out_path[k]) {
            onnx_error(c, "output %d is an empty name", k + 1);
            return ONNX_RC_USAGE;
        }
        for (int j = k + 1; j < c->nout; j++)
            if (cli_same_file(c->out_path[k], 1, c->out_path[j], 1)) {
                onnx_error(c, "outputs '%s' and '%s' name the same file", c->out_path[k], c->out_path[j]);
                return ONNX_RC_USAGE;
            }
        for (int j = 1; j < c->nin; j++)
            if (*c->in_path[j] && cli_same_file(c->out_path[k], 1, c->in_path[j], 0)) {
                onnx_error(c, "output '%s' and input '%s' name the same file", c->out_path[k], c->in_path[j]);
                return ONNX_RC_USAGE;
            }
    }
    npy_limits lim = {g_max_bytes, g_max_pixels, 0};
    for (int k = 0; k < c->nin; k++) {
        c->given[k] = *c->in_path[k] != '\0';
        if (!c->given[k]) continue;
        char err[512];
        if (npy_read_limited(c->in_path[k], &lim, &c->in[k], err, sizeof err) != 0) {
            plain_error("%s", err);
            rc = ONNX_RC_FAIL;
            goto done;
        }
    }
    if (explain) clrs_explain_begin(explain_cb, NULL, 0);
    rc = def->fn(c);
    if (explain) clrs_explain_end();
    if (rc == ONNX_RC_OK)
        for (int k = 0; k < c->nattr; k++)
            if (!c->attr[k].used) {
                onnx_error(c, "unknown attribute --%s for opset %d (see '%s onnx --help')", c->attr[k].name,
                           c->opset, PROG);
                rc = ONNX_RC_USAGE;
                break;
            }
    if (rc == ONNX_RC_OK)
        for (int k = 0; k < c->nout; k++)
            if (!c->out[k].data) {
                onnx_error(c, "internal: output %d was not produced", k + 1);
                rc = ONNX_RC_FAIL;
            }
    if (rc == ONNX_RC_OK) rc = write_all(c);
done:
    clrs_context_release(c->ctx);
    for (int k = 0; k < ONNX_MAX_IO; k++) {
        npy_free(&c->in[k]);
        npy_free(&c->out[k]);
    }
    return rc;
}
