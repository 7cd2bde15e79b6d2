// The `approximate` choice of tanh, lecun_tanh, tanh_linear and their modules, checked in one
// place: "none" is the exact tanh, "rational" the fast float32 ratio of polynomials.
#pragma once

#include <string>

namespace nabla::nn::functional {

// false for "none", true for "rational"; anything else is an Error naming `who`.
bool is_rational_tanh(const char* who, const std::string& approximate);

}  // namespace nabla::nn::functional
