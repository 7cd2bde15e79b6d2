// CUDA against CPU for the unary, activation, binary, comparison and where kernels, forward and
// backward, through the public ops on contiguous, transposed, strided and broadcast operands.
#include "cuda/parity.hpp"

using namespace nabla;
using namespace nabla::testing::cuda;
namespace F = nabla::nn::functional;

namespace {

// |x| in [0.5, 1.5] with random signs: away from the kinks and poles of log, sqrt, div.
Tensor away_from_zero(const Shape& shape, DType dtype = DType::f32) {
  const Tensor magnitude = rand(shape, {.dtype = dtype}) + 0.5;
  const Tensor sign = where(gt(rand(shape, {.dtype = dtype}), full({}, 0.5, {.dtype = dtype})),
                            ones({}, {.dtype = dtype}), full({}, -1.0, {.dtype = dtype}));
  return (magnitude * sign).detach().requires_grad_(true);
}

Tensor positive(const Shape& shape, DType dtype = DType::f32) {
  return (rand(shape, {.dtype = dtype}) + 0.5).detach().requires_grad_(true);
}

}  // namespace

TEST(CudaParity, UnaryOps) {
  NABLA_REQUIRE_CUDA();
  manual_seed(1);
  const Tensor x = away_from_zero({33, 17}), p = positive({33, 17});
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return neg(v[0]); }, {x}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return exp(v[0]); }, {x}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return log(v[0]); }, {p}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return sqrt(v[0]); }, {p}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return abs(v[0]); }, {x}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return relu(v[0]); }, {x}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return sigmoid(v[0]); }, {x}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return tanh(v[0]); }, {x}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return pow(v[0], 2.0); }, {x}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return pow(v[0], 1.7); }, {p}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return clamp(v[0], -0.8, 0.9); }, {x}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return clamp(v[0], std::nullopt, 0.9); }, {x}));
}

TEST(CudaParity, Activations) {
  NABLA_REQUIRE_CUDA();
  manual_seed(2);
  const Tensor x = randn_leaf({16, 40}) * 3.0;
  const Tensor leaf = x.detach().requires_grad_(true);
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return F::erf(v[0]); }, {leaf}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return F::leaky_relu(v[0], 0.1); }, {leaf}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return F::elu(v[0], 0.7); }, {leaf}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return F::softplus(v[0], 2.0, 5.0); }, {leaf}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return F::gelu(v[0]); }, {leaf}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return F::gelu(v[0], "tanh"); }, {leaf}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return F::silu(v[0]); }, {leaf}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return F::lecun_tanh(v[0]); }, {leaf}));
}

TEST(CudaParity, Float64UnaryOpsAgreeToDoublePrecision) {
  NABLA_REQUIRE_CUDA();
  manual_seed(3);
  const Tensor x = away_from_zero({9, 11}, DType::f64), p = positive({9, 11}, DType::f64);
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return exp(v[0]) * tanh(v[0]); }, {x}, kFloat64));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return log(v[0]) + sqrt(v[0]); }, {p}, kFloat64));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return F::gelu(v[0]); }, {x}, kFloat64));
}

TEST(CudaParity, BinaryOpsBroadcastAndStrided) {
  NABLA_REQUIRE_CUDA();
  manual_seed(4);
  const Tensor a = randn_leaf({8, 1, 6}), b = away_from_zero({5, 6});
  for (auto fn : {+[](const Inputs& v) { return v[0] + v[1]; },
                  +[](const Inputs& v) { return v[0] - v[1]; },
                  +[](const Inputs& v) { return v[0] * v[1]; },
                  +[](const Inputs& v) { return v[0] / v[1]; },
                  +[](const Inputs& v) { return maximum(v[0], v[1]); },
                  +[](const Inputs& v) { return minimum(v[0], v[1]); }})
    EXPECT_TRUE(matches_cpu(fn, {a, b}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return pow(v[0], v[1]); },
                          {positive({4, 7}), randn_leaf({4, 7})}));
  // Transposed and step-2 operands are read through their strides.
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return v[0].t() * v[1].slice(1, 0, 10, 2); },
                          {randn_leaf({5, 7}), randn_leaf({7, 10})}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return v[0] * 3.0 + 1.0; }, {randn_leaf({3, 4})}));
}

TEST(CudaParity, ComparisonsAndWhere) {
  NABLA_REQUIRE_CUDA();
  manual_seed(5);
  // Rounded values so ties occur.
  const Tensor a = (randn({6, 7}) * 2.0).detach();
  const Tensor b = full({7}, 0.0);
  for (auto fn : {+[](const Inputs& v) { return eq(v[0], v[1]); },
                  +[](const Inputs& v) { return ne(v[0], v[1]); },
                  +[](const Inputs& v) { return lt(v[0], v[1]); },
                  +[](const Inputs& v) { return le(v[0], v[1]); },
                  +[](const Inputs& v) { return gt(v[0], v[1]); },
                  +[](const Inputs& v) { return ge(v[0], v[1]); }})
    EXPECT_TRUE(matches_cpu(fn, {a, b}, kExact));
  const Tensor i = randint(0, 3, {10}), j = randint(0, 3, {10});
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return eq(v[0], v[1]); }, {i, j}, kExact));
  EXPECT_TRUE(matches_cpu(
      [](const Inputs& v) { return where(gt(v[0], v[1]), v[0] * 2.0, v[1]); },
      {randn_leaf({6, 7}), randn_leaf({6, 7})}));
}

TEST(CudaParity, NanPropagatesAsOnTheCpu) {
  NABLA_REQUIRE_CUDA();
  const Tensor x = from_vector<float>({NAN, 1.0f, -2.0f, NAN}, {4});
  const Tensor y = from_vector<float>({0.0f, NAN, 3.0f, NAN}, {4});
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return maximum(v[0], v[1]); }, {x, y}, kExact));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return minimum(v[0], v[1]); }, {x, y}, kExact));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return clamp(v[0], -1.0, 0.5); }, {x}, kExact));
}

TEST(CudaParity, CastsAndCopies) {
  NABLA_REQUIRE_CUDA();
  manual_seed(6);
  const Tensor x = randn({4, 6}) * 5.0;
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return v[0].to(DType::f64); }, {x}, kExact));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return v[0].to(DType::i64); }, {x}, kExact));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return v[0].to(DType::b8); }, {x}, kExact));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return v[0].t().contiguous(); }, {x}, kExact));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return cat({v[0], v[1]}, 1); },
                          {randn_leaf({4, 6}), randn_leaf({4, 2})}, kExact));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return stack({v[0], v[1]}, 0); },
                          {randn_leaf({3, 2}), randn_leaf({3, 2})}, kExact));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return v[0].expand({5, 4, 6}).sum(); },
                          {randn_leaf({4, 6})}));
}
