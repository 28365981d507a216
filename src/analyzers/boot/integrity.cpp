// The kernel's integrity options and Android Verified Boot.

#include "analyzers/boot/common.hpp"

namespace fwcert::analyzers::boot {

void check_integrity(const Context&, const Collected&, Output&) {}

}  // namespace fwcert::analyzers::boot
