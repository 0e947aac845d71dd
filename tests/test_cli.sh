#!/bin/sh
# SPDX-License-Identifier: MIT
# test_cli.sh — the clresample CLI contract: usage errors (exit 2), bad .npy
# input (exit 1, no output written, an existing OUT untouched) and, when an
# OpenCL device is present, a few byte-exact runs.
#
# Automake TESTS protocol: exit 0 pass, 1 fail, 77 skip (no OpenCL platform;
# the device-free checks still run first and a failure among them is a fail).
# The binary is ${CLRESAMPLE:-./clresample}. Test arrays are written with
# printf (no Python needed). Prints one "ok - ..." / "not ok - ..." line per
# check and ends with "N passed, M failed".

CLI=${CLRESAMPLE:-./clresample}
. "${TEST_SRCDIR:-$(dirname "$0")}/cli_lib.sh"
unset CLRS_LOG

if [ ! -x "$CLI" ]; then
    echo "not ok - $CLI is not an executable (set CLRESAMPLE)"
    echo "0 passed, 1 failed"
    exit 1
fi

cli_setup cli # $tmp/o: outputs go here; it must stay empty after every failure



# ---------------------------------------------------------------------------
# .npy builders

# npy_header FILE DESCR SHAPE [FORTRAN]: a version 1.0 header laid out like
# numpy.save (spare spaces for growing the first axis, data at a multiple of 64).
npy_header() {
    _d="{'descr': '$2', 'fortran_order': ${4:-False}, 'shape': $3, }"
    _first=$(printf '%s' "$3" | sed 's/^(\([0-9]*\).*/\1/')
    _grow=0
    [ -n "$_first" ] && _grow=$((21 - ${#_first}))
    _hl=$((${#_d} + _grow + 1))
    _pad=$((64 - (10 + _hl) % 64))
    _hl=$((_hl + _pad))
    {
        printf '\223NUMPY\001\000'
        # shellcheck disable=SC2059 # the format carries the octal escapes
        printf "\\$(printf %03o $((_hl % 256)))\\$(printf %03o $((_hl / 256)))"
        printf "%s%$((_grow + _pad))s\\n" "$_d" ''
    } >"$1"
}

# f32 V...: little-endian float32 bytes of small integers
f32() {
    for _v in "$@"; do
        case $_v in
        0) printf '\000\000\000\000' ;;
        1) printf '\000\000\200\077' ;;
        2) printf '\000\000\000\100' ;;
        3) printf '\000\000\100\100' ;;
        4) printf '\000\000\200\100' ;;
        5) printf '\000\000\240\100' ;;
        6) printf '\000\000\300\100' ;;
        7) printf '\000\000\340\100' ;;
        8) printf '\000\000\000\101' ;;
        *) echo "f32: no bytes for $_v" >&2; exit 1 ;;
        esac
    done
}

# i64 V...: little-endian int64 bytes of integers 0..255
i64() {
    for _v in "$@"; do
        # shellcheck disable=SC2059
        printf "\\$(printf %03o "$_v")\\000\\000\\000\\000\\000\\000\\000"
    done
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
    [ -z "$(ls -A "$tmp/o")" ]
}

# expect_error STATUS TEXT DESC ARGS...: the run exits STATUS, prints exactly
# one stderr line "clresample: error: ..." containing TEXT, and leaves $tmp/o empty.
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
    else
        case $_line in
        "clresample: error: "*"$_text"*)
            if outputs_empty; then
                ok "$_desc"
            else
                not_ok "$_desc" "output files were created: $(ls -A "$tmp/o")"
            fi
            ;;
        *) not_ok "$_desc" "stderr: $_line" "expected 'clresample: error: ...$_text...'" ;;
        esac
    fi
    rm -f "$tmp/o"/* "$tmp/o"/.[!.]* 2>/dev/null
}

# expect_ok DESC ARGS...: exit 0 and nothing on stderr
expect_ok() {
    _desc=$1
    shift
    run "$@"
    if [ "$rc" = 0 ] && [ ! -s "$tmp/stderr" ]; then
        ok "$_desc"
    else
        not_ok "$_desc" "exit status $rc" "stderr: $(head -n 3 "$tmp/stderr")"
    fi
}

# ---------------------------------------------------------------------------
# Test arrays

IN="$tmp/in.npy" # (1, 1, 2, 2) f32 [[1, 2], [3, 4]]
npy_header "$IN" '<f4' '(1, 1, 2, 2)'
f32 1 2 3 4 >>"$IN"

IN5="$tmp/in5.npy" # (1, 1, 1, 2, 2) f32
npy_header "$IN5" '<f4' '(1, 1, 1, 2, 2)'
f32 1 2 3 4 >>"$IN5"

OUT="$tmp/o/out.npy"

# ---------------------------------------------------------------------------
# Help and version

run --help
if [ "$rc" = 0 ] && grep -q '^usage: clresample' "$tmp/stdout" && [ ! -s "$tmp/stderr" ]; then
    ok "--help exits 0 with usage on stdout"
else
    not_ok "--help exits 0 with usage on stdout" "exit status $rc"
fi
expect_ok "-h exits 0" -h
expect_ok "help max-pool exits 0" help max-pool
# the subcommands with their own parsers answer `help SUB` too
for sub in bench tune cache onnx; do
    run help "$sub"
    if [ "$rc" = 0 ] && grep -q "^usage: clresample $sub" "$tmp/stdout" && [ ! -s "$tmp/stderr" ]; then
        ok "help $sub shows $sub's usage"
    else
        not_ok "help $sub shows $sub's usage" "exit status $rc" "$(head -n 2 "$tmp/stdout" "$tmp/stderr")"
    fi
done
for sub in devices info interpolate max-pool avg-pool lp-pool adaptive-avg-pool \
    adaptive-max-pool fractional-max-pool max-unpool pixel-shuffle pixel-unshuffle; do
    run "$sub" --help
    if [ "$rc" = 0 ] && grep -q "^usage: clresample $sub" "$tmp/stdout" && [ ! -s "$tmp/stderr" ]; then
        ok "$sub --help exits 0"
    else
        not_ok "$sub --help exits 0" "exit status $rc"
    fi
done
run interpolate --help
if grep -q -- '--mode MODE (--size S | --scale F)' "$tmp/stdout"; then
    ok "interpolate --help shows the synopsis"
else
    not_ok "interpolate --help shows the synopsis" "$(head -n 2 "$tmp/stdout")"
fi
run --version
case $(cat "$tmp/stdout") in
"clresample "[0-9]*)
    if [ "$rc" = 0 ]; then ok "--version"; else not_ok "--version" "exit status $rc"; fi ;;
*) not_ok "--version" "stdout: $(cat "$tmp/stdout")" ;;
esac

# ---------------------------------------------------------------------------
# Usage errors: exit 2, one error line, nothing written

expect_error 2 "no subcommand" "no arguments"
expect_error 2 "unknown subcommand 'frobnicate'" "unknown subcommand" frobnicate
expect_error 2 "unknown option '--frobnicate'" "unknown global option" --frobnicate
expect_error 2 "unknown option '--bogus'" "unknown option" interpolate "$IN" "$OUT" --mode nearest --size 4 --bogus
expect_error 2 "unknown option '-x'" "unknown short option" max-pool "$IN" "$OUT" --kernel 2 -x
expect_error 2 "does not apply" "option of another subcommand" max-pool "$IN" "$OUT" --kernel 2 --scale 2
expect_error 2 "does not apply" "--channels-last on devices" devices --channels-last
expect_error 2 "needs a value" "missing value at the end" max-pool "$IN" "$OUT" --kernel
expect_error 2 "needs a value" "missing value before an option" max-pool "$IN" "$OUT" --kernel --ceil-mode
expect_error 2 "invalid value '3x'" "--size 3x" interpolate "$IN" "$OUT" --mode nearest --size 3x
expect_error 2 "invalid value ''" "--kernel 2,,2" max-pool "$IN" "$OUT" --kernel 2,,2
expect_error 2 "invalid value ''" "--kernel 2, (trailing comma)" max-pool "$IN" "$OUT" --kernel 2,
expect_error 2 "invalid value ' 2'" "--kernel ' 2' (blank)" max-pool "$IN" "$OUT" --kernel ' 2'
expect_error 2 "out of range" "--size overflow" interpolate "$IN" "$OUT" --mode nearest --size 99999999999999999999
expect_error 2 "too many values" "four list values" max-pool "$IN" "$OUT" --kernel 1,2,2,2
expect_error 2 "finite" "--scale nan" interpolate "$IN" "$OUT" --mode nearest --scale nan
expect_error 2 "finite" "--scale inf" interpolate "$IN" "$OUT" --mode nearest --scale inf
expect_error 2 "out of range" "--scale 1e999" interpolate "$IN" "$OUT" --mode nearest --scale 1e999
expect_error 2 "invalid value" "--norm-type nan" lp-pool "$IN" "$OUT" --norm-type nan --kernel 2
expect_error 2 "mutually exclusive" "--size with --scale" interpolate "$IN" "$OUT" --mode nearest --size 4 --scale 2
expect_error 2 "one of --size or --scale" "neither --size nor --scale" interpolate "$IN" "$OUT" --mode nearest
expect_error 2 "one of --size or --ratio" "fractional-max-pool without --size/--ratio" fractional-max-pool "$IN" "$OUT" --kernel 2
expect_error 2 "missing required option --mode" "interpolate without --mode" interpolate "$IN" "$OUT" --size 4
expect_error 2 "missing required option --kernel" "max-pool without --kernel" max-pool "$IN" "$OUT"
expect_error 2 "missing required option --norm-type" "lp-pool without --norm-type" lp-pool "$IN" "$OUT" --kernel 2
expect_error 2 "unknown mode 'bogus'" "--mode bogus" interpolate "$IN" "$OUT" --mode bogus --size 4
expect_error 2 "takes no value" "--ceil-mode=1" max-pool "$IN" "$OUT" --kernel 2 --ceil-mode=1
expect_error 2 "more than once" "repeated option" max-pool "$IN" "$OUT" --kernel 2 --kernel 3
expect_error 2 "must not be zero" "--divisor-override 0" avg-pool "$IN" "$OUT" --kernel 2 --divisor-override 0
expect_error 2 "invalid value '-1'" "--seed -1" fractional-max-pool "$IN" "$OUT" --kernel 2 --size 1 --seed -1
expect_error 2 "invalid value '1.5'" "--factor 1.5" pixel-shuffle "$IN" "$OUT" --factor 1.5
expect_error 2 "missing argument OUT" "missing OUT" max-pool "$IN" --kernel 2
expect_error 2 "missing argument INDICES" "max-unpool missing INDICES" max-unpool "$IN" --kernel 2
expect_error 2 "unexpected argument" "extra argument" max-pool "$IN" "$OUT" "$tmp/o/extra.npy" --kernel 2
expect_error 2 "unexpected argument" "devices with an argument" devices extra
expect_error 2 "same file" "--indices equal to OUT" max-pool "$IN" "$OUT" --kernel 2 --indices "$OUT"
# list lengths are checked against the input's rank (after reading IN)
expect_error 2 "--kernel takes 1 or 2 values for a 4-D input, got 3" "3 kernel values for 2-D pooling" max-pool "$IN" "$OUT" --kernel 2,2,2
expect_error 2 "--size takes 1 or 3 values for a 5-D input, got 2" "2 sizes for a 5-D input" interpolate "$IN5" "$OUT" --mode nearest --size 2,2
expect_error 2 "--scale takes 1 or 2 values" "3 scales for a 4-D input" interpolate "$IN" "$OUT" --mode nearest --scale 2,2,2

# ---------------------------------------------------------------------------
# Bad input files: exit 1, a message naming the file, nothing written

B="$tmp/bad"
mkdir "$B"

expect_error 1 "$B/missing.npy" "missing input file" interpolate "$B/missing.npy" "$OUT" --mode nearest --size 4

printf 'this is not a numpy file\n' >"$B/text.npy"
expect_error 1 "$B/text.npy" "not a .npy file" interpolate "$B/text.npy" "$OUT" --mode nearest --size 4

head -c 30 "$IN" >"$B/trunc_header.npy"
expect_error 1 "$B/trunc_header.npy" "truncated header" interpolate "$B/trunc_header.npy" "$OUT" --mode nearest --size 4

npy_header "$B/trunc_data.npy" '<f4' '(1, 1, 2, 2)'
f32 1 2 3 >>"$B/trunc_data.npy"
expect_error 1 "$B/trunc_data.npy" "truncated data" interpolate "$B/trunc_data.npy" "$OUT" --mode nearest --size 4

npy_header "$B/extra_data.npy" '<f4' '(1, 1, 2, 2)'
f32 1 2 3 4 5 >>"$B/extra_data.npy"
expect_error 1 "$B/extra_data.npy" "header shape smaller than the data" interpolate "$B/extra_data.npy" "$OUT" --mode nearest --size 4

# header length field (0xffff) pointing past the end of the file
{ printf '\223NUMPY\001\000\377\377'; tail -c +11 "$IN"; } >"$B/lying_len.npy"
expect_error 1 "$B/lying_len.npy" "header length past the end" interpolate "$B/lying_len.npy" "$OUT" --mode nearest --size 4

npy_header "$B/fortran.npy" '<f4' '(1, 1, 2, 2)' True
f32 1 2 3 4 >>"$B/fortran.npy"
expect_error 1 "$B/fortran.npy" "Fortran order" interpolate "$B/fortran.npy" "$OUT" --mode nearest --size 4

npy_header "$B/c8.npy" '<c8' '(1, 1, 2, 2)'
f32 1 2 3 4 1 2 3 4 >>"$B/c8.npy"
expect_error 1 "$B/c8.npy" "unsupported dtype <c8" interpolate "$B/c8.npy" "$OUT" --mode nearest --size 4

npy_header "$B/be.npy" '>f4' '(1, 1, 2, 2)'
f32 1 2 3 4 >>"$B/be.npy"
expect_error 1 "$B/be.npy" "big-endian >f4" interpolate "$B/be.npy" "$OUT" --mode nearest --size 4

npy_header "$B/i4.npy" '<i4' '(1, 1, 2, 2)'
f32 1 2 3 4 >>"$B/i4.npy"
expect_error 1 "$B/i4.npy" "unsupported dtype <i4" interpolate "$B/i4.npy" "$OUT" --mode nearest --size 4

npy_header "$B/i8.npy" '<i8' '(1, 1, 2, 2)'
i64 1 2 3 4 >>"$B/i8.npy"
expect_error 1 "unsupported data type" "int64 data as IN" interpolate "$B/i8.npy" "$OUT" --mode nearest --size 4

npy_header "$B/2d.npy" '<f4' '(2, 2)'
f32 1 2 3 4 >>"$B/2d.npy"
expect_error 1 "expected a 3-D, 4-D or 5-D array" "2-D input" interpolate "$B/2d.npy" "$OUT" --mode nearest --size 4

npy_header "$B/6d.npy" '<f4' '(1, 1, 1, 1, 2, 2)'
f32 1 2 3 4 >>"$B/6d.npy"
expect_error 1 "expected a 3-D, 4-D or 5-D array" "6-D input" max-pool "$B/6d.npy" "$OUT" --kernel 2

# the option values were accepted: the run got as far as reading IN
expect_error 1 "expected a 3-D" "--norm-type inf is accepted" lp-pool "$B/2d.npy" "$OUT" --norm-type inf --kernel 2
expect_error 1 "expected a 3-D" "--size none,2 is accepted for adaptive pools" adaptive-avg-pool "$B/2d.npy" "$OUT" --size none,2
expect_error 1 "expected a 3-D" "--size with N, C for max-unpool is accepted" max-unpool "$B/2d.npy" "$B/2d.npy" "$OUT" --kernel 2 --size 1,1,4,4
expect_error 1 "expected a 3-D" "--name=value syntax" interpolate "$B/2d.npy" "$OUT" --mode=nearest --scale=2.5

# indices and samples
expect_error 1 "indices must be int64" "float INDICES for max-unpool" max-unpool "$IN" "$IN" "$OUT" --kernel 2
npy_header "$B/idx_shape.npy" '<i8' '(1, 1, 1, 4)'
i64 0 1 2 3 >>"$B/idx_shape.npy"
expect_error 1 "does not match IN" "INDICES shape mismatch" max-unpool "$IN" "$B/idx_shape.npy" "$OUT" --kernel 2
npy_header "$B/samples3.npy" '<f4' '(1, 1, 3)'
f32 0 0 0 >>"$B/samples3.npy"
expect_error 1 "does not match (N, C, 2)" "--samples shape mismatch" fractional-max-pool "$IN" "$OUT" --kernel 1 --size 1 --samples "$B/samples3.npy"
npy_header "$B/samples_u8.npy" '|u1' '(1, 1, 2)'
printf '\000\000' >>"$B/samples_u8.npy"
expect_error 1 "samples must be float32 or float64" "--samples of dtype u8" fractional-max-pool "$IN" "$OUT" --kernel 1 --size 1 --samples "$B/samples_u8.npy"

# an existing OUT survives failed runs untouched
printf 'precious\n' >"$tmp/keep.npy"
cp "$tmp/keep.npy" "$tmp/keep.orig"
run interpolate "$B/trunc_data.npy" "$tmp/keep.npy" --mode nearest --size 4
r1=$rc
run interpolate "$IN" "$tmp/keep.npy" --mode nearest --size 4 --scale 2
r2=$rc
run max-pool "$IN" "$tmp/keep.npy" --kernel 2,2,2
r3=$rc
nkeep=0
for f in "$tmp"/keep*; do [ -e "$f" ] && nkeep=$((nkeep + 1)); done
if [ "$r1$r2$r3" = 122 ] && cmp -s "$tmp/keep.npy" "$tmp/keep.orig" && [ "$nkeep" = 2 ]; then
    ok "existing OUT untouched by failed runs"
else
    not_ok "existing OUT untouched by failed runs" "exit statuses $r1 $r2 $r3" "$(ls -A "$tmp")"
fi

# a library parameter check (needs no device)
run interpolate "$IN" "$OUT" --mode nearest --size 4 --align-corners
if grep -q 'not implemented yet' "$tmp/stderr"; then
    skipped "--align-corners with nearest is a parameter error" "not implemented yet"
else
    case $(head -n 1 "$tmp/stderr") in
    "clresample: error: interpolate: invalid operator parameter"*)
        if [ "$rc" = 1 ] && outputs_empty; then
            ok "--align-corners with nearest is a parameter error"
        else
            not_ok "--align-corners with nearest is a parameter error" "exit status $rc"
        fi
        ;;
    *) not_ok "--align-corners with nearest is a parameter error" "exit status $rc" "stderr: $(cat "$tmp/stderr")" ;;
    esac
fi
rm -f "$tmp/o"/*

# ---------------------------------------------------------------------------
# With a device

run devices
have_device=yes
if [ "$rc" != 0 ]; then
    have_device=no
    if grep -q -i 'no OpenCL\|not implemented' "$tmp/stderr"; then
        echo "# no OpenCL device: $(head -n 1 "$tmp/stderr")"
    else
        not_ok "devices" "exit status $rc" "stderr: $(head -n 1 "$tmp/stderr")"
    fi
elif grep -q '\*' "$tmp/stdout" && [ ! -s "$tmp/stderr" ]; then
    ok "devices lists a default device"
else
    not_ok "devices lists a default device" "$(cat "$tmp/stdout" "$tmp/stderr")"
fi

# run_op DESC ARGS...: like expect_ok, but "not implemented yet" is a skip.
# Returns 0 when the run succeeded.
run_op() {
    _desc=$1
    shift
    run "$@"
    if [ "$rc" = 1 ] && grep -q 'not implemented yet' "$tmp/stderr"; then
        skipped "$_desc" "not implemented yet"
        return 1
    fi
    if [ "$rc" != 0 ] || [ -s "$tmp/stderr" ]; then
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
        not_ok "$1" "$(cat "$tmp/cmp")" "got:      $(od -An -tx1 "$2" | tail -n 3 | tr -s ' \n' ' ')" \
            "expected: $(od -An -tx1 "$3" | tail -n 3 | tr -s ' \n' ' ')"
    fi
}

if [ "$have_device" = yes ]; then
    run info
    if [ "$rc" = 0 ] && grep -q '^version: ' "$tmp/stdout" && grep -q '^device: ' "$tmp/stdout" &&
        grep -q 'CLRS_CACHE_DIR' "$tmp/stdout"; then
        ok "info"
    else
        not_ok "info" "exit status $rc" "stderr: $(head -n 1 "$tmp/stderr")"
    fi
    # info says whether CLBlast is compiled in and which entry a dense conv takes
    if grep -q '^CLBlast: ' "$tmp/stdout" && grep -q '^  dense conv .*: conv/\(clblast\|general\)' "$tmp/stdout"; then
        ok "info: CLBlast and the dense conv's implementation"
    else
        not_ok "info: CLBlast and the dense conv's implementation" "$(grep -A2 '^CLBlast' "$tmp/stdout")"
    fi

    # nearest 2x2 -> 4x4
    EXP="$tmp/exp_nearest.npy"
    npy_header "$EXP" '<f4' '(1, 1, 4, 4)'
    f32 1 1 2 2 1 1 2 2 3 3 4 4 3 3 4 4 >>"$EXP"
    if run_op "interpolate nearest --size 4" interpolate "$IN" "$OUT" --mode nearest --size 4; then
        check_file "interpolate nearest --size 4" "$OUT" "$EXP"
    fi
    rm -f "$OUT"
    if run_op "interpolate nearest --scale 2" interpolate "$IN" "$OUT" --mode nearest --scale 2,2; then
        check_file "interpolate nearest --scale 2" "$OUT" "$EXP"
    fi

    # a successful run replaces an existing OUT and leaves no temporaries
    printf 'old\n' >"$OUT"
    if run_op "existing OUT replaced" interpolate "$IN" "$OUT" --mode nearest --size 4; then
        check_file "existing OUT replaced" "$OUT" "$EXP"
    fi
    if [ "$(ls -A "$tmp/o")" = out.npy ]; then
        ok "no temporary files left behind"
    else
        not_ok "no temporary files left behind" "$(ls -A "$tmp/o")"
    fi
    rm -f "$tmp/o"/*

    # channels-last: file (N, H, W, C) = (1, 2, 2, 2), pixel (h, w) = [1 + 2h + w, 5 + 2h + w]
    INCL="$tmp/in_cl.npy"
    npy_header "$INCL" '<f4' '(1, 2, 2, 2)'
    f32 1 5 2 6 3 7 4 8 >>"$INCL"
    EXPCL="$tmp/exp_cl.npy"
    npy_header "$EXPCL" '<f4' '(1, 4, 4, 2)'
    for oh in 0 1 2 3; do
        for ow in 0 1 2 3; do
            v=$((1 + 2 * (oh / 2) + ow / 2))
            f32 "$v" $((v + 4))
        done
    done >>"$EXPCL"
    if run_op "interpolate --channels-last" interpolate "$INCL" "$OUT" --mode nearest --size 4 --channels-last; then
        check_file "interpolate --channels-last" "$OUT" "$EXPCL"
    fi
    rm -f "$tmp/o"/*

    # max-pool with indices: (1, 1, 2, 4), kernel 2 -> values [7, 8], indices [1, 6]
    INMP="$tmp/in_mp.npy"
    npy_header "$INMP" '<f4' '(1, 1, 2, 4)'
    f32 1 7 2 3 5 0 8 4 >>"$INMP"
    npy_header "$tmp/exp_mp.npy" '<f4' '(1, 1, 1, 2)'
    f32 7 8 >>"$tmp/exp_mp.npy"
    npy_header "$tmp/exp_mpi.npy" '<i8' '(1, 1, 1, 2)'
    i64 1 6 >>"$tmp/exp_mpi.npy"
    if run_op "max-pool --indices" max-pool "$INMP" "$OUT" --kernel 2 --indices "$tmp/o/idx.npy"; then
        check_file "max-pool values" "$OUT" "$tmp/exp_mp.npy"
        check_file "max-pool indices" "$tmp/o/idx.npy" "$tmp/exp_mpi.npy"
    fi
    rm -f "$tmp/o"/*

    # a failure writing OUT leaves neither OUT nor IDX_OUT
    run max-pool "$INMP" "$tmp/o/nodir/out.npy" --kernel 2 --indices "$tmp/o/idx.npy"
    if grep -q 'not implemented yet' "$tmp/stderr"; then
        skipped "unwritable OUT leaves no IDX_OUT" "not implemented yet"
    elif [ "$rc" = 1 ] && [ "$(wc -l <"$tmp/stderr" | tr -d ' ')" = 1 ] && outputs_empty; then
        ok "unwritable OUT leaves no IDX_OUT"
    else
        not_ok "unwritable OUT leaves no IDX_OUT" "exit status $rc" "$(ls -A "$tmp/o")" "$(cat "$tmp/stderr")"
    fi
    rm -rf "$tmp/o"/*

    expect_error 1 "interpolate: " "--device matching nothing" interpolate "$IN" "$OUT" --mode nearest --size 4 --device 'no-such-platform-xyz:ALL:0'
fi

# ---------------------------------------------------------------------------
# Usability (issue 18): help texts, --version, -v/--verbose, info's
# environment, the compile notice on a terminal

# has_line DESC FILE PATTERN...: every grep PATTERN matches a line of FILE
has_line() {
    _desc=$1 _file=$2
    shift 2
    for _p in "$@"; do
        if ! grep -q -e "$_p" "$_file"; then
            not_ok "$_desc" "no line matches '$_p' in:" "$(cat "$_file")"
            return 1
        fi
    done
    ok "$_desc"
}

run --version
has_line "--version names the licence" "$tmp/stdout" '^License: MIT$'
run --help
has_line "--help: -v and both --size orders" "$tmp/stdout" '^usage: clresample \[-v\] SUBCOMMAND' \
    '-v, --verbose (before or after the subcommand' 'resize --size is WxH (width first' \
    'is H,W (PyTorch order: height first)'
run interpolate --help
tr -s ' \n' '  ' <"$tmp/stdout" >"$tmp/flat" # help is word-wrapped: one line
has_line "interpolate --help: H,W height first, lanczos needs --antialias, -v" "$tmp/flat" \
    'HEIGHT FIRST' 'H,W for 2-D' 'lanczos requires --antialias' 'lanczos requires it' ' -v, --verbose'
run max-pool --help
has_line "max-pool --help offers -v" "$tmp/stdout" '^  -v, --verbose'

# -v is accepted before the subcommand and among its arguments; a bad
# command line still fails as a usage error
expect_error 1 "$tmp/missing.npy" "-v before the subcommand" -v interpolate "$tmp/missing.npy" "$OUT" --mode nearest --size 4
expect_error 1 "$tmp/missing.npy" "--verbose after the subcommand" interpolate "$tmp/missing.npy" "$OUT" --verbose --mode nearest --size 4
expect_error 2 "unexpected argument '-v'" "-v after -- is an argument" interpolate "$IN" "$OUT" --mode nearest --size 4 -- -v
expect_error 2 "--verbose does not apply to bench" "-v bench" -v bench
expect_error 2 "no subcommand" "-v alone" -v

# values out of range whatever the input are usage errors (2), found before
# IN is read (IN is missing here); values that parse are not range-checked
# beyond that, and those that depend on the input stay with the library (1)
M="$tmp/missing.npy"
expect_error 2 "--scale: invalid value '-1': must be positive" "interpolate --scale -1 is 2 like resize --scale 0" interpolate "$M" "$OUT" --mode bilinear --scale -1
expect_error 2 "invalid value '0' in '2,0'" "interpolate --scale 2,0" interpolate "$M" "$OUT" --mode bilinear --scale 2,0
expect_error 2 "0 only with --mode area" "interpolate --size 0 (not area)" interpolate "$M" "$OUT" --mode bilinear --size 0
expect_error 1 "cannot open" "interpolate --size 0 with --mode area parses" interpolate "$M" "$OUT" --mode area --size 0
expect_error 2 "--kernel: invalid value '0'" "max-unpool --kernel 0" max-unpool "$M" "$M" "$OUT" --kernel 0
expect_error 2 "--stride: invalid value '-2'" "avg-pool --stride -2" avg-pool "$M" "$OUT" --kernel 2 --stride=-2
expect_error 2 "--padding: invalid value '-1' in '1,-1'" "avg-pool --padding 1,-1" avg-pool "$M" "$OUT" --kernel 2 --padding 1,-1
expect_error 2 "--ratio: invalid value '0'" "fractional-max-pool --ratio 0" fractional-max-pool "$M" "$OUT" --kernel 2 --ratio 0
expect_error 2 "--factor: invalid value '-2'" "pixel-unshuffle --factor -2" pixel-unshuffle "$M" "$OUT" --factor=-2
expect_error 1 "cannot open" "lp-pool --norm-type -1 parses" lp-pool "$M" "$OUT" --kernel 2 --norm-type=-1
expect_error 1 "cannot open" "adaptive-avg-pool --size 0 parses" adaptive-avg-pool "$M" "$OUT" --size 0

# info lists every CLRS_ variable the library reads, set or not
SRC=${TEST_SRCDIR:-tests}/../src
if [ -d "$SRC" ]; then
    vars=$(cat "$SRC"/*.c "$SRC"/ops/*.c | grep -o 'getenv("CLRS_[A-Z0-9_]*")' |
        sed 's/.*"\(.*\)".*/\1/' | sort -u)
    (unset CLRS_TUNE_POOL_VW; CLRS_TUNE_LX=32 CLRS_CACHE_READONLY='' "$CLI" info >"$tmp/stdout" 2>"$tmp/stderr")
    missing=
    for v in $vars; do
        grep -q "^  $v  *" "$tmp/stdout" || missing="$missing $v"
    done
    if [ -z "$vars" ]; then
        not_ok "info lists every CLRS_ variable of src/" "no getenv(\"CLRS_...\") found in $SRC"
    elif [ -n "$missing" ]; then
        not_ok "info lists every CLRS_ variable of src/" "missing:$missing"
    else
        ok "info lists every CLRS_ variable of src/ ($(echo "$vars" | wc -w | tr -d ' '))"
    fi
    has_line "info shows values, (empty) and (unset)" "$tmp/stdout" '^  CLRS_TUNE_LX  *32$' \
        '^  CLRS_CACHE_READONLY  *(empty)$' '^  CLRS_TUNE_POOL_VW  *(unset)$'
else
    skipped "info lists every CLRS_ variable of src/" "no sources at $SRC"
fi

if [ "$have_device" = yes ]; then
    # -v: device, the build with its duration (fresh cache), each step's time
    CLRS_CACHE_DIR="$tmp/cache-v" "$CLI" interpolate "$IN" "$OUT" --mode nearest --size 4 -v >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    if [ "$rc" != 0 ] || [ -s "$tmp/stdout" ]; then
        not_ok "-v run" "exit status $rc" "$(cat "$tmp/stdout" "$tmp/stderr")"
    else
        has_line "-v prints device, build, step times" "$tmp/stderr" '^clresample: device: [0-9]*:[0-9]* ' \
            '^clresample: read input: [0-9.]* ms$' '^clresample: open device: [0-9.]* ms$' \
            '^clresample: built program [a-z_0-9]* .* ms$' \
            '^clresample: compute: [0-9.]* ms ([0-9.]* ms of it compiling kernels)$' \
            '^clresample: write output: [0-9.]* ms$'
        check_file "-v output is right" "$OUT" "$EXP"
    fi
    rm -f "$tmp/o"/*
    # without -v a fresh cache changes nothing on stderr when it is no terminal
    if CLRS_CACHE_DIR="$tmp/cache-q" "$CLI" interpolate "$IN" "$OUT" --mode nearest --size 4 \
        >"$tmp/stdout" 2>"$tmp/stderr" && [ ! -s "$tmp/stderr" ]; then
        ok "no compile notice when stderr is no terminal"
    else
        not_ok "no compile notice when stderr is no terminal" "$(cat "$tmp/stderr")"
    fi
    rm -f "$tmp/o"/*
    # on a terminal (script(1) gives one): the notice once, then the time
    if script -qec true /dev/null >/dev/null 2>&1; then
        tty_run() {
            CLRS_CACHE_DIR="$tmp/cache-t" script -qec "'$CLI' interpolate '$IN' '$OUT' --mode nearest --size 4" /dev/null >"$tmp/tty" 2>&1
            rc=$?
            tr -d '\r' <"$tmp/tty" >"$tmp/tty.txt"
        }
        tty_run
        if [ "$rc" = 0 ] && [ "$(grep -c 'compiling kernels' "$tmp/tty.txt")" = 1 ]; then
            has_line "terminal: compile notice on first use" "$tmp/tty.txt" \
                '^clresample: compiling kernels for .* (first use; cached for next time)\.\.\. done in [0-9.]* m*s$'
        else
            not_ok "terminal: compile notice on first use" "exit status $rc" "$(cat "$tmp/tty.txt")"
        fi
        check_file "terminal: output is right" "$OUT" "$EXP"
        tty_run
        if [ "$rc" = 0 ] && [ ! -s "$tmp/tty.txt" ]; then
            ok "terminal: no notice once the kernels are cached"
        else
            not_ok "terminal: no notice once the kernels are cached" "exit status $rc" "$(cat "$tmp/tty.txt")"
        fi
        rm -f "$tmp/o"/*
    else
        skipped "terminal: compile notice on first use" "no script(1) from util-linux"
    fi
fi

# --explain and the tuner (#20): which named implementation ran, tuning files
expect_error 2 "unknown operator family 'bogus'" "tune --ops bogus" tune --ops bogus
if [ "$have_device" = yes ]; then
    CLRS_CACHE_DIR=off "$CLI" interpolate "$IN" "$OUT" --mode bilinear --size 4 --explain >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    if [ "$rc" = 0 ]; then
        has_line "--explain names the implementation" "$tmp/stderr" '^clresample: impl: [a-z_]*/[a-z0-9_]*$'
        if grep -v -e '^clresample: impl: [a-z_]*/[a-z0-9_]*$' -e '^clresample: declined: [a-z0-9_]*: .' "$tmp/stderr" | grep -q .; then
            not_ok "--explain prints only impl/declined lines" "$(cat "$tmp/stderr")"
        else
            ok "--explain prints only impl/declined lines"
        fi
        cp "$OUT" "$tmp/explained.npy"
        CLRS_CACHE_DIR=off "$CLI" interpolate "$IN" "$OUT" --mode bilinear --size 4 >/dev/null 2>&1
        if cmp -s "$OUT" "$tmp/explained.npy"; then ok "--explain: same output"; else not_ok "--explain: same output"; fi
    else
        not_ok "--explain run" "exit status $rc" "$(cat "$tmp/stderr")"
    fi
    rm -f "$tmp/o"/* "$tmp/explained.npy"
    CLRS_CACHE_DIR=off "$CLI" max-pool "$IN" "$OUT" --kernel 2 --explain >/dev/null 2>"$tmp/stderr"
    has_line "max-pool --explain" "$tmp/stderr" '^clresample: impl: [a-z_]*/[a-z0-9_]*$'
    rm -f "$tmp/o"/*
    CLRS_CACHE_DIR=off "$CLI" info >"$tmp/stdout" 2>&1
    has_line "info shows the tuning entry and the implementation lists" "$tmp/stdout" '^tuning: entry [a-z0-9-]* (' \
        '^  tuning file: ' '^  rs_lx  *[0-9][0-9]*  *' '^implementations ' '^  pool: '
    # the tuner: a dry run writes nothing; a run writes the device's file,
    # which later runs load, with the same results
    TC="$tmp/tune-cache"
    CLRS_CACHE_DIR="$TC" "$CLI" tune --quick --ops pool --dry-run >"$tmp/stdout" 2>&1
    rc=$?
    if [ "$rc" = 0 ] && grep -q '^dry run: nothing written' "$tmp/stdout" && ! ls "$TC"/tune-*.txt >/dev/null 2>&1; then
        ok "tune --dry-run writes nothing"
    else
        not_ok "tune --dry-run writes nothing" "exit status $rc" "$(cat "$tmp/stdout")"
    fi
    CLRS_CACHE_DIR="$TC" "$CLI" tune --quick --ops pool >"$tmp/stdout" 2>&1
    rc=$?
    tf=$(ls "$TC"/tune-*.txt 2>/dev/null | head -n 1)
    if [ "$rc" = 0 ] && [ -n "$tf" ] && grep -q "^wrote $tf" "$tmp/stdout" && grep -q '^pool_wg=' "$tf"; then
        ok "tune writes the tuning file"
        CLRS_CACHE_DIR="$TC" "$CLI" info >"$tmp/stdout" 2>&1
        has_line "info shows the tuning file and its values" "$tmp/stdout" "^  tuning file: $tf\$" '^  pool_wg  *[0-9][0-9]*  *file$'
        CLRS_CACHE_DIR="$TC" "$CLI" max-pool "$IN" "$OUT" --kernel 2 >/dev/null 2>&1
        cp "$OUT" "$tmp/tuned.npy"
        CLRS_CACHE_DIR=off "$CLI" max-pool "$IN" "$OUT" --kernel 2 >/dev/null 2>&1
        if cmp -s "$OUT" "$tmp/tuned.npy"; then ok "tuned run: same output"; else not_ok "tuned run: same output"; fi
        rm -f "$tmp/o"/* "$tmp/tuned.npy"
        # a foreign file (another device) is ignored with a warning
        sed 's/^device: .*/device: not this one/' "$tf" >"$tf.new" && mv "$tf.new" "$tf" && chmod 600 "$tf"
        CLRS_LOG=warn CLRS_CACHE_DIR="$TC" "$CLI" info >"$tmp/stdout" 2>"$tmp/stderr"
        has_line "a foreign tuning file is ignored with a warning" "$tmp/stderr" 'ignoring tuning file .*another device'
        has_line "... and its values are not used" "$tmp/stdout" '^  tuning file: (none'
    else
        not_ok "tune writes the tuning file" "exit status $rc" "$(cat "$tmp/stdout")"
    fi
fi

[ "$skip" -gt 0 ] && echo "# $skip skipped"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] || exit 1
[ "$have_device" = yes ] || exit 77
exit 0
