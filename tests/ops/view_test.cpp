// View ops (src/ops/view.cpp): that they are views (same storage, no copy) and that reshape
// copies only when it must; gradients of every view op on contiguous and strided inputs;
// Python slicing rules; and the errors.
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

Tensor iota64(const Shape& shape) {
  return arange(static_cast<double>(shape_numel(shape)), {.dtype = DType::f64}).reshape(shape);
}

// Where `view`'s element 0 sits in `base`'s memory, in elements.
int64_t element_offset(const Tensor& view, const Tensor& base) {
  return static_cast<const double*>(view.data_ptr()) - static_cast<const double*>(base.data_ptr());
}

// A write through `view` must show in `base` (the proof that no copy was made): exactly
// `distinct` elements of base change, and base's version counter moves with the view's.
void expect_write_through(Tensor view, const Tensor& base, int64_t distinct, const char* what) {
  const uint64_t version = base.version();
  view.fill_(-1.0);
  EXPECT_EQ(base.version(), version + 1) << what << ": the version counter is per storage";
  const Tensor written = lt(base, scalar_tensor(0.0, {.dtype = DType::f64}));
  EXPECT_EQ(sum(where(written, ones_like(base), zeros_like(base))).item(), distinct) << what;
}

}  // namespace

TEST(View, ViewOpsShareStorage) {
  const Tensor base = iota64({2, 3, 4});
  struct Case {
    const char* what;
    Tensor view;
    int64_t offset;
  };
  const std::vector<Case> cases{
      {"view", base.view({6, 4}), 0},
      {"view -1", base.view({-1}), 0},
      {"reshape", base.reshape({4, 6}), 0},
      {"flatten", base.flatten(1), 0},
      {"transpose", base.transpose(0, 2), 0},
      {"permute", base.permute({1, 2, 0}), 0},
      {"slice", base.slice(2, 1, 4, 2), 1},
      {"slice negative", base.slice(1, -2, 3), 4},
      {"narrow", base.narrow(1, 1, 2), 4},
      {"squeeze", base.narrow(0, 1, 1).squeeze(0), 12},
      {"unsqueeze", base.unsqueeze(1), 0},
      {"expand", base.narrow(2, 3, 1).expand({2, 3, 5}), 3},
  };
  for (const Case& c : cases) EXPECT_EQ(element_offset(c.view, base), c.offset) << c.what;
  // Writes, each through a view of a fresh base (iota values are all >= 0).
  auto check = [](const char* what, Tensor (*make)(const Tensor&), int64_t distinct) {
    const Tensor fresh = iota64({2, 3, 4});
    expect_write_through(make(fresh), fresh, distinct, what);
  };
  check("view", [](const Tensor& b) { return b.view({6, 4}); }, 24);
  check("transpose", [](const Tensor& b) { return b.transpose(0, 2).slice(0, 0, 1); }, 6);
  check("permute", [](const Tensor& b) { return b.permute({2, 0, 1}).narrow(0, 3, 1); }, 6);
  check("slice", [](const Tensor& b) { return b.slice(2, 1, 4, 2); }, 12);
  check("narrow", [](const Tensor& b) { return b.narrow(1, 1, 2); }, 16);
  check("squeeze", [](const Tensor& b) { return b.narrow(0, 1, 1).squeeze(0); }, 12);
  check("unsqueeze", [](const Tensor& b) { return b.unsqueeze(-1).narrow(1, 0, 1); }, 8);
  check("flatten", [](const Tensor& b) { return b.flatten().slice(0, 0, 24, 5); }, 5);
  check("reshape", [](const Tensor& b) { return b.reshape({3, 8}).narrow(1, 0, 1); }, 3);
  check("expand", [](const Tensor& b) { return b.narrow(2, 3, 1).expand({2, 3, 5}); }, 6);
}

TEST(View, ExpandIsAZeroStrideView) {
  const Tensor col = f64({1, 2, 3}, {3, 1});
  const Tensor e = col.expand({2, 3, 4});
  EXPECT_EQ(e.shape(), Shape({2, 3, 4}));
  EXPECT_EQ(e.strides(), Strides({0, 1, 0}));
  EXPECT_EQ(e.data_ptr(), col.data_ptr());
  EXPECT_EQ(col.expand({-1, 2}).shape(), Shape({3, 2}));
  expect_write_through(col.expand({3, 4}).narrow(0, 1, 1), col, 1, "expand");
}

TEST(View, ReshapeCopiesOnlyWhenNoViewExists) {
  const Tensor base = iota64({2, 3});
  const Tensor t = base.t();  // [3, 2] with strides [1, 3]: no flat view exists
  const Tensor flat = t.reshape({6});
  EXPECT_TRUE(flat.is_contiguous());
  EXPECT_TRUE(all_close(flat, f64({0, 3, 1, 4, 2, 5}, {6})));
  base.fill_(7.0);  // the copy must not see this
  EXPECT_TRUE(all_close(flat, f64({0, 3, 1, 4, 2, 5}, {6})));
  // Splitting or adding unit dims of the transposed tensor needs no copy.
  const Tensor split = t.reshape({3, 1, 2});
  EXPECT_EQ(split.data_ptr(), base.data_ptr());
  EXPECT_TRUE(throws_error_containing([&] { t.view({6}); }, {"view", "[6]", "[3, 2]", "reshape"}));
}

TEST(View, ViewOfNonContiguousTensorWhenStridesAllow) {
  const Tensor base = iota64({4, 6});
  const Tensor half = base.narrow(1, 0, 3);  // [4, 3], strides [6, 1]
  const Tensor split = half.view({2, 2, 3});  // splits the outer dim: still a view
  EXPECT_EQ(split.data_ptr(), base.data_ptr());
  EXPECT_EQ(split.strides(), Strides({12, 6, 1}));
  EXPECT_TRUE(all_close(split.reshape({-1}), half.contiguous().reshape({-1})));
  EXPECT_TRUE(throws_error_containing([&] { half.view({12}); }, {"view", "[12]", "[4, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { half.view({3, 4}); }, {"view", "[3, 4]", "[4, 3]"}));
}

TEST(View, HandExamples) {
  const Tensor x = iota64({2, 3});
  EXPECT_TRUE(all_close(x.t().contiguous(), f64({0, 3, 1, 4, 2, 5}, {3, 2})));
  EXPECT_TRUE(all_close(x.permute({1, 0}), x.t()));
  EXPECT_TRUE(all_close(x.slice(1, 0, 3, 2), f64({0, 2, 3, 5}, {2, 2})));
  EXPECT_TRUE(all_close(x.narrow(1, -2, 2), f64({1, 2, 4, 5}, {2, 2})));
  EXPECT_TRUE(all_close(x.unsqueeze(0), f64({0, 1, 2, 3, 4, 5}, {1, 2, 3})));
  EXPECT_TRUE(all_close(x.unsqueeze(-1).squeeze(-1), x));
  EXPECT_EQ(x.squeeze(0).shape(), Shape({2, 3}));  // a non-1 dim is left alone, as torch
  EXPECT_EQ(x.view({3, -1}).shape(), Shape({3, 2}));
  EXPECT_EQ(iota64({2, 3, 4}).flatten(1, 2).shape(), Shape({2, 12}));
  EXPECT_EQ(f64({5}, {}).flatten().shape(), Shape({1}));
  EXPECT_EQ(f64({5}, {}).transpose(0, -1).shape(), Shape({}));
}

TEST(View, SliceFollowsPythonRules) {
  const Tensor x = iota64({6});
  EXPECT_TRUE(all_close(x.slice(0, -2, 100), f64({4, 5}, {2})));     // end clamps
  EXPECT_TRUE(all_close(x.slice(0, -100, 2), f64({0, 1}, {2})));     // start clamps
  EXPECT_TRUE(all_close(x.slice(0, 1, 6, 3), f64({1, 4}, {2})));
  EXPECT_EQ(x.slice(0, 4, 2).shape(), Shape({0}));                    // empty, not an error
  EXPECT_TRUE(all_close(x.slice(0, 0, -1, 2), f64({0, 2, 4}, {3})));
}

TEST(View, GradcheckReshapingOps) {
  manual_seed(61);
  const Tensor x = randn64({2, 3, 4}, false);
  auto check = [&](const char* what, auto fn) {
    const autograd::GradcheckFn f = fn;
    EXPECT_TRUE(gradcheck_passes(f, {x.clone().requires_grad_(true)})) << what;
    EXPECT_TRUE(gradcheck_passes(f, {strided_leaf(x)})) << what << " strided";
    EXPECT_TRUE(gradcheck_passes(f, {transposed_leaf(x)})) << what << " transposed";
  };
  // reshape of the strided and transposed leaves takes the copying path.
  check("reshape", [](const std::vector<Tensor>& in) { return in[0].reshape({4, -1}); });
  check("flatten", [](const std::vector<Tensor>& in) { return in[0].flatten(0, 1); });
  check("unsqueeze", [](const std::vector<Tensor>& in) { return in[0].unsqueeze(1); });
  check("squeeze", [](const std::vector<Tensor>& in) { return in[0].narrow(1, 2, 1).squeeze(1); });
  check("transpose", [](const std::vector<Tensor>& in) { return in[0].transpose(0, 2); });
  check("permute", [](const std::vector<Tensor>& in) { return in[0].permute({2, 0, 1}); });
  check("slice", [](const std::vector<Tensor>& in) { return in[0].slice(2, 1, 4, 2); });
  check("slice negative", [](const std::vector<Tensor>& in) { return in[0].slice(1, -2, 3); });
  check("narrow", [](const std::vector<Tensor>& in) { return in[0].narrow(0, 1, 1); });
  check("chain", [](const std::vector<Tensor>& in) {
    return in[0].permute({1, 2, 0}).slice(1, 0, 4, 3).reshape({-1}) * 2.0;
  });
  // view needs a viewable input: the contiguous one.
  EXPECT_TRUE(gradcheck_passes([](const std::vector<Tensor>& in) { return in[0].view({6, 4}); },
                               {x.clone().requires_grad_(true)}));
  EXPECT_TRUE(gradcheck_passes([](const std::vector<Tensor>& in) { return in[0].t(); },
                               {transposed_leaf(randn64({3, 5}))}));
}

TEST(View, GradcheckExpand) {
  manual_seed(62);
  auto expand_to = [](Shape shape) {
    return [shape](const std::vector<Tensor>& in) { return in[0].expand(shape); };
  };
  EXPECT_TRUE(gradcheck_passes(expand_to({3, 4}), {randn64({3, 1})}));
  EXPECT_TRUE(gradcheck_passes(expand_to({2, 3, 4}), {randn64({4})}));    // new leading dims
  EXPECT_TRUE(gradcheck_passes(expand_to({2, -1, 3}), {randn64({1, 4, 1})}));
  EXPECT_TRUE(gradcheck_passes(expand_to({2, 3}), {randn64({})}));
  EXPECT_TRUE(gradcheck_passes(expand_to({4, 2, 3}), {transposed_leaf(randn64({2, 3}))}));
}

TEST(View, ErrorsNameOpAndShapes) {
  const Tensor x = zeros({2, 3});
  EXPECT_TRUE(throws_error_containing([&] { x.view({4, 4}); }, {"view", "[4, 4]", "6"}));
  EXPECT_TRUE(throws_error_containing([&] { x.view({-1, -1}); }, {"view", "-1", "[-1, -1]"}));
  EXPECT_TRUE(throws_error_containing([&] { x.reshape({4, -1}); }, {"reshape", "[4, -1]", "6"}));
  EXPECT_TRUE(throws_error_containing([&] { x.transpose(0, 2); }, {"transpose", "dim 2", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { x.permute({0, 0}); }, {"permute", "[0, 0]", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { x.permute({1, 0, 2}); }, {"permute", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { x.expand({4, 3}); }, {"expand", "[2, 3]", "[4, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { x.expand({3}); }, {"expand", "[2, 3]", "[3]"}));
  EXPECT_TRUE(throws_error_containing([&] { x.narrow(1, 2, 2); }, {"narrow", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { x.slice(0, 0, 2, 0); }, {"slice", "step", "0"}));
  EXPECT_TRUE(throws_error_containing([&] { x.squeeze(2); }, {"squeeze", "dim 2", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { x.unsqueeze(4); }, {"unsqueeze", "dim 4", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { x.flatten(1, 0); }, {"flatten", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { zeros({2, 3, 4}).t(); }, {"t()", "[2, 3, 4]"}));
}
