// What the conv timing labs share: the convolution shapes of the reference models at batch 64
// and the timing rule (median of `reps` runs, in milliseconds).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

struct ConvCase {
  const char* name;
  int64_t c, o, k, pad, hw;
  bool input_grad;  // false for a first layer, whose input takes no gradient
};

inline constexpr int64_t kConvBatch = 64;
inline constexpr ConvCase kConvCases[] = {{"lenet1 1->6 5x5 p2 28", 1, 6, 5, 2, 28, false},
                                          {"lenet2 6->16 5x5 14", 6, 16, 5, 0, 14, true},
                                          {"cnnbn 32->32 3x3 p1 28", 32, 32, 3, 1, 28, true},
                                          {"cnnbn 64->64 3x3 p1 14", 64, 64, 3, 1, 14, true}};

template <class F> double median_ms(F&& f, int reps) {
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    const auto start = std::chrono::steady_clock::now();
    f();
    t.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}
