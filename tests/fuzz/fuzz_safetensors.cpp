// safetensors (io/safetensors.hpp): the length prefix, the JSON header and the full read into
// tensors. A file that reads must also write back and read back to the same tensors, in the
// same order, with the same metadata.
#include "fuzz_support.hpp"
#include "nabla/io/safetensors.hpp"

using namespace nabla;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz::expect_errors_only([&] {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    const io::SafetensorsContents read = io::parse_safetensors(bytes, "<fuzz>");
    for (const auto& [name, tensor] : read.tensors) fuzz::touch_bytes(tensor);

    const io::SafetensorsContents again = fuzz::must_succeed("reading back what was written", [&] {
      return io::parse_safetensors(io::serialize_safetensors(read.tensors, read.metadata),
                                   "<written>");
    });
    NABLA_FUZZ_CHECK(again.metadata == read.metadata, "metadata changed in a round trip");
    NABLA_FUZZ_CHECK(again.tensors.size() == read.tensors.size(), read.tensors.size(),
                     " tensors read, ", again.tensors.size(), " after a round trip");
    for (size_t i = 0; i < read.tensors.size(); ++i) {
      NABLA_FUZZ_CHECK(again.tensors[i].first == read.tensors[i].first, "tensor ", i, " is '",
                       read.tensors[i].first, "', after a round trip '", again.tensors[i].first,
                       "'");
      NABLA_FUZZ_CHECK(fuzz::same_tensor(again.tensors[i].second, read.tensors[i].second),
                       "tensor '", read.tensors[i].first, "' changed in a round trip");
    }
  });
}
