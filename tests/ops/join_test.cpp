// cat and stack (src/ops/join.cpp): gradients over several dims and layouts, values by hand,
// promotion, copies (not views), and the errors.
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

Tensor iota64(const Shape& shape, double start = 0) {
  return arange(start, start + static_cast<double>(shape_numel(shape)), 1.0,
                {.dtype = DType::f64}).reshape(shape);
}

}  // namespace

TEST(Join, GradcheckCatEachDim) {
  manual_seed(71);
  // Three inputs of different sizes along the joined dim, the same elsewhere.
  for (int64_t dim : {0, 1, 2, -1}) {
    Shape s0{2, 2, 2}, s1{2, 2, 2}, s2{2, 2, 2};
    const int64_t d = dim < 0 ? dim + 3 : dim;
    s1[d] = 1;
    s2[d] = 3;
    auto fn = [dim](const std::vector<Tensor>& in) { return cat(in, dim); };
    EXPECT_TRUE(gradcheck_passes(fn, {randn64(s0), randn64(s1), randn64(s2)})) << "dim " << dim;
  }
}

TEST(Join, GradcheckCatNonContiguousAndPartialGrad) {
  manual_seed(72);
  auto fn = [](const std::vector<Tensor>& in) { return cat(in, 1); };
  EXPECT_TRUE(gradcheck_passes(fn, {strided_leaf(randn64({3, 2})), transposed_leaf(randn64({3, 4}))}));
  // The middle input needs no gradient; the others still get theirs.
  EXPECT_TRUE(gradcheck_passes(fn, {randn64({3, 2}), randn64({3, 1}, false), randn64({3, 3})}));
  // A single input is an identity.
  EXPECT_TRUE(gradcheck_passes(fn, {randn64({3, 2})}));
  // An input used twice collects both slices' gradients.
  EXPECT_TRUE(gradcheck_passes([](const std::vector<Tensor>& in) { return cat({in[0], in[1], in[0]}, 0); },
                               {randn64({2, 3}), randn64({1, 3})}));
}

TEST(Join, GradcheckStackEachDim) {
  manual_seed(73);
  for (int64_t dim : {0, 1, 2, -1, -3}) {
    auto fn = [dim](const std::vector<Tensor>& in) { return stack(in, dim); };
    EXPECT_TRUE(gradcheck_passes(fn, {randn64({2, 3}), randn64({2, 3}), randn64({2, 3})})) << "dim " << dim;
  }
  auto fn = [](const std::vector<Tensor>& in) { return stack(in, 1); };
  EXPECT_TRUE(gradcheck_passes(fn, {transposed_leaf(randn64({3, 2})), strided_leaf(randn64({3, 2}))}));
  // 0-d inputs stack into a vector.
  EXPECT_TRUE(gradcheck_passes([](const std::vector<Tensor>& in) { return stack(in, 0); },
                               {randn64({}), randn64({})}));
}

TEST(Join, CatHandExamples) {
  const Tensor a = iota64({2, 2});      // 0 1 / 2 3
  const Tensor b = iota64({2, 1}, 10);  // 10 / 11
  EXPECT_TRUE(all_close(cat({a, b}, 1), f64({0, 1, 10, 2, 3, 11}, {2, 3})));
  EXPECT_TRUE(all_close(cat({a, b.t()}, 0), f64({0, 1, 2, 3, 10, 11}, {3, 2})));
  EXPECT_TRUE(all_close(cat({f64({1, 2}, {2}), f64({3}, {1})}), f64({1, 2, 3}, {3})));
  // A transposed input is read through its strides.
  EXPECT_TRUE(all_close(cat({a.t(), a}, -1), f64({0, 2, 0, 1, 1, 3, 2, 3}, {2, 4})));
  // Empty inputs contribute nothing.
  EXPECT_TRUE(all_close(cat({a, zeros({0, 2}, {.dtype = DType::f64})}, 0), a));
}

TEST(Join, StackHandExamples) {
  const Tensor a = f64({1, 2, 3}, {3}), b = f64({4, 5, 6}, {3});
  EXPECT_TRUE(all_close(stack({a, b}), f64({1, 2, 3, 4, 5, 6}, {2, 3})));
  EXPECT_TRUE(all_close(stack({a, b}, 1), f64({1, 4, 2, 5, 3, 6}, {3, 2})));
  EXPECT_TRUE(all_close(stack({a, b}, -1), stack({a, b}, 1)));
}

TEST(Join, CatGradientIsTheMatchingSlice) {
  const Tensor a = f64({1, 2}, {1, 2}, true), b = f64({3, 4, 5, 6}, {2, 2}, true);
  sum(cat({a, b}, 0) * f64({1, 2, 3, 4, 5, 6}, {3, 2})).backward();
  EXPECT_TRUE(all_close(a.grad(), f64({1, 2}, {1, 2})));
  EXPECT_TRUE(all_close(b.grad(), f64({3, 4, 5, 6}, {2, 2})));
}

TEST(Join, OutputIsACopyAndPromotes) {
  const Tensor a = iota64({2}), b = iota64({2});
  const Tensor c = cat({a, b});
  a.fill_(9.0);
  EXPECT_TRUE(all_close(c, f64({0, 1, 0, 1}, {4})));
  EXPECT_EQ(cat({zeros({2}), zeros({2}, {.dtype = DType::f64})}).dtype(), DType::f64);
  EXPECT_EQ(stack({zeros({2}, {.dtype = DType::f64}), zeros({2})}).dtype(), DType::f64);
}

TEST(Join, ErrorsNameOpAndShapes) {
  const Tensor a = zeros({2, 3}), b = zeros({2, 4}), c = zeros({3});
  EXPECT_TRUE(throws_error_containing([&] { cat({a, b}, 0); }, {"cat", "[2, 4]", "[2, 3]", "dim 0"}));
  EXPECT_TRUE(throws_error_containing([&] { cat({a, c}, 0); }, {"cat", "[3]", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { cat({a, a}, 2); }, {"cat", "dim 2", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { cat({a, a}, -3); }, {"cat", "dim -3", "[2, 3]"}));
  // A dtype clash names the op (promote_types takes it), as every other cat error.
  const Tensor ints = zeros({2, 3}, {.dtype = DType::i64});
  EXPECT_TRUE(throws_error_containing([&] { cat({a, ints}, 0); }, {"cat: cannot combine", "int64"}));
  EXPECT_TRUE(throws_error_containing([&] { cat({}, 0); }, {"cat", "at least one"}));
  EXPECT_TRUE(throws_error_containing([&] { cat({zeros({}), zeros({})}); }, {"cat", "zero-dim"}));
  EXPECT_TRUE(throws_error_containing([&] { stack({a, b}); }, {"stack", "[2, 4]", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { stack({a, a}, 3); }, {"stack", "dim 3"}));
  EXPECT_TRUE(throws_error_containing([&] { stack({}); }, {"stack", "at least one"}));
}
