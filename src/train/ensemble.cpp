#include "nabla/train/ensemble.hpp"

#include "core/parse_integer.hpp"

#include <algorithm>
#include <optional>
#include <filesystem>

#include "nabla/io/safetensors.hpp"
#include "nabla/ops.hpp"

namespace nabla::train {

Tensor average_probabilities(const std::vector<Tensor>& members) {
  NABLA_CHECK(!members.empty(), "average_probabilities: no members; pass at least one [N, C]");
  Tensor sum = members[0];
  for (size_t k = 1; k < members.size(); ++k) {
    NABLA_CHECK(members[k].shape() == members[0].shape(), "average_probabilities: member ", k,
                " has shape ", members[k].shape(), ", member 0 ", members[0].shape(),
                "; every member must predict the same samples and classes");
    sum = sum + members[k];
  }
  return sum / static_cast<double>(members.size());
}

std::vector<int64_t> restart_cycle_ends(int64_t t_0, int64_t t_mult, int64_t epochs) {
  NABLA_CHECK(t_0 >= 1 && t_mult >= 1, "restart_cycle_ends: t_0 and t_mult must be >= 1, got ",
              t_0, " and ", t_mult);
  std::vector<int64_t> ends;
  for (int64_t end = t_0, cycle = t_0; end <= epochs; cycle *= t_mult, end += cycle)
    ends.push_back(end);
  return ends;
}

namespace {

class SnapshotCallback final : public Callback {
 public:
  SnapshotCallback(std::string dir, int64_t t_0, int64_t t_mult)
      : dir_(std::move(dir)), t_0_(t_0), t_mult_(t_mult) {
    restart_cycle_ends(t_0, t_mult, 0);  // validates t_0 and t_mult now, not after an epoch
  }

  void on_epoch_end(Trainer& trainer, const EpochRecord& record) override {
    const std::vector<int64_t> ends = restart_cycle_ends(t_0_, t_mult_, record.epoch);
    if (ends.empty() || ends.back() != record.epoch) return;
    const std::string cycle = std::to_string(ends.size());
    std::filesystem::create_directories(dir_);
    io::save_safetensors(dir_ + "/cycle-" + cycle + ".safetensors", trainer.model().state_dict(),
                         {{"epoch", std::to_string(record.epoch)}, {"cycle", cycle}});
  }
  std::string name() const override { return "snapshots"; }

 private:
  std::string dir_;
  int64_t t_0_, t_mult_;
};

}  // namespace

std::unique_ptr<Callback> snapshot_callback(const std::string& dir, int64_t t_0, int64_t t_mult) {
  return std::make_unique<SnapshotCallback>(dir, t_0, t_mult);
}

std::vector<std::string> snapshot_files(const std::string& dir) {
  std::vector<std::pair<int64_t, std::string>> found;
  if (!std::filesystem::is_directory(dir)) return {};
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("cycle-") || !name.ends_with(".safetensors")) continue;
    const std::optional<int64_t> cycle = detail::parse_int64(name.substr(6, name.size() - 6 - 12));
    if (!cycle || *cycle < 0) continue;  // not a snapshot of ours
    found.emplace_back(*cycle, entry.path().string());
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> files;
  for (auto& [cycle, path] : found) files.push_back(std::move(path));
  return files;
}

}  // namespace nabla::train
