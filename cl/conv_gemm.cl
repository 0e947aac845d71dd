/* SPDX-License-Identifier: MIT */
/* conv_gemm.cl — the data movement around CLBlast's GEMM for "conv/clblast"
 * (src/ops/conv_clblast.c); program "conv_gemm" = common + pool_common +
 * conv_gemm. The GEMM itself is CLBlast's (Xgemm / XgemmStridedBatched):
 *   clrs_cg_wpack     weight (C_out, C_in, kd, kh, kw), any strides and
 *                     storage type -> contiguous (C_out, R) in ACC_T,
 *                     R = C_in*kd*kh*kw
 *   clrs_cg_im2col_rows  input, any strides, padding mode and (left) padding
 *                     -> col (nb, R, P) in ACC_T, P = od*oh*ow; a tap in
 *                     zero padding is +0 (it adds nothing to the GEMM's sum)
 *   clrs_cg_epilogue  the GEMM's (nb, C_out, P) in ACC_T -> the output (its
 *                     strides and storage type), + bias, rounded once
 * and for "conv_transpose/clblast" (the same file, src/ops/conv_clblast.c):
 *   clrs_cg_wpack     the transposed weight (C_in, C_out/g, k...) as the
 *                     (C_in, C_out/g*K) matrix the GEMM reads transposed
 *   clrs_cg_im2col_rows  with a 1x1x1 kernel: the input as a contiguous
 *                     (nb, C_in, P_in) in ACC_T (channels-last, views, f16,
 *                     bf16)
 *   clrs_cg_col2im    the GEMM's columns (nb, C_out*K, P_in) -> the output:
 *                     a gather (a work-item per output row; each
 *                     element's taps in a fixed order), + bias, rounded once
 *
 * -D flags: DTYPE_* (F32 F64 F16 BF16: storage; ACC_T is float, double for
 * F64, which is also the GEMM's type), set by src/ops/conv_clblast.c.
 * Index math within one image and one row of R is 32-bit (the host declines
 * R, P, nb*R or nb*C_out at or above 2^31); element offsets are 64-bit. */
#ifdef ACC_T

/* The input coordinate of padded coordinate x along an axis of n elements
 * (conv.cl's clrs_conv_map: 0 zeros, 1 reflect, 2 replicate, 3 circular),
 * or -1 for a zero-padding tap. */
inline long clrs_cg_map(long x, long n, int mode)
{
    if (x >= 0 && x < n) return x;
    switch (mode) {
    case 1: return x < 0 ? -x : 2 * n - 2 - x;
    case 2: return x < 0 ? 0 : n - 1;
    case 3: return x < 0 ? x + n : x - n;
    default: return -1;
    }
}

/* g0: r (< R), g1: c_out */
__kernel void clrs_cg_wpack(__global const DATA_T *wt, long w_off, long8 wst, int4 k3, int R, int cout,
                            __global ACC_T *wp)
{
    const int r = (int)get_global_id(0), co = (int)get_global_id(1);
    if (r >= R || co >= cout) return;
    const int kw = r % k3.s2, t = r / k3.s2, kh = t % k3.s1, t2 = t / k3.s1, kd = t2 % k3.s0, ci = t2 / k3.s0;
    wp[(long)co * R + r] = LOAD(wt, OFF5(w_off, wst, (long)co, (long)ci, (long)kd, (long)kh, (long)kw));
}

/* The columns a row at a time: g0: od*oh, g1: j*R + r (image n0 + j);
 * each work-item writes the row's o3.s2 columns (the index math once a
 * row: on PoCL 1.2-2x faster than a work-item per element). */
__kernel void clrs_cg_im2col_rows(__global const DATA_T *src, long src_off, long8 isz, long8 ist,
                                  __global ACC_T *col, int4 k3, int4 o3, long4 str, long4 pad, long4 dil, int R,
                                  int nb, long n0, int pmode)
{
    const int odh = (int)get_global_id(0), jr = (int)get_global_id(1);
    if (odh >= o3.s0 * o3.s1 || jr >= nb * R) return;
    const int oh = odh % o3.s1, od = odh / o3.s1, j = jr / R, r = jr % R;
    const int kw = r % k3.s2, t = r / k3.s2, kh = t % k3.s1, t2 = t / k3.s1, kd = t2 % k3.s0, ci = t2 / k3.s0;
    const long id = clrs_cg_map(od * str.s0 - pad.s0 + kd * dil.s0, isz.s2, pmode);
    const long ih = clrs_cg_map(oh * str.s1 - pad.s1 + kh * dil.s1, isz.s3, pmode);
    const long P = (long)o3.s0 * o3.s1 * o3.s2;
    __global ACC_T *dst = col + (long)jr * P + (long)odh * o3.s2;
    if (id < 0 || ih < 0) {
        for (int ow = 0; ow < o3.s2; ow++) dst[ow] = (ACC_T)0;
        return;
    }
    const long base = src_off + (n0 + j) * ist.s0 + ci * ist.s1 + id * ist.s2 + ih * ist.s3;
    const long w0 = kw * dil.s2 - pad.s2;
    for (int ow = 0; ow < o3.s2; ow++) {
        const long iw = clrs_cg_map(ow * str.s2 + w0, isz.s4, pmode);
        dst[ow] = iw >= 0 ? LOAD(src, base + iw * ist.s4) : (ACC_T)0;
    }
}

/* g0: ow, g1: od*oh, g2: j*C_out + co. res may be dst itself (an f32/f64
 * output stored contiguously, the GEMM's result in place): each work-item
 * reads its element before it writes it. */
__kernel void clrs_cg_epilogue(__global const ACC_T *res, long res_off, __global const DATA_T *bias, long b_off,
                               long b_st, int has_bias, __global DATA_T *dst, long dst_off, long8 ost, int4 o3,
                               int cout, int nb, long n0)
{
    const int ow = (int)get_global_id(0), odh = (int)get_global_id(1), jc = (int)get_global_id(2);
    if (ow >= o3.s2 || odh >= o3.s0 * o3.s1 || jc >= nb * cout) return;
    const int oh = odh % o3.s1, od = odh / o3.s1, j = jc / cout, co = jc % cout;
    const long P = (long)o3.s0 * o3.s1 * o3.s2;
    ACC_T v = res[res_off + (long)jc * P + (long)odh * o3.s2 + ow];
    if (has_bias) v = v + LOAD(bias, b_off + co * b_st);
    STORE(dst, OFF5(dst_off, ost, n0 + j, (long)co, (long)od, (long)oh, (long)ow), v);
}

/* The first tap along an axis that output coordinate t0 = o + pad can
 * take: the least k in [0, ks) with (t0 - k*d) divisible by s (the taps
 * that can are k0, k0 + ks, ... where ks = s / gcd(s, d)), or K when none.
 * (OpenCL C's % keeps the dividend's sign: a zero remainder is exact for
 * negative t0 - k*d too.) */
inline int clrs_cg_first_tap(int t0, int s, int d, int ks, int K)
{
    for (int k = 0; k < ks && k < K; k++)
        if ((t0 - k * d) % s == 0) return k;
    return K;
}

/* conv_transpose's col2im as a gather (deterministic, no atomics). cols
 * holds, per image j, the rows co*K + k (K = kd*kh*kw taps, k = (kd*kh +
 * kh)*kw + kw, co = g*C_out_g + c: group g's GEMM result lies at rows
 * g*C_out_g*K..) over the P_in input positions. Output element o along an
 * axis takes tap k from input position i where o = i*s - p + k*d; only the
 * taps k0, k0 + ks, ... (clrs_cg_first_tap; ks = s / gcd(s, d), from the
 * host) can, their inputs i0, i0 - di, ... (di = ks*d/s, from the host):
 * the loops stop at i < 0 and skip i >= the input's size. Each element's
 * sum runs over kd, kh, kw ascending from 0, then + bias, rounded once
 * into the output's strides and storage type. A work-item per output row
 * (the depth / height taps found once a row; on PoCL ~3x faster than a
 * work-item per element, which paid its divisions per element). The host
 * declines sizes where o + |p| + d*k + s could reach 2^31 (32-bit axis
 * math). g0: od*oh, g1: j*C_out + co. */
__kernel void clrs_cg_col2im(__global const ACC_T *cols, __global const DATA_T *bias, long b_off, long b_st,
                             int has_bias, __global DATA_T *dst, long dst_off, long8 ost, int4 o3, int4 i3, int4 k3,
                             int4 ks, int4 di, int4 str, int4 pad, int4 dil, int cout, int nb, long n0)
{
    const int odh = (int)get_global_id(0), jc = (int)get_global_id(1);
    if (odh >= o3.s0 * o3.s1 || jc >= nb * cout) return;
    const int oh = odh % o3.s1, od = odh / o3.s1, j = jc / cout, co = jc % cout;
    const long P = (long)i3.s0 * i3.s1 * i3.s2;
    const int K = k3.s0 * k3.s1 * k3.s2;
    __global const ACC_T *base = cols + (long)jc * K * P;
    const int t0d = od + pad.s0, t0h = oh + pad.s1;
    const int kd0 = clrs_cg_first_tap(t0d, str.s0, dil.s0, ks.s0, k3.s0);
    const int kh0 = clrs_cg_first_tap(t0h, str.s1, dil.s1, ks.s1, k3.s1);
    /* exact quotients (negative where the tap lies before the input) */
    const int id0 = kd0 < k3.s0 ? (t0d - kd0 * dil.s0) / str.s0 : 0;
    const int ih0 = kh0 < k3.s1 ? (t0h - kh0 * dil.s1) / str.s1 : 0;
    const ACC_T bv = has_bias ? LOAD(bias, b_off + co * b_st) : (ACC_T)0;
    const long drow = OFF5(dst_off, ost, n0 + j, (long)co, (long)od, (long)oh, 0L);
    for (int ow = 0; ow < o3.s2; ow++) {
        const int t0w = ow + pad.s2;
        const int kw0 = clrs_cg_first_tap(t0w, str.s2, dil.s2, ks.s2, k3.s2);
        const int iw0 = kw0 < k3.s2 ? (t0w - kw0 * dil.s2) / str.s2 : 0;
        ACC_T sum = (ACC_T)0;
        int id = id0;
        for (int kd = kd0; kd < k3.s0 && id >= 0; kd += ks.s0, id -= di.s0) {
            if (id >= i3.s0) continue;
            int ih = ih0;
            for (int kh = kh0; kh < k3.s1 && ih >= 0; kh += ks.s1, ih -= di.s1) {
                if (ih >= i3.s1) continue;
                __global const ACC_T *rowp = base + (long)((kd * k3.s1 + kh) * k3.s2) * P + ((long)id * i3.s1 + ih) * i3.s2;
                int iw = iw0;
                for (int kw = kw0; kw < k3.s2 && iw >= 0; kw += ks.s2, iw -= di.s2)
                    if (iw < i3.s2) sum = sum + rowp[(long)kw * P + iw];
            }
        }
        if (has_bias) sum = sum + bv;
        STORE(dst, drow + (long)ow * ost.s4, sum);
    }
}
#endif /* ACC_T */
