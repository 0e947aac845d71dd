/* SPDX-License-Identifier: MIT */
/*
 * clresample ONNX semantics: operators as ONNX defines them (Resize,
 * Upsample, MaxPool, AveragePool, LpPool, Global*Pool, MaxUnpool,
 * DepthToSpace, SpaceToDepth), whose parameter structs carry ONNX's
 * attributes under ONNX's names. They run on the same kernels as the
 * PyTorch-semantics calls of <clresample.h>; only the plans differ.
 * Each has a host-memory form here and a cl_mem form (suffix _cl) that
 * enqueues like the calls of <clresample/cl_interop.h>.
 */
#ifndef CLRESAMPLE_ONNX_H
#define CLRESAMPLE_ONNX_H

#include "cl_interop.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Resize / Upsample (src/ops/onnx_resize.c) ------------------------- */

/* ---- end of Resize ---- */

/* ---- pooling, unpooling, depth/space (src/ops/onnx_pool.c) ------------- */

/* ---- end of pooling ---- */

#ifdef __cplusplus
}
#endif

#endif /* CLRESAMPLE_ONNX_H */
