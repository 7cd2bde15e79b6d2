// Mixed-precision settings (nabla/amp.hpp): the autocast guard nests and restores, is
// thread-local, allow_tf32 is global, and on the CPU neither changes a result.
#include "nabla/amp.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "nabla/nabla.hpp"

namespace nabla {
namespace {

// Restores the global TF32 switch whatever a test does to it.
struct Tf32Reset {
  ~Tf32Reset() { set_allow_tf32(false); }
};

TEST(Amp, DefaultsAreFullPrecision) {
  EXPECT_EQ(autocast_precision(), Precision::f32);
  EXPECT_FALSE(allow_tf32());
  EXPECT_STREQ(precision_name(Precision::f32), "f32");
  EXPECT_STREQ(precision_name(Precision::bf16), "bf16");
  EXPECT_STREQ(precision_name(Precision::f16), "f16");
}

TEST(Amp, GuardsNestAndRestoreThePreviousSetting) {
  {
    AutocastGuard outer(Precision::bf16);
    EXPECT_EQ(autocast_precision(), Precision::bf16);
    {
      AutocastGuard inner(Precision::f16);
      EXPECT_EQ(autocast_precision(), Precision::f16);
      {
        AutocastGuard off(Precision::bf16, /*enabled=*/false);  // torch's enabled=False
        EXPECT_EQ(autocast_precision(), Precision::f32);
      }
      EXPECT_EQ(autocast_precision(), Precision::f16);
    }
    EXPECT_EQ(autocast_precision(), Precision::bf16);
  }
  EXPECT_EQ(autocast_precision(), Precision::f32);
}

TEST(Amp, GuardRestoresWhenTheScopeThrows) {
  try {
    AutocastGuard guard(Precision::f16);
    NABLA_FAIL("leaving the scope by an exception");
  } catch (const Error&) {
  }
  EXPECT_EQ(autocast_precision(), Precision::f32);
}

TEST(Amp, AutocastIsThreadLocal) {
  AutocastGuard guard(Precision::bf16);
  Precision seen_by_other = Precision::bf16, set_by_other = Precision::f32;
  std::thread other([&] {
    seen_by_other = autocast_precision();  // a new thread starts with autocast off
    AutocastGuard own(Precision::f16);
    set_by_other = autocast_precision();
  });
  other.join();
  EXPECT_EQ(seen_by_other, Precision::f32);
  EXPECT_EQ(set_by_other, Precision::f16);
  EXPECT_EQ(autocast_precision(), Precision::bf16);  // untouched by the other thread's guard
}

TEST(Amp, AllowTf32IsGlobal) {
  Tf32Reset reset;
  set_allow_tf32(true);
  bool seen_by_other = false;
  std::thread other([&] { seen_by_other = allow_tf32(); });
  other.join();
  EXPECT_TRUE(seen_by_other);
  set_allow_tf32(false);
  EXPECT_FALSE(allow_tf32());
}

TEST(Amp, CpuResultsDoNotChangeUnderAutocastOrTf32) {
  Tf32Reset reset;
  manual_seed(7);
  const Tensor a = randn({5, 7}), b = randn({7, 3});
  const Tensor x = randn({2, 3, 6, 6}), w = randn({4, 3, 3, 3}), bias = randn({4});
  const Tensor mm = matmul(a, b);
  const Tensor conv = nn::functional::conv2d(x, w, bias, 1, 1);
  for (const Precision p : {Precision::bf16, Precision::f16}) {
    AutocastGuard guard(p);
    EXPECT_TRUE(equal(matmul(a, b), mm)) << precision_name(p);
    EXPECT_TRUE(equal(nn::functional::conv2d(x, w, bias, 1, 1), conv)) << precision_name(p);
  }
  set_allow_tf32(true);
  EXPECT_TRUE(equal(matmul(a, b), mm));
  EXPECT_TRUE(equal(nn::functional::conv2d(x, w, bias, 1, 1), conv));
}

}  // namespace
}  // namespace nabla
