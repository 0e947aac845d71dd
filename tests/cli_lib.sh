# SPDX-License-Identifier: MIT
# tests/cli_lib.sh — the pieces the CLI test scripts share; sourced (". DIR/cli_lib.sh"),
# never run. POSIX sh. Expects CLI (the clresample binary) set by the caller.
#
#   cli_setup NAME       $tmp (a private directory, removed at exit) with an empty
#                        $tmp/o for outputs that must not appear; pass=0 fail=0 skip=0
#   ok DESC              one "ok - DESC" line
#   not_ok DESC [LINE..] one "not ok - DESC" line, then each LINE as "#   LINE"
#   skipped DESC WHY     one "ok - DESC # SKIP WHY" line (TAP)
#   cli_done             "N passed, M failed"; exit 1 on any failure, else 0
#   npy DESCR SHAPE      a .npy version 1.0 header on stdout (data at a multiple of 64)
#   f32 V...             little-endian float32 bytes of small integers (-1, 0..10, 12, 16)
#   run ARGS...          $CLI ARGS: rc, $tmp/stdout, $tmp/stderr (compiler chatter
#                        such as "1 warning generated." dropped)
#   expect_error STATUS TEXT DESC ARGS...
#                        exit STATUS, one "clresample: error: ...TEXT..." line, nothing
#                        written under $tmp/o
#   expect_usage DESC PATTERN ARGS...
#                        `$CLI onnx ARGS` exits 2 with one "clresample: error:" line
#                        matching PATTERN and writes neither $tmp/y.npy nor $tmp/i.npy
#   tail_is FILE BYTES   FILE's data (its last bytes) equals file BYTES

LC_ALL=C
export LC_ALL

cli_setup() {
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/clrs-$1.XXXXXX") || exit 1
    trap 'rm -rf "$tmp"' EXIT
    trap 'exit 1' HUP INT TERM
    mkdir "$tmp/o" || exit 1
    pass=0
    fail=0
    skip=0
}

ok() {
    pass=$((pass + 1))
    echo "ok - $1"
}

not_ok() {
    fail=$((fail + 1))
    echo "not ok - $1"
    shift
    for _l in "$@"; do echo "#   $_l"; done
}

skipped() {
    skip=$((skip + 1))
    echo "ok - $1 # SKIP $2"
}

cli_done() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ] || exit 1
    exit 0
}

npy() {
    _d="{'descr': '$1', 'fortran_order': False, 'shape': $2, }"
    _hl=$((${#_d} + 1))
    _pad=$((64 - (10 + _hl) % 64))
    _hl=$((_hl + _pad))
    {
        printf '\223NUMPY\001\000'
        # shellcheck disable=SC2059 # the format carries the octal escapes
        printf "\\$(printf %03o $((_hl % 256)))\\$(printf %03o $((_hl / 256)))"
        printf "%s%${_pad}s\\n" "$_d" ''
    }
}

f32() {
    for _v in "$@"; do
        case $_v in
        -1) printf '\000\000\200\277' ;;
        0) printf '\000\000\000\000' ;;
        1) printf '\000\000\200\077' ;;
        2) printf '\000\000\000\100' ;;
        3) printf '\000\000\100\100' ;;
        4) printf '\000\000\200\100' ;;
        5) printf '\000\000\240\100' ;;
        6) printf '\000\000\300\100' ;;
        7) printf '\000\000\340\100' ;;
        8) printf '\000\000\000\101' ;;
        9) printf '\000\000\020\101' ;;
        10) printf '\000\000\040\101' ;;
        12) printf '\000\000\100\101' ;;
        16) printf '\000\000\200\101' ;;
        *) echo "f32: no bytes for $_v" >&2; exit 1 ;;
        esac
    done
}

run() {
    "$CLI" "$@" >"$tmp/stdout" 2>"$tmp/stderr.raw"
    rc=$?
    grep -v '^[0-9][0-9]* warnings\{0,1\} generated\.$' "$tmp/stderr.raw" >"$tmp/stderr"
}

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
    elif [ -n "$(ls -A "$tmp/o")" ]; then
        not_ok "$_desc" "output files were created: $(ls -A "$tmp/o")"
    else
        case $_line in
        "clresample: error: "*"$_text"*) ok "$_desc" ;;
        *) not_ok "$_desc" "stderr: $_line" "expected 'clresample: error: ...$_text...'" ;;
        esac
    fi
    rm -f "$tmp/o"/* 2>/dev/null
}

expect_usage() {
    _desc=$1
    _pat=$2
    shift 2
    rm -f "$tmp/y.npy" "$tmp/i.npy"
    "$CLI" onnx "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    _rc=$?
    if [ $_rc -eq 2 ] && [ "$(wc -l <"$tmp/stderr")" -eq 1 ] && grep -q "^clresample: error: .*$_pat" "$tmp/stderr" &&
        [ ! -e "$tmp/y.npy" ] && [ ! -e "$tmp/i.npy" ]; then
        ok "$_desc"
    else
        not_ok "$_desc" "exit $_rc" "$(head -n 2 "$tmp/stderr")"
    fi
}

tail_is() {
    _n=$(wc -c <"$2" | tr -d ' ')
    tail -c "$_n" "$1" | cmp -s - "$2"
}
