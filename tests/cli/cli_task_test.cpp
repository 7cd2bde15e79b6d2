// The regression and multi-label tasks end to end: a config picks the task (or its loss does),
// nabla trains, reports the task's metrics, draws its report plots, and eval and predict give
// the task's outputs; mismatched task, loss, dataset and monitor are errors naming the key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "nabla/data/dataset.hpp"
#include "nabla/data/npy.hpp"
#include "nabla/io/safetensors.hpp"
#include "support/command.hpp"

namespace nabla::testing_cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The number after `label` in `text` (NaN when absent).
double number_after(const std::string& text, const std::string& label) {
  const size_t at = text.find(label);
  return at == std::string::npos ? NAN : std::stod(text.substr(at + label.size()));
}

std::string write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

const char* kSmallMlp =
    "[model]\nname = \"mlp\"\nhidden = [32, 32]\n[optimizer]\nname = \"adam\"\nlr = 0.01\n"
    "[train]\nbatch_size = 32\nthreads = 1\nmonitor = false\n";

TEST(CliTask, RegressionTrainsEvaluatesAndPredicts) {
  const std::string dir = fresh_dir("task_regression");
  // No `task`: loss.name = "huber" says regression; friedman1's own task agrees.
  const std::string config = write(
      dir + "/friedman.toml",
      std::string("[data]\ndataset = \"friedman1\"\nfriedman_samples = 1500\n"
                  "[[preprocess.steps]]\nkind = \"standardize\"\n[loss]\nname = \"huber\"\n"
                  "delta = 2.0\n") + kSmallMlp + "epochs = 40\n");
  const CommandResult r = run_nabla({"train", config, "--out", dir + "/run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("acc")));  // epoch lines without an accuracy
  EXPECT_GT(number_after(r.out, "R²: "), 0.85) << r.out;
  EXPECT_LT(number_after(r.out, "test RMSE: "), 2.0) << r.out;
  const std::string report = read_text(dir + "/run/report.html");
  EXPECT_THAT(report, HasSubstr("id=\"fit-0\""));
  EXPECT_THAT(report, HasSubstr("id=\"residuals-0\""));
  EXPECT_THAT(report, Not(HasSubstr("id=\"accuracy\"")));
  EXPECT_THAT(report, Not(HasSubstr("id=\"confusion\"")));

  const CommandResult eval = run_nabla({"eval", dir + "/run"});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  EXPECT_EQ(number_after(eval.out, "R²: "), number_after(r.out, "R²: ")) << eval.out;
  EXPECT_THAT(eval.out, HasSubstr("per target:"));

  // Two rows of friedman1 with known targets (noise 0): predictions near them.
  const data::Dataset rows = data::friedman1(2, 10, 0.0, 99);
  io::save_safetensors(dir + "/rows.safetensors", {{"input", rows.inputs}});
  const CommandResult predict = run_nabla({"predict", dir + "/run", dir + "/rows.safetensors"});
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  EXPECT_THAT(predict.out, HasSubstr("input,y\n"));
  const std::vector<float> truth = rows.targets.to_vector<float>();
  const size_t first = predict.out.find(",", predict.out.find("\n"));
  EXPECT_NEAR(std::stod(predict.out.substr(first + 1)), truth[0], 3.0) << predict.out;
}

TEST(CliTask, MultilabelFromCsvColumns) {
  const std::string dir = fresh_dir("task_multilabel");
  // Labels of a point in the square: right half, upper half, inside the circle of radius 0.6.
  std::string csv = "x,y,right,up,inner\n";
  for (int i = 0; i < 40; ++i)
    for (int j = 0; j < 40; ++j) {
      const double x = -1 + (i + 0.5) / 20, y = -1 + (j + 0.5) / 20;
      csv += std::to_string(x) + "," + std::to_string(y) + "," + (x > 0 ? "1" : "0") + "," +
             (y > 0 ? "1" : "0") + "," + (x * x + y * y < 0.36 ? "1" : "0") + "\n";
    }
  write(dir + "/points.csv", csv);
  const std::string config = write(
      dir + "/multi.toml",
      "task = \"multilabel\"\n[data]\ndataset = \"csv\"\npath = \"" + dir + "/points.csv\"\n"
      "label_columns = [\"right\", \"up\", \"inner\"]\n" + kSmallMlp + "epochs = 30\n");
  const CommandResult r = run_nabla({"train", config, "--out", dir + "/run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(number_after(r.out, "test mAP: "), 0.95) << r.out;
  EXPECT_GT(number_after(r.out, "label accuracy: "), 90.0) << r.out;
  EXPECT_THAT(read_text(dir + "/run/report.html"), HasSubstr("id=\"label-scores\""));
  const CommandResult eval = run_nabla({"eval", dir + "/run"});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  EXPECT_THAT(eval.out, HasSubstr("per label:"));
  EXPECT_THAT(eval.out, HasSubstr("inner"));

  io::save_safetensors(dir + "/p.safetensors",
                       {{"input", from_vector(std::vector<float>{0.5f, 0.5f, -0.1f, -0.05f}, {2, 2})}});
  const CommandResult predict =
      run_nabla({"predict", dir + "/run", dir + "/p.safetensors", "-o", dir + "/p.json"});
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  const std::string json = read_text(dir + "/p.json");
  EXPECT_THAT(json, HasSubstr("\"labels\""));
  EXPECT_THAT(json, HasSubstr("\"right\""));
  const CommandResult csv_out = run_nabla({"predict", dir + "/run", dir + "/p.safetensors"});
  EXPECT_THAT(csv_out.out, HasSubstr("input,labels,right,up,inner\n"));
  EXPECT_THAT(csv_out.out, HasSubstr(",right;up,"));  // (0.5, 0.5): right and up, outside
  EXPECT_THAT(csv_out.out, HasSubstr(",inner,"));     // (-0.1, -0.05): inside only

  // CSV rows in: the features alone, or the training file itself (its label columns ignored).
  write(dir + "/new.csv", "x,y\n0.5,0.5\n-0.1,-0.05\n");
  const CommandResult rows = run_nabla({"predict", dir + "/run", dir + "/new.csv"});
  ASSERT_EQ(rows.exit_code, 0) << rows.err;
  EXPECT_THAT(rows.out, HasSubstr(dir + "/new.csv:2,right;up,"));
  EXPECT_THAT(rows.out, HasSubstr(dir + "/new.csv:3,inner,"));
  const CommandResult again = run_nabla({"predict", dir + "/run", dir + "/points.csv"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr(dir + "/points.csv:1601,"));  // the 1,600th record
  write(dir + "/wide.csv", "x,y,z\n1,2,3\n");
  const CommandResult wide = run_nabla({"predict", dir + "/run", dir + "/wide.csv"});
  EXPECT_EQ(wide.exit_code, 2);
  EXPECT_THAT(wide.err, HasSubstr("3 feature column(s) but the model takes 2"));
}

TEST(CliTask, NpyArraysTrainAndPredict) {
  const std::string dir = fresh_dir("task_npy");
  // uint8 "images" [N, 4] whose class is the brighter half: integer inputs are pixels / 255.
  std::vector<int64_t> pixels, labels;
  for (int i = 0; i < 400; ++i) {
    const int64_t bright = i % 2;
    for (int j = 0; j < 4; ++j) pixels.push_back((j < 2) == (bright == 1) ? 200 + i % 50 : i % 50);
    labels.push_back(bright);
  }
  data::write_npy(dir + "/x.npy", from_vector(pixels, {400, 4}));
  data::write_npy(dir + "/y.npy", from_vector(labels, {400}));
  const std::string config = write(dir + "/npy.toml",
                                   "[data]\ndataset = \"npy\"\npath = \"" + dir +
                                       "/x.npy\"\nlabels_path = \"" + dir + "/y.npy\"\n" +
                                       kSmallMlp + "epochs = 5\n");
  const CommandResult r = run_nabla({"train", config, "--out", dir + "/run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(number_after(r.out, "test accuracy: "), 95.0) << r.out;
  data::write_npy(dir + "/new.npy", from_vector(std::vector<int64_t>{250, 250, 3, 3}, {1, 4}));
  const CommandResult predict = run_nabla({"predict", dir + "/run", dir + "/new.npy"});
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  EXPECT_THAT(predict.out, HasSubstr(dir + "/new.npy#0,1,"));
  data::write_npy(dir + "/floats.npy", from_vector(std::vector<double>{0.5, 0.5}, {2}));
  const CommandResult wrong = run_nabla({"predict", dir + "/run", dir + "/floats.npy"});
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_THAT(wrong.err, HasSubstr("shape [2]"));

  data::write_npy(dir + "/nan.npy", from_vector(std::vector<float>{1, 2, 3, NAN}, {2, 2}));
  data::write_npy(dir + "/two.npy", from_vector(std::vector<int64_t>{0, 1}, {2}));
  const CommandResult nan = run_nabla({"train", config, "--out", dir + "/nan_run", "--set",
                                       "data.path=\"" + dir + "/nan.npy\"", "--set",
                                       "data.labels_path=\"" + dir + "/two.npy\""});
  EXPECT_EQ(nan.exit_code, 2);
  EXPECT_THAT(nan.err, HasSubstr(dir + "/nan.npy' row 1 holds nan"));
}

TEST(CliTask, DoctorChecksARegressionConfig) {
  const std::string dir = fresh_dir("task_doctor");
  const std::string config = write(
      dir + "/friedman.toml",
      std::string("task = \"regression\"\n[data]\ndataset = \"friedman1\"\nfriedman_samples = 600\n"
                  "[[preprocess.steps]]\nkind = \"standardize\"\n") + kSmallMlp + "epochs = 1\n");
  const CommandResult r = run_nabla({"doctor", config});
  EXPECT_THAT(r.out, HasSubstr("no value expected at initialisation"));
  EXPECT_THAT(r.out, HasSubstr("training R²"));
}

TEST(CliTask, StringLabelsOfACsvAreTheRunsClassNames) {
  const std::string dir = fresh_dir("task_string_labels");
  std::string csv = "size,\"colour, named\"\n";
  for (int i = 0; i < 200; ++i)
    csv += std::to_string(i % 2 ? 1.0 + 0.001 * i : -1.0 - 0.001 * i) + "," +
           (i % 2 ? "\"big, bright\"" : "small") + "\n";
  write(dir + "/sizes.csv", csv);
  const std::string config = write(dir + "/sizes.toml",
                                   "[data]\ndataset = \"csv\"\npath = \"" + dir + "/sizes.csv\"\n" +
                                       kSmallMlp + "epochs = 5\n");
  const CommandResult r = run_nabla({"train", config, "--out", dir + "/run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(io::load_safetensors(dir + "/run/model.safetensors").metadata.at("class_names"),
            "big, bright\nsmall");
  io::save_safetensors(dir + "/p.safetensors", {{"input", from_vector(std::vector<float>{2.0f}, {1, 1})}});
  const CommandResult predict = run_nabla({"predict", dir + "/run", dir + "/p.safetensors"});
  EXPECT_THAT(predict.out, HasSubstr(",\"big, bright\","));
}

TEST(CliTask, MismatchesNameTheKey) {
  const std::string dir = fresh_dir("task_errors");
  const std::string base = "[train]\nepochs = 1\n[data]\ndataset = \"friedman1\"\n";
  const auto fails_with = [&](const std::string& extra, const std::vector<std::string>& parts) {
    const std::string config = write(dir + "/c.toml", extra + base);
    const CommandResult r = run_nabla({"train", config, "--out", dir + "/run", "--overwrite"});
    EXPECT_EQ(r.exit_code, 2) << extra << r.err;
    for (const std::string& part : parts) EXPECT_THAT(r.err, HasSubstr(part)) << extra;
  };
  fails_with("task = \"classification\"\n", {"data.dataset", "'friedman1' has regression targets"});
  fails_with("[loss]\nname = \"bce_with_logits\"\n",
             {"data.dataset", "regression targets, not multilabel"});
  fails_with("task = \"regression\"\n[loss]\nname = \"cross_entropy\"\n",
             {"loss.name", "classification loss", "mse, l1, huber or smooth_l1"});
  fails_with("[loss]\nname = \"hinge\"\n", {"loss.name", "hinge"});
  fails_with("[train.early_stopping]\npatience = 2\nmonitor = \"val_accuracy\"\n",
             {"train.early_stopping.monitor", "no accuracy", "val_loss"});
}

}  // namespace
}  // namespace nabla::testing_cli
