#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/fuzz/run.sh — build the libFuzzer harnesses with clang and run each
# one for a bounded time from the committed seed corpus.
#
#   tests/fuzz/run.sh [-t SECONDS] [-w WORKDIR] [-b BUILDDIR] [HARNESS...]
#
#   -t SECONDS  time per harness (default 60)
#   -w WORKDIR  where binaries, the working corpora, logs and crash
#               artifacts go (default /tmp/clrs-fuzz); never the source tree
#   -b BUILDDIR a configured build tree, for include/clresample/version.h
#               (default: the source tree, when configured in-tree)
#   HARNESS     npy, image, ops (default: all three)
#
# Needs clang with libFuzzer (Debian: clang, libclang-rt-14-dev), libpng,
# an OpenCL ICD loader and, for `ops`, an OpenCL device (PoCL on the CI).
# Each harness runs with AddressSanitizer (LeakSanitizer on) and
# UndefinedBehaviorSanitizer; the committed corpus is copied, never written.
# A crash leaves WORKDIR/artifacts/<harness>-crash-*; add that file to
# tests/fuzz/regressions/<harness>/ once fixed (make check replays it).
# Prints "fuzz <name>: N executions in S s, ..." per harness and
# "fuzz: P passed, F failed"; exits 1 if any harness failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
secs=60
work=/tmp/clrs-fuzz
build=$src
while getopts t:w:b: opt; do
    case $opt in
    t) secs=$OPTARG ;;
    w) work=$OPTARG ;;
    b) build=$(cd "$OPTARG" && pwd) ;;
    *) echo "usage: $0 [-t SECONDS] [-w WORKDIR] [-b BUILDDIR] [npy|image|ops]..." >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
harnesses=${*:-npy image ops}
CC=${FUZZ_CC:-clang}

if [ ! -f "$build/include/clresample/version.h" ]; then
    echo "fuzz: $build/include/clresample/version.h missing: configure first (or pass -b BUILDDIR)" >&2
    exit 2
fi
mkdir -p "$work/obj" "$work/artifacts" || exit 2

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror $san -fsanitize=fuzzer-no-link"
incs="-I$src/include -I$build/include -I$src/src -I$work/obj -I$src/tools -I$here $(pkg-config --cflags OpenCL libpng 2>/dev/null)"
libs="$(pkg-config --libs OpenCL libpng 2>/dev/null || echo -lOpenCL -lpng) -lm -pthread"

echo "== fuzz: building with $($CC --version | head -n 1)"
# every kernel source, as the Makefile embeds them (cl2c.sh names each by its file)
sh "$src/build-aux/cl2c.sh" "$work/obj/kernels_gen.c" "$src"/cl/*.cl || exit 2
# The library's build identity (make generates it from the sources; any fixed
# value serves a fuzzing build).
echo '#define CLRS_BUILD_ID "fuzz"' >"$work/obj/build_id.h"
compile() { # OUT.o SRC.c [EXTRA...]
    out=$1
    in=$2
    shift 2
    # shellcheck disable=SC2086
    $CC $cflags $incs "$@" -c "$in" -o "$out" || { echo "fuzz: compiling $in failed" >&2; exit 2; }
}
lib_objs=
for f in "$src"/src/*.c "$src"/src/ops/*.c "$work/obj/kernels_gen.c"; do
    # an in-tree build's generated copy: the one above replaces it
    [ "$f" = "$src/src/kernels_gen.c" ] && continue
    o="$work/obj/lib_$(basename "$f" .c).o"
    compile "$o" "$f" -DCLRS_BUILDING -pthread
    lib_objs="$lib_objs $o"
done
compile "$work/obj/npy.o" "$src/tools/npy.c"
have_image=no
if [ -f "$src/tools/image.c" ]; then
    compile "$work/obj/image.o" "$src/tools/image.c"
    have_image=yes
fi
compile "$work/obj/fuzz_util.o" "$here/fuzz_util.c"

pass=0
fail=0
for h in $harnesses; do
    case $h in
    npy) objs="$work/obj/npy.o $work/obj/lib_status.o" ;;
    image)
        if [ "$have_image" != yes ]; then
            echo "fuzz image: SKIPPED: tools/image.c not present"
            continue
        fi
        objs="$work/obj/image.o" ;;
    ops) objs="$lib_objs" ;;
    *) echo "fuzz: unknown harness '$h'" >&2; fail=$((fail + 1)); continue ;;
    esac
    compile "$work/obj/fuzz_$h.o" "$here/fuzz_$h.c"
    # shellcheck disable=SC2086
    $CC $san -fsanitize=fuzzer -o "$work/fuzz_$h" "$work/obj/fuzz_$h.o" "$work/obj/fuzz_util.o" $objs $libs ||
        { echo "fuzz: linking fuzz_$h failed" >&2; exit 2; }

    # a fresh working corpus: seeds plus regression inputs
    corpus="$work/corpus-$h"
    rm -rf "$corpus"
    mkdir -p "$corpus"
    cp "$here/corpus/$h"/* "$corpus"/ 2>/dev/null
    [ -d "$here/regressions/$h" ] && cp "$here/regressions/$h"/* "$corpus"/ 2>/dev/null
    nseeds=$(find "$corpus" -type f | wc -l | tr -d ' ')
    log="$work/fuzz_$h.log"
    case $h in
    ops) maxlen=512 ;;
    *) maxlen=16384 ;;
    esac
    echo "== fuzz $h: $nseeds seed input(s), $secs s"
    # LeakSanitizer's StopTheWorld tracer now and then dies of its own
    # SIGSEGV ("Tracer caught signal 11 ... LeakSanitizer has encountered a
    # fatal error", google/sanitizers#1353: an intermittent sanitizer fault
    # with many threads, not a finding); such a run is repeated once, from
    # the corpus it left. Any other failure, or the same one twice, fails.
    start=$(date +%s)
    tries=0
    while :; do
        tries=$((tries + 1))
        LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/.ci/suppressions/lsan.supp:print_suppressions=0} \
        ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1} \
        UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        CLRS_CACHE_DIR=${CLRS_CACHE_DIR:-$work/clcache} \
            "$work/fuzz_$h" -max_total_time="$secs" -timeout=60 -rss_limit_mb=8192 -max_len=$maxlen \
            -print_final_stats=1 -artifact_prefix="$work/artifacts/$h-" "$corpus" >"$log" 2>&1
        rc=$?
        [ "$rc" -ne 0 ] && [ "$tries" -lt 2 ] && grep -q '^Tracer caught signal' "$log" &&
            grep -q 'LeakSanitizer has encountered a fatal error' "$log" || break
        echo "fuzz $h: LeakSanitizer's tracer crashed (exit $rc; google/sanitizers#1353), not a finding: running again once"
        grep -E '^Tracer caught signal|^stat::number_of_executed_units' "$log" | sed "s/^/fuzz $h: first run: /"
        cp "$log" "$log.first"
        rm -f "$work/artifacts/$h-"*
    done
    end=$(date +%s)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ncorp=$(find "$corpus" -type f | wc -l | tr -d ' ')
    if [ "$rc" -eq 0 ]; then
        pass=$((pass + 1))
        echo "fuzz $h: ${execs:-?} executions in $((end - start)) s, coverage ${cov:-?} edges, corpus $nseeds -> $ncorp, no crash"
    else
        fail=$((fail + 1))
        echo "fuzz $h: FAILED (exit $rc) after ${execs:-?} executions; last lines of $log:"
        grep -v '^#[0-9]' "$log" | tail -n 40
        # the reason on one line, and each artifact in hex, so that a CI log
        # (possibly cut) is enough to reproduce the failure elsewhere
        why=$(grep -m 1 -E 'BUG:|ERROR: |runtime error:|SUMMARY: |out-of-memory|timeout' "$log")
        echo "fuzz $h: reason: ${why:-exit $rc, see $log}"
        for a in "$work/artifacts/$h-"*; do
            [ -e "$a" ] || continue
            echo "artifact: $a ($(wc -c <"$a" | tr -d ' ') bytes; first 1024 in hex:)"
            od -An -tx1 -v -N 1024 "$a" | sed 's/^/artifact-hex:/'
        done
        echo "reproduce: $work/fuzz_$h $work/artifacts/$h-crash-<sha1>"
    fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
