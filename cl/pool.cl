/* SPDX-License-Identifier: MIT */
/* pool.cl — the general pooling engine (clrs_pool) and global pooling
 * (clrs_pool_global); program "pool" = common + pool_common + pool.
 *
 * ONE engine serves every algorithm: one general program per dtype takes
 * the algorithm as the runtime argument `algo`:
 *   0 max, 1 avg, 2 LP (finite p), 3 adaptive avg, 4 adaptive max,
 *   5 fractional max; LP with p = +-inf is max with `xform`
 *   1 |x| (p = +inf) or 2 -|x| (p = -inf; the stored result is negated
 *   back, as torch's -max_pool(-|x|)).
 * Specialised builds ("pool/full") for large outputs with non-overlapping
 * whole windows (stride == kernel, no padding; adaptive with divisible
 * sizes) compile the algorithm and the window in.
 *
 * -D flags:
 *   name      values                 set by (src/ops/pool.c)
 *   DTYPE_*   storage type           every launch (common.cl)
 *   WG_SIZE   power of two           every launch: clrs_pool_global's group
 *                                    (tuning pool_wg)
 *   ALGO      0..5                   "full": the algorithm as a constant
 *   FULL      1 (default 0)          "full": every window lies inside the
 *                                    input, no clipping
 *   KD/KH/KW  1..4                   "full": the window size per axis
 *                                    (loops unroll)
 *   ONNX      1 (default 0)          src/ops/onnx_pool.c (general engine
 *                                    only): ONNX's avg / LP windows — an
 *                                    end pad per axis (argument pe3),
 *                                    dilated taps, the divisor counting
 *                                    the taps inside the padded input
 *                                    (count_include_pad, LP) or inside the
 *                                    input, and LP on |x|
 */
#ifndef FULL
#define FULL 0
#endif
#ifndef ONNX
#define ONNX 0
#endif

#if defined(RAW_T)
#if FULL
#define NTAPS_D KD
#define NTAPS_H KH
#define NTAPS_W KW
#define TAPS(v, st, en, step, ntaps) for (long v##_t = 0, v = (st); v##_t < (ntaps); v##_t++, v += (step))
#else
#define TAPS(v, st, en, step, ntaps) for (long v = (st); v < (en); v += (step))
#endif

/*
 * clrs_pool: one work-item per output element.
 *  isz/osz: logical sizes (N, C, D, H, W) of input / output; ist/ost/xst:
 *  element strides of input / output / indices in the same order.
 *  k3/s3/p3/d3: kernel, stride, padding, dilation per spatial axis (D, H, W).
 *  tab: fractional window starts, per plane (n*C + c) tlen = OD + OH + OW
 *  entries (D starts, then H, then W).
 *  divisor: avg: divisor_override (0 = none); with FULL: the divisor itself.
 *  order: 1 = work-item x walks C (channels-last outputs), 0 = it walks W.
 *  with_idx: also write int64 flat per-plane indices ((d*H + h)*W + w).
 *  algo: the algorithm when ALGO is not compiled in; ovf16: see clrs_ovf16.
 */
__kernel void clrs_pool(__global const DATA_T *src, long src_off, __global DATA_T *dst, long dst_off,
                        __global long *idx, long idx_off, __global const long *tab, long8 isz, long8 osz,
                        long8 ist, long8 ost, long8 xst, long4 k3, long4 s3, long4 p3, long4 d3, long divisor,
                        int cip, ACC_T pw_e, int pw_code, ACC_T ipw_e, int ipw_code, ACC_T kprod, int order,
                        int with_idx, int xform, int algo, int ovf16
#if ONNX
                        , long4 pe3
#endif
                        )
{
    DECOMPOSE_OUTPUT(osz, order);
    const int A = ALGO_V;
    const long IH = isz.s3, IW = isz.s4;
    const long base = src_off + n * ist.s0 + c * ist.s1;
    long sd, ed, pd, sh, eh, ph, sw, ew, pw;
#if FULL
    /* non-overlapping whole windows: stride == kernel, nothing to clip */
    sd = od * s3.s0;
    sh = oh * s3.s1;
    sw = ow * s3.s2;
    ed = eh = ew = pd = ph = pw = 0;
#else
    long fd = 0, fh = 0, fw = 0;
    if (A == A_FMAX) {
        long tlen = osz.s2 + osz.s3 + osz.s4;
        __global const long *t = tab + (n * osz.s1 + c) * tlen;
        fd = t[od];
        fh = t[osz.s2 + oh];
        fw = t[osz.s2 + osz.s3 + ow];
    }
    clrs_window(A, od, isz.s2, osz.s2, k3.s0, s3.s0, p3.s0, d3.s0, fd, &sd, &ed, &pd);
    clrs_window(A, oh, IH, osz.s3, k3.s1, s3.s1, p3.s1, d3.s1, fh, &sh, &eh, &ph);
    clrs_window(A, ow, IW, osz.s4, k3.s2, s3.s2, p3.s2, d3.s2, fw, &sw, &ew, &pw);
#endif
#if ONNX
    /* ONNX avg / LP: dilated taps; pd/ph/pw: taps inside the padded input;
     * cd/ch/cw: taps inside the input */
    long cd = 1, ch = 1, cw = 1;
    if (A == A_AVG || A == A_LP) {
        clrs_window_onnx(od, isz.s2, k3.s0, s3.s0, p3.s0, pe3.s0, d3.s0, &sd, &ed, &pd, &cd);
        clrs_window_onnx(oh, IH, k3.s1, s3.s1, p3.s1, pe3.s1, d3.s1, &sh, &eh, &ph, &ch);
        clrs_window_onnx(ow, IW, k3.s2, s3.s2, p3.s2, pe3.s2, d3.s2, &sw, &ew, &pw, &cw);
    }
#define SUM_DD d3.s0
#define SUM_DH d3.s1
#define SUM_DW d3.s2
#else
#define SUM_DD 1
#define SUM_DH 1
#define SUM_DW 1
#endif
    const long o = OFF5(dst_off, ost, n, c, od, oh, ow);
    if (IS_MAXF(A)) {
        const long dd = A == A_MAX ? d3.s0 : 1, dh = A == A_MAX ? d3.s1 : 1, dw = A == A_MAX ? d3.s2 : 1;
        clrs_maxst m;
        m.raw = (RAW_T)RAW_NEG_INF;
        m.v = RAW_TO_ACC(m.raw);
        m.i = (sd * IH + sh) * IW + sw;
        __global const RAW_T *rs = (__global const RAW_T *)src;
        TAPS(id, sd, ed, dd, NTAPS_D)
        {
            TAPS(ih, sh, eh, dh, NTAPS_H)
            {
                const long rowoff = base + id * ist.s2 + ih * ist.s3;
                const long rowidx = (id * IH + ih) * IW;
                TAPS(iw, sw, ew, dw, NTAPS_W) { MAX_STEP(m, rs[rowoff + iw * ist.s4], rowidx + iw); }
            }
        }
        ((__global RAW_T *)dst)[o] = MAX_RESULT(m.raw);
        if (with_idx) idx[OFF5(idx_off, xst, n, c, od, oh, ow)] = m.i;
        return;
    }
    /* sum family */
#if !FULL
    if ((A == A_AVG || A == A_LP) && (sd >= ed || sh >= eh || sw >= ew)) {
        STORE(dst, o, (ACC_T)0);
        return;
    }
#endif
    const int lp = A == A_LP;
    SUM_T sum = 0;
    TAPS(id, sd, ed, SUM_DD, NTAPS_D)
    {
        TAPS(ih, sh, eh, SUM_DH, NTAPS_H)
        {
            const long rowoff = base + id * ist.s2 + ih * ist.s3;
            TAPS(iw, sw, ew, SUM_DW, NTAPS_W) { sum = clrs_sum_step(sum, src, rowoff + iw * ist.s4, lp, ovf16, pw_e, pw_code); }
        }
    }
    if (A == A_AAVG) {
#if FULL
        clrs_store_aavg(dst, o, sum, NTAPS_D, NTAPS_H, NTAPS_W);
#else
        clrs_store_aavg(dst, o, sum, ed - sd, eh - sh, ew - sw);
#endif
        return;
    }
    long dv;
#if FULL
    dv = divisor; /* the host's constant: override or the kernel volume */
#else
    if (divisor != 0)
        dv = divisor;
    else if (cip)
        dv = pd * ph * pw;
    else
#if ONNX
        dv = cd * ch * cw;
#else
        dv = (ed - sd) * (eh - sh) * (ew - sw);
#endif
#endif
    if (lp)
        clrs_store_lp(dst, o, sum, dv, kprod, ipw_e, ipw_code, ovf16);
    else
        clrs_store_sum(dst, o, sum, dv);
}

/*
 * clrs_pool_global: global pooling (every output is one whole input plane),
 * one work-group of WG_SIZE items per plane; global size (WG_SIZE, C, N).
 * Sums are combined as a tree (within tolerance of torch's serial sum); the
 * max family combines (value, index) pairs so the result equals the serial
 * scan exactly: any NaN -> the NaN with the largest index, else the largest
 * value with the smallest index.
 */
#ifdef WG_SIZE
inline int clrs_max_takes_b(ACC_T av, long ai, ACC_T bv, long bi)
{
    if (bi < 0) return 0;
    if (ai < 0) return 1;
    int an = isnan(av), bn = isnan(bv);
    if (an && bn) return bi > ai;
    if (an || bn) return bn;
    if (av != bv) return bv > av;
    return bi < ai;
}

__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1))) void
clrs_pool_global(__global const DATA_T *src, long src_off, __global DATA_T *dst, long dst_off, __global long *idx,
                 long idx_off, long8 isz, long8 ist, long8 ost, long8 xst, long divisor, ACC_T pw_e, int pw_code,
                 ACC_T ipw_e, int ipw_code, ACC_T kprod, int with_idx, int xform, int algo, int ovf16)
{
    __local ACC_T lv[WG_SIZE];
    __local long li[WG_SIZE];
    __local RAW_T lr[WG_SIZE];
    __local SUM_T ls[WG_SIZE];
    const int A = ALGO_V;
    const int lid = (int)get_local_id(0);
    const long c = (long)get_global_id(1), n = (long)get_global_id(2);
    const long ID = isz.s2, IH = isz.s3, IW = isz.s4, total = ID * IH * IW;
    const long base = src_off + n * ist.s0 + c * ist.s1;
    const long o = dst_off + n * ost.s0 + c * ost.s1;
    if (IS_MAXF(A)) {
        __global const RAW_T *rs = (__global const RAW_T *)src;
        clrs_maxst m;
        m.raw = (RAW_T)RAW_NEG_INF;
        m.v = RAW_TO_ACC(m.raw);
        m.i = -1; /* nothing replaced the initial -inf yet */
        for (long e = lid; e < total; e += WG_SIZE) {
            long w = e % IW, r = e / IW, h = r % IH, d = r / IH;
            MAX_STEP(m, rs[base + d * ist.s2 + h * ist.s3 + w * ist.s4], e);
        }
        lv[lid] = m.v;
        li[lid] = m.i;
        lr[lid] = m.raw;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int half_ = WG_SIZE / 2; half_ > 0; half_ >>= 1) {
            if (lid < half_ && clrs_max_takes_b(lv[lid], li[lid], lv[lid + half_], li[lid + half_])) {
                lv[lid] = lv[lid + half_];
                li[lid] = li[lid + half_];
                lr[lid] = lr[lid + half_];
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        if (lid == 0) {
            ((__global RAW_T *)dst)[o] = MAX_RESULT(lr[0]);
            if (with_idx) idx[idx_off + n * xst.s0 + c * xst.s1] = li[0] < 0 ? 0 : li[0]; /* all -inf: first tap */
        }
    } else {
        const int lp = A == A_LP;
        SUM_T sum = 0;
        for (long e = lid; e < total; e += WG_SIZE) {
            long w = e % IW, r = e / IW, h = r % IH, d = r / IH;
            sum = clrs_sum_step(sum, src, base + d * ist.s2 + h * ist.s3 + w * ist.s4, lp, ovf16, pw_e, pw_code);
        }
        ls[lid] = sum;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int half_ = WG_SIZE / 2; half_ > 0; half_ >>= 1) {
            if (lid < half_) ls[lid] = ls[lid] + ls[lid + half_];
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        if (lid == 0) {
            if (A == A_AAVG)
                clrs_store_aavg(dst, o, ls[0], ID, IH, IW);
            else if (lp)
                clrs_store_lp(dst, o, ls[0], divisor, kprod, ipw_e, ipw_code, ovf16);
            else
                clrs_store_sum(dst, o, ls[0], divisor);
        }
    }
}
#endif /* WG_SIZE */
#endif /* RAW_T */
