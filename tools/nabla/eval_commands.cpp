// nabla eval: a finished run (or an ensemble of runs) on its test split.
#include <algorithm>
#include <iomanip>
#include <memory>
#include <optional>
#include <sstream>
#include <iostream>

#include "commands.hpp"
#include "nabla/data/test_time.hpp"
#include "nabla/io/safetensors.hpp"
#include "nabla/run/setup.hpp"
#include "nabla/run/trained.hpp"
#include "nabla/train/ensemble.hpp"
#include "nabla/train/inference.hpp"
#include "nabla/train/metrics.hpp"
#include "nabla/ops.hpp"
#include "task_text.hpp"

namespace nabla::cli {

namespace {

// eval.tta of a run's config, checked: the views and the padding of their crops.
struct TestTimeSetting {
  data::TestTimeViews views = data::TestTimeViews::none;
  int64_t padding = 0;
};
TestTimeSetting test_time_setting(const run::TrainedModel& trained) {
  const run::Config& config = trained.config;
  TestTimeSetting setting;
  setting.views = data::parse_test_time_views(
      run::choice(config, "eval.tta", {"none", "flip", "five_crop", "ten_crop"}));
  if (setting.views != data::TestTimeViews::none && trained.sample_shape.size() != 3) {
    std::ostringstream shape;
    shape << trained.sample_shape;
    run::config_error(config, "eval.tta", "flips and crops need images [C, H, W]; this run's "
                      "samples are " + shape.str());
  }
  setting.padding = config.integer("eval.tta_padding");
  if (setting.padding == 0) setting.padding = config.integer("augment.crop_padding");
  const bool crops = setting.views == data::TestTimeViews::five_crop ||
                     setting.views == data::TestTimeViews::ten_crop;
  if (crops && setting.padding == 0)
    run::config_error(config, "eval.tta_padding",
                      "is 0 and the run trained without augment.crop_padding; the crops need a "
                      "padding, e.g. --set eval.tta_padding=2");
  return setting;
}

// The members of an ensemble: the runs named, or (snapshots) the cycle snapshots of one run,
// each a TrainedModel whose weights are that snapshot's, with its eval.tta setting (checked
// once, before any member predicts).
struct Member {
  std::string name;
  std::shared_ptr<run::TrainedModel> trained;
  TestTimeSetting tta;
};

// The member's predictions of `inputs` [N, ...] (class or label probabilities, regression
// values) in batches, preprocessing applied, averaged over the views of eval.tta.
Tensor predictions(const Member& member, const Tensor& inputs) {
  run::TrainedModel& trained = *member.trained;
  const run::Config& config = trained.config;
  const TestTimeSetting& setting = member.tta;
  const data::Preprocessing* pre = &trained.preprocessing;
  return train::predict_view_average(
      *trained.model, inputs, trained.task,
      [&](const Tensor& batch) {
        return setting.views == data::TestTimeViews::none
                   ? std::vector<Tensor>{batch}
                   : data::test_time_views(batch, setting.views, setting.padding);
      },
      [pre](const Tensor& x) { return pre->apply(x); }, config.integer("train.eval_batch_size"));
}

void print_evaluation(const train::ClassificationMetrics& metrics,
                      const std::vector<std::string>& names) {
  std::cout << std::fixed << std::setprecision(2) << "test accuracy: " << 100 * metrics.accuracy()
            << "%  top-" << std::min<int64_t>(5, static_cast<int64_t>(metrics.confusion().size()))
            << ": " << 100 * metrics.top_k_accuracy() << "%  (" << metrics.count() << " samples)\n"
            << "per class:\n";
  const std::vector<double> per_class = metrics.per_class_accuracy();
  for (size_t c = 0; c < per_class.size(); ++c)
    std::cout << "  " << std::setw(3) << c << " " << std::left << std::setw(14)
              << (c < names.size() ? names[c] : "") << std::right << std::setw(7)
              << 100 * per_class[c] << "%\n";
  std::cout << "confusion matrix (rows: true class, columns: predicted):\n";
  for (const std::vector<int64_t>& row : metrics.confusion()) {
    for (int64_t count : row) std::cout << std::setw(6) << count;
    std::cout << "\n";
  }
}



std::vector<Member> load_members(const EvalArgs& args) {
  NABLA_CHECK(!args.run_dirs.empty(), "eval: name a run directory");
  NABLA_CHECK(!args.snapshots || args.run_dirs.size() == 1,
              "eval --snapshots: give one run directory (its snapshots/ are the members)");
  std::vector<Member> members;
  if (args.snapshots) {
    const std::string dir = args.run_dirs[0] + "/snapshots";
    const std::vector<std::string> files = train::snapshot_files(dir);
    NABLA_CHECK(!files.empty(), "eval --snapshots: '", dir, "' holds no cycle-<k>.safetensors; "
                "train with schedule.name = \"cosine_restarts\" and train.snapshots = true");
    for (const std::string& file : files) {
      auto trained = std::make_shared<run::TrainedModel>(run::load_trained(args.run_dirs[0], args.sets));
      trained->model->load_state_dict(io::load_safetensors(file).tensors);
      members.push_back({file, std::move(trained), {}});
    }
    return members;
  }
  for (const std::string& dir : args.run_dirs) {
    members.push_back({dir, std::make_shared<run::TrainedModel>(run::load_trained(dir, args.sets)), {}});
    const run::TrainedModel& first = *members.front().trained;
    const run::TrainedModel& last = *members.back().trained;
    NABLA_CHECK(last.num_classes == first.num_classes && last.sample_shape == first.sample_shape,
                "eval: '", dir, "' predicts ", last.num_classes, " classes from samples ",
                last.sample_shape, ", '", members.front().name, "' ", first.num_classes,
                " from ", first.sample_shape, "; ensemble members must share the task");
  }
  return members;
}

// One line per member, then the best single member and the ensemble's mean of probabilities.
void print_ensemble(const std::vector<Member>& members, const std::vector<double>& accuracies,
                    double ensemble_accuracy) {
  size_t width = 24;
  for (const Member& m : members) width = std::max(width, m.name.size() + 2);
  std::cout << std::fixed << std::setprecision(2) << std::left << std::setw(static_cast<int>(width))
            << "member" << "test accuracy\n";
  for (size_t k = 0; k < members.size(); ++k)
    std::cout << std::setw(static_cast<int>(width)) << members[k].name << 100 * accuracies[k] << "%\n";
  const size_t best = static_cast<size_t>(
      std::max_element(accuracies.begin(), accuracies.end()) - accuracies.begin());
  std::cout << std::setw(static_cast<int>(width)) << "best single member" << 100 * accuracies[best]
            << "% (" << members[best].name << ")\n"
            << std::setw(static_cast<int>(width))
            << ("ensemble of " + std::to_string(members.size())) << 100 * ensemble_accuracy
            << "% (mean of probabilities; " << std::showpos << 100 * (ensemble_accuracy - accuracies[best])
            << std::noshowpos << " points over the best member)\n\n" << std::right;
}

// Regression or multi-label: one member, or the ensemble's mean of predicted values (regression)
// or of label probabilities (multi-label, scored as logits log(p / (1 - p))).
void evaluate_task(const std::vector<Member>& members, const data::Dataset& test) {
  const run::TrainedModel& first = *members.front().trained;
  std::vector<Tensor> outputs;
  for (const Member& member : members) {
    run::TrainedModel& trained = *member.trained;
    NABLA_CHECK(trained.task == first.task, "eval: '", member.name, "' is a ",
                data::task_name(trained.task), " run, '", members.front().name, "' a ",
                data::task_name(first.task), " one; ensemble members must share the task");
    outputs.push_back(predictions(member, test.inputs));
  }
  Tensor mean = outputs[0];
  for (size_t k = 1; k < outputs.size(); ++k) mean = mean + outputs[k];
  mean = mean / static_cast<double>(outputs.size());
  train::Evaluation evaluation;
  evaluation.task = first.task;
  if (first.task == data::Task::regression) {
    train::RegressionMetrics metrics(first.num_classes);
    metrics.add(mean, test.targets);
    evaluation.regression = train::scores_of(metrics);
  } else {
    const Tensor p = clamp(mean, 1e-7, 1.0 - 1e-7);
    train::MultilabelMetrics metrics(first.num_classes);
    metrics.add(log(p / (1.0 - p)), test.targets);
    evaluation.accuracy = metrics.label_accuracy();
    evaluation.labels = train::scores_of(metrics);
  }
  if (members.size() > 1)
    std::cout << "ensemble of " << members.size() << " runs (mean of "
              << (first.task == data::Task::regression ? "predicted values" : "label probabilities")
              << ")\n";
  std::cout << test_headline(evaluation, test.size()) << "\n";
  print_task_details(std::cout, evaluation, first.class_names);
}

}  // namespace

// One line when the predictions average test-time views: which, and the cost.
void print_test_time_views(const run::Config& config) {
  const std::string views = config.text("eval.tta");
  if (views == "none") return;
  const int64_t count = data::view_count(data::parse_test_time_views(views));
  std::cout << "test-time augmentation: " << views << ", the mean of " << count
            << " views' predictions (" << count << "x the inference cost)\n";
}

int eval_command(const EvalArgs& given) {
  EvalArgs args = given;
  if (!args.tta.empty()) args.sets.push_back("eval.tta=" + args.tta);
  std::vector<Member> members;
  data::Splits splits;
  try {
    members = load_members(args);
    for (Member& member : members) member.tta = test_time_setting(*member.trained);
    splits = run::load_data(members.front().trained->config);
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitBadInput);
  }
  try {
    const run::TrainedModel& first = *members.front().trained;
    print_test_time_views(first.config);
    if (first.task != data::Task::classification) {
      evaluate_task(members, splits.test);
      return 0;
    }
    std::vector<Tensor> probs;
    std::vector<double> accuracies;
    for (Member& member : members) {
      probs.push_back(predictions(member, splits.test.inputs));
      train::ClassificationMetrics metrics(first.num_classes);
      metrics.add(probs.back(), splits.test.targets);
      accuracies.push_back(metrics.accuracy());
    }
    train::ClassificationMetrics metrics(first.num_classes);
    metrics.add(train::average_probabilities(probs), splits.test.targets);
    if (members.size() > 1) print_ensemble(members, accuracies, metrics.accuracy());
    print_evaluation(metrics, first.class_names);
    return 0;
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitFailure);
  }
}

}  // namespace nabla::cli
