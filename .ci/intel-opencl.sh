#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# CI, second vendor: Intel's OpenCL CPU runtime from PyPI. Installs it into
# a venv, runs the whole `make check` on it (PoCL hidden, so every test,
# shell suites included, can only use Intel's device; none may skip), then
# compares both devices on a fixed list of CLI calls (tests/cross_device.sh).
# Called by .ci/run after the PoCL `make check`, in a built tree.
#
# Recipe (also for a developer's machine; as root or with a writable VENV):
#   python3 -m venv VENV
#   VENV/bin/pip install intel-opencl-rt==V intel-cmplr-lib-rt==V  (same V:
#     the runtime needs libsvml/libimf/libirng/libintlc from the second
#     package but does not declare it; both land in VENV/lib)
#   an .icd file holding VENV/lib/libintelocl.so in a directory named by
#   OCL_ICD_VENDORS (the wheel's own .icd files hold an unexpanded
#   placeholder path). Never put VENV/lib on LD_LIBRARY_PATH: it holds
#   Intel's own libOpenCL.so.1, which would replace the ICD loader
#   (libintelocl.so finds its sibling libraries through its RUNPATH).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${CLRS_INTEL_VENV:-/opt/intel-ocl}
VERSION=${CLRS_INTEL_OPENCL_VERSION:-2026.2.0}

echo "== Intel OpenCL CPU runtime $VERSION (PyPI) into $VENV [+$(( $(date +%s) - ${CI_T0:-$(date +%s)} )) s]"
t0=$(date +%s)
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get install -y -q --no-install-recommends python3-venv
fi
[ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check \
    "intel-opencl-rt==$VERSION" "intel-cmplr-lib-rt==$VERSION"
lib="$VENV/lib/libintelocl.so"
[ -f "$lib" ] || lib=$(find "$VENV" -name libintelocl.so -print -quit)
[ -n "$lib" ] && [ -f "$lib" ] || { echo "libintelocl.so not found under $VENV"; exit 1; }
# Intel alone (the test run) and Intel beside the system's drivers (the
# comparison)
only="$VENV/vendors-intel" all="$VENV/vendors-all"
mkdir -p "$only" "$all"
echo "$lib" >"$only/intel-cpu.icd"
cp "$only/intel-cpu.icd" "$all/"
cp /etc/OpenCL/vendors/*.icd "$all/"
echo "(installed in $(($(date +%s) - t0)) s)"
OCL_ICD_VENDORS=$all clinfo -l || true
OCL_ICD_VENDORS=$only ./clresample devices

echo "== make check on Intel's runtime (PoCL hidden) [+$(( $(date +%s) - ${CI_T0:-$(date +%s)} )) s]"
DEV='Intel:CPU:'
t0=$(date +%s)
status=0
# its own binary cache (TESTS_ENVIRONMENT comes after AM_TESTS_ENVIRONMENT).
# test_threads: 60 calls per thread instead of 300: it builds every program
# from source while another thread keeps dropping the program cache, and
# Intel's compiler, serialised on this platform (src/quirks.c), takes about
# 1.8 s a call there (300 calls: 9 minutes; 60: about 2); 20 were enough to
# crash the unserialised build.
rm -rf test-cache-intel
OCL_ICD_VENDORS=$only CLRS_DEVICE=$DEV CLRS_TEST_THREAD_CALLS=60 make -j"$(nproc)" check VERBOSE=1 \
    TESTS_ENVIRONMENT="CLRS_CACHE_DIR='$PWD/test-cache-intel'; export CLRS_CACHE_DIR;" || status=$?
echo "(make check on Intel: $(($(date +%s) - t0)) s)"
echo "== Check summaries (Intel) [+$(( $(date +%s) - ${CI_T0:-$(date +%s)} )) s]"
for log in $(find tests -name '*.log' | sort); do
    echo "--- $log"
    grep -E '^# device:' "$log" | sort -u | head -n 2 || true
    grep -E '^[0-9]+%: Checks|passed, [0-9]+ failed|^(ok|not ok) ' "$log" | tail -n 5 || true
done
sed -n '1,12p' test-suite.log 2>/dev/null || true
# every C suite must have run on Intel's device, none on another
if grep -h '^# device:' tests/*.log | grep -v "on 'Intel(R) OpenCL'"; then
    echo "a suite ran on a device other than Intel's"; status=1
fi
if grep -q '^# SKIP: *[1-9]' test-suite.log 2>/dev/null; then
    echo "CI must not skip OpenCL tests:"; grep -l 'SKIP' tests/*.trs || true
    status=1
fi
rm -rf test-cache-intel
[ "$status" -eq 0 ] || { echo "make check on Intel's runtime failed"; exit "$status"; }

echo "== cross-device: PoCL vs Intel on the same CLI calls [+$(( $(date +%s) - ${CI_T0:-$(date +%s)} )) s]"
xcache=$(mktemp -d /tmp/clrs-xdev-cache.XXXXXX)
OCL_ICD_VENDORS=$all CLRS_CACHE_DIR=$xcache bash tests/cross_device.sh 'Portable:CPU:' "$DEV" ./clresample || status=$?
rm -rf "$xcache"
exit "$status"
