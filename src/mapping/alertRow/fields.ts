/**
 * Readers of one alert field into one column: a string clipped to its byte limit, an RFC 3339 date-time, or a
 * bounded string list. A value of the wrong type becomes empty with a warning; nothing here throws.
 */
import { asArray, isDateTime, own } from "../guards";
import type { WarningSink } from "../result";
import { sanitizeText } from "../text";
import { clipUtf8, scalarText } from "./clip";
import { EntityList } from "./entityList";
import type { AlertRowLimits } from "./limits";

/** `alert[key]` as clean text of at most `maxBytes` UTF-8 bytes; "" when absent or not a scalar. */
export function stringField(
  alert: Readonly<Record<string, unknown>>,
  key: string,
  column: string,
  maxBytes: number,
  warn: WarningSink,
): string {
  const raw = own(alert, key);
  if (raw === null || raw === undefined) return "";
  const s = scalarText(raw);
  if (s === undefined) {
    warn({ field: column, kind: "dropped", message: `${key} is not a string (${typeof raw}); left empty` });
    return "";
  }
  const head = s.length > maxBytes * 2 ? s.slice(0, maxBytes * 2) : s;
  const clean = sanitizeText(head).text;
  const clipped = clipUtf8(clean, maxBytes);
  if (head !== s || clipped !== clean) {
    warn({ field: column, kind: "truncated", message: `${key} cut to ${maxBytes} bytes` });
  }
  return clipped;
}

/** `alert[key]` when it is an RFC 3339 date-time, else null. */
export function dateField(
  alert: Readonly<Record<string, unknown>>,
  key: string,
  column: string,
  warn: WarningSink,
): string | null {
  const raw = own(alert, key);
  if (raw === null || raw === undefined || raw === "") return null;
  if (typeof raw === "string" && isDateTime(raw)) return raw;
  warn({ field: column, kind: "dropped", message: `${key} is not an RFC 3339 date-time; left empty` });
  return null;
}

/** The scalar items of `alert[key]` as a bounded list of distinct strings. */
export function listField(
  alert: Readonly<Record<string, unknown>>,
  key: string,
  column: string,
  limits: Readonly<AlertRowLimits>,
  warn: WarningSink,
): string[] {
  const list = new EntityList(limits.listMaxItems, Math.min(limits.listItemMaxLength, 256));
  for (const item of asArray(own(alert, key))) list.add(item);
  if (list.dropped > 0)
    warn({ field: column, kind: "truncated", message: `${list.dropped} item(s) left out` });
  return list.values;
}
