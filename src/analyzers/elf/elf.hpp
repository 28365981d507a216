#pragma once
// ELF hardening: every ELF of every filesystem, parsed in parallel with formats::elf.
// Checks bin-exploit-mitigations, bin-release-build and input-unsafe-calls; records facts
// (type, machine, RELRO, canary, NX, PIE, RPATH/RUNPATH, FORTIFY, CET/BTI/PAC, risky imports,
// kernel module signature) for `fwcert facts --analyzer elf`.

#include <span>
#include <string_view>

#include "analyzers/analyzer.hpp"

namespace fwcert::analyzers::elf {

/// Check ids this analyzer emits.
std::span<const std::string_view> checks();

/// Runs every ELF check over the inventory's ELF files.
Output run(const Context& ctx);

}  // namespace fwcert::analyzers::elf
