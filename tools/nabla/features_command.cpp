// nabla features: the penultimate layer's features of a trained run on one split, for a
// classifier trained elsewhere (the notes' "ConvNet as fixed feature extractor").
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "nabla/io/atomic_file.hpp"
#include "nabla/io/safetensors.hpp"
#include "nabla/run/setup.hpp"
#include "nabla/run/trained.hpp"
#include "nabla/train/inference.hpp"

namespace nabla::cli {

namespace {

struct FeaturesArgs {
  std::string run_dir;
  std::string split = "test";
  std::string out;
  std::vector<std::string> sets;
};

const data::Dataset& pick_split(const data::Splits& splits, const std::string& name) {
  const data::Dataset& data = name == "train" ? splits.train
                              : name == "validation" ? splits.validation
                                                     : splits.test;
  NABLA_CHECK(data.size() > 0, "features: the ", name, " split is empty (data.validation = 0?); "
              "choose --split train or test");
  return data;
}

// One line per sample: f0, ..., f<D-1>, label; floats printed to round-trip exactly.
std::string features_csv(const Tensor& features, const Tensor& targets) {
  std::ostringstream out;
  out.precision(9);
  const int64_t n = features.size(0), d = features.size(1);
  for (int64_t j = 0; j < d; ++j) out << "f" << j << ",";
  out << "label\n";
  const std::vector<float> values = features.to_vector<float>();
  const std::vector<int64_t> labels = targets.to_vector<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < d; ++j) out << values[static_cast<size_t>(i * d + j)] << ",";
    out << labels[static_cast<size_t>(i)] << "\n";
  }
  return out.str();
}

int features_command(const FeaturesArgs& args) {
  const std::string extension = std::filesystem::path(args.out).extension().string();
  if (extension != ".safetensors" && extension != ".csv")
    return report_error("features: --out '" + args.out + "' must end in .safetensors or .csv",
                        kExitBadInput);
  std::optional<run::TrainedModel> loaded;
  data::Dataset data;
  try {
    loaded.emplace(run::load_trained(args.run_dir, args.sets));
    data = pick_split(run::load_data(loaded->config), args.split);
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitBadInput);
  }
  try {
    run::TrainedModel& trained = *loaded;
    const data::Preprocessing* pre = &trained.preprocessing;
    const Tensor features = train::penultimate_features(
        *trained.model, data.inputs, [pre](const Tensor& x) { return pre->apply(x); },
        trained.config.integer("train.eval_batch_size"));
    if (extension == ".csv")
      io::write_file_atomically(args.out, features_csv(features, data.targets), "nabla features");
    else
      io::save_safetensors(args.out, {{"features", features}, {"targets", data.targets}},
                           {{"run", args.run_dir}, {"split", args.split}});
    std::cout << "wrote " << args.out << ": features " << features.shape() << " of the "
              << args.split << " split\n";
    return 0;
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitFailure);
  }
}

}  // namespace

void register_features(CLI::App& app, Commands& commands) {
  auto args = std::make_shared<FeaturesArgs>();
  CLI::App* sub = app.add_subcommand(
      "features", "write a trained run's penultimate-layer features of one split");
  sub->add_option("run_dir", args->run_dir, "directory written by nabla train")->required();
  sub->add_option("--split", args->split, "train | validation | test (default test)")
      ->check(CLI::IsMember({"train", "validation", "test"}));
  sub->add_option("--out", args->out, "features.safetensors (features, targets) or features.csv")
      ->required();
  sub->add_option("--set", args->sets, "override a key of the run's config")->allow_extra_args(false);
  commands.emplace_back(sub, [args] { return features_command(*args); });
}

}  // namespace nabla::cli
