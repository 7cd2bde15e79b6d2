// The notes' "visual overview" of optimizers: SGD, Momentum, NAG, Adagrad, Adadelta, RMSprop
// and Adam started from one point on three 2-D test functions (Rosenbrock's long narrow
// valley, Beale's function and the saddle x² − y²), each drawn as an SVG: contour lines of the
// function and every optimizer's path, with a legend.
//
//   optimizer_landscape [OUT_DIR=.] [STEPS=300]   writes OUT_DIR/{rosenbrock,beale,saddle}.svg
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nabla/nabla.hpp"
#include "nabla/optim/adadelta.hpp"
#include "nabla/optim/adagrad.hpp"
#include "nabla/optim/adam.hpp"
#include "nabla/optim/rmsprop.hpp"
#include "nabla/optim/sgd.hpp"

using namespace nabla::prelude;

namespace {

struct Landscape {
  std::string name;
  std::function<Tensor(const Tensor&, const Tensor&)> f;  // differentiable, on 1-element x, y
  double x0, y0;                                           // the common start
  double xmin, xmax, ymin, ymax;                           // the plotted window
  double lr_scale;                                         // steep functions need small steps
};

// The same function on doubles, for the contour grid.
double value(const Landscape& l, double x, double y) {
  const Tensor v = l.f(full({1}, x, {.dtype = DType::f64}), full({1}, y, {.dtype = DType::f64}));
  return v.item();
}

std::vector<Landscape> landscapes() {
  auto sq = [](const Tensor& t) { return t * t; };
  return {
      {"rosenbrock", [=](const Tensor& x, const Tensor& y) {
         return sum(sq(1.0 - x) + 100.0 * sq(y - x * x)); },
       -1.5, 2.0, -2.0, 2.0, -1.0, 3.0, 1e-3},
      {"beale", [=](const Tensor& x, const Tensor& y) {
         return sum(sq(1.5 - x + x * y) + sq(2.25 - x + x * y * y) +
                    sq(2.625 - x + x * y * y * y)); },
       1.0, 1.4, -4.5, 4.5, -4.5, 4.5, 3e-3},
      {"saddle", [](const Tensor& x, const Tensor& y) { return sum(x * x - y * y); },
       -1.5, 1e-3, -2.0, 2.0, -2.0, 2.0, 1e-1},
  };
}

struct Racer {
  std::string label, color;
  std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>, double scale)> make;
};

std::vector<Racer> racers() {
  using namespace optim;
  return {
      {"SGD", "#1f77b4", [](auto p, double s) { return std::make_unique<SGD>(p, SGDOptions{.lr = s}); }},
      {"Momentum", "#ff7f0e", [](auto p, double s) {
         return std::make_unique<SGD>(p, SGDOptions{.lr = s, .momentum = 0.9}); }},
      {"NAG", "#2ca02c", [](auto p, double s) {
         return std::make_unique<SGD>(p, SGDOptions{.lr = s, .momentum = 0.9, .nesterov = true}); }},
      {"Adagrad", "#d62728", [](auto p, double) {
         return std::make_unique<Adagrad>(p, AdagradOptions{.lr = 0.5}); }},
      {"Adadelta", "#9467bd", [](auto p, double) {
         return std::make_unique<Adadelta>(p, AdadeltaOptions{.lr = 1.0}); }},
      {"RMSprop", "#8c564b", [](auto p, double) {
         return std::make_unique<RMSprop>(p, RMSpropOptions{.lr = 0.01}); }},
      {"Adam", "#e377c2", [](auto p, double) {
         return std::make_unique<Adam>(p, AdamOptions{.lr = 0.05}); }},
  };
}

using Path = std::vector<std::pair<double, double>>;

Path race(const Landscape& l, const Racer& r, int steps) {
  const Tensor x = full({1}, l.x0, {.dtype = DType::f64, .requires_grad = true});
  const Tensor y = full({1}, l.y0, {.dtype = DType::f64, .requires_grad = true});
  auto opt = r.make({x, y}, l.lr_scale);
  Path path{{l.x0, l.y0}};
  for (int i = 0; i < steps; ++i) {
    opt->zero_grad();
    l.f(x, y).backward();
    opt->step();
    const double px = x.item(), py = y.item();
    if (!std::isfinite(px) || !std::isfinite(py) || std::abs(px) > 1e3 || std::abs(py) > 1e3)
      break;  // diverged (the saddle's y runs away): stop the path at the edge
    path.emplace_back(px, py);
  }
  return path;
}

// Marching squares: line segments where the grid crosses `level`.
void contour(std::ofstream& svg, const std::vector<std::vector<double>>& f, double level,
             const std::function<std::pair<double, double>(double, double)>& to_px) {
  const size_t n = f.size();
  auto cross = [&](double i0, double j0, double v0, double i1, double j1, double v1) {
    const double t = (level - v0) / (v1 - v0);
    return to_px(i0 + t * (i1 - i0), j0 + t * (j1 - j0));
  };
  for (size_t i = 0; i + 1 < n; ++i)
    for (size_t j = 0; j + 1 < n; ++j) {
      const double a = f[i][j], b = f[i + 1][j], c = f[i + 1][j + 1], d = f[i][j + 1];
      std::vector<std::pair<double, double>> pts;
      const double I = static_cast<double>(i), J = static_cast<double>(j);
      if ((a < level) != (b < level)) pts.push_back(cross(I, J, a, I + 1, J, b));
      if ((b < level) != (c < level)) pts.push_back(cross(I + 1, J, b, I + 1, J + 1, c));
      if ((c < level) != (d < level)) pts.push_back(cross(I + 1, J + 1, c, I, J + 1, d));
      if ((d < level) != (a < level)) pts.push_back(cross(I, J + 1, d, I, J, a));
      for (size_t k = 0; k + 1 < pts.size(); k += 2)
        svg << "<line x1='" << pts[k].first << "' y1='" << pts[k].second << "' x2='"
            << pts[k + 1].first << "' y2='" << pts[k + 1].second << "'/>\n";
    }
}

void write_svg(const std::filesystem::path& file, const Landscape& l,
               const std::vector<Racer>& rs, const std::vector<Path>& paths) {
  constexpr int kSize = 600, kGrid = 120;
  auto px = [&](double x, double y) {
    return std::pair{(x - l.xmin) / (l.xmax - l.xmin) * kSize,
                     (l.ymax - y) / (l.ymax - l.ymin) * kSize};
  };
  std::vector<std::vector<double>> grid(kGrid + 1, std::vector<double>(kGrid + 1));
  double lo = 1e300, hi = -1e300;
  for (int i = 0; i <= kGrid; ++i)
    for (int j = 0; j <= kGrid; ++j) {
      const double x = l.xmin + (l.xmax - l.xmin) * i / kGrid;
      const double y = l.ymin + (l.ymax - l.ymin) * j / kGrid;
      grid[i][j] = value(l, x, y);
      lo = std::min(lo, grid[i][j]);
      hi = std::max(hi, grid[i][j]);
    }
  std::ofstream svg(file);
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << kSize + 160 << "' height='"
      << kSize << "' font-family='sans-serif' font-size='13'>\n"
      << "<title>" << l.name << "</title><rect width='100%' height='100%' fill='white'/>\n"
      << "<clipPath id='plot'><rect width='" << kSize << "' height='" << kSize << "'/></clipPath>\n"
      << "<g stroke='#bbb' stroke-width='0.7'>\n";
  // Levels evenly spaced in log(f - min + 1): valleys get as many lines as the walls.
  auto to_px = [&](double i, double j) {
    return px(l.xmin + (l.xmax - l.xmin) * i / kGrid, l.ymin + (l.ymax - l.ymin) * j / kGrid);
  };
  for (int k = 1; k <= 20; ++k) {
    const double level = lo - 1.0 + std::exp(std::log(hi - lo + 1.0) * k / 21.0);
    contour(svg, grid, level, to_px);
  }
  svg << "</g>\n<g clip-path='url(#plot)' fill='none' stroke-width='2'>\n";
  for (size_t r = 0; r < rs.size(); ++r) {
    svg << "<polyline stroke='" << rs[r].color << "' points='";
    for (const auto& [x, y] : paths[r]) {
      const auto [u, v] = px(x, y);
      svg << u << "," << v << " ";
    }
    svg << "'/>\n";
  }
  const auto [sx, sy] = px(l.x0, l.y0);
  svg << "</g>\n<circle cx='" << sx << "' cy='" << sy << "' r='4' fill='black'/>\n";
  for (size_t r = 0; r < rs.size(); ++r) {
    const int y = 30 + 22 * static_cast<int>(r);
    svg << "<line x1='" << kSize + 15 << "' y1='" << y - 4 << "' x2='" << kSize + 40 << "' y2='"
        << y - 4 << "' stroke='" << rs[r].color << "' stroke-width='3'/><text x='" << kSize + 48
        << "' y='" << y << "'>" << rs[r].label << "</text>\n";
  }
  svg << "<text x='8' y='18'>" << l.name << " (" << paths[0].size() - 1 << " steps)</text>\n"
      << "</svg>\n";
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path out = argc > 1 ? argv[1] : ".";
  const int steps = argc > 2 ? std::stoi(argv[2]) : 300;
  std::filesystem::create_directories(out);
  const auto rs = racers();
  for (const Landscape& l : landscapes()) {
    std::vector<Path> paths;
    for (const Racer& r : rs) paths.push_back(race(l, r, steps));
    const auto file = out / (l.name + ".svg");
    write_svg(file, l, rs, paths);
    std::printf("%s:", file.c_str());
    for (size_t r = 0; r < rs.size(); ++r)
      std::printf(" %s (%.3g, %.3g)", rs[r].label.c_str(), paths[r].back().first,
                  paths[r].back().second);
    std::printf("\n");
  }
  return 0;
}
