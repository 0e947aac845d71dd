/* SPDX-License-Identifier: MIT */
/*
 * test_npy.c — tests for tools/npy.{h,c}: round trips, numpy-written
 * fixtures (tests/data/npy, see gen.py there), malformed input and the
 * atomic writer's failure behaviour.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "npy.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "."
#endif
#define FIXDIR TEST_SRCDIR "/data/npy"

#define ERRLEN 512

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

static char g_tmpdir[4096];

static void tmpdir_setup(void)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    snprintf(g_tmpdir, sizeof g_tmpdir, "%s/test_npy.XXXXXX", base);
    ck_assert_msg(mkdtemp(g_tmpdir) != NULL, "mkdtemp(%s): %s", g_tmpdir, strerror(errno));
}

static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        chmod(path, 0700);
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                char sub[8192];
                snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
                rm_rf(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void tmpdir_teardown(void)
{
    if (g_tmpdir[0])
        rm_rf(g_tmpdir);
    g_tmpdir[0] = '\0';
}

static void tpath(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", g_tmpdir, name);
}

/* Number of entries (besides . and ..) in a directory. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "opendir(%s): %s", dir, strerror(errno));
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "fopen(%s): %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            unsigned char *grown = realloc(buf, cap);
            ck_assert_ptr_nonnull(grown);
            buf = grown;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

static void spit(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "fopen(%s): %s", path, strerror(errno));
    if (len)
        ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static size_t dtype_size(clrs_dtype dt)
{
    switch (dt) {
    case CLRS_F32:
        return 4;
    case CLRS_F64:
    case CLRS_I64:
        return 8;
    case CLRS_F16:
    case CLRS_U16:
        return 2;
    case CLRS_U8:
        return 1;
    default:
        return 0;
    }
}

/*
 * Builds a .npy image from a raw header text: magic, version, header length,
 * the header text padded with spaces and a '\n' to a multiple of 64 (when
 * `pad`), then `ndata` bytes of data (a counting pattern).
 */
static unsigned char *build_npy(const char *hdr, size_t hdrlen, int major, int pad, size_t ndata,
                                size_t *outlen)
{
    size_t prefix = major == 1 ? 10 : 12;
    size_t hl = hdrlen;
    if (pad) {
        hl = hdrlen + 1;
        hl += (64 - (prefix + hl) % 64) % 64;
    }
    size_t total = prefix + hl + ndata;
    unsigned char *b = malloc(total ? total : 1);
    ck_assert_ptr_nonnull(b);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)major;
    b[7] = 0;
    b[8] = (unsigned char)(hl & 0xff);
    b[9] = (unsigned char)((hl >> 8) & 0xff);
    if (prefix == 12) {
        b[10] = (unsigned char)((hl >> 16) & 0xff);
        b[11] = (unsigned char)((hl >> 24) & 0xff);
    }
    memcpy(b + prefix, hdr, hdrlen);
    if (pad) {
        memset(b + prefix + hdrlen, ' ', hl - hdrlen);
        b[prefix + hl - 1] = '\n';
    }
    for (size_t i = 0; i < ndata; i++)
        b[prefix + hl + i] = (unsigned char)(i * 7 + 1);
    *outlen = total;
    return b;
}

static int parse_hdr(const char *hdr, size_t hdrlen, size_t ndata, npy_array *a, char *err)
{
    size_t len;
    unsigned char *b = build_npy(hdr, hdrlen, 1, 1, ndata, &len);
    int rc = npy_parse(b, len, "x.npy", a, err, ERRLEN);
    free(b);
    return rc;
}

#define ASSERT_FAILS_WITH(rc, err, word)                                                        \
    ck_assert_msg((rc) == -1 && strstr((err), (word)) != NULL,                                  \
                  "expected failure mentioning \"%s\", got rc=%d err=\"%s\"", (word), (rc), \
                  (err))

static void assert_zeroed(const npy_array *a)
{
    ck_assert_ptr_null(a->data);
    ck_assert_uint_eq(a->nbytes, 0);
    ck_assert_int_eq(a->ndim, 0);
}

static const clrs_dtype k_all_dtypes[] = {CLRS_F32, CLRS_F64, CLRS_F16, CLRS_U8, CLRS_U16,
                                          CLRS_I64};
#define NDT ((int)(sizeof k_all_dtypes / sizeof k_all_dtypes[0]))

/* Fills an array with a deterministic pattern. */
static void make_array(npy_array *a, clrs_dtype dt, int ndim, const int64_t *shape, unsigned seed)
{
    memset(a, 0, sizeof *a);
    a->dtype = dt;
    a->ndim = ndim;
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        a->shape[i] = shape[i];
        n *= (size_t)shape[i];
    }
    a->nbytes = n * dtype_size(dt);
    a->data = malloc(a->nbytes ? a->nbytes : 1);
    ck_assert_ptr_nonnull(a->data);
    unsigned x = seed * 2654435761u + 1;
    for (size_t i = 0; i < a->nbytes; i++) {
        x = x * 1103515245u + 12345u;
        ((unsigned char *)a->data)[i] = (unsigned char)(x >> 16);
    }
}

static void assert_same_array(const npy_array *a, const npy_array *b)
{
    ck_assert_int_eq(a->dtype, b->dtype);
    ck_assert_int_eq(a->ndim, b->ndim);
    for (int i = 0; i < a->ndim; i++)
        ck_assert_int_eq(a->shape[i], b->shape[i]);
    ck_assert_uint_eq(a->nbytes, b->nbytes);
    ck_assert_ptr_nonnull(b->data);
    if (a->nbytes)
        ck_assert_int_eq(memcmp(a->data, b->data, a->nbytes), 0);
}

/* ------------------------------------------------------------------------ */
/* Round trips                                                              */

START_TEST(test_roundtrip_all_dtypes_ndims)
{
    static const int64_t dims[5] = {3, 2, 4, 1, 5};
    char path[4600], err[ERRLEN];
    for (int d = 0; d < NDT; d++) {
        for (int nd = 0; nd <= 5; nd++) {
            npy_array a, b;
            make_array(&a, k_all_dtypes[d], nd, dims, (unsigned)(d * 10 + nd));
            snprintf(path, sizeof path, "%s/rt_%d_%d.npy", g_tmpdir, d, nd);
            ck_assert_msg(npy_write_atomic(path, &a, err, sizeof err) == 0, "%s", err);
            ck_assert_msg(npy_read(path, &b, err, sizeof err) == 0, "%s", err);
            assert_same_array(&a, &b);
            npy_free(&b);

            /* File layout: version 1.0, data 64-byte aligned, header ends in '\n'. */
            size_t len;
            unsigned char *f = slurp(path, &len);
            ck_assert_uint_ge(len, 10);
            ck_assert_int_eq(memcmp(f, "\x93NUMPY\x01\x00", 8), 0);
            size_t hl = (size_t)f[8] | ((size_t)f[9] << 8);
            ck_assert_uint_eq((10 + hl) % 64, 0);
            ck_assert_uint_eq(len, 10 + hl + a.nbytes);
            ck_assert_int_eq(f[10 + hl - 1], '\n');
            ck_assert_int_eq(f[10], '{');
            /* npy_parse of the same bytes agrees. */
            ck_assert_msg(npy_parse(f, len, "mem", &b, err, sizeof err) == 0, "%s", err);
            assert_same_array(&a, &b);
            npy_free(&b);
            free(f);
            npy_free(&a);
        }
    }
    /* Only the written files remain: no temporaries. */
    ck_assert_int_eq(count_entries(g_tmpdir), NDT * 6);
}
END_TEST

START_TEST(test_roundtrip_empty_and_8d)
{
    char path[4600], err[ERRLEN];
    static const int64_t shapes[][NPY_MAX_NDIM] = {
        {0}, {2, 0, 3}, {0, 0}, {1, 2, 1, 2, 1, 2, 1, 2}, {1, 1, 1, 1, 1, 1, 1, 1},
    };
    static const int ndims[] = {1, 3, 2, 8, 8};
    tpath(path, sizeof path, "e.npy");
    for (size_t i = 0; i < sizeof ndims / sizeof ndims[0]; i++) {
        for (int d = 0; d < NDT; d++) {
            npy_array a, b;
            make_array(&a, k_all_dtypes[d], ndims[i], shapes[i], (unsigned)i);
            if (a.nbytes == 0) { /* NULL data is fine for an empty array */
                free(a.data);
                a.data = NULL;
            }
            ck_assert_msg(npy_write_atomic(path, &a, err, sizeof err) == 0, "%s", err);
            ck_assert_msg(npy_read(path, &b, err, sizeof err) == 0, "%s", err);
            assert_same_array(&a, &b);
            ck_assert_ptr_nonnull(b.data); /* non-NULL even when empty */
            npy_free(&b);
            npy_free(&a);
        }
    }
    ck_assert_int_eq(count_entries(g_tmpdir), 1);
}
END_TEST

START_TEST(test_overwrite_existing)
{
    char path[4600], err[ERRLEN];
    static const int64_t s1[] = {100}, s2[] = {2, 2};
    npy_array a, b, r;
    make_array(&a, CLRS_F64, 1, s1, 1);
    make_array(&b, CLRS_U8, 2, s2, 2);
    tpath(path, sizeof path, "o.npy");
    ck_assert_msg(npy_write_atomic(path, &a, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(npy_write_atomic(path, &b, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(npy_read(path, &r, err, sizeof err) == 0, "%s", err);
    assert_same_array(&b, &r);
    ck_assert_int_eq(count_entries(g_tmpdir), 1);
    npy_free(&r);
    npy_free(&a);
    npy_free(&b);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Files written by numpy                                                   */

typedef struct fixture {
    const char *file;
    clrs_dtype dtype;
    int ndim;
    int64_t shape[5];
    int elems;
    uint64_t bits[6]; /* element bit patterns */
    int byte_identical; /* our writer reproduces the file exactly (version 1.0) */
} fixture;

static const fixture k_fixtures[] = {
    {"f4_2x3.npy",
     CLRS_F32,
     2,
     {2, 3},
     6,
     {0xc0200000, 0xbfc00000, 0xbf000000, 0x3f000000, 0x3fc00000, 0x40200000},
     1},
    {"f8_3.npy",
     CLRS_F64,
     1,
     {3},
     3,
     {0x3ff8000000000000ull, 0xc002000000000000ull, 0x7e37e43c8800759cull},
     1},
    {"f2_2x2.npy", CLRS_F16, 2, {2, 2}, 4, {0x3800, 0xbc00, 0x7bff, 0x03ff}, 1},
    {"u1_4.npy", CLRS_U8, 1, {4}, 4, {0, 1, 254, 255}, 1},
    {"u2_2x3.npy", CLRS_U16, 2, {2, 3}, 6, {0, 1, 2, 1000, 40000, 65535}, 1},
    {"i8_scalar.npy", CLRS_I64, 0, {0}, 1, {0xfffffffffffffff9ull}, 1},
    {"f4_0x3.npy", CLRS_F32, 2, {0, 3}, 0, {0}, 1},
    {"i8_5d.npy",
     CLRS_I64,
     5,
     {1, 2, 1, 2, 1},
     4,
     {0xffffff0000000000ull, 0xffffff0000000001ull, 0xffffff0000000002ull,
      0xffffff0000000003ull},
     1},
    {"v2_f4_3.npy", CLRS_F32, 1, {3}, 3, {0x3f800000, 0x40000000, 0x40400000}, 0},
    {"v3_f4_3.npy", CLRS_F32, 1, {3}, 3, {0x3f800000, 0x40000000, 0x40400000}, 0},
};

START_TEST(test_numpy_fixtures)
{
    const fixture *fx = &k_fixtures[_i];
    char path[4600], out[4600], err[ERRLEN];
    snprintf(path, sizeof path, "%s/%s", FIXDIR, fx->file);
    npy_array a;
    ck_assert_msg(npy_read(path, &a, err, sizeof err) == 0, "%s: %s", fx->file, err);
    ck_assert_int_eq(a.dtype, fx->dtype);
    ck_assert_int_eq(a.ndim, fx->ndim);
    for (int i = 0; i < fx->ndim; i++)
        ck_assert_int_eq(a.shape[i], fx->shape[i]);
    size_t isz = dtype_size(fx->dtype);
    ck_assert_uint_eq(a.nbytes, (size_t)fx->elems * isz);
    ck_assert_ptr_nonnull(a.data);
    for (int i = 0; i < fx->elems; i++) {
        uint64_t v = 0;
        /* Little-endian value of element i (the test hosts are little-endian;
         * npy.c converts on big-endian hosts, so compare native values). */
        const unsigned char *p = (const unsigned char *)a.data + (size_t)i * isz;
        switch (isz) {
        case 1: v = p[0]; break;
        case 2: { uint16_t t; memcpy(&t, p, 2); v = t; break; }
        case 4: { uint32_t t; memcpy(&t, p, 4); v = t; break; }
        default: memcpy(&v, p, 8); break;
        }
        ck_assert_msg(v == fx->bits[i], "%s element %d: got 0x%llx want 0x%llx", fx->file, i,
                      (unsigned long long)v, (unsigned long long)fx->bits[i]);
    }
    if (fx->byte_identical) {
        snprintf(out, sizeof out, "%s/%s", g_tmpdir, fx->file);
        ck_assert_msg(npy_write_atomic(out, &a, err, sizeof err) == 0, "%s", err);
        size_t l1, l2;
        unsigned char *b1 = slurp(path, &l1), *b2 = slurp(out, &l2);
        ck_assert_uint_eq(l1, l2);
        ck_assert_msg(memcmp(b1, b2, l1) == 0, "%s: our output differs from numpy's", fx->file);
        free(b1);
        free(b2);
    }
    npy_free(&a);
}
END_TEST

START_TEST(test_numpy_unsupported_fixtures)
{
    static const struct {
        const char *file, *w1, *w2;
    } cases[] = {
        {"fortran_f4_2x3.npy", "Fortran-order arrays are not supported", "fortran_f4_2x3.npy: "},
        {"bigendian_f4_3.npy", "unsupported dtype '>f4'", "big-endian"},
        {"i4_3.npy", "unsupported dtype '<i4' (supported: <f4, <f8, <f2, |u1, <u2, <i8)", ".npy"},
        {"bool_3.npy", "unsupported dtype '|b1'", "supported"},
        {"structured_2.npy", "unsupported dtype", "structured"},
    };
    char path[4600], err[ERRLEN];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", FIXDIR, cases[i].file);
        npy_array a;
        memset(&a, 0x5a, sizeof a);
        int rc = npy_read(path, &a, err, sizeof err);
        ASSERT_FAILS_WITH(rc, err, cases[i].w1);
        ASSERT_FAILS_WITH(rc, err, cases[i].w2);
        ck_assert_msg(strncmp(err, path, strlen(path)) == 0, "message not prefixed: %s", err);
        assert_zeroed(&a);
        npy_free(&a);
    }
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Malformed input                                                          */

static unsigned char *valid_image(int major, size_t *len)
{
    static const char h[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    return build_npy(h, sizeof h - 1, major, 1, 24, len);
}

START_TEST(test_truncated_every_prefix)
{
    char err[ERRLEN], path[4600];
    tpath(path, sizeof path, "t.npy");
    for (int major = 1; major <= 3; major++) {
        size_t len;
        unsigned char *b = valid_image(major, &len);
        npy_array a;
        ck_assert_msg(npy_parse(b, len, "t.npy", &a, err, sizeof err) == 0, "%s", err);
        npy_free(&a);
        for (size_t n = 0; n < len; n++) {
            memset(&a, 0x5a, sizeof a);
            err[0] = '\0';
            int rc = npy_parse(b, n, "t.npy", &a, err, sizeof err);
            ck_assert_msg(rc == -1, "prefix %zu of %zu accepted", n, len);
            ck_assert_msg(strncmp(err, "t.npy: ", 7) == 0, "prefix %zu: '%s'", n, err);
            assert_zeroed(&a);
            /* The same through the file reader. */
            spit(path, b, n);
            memset(&a, 0x5a, sizeof a);
            rc = npy_read(path, &a, err, sizeof err);
            ck_assert_msg(rc == -1 && strstr(err, path) == err, "file prefix %zu: '%s'", n, err);
            assert_zeroed(&a);
            /* Typical words by region. */
            if (n > 0 && n < 10)
                ck_assert_msg(strstr(err, "truncated") != NULL, "prefix %zu: '%s'", n, err);
            else if (n > 12 && n < len - 24)
                ck_assert_msg(strstr(err, "past the end") != NULL, "prefix %zu: '%s'", n, err);
            else if (n >= len - 24)
                ck_assert_msg(strstr(err, "data bytes") != NULL, "prefix %zu: '%s'", n, err);
        }
        free(b);
    }
    /* NULL buffer of length 0 is just "empty". */
    npy_array a;
    int rc = npy_parse(NULL, 0, "n.npy", &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "empty");
}
END_TEST

START_TEST(test_data_size_mismatch)
{
    char err[ERRLEN];
    npy_array a;
    static const char h[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    int rc = parse_hdr(h, sizeof h - 1, 20, &a, err);
    ck_assert_int_eq(rc, -1);
    ck_assert_str_eq(err,
                     "x.npy: header says shape (2, 3) of <f4 = 24 bytes but the file has 20 data "
                     "bytes");
    rc = parse_hdr(h, sizeof h - 1, 25, &a, err);
    ck_assert_int_eq(rc, -1);
    ck_assert_str_eq(err,
                     "x.npy: header says shape (2, 3) of <f4 = 24 bytes but the file has 25 data "
                     "bytes");
    static const char h0[] = "{'descr': '|u1', 'fortran_order': False, 'shape': (), }";
    rc = parse_hdr(h0, sizeof h0 - 1, 0, &a, err);
    ASSERT_FAILS_WITH(rc, err, "shape () of |u1 = 1 bytes but the file has 0 data bytes");
    static const char h1[] = "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }";
    rc = parse_hdr(h1, sizeof h1 - 1, 16, &a, err);
    ASSERT_FAILS_WITH(rc, err, "shape (3,) of <i8 = 24 bytes but the file has 16 data bytes");
    /* An empty array with data after it. */
    static const char he[] = "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 5), }";
    rc = parse_hdr(he, sizeof he - 1, 8, &a, err);
    ASSERT_FAILS_WITH(rc, err, "= 0 bytes but the file has 8 data bytes");
    rc = parse_hdr(he, sizeof he - 1, 0, &a, err);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_ptr_nonnull(a.data);
    npy_free(&a);
}
END_TEST

START_TEST(test_bad_magic_and_version)
{
    char err[ERRLEN];
    npy_array a;
    size_t len;
    unsigned char *b = valid_image(1, &len);
    static const struct {
        size_t off;
        unsigned char val;
        const char *word;
    } cases[] = {
        {0, 0x94, "bad magic"}, {1, 'n', "bad magic"},  {5, 'Z', "bad magic"},
        {6, 0, "version 0.0"},  {6, 4, "version 4.0"},  {7, 1, "version 1.1"},
        {6, 0xff, "version 255.0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char *c = malloc(len);
        memcpy(c, b, len);
        c[cases[i].off] = cases[i].val;
        int rc = npy_parse(c, len, "x.npy", &a, err, sizeof err);
        ASSERT_FAILS_WITH(rc, err, cases[i].word);
        free(c);
    }
    /* Short garbage: bad magic wins over "too short". */
    int rc = npy_parse("PK\x03\x04", 4, "z.npy", &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "not a .npy file");
    rc = npy_parse("\x93NUMPY\x02", 7, "z.npy", &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "truncated");
    /* Version 2.0 header fields cut short (11 bytes). */
    rc = npy_parse("\x93NUMPY\x02\x00\x10\x00\x00", 11, "z.npy", &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "truncated");
    free(b);
}
END_TEST

START_TEST(test_header_length_lies)
{
    char err[ERRLEN];
    npy_array a;
    size_t len;
    unsigned char *b = valid_image(1, &len);
    /* Length past the end of the buffer. */
    b[8] = 0xff;
    b[9] = 0xff;
    int rc = npy_parse(b, len, "x.npy", &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "header length 65535 runs past the end");
    free(b);
    b = valid_image(2, &len);
    memset(b + 8, 0xff, 4);
    rc = npy_parse(b, len, "x.npy", &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "header length 4294967295 runs past the end");
    /* Length shorter than the dict: the dict is cut (and data misaligned). */
    b[8] = 20;
    memset(b + 9, 0, 3);
    rc = npy_parse(b, len, "x.npy", &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "malformed header");
    /* Header length 0. */
    b[8] = 0;
    rc = npy_parse(b, 12, "x.npy", &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "empty");
    free(b);
    /* A real but huge (2 MiB) version 2.0 header is refused. */
    size_t big = (size_t)2 << 20;
    char *h = malloc(big);
    ck_assert_ptr_nonnull(h);
    memset(h, ' ', big);
    static const char d[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    memcpy(h, d, sizeof d - 1);
    b = build_npy(h, big, 2, 1, 24, &len);
    rc = npy_parse(b, len, "x.npy", &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "unreasonably large");
    free(b);
    free(h);
}
END_TEST

typedef struct hdr_case {
    const char *hdr;
    size_t len; /* 0: strlen */
    const char *word; /* NULL: must succeed as (2, 3) <f4 with 24 data bytes */
} hdr_case;

#define HC(s, w) {s, sizeof(s) - 1, w}
#define F4 "'descr': '<f4', "
#define FO "'fortran_order': False, "
#define SH "'shape': (2, 3)"

static const hdr_case k_hdr_cases[] = {
    /* Accepted spellings. */
    HC("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", NULL),
    HC("{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}", NULL),
    HC("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,3)}", NULL),
    HC("  {  'fortran_order'  :False ,'descr':'<f4','shape':( 2 ,\t3 , ) , }  \n", NULL),
    HC("{'descr': '<f4',\n 'fortran_order': False,\n 'shape': (2L, 3L)}\n", NULL),
    HC("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}\r\n", NULL),
    /* Structure. */
    HC("   \n", "empty"),
    HC("[]", "expected '{'"),
    HC("'descr': '<f4'", "expected '{'"),
    HC("{" F4 FO "}", "no 'shape' key"),
    HC("{" FO SH "}", "no 'descr' key"),
    HC("{" F4 SH "}", "no 'fortran_order' key"),
    HC("{}", "no 'descr' key"),
    HC("{" F4 F4 FO SH "}", "duplicate key 'descr'"),
    HC("{" F4 FO FO SH "}", "duplicate key 'fortran_order'"),
    HC("{" F4 FO SH ", " SH "}", "duplicate key 'shape'"),
    HC("{" F4 FO SH ", 'foo': 1}", "unknown key 'foo'"),
    HC("{" F4 FO SH ", 'shapes': 1}", "unknown key 'shapes'"),
    HC("{" F4 FO "'sha\0e': (2, 3)}", "unknown key"),
    HC("{" F4 FO SH "} x", "after the header dict"),
    HC("{" F4 FO SH "}}", "after the header dict"),
    HC("{" F4 FO SH "}\n\0", "after the header dict"),
    HC("{" F4 FO SH "}{}", "after the header dict"),
    HC("{" F4 FO SH, "',' or '}'"),
    HC("{'descr': '<f4' 'fortran_order': False, " SH "}", "',' or '}'"),
    HC("{'descr' '<f4', " FO SH "}", "':'"),
    HC("{" F4 FO SH ",, }", "quoted string"),
    HC("{descr: '<f4', " FO SH "}", "quoted string"),
    HC("{\xff}", "quoted string"),
    HC("{'descr': '<f4", "unterminated string"),
    HC("{'descr\": '<f4', " FO SH "}", "unknown key 'descr\": '"),
    HC("{'descr': '<f4\n', " FO SH "}", "unterminated string"),
    HC("{'descr': '\\x3cf4', " FO SH "}", "escape"),
    /* fortran_order. */
    HC("{" F4 "'fortran_order': 'False', " SH "}", "True or False"),
    HC("{" F4 "'fortran_order': 0, " SH "}", "True or False"),
    HC("{" F4 "'fortran_order': false, " SH "}", "True or False"),
    HC("{" F4 "'fortran_order': Falsey, " SH "}", "True or False"),
    HC("{" F4 "'fortran_order': , " SH "}", "True or False"),
    HC("{" F4 "'fortran_order': True, " SH "}", "Fortran-order arrays are not supported"),
    /* shape syntax. */
    HC("{" F4 FO "'shape': (2, 3}", "',' or ')'"),
    HC("{" F4 FO "'shape': (2 3)}", "',' or ')'"),
    HC("{" F4 FO "'shape': (,)}", "integer"),
    HC("{" F4 FO "'shape': (2,,)}", "integer"),
    HC("{" F4 FO "'shape': [2, 3]}", "tuple"),
    HC("{" F4 FO "'shape': 6}", "tuple"),
    HC("{" F4 FO "'shape': (6)}", "not a tuple"),
    HC("{" F4 FO "'shape': {}}", "tuple"),
    HC("{" F4 FO "'shape': (-1,)}", "negative dimension -1"),
    HC("{" F4 FO "'shape': (2, -3)}", "negative dimension -3"),
    HC("{" F4 FO "'shape': (+6,)}", "non-negative integer"),
    HC("{" F4 FO "'shape': (1.5,)}", "integer"),
    HC("{" F4 FO "'shape': (6.,)}", "integer"),
    HC("{" F4 FO "'shape': (0x10,)}", "integer"),
    HC("{" F4 FO "'shape': (06,)}", "leading zeros"),
    HC("{" F4 FO "'shape': (2, 3", "',' or ')'"),
    HC("{" F4 FO "'shape': (2, ", "integer"),
    HC("{" F4 FO "'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1)}", "more than 8 dimensions"),
    /* Sizes. */
    HC("{" F4 FO "'shape': (4611686018427387904, 4611686018427387904)}", "overflow"),
    HC("{" F4 FO "'shape': (0, 4611686018427387904, 4611686018427387904)}", "overflow"),
    HC("{" F4 FO "'shape': (3037000500, 3037000500)}", "overflow"),
    HC("{" F4 FO "'shape': (9223372036854775807,)}", "byte count overflows"),
    HC("{'descr': '<f8', " FO "'shape': (2305843009213693952,)}", "byte count overflows"),
    HC("{'descr': '|u1', " FO "'shape': (9223372036854775807,)}",
       "= 9223372036854775807 bytes but the file has 24 data bytes"),
    HC("{" F4 FO "'shape': (9223372036854775808,)}", "dimension 9223372036854775808 in shape is too large"),
    HC("{" F4 FO "'shape': (99999999999999999999999999999999,)}", "too large"),
    HC("{" F4 FO "'shape': (1000000000000000,)}",
       "= 4000000000000000 bytes but the file has 24 data bytes"),
    HC("{" F4 FO "'shape': (3, 2, 1, 1, 1, 1, 1, 2)}", "= 48 bytes but the file has 24"),
    /* descr. */
    HC("{'descr': '>f4', " FO SH "}", "unsupported dtype '>f4' (big-endian"),
    HC("{'descr': '<i4', " FO SH "}",
       "x.npy: unsupported dtype '<i4' (supported: <f4, <f8, <f2, |u1, <u2, <i8)"),
    HC("{'descr': 'f4', " FO SH "}", "unsupported dtype 'f4'"),
    HC("{'descr': '<f4 ', " FO SH "}", "unsupported dtype '<f4 '"),
    HC("{'descr': '=f4', " FO SH "}", "unsupported dtype '=f4'"),
    HC("{'descr': '|O', " FO SH "}", "object arrays"),
    HC("{'descr': '<f4\0', " FO SH "}", "unsupported dtype '<f4\\x00'"),
    HC("{'descr': '', " FO SH "}", "unsupported dtype ''"),
    HC("{'descr': [('a', '<f4')], " FO SH "}", "structured"),
    HC("{'descr': <f4, " FO SH "}", "quoted string"),
    HC("{'descr': '<f4xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', " FO SH "}",
       "unsupported dtype '<f4xxxx"),
};

START_TEST(test_header_cases)
{
    const hdr_case *hc = &k_hdr_cases[_i];
    char err[ERRLEN];
    npy_array a;
    memset(&a, 0x5a, sizeof a);
    int rc = parse_hdr(hc->hdr, hc->len, 24, &a, err);
    if (!hc->word) {
        ck_assert_msg(rc == 0, "case %d rejected: %s", _i, err);
        ck_assert_int_eq(a.dtype, CLRS_F32);
        ck_assert_int_eq(a.ndim, 2);
        ck_assert_int_eq(a.shape[0], 2);
        ck_assert_int_eq(a.shape[1], 3);
        ck_assert_uint_eq(a.nbytes, 24);
        npy_free(&a);
        return;
    }
    ck_assert_msg(rc == -1 && strstr(err, hc->word) != NULL,
                  "case %d: expected failure mentioning \"%s\", got rc=%d err=\"%s\"", _i,
                  hc->word, rc, err);
    ck_assert_msg(strncmp(err, "x.npy: ", 7) == 0, "case %d: not prefixed: %s", _i, err);
    ck_assert_msg(strchr(err, '\n') == NULL && strlen(err) < 300, "case %d: bad message: %s", _i,
                  err);
    assert_zeroed(&a);
}
END_TEST

/* Big claims through the file reader fail before allocating anything. */
START_TEST(test_read_huge_claims)
{
    static const char *hdrs[] = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000000,), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 1000000), }",
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, "
         "4611686018427387904), }"),
    };
    static const char *words[] = {"4000000000000000 bytes but the file has 24 data bytes",
                                  "800000000000000000 bytes but the file has 24 data bytes", "overflow"};
    char path[4600], err[ERRLEN];
    tpath(path, sizeof path, "huge.npy");
    for (size_t i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++) {
        size_t len;
        unsigned char *b = build_npy(hdrs[i], strlen(hdrs[i]), 1, 1, 24, &len);
        spit(path, b, len);
        free(b);
        npy_array a;
        int rc = npy_read(path, &a, err, sizeof err);
        ASSERT_FAILS_WITH(rc, err, words[i]);
        assert_zeroed(&a);
    }
}
END_TEST

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Random mutations of valid images must never crash, and anything accepted
 * must be self-consistent. */
START_TEST(test_mutation_fuzz)
{
    static const char alphabet[] = "{}()[],:' \"\n0123456789-LTrueFalsdcpfoih<>|_x";
    uint64_t s = 0x9e3779b97f4a7c15ull;
    size_t blen;
    unsigned char *base = valid_image(1, &blen);
    unsigned char *buf = malloc(blen + 64);
    ck_assert_ptr_nonnull(buf);
    int accepted = 0;
    for (int it = 0; it < 30000; it++) {
        memcpy(buf, base, blen);
        size_t len = blen;
        int nmut = 1 + (int)(xorshift(&s) % 4);
        for (int m = 0; m < nmut; m++) {
            size_t pos = (size_t)(xorshift(&s) % len);
            switch (xorshift(&s) % 4) {
            case 0: buf[pos] = (unsigned char)xorshift(&s); break;
            case 1: buf[pos] = (unsigned char)alphabet[xorshift(&s) % (sizeof alphabet - 1)]; break;
            case 2: len = pos + 1; break;
            default: /* mutate inside the header dict */
                pos = 10 + (size_t)(xorshift(&s) % 70);
                if (pos < len)
                    buf[pos] = (unsigned char)alphabet[xorshift(&s) % (sizeof alphabet - 1)];
                break;
            }
        }
        if (xorshift(&s) % 8 == 0) { /* grow by a few bytes */
            size_t extra = (size_t)(xorshift(&s) % 16);
            memset(buf + len, 0, extra);
            len += extra;
        }
        npy_array a;
        char err[ERRLEN];
        err[0] = '\0';
        int rc = npy_parse(buf, len, "f.npy", &a, err, sizeof err);
        if (rc == 0) {
            accepted++;
            ck_assert(a.ndim >= 0 && a.ndim <= NPY_MAX_NDIM);
            size_t n = 1;
            for (int i = 0; i < a.ndim; i++) {
                ck_assert(a.shape[i] >= 0);
                n *= (size_t)a.shape[i];
            }
            ck_assert_uint_eq(n * dtype_size(a.dtype), a.nbytes);
            ck_assert_ptr_nonnull(a.data);
            npy_free(&a);
        } else {
            ck_assert_int_eq(rc, -1);
            ck_assert_msg(strncmp(err, "f.npy: ", 7) == 0, "iteration %d: '%s'", it, err);
            assert_zeroed(&a);
        }
    }
    ck_assert_int_gt(accepted, 0);
    free(buf);
    free(base);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Reader errors                                                            */

START_TEST(test_read_errors)
{
    char path[4600], err[ERRLEN];
    npy_array a;
    int rc;

    tpath(path, sizeof path, "missing.npy");
    rc = npy_read(path, &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "No such file");
    ck_assert_msg(strstr(err, path) == err, "%s", err);
    assert_zeroed(&a);

    rc = npy_read(g_tmpdir, &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "is a directory");

    tpath(path, sizeof path, "empty.npy");
    spit(path, "", 0);
    rc = npy_read(path, &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "empty");

    tpath(path, sizeof path, "text.npy");
    spit(path, "hello, world\n", 13);
    rc = npy_read(path, &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "not a .npy file");

    /* A FIFO must be refused without blocking. */
    tpath(path, sizeof path, "fifo.npy");
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    rc = npy_read(path, &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "not a regular file");

    rc = npy_read("", &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "no file name");
    rc = npy_read(NULL, &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "no file name");

    /* Unreadable file (permissions do not apply to root). */
    if (geteuid() != 0) {
        size_t len;
        unsigned char *b = valid_image(1, &len);
        tpath(path, sizeof path, "noperm.npy");
        spit(path, b, len);
        free(b);
        ck_assert_int_eq(chmod(path, 0), 0);
        rc = npy_read(path, &a, err, sizeof err);
        ASSERT_FAILS_WITH(rc, err, "Permission denied");
    }
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Writer failures                                                          */

static void write_marker(const char *path, const unsigned char **content, size_t *len)
{
    static const unsigned char marker[] = "precious contents";
    spit(path, marker, sizeof marker);
    *content = marker;
    *len = sizeof marker;
}

static void assert_file_is(const char *path, const unsigned char *content, size_t len)
{
    size_t l;
    unsigned char *b = slurp(path, &l);
    ck_assert_uint_eq(l, len);
    ck_assert_int_eq(memcmp(b, content, len), 0);
    free(b);
}

START_TEST(test_write_missing_dir)
{
    char path[4600], err[ERRLEN];
    static const int64_t shape[] = {4};
    npy_array a;
    make_array(&a, CLRS_F32, 1, shape, 3);
    tpath(path, sizeof path, "nodir/sub/x.npy");
    int rc = npy_write_atomic(path, &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "No such file or directory");
    ck_assert_msg(strstr(err, path) == err, "%s", err);
    ck_assert_int_eq(count_entries(g_tmpdir), 0);
    npy_free(&a);
}
END_TEST

START_TEST(test_write_over_directory)
{
    char path[4600], inner[4700], err[ERRLEN];
    static const int64_t shape[] = {4};
    npy_array a;
    make_array(&a, CLRS_U16, 1, shape, 3);
    tpath(path, sizeof path, "d.npy");
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(inner, sizeof inner, "%s/keep", path);
    spit(inner, "k", 1);
    int rc = npy_write_atomic(path, &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "is a directory"); /* refused before any temporary is made */
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_int_eq(count_entries(g_tmpdir), 1); /* no temporary left */
    ck_assert_int_eq(count_entries(path), 1);
    /* A trailing slash is refused up front. */
    char slash[4700];
    snprintf(slash, sizeof slash, "%s/", path);
    rc = npy_write_atomic(slash, &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "directory");
    ck_assert_int_eq(count_entries(path), 1);
    npy_free(&a);
}
END_TEST

START_TEST(test_write_invalid_arrays_keep_destination)
{
    char path[4600], err[ERRLEN];
    static const int64_t shape[] = {2, 3};
    tpath(path, sizeof path, "keep.npy");
    const unsigned char *content;
    size_t clen;
    write_marker(path, &content, &clen);
    npy_array good;
    make_array(&good, CLRS_F32, 2, shape, 9);

    struct {
        npy_array a;
        const char *word;
    } cases[8];
    int n = 0;
    cases[n].a = good, cases[n].a.dtype = CLRS_BF16, cases[n++].word = "cannot write dtype";
    cases[n].a = good, cases[n].a.dtype = (clrs_dtype)99, cases[n++].word = "cannot write dtype";
    cases[n].a = good, cases[n].a.ndim = 9, cases[n++].word = "number of dimensions";
    cases[n].a = good, cases[n].a.ndim = -1, cases[n++].word = "number of dimensions";
    cases[n].a = good, cases[n].a.shape[1] = -3, cases[n++].word = "negative dimension -3";
    cases[n].a = good, cases[n].a.nbytes = 20,
    cases[n++].word = "shape (2, 3) of <f4 needs 24 bytes but the array has nbytes = 20";
    cases[n].a = good, cases[n].a.data = NULL, cases[n++].word = "data is NULL";
    cases[n].a = good, cases[n].a.shape[0] = INT64_MAX, cases[n++].word = "overflow";
    for (int i = 0; i < n; i++) {
        int rc = npy_write_atomic(path, &cases[i].a, err, sizeof err);
        ASSERT_FAILS_WITH(rc, err, cases[i].word);
        assert_file_is(path, content, clen);
        ck_assert_int_eq(count_entries(g_tmpdir), 1);
    }
    int rc = npy_write_atomic(path, NULL, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "no array");
    rc = npy_write_atomic("", &good, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "no file name");
    rc = npy_write_atomic(NULL, &good, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "no file name");
    assert_file_is(path, content, clen);

    /* Read-only directory: creating the temporary fails, destination kept. */
    if (geteuid() != 0) {
        ck_assert_int_eq(chmod(g_tmpdir, 0500), 0);
        rc = npy_write_atomic(path, &good, err, sizeof err);
        chmod(g_tmpdir, 0700);
        ASSERT_FAILS_WITH(rc, err, "Permission denied");
        assert_file_is(path, content, clen);
        ck_assert_int_eq(count_entries(g_tmpdir), 1);
    }
    /* And a valid write replaces it. */
    ck_assert_msg(npy_write_atomic(path, &good, err, sizeof err) == 0, "%s", err);
    npy_array r;
    ck_assert_msg(npy_read(path, &r, err, sizeof err) == 0, "%s", err);
    assert_same_array(&good, &r);
    npy_free(&r);
    npy_free(&good);
    ck_assert_int_eq(count_entries(g_tmpdir), 1);
}
END_TEST

/* The parent "directory" is a regular file. */
START_TEST(test_write_parent_not_dir)
{
    char file[4600], path[4700], err[ERRLEN];
    tpath(file, sizeof file, "plain");
    spit(file, "p", 1);
    snprintf(path, sizeof path, "%s/x.npy", file);
    static const int64_t shape[] = {2};
    npy_array a;
    make_array(&a, CLRS_U8, 1, shape, 1);
    int rc = npy_write_atomic(path, &a, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "Not a directory");
    ck_assert_int_eq(count_entries(g_tmpdir), 1);
    npy_free(&a);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Misc                                                                     */

START_TEST(test_misc_api)
{
    npy_free(NULL);
    npy_array a;
    memset(&a, 0, sizeof a);
    npy_free(&a);
    size_t len;
    unsigned char *b = valid_image(1, &len);
    ck_assert_int_eq(npy_parse(b, len, NULL, &a, NULL, 0), 0);
    npy_free(&a);
    npy_free(&a); /* idempotent */
    ck_assert_ptr_null(a.data);

    /* err may be NULL; small buffers truncate; NULL name gives "<buffer>". */
    ck_assert_int_eq(npy_parse(b, len - 1, NULL, &a, NULL, 0), -1);
    char small[8];
    ck_assert_int_eq(npy_parse(b, len - 1, "abcdefghijkl", &a, small, sizeof small), -1);
    ck_assert_str_eq(small, "abcdefg");
    char err[ERRLEN];
    ck_assert_int_eq(npy_parse(b, len - 1, NULL, &a, err, sizeof err), -1);
    ck_assert_msg(strncmp(err, "<buffer>: ", 10) == 0, "%s", err);
    /* Names with newlines still give one-line messages. */
    ck_assert_int_eq(npy_parse(b, len - 1, "a\nb", &a, err, sizeof err), -1);
    ck_assert_ptr_null(strchr(err, '\n'));
    ck_assert_int_eq(npy_parse(b, len, "x", NULL, err, sizeof err), -1);
    /* "<u1" is read as U8 too. */
    static const char h[] = "{'descr': '<u1', 'fortran_order': False, 'shape': (3,), }";
    ck_assert_int_eq(parse_hdr(h, sizeof h - 1, 3, &a, err), 0);
    ck_assert_int_eq(a.dtype, CLRS_U8);
    npy_free(&a);
    free(b);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Budgets and the output kinds of atomicfile.h                             */

/* npy_read_limited refuses from the header alone, before any allocation. */
START_TEST(test_read_budget)
{
    char path[4600], err[ERRLEN];
    static const int64_t shape[] = {2, 3, 4, 5}; /* 120 f32 = 480 bytes, 20 per plane */
    npy_array a, r;
    make_array(&a, CLRS_F32, 4, shape, 7);
    tpath(path, sizeof path, "b.npy");
    ck_assert_msg(npy_write_atomic(path, &a, err, sizeof err) == 0, "%s", err);

    npy_limits lim = {479, 0, 0};
    int rc = npy_read_limited(path, &lim, &r, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err,
                      "needs 480 bytes: too large for the budget of 479 bytes (--max-bytes)");
    assert_zeroed(&r);
    lim.max_bytes = 480;
    ck_assert_msg(npy_read_limited(path, &lim, &r, err, sizeof err) == 0, "%s", err);
    assert_same_array(&a, &r);
    npy_free(&r);

    lim = (npy_limits){0, 19, 0}; /* channels first: (4, 5) */
    rc = npy_read_limited(path, &lim, &r, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "20 spatial elements per plane: too large for the budget of 19");
    lim.max_pixels = 20;
    ck_assert_msg(npy_read_limited(path, &lim, &r, err, sizeof err) == 0, "%s", err);
    npy_free(&r);
    lim = (npy_limits){0, 11, 1}; /* channels last: (3, 4) */
    rc = npy_read_limited(path, &lim, &r, err, sizeof err);
    ASSERT_FAILS_WITH(rc, err, "12 spatial elements per plane");
    lim.max_pixels = 12;
    ck_assert_msg(npy_read_limited(path, &lim, &r, err, sizeof err) == 0, "%s", err);
    npy_free(&r);
    npy_free(&a);

    /* A sparse file whose size matches a (1, 1, 65536, 32769) f32 header
     * (8.6 GB): only the budget stands between it and the allocation. */
    static const char h[] =
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 65536, 32769), }";
    size_t len;
    unsigned char *b = build_npy(h, sizeof h - 1, 1, 1, 0, &len);
    tpath(path, sizeof path, "sparse.npy");
    spit(path, b, len);
    free(b);
    if (truncate(path, (off_t)(len + (size_t)65536 * 32769 * 4)) == 0) {
        lim = (npy_limits){(uint64_t)1 << 32, (uint64_t)1 << 28, 0};
        rc = npy_read_limited(path, &lim, &r, err, sizeof err);
        ASSERT_FAILS_WITH(rc, err,
                          "needs 8590196736 bytes: too large for the budget of 4294967296");
        lim.max_bytes = 0;
        rc = npy_read_limited(path, &lim, &r, err, sizeof err);
        ASSERT_FAILS_WITH(rc, err, "2147549184 spatial elements per plane");
        assert_zeroed(&r);
    }
}
END_TEST

/* A replaced file keeps its mode; a long name works (short temporaries). */
START_TEST(test_write_keeps_mode_long_name)
{
    char path[4600], err[ERRLEN];
    static const int64_t shape[] = {3};
    npy_array a;
    make_array(&a, CLRS_U8, 1, shape, 1);
    tpath(path, sizeof path, "m.npy");
    spit(path, "x", 1);
    ck_assert_int_eq(chmod(path, 0600), 0);
    ck_assert_msg(npy_write_atomic(path, &a, err, sizeof err) == 0, "%s", err);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0600);
    ck_assert_int_eq(chmod(path, 0644), 0);
    ck_assert_msg(npy_write_atomic(path, &a, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0644);

    char name[256];
    memset(name, 'n', 250);
    memcpy(name + 250, ".npy", 5); /* 254 bytes: NAME_MAX is 255 */
    tpath(path, sizeof path, name);
    ck_assert_msg(npy_write_atomic(path, &a, err, sizeof err) == 0, "%s", err);
    npy_array r;
    ck_assert_msg(npy_read(path, &r, err, sizeof err) == 0, "%s", err);
    assert_same_array(&a, &r);
    npy_free(&r);
    npy_free(&a);
    ck_assert_int_eq(count_entries(g_tmpdir), 2);
}
END_TEST

/* A FIFO OUT is written in place (never replaced by a regular file), and
 * npy_write_fd writes the same bytes as npy_write_atomic. */
START_TEST(test_write_fifo_and_fd)
{
    char path[4600], fifo[4600], err[ERRLEN];
    static const int64_t shape[] = {2, 5};
    npy_array a;
    make_array(&a, CLRS_F64, 2, shape, 3);
    tpath(path, sizeof path, "ref.npy");
    ck_assert_msg(npy_write_atomic(path, &a, err, sizeof err) == 0, "%s", err);
    size_t rlen;
    unsigned char *ref = slurp(path, &rlen);

    tpath(fifo, sizeof fifo, "fifo");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    int rd = open(fifo, O_RDONLY | O_NONBLOCK); /* a reader, so the writer's open returns */
    ck_assert_int_ge(rd, 0);
    ck_assert_msg(npy_write_atomic(fifo, &a, err, sizeof err) == 0, "%s", err);
    unsigned char got[4096];
    ssize_t n = read(rd, got, sizeof got);
    close(rd);
    ck_assert_int_eq((int)n, (int)rlen);
    ck_assert_int_eq(memcmp(got, ref, rlen), 0);
    struct stat st;
    ck_assert_int_eq(lstat(fifo, &st), 0);
    ck_assert(S_ISFIFO(st.st_mode));

    tpath(path, sizeof path, "fd.npy");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_msg(npy_write_fd(fd, path, &a, err, sizeof err) == 0, "%s", err);
    close(fd);
    size_t flen;
    unsigned char *fb = slurp(path, &flen);
    ck_assert_uint_eq(flen, rlen);
    ck_assert_int_eq(memcmp(fb, ref, rlen), 0);
    free(fb);
    free(ref);
    npy_free(&a);
    ck_assert_int_eq(count_entries(g_tmpdir), 3);
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *npy_suite(void)
{
    Suite *s = suite_create("npy");
    TCase *tc;

    tc = tcase_create("roundtrip");
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(tc, test_roundtrip_all_dtypes_ndims);
    tcase_add_test(tc, test_roundtrip_empty_and_8d);
    tcase_add_test(tc, test_overwrite_existing);
    suite_add_tcase(s, tc);

    tc = tcase_create("numpy");
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_add_loop_test(tc, test_numpy_fixtures, 0,
                        (int)(sizeof k_fixtures / sizeof k_fixtures[0]));
    tcase_add_test(tc, test_numpy_unsupported_fixtures);
    suite_add_tcase(s, tc);

    tc = tcase_create("malformed");
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(tc, test_truncated_every_prefix);
    tcase_add_test(tc, test_data_size_mismatch);
    tcase_add_test(tc, test_bad_magic_and_version);
    tcase_add_test(tc, test_header_length_lies);
    tcase_add_loop_test(tc, test_header_cases, 0,
                        (int)(sizeof k_hdr_cases / sizeof k_hdr_cases[0]));
    tcase_add_test(tc, test_read_huge_claims);
    tcase_add_test(tc, test_mutation_fuzz);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(tc, test_read_errors);
    tcase_add_test(tc, test_write_missing_dir);
    tcase_add_test(tc, test_write_over_directory);
    tcase_add_test(tc, test_write_invalid_arrays_keep_destination);
    tcase_add_test(tc, test_write_parent_not_dir);
    tcase_add_test(tc, test_misc_api);
    tcase_add_test(tc, test_read_budget);
    tcase_add_test(tc, test_write_keeps_mode_long_name);
    tcase_add_test(tc, test_write_fifo_and_fd);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(npy_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
