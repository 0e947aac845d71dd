/* SPDX-License-Identifier: MIT */
/*
 * image.c — PNG (libpng), PPM and PGM reading and atomic writing (see image.h).
 *
 * libpng reports errors through a callback that must not return; ours records
 * the message and longjmp()s back to the setjmp() in png_read_file() or
 * png_write_file(). Those two functions assign nothing after setjmp() (all
 * state lives in a struct owned by the caller and in *img), so nothing is
 * clobbered, and everything allocated is freed on the error path. Warnings
 * and benign errors are dropped silently.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* realpath() in atomicfile.h */
#endif
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <png.h> /* first: it includes <setjmp.h> itself */

#include "image.h"
#include "atomicfile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* O_CLOEXEC and O_NOCTTY fall back to 0 in atomicfile.h. */

#if defined(__GNUC__) || defined(__clang__)
#define IMG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define IMG_PRINTF(a, b)
#endif

#define IO_BUF (1u << 16)
/* Largest read()/write() request, well under SSIZE_MAX everywhere. */
#define IO_CHUNK ((size_t)1 << 30)

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

static void seterr(char *err, size_t errlen, const char *fmt, ...) IMG_PRINTF(3, 4);
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    if (n < 0) err[0] = '\0';
    for (char *p = err; *p; p++) /* one line whatever the name or libpng said */
        if (*p == '\n' || *p == '\r') *p = ' ';
}

static int host_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static void swap16(void *data, size_t nsamples)
{
    unsigned char *p = (unsigned char *)data;
    for (size_t i = 0; i < nsamples; i++, p += 2) {
        unsigned char t = p[0];
        p[0] = p[1];
        p[1] = t;
    }
}

const char *image_format_name(image_format fmt)
{
    switch (fmt) {
    case IMAGE_FMT_PNG: return "PNG";
    case IMAGE_FMT_PPM: return "PPM";
    case IMAGE_FMT_PGM: return "PGM";
    case IMAGE_FMT_UNKNOWN: break;
    }
    return "unknown";
}

const char *image_channels_name(int channels)
{
    switch (channels) {
    case 1: return "gray";
    case 2: return "gray+alpha";
    case 3: return "RGB";
    case 4: return "RGBA";
    default: return "C-channel";
    }
}

image_format image_format_from_path(const char *path)
{
    if (!path) return IMAGE_FMT_UNKNOWN;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base || strlen(dot) != 4) return IMAGE_FMT_UNKNOWN;
    char ext[4];
    for (int i = 0; i < 3; i++) ext[i] = (char)tolower((unsigned char)dot[1 + i]);
    ext[3] = '\0';
    if (!strcmp(ext, "png")) return IMAGE_FMT_PNG;
    if (!strcmp(ext, "ppm")) return IMAGE_FMT_PPM;
    if (!strcmp(ext, "pgm")) return IMAGE_FMT_PGM;
    return IMAGE_FMT_UNKNOWN;
}

void image_free(image *img)
{
    if (!img) return;
    free(img->data);
    memset(img, 0, sizeof *img);
}

int image_alloc(image *img, uint64_t width, uint64_t height, int channels, int depth,
                const char *what, char *err, size_t errlen)
{
    memset(img, 0, sizeof *img);
    if (channels < 1 || channels > 4 || (depth != 8 && depth != 16)) {
        seterr(err, errlen, "%s: unsupported image layout: %d channels of %d bits", what, channels,
               depth);
        return -1;
    }
    if (width == 0 || height == 0) {
        seterr(err, errlen, "%s: empty image (%llux%llu pixels)", what, (unsigned long long)width,
               (unsigned long long)height);
        return -1;
    }
    /* Both sides <= 2^31 - 1, so the product fits in 64 bits. */
    if (width > IMAGE_MAX_DIM || height > IMAGE_MAX_DIM || width * height > IMAGE_MAX_PIXELS) {
        seterr(err, errlen,
               "%s: image of %llux%llu pixels is too large (at most 2^31 pixels and 2^31-1 per "
               "side)",
               what, (unsigned long long)width, (unsigned long long)height);
        return -1;
    }
    uint64_t bytes = width * height * (uint64_t)channels * (uint64_t)(depth / 8); /* <= 2^34 */
    if (bytes > (uint64_t)SIZE_MAX) {
        seterr(err, errlen, "%s: image of %llux%llu pixels is too large for this machine", what,
               (unsigned long long)width, (unsigned long long)height);
        return -1;
    }
    img->data = malloc((size_t)bytes);
    if (!img->data) {
        seterr(err, errlen, "%s: out of memory allocating %llu bytes for a %llux%llu image", what,
               (unsigned long long)bytes, (unsigned long long)width, (unsigned long long)height);
        return -1;
    }
    img->width = (uint32_t)width;
    img->height = (uint32_t)height;
    img->channels = channels;
    img->depth = depth;
    img->nbytes = (size_t)bytes;
    return 0;
}

int image_check_budget(const char *what, uint64_t width, uint64_t height, int channels, int depth,
                       const image_limits *lim, char *err, size_t errlen)
{
    if (!lim) return 0;
    /* Both sides < 2^32, so the pixel count fits; bytes saturate. */
    const uint64_t px = width * height;
    const uint64_t per =
        (uint64_t)(channels > 0 ? channels : 1) * (uint64_t)(depth >= 8 ? depth / 8 : 1);
    const uint64_t bytes = px > UINT64_MAX / per ? UINT64_MAX : px * per;
    if (lim->max_pixels && px > lim->max_pixels) {
        seterr(err, errlen,
               "%s: image of %llux%llu = %llu pixels is too large for the budget of %llu pixels "
               "(--max-pixels)",
               what, (unsigned long long)width, (unsigned long long)height,
               (unsigned long long)px, (unsigned long long)lim->max_pixels);
        return -1;
    }
    if (lim->max_bytes && bytes > lim->max_bytes) {
        seterr(err, errlen,
               "%s: image of %llux%llu %d-bit %s needs %llu bytes: too large for the budget of "
               "%llu bytes (--max-bytes)",
               what, (unsigned long long)width, (unsigned long long)height, depth,
               image_channels_name(channels), (unsigned long long)bytes,
               (unsigned long long)lim->max_bytes);
        return -1;
    }
    return 0;
}

int image_check_format(const char *path, image_format fmt, int channels, char *err,
                       size_t errlen)
{
    switch (fmt) {
    case IMAGE_FMT_PNG:
        if (channels >= 1 && channels <= 4) return 0;
        break;
    case IMAGE_FMT_PPM:
        if (channels == 3) return 0;
        seterr(err, errlen,
               "%s: a PPM file holds RGB images, not %s ones (write a .png%s instead)", path,
               image_channels_name(channels), channels == 1 ? " or .pgm" : "");
        return -1;
    case IMAGE_FMT_PGM:
        if (channels == 1) return 0;
        seterr(err, errlen,
               "%s: a PGM file holds gray images, not %s ones (write a .png%s instead)", path,
               image_channels_name(channels), channels == 3 ? " or .ppm" : "");
        return -1;
    case IMAGE_FMT_UNKNOWN:
        seterr(err, errlen, "%s: unknown image type (expected a .png, .ppm or .pgm name)", path);
        return -1;
    }
    seterr(err, errlen, "%s: cannot write an image of %d channels", path, channels);
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Buffered input                                                           */

typedef struct reader {
    int fd;
    const char *path;
    uint64_t size; /* file size */
    uint64_t pos;  /* bytes consumed */
    int io_errno;  /* a read error (0: none; EOF is not an error) */
    size_t bpos, blen;
    unsigned char buf[IO_BUF];
} reader;

static ssize_t read_some(int fd, void *buf, size_t n)
{
    ssize_t r;
    do
        r = read(fd, buf, n < IO_CHUNK ? n : IO_CHUNK);
    while (r < 0 && errno == EINTR);
    return r;
}

/* Refill an empty buffer; returns the bytes now available (0 at EOF or error). */
static size_t rd_fill(reader *r)
{
    if (r->bpos < r->blen) return r->blen - r->bpos;
    r->bpos = r->blen = 0;
    if (r->io_errno) return 0;
    ssize_t got = read_some(r->fd, r->buf, sizeof r->buf);
    if (got < 0) {
        r->io_errno = errno ? errno : EIO;
        return 0;
    }
    r->blen = (size_t)got;
    return r->blen;
}

/* Reads up to n bytes; fewer only at end of file or on a read error. */
static size_t rd_read(reader *r, void *dst, size_t n)
{
    unsigned char *d = (unsigned char *)dst;
    size_t done = 0;
    while (done < n) {
        if (r->bpos == r->blen && n - done >= sizeof r->buf) {
            ssize_t got = r->io_errno ? 0 : read_some(r->fd, d + done, n - done);
            if (got < 0) r->io_errno = errno ? errno : EIO;
            if (got <= 0) break;
            done += (size_t)got;
            r->pos += (uint64_t)got;
            continue;
        }
        size_t avail = rd_fill(r);
        if (avail == 0) break;
        size_t k = n - done < avail ? n - done : avail;
        memcpy(d + done, r->buf + r->bpos, k);
        r->bpos += k;
        r->pos += k;
        done += k;
    }
    return done;
}

static int rd_getc(reader *r)
{
    if (rd_fill(r) == 0) return -1;
    r->pos++;
    return r->buf[r->bpos++];
}

/* ------------------------------------------------------------------------ */
/* PNG reading                                                              */

enum { PNG_FAIL_LIBPNG = 0, PNG_FAIL_TRUNCATED, PNG_FAIL_OWN };

typedef struct png_rd {
    reader *r;
    image *img;
    const image_limits *lim;
    int fail;      /* PNG_FAIL_*: how to present msg */
    char msg[400]; /* the first error */
} png_rd;

static void png_error_cb(png_structp png, png_const_charp msg)
{
    png_rd *p = (png_rd *)png_get_error_ptr(png);
    if (p && !p->msg[0]) snprintf(p->msg, sizeof p->msg, "%s", msg && *msg ? msg : "libpng error");
    png_longjmp(png, 1);
}

static void png_warning_cb(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg; /* warnings are not errors, and the CLI prints nothing else */
}

static void png_read_cb(png_structp png, png_bytep data, size_t n)
{
    png_rd *p = (png_rd *)png_get_io_ptr(png);
    if (rd_read(p->r, data, n) == n) return;
    if (!p->msg[0]) {
        if (p->r->io_errno) {
            p->fail = PNG_FAIL_OWN;
            snprintf(p->msg, sizeof p->msg, "%s: read error: %s", p->r->path,
                     strerror(p->r->io_errno));
        } else {
            p->fail = PNG_FAIL_TRUNCATED;
        }
    }
    png_error(png, "unexpected end of file");
}

/* Ancillary chunks we drop unread (metadata the output does not keep); this
 * also spares us decompressing text and colour profiles. tRNS is kept. */
static const png_byte k_png_ignored[] = "bKGD\0cHRM\0cICP\0eXIf\0gAMA\0hIST\0iCCP\0iTXt\0"
                                        "mDCv\0cLLI\0oFFs\0pCAL\0pHYs\0sBIT\0sCAL\0sPLT\0"
                                        "sRGB\0sTER\0tEXt\0tIME\0zTXt";

static void png_decode(png_structp png, png_infop info, png_rd *p)
{
#ifdef PNG_HANDLE_AS_UNKNOWN_SUPPORTED
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, k_png_ignored,
                                (int)(sizeof k_png_ignored / 5));
#endif
    png_set_user_limits(png, IMAGE_MAX_DIM, IMAGE_MAX_DIM);
    png_set_read_fn(png, p, png_read_cb);
    png_read_info(png, info);

    const png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    const int bit_depth = png_get_bit_depth(png, info);
    const int color_type = png_get_color_type(png, info);
    /* Checked before libpng allocates rows or we allocate the image. */
    if ((uint64_t)w * h > IMAGE_MAX_PIXELS) {
        p->fail = PNG_FAIL_OWN;
        snprintf(p->msg, sizeof p->msg,
                 "%s: image of %lux%lu pixels is too large (at most 2^31 pixels)", p->r->path,
                 (unsigned long)w, (unsigned long)h);
        png_error(png, "too large");
    }
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (bit_depth == 16 && host_little_endian()) png_set_swap(png);
    const int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);

    const int channels = png_get_channels(png, info);
    const int depth = png_get_bit_depth(png, info);
    const size_t rowbytes = png_get_rowbytes(png, info);
    if (channels < 1 || channels > 4 || (depth != 8 && depth != 16) ||
        rowbytes != (size_t)w * (size_t)channels * (size_t)(depth / 8)) {
        p->fail = PNG_FAIL_OWN;
        snprintf(p->msg, sizeof p->msg,
                 "%s: internal error: unexpected decoded PNG layout (%d channels, %d bits)",
                 p->r->path, channels, depth);
        png_error(png, "layout");
    }
    /* The budget, before the image buffer exists: a deflate bomb stops here. */
    if (image_check_budget(p->r->path, w, h, channels, depth, p->lim, p->msg, sizeof p->msg) != 0 ||
        image_alloc(p->img, w, h, channels, depth, p->r->path, p->msg, sizeof p->msg) != 0) {
        p->fail = PNG_FAIL_OWN;
        png_error(png, "allocation");
    }
    unsigned char *data = (unsigned char *)p->img->data;
    for (int pass = 0; pass < passes; pass++)
        for (png_uint_32 y = 0; y < h; y++) png_read_row(png, data + (size_t)y * rowbytes, NULL);
    /* The rest of the file up to IEND: CRCs and structure are checked too. */
    png_read_end(png, NULL);
}

/* Decodes the PNG at p->r into *p->img. Nothing is assigned after setjmp. */
static int png_read_file(png_rd *p)
{
    png_structp png =
        png_create_read_struct(PNG_LIBPNG_VER_STRING, p, png_error_cb, png_warning_cb);
    if (!png) {
        p->fail = PNG_FAIL_OWN;
        snprintf(p->msg, sizeof p->msg, "%s: cannot initialise libpng (out of memory?)",
                 p->r->path);
        return -1;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        p->fail = PNG_FAIL_OWN;
        snprintf(p->msg, sizeof p->msg, "%s: cannot initialise libpng (out of memory)",
                 p->r->path);
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    png_decode(png, info, p);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* PGM / PPM reading                                                        */

static int pnm_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Skips white space and comments, then reads a decimal number, which must be
 * followed by white space or a comment (consumed with it). For the maxval
 * (`last`) it must be followed by exactly one white space character, after
 * which the pixel data starts. */
static int pnm_number(reader *r, const char *name, const char *what, int last, uint32_t *out,
                      char *err, size_t errlen)
{
    int c = rd_getc(r);
    for (;;) {
        while (c >= 0 && pnm_space(c)) c = rd_getc(r);
        if (c != '#') break;
        while (c >= 0 && c != '\n' && c != '\r') c = rd_getc(r);
    }
    if (c < 0) {
        if (r->io_errno)
            seterr(err, errlen, "%s: read error: %s", r->path, strerror(r->io_errno));
        else
            seterr(err, errlen, "%s: truncated %s header (no %s)", r->path, name, what);
        return -1;
    }
    if (c < '0' || c > '9') {
        seterr(err, errlen, "%s: invalid %s header: expected the %s, found %s", r->path, name,
               what, isprint(c) ? (char[]){'\'', (char)c, '\'', '\0'} : "a control byte");
        return -1;
    }
    uint64_t v = 0;
    while (c >= '0' && c <= '9') {
        v = v * 10 + (uint64_t)(c - '0');
        if (v > 0xffffffffu) {
            seterr(err, errlen, "%s: invalid %s header: the %s is too large", r->path, name, what);
            return -1;
        }
        c = rd_getc(r);
    }
    if (c < 0) {
        if (r->io_errno)
            seterr(err, errlen, "%s: read error: %s", r->path, strerror(r->io_errno));
        else
            seterr(err, errlen, "%s: truncated %s file (it ends after the %s)", r->path, name,
                   what);
        return -1;
    }
    if (!pnm_space(c) && (last || c != '#')) {
        seterr(err, errlen, "%s: invalid %s header: unexpected %s after the %s", r->path, name,
               isprint(c) ? (char[]){'\'', (char)c, '\'', '\0'} : "control byte", what);
        return -1;
    }
    if (c == '#') { /* a comment right after a number: skip it here */
        while (c >= 0 && c != '\n' && c != '\r') c = rd_getc(r);
    }
    *out = (uint32_t)v;
    return 0;
}

static int pnm_read_file(reader *r, int channels, const image_limits *lim, image *img, char *err,
                         size_t errlen)
{
    const char *name = channels == 3 ? "PPM" : "PGM";
    uint32_t w, h, maxval;
    r->bpos += 2; /* the magic, already checked */
    r->pos += 2;
    if (r->bpos < r->blen && !pnm_space(r->buf[r->bpos]) && r->buf[r->bpos] != '#') {
        seterr(err, errlen, "%s: invalid %s header: no white space after the magic number",
               r->path, name);
        return -1;
    }
    if (pnm_number(r, name, "width", 0, &w, err, errlen) != 0 ||
        pnm_number(r, name, "height", 0, &h, err, errlen) != 0 ||
        pnm_number(r, name, "maxval", 1, &maxval, err, errlen) != 0)
        return -1;
    if (maxval < 1 || maxval > 65535) {
        seterr(err, errlen, "%s: invalid %s header: maxval %lu is not in 1..65535", r->path, name,
               (unsigned long)maxval);
        return -1;
    }
    const int depth = maxval > 255 ? 16 : 8;
    if (w == 0 || h == 0) {
        seterr(err, errlen, "%s: invalid %s header: empty image (%lux%lu pixels)", r->path, name,
               (unsigned long)w, (unsigned long)h);
        return -1;
    }
    if (w > IMAGE_MAX_DIM || h > IMAGE_MAX_DIM || (uint64_t)w * h > IMAGE_MAX_PIXELS) {
        seterr(err, errlen, "%s: image of %lux%lu pixels is too large (at most 2^31 pixels)",
               r->path, (unsigned long)w, (unsigned long)h);
        return -1;
    }
    if (image_check_budget(r->path, w, h, channels, depth, lim, err, errlen) != 0) return -1;
    /* The pixel data must fill the rest of the file exactly: checked before
     * allocating, so a lying header costs nothing. */
    const uint64_t want = (uint64_t)w * h * (uint64_t)channels * (uint64_t)(depth / 8);
    const uint64_t have = r->size > r->pos ? r->size - r->pos : 0;
    if (have < want) {
        seterr(err, errlen,
               "%s: truncated %s file: the header says %lux%lu %d-bit %s (%llu bytes of pixels) "
               "but only %llu byte%s follow%s",
               r->path, name, (unsigned long)w, (unsigned long)h, depth,
               image_channels_name(channels), (unsigned long long)want, (unsigned long long)have,
               have == 1 ? "" : "s", have == 1 ? "s" : "");
        return -1;
    }
    if (have > want) {
        seterr(err, errlen,
               "%s: %llu byte%s of unexpected data after the image (the header says %lux%lu "
               "%d-bit %s; files with several images are not supported)",
               r->path, (unsigned long long)(have - want), have - want == 1 ? "" : "s",
               (unsigned long)w, (unsigned long)h,
               depth, image_channels_name(channels));
        return -1;
    }
    if (image_alloc(img, w, h, channels, depth, r->path, err, errlen) != 0) return -1;
    if (rd_read(r, img->data, img->nbytes) != img->nbytes) {
        if (r->io_errno)
            seterr(err, errlen, "%s: read error: %s", r->path, strerror(r->io_errno));
        else
            seterr(err, errlen, "%s: truncated %s file (it shrank while being read)", r->path,
                   name);
        return -1;
    }
    const size_t n = img->nbytes / (size_t)(depth / 8);
    if (depth == 16) {
        if (host_little_endian()) swap16(img->data, n); /* big-endian in the file */
        uint16_t *s = (uint16_t *)img->data;
        if (maxval != 65535) {
            for (size_t i = 0; i < n; i++) {
                if (s[i] > maxval) {
                    seterr(err, errlen, "%s: invalid %s file: sample value %u exceeds maxval %lu",
                           r->path, name, (unsigned)s[i], (unsigned long)maxval);
                    return -1;
                }
                s[i] = (uint16_t)(((uint32_t)s[i] * 65535u + maxval / 2) / maxval);
            }
        }
    } else if (maxval != 255) {
        unsigned char *s = (unsigned char *)img->data;
        for (size_t i = 0; i < n; i++) {
            if (s[i] > maxval) {
                seterr(err, errlen, "%s: invalid %s file: sample value %u exceeds maxval %lu",
                       r->path, name, (unsigned)s[i], (unsigned long)maxval);
                return -1;
            }
            s[i] = (unsigned char)(((unsigned)s[i] * 255u + maxval / 2) / maxval);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Reading: recognise the format                                            */

/* A message for a known but unsupported file type, or NULL. */
static const char *sniff_other(const unsigned char *b, size_t n)
{
    if (n >= 2 && b[0] == 'P') {
        switch (b[1]) {
        case '1': return "a plain (ASCII) PBM file";
        case '2': return "a plain (ASCII) PGM file";
        case '3': return "a plain (ASCII) PPM file";
        case '4': return "a PBM (bitmap) file";
        case '7': return "a PAM file";
        case 'f':
        case 'F': return "a PFM (floating-point) file";
        default: break;
        }
    }
    if (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) return "a JPEG file";
    if (n >= 6 && (!memcmp(b, "GIF87a", 6) || !memcmp(b, "GIF89a", 6))) return "a GIF file";
    if (n >= 12 && !memcmp(b, "RIFF", 4) && !memcmp(b + 8, "WEBP", 4)) return "a WebP file";
    if (n >= 4 && (!memcmp(b, "II*\0", 4) || !memcmp(b, "MM\0*", 4))) return "a TIFF file";
    if (n >= 6 && !memcmp(b, "\x93NUMPY", 6)) return "a NumPy .npy file (use interpolate)";
    if (n >= 2 && b[0] == 'B' && b[1] == 'M') return "a BMP file";
    return NULL;
}

int image_read(const char *path, image *out, char *err, size_t errlen)
{
    return image_read_limited(path, NULL, out, err, errlen);
}

int image_read_limited(const char *path, const image_limits *lim, image *out, char *err,
                       size_t errlen)
{
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (err && errlen) err[0] = '\0';
    if (out) memset(out, 0, sizeof *out);
    if (!path || !*path) {
        seterr(err, errlen, "image_read: no file name given");
        return -1;
    }
    if (!out) {
        seterr(err, errlen, "%s: image_read: no output image given", path);
        return -1;
    }
    int fd;
    do
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        seterr(err, errlen, "%s: cannot open for reading: %s", path, strerror(errno));
        return -1;
    }
    int rc = -1;
    reader *r = NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        seterr(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        seterr(err, errlen, "%s: is a directory, not an image file", path);
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        seterr(err, errlen, "%s: not a regular file", path);
        goto done;
    }
    if (st.st_size <= 0) {
        seterr(err, errlen, "%s: not an image: the file is empty", path);
        goto done;
    }
    r = (reader *)calloc(1, sizeof *r);
    if (!r) {
        seterr(err, errlen, "%s: out of memory", path);
        goto done;
    }
    r->fd = fd;
    r->path = path;
    r->size = (uint64_t)st.st_size;
    /* The first buffer-full (a short file arrives in one read) for sniffing. */
    while (r->blen < 16 && r->blen < r->size) {
        ssize_t got = read_some(fd, r->buf + r->blen, sizeof r->buf - r->blen);
        if (got < 0) {
            seterr(err, errlen, "%s: read error: %s", path, strerror(errno));
            goto done;
        }
        if (got == 0) break;
        r->blen += (size_t)got;
    }
    const unsigned char *b = r->buf;
    const size_t n = r->blen;
    if (n >= 8 && !memcmp(b, png_sig, 8)) {
        png_rd p;
        memset(&p, 0, sizeof p);
        p.r = r;
        p.img = out;
        p.lim = lim;
        if (png_read_file(&p) == 0) {
            out->format = IMAGE_FMT_PNG;
            rc = 0;
        } else if (p.fail == PNG_FAIL_OWN) {
            seterr(err, errlen, "%s", p.msg);
        } else if (p.fail == PNG_FAIL_TRUNCATED) {
            seterr(err, errlen, "%s: truncated PNG file (unexpected end of file)", path);
        } else {
            seterr(err, errlen, "%s: invalid PNG file: %s", path, p.msg);
        }
    } else if (n >= 2 && b[0] == 'P' && (b[1] == '5' || b[1] == '6')) {
        const int channels = b[1] == '6' ? 3 : 1;
        if (pnm_read_file(r, channels, lim, out, err, errlen) == 0) {
            out->format = channels == 3 ? IMAGE_FMT_PPM : IMAGE_FMT_PGM;
            rc = 0;
        }
    } else if (n >= 4 && !memcmp(b, png_sig, 4)) {
        seterr(err, errlen, "%s: invalid PNG file: damaged signature", path);
    } else {
        const char *what = sniff_other(b, n);
        if (what)
            seterr(err, errlen,
                   "%s: unsupported image type: %s (supported: PNG, binary PPM (P6) and PGM (P5))",
                   path, what);
        else
            seterr(err, errlen, "%s: not a PNG, PPM or PGM image (unrecognised content)", path);
    }
done:
    if (rc != 0) image_free(out);
    free(r);
    close(fd);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Buffered output                                                          */

typedef struct writer {
    int fd;
    int err_no; /* first write error; nothing more is written after one */
    size_t len;
    unsigned char buf[IO_BUF];
} writer;

static int write_full(int fd, const void *buf, size_t n)
{
    const unsigned char *p = (const unsigned char *)buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n < IO_CHUNK ? n : IO_CHUNK);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void wr_flush(writer *w)
{
    if (w->err_no == 0 && w->len > 0 && write_full(w->fd, w->buf, w->len) != 0)
        w->err_no = errno ? errno : EIO;
    w->len = 0;
}

static void wr_put(writer *w, const void *data, size_t n)
{
    const unsigned char *p = (const unsigned char *)data;
    while (n > 0 && w->err_no == 0) {
        if (w->len == 0 && n >= sizeof w->buf) {
            if (write_full(w->fd, p, n) != 0) w->err_no = errno ? errno : EIO;
            return;
        }
        size_t k = sizeof w->buf - w->len;
        if (k > n) k = n;
        memcpy(w->buf + w->len, p, k);
        w->len += k;
        p += k;
        n -= k;
        if (w->len == sizeof w->buf) wr_flush(w);
    }
}

/* ------------------------------------------------------------------------ */
/* Encoders                                                                 */

typedef struct png_wr {
    writer *w;
    char msg[400];
} png_wr;

static void png_werror_cb(png_structp png, png_const_charp msg)
{
    png_wr *p = (png_wr *)png_get_error_ptr(png);
    if (p && !p->msg[0]) snprintf(p->msg, sizeof p->msg, "%s", msg && *msg ? msg : "libpng error");
    png_longjmp(png, 1);
}

static void png_write_cb(png_structp png, png_bytep data, size_t n)
{
    png_wr *p = (png_wr *)png_get_io_ptr(png);
    wr_put(p->w, data, n);
    if (p->w->err_no) png_error(png, "write error");
}

static void png_flush_cb(png_structp png) { (void)png; }

static void png_encode(png_structp png, png_infop info, png_wr *p, const image *img)
{
    static const int color_types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                       PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
    png_set_write_fn(png, p, png_write_cb, png_flush_cb);
    png_set_IHDR(png, info, img->width, img->height, img->depth, color_types[img->channels],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    if (img->depth == 16 && host_little_endian()) png_set_swap(png);
    const size_t rowbytes = (size_t)img->width * (size_t)img->channels * (size_t)(img->depth / 8);
    const unsigned char *data = (const unsigned char *)img->data;
    for (uint32_t y = 0; y < img->height; y++) png_write_row(png, data + (size_t)y * rowbytes);
    png_write_end(png, NULL);
}

/* Encodes img into p->w. Nothing is assigned after setjmp. */
static int png_write_file(png_wr *p, const image *img)
{
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, p, png_werror_cb, png_warning_cb);
    if (!png) {
        snprintf(p->msg, sizeof p->msg, "cannot initialise libpng (out of memory?)");
        return -1;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        snprintf(p->msg, sizeof p->msg, "cannot initialise libpng (out of memory)");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return -1;
    }
    png_encode(png, info, p, img);
    png_destroy_write_struct(&png, &info);
    return 0;
}

static void pnm_encode(writer *w, const image *img)
{
    char header[64];
    int n = snprintf(header, sizeof header, "P%c\n%lu %lu\n%u\n", img->channels == 3 ? '6' : '5',
                     (unsigned long)img->width, (unsigned long)img->height,
                     img->depth == 16 ? 65535u : 255u);
    wr_put(w, header, (size_t)n);
    if (img->depth == 8 || !host_little_endian()) {
        wr_put(w, img->data, img->nbytes);
        return;
    }
    unsigned char chunk[1 << 14]; /* samples swapped to big-endian, a chunk at a time */
    const unsigned char *src = (const unsigned char *)img->data;
    for (size_t left = img->nbytes; left > 0 && w->err_no == 0;) {
        size_t k = left < sizeof chunk ? left : sizeof chunk;
        memcpy(chunk, src, k);
        swap16(chunk, k / 2);
        wr_put(w, chunk, k);
        src += k;
        left -= k;
    }
}

/* ------------------------------------------------------------------------ */
/* Atomic writing                                                           */

/* The checks both writers share. */
static int check_writable(const char *path, image_format fmt, const image *img, char *err,
                          size_t errlen)
{
    if (!img || !img->data || img->width == 0 || img->height == 0 ||
        img->width > IMAGE_MAX_DIM || img->height > IMAGE_MAX_DIM || img->channels < 1 ||
        img->channels > 4 || (img->depth != 8 && img->depth != 16) ||
        (uint64_t)img->nbytes != (uint64_t)img->width * img->height * (uint64_t)img->channels *
                                     (uint64_t)(img->depth / 8)) {
        seterr(err, errlen, "%s: internal error: inconsistent image", path);
        return -1;
    }
    return image_check_format(path, fmt, img->channels, err, errlen);
}

/* Encodes to fd; `path` names it in messages. */
static int encode_to_fd(int fd, const char *path, image_format fmt, const image *img, char *err,
                        size_t errlen)
{
    writer *w = (writer *)malloc(sizeof *w);
    png_wr *pw = (png_wr *)calloc(1, sizeof *pw);
    int rc = -1;
    if (!w || !pw) {
        seterr(err, errlen, "%s: out of memory", path);
        goto done;
    }
    w->fd = fd;
    w->err_no = 0;
    w->len = 0;
    if (fmt == IMAGE_FMT_PNG) {
        pw->w = w;
        if (png_write_file(pw, img) != 0 && w->err_no == 0) {
            seterr(err, errlen, "%s: PNG encoding failed: %s", path, pw->msg);
            goto done;
        }
    } else {
        pnm_encode(w, img);
    }
    wr_flush(w);
    if (w->err_no) {
        seterr(err, errlen, "%s: write error: %s", path, strerror(w->err_no));
        goto done;
    }
    rc = 0;
done:
    free(w);
    free(pw);
    return rc;
}

int image_write_fd(int fd, const char *name, image_format fmt, const image *img, char *err,
                   size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    const char *path = name && *name ? name : "<output>";
    if (check_writable(path, fmt, img, err, errlen) != 0) return -1;
    return encode_to_fd(fd, path, fmt, img, err, errlen);
}

int image_write_atomic(const char *path, image_format fmt, const image *img, char *err,
                       size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!path || !*path) {
        seterr(err, errlen, "image_write_atomic: no file name given");
        return -1;
    }
    size_t plen = strlen(path);
    if (path[plen - 1] == '/') {
        seterr(err, errlen, "%s: is a directory name, not a file name", path);
        return -1;
    }
    if (check_writable(path, fmt, img, err, errlen) != 0) return -1;
    atomic_file af;
    if (atomic_file_open(&af, path, err, errlen) != 0) return -1;
    int ok = encode_to_fd(af.fd, path, fmt, img, err, errlen) == 0;
    return atomic_file_finish(&af, ok, err, errlen);
}
