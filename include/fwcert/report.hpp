#pragma once
// The report model: everything a scan found, in one structure that every writer renders.
// Writers compute nothing; the order of every list here is the order they print.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fwcert {

enum class Severity : std::uint8_t { kInfo, kLow, kMedium, kHigh, kCritical };
const char* to_string(Severity s);
std::optional<Severity> parse_severity(std::string_view s);

enum class Status : std::uint8_t { kPass, kFail, kWarn, kInfo, kInconclusive, kNotApplicable };
const char* to_string(Status s);

enum class Verdict : std::uint8_t { kMet, kNotMet, kPartial, kInconclusive, kNeedsAttestation, kNotApplicable };
const char* to_string(Verdict v);

/// Where a finding's evidence is: path in the image, and line, offset, values where they apply.
struct Evidence {
  std::string path;  ///< display path in the target ("/etc/shadow", "a.img!/etc/x")
  std::optional<std::uint64_t> line;
  std::optional<std::uint64_t> offset;
  std::string observed;
  std::string expected;
};

struct Finding {
  std::string check;  ///< catalog check id
  Status status = Status::kInconclusive;
  Severity severity = Severity::kInfo;  ///< from the catalog unless severity_override is set
  bool severity_override = false;       ///< the analyzer chose the severity (e.g. raised it)
  std::string subject;                  ///< what the finding is about (account, file, service)
  std::string message;
  std::vector<Evidence> evidence;
};

/// A problem reading the target: a damaged file, a limit reached, a path that escaped.
struct Diagnostic {
  enum class Level : std::uint8_t { kNote, kWarning, kError };
  Level level = Level::kWarning;
  std::string path;
  std::string message;
};
const char* to_string(Diagnostic::Level l);

using FactValue = std::variant<bool, std::int64_t, std::string, std::vector<std::string>>;

/// Something true about the target, recorded by an analyzer so that a lab can verify a
/// verdict by hand.
struct Fact {
  std::string analyzer;
  std::string subject;  ///< display path or logical subject ("account:root")
  std::string name;     ///< dotted name ("account.uid")
  FactValue value;
  Evidence source;  ///< where the fact was read
};

struct FilesystemInfo {
  std::string prefix;        ///< "" for the root filesystem, "outer!" for nested ones
  std::string type;          ///< squashfs, ext4, tar, cpio, zip, directory, ...
  std::uint64_t offset = 0;  ///< byte offset inside its container
  std::string container;     ///< display path of the file it was found in ("" = the target)
};

struct TargetInfo {
  std::string path;
  std::string format;
  std::vector<FilesystemInfo> filesystems;
  bool partial = false;
  std::vector<Diagnostic> diagnostics;
};

/// Counts from the inventory walk.
struct InventorySummary {
  std::uint64_t files = 0;
  std::uint64_t directories = 0;
  std::uint64_t symlinks = 0;
  std::uint64_t devices = 0;
  std::uint64_t other = 0;
  std::uint64_t hardlinks = 0;  ///< names beyond the first for multiply-linked files
  std::uint64_t elf = 0;
  std::uint64_t setuid = 0;
  std::uint64_t setgid = 0;
  std::uint64_t world_writable = 0;
  std::uint64_t capabilities = 0;
  std::uint64_t selinux_labels = 0;
  std::uint64_t bytes = 0;
  std::map<std::string, std::uint64_t> kinds;  ///< file kind -> count
};

struct RequirementResult {
  std::string id;
  std::string title;
  std::string level;  ///< SHALL / SHOULD / ...
  Verdict verdict = Verdict::kInconclusive;
  std::string reason;
  std::vector<std::string> checks;
  bool unverified = false;  ///< the requirement text could not be confirmed at the source
};

struct ToolInfo {
  std::string name = "fwcert";
  std::string version;
};

struct Report {
  ToolInfo tool;
  TargetInfo target;
  std::string profile;
  InventorySummary inventory;
  std::vector<Finding> findings;
  std::vector<RequirementResult> requirements;
  std::vector<Fact> facts;
};

}  // namespace fwcert
