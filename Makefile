# fwcert: the two set-up commands of the README are `make demo` and `make test`.
# Each installs what is missing (scripts/install-deps.sh), then builds with CMake presets.

.PHONY: all deb deps build demo test sanitize fuzz bench docs format format-check clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	cmake --preset dev
	cmake --build --preset dev

# Builds the demo firmware (a squashfs with planted weaknesses), scans it, writes
# out/demo/report.json and out/demo/report.html (open it in a browser) and prints the summary.
# Findings are expected: exit 1 is success here.
demo: build
	bash examples/demo-firmware/build.sh build/dev out/demo
	@./build/dev/fwcert scan out/demo/firmware.squashfs --format json -o out/demo/report.json; \
	  rc=$$?; if [ $$rc -gt 1 ]; then exit $$rc; fi; \
	  ./build/dev/fwcert scan out/demo/firmware.squashfs --format html -o out/demo/report.html >/dev/null; \
	  rc=$$?; if [ $$rc -gt 1 ]; then exit $$rc; fi; \
	  echo; echo "JSON report written to out/demo/report.json, HTML report to out/demo/report.html"

test: build
	ctest --preset dev

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer (clang 14).
sanitize: deps
	cmake --preset asan
	cmake --build --preset asan
	ctest --preset asan

# libFuzzer binaries (clang 14); run one with e.g. build/fuzz/accounts_fuzzer fuzz/corpus/accounts
fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz
	ctest --preset fuzz

bench: build
	bash bench/run.sh

# Regenerates the check reference from the catalog and the kernel rule reference from the rule
# data (tests fail when either is stale).
docs: build
	./build/dev/fwcert checks --format markdown > docs/checks.md
	./build/dev/fwcert data rules --format markdown > docs/kernel-rules.md

FORMAT_FILES = $(shell git ls-files '*.cpp' '*.hpp')

# Formats every C++ file with the committed .clang-format; CI runs format-check.
format: deps
	clang-format-14 -i $(FORMAT_FILES)

format-check: deps
	clang-format-14 --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf build out

# The Debian package (release build, no tests): ../fwcert_<version>_<arch>.deb, copied to out/deb/.
deb: deps
	dpkg-buildpackage -b -uc -us
	mkdir -p out/deb
	mv ../fwcert_*.deb ../fwcert-dbgsym_*.deb ../fwcert_*.buildinfo ../fwcert_*.changes out/deb/
	-lintian out/deb/fwcert_*.deb
