#!/usr/bin/env node
// Validates a JSON document against a JSON Schema with ajv, the way the schema asks to be read:
// the draft comes from the schema's own "$schema" (draft-04, as the OASIS SARIF 2.1.0 schema
// declares, draft-07, or 2020-12), and "format" keywords are checked (ajv-formats).
//
// usage: node tests/validate/validate-json.mjs SCHEMA.json DOCUMENT.json
// exit:  0 valid, 1 invalid (every error printed as "instancePath: message"), 2 usage or I/O error
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import Ajv2020 from "ajv/dist/2020.js";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";

function load(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    console.error(`validate-json: ${path}: ${e.message}`);
    process.exit(2);
  }
}

if (process.argv.length !== 4) {
  console.error("usage: validate-json.mjs SCHEMA.json DOCUMENT.json");
  process.exit(2);
}
const schema = load(process.argv[2]);
const doc = load(process.argv[3]);
const draft = String(schema.$schema ?? "");
// strict: false because the official SARIF schema trips ajv's schema-authoring lints (a "required"
// name under anyOf that its own "properties" does not list); validation itself is unaffected.
const options = { allErrors: true, strict: false };
let ajv;
if (draft.includes("draft-04")) {
  ajv = new AjvDraft04(options);
} else if (draft.includes("2020-12")) {
  ajv = new Ajv2020(options);
} else if (draft === "" || draft.includes("draft-07")) {
  ajv = new Ajv(options);
} else {
  console.error(`validate-json: unsupported schema draft ${draft}`);
  process.exit(2);
}
addFormats(ajv);
let validate;
try {
  validate = ajv.compile(schema);
} catch (e) {
  console.error(`validate-json: schema does not compile: ${e.message}`);
  process.exit(2);
}
if (validate(doc)) {
  console.log("valid");
  process.exit(0);
}
for (const err of validate.errors) {
  console.log(`${err.instancePath || "/"}: ${err.message} ${JSON.stringify(err.params)}`);
}
process.exit(1);
