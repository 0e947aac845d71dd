/* SPDX-License-Identifier: MIT */
/* Device-choice helpers shared by device.c and context.c. */
#ifndef CLRS_DEVICE_H
#define CLRS_DEVICE_H
#include "internal.h"
size_t clrs__candidates(const clrs_device_entry *list, size_t n, const clrs_devspec *spec, size_t *order);
void clrs__describe_choice(const clrs_device_entry *e, const char *origin, const char *request,
                           char *buf, size_t len);
clrs_status clrs__resolve_request(const char *api_request, const char **request, const char **origin,
                                  clrs_devspec *spec);
clrs_status clrs__no_match(const clrs_device_entry *list, size_t n, const char *origin, const char *request);
#endif
