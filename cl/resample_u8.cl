/* SPDX-License-Identifier: MIT */
/* resample_u8.cl — uint8 RGB(-like) channels-last resampled along W alone
 * (an image's W pass; PERC = 3, FIXED, SRC u8, only dim 0 resampled):
 * program "resample_u8" = common, half, resample_common, resample_u8. Exact
 * integer sums: the general kernel's results.
 *
 *   kernel                     flags
 *   clrs_resample_ctaps        CTAPS (defined): every output's taps as
 *                              T0 consecutive pixels (the host rewrote the
 *                              tables); unaligned loads: CPU devices (rs_vper)
 *   clrs_resample_u8rgb_wide   WIDE = 1 (int offsets, the last word in the
 *                              buffer): two aligned words per tap
 * The host picks one; the #errors below catch a host/kernel mismatch. */
#if !(PERC == 3 && FIXED && CLRS_CAT(CLRS_U8SRC_, SRC))
#error "resample_u8.cl is built for u8 sources with -D PERC=3 -D FIXED=1"
#endif

#ifdef CTAPS
typedef uint clrs_u32u __attribute__((aligned(1))); /* an unaligned 32-bit load */
__kernel void clrs_resample_ctaps(RS_KERNEL_ARGS)
{
    RS_FOLD_PROLOGUE();
    /* u8 RGB(-like) channels-last along W, every output's T0 taps being T0
     * consecutive pixels from the one in its tap-0 entry (the host rewrote
     * the tables, rs_contiguous_taps: windows inside the row, weight 0 for
     * the pixels that are not taps, T0 a multiple of 4): the window's
     * 3 * T0 bytes are 3 * T0 / 4 unaligned 32-bit loads (gathers across
     * work-items; two per tap in the form below), each tap's channels
     * bytes of them at constant shifts. Exact integer sums: the same
     * results. */
    SPLIT_IDS()
    (void)i1;
    __global const uchar *win =
        (__global const uchar *)src + (src_off + i2 * ist.s2 + i3 * ist.s3 + i4 * ist.s4 + (long)tidx[toff.s0 + i0]);
    uint wd[3 * T0 / 4];
    CLRS_UNROLL_YES
    for (int k = 0; k < 3 * T0 / 4; k++) wd[k] = *(__global const clrs_u32u *)(win + 4 * k);
    int a0 = 0, a1 = 0, a2 = 0;
    CLRS_UNROLL_YES
    for (int t0 = 0; t0 < T0; t0++) {
        const int w0 = (short)tw[toff.s0 + (long)t0 * osz.s0 + (long)i0]; /* int16: vpmaddwd (see ACCUM) */
        a0 += w0 * (int)((wd[(3 * t0) / 4] >> (8 * ((3 * t0) % 4))) & 0xffu);
        a1 += w0 * (int)((wd[(3 * t0 + 1) / 4] >> (8 * ((3 * t0 + 1) % 4))) & 0xffu);
        a2 += w0 * (int)((wd[(3 * t0 + 2) / 4] >> (8 * ((3 * t0 + 2) % 4))) & 0xffu);
    }
    if (ok0) {
        __global DST_T *d = RS_DST(0, i2, i3, i4);
        RS_STORE(d, i0 * 3, a0);
        RS_STORE(d, i0 * 3 + 1, a1);
        RS_STORE(d, i0 * 3 + 2, a2);
    }
}
#else
#if !(WIDE && R0 && !R1 && !R2 && !R3 && !R4)
#error "clrs_resample_u8rgb_wide is built with -D WIDE=1 and dim 0 alone resampled"
#endif
__kernel void clrs_resample_u8rgb_wide(RS_KERNEL_ARGS)
{
    RS_FOLD_PROLOGUE();
    /* u8 RGB(-like) channels-last along W (the W pass of an image resize):
     * per tap, the two aligned words that hold the pixel's 3 bytes (not one
     * gather per channel); exact integer sums, so the same results */
    SPLIT_IDS()
    (void)i1;
    const long base = src_off + i2 * ist.s2 + i3 * ist.s3 + i4 * ist.s4;
    __global const uint *words = (__global const uint *)src;
    int a0 = 0, a1 = 0, a2 = 0;
    UNROLL_T0
    for (int t0 = 0; t0 < T0; t0++) {
        const long e_ = toff.s0 + (long)t0 * osz.s0 + (long)i0;
        const IDX j_ = tidx[e_];
        const int k0 = !DROP || j_ >= 0;
        const long b = base + (k0 ? (long)j_ : 0);
        const ulong v = ((ulong)words[(b + 2) >> 2] << 32 | (ulong)words[b >> 2]) >> ((b & 3) << 3);
        const int w0 = (short)tw[e_]; /* int16 by construction: vpmaddwd (see ACCUM) */
        a0 = k0 ? a0 + w0 * (int)(v & 0xff) : a0;
        a1 = k0 ? a1 + w0 * (int)((v >> 8) & 0xff) : a1;
        a2 = k0 ? a2 + w0 * (int)((v >> 16) & 0xff) : a2;
    }
    if (ok0) {
        __global DST_T *d = RS_DST(0, i2, i3, i4);
        RS_STORE(d, i0 * 3, a0);
        RS_STORE(d, i0 * 3 + 1, a1);
        RS_STORE(d, i0 * 3 + 2, a2);
    }
}
#endif
