#!/bin/sh
# SPDX-License-Identifier: MIT
# test_output_safety.sh — how the CLI writes its outputs and bounds its
# inputs (tools/atomicfile.h, the same-file check and the memory budget):
#  - a device node OUT (a copy of /dev/null made with mknod in a temporary
#    directory, root only), a FIFO OUT and "-" (stdout, a file or a pipe) are
#    written directly and never replaced by a regular file;
#  - OUT and --indices (or --samples, INDICES) naming one file in any
#    spelling (./x, a symlink, a hard link, a file not there yet) are refused
#    with exit 2 before anything is read, OUT untouched;
#  - SIGTERM/SIGINT/SIGHUP/SIGPIPE while an output is being written leave no
#    temporary file, and the process dies by that signal;
#  - an existing OUT keeps its mode (0600); a 244-byte OUT name works; a
#    symlink OUT writes through to its target, a dangling one is refused;
#  - a 40000x40000 PNG deflate bomb, a sparse .npy claiming (1, 1, 65536,
#    32769) f32 and an oversized output are refused with exit 1 and a message
#    naming the budget, under `ulimit -v` (1.5 GB) so nothing big is allocated.
#
# Automake TESTS protocol: exit 0 pass, 1 fail, 77 skip (no OpenCL device:
# the device-free checks still run first and a failure among them is a fail).
# The binary is ${CLRESAMPLE:-./clresample}. Python 3 (standard library only)
# builds the PNG bomb and resets SIGINT for the background runs; without it
# those checks are skipped. Prints one "ok - ..." / "not ok - ..." line per
# check and ends with "N passed, M failed".

# shellcheck disable=SC2012,SC2317 # ls on names made here (plain ASCII); cleanup runs from a trap
CLI=${CLRESAMPLE:-./clresample}
. "${TEST_SRCDIR:-$(dirname "$0")}/cli_lib.sh"
unset CLRS_LOG

if [ ! -x "$CLI" ]; then
    echo "not ok - $CLI is not an executable (set CLRESAMPLE)"
    echo "0 passed, 1 failed"
    exit 1
fi
case $CLI in /*) ;; *) CLI=$(pwd)/$CLI ;; esac # some checks run in another directory

tmp=$(mktemp -d "${TMPDIR:-/tmp}/clrs-outsafe.XXXXXX") || exit 1
bgpid=
cleanup() {
    [ -n "$bgpid" ] && kill -KILL "$bgpid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

pass=0
fail=0
skip=0


have_python=no
command -v python3 >/dev/null 2>&1 && have_python=yes

# npy_header FILE DESCR SHAPE: a version 1.0 header laid out like numpy.save
npy_header() {
    _d="{'descr': '$2', 'fortran_order': False, 'shape': $3, }"
    _hl=$((${#_d} + 1))
    _pad=$((64 - (10 + _hl) % 64))
    [ "$_pad" = 64 ] && _pad=0
    _hl=$((_hl + _pad))
    {
        printf '\223NUMPY\001\000'
        # shellcheck disable=SC2059 # the format carries the octal escapes
        printf "\\$(printf %03o $((_hl % 256)))\\$(printf %03o $((_hl / 256)))"
        printf "%s%${_pad}s\\n" "$_d" ''
    } >"$1"
}

# run ARGS...: stdout in $tmp/stdout, stderr in $tmp/stderr, status in rc
run() {
    "$CLI" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
}

# expect_fail STATUS TEXT DESC ARGS...: exit STATUS, one stderr line with TEXT
expect_fail() {
    _want=$1 _text=$2 _desc=$3
    shift 3
    run "$@"
    _line=$(head -n 1 "$tmp/stderr")
    _n=$(wc -l <"$tmp/stderr" | tr -d ' ')
    if [ "$rc" != "$_want" ]; then
        not_ok "$_desc" "exit status $rc, expected $_want" "stderr: $_line"
        return 1
    fi
    case $_line in
    "clresample: error: "*"$_text"*)
        if [ "$_n" = 1 ]; then ok "$_desc"; return 0; fi
        not_ok "$_desc" "stderr has $_n lines" ;;
    *) not_ok "$_desc" "stderr: $_line" "expected 'clresample: error: ...$_text...'" ;;
    esac
    return 1
}

# mode_of FILE: the permission column of ls -l ("-rw-------")
mode_of() {
    ls -ld "$1" | cut -c1-10
}

# An input (1, 1, 2, 4) f32 [[1, 7, 2, 3], [5, 0, 8, 4]]: max-pool --kernel 2
# gives (1, 1, 1, 2) values [7, 8] and indices [1, 6].
IN=$tmp/in.npy
npy_header "$IN" '<f4' '(1, 1, 2, 4)'
printf '\000\000\200\077\000\000\340\100\000\000\000\100\000\000\100\100' >>"$IN"
printf '\000\000\240\100\000\000\000\000\000\000\000\101\000\000\200\100' >>"$IN"

# ---------------------------------------------------------------------------
# Same file in several spellings: exit 2 before anything is read or written

S=$tmp/same
mkdir "$S"
printf 'precious\n' >"$S/out.npy"
cp "$S/out.npy" "$tmp/precious"
SIN=$S/in.npy # a copy: a run that wrongly writes over its input must not spoil IN
cp "$IN" "$SIN"
ln -s out.npy "$S/sym.npy"
ln "$S/out.npy" "$S/hard.npy"

# same_file DESC ARGS... (run in $S): exit 2, "same file", out.npy untouched,
# nothing new in $S
same_file() {
    _desc=$1
    shift
    _before=$(ls -A "$S")
    if (cd "$S" && expect_fail 2 "same file" "$_desc" "$@" >"$tmp/sf.out"); then :; fi
    _res=$(cat "$tmp/sf.out")
    case $_res in
    "ok - "*)
        if ! cmp -s "$S/out.npy" "$tmp/precious" || ! cmp -s "$SIN" "$IN"; then
            not_ok "$_desc" "OUT or IN was changed"
        elif [ "$(ls -A "$S")" != "$_before" ]; then
            not_ok "$_desc" "files appeared: $(ls -A "$S")"
        else
            ok "$_desc"
        fi
        ;;
    *)
        fail=$((fail + 1))
        echo "$_res"
        ;;
    esac
}
same_file "OUT out.npy, --indices ./out.npy" max-pool "$SIN" out.npy --kernel 2 --indices ./out.npy
same_file "OUT out.npy, --indices a symlink to it" max-pool "$SIN" out.npy --kernel 2 --indices sym.npy
same_file "OUT out.npy, --indices a hard link to it" max-pool "$SIN" out.npy --kernel 2 --indices hard.npy
same_file "OUT out.npy, --indices by absolute path" max-pool "$SIN" out.npy --kernel 2 --indices "$S/out.npy"
same_file "a new OUT spelled new.npy and ../same/new.npy" max-pool "$SIN" new.npy --kernel 2 --indices ../same/new.npy
same_file "--samples naming OUT (hard link)" fractional-max-pool "$SIN" out.npy --kernel 1 --size 1 --samples hard.npy
same_file "--indices naming IN" max-pool "$SIN" other.npy --kernel 2 --indices "$SIN"
same_file "max-unpool OUT over its INDICES" max-unpool "$SIN" out.npy hard.npy --kernel 2
same_file "OUT and --indices both stdout" max-pool "$SIN" - --kernel 2 --indices -

# ---------------------------------------------------------------------------
# Budgets: refused before allocating, under a 1.5 GB address-space limit

B=$tmp/budget
mkdir "$B"
# A CLI built with AddressSanitizer (.ci/reliability.sh) reserves terabytes of
# shadow address space and cannot start under `ulimit -v`: there the budget
# checks still run, without the address-space limit (said in the output).
LIMIT=1500000
# shellcheck disable=SC3045 # dash, bash, busybox and ksh all have ulimit -v
if ! (ulimit -v "$LIMIT" 2>/dev/null && "$CLI" --version >/dev/null 2>&1); then
    echo "# the CLI cannot start under ulimit -v $LIMIT (a sanitizer build?): budgets checked without it"
    LIMIT=unlimited
fi
# run_limited STATUS TEXT DESC ARGS...: expect_fail under ulimit -v
run_limited() {
    _st=$1 _tx=$2 _ds=$3
    shift 3
    # shellcheck disable=SC3045 # dash, bash, busybox and ksh all have ulimit -v
    (ulimit -v "$LIMIT" 2>/dev/null; expect_fail "$_st" "$_tx" "$_ds" "$@") >"$tmp/lim.out"
    _res=$(cat "$tmp/lim.out")
    echo "$_res"
    case $_res in "ok - "*) pass=$((pass + 1)) ;; *) fail=$((fail + 1)) ;; esac
    if [ -n "$(ls -A "$B")" ]; then not_ok "$_ds: no output" "$(ls -A "$B")"; fi
}

# (1, 1, 65536, 32769) f32 = 8.6 GB of data, held by a sparse file
SPARSE=$tmp/sparse.npy
npy_header "$SPARSE" '<f4' '(1, 1, 65536, 32769)'
hsize=$(wc -c <"$SPARSE" | tr -d ' ')
if dd if=/dev/null of="$SPARSE" bs=1 count=0 seek=$((hsize + 65536 * 32769 * 4)) 2>/dev/null &&
    [ "$(wc -c <"$SPARSE" | tr -d ' ')" = $((hsize + 65536 * 32769 * 4)) ]; then
    run_limited 1 "budget of 4294967296 bytes (--max-bytes)" "sparse .npy claiming (1, 1, 65536, 32769) f32" \
        interpolate "$SPARSE" "$B/out.npy" --mode nearest --scale 0.5
    run_limited 1 "(--max-pixels)" "sparse .npy under --max-bytes 0 still meets --max-pixels" \
        interpolate "$SPARSE" "$B/out.npy" --mode nearest --scale 0.5 --max-bytes 0
else
    skipped "sparse .npy claiming (1, 1, 65536, 32769) f32" "cannot make a sparse file here"
fi
rm -f "$SPARSE"

# a 1.5 MB PNG of 40000x40000 gray zeros (1.6 GB decoded); the deflate stream
# is one full-flushed block repeated, so making it takes a fraction of a second
if [ "$have_python" = yes ]; then
    python3 - "$tmp/bomb.png" <<'EOF'
import struct, sys, zlib
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
W = H = 40000
R = 100
c = zlib.compressobj(9, zlib.DEFLATED, -15)
blk = c.compress(b'\0' * ((W + 1) * R)) + c.flush(zlib.Z_FULL_FLUSH)
end = c.flush()
n = (W + 1) * H
idat = b'\x78\xda' + blk * (H // R) + end + struct.pack('>I', ((n % 65521) << 16) | 1)
with open(sys.argv[1], 'wb') as f:
    f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', W, H, 8, 0, 0, 0, 0))
            + chunk(b'IDAT', idat) + chunk(b'IEND', b''))
EOF
    run_limited 1 "1600000000 pixels is too large for the budget of 268435456 pixels (--max-pixels)" \
        "40000x40000 PNG deflate bomb" resize "$tmp/bomb.png" "$B/out.png" --size 8x8
    run_limited 1 "budget of 1000000 bytes (--max-bytes)" "PNG bomb under --max-pixels 0 meets --max-bytes" \
        resize "$tmp/bomb.png" "$B/out.png" --size 8x8 --max-pixels 0 --max-bytes 1000000
    rm -f "$tmp/bomb.png"
else
    skipped "40000x40000 PNG deflate bomb" "no python3"
fi

# outputs are budgeted too (before allocating, so no device is needed)
run_limited 1 "400000000 spatial elements per plane: too large for the budget of 268435456 (--max-pixels)" \
    "interpolate to 20000x20000" interpolate "$IN" "$B/out.npy" --mode nearest --size 20000
run_limited 1 "needs 32 bytes: too large for the budget of 31 bytes (--max-bytes)" \
    "input of 32 bytes under --max-bytes 31" max-pool "$IN" "$B/out.npy" --kernel 2 --max-bytes 31
run_limited 1 "(--max-pixels)" "input of 8 pixels under --max-pixels 7" \
    max-pool "$IN" "$B/out.npy" --kernel 2 --max-pixels 7
expect_fail 2 "invalid value '-1'" "--max-bytes -1 is a usage error" max-pool "$IN" "$B/out.npy" --kernel 2 --max-bytes -1
expect_fail 2 "does not apply" "--max-bytes does not apply to devices" devices --max-bytes 1

# ---------------------------------------------------------------------------
# With a device

run devices
have_device=yes
if [ "$rc" != 0 ] || grep -q -i 'no OpenCL devices' "$tmp/stdout"; then
    have_device=no
    echo "# no OpenCL device: $(cat "$tmp/stderr" "$tmp/stdout" | head -n 1)"
fi

W=$tmp/w
mkdir "$W"
EXP=$tmp/exp.npy # max-pool --kernel 2 of IN
npy_header "$EXP" '<f4' '(1, 1, 1, 2)'
printf '\000\000\340\100\000\000\000\101' >>"$EXP"
EXPI=$tmp/expi.npy
npy_header "$EXPI" '<i8' '(1, 1, 1, 2)'
printf '\001\000\000\000\000\000\000\000\006\000\000\000\000\000\000\000' >>"$EXPI"

# only_in DIR NAMES: DIR holds exactly NAMES (sorted, space-separated)
only_in() {
    [ "$(ls -A "$1" | tr '\n' ' ' | sed 's/ $//')" = "$2" ]
}

if [ "$have_device" = yes ]; then
    # "-": stdout, into a file and into a pipe
    run max-pool "$IN" "$W/ref.npy" --kernel 2
    if [ "$rc" = 0 ] && cmp -s "$W/ref.npy" "$EXP"; then ok "max-pool reference output"; else
        not_ok "max-pool reference output" "exit status $rc" "$(cat "$tmp/stderr")"; fi
    # (run in $W: an old binary would write a file named "-" there)
    (cd "$W" && "$CLI" max-pool "$IN" - --kernel 2 >"$W/stdout.npy" 2>"$tmp/stderr")
    rc=$?
    if [ "$rc" = 0 ] && cmp -s "$W/stdout.npy" "$EXP" && [ ! -s "$tmp/stderr" ]; then
        ok "OUT - writes the .npy to stdout (a file)"
    else
        not_ok "OUT - writes the .npy to stdout (a file)" "exit status $rc" "$(cat "$tmp/stderr")"
    fi
    rc=$( { cd "$W" && "$CLI" max-pool "$IN" - --kernel 2 --indices "$W/idx.npy" 2>"$tmp/stderr"; echo $? >"$tmp/rc"; } | cat >"$W/pipe.npy"; cat "$tmp/rc")
    if [ "$rc" = 0 ] && cmp -s "$W/pipe.npy" "$EXP" && cmp -s "$W/idx.npy" "$EXPI"; then
        ok "OUT - into a pipe, with --indices to a file"
    else
        not_ok "OUT - into a pipe, with --indices to a file" "exit status $rc" "$(cat "$tmp/stderr")"
    fi
    if only_in "$W" "idx.npy pipe.npy ref.npy stdout.npy"; then ok "no temporaries after stdout runs"; else
        not_ok "no temporaries after stdout runs" "$(ls -A "$W")"; fi
    rm -f "$W"/*

    # resize to stdout: the input's format (here PGM), byte-identical to a file OUT
    printf 'P5\n2 2\n255\n\001\002\003\004' >"$tmp/tiny.pgm"
    run resize "$tmp/tiny.pgm" "$W/ref.pgm" --mode nearest --scale 2
    (cd "$W" && "$CLI" resize "$tmp/tiny.pgm" - --mode nearest --scale 2 >"$W/stdout.pgm" 2>"$tmp/stderr")
    if [ "$rc" = 0 ] && [ -s "$W/ref.pgm" ] && cmp -s "$W/ref.pgm" "$W/stdout.pgm"; then
        ok "resize to - writes the input's format to stdout"
    else
        not_ok "resize to - writes the input's format to stdout" "$(cat "$tmp/stderr")"
    fi
    rm -f "$W"/*

    # a FIFO OUT: the reader gets the bytes, the FIFO stays a FIFO
    mkfifo "$W/fifo"
    cat "$W/fifo" >"$tmp/fifo.got" &
    catpid=$!
    run max-pool "$IN" "$W/fifo" --kernel 2
    n=0 # a FIFO replaced by a file leaves its reader waiting forever: end it
    while kill -0 "$catpid" 2>/dev/null && [ "$n" -lt 50 ]; do
        sleep 0.1
        n=$((n + 1))
    done
    { kill "$catpid" 2>/dev/null; wait "$catpid"; } 2>/dev/null
    if [ "$rc" = 0 ] && [ -p "$W/fifo" ] && cmp -s "$tmp/fifo.got" "$EXP" && only_in "$W" fifo; then
        ok "FIFO OUT is written, not replaced"
    else
        not_ok "FIFO OUT is written, not replaced" "exit status $rc" "$(cat "$tmp/stderr")" "$(ls -lA "$W")"
    fi
    rm -f "$W"/*

    # a copy of /dev/null (char device 1,3) made here; never the real /dev
    if [ "$(id -u)" = 0 ] && mknod "$W/null" c 1 3 2>/dev/null; then
        run max-pool "$IN" "$W/null" --kernel 2 --indices "$W/null2"
        r1=$rc
        mknod "$W/nullidx" c 1 3
        run resize "$tmp/tiny.pgm" "$W/null" --scale 2
        r2=$rc
        run max-pool "$IN" "$W/out.npy" --kernel 2 --indices "$W/nullidx"
        r3=$rc
        if [ "$r1$r2$r3" = 000 ] && [ -c "$W/null" ] && [ -c "$W/nullidx" ] &&
            cmp -s "$W/null2" "$EXPI" && cmp -s "$W/out.npy" "$EXP" && only_in "$W" "null null2 nullidx out.npy"; then
            ok "character device OUT and IDX_OUT are written, not replaced"
        else
            not_ok "character device OUT and IDX_OUT are written, not replaced" "exit statuses $r1 $r2 $r3" \
                "$(cat "$tmp/stderr")" "$(ls -lA "$W")"
        fi
    else
        skipped "character device OUT (a mknod copy of /dev/null)" "needs root"
    fi
    rm -f "$W"/*

    # an existing OUT keeps its mode
    printf 'old\n' >"$W/out.npy"
    chmod 600 "$W/out.npy"
    run max-pool "$IN" "$W/out.npy" --kernel 2
    if [ "$rc" = 0 ] && cmp -s "$W/out.npy" "$EXP" && [ "$(mode_of "$W/out.npy")" = "-rw-------" ]; then
        ok "an existing OUT of mode 0600 stays 0600"
    else
        not_ok "an existing OUT of mode 0600 stays 0600" "exit status $rc" "$(mode_of "$W/out.npy")" "$(cat "$tmp/stderr")"
    fi
    if [ "$(id -u)" = 0 ] && chown 4321:4322 "$W/out.npy" 2>/dev/null; then
        run max-pool "$IN" "$W/out.npy" --kernel 2
        if [ "$rc" = 0 ] && [ "$(ls -ln "$W/out.npy" | awk '{print $3 ":" $4}')" = 4321:4322 ] &&
            [ "$(mode_of "$W/out.npy")" = "-rw-------" ]; then
            ok "root replacing another user's OUT keeps its owner, group and mode"
        else
            not_ok "root replacing another user's OUT keeps its owner, group and mode" "exit status $rc" "$(ls -ln "$W/out.npy")"
        fi
    else
        skipped "OUT's owner kept" "needs root"
    fi
    printf 'old\n' >"$W/idx.npy"
    chmod 640 "$W/idx.npy"
    run max-pool "$IN" "$W/out.npy" --kernel 2 --indices "$W/idx.npy"
    if [ "$rc" = 0 ] && cmp -s "$W/idx.npy" "$EXPI" && [ "$(mode_of "$W/idx.npy")" = "-rw-r-----" ]; then
        ok "an existing IDX_OUT of mode 0640 stays 0640"
    else
        not_ok "an existing IDX_OUT of mode 0640 stays 0640" "exit status $rc" "$(mode_of "$W/idx.npy")"
    fi
    rm -f "$W"/*

    # a long (244-byte) OUT name: the temporary's name does not grow with it
    long=$(printf '%0240d' 0).npy
    run max-pool "$IN" "$W/$long" --kernel 2 --indices "$W/i$long"
    if [ "$rc" = 0 ] && cmp -s "$W/$long" "$EXP" && cmp -s "$W/i$long" "$EXPI" && only_in "$W" "$long i$long"; then
        ok "244- and 245-byte OUT names"
    else
        not_ok "244- and 245-byte OUT names" "exit status $rc" "$(cat "$tmp/stderr")"
    fi
    rm -f "$W"/*

    # a symlink OUT writes through to its target; a dangling one is refused
    printf 'old\n' >"$W/target.npy"
    ln -s target.npy "$W/link.npy"
    run max-pool "$IN" "$W/link.npy" --kernel 2
    if [ "$rc" = 0 ] && [ -h "$W/link.npy" ] && cmp -s "$W/target.npy" "$EXP" && only_in "$W" "link.npy target.npy"; then
        ok "a symlink OUT replaces its target and stays a symlink"
    else
        not_ok "a symlink OUT replaces its target and stays a symlink" "exit status $rc" "$(ls -lA "$W")"
    fi
    rm -f "$W"/*
    ln -s missing.npy "$W/dangling.npy"
    if expect_fail 1 "does not exist" "a dangling symlink OUT is refused" max-pool "$IN" "$W/dangling.npy" --kernel 2 >"$tmp/d.out"; then
        if only_in "$W" dangling.npy; then cat "$tmp/d.out"; else
            pass=$((pass - 1)); not_ok "a dangling symlink OUT is refused" "$(ls -A "$W")"; fi
    else
        cat "$tmp/d.out"
    fi
    rm -f "$W"/*

    # Signals while the outputs are open: OUT's temporary exists, and opening
    # the FIFO --indices blocks until a reader comes, so the signal lands
    # deterministically while a temporary is there. Python resets SIGINT,
    # which a shell's background job would otherwise ignore.
    for sig in TERM INT HUP PIPE; do
        case $sig in TERM) num=15 ;; INT) num=2 ;; HUP) num=1 ;; PIPE) num=13 ;; esac
        rm -rf "$W" && mkdir "$W" && mkfifo "$W/idx.fifo"
        if [ "$have_python" = yes ]; then
            python3 -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
    signal.signal(s, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$CLI" max-pool "$IN" "$W/out.npy" --kernel 2 --indices "$W/idx.fifo" \
                >/dev/null 2>"$tmp/stderr" &
        elif [ "$sig" = INT ]; then
            skipped "SIGINT while writing leaves no temporary" "no python3 to reset SIGINT"
            continue
        else
            "$CLI" max-pool "$IN" "$W/out.npy" --kernel 2 --indices "$W/idx.fifo" >/dev/null 2>"$tmp/stderr" &
        fi
        bgpid=$!
        n=0 # up to 120 s for the temporary to appear (the first run may compile kernels)
        while [ "$(ls -A "$W" | wc -l)" -lt 2 ] && kill -0 "$bgpid" 2>/dev/null && [ "$n" -lt 1200 ]; do
            sleep 0.1
            n=$((n + 1))
        done
        seen=$(ls -A "$W" | tr '\n' ' ')
        kill -"$sig" "$bgpid" 2>/dev/null
        n=0
        while kill -0 "$bgpid" 2>/dev/null && [ "$n" -lt 100 ]; do
            sleep 0.1
            n=$((n + 1))
        done
        if kill -0 "$bgpid" 2>/dev/null; then # still blocked: unblock, then stop it
            cat "$W/idx.fifo" >/dev/null &
            sleep 1
            kill -KILL "$bgpid" 2>/dev/null
        fi
        wait "$bgpid"
        st=$?
        bgpid=
        if [ "$st" = $((128 + num)) ] && [ -p "$W/idx.fifo" ] && only_in "$W" idx.fifo; then
            ok "SIG$sig while writing leaves no temporary (had: $seen)"
        else
            not_ok "SIG$sig while writing leaves no temporary" "exit status $st, expected $((128 + num))" \
                "before the signal: $seen" "after: $(ls -A "$W" | tr '\n' ' ')" "$(head -n 2 "$tmp/stderr")"
        fi
    done

    # The same with a full-size temporary: OUT (1 MB) is complete in its
    # temporary while the --indices FIFO (2 MB) stalls, its reader never
    # reading past the pipe buffer.
    BIG=$tmp/big.npy # (1, 1, 512, 512) f32 zeros
    npy_header "$BIG" '<f4' '(1, 1, 512, 512)'
    head -c 1048576 /dev/zero >>"$BIG"
    rm -rf "$W" && mkdir "$W" && mkfifo "$W/idx.fifo"
    # shellcheck disable=SC2217 # a reader that opens the FIFO and never reads
    sleep 600 <"$W/idx.fifo" &
    readerpid=$!
    "$CLI" max-pool "$BIG" "$W/out.npy" --kernel 1 --indices "$W/idx.fifo" >/dev/null 2>"$tmp/stderr" &
    bgpid=$!
    n=0 # wait for a temporary holding all of OUT (1048576 bytes + the header)
    big=0
    while kill -0 "$bgpid" 2>/dev/null && [ "$n" -lt 1200 ]; do
        for f in "$W"/.??*; do
            [ -f "$f" ] && [ "$(wc -c <"$f" | tr -d ' ')" -gt 1048576 ] && big=1
        done
        [ "$big" = 1 ] && break
        sleep 0.1
        n=$((n + 1))
    done
    seen=$(ls -A "$W" | tr '\n' ' ')
    kill -TERM "$bgpid" 2>/dev/null
    wait "$bgpid"
    st=$?
    bgpid=
    { kill "$readerpid" && wait "$readerpid"; } 2>/dev/null
    if [ "$big" = 1 ] && [ "$st" = 143 ] && only_in "$W" idx.fifo; then
        ok "SIGTERM with a full-size temporary leaves nothing (had: $seen)"
    else
        not_ok "SIGTERM with a full-size temporary leaves nothing" "full temporary seen: $big, exit status $st" \
            "before the signal: $seen" "after: $(ls -A "$W" | tr '\n' ' ')" "$(head -n 2 "$tmp/stderr")"
    fi
    rm -rf "$W"
elif [ -n "${CI:-}" ]; then
    not_ok "an OpenCL device is available (required when CI is set)" "$(head -n 1 "$tmp/stderr")"
fi

[ "$skip" -gt 0 ] && echo "# $skip skipped"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] || exit 1
[ "$have_device" = yes ] || exit 77
exit 0
