// Error paths leave no trace: a step() that throws changes no parameter and no state (so the
// next good step continues as if it never ran), and a bad scheduler dict changes nothing.
#include <cmath>

#include "nabla/optim/schedule.hpp"
#include "optim/optim_test_util.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::optim;
using namespace nabla::testing;

namespace {

void expect_same_state(const OptimizerState& a, const OptimizerState& b) {
  EXPECT_EQ(a.scalars, b.scalars);
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (const auto& [key, t] : a.tensors) {
    ASSERT_TRUE(b.tensors.count(key)) << key;
    EXPECT_EQ(t.to_vector<double>(), b.tensors.at(key).to_vector<double>()) << key;
  }
}

}  // namespace

TEST(OptimStepErrors, AThrowingStepLeavesParametersAndStateUnchanged) {
  for (const char* name : {"SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW"}) {
    SCOPED_TRACE(name);
    const Tensor w = from_vector<double>({0.1, 0.2, -0.3, 0.4, -0.5, 0.6}, {2, 3}, true);
    Options options{{"lr", 0.1}};
    if (std::string(name) == "SGD" || std::string(name) == "RMSprop") options["momentum"] = 0.9;
    if (std::string(name) == "Adam") options["amsgrad"] = 1.0;
    auto opt = make_optimizer(name, {ParamGroup{{w}, options}});
    w.set_grad(from_vector<double>({1, -2, 3, -4, 5, -6}, {2, 3}));
    opt->step();
    // param_groups() is writable: a non-contiguous leaf slipped in fails the kernel's check.
    const Tensor u = from_vector<double>({1, 2, 3, 4, 5, 6}, {3, 2}).t().requires_grad_();
    u.set_grad(ones({2, 3}, {.dtype = DType::f64}));
    opt->param_groups()[0].params.push_back(u);
    const OptimizerState before = opt->state_dict();
    const std::vector<double> w_before = w.to_vector<double>();
    EXPECT_TRUE(throws_error_containing([&] { opt->step(); }, {"contiguous"}));
    expect_same_state(before, opt->state_dict());
    EXPECT_EQ(w.to_vector<double>(), w_before);
  }
}

TEST(OptimStepErrors, SgdMomentumStartsFromTheGradientAfterAFailedFirstStep) {
  // The first failed step must not leave an empty momentum buffer behind (torch's buf = g).
  const Tensor w = from_vector<double>({1.0, 2.0}, {2}, true);
  const Tensor u = from_vector<double>({1, 2, 3, 4}, {2, 2}).t().requires_grad_();
  SGD sgd({w}, {.lr = 0.5, .momentum = 0.9});
  sgd.param_groups()[0].params.push_back(u);
  w.set_grad(from_vector<double>({1.0, 1.0}, {2}));
  u.set_grad(ones({2, 2}, {.dtype = DType::f64}));
  EXPECT_TRUE(throws_error_containing([&] { sgd.step(); }, {"contiguous"}));
  sgd.param_groups()[0].params.pop_back();
  sgd.step();
  EXPECT_EQ(w.to_vector<double>(), (std::vector<double>{0.5, 1.5}));
}

TEST(OptimStepErrors, AmsgradMaximumPropagatesNaNAsTorchMaximum) {
  const Tensor w = from_vector<double>({0.5, 0.5}, {2}, true);
  Adam adam({w}, {.amsgrad = true});
  w.set_grad(from_vector<double>({std::nan(""), 1.0}, {2}));
  adam.step();
  const auto max_sq = adam.state_dict().tensors.at("state.0.max_exp_avg_sq").to_vector<double>();
  EXPECT_TRUE(std::isnan(max_sq[0]));
  EXPECT_FALSE(std::isnan(max_sq[1]));
}

TEST(OptimStepErrors, BadSchedulerDictChangesNothing) {
  const Tensor w = zeros({1}, {.dtype = DType::f64, .requires_grad = true});
  SGD sgd({w}, {.lr = 0.1});
  StepLR step_lr(sgd, 2);
  SchedulerState saved = step_lr.state_dict();
  saved["last_epoch"] = 7;
  saved.erase("_last_lr.0");
  EXPECT_TRUE(throws_error_containing([&] { step_lr.load_state_dict(saved); },
                                      {"_last_lr.0"}));
  EXPECT_EQ(step_lr.last_epoch(), 0);

  CosineAnnealingWarmRestarts warm(sgd, 3, 2, 0.01);
  SchedulerState warm_saved = warm.state_dict();
  warm_saved["last_epoch"] = 5;
  warm_saved.erase("T_i");
  // A nabla::Error naming the key (not std::out_of_range), before anything is assigned.
  EXPECT_TRUE(throws_error_containing([&] { warm.load_state_dict(warm_saved); }, {"T_i"}));
  EXPECT_EQ(warm.last_epoch(), 0);
}

TEST(OptimStepErrors, SchedulersRegisterTheGroupKeysTheyAdd) {
  // The optimizer base knows no schedule: "initial_lr" is a known key once a schedule exists.
  const Tensor w = zeros({1}, {.dtype = DType::f64, .requires_grad = true});
  const Tensor v = zeros({1}, {.dtype = DType::f64, .requires_grad = true});
  SGD sgd({w}, {.lr = 0.1});
  StepLR step_lr(sgd, 2);
  sgd.add_param_group({{v}, {{"initial_lr", 0.1}}});
  EXPECT_EQ(sgd.param_groups()[1].options.at("initial_lr"), 0.1);
}
