#!/bin/sh
# SPDX-License-Identifier: MIT
# test_cache_users.sh — a second local user attacks the kernel binary cache.
#
# As root, the test creates an unprivileged user (clrs-attacker) who builds a
# poisoned kernel binary (a common.cl override that breaks every kernel) into
# a cache directory in a shared, sticky folder and into a home directory it
# controls, then lets root (the victim) run with CLRS_CACHE_DIR pointing there,
# or with HOME pointing there. The victim must refuse those directories with
# a warning naming the reason and compute the right result. Also checked: the
# victim's own cache is 0700 with a 0600 key, and an override of common.cl
# never poisons the normal cache.
#
# Automake protocol: exit 0 pass, 1 fail, 77 skip (not root, or no OpenCL
# platform; CI runs as root with PoCL, so it never skips).

CLI=${CLRESAMPLE:-./clresample}
SRC=${TEST_SRCDIR:-$(dirname "$0")}
LC_ALL=C
export LC_ALL
unset CLRS_LOG CLRS_KERNEL_DIR CLRS_CACHE_READONLY
# The victim runs with PoCL caches of its own (cold): PoCL's kernel compiler
# then leaks (.ci/suppressions/lsan.supp, entry 1), and only full allocation
# stacks name PoCL's function there. Under a sanitizer build that uses ASan's
# fast unwinding (.ci/reliability.sh), this script alone unwinds fully.
case ${ASAN_OPTIONS:-} in
*fast_unwind_on_malloc=0*) ;;
?*) ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"; export ASAN_OPTIONS ;;
esac

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: needs root to create a second local user"
    exit 77
fi
for t in useradd setpriv timeout; do
    command -v "$t" >/dev/null 2>&1 || { echo "not ok - $t is missing"; echo "0 passed, 1 failed"; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/clrs-users.XXXXXX") || exit 1
chmod 0711 "$tmp" # the attacker may traverse, not list
made_user=
cleanup() {
    rm -rf "$tmp"
    [ -n "$made_user" ] && userdel clrs-attacker 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() {
    fail=$((fail + 1))
    echo "not ok - $1"
    shift
    for _l in "$@"; do echo "#   $_l"; done
}

if ! id clrs-attacker >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin clrs-attacker || exit 1
    made_user=1
fi
auid=$(id -u clrs-attacker)
agid=$(id -g clrs-attacker)

# The input and the right answer (no cache involved).
in="$tmp/in.npy"
cp "$SRC/data/sample_1x3x4x4.npy" "$in" && chmod 0644 "$in"
victim_pocl="$tmp/victim-pocl" # PoCL's own cache, private to the victim
mkdir -m 0700 "$victim_pocl"
export POCL_CACHE_DIR="$victim_pocl"
if ! CLRS_CACHE_DIR=off "$CLI" interpolate "$in" "$tmp/want.npy" --scale 2 --mode bilinear 2>"$tmp/err"; then
    if grep -q 'OpenCL' "$tmp/err" && [ -z "$CI" ]; then
        echo "SKIP: no OpenCL platform"
        exit 77
    fi
    cat "$tmp/err"
    echo "not ok - the reference run failed"
    echo "0 passed, 1 failed"
    exit 1
fi

# The attacker's workspace, in a shared sticky folder like /tmp.
shared="$tmp/shared"
mkdir -m 1777 "$shared"
# The attacker is not the code under test: under a sanitizer build its leak
# report (PoCL's) and suppression files it cannot read are not our concern.
as_attacker() {
    setpriv --reuid="$auid" --regid="$agid" --clear-groups \
        env -u LD_PRELOAD HOME="$shared/ahome" XDG_CACHE_HOME="$shared/ahome/.cache" POCL_CACHE_DIR="$shared/ahome/pocl" \
        ASAN_OPTIONS=detect_leaks=0 LSAN_OPTIONS=detect_leaks=0 "$@"
}
as_attacker sh -c 'mkdir -p "$HOME/.cache" "$HOME/pocl" "$HOME/evil"' || exit 1
# The build tree may sit below a directory the attacker cannot enter (a
# clone under /root): the attacker then runs a copy of the CLI and library.
ACLI=$CLI
if ! as_attacker "$CLI" --version >/dev/null 2>&1; then
    abin="$tmp/abin"
    mkdir -m 0755 "$abin" "$abin/lib"
    real="$(dirname "$CLI")/.libs/$(basename "$CLI")"
    [ -f "$real" ] || real=$CLI
    cp "$real" "$abin/clresample"
    for l in "${CLRS_LIBDIR:-$(dirname "$CLI")/src/.libs}"/libclresample.so*; do
        [ -e "$l" ] && cp -P "$l" "$abin/lib/"
    done
    chmod -R a+rX "$abin"
    printf '#!/bin/sh\nLD_LIBRARY_PATH="%s/lib" exec "%s/clresample" "$@"\n' "$abin" "$abin" >"$abin/run"
    chmod 0755 "$abin/run"
    ACLI="$abin/run"
fi
if as_attacker "$ACLI" --version >/dev/null 2>&1; then
    ok "the attacker can run the CLI"
else
    not_ok "the attacker cannot run the CLI (nor a copy of it)" "$(as_attacker "$ACLI" --version 2>&1 | head -n 2)"
fi
# A poisoned common.cl: every kernel's work-items all think they are item 0.
cp "$SRC/../cl/common.cl" "$tmp/common.cl" && chmod 0644 "$tmp/common.cl"
as_attacker sh -c "cat '$tmp/common.cl' > \"\$HOME/evil/common.cl\" &&
    echo '#define get_global_id(d) ((size_t)0)' >> \"\$HOME/evil/common.cl\"" || exit 1

# The attacker fills a cache of its own with the poisoned binaries, then
# opens it to everyone, and plants a copy where the victim's default cache
# would be if the victim's HOME pointed into the shared folder.
as_attacker env CLRS_CACHE_DIR="$shared/cache" CLRS_KERNEL_DIR="$shared/ahome/evil" \
    "$ACLI" interpolate "$in" "$shared/ahome/evil.npy" --scale 2 --mode bilinear 2>/dev/null
n=$(ls "$shared/cache" 2>/dev/null | grep -c '\.clbin$')
if [ "$n" -ge 1 ]; then ok "the attacker made $n poisoned cache entries"; else not_ok "the attacker made no cache entry"; fi
if cmp -s "$shared/ahome/evil.npy" "$tmp/want.npy"; then
    not_ok "the poisoned kernel should give a wrong result (else this test proves nothing)"
else
    ok "the poisoned kernel gives a wrong result"
fi
as_attacker sh -c "chmod 0777 '$shared/cache' && chmod 0666 '$shared/cache'/* &&
    mkdir -p '$shared/vhome/.cache/clresample' && chmod -R 0777 '$shared/vhome' &&
    cp -r '$shared/cache' '$shared/vhome/.cache/clresample/clcache'" || exit 1

# victim_run NAME ENV...: root runs the same call; it must be right, must
# warn that the cache is off, and must not hang.
victim_run() {
    _name=$1
    shift
    rm -f "$tmp/got.npy"
    if ! env "$@" CLRS_LOG=warn timeout 120 "$CLI" interpolate "$in" "$tmp/got.npy" --scale 2 --mode bilinear \
        2>"$tmp/verr"; then
        not_ok "$_name: the call failed" "$(cat "$tmp/verr")"
        return
    fi
    if cmp -s "$tmp/got.npy" "$tmp/want.npy"; then
        ok "$_name: right result"
    else
        not_ok "$_name: wrong result: the attacker's binary was used"
    fi
    if grep -q 'binary cache off' "$tmp/verr"; then
        ok "$_name: warns: $(grep -m1 'binary cache off' "$tmp/verr" | sed 's/^clresample: warn: cache: //')"
    else
        not_ok "$_name: no warning that the cache is off" "$(cat "$tmp/verr")"
    fi
}
victim_run "shared CLRS_CACHE_DIR owned by another user" CLRS_CACHE_DIR="$shared/cache"
victim_run "default cache under a HOME another user controls" -u CLRS_CACHE_DIR -u XDG_CACHE_HOME HOME="$shared/vhome"
victim_run "XDG_CACHE_HOME another user controls" -u CLRS_CACHE_DIR XDG_CACHE_HOME="$shared/vhome/.cache"

# A cache directory the victim owns but left world-writable: the attacker
# plants its entries (renamed to whatever name) there.
mkdir -m 0777 "$tmp/loose"
cp "$shared/cache"/*.clbin "$tmp/loose/" 2>/dev/null
victim_run "victim's own world-writable cache directory" CLRS_CACHE_DIR="$tmp/loose"

# A symlink from the victim's cache path into the attacker's cache.
ln -s "$shared/cache" "$tmp/linked"
victim_run "cache directory reached through a symlink" CLRS_CACHE_DIR="$tmp/linked"

# The victim's own cache: private, keyed, and an override of common.cl
# (the attacker's poisoned file, given by the victim on purpose) neither
# hits nor poisons the normal entries.
mine="$tmp/mine/clcache"
CLRS_CACHE_DIR="$mine" "$CLI" interpolate "$in" "$tmp/got.npy" --scale 2 --mode bilinear 2>/dev/null
m1=$(stat -c %a "$tmp/mine" 2>/dev/null)
m2=$(stat -c %a "$mine" 2>/dev/null)
m3=$(stat -c %a "$mine/hmac.key" 2>/dev/null)
m4=$(stat -c %a "$mine"/*.clbin 2>/dev/null | sort -u | tr '\n' ' ')
if [ "$m1 $m2 $m3 $m4" = "700 700 600 600 " ]; then
    ok "own cache created 0700 with a 0600 key and 0600 entries"
else
    not_ok "own cache modes: dirs $m1 $m2, key $m3, entries $m4 (want 700 700 600 600)"
fi
cp "$shared/ahome/evil/common.cl" "$tmp/evil-common.cl"
mkdir "$tmp/evil" && cp "$tmp/evil-common.cl" "$tmp/evil/common.cl"
CLRS_CACHE_DIR="$mine" CLRS_KERNEL_DIR="$tmp/evil" "$CLI" interpolate "$in" "$tmp/evil.npy" --scale 2 \
    --mode bilinear 2>/dev/null
CLRS_CACHE_DIR="$mine" "$CLI" interpolate "$in" "$tmp/got.npy" --scale 2 --mode bilinear 2>/dev/null
if cmp -s "$tmp/evil.npy" "$tmp/want.npy"; then
    not_ok "the common.cl override was served from the normal cache entry"
else
    ok "a common.cl override is compiled, not served from the normal entry"
fi
if cmp -s "$tmp/got.npy" "$tmp/want.npy"; then
    ok "a common.cl override does not poison the normal cache"
else
    not_ok "after a common.cl override, plain runs return the override's results"
fi
if CLRS_CACHE_DIR="$mine" "$CLI" cache verify | grep -q '^[1-9][0-9]* good, 0 bad'; then
    ok "cache verify: $(CLRS_CACHE_DIR="$mine" "$CLI" cache verify)"
else
    not_ok "cache verify did not find the entries good" "$(CLRS_CACHE_DIR="$mine" "$CLI" cache verify 2>&1)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
