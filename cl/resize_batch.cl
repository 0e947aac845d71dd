/* SPDX-License-Identifier: MIT */
/* resize_batch.cl — clrs_resize_batch in one launch for the whole batch.
 * Program "resize_batch" = common + resize_batch (src/ops/resize_batch.c,
 * family "resize_batch").
 *
 * Kernels:
 *   clrs_resize_batch_gather   "resize_batch/gather": nearest and
 *       nearest-exact of 2-D images that lie in one buffer; a work-item
 *       per output element, a copy of one input element's bits (so the
 *       bits of clrs_interpolate, whose gather copies the same element).
 *
 * -D flags:
 *   ELEM_T    uchar ushort uint ulong   the element's bits
 * Arguments: row[4 n .. 4 n + 3] for output row n (dim 0 of the batch):
 * the input element offset of its (image, batch index) at channel 0, the
 * image's channel stride, and the offsets in tab of its H and W tables;
 * tab: source offsets (index times the image's stride) per output index;
 * osz: C, OH, OW, rows; ost: the output's strides (N, C, H, W). */
#ifdef ELEM_T
__kernel void clrs_resize_batch_gather(__global const ELEM_T *src, __global ELEM_T *dst, long dst_off,
                                       __global const long *row, __global const long *tab, long4 osz, long4 ost)
{
    const long ox = (long)get_global_id(0), oy = (long)get_global_id(1), z = (long)get_global_id(2);
    if (ox >= osz.s2 || oy >= osz.s1 || z >= osz.s0 * osz.s3) return;
    const long n = z / osz.s0, c = z % osz.s0;
    __global const long *r = row + 4 * n;
    dst[dst_off + n * ost.s0 + c * ost.s1 + oy * ost.s2 + ox * ost.s3] =
        src[r[0] + c * r[1] + tab[r[2] + oy] + tab[r[3] + ox]];
}
#endif /* ELEM_T */
