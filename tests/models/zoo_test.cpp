// The model zoo (src/models/): parameter counts equal the published/torchvision numbers, each
// model runs a forward and backward pass, and the summary table reads like the notes' LeNet
// walkthrough.
#include <sstream>

#include "nabla/models/models.hpp"
#include "nabla/models/summary.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

models::ModelOptions imagenet(int64_t classes = 1000) {
  return {.num_classes = classes, .in_channels = 3};
}

// One forward and backward on `input_shape`: logits of [batch, classes], finite, and a
// gradient on every trainable parameter.
void expect_trains(const std::string& name, const models::ModelOptions& options,
                   const Shape& input_shape) {
  SCOPED_TRACE(name);
  manual_seed(0);
  auto model = models::create(name, options);
  const Tensor logits = (*model)(randn(input_shape));
  ASSERT_EQ(logits.shape(), (Shape{input_shape[0], options.num_classes}));
  EXPECT_TRUE(std::isfinite(sum(logits).item()));
  sum(logits * logits).backward();
  for (const auto& [parameter_name, parameter] : model->named_parameters()) {
    ASSERT_TRUE(parameter.grad().defined()) << parameter_name << " got no gradient";
    EXPECT_TRUE(std::isfinite(sum(abs(parameter.grad())).item())) << parameter_name;
  }
}

}  // namespace

TEST(Zoo, ParameterCountsMatchThePublishedNumbers) {
  EXPECT_EQ(models::create("lenet5_classic")->parameter_count(), 60'850);
  EXPECT_EQ(models::create("lenet5")->parameter_count(), 61'706);
  EXPECT_EQ(models::create("mlp")->parameter_count(), 784 * 256 + 256 + 256 * 128 + 128 + 1290);
  EXPECT_EQ(models::create("resnet20", {.num_classes = 10, .in_channels = 3})->parameter_count(),
            269'722);  // CIFAR: 3 input channels
  EXPECT_EQ(models::create("alexnet", imagenet())->parameter_count(), 61'100'840);
  EXPECT_EQ(models::create("vgg16", imagenet())->parameter_count(), 138'357'544);
  EXPECT_EQ(models::create("vgg11", imagenet())->parameter_count(), 132'863'336);
  EXPECT_EQ(models::create("googlenet", imagenet())->parameter_count(), 6'624'904);
  EXPECT_EQ(models::create("resnet18", imagenet())->parameter_count(), 11'689'512);
  EXPECT_EQ(models::create("resnet34", imagenet())->parameter_count(), 21'797'672);
}

TEST(Zoo, TorchvisionParameterNames) {
  const auto names = [](const models::ModulePtr& model) {
    std::vector<std::string> out;
    for (const auto& [name, parameter] : model->state_dict()) out.push_back(name);
    return out;
  };
  const auto resnet = names(models::create("resnet18", imagenet()));
  for (const char* expected : {"conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight",
                               "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_var",
                               "layer4.1.bn2.bias", "fc.weight"})
    EXPECT_NE(std::find(resnet.begin(), resnet.end(), expected), resnet.end()) << expected;
  const auto alex = names(models::create("alexnet", imagenet()));
  EXPECT_EQ(alex.front(), "features.0.weight");
  EXPECT_EQ(alex.back(), "classifier.6.bias");
  const auto inception = names(models::create("googlenet", imagenet()));
  EXPECT_NE(std::find(inception.begin(), inception.end(), "inception4e.branch2.1.conv.weight"),
            inception.end());
}

TEST(Zoo, SmallModelsTrainOnFashionMnistShapes) {
  for (const char* name : {"mlp", "lenet5", "lenet5_classic", "cnn_bn", "resnet20"})
    expect_trains(name, {}, {3, 1, 28, 28});
}

TEST(Zoo, LargeModelsRunOnATwoImageBatch) {
  // Reduced inputs where the architecture allows: adaptive pooling absorbs the size.
  expect_trains("alexnet", imagenet(10), {2, 3, 63, 63});
  expect_trains("vgg11", imagenet(10), {2, 3, 32, 32});
  expect_trains("googlenet", imagenet(10), {2, 3, 32, 32});
  expect_trains("resnet18", imagenet(10), {2, 3, 32, 32});
}

TEST(Zoo, DeepestModelsRunOnOneImage) {
  // vgg16 and resnet34 are vgg11 and resnet18 with more layers; small batches keep them quick.
  expect_trains("vgg16", imagenet(10), {1, 3, 32, 32});
  expect_trains("resnet34", imagenet(10), {2, 3, 32, 32});  // batch norm needs 2 values
}

TEST(Zoo, UnknownModelListsTheKnownOnes) {
  EXPECT_TRUE(throws_error_containing([] { models::create("lenet7"); },
                                      {"unknown model 'lenet7'", "lenet5_classic", "resnet20"}));
  EXPECT_TRUE(throws_error_containing([] { models::create("mlp", {.num_classes = 0}); },
                                      {"num_classes (0)", "must be positive"}));
}

TEST(Summary, LeNetRowsMatchTheNotesWalkthrough) {
  auto lenet = models::create("lenet5");
  const models::ModelSummary summary = models::summarize(*lenet, {1, 1, 28, 28});
  ASSERT_FALSE(summary.layers.empty());
  const models::LayerSummary& conv1 = summary.layers.front();
  EXPECT_EQ(conv1.name, "0");
  EXPECT_EQ(conv1.type, "Conv2d");
  EXPECT_EQ(conv1.output, (Shape{6, 28, 28}));
  EXPECT_EQ(conv1.parameters, 156);
  EXPECT_EQ(conv1.multiply_adds, 28 * 28 * 6 * 25);
  EXPECT_EQ(summary.layers.back().output, (Shape{10}));
  EXPECT_EQ(summary.parameters, 61'706);
  // conv1 117,600 + conv2 240,000 + fc 48,000 + 10,080 + 840
  EXPECT_EQ(summary.multiply_adds, 117'600 + 240'000 + 48'000 + 10'080 + 840);
  std::ostringstream table;
  table << summary;
  EXPECT_NE(table.str().find("total parameters: 61,706"), std::string::npos) << table.str();
  EXPECT_TRUE(lenet->is_training());  // mode restored
}

TEST(Summary, RestoresEveryModesAlsoWhenTheForwardThrows) {
  auto lenet = models::create("lenet5");
  auto classic = models::create("lenet5_classic");
  lenet->train();
  // Wrong channel count: the first convolution throws inside summarize.
  EXPECT_TRUE(throws_error_containing([&] { models::summarize(*lenet, {1, 3, 28, 28}); },
                                      {"conv2d"}));
  EXPECT_TRUE(lenet->is_training());
  // A mixed model keeps each module's own mode.
  classic->train();
  classic->named_children().front().second->eval();
  models::summarize(*classic, {1, 1, 28, 28});
  EXPECT_TRUE(classic->is_training());
  EXPECT_FALSE(classic->named_children().front().second->is_training());
}

TEST(Zoo, InitialisationFollowsTorchvision) {
  manual_seed(0);
  const auto std_of = [](const Tensor& t) { return std_dev(t).item(); };
  const auto find = [](const models::ModulePtr& model, const std::string& name) {
    for (const auto& [key, value] : model->state_dict())
      if (key == name) return value;
    ADD_FAILURE() << "no " << name;
    return Tensor();
  };
  auto resnet = models::create("resnet18", imagenet(10));
  // He normal, fan_out = 64 * 7 * 7: std sqrt(2 / 3136).
  EXPECT_NEAR(std_of(find(resnet, "conv1.weight")), std::sqrt(2.0 / 3136), 0.002);
  EXPECT_GT(sum(abs(find(resnet, "fc.bias"))).item(), 0.0);  // ResNet keeps Linear's default
  EXPECT_EQ(sum(find(resnet, "bn1.weight")).item(), 64.0);
  auto vgg = models::create("vgg11", imagenet(10));
  EXPECT_NEAR(std_of(find(vgg, "classifier.0.weight")), 0.01, 1e-4);
  EXPECT_EQ(sum(abs(find(vgg, "classifier.0.bias"))).item(), 0.0);
  EXPECT_EQ(sum(abs(find(vgg, "features.0.bias"))).item(), 0.0);
  auto inception = models::create("googlenet", imagenet(10));
  EXPECT_NEAR(std_of(find(inception, "inception3a.branch2.1.conv.weight")), 0.01, 1e-4);
  EXPECT_GT(sum(abs(find(inception, "fc.bias"))).item(), 0.0);
}
