/* SPDX-License-Identifier: MIT */
/* Dispatch and tuning: the implementation lists and their registry, the
 * explain API (callback order, dry runs that touch nothing), disabling
 * implementations, the tuning table and its API, environment overrides
 * read once per context, tuning files (good, bad, stale, foreign, unsafe),
 * and the option builder. Each test runs in its own process (Check's fork
 * mode), so each reads the environment afresh. Coverage of every
 * implementation by name is asserted by tests/test_robust's
 * test_kernel_variants, which runs every kernel form. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dispatch.h"
#include "internal.h"
#include "testutil.h"

/* ---- explain recording ------------------------------------------------- */
typedef struct rec {
    int n;
    char line[256][128]; /* "+family/impl" chosen, "-family/impl" declined */
    int bad_order;       /* a decline with a NULL/empty reason, or a chosen one with a reason */
} rec;

static void rec_cb(void *user, const char *family, const char *impl, int chosen, const char *reason)
{
    rec *r = user;
    if (chosen ? reason != NULL : (reason == NULL || reason[0] == '\0')) r->bad_order = 1;
    if (r->n < 256) snprintf(r->line[r->n++], sizeof r->line[0], "%c%s/%s", chosen ? '+' : '-', family, impl);
}

static int count_chosen(const rec *r)
{
    int c = 0;
    for (int i = 0; i < r->n; i++) c += r->line[i][0] == '+';
    return c;
}

/* A bilinear x2 of (1, 3, 40, 40) f32 with a sentinel-filled output. */
typedef struct call {
    clrs_tensor_desc in, out;
    float src[3 * 40 * 40], dst[3 * 80 * 80];
    clrs_interpolate_params p;
} call;

static void call_init(call *c, clrs_interp_mode mode)
{
    int64_t isz[4] = {1, 3, 40, 40}, osz[4] = {1, 3, 80, 80};
    clrs_tensor_desc_contiguous(&c->in, CLRS_F32, 4, isz);
    clrs_tensor_desc_contiguous(&c->out, CLRS_F32, 4, osz);
    for (int i = 0; i < 3 * 40 * 40; i++) c->src[i] = (float)((i * 37) % 101) / 7.0f;
    for (int i = 0; i < 3 * 80 * 80; i++) c->dst[i] = -12345.0f;
    clrs_interpolate_params_init(&c->p);
    c->p.mode = mode;
    c->p.n_scale = 1;
    c->p.scale[0] = 2;
}

START_TEST(test_registry)
{
    size_t n = 0;
    const clrs_impl_list *const *lists = clrs__impl_lists(&n);
    ck_assert_uint_ge(n, 1);
    size_t total = 0;
    for (size_t l = 0; l < n; l++) {
        ck_assert_ptr_nonnull(lists[l]->family);
        ck_assert_uint_ge(lists[l]->n, 1);
        for (size_t i = 0; i < lists[l]->n; i++) {
            const clrs_impl *a = clrs__impl_at(lists[l], i);
            ck_assert_msg(a->name != NULL && a->name[0] != '\0', "%s: entry %zu has no name", lists[l]->family, i);
            for (size_t j = 0; j < i; j++)
                ck_assert_msg(strcmp(a->name, clrs__impl_at(lists[l], j)->name) != 0, "%s/%s listed twice",
                              lists[l]->family, a->name);
            /* the last (general) entry takes every call: no eligibility check */
            if (i + 1 == lists[l]->n)
                ck_assert_msg(a->decline == NULL, "%s/%s: the last entry must accept everything", lists[l]->family,
                              a->name);
        }
        total += lists[l]->n;
    }
    /* the public walk sees the same entries, in the same order */
    size_t k = 0;
    const char *fam = NULL;
    int exact = -1;
    while (clrs_impl_at(k, &fam, &exact) != NULL) {
        ck_assert_ptr_nonnull(fam);
        ck_assert(exact == 0 || exact == 1);
        k++;
    }
    ck_assert_uint_eq(k, total);
    ck_assert_ptr_null(clrs_impl_at(total + 5, NULL, NULL));
}
END_TEST

START_TEST(test_explain_reports_and_dry_run)
{
    clrs_context *ctx = tu_context();
    static call c;
    call_init(&c, CLRS_INTERP_BILINEAR);
    ck_assert_int_eq(clrs_explain_begin(NULL, NULL, 0), CLRS_ERR_INVALID_ARG);
    static rec r1, r2, r3;
    ck_assert_int_eq(clrs_explain_begin(rec_cb, &r1, 8), CLRS_ERR_INVALID_ARG);
    /* a real run */
    ck_assert_int_eq(clrs_explain_begin(rec_cb, &r1, 0), CLRS_OK);
    ck_assert_int_eq(clrs_interpolate(ctx, &c.p, &c.in, c.src, &c.out, c.dst), CLRS_OK);
    clrs_explain_end();
    ck_assert_int_ge(count_chosen(&r1), 1);
    ck_assert_int_eq(r1.bad_order, 0);
    ck_assert_msg(r1.line[r1.n - 1][0] == '+', "the last report is a choice, not a decline");
    ck_assert(c.dst[0] != -12345.0f);
    /* a dry run chooses the same and writes nothing */
    for (int i = 0; i < 3 * 80 * 80; i++) c.dst[i] = -12345.0f;
    ck_assert_int_eq(clrs_explain_begin(rec_cb, &r2, CLRS_EXPLAIN_DRY_RUN), CLRS_OK);
    ck_assert_int_eq(clrs_interpolate(ctx, &c.p, &c.in, c.src, &c.out, c.dst), CLRS_OK);
    clrs_explain_end();
    ck_assert_int_eq(r2.n, r1.n);
    for (int i = 0; i < r1.n; i++) ck_assert_str_eq(r2.line[i], r1.line[i]);
    for (int i = 0; i < 3 * 80 * 80; i++) ck_assert_msg(c.dst[i] == -12345.0f, "dry run wrote output %d", i);
    /* after the section nothing is reported */
    ck_assert_int_eq(clrs_interpolate(ctx, &c.p, &c.in, c.src, &c.out, c.dst), CLRS_OK);
    ck_assert_int_eq(r2.n, r1.n);
    /* pooling reports too */
    int64_t psz[4] = {1, 3, 40, 40}, posz[4] = {1, 3, 20, 20};
    clrs_tensor_desc pin, pout;
    clrs_tensor_desc_contiguous(&pin, CLRS_F32, 4, psz);
    clrs_tensor_desc_contiguous(&pout, CLRS_F32, 4, posz);
    clrs_pool_params pp;
    clrs_pool_params_init(&pp, CLRS_POOL_MAX);
    pp.n_kernel = 1;
    pp.kernel[0] = 2;
    ck_assert_int_eq(clrs_explain_begin(rec_cb, &r3, 0), CLRS_OK);
    ck_assert_int_eq(clrs_pool(ctx, &pp, &pin, c.src, &pout, c.dst, NULL, NULL), CLRS_OK);
    clrs_explain_end();
    ck_assert_int_ge(count_chosen(&r3), 1);
    tu_context_release();
}
END_TEST

/* Disabling every specialised entry of the families leaves the general
 * ones, and a float result within tolerance of the normal run. */
START_TEST(test_disable_all_specialised)
{
    clrs_context *ctx = tu_context();
    static call a, b;
    call_init(&a, CLRS_INTERP_BICUBIC);
    call_init(&b, CLRS_INTERP_BICUBIC);
    ck_assert_int_eq(clrs_interpolate(ctx, &a.p, &a.in, a.src, &a.out, a.dst), CLRS_OK);
    size_t n = 0;
    const clrs_impl_list *const *lists = clrs__impl_lists(&n);
    char all[512] = "";
    for (size_t l = 0; l < n; l++)
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", l ? "," : "", lists[l]->family);
    clrs__dispatch_disable(all);
    static rec r;
    ck_assert_int_eq(clrs_explain_begin(rec_cb, &r, 0), CLRS_OK);
    ck_assert_int_eq(clrs_interpolate(ctx, &b.p, &b.in, b.src, &b.out, b.dst), CLRS_OK);
    clrs_explain_end();
    clrs__dispatch_disable(NULL);
    for (int i = 0; i < r.n; i++) {
        if (r.line[i][0] != '+') continue;
        /* each choice is the last entry of its family */
        const char *slash = strchr(r.line[i], '/');
        ck_assert_ptr_nonnull(slash);
        int found = 0;
        for (size_t l = 0; l < n; l++)
            if (strncmp(r.line[i] + 1, lists[l]->family, (size_t)(slash - r.line[i] - 1)) == 0 &&
                strlen(lists[l]->family) == (size_t)(slash - r.line[i] - 1)) {
                ck_assert_str_eq(slash + 1, clrs__impl_at(lists[l], lists[l]->n - 1)->name);
                found = 1;
            }
        ck_assert_msg(found, "unknown family in '%s'", r.line[i]);
    }
    for (int i = 0; i < 3 * 80 * 80; i++)
        ck_assert_msg(fabsf(a.dst[i] - b.dst[i]) <= 1e-5f * (1.0f + fabsf(a.dst[i])), "element %d: %g vs %g", i,
                      (double)a.dst[i], (double)b.dst[i]);
    tu_context_release();
}
END_TEST

START_TEST(test_tuning_api)
{
    clrs_context *ctx = tu_context();
    ck_assert_int_eq(clrs_tuning_count(), CLRS_TUNING_NFIELDS);
    ck_assert_ptr_null(clrs_tuning_name(-1));
    ck_assert_ptr_null(clrs_tuning_name(clrs_tuning_count()));
    for (int i = 0; i < clrs_tuning_count(); i++) {
        ck_assert_ptr_nonnull(clrs_tuning_doc(i));
        int64_t v = -1;
        const char *src = NULL;
        ck_assert_int_eq(clrs_tuning_get(ctx, clrs_tuning_name(i), &v, &src), CLRS_OK);
        ck_assert_ptr_nonnull(src);
        ck_assert_msg(strcmp(src, "default") == 0 || strncmp(src, "table ", 6) == 0, "%s from '%s'",
                      clrs_tuning_name(i), src);
    }
    const char *entry = NULL, *note = NULL, *file = NULL;
    ck_assert_int_eq(clrs_tuning_entry(ctx, &entry, &note, &file), CLRS_OK);
    ck_assert(entry != NULL && entry[0] != '\0' && note != NULL && note[0] != '\0');
    ck_assert_str_eq(file, "");
    clrs_device_info info;
    clrs_context_device(ctx, &info);
    if (strstr(info.platform, "Portable Computing Language") && strcmp(info.type, "CPU") == 0)
        ck_assert_str_eq(entry, "pocl-cpu");
    if (strstr(info.platform, "Intel(R) OpenCL")) {
        ck_assert_str_eq(entry, "intel-cpu");
        int64_t sb = 0;
        ck_assert_int_eq(clrs_tuning_get(ctx, "serial_build", &sb, NULL), CLRS_OK);
        ck_assert_int_eq(sb, 1);
    }
    /* errors name the value */
    ck_assert_int_eq(clrs_tuning_set(ctx, "no_such_value", 1), CLRS_ERR_BAD_PARAM);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "no_such_value"));
    ck_assert_int_eq(clrs_tuning_set(ctx, "rs_lx", 3), CLRS_ERR_BAD_PARAM);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "power of two"));
    ck_assert_int_eq(clrs_tuning_set(ctx, "rs_lx", 1 << 20), CLRS_ERR_BAD_PARAM);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "outside"));
    ck_assert_int_eq(clrs_tuning_get(NULL, "rs_lx", &(int64_t){0}, NULL), CLRS_ERR_INVALID_ARG);
    ck_assert_int_eq(clrs_tuning_get(ctx, "rs_lx", NULL, NULL), CLRS_ERR_INVALID_ARG);
    /* a set value is used and reported as such; results do not change */
    static call a, b;
    call_init(&a, CLRS_INTERP_BILINEAR);
    call_init(&b, CLRS_INTERP_BILINEAR);
    ck_assert_int_eq(clrs_interpolate(ctx, &a.p, &a.in, a.src, &a.out, a.dst), CLRS_OK);
    ck_assert_int_eq(clrs_tuning_set(ctx, "rs_lx", 32), CLRS_OK);
    ck_assert_int_eq(clrs_tuning_set(ctx, "rs_rows_cap", 64), CLRS_OK);
    int64_t v = 0;
    const char *src = NULL;
    ck_assert_int_eq(clrs_tuning_get(ctx, "rs_lx", &v, &src), CLRS_OK);
    ck_assert_int_eq(v, 32);
    ck_assert_str_eq(src, "api");
    ck_assert_int_eq(clrs_interpolate(ctx, &b.p, &b.in, b.src, &b.out, b.dst), CLRS_OK);
    ck_assert_int_eq(memcmp(a.dst, b.dst, sizeof a.dst), 0);
    tu_context_release();
}
END_TEST

/* CLRS_TUNE_<NAME>: read when a context is created; bad values ignored. */
START_TEST(test_tuning_env)
{
    setenv("CLRS_TUNE_RS_LX", "128", 1);
    setenv("CLRS_TUNE_POOL_WG", "100", 1);    /* not a power of two */
    setenv("CLRS_TUNE_RS_PER", "yes", 1);     /* not an integer */
    setenv("CLRS_TUNE_POOL_VW", "99999", 1);  /* out of range */
    clrs_context *ctx = NULL;
    ck_assert_int_eq(clrs_context_create(&ctx, NULL), CLRS_OK);
    int64_t v = 0;
    const char *src = NULL;
    ck_assert_int_eq(clrs_tuning_get(ctx, "rs_lx", &v, &src), CLRS_OK);
    ck_assert_int_eq(v, 128);
    ck_assert_str_eq(src, "env CLRS_TUNE_RS_LX");
    static const char *const ignored[] = {"pool_wg", "rs_per", "pool_vw"};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(clrs_tuning_get(ctx, ignored[i], &v, &src), CLRS_OK);
        ck_assert_msg(strncmp(src, "env", 3) != 0, "%s taken from a bad variable", ignored[i]);
    }
    /* read once: a later change does not affect this context */
    setenv("CLRS_TUNE_RS_LX", "64", 1);
    ck_assert_int_eq(clrs_tuning_get(ctx, "rs_lx", &v, NULL), CLRS_OK);
    ck_assert_int_eq(v, 128);
    clrs_context_release(ctx);
}
END_TEST

/* ---- tuning files ------------------------------------------------------- */
static char tdir[256];

static void tdir_setup(void)
{
    snprintf(tdir, sizeof tdir, "/tmp/clrs-tune-test-%ld", (long)getpid());
    setenv("CLRS_CACHE_DIR", tdir, 1);
}

static void tdir_teardown(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tdir);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    char *buf = calloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void spit(const char *path, const char *text, mode_t mode)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    ck_assert_int_eq(chmod(path, mode), 0);
}

/* rs_lx's value and source in a new context (in a child process: the cache
 * directory and each context's tuning are read at creation). */
static void child_reads(int64_t *v, char *src, size_t len)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        clrs_context *ctx = NULL;
        char out[128] = "";
        int64_t x = -1;
        const char *s = "none";
        if (clrs_context_create(&ctx, NULL) == CLRS_OK && clrs_tuning_get(ctx, "rs_lx", &x, &s) == CLRS_OK)
            snprintf(out, sizeof out, "%lld %s", (long long)x, s);
        if (write(fds[1], out, strlen(out) + 1) < 0) _exit(2);
        _exit(0);
    }
    close(fds[1]);
    char buf[128] = "";
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    ck_assert(n > 0);
    buf[n] = '\0';
    long long x = -1;
    char s[96] = "";
    ck_assert_int_eq(sscanf(buf, "%lld %95[^\n]", &x, s), 2);
    *v = x;
    snprintf(src, len, "%s", s);
}

START_TEST(test_tuning_files)
{
    clrs_context *ctx = NULL;
    ck_assert_int_eq(clrs_context_create(&ctx, NULL), CLRS_OK);
    int64_t def = 0;
    ck_assert_int_eq(clrs_tuning_get(ctx, "rs_lx", &def, NULL), CLRS_OK);
    const int64_t want = def == 64 ? 128 : 64;
    ck_assert_int_eq(clrs_tuning_set(ctx, "rs_lx", want), CLRS_OK);
    char path[1024];
    ck_assert_int_eq(clrs_tuning_save(ctx, path, sizeof path), CLRS_OK);
    clrs_context_release(ctx);
    struct stat st;
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    char *good = slurp(path);
    ck_assert_ptr_nonnull(good);
    ck_assert_ptr_nonnull(strstr(good, "rs_lx="));
    /* only what was tuned: the other values keep following the table */
    ck_assert_ptr_null(strstr(good, "pool_wg="));

    int64_t v = 0;
    char src[96];
    child_reads(&v, src, sizeof src);
    ck_assert_int_eq(v, want);
    ck_assert_str_eq(src, "file");

    /* bad files: each ignored whole (the table's value), never a crash */
    static struct {
        const char *what;
        char text[4096];
        mode_t mode;
    } bad[8];
    int nb = 0;
    snprintf(bad[nb].text, sizeof bad[nb].text, "%sbogus=1\n", good);
    bad[nb].what = "unknown value", bad[nb++].mode = 0600;
    snprintf(bad[nb].text, sizeof bad[nb].text, "%spool_wg=12x\n", good);
    bad[nb].what = "not an integer", bad[nb++].mode = 0600;
    snprintf(bad[nb].text, sizeof bad[nb].text, "%spool_wg=3\n", good);
    bad[nb].what = "not a power of two", bad[nb++].mode = 0600;
    snprintf(bad[nb].text, sizeof bad[nb].text, "%srs_per=7\n", good);
    bad[nb].what = "out of range", bad[nb++].mode = 0600;
    {
        const char *dev = strstr(good, "device: ");
        ck_assert_ptr_nonnull(dev);
        snprintf(bad[nb].text, sizeof bad[nb].text, "%.*sdevice: some other device%s", (int)(dev - good), good,
                 strchr(dev, '\n'));
        bad[nb].what = "foreign device", bad[nb++].mode = 0600;
    }
    {
        const char *lib = strstr(good, "library: ");
        ck_assert_ptr_nonnull(lib);
        snprintf(bad[nb].text, sizeof bad[nb].text, "%.*slibrary: 0.0.1%s", (int)(lib - good), good, strchr(lib, '\n'));
        bad[nb].what = "stale library version", bad[nb++].mode = 0600;
    }
    snprintf(bad[nb].text, sizeof bad[nb].text, "%s", good);
    bad[nb].what = "group-writable", bad[nb++].mode = 0620;
    snprintf(bad[nb].text, sizeof bad[nb].text, "not a tuning file\n");
    bad[nb].what = "no header", bad[nb++].mode = 0600;
    for (int i = 0; i < nb; i++) {
        spit(path, bad[i].text, bad[i].mode);
        child_reads(&v, src, sizeof src);
        ck_assert_msg(v == def && strcmp(src, "file") != 0, "%s: rs_lx %lld from '%s'", bad[i].what, (long long)v,
                      src);
    }
    /* a symbolic link to a good file is not followed */
    char real[1100];
    snprintf(real, sizeof real, "%s.real", path);
    spit(real, good, 0600);
    unlink(path);
    ck_assert_int_eq(symlink(real, path), 0);
    child_reads(&v, src, sizeof src);
    ck_assert_int_eq(v, def);
    /* and the good file again works */
    unlink(path);
    spit(path, good, 0600);
    child_reads(&v, src, sizeof src);
    ck_assert_int_eq(v, want);
    free(good);
}
END_TEST

START_TEST(test_save_needs_a_cache)
{
    setenv("CLRS_CACHE_DIR", "off", 1);
    clrs_context *ctx = NULL;
    ck_assert_int_eq(clrs_context_create(&ctx, NULL), CLRS_OK);
    char path[64];
    ck_assert_int_eq(clrs_tuning_save(ctx, path, sizeof path), CLRS_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(clrs_last_error(ctx), "cache"));
    clrs_context_release(ctx);
}
END_TEST

START_TEST(test_option_builder)
{
    clrs_opts o;
    clrs__opts_init(&o);
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    clrs__opts_def(&o, "B=%d", 2);
    clrs__opts_def(&o, "LONG=%s", big);
    clrs__opts_def(&o, "A=%d", 1);
    clrs__opts_def(&o, "B=%d", 2);
    char *s = clrs__opts_take(&o);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(strlen(s), strlen("-DA=1 -DB=2 -DLONG=") + strlen(big));
    ck_assert(strncmp(s, "-DA=1 -DB=2 -DLONG=xxx", 22) == 0);
    free(s);
    /* too many items: refused, not cut */
    clrs__opts_init(&o);
    for (int i = 0; i <= CLRS_OPTS_MAX; i++) clrs__opts_def(&o, "X%d=1", i);
    ck_assert_ptr_null(clrs__opts_take(&o));
    /* a buffer too small: the overflow marker (which clrs__get_kernel
     * refuses), not a cut option string */
    char buf[24];
    clrs__opts_init(&o);
    clrs__opts_def(&o, "%s", "A_RATHER_LONG_NAME_INDEED_FOR_THIS=1");
    ck_assert_int_eq(clrs__opts_string(&o, buf, sizeof buf), -1);
    ck_assert_int_eq(strcmp(buf, CLRS_OPTS_OVERFLOW), 0);
}
END_TEST

int main(void)
{
    tu_require_platform();
    tu_binary_cache_off();
    Suite *s = suite_create("dispatch");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, tu_timeout(600));
    tcase_add_test(tc, test_registry);
    tcase_add_test(tc, test_explain_reports_and_dry_run);
    tcase_add_test(tc, test_disable_all_specialised);
    tcase_add_test(tc, test_tuning_api);
    tcase_add_test(tc, test_tuning_env);
    tcase_add_test(tc, test_save_needs_a_cache);
    tcase_add_test(tc, test_option_builder);
    suite_add_tcase(s, tc);
    TCase *tf = tcase_create("files");
    tcase_set_timeout(tf, tu_timeout(600));
    tcase_add_checked_fixture(tf, tdir_setup, tdir_teardown);
    tcase_add_test(tf, test_tuning_files);
    suite_add_tcase(s, tf);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
