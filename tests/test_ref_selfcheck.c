/* SPDX-License-Identifier: MIT */
/*
 * Self-check of the reference implementation (tests/ref/ref.c) on small,
 * hand-verifiable cases. Every expected value was confirmed with torch 2.15.0
 * (CPU); the one-liner is given next to each case, with
 *   import torch, torch.nn.functional as F
 *   a = lambda *s: torch.arange(float(torch.tensor(s).prod()), dtype=torch.float64).view(*s)
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ref/ref.h"

#define TOL 1e-12

/* ------------------------------------------------------------------------ */
/* helpers                                                                  */

static void iota(double *x, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) x[i] = (double)i;
}

static clrs_interpolate_params ip_size(clrs_interp_mode mode, int n, int64_t s0, int64_t s1, int64_t s2)
{
    clrs_interpolate_params p;
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.mode = mode;
    p.n_size = n;
    p.size[0] = s0;
    p.size[1] = s1;
    p.size[2] = s2;
    p.align_corners = CLRS_UNSET;
    p.recompute_scale_factor = CLRS_UNSET;
    return p;
}

static clrs_interpolate_params ip_scale(clrs_interp_mode mode, int n, double s0, double s1, double s2)
{
    clrs_interpolate_params p = ip_size(mode, 0, 0, 0, 0);
    p.n_scale = n;
    p.scale[0] = s0;
    p.scale[1] = s1;
    p.scale[2] = s2;
    return p;
}

static clrs_pool_params pp_init(clrs_pool_kind kind)
{
    clrs_pool_params p;
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.kind = kind;
    p.count_include_pad = 1;
    p.samples_dtype = CLRS_F64;
    return p;
}

static clrs_unpool_params up_init(void)
{
    clrs_unpool_params p;
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    return p;
}

/* Run ref_interpolate_ex on an iota input; returns the status; out gets the values. */
static int run_interp(int rank, const int64_t *in_sizes, const double *in, const clrs_interpolate_params *p,
                      double *out, int64_t *out_sizes, clrs_dtype dt, int rule)
{
    int rc = ref_interpolate_shape(rank, in_sizes, p, out_sizes);
    if (rc) return rc;
    return ref_interpolate_ex(rank, in_sizes, in, p, out_sizes, out, dt, rule);
}

static void expect_vals(const double *got, const double *exp, int n, double tol)
{
    for (int i = 0; i < n; ++i) {
        if (isnan(exp[i]))
            ck_assert_msg(isnan(got[i]), "element %d: expected NaN, got %.17g", i, got[i]);
        else
            ck_assert_msg(fabs(got[i] - exp[i]) <= tol, "element %d: expected %.17g, got %.17g", i,
                          exp[i], got[i]);
    }
}

static void expect_idx(const int64_t *got, const int64_t *exp, int n)
{
    for (int i = 0; i < n; ++i)
        ck_assert_msg(got[i] == exp[i], "index %d: expected %lld, got %lld", i, (long long)exp[i],
                      (long long)got[i]);
}

/* ------------------------------------------------------------------------ */
/* dtype helpers                                                            */

START_TEST(tc_dtype_helpers)
{
    ck_assert_uint_eq(ref_f32_to_f16_bits(1.0f), 0x3c00u);
    ck_assert_uint_eq(ref_f32_to_f16_bits(-2.0f), 0xc000u);
    ck_assert_uint_eq(ref_f32_to_f16_bits(65504.0f), 0x7bffu);
    ck_assert_uint_eq(ref_f32_to_f16_bits(65519.0f), 0x7bffu);  /* below the halfway point */
    ck_assert_uint_eq(ref_f32_to_f16_bits(65520.0f), 0x7c00u);  /* rounds to inf */
    ck_assert_uint_eq(ref_f32_to_f16_bits(ldexpf(1.0f, -24)), 0x0001u);
    ck_assert_uint_eq(ref_f32_to_f16_bits(ldexpf(1.0f, -25)), 0x0000u);        /* tie -> even (0) */
    ck_assert_uint_eq(ref_f32_to_f16_bits(ldexpf(3.0f, -26)), 0x0001u);        /* 0.75 ulp -> 1 */
    ck_assert_uint_eq(ref_f32_to_f16_bits(ldexpf(3.0f, -25)), 0x0002u);        /* 1.5 ulp, tie -> 2 */
    ck_assert_uint_eq(ref_f32_to_f16_bits(1.0f + ldexpf(1.0f, -11)), 0x3c00u); /* tie -> even */
    ck_assert_uint_eq(ref_f32_to_f16_bits(1.0f + ldexpf(3.0f, -11)), 0x3c02u); /* tie -> even (up) */
    ck_assert_uint_eq(ref_f32_to_f16_bits(INFINITY), 0x7c00u);
    ck_assert_uint_eq(ref_f32_to_f16_bits(NAN) & 0x7e00u, 0x7e00u);
    ck_assert(ref_f16_bits_to_f32(0x3c00u) == 1.0f);
    ck_assert(ref_f16_bits_to_f32(0x0001u) == ldexpf(1.0f, -24));
    ck_assert(ref_f16_bits_to_f32(0xfbffu) == -65504.0f);
    ck_assert(isinf(ref_f16_bits_to_f32(0x7c00u)));
    ck_assert(isnan(ref_f16_bits_to_f32(0x7e00u)));

    ck_assert_uint_eq(ref_f32_to_bf16_bits(1.0f), 0x3f80u);
    ck_assert_uint_eq(ref_f32_to_bf16_bits(1.0f + ldexpf(1.0f, -8)), 0x3f80u); /* tie -> even */
    ck_assert_uint_eq(ref_f32_to_bf16_bits(1.0f + ldexpf(3.0f, -8)), 0x3f82u); /* tie -> even (up) */
    ck_assert_uint_eq(ref_f32_to_bf16_bits(NAN), 0x7fc0u);
    ck_assert(ref_bf16_bits_to_f32(0x4049u) == 3.140625f);

    /* torch.tensor(0.1, dtype=torch.float64).half().item() == 0.0999755859375 */
    ck_assert(ref_round_to_dtype(0.1, CLRS_F16) == 0.0999755859375);
    /* torch.tensor(0.1, dtype=torch.float64).bfloat16().item() == 0.10009765625 */
    ck_assert(ref_round_to_dtype(0.1, CLRS_BF16) == 0.10009765625);
    ck_assert(ref_round_to_dtype(0.1, CLRS_F32) == (double)0.1f);
    ck_assert(ref_round_to_dtype(0.1, CLRS_F64) == 0.1);
    ck_assert(isinf(ref_round_to_dtype(70000.0, CLRS_F16)));
    ck_assert(ref_round_to_dtype(2.7, CLRS_U8) == 2.0);
    ck_assert(ref_round_to_dtype(300.7, CLRS_U8) == 255.0);
    ck_assert(ref_round_to_dtype(-3.0, CLRS_U8) == 0.0);
    ck_assert(ref_round_to_dtype(70000.0, CLRS_U16) == 65535.0);
    ck_assert(ref_round_to_dtype(-2.5, CLRS_I64) == -2.0);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* interpolate: nearest / nearest-exact                                     */

START_TEST(tc_nearest)
{
    const int64_t in1[3] = {1, 1, 5};
    double x[64], y[256];
    int64_t os[5];
    iota(x, 64);

    /* F.interpolate(a(1,1,5), size=3, mode='nearest') -> [0, 1, 3] */
    clrs_interpolate_params p = ip_size(CLRS_INTERP_NEAREST, 1, 3, 0, 0);
    ck_assert_int_eq(run_interp(3, in1, x, &p, y, os, CLRS_F32, REF_NEAREST_IDX), 0);
    ck_assert_int_eq(os[2], 3);
    expect_vals(y, (const double[]){0, 1, 3}, 3, 0);

    /* F.interpolate(a(1,1,5), size=3, mode='nearest-exact') -> [0, 2, 4] */
    p.mode = CLRS_INTERP_NEAREST_EXACT;
    ck_assert_int_eq(run_interp(3, in1, x, &p, y, os, CLRS_F32, REF_NEAREST_IDX), 0);
    expect_vals(y, (const double[]){0, 2, 4}, 3, 0);

    /* scale 2.1 gives out = 10 = 2*in: nearest_idx's shortcut dst >> 1 ... */
    p = ip_scale(CLRS_INTERP_NEAREST, 1, 2.1, 0, 0);
    ck_assert_int_eq(run_interp(3, in1, x, &p, y, os, CLRS_F32, REF_NEAREST_IDX), 0);
    ck_assert_int_eq(os[2], 10);
    expect_vals(y, (const double[]){0, 0, 1, 1, 2, 2, 3, 3, 4, 4}, 10, 0);
    /* ... while the generic kernel (all 1-D CPU calls) uses floor(dst / 2.1):
     * F.interpolate(a(1,1,5), scale_factor=2.1, mode='nearest') -> [0,0,0,1,1,2,2,3,3,4] */
    ck_assert_int_eq(run_interp(3, in1, x, &p, y, os, CLRS_F32, REF_NEAREST_TORCH_CPU), 0);
    expect_vals(y, (const double[]){0, 0, 0, 1, 1, 2, 2, 3, 3, 4}, 10, 0);
    /* 2-D small outputs take the nearest_idx path in PyTorch:
     * F.interpolate(a(1,1,1,5), scale_factor=(1,2.1), mode='nearest') -> [0,0,1,1,2,2,3,3,4,4] */
    {
        const int64_t in2[4] = {1, 1, 1, 5};
        clrs_interpolate_params q = ip_scale(CLRS_INTERP_NEAREST, 2, 1.0, 2.1, 0);
        ck_assert_int_eq(run_interp(4, in2, x, &q, y, os, CLRS_F32, REF_NEAREST_TORCH_CPU), 0);
        expect_vals(y, (const double[]){0, 0, 1, 1, 2, 2, 3, 3, 4, 4}, 10, 0);
    }
    /* out == in with a scale: shortcut copies; F.interpolate(a(1,1,1,3), scale_factor=1.3) -> [0,1,2]
     * and the generic 1-D path: F.interpolate(a(1,1,3), scale_factor=1.3) -> [0,0,1] */
    {
        const int64_t in3s[3] = {1, 1, 3};
        p = ip_scale(CLRS_INTERP_NEAREST, 1, 1.3, 0, 0);
        ck_assert_int_eq(run_interp(3, in3s, x, &p, y, os, CLRS_F32, REF_NEAREST_IDX), 0);
        expect_vals(y, (const double[]){0, 1, 2}, 3, 0);
        ck_assert_int_eq(run_interp(3, in3s, x, &p, y, os, CLRS_F32, REF_NEAREST_GENERIC), 0);
        expect_vals(y, (const double[]){0, 0, 1}, 3, 0);
        /* recompute_scale_factor drops the scale: in/out = 1 -> copy on every path */
        p.recompute_scale_factor = 1;
        ck_assert_int_eq(run_interp(3, in3s, x, &p, y, os, CLRS_F32, REF_NEAREST_GENERIC), 0);
        expect_vals(y, (const double[]){0, 1, 2}, 3, 0);
    }

    /* 2-D: F.interpolate(a(1,1,2,3), size=(4,5), mode='nearest') */
    {
        const int64_t in2[4] = {1, 1, 2, 3};
        clrs_interpolate_params q = ip_size(CLRS_INTERP_NEAREST, 2, 4, 5, 0);
        ck_assert_int_eq(run_interp(4, in2, x, &q, y, os, CLRS_F64, REF_NEAREST_IDX), 0);
        expect_vals(y,
                    (const double[]){0, 0, 1, 1, 2, 0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 3, 3, 4, 4, 5},
                    20, 0);
    }

    /* float32 index maths: in=2 -> out=497, dst=248: (248.5 * fl(2/497)) is just below 1.
     * DEFAULT-capability torch gives source row 0, AVX2/AVX512 builds (FMA) row 1:
     * F.interpolate(a(1,1,2,1).float(), size=(497,1), mode='nearest-exact')[0,0,248,0] */
    {
        const int64_t inr[3] = {1, 1, 2};
        double big[497];
        clrs_interpolate_params q = ip_size(CLRS_INTERP_NEAREST_EXACT, 1, 497, 0, 0);
        ck_assert_int_eq(run_interp(3, inr, x, &q, big, os, CLRS_F32, REF_NEAREST_GENERIC), 0);
        ck_assert(big[248] == 0.0 && big[249] == 1.0 && big[247] == 0.0);
        ck_assert_int_eq(run_interp(3, inr, x, &q, big, os, CLRS_F32, REF_NEAREST_GENERIC | REF_NEAREST_FMA), 0);
        ck_assert(big[248] == 1.0);
        ck_assert_int_eq(run_interp(3, inr, x, &q, big, os, CLRS_F32, REF_NEAREST_IDX), 0);
        ck_assert(big[248] == 0.0);
    }

    /* nearest is a bit copy: -0.0, NaN and inf survive */
    {
        const int64_t inr[3] = {1, 1, 2};
        const double v[2] = {-0.0, NAN};
        clrs_interpolate_params q = ip_size(CLRS_INTERP_NEAREST, 1, 4, 0, 0);
        ck_assert_int_eq(run_interp(3, inr, v, &q, y, os, CLRS_F16, REF_NEAREST_IDX), 0);
        ck_assert(y[0] == 0.0 && signbit(y[1]) && isnan(y[2]) && isnan(y[3]));
    }
}
END_TEST

/* ------------------------------------------------------------------------ */
/* interpolate: linear family, cubic, antialias, lanczos, area              */

START_TEST(tc_linear)
{
    double x[64], y[64];
    int64_t os[5];
    iota(x, 64);
    const int64_t in22[4] = {1, 1, 2, 2};

    /* F.interpolate(a(1,1,2,2), size=(3,3), mode='bilinear') */
    clrs_interpolate_params p = ip_size(CLRS_INTERP_BILINEAR, 1, 3, 0, 0);
    ck_assert_int_eq(run_interp(4, in22, x, &p, y, os, CLRS_F64, 0), 0);
    expect_vals(y, (const double[]){0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3}, 9, TOL);
    /* same with align_corners=True */
    p.align_corners = 1;
    ck_assert_int_eq(run_interp(4, in22, x, &p, y, os, CLRS_F64, 0), 0);
    expect_vals(y, (const double[]){0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3}, 9, TOL);

    /* out == in ignores the given scale: F.interpolate(a(1,1,3), scale_factor=1.3, mode='linear') */
    const int64_t in3[3] = {1, 1, 3};
    p = ip_scale(CLRS_INTERP_LINEAR, 1, 1.3, 0, 0);
    ck_assert_int_eq(run_interp(3, in3, x, &p, y, os, CLRS_F64, 0), 0);
    expect_vals(y, (const double[]){0, 1, 2}, 3, TOL);
    /* the given scale is used for coordinates (src = (dst+0.5)/1.7 - 0.5):
     * F.interpolate(a(1,1,3), scale_factor=1.7, mode='linear') */
    p.scale[0] = 1.7;
    ck_assert_int_eq(run_interp(3, in3, x, &p, y, os, CLRS_F64, 0), 0);
    ck_assert_int_eq(os[2], 5);
    expect_vals(y, (const double[]){0, 0.3823529411764706, 0.9705882352941178, 1.5588235294117647, 2}, 5, TOL);

    /* F.interpolate(a(1,1,2,1,2), size=(3,1,3), mode='trilinear', align_corners=True) */
    const int64_t in5[5] = {1, 1, 2, 1, 2};
    p = ip_size(CLRS_INTERP_TRILINEAR, 3, 3, 1, 3);
    p.align_corners = 1;
    ck_assert_int_eq(run_interp(5, in5, x, &p, y, os, CLRS_F64, 0), 0);
    expect_vals(y, (const double[]){0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3}, 9, TOL);

    /* extension: LINEAR on a 5-D tensor is the same as TRILINEAR */
    p.mode = CLRS_INTERP_LINEAR;
    ck_assert_int_eq(run_interp(5, in5, x, &p, y, os, CLRS_F64, 0), 0);
    expect_vals(y, (const double[]){0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3}, 9, TOL);
}
END_TEST

START_TEST(tc_cubic_aa_lanczos_area)
{
    double x[64], y[64];
    int64_t os[5];
    iota(x, 64);

    /* F.interpolate(a(1,1,1,4), size=(1,6), mode='bicubic') — A=-0.75, clamped taps */
    const int64_t in14[4] = {1, 1, 1, 4};
    clrs_interpolate_params p = ip_size(CLRS_INTERP_BICUBIC, 2, 1, 6, 0);
    const double bic[6] = {-0.08680555555555536, 0.40625, 1.2129629629629641,
                           1.7870370370370376, 2.59375, 3.0868055555555562};
    ck_assert_int_eq(run_interp(4, in14, x, &p, y, os, CLRS_F64, 0), 0);
    expect_vals(y, bic, 6, TOL);
    /* extension: the same on a 1-D tensor */
    const int64_t in4[3] = {1, 1, 4};
    p = ip_size(CLRS_INTERP_BICUBIC, 1, 6, 0, 0);
    ck_assert_int_eq(run_interp(3, in4, x, &p, y, os, CLRS_F64, 0), 0);
    expect_vals(y, bic, 6, TOL);

    /* F.interpolate(a(1,1,1,6), size=(1,4), mode='bicubic', antialias=True) — A=-0.5, support*scale */
    const int64_t in16[4] = {1, 1, 1, 6};
    p = ip_size(CLRS_INTERP_BICUBIC, 2, 1, 4, 0);
    p.antialias = 1;
    ck_assert_int_eq(run_interp(4, in16, x, &p, y, os, CLRS_F64, 0), 0);
    expect_vals(y, (const double[]){0.2880258899676382, 1.7090352220520675, 3.2909647779479325, 4.711974110032362}, 4, TOL);

    /* F.interpolate(a(1,1,1,6), size=(1,3), mode='bilinear', antialias=True) */
    p = ip_size(CLRS_INTERP_BILINEAR, 2, 1, 3, 0);
    p.antialias = 1;
    ck_assert_int_eq(run_interp(4, in16, x, &p, y, os, CLRS_F64, 0), 0);
    expect_vals(y, (const double[]){0.7142857142857142, 2.5, 4.285714285714286}, 3, TOL);
    /* torch 2.15 gets this wrong when the output width is 1 (every row uses the
     * weights of row 0); the reference does not copy that bug:
     * F.interpolate(a(1,1,6,1), size=(3,1), mode='bilinear', antialias=True) -> [0.714..]*3 */
    {
        const int64_t in61[4] = {1, 1, 6, 1};
        p = ip_size(CLRS_INTERP_BILINEAR, 2, 3, 1, 0);
        p.antialias = 1;
        ck_assert_int_eq(run_interp(4, in61, x, &p, y, os, CLRS_F64, 0), 0);
        expect_vals(y, (const double[]){0.7142857142857142, 2.5, 4.285714285714286}, 3, TOL);
    }

    /* F.interpolate(a(1,1,1,8), size=(1,3), mode='lanczos', antialias=True) */
    const int64_t in18[4] = {1, 1, 1, 8};
    p = ip_size(CLRS_INTERP_LANCZOS, 2, 1, 3, 0);
    p.antialias = 1;
    ck_assert_int_eq(run_interp(4, in18, x, &p, y, os, CLRS_F64, 0), 0);
    expect_vals(y, (const double[]){0.8111426507713778, 3.5, 6.188857349228622}, 3, TOL);

    /* area = adaptive_avg_pool: F.interpolate(a(1,1,5), size=3, mode='area') -> [0.5, 2, 3.5] */
    const int64_t in5[3] = {1, 1, 5};
    p = ip_size(CLRS_INTERP_AREA, 1, 3, 0, 0);
    ck_assert_int_eq(run_interp(3, in5, x, &p, y, os, CLRS_F32, 0), 0);
    expect_vals(y, (const double[]){0.5, 2.0, 3.5}, 3, TOL);
    /* area with a scale always recomputes: F.interpolate(a(1,1,5), scale_factor=0.6, mode='area') */
    p = ip_scale(CLRS_INTERP_AREA, 1, 0.6, 0, 0);
    ck_assert_int_eq(run_interp(3, in5, x, &p, y, os, CLRS_F32, 0), 0);
    ck_assert_int_eq(os[2], 3);
    expect_vals(y, (const double[]){0.5, 2.0, 3.5}, 3, TOL);
}
END_TEST

START_TEST(tc_uint8)
{
    /* u = torch.tensor([[[[0,50,255,100,7,200]]]], dtype=torch.uint8) */
    const double u[6] = {0, 50, 255, 100, 7, 200};
    const int64_t in16[4] = {1, 1, 1, 6};
    double y[16];
    int64_t os[5];

    /* F.interpolate(u, size=(1,4), mode='bilinear') -> [13, 204, 77, 152] */
    clrs_interpolate_params p = ip_size(CLRS_INTERP_BILINEAR, 2, 1, 4, 0);
    ck_assert_int_eq(run_interp(4, in16, u, &p, y, os, CLRS_U8, 0), 0);
    expect_vals(y, (const double[]){13, 204, 77, 152}, 4, 0);
    /* F.interpolate(u, size=(1,4), mode='bilinear', antialias=True) -> [19, 169, 86, 128] */
    p.antialias = 1;
    ck_assert_int_eq(run_interp(4, in16, u, &p, y, os, CLRS_U8, 0), 0);
    expect_vals(y, (const double[]){19, 169, 86, 128}, 4, 0);
    /* F.interpolate(u, size=(1,9), mode='bicubic') -> [0, 6, 86, 240, 205, 70, 1, 95, 217]
     * (the float result starts at -4.34: saturated) */
    p = ip_size(CLRS_INTERP_BICUBIC, 2, 1, 9, 0);
    ck_assert_int_eq(run_interp(4, in16, u, &p, y, os, CLRS_U8, 0), 0);
    expect_vals(y, (const double[]){0, 6, 86, 240, 205, 70, 1, 95, 217}, 9, 0);
    /* F.interpolate(u, size=(1,4), mode='lanczos', antialias=True) -> [0, 194, 76, 121] */
    p = ip_size(CLRS_INTERP_LANCZOS, 2, 1, 4, 0);
    p.antialias = 1;
    ck_assert_int_eq(run_interp(4, in16, u, &p, y, os, CLRS_U8, 0), 0);
    expect_vals(y, (const double[]){0, 194, 76, 121}, 4, 0);
    /* nearest on uint8 is a gather */
    p = ip_size(CLRS_INTERP_NEAREST, 2, 1, 3, 0);
    ck_assert_int_eq(run_interp(4, in16, u, &p, y, os, CLRS_U8, 0), 0);
    expect_vals(y, (const double[]){0, 255, 7}, 3, 0);
    /* I64 only supports nearest */
    p = ip_size(CLRS_INTERP_BILINEAR, 2, 1, 3, 0);
    ck_assert_int_eq(run_interp(4, in16, u, &p, y, os, CLRS_I64, 0), CLRS_ERR_BAD_DTYPE);
}
END_TEST

START_TEST(tc_interp_errors)
{
    const int64_t in4[4] = {1, 2, 5, 5}, in3[3] = {1, 2, 5};
    int64_t os[5];
    clrs_interpolate_params p;

    /* both size and scale_factor: ValueError */
    p = ip_size(CLRS_INTERP_NEAREST, 1, 3, 0, 0);
    p.n_scale = 1;
    p.scale[0] = 2.0;
    ck_assert_int_eq(ref_interpolate_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    /* neither */
    p = ip_size(CLRS_INTERP_NEAREST, 0, 0, 0, 0);
    ck_assert_int_eq(ref_interpolate_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    /* list length != spatial rank (1 broadcasts) */
    p = ip_size(CLRS_INTERP_NEAREST, 3, 3, 3, 3);
    ck_assert_int_eq(ref_interpolate_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    /* align_corners with nearest / area */
    p = ip_size(CLRS_INTERP_NEAREST, 1, 3, 0, 0);
    p.align_corners = 0;
    ck_assert_int_eq(ref_interpolate_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    p.mode = CLRS_INTERP_AREA;
    ck_assert_int_eq(ref_interpolate_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    /* antialias with nearest */
    p = ip_size(CLRS_INTERP_NEAREST_EXACT, 1, 3, 0, 0);
    p.antialias = 1;
    ck_assert_int_eq(ref_interpolate_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    /* lanczos needs antialias, and no align_corners */
    p = ip_size(CLRS_INTERP_LANCZOS, 1, 3, 0, 0);
    ck_assert_int_eq(ref_interpolate_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    p.antialias = 1;
    ck_assert_int_eq(ref_interpolate_shape(4, in4, &p, os), CLRS_OK);
    p.align_corners = 1;
    ck_assert_int_eq(ref_interpolate_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    /* recompute_scale_factor=True with a size */
    p = ip_size(CLRS_INTERP_BILINEAR, 1, 3, 0, 0);
    p.recompute_scale_factor = 1;
    ck_assert_int_eq(ref_interpolate_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    /* bilinear on 3-D input: NotImplementedError */
    p = ip_size(CLRS_INTERP_BILINEAR, 1, 3, 0, 0);
    ck_assert_int_eq(ref_interpolate_shape(3, in3, &p, os), CLRS_ERR_BAD_PARAM);
    p.mode = CLRS_INTERP_TRILINEAR;
    ck_assert_int_eq(ref_interpolate_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    /* output size 0, or a scale that floors to 0 */
    p = ip_size(CLRS_INTERP_NEAREST, 1, 0, 0, 0);
    ck_assert_int_eq(ref_interpolate_shape(4, in4, &p, os), CLRS_ERR_BAD_SHAPE);
    p = ip_scale(CLRS_INTERP_BILINEAR, 1, 0.1, 0, 0);
    ck_assert_int_eq(ref_interpolate_shape(4, in4, &p, os), CLRS_ERR_BAD_SHAPE);
    p = ip_scale(CLRS_INTERP_BILINEAR, 1, -2.0, 0, 0);
    ck_assert_int_eq(ref_interpolate_shape(4, in4, &p, os), CLRS_ERR_BAD_SHAPE);
    p = ip_scale(CLRS_INTERP_BILINEAR, 1, NAN, 0, 0);
    ck_assert_int_eq(ref_interpolate_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    /* ... but area (adaptive_avg_pool) accepts an empty output:
     * F.interpolate(torch.rand(1,2,5,5), scale_factor=0.1, mode='area').shape == (1,2,0,0) */
    p = ip_scale(CLRS_INTERP_AREA, 1, 0.1, 0, 0);
    ck_assert_int_eq(ref_interpolate_shape(4, in4, &p, os), CLRS_OK);
    ck_assert_int_eq(os[2], 0);
    /* C == 0: "Non-empty 4D data tensor expected"; N == 0 is fine */
    {
        const int64_t c0[4] = {1, 0, 5, 5}, n0[4] = {0, 2, 5, 5};
        p = ip_size(CLRS_INTERP_BILINEAR, 1, 3, 0, 0);
        ck_assert_int_eq(ref_interpolate_shape(4, c0, &p, os), CLRS_ERR_BAD_SHAPE);
        ck_assert_int_eq(ref_interpolate_shape(4, n0, &p, os), CLRS_OK);
        ck_assert(os[0] == 0 && os[1] == 2 && os[2] == 3 && os[3] == 3);
    }
    /* rank and out_sizes mismatch */
    p = ip_size(CLRS_INTERP_NEAREST, 1, 3, 0, 0);
    ck_assert_int_eq(ref_interpolate_shape(2, in4, &p, os), CLRS_ERR_BAD_SHAPE);
    {
        double x[50], y[50];
        const int64_t bad_out[4] = {1, 2, 3, 4};
        iota(x, 50);
        ck_assert_int_eq(ref_interpolate(4, in4, x, &p, bad_out, y, CLRS_F32), CLRS_ERR_BAD_SHAPE);
    }
}
END_TEST

/* ------------------------------------------------------------------------ */
/* pooling                                                                  */

static int run_pool(int rank, const int64_t *in_sizes, const double *in, const clrs_pool_params *p,
                    double *out, int64_t *idx, int64_t *os, clrs_dtype dt)
{
    int rc = ref_pool_shape(rank, in_sizes, p, os);
    if (rc) return rc;
    return ref_pool(rank, in_sizes, in, p, os, out, idx, dt);
}

START_TEST(tc_max_pool)
{
    double y[32], x[64];
    int64_t ix[32], os[5];
    iota(x, 64);

    /* F.max_pool1d(torch.tensor([[[1.,3,2,nan,0,5]]]), 2, 2, return_indices=True) -> [3,nan,5] / [1,3,5] */
    {
        const int64_t in[3] = {1, 1, 6};
        const double v[6] = {1, 3, 2, NAN, 0, 5};
        clrs_pool_params p = pp_init(CLRS_POOL_MAX);
        p.n_kernel = 1;
        p.kernel[0] = 2;
        ck_assert_int_eq(run_pool(3, in, v, &p, y, ix, os, CLRS_F32), 0);
        expect_vals(y, (const double[]){3, NAN, 5}, 3, 0);
        expect_idx(ix, (const int64_t[]){1, 3, 5}, 3);
    }
    /* ties keep the first: F.max_pool1d(torch.tensor([[[2.,2,1]]]), 2, 1, return_indices=True) -> idx [0,1] */
    {
        const int64_t in[3] = {1, 1, 3};
        const double v[3] = {2, 2, 1};
        clrs_pool_params p = pp_init(CLRS_POOL_MAX);
        p.n_kernel = 1;
        p.kernel[0] = 2;
        p.n_stride = 1;
        p.stride[0] = 1;
        ck_assert_int_eq(run_pool(3, in, v, &p, y, ix, os, CLRS_F32), 0);
        expect_idx(ix, (const int64_t[]){0, 1}, 2);
        /* -inf padding: F.max_pool1d(torch.tensor([[[1.,2,3]]]), 3, 1, 1, return_indices=True) -> [2,3,3] / [1,2,2] */
        const double w[3] = {1, 2, 3};
        p.kernel[0] = 3;
        p.n_padding = 1;
        p.padding[0] = 1;
        ck_assert_int_eq(run_pool(3, in, w, &p, y, ix, os, CLRS_F32), 0);
        expect_vals(y, (const double[]){2, 3, 3}, 3, 0);
        expect_idx(ix, (const int64_t[]){1, 2, 2}, 3);
    }
    /* ceil_mode: F.max_pool1d(a(1,1,5), 2, 2, 0, ceil_mode=True, return_indices=True) -> [1,3,4] / [1,3,4]
     * and the last window must start inside input or left padding:
     * F.max_pool1d(a(1,1,5), 2, 2, 1, ceil_mode=True, return_indices=True) -> [0,2,4] / [0,2,4] (3 outputs, not 4) */
    {
        const int64_t in[3] = {1, 1, 5};
        clrs_pool_params p = pp_init(CLRS_POOL_MAX);
        p.n_kernel = 1;
        p.kernel[0] = 2;
        p.ceil_mode = 1;
        ck_assert_int_eq(run_pool(3, in, x, &p, y, ix, os, CLRS_F64), 0);
        ck_assert_int_eq(os[2], 3);
        expect_vals(y, (const double[]){1, 3, 4}, 3, 0);
        expect_idx(ix, (const int64_t[]){1, 3, 4}, 3);
        p.n_padding = 1;
        p.padding[0] = 1;
        ck_assert_int_eq(run_pool(3, in, x, &p, y, ix, os, CLRS_F64), 0);
        ck_assert_int_eq(os[2], 3);
        expect_vals(y, (const double[]){0, 2, 4}, 3, 0);
        expect_idx(ix, (const int64_t[]){0, 2, 4}, 3);
    }
    /* dilation: F.max_pool2d(a(1,1,4,4), 2, 1, 0, 2, return_indices=True) -> [[10,11],[14,15]] */
    {
        const int64_t in[4] = {1, 1, 4, 4};
        clrs_pool_params p = pp_init(CLRS_POOL_MAX);
        p.n_kernel = 1;
        p.kernel[0] = 2;
        p.n_stride = 1;
        p.stride[0] = 1;
        p.n_dilation = 1;
        p.dilation[0] = 2;
        ck_assert_int_eq(run_pool(4, in, x, &p, y, ix, os, CLRS_F32), 0);
        expect_vals(y, (const double[]){10, 11, 14, 15}, 4, 0);
        expect_idx(ix, (const int64_t[]){10, 11, 14, 15}, 4);
    }
    /* 3-D flat index (d*H + h)*W + w: F.max_pool3d(a(1,1,2,2,2), 2, return_indices=True) -> 7 / 7 */
    {
        const int64_t in[5] = {1, 1, 2, 2, 2};
        clrs_pool_params p = pp_init(CLRS_POOL_MAX);
        p.n_kernel = 1;
        p.kernel[0] = 2;
        ck_assert_int_eq(run_pool(5, in, x, &p, y, ix, os, CLRS_BF16), 0);
        ck_assert(y[0] == 7.0 && ix[0] == 7);
    }
}
END_TEST

START_TEST(tc_avg_lp_pool)
{
    double y[32], x[64];
    int64_t os[5];
    iota(x, 64);
    for (int i = 0; i < 64; ++i) x[i] += 1.0; /* 1, 2, 3, ... */
    const int64_t in5[3] = {1, 1, 5};

    /* F.avg_pool1d(a(1,1,5)+1, 2, 2, 1, ceil_mode=True, count_include_pad=True) -> [0.5, 2.5, 4.5] */
    clrs_pool_params p = pp_init(CLRS_POOL_AVG);
    p.n_kernel = 1;
    p.kernel[0] = 2;
    p.n_padding = 1;
    p.padding[0] = 1;
    p.ceil_mode = 1;
    ck_assert_int_eq(run_pool(3, in5, x, &p, y, NULL, os, CLRS_F32), 0);
    expect_vals(y, (const double[]){0.5, 2.5, 4.5}, 3, TOL);
    /* count_include_pad=False -> [1.0, 2.5, 4.5] */
    p.count_include_pad = 0;
    ck_assert_int_eq(run_pool(3, in5, x, &p, y, NULL, os, CLRS_F32), 0);
    expect_vals(y, (const double[]){1.0, 2.5, 4.5}, 3, TOL);
    /* ceil overhang is never counted: F.avg_pool1d(a(1,1,5)+1, 2, 2, 0, ceil_mode=True) -> [1.5, 3.5, 5.0] */
    p = pp_init(CLRS_POOL_AVG);
    p.n_kernel = 1;
    p.kernel[0] = 2;
    p.ceil_mode = 1;
    ck_assert_int_eq(run_pool(3, in5, x, &p, y, NULL, os, CLRS_F32), 0);
    expect_vals(y, (const double[]){1.5, 3.5, 5.0}, 3, TOL);
    /* padding counted, overhang not: F.avg_pool1d(a(1,1,6)+1, 3, 2, 1, ceil_mode=True) -> [1, 3, 5, 3] */
    {
        const int64_t in6[3] = {1, 1, 6};
        p = pp_init(CLRS_POOL_AVG);
        p.n_kernel = 1;
        p.kernel[0] = 3;
        p.n_stride = 1;
        p.stride[0] = 2;
        p.n_padding = 1;
        p.padding[0] = 1;
        p.ceil_mode = 1;
        ck_assert_int_eq(run_pool(3, in6, x, &p, y, NULL, os, CLRS_F64), 0);
        expect_vals(y, (const double[]){1, 3, 5, 3}, 4, TOL);
    }
    /* F.avg_pool2d(a(1,1,2,2)+1, 2, divisor_override=3) -> 10/3 */
    {
        const int64_t in22[4] = {1, 1, 2, 2};
        p = pp_init(CLRS_POOL_AVG);
        p.n_kernel = 1;
        p.kernel[0] = 2;
        p.divisor_override = 3;
        ck_assert_int_eq(run_pool(4, in22, x, &p, y, NULL, os, CLRS_F64), 0);
        expect_vals(y, (const double[]){10.0 / 3.0}, 1, TOL);
        /* integer dtypes: truncated (F.avg_pool2d(torch.tensor([[[[1,2],[3,5]]]]), 2) -> 2) */
        const double iv[4] = {1, 2, 3, 5};
        p.divisor_override = 0;
        ck_assert_int_eq(run_pool(4, in22, iv, &p, y, NULL, os, CLRS_I64), 0);
        ck_assert(y[0] == 2.0);
    }

    /* LP */
    {
        const int64_t in4[3] = {1, 1, 4};
        const double v[4] = {3, 4, -6, 8};
        p = pp_init(CLRS_POOL_LP);
        p.n_kernel = 1;
        p.kernel[0] = 2;
        /* F.lp_pool1d(torch.tensor([[[3.,4,-6,8]]]), 2, 2) -> [5, 10] */
        p.norm_type = 2.0;
        ck_assert_int_eq(run_pool(3, in4, v, &p, y, NULL, os, CLRS_F32), 0);
        expect_vals(y, (const double[]){5, 10}, 2, 1e-6);
        /* p = inf: max |x|; F.lp_pool1d(torch.tensor([[[3.,-4,-6,8]]]), float('inf'), 2) -> [4, 8] */
        const double w[4] = {3, -4, -6, 8};
        p.norm_type = INFINITY;
        ck_assert_int_eq(run_pool(3, in4, w, &p, y, NULL, os, CLRS_F32), 0);
        expect_vals(y, (const double[]){4, 8}, 2, 0);
        /* p = -inf: -max(-|x|) = min |x| -> [3, 6] */
        p.norm_type = -INFINITY;
        ck_assert_int_eq(run_pool(3, in4, w, &p, y, NULL, os, CLRS_F32), 0);
        expect_vals(y, (const double[]){3, 6}, 2, 0);
        /* no abs(): F.lp_pool1d(torch.tensor([[[-1.,4]]]), 1.5, 2) -> nan */
        const int64_t in2[3] = {1, 1, 2};
        const double z[2] = {-1, 4};
        p.norm_type = 1.5;
        ck_assert_int_eq(run_pool(3, in2, z, &p, y, NULL, os, CLRS_F32), 0);
        ck_assert(isnan(y[0]));
        /* ceil_mode edge window is averaged over the clipped count then scaled by k:
         * F.lp_pool1d(torch.tensor([[[3.,4,5]]]), 2, 2, ceil_mode=True) -> [5, sqrt(50)] */
        const int64_t in3[3] = {1, 1, 3};
        const double t[3] = {3, 4, 5};
        p.norm_type = 2.0;
        p.ceil_mode = 1;
        ck_assert_int_eq(run_pool(3, in3, t, &p, y, NULL, os, CLRS_F64), 0);
        expect_vals(y, (const double[]){5, 7.0710678118654755}, 2, TOL);
    }
}
END_TEST

START_TEST(tc_adaptive_fractional)
{
    double y[64], x[400];
    int64_t ix[64], os[5];
    iota(x, 400);
    const int64_t in5[3] = {1, 1, 5};

    /* F.adaptive_avg_pool1d(a(1,1,5), 3) -> [0.5, 2, 3.5] (windows [0,2) [1,4) [3,5)) */
    clrs_pool_params p = pp_init(CLRS_POOL_ADAPTIVE_AVG);
    p.n_output_size = 1;
    p.output_size[0] = 3;
    ck_assert_int_eq(run_pool(3, in5, x, &p, y, NULL, os, CLRS_F32), 0);
    expect_vals(y, (const double[]){0.5, 2, 3.5}, 3, TOL);
    /* F.adaptive_max_pool1d(torch.tensor([[[1.,5,2,2,0]]]), 3, return_indices=True) -> [5,5,2] / [1,1,3] */
    {
        const double v[5] = {1, 5, 2, 2, 0};
        p.kind = CLRS_POOL_ADAPTIVE_MAX;
        ck_assert_int_eq(run_pool(3, in5, v, &p, y, ix, os, CLRS_F32), 0);
        expect_vals(y, (const double[]){5, 5, 2}, 3, 0);
        expect_idx(ix, (const int64_t[]){1, 1, 3}, 3);
    }
    /* CLRS_UNSET keeps the input size; larger outputs are fine */
    {
        const int64_t in23[4] = {1, 1, 2, 3};
        p = pp_init(CLRS_POOL_ADAPTIVE_MAX);
        p.n_output_size = 2;
        p.output_size[0] = CLRS_UNSET;
        p.output_size[1] = 7;
        ck_assert_int_eq(ref_pool_shape(4, in23, &p, os), 0);
        ck_assert(os[2] == 2 && os[3] == 7);
    }

    /* F.fractional_max_pool2d(a(1,1,7,7), 2, output_size=3, return_indices=True,
     *   _random_samples=torch.tensor([[[0.7, 0.1]]], dtype=torch.float64))
     * -> indices [[8,11,13],[22,25,27],[43,46,48]]: sample 0 drives W (starts 0,3,5),
     *    sample 1 drives H (starts 0,2,5) */
    {
        const int64_t in77[4] = {1, 1, 7, 7};
        const double s[2] = {0.7, 0.1};
        p = pp_init(CLRS_POOL_FRACTIONAL_MAX);
        p.n_kernel = 1;
        p.kernel[0] = 2;
        p.n_output_size = 1;
        p.output_size[0] = 3;
        p.samples = s;
        p.samples_dtype = CLRS_F64;
        ck_assert_int_eq(run_pool(4, in77, x, &p, y, ix, os, CLRS_F64), 0);
        expect_idx(ix, (const int64_t[]){8, 11, 13, 22, 25, 27, 43, 46, 48}, 9);
        expect_vals(y, (const double[]){8, 11, 13, 22, 25, 27, 43, 46, 48}, 9, 0);
    }
    /* 3-D: samples 0,1,2 drive D,H,W:
     * F.fractional_max_pool3d(a(1,1,7,7,7), 2, output_size=(3,2,2), return_indices=True,
     *   _random_samples=torch.tensor([[[0.7,0.1,0.4]]], dtype=torch.float64))[1].flatten() */
    {
        const int64_t in777[5] = {1, 1, 7, 7, 7};
        const float s[3] = {0.7f, 0.1f, 0.4f};
        p = pp_init(CLRS_POOL_FRACTIONAL_MAX);
        p.n_kernel = 1;
        p.kernel[0] = 2;
        p.n_output_size = 3;
        p.output_size[0] = 3;
        p.output_size[1] = 2;
        p.output_size[2] = 2;
        p.samples = s;
        p.samples_dtype = CLRS_F32;
        ck_assert_int_eq(run_pool(5, in777, x, &p, y, ix, os, CLRS_F64), 0);
        expect_idx(ix, (const int64_t[]){57, 62, 92, 97, 204, 209, 239, 244, 302, 307, 337, 342}, 12);
    }
    /* output_ratio: out = (int64)(in * ratio) */
    {
        const int64_t in77[4] = {1, 1, 7, 7};
        p = pp_init(CLRS_POOL_FRACTIONAL_MAX);
        p.n_kernel = 1;
        p.kernel[0] = 2;
        p.n_output_ratio = 1;
        p.output_ratio[0] = 0.5;
        ck_assert_int_eq(ref_pool_shape(4, in77, &p, os), 0);
        ck_assert(os[2] == 3 && os[3] == 3);
    }
}
END_TEST

START_TEST(tc_pool_errors)
{
    const int64_t in4[4] = {1, 2, 5, 5}, in5[5] = {1, 2, 2, 5, 5};
    int64_t os[5];
    clrs_pool_params p = pp_init(CLRS_POOL_MAX);

    /* kernel is required */
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    p.n_kernel = 1;
    p.kernel[0] = 2;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_OK);
    /* stride 0: "stride should not be zero" */
    p.n_stride = 1;
    p.stride[0] = 0;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    p.n_stride = 0;
    /* padding > kernel/2 (raw kernel even with dilation):
     * F.max_pool2d(torch.rand(1,2,5,5), 2, 1, padding=2, dilation=3) -> RuntimeError */
    p.n_padding = 1;
    p.padding[0] = 2;
    p.n_dilation = 1;
    p.dilation[0] = 3;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    p.padding[0] = -1;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    p.n_padding = 0;
    p.dilation[0] = 0;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    p.n_dilation = 0;
    /* output too small: F.max_pool2d(torch.rand(1,2,5,5), 6) */
    p.kernel[0] = 6;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_ERR_BAD_SHAPE);
    /* wrong list length */
    p.n_kernel = 3;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    /* C == 0 is rejected, N == 0 is fine */
    {
        const int64_t c0[4] = {1, 0, 5, 5}, n0[4] = {0, 2, 5, 5};
        p.n_kernel = 1;
        p.kernel[0] = 2;
        ck_assert_int_eq(ref_pool_shape(4, c0, &p, os), CLRS_ERR_BAD_SHAPE);
        ck_assert_int_eq(ref_pool_shape(4, n0, &p, os), CLRS_OK);
    }
    /* avg_pool3d needs input >= kernel: F.avg_pool3d(torch.rand(1,2,2,5,5), 3, 1, padding=1) -> error */
    p = pp_init(CLRS_POOL_AVG);
    p.n_kernel = 1;
    p.kernel[0] = 3;
    p.n_stride = 1;
    p.stride[0] = 1;
    p.n_padding = 1;
    p.padding[0] = 1;
    ck_assert_int_eq(ref_pool_shape(5, in5, &p, os), CLRS_ERR_BAD_SHAPE);
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_OK); /* 2-D has no such check */
    /* avg has no dilation */
    p.n_dilation = 1;
    p.dilation[0] = 2;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    /* LP: p == 0 is a ValueError; no padding argument */
    p = pp_init(CLRS_POOL_LP);
    p.n_kernel = 1;
    p.kernel[0] = 2;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    p.norm_type = 2.0;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_OK);
    p.n_padding = 1;
    p.padding[0] = 1;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    /* adaptive: negative size is an error, 0 gives an empty output */
    p = pp_init(CLRS_POOL_ADAPTIVE_MAX);
    p.n_output_size = 1;
    p.output_size[0] = -2;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    p.output_size[0] = 0;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_OK);
    /* fractional: ratio must be in (0,1); exactly one of size / ratio; pool vs input */
    p = pp_init(CLRS_POOL_FRACTIONAL_MAX);
    p.n_kernel = 1;
    p.kernel[0] = 2;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    p.n_output_ratio = 1;
    p.output_ratio[0] = 1.0;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    p.output_ratio[0] = 0.5;
    p.n_output_size = 1;
    p.output_size[0] = 2;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_ERR_BAD_PARAM);
    p.n_output_ratio = 0;
    p.output_size[0] = 4; /* 4 + 2 - 1 <= 5: ok in 2-D */
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_OK);
    p.output_size[0] = 5;
    ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_ERR_BAD_SHAPE);
    /* 3-D is strict: F.fractional_max_pool3d(torch.rand(1,2,4,4,4), 2, output_size=3) -> error */
    {
        const int64_t in444[5] = {1, 2, 4, 4, 4};
        p.output_size[0] = 3;
        ck_assert_int_eq(ref_pool_shape(5, in444, &p, os), CLRS_ERR_BAD_SHAPE);
        p.output_size[0] = 2;
        ck_assert_int_eq(ref_pool_shape(5, in444, &p, os), CLRS_OK);
    }
    /* fractional is 2-D/3-D only */
    {
        const int64_t in3[3] = {1, 2, 5};
        ck_assert_int_ne(ref_pool_shape(3, in3, &p, os), CLRS_OK);
    }
    /* LP on integer dtypes is rejected */
    {
        double x[50], y[50];
        iota(x, 50);
        p = pp_init(CLRS_POOL_LP);
        p.n_kernel = 1;
        p.kernel[0] = 2;
        p.norm_type = 2.0;
        ck_assert_int_eq(ref_pool_shape(4, in4, &p, os), CLRS_OK);
        ck_assert_int_eq(ref_pool(4, in4, x, &p, os, y, NULL, CLRS_U8), CLRS_ERR_BAD_DTYPE);
    }
}
END_TEST

/* ------------------------------------------------------------------------ */
/* max_unpool, pixel shuffle                                                */

START_TEST(tc_unpool)
{
    double y[64];
    int64_t os[5];
    /* duplicates: the last write in input order wins
     * F.max_unpool2d(torch.tensor([[[[10.,20],[30,40]]]]), torch.tensor([[[[0,5],[5,15]]]]), 2) */
    {
        const int64_t in[4] = {1, 1, 2, 2};
        const double v[4] = {10, 20, 30, 40};
        const int64_t ind[4] = {0, 5, 5, 15};
        clrs_unpool_params p = up_init();
        p.n_kernel = 1;
        p.kernel[0] = 2;
        ck_assert_int_eq(ref_max_unpool_shape(4, in, &p, os), 0);
        ck_assert(os[2] == 4 && os[3] == 4);
        ck_assert_int_eq(ref_max_unpool(4, in, v, ind, &p, os, y, CLRS_F32), 0);
        double e[16] = {0};
        e[0] = 10;
        e[5] = 30;
        e[15] = 40;
        expect_vals(y, e, 16, 0);
        /* out-of-range index: "Found an invalid max index" */
        const int64_t bad[4] = {0, 5, 16, 1};
        ck_assert_int_eq(ref_max_unpool(4, in, v, bad, &p, os, y, CLRS_F32), CLRS_ERR_INDEX_OUT_OF_RANGE);
        const int64_t neg[4] = {0, -1, 2, 1};
        ck_assert_int_eq(ref_max_unpool(4, in, v, neg, &p, os, y, CLRS_F32), CLRS_ERR_INDEX_OUT_OF_RANGE);
        /* output_size must lie in (default - stride, default + stride) */
        p.n_output_size = 2;
        p.output_size[0] = 5;
        p.output_size[1] = 5;
        ck_assert_int_eq(ref_max_unpool_shape(4, in, &p, os), 0);
        p.output_size[0] = 6;
        ck_assert_int_eq(ref_max_unpool_shape(4, in, &p, os), CLRS_ERR_BAD_SHAPE);
    }
    /* 1-D with an explicit size:
     * F.max_unpool1d(torch.tensor([[[1.,2,3]]]), torch.tensor([[[1,1,4]]]), 2, output_size=[7])
     * -> [0,2,0,0,3,0,0] */
    {
        const int64_t in[3] = {1, 1, 3};
        const double v[3] = {1, 2, 3};
        const int64_t ind[3] = {1, 1, 4};
        clrs_unpool_params p = up_init();
        p.n_kernel = 1;
        p.kernel[0] = 2;
        p.n_output_size = 1;
        p.output_size[0] = 7;
        ck_assert_int_eq(ref_max_unpool_shape(3, in, &p, os), 0);
        ck_assert_int_eq(os[2], 7);
        ck_assert_int_eq(ref_max_unpool(3, in, v, ind, &p, os, y, CLRS_F64), 0);
        expect_vals(y, (const double[]){0, 2, 0, 0, 3, 0, 0}, 7, 0);
    }
    /* negative default size: F.max_unpool2d(x, ind, 2, padding=5) -> ValueError */
    {
        const int64_t in[4] = {1, 1, 2, 2};
        clrs_unpool_params p = up_init();
        p.n_kernel = 1;
        p.kernel[0] = 2;
        p.n_padding = 1;
        p.padding[0] = 5;
        ck_assert_int_eq(ref_max_unpool_shape(4, in, &p, os), CLRS_ERR_BAD_SHAPE);
    }
    /* max_unpool3d validates the stride */
    {
        const int64_t in[5] = {1, 1, 2, 2, 2};
        clrs_unpool_params p = up_init();
        p.n_kernel = 1;
        p.kernel[0] = 2;
        p.n_stride = 1;
        p.stride[0] = 0;
        ck_assert_int_eq(ref_max_unpool_shape(5, in, &p, os), CLRS_ERR_BAD_PARAM);
    }
}
END_TEST

START_TEST(tc_pixel_shuffle)
{
    double x[64], y[64];
    int64_t os[4];
    iota(x, 64);
    /* F.pixel_shuffle(a(1,4,1,2), 2).flatten() -> [0,2,1,3,4,6,5,7] */
    const int64_t in[4] = {1, 4, 1, 2};
    ck_assert_int_eq(ref_pixel_shuffle_shape(4, in, 2, 0, os), 0);
    ck_assert(os[0] == 1 && os[1] == 1 && os[2] == 2 && os[3] == 4);
    ck_assert_int_eq(ref_pixel_shuffle(4, in, x, 2, 0, os, y), 0);
    expect_vals(y, (const double[]){0, 2, 1, 3, 4, 6, 5, 7}, 8, 0);
    /* F.pixel_unshuffle(a(1,1,2,4), 2).flatten() -> [0,2,1,3,4,6,5,7] */
    const int64_t in2[4] = {1, 1, 2, 4};
    ck_assert_int_eq(ref_pixel_shuffle_shape(4, in2, 2, 1, os), 0);
    ck_assert(os[1] == 4 && os[2] == 1 && os[3] == 2);
    ck_assert_int_eq(ref_pixel_shuffle(4, in2, x, 2, 1, os, y), 0);
    expect_vals(y, (const double[]){0, 2, 1, 3, 4, 6, 5, 7}, 8, 0);
    /* round trip */
    {
        const int64_t big[4] = {2, 9, 2, 3};
        double z[108], w[108];
        int64_t os2[4];
        iota(x, 64);
        for (int i = 0; i < 108; ++i) z[i] = i;
        ck_assert_int_eq(ref_pixel_shuffle_shape(4, big, 3, 0, os), 0);
        ck_assert_int_eq(ref_pixel_shuffle(4, big, z, 3, 0, os, w), 0);
        ck_assert_int_eq(ref_pixel_shuffle_shape(4, os, 3, 1, os2), 0);
        double back[108];
        ck_assert_int_eq(ref_pixel_shuffle(4, os, w, 3, 1, os2, back), 0);
        expect_vals(back, z, 108, 0);
    }
    /* errors: r <= 0, C % r^2, H/W % r, rank != 4 */
    ck_assert_int_eq(ref_pixel_shuffle_shape(4, in, 0, 0, os), CLRS_ERR_BAD_PARAM);
    {
        const int64_t c3[4] = {1, 3, 2, 2};
        ck_assert_int_eq(ref_pixel_shuffle_shape(4, c3, 2, 0, os), CLRS_ERR_BAD_SHAPE);
        const int64_t w3[4] = {1, 1, 2, 3};
        ck_assert_int_eq(ref_pixel_shuffle_shape(4, w3, 2, 1, os), CLRS_ERR_BAD_SHAPE);
        ck_assert_int_eq(ref_pixel_shuffle_shape(3, c3, 1, 0, os), CLRS_ERR_BAD_SHAPE);
        /* F.pixel_shuffle(torch.rand(1,0,2,2), 2).shape == (1,0,4,4) */
        const int64_t c0[4] = {1, 0, 2, 2};
        ck_assert_int_eq(ref_pixel_shuffle_shape(4, c0, 2, 0, os), 0);
        ck_assert(os[1] == 0 && os[2] == 4);
    }
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *ref_suite(void)
{
    Suite *s = suite_create("ref_selfcheck");
    TCase *tc = tcase_create("ref");
    tcase_add_test(tc, tc_dtype_helpers);
    tcase_add_test(tc, tc_nearest);
    tcase_add_test(tc, tc_linear);
    tcase_add_test(tc, tc_cubic_aa_lanczos_area);
    tcase_add_test(tc, tc_uint8);
    tcase_add_test(tc, tc_interp_errors);
    tcase_add_test(tc, tc_max_pool);
    tcase_add_test(tc, tc_avg_lp_pool);
    tcase_add_test(tc, tc_adaptive_fractional);
    tcase_add_test(tc, tc_pool_errors);
    tcase_add_test(tc, tc_unpool);
    tcase_add_test(tc, tc_pixel_shuffle);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ref_suite());
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
