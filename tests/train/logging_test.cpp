// The trainer's logs beside metrics.jsonl: metrics.csv (same rows, a header) and TensorBoard
// event files, decoded here record by record (length and data CRC-32C checked, protobuf fields
// read back); tests/train/tensorboard_check.py reads them with TensorBoard's own reader.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <map>
#include <optional>

#include "train/tensorboard.hpp"
#include "train_test_util.hpp"

using namespace nabla;
using nabla::train_test::quiet;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(text.substr(start, end - start));
  return lines;
}

// A minimal protobuf reader: field number → the raw values (varint as uint64, fixed as bytes,
// length-delimited as bytes), in order.
struct Fields {
  std::multimap<int, std::string> bytes;
  std::multimap<int, uint64_t> varints;
  std::string one(int field) const {
    const auto it = bytes.find(field);
    return it == bytes.end() ? std::string() : it->second;
  }
  double f64(int field) const {
    double v = 0;
    const std::string b = one(field);
    if (b.size() == 8) std::memcpy(&v, b.data(), 8);
    return v;
  }
};

uint64_t read_varint(const std::string& s, size_t& at) {
  uint64_t value = 0;
  for (int shift = 0; at < s.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(s[at++]);
    value |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if (!(byte & 0x80)) break;
  }
  return value;
}

Fields parse(const std::string& message) {
  Fields fields;
  for (size_t at = 0; at < message.size();) {
    const uint64_t key = read_varint(message, at);
    const int field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
    if (wire == 0) {
      fields.varints.emplace(field, read_varint(message, at));
      continue;
    }
    const size_t size = wire == 1 ? 8 : wire == 5 ? 4 : read_varint(message, at);
    fields.bytes.emplace(field, message.substr(at, size));
    at += size;
  }
  return fields;
}

// The TFRecords of an events file, their CRCs checked.
std::vector<std::string> records(const std::string& file) {
  std::vector<std::string> out;
  for (size_t at = 0; at + 12 <= file.size();) {
    uint64_t length = 0;
    uint32_t length_crc = 0, data_crc = 0;
    std::memcpy(&length, file.data() + at, 8);
    std::memcpy(&length_crc, file.data() + at + 8, 4);
    EXPECT_EQ(length_crc, train::detail::masked_crc32c(file.data() + at, 8)) << "at byte " << at;
    const std::string data = file.substr(at + 12, length);
    std::memcpy(&data_crc, file.data() + at + 12 + length, 4);
    EXPECT_EQ(data_crc, train::detail::masked_crc32c(data.data(), data.size())) << "at " << at;
    out.push_back(data);
    at += 16 + length;
  }
  return out;
}

struct Event {
  int64_t step = 0;
  std::string file_version, tag;
  std::optional<float> scalar;
  std::optional<Fields> histo;
  bool session_start = false;
};

Event decode(const std::string& data) {
  const Fields event = parse(data);
  Event e;
  if (event.varints.count(2)) e.step = static_cast<int64_t>(event.varints.find(2)->second);
  e.file_version = event.one(3);
  if (event.bytes.count(7)) e.session_start = parse(event.one(7)).varints.find(1)->second == 1;
  if (event.bytes.count(5)) {
    const Fields value = parse(parse(event.one(5)).one(1));
    e.tag = value.one(1);
    if (value.bytes.count(2)) {
      float v;
      std::memcpy(&v, value.one(2).data(), 4);
      e.scalar = v;
    }
    if (value.bytes.count(5)) e.histo = parse(value.one(5));
  }
  return e;
}

std::vector<Event> events_in(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  std::vector<Event> events;
  for (const std::string& file : files) {
    EXPECT_THAT(file, HasSubstr("events.out.tfevents."));
    for (const std::string& record : records(read_all(file))) events.push_back(decode(record));
  }
  return events;
}

TEST(Crc32c, KnownValues) {
  EXPECT_EQ(train::detail::crc32c("123456789", 9), 0xE3069283u);  // RFC 3720's check value
  EXPECT_EQ(train::detail::crc32c("", 0), 0u);
  const std::string zeros(32, '\0');
  EXPECT_EQ(train::detail::crc32c(zeros.data(), 32), 0x8A9136AAu);  // RFC 3720 B.4
}

TEST(EventHistogram, BucketsCoverEveryFiniteValue) {
  const Tensor values = from_vector<double>({-1, 0, 0.5, 1, 3, NAN}, {6});
  const train::detail::EventHistogram h = train::detail::event_histogram(values, 4);
  EXPECT_EQ(h.num, 5);
  EXPECT_EQ(h.min, -1);
  EXPECT_EQ(h.max, 3);
  EXPECT_DOUBLE_EQ(h.sum, 3.5);
  EXPECT_DOUBLE_EQ(h.sum_squares, 11.25);
  EXPECT_EQ(h.bucket_limit, (std::vector<double>{0, 1, 2, 3}));
  EXPECT_EQ(h.bucket, (std::vector<double>{2, 2, 0, 1}));  // (-inf, 0], (0, 1], (1, 2], (2, 3]
}

// A run with tensorboard: metrics.csv has a header and the jsonl's rows; the event files hold
// file_version first, the scalars at the jsonl's steps and values, a histogram per parameter per
// epoch; a resumed run's file starts with a SessionLog START after the checkpoint's step.
TEST(TrainingLogs, CsvRowsAndTensorBoardEventsMatchTheJsonLog) {
  set_num_threads(1);
  manual_seed(3);
  train_test::ScratchDir dir;
  const data::Dataset data = train_test::spirals(20);
  data::DataLoader loader(data, train_test::loader_options(16));  // 3 steps an epoch
  auto model = train_test::spiral_mlp(4);
  std::ostringstream out;
  train::TrainerOptions options = quiet(out, 2);
  options.run_dir = dir.path();
  options.log_every_steps = 2;
  options.tensorboard = true;
  {
    auto sgd = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = 0.1});
    train::Trainer trainer(model, std::move(sgd), train::cross_entropy_loss(), options);
    trainer.fit(loader);
  }
  const std::vector<std::string> jsonl = lines_of(read_all(dir / "metrics.jsonl"));
  const std::vector<std::string> csv = lines_of(read_all(dir / "metrics.csv"));
  ASSERT_EQ(csv.size(), jsonl.size() + 1);
  EXPECT_EQ(csv[0],
            "type,epoch,step,loss,lr,train_loss,train_accuracy,val_loss,val_accuracy,seconds,"
            "samples_per_second,loss_scale,skipped_steps,update_ratio.0.weight,"
            "update_ratio.0.bias,update_ratio.2.weight,update_ratio.2.bias,update_ratio.4.weight,"
            "update_ratio.4.bias");
  EXPECT_THAT(csv[1], ::testing::StartsWith("step,1,2,"));
  EXPECT_THAT(jsonl[0], HasSubstr("\"step\":2"));
  EXPECT_THAT(csv[2], ::testing::StartsWith("epoch,1,3,,0.1,"));  // lr column, no step loss
  EXPECT_THAT(jsonl[1], HasSubstr("\"type\":\"epoch\",\"epoch\":1,\"step\":3,"));
  for (const std::string& row : csv)
    EXPECT_EQ(std::count(row.begin(), row.end(), ','), std::count(csv[0].begin(), csv[0].end(), ','));

  std::vector<Event> events = events_in(dir / "tensorboard");
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].file_version, "brain.Event:2");
  std::map<std::string, std::vector<int64_t>> steps;
  for (const Event& e : events)
    if (!e.tag.empty()) steps[e.tag].push_back(e.step);
  EXPECT_EQ(steps["step/loss"], (std::vector<int64_t>{2, 4, 6}));
  EXPECT_EQ(steps["epoch/train_loss"], (std::vector<int64_t>{3, 6}));
  EXPECT_EQ(steps["epoch/lr"], (std::vector<int64_t>{3, 6}));
  EXPECT_EQ(steps["weights/0.weight"], (std::vector<int64_t>{3, 6}));
  EXPECT_EQ(steps["update_ratio/2.weight"].size(), 2u);
  EXPECT_EQ(steps.count("epoch/val_loss"), 0u) << "no validation set: NaN is not written";
  for (const Event& e : events) {
    if (e.tag == "epoch/lr") EXPECT_FLOAT_EQ(*e.scalar, 0.1f);
    if (e.tag == "weights/0.weight") {
      EXPECT_EQ(e.histo->f64(3), 8.0);  // num: Linear(2, 4).weight
      EXPECT_EQ(e.histo->one(6).size(), 30u * 8);  // 30 packed bucket limits
    }
  }

  // Resume at the end (step 6) and go on for a third epoch: a second file, START at step 7.
  options.epochs = 3;
  auto again = train_test::spiral_mlp(4);
  auto sgd = std::make_unique<optim::SGD>(again->parameters(), optim::SGDOptions{.lr = 0.1});
  train::Trainer resumed(again, std::move(sgd), train::cross_entropy_loss(), options);
  ASSERT_TRUE(resumed.resume());
  resumed.fit(loader);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "tensorboard"), fs::directory_iterator()), 2);
  events = events_in(dir / "tensorboard");
  int starts = 0;
  for (const Event& e : events)
    if (e.session_start) {
      ++starts;
      EXPECT_EQ(e.step, 7);
    }
  EXPECT_EQ(starts, 1);
  EXPECT_EQ(lines_of(read_all(dir / "metrics.csv")).size(),
            lines_of(read_all(dir / "metrics.jsonl")).size() + 1);
}

}  // namespace
