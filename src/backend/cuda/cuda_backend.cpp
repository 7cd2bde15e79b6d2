// The CUDA backend's setup: one stream on device 0, the cuBLAS and cuDNN handles bound to it,
// host transfers, and the op list it answers for. Kernels live in one file per family.
#include "backend/cuda/cuda_backend.hpp"

#include "nabla/device.hpp"

namespace nabla::cuda {

CudaBackend::CudaBackend() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) (void)cudaGetLastError();
  NABLA_CHECK(status == cudaSuccess && count > 0, "device cuda: no CUDA device found (",
              status == cudaSuccess ? "no GPU visible" : cudaGetErrorString(status),
              "); check nvidia-smi and CUDA_VISIBLE_DEVICES, or use the cpu "
              "(nabla::cuda_available() says whether a GPU is there)");
  NABLA_CUDA_CHECK(cudaSetDevice(0));
  NABLA_CUDA_CHECK(cudaStreamCreate(&stream_));
  NABLA_CUBLAS_CHECK(cublasCreate(&cublas_));
  NABLA_CUBLAS_CHECK(cublasSetStream(cublas_, stream_));
  NABLA_CUDNN_CHECK(cudnnCreate(&cudnn_));
  NABLA_CUDNN_CHECK(cudnnSetStream(cudnn_, stream_));
  staging_ = std::make_unique<HostStaging>(stream_);
}

CudaBackend::~CudaBackend() {
  // Never reached for the process's backend (it outlives static tensors); kept for symmetry.
  if (workspace_ != nullptr) allocator_.deallocate(workspace_, workspace_bytes_);
  staging_.reset();  // waits for its copies, then frees its pinned buffers
  if (cudnn_ != nullptr) cudnnDestroy(cudnn_);
  if (cublas_ != nullptr) cublasDestroy(cublas_);
  if (stream_ != nullptr) cudaStreamDestroy(stream_);
}

CudaBackend& cuda_backend() {
  // Never destroyed, as the CPU's: tensors with static storage may outlive any destruction
  // order, and the CUDA runtime may be torn down before static destructors run.
  static auto* backend = new CudaBackend();
  return *backend;
}

bool CudaBackend::supports(OpId op, DType dtype) const {
  // The CPU backend's set, op for op (tests/cuda walks op_list.def against it).
  const bool floating = is_floating(dtype);
  switch (op) {
    case OpId::copy:
    case OpId::fill:
    case OpId::where:
      return true;
    case OpId::randint:
    case OpId::eq: case OpId::ne: case OpId::lt: case OpId::le: case OpId::gt: case OpId::ge:
      return dtype != DType::b8;
    default:
      return floating;
  }
}

void CudaBackend::copy_to_host(void* host, const void* device_data, size_t bytes) {
  if (bytes == 0) return;
  NABLA_CUDA_CHECK(cudaMemcpyAsync(host, device_data, bytes, cudaMemcpyDeviceToHost, stream_));
  NABLA_CUDA_CHECK(cudaStreamSynchronize(stream_));
}

void CudaBackend::copy_from_host(void* device_data, const void* host, size_t bytes) {
  if (bytes == 0) return;
  NABLA_CUDA_CHECK(cudaMemcpyAsync(device_data, host, bytes, cudaMemcpyHostToDevice, stream_));
  // The caller may free or reuse its host buffer as soon as this returns.
  NABLA_CUDA_CHECK(cudaStreamSynchronize(stream_));
}

void CudaBackend::synchronize() {
  staging_->synchronize();
  NABLA_CUDA_CHECK(cudaStreamSynchronize(stream_));
}

void* CudaBackend::workspace(size_t bytes) {
  if (bytes <= workspace_bytes_) return workspace_;
  // Freeing the old block is safe at once: the work that used it was queued on this stream
  // before anything the new owner of that memory will queue.
  if (workspace_ != nullptr) allocator_.deallocate(workspace_, workspace_bytes_);
  workspace_ = nullptr;
  workspace_bytes_ = 0;
  workspace_ = allocator_.allocate(bytes);
  workspace_bytes_ = bytes;
  return workspace_;
}

}  // namespace nabla::cuda
