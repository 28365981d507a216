#!/usr/bin/env node
// Opens fwcert's HTML report in headless Chromium (Debian's chromium package, driven by
// playwright-core; no browser is ever downloaded) and checks what a lab relies on:
//   - one requirement row per requirement of the JSON report of the same scan, in the same
//     order, each with the JSON's verdict (data attribute, class and the badge's text);
//   - clicking a requirement's summary shows its first finding's evidence path;
//   - the verdict chart's segments add up to the number of requirements;
//   - no console error or warning, no page error, no dialog, and no network request at all
//     (every request other than the file:// load of the report fails the test);
//   - print media expands every requirement, and page.pdf() writes a PDF;
//   - a full-page screenshot (and the PDF) are saved under ARTEFACT_DIR and their paths printed.
// With HOSTILE.html (the report of a tree whose file names and values carry script), also that
// the planted strings are shown as text and that none of them ran.
//
// usage: node tests/browser/html_report.mjs REPORT.html REPORT.json ARTEFACT_DIR [HOSTILE.html]
// exit:  0 all checks passed, 1 a check failed (each failure printed), 2 usage or setup error
import { mkdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [reportHtml, reportJson, artefactDir, hostileHtml] = process.argv.slice(2);
if (!reportHtml || !reportJson || !artefactDir) {
  console.error("usage: html_report.mjs REPORT.html REPORT.json ARTEFACT_DIR [HOSTILE.html]");
  process.exit(2);
}
const executablePath = process.env.FWCERT_CHROMIUM ?? "/usr/bin/chromium";
// Strings the hostile tree plants (tests/cli/cli_html_report_test.cpp): shown, never run.
const kPlanted = [
  "/etc/<script>window.__pwned=1</script>",
  '/bin/"><img src=x onerror=window.__pwned=2>',
  'shell /bin/sh"onerror=window.__pwned=3 <b>x</b>',
];

const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
};
const watchdog = setTimeout(() => {
  console.error("html_report: timed out after 60 s");
  process.exit(1);
}, 60_000);

let json;
try {
  json = JSON.parse(readFileSync(reportJson, "utf8"));
} catch (e) {
  console.error(`html_report: ${reportJson}: ${e.message}`);
  process.exit(2);
}

let browser;
try {
  browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
} catch (e) {
  console.error(`html_report: cannot start ${executablePath}: ${e.message}`);
  process.exit(2);
}

/// A page that records every console message, page error, dialog and request but the report's own load.
async function open(file) {
  const url = pathToFileURL(path.resolve(file)).href;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const log = { console: [], errors: [], dialogs: [], requests: [] };
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") log.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => log.errors.push(String(e)));
  page.on("dialog", async (d) => {
    log.dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss();
  });
  page.on("request", (r) => {
    if (r.url() !== url) log.requests.push(`request: ${r.url()}`);
  });
  await context.route("**", (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    log.requests.push(`routed: ${u}`);
    return route.abort();
  });
  await page.goto(url, { waitUntil: "load" });
  return { page, log, file };
}

function checkClean({ log, file }) {
  const name = path.basename(file);
  check(log.console.length === 0, `${name}: console messages: ${log.console.join(" | ")}`);
  check(log.errors.length === 0, `${name}: page errors: ${log.errors.join(" | ")}`);
  check(log.dialogs.length === 0, `${name}: dialogs opened: ${log.dialogs.join(" | ")}`);
  check(log.requests.length === 0, `${name}: network requests: ${log.requests.join(" | ")}`);
}

// ---- the report of the demo firmware --------------------------------------------------------
const demo = await open(reportHtml);
const { page } = demo;
const rows = await page.$$eval("details.req", (els) =>
  els.map((e) => ({
    id: e.dataset.requirement,
    verdict: e.dataset.verdict,
    cls: [...e.classList].find((c) => c.startsWith("v-")),
    badge: e.querySelector(":scope > summary .verdict")?.textContent.trim(),
  })),
);
check(rows.length === json.requirements.length,
      `requirement rows: ${rows.length} in the DOM, ${json.requirements.length} in the JSON`);
json.requirements.forEach((q, i) => {
  const row = rows[i] ?? {};
  check(row.id === q.id, `row ${i}: id ${row.id}, JSON ${q.id}`);
  check(row.verdict === q.verdict && row.cls === `v-${q.verdict}` && row.badge === q.verdict,
        `row ${i} (${q.id}): verdict ${row.verdict}/${row.cls}/${row.badge}, JSON ${q.verdict}`);
});

const chartTotal = await page.$$eval("#chart-verdicts g.bar:first-of-type rect.seg",
                                     (els) => els.reduce((n, e) => n + Number(e.dataset.count), 0));
check(chartTotal === json.requirements.length,
      `verdict chart adds up to ${chartTotal}, JSON has ${json.requirements.length} requirements`);

// The first requirement with a failing finding that names a file: its evidence path appears on click.
let target;
for (const q of json.requirements) {
  for (const c of q.checks) {
    const f = json.findings.find((x) => x.check === c && x.status === "fail" && x.evidence.length > 0);
    if (f && !target) target = { id: q.id, check: c, path: f.evidence[0].path };
  }
}
check(target !== undefined, "no requirement with a failing finding and evidence in the JSON");
if (target) {
  const req = page.locator(`details.req[data-requirement="${target.id}"]`);
  const cell = req.locator(`section.check[data-check="${target.check}"] table.evidence td code`).first();
  check(!(await cell.isVisible()), `${target.id}: evidence visible before expanding`);
  await req.locator(":scope > summary").click();
  check(await req.evaluate((e) => e.open), `${target.id}: not open after a click on its summary`);
  check(await cell.isVisible(), `${target.id}: evidence not visible after expanding`);
  check((await cell.textContent()) === target.path,
        `${target.id}: evidence shows ${await cell.textContent()}, JSON ${target.path}`);
}

mkdirSync(artefactDir, { recursive: true });
const png = path.join(artefactDir, "report.png");
await page.screenshot({ path: png, fullPage: true });

// Print: every requirement's body is rendered without a click, and the PDF is written.
const closed = page.locator("details.req:not([open])").first();
const closedEvidence = closed.locator(".req-body").first();
check(!(await closedEvidence.isVisible()), "a closed requirement's body is visible on screen");
await page.emulateMedia({ media: "print" });
check(await closedEvidence.isVisible(), "print media does not expand a closed requirement");
const pdf = path.join(artefactDir, "report.pdf");
const bytes = await page.pdf({ path: pdf, format: "A4", printBackground: true });
check(bytes.length > 20_000 && bytes.subarray(0, 5).toString() === "%PDF-", `PDF of ${bytes.length} bytes`);
await page.emulateMedia({ media: "screen" });

// The inline script ran under the page's policy: it shows the buttons, and they open and close every row.
const scriptRan = await page.locator("#tools").isVisible();
check(scriptRan, "expand/collapse buttons hidden: the inline script did not run");
if (scriptRan) {
  await page.click("#expand-all");
  check(await page.$$eval("details.req", (els) => els.every((e) => e.open)), "expand all left a row closed");
  await page.click("#collapse-all");
  check(await page.$$eval("details.req", (els) => els.every((e) => !e.open)), "collapse all left a row open");
}
checkClean(demo);

// ---- hostile names and values -----------------------------------------------------------------
if (hostileHtml) {
  const hostile = await open(hostileHtml);
  await hostile.page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
  const pwned = await hostile.page.evaluate(() => window.__pwned);
  check(pwned === undefined, `planted script ran: window.__pwned = ${pwned}`);
  const text = await hostile.page.evaluate(() => document.body.innerText);
  for (const s of kPlanted) check(text.includes(s), `planted string not shown as text: ${s}`);
  const injected = await hostile.page.evaluate(() => ({
    scripts: document.scripts.length,
    imgs: document.images.length,
    bold: document.querySelectorAll("b").length,
    handlers: [...document.querySelectorAll("*")].filter((e) => [...e.attributes].some((a) => a.name.startsWith("on"))).length,
  }));
  check(injected.scripts === 1 && injected.imgs === 0 && injected.bold === 0 && injected.handlers === 0,
        `elements injected by the image: ${JSON.stringify(injected)}`);
  checkClean(hostile);
}

await browser.close();
clearTimeout(watchdog);
if (failures.length) {
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exit(1);
}
console.log(`html_report: ${rows.length} requirement rows match the JSON; no console error, no request`);
console.log(`screenshot: ${png} (${statSync(png).size} bytes)`);
console.log(`pdf: ${pdf} (${statSync(pdf).size} bytes)`);
