// Indexing kernels along one dim, and the scatter-adds that are their backward (the CPU's
// index.cpp):
//   index_select  out[.., j, ..] = in[.., index[j], ..]
//   index_add     out[.., index[j], ..] += in[.., j, ..]
//   gather        out[p] = in[p with p[dim] = index[p]]
//   scatter_add   out[p with p[dim] = index[p]] += in[p]
// One thread per line: a position off `dim`, walked along `dim` in order. Lines never touch the
// same elements, so the scatter-adds need no atomics and add in the CPU's order: results are
// deterministic and equal the CPU's bit for bit.
#include <vector>

#include "backend/cuda/launch.cuh"
#include "backend/cuda/strided_index.cuh"

namespace nabla::cuda {

namespace {

template <class T>
__global__ void index_kernel(bool scattering, T* walked, StridedIndex walked_at, T* indexed,
                             StridedIndex indexed_at, const int64_t* index,
                             StridedIndex index_at, int64_t lines, int64_t length,
                             int64_t walked_step, int64_t indexed_step, int64_t index_step) {
  for (int64_t l = first_index(); l < lines; l += grid_stride()) {
    T* w = walked + walked_at.offset(l);
    T* x = indexed + indexed_at.offset(l);
    const int64_t* ix = index + index_at.offset(l);
    for (int64_t j = 0; j < length; ++j) {
      T& walked_elem = w[j * walked_step];
      T& indexed_elem = x[ix[j * index_step] * indexed_step];
      if (scattering) indexed_elem += walked_elem;
      else walked_elem = indexed_elem;
    }
  }
}

// Shape and strides with `dim` removed.
std::pair<Shape, Strides> without_dim(const Shape& shape, const Strides& strides, int64_t dim) {
  Shape s;
  Strides t;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
    if (d != dim) { s.push_back(shape[d]); t.push_back(strides[d]); }
  return {s, t};
}

// The indices are checked on the host, as the CPU checks them, for the same error; this reads
// them back (a synchronisation), a small price next to a wrong index's silent corruption.
void check_indices(CudaBackend& backend, const View& index, const Shape& indexed_shape,
                   const char* op, int64_t dim) {
  const int64_t n = index.numel();
  if (n == 0) return;
  int64_t span = 1;  // elements from the first to the last one the view reaches
  for (int64_t d = 0; d < index.dim(); ++d) span += (index.shape[d] - 1) * index.strides[d];
  std::vector<int64_t> host(static_cast<size_t>(span));
  backend.copy_to_host(host.data(), index.data, host.size() * sizeof(int64_t));
  const StridedIndex at = strided_index(index, op);
  const int64_t limit = indexed_shape[dim];
  for (int64_t i = 0; i < n; ++i) {
    const int64_t value = host[static_cast<size_t>(at.offset(i))];
    NABLA_CHECK(value >= 0 && value < limit, op, ": index ", value, " is out of range for dim ",
                dim, " of size ", limit, " (tensor of shape ", indexed_shape, ")");
  }
}

}  // namespace

void CudaBackend::index(OpId op, const View& out, const View& in, int64_t dim,
                        const View& index) {
  NABLA_CHECK(op == OpId::index_select || op == OpId::index_add || op == OpId::gather ||
                  op == OpId::scatter_add,
              "cuda index: '", op_name(op), "' is not an indexing op");
  const bool selecting = op == OpId::index_select || op == OpId::index_add;
  const bool scattering = op == OpId::index_add || op == OpId::scatter_add;
  // The tensor indexed along `dim` is `in` when reading, `out` when scattering.
  const View& indexed = scattering ? out : in;
  const View& walked = scattering ? in : out;  // iterated position by position
  check_indices(*this, index, indexed.shape, op_name(op), dim);

  const auto [line_shape, walked_strides] = without_dim(walked.shape, walked.strides, dim);
  const Strides indexed_strides = without_dim(indexed.shape, indexed.strides, dim).second;
  const Strides index_strides = selecting ? Strides(line_shape.size(), 0)
                                          : without_dim(index.shape, index.strides, dim).second;
  const int64_t lines = shape_numel(line_shape), length = walked.shape[dim];
  if (lines == 0 || length == 0) return;
  const StridedIndex walked_at = strided_index(line_shape, walked_strides, op_name(op));
  const StridedIndex indexed_at = strided_index(line_shape, indexed_strides, op_name(op));
  const StridedIndex index_at = strided_index(line_shape, index_strides, op_name(op));
  const int64_t index_step = selecting ? index.strides[0] : index.strides[dim];
  visit_floating(out.dtype, op_name(op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    index_kernel<T><<<blocks_for(lines), kThreads, 0, stream_>>>(
        scattering, walked.ptr<T>(), walked_at, indexed.ptr<T>(), indexed_at,
        index.ptr<int64_t>(), index_at, lines, length, walked.strides[dim], indexed.strides[dim],
        index_step);
    NABLA_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace nabla::cuda
