// A RunRecord with synthetic data in every field, shaped like a real 10-epoch Fashion-MNIST run
// (a NaN step loss, an infinite validation loss and an empty update-ratio series included), for
// the report tests and for looking at the page by hand.
#pragma once

#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "nabla/report/report.hpp"

namespace nabla::report::testing {

// Every plot id render_html can emit, in page order.
inline const std::vector<std::string> kPlotIds = {
    "loss", "accuracy", "learning-rate", "update-ratios", "activation-histograms",
    "gradient-histograms", "dead-relu", "confusion", "misclassified", "decision-boundary"};

// Occurrences of `needle` in `text`.
inline size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Deterministic noise in [-1, 1] without a random stream: the tests must not depend on one.
inline double wiggle(double i) { return std::sin(i * 12.9898) * std::cos(i * 4.1414); }

inline std::vector<Histogram> sample_histograms(const std::string& prefix, double width) {
  std::vector<Histogram> out;
  for (int layer = 0; layer < 4; ++layer) {
    Histogram h;
    h.name = prefix + std::to_string(layer * 2 + 1);
    const double spread = width / (1 + layer);
    h.low = -3 * spread;
    h.high = 3 * spread;
    for (int b = 0; b < 40; ++b) {
      const double z = (b - 19.5) / 6.5;
      const double count = 1000 * std::exp(-z * z / 2) + (layer == 2 ? 40 : 0);
      h.counts.push_back(static_cast<int64_t>(count));
    }
    out.push_back(h);
  }
  return out;
}

inline Misclassified sample_image(int index, int64_t channels, int64_t size) {
  Misclassified m;
  m.channels = channels;
  m.height = m.width = size;
  m.label = index % 10;
  m.predicted = (index + 3) % 10;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t y = 0; y < size; ++y)
      for (int64_t x = 0; x < size; ++x) {
        const double dx = x - size / 2.0, dy = y - size / 2.0;
        const double ring = std::abs(std::sqrt(dx * dx + dy * dy) - (3 + index % 7));
        const double shade = std::max(0.0, 1.0 - ring / 3.0) * (c + 1.0) / channels;
        m.pixels.push_back(static_cast<float>(shade));
      }
  return m;
}

inline void fill_boundary(DecisionBoundary& b) {
  b.grid = 60;
  b.x_low = -1.5, b.x_high = 1.5, b.y_low = -1.2, b.y_high = 1.2;
  auto classify = [](double x, double y) {
    const double angle = std::atan2(y, x) + 1.5 * std::sqrt(x * x + y * y);
    const double turn = 2 * std::numbers::pi;
    return static_cast<int64_t>(std::fmod(angle + 2 * turn, turn) / (turn / 3)) % 3;
  };
  for (int64_t r = 0; r < b.grid; ++r)
    for (int64_t c = 0; c < b.grid; ++c)
      b.grid_classes.push_back(classify(b.x_low + (c + 0.5) * (b.x_high - b.x_low) / b.grid,
                                        b.y_low + (r + 0.5) * (b.y_high - b.y_low) / b.grid));
  for (int i = 0; i < 150; ++i) {
    const double x = 1.4 * wiggle(i + 0.5), y = 1.1 * wiggle(i + 100.25);
    b.point_x.push_back(x);
    b.point_y.push_back(y);
    b.point_class.push_back(i % 17 == 0 ? (classify(x, y) + 1) % 3 : classify(x, y));
  }
}

inline RunRecord sample_record() {
  RunRecord r;
  r.title = "fashion_mnist_mlp.toml";
  r.facts = {{"test accuracy", "88.4%"},
             {"epochs", "10"},
             {"parameters", "235,146"},
             {"time", "1 min 12 s"}};
  r.config_text = "[model]\nlayers = [784, 256, 10]\n[optim]\nname = \"sgd\" # momentum <0.9>\n";
  const int steps_per_epoch = 50;
  for (int s = 0; s < 10 * steps_per_epoch; ++s) {
    const double t = (s + 1.0) / steps_per_epoch;
    r.step_epoch.push_back(t);
    r.step_loss.push_back(0.3 + 2.0 * std::exp(-1.5 * t) + 0.12 * wiggle(s));
  }
  r.step_loss[123] = std::numeric_limits<double>::quiet_NaN();
  const double pi = std::numbers::pi;
  for (int e = 1; e <= 10; ++e) {
    r.epoch.push_back(e);
    r.train_loss.push_back(0.3 + 2.0 * std::exp(-1.5 * e));
    r.val_loss.push_back(0.38 + 2.0 * std::exp(-1.5 * e) + 0.006 * e * e / 4);
    r.train_accuracy.push_back(0.92 - 0.5 * std::exp(-0.9 * e));
    r.val_accuracy.push_back(0.885 - 0.5 * std::exp(-0.9 * e));
    r.learning_rate.push_back(0.05 * 0.5 * (1 + std::cos(pi * (e - 1) / 10.0)));
  }
  r.val_loss[6] = std::numeric_limits<double>::infinity();
  const char* params[] = {"0.weight", "0.bias", "2.weight", "2.bias"};
  for (int p = 0; p < 4; ++p) {
    std::vector<double> ratios;
    for (int e = 1; e <= 10; ++e) ratios.push_back(3e-3 * std::pow(0.7, e) * (1 + p) / 2);
    r.update_ratios.emplace_back(params[p], ratios);
  }
  r.update_ratios.emplace_back("4.weight (frozen)", std::vector<double>{});
  r.activation_histograms = sample_histograms("relu ", 1.0);
  r.gradient_histograms = sample_histograms("linear ", 1e-3);
  r.dead_relu_fraction = {{"1 (ReLU)", 0.03}, {"3 (ReLU)", 0.27}, {"5 (ReLU)", 0.62}};
  r.class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  r.confusion.assign(10, std::vector<int64_t>(10, 0));
  for (int i = 0; i < 10; ++i) {
    r.confusion[i][i] = 850 + 12 * i;
    r.confusion[i][(i + 3) % 10] = 1000 - r.confusion[i][i] - 20;
    r.confusion[i][(i + 5) % 10] = 20;
  }
  for (int i = 0; i < 14; ++i) r.misclassified.push_back(sample_image(i, 1, 28));
  r.misclassified.push_back(sample_image(3, 3, 32));
  fill_boundary(r.boundary);
  return r;
}

}  // namespace nabla::report::testing
