// The JSON writer renders whatever an image holds: file names from hostile images are bytes,
// not UTF-8, and must not abort the report.

#include "report/json/json_writer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace fwcert::report {
namespace {

TEST(JsonWriter, InvalidUtf8FromTheImageIsReplacedNotFatal) {
  Report r;
  r.tool.version = "test";
  r.target.path = "fw.bin";
  r.target.diagnostics.push_back({Diagnostic::Level::kWarning, "/etc/\xff\xfe-name", "unreadable"});
  Finding f;
  f.check = "auth-empty-password";
  f.status = Status::kFail;
  f.subject = "account:\xc3";
  f.evidence.push_back({"/etc/\x80shadow", 3, std::nullopt, "seen \xff", ""});
  r.findings.push_back(f);
  std::string out;
  ASSERT_NO_THROW(out = to_json(r));
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["findings"][0]["evidence"][0]["line"], 3);
  EXPECT_EQ(j["target"]["diagnostics"][0]["path"], "/etc/\xef\xbf\xbd\xef\xbf\xbd-name");  // U+FFFD twice
  ASSERT_NO_THROW((void)facts_to_json(r));
}

TEST(JsonWriter, OptionalEvidenceFieldsAreOmittedNotNull) {
  Report r;
  Finding f;
  f.check = "x";
  f.evidence.push_back({"/etc/passwd", std::nullopt, std::nullopt, "", ""});
  r.findings.push_back(f);
  auto j = nlohmann::json::parse(to_json(r));
  const auto& e = j["findings"][0]["evidence"][0];
  EXPECT_EQ(e["path"], "/etc/passwd");
  EXPECT_FALSE(e.contains("line"));
  EXPECT_FALSE(e.contains("offset"));
  EXPECT_FALSE(e.contains("observed"));
}

}  // namespace
}  // namespace fwcert::report
