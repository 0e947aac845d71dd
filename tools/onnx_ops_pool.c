/* SPDX-License-Identifier: MIT */
/* clresample onnx: the pool handlers (none yet). */
#include "onnx_cli.h"

const onnx_op_def onnx_ops_pool[] = {{0}};
