// The notes' first babysitting check: a small network must be able to overfit a small sample
// of real data. LeNet-5 on 512 Fashion-MNIST training images reaches 100% training accuracy.
#include "nabla/data/idx.hpp"
#include "nabla/models/models.hpp"
#include "nabla/nn/functional.hpp"
#include "nabla/optim/adam.hpp"
#include "support/harness.hpp"

using namespace nabla;

namespace {

double accuracy(nn::Module& model, const Tensor& images, const Tensor& labels) {
  autograd::NoGradGuard no_grad;
  const Tensor predicted = argmax((model)(images), 1);
  return mean(eq(predicted, labels).to(DType::f64)).item();
}

}  // namespace

TEST(Overfit, LeNet5Reaches100PercentOn512FashionMnistImages) {
  manual_seed(0);
  const data::ImageSet train = data::load_mnist_like(data::kFashionMnistDir, true, 512);
  // Standardised with the sample's own mean and std, as preprocessing would.
  const Tensor images = (train.images - mean(train.images)) / std_dev(train.images);
  auto model = models::create("lenet5");
  optim::Adam optimizer(model->parameters(), {.lr = 2e-3});
  double train_accuracy = 0.0;
  int epoch = 0;
  for (; epoch < 60 && train_accuracy < 1.0; ++epoch) {
    for (int64_t start = 0; start < 512; start += 64) {
      optimizer.zero_grad();
      const Tensor loss = nn::functional::cross_entropy(
          (*model)(images.narrow(0, start, 64)), train.labels.narrow(0, start, 64));
      loss.backward();
      optimizer.step();
    }
    train_accuracy = accuracy(*model, images, train.labels);
  }
  std::printf("overfit: %.4f training accuracy after %d epochs\n", train_accuracy, epoch);
  EXPECT_EQ(train_accuracy, 1.0);
}
