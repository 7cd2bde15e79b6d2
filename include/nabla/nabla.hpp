// Everything public in nabla.
#pragma once

#include "nabla/autograd.hpp"
#include "nabla/device.hpp"
#include "nabla/dtype.hpp"
#include "nabla/error.hpp"
#include "nabla/memory.hpp"
#include "nabla/ops.hpp"
#include "nabla/parallel.hpp"
#include "nabla/random.hpp"
#include "nabla/shape.hpp"
#include "nabla/tensor.hpp"
#include "nabla/nn/container.hpp"
#include "nabla/nn/init.hpp"
#include "nabla/nn/linear.hpp"
#include "nabla/nn/module.hpp"
