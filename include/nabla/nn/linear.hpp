// Fully connected layers. Linear: y = x Wᵀ + b, W [out, in], b [out], x [..., in]; PyTorch's
// default init: W ~ U(-1/√in, 1/√in) (kaiming_uniform_ with a = √5), b likewise.
#pragma once
#pragma GCC visibility push(default)

#include "nabla/nn/module.hpp"

namespace nabla::nn {

struct LinearOptions {
  int64_t in_features = 0;
  int64_t out_features = 0;
  bool bias = true;
  DType dtype = DType::f32;
};

class Linear : public Module {
 public:
  explicit Linear(const LinearOptions& options);
  Linear(int64_t in_features, int64_t out_features, bool bias = true)
      : Linear(LinearOptions{.in_features = in_features, .out_features = out_features, .bias = bias}) {}
  Tensor forward(const Tensor& x) override;
  void reset_parameters();
  int64_t multiply_adds(const Shape& input, const Shape& output) const override;

  Tensor weight, bias;  // bias undefined when options.bias is false

 protected:
  std::string extra_repr() const override;

 private:
  LinearOptions options_;
};

// Flattens dims start_dim..end_dim (torch.nn.Flatten: 1..-1, keeping the batch).
class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1);
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  int64_t start_dim_, end_dim_;
};

}  // namespace nabla::nn

#pragma GCC visibility pop
