#pragma once
// Declared network services: the list of listeners a product needs, each with a reason,
// given by the user (`--services FILE`, or the `network_services` list of the product
// manifest). net-listeners fails every network-facing service started at boot that is not on
// the list. The format is documented in docs/services.md.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fwcert/result.hpp"

namespace YAML {
class Node;
}

namespace fwcert::assess {

struct DeclaredService {
  std::string name;                   ///< unit, service or program name ("sshd", "dropbear.service")
  std::optional<std::uint16_t> port;  ///< the port it listens on, when declared
  std::string protocol;               ///< tcp, udp or "" (either)
  std::string reason;                 ///< why the product needs it (required, non-empty)
  std::size_t line = 0;               ///< line in the declaring file
};

/// Parses a `network_services` list (a YAML sequence of mappings). `file` names the source in
/// errors, which carry file:line:column.
Result<std::vector<DeclaredService>> parse_declared_services(const YAML::Node& list, const std::string& file);

/// Reads a declared-services file from the host: a YAML mapping whose `network_services` key
/// holds the list (so a product manifest can be passed as it is). Size-bounded.
Result<std::vector<DeclaredService>> load_declared_services(const std::string& path);

/// The name a service is declared under matches when it equals the service's name, its
/// name without a ".service"/".socket" suffix, or the file name of its program.
bool declared_name_matches(const DeclaredService& d, const std::string& service_name, const std::string& program);

}  // namespace fwcert::assess
