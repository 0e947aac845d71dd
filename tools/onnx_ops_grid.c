/* SPDX-License-Identifier: MIT */
/* clresample onnx: the grid handlers (none yet). */
#include "onnx_cli.h"

const onnx_op_def onnx_ops_grid[] = {{0}};
