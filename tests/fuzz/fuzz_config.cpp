// Run configs (run/config.hpp): the TOML parse, the schema check and the round trip. The input
// is the file's text up to the first NUL byte, then each NUL-separated piece is a `--set`
// override ("train.epochs=3"). A config that parses must write (resolved_toml) a text that
// parses again to the same configuration: the same value for every key of the schema, and the
// same text when written again.
#include <bit>
#include <cmath>

#include "fuzz_support.hpp"
#include "nabla/run/config.hpp"

using namespace nabla;

namespace {

bool same_number(double a, double b) {
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b) ||
         (std::isnan(a) && std::isnan(b));
}

bool same_numbers(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same_number(a[i], b[i])) return false;
  return true;
}

bool same_tables(const std::vector<run::ConfigTable>& a, const std::vector<run::ConfigTable>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].values != b[i].values) return false;
  return true;
}

// Whether `key` has the same value in both configs, read as its schema type says.
bool same_value(const run::Config& a, const run::Config& b, const run::KeyHelp& key) {
  const std::string& k = key.key;
  if (key.type == "a boolean") return a.boolean(k) == b.boolean(k);
  if (key.type == "an integer") return a.integer(k) == b.integer(k);
  if (key.type == "a number") return same_number(a.number(k), b.number(k));
  if (key.type == "a string") return a.text(k) == b.text(k);
  if (key.type == "an array of integers") return a.integers(k) == b.integers(k);
  if (key.type == "an array of numbers") return same_numbers(a.numbers(k), b.numbers(k));
  if (key.type == "an array of strings") return a.texts(k) == b.texts(k);
  if (key.type == "an array of tables") return same_tables(a.tables(k), b.tables(k));
  fuzz::invariant_failed("config key " + k + " has a type the fuzz target does not know: " +
                         key.type);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t text_end = std::min(input.find('\0'), input.size());
  std::vector<std::string> overrides;
  for (size_t start = text_end; start < input.size();) {
    const size_t end = std::min(input.find('\0', start + 1), input.size());
    overrides.push_back(input.substr(start + 1, end - start - 1));
    start = end;
  }
  return fuzz::expect_errors_only([&] {
    const run::Config config =
        run::Config::from_string(input.substr(0, text_end), "fuzz.toml", overrides);
    const std::string written = config.resolved_toml();
    const run::Config again = fuzz::must_succeed("parsing resolved_toml()", [&] {
      return run::Config::from_string(written, "fuzz.toml");
    });
    for (const run::KeyHelp& key : run::config_keys())
      NABLA_FUZZ_CHECK(fuzz::must_succeed("reading a key of both configs",
                                          [&] { return same_value(config, again, key); }),
                       "config key ", key.key, " changed in a round trip through resolved_toml():\n",
                       written);
    const std::string rewritten = again.resolved_toml();
    NABLA_FUZZ_CHECK(rewritten == written, "resolved_toml() of the re-read config differs:\n",
                     written, "\n---\n", rewritten);
  });
}
