#include "nabla/data/image_folder.hpp"

#include <algorithm>
#include <filesystem>

#include "nabla/data/augment_ops.hpp"
#include "nabla/data/image.hpp"
#include "nabla/ops.hpp"

namespace nabla::data {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> class_folders(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> image_files(const std::string& folder) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(folder))
    if (entry.is_regular_file() && has_image_extension(entry.path().string()))
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

ImageFolderResult read_image_folder(const std::string& dir, const ImageFolderOptions& options) {
  NABLA_CHECK(fs::is_directory(dir), "read_image_folder: '", dir, "' is not a directory; give the "
              "folder that holds one sub-folder of images per class");
  NABLA_CHECK(options.channels == 0 || options.channels == 1 || options.channels == 3,
              "read_image_folder: channels must be 0 (the images'), 1 or 3, got ", options.channels);
  NABLA_CHECK((options.height == 0) == (options.width == 0) && options.height >= 0 &&
                  options.width >= 0,
              "read_image_folder: give both height and width (or neither), got ", options.height,
              " x ", options.width);
  const std::vector<std::string> found = class_folders(dir);
  const std::vector<std::string> classes = options.classes.empty() ? found : options.classes;
  NABLA_CHECK(!classes.empty(), "read_image_folder: '", dir, "' has no sub-folders; put each "
              "class's images in a folder named after it (", dir, "/cat/1.jpg, ", dir, "/dog/...)");
  NABLA_CHECK(static_cast<int64_t>(classes.size()) <= kMaxClasses, "read_image_folder: '", dir,
              "' has ", classes.size(), " class folders; at most ", kMaxClasses);
  for (const std::string& name : found)
    NABLA_CHECK(std::find(classes.begin(), classes.end(), name) != classes.end(),
                "read_image_folder: '", dir, "/", name, "' is a class folder the training split "
                "does not have (its classes: ", classes.front(), ", ...); every split needs the "
                "same class folders");

  ImageFolderResult result;
  std::vector<Tensor> images;
  std::vector<int64_t> labels;
  int64_t channels = options.channels, height = options.height, width = options.width;
  for (size_t label = 0; label < classes.size(); ++label) {
    const std::string folder = dir + "/" + classes[label];
    if (!fs::is_directory(folder)) continue;  // a class absent from this split
    for (const std::string& file : image_files(folder)) {
      Tensor image;
      try {
        image = read_image(file);
      } catch (const Error&) {
        if (!options.skip_bad_files) throw;
        ++result.skipped;
        continue;
      }
      if (channels == 0) channels = image.size(0);
      if (height == 0) height = image.size(1), width = image.size(2);
      NABLA_CHECK(options.height != 0 || (image.size(1) == height && image.size(2) == width),
                  "read_image_folder: '", file, "' is ", image.size(2), " x ", image.size(1),
                  " pixels but the first image was ", width, " x ", height, "; set an image size "
                  "(data.image_size = [H, W]) to resize them all");
      images.push_back(resize(to_channels(image, channels), height, width).unsqueeze(0));
      labels.push_back(static_cast<int64_t>(label));
    }
  }
  NABLA_CHECK(!images.empty(), "read_image_folder: no readable .png, .jpg or .jpeg file in the "
              "class folders of '", dir, "'");
  result.data = make_dataset(cat(images, 0), from_vector(labels, {static_cast<int64_t>(labels.size())}),
                             static_cast<int64_t>(classes.size()), "read_image_folder('" + dir + "')");
  result.data.class_names = classes;
  return result;
}

}  // namespace nabla::data
