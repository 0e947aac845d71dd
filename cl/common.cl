/* SPDX-License-Identifier: MIT */
/* common.cl — prepended to every clresample program.
 *
 * Host-provided defines (always): HAS_FP64, HAS_FP16, HAS_IMAGES, IS_CPU
 * (0 or 1) and MAX_WG (the device's largest work-group size).
 * Optional per program: DTYPE_F32 | DTYPE_F64 | DTYPE_F16 | DTYPE_BF16 |
 * DTYPE_U8 | DTYPE_U16 selects DATA_T storage with LOAD(p, i) / STORE(p, i, v)
 * computing in ACC_T (float, or double for f64).
 * No fast-math: NaN and infinities must survive. */
#ifndef HAS_FP64
#define HAS_FP64 0
#endif
#ifndef HAS_FP16
#define HAS_FP16 0
#endif
#ifndef HAS_IMAGES
#define HAS_IMAGES 0
#endif
#ifndef IS_CPU
#define IS_CPU 0
#endif
#ifndef MAX_WG
#define MAX_WG 256
#endif

#if HAS_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

/* Index of an element from per-dimension index and stride (64-bit). */
#define IDX5(o, i0, i1, i2, i3, i4, s) \
    ((o) + (i0) * (s).s0 + (i1) * (s).s1 + (i2) * (s).s2 + (i3) * (s).s3 + (i4) * (s).s4)

/* bfloat16 <-> float: round to nearest even, NaN kept quiet. */
inline float clrs_bf16_to_f32(ushort h) { return as_float(((uint)h) << 16); }
inline ushort clrs_f32_to_bf16(float f)
{
    uint u = as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (ushort)((u >> 16) | 0x0040u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (ushort)(u >> 16);
}

#if defined(DTYPE_F32)
#define DATA_T float
#define ACC_T float
#define LOAD(p, i) ((p)[i])
#define STORE(p, i, v) ((p)[i] = (v))
#elif defined(DTYPE_F64)
#define DATA_T double
#define ACC_T double
#define LOAD(p, i) ((p)[i])
#define STORE(p, i, v) ((p)[i] = (v))
#elif defined(DTYPE_F16)
#define DATA_T half
#define ACC_T float
#define LOAD(p, i) vload_half((i), (p))
#define STORE(p, i, v) vstore_half_rte((v), (i), (p))
#elif defined(DTYPE_BF16)
#define DATA_T ushort
#define ACC_T float
#define LOAD(p, i) clrs_bf16_to_f32((p)[i])
#define STORE(p, i, v) ((p)[i] = clrs_f32_to_bf16(v))
#elif defined(DTYPE_U8)
#define DATA_T uchar
#define ACC_T float
#define LOAD(p, i) ((float)(p)[i])
#define STORE(p, i, v) ((p)[i] = convert_uchar_sat_rte(v))
#elif defined(DTYPE_U16)
#define DATA_T ushort
#define ACC_T float
#define LOAD(p, i) ((float)(p)[i])
#define STORE(p, i, v) ((p)[i] = convert_ushort_sat_rte(v))
#endif

/* Storage types by name, for kernels whose source and destination types
 * differ (multi-pass resampling): -D SRC=f32 -D DST=f16 etc. give SRC_T,
 * DST_T, LOAD_SRC(p, i) and STORE_DST(p, i, v); integer destinations
 * truncate toward zero (u8, as PyTorch's casts) or round half away from
 * zero (u16), saturating. */
#define CLRS_CAT_(a, b) a##b
#define CLRS_CAT(a, b) CLRS_CAT_(a, b)
#define PTR_f32 float
#define PTR_f64 double
#define PTR_f16 half
#define PTR_bf16 ushort
#define PTR_u8 uchar
#define PTR_u16 ushort
#define LD_f32(p, i) ((p)[i])
#define LD_f64(p, i) ((p)[i])
#define LD_f16(p, i) vload_half((i), (p))
#define LD_bf16(p, i) clrs_bf16_to_f32((p)[i])
#define LD_u8(p, i) ((p)[i])
#define LD_u16(p, i) ((p)[i])
#define ST_f32(p, i, v) ((p)[i] = (float)(v))
#define ST_f64(p, i, v) ((p)[i] = (double)(v))
#define ST_f16(p, i, v) vstore_half_rte((float)(v), (i), (p))
#define ST_bf16(p, i, v) ((p)[i] = clrs_f32_to_bf16((float)(v)))
#define ST_u8(p, i, v) ((p)[i] = convert_uchar_sat(v))
#define ST_u16(p, i, v) ((p)[i] = convert_ushort_sat(round(v)))
/* -D U8RTE=1 (ONNX Resize on uint8): round half to even, then saturate, as
 * ONNX's reference (np.round + clip); absent in every other program */
#if defined(U8RTE) && U8RTE
#undef ST_u8
#define ST_u8(p, i, v) ((p)[i] = convert_uchar_sat_rte(v))
#endif
