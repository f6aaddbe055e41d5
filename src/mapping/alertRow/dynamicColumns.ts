/**
 * The JSON size of the `dynamic` columns against the service's field limit, measured cheaply: evidence objects
 * built by `compactEvidence` carry their measured size, string lists get an upper bound, and only what may be too
 * big is serialized.
 */
import type { ValidationIssue } from "../../core/errors";
import { ALERT_ROW_COLUMNS } from "./columns";
import { FIELD_LIMIT_MESSAGE, LOGS_INGESTION_MAX_FIELD_BYTES } from "./schema";

const DYNAMIC_COLUMNS: readonly string[] = ALERT_ROW_COLUMNS.filter((c) => c.type === "dynamic").map(
  (c) => c.name,
);

/** JSON bytes of the evidence objects `compactEvidence` built, so a row's `Evidence` need not be serialized twice. */
const measuredItems = new WeakMap<object, number>();

/** Records the JSON size of an evidence object just serialized, for {@link dynamicColumnIssues}. */
export function rememberJsonSize(item: object, bytes: number): void {
  measuredItems.set(item, bytes);
}

function knownArraySize(value: unknown): number | undefined {
  if (!Array.isArray(value)) return undefined;
  let n = 2 + Math.max(0, value.length - 1);
  for (const item of value) {
    const size = typeof item === "object" && item !== null ? measuredItems.get(item) : undefined;
    if (size === undefined) return undefined;
    n += size;
  }
  return n;
}

/** A cheap upper bound of the JSON size of a string array (6 bytes per UTF-16 unit covers any escape). */
function stringArrayBound(value: unknown): number | undefined {
  if (!Array.isArray(value)) return undefined;
  let n = 2;
  for (const item of value) {
    if (typeof item !== "string") return undefined;
    n += item.length * 6 + 3;
  }
  return n;
}

/** Issues for `dynamic` columns whose JSON is above the service's field limit. */
export function dynamicColumnIssues(row: Readonly<Record<string, unknown>>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const name of DYNAMIC_COLUMNS) {
    const value = row[name];
    if (value === undefined) continue;
    const bound = knownArraySize(value) ?? stringArrayBound(value);
    if (bound !== undefined && bound <= LOGS_INGESTION_MAX_FIELD_BYTES) continue;
    if (Buffer.byteLength(JSON.stringify(value)) > LOGS_INGESTION_MAX_FIELD_BYTES) {
      issues.push({ path: name, message: FIELD_LIMIT_MESSAGE });
    }
  }
  return issues;
}
