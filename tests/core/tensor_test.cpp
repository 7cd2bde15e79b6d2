// Tensor metadata, factories, conversions, in-place updates and printing.
#include <limits>
#include <sstream>

#include "core/tensor_impl.hpp"
#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::all_close;
using nabla::testing::f64;
using nabla::testing::throws_error_containing;

TEST(Tensor, MetadataOfAFreshTensor) {
  Tensor t = zeros({2, 3, 4});
  EXPECT_EQ(t.shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(t.strides(), (Strides{12, 4, 1}));
  EXPECT_EQ(t.dim(), 3);
  EXPECT_EQ(t.size(-1), 4);
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.dtype(), DType::f32);
  EXPECT_EQ(t.device(), Device(Device::CPU));
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_FALSE(t.requires_grad());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data_ptr()) % 64, 0u);  // allocator alignment
}

TEST(Tensor, Factories) {
  EXPECT_EQ(ones({3}).to_vector<float>(), (std::vector<float>{1, 1, 1}));
  EXPECT_EQ(full({2}, 2.5, {.dtype = DType::f64}).to_vector<double>(), (std::vector<double>{2.5, 2.5}));
  EXPECT_EQ(arange(5).to_vector<float>(), (std::vector<float>{0, 1, 2, 3, 4}));
  EXPECT_EQ(arange(1, 2, 0.25, {.dtype = DType::f64}).to_vector<double>(),
            (std::vector<double>{1.0, 1.25, 1.5, 1.75}));
  EXPECT_EQ(arange(3, {.dtype = DType::i64}).to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(linspace(0, 1, 5, {.dtype = DType::f64}).to_vector<double>(),
            (std::vector<double>{0.0, 0.25, 0.5, 0.75, 1.0}));
  EXPECT_EQ(eye(2, 3).to_vector<float>(), (std::vector<float>{1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(scalar_tensor(4.0).dim(), 0);
  EXPECT_EQ(scalar_tensor(4.0).item(), 4.0);
  const double raw[] = {1.0, 2.0, 3.0, 4.0};
  Tensor blob = from_blob(raw, {2, 2}, {.dtype = DType::f64});
  EXPECT_EQ(blob.to_vector<double>(), (std::vector<double>{1, 2, 3, 4}));
  EXPECT_NE(blob.data_ptr(), static_cast<const void*>(raw));  // a copy, not an alias
  EXPECT_EQ(from_vector<bool>({true, false}).to_vector<bool>(), (std::vector<bool>{true, false}));
}

TEST(Tensor, FactoryErrors) {
  EXPECT_TRUE(throws_error_containing([] { arange(0, 5, 0); }, {"arange", "step"}));
  EXPECT_TRUE(throws_error_containing([] { arange(5, 0, 1); }, {"arange", "negative length"}));
  EXPECT_TRUE(throws_error_containing([] { zeros({2, -1}); }, {"negative size", "[2, -1]"}));
  EXPECT_TRUE(throws_error_containing([] { from_vector<float>({1, 2, 3}, {2, 2}); },
                                      {"from_vector", "3 values", "[2, 2]"}));
  EXPECT_TRUE(throws_error_containing([] { randint(3, 3, {2}); }, {"randint", "low"}));
}

TEST(Tensor, ConversionsBetweenDtypes) {
  Tensor x = from_vector<double>({1.5, -2.25, 0.0}, {3});
  EXPECT_EQ(x.to(DType::f32).to_vector<float>(), (std::vector<float>{1.5f, -2.25f, 0.0f}));
  EXPECT_EQ(x.to(DType::i64).to_vector<int64_t>(), (std::vector<int64_t>{1, -2, 0}));
  EXPECT_EQ(x.to(DType::b8).to_vector<bool>(), (std::vector<bool>{true, true, false}));
  EXPECT_TRUE(x.to(DType::f64).is_same(x));  // same dtype: the same tensor
  EXPECT_TRUE(throws_error_containing([&] { x.data<float>(); }, {"float64", "float32"}));
}

TEST(Tensor, ConversionIsDifferentiable) {
  Tensor x = from_vector<float>({1.0f, 2.0f}, {2}, true);
  Tensor y = (x.to(DType::f64) * 3.0).sum();
  y.backward();
  EXPECT_EQ(x.grad().dtype(), DType::f32);
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{3.0f, 3.0f}));
}

TEST(Tensor, ContiguousAndClone) {
  Tensor x = arange(6).reshape({2, 3});
  EXPECT_TRUE(x.contiguous().is_same(x));
  Tensor t = x.t();
  EXPECT_FALSE(t.is_contiguous());
  Tensor c = t.contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_EQ(c.to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  Tensor k = x.clone();
  EXPECT_NE(k.data_ptr(), x.data_ptr());
  EXPECT_TRUE(equal(k, x));
}

TEST(Tensor, InPlaceUpdatesBumpTheVersion) {
  Tensor x = zeros({2, 2});
  const uint64_t v0 = x.version();
  x.fill_(3.0);
  x.add_(ones({2}), 2.0);  // broadcast row, alpha
  x.mul_(0.5);
  EXPECT_EQ(x.to_vector<float>(), (std::vector<float>{2.5, 2.5, 2.5, 2.5}));
  EXPECT_EQ(x.version(), v0 + 3);
  Tensor view = x.slice(1, 0, 1);
  view.copy_(from_vector<float>({7, 8}, {2, 1}));
  EXPECT_EQ(x.to_vector<float>(), (std::vector<float>{7, 2.5, 8, 2.5}));
  EXPECT_EQ(x.version(), v0 + 4);  // views share the counter
  x.zero_();
  EXPECT_EQ(x.sum().item(), 0.0);
  EXPECT_TRUE(throws_error_containing([&] { x.add_(ones({3})); }, {"add_", "[3]"}));
}

TEST(Tensor, ItemNeedsOneElement) {
  EXPECT_EQ(full({1, 1}, 2.0).item(), 2.0);
  EXPECT_TRUE(throws_error_containing([] { zeros({2}).item(); }, {"item()", "[2]"}));
}

TEST(Tensor, UndefinedTensorGivesAClearError) {
  Tensor t;
  EXPECT_FALSE(t.defined());
  EXPECT_TRUE(throws_error_containing([&] { (void)t.shape(); }, {"undefined Tensor"}));
}

TEST(Tensor, PrintsLikePyTorch) {
  std::ostringstream s;
  s << from_vector<float>({1, 2, 3, 4}, {2, 2});
  EXPECT_EQ(s.str(), "tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], shape=[2, 2])");
  std::ostringstream v;
  v << from_vector<double>({-1.5, 2}, {2}, true);
  EXPECT_EQ(v.str(), "tensor([-1.5000,  2.0000], dtype=float64, requires_grad=true)");
  std::ostringstream i;
  i << arange(3, {.dtype = DType::i64});
  EXPECT_EQ(i.str(), "tensor([0, 1, 2], dtype=int64)");
  std::ostringstream big;
  big << arange(2000);
  EXPECT_NE(big.str().find("   2.0000, ..., 1997.0000"), std::string::npos) << big.str();
}

TEST(Tensor, UnknownDeviceNamesTheFix) {
  Tensor x = zeros({2});
  EXPECT_TRUE(throws_error_containing([&] { x.to(Device::CUDA); }, {"cuda"}));
  EXPECT_TRUE(throws_error_containing([] { zeros({2}, {.device = Device::CUDA}); },
                                      {"cuda", "-DNABLA_CUDA=ON"}));
}

TEST(Harness, AllCloseTreatsEqualInfinitiesAndNaNsAsMatching) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(all_close(f64({inf, -inf, nan, 1.0}, {4}), f64({inf, -inf, nan, 1.0}, {4}), 0, 0));
  EXPECT_FALSE(all_close(f64({inf}, {1}), f64({-inf}, {1}), 1e-3, 1e-3));
  EXPECT_FALSE(all_close(f64({nan}, {1}), f64({1.0}, {1}), 1e-3, 1e-3));
  EXPECT_FALSE(all_close(f64({inf}, {1}), f64({1e300}, {1}), 1e-3, 1e-3));
}
