#include "vfs/open.hpp"

namespace fwcert::vfs {

Result<std::shared_ptr<Vfs>> open_archive(ByteSourcePtr src, std::vector<Diagnostic>&, bool&) {
  return make_error(ErrorCode::kUnsupported, "archive images are not supported yet", src->describe());
}

}  // namespace fwcert::vfs
