// LeNet-5 as in LeCun, Bottou, Bengio and Haffner (1998), the version the notes count to 60,850
// trainable parameters: every layer squashes with the scaled tanh 1.7159·tanh(2a/3); the
// subsampling layers S2 and S4 sum each 2x2 window and apply one trainable coefficient and one
// bias per map; C3 connects each of its 16 maps to only some of S2's 6 maps (the paper's
// Table I), to break symmetry and save weights. The output layer is a Linear layer in place of
// the paper's Euclidean RBF units (the same 850 parameters).
#include "models/blocks.hpp"
#include "nabla/nn/functional.hpp"

namespace nabla::models {

namespace {

using namespace detail;

// S2/S4: y = coefficient[c] · (sum of the 2x2 window) + bias[c].
class Subsampling : public nn::Module {
 public:
  explicit Subsampling(int64_t channels) : Module("Subsampling"), channels_(channels) {
    // Coefficient and bias start like a one-input Linear layer's (fan-in 4).
    weight_ = register_parameter("weight", zeros({channels}));
    bias_ = register_parameter("bias", zeros({channels}));
    nn::init::uniform_(weight_, -0.5, 0.5);
    nn::init::uniform_(bias_, -0.5, 0.5);
  }
  Tensor forward(const Tensor& x) override {
    const Tensor window_sum =
        nn::functional::avg_pool2d(x, {.kernel_size = 2, .divisor_override = 1});
    return window_sum * weight_.reshape({1, channels_, 1, 1}) + bias_.reshape({1, channels_, 1, 1});
  }
  int64_t multiply_adds(const Shape&, const Shape& output) const override {
    return shape_numel(output);
  }

 protected:
  std::string extra_repr() const override { return std::to_string(channels_); }

 private:
  int64_t channels_;
  Tensor weight_, bias_;
};

// C3: map j of the output convolves only the S2 maps of kTable[j].
class PartialConv2d : public nn::Module {
 public:
  PartialConv2d() : Module("PartialConv2d") {
    static const std::vector<std::vector<int64_t>> kTable = {
        {0, 1, 2},    {1, 2, 3},    {2, 3, 4},    {3, 4, 5},         {4, 5, 0},    {5, 0, 1},
        {0, 1, 2, 3}, {1, 2, 3, 4}, {2, 3, 4, 5}, {3, 4, 5, 0},      {4, 5, 0, 1}, {5, 0, 1, 2},
        {0, 1, 3, 4}, {1, 2, 4, 5}, {0, 2, 3, 5}, {0, 1, 2, 3, 4, 5}};
    for (size_t j = 0; j < kTable.size(); ++j) {
      inputs_.push_back(from_vector(kTable[j], {static_cast<int64_t>(kTable[j].size())}));
      maps_.push_back(register_module(std::to_string(j),
                                      conv_layer(static_cast<int64_t>(kTable[j].size()), 1, 5)));
    }
  }
  Tensor forward(const Tensor& x) override {
    std::vector<Tensor> outputs;
    for (size_t j = 0; j < maps_.size(); ++j)
      outputs.push_back((*maps_[j])(index_select(x, 1, inputs_[j])));
    return cat(outputs, 1);
  }

 private:
  std::vector<Tensor> inputs_;
  std::vector<ModulePtr> maps_;
};

ModulePtr scaled_tanh() { return std::make_shared<nn::LeCunTanh>(); }

}  // namespace

ModulePtr lenet5_classic(const ModelOptions& options) {
  return std::make_shared<Stages>("LeNet5Classic",
                                  std::vector<std::pair<std::string, ModulePtr>>{
                                      {"c1", conv_layer(options.in_channels, 6, 5, 1, 2)},
                                      {"c1_act", scaled_tanh()},
                                      {"s2", std::make_shared<Subsampling>(6)},
                                      {"s2_act", scaled_tanh()},
                                      {"c3", std::make_shared<PartialConv2d>()},
                                      {"c3_act", scaled_tanh()},
                                      {"s4", std::make_shared<Subsampling>(16)},
                                      {"s4_act", scaled_tanh()},
                                      {"c5", conv_layer(16, 120, 5)},
                                      {"c5_act", scaled_tanh()},
                                      {"flatten", flatten_layer()},
                                      {"f6", linear_layer(120, 84)},
                                      {"f6_act", scaled_tanh()},
                                      {"output", linear_layer(84, options.num_classes)}});
}

}  // namespace nabla::models
