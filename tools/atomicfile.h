/* atomicfile.h — write a file atomically: a new temporary file beside it
 * (O_EXCL, unique name), fsync, rename over the target, fsync the directory.
 * A failed or interrupted write leaves no output file and no temporary file.
 * Shared by the .npy writer (npy.c) and the image writers (image.c); header
 * only, so that every program linking either gets it without a new source.
 *
 *   atomic_file af;
 *   if (atomic_file_open(&af, path, err, errlen) != 0) return -1;
 *   int ok = write(af.fd, ...) ...;        // set err yourself when ok == 0
 *   return atomic_file_finish(&af, ok, err, errlen);
 *
 * The caller needs _POSIX_C_SOURCE >= 200809L before any system header. */
#ifndef CLRS_TOOLS_ATOMICFILE_H
#define CLRS_TOOLS_ATOMICFILE_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if !defined(__STDC_NO_ATOMICS__)
#include <stdatomic.h>
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif
#ifndef O_NOCTTY
#define O_NOCTTY 0
#endif

typedef struct {
    int fd;         /* the temporary file, open for writing */
    char *tmp;      /* its name */
    const char *path; /* the target */
} atomic_file;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static inline void atomic_file_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    if (n < 0) err[0] = '\0';
    for (char *p = err; *p; p++) /* one line whatever the name contains */
        if (*p == '\n' || *p == '\r') *p = '?';
}

static inline unsigned atomic_file_counter(void)
{
#if !defined(__STDC_NO_ATOMICS__)
    static atomic_uint counter;
    return atomic_fetch_add(&counter, 1u);
#else
    static unsigned counter;
    return counter++;
#endif
}

/* Best effort: make the rename durable. */
static inline void atomic_file_sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    if (!slash) {
        dir = strdup(".");
    } else if (slash == path) {
        dir = strdup("/");
    } else {
        size_t n = (size_t)(slash - path);
        dir = (char *)malloc(n + 1);
        if (dir) {
            memcpy(dir, path, n);
            dir[n] = '\0';
        }
    }
    if (!dir) return;
    int fd = open(dir, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Creates the temporary file for `path` (which must name a file, not end in
 * '/'). 0 on success; -1 with `err` set otherwise. */
static inline int atomic_file_open(atomic_file *af, const char *path, char *err, size_t errlen)
{
    af->fd = -1;
    af->path = path;
    size_t tlen = strlen(path) + 64;
    af->tmp = (char *)malloc(tlen);
    if (!af->tmp) {
        atomic_file_err(err, errlen, "%s: out of memory", path);
        return -1;
    }
    unsigned long stamp = (unsigned long)time(NULL);
    for (int attempt = 0; attempt < 1000; attempt++) {
        snprintf(af->tmp, tlen, "%s.tmp.%ld.%lx.%u", path, (long)getpid(), stamp, atomic_file_counter());
        do
            af->fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666);
        while (af->fd < 0 && errno == EINTR);
        if (af->fd >= 0 || errno != EEXIST) break;
    }
    if (af->fd < 0) {
        atomic_file_err(err, errlen, "%s: cannot create temporary file '%s': %s", path, af->tmp, strerror(errno));
        free(af->tmp);
        af->tmp = NULL;
        return -1;
    }
    return 0;
}

/* Ends the write: when `ok` (everything was written), fsync, close and
 * rename the temporary file over the target; otherwise (or when one of
 * those fails) remove it. `err` is left as the caller set it when !ok.
 * 0 when the target now holds the new content, -1 otherwise. */
static inline int atomic_file_finish(atomic_file *af, int ok, char *err, size_t errlen)
{
    if (ok && fsync(af->fd) != 0) {
        atomic_file_err(err, errlen, "%s: fsync of temporary file '%s' failed: %s", af->path, af->tmp,
                        strerror(errno));
        ok = 0;
    }
    if (close(af->fd) != 0 && ok) {
        atomic_file_err(err, errlen, "%s: closing temporary file '%s' failed: %s", af->path, af->tmp,
                        strerror(errno));
        ok = 0;
    }
    af->fd = -1;
    if (ok && rename(af->tmp, af->path) != 0) {
        atomic_file_err(err, errlen, "%s: cannot rename temporary file '%s' over it: %s", af->path, af->tmp,
                        strerror(errno));
        ok = 0;
    }
    if (!ok) (void)unlink(af->tmp);
    free(af->tmp);
    af->tmp = NULL;
    if (!ok) return -1;
    atomic_file_sync_dir(af->path);
    return 0;
}

#endif
