// The autocast setting is a thread_local (as torch's autocast state), so a data-loading or
// evaluation thread never inherits the training thread's precision; allow_tf32 is one atomic
// flag for the process, as torch.backends.cuda.matmul.allow_tf32.
#include "nabla/amp.hpp"

#include <atomic>

namespace nabla {

namespace {

thread_local Precision autocast_setting = Precision::f32;
std::atomic<bool> tf32_allowed{false};

}  // namespace

const char* precision_name(Precision precision) {
  switch (precision) {
    case Precision::f32: return "f32";
    case Precision::bf16: return "bf16";
    case Precision::f16: return "f16";
  }
  return "unknown";
}

Precision autocast_precision() { return autocast_setting; }

AutocastGuard::AutocastGuard(Precision precision, bool enabled) : previous_(autocast_setting) {
  autocast_setting = enabled ? precision : Precision::f32;
}

AutocastGuard::~AutocastGuard() { autocast_setting = previous_; }

void set_allow_tf32(bool allow) { tf32_allowed.store(allow, std::memory_order_relaxed); }

bool allow_tf32() { return tf32_allowed.load(std::memory_order_relaxed); }

}  // namespace nabla
