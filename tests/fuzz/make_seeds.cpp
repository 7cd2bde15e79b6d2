// Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/): a few small valid
// inputs per reader, made by nabla's own writers where it has one, so the fuzzers start from
// files that get past the first checks. Deterministic: running it again rewrites the same bytes.
//
//   build/fuzz/tests/fuzz/nabla_fuzz_seeds tests/fuzz/corpus
#include <turbojpeg.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "nabla/data/idx.hpp"
#include "nabla/data/image.hpp"
#include "nabla/io/checkpoint.hpp"
#include "nabla/io/safetensors.hpp"
#include "nabla/data/npy.hpp"
#include "nabla/nn/functional/loss.hpp"
#include "nabla/nn/linear.hpp"
#include "nabla/optim/adam.hpp"
#include "nabla/random.hpp"

using namespace nabla;
using namespace std::string_literals;
namespace fs = std::filesystem;

namespace {

fs::path g_root;

fs::path seed_path(const std::string& target, const std::string& name) {
  fs::create_directories(g_root / target);
  return g_root / target / name;
}

void write_bytes(const std::string& target, const std::string& name, const std::string& bytes) {
  std::ofstream out(seed_path(target, name), std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  NABLA_CHECK(out.good(), "cannot write seed ", target, "/", name);
}

std::string big_endian32(uint32_t value) {
  return {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
          static_cast<char>(value >> 8), static_cast<char>(value)};
}

// An IDX header: magic (0, 0, type, rank) and the dims.
std::string idx_header(unsigned char type, const std::vector<uint32_t>& dims) {
  std::string out = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (const uint32_t dim : dims) out += big_endian32(dim);
  return out;
}

void write_gzip(const std::string& target, const std::string& name, const std::string& bytes) {
  // Level 9 with a fixed (zero) modification time: the same bytes on every run.
  gzFile file = gzopen(seed_path(target, name).c_str(), "wb9");
  NABLA_CHECK(file != nullptr, "cannot write seed ", target, "/", name);
  gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  NABLA_CHECK(gzclose(file) == Z_OK, "cannot write seed ", target, "/", name);
}

void idx_seeds() {
  data::write_idx_u8(seed_path("idx", "u8_images_3x2x2").string(),
                     from_vector<float>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255}, {3, 2, 2}));
  const std::string labels = idx_header(0x08, {4}) + std::string("\x00\x01\x09\x02", 4);
  write_bytes("idx", "u8_labels_4", labels);
  write_gzip("idx", "u8_labels_4.gz", labels);
  write_bytes("idx", "i8_2", idx_header(0x09, {2}) + "\x7f\x80");
  write_bytes("idx", "i16_2", idx_header(0x0B, {2}) + std::string("\x01\x00\xff\xfe", 4));
  write_bytes("idx", "i32_2x1", idx_header(0x0C, {2, 1}) + big_endian32(7) + big_endian32(0xffffffff));
  write_bytes("idx", "f32_2", idx_header(0x0D, {2}) + big_endian32(0x3f800000) + big_endian32(0x40490fdb));
  write_bytes("idx", "f64_1", idx_header(0x0E, {1}) + big_endian32(0x40000000) + big_endian32(0));
}

void csv_seeds() {
  write_bytes("csv", "header_last_label.csv", "x1,x2,label\n0.5,1.5,0\n-2,3e-1,1\n4,5,2\n");
  write_bytes("csv", "no_header_first_label.csv", "1;0.25;0.75\n0;1.5;-1\n");
  write_bytes("csv", "header_crlf.csv", "a,b,c,class\r\n1,2,3,1\r\n4,5,6,0\r\n");
  // RFC 4180 quoting (a delimiter, a doubled quote and a line break inside fields), string
  // labels, several numeric columns for the regression and multi-label reads.
  write_bytes("csv", "quoted_string_labels.csv",
              "\"w, cm\",\"h \"\"x\"\"\",kind\n1.5,\"2\",\"iris\nsetosa\"\n3,4,virginica\n");
  write_bytes("csv", "targets_01.csv", "y,a,b,tag\n2.5,0.5,1,1\n-1,2,3,0\n0,1,,1\n");
}

void npy_seeds() {
  const auto save = [](const std::string& name, const Tensor& tensor) {
    data::write_npy(seed_path("npy", name).string(), tensor);
  };
  save("f32_2x3.npy", from_vector(std::vector<float>{1.5f, -2, 3, 4, 5, 6}, {2, 3}));
  save("f64_vector.npy", from_vector(std::vector<double>{0.25, -1e300}));
  save("i64_labels.npy", from_vector(std::vector<int64_t>{0, 3, 1, -7}));
  save("f32_scalar.npy", from_vector(std::vector<float>{2.0f}).reshape({}));
  // Big-endian uint16 in Fortran order, version 2.0 (a 4-byte header length).
  std::string header = "{'descr': '>u2', 'fortran_order': True, 'shape': (2, 2), }";
  while ((12 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  const auto size = static_cast<uint32_t>(header.size());
  std::string bytes = "\x93NUMPY\x02"s + '\0';
  for (int shift = 0; shift < 32; shift += 8) bytes += static_cast<char>((size >> shift) & 0xff);
  bytes += header + std::string("\x00\x01\x00\x02\x01\x00\xff\xff", 8);
  write_bytes("npy", "u2_big_fortran_v2.npy", bytes);
}

void cifar_seeds() {
  // One record each: CIFAR-10 <label><3072 pixels>, CIFAR-100 <coarse><fine><3072 pixels>.
  std::string pixels(3072, '\0');
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<char>(i * 7 % 256);
  write_bytes("cifar", "cifar10_1_record.bin", std::string(1, '\x03') + pixels);
  write_bytes("cifar", "cifar100_1_record.bin", std::string("\x02\x31", 2) + pixels);
}

// A JPEG of 4 x 3 pixels, gray (1 channel) or RGB (3), the way TurboJPEG writes them.
std::string tiny_jpeg(int channels) {
  std::vector<unsigned char> pixels(static_cast<size_t>(4 * 3 * channels));
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<unsigned char>(i * 37 % 256);
  tjhandle handle = tjInitCompress();
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  const int result = tjCompress2(handle, pixels.data(), 4, 0, 3,
                                 channels == 1 ? TJPF_GRAY : TJPF_RGB, &buffer, &size,
                                 channels == 1 ? TJSAMP_GRAY : TJSAMP_420, 75, 0);
  std::string bytes = result == 0 ? std::string(reinterpret_cast<char*>(buffer), size) : "";
  tjFree(buffer);
  tjDestroy(handle);
  NABLA_CHECK(!bytes.empty(), "TurboJPEG could not write the JPEG seed");
  return bytes;
}

void image_seeds() {
  data::write_png(seed_path("image", "gray_3x2.png").string(),
                  from_vector<float>({0, 0.25f, 0.5f, 0.75f, 1, 0.1f}, {1, 3, 2}));
  data::write_png(seed_path("image", "rgb_2x2.png").string(),
                  from_vector<float>({1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1}, {3, 2, 2}));
  write_bytes("image", "gray_4x3.jpg", tiny_jpeg(1));
  write_bytes("image", "rgb_4x3.jpg", tiny_jpeg(3));
}

void config_seeds(const fs::path& examples) {
  for (const char* name : {"spiral.toml", "fashion_mnist_mlp.toml", "fashion_mnist_cnn_bn.toml"})
    fs::copy_file(examples / name, seed_path("config", name), fs::copy_options::overwrite_existing);
  // Text, then NUL-separated --set overrides (fuzz_config.cpp).
  write_bytes("config", "overrides.toml",
              "[data]\ndataset = \"csv\"\npath = \"data.csv\"\nsplit = [0.5, 0.25, 0.25]\n"
              "[[preprocess.steps]]\nkind = \"standardize\"\n"
              "\0train.epochs=3\0optimizer.lr=0.05\0data.header=false"s);
}

// A Linear(2, 2) after one Adam step under StepLR: every part of a checkpoint has content.
io::Checkpoint tiny_checkpoint() {
  manual_seed(1);
  nn::Linear model(2, 2);
  optim::Adam adam(model.parameters(), optim::AdamOptions{.lr = 0.01});
  optim::StepLR steps(adam, /*step_size=*/2, /*gamma=*/0.5);
  adam.zero_grad();
  nn::functional::mse_loss(model(from_vector<float>({0.5f, -1.0f}, {1, 2})),
                           from_vector<float>({1.0f, 0.0f}, {1, 2}))
      .backward();
  adam.step();
  steps.step();
  io::Checkpoint checkpoint;
  checkpoint.model = model.state_dict();
  checkpoint.optimizer = adam.state_dict();
  checkpoint.scheduler = steps.state_dict();
  checkpoint.generator = generator_state();
  checkpoint.extra = {{"stats.mean", from_vector<double>({0.1, 1.0 / 3}, {2})}};
  checkpoint.text = {{"trainer", R"({"epoch": 3, "batch": 17})"}};
  return checkpoint;
}

void safetensors_and_checkpoint_seeds(const fs::path& fixtures) {
  io::save_safetensors(seed_path("safetensors", "f32_i64_metadata.safetensors").string(),
                       {{"weight", from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3})},
                        {"index", from_vector<int64_t>({-1, 7}, {2})}},
                       {{"format", "pt"}, {"num_classes", "10"}});
  io::save_safetensors(seed_path("safetensors", "f64_bool_empty.safetensors").string(),
                       {{"scalar", from_vector<double>({0.1}, {})},
                        {"mask", from_vector<bool>({true, false, true}, {3})},
                        {"empty", zeros({0, 4})}});
  // Written by PyTorch (tools/golden): half precision, PyTorch's key order and padding.
  fs::copy_file(fixtures / "torch_state.safetensors",
                seed_path("safetensors", "torch_state.safetensors"),
                fs::copy_options::overwrite_existing);

  io::save_checkpoint(seed_path("checkpoint", "linear_adam_steplr.safetensors").string(),
                      tiny_checkpoint());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: nabla_fuzz_seeds CORPUS_DIR   (tests/fuzz/corpus)\n";
    return 2;
  }
  try {
    g_root = argv[1];
    const fs::path source = fs::path(NABLA_SOURCE_DIR);
    idx_seeds();
    csv_seeds();
    npy_seeds();
    cifar_seeds();
    image_seeds();
    config_seeds(source / "examples");
    safetensors_and_checkpoint_seeds(source / "tests" / "fixtures");
  } catch (const std::exception& error) {
    std::cerr << "nabla_fuzz_seeds: " << error.what() << "\n";
    return 1;
  }
  std::cout << "seeds written under " << g_root.string() << "\n";
  return 0;
}
