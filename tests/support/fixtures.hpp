// Golden fixtures: JSON files under tests/fixtures/ that tools/golden/ generates from PyTorch,
// read into nabla tensors. The tests never need PyTorch; only regenerating the files does.
//
//   const FixtureLoad& load = load_fixture("ops_forward.json");   // cached, never throws
//   ASSERT_TRUE(load.ok()) << load.error;                          // names file + the fix
//   for (const FixtureCase& c : load.file.cases) ...
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <stdexcept>
#include <type_traits>
#include <string>
#include <vector>

#include "nabla/nabla.hpp"

namespace nabla::testing {

// The command that regenerates every file under tests/fixtures/ (run in the repository root).
inline constexpr const char* kFixtureRegenerateCommand = "tools/golden/regenerate.sh";

// A missing, unparsable or malformed fixture file; the message names the file and the fix.
class FixtureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One case: an op applied to `inputs` gives `outputs` (one, or several for ops returning a
// tuple such as max(x, dim)). When `grads` is non-empty, it has one entry per input: the
// gradient of (outputs[0] * grad_output).sum() with respect to that input, undefined for
// inputs that take no gradient (integer and bool tensors).
struct FixtureCase {
  std::string name;
  std::string op;
  nlohmann::json args;  // scalar arguments (dim, keepdim, correction, min, max, ...)
  std::vector<Tensor> inputs;
  std::vector<Tensor> outputs;
  Tensor grad_output;  // undefined when the case has no gradients
  std::vector<Tensor> grads;
  bool has_grads() const { return grad_output.defined(); }
};

struct FixtureFile {
  std::string path;
  std::string generator;
  std::string torch_version;
  std::vector<FixtureCase> cases;
};

// Reads NABLA_FIXTURE_DIR/<file_name> (or <file_name> itself when it is an absolute path);
// throws FixtureError.
FixtureFile read_fixture_file(const std::string& file_name);

// {"shape": [...], "dtype": "float64" | "int64" | "bool", "data": [...]} as a new CPU tensor;
// throws FixtureError (without the file name: the caller adds it).
Tensor fixture_tensor(const nlohmann::json& encoded);

// read_fixture_file once per file and process, with the error kept instead of thrown, so that
// test registration can call it and a broken file fails a test rather than the whole binary.
struct FixtureLoad {
  FixtureFile file;
  std::string error;  // empty when the file loaded
  bool ok() const { return error.empty(); }
};
const FixtureLoad& load_fixture(const std::string& file_name);

// For one-test-per-case suites (INSTANTIATE_TEST_SUITE_P over the case names): the names of a
// file's cases, or the single name kFixtureUnreadableCase when it does not load (so one test
// fails and prints load_fixture's error); a case by name (null when absent); and a case name
// made a valid GoogleTest name.
inline constexpr const char* kFixtureUnreadableCase = "fixture_file_unreadable";
std::vector<std::string> fixture_case_names(const std::string& file_name);
const FixtureCase* find_fixture_case(const FixtureFile& file, const std::string& name);
std::string fixture_test_name(const std::string& case_name);

// A case's scalar args. It remembers which keys were read, so a suite can fail a case whose
// mapping ignores one of its args (a fixture feature nobody wired up) via unread().
class FixtureArgs {
 public:
  explicit FixtureArgs(const nlohmann::json& values) : values_(values) {}
  bool has(const std::string& key) const { return values_.contains(key); }
  const nlohmann::json& at(const std::string& key);  // std::runtime_error when missing
  double number(const std::string& key) { return at(key).get<double>(); }
  int64_t integer(const std::string& key) { return at(key).get<int64_t>(); }
  std::string text(const std::string& key) { return at(key).get<std::string>(); }
  template <class T> T get_or(const std::string& key, T fallback) {
    return has(key) ? at(key).get<T>() : fallback;
  }
  std::vector<std::string> unread() const;

 private:
  const nlohmann::json& values_;
  std::vector<std::string> read_;
};

// Fresh copies of a case's inputs (the cached ones stay untouched); those whose gradient the
// case records require grad.
std::vector<Tensor> fixture_leaves(const FixtureCase& c);

// Same dtype and shape; floats within rtol/atol (NaN matches NaN), integers and bools exact.
// A failure names the first differing element, both values and the shape.
::testing::AssertionResult fixture_matches(const Tensor& actual, const Tensor& expected,
                                           double rtol, double atol);

// Compares nabla's `outputs` of case `c` with fixture_matches; when the case records
// gradients, backpropagates grad_output through output 0 and compares the gradient of each of
// `inputs` (the leaves the outputs were computed from).
void check_fixture_outputs(const FixtureCase& c, const std::vector<Tensor>& inputs,
                           const std::vector<Tensor>& outputs, double rtol, double atol);

// The whole test of one case of a one-test-per-case suite: loads `file_name`, finds
// `case_name`, maps its op through `table` (op name -> callable(inputs, args) returning a
// Tensor or a vector of them; `table_source` names the file that holds the table), runs it on
// fresh leaves with an `Args` (FixtureArgs or a suite's subclass of it), fails on a throw or an
// arg the mapping did not read, then check_fixture_outputs.
template <class Args, class Table>
void run_fixture_case(const std::string& file_name, const std::string& case_name,
                      const Table& table, const char* table_source, double rtol, double atol) {
  const FixtureLoad& load = load_fixture(file_name);
  ASSERT_TRUE(load.ok()) << load.error;
  const FixtureCase* c = find_fixture_case(load.file, case_name);
  ASSERT_NE(c, nullptr) << "case '" << case_name << "' vanished from " << load.file.path;
  SCOPED_TRACE("case '" + c->name + "' (op " + c->op + ", args " + c->args.dump() + ")");
  const auto entry = table.find(c->op);
  ASSERT_TRUE(entry != table.end()) << "unknown op '" << c->op << "': map it in "
                                    << table_source;
  const std::vector<Tensor> inputs = fixture_leaves(*c);
  Args args(c->args);
  std::vector<Tensor> outputs;
  try {
    auto result = entry->second(inputs, args);
    if constexpr (std::is_same_v<decltype(result), Tensor>)
      outputs = {result};
    else
      outputs = std::move(result);
  } catch (const std::exception& e) {
    FAIL() << "nabla threw: " << e.what();
  }
  for (const std::string& key : args.unread())
    ADD_FAILURE() << "the mapping ignores arg '" << key << "': handle it in " << table_source;
  check_fixture_outputs(*c, inputs, outputs, rtol, atol);
}

}  // namespace nabla::testing
