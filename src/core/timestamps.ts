/**
 * Service timestamps carry up to 7 fractional digits ("2021-09-30T09:35:45.1133333Z"); `Date` keeps only
 * milliseconds and string comparison breaks on differing digit counts. This key sorts correctly as text.
 */
export function timestampKey(value: string | Date): string {
  if (value instanceof Date) return timestampKey(value.toISOString());
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]00:00)$/i.exec(value);
  if (m) return `${m[1]!.toUpperCase()}.${(m[2] ?? "").padEnd(7, "0").slice(0, 7)}Z`;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return value;
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(ms % 1000).padStart(3, "0")}0000Z`;
}

/** Compares two service timestamps; negative when a is earlier. */
export function compareTimestamps(a: string | Date, b: string | Date): number {
  const ka = timestampKey(a);
  const kb = timestampKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** A timestamp as an OData DateTimeOffset literal (unquoted, UTC). */
export function odataDateTime(value: string | Date): string {
  return timestampKey(value);
}
