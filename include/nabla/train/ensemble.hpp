// Model ensembles, as the notes recommend for the last percent or two: average the predicted
// class probabilities of K independently trained models (different seeds), or of snapshots of
// one run taken at the ends of cosine warm-restart cycles (Huang et al., "Snapshot ensembles",
// 2017), whose learning rate peaks push each cycle into a different minimum.
//
//   Tensor p = train::average_probabilities({p1, p2, p3});   // each [N, C]
//   trainer.add_callback(train::snapshot_callback(run_dir + "/snapshots", 10, 1));
#pragma once
#pragma GCC visibility push(default)

#include <memory>
#include <string>
#include <vector>

#include "nabla/tensor.hpp"
#include "nabla/train/trainer.hpp"

namespace nabla::train {

// The elementwise mean of K probability matrices of one shape [N, C].
Tensor average_probabilities(const std::vector<Tensor>& members);

// The 1-based epochs that end a cycle of SGDR with first cycle t_0 and growth t_mult, up to
// `epochs`: t_0 = 10, t_mult = 2 gives 10, 30, 70, ...
std::vector<int64_t> restart_cycle_ends(int64_t t_0, int64_t t_mult, int64_t epochs);

// Saves the model's state dict as `dir`/cycle-<k>.safetensors (atomically, k from 1) at the
// end of each epoch restart_cycle_ends() lists; metadata "epoch" and "cycle".
std::unique_ptr<Callback> snapshot_callback(const std::string& dir, int64_t t_0, int64_t t_mult);

// The snapshot files of `dir` in cycle order (cycle-1, cycle-2, ...); empty when there are none.
std::vector<std::string> snapshot_files(const std::string& dir);

}  // namespace nabla::train

#pragma GCC visibility pop
