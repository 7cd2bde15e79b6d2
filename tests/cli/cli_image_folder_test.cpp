// data.dataset = "images": class folders of PNG files (written here from Fashion-MNIST) trained
// on end to end, the class names kept in the run and given back by predict; train/ and test/
// sub-folders or one pool; mixed sizes, bad files and missing directories named.
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nabla/data/dataset.hpp"
#include "nabla/data/idx.hpp"
#include "nabla/data/image.hpp"
#include "nabla/data/image_folder.hpp"
#include "nabla/io/safetensors.hpp"
#include "nabla/ops.hpp"
#include "support/command.hpp"

namespace nabla::testing_cli {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// Fashion-MNIST's T-shirt (0), trouser (1) and sneaker (7) images as PNG files under
// <root>/<split>/<class name>/, `per_class` of each from the IDX test file's first images.
void write_class_folders(const std::string& root, int64_t per_class) {
  const data::Dataset source = data::load_mnist_dataset(data::kFashionMnistDir, false, 1000);
  const std::vector<int64_t> labels = source.targets.to_vector<int64_t>();
  const std::vector<std::pair<int64_t, std::string>> classes = {{0, "tshirt"}, {1, "trouser"}, {7, "sneaker"}};
  for (const auto& [label, name] : classes) {
    int64_t written = 0;
    for (size_t i = 0; i < labels.size() && written < per_class; ++i) {
      if (labels[i] != label) continue;
      const std::string folder = root + "/" + (written % 4 == 0 ? "test/" : "train/") + name;
      fs::create_directories(folder);
      data::write_png(folder + "/" + std::to_string(i) + ".png",
                      source.inputs.narrow(0, static_cast<int64_t>(i), 1).squeeze(0));
      ++written;
    }
  }
}

std::string write_config(const std::string& dir, const std::string& data_dir, const std::string& extra = "") {
  const std::string path = dir + "/images.toml";
  std::ofstream(path) << "[data]\ndataset = \"images\"\ndir = \"" << data_dir << "\"\n" << extra
                      << "[model]\nname = \"mlp\"\nhidden = [64]\n[optimizer]\nname = \"adam\"\n"
                         "lr = 0.002\n[train]\nepochs = 4\nbatch_size = 32\nmonitor = false\n";
  return path;
}

TEST(CliImageFolder, TrainsOnClassFoldersAndPredictsTheirNames) {
  const std::string dir = fresh_dir("image_folder");
  write_class_folders(dir + "/photos", 60);
  const CommandResult r = run_nabla({"train", write_config(dir, dir + "/photos"), "--out", dir + "/run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t at = r.out.find("test accuracy: ");
  ASSERT_NE(at, std::string::npos) << r.out;
  EXPECT_GT(std::stod(r.out.substr(at + 15)), 80.0) << r.out;  // three easy classes
  EXPECT_THAT(r.out, HasSubstr("(45 samples)"));                // 15 test images per class
  const io::SafetensorsContents model = io::load_safetensors(dir + "/run/model.safetensors");
  EXPECT_EQ(model.metadata.at("class_names"), "sneaker\ntrouser\ntshirt");  // folder names, sorted

  const CommandResult predict = run_nabla({"predict", dir + "/run", dir + "/photos/test/trouser"});
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  EXPECT_GE(std::count(predict.out.begin(), predict.out.end(), '\n'), 16);
  EXPECT_THAT(predict.out, HasSubstr(",trouser,"));
}

TEST(CliImageFolder, OnePoolIsSplitAndSizesAreResized) {
  const std::string dir = fresh_dir("image_pool");
  write_class_folders(dir + "/all", 20);
  // One pool: the class folders themselves, split 80/10/10 (data.split).
  const std::string pool = dir + "/all/train";
  // A 40 x 30 RGB image among 28 x 28 grayscale ones.
  data::write_png(pool + "/tshirt/big.png", full({3, 30, 40}, 0.5));
  const CommandResult mixed = run_nabla({"train", write_config(dir, pool), "--out", dir + "/run"});
  EXPECT_EQ(mixed.exit_code, 2);
  EXPECT_THAT(mixed.err, HasSubstr("big.png' is 40 x 30 pixels but the first image was 28 x 28"));
  EXPECT_THAT(mixed.err, HasSubstr("data.image_size"));

  const CommandResult resized = run_nabla(
      {"train", write_config(dir, pool, "image_size = [16, 16]\nchannels = 1\n"), "--out", dir + "/run"});
  ASSERT_EQ(resized.exit_code, 0) << resized.err;
  EXPECT_EQ(io::load_safetensors(dir + "/run/model.safetensors").metadata.at("sample_shape"),
            "1,16,16");
}

TEST(CliImageFolder, BadFilesAreNamedOrSkippedWithACount) {
  const std::string dir = fresh_dir("image_bad");
  write_class_folders(dir + "/photos", 12);
  std::ofstream(dir + "/photos/train/sneaker/broken.png") << "\x89PNG\r\n\x1a\n truncated";
  const CommandResult bad = run_nabla({"train", write_config(dir, dir + "/photos"), "--out", dir + "/run"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("sneaker/broken.png' is not a readable PNG"));
  const CommandResult skipped = run_nabla(
      {"train", write_config(dir, dir + "/photos", "skip_bad_files = true\n"), "--out", dir + "/run"});
  EXPECT_EQ(skipped.exit_code, 0) << skipped.err;
  EXPECT_THAT(skipped.err, HasSubstr("skipped 1 unreadable image file(s) in " + dir + "/photos/train"));

  // A class folder in test/ that train/ lacks.
  fs::create_directories(dir + "/photos/test/sandal");
  EXPECT_THAT(run_nabla({"train", write_config(dir, dir + "/photos", "skip_bad_files = true\n"),
                         "--out", dir + "/run2"}).err,
              HasSubstr("sandal' is a class folder the training split does not have"));
}

TEST(CliImageFolder, DatasetsWithoutADefaultDirectoryAskForIt) {
  const std::string dir = fresh_dir("no_dir");
  const std::string config = dir + "/c.toml";
  for (const char* dataset : {"cifar10", "images"}) {
    std::ofstream(config) << "[data]\ndataset = \"" << dataset << "\"\n";
    const CommandResult r = run_nabla({"train", config, "--out", dir + "/run"});
    EXPECT_EQ(r.exit_code, 2) << dataset;
    EXPECT_THAT(r.err, HasSubstr("data.dir is not set")) << dataset;
  }
}

}  // namespace
}  // namespace nabla::testing_cli
