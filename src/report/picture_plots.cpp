// The pictures of report.html: the first layer's filters and one test image's activation maps,
// each an inline PNG drawn with crisp pixels.
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

}  // namespace nabla::report
