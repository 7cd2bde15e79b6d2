// train::Trainer: the Keras-like fit / evaluate / predict of the notes, with callbacks.
//
//   train::Trainer trainer(model, std::move(optimizer), train::cross_entropy_loss(),
//                          {.epochs = 10, .run_dir = "runs/lenet"});
//   trainer.add_callback(train::early_stopping({.monitor = "val_loss", .patience = 3}));
//   trainer.resume();                                   // false on a fresh run_dir
//   train::History history = trainer.fit(train_loader, &validation);
//   train::Evaluation test = trainer.evaluate(test_set);
//
// One step: model.train(), inputs = input_transform(batch.inputs), logits = model(inputs),
// loss = loss_fn(logits, batch.targets) + regularisation, zero_grad, backward, NaN guard,
// gradient clipping (clip_grad_norm), optimizer.step(), the max-norm constraint (max_norm),
// NaN guard on the parameters, per-step scheduler step, callbacks'
// on_batch_end, a step line in metrics.jsonl every log_every_steps, a checkpoint every
// checkpoint_every_steps. At the end of an epoch: validation, the EpochRecord, per-epoch
// scheduler step (a ReduceLROnPlateau steps on the validation loss, or on the training loss
// without a validation set), the progress line, the epoch line in metrics.jsonl, callbacks'
// on_epoch_end, checkpoint.
//
// Mixed precision (options.precision, as torch.autocast + torch.cuda.amp.GradScaler): with bf16
// or f16 the forward and the loss of every step, of evaluate() and of predict() run inside
// AutocastGuard(precision) (nabla/amp.hpp: CUDA matmul / conv read bf16 / f16 inputs; the CPU
// computes in float32 whatever the setting). f16 adds dynamic loss scaling with a GradScaler
// made from options.grad_scaler (torch's defaults): backward of scale(loss), unscale_ before
// the NaN guard and clipping (both see the true gradients), scaler.step (skipped when a
// gradient is inf / NaN), scaler.update(). A skipped step still counts as a step (global step,
// per-step schedule, logging), as in torch's loop. bf16 needs no scaler. The scaler's state is
// saved in the checkpoint and restored by resume(); metrics.jsonl step and epoch lines then
// carry "loss_scale" and the epoch lines "skipped_steps".
//
// Reported losses are the loss function's values without the regularisers (so training and
// validation losses compare); the NaN guard watches the total.
//
// NaN guard (always on): after every backward the loss and the gradients, and after every optimizer
// step the parameters, must be finite (with f16 loss scaling, a non-finite gradient of a finite
// loss is the scaler's to handle: it skips the step and lowers the scale). Otherwise fit() prints
// what went wrong and what to try on `out` and returns with History::stop_kind ==
// StopKind::non_finite and a stop_reason naming the first non-finite parameter (dotted name) or,
// for a non-finite loss with finite parameters, the first layer whose output is non-finite (found
// by re-running that batch's forward under a hook), whether the inputs were, and the largest
// |parameter| with its name (exploding weights show there). No checkpoint is written for the
// poisoned state; fit() does not throw for it.
//
// Output (options.out, std::cerr if null). With options.progress: on a terminal (stderr is a
// tty and out is std::cerr) one updating line "epoch 3/10 [=====>    ] 412/938 1.2k samples/s
// loss 0.412 ETA 0:17", refreshed at most ~10 times a second; otherwise one line per epoch
// "epoch 3/10  train loss 0.4120 acc 85.31%  val loss 0.4011 acc 85.90%  lr 0.01  12.3 s  4870
// samples/s". Messages (NaN guard, update ratios out of range, early stopping, a plateau
// lowering the lr) print with or without progress.
//
// metrics.jsonl (with a run_dir): one JSON object per line, {"type":"step","epoch":E,"step":S,
// "loss":L,"lr":R} every log_every_steps steps (E 1-based, S the global step, 1-based; f16 adds
// "loss_scale", the scale after the step's update) and {"type":"epoch", every EpochRecord field}
// per epoch (loss_scale and skipped_steps with f16 only), epoch lines also carry "step" (the
// global step at the epoch's end); NaN is written as null. metrics.csv holds the same rows (a
// header line; columns type, epoch, step, loss, lr, train_loss, train_accuracy, val_loss,
// val_accuracy, seconds, samples_per_second, loss_scale, skipped_steps, update_ratio.<parameter>;
// an epoch row's learning_rate under lr; NaN empty). With options.tensorboard, TensorBoard event
// files in run_dir/tensorboard/: scalars step/loss, step/lr per step line, epoch/train_loss,
// epoch/train_accuracy, epoch/val_loss, epoch/val_accuracy, epoch/lr, update_ratio/<parameter>
// per epoch, and histograms weights/<parameter> per epoch, all at the global step. A fit() that
// does not follow a resume() starts the files afresh.
//
// Resuming: with a run_dir, a checkpoint (model, optimizer, scheduler, f16's GradScaler, global
// RNG, epoch and batch within it, the epoch's running sums, history, callback state, metrics.jsonl
// length) is written atomically to run_dir/checkpoint/last.safetensors every checkpoint_every_steps
// steps and at every epoch end. resume() loads it and cuts metrics.jsonl back to its length then
// (the lines a killed run wrote after its last checkpoint go); the following fit() then produces
// bitwise the weights an uninterrupted run would have (same seed, same thread count, same loader
// options: the loader's order depends only on (seed, epoch), so start_epoch(epoch, batches_done)
// finds the place). Nothing in the loop depends on wall time or thread timing. In the checkpoint,
// the schedulers' states sit under "lr." and "plateau." of its scheduler state, callback tensors
// under "extra.callback.<name>.", and the trainer's own state is the JSON text "trainer" (with f16
// its "grad_scaler" holds the scaler's state_dict). resume() sets the global generator, and fit()
// sets it again as it starts, so building things that draw random numbers between the two changes
// nothing. A run that had finished (all epochs, or stopped by a callback) resumes to a fit() that
// only runs the callbacks' on_train_end (early stopping restores its best weights) and returns.
#pragma once
#pragma GCC visibility push(default)

#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "nabla/amp.hpp"
#include "nabla/data/loader.hpp"
#include "nabla/nn/module.hpp"
#include "nabla/optim/grad_scaler.hpp"
#include "nabla/optim/optimizer.hpp"
#include "nabla/optim/schedule.hpp"
#include "nabla/train/metrics.hpp"
#include "nabla/train/monitor.hpp"

namespace nabla::train {

// loss(logits, targets) → scalar; targets are class indices [B] or probabilities [B, C].
// The reported epoch loss weights each batch's value by its size, so the loss should be a mean.
using LossFn = std::function<Tensor(const Tensor& logits, const Tensor& targets)>;
LossFn cross_entropy_loss(double label_smoothing = 0.0);
// Extra loss terms added to every training step's loss (L1 / L2 penalties); gets the model.
using Regularizer = std::function<Tensor(const nn::Module& model)>;

struct EpochRecord {
  int64_t epoch = 0;  // 1-based, as printed
  double train_loss = 0, train_accuracy = 0;  // over the epoch's batches (soft targets: argmax)
  double val_loss = NAN, val_accuracy = NAN;  // NaN without a validation set
  double learning_rate = 0;                   // group 0's, as used by the epoch's last step
  double seconds = 0, samples_per_second = 0;
  std::map<std::string, double> update_ratio;  // per parameter tensor, last step of the epoch
  double loss_scale = NAN;    // f16: the GradScaler's scale at the epoch's end; NaN otherwise
  int64_t skipped_steps = 0;  // f16: steps of the epoch the scaler skipped (inf / NaN gradient)
};

// Why fit() returned early (stop_reason says it in words).
enum class StopKind {
  none,         // every epoch ran
  callback,     // a callback called stop_training (early stopping)
  non_finite,   // the NaN guard fired
  interrupted,  // request_stop(); the checkpoint lets --resume go on
};

struct History {
  std::vector<EpochRecord> epochs;
  std::vector<std::pair<double, double>> step_loss;  // (fractional epoch, loss) every step
  std::vector<double> step_lr;  // group 0's lr of every step (as step_loss)
  std::string stop_reason;  // "" when all epochs ran; else early stopping / NaN / "interrupted"
  StopKind stop_kind = StopKind::none;
  int64_t best_epoch = 0;   // by the monitored quantity when early stopping restored it
};

struct TrainerOptions {
  int64_t epochs = 10;
  std::string run_dir;                 // "" writes nothing (no metrics, no checkpoints)
  int64_t log_every_steps = 50;        // step lines in metrics.jsonl; <= 0: none
  int64_t checkpoint_every_steps = 0;  // 0: only at epoch ends (and on interrupt)
  bool progress = true;                // progress bar on a terminal, plain lines otherwise
  bool monitor = true;                 // update ratios, histograms, dead ReLUs each epoch
  // The learning rate the update/weight ratios are judged at (~1e-3 there); the check scales
  // its expectation by lr / reference_lr, so warm-up and annealing are no alarm. The schedule's
  // peak (OneCycleLR's max_lr); 0: group 0's lr when the Trainer is made.
  double reference_lr = 0.0;
  bool tensorboard = false;            // TensorBoard events in run_dir/tensorboard/
  bool schedule_per_step = false;      // step the scheduler each batch instead of each epoch
  int64_t eval_batch_size = 256;
  // What the targets are: the per-step accuracy and evaluate()'s metrics follow it (NaN
  // accuracies for regression), and predict() gives softmax (classification), sigmoid
  // (multilabel) or the raw outputs (regression).
  data::Task task = data::Task::classification;
  // Preprocessing on the host, identity if empty. For a CUDA model it runs one batch ahead
  // (the next batch's copy overlaps the step), so it must not draw from the global generator.
  std::function<Tensor(const Tensor&)> input_transform;
  std::ostream* out = nullptr;         // progress and messages; std::cerr if null
  double clip_grad_norm = 0.0;         // > 0: clip the gradients' total 2-norm before each step
  double max_norm = 0.0;               // > 0: renorm each weight's output units after each step
  Precision precision = Precision::f32;  // autocast of forward + loss; f16 adds loss scaling
  optim::GradScalerOptions grad_scaler;  // f16's GradScaler (unused otherwise)
};

class Trainer;

// Hooks into fit(); every method has an empty default. state()/load_state() carry a callback's
// own counters through a checkpoint (early stopping's best value and patience), and
// state_tensors()/load_state_tensors() its tensors (early stopping's best weights). name() keys
// them in the checkpoint: give each callback of a trainer a distinct one.
class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(Trainer&) {}
  virtual void on_epoch_begin(Trainer&, int64_t /*epoch*/) {}  // 1-based
  virtual void on_batch_end(Trainer&, int64_t /*step*/, double /*loss*/) {}  // global step, 1-based
  virtual void on_epoch_end(Trainer&, const EpochRecord&) {}
  virtual void on_train_end(Trainer&, const History&) {}
  virtual std::string name() const = 0;
  virtual std::map<std::string, double> state() const { return {}; }
  virtual void load_state(const std::map<std::string, double>&) {}
  virtual nn::NamedTensors state_tensors() const { return {}; }
  virtual void load_state_tensors(const nn::NamedTensors&) {}
};

// Stops when `monitor` ("val_loss", "val_accuracy", "train_loss", "train_accuracy") has not
// improved by more than min_delta for `patience` epochs; restore_best reloads the best weights
// (a copy of the state dict taken at the best epoch) when training ends for any reason but an
// interrupt, and sets History::best_epoch. A val_* monitor without a validation set is an Error.
struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  int64_t patience = 5;
  double min_delta = 0.0;
  bool restore_best = true;
};
std::shared_ptr<Callback> early_stopping(const EarlyStoppingOptions& options);

// A callback from plain functions (any may be empty), e.g. to watch the loss in a test.
struct LambdaCallbackFns {
  std::function<void(Trainer&, int64_t epoch)> on_epoch_begin = {};
  std::function<void(Trainer&, int64_t step, double loss)> on_batch_end = {};
  std::function<void(Trainer&, const EpochRecord&)> on_epoch_end = {};
  std::function<void(Trainer&, const History&)> on_train_end = {};
};
std::shared_ptr<Callback> lambda_callback(std::string name, LambdaCallbackFns fns);

class Trainer {
 public:
  Trainer(std::shared_ptr<nn::Module> model, std::unique_ptr<optim::Optimizer> optimizer,
          LossFn loss, TrainerOptions options = {});
  ~Trainer();

  // Both must be bound to this trainer's optimizer().
  void set_scheduler(std::unique_ptr<optim::LRScheduler> scheduler);
  void set_plateau_scheduler(std::unique_ptr<optim::ReduceLROnPlateau> scheduler);
  void add_regularizer(Regularizer regularizer);
  void add_callback(std::shared_ptr<Callback> callback);
  // Tensors saved in every checkpoint under "extra." (the preprocessing statistics).
  void set_checkpoint_extra(nn::NamedTensors extra);
  // The extra tensors: those set, or after resume() those the checkpoint held.
  const nn::NamedTensors& checkpoint_extra() const;

  // Trains for the remaining epochs (all, or those after a resume()).
  History fit(data::DataLoader& train, const data::Dataset* validation = nullptr);
  // Loss and the task's metrics (classification: accuracy, top-5 accuracy, per-class accuracy
  // and the confusion matrix; regression: RMSE, MAE, R²; multilabel: label accuracy and the
  // per-label scores), in eval mode without gradients, in batches of eval_batch_size; restores
  // the model's train/eval mode. The dataset's task must be the trainer's.
  Evaluation evaluate(const data::Dataset& data);
  // Class probabilities [N, C] (softmax of the logits), label probabilities (sigmoid) or the
  // predicted values, as options().task says, in eval mode.
  Tensor predict(const Tensor& inputs);

  // Restores run_dir/checkpoint/last.safetensors (or `path`); false when there is none.
  bool resume(const std::string& path = "");
  // Writes the trainer's current state (run_dir/checkpoint/last.safetensors, or `path`).
  void save_checkpoint(const std::string& path = "");
  // Asks fit() to stop after the current step: it saves a checkpoint (with a run_dir), sets
  // History::stop_reason to "interrupted", and returns. Safe to call from a signal handler.
  void request_stop() { stop_requested_.store(true); }
  // For callbacks: fit() returns after the current step (from on_batch_end) or epoch (from
  // on_epoch_end) with stop_kind callback and this reason; the checkpoint records the stop.
  void stop_training(std::string reason);
  // For callbacks that restore weights: the epoch (1-based) they came from.
  void set_best_epoch(int64_t epoch);
  // Prints one message line on the trainer's output, clearing the progress bar first.
  void message(const std::string& line);

  nn::Module& model() { return *model_; }
  optim::Optimizer& optimizer() { return *optimizer_; }
  // The f16 loss scaler (get_scale(), growth_tracker()); null with f32 and bf16.
  optim::GradScaler* grad_scaler();
  const History& history() const;
  const TrainerOptions& options() const { return options_; }
  int64_t global_step() const;  // optimizer steps taken so far, across resumes
  // The monitor's latest numbers (epoch 0 until the first monitored epoch end).
  const MonitorSnapshot& last_monitor() const;

 private:
  struct State;  // src/train/trainer_state.hpp: the loop, its counters and outputs
  std::shared_ptr<nn::Module> model_;
  std::unique_ptr<optim::Optimizer> optimizer_;
  TrainerOptions options_;
  std::atomic<bool> stop_requested_{false};
  std::unique_ptr<State> state_;
};

}  // namespace nabla::train

#pragma GCC visibility pop
