/* SPDX-License-Identifier: MIT */
/* atomicfile.h — write an output file safely.
 *
 * What OUT is decides how it is written:
 *  - "-": standard output, written directly (never closed or replaced).
 *  - an existing device, FIFO or other non-regular file (or a symbolic link
 *    to one): opened O_WRONLY (no O_CREAT, no O_TRUNC) and written directly;
 *    it is never replaced. Opening a FIFO blocks until a reader opens it,
 *    exactly like a shell's `> fifo` (a signal still ends the wait). A socket
 *    cannot be opened and is an error; so is a directory.
 *  - a regular file, or a name that does not exist yet: the bytes go to a new
 *    temporary file with a short name (".clrs-XXXXXXXX", O_EXCL) in the same
 *    directory, which is fsync'ed and rename()d over OUT; the directory is
 *    fsync'ed afterwards (best effort). An existing OUT's permission bits
 *    (and, where allowed, owner and group) are given to the new file; a new
 *    file gets 0666 & ~umask. A failed or interrupted write leaves OUT as it
 *    was and no temporary file.
 *  - a symbolic link to a regular file: written through — the temporary is
 *    made beside the link's final target, which is replaced; the link stays.
 *    A dangling symbolic link is refused (it is never created through).
 *
 * While a temporary exists its name is registered in a fixed table; after
 * atomic_file_install_signal_cleanup(), SIGINT, SIGTERM, SIGHUP and SIGPIPE
 * remove every registered temporary (async-signal-safe: unlink only), and the
 * signal is then re-raised with its default action. Signals that were ignored
 * when it was called stay ignored.
 *
 *   atomic_file af;
 *   if (atomic_file_open(&af, path, err, errlen) != 0) return -1;
 *   int ok = write(af.fd, ...) ...;        // set err yourself when ok == 0
 *   return atomic_file_finish(&af, ok, err, errlen);
 *
 * Two files that must change together: open both, write both, then
 * atomic_file_close() both (fsync + close) and atomic_file_commit() both
 * (rename); atomic_file_abort() drops one at any point before its commit.
 *
 * Header only: with GCC or Clang every includer emits the functions and the
 * temporary table as weak definitions and the linker keeps one of each, so a
 * program has one table (and one signal handler) whichever of its sources
 * opened a file. Other compilers: exactly one source file defines
 * ATOMIC_FILE_IMPLEMENTATION before including this (tools/npy.c does).
 * Includers need _XOPEN_SOURCE >= 500 (realpath) or an equivalent, and
 * _POSIX_C_SOURCE >= 200809L, before any system header. */
#ifndef CLRS_TOOLS_ATOMICFILE_H
#define CLRS_TOOLS_ATOMICFILE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <fcntl.h>
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif
#ifndef O_NOCTTY
#define O_NOCTTY 0
#endif

typedef struct atomic_file {
    int fd;            /* where to write */
    int direct;        /* 1: fd is OUT itself (stdout, a device, a FIFO): no temporary */
    int close_fd;      /* fd is ours to close (not stdout) */
    int slot;          /* index in the temporary table, or -1 */
    char *tmp;         /* the temporary's name (NULL when direct) */
    char *target;      /* what the temporary replaces: OUT, or a symlink's target */
    const char *path;  /* OUT as given (for messages) */
} atomic_file;

/* Prepares writing `path` (see above). 0 on success; -1 with `err` set. */
int atomic_file_open(atomic_file *af, const char *path, char *err, size_t errlen);
/* fsync (regular files) and close. When !ok, or when that fails, the
 * temporary is removed (0 returned only when ok and all went well); `err` is
 * left as the caller set it when !ok. */
int atomic_file_close(atomic_file *af, int ok, char *err, size_t errlen);
/* After a successful atomic_file_close: rename the temporary over its target
 * (nothing to do when direct). 0, or -1 with err set (temporary removed). */
int atomic_file_commit(atomic_file *af, char *err, size_t errlen);
/* Drops the write: closes, removes the temporary. Safe after close/commit. */
void atomic_file_abort(atomic_file *af);
/* atomic_file_close then atomic_file_commit. */
int atomic_file_finish(atomic_file *af, int ok, char *err, size_t errlen);
/* Installs the SIGINT/SIGTERM/SIGHUP/SIGPIPE handler (once per process). */
void atomic_file_install_signal_cleanup(void);

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

#if defined(__GNUC__) || defined(__clang__)
#define ATOMIC_FILE_WEAK __attribute__((weak))
#ifndef ATOMIC_FILE_IMPLEMENTATION
#define ATOMIC_FILE_IMPLEMENTATION
#endif
#else
#define ATOMIC_FILE_WEAK
#endif

#ifdef ATOMIC_FILE_IMPLEMENTATION

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#if !defined(__STDC_NO_ATOMICS__)
#include <stdatomic.h>
#endif

/* The temporary table: a name is copied in before its `used` flag is set,
 * and the flag cleared (with the signals blocked) when it is renamed or
 * removed, so the handler only ever sees complete names. */
#define ATOMIC_FILE_SLOTS 8
#define ATOMIC_FILE_NAME_MAX 4096
ATOMIC_FILE_WEAK char atomic_file_names[ATOMIC_FILE_SLOTS][ATOMIC_FILE_NAME_MAX];
ATOMIC_FILE_WEAK volatile sig_atomic_t atomic_file_used[ATOMIC_FILE_SLOTS];
static const int atomic_file_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
#define ATOMIC_FILE_NSIGNALS (int)(sizeof atomic_file_signals / sizeof atomic_file_signals[0])

static void atomic_file_on_signal(int sig)
{
    int saved = errno;
    for (int i = 0; i < ATOMIC_FILE_SLOTS; i++)
        if (atomic_file_used[i]) {
            (void)unlink(atomic_file_names[i]);
            atomic_file_used[i] = 0;
        }
    /* SA_RESETHAND restored the default action; the re-raised signal is
     * delivered when the handler returns (it is blocked until then). */
    (void)raise(sig);
    errno = saved;
}

ATOMIC_FILE_WEAK void atomic_file_install_signal_cleanup(void)
{
    static int installed;
    if (installed) return;
    installed = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = atomic_file_on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < ATOMIC_FILE_NSIGNALS; i++) sigaddset(&sa.sa_mask, atomic_file_signals[i]);
    for (int i = 0; i < ATOMIC_FILE_NSIGNALS; i++) {
        struct sigaction old;
        if (sigaction(atomic_file_signals[i], NULL, &old) != 0) continue;
        if (old.sa_handler == SIG_IGN) continue; /* nohup, or a parent ignoring SIGPIPE */
        (void)sigaction(atomic_file_signals[i], &sa, NULL);
    }
}

static void atomic_file_block(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < ATOMIC_FILE_NSIGNALS; i++) sigaddset(&set, atomic_file_signals[i]);
    (void)sigprocmask(SIG_BLOCK, &set, old);
}

static void atomic_file_unblock(const sigset_t *old) { (void)sigprocmask(SIG_SETMASK, old, NULL); }

/* Registers a temporary's name; the slot, or -1 when the table is full. */
static int atomic_file_register(const char *name)
{
    if (strlen(name) >= ATOMIC_FILE_NAME_MAX) return -1;
    sigset_t old;
    atomic_file_block(&old);
    int slot = -1;
    for (int i = 0; i < ATOMIC_FILE_SLOTS; i++)
        if (!atomic_file_used[i]) {
            memcpy(atomic_file_names[i], name, strlen(name) + 1);
            atomic_file_used[i] = 1;
            slot = i;
            break;
        }
    atomic_file_unblock(&old);
    return slot;
}

static unsigned atomic_file_counter(void)
{
#if !defined(__STDC_NO_ATOMICS__)
    static atomic_uint counter;
    return atomic_fetch_add(&counter, 1u);
#else
    static unsigned counter;
    return counter++;
#endif
}

/* The directory part of `path` ("." when none), malloc'ed. */
static char *atomic_file_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    while (slash > path && slash[-1] == '/') slash--;
    if (slash == path) return strdup("/");
    size_t n = (size_t)(slash - path);
    char *dir = (char *)malloc(n + 1);
    if (dir) {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return dir;
}

/* Best effort: make the rename durable. */
static void atomic_file_sync_dir(const char *path)
{
    char *dir = atomic_file_dirname(path);
    if (!dir) return;
    int fd = open(dir, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

static void atomic_file_reset(atomic_file *af, const char *path)
{
    af->fd = -1;
    af->direct = 0;
    af->close_fd = 0;
    af->slot = -1;
    af->tmp = NULL;
    af->target = NULL;
    af->path = path;
}

/* OUT exists and is not a regular file: write to it in place. */
static int atomic_file_open_direct(atomic_file *af, const char *path, const struct stat *st,
                                   char *err, size_t errlen)
{
    if (S_ISDIR(st->st_mode)) {
        atomic_file_err(err, errlen, "%s: is a directory", path);
        return -1;
    }
    if (S_ISSOCK(st->st_mode)) {
        atomic_file_err(err, errlen, "%s: is a socket; cannot write to it", path);
        return -1;
    }
    int fd;
    do
        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY); /* a FIFO waits for its reader */
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        atomic_file_err(err, errlen, "%s: cannot open for writing: %s", path, strerror(errno));
        return -1;
    }
    struct stat now;
    if (fstat(fd, &now) != 0 || S_ISREG(now.st_mode) || S_ISDIR(now.st_mode)) {
        /* Replaced by a regular file since the stat: writing without O_TRUNC
         * would leave old bytes behind. */
        close(fd);
        atomic_file_err(err, errlen, "%s: changed while being opened; not written", path);
        return -1;
    }
    af->fd = fd;
    af->direct = 1;
    af->close_fd = 1;
    return 0;
}

ATOMIC_FILE_WEAK int atomic_file_open(atomic_file *af, const char *path, char *err, size_t errlen)
{
    atomic_file_reset(af, path);
    if (!path || !*path) {
        atomic_file_err(err, errlen, "no output file name given");
        return -1;
    }
    if (!strcmp(path, "-")) {
        af->fd = STDOUT_FILENO;
        af->direct = 1;
        return 0;
    }
    if (path[strlen(path) - 1] == '/') {
        atomic_file_err(err, errlen, "%s: is a directory name, not a file name", path);
        return -1;
    }
    struct stat lst, st;
    int have_old = 0;
    if (lstat(path, &lst) == 0) {
        if (stat(path, &st) != 0) {
            if (S_ISLNK(lst.st_mode) && errno == ENOENT) {
                atomic_file_err(err, errlen,
                                "%s: is a symbolic link to a file that does not exist; not "
                                "creating a file through it",
                                path);
                return -1;
            }
            atomic_file_err(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
            return -1;
        }
        if (!S_ISREG(st.st_mode)) return atomic_file_open_direct(af, path, &st, err, errlen);
        have_old = 1;
        if (S_ISLNK(lst.st_mode)) {
            af->target = realpath(path, NULL); /* write through: replace the link's target */
            if (!af->target) {
                atomic_file_err(err, errlen, "%s: cannot resolve the symbolic link: %s", path,
                                strerror(errno));
                return -1;
            }
        }
    } else if (errno != ENOENT) {
        atomic_file_err(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
        return -1;
    }
    if (!af->target) af->target = strdup(path);
    char *dir = af->target ? atomic_file_dirname(af->target) : NULL;
    size_t tlen = dir ? strlen(dir) + 32 : 0;
    af->tmp = dir ? (char *)malloc(tlen) : NULL;
    if (!af->tmp) {
        atomic_file_err(err, errlen, "%s: out of memory", path);
        free(dir);
        free(af->target);
        af->target = NULL;
        return -1;
    }
    uint64_t mix = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16) ^ (uint64_t)(uintptr_t)af;
    for (int attempt = 0; attempt < 100; attempt++) {
        mix = mix * 6364136223846793005ull + 1442695040888963407ull + atomic_file_counter();
        snprintf(af->tmp, tlen, "%s/.clrs-%08lx", dir, (unsigned long)((mix >> 24) & 0xffffffffu));
        /* The slot is taken before the file exists: a signal in between
         * unlinks a name that is not there yet, which is harmless. */
        af->slot = atomic_file_register(af->tmp);
        do
            af->fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666);
        while (af->fd < 0 && errno == EINTR);
        if (af->fd >= 0) break;
        int e = errno;
        if (af->slot >= 0) atomic_file_used[af->slot] = 0;
        af->slot = -1;
        errno = e;
        if (errno != EEXIST) break;
    }
    free(dir);
    if (af->fd < 0) {
        atomic_file_err(err, errlen, "%s: cannot create temporary file in its directory: %s",
                        path, strerror(errno));
        free(af->tmp);
        free(af->target);
        af->tmp = af->target = NULL;
        return -1;
    }
    af->close_fd = 1;
    if (have_old) {
        /* Keep OUT's owner (root only, in effect) and permission bits; chown
         * first, as it clears set-id bits. Failures are not fatal. */
        struct stat now;
        if (fstat(af->fd, &now) == 0 && (now.st_uid != st.st_uid || now.st_gid != st.st_gid) &&
            fchown(af->fd, st.st_uid, st.st_gid) != 0) {
            /* not fatal (a cast to void does not silence glibc's
             * warn_unused_result under -D_FORTIFY_SOURCE, e.g. Debian's
             * hardening flags) */
        }
        if (fchmod(af->fd, st.st_mode & 07777) != 0 && errno != EPERM) {
            atomic_file_err(err, errlen, "%s: cannot set the mode of temporary file '%s': %s",
                            path, af->tmp, strerror(errno));
            atomic_file_abort(af);
            return -1;
        }
    }
    return 0;
}

/* Unregister and unlink the temporary (signals blocked: no double unlink of
 * a name that another file might take meanwhile). */
static void atomic_file_drop_tmp(atomic_file *af)
{
    if (!af->tmp) return;
    sigset_t old;
    atomic_file_block(&old);
    (void)unlink(af->tmp);
    if (af->slot >= 0) atomic_file_used[af->slot] = 0;
    af->slot = -1;
    atomic_file_unblock(&old);
}

static void atomic_file_free(atomic_file *af)
{
    free(af->tmp);
    free(af->target);
    af->tmp = af->target = NULL;
}

ATOMIC_FILE_WEAK int atomic_file_close(atomic_file *af, int ok, char *err, size_t errlen)
{
    if (af->fd >= 0 && ok) {
        struct stat st;
        /* fsync regular files only: pipes and most devices refuse it. */
        if (fstat(af->fd, &st) == 0 && S_ISREG(st.st_mode) && fsync(af->fd) != 0) {
            if (af->tmp)
                atomic_file_err(err, errlen, "%s: fsync of temporary file '%s' failed: %s",
                                af->path, af->tmp, strerror(errno));
            else
                atomic_file_err(err, errlen, "%s: fsync failed: %s", af->path, strerror(errno));
            ok = 0;
        }
    }
    if (af->fd >= 0 && af->close_fd && close(af->fd) != 0 && ok) {
        atomic_file_err(err, errlen, "%s: close failed: %s", af->path, strerror(errno));
        ok = 0;
    }
    af->fd = -1;
    af->close_fd = 0;
    if (!ok) {
        atomic_file_drop_tmp(af);
        atomic_file_free(af);
        return -1;
    }
    return 0;
}

ATOMIC_FILE_WEAK int atomic_file_commit(atomic_file *af, char *err, size_t errlen)
{
    if (!af->tmp) return 0; /* direct: already written */
    sigset_t old;
    atomic_file_block(&old);
    int rc = rename(af->tmp, af->target);
    int e = errno;
    if (rc != 0) (void)unlink(af->tmp);
    if (af->slot >= 0) atomic_file_used[af->slot] = 0;
    af->slot = -1;
    atomic_file_unblock(&old);
    if (rc != 0) {
        atomic_file_err(err, errlen, "%s: cannot rename temporary file '%s' over it: %s", af->path,
                        af->tmp, strerror(e));
        atomic_file_free(af);
        return -1;
    }
    atomic_file_sync_dir(af->target);
    atomic_file_free(af);
    return 0;
}

ATOMIC_FILE_WEAK void atomic_file_abort(atomic_file *af)
{
    if (af->fd >= 0 && af->close_fd) close(af->fd);
    af->fd = -1;
    af->close_fd = 0;
    atomic_file_drop_tmp(af);
    atomic_file_free(af);
}

ATOMIC_FILE_WEAK int atomic_file_finish(atomic_file *af, int ok, char *err, size_t errlen)
{
    if (atomic_file_close(af, ok, err, errlen) != 0) return -1;
    return atomic_file_commit(af, err, errlen);
}

#endif /* ATOMIC_FILE_IMPLEMENTATION */
#endif
