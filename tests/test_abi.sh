#!/bin/sh
# SPDX-License-Identifier: MIT
# ABI check: the shared library exports only clrs_* symbols.
lib="${CLRS_LIBDIR:-src/.libs}/libclresample.so"
[ -f "$lib" ] || { echo "not ok - $lib not built"; echo "0 passed, 1 failed"; exit 1; }
bad=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^clrs_' | grep -v '^$')
count=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -c '^clrs_')
if [ -n "$bad" ]; then
    echo "not ok - exported symbols outside clrs_*: $bad"
    echo "0 passed, 1 failed"
    exit 1
fi
echo "ok - $count exported symbols, all clrs_*"
internal=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -c '^clrs__')
if [ "$internal" -ne 0 ]; then
    echo "not ok - $internal internal clrs__ symbols exported"
    echo "1 passed, 1 failed"
    exit 1
fi
echo "ok - no internal clrs__ symbols exported"
echo "2 passed, 0 failed"
