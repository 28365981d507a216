#pragma once
// What a configured value or a path means to the analyzers that look for secrets in
// configuration (secrets, avs, tls): a placeholder is not a secret, a key in documentation or a
// test fixture is published material.

#include <string_view>

namespace fwcert::evidence {

/// True when a configured value is a placeholder rather than a secret: empty, quotes only,
/// masked (****, xxxx), a variable or template (${X}, $X, %X%, {{x}}, <x>), or a word such as
/// "example", "changeme-here", "your_password", "none", "null".
bool is_placeholder(std::string_view value);

/// True for documentation, example and test-fixture locations (/usr/share/doc, man pages,
/// .../test/, .../tests/, .../examples/), where a key is published material, not a secret.
bool is_documentation_path(std::string_view path);

}  // namespace fwcert::evidence
