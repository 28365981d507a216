#include "report/html/html_writer.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string_view>
#include <vector>

#include "report/common/text.hpp"

namespace fwcert::report {

namespace {

// Light colours only, so a printout needs no dark toner; `print-color-adjust: exact` keeps the
// badges and chart legends coloured on paper. Print expands every <details> (the
// ::details-content rule for Chromium and Firefox, the beforeprint script for the rest) and
// keeps evidence rows and findings on one page.
constexpr std::string_view kStyle = R"css(
:root{color-scheme:light}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;
background:#fff;margin:0 auto;max-width:75rem;padding:1rem 1.5rem 3rem;
-webkit-print-color-adjust:exact;print-color-adjust:exact}
h1{font-size:1.6rem;margin:.2rem 0}
h2{font-size:1.25rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
h4{font-size:1em;margin:.8rem 0 .3rem}
code,.mono{font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.9em;
overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;margin:.4rem 0}
th,td{border:1px solid #d0d7de;padding:.25rem .45rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f6f8fa;font-weight:600;overflow-wrap:normal;white-space:nowrap}
td ul{margin:0;padding-left:1.1rem}
#inventory{width:auto;min-width:18rem}
tr{break-inside:avoid}
nav ul{list-style:none;padding:0;margin:.4rem 0;display:flex;flex-wrap:wrap;gap:.3rem 1rem}
a{color:#0550ae}
.sub{color:#57606a;margin:.1rem 0}
.banner{border:1px solid #d4a72c;background:#fff8c5;padding:.5rem .8rem;border-radius:6px;margin:.8rem 0}
.banner.ok{border-color:#4ac26b;background:#dafbe1}
.counts{display:flex;flex-wrap:wrap;gap:.4rem;margin:.5rem 0;padding:0;list-style:none}
.badge{display:inline-block;border-radius:1rem;padding:0 .55rem;font-size:.85em;font-weight:600;white-space:nowrap;
border:1px solid transparent}
.v-met,.st-attested,.s-pass,.w-applied{background:#dafbe1;color:#116329;border-color:#aceebb}
.v-not-met,.s-fail,.st-missing-evidence,.w-expired{background:#ffebe9;color:#a40e26;border-color:#ffcecb}
.v-partial,.s-warn{background:#fff8c5;color:#7d4e00;border-color:#f5e0a0}
.v-inconclusive,.s-inconclusive,.w-unused{background:#eaeef2;color:#424a53;border-color:#d0d7de}
.v-needs-attestation{background:#ddf4ff;color:#0550ae;border-color:#b6e3ff}
.v-not-applicable,.s-not-applicable,.s-info{background:#f6f8fa;color:#57606a;border-color:#d0d7de}
.v-attested{background:#d8f3f0;color:#0f5e63;border-color:#a5e3dd}
.v-missing-evidence{background:#fbefff;color:#6e40c9;border-color:#ecd8ff}
.sev-critical{background:#ffebe9;color:#82071e;border-color:#ff8182}
.sev-high{background:#ffebe9;color:#a40e26;border-color:#ffcecb}
.sev-medium{background:#fff1e5;color:#9b4215;border-color:#ffd8b5}
.sev-low{background:#fff8c5;color:#7d4e00;border-color:#f5e0a0}
.sev-info{background:#f6f8fa;color:#57606a;border-color:#d0d7de}
.waived{background:#f6f8fa;color:#57606a;border-color:#8c959f;border-style:dashed}
.charts{display:flex;flex-wrap:wrap;gap:1rem 2rem}
figure{margin:.5rem 0;max-width:100%}
figcaption{font-weight:600;margin-bottom:.3rem}
svg.chart{max-width:100%;height:auto;font-family:inherit}
svg.chart text{font-size:12px;fill:#1f2328}
svg.chart text.in{fill:#fff;font-weight:600}
svg.chart .axis{stroke:#d0d7de}
.f-met{fill:#2da44e}.f-not-met{fill:#cf222e}.f-partial{fill:#bf8700}.f-inconclusive{fill:#6e7781}
.f-needs-attestation{fill:#218bff}.f-not-applicable{fill:#afb8c1}.f-attested{fill:#1b7c83}
.f-missing-evidence{fill:#8250df}
.f-critical{fill:#82071e}.f-high{fill:#cf222e}.f-medium{fill:#e16f24}.f-low{fill:#bf8700}.f-info{fill:#6e7781}
.legend{display:flex;flex-wrap:wrap;gap:.2rem .9rem;font-size:.85em;margin:.2rem 0;padding:0;list-style:none}
.legend svg{vertical-align:-1px;margin-right:.25rem}
details.req{border:1px solid #d0d7de;border-left-width:6px;border-radius:6px;margin:.35rem 0;break-inside:avoid-page}
details.req.v-met{border-left-color:#2da44e}details.req.v-not-met{border-left-color:#cf222e}
details.req.v-partial{border-left-color:#bf8700}details.req.v-inconclusive{border-left-color:#8c959f}
details.req.v-needs-attestation{border-left-color:#218bff}details.req.v-not-applicable{border-left-color:#d0d7de}
details.req.v-attested{border-left-color:#1b7c83}details.req.v-missing-evidence{border-left-color:#8250df}
details.req{background:#fff;color:#1f2328}
details.req>summary{cursor:pointer;padding:.4rem .6rem;display:grid;
grid-template-columns:minmax(7rem,auto) 5rem 1fr auto;gap:.2rem .8rem;align-items:baseline}
details.req>summary .reason{grid-column:1/-1;color:#57606a;font-size:.9em}
details.req[open]>summary{border-bottom:1px solid #d0d7de;background:#f6f8fa}
.rid{font-weight:700}
.lvl{color:#57606a;font-size:.85em}
.req-body{padding:.3rem .8rem .6rem}
.facts{margin:.2rem 0;color:#57606a;font-size:.9em}
.check{margin:.5rem 0 .8rem}
.finding{border:1px solid #d0d7de;border-radius:6px;padding:.35rem .6rem;margin:.35rem 0;break-inside:avoid}
.finding.is-waived{border-style:dashed}
.finding.fs-fail{border-left:4px solid #cf222e}.finding.fs-warn{border-left:4px solid #bf8700}
.finding.fs-pass{border-left:4px solid #2da44e}.finding.fs-inconclusive{border-left:4px solid #8c959f}
.finding.fs-info,.finding.fs-not-applicable{border-left:4px solid #d0d7de}
.finding p{margin:.2rem 0}
.none{color:#57606a;font-style:italic;margin:.2rem 0}
table.evidence{font-size:.9em}
td.num{white-space:nowrap}
table.evidence td:first-child{min-width:9rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.4rem 0}
dl.meta dt{font-weight:600}
dl.meta dd{margin:0;overflow-wrap:anywhere}
table.sortable th{cursor:pointer}
table.sortable th[aria-sort=ascending]::after{content:" \25B2"}
table.sortable th[aria-sort=descending]::after{content:" \25BC"}
.tools{margin:.4rem 0}
.tools button{font:inherit;font-size:.85em;padding:.1rem .5rem}
footer{margin-top:2rem;color:#57606a;font-size:.85em;border-top:1px solid #d0d7de;padding-top:.5rem}
@media print{
body{max-width:none;padding:0;font-size:11px}
nav,.tools{display:none}
details::details-content{content-visibility:visible;display:block}
details.req>summary{background:#fff !important}
details.req>summary::marker,details.req>summary::-webkit-details-marker{content:"";display:none}
h2{break-after:avoid}
h3,h4{break-after:avoid}
a{color:inherit;text-decoration:none}
}
)css";

// Opens every <details> for printing (and closes them again afterwards), drives the two
// expand/collapse buttons, which stay hidden without script, and sorts the component and
// vulnerability tables by the column whose header is clicked (the writer's order is the
// report's: known exploited first).
constexpr std::string_view kScript = R"js(
(function(){
var all=function(){return document.querySelectorAll("details");};
var set=function(open){all().forEach(function(d){d.open=open;});};
addEventListener("beforeprint",function(){all().forEach(function(d){if(!d.open){d.setAttribute("data-print-open","");d.open=true;}});});
addEventListener("afterprint",function(){document.querySelectorAll("details[data-print-open]").forEach(function(d){d.removeAttribute("data-print-open");d.open=false;});});
var tools=document.getElementById("tools");
if(tools){tools.hidden=false;
document.getElementById("expand-all").addEventListener("click",function(){set(true);});
document.getElementById("collapse-all").addEventListener("click",function(){set(false);});}
document.querySelectorAll("table.sortable th").forEach(function(th,col){th.tabIndex=0;
var sort=function(){var body=th.closest("table").tBodies[0],asc=th.getAttribute("aria-sort")!=="ascending";
th.closest("tr").querySelectorAll("th").forEach(function(h){h.removeAttribute("aria-sort");});
th.setAttribute("aria-sort",asc?"ascending":"descending");
var key=function(tr){var c=tr.cells[col];return c.hasAttribute("data-key")?c.getAttribute("data-key"):c.textContent;};
var num=th.classList.contains("num");
Array.prototype.slice.call(body.rows).sort(function(a,b){var x=key(a),y=key(b);
var d=num?(parseFloat(x)||0)-(parseFloat(y)||0):x.localeCompare(y);return asc?d:-d;}).forEach(function(tr){body.appendChild(tr);});};
th.addEventListener("click",sort);th.addEventListener("keydown",function(e){if(e.key==="Enter")sort();});});
})();
)js";

/// 'sha256-BASE64' of `text`, as a CSP source that allows exactly that inline block.
std::string csp_hash(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> b64{};
  int n = EVP_EncodeBlock(b64.data(), digest, static_cast<int>(len));
  return "'sha256-" + std::string(reinterpret_cast<const char*>(b64.data()), static_cast<std::size_t>(n)) + "'";
}

/// Everything is denied but the one style block and the one script above.
const std::string& content_security_policy() {
  static const std::string kPolicy = "default-src 'none'; style-src " + csp_hash(kStyle) + "; script-src " +
                                     csp_hash(kScript) + "; img-src 'none'; base-uri 'none'; form-action 'none'";
  return kPolicy;
}

std::string esc(std::string_view s) { return html_escape(s); }

constexpr std::array<Verdict, 8> kVerdicts = {
    Verdict::kNotMet,       Verdict::kPartial,          Verdict::kMissingEvidence,
    Verdict::kInconclusive, Verdict::kNeedsAttestation, Verdict::kAttested,
    Verdict::kMet,          Verdict::kNotApplicable};
constexpr std::array<Severity, 5> kSeverities = {Severity::kCritical, Severity::kHigh, Severity::kMedium,
                                                 Severity::kLow, Severity::kInfo};
constexpr std::array<Status, 6> kStatuses = {Status::kFail, Status::kWarn,          Status::kInconclusive,
                                             Status::kPass, Status::kNotApplicable, Status::kInfo};

bool is_problem(const Finding& f) { return f.status == Status::kFail || f.status == Status::kWarn; }

std::string badge(std::string_view css, std::string_view text) {
  return fmt::format(R"(<span class="badge {}">{}</span>)", css, esc(text));
}
std::string verdict_badge(Verdict v) { return badge(fmt::format("verdict v-{}", to_string(v)), to_string(v)); }
std::string status_badge(Status s) { return badge(fmt::format("status s-{}", to_string(s)), to_string(s)); }
std::string severity_badge(Severity s) { return badge(fmt::format("sev sev-{}", to_string(s)), to_string(s)); }

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : std::string(sep)) + i;
  return out;
}

std::string code_list(const std::vector<std::string>& items) {
  std::vector<std::string> parts;
  for (const auto& i : items) parts.push_back("<code>" + esc(i) + "</code>");
  return join(parts, ", ");
}

// ---- charts -------------------------------------------------------------------------------

struct Segment {
  std::string key;  ///< css suffix and legend label ("not-met", "high")
  std::size_t count = 0;
};

struct Bar {
  std::string label;
  std::vector<Segment> segments;  ///< in legend order; zero counts are not drawn
  std::size_t total() const {
    std::size_t n = 0;
    for (const auto& s : segments) n += s.count;
    return n;
  }
};

/// A horizontal stacked bar chart: one row per bar, segment widths proportional to counts on
/// one scale for the whole chart, each count written on its segment when it fits and in the
/// segment's tooltip always, the row total at the end. Every segment carries data-count, so
/// tests read the numbers the chart was drawn from.
std::string bar_chart(std::string_view id, std::string_view caption, const std::vector<Bar>& bars,
                      const std::vector<std::string>& legend) {
  constexpr double kLabelWidth = 190, kBarWidth = 460, kTotalWidth = 50, kRow = 24, kGap = 8;
  std::size_t most = 1;
  for (const auto& b : bars) most = std::max(most, b.total());
  const double scale = kBarWidth / static_cast<double>(most);
  const double height = static_cast<double>(bars.size()) * (kRow + kGap) + kGap;
  const double width = kLabelWidth + kBarWidth + kTotalWidth;
  std::string out =
      fmt::format(R"(<figure id="{}" class="chart-figure"><figcaption>{}</figcaption>)", esc(id), esc(caption));
  out += R"(<ul class="legend">)";
  for (const auto& key : legend) {
    out += fmt::format(
        R"(<li><svg width="10" height="10" aria-hidden="true"><rect class="f-{}" width="10" height="10"/></svg>{}</li>)",
        esc(key), esc(key));
  }
  out += "</ul>";
  out += fmt::format(
      R"(<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {0:.0f} {1:.0f}" width="{0:.0f}" height="{1:.0f}" role="img" aria-label="{2}">)",
      width, height, esc(caption));
  double y = kGap;
  for (const auto& b : bars) {
    out += fmt::format(R"(<g class="bar" data-label="{}" data-total="{}">)", esc(b.label), b.total());
    out += fmt::format(R"(<text x="{:.0f}" y="{:.1f}" text-anchor="end">{}</text>)", kLabelWidth - 8, y + kRow / 2 + 4,
                       esc(b.label));
    double x = kLabelWidth;
    for (const auto& s : b.segments) {
      if (s.count == 0) continue;
      double w = static_cast<double>(s.count) * scale;
      out += fmt::format(
          R"(<rect class="seg f-{0}" data-key="{0}" data-count="{1}" x="{2:.1f}" y="{3:.1f}" width="{4:.1f}" height="{5:.0f}"><title>{6}: {0} {1}</title></rect>)",
          esc(s.key), s.count, x, y, w, kRow, esc(b.label));
      if (w >= 9.0 * static_cast<double>(std::to_string(s.count).size()) + 4) {
        out += fmt::format(R"(<text class="in" x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)", x + w / 2,
                           y + kRow / 2 + 4, s.count);
      }
      x += w;
    }
    out += fmt::format(R"(<text class="total" x="{:.1f}" y="{:.1f}">{}</text>)", x + 6, y + kRow / 2 + 4, b.total());
    out += "</g>";
    y += kRow + kGap;
  }
  out += fmt::format(R"(<line class="axis" x1="{0:.0f}" y1="0" x2="{0:.0f}" y2="{1:.0f}"/>)", kLabelWidth, height);
  out += "</svg></figure>\n";
  return out;
}

Bar verdict_bar(std::string label, const std::vector<const RequirementResult*>& reqs) {
  Bar b{std::move(label), {}};
  for (Verdict v : kVerdicts) {
    std::size_t n = 0;
    for (const auto* q : reqs) n += q->verdict == v ? 1 : 0;
    b.segments.push_back({to_string(v), n});
  }
  return b;
}

std::string verdict_chart(const Report& r) {
  std::vector<const RequirementResult*> all;
  std::vector<std::string> levels;
  for (const auto& q : r.requirements) {
    all.push_back(&q);
    if (std::find(levels.begin(), levels.end(), q.level) == levels.end()) levels.push_back(q.level);
  }
  const std::string set = r.metadata.requirement_set.empty() ? r.profile : r.metadata.requirement_set;
  std::vector<Bar> bars{verdict_bar(set.empty() ? "all requirements" : set, all)};
  // One bar per level (SHALL, SHOULD, ...) when the set has more than one.
  if (levels.size() > 1) {
    for (const auto& level : levels) {
      std::vector<const RequirementResult*> some;
      for (const auto& q : r.requirements) {
        if (q.level == level) some.push_back(&q);
      }
      bars.push_back(verdict_bar(level.empty() ? "(no level)" : level, some));
    }
  }
  std::vector<std::string> legend;
  for (Verdict v : kVerdicts) legend.push_back(to_string(v));
  return bar_chart("chart-verdicts", "Requirement verdicts per requirement set", bars, legend);
}

std::string area_of(const Report& r, std::string_view check) {
  const auto* c = r.find_check(check);
  return c && !c->area.empty() ? c->area : "other";
}

std::string area_chart(const Report& r) {
  std::map<std::string, std::map<Severity, std::size_t>> by_area;
  for (const auto& f : r.findings) {
    if (is_problem(f) && !f.waiver) by_area[area_of(r, f.check)][f.severity]++;
  }
  std::vector<Bar> bars;
  for (const auto& [area, sev] : by_area) {
    Bar b{area, {}};
    for (Severity s : kSeverities) {
      auto it = sev.find(s);
      b.segments.push_back({to_string(s), it == sev.end() ? 0 : it->second});
    }
    bars.push_back(std::move(b));
  }
  std::vector<std::string> legend;
  for (Severity s : kSeverities) legend.push_back(to_string(s));
  std::string out = bar_chart(
      "chart-areas", "Failing and warning findings per capability area and severity (waived excluded)", bars, legend);
  if (bars.empty()) out += R"(<p class="none">No failing or warning finding that is not waived.</p>)";
  return out;
}

// ---- sections -----------------------------------------------------------------------------

std::string evidence_table(const std::vector<Evidence>& evidence) {
  if (evidence.empty()) return R"(<p class="none">No evidence recorded.</p>)";
  std::string out =
      R"(<table class="evidence"><thead><tr><th>path</th><th>line</th><th>offset</th><th>observed</th><th>expected</th></tr></thead><tbody>)";
  for (const auto& e : evidence) {
    out += fmt::format(
        R"(<tr><td><code>{}</code></td><td class="num">{}</td><td class="num">{}</td><td>{}</td><td>{}</td></tr>)",
        esc(e.path), e.line ? std::to_string(*e.line) : "", e.offset ? fmt::format("{:#x}", *e.offset) : "",
        esc(e.observed), esc(e.expected));
  }
  return out + "</tbody></table>";
}

std::string finding_html(const Finding& f) {
  std::string cls = fmt::format("finding fs-{}{}", to_string(f.status), f.waiver ? " is-waived" : "");
  std::string out =
      fmt::format(R"(<div class="{}" data-check="{}" data-status="{}">)", cls, esc(f.check), to_string(f.status));
  out += "<p>" + status_badge(f.status) + " " + severity_badge(f.severity);
  if (f.waiver) out += " " + badge("waived", "waived");
  if (!f.subject.empty()) out += " <code class=\"subject\">" + esc(f.subject) + "</code>";
  out += "</p>";
  if (!f.message.empty()) out += "<p class=\"msg\">" + esc(f.message) + "</p>";
  out += evidence_table(f.evidence);
  if (f.waiver) {
    const auto& w = *f.waiver;
    out += fmt::format(R"(<p class="waiver">Waived by <code>{}</code> (owner {}, until {}): {}</p>)", esc(w.id),
                       esc(w.owner), esc(w.expires), esc(w.justification));
  }
  return out + "</div>";
}

/// Each check's section (its id, catalog title and area, and every finding), rendered once from
/// one pass over the findings: a check that several requirements cite is shown under each.
class CheckSections {
 public:
  explicit CheckSections(const Report& r) : report_(r) {
    for (const auto& f : r.findings) by_check_[f.check].push_back(&f);
  }

  const std::string& get(const std::string& check) {
    auto it = rendered_.find(check);
    if (it == rendered_.end()) it = rendered_.emplace(check, render(check)).first;
    return it->second;
  }

 private:
  std::string render(const std::string& check) const {
    const auto* def = report_.find_check(check);
    std::string out =
        fmt::format(R"(<section class="check" data-check="{}"><h4><code>{}</code>)", esc(check), esc(check));
    if (def && !def->title.empty()) out += " " + esc(def->title);
    out += fmt::format(R"( <span class="lvl">{}</span></h4>)", esc(area_of(report_, check)));
    auto it = by_check_.find(check);
    if (it == by_check_.end()) {
      out += def && !def->implemented
                 ? R"(<p class="none">No finding: this version of fwcert does not implement the check.</p>)"
                 : R"(<p class="none">No finding: the analyzer that emits it did not run.</p>)";
    } else {
      for (const auto* f : it->second) out += finding_html(*f);
    }
    return out + "</section>";
  }

  const Report& report_;
  std::map<std::string, std::vector<const Finding*>> by_check_;
  std::map<std::string, std::string> rendered_;
};

std::string requirement_html(CheckSections& checks, const RequirementResult& q, std::size_t index) {
  std::string out = fmt::format(R"(<details class="req v-{0}" id="req-{1}" data-requirement="{2}" data-verdict="{0}">)",
                                to_string(q.verdict), index, esc(q.id));
  out += fmt::format(
      R"(<summary><span class="rid">{}</span><span class="lvl">{}</span><span class="rtitle">{}</span>{}<span class="reason">{}</span></summary>)",
      esc(q.id), esc(q.level), esc(q.title), verdict_badge(q.verdict), esc(q.reason));
  out += R"(<div class="req-body"><p class="facts">)";
  std::vector<std::string> facts;
  if (!q.modes.empty()) facts.push_back("Evidence from: " + esc(join(q.modes, ", ")));
  if (q.verification_level) facts.push_back(fmt::format("Verification level L{}", q.verification_level));
  if (q.unverified)
    facts.push_back(badge("v-partial", "UNVERIFIED") + " the requirement text could not be confirmed at its source");
  if (!q.attestation.empty()) facts.push_back("Attestation accepted: " + esc(q.attestation));
  if (!q.waived.empty()) facts.push_back("Waived checks: " + code_list(q.waived));
  out += join(facts, " &middot; ") + "</p>";
  if (q.checks.empty()) out += R"(<p class="none">No check gives evidence for this requirement.</p>)";
  for (const auto& c : q.checks) out += checks.get(c);
  return out + "</div></details>\n";
}

std::string summary_section(const Report& r) {
  std::string out = R"(<section id="summary"><h2>Summary</h2>)";
  if (r.target.partial) {
    out += fmt::format(
        R"(<p class="banner partial"><strong>Partial:</strong> the target could only partly be read ({} diagnostics); verdicts rest on what was read. See <a href="#diagnostics">Diagnostics</a>.</p>)",
        r.target.diagnostics.size());
  }
  const Summary& sum = r.summary;
  out += fmt::format(R"(<h3>{} requirements</h3><ul class="counts" id="verdict-counts">)", r.requirements.size());
  for (Verdict v : kVerdicts) {
    out += fmt::format(R"(<li data-verdict="{}" data-count="{}">{} {}</li>)", to_string(v), sum.count(v), sum.count(v),
                       verdict_badge(v));
  }
  out += "</ul>";
  out += fmt::format(R"(<h3>{} findings</h3><ul class="counts" id="finding-counts">)", r.findings.size());
  for (Status s : kStatuses) {
    out += fmt::format(R"(<li data-status="{}" data-count="{}">{} {}</li>)", to_string(s), sum.count(s), sum.count(s),
                       status_badge(s));
  }
  out += fmt::format(R"(<li data-status="waived" data-count="{0}">{0} {1}</li></ul>)", sum.waived,
                     badge("waived", "waived"));
  out += fmt::format(
      R"(<p id="gate">{} failing findings at or above the gate severity <strong>{}</strong>, not waived.</p>)",
      sum.gated, to_string(sum.gate));
  out += R"(<div class="charts">)" + verdict_chart(r) + area_chart(r) + "</div></section>\n";
  return out;
}

std::string requirements_section(const Report& r) {
  std::string out = R"(<section id="requirements"><h2>Requirements</h2>)";
  out += R"(<p class="tools" id="tools" hidden><button type="button" id="expand-all">Expand all</button> )"
         R"(<button type="button" id="collapse-all">Collapse all</button></p>)";
  if (r.requirements.empty()) out += R"(<p class="none">The profile has no requirements.</p>)";
  CheckSections checks(r);
  for (std::size_t i = 0; i < r.requirements.size(); ++i) out += requirement_html(checks, r.requirements[i], i + 1);
  // Findings of checks that no requirement of the profile cites are still shown, in the
  // findings' order.
  std::set<std::string> seen;
  for (const auto& q : r.requirements) seen.insert(q.checks.begin(), q.checks.end());
  std::vector<std::string> others;
  for (const auto& f : r.findings) {
    if (seen.insert(f.check).second) others.push_back(f.check);
  }
  if (!others.empty()) {
    out += R"(<h3 id="other-findings">Findings of checks no requirement of the profile cites</h3>)";
    out += R"(<details class="other"><summary>)" + std::to_string(others.size()) + " checks</summary>";
    for (const auto& c : others) out += checks.get(c);
    out += "</details>";
  }
  return out + "</section>\n";
}

std::string attestations_section(const Report& r) {
  std::string out = R"(<section id="attestations"><h2>Attestations</h2>)";
  if (r.metadata.manifest.empty()) {
    out += R"(<p class="sub">No product manifest was given (--manifest): no process requirement is attested.</p>)";
  } else {
    out += fmt::format(R"(<p class="sub">From the product manifest <code>{}</code>.</p>)", esc(r.metadata.manifest));
  }
  if (r.attestations.empty()) return out + R"(<p class="none">The profile has no process requirement.</p></section>)";
  out +=
      R"(<table id="attestation-table"><thead><tr><th>requirement</th><th>state</th><th>evidence</th><th>document</th><th>source</th><th>problems</th></tr></thead><tbody>)";
  for (const auto& a : r.attestations) {
    std::string doc;
    if (!a.file.empty()) doc = "<code>" + esc(a.file) + "</code>";
    if (!a.sha256.empty()) doc += "<br>sha256 <code>" + esc(a.sha256) + "</code>";
    std::string problems;
    for (const auto& p : a.problems) problems += "<li>" + esc(p) + "</li>";
    if (!problems.empty()) problems = "<ul>" + problems + "</ul>";
    out += fmt::format(
        R"(<tr data-requirement="{}" data-state="{}"><td><strong>{}</strong><br>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>)",
        esc(a.requirement), to_string(a.state), esc(a.requirement), esc(a.title),
        badge(fmt::format("st-{}", to_string(a.state)), to_string(a.state)), esc(a.evidence), doc,
        a.source.empty() ? "" : "<code>" + esc(a.source) + "</code>", problems);
  }
  return out + "</tbody></table></section>\n";
}

std::string waivers_section(const Report& r) {
  std::string out = R"(<section id="waivers"><h2>Waivers</h2>)";
  if (r.metadata.waivers.empty()) return out + R"(<p class="sub">No waivers file was given (--waivers).</p></section>)";
  std::map<WaiverResult::State, std::size_t> states;
  for (const auto& w : r.waivers) states[w.state]++;
  out +=
      fmt::format(R"(<p class="sub">From <code>{}</code>: {} applied, {} expired (no longer applied), {} unused.</p>)",
                  esc(r.metadata.waivers), states[WaiverResult::State::kApplied], states[WaiverResult::State::kExpired],
                  states[WaiverResult::State::kUnused]);
  if (r.waivers.empty()) return out + R"(<p class="none">The waivers file has no entries.</p></section>)";
  out +=
      R"(<table id="waiver-table"><thead><tr><th>waiver</th><th>check</th><th>subject pattern</th><th>state</th><th>findings</th><th>owner</th><th>expires</th><th>justification</th></tr></thead><tbody>)";
  for (const auto& w : r.waivers) {
    out += fmt::format(
        R"(<tr data-state="{0}"><td><code>{1}</code></td><td><code>{2}</code></td><td><code>{3}</code></td><td>{4}</td><td class="num">{5}</td><td>{6}</td><td class="num">{7}</td><td>{8}</td></tr>)",
        to_string(w.state), esc(w.id), esc(w.check), esc(w.subject),
        badge(fmt::format("w-{}", to_string(w.state)), to_string(w.state)), w.matched, esc(w.owner), esc(w.expires),
        esc(w.justification));
  }
  return out + "</tbody></table></section>\n";
}

std::string components_section(const Report& r) {
  std::string out = R"(<section id="components"><h2>Components</h2>)";
  if (r.components.empty()) {
    return out +
           R"(<p class="none">No component was found: the target has no package database fwcert reads and no binary it fingerprints.</p></section>)";
  }
  std::size_t from_db = 0;
  for (const auto& c : r.components) from_db += c.found_by == "package-db";
  out += fmt::format(
      R"(<p class="sub">{} components: {} from package databases, {} from version fingerprints in binaries. <code>fwcert sbom</code> writes them as CycloneDX or SPDX.</p>)",
      r.components.size(), from_db, r.components.size() - from_db);
  out +=
      R"(<table id="component-table" class="sortable"><thead><tr><th>name</th><th>version</th><th>ecosystem</th><th>package URL</th><th>found by</th><th>evidence</th><th class="num">files</th></tr></thead><tbody>)";
  for (const auto& c : r.components) {
    std::string where = c.evidence.path;
    if (c.evidence.line) where += fmt::format(":{}", *c.evidence.line);
    if (c.evidence.offset) where += fmt::format(" @{:#x}", *c.evidence.offset);
    out += fmt::format(
        R"(<tr data-ref="{0}"><td>{1}</td><td><code>{2}</code></td><td>{3}</td><td><code>{4}</code></td><td>{5}</td><td><code>{6}</code></td><td class="num">{7}</td></tr>)",
        esc(c.ref), esc(c.name), esc(c.version), esc(c.ecosystem), esc(c.purl), esc(c.found_by), esc(where),
        c.files.size());
  }
  return out + "</tbody></table></section>\n";
}

std::string vulnerabilities_section(const Report& r) {
  std::string out = R"(<section id="vulnerabilities"><h2>Vulnerabilities</h2>)";
  if (r.vuln_db.path.empty()) {
    return out +
           R"(<p class="none">No vulnerability database was given: components were not matched against known vulnerabilities (<code>fwcert db import</code>, then <code>--db</code>).</p></section>)";
  }
  std::size_t kev = 0, vexed = 0;
  for (const auto& v : r.vulnerabilities) {
    kev += v.known_exploited;
    vexed += !v.vex_state.empty();
  }
  out += fmt::format(
      R"(<p class="sub">Matched against <code>{}</code> (built {}): {} vulnerabilities, {} known exploited, {} with a VEX statement.</p>)",
      esc(r.vuln_db.path), esc(r.vuln_db.built.empty() ? "on an unknown day" : r.vuln_db.built),
      r.vulnerabilities.size(), kev, vexed);
  if (r.vulnerabilities.empty()) return out + R"(<p class="none">No known vulnerability matched.</p></section>)";
  out +=
      R"(<table id="vulnerability-table" class="sortable"><thead><tr><th>id</th><th>component</th><th>KEV</th><th class="num">CVSS</th><th class="num">EPSS</th><th>fixed in</th><th>VEX</th><th>confidence</th><th>file</th><th>summary</th></tr></thead><tbody>)";
  for (const auto& v : r.vulnerabilities) {
    std::string cvss = v.cvss ? fmt::format("{:.1f}", *v.cvss) : "";
    std::string epss = v.epss ? fmt::format("{:.3f}", *v.epss) : "";
    std::string vex = v.vex_state.empty() ? "" : esc(v.vex_state);
    if (!v.vex_justification.empty()) vex += " (" + esc(v.vex_justification) + ")";
    out += fmt::format(
        R"(<tr data-kev="{0}"><td data-key="{1}"><code>{2}</code></td><td><code>{3}</code></td><td data-key="{4}">{5}</td><td class="num" data-key="{6}">{7}</td><td class="num" data-key="{8}">{9}</td><td><code>{10}</code></td><td>{11}</td><td>{12}</td><td><code>{13}</code></td><td>{14}</td></tr>)",
        v.known_exploited ? "true" : "false", esc(v.id), esc(v.id), esc(v.component), v.known_exploited ? "0" : "1",
        v.known_exploited ? badge("sev-critical", "KEV " + v.kev_date_added) : "", v.cvss ? cvss : "-1", esc(cvss),
        v.epss ? epss : "-1", esc(epss), esc(v.fixed_version), vex, esc(v.confidence), esc(v.evidence.path),
        esc(v.summary));
  }
  return out + "</tbody></table></section>\n";
}

void meta_row(std::string& out, std::string_view name, const std::string& html) {
  if (!html.empty()) out += fmt::format("<dt>{}</dt><dd>{}</dd>", name, html);
}

std::string metadata_section(const Report& r) {
  const auto& m = r.metadata;
  std::string out = R"(<section id="metadata"><h2>Scan metadata</h2><dl class="meta">)";
  meta_row(out, "tool", esc(r.tool.name + " " + r.tool.version));
  if (!m.tool_version.empty() && m.tool_version != r.tool.version) meta_row(out, "tool version", esc(m.tool_version));
  meta_row(out, "assessment date",
           esc(m.assessment_date) + (m.assessment_date.empty() ? ""
                                     : m.assessment_date_given ? " (given with --assessment-date)"
                                                               : " (the day of the scan, UTC)"));
  meta_row(out, "profile",
           "<code>" + esc(m.profile.empty() ? r.profile : m.profile) + "</code>" +
               (m.profile_title.empty() ? "" : " " + esc(m.profile_title)));
  if (!m.requirement_set.empty()) meta_row(out, "requirement set", "<code>" + esc(m.requirement_set) + "</code>");
  if (!m.gate.empty()) {
    // The gate the exit code was decided with; --fail-on can differ from the profile's.
    const std::string gate = to_string(r.summary.gate);
    meta_row(out, "gate",
             gate + " (lowest failing severity that sets exit code 1" +
                 (gate == m.gate ? ")" : "; the profile's gate is " + esc(m.gate) + ")"));
  }
  meta_row(out, "target", "<code>" + esc(r.target.path) + "</code>");
  meta_row(out, "format", esc(r.target.format));
  meta_row(out, "target sha256",
           m.target_sha256.empty() ? "not computed (the target is not a file)"
                                   : "<code>" + esc(m.target_sha256) + "</code>");
  meta_row(out, "read", r.target.partial ? "partially (see Diagnostics)" : "completely");
  if (!m.manifest.empty()) {
    meta_row(out, "manifest",
             "<code>" + esc(m.manifest) + "</code> sha256 <code>" + esc(m.manifest_sha256) + "</code>");
    const auto& p = m.product;
    meta_row(out, "product", esc(p.product));
    meta_row(out, "model", esc(p.model));
    meta_row(out, "firmware version", esc(p.firmware_version));
    meta_row(out, "firmware date", esc(p.firmware_date));
    meta_row(out, "support ends", esc(p.support_end));
    if (!p.sdks.empty()) meta_row(out, "SDKs", code_list(p.sdks));
  }
  if (!m.waivers.empty()) {
    meta_row(out, "waivers", "<code>" + esc(m.waivers) + "</code> sha256 <code>" + esc(m.waivers_sha256) + "</code>");
  }
  out += "</dl>";

  out +=
      R"(<h3>Filesystems</h3><table id="filesystems"><thead><tr><th>prefix</th><th>type</th><th>offset</th><th>container</th></tr></thead><tbody>)";
  for (const auto& fs : r.target.filesystems) {
    out +=
        fmt::format(R"(<tr><td><code>{}</code></td><td>{}</td><td class="num">{:#x}</td><td><code>{}</code></td></tr>)",
                    esc(fs.prefix.empty() ? "(root)" : fs.prefix), esc(fs.type), fs.offset,
                    esc(fs.container.empty() ? "(the target)" : fs.container));
  }
  out += "</tbody></table>";

  out += R"(<h3>Data snapshots</h3>)";
  if (m.data.empty()) {
    out += R"(<p class="none">No dated data table was used.</p>)";
  } else {
    out += R"(<table id="data-snapshots"><thead><tr><th>built-in data</th><th>retrieved</th></tr></thead><tbody>)";
    for (const auto& d : m.data) {
      out += fmt::format(R"(<tr><td><code>{}</code></td><td>{}</td></tr>)", esc(d.name), esc(d.retrieved));
    }
    out += "</tbody></table>";
  }

  const auto& s = r.inventory;
  out += R"(<h3>Inventory</h3><table id="inventory"><tbody>)";
  const std::vector<std::pair<const char*, std::uint64_t>> rows = {{"files", s.files},
                                                                   {"directories", s.directories},
                                                                   {"symlinks", s.symlinks},
                                                                   {"devices", s.devices},
                                                                   {"other", s.other},
                                                                   {"hard links", s.hardlinks},
                                                                   {"bytes", s.bytes},
                                                                   {"ELF", s.elf},
                                                                   {"setuid", s.setuid},
                                                                   {"setgid", s.setgid},
                                                                   {"world-writable", s.world_writable},
                                                                   {"file capabilities", s.capabilities},
                                                                   {"SELinux labels", s.selinux_labels}};
  for (const auto& [name, n] : rows) out += fmt::format("<tr><th>{}</th><td class=\"num\">{}</td></tr>", name, n);
  out += "</tbody></table>";
  if (!s.kinds.empty()) {
    std::vector<std::string> kinds;
    for (const auto& [k, n] : s.kinds) kinds.push_back(fmt::format("{} {}", esc(k), n));
    out += R"(<p class="facts">File kinds: )" + join(kinds, ", ") + "</p>";
  }
  return out + "</section>\n";
}

std::string diagnostics_section(const Report& r) {
  std::string out = R"(<section id="diagnostics"><h2>Diagnostics</h2>)";
  out +=
      r.target.partial
          ? R"(<p class="banner partial" id="partial"><strong>The target was read partially:</strong> a warning or error below means some of it could not be read, and findings may be missing.</p>)"
          : R"(<p class="banner ok" id="partial">The target was read completely (no warning or error).</p>)";
  if (r.target.diagnostics.empty()) return out + R"(<p class="none">No diagnostics.</p></section>)";
  out += R"(<table id="diagnostic-table"><thead><tr><th>level</th><th>path</th><th>message</th></tr></thead><tbody>)";
  for (const auto& d : r.target.diagnostics) {
    out += fmt::format(R"(<tr data-level="{0}"><td>{0}</td><td><code>{1}</code></td><td>{2}</td></tr>)",
                       to_string(d.level), esc(d.path), esc(d.message));
  }
  return out + "</tbody></table></section>\n";
}

}  // namespace

std::string to_html(const Report& r) {
  const std::string name = base_name(r.target.path);
  const auto& m = r.metadata;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"" + content_security_policy() + "\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"referrer\" content=\"no-referrer\">\n";
  out += fmt::format("<meta name=\"generator\" content=\"{}\">\n", esc(r.tool.name + " " + r.tool.version));
  out += fmt::format("<title>fwcert report: {}</title>\n", esc(name.empty() ? r.target.path : name));
  out += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  out += fmt::format("<header><h1>fwcert report: <code>{}</code></h1>", esc(name.empty() ? r.target.path : name));
  out += fmt::format(R"(<p class="sub">{} (profile <code>{}</code>) &middot; assessed {} &middot; {} {}</p>)",
                     esc(m.profile_title.empty() ? r.profile : m.profile_title),
                     esc(m.profile.empty() ? r.profile : m.profile), esc(m.assessment_date), esc(r.tool.name),
                     esc(r.tool.version));
  if (!m.product.product.empty() || !m.product.firmware_version.empty()) {
    out += fmt::format(R"(<p class="sub">{} {} firmware {}</p>)", esc(m.product.product), esc(m.product.model),
                       esc(m.product.firmware_version));
  }
  out += "</header>\n";
  out += R"(<nav><ul><li><a href="#summary">Summary</a></li><li><a href="#requirements">Requirements</a></li>)"
         R"(<li><a href="#attestations">Attestations</a></li><li><a href="#waivers">Waivers</a></li>)"
         R"(<li><a href="#components">Components</a></li><li><a href="#vulnerabilities">Vulnerabilities</a></li>)"
         R"(<li><a href="#metadata">Scan metadata</a></li><li><a href="#diagnostics">Diagnostics</a></li></ul></nav>)"
         "\n<main>\n";
  out += summary_section(r);
  out += requirements_section(r);
  out += attestations_section(r);
  out += waivers_section(r);
  out += components_section(r);
  out += vulnerabilities_section(r);
  out += metadata_section(r);
  out += diagnostics_section(r);
  out += "</main>\n";
  out += fmt::format(
      "<footer>Written by {} {}. This file is self-contained: it loads nothing, and its policy forbids any other "
      "script, style, image or connection. Every name and value from the target is shown as text.</footer>\n",
      esc(r.tool.name), esc(r.tool.version));
  out += "<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace fwcert::report
