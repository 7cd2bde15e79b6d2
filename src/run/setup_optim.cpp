// The optimizer, schedule, loss, regularisation and train sections.

#include "nabla/amp.hpp"
#include "nabla/nn/functional/loss.hpp"
#include "nabla/optim/optim.hpp"
#include "nabla/optim/regularization.hpp"
#include "nabla/run/setup.hpp"

namespace nabla::run {

namespace {

// train.precision; bf16 / f16 only on CUDA, since the CPU ignores autocast (nabla/amp.hpp) and a
// run configured for mixed precision would silently train in float32.
Precision make_precision(const Config& config, const std::string& device) {
  const std::string name = choice(config, "train.precision", {"f32", "bf16", "f16"});
  if (name != "f32" && device == "cpu")
    config_error(config, "train.precision",
                 "= \"" + name + "\" needs train.device = \"cuda\": the CPU computes in float32 "
                 "(autocast changes nothing there); use train.device = \"cuda\", or \"f32\" on "
                 "the CPU");
  for (Precision precision : {Precision::bf16, Precision::f16})
    if (name == precision_name(precision)) return precision;
  return Precision::f32;
}

}  // namespace

std::unique_ptr<optim::Optimizer> make_optimizer(const Config& config, nn::Module& model) {
  const std::string name =
      choice(config, "optimizer.name", {"sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta"});
  const double lr = config.number("optimizer.lr");
  const double decay = config.number("optimizer.weight_decay");
  const double momentum = config.number("optimizer.momentum");
  const std::vector<double> betas = config.numbers("optimizer.betas");
  if (betas.size() != 2 || betas[0] < 0 || betas[0] >= 1 || betas[1] < 0 || betas[1] >= 1)
    config_error(config, "optimizer.betas", "must be two numbers in [0, 1), e.g. [0.9, 0.999]");
  const double eps = config.number("optimizer.eps");
  std::vector<optim::ParamGroup> params = parameter_groups(config, model);
  if (name == "sgd")
    return std::make_unique<optim::SGD>(params, optim::SGDOptions{
        .lr = lr, .momentum = momentum, .weight_decay = decay,
        .nesterov = config.boolean("optimizer.nesterov")});
  if (name == "adam")
    return std::make_unique<optim::Adam>(params, optim::AdamOptions{
        .lr = lr, .beta1 = betas[0], .beta2 = betas[1], .eps = eps, .weight_decay = decay});
  if (name == "adamw")
    return std::make_unique<optim::AdamW>(params, optim::AdamWOptions{
        .lr = lr, .beta1 = betas[0], .beta2 = betas[1], .eps = eps, .weight_decay = decay});
  if (name == "rmsprop")
    return std::make_unique<optim::RMSprop>(params, optim::RMSpropOptions{
        .lr = lr, .alpha = config.number("optimizer.alpha"), .eps = eps, .weight_decay = decay,
        .momentum = momentum});
  if (name == "adagrad")
    return std::make_unique<optim::Adagrad>(params, optim::AdagradOptions{
        .lr = lr, .weight_decay = decay, .eps = config.is_set("optimizer.eps") ? eps : 1e-10});
  return std::make_unique<optim::Adadelta>(params, optim::AdadeltaOptions{
      .lr = lr, .rho = config.number("optimizer.rho"),
      .eps = config.is_set("optimizer.eps") ? eps : 1e-6, .weight_decay = decay});
}

Schedule make_schedule(const Config& config, optim::Optimizer& optimizer, int64_t steps_per_epoch) {
  const std::string name = choice(config, "schedule.name",
                                  {"none", "step", "multistep", "exponential", "cosine",
                                   "cosine_restarts", "onecycle", "plateau"});
  const double gamma = config.number("schedule.gamma");
  const int64_t epochs = config.integer("train.epochs");
  Schedule schedule;
  if (name == "step")
    schedule.scheduler = std::make_unique<optim::StepLR>(
        optimizer, config.integer("schedule.step_size"), gamma);
  if (name == "multistep")
    schedule.scheduler = std::make_unique<optim::MultiStepLR>(
        optimizer, config.integers("schedule.milestones"), gamma);
  if (name == "exponential")
    schedule.scheduler = std::make_unique<optim::ExponentialLR>(optimizer, gamma);
  if (name == "cosine") {
    const int64_t t_max = config.integer("schedule.t_max");
    schedule.scheduler = std::make_unique<optim::CosineAnnealingLR>(
        optimizer, t_max > 0 ? t_max : epochs, config.number("schedule.eta_min"));
  }
  if (name == "cosine_restarts")
    schedule.scheduler = std::make_unique<optim::CosineAnnealingWarmRestarts>(
        optimizer, config.integer("schedule.t_0"),
        config.integer("schedule.t_mult"), config.number("schedule.eta_min"));
  if (name == "onecycle") {
    const double max_lr = config.number("schedule.max_lr") > 0 ? config.number("schedule.max_lr")
                                                               : 10 * config.number("optimizer.lr");
    const bool momentum = optimizer.defaults().count("momentum") &&
                          optimizer.param_groups()[0].options.at("momentum") > 0;
    schedule.scheduler = std::make_unique<optim::OneCycleLR>(
        optimizer, optim::OneCycleLROptions{
                       .max_lr = {max_lr},
                       .total_steps = epochs * steps_per_epoch,
                       .cycle_momentum = momentum});
    schedule.per_step = true;
    schedule.peak_lr = max_lr;
  }
  if (name == "plateau")
    schedule.plateau = std::make_unique<optim::ReduceLROnPlateau>(
        optimizer, optim::ReduceLROnPlateauOptions{
                       .factor = config.number("schedule.factor"),
                       .patience = config.integer("schedule.patience")});
  return schedule;
}

train::LossFn make_loss(const Config& config) {
  namespace F = nn::functional;
  const data::Task task = task_of(config);
  std::string name = config.text("loss.name");
  if (name.empty())
    name = task == data::Task::classification ? "cross_entropy"
           : task == data::Task::regression   ? "mse"
                                              : "bce_with_logits";
  if (name == "cross_entropy") return train::cross_entropy_loss(config.number("loss.label_smoothing"));
  // The model's HierarchicalSoftmax layer trains on its own path loss (the Trainer sees it);
  // this loss scores its exact log-probabilities in evaluation, where cross-entropy is −log p.
  if (name == "hierarchical_softmax") {
    if (config.number("loss.label_smoothing") != 0.0)
      config_error(config, "loss.label_smoothing",
                   "is not supported with loss.name = \"hierarchical_softmax\"; set it to 0");
    return train::cross_entropy_loss();
  }
  if (name == "mse") return [](const Tensor& y, const Tensor& t) { return F::mse_loss(y, t); };
  if (name == "l1") return [](const Tensor& y, const Tensor& t) { return F::l1_loss(y, t); };
  if (name == "huber")
    return [delta = config.number("loss.delta")](const Tensor& y, const Tensor& t) {
      return F::huber_loss(y, t, F::Reduction::mean, delta);
    };
  if (name == "smooth_l1")
    return [beta = config.number("loss.beta")](const Tensor& y, const Tensor& t) {
      return F::smooth_l1_loss(y, t, F::Reduction::mean, beta);
    };
  return [](const Tensor& y, const Tensor& t) { return F::binary_cross_entropy_with_logits(y, t); };
}

std::vector<train::Regularizer> make_regularizers(const Config& config) {
  std::vector<train::Regularizer> terms;
  const double l1 = config.number("regularization.l1");
  const double l2 = config.number("regularization.l2");
  // Penalties on weights only (dim >= 2), as the notes: biases are not regularised.
  auto weights = [](const nn::Module& model) {
    std::vector<Tensor> list;
    for (const Tensor& p : model.parameters())
      if (p.dim() >= 2 && p.requires_grad()) list.push_back(p);
    return list;
  };
  if (l1 > 0)
    terms.push_back([l1, weights](const nn::Module& m) { return optim::l1_penalty(weights(m)) * l1; });
  if (l2 > 0)
    terms.push_back([l2, weights](const nn::Module& m) { return optim::l2_penalty(weights(m)) * l2; });
  return terms;
}

train::TrainerOptions make_trainer_options(const Config& config) {
  train::TrainerOptions options;
  options.epochs = config.integer("train.epochs");
  options.task = task_of(config);
  options.log_every_steps = config.integer("train.log_every");
  options.checkpoint_every_steps = config.integer("train.checkpoint_every");
  options.eval_batch_size = config.integer("train.eval_batch_size");
  options.monitor = config.boolean("train.monitor");
  options.tensorboard = config.boolean("train.tensorboard");
  options.clip_grad_norm = config.number("regularization.clip_grad_norm");
  options.max_norm = config.number("regularization.max_norm");
  const std::string device = choice(config, "train.device", {"cpu", "cuda"});
  if (device == "cuda" && !cuda_available())
    config_error(config, "train.device",
                 "= \"cuda\": no CUDA device (built without CUDA / no GPU found); use \"cpu\"");
  options.precision = make_precision(config, device);
  return options;
}

}  // namespace nabla::run
