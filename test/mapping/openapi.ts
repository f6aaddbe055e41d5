/**
 * Validates objects against the official Sentinel OpenAPI definitions in test/fixtures/official (2025-09-01),
 * with every `$ref` resolved to the local copies of the spec files.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { FIXTURES_ROOT } from "../helpers/fixtures";

const SPEC_ROOT = join(FIXTURES_ROOT, "sentinel/spec");
const RP = "securityinsights/resource-manager/Microsoft.SecurityInsights/SecurityInsights";
const STABLE = `${RP}/stable/2025-09-01`;

/** Spec files by path below sentinel/spec/ (which mirrors the repository below specification/). */
const FILES = [
  `${STABLE}/Incidents.json`,
  `${STABLE}/common/IncidentTypes.json`,
  `${STABLE}/common/AlertTypes.json`,
  `${STABLE}/common/EntityTypes.json`,
  `${RP}/common/2.0/types.json`,
  "common-types/resource-management/v5/types.json",
];

const BASE = "https://spec.local/specification/";

function createAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, discriminator: false });
  addFormats(ajv);
  // Swagger/ARM formats without a standard validator.
  ajv.addFormat("arm-id", true);
  ajv.addFormat("int64", true);
  for (const file of FILES) {
    const schema = JSON.parse(readFileSync(join(SPEC_ROOT, file), "utf8")) as Record<string, unknown>;
    ajv.addSchema({ ...schema, $id: BASE + file });
  }
  // Quirk S1: common/EntityTypes.json refers to the ARM common types one directory level short for this layout.
  // Register the intended file under the URI that reference resolves to.
  const s1 = new URL("../../../../../../common-types/resource-management/v5/types.json", BASE + FILES[3])
    .href;
  if (ajv.getSchema(s1) === undefined) {
    const schema = JSON.parse(readFileSync(join(SPEC_ROOT, FILES[5]!), "utf8")) as Record<string, unknown>;
    ajv.addSchema({ ...schema, $id: s1 });
  }
  return ajv;
}

let cached: { ajv: Ajv; incidentProperties: ValidateFunction } | undefined;

function load() {
  if (cached === undefined) {
    const ajv = createAjv();
    const incidentProperties = ajv.getSchema(
      `${BASE}${STABLE}/Incidents.json#/definitions/IncidentProperties`,
    );
    if (incidentProperties === undefined) throw new Error("IncidentProperties not found in the spec");
    cached = { ajv, incidentProperties };
  }
  return cached;
}

/** Errors of `value` against the spec's IncidentProperties, or [] when valid. */
export function incidentPropertiesErrors(value: unknown): string[] {
  const validate = load().incidentProperties;
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}

/** Compiles another definition of Incidents.json (e.g. "Incident"). */
export function incidentsDefinition(name: string): ValidateFunction {
  const v = load().ajv.getSchema(`${BASE}${STABLE}/Incidents.json#/definitions/${name}`);
  if (v === undefined) throw new Error(`${name} not found`);
  return v;
}
