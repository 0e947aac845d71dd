/* SPDX-License-Identifier: MIT */
/* bench/bench.h — the clresample benchmark (bench/bench.c).
 *
 * clrs_bench_main() is the whole benchmark: `clresample bench ...` and the
 * standalone bench/clresample-bench both call it with argv[0] = "bench"
 * (or the program name) followed by the options; `--help` lists them.
 * Returns a process exit status: 0 success, 1 a measurement failed,
 * 2 usage error. */
#ifndef CLRS_BENCH_H
#define CLRS_BENCH_H

int clrs_bench_main(int argc, char **argv);
/* `clresample tune`: times candidate tuning values, writes the tuning file. */
int clrs_tune_main(int argc, char **argv);

#endif /* CLRS_BENCH_H */
