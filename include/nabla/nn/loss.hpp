// Loss modules, torch.nn's names and options; each wraps the function in
// nabla/nn/functional/loss.hpp (formulas there). They take (input, target): call
// loss(input, target). Class weights (and pos_weight) are buffers named as torch's, so they
// appear in state dicts and move with the module.
//
//   nn::CrossEntropyLoss criterion({.label_smoothing = 0.1});
//   Tensor loss = criterion(logits, labels);
#pragma once
#pragma GCC visibility push(default)

#include "nabla/nn/functional/loss.hpp"
#include "nabla/nn/module.hpp"

namespace nabla::nn {

using functional::Reduction;

// A criterion: forward(input, target). The one-argument forward of Module is an Error.
class Loss : public Module {
 public:
  using Module::Module;
  virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;
  explicit Loss(std::string type_name, Reduction reduction)
      : Module(std::move(type_name)), reduction_(reduction) {}
  // Registers an optional weight as a buffer (torch's names); returns the registered handle.
  Tensor buffer_if_defined(const char* name, const Tensor& tensor);
  Reduction reduction_ = Reduction::mean;
};

class CrossEntropyLoss : public Loss {
 public:
  explicit CrossEntropyLoss(functional::CrossEntropyOptions options = {});
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;

 private:
  functional::CrossEntropyOptions options_;
};

class NLLLoss : public Loss {
 public:
  explicit NLLLoss(functional::NLLLossOptions options = {});
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;

 private:
  functional::NLLLossOptions options_;
};

class BCELoss : public Loss {
 public:
  explicit BCELoss(functional::BCEOptions options = {});
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;

 private:
  functional::BCEOptions options_;
};

class BCEWithLogitsLoss : public Loss {
 public:
  explicit BCEWithLogitsLoss(functional::BCEOptions options = {});
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;

 private:
  functional::BCEOptions options_;
};

class MultiMarginLoss : public Loss {
 public:
  explicit MultiMarginLoss(functional::MultiMarginLossOptions options = {});
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;

 private:
  functional::MultiMarginLossOptions options_;
};

class MSELoss : public Loss {
 public:
  explicit MSELoss(Reduction reduction = Reduction::mean) : Loss("MSELoss", reduction) {}
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
};

class L1Loss : public Loss {
 public:
  explicit L1Loss(Reduction reduction = Reduction::mean) : Loss("L1Loss", reduction) {}
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;
};

class HuberLoss : public Loss {
 public:
  explicit HuberLoss(Reduction reduction = Reduction::mean, double delta = 1.0)
      : Loss("HuberLoss", reduction), delta_(delta) {}
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;

 private:
  double delta_;
};

class SmoothL1Loss : public Loss {
 public:
  explicit SmoothL1Loss(Reduction reduction = Reduction::mean, double beta = 1.0)
      : Loss("SmoothL1Loss", reduction), beta_(beta) {}
  using Loss::forward;
  Tensor forward(const Tensor& input, const Tensor& target) override;

 private:
  double beta_;
};

}  // namespace nabla::nn

#pragma GCC visibility pop
