// A user's program: a custom Module trained for a few steps, saved to safetensors and loaded
// into a fresh instance, which must give the same outputs. Exits non-zero on any failure.
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "nabla/nabla.hpp"

namespace {

class TinyRegressor : public nabla::nn::Module {
 public:
  TinyRegressor() : Module("TinyRegressor") {
    hidden_ = register_module("hidden", std::make_shared<nabla::nn::Linear>(4, 16));
    out_ = register_module("out", std::make_shared<nabla::nn::Linear>(16, 1));
  }
  nabla::Tensor forward(const nabla::Tensor& x) override {
    return (*out_)(nabla::tanh((*hidden_)(x)));
  }

 private:
  std::shared_ptr<nabla::nn::Linear> hidden_, out_;
};

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "consumer_model.safetensors";
  try {
    nabla::manual_seed(0);
    const nabla::Tensor x = nabla::randn({64, 4});
    const nabla::Tensor y = nabla::sum(x, {1}, /*keepdim=*/true);  // learn the sum of the inputs

    TinyRegressor model;
    nabla::optim::Adam adam(model.parameters(), {.lr = 0.01});
    double first = 0, last = 0;
    for (int step = 0; step < 100; ++step) {
      adam.zero_grad();
      const nabla::Tensor loss = nabla::nn::functional::mse_loss(model(x), y);
      loss.backward();
      adam.step();
      (step == 0 ? first : last) = loss.item();
    }
    std::printf("consumer: mse %.4f -> %.4f after 100 Adam steps\n", first, last);
    if (!(last < 0.5 * first)) return std::fprintf(stderr, "consumer: loss did not fall\n"), 1;

    nabla::io::save_safetensors(path, model.state_dict());
    TinyRegressor reloaded;
    reloaded.load_state_dict(nabla::io::load_safetensors(path).tensors);
    if (!nabla::equal(model(x), reloaded(x)))
      return std::fprintf(stderr, "consumer: the reloaded model disagrees\n"), 1;
    std::printf("consumer: saved %s and reloaded it: same outputs\n", path.c_str());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "consumer: %s\n", error.what());
    return 1;
  }
  return 0;
}
