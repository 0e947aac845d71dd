#!/bin/sh
# SPDX-License-Identifier: MIT
# test_onnx_pool_cli.sh — the pooling family's `clresample onnx` handlers
# (tools/onnx_ops_pool.c): values and combinations ONNX forbids are usage
# errors (exit 2, one "clresample: error:" line naming the attribute,
# nothing written); attributes outside their opset are unknown. The node
# cases themselves run in tests/test_onnx_cli.sh.
#
# Automake TESTS protocol: exit 0 pass, 1 fail, 77 skip (no OpenCL platform).

CLI=${CLRESAMPLE:-./clresample}
SRC=${srcdir:-.}/tests/onnx/node
. "${TEST_SRCDIR:-$(dirname "$0")}/cli_lib.sh"
unset CLRS_LOG

cli_setup onnxpool
if ! "$CLI" devices >"$tmp/dev" 2>&1; then
    echo "# no OpenCL device: $(head -n 1 "$tmp/dev")"
    exit 77
fi

X="$SRC/maxpool_2d_default/in_0.npy" # (1, 3, 32, 32)
D="$SRC/depthtospace_example/in_0.npy" # (1, 8, 2, 3)
Y="$tmp/y.npy"
expect_usage "storage_order 2" "--storage_order must be 0 (row major) or 1 (column major), got 2" MaxPool "$X" -o "$Y" "$tmp/i.npy" --kernel_shape 2,2 --storage_order 2
expect_usage "auto_pad with pads" "--pads cannot be given with --auto_pad" MaxPool "$X" -o "$Y" --kernel_shape 2,2 --auto_pad SAME_UPPER --pads 1,1,1,1
expect_usage "auto_pad spelling" "--auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got 'SAME'" MaxPool "$X" -o "$Y" --kernel_shape 2,2 --auto_pad SAME
expect_usage "kernel_shape missing" "--kernel_shape is required" AveragePool "$X" -o "$Y"
expect_usage "kernel_shape 0" "--kernel_shape values must be > 0, got 0" AveragePool "$X" -o "$Y" --kernel_shape 0,2
expect_usage "kernel_shape of the wrong length" "kernel_shape has 3 values" AveragePool "$X" -o "$Y" --kernel_shape 2,2,2
expect_usage "strides 0" "--strides values must be > 0, got 0" MaxPool "$X" -o "$Y" --kernel_shape 2,2 --strides 0,1
expect_usage "negative pads" "--pads values must be >= 0, got -1" MaxPool "$X" -o "$Y" --kernel_shape 2,2 --pads -1,0,0,0
expect_usage "pads >= kernel" "pads must be smaller than the kernel" MaxPool "$X" -o "$Y" --kernel_shape 2,2 --pads 2,0,0,0
expect_usage "ceil_mode with auto_pad" "ceil_mode 1 with auto_pad" MaxPool "$X" -o "$Y" --kernel_shape 2,2 --auto_pad VALID --ceil_mode 1
expect_usage "ceil_mode 2" "--ceil_mode must be 0 or 1, got 2" MaxPool "$X" -o "$Y" --kernel_shape 2,2 --ceil_mode 2
expect_usage "count_include_pad 3" "--count_include_pad must be 0 or 1, got 3" AveragePool "$X" -o "$Y" --kernel_shape 2,2 --count_include_pad 3
expect_usage "AveragePool dilations before opset 19" "unknown attribute --dilations for opset 18" AveragePool "$X" -o "$Y" --kernel_shape 2,2 --dilations 2,2 --opset 18
expect_usage "AveragePool Indices" "outputs" AveragePool "$X" -o "$Y" "$tmp/i.npy" --kernel_shape 2,2
expect_usage "LpPool p 0" "--p must be >= 1, got 0" LpPool "$X" -o "$Y" --kernel_shape 2,2 --p 0
expect_usage "GlobalLpPool p -1" "--p must be >= 1, got -1" GlobalLpPool "$X" -o "$Y" --p -1
expect_usage "blocksize 0" "--blocksize must be > 0, got 0" DepthToSpace "$D" -o "$Y" --blocksize 0
expect_usage "blocksize missing" "--blocksize is required" SpaceToDepth "$D" -o "$Y"
expect_usage "channels not divisible" "divisible" DepthToSpace "$D" -o "$Y" --blocksize 3
expect_usage "spatial not divisible" "divisible" SpaceToDepth "$D" -o "$Y" --blocksize 2
expect_usage "mode spelling" "--mode must be DCR or CRD, got 'CDR'" DepthToSpace "$D" -o "$Y" --blocksize 2 --mode CDR
expect_usage "SpaceToDepth mode before opset 28" "unknown attribute --mode for opset 22" SpaceToDepth "$D" -o "$Y" --blocksize 1 --mode CRD --opset 22
U="$SRC/maxunpool_export_with_output_shape"
expect_usage "MaxUnpool output_shape too small" "output_shape" MaxUnpool "$U/in_0.npy" "$U/in_1.npy" -o "$Y" --kernel_shape 2,2 --strides 2,2 --output_shape 1,1,2,2
# a MaxUnpool index outside the output is a data error (exit 1)
rm -f "$Y"
"$CLI" onnx MaxUnpool "$U/in_0.npy" "$U/in_1.npy" -o "$Y" --kernel_shape 1,1 --strides 1,1 >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
if [ $rc -ne 0 ] && grep -q "^clresample: error: .*outside" "$tmp/stderr" && [ ! -e "$Y" ]; then
    ok "MaxUnpool index outside the inferred output"
else
    not_ok "MaxUnpool index outside the inferred output" "exit $rc" "$(head -n 2 "$tmp/stderr")"
fi
# MaxPool with Indices in the three layouts gives the node case's outputs
M="$SRC/maxpool_with_argmax_2d_precomputed_pads"
for layout in nchw nhwc strided; do
    rm -f "$Y" "$tmp/i.npy"
    if "$CLI" onnx MaxPool "$M/in_0.npy" -o "$Y" "$tmp/i.npy" --kernel_shape 5,5 --pads 2,2,2,2 --layout $layout \
        >"$tmp/stdout" 2>"$tmp/stderr" && cmp -s "$Y" "$M/out_0.npy" && cmp -s "$tmp/i.npy" "$M/out_1.npy"; then
        ok "MaxPool Y and Indices [$layout]"
    else
        not_ok "MaxPool Y and Indices [$layout]" "$(head -n 2 "$tmp/stderr")"
    fi
done
cli_done
