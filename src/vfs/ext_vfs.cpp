#include "vfs/open.hpp"

namespace fwcert::vfs {

Result<std::shared_ptr<Vfs>> open_ext(ByteSourcePtr src, std::vector<Diagnostic>&, bool&) {
  return make_error(ErrorCode::kUnsupported, "ext images are not supported yet", src->describe());
}

}  // namespace fwcert::vfs
