// Built-in callbacks: early stopping (with restore of the best weights) and callbacks made of
// plain functions.
#include <cmath>
#include <cstdio>
#include <limits>

#include "nabla/autograd.hpp"
#include "nabla/train/trainer.hpp"

namespace nabla::train {

namespace {

class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options) : options_(std::move(options)) {
    const std::string& m = options_.monitor;
    NABLA_CHECK(m == "val_loss" || m == "val_accuracy" || m == "train_loss" ||
                    m == "train_accuracy",
                "early_stopping: unknown monitor \"", m,
                "\"; use val_loss, val_accuracy, train_loss or train_accuracy");
    NABLA_CHECK(options_.patience >= 1, "early_stopping: patience must be >= 1 epoch, got ",
                options_.patience);
    NABLA_CHECK(options_.min_delta >= 0, "early_stopping: min_delta must be >= 0, got ",
                options_.min_delta);
    maximise_ = m.find("accuracy") != std::string::npos;
  }

  std::string name() const override { return "early_stopping"; }

  void on_epoch_end(Trainer& trainer, const EpochRecord& record) override {
    const double value = monitored(record);
    NABLA_CHECK(!std::isnan(value) || options_.monitor.rfind("val_", 0) != 0,
                "early_stopping: monitor ", options_.monitor,
                " needs a validation set; pass one to fit() or monitor train_loss");
    const bool improved = best_epoch_ == 0 || (maximise_ ? value > best_ + options_.min_delta
                                                         : value < best_ - options_.min_delta);
    if (improved) {
      best_ = value;
      best_epoch_ = record.epoch;
      wait_ = 0;
      if (options_.restore_best) keep_best(trainer.model());
      return;
    }
    if (++wait_ < options_.patience) return;
    char text[200];
    std::snprintf(text, sizeof text,
                  "early stopping: %s has not improved for %lld epochs (best %.4g at epoch %lld)",
                  options_.monitor.c_str(), static_cast<long long>(wait_), best_,
                  static_cast<long long>(best_epoch_));
    trainer.message(text);
    trainer.stop_training(text);
  }

  void on_train_end(Trainer& trainer, const History& history) override {
    // An interrupted run goes on from its checkpoint, which holds the latest weights.
    if (!options_.restore_best || best_state_.empty() || history.stop_kind == StopKind::interrupted)
      return;
    trainer.model().load_state_dict(best_state_);
    trainer.set_best_epoch(best_epoch_);
    if (history.stop_kind == StopKind::non_finite || history.epochs.empty() ||
        history.epochs.back().epoch != best_epoch_)
      trainer.message("early stopping: restored the weights of epoch " +
                      std::to_string(best_epoch_));
  }

  std::map<std::string, double> state() const override {
    return {{"best", best_epoch_ ? best_ : std::numeric_limits<double>::quiet_NaN()},
            {"best_epoch", static_cast<double>(best_epoch_)},
            {"wait", static_cast<double>(wait_)}};
  }

  void load_state(const std::map<std::string, double>& state) override {
    const auto get = [&](const char* key) {
      const auto it = state.find(key);
      NABLA_CHECK(it != state.end(), "early_stopping: checkpoint state lacks \"", key, "\"");
      return it->second;
    };
    best_epoch_ = static_cast<int64_t>(get("best_epoch"));
    wait_ = static_cast<int64_t>(get("wait"));
    best_ = best_epoch_ ? get("best") : 0.0;
  }

  nn::NamedTensors state_tensors() const override { return best_state_; }
  void load_state_tensors(const nn::NamedTensors& tensors) override { best_state_ = tensors; }

 private:
  double monitored(const EpochRecord& record) const {
    const std::string& m = options_.monitor;
    if (m == "val_loss") return record.val_loss;
    if (m == "val_accuracy") return record.val_accuracy;
    if (m == "train_loss") return record.train_loss;
    return record.train_accuracy;
  }

  void keep_best(const nn::Module& model) {
    autograd::NoGradGuard no_grad;
    best_state_.clear();
    for (const auto& [name, tensor] : model.state_dict())
      best_state_.emplace_back(name, tensor.detach().clone());
  }

  EarlyStoppingOptions options_;
  bool maximise_ = false;
  double best_ = 0.0;
  int64_t best_epoch_ = 0, wait_ = 0;
  nn::StateDict best_state_;
};

class LambdaCallback : public Callback {
 public:
  LambdaCallback(std::string name, LambdaCallbackFns fns)
      : name_(std::move(name)), fns_(std::move(fns)) {}
  std::string name() const override { return name_; }
  void on_epoch_begin(Trainer& t, int64_t epoch) override {
    if (fns_.on_epoch_begin) fns_.on_epoch_begin(t, epoch);
  }
  void on_batch_end(Trainer& t, int64_t step, double loss) override {
    if (fns_.on_batch_end) fns_.on_batch_end(t, step, loss);
  }
  void on_epoch_end(Trainer& t, const EpochRecord& record) override {
    if (fns_.on_epoch_end) fns_.on_epoch_end(t, record);
  }
  void on_train_end(Trainer& t, const History& history) override {
    if (fns_.on_train_end) fns_.on_train_end(t, history);
  }

 private:
  std::string name_;
  LambdaCallbackFns fns_;
};

}  // namespace

std::shared_ptr<Callback> early_stopping(const EarlyStoppingOptions& options) {
  return std::make_shared<EarlyStopping>(options);
}

std::shared_ptr<Callback> lambda_callback(std::string name, LambdaCallbackFns fns) {
  NABLA_CHECK(!name.empty(), "lambda_callback: the name is empty; checkpoints key callbacks by name");
  return std::make_shared<LambdaCallback>(std::move(name), std::move(fns));
}

}  // namespace nabla::train
