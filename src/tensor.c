/* SPDX-License-Identifier: MIT */
/* Tensor descriptors, validation, and the two calling conventions: host
 * memory (blocking, zero-copy where the device shares host memory) and
 * cl_mem (enqueue only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "internal.h"

static clrs_status init_desc(clrs_tensor_desc *d, clrs_dtype dt, int rank, const int64_t *sizes, int cl)
{
    clrs__clear_error(NULL);
    if (d == NULL || sizes == NULL)
        return clrs__fail(NULL, CLRS_ERR_INVALID_ARG, "tensor descriptor: NULL argument");
    if (rank < 3 || rank > CLRS_MAX_RANK)
        return clrs__fail(NULL, CLRS_ERR_BAD_SHAPE, "tensor rank %d is not 3, 4 or 5", rank);
    memset(d, 0, sizeof *d);
    d->dtype = dt;
    d->rank = rank;
    for (int i = 0; i < rank; i++) {
        if (sizes[i] < 0)
            return clrs__fail(NULL, CLRS_ERR_BAD_SHAPE, "tensor size %lld at dim %d is negative",
                              (long long)sizes[i], i);
        d->sizes[i] = sizes[i];
    }
    /* memory order: contiguous (N, C, S...) or channels-last (N, S..., C) */
    int order[CLRS_MAX_RANK];
    int k = 0;
    order[k++] = 0;
    if (!cl) order[k++] = 1;
    for (int i = 2; i < rank; i++) order[k++] = i;
    if (cl) order[k++] = 1;
    int64_t s = 1;
    for (int j = rank - 1; j >= 0; j--) {
        d->strides[order[j]] = s;
        int64_t sz = sizes[order[j]] > 1 ? sizes[order[j]] : 1;
        if (__builtin_mul_overflow(s, sz, &s))
            return clrs__fail(NULL, CLRS_ERR_BAD_STRIDES, "tensor sizes overflow 64-bit element counts");
    }
    return CLRS_OK;
}

clrs_status clrs_tensor_desc_contiguous(clrs_tensor_desc *d, clrs_dtype dt, int rank, const int64_t *sizes)
{
    return init_desc(d, dt, rank, sizes, 0);
}

clrs_status clrs_tensor_desc_channels_last(clrs_tensor_desc *d, clrs_dtype dt, int rank, const int64_t *sizes)
{
    return init_desc(d, dt, rank, sizes, 1);
}

int64_t clrs_tensor_desc_numel(const clrs_tensor_desc *d)
{
    if (d == NULL || d->rank < 1 || d->rank > CLRS_MAX_RANK) return 0;
    int64_t n = 1;
    for (int i = 0; i < d->rank; i++)
        if (d->sizes[i] <= 0 || __builtin_mul_overflow(n, d->sizes[i], &n)) return 0;
    return n;
}

void clrs__format_sizes(char *buf, size_t len, int rank, const int64_t *sizes)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < rank && off < len; i++) {
        int w = snprintf(buf + off, len - off, "%s%lld", i ? ", " : "(", (long long)sizes[i]);
        if (w < 0) return;
        off += (size_t)w;
    }
    if (off < len) snprintf(buf + off, len - off, ")");
}

int64_t clrs__desc_extent(const clrs_tensor_desc *d)
{
    int64_t end = d->offset;
    for (int i = 0; i < d->rank; i++) {
        if (d->sizes[i] == 0) return 0;
        end += (d->sizes[i] - 1) * d->strides[i]; /* overflow excluded by clrs__check_desc */
    }
    return end + 1;
}

int clrs__desc_same_sizes(const clrs_tensor_desc *d, const int64_t *sizes)
{
    for (int i = 0; i < d->rank; i++)
        if (d->sizes[i] != sizes[i]) return 0;
    return 1;
}

clrs_status clrs__check_desc(const clrs_context *ctx, const clrs_tensor_desc *d, const char *what, int is_output)
{
    if (d == NULL) return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "%s descriptor is NULL", what);
    if (d->rank < 3 || d->rank > CLRS_MAX_RANK)
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s rank %d is not 3, 4 or 5 (N, C, spatial...)", what, d->rank);
    size_t es = clrs_dtype_size(d->dtype);
    if (es == 0) return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s dtype %d is not a clrs_dtype", what, (int)d->dtype);
    if (d->offset < 0)
        return clrs__fail(ctx, CLRS_ERR_BAD_STRIDES, "%s offset %lld is negative", what, (long long)d->offset);
    int64_t end = d->offset, numel = 1;
    for (int i = 0; i < d->rank; i++) {
        if (d->sizes[i] < 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s size %lld at dim %d is negative", what,
                              (long long)d->sizes[i], i);
        if (d->strides[i] < 0)
            return clrs__fail(ctx, CLRS_ERR_BAD_STRIDES, "%s stride %lld at dim %d is negative", what,
                              (long long)d->strides[i], i);
        int64_t span;
        if (__builtin_mul_overflow(d->sizes[i] > 0 ? d->sizes[i] - 1 : 0, d->strides[i], &span) ||
            __builtin_add_overflow(end, span, &end) || __builtin_mul_overflow(numel, d->sizes[i], &numel))
            return clrs__fail(ctx, CLRS_ERR_BAD_STRIDES, "%s sizes x strides overflow 64-bit offsets at dim %d",
                              what, i);
    }
    int64_t bytes;
    if (__builtin_add_overflow(end, 1, &end) || __builtin_mul_overflow(end, (int64_t)es, &bytes) ||
        (uint64_t)bytes > (uint64_t)SIZE_MAX / 2)
        return clrs__fail(ctx, CLRS_ERR_BAD_STRIDES, "%s extent overflows the address space", what);
    if (is_output && numel > 1) {
        /* No two output elements may share memory: sorted by stride, each
         * stride must step over everything the smaller dims span. */
        int idx[CLRS_MAX_RANK], n = 0;
        for (int i = 0; i < d->rank; i++)
            if (d->sizes[i] > 1) idx[n++] = i;
        for (int i = 1; i < n; i++)
            for (int j = i; j > 0 && d->strides[idx[j - 1]] > d->strides[idx[j]]; j--) {
                int t = idx[j];
                idx[j] = idx[j - 1];
                idx[j - 1] = t;
            }
        int64_t span = 0;
        for (int i = 0; i < n; i++) {
            int dim = idx[i];
            if (d->strides[dim] <= span)
                return clrs__fail(ctx, CLRS_ERR_BAD_STRIDES,
                                  "%s elements overlap: stride %lld at dim %d does not step past the "
                                  "%lld element(s) spanned by smaller strides",
                                  what, (long long)d->strides[dim], dim, (long long)(span + 1));
            span += (d->sizes[dim] - 1) * d->strides[dim];
        }
    }
    return CLRS_OK;
}

clrs_status clrs__check_output(const clrs_context *ctx, const char *op, const clrs_tensor_desc *out, int rank,
                               const int64_t *want, clrs_dtype dtype)
{
    CLRS_FORWARD(clrs__check_desc(ctx, out, "output", 1));
    const char *sep = op != NULL ? ": " : "";
    if (op == NULL) op = "";
    if (out->rank != rank || !clrs__desc_same_sizes(out, want)) {
        char w[128], got[128];
        clrs__format_sizes(w, sizeof w, rank, want);
        clrs__format_sizes(got, sizeof got, out->rank, out->sizes);
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE, "%s%soutput sizes %s do not match the expected %s", op, sep, got, w);
    }
    if (out->dtype != dtype)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s%soutput dtype %s differs from input dtype %s", op, sep,
                          clrs_dtype_name(out->dtype), clrs_dtype_name(dtype));
    return CLRS_OK;
}

clrs_status clrs__check_grads(const clrs_context *ctx, const char *op, const clrs_tensor_desc *grad_out,
                              const clrs_tensor_desc *grad_in, int rank, const int64_t *want)
{
    CLRS_FORWARD(clrs__check_desc(ctx, grad_in, "grad_input", 1));
    CLRS_FORWARD(clrs__check_desc(ctx, grad_out, "grad_output", 0));
    const clrs_dtype dt = grad_in->dtype;
    if (dt != CLRS_F32 && dt != CLRS_F64 && dt != CLRS_F16 && dt != CLRS_BF16)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s: gradients must be f32, f64, f16 or bf16, got grad_input %s",
                          op, clrs_dtype_name(dt));
    if (grad_out->rank != rank || !clrs__desc_same_sizes(grad_out, want)) {
        char w[128], got[128];
        clrs__format_sizes(w, sizeof w, rank, want);
        clrs__format_sizes(got, sizeof got, grad_out->rank, grad_out->sizes);
        return clrs__fail(ctx, CLRS_ERR_BAD_SHAPE,
                          "%s: grad_output has shape %s but the forward output's shape is %s", op, got, w);
    }
    if (grad_out->dtype != dt)
        return clrs__fail(ctx, CLRS_ERR_BAD_DTYPE, "%s: grad_output dtype %s differs from grad_input dtype %s", op,
                          clrs_dtype_name(grad_out->dtype), clrs_dtype_name(dt));
    return CLRS_OK;
}

clrs_status clrs__expand_list(const clrs_context *ctx, const char *what, int n, const int64_t *v, int sp,
                              int64_t dflt, int64_t *outv)
{
    if (n == 0) {
        for (int i = 0; i < sp; i++) outv[i] = dflt;
        return CLRS_OK;
    }
    if (n != 1 && n != sp)
        return clrs__fail(ctx, CLRS_ERR_BAD_PARAM, "%s has %d values but the input has %d spatial dimension%s",
                          what, n, sp, sp == 1 ? "" : "s");
    for (int i = 0; i < sp; i++) outv[i] = v[n == 1 ? 0 : i];
    return CLRS_OK;
}

clrs_status clrs__make_buffer(clrs_context *ctx, const void *data, size_t bytes, cl_mem *out)
{
    cl_int e;
    *out = clCreateBuffer(ctx->cl, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes ? bytes : 1,
                          (void *)(uintptr_t)data, &e);
    if (e != CL_SUCCESS) return clrs__fail_cl(ctx, e, "clCreateBuffer");
    return CLRS_OK;
}

/* ---- calls -------------------------------------------------------------- */
static int ranges_overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1) { return a0 < b1 && b0 < a1; }

clrs_status clrs__check_alias_host(const clrs_context *ctx, const clrs_host_tensor *ht, int nt)
{
    for (int i = 0; i < nt; i++) {
        if (!ht[i].is_output || ht[i].data == NULL) continue;
        size_t es = clrs_dtype_size(ht[i].desc->dtype);
        uint64_t a0 = (uint64_t)(uintptr_t)ht[i].data + (uint64_t)ht[i].desc->offset * es;
        uint64_t a1 = (uint64_t)(uintptr_t)ht[i].data + (uint64_t)clrs__desc_extent(ht[i].desc) * es;
        for (int j = 0; j < nt; j++) {
            if (j == i || ht[j].data == NULL) continue;
            size_t es2 = clrs_dtype_size(ht[j].desc->dtype);
            uint64_t b0 = (uint64_t)(uintptr_t)ht[j].data + (uint64_t)ht[j].desc->offset * es2;
            uint64_t b1 = (uint64_t)(uintptr_t)ht[j].data + (uint64_t)clrs__desc_extent(ht[j].desc) * es2;
            if (a1 > a0 && b1 > b0 && ranges_overlap(a0, a1, b0, b1))
                return clrs__fail(ctx, CLRS_ERR_ALIASING,
                                  "tensor %d (output) overlaps tensor %d in memory: bytes [%#llx, %#llx) and [%#llx, %#llx)",
                                  i, j, (unsigned long long)a0, (unsigned long long)a1,
                                  (unsigned long long)b0, (unsigned long long)b1);
        }
    }
    return CLRS_OK;
}

#define CLRS_MAX_TENSORS 4

clrs_status clrs__host_call(clrs_context *ctx, const void *op, const clrs_host_tensor *ht, int nt,
                            clrs_enqueue_fn fn)
{
    CLRS_FORWARD(clrs__check_alias_host(ctx, ht, nt));
    /* a few tensors on the stack; more (resize_batch's images) on the heap */
    clrs_targ t_small[CLRS_MAX_TENSORS], *t = t_small;
    if (nt > CLRS_MAX_TENSORS) {
        t = calloc((size_t)nt, sizeof *t);
        if (t == NULL) return clrs__fail(ctx, CLRS_ERR_OUT_OF_HOST_MEMORY, "%d tensor arguments", nt);
    } else {
        memset(t_small, 0, sizeof t_small);
    }
    clrs_status st = CLRS_OK;
    cl_int e;
    int i;
    for (i = 0; i < nt && st == CLRS_OK; i++) {
        t[i].desc = *ht[i].desc;
        t[i].is_output = ht[i].is_output;
        size_t es = clrs_dtype_size(t[i].desc.dtype);
        int64_t ext = clrs__desc_extent(&t[i].desc);
        if (ext == 0 || ht[i].data == NULL) continue; /* empty: the op does nothing with it */
        size_t start = (size_t)t[i].desc.offset * es;
        size_t bytes = (size_t)(ext - t[i].desc.offset) * es;
        t[i].desc.offset = 0;
        char *p = (char *)(uintptr_t)ht[i].data + start;
        cl_mem_flags fl = ht[i].is_output ? CL_MEM_READ_WRITE : CL_MEM_READ_ONLY;
        if (ctx->unified_memory) {
            fl |= CL_MEM_USE_HOST_PTR; /* zero-copy on CPUs and shared-memory GPUs */
        } else if (!ht[i].is_output || bytes != (size_t)clrs_tensor_desc_numel(&t[i].desc) * es) {
            fl |= CL_MEM_COPY_HOST_PTR; /* inputs, and outputs with gaps to preserve */
        } else {
            p = NULL;
        }
        t[i].mem = clCreateBuffer(ctx->cl, fl, bytes, p, &e);
        if (e != CL_SUCCESS) st = clrs__fail_cl(ctx, e, "clCreateBuffer for a host tensor");
    }
    if (st == CLRS_OK) st = fn(ctx, op, t, nt, ctx->queue, 0, NULL, NULL);
    const int dry = clrs__dry_run(); /* nothing ran: the outputs keep their bytes */
    for (i = 0; i < nt && st == CLRS_OK && !dry; i++) {
        if (!t[i].is_output || t[i].mem == NULL) continue;
        size_t es = clrs_dtype_size(t[i].desc.dtype);
        size_t bytes = (size_t)clrs__desc_extent(&t[i].desc) * es;
        char *dst = (char *)ht[i].data + (size_t)ht[i].desc->offset * es;
        if (ctx->unified_memory) {
            void *m = clEnqueueMapBuffer(ctx->queue, t[i].mem, CL_TRUE, CL_MAP_READ, 0, bytes, 0, NULL, NULL, &e);
            if (e != CL_SUCCESS) {
                st = clrs__fail_cl(ctx, e, "clEnqueueMapBuffer of an output");
                break;
            }
            if (m != dst) memcpy(dst, m, bytes); /* a driver may map a copy */
            clEnqueueUnmapMemObject(ctx->queue, t[i].mem, m, 0, NULL, NULL);
        } else {
            e = clEnqueueReadBuffer(ctx->queue, t[i].mem, CL_TRUE, 0, bytes, dst, 0, NULL, NULL);
            if (e != CL_SUCCESS) st = clrs__fail_cl(ctx, e, "clEnqueueReadBuffer of an output");
        }
    }
    if (st == CLRS_OK) {
        e = clFinish(ctx->queue);
        if (e != CL_SUCCESS) st = clrs__fail_cl(ctx, e, "clFinish");
    } else {
        clFinish(ctx->queue); /* nothing may still use the host memory */
    }
    for (i = 0; i < nt; i++)
        if (t[i].mem) clReleaseMemObject(t[i].mem);
    if (t != t_small) free(t);
    return st;
}

clrs_status clrs__cl_call(clrs_context *ctx, const void *op, clrs_targ *t, int nt, cl_command_queue q,
                          cl_uint nwait, const cl_event *wait, cl_event *ev, clrs_enqueue_fn fn)
{
    if (q == NULL) q = ctx->queue;
    if ((nwait > 0) != (wait != NULL))
        return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "num_wait is %u but wait_list is %s", nwait,
                          wait ? "non-NULL" : "NULL");
    for (int i = 0; i < nt; i++) {
        if (t[i].mem == NULL) {
            if (clrs__desc_extent(&t[i].desc) == 0) continue;
            return clrs__fail(ctx, CLRS_ERR_INVALID_ARG, "cl_mem of tensor %d is NULL", i);
        }
        size_t size = 0;
        cl_int e = clGetMemObjectInfo(t[i].mem, CL_MEM_SIZE, sizeof size, &size, NULL);
        if (e != CL_SUCCESS) return clrs__fail_cl(ctx, e, "clGetMemObjectInfo");
        uint64_t need = (uint64_t)clrs__desc_extent(&t[i].desc) * clrs_dtype_size(t[i].desc.dtype);
        if (need > size)
            return clrs__fail(ctx, CLRS_ERR_BAD_STRIDES,
                              "tensor %d needs %llu bytes (offset + strided extent) but its cl_mem holds %zu",
                              i, (unsigned long long)need, size);
    }
    for (int i = 0; i < nt; i++) {
        if (!t[i].is_output || t[i].mem == NULL) continue;
        size_t es = clrs_dtype_size(t[i].desc.dtype);
        uint64_t a0 = (uint64_t)t[i].desc.offset * es, a1 = (uint64_t)clrs__desc_extent(&t[i].desc) * es;
        for (int j = 0; j < nt; j++) {
            if (j == i || t[j].mem != t[i].mem) continue;
            size_t es2 = clrs_dtype_size(t[j].desc.dtype);
            uint64_t b0 = (uint64_t)t[j].desc.offset * es2, b1 = (uint64_t)clrs__desc_extent(&t[j].desc) * es2;
            if (a1 > a0 && b1 > b0 && ranges_overlap(a0, a1, b0, b1))
                return clrs__fail(ctx, CLRS_ERR_ALIASING,
                                  "tensor %d (output) overlaps tensor %d in the same cl_mem: bytes [%llu, %llu) and [%llu, %llu)",
                                  i, j, (unsigned long long)a0, (unsigned long long)a1,
                                  (unsigned long long)b0, (unsigned long long)b1);
        }
    }
    return fn(ctx, op, t, nt, q, nwait, wait, ev);
}
