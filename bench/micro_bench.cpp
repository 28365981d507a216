// Micro-benchmarks of the hot paths of one scan: classifying a file from its first bytes,
// resolving a path with symlinks through the confined Vfs, walking an in-memory tree, and one
// crypt(3) trial per hash scheme (what the default-password check pays per candidate).
//
// Run: build/dev/fwcert_bench   (Google Benchmark; --benchmark_filter=REGEX to choose)

#include <benchmark/benchmark.h>
#include <crypt.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "inventory/inventory.hpp"
#include "vfs/memory_vfs.hpp"

namespace {

using namespace fwcert;

void BM_ClassifyElfHead(benchmark::State& state) {
  std::vector<std::byte> head(2048);
  std::memcpy(head.data(),
              "\x7f"
              "ELF\x02\x01\x01",
              7);
  for (auto _ : state) benchmark::DoNotOptimize(inventory::classify(head, "busybox", 1 << 20));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 2048);
}
BENCHMARK(BM_ClassifyElfHead);

void BM_ClassifyTextHead(benchmark::State& state) {
  std::string text;
  while (text.size() < 2048) text += "root:x:0:0:root:/root:/bin/sh\n";
  text.resize(2048);
  auto head = std::as_bytes(std::span<const char>(text.data(), text.size()));
  for (auto _ : state) benchmark::DoNotOptimize(inventory::classify(head, "passwd", 4096));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 2048);
}
BENCHMARK(BM_ClassifyTextHead);

std::shared_ptr<vfs::MemoryVfs> make_tree(int dirs, int files_per_dir) {
  auto mem = std::make_shared<vfs::MemoryVfs>();
  for (int d = 0; d < dirs; ++d) {
    for (int f = 0; f < files_per_dir; ++f) {
      (void)mem->add_file("/usr/lib/d" + std::to_string(d) + "/f" + std::to_string(f), "#!/bin/sh\n");
    }
  }
  (void)mem->add_symlink("/lib", "usr/lib");
  (void)mem->add_symlink("/usr/lib/d0/link", "../d1/f0");
  return mem;
}

void BM_ResolveThroughSymlinks(benchmark::State& state) {
  auto mem = make_tree(4, 4);
  for (auto _ : state) benchmark::DoNotOptimize(mem->resolve("/lib/d0/link"));
}
BENCHMARK(BM_ResolveThroughSymlinks);

void BM_WalkMemoryTree(benchmark::State& state) {
  auto mem = make_tree(static_cast<int>(state.range(0)), 100);
  for (auto _ : state) {
    inventory::Inventory inv;
    std::vector<Diagnostic> diags;
    inv.add_filesystem({"", "memory", 0, "", 0, mem});
    inv.walk(0, diags);
    inv.finish();
    benchmark::DoNotOptimize(inv.summary().files);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0) * 100);
}
BENCHMARK(BM_WalkMemoryTree)->Arg(10)->Arg(100);

void BM_CryptTrial(benchmark::State& state, const char* setting) {
  crypt_data data{};
  for (auto _ : state) benchmark::DoNotOptimize(crypt_r("admin", setting, &data));
}
BENCHMARK_CAPTURE(BM_CryptTrial, des, "ab");
BENCHMARK_CAPTURE(BM_CryptTrial, md5, "$1$saltsalt$");
BENCHMARK_CAPTURE(BM_CryptTrial, sha512_5000, "$6$saltsalt$");
BENCHMARK_CAPTURE(BM_CryptTrial, yescrypt, "$y$j9T$saltsaltsaltsalt$");

}  // namespace

BENCHMARK_MAIN();
