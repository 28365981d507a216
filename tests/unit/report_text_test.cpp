// The escaping every writer relies on: names from a hostile image must not break the XML,
// Markdown or URIs a report is written in.

#include <gtest/gtest.h>

#include "report/common/text.hpp"

namespace fwcert::report {
namespace {

const std::string kFffd = "\xef\xbf\xbd";

TEST(ReportText, InvalidUtf8IsReplacedValidIsKept) {
  EXPECT_EQ(valid_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(valid_utf8("\xf0\x9f\x94\x92"), "\xf0\x9f\x94\x92");  // U+1F512
  EXPECT_EQ(valid_utf8("a\xffz"), "a" + kFffd + "z");
  EXPECT_EQ(valid_utf8("\xc0\xaf"), kFffd + kFffd);                          // overlong "/"
  EXPECT_EQ(valid_utf8("\xed\xa0\x80"), kFffd + kFffd + kFffd);              // a UTF-16 surrogate
  EXPECT_EQ(valid_utf8("\xe2\x82"), kFffd + kFffd);                          // truncated sequence
  EXPECT_EQ(valid_utf8("\xf4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);  // above U+10FFFF
}

TEST(ReportText, XmlEscapingReplacesWhatXml10Forbids) {
  EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;\"c'");
  EXPECT_EQ(xml_escape("a\"b'\nc", true), "a&quot;b&apos;&#10;c");
  EXPECT_EQ(xml_escape(std::string("x\0y", 3)), "x" + kFffd + "y");
  EXPECT_EQ(xml_escape("\x01\x1b[31m\x7f"), kFffd + kFffd + "[31m\x7f");  // DEL is allowed in XML 1.0
  EXPECT_EQ(xml_escape("\xef\xbf\xbe\xef\xbf\xbf"), kFffd + kFffd);       // U+FFFE, U+FFFF
  EXPECT_EQ(xml_escape("tab\there"), "tab\there");
  EXPECT_EQ(xml_escape("\r"), "&#13;");
  EXPECT_EQ(xml_escape("]]>"), "]]&gt;");
}

TEST(ReportText, MarkdownCodeSpanHoldsBackticksAndPipes) {
  EXPECT_EQ(md_code("/etc/shadow"), "`/etc/shadow`");
  EXPECT_EQ(md_code("a`b"), "``a`b``");
  EXPECT_EQ(md_code("`x"), "`` `x ``");
  EXPECT_EQ(md_code("a|b"), "`a\\|b`");
  EXPECT_EQ(md_code("two\nlines"), "`two lines`");
  EXPECT_EQ(md_code(""), "` `");
}

TEST(ReportText, MarkdownTextDisarmsMentionsLinksAndHtml) {
  EXPECT_EQ(md_text("@octocat"), "\\@octocat");
  EXPECT_EQ(md_text("#12"), "\\#12");
  EXPECT_EQ(md_text("<img src=x>"), "&lt;img src=x\\>");
  EXPECT_EQ(md_text("[a](http://x)"), "\\[a\\](http\\://x)");
  EXPECT_EQ(md_text("a|b\nc"), "a\\|b c");
  EXPECT_EQ(md_text("plain words"), "plain words");
}

TEST(ReportText, BaseName) {
  EXPECT_EQ(base_name("out/demo/firmware.squashfs"), "firmware.squashfs");
  EXPECT_EQ(base_name("rootfs/"), "rootfs");
  EXPECT_EQ(base_name("fw.bin"), "fw.bin");
  EXPECT_EQ(base_name("/"), "");
}

}  // namespace
}  // namespace fwcert::report
