// train::run_doctor through its C++ API on a Fashion-MNIST subset: a good setup passes every
// check, and each broken one (learning rate 10, all-zero initialisation, raw pixels, a layer
// whose backward is wrong) fails the check the notes would point at.
#include "nabla/train/doctor.hpp"

#include <cmath>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "nabla/autograd.hpp"
#include "nabla/data/idx.hpp"
#include "nabla/data/preprocess.hpp"
#include "nabla/models/models.hpp"
#include "nabla/nn/container.hpp"
#include "nabla/nn/activation.hpp"
#include "nabla/nn/init.hpp"
#include "nabla/nn/linear.hpp"
#include "nabla/ops.hpp"
#include "nabla/optim/adam.hpp"
#include "nabla/optim/regularization.hpp"
#include "nabla/parallel.hpp"
#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::throws_error_containing;
using ::testing::HasSubstr;

namespace {

const data::Dataset& fashion() {
  static const data::Dataset train = data::load_mnist_dataset(data::kFashionMnistDir, true, 2000);
  return train;
}

std::function<Tensor(const Tensor&)> standardize() {
  auto pre = std::make_shared<data::Preprocessing>(
      std::vector<data::PreprocessStep>{{.kind = "standardize", .mode = "global"}});
  pre->fit(fashion().inputs);
  return [pre](const Tensor& x) { return pre->apply(x); };
}

// 784-64-10 ReLU MLP, Adam at 5e-4 (the notes: "1e-3 or 5e-4 is a great starting point").
train::DoctorInputs good_inputs(double lr = 5e-4) {
  set_num_threads(1);
  train::DoctorInputs in;
  in.make_model = [] { return models::create("mlp", {.num_classes = 10, .hidden = {64}}); };
  in.train = fashion();
  in.preprocess = standardize();
  in.make_optimizer = [lr](nn::Module& model) {
    return std::make_unique<optim::Adam>(model.parameters(), optim::AdamOptions{.lr = lr});
  };
  in.batch_size = 64;
  in.seed = 1;
  in.options.samples = 1024;
  return in;
}

const train::CheckResult& find(const std::vector<train::CheckResult>& results, const std::string& name) {
  for (const train::CheckResult& r : results)
    if (r.name == name) return r;
  ADD_FAILURE() << "no result for " << name;
  static const train::CheckResult none;
  return none;
}

// ReLU as a custom op; with `wrong`, its backward forgets the mask (passes every gradient).
Tensor custom_relu(const Tensor& x, bool wrong) {
  Tensor y = relu(x.detach());
  autograd::record("custom_relu", {x}, y,
                   [saved = autograd::SavedTensor(x, "custom_relu"), wrong](const Tensor& g,
                                                                            const autograd::GradMask&) {
                     if (wrong) return autograd::Grads{g};
                     return autograd::Grads{where(gt(saved.get(), zeros_like(saved.get())), g, zeros_like(g))};
                   });
  return y;
}

class CustomReLU : public nn::Module {
 public:
  explicit CustomReLU(bool wrong) : Module("CustomReLU"), wrong_(wrong) {}
  Tensor forward(const Tensor& x) override { return custom_relu(x, wrong_); }

 private:
  bool wrong_;
};

std::shared_ptr<nn::Module> net_with_custom_relu(bool wrong) {
  auto net = std::make_shared<nn::Sequential>();
  net->push_back(std::make_shared<nn::Flatten>());
  net->push_back(std::make_shared<nn::Linear>(784, 32));
  net->push_back(std::make_shared<CustomReLU>(wrong));
  net->push_back(std::make_shared<nn::Linear>(32, 10));
  return net;
}

}  // namespace

TEST(Doctor, GoodSetupPassesEveryCheck) {
  const std::vector<train::CheckResult> results = train::run_doctor(good_inputs());
  ASSERT_EQ(results.size(), train::doctor_check_names().size());
  for (const train::CheckResult& r : results)
    EXPECT_EQ(r.verdict, train::CheckResult::pass) << train::doctor_text(results);
  EXPECT_FALSE(train::doctor_failed(results));
  EXPECT_NEAR(find(results, "initial_loss").numbers.at("log_classes"), std::log(10.0), 1e-12);
  EXPECT_LT(find(results, "gradcheck").numbers.at("max_relative_error"), 1e-5);
  EXPECT_GE(find(results, "overfit").numbers.at("accuracy"), 0.99);
}

TEST(Doctor, LearningRateTenFailsTheUpdateRatioAndTheRangeTest) {
  train::DoctorInputs in = good_inputs(10.0);
  in.options.checks = {"lr_range", "update_ratio"};
  const std::vector<train::CheckResult> results = train::run_doctor(in);
  ASSERT_EQ(results.size(), 2u);
  const train::CheckResult& ratio = find(results, "update_ratio");
  EXPECT_EQ(ratio.verdict, train::CheckResult::fail) << ratio.summary;
  EXPECT_GT(ratio.numbers.at("largest_step"), 1.0);  // Adam's first step: ~lr per weight
  EXPECT_THAT(ratio.summary, HasSubstr("x its norm"));
  EXPECT_THAT(ratio.advice, HasSubstr("lower optimizer.lr"));
  const train::CheckResult& range = find(results, "lr_range");
  EXPECT_EQ(range.verdict, train::CheckResult::fail) << range.summary;
  EXPECT_THAT(range.summary, HasSubstr("past the divergence point"));
  EXPECT_TRUE(train::doctor_failed(results));
}

TEST(Doctor, AllZeroInitialisationFailsActivationsAndOverfitting) {
  train::DoctorInputs in = good_inputs();
  in.make_model = [] {
    auto model = models::create("mlp", {.num_classes = 10, .hidden = {64}});
    autograd::NoGradGuard no_grad;
    for (const Tensor& p : model->parameters()) nn::init::zeros_(p);
    return model;
  };
  in.options.checks = {"activations", "overfit", "dead_relu"};
  const std::vector<train::CheckResult> results = train::run_doctor(in);
  const train::CheckResult& activations = find(results, "activations");
  EXPECT_EQ(activations.verdict, train::CheckResult::fail);
  EXPECT_THAT(activations.summary, HasSubstr("outputs a constant"));
  EXPECT_EQ(find(results, "overfit").verdict, train::CheckResult::fail);
  EXPECT_EQ(find(results, "dead_relu").verdict, train::CheckResult::fail);
}

TEST(Doctor, RawPixelsFailTheInputCheck) {
  train::DoctorInputs in = good_inputs();
  in.preprocess = {};  // pixels in [0, 1]: mean ~0.29, std ~0.35
  in.options.checks = {"inputs"};
  const std::vector<train::CheckResult> results = train::run_doctor(in);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].verdict, train::CheckResult::fail);
  EXPECT_THAT(results[0].summary, HasSubstr("not centred"));
  EXPECT_THAT(results[0].advice, HasSubstr("standardize"));
  EXPECT_NEAR(results[0].numbers.at("mean"), 0.29, 0.03);
}

TEST(Doctor, LargeFeaturesFailCentringAndScale) {
  train::DoctorInputs in = good_inputs();
  manual_seed(0);
  in.train = data::make_dataset(randn({500, 4}) * 50.0 + 1000.0, randint(0, 3, {500}), 3);
  in.preprocess = {};
  in.options.checks = {"inputs"};
  const std::vector<train::CheckResult> results = train::run_doctor(in);
  EXPECT_EQ(results[0].verdict, train::CheckResult::fail);
  EXPECT_THAT(results[0].summary, HasSubstr("not centred nor scaled"));
  EXPECT_THAT(results[0].summary, HasSubstr("4 features"));
  EXPECT_NEAR(results[0].numbers.at("max_unit_std"), 50.0, 10.0);
}

TEST(Doctor, SaturatedTanhLayersWarn) {
  train::DoctorInputs in = good_inputs();
  in.make_model = [] {  // tanh after weights 10x PyTorch's default: pre-activations of std ~6
    auto net = std::make_shared<nn::Sequential>();
    net->push_back(std::make_shared<nn::Flatten>());
    net->push_back(std::make_shared<nn::Linear>(784, 32));
    net->push_back(std::make_shared<nn::Tanh>());
    net->push_back(std::make_shared<nn::Linear>(32, 10));
    autograd::NoGradGuard no_grad;
    net->named_parameters().front().second.mul_(10.0);
    return net;
  };
  in.options.checks = {"activations"};
  const std::vector<train::CheckResult> results = train::run_doctor(in);
  EXPECT_EQ(results[0].verdict, train::CheckResult::warn) << results[0].summary;
  EXPECT_THAT(results[0].summary, HasSubstr("saturated"));
}

TEST(Doctor, WrongBackwardFailsTheGradientCheckAndRightOnePasses) {
  train::DoctorInputs in = good_inputs();
  in.options.checks = {"gradcheck"};
  in.make_model = [] { return net_with_custom_relu(/*wrong=*/true); };
  const std::vector<train::CheckResult> wrong = train::run_doctor(in);
  ASSERT_EQ(wrong.size(), 1u);
  EXPECT_EQ(wrong[0].verdict, train::CheckResult::fail) << wrong[0].summary;
  EXPECT_GT(wrong[0].numbers.at("1.weight.max_relative_error"), 1e-3);
  EXPECT_LT(wrong[0].numbers.at("3.weight.max_relative_error"), 1e-5);  // after the bad layer
  EXPECT_THAT(wrong[0].advice, HasSubstr("1.bias"));

  in.make_model = [] { return net_with_custom_relu(/*wrong=*/false); };
  const std::vector<train::CheckResult> right = train::run_doctor(in);
  EXPECT_EQ(right[0].verdict, train::CheckResult::pass) << right[0].summary;
}

TEST(Doctor, RegularizationCheckSeesTheConfiguredPenalty) {
  train::DoctorInputs in = good_inputs();
  in.options.checks = {"regularization"};
  in.regularizers = {[](const nn::Module& model) {
    return optim::l2_penalty({model.named_parameters().front().second}) * 1e-3;
  }};
  std::vector<train::CheckResult> results = train::run_doctor(in);
  EXPECT_EQ(results[0].verdict, train::CheckResult::pass) << results[0].summary;
  EXPECT_EQ(results[0].numbers.at("probe"), 0.0);
  in.regularizers = {[](const nn::Module& model) {
    return optim::l2_penalty({model.named_parameters().front().second}) * 100.0;
  }};
  results = train::run_doctor(in);
  EXPECT_EQ(results[0].verdict, train::CheckResult::warn) << results[0].summary;
  EXPECT_THAT(results[0].summary, HasSubstr("exceeds the data loss"));
}

TEST(Doctor, ACheckThatThrowsFailsAndTheOthersStillRun) {
  train::DoctorInputs in = good_inputs();
  in.options.checks = {"inputs", "initial_loss"};
  in.loss = [](const Tensor&, const Tensor&) -> Tensor { NABLA_FAIL("test loss: broken on purpose"); };
  const std::vector<train::CheckResult> results = train::run_doctor(in);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(find(results, "inputs").verdict, train::CheckResult::pass);
  EXPECT_EQ(find(results, "initial_loss").verdict, train::CheckResult::fail);
  EXPECT_THAT(find(results, "initial_loss").summary, HasSubstr("broken on purpose"));
}

TEST(Doctor, JsonHoldsEveryCheckAndNullForNaN) {
  std::vector<train::CheckResult> results(2);
  results[0] = {.name = "inputs", .verdict = train::CheckResult::pass, .summary = "ok",
                .numbers = {{"mean", 0.5}, {"missing", std::nan("")}}};
  results[1] = {.name = "overfit", .verdict = train::CheckResult::fail, .summary = "no",
                .advice = "try"};
  const nlohmann::json doc = nlohmann::json::parse(train::doctor_json(results));
  EXPECT_FALSE(doc.at("ok").get<bool>());
  EXPECT_EQ(doc.at("counts").at("fail").get<int>(), 1);
  EXPECT_EQ(doc.at("checks").size(), 2u);
  EXPECT_EQ(doc.at("checks")[0].at("numbers").at("mean").get<double>(), 0.5);
  EXPECT_TRUE(doc.at("checks")[0].at("numbers").at("missing").is_null());
  EXPECT_EQ(doc.at("checks")[1].at("verdict").get<std::string>(), "fail");
  const std::string text = train::doctor_text(results);
  EXPECT_THAT(text, HasSubstr("PASS   inputs"));
  EXPECT_THAT(text, HasSubstr("-> try"));
  EXPECT_THAT(text, HasSubstr("2 checks: 1 pass, 0 warn, 1 fail, 0 skipped"));
}

TEST(Doctor, BadInputsAreErrorsBeforeAnyCheck) {
  train::DoctorInputs in = good_inputs();
  in.options.checks = {"inputs", "gradchek"};
  EXPECT_TRUE(throws_error_containing([&] { train::run_doctor(in); },
                                      {"unknown check 'gradchek'", "gradcheck", "non_finite"}));
  in.options.checks = {};
  in.options.lr_min = 2.0;
  EXPECT_TRUE(throws_error_containing([&] { train::run_doctor(in); }, {"lr_min", "lr_max"}));
  train::DoctorInputs empty = good_inputs();
  empty.make_model = {};
  EXPECT_TRUE(throws_error_containing([&] { train::run_doctor(empty); }, {"make_model is empty"}));
}
