// Small TOML text helpers of the tune module: numbers in their shortest exact form, quoted
// strings, and a parameter's value written exactly (for values a person typed).
#pragma once

#include <string>

#include "nabla/tune/space.hpp"
#include "run/toml_write.hpp"

namespace nabla::tune {

// The shortest decimal that reads back as `value` ("0.001", "1e-05", "128"): valid TOML.
std::string format_shortest(double value);
// A TOML basic string (the config writer's): quotes, with \\, \" and control characters escaped.
using run::toml_quote;
// `x` as the parameter's value without the 4-digit rounding (an integer key still rounds).
Value exact_value(const Param& param, double x);

}  // namespace nabla::tune
