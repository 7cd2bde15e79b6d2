// float32 convolution through oneDNN's direct (jit) kernels, the engine PyTorch's CPU
// convolution uses. nabla keeps NCHW / OIHW tensors; each call reorders what it reads into the
// blocked layouts oneDNN chooses and what it writes back, as PyTorch does. Chosen over
// im2col + OpenBLAS by measurement (docs/benchmarks.md, "oneDNN measured"); float64 (the
// gradient checks) and builds without oneDNN keep im2col.
#pragma once

#include "backend/backend.hpp"

namespace nabla::cpu {

class CachingAllocator;

// Runs `op` (conv2d, conv2d_input_grad or conv2d_weight_grad, with Conv2dArgs' meaning of each
// view) and returns true, or returns false without touching anything when oneDNN does not
// apply: dtype other than float32, oneDNN not built in or switched off, or a geometry oneDNN
// refuses. Reorder buffers come from `allocator`.
bool onednn_conv2d(OpId op, const Conv2dArgs& args, CachingAllocator& allocator);

// On by default where built in; NABLA_CPU_CONV=im2col in the environment starts it off. The
// switch lets tests and benchmarks compare the two engines in one process.
bool onednn_conv_enabled();
void set_onednn_conv_enabled(bool enabled);

}  // namespace nabla::cpu
