/* SPDX-License-Identifier: MIT */
/* Reading tests/golden/: the manifests and the .npy arrays they name
 * (shared by test_interpolate and test_pool). */
#include <check.h>
#include <stdio.h>

#include "golden_io.h"

int tu_golden_cases(const char *name, int min_cases, tu_case **cases)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/golden/%s", tu_srcdir(), name);
    int n = tu_read_manifest(path, cases);
    ck_assert_msg(n >= min_cases, "cannot read %s (%d cases, at least %d expected)", path, n, min_cases);
    return n;
}

int tu_load_golden(const char *rel, npy_array *a)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/golden/%s", tu_srcdir(), rel ? rel : "(missing)");
    if (npy_read(path, a, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}
