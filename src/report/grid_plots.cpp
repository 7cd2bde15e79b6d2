// Plots on a grid of cells: the confusion matrix, misclassified images, the decision boundary.
#include <algorithm>
#include <cmath>

#include "report/plots.hpp"
#include "report/png.hpp"
#include "report/svg.hpp"

namespace nabla::report {

namespace {

constexpr double kWidth = 520;
constexpr double kWideWidth = 1060;
constexpr size_t kMostImages = 36;

// One confusion cell: colour by its share of the row, a tooltip with count and share, and the
// count written inside when `counts` is on and it fits.
void confusion_cell(Svg& svg, const RunRecord& record, size_t row, size_t column, double x,
                    double y, double cell, int64_t row_total, bool counts) {
  const int64_t count = record.confusion[row][column];
  const double share = row_total > 0 ? static_cast<double>(count) / row_total : 0.0;
  const std::string tip = "true " + class_name(record, static_cast<int64_t>(row)) + ", predicted " +
                          class_name(record, static_cast<int64_t>(column)) + ": " +
                          std::to_string(count) + " (" + format_number(100 * share, 3) +
                          "% of the row)";
  svg.raw("<rect x=\"" + format_pixel(x) + "\" y=\"" + format_pixel(y) + "\" width=\"" +
          format_pixel(cell) + "\" height=\"" + format_pixel(cell) + "\" fill=\"" +
          lighten("#1f4e9c", 1 - share) + "\" stroke=\"#fff\"><title>" + escape(tip) +
          "</title></rect>");
  const std::string digits = std::to_string(count);
  const double font = std::min(12.0, cell * 0.85 / (0.6 * static_cast<double>(digits.size())));
  if (!counts || font < 7) return;
  const std::string fill = share > 0.55 ? "#fff" : count == 0 ? "#bbb" : "#222";
  svg.text(
      x + cell / 2, y + cell / 2 + font * 0.35, digits,
      "font-size=\"" + format_number(font, 3) + "\" fill=\"" + fill + "\" text-anchor=\"middle\"");
}

// Class names along both sides of the matrix; the column names slant at 45 degrees when the
// cells are wide enough, and stand upright when they are narrow.
void confusion_labels(Svg& svg, const RunRecord& record, double left, double top, double cell,
                      double font) {
  const size_t n = record.confusion.size();
  const double bottom = top + cell * static_cast<double>(n);
  const bool slanted = cell >= 22;
  const std::string style = "font-size=\"" + format_number(font, 3) + "\" text-anchor=\"end\"";
  for (size_t i = 0; i < n; ++i) {
    const std::string name = fit_text(class_name(record, static_cast<int64_t>(i)), 120, font);
    const double middle = cell * (static_cast<double>(i) + 0.5);
    svg.text(left - 6, top + middle + font * 0.35, name, style);
    const double x = left + middle + (slanted ? 4 : font * 0.35), y = bottom + 8;
    svg.text(x, y, name,
             style + " transform=\"rotate(" + (slanted ? "-45 " : "-90 ") + format_pixel(x) + " " +
                 format_pixel(y) + ")\"");
  }
}

// Pixels in [0, 1] ([channels, height, width]) as an inline PNG; NaN shows black.
std::string image_uri(const Misclassified& image) {
  const size_t plane = static_cast<size_t>(image.height * image.width);
  std::vector<uint8_t> bytes(plane * static_cast<size_t>(image.channels));
  for (size_t p = 0; p < plane; ++p)
    for (int64_t c = 0; c < image.channels; ++c) {
      const float v = image.pixels[static_cast<size_t>(c) * plane + p];  // planar → interleaved
      bytes[p * static_cast<size_t>(image.channels) + static_cast<size_t>(c)] =
          std::isfinite(v) ? static_cast<uint8_t>(std::clamp(v, 0.0f, 1.0f) * 255.0f + 0.5f) : 0;
    }
  return png_data_uri(
      encode_png(bytes, image.width, image.height, static_cast<int>(image.channels)));
}

}  // namespace

std::string class_name(const RunRecord& record, int64_t index) {
  if (index >= 0 && static_cast<size_t>(index) < record.class_names.size())
    return record.class_names[static_cast<size_t>(index)];
  return std::to_string(index);
}

std::string confusion_plot(const RunRecord& record) {
  const size_t n = record.confusion.size();
  if (n == 0) return "";
  // Row labels at the largest font bound the left margin; the cells share what is left.
  double label_width = 12;
  for (size_t i = 0; i < n; ++i)
    label_width =
        std::max(label_width, text_width(class_name(record, static_cast<int64_t>(i)), 11));
  label_width = std::min(label_width, 120.0);
  const double room = kWidth - 38 - label_width - 16;
  const double cell = std::clamp(std::floor(room / static_cast<double>(n)), 4.0, 40.0);
  const double font = std::min(11.0, cell - 2);
  const bool names = font >= 6, counts = cell >= 22;  // below these sizes text would collide
  if (!names) label_width = 0;
  const double side = cell * static_cast<double>(n);
  const double left = std::max(30 + label_width + 8, (kWidth - side) / 2);
  const double top = 34, bottom = top + side;
  const double height = bottom + (counts ? 0.71 : 1.0) * label_width + 44;
  Svg svg("confusion", kWidth, height, "Confusion matrix (test)");

  int64_t correct = 0, total = 0;
  for (size_t r = 0; r < n; ++r) {
    int64_t row_total = 0;
    for (int64_t c : record.confusion[r]) row_total += c;
    total += row_total;
    correct += record.confusion[r][r];
    for (size_t c = 0; c < n; ++c)
      confusion_cell(svg, record, r, c, left + cell * c, top + cell * r, cell, row_total, counts);
  }
  svg.rect(left, top, side, side, "fill=\"none\" stroke=\"#999\"");
  if (names) confusion_labels(svg, record, left, top, cell, font);
  svg.text(left + side / 2, height - 8, "predicted class",
           "font-size=\"12\" text-anchor=\"middle\"");
  const double middle = top + side / 2;
  svg.text(14, middle, "true class",
           "font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 " +
               format_pixel(middle) + ")\"");
  std::string caption = "Rows are the true class, columns the prediction; ";
  caption += counts ? "numbers are counts and the colour is the share of the row"
                    : "the colour is the share of the row (point at a cell for its count)";
  caption += ", so the diagonal shows each class's recall.";
  if (total > 0)
    caption += " Accuracy " + format_number(100.0 * correct / total, 3) + "% of " +
               std::to_string(total) + " examples.";
  return figure(svg.str(), caption);
}

std::string misclassified_plot(const RunRecord& record) {
  const auto& images = record.misclassified;
  if (images.empty()) return "";
  constexpr double kBox = 64;  // each image is drawn inside a kBox x kBox square
  const double cell_width = 88, cell_height = kBox + 34;
  const size_t columns = static_cast<size_t>((kWideWidth - 10) / cell_width);
  const size_t shown = std::min(images.size(), kMostImages);
  const size_t rows = (shown + columns - 1) / columns;
  Svg svg("misclassified", kWideWidth, 30 + static_cast<double>(rows) * cell_height + 4,
          "Misclassified test images");
  for (size_t i = 0; i < shown; ++i) {
    const auto& image = images[i];
    const double x = 10 + static_cast<double>(i % columns) * cell_width;
    const double y = 30 + static_cast<double>(i / columns) * cell_height;
    // Whole-number zoom keeps pixels crisp; images larger than the box shrink into it.
    const double largest = static_cast<double>(std::max(image.height, image.width));
    const double zoom = largest <= kBox ? std::floor(kBox / largest) : kBox / largest;
    const double w = image.width * zoom, h = image.height * zoom;
    const double ix = x + (cell_width - 8 - w) / 2, iy = y + (kBox - h) / 2;
    svg.raw("<image x=\"" + format_pixel(ix) + "\" y=\"" + format_pixel(iy) + "\" width=\"" +
            format_pixel(w) + "\" height=\"" + format_pixel(h) +
            "\" style=\"image-rendering:pixelated\" href=\"" + image_uri(image) + "\"/>");
    svg.rect(ix, iy, w, h, "fill=\"none\" stroke=\"#ccc\"");
    const double centre = x + (cell_width - 8) / 2, room = cell_width - 10;
    svg.text(centre, y + kBox + 13, fit_text(class_name(record, image.label), room, 10),
             "font-size=\"10\" fill=\"#222\" text-anchor=\"middle\"");
    svg.text(centre, y + kBox + 26, fit_text("→ " + class_name(record, image.predicted), room, 10),
             "font-size=\"10\" fill=\"#c0392b\" text-anchor=\"middle\"");
  }
  std::string caption =
      "Test images the model got wrong: the true class, then (in red) the "
      "prediction. Look for label noise and for classes that look alike.";
  if (shown < images.size())
    caption += " Showing " + std::to_string(shown) + " of " + std::to_string(images.size()) + ".";
  return figure(svg.str(), caption, true);
}

std::string decision_boundary_plot(const RunRecord& record) {
  const auto& b = record.boundary;
  if (b.grid <= 0) return "";
  Svg svg("decision-boundary", kWidth, 316, "Decision boundary");
  const Box box{70, 32, 330, 240};
  // A zero-width range (every point on one line) is widened by linear_axis so the plot still
  // draws; the grid's cells then spread over the widened box.
  Chart chart(svg, box, linear_axis(b.x_low, b.x_high, 6, false),
              linear_axis(b.y_low, b.y_high, 6, false));
  // Runs of equal class along a row become one rect: a 100x100 grid stays a few hundred rects.
  const double cw = box.width / static_cast<double>(b.grid);
  const double ch = box.height / static_cast<double>(b.grid);
  std::string cells = "<g shape-rendering=\"crispEdges\">";
  int64_t most_class = 0;
  for (int64_t r = 0; r < b.grid; ++r) {
    const double y = box.y + box.height - static_cast<double>(r + 1) * ch;  // row 0 at y_low
    for (int64_t c = 0; c < b.grid;) {
      const int64_t cls = b.grid_classes[static_cast<size_t>(r * b.grid + c)];
      int64_t end = c + 1;
      while (end < b.grid && b.grid_classes[static_cast<size_t>(r * b.grid + end)] == cls) ++end;
      most_class = std::max(most_class, cls);
      cells += "<rect x=\"" + format_pixel(box.x + c * cw) + "\" y=\"" + format_pixel(y) +
               "\" width=\"" + format_pixel((end - c) * cw + 0.3) + "\" height=\"" +
               format_pixel(ch + 0.3) + "\" fill=\"" +
               lighten(palette(static_cast<size_t>(cls)), 0.62) + "\"/>";
      c = end;
    }
  }
  svg.raw(cells + "</g>");
  chart.draw_axes("x₁", "x₂");
  size_t skipped = 0;
  for (size_t i = 0; i < b.point_x.size(); ++i) {
    const double x = b.point_x[i], y = b.point_y[i];
    if (!std::isfinite(x) || !std::isfinite(y)) {
      ++skipped;
      continue;
    }
    if (x < b.x_low || x > b.x_high || y < b.y_low || y > b.y_high) continue;
    most_class = std::max(most_class, b.point_class[i]);
    svg.circle(chart.px(x), chart.py(y), 3,
               "fill=\"" + palette(static_cast<size_t>(b.point_class[i])) +
                   "\" stroke=\"#fff\" stroke-width=\"0.8\"");
  }
  std::vector<std::pair<std::string, std::string>> legend;
  for (int64_t c = 0; c <= most_class && c < 20; ++c)
    legend.emplace_back(class_name(record, c), palette(static_cast<size_t>(c)));
  for (size_t i = 0; i < legend.size(); ++i)
    svg.legend(box.x + box.width + 16, box.y + 10 + 16 * static_cast<double>(i), 100, {legend[i]});
  std::string caption =
      "The predicted class over the input plane (tinted) with the training "
      "points on top; a point on a tint of another colour is misclassified.";
  if (skipped > 0)
    caption += " <em>" + std::to_string(skipped) + " non-finite points not drawn.</em>";
  return figure(svg.str(), caption);
}

}  // namespace nabla::report
