/* SPDX-License-Identifier: MIT */
/*
 * image.h — reading and atomically writing PNG, PPM and PGM images for the
 * CLI's `resize` subcommand.
 *
 * Decoded images are held channels-last: rows top to bottom, pixels left to
 * right, the samples of a pixel interleaved (gray; gray, alpha; R, G, B;
 * R, G, B, A), 8 bits (uint8) or 16 bits (uint16 in host byte order) per
 * sample. That is exactly the memory of a channels-last (1, C, H, W) tensor,
 * so the buffer goes to the library without any copy.
 *
 * Reading (the format is recognised by content, not by the file name):
 *  - PNG through libpng: 8- and 16-bit gray, gray+alpha, RGB and RGBA are kept
 *    as they are; palette images become RGB (RGBA with a tRNS chunk), gray
 *    below 8 bits becomes 8-bit gray scaled to the full range, and a tRNS
 *    colour key becomes an alpha channel. Interlaced (Adam7) files are fine.
 *    No colour or gamma conversion is made, and every ancillary chunk
 *    (gAMA, cHRM, sRGB, iCCP, text, time, pHYs, sBIT, ...) is ignored.
 *  - Binary PGM (P5, gray) and PPM (P6, RGB): maxval 1..255 gives 8-bit
 *    samples, 256..65535 16-bit (big-endian in the file); a maxval other
 *    than 255 or 65535 is rescaled to the full range, rounding to nearest.
 *    Comments in the header are allowed (and dropped).
 * Writing: the format comes from the extension of the name (.png, .ppm,
 * .pgm, any case); a PPM holds RGB only and a PGM gray only.
 *
 * Limits: width and height at most 2^31 - 1, at most 2^31 pixels, checked
 * before anything is allocated. The reader never trusts a file: a bad or
 * truncated image is an error, and libpng's errors are caught (setjmp) and
 * its warnings discarded, without leaks.
 *
 * Error messages are one line, without a trailing newline, start with the
 * file name and go to `err` (which may be NULL). Nothing here prints.
 */
#ifndef CLRS_TOOLS_IMAGE_H
#define CLRS_TOOLS_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum image_format {
    IMAGE_FMT_UNKNOWN = 0,
    IMAGE_FMT_PNG,
    IMAGE_FMT_PPM, /* binary P6 */
    IMAGE_FMT_PGM  /* binary P5 */
} image_format;

#define IMAGE_MAX_DIM 0x7fffffffu          /* PNG's limit for either side */
#define IMAGE_MAX_PIXELS ((uint64_t)1 << 31) /* width * height */

typedef struct image {
    uint32_t width, height;
    int channels; /* 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA */
    int depth;    /* bits per sample: 8 or 16 */
    void *data;   /* channels-last samples, malloc'ed */
    size_t nbytes;
    image_format format; /* the file format it was read from (reader only) */
} image;

/* The output format an image file name asks for (by extension); UNKNOWN if none. */
image_format image_format_from_path(const char *path);
/* "PNG", "PPM", "PGM" or "unknown". */
const char *image_format_name(image_format fmt);
/* "gray", "gray+alpha", "RGB", "RGBA" (or "C-channel" for anything else). */
const char *image_channels_name(int channels);

/*
 * Reads an image file (PNG, P5 or P6, by content). `out` is treated as
 * uninitialised; on failure it is zeroed (image_free on it is harmless).
 * Only regular files are read (no FIFOs or devices, no blocking).
 * Returns 0, or -1 with a message in err.
 */
int image_read(const char *path, image *out, char *err, size_t errlen);

/*
 * Memory budget for image_read_limited (0 = no limit): max_pixels bounds
 * width * height, max_bytes the decoded buffer (pixels * channels * bytes per
 * sample, after palette/gray/tRNS expansion). Checked from the header, before
 * the image buffer is allocated or any pixel data is decompressed, so a
 * small "decompression bomb" costs nothing.
 */
typedef struct image_limits {
    uint64_t max_pixels;
    uint64_t max_bytes;
} image_limits;

/* image_read with a budget (`lim` NULL: none). */
int image_read_limited(const char *path, const image_limits *lim, image *out, char *err,
                       size_t errlen);

/*
 * Whether an image of width x height x channels samples of `depth` bits fits
 * `lim` (NULL: always). Returns 0, or -1 with a message that starts with
 * `what` and names the value, the budget and the CLI option.
 */
int image_check_budget(const char *what, uint64_t width, uint64_t height, int channels, int depth,
                       const image_limits *lim, char *err, size_t errlen);

/*
 * Allocates img->data for width x height x channels samples of `depth` bits
 * (contents undefined) and fills in the other fields, after checking the
 * limits above. `what` prefixes error messages. Returns 0 or -1.
 */
int image_alloc(image *img, uint64_t width, uint64_t height, int channels, int depth,
                const char *what, char *err, size_t errlen);

/*
 * Whether format `fmt` can hold an image of `channels` channels (PPM: 3,
 * PGM: 1, PNG: 1..4). Returns 0, or -1 with a message naming `path`.
 */
int image_check_format(const char *path, image_format fmt, int channels, char *err,
                       size_t errlen);

/*
 * Encodes `img` as `fmt` to the open file descriptor `fd` (`name` prefixes
 * messages); for callers that manage the output file with atomicfile.h.
 * Returns 0, or -1 with a message in err.
 */
int image_write_fd(int fd, const char *name, image_format fmt, const image *img, char *err,
                   size_t errlen);

/*
 * Encodes `img` as `fmt` and writes it to `path` through atomicfile.h: "-"
 * (stdout), a device or a FIFO is written directly; otherwise the bytes go to
 * a new temporary file in the same directory, which is fsync'ed and then
 * rename()d over `path`. On any failure the temporary is removed and an
 * existing `path` is left untouched. A new file's mode is 0666 & ~umask; a
 * replaced file keeps its mode.
 * PNG output has no ancillary chunks; PNM output has maxval 255 or 65535.
 * Returns 0, or -1 with a message in err.
 */
int image_write_atomic(const char *path, image_format fmt, const image *img, char *err,
                       size_t errlen);

/* Frees img->data and zeroes *img. NULL-safe and idempotent. */
void image_free(image *img);

#ifdef __cplusplus
}
#endif

#endif /* CLRS_TOOLS_IMAGE_H */
