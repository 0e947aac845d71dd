## SPDX-License-Identifier: MIT
## bench/bench.mk — benchmark programs (included by Makefile.am)
##
## bench/clresample-bench: the standalone benchmark (bench/bench.c with its
## own main under CLRS_BENCH_STANDALONE); `clresample bench` runs the same
## clrs_bench_main(). Not installed. See bench/README.md.
noinst_PROGRAMS += bench/clresample-bench
bench_clresample_bench_SOURCES = bench/bench.c bench/bench.h
bench_clresample_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/bench $(OPENCL_CFLAGS) -DCLRS_BENCH_STANDALONE
bench_clresample_bench_LDADD = src/libclresample.la $(OPENCL_LIBS) -lm

EXTRA_DIST += bench/README.md bench/compare_peers.py
