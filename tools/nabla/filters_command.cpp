// nabla filters: a trained run's first-layer convolution filters as one PNG grid (the picture
// of learned edge and colour detectors the course notes show).
#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "nabla/report/pictures.hpp"
#include "nabla/run/trained.hpp"
#include "nabla/train/inspect.hpp"

namespace nabla::cli {

namespace {

struct FiltersArgs {
  std::string run_dir;
  std::string out;  // default <run>/filters.png
  int64_t zoom = 8;
};

int filters_command(const FiltersArgs& args) {
  const std::string out = args.out.empty() ? args.run_dir + "/filters.png" : args.out;
  report::Picture picture;
  std::string name;
  Shape shape;
  try {
    NABLA_CHECK(out.ends_with(".png"), "filters: --out '", out, "' must end in .png");
    run::TrainedModel trained = run::load_trained(args.run_dir);
    const auto [weight_name, weight] = train::first_conv_weight(*trained.model, trained.sample_shape);
    name = weight_name;
    shape = weight.shape();
    picture = report::image_grid(weight, args.zoom);
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitBadInput);
  }
  try {
    report::write_png(out, picture);
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitFailure);
  }
  std::cout << "wrote " << out << ": " << name << " " << shape << ", " << picture.width << "x"
            << picture.height << " pixels\n";
  return 0;
}

}  // namespace

void register_filters(CLI::App& app, Commands& commands) {
  auto args = std::make_shared<FiltersArgs>();
  CLI::App* sub = app.add_subcommand("filters", "draw a trained run's first-layer filters as a PNG grid");
  sub->add_option("run_dir", args->run_dir, "directory written by nabla train")->required();
  sub->add_option("--out", args->out, "the PNG to write (default RUN/filters.png)");
  sub->add_option("--zoom", args->zoom, "screen pixels per weight (1-64, default 8)")
      ->check(CLI::Range(1, 64));
  commands.emplace_back(sub, [args] { return filters_command(*args); });
}

}  // namespace nabla::cli
