## SPDX-License-Identifier: MIT
## tests/reliability.mk — sanitizer, fuzz and robustness checks (included by Makefile.am)
##
## Check programs added to `make check`:
##   tests/test_robust   bad input through the API (a table of cases), device
##                       memory exhaustion, memory flat over 10,000 calls,
##                       tensors of more than 2^31 elements, two processes
##                       filling one cache directory, every kernel variant on
##                       small shapes (the oclgrind pass runs this one)
##   tests/test_threads  8 threads on one context vs a single-threaded run
##   tests/test_errors_cli.sh  bad input through the CLI
##   tests/fuzz/replay_*  the fuzz harnesses replaying their seed corpora and
##                       every regression input (tests/fuzz/regressions)
## The sanitizer build, ThreadSanitizer, oclgrind, the libFuzzer runs and
## cppcheck are driven by .ci/reliability.sh (and tests/fuzz/run.sh).

check_PROGRAMS += tests/test_robust tests/test_threads \
	tests/fuzz/replay_npy tests/fuzz/replay_image tests/fuzz/replay_ops

tests_test_robust_SOURCES = tests/test_robust.c tests/testutil.c tests/testutil.h \
	tests/ref/ref.c tests/ref/ref.h tools/npy.c tools/npy.h
tests_test_robust_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_robust_LDADD = $(TEST_LIBS)

tests_test_threads_SOURCES = tests/test_threads.c tests/testutil.c tests/testutil.h
tests_test_threads_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_threads_LDADD = $(TEST_LIBS)

FUZZ_COMMON = tests/fuzz/replay_main.c tests/fuzz/fuzz_util.c tests/fuzz/fuzz.h
FUZZ_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/tests/fuzz
tests_fuzz_replay_npy_SOURCES = $(FUZZ_COMMON) tests/fuzz/fuzz_npy.c tools/npy.c tools/npy.h
tests_fuzz_replay_npy_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_replay_npy_LDADD = src/libclrs_core.la $(OPENCL_LIBS) -lm
tests_fuzz_replay_image_SOURCES = $(FUZZ_COMMON) tests/fuzz/fuzz_image.c tools/image.c tools/image.h
tests_fuzz_replay_image_CPPFLAGS = $(FUZZ_CPPFLAGS) $(LIBPNG_CFLAGS)
tests_fuzz_replay_image_LDADD = $(LIBPNG_LIBS) -lm
tests_fuzz_replay_ops_SOURCES = $(FUZZ_COMMON) tests/fuzz/fuzz_ops.c
tests_fuzz_replay_ops_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_replay_ops_LDADD = $(TEST_LIBS)

dist_check_SCRIPTS += tests/test_errors_cli.sh

EXTRA_DIST += tests/fuzz/corpus tests/fuzz/regressions tests/fuzz/run.sh tests/fuzz/make_seeds.py \
	.ci/reliability.sh .ci/suppressions
