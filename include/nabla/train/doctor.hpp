// The notes' babysitting checklist as one call: run_doctor() takes what a training run is made
// of (a model factory, the training data, preprocessing, loss, regularisers, an optimizer
// factory) and returns one verdict per check with its numbers. `nabla doctor CONFIG` is this
// function on the objects a config builds.
//
//   train::DoctorInputs in;
//   in.make_model = [] { return models::create("mlp", {.num_classes = 10, .in_features = 784}); };
//   in.train = data::load_mnist_dataset(data::kFashionMnistDir, true, 3000);
//   in.preprocess = [&pre](const Tensor& x) { return pre.apply(x); };   // fitted already
//   in.loss = train::cross_entropy_loss();
//   in.make_optimizer = [](nn::Module& m) {
//     return std::make_unique<optim::Adam>(m.parameters(), optim::AdamOptions{.lr = 1e-3}); };
//   std::vector<train::CheckResult> results = train::run_doctor(in);
//   std::cout << train::doctor_text(results);          // exit 1 if train::doctor_failed(results)
//
// Every check builds a fresh model (manual_seed(seed), then make_model(), so all start from the
// same initialisation; the global generator is left seeded) and reads a seeded subset of
// options.samples training rows, preprocessed once. Augmentation and mixup are not applied.
// Each check catches its own errors: one that throws is a `fail` whose summary is the message.
//
// The checks (names for DoctorOptions::checks and `--checks`), in order, with their thresholds.
// Where the notes give a number it is theirs; the others are chosen and justified here.
//   inputs        after preprocessing, per unit (a feature of [N, F] inputs, a channel of
//                 [N, C, ...] ones; constant units skipped): the notes' "the average of every
//                 input variable should be roughly 0" and "normalize to standard deviation 1 or
//                 to the range [-1, 1]". centring c = max |mean|/std: pass <= 0.1, fail > 0.5
//                 (the inputs then sit mostly on one side of zero, so a first-layer unit's
//                 weight gradients share one sign and descent zig-zags). Scale: pass when every
//                 unit's std is in [0.5, 2] or its values lie in [-1.1, 1.1] reaching 0.5;
//                 fail when a std is outside [0.1, 10]. Non-finite inputs fail.
//   activations   mean and std of every Linear/Conv2d/ReLU/Tanh/Sigmoid/BatchNorm output at
//                 initialisation on one batch (the notes' Xavier / He histograms). Fail: a layer
//                 whose output is constant (std <= 1e-7 x input std: all-zero or constant
//                 initialisation), vanishing (std < 1e-3 x input std) or exploding (std > 1e3 x
//                 input std). Warn: a tanh/sigmoid layer with > 50% of its outputs saturated
//                 (|tanh| > 0.99, sigmoid outside [0.01, 0.99]: their gradient is ~0), or the
//                 std changing > 10x from one recorded layer to the next.
//   initial_loss  the loss at initialisation with regularisation off, on one batch, against
//                 log(C) (the notes' "e.g. log(C) for softmax with C classes"). With logits
//                 of standard deviation s the expected loss is about log(C) + s²/2, so
//                 |loss - log C| <= 0.25 log C (s up to ~1.1 for C = 10) passes and
//                 > 0.75 log C fails (logits so large the model is confidently wrong at
//                 step 0, or so low it already "knows" the labels: a leak).
//   regularization  the notes' "increase regularization, the loss should increase": the loss
//                 with the regularisers (and weight decay's equivalent wd/2·||w||²) against
//                 the loss without, same batch, same weights. Fail when it does not rise;
//                 warn when the penalty exceeds the data loss (it would dominate training).
//                 With no regulariser configured the probe is the notes' small weight decay
//                 (1e-4·Σ||W||² over weight tensors).
//   gradcheck     a float64 copy of the model (dropout modules in eval mode, everything else
//                 in training mode), the whole objective (loss + regularisers) on
//                 gradcheck_samples rows: for up to gradcheck_entries entries per parameter
//                 tensor, analytic vs central-difference gradient (step 1e-5, the notes' h).
//                 Relative error |a - n| / max(|a|, |n|, s), where s is the smallest gradient
//                 a float64 difference of this loss resolves to 1e-5 (~2.5e-4 for a loss of
//                 2.3: 100 ulps of the loss / 2h / 1e-5). Pass <= 1e-5 (the notes' rule of
//                 thumb; a correct float64 gradient is ~1e-8), fail > 1e-3. An entry that
//                 misses is retried at steps 1e-6 and 1e-7; when the three numeric values
//                 disagree among themselves the entry sits on a kink (ReLU at 0, max-pool
//                 ties) and is set aside (warn if that is over half of them); when they agree
//                 with each other but not with the analytic value, the backward is wrong.
//   overfit       the notes' "overfit a small sample": overfit_batches minibatches of
//                 min(batch_size, 32) rows, the configured optimizer and learning rate with
//                 regularisation (regularisers, weight decay, dropout) off, up to
//                 overfit_max_steps steps; pass at >= 99% training accuracy, warn at >= 90%,
//                 otherwise (or a non-finite loss) fail.
//   lr_range      learning-rate range test: a fresh model, lr_steps steps with the learning
//                 rate growing exponentially from lr_min to lr_max (configured optimizer and
//                 regularisers), loss smoothed by a centred moving average. Reports the rate
//                 where the smoothed loss falls fastest per decade and where it diverges (above
//                 4x its minimum, or non-finite). Fail when the loss never falls below 90% of
//                 its start, or the configured rate is at or past the divergence point; warn
//                 when the configured rate is > 10x above or > 100x below the fastest one.
//   update_ratio  update_steps optimizer steps at the configured settings (schedule included);
//                 per weight tensor
//                 (dim >= 2) the median ||Δw|| / ||w|| of the last 10 steps (Adam's first steps
//                 move every weight by ~lr whatever its scale; the ratio settles within ~50
//                 steps, which is what the notes watch). The notes want ~1e-3: pass within
//                 [kUpdateRatioLow, kUpdateRatioHigh] = [1e-4, 1e-2] (monitor.hpp), warn
//                 within [1e-5, 1e-1], fail outside (a tenth of the weight changing per step),
//                 and fail when any single step moved a tensor by more than its own norm
//                 (ratio > 1: the initialisation was thrown away, whatever the ratio settles to).
//   dead_relu     per ReLU module, the fraction of units that output 0 for every row of one
//                 batch (monitor.hpp's dead_unit_fraction), at initialisation and after the
//                 update_ratio steps (the notes: "a large gradient during training can cause a
//                 neuron to die"): pass <= 25% (a healthy ReLU MLP under Adam 1e-3 loses ~12%
//                 of a hidden layer in its first 50 steps), warn <= 50%, fail above (most of
//                 the layer passes no gradient). Skipped without ReLU modules.
//   non_finite    NaN or inf in the outputs at initialisation, or in the loss, a gradient or a
//                 parameter during the update_ratio steps or the overfit run: fail, naming the
//                 first. (The lr range test is meant to diverge and is not counted.)
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nabla/data/dataset.hpp"
#include "nabla/nn/module.hpp"
#include "nabla/optim/optimizer.hpp"
#include "nabla/optim/schedule.hpp"
#include "nabla/train/trainer.hpp"

namespace nabla::train {

struct CheckResult {
  enum Verdict { pass, warn, fail, skipped };
  std::string name{};
  Verdict verdict = pass;
  std::string summary{};                   // one line with the key numbers
  std::map<std::string, double> numbers{}; // every number the check measured (NaN: not measured)
  std::string advice{};                    // what to try; "" on a pass
  std::vector<std::string> details{};      // extra lines (per layer / per tensor), may be empty
};

const char* verdict_name(CheckResult::Verdict verdict);  // "pass", "warn", "fail", "skipped"

// The checks, in the order run_doctor runs them.
const std::vector<std::string>& doctor_check_names();

struct DoctorOptions {
  std::vector<std::string> checks;  // empty: all; otherwise names from doctor_check_names()
  int64_t samples = 2048;           // training rows the checks draw from (a seeded subset)
  int64_t stats_batch = 512;        // rows of the one-batch checks (inputs reads all samples)
  int64_t gradcheck_samples = 4;
  int64_t gradcheck_entries = 20;   // per parameter tensor
  int64_t overfit_batches = 8;      // the notes' "~5-10 minibatches"
  int64_t overfit_max_steps = 400;
  double lr_min = 1e-5, lr_max = 1.0;
  int64_t lr_steps = 100;           // the notes' "within ~100 iterations"
  int64_t update_steps = 50;
};

struct DoctorInputs {
  std::function<std::shared_ptr<nn::Module>()> make_model;  // a fresh, initialised model
  data::Dataset train;
  std::function<Tensor(const Tensor&)> preprocess;  // fitted on the training split; identity if empty
  LossFn loss;                                      // cross_entropy_loss() if empty
  std::vector<Regularizer> regularizers;
  std::function<std::unique_ptr<optim::Optimizer>(nn::Module&)> make_optimizer;
  int64_t batch_size = 64;
  // Training's learning-rate schedule (empty: the optimizer's lr throughout). The update-ratio
  // probe runs under it from step 0, so a warm-up starts where training starts; it steps every
  // step with schedule_per_step, else once per epoch (ceil(train.size() / batch_size) steps).
  // The overfit check and the range test set their own rates and ignore it.
  std::function<std::unique_ptr<optim::LRScheduler>(optim::Optimizer&)> make_scheduler;
  bool schedule_per_step = false;
  double clip_grad_norm = 0.0;  // as TrainerOptions: > 0 clips before every step
  double max_norm = 0.0;        // as TrainerOptions: > 0 renorms weight rows after every step
  uint64_t seed = 0;
  int64_t num_classes = 0;  // 0: train.num_classes
  DoctorOptions options;
};

// Runs the selected checks. An unknown check name, a missing factory, an empty dataset or a
// non-positive option is an Error before any check runs.
std::vector<CheckResult> run_doctor(const DoctorInputs& inputs);

// True when some check failed (the command's exit code 1).
bool doctor_failed(const std::vector<CheckResult>& results);
// One line per check ("PASS  inputs  ..."), details and advice indented, then the counts.
std::string doctor_text(const std::vector<CheckResult>& results);
// {"checks": [{"name", "verdict", "summary", "numbers", "details", "advice"}, ...],
//  "counts": {"pass": n, "warn": n, "fail": n, "skipped": n}, "ok": bool}; NaN and inf
// numbers are null.
std::string doctor_json(const std::vector<CheckResult>& results);

}  // namespace nabla::train

#pragma GCC visibility pop
