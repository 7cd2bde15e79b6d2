// io::write_file_atomically and io::read_file (src/io/atomic_file.cpp): the target appears whole
// or not at all, a failing writer leaves the old file and no temporary, errors name the path.
#include "nabla/io/atomic_file.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "io/io_test_util.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

TEST(AtomicFile, WritesAndReplacesWholeFiles) {
  ScratchDir scratch;
  const std::string path = scratch.path("out.bin");
  io::write_file_atomically(path, std::string("first version"), "test");
  EXPECT_EQ(io::read_file(path, "test"), "first version");
  io::write_file_atomically(path, std::string("second"), "test");
  EXPECT_EQ(io::read_file(path, "test"), "second");
  EXPECT_EQ(scratch.entries(), std::vector<std::string>{"out.bin"});  // no temporary left
}

TEST(AtomicFile, StreamsLargeAndSmallPiecesAndEmptyFiles) {
  ScratchDir scratch;
  const std::string path = scratch.path("big.bin");
  std::string expected;
  for (int i = 0; i < 300000; ++i) expected.push_back(static_cast<char>(i * 7 % 251));
  io::write_file_atomically(
      path,
      [&](std::ostream& out) {
        out << expected.substr(0, 10);  // buffered
        out.write(expected.data() + 10, 200000);  // larger than the buffer: written directly
        for (size_t i = 200010; i < expected.size(); ++i) out.put(expected[i]);
      },
      "test");
  EXPECT_EQ(io::read_file(path, "test"), expected);

  const std::string empty = scratch.path("empty.bin");
  io::write_file_atomically(empty, std::string(), "test");
  EXPECT_EQ(io::read_file(empty, "test"), "");
}

TEST(AtomicFile, ThrowingWriterLeavesTargetAndNoTemporary) {
  ScratchDir scratch;
  const std::string path = scratch.path("keep.bin");
  io::write_file_atomically(path, std::string("original"), "test");
  EXPECT_TRUE(throws_error_containing(
      [&] {
        io::write_file_atomically(
            path,
            [](std::ostream& out) {
              out << std::string(100000, 'x');  // part of the new content reached the disk
              NABLA_FAIL("writer gave up");
            },
            "test");
      },
      {"writer gave up"}));
  EXPECT_EQ(io::read_file(path, "test"), "original");
  EXPECT_EQ(scratch.entries(), std::vector<std::string>{"keep.bin"});

  // Exceptions that are not nabla::Error pass through unchanged, with the same cleanup.
  EXPECT_THROW(io::write_file_atomically(
                   path, [](std::ostream&) { throw std::logic_error("other"); }, "test"),
               std::logic_error);
  EXPECT_EQ(io::read_file(path, "test"), "original");
  EXPECT_EQ(scratch.entries(), std::vector<std::string>{"keep.bin"});
}

TEST(AtomicFile, StaleTemporariesOfDeadWritersAreRemoved) {
  ScratchDir scratch;
  // A process id that is certainly dead: a child that has exited and been reaped.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ::waitpid(child, nullptr, 0);
  const std::string dead = std::to_string(child), live = std::to_string(::getppid());
  std::filesystem::create_directories(scratch.path("checkpoint"));
  for (const std::string& name : std::vector<std::string>{"model.safetensors", "checkpoint/last.safetensors.tmp." + dead + ".3",
        "config.toml.tmp." + dead + ".0", "config.toml.tmp." + live + ".0",
        "config.toml.tmp." + std::to_string(::getpid()) + ".7", "notes.tmp.txt",
        "x.tmp." + dead})
    io::write_file_atomically(scratch.path(name), std::string("bytes"), "test");
  EXPECT_EQ(io::remove_stale_temporaries(scratch.dir().string()), 2u);
  std::vector<std::string> kept = {"checkpoint", "config.toml.tmp." + live + ".0",
                                   "config.toml.tmp." + std::to_string(::getpid()) + ".7",
                                   "model.safetensors", "notes.tmp.txt", "x.tmp." + dead};
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(scratch.entries(), kept);
  EXPECT_FALSE(std::filesystem::exists(scratch.path("checkpoint/last.safetensors.tmp." + dead + ".3")));
  EXPECT_EQ(io::remove_stale_temporaries(scratch.path("absent")), 0u);
}

TEST(AtomicFile, MissingDirectoryIsNamed) {
  ScratchDir scratch;
  const std::string dir = scratch.path("no_such_dir");
  EXPECT_TRUE(throws_error_containing(
      [&] { io::write_file_atomically(dir + "/file.bin", std::string("x"), "save_thing"); },
      {"save_thing", dir, "does not exist"}));
  EXPECT_TRUE(scratch.entries().empty());
}

TEST(AtomicFile, RenameOntoDirectoryFailsCleanly) {
  ScratchDir scratch;
  const std::string path = scratch.path("taken");
  std::filesystem::create_directory(path);
  EXPECT_TRUE(throws_error_containing(
      [&] { io::write_file_atomically(path, std::string("x"), "test"); },
      {"test", "cannot rename", path}));
  EXPECT_EQ(scratch.entries(), std::vector<std::string>{"taken"});
}

TEST(AtomicFile, BareFileNameWritesIntoWorkingDirectory) {
  ScratchDir scratch;
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(scratch.dir());
  io::write_file_atomically("plain.txt", std::string("here"), "test");
  std::filesystem::current_path(previous);
  EXPECT_EQ(io::read_file(scratch.path("plain.txt"), "test"), "here");
}

TEST(AtomicFile, ReadErrorsNameThePath) {
  ScratchDir scratch;
  const std::string missing = scratch.path("missing.bin");
  EXPECT_TRUE(throws_error_containing([&] { io::read_file(missing, "load_thing"); },
                                      {"load_thing", missing, "No such file"}));
  EXPECT_TRUE(throws_error_containing([&] { io::read_file(scratch.dir().string(), "load_thing"); },
                                      {"load_thing", scratch.dir().string()}));
}
