// Saving and loading optimizer + scheduler state: 10 steps, save, load into fresh objects, 10
// more steps is bitwise equal to 20 uninterrupted steps. And the validation errors.
#include "nabla/optim/lbfgs.hpp"
#include "nabla/optim/schedule.hpp"
#include "optim/optim_test_util.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::optim;
using namespace nabla::testing;

namespace {

struct Problem {
  Tensor x = from_vector<double>({0.3, -1.2, 0.8, 2.0, -0.5, 1.1, 0.9, -0.7, 0.1, 1.4, -1.0, 0.6},
                                 {4, 3});
  Tensor y = from_vector<double>({1.0, -1.0, 0.5, 0.0, 2.0, -0.5, 1.5, 0.3}, {4, 2});
  Tensor w = from_vector<double>({0.1, 0.2, -0.3, 0.4, -0.5, 0.6}, {2, 3}, true);
  Tensor b = from_vector<double>({0.05, -0.05}, {2}, true);
};

void train(Problem& p, Optimizer& opt, LRScheduler& sched, int steps) {
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    regression_loss(p.w, p.b, p.x, p.y).backward();
    opt.step();
    sched.step();
  }
}

template <class Make, class MakeSched>
void expect_resume_is_bitwise(Make make, MakeSched make_sched) {
  Problem straight, first, second;
  auto o1 = make(straight);
  auto s1 = make_sched(*o1);
  train(straight, *o1, *s1, 20);

  auto o2 = make(first);
  auto s2 = make_sched(*o2);
  train(first, *o2, *s2, 10);
  const OptimizerState saved = o2->state_dict();
  const SchedulerState saved_sched = s2->state_dict();

  {
    autograd::NoGradGuard no_grad;
    second.w.copy_(first.w);
    second.b.copy_(first.b);
  }
  auto o3 = make(second);
  auto s3 = make_sched(*o3);
  o3->load_state_dict(saved);
  s3->load_state_dict(saved_sched);
  train(second, *o3, *s3, 10);
  EXPECT_EQ(second.w.to_vector<double>(), straight.w.to_vector<double>());
  EXPECT_EQ(second.b.to_vector<double>(), straight.b.to_vector<double>());
  EXPECT_EQ(s3->get_last_lr(), s1->get_last_lr());
}

}  // namespace

TEST(OptimStateDict, AdamWithCosineResumesBitwise) {
  expect_resume_is_bitwise(
      [](Problem& p) {
        return std::make_unique<Adam>(std::vector<Tensor>{p.w, p.b},
                                      AdamOptions{.lr = 0.05, .amsgrad = true});
      },
      [](Optimizer& o) { return std::make_unique<CosineAnnealingLR>(o, 7, 0.001); });
}

TEST(OptimStateDict, SgdMomentumWithStepLrResumesBitwise) {
  expect_resume_is_bitwise(
      [](Problem& p) {
        return std::make_unique<SGD>(std::vector<Tensor>{p.w, p.b},
                                     SGDOptions{.lr = 0.05, .momentum = 0.9, .nesterov = true});
      },
      [](Optimizer& o) { return std::make_unique<StepLR>(o, 4, 0.5); });
}

TEST(OptimStateDict, MismatchedStateIsAnError) {
  Problem p;
  Adam adam({p.w, p.b}, {.lr = 0.1});
  regression_loss(p.w, p.b, p.x, p.y).backward();
  adam.step();
  OptimizerState state = adam.state_dict();
  EXPECT_EQ(state.scalars.at("state.0.step"), 1.0);
  EXPECT_EQ(state.tensors.at("state.1.exp_avg").shape(), (Shape{2}));

  const Tensor other = zeros({5}, {.dtype = DType::f64, .requires_grad = true});
  Adam wrong_shape({p.w, other}, {.lr = 0.1});
  EXPECT_TRUE(throws_error_containing([&] { wrong_shape.load_state_dict(state); },
                                      {"Adam.load_state_dict", "state.1.exp_avg", "[5]"}));
  Adam fewer({p.w}, {.lr = 0.1});
  EXPECT_TRUE(throws_error_containing([&] { fewer.load_state_dict(state); },
                                      {"Adam.load_state_dict", "group 0", "1 parameters"}));
}

TEST(OptimStateDict, InvalidHyperparametersAreErrors) {
  const Tensor w = zeros({2}, {.dtype = DType::f64, .requires_grad = true});
  EXPECT_TRUE(throws_error_containing([&] { SGD s({w}, {.lr = -0.1}); },
                                      {"SGD", "invalid lr value: -0.1"}));
  EXPECT_TRUE(throws_error_containing([&] { SGD s({w}, SGDOptions{}); }, {"SGD", "lr is required"}));
  EXPECT_TRUE(throws_error_containing([&] { SGD s({w}, {.lr = 0.1, .nesterov = true}); },
                                      {"SGD", "Nesterov", "momentum"}));
  EXPECT_TRUE(throws_error_containing(
      [&] { SGD s({w}, {.lr = 0.1, .momentum = 0.9, .dampening = 0.1, .nesterov = true}); },
      {"SGD", "zero dampening"}));
  EXPECT_TRUE(throws_error_containing([&] { SGD s({w}, {.lr = 0.1, .momentum = -1}); },
                                      {"SGD", "momentum", "-1"}));
  EXPECT_TRUE(throws_error_containing([&] { Adam a({w}, {.beta1 = 1.0}); },
                                      {"Adam", "beta1", "[0, 1)"}));
  EXPECT_TRUE(throws_error_containing([&] { AdamW a({w}, {.beta2 = -0.5}); },
                                      {"AdamW", "beta2"}));
  EXPECT_TRUE(throws_error_containing([&] { Adam a({w}, {.eps = -1e-8}); }, {"Adam", "eps"}));
  EXPECT_TRUE(throws_error_containing([&] { Adagrad a({w}, {.lr_decay = -1}); },
                                      {"Adagrad", "lr_decay"}));
  EXPECT_TRUE(throws_error_containing([&] { Adadelta a({w}, {.rho = 1.5}); }, {"Adadelta", "rho"}));
  EXPECT_TRUE(throws_error_containing([&] { RMSprop r({w}, {.alpha = -0.1}); },
                                      {"RMSprop", "alpha"}));
  EXPECT_TRUE(throws_error_containing([&] { SGD s(std::vector<Tensor>{}, {.lr = 0.1}); },
                                      {"SGD", "has no parameters"}));
  EXPECT_TRUE(throws_error_containing([&] { SGD s({w, w}, {.lr = 0.1}); },
                                      {"SGD", "appears twice"}));
  // A per-group override is validated too, and groups keep their own lr.
  const Tensor v = zeros({2}, {.dtype = DType::f64, .requires_grad = true});
  SGD sgd({ParamGroup{{w}, {}}}, {.lr = 0.1});
  EXPECT_TRUE(throws_error_containing([&] { sgd.add_param_group({{v}, {{"lr", -1.0}}}); },
                                      {"SGD", "lr", "-1"}));
  sgd.add_param_group({{v}, {{"lr", 0.5}}});
  EXPECT_EQ(sgd.param_groups()[1].lr(), 0.5);
  EXPECT_EQ(sgd.param_groups()[1].options.at("momentum"), 0.0);
}
