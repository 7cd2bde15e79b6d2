// The pictures of a network (report/pictures.hpp, train/inspect.hpp): filter and activation-map
// grids pixel by pixel, their PNG, where they come from in a model, and their report section.
#include "nabla/report/pictures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nabla/models/models.hpp"
#include "nabla/report/report.hpp"
#include "nabla/train/inspect.hpp"
#include "report/xml_check.hpp"
#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::throws_error_containing;
using ::testing::HasSubstr;

namespace {

uint8_t at(const report::Picture& p, int64_t x, int64_t y, int64_t c = 0) {
  return p.pixels[static_cast<size_t>((y * p.width + x) * p.channels + c)];
}

}  // namespace

// Two 2x2 grey filters side by side, zoom 1: a white border and gap, each tile scaled to its
// own range, a constant tile mid-grey.
TEST(Pictures, FilterTilesAreScaledToTheirOwnRange) {
  const Tensor w = from_vector(std::vector<float>{-1, 0, 0, 1, 5, 5, 5, 5}, {2, 1, 2, 2});
  const report::Picture p = report::image_grid(w, /*zoom=*/1);
  EXPECT_EQ(p.width, 7);   // | t t | t t |
  EXPECT_EQ(p.height, 4);
  EXPECT_EQ(p.channels, 1);
  EXPECT_EQ(at(p, 0, 0), 255);  // border
  EXPECT_EQ(at(p, 1, 1), 0);    // -1: the first tile's minimum
  EXPECT_EQ(at(p, 2, 1), 128);  // 0: the middle of [-1, 1]
  EXPECT_EQ(at(p, 2, 2), 255);  // 1: its maximum
  EXPECT_EQ(at(p, 3, 1), 255);  // gap
  EXPECT_EQ(at(p, 4, 1), 128);  // the constant tile
  // zoom 3 repeats each weight over 3x3 pixels.
  const report::Picture big = report::image_grid(w, 3);
  EXPECT_EQ(big.width, 2 * 7 + 1);
  EXPECT_EQ(at(big, 3, 3), 0);
  EXPECT_EQ(at(big, 4, 3), 128);
}

TEST(Pictures, ThreeChannelsAreColourOthersTheirMean) {
  const Tensor rgb = from_vector(std::vector<float>{0, 1, 1, 0, 0, 0}, {1, 3, 1, 2});
  const report::Picture colour = report::image_grid(rgb, 1);
  EXPECT_EQ(colour.channels, 3);
  EXPECT_EQ(at(colour, 1, 1, 0), 0);  // red plane 0 at x = 0 ...
  EXPECT_EQ(at(colour, 2, 1, 0), 255);
  EXPECT_EQ(at(colour, 1, 1, 1), 255);  // green 1
  EXPECT_EQ(report::image_grid(zeros({3, 2, 4, 4}), 1).channels, 1);
  // Activation maps: one grey tile per channel, at most max_tiles, rows of 8.
  const report::Picture maps = report::feature_map_grid(randn({20, 5, 5}), 1, 12);
  EXPECT_EQ(maps.width, 8 * 6 + 1);
  EXPECT_EQ(maps.height, 2 * 6 + 1);
  EXPECT_EQ(report::encode_png(maps).rfind("\x89PNG\r\n\x1a\n", 0), 0u);
  EXPECT_TRUE(throws_error_containing([] { report::image_grid(zeros({4, 4}), 1); },
                                      {"image_grid", "[N, C, H, W]", "[4, 4]"}));
  EXPECT_TRUE(throws_error_containing([] { report::feature_map_grid(zeros({2, 4, 4}), 0); },
                                      {"zoom 0"}));
}

TEST(Pictures, TheFirstConvolutionAndEveryConvolutionsMaps) {
  manual_seed(1);
  const auto lenet = models::create("lenet5", {.num_classes = 10, .in_channels = 1});
  const auto [name, weight] = train::first_conv_weight(*lenet, {1, 28, 28});
  EXPECT_EQ(name, "0.weight");
  EXPECT_EQ(weight.shape(), (Shape{6, 1, 5, 5}));
  const auto maps = train::conv_activations(*lenet, randn({1, 1, 28, 28}));
  ASSERT_EQ(maps.size(), 2u);
  EXPECT_EQ(maps[0].first, "0");
  EXPECT_EQ(maps[0].second.shape(), (Shape{6, 28, 28}));
  EXPECT_EQ(maps[1].second.size(0), 16);
  const auto mlp = models::create("mlp", {.num_classes = 10, .in_features = 784});
  EXPECT_TRUE(train::conv_activations(*mlp, randn({1, 1, 28, 28})).empty());
  EXPECT_TRUE(throws_error_containing([&] { train::first_conv_weight(*mlp, {784}); },
                                      {"need images [C, H, W]"}));
}

TEST(Pictures, TheReportShowsThemInline) {
  report::RunRecord record;
  record.filters = {"0.weight", report::image_grid(randn({6, 1, 5, 5}))};
  record.probe = report::image_grid(randn({1, 1, 28, 28}), 3, 1);
  record.activation_maps = {{"0 [6, 28, 28]", report::feature_map_grid(randn({6, 28, 28}))},
                            {"3 <16>", report::feature_map_grid(randn({16, 10, 10}))}};
  const std::string page = report::render_html(record);
  EXPECT_THAT(page, HasSubstr("section-pictures"));
  EXPECT_THAT(page, HasSubstr("id=\"filters\""));
  EXPECT_THAT(page, HasSubstr("id=\"activation-maps\""));
  EXPECT_THAT(page, HasSubstr("3 &lt;16&gt;"));
  EXPECT_THAT(page, HasSubstr("src=\"data:image/png;base64,"));
  EXPECT_EQ(report::testing::xml_problem(page.substr(page.find('\n') + 1)), "");
  EXPECT_THAT(report::render_html(report::RunRecord{}), ::testing::Not(HasSubstr("section-pictures")));
}
