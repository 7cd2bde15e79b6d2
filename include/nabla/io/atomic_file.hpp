// Files that appear whole or not at all: written under a temporary name in the same directory
// ("<path>.tmp.<pid>.<n>", unique per process and call), flushed to disk (fsync), then renamed
// over the target, and the directory synced. A failure at any point removes the temporary, so a
// crash or a full disk never leaves a partial file, and a reader sees the old file or the new.
//
//   io::write_file_atomically("run/model.safetensors",
//                             [&](std::ostream& out) { out << bytes; }, "save_safetensors");
//
// Errors name `what`, the path and the system's reason (strerror); a missing directory is named
// as such.
#pragma once
#pragma GCC visibility push(default)

#include <cstddef>
#include <functional>
#include <ostream>
#include <string>

namespace nabla::io {

// Calls write(stream) and publishes the result at `path` atomically; any Error or failed write
// leaves `path` as it was and no temporary behind. `what` names the writer in errors
// ("save_safetensors").
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write,
                           const std::string& what);

// The same for a ready string of bytes.
void write_file_atomically(const std::string& path, const std::string& bytes,
                           const std::string& what);

// Removes the temporaries that writers killed mid-write (SIGKILL, power loss) left in `dir` and
// its subdirectories: "<path>.tmp.<pid>.<n>" files whose process no longer exists. A live
// writer's temporary, this process's and any other file are kept. Returns how many went.
size_t remove_stale_temporaries(const std::string& dir);

// The whole file, or an Error naming it and what failed.
std::string read_file(const std::string& path, const std::string& what);

}  // namespace nabla::io

#pragma GCC visibility pop
