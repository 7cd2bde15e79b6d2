# `cmake --install`: headers, libnabla, the nabla command, a CMake package (find_package(nabla)
# gives nabla::nabla) and a pkg-config file; `cpack -G DEB` wraps the same files in a .deb.
include(CMakePackageConfigHelpers)

set(NABLA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/nabla)
install(TARGETS nabla EXPORT nablaTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/nabla DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(NABLA_BUILD_CLI)
  install(TARGETS nabla_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(EXPORT nablaTargets NAMESPACE nabla:: DESTINATION ${NABLA_CMAKE_DIR})
configure_package_config_file(cmake/nablaConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/nablaConfig.cmake INSTALL_DESTINATION ${NABLA_CMAKE_DIR})
# Before 1.0 the API may change between minor versions.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/nablaConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/nablaConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/nablaConfigVersion.cmake
              cmake/nablaDependencies.cmake
        DESTINATION ${NABLA_CMAKE_DIR})

# pkg-config: a static libnabla needs its dependencies on the consumer's link line, a shared one
# carries them itself.
get_filename_component(_nabla_openblas_dir "${NABLA_OPENBLAS_LIBRARY}" DIRECTORY)
set(NABLA_PC_DEPENDENCY_LIBS
    "-L${_nabla_openblas_dir} -Wl,-rpath,${_nabla_openblas_dir} -lopenblas -lz -ltomlplusplus -lpng -lturbojpeg -lcsv")
if(NABLA_ONEDNN)
  string(APPEND NABLA_PC_DEPENDENCY_LIBS " -ldnnl")
endif()
if(BUILD_SHARED_LIBS)
  set(NABLA_PC_LIBS "-L\${libdir} -lnabla -fopenmp")
  set(NABLA_PC_LIBS_PRIVATE "${NABLA_PC_DEPENDENCY_LIBS}")
else()
  set(NABLA_PC_LIBS "-L\${libdir} -lnabla -fopenmp ${NABLA_PC_DEPENDENCY_LIBS}")
  set(NABLA_PC_LIBS_PRIVATE "")
endif()
# Relative to the .pc file, so `cmake --install --prefix DIR` gives a file that points into DIR.
file(RELATIVE_PATH NABLA_PC_PREFIX_FROM_PCFILEDIR "/_/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/_")
configure_file(cmake/nabla.pc.in ${CMAKE_CURRENT_BINARY_DIR}/nabla.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/nabla.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

if(PROJECT_IS_TOP_LEVEL)
  set(CPACK_PACKAGE_NAME nabla)
  set(CPACK_PACKAGE_VENDOR "nabla developers")
  set(CPACK_PACKAGE_CONTACT "nabla developers <nabla@localhost>")
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
      "C++20 deep-learning framework: library, headers, CMake package and the nabla command")
  set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
  # The package installs where the build was configured to (the `package` preset: /usr).
  set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
  # A development package: linking libnabla needs the -dev packages of what it links (they bring
  # the run-time libraries); a C++20 compiler with OpenMP comes with g++.
  set(_nabla_deb_depends "libopenblas-openmp-dev, libtomlplusplus-dev, zlib1g-dev, libpng-dev, libturbojpeg0-dev, libcsv-dev, libgomp1, libstdc++6 (>= 12)")
  if(NABLA_ONEDNN)
    string(APPEND _nabla_deb_depends ", libdnnl-dev")
  endif()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "${_nabla_deb_depends}")
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "g++ (>= 4:12), cmake (>= 3.25), pkg-config")
  set(CPACK_DEBIAN_PACKAGE_SUGGESTS "dataset-fashion-mnist")
  set(CPACK_GENERATOR DEB)
  include(CPack)
endif()
