/* SPDX-License-Identifier: MIT */
/* Status strings, version and dtype helpers. */
#include <stdio.h>

#include "internal.h"

unsigned clrs_version_number(void) { return CLRS_VERSION_NUMBER; }
const char *clrs_version_string(void) { return CLRS_VERSION_STRING; }

const char *clrs_strerror(clrs_status s)
{
    switch (s) {
#define CLRS_STATUS_MSG_(name, value, msg) \
    case name:                             \
        return msg;
        CLRS_STATUS_MAP(CLRS_STATUS_MSG_)
#undef CLRS_STATUS_MSG_
    default:
        return "unknown clresample status"; /* fixed: the header promises a message that stays valid */
    }
}

const char *clrs_status_name(clrs_status s)
{
    switch (s) {
#define CLRS_STATUS_NAME_(name, value, msg) \
    case name:                              \
        return #name;
        CLRS_STATUS_MAP(CLRS_STATUS_NAME_)
#undef CLRS_STATUS_NAME_
    default:
        return "CLRS_STATUS_UNKNOWN";
    }
}

size_t clrs_dtype_size(clrs_dtype dt)
{
    switch (dt) {
    case CLRS_F32: return 4;
    case CLRS_F64: return 8;
    case CLRS_F16: return 2;
    case CLRS_BF16: return 2;
    case CLRS_U8: return 1;
    case CLRS_U16: return 2;
    case CLRS_I64: return 8;
    default: return 0;
    }
}

const char *clrs_dtype_name(clrs_dtype dt)
{
    switch (dt) {
    case CLRS_F32: return "f32";
    case CLRS_F64: return "f64";
    case CLRS_F16: return "f16";
    case CLRS_BF16: return "bf16";
    case CLRS_U8: return "u8";
    case CLRS_U16: return "u16";
    case CLRS_I64: return "i64";
    default: return "invalid";
    }
}
