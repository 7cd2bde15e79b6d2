// Graphviz's `dot` turns DOT text (autograd::graph_dot) into an SVG picture for report.html.
// Graphviz is optional: without `dot` on PATH, or when it fails, the caller gets the reason
// instead of a picture and keeps the DOT text; nothing throws.
//
//   report::GraphvizSvg drawn = report::render_dot_svg(autograd::graph_dot(loss));
//   if (drawn.svg.empty()) std::cerr << drawn.problem << "\n";
#pragma once
#pragma GCC visibility push(default)

#include <string>

namespace nabla::report {

struct GraphvizSvg {
  std::string svg;      // the <svg> element, without the XML prolog and doctype; "" on failure
  std::string problem;  // why svg is empty (dot not on PATH, could not start, its exit status
                        // and error output); "" on success
};

// Runs `dot -Tsvg` (the first executable `dot` on PATH) with `dot_text` on its standard input.
// No timeout: dot lays out a training step's graph in well under a second.
GraphvizSvg render_dot_svg(const std::string& dot_text);

// The full path of the first executable `program` on PATH (/usr/bin:/bin when PATH is unset),
// or "".
std::string find_on_path(const std::string& program);

}  // namespace nabla::report

#pragma GCC visibility pop
