// Shared pieces of the training-loop tests: tiny spiral data, small MLPs, scratch directories.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

#include "nabla/data/dataset.hpp"
#include "nabla/data/loader.hpp"
#include "nabla/nabla.hpp"
#include "nabla/train/trainer.hpp"

namespace nabla::train_test {

// A fresh directory under the temp dir, removed with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "nabla_train_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// 2-D two-spiral points, 2 classes.
inline data::Dataset spirals(int64_t per_class = 100, uint64_t seed = 0) {
  return data::two_spirals(per_class, 2, 0.1, seed);
}

// Linear(2, h) ReLU [Dropout] Linear(h, h) ReLU Linear(h, 2): dotted names 0.weight, 0.bias, ...
inline std::shared_ptr<nn::Sequential> spiral_mlp(int64_t hidden = 32, double dropout = 0.0) {
  auto model = std::make_shared<nn::Sequential>();
  model->push_back(std::make_shared<nn::Linear>(2, hidden));
  model->push_back(std::make_shared<nn::ReLU>());
  if (dropout > 0) model->push_back(std::make_shared<nn::Dropout>(dropout));
  model->push_back(std::make_shared<nn::Linear>(hidden, hidden));
  model->push_back(std::make_shared<nn::ReLU>());
  model->push_back(std::make_shared<nn::Linear>(hidden, 2));
  return model;
}

inline data::DataLoaderOptions loader_options(int64_t batch_size = 32, uint64_t seed = 7) {
  return {.batch_size = batch_size, .shuffle = true, .seed = seed, .workers = 0};
}

// Quiet options: no progress lines, messages into `out`.
inline train::TrainerOptions quiet(std::ostream& out, int64_t epochs) {
  train::TrainerOptions options;
  options.epochs = epochs;
  options.progress = false;
  options.out = &out;
  return options;
}

// Whether two modules' parameters and buffers are bitwise equal.
inline ::testing::AssertionResult bitwise_equal(const nn::Module& a, const nn::Module& b) {
  const nn::StateDict sa = a.state_dict(), sb = b.state_dict();
  if (sa.size() != sb.size()) return ::testing::AssertionFailure() << "state dict sizes differ";
  for (size_t i = 0; i < sa.size(); ++i) {
    const Tensor x = sa[i].second.contiguous(), y = sb[i].second.contiguous();
    if (sa[i].first != sb[i].first || x.shape() != y.shape() || x.dtype() != y.dtype())
      return ::testing::AssertionFailure() << "entry " << i << " differs in name or shape";
    const size_t bytes = static_cast<size_t>(x.numel()) * dtype_size(x.dtype());
    if (std::memcmp(x.data_ptr(), y.data_ptr(), bytes) != 0)
      return ::testing::AssertionFailure() << sa[i].first << " differs";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace nabla::train_test
