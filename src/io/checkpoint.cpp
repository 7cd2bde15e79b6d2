#include "nabla/io/checkpoint.hpp"

#include <charconv>
#include <system_error>
#include <type_traits>

#include "nabla/error.hpp"

namespace nabla::io {

namespace {

constexpr const char* kFormatKey = "format";
constexpr const char* kFormat = "nabla-checkpoint-1";

// The shortest decimal that reads back as the same double (to_chars' round-trip guarantee), so
// 0.1 is stored as "0.1" and still restores bit for bit; inf and nan print as "inf", "nan".
std::string format_double(double value) {
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  NABLA_CHECK(error == std::errc(), "save_checkpoint: cannot format ", value);
  return std::string(buffer, end);
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// Reads the whole of `text` as T (double or uint64_t); an Error names the file and key.
template <class T>
T parse_number(const std::string& text, const std::string& key, const std::string& path) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  NABLA_CHECK(!text.empty() && error == std::errc() && stop == end, "load_checkpoint: '", path,
              "': metadata \"", key, "\" holds '", text, "', not ",
              std::is_same_v<T, double> ? "a number" : "an unsigned 64-bit integer",
              "; the file was edited or damaged");
  return value;
}

// Sorts the metadata back into the checkpoint; every key must belong to one of its parts.
void read_metadata(const Metadata& metadata, const std::string& path, Checkpoint& out) {
  bool has_seed = false, has_offset = false;
  for (const auto& [key, text] : metadata) {
    if (key == kFormatKey) continue;
    if (starts_with(key, "optimizer.")) {
      out.optimizer.scalars[key.substr(10)] = parse_number<double>(text, key, path);
    } else if (starts_with(key, "scheduler.")) {
      out.scheduler[key.substr(10)] = parse_number<double>(text, key, path);
    } else if (key == "generator.seed") {
      out.generator.seed = parse_number<uint64_t>(text, key, path);
      has_seed = true;
    } else if (key == "generator.offset") {
      out.generator.offset = parse_number<uint64_t>(text, key, path);
      has_offset = true;
    } else if (starts_with(key, "text.")) {
      out.text[key.substr(5)] = text;
    } else {
      NABLA_FAIL("load_checkpoint: '", path, "': unexpected metadata key \"", key, "\" (a ",
                 kFormat, " file holds format, optimizer.*, scheduler.*, generator.* and text.* "
                 "only)");
    }
  }
  NABLA_CHECK(has_seed && has_offset, "load_checkpoint: '", path, "': metadata lacks \"",
              has_seed ? "generator.offset" : "generator.seed", "\"; the file was edited or "
              "damaged");
}

void read_tensors(const nn::NamedTensors& tensors, const std::string& path, Checkpoint& out) {
  for (const auto& [name, tensor] : tensors) {
    if (starts_with(name, "model."))
      out.model.emplace_back(name.substr(6), tensor);
    else if (starts_with(name, "optimizer."))
      out.optimizer.tensors[name.substr(10)] = tensor;
    else if (starts_with(name, "extra."))
      out.extra.emplace_back(name.substr(6), tensor);
    else
      NABLA_FAIL("load_checkpoint: '", path, "': unexpected tensor '", name, "' (a ", kFormat,
                 " file holds model.*, optimizer.* and extra.* tensors only)");
  }
}

}  // namespace

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint) {
  nn::NamedTensors tensors;
  tensors.reserve(checkpoint.model.size() + checkpoint.optimizer.tensors.size() +
                  checkpoint.extra.size());
  for (const auto& [name, tensor] : checkpoint.model) tensors.emplace_back("model." + name, tensor);
  for (const auto& [key, tensor] : checkpoint.optimizer.tensors)
    tensors.emplace_back("optimizer." + key, tensor);
  for (const auto& [name, tensor] : checkpoint.extra) tensors.emplace_back("extra." + name, tensor);

  Metadata metadata{{kFormatKey, kFormat}};
  for (const auto& [key, value] : checkpoint.optimizer.scalars)
    metadata["optimizer." + key] = format_double(value);
  for (const auto& [key, value] : checkpoint.scheduler)
    metadata["scheduler." + key] = format_double(value);
  metadata["generator.seed"] = std::to_string(checkpoint.generator.seed);
  metadata["generator.offset"] = std::to_string(checkpoint.generator.offset);
  for (const auto& [key, text] : checkpoint.text) metadata["text." + key] = text;
  save_safetensors(path, tensors, metadata);
}

Checkpoint load_checkpoint(const std::string& path) {
  const SafetensorsContents contents = load_safetensors(path);
  const auto format = contents.metadata.find(kFormatKey);
  NABLA_CHECK(format != contents.metadata.end(), "load_checkpoint: '", path, "' is not a nabla "
              "checkpoint: it is a valid safetensors file but its metadata has no \"", kFormatKey,
              "\": \"", kFormat, "\"; read plain weights with load_safetensors, or pass a file "
              "written by save_checkpoint");
  NABLA_CHECK(format->second == kFormat, "load_checkpoint: '", path, "' is not a nabla "
              "checkpoint this version reads: format \"", format->second, "\", expected \"",
              kFormat, "\"");
  Checkpoint out;
  read_tensors(contents.tensors, path, out);
  read_metadata(contents.metadata, path, out);
  return out;
}

}  // namespace nabla::io
