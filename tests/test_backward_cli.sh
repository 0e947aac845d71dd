#!/bin/sh
# SPDX-License-Identifier: MIT
# test_backward_cli.sh — `clresample backward OP ...`: every f32/f64/f16
# case of tests/golden/backward.txt (torch.autograd.grad of pixel_shuffle,
# pixel_unshuffle and max_unpool) and every f32 one of backward_interp.txt
# (interpolate) through the CLI, compared bit for bit
# (tests/npy_allclose exact), the cases with channels-last copies again
# with --channels-last, torch's invalid-index errors; then the contract's
# errors: a GRAD_OUT of another shape (exit 1, both shapes named), the
# operators not implemented yet (exit 1), usage errors (exit 2), and no
# GRAD_IN written by a failed run (an existing one left as it was).
#
# Automake TESTS protocol: exit 0 pass, 1 fail, 77 skip (no OpenCL
# platform). Prints one "ok - ..." / "not ok - ..." line per check and
# ends with "N passed, M failed".

CLI=${CLRESAMPLE:-./clresample}
CMP=${NPY_ALLCLOSE:-./tests/npy_allclose}
G=${TEST_SRCDIR:-${srcdir:-.}/tests}/golden
. "${TEST_SRCDIR:-$(dirname "$0")}/cli_lib.sh"
unset CLRS_LOG

cli_setup bwcli

# Usage errors need no device.
expect_gi_error() { # expect_gi_error RC PATTERN DESC ARGS...: one error line, GRAD_IN ($tmp/gi.npy) untouched
    _rc_want=$1
    _pat=$2
    _desc=$3
    shift 3
    printf 'keep' >"$tmp/gi.npy"
    "$CLI" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    _rc=$?
    if [ $_rc -eq "$_rc_want" ] && [ "$(wc -l <"$tmp/stderr")" -eq 1 ] &&
        grep -q "^clresample: error: .*$_pat" "$tmp/stderr" && [ "$(cat "$tmp/gi.npy")" = keep ]; then
        ok "$_desc"
    else
        not_ok "$_desc" "exit $_rc (expected $_rc_want)" "$(head -n 2 "$tmp/stderr")"
    fi
}
S=$G/backward/in_f32_1x8x3x5_rand0.npy
SG=$G/backward/bw_pixshuf_f32_000_go.npy
GI=$tmp/gi.npy
expect_gi_error 2 "no operator given" "backward without an operator" backward
expect_gi_error 2 "'devices' is not an operator" "backward devices" backward devices
expect_gi_error 2 "'resize' is not an operator" "backward resize" backward resize "$S" "$SG" "$GI"
expect_gi_error 2 "missing argument GRAD_IN" "backward pixel-shuffle without GRAD_IN" backward pixel-shuffle "$S" "$SG" --factor 2
expect_gi_error 2 "missing required option --factor" "backward pixel-shuffle without --factor" backward pixel-shuffle "$S" "$SG" "$GI"
expect_gi_error 2 "does not apply" "backward pixel-shuffle --indices" backward pixel-shuffle "$S" "$SG" "$GI" --factor 2 --indices "$SG"
expect_gi_error 2 "name the same file" "GRAD_IN over GRAD_OUT" backward pixel-shuffle "$S" "$SG" "$SG" --factor 2
help_has() { # help_has DESC PATTERN ARGS...: `clresample ARGS` prints PATTERN
    _desc=$1
    _pat=$2
    shift 2
    if "$CLI" "$@" >"$tmp/help" 2>&1 && grep -q -- "$_pat" "$tmp/help"; then
        ok "$_desc"
    else
        not_ok "$_desc" "$(head -n 2 "$tmp/help")"
    fi
}
help_has "backward --help" "FORWARD_INPUT... GRAD_OUT GRAD_IN" backward --help
help_has "backward max-unpool --help" "max-unpool IN INDICES GRAD_OUT GRAD_IN --kernel K" backward max-unpool --help
help_has "backward max-pool --help: --indices reads IDX" "--indices IDX " backward max-pool --help

if ! "$CLI" devices >"$tmp/dev" 2>&1; then
    echo "# no OpenCL device: $(head -n 1 "$tmp/dev")"
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ] || exit 1
    exit 77
fi

# Data errors (exit 1).
expect_gi_error 1 "GRAD_OUT .* has shape (1, 8, 3, 5) but the forward output's shape is (1, 2, 6, 10)" \
    "GRAD_OUT of the wrong shape" backward pixel-shuffle "$S" "$S" "$GI" --factor 2
expect_gi_error 1 "shape (1, 2, 6, 10) but the forward output's shape is (1, 6, 10, 2) (channels-last)" \
    "GRAD_OUT of the wrong shape, --channels-last" backward pixel-shuffle "$G/backward/bw_pixshuf_f32_000_in_cl.npy" \
    "$SG" "$GI" --factor 2 --channels-last
expect_gi_error 1 "is f64 but IN is f32" "GRAD_OUT of another dtype" backward pixel-unshuffle \
    "$G/backward/in_f32_1x2x6x10_rand0.npy" "$G/backward/bw_pixunshuf_f64_000_go.npy" "$GI" --factor 2
expect_gi_error 1 "GRAD_OUT .* has shape (1, 8, 3, 5) but the forward output's shape is (1, 8, 6, 10)" \
    "backward interpolate: GRAD_OUT of the wrong shape" backward interpolate "$S" "$S" "$GI" --mode bilinear --scale 2
expect_gi_error 1 "GRAD_OUT .* has shape (1, 2, 3, 4) but the forward output's shape is (1, 2, 2, 3)" \
    "backward lp-pool --norm-type -inf: GRAD_OUT of the wrong shape" backward lp-pool \
    "$G/backward/in_f32_1x2x7x9_pos0.npy" "$G/backward/bw_lppool_r4_f32_000_go.npy" "$GI" --kernel 3 --norm-type -inf
M=$G/backward/bw_maxpool_r4_f32_001
expect_gi_error 1 "--indices .* has shape (1, 2, 3, 4) but the forward output's (GRAD_OUT's) is (1, 2, 4, 5)" \
    "max-pool --indices of another shape" backward max-pool "${M}_in.npy" "${M}_go.npy" "$GI" --kernel 3 --stride 2 \
    --padding 1 --indices "$G/backward/bw_maxpool_r4_f32_000_idxin.npy"
expect_gi_error 1 "divisible" "forward shape error" backward pixel-shuffle "$S" "$SG" "$GI" --factor 3

# The golden cases. Tokens of one manifest line: key=value.
tok() { # tok KEY: the value of KEY in $line ("" if absent)
    for _t in $line; do
        case $_t in "$1"=*) echo "${_t#*=}"; return ;; esac
    done
}
ncase=0
nidx=0
ncl=0
nerr=0
while IFS= read -r line; do
    case $line in '#'* | '') continue ;; esac
    dt=$(tok dtype)
    [ "$dt" = bf16 ] && continue # the CLI has no bf16 arrays
    id=$(tok id)
    op=$(tok op)
    case $op in
    pixel_shuffle) sub=pixel-shuffle ;;
    pixel_unshuffle) sub=pixel-unshuffle ;;
    max_pool) sub=max-pool ;;
    adaptive_max_pool) sub=adaptive-max-pool ;;
    fractional_max_pool) sub=fractional-max-pool ;;
    avg_pool) sub=avg-pool ;;
    adaptive_avg_pool) sub=adaptive-avg-pool ;;
    lp_pool) sub=lp-pool ;;
    *) sub=max-unpool ;;
    esac
    # pooling gradients sum several elements: f16 ones differ from torch's
    # 16-bit sums by a few ulp (tests/test_backward bounds them)
    case $sub-$dt in *pool-f16) [ $sub != max-unpool ] && continue ;; esac
    set --
    for k in kernel stride padding dilation output_size output_ratio factor divisor_override norm_type; do
        v=$(tok $k)
        if [ -z "$v" ] || [ "$v" = - ]; then continue; fi
        case $k in output_size) o=--size ;; output_ratio) o=--ratio ;; divisor_override) o=--divisor-override ;;
        norm_type) o=--norm-type ;;
        *) o=--$k ;; esac
        set -- "$@" "$o" "$v"
    done
    [ "$(tok ceil_mode)" = 1 ] && set -- "$@" --ceil-mode
    [ "$(tok count_include_pad)" = 0 ] && set -- "$@" --no-count-include-pad
    [ -n "$(tok samples)" ] && set -- "$@" --samples "$G/$(tok samples)"
    # LP: the device's pow is not torch's std::pow (tests/test_backward bounds the
    # difference); with p = +-inf (max_pool of |x|) torch's bits
    cmpmode=exact
    case $sub-$(tok norm_type) in lp-pool-inf | lp-pool--inf) ;; lp-pool-*) cmpmode=rtol=1e-5,atol=1e-5 ;; esac
    for layout in nchw nchw-idx cl cl-idx; do
        sfx=
        case $layout in
        cl*)
            [ -n "$(tok out_cl)" ] || continue
            sfx=_cl
            ;;
        esac
        case $layout-$sub in *-idx-max-pool | *-idx-adaptive-max-pool | *-idx-fractional-max-pool) ;;
        *-idx-*) continue ;; esac
        inputs="$G/$(tok in$sfx)"
        extra=
        [ $sub = max-unpool ] && inputs="$inputs $G/$(tok indices_in$sfx)"
        case $layout in *-idx) extra="--indices $G/$(tok indices_in$sfx)" ;; esac
        [ -n "$sfx" ] && extra="$extra --channels-last"
        rm -f "$GI"
        # shellcheck disable=SC2086 # inputs, extra: words without spaces
        "$CLI" backward $sub $inputs "$G/$(tok grad_out$sfx)" "$GI" "$@" $extra >"$tmp/stdout" 2>"$tmp/stderr"
        rc=$?
        err=$(tok error)
        if [ -n "$err" ]; then
            if [ $rc -eq 1 ] && grep -q "invalid max index" "$tmp/stderr" && [ ! -e "$GI" ]; then
                nerr=$((nerr + 1))
            else
                not_ok "$id: torch raised $err" "exit $rc" "$(head -n 2 "$tmp/stderr")"
            fi
        elif [ $rc -eq 0 ] && "$CMP" "$G/$(tok out$sfx)" "$GI" $cmpmode >"$tmp/cmp" 2>&1; then
            ncase=$((ncase + 1))
            [ -n "$sfx" ] && ncl=$((ncl + 1))
            case $layout in *-idx) nidx=$((nidx + 1)) ;; esac
        else
            not_ok "$id [$layout]" "exit $rc: $(head -n 1 "$tmp/stderr")" "$(head -n 1 "$tmp/cmp")"
        fi
    done
done <"$G/backward.txt"
if [ $ncase -ge 230 ] && [ $ncl -ge 18 ] && [ $nidx -ge 60 ] && [ $nerr -ge 6 ]; then
    ok "golden gradients through the CLI: $ncase bit-exact ($ncl with --channels-last, $nidx pool runs with --indices), $nerr torch errors"
else
    not_ok "golden gradients through the CLI: only $ncase bit-exact ($ncl --channels-last), $nerr errors"
fi

# interpolate: every f32 case of tests/golden/backward_interp.txt, bit-exact
# with torch (lanczos: within 1e-6 of the largest gradient, torch's sinf),
# and its channels-last case with --channels-last
ni=0
nicl=0
while IFS= read -r line; do
    case $line in '#'* | '') continue ;; esac
    [ "$(tok dtype)" = f32 ] || continue
    id=$(tok id)
    set -- --mode "$(tok mode)"
    [ "$(tok size)" != - ] && set -- "$@" --size "$(tok size)"
    [ "$(tok scale)" != - ] && set -- "$@" --scale "$(tok scale)"
    [ "$(tok align_corners)" = 1 ] && set -- "$@" --align-corners
    [ "$(tok recompute)" = 1 ] && set -- "$@" --recompute-scale-factor
    [ "$(tok antialias)" = 1 ] && set -- "$@" --antialias
    how=exact
    [ "$(tok mode)" = lanczos ] && how=rtol=0,atol=2e-5
    for sfx in "" _cl; do
        [ -z "$sfx" ] || [ -n "$(tok out_cl)" ] || continue
        rm -f "$GI"
        if [ -n "$sfx" ]; then
            "$CLI" backward interpolate "$G/$(tok in_cl)" "$G/$(tok grad_out_cl)" "$GI" "$@" --channels-last \
                >"$tmp/stdout" 2>"$tmp/stderr"
        else
            "$CLI" backward interpolate "$G/$(tok in)" "$G/$(tok grad_out)" "$GI" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
        fi
        rc=$?
        if [ $rc -eq 0 ] && "$CMP" "$G/$(tok out$sfx)" "$GI" $how >"$tmp/cmp" 2>&1; then
            ni=$((ni + 1))
            [ -n "$sfx" ] && nicl=$((nicl + 1))
        else
            not_ok "$id$sfx" "exit $rc: $(head -n 1 "$tmp/stderr")" "$(head -n 1 "$tmp/cmp")"
        fi
    done
done <"$G/backward_interp.txt"
if [ $ni -ge 170 ] && [ $nicl -ge 1 ]; then
    ok "interpolate gradients through the CLI: $ni as torch's ($nicl with --channels-last)"
else
    not_ok "interpolate gradients through the CLI: only $ni ($nicl with --channels-last)"
fi
# 2 planar channels: interp_backward/wflat (cvec needs 4); disabled, the
# general gather gives the same bytes
BWI="$G/backward_interp/in_f32_1x2x5x6_rand0.npy $G/backward_interp/bwi_bilinear_r4_f32_000_go.npy"
# shellcheck disable=SC2086 # two file names
if "$CLI" backward interpolate $BWI "$GI" --mode bilinear --size 10,12 --explain \
    >"$tmp/stdout" 2>"$tmp/stderr" && grep -q "impl: interp_backward/wflat" "$tmp/stderr"; then
    ok "--explain: interp_backward/wflat"
else
    not_ok "--explain: interp_backward/wflat" "$(head -n 2 "$tmp/stderr")"
fi
cp "$GI" "$tmp/gi_wflat.npy" 2>/dev/null
rm -f "$GI"
# shellcheck disable=SC2086
if CLRS_DISABLE_IMPLS=interp_backward/wflat "$CLI" backward interpolate $BWI "$GI" --mode bilinear --size 10,12 \
    --explain >"$tmp/stdout" 2>"$tmp/stderr" && grep -q "impl: interp_backward/gather" "$tmp/stderr" &&
    cmp -s "$GI" "$tmp/gi_wflat.npy"; then
    ok "CLRS_DISABLE_IMPLS=interp_backward/wflat: interp_backward/gather, the same bytes"
else
    not_ok "CLRS_DISABLE_IMPLS=interp_backward/wflat: interp_backward/gather, the same bytes" "$(head -n 2 "$tmp/stderr")"
fi

# --explain names the backward implementation
U=$G/backward/bw_unpool_r4_f32_001
if "$CLI" backward max-unpool "${U}_in.npy" "${U}_idxin.npy" "${U}_go.npy" "$GI" --kernel 3 --stride 2 --padding 1 \
    --explain >"$tmp/stdout" 2>"$tmp/stderr" && grep -q "impl: unpool_backward/gather" "$tmp/stderr"; then
    ok "--explain: unpool_backward/gather"
else
    not_ok "--explain: unpool_backward/gather" "$(head -n 2 "$tmp/stderr")"
fi

A=$G/backward/bw_avgpool_r4_f32_002
if "$CLI" backward avg-pool "$G/backward/in_f32_1x2x7x9_rand0.npy" "${A}_go.npy" "$GI" --kernel 3 --stride 2 --padding 1 --no-count-include-pad \
    --explain >"$tmp/stdout" 2>"$tmp/stderr" && grep -q "impl: pool_backward_avg/ranges" "$tmp/stderr"; then
    ok "--explain: pool_backward_avg/ranges"
else
    not_ok "--explain: pool_backward_avg/ranges" "$(head -n 2 "$tmp/stderr")"
fi
# the general entry forced: the same bits
if CLRS_DISABLE_IMPLS=pool_backward_avg "$CLI" backward avg-pool "$G/backward/in_f32_1x2x7x9_rand0.npy" "${A}_go.npy" \
    "$tmp/gi2.npy" --kernel 3 --stride 2 --padding 1 --no-count-include-pad --explain >"$tmp/stdout" 2>"$tmp/stderr2" &&
    grep -q "impl: pool_backward_avg/avg" "$tmp/stderr2" && "$CMP" "$GI" "$tmp/gi2.npy" exact >/dev/null 2>&1; then
    ok "CLRS_DISABLE_IMPLS=pool_backward_avg: pool_backward_avg/avg, the same bits"
else
    not_ok "CLRS_DISABLE_IMPLS=pool_backward_avg: pool_backward_avg/avg, the same bits" "$(head -n 2 "$tmp/stderr2")"
fi
M2=$G/backward/bw_maxpool_r4_f32_000
if "$CLI" backward max-pool "${M2}_in.npy" "${M2}_go.npy" "$GI" --kernel 2 --indices "${M2}_idxin.npy" \
    --explain >"$tmp/stdout" 2>"$tmp/stderr" && grep -q "impl: pool_backward/disjoint" "$tmp/stderr"; then
    ok "--explain: max-pool 2x2 takes pool_backward/disjoint"
else
    not_ok "--explain: max-pool 2x2 takes pool_backward/disjoint" "$(head -n 4 "$tmp/stderr")"
fi

# fractional max: its gather with the tables that bound every plane's windows
F=$G/backward/bw_fracmax_r4_f32_001
if "$CLI" backward fractional-max-pool "${F}_in.npy" "${F}_go.npy" "$GI" --kernel 3 --size 4,5 \
    --samples "${F}_samples.npy" --explain >"$tmp/stdout" 2>"$tmp/stderr" &&
    grep -q "impl: pool_backward/gather" "$tmp/stderr"; then
    ok "--explain: fractional-max-pool takes pool_backward/gather"
else
    not_ok "--explain: fractional-max-pool takes pool_backward/gather" "$(head -n 4 "$tmp/stderr")"
fi

cli_done
