/**
 * A JSON-safe, bounded copy of one evidence object: nulls dropped, strings cleaned and clipped, arrays, keys and
 * depth bounded, `__proto__` keys dropped. What is lost is noted on `cut`.
 */
import { sanitizeText } from "../text";
import { clipChars } from "./clip";

/** A JSON value as the `Evidence` column holds it. */
export type Json = string | number | boolean | Json[] | { [key: string]: Json };

/** How much of a value one compaction pass keeps. */
export interface CompactLevel {
  maxString: number;
  maxArray: number;
  maxKeys: number;
  maxDepth: number;
}

/** Whether a compaction lost anything; set, never cleared. */
export interface Cut {
  lossy: boolean;
}

/** Full detail, then a tighter pass for an item that does not fit; the last resort is a one-line stub. */
export const COMPACT_LEVELS: readonly CompactLevel[] = [
  { maxString: 2_048, maxArray: 50, maxKeys: 100, maxDepth: 6 },
  { maxString: 256, maxArray: 10, maxKeys: 40, maxDepth: 4 },
];

const NEEDS_CLEANING = /[\u0000-\u001F\u007F-\u009F\uD800-\uDFFF]/;

/** JSON-safe copy: nulls dropped, strings cleaned and clipped, arrays/objects/depth bounded. `cut` notes losses. */
export function compact(value: unknown, level: CompactLevel, depth: number, cut: Cut): Json | undefined {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case "string":
      return compactString(value, level, cut);
    case "number":
      if (Number.isFinite(value)) return value;
      cut.lossy = true;
      return undefined;
    case "boolean":
      return value;
    case "bigint":
      return value.toString();
    case "object":
      break;
    default:
      cut.lossy = true;
      return undefined;
  }
  if (depth >= level.maxDepth) {
    cut.lossy = true;
    return undefined;
  }
  if (Array.isArray(value)) return compactArray(value, level, depth, cut);
  return compactObject(value, level, depth, cut);
}

function compactString(value: string, level: CompactLevel, cut: Cut): string {
  const clean = sanitizeText(
    value.length > level.maxString * 2 ? value.slice(0, level.maxString * 2) : value,
  ).text;
  const clipped = clipChars(clean, level.maxString);
  if (clipped.length !== value.length || clipped !== value) {
    if (clipped !== clean || clean.length !== value.length) cut.lossy = true;
  }
  return clipped;
}

function compactArray(value: readonly unknown[], level: CompactLevel, depth: number, cut: Cut): Json[] {
  const n = Math.min(value.length, level.maxArray);
  if (value.length > n) cut.lossy = true;
  const out: Json[] = [];
  for (let i = 0; i < n; i++) {
    const c = compact(value[i], level, depth + 1, cut);
    if (c !== undefined) out.push(c);
  }
  return out;
}

function compactObject(value: object, level: CompactLevel, depth: number, cut: Cut): Record<string, Json> {
  const keys = Object.keys(value);
  const n = Math.min(keys.length, level.maxKeys);
  if (keys.length > n) cut.lossy = true;
  const out: Record<string, Json> = {};
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    const c = compact((value as Record<string, unknown>)[key], level, depth + 1, cut);
    if (c === undefined) continue;
    const cleanKey =
      key.length <= 128 && !NEEDS_CLEANING.test(key) ? key : clipChars(sanitizeText(key).text, 128);
    if (cleanKey === "__proto__") {
      // Assigned, this key would set the object's prototype; kept as data it would do so wherever the row is
      // copied by assignment. Dropped.
      cut.lossy = true;
      continue;
    }
    if (cleanKey !== key) cut.lossy = true;
    out[cleanKey] = c;
  }
  return out;
}
