#!/bin/sh
# SPDX-License-Identifier: MIT
# test_onnx_cli.sh — ONNX's own node test cases through `clresample onnx`:
# every case in tests/onnx/cases.txt (written by tests/onnx/gen_onnx_cases.py
# from onnx's backend test generator), run with the data in three memory
# layouts (--layout nchw, nhwc, strided), each output compared with the
# expected one by tests/npy_allclose (bit-exact where the case is marked
# `exact`: nearest, max, indices, permutations; else within the case's
# rtol/atol). Then the CLI contract of the subcommand: usage errors exit 2
# with a `clresample: error:` line naming the attribute and write nothing.
#
# Automake TESTS protocol: exit 0 pass, 1 fail, 77 skip (no OpenCL platform).
# Prints one "ok - ..." / "not ok - ..." line per check and ends with
# "N passed, M failed". CLRS_ONNX_LAYOUTS overrides the layouts
# (e.g. "nchw" for a quick run).

CLI=${CLRESAMPLE:-./clresample}
CMP=${NPY_ALLCLOSE:-./tests/npy_allclose}
SRC=${srcdir:-.}/tests/onnx
LAYOUTS=${CLRS_ONNX_LAYOUTS:-nchw nhwc strided}
. "${TEST_SRCDIR:-$(dirname "$0")}/cli_lib.sh"
unset CLRS_LOG

for x in "$CLI" "$CMP"; do
    if [ ! -x "$x" ]; then
        echo "not ok - $x is not an executable"
        echo "0 passed, 1 failed"
        exit 1
    fi
done

cli_setup onnx

if ! "$CLI" devices >"$tmp/dev" 2>&1; then
    echo "# no OpenCL device: $(head -n 1 "$tmp/dev")"
    "$CLI" onnx --help >/dev/null 2>&1 || { echo "not ok - onnx --help"; exit 1; }
    exit 77
fi

# quote a word for eval
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

tab=$(printf '\t')
ncases=0
while IFS= read -r line; do
    case "$line" in '#'* | '') continue ;; esac
    name=${line%%"$tab"*}
    rest=${line#*"$tab"}
    tol=${rest%%"$tab"*}
    args=${rest#*"$tab"}
    tol=${tol%,expected=reference}
    d="$SRC/node/$name"
    ncases=$((ncases + 1))
    for layout in $LAYOUTS; do
        rm -f "$tmp"/out_*.npy
        cmd=""
        outs=""
        oldifs=$IFS
        IFS=$tab
        for w in $args; do
            case "$w" in
            '""') cmd="$cmd ''" ;;
            in_*.npy) cmd="$cmd $(q "$d/$w")" ;;
            out_*.npy) cmd="$cmd $(q "$tmp/$w")"; outs="$outs $w" ;;
            *) cmd="$cmd $(q "$w")" ;;
            esac
        done
        IFS=$oldifs
        eval "\"\$CLI\" onnx $cmd --layout $layout" >"$tmp/stdout" 2>"$tmp/stderr"
        rc=$?
        if [ $rc -ne 0 ]; then
            not_ok "$name [$layout]" "exit $rc: $(head -n 2 "$tmp/stderr")"
            continue
        fi
        good=yes
        why=""
        for o in $outs; do
            if ! "$CMP" "$d/$o" "$tmp/$o" "$tol" >"$tmp/cmp" 2>&1; then
                good=no
                why="$why $o: $(cat "$tmp/cmp")"
            fi
        done
        if [ $good = yes ]; then ok "$name [$layout]"; else not_ok "$name [$layout]" "$why"; fi
    done
done <"$SRC/cases.txt"
[ "$ncases" -gt 0 ] || not_ok "cases.txt lists cases" "none read from $SRC/cases.txt"

# ---- the subcommand's contract ---------------------------------------------
X="$SRC/node/maxpool_2d_default/in_0.npy"
# expect_usage DESCRIPTION PATTERN ARGS...: exit 2, one error line matching PATTERN, nothing written
expect_usage() {
    _desc=$1
    _pat=$2
    shift 2
    rm -f "$tmp/y.npy"
    "$CLI" onnx "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    _rc=$?
    if [ $_rc -eq 2 ] && grep -q "^clresample: error: .*$_pat" "$tmp/stderr" && [ ! -e "$tmp/y.npy" ]; then
        ok "$_desc"
    else
        not_ok "$_desc" "exit $_rc" "$(head -n 2 "$tmp/stderr")"
    fi
}
expect_usage "unknown op type" "unknown operator 'Resize2'" Resize2 "$X" -o "$tmp/y.npy"
expect_usage "unknown attribute" "unknown attribute --kernel" MaxPool "$X" -o "$tmp/y.npy" --kernel_shape 2,2 --kernel 3
expect_usage "attribute not an integer" "--ceil_mode 'yes' is not an integer" MaxPool "$X" -o "$tmp/y.npy" --kernel_shape 2,2 --ceil_mode yes
expect_usage "bad list" "--strides '1,,2': empty list element" MaxPool "$X" -o "$tmp/y.npy" --kernel_shape 2,2 --strides 1,,2
expect_usage "attribute given twice" "--strides given twice" MaxPool "$X" -o "$tmp/y.npy" --kernel_shape 2,2 --strides 1,1 --strides 2,2
expect_usage "too many outputs" "outputs" MaxPool "$X" -o "$tmp/y.npy" "$tmp/i.npy" "$tmp/z.npy" --kernel_shape 2,2
expect_usage "bad --layout" "--layout 'nhcw'" MaxPool "$X" -o "$tmp/y.npy" --kernel_shape 2,2 --layout nhcw
expect_usage "two outputs the same file" "name the same file" MaxPool "$X" -o "$tmp/y.npy" "$tmp/./y.npy" --kernel_shape 2,2
expect_usage "opset before the op existed" "--opset 1" MaxPool "$X" -o "$tmp/y.npy" --kernel_shape 2,2 --opset 1
"$CLI" onnx --help >"$tmp/stdout" 2>&1 && grep -q "GridSample" "$tmp/stdout" && grep -q "Resize" "$tmp/stdout" &&
    ok "onnx --help lists the operators" || not_ok "onnx --help lists the operators" "$(head -n 3 "$tmp/stdout")"
# a budget refuses a too-large input before running
rm -f "$tmp/y.npy"
"$CLI" onnx MaxPool "$X" -o "$tmp/y.npy" --kernel_shape 2,2 --max-bytes 100 >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
if [ $rc -eq 1 ] && grep -q "^clresample: error:" "$tmp/stderr" && [ ! -e "$tmp/y.npy" ]; then
    ok "--max-bytes refuses a large input (exit 1, nothing written)"
else
    not_ok "--max-bytes refuses a large input" "exit $rc" "$(head -n 2 "$tmp/stderr")"
fi

# --explain: which implementation ran, on stderr; the output is the same bits
"$CLI" onnx MaxPool "$X" -o "$tmp/plain.npy" --kernel_shape 2,2 --pads 0,0,1,1 >/dev/null 2>&1
"$CLI" onnx MaxPool "$X" -o "$tmp/expl.npy" --kernel_shape 2,2 --pads 0,0,1,1 --explain >"$tmp/stdout" 2>"$tmp/stderr"
if head -n 1 "$tmp/stderr" | grep -q '^clresample: impl: pool/' && cmp -s "$tmp/plain.npy" "$tmp/expl.npy"; then
    ok "--explain names the implementation first; same output"
else
    not_ok "--explain names the implementation first; same output" "$(head -n 2 "$tmp/stderr")"
fi

echo "# $ncases ONNX node cases x layouts: $LAYOUTS"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] || exit 1
exit 0
