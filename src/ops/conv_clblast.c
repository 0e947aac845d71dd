/* SPDX-License-Identifier: MIT */
/* "conv/clblast": dense convolution (groups == 1) through CLBlast's GEMM.
 *
 * Per chunk of nb images (the im2col buffer capped by the tuning value
 * conv_gemm_col_mb):
 *   1. clrs_cg_wpack (once): the weight, any strides and storage type, as a
 *      contiguous (C_out, R) matrix in the compute type, R = C_in*kd*kh*kw;
 *   2. clrs_cg_im2col_rows: the input, any strides (NCHW, channels-last, views),
 *      any padding mode, asymmetric ('same') padding and ranks 3-5, as
 *      (nb, R, P) columns, P = od*oh*ow;
 *   3. CLBlast XgemmStridedBatched: (C_out, R) x (R, P) per image;
 *   4. clrs_cg_epilogue: + bias, into the output's strides and type,
 *      rounded once (skipped when the output is a contiguous f32/f64 tensor
 *      without bias: the GEMM writes it directly).
 * The compute type is f32 (f64 for f64): f16 and bf16 are widened by
 * im2col / wpack and rounded once by the epilogue, f32 accumulation as the
 * direct kernels have (CLBlast's Hgemm would accumulate in half). CLBlast's
 * convgemm is not used: on PoCL (1.5.3, untuned defaults) it ran the bench's
 * W21 shape 6x slower than im2col + XgemmStridedBatched, and it takes only
 * symmetric zero padding of contiguous NCHW input.
 * CLBlast takes no wait lists and enqueues several kernels per routine: the
 * steps are separated by barriers, so the entry works on out-of-order
 * queues too; the caller's event is a barrier's after the last step. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#ifdef HAVE_CONFIG_H
#include "config.h" /* HAVE_CLBLAST; the fuzz build (tests/fuzz/run.sh) has none */
#endif

#ifdef HAVE_CLBLAST
#define CL_TARGET_OPENCL_VERSION 120
#include <clblast_c.h>

#include "../dispatch.h"
#include "../launch.h"
#include "conv_clblast.h"
#include "geometry.h"
#include "pool_impl.h"

int clrs__conv_clblast_decline(const clrs_context *ctx, const clrs_conv_gemm *g, char *why, size_t len)
{
    if (!ctx->tune.v.conv_gemm) {
        snprintf(why, len, "tuning conv_gemm=0 on this device");
        return 1;
    }
    if (g->groups != 1) {
        snprintf(why, len, "groups=%lld (only groups == 1 is one GEMM)", (long long)g->groups);
        return 1;
    }
    for (int a = 0; a < 3; a++)
        if (g->in3[a] == 0) {
            snprintf(why, len, "an empty input (spatial axis %d of size 0)", a);
            return 1;
        }
    const int64_t R = g->cin * g->k3[0] * g->k3[1] * g->k3[2], P = g->o3[0] * g->o3[1] * g->o3[2];
    if (R < ctx->tune.v.conv_gemm_min_k) {
        snprintf(why, len, "C_in*k = %lld < conv_gemm_min_k %lld", (long long)R, (long long)ctx->tune.v.conv_gemm_min_k);
        return 1;
    }
    double macs = (double)g->N * (double)g->cout * (double)P * (double)R;
    if (macs < (double)ctx->tune.v.conv_gemm_min_macs) {
        snprintf(why, len, "%.3g multiply-adds < conv_gemm_min_macs %lld", macs,
                 (long long)ctx->tune.v.conv_gemm_min_macs);
        return 1;
    }
    const int64_t lim = INT32_MAX;
    if (R >= lim || P >= lim || g->cout >= lim || g->o3[0] * g->o3[1] >= lim) {
        snprintf(why, len, "a GEMM dimension at or above 2^31 (R %lld, P %lld)", (long long)R, (long long)P);
        return 1;
    }
    /* one image's columns must fit one buffer */
    if ((double)R * (double)P * 8.0 > (double)ctx->max_alloc) {
        snprintf(why, len, "one image's im2col (%lld x %lld) exceeds the device's largest buffer", (long long)R,
                 (long long)P);
        return 1;
    }
    return 0;
}

/* CLBlast's status as ours: OpenCL's codes as OpenCL errors, its own named. */
static clrs_status cb_fail(clrs_context *ctx, const char *entry, const char *routine, CLBlastStatusCode c)
{
    char what[96];
    snprintf(what, sizeof what, "%s: %s", entry, routine);
    if (c > -1000) return clrs__fail_cl(ctx, (cl_int)c, what);
    static const struct {
        int code;
        const char *name;
        clrs_status st;
    } names[] = {
        {CLBlastNotImplemented, "CLBlastNotImplemented", CLRS_ERR_UNSUPPORTED},
        {CLBlastInvalidDimension, "CLBlastInvalidDimension", CLRS_ERR_INTERNAL},
        {CLBlastInsufficientMemoryA, "CLBlastInsufficientMemoryA", CLRS_ERR_INTERNAL},
        {CLBlastInsufficientMemoryB, "CLBlastInsufficientMemoryB", CLRS_ERR_INTERNAL},
        {CLBlastInsufficientMemoryC, "CLBlastInsufficientMemoryC", CLRS_ERR_INTERNAL},
        {CLBlastInvalidBatchCount, "CLBlastInvalidBatchCount", CLRS_ERR_INTERNAL},
        {CLBlastInvalidLocalMemUsage, "CLBlastInvalidLocalMemUsage", CLRS_ERR_UNSUPPORTED},
        {CLBlastNoDoublePrecision, "CLBlastNoDoublePrecision", CLRS_ERR_UNSUPPORTED},
        {CLBlastDatabaseError, "CLBlastDatabaseError", CLRS_ERR_UNSUPPORTED},
        {CLBlastUnknownError, "CLBlastUnknownError", CLRS_ERR_OPENCL},
        {CLBlastUnexpectedError, "CLBlastUnexpectedError", CLRS_ERR_OPENCL},
    };
    for (size_t i = 0; i < CLRS_ARRAY_LEN(names); i++)
        if (names[i].code == (int)c)
            return clrs__fail(ctx, names[i].st, "%s failed: %s (%d)", what, names[i].name, (int)c);
    return clrs__fail(ctx, CLRS_ERR_OPENCL, "%s failed: CLBlast status %d", what, (int)c);
}

/* contiguous (N, C, D, H, W) order (axes of size 1 ignored) */
static int ncdhw_contiguous(const clrs_tensor_desc *d)
{
    int64_t want = 1;
    for (int i = d->rank - 1; i >= 0; i--) {
        if (d->sizes[i] != 1 && d->strides[i] != want) return 0;
        want *= d->sizes[i];
    }
    return 1;
}

static cl_int4 int4_of(const int64_t v[3])
{
    cl_int4 r;
    memset(&r, 0, sizeof r);
    for (int a = 0; a < 3; a++) r.s[a] = (cl_int)v[a];
    return r;
}

static clrs_status barrier(clrs_context *ctx, cl_command_queue q, cl_event *ev)
{
    cl_int e = clEnqueueBarrierWithWaitList(q, 0, NULL, ev);
    return e == CL_SUCCESS ? CLRS_OK : clrs__fail_cl(ctx, e, "conv/clblast: clEnqueueBarrierWithWaitList");
}

clrs_status clrs__conv_clblast_enqueue(clrs_context *ctx, const clrs_conv_gemm *g, clrs_targ *t, int nt,
                                       cl_command_queue q, cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    if (clrs__dry_run()) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    const clrs_tensor_desc *in = &t[0].desc, *out = &t[1].desc, *w = &t[2].desc;
    const clrs_dtype dt = in->dtype;
    const int f64 = dt == CLRS_F64;
    const size_t es = f64 ? sizeof(double) : sizeof(float);
    const int64_t R = g->cin * g->k3[0] * g->k3[1] * g->k3[2], P = g->o3[0] * g->o3[1] * g->o3[2], M = g->cout;
    const int has_bias = nt == 4 && g->has_bias;
    /* the GEMM writes the output itself where it is the compute type, contiguous */
    const int direct = (dt == CLRS_F32 || dt == CLRS_F64) && ncdhw_contiguous(out);
    int64_t nb = (ctx->tune.v.conv_gemm_col_mb << 20) / (R * P * (int64_t)es);
    if (nb < 1) nb = 1;
    if (nb > g->N) nb = g->N;
    while (nb > 1 && (double)nb * (double)R * (double)P * (double)es > (double)ctx->max_alloc) nb /= 2;
    if (nb * R >= INT32_MAX || nb * M >= INT32_MAX) nb = 1;

    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "%s", clrs__pool_dtype_define(dt));
    char *opts = clrs__opts_take(&o);
    if (opts == NULL) return clrs__fail(ctx, CLRS_ERR_INTERNAL, "conv/clblast: kernel options could not be built");
    cl_kernel kw = NULL, ki = NULL, ke = NULL;
    clrs_status st = clrs__get_kernel(ctx, "conv_gemm", opts, "clrs_cg_wpack", &kw);
    if (st == CLRS_OK) st = clrs__get_kernel(ctx, "conv_gemm", opts, "clrs_cg_im2col_rows", &ki);
    if (st == CLRS_OK && (!direct || has_bias)) st = clrs__get_kernel(ctx, "conv_gemm", opts, "clrs_cg_epilogue", &ke);
    free(opts);
    cl_mem wp = NULL, col = NULL, res = NULL;
    cl_int e = CL_SUCCESS;
    if (st == CLRS_OK) {
        wp = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, (size_t)(M * R) * es, NULL, &e);
        if (e == CL_SUCCESS) col = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, (size_t)(nb * R * P) * es, NULL, &e);
        if (e == CL_SUCCESS && !direct)
            res = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, (size_t)(nb * M * P) * es, NULL, &e);
        if (e != CL_SUCCESS) st = clrs__fail_cl(ctx, e, "conv/clblast: clCreateBuffer (im2col / GEMM temporaries)");
    }
    cl_long8 isz, ist, wsz, wst, osz, ost;
    clrs__iter_ncdhw(in, &isz, &ist);
    clrs__iter_ncdhw(w, &wsz, &wst);
    clrs__iter_ncdhw(out, &osz, &ost);
    const cl_int4 k4 = int4_of(g->k3), o4 = int4_of(g->o3);
    const cl_long4 s4 = clrs__long4_of(g->s3), p4 = clrs__long4_of(g->pl3), d4 = clrs__long4_of(g->d3);
    const cl_int Ri = (cl_int)R, Mi = (cl_int)M, pm = g->pmode, hb = has_bias;
    if (st == CLRS_OK) { /* 1. the weight matrix */
        cl_long woff = w->offset;
        clrs_kargs a = clrs__kargs(ctx, kw);
        CLRS_KARG(&a, t[2].mem);
        CLRS_KARG(&a, woff);
        CLRS_KARG(&a, wst);
        CLRS_KARG(&a, k4);
        CLRS_KARG(&a, Ri);
        CLRS_KARG(&a, Mi);
        CLRS_KARG(&a, wp);
        st = a.st;
        const size_t gw[2] = {(size_t)R, (size_t)M};
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, kw, 2, gw, nwait, wait, NULL);
    }
    for (int64_t n0 = 0; st == CLRS_OK && n0 < g->N; n0 += nb) {
        const int64_t nbi = g->N - n0 < nb ? g->N - n0 : nb;
        const cl_int nbc = (cl_int)nbi;
        const cl_long n0l = n0;
        { /* 2. the columns */
            cl_long soff = in->offset;
            clrs_kargs a = clrs__kargs(ctx, ki);
            CLRS_KARG(&a, t[0].mem);
            CLRS_KARG(&a, soff);
            CLRS_KARG(&a, isz);
            CLRS_KARG(&a, ist);
            CLRS_KARG(&a, col);
            CLRS_KARG(&a, k4);
            CLRS_KARG(&a, o4);
            CLRS_KARG(&a, s4);
            CLRS_KARG(&a, p4);
            CLRS_KARG(&a, d4);
            CLRS_KARG(&a, Ri);
            CLRS_KARG(&a, nbc);
            CLRS_KARG(&a, n0l);
            CLRS_KARG(&a, pm);
            st = a.st;
            const size_t gi[2] = {(size_t)(g->o3[0] * g->o3[1]), (size_t)(nbi * R)};
            /* the first chunk waits for the caller's events too (an out-of-order queue) */
            if (st == CLRS_OK)
                st = clrs__enqueue_kernel(ctx, q, ki, 2, gi, n0 == 0 ? nwait : 0, n0 == 0 ? wait : NULL, NULL);
            if (st == CLRS_OK) st = barrier(ctx, q, NULL);
        }
        /* 3. the GEMM: res[j] (M x P) = wp (M x R) * col[j] (R x P) */
        cl_mem cm = direct ? t[1].mem : res;
        const size_t coff = direct ? (size_t)(out->offset + n0 * M * P) : 0;
        if (st == CLRS_OK) {
            CLBlastStatusCode c;
            const char *routine;
            __atomic_store_n(&ctx->clblast_used, 1, __ATOMIC_RELAXED);
            clrs__build_lock(ctx->quirks, 1); /* its first call builds its programs */
            if (f64) {
                routine = "CLBlastDgemmStridedBatched";
                c = CLBlastDgemmStridedBatched(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo,
                                               (size_t)M, (size_t)P, (size_t)R, 1.0, wp, 0, (size_t)R, 0, col, 0,
                                               (size_t)P, (size_t)(R * P), 0.0, cm, coff, (size_t)P,
                                               (size_t)(M * P), (size_t)nbi, &q, NULL);
            } else {
                routine = "CLBlastSgemmStridedBatched";
                c = CLBlastSgemmStridedBatched(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo,
                                               (size_t)M, (size_t)P, (size_t)R, 1.0f, wp, 0, (size_t)R, 0, col, 0,
                                               (size_t)P, (size_t)(R * P), 0.0f, cm, coff, (size_t)P,
                                               (size_t)(M * P), (size_t)nbi, &q, NULL);
            }
            clrs__build_lock(ctx->quirks, 0);
            if (c != CLBlastSuccess) st = cb_fail(ctx, "conv/clblast", routine, c);
            if (st == CLRS_OK) st = barrier(ctx, q, NULL);
        }
        if (st == CLRS_OK && ke != NULL) { /* 4. bias, strides, type */
            cl_long roff = (cl_long)coff, doff = out->offset;
            cl_long boff = has_bias ? t[3].desc.offset : 0, bst = has_bias ? t[3].desc.strides[0] : 0;
            cl_mem bm = has_bias ? t[3].mem : wp;
            clrs_kargs a = clrs__kargs(ctx, ke);
            CLRS_KARG(&a, cm);
            CLRS_KARG(&a, roff);
            CLRS_KARG(&a, bm);
            CLRS_KARG(&a, boff);
            CLRS_KARG(&a, bst);
            CLRS_KARG(&a, hb);
            CLRS_KARG(&a, t[1].mem);
            CLRS_KARG(&a, doff);
            CLRS_KARG(&a, ost);
            CLRS_KARG(&a, o4);
            CLRS_KARG(&a, Mi);
            CLRS_KARG(&a, nbc);
            CLRS_KARG(&a, n0l);
            st = a.st;
            const size_t ge[3] = {(size_t)g->o3[2], (size_t)(g->o3[0] * g->o3[1]), (size_t)(nbi * M)};
            if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, ke, 3, ge, 0, NULL, NULL);
            if (st == CLRS_OK) st = barrier(ctx, q, NULL);
        }
    }
    if (st == CLRS_OK && ev != NULL) st = barrier(ctx, q, ev);
    if (st != CLRS_OK) clFinish(q); /* nothing may still use the temporaries' contents half-written */
    if (kw) clReleaseKernel(kw);
    if (ki) clReleaseKernel(ki);
    if (ke) clReleaseKernel(ke);
    if (wp) clReleaseMemObject(wp);
    if (col) clReleaseMemObject(col);
    if (res) clReleaseMemObject(res);
    return st;
}
/* ---- conv_transpose/clblast --------------------------------------------------- */
/* Per chunk of nb images (the columns capped by conv_gemm_col_mb):
 *   1. clrs_cg_wpack (once): the weight (C_in, C_out/g, k...) as the
 *      contiguous (C_in, Mg) matrix, Mg = C_out/g * K, K = kd*kh*kw;
 *   2. clrs_cg_im2col_rows with a 1x1x1 kernel: the input as a contiguous
 *      (nb, C_in, P_in) matrix in the compute type (skipped when the input
 *      is a contiguous f32/f64 NCHW tensor: the GEMM reads it in place);
 *   3. CLBlast XgemmStridedBatched per group g over the nb images:
 *      cols[j] rows g*Mg.. (Mg x P_in) = wp rows g*cin_g.. (cin_g x Mg)^T
 *      x x[j] channels g*cin_g.. (cin_g x P_in);
 *   4. clrs_cg_col2im: a gather (a work-item per output row) over each
 *      element's taps in a fixed order, + bias, into the output's strides
 *      and type. */
int clrs__convt_clblast_decline(const clrs_context *ctx, const clrs_conv_gemm *g, char *why, size_t len)
{
    if (!ctx->tune.v.conv_gemm) {
        snprintf(why, len, "tuning conv_gemm=0 on this device");
        return 1;
    }
    for (int a = 0; a < 3; a++)
        if (g->in3[a] == 0) {
            snprintf(why, len, "an empty input (spatial axis %d of size 0)", a);
            return 1;
        }
    const int64_t G = g->groups, cin_g = g->cin / G, cout_g = g->cout / G;
    const int64_t K = g->k3[0] * g->k3[1] * g->k3[2], Pin = g->in3[0] * g->in3[1] * g->in3[2];
    if (cin_g < ctx->tune.v.conv_gemm_min_k) {
        snprintf(why, len, "C_in/groups = %lld < conv_gemm_min_k %lld (the GEMM's depth)", (long long)cin_g,
                 (long long)ctx->tune.v.conv_gemm_min_k);
        return 1;
    }
    if (G > 16) {
        snprintf(why, len, "groups=%lld > 16 (a GEMM call per group)", (long long)G);
        return 1;
    }
    double macs = (double)g->N * (double)g->cin * (double)cout_g * (double)K * (double)Pin;
    if (macs < (double)ctx->tune.v.conv_transpose_gemm_min_macs) {
        snprintf(why, len, "%.3g multiply-adds < conv_transpose_gemm_min_macs %lld", macs,
                 (long long)ctx->tune.v.conv_transpose_gemm_min_macs);
        return 1;
    }
    const int64_t lim = INT32_MAX;
    if (Pin >= lim || g->cout * K >= lim || g->cin >= lim || g->o3[0] * g->o3[1] >= lim || K >= lim) {
        snprintf(why, len, "a GEMM dimension at or above 2^31 (C_out*K %lld, P_in %lld)", (long long)(g->cout * K),
                 (long long)Pin);
        return 1;
    }
    for (int a = 0; a < 3; a++) { /* col2im's 32-bit axis math: o + |p| + d*k + s */
        const double span = (double)g->o3[a] + fabs((double)g->pl3[a]) + (double)g->d3[a] * (double)g->k3[a] +
                            (double)g->s3[a];
        if (span >= (double)lim) {
            snprintf(why, len, "axis %d: output %lld + padding %lld + dilation*k + stride at or above 2^31", a,
                     (long long)g->o3[a], (long long)g->pl3[a]);
            return 1;
        }
    }
    if ((double)g->cout * (double)K * (double)Pin * 8.0 > (double)ctx->max_alloc) {
        snprintf(why, len, "one image's columns (%lld x %lld) exceed the device's largest buffer",
                 (long long)(g->cout * K), (long long)Pin);
        return 1;
    }
    return 0;
}

clrs_status clrs__convt_clblast_enqueue(clrs_context *ctx, const clrs_conv_gemm *g, clrs_targ *t, int nt,
                                        cl_command_queue q, cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    if (clrs__dry_run()) return clrs__enqueue_marker(ctx, q, nwait, wait, ev);
    const clrs_tensor_desc *in = &t[0].desc, *out = &t[1].desc, *w = &t[2].desc;
    const clrs_dtype dt = in->dtype;
    const int f64 = dt == CLRS_F64;
    const size_t es = f64 ? sizeof(double) : sizeof(float);
    const int64_t G = g->groups, C = g->cin, cin_g = C / G, cout_g = g->cout / G;
    const int64_t K = g->k3[0] * g->k3[1] * g->k3[2], Pin = g->in3[0] * g->in3[1] * g->in3[2];
    const int64_t Mg = cout_g * K, M = g->cout * K;
    const int has_bias = nt == 4 && g->has_bias;
    /* the GEMM reads the input itself where it is the compute type, contiguous */
    const int direct = (dt == CLRS_F32 || dt == CLRS_F64) && ncdhw_contiguous(in);
    int64_t nb = (ctx->tune.v.conv_gemm_col_mb << 20) / (M * Pin * (int64_t)es);
    if (nb < 1) nb = 1;
    if (nb > g->N) nb = g->N;
    while (nb > 1 && (double)nb * (double)M * (double)Pin * (double)es > (double)ctx->max_alloc) nb /= 2;
    while (nb > 1 && !direct && (double)nb * (double)C * (double)Pin * (double)es > (double)ctx->max_alloc) nb /= 2;
    if (nb * g->cout >= INT32_MAX || nb * C >= INT32_MAX) nb = 1;

    clrs_opts o;
    clrs__opts_init(&o);
    clrs__opts_def(&o, "%s", clrs__pool_dtype_define(dt));
    char *opts = clrs__opts_take(&o);
    if (opts == NULL) return clrs__fail(ctx, CLRS_ERR_INTERNAL, "conv_transpose/clblast: kernel options could not be built");
    cl_kernel kw = NULL, ki = NULL, kc = NULL;
    clrs_status st = clrs__get_kernel(ctx, "conv_gemm", opts, "clrs_cg_wpack", &kw);
    if (st == CLRS_OK && !direct) st = clrs__get_kernel(ctx, "conv_gemm", opts, "clrs_cg_im2col_rows", &ki);
    if (st == CLRS_OK) st = clrs__get_kernel(ctx, "conv_gemm", opts, "clrs_cg_col2im", &kc);
    free(opts);
    cl_mem wp = NULL, xin = NULL, cols = NULL;
    cl_int e = CL_SUCCESS;
    if (st == CLRS_OK) {
        wp = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, (size_t)(C * Mg) * es, NULL, &e);
        if (e == CL_SUCCESS && !direct)
            xin = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, (size_t)(nb * C * Pin) * es, NULL, &e);
        if (e == CL_SUCCESS) cols = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, (size_t)(nb * M * Pin) * es, NULL, &e);
        if (e != CL_SUCCESS)
            st = clrs__fail_cl(ctx, e, "conv_transpose/clblast: clCreateBuffer (input / column temporaries)");
    }
    cl_long8 isz, ist, wsz, wst, osz, ost;
    clrs__iter_ncdhw(in, &isz, &ist);
    clrs__iter_ncdhw(w, &wsz, &wst);
    clrs__iter_ncdhw(out, &osz, &ost);
    const int64_t one3[3] = {1, 1, 1}, zero3[3] = {0, 0, 0};
    const cl_int4 k4 = int4_of(g->k3), o4 = int4_of(g->o3), i4 = int4_of(g->in3), k1 = int4_of(one3);
    const cl_long4 s1 = clrs__long4_of(one3), p0 = clrs__long4_of(zero3);
    int64_t ks3[3], di3[3]; /* col2im: the taps of one output coordinate are ks apart, ks = s / gcd(s, d) */
    for (int a = 0; a < 3; a++) {
        int64_t x = g->s3[a], y = g->d3[a];
        while (y != 0) {
            const int64_t r = x % y;
            x = y;
            y = r;
        }
        ks3[a] = g->s3[a] / x;
        di3[a] = ks3[a] * g->d3[a] / g->s3[a]; /* the input step between those taps */
    }
    const cl_int4 ks4 = int4_of(ks3), istep4 = int4_of(di3), si4 = int4_of(g->s3), pi4 = int4_of(g->pl3), di4 = int4_of(g->d3);
    const cl_int Mgi = (cl_int)Mg, Ci = (cl_int)C, Coi = (cl_int)g->cout, pm0 = 0, hb = has_bias;
    if (st == CLRS_OK) { /* 1. the weight matrix (C_in rows of C_out/g * K) */
        cl_long woff = w->offset;
        clrs_kargs a = clrs__kargs(ctx, kw);
        CLRS_KARG(&a, t[2].mem);
        CLRS_KARG(&a, woff);
        CLRS_KARG(&a, wst);
        CLRS_KARG(&a, k4);
        CLRS_KARG(&a, Mgi);
        CLRS_KARG(&a, Ci);
        CLRS_KARG(&a, wp);
        st = a.st;
        const size_t gw[2] = {(size_t)Mg, (size_t)C};
        if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, kw, 2, gw, nwait, wait, NULL);
        if (st == CLRS_OK && direct) st = barrier(ctx, q, NULL);
    }
    for (int64_t n0 = 0; st == CLRS_OK && n0 < g->N; n0 += nb) {
        const int64_t nbi = g->N - n0 < nb ? g->N - n0 : nb;
        const cl_int nbc = (cl_int)nbi;
        const cl_long n0l = n0;
        if (!direct) { /* 2. the input as (nb, C_in, P_in) */
            cl_long soff = in->offset;
            clrs_kargs a = clrs__kargs(ctx, ki);
            CLRS_KARG(&a, t[0].mem);
            CLRS_KARG(&a, soff);
            CLRS_KARG(&a, isz);
            CLRS_KARG(&a, ist);
            CLRS_KARG(&a, xin);
            CLRS_KARG(&a, k1);
            CLRS_KARG(&a, i4);
            CLRS_KARG(&a, s1);
            CLRS_KARG(&a, p0);
            CLRS_KARG(&a, s1);
            CLRS_KARG(&a, Ci);
            CLRS_KARG(&a, nbc);
            CLRS_KARG(&a, n0l);
            CLRS_KARG(&a, pm0);
            st = a.st;
            const size_t gi[2] = {(size_t)(g->in3[0] * g->in3[1]), (size_t)(nbi * C)};
            /* the first chunk waits for the caller's events too (an out-of-order queue) */
            if (st == CLRS_OK)
                st = clrs__enqueue_kernel(ctx, q, ki, 2, gi, n0 == 0 ? nwait : 0, n0 == 0 ? wait : NULL, NULL);
            if (st == CLRS_OK) st = barrier(ctx, q, NULL);
        }
        /* 3. the GEMMs: cols[j] (Mg x P_in, group gi's rows) = wp_g^T (Mg x cin_g) * x[j]_g (cin_g x P_in) */
        cl_mem xm = direct ? t[0].mem : xin;
        const size_t xoff = direct ? (size_t)(in->offset + n0 * C * Pin) : 0;
        for (int64_t gi = 0; st == CLRS_OK && gi < G; gi++) {
            CLBlastStatusCode c;
            const char *routine;
            const size_t aoff = (size_t)(gi * cin_g * Mg), boff = xoff + (size_t)(gi * cin_g * Pin),
                         coff = (size_t)(gi * Mg * Pin);
            __atomic_store_n(&ctx->clblast_used, 1, __ATOMIC_RELAXED);
            clrs__build_lock(ctx->quirks, 1); /* its first call builds its programs */
            if (f64) {
                routine = "CLBlastDgemmStridedBatched";
                c = CLBlastDgemmStridedBatched(CLBlastLayoutRowMajor, CLBlastTransposeYes, CLBlastTransposeNo,
                                               (size_t)Mg, (size_t)Pin, (size_t)cin_g, 1.0, wp, aoff, (size_t)Mg, 0,
                                               xm, boff, (size_t)Pin, (size_t)(C * Pin), 0.0, cols, coff,
                                               (size_t)Pin, (size_t)(M * Pin), (size_t)nbi, &q, NULL);
            } else {
                routine = "CLBlastSgemmStridedBatched";
                c = CLBlastSgemmStridedBatched(CLBlastLayoutRowMajor, CLBlastTransposeYes, CLBlastTransposeNo,
                                               (size_t)Mg, (size_t)Pin, (size_t)cin_g, 1.0f, wp, aoff, (size_t)Mg, 0,
                                               xm, boff, (size_t)Pin, (size_t)(C * Pin), 0.0f, cols, coff,
                                               (size_t)Pin, (size_t)(M * Pin), (size_t)nbi, &q, NULL);
            }
            clrs__build_lock(ctx->quirks, 0);
            if (c != CLBlastSuccess) st = cb_fail(ctx, "conv_transpose/clblast", routine, c);
        }
        if (st == CLRS_OK) st = barrier(ctx, q, NULL);
        if (st == CLRS_OK) { /* 4. col2im: taps, bias, strides, type */
            cl_long doff = out->offset;
            cl_long boff = has_bias ? t[3].desc.offset : 0, bst = has_bias ? t[3].desc.strides[0] : 0;
            cl_mem bm = has_bias ? t[3].mem : wp;
            clrs_kargs a = clrs__kargs(ctx, kc);
            CLRS_KARG(&a, cols);
            CLRS_KARG(&a, bm);
            CLRS_KARG(&a, boff);
            CLRS_KARG(&a, bst);
            CLRS_KARG(&a, hb);
            CLRS_KARG(&a, t[1].mem);
            CLRS_KARG(&a, doff);
            CLRS_KARG(&a, ost);
            CLRS_KARG(&a, o4);
            CLRS_KARG(&a, i4);
            CLRS_KARG(&a, k4);
            CLRS_KARG(&a, ks4);
            CLRS_KARG(&a, istep4);
            CLRS_KARG(&a, si4);
            CLRS_KARG(&a, pi4);
            CLRS_KARG(&a, di4);
            CLRS_KARG(&a, Coi);
            CLRS_KARG(&a, nbc);
            CLRS_KARG(&a, n0l);
            st = a.st;
            const size_t ge[2] = {(size_t)(g->o3[0] * g->o3[1]), (size_t)(nbi * g->cout)};
            if (st == CLRS_OK) st = clrs__enqueue_kernel(ctx, q, kc, 2, ge, 0, NULL, NULL);
            if (st == CLRS_OK) st = barrier(ctx, q, NULL);
        }
    }
    if (st == CLRS_OK && ev != NULL) st = barrier(ctx, q, ev);
    if (st != CLRS_OK) clFinish(q); /* nothing may still use the temporaries' contents half-written */
    if (kw) clReleaseKernel(kw);
    if (ki) clReleaseKernel(ki);
    if (kc) clReleaseKernel(kc);
    if (wp) clReleaseMemObject(wp);
    if (xin) clReleaseMemObject(xin);
    if (cols) clReleaseMemObject(cols);
    return st;
}

void clrs__conv_clblast_release(clrs_context *ctx)
{
    /* CLBlast keeps every program it built, each holding its cl_context,
     * for the life of the process: clear them when a context that used it
     * goes (the other contexts' programs are rebuilt on their next call,
     * from the driver's kernel cache where it has one) */
    if (__atomic_load_n(&ctx->clblast_used, __ATOMIC_RELAXED)) CLBlastClearCache();
}
#endif /* HAVE_CLBLAST */
