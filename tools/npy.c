/* SPDX-License-Identifier: MIT */
/*
 * npy.c — defensive NumPy .npy reader and atomic writer (see npy.h).
 *
 * Format reference: numpy/lib/format.py. A file is
 *   "\x93NUMPY" major minor  header_len (u16 LE for 1.0, u32 LE for 2.0/3.0)
 *   header (a Python dict literal, padded with spaces, ending in '\n')
 *   data (header_len + prefix is a multiple of 64 in files written by numpy).
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* realpath() in atomicfile.h */
#endif
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "npy.h"
/* The one definition of the atomic writer and its temporary table (see atomicfile.h). */
#define ATOMIC_FILE_IMPLEMENTATION
#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* O_CLOEXEC and O_NOCTTY fall back to 0 in atomicfile.h. */

/* Largest header we accept. numpy itself refuses headers past 10000 bytes by
 * default; anything this big is not a plain array of a supported dtype. */
#define NPY_MAX_HEADER_LEN ((size_t)1 << 20)
#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGN 64
#define NPY_GROWTH_AXIS_MAX_DIGITS 21
#define NPY_SUPPORTED_LIST "<f4, <f8, <f2, |u1, <u2, <i8"
/* Largest read()/write() request, well under SSIZE_MAX everywhere. */
#define NPY_IO_CHUNK ((size_t)1 << 30)

#if defined(__GNUC__) || defined(__clang__)
#define NPY_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define NPY_PRINTF(a, b)
#endif

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

static void seterr(char *err, size_t errlen, const char *fmt, ...) NPY_PRINTF(3, 4);

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    if (n < 0)
        err[0] = '\0';
    /* Keep the message on one line whatever the name contained. */
    for (char *p = err; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

static const char *nm(const char *name)
{
    return name ? name : "<buffer>";
}

typedef struct dtype_info {
    const char *descr; /* what we write */
    clrs_dtype dtype;
    size_t itemsize;
} dtype_info;

static const dtype_info k_dtypes[] = {
    {"<f4", CLRS_F32, 4}, {"<f8", CLRS_F64, 8}, {"<f2", CLRS_F16, 2},
    {"|u1", CLRS_U8, 1},  {"<u2", CLRS_U16, 2}, {"<i8", CLRS_I64, 8},
};
#define NPY_NDTYPES (sizeof k_dtypes / sizeof k_dtypes[0])

static const dtype_info *dtype_by_enum(clrs_dtype dt)
{
    for (size_t i = 0; i < NPY_NDTYPES; i++)
        if (k_dtypes[i].dtype == dt)
            return &k_dtypes[i];
    return NULL;
}

static const dtype_info *dtype_by_descr(const char *s)
{
    if (strcmp(s, "<u1") == 0)
        return dtype_by_enum(CLRS_U8);
    for (size_t i = 0; i < NPY_NDTYPES; i++)
        if (strcmp(k_dtypes[i].descr, s) == 0)
            return &k_dtypes[i];
    return NULL;
}

static int host_is_big_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 0;
}

/* Reverses the bytes of each item in place (only used on big-endian hosts). */
static void swap_items(unsigned char *p, size_t nbytes, size_t itemsize)
{
    if (itemsize < 2)
        return;
    for (size_t off = 0; off + itemsize <= nbytes; off += itemsize) {
        for (size_t i = 0, j = itemsize - 1; i < j; i++, j--) {
            unsigned char t = p[off + i];
            p[off + i] = p[off + j];
            p[off + j] = t;
        }
    }
}

/* Python repr of a shape tuple: "()", "(3,)", "(2, 3)". */
static void fmt_shape(char *buf, size_t buflen, int ndim, const int64_t *shape)
{
    size_t pos = 0;
    int n = snprintf(buf, buflen, "(");
    pos = (n > 0) ? (size_t)n : 0;
    for (int i = 0; i < ndim && pos < buflen; i++) {
        n = snprintf(buf + pos, buflen - pos, "%s%lld", i ? ", " : "", (long long)shape[i]);
        if (n < 0)
            return;
        pos += (size_t)n;
    }
    if (pos < buflen)
        snprintf(buf + pos, buflen - pos, ndim == 1 ? ",)" : ")");
}

/* A printable, bounded rendering of untrusted header text for messages. */
static void printable(char *dst, size_t dstlen, const char *src, size_t srclen)
{
    size_t o = 0;
    if (dstlen == 0)
        return;
    for (size_t i = 0; i < srclen; i++) {
        unsigned char c = (unsigned char)src[i];
        char tmp[8];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            tmp[0] = (char)c;
            tmp[1] = '\0';
        } else
            snprintf(tmp, sizeof tmp, "\\x%02x", c);
        size_t tl = strlen(tmp);
        if (o + tl + 4 > dstlen) { /* room for "..." and NUL */
            if (o + 4 <= dstlen) {
                memcpy(dst + o, "...", 3);
                o += 3;
            }
            break;
        }
        memcpy(dst + o, tmp, tl);
        o += tl;
    }
    dst[o] = '\0';
}

/* ------------------------------------------------------------------------ */
/* Header dict parsing                                                      */

typedef struct hdr_info {
    const dtype_info *dt;
    char descr[48]; /* printable form of the descr string, for messages */
    int ndim;
    int64_t shape[NPY_MAX_NDIM];
    size_t nbytes;
} hdr_info;

typedef struct cursor {
    const unsigned char *p, *end;
    const char *name;
    char *err;
    size_t errlen;
} cursor;

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void skip_ws(cursor *c)
{
    while (c->p < c->end && is_ws(*c->p))
        c->p++;
}

/* Describes what is at the cursor, for "expected X but found Y" messages. */
static void found_desc(const cursor *c, char *buf, size_t buflen)
{
    if (c->p >= c->end) {
        snprintf(buf, buflen, "the end of the header");
        return;
    }
    char tmp[40];
    size_t n = (size_t)(c->end - c->p);
    printable(tmp, sizeof tmp, (const char *)c->p, n < 12 ? n : 12);
    snprintf(buf, buflen, "'%s'", tmp);
}

static int syntax_error(cursor *c, const char *expected)
{
    char found[64];
    found_desc(c, found, sizeof found);
    seterr(c->err, c->errlen, "%s: malformed header dict: expected %s but found %s", nm(c->name),
           expected, found);
    return -1;
}

/* Parses a Python string literal ('...' or "...") into out (NUL-terminated,
 * truncated to outlen-1 bytes; *truncated set if so). */
static int parse_string(cursor *c, char *out, size_t outlen, size_t *rawlen)
{
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return syntax_error(c, "a quoted string");
    unsigned char q = *c->p++;
    const unsigned char *start = c->p;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\') {
            seterr(c->err, c->errlen,
                   "%s: malformed header dict: escape sequences in strings are not supported",
                   nm(c->name));
            return -1;
        }
        if (*c->p == '\n' || *c->p == '\r') {
            seterr(c->err, c->errlen, "%s: malformed header dict: unterminated string",
                   nm(c->name));
            return -1;
        }
        c->p++;
    }
    if (c->p >= c->end) {
        seterr(c->err, c->errlen, "%s: malformed header dict: unterminated string", nm(c->name));
        return -1;
    }
    size_t n = (size_t)(c->p - start);
    c->p++; /* closing quote */
    size_t k = n < outlen - 1 ? n : outlen - 1;
    memcpy(out, start, k);
    out[k] = '\0';
    if (rawlen)
        *rawlen = n;
    return 0;
}

static int is_ident_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

static int parse_bool(cursor *c, int *val)
{
    const unsigned char *s = c->p;
    while (c->p < c->end && is_ident_char(*c->p))
        c->p++;
    size_t n = (size_t)(c->p - s);
    if (n == 4 && memcmp(s, "True", 4) == 0) {
        *val = 1;
        return 0;
    }
    if (n == 5 && memcmp(s, "False", 5) == 0) {
        *val = 0;
        return 0;
    }
    c->p = s;
    char found[64];
    found_desc(c, found, sizeof found);
    seterr(c->err, c->errlen, "%s: malformed header dict: 'fortran_order' must be True or False, found %s",
           nm(c->name), found);
    return -1;
}

/* A non-negative Python int literal (optionally with a Python 2 'L' suffix). */
static int parse_dim(cursor *c, int64_t *val)
{
    if (c->p < c->end && (*c->p == '-' || *c->p == '+')) {
        int neg = *c->p == '-';
        const unsigned char *s = c->p;
        c->p++;
        skip_ws(c);
        if (neg && c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            const unsigned char *d = c->p;
            while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
                c->p++;
            char tmp[40];
            printable(tmp, sizeof tmp, (const char *)d, (size_t)(c->p - d));
            seterr(c->err, c->errlen, "%s: negative dimension -%s in shape", nm(c->name), tmp);
            return -1;
        }
        c->p = s;
        return syntax_error(c, "a non-negative integer dimension");
    }
    if (c->p >= c->end || *c->p < '0' || *c->p > '9')
        return syntax_error(c, "an integer dimension");
    const unsigned char *s = c->p;
    uint64_t v = 0;
    int overflow = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        unsigned d = (unsigned)(*c->p - '0');
        if (v > ((uint64_t)INT64_MAX - d) / 10)
            overflow = 1;
        else
            v = v * 10 + d;
        c->p++;
    }
    size_t ndig = (size_t)(c->p - s);
    if (ndig > 1 && s[0] == '0') {
        c->p = s;
        return syntax_error(c, "an integer without leading zeros");
    }
    if (c->p < c->end && (*c->p == 'L' || *c->p == 'l'))
        c->p++;
    if (c->p < c->end && (is_ident_char(*c->p) || *c->p == '.')) {
        c->p = s;
        return syntax_error(c, "an integer dimension");
    }
    if (overflow) {
        char tmp[40];
        printable(tmp, sizeof tmp, (const char *)s, ndig);
        seterr(c->err, c->errlen, "%s: dimension %s in shape is too large (overflow)", nm(c->name),
               tmp);
        return -1;
    }
    *val = (int64_t)v;
    return 0;
}

static int parse_shape(cursor *c, int *ndim, int64_t *shape)
{
    if (c->p >= c->end || *c->p != '(') {
        char found[64];
        found_desc(c, found, sizeof found);
        seterr(c->err, c->errlen,
               "%s: malformed header dict: 'shape' must be a tuple of integers such as (2, 3), "
               "found %s",
               nm(c->name), found);
        return -1;
    }
    c->p++;
    skip_ws(c);
    int n = 0;
    if (c->p < c->end && *c->p == ')') {
        c->p++;
        *ndim = 0;
        return 0;
    }
    int saw_comma = 0;
    for (;;) {
        int64_t v;
        if (parse_dim(c, &v) != 0)
            return -1;
        if (n >= NPY_MAX_NDIM) {
            seterr(c->err, c->errlen, "%s: shape has more than %d dimensions", nm(c->name),
                   NPY_MAX_NDIM);
            return -1;
        }
        shape[n++] = v;
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') {
            saw_comma = 1;
            c->p++;
            skip_ws(c);
            if (c->p < c->end && *c->p == ')') {
                c->p++;
                break;
            }
            continue;
        }
        if (c->p < c->end && *c->p == ')') {
            c->p++;
            if (n == 1 && !saw_comma) {
                seterr(c->err, c->errlen,
                       "%s: malformed header dict: 'shape' (%lld) is not a tuple; a "
                       "1-d shape is written (%lld,)",
                       nm(c->name), (long long)shape[0], (long long)shape[0]);
                return -1;
            }
            break;
        }
        return syntax_error(c, "',' or ')' in shape");
    }
    *ndim = n;
    return 0;
}

enum { KEY_DESCR, KEY_FORTRAN, KEY_SHAPE, KEY_COUNT };
static const char *const k_keys[KEY_COUNT] = {"descr", "fortran_order", "shape"};

static int parse_dict(const unsigned char *h, size_t hlen, const char *name, hdr_info *hi,
                      char *err, size_t errlen)
{
    cursor cc = {h, h + hlen, name, err, errlen};
    cursor *c = &cc;
    int seen[KEY_COUNT] = {0, 0, 0};
    char descr_raw[40] = "";
    size_t descr_len = 0;
    int fortran = 0;

    memset(hi, 0, sizeof *hi);
    skip_ws(c);
    if (c->p >= c->end) {
        seterr(err, errlen, "%s: malformed header: the header dict is empty", nm(name));
        return -1;
    }
    if (*c->p != '{')
        return syntax_error(c, "'{'");
    c->p++;
    for (;;) {
        skip_ws(c);
        if (c->p < c->end && *c->p == '}') {
            c->p++;
            break;
        }
        char key[32];
        size_t keylen = 0;
        if (parse_string(c, key, sizeof key, &keylen) != 0)
            return -1;
        int k = -1;
        for (int i = 0; i < KEY_COUNT; i++)
            if (keylen == strlen(k_keys[i]) && strcmp(key, k_keys[i]) == 0)
                k = i;
        if (k < 0) {
            char pk[48];
            printable(pk, sizeof pk, key, strlen(key));
            seterr(err, errlen, "%s: unknown key '%s%s' in header dict", nm(name), pk,
                   keylen >= sizeof key ? "..." : "");
            return -1;
        }
        if (seen[k]) {
            seterr(err, errlen, "%s: duplicate key '%s' in header dict", nm(name), k_keys[k]);
            return -1;
        }
        seen[k] = 1;
        skip_ws(c);
        if (c->p >= c->end || *c->p != ':')
            return syntax_error(c, "':' after a key");
        c->p++;
        skip_ws(c);
        switch (k) {
        case KEY_DESCR:
            if (c->p < c->end && (*c->p == '[' || *c->p == '(' || *c->p == '{')) {
                seterr(err, errlen,
                       "%s: unsupported dtype: structured dtypes are not supported (supported: "
                       "%s)",
                       nm(name), NPY_SUPPORTED_LIST);
                return -1;
            }
            if (parse_string(c, descr_raw, sizeof descr_raw, &descr_len) != 0)
                return -1;
            break;
        case KEY_FORTRAN:
            if (parse_bool(c, &fortran) != 0)
                return -1;
            break;
        default:
            if (parse_shape(c, &hi->ndim, hi->shape) != 0)
                return -1;
            break;
        }
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '}') {
            c->p++;
            break;
        }
        return syntax_error(c, "',' or '}' after a value");
    }
    skip_ws(c);
    if (c->p < c->end) {
        char found[64];
        found_desc(c, found, sizeof found);
        seterr(err, errlen, "%s: malformed header: unexpected %s after the header dict", nm(name),
               found);
        return -1;
    }
    for (int i = 0; i < KEY_COUNT; i++) {
        if (!seen[i]) {
            seterr(err, errlen, "%s: header dict has no '%s' key", nm(name), k_keys[i]);
            return -1;
        }
    }

    printable(hi->descr, sizeof hi->descr, descr_raw,
              descr_len < sizeof descr_raw ? descr_len : sizeof descr_raw - 1);
    if (descr_len >= sizeof descr_raw) {
        /* printable() output of a truncated string: mark it. */
        size_t l = strlen(hi->descr);
        if (l + 4 <= sizeof hi->descr)
            memcpy(hi->descr + l, "...", 4);
    }
    hi->dt = (descr_len < sizeof descr_raw && strlen(descr_raw) == descr_len)
                 ? dtype_by_descr(descr_raw)
                 : NULL;
    if (!hi->dt) {
        const char *why = "";
        if (descr_raw[0] == '>' || descr_raw[0] == '!')
            why = "big-endian byte order is not supported; ";
        else if (descr_raw[0] == '<' && descr_raw[1] == 'V')
            why = "void/structured dtypes are not supported; ";
        else if (descr_raw[0] == '|' && descr_raw[1] == 'O')
            why = "object arrays are not supported; ";
        seterr(err, errlen, "%s: unsupported dtype '%s' (%ssupported: %s)", nm(name), hi->descr,
               why, NPY_SUPPORTED_LIST);
        return -1;
    }
    if (fortran) {
        seterr(err, errlen,
               "%s: Fortran-order arrays are not supported (save a C-contiguous array, e.g. "
               "np.ascontiguousarray)",
               nm(name));
        return -1;
    }

    /* Element and byte counts, with overflow checks. Zero-sized dims make the
     * array empty, but the product of the others must still be sane. */
    uint64_t prod = 1;
    int has_zero = 0;
    for (int i = 0; i < hi->ndim; i++) {
        uint64_t d = (uint64_t)hi->shape[i];
        if (d == 0) {
            has_zero = 1;
            continue;
        }
        if (prod > (uint64_t)INT64_MAX / d) {
            char sh[256];
            fmt_shape(sh, sizeof sh, hi->ndim, hi->shape);
            seterr(err, errlen, "%s: shape %s has too many elements (overflow)", nm(name), sh);
            return -1;
        }
        prod *= d;
    }
    if (prod > (uint64_t)INT64_MAX / hi->dt->itemsize ||
        prod * hi->dt->itemsize > (uint64_t)SIZE_MAX) {
        char sh[256];
        fmt_shape(sh, sizeof sh, hi->ndim, hi->shape);
        seterr(err, errlen, "%s: shape %s of %s is too large: the byte count overflows", nm(name),
               sh, hi->descr);
        return -1;
    }
    hi->nbytes = has_zero ? 0 : (size_t)(prod * hi->dt->itemsize);
    return 0;
}

/* Checks magic, version and header length. `b` holds at least
 * min(total, 12) bytes of the file; `total` is the full file size. */
static int parse_preamble(const unsigned char *b, uint64_t total, const char *name,
                          size_t *hstart, size_t *hlen, char *err, size_t errlen)
{
    size_t cmp = total < NPY_MAGIC_LEN ? (size_t)total : NPY_MAGIC_LEN;
    if (memcmp(b, NPY_MAGIC, cmp) != 0) {
        seterr(err, errlen, "%s: not a .npy file (bad magic; expected \\x93NUMPY)", nm(name));
        return -1;
    }
    if (total < NPY_MAGIC_LEN + 2) {
        seterr(err, errlen, "%s: truncated .npy file: only %llu bytes, too short for the header",
               nm(name), (unsigned long long)total);
        return -1;
    }
    unsigned major = b[6], minor = b[7];
    size_t start;
    if (major == 1 && minor == 0)
        start = 10;
    else if ((major == 2 || major == 3) && minor == 0)
        start = 12;
    else {
        seterr(err, errlen, "%s: unsupported .npy format version %u.%u (supported: 1.0, 2.0, 3.0)",
               nm(name), major, minor);
        return -1;
    }
    if (total < start) {
        seterr(err, errlen, "%s: truncated .npy file: only %llu bytes, too short for the header",
               nm(name), (unsigned long long)total);
        return -1;
    }
    uint64_t len = (uint64_t)b[8] | ((uint64_t)b[9] << 8);
    if (start == 12)
        len |= ((uint64_t)b[10] << 16) | ((uint64_t)b[11] << 24);
    if (len > total - start) {
        seterr(err, errlen,
               "%s: truncated .npy file: header length %llu runs past the end of the file "
               "(%llu bytes)",
               nm(name), (unsigned long long)len, (unsigned long long)total);
        return -1;
    }
    if (len > NPY_MAX_HEADER_LEN) {
        seterr(err, errlen, "%s: header length %llu is unreasonably large (limit %zu)", nm(name),
               (unsigned long long)len, NPY_MAX_HEADER_LEN);
        return -1;
    }
    *hstart = start;
    *hlen = (size_t)len;
    return 0;
}

static int check_data_size(const hdr_info *hi, uint64_t have, const char *name, char *err,
                           size_t errlen)
{
    if ((uint64_t)hi->nbytes == have)
        return 0;
    char sh[256];
    fmt_shape(sh, sizeof sh, hi->ndim, hi->shape);
    seterr(err, errlen, "%s: header says shape %s of %s = %zu bytes but the file has %llu data bytes",
           nm(name), sh, hi->descr, hi->nbytes, (unsigned long long)have);
    return -1;
}

static void fill_out(npy_array *out, const hdr_info *hi, void *data)
{
    out->dtype = hi->dt->dtype;
    out->ndim = hi->ndim;
    for (int i = 0; i < NPY_MAX_NDIM; i++)
        out->shape[i] = i < hi->ndim ? hi->shape[i] : 0;
    out->data = data;
    out->nbytes = hi->nbytes;
    if (host_is_big_endian())
        swap_items((unsigned char *)data, hi->nbytes, hi->dt->itemsize);
}

/* ------------------------------------------------------------------------ */
/* Public: parse / read / free                                              */

void npy_free(npy_array *arr)
{
    if (!arr)
        return;
    free(arr->data);
    memset(arr, 0, sizeof *arr);
}

int npy_parse(const void *buf, size_t len, const char *name, npy_array *out, char *err,
              size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!out) {
        seterr(err, errlen, "%s: npy_parse: no output array given", nm(name));
        return -1;
    }
    memset(out, 0, sizeof *out);
    if (!buf && len > 0) {
        seterr(err, errlen, "%s: npy_parse: NULL buffer", nm(name));
        return -1;
    }
    static const unsigned char empty[1] = {0};
    const unsigned char *b = buf ? (const unsigned char *)buf : empty;
    if (len == 0) {
        seterr(err, errlen, "%s: not a .npy file: it is empty", nm(name));
        return -1;
    }
    size_t hstart, hlen;
    if (parse_preamble(b, len, name, &hstart, &hlen, err, errlen) != 0)
        return -1;
    hdr_info hi;
    if (parse_dict(b + hstart, hlen, name, &hi, err, errlen) != 0)
        return -1;
    if (check_data_size(&hi, (uint64_t)(len - hstart - hlen), name, err, errlen) != 0)
        return -1;
    void *data = malloc(hi.nbytes ? hi.nbytes : 1);
    if (!data) {
        seterr(err, errlen, "%s: out of memory allocating %zu bytes", nm(name), hi.nbytes);
        return -1;
    }
    if (hi.nbytes)
        memcpy(data, b + hstart + hlen, hi.nbytes);
    fill_out(out, &hi, data);
    return 0;
}

/* Reads exactly n bytes at offset off; returns 0, or -1 with errno set
 * (errno 0 for an unexpected end of file). */
static int pread_full(int fd, void *buf, size_t n, uint64_t off)
{
    unsigned char *p = (unsigned char *)buf;
    while (n > 0) {
        size_t want = n < NPY_IO_CHUNK ? n : NPY_IO_CHUNK;
        if (off > (uint64_t)INT64_MAX) {
            errno = EOVERFLOW;
            return -1;
        }
        ssize_t r = pread(fd, p, want, (off_t)off);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0) {
            errno = 0;
            return -1;
        }
        p += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}

static void read_error(const char *path, char *err, size_t errlen)
{
    if (errno == 0)
        seterr(err, errlen, "%s: unexpected end of file while reading (did the file change?)",
               path);
    else
        seterr(err, errlen, "%s: read error: %s", path, strerror(errno));
}

/* The spatial element count of a shape: the dims after N and C ((N, C,
 * spatial...)), or between N and C when channels-last; the element count
 * when ndim < 3. Saturates at UINT64_MAX. */
static uint64_t spatial_count(const hdr_info *hi, int channels_last)
{
    int lo = 0, hi_end = hi->ndim;
    if (hi->ndim >= 3) {
        lo = channels_last ? 1 : 2;
        hi_end = channels_last ? hi->ndim - 1 : hi->ndim;
    }
    uint64_t n = 1;
    for (int i = lo; i < hi_end; i++) {
        uint64_t d = (uint64_t)hi->shape[i];
        if (d != 0 && n > UINT64_MAX / d)
            return UINT64_MAX;
        n *= d;
    }
    return n;
}

static int check_budget(const hdr_info *hi, const npy_limits *lim, const char *name, char *err,
                        size_t errlen)
{
    if (!lim)
        return 0;
    char sh[256];
    fmt_shape(sh, sizeof sh, hi->ndim, hi->shape);
    if (lim->max_bytes && (uint64_t)hi->nbytes > lim->max_bytes) {
        seterr(err, errlen,
               "%s: shape %s of %s needs %zu bytes: too large for the budget of %llu bytes "
               "(--max-bytes)",
               nm(name), sh, hi->descr, hi->nbytes, (unsigned long long)lim->max_bytes);
        return -1;
    }
    uint64_t px = spatial_count(hi, lim->channels_last);
    if (lim->max_pixels && px > lim->max_pixels) {
        seterr(err, errlen,
               "%s: shape %s has %llu spatial elements per plane: too large for the budget of %llu "
               "(--max-pixels)",
               nm(name), sh, (unsigned long long)px, (unsigned long long)lim->max_pixels);
        return -1;
    }
    return 0;
}

int npy_read(const char *path, npy_array *out, char *err, size_t errlen)
{
    return npy_read_limited(path, NULL, out, err, errlen);
}

int npy_read_limited(const char *path, const npy_limits *lim, npy_array *out, char *err,
                     size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (out)
        memset(out, 0, sizeof *out);
    if (!path || !*path) {
        seterr(err, errlen, "npy_read: no file name given");
        return -1;
    }
    if (!out) {
        seterr(err, errlen, "%s: npy_read: no output array given", path);
        return -1;
    }
    int fd;
    do
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        seterr(err, errlen, "%s: cannot open for reading: %s", path, strerror(errno));
        return -1;
    }
    int rc = -1;
    unsigned char *hdr = NULL, *data = NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        seterr(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        seterr(err, errlen, "%s: is a directory, not a .npy file", path);
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        seterr(err, errlen, "%s: not a regular file", path);
        goto done;
    }
    if (st.st_size < 0) {
        seterr(err, errlen, "%s: cannot determine the file size", path);
        goto done;
    }
    uint64_t total = (uint64_t)st.st_size;
    if (total == 0) {
        seterr(err, errlen, "%s: not a .npy file: it is empty", path);
        goto done;
    }
    unsigned char pre[12];
    size_t npre = total < sizeof pre ? (size_t)total : sizeof pre;
    if (pread_full(fd, pre, npre, 0) != 0) {
        read_error(path, err, errlen);
        goto done;
    }
    size_t hstart, hlen;
    if (parse_preamble(pre, total, path, &hstart, &hlen, err, errlen) != 0)
        goto done;
    hdr = (unsigned char *)malloc(hlen ? hlen : 1);
    if (!hdr) {
        seterr(err, errlen, "%s: out of memory reading the header", path);
        goto done;
    }
    if (pread_full(fd, hdr, hlen, hstart) != 0) {
        read_error(path, err, errlen);
        goto done;
    }
    hdr_info hi;
    if (parse_dict(hdr, hlen, path, &hi, err, errlen) != 0)
        goto done;
    uint64_t doff = (uint64_t)hstart + hlen;
    /* Both before the data buffer exists: a sparse or lying file costs nothing. */
    if (check_budget(&hi, lim, path, err, errlen) != 0)
        goto done;
    if (check_data_size(&hi, total - doff, path, err, errlen) != 0)
        goto done;
    data = (unsigned char *)malloc(hi.nbytes ? hi.nbytes : 1);
    if (!data) {
        seterr(err, errlen, "%s: out of memory allocating %zu bytes", path, hi.nbytes);
        goto done;
    }
    if (pread_full(fd, data, hi.nbytes, doff) != 0) {
        read_error(path, err, errlen);
        goto done;
    }
    fill_out(out, &hi, data);
    data = NULL;
    rc = 0;
done:
    free(hdr);
    free(data);
    close(fd);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Writer                                                                   */

static int write_full(int fd, const void *buf, size_t n)
{
    const unsigned char *p = (const unsigned char *)buf;
    while (n > 0) {
        size_t want = n < NPY_IO_CHUNK ? n : NPY_IO_CHUNK;
        ssize_t w = write(fd, p, want);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (w == 0) {
            errno = ENOSPC;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Builds the full header (magic .. '\n') exactly as numpy.save does.
 * Returns its length, or 0 if it does not fit in buf. */
static size_t build_header(const npy_array *arr, const dtype_info *dt, unsigned char *buf,
                           size_t buflen)
{
    char sh[256], dict[512];
    fmt_shape(sh, sizeof sh, arr->ndim, arr->shape);
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                     dt->descr, sh);
    if (n < 0 || (size_t)n >= sizeof dict)
        return 0;
    size_t dlen = (size_t)n;
    if (arr->ndim > 0) { /* numpy's spare room for growing axis 0 in place */
        char d0[32];
        int l = snprintf(d0, sizeof d0, "%lld", (long long)arr->shape[0]);
        if (l > 0 && l < NPY_GROWTH_AXIS_MAX_DIGITS) {
            size_t extra = (size_t)(NPY_GROWTH_AXIS_MAX_DIGITS - l);
            if (dlen + extra >= sizeof dict)
                return 0;
            memset(dict + dlen, ' ', extra);
            dlen += extra;
        }
    }
    size_t prefix = 10;
    size_t hl = dlen + 1;
    size_t pad = NPY_ALIGN - ((prefix + hl) % NPY_ALIGN);
    if (hl + pad > 0xffff) {
        prefix = 12;
        pad = NPY_ALIGN - ((prefix + hl) % NPY_ALIGN);
    }
    size_t total = prefix + hl + pad;
    if (total > buflen)
        return 0;
    size_t stored = hl + pad;
    memcpy(buf, NPY_MAGIC, NPY_MAGIC_LEN);
    buf[6] = prefix == 10 ? 1 : 2;
    buf[7] = 0;
    buf[8] = (unsigned char)(stored & 0xff);
    buf[9] = (unsigned char)((stored >> 8) & 0xff);
    if (prefix == 12) {
        buf[10] = (unsigned char)((stored >> 16) & 0xff);
        buf[11] = (unsigned char)((stored >> 24) & 0xff);
    }
    memcpy(buf + prefix, dict, dlen);
    memset(buf + prefix + dlen, ' ', pad);
    buf[total - 1] = '\n';
    return total;
}

static int validate_array(const char *path, const npy_array *arr, const dtype_info **dtp,
                          char *err, size_t errlen)
{
    if (!arr) {
        seterr(err, errlen, "%s: no array given", path);
        return -1;
    }
    const dtype_info *dt = dtype_by_enum(arr->dtype);
    if (!dt) {
        seterr(err, errlen,
               "%s: cannot write dtype %d to .npy (supported: f32, f64, f16, u8, u16, i64)", path,
               (int)arr->dtype);
        return -1;
    }
    if (arr->ndim < 0 || arr->ndim > NPY_MAX_NDIM) {
        seterr(err, errlen, "%s: invalid number of dimensions %d (0..%d)", path, arr->ndim,
               NPY_MAX_NDIM);
        return -1;
    }
    uint64_t prod = 1;
    int has_zero = 0, overflow = 0;
    for (int i = 0; i < arr->ndim; i++) {
        if (arr->shape[i] < 0) {
            seterr(err, errlen, "%s: negative dimension %lld in shape", path,
                   (long long)arr->shape[i]);
            return -1;
        }
        uint64_t d = (uint64_t)arr->shape[i];
        if (d == 0) {
            has_zero = 1;
            continue;
        }
        if (prod > (uint64_t)INT64_MAX / d)
            overflow = 1;
        else
            prod *= d;
    }
    if (overflow || prod > (uint64_t)INT64_MAX / dt->itemsize ||
        prod * dt->itemsize > (uint64_t)SIZE_MAX) {
        seterr(err, errlen, "%s: shape is too large: the byte count overflows", path);
        return -1;
    }
    uint64_t want = has_zero ? 0 : prod * dt->itemsize;
    if (want != (uint64_t)arr->nbytes) {
        char sh[256];
        fmt_shape(sh, sizeof sh, arr->ndim, arr->shape);
        seterr(err, errlen, "%s: shape %s of %s needs %llu bytes but the array has nbytes = %zu",
               path, sh, dt->descr, (unsigned long long)want, arr->nbytes);
        return -1;
    }
    if (arr->nbytes > 0 && !arr->data) {
        seterr(err, errlen, "%s: array data is NULL", path);
        return -1;
    }
    *dtp = dt;
    return 0;
}

/* The checks both writers share; `dtp` and the header on success. */
static int prepare_write(const char *path, const npy_array *arr, const dtype_info **dtp,
                         unsigned char *header, size_t hcap, size_t *hsize, char *err,
                         size_t errlen)
{
    if (validate_array(path, arr, dtp, err, errlen) != 0)
        return -1;
    *hsize = build_header(arr, *dtp, header, hcap);
    if (*hsize == 0) {
        seterr(err, errlen, "%s: internal error: .npy header does not fit", path);
        return -1;
    }
    return 0;
}

static int write_body(int fd, const npy_array *arr, const dtype_info *dt,
                      const unsigned char *header, size_t hsize)
{
    if (write_full(fd, header, hsize) != 0)
        return -1;
    if (arr->nbytes == 0)
        return 0;
    if (!host_is_big_endian())
        return write_full(fd, arr->data, arr->nbytes);
    unsigned char chunk[1 << 16];
    const unsigned char *src = (const unsigned char *)arr->data;
    size_t left = arr->nbytes;
    while (left > 0) {
        size_t n = left < sizeof chunk ? left : sizeof chunk; /* multiple of itemsize */
        memcpy(chunk, src, n);
        swap_items(chunk, n, dt->itemsize);
        if (write_full(fd, chunk, n) != 0)
            return -1;
        src += n;
        left -= n;
    }
    return 0;
}

int npy_write_fd(int fd, const char *name, const npy_array *arr, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    const char *path = nm(name);
    const dtype_info *dt = NULL;
    unsigned char header[1024];
    size_t hsize;
    if (prepare_write(path, arr, &dt, header, sizeof header, &hsize, err, errlen) != 0)
        return -1;
    if (write_body(fd, arr, dt, header, hsize) != 0) {
        seterr(err, errlen, "%s: write error: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int npy_write_atomic(const char *path, const npy_array *arr, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!path || !*path) {
        seterr(err, errlen, "npy_write_atomic: no file name given");
        return -1;
    }
    size_t plen = strlen(path);
    if (path[plen - 1] == '/') {
        seterr(err, errlen, "%s: is a directory name, not a file name", path);
        return -1;
    }
    const dtype_info *dt = NULL;
    unsigned char header[1024];
    size_t hsize;
    if (prepare_write(path, arr, &dt, header, sizeof header, &hsize, err, errlen) != 0)
        return -1;

    atomic_file af;
    if (atomic_file_open(&af, path, err, errlen) != 0)
        return -1;
    int ok = write_body(af.fd, arr, dt, header, hsize) == 0;
    if (!ok)
        seterr(err, errlen, "%s: write error: %s", path, strerror(errno));
    return atomic_file_finish(&af, ok, err, errlen);
}
