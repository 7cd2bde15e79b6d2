// Ops that return views: new shape and strides over the same storage, no copy. Each backward
// maps the gradient back to the input's geometry:
//   view / reshape / flatten / squeeze / unsqueeze   dx = g.reshape(x.shape)
//   transpose / permute                             dx = g with the inverse permutation
//   slice / narrow                                  dx = zeros(x.shape) with g written in the slice
//   expand                                          dx = sum_to(g, x.shape)
#include <algorithm>
#include <numeric>

#include "ops/op_helpers.hpp"

namespace nabla {

using namespace ops;

namespace {
Tensor reshape_back(const Tensor& x, Tensor out, const char* name) {
  autograd::record(name, {x}, out, [shape = x.shape()](const Tensor& g, const GradMask&) {
    return Grads{g.reshape(shape)};
  });
  return out;
}

// Resolves one -1 and checks the element count.
Shape infer_shape(const Shape& shape, int64_t numel, const char* op) {
  Shape out = shape;
  int64_t known = 1, infer_at = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      NABLA_CHECK(infer_at < 0, op, ": only one dim can be -1 in ", shape);
      infer_at = static_cast<int64_t>(i);
    } else {
      NABLA_CHECK(out[i] >= 0, op, ": invalid size ", out[i], " in ", shape);
      known *= out[i];
    }
  }
  if (infer_at >= 0) {
    NABLA_CHECK(known > 0 && numel % known == 0, op, ": shape ", shape, " is invalid for ",
                numel, " elements");
    out[infer_at] = numel / known;
  }
  NABLA_CHECK(shape_numel(out) == numel, op, ": shape ", shape, " is invalid for an input of ",
              numel, " elements");
  return out;
}

// Strides that let `shape` view memory laid out as (old_shape, old_strides), if any: each run
// of old dims that is contiguous in memory may be split or merged freely (torch's rule).
std::optional<Strides> view_strides(const Shape& old_shape, const Strides& old_strides,
                                    const Shape& shape) {
  if (shape_numel(old_shape) == 0 || old_shape.empty()) return contiguous_strides(shape);
  Strides strides(shape.size());
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_base = old_strides.back(), tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_shape.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_shape[d];
    const bool chunk_ends = d == 0 || (old_shape[d - 1] != 1 &&
                                       old_strides[d - 1] != tensor_numel * chunk_base);
    if (!chunk_ends) continue;
    while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
      strides[view_d] = view_numel * chunk_base;
      view_numel *= shape[view_d];
      --view_d;
    }
    if (view_numel != tensor_numel) return std::nullopt;
    if (d > 0) {
      chunk_base = old_strides[d - 1];
      tensor_numel = 1;
      view_numel = 1;
    }
  }
  if (view_d != -1) return std::nullopt;
  return strides;
}
}  // namespace

Tensor view(const Tensor& x, const Shape& shape) {
  const Shape target = infer_shape(shape, x.numel(), "view");
  const auto strides = view_strides(x.shape(), x.strides(), target);
  NABLA_CHECK(strides.has_value(), "view: shape ", target, " cannot view a tensor of shape ",
              x.shape(), " with strides ", x.strides(), " without copying; use reshape()");
  return reshape_back(x, make_view(x, target, *strides, x.offset()), "view");
}

Tensor reshape(const Tensor& x, const Shape& shape) {
  const Shape target = infer_shape(shape, x.numel(), "reshape");
  if (const auto strides = view_strides(x.shape(), x.strides(), target))
    return reshape_back(x, make_view(x, target, *strides, x.offset()), "reshape");
  return view(x.contiguous(), target);
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  if (x.dim() == 0) return reshape(x, {1});
  const int64_t start = wrap_dim(start_dim, x.shape(), "flatten");
  const int64_t end = wrap_dim(end_dim, x.shape(), "flatten");
  NABLA_CHECK(start <= end, "flatten: start_dim ", start_dim, " comes after end_dim ", end_dim,
              " for a tensor of shape ", x.shape());
  Shape shape(x.shape().begin(), x.shape().begin() + start);
  shape.push_back(-1);
  shape.insert(shape.end(), x.shape().begin() + end + 1, x.shape().end());
  return reshape(x, shape);
}

Tensor squeeze(const Tensor& x, int64_t dim) {
  const int64_t d = wrap_dim(dim, x.shape(), "squeeze");
  if (x.dim() == 0 || x.shape()[d] != 1) return x;  // torch: squeezing a non-1 dim is a no-op
  Shape shape = x.shape();
  Strides strides = x.strides();
  shape.erase(shape.begin() + d);
  strides.erase(strides.begin() + d);
  return reshape_back(x, make_view(x, shape, strides, x.offset()), "squeeze");
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  // The result has one more dim, so dim may be x.dim() (or -x.dim() - 1).
  NABLA_CHECK(dim >= -x.dim() - 1 && dim <= x.dim(), "unsqueeze: dim ", dim,
              " is out of range for a tensor of shape ", x.shape(), " (valid: ", -x.dim() - 1,
              " to ", x.dim(), ")");
  const int64_t d = dim < 0 ? dim + x.dim() + 1 : dim;
  Shape shape = x.shape();
  Strides strides = x.strides();
  const int64_t stride = d < x.dim() ? shape[d] * strides[d] : 1;
  shape.insert(shape.begin() + d, 1);
  strides.insert(strides.begin() + d, stride);
  return reshape_back(x, make_view(x, shape, strides, x.offset()), "unsqueeze");
}

Tensor permute(const Tensor& x, const Dims& dims) {
  NABLA_CHECK(static_cast<int64_t>(dims.values.size()) == x.dim(), "permute: dims ", dims.values,
              " given for a tensor of shape ", x.shape(), "; name each of its ", x.dim(), " dims once");
  std::vector<int64_t> order;
  for (int64_t d : dims.values) order.push_back(wrap_dim(d, x.shape(), "permute"));
  std::vector<int64_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  NABLA_CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(),
              "permute: dims ", dims.values, " are not a permutation of the dims of a tensor of shape ",
              x.shape(), "; a dim appears twice");
  Shape shape(x.dim());
  Strides strides(x.dim());
  std::vector<int64_t> inverse(x.dim());
  for (int64_t i = 0; i < x.dim(); ++i) {
    shape[i] = x.shape()[order[i]];
    strides[i] = x.strides()[order[i]];
    inverse[order[i]] = i;
  }
  Tensor out = make_view(x, shape, strides, x.offset());
  autograd::record("permute", {x}, out, [inverse](const Tensor& g, const GradMask&) {
    return Grads{permute(g, Dims(inverse))};
  });
  return out;
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  if (x.dim() == 0) return x;
  std::vector<int64_t> order(x.dim());
  std::iota(order.begin(), order.end(), 0);
  std::swap(order[wrap_dim(dim0, x.shape(), "transpose")], order[wrap_dim(dim1, x.shape(), "transpose")]);
  return permute(x, Dims(order));
}

Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  const int64_t d = wrap_dim(dim, x.shape(), "slice");
  NABLA_CHECK(step > 0, "slice: step must be positive, got ", step);
  const int64_t size = x.shape()[d];
  // Python's rules: negative counts from the end, out-of-range clamps.
  auto clamp_index = [size](int64_t i) {
    if (i < 0) i += size;
    return std::clamp<int64_t>(i, 0, size);
  };
  const int64_t first = clamp_index(start), last = std::max(first, clamp_index(end));
  Shape shape = x.shape();
  Strides strides = x.strides();
  shape[d] = (last - first + step - 1) / step;
  strides[d] *= step;
  Tensor out = make_view(x, shape, strides, x.offset() + first * x.strides()[d]);
  autograd::record("slice", {x}, out,
                   [shape = x.shape(), d, first, last, step](const Tensor& g, const GradMask&) {
                     Tensor gx = zeros(shape, {.dtype = g.dtype(), .device = g.device()});
                     gx.slice(d, first, last, step).copy_(g);
                     return Grads{gx};
                   });
  return out;
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  const int64_t d = wrap_dim(dim, x.shape(), "narrow");
  const int64_t size = x.shape()[d];
  if (start < 0) start += size;
  NABLA_CHECK(start >= 0 && length >= 0 && start + length <= size, "narrow: start ", start,
              " and length ", length, " fall outside dim ", d, " of size ", size,
              " (tensor of shape ", x.shape(), ")");
  return slice(x, d, start, start + length);
}

Tensor expand(const Tensor& x, const Shape& shape) {
  NABLA_CHECK(shape.size() >= x.shape().size(), "expand: cannot expand ", x.shape(),
              " to the smaller rank of ", shape);
  if (shape == x.shape()) return x;
  const size_t lead = shape.size() - x.shape().size();
  Shape out_shape(shape.size());
  Strides strides(shape.size(), 0);
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i < lead) {
      NABLA_CHECK(shape[i] >= 0, "expand: new leading dim ", i, " cannot be ", shape[i]);
      out_shape[i] = shape[i];
      continue;
    }
    const int64_t have = x.shape()[i - lead];
    const int64_t want = shape[i] == -1 ? have : shape[i];
    NABLA_CHECK(want == have || have == 1, "expand: cannot expand ", x.shape(), " to ", shape,
                " (dim ", i, ": ", have, " to ", want, "); only size-1 dims expand");
    out_shape[i] = want;
    strides[i] = want == have ? x.strides()[i - lead] : 0;
  }
  Tensor out = make_view(x, out_shape, strides, x.offset());
  autograd::record("expand", {x}, out, [shape = x.shape()](const Tensor& g, const GradMask&) {
    return Grads{sum_to(g, shape)};
  });
  return out;
}

}  // namespace nabla
