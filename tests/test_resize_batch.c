/* SPDX-License-Identifier: MIT */
/* resize_batch: images of random sizes (fixed seeds) resized to one size in
 * one call must give, image by image, the bits of clrs_interpolate on each;
 * every mode the batch supports, f32 / f16 / u8, NCHW, channels-last and
 * strided inputs and outputs, the host and the cl_mem forms; the error
 * cases and the implementation it reports. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clresample/cl_interop.h"
#include "testutil.h"

typedef struct mode_case {
    clrs_interp_mode mode;
    int align_corners, antialias;
} mode_case;

static const mode_case MODES[] = {
    {CLRS_INTERP_NEAREST, CLRS_UNSET, 0},    {CLRS_INTERP_NEAREST_EXACT, CLRS_UNSET, 0},
    {CLRS_INTERP_BILINEAR, CLRS_UNSET, 0},   {CLRS_INTERP_BILINEAR, 1, 0},
    {CLRS_INTERP_BILINEAR, 0, 1},            {CLRS_INTERP_BICUBIC, CLRS_UNSET, 0},
    {CLRS_INTERP_BICUBIC, 1, 0},             {CLRS_INTERP_BICUBIC, 0, 1},
    {CLRS_INTERP_AREA, CLRS_UNSET, 0},       {CLRS_INTERP_LANCZOS, CLRS_UNSET, 1},
};
static const clrs_dtype DTS[] = {CLRS_F32, CLRS_F16, CLRS_U8};

#define NIMG 4
#define C 3

/* Random logical data of dtype dt (u8: 0..255; floats: [-2, 2)). */
static void *random_logical(clrs_dtype dt, int64_t n, uint64_t *rng)
{
    size_t es = clrs_dtype_size(dt);
    void *v = malloc((size_t)n * es + 1);
    ck_assert_ptr_nonnull(v);
    for (int64_t i = 0; i < n; i++)
        tu_set(dt, v, i, dt == CLRS_U8 ? (double)tu_range(rng, 0, 255) : 4.0 * tu_uniform(rng) - 2.0);
    return v;
}

/* One batch of NIMG images with random sizes (B_i in 1..2, H, W in 2..40)
 * to oh x ow; returns the number of images whose bits differ. */
static int run_batch(clrs_context *ctx, const clrs_interpolate_params *p, clrs_dtype dt, tu_layout out_l,
                     uint64_t *rng, int use_cl /* 0: host, 1: cl_mem per image, 2: one cl_mem */)
{
    tu_tensor in[NIMG], out, ref;
    const size_t es = clrs_dtype_size(dt);
    clrs_tensor_desc din[NIMG];
    const void *data[NIMG];
    int64_t rows = 0, b0[NIMG];
    for (int i = 0; i < NIMG; i++) {
        int64_t sz[4] = {tu_range(rng, 1, 2), C, tu_range(rng, 2, 40), tu_range(rng, 2, 40)};
        tu_alloc(&in[i], dt, 4, sz, (tu_layout)((i + out_l) % TU_NLAYOUTS), 0xA5);
        void *v = random_logical(dt, clrs_tensor_desc_numel(&in[i].desc), rng);
        tu_store(&in[i], v);
        free(v);
        din[i] = in[i].desc;
        data[i] = in[i].base;
        b0[i] = rows;
        rows += sz[0];
    }
    const int64_t osz[4] = {rows, C, p->size[0], p->size[1]};
    tu_alloc(&out, dt, 4, osz, out_l, 0x5A);
    const int64_t plane = C * p->size[0] * p->size[1];
    if (!use_cl) {
        ck_assert_msg(clrs_resize_batch(ctx, p, NIMG, din, data, &out.desc, out.base) == CLRS_OK, "%s",
                      clrs_last_error(ctx));
    } else {
        cl_context clc;
        cl_command_queue q;
        ck_assert_int_eq(clrs_context_get_cl(ctx, &clc, NULL, &q), CLRS_OK);
        cl_mem m[NIMG], om;
        cl_int e;
        if (use_cl == 1) { /* a buffer per image */
            for (int i = 0; i < NIMG; i++) {
                m[i] = clCreateBuffer(clc, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, in[i].bytes, in[i].base, &e);
                ck_assert_int_eq(e, CL_SUCCESS);
            }
        } else { /* one buffer for all, each image at its own offset */
            size_t total = 0, at[NIMG];
            for (int i = 0; i < NIMG; i++) {
                at[i] = total;
                total += (in[i].bytes + 15) / 16 * 16;
            }
            unsigned char *all = malloc(total);
            ck_assert_ptr_nonnull(all);
            for (int i = 0; i < NIMG; i++) {
                memcpy(all + at[i], in[i].base, in[i].bytes);
                din[i].offset += (int64_t)(at[i] / es);
            }
            m[0] = clCreateBuffer(clc, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, total, all, &e);
            ck_assert_int_eq(e, CL_SUCCESS);
            free(all);
            for (int i = 1; i < NIMG; i++) {
                m[i] = m[0];
                clRetainMemObject(m[0]);
            }
        }
        om = clCreateBuffer(clc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, out.bytes, out.base, &e);
        ck_assert_int_eq(e, CL_SUCCESS);
        cl_event ev = NULL;
        ck_assert_msg(clrs_resize_batch_cl(ctx, p, NIMG, din, m, &out.desc, om, q, 0, NULL, &ev) == CLRS_OK, "%s",
                      clrs_last_error(ctx));
        ck_assert_int_eq(clWaitForEvents(1, &ev), CL_SUCCESS);
        clReleaseEvent(ev);
        ck_assert_int_eq(clEnqueueReadBuffer(q, om, CL_TRUE, 0, out.bytes, out.base, 0, NULL, NULL), CL_SUCCESS);
        for (int i = 0; i < NIMG; i++) clReleaseMemObject(m[i]);
        clReleaseMemObject(om);
    }
    /* the reference: clrs_interpolate per image into the same rows of an
     * output of the same layout (a float result may differ in the last bit
     * between output layouts whose spatial strides are in another order:
     * the sum runs in output memory order, see interpolate.c) */
    tu_alloc(&ref, dt, 4, osz, out_l, 0x5A);
    for (int i = 0; i < NIMG; i++) {
        clrs_tensor_desc rd = ref.desc;
        rd.sizes[0] = in[i].desc.sizes[0];
        rd.offset += b0[i] * rd.strides[0];
        ck_assert_msg(clrs_interpolate(ctx, p, &in[i].desc, in[i].base, &rd, ref.base) == CLRS_OK, "%s",
                      clrs_last_error(ctx));
    }
    unsigned char *got = malloc((size_t)(rows * plane) * es + 1), *want = malloc((size_t)(rows * plane) * es + 1);
    ck_assert_ptr_nonnull(got);
    ck_assert_ptr_nonnull(want);
    tu_load(&out, got);
    tu_load(&ref, want);
    int bad = 0;
    for (int i = 0; i < NIMG; i++) {
        const size_t at = (size_t)(b0[i] * plane) * es, len = (size_t)(in[i].desc.sizes[0] * plane) * es;
        if (memcmp(got + at, want + at, len) != 0) {
            printf("# %s %s ac=%d aa=%d out %s: image %d (%lldx%lld) differs from clrs_interpolate\n",
                   clrs_dtype_name(dt), clrs_interp_mode_name(p->mode), p->align_corners, p->antialias,
                   tu_layout_name(out_l), i, (long long)in[i].desc.sizes[2], (long long)in[i].desc.sizes[3]);
            bad++;
        }
        tu_free(&in[i]);
    }
    free(want);
    tu_free(&ref);
    free(got);
    tu_free(&out);
    return bad;
}

START_TEST(test_bits_match_per_image)
{
    clrs_context *ctx = tu_context();
    uint64_t rng = 0x5EEDBA7C4ULL + (uint64_t)_i;
    int bad = 0, calls = 0;
    const clrs_dtype dt = DTS[_i];
    for (size_t m = 0; m < sizeof MODES / sizeof MODES[0]; m++)
        for (int l = 0; l < TU_NLAYOUTS; l++) {
            clrs_interpolate_params p;
            clrs_interpolate_params_init(&p);
            p.mode = MODES[m].mode;
            p.align_corners = MODES[m].align_corners;
            p.antialias = MODES[m].antialias;
            p.n_size = 2;
            p.size[0] = 17 + l;
            p.size[1] = 23 - l;
            /* the host form, the cl_mem form with a buffer per image, and with one buffer for all */
            bad += run_batch(ctx, &p, dt, (tu_layout)l, &rng, (int)((m + (size_t)l) % 3));
            calls++;
        }
    /* nearest modes past the "idx" index rule's out_H + out_W <= 128 (the
     * "generic" rule), images in one buffer, in every output layout */
    for (int m = 0; m < 2; m++)
        for (int l = 0; l < TU_NLAYOUTS; l++) {
            clrs_interpolate_params p;
            clrs_interpolate_params_init(&p);
            p.mode = m ? CLRS_INTERP_NEAREST_EXACT : CLRS_INTERP_NEAREST;
            p.n_size = 2;
            p.size[0] = 61 + 9 * l;
            p.size[1] = 77 - 5 * l;
            bad += run_batch(ctx, &p, dt, (tu_layout)l, &rng, 2);
            calls++;
        }
    printf("# %s: %d batches of %d images, %d images differ\n", clrs_dtype_name(dt), calls, NIMG, bad);
    ck_assert_int_eq(bad, 0);
}
END_TEST

static int saw_per_image;
static void explain_cb(void *user, const char *family, const char *impl, int chosen, const char *reason)
{
    (void)user;
    (void)reason;
    if (chosen && !strcmp(family, "resize_batch") && !strcmp(impl, "per_image")) saw_per_image++;
}

START_TEST(test_errors_and_empty)
{
    clrs_context *ctx = tu_context();
    clrs_interpolate_params p;
    clrs_interpolate_params_init(&p);
    p.mode = CLRS_INTERP_BILINEAR;
    p.n_size = 2;
    p.size[0] = 5;
    p.size[1] = 6;
    /* an empty batch: a no-op, also with NULL tensors */
    ck_assert_int_eq(clrs_resize_batch(ctx, &p, 0, NULL, NULL, NULL, NULL), CLRS_OK);
    ck_assert_int_eq(clrs_resize_batch_cl(ctx, &p, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL), CLRS_OK);
    cl_event ev = NULL;
    ck_assert_int_eq(clrs_resize_batch_cl(ctx, &p, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, &ev), CLRS_OK);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(clWaitForEvents(1, &ev), CL_SUCCESS);
    clReleaseEvent(ev);

    float a[3 * 4 * 4] = {0}, b[3 * 7 * 3] = {0}, c[2 * 5 * 5] = {0}, o[3 * 3 * 5 * 6];
    clrs_tensor_desc d[3], dout;
    const int64_t sa[4] = {1, 3, 4, 4}, sb[4] = {1, 3, 7, 3}, sc[4] = {1, 2, 5, 5}, so[4] = {2, 3, 5, 6};
    clrs_tensor_desc_contiguous(&d[0], CLRS_F32, 4, sa);
    clrs_tensor_desc_contiguous(&d[1], CLRS_F32, 4, sb);
    clrs_tensor_desc_contiguous(&d[2], CLRS_F32, 4, sc);
    clrs_tensor_desc_contiguous(&dout, CLRS_F32, 4, so);
    const void *data[3] = {a, b, c};
    /* the good call, and the implementation it reports */
    saw_per_image = 0;
    ck_assert_int_eq(clrs_explain_begin(explain_cb, NULL, 0), CLRS_OK);
    ck_assert_msg(clrs_resize_batch(ctx, &p, 2, d, data, &dout, o) == CLRS_OK, "%s", clrs_last_error(ctx));
    clrs_explain_end();
    ck_assert_int_eq(saw_per_image, 1);
    /* channels differ: image 2 named */
    clrs_tensor_desc d3[3] = {d[0], d[1], d[2]};
    ck_assert_int_eq(clrs_resize_batch(ctx, &p, 3, d3, data, &dout, o), CLRS_ERR_BAD_SHAPE);
    ck_assert_msg(strstr(clrs_last_error(ctx), "image 2 has channel count 2 but image 0 has 3") != NULL, "%s",
                  clrs_last_error(ctx));
    /* dtypes differ */
    d3[1].dtype = CLRS_F16;
    ck_assert_int_eq(clrs_resize_batch(ctx, &p, 2, d3, data, &dout, o), CLRS_ERR_BAD_DTYPE);
    ck_assert_msg(strstr(clrs_last_error(ctx), "image 1 has dtype f16 but image 0 has f32") != NULL, "%s",
                  clrs_last_error(ctx));
    /* an image interpolate refuses: its index and interpolate's message */
    d3[1] = d[1];
    d3[1].rank = 3;
    d3[1].sizes[2] = 7 * 3;
    ck_assert_int_eq(clrs_resize_batch(ctx, &p, 2, d3, data, &dout, o), CLRS_ERR_BAD_PARAM);
    ck_assert_msg(strstr(clrs_last_error(ctx), "resize_batch: image 1: ") != NULL, "%s", clrs_last_error(ctx));
    /* a scale factor: refused */
    clrs_interpolate_params ps = p;
    ps.n_size = 0;
    ps.n_scale = 1;
    ps.scale[0] = 0.5;
    ck_assert_int_eq(clrs_resize_batch(ctx, &ps, 2, d, data, &dout, o), CLRS_ERR_BAD_PARAM);
    /* the output's sizes: the rows of all images */
    clrs_tensor_desc bad_out;
    const int64_t sbad[4] = {1, 3, 5, 6};
    clrs_tensor_desc_contiguous(&bad_out, CLRS_F32, 4, sbad);
    ck_assert_int_eq(clrs_resize_batch(ctx, &p, 2, d, data, &bad_out, o), CLRS_ERR_BAD_SHAPE);
    /* missing data pointers */
    const void *data_null[2] = {a, NULL};
    ck_assert_int_eq(clrs_resize_batch(ctx, &p, 2, d, data_null, &dout, o), CLRS_ERR_INVALID_ARG);
    ck_assert_msg(strstr(clrs_last_error(ctx), "image 1") != NULL, "%s", clrs_last_error(ctx));
    ck_assert_int_eq(clrs_resize_batch(ctx, &p, 2, d, data, &dout, NULL), CLRS_ERR_INVALID_ARG);
    ck_assert_int_eq(clrs_resize_batch(ctx, NULL, 2, d, data, &dout, o), CLRS_ERR_INVALID_ARG);
    /* the output may not overlap an image */
    const void *data_alias[2] = {a, o};
    ck_assert_int_eq(clrs_resize_batch(ctx, &p, 2, d, data_alias, &dout, o), CLRS_ERR_ALIASING);
}
END_TEST

/* 1-D and 3-D spatial batches fall out of interpolate's rules. */
START_TEST(test_other_ranks)
{
    clrs_context *ctx = tu_context();
    uint64_t rng = 0xD1CEULL;
    for (int rank = 3; rank <= 5; rank += 2) {
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        p.mode = rank == 3 ? CLRS_INTERP_LINEAR : CLRS_INTERP_TRILINEAR;
        p.n_size = 1;
        p.size[0] = 6;
        tu_tensor in[2], ref;
        clrs_tensor_desc din[2];
        const void *data[2];
        for (int i = 0; i < 2; i++) {
            int64_t sz[5] = {1, 2, tu_range(&rng, 2, 9), tu_range(&rng, 2, 9), tu_range(&rng, 2, 9)};
            tu_alloc(&in[i], CLRS_F32, rank, sz, (tu_layout)i, 0);
            void *v = random_logical(CLRS_F32, clrs_tensor_desc_numel(&in[i].desc), &rng);
            tu_store(&in[i], v);
            free(v);
            din[i] = in[i].desc;
            data[i] = in[i].base;
        }
        int64_t osz[5] = {2, 2, 6, 6, 6};
        tu_tensor out;
        tu_alloc(&out, CLRS_F32, rank, osz, TU_CONTIGUOUS, 0);
        ck_assert_msg(clrs_resize_batch(ctx, &p, 2, din, data, &out.desc, out.base) == CLRS_OK, "%s",
                      clrs_last_error(ctx));
        const int64_t per = clrs_tensor_desc_numel(&out.desc) / 2;
        for (int i = 0; i < 2; i++) {
            osz[0] = 1;
            tu_alloc(&ref, CLRS_F32, rank, osz, TU_CONTIGUOUS, 0);
            ck_assert_int_eq(clrs_interpolate(ctx, &p, &in[i].desc, in[i].base, &ref.desc, ref.base), CLRS_OK);
            ck_assert_int_eq(memcmp(out.base + (size_t)(i * per) * sizeof(float), ref.base, (size_t)per * sizeof(float)), 0);
            tu_free(&ref);
            tu_free(&in[i]);
        }
        tu_free(&out);
    }
}
END_TEST

int main(void)
{
    tu_require_platform();
    tu_binary_cache_off();
    Suite *s = suite_create("resize_batch");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, tu_timeout(1200));
    tcase_add_loop_test(tc, test_bits_match_per_image, 0, (int)(sizeof DTS / sizeof DTS[0]));
    tcase_add_test(tc, test_errors_and_empty);
    tcase_add_test(tc, test_other_ranks);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_context_release();
    return failed == 0 ? 0 : 1;
}
