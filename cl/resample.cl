/* SPDX-License-Identifier: MIT */
/* resample.cl — the weighted resampling kernels that need no explicit
 * vectors (every device): program "resample" = common, half,
 * resample_common, resample. The host (src/ops/resample_engine.c, family
 * "resample") picks one; each build compiles only that one, by its flags:
 *
 *   kernel                   flags that select it    what it is
 *   clrs_resample_per        PER = P > 0             periodic interior of dim 0
 *   clrs_resample_per_edge   EDGE = E > 0            the outputs around it
 *   clrs_resample_perc       PERC = C > 0 (PER, EDGE 0)  general, C channels folded
 *   clrs_resample_rows       ROWS = R > 0            W then H, W sums kept per column
 *   clrs_resample            PER, EDGE, PERC, ROWS 0 general
 *
 * All take the flags listed in resample_common.cl, the same arguments
 * (RS_KERNEL_ARGS), and give the same bits for the same output: the
 * periodic forms read the taps the host proved equal to the general
 * kernel's, through the same clrs_rs_sum. */

#if PER
/* PER = P (>= 1), PERQ = Q: the periodic interior of a dim 0 with unit
 * strides (or stride C, with PERC): outputs P*m + r (r < P) for m in [osz.s6, osz.s6 + global size)
 * read taps at the offsets of the reference outputs P*osz.s5 + r shifted
 * by (m - osz.s5) * Q (Q in elements: the step in inputs times dim 0's
 * input stride), with the reference's weights. One work-item per m
 * computes its P outputs: the loads are contiguous (Q = 1) or interleaved
 * (Q > 1) across work-items, never gathered, and the stores interleave.
 * The host checked every table entry of the range against the reference
 * (offsets, weight bits, dropped taps), so each result is what the general
 * kernel gives; the outputs outside the range are clrs_resample_per_edge's.
 * Launched with EXACT0 = 1 (the range is a multiple of the local size). */
__kernel void clrs_resample_per(RS_KERNEL_ARGS)
{
    RS_FOLD_PROLOGUE();
    const IDX m = (IDX)(osz.s6 + (long)get_global_id(0)), mref = (IDX)osz.s5;
    const long g2 = (long)get_global_id(2);
    SPLIT_G2(g2)
    /* PERC = C > 0: dim 1 is a copied dim of C elements with unit strides
     * inside dim 0 (channels-last with few channels): folded into the
     * work-item (global size 1 along it), so that dim 0's stride C is
     * compile-time and the accesses interleave instead of gathering */
    CLRS_UNROLL_YES
    for (int c = 0; c < (PERC ? PERC : 1); c++) {
        const long i1 = PERC ? (long)c : (long)get_global_id(1);
        __global DST_T *d = RS_DST(i1, i2, i3, i4);
        CLRS_UNROLL_YES
        for (int r = 0; r < PER; r++) {
            ACC a = RS_SUM((IDX)(PER * m + r), (long)(PER * mref + r), (IDX)((m - mref) * PERQ), i1, i2, i3, i4);
            RS_STORE(d, (PER * m + r) * (PERC ? PERC : 1), a);
        }
    }
}
#endif

#if EDGE
/* EDGE = E (> 0): the E outputs of dim 0 outside the periodic range,
 * osz.s5 of them at the start of each row and the rest from osz.s7 on:
 * the general kernel with global id 0 along dim 1 (a row has only a few
 * edge outputs, so work-groups take many rows) and each work-item
 * computing its row's E outputs in turn (compile-time E: the loop
 * unrolls and PoCL vectorises across the rows, faster than a work-item
 * per output). */
__kernel void clrs_resample_per_edge(RS_KERNEL_ARGS)
{
    RS_FOLD_PROLOGUE();
    const long x1 = (long)get_global_id(0), g2 = (long)get_global_id(2);
    const int ok1 = EXACT0 || x1 < osz.s1;
    const long i1 = ok1 ? x1 : osz.s1 - 1;
    SPLIT_G2(g2)
#if EDGE * T0 * T1 * T2 * T3 * T4 <= UNROLL_MAX * 4
    CLRS_UNROLL_YES
#else
    CLRS_UNROLL_NO
#endif
    for (int e = 0; e < EDGE; e++) {
        const IDX i0 = (IDX)(e < osz.s5 ? e : osz.s7 + (e - osz.s5));
        ACC a = RS_SUM(i0, (long)i0, (IDX)0, i1, i2, i3, i4);
        if (ok1) RS_STORE(RS_DST(i1, i2, i3, i4), DOFF0(i0), a);
    }
}
#endif

#if PERC && !PER && !EDGE
/* the general kernel with dim 1 (C <= 8 unit-stride channels of a
 * channels-last tensor) folded into the work-item, as in PER: dim 0's
 * stride C is compile-time, so the stores interleave (a runtime stride
 * made PoCL run its scalar loop) and the tap tables are read once for
 * the C outputs */
__kernel void clrs_resample_perc(RS_KERNEL_ARGS)
{
    RS_FOLD_PROLOGUE();
    SPLIT_IDS()
    (void)i1;
    CLRS_UNROLL_YES
    for (int c = 0; c < PERC; c++) {
        ACC a = RS_SUM(i0, (long)i0, (IDX)0, (long)c, i2, i3, i4);
        if (ok0) RS_STORE(RS_DST((long)c, i2, i3, i4), i0 * PERC, a);
    }
}
#endif

#if ROWS
/* ROWS = R (> 0), RBH = B: both axes of a 2-D pass, W (dim 0, unit
 * strides) and H (dim 1), W first as in the general kernel. A work-item
 * takes one output column of B consecutive output rows (global id 1: the
 * block of rows, id 2: the plane): first it sums along W each of the (at
 * most R) input rows the block's H taps touch (tidx[toff.s6 + 2 * block]:
 * the first one's source offset, tidx[... + 1]: how many), the a0 of
 * clrs_rs_sum, once per input row instead of once per output row and H
 * tap; then each output row sums its H taps over those (rows relative to
 * the block's first at toff.s5 + t * osz.s1 + oh, -1 dropped; weights as
 * the general kernel's): clrs_rs_sum's a1, the same operations in the same
 * order, so the same bits. R and B are compile-time, so the loops unroll
 * (rows past the block's count repeat its last; rows past the tensor's are
 * not stored). The sums sit in a private array indexed by the table's row:
 * PoCL then runs the H sums mostly scalar, which measured faster than the
 * forms that vectorise them (local memory, a barrier between the two
 * phases: 4-lane gathers; bench/README.md, issue #15). */
__kernel void clrs_resample_rows(RS_KERNEL_ARGS)
{
    const int x = (int)get_global_id(0), n0 = (int)osz.s0;
    const int ok0 = EXACT0 || x < n0;
    const int i0 = ok0 ? x : n0 - 1;
    ACC mid[ROWS];
    const long blk = (long)get_global_id(1), g2 = (long)get_global_id(2);
    SPLIT_G2(g2)
    const long r0 = (long)tidx[toff.s6 + 2 * blk], nr = (long)tidx[toff.s6 + 2 * blk + 1];
    __global const SRC_T *plane = src + (src_off + i2 * ist.s2 + i3 * ist.s3 + i4 * ist.s4 + r0);
    CLRS_UNROLL_YES
    for (int r = 0; r < ROWS; r++) {
        __global const SRC_T *row = plane + (r < nr ? (long)r : nr - 1) * ist.s1;
        ACC a0 = 0;
        UNROLL_T0
        for (int t0 = 0; t0 < T0; t0++) {
            /* the column's W taps, re-read per row (L1-resident) */
            const long te = toff.s0 + (long)t0 * osz.s0;
            const int j_ = (int)tidx[te + i0];
            const int k0 = !DROP || j_ >= 0;
            ACCUM(a0, tw[te + i0], (ACC)LOAD_SRC(row, k0 ? j_ : 0), k0);
        }
        mid[r] = a0;
    }
    CLRS_UNROLL_YES
    for (int h = 0; h < RBH; h++) {
        const long oh = blk * RBH + h;
        const int okh = oh < osz.s1;
        const long ohc = okh ? oh : osz.s1 - 1;
        ACC a1 = 0;
        UNROLL_T1
        for (int t1 = 0; t1 < T1; t1++) {
            const IDX rr = tidx[toff.s5 + (long)t1 * osz.s1 + ohc];
            const int k1 = !DROP || rr >= 0;
            const WT w1 = tw[toff.s1 + (long)t1 * osz.s1 + ohc];
            ACCUM(a1, w1, mid[k1 ? (int)rr : 0], k1);
        }
        if (ok0 && okh) RS_STORE(RS_DST(ohc, i2, i3, i4), i0, a1);
    }
}
#endif

#if !PER && !EDGE && !PERC && !ROWS
/* the general kernel: a work-item per output */
__kernel void clrs_resample(RS_KERNEL_ARGS)
{
    SPLIT_IDS()
    ACC a = RS_SUM(i0, (long)i0, (IDX)0, i1, i2, i3, i4);
    if (ok0) RS_STORE(RS_DST(i1, i2, i3, i4), DOFF0(i0), a);
}
#endif
