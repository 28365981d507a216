#!/usr/bin/env node
// Validates a CycloneDX JSON document against the official CycloneDX JSON schema of its
// specVersion, with the strict validator of @cyclonedx/cyclonedx-library (the schemas ship in
// that package; ajv, ajv-formats and ajv-formats-draft2019 do the checking).
//
// usage: node tests/validate/validate-cyclonedx.mjs BOM.json
// exit:  0 valid, 1 invalid (the errors printed as JSON), 2 usage or I/O error
import { readFileSync } from "node:fs";
import { Spec, Validation } from "@cyclonedx/cyclonedx-library";

if (process.argv.length !== 3) {
  console.error("usage: validate-cyclonedx.mjs BOM.json");
  process.exit(2);
}
let text, version;
try {
  text = readFileSync(process.argv[2], "utf8");
  version = JSON.parse(text).specVersion;
} catch (e) {
  console.error(`validate-cyclonedx: ${process.argv[2]}: ${e.message}`);
  process.exit(2);
}
if (!Object.values(Spec.Version).includes(version)) {
  console.error(`validate-cyclonedx: unknown specVersion ${JSON.stringify(version)}`);
  process.exit(1);
}
const errors = await new Validation.JsonStrictValidator(version).validate(text);
if (errors === null) {
  console.log(`valid CycloneDX ${version}`);
  process.exit(0);
}
console.log(JSON.stringify(errors, null, 2));
process.exit(1);
