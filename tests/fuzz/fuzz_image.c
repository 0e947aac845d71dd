/* SPDX-License-Identifier: MIT */
/* Fuzz harness (b): the image readers (tools/image.c: PNG through libpng,
 * binary PGM/PPM), through image_read on a file holding the input. On
 * success the image must be self-consistent (1..4 channels, 8 or 16 bits,
 * nbytes = width * height * channels * bytes per sample, within the
 * documented limits) and its data readable over all of nbytes; on failure
 * the message must be one line starting with the file name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "image.h"

const char fuzz_name[] = "image";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[1024];
    int fd = fuzz_data_file(data, size, path, sizeof path);
    if (fd < 0) return 0;
    image img;
    int rc = image_read(path, &img, err, sizeof err);
    if (rc == 0) {
        if (img.channels < 1 || img.channels > 4) fuzz_fail("%d channels", img.channels);
        if (img.depth != 8 && img.depth != 16) fuzz_fail("depth %d", img.depth);
        if (img.width == 0 || img.height == 0 || img.width > IMAGE_MAX_DIM || img.height > IMAGE_MAX_DIM ||
            (uint64_t)img.width * img.height > IMAGE_MAX_PIXELS)
            fuzz_fail("accepted a %ux%u image", img.width, img.height);
        uint64_t want = (uint64_t)img.width * img.height * (uint64_t)img.channels * (uint64_t)(img.depth / 8);
        if (want != img.nbytes) fuzz_fail("nbytes %zu, expected %llu", img.nbytes, (unsigned long long)want);
        if (img.data == NULL) fuzz_fail("data is NULL");
        if (img.format != IMAGE_FMT_PNG && img.format != IMAGE_FMT_PPM && img.format != IMAGE_FMT_PGM)
            fuzz_fail("format %d", (int)img.format);
        if ((img.format == IMAGE_FMT_PPM && img.channels != 3) || (img.format == IMAGE_FMT_PGM && img.channels != 1))
            fuzz_fail("%s with %d channels", image_format_name(img.format), img.channels);
        unsigned sum = 0;
        for (size_t i = 0; i < img.nbytes; i++) sum += ((const unsigned char *)img.data)[i];
        (void)sum;
        /* the writer's format check on what was read */
        char e2[256];
        if (image_check_format("x.png", IMAGE_FMT_PNG, img.channels, e2, sizeof e2) != 0)
            fuzz_fail("a PNG cannot hold the %d channels just read: %s", img.channels, e2);
        image_free(&img);
    } else {
        if (strncmp(err, path, strlen(path)) != 0 || strchr(err, '\n') != NULL)
            fuzz_fail("message is not one line starting with the file name: '%s'", err);
        if (img.data != NULL || img.nbytes != 0) fuzz_fail("failed read left data behind");
    }
    image_free(&img); /* idempotent */
    close(fd);
    return 0;
}
