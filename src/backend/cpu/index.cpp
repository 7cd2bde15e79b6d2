// Indexing kernels along one dim, and the scatter-adds that are their backward:
//   index_select  out[.., j, ..] = in[.., index[j], ..]
//   index_add     out[.., index[j], ..] += in[.., j, ..]
//   gather        out[p] = in[p with p[dim] = index[p]]
//   scatter_add   out[p with p[dim] = index[p]] += in[p]
// Work splits over positions off `dim`, which never collide, and runs along `dim` in order,
// so the adds are deterministic. When those positions are one contiguous run in both tensors
// (rows of a row-major matrix: embeddings, hierarchical softmax's node vectors), each index
// moves a whole run at once instead of a column at a time across rows.
#include "backend/cpu/cpu_backend.hpp"
#include "backend/cpu/loops.hpp"

#include <algorithm>

namespace nabla::cpu {

namespace {
// Shape and strides with `dim` removed.
std::pair<Shape, Strides> without_dim(const Shape& shape, const Strides& strides, int64_t dim) {
  Shape s;
  Strides t;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
    if (d != dim) { s.push_back(shape[d]); t.push_back(strides[d]); }
  return {s, t};
}

void check_indices(const View& index, const Shape& indexed_shape, const char* op, int64_t dim) {
  const int64_t* idx = index.ptr<int64_t>();
  const int64_t limit = indexed_shape[dim];
  for (int64_t off : offsets_of(index.shape, index.strides))
    NABLA_CHECK(idx[off] >= 0 && idx[off] < limit, op, ": index ", idx[off],
                " is out of range for dim ", dim, " of size ", limit, " (tensor of shape ",
                indexed_shape, ")");
}
bool is_contiguous_run(const std::vector<int64_t>& offsets) {
  for (size_t l = 0; l < offsets.size(); ++l)
    if (offsets[l] != static_cast<int64_t>(l)) return false;
  return true;
}

// index_select / index_add when the positions off `dim` are `run` contiguous elements in both
// tensors: out row j = in row index[j], or out row index[j] += in row j.
template <class T>
void index_runs(bool scattering, T* walked, T* indexed, const int64_t* idx, int64_t index_step,
                int64_t length, int64_t run, int64_t walked_step, int64_t indexed_step) {
  if (!scattering) {
    parallel_for(length, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(run, 1)),
                 [&](int64_t begin, int64_t end) {
      for (int64_t j = begin; j < end; ++j) {
        const T* from = indexed + idx[j * index_step] * indexed_step;
        std::copy(from, from + run, walked + j * walked_step);
      }
    });
    return;
  }
  // Repeated indices add into one row: threads split the run, never the rows, so each element
  // still sums its terms in index order.
  parallel_for(run, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(length, 1)),
               [&](int64_t begin, int64_t end) {
    for (int64_t j = 0; j < length; ++j) {
      const T* from = walked + j * walked_step;
      T* to = indexed + idx[j * index_step] * indexed_step;
      for (int64_t l = begin; l < end; ++l) to[l] += from[l];
    }
  });
}
}  // namespace

void CpuBackend::index(OpId op, const View& out, const View& in, int64_t dim, const View& index) {
  const bool selecting = op == OpId::index_select || op == OpId::index_add;
  const bool scattering = op == OpId::index_add || op == OpId::scatter_add;
  // The tensor indexed along `dim` is `in` when reading, `out` when scattering.
  const View& indexed = scattering ? out : in;
  const View& walked = scattering ? in : out;  // iterated position by position
  check_indices(index, indexed.shape, op_name(op), dim);

  const auto [line_shape, walked_strides] = without_dim(walked.shape, walked.strides, dim);
  const auto indexed_strides = without_dim(indexed.shape, indexed.strides, dim).second;
  const Strides index_strides = selecting ? Strides(line_shape.size(), 0)
                                          : without_dim(index.shape, index.strides, dim).second;
  const std::vector<int64_t> walked_off = offsets_of(line_shape, walked_strides);
  const std::vector<int64_t> indexed_off = offsets_of(line_shape, indexed_strides);
  const std::vector<int64_t> index_off = offsets_of(line_shape, index_strides);
  const int64_t length = walked.shape[dim];
  const int64_t walked_step = walked.strides[dim], indexed_step = indexed.strides[dim];
  const int64_t index_step = selecting ? index.strides[0] : index.strides[dim];
  const int64_t* idx = index.ptr<int64_t>();

  visit_floating(out.dtype, op_name(op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* w = (scattering ? in : out).template ptr<T>();
    T* x = (scattering ? out : in).template ptr<T>();
    const auto lines = static_cast<int64_t>(walked_off.size());
    if (selecting && lines > 1 && is_contiguous_run(walked_off) && is_contiguous_run(indexed_off)) {
      index_runs<T>(scattering, w, x, idx, index_step, length, lines, walked_step, indexed_step);
      return;
    }
    parallel_for(lines, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(length, 1)),
                 [&](int64_t begin, int64_t end) {
      for (int64_t l = begin; l < end; ++l)
        for (int64_t j = 0; j < length; ++j) {
          T& walked_elem = w[walked_off[l] + j * walked_step];
          T& indexed_elem = x[indexed_off[l] + idx[index_off[l] + j * index_step] * indexed_step];
          if (scattering) indexed_elem += walked_elem;
          else walked_elem = indexed_elem;
        }
    });
  });
}

}  // namespace nabla::cpu
