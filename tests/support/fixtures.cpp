#include "support/fixtures.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "support/harness.hpp"

namespace nabla::testing {
namespace {

using nlohmann::json;

std::string fixture_path(const std::string& file_name) {
  if (!file_name.empty() && file_name.front() == '/') return file_name;
  return std::string(NABLA_FIXTURE_DIR) + "/" + file_name;
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw FixtureError("fixture file " + path + ": " + what + "; regenerate it with `" +
                     kFixtureRegenerateCommand + "` in the repository root");
}

template <class T>
Tensor tensor_of(const json& data, const Shape& shape) {
  std::vector<T> values;
  values.reserve(data.size());
  for (const json& v : data) values.push_back(v.get<T>());
  return from_vector<T>(values, shape);
}

// An optional tensor field (null or absent: undefined).
Tensor optional_tensor(const json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? Tensor() : fixture_tensor(*it);
}

std::vector<Tensor> tensor_list(const json& list, bool nulls_allowed) {
  std::vector<Tensor> tensors;
  for (const json& t : list.get_ref<const json::array_t&>()) {
    if (t.is_null() && nulls_allowed) {
      tensors.emplace_back();
    } else {
      tensors.push_back(fixture_tensor(t));
    }
  }
  return tensors;
}

FixtureCase read_case(const json& c) {
  FixtureCase out;
  out.name = c.at("name").get<std::string>();
  try {
    out.op = c.at("op").get<std::string>();
    out.args = c.value("args", json::object());
    if (!out.args.is_object()) throw FixtureError("\"args\" is not an object");
    out.inputs = tensor_list(c.at("inputs"), false);
    if (c.contains("output") == c.contains("outputs"))
      throw FixtureError("needs exactly one of \"output\" and \"outputs\"");
    out.outputs = c.contains("output") ? std::vector<Tensor>{fixture_tensor(c["output"])}
                                       : tensor_list(c["outputs"], false);
    if (out.outputs.empty()) throw FixtureError("\"outputs\" is empty");
    out.grad_output = optional_tensor(c, "grad_output");
    if (out.grad_output.defined()) {
      out.grads = tensor_list(c.at("grads"), true);
      if (out.grads.size() != out.inputs.size())
        throw FixtureError("has " + std::to_string(out.grads.size()) + " grads for " +
                           std::to_string(out.inputs.size()) + " inputs");
    } else if (c.contains("grads")) {
      throw FixtureError("has \"grads\" but no \"grad_output\"");
    }
  } catch (const std::exception& e) {
    throw FixtureError("case '" + out.name + "': " + e.what());
  }
  return out;
}

}  // namespace

Tensor fixture_tensor(const json& encoded) {
  try {
    Shape shape = encoded.at("shape").get<Shape>();
    const std::string dtype = encoded.at("dtype").get<std::string>();
    const json& data = encoded.at("data");
    if (!data.is_array()) throw FixtureError("\"data\" is not an array");
    for (int64_t d : shape)
      if (d < 0) throw FixtureError("negative size in shape " + encoded.at("shape").dump());
    if (static_cast<int64_t>(data.size()) != shape_numel(shape))
      throw FixtureError(std::to_string(data.size()) + " values for shape " +
                         encoded.at("shape").dump());
    if (dtype == "float64") return tensor_of<double>(data, shape);
    if (dtype == "int64") return tensor_of<int64_t>(data, shape);
    if (dtype == "bool") return tensor_of<bool>(data, shape);
    throw FixtureError("unknown dtype \"" + dtype + "\" (expected float64, int64 or bool)");
  } catch (const FixtureError&) {
    throw;
  } catch (const std::exception& e) {  // nlohmann type_error / out_of_range: a malformed tensor
    throw FixtureError(std::string("malformed tensor: ") + e.what());
  }
}

FixtureFile read_fixture_file(const std::string& file_name) {
  FixtureFile file;
  file.path = fixture_path(file_name);
  std::ifstream in(file.path);
  if (!in) fail(file.path, "cannot be opened (missing?)");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    fail(file.path, std::string("is not valid JSON (") + e.what() + ")");
  }
  try {
    file.generator = doc.at("generator").get<std::string>();
    file.torch_version = doc.at("torch_version").get<std::string>();
    const json& cases = doc.at("cases");
    if (!cases.is_array() || cases.empty()) fail(file.path, "\"cases\" is empty or not a list");
    for (const json& c : cases) file.cases.push_back(read_case(c));
  } catch (const FixtureError& e) {
    if (std::string(e.what()).rfind("fixture file ", 0) == 0) throw;
    fail(file.path, e.what());
  } catch (const std::exception& e) {
    fail(file.path, std::string("is malformed (") + e.what() + ")");
  }
  return file;
}

const FixtureLoad& load_fixture(const std::string& file_name) {
  static std::mutex mutex;
  static std::map<std::string, FixtureLoad> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  auto [it, inserted] = loaded.try_emplace(file_name);
  if (inserted) {
    try {
      it->second.file = read_fixture_file(file_name);
    } catch (const std::exception& e) {
      it->second.error = e.what();
      if (it->second.error.empty()) it->second.error = "unknown error reading " + file_name;
    }
  }
  return it->second;
}

std::vector<std::string> fixture_case_names(const std::string& file_name) {
  const FixtureLoad& load = load_fixture(file_name);
  if (!load.ok()) return {kFixtureUnreadableCase};
  std::vector<std::string> names;
  for (const FixtureCase& c : load.file.cases) names.push_back(c.name);
  return names;
}

const FixtureCase* find_fixture_case(const FixtureFile& file, const std::string& name) {
  for (const FixtureCase& c : file.cases)
    if (c.name == name) return &c;
  return nullptr;
}

std::string fixture_test_name(const std::string& case_name) {
  std::string name = case_name;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

const nlohmann::json& FixtureArgs::at(const std::string& key) {
  read_.push_back(key);
  if (!has(key)) throw std::runtime_error("missing arg \"" + key + "\"");
  return values_.at(key);
}

std::vector<std::string> FixtureArgs::unread() const {
  std::vector<std::string> out;
  for (const auto& [key, value] : values_.items())
    if (std::find(read_.begin(), read_.end(), key) == read_.end()) out.push_back(key);
  return out;
}

std::vector<Tensor> fixture_leaves(const FixtureCase& c) {
  std::vector<Tensor> leaves;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    Tensor x = c.inputs[i].clone();
    if (c.has_grads() && c.grads[i].defined()) x.requires_grad_(true);
    leaves.push_back(x);
  }
  return leaves;
}

::testing::AssertionResult fixture_matches(const Tensor& actual, const Tensor& expected,
                                           double rtol, double atol) {
  if (!actual.defined()) return ::testing::AssertionFailure() << "nabla gave no tensor";
  if (actual.dtype() != expected.dtype())
    return ::testing::AssertionFailure() << "dtype " << actual.dtype() << " != expected "
                                         << expected.dtype();
  if (is_floating(expected.dtype())) return all_close(actual, expected, rtol, atol);
  if (actual.shape() != expected.shape() || !equal(actual, expected))
    return ::testing::AssertionFailure() << "not equal to the expected " << expected.dtype()
                                         << " tensor (shapes " << ::testing::PrintToString(actual.shape())
                                         << " and " << ::testing::PrintToString(expected.shape()) << ")";
  return ::testing::AssertionSuccess();
}

void check_fixture_outputs(const FixtureCase& c, const std::vector<Tensor>& inputs,
                           const std::vector<Tensor>& out, double rtol, double atol) {
  if (out.size() != c.outputs.size()) {
    ADD_FAILURE() << "nabla gave " << out.size() << " outputs, the fixture " << c.outputs.size();
    return;
  }
  for (size_t i = 0; i < out.size(); ++i)
    EXPECT_TRUE(fixture_matches(out[i], c.outputs[i], rtol, atol)) << "output " << i;
  if (!c.has_grads()) return;
  try {
    out[0].backward(c.grad_output);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "backward threw: " << e.what();
    return;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!c.grads[i].defined()) continue;
    if (!inputs[i].grad().defined()) {
      ADD_FAILURE() << "no gradient reached input " << i;
      continue;
    }
    EXPECT_TRUE(fixture_matches(inputs[i].grad(), c.grads[i], rtol, atol))
        << "gradient of input " << i;
  }
}

}  // namespace nabla::testing
