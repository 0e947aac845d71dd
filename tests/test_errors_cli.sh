#!/bin/sh
# SPDX-License-Identifier: MIT
# test_errors_cli.sh — a table of bad inputs through the CLI: zero and
# negative sizes, size and scale both or neither, overflowing shapes,
# aliasing outputs, padding too large, outputs too small, unknown modes, NaN
# and negative scales, indices out of range, truncated and lying .npy and
# image files, a missing device. For each: the exit status (2 usage error,
# 1 bad data or runtime error), exactly one line "clresample: error: ..." on
# stderr that names the bad value, nothing on stdout, and no output file
# (nor temporary) left behind. An existing OUT survives failures untouched.
#
# Automake TESTS protocol: exit 0 pass, 1 fail, 77 skip (no OpenCL device
# and CI unset; rows that need a device are then skipped, the others run).
# Prints one "ok - ..." / "not ok - ..." line per row and "N passed, M failed".

CLI=${CLRESAMPLE:-./clresample}
DATA=${TEST_SRCDIR:-tests}/data
LC_ALL=C
export LC_ALL
unset CLRS_LOG CLRS_DEVICE

if [ ! -x "$CLI" ]; then
    echo "not ok - $CLI is not an executable (set CLRESAMPLE)"
    echo "0 passed, 1 failed"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/clrs-errcli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
O=$tmp/o
mkdir "$O" "$tmp/in"
I=$tmp/in
pass=0
fail=0
skip=0

# ---------------------------------------------------------------------------
# inputs

# npy FILE DESCR SHAPE DATA_BYTES [HEADER_LEN]: a version 1.0 .npy file with
# DATA_BYTES bytes of data (0x3f), header padded to 64 like numpy.save;
# HEADER_LEN overrides the header length field (a lying file).
npy() {
    _d="{'descr': '$2', 'fortran_order': False, 'shape': $3, }"
    _hl=$((${#_d} + 1))
    _hl=$((_hl + (64 - (10 + _hl) % 64) % 64))
    _f=${5:-$_hl}
    {
        printf '\223NUMPY\001\000'
        # shellcheck disable=SC2059 # the format carries the octal escapes
        printf "\\$(printf %03o $((_f % 256)))\\$(printf %03o $((_f / 256 % 256)))"
        printf "%-$((_hl - 1))s\\n" "$_d"
        [ "$4" -gt 0 ] && head -c "$4" /dev/zero | tr '\000' '\077'
    } >"$1"
}

IN=$I/in.npy                       # (1, 1, 4, 4) f32
npy "$IN" '<f4' '(1, 1, 4, 4)' 64
IN5=$I/in5.npy                     # (1, 1, 2, 2, 2) f32
npy "$IN5" '<f4' '(1, 1, 2, 2, 2)' 32
IN3C=$I/in3c.npy                   # (1, 3, 4, 4) f32
npy "$IN3C" '<f4' '(1, 3, 4, 4)' 192
SMALL=$I/small.npy                 # (1, 1, 2, 2) f32
npy "$SMALL" '<f4' '(1, 1, 2, 2)' 16
# unpool indices for SMALL with kernel 2 (planes of 4x4 = 16): one is 99
BADIDX=$I/badidx.npy
npy "$BADIDX" '<i8' '(1, 1, 2, 2)' 0
printf '\000\000\000\000\000\000\000\000\003\000\000\000\000\000\000\000' >>"$BADIDX"
printf '\143\000\000\000\000\000\000\000\005\000\000\000\000\000\000\000' >>"$BADIDX"
NEGIDX=$I/negidx.npy
npy "$NEGIDX" '<i8' '(1, 1, 2, 2)' 0
printf '\000\000\000\000\000\000\000\000\377\377\377\377\377\377\377\377' >>"$NEGIDX"
printf '\010\000\000\000\000\000\000\000\005\000\000\000\000\000\000\000' >>"$NEGIDX"
head -c 40 "$IN" >"$I/trunc_header.npy"
head -c $(($(wc -c <"$IN") - 4)) "$IN" >"$I/trunc_data.npy"
{ cat "$IN"; printf 'xxxx'; } >"$I/extra_data.npy"
npy "$I/lying_len.npy" '<f4' '(1, 1, 4, 4)' 64 65535
npy "$I/overflow.npy" '<f4' '(4294967296, 4294967296, 4, 4)' 64
npy "$I/negdim.npy" '<f4' '(1, -1, 4, 4)' 64
npy "$I/huge_claim.npy" '<f4' '(1, 1, 100000, 100000)' 64
npy "$I/c8.npy" '<c8' '(1, 1, 2, 2)' 32
npy "$I/rank2.npy" '<f4' '(4, 4)' 64
printf 'P6\n64 64\n255\n012345678901' >"$I/lying.ppm"
printf 'P5\n0 4\n255\n' >"$I/zero_width.pgm"
printf 'P5\n4 4\n0\n0123456789012345' >"$I/maxval0.pgm"
head -c 60 "$DATA/images/rgb8.png" >"$I/trunc.png" 2>/dev/null

# ---------------------------------------------------------------------------
# the table

have_device=yes
if ! "$CLI" devices >/dev/null 2>&1; then
    have_device=no
    echo "# no OpenCL device: rows marked 'dev' are skipped"
fi

# row EXIT NEEDS TEXT DESC ARGS...: NEEDS is "dev" when the check happens in
# the library (needs a context), "-" when the CLI catches it first. TEXT must
# appear in the error line (the bad value).
row() {
    _exit=$1 _needs=$2 _text=$3 _desc=$4
    shift 4
    if [ "$_needs" = dev ] && [ "$have_device" = no ]; then
        skip=$((skip + 1))
        echo "ok - $_desc # SKIP no OpenCL device"
        return
    fi
    "$CLI" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    _rc=$?
    _lines=$(wc -l <"$tmp/stderr" | tr -d ' ')
    _left=$(ls -A "$O")
    _line=$(head -n 1 "$tmp/stderr")
    _why=
    [ "$_rc" = "$_exit" ] || _why="exit status $_rc, expected $_exit"
    [ "$_lines" = 1 ] || _why="$_why; $_lines stderr lines"
    case $_line in
    "clresample: error: "*) ;;
    *) _why="$_why; stderr does not start with 'clresample: error: '" ;;
    esac
    case $_line in
    *"$_text"*) ;;
    *) _why="$_why; the message does not name '$_text'" ;;
    esac
    [ -s "$tmp/stdout" ] && _why="$_why; output on stdout"
    [ -z "$_left" ] || _why="$_why; left behind: $_left"
    if [ -z "$_why" ]; then
        pass=$((pass + 1))
        echo "ok - $_desc: $_line"
    else
        fail=$((fail + 1))
        echo "not ok - $_desc: ${_why#; }"
        echo "#   $_line"
    fi
    rm -rf "${O:?}"/* "$O"/.[!.]* 2>/dev/null
}

OUT=$O/out.npy
# sizes and scales
row 2 - "invalid value '0'" "zero size" interpolate "$IN" "$OUT" --mode nearest --size 0
row 2 - "invalid value '-3'" "negative size" interpolate "$IN" "$OUT" --mode nearest --size -3
row 2 - "'0' in '4,0'" "one zero size" interpolate "$IN" "$OUT" --mode bilinear --size 4,0
row 1 dev "-1" "negative dimension in the .npy" interpolate "$I/negdim.npy" "$OUT" --mode nearest --size 2
row 2 - "mutually exclusive" "size and scale both" interpolate "$IN" "$OUT" --mode nearest --size 4 --scale 2
row 2 - "one of --size or --scale" "neither size nor scale" interpolate "$IN" "$OUT" --mode nearest
row 2 - "'nan'" "NaN scale" interpolate "$IN" "$OUT" --mode nearest --scale nan
row 2 - "'inf'" "infinite scale" interpolate "$IN" "$OUT" --mode nearest --scale inf
row 2 - "invalid value '-2'" "negative scale" interpolate "$IN" "$OUT" --mode nearest --scale -2
row 2 - "invalid value '0'" "zero scale" interpolate "$IN" "$OUT" --mode nearest --scale 0
row 1 dev "output (0, 0)" "scale that empties the output" interpolate "$IN" "$OUT" --mode nearest --scale 0.1
row 1 dev "1e+300" "scale that overflows" interpolate "$IN" "$OUT" --mode nearest --scale 1e300
row 1 dev "9999999999" "output shape that overflows" interpolate "$IN" "$OUT" --mode nearest --size 9999999999,9999999999
row 2 - "out of range" "size beyond int64" interpolate "$IN" "$OUT" --mode nearest --size 99999999999999999999
row 2 - "'3x'" "malformed size" interpolate "$IN" "$OUT" --mode nearest --size 3x
# modes and their options
row 2 - "'bogus'" "unknown mode" interpolate "$IN" "$OUT" --mode bogus --size 4
row 1 dev "trilinear" "mode for another rank" interpolate "$IN" "$OUT" --mode trilinear --size 4
row 1 dev "align_corners" "align-corners with nearest" interpolate "$IN" "$OUT" --mode nearest --size 8 --align-corners
row 1 dev "Anti-alias" "antialias with nearest" interpolate "$IN" "$OUT" --mode nearest --size 2 --antialias
row 2 - "--size takes 1 or 3 values" "size count for the rank" interpolate "$IN5" "$OUT" --mode nearest --size 2,2
# pooling parameters
row 1 dev "pad=2" "padding too large" max-pool "$IN" "$OUT" --kernel 2 --padding 2
row 2 - "--padding: invalid value '-1'" "negative padding" max-pool "$IN" "$OUT" --kernel 2 --padding -1
row 1 dev "1x0x0" "output too small (kernel larger than the input)" max-pool "$IN" "$OUT" --kernel 5
row 1 dev "1x0x0" "output too small (dilated window)" max-pool "$IN" "$OUT" --kernel 3 --dilation 3
row 2 - "--kernel: invalid value '0'" "zero kernel" max-pool "$IN" "$OUT" --kernel 0
row 2 - "--stride: invalid value '0'" "zero stride" max-pool "$IN" "$OUT" --kernel 2 --stride 0
row 2 - "--dilation: invalid value '0'" "zero dilation" max-pool "$IN" "$OUT" --kernel 2 --dilation 0
row 1 dev "9223372036854775807" "dilation that overflows" max-pool "$IN" "$OUT" --kernel 2 --dilation 9223372036854775807
row 2 - "--norm-type: invalid value '0'" "LP norm 0" lp-pool "$IN" "$OUT" --kernel 2 --norm-type 0
row 2 - "must not be zero" "divisor override 0" avg-pool "$IN" "$OUT" --kernel 2 --divisor-override 0
row 2 - "'-4'" "negative adaptive size" adaptive-max-pool "$IN" "$OUT" --size -4
row 1 dev "output 6" "fractional ratio above 1" fractional-max-pool "$IN" "$OUT" --kernel 2 --ratio 1.5
row 2 - "same file" "indices aliasing the output" max-pool "$IN" "$OUT" --kernel 2 --indices "$OUT"
row 2 - "--kernel takes 1 or 2 values" "kernel count for the rank" max-pool "$IN" "$OUT" --kernel 2,2,2
# unpooling and shuffles
row 1 dev "99" "index out of range" max-unpool "$SMALL" "$BADIDX" "$OUT" --kernel 2
row 1 dev "-1" "negative index" max-unpool "$SMALL" "$NEGIDX" "$OUT" --kernel 2
row 1 dev "indices must be int64" "float indices" max-unpool "$SMALL" "$SMALL" "$OUT" --kernel 2
row 2 - "--factor: invalid value '0'" "zero shuffle factor" pixel-shuffle "$IN" "$OUT" --factor 0
row 1 dev "input.size(-3)=3" "channels not divisible" pixel-shuffle "$IN3C" "$OUT" --factor 2
row 1 dev "input.size(-2)=4" "height not divisible" pixel-unshuffle "$IN" "$OUT" --factor 3
# .npy files
row 1 - "$I/missing.npy" "missing input" interpolate "$I/missing.npy" "$OUT" --mode nearest --size 2
row 1 - "truncated" "truncated header" interpolate "$I/trunc_header.npy" "$OUT" --mode nearest --size 2
row 1 - "64 bytes" "truncated data" interpolate "$I/trunc_data.npy" "$OUT" --mode nearest --size 2
row 1 - "68 data bytes" "data longer than the header says" interpolate "$I/extra_data.npy" "$OUT" --mode nearest --size 2
row 1 - "65535" "header length past the end" interpolate "$I/lying_len.npy" "$OUT" --mode nearest --size 2
row 1 - "overflow" "shape that overflows" interpolate "$I/overflow.npy" "$OUT" --mode nearest --size 2
row 1 - "40000000000 bytes" "shape far larger than the data" interpolate "$I/huge_claim.npy" "$OUT" --mode nearest --size 2
row 1 - "<c8" "unsupported dtype" interpolate "$I/c8.npy" "$OUT" --mode nearest --size 2
row 1 - "got 2-D" "rank 2 array" interpolate "$I/rank2.npy" "$OUT" --mode nearest --size 2
row 1 - "is a directory" "a directory as input" interpolate "$I" "$OUT" --mode nearest --size 2
# images
row 1 - "truncated" "truncated PNG" resize "$I/trunc.png" "$O/out.png" --size 4x4
row 1 - "CRC" "PNG with a bad CRC" resize "$DATA/images/badcrc.png" "$O/out.png" --size 4x4
row 1 - "65536x65536" "PNG too large" resize "$DATA/images/huge.png" "$O/out.png" --size 4x4
row 1 - "12288 bytes" "lying PPM" resize "$I/lying.ppm" "$O/out.ppm" --size 4x4
row 1 - "$I/zero_width.pgm" "PGM of width 0" resize "$I/zero_width.pgm" "$O/out.pgm" --size 4x4
row 1 - "$I/maxval0.pgm" "PGM with maxval 0" resize "$I/maxval0.pgm" "$O/out.pgm" --size 4x4
row 2 - "'0x4'" "zero image width" resize "$DATA/images/rgb8.png" "$O/out.png" --size 0x4
row 1 - "RGBA" "RGBA into a PPM" resize "$DATA/images/rgba8.png" "$O/out.ppm" --size 4x4
# the device
row 1 - "'nosuch:ALL:0'" "missing device (--device)" interpolate "$IN" "$OUT" --mode nearest --size 2 --device nosuch:ALL:0
CLRS_DEVICE=nosuch-env-device
export CLRS_DEVICE
row 1 - "'nosuch-env-device'" "missing device (CLRS_DEVICE)" interpolate "$IN" "$OUT" --mode nearest --size 2
CLRS_DEVICE=disabled
row 1 - "disabled" "OpenCL disabled (CLRS_DEVICE)" interpolate "$IN" "$OUT" --mode nearest --size 2
unset CLRS_DEVICE

# an existing OUT survives failures found by the library and on the device
printf 'precious\n' >"$O/keep.npy"
"$CLI" max-unpool "$SMALL" "$BADIDX" "$O/keep.npy" --kernel 2 >/dev/null 2>&1
r1=$?
"$CLI" max-pool "$IN" "$O/keep.npy" --kernel 2 --padding 2 >/dev/null 2>&1
r2=$?
if [ "$have_device" = no ]; then
    skip=$((skip + 1))
    echo "ok - existing OUT untouched by failed runs # SKIP no OpenCL device"
elif [ "$r1$r2" = 11 ] && [ "$(cat "$O/keep.npy")" = precious ] && [ "$(ls -A "$O")" = keep.npy ]; then
    pass=$((pass + 1))
    echo "ok - existing OUT untouched by failed runs"
else
    fail=$((fail + 1))
    echo "not ok - existing OUT untouched by failed runs: exit $r1 $r2; $(find "$O" -mindepth 1 | tr '\n' ' ')"
fi

[ "$skip" -gt 0 ] && echo "# $skip skipped"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] || exit 1
if [ "$have_device" = no ]; then
    [ -n "${CI:-}" ] && { echo "CI is set but there is no OpenCL device"; exit 1; }
    exit 77
fi
exit 0
