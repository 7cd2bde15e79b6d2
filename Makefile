# make demo                 install dependencies, build `nabla`, train LeNet-5 on Fashion-MNIST
# make test                 install dependencies, build (release preset), run the test suite
# make test PRESET=asan     the same under AddressSanitizer + UBSan (also: debug)
# make bench                build and run the benchmarks against OpenBLAS, memcpy and PyTorch
# make build / make clean
PRESET ?= release
JOBS ?= $(shell nproc)

.PHONY: deps build test bench clean demo

deps:
	@scripts/install-deps.sh

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

demo: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS) --target nabla_cli
	@build/$(PRESET)/tools/nabla/nabla train examples/fashion_mnist_lenet.toml --out runs/fashion_mnist_lenet

test: build
	@ctest --preset $(PRESET) -j $(JOBS)

bench:
	@scripts/install-deps.sh bench
	@cmake --preset bench >/dev/null
	@cmake --build --preset bench -j $(JOBS)
	@bench/run.sh

clean:
	rm -rf build
