/* SPDX-License-Identifier: MIT */
/* clresample onnx: the resize handlers (none yet). */
#include "onnx_cli.h"

const onnx_op_def onnx_ops_resize[] = {{0}};
