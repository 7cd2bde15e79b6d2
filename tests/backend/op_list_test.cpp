// The one op list against the CPU backend, and the dispatch errors.
#include <string>

#include "backend/backend.hpp"
#include "support/harness.hpp"

using namespace nabla;

TEST(OpList, CpuBackendHasEveryKernelForFloatingTypes) {
  Backend& cpu = backend_for(Device::CPU);
  for (int i = 0; i < kOpCount; ++i) {
    const OpId op = static_cast<OpId>(i);
    for (DType dtype : {DType::f32, DType::f64})
      EXPECT_TRUE(cpu.supports(op, dtype)) << op_name(op) << " " << dtype;
  }
}

TEST(OpList, NamesAndFamiliesComeFromTheList) {
  EXPECT_STREQ(op_name(OpId::gemm), "gemm");
  EXPECT_STREQ(op_family(OpId::log_softmax), "softmax");
  EXPECT_STREQ(op_family(OpId::lt), "binary");
  EXPECT_GT(kOpCount, 40);
}

TEST(OpList, MissingKernelNamesOpDtypeAndDevice) {
  EXPECT_TRUE(nabla::testing::throws_error_containing(
      [] { dispatch(OpId::exp, Device::CPU, DType::i64); },
      {"no kernel for op 'exp'", "int64", "cpu"}));
  EXPECT_TRUE(nabla::testing::throws_error_containing(
      [] { exp(arange(3, {.dtype = DType::i64})); }, {"exp", "int64"}));
}

TEST(OpList, BlasLayoutFoldsTransposes) {
  const auto row_major = blas_layout(3, 4, 4, 1);
  ASSERT_TRUE(row_major);
  EXPECT_FALSE(row_major->transposed);
  EXPECT_EQ(row_major->ld, 4);
  const auto transposed = blas_layout(3, 4, 1, 3);  // the .t() of a contiguous 4x3
  ASSERT_TRUE(transposed);
  EXPECT_TRUE(transposed->transposed);
  EXPECT_EQ(transposed->ld, 3);
  EXPECT_FALSE(blas_layout(3, 4, 8, 2));  // every other column: must be copied
}

// An absent optional operand (an undefined tensor) is an empty View: kernels test data for null.
TEST(OpList, ViewOfAnUndefinedTensorIsEmpty) {
  const View absent = view_of(Tensor());
  EXPECT_EQ(absent.data, nullptr);
  EXPECT_TRUE(absent.shape.empty());
  EXPECT_EQ(absent.ptr<float>(), nullptr);
}
