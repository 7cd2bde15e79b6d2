// Element types. Arithmetic runs on f32 and f64; i64 carries indices (argmax, gather,
// randint) and b8 (one byte per bool) carries comparison results, as in PyTorch.
#pragma once
#pragma GCC visibility push(default)

#include <cstddef>
#include <cstdint>
#include <ostream>

namespace nabla {

enum class DType : uint8_t { f32, f64, i64, b8 };

size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);  // "float32", "float64", "int64", "bool"
inline bool is_floating(DType dtype) { return dtype == DType::f32 || dtype == DType::f64; }
std::ostream& operator<<(std::ostream& out, DType dtype);

// The C++ type behind each DType, and back.
template <class T> struct dtype_of;
template <> struct dtype_of<float> { static constexpr DType value = DType::f32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::f64; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::i64; };
template <> struct dtype_of<bool> { static constexpr DType value = DType::b8; };

}  // namespace nabla

#pragma GCC visibility pop
