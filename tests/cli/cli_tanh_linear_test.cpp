// The tanh_linear layer from a config's layer list, end to end: `nabla train` on the spirals of
// examples/spiral.toml with tanh(x) + β·x layers (one learned β per feature, the rational tanh
// kernel) trains, saves each β under its PyTorch-style name and separates the spirals; a bad
// `approximate` or a NaN β is refused with the key and the fix.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "nabla/io/safetensors.hpp"
#include "support/command.hpp"

namespace nabla::testing_cli {
namespace {

using ::testing::HasSubstr;

const std::string kSpiral = std::string(NABLA_EXAMPLES_DIR) + "/spiral.toml";

std::vector<std::string> spiral_args(const std::string& out, const std::string& layers) {
  return {"train", kSpiral, "--out", out, "--set", "model.layers=" + layers,
          "--set", "train.epochs=40", "--set", "train.log_every=100"};
}

TEST(CliTanhLinear, LayerListWithTanhLinearTrainsAndSavesBeta) {
  const std::string dir = fresh_dir("tanh_linear_spiral");
  const CommandResult r = run_nabla(spiral_args(
      dir, "[{type=\"linear\", out_features=32}, "
           "{type=\"tanh_linear\", learnable_beta=true, beta=0.05, approximate=\"rational\"}, "
           "{type=\"linear\", out_features=32}, {type=\"tanh_linear\"}, {type=\"linear\"}]"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto pos = r.out.find("test accuracy: ");
  ASSERT_NE(pos, std::string::npos) << r.out;
  EXPECT_GT(std::stod(r.out.substr(pos + 15)), 80.0) << r.out;  // chance is 50%
  const auto tensors = io::load_safetensors(dir + "/model.safetensors").tensors;
  bool found = false;
  for (const auto& [name, t] : tensors) {
    EXPECT_NE(name, "3.beta");  // the constant-β layer has no parameter
    if (name != "1.beta") continue;
    found = true;
    EXPECT_EQ(t.shape(), (Shape{32}));
    EXPECT_NE(t.to_vector<float>()[0], 0.05f);  // learned
  }
  EXPECT_TRUE(found);
  std::filesystem::remove_all(dir);
}

TEST(CliTanhLinear, BadKeysAreRefusedWithTheFix) {
  const std::string dir = fresh_dir("tanh_linear_bad");
  const CommandResult fast = run_nabla(
      spiral_args(dir, "[{type=\"tanh_linear\", approximate=\"fast\"}, {type=\"linear\"}]"));
  EXPECT_EQ(fast.exit_code, 2);
  EXPECT_THAT(fast.err, HasSubstr("approximate = \"fast\""));
  EXPECT_THAT(fast.err, HasSubstr("\"rational\""));
  const CommandResult nan =
      run_nabla(spiral_args(dir, "[{type=\"tanh_linear\", beta=nan}, {type=\"linear\"}]"));
  EXPECT_EQ(nan.exit_code, 2);
  EXPECT_THAT(nan.err, HasSubstr("beta"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nabla::testing_cli
