#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate the committed seed corpora of the fuzz harnesses.

    python3 tests/fuzz/make_seeds.py

corpus/npy and corpus/image are copies of the small fixtures in tests/data;
corpus/ops holds inputs for fuzz_ops.c written with an encoder that mirrors
its decoder, one per operator configuration worth starting from (every
operator, every dtype, the layouts, the cl_mem path, indices, aliasing and
short buffers). Only needed when the decoder changes; CI uses the files.
"""
import math
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")

F32, F64, F16, BF16, U8, U16, I64 = 1, 2, 3, 4, 5, 6, 7
OP_INTERP, OP_POOL, OP_UNPOOL, OP_SHUFFLE, OP_MISC = range(5)
F_CLMEM, F_INDICES, F_MUTATE, F_SHRINK, F_ALIAS, F_EVENT = 1, 2, 4, 8, 16, 32
RANK_BYTE = {3: 0, 4: 1, 5: 2}
MODES = {"nearest": 0, "nearest-exact": 1, "linear": 2, "bilinear": 3, "trilinear": 4,
         "bicubic": 5, "area": 6, "lanczos": 7}
POOL = {"max": 0, "avg": 1, "lp": 2, "adaptive_avg": 3, "adaptive_max": 4, "fractional_max": 5}


def size_b(v):  # fz_size
    assert 0 <= v <= 49
    return bytes([v]) if v < 10 else bytes([200 + v - 10])


def int_b(v):  # fz_int
    if -2 <= v <= 13:
        return bytes([v + 2])
    assert 0 <= v <= 111
    return bytes([128 + v])


def real_b(v):  # fz_real
    if math.isfinite(v) and 0 <= v < 8 and v * 8 == int(v * 8):
        return bytes([int(v * 8)])
    return bytes([128]) + struct.pack(">d", v)


def count_b(n):  # fz_count
    return bytes([n + 1])


def tensor(sizes, layout=0, extra=b""):
    """dtype-less part: rank, 5 sizes, layout (+ its extra bytes)."""
    s = list(sizes) + [1] * (5 - len(sizes))
    return bytes([RANK_BYTE[len(sizes)]]) + b"".join(size_b(v) for v in s), bytes([layout]) + extra


def layout_bytes(layout, rank):
    if layout == 3:  # padded strides: step, a gap per dim, offset
        return bytes([3, 1]) + bytes([1, 2, 3, 1, 2][:rank]) + bytes([5])
    if layout == 4:  # a broadcast dim
        return bytes([4, 1])
    return bytes([layout])


def interp(dt, sizes, mode, size=None, scale=None, ac=None, aa=0, flags=0, lin=0, lout=0):
    rank = len(sizes)
    head, _ = tensor(sizes)
    b = bytes([OP_INTERP, flags, dt]) + head + layout_bytes(lin, rank)
    b += bytes([MODES[mode]])
    vals = size if size is not None else scale
    which = 0 if size is not None else 3
    b += bytes([which]) + count_b(len(vals))
    if size is not None:
        b += b"".join(size_b(v) for v in list(size) + [1] * (3 - len(size)))
    else:
        b += b"".join(real_b(v) for v in list(scale) + [1.0] * (3 - len(scale)))
    b += bytes([(-1 if ac is None else ac) + 2, 1, aa + 1, 0])
    b += layout_bytes(lout, rank)
    b += bytes([7, 3, 1])  # fill seed, cl_mem shrink choice / amount
    return b


def pool(dt, sizes, kind, kernel=(), stride=(), padding=(), dilation=(), ceil=0, cip=1, norm=2.0,
         osize=(), ratio=(), flags=0, lin=0, lout=0, samples=0):
    rank = len(sizes)
    head, _ = tensor(sizes)
    b = bytes([OP_POOL, flags, dt]) + head + layout_bytes(lin, rank)
    b += bytes([POOL[kind]])
    for lst in (kernel, stride, padding, dilation):
        b += count_b(len(lst)) + b"".join(int_b(v) for v in list(lst) + [1] * (3 - len(lst)))
    b += bytes([ceil, cip]) + bytes([0])  # divisor_override: byte < 200 -> 0
    b += real_b(norm)
    b += count_b(len(osize)) + b"".join(int_b(v) for v in list(osize) + [1] * (3 - len(osize)))
    b += count_b(len(ratio)) + b"".join(real_b(v) for v in list(ratio) + [0.5] * (3 - len(ratio)))
    b += bytes(8)  # seed
    b += bytes([0])  # struct_size kept
    b += layout_bytes(lout, rank)
    if flags & F_INDICES:
        b += bytes([0]) + layout_bytes(0, rank)
    n = sizes[0] * sizes[1] * (rank - 2)
    b += bytes([samples]) + bytes([(37 * i) % 250 for i in range(n if samples else 0)])
    b += bytes([0])  # samples dtype kept
    b += bytes([7, 3, 1])
    return b


def unpool(dt, sizes, kernel, stride=(), padding=(), osize=(), flags=0, lin=0):
    rank = len(sizes)
    head, _ = tensor(sizes)
    b = bytes([OP_UNPOOL, flags, dt]) + head + layout_bytes(lin, rank)
    for lst in (kernel, stride, padding):
        b += count_b(len(lst)) + b"".join(int_b(v) for v in list(lst) + [1] * (3 - len(lst)))
    b += count_b(len(osize)) + b"".join(size_b(v) for v in list(osize) + [1] * (3 - len(osize)))
    b += layout_bytes(0, rank)  # output
    b += bytes([0, 0]) + layout_bytes(0, rank)  # indices: i64, same sizes
    b += bytes([9, 9])  # input and indices fill
    b += bytes([(11 * i) % 240 for i in range(64)])  # index values
    return b


def shuffle(dt, sizes, factor, inverse, flags=0, lin=0, lout=0):
    head, _ = tensor(sizes)
    b = bytes([OP_SHUFFLE, flags, dt]) + head + layout_bytes(lin, 4)
    b += int_b(factor) + bytes([inverse])
    b += layout_bytes(lout, 4) + bytes([5, 3, 1])
    return b


def misc(text):
    return bytes([OP_MISC]) + b"".join(size_b(v) for v in (1, 2, 3, 4, 5)) + int_b(4) + bytes([F32, 0]) + \
        bytes(6) + text.encode()


def ops_seeds():
    s = {}
    for dt in (F32, F64, F16, BF16, U8, U16):
        n = {F32: "f32", F64: "f64", F16: "f16", BF16: "bf16", U8: "u8", U16: "u16"}[dt]
        s[f"interp_nearest_{n}"] = interp(dt, (1, 2, 3, 5), "nearest", size=(7, 4))
        s[f"interp_bilinear_{n}"] = interp(dt, (1, 2, 4, 4), "bilinear", scale=(1.5,), ac=0)
        s[f"interp_bicubic_aa_{n}"] = interp(dt, (1, 1, 8, 9), "bicubic", size=(3, 4), aa=1, lin=3, lout=3)
        s[f"interp_area_{n}"] = interp(dt, (2, 1, 6, 7), "area", size=(4, 3), lin=2, lout=2)
        s[f"pool_max_{n}"] = pool(dt, (1, 2, 5, 6), "max", kernel=(3,), stride=(2,), padding=(1,), ceil=1,
                                 flags=F_INDICES)
        s[f"pool_avg_{n}"] = pool(dt, (1, 2, 5, 5), "avg", kernel=(2,), ceil=1, cip=0, lin=3, lout=3)
        s[f"pool_adaptive_max_{n}"] = pool(dt, (1, 3, 7), "adaptive_max", osize=(3,), flags=F_INDICES)
        s[f"pool_fractional_{n}"] = pool(dt, (1, 2, 7, 7), "fractional_max", kernel=(2,), osize=(4,),
                                        samples=1 if dt != F64 else 2, flags=F_INDICES)
        s[f"unpool_{n}"] = unpool(dt, (1, 2, 2, 3), kernel=(2,))
        s[f"shuffle_{n}"] = shuffle(dt, (1, 4, 2, 3), 2, 0)
        s[f"unshuffle_{n}"] = shuffle(dt, (1, 1, 4, 6), 2, 1, lin=2)
    s["interp_trilinear_5d"] = interp(F32, (1, 2, 3, 4, 5), "trilinear", scale=(2.0,), ac=1)
    s["interp_linear_3d"] = interp(F32, (2, 3, 9), "linear", size=(4,), aa=1)
    s["interp_lanczos"] = interp(F32, (1, 1, 9, 9), "lanczos", size=(4, 5), aa=1)
    s["interp_nearest_exact_broadcast"] = interp(F32, (1, 3, 4, 4), "nearest-exact", scale=(0.75,), lin=4)
    s["interp_clmem"] = interp(F32, (1, 2, 4, 4), "bilinear", size=(8,), ac=0, flags=F_CLMEM | F_EVENT)
    s["interp_clmem_shrink"] = interp(F32, (1, 2, 4, 4), "nearest", size=(8,), flags=F_CLMEM | F_SHRINK)
    s["interp_clmem_alias"] = interp(F32, (1, 2, 4, 4), "nearest", size=(8,), flags=F_CLMEM | F_ALIAS)
    s["interp_mutated_out"] = interp(F32, (1, 2, 4, 4), "nearest", size=(8,), flags=F_MUTATE)[:-4] + \
        bytes([2, 3]) + int_b(1) + bytes([0, 7, 3, 1])
    s["pool_lp"] = pool(F32, (1, 2, 6, 6), "lp", kernel=(2, 3), stride=(1,), norm=3.0)
    s["pool_lp_inf"] = pool(F32, (1, 2, 6, 6), "lp", kernel=(2,), norm=float("inf"))
    s["pool_max_dilation_3d"] = pool(F32, (1, 1, 5, 6, 7), "max", kernel=(2,), dilation=(2,), padding=(1,),
                                     flags=F_INDICES)
    s["pool_avg_3d"] = pool(F32, (1, 2, 4, 4, 4), "avg", kernel=(2,), padding=(1,), ceil=1)
    s["pool_adaptive_avg_global"] = pool(F32, (1, 2, 16, 16, 16), "adaptive_avg", osize=(1,))
    s["pool_clmem_indices"] = pool(F32, (1, 2, 5, 6), "max", kernel=(2,), flags=F_INDICES | F_CLMEM | F_EVENT)
    s["pool_fractional_ratio"] = pool(F32, (1, 1, 9, 9), "fractional_max", kernel=(3,), ratio=(0.5,))
    s["unpool_3d"] = unpool(F32, (1, 1, 2, 2, 2), kernel=(2,), stride=(2,))
    s["unpool_clmem"] = unpool(F32, (1, 2, 2, 3), kernel=(2,), flags=F_CLMEM)
    s["shuffle_clmem"] = shuffle(U8, (2, 9, 2, 2), 3, 0, flags=F_CLMEM)
    s["misc_mode"] = misc("nearest-exact")
    s["misc_devspec"] = misc("pocl:CPU|GPU:0")
    return s


def main():
    for name, sub in (("npy", "npy"), ("image", "images")):
        out = os.path.join(HERE, "corpus", name)
        os.makedirs(out, exist_ok=True)
        src = os.path.join(DATA, sub)
        for f in sorted(os.listdir(src)):
            if f.endswith((".npy", ".png", ".ppm", ".pgm")) and os.path.getsize(os.path.join(src, f)) <= 16384:
                shutil.copy(os.path.join(src, f), os.path.join(out, f))
        if name == "npy":
            shutil.copy(os.path.join(DATA, "sample_1x3x4x4.npy"), os.path.join(out, "sample_1x3x4x4.npy"))
    out = os.path.join(HERE, "corpus", "ops")
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(ops_seeds().items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
