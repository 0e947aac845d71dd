#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate the committed seed corpora of the fuzz harnesses.

    python3 tests/fuzz/make_seeds.py

corpus/npy and corpus/image are copies of the small fixtures in tests/data;
corpus/ops holds inputs for fuzz_ops.c written with an encoder that mirrors
its decoder, one per operator configuration worth starting from (every
operator, every dtype, the layouts, the cl_mem path, indices, aliasing and
short buffers; grid_sample, affine_grid and the ONNX-semantics ops under
op bytes 128 and up). Only needed when the decoder changes; CI uses the files.
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


# ---- the later ops (op byte 128 + k) ----
OP_GRID, OP_AFFINE, OP_ORESIZE, OP_OPOOL, OP_OUNPOOL, OP_D2S, OP_S2D, OP_CONV, OP_CONVT = range(128, 137)
GRID_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
GRID_PADS = {"zeros": 0, "border": 1, "reflection": 2}
ONNX_POOL = {"MaxPool": 0, "AveragePool": 1, "LpPool": 2, "GlobalMaxPool": 3, "GlobalAveragePool": 4,
             "GlobalLpPool": 5}
AUTO_PAD = {"NOTSET": 0, "SAME_UPPER": 2, "SAME_LOWER": 3, "VALID": 4}  # fz_pick table index
RS_MODES = ["nearest", "linear", "cubic"]
RS_COORDS = ["half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric",
             "tf_half_pixel_for_nn", "tf_crop_and_resize"]
RS_NMODES = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]
RS_POLICIES = ["stretch", "not_larger", "not_smaller"]
RS_OPSETS = [0, 19, 18, 13, 11, 10, 9, 7, 8, 12, 20, 1]


def head(op, flags, dt, sizes, lin=0):
    h, _ = tensor(sizes)
    return bytes([op, flags, dt]) + h + layout_bytes(lin, len(sizes))


def coord_b(v):  # fz_coord, v a multiple of 1/80 in [-1.25, 1.25] or a special
    specials = {"nan": 212, "inf": 220, "-inf": 228, 1e30: 204}
    if v in specials:
        return bytes([specials[v]])
    b = int(round(v * 80 + 100))
    assert 0 <= b < 200
    return bytes([b])


def coords(n, special_every=0):
    out = b""
    for i in range(n):
        if special_every and i % special_every == special_every - 1:
            out += coord_b(["nan", "inf", "-inf", 1e30][(i // special_every) % 4])
        else:
            out += coord_b(((i * 37) % 201 - 100) / 80.0)
    return out


def grid_sample(dt, sizes, gsp, mode="bilinear", pad="zeros", ac=0, flags=0, lin=0, glin=0, special=0):
    rank = len(sizes)
    b = head(OP_GRID, flags, dt, sizes, lin)
    gs = [sizes[0]] + list(gsp) + [rank - 2]
    b += bytes([0]) + b"".join(size_b(v) for v in gs + [1] * (5 - len(gs)))
    b += bytes([0, 0, 0]) + layout_bytes(glin, rank)  # N, last size, dtype kept
    b += bytes([GRID_MODES[mode], GRID_PADS[pad], ac, 0])
    b += layout_bytes(0, rank)  # output
    n = 1
    for v in gs:
        n *= v
    b += bytes([7, 9, 0]) + coords(n, special)  # input fill, grid fill, coordinates
    b += bytes([3, 1])
    return b


def affine(dt, size, ac=0, flags=0):
    rank = len(size)
    sp = rank - 2
    b = head(OP_AFFINE, flags, dt, (size[0], sp, sp + 1))
    b += bytes([0 if rank == 4 else 1]) + b"".join(size_b(v) for v in size) + bytes([0, ac])
    b += layout_bytes(0, rank)
    b += bytes([7, 0]) + coords(size[0] * sp * (sp + 1)) + bytes([3, 1])
    return b


def str_b(v, names):
    if v is None:
        return bytes([0])
    i = names.index(v)
    return bytes([next(x for x in range(64, 224) if x % len(names) == i)])


def resize(dt, sizes, mode=None, coord=None, nmode=None, policy=None, opset=0, upsample=0, rank=0, axes=(),
           roi=(), scales=None, osizes=None, aa=0, exclude=0, flags=0, lin=0, lout=0):
    b = head(OP_ORESIZE, flags, dt, sizes, lin)
    b += bytes([RS_OPSETS.index(opset), 4 if upsample else 0])
    b += bytes([0 if rank == 0 else 160 + (rank + 1) % 8])
    b += str_b(mode, RS_MODES) + str_b(coord, RS_COORDS) + str_b(nmode, RS_NMODES) + str_b(policy, RS_POLICIES)
    b += bytes([0, [0, 2][exclude], 0, [0, 2][aa]])  # cubic_coeff_a, exclude_outside, extrapolation, antialias
    r = rank or len(sizes)
    b += bytes([0]) if not axes else bytes([next(x for x in range(160, 240) if 1 + x % r == len(axes))])
    b += bytes([a + 5 for a in list(axes) + [0] * (8 - len(axes))])
    b += bytes([0 if roi else 160]) + bytes([int((v + 0.25) * 8) for v in roi])
    if scales is not None:
        b += bytes([0, 0]) + bytes([int(v * 8) - 1 for v in list(scales) + [1.0] * (8 - len(scales))])
    else:
        b += bytes([4, 0]) + b"".join(size_b(v) for v in list(osizes) + [1] * (8 - len(osizes)))
    b += bytes([0]) + layout_bytes(lout, len(sizes)) + bytes([7, 3, 1])
    return b


def onnx_pool(dt, sizes, op, kernel=(), strides=(), pads=(), dilations=(), auto_pad="NOTSET", ceil=0, cip=0,
              p=2, storage=0, flags=0, lin=0, lout=0):
    sp = len(sizes) - 2
    b = head(OP_OPOOL, flags, dt, sizes, lin) + bytes([ONNX_POOL[op]])
    for lst, n in ((kernel, 3), (strides, 3), (pads, 6), (dilations, 3)):
        b += bytes([0 if lst else 160]) + b"".join(int_b(v) for v in list(lst) + [1] * (n - len(lst)))
    b += bytes([AUTO_PAD[auto_pad], ceil, cip, p - 1, storage, 0])
    b += layout_bytes(lout, len(sizes))
    if flags & F_INDICES:
        b += bytes([0]) + layout_bytes(0, len(sizes))
    b += bytes([7, 3, 1])
    return b


def onnx_unpool(dt, sizes, kernel, strides=(), pads=(), grow=None, flags=0):
    rank = len(sizes)
    b = head(OP_OUNPOOL, flags, dt, sizes)
    for lst, n in ((kernel, 3), (strides, 3), (pads, 6)):
        b += bytes([0 if lst else 160]) + b"".join(int_b(v) for v in list(lst) + [1] * (n - len(lst)))
    b += bytes([0])  # struct_size kept
    b += bytes([0]) if grow is None else bytes([128]) + bytes(grow)
    b += layout_bytes(0, rank)  # output
    b += bytes([0, 0]) + layout_bytes(0, rank)  # I: i64, X's sizes
    n = 1
    for v in sizes:
        n *= v
    b += bytes([9, 9]) + bytes([(13 * i) % 240 for i in range(n)]) + bytes([3, 1])
    return b


def depth(op, dt, sizes, block, crd=0, flags=0, lin=0):
    b = head(op, flags, dt, sizes, lin) + int_b(block) + bytes([crd])
    return b + layout_bytes(0, 4) + bytes([5, 3, 1])


def later_seeds():
    s = {}
    s["grid_bilinear_zeros_f32"] = grid_sample(F32, (1, 2, 4, 5), (3, 3))
    s["grid_nearest_border_f64"] = grid_sample(F64, (2, 1, 3, 3), (2, 4), "nearest", "border", lin=2)
    s["grid_bicubic_reflection_f16"] = grid_sample(F16, (1, 2, 5, 4), (3, 2), "bicubic", "reflection", ac=1)
    s["grid_5d_bf16"] = grid_sample(BF16, (1, 2, 3, 3, 3), (2, 2, 2), "bilinear", "border", lin=3)
    s["grid_nan_inf"] = grid_sample(F32, (1, 1, 4, 4), (4, 4), "bicubic", "reflection", special=3)
    s["grid_clmem"] = grid_sample(F32, (1, 2, 4, 4), (3, 3), "bilinear", "zeros", flags=F_CLMEM | F_EVENT)
    s["affine_4d_f32"] = affine(F32, (2, 3, 4, 5))
    s["affine_5d_f64"] = affine(F64, (1, 2, 3, 4, 2), ac=1)
    s["affine_clmem_f16"] = affine(F16, (1, 1, 3, 3), flags=F_CLMEM | F_EVENT)
    s["resize_nearest_scales"] = resize(F32, (1, 2, 3, 4), scales=(1.0, 1.0, 2.0, 1.5))
    s["resize_linear_axes_sizes"] = resize(F32, (1, 2, 4, 6), mode="linear", opset=18, axes=(2, -1),
                                           osizes=(7, 3))
    s["resize_cubic_aa_u8"] = resize(U8, (1, 1, 8, 8), mode="cubic", coord="pytorch_half_pixel", aa=1,
                                     exclude=1, osizes=(1, 1, 3, 5))
    s["resize_tf_crop"] = resize(F32, (1, 1, 5, 5), mode="linear", coord="tf_crop_and_resize", axes=(2, 3),
                                 roi=(0.0, 0.125, 1.0, 0.875), osizes=(4, 4))
    s["resize_not_larger"] = resize(F16, (1, 3, 4, 6), policy="not_larger", nmode="ceil", axes=(2, 3),
                                    coord="asymmetric", osizes=(8, 8))
    s["resize_rank2"] = resize(BF16, (1, 4, 5), mode="linear", coord="align_corners", rank=2, scales=(2.0, 0.5))
    s["resize_opset11_tf_nn"] = resize(F64, (1, 1, 3, 3), coord="tf_half_pixel_for_nn", opset=11,
                                       scales=(1.0, 1.0, 2.0, 2.0))
    s["upsample_9"] = resize(F32, (1, 1, 3, 3), mode="linear", opset=9, upsample=1, scales=(1.0, 1.0, 2.0, 3.0))
    s["resize_clmem"] = resize(F32, (1, 2, 4, 4), mode="cubic", osizes=(1, 2, 6, 3), flags=F_CLMEM | F_EVENT)
    s["opool_max_indices_storage1"] = onnx_pool(F32, (1, 2, 5, 6), "MaxPool", kernel=(3, 2), strides=(2, 1),
                                                pads=(1, 0, 1, 1), storage=1, flags=F_INDICES)
    s["opool_avg_asym_cip"] = onnx_pool(F32, (1, 2, 6, 6), "AveragePool", kernel=(3, 3), pads=(0, 1, 2, 1),
                                        cip=1, ceil=1, strides=(2, 2))
    s["opool_lp_dilated"] = onnx_pool(F64, (1, 1, 7, 7), "LpPool", kernel=(2, 2), dilations=(2, 3), p=3)
    s["opool_same_upper"] = onnx_pool(F16, (1, 2, 5, 7), "MaxPool", kernel=(3, 2), strides=(2, 3),
                                      auto_pad="SAME_UPPER", flags=F_INDICES)
    s["opool_same_lower_avg"] = onnx_pool(BF16, (1, 1, 6, 5, 4), "AveragePool", kernel=(2, 3, 2),
                                          auto_pad="SAME_LOWER")
    s["opool_valid_u8"] = onnx_pool(U8, (2, 2, 9), "MaxPool", kernel=(4,), strides=(3,), auto_pad="VALID")
    s["opool_global_lp"] = onnx_pool(F32, (1, 3, 4, 5), "GlobalLpPool", p=3)
    s["opool_global_avg"] = onnx_pool(F32, (2, 2, 3, 3, 3), "GlobalAveragePool")
    s["opool_clmem_indices"] = onnx_pool(F32, (1, 2, 4, 6), "MaxPool", kernel=(2, 2), strides=(2, 2),
                                         flags=F_CLMEM | F_INDICES | F_EVENT)
    s["ounpool_basic"] = onnx_unpool(F32, (1, 2, 2, 3), kernel=(2, 2), strides=(2, 2))
    s["ounpool_output_shape_pads"] = onnx_unpool(F16, (1, 1, 3, 3), kernel=(3, 3), strides=(2, 2),
                                                 pads=(1, 1, 1, 1), grow=(1, 2))
    s["ounpool_clmem_3d"] = onnx_unpool(U8, (1, 1, 2, 2, 2), kernel=(2, 2, 2), flags=F_CLMEM | F_EVENT)
    s["d2s_dcr"] = depth(OP_D2S, F32, (1, 8, 2, 3), 2)
    s["d2s_crd_clmem"] = depth(OP_D2S, U16, (2, 9, 2, 2), 3, crd=1, flags=F_CLMEM)
    s["s2d_dcr"] = depth(OP_S2D, F16, (1, 2, 4, 6), 2, lin=2)
    s["s2d_crd"] = depth(OP_S2D, U8, (1, 1, 6, 6), 3, crd=1)
    return s


def conv(dt, sizes, k, stride=1, pad=0, kind=0, dil=1, groups=1, mode=0, outpad=0, bias=1, m=1, flags=0, lin=0,
         wlin=0, op=OP_CONV):
    """fuzz_ops.c decode_conv, then the weight and the bias (the rest 0: contiguous output, fills seed 0).
    groups: index into decode_conv's table (0: 1, 2: C, 3: C/2, 4: 2); kind: 0 ints, 5 'same', 6 'valid'."""
    sp = len(sizes) - 2
    pick = lambda table, v: bytes([table.index(v)])  # noqa: E731
    b = head(op, flags, dt, sizes, lin)
    b += bytes([0, 0]) + pick([1, 2, 1, 3, 2], stride) * 3 + bytes([kind])
    b += bytes([0, 0]) + pick([0, 1, 2, 0, 3], pad) * 3
    b += bytes([0]) + pick([1, 2, 1, 3], dil) * 3
    b += (bytes([226]) if outpad else bytes([0])) + pick([0, 1, 0, 2], outpad) * 3
    b += bytes([groups, mode, 0])
    ks = [0, 0] + [k] * sp
    b += bytes([0]) + b"".join(size_b(v) for v in ks + [0] * (5 - len(ks))) + bytes([m - 1, 0, 0]) + \
        layout_bytes(wlin, len(sizes))
    b += bytes([bias, 0, 1 if bias else 0, 0])
    return b + layout_bytes(lin, len(sizes))


def conv_seeds():
    s = {}
    s["conv_depthwise_f32"] = conv(F32, (1, 4, 9, 9), 3, stride=2, pad=1, groups=2)
    s["conv_depthwise_reflect_clmem"] = conv(F32, (2, 4, 9, 7), 3, stride=2, pad=1, groups=2, mode=1,
                                             flags=F_CLMEM | F_EVENT)
    s["conv_depthwise_win_cl"] = conv(F32, (1, 8, 36, 36), 3, pad=1, groups=2, lin=2, bias=0)
    s["conv_depthwise_win_rows"] = conv(F32, (1, 4, 40, 40), 3, pad=1, groups=2, mode=2)
    s["conv_dense_same_f16"] = conv(F16, (1, 3, 6, 6), 3, kind=5)
    s["conv_valid_1d_bf16_circular"] = conv(BF16, (2, 4, 9), 2, kind=6, groups=4, mode=3, m=2)
    s["conv_3d_f64_replicate"] = conv(F64, (1, 2, 4, 4, 4), 2, pad=1, dil=2, mode=2, lin=2)
    s["conv_transpose"] = conv(F32, (1, 4, 3, 3), 4, stride=2, pad=1, groups=4, op=OP_CONVT)
    s["conv_transpose_outpad_clmem"] = conv(F32, (1, 2, 3, 4), 3, stride=2, outpad=1, op=OP_CONVT, flags=F_CLMEM)
    s["conv_clmem_shrink"] = conv(F32, (1, 2, 5, 5), 3, flags=F_CLMEM | F_SHRINK)
    return s


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
    # the backward hangs off the end (fuzz_ops.c run_backward): the forward's
    # last fill byte, then b (1: run it, 8: pool indices), the layouts of
    # grad_out and grad_in (and the indices' dtype byte and layout), the fill
    # seeds, the index bytes (< 200: the forward's)
    s["pool_max_backward"] = pool(F32, (1, 2, 5, 6), "max", kernel=(3,), stride=(2,), padding=(1,),
                                  flags=F_INDICES)[:-2] + bytes([9, 0, 0, 0, 0, 7, 7]) + bytes(18)
    s["pool_lp_inf_backward"] = pool(F32, (1, 2, 6, 6), "lp", kernel=(2,), norm=float("-inf"))[:-2] + \
        bytes([1, 0, 0, 7])
    s["pool_lp_f16_backward"] = pool(F16, (1, 2, 6, 6), "lp", kernel=(2,), norm=3.0)[:-2] + bytes([1, 2, 0, 7])
    s["interp_bilinear_backward"] = interp(F32, (1, 2, 4, 4), "bilinear", scale=(1.5,), ac=0)[:-2] + \
        bytes([1, 0, 0, 7])
    s["unpool_clmem"] = unpool(F32, (1, 2, 2, 3), kernel=(2,), flags=F_CLMEM)
    s["shuffle_clmem"] = shuffle(U8, (2, 9, 2, 2), 3, 0, flags=F_CLMEM)
    s["misc_mode"] = misc("nearest-exact")
    s["misc_devspec"] = misc("pocl:CPU|GPU:0")
    s.update(later_seeds())
    s.update(conv_seeds())
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
