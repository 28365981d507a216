#pragma once
// crypto-hw-engine and crypto-hw-rng: hardware crypto engines, CPU crypto extensions and
// hardware random number generators, from the kernel configuration (CONFIG_CRYPTO_DEV_*,
// CPU extension options, CONFIG_HW_RANDOM_*), the modules shipped under /lib/modules, and
// rngd. Without a kernel configuration both are inconclusive.

#include <span>
#include <string>
#include <string_view>

#include "analyzers/analyzer.hpp"
#include "formats/kernel/kernel.hpp"

namespace fwcert::analyzers::kernel {

using namespace formats::kernel;

/// A kernel option that provides a hardware implementation, and what it accelerates.
struct CryptoOption {
  std::string_view option;                     ///< without CONFIG_
  std::string_view kind;                       ///< "cpu extension" or "engine"
  bool aes = false, sha2 = false, pk = false;  ///< AES, SHA-2, RSA/ECC offload
};
/// The options fwcert knows the algorithms of (listed in docs/os-currency.md).
std::span<const CryptoOption> crypto_options();

void check_crypto(const Context& ctx, const KernelConfig* config, const std::string& config_path, Output& out);

}  // namespace fwcert::analyzers::kernel
