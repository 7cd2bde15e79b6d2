#include "nabla/shape.hpp"

#include <algorithm>

#include "nabla/error.hpp"

namespace nabla {

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

Strides contiguous_strides(const Shape& shape) {
  Strides strides(shape.size());
  int64_t running = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = running;
    running *= std::max<int64_t>(shape[i], 1);
  }
  return strides;
}

namespace {
// `describe` names the tensor in the error (its shape where the caller has one, else its rank);
// it is called only on failure, so the common path builds no string.
template <class Describe>
int64_t wrap_dim_of(int64_t dim, int64_t ndim, const char* op, const Describe& describe) {
  const int64_t rank = std::max<int64_t>(ndim, 1);  // a 0-d tensor accepts dim 0 and -1
  NABLA_CHECK(dim >= -rank && dim < rank, op, ": dim ", dim, " is out of range for a tensor ",
              describe(), " (valid: ", -rank, " to ", rank - 1, ")");
  return dim < 0 ? dim + rank : dim;
}
}  // namespace

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  return wrap_dim_of(dim, ndim, op, [&] { return detail::concat("with ", ndim, " dims"); });
}

int64_t wrap_dim(int64_t dim, const Shape& shape, const char* op) {
  return wrap_dim_of(dim, static_cast<int64_t>(shape.size()), op,
                     [&] { return detail::concat("of shape ", shape); });
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    NABLA_CHECK(da == db || da == 1 || db == 1, op, ": shapes ", a, " and ", b,
                " cannot be broadcast (dim ", i, ": ", da, " vs ", db,
                "); sizes must match or one of them be 1");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::ostream& operator<<(std::ostream& out, const Shape& shape) {
  out << '[';
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  return out << ']';
}

}  // namespace nabla
