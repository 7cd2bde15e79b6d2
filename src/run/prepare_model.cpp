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
  prepared.class_counts = model_class_counts(config, prepared.splits.train);
  prepared.model = make_model(config, prepared.sample_shape, prepared.splits.train.num_classes,
                              prepared.class_counts);
  return prepared;
}

std::vector<int64_t> model_class_counts(const Config& config, const data::Dataset& train) {
  const bool huffman = config.text("loss.name") == "hierarchical_softmax" &&
                       config.text("loss.tree") == "huffman";
  return huffman ? class_counts(train) : std::vector<int64_t>{};
}

}  // namespace nabla::run
