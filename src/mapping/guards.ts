/**
 * Defensive readers. Mapping inputs are typed as the parsed zod models, but callers may hand over raw JSON; these
 * helpers never trust a value's runtime type, so hostile input (wrong types, `__proto__` keys, …) cannot crash
 * the mapping or reach an object's prototype.
 */

/** The value if it is a string, else undefined. */
export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The value if it is an array, else an empty array. */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The value if it is a non-array object, else undefined. */
export function asRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** An own property of `record` (never one inherited from a prototype). */
export function own(record: Readonly<Record<string, unknown>> | undefined, key: string): unknown {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** An own string property, else undefined. */
export function ownString(
  record: Readonly<Record<string, unknown>> | undefined,
  key: string,
): string | undefined {
  return asString(own(record, key));
}

// RFC 3339 date-time, the `format: date-time` of the Sentinel spec. Graph sends up to 7 fractional digits, which
// RFC 3339 allows. Leap seconds are refused (validators disagree about them).
const DATE_TIME =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True for an RFC 3339 date-time with a real calendar day. */
export function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const max = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 31);
  return day <= max;
}

// The mapping modules read every guard from here; the GUID pattern itself is the one in core.
export { isGuid } from "../core/guid";
