// `nabla doctor` end to end on a 2,000-image Fashion-MNIST subset: a good config passes every
// check (exit 0), broken ones (learning rate 10, all-zero initialisation, raw pixels) fail the
// expected check (exit 1), and bad input is exit 2. The wrong-backward case needs a custom op,
// so tests/train/doctor_test.cpp covers it through the same run_doctor.
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/command.hpp"

namespace nabla::testing_cli {
namespace {

using ::testing::HasSubstr;

const char* kData = R"(
[data]
dataset = "fashion-mnist"
train_limit = 2000
test_limit = 100
validation = 0.0
)";

const char* kRest = R"(
[model]
name = "mlp"
hidden = [64]

[optimizer]
name = "adam"
lr = 5e-4

[train]
batch_size = 64
seed = 1
threads = 1
)";

const char* kStandardize = R"(
[[preprocess.steps]]
kind = "standardize"
mode = "global"
)";

// A config written into a fresh directory, removed with it at the end of the test.
class ConfigFile {
 public:
  ConfigFile(const std::string& name, bool standardize)
      : dir_(fresh_dir("doctor_" + name)), path_(dir_ + "/" + name + ".toml") {
    std::ofstream(path_) << kData << (standardize ? kStandardize : "") << kRest;
  }
  ~ConfigFile() { std::filesystem::remove_all(dir_); }
  ConfigFile(const ConfigFile&) = delete;
  ConfigFile& operator=(const ConfigFile&) = delete;
  operator const std::string&() const { return path_; }  // NOLINT: reads as the path
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

std::vector<std::string> doctor(const std::string& config, std::vector<std::string> extra) {
  std::vector<std::string> args = {"doctor", config, "--samples", "1024"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::string verdict(const nlohmann::json& doc, const std::string& check) {
  for (const auto& c : doc.at("checks"))
    if (c.at("name") == check) return c.at("verdict").get<std::string>();
  return "missing";
}

TEST(CliDoctor, GoodConfigPassesEveryCheck) {
  const ConfigFile config("good", true);
  const CommandResult r = run_nabla(doctor(config, {}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("1024 of 2000 training samples"));
  EXPECT_THAT(r.out, HasSubstr("10 checks: 10 pass, 0 warn, 0 fail, 0 skipped")) << r.out;

  const CommandResult json = run_nabla(doctor(config, {"--json", "--checks", "inputs,gradcheck"}));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json doc = nlohmann::json::parse(json.out);
  EXPECT_TRUE(doc.at("ok").get<bool>());
  ASSERT_EQ(doc.at("checks").size(), 2u);
  EXPECT_EQ(verdict(doc, "inputs"), "pass");
  EXPECT_EQ(verdict(doc, "gradcheck"), "pass");
  EXPECT_LT(doc.at("checks")[1].at("numbers").at("max_relative_error").get<double>(), 1e-5);
}

TEST(CliDoctor, LearningRateTenFailsTheUpdateRatio) {
  const ConfigFile config("lr10", true);
  const CommandResult r = run_nabla(doctor(
      config, {"--set", "optimizer.lr=10", "--json", "--checks", "update_ratio,lr_range"}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_FALSE(doc.at("ok").get<bool>());
  EXPECT_EQ(verdict(doc, "update_ratio"), "fail");
  EXPECT_EQ(verdict(doc, "lr_range"), "fail");
}

TEST(CliDoctor, ZeroInitialisationFailsActivationsAndOverfit) {
  const ConfigFile config("zeros", true);
  const CommandResult r = run_nabla(
      doctor(config, {"--set", "model.init=zeros", "--checks", "activations,overfit"}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("FAIL   activations"));
  EXPECT_THAT(r.out, HasSubstr("outputs a constant"));
  EXPECT_THAT(r.out, HasSubstr("FAIL   overfit"));
  EXPECT_THAT(r.out, HasSubstr("kaiming_normal"));  // the advice
}

TEST(CliDoctor, RawPixelsFailTheInputCheck) {
  const ConfigFile config("raw", false);
  const CommandResult r = run_nabla(doctor(config, {"--checks", "inputs"}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("FAIL   inputs"));
  EXPECT_THAT(r.out, HasSubstr("not centred"));
  EXPECT_THAT(r.out, HasSubstr("1 checks: 0 pass, 0 warn, 1 fail"));
}

TEST(CliDoctor, BadInputExitsTwo) {
  const ConfigFile config("bad", true);
  CommandResult r = run_nabla(doctor(config, {"--set", "optimizer.lrr=0.1"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown key 'optimizer.lrr'"));
  r = run_nabla(doctor(config, {"--checks", "inputs,gradchek"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown check 'gradchek'"));
  r = run_nabla(doctor(config, {"--set", "optimizer.lr=-1"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("optimizer.lr"));
  r = run_nabla({"doctor"});
  EXPECT_EQ(r.exit_code, 2);
  r = run_nabla({"doctor", config.path() + ".missing"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace nabla::testing_cli
