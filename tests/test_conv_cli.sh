#!/bin/sh
# SPDX-License-Identifier: MIT
# test_conv_cli.sh — the conv and conv-transpose subcommands: usage errors
# (exit 2) and bad data (exit 1), each with one "clresample: error:" line
# naming the value and no output written; then, when an OpenCL device is
# present, runs on the golden .npy files of tests/golden/conv (from real
# PyTorch) compared with tests/npy_allclose (f32: 1e-5 of the output's
# scale, which is about 10 here), a hand-checked box filter bit for bit,
# --channels-last and --explain.
#
# Automake TESTS protocol: exit 0 pass, 1 fail, 77 skip (no OpenCL platform;
# the device-free checks still run first). Prints one "ok - ..." /
# "not ok - ..." line per check and ends with "N passed, M failed".

CLI=${CLRESAMPLE:-./clresample}
CMP=${NPY_ALLCLOSE:-./tests/npy_allclose}
SRC=${TEST_SRCDIR:-$(dirname "$0")}
. "$SRC/cli_lib.sh"
GOLD=$SRC/golden
unset CLRS_LOG CLRS_DISABLE_IMPLS

if [ ! -x "$CLI" ]; then
    echo "not ok - $CLI is not an executable (set CLRESAMPLE)"
    echo "0 passed, 1 failed"
    exit 1
fi

cli_setup conv

IN=$tmp/in.npy # (1, 1, 3, 3): 1..9
{ npy '<f4' '(1, 1, 3, 3)'; f32 1 2 3 4 5 6 7 8 9; } >"$IN"
W=$tmp/w.npy # (1, 1, 3, 3) ones: a box filter
{ npy '<f4' '(1, 1, 3, 3)'; f32 1 1 1 1 1 1 1 1 1; } >"$W"
W2=$tmp/w2.npy # (2, 1, 3, 3): two box filters
{ npy '<f4' '(2, 1, 3, 3)'; f32 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1; } >"$W2"
B=$tmp/b.npy # (1,): 1
{ npy '<f4' '(1,)'; f32 1; } >"$B"
B2=$tmp/b2.npy # (2, 1): not 1-D
{ npy '<f4' '(2, 1)'; f32 1 1; } >"$B2"
INCL=$tmp/incl.npy # the same values as (N, H, W, C) = (1, 3, 3, 1) for --channels-last
{ npy '<f4' '(1, 3, 3, 1)'; f32 1 2 3 4 5 6 7 8 9; } >"$INCL"
O=$tmp/o/y.npy

# ---- usage errors (exit 2) --------------------------------------------------
expect_error 2 "--padding-mode: unknown value 'reflection'" "conv --padding-mode reflection" conv "$IN" "$W" "$O" --padding-mode reflection
expect_error 2 "--padding: expected same, valid or 1 to 3 comma-separated integers >= 0, got 'full'" "conv --padding full" conv "$IN" "$W" "$O" --padding full
expect_error 2 "got '-1'" "conv --padding -1" conv "$IN" "$W" "$O" --padding -1
expect_error 2 "--stride" "conv --stride 0" conv "$IN" "$W" "$O" --stride 0
expect_error 2 "--groups" "conv --groups 0" conv "$IN" "$W" "$O" --groups 0
expect_error 2 "missing" "conv without OUT" conv "$IN" "$W"
expect_error 2 "--output-padding" "conv --output-padding (conv-transpose's)" conv "$IN" "$W" "$O" --output-padding 1
expect_error 2 "--padding-mode" "conv-transpose --padding-mode (conv's)" conv-transpose "$IN" "$W" "$O" --padding-mode reflect

# ---- data errors (exit 1), found before any device is used -------------------
expect_error 1 "padding='same' is not supported for strided convolutions" "conv --padding same --stride 2" conv "$IN" "$W" "$O" --padding same --stride 2
expect_error 1 "expected weight to be at least 2 at dimension 0" "conv --groups 2 with 1 filter" conv "$IN" "$W" "$O" --groups 2
expect_error 1 "Kernel size can't be greater than actual input size" "conv: dilated kernel larger than the input" conv "$IN" "$W" "$O" --dilation 2
expect_error 1 "Padding size should be less than the corresponding input dimension" "conv reflect padding 3 on 3" conv "$IN" "$W" "$O" --padding 3 --padding-mode reflect
expect_error 1 "expected a 1-D array" "conv --bias 2-D" conv "$IN" "$W" "$O" --bias "$B2"
expect_error 1 "output padding must be smaller than either stride or dilation" "conv-transpose --output-padding 1 at stride 1" conv-transpose "$IN" "$W" "$O" --output-padding 1
expect_error 1 "to have 2 channels" "conv-transpose weight (2, ...) for 1 channel" conv-transpose "$IN" "$W2" "$O"

# ---- runs ----------------------------------------------------------------------
if ! "$CLI" devices >/dev/null 2>&1; then
    echo "# no OpenCL device: the runs are skipped"
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ] || exit 1
    exit 77
fi
expect_error 1 "expected bias to be 1-dimensional with 2 elements, but got bias of size [1]" "conv bias length" conv "$IN" "$W2" "$O" --bias "$B"

# box filter, zero padding 1, bias 1: 3x3 sums of 1..9 plus 1, exact in f32
run conv "$IN" "$W" "$O" --padding 1 --bias "$B"
# expected: the sums 12 21 16 / 27 45 33 / 24 39 28, plus 1: 13 22 17 / 28 46 34 / 25 40 29
printf '\000\000\120\101\000\000\260\101\000\000\210\101\000\000\340\101\000\000\070\102\000\000\010\102\000\000\310\101\000\000\040\102\000\000\350\101' >"$tmp/box.bin"
if [ "$rc" = 0 ] && tail_is "$O" "$tmp/box.bin"; then ok "box filter, padding 1, bias: exact"; else not_ok "box filter" "exit $rc: $(cat "$tmp/stderr")"; fi
rm -f "$O"
run conv "$INCL" "$W" "$O" --padding 1 --bias "$B" --channels-last --explain
# (one input channel per group: the depthwise entry, the same bits as conv/general)
if [ "$rc" = 0 ] && tail_is "$O" "$tmp/box.bin" && grep -q '^clresample: impl: conv/depthwise$' "$tmp/stderr"; then
    ok "--channels-last (C = 1: the same bytes), --explain names conv/depthwise"
else
    not_ok "--channels-last --explain" "exit $rc: $(cat "$tmp/stderr")"
fi
rm -f "$O"
CLRS_DISABLE_IMPLS=conv/depthwise
export CLRS_DISABLE_IMPLS
run conv "$IN" "$W" "$O" --padding 1 --bias "$B" --explain
unset CLRS_DISABLE_IMPLS
if [ "$rc" = 0 ] && tail_is "$O" "$tmp/box.bin" && grep -q '^clresample: impl: conv/general$' "$tmp/stderr"; then
    ok "CLRS_DISABLE_IMPLS=conv/depthwise: conv/general, the same bytes"
else
    not_ok "conv/general" "exit $rc: $(cat "$tmp/stderr")"
fi
rm -f "$O"
# transposed box filter at stride 1, padding 1: the same sums
run conv-transpose "$IN" "$W" "$O" --padding 1 --bias "$B" --explain
if [ "$rc" = 0 ] && tail_is "$O" "$tmp/box.bin" && grep -q '^clresample: impl: conv_transpose/general$' "$tmp/stderr"; then
    ok "conv-transpose box filter: exact, conv_transpose/general"
else
    not_ok "conv-transpose box filter" "exit $rc: $(cat "$tmp/stderr")"
fi
rm -f "$O"

# golden cases from real torch (tests/golden/conv.txt)
golden() {
    _desc=$1 _ref=$2
    shift 2
    run "$@" "$O"
    if [ "$rc" != 0 ]; then
        not_ok "$_desc" "exit $rc: $(cat "$tmp/stderr")"
    elif _why=$("$CMP" "$GOLD/$_ref" "$O" rtol=0,atol=1e-4 2>&1); then
        ok "$_desc"
    else
        not_ok "$_desc" "$_why"
    fi
    rm -f "$O"
}
golden "depthwise x2, stride 2, padding 1, bias (torch golden)" conv/conv_dw_f32_000_out.npy \
    conv "$GOLD/conv/in_f32_2x4x9x8_rand0.npy" "$GOLD/conv/in_f32_8x1x3x3_rand1.npy" --bias "$GOLD/conv/in_f32_8_rand2.npy" \
    --stride 2 --padding 1 --groups 4
golden "blur-pool shape, reflect, stride 2,2 (torch golden)" conv/conv_blur_f32_000_out.npy \
    conv "$GOLD/conv/in_f32_1x3x8x8_rand0.npy" "$GOLD/conv/in_f32_3x1x3x3_rand1.npy" --stride 2,2 --padding 1,1 \
    --groups 3 --padding-mode reflect
golden "padding same, dilation 1,2, even kernel (torch golden)" conv/conv_same_f32_000_out.npy \
    conv "$GOLD/conv/in_f32_1x2x7x6_rand0.npy" "$GOLD/conv/in_f32_3x2x4x2_rand1.npy" --bias "$GOLD/conv/in_f32_3_rand2.npy" \
    --padding same --dilation 1,2
golden "conv-transpose depthwise x2, stride 2 (torch golden)" conv/convt_dw_f32_000_out.npy \
    conv-transpose "$GOLD/conv/in_f32_1x4x5x5_rand0.npy" "$GOLD/conv/in_f32_4x2x4x4_rand1.npy" \
    --bias "$GOLD/conv/in_f32_8_rand2.npy" --stride 2 --padding 1 --groups 4

cli_done
