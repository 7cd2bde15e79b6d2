// `using namespace nabla::prelude;` beside a program's own functions named like nabla's
// sub-namespaces. With `using namespace nabla;` instead, every call below is ambiguous
// (nabla::report, nabla::train, ... are namespaces of the same names) and this file does not
// compile; with the prelude it compiles, and the everyday names all resolve: the factories with
// braced shapes, cat of a braced list, nn, optim, F, manual_seed, the no-grad guard.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>

#include "nabla/nabla.hpp"

using namespace nabla::prelude;

// y = 2x + 1 at 16 points in [-1, 1], as one [16, 2] table split into x and y.
std::pair<Tensor, Tensor> data() {
  const Tensor x = linspace(-1.0, 1.0, 16).reshape({16, 1});
  const Tensor table = cat({x, 2.0 * x + 1.0}, 1);
  return {table.narrow(1, 0, 1), table.narrow(1, 1, 1)};
}

std::shared_ptr<nn::Linear> models() { return std::make_shared<nn::Linear>(1, 1); }

double train(nn::Linear& model, const Tensor& x, const Tensor& y) {
  optim::SGD sgd(model.parameters(), optim::SGDOptions{.lr = 0.1});
  for (int step = 0; step < 300; ++step) {
    sgd.zero_grad();
    F::mse_loss(model(x), y).backward();
    sgd.step();
  }
  NoGradGuard no_grad;
  return F::mse_loss(model(x), y).item();
}

// The weight and the bias, read out.
std::pair<double, double> io(const nn::Linear& model) {
  return {model.weight.item(), model.bias.item()};
}

std::string report(double loss, std::pair<double, double> fit) {
  std::ostringstream out;
  out << "loss " << loss << ", y = " << fit.first << " x + " << fit.second;
  return out.str();
}

std::string run() {
  manual_seed(0);
  auto [x, y] = data();
  auto model = models();
  const double loss = train(*model, x, y);
  return report(loss, io(*model));
}

TEST(Prelude, AProgramWithItsOwnTrainDataAndReportTrainsAModel) {
  const std::string line = run();
  EXPECT_EQ(line.rfind("loss ", 0), 0u) << line;
  manual_seed(0);
  auto model = models();
  auto [x, y] = data();
  EXPECT_LT(train(*model, x, y), 1e-6);
  const auto [weight, bias] = io(*model);
  EXPECT_NEAR(weight, 2.0, 1e-3);
  EXPECT_NEAR(bias, 1.0, 1e-3);
  EXPECT_EQ(zeros({2, 3}).shape(), (Shape{2, 3}));
  EXPECT_EQ(full({}, 1.5, {.dtype = DType::f64}).dtype(), DType::f64);
  EXPECT_TRUE(grad_enabled());
  EXPECT_TRUE(autograd::grad_enabled());
}
