/* SPDX-License-Identifier: MIT */
/* resize_fill.cl — ONNX Resize's out-of-range constant (tf_crop_and_resize's
 * extrapolation_value): every output element whose coordinate along some
 * axis lies outside the input gets the constant's bits. Program
 * "resize_fill" = common + resize_fill (src/ops/onnx_resize.c, family
 * "resize_fill"); it runs after the resampling passes, on their output.
 *   clrs_resize_fill   "resize_fill/general": a work-item per output element
 *
 * -D flags:
 *   ELEM_T    uchar ushort uint ulong   the element's bits
 * Arguments: osz / ost the 5 dims' sizes and strides (size 1 for absent
 * dims), moff[k] the offset of dim k's flags in mask (-1: no flags). */
#ifdef ELEM_T
__kernel void clrs_resize_fill(__global ELEM_T *dst, long dst_off, long8 osz, long8 ost, __global const uchar *mask,
                               long8 moff, ELEM_T val, long numel)
{
    long g = (long)get_global_id(0);
    if (g >= numel) return;
    long i4 = g % osz.s4, r = g / osz.s4;
    long i3 = r % osz.s3;
    r /= osz.s3;
    long i2 = r % osz.s2;
    r /= osz.s2;
    long i1 = r % osz.s1, i0 = r / osz.s1;
    int out = (moff.s0 >= 0 && mask[moff.s0 + i0]) || (moff.s1 >= 0 && mask[moff.s1 + i1]) ||
              (moff.s2 >= 0 && mask[moff.s2 + i2]) || (moff.s3 >= 0 && mask[moff.s3 + i3]) ||
              (moff.s4 >= 0 && mask[moff.s4 + i4]);
    if (out) dst[dst_off + i0 * ost.s0 + i1 * ost.s1 + i2 * ost.s2 + i3 * ost.s3 + i4 * ost.s4] = val;
}
#endif /* ELEM_T */
