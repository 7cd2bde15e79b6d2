// Transfer learning from the config: pretrained weights (model.pretrained, minus
// model.pretrained_exclude), frozen parameters (train.freeze) and per-layer hyperparameters
// ([[optimizer.param_groups]]). Every pattern must match something, so a typo in a layer name
// is an error naming the model's real names rather than a silently unfrozen network.
#include <filesystem>
#include <map>

#include "nabla/io/safetensors.hpp"
#include "nabla/run/setup.hpp"

namespace nabla::run {

namespace {

std::string some_names(const nn::NamedTensors& tensors) {
  std::string list;
  const size_t shown = std::min<size_t>(tensors.size(), 8);
  for (size_t i = 0; i < shown; ++i) list += (i ? ", " : "") + tensors[i].first;
  if (tensors.size() > shown) list += ", ... (" + std::to_string(tensors.size()) + " in all)";
  return list;
}

bool matches_any(const std::vector<std::string>& patterns, const std::string& name) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return name_matches(p, name); });
}

// Each pattern of `key` must match at least one of `tensors`' names.
void check_patterns_used(const Config& config, const std::string& key,
                         const std::vector<std::string>& patterns, const nn::NamedTensors& tensors) {
  for (const std::string& pattern : patterns) {
    const bool used = std::any_of(tensors.begin(), tensors.end(),
                                  [&](const auto& t) { return name_matches(pattern, t.first); });
    if (!used)
      config_error(config, key, "pattern \"" + pattern + "\" matches no tensor of the model; its " +
                                    "names are " + some_names(tensors) +
                                    " (`nabla summary` prints the layers)");
  }
}

// The state dict a pretrained source holds: a run directory's model.safetensors, a nabla
// checkpoint's "model." tensors, or a plain safetensors file (e.g. written by PyTorch).
nn::NamedTensors read_pretrained(const Config& config, const std::string& source) {
  std::string path = source;
  if (std::filesystem::is_directory(source)) {
    path = source + "/model.safetensors";
    if (!std::filesystem::exists(path)) path = source + "/checkpoint/last.safetensors";
  }
  if (!std::filesystem::exists(path))
    config_error(config, "model.pretrained",
                 "'" + source + "' is neither a safetensors file nor a run directory holding "
                 "model.safetensors; pass the --out directory of a finished `nabla train`");
  io::SafetensorsContents file = io::load_safetensors(path);
  const auto format = file.metadata.find("format");
  if (format == file.metadata.end() || format->second != "nabla-checkpoint-1") return file.tensors;
  nn::NamedTensors model;
  for (auto& [name, tensor] : file.tensors)
    if (name.starts_with("model.")) model.emplace_back(name.substr(6), tensor);
  return model;
}

}  // namespace

bool name_matches(const std::string& pattern, const std::string& name) {
  // Iterative glob with backtracking to the last '*': linear in practice, no recursion.
  size_t p = 0, n = 0, star = std::string::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p, ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (star != std::string::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::optional<PretrainedLoad> load_pretrained(const Config& config, nn::Module& model) {
  const std::string source = config.text("model.pretrained");
  if (source.empty()) return std::nullopt;
  const std::vector<std::string> exclude = config.texts("model.pretrained_exclude");
  const nn::StateDict own = model.state_dict();
  check_patterns_used(config, "model.pretrained_exclude", exclude, own);
  std::map<std::string, Tensor> given;
  for (auto& [name, tensor] : read_pretrained(config, source)) given.emplace(name, tensor);

  PretrainedLoad result;
  result.source = source;
  nn::StateDict selected;
  for (const auto& [name, target] : own) {
    if (matches_any(exclude, name)) {
      result.kept_new.push_back(name);
      continue;
    }
    const auto it = given.find(name);
    if (it == given.end())
      config_error(config, "model.pretrained",
                   "'" + source + "' has no tensor '" + name + "' of this model (it holds " +
                       std::to_string(given.size()) + " tensors); start from weights of the same " +
                       "architecture, or list it in model.pretrained_exclude to keep it new");
    if (it->second.shape() != target.shape())
      config_error(config, "model.pretrained",
                   detail::concat("tensor '", name, "' has shape ", it->second.shape(), " in '",
                                  source, "' but ", target.shape(), " in the model; a new head for "
                                  "another number of classes goes in model.pretrained_exclude, "
                                  "e.g. [\"", name.substr(0, name.rfind('.') + 1), "*\"]"));
    selected.emplace_back(name, it->second.to(target.dtype()));
    given.erase(it);
  }
  result.loaded = static_cast<int64_t>(selected.size());
  result.ignored = static_cast<int64_t>(given.size());
  model.load_state_dict(selected, /*strict=*/false);
  return result;
}

std::vector<std::string> freeze_parameters(const Config& config, nn::Module& model) {
  const std::vector<std::string> patterns = config.texts("train.freeze");
  const nn::NamedTensors params = model.named_parameters();
  check_patterns_used(config, "train.freeze", patterns, params);
  std::vector<std::string> frozen;
  for (const auto& [name, param] : params) {
    if (!matches_any(patterns, name)) continue;
    param.requires_grad_(false);
    frozen.push_back(name);
  }
  return frozen;
}

std::vector<optim::ParamGroup> parameter_groups(const Config& config, nn::Module& model) {
  const std::vector<ConfigTable> tables = config.tables("optimizer.param_groups");
  nn::NamedTensors trainable;
  for (const auto& [name, param] : model.named_parameters())
    if (param.requires_grad()) trainable.emplace_back(name, param);
  std::vector<optim::ParamGroup> groups(tables.size() + 1);  // the last: every other parameter
  for (size_t g = 0; g < tables.size(); ++g) {
    const ConfigTable& table = tables[g];
    NABLA_CHECK(table.has("pattern"), "config: [[optimizer.param_groups]] (", table.where,
                ") needs a pattern, e.g. pattern = \"features.*\"");
    for (const char* key : {"lr", "weight_decay"}) {
      if (!table.has(key)) continue;
      const double value = table.number(key, 0.0);
      NABLA_CHECK(value >= 0 && (value > 0 || std::string(key) != "lr"), "config: ", key, " = ",
                  value, " in [[optimizer.param_groups]] (", table.where, ") must be ",
                  std::string(key) == "lr" ? "> 0" : ">= 0");
      groups[g].options[key] = value;
    }
  }
  for (const auto& [name, param] : trainable) {
    size_t g = 0;
    while (g < tables.size() && !name_matches(tables[g].text("pattern", ""), name)) ++g;
    groups[g].params.push_back(param);
  }
  for (size_t g = 0; g < tables.size(); ++g)
    NABLA_CHECK(!groups[g].params.empty(), "config: [[optimizer.param_groups]] pattern \"",
                tables[g].text("pattern", ""), "\" (", tables[g].where, ") matches no trainable "
                "parameter (frozen ones are left out); the model's are ", some_names(trainable));
  std::erase_if(groups, [](const optim::ParamGroup& group) { return group.params.empty(); });
  NABLA_CHECK(!groups.empty(), "config: every parameter of the model is frozen (train.freeze); "
              "leave at least one layer to train");
  return groups;
}

}  // namespace nabla::run
