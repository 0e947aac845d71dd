/* SPDX-License-Identifier: MIT */
/* Built by `make installcheck` (and CI) against the *installed* library
 * with `pkg-config --cflags --libs clresample`: runs one operator. */
#include <clresample.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    if (clrs_version_number() != CLRS_VERSION_NUMBER) {
        fprintf(stderr, "header %s but library %s\n", CLRS_VERSION_STRING, clrs_version_string());
        return 1;
    }
    clrs_context *ctx = NULL;
    clrs_status st = clrs_context_create(&ctx, NULL);
    if (st != CLRS_OK) {
        fprintf(stderr, "clrs_context_create: %s: %s\n", clrs_strerror(st), clrs_last_error(NULL));
        return 1;
    }
    int64_t in_sizes[4] = {1, 1, 2, 2}, out_sizes[4] = {1, 1, 4, 4};
    clrs_tensor_desc in, out;
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 4, in_sizes);
    clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, out_sizes);
    clrs_interpolate_params p;
    clrs_interpolate_params_init(&p);
    p.mode = CLRS_INTERP_NEAREST;
    p.n_scale = 1;
    p.scale[0] = 2.0;
    float src[4] = {1, 2, 3, 4}, dst[16];
    st = clrs_interpolate(ctx, &p, &in, src, &out, dst);
    if (st != CLRS_OK) {
        fprintf(stderr, "clrs_interpolate: %s: %s\n", clrs_strerror(st), clrs_last_error(ctx));
        return 1;
    }
    static const float want[16] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
    if (memcmp(dst, want, sizeof want) != 0) {
        fprintf(stderr, "wrong result\n");
        return 1;
    }
    clrs_context_release(ctx);
    printf("installed clresample %s: nearest x2 OK\n", clrs_version_string());
    return 0;
}
