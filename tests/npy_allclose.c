/* SPDX-License-Identifier: MIT */
/* npy_allclose EXPECTED ACTUAL TOL: compare two .npy files for the test
 * scripts. TOL is `exact` (same dtype, shape and bits; any two NaNs are
 * equal) or `rtol=R,atol=A[,...]` (|a - e| <= atol + rtol * |e|; NaN only
 * where NaN is expected, infinities equal). Prints one line saying why on a
 * mismatch; exit 0 when equal, 1 when not, 2 on a usage or read error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"

static double get(const npy_array *a, size_t i)
{
    switch (a->dtype) {
    case CLRS_F32: return ((const float *)a->data)[i];
    case CLRS_F64: return ((const double *)a->data)[i];
    case CLRS_U8: return ((const unsigned char *)a->data)[i];
    case CLRS_U16: return ((const unsigned short *)a->data)[i];
    case CLRS_I64: return (double)((const long long *)a->data)[i];
    case CLRS_F16: {
        unsigned h = ((const unsigned short *)a->data)[i];
        int e = (h >> 10) & 31, m = h & 1023;
        double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m + 1024, e - 25);
        return h & 0x8000 ? -v : v;
    }
    default: return NAN;
    }
}

static int compare(const npy_array *e, const npy_array *a, const char *spec)
{
    int exact = !strcmp(spec, "exact");
    double rtol = 0, atol = 0;
    if (!exact) {
        const char *r = strstr(spec, "rtol="), *t = strstr(spec, "atol=");
        if (!r || !t) {
            fprintf(stderr, "npy_allclose: bad tolerance '%s'\n", spec);
            return 2;
        }
        rtol = atof(r + 5);
        atol = atof(t + 5);
    }
    if (e->dtype != a->dtype) {
        printf("dtype %s, expected %s\n", clrs_dtype_name(a->dtype), clrs_dtype_name(e->dtype));
        return 1;
    }
    if (e->ndim != a->ndim || memcmp(e->shape, a->shape, (size_t)e->ndim * sizeof e->shape[0])) {
        printf("shape differs (rank %d vs expected %d)\n", a->ndim, e->ndim);
        return 1;
    }
    size_t es = clrs_dtype_size(e->dtype), n = e->nbytes / (es ? es : 1);
    size_t bad = 0, first = 0;
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double x = get(e, i), y = get(a, i);
        int ok;
        if (exact) {
            ok = !memcmp((const char *)e->data + i * es, (const char *)a->data + i * es, es) || (isnan(x) && isnan(y));
        } else if (isnan(x) || isnan(y)) {
            ok = isnan(x) && isnan(y);
        } else if (isinf(x) || isinf(y)) {
            ok = x == y;
        } else {
            double d = fabs(x - y);
            ok = d <= atol + rtol * fabs(x);
            if (d > worst) worst = d;
        }
        if (!ok && bad++ == 0) first = i;
    }
    if (bad) {
        printf("%zu of %zu elements differ; first at flat index %zu: %.9g, expected %.9g%s\n", bad, n, first,
               get(a, first), get(e, first), exact ? " (bit-exact required)" : "");
        return 1;
    }
    if (!exact) printf("max abs diff %.3g\n", worst);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: npy_allclose EXPECTED ACTUAL exact|rtol=R,atol=A\n");
        return 2;
    }
    npy_array e, a;
    char err[512];
    if (npy_read(argv[1], &e, err, sizeof err)) {
        fprintf(stderr, "npy_allclose: %s\n", err);
        return 2;
    }
    if (npy_read(argv[2], &a, err, sizeof err)) {
        fprintf(stderr, "npy_allclose: %s\n", err);
        npy_free(&e);
        return 2;
    }
    int rc = compare(&e, &a, argv[3]);
    npy_free(&e);
    npy_free(&a);
    return rc;
}
