// nabla against PyTorch, number by number: every case of tests/fixtures/ops_forward.json
// (written by tools/golden/make_fixtures.py) runs through the nabla op its "op" names, and the
// result must match PyTorch's; cases with "grads" also check the backward pass. One test per
// case (TorchFixtures/OpsForward.MatchesTorch/<case name>). A case whose op or args this file
// does not know fails, so no fixture goes unchecked.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "support/fixtures.hpp"
#include "support/harness.hpp"

namespace nabla::testing {
namespace {

using nlohmann::json;

constexpr const char* kFixtureFile = "ops_forward.json";

// The case's scalar args; records which ones the mapping read, so that an arg the mapping
// ignores (a new fixture feature nobody wired up) fails the case instead of passing silently.
class Args : public FixtureArgs {
 public:
  using FixtureArgs::FixtureArgs;
  bool flag(const std::string& key, bool fallback) { return get_or(key, fallback); }
  std::optional<double> optional_number(const std::string& key) {
    return has(key) ? std::optional<double>(number(key)) : std::nullopt;
  }
  std::vector<int64_t> list(const std::string& key) { return at(key).get<std::vector<int64_t>>(); }
  Dims dims(const std::string& key = "dims") { return Dims(list(key)); }
};

using Inputs = std::vector<Tensor>;
using Outputs = std::vector<Tensor>;
using OpFn = std::function<Outputs(const Inputs&, Args&)>;

void expect_inputs(const Inputs& in, size_t n) {
  if (in.size() != n)
    throw std::runtime_error("expected " + std::to_string(n) + " inputs, the case has " +
                             std::to_string(in.size()));
}

// add/sub/mul/div: two tensors, or one tensor and {"scalar": s, "scalar_left": bool}.
OpFn binary(Tensor (*tensor_op)(const Tensor&, const Tensor&),
            Tensor (*right)(const Tensor&, double), Tensor (*left)(double, const Tensor&)) {
  return [=](const Inputs& in, Args& args) -> Outputs {
    if (!args.has("scalar")) {
      expect_inputs(in, 2);
      return {tensor_op(in[0], in[1])};
    }
    expect_inputs(in, 1);
    const double s = args.number("scalar");
    return {args.flag("scalar_left", false) ? left(s, in[0]) : right(in[0], s)};
  };
}

OpFn unary(Tensor (*op)(const Tensor&)) {
  return [=](const Inputs& in, Args&) -> Outputs {
    expect_inputs(in, 1);
    return {op(in[0])};
  };
}

OpFn two(Tensor (*op)(const Tensor&, const Tensor&)) {
  return [=](const Inputs& in, Args&) -> Outputs {
    expect_inputs(in, 2);
    return {op(in[0], in[1])};
  };
}

// sum / mean / logsumexp: {"dims": [...], "keepdim"?}.
OpFn reduction(Tensor (*op)(const Tensor&, const Dims&, bool)) {
  return [=](const Inputs& in, Args& args) -> Outputs {
    expect_inputs(in, 1);
    return {op(in[0], args.dims(), args.flag("keepdim", false))};
  };
}

// var / std_dev: {"dims", "correction", "keepdim"?}.
OpFn statistic(Tensor (*op)(const Tensor&, const Dims&, int64_t, bool)) {
  return [=](const Inputs& in, Args& args) -> Outputs {
    expect_inputs(in, 1);
    return {op(in[0], args.dims(), args.integer("correction"), args.flag("keepdim", false))};
  };
}

// max / min: over everything (no args), or along {"dim", "keepdim"?} giving (values, indices).
OpFn extremum(Tensor (*all)(const Tensor&),
              std::pair<Tensor, Tensor> (*along)(const Tensor&, int64_t, bool)) {
  return [=](const Inputs& in, Args& args) -> Outputs {
    expect_inputs(in, 1);
    if (!args.has("dim")) return {all(in[0])};
    auto [values, indices] = along(in[0], args.integer("dim"), args.flag("keepdim", false));
    return {values, indices};
  };
}

// argmax / argmin: flat (no args) or along {"dim", "keepdim"?}.
OpFn arg_extremum(Tensor (*op)(const Tensor&, std::optional<int64_t>, bool)) {
  return [=](const Inputs& in, Args& args) -> Outputs {
    expect_inputs(in, 1);
    std::optional<int64_t> dim;
    if (args.has("dim")) dim = args.integer("dim");
    return {op(in[0], dim, args.flag("keepdim", false))};
  };
}

// Ops taking one tensor and one integer arg.
OpFn with_int(Tensor (*op)(const Tensor&, int64_t), const char* key) {
  return [=](const Inputs& in, Args& args) -> Outputs {
    expect_inputs(in, 1);
    return {op(in[0], args.integer(key))};
  };
}

// cat / stack: any number of tensors, {"dim"}.
OpFn join(Tensor (*op)(const std::vector<Tensor>&, int64_t)) {
  return [=](const Inputs& in, Args& args) -> Outputs { return {op(in, args.integer("dim"))}; };
}

// index_select / gather: (x, index), {"dim"}.
OpFn indexing(Tensor (*op)(const Tensor&, int64_t, const Tensor&)) {
  return [=](const Inputs& in, Args& args) -> Outputs {
    expect_inputs(in, 2);
    return {op(in[0], args.integer("dim"), in[1])};
  };
}

const std::map<std::string, OpFn>& op_table() {
  static const std::map<std::string, OpFn> table = {
      {"add", binary(add, operator+, operator+)},
      {"sub", binary(sub, operator-, operator-)},
      {"mul", binary(mul, operator*, operator*)},
      {"div", binary(div, operator/, operator/)},
      {"pow", [](const Inputs& in, Args& args) -> Outputs {
         if (args.has("exponent")) {
           expect_inputs(in, 1);
           return {pow(in[0], args.number("exponent"))};
         }
         expect_inputs(in, 2);
         return {pow(in[0], in[1])};
       }},
      {"maximum", two(maximum)}, {"minimum", two(minimum)},
      {"neg", unary(neg)}, {"exp", unary(exp)}, {"log", unary(log)}, {"sqrt", unary(sqrt)},
      {"abs", unary(abs)}, {"relu", unary(relu)}, {"sigmoid", unary(sigmoid)},
      {"tanh", unary(tanh)},
      {"clamp", [](const Inputs& in, Args& args) -> Outputs {
         expect_inputs(in, 1);
         return {clamp(in[0], args.optional_number("min"), args.optional_number("max"))};
       }},
      {"where", [](const Inputs& in, Args&) -> Outputs {
         expect_inputs(in, 3);
         return {where(in[0], in[1], in[2])};
       }},
      {"eq", two(eq)}, {"ne", two(ne)}, {"lt", two(lt)},
      {"le", two(le)}, {"gt", two(gt)}, {"ge", two(ge)},
      {"sum", reduction(sum)}, {"mean", reduction(mean)}, {"logsumexp", reduction(logsumexp)},
      {"var", statistic(var)}, {"std_dev", statistic(std_dev)},
      {"max", extremum(max, max)}, {"min", extremum(min, min)},
      {"argmax", arg_extremum(argmax)}, {"argmin", arg_extremum(argmin)},
      {"matmul", two(matmul)},
      {"reshape", [](const Inputs& in, Args& args) -> Outputs {
         expect_inputs(in, 1);
         return {reshape(in[0], args.list("shape"))};
       }},
      {"transpose", [](const Inputs& in, Args& args) -> Outputs {
         expect_inputs(in, 1);
         return {transpose(in[0], args.integer("dim0"), args.integer("dim1"))};
       }},
      {"permute", [](const Inputs& in, Args& args) -> Outputs {
         expect_inputs(in, 1);
         return {permute(in[0], args.dims())};
       }},
      {"slice", [](const Inputs& in, Args& args) -> Outputs {
         expect_inputs(in, 1);
         return {slice(in[0], args.integer("dim"), args.integer("start"), args.integer("end"),
                       args.integer("step"))};
       }},
      {"narrow", [](const Inputs& in, Args& args) -> Outputs {
         expect_inputs(in, 1);
         return {narrow(in[0], args.integer("dim"), args.integer("start"), args.integer("length"))};
       }},
      {"expand", [](const Inputs& in, Args& args) -> Outputs {
         expect_inputs(in, 1);
         return {expand(in[0], args.list("shape"))};
       }},
      {"squeeze", with_int(squeeze, "dim")}, {"unsqueeze", with_int(unsqueeze, "dim")},
      {"flatten", [](const Inputs& in, Args& args) -> Outputs {
         expect_inputs(in, 1);
         return {flatten(in[0], args.integer("start_dim"), args.integer("end_dim"))};
       }},
      {"cat", join(cat)}, {"stack", join(stack)},
      {"index_select", indexing(index_select)}, {"gather", indexing(gather)},
      {"softmax", with_int(softmax, "dim")}, {"log_softmax", with_int(log_softmax, "dim")},
  };
  return table;
}

// Tolerances: every op here computes the same formula as PyTorch in float64, so results may
// differ only by rounding (summation order, libm vs SLEEF transcendental functions): a few ulp.
constexpr double kRtol = 1e-12, kAtol = 1e-12;

// --- one test per case ------------------------------------------------------------------
class OpsForward : public ::testing::TestWithParam<std::string> {};

TEST_P(OpsForward, MatchesTorch) {
  run_fixture_case<Args>(kFixtureFile, GetParam(), op_table(),
                         "the op table of tests/ops/torch_fixtures_test.cpp", kRtol, kAtol);
}

INSTANTIATE_TEST_SUITE_P(TorchFixtures, OpsForward,
                         ::testing::ValuesIn(fixture_case_names(kFixtureFile)),
                         [](const auto& info) { return fixture_test_name(info.param); });

// --- the file itself --------------------------------------------------------------------
TEST(TorchFixturesFile, IsWellFormedAndEveryOpIsMapped) {
  const FixtureLoad& load = load_fixture(kFixtureFile);
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.file.generator, "tools/golden/make_fixtures.py");
  EXPECT_FALSE(load.file.torch_version.empty());
  std::set<std::string> names, sanitized;
  for (const FixtureCase& c : load.file.cases) {
    EXPECT_TRUE(names.insert(c.name).second) << "duplicate case name '" << c.name << "'";
    EXPECT_TRUE(sanitized.insert(fixture_test_name(c.name)).second)
        << "case name '" << c.name << "' collides with another once made a test name";
    EXPECT_TRUE(op_table().count(c.op)) << "case '" << c.name << "': unknown op '" << c.op << "'";
  }
}

TEST(TorchFixturesFile, MissingFileNamesFileAndRegenerateCommand) {
  try {
    read_fixture_file("no_such_fixture.json");
    FAIL() << "expected a FixtureError";
  } catch (const FixtureError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("no_such_fixture.json"), std::string::npos) << message;
    EXPECT_NE(message.find(kFixtureRegenerateCommand), std::string::npos) << message;
  }
}

TEST(TorchFixturesFile, CorruptFileNamesFileAndRegenerateCommand) {
  const std::filesystem::path dir = ::testing::TempDir();
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"truncated.json", R"({"cases": [{"name": "a", "op": "add")"},
      {"wrong_count.json",
       R"({"generator": "g", "torch_version": "t", "cases": [{"name": "short", "op": "neg",
           "inputs": [{"shape": [2, 2], "dtype": "float64", "data": [1.0]}],
           "output": {"shape": [], "dtype": "float64", "data": [1.0]}}]})"},
      {"bad_dtype.json",
       R"({"generator": "g", "torch_version": "t", "cases": [{"name": "f16", "op": "neg",
           "inputs": [{"shape": [1], "dtype": "float16", "data": [1.0]}],
           "output": {"shape": [1], "dtype": "float64", "data": [1.0]}}]})"},
  };
  for (const auto& [name, text] : bad) {
    const std::string path = (dir / ("nabla_fixture_" + name)).string();
    std::ofstream(path) << text;
    try {
      read_fixture_file(path);
      ADD_FAILURE() << name << ": expected a FixtureError";
    } catch (const FixtureError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(path), std::string::npos) << message;
      EXPECT_NE(message.find(kFixtureRegenerateCommand), std::string::npos) << message;
    }
    std::filesystem::remove(path);
  }
}

}  // namespace
}  // namespace nabla::testing
