/** Text bounded for a column: UTF-8 byte and character clipping, and scalars read as text. */
import { isHighSurrogate } from "../text";

const ELLIPSIS = "…";

/** Cuts `s` to at most `maxBytes` UTF-8 bytes (ending with "…" when cut), never inside a surrogate pair. */
export function clipUtf8(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes || Buffer.byteLength(s) <= maxBytes) return s;
  const budget = Math.max(0, maxBytes - 3);
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const code = s.charCodeAt(i);
    const pair = isHighSurrogate(code) && i + 1 < s.length;
    const size = pair ? 4 : code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
    if (bytes + size > budget) break;
    bytes += size;
    i += pair ? 2 : 1;
  }
  return s.slice(0, i) + (maxBytes >= 3 ? ELLIPSIS : "");
}

/** Cuts `s` to at most `max` UTF-16 units (ending with "…" when cut), never inside a surrogate pair. */
export function clipChars(s: string, max: number): string {
  if (s.length <= max) return s;
  let keep = Math.max(0, max - 1);
  if (keep > 0 && isHighSurrogate(s.charCodeAt(keep - 1))) keep--;
  return s.slice(0, keep) + ELLIPSIS;
}

/** A scalar as text: strings as they are, finite numbers and booleans printed, anything else undefined. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean")
    return String(value);
  if (typeof value === "bigint") return value.toString();
  return undefined;
}
