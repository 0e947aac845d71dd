/* SPDX-License-Identifier: MIT */
/* The on-disk cache of OpenCL program binaries (CLRS_CACHE_DIR).
 *
 * A program binary becomes native code inside the calling process (on PoCL
 * it carries LLVM bitcode and shared objects), so an entry is trusted only
 * when nobody but this user could have written it:
 *  - the cache directory is reached from "/" one component at a time with
 *    O_NOFOLLOW|O_DIRECTORY (no symlinks anywhere); every component above it
 *    is owned by root or this user and is not writable by group or others
 *    unless it is sticky (/tmp); the cache directory itself is owned by this
 *    user and not writable by group or others. Missing directories are made
 *    0700. Any failure turns the cache off for the process, with one warning
 *    naming the reason. The directory stays open: later opens are relative
 *    to that descriptor, never to a path that could be swapped.
 *  - an entry is a regular file owned by this user, not group/other
 *    writable, opened O_NOFOLLOW|O_NONBLOCK (a FIFO cannot block us),
 *    checked with fstat and size-bounded before it is read;
 *  - its content is bound to this user and this exact key by an
 *    HMAC-SHA-256 under a 32-byte secret kept 0600 in the cache directory
 *    (created on first use). An entry failing any check is a miss and never
 *    reaches the OpenCL runtime.
 * Files are written 0600 under a short random name and renamed into place.
 * The directory is capped (CLRS_CACHE_MAX_MB, default 256): after each
 * store the least recently used entries (by mtime, refreshed on every hit)
 * are removed until the total fits. */
#define _GNU_SOURCE /* O_PATH, S_ISVTX, getrandom */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* Directories above the cache need only search (x) permission: open them
 * for lookups only where the system allows it. */
#if defined(O_PATH)
#define DIR_WALK_FLAGS O_PATH
#elif defined(O_SEARCH)
#define DIR_WALK_FLAGS O_SEARCH
#else
#define DIR_WALK_FLAGS O_RDONLY
#endif

#define CACHE_MAGIC "CLRSBIN2"
#define CACHE_FORMAT 2u
#define SECRET_NAME "hmac.key"
#define SECRET_LEN 32
#define ENTRY_SUFFIX ".clbin"
#define TMP_PREFIX ".tmp-"
#define MAX_PATH_LEN 3800 /* longer CLRS_CACHE_DIR / HOME values are refused, not cut */
#define DEFAULT_MAX_MB 256
#define MAX_ENTRY_BYTES ((uint64_t)256 << 20)

struct cache_header {
    char magic[8];
    uint32_t format;
    uint32_t key_len;
    uint64_t bin_len;
};

static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t evict_lock = PTHREAD_MUTEX_INITIALIZER;
static char cache_dir[MAX_PATH_LEN + 64];
static char off_reason[MAX_PATH_LEN + 256];
static int cache_fd = -1;
static int cache_readonly;
static uint64_t cache_max_bytes = (uint64_t)DEFAULT_MAX_MB << 20;
static unsigned char secret[SECRET_LEN];

static void cache_off(const char *fmt, ...) CLRS_PRINTF(1, 2);
static void cache_off(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(off_reason, sizeof off_reason, fmt, ap);
    va_end(ap);
    clrs__log(CLRS_LOG_WARN, "cache", "binary cache off: %s", off_reason);
    if (cache_fd >= 0) close(cache_fd);
    cache_fd = -1;
    cache_dir[0] = '\0';
}

static int read_full(int fd, void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t r = read(fd, p, len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        p += r, len -= (size_t)r;
    }
    return 0;
}

static int write_full(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w, len -= (size_t)w;
    }
    return 0;
}

static int random_bytes(void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t r = getrandom(p, len, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        p += r, len -= (size_t)r;
    }
    return 0;
}

/* A new 0600 file in the cache directory under a short random name. */
static int create_temp(char name[32])
{
    for (int attempt = 0; attempt < 16; attempt++) {
        unsigned char r[8];
        char hex[17];
        if (random_bytes(r, sizeof r) != 0) return -1;
        clrs__hex(r, sizeof r, hex);
        snprintf(name, 32, TMP_PREFIX "%s", hex);
        int fd = openat(cache_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    return -1;
}

/* Why a file under the cache may not be trusted; NULL when it may. */
static const char *untrusted_file(const struct stat *st, uint64_t max_size)
{
    if (!S_ISREG(st->st_mode)) return "not a regular file";
    if (st->st_uid != geteuid()) return "owned by another user";
    if (st->st_mode & (S_IWGRP | S_IWOTH)) return "writable by group or others";
    if ((uint64_t)st->st_size > max_size) return "larger than the cache allows";
    return NULL;
}

/* Open `name` in the cache directory for reading, only if trustworthy. */
static int open_trusted(const char *name, uint64_t max_size, struct stat *st, const char **why)
{
    int fd = openat(cache_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        *why = errno == ELOOP ? "a symbolic link" : strerror(errno);
        return -1;
    }
    if (fstat(fd, st) != 0 || (*why = untrusted_file(st, max_size)) != NULL) {
        if (*why == NULL) *why = strerror(errno);
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads the secret, or creates it (when writable). 0 on success. */
static int load_secret(void)
{
    struct stat st;
    const char *why = NULL;
    int fd = open_trusted(SECRET_NAME, SECRET_LEN, &st, &why);
    if (fd < 0 && errno == ENOENT && !cache_readonly) {
        unsigned char fresh[SECRET_LEN];
        char tmp[32];
        int tfd = create_temp(tmp);
        if (tfd < 0 || random_bytes(fresh, sizeof fresh) != 0 || write_full(tfd, fresh, sizeof fresh) != 0 ||
            fsync(tfd) != 0) {
            if (tfd >= 0) {
                close(tfd);
                unlinkat(cache_fd, tmp, 0);
            }
            cache_off("cannot create the cache key %s/%s: %s", cache_dir, SECRET_NAME, strerror(errno));
            return -1;
        }
        close(tfd);
        /* link() fails with EEXIST when another process made one first: use theirs. */
        if (linkat(cache_fd, tmp, cache_fd, SECRET_NAME, 0) != 0 && errno != EEXIST) {
            unlinkat(cache_fd, tmp, 0);
            cache_off("cannot create the cache key %s/%s: %s", cache_dir, SECRET_NAME, strerror(errno));
            return -1;
        }
        unlinkat(cache_fd, tmp, 0);
        fd = open_trusted(SECRET_NAME, SECRET_LEN, &st, &why);
    }
    if (fd < 0) {
        cache_off("the cache key %s/%s is unusable (%s)", cache_dir, SECRET_NAME,
                  why ? why : strerror(errno));
        return -1;
    }
    int ok = (st.st_mode & 077) == 0 && st.st_size == SECRET_LEN && read_full(fd, secret, SECRET_LEN) == 0;
    close(fd);
    if (!ok) {
        cache_off("the cache key %s/%s is unusable (%s)", cache_dir, SECRET_NAME,
                  (st.st_mode & 077) ? "readable by group or others" : "not 32 bytes");
        return -1;
    }
    return 0;
}

/* Walks the absolute `path` from "/" without following symlinks, creating
 * missing directories 0700 unless read-only; returns the final directory's
 * descriptor or -1 (cache_off called). */
static int open_dir_chain(const char *path)
{
    char buf[MAX_PATH_LEN + 64];
    snprintf(buf, sizeof buf, "%s", path);
    int fd = open("/", DIR_WALK_FLAGS | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        cache_off("cannot open /: %s", strerror(errno));
        return -1;
    }
    uid_t me = geteuid();
    char *save = NULL;
    char *comp = strtok_r(buf + 1, "/", &save);
    char shown[MAX_PATH_LEN + 64] = "";
    size_t shown_len = 0;
    while (comp != NULL) {
        char *next = strtok_r(NULL, "/", &save);
        int last = next == NULL;
        int w = snprintf(shown + shown_len, sizeof shown - shown_len, "/%s", comp);
        if (w > 0) shown_len += (size_t)w;
        if (strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0) {
            close(fd);
            cache_off("the cache path %s contains '%s'", path, comp);
            return -1;
        }
        int flags = (last ? O_RDONLY : DIR_WALK_FLAGS) | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
        int nfd = openat(fd, comp, flags);
        if (nfd < 0 && errno == ENOENT && !cache_readonly) {
            if (mkdirat(fd, comp, 0700) != 0 && errno != EEXIST) {
                int e = errno;
                close(fd);
                cache_off("cannot create %s: %s", shown, strerror(e));
                return -1;
            }
            nfd = openat(fd, comp, flags);
        }
        int e = errno;
        close(fd);
        if (nfd < 0) {
            cache_off("%s %s", shown,
                      (e == ELOOP || e == ENOTDIR) ? "is a symbolic link or not a directory" : strerror(e));
            return -1;
        }
        struct stat st;
        if (fstat(nfd, &st) != 0) {
            close(nfd);
            cache_off("cannot stat %s: %s", shown, strerror(errno));
            return -1;
        }
        const char *why = NULL;
        if (last) {
            if (st.st_uid != me)
                why = "is owned by another user";
            else if (st.st_mode & (S_IWGRP | S_IWOTH))
                why = "is writable by group or others";
        } else if (st.st_uid != me && st.st_uid != 0) {
            why = "is owned by another user";
        } else if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
            why = "is writable by group or others and not sticky";
        }
        if (why != NULL) {
            close(nfd);
            cache_off("%s %s (uid %ld, mode %04o)", shown, why, (long)st.st_uid, (unsigned)(st.st_mode & 07777));
            return -1;
        }
        fd = nfd;
        comp = next;
    }
    return fd;
}

static void cache_init(void)
{
    const char *v = clrs__getenv("CLRS_CACHE_DIR");
    const char *ro = clrs__getenv("CLRS_CACHE_READONLY");
    cache_readonly = ro != NULL && strcmp(ro, "0") != 0;
    const char *mb = clrs__getenv("CLRS_CACHE_MAX_MB");
    if (mb != NULL) {
        char *end = NULL;
        errno = 0;
        unsigned long long m = strtoull(mb, &end, 10);
        if (errno != 0 || end == mb || *end != '\0' || mb[0] == '-' || m == 0 || m > (1ull << 40))
            clrs__log(CLRS_LOG_WARN, "cache", "ignoring CLRS_CACHE_MAX_MB=%s (want a whole number of MiB, 1 to 2^40); using %d",
                      mb, DEFAULT_MAX_MB);
        else
            cache_max_bytes = (uint64_t)m << 20;
    }
    if (v != NULL && (strcmp(v, "0") == 0 || strcmp(v, "off") == 0 || strcmp(v, "disabled") == 0)) {
        snprintf(off_reason, sizeof off_reason, "disabled by CLRS_CACHE_DIR=%s", v);
        clrs__log(CLRS_LOG_INFO, "cache", "binary cache %s", off_reason);
        return;
    }
    char path[MAX_PATH_LEN + 64];
    if (v != NULL && strcmp(v, "1") != 0 && strcmp(v, "default") != 0) {
        if (strlen(v) > MAX_PATH_LEN) {
            cache_off("CLRS_CACHE_DIR is %zu bytes long (at most %d)", strlen(v), MAX_PATH_LEN);
            return;
        }
        snprintf(path, sizeof path, "%s", v);
    } else {
        const char *xdg = clrs__getenv("XDG_CACHE_HOME");
        const char *home = clrs__getenv("HOME");
        const char *base = xdg ? xdg : home;
        if (base == NULL) {
            snprintf(off_reason, sizeof off_reason, "neither XDG_CACHE_HOME nor HOME is set");
            clrs__log(CLRS_LOG_INFO, "cache", "binary cache off: %s", off_reason);
            return;
        }
        if (strlen(base) > MAX_PATH_LEN - 32) {
            cache_off("%s is %zu bytes long (at most %d)", xdg ? "XDG_CACHE_HOME" : "HOME", strlen(base),
                      MAX_PATH_LEN - 32);
            return;
        }
        snprintf(path, sizeof path, "%s%s", base, xdg ? "/clresample/clcache" : "/.cache/clresample/clcache");
    }
    if (path[0] != '/') { /* relative to the working directory, resolved once */
        char cwd[MAX_PATH_LEN];
        if (getcwd(cwd, sizeof cwd) == NULL || strlen(cwd) + 1 + strlen(path) > MAX_PATH_LEN) {
            cache_off("cannot resolve the relative cache directory %s", path);
            return;
        }
        size_t cl = strlen(cwd), pl = strlen(path);
        memmove(path + cl + 1, path, pl + 1);
        memcpy(path, cwd, cl);
        path[cl] = '/';
    }
    memcpy(cache_dir, path, strlen(path) + 1);
    cache_fd = open_dir_chain(path);
    if (cache_fd < 0) return;
    if (load_secret() != 0) return;
    clrs__log(CLRS_LOG_INFO, "cache", "binary cache in %s%s, at most %llu MiB", cache_dir,
              cache_readonly ? " (read-only)" : "", (unsigned long long)(cache_max_bytes >> 20));
}

const char *clrs__binary_cache_dir(void)
{
    pthread_once(&cache_once, cache_init);
    return cache_dir;
}

const char *clrs_cache_dir(void) { return clrs__binary_cache_dir(); }

static void entry_name(const char *key, size_t klen, char name[80])
{
    unsigned char h[32];
    char hex[65];
    clrs__sha256(key, klen, h);
    clrs__hex(h, sizeof h, hex);
    snprintf(name, 80, "%s" ENTRY_SUFFIX, hex);
}

static void entry_mac(const struct cache_header *h, const void *key, const void *bin, unsigned char mac[32])
{
    clrs_hmac_sha256 m;
    clrs__hmac_sha256_init(&m, secret, sizeof secret);
    clrs__hmac_sha256_update(&m, h, sizeof *h);
    clrs__hmac_sha256_update(&m, key, h->key_len);
    clrs__hmac_sha256_update(&m, bin, h->bin_len);
    clrs__hmac_sha256_final(&m, mac);
}

static uint64_t max_entry_bytes(void)
{
    return cache_max_bytes < MAX_ENTRY_BYTES ? cache_max_bytes : MAX_ENTRY_BYTES;
}

/* Reads and checks the entry `name`; with key == NULL, any key. Returns the
 * malloc'ed file content (binary at *bin_off) or NULL with *why set. */
static unsigned char *read_entry(const char *name, const char *key, size_t klen, size_t *bin_off,
                                 size_t *bin_len, const char **why)
{
    struct stat st;
    int fd = open_trusted(name, max_entry_bytes(), &st, why);
    if (fd < 0) return NULL;
    size_t size = (size_t)st.st_size;
    unsigned char *buf = NULL;
    struct cache_header h;
    *why = "truncated or malformed";
    if (size < sizeof h + 32) goto bad;
    buf = malloc(size);
    if (buf == NULL) {
        *why = "out of memory";
        goto bad;
    }
    if (read_full(fd, buf, size) != 0) {
        *why = "unreadable";
        goto bad;
    }
    memcpy(&h, buf, sizeof h);
    if (memcmp(h.magic, CACHE_MAGIC, 8) != 0 || h.format != CACHE_FORMAT) {
        *why = "not a clresample cache entry of this format";
        goto bad;
    }
    if (h.bin_len == 0 || h.key_len > size || h.bin_len > size ||
        (uint64_t)sizeof h + h.key_len + h.bin_len + 32 != (uint64_t)size)
        goto bad;
    if (key != NULL && (h.key_len != klen || memcmp(buf + sizeof h, key, klen) != 0)) {
        *why = "made for another key";
        goto bad;
    }
    unsigned char mac[32];
    entry_mac(&h, buf + sizeof h, buf + sizeof h + h.key_len, mac);
    if (!clrs__ct_equal(mac, buf + size - 32, 32)) {
        *why = "its HMAC does not match (tampered with, or written under another key)";
        goto bad;
    }
    if (!cache_readonly) (void)futimens(fd, NULL); /* most recently used */
    close(fd);
    *bin_off = sizeof h + h.key_len;
    *bin_len = (size_t)h.bin_len;
    return buf;
bad:
    free(buf);
    close(fd);
    return NULL;
}

unsigned char *clrs__disk_cache_load(const char *key, size_t klen, size_t *len)
{
    if (clrs__binary_cache_dir()[0] == '\0') return NULL;
    char name[80];
    entry_name(key, klen, name);
    const char *why = NULL;
    size_t off = 0, blen = 0;
    unsigned char *buf = read_entry(name, key, klen, &off, &blen, &why);
    if (buf == NULL) {
        if (errno == ENOENT)
            clrs__log(CLRS_LOG_DEBUG, "cache", "MISS %s/%s", cache_dir, name);
        else
            clrs__log(CLRS_LOG_WARN, "cache", "MISS %s/%s: ignoring the entry: %s", cache_dir, name, why);
        return NULL;
    }
    memmove(buf, buf + off, blen);
    *len = blen;
    return buf;
}

typedef struct {
    char name[80];
    uint64_t size;
    struct timespec used;
} entry_stat;

static int cmp_used(const void *a, const void *b)
{
    const struct timespec *x = &((const entry_stat *)a)->used, *y = &((const entry_stat *)b)->used;
    if (x->tv_sec != y->tv_sec) return x->tv_sec < y->tv_sec ? -1 : 1;
    return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

static int has_suffix(const char *s, const char *suf)
{
    size_t l = strlen(s), n = strlen(suf);
    return l > n && strcmp(s + l - n, suf) == 0;
}

/* Lists the entries (regular *.clbin files); removes temporaries older than
 * an hour (left by a killed process) when `sweep`. */
static entry_stat *list_entries(size_t *count, uint64_t *total, int sweep)
{
    *count = 0;
    *total = 0;
    int dfd = dup(cache_fd);
    if (dfd < 0) return NULL;
    DIR *d = fdopendir(dfd);
    if (d == NULL) {
        close(dfd);
        return NULL;
    }
    rewinddir(d);
    entry_stat *v = NULL;
    size_t n = 0, cap = 0;
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (fstatat(cache_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) {
            if (sweep && S_ISREG(st.st_mode) && st.st_uid == geteuid() && now - st.st_mtime > 3600)
                unlinkat(cache_fd, e->d_name, 0);
            continue;
        }
        size_t nlen = strlen(e->d_name);
        if (!has_suffix(e->d_name, ENTRY_SUFFIX) || nlen >= sizeof v->name) continue;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 64;
            entry_stat *nv = realloc(v, ncap * sizeof *nv);
            if (nv == NULL) break;
            v = nv;
            cap = ncap;
        }
        memcpy(v[n].name, e->d_name, nlen + 1); /* fits: checked above */
        v[n].size = (uint64_t)st.st_size;
        v[n].used = st.st_mtim;
        *total += v[n].size;
        n++;
    }
    closedir(d);
    *count = n;
    return v;
}

static void evict(void)
{
    pthread_mutex_lock(&evict_lock);
    size_t n = 0;
    uint64_t total = 0;
    entry_stat *v = list_entries(&n, &total, 1);
    if (total > cache_max_bytes && v != NULL) {
        qsort(v, n, sizeof *v, cmp_used);
        for (size_t i = 0; i < n && total > cache_max_bytes; i++) {
            if (unlinkat(cache_fd, v[i].name, 0) == 0) {
                total -= v[i].size;
                clrs__log(CLRS_LOG_DEBUG, "cache", "EVICT %s/%s", cache_dir, v[i].name);
            }
        }
    }
    free(v);
    pthread_mutex_unlock(&evict_lock);
}

void clrs__disk_cache_store(const char *key, size_t klen, const unsigned char *bin, size_t len)
{
    if (clrs__binary_cache_dir()[0] == '\0' || cache_readonly) return;
    struct cache_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, CACHE_MAGIC, 8);
    h.format = CACHE_FORMAT;
    h.key_len = (uint32_t)klen;
    h.bin_len = len;
    if ((uint64_t)sizeof h + klen + len + 32 > max_entry_bytes()) {
        clrs__log(CLRS_LOG_DEBUG, "cache", "not saving a %zu-byte binary: over the cache's entry limit", len);
        return;
    }
    unsigned char mac[32];
    entry_mac(&h, key, bin, mac);
    char name[80], tmp[32];
    entry_name(key, klen, name);
    int fd = create_temp(tmp);
    if (fd < 0) {
        clrs__log(CLRS_LOG_DEBUG, "cache", "cannot write in %s: %s", cache_dir, strerror(errno));
        return;
    }
    int ok = write_full(fd, &h, sizeof h) == 0 && write_full(fd, key, klen) == 0 && write_full(fd, bin, len) == 0 &&
             write_full(fd, mac, sizeof mac) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || renameat(cache_fd, tmp, cache_fd, name) != 0) {
        unlinkat(cache_fd, tmp, 0);
        clrs__log(CLRS_LOG_DEBUG, "cache", "could not save %s/%s", cache_dir, name);
        return;
    }
    clrs__log(CLRS_LOG_DEBUG, "cache", "SAVE %s/%s", cache_dir, name);
    evict();
}

/* ---- public inspection ---------------------------------------------------- */
clrs_status clrs_cache_stats(clrs_cache_info *info)
{
    clrs__clear_error(NULL);
    if (info == NULL) return clrs__fail(NULL, CLRS_ERR_INVALID_ARG, "clrs_cache_stats: info is NULL");
    memset(info, 0, sizeof *info);
    info->dir = clrs__binary_cache_dir();
    info->enabled = cache_dir[0] != '\0';
    info->readonly = cache_readonly;
    info->max_bytes = cache_max_bytes;
    info->off_reason = info->enabled ? "" : off_reason;
    if (!info->enabled) return CLRS_OK;
    size_t n = 0;
    uint64_t total = 0;
    free(list_entries(&n, &total, 0));
    info->entries = n;
    info->bytes = total;
    return CLRS_OK;
}

clrs_status clrs_cache_clear_disk(uint64_t *removed)
{
    clrs__clear_error(NULL);
    if (removed) *removed = 0;
    if (clrs__binary_cache_dir()[0] == '\0')
        return clrs__fail(NULL, CLRS_ERR_UNSUPPORTED, "the binary cache is off: %s", off_reason);
    if (cache_readonly) return clrs__fail(NULL, CLRS_ERR_UNSUPPORTED, "the binary cache is read-only (CLRS_CACHE_READONLY)");
    pthread_mutex_lock(&evict_lock);
    size_t n = 0;
    uint64_t total = 0;
    entry_stat *v = list_entries(&n, &total, 1);
    for (size_t i = 0; i < n; i++)
        if (unlinkat(cache_fd, v[i].name, 0) == 0 && removed) (*removed)++;
    free(v);
    pthread_mutex_unlock(&evict_lock);
    return CLRS_OK;
}

clrs_status clrs_cache_verify(uint64_t *good, uint64_t *bad)
{
    clrs__clear_error(NULL);
    if (good) *good = 0;
    if (bad) *bad = 0;
    if (clrs__binary_cache_dir()[0] == '\0')
        return clrs__fail(NULL, CLRS_ERR_UNSUPPORTED, "the binary cache is off: %s", off_reason);
    pthread_mutex_lock(&evict_lock);
    size_t n = 0;
    uint64_t total = 0;
    entry_stat *v = list_entries(&n, &total, 0);
    for (size_t i = 0; i < n; i++) {
        const char *why = NULL;
        size_t off = 0, blen = 0;
        unsigned char *buf = read_entry(v[i].name, NULL, 0, &off, &blen, &why);
        int ok = buf != NULL;
        if (ok) { /* the name must be the hash of the key it holds */
            char want[80];
            entry_name((const char *)buf + sizeof(struct cache_header), off - sizeof(struct cache_header), want);
            ok = strcmp(want, v[i].name) == 0;
            if (!ok) why = "stored under another key's name";
        }
        free(buf);
        if (ok) {
            if (good) (*good)++;
            continue;
        }
        if (bad) (*bad)++;
        clrs__log(CLRS_LOG_WARN, "cache", "bad entry %s/%s: %s%s", cache_dir, v[i].name, why,
                  cache_readonly ? "" : "; removed");
        if (!cache_readonly) unlinkat(cache_fd, v[i].name, 0);
    }
    free(v);
    pthread_mutex_unlock(&evict_lock);
    return CLRS_OK;
}

/* ---- small side files (tuning files) -------------------------------------- */
char *clrs__cache_read_small(const char *name, size_t max, const char **why)
{
    *why = NULL;
    if (clrs__binary_cache_dir()[0] == '\0') {
        *why = "the cache directory is off";
        return NULL;
    }
    struct stat st;
    int fd = open_trusted(name, max, &st, why);
    if (fd < 0) return NULL;
    char *buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL || read_full(fd, buf, (size_t)st.st_size) != 0) {
        *why = buf == NULL ? "out of memory" : "short read";
        free(buf);
        close(fd);
        return NULL;
    }
    close(fd);
    buf[st.st_size] = '\0';
    return buf;
}

int clrs__cache_write_small(const char *name, const void *data, size_t len, const char **why)
{
    *why = NULL;
    if (clrs__binary_cache_dir()[0] == '\0') {
        *why = "the cache directory is off";
        return -1;
    }
    if (cache_readonly) {
        *why = "the cache is read-only (CLRS_CACHE_READONLY)";
        return -1;
    }
    char tmp[32];
    int fd = create_temp(tmp);
    if (fd < 0) {
        *why = strerror(errno);
        return -1;
    }
    int ok = write_full(fd, data, len) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || renameat(cache_fd, tmp, cache_fd, name) != 0) {
        *why = strerror(errno);
        unlinkat(cache_fd, tmp, 0);
        return -1;
    }
    return 0;
}
