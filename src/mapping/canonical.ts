/**
 * The canonical view: one record of the synced fields that both a Defender incident and a Sentinel incident map
 * into. The SyncEngine compares incidents in this space only.
 *
 * Normalization rules (applied by every profile, whatever the overrides):
 * - text (title, description, closing comment, tags) has control characters other than `\t\n\r` removed and lone
 *   surrogates replaced; title is trimmed, description trimmed at the end;
 * - `owner` is a lower-cased, trimmed UPN, `undefined` when unassigned;
 * - `tags` are sorted and de-duplicated, and never contain system labels (e.g. "Redirected");
 * - `classification`, `classificationDetail` and `closingComment` are closing attributes: they are only carried
 *   when `status` is `"closed"` (Sentinel only shows and accepts them on closed incidents), otherwise they are
 *   `"undetermined"`, `undefined`, `undefined`.
 */
import { z } from "zod";
import {
  type ClassificationTable,
  compileClassificationTable,
  DEFAULT_CLASSIFICATION_TABLE,
} from "./classification";
import { fieldEquality } from "./fields/equality";

export const canonicalSeverityValues = ["unknown", "informational", "low", "medium", "high"] as const;
/**
 * Severity in the side-neutral form both sides are compared in: `unknown`, `informational`, `low`, `medium` or
 * `high`.
 */
export type CanonicalSeverity = (typeof canonicalSeverityValues)[number];

export const canonicalStatusValues = ["new", "active", "closed"] as const;
/** Status in the side-neutral form: `new` (open, nobody on it), `active` (being worked on) or `closed`. */
export type CanonicalStatus = (typeof canonicalStatusValues)[number];

export const canonicalClassificationValues = [
  "undetermined",
  "truePositive",
  "benignPositive",
  "falsePositive",
] as const;
/** Classification in the side-neutral form: `undetermined`, `truePositive`, `benignPositive` or `falsePositive`. */
export type CanonicalClassification = (typeof canonicalClassificationValues)[number];

/**
 * An incident in the side-neutral form the mapping reads both sides into: the synced fields only, so the two sides
 * can be compared and diffed field by field.
 */
export interface CanonicalIncident {
  title: string;
  /**
   * Defender description; for Sentinel, the description with the sections this package appends (link, alert
   * summary, …) stripped, so canonical(defender) equals canonical(rendered sentinel).
   */
  description: string;
  severity: CanonicalSeverity;
  status: CanonicalStatus;
  classification: CanonicalClassification;
  /** Defender determination or Sentinel classificationReason, as-is from its side (side-specific, may be undefined). */
  classificationDetail: string | undefined;
  /** Defender resolvingComment / Sentinel classificationComment. */
  closingComment: string | undefined;
  /** UPN, lower-cased, undefined when unassigned. */
  owner: string | undefined;
  /** Sorted, de-duplicated; Sentinel: only User labels, excluding system labels like "Redirected". */
  tags: string[];
  /** Defender redirectIncidentId; Sentinel: undefined. */
  redirectTarget: string | undefined;
}

/** The name of a synced incident field (a key of `CanonicalIncident`): `title`, `status`, `owner`, `tags`, ... */
export type CanonicalField = keyof CanonicalIncident;

/** Every canonical field, in a fixed order (the order of {@link diffCanonical} results). */
export const canonicalFields = [
  "title",
  "description",
  "severity",
  "status",
  "classification",
  "classificationDetail",
  "closingComment",
  "owner",
  "tags",
  "redirectTarget",
] as const satisfies readonly CanonicalField[];

/**
 * Fields that flow both ways. `redirectTarget` only flows Defender → Sentinel (as the "Redirected" system label):
 * Sentinel has no such field and Graph does not let it be written.
 */
export const syncedCanonicalFields = canonicalFields.filter(
  (f): f is Exclude<CanonicalField, "redirectTarget"> => f !== "redirectTarget",
);

/** The zod schema of a canonical record; every `*ToCanonical` output is checked against it. */
export const canonicalIncidentSchema = z.strictObject({
  title: z.string(),
  description: z.string(),
  severity: z.enum(canonicalSeverityValues),
  status: z.enum(canonicalStatusValues),
  classification: z.enum(canonicalClassificationValues),
  classificationDetail: z.string().optional(),
  closingComment: z.string().optional(),
  owner: z.string().optional(),
  tags: z.array(z.string()),
  redirectTarget: z.string().optional(),
});

/** Field-wise comparison of canonical records under one classification table. */
export interface CanonicalComparator {
  /**
   * Whether `field` is equal in `a` and `b`, modulo known lossy mappings:
   * - texts: a value truncated by this package (ending with `TRUNCATION_MARKER`) equals any value with its prefix;
   * - severity: `unknown` equals `informational` (Sentinel has no unknown severity);
   * - classificationDetail: compared through the classification table (a Defender determination and a Sentinel
   *   reason are equal when they map to the same Sentinel reason, e.g. truePositive/`malware` and
   *   TruePositive/`SuspiciousActivity`);
   * - owner: case-insensitive; tags: as sets.
   */
  equals(field: CanonicalField, a: CanonicalIncident, b: CanonicalIncident): boolean;
  /** The fields that are not {@link CanonicalComparator.equals}, in {@link canonicalFields} order. */
  diff(a: CanonicalIncident, b: CanonicalIncident): CanonicalField[];
  /**
   * Whether `field` is exactly the same in two views of the same side (a current view and its base): no lossy
   * pairs, tags as sets, absent equals absent. This is what "changed since the last sync" means.
   */
  same(field: CanonicalField, a: CanonicalIncident, b: CanonicalIncident): boolean;
}

/** Exact same-side equality of one field (see {@link CanonicalComparator.same}). */
export function sameCanonicalField(
  field: CanonicalField,
  a: CanonicalIncident,
  b: CanonicalIncident,
): boolean {
  const x = a[field];
  const y = b[field];
  if (field === "tags") return sameTags(a.tags ?? [], b.tags ?? []);
  return (x ?? null) === (y ?? null);
}

/** Every field exactly the same (see {@link CanonicalComparator.same}). */
export function sameCanonicalView(a: CanonicalIncident, b: CanonicalIncident): boolean {
  return canonicalFields.every((f) => sameCanonicalField(f, a, b));
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  if (sa.size !== sb.size) return false;
  for (const t of sa) if (!sb.has(t)) return false;
  return true;
}

/** A comparator that compares classification details through `table`. */
export function createCanonicalComparator(table: ClassificationTable): CanonicalComparator {
  const compiled = compileClassificationTable(table);
  const equals = (field: CanonicalField, a: CanonicalIncident, b: CanonicalIncident): boolean => {
    if (!Object.hasOwn(fieldEquality, field)) throw new TypeError(`Unknown canonical field ${String(field)}`);
    return fieldEquality[field](a, b, compiled);
  };
  return {
    equals,
    diff: (a, b) => canonicalFields.filter((f) => !equals(f, a, b)),
    same: sameCanonicalField,
  };
}

const defaultComparator = createCanonicalComparator(DEFAULT_CLASSIFICATION_TABLE);

/**
 * Whether `field` is equal in `a` and `b` under the default classification table (see
 * {@link CanonicalComparator.equals}). A profile with a custom classification table offers its own `equals`.
 */
export function canonicalEquals(field: CanonicalField, a: CanonicalIncident, b: CanonicalIncident): boolean {
  return defaultComparator.equals(field, a, b);
}

/** The fields where `a` and `b` differ under the default classification table. */
export function diffCanonical(a: CanonicalIncident, b: CanonicalIncident): CanonicalField[] {
  return defaultComparator.diff(a, b);
}
