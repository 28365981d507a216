#include "report/spdx/spdx_writer.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/sha256.hpp"
#include "sbom/describe.hpp"

namespace fwcert::report {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kTargetId = "SPDXRef-firmware";

/// licenseDeclared: the database's text when it is an SPDX id or expression; NOASSERTION when
/// it is not (a free-form name would need a LicenseRef and its text, which the image lacks).
std::string spdx_license(const std::string& license) {
  auto form = sbom::license_form(license);
  return form == sbom::LicenseForm::kSpdxId || form == sbom::LicenseForm::kSpdxExpression ? license : "NOASSERTION";
}

std::string purpose(const Component& c) {
  const auto type = sbom::component_type(c);
  if (type == "operating-system") return "OPERATING-SYSTEM";
  if (type == "application") return "APPLICATION";
  return "LIBRARY";
}

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return name.empty() ? path : name;
}

Json package_json(const Component& c) {
  Json p;
  p["SPDXID"] = spdx_id(c.ref);
  p["name"] = c.name;
  if (!c.version.empty()) p["versionInfo"] = c.version;
  if (!c.supplier.empty()) p["supplier"] = "Organization: " + c.supplier;
  p["downloadLocation"] = "NOASSERTION";
  p["filesAnalyzed"] = false;
  p["licenseConcluded"] = "NOASSERTION";
  p["licenseDeclared"] = spdx_license(c.license);
  if (!c.license.empty() && p["licenseDeclared"] == "NOASSERTION") {
    p["licenseComments"] = "recorded by the package database as: " + c.license;
  }
  p["copyrightText"] = "NOASSERTION";
  if (!c.source_name.empty()) {
    p["sourceInfo"] = "built from source package " + c.source_name +
                      (c.source_version.empty() ? std::string() : " " + c.source_version);
  }
  p["primaryPackagePurpose"] = purpose(c);
  std::string comment = "found by " + c.found_by + " in " + c.evidence.path;
  if (c.evidence.line) comment += fmt::format(":{}", *c.evidence.line);
  if (c.evidence.offset) comment += fmt::format(" offset {:#x}", *c.evidence.offset);
  if (!c.files.empty()) comment += fmt::format("; owns {} files", c.files.size());
  p["comment"] = comment;
  Json refs = Json::array();
  if (!c.purl.empty()) {
    refs.push_back(
        Json{{"referenceCategory", "PACKAGE-MANAGER"}, {"referenceType", "purl"}, {"referenceLocator", c.purl}});
  }
  if (!c.cpe.empty()) {
    refs.push_back(
        Json{{"referenceCategory", "SECURITY"}, {"referenceType", "cpe23Type"}, {"referenceLocator", c.cpe}});
  }
  if (!refs.empty()) p["externalRefs"] = std::move(refs);
  return p;
}

}  // namespace

std::string spdx_id(std::string_view ref) {
  std::string id = "SPDXRef-";
  for (char c : ref) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    id.push_back(ok ? c : '-');
  }
  return id + "-" + sha256_hex(ref).substr(0, 8);
}

std::string to_spdx(const Report& r) {
  const auto& prod = r.metadata.product;
  const std::string target_name = !prod.product.empty() ? prod.product : base_name(r.target.path);

  Json firmware;
  firmware["SPDXID"] = kTargetId;
  firmware["name"] = target_name;
  if (!prod.firmware_version.empty()) firmware["versionInfo"] = prod.firmware_version;
  firmware["downloadLocation"] = "NOASSERTION";
  firmware["filesAnalyzed"] = false;
  if (!r.metadata.target_sha256.empty()) {
    firmware["checksums"] = Json::array({Json{{"algorithm", "SHA256"}, {"checksumValue", r.metadata.target_sha256}}});
  }
  firmware["licenseConcluded"] = "NOASSERTION";
  firmware["licenseDeclared"] = "NOASSERTION";
  firmware["copyrightText"] = "NOASSERTION";
  firmware["primaryPackagePurpose"] = "FIRMWARE";
  firmware["comment"] = fmt::format("target {} ({})", r.target.path, r.target.format);

  Json packages = Json::array({std::move(firmware)});
  Json relationships = Json::array({Json{
      {"spdxElementId", "SPDXRef-DOCUMENT"}, {"relationshipType", "DESCRIBES"}, {"relatedSpdxElement", kTargetId}}});
  for (const auto& c : r.components) {
    packages.push_back(package_json(c));
    relationships.push_back(
        Json{{"spdxElementId", kTargetId}, {"relationshipType", "CONTAINS"}, {"relatedSpdxElement", spdx_id(c.ref)}});
  }

  Json body;
  body["creationInfo"] =
      Json{{"created",
            r.metadata.assessment_date.empty() ? "1970-01-01T00:00:00Z" : r.metadata.assessment_date + "T00:00:00Z"},
           {"creators", Json::array({"Tool: " + r.tool.name + "-" + (r.tool.version.empty() ? "0" : r.tool.version)})}};
  body["packages"] = std::move(packages);
  body["relationships"] = std::move(relationships);

  Json doc;
  doc["SPDXID"] = "SPDXRef-DOCUMENT";
  doc["spdxVersion"] = "SPDX-2.3";
  doc["dataLicense"] = "CC0-1.0";
  doc["name"] = "fwcert SBOM of " + target_name;
  // A URI unique to this content (no '#'): the same scan gives the same namespace.
  doc["documentNamespace"] = "https://spdx.org/spdxdocs/fwcert-" + sha256_hex(body.dump()).substr(0, 32);
  doc["documentDescribes"] = Json::array({kTargetId});
  for (auto& [k, v] : body.items()) doc[k] = std::move(v);
  return doc.dump(2) + "\n";
}

}  // namespace fwcert::report
