// A data set of image files sorted into one folder per class, as torchvision's ImageFolder and
// Keras' image_dataset_from_directory read them:
//
//   photos/cat/001.jpg  photos/cat/002.png  photos/dog/a.jpg  ...
//
//   data::ImageFolderOptions options{.height = 64, .width = 64, .channels = 3};
//   data::Dataset pets = data::read_image_folder("photos", options);   // classes: cat, dog
#pragma once
#pragma GCC visibility push(default)

#include <string>

#include "nabla/data/dataset.hpp"

namespace nabla::data {

struct ImageFolderOptions {
  int64_t height = 0, width = 0;  // 0: the first image's size (then every image must share it)
  int64_t channels = 0;           // 1 or 3; 0: the first image's
  bool skip_bad_files = false;    // skip unreadable images (counted) instead of failing
  // The class folders to expect, in label order (a test split must use the training split's);
  // empty: the sub-folders found, sorted by name.
  std::vector<std::string> classes;
};

struct ImageFolderResult {
  Dataset data;          // inputs [N, C, H, W] in [0, 1]; class_names the folder names
  int64_t skipped = 0;   // bad files skipped (skip_bad_files)
};

// Reads <dir>/<class>/<image> for every class folder (files .png, .jpg, .jpeg, any case, in
// name order, recursively below the class folder), decoded, converted to `channels` and
// bilinearly resized to height x width. An Error names the folder or the file at fault.
ImageFolderResult read_image_folder(const std::string& dir, const ImageFolderOptions& options = {});

}  // namespace nabla::data

#pragma GCC visibility pop
