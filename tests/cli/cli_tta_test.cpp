// A trained LeNet-5 (a small Fashion-MNIST subset, crops and flips in training) seen from the
// outside: nabla eval --tta (test-time augmentation, its cost line, bad settings refused with
// exit 2), nabla filters (the first layer as a PNG) and the report's pictures.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/command.hpp"

namespace nabla::testing_cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

const std::string kExamples = NABLA_EXAMPLES_DIR;

std::string accuracy_line(const std::string& text) {
  const size_t at = text.find("test accuracy: ");
  return at == std::string::npos ? std::string() : text.substr(at, text.find('%', at) - at);
}

TEST(CliTrainedLeNet, TestTimeAugmentationFiltersAndPictures) {
  const std::string dir = fresh_dir("tta");
  const CommandResult train = run_nabla(
      {"train", kExamples + "/fashion_mnist_lenet.toml", "--out", dir, "--set", "data.train_limit=1000",
       "--set", "data.test_limit=300", "--set", "train.epochs=1", "--set", "train.threads=1",
       "--set", "augment.crop_padding=2", "--set", "augment.horizontal_flip=0.5"});
  ASSERT_EQ(train.exit_code, 0) << train.err;

  const CommandResult plain = run_nabla({"eval", dir});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.out, Not(HasSubstr("test-time augmentation")));
  const CommandResult none = run_nabla({"eval", dir, "--tta", "none"});
  EXPECT_EQ(accuracy_line(none.out), accuracy_line(plain.out));

  const CommandResult ten = run_nabla({"eval", dir, "--tta", "ten_crop"});
  ASSERT_EQ(ten.exit_code, 0) << ten.err;
  EXPECT_THAT(ten.out, HasSubstr("test-time augmentation: ten_crop, the mean of 10 views' "
                                 "predictions (10x the inference cost)"));
  EXPECT_THAT(ten.out, HasSubstr("(300 samples)"));
  EXPECT_FALSE(accuracy_line(ten.out).empty());
  const CommandResult flip = run_nabla({"eval", dir, "--set", "eval.tta=flip"});
  ASSERT_EQ(flip.exit_code, 0) << flip.err;
  EXPECT_THAT(flip.out, HasSubstr("the mean of 2 views"));

  const CommandResult typo = run_nabla({"eval", dir, "--tta", "ten_crops"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, HasSubstr("did you mean 'ten_crop'"));
  const CommandResult no_padding =
      run_nabla({"eval", dir, "--tta", "five_crop", "--set", "augment.crop_padding=0"});
  EXPECT_EQ(no_padding.exit_code, 2);
  EXPECT_THAT(no_padding.err, HasSubstr("eval.tta_padding"));

  const CommandResult filters = run_nabla({"filters", dir, "--zoom", "4"});
  ASSERT_EQ(filters.exit_code, 0) << filters.err;
  EXPECT_THAT(filters.out, HasSubstr("0.weight [6, 1, 5, 5], 127x22 pixels"));  // 6 tiles of 20
  EXPECT_EQ(read_text(dir + "/filters.png").rfind("\x89PNG\r\n\x1a\n", 0), 0u);
  const CommandResult not_png = run_nabla({"filters", dir, "--out", dir + "/f.jpg"});
  EXPECT_EQ(not_png.exit_code, 2);
  EXPECT_THAT(not_png.err, HasSubstr("must end in .png"));
  const std::string report = read_text(dir + "/report.html");
  EXPECT_THAT(report, HasSubstr("id=\"filters\""));
  EXPECT_THAT(report, HasSubstr("id=\"activation-maps\""));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nabla::testing_cli
