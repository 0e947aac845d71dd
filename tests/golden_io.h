/* SPDX-License-Identifier: MIT */
/* golden_io.h — the golden vectors of tests/golden/ (from real PyTorch). */
#ifndef CLRS_TESTS_GOLDEN_IO_H
#define CLRS_TESTS_GOLDEN_IO_H

#include "npy.h"
#include "testutil.h"

/* Reads tests/golden/<name> (a manifest); fails the test when it has fewer
 * than min_cases cases. Returns the count; *cases is malloc'ed. */
int tu_golden_cases(const char *name, int min_cases, tu_case **cases);
/* Reads tests/golden/<rel> into *a; -1 (message on stderr) on failure. */
int tu_load_golden(const char *rel, npy_array *a);

#endif
