# make demo                 install dependencies, build `nabla`, train LeNet-5 on Fashion-MNIST
# make test                 install dependencies, build (release preset), run the test suite;
#                           then, where /usr/local/cuda/bin/nvcc exists, build the cuda preset's
#                           library and CUDA tests and run them (they skip without a GPU)
# make test PRESET=asan     the same under AddressSanitizer + UBSan (also: debug)
# make sanitize             the whole suite built by clang with ASan + UBSan (the fuzz preset),
#                           the fuzz targets' seeds and past findings replayed as tests
# make fuzz                 fuzz every reader FUZZ_SECONDS (default 30) each, after replaying
#                           its seeds and findings; FUZZ_TARGETS="idx csv" picks some
# make tsan                 the data loader and tune runner tests under ThreadSanitizer
# make valgrind             one short `nabla train` of the release build under valgrind memcheck
# make bench                build and run the benchmarks against OpenBLAS, memcpy and PyTorch
# make package              build the .deb (headers, libnabla, CMake package, the nabla command)
# make fresh-check          prove a new Debian 12 root sets nabla up (scripts/fresh-machine-check.sh)
# make build / make clean
PRESET ?= release
JOBS ?= $(shell nproc)
# ccache, where installed: the cuda build then reuses the CPU build's objects for every file that
# does not differ between them (most of libnabla), so `make test` pays mainly for the CUDA
# sources. `make test CCACHE=` configures a fresh build directory without it.
CCACHE ?= $(shell command -v ccache 2>/dev/null)
CXX_LAUNCHER = $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE))
CUDA_LAUNCHER = $(if $(CCACHE),-DCMAKE_CUDA_COMPILER_LAUNCHER=$(CCACHE))

FUZZ_SECONDS ?= 30
FUZZ_TARGETS ?=

.PHONY: deps build test test-cuda bench clean demo package fresh-check sanitize fuzz tsan valgrind

deps:
	@scripts/install-deps.sh

build: deps
	@cmake --preset $(PRESET) $(CXX_LAUNCHER) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

demo: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS) --target nabla_cli
	@build/$(PRESET)/tools/nabla/nabla train examples/fashion_mnist_lenet.toml --out runs/fashion_mnist_lenet --overwrite

test: build
	@ctest --preset $(PRESET) -j $(JOBS)
	@$(MAKE) --no-print-directory test-cuda

# Only `nabla` and `nabla_cuda_tests`: the point is that GPU code keeps compiling and linking.
test-cuda:
	@if [ -x /usr/local/cuda/bin/nvcc ]; then \
	  cmake --preset cuda $(CXX_LAUNCHER) $(CUDA_LAUNCHER) >/dev/null && \
	  cmake --build --preset cuda -j $(JOBS) --target nabla nabla_cuda_tests && \
	  build/cuda/tests/nabla_cuda_tests; \
	else \
	  echo "make test: no /usr/local/cuda/bin/nvcc, the CUDA build is skipped"; \
	fi

sanitize: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)
	@ctest --preset fuzz -j $(JOBS)

fuzz: deps
	@scripts/fuzz-check.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

tsan: deps
	@scripts/tsan-check.sh

valgrind: build
	@scripts/valgrind-check.sh build/$(PRESET)/tools/nabla/nabla

bench:
	@scripts/install-deps.sh bench
	@cmake --preset bench >/dev/null
	@cmake --build --preset bench -j $(JOBS)
	@bench/run.sh

package: deps
	@cmake --preset package $(CXX_LAUNCHER) >/dev/null
	@cmake --build --preset package -j $(JOBS)
	@cd build/package && cpack -G DEB

fresh-check:
	@scripts/fresh-machine-check.sh

clean:
	rm -rf build
