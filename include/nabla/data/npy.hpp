// NumPy's .npy files (numpy.save): a magic string, a version, a header that is a Python dict
// literal {'descr': '<f4', 'fortran_order': False, 'shape': (N, ...), }, then the elements.
//
//   Tensor x = data::read_npy("features.npy");        // float32 [N, F] as saved
//   data::write_npy("out.npy", predictions);           // numpy.load reads it back
#pragma once
#pragma GCC visibility push(default)

#include <string>

#include "nabla/tensor.hpp"

namespace nabla::data {

// The array as a tensor: float32 and float64 stay as they are; integers of any width, signed or
// not, and booleans become int64. Little- and big-endian data and Fortran (column-major) order
// are read; versions 1.0, 2.0 and 3.0. Any problem (not an .npy file, a header that does not
// parse, a dtype nabla does not read such as float16, complex or structured arrays, a file
// shorter or longer than its shape says, an unsigned value above int64's range) is an Error
// naming the file and what was expected; the file's size is checked before anything is
// allocated.
Tensor read_npy(const std::string& path);

// Writes a float32, float64 or int64 tensor as a version 1.0 .npy file in C order (the header
// padded so the data starts on a 64-byte boundary, as NumPy writes it), atomically: a failure
// leaves no partial file.
void write_npy(const std::string& path, const Tensor& tensor);

// Inputs as nabla trains on them: floating tensors as float32, integer tensors (uint8 images
// saved by NumPy or safetensors) as 8-bit pixels scaled to [0, 1], as the image data sets are.
// Integers outside [0, 255] are an Error naming `what` (save other values as floats).
Tensor float_inputs(const Tensor& raw, const std::string& what);

}  // namespace nabla::data

#pragma GCC visibility pop
