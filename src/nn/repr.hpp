// Internal: how the nn modules print values in their reprs, as Python / torch print them, so
// every extra_repr() spells True, 1.0 and (3, 3) the same way.
#pragma once

#include <string>

#include "nabla/nn/functional/conv.hpp"

namespace nabla::nn {

// Python's bool literals: "True" / "False" (torch prints bias=True, not bias=true).
const char* py_bool(bool value);

// How Python prints a float: shortest round-trip digits, "1.0" not "1", "1e-05".
std::string python_float(double value);

// A tuple "(h, w)", as torch prints a pair-valued argument (Conv2d's kernel_size=(3, 3)).
std::string pair_repr(functional::Size2 size);

}  // namespace nabla::nn
