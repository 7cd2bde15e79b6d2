// Convolution, pooling and normalisation against PyTorch: every case of tests/fixtures/conv.json
// (written by tools/golden/make_conv_fixtures.py) runs through the nabla function its "op"
// names; the outputs (for batch norm also the running statistics after the call) and, where
// the case has them, the input gradients must match. One test per case
// (ConvFixtures/ConvForward.MatchesTorch/<case>). An unknown op or an arg the mapping does not
// read fails the case, so no fixture goes unchecked.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "nabla/nn/functional.hpp"
#include "nabla/nn/norm.hpp"
#include "support/fixtures.hpp"
#include "support/harness.hpp"

namespace nabla::testing {
namespace {

namespace F = nn::functional;
using nlohmann::json;

constexpr const char* kFixtureFile = "conv.json";
// float64 on both sides; sums run in another order (GEMM blocking), hence not bitwise.
constexpr double kRtol = 1e-9, kAtol = 1e-11;

// The shared arg reader, plus the shapes of this file's args: flags and (h, w) pairs.
class Args : public FixtureArgs {
 public:
  using FixtureArgs::FixtureArgs;
  bool flag(const std::string& key) { return at(key).get<bool>(); }
  F::Size2 pair(const std::string& key) {
    const auto v = at(key).get<std::vector<int64_t>>();
    return {v.at(0), v.at(1)};
  }
  std::optional<F::Size2> optional_pair(const std::string& key) {
    return has(key) ? std::optional<F::Size2>(pair(key)) : std::nullopt;
  }
};

using Inputs = std::vector<Tensor>;
using Outputs = std::vector<Tensor>;
using OpFn = std::function<Outputs(const Inputs&, Args&)>;

Outputs conv2d(const Inputs& in, Args& a) {
  const json& p = a.at("padding");
  const F::Padding2d padding = p.is_string()
                                   ? F::Padding2d(p.get<std::string>())
                                   : F::Padding2d(p.at(0).get<int64_t>(), p.at(1).get<int64_t>());
  const Tensor bias = a.flag("bias") ? in.at(2) : Tensor();
  return {F::conv2d(in.at(0), in.at(1), bias, a.pair("stride"), padding, a.pair("dilation"),
                    a.integer("groups"))};
}

Outputs max_pool2d(const Inputs& in, Args& a) {
  return {F::max_pool2d(in.at(0), {.kernel_size = a.pair("kernel_size"),
                                   .stride = a.optional_pair("stride"),
                                   .padding = a.pair("padding"),
                                   .dilation = a.pair("dilation"),
                                   .ceil_mode = a.flag("ceil_mode")})};
}

Outputs avg_pool2d(const Inputs& in, Args& a) {
  const std::optional<int64_t> divisor = a.has("divisor_override")
                                             ? std::optional<int64_t>(a.integer("divisor_override"))
                                             : std::nullopt;
  return {F::avg_pool2d(in.at(0), {.kernel_size = a.pair("kernel_size"),
                                   .stride = a.optional_pair("stride"),
                                   .padding = a.pair("padding"),
                                   .ceil_mode = a.flag("ceil_mode"),
                                   .count_include_pad = a.flag("count_include_pad"),
                                   .divisor_override = divisor})};
}

Outputs batch_norm(const Inputs& in, Args& a) {
  const Tensor rm = in.at(1).detach().clone(), rv = in.at(2).detach().clone();
  const Tensor y = F::batch_norm(in.at(0), rm, rv, in.at(3), in.at(4), a.flag("training"),
                                 a.number("momentum"), a.number("eps"));
  return {y, rm, rv};
}

// torch.nn.BatchNorm2d for one training step per slice of the input.
Outputs batch_norm_module(const Inputs& in, Args& a) {
  const Tensor steps = in.at(0);
  nn::BatchNorm2d bn(nn::BatchNormOptions{
      .num_features = steps.size(2), .momentum = a.number("momentum"), .dtype = DType::f64});
  for (int64_t s = 0; s < steps.size(0); ++s) bn(steps.narrow(0, s, 1).squeeze(0));
  return {bn.running_mean, bn.running_var, bn.num_batches_tracked};
}

Outputs instance_norm(const Inputs& in, Args& a) {
  if (a.has("running") && a.flag("running")) {
    const Tensor rm = in.at(1).detach().clone(), rv = in.at(2).detach().clone();
    const Tensor y =
        F::instance_norm(in.at(0), rm, rv, {}, {}, true, a.number("momentum"), a.number("eps"));
    return {y, rm, rv};
  }
  return {F::instance_norm(in.at(0), {}, {}, in.at(1), in.at(2), true, 0.1, a.number("eps"))};
}

const std::map<std::string, OpFn>& op_table() {
  static const std::map<std::string, OpFn> table{
      {"conv2d", conv2d},
      {"max_pool2d", max_pool2d},
      {"avg_pool2d", avg_pool2d},
      {"adaptive_avg_pool2d",
       [](const Inputs& in, Args& a) -> Outputs {
         return {F::adaptive_avg_pool2d(in.at(0), a.pair("output_size"))};
       }},
      {"batch_norm", batch_norm},
      {"batch_norm_module", batch_norm_module},
      {"layer_norm",
       [](const Inputs& in, Args& a) -> Outputs {
         const auto shape = a.at("normalized_shape").get<Shape>();
         const Tensor w = in.size() > 1 ? in[1] : Tensor(), b = in.size() > 2 ? in[2] : Tensor();
         return {F::layer_norm(in.at(0), shape, w, b, a.number("eps"))};
       }},
      {"group_norm",
       [](const Inputs& in, Args& a) -> Outputs {
         const Tensor w = in.size() > 1 ? in[1] : Tensor(), b = in.size() > 2 ? in[2] : Tensor();
         return {F::group_norm(in.at(0), a.integer("num_groups"), w, b, a.number("eps"))};
       }},
      {"instance_norm", instance_norm},
      {"local_response_norm",
       [](const Inputs& in, Args& a) -> Outputs {
         return {F::local_response_norm(in.at(0), a.integer("size"), a.number("alpha"),
                                        a.number("beta"), a.number("k"))};
       }},
  };
  return table;
}

class ConvForward : public ::testing::TestWithParam<std::string> {};

TEST_P(ConvForward, MatchesTorch) {
  run_fixture_case<Args>(kFixtureFile, GetParam(), op_table(), "tests/ops/conv_fixtures_test.cpp",
                         kRtol, kAtol);
}

INSTANTIATE_TEST_SUITE_P(ConvFixtures, ConvForward,
                         ::testing::ValuesIn(fixture_case_names(kFixtureFile)),
                         [](const auto& info) { return fixture_test_name(info.param); });

TEST(ConvFixturesFile, EveryOpIsCoveredAndMapped) {
  const FixtureLoad& load = load_fixture(kFixtureFile);
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.file.generator, "tools/golden/make_conv_fixtures.py");
  std::set<std::string> ops;
  for (const FixtureCase& c : load.file.cases) ops.insert(c.op);
  for (const auto& [op, fn] : op_table()) EXPECT_TRUE(ops.count(op)) << "no case for " << op;
}

}  // namespace
}  // namespace nabla::testing
