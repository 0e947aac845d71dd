/* SPDX-License-Identifier: MIT */
/* pixel_shuffle.cl — pixel shuffle and unshuffle: pure copies of ELEM_T
 * bits; program "pixel_shuffle" = common + pool_common + pixel_shuffle
 * (src/ops/pixel_shuffle.c).
 *   clrs_pixel_shuffle   "pixel_shuffle/general"
 *
 * -D flags:
 *   name      values                   set by
 *   ELEM_T    uchar ushort uint ulong  src/ops/pixel_shuffle.c
 */
#ifdef ELEM_T

/* Pixel shuffle (inverse == 0) / unshuffle (inverse == 1), rank 4 as
 * (N, C, 1, H, W): out[n, c, h*r + i, w*r + j] = in[n, c*r*r + i*r + j, h, w]. */
__kernel void clrs_pixel_shuffle(__global const ELEM_T *src, long src_off, __global ELEM_T *dst, long dst_off,
                                 long8 osz, long8 ist, long8 ost, long r, int inverse, int order)
{
    DECOMPOSE_OUTPUT(osz, order);
    long sc, sh, sw;
    if (!inverse) {
        sc = c * r * r + (oh % r) * r + (ow % r);
        sh = oh / r;
        sw = ow / r;
    } else {
        long rr = r * r;
        sc = c / rr;
        sh = oh * r + (c / r) % r;
        sw = ow * r + c % r;
    }
    dst[OFF5(dst_off, ost, n, c, od, oh, ow)] = src[OFF5(src_off, ist, n, sc, od, sh, sw)];
}
#endif /* ELEM_T */
