#include "vfs/open.hpp"

namespace fwcert::vfs {

Result<std::shared_ptr<Vfs>> open_squashfs(ByteSourcePtr src, std::vector<Diagnostic>&, bool&) {
  return make_error(ErrorCode::kUnsupported, "squashfs images are not supported yet", src->describe());
}

}  // namespace fwcert::vfs
