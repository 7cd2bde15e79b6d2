// `nabla predict` on real inputs: PNG files of the test split give eval's accuracy (the run's
// preprocessing applied as in evaluation), folders and glob patterns expand, integer pixels are
// scaled, raw 0-255 floats are refused with the fix, and CSV / JSON / safetensors outputs hold
// class names, top-k and probabilities.
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nabla/data/image.hpp"
#include "nabla/io/safetensors.hpp"
#include "nabla/ops.hpp"
#include "nabla/run/setup.hpp"
#include "support/command.hpp"

namespace nabla::testing_cli {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr int64_t kTestImages = 300;

// One short MLP run (with its standardisation step) on a Fashion-MNIST subset, shared by the
// tests below; its test split as PNG files img_<index>.png.
class CliPredict : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(fresh_dir("predict"));
    const CommandResult r = run_nabla(
        {"train", std::string(NABLA_EXAMPLES_DIR) + "/fashion_mnist_mlp.toml", "--out", run(),
         "--set", "data.train_limit=2000", "--set", "data.test_limit=" + std::to_string(kTestImages),
         "--set", "train.epochs=1", "--set", "train.monitor=false"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const run::Config config = run::Config::from_file(run() + "/config.toml");
    test_ = new data::Dataset(run::load_data(config).test);
    fs::create_directories(images());
    for (int64_t i = 0; i < test_->size(); ++i) {
      std::ostringstream name;
      name << images() << "/img_" << std::setw(4) << std::setfill('0') << i << ".png";
      data::write_png(name.str(), test_->inputs.narrow(0, i, 1).squeeze(0));
    }
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete test_;
    delete dir_;
  }
  static std::string run() { return *dir_ + "/run"; }
  static std::string images() { return *dir_ + "/images"; }

  // The "test accuracy: 81.33%" figure of a command's output.
  static std::string accuracy_of(const std::string& text) {
    const size_t at = text.find("test accuracy: ");
    return at == std::string::npos ? "" : text.substr(at + 15, text.find('%', at) - at - 15);
  }

  static std::string* dir_;
  static data::Dataset* test_;
};

std::string* CliPredict::dir_ = nullptr;
data::Dataset* CliPredict::test_ = nullptr;

TEST_F(CliPredict, PngsOfTheTestSplitGiveEvalsAccuracy) {
  const CommandResult eval = run_nabla({"eval", run()});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  const CommandResult predict = run_nabla({"predict", run(), images(), "-o", *dir_ + "/p.csv"});
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  EXPECT_EQ(predict.err, "");  // PNG pixels lie in the training range: no warning

  std::ifstream csv(*dir_ + "/p.csv");
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "input,predicted,probability,top2,probability2,top3,probability3");
  const std::vector<int64_t> labels = test_->targets.to_vector<int64_t>();
  int64_t rows = 0, correct = 0;
  while (std::getline(csv, line)) {
    std::vector<std::string> cells;
    std::stringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    ASSERT_EQ(cells.size(), 7u) << line;
    const int64_t index = std::stoll(cells[0].substr(cells[0].size() - 8, 4));  // img_0123.png
    const auto& names = test_->class_names;
    const auto predicted = std::find(names.begin(), names.end(), cells[1]);
    ASSERT_NE(predicted, names.end()) << "a class name, not an index: " << cells[1];
    correct += (predicted - names.begin()) == labels[static_cast<size_t>(index)];
    EXPECT_GE(std::stod(cells[2]), std::stod(cells[4]));  // best first
    ++rows;
  }
  ASSERT_EQ(rows, kTestImages);
  std::ostringstream accuracy;
  accuracy << std::fixed << std::setprecision(2) << 100.0 * correct / rows;
  EXPECT_EQ(accuracy.str(), accuracy_of(eval.out));
}

TEST_F(CliPredict, GlobJsonAndSafetensorsOutputs) {
  const CommandResult json = run_nabla(
      {"predict", run(), images() + "/img_000[0-4].png", "-o", *dir_ + "/p.json", "--top-k", "2"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json rows = nlohmann::json::parse(read_text(*dir_ + "/p.json"));
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0]["input"], images() + "/img_0000.png");
  EXPECT_EQ(rows[0]["top_k"].size(), 2u);
  EXPECT_EQ(rows[0]["top_k"][0]["class"], rows[0]["predicted"]);
  EXPECT_EQ(rows[0]["probabilities"].size(), 10u);

  const CommandResult tensors = run_nabla(
      {"predict", run(), images() + "/img_0000.png", "-o", *dir_ + "/p.safetensors", "--logits"});
  ASSERT_EQ(tensors.exit_code, 0) << tensors.err;
  const io::SafetensorsContents out = io::load_safetensors(*dir_ + "/p.safetensors");
  ASSERT_EQ(out.tensors.size(), 2u);
  EXPECT_THAT(out.metadata.at("class_names"), HasSubstr("T-shirt/top"));
  EXPECT_EQ(out.metadata.at("inputs"), images() + "/img_0000.png");
}

TEST_F(CliPredict, RawPixelsAreRefusedAndIntegerPixelsScaled) {
  const Tensor first = test_->inputs.narrow(0, 0, 4);
  io::save_safetensors(*dir_ + "/raw.safetensors", {{"input", first * 255.0}});
  const CommandResult raw = run_nabla({"predict", run(), *dir_ + "/raw.safetensors"});
  EXPECT_EQ(raw.exit_code, 2);
  EXPECT_THAT(raw.err, HasSubstr("the run was trained on inputs in [0, 1]"));
  EXPECT_THAT(raw.err, HasSubstr("divide by 255"));
  EXPECT_EQ(run_nabla({"predict", run(), *dir_ + "/raw.safetensors", "--allow-out-of-range"}).exit_code, 0);

  // The same pixels as integers are read as 8-bit pixels: the predictions of the PNG files.
  std::vector<int64_t> bytes;
  for (float v : first.to_vector<float>()) bytes.push_back(std::lround(v * 255.0f));
  io::save_safetensors(*dir_ + "/u8.safetensors", {{"input", from_vector(bytes, first.shape())}});
  const CommandResult pixels = run_nabla({"predict", run(), *dir_ + "/u8.safetensors"});
  const CommandResult pngs = run_nabla({"predict", run(), images() + "/img_000[0-3].png"});
  ASSERT_EQ(pixels.exit_code, 0) << pixels.err;
  auto predictions = [](const std::string& csv) {  // the columns after the input name
    std::vector<std::string> rows;
    std::stringstream lines(csv);
    for (std::string line; std::getline(lines, line);) rows.push_back(line.substr(line.find(',')));
    return rows;
  };
  EXPECT_EQ(predictions(pixels.out), predictions(pngs.out));
}

TEST_F(CliPredict, BadInputsAreNamed) {
  const std::string png = images() + "/img_0000.png";
  const std::string bytes = read_text(png);
  std::ofstream(*dir_ + "/cut.png", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  const CommandResult cut = run_nabla({"predict", run(), *dir_ + "/cut.png"});
  EXPECT_EQ(cut.exit_code, 2);
  EXPECT_THAT(cut.err, HasSubstr("'" + *dir_ + "/cut.png' is a damaged PNG"));
  std::ofstream(*dir_ + "/notes.png") << "not an image";
  EXPECT_THAT(run_nabla({"predict", run(), *dir_ + "/notes.png"}).err,
              HasSubstr("is neither a PNG nor a JPEG"));
  EXPECT_THAT(run_nabla({"predict", run(), *dir_ + "/nothing*.png"}).err,
              HasSubstr("no file matches"));
  const CommandResult text = run_nabla({"predict", run(), png, "-o", *dir_ + "/p.txt"});
  EXPECT_EQ(text.exit_code, 2);
  EXPECT_THAT(text.err, HasSubstr("write .csv, .json or .safetensors"));
}

}  // namespace
}  // namespace nabla::testing_cli
