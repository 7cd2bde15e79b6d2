// Tensor factories. Deterministic ones fill through the fill/copy kernels; random ones take
// a slice of the global Philox stream (random.cpp) and hand it to the device's kernel.
#include <cmath>
#include <cstring>

#include "backend/backend.hpp"
#include "core/tensor_impl.hpp"
#include "nabla/random.hpp"

namespace nabla {

// Every random draw takes one Philox block (four 32-bit words) per two elements: each element
// gets a 64-bit uniform, and normals come from Box-Muller on the block's pair (core/philox.hpp).
void draw_random(OpId op, const Tensor& t, double a, double b) {
  const uint64_t blocks = (static_cast<uint64_t>(t.numel()) + 1) / 2;
  const GeneratorState at = advance_generator(blocks);
  dispatch(op, t.device(), t.dtype()).random(op, view_of(t), at.seed, at.offset, a, b);
}

namespace {
Tensor finish(Tensor t, const TensorOptions& options) {
  if (options.requires_grad) t.requires_grad_(true);
  return t;
}

Tensor filled(const Shape& shape, double value, const TensorOptions& options) {
  Tensor t = make_tensor(shape, options.dtype, options.device);
  dispatch(OpId::fill, options.device, options.dtype).fill(view_of(t), value);
  return finish(t, options);
}

Tensor random_tensor(OpId op, const Shape& shape, double a, double b,
                     const TensorOptions& options) {
  Tensor t = make_tensor(shape, options.dtype, options.device);
  draw_random(op, t, a, b);
  return finish(t, options);
}

Tensor from_host(const void* data, const Shape& shape, DType dtype) {
  Tensor t = make_tensor(shape, dtype, Device::CPU);
  if (t.numel() > 0) std::memcpy(t.data_ptr(), data, t.numel() * dtype_size(dtype));
  return t;
}
}  // namespace

Tensor empty(const Shape& shape, TensorOptions options) {
  return finish(make_tensor(shape, options.dtype, options.device), options);
}
Tensor zeros(const Shape& shape, TensorOptions options) { return filled(shape, 0.0, options); }
Tensor ones(const Shape& shape, TensorOptions options) { return filled(shape, 1.0, options); }
Tensor full(const Shape& shape, double value, TensorOptions options) {
  return filled(shape, value, options);
}
Tensor zeros_like(const Tensor& like) { return full_like(like, 0.0); }
Tensor ones_like(const Tensor& like) { return full_like(like, 1.0); }
Tensor full_like(const Tensor& like, double value) {
  return filled(like.shape(), value, {.dtype = like.dtype(), .device = like.device()});
}
Tensor scalar_tensor(double value, TensorOptions options) { return filled({}, value, options); }

Tensor arange(double end, TensorOptions options) { return arange(0.0, end, 1.0, options); }

Tensor arange(double start, double end, double step, TensorOptions options) {
  NABLA_CHECK(step != 0.0, "arange: step must be non-zero");
  NABLA_CHECK((end - start) / step >= 0, "arange: start ", start, ", end ", end, " and step ",
              step, " give a negative length; flip the sign of step");
  const auto n = static_cast<int64_t>(std::ceil((end - start) / step));
  std::vector<double> values(n);
  for (int64_t i = 0; i < n; ++i) values[i] = start + static_cast<double>(i) * step;
  return finish(from_vector(values, {n}).to(options.dtype).to(options.device), options);
}

Tensor linspace(double start, double end, int64_t steps, TensorOptions options) {
  NABLA_CHECK(steps >= 0, "linspace: steps must be >= 0, got ", steps);
  std::vector<double> values(steps);
  const double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  // Both halves count from their own end, as torch does, so the last value is exactly `end`.
  for (int64_t i = 0; i < steps; ++i)
    values[i] = i < steps / 2 ? start + step * static_cast<double>(i)
                              : end - step * static_cast<double>(steps - 1 - i);
  return finish(from_vector(values, {steps}).to(options.dtype).to(options.device), options);
}

Tensor eye(int64_t n, TensorOptions options) { return eye(n, n, options); }

Tensor eye(int64_t n, int64_t m, TensorOptions options) {
  NABLA_CHECK(n >= 0 && m >= 0, "eye: sizes must be >= 0, got ", n, " x ", m);
  Tensor t = zeros({n, m}, {.dtype = options.dtype, .device = options.device});
  Tensor diagonal = make_view(t, {std::min(n, m)}, {m + 1}, 0);
  dispatch(OpId::fill, options.device, options.dtype).fill(view_of(diagonal), 1.0);
  return finish(t, options);
}

Tensor rand(const Shape& shape, TensorOptions options) {
  return random_tensor(OpId::uniform, shape, 0.0, 1.0, options);
}
Tensor randn(const Shape& shape, TensorOptions options) {
  return random_tensor(OpId::normal, shape, 0.0, 1.0, options);
}
Tensor randint(int64_t low, int64_t high, const Shape& shape, TensorOptions options) {
  NABLA_CHECK(low < high, "randint: low (", low, ") must be below high (", high, ")");
  return random_tensor(OpId::randint, shape, static_cast<double>(low),
                       static_cast<double>(high), options);
}

template <class T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape, bool requires_grad) {
  NABLA_CHECK(static_cast<int64_t>(values.size()) == shape_numel(shape), "from_vector: ",
              values.size(), " values cannot fill shape ", shape, " (", shape_numel(shape),
              " elements)");
  Tensor t;
  if constexpr (std::is_same_v<T, bool>) {  // std::vector<bool> packs bits
    std::vector<uint8_t> bytes(values.begin(), values.end());
    t = from_host(bytes.data(), shape, DType::b8);
  } else {
    t = from_host(values.data(), shape, dtype_of<T>::value);
  }
  if (requires_grad) t.requires_grad_(true);
  return t;
}
template Tensor from_vector(const std::vector<float>&, const Shape&, bool);
template Tensor from_vector(const std::vector<double>&, const Shape&, bool);
template Tensor from_vector(const std::vector<int64_t>&, const Shape&, bool);
template Tensor from_vector(const std::vector<bool>&, const Shape&, bool);

Tensor from_blob(const void* data, const Shape& shape, TensorOptions options) {
  return finish(from_host(data, shape, options.dtype).to(options.device), options);
}

}  // namespace nabla
