// torch.nn.functional: linear, convolution, pooling, normalisation, activations, dropout and
// losses as plain functions.
//   namespace F = nabla::nn::functional;  F::cross_entropy(logits, labels)
#pragma once
#pragma GCC visibility push(default)

#include "nabla/nn/functional/activation.hpp"
#include "nabla/nn/functional/conv.hpp"
#include "nabla/nn/functional/hierarchical_softmax.hpp"
#include "nabla/nn/functional/linear.hpp"
#include "nabla/nn/functional/loss.hpp"
#include "nabla/nn/functional/norm.hpp"
#include "nabla/nn/functional/pool.hpp"
// conv / pool / norm headers are added here by the helper that builds them.

#pragma GCC visibility pop
