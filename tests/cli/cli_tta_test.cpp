// nabla eval --tta: test-time augmentation of a trained LeNet-5 (a small Fashion-MNIST subset,
// crops and flips in training), its cost line, and bad settings refused with exit 2.
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

TEST(CliTta, EvalAveragesTheViewsAndStatesTheCost) {
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
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nabla::testing_cli
