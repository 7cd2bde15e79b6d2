// The pictures of report.html: the first layer's filters and one test image's activation maps,
// each an inline PNG drawn with crisp pixels, and the autograd graph of one training step.
#include "report/plots.hpp"
#include "report/png.hpp"
#include "report/svg.hpp"

namespace nabla::report {

namespace {

std::string image_tag(const std::string& id, const Picture& picture, const std::string& alt) {
  return "<img id=\"" + id + "\" alt=\"" + escape(alt) + "\" width=\"" +
         std::to_string(picture.width) + "\" height=\"" + std::to_string(picture.height) +
         "\" style=\"max-width:100%;height:auto;image-rendering:pixelated\" src=\"" +
         png_data_uri(encode_png(picture)) + "\"/>";
}

}  // namespace

std::string filters_plot(const RunRecord& record) {
  if (record.filters.picture.empty()) return "";
  return figure(
      image_tag("filters", record.filters.picture, "first-layer filters"),
      "The first layer's filters (" + escape(record.filters.name) +
          "), each scaled to its own range. Trained filters look like edge, blob and colour "
          "detectors; noise-like filters mean too little training or too high a learning rate.");
}

std::string activation_maps_plot(const RunRecord& record) {
  if (record.activation_maps.empty()) return "";
  std::string body;
  if (!record.probe.empty())
    body += "<p style=\"margin:4px\">test image</p>" + image_tag("probe", record.probe, "test image");
  for (size_t i = 0; i < record.activation_maps.size(); ++i) {
    const NamedPicture& maps = record.activation_maps[i];
    body += "<p style=\"margin:8px 4px 4px\">" + escape(maps.name) + "</p>" +
            image_tag(i == 0 ? "activation-maps" : "activation-maps-" + std::to_string(i),
                      maps.picture, "activation maps of " + maps.name);
  }
  return figure(body,
                "Activation maps of one test image after each convolution, one tile per "
                "channel, each scaled to its own range. Many all-dark tiles are dead channels.",
                true);
}

// Graphviz's SVG is already markup (dot escapes its labels); it scrolls inside its box, since a
// deep network's graph is far taller than the page.
std::string graph_plot(const RunRecord& record) {
  if (record.graph_svg.empty() && record.graph_dot.empty() && record.graph_note.empty()) return "";
  const std::string caption =
      "The autograd graph of one training step (forward and loss on the first training batch): a "
      "box per backward node with its inputs' shapes and the tensors it saves for the backward "
      "pass, a green ellipse per parameter that gets a gradient. The run folder holds it as "
      "graph.dot.";
  if (!record.graph_svg.empty())
    return figure("<div id=\"graph\" style=\"overflow:auto;max-height:900px\">" +
                      record.graph_svg + "</div>",
                  caption, true);
  std::string body = "<p id=\"graph-note\" style=\"margin:4px\">" +
                     escape(record.graph_note.empty() ? "The graph is not drawn." : record.graph_note) +
                     "</p>";
  if (!record.graph_dot.empty())
    body += "<details style=\"margin-top:6px\"><summary>DOT text (draw it with dot -Tsvg graph.dot "
            "&gt; graph.svg)</summary><pre id=\"graph-dot\">" + escape(record.graph_dot) +
            "</pre></details>";
  return figure(body, caption, true);
}

}  // namespace nabla::report
