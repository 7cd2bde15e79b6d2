// nabla: train, evaluate and inspect networks from a TOML config (DESIGN.md, The command).
//
//   nabla train examples/fashion_mnist_lenet.toml --set optimizer.lr=0.05 --out runs/lenet
//   nabla eval runs/lenet
//   nabla predict runs/lenet images.safetensors probabilities.safetensors
//   nabla summary lenet5
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "commands.hpp"
#include "nabla/build_info.hpp"
#include "nabla/run/config.hpp"

namespace {

void print_config_keys() {
  std::cout << "Config keys (TOML sections and keys; --set section.key=value overrides one):\n";
  for (const nabla::run::KeyHelp& key : nabla::run::config_keys())
    std::cout << "  " << key.key << " (" << key.type
              << (key.default_value.empty() ? "" : ", default " + key.default_value)
              << (key.range.empty() ? "" : ", " + key.range) << ")\n      "
              << key.help << "\n";
}

// --verbose: errors name the source file and line of the check, for a bug report. Exported as
// NABLA_DEBUG too, so the `nabla train` children of `nabla tune` report the same way.
void show_error_locations() {
  setenv("NABLA_DEBUG", "1", 1);
  nabla::set_error_locations(true);
}

// The first argument that is not a global flag must name a command; CLI11 would only say "A
// subcommand is required". Empty when it does (or when there is none, which CLI11 reports).
std::string unknown_command_message(CLI::App& app, int argc, char** argv) {
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands([](CLI::App*) { return true; }))
    names.push_back(command->get_name());
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.starts_with("-")) continue;  // --verbose, --version, --help
    if (std::find(names.begin(), names.end(), arg) != names.end()) return "";
    const std::string nearest = nabla::run::nearest_name(arg, names);
    std::string list;
    for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
    return "unknown command '" + arg + "'" +
           (nearest.empty() ? "" : "; did you mean '" + nearest + "'?") + " (commands: " + list +
           "; nabla --help explains them)";
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nabla: train neural networks from a TOML config"};
  app.require_subcommand(1);
  // Global flags (--verbose) may also follow the subcommand: `nabla train x.toml --verbose`.
  // Set before any subcommand is added, which inherits it.
  app.fallthrough();
  app.set_version_flag("--version", [] { return nabla::build_info_text(); },
                       "version, commit, compiler and flags, BLAS, oneDNN, CUDA/MPI and threads");
  app.add_flag_callback("--verbose", show_error_locations,
                        "end error messages with the source location that raised them "
                        "(also NABLA_DEBUG=1)");

  nabla::cli::TrainArgs train;
  bool help_config = false;
  auto* train_cmd = app.add_subcommand("train", "train the model a config describes");
  train_cmd->add_option("config", train.config,
                        "TOML config (examples/*.toml); with --resume the run's own is used");
  train_cmd->add_option("--set", train.sets, "override a config key: --set optimizer.lr=0.05")
      ->allow_extra_args(false);
  train_cmd->add_option("--out", train.out, "run directory (default runs/<config name>)");
  train_cmd->add_flag("--resume", train.resume,
                      "continue the run in --out from its checkpoint and its own config.toml");
  train_cmd->add_flag("--overwrite", train.overwrite,
                      "replace the run already in --out (refused without --resume or this)");
  train_cmd->add_flag("--help-config", help_config, "list every config key with its default");

  nabla::cli::EvalArgs eval;
  auto* eval_cmd = app.add_subcommand(
      "eval", "evaluate a trained run, or an ensemble of several, on the test split");
  eval_cmd->add_option("run_dirs", eval.run_dirs, "directories written by nabla train")->required();
  eval_cmd->add_option("--set", eval.sets, "override a key of the runs' configs")
      ->allow_extra_args(false);
  eval_cmd->add_flag("--snapshots", eval.snapshots,
                     "ensemble the run's cosine-restart snapshots (train.snapshots = true)");
  eval_cmd->add_option("--tta", eval.tta,
                       "test-time augmentation, the views' predictions averaged: flip (2 views), "
                       "five_crop (5) or ten_crop (10); sets eval.tta");


  nabla::cli::SummaryArgs summary;
  auto* summary_cmd = app.add_subcommand("summary", "per-layer table of a zoo model or a config");
  summary_cmd->add_option("model", summary.target, "zoo name (lenet5, vgg16, ...) or a TOML config")
      ->required();
  summary_cmd->add_option("--input", summary.input_shape, "sample shape, e.g. --input 3 224 224");
  summary_cmd->add_option("--classes", summary.classes, "number of classes");
  summary_cmd->add_flag("--names", summary.names,
                        "list the state dict's names, shapes and kinds (to match a PyTorch "
                        "state dict) instead of the layer table");

  // Subcommands in their own files register here, one line each.
  nabla::cli::Commands commands;
  nabla::cli::register_predict(app, commands);
  nabla::cli::register_features(app, commands);
  nabla::cli::register_filters(app, commands);
  nabla::cli::register_graph(app, commands);
  nabla::cli::register_doctor(app, commands);
  nabla::cli::register_tune(app, commands);

  if (const std::string message = unknown_command_message(app, argc, argv); !message.empty())
    return nabla::cli::report_error(message, nabla::cli::kExitBadInput);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : nabla::cli::kExitBadInput;
  }
  if (*train_cmd) {
    if (help_config) return print_config_keys(), 0;
    if (train.config.empty() && !train.resume)
      return nabla::cli::report_error("train: which config? e.g. nabla train examples/spiral.toml",
                                      nabla::cli::kExitBadInput);
    return nabla::cli::train_command(train);
  }
  for (const auto& [subcommand, action] : commands)
    if (*subcommand) return action();
  if (*eval_cmd) return nabla::cli::eval_command(eval);
  return nabla::cli::summary_command(summary);
}
