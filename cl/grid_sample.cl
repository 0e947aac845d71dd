/* SPDX-License-Identifier: MIT */
/* grid_sample.cl — torch's F.grid_sample and F.affine_grid; program
 * "grid_sample" = common + grid_sample (src/ops/grid_sample.c).
 *   clrs_grid_sample   "grid_sample/general": one work-item per output
 *                      location (n, d, h, w), the channels in a loop (the
 *                      grid coordinate and the weights are shared by them);
 *                      "grid_sample/chunk" (CHUNK > 0): one work-item per
 *                      location and run of CHUNK channels (planar data:
 *                      fewer planes live at once in one work-item, which
 *                      on CPUs evict each other's lines when plane strides
 *                      are powers of two), the same arithmetic per output
 *   clrs_affine_grid   "affine_grid/general": one work-item per grid point
 *
 * -D flags:
 *   name      values                           set by
 *   DTYPE_*   F32 F64 F16 BF16                 src/ops/grid_sample.c
 *   SPATIAL   2 3                              the input's spatial rank
 *   MODE      0 bilinear, 1 nearest, 2 bicubic
 *   PAD       0 zeros, 1 border, 2 reflection
 *   ALIGN     0 1                              align_corners
 *   CHUNK     0, or channels per work-item     the implementation (tuning gs_chunk)
 *
 * Arithmetic follows PyTorch's CPU kernels operation by operation:
 *  - 4-D (SPATIAL 2): aten/src/ATen/native/cpu/GridSamplerKernel.cpp, the
 *    vectorized kernel. It is built with FMA and the compiler contracts
 *    a*b+c there, so the same contractions are written here as fma()
 *    (unnormalisation, reflection, the weighted sums). Out-of-bounds taps
 *    read 0 and are still multiplied by their weight (a NaN weight gives a
 *    NaN output); border/reflection clamp NaN to 0.
 *  - 5-D (SPATIAL 3): aten/src/ATen/native/GridSampler.cpp, the scalar
 *    kernel (no FMA): ((g + 1) * size - 1) / 2, fmod-based reflection,
 *    std::min/std::max clamping (NaN becomes size - 1), out-of-bounds taps
 *    skipped.
 * Float -> integer conversions of NaN or out-of-range values give the
 * smallest integer, as the x86 conversions torch relies on do (always an
 * out-of-bounds index), except where noted (f16/bf16 4-D: int16; bf16
 * 5-D: NaN -> 0). f16/bf16 round every operation to the storage type
 * (RD below) except 5-D bicubic, computed in float. Bit-exact with torch
 * 2.15 on its golden vectors but 5-D bicubic (another summation order). */
#pragma OPENCL FP_CONTRACT OFF

#ifdef DTYPE_F64
#define GS_ONE 1.0
#else
#define GS_ONE 1.0f
#endif
#define GS_A ((ACC_T)-0.75)

/* f16 / bf16: torch computes in the storage type, every operation rounded
 * to it (Vectorized<Half> / c10::Half arithmetic goes through float and
 * back), so RD() rounds each result; FMA_ is a*b+c with both roundings.
 * f32 / f64: RD is nothing and FMA_ the fused multiply-add. */
#if defined(DTYPE_F16)
inline float gs_rd(float x)
{
    ushort u[1]; /* no half variables without cl_khr_fp16: its bits */
    vstore_half_rte(x, 0, (__private half *)u);
    return vload_half(0, (__private const half *)u);
}
#define RD(x) gs_rd(x)
#define FMA_(a, b, c) RD(RD((a) * (b)) + (c))
#elif defined(DTYPE_BF16)
#define RD(x) clrs_bf16_to_f32(clrs_f32_to_bf16(x))
#define FMA_(a, b, c) RD(RD((a) * (b)) + (c))
#else
#define RD(x) (x)
#define FMA_(a, b, c) fma((a), (b), (c))
#endif
#if SPATIAL == 3 && MODE == 2
/* torch's 5-D bicubic computes f16/bf16 in float (opmath), rounding once */
#undef RD
#define RD(x) (x)
#endif

/* floor / round results to an index: NaN and values outside +-2^62 give
 * the smallest long (out of bounds whatever the size). */
inline long gs_toi(ACC_T v)
{
#if defined(DTYPE_BF16) && SPATIAL == 3
    /* torch 2.15's 5-D bf16 kernel turns a NaN coordinate into index 0
     * (infinities stay out of range) */
    if (isnan(v)) return 0;
#endif
    return (v >= (ACC_T)-4611686018427387904.0 && v < (ACC_T)4611686018427387904.0) ? (long)v : LONG_MIN;
}

#if SPATIAL == 2
#if defined(DTYPE_F16) || defined(DTYPE_BF16)
/* Vectorized<Half/BFloat16> converts to the same-size integer, int16: the
 * float -> int32 conversion (INT_MIN for NaN and out-of-range values)
 * keeps its low 16 bits, so e.g. a NaN coordinate reads index 0, as torch
 * does. The +1 neighbour wraps in int16 too. */
inline long gs_toi16(float v)
{
    int i = (v >= -2147483648.0f && v < 2147483648.0f) ? (int)v : INT_MIN;
    return (long)(short)i;
}
#define GS_TOI(v) gs_toi16(v)
#define GS_NEXT(i) ((long)(short)((i) + 1))
#else
#define GS_TOI(v) gs_toi(v)
#define GS_NEXT(i) ((i) + 1)
#endif
/* ---- 4-D: the vectorized kernel's ComputeLocation ------------------------ */
inline ACC_T gs_unnorm(ACC_T g, long size)
{
#if ALIGN
    return RD(RD(g + GS_ONE) * RD(RD((ACC_T)(size - 1)) / (ACC_T)2));
#else
    return FMA_(RD(g + GS_ONE), RD(RD((ACC_T)size) / (ACC_T)2), (ACC_T)-0.5);
#endif
}

/* clamp_max(max, clamp_min(0, x)): NaN becomes 0 */
inline ACC_T gs_clip(ACC_T x, long size)
{
    ACC_T c = x > (ACC_T)0 ? x : (ACC_T)0;
    ACC_T m = RD((ACC_T)(size - 1));
    return c < m ? c : m;
}

/* NaN-propagating minimum (at::vec::minimum) */
inline ACC_T gs_minimum(ACC_T a, ACC_T b)
{
    return (isnan(a) || isnan(b)) ? a + b : fmin(a, b);
}

inline ACC_T gs_reflect(ACC_T x, long size)
{
#if ALIGN
    if (size <= 1) return (ACC_T)0;
    ACC_T ts = RD(RD((ACC_T)(size - 1)) * (ACC_T)2);
    ACC_T a = fabs(x);
    ACC_T flips = trunc(RD(a / ts));
    ACC_T extra = FMA_(-flips, ts, a);
    return gs_minimum(extra, RD(ts - extra));
#else
    ACC_T ts = RD(RD((ACC_T)size) * (ACC_T)2), low = (ACC_T)-0.5;
    ACC_T a = fabs(RD(x - low));
    ACC_T flips = trunc(RD(a / ts));
    ACC_T extra = FMA_(-flips, ts, a);
    return RD(gs_minimum(extra, RD(ts - extra)) + low);
#endif
}

/* padding applied to an unnormalised coordinate */
inline ACC_T gs_pad(ACC_T x, long size)
{
#if PAD == 1
    return gs_clip(x, size);
#elif PAD == 2
    return gs_clip(gs_reflect(x, size), size);
#else
    (void)size;
    return x;
#endif
}

/* cubic convolution weights of the taps -1, 0, 1, 2 for fraction t.
 * torch's ((A*x - 5A)*x + 8A)*x - 4A has a product on both sides of each
 * add/sub, and the compiler fuses the exact constant one: no rounding
 * saved, so plain operations here; ((A+2)*x - (A+3))*x*x + 1 fuses both. */
inline ACC_T gs_cc2v(ACC_T x)
{
    const ACC_T A = GS_A; /* A, 5A, 8A, 4A, A + 2, A + 3 are exact */
    return RD(RD(RD(RD(RD(RD(A * x) - (ACC_T)5 * A) * x) + (ACC_T)8 * A) * x) - (ACC_T)4 * A);
}

inline ACC_T gs_cc1v(ACC_T x)
{
    const ACC_T A = GS_A;
    return FMA_(RD(FMA_(A + (ACC_T)2, x, -(A + (ACC_T)3)) * x), x, GS_ONE);
}

inline void gs_cubic(ACC_T t, ACC_T c[4])
{
    c[0] = gs_cc2v(RD(t + GS_ONE));
    c[1] = gs_cc1v(t);
    c[2] = gs_cc1v(RD(GS_ONE - t));
    c[3] = gs_cc2v(RD((ACC_T)2 - t));
}

/* get_value_bounded: an integral-valued coordinate, padded, read or 0 */
inline ACC_T gs_tap(__global const DATA_T *p, long off, ACC_T x, ACC_T y, long W, long H, long sW, long sH)
{
    long ix = GS_TOI(gs_pad(x, W)), iy = GS_TOI(gs_pad(y, H));
    if (ix < 0 || ix >= W || iy < 0 || iy >= H) return (ACC_T)0;
    return LOAD(p, off + iy * sH + ix * sW);
}

#else
/* ---- 5-D: the scalar kernel's grid_sampler_compute_source_index ----------- */
inline ACC_T gs_unnorm(ACC_T g, long size)
{
#if ALIGN
    return RD(RD(RD(g + GS_ONE) / (ACC_T)2) * RD((ACC_T)(size - 1)));
#else
    return RD(RD(RD(RD(g + GS_ONE) * RD((ACC_T)size)) - GS_ONE) / (ACC_T)2);
#endif
}

/* std::min(size - 1, std::max(x, 0)): NaN becomes size - 1 */
inline ACC_T gs_clip(ACC_T x, long size)
{
    ACC_T c = x < (ACC_T)0 ? (ACC_T)0 : x;
    ACC_T m = RD((ACC_T)(size - 1));
    return c < m ? c : m;
}

inline ACC_T gs_reflect_span(ACC_T in, long twice_low, long twice_high)
{
    if (twice_low == twice_high) return (ACC_T)0;
    ACC_T mn = RD(RD((ACC_T)twice_low) / (ACC_T)2);
    ACC_T span = RD(RD((ACC_T)(twice_high - twice_low)) / (ACC_T)2);
    in = fabs(RD(in - mn));
    ACC_T extra = fmod(in, span);
    ACC_T fl = floor(RD(in / span));
    /* static_cast<int>: out of range or NaN gives INT_MIN, an even count */
    int odd = (fl >= (ACC_T)0 && fl < (ACC_T)2147483648.0) ? (int)((long)fl & 1) : 0;
    return odd ? RD(RD(span - extra) + mn) : RD(extra + mn);
}

inline ACC_T gs_pad(ACC_T x, long size)
{
#if PAD == 1
    return gs_clip(x, size);
#elif PAD == 2
#if ALIGN
    return gs_clip(gs_reflect_span(x, 0, 2 * (size - 1)), size);
#else
    return gs_clip(gs_reflect_span(x, -1, 2 * size - 1), size);
#endif
#else
    (void)size;
    return x;
#endif
}

/* UpSample.h's get_cubic_upsample_coefficients (A = -0.75) */
inline ACC_T gs_cc1(ACC_T x) { return ((GS_A + (ACC_T)2) * x - (GS_A + (ACC_T)3)) * x * x + GS_ONE; }
inline ACC_T gs_cc2(ACC_T x) { return ((GS_A * x - (ACC_T)5 * GS_A) * x + (ACC_T)8 * GS_A) * x - (ACC_T)4 * GS_A; }
inline void gs_cubic(ACC_T t, ACC_T c[4])
{
    c[0] = gs_cc2(t + GS_ONE);
    c[1] = gs_cc1(t);
    ACC_T x2 = GS_ONE - t;
    c[2] = gs_cc1(x2);
    c[3] = gs_cc2(x2 + GS_ONE);
}

inline ACC_T gs_tap3(__global const DATA_T *p, long off, ACC_T x, ACC_T y, ACC_T z, long W, long H, long D, long sW,
                     long sH, long sD)
{
    long ix = gs_toi(gs_pad(x, W)), iy = gs_toi(gs_pad(y, H)), iz = gs_toi(gs_pad(z, D));
    if (ix < 0 || ix >= W || iy < 0 || iy >= H || iz < 0 || iz >= D) return (ACC_T)0;
    return LOAD(p, off + iz * sD + iy * sH + ix * sW);
}
#endif

/* in: (N, C, D, H, W) sizes isz / strides ist (D = 1, stride 0 for 4-D);
 * grid strides gst = (N, D, H, W, coordinate); out sizes osz = (N, C, Do,
 * Ho, Wo), strides ost. Work-item (ow, oh, od + Do * n). */
__kernel void clrs_grid_sample(__global const DATA_T *src, long src_off, long8 isz, long8 ist,
                               __global const DATA_T *grid, long grid_off, long8 gst, __global DATA_T *dst,
                               long dst_off, long8 osz, long8 ost)
{
    long ow = (long)get_global_id(0), oh = (long)get_global_id(1), g2 = (long)get_global_id(2);
    if (ow >= osz.s4 || oh >= osz.s3) return;
#if CHUNK
    /* dimension 2 is (n, d, channel run), the run fastest */
    const long nruns = (isz.s1 + CHUNK - 1) / CHUNK, c0 = (g2 % nruns) * CHUNK;
    g2 /= nruns;
    const long C = min((long)CHUNK, isz.s1 - c0);
#else
    const long c0 = 0, C = isz.s1;
#endif
    long od = g2 % osz.s2, n = g2 / osz.s2;
    if (n >= osz.s0) return;
    const long D = isz.s2, H = isz.s3, W = isz.s4;
    long gp = grid_off + n * gst.s0 + od * gst.s1 + oh * gst.s2 + ow * gst.s3;
    ACC_T gx = LOAD(grid, gp), gy = LOAD(grid, gp + gst.s4);
    long ib = src_off + n * ist.s0 + c0 * ist.s1;
    long ob = dst_off + n * ost.s0 + c0 * ost.s1 + od * ost.s2 + oh * ost.s3 + ow * ost.s4;
    const long sC = ist.s1, sD = ist.s2, sH = ist.s3, sW = ist.s4;
#if SPATIAL == 2
    (void)D;
    (void)sD;
#if MODE == 0
    ACC_T x = gs_pad(gs_unnorm(gx, W), W), y = gs_pad(gs_unnorm(gy, H), H);
    ACC_T xw = floor(x), yn = floor(y);
    ACC_T w = RD(x - xw), nn = RD(y - yn);
    ACC_T e = RD(GS_ONE - w), s = RD(GS_ONE - nn);
    ACC_T wnw = RD(s * e), wne = RD(s * w), wsw = RD(nn * e), wse = RD(nn * w);
    long ixw = GS_TOI(xw), iyn = GS_TOI(yn), ixe = GS_NEXT(ixw), iys = GS_NEXT(iyn);
    int mw = ixw >= 0 && ixw < W, me = ixe >= 0 && ixe < W;
    int mn = iyn >= 0 && iyn < H, ms = iys >= 0 && iys < H;
    long onw = iyn * sH + ixw * sW;
    for (long c = 0; c < C; c++, ib += sC, ob += ost.s1) {
        ACC_T vnw = (mn && mw) ? LOAD(src, ib + onw) : (ACC_T)0;
        ACC_T vne = (mn && me) ? LOAD(src, ib + onw + sW) : (ACC_T)0;
        ACC_T vsw = (ms && mw) ? LOAD(src, ib + onw + sH) : (ACC_T)0;
        ACC_T vse = (ms && me) ? LOAD(src, ib + onw + sH + sW) : (ACC_T)0;
        ACC_T r = RD(vnw * wnw);
        r = FMA_(vne, wne, r);
        r = FMA_(vsw, wsw, r);
        r = FMA_(vse, wse, r);
        STORE(dst, ob, r);
    }
#elif MODE == 1
    ACC_T x = gs_pad(gs_unnorm(gx, W), W), y = gs_pad(gs_unnorm(gy, H), H);
    long ix = GS_TOI(rint(x)), iy = GS_TOI(rint(y));
    int in = ix >= 0 && ix < W && iy >= 0 && iy < H;
    long o = iy * sH + ix * sW;
    for (long c = 0; c < C; c++, ib += sC, ob += ost.s1) STORE(dst, ob, in ? LOAD(src, ib + o) : (ACC_T)0);
#else
    ACC_T x = gs_unnorm(gx, W), y = gs_unnorm(gy, H);
    ACC_T ix = floor(x), iy = floor(y);
    ACC_T cx[4], cy[4];
    gs_cubic(RD(x - ix), cx);
    gs_cubic(RD(y - iy), cy);
    ACC_T xm = RD(ix - GS_ONE), x1 = RD(ix + GS_ONE), x2 = RD(ix + (ACC_T)2);
    for (long c = 0; c < C; c++, ib += sC, ob += ost.s1) {
        ACC_T r = (ACC_T)0;
        for (int i = 0; i < 4; i++) {
            ACC_T yy = RD(iy + (ACC_T)(i - 1));
            /* the sums as torch's compiler contracts them (found by
             * matching its f64 results): along x only the first add is
             * fused (with the first product), along y all three */
            ACC_T v = FMA_(cx[0], gs_tap(src, ib, xm, yy, W, H, sW, sH),
                           RD(cx[1] * gs_tap(src, ib, ix, yy, W, H, sW, sH)));
            v = RD(v + RD(cx[2] * gs_tap(src, ib, x1, yy, W, H, sW, sH)));
            v = RD(v + RD(cx[3] * gs_tap(src, ib, x2, yy, W, H, sW, sH)));
            if (i == 0)
                r = RD(cy[0] * v);
            else if (i == 1)
                r = FMA_(cy[1], v, r);
            else
                r = FMA_(cy[i], v, r);
        }
        STORE(dst, ob, r);
    }
#endif
#else /* SPATIAL == 3 */
    ACC_T gz = LOAD(grid, gp + 2 * gst.s4);
#if MODE == 0
    ACC_T x = gs_pad(gs_unnorm(gx, W), W), y = gs_pad(gs_unnorm(gy, H), H), z = gs_pad(gs_unnorm(gz, D), D);
    long ix0 = gs_toi(floor(x)), iy0 = gs_toi(floor(y)), iz0 = gs_toi(floor(z));
    ACC_T fx0 = RD((ACC_T)ix0), fy0 = RD((ACC_T)iy0), fz0 = RD((ACC_T)iz0);
    ACC_T fx1 = RD((ACC_T)(ix0 + 1)), fy1 = RD((ACC_T)(iy0 + 1)), fz1 = RD((ACC_T)(iz0 + 1));
    ACC_T ax = RD(fx1 - x), bx = RD(x - fx0), ay = RD(fy1 - y), by = RD(y - fy0), az = RD(fz1 - z),
          bz = RD(z - fz0);
    ACC_T wt[8];
    wt[0] = RD(RD(ax * ay) * az); /* tnw */
    wt[1] = RD(RD(bx * ay) * az); /* tne */
    wt[2] = RD(RD(ax * by) * az); /* tsw */
    wt[3] = RD(RD(bx * by) * az); /* tse */
    wt[4] = RD(RD(ax * ay) * bz); /* bnw */
    wt[5] = RD(RD(bx * ay) * bz); /* bne */
    wt[6] = RD(RD(ax * by) * bz); /* bsw */
    wt[7] = RD(RD(bx * by) * bz); /* bse */
    for (long c = 0; c < C; c++, ib += sC, ob += ost.s1) {
        ACC_T r = (ACC_T)0;
        for (int k = 0; k < 8; k++) {
            long xx = ix0 + (k & 1), yy = iy0 + ((k >> 1) & 1), zz = iz0 + (k >> 2);
            if (xx >= 0 && xx < W && yy >= 0 && yy < H && zz >= 0 && zz < D)
                r = RD(r + RD(LOAD(src, ib + zz * sD + yy * sH + xx * sW) * wt[k]));
        }
        STORE(dst, ob, r);
    }
#elif MODE == 1
    ACC_T x = gs_pad(gs_unnorm(gx, W), W), y = gs_pad(gs_unnorm(gy, H), H), z = gs_pad(gs_unnorm(gz, D), D);
    long ix = gs_toi(rint(x)), iy = gs_toi(rint(y)), iz = gs_toi(rint(z));
    int in = ix >= 0 && ix < W && iy >= 0 && iy < H && iz >= 0 && iz < D;
    long o = iz * sD + iy * sH + ix * sW;
    for (long c = 0; c < C; c++, ib += sC, ob += ost.s1) STORE(dst, ob, in ? LOAD(src, ib + o) : (ACC_T)0);
#else
    /* tricubic: the 2-D scalar bicubic (cubic_interp1d along x, then y),
     * then once more along z */
    ACC_T x = gs_unnorm(gx, W), y = gs_unnorm(gy, H), z = gs_unnorm(gz, D);
    ACC_T ix = floor(x), iy = floor(y), iz = floor(z);
    ACC_T cx[4], cy[4], cz[4];
    gs_cubic(x - ix, cx);
    gs_cubic(y - iy, cy);
    gs_cubic(z - iz, cz);
    for (long c = 0; c < C; c++, ib += sC, ob += ost.s1) {
        ACC_T pz[4];
        for (int k = 0; k < 4; k++) {
            ACC_T zz = iz - GS_ONE + (ACC_T)k;
            ACC_T py[4];
            for (int j = 0; j < 4; j++) {
                ACC_T yy = iy - GS_ONE + (ACC_T)j;
                ACC_T v0 = gs_tap3(src, ib, ix - GS_ONE, yy, zz, W, H, D, sW, sH, sD);
                ACC_T v1 = gs_tap3(src, ib, ix, yy, zz, W, H, D, sW, sH, sD);
                ACC_T v2 = gs_tap3(src, ib, ix + GS_ONE, yy, zz, W, H, D, sW, sH, sD);
                ACC_T v3 = gs_tap3(src, ib, ix + (ACC_T)2, yy, zz, W, H, D, sW, sH, sD);
                py[j] = v0 * cx[0] + v1 * cx[1] + v2 * cx[2] + v3 * cx[3];
            }
            pz[k] = py[0] * cy[0] + py[1] * cy[1] + py[2] * cy[2] + py[3] * cy[3];
        }
        STORE(dst, ob, pz[0] * cz[0] + pz[1] * cz[1] + pz[2] * cz[2] + pz[3] * cz[3]);
    }
#endif
#endif
}

/* affine_grid: grid[n, d, h, w, :] = theta[n] @ (x_w, y_h, z_d, 1), with
 * base coordinates linspace(-1, 1, size) (scaled by (size - 1) / size
 * without align_corners; 0 for a size-1 axis), as
 * AffineGridGenerator.cpp's base grid and its batched matmul. theta (N, R,
 * R + 1) with strides tst = (N, row, col); grid sizes (N, D, H, W)
 * in gsz (s0..s3), strides gst = (N, D, H, W, coordinate). */
inline ACC_T gs_linspace(long i, long size)
{
    if (size <= 1) return (ACC_T)0;
    /* at::linspace(-1, 1, steps): step = 2 / (steps - 1); the first half
     * counts up from -1, the second half down from 1 */
    ACC_T step = (ACC_T)2 / (ACC_T)(size - 1);
    long halfway = size / 2;
    ACC_T v = i < halfway ? (ACC_T)-1 + step * (ACC_T)i : (ACC_T)1 - step * (ACC_T)(size - 1 - i);
#if !ALIGN
    v = v * (ACC_T)(size - 1) / (ACC_T)size; /* grid * (steps - 1) / steps */
#endif
    return v;
}

__kernel void clrs_affine_grid(__global const DATA_T *theta, long theta_off, long4 tst, __global DATA_T *grid,
                               long grid_off, long4 gsz, long8 gst)
{
    long w = (long)get_global_id(0), h = (long)get_global_id(1), g2 = (long)get_global_id(2);
    if (w >= gsz.s3 || h >= gsz.s2) return;
    long d = g2 % gsz.s1, n = g2 / gsz.s1;
    if (n >= gsz.s0) return;
    ACC_T b[4];
    b[0] = gs_linspace(w, gsz.s3);
    b[1] = gs_linspace(h, gsz.s2);
#if SPATIAL == 2
    b[2] = GS_ONE;
    const int R = 2;
#else
    b[2] = gs_linspace(d, gsz.s1);
    b[3] = GS_ONE;
    const int R = 3;
#endif
    long go = grid_off + n * gst.s0 + d * gst.s1 + h * gst.s2 + w * gst.s3;
    for (int r = 0; r < R; r++) {
        long to = theta_off + n * tst.s0 + r * tst.s1;
        ACC_T acc = b[0] * LOAD(theta, to);
        for (int k = 1; k <= R; k++) acc = acc + b[k] * LOAD(theta, to + k * tst.s2);
        STORE(grid, go + r * gst.s4, acc);
    }
}
