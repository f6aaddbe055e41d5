/**
 * The fast reader behind the exported Defender schemas, compiled from the same plain zod shapes (see
 * `fields.ts`). It checks and normalizes a payload in one walk and copies only objects that change (enum
 * spelling, int64 strings, lists defaulted to `[]`, canonical evidence `@odata.type`): a parsed incident shares
 * its unchanged alerts and evidence with the JSON it was read from. zod's own object parsing costs several
 * times `JSON.parse` on evidence-heavy incidents; this walk costs a fraction of it.
 *
 * Tolerance: a list marked `tolerant` keeps an item that fails (an alert as sent, evidence generic) and records
 * a warning instead of an issue, and so do an entity's `tolerantFields`.
 */
import { markGenericEvidence } from "../parseWarnings";
import { intFromWire, isGraphDateTime } from "./fields";
import { compileObjectReader, type InlineCheck } from "./objectCode";
import { canonicalOdataType, odataTypeKey } from "./odataType";
import {
  clip,
  expected,
  fail,
  here,
  isPlainObject,
  issueSummary,
  pathText,
  type Reader,
  type ReadIssue,
  type ReadState,
  takeIssues,
  warn,
} from "./readState";
import {
  enumEntry,
  evidenceEntryFor,
  type FieldSpec,
  fieldSpecOf,
  type TypeEntry,
  typeEntry,
  type ValueKind,
} from "./registry";

export { type Reader, ReadState } from "./readState";

/** `top`: an evidence item must name its type in `@odata.type`; `nested`: the holding property declares it. */
export type Mode = "top" | "nested";

const BASE_EVIDENCE_TYPE = canonicalOdataType("alertEvidence");

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
  // Exact spellings too: the common case needs no lower-casing.
  for (const v of values) lookup.set(v, v);
  // Values repeat (every evidence item of a page says "none", "suspicious"…): comparing with the last one is
  // cheaper than hashing a fresh string.
  let lastRaw = "";
  let lastKnown = "";
  return (v, st, key) => {
    if (v === lastRaw) return lastKnown;
    if (typeof v !== "string") return fail(st, key, expected("string", v), v);
    const known = lookup.get(v) ?? lookup.get(v.toLowerCase());
    if (known !== undefined) {
      lastRaw = v;
      lastKnown = known;
      return known;
    }
    warn(st, {
      code: "enumValueUnknown",
      message: `Unknown ${enumName} value "${clip(v, 64)}" kept as sent`,
      path: here(st, key),
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

function genericEvidence(
  st: ReadState,
  item: Record<string, unknown>,
  key: string | number | undefined,
  reason: "noType" | "unknownType" | "malformed",
  issues?: readonly ReadIssue[],
): unknown {
  const type = item["@odata.type"];
  const kept = typeof type === "string" ? item : { ...item, "@odata.type": BASE_EVIDENCE_TYPE };
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
    ...(issues !== undefined && { issues: issueSummary(issues) }),
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
  const read = entry === undefined ? objectReader("alertEvidence", "nested") : topEvidenceReader(entry);
  const issuesBefore = st.issues.length;
  const warningsBefore = st.warnings.length;
  const value = read(item, st, key);
  if (strict) return value;
  const issues = takeIssues(st, issuesBefore, warningsBefore);
  if (issues !== undefined) return genericEvidence(st, item, key, "malformed", issues);
  if (entry === undefined)
    return genericEvidence(
      st,
      value as Record<string, unknown>,
      key,
      type === undefined || type === null ? "noType" : "unknownType",
    );
  if (entry.name === "alertEvidence") markGenericEvidence(value);
  return value;
}

/** Evidence of a type this package does not model; a known type is refused rather than downgraded. */
export const readUnknownEvidence: Reader = (v, st, key) => {
  if (!isPlainObject(v)) return fail(st, key, expected("object", v), v);
  const type = v["@odata.type"];
  if (typeof type !== "string") return fail(st, "@odata.type", expected("string", type), v);
  const entry = evidenceEntryFor(type);
  if (entry !== undefined && entry.name !== "alertEvidence")
    return fail(st, "@odata.type", "Known evidence type", v);
  return objectReader("alertEvidence", "top")(v, st, key);
};

/** An alert of an incident that fails its schema is kept exactly as sent, with a warning. */
function readAlertTolerantly(item: unknown, st: ReadState, key: string | number | undefined): unknown {
  const outer = st.alertId;
  if (isPlainObject(item) && typeof item.id === "string") st.alertId = clip(item.id, 256);
  const issuesBefore = st.issues.length;
  const warningsBefore = st.warnings.length;
  const value = objectReader("alert", "nested")(item, st, key);
  const issues = takeIssues(st, issuesBefore, warningsBefore);
  if (issues !== undefined) {
    const first = issues[0]!;
    warn(st, {
      code: "alertKeptRaw",
      message: `Alert ${st.alertId ?? (key === undefined ? "" : `#${key}`)} does not match its schema (${pathText(first.path)}: ${first.message}); kept as sent`,
      path: here(st, key),
      issues: issueSummary(issues),
    });
  }
  st.alertId = outer;
  return issues === undefined ? value : item;
}

function tolerantListReader(item: ValueKind): Reader {
  if (item.kind === "object" && item.typeName === "alertEvidence")
    return listReader((v, st, i) => readEvidenceItem(v, st, i, false));
  if (item.kind === "object" && item.typeName === "alert") return listReader(readAlertTolerantly);
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

/** A nested object's type is declared by the property holding it, so there `@odata.type` may be absent. */
function presenceOf(spec: FieldSpec, mode: Mode): FieldSpec["presence"] {
  return spec.value.kind === "odataType" && mode === "nested" ? "nullish" : spec.presence;
}

function fieldReader(spec: FieldSpec, mode: Mode): Reader {
  const read =
    spec.value.kind === "odataType" && spec.value.typeName !== undefined
      ? odataTypeReader(spec.value.typeName)
      : valueReader(spec.value);
  switch (presenceOf(spec, mode)) {
    case "required":
      return read;
    case "nullish":
      return (v, st, key) => (v === undefined || v === null ? v : read(v, st, key));
    case "emptyList":
      return (v, st, key) => (v === undefined || v === null ? [] : read(v, st, key));
  }
}

const INLINE_KINDS: ReadonlySet<string> = new Set(["string", "dateTime", "double", "boolean"]);

/** Scalars that reading never changes are checked in place by the compiled object reader. */
function inlineCheck(spec: FieldSpec, mode: Mode): InlineCheck | undefined {
  const { kind } = spec.value;
  if (!INLINE_KINDS.has(kind) && !(kind === "odataType" && spec.value.typeName === undefined))
    return undefined;
  const presence = presenceOf(spec, mode);
  if (presence === "emptyList") return undefined;
  return {
    kind: kind === "odataType" ? "string" : (kind as InlineCheck["kind"]),
    nullable: presence === "nullish",
  };
}

function keptRawField(typeName: string) {
  const code = typeName === "alert" ? "alertFieldKeptRaw" : "incidentFieldKeptRaw";
  return (st: ReadState, key: string, issues: readonly ReadIssue[]): void => {
    warn(st, {
      code,
      message: `${typeName} field ${key} has a bad value (${issues[0]!.message}); kept as sent`,
      path: here(st, key),
      issues: issueSummary(issues),
    });
  };
}

function compileObject(entry: TypeEntry, mode: Mode, useCodeGeneration?: boolean): Reader {
  const keys = Object.keys(entry.shape);
  const specs = keys.map((k) => {
    const spec = fieldSpecOf(entry.shape[k]!);
    if (spec === undefined) throw new Error(`${entry.name}.${k} is not built from the Graph field builders`);
    return spec;
  });
  return compileObjectReader(
    {
      typeName: entry.name,
      keys,
      readers: specs.map((spec) => fieldReader(spec, mode)),
      inline: specs.map((spec) => inlineCheck(spec, mode)),
      // Field tolerance applies to a type read on its own; an alert inside an incident is kept whole instead.
      tolerant: keys.map((k) => mode === "top" && (entry.tolerantFields?.has(k) ?? false)),
      onKeptRaw: keptRawField(entry.name),
      post: entry.post,
    },
    useCodeGeneration,
  );
}

/**
 * @internal A fresh reader of one type, its own fields compiled with or without code generation (nested types
 * use the shared readers): lets tests hold both compilations to the same behaviour.
 */
export function compileTypeReader(typeName: string, mode: Mode, useCodeGeneration: boolean): Reader {
  return compileObject(typeEntry(typeName), mode, useCodeGeneration);
}

const readers: Record<Mode, Map<string, Reader>> = { top: new Map(), nested: new Map() };
const topEvidenceReaders = new WeakMap<TypeEntry, Reader>();

/** The top-level reader of an evidence type, compiled directly (it is looked up once per evidence item). */
function topEvidenceReader(entry: TypeEntry): Reader {
  let reader = topEvidenceReaders.get(entry);
  if (reader === undefined) {
    reader = compileObject(entry, "top");
    topEvidenceReaders.set(entry, reader);
  }
  return reader;
}

/** The reader of a named type, compiled on first use (types may refer to themselves). */
export function objectReader(typeName: string, mode: Mode): Reader {
  let reader = readers[mode].get(typeName);
  if (reader === undefined) {
    let compiled: Reader | undefined;
    reader = (v, st, key) => {
      compiled ??= compileObject(typeEntry(typeName), mode);
      return compiled(v, st, key);
    };
    readers[mode].set(typeName, reader);
  }
  return reader;
}
