// TensorBoard event files: TFRecord framing, CRC-32C and the few protobuf fields of
// tensorflow.Event that scalars and histograms need (tensorboard.hpp says why by hand).
#include "tensorboard.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <unistd.h>

#include "nabla/autograd.hpp"
#include "nabla/error.hpp"

namespace nabla::train::detail {

namespace {

namespace fs = std::filesystem;

std::array<uint32_t, 256> crc32c_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (crc & 1 ? 0x82F63B78u : 0u);  // reflected
    table[i] = crc;
  }
  return table;
}

// Protobuf wire format: a key is (field << 3 | wire type); 0 varint, 1 fixed64, 2 length-delimited,
// 5 fixed32. Little-endian fixed-width values, as x86 and protobuf agree.
void varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}
template <class T>
void fixed(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}
void key(std::string& out, int field, int wire) { varint(out, static_cast<uint64_t>(field << 3 | wire)); }
void field_double(std::string& out, int field, double value) { key(out, field, 1), fixed(out, value); }
void field_float(std::string& out, int field, float value) { key(out, field, 5), fixed(out, value); }
void field_varint(std::string& out, int field, uint64_t value) { key(out, field, 0), varint(out, value); }
void field_bytes(std::string& out, int field, const std::string& bytes) {
  key(out, field, 2);
  varint(out, bytes.size());
  out += bytes;
}
void field_packed(std::string& out, int field, const std::vector<double>& values) {
  std::string packed;
  for (double v : values) fixed(packed, v);
  field_bytes(out, field, packed);
}

// tensorflow.Event: wall_time 1 (double), step 2 (int64), file_version 3 (string), summary 5
// (Summary), session_log 7 (SessionLog).
std::string event_head(double wall_time, int64_t step) {
  std::string event;
  field_double(event, 1, wall_time);
  if (step != 0) field_varint(event, 2, static_cast<uint64_t>(step));
  return event;
}

// Summary { repeated Value value = 1 }; Value { tag 1, simple_value 2 (float), histo 5 }.
std::string summary_with(const std::string& tag, const std::string& value_fields) {
  std::string value;
  field_bytes(value, 1, tag);
  value += value_fields;
  std::string summary;
  field_bytes(summary, 1, value);
  return summary;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

uint32_t crc32c(const void* data, size_t size) {
  static const std::array<uint32_t, 256> table = crc32c_table();
  const auto* bytes = static_cast<const unsigned char*>(data);
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ bytes[i]) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

uint32_t masked_crc32c(const void* data, size_t size) {
  const uint32_t crc = crc32c(data, size);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

std::string tfrecord(const std::string& data) {
  std::string record;
  const uint64_t length = data.size();
  fixed(record, length);
  fixed(record, masked_crc32c(record.data(), sizeof length));
  record += data;
  fixed(record, masked_crc32c(data.data(), data.size()));
  return record;
}

std::string event_file_version(double wall_time) {
  std::string event = event_head(wall_time, 0);
  field_bytes(event, 3, "brain.Event:2");
  return event;
}

std::string event_scalar(double wall_time, int64_t step, const std::string& tag, double value) {
  std::string simple;
  field_float(simple, 2, static_cast<float>(value));
  std::string event = event_head(wall_time, step);
  field_bytes(event, 5, summary_with(tag, simple));
  return event;
}

// HistogramProto: min 1, max 2, num 3, sum 4, sum_squares 5 (doubles), bucket_limit 6 and
// bucket 7 (packed doubles).
std::string event_histogram_record(double wall_time, int64_t step, const std::string& tag,
                                   const EventHistogram& h) {
  std::string histo;
  field_double(histo, 1, h.min);
  field_double(histo, 2, h.max);
  field_double(histo, 3, h.num);
  field_double(histo, 4, h.sum);
  field_double(histo, 5, h.sum_squares);
  field_packed(histo, 6, h.bucket_limit);
  field_packed(histo, 7, h.bucket);
  std::string value;
  field_bytes(value, 5, histo);
  std::string event = event_head(wall_time, step);
  field_bytes(event, 5, summary_with(tag, value));
  return event;
}

// SessionLog { status 1 (enum; START = 1) }.
std::string event_session_start(double wall_time, int64_t step) {
  std::string session;
  field_varint(session, 1, 1);
  std::string event = event_head(wall_time, step);
  field_bytes(event, 7, session);
  return event;
}

EventHistogram event_histogram(const Tensor& values, int64_t buckets) {
  NABLA_CHECK(buckets >= 1, "event_histogram: buckets must be >= 1, got ", buckets);
  autograd::NoGradGuard no_grad;
  const Tensor host = values.detach().to(Device::CPU).to(DType::f64).contiguous();
  const double* v = host.data<double>();
  EventHistogram h;
  h.min = std::numeric_limits<double>::infinity();
  h.max = -h.min;
  for (int64_t i = 0; i < host.numel(); ++i) {
    if (!std::isfinite(v[i])) continue;
    h.min = std::min(h.min, v[i]), h.max = std::max(h.max, v[i]);
    h.num += 1, h.sum += v[i], h.sum_squares += v[i] * v[i];
  }
  if (h.num == 0) return EventHistogram{};
  const double width = h.max > h.min ? (h.max - h.min) / buckets : 1.0;
  h.bucket.assign(buckets, 0.0);
  for (int64_t b = 0; b < buckets; ++b) h.bucket_limit.push_back(h.min + width * (b + 1));
  h.bucket_limit.back() = std::max(h.max, h.bucket_limit.back());
  // Bucket i holds (limit[i-1], limit[i]]; the minimum goes in the first.
  for (int64_t i = 0; i < host.numel(); ++i)
    if (std::isfinite(v[i])) {
      const auto index = static_cast<int64_t>(std::ceil((v[i] - h.min) / width)) - 1;
      h.bucket[std::clamp<int64_t>(index, 0, buckets - 1)] += 1;
    }
  return h;
}

void EventWriter::open(const std::string& dir, int64_t resumed_at_step) {
  std::error_code error;
  fs::create_directories(dir, error);
  NABLA_CHECK(!error, "tensorboard: cannot create ", dir, ": ", error.message(),
              "; check the run directory is writable");
  const double now = now_seconds();
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  // TensorBoard reads the files of a directory in name order: the timestamp first, then a count
  // that keeps two files of the same second apart.
  const std::string stem = (fs::path(dir) / ("events.out.tfevents." +
                                             std::to_string(static_cast<int64_t>(now)))).string();
  path_ = stem + "." + host;
  for (int n = 1; fs::exists(path_); ++n) path_ = stem + "." + host + "." + std::to_string(n);
  out_.open(path_, std::ios::binary | std::ios::trunc);
  NABLA_CHECK(out_.is_open(), "tensorboard: cannot open ", path_, " for writing; check the run "
              "directory is writable");
  write(event_file_version(now));
  if (resumed_at_step > 0) write(event_session_start(now, resumed_at_step + 1));
}

void EventWriter::write(const std::string& event) {
  if (!out_.is_open()) return;
  out_ << tfrecord(event);
  NABLA_CHECK(out_.good(), "tensorboard: writing ", path_, " failed (disk full?)");
}

void EventWriter::scalar(int64_t step, const std::string& tag, double value) {
  if (std::isfinite(value)) write(event_scalar(now_seconds(), step, tag, value));
}

void EventWriter::histogram(int64_t step, const std::string& tag, const Tensor& values) {
  const EventHistogram h = event_histogram(values);
  if (h.num > 0) write(event_histogram_record(now_seconds(), step, tag, h));
}

void EventWriter::flush() {
  if (out_.is_open()) out_.flush();
}

}  // namespace nabla::train::detail
