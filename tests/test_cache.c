/* SPDX-License-Identifier: MIT */
/* Program caches: the on-disk binary cache cold, warm, corrupted, foreign,
 * unwritable and off; its trust checks (ownership, permissions, symlinks,
 * FIFOs, HMAC, key coverage), LRU cap and inspection API; the in-memory
 * cache of failed builds. Each test runs in its own process (Check's fork
 * mode), so each reads the environment afresh. The attacks by a second local
 * user are in tests/test_cache_users.sh. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "internal.h"

static char dir[256];
static int hits, misses, saves;

static void log_cb(clrs_log_level lvl, const char *cat, const char *msg, void *user)
{
    (void)lvl;
    (void)user;
    if (strcmp(cat, "cache") != 0) return;
    if (strncmp(msg, "HIT", 3) == 0) hits++;
    if (strncmp(msg, "MISS", 4) == 0) misses++;
    if (strncmp(msg, "SAVE", 4) == 0) saves++;
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/clrs-cache-test-%ld", (long)getpid());
    setenv("CLRS_CACHE_DIR", dir, 1);
    setenv("CLRS_LOG", "debug,cache", 1);
    clrs_set_log_callback(log_cb, NULL);
}

static void teardown(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* Run one nearest interpolation in a fresh process; returns 0 when the
 * result is right; reports the cache events through a pipe. */
static int run_child(int *h, int *m, int *s)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        alarm(120); /* a cache file that blocks the reader (a FIFO) must not hang us */
        hits = misses = saves = 0;
        clrs_context *ctx = NULL;
        if (clrs_context_create(&ctx, NULL) != CLRS_OK) _exit(3);
        int64_t isz[4] = {1, 2, 3, 3}, osz[4] = {1, 2, 6, 6};
        clrs_tensor_desc in, out;
        clrs_tensor_desc_contiguous(&in, CLRS_F32, 4, isz);
        clrs_tensor_desc_contiguous(&out, CLRS_F32, 4, osz);
        clrs_interpolate_params p;
        clrs_interpolate_params_init(&p);
        p.n_scale = 1;
        p.scale[0] = 2;
        float src[18], dst[72];
        for (int i = 0; i < 18; i++) src[i] = (float)i;
        int bad = clrs_interpolate(ctx, &p, &in, src, &out, dst) != CLRS_OK;
        for (int c = 0; c < 2 && !bad; c++)
            for (int y = 0; y < 6; y++)
                for (int x = 0; x < 6; x++)
                    if (dst[c * 36 + y * 6 + x] != src[c * 9 + (y / 2) * 3 + x / 2]) bad = 1;
        clrs_context_release(ctx);
        int ev[3] = {hits, misses, saves};
        if (write(fds[1], ev, sizeof ev) != sizeof ev) _exit(4);
        _exit(bad ? 1 : 0);
    }
    close(fds[1]);
    int ev[3] = {-1, -1, -1};
    ck_assert_int_eq(read(fds[0], ev, sizeof ev), (ssize_t)sizeof ev);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    *h = ev[0], *m = ev[1], *s = ev[2];
    return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

static int count_files(const char *suffix, char *first, size_t len)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name), sl = strlen(suffix);
        if (l > sl && strcmp(e->d_name + l - sl, suffix) == 0) {
            if (n == 0 && first) snprintf(first, len, "%s/%s", dir, e->d_name);
            n++;
        }
    }
    closedir(d);
    return n;
}

START_TEST(test_cold_then_warm)
{
    int h, m, s;
    ck_assert_int_eq(run_child(&h, &m, &s), 0);
    ck_assert_int_eq(h, 0);
    ck_assert_int_ge(m, 1);
    ck_assert_int_ge(s, 1);
    ck_assert_int_ge(count_files(".clbin", NULL, 0), 1);
    ck_assert_int_eq(run_child(&h, &m, &s), 0);
    ck_assert_int_ge(h, 1);
    ck_assert_int_eq(m, 0);
    ck_assert_int_eq(s, 0);
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) ck_assert_msg(strncmp(e->d_name, ".tmp", 4) != 0, "left %s", e->d_name);
    closedir(d);
}
END_TEST

static void rewrite_all(int mode)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strstr(e->d_name, ".clbin")) continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        FILE *f;
        if (mode == 0) { /* truncate to half */
            ck_assert_int_eq(truncate(path, st.st_size / 2), 0);
        } else if (mode == 1) { /* flip bytes near the end (inside the binary) */
            f = fopen(path, "r+b");
            fseek(f, -16, SEEK_END);
            fwrite("garbagegarbage!!", 1, 16, f);
            fclose(f);
        } else if (mode == 2) { /* a foreign file: other magic entirely */
            f = fopen(path, "wb");
            fputs("not a clresample cache file", f);
            fclose(f);
        } else { /* empty */
            f = fopen(path, "wb");
            fclose(f);
        }
    }
    closedir(d);
}

START_TEST(test_corrupted_files_are_misses)
{
    int h, m, s;
    ck_assert_int_eq(run_child(&h, &m, &s), 0);
    rewrite_all(_i);
    ck_assert_int_eq(run_child(&h, &m, &s), 0); /* still correct */
    ck_assert_int_eq(h, 0);
    ck_assert_int_ge(s, 1); /* rebuilt and saved again */
    ck_assert_int_eq(run_child(&h, &m, &s), 0);
    ck_assert_int_ge(h, 1); /* and the fresh file is good */
}
END_TEST

START_TEST(test_unwritable_and_off)
{
    int h, m, s;
    /* a cache path below a regular file cannot be created: cache off, still correct */
    char file[300];
    snprintf(file, sizeof file, "%s-file", dir);
    FILE *f = fopen(file, "w");
    fclose(f);
    char sub[400];
    snprintf(sub, sizeof sub, "%s/sub", file);
    setenv("CLRS_CACHE_DIR", sub, 1);
    ck_assert_int_eq(run_child(&h, &m, &s), 0);
    ck_assert_int_eq(h + m + s, 0);
    unlink(file);
    /* read-only mode: reads, never writes */
    setenv("CLRS_CACHE_DIR", dir, 1);
    mkdir(dir, 0755);
    setenv("CLRS_CACHE_READONLY", "1", 1);
    ck_assert_int_eq(run_child(&h, &m, &s), 0);
    ck_assert_int_eq(s, 0);
    ck_assert_int_eq(count_files(".clbin", NULL, 0), 0);
    unsetenv("CLRS_CACHE_READONLY");
    /* off */
    setenv("CLRS_CACHE_DIR", "off", 1);
    ck_assert_int_eq(run_child(&h, &m, &s), 0);
    ck_assert_int_eq(h + m + s, 0);
    ck_assert_int_eq(count_files(".clbin", NULL, 0), 0);
}
END_TEST

START_TEST(test_failed_build_is_cached_with_log)
{
    /* a kernel directory whose gather.cl (nearest) does not compile */
    char kdir[300], path[400];
    snprintf(kdir, sizeof kdir, "%s-kernels", dir);
    mkdir(kdir, 0755);
    snprintf(path, sizeof path, "%s/gather.cl", kdir);
    FILE *f = fopen(path, "w");
    fputs("__kernel void clrs_gather(__global int *x) { this does not compile; }\n", f);
    fclose(f);
    setenv("CLRS_KERNEL_DIR", kdir, 1);
    setenv("CLRS_CACHE_DIR", "off", 1);
    clrs_context *ctx = tu_context();
    int64_t isz[3] = {1, 1, 2}, osz[3] = {1, 1, 4};
    clrs_tensor_desc in, out;
    clrs_tensor_desc_contiguous(&in, CLRS_F32, 3, isz);
    clrs_tensor_desc_contiguous(&out, CLRS_F32, 3, osz);
    clrs_interpolate_params p;
    clrs_interpolate_params_init(&p);
    p.n_size = 1;
    p.size[0] = 4;
    float src[2] = {1, 2}, dst[4];
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(clrs_interpolate(ctx, &p, &in, src, &out, dst), CLRS_ERR_BUILD_FAILED);
        ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "program gather"));
        ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "build log"));
    }
    unlink(path);
    rmdir(kdir);
}
END_TEST


/* ---- hashing: FIPS 180-4 / RFC 4231 vectors ------------------------------ */
static void hex_of(const unsigned char *b, char *out) { clrs__hex(b, 32, out); }

START_TEST(test_sha256_hmac_vectors)
{
    unsigned char h[32];
    char hex[65];
    clrs__sha256("abc", 3, h);
    hex_of(h, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    clrs__sha256("", 0, h);
    hex_of(h, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    clrs__sha256(m448, strlen(m448), h);
    hex_of(h, hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* a million 'a' fed in uneven pieces: exercises the block buffering */
    clrs_sha256 c;
    clrs__sha256_init(&c);
    static char a[1000];
    memset(a, 'a', sizeof a);
    size_t done = 0;
    for (size_t piece = 1; done < 1000000; piece = piece % 997 + 1) {
        size_t n = piece < 1000000 - done ? piece : 1000000 - done;
        clrs__sha256_update(&c, a, n);
        done += n;
    }
    clrs__sha256_final(&c, h);
    hex_of(h, hex);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* RFC 4231 test cases 1, 2 and 6 (a key longer than the block) */
    clrs_hmac_sha256 m;
    unsigned char k1[20];
    memset(k1, 0x0b, sizeof k1);
    clrs__hmac_sha256_init(&m, k1, sizeof k1);
    clrs__hmac_sha256_update(&m, "Hi There", 8);
    clrs__hmac_sha256_final(&m, h);
    hex_of(h, hex);
    ck_assert_str_eq(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    clrs__hmac_sha256_init(&m, "Jefe", 4);
    clrs__hmac_sha256_update(&m, "what do ya want ", 16);
    clrs__hmac_sha256_update(&m, "for nothing?", 12);
    clrs__hmac_sha256_final(&m, h);
    hex_of(h, hex);
    ck_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    unsigned char k6[131];
    memset(k6, 0xaa, sizeof k6);
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    clrs__hmac_sha256_init(&m, k6, sizeof k6);
    clrs__hmac_sha256_update(&m, m6, strlen(m6));
    clrs__hmac_sha256_final(&m, h);
    hex_of(h, hex);
    ck_assert_str_eq(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}
END_TEST

/* ---- the store itself, without OpenCL --------------------------------------- */
static mode_t mode_of(const char *path)
{
    struct stat st;
    ck_assert_msg(lstat(path, &st) == 0, "%s: %s", path, strerror(errno));
    return st.st_mode & 07777;
}

static void store_fake(const char *key, size_t size, unsigned char fill)
{
    unsigned char *bin = malloc(size);
    ck_assert_ptr_nonnull(bin);
    memset(bin, fill, size);
    clrs__disk_cache_store(key, strlen(key), bin, size);
    free(bin);
}

/* 1 when the entry for key loads with the expected content. */
static int loads(const char *key, size_t size, unsigned char fill)
{
    size_t len = 0;
    unsigned char *bin = clrs__disk_cache_load(key, strlen(key), &len);
    int ok = bin != NULL && len == size && bin[0] == fill && bin[size - 1] == fill;
    free(bin);
    return ok;
}

static void entry_path(const char *key, char *path, size_t len)
{
    unsigned char h[32];
    char hex[65];
    clrs__sha256(key, strlen(key), h);
    clrs__hex(h, 32, hex);
    snprintf(path, len, "%s/%s.clbin", dir, hex);
}

static void pause_ms(long ms)
{
    struct timespec t = {0, ms * 1000000L};
    nanosleep(&t, NULL);
}

START_TEST(test_store_modes_and_roundtrip)
{
    /* a missing directory chain is made 0700, the key and entries 0600 */
    char sub[400];
    snprintf(sub, sizeof sub, "%s/a/b", dir);
    setenv("CLRS_CACHE_DIR", sub, 1);
    ck_assert_str_eq(clrs__binary_cache_dir(), sub);
    char p[1024];
    snprintf(p, sizeof p, "%s/a", dir);
    ck_assert_int_eq(mode_of(p), 0700);
    ck_assert_int_eq(mode_of(sub), 0700);
    snprintf(p, sizeof p, "%s/hmac.key", sub);
    ck_assert_int_eq(mode_of(p), 0600);
    store_fake("key-one", 1000, 0x5a);
    ck_assert(loads("key-one", 1000, 0x5a));
    ck_assert(!loads("key-two", 1000, 0x5a));
    DIR *d = opendir(sub);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' && (e->d_name[1] == '\0' || e->d_name[1] == '.')) continue;
        snprintf(p, sizeof p, "%s/%s", sub, e->d_name);
        ck_assert_msg(mode_of(p) == 0600, "%s has mode %o", p, mode_of(p));
        ck_assert_msg(strncmp(e->d_name, ".tmp", 4) != 0, "temporary file %s left behind", p);
        n++;
    }
    closedir(d);
    ck_assert_int_eq(n, 2); /* the key and one entry */
}
END_TEST

/* Entries that fail a check are misses; _i picks the tampering. */
START_TEST(test_tampered_entries_are_misses)
{
    mkdir(dir, 0700);
    ck_assert_str_eq(clrs__binary_cache_dir(), dir);
    store_fake("victim-key", 4096, 0x11);
    ck_assert(loads("victim-key", 4096, 0x11));
    char path[600], other[700];
    entry_path("victim-key", path, sizeof path);
    snprintf(other, sizeof other, "%s.elsewhere", path);
    switch (_i) {
    case 0: { /* payload changed, header intact (an unkeyed checksum would be recomputed) */
        int fd = open(path, O_WRONLY);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(pwrite(fd, "\x66", 1, 1000), 1);
        close(fd);
        break;
    }
    case 1: { /* payload changed and the MAC recomputed under a key other than ours */
        FILE *f = fopen(path, "r+b");
        ck_assert_ptr_nonnull(f);
        static unsigned char buf[8192];
        size_t n = fread(buf, 1, sizeof buf, f);
        ck_assert_uint_gt(n, 32);
        buf[n - 100] ^= 0xff;
        clrs_hmac_sha256 m;
        clrs__hmac_sha256_init(&m, "an attacker's own key", 21);
        clrs__hmac_sha256_update(&m, buf, n - 32);
        clrs__hmac_sha256_final(&m, buf + n - 32);
        rewind(f);
        ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
        fclose(f);
        break;
    }
    case 2: /* group- and world-writable entry */
        ck_assert_int_eq(chmod(path, 0666), 0);
        break;
    case 3: /* a symlink to a perfectly valid entry */
        ck_assert_int_eq(rename(path, other), 0);
        ck_assert_int_eq(symlink(other, path), 0);
        break;
    case 4: /* a FIFO: must neither block nor be read */
        ck_assert_int_eq(unlink(path), 0);
        ck_assert_int_eq(mkfifo(path, 0600), 0);
        break;
    case 5: { /* a crafted huge length in the header */
        int fd = open(path, O_WRONLY);
        uint64_t huge = ~0ull;
        ck_assert_int_eq(pwrite(fd, &huge, sizeof huge, 16), (ssize_t)sizeof huge);
        close(fd);
        break;
    }
    case 6: /* a directory */
        ck_assert_int_eq(unlink(path), 0);
        ck_assert_int_eq(mkdir(path, 0700), 0);
        break;
    case 7: /* owned by another user (needs root to arrange) */
        if (geteuid() != 0) return;
        ck_assert_int_eq(chown(path, 12345, 12345), 0);
        break;
    }
    alarm(20);
    ck_assert(!loads("victim-key", 4096, 0x11));
    alarm(0);
}
END_TEST

/* A directory others could write to, or reached through a symlink, turns
 * the cache off: nothing is read from it or written to it. */
START_TEST(test_untrusted_directories_turn_the_cache_off)
{
    char target[400], link[400];
    snprintf(target, sizeof target, "%s/real", dir);
    snprintf(link, sizeof link, "%s/link", dir);
    mkdir(dir, 0700);
    mkdir(target, 0700);
    clrs_cache_info ci;
    switch (_i) {
    case 0: /* world-writable cache directory */
        ck_assert_int_eq(chmod(target, 0777), 0);
        setenv("CLRS_CACHE_DIR", target, 1);
        break;
    case 1: /* group-writable */
        ck_assert_int_eq(chmod(target, 0770), 0);
        setenv("CLRS_CACHE_DIR", target, 1);
        break;
    case 2: /* the cache directory is a symlink */
        ck_assert_int_eq(symlink(target, link), 0);
        setenv("CLRS_CACHE_DIR", link, 1);
        break;
    case 3: { /* a symlink higher up the path */
        ck_assert_int_eq(symlink(dir, link), 0);
        char via[600];
        snprintf(via, sizeof via, "%s/real", link);
        setenv("CLRS_CACHE_DIR", via, 1);
        break;
    }
    case 4: { /* a world-writable, non-sticky directory higher up */
        char below[600];
        snprintf(below, sizeof below, "%s/sub", target);
        ck_assert_int_eq(chmod(target, 0777), 0);
        setenv("CLRS_CACHE_DIR", below, 1);
        break;
    }
    case 5: { /* an over-long value is refused, not truncated */
        static char longdir[5000];
        memset(longdir, 'x', sizeof longdir - 1);
        longdir[0] = '/';
        setenv("CLRS_CACHE_DIR", longdir, 1);
        break;
    }
    case 6: /* the secret key readable by others */
        setenv("CLRS_CACHE_DIR", target, 1);
        {
            char key[600];
            snprintf(key, sizeof key, "%s/hmac.key", target);
            FILE *f = fopen(key, "w");
            fputs("0123456789abcdef0123456789abcdef", f);
            fclose(f);
            ck_assert_int_eq(chmod(key, 0644), 0);
        }
        break;
    case 7: /* cache directory owned by another user (needs root) */
        if (geteuid() != 0) return;
        ck_assert_int_eq(chown(target, 12345, 12345), 0);
        setenv("CLRS_CACHE_DIR", target, 1);
        break;
    }
    ck_assert_str_eq(clrs__binary_cache_dir(), "");
    ck_assert_int_eq(clrs_cache_stats(&ci), CLRS_OK);
    ck_assert_int_eq(ci.enabled, 0);
    ck_assert_msg(ci.off_reason[0] != '\0', "no reason given");
    store_fake("k", 100, 1); /* a no-op */
    DIR *d = opendir(target);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL)
        ck_assert_msg(strstr(e->d_name, ".clbin") == NULL && strncmp(e->d_name, ".tmp", 4) != 0,
                      "wrote %s into an untrusted directory", e->d_name);
    if (d) closedir(d);
}
END_TEST

START_TEST(test_sticky_parent_is_fine)
{
    /* /tmp-like parent: world-writable but sticky; our own 0700 child is trusted */
    mkdir(dir, 0700);
    ck_assert_int_eq(chmod(dir, 01777), 0);
    char sub[400];
    snprintf(sub, sizeof sub, "%s/mine", dir);
    setenv("CLRS_CACHE_DIR", sub, 1);
    ck_assert_str_eq(clrs__binary_cache_dir(), sub);
}
END_TEST

START_TEST(test_lru_cap)
{
    setenv("CLRS_CACHE_MAX_MB", "1", 1);
    mkdir(dir, 0700);
    const size_t sz = 300 * 1024;
    store_fake("A", sz, 'A');
    pause_ms(20);
    store_fake("B", sz, 'B');
    pause_ms(20);
    store_fake("C", sz, 'C');
    pause_ms(20);
    ck_assert(loads("A", sz, 'A')); /* A is now the most recently used */
    pause_ms(20);
    store_fake("D", sz, 'D'); /* 4 x 300 KiB > 1 MiB: the least recently used (B) goes */
    ck_assert(!loads("B", sz, 'B'));
    ck_assert(loads("A", sz, 'A'));
    ck_assert(loads("C", sz, 'C'));
    ck_assert(loads("D", sz, 'D'));
    clrs_cache_info ci;
    ck_assert_int_eq(clrs_cache_stats(&ci), CLRS_OK);
    ck_assert_int_eq(ci.entries, 3);
    ck_assert_uint_le(ci.bytes, ci.max_bytes);
    ck_assert_uint_eq(ci.max_bytes, 1u << 20);
}
END_TEST

START_TEST(test_verify_and_clear)
{
    mkdir(dir, 0700);
    store_fake("one", 2000, 1);
    store_fake("two", 2000, 2);
    store_fake("three", 2000, 3);
    uint64_t good = 0, bad = 0;
    ck_assert_int_eq(clrs_cache_verify(&good, &bad), CLRS_OK);
    ck_assert_uint_eq(good, 3);
    ck_assert_uint_eq(bad, 0);
    char path[600], path2[600];
    entry_path("two", path, sizeof path);
    int fd = open(path, O_WRONLY);
    ck_assert_int_eq(pwrite(fd, "\x7f", 1, 1500), 1);
    close(fd);
    /* a valid entry under the wrong name (someone copied it) is bad too */
    entry_path("three", path, sizeof path);
    entry_path("four", path2, sizeof path2);
    ck_assert_int_eq(link(path, path2), 0);
    ck_assert_int_eq(clrs_cache_verify(&good, &bad), CLRS_OK);
    ck_assert_uint_eq(good, 2);
    ck_assert_uint_eq(bad, 2);
    ck_assert_int_eq(clrs_cache_verify(&good, &bad), CLRS_OK); /* the bad ones were removed */
    ck_assert_uint_eq(bad, 0);
    uint64_t removed = 0;
    ck_assert_int_eq(clrs_cache_clear_disk(&removed), CLRS_OK);
    ck_assert_uint_eq(removed, 2);
    clrs_cache_info ci;
    ck_assert_int_eq(clrs_cache_stats(&ci), CLRS_OK);
    ck_assert_uint_eq(ci.entries, 0);
    ck_assert(!loads("one", 2000, 1));
}
END_TEST

/* The key covers every compiled source, common.cl included: an override of
 * common.cl neither hits the normal entry nor poisons it. */
START_TEST(test_key_covers_common_cl)
{
    int h, m, s;
    ck_assert_int_eq(run_child(&h, &m, &s), 0);
    ck_assert_int_ge(s, 1);
    char kdir[300], src[600], dst[400], cmd[2048];
    snprintf(kdir, sizeof kdir, "%s-kernels", dir);
    mkdir(kdir, 0700);
    snprintf(src, sizeof src, "%s/../cl/common.cl", tu_srcdir());
    snprintf(dst, sizeof dst, "%s/common.cl", kdir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && echo '/* a local change */' >> '%s'", src, dst, dst);
    ck_assert_int_eq(system(cmd), 0);
    setenv("CLRS_KERNEL_DIR", kdir, 1);
    ck_assert_int_eq(run_child(&h, &m, &s), 0);
    ck_assert_int_eq(h, 0); /* the override is compiled, not served from the normal entry */
    ck_assert_int_ge(s, 1);
    unsetenv("CLRS_KERNEL_DIR");
    ck_assert_int_eq(run_child(&h, &m, &s), 0);
    ck_assert_int_ge(h, 1); /* the normal entry is still there and still right */
    ck_assert_int_eq(s, 0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", kdir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* CLRS_KERNEL_DIR holds a FIFO and a symlink instead of files: neither is
 * read (no hang), the embedded copies are used, results are right. */
START_TEST(test_kernel_dir_hygiene)
{
    char kdir[300], p[400];
    snprintf(kdir, sizeof kdir, "%s-kernels", dir);
    mkdir(kdir, 0700);
    snprintf(p, sizeof p, "%s/resample.cl", kdir);
    ck_assert_int_eq(mkfifo(p, 0600), 0);
    snprintf(p, sizeof p, "%s/common.cl", kdir);
    ck_assert_int_eq(symlink("/etc/passwd", p), 0);
    setenv("CLRS_KERNEL_DIR", kdir, 1);
    setenv("CLRS_CACHE_DIR", "off", 1);
    int h, m, s;
    ck_assert_int_eq(run_child(&h, &m, &s), 0);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", kdir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Over-long option strings are refused with a status, never cut short. */
START_TEST(test_options_overflow_is_refused)
{
    clrs_opts o;
    clrs__opts_init(&o);
    char buf[64];
    clrs__opts_def(&o, "A=1");
    ck_assert_int_eq(clrs__opts_string(&o, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "-DA=1");
    clrs__opts_def(&o, "LONG=%0100d", 7); /* longer than an item */
    ck_assert_int_eq(clrs__opts_string(&o, buf, sizeof buf), -1);
    ck_assert_str_eq(buf, CLRS_OPTS_OVERFLOW);
    clrs__opts_init(&o);
    for (int i = 0; i < 10; i++) clrs__opts_def(&o, "NAME%d=%d", i, i);
    ck_assert_int_eq(clrs__opts_string(&o, buf, sizeof buf), -1); /* longer than buf */
    clrs_context *ctx = tu_context();
    cl_kernel k = NULL;
    ck_assert_int_eq(clrs__get_kernel(ctx, "resample", buf, "clrs_gather", &k), CLRS_ERR_INTERNAL);
    ck_assert_ptr_null(k);
}
END_TEST

/* XDG_CACHE_HOME naming a file stops PoCL from loading: the error says so
 * instead of telling the user to install a driver they have. */
START_TEST(test_xdg_cache_home_file_is_named)
{
    char file[300];
    snprintf(file, sizeof file, "%s-xdg-file", dir);
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    setenv("XDG_CACHE_HOME", file, 1);
    unsetenv("POCL_CACHE_DIR");
    clrs_device_info *list = NULL;
    size_t n = 0;
    clrs_status st = clrs_device_list(&list, &n);
    unlink(file);
    if (st == CLRS_OK) { /* a runtime that does not need it (not PoCL): nothing to explain */
        clrs_device_list_free(list);
        return;
    }
    ck_assert_int_eq(st, CLRS_ERR_NO_PLATFORM);
    ck_assert_msg(strstr(clrs_last_error(NULL), "XDG_CACHE_HOME") != NULL, "%s", clrs_last_error(NULL));
}
END_TEST

START_TEST(test_strerror_unknown_is_fixed)
{
    const char *a = clrs_strerror((clrs_status)-999);
    const char *b = clrs_strerror((clrs_status)-998);
    ck_assert_ptr_eq(a, b); /* one static string, not a buffer the next call rewrites */
    ck_assert_str_eq(a, "unknown clresample status");
}
END_TEST

/* OpenCL runtimes do not survive fork(): the parent never opens a
 * context; a child finds out whether there is a platform at all. */
int main(void)
{
    tu_require_platform();
    Suite *s = suite_create("cache");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, tu_timeout(1200));
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_cold_then_warm);
    tcase_add_loop_test(tc, test_corrupted_files_are_misses, 0, 4);
    tcase_add_test(tc, test_unwritable_and_off);
    tcase_add_test(tc, test_failed_build_is_cached_with_log);
    tcase_add_test(tc, test_sha256_hmac_vectors);
    tcase_add_test(tc, test_store_modes_and_roundtrip);
    tcase_add_loop_test(tc, test_tampered_entries_are_misses, 0, 8);
    tcase_add_loop_test(tc, test_untrusted_directories_turn_the_cache_off, 0, 8);
    tcase_add_test(tc, test_sticky_parent_is_fine);
    tcase_add_test(tc, test_lru_cap);
    tcase_add_test(tc, test_verify_and_clear);
    tcase_add_test(tc, test_key_covers_common_cl);
    tcase_add_test(tc, test_kernel_dir_hygiene);
    tcase_add_test(tc, test_options_overflow_is_refused);
    tcase_add_test(tc, test_strerror_unknown_is_fixed);
    tcase_add_test(tc, test_xdg_cache_home_file_is_named);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_context_release();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
