#include "evidence/evidence.hpp"

namespace fwcert::evidence {

Evidence::Evidence(const inventory::Inventory& inv, parallel::Pool& pool) : inv_(inv), pool_(pool) {
  for (std::size_t i = 0; i < inv.filesystems().size(); ++i) {
    accounts_.push_back(std::make_unique<Lazy<AccountFiles>>());
    services_.push_back(std::make_unique<Lazy<services::ServiceList>>());
  }
}

Evidence::~Evidence() = default;

const content::PassResult& Evidence::content() {
  std::call_once(content_.once, [&] { content_.value = content::run_pass(inv_, pool_); });
  return content_.value;
}

const KernelEvidence& Evidence::kernel() {
  std::call_once(kernel_.once, [&] { kernel_.value = collect_kernel(inv_); });
  return kernel_.value;
}

const SdkConfigs& Evidence::sdk_configs() {
  std::call_once(sdk_.once, [&] { sdk_.value = find_sdk_configs(inv_); });
  return sdk_.value;
}

const AccountFiles& Evidence::accounts(std::uint32_t fs) {
  auto& slot = *accounts_.at(fs);
  std::call_once(slot.once, [&] { slot.value = read_account_files(inv_.vfs(fs)); });
  return slot.value;
}

const services::ServiceList& Evidence::services(std::uint32_t fs) {
  auto& slot = *services_.at(fs);
  std::call_once(slot.once, [&] {
    if (inv_.filesystems().at(fs).vfs) slot.value.services = services::collect(inv_, fs, slot.value.diagnostics, this);
  });
  return slot.value;
}

const ComponentSet& Evidence::components() {
  std::call_once(components_.once, [&] { components_.value = collect_components(inv_, *this); });
  return components_.value;
}

}  // namespace fwcert::evidence
