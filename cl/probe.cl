/* SPDX-License-Identifier: MIT */
/* probe.cl: what the device's compiler supports, read back without running
 * anything: each probe kernel's required work-group size (first dim) is 1
 * for "no", 2 for "yes" (CL_KERNEL_COMPILE_WORK_GROUP_SIZE). Built through
 * the program caches like any program (src/quirks.c). */

/* F16C conversions: exactly the condition under which cl/resample.cl sets
 * CLRS_F16C (less its CLRS_NO_F16C switch: this asks what the compiler
 * can do) */
#if defined(__F16C__) && defined(__clang__) && __clang_major__ >= 15
#define CLRS_PROBE_F16C 2
#else
#define CLRS_PROBE_F16C 1
#endif
__kernel __attribute__((reqd_work_group_size(CLRS_PROBE_F16C, 1, 1))) void clrs_probe_f16c(__global int *x)
{
    x[0] = CLRS_PROBE_F16C;
}
