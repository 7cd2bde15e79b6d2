// The lecture notes' sanity checks, each quick: the initial loss of a fresh classifier is
// log(C); a small MLP fits XOR and the two spirals (plain SGD with momentum, written here since
// the optimizers live in nabla::optim); dropout leaves the expected activation unchanged; and
// Xavier init keeps a deep tanh net's activations alive where 0.01·N(0, 1) kills them.
#include <chrono>
#include <cmath>
#include <cstdio>

#include "support/harness.hpp"

using namespace nabla;
namespace F = nabla::nn::functional;

namespace {
using Modules = std::initializer_list<std::shared_ptr<nn::Module>>;

std::shared_ptr<nn::Sequential> mlp(int64_t in, int64_t hidden, int64_t out) {
  return std::make_shared<nn::Sequential>(Modules{
      std::make_shared<nn::Linear>(in, hidden), std::make_shared<nn::Tanh>(),
      std::make_shared<nn::Linear>(hidden, hidden), std::make_shared<nn::Tanh>(),
      std::make_shared<nn::Linear>(hidden, out)});
}

// Full-batch SGD with momentum (torch's form: v = μv + g, p -= lr·v); returns the final loss.
double train_full_batch(nn::Module& model, const Tensor& x, const Tensor& y, int steps, double lr,
                        double momentum) {
  const std::vector<Tensor> params = model.parameters();
  std::vector<Tensor> velocity;
  for (const Tensor& p : params) velocity.push_back(zeros_like(p));
  double last = 0.0;
  for (int step = 0; step < steps; ++step) {
    const Tensor loss = F::cross_entropy(model(x), y);
    model.zero_grad();
    loss.backward();
    last = loss.item();
    autograd::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) {
      velocity[i].mul_(momentum).add_(params[i].grad());
      params[i].add_(velocity[i], -lr);
    }
  }
  return last;
}

double accuracy(nn::Module& model, const Tensor& x, const Tensor& y) {
  autograd::NoGradGuard no_grad;
  const Tensor correct = eq(argmax(model(x), 1), y).to(DType::f64);
  return mean(correct).item();
}

// ConvNetJS's two-spirals demo set: n points per arm, radius up to 5, 1.25 turns, jittered;
// the second arm is the first rotated by 180 degrees.
std::pair<Tensor, Tensor> two_spirals(int64_t n) {
  const Tensor u = rand({2, n, 2}, {.dtype = DType::f64}) * 0.2 - 0.1;
  const std::vector<double> jitter = u.to_vector<double>();
  std::vector<double> points;
  std::vector<int64_t> labels;
  for (int64_t arm = 0; arm < 2; ++arm) {
    const double sign = arm == 0 ? 1.0 : -1.0;
    for (int64_t i = 0; i < n; ++i) {
      const double f = static_cast<double>(i) / static_cast<double>(n);
      const double r = 5.0 * f + jitter[(arm * n + i) * 2];
      const double t = 1.25 * f * 2.0 * M_PI + jitter[(arm * n + i) * 2 + 1];
      points.push_back(sign * r * std::sin(t) / 5.0);  // scaled into [-1, 1]
      points.push_back(sign * r * std::cos(t) / 5.0);
      labels.push_back(arm);
    }
  }
  return {from_vector(points, {2 * n, 2}), from_vector(labels, {2 * n})};
}

// Tiny full-batch problems: one thread, since waking a pool for a 200 x 64 product costs more
// than the product (and much more on a machine shared with other jobs).
class SingleThread {
 public:
  SingleThread() : previous_(get_num_threads()) { set_num_threads(1); }
  ~SingleThread() { set_num_threads(previous_); }

 private:
  int previous_;
};

double elapsed_s(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

TEST(Sanity, FreshClassifierLossIsLogOfTheClassCount) {
  manual_seed(60);
  auto model = std::make_shared<nn::Sequential>(Modules{
      std::make_shared<nn::Linear>(32, 64), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Linear>(64, 10)});
  const Tensor x = randn({512, 32});
  const Tensor y = randint(0, 10, {512});
  const double loss = F::cross_entropy((*model)(x), y).item();
  std::printf("initial loss %.4f, log(10) = %.4f\n", loss, std::log(10.0));
  EXPECT_NEAR(loss, std::log(10.0), 0.1);
}

TEST(Sanity, MlpLearnsXor) {
  manual_seed(61);
  const SingleThread single_thread;
  const Tensor x = from_vector(std::vector<float>{0, 0, 0, 1, 1, 0, 1, 1}, {4, 2});
  const Tensor y = from_vector(std::vector<int64_t>{0, 1, 1, 0}, {4});
  auto model = mlp(2, 8, 2);
  const double loss = train_full_batch(*model, x, y, 300, 0.1, 0.9);
  std::printf("xor: final loss %.4f\n", loss);
  EXPECT_EQ(accuracy(*model, x, y), 1.0);
}

TEST(Sanity, MlpFitsTwoSpirals) {
  manual_seed(62);
  const SingleThread single_thread;
  const auto start = std::chrono::steady_clock::now();
  const auto [x64, y] = two_spirals(100);
  const Tensor x = x64.to(DType::f32);
  auto model = mlp(2, 64, 2);
  const double loss = train_full_batch(*model, x, y, 1000, 0.05, 0.9);
  const double acc = accuracy(*model, x, y);
  std::printf("two spirals: loss %.4f, train accuracy %.3f, %.2f s\n", loss, acc, elapsed_s(start));
  EXPECT_GE(acc, 0.95);
}

TEST(Sanity, DropoutKeepsTheExpectedActivation) {
  manual_seed(63);
  const int64_t n = 200000;
  const double p = 0.5;
  const Tensor x = rand({n}, {.dtype = DType::f64}) + 0.5;
  nn::Dropout layer(p);
  const double mean_in = mean(x).item();
  const double mean_out = mean(layer(x)).item();
  // Each output is x/(1−p) with probability 1−p, else 0: variance x²·p/(1−p) about x.
  const double se = std::sqrt(mean(x * x).item() * p / (1.0 - p) / static_cast<double>(n));
  std::printf("dropout: mean in %.5f, mean out %.5f, standard error %.5f\n", mean_in, mean_out, se);
  EXPECT_LT(std::abs(mean_out - mean_in), 4.0 * se);
  layer.eval();
  EXPECT_TRUE(nabla::equal(layer(x), x));
}

TEST(Sanity, XavierKeepsDeepTanhActivationsAliveWhereSmallRandomInitKillsThem) {
  // The notes' experiment: 10 tanh layers of 500 units on unit-Gaussian data (200 samples).
  const auto layer_stds = [](const std::function<void(const Tensor&)>& init) {
    manual_seed(64);
    Tensor h = randn({200, 500});
    std::vector<double> stds;
    for (int layer = 0; layer < 10; ++layer) {
      const Tensor w = empty({500, 500});
      init(w);
      h = tanh(matmul(h, w.t()));
      stds.push_back(std_dev(h).item());
    }
    return stds;
  };
  const double gain = nn::init::calculate_gain("tanh");
  const auto xavier = layer_stds([gain](const Tensor& w) { nn::init::xavier_normal_(w, gain); });
  const auto small = layer_stds([](const Tensor& w) { nn::init::normal_(w, 0.0, 0.01); });
  for (size_t i = 0; i < xavier.size(); ++i)
    std::printf("layer %zu: std xavier(gain 5/3) %.4f   0.01*randn %.3g\n", i + 1, xavier[i], small[i]);
  const double xavier_ratio = xavier.back() / xavier.front();
  EXPECT_GE(xavier_ratio, 0.3);
  EXPECT_LE(xavier_ratio, 3.0);
  EXPECT_LT(small.back(), 1e-3 * small.front());
}
