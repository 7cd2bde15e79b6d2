#include "backend/backend.hpp"

#include <algorithm>

#include "backend/cpu/cpu_backend.hpp"
#include "core/tensor_impl.hpp"

namespace nabla {

const char* op_name(OpId op) {
  static const char* const names[] = {
#define NABLA_OP(name, family) #name,
#include "ops/op_list.def"
#undef NABLA_OP
  };
  return names[static_cast<int>(op)];
}

const char* op_family(OpId op) {
  static const char* const families[] = {
#define NABLA_OP(name, family) #family,
#include "ops/op_list.def"
#undef NABLA_OP
  };
  return families[static_cast<int>(op)];
}

View view_of(const Tensor& t) {
  if (!t.defined()) return View{};  // an absent optional operand: data null, as kernels expect
  return View{t.data_ptr(), t.dtype(), t.shape(), t.strides()};
}

std::optional<MatrixLayout> blas_layout(int64_t rows, int64_t cols, int64_t row_stride,
                                        int64_t col_stride) {
  // A size-1 dim's stride is never followed, so it may take whatever value suits BLAS.
  if (cols == 1) col_stride = 1;
  if (rows == 1) row_stride = std::max<int64_t>(cols, 1);
  if (col_stride == 1 && row_stride >= std::max<int64_t>(cols, 1))
    return MatrixLayout{.transposed = false, .ld = row_stride};
  if (rows == 1) return std::nullopt;
  if (row_stride == 1 && col_stride >= std::max<int64_t>(rows, 1))
    return MatrixLayout{.transposed = true, .ld = col_stride};
  return std::nullopt;
}

Backend& backend_for(Device device) {
  switch (device.kind) {
    case Device::CPU: return cpu_backend();
    case Device::CUDA: break;
  }
  NABLA_FAIL("device ", device, ": nabla was built without this backend",
             device.kind == Device::CUDA ? " (configure with the cuda preset, -DNABLA_CUDA=ON)" : "");
}

Backend& dispatch(OpId op, Device device, DType dtype) {
  Backend& backend = backend_for(device);
  NABLA_CHECK(backend.supports(op, dtype), "no kernel for op '", op_name(op), "' with dtype ",
              dtype, " on device ", device, "; the ", device_kind_name(device.kind),
              " backend does not implement it (convert with .to(DType) or .to(Device))");
  return backend;
}

}  // namespace nabla
