#include "backend/backend.hpp"

#include <algorithm>
#include <cstring>

#include "backend/cpu/cpu_backend.hpp"
#include "core/tensor_impl.hpp"
#ifdef NABLA_HAS_CUDA
#include "backend/cuda/cuda_backend.hpp"
#endif

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
    case Device::CUDA:
#ifdef NABLA_HAS_CUDA
      NABLA_CHECK(device.index == 0, "device ", device, ": nabla drives one GPU, cuda:0; to ",
                  "use GPU ", device.index, ", run with CUDA_VISIBLE_DEVICES=", device.index,
                  " and ask for cuda:0");
      return cuda::cuda_backend();
#else
      break;
#endif
  }
  NABLA_FAIL("device ", device, ": nabla was built without this backend",
             device.kind == Device::CUDA ? " (configure with the cuda preset, -DNABLA_CUDA=ON)" : "");
}

void copy_between_devices(void* dst, Device dst_device, const void* src, Device src_device,
                          size_t bytes) {
  if (bytes == 0) return;
  const bool dst_host = dst_device.kind == Device::CPU, src_host = src_device.kind == Device::CPU;
  if (dst_host && src_host) {
    std::memcpy(dst, src, bytes);
  } else if (dst_host) {
    backend_for(src_device).copy_to_host(dst, src, bytes);
  } else if (src_host) {
    backend_for(dst_device).copy_from_host(dst, src, bytes);
  } else {
    NABLA_FAIL("copy from ", src_device, " to ", dst_device, ": copies between two devices go "
               "through the host; move the tensor with .to(Device::CPU) first");
  }
}

Backend& dispatch(OpId op, Device device, DType dtype) {
  Backend& backend = backend_for(device);
  NABLA_CHECK(backend.supports(op, dtype), "no kernel for op '", op_name(op), "' with dtype ",
              dtype, " on device ", device, "; the ", device_kind_name(device.kind),
              " backend does not implement it (convert with .to(DType) or .to(Device))");
  return backend;
}

}  // namespace nabla
