/* SPDX-License-Identifier: MIT */
/* Helpers shared by the fuzz harnesses. */
#define _GNU_SOURCE 1
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz_%s: BUG: ", fuzz_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fflush(stderr);
    __builtin_trap(); /* SIGILL: libFuzzer saves the input as crash-<sha1> */
}

int fuzz_data_file(const uint8_t *data, size_t size, char *path, size_t pathlen)
{
    int fd = -1;
#ifdef MFD_CLOEXEC
    fd = memfd_create("fuzz-input", MFD_CLOEXEC);
#endif
    if (fd < 0) {
        char tmpl[] = "/tmp/clrs-fuzz-XXXXXX";
        fd = mkstemp(tmpl);
        if (fd < 0) return -1;
        unlink(tmpl);
    }
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    snprintf(path, pathlen, "/proc/self/fd/%d", fd);
    return fd;
}
