/* SPDX-License-Identifier: MIT */
/* Device enumeration, the CLRS_DEVICE parser and the automatic choice. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sys/stat.h>

#include "internal.h"
#include "device.h"

/* ---- CLRS_DEVICE syntax: <platform>:<type>:<name-or-index> -------------
 * platform and name are case-insensitive substrings ("" = any); type is
 * GPU, CPU, ACCELERATOR, DGPU, IGPU or ALL ("" = any), several joined by
 * '|'; a name of digits only is an index among the matching devices.
 * "disabled" turns OpenCL off (every context creation fails). A value with
 * no ':' is taken as a device-name substring. */
static const char *const known_types[] = {"GPU", "CPU", "ACCELERATOR", "DGPU", "IGPU", "ALL"};

int clrs__devspec_parse(const char *s, clrs_devspec *spec, char *err, size_t errlen)
{
    memset(spec, 0, sizeof *spec);
    spec->index = -1;
    if (s == NULL) s = "";
    if (strcasecmp(s, "disabled") == 0) {
        spec->disabled = 1;
        return 0;
    }
    const char *c1 = strchr(s, ':');
    const char *plat = "", *type = "", *name = s;
    size_t plen = 0, tlen = 0;
    if (c1 != NULL) {
        const char *c2 = strchr(c1 + 1, ':');
        if (c2 == NULL) {
            snprintf(err, errlen, "device request '%s' has one ':'; expected <platform>:<type>:<name-or-index>", s);
            return -1;
        }
        if (strchr(c2 + 1, ':') != NULL) {
            snprintf(err, errlen, "device request '%s' has more than two ':'; expected <platform>:<type>:<name-or-index>", s);
            return -1;
        }
        plat = s;
        plen = (size_t)(c1 - s);
        type = c1 + 1;
        tlen = (size_t)(c2 - type);
        name = c2 + 1;
    }
    if (plen >= sizeof spec->platform || strlen(name) >= sizeof spec->name) {
        snprintf(err, errlen, "device request '%.60s...' is too long", s);
        return -1;
    }
    memcpy(spec->platform, plat, plen);
    spec->platform[plen] = '\0';
    /* types */
    const char *t = type;
    while (tlen > 0) {
        const char *bar = memchr(t, '|', tlen);
        size_t len = bar ? (size_t)(bar - t) : tlen;
        int found = -1;
        for (size_t i = 0; i < CLRS_ARRAY_LEN(known_types); i++)
            if (len == strlen(known_types[i]) && strncasecmp(t, known_types[i], len) == 0) found = (int)i;
        if (found < 0 || spec->ntypes >= CLRS_DEVSPEC_MAX_TYPES) {
            snprintf(err, errlen, "device request '%s': unknown device type '%.*s' (use GPU, CPU, ACCELERATOR, DGPU, IGPU or ALL)",
                     s, (int)len, t);
            return -1;
        }
        snprintf(spec->types[spec->ntypes++], sizeof spec->types[0], "%s", known_types[found]);
        if (bar == NULL) break;
        tlen -= len + 1;
        t = bar + 1;
        if (tlen == 0) {
            snprintf(err, errlen, "device request '%s': empty device type after '|'", s);
            return -1;
        }
    }
    snprintf(spec->name, sizeof spec->name, "%s", name);
    int digits = spec->name[0] != '\0';
    for (const char *p = spec->name; *p; p++)
        if (!isdigit((unsigned char)*p)) digits = 0;
    if (digits) {
        if (strlen(spec->name) > 6) {
            snprintf(err, errlen, "device request '%s': device index '%s' is out of range", s, spec->name);
            return -1;
        }
        spec->index = atoi(spec->name);
        spec->name[0] = '\0';
    }
    return 0;
}

static int ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0) return 1;
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0) return 1;
    return 0;
}

static int type_matches(const char *want, const char *devtype)
{
    if (strcmp(want, "ALL") == 0) return 1;
    if (strcmp(want, "GPU") == 0) return strcmp(devtype, "dGPU") == 0 || strcmp(devtype, "iGPU") == 0;
    return strcasecmp(want, devtype) == 0;
}

int clrs__devspec_matches(const clrs_devspec *spec, const clrs_device_info *info)
{
    if (spec->disabled) return 0;
    if (!ci_contains(info->platform, spec->platform)) return 0;
    if (spec->ntypes > 0) {
        int any = 0;
        for (int i = 0; i < spec->ntypes; i++) any |= type_matches(spec->types[i], info->type);
        if (!any) return 0;
    }
    return ci_contains(info->name, spec->name);
}

/* ---- enumeration ------------------------------------------------------ */
static void info_str(cl_platform_id p, cl_device_id d, cl_uint param, char *buf, size_t len)
{
    buf[0] = '\0';
    cl_int e = d ? clGetDeviceInfo(d, param, len, buf, NULL) : clGetPlatformInfo(p, param, len, buf, NULL);
    if (e != CL_SUCCESS) snprintf(buf, len, "?");
    buf[len - 1] = '\0';
}

void clrs__describe_device(cl_platform_id p, cl_device_id d, clrs_device_info *info)
{
    memset(info, 0, sizeof *info);
    info_str(p, NULL, CL_PLATFORM_NAME, info->platform, sizeof info->platform);
    info_str(p, d, CL_DEVICE_NAME, info->name, sizeof info->name);
    info_str(p, d, CL_DEVICE_VENDOR, info->vendor, sizeof info->vendor);
    info_str(p, d, CL_DEVICE_VERSION, info->version, sizeof info->version);
    info_str(p, d, CL_DRIVER_VERSION, info->driver, sizeof info->driver);
    cl_device_type type = 0;
    cl_bool unified = CL_FALSE, avail = CL_FALSE, compiler = CL_FALSE, img = CL_FALSE;
    clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    clGetDeviceInfo(d, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof unified, &unified, NULL);
    clGetDeviceInfo(d, CL_DEVICE_AVAILABLE, sizeof avail, &avail, NULL);
    clGetDeviceInfo(d, CL_DEVICE_COMPILER_AVAILABLE, sizeof compiler, &compiler, NULL);
    clGetDeviceInfo(d, CL_DEVICE_IMAGE_SUPPORT, sizeof img, &img, NULL);
    cl_device_fp_config fp64 = 0;
    clGetDeviceInfo(d, CL_DEVICE_DOUBLE_FP_CONFIG, sizeof fp64, &fp64, NULL);
    char ext[4096];
    info_str(p, d, CL_DEVICE_EXTENSIONS, ext, sizeof ext);
    cl_ulong gm = 0, ma = 0;
    clGetDeviceInfo(d, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof gm, &gm, NULL);
    clGetDeviceInfo(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof ma, &ma, NULL);
    size_t wg = 0;
    clGetDeviceInfo(d, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof wg, &wg, NULL);
    if (type & CL_DEVICE_TYPE_GPU)
        snprintf(info->type, sizeof info->type, "%s", unified ? "iGPU" : "dGPU");
    else if (type & CL_DEVICE_TYPE_CPU)
        snprintf(info->type, sizeof info->type, "CPU");
    else if (type & CL_DEVICE_TYPE_ACCELERATOR)
        snprintf(info->type, sizeof info->type, "ACCELERATOR");
    else
        snprintf(info->type, sizeof info->type, "OTHER");
    info->available = avail && compiler;
    info->fp64 = fp64 != 0 || strstr(ext, "cl_khr_fp64") != NULL;
    info->fp16 = strstr(ext, "cl_khr_fp16") != NULL;
    info->images = img != CL_FALSE;
    info->global_mem = gm;
    info->max_alloc = ma;
    info->max_work_group = wg;
}

static int auto_score(const clrs_device_info *info)
{
    if (!info->available) return -1;
    if (strcmp(info->type, "dGPU") == 0) return 40;
    if (strcmp(info->type, "iGPU") == 0) return 30;
    if (strcmp(info->type, "CPU") == 0)
        return strstr(info->platform, "Portable Computing Language") ? 20 : 10;
    return 5;
}

/* CLRS_ERR_NO_PLATFORM with what most likely went wrong. PoCL refuses to
 * load when it cannot make its own kernel cache, e.g. when XDG_CACHE_HOME
 * names something that is not a directory: say so rather than send the user
 * to install a driver they have. */
static clrs_status no_device(const char *what)
{
    const char *xdg = clrs__getenv("XDG_CACHE_HOME");
    struct stat st;
    if (xdg != NULL && clrs__getenv("POCL_CACHE_DIR") == NULL && (stat(xdg, &st) != 0 || !S_ISDIR(st.st_mode)))
        return clrs__fail(NULL, CLRS_ERR_NO_PLATFORM,
                          "%s; XDG_CACHE_HOME=%s is not a directory, and drivers such as PoCL fail to "
                          "initialise without their cache there (set XDG_CACHE_HOME to a directory, or unset it)",
                          what, xdg);
    return clrs__fail(NULL, CLRS_ERR_NO_PLATFORM,
                      "%s: none is installed (install an OpenCL driver, e.g. Debian's pocl-opencl-icd, or "
                      "your GPU vendor's), or every installed driver failed to initialise (OCL_ICD_DEBUG=7 "
                      "shows why)",
                      what);
}

clrs_status clrs__enumerate(clrs_device_entry **list, size_t *count)
{
    (void)clrs__log_enabled(CLRS_LOG_ERROR, "device"); /* reads CLRS_LOG now: a bad value is said up front */
    *list = NULL;
    *count = 0;
    cl_uint np = 0;
    cl_int e = clGetPlatformIDs(0, NULL, &np);
    if (e == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */ || (e == CL_SUCCESS && np == 0))
        return no_device("the OpenCL loader found no usable platform");
    if (e != CL_SUCCESS) return clrs__fail_cl(NULL, e, "clGetPlatformIDs");
    cl_platform_id *plats = calloc(np, sizeof *plats);
    if (plats == NULL) return clrs__fail(NULL, CLRS_ERR_OUT_OF_HOST_MEMORY, "enumerating platforms");
    clGetPlatformIDs(np, plats, NULL);
    size_t cap = 0, n = 0;
    clrs_device_entry *out = NULL;
    for (cl_uint pi = 0; pi < np; pi++) {
        cl_uint nd = 0;
        if (clGetDeviceIDs(plats[pi], CL_DEVICE_TYPE_ALL, 0, NULL, &nd) != CL_SUCCESS || nd == 0) continue;
        cl_device_id *devs = calloc(nd, sizeof *devs);
        if (devs == NULL) continue;
        clGetDeviceIDs(plats[pi], CL_DEVICE_TYPE_ALL, nd, devs, NULL);
        for (cl_uint di = 0; di < nd; di++) {
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 8;
                clrs_device_entry *no = realloc(out, ncap * sizeof *out);
                if (no == NULL) break;
                out = no;
                cap = ncap;
            }
            clrs_device_entry *de = &out[n++];
            de->platform = plats[pi];
            de->device = devs[di];
            clrs__describe_device(plats[pi], devs[di], &de->info);
            de->info.platform_index = (int)pi;
            de->info.device_index = (int)di;
            de->score = auto_score(&de->info);
        }
        free(devs);
    }
    free(plats);
    if (n == 0) {
        free(out);
        return no_device("OpenCL platforms exist but expose no device");
    }
    *list = out;
    *count = n;
    return CLRS_OK;
}

/* Order of candidates for a request: indices into list, best first.
 * Returns the number of candidates. `origin` says where the request came from. */
size_t clrs__candidates(const clrs_device_entry *list, size_t n, const clrs_devspec *spec,
                        size_t *order)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (list[i].score < 0) continue;
        if (spec != NULL && !clrs__devspec_matches(spec, &list[i].info)) continue;
        order[m++] = i;
    }
    if (spec != NULL && spec->index >= 0) {
        if ((size_t)spec->index >= m) return 0;
        order[0] = order[spec->index];
        return 1;
    }
    /* stable sort by score, best first */
    for (size_t i = 1; i < m; i++) {
        size_t v = order[i], j = i;
        while (j > 0 && list[order[j - 1]].score < list[v].score) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
    return m;
}

void clrs__describe_choice(const clrs_device_entry *e, const char *origin, const char *request,
                           char *buf, size_t len)
{
    if (request != NULL) {
        snprintf(buf, len, "%s '%s' matched it", origin, request);
        return;
    }
    const char *why;
    if (strcmp(e->info.type, "dGPU") == 0)
        why = "automatic: a discrete GPU";
    else if (strcmp(e->info.type, "iGPU") == 0)
        why = "automatic: an integrated GPU (no discrete GPU)";
    else if (e->score == 20)
        why = "automatic: PoCL's CPU device (no usable GPU)";
    else if (strcmp(e->info.type, "CPU") == 0)
        why = "automatic: a CPU device (no usable GPU or PoCL)";
    else
        why = "automatic: the only usable device";
    snprintf(buf, len, "%s", why);
}

/* Resolve the request (API string, else CLRS_DEVICE, else automatic). */
clrs_status clrs__resolve_request(const char *api_request, const char **request, const char **origin,
                                  clrs_devspec *spec)
{
    *request = api_request;
    *origin = "requested device";
    if (*request == NULL) {
        *request = clrs__getenv("CLRS_DEVICE");
        *origin = "CLRS_DEVICE";
    }
    if (*request == NULL) return CLRS_OK;
    char err[256];
    if (clrs__devspec_parse(*request, spec, err, sizeof err) != 0)
        return clrs__fail(NULL, CLRS_ERR_INVALID_ARG, "%s: %s", *origin, err);
    if (spec->disabled)
        return clrs__fail(NULL, CLRS_ERR_DEVICE_NOT_FOUND, "%s=%s: OpenCL is disabled", *origin, *request);
    return CLRS_OK;
}

/* The error for a request that matched nothing, naming what exists. */
clrs_status clrs__no_match(const clrs_device_entry *list, size_t n, const char *origin,
                           const char *request)
{
    char have[2048];
    size_t off = 0;
    have[0] = '\0';
    for (size_t i = 0; i < n && off < sizeof have - 1; i++) {
        int w = snprintf(have + off, sizeof have - off, "%s'%s:%s:%s'%s", i ? ", " : "",
                         list[i].info.platform, list[i].info.type, list[i].info.name,
                         list[i].info.available ? "" : " (unavailable)");
        if (w < 0) break;
        off += (size_t)w;
    }
    return clrs__fail(NULL, CLRS_ERR_DEVICE_NOT_FOUND,
                      "%s '%s' matches no usable OpenCL device; devices present: %s", origin,
                      request, have);
}

clrs_status clrs_device_list(clrs_device_info **list, size_t *count)
{
    clrs__clear_error(NULL);
    if (list == NULL || count == NULL)
        return clrs__fail(NULL, CLRS_ERR_INVALID_ARG, "clrs_device_list: NULL output pointer");
    *list = NULL;
    *count = 0;
    clrs_device_entry *ents = NULL;
    size_t n = 0;
    CLRS_FORWARD(clrs__enumerate(&ents, &n));
    clrs_device_info *out = calloc(n, sizeof *out);
    size_t *order = calloc(n, sizeof *order);
    if (out == NULL || order == NULL) {
        free(out);
        free(order);
        free(ents);
        return clrs__fail(NULL, CLRS_ERR_OUT_OF_HOST_MEMORY, "clrs_device_list");
    }
    const char *request = NULL, *origin = NULL;
    clrs_devspec spec;
    clrs_status st = clrs__resolve_request(NULL, &request, &origin, &spec);
    size_t m = 0;
    if (st == CLRS_OK) m = clrs__candidates(ents, n, request ? &spec : NULL, order);
    for (size_t i = 0; i < n; i++) {
        out[i] = ents[i].info;
        if (!out[i].available)
            snprintf(out[i].reason, sizeof out[i].reason, "skipped: unavailable or no compiler");
        else if (st != CLRS_OK || (request && !clrs__devspec_matches(&spec, &out[i])))
            snprintf(out[i].reason, sizeof out[i].reason, "not chosen: %s does not match", origin);
        else
            snprintf(out[i].reason, sizeof out[i].reason, "not chosen: a better candidate exists");
    }
    if (m > 0) {
        clrs_device_info *d = &out[order[0]];
        d->is_default = 1;
        clrs__describe_choice(&ents[order[0]], origin, request, d->reason, sizeof d->reason);
    }
    free(order);
    free(ents);
    *list = out;
    *count = n;
    return CLRS_OK;
}

void clrs_device_list_free(clrs_device_info *list) { free(list); }
