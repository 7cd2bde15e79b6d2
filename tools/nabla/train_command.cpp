// nabla train: config → data → model → Trainer → test evaluation, model files and report.
#include <csignal>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "nabla/io/atomic_file.hpp"
#include "nabla/parallel.hpp"
#include "nabla/random.hpp"
#include "nabla/run/setup.hpp"
#include "nabla/run/trained.hpp"
#include "nabla/train/ensemble.hpp"
#include "run_report.hpp"

namespace nabla::cli {

namespace {

std::atomic<train::Trainer*> interrupt_target{nullptr};

// Ctrl-C: ask the trainer to stop after this step and save a checkpoint. SA_RESETHAND makes a
// second Ctrl-C kill the process at once.
void on_interrupt(int) {
  if (train::Trainer* trainer = interrupt_target.load()) trainer->request_stop();
}

void install_interrupt_handler(train::Trainer& trainer) {
  interrupt_target.store(&trainer);
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

std::string default_out(const std::string& config_path) {
  return "runs/" + std::filesystem::path(config_path).stem().string();
}

void report_transfer(const std::optional<run::PretrainedLoad>& pretrained,
                     const std::vector<std::string>& frozen) {
  if (pretrained) {
    std::cout << "pretrained: " << pretrained->loaded << " tensors from " << pretrained->source;
    if (!pretrained->kept_new.empty()) {
      std::cout << "; new:";
      for (const std::string& name : pretrained->kept_new) std::cout << " " << name;
    }
    if (pretrained->ignored > 0) std::cout << "; " << pretrained->ignored << " unused";
    std::cout << "\n";
  }
  if (!frozen.empty()) std::cout << "frozen: " << frozen.size() << " parameter tensors\n";
}

// Everything that can be wrong with the input, checked before any training (exit 2).
// Never moved: the trainer's input transform points at `preprocessing` and the loader at
// `splits.train`, so prepare() builds it in place behind a unique_ptr.
struct Setup {
  explicit Setup(run::Config loaded) : config(std::move(loaded)) {}
  Setup(const Setup&) = delete;
  Setup& operator=(const Setup&) = delete;
  run::Config config;
  data::Splits splits;
  data::Preprocessing preprocessing;
  std::shared_ptr<nn::Module> model;
  std::unique_ptr<data::DataLoader> loader;
  std::unique_ptr<train::Trainer> trainer;
  std::string out;
};

std::unique_ptr<Setup> prepare(const TrainArgs& args) {
  auto setup = std::make_unique<Setup>(run::Config::from_file(args.config, args.sets));
  Setup& s = *setup;
  const run::Config& config = s.config;
  const int64_t threads = config.integer("train.threads");
  if (threads < 0) run::config_error(config, "train.threads", "must be >= 0 (0: all cores)");
  if (threads > 0) set_num_threads(static_cast<int>(threads));
  manual_seed(static_cast<uint64_t>(config.integer("train.seed")));

  train::TrainerOptions options = run::make_trainer_options(config);
  const data::DataLoaderOptions loader_options = run::make_loader_options(config);
  s.splits = run::load_data(config);
  s.preprocessing = run::make_preprocessing(config);
  s.preprocessing.fit(s.splits.train.inputs);
  const int64_t classes = s.splits.train.num_classes;
  s.model = run::make_model(config, s.preprocessing.output_sample_shape(s.splits.train.sample_shape()),
                            classes);
  report_transfer(run::load_pretrained(config, *s.model), run::freeze_parameters(config, *s.model));
  // train.device (checked by make_trainer_options): the model moves before the optimizer is made.
  if (config.text("train.device") == "cuda") s.model->to(Device::CUDA);
  auto optimizer = run::make_optimizer(config, *s.model);
  s.loader = std::make_unique<data::DataLoader>(s.splits.train, loader_options,
                                                run::make_sample_transform(config),
                                                run::make_batch_transform(config, classes));
  run::Schedule schedule = run::make_schedule(config, *optimizer, s.loader->batches_per_epoch());

  s.out = args.out.empty() ? default_out(args.config) : args.out;
  options.run_dir = s.out;
  options.schedule_per_step = schedule.per_step;
  const data::Preprocessing* pre = &s.preprocessing;
  options.input_transform = [pre](const Tensor& x) { return pre->apply(x); };
  s.trainer = std::make_unique<train::Trainer>(s.model, std::move(optimizer), run::make_loss(config),
                                               options);
  if (schedule.scheduler) s.trainer->set_scheduler(std::move(schedule.scheduler));
  if (schedule.plateau) s.trainer->set_plateau_scheduler(std::move(schedule.plateau));
  for (train::Regularizer& term : run::make_regularizers(config)) s.trainer->add_regularizer(term);
  if (config.integer("train.early_stopping.patience") > 0)
    s.trainer->add_callback(train::early_stopping(
        {.monitor = run::choice(config, "train.early_stopping.monitor",
                                {"val_loss", "val_accuracy", "train_loss", "train_accuracy"}),
         .patience = config.integer("train.early_stopping.patience"),
         .min_delta = config.number("train.early_stopping.min_delta"),
         .restore_best = config.boolean("train.early_stopping.restore_best")}));
  if (config.boolean("train.snapshots")) {
    if (config.text("schedule.name") != "cosine_restarts")
      run::config_error(config, "train.snapshots",
                        "snapshots are taken at the ends of warm-restart cycles; set "
                        "schedule.name = \"cosine_restarts\" (with schedule.t_0, schedule.t_mult)");
    s.trainer->add_callback(train::snapshot_callback(
        s.out + "/snapshots", config.integer("schedule.t_0"), config.integer("schedule.t_mult")));
  }
  s.trainer->set_checkpoint_extra(s.preprocessing.state());
  return setup;
}

void prepare_run_dir(const Setup& s, bool resume) {
  std::filesystem::create_directories(s.out);
  io::remove_stale_temporaries(s.out);
  if (!resume) {
    // A fresh run must not leave an older run's checkpoint for a later --resume to pick up.
    std::filesystem::remove_all(s.out + "/checkpoint");
    std::filesystem::remove_all(s.out + "/snapshots");
    std::filesystem::remove(s.out + "/metrics.jsonl");
  }
  io::write_file_atomically(s.out + "/config.toml", s.config.resolved_toml(), "nabla train");
}

}  // namespace

int report_error(const std::string& message, int code) {
  std::cerr << "nabla: " << message << "\n";
  return code;
}

int train_command(const TrainArgs& args) {
  std::unique_ptr<Setup> setup;
  try {
    setup = prepare(args);
    prepare_run_dir(*setup, args.resume);
    if (args.resume && !setup->trainer->resume())
      return report_error("--resume: no checkpoint in " + setup->out +
                              "/checkpoint; run without --resume to start afresh",
                          kExitBadInput);
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitBadInput);
  }
  Setup& s = *setup;
  try {
    install_interrupt_handler(*s.trainer);
    const data::Dataset* validation = s.splits.validation.size() > 0 ? &s.splits.validation : nullptr;
    const train::History history = s.trainer->fit(*s.loader, validation);
    interrupt_target.store(nullptr);
    if (history.stop_kind == train::StopKind::interrupted) {
      std::cerr << "nabla: interrupted; checkpoint saved. Continue with: nabla train " << args.config
                << " --out " << s.out << " --resume\n";
      return kExitInterrupted;
    }
    const bool non_finite = history.stop_kind == train::StopKind::non_finite;
    const train::Evaluation test = s.trainer->evaluate(s.splits.test);
    run::save_trained(s.out, *s.model, s.preprocessing, s.splits.train.sample_shape(),
                      s.splits.train.num_classes, s.splits.train.class_names,
                      run::InputRange::of(s.splits.train.inputs));
    write_run_report(s.out + "/report.html", args.config, s.config, *s.trainer, history, s.splits, test);
    std::cout << std::fixed << std::setprecision(2) << "test accuracy: " << 100.0 * test.accuracy
              << "% (" << s.splits.test.size() << " samples)\nreport: " << s.out << "/report.html\n";
    if (non_finite) return report_error(history.stop_reason, kExitNonFinite);
    return 0;
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitFailure);
  }
}

}  // namespace nabla::cli
