// report.html: one self-contained page (inline SVG and CSS, no scripts or external files, so
// it opens offline and in a mail attachment) with the plots the notes ask a person to watch:
// loss per step (points plus moving average) and per epoch on validation, train / validation
// accuracy, learning rate, update/weight ratios per parameter (log scale, the 1e-3 guide line),
// activation and gradient histograms per layer, the confusion matrix, misclassified test
// images with their labels and, for 2-D inputs, the decision boundary; for regression the
// predicted-vs-true and residual plots per target, for multi-label the per-label scores; for
// image models with a convolution, the first layer's filters and one test image's activation
// maps after every convolution (inline PNG); and the autograd graph of one training step, as
// Graphviz drew it (inline SVG), or as DOT text with a line saying why it is not drawn.
//
// Every plot is an <svg class="plot"> with a fixed id (loss, accuracy, learning-rate,
// update-ratios, activation-histograms, gradient-histograms, dead-relu, confusion, misclassified,
// decision-boundary, fit-<k>, residuals-<k>, label-scores; the pictures are <img> with ids
// filters and activation-maps; the graph is a <div id="graph"> around Graphviz's <svg>, or a
// <p id="graph-note"> with the DOT text in <pre id="graph-dot">) and is left out when its data
// is empty, as is a section with no plots.
// Series may hold NaN or inf (a diverged step): those points are skipped and counted in the
// plot's caption.
//
//   RunRecord record;
//   record.title = "mlp.toml";
//   record.epoch = {1, 2};
//   record.val_loss = {0.61, 0.48};
//   write_report(out_dir + "/report.html", record);   // just the loss plot
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "nabla/report/pictures.hpp"

namespace nabla::report {

struct Histogram {
  std::string name;           // layer or parameter
  double low = 0.0, high = 0.0;
  std::vector<int64_t> counts;  // equal-width bins over [low, high]
};

struct Misclassified {
  std::vector<float> pixels;  // [channels, height, width], values in [0, 1]
  int64_t channels = 1, height = 0, width = 0;
  int64_t label = 0, predicted = 0;
};

// For 2-D inputs: the predicted class on a grid over [x_low, x_high] x [y_low, y_high]
// (row-major, rows along y), and the training points on top.
struct DecisionBoundary {
  int64_t grid = 0;  // grid x grid cells
  double x_low = 0, x_high = 0, y_low = 0, y_high = 0;
  std::vector<int64_t> grid_classes;
  std::vector<double> point_x, point_y;
  std::vector<int64_t> point_class;
};

// Regression, one target of the test split: the true and the predicted values.
struct TargetFit {
  std::string name;
  std::vector<double> truth, predicted;
};

// Multi-label, the test split's scores per label (NaN where undefined).
struct LabelScoreTable {
  std::vector<std::string> names;
  std::vector<double> precision, recall, f1, average_precision;
};

// A picture with the layer or parameter it shows.
struct NamedPicture {
  std::string name;
  Picture picture;
};

struct RunRecord {
  std::string title;                                      // e.g. the config's file name
  std::vector<std::pair<std::string, std::string>> facts; // "test accuracy" → "91.2%", ...
  std::string config_text;                                // shown folded at the end

  std::vector<double> step_epoch, step_loss;              // x: fractional epoch
  std::vector<double> step_lr;  // empty, or the lr of each step (x: step_epoch)
  std::vector<double> epoch;                              // 1, 2, ...
  // Each empty, or one value per entry of `epoch` (1, 2, ... when `epoch` is empty).
  // Accuracies are fractions (0.912).
  std::vector<double> train_loss, val_loss, train_accuracy, val_accuracy, learning_rate;
  // Per parameter tensor, one ratio per epoch (norm of the update / norm of the weights).
  std::vector<std::pair<std::string, std::vector<double>>> update_ratios;
  std::vector<Histogram> activation_histograms, gradient_histograms;  // latest epoch
  std::vector<std::pair<std::string, double>> dead_relu_fraction;      // latest epoch

  std::vector<std::string> class_names;
  std::vector<std::vector<int64_t>> confusion;  // [true][predicted], test split
  std::vector<Misclassified> misclassified;
  DecisionBoundary boundary;                    // grid == 0: not drawn
  std::vector<TargetFit> fits;                  // regression: predicted vs true, residuals
  LabelScoreTable label_scores;                 // multilabel: per-label scores

  // Image models with a convolution: the first layer's filters, and one test image (probe)
  // with the activation maps every convolution makes of it.
  NamedPicture filters;
  Picture probe;
  std::vector<NamedPicture> activation_maps;

  // The autograd graph of one training step (autograd::graph_dot) and Graphviz's picture of it
  // (report::render_dot_svg). Without a picture, graph_note says why (dot not on PATH, dot
  // failed) and the page shows the DOT text instead.
  std::string graph_dot, graph_svg, graph_note;
};

// The page. Throws nabla::Error naming the field when the record is inconsistent: per-epoch
// series of other lengths than `epoch`, step_epoch and step_loss of different lengths, a
// non-square confusion matrix, class_names that do not match it, an image whose pixels do not
// match its shape or with other than 1 or 3 channels, a boundary grid of the wrong size.
std::string render_html(const RunRecord& record);
// Writes render_html(record) atomically (io/atomic_file.hpp).
void write_report(const std::string& path, const RunRecord& record);

}  // namespace nabla::report

#pragma GCC visibility pop
