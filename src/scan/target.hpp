#pragma once
// Turning a host path into the filesystems of a target, walked into one inventory.

#include <memory>
#include <string>

#include "fwcert/report.hpp"
#include "fwcert/scan.hpp"
#include "inventory/inventory.hpp"
#include "vfs/vfs.hpp"

namespace fwcert::scanning {

/// Opens `target` (directory, image, archive or raw blob), opens images nested one level
/// inside it, walks everything, and fills `info` (format, filesystems, diagnostics, partial).
/// Fails only when nothing in the target can be read.
Result<std::unique_ptr<inventory::Inventory>> open_target(const std::string& target, const ScanOptions& options,
                                                          TargetInfo& info);

/// Walks a Vfs the caller built as the root filesystem of a target of type `format` (opening
/// the images nested in it, as open_target does), for tests and embedders.
Result<std::unique_ptr<inventory::Inventory>> open_vfs(std::shared_ptr<vfs::Vfs> root, const std::string& format,
                                                       const ScanOptions& options, TargetInfo& info);

}  // namespace fwcert::scanning
