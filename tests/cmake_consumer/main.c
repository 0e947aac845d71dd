/* SPDX-License-Identifier: MIT */
/* Built with CMake (find_package(clresample), clresample::clresample)
 * against an installed clresample: checks the version and runs a 2x2 max
 * pooling with indices. */
#include <clresample.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    printf("clresample %s\n", clrs_version_string());
    if (strcmp(clrs_version_string(), CLRS_VERSION_STRING) != 0) {
        fprintf(stderr, "header %s but library %s\n", CLRS_VERSION_STRING, clrs_version_string());
        return 1;
    }
    clrs_context *ctx = NULL;
    clrs_status st = clrs_context_create(&ctx, NULL);
    if (st != CLRS_OK) {
        fprintf(stderr, "clrs_context_create: %s: %s\n", clrs_strerror(st), clrs_last_error(NULL));
        return 1;
    }
    int64_t in_sizes[4] = {1, 1, 4, 4}, out_sizes[4] = {1, 1, 2, 2};
    clrs_tensor_desc in, out, idx;
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 4, in_sizes);
    clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, out_sizes);
    clrs_tensor_desc_contiguous(&idx, CLRS_I64, 4, out_sizes);
    clrs_pool_params p;
    clrs_pool_params_init(&p, CLRS_POOL_MAX);
    p.n_kernel = 1;
    p.kernel[0] = 2;
    static const float src[16] = {1, 5, 2, 0, 3, 4, 8, 7, -1, -2, 6, 6, -3, -4, 9, 6};
    float dst[4];
    int64_t ind[4];
    st = clrs_pool(ctx, &p, &in, src, &out, dst, &idx, ind);
    if (st != CLRS_OK) {
        fprintf(stderr, "clrs_pool: %s: %s\n", clrs_strerror(st), clrs_last_error(ctx));
        clrs_context_release(ctx);
        return 1;
    }
    clrs_context_release(ctx);
    static const float want[4] = {5, 8, -1, 9};
    static const int64_t want_ind[4] = {1, 6, 8, 14};
    if (memcmp(dst, want, sizeof want) != 0 || memcmp(ind, want_ind, sizeof want_ind) != 0) {
        fprintf(stderr, "max_pool2d: wrong result\n");
        return 1;
    }
    printf("max_pool2d 2x2 with indices through clresample::clresample: OK\n");
    return 0;
}
