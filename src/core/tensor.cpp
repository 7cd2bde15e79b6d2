// Tensor's accessors and the small members that forward to ops.
#include "nabla/tensor.hpp"

#include "backend/backend.hpp"
#include "core/tensor_impl.hpp"
#include "nabla/ops.hpp"

namespace nabla {

namespace {
const TensorImpl& checked(const std::shared_ptr<TensorImpl>& impl) {
  NABLA_CHECK(impl != nullptr, "use of an undefined Tensor (default-constructed, or a gradient "
              "that was never computed)");
  return *impl;
}
}  // namespace

Tensor::Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

const Shape& Tensor::shape() const { return checked(impl_).shape; }
const Strides& Tensor::strides() const { return checked(impl_).strides; }
int64_t Tensor::dim() const { return static_cast<int64_t>(shape().size()); }
int64_t Tensor::size(int64_t d) const { return shape()[wrap_dim(d, dim(), "Tensor::size")]; }
int64_t Tensor::stride(int64_t d) const { return strides()[wrap_dim(d, dim(), "Tensor::stride")]; }
int64_t Tensor::offset() const { return checked(impl_).offset; }
int64_t Tensor::numel() const { return shape_numel(shape()); }
DType Tensor::dtype() const { return checked(impl_).dtype; }
Device Tensor::device() const { return checked(impl_).storage->device; }
void* Tensor::data_ptr() const { return checked(impl_).data_bytes(); }
uint64_t Tensor::version() const { return checked(impl_).storage->version.load(); }

bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  for (size_t i = shape().size(); i-- > 0;) {
    if (shape()[i] == 1) continue;
    if (strides()[i] != expected) return false;
    expected *= shape()[i];
  }
  return true;
}

double Tensor::item() const {
  NABLA_CHECK(numel() == 1, "item(): tensor of shape ", shape(),
              " has ", numel(), " elements; item() needs exactly one");
  return to_vector<double>()[0];
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  Tensor host = to(Device::CPU).to(dtype_of<T>::value).contiguous();
  const T* begin = host.data<T>();
  return std::vector<T>(begin, begin + host.numel());
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
template std::vector<bool> Tensor::to_vector<bool>() const;

// --- autograd ---------------------------------------------------------------------------
bool Tensor::requires_grad() const { return checked(impl_).requires_grad; }

const Tensor& Tensor::requires_grad_(bool on) const {
  NABLA_CHECK(is_leaf(), "requires_grad_(): only a leaf tensor can change requires_grad; this "
              "one is the output of '", grad_fn()->name(), "' (use detach() first)");
  NABLA_CHECK(!on || is_floating(dtype()), "requires_grad_(): only floating tensors can require "
              "grad, this one is ", dtype());
  impl_->requires_grad = on;
  return *this;
}

bool Tensor::is_leaf() const { return checked(impl_).grad_fn == nullptr; }

Tensor Tensor::grad() const {
  const auto& g = checked(impl_).grad;
  return g ? Tensor(g) : Tensor();
}

void Tensor::set_grad(const Tensor& grad) const {
  checked(impl_);
  if (grad.defined())
    NABLA_CHECK(grad.shape() == shape(), "set_grad: gradient of shape ", grad.shape(),
                " for a tensor of shape ", shape());
  impl_->grad = grad.impl_ptr();
}

const std::shared_ptr<autograd::Node>& Tensor::grad_fn() const { return checked(impl_).grad_fn; }

void Tensor::backward(const Tensor& grad, bool retain_graph) const {
  autograd::backward(*this, grad, retain_graph);
}

Tensor Tensor::detach() const { return make_view(*this, shape(), strides(), offset()); }

// --- conversions ----------------------------------------------------------------------------
Tensor Tensor::to(DType target) const {
  if (target == dtype()) return *this;
  Tensor out = make_tensor(shape(), target, device());
  dispatch(OpId::copy, device(), target).copy(view_of(out), view_of(*this));
  // A differentiable cast between floating types, as torch's .to(dtype).
  if (is_floating(target) && is_floating(dtype())) {
    const DType source = dtype();
    autograd::record("to", {*this}, out, [source](const Tensor& g, const autograd::GradMask&) {
      return autograd::Grads{g.to(source)};
    });
  }
  return out;
}

// Copies the bytes of a contiguous copy through the host side of the move (copy_to_host /
// copy_from_host of the device's backend); differentiable, the gradient moving back.
Tensor Tensor::to(Device target) const {
  if (target == device()) return *this;
  backend_for(target);  // a device this build lacks fails here, naming the preset to use
  const Tensor source = detach().contiguous();
  Tensor out = make_tensor(shape(), dtype(), target);
  copy_between_devices(out.data_ptr(), target, source.data_ptr(), device(),
                       static_cast<size_t>(numel()) * dtype_size(dtype()));
  if (is_floating(dtype())) {
    const Device from = device();
    autograd::record("to", {*this}, out, [from](const Tensor& g, const autograd::GradMask&) {
      return autograd::Grads{g.to(from)};
    });
  }
  return out;
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor Tensor::clone() const {
  Tensor out = make_tensor(shape(), dtype(), device());
  dispatch(OpId::copy, device(), dtype()).copy(view_of(out), view_of(*this));
  autograd::record("clone", {*this}, out, [](const Tensor& g, const autograd::GradMask&) {
    return autograd::Grads{g};
  });
  return out;
}

// --- members forwarding to ops --------------------------------------------------------------
Tensor Tensor::view(const Shape& s) const { return nabla::view(*this, s); }
Tensor Tensor::reshape(const Shape& s) const { return nabla::reshape(*this, s); }
Tensor Tensor::transpose(int64_t d0, int64_t d1) const { return nabla::transpose(*this, d0, d1); }
Tensor Tensor::t() const {
  NABLA_CHECK(dim() == 2, "t(): expects a 2-D tensor, got shape ", shape(),
              "; use transpose(dim0, dim1)");
  return nabla::transpose(*this, 0, 1);
}
Tensor Tensor::permute(const Dims& dims) const { return nabla::permute(*this, dims); }
Tensor Tensor::slice(int64_t d, int64_t start, int64_t end, int64_t step) const {
  return nabla::slice(*this, d, start, end, step);
}
Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  return nabla::narrow(*this, d, start, length);
}
Tensor Tensor::expand(const Shape& s) const { return nabla::expand(*this, s); }
Tensor Tensor::squeeze(int64_t d) const { return nabla::squeeze(*this, d); }
Tensor Tensor::unsqueeze(int64_t d) const { return nabla::unsqueeze(*this, d); }
Tensor Tensor::flatten(int64_t start, int64_t end) const { return nabla::flatten(*this, start, end); }
Tensor Tensor::sum() const { return nabla::sum(*this); }
Tensor Tensor::mean() const { return nabla::mean(*this); }

// --- in-place -------------------------------------------------------------------------------
const Tensor& Tensor::fill_(double value) const {
  check_inplace_allowed(*this, "fill_");
  dispatch(OpId::fill, device(), dtype()).fill(view_of(*this), value);
  bump_version(*this);
  return *this;
}

const Tensor& Tensor::zero_() const { return fill_(0.0); }

namespace {
// uniform [a, b) or normal (mean a, std b) straight into the tensor's memory; the kernel
// writes contiguous memory, so a strided tensor is filled through a contiguous copy.
const Tensor& random_fill_(const Tensor& t, OpId op, double a, double b, const char* name) {
  check_inplace_allowed(t, name);
  if (!t.is_contiguous()) {
    const Tensor filled = empty(t.shape(), {.dtype = t.dtype(), .device = t.device()});
    draw_random(op, filled, a, b);
    return t.copy_(filled);
  }
  draw_random(op, t, a, b);
  bump_version(t);
  return t;
}
}  // namespace

const Tensor& Tensor::uniform_(double from, double to) const {
  NABLA_CHECK(from <= to, "uniform_: from (", from, ") must not exceed to (", to, ")");
  return random_fill_(*this, OpId::uniform, from, to, "uniform_");
}

const Tensor& Tensor::normal_(double mean, double std) const {
  NABLA_CHECK(std >= 0, "normal_: std must be >= 0, got ", std);
  return random_fill_(*this, OpId::normal, mean, std, "normal_");
}

const Tensor& Tensor::copy_(const Tensor& src) const {
  check_inplace_allowed(*this, "copy_");
  // From another device: bring the values here first (load_state_dict from a host checkpoint).
  const Tensor here = src.device() == device() ? src : src.detach().to(device());
  Tensor source = here.expand(shape());
  dispatch(OpId::copy, device(), dtype()).copy(view_of(*this), view_of(source));
  bump_version(*this);
  return *this;
}

const Tensor& Tensor::add_(const Tensor& other, double alpha) const {
  check_inplace_allowed(*this, "add_");
  NABLA_CHECK(broadcast_shapes(shape(), other.shape(), "add_") == shape(), "add_: ",
              other.shape(), " does not broadcast to the in-place target's shape ", shape());
  Tensor addend = other.device() == device() ? other : other.detach().to(device());
  if (addend.dtype() != dtype()) addend = addend.to(dtype());
  if (alpha != 1.0) addend = addend * alpha;
  dispatch(OpId::add, device(), dtype())
      .binary(OpId::add, view_of(*this), view_of(*this), view_of(addend.expand(shape())));
  bump_version(*this);
  return *this;
}

const Tensor& Tensor::mul_(double factor) const {
  check_inplace_allowed(*this, "mul_");
  Tensor scale = full({}, factor, {.dtype = dtype(), .device = device()});
  dispatch(OpId::mul, device(), dtype())
      .binary(OpId::mul, view_of(*this), view_of(*this), view_of(scale.expand(shape())));
  bump_version(*this);
  return *this;
}

}  // namespace nabla
