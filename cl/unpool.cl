/* SPDX-License-Identifier: MIT */
/* unpool.cl — max unpooling: pure copies of ELEM_T bits; program "unpool"
 * = common + pool_common + unpool (src/ops/unpool.c).
 *   clrs_unpool_check    "unpool/check": index range and window checks
 *   clrs_unpool_gather   "unpool/gather": each output finds its input
 *   clrs_unpool_zero     "unpool/zero": zero fill before the scatter
 *   clrs_unpool_scatter  "unpool/scatter": one work-item per plane
 *   clrs_unpool_backward "unpool_backward/gather": the gradient, a gather
 *   clrs_unpool_scatter_flat  ONNX MaxUnpool (src/ops/onnx_pool.c):
 *                        indices flattened over the whole tensor
 *   clrs_pool_index_flat ONNX MaxPool's Indices (src/ops/onnx_pool.c):
 *                        per-plane indices made whole-tensor ones
 *
 * -D flags:
 *   name      values                   set by
 *   ELEM_T    uchar ushort uint ulong  src/ops/unpool.c: the element's bits
 */
#ifdef ELEM_T

/* In-range check (flags[0]) and "windowed" check (flags[1]: an index lies
 * outside the window [i*s - p, i*s - p + k) of its own input position, so
 * the gather below cannot find it). One work-item per input element. */
__kernel void clrs_unpool_check(__global const long *ind, long ind_off, long8 isz, long8 xst, long4 out3,
                                long4 k3, long4 s3, long4 p3, int windowed, __global int *flags)
{
    long w = (long)get_global_id(0), h = (long)get_global_id(1), g2 = (long)get_global_id(2);
    if (w >= isz.s4 || h >= isz.s3) return;
    long d = g2 % isz.s2, r = g2 / isz.s2, c = r % isz.s1, n = r / isz.s1;
    if (n >= isz.s0) return;
    long v = ind[OFF5(ind_off, xst, n, c, d, h, w)];
    long plane = out3.s0 * out3.s1 * out3.s2;
    if (v < 0 || v >= plane) {
        flags[0] = 1;
        return;
    }
    if (!windowed) return;
    long ow = v % out3.s2, q = v / out3.s2, oh = q % out3.s1, od = q / out3.s1;
    long rd = od - (d * s3.s0 - p3.s0), rh = oh - (h * s3.s1 - p3.s1), rw = ow - (w * s3.s2 - p3.s2);
    if (rd < 0 || rd >= k3.s0 || rh < 0 || rh >= k3.s1 || rw < 0 || rw >= k3.s2) flags[1] = 1;
}

/* Candidate input positions along one axis whose window covers output o. */
inline void clrs_unpool_range(long o, long in, long k, long s, long p, long *lo, long *hi)
{
    long a = o + p - k + 1;
    *lo = a <= 0 ? 0 : (a + s - 1) / s;
    *hi = min((o + p) / s, in - 1);
}

/* Gather (every index is windowed): each output element scans the input
 * positions whose window covers it, in C order; the last match wins. */
__kernel void clrs_unpool_gather(__global const ELEM_T *src, long src_off, __global const long *ind, long ind_off,
                                 __global ELEM_T *dst, long dst_off, long8 isz, long8 ist, long8 xst, long8 osz,
                                 long8 ost, long4 k3, long4 s3, long4 p3, int order)
{
    DECOMPOSE_OUTPUT(osz, order);
    long target = (od * osz.s3 + oh) * osz.s4 + ow;
    long d0, d1, h0, h1, w0, w1;
    clrs_unpool_range(od, isz.s2, k3.s0, s3.s0, p3.s0, &d0, &d1);
    clrs_unpool_range(oh, isz.s3, k3.s1, s3.s1, p3.s1, &h0, &h1);
    clrs_unpool_range(ow, isz.s4, k3.s2, s3.s2, p3.s2, &w0, &w1);
    ELEM_T v = (ELEM_T)0;
    for (long d = d0; d <= d1; d++)
        for (long h = h0; h <= h1; h++)
            for (long w = w0; w <= w1; w++)
                if (ind[OFF5(ind_off, xst, n, c, d, h, w)] == target) v = src[OFF5(src_off, ist, n, c, d, h, w)];
    dst[OFF5(dst_off, ost, n, c, od, oh, ow)] = v;
}

/* General indices: zero the output, then one work-item per plane scatters
 * its inputs in C order (so the last duplicate wins). Global size (C, N). */
__kernel void clrs_unpool_zero(__global ELEM_T *dst, long dst_off, long8 osz, long8 ost, int order)
{
    DECOMPOSE_OUTPUT(osz, order);
    dst[OFF5(dst_off, ost, n, c, od, oh, ow)] = (ELEM_T)0;
}

__kernel void clrs_unpool_scatter(__global const ELEM_T *src, long src_off, __global const long *ind, long ind_off,
                                  __global ELEM_T *dst, long dst_off, long8 isz, long8 ist, long8 xst, long8 osz,
                                  long8 ost)
{
    long c = (long)get_global_id(0), n = (long)get_global_id(1);
    if (c >= isz.s1 || n >= isz.s0) return;
    long plane = osz.s2 * osz.s3 * osz.s4;
    for (long d = 0; d < isz.s2; d++)
        for (long h = 0; h < isz.s3; h++)
            for (long w = 0; w < isz.s4; w++) {
                long v = ind[OFF5(ind_off, xst, n, c, d, h, w)];
                if (v < 0 || v >= plane) continue; /* checked before; never write out of bounds */
                long ow = v % osz.s4, q = v / osz.s4, oh = q % osz.s3, od = q / osz.s3;
                dst[OFF5(dst_off, ost, n, c, od, oh, ow)] = src[OFF5(src_off, ist, n, c, d, h, w)];
            }
}

/* Backward (torch's max_pool_double_backward): each grad_input element
 * copies grad_output at its index: gi[n, c, j] = go[n, c, ind[n, c, j]].
 * The indices were checked (clrs_unpool_check); one out of range reads
 * nothing and gives 0. One work-item per grad_input element (isz, order:
 * its sizes and iteration order); o3: the forward output's D, H, W. */
__kernel void clrs_unpool_backward(__global const ELEM_T *go, long go_off, __global const long *ind, long ind_off,
                                   __global ELEM_T *gi, long gi_off, long8 isz, long8 ist, long8 xst, long4 o3,
                                   long8 ost, int order)
{
    DECOMPOSE_OUTPUT(isz, order);
    const long v = ind[OFF5(ind_off, xst, n, c, od, oh, ow)];
    ELEM_T r = (ELEM_T)0;
    if (v >= 0 && v < o3.s0 * o3.s1 * o3.s2) {
        long zw = v % o3.s2, q = v / o3.s2, zh = q % o3.s1, zd = q / o3.s1;
        r = go[OFF5(go_off, ost, n, c, zd, zh, zw)];
    }
    gi[OFF5(gi_off, ist, n, c, od, oh, ow)] = r;
}

/* ONNX MaxUnpool: index v (checked to lie in [0, N*C*plane of isz_inf)) is
 * a row-major position in the inferred shape inf (N, C, D, H, W); it is
 * written there in the output (whose spatial sizes are >= inf's). One
 * work-item per input plane in C order, so within a plane the last
 * duplicate wins (indices from MaxPool never leave their plane). */
__kernel void clrs_unpool_scatter_flat(__global const ELEM_T *src, long src_off, __global const long *ind,
                                       long ind_off, __global ELEM_T *dst, long dst_off, long8 isz, long8 ist,
                                       long8 xst, long8 inf, long8 ost)
{
    long c = (long)get_global_id(0), n = (long)get_global_id(1);
    if (c >= isz.s1 || n >= isz.s0) return;
    long total = inf.s0 * inf.s1 * inf.s2 * inf.s3 * inf.s4;
    for (long d = 0; d < isz.s2; d++)
        for (long h = 0; h < isz.s3; h++)
            for (long w = 0; w < isz.s4; w++) {
                long v = ind[OFF5(ind_off, xst, n, c, d, h, w)];
                if (v < 0 || v >= total) continue; /* checked before; never write out of bounds */
                long ow = v % inf.s4, q = v / inf.s4, oh = q % inf.s3;
                q /= inf.s3;
                long od = q % inf.s2;
                q /= inf.s2;
                long oc = q % inf.s1, on = q / inf.s1;
                dst[OFF5(dst_off, ost, on, oc, od, oh, ow)] = src[OFF5(src_off, ist, n, c, d, h, w)];
            }
}

/* ONNX MaxPool's Indices: the pool kernels' per-plane row-major index i
 * ((d*IH + h)*IW + w) becomes plane * (ID*IH*IW) + i (storage_order 0) or
 * plane * (ID*IH*IW) + (w*IH + h)*ID + d (1: column-major over the spatial
 * axes), plane = n*C + c. In place, one work-item per element. in3: ID,
 * IH, IW (missing leading axes 1). */
__kernel void clrs_pool_index_flat(__global long *idx, long idx_off, long8 osz, long8 xst, long4 in3, int colmajor,
                                   int order)
{
    DECOMPOSE_OUTPUT(osz, order);
    const long o = OFF5(idx_off, xst, n, c, od, oh, ow);
    long i = idx[o];
    const long plane = in3.s0 * in3.s1 * in3.s2;
    if (colmajor) {
        long w = i % in3.s2, r = i / in3.s2, h = r % in3.s1, d = r / in3.s1;
        i = (w * in3.s1 + h) * in3.s0 + d;
    }
    idx[o] = (n * osz.s1 + c) * plane + i;
}
#endif /* ELEM_T */
