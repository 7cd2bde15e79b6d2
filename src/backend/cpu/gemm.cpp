// Matrix products through OpenBLAS. Transposed operands are passed as BLAS transpose flags with
// their own leading dimension, never copied. Batches of small products run one per thread
// (OpenBLAS then stays single-threaded inside an OpenMP region); large ones let OpenBLAS thread.
#include "backend/cpu/blas.hpp"
#include "backend/cpu/cpu_backend.hpp"
#include "backend/cpu/loops.hpp"

namespace nabla::cpu {

namespace {

MatrixLayout operand_of(const View& m) {
  const int64_t r = m.dim() - 2;
  const auto layout = blas_layout(m.shape[r], m.shape[r + 1], m.strides[r], m.strides[r + 1]);
  NABLA_CHECK(layout.has_value(), "cpu gemm: operand of shape ", m.shape, " and strides ",
              m.strides, " has no BLAS layout; the matmul op must make it contiguous first");
  return *layout;
}

// Below this many multiply-adds per product, a batch is split across threads instead.
constexpr int64_t kThreadedGemmWork = 64 * 64 * 64;

}  // namespace

void CpuBackend::gemm(const GemmArgs& args) {
  const View& out = args.out;
  const int64_t rank = out.dim();
  const int64_t m = out.shape[rank - 2], n = out.shape[rank - 1], k = args.a.shape[rank - 1];
  const MatrixLayout oa = operand_of(args.a), ob = operand_of(args.b);
  const Shape batch_shape(out.shape.begin(), out.shape.end() - 2);
  const Strides batch_a(args.a.strides.begin(), args.a.strides.end() - 2);
  const Strides batch_b(args.b.strides.begin(), args.b.strides.end() - 2);
  const int64_t batches = shape_numel(batch_shape);

  visit_floating(out.dtype, "gemm", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* c = out.ptr<T>();
    if (k == 0) {  // an empty sum: BLAS may leave C untouched
      std::fill(c, c + out.numel(), T(0));
      return;
    }
    if (m == 0 || n == 0) return;
    auto run = [&](int64_t batch) {
      int64_t rest = batch, a_off = 0, b_off = 0;
      for (int64_t d = static_cast<int64_t>(batch_shape.size()) - 1; d >= 0; --d) {
        const int64_t i = rest % batch_shape[d];
        rest /= batch_shape[d];
        a_off += i * batch_a[d];
        b_off += i * batch_b[d];
      }
      blas_gemm<T>(oa.transposed, ob.transposed, m, n, k, T(1), args.a.ptr<T>() + a_off, oa.ld,
                   args.b.ptr<T>() + b_off, ob.ld, T(0), c + batch * m * n, n);
    };
    if (batches > 1 && m * n * k < kThreadedGemmWork) {
      parallel_for(batches, 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) run(i);
      });
    } else {
      for (int64_t i = 0; i < batches; ++i) run(i);
    }
  });
}

}  // namespace nabla::cpu
