/* SPDX-License-Identifier: MIT */
/* pool_win.cl — window pooling forms for large outputs; program "pool_win"
 * = common + pool_common + pool_win. Each kernel is one implementation of
 * src/ops/pool_win.c; a build holds only the kernel its flags select:
 *   clrs_pool_win        "pool/win", "pool/win_pc": max (no |x| transform)
 *                        or avg with a compile-time 2-D window (H, W; the
 *                        depth axis, if any, is walked like a batch axis:
 *                        KD = SD = 1, no depth padding)
 *   clrs_pool_aavg_cl_pc "pool/aavg_cl_pc": adaptive avg, channels-last f32
 *                        with 2..7 channels
 *   clrs_pool_aavg_cl    "pool/aavg_cl": adaptive avg, channels-last f32
 *                        with C a multiple of 8
 *   clrs_pool_aavg_row   "pool/aavg_row": adaptive avg into rows along W
 *
 * -D flags (all set by src/ops/pool_win.c):
 *   name      values          who
 *   DTYPE_*   storage type    all (clrs_pool_win: any dtype; the others f32)
 *   ALGO      0 max, 1 avg    clrs_pool_win; 3 (adaptive avg) the others
 *   ORDER     0, 1            all: 1 = work-item x walks C (channels-last
 *                             output), 0 = it walks W
 *   PC        0, 2..8         win_pc: C channels-last channels per
 *                             work-item, strides along W and C
 *                             compile-time; aavg_cl_pc: C (2..7); else 0
 *   OFF32     0, 1            all: the host proved every offset fits in
 *                             int: 32-bit index math
 *   VW        1, 8, 16        outputs per work-item along x (win: f32 rows
 *                             or channels contiguous along x; win_pc: 16
 *                             for the explicit-vector chunk form; tuning
 *                             pool_vw caps it); aavg_cl: channels per
 *                             vector (8, 16); aavg_cl_pc: 16; aavg_row: 1
 *   TAIL      0 (default), 1  win: rows end in a partial vector
 *   KH/KW SH/SW PH/PW         win: window, stride, padding
 *   DH/DW     (default 1)     win, max: dilation
 *   CIP       0, 1            win, avg: count_include_pad
 *   IDX       0, 1            win, max: also write the int64 indices
 *   ACH       1..4 (dflt 1)   aavg_cl: vectors of VW channels per
 *                             work-item (tuning pool_aavg_vectors)
 *   AIW, AOW  1..512, 1..16   aavg_row: input / output row width
 *   AUNIT     0, 1            aavg_row: input columns contiguous
 *
 * clrs_pool_win's results are those of clrs_pool: the same taps in the
 * same scan order, the same first in-bounds index, the NaN rule written as
 * selects; a padded tap is skipped (max) or adds +0, which leaves a float
 * sum's bits unchanged (the sum starts at +0 and is never -0). The
 * adaptive forms: see each kernel (aavg_cl_pc and aavg_row add in another
 * order: within the float tolerance, not bit-identical).
 */
#if defined(RAW_T)
#ifndef PC
#define PC 0
#endif
#ifndef DH /* avg has no dilation */
#define DH 1
#define DW 1
#endif
#if OFF32
#define OFF_T int
#define OFFV_T(n) CAT(int, n)
#else
#define OFF_T long
#define OFFV_T(n) CAT(long, n)
#endif
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
/* 16 unaligned floats as one load / store (clang: one instruction; PoCL's
 * vload16 / vstore16 split into pieces), for the explicit-vector forms */
#if defined(__clang__)
typedef float clrs_f16u __attribute__((ext_vector_type(16), aligned(4)));
#define WIN_LD16(p) (*(__global const clrs_f16u *)(p))
#define WIN_ST16(x, p) (*(__global clrs_f16u *)(p) = (x))
#else
#define WIN_LD16(p) vload16(0, (p))
#define WIN_ST16(x, p) vstore16((x), 0, (p))
#endif

#if ALGO == A_MAX || ALGO == A_AVG
/* One output element (n, c, od, oh, ow), any dtype, any strides. */
inline void clrs_win_one(__global const DATA_T *src, long src_off, __global DATA_T *dst, long dst_off,
                         __global long *idx, long idx_off, long8 isz, long8 ist, long8 ost, long8 xst, long divisor,
                         long n, long c, long od, long oh, long ow)
{
    const OFF_T IH = (OFF_T)isz.s3, IW = (OFF_T)isz.s4;
    const OFF_T h0 = (OFF_T)oh * SH - PH, w0 = (OFF_T)ow * SW - PW;
#if PC
    /* PC = C channels-last channels (unit stride, W stride C in the input,
     * output and indices): compile-time strides along W and C */
    const OFF_T sh = (OFF_T)ist.s3, sw = PC;
    const long base = src_off + n * ist.s0 + c + od * ist.s2;
    const long o = dst_off + n * ost.s0 + c + od * ost.s2 + oh * ost.s3 + ow * PC;
#define WIN_IDX_AT (idx_off + n * xst.s0 + c + od * xst.s2 + oh * xst.s3 + ow * PC)
#else
    const OFF_T sh = (OFF_T)ist.s3, sw = (OFF_T)ist.s4;
    const long base = src_off + n * ist.s0 + c * ist.s1 + od * ist.s2;
    const long o = OFF5(dst_off, ost, n, c, od, oh, ow);
#define WIN_IDX_AT OFF5(idx_off, xst, n, c, od, oh, ow)
#endif
#if ALGO == A_MAX
    __global const RAW_T *rs = (__global const RAW_T *)src + base;
    RAW_T mr = (RAW_T)RAW_NEG_INF;
    ACC_T mv = RAW_TO_ACC(mr);
    /* torch's first index: the first in-bounds tap of each axis */
    const OFF_T fh = h0 < 0 ? h0 + ((-h0 + DH - 1) / DH) * DH : h0;
    const OFF_T fw = w0 < 0 ? w0 + ((-w0 + DW - 1) / DW) * DW : w0;
    const OFF_T pl = (OFF_T)od * IH;
    OFF_T mi = (pl + fh) * IW + fw;
    for (int kh = 0; kh < KH; kh++) {
        const OFF_T ih = h0 + kh * DH;
        if (ih < 0 || ih >= IH) continue;
        for (int kw = 0; kw < KW; kw++) {
            const OFF_T iw = w0 + kw * DW;
            if (iw < 0 || iw >= IW) continue;
            const RAW_T r = rs[ih * sh + iw * sw];
            const ACC_T v = RAW_TO_ACC(r);
            if (v > mv || isnan(v)) {
                mv = v;
                mr = r;
                mi = (pl + ih) * IW + iw;
            }
        }
    }
    ((__global RAW_T *)dst)[o] = mr;
#if IDX
    idx[WIN_IDX_AT] = (long)mi;
#endif
#else /* A_AVG */
    SUM_T sum = 0;
    int cnt = 0;
    for (int kh = 0; kh < KH; kh++) {
        const OFF_T ih = h0 + kh;
        if (ih < 0 || ih >= IH) continue;
        for (int kw = 0; kw < KW; kw++) {
            const OFF_T iw = w0 + kw;
            if (iw < 0 || iw >= IW) continue;
            sum += SUM_LOAD(src + base, ih * sh + iw * sw);
            cnt++;
        }
    }
    long dv = divisor;
    if (dv == 0) {
#if CIP
        const OFF_T he = min(h0 + KH, IH + PH), we = min(w0 + KW, IW + PW);
        dv = (long)((he - h0) * (we - w0));
#else
        dv = cnt;
#endif
    }
    if (cnt == 0) {
        sum = 0;
        dv = 1;
    }
    clrs_store_sum(dst, o, sum, dv);
#endif
#undef WIN_IDX_AT
}
#if PC
/* The PC channels of output (n, od, oh, ow). A window inside the input
 * along W (every output but a few at the row ends) reads without column
 * checks, so the loads stay affine in ow (rows: oh is uniform across the
 * work-items PoCL vectorises over); the others go through clrs_win_one. */
inline void clrs_win_pc(__global const DATA_T *src, long src_off, __global DATA_T *dst, long dst_off,
                        __global long *idx, long idx_off, long8 isz, long8 ist, long8 ost, long8 xst, long divisor,
                        long n, long od, long oh, long ow)
{
    const OFF_T IH = (OFF_T)isz.s3, IW = (OFF_T)isz.s4;
    const OFF_T h0 = (OFF_T)oh * SH - PH, w0 = (OFF_T)ow * SW - PW;
    if (w0 < 0 || w0 + (KW - 1) * DW >= IW) {
#pragma unroll
        for (int cc = 0; cc < PC; cc++)
            clrs_win_one(src, src_off, dst, dst_off, idx, idx_off, isz, ist, ost, xst, divisor, n, cc, od, oh, ow);
        return;
    }
    const OFF_T sh = (OFF_T)ist.s3;
    const long base = src_off + n * ist.s0 + od * ist.s2;
    const long o = dst_off + n * ost.s0 + od * ost.s2 + oh * ost.s3 + ow * PC;
#if ALGO == A_MAX
    __global const RAW_T *rs = (__global const RAW_T *)src + base;
    RAW_T mr[PC];
    ACC_T mv[PC];
    const OFF_T fh = h0 < 0 ? h0 + ((-h0 + DH - 1) / DH) * DH : h0;
    const OFF_T pl = (OFF_T)od * IH;
    OFF_T mi[PC];
#pragma unroll
    for (int cc = 0; cc < PC; cc++) {
        mr[cc] = (RAW_T)RAW_NEG_INF;
        mv[cc] = RAW_TO_ACC(mr[cc]);
        mi[cc] = (pl + fh) * IW + w0;
    }
#pragma unroll
    for (int kh = 0; kh < KH; kh++) {
        const OFF_T ih = h0 + kh * DH;
        if (ih < 0 || ih >= IH) continue;
#pragma unroll
        for (int kw = 0; kw < KW; kw++) {
            const OFF_T iw = w0 + kw * DW;
#pragma unroll
            for (int cc = 0; cc < PC; cc++) {
                const RAW_T r = rs[ih * sh + iw * PC + cc];
                const ACC_T v = RAW_TO_ACC(r);
                const int take = v > mv[cc] || isnan(v);
                mv[cc] = take ? v : mv[cc];
                mr[cc] = take ? r : mr[cc];
                mi[cc] = take ? (pl + ih) * IW + iw : mi[cc];
            }
        }
    }
#pragma unroll
    for (int cc = 0; cc < PC; cc++) {
        ((__global RAW_T *)dst)[o + cc] = mr[cc];
#if IDX
        idx[idx_off + n * xst.s0 + od * xst.s2 + oh * xst.s3 + ow * PC + cc] = (long)mi[cc];
#endif
    }
#else /* A_AVG */
    SUM_T sum[PC];
#pragma unroll
    for (int cc = 0; cc < PC; cc++) sum[cc] = 0;
    int rows = 0;
#pragma unroll
    for (int kh = 0; kh < KH; kh++) {
        const OFF_T ih = h0 + kh;
        if (ih < 0 || ih >= IH) continue;
        rows++;
#pragma unroll
        for (int kw = 0; kw < KW; kw++)
#pragma unroll
            for (int cc = 0; cc < PC; cc++) sum[cc] += SUM_LOAD(src + base, ih * sh + (w0 + kw) * PC + cc);
    }
    const int cnt = rows * KW;
    long dv = divisor;
    if (dv == 0) {
#if CIP
        const OFF_T he = min(h0 + KH, IH + PH), we = min(w0 + KW, IW + PW);
        dv = (long)((he - h0) * (we - w0));
#else
        dv = cnt;
#endif
    }
#pragma unroll
    for (int cc = 0; cc < PC; cc++) clrs_store_sum(dst, o + cc, cnt == 0 ? 0 : sum[cc], cnt == 0 ? 1 : dv);
#endif
}
#endif /* PC */
#endif /* A_MAX || A_AVG */

#ifndef VW
#define VW 1
#endif
#if VW > 1 /* f32 only */
#define VF CAT(float, VW)
#define VI CAT(int, VW)
#define VOFF OFFV_T(VW)
#define VLOAD(p) CAT(vload, VW)(0, (p))
#define VSTORE(v, p) CAT(vstore, VW)((v), 0, (p))
#endif
#if VW > 1 && (ALGO == A_MAX || ALGO == A_AVG)
#if ALGO == A_MAX
#define PADV (-INFINITY) /* a padded tap never replaces the running max */
#else
#define PADV 0.0f
#endif
#if VW == 16
#define LANES (VOFF)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
#else
#define LANES (VOFF)(0, 1, 2, 3, 4, 5, 6, 7)
#endif
#ifndef TAIL
#define TAIL 0
#endif
/* store vector v of T at p, all lanes or (a row's partial last vector)
 * those from `skip` on */
#define WIN_STORE(T, vst, v, p, skip)                   \
    do {                                                \
        if ((skip) == 0) {                              \
            vst((v), 0, (p));                           \
        } else {                                        \
            T t_[VW];                                   \
            vst((v), 0, t_);                            \
            for (int j_ = (skip); j_ < VW; j_++)        \
                (p)[j_] = t_[j_];                       \
        }                                               \
    } while (0)
/* elements a vector of VW lanes at stride SW (<= 2) loads */
#define WIN_SPAN (SW == 1 ? VW : 2 * VW - 1)
/* Lane j: p[j * SW], the column col + j*SW of a row of iw elements; with
 * `checked`, columns outside [0, iw) read PADV. Reads nothing outside
 * [p, p + (VW-1)*SW] (unchecked) or the row (checked) -- or, checked with
 * SW <= 2, the unchecked span when it lies inside the input tensor's
 * element range [lo, hi) (p is element pos): the elements of the
 * neighbouring rows there are read and replaced by PADV (a vector load
 * and a select, not a scalar load per lane: it pays where many vectors
 * touch the padding). */
inline VF clrs_win_row(__global const float *p, int checked, OFF_T col, OFF_T iw, long pos, long lo, long hi)
{
    if (checked) {
#if SW <= 2
        if (pos >= lo && pos + WIN_SPAN <= hi) {
            const VOFF cj = (VOFF)(col) + LANES * SW;
#if SW == 1
            const VF v = VLOAD(p);
#else
            const VF v = (VF)(VLOAD(p).even, VLOAD(p + VW - 1).odd);
#endif
            return select(v, (VF)(PADV), CAT(convert_, VI)((cj < 0) | (cj >= (VOFF)(iw))));
        }
#endif
        float t[VW];
        for (int j = 0; j < VW; j++) {
            const OFF_T cj = col + j * SW;
            t[j] = cj >= 0 && cj < iw ? p[j * SW] : PADV;
        }
        return VLOAD(t);
    }
#if SW == 1
    return VLOAD(p);
#elif SW == 2
    return (VF)(VLOAD(p).even, VLOAD(p + VW - 1).odd);
#else
    float t[VW];
    for (int j = 0; j < VW; j++) t[j] = p[j * SW];
    return VLOAD(t);
#endif
}
#endif

#if ALGO == A_AAVG && ORDER && PC
/* Adaptive avg, 2-D, channels-last f32 with PC (2..7) channels: one
 * work-item per output pixel (n, oh, ow) sums its window's rows, each a
 * run of (we - ws) * PC contiguous elements, in 16-wide vectors. Lane l of
 * a row's vector v holds channel (16v + l) % PC, a pattern that repeats
 * every PCA = PC / gcd(16, PC) vectors, so PCA accumulators take them all;
 * the row's partial last vector is masked. The channels' lanes are added
 * up at the end (clrs_pool's sum over PC lanes ran far below the copy
 * bandwidth). Each sum goes down the window's columns
 * first, then along the row (clrs_pool: row by row): within the float
 * tolerance, not bit-identical; the result is sum / kd / kh / kw. */
#define PCA (PC == 2 || PC == 4 ? 1 : PC == 6 ? 3 : PC)
__kernel void clrs_pool_aavg_cl_pc(__global const DATA_T *src, long src_off, __global DATA_T *dst, long dst_off,
                                   __global long *idx, long idx_off, long8 isz, long8 osz, long8 ist, long8 ost, long8 xst,
                                   long divisor)
{
    const long ow = (long)get_global_id(0), oh = (long)get_global_id(1), n = (long)get_global_id(2);
    if (ow >= osz.s4 || oh >= osz.s3 || n >= osz.s0) return;
    const OFF_T IH = (OFF_T)isz.s3, IW = (OFF_T)isz.s4, OH = (OFF_T)osz.s3, OW = (OFF_T)osz.s4;
    const OFF_T hs = ((OFF_T)oh / OH) * IH + (((OFF_T)oh % OH) * IH) / OH, he = 1 + (((OFF_T)oh + 1) * IH - 1) / OH;
    const OFF_T ws = ((OFF_T)ow / OW) * IW + (((OFF_T)ow % OW) * IW) / OW, we = 1 + (((OFF_T)ow + 1) * IW - 1) / OW;
    const OFF_T sh = (OFF_T)ist.s3, len = (we - ws) * PC, nf = len / 16, rem = len - nf * 16;
    const long pos = src_off + n * ist.s0 + hs * sh + ws * PC;
    __global const float *rs = src + pos;
    const int16 lane = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    float16 acc[PCA];
#pragma unroll
    for (int k = 0; k < PCA; k++) acc[k] = (float16)(0.0f);
    for (OFF_T r = 0; r < he - hs; r++) {
        __global const float *row = rs + r * sh;
        OFF_T v = 0;
        for (; v + PCA <= nf; v += PCA)
#pragma unroll
            for (int k = 0; k < PCA; k++) acc[k] += WIN_LD16(row + 16 * (v + k));
        /* the whole vectors left (fewer than PCA), then the partial one;
         * vector v + k has pattern k */
#pragma unroll
        for (int k = 0; k < PCA; k++) {
            if (v + k < nf) {
                acc[k] += WIN_LD16(row + 16 * (v + k));
            } else if (v + k == nf && rem > 0) {
                __global const float *p = row + 16 * nf;
                float16 x;
                if (pos + r * sh + 16 * nf + 16 <= isz.s7) { /* a whole load inside the input tensor */
                    x = WIN_LD16(p);
                } else {
                    float t[16];
                    for (int l = 0; l < 16; l++) t[l] = l < rem ? p[l] : 0.0f;
                    x = vload16(0, t);
                }
                acc[k] += select((float16)(0.0f), x, lane < (int16)(rem));
            }
        }
    }
    float tot[PC];
#pragma unroll
    for (int c = 0; c < PC; c++) tot[c] = 0.0f;
#pragma unroll
    for (int k = 0; k < PCA; k++)
#pragma unroll
        for (int l = 0; l < 16; l++) tot[(16 * k + l) % PC] += acc[k][l];
    const long o = dst_off + n * ost.s0 + oh * ost.s3 + ow * ost.s4;
#pragma unroll
    for (int c = 0; c < PC; c++) clrs_store_aavg(dst, o + c * ost.s1, tot[c], 1, he - hs, we - ws);
}
#endif

#if ALGO == A_AAVG && ORDER && VW > 1 && !PC
#ifndef ACH
#define ACH 1
#endif
/* Adaptive avg, 2-D, channels-last f32 with C a multiple of VW (the host
 * checks): every lane (channel) shares the window, so the runtime window
 * loops are uniform; the result is clrs_pool's sum / kh / kw. */
__kernel void clrs_pool_aavg_cl(__global const DATA_T *src, long src_off, __global DATA_T *dst, long dst_off,
                                __global long *idx, long idx_off, long8 isz, long8 osz, long8 ist, long8 ost, long8 xst,
                                long divisor)
{
    /* ACH vectors of VW channels per work-item (all of C up to 64): the
     * window's rows are then read as contiguous runs of pixels */
    const long c = (long)get_global_id(0) * (VW * ACH), ow = (long)get_global_id(1), g2 = (long)get_global_id(2);
    if (c >= osz.s1 || ow >= osz.s4) return;
    const long oh = g2 % osz.s3, n = g2 / osz.s3;
    if (n >= osz.s0) return;
    const OFF_T IH = (OFF_T)isz.s3, IW = (OFF_T)isz.s4, OH = (OFF_T)osz.s3, OW = (OFF_T)osz.s4;
    const OFF_T hs = ((OFF_T)oh / OH) * IH + (((OFF_T)oh % OH) * IH) / OH, he = 1 + (((OFF_T)oh + 1) * IH - 1) / OH;
    const OFF_T ws = ((OFF_T)ow / OW) * IW + (((OFF_T)ow % OW) * IW) / OW, we = 1 + (((OFF_T)ow + 1) * IW - 1) / OW;
    const OFF_T sh = (OFF_T)ist.s3, sw = (OFF_T)ist.s4;
    __global const float *rs = src + (src_off + n * ist.s0 + c);
    VF sum[ACH];
#pragma unroll
    for (int a = 0; a < ACH; a++) sum[a] = (VF)(0.0f);
    for (OFF_T ih = hs; ih < he; ih++)
        for (OFF_T iw = ws; iw < we; iw++)
#pragma unroll
            for (int a = 0; a < ACH; a++) sum[a] += VLOAD(rs + ih * sh + iw * sw + a * VW);
#pragma unroll
    for (int a = 0; a < ACH; a++)
        VSTORE(sum[a] / (VF)(1.0f) / (VF)((float)(he - hs)) / (VF)((float)(we - ws)),
               dst + (dst_off + n * ost.s0 + c + a * VW + oh * ost.s3 + ow * ost.s4));
}
#endif

#if ALGO == A_AAVG && !ORDER
/* Adaptive avg, 2-D, output rows along W (ORDER 0), the row's geometry
 * compile-time (AIW input / AOW output columns): one work-item per output
 * row (n, c, oh) sums the whole input row over its window rows into AIW
 * column sums (16-wide vectors when the columns are contiguous, AUNIT),
 * then adds up each output's window of columns, all indices compile-time.
 * Each sum goes rows first, then columns (clrs_pool scans h, then w: the
 * rounding differs, within the float tolerance); the result is clrs_pool's
 * sum / kd / kh / kw with kd = 1. */
__kernel void clrs_pool_aavg_row(__global const DATA_T *src, long src_off, __global DATA_T *dst, long dst_off,
                                 __global long *idx, long idx_off, long8 isz, long8 osz, long8 ist, long8 ost, long8 xst,
                                 long divisor)
{
    const long oh = (long)get_global_id(0), c = (long)get_global_id(1), n = (long)get_global_id(2);
    if (oh >= osz.s3 || c >= osz.s1 || n >= osz.s0) return;
    const OFF_T IH = (OFF_T)isz.s3, OH = (OFF_T)osz.s3;
    const OFF_T hs = ((OFF_T)oh / OH) * IH + (((OFF_T)oh % OH) * IH) / OH, he = 1 + (((OFF_T)oh + 1) * IH - 1) / OH;
    const OFF_T sh = (OFF_T)ist.s3, sw = (OFF_T)ist.s4;
    __global const DATA_T *rs = src + (src_off + n * ist.s0 + c * ist.s1 + hs * sh);
    SUM_T cs[AIW];
#if AUNIT && defined(DTYPE_F32) && AIW >= 16
    /* the row's whole vectors in registers (a private array that vload16
     * reads stays in memory), stored once for the column windows */
    float16 cv[AIW / 16];
#pragma unroll
    for (int v = 0; v < AIW / 16; v++) cv[v] = (float16)(0.0f);
#pragma unroll
    for (int x = AIW - AIW % 16; x < AIW; x++) cs[x] = 0;
    for (OFF_T r = 0; r < he - hs; r++) {
        __global const float *row = rs + r * sh;
#pragma unroll
        for (int v = 0; v < AIW / 16; v++) cv[v] += vload16(v, row);
#pragma unroll
        for (int x = AIW - AIW % 16; x < AIW; x++) cs[x] += row[x];
    }
#pragma unroll
    for (int v = 0; v < AIW / 16; v++) vstore16(cv[v], v, cs);
#else
#pragma unroll
    for (int x = 0; x < AIW; x++) cs[x] = 0;
    for (OFF_T r = 0; r < he - hs; r++) {
        __global const DATA_T *row = rs + r * sh;
#pragma unroll
        for (int x = 0; x < AIW; x++) cs[x] += SUM_LOAD(row, x * sw);
    }
#endif
    const long o = dst_off + n * ost.s0 + c * ost.s1 + oh * ost.s3;
#pragma unroll
    for (int j = 0; j < AOW; j++) {
        SUM_T s = 0;
#pragma unroll
        for (int iw = (j * AIW) / AOW; iw < 1 + ((j + 1) * AIW - 1) / AOW; iw++) s += cs[iw];
        clrs_store_aavg(dst, o + j * ost.s4, s, 1, he - hs, 1 + ((j + 1) * AIW - 1) / AOW - (j * AIW) / AOW);
    }
}
#endif

#if (ALGO == A_MAX || ALGO == A_AVG) && PC && VW == 16
/* PC (2..8) channels-last channels of f32, 16 pixels per work-item (-D PC
 * with VW=16): the 16 * PC outputs of pixels ow .. ow + 15 are PC vectors
 * of 16 lanes in memory order, lane l of vector v being channel
 * (16v + l) % PC of pixel (16v + l) / PC. For window tap (kh, kw) lane l
 * reads element PCV_E(v, l) from the tap's first element; those of one
 * vector lie in a span of at most 32 elements (the host checks), read as
 * two loads inside the span and combined by one compile-time permute: no
 * gather and no per-pixel code (PoCL did not vectorise the one-pixel form,
 * clrs_win_pc, across work-items: it ran far below the copy bandwidth).
 * Used where all 16 pixels' windows lie inside the row; the others go
 * through clrs_win_pc. Per lane the same taps in the same
 * order, the same NaN rule, first index and divisor as clrs_win_one. */
#define PCV_L(v, l) (16 * (v) + (l))
#define PCV_PIX(v, l) (PCV_L(v, l) / PC)
#define PCV_E(v, l) (PCV_PIX(v, l) * SW * PC + PCV_L(v, l) % PC)
#define PCV_SPAN(v) (PCV_E(v, 15) - PCV_E(v, 0))
/* element e (0 .. span) of vector v's span: A holds elements 0..15, B the
 * 16 that end at the span's end */
#define PCV_D(v, l) (PCV_E(v, l) - PCV_E(v, 0))
#define PCV_PICK(A, B, v, l) (PCV_D(v, l) < 16 ? (A)[PCV_D(v, l) & 15] : (B)[(PCV_D(v, l) - (PCV_SPAN(v) - 15)) & 15])
#define PCV_LANES(f, a, b, v)                                                                                       \
    (f(a, b, v, 0), f(a, b, v, 1), f(a, b, v, 2), f(a, b, v, 3), f(a, b, v, 4), f(a, b, v, 5), f(a, b, v, 6),     \
     f(a, b, v, 7), f(a, b, v, 8), f(a, b, v, 9), f(a, b, v, 10), f(a, b, v, 11), f(a, b, v, 12), f(a, b, v, 13), \
     f(a, b, v, 14), f(a, b, v, 15))
#define PCV_PIXF(a, b, v, l) PCV_PIX(v, l)
/* the lanes of vector v (a constant once the loops over v unroll) of the
 * tap whose first element is at p */
__attribute__((always_inline)) inline float16 clrs_pcv_tap(__global const float *p, int v)
{
    const float16 a = WIN_LD16(p + PCV_E(v, 0)), b = WIN_LD16(p + PCV_E(v, 15) - 15);
    return (float16)PCV_LANES(PCV_PICK, a, b, v);
}
#define PCV_TAP(p, v) clrs_pcv_tap((p), (v))
/* store vector x (vector v of the chunk at p), all lanes or those from
 * element `from` on (a row's partial last chunk) */
#define PCV_STORE(T, x, p, v, from)                                              \
    do {                                                                         \
        if ((from) <= 16 * (v)) {                                                \
            PCV_ST##T((x), (p) + 16 * (v));                                      \
        } else {                                                                 \
            for (int l_ = 0; l_ < 16; l_++)                                      \
                if (16 * (v) + l_ >= (from)) (p)[16 * (v) + l_] = (x)[l_];        \
        }                                                                        \
    } while (0)
#define PCV_STF(x, p) WIN_ST16((x), (p))
#define PCV_STL(x, p) vstore16((x), 0, (p))

/* 1 when it computed the chunk, 0 when a window leaves the row */
inline int clrs_win_pcv(__global const float *src, long src_off, __global float *dst, long dst_off,
                        __global long *idx, long idx_off, long8 isz, long8 ist, long8 ost, long8 xst, long divisor,
                        long n, long od, long oh, long ow, int skip)
{
    const OFF_T IH = (OFF_T)isz.s3, IW = (OFF_T)isz.s4;
    const OFF_T h0 = (OFF_T)oh * SH - PH, w0 = (OFF_T)ow * SW - PW;
    if (w0 < 0 || w0 + 15 * SW + (KW - 1) * DW >= IW) return 0;
    const OFF_T sh = (OFF_T)ist.s3;
    __global const float *rs = src + (src_off + n * ist.s0 + od * ist.s2 + (long)w0 * PC);
    __global float *d = dst + (dst_off + n * ost.s0 + od * ost.s2 + oh * ost.s3 + ow * PC);
    const int from = skip * PC;
#if ALGO == A_MAX
    const OFF_T pl = (OFF_T)od * IH;
    const OFF_T fh = h0 < 0 ? h0 + ((-h0 + DH - 1) / DH) * DH : h0;
    float16 m[PC];
    VOFF mi[PC];
#pragma unroll
    for (int v = 0; v < PC; v++) {
        m[v] = (float16)(-INFINITY);
        mi[v] = (VOFF)((pl + fh) * IW + w0) + (VOFF)PCV_LANES(PCV_PIXF, 0, 0, v) * SW;
    }
#pragma unroll
    for (int kh = 0; kh < KH; kh++) {
        const OFF_T ih = h0 + kh * DH;
        if (ih < 0 || ih >= IH) continue;
#pragma unroll
        for (int kw = 0; kw < KW; kw++) {
            __global const float *p = rs + ih * sh + kw * DW * PC;
            const OFF_T at = (pl + ih) * IW + w0 + kw * DW;
#pragma unroll
            for (int v = 0; v < PC; v++) {
                const float16 x = PCV_TAP(p, v);
                const int16 take = (x > m[v]) | isnan(x);
                m[v] = select(m[v], x, take);
#if IDX
                mi[v] = select(mi[v], (VOFF)(at) + (VOFF)PCV_LANES(PCV_PIXF, 0, 0, v) * SW, CAT(convert_, VOFF)(take));
#endif
            }
        }
    }
#pragma unroll
    for (int v = 0; v < PC; v++) PCV_STORE(F, m[v], d, v, from);
#if IDX
    __global long *xd = idx + (idx_off + n * xst.s0 + od * xst.s2 + oh * xst.s3 + ow * PC);
#pragma unroll
    for (int v = 0; v < PC; v++) {
        const long16 xl = convert_long16(mi[v]);
        PCV_STORE(L, xl, xd, v, from);
    }
#endif
#else /* A_AVG */
    float16 s[PC];
#pragma unroll
    for (int v = 0; v < PC; v++) s[v] = (float16)(0.0f);
    int rows = 0;
#pragma unroll
    for (int kh = 0; kh < KH; kh++) {
        const OFF_T ih = h0 + kh;
        if (ih < 0 || ih >= IH) continue;
        rows++;
#pragma unroll
        for (int kw = 0; kw < KW; kw++) {
            __global const float *p = rs + ih * sh + kw * PC;
#pragma unroll
            for (int v = 0; v < PC; v++) s[v] += PCV_TAP(p, v);
        }
    }
    /* clrs_win_one's divisor; every window is inside the row */
    const int cnt = rows * KW;
    long dv = divisor;
    if (dv == 0) {
#if CIP
        dv = (long)((min(h0 + KH, IH + PH) - h0) * KW);
#else
        dv = cnt;
#endif
    }
#pragma unroll
    for (int v = 0; v < PC; v++) {
        const float16 q = cnt == 0 ? (float16)(0.0f) : s[v] / (float16)((float)dv);
        PCV_STORE(F, q, d, v, from);
    }
#endif
    return 1;
}
#endif

#if ALGO == A_MAX || ALGO == A_AVG
__kernel void clrs_pool_win(__global const DATA_T *src, long src_off, __global DATA_T *dst, long dst_off,
                            __global long *idx, long idx_off, long8 isz, long8 osz, long8 ist, long8 ost, long8 xst,
                            long divisor)
{
    long n, c, od, oh, ow, x0, nx;
    {
        const long g0 = (long)get_global_id(0), g1 = (long)get_global_id(1), g2 = (long)get_global_id(2);
#if ORDER
        nx = osz.s1;
        x0 = g0 * VW;
        if (x0 >= nx || g1 >= osz.s4) return;
        c = x0;
        ow = g1;
        oh = g2 % osz.s3;
        const long r = g2 / osz.s3;
        od = r % osz.s2;
        n = r / osz.s2;
#else
        nx = osz.s4;
        x0 = g0 * VW;
        if (x0 >= nx || g1 >= osz.s3) return;
        ow = x0;
        oh = g1;
        od = g2 % osz.s2;
        const long r = g2 / osz.s2;
#if PC /* the channels are the work-item's */
        c = 0;
        n = r;
#else
        c = r % osz.s1;
        n = r / osz.s1;
#endif
#endif
        if (n >= osz.s0) return;
    }
#if VW > 1
    /* a row's last, partial vector: the whole vector that ends at the
     * row's end, storing only its lanes from x0 on (the lanes before are
     * the previous work-item's outputs) */
    int skip = 0;
#if TAIL /* (compiled only for rows that are not whole vectors: the
          * runtime lane count in the stores is slower) */
    if (x0 + VW > nx && nx >= VW) {
        skip = (int)(x0 + VW - nx);
        x0 = nx - VW;
#if ORDER
        c = x0;
#else
        ow = x0;
#endif
    }
#endif
#if PC && VW == 16
    if (x0 + VW <= nx && clrs_win_pcv(src, src_off, dst, dst_off, idx, idx_off, isz, ist, ost, xst, divisor, n, od,
                                      oh, ow, skip))
        return;
    x0 += skip; /* the per-pixel form for a chunk with windows outside the row */
#else
    if (x0 + VW <= nx) { /* a whole vector of outputs */
        const OFF_T IH = (OFF_T)isz.s3, IW = (OFF_T)isz.s4;
        const OFF_T h0 = (OFF_T)oh * SH - PH, w0 = (OFF_T)ow * SW - PW;
        const OFF_T sh = (OFF_T)ist.s3, sw = (OFF_T)ist.s4;
        const long rpos = src_off + n * ist.s0 + c * ist.s1 + od * ist.s2;
        __global const float *rs = src + rpos;
        const long o = OFF5(dst_off, ost, n, c, od, oh, ow);
        const OFF_T fh = h0 < 0 ? h0 + ((-h0 + DH - 1) / DH) * DH : h0; /* first in-bounds row */
#if ORDER
        /* every lane (channel) has the same window */
        const OFF_T fw = w0 < 0 ? w0 + ((-w0 + DW - 1) / DW) * DW : w0;
#else
        /* lane j's window starts at column w0 + j*SW; only the vectors at
         * the row's ends need their columns checked */
        const int checked = w0 < 0 || w0 + (VW - 1) * SW + (KW - 1) * DW >= IW;
        const VOFF w0v = (VOFF)(w0) + LANES * SW;
        const VOFF fwv = select(w0v, w0v + ((DW - 1 - w0v) / DW) * DW, w0v < 0);
#endif
#if ALGO == A_MAX
        VF m = (VF)(-INFINITY);
        const OFF_T pl = (OFF_T)od * IH;
#if ORDER
        VOFF mi = (VOFF)((pl + fh) * IW + fw);
#else
        VOFF mi = (VOFF)((pl + fh) * IW) + fwv;
#endif
#pragma unroll
        for (int kh = 0; kh < KH; kh++) {
            const OFF_T ih = h0 + kh * DH;
            if (ih < 0 || ih >= IH) continue;
#pragma unroll
            for (int kw = 0; kw < KW; kw++) {
                const OFF_T iw = w0 + kw * DW;
#if ORDER
                if (iw < 0 || iw >= IW) continue;
                const VF v = VLOAD(rs + ih * sh + iw * sw);
                const VOFF at = (VOFF)((pl + ih) * IW + iw);
#else
                const VF v = clrs_win_row(rs + ih * sh + iw, checked, iw, IW, rpos + ih * sh + iw, isz.s6, isz.s7);
                const VOFF at = (VOFF)((pl + ih) * IW + iw) + LANES * SW;
#endif
                const VI take = (v > m) | isnan(v);
                m = select(m, v, take);
#if IDX
                mi = select(mi, at, CAT(convert_, VOFF)(take));
#endif
            }
        }
        WIN_STORE(float, CAT(vstore, VW), m, dst + o, skip);
#if IDX
        WIN_STORE(long, CAT(vstore, VW), CAT(convert_long, VW)(mi), idx + OFF5(idx_off, xst, n, c, od, oh, ow), skip);
#endif
#else /* A_AVG */
        VF sum = (VF)(0.0f);
        int rows = 0;
#pragma unroll
        for (int kh = 0; kh < KH; kh++) {
            const OFF_T ih = h0 + kh;
            if (ih < 0 || ih >= IH) continue;
            rows++;
#pragma unroll
            for (int kw = 0; kw < KW; kw++) {
                const OFF_T iw = w0 + kw;
#if ORDER
                if (iw < 0 || iw >= IW) continue;
                sum += VLOAD(rs + ih * sh + iw * sw);
#else
                sum += clrs_win_row(rs + ih * sh + iw, checked, iw, IW, rpos + ih * sh + iw, isz.s6, isz.s7);
#endif
            }
        }
        /* the divisor per lane (clrs_win_one's rule) */
#if ORDER
        VOFF cols = (VOFF)(min(w0 + KW, IW) - max(w0, (OFF_T)0));
#if CIP
        VOFF pool = (VOFF)((min(h0 + KH, IH + PH) - h0) * (min(w0 + KW, IW + PW) - w0));
#endif
#else
        VOFF cols = min(w0v + KW, (VOFF)(IW)) - max(w0v, (VOFF)(0));
#if CIP
        VOFF pool = (VOFF)(min(h0 + KH, IH + PH) - h0) * (min(w0v + KW, (VOFF)(IW + PW)) - w0v);
#endif
#endif
        const VOFF cnt = (VOFF)(rows) * cols;
#if CIP
        VF q = sum / CAT(convert_, VF)(pool);
#else
        VF q = sum / CAT(convert_, VF)(cnt);
#endif
        if (divisor != 0) q = sum / (VF)((float)divisor);
        WIN_STORE(float, CAT(vstore, VW), select(q, (VF)(0.0f), CAT(convert_, VI)(cnt == 0)), dst + o, skip);
#endif
        return;
    }
#endif /* PC && VW == 16 */
#endif /* VW > 1 */
    for (long x = x0; x < min(x0 + VW, nx); x++) {
#if ORDER
        clrs_win_one(src, src_off, dst, dst_off, idx, idx_off, isz, ist, ost, xst, divisor, n, x, od, oh, ow);
#elif PC
        (void)c;
        clrs_win_pc(src, src_off, dst, dst_off, idx, idx_off, isz, ist, ost, xst, divisor, n, od, oh, x);
#else
        clrs_win_one(src, src_off, dst, dst_off, idx, idx_off, isz, ist, ost, xst, divisor, n, c, od, oh, x);
#endif
    }
}
#endif /* A_MAX || A_AVG */
#endif /* RAW_T */
