// prepare_model: the steps every command that builds a config's model takes first, in one order,
// so that `nabla train`, `graph`, `doctor` and `summary` draw the same initial weights.
#include "nabla/random.hpp"
#include "nabla/run/setup.hpp"

namespace nabla::run {

PreparedModel prepare_model(const Config& config) {
  manual_seed(static_cast<uint64_t>(config.integer("train.seed")));
  PreparedModel prepared;
  prepared.splits = load_data(config);
  prepared.preprocessing = make_preprocessing(config);
  prepared.preprocessing.fit(prepared.splits.train.inputs);
  prepared.sample_shape = prepared.preprocessing.output_sample_shape(prepared.splits.train.sample_shape());
  prepared.class_tree = class_tree(config, prepared.splits.train, prepared.preprocessing);
  prepared.model = make_model(config, prepared.sample_shape, prepared.splits.train.num_classes,
                              prepared.class_tree);
  return prepared;
}

}  // namespace nabla::run
