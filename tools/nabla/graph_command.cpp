// nabla graph: the autograd graph of one training step of a config (forward and loss on the
// first training batch) as Graphviz DOT on stdout: `nabla graph CONFIG > step.dot`.
#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.hpp"
#include "nabla/run/setup.hpp"

namespace nabla::cli {

namespace {

struct GraphArgs {
  std::string config;
  std::vector<std::string> sets;
};

int graph_command(const GraphArgs& args) {
  try {
    const run::Config config = run::Config::from_file(args.config, args.sets);
    const run::PreparedModel prepared = run::prepare_model(config);
    run::freeze_parameters(config, *prepared.model);
    std::cout << run::step_graph_dot(config, *prepared.model, prepared.splits.train,
                                     prepared.preprocessing);
    return 0;
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitBadInput);
  }
}

}  // namespace

void register_graph(CLI::App& app, Commands& commands) {
  auto args = std::make_shared<GraphArgs>();
  CLI::App* sub = app.add_subcommand(
      "graph", "print the autograd graph of one training step as Graphviz DOT (nabla graph "
               "CONFIG > step.dot; dot -Tsvg step.dot > step.svg)");
  sub->add_option("config", args->config, "TOML config")->required();
  sub->add_option("--set", args->sets, "override a config key")->allow_extra_args(false);
  commands.emplace_back(sub, [args] { return graph_command(*args); });
}

}  // namespace nabla::cli
