/* SPDX-License-Identifier: MIT */
/* Shared declarations of the fuzz harnesses (tests/fuzz/fuzz_*.c).
 *
 * Each harness defines LLVMFuzzerTestOneInput. It is built two ways:
 *  - by tests/fuzz/run.sh with clang -fsanitize=fuzzer,address,undefined,
 *    for a bounded libFuzzer run from the committed seed corpus;
 *  - by `make check` with the normal compiler and tests/fuzz/replay_main.c,
 *    which replays the seed corpus and every regression input (inputs that
 *    once crashed) so a fixed crash stays fixed without clang.
 * A harness reports a bug by calling fuzz_fail(), which traps: libFuzzer
 * then saves the input as crash-<sha1>. */
#ifndef CLRS_FUZZ_H
#define CLRS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The corpus subdirectory of this harness ("npy", "image", "ops"). */
extern const char fuzz_name[];

/* Print "fuzz_<name>: BUG: ..." and trap (SIGILL). */
void fuzz_fail(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;

/* A read-only file holding data (a memfd where available, else an unlinked
 * temporary file): returns its path "/proc/self/fd/N" in path and the fd
 * (close it when done), or -1. */
int fuzz_data_file(const uint8_t *data, size_t size, char *path, size_t pathlen);

/* A byte stream with defaults past its end (0), for structured inputs. */
typedef struct fuzz_stream {
    const uint8_t *p;
    size_t n, i;
} fuzz_stream;

static inline uint8_t fz_u8(fuzz_stream *f) { return f->i < f->n ? f->p[f->i++] : 0; }

/* An int64 that is mostly small, sometimes one of the values that break
 * arithmetic (0, -1, 2^31, 2^32, 2^62, INT64_MAX, INT64_MIN, ...). */
static inline int64_t fz_int(fuzz_stream *f)
{
    static const int64_t special[16] = {0, -1, 1, 2, INT64_MAX, INT64_MIN, (int64_t)1 << 31,
                                        ((int64_t)1 << 31) + 1, (int64_t)1 << 32, (int64_t)1 << 62,
                                        3037000500LL, 46341, -2, INT32_MAX, (int64_t)1 << 40, 65536};
    uint8_t v = fz_u8(f);
    if (v < 128) return (int64_t)(v % 16) - 2; /* -2..13 */
    if (v < 240) return (int64_t)(v - 128);     /* 0..111 */
    return special[v - 240];
}

/* A double: small multiples of 1/8, special values, or raw bits. */
static inline double fz_real(fuzz_stream *f)
{
    static const double special[16] = {0.0, -0.0, -1.0, 1e-300, 1e300, 0.5, 1.5, 2.0, 3.0,
                                       1.0 / 3.0, 1e-9, 4.9e-324, 1.7976931348623157e308, 0.999999,
                                       1e18, 123456.789};
    uint8_t v = fz_u8(f);
    if (v < 64) return v / 8.0;
    if (v < 128) {
        unsigned k = (unsigned)(v - 64) % 20;
        if (k == 16) return __builtin_nan("");
        if (k == 17) return __builtin_inf();
        if (k == 18) return -__builtin_inf();
        if (k == 19) return -0.5;
        return special[k];
    }
    union {
        uint64_t u;
        double d;
    } b = {0};
    for (int i = 0; i < 8; i++) b.u = (b.u << 8) | fz_u8(f);
    return b.d;
}

#endif
