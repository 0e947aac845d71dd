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
 */

#ifndef ELEM_T
#define ELEM_T uint
#endif

#define MAPK(k, i, toff, tab) ((toff).s##k < 0 ? (long)(i) : (tab)[(toff).s##k + (long)(i)])

__kernel void clrs_gather(__global const ELEM_T *src, long src_off, __global ELEM_T *dst, long dst_off,
                          __global const long *tab, long8 osz, long8 ost, long8 ist, long8 toff)
{
    long i0 = (long)get_global_id(0);
    long i1 = (long)get_global_id(1);
    long g2 = (long)get_global_id(2);
    if (i0 >= osz.s0 || i1 >= osz.s1) return;
    long i2 = g2 % osz.s2;
    long r = g2 / osz.s2;
    long i3 = r % osz.s3;
    long i4 = r / osz.s3;
    if (i4 >= osz.s4) return;
    long s = src_off + MAPK(0, i0, toff, tab) * ist.s0 + MAPK(1, i1, toff, tab) * ist.s1 +
             MAPK(2, i2, toff, tab) * ist.s2 + MAPK(3, i3, toff, tab) * ist.s3 +
             MAPK(4, i4, toff, tab) * ist.s4;
    dst[IDX5(dst_off, i0, i1, i2, i3, i4, ost)] = src[s];
}
