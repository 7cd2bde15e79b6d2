// Test-time augmentation: the views (data/test_time.hpp) and the averaged predictions
// (train::predict_view_average).
#include <gtest/gtest.h>

#include "nabla/data/test_time.hpp"
#include "nabla/nn/container.hpp"
#include "nabla/nn/linear.hpp"
#include "nabla/train/inference.hpp"
#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::all_close;
using nabla::testing::throws_error_containing;

namespace {

// One 1-channel 3x3 image 1..9:  1 2 3 / 4 5 6 / 7 8 9.
Tensor image() {
  return from_vector(std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
}

std::vector<float> values(const Tensor& t) { return t.to_vector<float>(); }

}  // namespace

TEST(TestTimeViews, FlipsMirrorLeftToRight) {
  const std::vector<Tensor> views = data::test_time_views(image(), data::TestTimeViews::flip, 0);
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(values(views[0]), values(image()));
  EXPECT_EQ(values(views[1]), (std::vector<float>{3, 2, 1, 6, 5, 4, 9, 8, 7}));
}

// The crops of the image padded by one pixel: the centre is the image, the top-left corner
// crop shows the padding's zeros on top and left (the image moved down and right).
TEST(TestTimeViews, TenCropsAreTheCornersCentreAndMirrors) {
  const std::vector<Tensor> views = data::test_time_views(image(), data::TestTimeViews::ten_crop, 1);
  ASSERT_EQ(views.size(), 10u);
  EXPECT_EQ(values(views[0]), values(image()));
  EXPECT_EQ(values(views[1]), (std::vector<float>{0, 0, 0, 0, 1, 2, 0, 4, 5}));  // top-left
  EXPECT_EQ(values(views[2]), (std::vector<float>{0, 0, 0, 2, 3, 0, 5, 6, 0}));  // top-right
  EXPECT_EQ(values(views[3]), (std::vector<float>{0, 4, 5, 0, 7, 8, 0, 0, 0}));  // bottom-left
  EXPECT_EQ(values(views[4]), (std::vector<float>{5, 6, 0, 8, 9, 0, 0, 0, 0}));  // bottom-right
  EXPECT_EQ(values(views[5]), (std::vector<float>{3, 2, 1, 6, 5, 4, 9, 8, 7}));  // centre, mirrored
  EXPECT_EQ(values(views[6]), (std::vector<float>{0, 0, 0, 2, 1, 0, 5, 4, 0}));  // top-left, mirrored
  EXPECT_EQ(data::test_time_views(image(), data::TestTimeViews::five_crop, 1).size(), 5u);
  EXPECT_EQ(data::view_count(data::TestTimeViews::ten_crop), 10);
}

TEST(TestTimeViews, BadInputsAreErrors) {
  EXPECT_TRUE(throws_error_containing(
      [] { data::test_time_views(zeros({2, 9}), data::TestTimeViews::flip, 0); },
      {"expected float images [N, C, H, W]", "images only"}));
  EXPECT_TRUE(throws_error_containing(
      [] { data::test_time_views(image(), data::TestTimeViews::five_crop, 3); },
      {"five_crop needs a padding of 1 to 2 pixels for 3x3 images, got 3"}));
  EXPECT_TRUE(throws_error_containing([] { data::parse_test_time_views("tencrop"); },
                                      {"'tencrop' is unknown", "ten_crop"}));
}

// A classifier's TTA output is the mean of the views' softmax probabilities, the preprocessing
// applied to each view.
TEST(TestTimeViews, PredictionsAreTheMeanOfTheViewsProbabilities) {
  manual_seed(3);
  auto model = std::make_shared<nn::Sequential>();
  model->push_back(std::make_shared<nn::Flatten>());
  model->push_back(std::make_shared<nn::Linear>(9, 4));
  const Tensor images = randn({5, 1, 3, 3});
  const auto double_it = [](const Tensor& x) { return x * 2.0; };
  const auto views = [](const Tensor& batch) {
    return data::test_time_views(batch, data::TestTimeViews::ten_crop, 1);
  };
  const Tensor averaged = train::predict_view_average(*model, images, data::Task::classification,
                                                      views, double_it, /*batch_size=*/2);
  Tensor expected = zeros({5, 4});
  for (const Tensor& view : views(images))
    expected = expected + softmax((*model)(double_it(view)), 1).detach();
  EXPECT_TRUE(all_close(averaged, expected / 10.0, 1e-6, 1e-7));
}
