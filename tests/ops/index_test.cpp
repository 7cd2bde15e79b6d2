// index_select and gather (src/ops/index.cpp): gradients with repeated indices (the backward's
// scatter-add must accumulate), values by hand and against a naive loop, and index errors.
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

TEST(Index, GradcheckIndexSelectRepeatedIndices) {
  manual_seed(81);
  const Tensor rows = i64({2, 0, 2, 2}, {4});
  const Tensor cols = i64({1, 1, 3}, {3});
  auto select = [](int64_t dim, Tensor index) {
    return [dim, index](const std::vector<Tensor>& in) { return index_select(in[0], dim, index); };
  };
  EXPECT_TRUE(gradcheck_passes(select(0, rows), {randn64({3, 4})}));
  EXPECT_TRUE(gradcheck_passes(select(1, cols), {randn64({3, 4})}));
  EXPECT_TRUE(gradcheck_passes(select(-1, cols), {randn64({2, 3, 4})}));
  EXPECT_TRUE(gradcheck_passes(select(1, i64({0, 2, 0}, {3})), {randn64({2, 3, 4})}));
  EXPECT_TRUE(gradcheck_passes(select(0, rows), {strided_leaf(randn64({3, 4}))}));
  EXPECT_TRUE(gradcheck_passes(select(1, cols), {transposed_leaf(randn64({3, 4}))}));
  // A 0-d index selects one slice, keeping the dim (size 1), as torch.
  EXPECT_TRUE(gradcheck_passes(select(0, i64({1}, {})), {randn64({3, 4})}));
}

TEST(Index, GradcheckGatherRepeatedIndices) {
  manual_seed(82);
  auto gather_along = [](int64_t dim, Tensor index) {
    return [dim, index](const std::vector<Tensor>& in) { return gather(in[0], dim, index); };
  };
  // Rows pick columns, several twice; the index may be smaller than the input off `dim`.
  const Tensor pick_cols = i64({0, 0, 3, 1, 1, 1, 2, 0, 2}, {3, 3});
  const Tensor pick_rows = i64({2, 0, 2, 1, 2, 2, 0, 0}, {2, 4});
  EXPECT_TRUE(gradcheck_passes(gather_along(1, pick_cols), {randn64({3, 4})}));
  EXPECT_TRUE(gradcheck_passes(gather_along(0, pick_rows), {randn64({3, 4})}));
  EXPECT_TRUE(gradcheck_passes(gather_along(-1, i64({1, 1}, {2, 1})), {randn64({3, 4})}));
  EXPECT_TRUE(gradcheck_passes(gather_along(1, pick_cols), {transposed_leaf(randn64({3, 4}))}));
  EXPECT_TRUE(gradcheck_passes(gather_along(0, pick_rows), {strided_leaf(randn64({3, 4}))}));
  // A non-contiguous index: [2, 3, 2] through transposed strides.
  const Tensor idx = i64({0, 1, 1, 0, 2, 2, 0, 0, 1, 2, 1, 0}, {2, 2, 3}).transpose(1, 2);
  EXPECT_TRUE(gradcheck_passes(gather_along(1, idx), {randn64({2, 3, 3})}));
}

TEST(Index, IndexSelectHandExample) {
  const Tensor x = f64({0, 1, 2, 10, 11, 12}, {2, 3});
  EXPECT_TRUE(all_close(index_select(x, 1, i64({2, 0, 2}, {3})), f64({2, 0, 2, 12, 10, 12}, {2, 3})));
  EXPECT_TRUE(all_close(index_select(x, 0, i64({1, 1}, {2})), f64({10, 11, 12, 10, 11, 12}, {2, 3})));
  EXPECT_EQ(index_select(x, 0, i64({}, {0})).shape(), Shape({0, 3}));
  // A transposed input and a strided index are read through their strides.
  const Tensor index = i64({1, 9, 0, 9}, {4}).slice(0, 0, 4, 2);  // [1, 0]
  EXPECT_TRUE(all_close(index_select(x.t(), 1, index), f64({10, 0, 11, 1, 12, 2}, {3, 2})));
}

TEST(Index, GatherHandExample) {
  // torch.gather(x, 1, [[0, 0], [1, 0]]) picks per row.
  const Tensor x = f64({1, 2, 3, 4}, {2, 2});
  EXPECT_TRUE(all_close(gather(x, 1, i64({0, 0, 1, 0}, {2, 2})), f64({1, 1, 4, 3}, {2, 2})));
  EXPECT_TRUE(all_close(gather(x, 0, i64({1, 0}, {1, 2})), f64({3, 2}, {1, 2})));
}

TEST(Index, GatherMatchesNaiveLoop) {
  manual_seed(83);
  const Tensor x = randn({5, 7, 6}, {.dtype = DType::f64});
  const Tensor index = randint(0, 7, {4, 9, 6});  // dim 1 may be longer than x's
  const Tensor y = gather(x, 1, index);
  const std::vector<double> v = x.to_vector<double>(), got = y.to_vector<double>();
  const std::vector<int64_t> idx = index.to_vector<int64_t>();
  std::vector<double> want(idx.size());
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 9; ++j)
      for (int64_t k = 0; k < 6; ++k) {
        const int64_t at = (i * 9 + j) * 6 + k;
        want[at] = v[(i * 7 + idx[at]) * 6 + k];
      }
  EXPECT_EQ(got, want);
}

TEST(Index, RepeatedIndicesAccumulateGradient) {
  const Tensor x = f64({1, 2, 3}, {3}, true);
  sum(index_select(x, 0, i64({0, 0, 2, 0}, {4}))).backward();
  EXPECT_TRUE(all_close(x.grad(), f64({3, 0, 1}, {3})));
  const Tensor y = f64({1, 2, 3, 4}, {2, 2}, true);
  sum(gather(y, 1, i64({1, 1, 1, 0, 0, 0}, {2, 3})) * f64({1, 2, 3, 4, 5, 6}, {2, 3})).backward();
  EXPECT_TRUE(all_close(y.grad(), f64({0, 6, 15, 0}, {2, 2})));
}

TEST(Index, OutOfRangeIndicesAreErrors) {
  const Tensor x = zeros({3, 4});
  EXPECT_TRUE(throws_error_containing([&] { index_select(x, 0, i64({0, 5}, {2})); },
                                      {"index_select", "index 5", "[3, 4]"}));
  EXPECT_TRUE(throws_error_containing([&] { index_select(x, 1, i64({-1}, {1})); },
                                      {"index_select", "index -1", "[3, 4]"}));
  EXPECT_TRUE(throws_error_containing([&] { gather(x, 1, i64({4, 0}, {2, 1})); },
                                      {"gather", "index 4", "[3, 4]"}));
  // The backward scatter-add must not be reached with a bad index either: the forward refuses.
  const Tensor leaf = zeros({3}, {.dtype = DType::f64, .requires_grad = true});
  EXPECT_TRUE(throws_error_containing([&] { index_select(leaf, 0, i64({3}, {1})); },
                                      {"index_select", "index 3", "[3]"}));
}

TEST(Index, BadIndexArgumentsAreErrors) {
  const Tensor x = zeros({3, 4});
  EXPECT_TRUE(throws_error_containing([&] { index_select(x, 0, zeros({2})); },
                                      {"index_select", "int64", "float32"}));
  EXPECT_TRUE(throws_error_containing([&] { index_select(x, 0, i64({0, 1}, {1, 2})); },
                                      {"index_select", "1-D", "[1, 2]"}));
  EXPECT_TRUE(throws_error_containing([&] { index_select(x, 2, i64({0}, {1})); },
                                      {"index_select", "dim 2", "[3, 4]"}));
  EXPECT_TRUE(throws_error_containing([&] { gather(x, 0, zeros({3, 4})); }, {"gather", "int64"}));
  EXPECT_TRUE(throws_error_containing([&] { gather(x, 0, i64({0}, {1})); }, {"gather", "[1]", "[3, 4]"}));
  EXPECT_TRUE(throws_error_containing([&] { gather(x, 0, i64({0, 0, 0, 0, 0}, {1, 5})); },
                                      {"gather", "[1, 5]", "[3, 4]"}));
  EXPECT_TRUE(throws_error_containing([&] { gather(x, -3, i64({0}, {1, 1})); },
                                      {"gather", "dim -3", "[3, 4]"}));
}
