#pragma once
// The report's components as an SPDX 2.3 JSON document (docs/sbom.md): one package for the
// firmware, which the document DESCRIBES and which CONTAINS one package per component.
// Reproducible: the namespace is derived from the content, `created` is the assessment day.

#include <string>

#include "fwcert/report.hpp"

namespace fwcert::report {

/// The report's components as SPDX 2.3 JSON.
std::string to_spdx(const Report& report);

/// An SPDX element id for `ref`: "SPDXRef-" then the ref with every byte outside letters,
/// digits, '.' and '-' written as '-' and a short hash of the ref, so different refs never meet.
std::string spdx_id(std::string_view ref);

}  // namespace fwcert::report
