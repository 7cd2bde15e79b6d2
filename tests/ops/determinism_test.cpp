// Determinism (DESIGN.md, principle 6): nabla's own kernels (reductions along each dim, softmax,
// elementwise ops and their backward passes) give bitwise-equal results with one thread and with
// two. Matrix products are OpenBLAS's: its sgemm partitions the work differently for each thread
// count (measured: 1000x1000x1000 at 1 and 2 threads differs in 2/3 of the outputs), so for
// matmul the promise is the design's: same seed and same thread count, same bits. The tensors
// are large enough that the CPU backend does split the work (its loops stay serial below a grain).
#include <functional>

#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

// Sets the thread count for a scope and restores the previous one, even if a check throws.
class ThreadCount {
 public:
  explicit ThreadCount(int threads) : previous_(get_num_threads()) { set_num_threads(threads); }
  ~ThreadCount() { set_num_threads(previous_); }
  ThreadCount(const ThreadCount&) = delete;
  ThreadCount& operator=(const ThreadCount&) = delete;

 private:
  int previous_;
};

// Runs `compute` from the same seed at `first` and at `second` threads; every output must be
// bitwise equal.
void expect_same_at(int first, int second, const std::function<std::vector<Tensor>()>& compute,
                    const char* what) {
  std::vector<Tensor> one, two;
  {
    ThreadCount threads(first);
    ASSERT_EQ(get_num_threads(), first);
    manual_seed(2024);
    one = compute();
  }
  {
    ThreadCount threads(second);
    ASSERT_EQ(get_num_threads(), second);
    manual_seed(2024);
    two = compute();
  }
  ASSERT_EQ(one.size(), two.size());
  ASSERT_FALSE(one.empty());
  for (size_t i = 0; i < one.size(); ++i) {
    ASSERT_TRUE(one[i].defined()) << what << " output " << i;
    EXPECT_GT(one[i].numel(), 0) << what << " output " << i;
    EXPECT_TRUE(equal(one[i], two[i])) << what << " output " << i << " differs between " << first << " and " << second
                                       << " threads";
  }
}

}  // namespace

TEST(Determinism, ThreadCountIsRestored) {
  const int before = get_num_threads();
  { ThreadCount threads(before == 1 ? 2 : 1); }
  EXPECT_EQ(get_num_threads(), before);
}

TEST(Determinism, ReductionsOverOneMillionElements) {
  expect_same_at(1, 2, [] {
    const Tensor x = randn({1 << 20});
    const Tensor x64 = randn({1 << 20}, {.dtype = DType::f64});
    return std::vector<Tensor>{sum(x), mean(x), max(x), argmax(x), min(x), argmin(x),
                               sum(x64), mean(x64), var(x64)};
  }, "flat reductions");
}

TEST(Determinism, ReductionsAlongEachDimOfASquare) {
  expect_same_at(1, 2, [] {
    const Tensor x = randn({1000, 1000});
    std::vector<Tensor> out;
    for (int64_t dim : {0, 1}) {
      out.push_back(sum(x, dim));
      out.push_back(mean(x, dim, true));
      const auto [values, indices] = max(x, dim);
      out.push_back(values);
      out.push_back(indices);
      out.push_back(argmax(x, dim));
      out.push_back(logsumexp(x, dim));
    }
    // Strided: the transposed view reduces with the other loop order.
    out.push_back(sum(x.t(), 1));
    return out;
  }, "reductions along a dim");
}

TEST(Determinism, SoftmaxAndElementwise) {
  expect_same_at(1, 2, [] {
    const Tensor x = randn({1000, 1000}), y = randn({1000});
    return std::vector<Tensor>{softmax(x, 1), softmax(x, 0), log_softmax(x, 1),
                               exp(x), tanh(x), sigmoid(x) * y + x / (abs(y) + 1.0),
                               maximum(x, x.t()), where(gt(x, y), x, y), x.t().contiguous()};
  }, "softmax and elementwise");
}

TEST(Determinism, MatmulAtTheSameThreadCount) {
  expect_same_at(2, 2, [] {
    const Tensor a = randn({300, 200}), b = randn({200, 250});
    const Tensor a64 = randn({200, 300}, {.dtype = DType::f64});
    const Tensor batch = randn({64, 16, 32}), right = randn({64, 32, 16});
    return std::vector<Tensor>{matmul(a, b), matmul(a64.t(), b.to(DType::f64)),
                               matmul(batch, right), matmul(batch, b.narrow(0, 0, 32))};
  }, "matmul");
}

TEST(Determinism, BatchesOfSmallProductsAcrossThreadCounts) {
  // Each small product runs whole on one thread, so the split of the batch does not matter.
  expect_same_at(1, 2, [] {
    const Tensor batch = randn({64, 16, 32}), right = randn({64, 32, 16});
    return std::vector<Tensor>{matmul(batch, right)};
  }, "batched matmul");
}

TEST(Determinism, BackwardPassesAcrossThreadCounts) {
  expect_same_at(1, 2, [] {
    const Tensor w = randn({512, 256}, {.requires_grad = true});
    const Tensor labels = randint(0, 256, {512, 1});
    const Tensor hidden = relu(w * 2.0) + sigmoid(w) * tanh(w);
    const Tensor loss = -mean(gather(log_softmax(hidden, 1), 1, labels)) + var(sum(hidden, 0));
    loss.backward();
    return std::vector<Tensor>{loss, w.grad()};
  }, "backward");
}

TEST(Determinism, BackwardThroughMatmulAtTheSameThreadCount) {
  expect_same_at(2, 2, [] {
    const Tensor w = randn({256, 128}, {.requires_grad = true});
    const Tensor x = randn({512, 256});
    const Tensor labels = randint(0, 128, {512, 1});
    const Tensor logits = matmul(relu(matmul(x, w)), w.t());
    const Tensor loss = -mean(gather(log_softmax(matmul(logits, w), 1), 1, labels));
    loss.backward();
    return std::vector<Tensor>{loss, w.grad()};
  }, "backward through matmul");
}
