// Shapes and strides are vectors of int64 (element counts, not bytes), as in PyTorch.
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <ostream>
#include <vector>

namespace nabla {

using Shape = std::vector<int64_t>;
using Strides = std::vector<int64_t>;

int64_t shape_numel(const Shape& shape);
Strides contiguous_strides(const Shape& shape);
// Wraps a possibly negative dim into [0, ndim); `op` names the caller in the error.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);
// The same for a dim of a tensor of `shape`; the error prints the shape.
int64_t wrap_dim(int64_t dim, const Shape& shape, const char* op);
// NumPy broadcasting of two shapes; the error names `op` and both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
std::ostream& operator<<(std::ostream& out, const Shape& shape);

}  // namespace nabla

#pragma GCC visibility pop
