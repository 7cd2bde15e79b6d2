// The everyday names of nabla, for `using namespace nabla::prelude;`.
//
// `using namespace nabla;` also brings nabla's sub-namespaces report, train, run, data, io and
// models into scope, so a program with its own `train()` or `data` variable no longer compiles
// (the names are ambiguous). The prelude holds only what a model-building program calls
// unqualified: the tensor types, the factories and ops, seeding and threads, the no-grad guard
// and gradcheck, and the namespaces nn, optim, autograd and F (= nn::functional). The rest
// stays one qualification away: nabla::data::DataLoader, nabla::train::Trainer, ...
//
//   #include "nabla/nabla.hpp"
//   using namespace nabla::prelude;
//
//   void train(nn::Module& model);  // your own: no clash with nabla::train
//   int main() {
//     manual_seed(0);
//     auto model = std::make_shared<nn::Linear>(3, 1);
//     Tensor loss = F::mse_loss((*model)(randn({8, 3})), zeros({8, 1}));
//   }
#pragma once
#pragma GCC visibility push(default)

#include "nabla/autograd.hpp"
#include "nabla/device.hpp"
#include "nabla/dtype.hpp"
#include "nabla/error.hpp"
#include "nabla/nn/functional.hpp"
#include "nabla/nn/module.hpp"
#include "nabla/ops.hpp"
#include "nabla/optim/optim.hpp"
#include "nabla/parallel.hpp"
#include "nabla/random.hpp"
#include "nabla/shape.hpp"
#include "nabla/tensor.hpp"

namespace nabla::prelude {

// Types.
using nabla::Device;
using nabla::Dims;
using nabla::DType;
using nabla::Error;
using nabla::Shape;
using nabla::Tensor;
using nabla::TensorOptions;
using nabla::dtype_name;
using nabla::dtype_size;
using nabla::is_floating;

// Factories (tensor.hpp): unqualified calls with braced shapes find no overload by argument-
// dependent lookup, so these need naming here.
using nabla::arange;
using nabla::empty;
using nabla::eye;
using nabla::from_blob;
using nabla::from_vector;
using nabla::full;
using nabla::full_like;
using nabla::linspace;
using nabla::ones;
using nabla::ones_like;
using nabla::rand;
using nabla::randint;
using nabla::randn;
using nabla::scalar_tensor;
using nabla::zeros;
using nabla::zeros_like;

// Ops (ops.hpp); the operators are found through Tensor.
using nabla::abs;
using nabla::add;
using nabla::allclose;
using nabla::argmax;
using nabla::argmin;
using nabla::cat;
using nabla::clamp;
using nabla::div;
using nabla::eq;
using nabla::equal;
using nabla::exp;
using nabla::expand;
using nabla::flatten;
using nabla::gather;
using nabla::ge;
using nabla::gt;
using nabla::index_select;
using nabla::le;
using nabla::log;
using nabla::log_softmax;
using nabla::logsumexp;
using nabla::lt;
using nabla::matmul;
using nabla::max;
using nabla::maximum;
using nabla::mean;
using nabla::min;
using nabla::minimum;
using nabla::mul;
using nabla::narrow;
using nabla::ne;
using nabla::neg;
using nabla::permute;
using nabla::pow;
using nabla::relu;
using nabla::reshape;
using nabla::sigmoid;
using nabla::slice;
using nabla::softmax;
using nabla::sqrt;
using nabla::squeeze;
using nabla::stack;
using nabla::std_dev;
using nabla::sub;
using nabla::sum;
using nabla::sum_to;
using nabla::tanh;
using nabla::transpose;
using nabla::unsqueeze;
using nabla::var;
using nabla::view;
using nabla::where;

// Seeding, threads, gradients.
using nabla::get_num_threads;
using nabla::manual_seed;
using nabla::set_num_threads;
using nabla::autograd::gradcheck;
using nabla::autograd::grad_enabled;
using nabla::autograd::NoGradGuard;

// Namespaces: layers, optimizers, the autograd engine and the functional forms (as torch's F).
namespace autograd = nabla::autograd;
namespace nn = nabla::nn;
namespace optim = nabla::optim;
namespace F = nabla::nn::functional;

}  // namespace nabla::prelude

#pragma GCC visibility pop
