// Training checkpoints (io/checkpoint.hpp, load_checkpoint): a safetensors file with the
// checkpoint's keys, tags and decimal scalars. What loads must be readable tensors.
#include "fuzz_support.hpp"
#include "nabla/io/checkpoint.hpp"

using namespace nabla;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::ScratchFile file("checkpoint");
  const std::string& path = file.write(data, size);
  return fuzz::expect_errors_only([&] {
    const io::Checkpoint checkpoint = io::load_checkpoint(path);
    for (const nn::NamedTensors* tensors : {&checkpoint.model, &checkpoint.extra})
      for (const auto& [name, tensor] : *tensors) fuzz::touch_bytes(tensor);
    for (const auto& [key, tensor] : checkpoint.optimizer.tensors) fuzz::touch_bytes(tensor);
  });
}
