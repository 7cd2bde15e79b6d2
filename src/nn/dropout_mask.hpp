// Internal: what dropout (src/nn/functional/activation.cpp), dropout2d (src/ops/dropout2d.cpp)
// and their modules share, so the p check and the mask are written once. Element dropout is
// channel dropout with a mask of the input's own shape.
#pragma once

#include "nabla/tensor.hpp"

namespace nabla::nn {

// Raises "<op>: dropout probability p must be in [0, 1], got p". The modules call it in their
// constructors too, since torch rejects a bad p when the layer is built, not at forward time.
void check_dropout_probability(const char* op, double p);

// The inverted-dropout scale of shape mask_shape in like's dtype and device: 1/(1 − p) with
// probability 1 − p, else 0, from the global generator (so a seed replays it). 0 <= p < 1.
Tensor dropout_mask(const Shape& mask_shape, double p, const Tensor& like);

// x · dropout_mask(mask_shape) in training (mask_shape broadcasts to x); x itself in eval or
// for p = 0; x · 0 for p = 1 (torch keeps the graph). Checks p first.
Tensor apply_dropout(const char* op, const Tensor& x, double p, bool training,
                     const Shape& mask_shape);

}  // namespace nabla::nn
