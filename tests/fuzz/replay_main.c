/* SPDX-License-Identifier: MIT */
/* Standalone driver for a fuzz harness, used by `make check`: replays every
 * file of the committed seed corpus and of the regression directory (inputs
 * that once crashed, kept so the fix stays) through LLVMFuzzerTestOneInput.
 *
 *   replay_<name> [FILE|DIR]...
 * Without arguments it reads $TEST_SRCDIR/fuzz/corpus/<name> and
 * $TEST_SRCDIR/fuzz/regressions/<name>. A harness bug aborts; exit 0 means
 * every input ran cleanly. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "."
#endif

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay_%s: cannot open %s\n", fuzz_name, path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            unsigned char *nb = realloc(buf, cap * 2);
            if (nb == NULL) break;
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf == NULL) return -1;
    /* an exact-size copy, so ASan sees reads past the end of the input */
    unsigned char *exact = malloc(len ? len : 1);
    if (exact == NULL) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

/* Runs a file, or every regular file of a directory in name order.
 * Returns the number of inputs run, -1 on error; a missing directory is
 * 0 inputs when `optional`. */
static int run_path(const char *path, int optional)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (optional) return 0;
        fprintf(stderr, "replay_%s: %s does not exist\n", fuzz_name, path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) return run_file(path) == 0 ? 1 : -1;
    DIR *d = opendir(path);
    if (d == NULL) return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *names);
            if (nn == NULL) break;
            names = nn;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_names);
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(full) != 0) count = -1;
            if (count >= 0) count++;
        }
        free(names[i]);
    }
    free(names);
    return count;
}

int main(int argc, char **argv)
{
    LLVMFuzzerInitialize(&argc, &argv);
    int total = 0, bad = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            int c = run_path(argv[i], 0);
            if (c < 0) bad = 1;
            else total += c;
        }
    } else {
        const char *src = getenv("TEST_SRCDIR");
        if (src == NULL || *src == '\0') src = TEST_SRCDIR;
        const char *sub[2] = {"corpus", "regressions"};
        for (int k = 0; k < 2; k++) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%s/fuzz/%s/%s", src, sub[k], fuzz_name);
            int c = run_path(dir, k == 1);
            if (c < 0) bad = 1;
            else total += c;
            printf("# %s: %d input(s)\n", dir, c < 0 ? 0 : c);
        }
        if (total == 0) bad = 1; /* the seed corpus must be there */
    }
    printf("replay_%s: %d input(s) replayed%s\n", fuzz_name, total, bad ? ", ERRORS" : "");
    return bad ? 1 : 0;
}
