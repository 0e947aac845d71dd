#!/usr/bin/env python3
"""Regenerate the images in tests/data/images (deterministic; numpy only).

    python3 tests/data/images/make_sample.py [OUTDIR]

sample.png is the README's quick-start picture: 256x192 RGB with smooth
gradients, soft-edged discs, a zone plate, fine stripes and small text, so
that aliasing (nearest, no antialias) and ringing (bicubic, lanczos) are
easy to see after downscaling. The other files are tiny fixtures for
tests/test_resize.sh; the .ppm/.pgm next to a .png hold the same pixels, so
the test can check decoding byte for byte without Python.

PNG files are written here with zlib + struct (no PIL), so every chunk is
under control, including deliberately broken ones.
"""
import os
import struct
import sys
import zlib

import numpy as np

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------
# PNG writer


def chunk(ctype, data, bad_crc=False):
    crc = zlib.crc32(ctype + data) & 0xFFFFFFFF
    if bad_crc:
        crc ^= 0x5A5A5A5A
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", crc)


def filter_rows(raw, bpp, best=True):
    """raw: (rows, rowbytes) uint8. Returns filtered bytes (filter byte + row).
    best=False: filter 0 everywhere; True: per-row minimum-sum-of-abs heuristic."""
    out = bytearray()
    prior = np.zeros(raw.shape[1], dtype=np.int16)
    for row in raw.astype(np.int16):
        if not best:
            out += b"\x00" + row.astype(np.uint8).tobytes()
            prior = row
            continue
        left = np.concatenate([np.zeros(bpp, np.int16), row[:-bpp]])
        upleft = np.concatenate([np.zeros(bpp, np.int16), prior[:-bpp]])
        p = left + prior - upleft
        pa, pb, pc = np.abs(p - left), np.abs(p - prior), np.abs(p - upleft)
        paeth = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, prior, upleft))
        cands = [
            row,
            row - left,
            row - prior,
            row - (left + prior) // 2,
            row - paeth,
        ]
        cands = [(c % 256).astype(np.uint8) for c in cands]
        cost = [np.abs(c.astype(np.int8).astype(np.int32)).sum() for c in cands]
        k = int(np.argmin(cost))
        out += bytes([k]) + cands[k].tobytes()
        prior = row
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def pack_rows(a, bit_depth):
    """a: (H, W, C) integer samples -> (H, rowbytes) uint8 rows."""
    h, w, c = a.shape
    if bit_depth == 16:
        return a.astype(">u2").reshape(h, w * c).view(np.uint8).reshape(h, w * c * 2)
    if bit_depth == 8:
        return a.astype(np.uint8).reshape(h, w * c)
    assert c == 1
    per = 8 // bit_depth
    wb = (w + per - 1) // per
    rows = np.zeros((h, wb), np.uint8)
    for x in range(w):
        rows[:, x // per] |= (a[:, x, 0].astype(np.uint8) << (8 - bit_depth * (x % per + 1))).astype(np.uint8)
    return rows


def png_bytes(a, bit_depth, color_type, plte=None, trns=None, interlace=False, pre=(), post=(),
              best=True, level=9):
    """a: (H, W, C) samples (palette indices for color_type 3)."""
    h, w, c = a.shape
    bpp = max(1, c * bit_depth // 8)
    if interlace:
        raw = b""
        for x0, y0, dx, dy in ADAM7:
            sub = a[y0::dy, x0::dx]
            if sub.shape[0] and sub.shape[1]:
                raw += filter_rows(pack_rows(sub, bit_depth), bpp, best)
    else:
        raw = filter_rows(pack_rows(a, bit_depth), bpp, best)
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 1 if interlace else 0)
    s = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    for ch in pre:
        s += ch
    if plte is not None:
        s += chunk(b"PLTE", bytes(np.asarray(plte, np.uint8).reshape(-1)))
    if trns is not None:
        s += chunk(b"tRNS", trns)
    s += chunk(b"IDAT", zlib.compress(raw, level))
    for ch in post:
        s += ch
    return s + chunk(b"IEND", b"")


def pnm_bytes(a, maxval=None):
    h, w, c = a.shape
    magic = {1: b"P5", 3: b"P6"}[c]
    if maxval is None:
        maxval = 255 if a.max() <= 255 else 65535
    data = a.astype(">u2" if maxval > 255 else np.uint8).tobytes()
    return magic + b"\n%d %d\n%d\n" % (w, h, maxval) + data


def save(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------------------
# sample.png

FONT = {  # 5x7, '#' = ink
    "c": [".....", ".....", ".###.", "#....", "#....", "#...#", ".###."],
    "l": [".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."],
    "r": [".....", ".....", "#.##.", "##..#", "#....", "#....", "#...."],
    "e": [".....", ".....", ".###.", "#...#", "#####", "#....", ".###."],
    "s": [".....", ".....", ".####", "#....", ".###.", "....#", "####."],
    "a": [".....", ".....", ".###.", "....#", ".####", "#...#", ".####"],
    "m": [".....", ".....", "##.#.", "#.#.#", "#.#.#", "#...#", "#...#"],
    "p": [".....", ".....", "####.", "#...#", "####.", "#....", "#...."],
    " ": ["....."] * 7,
}


def text_mask(text, scale):
    glyphs = [np.array([[ch == "#" for ch in row] for row in FONT[t]]) for t in text]
    m = np.zeros((7, 6 * len(text)), bool)
    for i, g in enumerate(glyphs):
        m[:, 6 * i:6 * i + 5] = g
    return np.kron(m, np.ones((scale, scale), bool))


def blend(img, mask, color, alpha=1.0):
    a = (mask * alpha)[..., None]
    img[:] = img * (1 - a) + np.asarray(color, float) * a


def sample():
    h, w = 192, 256
    y, x = np.mgrid[0:h, 0:w].astype(float)
    img = np.zeros((h, w, 3))
    # sky: blue at the top to warm orange near the horizon, a slight left-right drift
    t = y / (h - 1)
    img[..., 0] = 40 + 200 * t**1.5 + 15 * x / w
    img[..., 1] = 90 + 90 * t - 10 * x / w
    img[..., 2] = 200 - 150 * t
    # ground: green band with a smooth gradient
    ground = y >= 150
    img[ground] = np.stack([30 + 40 * (x / w), 110 - 30 * ((y - 150) / 42), 40 + 0 * x], -1)[ground]

    # soft-edged discs (4x4 supersampled coverage)
    ss = 4
    ys, xs = np.mgrid[0:h * ss, 0:w * ss].astype(float) / ss + 0.5 / ss

    def disc(cx, cy, r):
        m = ((xs - cx) ** 2 + (ys - cy) ** 2 <= r * r).astype(float)
        return m.reshape(h, ss, w, ss).mean(axis=(1, 3))

    blend(img, disc(200, 45, 26), (255, 230, 120))  # sun
    blend(img, disc(60, 140, 30), (200, 40, 60), 0.9)
    blend(img, disc(95, 150, 22), (40, 80, 210), 0.8)
    blend(img, disc(128, 128, 14), (250, 250, 250), 0.7)

    # zone plate: rings of rising frequency, the classic aliasing detector
    zy, zx, zs = 96, 176, 64
    yy, xx = np.mgrid[0:zs, 0:zs].astype(float) - zs / 2 + 0.5
    zone = 0.5 + 0.5 * np.cos(np.pi * (xx * xx + yy * yy) / zs * 1.6)
    img[zy - 10:zy - 10 + zs, zx:zx + zs] = (zone * 255)[..., None] * np.array([1.0, 1.0, 1.0])

    # fine stripes: 1-pixel vertical lines, 2-pixel horizontal lines, a checkerboard
    img[100:140, 10:40] = np.where((x[100:140, 10:40] % 2) < 1, 255, 0)[..., None]
    img[100:140, 40:70] = np.where((y[100:140, 40:70] % 4) < 2, 255, 20)[..., None]
    cb = ((x[60:90, 10:70] // 2 + y[60:90, 10:70] // 2) % 2)[..., None]
    img[60:90, 10:70] = cb * np.array([250, 250, 60]) + (1 - cb) * np.array([30, 30, 120])

    # text: big title with a shadow, and two lines of small 1-pixel-stroke text
    big = text_mask("clresample", 2)
    th, tw = big.shape
    blend(img[9:9 + th, 9:9 + tw], big, (0, 0, 0), 0.6)
    blend(img[8:8 + th, 8:8 + tw], big, (255, 255, 255))
    small = text_mask("resample resample", 1)
    sh_, sw = small.shape
    blend(img[160:160 + sh_, 8:8 + sw], small, (255, 255, 255))
    blend(img[170:170 + sh_, 8:8 + sw], small, (0, 0, 0))
    blend(img[180:180 + sh_, 8:8 + sw], small, (255, 255, 0))

    return np.clip(np.round(img), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------------------


def main():
    os.makedirs(OUT, exist_ok=True)
    s = sample()
    save("sample.png", png_bytes(s, 8, 2, post=[chunk(b"tEXt", b"Software\0clresample make_sample.py")]))

    # 8-bit RGB 13x9, plain and interlaced (with metadata, an unknown chunk and
    # an ancillary chunk with a bad CRC that must be skipped silently)
    yy, xx = np.mgrid[0:9, 0:13]
    rgb8 = np.stack([(19 * xx + 7 * yy) % 256, (29 * yy + 3 * xx + 50) % 256, (xx * yy * 11) % 256], -1)
    save("rgb8.png", png_bytes(rgb8, 8, 2))
    save("rgb8.ppm", pnm_bytes(rgb8))
    meta = [
        chunk(b"gAMA", struct.pack(">I", 45455)),
        chunk(b"iCCP", b"bogus\0\0" + zlib.compress(b"not an ICC profile")),
        chunk(b"pHYs", struct.pack(">IIB", 2835, 2835, 1)),
        chunk(b"clRs", b"private ancillary chunk"),
    ]
    meta_post = [
        chunk(b"tEXt", b"Comment\0text metadata is dropped"),
        chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"compressed text is dropped too")),
        chunk(b"tIME", struct.pack(">HBBBBB", 2024, 1, 2, 3, 4, 5)),
        chunk(b"tEXt", b"Comment\0this chunk has a bad CRC", bad_crc=True),
    ]
    save("rgb8_adam7_meta.png", png_bytes(rgb8, 8, 2, interlace=True, pre=meta, post=meta_post))

    # 16-bit RGB 3x2 and 16-bit gray 3x2 (values that differ in both bytes)
    rgb16 = np.array([[[0x0102, 0x0304, 0x0506], [0xFFFF, 0x0000, 0x8001], [0x1234, 0x5678, 0x9ABC]],
                      [[0xFEDC, 0xBA98, 0x7654], [0x00FF, 0xFF00, 0x0F0F], [0xF0F0, 0x1111, 0xEEEE]]])
    save("rgb16.png", png_bytes(rgb16, 16, 2))
    save("rgb16.ppm", pnm_bytes(rgb16, 65535))
    gray16 = rgb16[..., :1] ^ 0x0F0F
    save("gray16.png", png_bytes(gray16, 16, 0))
    save("gray16.pgm", pnm_bytes(gray16, 65535))

    # gray+alpha 8-bit 4x3 and RGBA 8-bit 4x3
    yy, xx = np.mgrid[0:3, 0:4]
    ga8 = np.stack([40 * xx + 60 * yy, 255 - 50 * xx], -1)
    save("ga8.png", png_bytes(ga8, 8, 4))
    rgba8 = np.stack([60 * xx, 100 * yy, 200 - 40 * xx, 255 - 20 * (xx + yy)], -1)
    save("rgba8.png", png_bytes(rgba8, 8, 6))

    # palette: 4-bit, 6 colours, 5x2 (-> RGB); 8-bit with tRNS (-> RGBA)
    plte = [(0, 0, 0), (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (12, 34, 56)]
    idx = np.array([[0, 1, 2, 3, 4], [5, 4, 3, 2, 1]])[..., None]
    save("palette4.png", png_bytes(idx, 4, 3, plte=plte))
    save("palette4.ppm", pnm_bytes(np.asarray(plte)[idx[..., 0]]))
    save("palette_trns.png", png_bytes(idx, 8, 3, plte=plte, trns=bytes([0, 128, 255])))

    # 1-bit gray 10x2 (-> 8-bit gray 0 / 255)
    bits = np.array([[1, 0, 1, 1, 0, 0, 1, 0, 1, 1], [0, 1, 0, 0, 1, 1, 0, 1, 0, 0]])[..., None]
    save("gray1.png", png_bytes(bits, 1, 0))
    save("gray1.pgm", pnm_bytes(bits * 255))

    # PGM (P5) with comments in the header, and PPM (P6), 8-bit 4x3
    g = (yy * 4 + xx) * 20
    save("gray.pgm", b"P5\n# a comment\n4 # another\n3\n255\n" + g.astype(np.uint8).tobytes())
    save("rgb.ppm", pnm_bytes(np.stack([g, 255 - g, (g * 3) % 256], -1)))

    # broken files
    whole = png_bytes(s[:64, :64], 8, 2)
    idat = whole.index(b"IDAT")
    save("truncated.png", whole[: idat + 4 + 200])  # cut inside the IDAT data
    good = png_bytes(rgb8, 8, 2)
    i = good.index(b"IDAT")
    n = struct.unpack(">I", good[i - 4:i])[0]
    crc_at = i + 4 + n
    save("badcrc.png", good[:crc_at] + bytes([good[crc_at] ^ 0xFF]) + good[crc_at + 1:])
    save("lying.ppm", b"P6\n64 64\n255\n" + bytes(range(12)))  # says 12288 bytes, has 12
    # 65536 x 65536 (2^32 pixels): refused from the header, before any allocation
    huge = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 65536, 65536, 8, 2, 0, 0, 0))
    save("huge.png", huge + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    main()
