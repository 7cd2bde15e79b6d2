// The CUDA backend: nabla's own kernels for elementwise ops, reductions, softmax, indexing, random
// numbers and optimizer updates; cuBLAS for GEMM; cuDNN for convolution, pooling and batch norm.
// One stream per device: kernels are queued on it in op order, so a host read (copy_to_host) is the
// only synchronisation a training step needs. Input batches may instead arrive through
// copy_from_host_async (host_staging.hpp: pinned buffers, a copy stream of their own), which
// order_after_copies() puts before the kernels that read them. Kernels are spread over one file per
// family, as on the CPU (elementwise.cu, reduce.cu, gemm.cpp, conv.cpp, ...).
#pragma once

#include <memory>

#include "backend/backend.hpp"
#include "backend/cuda/cuda_check.hpp"
#include "backend/cuda/device_allocator.hpp"
#include "backend/cuda/host_staging.hpp"

namespace nabla::cuda {

class CudaBackend final : public Backend {
 public:
  CudaBackend();  // cuda_backend.cpp: stream, cuBLAS and cuDNN handles on the current device
  ~CudaBackend() override;

  Device::Kind kind() const override { return Device::CUDA; }
  bool supports(OpId op, DType dtype) const override;

  void* allocate(size_t bytes) override { return allocator_.allocate(bytes); }
  void deallocate(void* data, size_t bytes) override { allocator_.deallocate(data, bytes); }
  MemoryStats memory_stats() const override { return allocator_.stats(); }
  void empty_cache() override { allocator_.empty_cache(); }
  void copy_to_host(void* host, const void* device_data, size_t bytes) override;
  void copy_from_host(void* device_data, const void* host, size_t bytes) override;
  void copy_from_host_async(void* device_data, const void* host, size_t bytes) override {
    staging_->copy_to_device(device_data, host, bytes);
  }
  void order_after_copies() override { staging_->order_compute_after_copies(); }
  void synchronize() override;

  void copy(const View& dst, const View& src) override;                  // copy_fill.cu
  void fill(const View& dst, double value) override;                     // copy_fill.cu
  void random(OpId op, const View& dst, uint64_t seed, uint64_t offset, double a,
              double b) override;                                        // random.cu
  void unary(OpId op, const View& out, const View& in, const UnaryArgs& args) override;
  void binary(OpId op, const View& out, const View& a, const View& b) override;
  void where(const View& out, const View& condition, const View& a, const View& b) override;
  void reduce(OpId op, const View& out, const View& in) override;       // reduce.cu
  void gemm(const GemmArgs& args) override;                              // gemm.cpp (cuBLAS)
  void softmax(OpId op, const View& out, const View& in, int64_t dim) override;  // softmax.cu
  void softmax_backward(OpId op, const View& grad_in, const View& grad_out, const View& out,
                        int64_t dim) override;
  void index(OpId op, const View& out, const View& in, int64_t dim, const View& index) override;
  void optimizer_step(OpId op, const OptimizerStepArgs& args) override;  // optimizer_step.cu
  void conv2d(OpId op, const Conv2dArgs& args) override;  // conv.cpp (cuDNN)
  void pool2d(OpId op, const Pool2dArgs& args) override;  // pool.cpp (cuDNN) / pool.cu
  void norm(OpId op, const NormArgs& args) override;      // norm.cpp (cuDNN) / norm.cu

  cudaStream_t stream() const { return stream_; }
  cublasHandle_t cublas() const { return cublas_; }
  cudnnHandle_t cudnn() const { return cudnn_; }
  // Scratch memory for cuBLAS / cuDNN workspaces, from the caching allocator; valid until the
  // next call on this stream asks for more.
  void* workspace(size_t bytes);

 private:
  DeviceAllocator allocator_;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  cudnnHandle_t cudnn_ = nullptr;
  std::unique_ptr<HostStaging> staging_;  // made after stream_, which it needs
  void* workspace_ = nullptr;
  size_t workspace_bytes_ = 0;
};

// The process's CUDA backend (device 0), created on first use.
CudaBackend& cuda_backend();

}  // namespace nabla::cuda
