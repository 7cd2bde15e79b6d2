// conv2d as im2col + GEMM, per image and group (float32 goes to oneDNN first where it is built
// in, see conv_onednn.hpp; this is float64's path and the fallback):
//   forward        y[n, g]  = W[g] · col(x[n, g])                 [C_out/g, HW_out]
//   input grad     dx[n, g] = col2im(W[g]ᵀ · dy[n, g])
//   weight grad    dW[g]   += dy[n, g] · col(x[n, g])ᵀ,  db = Σ dy
// The transposes are BLAS flags, never copies. Batches at least as large as the thread count
// run one image per thread (OpenBLAS stays single-threaded inside the region); smaller ones
// run images in turn and let OpenBLAS thread each product. Column matrices live in a
// thread-local workspace that only grows, so a training step allocates nothing per image.
#include <omp.h>

#include <memory>
#include <vector>

#include "backend/cpu/blas.hpp"
#include "backend/cpu/conv_onednn.hpp"
#include "backend/cpu/cpu_backend.hpp"
#include "backend/cpu/im2col.hpp"
#include "backend/cpu/loops.hpp"

namespace nabla::cpu {

namespace {

template <class T> T* workspace(int64_t elements) {
  thread_local std::vector<T> buffer;
  if (static_cast<int64_t>(buffer.size()) < elements) buffer.resize(elements);
  return buffer.data();
}

struct ConvShape {
  int64_t batch, groups, in_c, out_c;  // in_c, out_c per group
  ConvGeometry geometry;
  int64_t x_image() const { return groups * in_c * geometry.height * geometry.width; }
  int64_t y_image() const { return groups * out_c * geometry.col_cols(); }
  int64_t w_group() const { return out_c * geometry.col_rows(); }
};

ConvShape conv_shape(const Conv2dArgs& a) {
  ConvShape s;
  s.batch = a.x.shape[0];
  s.groups = a.groups;
  s.in_c = a.x.shape[1] / a.groups;
  s.out_c = a.y.shape[1] / a.groups;
  ConvGeometry& g = s.geometry;
  g.channels = s.in_c;
  g.height = a.x.shape[2];
  g.width = a.x.shape[3];
  g.kernel_h = a.weight.shape[2];
  g.kernel_w = a.weight.shape[3];
  g.out_h = a.y.shape[2];
  g.out_w = a.y.shape[3];
  g.stride = a.stride;
  g.padding = a.padding;
  g.dilation = a.dilation;
  return s;
}

// The one place that decides how a batch is split. Batches at least as large as the thread
// count get one slot per thread (OpenBLAS single-threaded inside the region); smaller ones get
// a single slot on this thread and let OpenBLAS thread each product.
int64_t batch_slots(int64_t batch) {
  const int64_t threads = omp_get_max_threads();
  return batch >= threads ? threads : 1;
}

// fn(slot, first, last) for each of `slots` contiguous image ranges. The slot is computed here,
// not inferred from the range, so callers owning per-slot storage do not depend on how
// parallel_for splits its range.
template <class Fn> void over_slots(int64_t batch, int64_t slots, Fn&& fn) {
  parallel_for(slots, 1, [&](int64_t begin, int64_t end) {
    for (int64_t slot = begin; slot < end; ++slot)
      fn(slot, slot * batch / slots, (slot + 1) * batch / slots);
  });
}

template <class T> void conv_forward(const Conv2dArgs& a) {
  const ConvShape s = conv_shape(a);
  const ConvGeometry& g = s.geometry;
  const T* x = a.x.ptr<T>();
  const T* w = a.weight.ptr<T>();
  const T* bias = a.bias.data ? a.bias.ptr<T>() : nullptr;
  T* y = a.y.ptr<T>();
  const int64_t rows = g.col_rows(), cols = g.col_cols();
  over_slots(s.batch, batch_slots(s.batch), [&](int64_t, int64_t first, int64_t last) {
    T* col = g.is_pointwise() ? nullptr : workspace<T>(rows * cols);
    for (int64_t n = first; n < last; ++n)
      for (int64_t grp = 0; grp < s.groups; ++grp) {
        const T* xg = x + n * s.x_image() + grp * s.in_c * g.height * g.width;
        T* yg = y + n * s.y_image() + grp * s.out_c * cols;
        const T* source = xg;
        if (col) {
          im2col(g, xg, col);
          source = col;
        }
        blas_gemm<T>(false, false, s.out_c, cols, rows, T(1), w + grp * s.w_group(), rows,
                     source, cols, T(0), yg, cols);
        if (bias)
          for (int64_t o = 0; o < s.out_c; ++o) {
            const T b = bias[grp * s.out_c + o];
            T* row = yg + o * cols;
            for (int64_t p = 0; p < cols; ++p) row[p] += b;
          }
      }
  });
}

template <class T> void conv_input_grad(const Conv2dArgs& a) {
  const ConvShape s = conv_shape(a);
  const ConvGeometry& g = s.geometry;
  T* dx = a.x.ptr<T>();
  const T* w = a.weight.ptr<T>();
  const T* dy = a.y.ptr<T>();
  const int64_t rows = g.col_rows(), cols = g.col_cols();
  over_slots(s.batch, batch_slots(s.batch), [&](int64_t, int64_t first, int64_t last) {
    const bool direct = g.is_pointwise();
    T* col = direct ? nullptr : workspace<T>(rows * cols);
    for (int64_t n = first; n < last; ++n)
      for (int64_t grp = 0; grp < s.groups; ++grp) {
        T* dxg = dx + n * s.x_image() + grp * s.in_c * g.height * g.width;
        const T* dyg = dy + n * s.y_image() + grp * s.out_c * cols;
        // A pointwise conv's column matrix is the image itself: write the product there.
        blas_gemm<T>(true, false, rows, cols, s.out_c, T(1), w + grp * s.w_group(), rows, dyg,
                     cols, T(0), direct ? dxg : col, cols);
        if (!direct) {
          std::fill(dxg, dxg + s.in_c * g.height * g.width, T(0));
          col2im(g, col, dxg);
        }
      }
  });
}

// Slot 0 writes its images' products straight into dW; every other slot sums into its own
// slice of `partial` (a caller-owned workspace, reused across steps). The slices are then added
// onto dW in slot order by a parallel loop over elements, so the result depends on the thread
// count only, as the rest of nabla. The first product of each slot overwrites (beta 0), so no
// slice needs zeroing. The bias gradient is summed per slot in the same pass over dy.
template <class T> void conv_weight_grad(const Conv2dArgs& a, int64_t slots, T* partial) {
  const ConvShape s = conv_shape(a);
  const ConvGeometry& g = s.geometry;
  const T* x = a.x.ptr<T>();
  const T* dy = a.y.ptr<T>();
  T* dw = a.weight.ptr<T>();
  const int64_t rows = g.col_rows(), cols = g.col_cols();
  const int64_t w_total = s.groups * s.w_group();
  const int64_t channels = s.groups * s.out_c;
  const bool has_bias = a.bias.data != nullptr;
  std::vector<double> bias_partial(has_bias ? slots * channels : 0, 0.0);
  over_slots(s.batch, slots, [&](int64_t slot, int64_t first, int64_t last) {
    T* mine = slot == 0 ? dw : partial + (slot - 1) * w_total;
    T* col = g.is_pointwise() ? nullptr : workspace<T>(rows * cols);
    for (int64_t n = first; n < last; ++n)
      for (int64_t grp = 0; grp < s.groups; ++grp) {
        const T* xg = x + n * s.x_image() + grp * s.in_c * g.height * g.width;
        const T* dyg = dy + n * s.y_image() + grp * s.out_c * cols;
        const T* source = xg;
        if (col) {
          im2col(g, xg, col);
          source = col;
        }
        blas_gemm<T>(false, true, s.out_c, rows, cols, T(1), dyg, cols, source, cols,
                     n == first ? T(0) : T(1), mine + grp * s.w_group(), rows);
      }
    if (has_bias)
      for (int64_t c = 0; c < channels; ++c) {
        double total = 0.0;
        for (int64_t n = first; n < last; ++n) {
          const T* row = dy + n * s.y_image() + c * cols;
          for (int64_t p = 0; p < cols; ++p) total += row[p];
        }
        bias_partial[slot * channels + c] = total;
      }
  });
  if (s.batch == 0) std::fill(dw, dw + w_total, T(0));  // no product ran
  parallel_for(w_total, kParallelGrain, [&](int64_t begin, int64_t end) {
    for (int64_t t = 1; t < slots; ++t) {
      const T* slice = partial + (t - 1) * w_total;
      for (int64_t i = begin; i < end; ++i) dw[i] += slice[i];
    }
  });
  if (!has_bias) return;
  T* db = a.bias.ptr<T>();
  for (int64_t c = 0; c < channels; ++c) {
    double total = 0.0;
    for (int64_t t = 0; t < slots; ++t) total += bias_partial[t * channels + c];
    db[c] = static_cast<T>(total);
  }
}

}  // namespace

void CpuBackend::conv2d(OpId op, const Conv2dArgs& args) {
  if (onednn_conv2d(op, args, allocator_)) return;
  visit_floating(args.x.dtype, op_name(op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    switch (op) {
      case OpId::conv2d: conv_forward<T>(args); return;
      case OpId::conv2d_input_grad: conv_input_grad<T>(args); return;
      case OpId::conv2d_weight_grad: {
        // The partial slices come from the caching allocator: a training loop gets the same
        // block back every step instead of allocating and zeroing it per backward.
        const int64_t slots = batch_slots(args.x.shape[0]);
        const size_t bytes = sizeof(T) * (slots - 1) * args.weight.numel();
        auto release = [&](void* p) { allocator_.deallocate(p, bytes); };
        std::unique_ptr<void, decltype(release)> block(
            bytes ? allocator_.allocate(bytes) : nullptr, release);
        conv_weight_grad<T>(args, slots, static_cast<T*>(block.get()));
        return;
      }
      default: NABLA_FAIL("cpu conv2d: op '", op_name(op), "' is not a conv2d op");
    }
  });
}

}  // namespace nabla::cpu
