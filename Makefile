# The two commands of the README, plus the benchmark. Each installs the missing Debian packages
# (scripts/install-deps.sh), configures once, builds incrementally and runs.
PRESET ?= release
BUILD := build/$(PRESET)
JOBS ?= $(shell nproc)

.PHONY: demo test bench build deps deps-bench sanitizers format lint clean

demo: build
	$(BUILD)/src/vigil demo

test: build
	ctest --preset $(PRESET) -j $(JOBS)

bench: deps-bench build
	scripts/bench.sh --no-build

build: deps $(BUILD)/build.ninja
	cmake --build --preset $(PRESET) -j $(JOBS)

$(BUILD)/build.ninja:
	cmake --preset $(PRESET)

deps:
	@scripts/install-deps.sh

deps-bench:
	@scripts/install-deps.sh --bench

# What .ci/run does after `make test`: the suite under ASan+UBSan, then under TSan.
sanitizers:
	$(MAKE) test PRESET=asan
	$(MAKE) test PRESET=tsan

# Style: clang-format rewrites in place; clang-tidy (.clang-tidy) reads the debug preset's
# compile_commands.json, the one preset that compiles file by file (the others batch sources: unity).
SOURCES = $(shell git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp')
format:
	clang-format -i $(SOURCES)

lint:
	$(MAKE) build PRESET=debug
	clang-tidy -p build/debug --quiet $(filter %.cpp,$(SOURCES))

clean:
	rm -rf build
