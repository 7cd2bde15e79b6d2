// Golden fixtures: JSON files under tests/fixtures/ that tools/golden/ generates from PyTorch,
// read into nabla tensors. The tests never need PyTorch; only regenerating the files does.
//
//   const FixtureLoad& load = load_fixture("ops_forward.json");   // cached, never throws
//   ASSERT_TRUE(load.ok()) << load.error;                          // names file + the fix
//   for (const FixtureCase& c : load.file.cases) ...
#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "nabla/nabla.hpp"

namespace nabla::testing {

// The command that regenerates every file under tests/fixtures/ (run in the repository root).
inline constexpr const char* kFixtureRegenerateCommand =
    "/usr/bin/python3 tools/golden/make_fixtures.py";

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

}  // namespace nabla::testing
