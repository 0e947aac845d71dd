#!/bin/sh
# SPDX-License-Identifier: MIT
# test_grid_cli.sh — the grid-sample and affine-grid subcommands: usage
# errors (exit 2), bad data (exit 1), each with one "clresample: error:"
# line naming the value and no output written; then, when an OpenCL device
# is present, byte-exact runs (an identity grid reproduces its input, an
# identity theta gives the base grid), --channels-last and --explain.
#
# Automake TESTS protocol: exit 0 pass, 1 fail, 77 skip (no OpenCL platform;
# the device-free checks still run first). Test arrays are written with
# printf. Prints one "ok - ..." / "not ok - ..." line per check and ends with
# "N passed, M failed".

CLI=${CLRESAMPLE:-./clresample}
. "${TEST_SRCDIR:-$(dirname "$0")}/cli_lib.sh"
unset CLRS_LOG

if [ ! -x "$CLI" ]; then
    echo "not ok - $CLI is not an executable (set CLRESAMPLE)"
    echo "0 passed, 1 failed"
    exit 1
fi

cli_setup grid

f32 1 2 3 4 >"$tmp/in.bin"
f32 -1 -1 1 -1 -1 1 1 1 >"$tmp/grid.bin"
IN=$tmp/in.npy # (1, 1, 2, 2): 1 2 / 3 4
{ npy '<f4' '(1, 1, 2, 2)'; f32 1 2 3 4; } >"$IN"
G=$tmp/grid.npy # (1, 2, 2, 2): the four corners, x first
{ npy '<f4' '(1, 2, 2, 2)'; f32 -1 -1 1 -1 -1 1 1 1; } >"$G"
G3=$tmp/grid3.npy # last dim 3: wrong for a 4-D input
{ npy '<f4' '(1, 2, 1, 3)'; f32 0 0 0 0 0 0; } >"$G3"
G2N=$tmp/grid2n.npy # batch 2: wrong for IN's batch of 1
{ npy '<f4' '(2, 1, 1, 2)'; f32 0 0 0 0; } >"$G2N"
G64=$tmp/grid64.npy # f64 grid: not IN's dtype
{ npy '<f8' '(1, 1, 1, 2)'; printf '\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000'; } >"$G64"
TH=$tmp/theta.npy # identity (1, 2, 3)
{ npy '<f4' '(1, 2, 3)'; f32 1 0 0 0 1 0; } >"$TH"
O=$tmp/o/y.npy

# ---- usage errors (exit 2) --------------------------------------------------
expect_error 2 "--mode: unknown value 'trilinear'" "grid-sample --mode trilinear" grid-sample "$IN" "$G" "$O" --mode trilinear
expect_error 2 "--padding-mode: unknown value 'reflect'" "grid-sample --padding-mode reflect" grid-sample "$IN" "$G" "$O" --padding-mode reflect
expect_error 2 "missing" "grid-sample without OUT" grid-sample "$IN" "$G"
expect_error 2 "--size" "affine-grid without --size" affine-grid "$TH" "$O"
expect_error 2 "got 3 ('1,2,2')" "affine-grid --size with 3 values" affine-grid "$TH" "$O" --size 1,2,2
expect_error 2 "invalid value '0'" "affine-grid --size with a 0" affine-grid "$TH" "$O" --size 1,1,0,2
expect_error 2 "does not apply" "affine-grid --channels-last" affine-grid "$TH" "$O" --size 1,1,2,2 --channels-last

# ---- data errors (exit 1), found before any device is used -------------------
expect_error 1 "size 2 in last dimension" "grid-sample: grid's last dim 3 for a 4-D input" grid-sample "$IN" "$G3" "$O"
expect_error 1 "same batch size" "grid-sample: batch mismatch" grid-sample "$IN" "$G2N" "$O"
expect_error 1 "grid has f64" "grid-sample: grid dtype differs" grid-sample "$IN" "$G64" "$O"

# ---- runs ----------------------------------------------------------------------
if ! "$CLI" devices >/dev/null 2>&1; then
    echo "# no OpenCL device: the runs are skipped"
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ] || exit 1
    exit 77
fi
expect_error 1 "Nx3x4 for size (1, 1, 2, 2, 2). Got (1, 2, 3)" "affine-grid: theta (1, 2, 3) for a 5-D size" affine-grid "$TH" "$O" --size 1,1,2,2,2

# ONNX: GridSample's mode names per opset, padding_mode, X's rank; AffineGrid's size
expect_error 2 "--mode 'bilinear': expected linear, nearest or cubic (opset 22)" "onnx GridSample opset 22 --mode bilinear" onnx GridSample "$IN" "$G" -o "$O" --mode bilinear
expect_error 2 "--mode 'cubic': expected bilinear, nearest or bicubic (opset 16)" "onnx GridSample opset 16 --mode cubic" onnx GridSample "$IN" "$G" -o "$O" --mode cubic --opset 16
expect_error 2 "--padding_mode 'wrap'" "onnx GridSample --padding_mode wrap" onnx GridSample "$IN" "$G" -o "$O" --padding_mode wrap
X3=$tmp/x3.npy
{ npy '<f4' '(1, 1, 4)'; f32 1 2 3 4; } >"$X3"
G3D=$tmp/g3d.npy
{ npy '<f4' '(1, 2, 1)'; f32 0 1; } >"$G3D"
expect_error 1 "X has rank 3" "onnx GridSample on a 3-D X" onnx GridSample "$X3" "$G3D" -o "$O"
expect_error 2 "size has 3 values" "onnx AffineGrid --size with 3 values" onnx AffineGrid "$TH" -o "$O" --size 1,1,2
run onnx AffineGrid "$TH" -o "$O" --size 1,1,2,2 --align_corners 1
if [ "$rc" = 0 ] && tail_is "$O" "$tmp/grid.bin"; then ok "onnx AffineGrid --size: the base grid"; else not_ok "onnx AffineGrid --size" "exit $rc: $(cat "$tmp/stderr")"; fi
rm -f "$O"
run onnx GridSample "$IN" "$G" -o "$O" --align_corners 1 --mode nearest --layout nhwc
if [ "$rc" = 0 ] && tail_is "$O" "$tmp/in.bin"; then ok "onnx GridSample identity grid, nearest, --layout nhwc"; else not_ok "onnx GridSample identity" "exit $rc: $(cat "$tmp/stderr")"; fi
rm -f "$O"

f32 1 2 3 4 >"$tmp/in.bin"
run grid-sample "$IN" "$G" "$O" --align-corners
if [ "$rc" = 0 ] && tail_is "$O" "$tmp/in.bin"; then ok "identity grid, bilinear: the input, bit for bit"; else not_ok "identity grid, bilinear" "exit $rc: $(cat "$tmp/stderr")"; fi
rm -f "$O"
run grid-sample "$IN" "$G" "$O" --align-corners --mode nearest --channels-last
if [ "$rc" = 0 ] && tail_is "$O" "$tmp/in.bin"; then ok "identity grid, nearest, --channels-last"; else not_ok "identity grid, nearest, --channels-last" "exit $rc: $(cat "$tmp/stderr")"; fi
rm -f "$O"
f32 1 1 1 1 >"$tmp/ones.bin"
run grid-sample "$IN" "$G" "$O" --mode bicubic --padding-mode border
if [ "$rc" = 0 ] && [ -s "$O" ]; then ok "bicubic, border"; else not_ok "bicubic, border" "exit $rc: $(cat "$tmp/stderr")"; fi
rm -f "$O"
run grid-sample "$IN" "$G" "$O" --explain
if [ "$rc" = 0 ] && grep -q '^clresample: impl: grid_sample/general$' "$tmp/stderr"; then ok "--explain names grid_sample/general"; else not_ok "--explain" "exit $rc: $(cat "$tmp/stderr")"; fi
rm -f "$O"
f32 -1 -1 1 -1 -1 1 1 1 >"$tmp/grid.bin"
run affine-grid "$TH" "$O" --size 1,1,2,2 --align-corners
if [ "$rc" = 0 ] && tail_is "$O" "$tmp/grid.bin"; then ok "affine-grid: identity theta gives the base grid"; else not_ok "affine-grid identity" "exit $rc: $(cat "$tmp/stderr")"; fi
rm -f "$O"

cli_done
