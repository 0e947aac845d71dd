#!/bin/sh
# SPDX-License-Identifier: MIT
# test_onnx_conv_cli.sh — `clresample onnx Conv` / `ConvTranspose`
# (tools/onnx_ops_conv.c): every case of tests/golden/onnx_conv.txt (ONNX's
# node cases and the onnx.reference random cases, B included) through the
# CLI, the layouts nchw, nhwc, strided taken in turn, each output compared
# by tests/npy_allclose within the case's tolerance; then values and
# combinations ONNX forbids are usage errors (exit 2, one "clresample:
# error:" line naming the attribute, nothing written). The node cases also
# run in tests/test_onnx_cli.sh in all three layouts.
#
# Automake TESTS protocol: exit 0 pass, 1 fail, 77 skip (no OpenCL platform).

CLI=${CLRESAMPLE:-./clresample}
CMP=${NPY_ALLCLOSE:-./tests/npy_allclose}
G=${srcdir:-.}/tests/golden
SRC=${srcdir:-.}/tests/onnx/node
. "${TEST_SRCDIR:-$(dirname "$0")}/cli_lib.sh"
unset CLRS_LOG

cli_setup onnxconv
if ! "$CLI" devices >"$tmp/dev" 2>&1; then
    echo "# no OpenCL device: $(head -n 1 "$tmp/dev")"
    exit 77
fi

# ---- the golden cases ---------------------------------------------------------
n=0
while IFS= read -r line; do
    case "$line" in '#'* | '') continue ;; esac
    id="" op="" x="" w="" b="" want="" tol="" attrs=""
    for kv in $line; do
        k=${kv%%=*}
        v=${kv#*=}
        case "$k" in
        id) id=$v ;;
        op) op=$v ;;
        in) x=$G/$v ;;
        W) w=$G/$v ;;
        B) b=$G/$v ;;
        out) want=$G/$v ;;
        tol) tol=$v ;;
        src | dtype | rank) ;;
        *) attrs="$attrs --$k $v" ;;
        esac
    done
    case $((n % 3)) in 0) layout=nchw ;; 1) layout=nhwc ;; *) layout=strided ;; esac
    n=$((n + 1))
    rm -f "$tmp/y.npy"
    # shellcheck disable=SC2086
    if [ -n "$b" ]; then
        "$CLI" onnx "$op" "$x" "$w" "$b" -o "$tmp/y.npy" $attrs --layout $layout >"$tmp/stdout" 2>"$tmp/stderr"
    else
        "$CLI" onnx "$op" "$x" "$w" -o "$tmp/y.npy" $attrs --layout $layout >"$tmp/stdout" 2>"$tmp/stderr"
    fi
    rc=$?
    if [ $rc -ne 0 ]; then
        not_ok "$id [$layout]" "exit $rc: $(head -n 2 "$tmp/stderr")"
    elif "$CMP" "$want" "$tmp/y.npy" "rtol=$tol,atol=$tol" >"$tmp/cmp" 2>&1; then
        ok "$id [$layout]"
    else
        not_ok "$id [$layout]" "$(cat "$tmp/cmp")"
    fi
done <"$G/onnx_conv.txt"
[ "$n" -ge 200 ] || not_ok "onnx_conv.txt lists 200+ cases" "$n read"

# ---- usage errors ----------------------------------------------------------------
X="$SRC/basic_conv_with_padding/in_0.npy" # (1, 1, 5, 5)
W="$SRC/basic_conv_with_padding/in_1.npy" # (1, 1, 3, 3)
Y="$tmp/y.npy"
expect_usage "auto_pad spelling" "--auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got 'SAME'" Conv "$X" "$W" -o "$Y" --auto_pad SAME
expect_usage "pads length" "--pads has 2 values, expected 4" Conv "$X" "$W" -o "$Y" --pads 1,1
expect_usage "negative pads" "--pads values must be >= 0, got -1" Conv "$X" "$W" -o "$Y" --pads 1,-1,1,1
expect_usage "pads with auto_pad" "--pads cannot be given with --auto_pad" Conv "$X" "$W" -o "$Y" --pads 1,1,1,1 --auto_pad VALID
expect_usage "kernel_shape mismatch" "kernel_shape (2, 2) does not match W's spatial sizes (3, 3)" Conv "$X" "$W" -o "$Y" --kernel_shape 2,2
expect_usage "kernel_shape length" "--kernel_shape has 3 values" Conv "$X" "$W" -o "$Y" --kernel_shape 3,3,3
expect_usage "strides 0" "--strides values must be > 0, got 0" Conv "$X" "$W" -o "$Y" --strides 0,1
expect_usage "dilations 0" "--dilations values must be > 0, got 0" ConvTranspose "$X" "$W" -o "$Y" --dilations 1,0
expect_usage "group 0" "--group must be > 0, got 0" Conv "$X" "$W" -o "$Y" --group 0
expect_usage "group not dividing the channels" "group 2 does not divide X's 1 channels" Conv "$X" "$W" -o "$Y" --group 2
expect_usage "output_padding on Conv" "unknown attribute --output_padding" Conv "$X" "$W" -o "$Y" --output_padding 1,1
expect_usage "output_shape 0" "--output_shape values must be > 0, got 0" ConvTranspose "$X" "$W" -o "$Y" --output_shape 0,4
expect_usage "output_shape length" "--output_shape has 3 values" ConvTranspose "$X" "$W" -o "$Y" --output_shape 4,4,4
expect_usage "output_padding >= stride and dilation" "output padding must be smaller" ConvTranspose "$X" "$W" -o "$Y" --output_padding 1,0
expect_usage "kernel larger than the input" "Kernel size" Conv "$X" "$W" -o "$Y" --dilations 3,3
expect_usage "B of the wrong length" "bias" Conv "$X" "$W" "$G/onnx_conv/r010_Conv_f32_b.npy" -o "$Y"
expect_usage "W of another rank" "input 2 (W) must have X's rank 4" Conv "$X" "$G/onnx_conv/r005_Conv_f32_b.npy" -o "$Y"
"$CLI" onnx --help >"$tmp/stdout" 2>&1 && grep -q "^  Conv " "$tmp/stdout" && grep -q "^  ConvTranspose .*output_shape" "$tmp/stdout" &&
    ok "onnx --help lists Conv and ConvTranspose" || not_ok "onnx --help lists Conv and ConvTranspose" "$(grep Conv "$tmp/stdout")"
cli_done
