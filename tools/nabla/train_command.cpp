// nabla train: config → data → model → Trainer → test evaluation, model files and report.
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "nabla/io/atomic_file.hpp"
#include "nabla/parallel.hpp"
#include "nabla/run/setup.hpp"
#include "nabla/run/trained.hpp"
#include "nabla/train/ensemble.hpp"
#include "run_report.hpp"
#include "task_text.hpp"

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

namespace fs = std::filesystem;

std::string default_out(const std::string& config_path) {
  return "runs/" + fs::path(config_path).stem().string();
}

// What a run leaves in its directory; any of them means the directory holds a run, which a new
// `nabla train` must not overwrite unless told to (--overwrite) or told to go on (--resume).
const std::vector<std::string> kRunMarkers = {"config.toml", "model.safetensors", "checkpoint"};
// Everything `nabla train` writes there, removed by --overwrite (nothing else in the directory).
const std::vector<std::string> kRunFiles = {
    "config.toml",  "model.safetensors", "preprocess.safetensors", "checkpoint", "snapshots",
    "metrics.jsonl", "metrics.csv",      "report.html",            "tensorboard",
    "graph.dot"};

// Keys a --resume may change: how long the run goes on, how often it saves and logs, how many
// threads compute. Everything else (data, model, optimizer, schedule, seed, batch size...)
// defines the run the checkpoint belongs to.
const std::vector<std::string> kResumableKeys = {
    "train.epochs",  "train.checkpoint_every",  "train.log_every", "train.threads",
    "train.workers", "train.eval_batch_size",   "train.monitor",   "train.progress",
    "train.tensorboard"};

std::string shell_quoted(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789_-./+=:,@%") == std::string::npos)
    return text;
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The config being trained from is no marker, even when it is DIR/config.toml itself.
std::vector<std::string> run_markers_in(const std::string& dir, const std::string& config) {
  std::vector<std::string> found;
  std::error_code error;
  for (const std::string& name : kRunMarkers) {
    const fs::path path = fs::path(dir) / name;
    if (!fs::exists(path, error)) continue;
    if (!config.empty() && fs::exists(config, error) && fs::equivalent(path, config, error)) continue;
    found.push_back(name);
  }
  return found;
}

std::string key_of(const std::string& set) {
  std::string key = set.substr(0, set.find('='));
  const size_t first = key.find_first_not_of(" \t"), last = key.find_last_not_of(" \t");
  return first == std::string::npos ? "" : key.substr(first, last - first + 1);
}

// --resume: the run's own config.toml (the original config with its overrides) plus the --set
// overrides that are safe to change. A --set of any other key is refused unless it repeats the
// run's own value (`nabla tune` resumes a trial with its whole command line).
run::Config resume_config(const TrainArgs& args, const std::string& out) {
  const std::string saved = (fs::path(out) / "config.toml").string();
  NABLA_CHECK(fs::exists(saved), "--resume: ", out, " holds no run to continue (no config.toml); "
              "check --out, or drop --resume to start a new run there");
  const std::string base = run::Config::from_file(saved).resolved_toml();
  std::string list;
  for (const std::string& key : kResumableKeys) list += (list.empty() ? "" : ", ") + key;
  for (const std::string& set : args.sets) {
    const std::string key = key_of(set);
    if (std::find(kResumableKeys.begin(), kResumableKeys.end(), key) != kResumableKeys.end())
      continue;
    if (run::Config::from_file(saved, {set}).resolved_toml() == base) continue;
    NABLA_FAIL("--resume: --set ", key, " would change the run in ", out, ", whose checkpoint "
               "belongs to its own config (", saved, "); a resumed run may change only ", list,
               ". To train with a different ", key, ", start a new run: another --out, or "
               "--overwrite to replace this one");
  }
  if (!args.config.empty())
    std::cerr << "nabla: note: --resume continues " << out << " with its own config ("
              << saved << ", the original run's config and overrides); " << args.config
              << " is not read\n";
  return run::Config::from_file(saved, args.sets);
}

std::string run_dir_of(const TrainArgs& args) {
  if (!args.out.empty()) return args.out;
  NABLA_CHECK(!args.config.empty(), "train: --resume needs the run directory: nabla train "
              "--resume --out runs/NAME");
  return default_out(args.config);
}

// Before anything is loaded: a directory that holds a run is continued (--resume) or replaced
// (--overwrite), never silently overwritten.
void check_run_dir(const TrainArgs& args, const std::string& out) {
  NABLA_CHECK(!(args.resume && args.overwrite), "train: --resume and --overwrite exclude each "
              "other: --resume continues the run in ", out, ", --overwrite replaces it");
  // Leftovers of writers killed mid-write go first, whatever happens next.
  if (fs::is_directory(out)) io::remove_stale_temporaries(out);
  if (args.resume || args.overwrite) return;
  const std::vector<std::string> found = run_markers_in(out, args.config);
  if (found.empty()) return;
  std::string names;
  for (const std::string& name : found) names += (names.empty() ? "" : ", ") + name;
  NABLA_FAIL("train: ", out, " already holds a run (", names, "); pass --resume to continue it "
             "(nabla train --resume --out ", shell_quoted(out), "), --overwrite to replace it, "
             "or --out another directory");
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

std::unique_ptr<Setup> prepare(const TrainArgs& args, const std::string& out) {
  auto setup = std::make_unique<Setup>(args.resume ? resume_config(args, out)
                                                   : run::Config::from_file(args.config, args.sets));
  Setup& s = *setup;
  s.out = out;
  const run::Config& config = s.config;
  const int64_t threads = config.integer("train.threads");
  if (threads > 0) set_num_threads(static_cast<int>(threads));

  train::TrainerOptions options = run::make_trainer_options(config);
  const data::DataLoaderOptions loader_options = run::make_loader_options(config);
  // Moved in before anything points at them (the loader, the input transform).
  run::PreparedModel prepared = run::prepare_model(config);
  s.splits = std::move(prepared.splits);
  s.preprocessing = std::move(prepared.preprocessing);
  s.model = std::move(prepared.model);
  const int64_t classes = s.splits.train.num_classes;
  report_transfer(run::load_pretrained(config, *s.model), run::freeze_parameters(config, *s.model));
  // train.device (checked by make_trainer_options): the model moves before the optimizer is made.
  if (config.text("train.device") == "cuda") s.model->to(Device::CUDA);
  auto optimizer = run::make_optimizer(config, *s.model);
  s.loader = std::make_unique<data::DataLoader>(s.splits.train, loader_options,
                                                run::make_sample_transform(config),
                                                run::make_batch_transform(config, classes));
  run::Schedule schedule = run::make_schedule(config, *optimizer, s.loader->batches_per_epoch());

  options.run_dir = s.out;
  options.schedule_per_step = schedule.per_step;
  options.reference_lr = schedule.peak_lr;
  const data::Preprocessing* pre = &s.preprocessing;
  options.input_transform = [pre](const Tensor& x) { return pre->apply(x); };
  s.trainer = std::make_unique<train::Trainer>(s.model, std::move(optimizer), run::make_loss(config),
                                               options);
  if (schedule.scheduler) s.trainer->set_scheduler(std::move(schedule.scheduler));
  if (schedule.plateau) s.trainer->set_plateau_scheduler(std::move(schedule.plateau));
  for (train::Regularizer& term : run::make_regularizers(config)) s.trainer->add_regularizer(term);
  if (config.integer("train.early_stopping.patience") > 0)
    s.trainer->add_callback(train::early_stopping(
        {.monitor = run::metric_choice(config, "train.early_stopping.monitor",
                                       {"val_loss", "val_accuracy", "train_loss",
                                        "train_accuracy"}),
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
  fs::create_directories(s.out);
  io::remove_stale_temporaries(s.out);
  // --overwrite (or leftovers of a run that never wrote its config): the files of the old run go,
  // so that no later --resume picks up its checkpoint. Nothing else in the directory is touched.
  if (!resume)
    for (const std::string& name : kRunFiles) fs::remove_all(fs::path(s.out) / name);
  io::write_file_atomically(s.out + "/config.toml", s.config.resolved_toml(), "nabla train");
}

// One training step's autograd graph, captured before training without a trace on it
// (run::step_graph_dot), and graph.dot beside the report. Never fails the run: a problem
// becomes the report's note.
StepGraph capture_step_graph(const Setup& s) {
  StepGraph graph;
  try {
    graph.dot = run::step_graph_dot(s.config, *s.model, s.splits.train, s.preprocessing);
    io::write_file_atomically(s.out + "/graph.dot", graph.dot, "nabla train");
  } catch (const std::exception& error) {
    graph.problem = std::string("The graph of a training step was not captured: ") + error.what();
  }
  return graph;
}

}  // namespace

int report_error(const std::string& message, int code) {
  std::cerr << "nabla: " << message << "\n";
  return code;
}

int train_command(const TrainArgs& args) {
  std::unique_ptr<Setup> setup;
  try {
    const std::string out = run_dir_of(args);
    check_run_dir(args, out);
    setup = prepare(args, out);
    prepare_run_dir(*setup, args.resume);
    if (args.resume && !setup->trainer->resume())
      return report_error("--resume: no checkpoint in " + setup->out +
                              "/checkpoint (the run stopped before its first one); start "
                              "afresh with --overwrite instead of --resume",
                          kExitBadInput);
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitBadInput);
  }
  Setup& s = *setup;
  try {
    const StepGraph graph = capture_step_graph(s);
    install_interrupt_handler(*s.trainer);
    const data::Dataset* validation = s.splits.validation.size() > 0 ? &s.splits.validation : nullptr;
    const train::History history = s.trainer->fit(*s.loader, validation);
    interrupt_target.store(nullptr);
    if (history.stop_kind == train::StopKind::interrupted) {
      // The run's config.toml holds the overrides, so this is the whole command.
      std::cerr << "nabla: interrupted; checkpoint saved. Continue with: nabla train --resume --out "
                << shell_quoted(s.out) << "\n";
      return kExitInterrupted;
    }
    const bool non_finite = history.stop_kind == train::StopKind::non_finite;
    const train::Evaluation test = s.trainer->evaluate(s.splits.test);
    run::save_trained(s.out, *s.model, s.preprocessing, s.splits.train.sample_shape(),
                      s.splits.train.num_classes, s.splits.train.class_names,
                      run::InputRange::of(s.splits.train.inputs));
    write_run_report(s.out + "/report.html", args.resume ? s.config.source() : args.config, s.config, *s.trainer, history, s.splits, test, graph);
    std::cout << test_headline(test, s.splits.test.size()) << "\nreport: " << s.out
              << "/report.html\n";
    if (non_finite) return report_error(history.stop_reason, kExitNonFinite);
    return 0;
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitFailure);
  }
}

}  // namespace nabla::cli
