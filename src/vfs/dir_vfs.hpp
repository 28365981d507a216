#pragma once
// A directory on the host as a target: an extracted rootfs, or "/" for the live host.

#include <memory>
#include <string>

#include "vfs/vfs.hpp"

namespace fwcert::vfs {

struct DirOptions {
  /// Do not list directories on another filesystem than the root (proc, sys, dev, other mounts).
  bool one_file_system = true;
};

/// Opens `host_dir` as a confined Vfs. Every access goes through a directory fd held on the
/// root with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, so nothing outside the root is reachable.
Result<std::unique_ptr<Vfs>> open_directory(const std::string& host_dir, DirOptions options = {});

}  // namespace fwcert::vfs
