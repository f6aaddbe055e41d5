/**
 * Validates Sentinel request and response bodies against the official OpenAPI (Swagger 2.0) documents in
 * test/fixtures/official/sentinel/spec, with ajv and every `$ref` resolved against the local files.
 *
 * - All spec files are registered with ajv under their `file://` URL, so relative `$ref`s resolve as they do
 *   in azure-rest-api-specs.
 * - Quirk S1: `common/EntityTypes.json` refers to common-types one directory level too shallow for the new
 *   layout. Any `$ref` that lands on a missing `.../common-types/...` file is aliased to the real
 *   `sentinel/spec/common-types/...` file instead of editing the fixtures.
 * - Request validation treats `readOnly: true` as "must not be sent" (what Azure's own `oav` validator reports
 *   as READONLY_PROPERTY_NOT_ALLOWED_IN_REQUEST); response validation ignores it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { FIXTURES_ROOT } from "./fixtures";

const SPEC_ROOT = join(FIXTURES_ROOT, "sentinel/spec");
const EXAMPLES_ROOT = join(FIXTURES_ROOT, "sentinel/examples");
/** The document that holds the Incidents / IncidentComments operations (api-version 2025-09-01). */
export const INCIDENTS_SPEC_PATH = join(
  SPEC_ROOT,
  "securityinsights/resource-manager/Microsoft.SecurityInsights/SecurityInsights/stable/2025-09-01/Incidents.json",
);

type Json = Record<string, unknown>;

export interface SpecValidationResult {
  valid: boolean;
  /** `"<instancePath> <message>"` per ajv error; empty when valid. */
  errors: string[];
  /** The raw ajv errors. */
  ajvErrors: ErrorObject[];
}

export interface SentinelOperation {
  operationId: string;
  method: string;
  path: string;
  /** The operation object as written in Incidents.json. */
  operation: Json;
}

export interface RequestExample {
  /** Path of the example file relative to test/fixtures/official. */
  file: string;
  /** The body parameter's value in the example's `parameters`. */
  body: unknown;
}

function walkJsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walkJsonFiles(full));
    else if (name.endsWith(".json")) out.push(full);
  }
  return out;
}

function collectRefs(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, out);
  } else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      // x-ms-examples refs point at example files, which are not schemas (they live under sentinel/examples).
      if (key === "x-ms-examples") continue;
      if (key === "$ref" && typeof value === "string") out.add(value);
      else collectRefs(value, out);
    }
  }
}

function escapePointerToken(token: string): string {
  return encodeURIComponent(token.replace(/~/g, "~0").replace(/\//g, "~1"));
}

function resolvePointer(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const raw of pointer.replace(/^#\/?/, "").split("/").filter(Boolean)) {
    const token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = (node as Json | undefined)?.[token];
  }
  return node;
}

interface LoadedSpec {
  /** file URL (no fragment) → parsed document */
  documents: Map<string, Json>;
  /** file URL a broken ref points to → file URL actually used (quirk S1) */
  aliases: Map<string, string>;
  requestAjv: Ajv;
  responseAjv: Ajv;
}

let loaded: LoadedSpec | undefined;

function createAjv(forRequests: boolean): Ajv {
  // strict: false because Swagger 2.0 carries keywords ajv does not know (x-ms-*, discriminator as a string).
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
  addFormats(ajv);
  ajv.addFormat("arm-id", { type: "string", validate: (s: string) => s.startsWith("/") });
  if (forRequests) {
    ajv.removeKeyword("readOnly");
    ajv.addKeyword({
      keyword: "readOnly",
      schemaType: "boolean",
      error: { message: "is read-only and must not be sent in a request" },
      validate: (readOnly: boolean) => !readOnly,
    });
  }
  return ajv;
}

function load(): LoadedSpec {
  if (loaded) return loaded;
  const documents = new Map<string, Json>();
  for (const file of walkJsonFiles(SPEC_ROOT)) {
    documents.set(pathToFileURL(file).href, JSON.parse(readFileSync(file, "utf8")) as Json);
  }
  const aliases = new Map<string, string>();
  for (const [url, doc] of documents) {
    const refs = new Set<string>();
    collectRefs(doc, refs);
    for (const ref of refs) {
      const target = new URL(ref, url);
      target.hash = "";
      if (documents.has(target.href)) continue;
      const idx = target.pathname.indexOf("/common-types/");
      const fixed = idx >= 0 ? pathToFileURL(join(SPEC_ROOT, target.pathname.slice(idx))).href : undefined;
      if (!fixed || !documents.has(fixed)) {
        throw new Error(`Unresolvable $ref ${ref} in ${url}`);
      }
      aliases.set(target.href, fixed);
    }
  }
  const requestAjv = createAjv(true);
  const responseAjv = createAjv(false);
  for (const ajv of [requestAjv, responseAjv]) {
    for (const [url, doc] of documents) ajv.addSchema(doc, url);
    for (const [alias, real] of aliases) ajv.addSchema(structuredClone(documents.get(real)!), alias);
  }
  loaded = { documents, aliases, requestAjv, responseAjv };
  return loaded;
}

/** The `$ref` targets that had to be redirected because of quirk S1 (broken → real file URL). */
export function specRefAliases(): ReadonlyMap<string, string> {
  return load().aliases;
}

function incidentsDoc(): { url: string; doc: Json } {
  const url = pathToFileURL(INCIDENTS_SPEC_PATH).href;
  return { url, doc: load().documents.get(url)! };
}

/** Finds an operation of Incidents.json by `operationId`; throws if there is none. */
export function findSentinelOperation(operationId: string): SentinelOperation {
  const { doc } = incidentsDoc();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const [method, operation] of Object.entries(item)) {
      if ((operation as Json | undefined)?.operationId === operationId) {
        return { operationId, method: method.toUpperCase(), path, operation: operation as Json };
      }
    }
  }
  throw new Error(`No operation ${operationId} in Incidents.json`);
}

/** JSON pointer (as a URI fragment) of the body parameter's schema, plus the parameter's name. */
function bodyParameter(op: SentinelOperation): { pointer: string; docUrl: string; name: string } {
  const { url } = incidentsDoc();
  const params = (op.operation.parameters ?? []) as Json[];
  for (let i = 0; i < params.length; i++) {
    const param = params[i]!;
    if (typeof param.$ref === "string") {
      const target = new URL(param.$ref, url);
      const fragment = target.hash;
      target.hash = "";
      const docUrl = target.href;
      const resolved = resolvePointer(load().documents.get(docUrl), fragment) as Json | undefined;
      if (resolved?.in === "body") {
        return { pointer: `${fragment}/schema`, docUrl, name: String(resolved.name) };
      }
    } else if (param.in === "body") {
      const pointer = `#/paths/${escapePointerToken(op.path)}/${op.method.toLowerCase()}/parameters/${i}/schema`;
      return { pointer, docUrl: url, name: String(param.name) };
    }
  }
  throw new Error(`${op.operationId} has no body parameter`);
}

const validators = new Map<string, ValidateFunction>();

function validatorFor(ajv: Ajv, key: string, ref: string): ValidateFunction {
  let v = validators.get(key);
  if (!v) {
    v = ajv.compile({ $ref: ref });
    validators.set(key, v);
  }
  return v;
}

function result(validate: ValidateFunction, body: unknown): SpecValidationResult {
  const valid = validate(body) as boolean;
  const ajvErrors = valid ? [] : [...(validate.errors ?? [])];
  return {
    valid,
    errors: ajvErrors.map((e) => `${e.instancePath || "(root)"} ${e.message ?? e.keyword}`),
    ajvErrors,
  };
}

/**
 * Validates a request body against the body parameter schema of `operationId` in Incidents.json
 * (e.g. `Incidents_CreateOrUpdate` → `#/definitions/Incident`). Read-only properties count as errors.
 */
export function validateSentinelRequestBody(operationId: string, body: unknown): SpecValidationResult {
  const op = findSentinelOperation(operationId);
  const param = bodyParameter(op);
  const validate = validatorFor(load().requestAjv, `req:${operationId}`, `${param.docUrl}${param.pointer}`);
  return result(validate, body);
}

/** Validates a response body against the schema of `status` of `operationId` (read-only properties allowed). */
export function validateSentinelResponseBody(
  operationId: string,
  status: number,
  body: unknown,
): SpecValidationResult {
  const op = findSentinelOperation(operationId);
  const responses = op.operation.responses as Record<string, Json>;
  const response = responses[String(status)] ?? responses.default;
  if (!response?.schema) throw new Error(`${operationId} has no schema for status ${status}`);
  const { url } = incidentsDoc();
  const code = responses[String(status)] ? String(status) : "default";
  const pointer = `#/paths/${escapePointerToken(op.path)}/${op.method.toLowerCase()}/responses/${code}/schema`;
  const validate = validatorFor(load().responseAjv, `res:${operationId}:${code}`, `${url}${pointer}`);
  return result(validate, body);
}

/**
 * The request bodies of the operation's `x-ms-examples` (the examples live apart from the spec, under
 * sentinel/examples; their `parameters` use the body-parameter name, e.g. `incident`, `incidentComment`).
 */
export function sentinelRequestExamples(operationId: string): RequestExample[] {
  const op = findSentinelOperation(operationId);
  const { name } = bodyParameter(op);
  const examples = (op.operation["x-ms-examples"] ?? {}) as Record<string, { $ref: string }>;
  return Object.values(examples).map(({ $ref }) => {
    const rel = $ref.replace(/^\.\/examples\//, "");
    const example = JSON.parse(readFileSync(join(EXAMPLES_ROOT, rel), "utf8")) as { parameters: Json };
    if (!(name in example.parameters)) throw new Error(`${rel} has no parameter ${name}`);
    return { file: `sentinel/examples/${rel}`, body: example.parameters[name] };
  });
}

/** The example response bodies of the operation's `x-ms-examples`, by status code. */
export function sentinelResponseExamples(
  operationId: string,
): { file: string; status: number; body: unknown }[] {
  const op = findSentinelOperation(operationId);
  const examples = (op.operation["x-ms-examples"] ?? {}) as Record<string, { $ref: string }>;
  return Object.values(examples).flatMap(({ $ref }) => {
    const rel = $ref.replace(/^\.\/examples\//, "");
    const example = JSON.parse(readFileSync(join(EXAMPLES_ROOT, rel), "utf8")) as {
      responses: Record<string, { body?: unknown }>;
    };
    return Object.entries(example.responses)
      .filter(([, r]) => r.body !== undefined)
      .map(([status, r]) => ({ file: `sentinel/examples/${rel}`, status: Number(status), body: r.body }));
  });
}

/** The document that holds the AlertRules operations (api-version 2025-09-01). */
export const ALERT_RULES_SPEC_PATH = join(
  SPEC_ROOT,
  "securityinsights/resource-manager/Microsoft.SecurityInsights/SecurityInsights/stable/2025-09-01/AlertRules.json",
);

/**
 * Validates `body` against `#/definitions/<definition>` of a spec document under sentinel/spec, e.g.
 * `validateSentinelDefinition(ALERT_RULES_SPEC_PATH, "ScheduledAlertRule", body)`. In `request` mode read-only
 * properties count as errors, as in `validateSentinelRequestBody`.
 */
export function validateSentinelDefinition(
  specPath: string,
  definition: string,
  body: unknown,
  mode: "request" | "response" = "request",
): SpecValidationResult {
  const url = pathToFileURL(specPath).href;
  const doc = load().documents.get(url) as { definitions?: Json } | undefined;
  if (!doc?.definitions?.[definition]) throw new Error(`No definition ${definition} in ${specPath}`);
  const ajv = mode === "request" ? load().requestAjv : load().responseAjv;
  return result(
    validatorFor(ajv, `def:${mode}:${url}#${definition}`, `${url}#/definitions/${definition}`),
    body,
  );
}
