#include "evidence/values.hpp"

#include <string>

#include "core/text.hpp"

namespace fwcert::evidence {

bool is_placeholder(std::string_view value) {
  std::string v = text::lower(value);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.pop_back();
  if (v.empty() || v == "\"\"" || v == "''") return true;
  if (v.find_first_not_of("*x.#-_?") == std::string::npos) return true;
  if (v.front() == '$' || v.front() == '<' || v.front() == '%' || v.starts_with("{{") || v.starts_with("@"))
    return true;
  for (std::string_view w : {"example", "placeholder", "your_", "your-", "yourpassword", "<", "replace", "dummy",
                             "redacted", "xxxx", "****"}) {
    if (v.find(w) != std::string::npos) return true;
  }
  for (std::string_view w : {"none", "null", "nil", "true", "false", "yes", "no", "password", "secret", "passwd",
                             "string", "value", "token", "required", "optional", "prompt", "ask", "env", "file"}) {
    if (v == w) return true;
  }
  return false;
}

bool is_documentation_path(std::string_view path) {
  for (std::string_view p : {"/usr/share/doc/", "/usr/share/man/", "/usr/share/info/", "/usr/share/gtk-doc/",
                             "/usr/share/help/", "/usr/local/share/doc/", "/usr/local/share/man/"}) {
    if (path.starts_with(p)) return true;
  }
  for (std::string_view p : {"/test/", "/tests/", "/testdata/", "/test-data/", "/test_data/", "/testing/", "/examples/",
                             "/example/", "/certdata/", "/unittests/"}) {
    if (path.find(p) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace fwcert::evidence
