/* SPDX-License-Identifier: MIT */
/* gather.cl — the nearest modes: one tap per axis (tab: source offsets,
 * toff[k] + i_k), each output a copy of one element's bits: bit-exact for
 * every dtype. Program "gather": common, resample_common (geometry), gather.
 * The host (src/ops/resample_engine.c, family "gather") picks one kernel;
 * each build compiles only that one.
 *
 * Kernels:
 *   clrs_gather         a work-item per output
 *   clrs_gather_gc      -D GC=C: C <= 8 channels-last channels per work-item
 *   clrs_gather_vnear   -D VNEAR=k: a work-item per row, x k in vectors
 *
 * Flags (besides the geometry's R0..R4, IDX, IS0, OS0, EXACT0, SPLIT2):
 *   ELEM_T   uchar ushort uint ulong   the element's bits
 *   GC       0, 2..8                   folded channels (clrs_gather_gc)
 *   VNEAR    0, 2..4                   the factor (clrs_gather_vnear)
 */
#ifndef ELEM_T
#define ELEM_T uint
#endif
#ifndef GC
#define GC 0
#endif
#ifndef VNEAR
#define VNEAR 0
#endif
#if VNEAR
/* VNEAR = k (2..4): dim 0 upsampled by the integer factor k with unit
 * strides, every output i0 taking input i0 / k (nearest and nearest-exact
 * x2..x4 along W; the host checks the table): a work-item per row copies
 * 16 inputs at a time into k vectors of 16 outputs, lane l of output
 * vector u being input (16u + l) / k: one load, k permutes and k stores
 * instead of a gathered table entry and a gathered element per output. A
 * row that is not whole chunks ends with the chunk of its last 16 inputs,
 * overlapping the previous one inside the work-item (same values). */
#define VN_T CLRS_CAT(ELEM_T, 16)
#if defined(__clang__)
typedef ELEM_T clrs_vn16 __attribute__((ext_vector_type(16), aligned(sizeof(ELEM_T))));
#define VN_LD(p) (*(__global const clrs_vn16 *)(p))
#define VN_ST(v, p) (*(__global clrs_vn16 *)(p) = (v))
#else
#define VN_LD(p) vload16(0, (p))
#define VN_ST(v, p) vstore16((v), 0, (p))
#endif
#define VN_PICK(a, u, l) (a)[(16 * (u) + (l)) / VNEAR]
#define VN_LANES(a, u)                                                                                      \
    (VN_PICK(a, u, 0), VN_PICK(a, u, 1), VN_PICK(a, u, 2), VN_PICK(a, u, 3), VN_PICK(a, u, 4), VN_PICK(a, u, 5), \
     VN_PICK(a, u, 6), VN_PICK(a, u, 7), VN_PICK(a, u, 8), VN_PICK(a, u, 9), VN_PICK(a, u, 10),                \
     VN_PICK(a, u, 11), VN_PICK(a, u, 12), VN_PICK(a, u, 13), VN_PICK(a, u, 14), VN_PICK(a, u, 15))
__attribute__((always_inline)) inline void clrs_vnear_chunk(__global const ELEM_T *s, __global ELEM_T *d, long m)
{
    const VN_T a = VN_LD(s + m);
#pragma unroll
    for (int u = 0; u < VNEAR; u++) VN_ST((VN_T)VN_LANES(a, u), d + VNEAR * m + 16 * u);
}
#endif

#define GATHER_ARGS                                                                                            \
    __global const ELEM_T *src, long src_off, __global ELEM_T *dst, long dst_off, __global const IDX *tab, long8 osz, \
        long8 ost, long8 ist, long8 toff

#if VNEAR
__kernel void clrs_gather_vnear(GATHER_ARGS)
{
    const long i1 = (long)get_global_id(1), g2 = (long)get_global_id(2);
    SPLIT_G2(g2)
    __global const ELEM_T *s = src + (src_off + MAPK(1, i1) + MAPK(2, i2) + MAPK(3, i3) + MAPK(4, i4));
    __global ELEM_T *d = dst + (dst_off + i1 * ost.s1 + i2 * ost.s2 + i3 * ost.s3 + i4 * ost.s4);
    const long nin = osz.s0 / VNEAR; /* >= 16 (the host checks) */
    for (long m = 0; m + 16 <= nin; m += 16) clrs_vnear_chunk(s, d, m);
    if (nin % 16 != 0) clrs_vnear_chunk(s, d, nin - 16);
}
#elif GC
/* GC = C: dim 1 is C <= 8 unit-stride channels of a channels-last
 * tensor (dim 0's stride), copied by one work-item with the stride
 * compile-time (a runtime stride left PoCL's scalar loop running) */
__kernel void clrs_gather_gc(GATHER_ARGS)
{
    SPLIT_IDS()
    (void)i1;
    __global const ELEM_T *s = src + (src_off + MAPK(2, i2) + MAPK(3, i3) + MAPK(4, i4));
    __global ELEM_T *d = dst + (dst_off + i2 * ost.s2 + i3 * ost.s3 + i4 * ost.s4);
    const long so = R0 ? (long)tab[toff.s0 + i0] : (long)i0 * GC;
#pragma unroll
    for (int c = 0; c < GC; c++) {
        ELEM_T v = s[so + c];
        if (ok0) d[(long)i0 * GC + c] = v;
    }
}
#else
__kernel void clrs_gather(GATHER_ARGS)
{
    SPLIT_IDS()
    __global const ELEM_T *s =
        src + (src_off + MAPK(1, i1) + MAPK(2, i2) + MAPK(3, i3) + MAPK(4, i4));
    __global ELEM_T *d = dst + (dst_off + i1 * ost.s1 + i2 * ost.s2 + i3 * ost.s3 + i4 * ost.s4);
    ELEM_T v = s[R0 ? tab[toff.s0 + i0] : OFF0(i0)];
    if (ok0) d[DOFF0(i0)] = v;
}
#endif
