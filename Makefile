# The two commands of the README: `make run` and `make test`. Everything else is a step of theirs.
.PHONY: all bootstrap build run test test-release test-sanitize fuzz-smoke bench format clean

BUILD      ?= build
ASAN_BUILD ?= build-asan
ARGS       ?=
# Unity builds (16 sources a translation unit) parse the heavy headers (DuckDB, nlohmann, gtest,
# fmt) a sixteenth as often: the two builds are most of `make test` on two cores.
UNITY      ?= -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16

all: build

bootstrap:
	@scripts/bootstrap

$(BUILD)/build.ninja: CMakeLists.txt | bootstrap
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(UNITY)

build: bootstrap $(BUILD)/build.ninja
	cmake --build $(BUILD)

run: build
	$(BUILD)/shoplake up $(ARGS)

# Every tier: the release build's unit and integration tests, then the unit tests and the fuzz
# targets under AddressSanitizer + UBSan (clang).
test: test-release test-sanitize fuzz-smoke

# Two tests at a time: most wait on servers, sockets and fsync, so two cores run two of them.
test-release: build
	cd $(BUILD) && ctest --output-on-failure --timeout 600 -j2

# -O1 with line tables only: sanitizer reports keep file:line, and the build is the longest step
# of `make test` on two cores (-O1 runs the tests as fast as -O2 here). The sanitizer tier builds
# the components, their unit tests and the fuzzers, not the executable: its integration tests run
# in the release tier, which keeps `make test` inside 20 minutes on two cores.
$(ASAN_BUILD)/build.ninja: CMakeLists.txt | bootstrap
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
	  -DCMAKE_CXX_COMPILER=clang++ -DSHOPLAKE_SANITIZE=ON -DSHOPLAKE_FUZZ=ON -DSHOPLAKE_BENCH=OFF \
	  -DSHOPLAKE_CLI=OFF $(UNITY)

test-sanitize: bootstrap $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure --timeout 900 -j2

fuzz-smoke: test-sanitize
	scripts/fuzz-smoke $(ASAN_BUILD)

bench: build
	scripts/run-benchmarks $(BUILD)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
