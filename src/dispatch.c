/* SPDX-License-Identifier: MIT */
/* Implementation lists: the pick, the dispatch log, explain sections. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dispatch.h"

#define MAX_PENDING 24

static _Thread_local struct {
    int active;
    unsigned flags;
    clrs_explain_fn fn;
    void *user;
} tl_explain;

static _Thread_local const char *tl_disable; /* NULL: the environment's */
static _Thread_local int tl_disable_set;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static const char *env_disable;

static void env_init(void) { env_disable = clrs__getenv("CLRS_DISABLE_IMPLS"); }

void clrs__dispatch_disable(const char *list)
{
    tl_disable = list;
    tl_disable_set = list != NULL;
}

/* Whether "family/name" is in the comma-separated list. */
static int listed(const char *list, const char *family, const char *name)
{
    if (list == NULL) return 0;
    size_t fl = strlen(family), nl = strlen(name);
    for (const char *p = list; *p != '\0';) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len >= fl && strncmp(p, family, fl) == 0 &&
            (len == fl || (p[fl] == '/' && len - fl - 1 == nl && strncmp(p + fl + 1, name, nl) == 0)))
            return 1;
        p += len + (end ? 1 : 0);
    }
    return 0;
}

static void report(const char *family, const char *impl, int chosen, const char *why)
{
    if (chosen)
        clrs__log(CLRS_LOG_DEBUG, "dispatch", "impl: %s/%s", family, impl);
    else
        clrs__log(CLRS_LOG_DEBUG, "dispatch", "declined: %s/%s: %s", family, impl, why);
    if (tl_explain.active && tl_explain.fn != NULL) tl_explain.fn(tl_explain.user, family, impl, chosen, chosen ? NULL : why);
}

void clrs__dispatch_declined(const char *family, const char *impl, const char *fmt, ...)
{
    if (!tl_explain.active && !clrs__log_enabled(CLRS_LOG_DEBUG, "dispatch")) return;
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    report(family, impl, 0, why);
}

void clrs__dispatch_chosen(const char *family, const char *impl)
{
    if (!tl_explain.active && !clrs__log_enabled(CLRS_LOG_DEBUG, "dispatch")) return;
    report(family, impl, 1, NULL);
}

int clrs__pick(const clrs_context *ctx, const char *family, const void *list, size_t n, size_t stride,
               const void *problem)
{
    const int say = tl_explain.active || clrs__log_enabled(CLRS_LOG_DEBUG, "dispatch");
    /* declines are reported only once the choice is known, in order */
    struct {
        const char *name;
        char why[200];
    } pend[MAX_PENDING];
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        const clrs_impl *im = (const clrs_impl *)(const void *)((const char *)list + i * stride);
        char why[200] = "";
        pthread_once(&env_once, env_init);
        const char *dis = tl_disable_set ? tl_disable : env_disable;
        if (i + 1 < n && listed(dis, family, im->name)) {
            snprintf(why, sizeof why, "disabled by %s", tl_disable_set ? "the test" : "CLRS_DISABLE_IMPLS");
        } else if (im->decline == NULL || im->decline(ctx, problem, why, sizeof why) == 0) {
            if (say) {
                for (size_t k = 0; k < np; k++) report(family, pend[k].name, 0, pend[k].why);
                report(family, im->name, 1, NULL);
            }
            return (int)i;
        }
        if (why[0] == '\0') snprintf(why, sizeof why, "not eligible");
        if (say && np < MAX_PENDING) {
            pend[np].name = im->name;
            memcpy(pend[np].why, why, sizeof pend[np].why);
            pend[np].why[sizeof pend[np].why - 1] = '\0';
            np++;
        }
    }
    clrs__fail(ctx, CLRS_ERR_INTERNAL, "no %s implementation accepts this call (a bug: the last one should)", family);
    return -1;
}

int clrs__dry_run(void) { return tl_explain.active && (tl_explain.flags & CLRS_EXPLAIN_DRY_RUN) != 0; }

clrs_status clrs_explain_begin(clrs_explain_fn fn, void *user, unsigned flags)
{
    if (fn == NULL) return clrs__fail(NULL, CLRS_ERR_INVALID_ARG, "clrs_explain_begin: fn is NULL");
    if (flags & ~CLRS_EXPLAIN_DRY_RUN)
        return clrs__fail(NULL, CLRS_ERR_INVALID_ARG, "clrs_explain_begin: unknown flags %#x", flags);
    tl_explain.active = 1;
    tl_explain.flags = flags;
    tl_explain.fn = fn;
    tl_explain.user = user;
    return CLRS_OK;
}

void clrs_explain_end(void) { memset(&tl_explain, 0, sizeof tl_explain); }

/* The registry of every family's list (tests walk it; `clresample info`
 * prints it). */
static const clrs_impl_list *const LISTS[] = {
    &clrs__impls_resample,
    &clrs__impls_gather,
    &clrs__impls_pool,
    &clrs__impls_unpool,
    &clrs__impls_unpool_backward,
    &clrs__impls_pool_backward,
    &clrs__impls_interp_backward,
    &clrs__impls_pixel_shuffle,
    &clrs__impls_grid_sample,
    &clrs__impls_affine_grid,
    &clrs__impls_resize_fill,
    &clrs__impls_pool_backward_avg,
    &clrs__impls_conv,
    &clrs__impls_conv_transpose,
    &clrs__impls_resize_batch,
    NULL, /* the registry ends at the first NULL */
};

const clrs_impl_list *const *clrs__impl_lists(size_t *count)
{
    size_t n = 0;
    while (n < CLRS_ARRAY_LEN(LISTS) && LISTS[n] != NULL) n++;
    *count = n;
    return LISTS;
}

const char *clrs_impl_at(size_t k, const char **family, int *exact)
{
    size_t nl = 0;
    const clrs_impl_list *const *lists = clrs__impl_lists(&nl);
    for (size_t l = 0; l < nl; l++) {
        if (k < lists[l]->n) {
            const clrs_impl *im = clrs__impl_at(lists[l], k);
            if (family) *family = lists[l]->family;
            if (exact) *exact = (im->flags & CLRS_IMPL_EXACT) != 0;
            return im->name;
        }
        k -= lists[l]->n;
    }
    return NULL;
}

int clrs__impl_at_general(const char *family, const char *name)
{
    size_t nl = 0;
    const clrs_impl_list *const *lists = clrs__impl_lists(&nl);
    for (size_t l = 0; l < nl; l++) {
        if (strcmp(lists[l]->family, family) != 0) continue;
        for (size_t i = 0; i < lists[l]->n; i++)
            if (strcmp(clrs__impl_at(lists[l], i)->name, name) == 0) return i + 1 == lists[l]->n;
    }
    return -1;
}
