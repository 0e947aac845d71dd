/* SPDX-License-Identifier: MIT */
/* The 5-D iteration geometry shared by resampling and pooling (see
 * geometry.h). */
#include <stdint.h>
#include <string.h>

#include "geometry.h"

/* ---- sorted order (resampling) -------------------------------------------- */
void clrs__iter_sorted(const clrs_tensor_desc *in, const clrs_tensor_desc *out, const int64_t *spatial_toff,
                       clrs_iter5 *d)
{
    int perm[5] = {0, 1, 2, 3, 4};
    int64_t osz[5], ost[5], ist[5], toff[5];
    for (int i = 0; i < 5; i++) {
        int real = i < out->rank;
        osz[i] = real ? out->sizes[i] : 1;
        ost[i] = real ? out->strides[i] : 0;
        ist[i] = real ? in->strides[i] : 0;
        toff[i] = (i >= 2 && real) ? spatial_toff[i - 2] : -1;
    }
    for (int i = 1; i < 5; i++)
        for (int j = i; j > 0; j--) {
            int a = perm[j - 1], b = perm[j];
            int a1 = osz[a] <= 1, b1 = osz[b] <= 1;
            int swap = (a1 && !b1) || (a1 == b1 && ost[a] > ost[b]);
            if (!swap) break;
            perm[j - 1] = b;
            perm[j] = a;
        }
    memset(d, 0, sizeof *d);
    int n = 0;
    for (int k = 0; k < 5; k++) {
        int64_t sz = osz[perm[k]], os = ost[perm[k]], is = ist[perm[k]], to = toff[perm[k]];
        /* fold a copied dim into the previous copied dim when both tensors
         * are dense across the two (NCHW: C and N become one dim), so the
         * kernels rarely have to split global id 2 with divisions */
        if (n > 0 && to < 0 && d->toff.s[n - 1] < 0 && sz > 1 && os == d->ost.s[n - 1] * d->osz.s[n - 1] &&
            is == d->ist.s[n - 1] * d->osz.s[n - 1]) {
            d->osz.s[n - 1] *= sz;
            continue;
        }
        if (sz <= 1 && n > 0 && to < 0) continue; /* size-1 copied dims vanish */
        d->osz.s[n] = sz;
        d->ost.s[n] = os;
        d->ist.s[n] = is;
        d->toff.s[n] = to;
        n++;
    }
    for (; n < 5; n++) {
        d->osz.s[n] = 1;
        d->toff.s[n] = -1;
    }
}

void clrs__iter_lanes(clrs_iter5 *d)
{
    if (d->osz.s[0] >= 16 || d->osz.s[1] < 16 || d->toff.s[0] >= 0) return;
    cl_long t;
#define CLRS_SWAP01(f) (t = d->f.s[0], d->f.s[0] = d->f.s[1], d->f.s[1] = t)
    CLRS_SWAP01(osz);
    CLRS_SWAP01(ost);
    CLRS_SWAP01(ist);
    CLRS_SWAP01(toff);
#undef CLRS_SWAP01
}

int clrs__iter_fold_c(const clrs_iter5 *d)
{
    if (d->toff.s[1] < 0 && d->osz.s[1] >= 2 && d->osz.s[1] <= 8 && d->ist.s[1] == 1 && d->ost.s[1] == 1 &&
        d->ist.s[0] == d->osz.s[1] && d->ost.s[0] == d->osz.s[1])
        return (int)d->osz.s[1];
    return 0;
}

int clrs__iter_fits_int(const clrs_iter5 *d, int64_t max_tab)
{
    const int64_t lim = 2147483647 - 8;
    int64_t n0 = d->osz.s[0];
    if (n0 > lim || max_tab > lim) return 0;
    if (n0 > 0 && (d->ist.s[0] > lim / n0 || d->ost.s[0] > lim / n0)) return 0;
    return 1;
}

/* ---- fixed NCDHW order (pooling, unpooling, pixel shuffle) ---------------- */
void clrs__iter_ncdhw(const clrs_tensor_desc *d, cl_long8 *sz, cl_long8 *st)
{
    memset(sz, 0, sizeof *sz);
    memset(st, 0, sizeof *st);
    int sp = d->rank - 2;
    for (int i = 0; i < 5; i++) {
        sz->s[i] = 1;
        st->s[i] = 0;
    }
    for (int i = 0; i < 2; i++) {
        sz->s[i] = d->sizes[i];
        st->s[i] = d->strides[i];
    }
    for (int i = 0; i < sp; i++) {
        sz->s[5 - sp + i] = d->sizes[2 + i];
        st->s[5 - sp + i] = d->strides[2 + i];
    }
}

int clrs__iter_channels_last(const clrs_tensor_desc *out)
{
    if (out->sizes[1] <= 1) return 0;
    for (int i = 2; i < out->rank; i++)
        if (out->sizes[i] > 1 && out->strides[i] <= out->strides[1]) return 0;
    return 1;
}

void clrs__iter_grid(const cl_long8 *osz, int cl_order, size_t g[3])
{
    if (cl_order) {
        g[0] = (size_t)osz->s[1];
        g[1] = (size_t)osz->s[4];
        g[2] = (size_t)(osz->s[3] * osz->s[2] * osz->s[0]);
    } else {
        g[0] = (size_t)osz->s[4];
        g[1] = (size_t)osz->s[3];
        g[2] = (size_t)(osz->s[2] * osz->s[1] * osz->s[0]);
    }
}

int clrs__iter_tensors_fit_int(const clrs_targ *t, int nt)
{
    for (int i = 0; i < nt; i++)
        if (t[i].mem != NULL && clrs__desc_extent(&t[i].desc) > (int64_t)INT32_MAX / 2) return 0;
    return 1;
}
