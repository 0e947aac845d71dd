/* resample.cl — the separable resampling engine behind interpolate.
 *
 * Every mode is a per-axis table computed on the host (src/ops/interpolate.c):
 * for each output index along a spatial axis, the source index of each tap
 * (already clamped or dropped as the mode's border rule says) and, for the
 * weighted kernel, its weight.
 *
 * The host iterates the 5 dimensions (N, C, D, H, W; missing spatial dims
 * have size 1) in memory order of the output: iteration dim 0 is the one
 * with the smallest output stride (W for NCHW, C for channels-last) and is
 * global id 0; dim 1 is global id 1; dims 2..4 are folded into global id 2.
 * osz/ost/ist hold output sizes, output strides and input strides in that
 * order; toff[k] is the offset of dim k's table in `tab`, or -1 when the
 * dim is not resampled (N, C).
 *
 * Kernels:
 *   clrs_gather   (-D ELEM_T=uchar|ushort|uint|ulong) one tap per axis,
 *                 copies the element's bits: bit-exact for every dtype.
 *   clrs_resample weighted taps: -D SRC, DST (f32 f64 f16 bf16 u8 u16),
 *                 ACC (float or double), WT (weight type: float, double,
 *                 or int for FIXED), T0..T4 (taps of iteration dims 0..4,
 *                 1 for dims that are copied), R0..R4 and DROP (below).
 *                 Rows of T_k (index, weight)
 *                 entries start at toff[k] + i_k * T_k in tidx/tw; an index
 *                 of -1 is a dropped tap (antialias, area). Sums are nested:
 *                 the innermost iteration dim is summed first.
 *                 -D FIXED=1: PyTorch's uint8 fixed-point pass: integer
 *                 weights with `prec` fraction bits, accumulator starting at
 *                 1 << (prec - 1), result >> prec clamped to [0, 255].
 */

#ifndef ELEM_T
#define ELEM_T uint
#endif

/* R0..R4 (0 or 1): whether iteration dim k is resampled (has a table);
 * compile-time, so copied dims cost nothing. */
#ifndef R0
#define R0 1
#endif
#ifndef R1
#define R1 1
#endif
#ifndef R2
#define R2 1
#endif
#ifndef R3
#define R3 1
#endif
#ifndef R4
#define R4 1
#endif
#define MAPK(k, i, toff, tab) (R##k ? (tab)[(toff).s##k + (long)(i)] : (long)(i))

__kernel void clrs_gather(__global const ELEM_T *src, long src_off, __global ELEM_T *dst, long dst_off,
                          __global const long *tab, long8 osz, long8 ost, long8 ist, long8 toff)
{
    long i0 = (long)get_global_id(0);
    long i1 = (long)get_global_id(1);
    long g2 = (long)get_global_id(2);
    if (i0 >= osz.s0 || i1 >= osz.s1) return;
    long i2 = g2, i3 = 0, i4 = 0;
    if (osz.s3 != 1 || osz.s4 != 1) { /* uniform: the host folds dims to avoid this */
        i2 = g2 % osz.s2;
        long r = g2 / osz.s2;
        i3 = r % osz.s3;
        i4 = r / osz.s3;
    }
    if (i2 >= osz.s2 || i4 >= osz.s4) return;
    long s = src_off + MAPK(0, i0, toff, tab) * ist.s0 + MAPK(1, i1, toff, tab) * ist.s1 +
             MAPK(2, i2, toff, tab) * ist.s2 + MAPK(3, i3, toff, tab) * ist.s3 +
             MAPK(4, i4, toff, tab) * ist.s4;
    dst[IDX5(dst_off, i0, i1, i2, i3, i4, ost)] = src[s];
}

#ifdef SRC
#define SRC_T CLRS_CAT(PTR_, SRC)
#define DST_T CLRS_CAT(PTR_, DST)
#define LOAD_SRC(p, i) CLRS_CAT(LD_, SRC)(p, i)
#define STORE_DST(p, i, v) CLRS_CAT(ST_, DST)(p, i, v)
#ifndef T0
#define T0 1
#endif
#ifndef T1
#define T1 1
#endif
#ifndef T2
#define T2 1
#endif
#ifndef T3
#define T3 1
#endif
#ifndef T4
#define T4 1
#endif
#ifndef FIXED
#define FIXED 0
#endif

#ifndef DROP
#define DROP 1
#endif
/* One tap of iteration dim k: its source index j (or skip: -1, only when
 * -D DROP=1) and weight w; copied dims (R_k == 0) take j = i, w = 1. */
#define TAP(k, tk, i, rowk, j, w)             \
    long j = (i);                             \
    WT w = (WT)1;                             \
    if (R##k) {                               \
        j = tidx[(rowk) + (tk)];              \
        if (DROP && j < 0) continue;          \
        w = tw[(rowk) + (tk)];                \
    }

__kernel void clrs_resample(__global const SRC_T *src, long src_off, __global DST_T *dst, long dst_off,
                            __global const long *tidx, __global const WT *tw, long8 osz, long8 ost, long8 ist,
                            long8 toff, int prec)
{
    long i0 = (long)get_global_id(0);
    long i1 = (long)get_global_id(1);
    long g2 = (long)get_global_id(2);
    if (i0 >= osz.s0 || i1 >= osz.s1) return;
    long i2 = g2, i3 = 0, i4 = 0;
    if (osz.s3 != 1 || osz.s4 != 1) { /* uniform: the host folds dims to avoid this */
        i2 = g2 % osz.s2;
        long r = g2 / osz.s2;
        i3 = r % osz.s3;
        i4 = r / osz.s3;
    }
    if (i2 >= osz.s2 || i4 >= osz.s4) return;
    long r0 = toff.s0 + i0 * T0;
    long r1 = toff.s1 + i1 * T1;
    long r2 = toff.s2 + i2 * T2;
    long r3 = toff.s3 + i3 * T3;
    long r4 = toff.s4 + i4 * T4;
    ACC a4 = 0;
    for (int t4 = 0; t4 < T4; t4++) {
        TAP(4, t4, i4, r4, j4, w4)
        long o4 = src_off + j4 * ist.s4;
        ACC a3 = 0;
        for (int t3 = 0; t3 < T3; t3++) {
            TAP(3, t3, i3, r3, j3, w3)
            long o3 = o4 + j3 * ist.s3;
            ACC a2 = 0;
            for (int t2 = 0; t2 < T2; t2++) {
                TAP(2, t2, i2, r2, j2, w2)
                long o2 = o3 + j2 * ist.s2;
                ACC a1 = 0;
                for (int t1 = 0; t1 < T1; t1++) {
                    TAP(1, t1, i1, r1, j1, w1)
                    long o1 = o2 + j1 * ist.s1;
                    ACC a0 = 0;
                    for (int t0 = 0; t0 < T0; t0++) {
                        TAP(0, t0, i0, r0, j0, w0)
                        a0 += (ACC)w0 * (ACC)LOAD_SRC(src, o1 + j0 * ist.s0);
                    }
                    a1 += (ACC)w1 * a0;
                }
                a2 += (ACC)w2 * a1;
            }
            a3 += (ACC)w3 * a2;
        }
        a4 += (ACC)w4 * a3;
    }
    long d = dst_off + i0 * ost.s0 + i1 * ost.s1 + i2 * ost.s2 + i3 * ost.s3 + i4 * ost.s4;
#if FIXED
    int v = (a4 + (prec > 0 ? (1 << (prec - 1)) : 0)) >> prec;
    dst[d] = (uchar)clamp(v, 0, 255);
#else
    STORE_DST(dst, d, a4);
#endif
}
#endif
