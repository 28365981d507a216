#pragma once
// The product manifest (--manifest product.yaml, docs/manifest.md): what the maker states about
// the product and its processes, with the documents that prove it. Documents are the user's
// files on the host, named relative to the manifest, and hashed so a lab can match them.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "assess/declared_services.hpp"
#include "core/date.hpp"
#include "fwcert/result.hpp"

namespace fwcert::assess {

/// A piece of evidence: a document (file), a URL, or a statement, with where it was written.
struct DocumentRef {
  std::string document;  ///< path as written, relative to the manifest's directory
  std::string url;
  std::string summary;
  std::string contact;  ///< vulnerability reporting only
  std::size_t line = 0;
  // filled by resolve_documents():
  std::string resolved;  ///< host path actually read
  std::string sha256;    ///< of the document, when it could be read
  std::string problem;   ///< why the document could not be read ("" when fine)
};

struct LabAssessment {
  std::string lab;
  std::optional<CivilDate> date;
  DocumentRef report;           ///< `report` is the document
  std::string declared_sha256;  ///< the report's hash as the manifest states it, if any
  std::size_t line = 0;
};

struct RequirementAttestation {
  std::string requirement;
  DocumentRef evidence;  ///< statement in `summary`
};

struct NotApplicable {
  std::string requirement;
  std::string reason;
  std::size_t line = 0;
};

struct Manifest {
  std::string path;  ///< as given
  std::string sha256;
  std::string product;
  std::string model;
  std::string firmware_version;
  std::optional<CivilDate> firmware_date;
  std::vector<std::string> sdks;
  std::optional<CivilDate> support_end;
  std::size_t support_end_line = 0;
  std::optional<DocumentRef> vulnerability_reporting;
  std::optional<DocumentRef> maintenance_policy;
  std::optional<DocumentRef> incident_response;
  std::optional<DocumentRef> threat_model;
  std::optional<LabAssessment> lab_assessment;
  std::vector<assess::DeclaredService> network_services;
  std::vector<RequirementAttestation> attestations;
  std::vector<NotApplicable> not_applicable;
};

/// Parses manifest text strictly: unknown keys, wrong types, malformed dates and entries
/// without evidence are errors at `name`:line:column. Reads no files.
Result<Manifest> parse_manifest(const std::string& text, const std::string& name);

/// Reads and parses the manifest at `path`, then hashes every document it names (relative to
/// the manifest's directory). A missing document is recorded in DocumentRef::problem, not an
/// error: it makes that evidence missing.
Result<Manifest> load_manifest(const std::string& path);

}  // namespace fwcert::assess
