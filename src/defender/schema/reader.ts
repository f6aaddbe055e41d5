/**
 * The fast reader behind the exported Defender schemas, compiled from the same plain zod shapes (see
 * `fields.ts`). It checks and normalizes a payload in one walk and copies only objects that change (enum
 * spelling, int64 strings, lists defaulted to `[]`, canonical evidence `@odata.type`): a parsed incident shares
 * its unchanged alerts and evidence with the JSON it was read from. zod's own object parsing costs several
 * times `JSON.parse` on evidence-heavy incidents; this walk costs a fraction of it.
 *
 * Tolerance: a list marked `tolerant` keeps an item that fails (an alert raw, evidence generic) and records a
 * warning instead of an issue, and so do an entity's `tolerantFields`.
 */
import { type DefenderParseWarning, markGenericEvidence } from "../parseWarnings";
import { intFromWire, isGraphDateTime } from "./fields";
import { canonicalOdataType, odataTypeKey } from "./odataType";
import {
  enumEntry,
  evidenceEntryFor,
  type FieldSpec,
  fieldSpecOf,
  type TypeEntry,
  typeEntry,
  type ValueKind,
} from "./registry";

export interface ReadIssue {
  path: (string | number)[];
  message: string;
}

/** State of one parse: where the walk is, what failed, what was tolerated. */
export class ReadState {
  readonly path: (string | number)[] = [];
  readonly issues: ReadIssue[] = [];
  readonly warnings: DefenderParseWarning[] = [];
  incidentId: string | undefined;
  alertId: string | undefined;
}

/** Reads `value`, found under `key` of the current path (`undefined` at the root). Returns the value to keep. */
export type Reader = (value: unknown, st: ReadState, key: string | number | undefined) => unknown;

/** `top`: an evidence item must name its type in `@odata.type`; `nested`: the holding property declares it. */
export type Mode = "top" | "nested";

const BASE_EVIDENCE_TYPE = canonicalOdataType("alertEvidence");
const MAX_ISSUES_IN_WARNING = 3;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function received(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

function fail(st: ReadState, key: string | number | undefined, message: string, value: unknown): unknown {
  st.issues.push({ path: key === undefined ? [...st.path] : [...st.path, key], message });
  return value;
}

function expected(what: string, value: unknown): string {
  return `Invalid input: expected ${what}, received ${received(value)}`;
}

export function pathText(path: readonly (string | number)[]): string {
  return path.join(".");
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function warn(st: ReadState, warning: Omit<DefenderParseWarning, "incidentId" | "alertId">): void {
  st.warnings.push({
    ...warning,
    ...(st.incidentId !== undefined && { incidentId: st.incidentId }),
    ...(st.alertId !== undefined && { alertId: st.alertId }),
  });
}

function issueSummary(issues: readonly ReadIssue[]): { path: string; message: string }[] {
  return issues.slice(0, MAX_ISSUES_IN_WARNING).map((i) => ({ path: pathText(i.path), message: i.message }));
}

// ---------------------------------------------------------------------------------------------------------------
// Scalars

const readString: Reader = (v, st, key) =>
  typeof v === "string" ? v : fail(st, key, expected("string", v), v);

const readDateTime: Reader = (v, st, key) => {
  if (typeof v !== "string") return fail(st, key, expected("string", v), v);
  return isGraphDateTime(v) ? v : fail(st, key, "Invalid date-time", v);
};

const readInt: Reader = (v, st, key) =>
  typeof v === "number" || typeof v === "string" ? intFromWire(v) : fail(st, key, expected("number", v), v);

const readDouble: Reader = (v, st, key) =>
  typeof v === "number" ? v : fail(st, key, expected("number", v), v);

const readBoolean: Reader = (v, st, key) =>
  typeof v === "boolean" ? v : fail(st, key, expected("boolean", v), v);

const readDictionary: Reader = (v, st, key) =>
  isPlainObject(v) ? v : fail(st, key, expected("record", v), v);

function enumReader(enumName: string): Reader {
  const { values, aliases } = enumEntry(enumName);
  const lookup = new Map<string, string>();
  for (const v of values) lookup.set(v.toLowerCase(), v);
  for (const [alias, v] of Object.entries(aliases)) lookup.set(alias.toLowerCase(), v);
  // Exact spellings first: the common case needs no lower-casing.
  for (const v of values) lookup.set(v, v);
  return (v, st, key) => {
    if (typeof v !== "string") return fail(st, key, expected("string", v), v);
    const known = lookup.get(v) ?? lookup.get(v.toLowerCase());
    if (known !== undefined) return known;
    const path = key === undefined ? st.path : [...st.path, key];
    warn(st, {
      code: "enumValueUnknown",
      message: `Unknown ${enumName} value "${clip(v, 64)}" kept as sent`,
      path: pathText(path),
      enumName,
      value: clip(v, 64),
    });
    return v;
  };
}

/** `@odata.type` of an evidence type: any spelling of its name in, the canonical spelling out. */
function odataTypeReader(typeName: string): Reader {
  const canonical = canonicalOdataType(typeName);
  const key = typeName.toLowerCase();
  return (v, st, k) => {
    if (typeof v !== "string") return fail(st, k, expected("string", v), v);
    if (v === canonical || odataTypeKey(v) === key) return canonical;
    return fail(st, k, `Expected @odata.type ${canonical}`, v);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Lists

function listReader(item: Reader): Reader {
  return (v, st, key) => {
    if (!Array.isArray(v)) return fail(st, key, expected("array", v), v);
    if (key !== undefined) st.path.push(key);
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const before = v[i];
      const after = item(before, st, i);
      if (out !== undefined) out.push(after);
      else if (after !== before) {
        out = v.slice(0, i);
        out.push(after);
      }
    }
    if (key !== undefined) st.path.pop();
    return out ?? v;
  };
}

/** Runs `read`; when it fails, drops what it recorded and returns the issues instead. */
function attempt(read: () => unknown, st: ReadState): { value: unknown; issues: ReadIssue[] | undefined } {
  const issuesBefore = st.issues.length;
  const warningsBefore = st.warnings.length;
  const value = read();
  if (st.issues.length === issuesBefore) return { value, issues: undefined };
  const issues = st.issues.splice(issuesBefore);
  st.warnings.length = warningsBefore;
  return { value, issues };
}

function here(st: ReadState, key: string | number | undefined): string {
  return pathText(key === undefined ? st.path : [...st.path, key]);
}

function genericEvidence(
  st: ReadState,
  item: unknown,
  key: string | number | undefined,
  reason: string,
  extra: object,
): unknown {
  const type = (item as { "@odata.type"?: unknown })["@odata.type"];
  const kept = typeof type === "string" ? item : { ...(item as object), "@odata.type": BASE_EVIDENCE_TYPE };
  markGenericEvidence(kept);
  const typeText = typeof type === "string" ? clip(type, 128) : undefined;
  const what =
    reason === "noType"
      ? "Evidence without @odata.type"
      : reason === "unknownType"
        ? `Evidence of unknown type ${typeText}`
        : `Evidence ${typeText ?? "without @odata.type"} that does not match its schema`;
  warn(st, {
    code: "evidenceKeptGeneric",
    message: `${what} kept as generic evidence`,
    path: here(st, key),
    reason,
    ...(typeText !== undefined && { evidenceType: typeText }),
    ...extra,
  });
  return kept;
}

/**
 * One item of `alert.evidence`, dispatched on `@odata.type` to its type; without a type, or of a type this
 * package does not know, it is read as the base type (and gets the base type's name when it had none). Unless
 * `strict`, an item that is not an object or fails its type is kept generic with a warning instead of failing.
 */
export function readEvidenceItem(
  item: unknown,
  st: ReadState,
  key: string | number | undefined,
  strict: boolean,
): unknown {
  if (!isPlainObject(item)) {
    if (strict) return fail(st, key, expected("object", item), item);
    warn(st, {
      code: "evidenceKeptGeneric",
      message: "Evidence item that is not an object kept as sent",
      path: here(st, key),
      reason: "notAnObject",
    });
    return item;
  }
  const type = item["@odata.type"];
  const entry = typeof type === "string" ? evidenceEntryFor(type) : undefined;
  const read = objectReader(entry?.name ?? "alertEvidence", entry === undefined ? "nested" : "top");
  const { value, issues } = attempt(() => read(item, st, key), st);
  if (issues !== undefined) {
    if (strict) {
      st.issues.push(...issues);
      return item;
    }
    return genericEvidence(st, item, key, "malformed", { issues: issueSummary(issues) });
  }
  if (entry === undefined)
    return genericEvidence(st, value, key, typeof type === "string" ? "unknownType" : "noType", {});
  if (entry.name === "alertEvidence") markGenericEvidence(value);
  return value;
}

/** Evidence of a type this package does not model; a known type is refused rather than downgraded. */
export const readUnknownEvidence: Reader = (v, st, key) => {
  const type = isPlainObject(v) ? v["@odata.type"] : undefined;
  const entry = typeof type === "string" ? evidenceEntryFor(type) : undefined;
  if (typeof type !== "string")
    return fail(st, key === undefined ? "@odata.type" : key, expected("string", type), v);
  if (entry !== undefined && entry.name !== "alertEvidence") return fail(st, key, "Known evidence type", v);
  return objectReader("alertEvidence", "top")(v, st, key);
};

/** One alert of `incident.alerts`: an alert that fails its schema is kept exactly as sent, with a warning. */
function readAlertItem(item: unknown, st: ReadState, index: number): unknown {
  const outer = st.alertId;
  st.alertId = isPlainObject(item) && typeof item.id === "string" ? clip(item.id, 256) : undefined;
  const { value, issues } = attempt(() => objectReader("alert", "nested")(item, st, index), st);
  if (issues !== undefined) {
    const first = issues[0]!;
    warn(st, {
      code: "alertKeptRaw",
      message: `Alert ${st.alertId ?? `#${index}`} does not match its schema (${pathText(first.path)}: ${first.message}); kept as sent`,
      path: here(st, index),
      issues: issueSummary(issues),
    });
  }
  st.alertId = outer;
  return issues === undefined ? value : item;
}

function tolerantListReader(item: ValueKind): Reader {
  if (item.kind === "object" && item.typeName === "alertEvidence")
    return listReader((v, st, i) => readEvidenceItem(v, st, i, false));
  if (item.kind === "object" && item.typeName === "alert")
    return listReader((v, st, i) => readAlertItem(v, st, i as number));
  throw new Error(`no tolerant reading for lists of ${item.kind}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Objects

/** `alertEvidence` nested in evidence: dispatched on `@odata.type`; without one, read as the base type. */
const readNestedAnyEvidence: Reader = (v, st, key) => {
  if (!isPlainObject(v)) return fail(st, key, expected("object", v), v);
  const type = v["@odata.type"];
  const entry = typeof type === "string" ? evidenceEntryFor(type) : undefined;
  return objectReader(entry?.name ?? "alertEvidence", "nested")(v, st, key);
};

function valueReader(kind: ValueKind): Reader {
  switch (kind.kind) {
    case "string":
    case "odataType":
      return readString;
    case "dateTime":
      return readDateTime;
    case "int":
      return readInt;
    case "double":
      return readDouble;
    case "boolean":
      return readBoolean;
    case "dictionary":
      return readDictionary;
    case "enum":
      return enumReader(kind.enumName);
    case "object":
      return kind.typeName === "alertEvidence"
        ? readNestedAnyEvidence
        : objectReader(kind.typeName, "nested");
    case "list":
      return kind.tolerant ? tolerantListReader(kind.item) : listReader(valueReader(kind.item));
  }
}

function fieldReader(spec: FieldSpec, mode: Mode): Reader {
  const read =
    spec.value.kind === "odataType" && spec.value.typeName !== undefined
      ? odataTypeReader(spec.value.typeName)
      : valueReader(spec.value);
  // A nested object's type is declared by the property holding it, so it may omit `@odata.type`.
  const presence = spec.value.kind === "odataType" && mode === "nested" ? "nullish" : spec.presence;
  switch (presence) {
    case "required":
      return read;
    case "nullish":
      return (v, st, key) => (v === undefined || v === null ? v : read(v, st, key));
    case "emptyList":
      return (v, st, key) => (v === undefined || v === null ? [] : read(v, st, key));
  }
}

function keptRawField(st: ReadState, key: string, issues: readonly ReadIssue[]): void {
  warn(st, {
    code: "incidentFieldKeptRaw",
    message: `Incident field ${key} has a bad value (${issues[0]!.message}); kept as sent`,
    path: pathText([...st.path, key]),
    issues: issueSummary(issues),
  });
}

function compileObject(entry: TypeEntry, mode: Mode): Reader {
  const keys = Object.keys(entry.shape);
  const readers = keys.map((k) => {
    const spec = fieldSpecOf(entry.shape[k]!);
    if (spec === undefined) throw new Error(`${entry.name}.${k} is not built from the Graph field builders`);
    return fieldReader(spec, mode);
  });
  const tolerant = keys.map((k) => entry.tolerantFields?.has(k) ?? false);
  const post = entry.post;
  return (v, st, key) => {
    if (!isPlainObject(v)) return fail(st, key, expected("object", v), v);
    if (key !== undefined) st.path.push(key);
    let changes: unknown[] | undefined;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const before = v[k];
      let after: unknown;
      if (tolerant[i]) {
        const result = attempt(() => readers[i]!(before, st, k), st);
        if (result.issues !== undefined) keptRawField(st, k, result.issues);
        after = result.issues === undefined ? result.value : before;
      } else {
        after = readers[i]!(before, st, k);
      }
      if (after !== before) (changes ??= []).push(k, after);
    }
    if (key !== undefined) st.path.pop();
    let out = v;
    if (changes !== undefined) {
      out = { ...v };
      for (let i = 0; i < changes.length; i += 2) out[changes[i] as string] = changes[i + 1];
    }
    return post === undefined ? out : post(out);
  };
}

const readers = new Map<string, Reader>();

/** The reader of a named type, compiled on first use (types may refer to themselves). */
export function objectReader(typeName: string, mode: Mode): Reader {
  const cacheKey = `${mode}:${typeName}`;
  let reader = readers.get(cacheKey);
  if (reader === undefined) {
    let compiled: Reader | undefined;
    reader = (v, st, key) => {
      compiled ??= compileObject(typeEntry(typeName), mode);
      return compiled(v, st, key);
    };
    readers.set(cacheKey, reader);
  }
  return reader;
}
