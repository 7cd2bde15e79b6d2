// A training checkpoint: everything a run needs to continue as if never stopped (model,
// optimizer, scheduler, the global RNG, and the caller's own state such as the epoch, the batch
// within it and the preprocessing statistics), in one safetensors file written atomically.
//
// Layout: model tensors under "model.<name>", optimizer tensors under "optimizer.<key>",
// extra tensors under "extra.<name>"; the metadata holds "format": "nabla-checkpoint-1",
// "optimizer.<key>" and "scheduler.<key>" (doubles as the shortest decimal that reads back to
// the same bits: "0.1", "inf", "nan"), "generator.seed" and "generator.offset" (uint64 in
// decimal) and "text.<key>" for the caller's text, so float64 values and 64-bit counters
// survive bit for bit and a person can read them. The file is plain safetensors, so any
// safetensors reader can inspect it.
//
//   io::save_checkpoint(dir + "/last.ckpt", {model.state_dict(), adam.state_dict(),
//                                            schedule.state_dict(), generator_state(), {}, {}});
//   io::Checkpoint c = io::load_checkpoint(dir + "/last.ckpt");
//   model.load_state_dict(c.model); adam.load_state_dict(c.optimizer); ...
#pragma once
#pragma GCC visibility push(default)

#include <map>
#include <string>

#include "nabla/io/safetensors.hpp"
#include "nabla/optim/optimizer.hpp"
#include "nabla/optim/schedule.hpp"
#include "nabla/random.hpp"

namespace nabla::io {

struct Checkpoint {
  nn::StateDict model;
  optim::OptimizerState optimizer;
  optim::SchedulerState scheduler;
  GeneratorState generator;
  nn::NamedTensors extra;  // e.g. preprocessing statistics
  Metadata text;           // e.g. {"trainer": "<json>"}
};

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);
// An Error names the file and what is missing or malformed; a safetensors file without the
// format tag is "not a nabla checkpoint", and unknown tensor or metadata keys are refused
// rather than dropped.
Checkpoint load_checkpoint(const std::string& path);

}  // namespace nabla::io

#pragma GCC visibility pop
