// The autograd graph of a config's first training step, shared by `nabla graph` (DOT on
// stdout) and `nabla train` (graph.dot and the report's picture).
#include "nabla/run/setup.hpp"
#include "nabla/train/inspect.hpp"

namespace nabla::run {

std::string step_graph_dot(const Config& config, nn::Module& model, const data::Dataset& train,
                           const data::Preprocessing& preprocessing) {
  NABLA_CHECK(train.size() > 0, "step_graph_dot: the training split is empty; the graph of a "
              "training step needs at least one training sample (check data.train_limit)");
  // The first batch in file order: the loader's shuffle is not drawn, so the graph costs the
  // run no random numbers.
  const int64_t rows = std::min(config.integer("train.batch_size"), train.size());
  return train::step_graph_dot(model, make_loss(config),
                               preprocessing.apply(train.inputs.narrow(0, 0, rows)),
                               train.targets.narrow(0, 0, rows));
}

}  // namespace nabla::run
