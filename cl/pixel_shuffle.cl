/* SPDX-License-Identifier: MIT */
/* pixel_shuffle.cl — pixel shuffle and unshuffle: pure copies of ELEM_T
 * bits; program "pixel_shuffle" = common + pool_common + pixel_shuffle
 * (src/ops/pixel_shuffle.c).
 *   clrs_pixel_shuffle   "pixel_shuffle/general"
 *
 * -D flags:
 *   name      values                   set by
 *   ELEM_T    uchar ushort uint ulong  src/ops/pixel_shuffle.c
 *   DCR       1 (default 0)            src/ops/onnx_pool.c: ONNX's DCR
 *                                    order (DepthToSpace mode DCR,
 *                                    SpaceToDepth): channel (i*r + j)*C + c
 *                                    instead of c*r*r + i*r + j
 */
#ifndef DCR
#define DCR 0
#endif
#ifdef ELEM_T

/* Pixel shuffle (inverse == 0) / unshuffle (inverse == 1), rank 4 as
 * (N, C, 1, H, W): out[n, c, h*r + i, w*r + j] = in[n, c*r*r + i*r + j, h, w]. */
__kernel void clrs_pixel_shuffle(__global const ELEM_T *src, long src_off, __global ELEM_T *dst, long dst_off,
                                 long8 osz, long8 ist, long8 ost, long r, int inverse, int order)
{
    DECOMPOSE_OUTPUT(osz, order);
    long sc, sh, sw;
#if DCR
    /* out[n, c, h*r + i, w*r + j] = in[n, (i*r + j)*C + c, h, w] (C: output
     * channels) and its inverse (C: input channels) */
    if (!inverse) {
        sc = ((oh % r) * r + (ow % r)) * osz.s1 + c;
        sh = oh / r;
        sw = ow / r;
    } else {
        long ci = osz.s1 / (r * r), q = c / ci;
        sc = c % ci;
        sh = oh * r + q / r;
        sw = ow * r + q % r;
    }
#else
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
#endif
    dst[OFF5(dst_off, ost, n, c, od, oh, ow)] = src[OFF5(src_off, ist, n, sc, od, sh, sw)];
}
#endif /* ELEM_T */
