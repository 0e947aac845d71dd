/* SPDX-License-Identifier: MIT */
/* Fuzz harness (a): the .npy reader (tools/npy.c), from memory (npy_parse)
 * and from a file (npy_read), which must agree. On success the array must
 * be self-consistent: a supported dtype, 0..NPY_MAX_NDIM non-negative dims
 * whose product times the element size is nbytes, and data readable over
 * all of nbytes (ASan checks the read). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "npy.h"

const char fuzz_name[] = "npy";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void check_array(const npy_array *a, const char *how)
{
    size_t es = clrs_dtype_size(a->dtype);
    if (es == 0) fuzz_fail("%s: accepted an array of unsupported dtype %d", how, (int)a->dtype);
    if (a->ndim < 0 || a->ndim > NPY_MAX_NDIM) fuzz_fail("%s: ndim %d", how, a->ndim);
    uint64_t n = 1;
    for (int i = 0; i < a->ndim; i++) {
        if (a->shape[i] < 0) fuzz_fail("%s: negative dim %lld", how, (long long)a->shape[i]);
        if (a->shape[i] != 0 && n > UINT64_MAX / (uint64_t)a->shape[i])
            fuzz_fail("%s: accepted an overflowing shape", how);
        n *= (uint64_t)a->shape[i];
    }
    if (n > UINT64_MAX / es || n * es != a->nbytes)
        fuzz_fail("%s: nbytes %zu but shape x itemsize is %llu", how, a->nbytes, (unsigned long long)(n * es));
    if (a->data == NULL) fuzz_fail("%s: data is NULL", how);
    /* touch every byte */
    unsigned sum = 0;
    for (size_t i = 0; i < a->nbytes; i++) sum += ((const unsigned char *)a->data)[i];
    (void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    npy_array a, b;
    char err[512], err2[512];
    int ra = npy_parse(data, size, "fuzz.npy", &a, err, sizeof err);
    if (ra == 0)
        check_array(&a, "npy_parse");
    else if (err[0] == '\0' || strchr(err, '\n') != NULL)
        fuzz_fail("npy_parse failed without a one-line message: '%s'", err);

    char path[64];
    int fd = fuzz_data_file(data, size, path, sizeof path);
    if (fd >= 0) {
        int rb = npy_read(path, &b, err2, sizeof err2);
        if (rb == 0) check_array(&b, "npy_read");
        else if (strncmp(err2, path, strlen(path)) != 0)
            fuzz_fail("npy_read message does not start with the file name: '%s'", err2);
        if ((ra == 0) != (rb == 0))
            fuzz_fail("npy_parse %s but npy_read %s ('%s' / '%s')", ra ? "failed" : "succeeded",
                      rb ? "failed" : "succeeded", err, err2);
        if (ra == 0 && rb == 0 &&
            (a.dtype != b.dtype || a.ndim != b.ndim || a.nbytes != b.nbytes ||
             memcmp(a.shape, b.shape, (size_t)a.ndim * sizeof a.shape[0]) != 0 || memcmp(a.data, b.data, a.nbytes) != 0))
            fuzz_fail("npy_parse and npy_read disagree on the same bytes");
        if (rb == 0) npy_free(&b);
        close(fd);
    }
    if (ra == 0) npy_free(&a);
    npy_free(&a); /* idempotent */
    return 0;
}
