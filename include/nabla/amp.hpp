// Mixed precision: an autocast setting (as torch.autocast) and the TF32 switch (as
// torch.backends.cuda.matmul.allow_tf32 in torch 1.13).
//
//   {
//     nabla::AutocastGuard autocast(nabla::Precision::bf16);  // this thread, this scope
//     loss = model(x) ... ;                                   // CUDA matmul / conv in bf16
//   }                                                          // previous setting restored
//   nabla::set_allow_tf32(true);                               // every thread, until reset
//
// Contract:
//  - Storage never changes: tensors (parameters, activations, gradients) stay float32 or
//    float64; there is no bf16 / f16 dtype. Autocast only lets the CUDA backend's matrix
//    products and convolutions on float32 tensors read their inputs in the lower precision on
//    tensor cores and accumulate in float32 ("float32 master weights" for free: the weights
//    an optimizer updates are the float32 tensors themselves).
//  - On the CPU autocast and allow_tf32 change nothing: the CPU computes in f32 / f64 (OpenBLAS
//    has no bf16 path nabla uses), so CPU results are identical with and without them.
//  - float64 tensors ignore both settings on every device, as torch's autocast leaves doubles.
//  - The autocast setting is thread-local (each thread starts at Precision::f32, i.e. off);
//    allow_tf32 is global and defaults to false, so float32 is exact IEEE float32 unless asked.
//  - Pair autocast with optim::GradScaler when gradients may underflow (f16 especially).
#pragma once
#pragma GCC visibility push(default)

namespace nabla {

// The precision CUDA matmul / convolution inputs are rounded to; f32 means autocast is off.
enum class Precision { f32, bf16, f16 };

const char* precision_name(Precision precision);  // "f32", "bf16", "f16"

// This thread's autocast precision (Precision::f32 when no guard is active).
Precision autocast_precision();

// Sets this thread's autocast precision for its lifetime and restores the previous one on
// destruction, so guards nest. enabled = false turns autocast off for the scope whatever
// `precision` says, as torch.autocast(enabled=False) inside an autocast region.
class AutocastGuard {
 public:
  explicit AutocastGuard(Precision precision, bool enabled = true);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  Precision previous_;
};

// Lets float32 matmul and convolution on CUDA use TF32 tensor cores (10-bit mantissa inputs,
// float32 accumulation) when autocast is off. Global, default false.
void set_allow_tf32(bool allow);
bool allow_tf32();

}  // namespace nabla

#pragma GCC visibility pop
