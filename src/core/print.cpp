// operator<< in PyTorch's layout: nested brackets, aligned columns, long dims elided.
#include <cmath>
#include <iomanip>
#include <sstream>

#include "nabla/tensor.hpp"

namespace nabla {

namespace {
constexpr int64_t kSummariseAbove = 1000;  // elements; torch's threshold
constexpr int64_t kEdgeItems = 3;

struct Printer {
  std::vector<double> values;
  Shape shape;
  Strides strides;
  bool integral = false;
  bool summarise = false;
  int width = 0;

  std::string format(double v) const {
    std::ostringstream s;
    if (integral) s << static_cast<int64_t>(v);
    else s << std::fixed << std::setprecision(4) << v;
    return s.str();
  }

  void print(std::ostream& out, size_t d, int64_t base, int indent) const {
    if (shape.empty()) { out << format(values[base]); return; }
    out << '[';
    const int64_t n = shape[d];
    for (int64_t i = 0; i < n; ++i) {
      if (summarise && n > 2 * kEdgeItems && i == kEdgeItems) {
        out << (d + 1 == shape.size() ? "..., " : "...,\n" + std::string(indent + 1, ' '));
        i = n - kEdgeItems;
      }
      if (d + 1 == shape.size()) {
        const std::string s = format(values[base + i * strides[d]]);
        out << std::string(width - static_cast<int>(s.size()), ' ') << s;
      } else {
        print(out, d + 1, base + i * strides[d], indent + 1);
      }
      if (i + 1 < n)
        out << (d + 1 == shape.size() ? ", " : ",\n" + std::string(shape.size() - d - 1 > 1 ? 1 : 0, '\n') + std::string(indent + 1, ' '));
    }
    out << ']';
  }
};
}  // namespace

std::ostream& operator<<(std::ostream& out, const Tensor& tensor) {
  if (!tensor.defined()) return out << "tensor(undefined)";
  Printer p;
  p.values = tensor.to_vector<double>();
  p.shape = tensor.shape();
  p.strides = contiguous_strides(p.shape);
  p.integral = !is_floating(tensor.dtype());
  p.summarise = tensor.numel() > kSummariseAbove;
  for (double v : p.values) p.width = std::max(p.width, static_cast<int>(p.format(v).size()));
  out << "tensor(";
  if (tensor.numel() == 0) out << "[]";
  else p.print(out, 0, 0, 7);
  if (tensor.dim() != 1 || tensor.numel() == 0) out << ", shape=" << tensor.shape();
  if (tensor.dtype() != DType::f32) out << ", dtype=" << tensor.dtype();
  if (tensor.requires_grad()) out << ", requires_grad=true";
  return out << ')';
}

}  // namespace nabla
