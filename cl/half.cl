/* SPDX-License-Identifier: MIT */
/* half.cl — IEEE half <-> float conversions of the resampling kernels
 * (bfloat16's are in common.cl). Programs: after common, before
 * resample_common (src/kernels.c PROGRAMS[]).
 *
 * Flags:
 *   CLRS_NO_F16C  defined   the integer forms even where F16C exists
 *                           (tests, through CLRS_OPENCL_BUILD_OPTIONS)
 * Defines CLRS_F16C (0 or 1), clrs_h2f and clrs_f2h_rte. */
/* x86 with F16C under clang >= 15 (PoCL's CPU devices): half <-> float by
 * the hardware (vcvtph2ps / vcvtps2ph, 16 lanes an instruction) through
 * clang's _Float16, instead of the integer sequences below that bound the
 * f16 kernels. Both give the same bits as the integer forms for every
 * non-NaN value (checked exhaustively, all 2^16 halves and 2^32 floats, on
 * PoCL 3.1); NaNs: see each function. Elsewhere (GPUs, other compilers)
 * the integer forms, which are OpenCL C 1.2. */
#if defined(__F16C__) && defined(__clang__) && __clang_major__ >= 15 && !defined(CLRS_NO_F16C)
#define CLRS_F16C 1
#else
#define CLRS_F16C 0
#endif
/* IEEE half bits to float, exactly as vload_half (a NaN keeps its payload;
 * every use goes through arithmetic, which quiets it as vload_half would;
 * F16C quiets it at once: the same after arithmetic) */
inline float clrs_h2f(uint h)
{
#if CLRS_F16C
    union {
        ushort u;
        _Float16 f;
    } v;
    v.u = (ushort)h;
    return (float)v.f;
#else
    uint em = h & 0x7fffu, s = (h & 0x8000u) << 16;
    float f = as_float((em << 13) + 0x38000000u);               /* normal */
    f = em < 0x0400u ? (float)(int)em * 0x1p-24f : f;            /* zero, subnormal */
    f = em >= 0x7c00u ? as_float((em << 13) | 0x7f800000u) : f; /* inf, NaN */
    return as_float(as_uint(f) | s);
#endif
}
/* float bits to IEEE half bits, round to nearest even, exactly as PoCL's
 * vstore_half_rte (checked for all 2^32 floats on the device; a NaN gives
 * sign | 0x7fff as PoCL does), in integer selects that vectorise: PoCL's
 * vstore_half_rte is a long software sequence per element. */
inline ushort clrs_f2h_rte(uint x)
{
    uint a = x & 0x7fffffffu, s = (x >> 16) & 0x8000u;
#if CLRS_F16C
    /* the hardware keeps the NaN's payload; PoCL's sign | 0x7fff instead */
    union {
        ushort u;
        _Float16 f;
    } v;
    v.f = (_Float16)as_float(x);
    /* (a NaN converts to s | 0x7e00 | payload: the low 15 bits set give
     * s | 0x7fff, as in clrs_vper_f2h) */
    return v.u | (a > 0x7f800000u ? (ushort)0x7fffu : (ushort)0);
#else
    /* normal half (a >= 2^-14): rebias, round on the 13 dropped bits (the
     * carry may step the exponent, up to 0x7c00 = inf, where it clamps) */
    uint hn = min((a - 0x38000000u + 0xfffu + ((a >> 13) & 1u)) >> 13, 0x7c00u);
    /* subnormal half (or zero): the 24-bit significand shifted right by
     * sh = 126 - exponent (>= 14 here; clamped to 31, which gives 0 with
     * a remainder below half), rounded on the remainder */
    uint sh = min(126u - min(a >> 23, 126u), 31u);
    uint m = (a & 0x7fffffu) | 0x800000u;
    uint k = m >> sh, r = m & ((1u << sh) - 1u), hf = 1u << (sh - 1u);
    k += (r > hf || (r == hf && (k & 1u))) ? 1u : 0u;
    uint h = a < 0x38800000u ? k : hn;
    h = a > 0x7f800000u ? 0x7fffu : h;
    return (ushort)(h | s);
#endif
}
