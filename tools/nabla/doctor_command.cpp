// nabla doctor CONFIG: the notes' babysitting checklist (train::run_doctor) on the model, data,
// loss, regularisers and optimizer a config builds, one verdict per check.
//
//   nabla doctor examples/fashion_mnist_mlp.toml
//   nabla doctor examples/fashion_mnist_mlp.toml --set optimizer.lr=10 --checks update_ratio,lr_range
//   nabla doctor examples/fashion_mnist_mlp.toml --json > doctor.json
//
// Exit codes: 0 no check failed (warnings allowed), 1 a check failed, 2 bad input (config,
// arguments, data), as `nabla train`.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "commands.hpp"
#include "nabla/parallel.hpp"
#include "nabla/run/setup.hpp"
#include "nabla/train/doctor.hpp"

namespace nabla::cli {

namespace {

struct DoctorArgs {
  std::string config;
  std::vector<std::string> sets;
  bool json = false;
  std::string checks;     // "a,b"; "" all
  int64_t samples = 0;    // 0: DoctorOptions' default
  int64_t batches = 0;    // overfit minibatches; 0: default
};

// What the checks need, built from the config; the config and preprocessing outlive the
// factories that point at them.
struct DoctorSetup {
  explicit DoctorSetup(run::Config loaded) : config(std::move(loaded)) {}
  run::Config config;
  data::Preprocessing preprocessing;
  train::DoctorInputs inputs;
  int64_t train_rows = 0;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) items.push_back(item);
  return items;
}

// The factories each check calls for a fresh model and optimizer, and the schedule the probe
// steps. Each is built once here, so a bad model, optimizer or schedule section is a config
// error (exit 2), not a failed check.
void set_factories(DoctorSetup& s, const run::PreparedModel& prepared, int64_t steps_per_epoch) {
  const run::Config* cfg = &s.config;
  train::DoctorInputs& in = s.inputs;
  in.make_model = [cfg, shape = prepared.sample_shape, classes = prepared.splits.train.num_classes,
                   tree = prepared.class_tree] { return run::make_model(*cfg, shape, classes, tree); };
  in.make_optimizer = [cfg](nn::Module& model) { return run::make_optimizer(*cfg, model); };
  in.make_scheduler = [cfg, steps_per_epoch](optim::Optimizer& optimizer) {
    return run::make_schedule(*cfg, optimizer, steps_per_epoch).scheduler;
  };
  std::unique_ptr<optim::Optimizer> optimizer = in.make_optimizer(*prepared.model);
  in.schedule_per_step = run::make_schedule(s.config, *optimizer, steps_per_epoch).per_step;
  const data::Preprocessing* pre = &s.preprocessing;
  in.preprocess = [pre](const Tensor& x) { return pre->apply(x); };
  in.loss = run::make_loss(s.config);
  in.regularizers = run::make_regularizers(s.config);
}

void apply_options(const DoctorArgs& args, train::DoctorOptions& options) {
  options.checks = split_list(args.checks);
  for (const std::string& name : options.checks) {
    const auto& names = train::doctor_check_names();
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    std::string list;
    for (const std::string& valid : names) list += (list.empty() ? "" : ",") + valid;
    throw std::invalid_argument("doctor: unknown check '" + name + "' in --checks; valid: " + list);
  }
  if (args.samples < 0 || args.batches < 0)
    throw std::invalid_argument("doctor: --samples and --batches must be >= 1 (0: the default)");
  if (args.samples > 0) options.samples = args.samples;
  if (args.batches > 0) options.overfit_batches = args.batches;
}

// Everything that can be wrong with the input, checked before any check runs (exit 2).
std::unique_ptr<DoctorSetup> prepare(const DoctorArgs& args) {
  auto s = std::make_unique<DoctorSetup>(run::Config::from_file(args.config, args.sets));
  const run::Config& config = s->config;
  const int64_t threads = config.integer("train.threads");
  if (threads > 0) set_num_threads(static_cast<int>(threads));
  const train::TrainerOptions trainer = run::make_trainer_options(config);
  const data::DataLoaderOptions loader = run::make_loader_options(config);
  run::PreparedModel prepared = run::prepare_model(config);
  s->preprocessing = std::move(prepared.preprocessing);
  const int64_t rows = prepared.splits.train.size(), batch = loader.batch_size;
  set_factories(*s, prepared,
                loader.drop_last ? std::max<int64_t>(1, rows / batch) : (rows + batch - 1) / batch);
  train::DoctorInputs& in = s->inputs;
  in.batch_size = batch;
  in.clip_grad_norm = trainer.clip_grad_norm;
  in.max_norm = trainer.max_norm;
  in.seed = static_cast<uint64_t>(config.integer("train.seed"));
  in.num_classes = prepared.splits.train.num_classes;
  s->train_rows = rows;
  in.train = std::move(prepared.splits.train);
  apply_options(args, in.options);
  return s;
}

int doctor_command(const DoctorArgs& args) {
  std::unique_ptr<DoctorSetup> setup;
  try {
    setup = prepare(args);
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitBadInput);
  }
  std::vector<train::CheckResult> results;
  try {
    results = train::run_doctor(setup->inputs);
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitFailure);
  }
  if (args.json) {
    std::cout << train::doctor_json(results);
  } else {
    const train::DoctorInputs& in = setup->inputs;
    std::cout << "nabla doctor " << args.config << ": " << std::min(in.options.samples, setup->train_rows)
              << " of " << setup->train_rows << " training samples, batch " << in.batch_size
              << ", seed " << in.seed << "\n"
              << train::doctor_text(results);
  }
  return train::doctor_failed(results) ? kExitFailure : 0;
}

}  // namespace

void register_doctor(CLI::App& app, Commands& commands) {
  auto args = std::make_shared<DoctorArgs>();
  auto* cmd = app.add_subcommand(
      "doctor", "the usual training checklist on a config: inputs, activations, initial loss, "
                "gradient check, overfitting, learning rate, update ratios, dead ReLUs, NaNs");
  cmd->add_option("config", args->config, "TOML config (examples/*.toml)")->required();
  cmd->add_option("--set", args->sets, "override a config key: --set optimizer.lr=0.05")
      ->allow_extra_args(false);
  cmd->add_flag("--json", args->json, "print the results as JSON");
  cmd->add_option("--checks", args->checks, "comma-separated subset, e.g. inputs,gradcheck");
  cmd->add_option("--samples", args->samples, "training rows the checks use (default 2048)");
  cmd->add_option("--batches", args->batches, "minibatches the overfit check memorises (default 8)");
  commands.emplace_back(cmd, [args] { return doctor_command(*args); });
}

}  // namespace nabla::cli
