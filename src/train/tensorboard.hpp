// TensorBoard event files (train.tensorboard = true): run_dir/tensorboard/events.out.tfevents.*,
// which `tensorboard --logdir run_dir` and TensorBoard's EventAccumulator read.
//
// Format: a sequence of TFRecords, each
//   uint64 length (little-endian), uint32 masked_crc32c(length bytes), length bytes of data,
//   uint32 masked_crc32c(data)
// with masked_crc32c(x) = ((crc >> 15) | (crc << 17)) + 0xa282ead8 (CRC-32C, Castagnoli), around
// tensorflow.Event protobuf messages: the first holds file_version "brain.Event:2", the others a
// Summary of scalars (simple_value) or histograms (HistogramProto), or a SessionLog START.
//
// The protobuf messages are encoded by hand (tensorboard.cpp): nabla writes five message types and
// a dozen scalar fields of them, which a varint / fixed64 / length-delimited encoder of ~40 lines
// covers, where libprotobuf would add protoc to the build, a generated-code step, and a shared
// library to libnabla's link and the .deb's Depends for that. CRC-32C is a 256-entry table:
// Debian 12 packages no CRC-32C C library (libcrc32c-dev arrives after bookworm).
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "nabla/tensor.hpp"

namespace nabla::train::detail {

// CRC-32C of `size` bytes (crc32c("123456789") == 0xE3069283), and TFRecord's masked form.
uint32_t crc32c(const void* data, size_t size);
uint32_t masked_crc32c(const void* data, size_t size);

// What a histogram event holds (TensorBoard's HistogramProto): bucket i counts the values in
// (bucket_limit[i-1], bucket_limit[i]].
struct EventHistogram {
  double min = 0, max = 0, num = 0, sum = 0, sum_squares = 0;
  std::vector<double> bucket_limit, bucket;
};
// 30 equal-width buckets over [min, max] of the finite elements of a floating tensor.
EventHistogram event_histogram(const Tensor& values, int64_t buckets = 30);

// The encoded records, for the writer and the tests.
std::string tfrecord(const std::string& data);
std::string event_file_version(double wall_time);
std::string event_scalar(double wall_time, int64_t step, const std::string& tag, double value);
std::string event_histogram_record(double wall_time, int64_t step, const std::string& tag,
                                   const EventHistogram& histogram);
std::string event_session_start(double wall_time, int64_t step);

class EventWriter {
 public:
  bool is_open() const { return out_.is_open(); }
  // Starts a new events file in `dir` (created if needed) with its file_version record. A
  // resumed run (resumed_at_step > 0) writes a new file whose SessionLog START at
  // resumed_at_step + 1 makes TensorBoard drop what an interrupted run logged after its
  // checkpoint (steps from there on), as after a TensorFlow restart.
  void open(const std::string& dir, int64_t resumed_at_step);
  void scalar(int64_t step, const std::string& tag, double value);  // NaN: skipped
  void histogram(int64_t step, const std::string& tag, const Tensor& values);
  void flush();

 private:
  void write(const std::string& event);
  std::string path_;
  std::ofstream out_;
};

}  // namespace nabla::train::detail
