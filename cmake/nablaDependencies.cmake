# The libraries libnabla links, found the same way by nabla's own build and by a consumer's
# find_package(nabla) (this file is installed beside nablaConfig.cmake).
#
# OpenBLAS and oneDNN are found by their files rather than by package config files:
# - OpenBLAS must be Debian's OpenMP build (libopenblas-openmp-dev), so its threads and nabla's
#   are one pool. Debian's alternatives point the default libopenblas.so at the pthread build,
#   so the OpenMP one is named by its folder and every program linking it gets that folder as
#   its run path.
# - libpng and TurboJPEG (image files: src/data/image_io.cpp) have no CMake package of their own
#   in Debian that a consumer could rely on; their files are as easy to find.
# - Debian builds oneDNN with an OpenCL GPU engine, and its dnnl-config.cmake demands the OpenCL
#   headers (ocl-icd-opencl-dev, only "recommended" by libdnnl-dev) although nabla uses the CPU
#   engine alone. Linking libdnnl.so directly needs nothing nabla does not use.
include_guard(GLOBAL)

if(NOT TARGET nabla_dep::openblas)
  find_library(NABLA_OPENBLAS_LIBRARY NAMES openblas
               PATHS /usr/lib/x86_64-linux-gnu/openblas-openmp
                     /usr/lib/aarch64-linux-gnu/openblas-openmp
               NO_DEFAULT_PATH)
  find_path(NABLA_OPENBLAS_INCLUDE_DIR NAMES cblas.h
            PATHS /usr/include/x86_64-linux-gnu/openblas-openmp
                  /usr/include/aarch64-linux-gnu/openblas-openmp
            NO_DEFAULT_PATH)
  if(NOT NABLA_OPENBLAS_LIBRARY OR NOT NABLA_OPENBLAS_INCLUDE_DIR)
    message(FATAL_ERROR "nabla: OpenBLAS (OpenMP build) not found: run nabla's "
                        "scripts/install-deps.sh, or apt-get install libopenblas-openmp-dev")
  endif()
  get_filename_component(_nabla_openblas_dir "${NABLA_OPENBLAS_LIBRARY}" DIRECTORY)
  add_library(nabla_dep::openblas UNKNOWN IMPORTED)
  set_target_properties(nabla_dep::openblas PROPERTIES
    IMPORTED_LOCATION "${NABLA_OPENBLAS_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${NABLA_OPENBLAS_INCLUDE_DIR}"
    INTERFACE_LINK_OPTIONS "LINKER:-rpath,${_nabla_openblas_dir}")
endif()

if(NABLA_ONEDNN AND NOT TARGET nabla_dep::dnnl)
  find_library(NABLA_DNNL_LIBRARY NAMES dnnl)
  find_path(NABLA_DNNL_INCLUDE_DIR NAMES oneapi/dnnl/dnnl.hpp)
  if(NOT NABLA_DNNL_LIBRARY OR NOT NABLA_DNNL_INCLUDE_DIR)
    message(FATAL_ERROR "nabla: oneDNN not found: run nabla's scripts/install-deps.sh (apt-get "
                        "install libdnnl-dev), or configure nabla with -DNABLA_ONEDNN=OFF for "
                        "im2col + OpenBLAS")
  endif()
  add_library(nabla_dep::dnnl UNKNOWN IMPORTED)
  set_target_properties(nabla_dep::dnnl PROPERTIES
    IMPORTED_LOCATION "${NABLA_DNNL_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${NABLA_DNNL_INCLUDE_DIR}")
endif()

# Image decoding and encoding: libpng (libpng-dev) and libjpeg-turbo's TurboJPEG API
# (libturbojpeg0-dev); CSV records: libcsv (libcsv-dev, src/data/csv.cpp).
foreach(_nabla_image_lib IN ITEMS png turbojpeg csv)
  if(NOT TARGET nabla_dep::${_nabla_image_lib})
    string(TOUPPER ${_nabla_image_lib} _nabla_upper)
    find_library(NABLA_${_nabla_upper}_LIBRARY NAMES ${_nabla_image_lib})
    find_path(NABLA_${_nabla_upper}_INCLUDE_DIR NAMES ${_nabla_image_lib}.h)
    if(NOT NABLA_${_nabla_upper}_LIBRARY OR NOT NABLA_${_nabla_upper}_INCLUDE_DIR)
      message(FATAL_ERROR "nabla: ${_nabla_image_lib} not found: run nabla's "
                          "scripts/install-deps.sh (apt-get install libpng-dev libturbojpeg0-dev libcsv-dev)")
    endif()
    add_library(nabla_dep::${_nabla_image_lib} UNKNOWN IMPORTED)
    set_target_properties(nabla_dep::${_nabla_image_lib} PROPERTIES
      IMPORTED_LOCATION "${NABLA_${_nabla_upper}_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${NABLA_${_nabla_upper}_INCLUDE_DIR}")
  endif()
endforeach()
