#pragma once
// The evidence of one scan that more than one analyzer judges, each piece computed on first
// use and then shared: the content pass over every file, the kernel evidence, the AVS SDK
// configurations, the account databases and the services of each filesystem, the software
// components. Thread-safe: analyzers run in parallel and whichever asks first computes a piece
// while the others wait for it.

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "core/parallel.hpp"
#include "evidence/accounts.hpp"
#include "evidence/components.hpp"
#include "evidence/content.hpp"
#include "evidence/kernel.hpp"
#include "evidence/sdk_config.hpp"
#include "evidence/services/services.hpp"
#include "inventory/inventory.hpp"

namespace fwcert::evidence {

class Evidence {
 public:
  /// `pool` runs the content pass; it must outlive this object.
  Evidence(const inventory::Inventory& inv, parallel::Pool& pool);
  ~Evidence();
  Evidence(const Evidence&) = delete;
  Evidence& operator=(const Evidence&) = delete;

  const inventory::Inventory& inventory() const { return inv_; }
  parallel::Pool& pool() const { return pool_; }

  /// The one content pass of the scan (evidence/content.hpp).
  const content::PassResult& content();
  /// Kernel configurations, versions and command lines (evidence/kernel.hpp).
  const KernelEvidence& kernel();
  /// The AVS SDK configuration files, parsed (evidence/sdk_config.hpp).
  const SdkConfigs& sdk_configs();
  /// The account databases of filesystem `fs` of the inventory.
  const AccountFiles& accounts(std::uint32_t fs);
  /// The services filesystem `fs` configures (evidence/services/services.hpp); empty for a
  /// filesystem with no Vfs.
  const services::ServiceList& services(std::uint32_t fs);
  /// The software components of every filesystem and the files they own (evidence/components.hpp).
  const ComponentSet& components();

 private:
  template <typename T>
  struct Lazy {
    std::once_flag once;
    T value;
  };
  const inventory::Inventory& inv_;
  parallel::Pool& pool_;
  Lazy<content::PassResult> content_;
  Lazy<KernelEvidence> kernel_;
  Lazy<SdkConfigs> sdk_;
  Lazy<ComponentSet> components_;
  std::vector<std::unique_ptr<Lazy<AccountFiles>>> accounts_;           ///< one per filesystem
  std::vector<std::unique_ptr<Lazy<services::ServiceList>>> services_;  ///< one per filesystem
};

}  // namespace fwcert::evidence
