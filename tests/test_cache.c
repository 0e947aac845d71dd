/* Program caches: the on-disk binary cache cold, warm, corrupted, foreign,
 * unwritable and off; the in-memory cache of failed builds. Each test runs
 * in its own process (Check's fork mode), so each reads the environment
 * afresh. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

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
    ck_assert_int_eq(count_files(".tmp.", NULL, 0), 0);
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
    /* a kernel directory whose resample.cl does not compile */
    char kdir[300], path[400];
    snprintf(kdir, sizeof kdir, "%s-kernels", dir);
    mkdir(kdir, 0755);
    snprintf(path, sizeof path, "%s/resample.cl", kdir);
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
        ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "resample.cl"));
        ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "build log"));
    }
    unlink(path);
    rmdir(kdir);
}
END_TEST

/* OpenCL runtimes do not survive fork(): the parent never opens a
 * context; a child finds out whether there is a platform at all. */
static int platform_available(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        clrs_device_info *list = NULL;
        size_t n = 0;
        _exit(clrs_device_list(&list, &n) == CLRS_OK ? 0 : 77);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
    if (!platform_available()) {
        const char *ci = getenv("CI");
        fprintf(stderr, "%s: no OpenCL platform\n", (ci && *ci) ? "FAIL" : "SKIP");
        return (ci && *ci) ? 1 : 77;
    }
    Suite *s = suite_create("cache");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, tu_timeout(1200));
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_cold_then_warm);
    tcase_add_loop_test(tc, test_corrupted_files_are_misses, 0, 4);
    tcase_add_test(tc, test_unwritable_and_off);
    tcase_add_test(tc, test_failed_build_is_cached_with_log);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_context_release();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
