#!/bin/sh
# SPDX-License-Identifier: MIT
# test_resize.sh — `clresample resize` on real image files: PNG (8/16-bit,
# gray, gray+alpha, RGB, RGBA, palette, 1-bit gray, interlaced, with
# metadata) and binary PPM/PGM. Checks output sizes, channels and bit depths,
# exact bytes for nearest, constant colours for the filtering modes, and the
# error contract: bad images exit 1 with one "clresample: error: ..." line and
# no output file, an existing OUT is never touched, usage errors exit 2.
#
# Automake TESTS protocol: exit 0 pass, 1 fail, 77 skip (no OpenCL platform,
# and CI unset; with CI set a missing device is a failure). The device-free
# checks run first either way. The binary is ${CLRESAMPLE:-./clresample}, the
# fixtures are in ${TEST_SRCDIR:-tests}/data/images (made by make_sample.py);
# expected files are built here with printf: no Python needed. Prints one
# "ok - ..." / "not ok - ..." line per check and ends with "N passed, M failed".
# Modes the library does not implement yet are reported as skipped checks.

CLI=${CLRESAMPLE:-./clresample}
IMG=${TEST_SRCDIR:-tests}/data/images
. "${TEST_SRCDIR:-$(dirname "$0")}/cli_lib.sh"
unset CLRS_LOG

if [ ! -x "$CLI" ]; then
    echo "not ok - $CLI is not an executable (set CLRESAMPLE)"
    echo "0 passed, 1 failed"
    exit 1
fi
if [ ! -f "$IMG/sample.png" ]; then
    echo "not ok - no fixtures in $IMG (set TEST_SRCDIR)"
    echo "0 passed, 1 failed"
    exit 1
fi

cli_setup resize # $tmp/o: outputs go here; it must stay empty after every failure
O=$tmp/o



# ---------------------------------------------------------------------------
# Byte builders and readers

# bytes V...: one byte per decimal value 0..255
bytes() {
    for _v in "$@"; do
        # shellcheck disable=SC2059 # the format carries the octal escape
        printf "\\$(printf %03o "$_v")"
    done
}

# const_pnm FILE MAGIC W H MAXVAL S...: a PPM/PGM whose every pixel has the
# samples S... (one per channel; 2 bytes big-endian each when MAXVAL > 255)
const_pnm() {
    _f=$1 _m=$2 _w=$3 _h=$4 _max=$5
    shift 5
    _px=$(for _s in "$@"; do
        if [ "$_max" -gt 255 ]; then
            printf '%s %s ' $((_s / 256)) $((_s % 256))
        else
            printf '%s ' "$_s"
        fi
    done)
    {
        printf '%s\n%s %s\n%s\n' "$_m" "$_w" "$_h" "$_max"
        _i=0
        while [ "$_i" -lt $((_w * _h)) ]; do
            # shellcheck disable=SC2086 # word splitting wanted
            bytes $_px
            _i=$((_i + 1))
        done
    } >"$_f"
}

# png_info FILE: "PNG WxH depth D type T interlace I" from the signature and
# IHDR, or "not a PNG"
png_info() {
    # shellcheck disable=SC2046 # word splitting wanted
    set -- $(od -An -tu1 -N29 "$1" 2>/dev/null)
    if [ "$#" != 29 ] || [ "$1 $2 $3 $4 $5 $6 $7 $8" != "137 80 78 71 13 10 26 10" ] ||
        [ "${13} ${14} ${15} ${16}" != "73 72 68 82" ]; then
        echo "not a PNG"
        return
    fi
    _w=$(((${17} << 24) + (${18} << 16) + (${19} << 8) + ${20}))
    _h=$(((${21} << 24) + (${22} << 16) + (${23} << 8) + ${24}))
    echo "PNG ${_w}x$_h depth ${25} type ${26} interlace ${29}"
}

# pnm_info FILE: the three header lines of a PPM/PGM we wrote, on one line
pnm_info() {
    head -n 3 "$1" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'
}

# ---------------------------------------------------------------------------
# Running the CLI

# run ARGS...: run the CLI; sets rc, stdout in $tmp/stdout, stderr in $tmp/stderr
run() {
    "$CLI" "$@" >"$tmp/stdout" 2>"$tmp/stderr.raw"
    rc=$?
    # PoCL's compiler prints "N warning(s) generated." on the process's
    # stderr whenever it builds a kernel from source, which depends on the
    # state of the kernel caches (the binary cache, PoCL's own), not on
    # the CLI: only those lines are dropped
    grep -v '^[0-9][0-9]* warnings\{0,1\} generated\.$' "$tmp/stderr.raw" >"$tmp/stderr"
}

outputs_empty() {
    [ -z "$(ls -A "$O")" ]
}

# expect_error STATUS TEXT DESC ARGS...: the run exits STATUS, prints exactly
# one stderr line "clresample: error: ..." containing TEXT, and leaves $O empty.
expect_error() {
    _want=$1 _text=$2 _desc=$3
    shift 3
    run "$@"
    _n=$(wc -l <"$tmp/stderr" | tr -d ' ')
    _line=$(head -n 1 "$tmp/stderr")
    if [ "$rc" != "$_want" ]; then
        not_ok "$_desc" "exit status $rc, expected $_want" "stderr: $_line"
    elif [ "$_n" != 1 ]; then
        not_ok "$_desc" "stderr has $_n lines, expected 1:" "$(cat "$tmp/stderr")"
    elif [ -s "$tmp/stdout" ]; then
        not_ok "$_desc" "stdout is not empty: $(head -n 1 "$tmp/stdout")"
    else
        case $_line in
        "clresample: error: "*"$_text"*)
            if outputs_empty; then
                ok "$_desc"
            else
                not_ok "$_desc" "output files were created: $(ls -A "$O")"
            fi
            ;;
        *) not_ok "$_desc" "stderr: $_line" "expected 'clresample: error: ...$_text...'" ;;
        esac
    fi
    rm -f "$O"/* "$O"/.[!.]* 2>/dev/null
}

# ---------------------------------------------------------------------------
# Help

run resize --help
if [ "$rc" = 0 ] && [ ! -s "$tmp/stderr" ] &&
    grep -q '^usage: clresample resize IN OUT (--size WxH | --scale F)' "$tmp/stdout"; then
    ok "resize --help shows the synopsis"
else
    not_ok "resize --help shows the synopsis" "exit status $rc" "$(head -n 2 "$tmp/stdout")"
fi
if grep -q 'Metadata is' "$tmp/stdout" && grep -q 'PPM' "$tmp/stdout" &&
    grep -q -- '--antialias' "$tmp/stdout" && grep -q -- '--device SPEC' "$tmp/stdout"; then
    ok "resize --help lists formats, options and dropped metadata"
else
    not_ok "resize --help lists formats, options and dropped metadata" "$(cat "$tmp/stdout")"
fi
if grep -q -- '--channels-last' "$tmp/stdout"; then
    not_ok "resize --help does not offer --channels-last"
else
    ok "resize --help does not offer --channels-last"
fi
run --help
if [ "$rc" = 0 ] && grep -q '^  resize  ' "$tmp/stdout"; then
    ok "--help lists resize"
else
    not_ok "--help lists resize" "exit status $rc"
fi
run help resize
if [ "$rc" = 0 ] && grep -q '^usage: clresample resize' "$tmp/stdout"; then
    ok "help resize"
else
    not_ok "help resize" "exit status $rc"
fi

# ---------------------------------------------------------------------------
# Usage errors: exit 2, one error line, nothing written (no device needed)

P="$IMG/rgb.ppm"
OUT="$O/out.png"

expect_error 2 "one of --size or --scale" "neither --size nor --scale" resize "$P" "$OUT"
expect_error 2 "mutually exclusive" "--size with --scale" resize "$P" "$OUT" --size 4x4 --scale 2
expect_error 2 "expected WIDTHxHEIGHT" "--size 640 (one number)" resize "$P" "$OUT" --size 640
expect_error 2 "expected WIDTHxHEIGHT" "--size x (no side)" resize "$P" "$OUT" --size x
expect_error 2 "expected WIDTHxHEIGHT" "--size 4xx" resize "$P" "$OUT" --size 4xx
expect_error 2 "expected WIDTHxHEIGHT" "--size 4x4x4" resize "$P" "$OUT" --size 4x4x4
expect_error 2 "expected WIDTHxHEIGHT" "--size 4,4" resize "$P" "$OUT" --size 4,4
expect_error 2 "expected WIDTHxHEIGHT" "--size -4x4" resize "$P" "$OUT" --size=-4x4
expect_error 2 "expected WIDTHxHEIGHT" "--size 4x-4" resize "$P" "$OUT" --size 4x-4
expect_error 2 "expected WIDTHxHEIGHT" "--size ' 4x4'" resize "$P" "$OUT" --size ' 4x4'
expect_error 2 "must be positive" "--size 0x4" resize "$P" "$OUT" --size 0x4
expect_error 2 "at most 2147483647" "--size 3000000000x1" resize "$P" "$OUT" --size 3000000000x1
expect_error 2 "expected WIDTHxHEIGHT" "--size overflowing int64" resize "$P" "$OUT" --size 99999999999999999999x1
expect_error 2 "must be positive" "--scale 0" resize "$P" "$OUT" --scale 0
expect_error 2 "must be positive" "--scale -2" resize "$P" "$OUT" --scale=-2
expect_error 2 "finite" "--scale 2,2 (one factor only)" resize "$P" "$OUT" --scale 2,2
expect_error 2 "finite" "--scale nan" resize "$P" "$OUT" --scale nan
expect_error 2 "finite" "--scale inf" resize "$P" "$OUT" --scale inf
expect_error 2 "unknown mode 'bogus'" "--mode bogus" resize "$P" "$OUT" --scale 2 --mode bogus
expect_error 2 "does not apply" "--channels-last" resize "$P" "$OUT" --scale 2 --channels-last
expect_error 2 "does not apply" "--kernel" resize "$P" "$OUT" --scale 2 --kernel 2
expect_error 2 "does not apply" "--recompute-scale-factor" resize "$P" "$OUT" --scale 2 --recompute-scale-factor
expect_error 2 "takes no value" "--antialias=1" resize "$P" "$OUT" --scale 2 --antialias=1
expect_error 2 "more than once" "repeated --size" resize "$P" "$OUT" --size 2x2 --size 3x3
expect_error 2 "missing argument OUT" "missing OUT" resize "$P" --scale 2
expect_error 2 "unexpected argument" "extra argument" resize "$P" "$OUT" "$O/b.png" --scale 2
expect_error 2 "no known image extension" "OUT .jpg" resize "$P" "$O/out.jpg" --scale 2
expect_error 2 "no known image extension" "OUT without an extension" resize "$P" "$O/out" --scale 2
expect_error 2 "no known image extension" "OUT .png.tmp" resize "$P" "$O/out.png.tmp" --scale 2
expect_error 2 "no known image extension" "OUT is checked before IN is read" resize "$tmp/missing.ppm" "$O/out.gif" --scale 2
# --size/--scale of interpolate keep their list syntax
expect_error 2 "invalid value '4x4'" "interpolate --size 4x4 is still a list error" interpolate "$tmp/missing.npy" "$O/o.npy" --mode nearest --size 4x4
expect_error 1 "cannot open" "interpolate --size 4,4 still parses" interpolate "$tmp/missing.npy" "$O/o.npy" --mode nearest --size 4,4
expect_error 1 "cannot open" "interpolate --scale 2,3 still parses" interpolate "$tmp/missing.npy" "$O/o.npy" --mode nearest --scale 2,3

# ---------------------------------------------------------------------------
# Bad images: exit 1, one line naming the file, nothing written (no device
# needed: they fail while reading)

B="$tmp/bad"
mkdir "$B"

expect_error 1 "$B/missing.png: cannot open" "missing input file" resize "$B/missing.png" "$OUT" --scale 2
expect_error 1 "is a directory" "directory as IN" resize "$B" "$OUT" --scale 2
: >"$B/empty.png"
expect_error 1 "empty" "empty file" resize "$B/empty.png" "$OUT" --scale 2
printf 'hello, world\n' >"$B/text.png"
expect_error 1 "not a PNG, PPM or PGM image" "text file" resize "$B/text.png" "$OUT" --scale 2
bytes 255 216 255 224 0 16 74 70 73 70 0 >"$B/photo.png"
expect_error 1 "a JPEG file" "JPEG content" resize "$B/photo.png" "$OUT" --scale 2
printf 'P3\n1 1\n255\n1 2 3\n' >"$B/ascii.ppm"
expect_error 1 "plain (ASCII) PPM" "ASCII P3 PPM" resize "$B/ascii.ppm" "$OUT" --scale 2
printf 'P7\nWIDTH 1\n' >"$B/x.pam"
expect_error 1 "PAM" "PAM file" resize "$B/x.pam" "$OUT" --scale 2
{ printf '\223NUMPY\001\000'; printf 'x'; } >"$B/a.npy"
expect_error 1 "NumPy" ".npy given to resize" resize "$B/a.npy" "$OUT" --scale 2
if command -v mkfifo >/dev/null 2>&1 && mkfifo "$B/fifo.png" 2>/dev/null; then
    expect_error 1 "not a regular file" "FIFO as IN (no blocking)" resize "$B/fifo.png" "$OUT" --scale 2
fi

expect_error 1 "$IMG/truncated.png: truncated PNG" "PNG truncated inside IDAT" resize "$IMG/truncated.png" "$OUT" --scale 2
expect_error 1 "IDAT: CRC error" "PNG with a bad IDAT CRC" resize "$IMG/badcrc.png" "$OUT" --scale 2
expect_error 1 "too large" "PNG of 65536x65536 pixels" resize "$IMG/huge.png" "$OUT" --scale 0.001
head -c 8 "$IMG/rgb8.png" >"$B/sig_only.png"
expect_error 1 "truncated PNG" "PNG signature only" resize "$B/sig_only.png" "$OUT" --scale 2
head -c 20 "$IMG/rgb8.png" >"$B/cut_ihdr.png"
expect_error 1 "truncated PNG" "PNG cut inside IHDR" resize "$B/cut_ihdr.png" "$OUT" --scale 2
head -c 33 "$IMG/rgb8.png" >"$B/no_idat.png"
expect_error 1 "truncated PNG" "PNG without IDAT" resize "$B/no_idat.png" "$OUT" --scale 2
_n=$(wc -c <"$IMG/rgb8.png" | tr -d ' ')
head -c $((_n - 12)) "$IMG/rgb8.png" >"$B/no_iend.png"
expect_error 1 "truncated PNG" "PNG without IEND" resize "$B/no_iend.png" "$OUT" --scale 2
{ head -c 7 "$IMG/rgb8.png"; printf 'X'; tail -c +9 "$IMG/rgb8.png"; } >"$B/badsig.png"
expect_error 1 "damaged signature" "PNG with a damaged signature" resize "$B/badsig.png" "$OUT" --scale 2

expect_error 1 "$IMG/lying.ppm: truncated PPM file: the header says 64x64" "PPM whose header promises more data" resize "$IMG/lying.ppm" "$OUT" --scale 2
{ cat "$P"; printf 'xyz'; } >"$B/extra.ppm"
expect_error 1 "3 bytes of unexpected data" "PPM with data after the image" resize "$B/extra.ppm" "$OUT" --scale 2
printf 'P5\n65536 65537\n255\n\001' >"$B/huge.pgm"
expect_error 1 "too large" "PGM of 2^32+ pixels" resize "$B/huge.pgm" "$OUT" --scale 0.001
printf 'P5\n3000000000 1\n255\n\001' >"$B/wide.pgm"
expect_error 1 "too large" "PGM wider than 2^31-1" resize "$B/wide.pgm" "$OUT" --scale 0.001
printf 'P5\n99999999999 1\n255\n\001' >"$B/overflow.pgm"
expect_error 1 "too large" "PGM width overflowing 32 bits" resize "$B/overflow.pgm" "$OUT" --scale 2
printf 'P5\n1 1\n0\n\001' >"$B/max0.pgm"
expect_error 1 "maxval 0" "PGM maxval 0" resize "$B/max0.pgm" "$OUT" --scale 2
printf 'P5\n1 1\n70000\n\001\001' >"$B/max70000.pgm"
expect_error 1 "maxval 70000" "PGM maxval 70000" resize "$B/max70000.pgm" "$OUT" --scale 2
printf 'P6\n0 4\n255\n' >"$B/zero.ppm"
expect_error 1 "empty image" "PPM of width 0" resize "$B/zero.ppm" "$OUT" --scale 2
printf 'P6\n4 ' >"$B/cut.ppm"
expect_error 1 "truncated PPM" "PPM header cut short" resize "$B/cut.ppm" "$OUT" --scale 2
printf 'P6\n4 x\n255\n' >"$B/garbage.ppm"
expect_error 1 "invalid PPM header" "PPM header with garbage" resize "$B/garbage.ppm" "$OUT" --scale 2
printf 'P6\n1 1\n255#c\n\001\002\003' >"$B/maxcomment.ppm"
expect_error 1 "invalid PPM header" "PPM maxval not followed by one white space" resize "$B/maxcomment.ppm" "$OUT" --scale 2
printf 'P61 1\n255\n\001\002\003' >"$B/nospace.ppm"
expect_error 1 "invalid PPM header" "PPM magic not followed by white space" resize "$B/nospace.ppm" "$OUT" --scale 2
printf 'P5\n3 1\n100\n\000\310\144' >"$B/over.pgm"
expect_error 1 "sample value 200 exceeds maxval 100" "PGM sample above maxval" resize "$B/over.pgm" "$OUT" --scale 2
printf 'P5\n2 1\n1000\n\000\001\003\351' >"$B/over16.pgm"
expect_error 1 "sample value 1001 exceeds maxval 1000" "16-bit PGM sample above maxval" resize "$B/over16.pgm" "$OUT" --scale 2

# channels that the output format cannot hold
expect_error 1 "a PPM file holds RGB images, not RGBA" "RGBA to .ppm" resize "$IMG/rgba8.png" "$O/out.ppm" --scale 2
expect_error 1 "not gray+alpha" "gray+alpha to .ppm" resize "$IMG/ga8.png" "$O/out.ppm" --scale 2
expect_error 1 "not gray" "gray to .ppm" resize "$IMG/gray.pgm" "$O/out.ppm" --scale 2
expect_error 1 "a PGM file holds gray images, not RGB" "RGB to .pgm" resize "$P" "$O/out.pgm" --scale 2
expect_error 1 "not RGBA" "palette with tRNS (RGBA) to .pgm" resize "$IMG/palette_trns.png" "$O/out.PGM" --scale 2

# the output size is checked before anything is allocated or run
expect_error 1 "too large" "--size 50000x50000 (2.5e9 pixels)" resize "$P" "$OUT" --size 50000x50000
expect_error 1 "too large" "--scale 1e6" resize "$P" "$OUT" --scale 1e6

# library parameter checks come before any device work
expect_error 1 "align_corners" "--align-corners with nearest" resize "$P" "$OUT" --scale 2 --mode nearest --align-corners
expect_error 1 "resize: " "linear (1-D) mode on an image" resize "$P" "$OUT" --scale 2 --mode linear

# an existing OUT survives failed runs untouched, and no temporaries remain
printf 'precious\n' >"$O/keep.png"
cp "$O/keep.png" "$tmp/keep.orig"
run resize "$IMG/truncated.png" "$O/keep.png" --scale 2
r1=$rc
run resize "$IMG/lying.ppm" "$O/keep.png" --size 2x2
r2=$rc
run resize "$P" "$O/keep.png" --size 2x2 --scale 2
r3=$rc
cp "$O/keep.png" "$O/keep.ppm"
run resize "$IMG/rgba8.png" "$O/keep.ppm" --scale 2
r4=$rc
# shellcheck disable=SC2012 # plain names
if [ "$r1$r2$r3$r4" = 1121 ] && cmp -s "$O/keep.png" "$tmp/keep.orig" &&
    cmp -s "$O/keep.ppm" "$tmp/keep.orig" && [ "$(ls -A "$O" | tr '\n' ' ')" = "keep.png keep.ppm " ]; then
    ok "existing OUT untouched by failed runs"
else
    not_ok "existing OUT untouched by failed runs" "exit statuses $r1 $r2 $r3 $r4" "$(ls -A "$O")"
fi
rm -f "$O"/*

# ---------------------------------------------------------------------------
# With a device

run devices
have_device=yes
if [ "$rc" != 0 ]; then
    have_device=no
    if grep -q -i 'no OpenCL' "$tmp/stderr"; then
        echo "# no OpenCL device: $(head -n 1 "$tmp/stderr")"
    else
        not_ok "devices" "exit status $rc" "stderr: $(head -n 1 "$tmp/stderr")"
    fi
elif grep -q -i 'no OpenCL devices' "$tmp/stdout"; then
    have_device=no
    echo "# no OpenCL device"
fi

# resize_ok DESC ARGS...: the run succeeds silently; "not implemented yet" is
# a skip. Returns 0 when the run succeeded.
resize_ok() {
    _desc=$1
    shift
    run resize "$@"
    if [ "$rc" = 1 ] && grep -q 'not implemented yet' "$tmp/stderr"; then
        skipped "$_desc" "not implemented yet"
        return 1
    fi
    if [ "$rc" != 0 ] || [ -s "$tmp/stderr" ] || [ -s "$tmp/stdout" ]; then
        not_ok "$_desc" "exit status $rc" "stderr: $(head -n 3 "$tmp/stderr")"
        return 1
    fi
    return 0
}

# check_file DESC FILE EXPECTED
check_file() {
    if cmp "$2" "$3" >"$tmp/cmp" 2>&1; then
        ok "$1"
    else
        not_ok "$1" "$(cat "$tmp/cmp")" "got:      $(od -An -tu1 "$2" | head -n 4 | tr -s ' \n' ' ')" \
            "expected: $(od -An -tu1 "$3" | head -n 4 | tr -s ' \n' ' ')"
    fi
}

# check_eq DESC GOT EXPECTED
check_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:      $2" "expected: $3"; fi
}

# size_check DESC IN OUT INFO ARGS...: a nearest resize of IN to OUT whose
# header reads INFO (png_info / pnm_info by OUT's extension)
size_check() {
    _d=$1 _in=$2 _out=$3 _info=$4
    shift 4
    if resize_ok "$_d" "$_in" "$_out" --mode nearest "$@"; then
        case $_out in
        *.png) check_eq "$_d" "$(png_info "$_out")" "$_info" ;;
        *) check_eq "$_d" "$(pnm_info "$_out")" "$_info" ;;
        esac
    fi
    rm -f "$_out"
}

if [ "$have_device" = yes ]; then
    # --- nearest: exact bytes
    # 2x2 RGB (A B / C D) -> x2 -> 4x4
    printf 'P6\n2 2\n255\n' >"$tmp/tiny.ppm"
    bytes 10 20 30 40 50 60 70 80 90 100 110 120 >>"$tmp/tiny.ppm"
    printf 'P6\n4 4\n255\n' >"$tmp/tiny_x2.ppm"
    for _row in "10 20 30 40 50 60" "10 20 30 40 50 60" "70 80 90 100 110 120" "70 80 90 100 110 120"; do
        # shellcheck disable=SC2086 # word splitting wanted
        set -- $_row
        bytes "$1" "$2" "$3" "$1" "$2" "$3" "$4" "$5" "$6" "$4" "$5" "$6"
    done >>"$tmp/tiny_x2.ppm"
    if resize_ok "nearest --scale 2 of a 2x2 PPM" "$tmp/tiny.ppm" "$O/x2.ppm" --mode nearest --scale 2; then
        check_file "nearest --scale 2 of a 2x2 PPM" "$O/x2.ppm" "$tmp/tiny_x2.ppm"
    fi
    if resize_ok "nearest --size 4x4 of a 2x2 PPM" "$tmp/tiny.ppm" "$O/x2.ppm" --mode nearest --size 4x4; then
        check_file "nearest --size 4x4 of a 2x2 PPM" "$O/x2.ppm" "$tmp/tiny_x2.ppm"
    fi
    # the PNG writer round-trips: PPM -> PNG -> PPM
    if resize_ok "nearest x2 to PNG" "$tmp/tiny.ppm" "$O/x2.png" --mode nearest --scale 2 &&
        resize_ok "PNG back to PPM" "$O/x2.png" "$O/back.ppm" --mode nearest --scale 1; then
        check_eq "nearest x2 to PNG: header" "$(png_info "$O/x2.png")" "PNG 4x4 depth 8 type 2 interlace 0"
        check_file "PPM -> PNG -> PPM keeps the pixels" "$O/back.ppm" "$tmp/tiny_x2.ppm"
    fi
    rm -f "$O"/*

    # --size is WIDTHxHEIGHT: a 3x1 PGM to 6x2
    printf 'P5\n3 1\n255\n' >"$tmp/row.pgm"
    bytes 1 2 3 >>"$tmp/row.pgm"
    { printf 'P5\n6 2\n255\n'; bytes 1 1 2 2 3 3 1 1 2 2 3 3; } >"$tmp/row_exp.pgm"
    if resize_ok "--size 6x2 is width 6, height 2" "$tmp/row.pgm" "$O/row.pgm" --mode nearest --size 6x2; then
        check_file "--size 6x2 is width 6, height 2" "$O/row.pgm" "$tmp/row_exp.pgm"
    fi
    rm -f "$O"/*

    # --scale uses F.interpolate's floor rule on both sides (13x9 input)
    size_check "--scale 0.5 of 13x9 gives 6x4" "$IMG/rgb8.ppm" "$O/s.ppm" "P6 6 4 255" --scale 0.5
    size_check "--scale 1.5 of 13x9 gives 19x13" "$IMG/rgb8.ppm" "$O/s.ppm" "P6 19 13 255" --scale 1.5
    size_check "--scale 0.12 of 13x9 gives 1x1 (floor)" "$IMG/rgb8.ppm" "$O/s.png" "PNG 1x1 depth 8 type 2 interlace 0" --scale 0.12
    expect_error 1 "resize: " "--scale 0.05 of 13x9 gives an empty output" resize "$IMG/rgb8.ppm" "$O/s.png" --mode nearest --scale 0.05

    # --- every fixture type: sizes, channels, bit depth
    size_check "sample.png (RGB 8) --scale 0.5" "$IMG/sample.png" "$O/s.png" "PNG 128x96 depth 8 type 2 interlace 0" --scale 0.5
    size_check "rgb16.png (RGB 16) to PNG" "$IMG/rgb16.png" "$O/s.png" "PNG 6x4 depth 16 type 2 interlace 0" --size 6x4
    size_check "rgb16.png (RGB 16) to PPM" "$IMG/rgb16.png" "$O/s.ppm" "P6 6 4 65535" --size 6x4
    size_check "gray16.png (gray 16) to PGM" "$IMG/gray16.png" "$O/s.pgm" "P5 5 3 65535" --size 5x3
    size_check "gray16.png (gray 16) to PNG" "$IMG/gray16.png" "$O/s.png" "PNG 1x7 depth 16 type 0 interlace 0" --size 1x7
    size_check "ga8.png (gray+alpha 8) to PNG" "$IMG/ga8.png" "$O/s.png" "PNG 8x6 depth 8 type 4 interlace 0" --scale 2
    size_check "rgba8.png (RGBA 8) to PNG" "$IMG/rgba8.png" "$O/s.png" "PNG 2x9 depth 8 type 6 interlace 0" --size 2x9
    size_check "palette4.png (palette) becomes RGB" "$IMG/palette4.png" "$O/s.png" "PNG 10x4 depth 8 type 2 interlace 0" --scale 2
    size_check "palette_trns.png (palette + tRNS) becomes RGBA" "$IMG/palette_trns.png" "$O/s.png" "PNG 10x4 depth 8 type 6 interlace 0" --scale 2
    size_check "gray1.png (1-bit gray) becomes 8-bit gray" "$IMG/gray1.png" "$O/s.png" "PNG 5x1 depth 8 type 0 interlace 0" --scale 0.5
    size_check "gray.pgm (P5 with comments) to PNG" "$IMG/gray.pgm" "$O/s.png" "PNG 8x6 depth 8 type 0 interlace 0" --scale 2
    size_check "rgb.ppm (P6) to PNG" "$IMG/rgb.ppm" "$O/s.png" "PNG 2x3 depth 8 type 2 interlace 0" --size 2x3
    size_check "interlaced PNG is written non-interlaced" "$IMG/rgb8_adam7_meta.png" "$O/s.png" "PNG 13x9 depth 8 type 2 interlace 0" --scale 1

    # --- decoding is exact: identity (nearest, scale 1) to PPM/PGM
    for _pair in "rgb8.png rgb8.ppm" "rgb8_adam7_meta.png rgb8.ppm" "rgb16.png rgb16.ppm" \
        "gray16.png gray16.pgm" "palette4.png palette4.ppm" "gray1.png gray1.pgm" "rgb.ppm rgb.ppm" \
        "rgb16.ppm rgb16.ppm"; do
        # shellcheck disable=SC2086 # word splitting wanted
        set -- $_pair
        _ext=${2##*.}
        if resize_ok "$1 decodes to the pixels of $2" "$IMG/$1" "$O/id.$_ext" --mode nearest --scale 1; then
            check_file "$1 decodes to the pixels of $2" "$O/id.$_ext" "$IMG/$2"
        fi
        rm -f "$O"/*
    done
    # gray.pgm has header comments: compare the pixels only
    if resize_ok "gray.pgm pixels survive" "$IMG/gray.pgm" "$O/g.pgm" --mode nearest --scale 1; then
        tail -c 12 "$IMG/gray.pgm" >"$tmp/g_px"
        tail -c 12 "$O/g.pgm" >"$tmp/g_out"
        check_eq "gray.pgm pixels survive: header" "$(pnm_info "$O/g.pgm")" "P5 4 3 255"
        check_file "gray.pgm pixels survive" "$tmp/g_out" "$tmp/g_px"
    fi
    rm -f "$O"/*
    # 16-bit and 4-channel PNG round trips: PNG -> PNG -> PNG gives equal files
    for _f in rgb16.png ga8.png rgba8.png palette_trns.png gray16.png; do
        if resize_ok "$_f: PNG round trip" "$IMG/$_f" "$O/a.png" --mode nearest --scale 1 &&
            resize_ok "$_f: PNG round trip" "$O/a.png" "$O/b.png" --mode nearest --scale 1; then
            check_file "$_f: PNG round trip" "$O/b.png" "$O/a.png"
        fi
        rm -f "$O"/*
    done
    # metadata is dropped: no ancillary chunks in the output
    if resize_ok "metadata is dropped" "$IMG/rgb8_adam7_meta.png" "$O/m.png" --mode nearest --scale 1; then
        _chunks=$(od -An -c "$O/m.png" | tr -d ' \n')
        _found=
        for _c in tEXt zTXt iTXt gAMA iCCP pHYs tIME clRs; do
            case $_chunks in *"$_c"*) _found="$_found $_c" ;; esac
        done
        check_eq "metadata is dropped" "${_found:-none}" "none"
    fi
    rm -f "$O"/*

    # PNM maxval other than 255/65535 is rescaled to the full range
    printf 'P5\n3 1\n100\n' >"$tmp/m100.pgm"
    bytes 0 50 100 >>"$tmp/m100.pgm"
    { printf 'P5\n3 1\n255\n'; bytes 0 128 255; } >"$tmp/m100_exp.pgm"
    if resize_ok "maxval 100 is rescaled to 255" "$tmp/m100.pgm" "$O/m.pgm" --mode nearest --scale 1; then
        check_file "maxval 100 is rescaled to 255" "$O/m.pgm" "$tmp/m100_exp.pgm"
    fi
    printf 'P5\n3 1\n1000\n' >"$tmp/m1000.pgm"
    bytes 0 0 1 244 3 232 >>"$tmp/m1000.pgm" # 0, 500, 1000
    { printf 'P5\n3 1\n65535\n'; bytes 0 0 128 0 255 255; } >"$tmp/m1000_exp.pgm"
    if resize_ok "maxval 1000 is rescaled to 65535" "$tmp/m1000.pgm" "$O/m.pgm" --mode nearest --scale 1; then
        check_file "maxval 1000 is rescaled to 65535" "$O/m.pgm" "$tmp/m1000_exp.pgm"
    fi
    rm -f "$O"/*

    # nearest-exact: 3 -> 2 picks source pixels 0 and 2 (nearest picks 0 and 1)
    printf 'P5\n3 1\n255\n' >"$tmp/r3.pgm"
    bytes 10 20 30 >>"$tmp/r3.pgm"
    { printf 'P5\n2 1\n255\n'; bytes 10 30; } >"$tmp/r3_exact.pgm"
    { printf 'P5\n2 1\n255\n'; bytes 10 20; } >"$tmp/r3_nearest.pgm"
    if resize_ok "nearest-exact 3 -> 2" "$tmp/r3.pgm" "$O/r.pgm" --mode nearest-exact --size 2x1; then
        check_file "nearest-exact 3 -> 2" "$O/r.pgm" "$tmp/r3_exact.pgm"
    fi
    if resize_ok "nearest 3 -> 2" "$tmp/r3.pgm" "$O/r.pgm" --mode nearest --size 2x1; then
        check_file "nearest 3 -> 2" "$O/r.pgm" "$tmp/r3_nearest.pgm"
    fi
    rm -f "$O"/*

    # --- filtering modes: a constant colour stays exactly that colour
    const_pnm "$tmp/c8.ppm" P6 5 4 255 200 100 7
    const_pnm "$tmp/c16.ppm" P6 5 4 65535 4660 43981 3855
    const_pnm "$tmp/cg.pgm" P5 5 4 255 77
    # const_case DESC IN W H [ARGS...]: resize IN to WxH, expect the constant
    const_case() {
        _d=$1 _in=$2 _w=$3 _h=$4
        shift 4
        _ext=${_in##*.}
        case $_in in
        *c8.ppm) const_pnm "$tmp/cexp.$_ext" P6 "$_w" "$_h" 255 200 100 7 ;;
        *c16.ppm) const_pnm "$tmp/cexp.$_ext" P6 "$_w" "$_h" 65535 4660 43981 3855 ;;
        *cg.pgm) const_pnm "$tmp/cexp.$_ext" P5 "$_w" "$_h" 255 77 ;;
        esac
        run resize "$_in" "$O/c.$_ext" --size "${_w}x$_h" "$@"
        if [ "$rc" = 1 ] && grep -q 'not implemented yet' "$tmp/stderr"; then
            skipped "$_d" "not implemented yet"
        elif [ "$rc" = 1 ] && case $_in in *c16*) true ;; *) false ;; esac &&
            grep -q 'not supported\|unsupported' "$tmp/stderr"; then
            skipped "$_d" "$(head -n 1 "$tmp/stderr")"
        elif [ "$rc" != 0 ] || [ -s "$tmp/stderr" ]; then
            not_ok "$_d" "exit status $rc" "stderr: $(head -n 1 "$tmp/stderr")"
        else
            check_file "$_d" "$O/c.$_ext" "$tmp/cexp.$_ext"
        fi
        rm -f "$O"/*
    }
    const_case "bilinear (the default) up: constant stays" "$tmp/c8.ppm" 9 7
    const_case "bilinear down: constant stays" "$tmp/c8.ppm" 3 2 --mode bilinear
    const_case "bilinear --antialias down: constant stays" "$tmp/c8.ppm" 2 3 --mode bilinear --antialias
    const_case "bilinear --align-corners up: constant stays" "$tmp/c8.ppm" 8 5 --align-corners
    const_case "bicubic up: constant stays" "$tmp/c8.ppm" 11 9 --mode bicubic
    const_case "bicubic --antialias down: constant stays" "$tmp/c8.ppm" 2 2 --mode bicubic --antialias
    const_case "area down: constant stays" "$tmp/c8.ppm" 2 3 --mode area
    const_case "lanczos --antialias down: constant stays" "$tmp/c8.ppm" 3 3 --mode lanczos --antialias
    const_case "lanczos --antialias up: constant stays" "$tmp/c8.ppm" 7 6 --mode lanczos --antialias
    const_case "bilinear on gray: constant stays" "$tmp/cg.pgm" 7 3
    const_case "bicubic --antialias on gray: constant stays" "$tmp/cg.pgm" 3 2 --mode bicubic --antialias
    const_case "16-bit bilinear up: constant stays" "$tmp/c16.ppm" 8 6
    const_case "16-bit bilinear --antialias down: constant stays" "$tmp/c16.ppm" 3 2 --antialias
    const_case "16-bit bicubic up: constant stays" "$tmp/c16.ppm" 7 7 --mode bicubic

    # the default mode is bilinear
    if resize_ok "default mode is bilinear" "$IMG/rgb8.ppm" "$O/d.ppm" --size 7x11 &&
        resize_ok "default mode is bilinear" "$IMG/rgb8.ppm" "$O/b.ppm" --size 7x11 --mode bilinear; then
        check_file "default mode is bilinear" "$O/d.ppm" "$O/b.ppm"
    fi
    rm -f "$O"/*
    # bilinear exactly halfway between two samples: 2 -> 4 gives 10 15 25 30 (no rounding issue)
    printf 'P5\n2 1\n255\n' >"$tmp/h2.pgm"
    bytes 10 30 >>"$tmp/h2.pgm"
    { printf 'P5\n4 1\n255\n'; bytes 10 15 25 30; } >"$tmp/h2_exp.pgm"
    if resize_ok "bilinear 2 -> 4 values" "$tmp/h2.pgm" "$O/h.pgm" --size 4x1; then
        check_file "bilinear 2 -> 4 values" "$O/h.pgm" "$tmp/h2_exp.pgm"
    fi
    rm -f "$O"/*

    # --- files
    # a successful run replaces an existing OUT and leaves no temporaries
    printf 'old\n' >"$O/out.ppm"
    if resize_ok "existing OUT replaced" "$tmp/tiny.ppm" "$O/out.ppm" --mode nearest --scale 2; then
        check_file "existing OUT replaced" "$O/out.ppm" "$tmp/tiny_x2.ppm"
    fi
    check_eq "no temporary files left behind" "$(ls -A "$O")" "out.ppm"
    rm -f "$O"/*
    # the extension is case-insensitive
    if resize_ok "OUT.PNG is a PNG" "$tmp/tiny.ppm" "$O/UP.PNG" --mode nearest --scale 2; then
        check_eq "OUT.PNG is a PNG" "$(png_info "$O/UP.PNG")" "PNG 4x4 depth 8 type 2 interlace 0"
    fi
    rm -f "$O"/*
    # resizing a file onto itself
    cp "$tmp/tiny.ppm" "$O/self.ppm"
    if resize_ok "IN and OUT the same file" "$O/self.ppm" "$O/self.ppm" --mode nearest --scale 2; then
        check_file "IN and OUT the same file" "$O/self.ppm" "$tmp/tiny_x2.ppm"
    fi
    rm -f "$O"/*
    # an unwritable OUT: exit 1, nothing created
    expect_error 1 "cannot create temporary file" "OUT in a missing directory" resize "$tmp/tiny.ppm" "$O/nodir/out.png" --mode nearest --scale 2
    expect_error 1 "resize: " "--device matching nothing" resize "$tmp/tiny.ppm" "$O/out.png" --mode nearest --scale 2 --device 'no-such-platform-xyz:ALL:0'
elif [ -n "${CI:-}" ]; then
    not_ok "an OpenCL device is available (required when CI is set)" "$(head -n 1 "$tmp/stderr")"
fi

# ---------------------------------------------------------------------------
# --size WIDTHx / xHEIGHT: one side given, the other keeps the aspect ratio
# (round(other * given / this), halves up, at least 1)

run resize --help
tr -s ' \n' '  ' <"$tmp/stdout" >"$tmp/flat" # help is word-wrapped: one line
if grep -q 'WIDTH FIRST' "$tmp/flat" && grep -q '640x or x480' "$tmp/flat" &&
    grep -q 'lanczos requires --antialias' "$tmp/flat"; then
    ok "resize --help: WxH width first, one-side sizes, lanczos needs --antialias"
else
    not_ok "resize --help: WxH width first, one-side sizes, lanczos needs --antialias" "$(cat "$tmp/stdout")"
fi
expect_error 2 "expected WIDTHxHEIGHT, WIDTHx or xHEIGHT" "--size x4x" resize "$P" "$OUT" --size x4x
expect_error 2 "must be positive" "--size 0x" resize "$P" "$OUT" --size 0x
expect_error 2 "must be positive" "--size x0" resize "$P" "$OUT" --size x0
expect_error 2 "must be positive" "resize --scale -1 (usage error, like interpolate)" resize "$tmp/missing.ppm" "$OUT" --scale -1
if [ "$have_device" = yes ]; then
    # rgb.ppm is 4x3
    for _c in "8x:P6 8 6 255" "x6:P6 8 6 255" "3x:P6 3 2 255" "x2:P6 3 2 255" "2x:P6 2 2 255" \
        "x1:P6 1 1 255" "4x:P6 4 3 255"; do
        _s=${_c%%:*}
        if resize_ok "--size $_s of a 4x3 image" "$P" "$O/a.ppm" --mode nearest --size "$_s"; then
            check_eq "--size $_s of a 4x3 image" "$(pnm_info "$O/a.ppm")" "${_c#*:}"
        fi
        rm -f "$O"/*
    done
    # "8x" gives the same pixels as the explicit "8x6"
    if resize_ok "--size 8x equals --size 8x6" "$P" "$O/a.ppm" --mode bilinear --size 8x &&
        resize_ok "--size 8x equals --size 8x6" "$P" "$O/b.ppm" --mode bilinear --size 8x6; then
        check_file "--size 8x equals --size 8x6" "$O/a.ppm" "$O/b.ppm"
    fi
    rm -f "$O"/*
    # a 100x1 strip to 10 pixels wide: round(0.1) = 0, so 1 row
    const_pnm "$tmp/strip.pgm" P5 100 1 255 7
    if resize_ok "--size 10x of a 100x1 image keeps 1 row" "$tmp/strip.pgm" "$O/a.pgm" --mode nearest --size 10x; then
        check_eq "--size 10x of a 100x1 image keeps 1 row" "$(pnm_info "$O/a.pgm")" "P5 10 1 255"
    fi
    rm -f "$O"/*
    expect_error 1 "above the limit" "--size x2147483647 of a 4x3 image" resize "$P" "$OUT" --size x2147483647
fi

# ---------------------------------------------------------------------------
# resize-batch: several images, one size, one batched library call

expect_error 2 "--out-dir" "resize-batch without --out-dir" resize-batch --size 5x4 "$P"
expect_error 2 "not an existing directory" "resize-batch --out-dir that is no directory" \
    resize-batch --size 5x4 --out-dir "$P" "$P"
expect_error 2 "give both sides" "resize-batch --size 5x" resize-batch --size 5x --out-dir "$O" "$P"
expect_error 2 "missing argument IN..." "resize-batch without images" resize-batch --size 5x4 --out-dir "$O"
if [ "$have_device" = yes ]; then
    # each output is exactly `resize` of its input, under the input's name
    B=$tmp/batch
    mkdir "$B"
    run resize-batch --size 5x4 --antialias --out-dir "$O" "$IMG/rgb8.png" "$IMG/rgb.ppm" "$IMG/palette4.ppm"
    if [ "$rc" = 0 ] && [ ! -s "$tmp/stderr" ]; then
        for _f in rgb8.png rgb.ppm palette4.ppm; do
            run resize --size 5x4 --antialias "$IMG/$_f" "$B/$_f"
            check_file "resize-batch output $_f equals resize of it" "$O/$_f" "$B/$_f"
        done
    else
        not_ok "resize-batch of three RGB images" "exit status $rc" "$(cat "$tmp/stderr")"
    fi
    rm -f "$O"/* "$B"/*
    expect_error 1 "one batch takes one channel count" "resize-batch of RGB and gray images" \
        resize-batch --size 5x4 --out-dir "$O" "$IMG/rgb.ppm" "$IMG/gray.pgm"
    cp "$IMG/rgb.ppm" "$B/rgb.ppm"
    expect_error 2 "would both be written to" "resize-batch of two files of one name" \
        resize-batch --size 5x4 --out-dir "$O" "$IMG/rgb.ppm" "$B/rgb.ppm"
    rm -f "$B"/*
    # a symbolic link where an output goes is never written through
    ln -s "$tmp/elsewhere.ppm" "$B/rgb.ppm"
    run resize-batch --size 5x4 --out-dir "$B" "$IMG/rgb.ppm"
    if [ "$rc" = 1 ] && grep -q "symbolic link" "$tmp/stderr" && [ ! -e "$tmp/elsewhere.ppm" ] && [ -L "$B/rgb.ppm" ]; then
        ok "resize-batch does not write through a symbolic link in --out-dir"
    else
        not_ok "resize-batch does not write through a symbolic link in --out-dir" "exit status $rc" "$(cat "$tmp/stderr")"
    fi
    rm -f "$B"/*
fi

[ "$skip" -gt 0 ] && echo "# $skip skipped"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] || exit 1
[ "$have_device" = yes ] || exit 77
exit 0
