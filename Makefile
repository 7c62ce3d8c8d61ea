# libvgic top-level entry points.  `make check` and `make demo` work on a fresh
# Debian 12 machine as root: they install what is missing, configure, build
# and run.  Everything else is CMake underneath (build directories below).

BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_GEN  := -G Ninja

.PHONY: all deps build check check-asan check-tsan demo bench clean format difftest

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

check: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole suite with clang + ASan + UBSan (what CI runs too).
check-asan: deps
	CC=clang cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug \
	  -DVGIC_SANITIZE=asan-ubsan -DVGIC_BUILD_BENCH=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && VGIC_SANITIZED=1 ctest --output-on-failure -j $(JOBS)

# The concurrency tests (label "concurrency") under ThreadSanitizer.
check-tsan: deps
	CC=clang cmake -S . -B $(TSAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug \
	  -DVGIC_SANITIZE=tsan -DVGIC_BUILD_BENCH=OFF
	cmake --build $(TSAN_BUILD) -j $(JOBS)
	cd $(TSAN_BUILD) && VGIC_SANITIZED=1 ctest --output-on-failure -L concurrency

demo: build
	@if [ -x $(BUILD)/examples/vmm/vgic-vmm ] && [ -f scripts/demo.sh ]; then \
	  scripts/demo.sh $(BUILD); \
	else \
	  $(BUILD)/examples/demo/vgic-demo; \
	fi

# Differential tests against QEMU: the fixed scenarios and SEEDS random ones
# (`make check` runs the fixed set and seeds 1..200).
SEEDS ?= 1000
difftest: build
	$(BUILD)/tests/differential/vgic-difftest $$($(BUILD)/tests/differential/vgic-difftest --list)
	$(BUILD)/tests/differential/vgic-difftest --seeds 1 $(SEEDS)

bench: build
	@for b in $(BUILD)/bench/bench-*; do [ -x "$$b" ] && "$$b"; done

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# libFuzzer targets (clang), FUZZ_SECONDS each; see fuzz/run.sh for knobs.
FUZZ_SECONDS ?= 60
.PHONY: fuzz fuzz-coverage
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh

# src/ line coverage reached by replaying the fuzz corpora (llvm-cov).
fuzz-coverage: deps
	fuzz/coverage.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
