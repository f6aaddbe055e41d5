import type { PipelineResponse } from "@azure/core-rest-pipeline";

/**
 * Reads the server's requested wait: `retry-after-ms`, `x-ms-retry-after-ms`, then `Retry-After`
 * (seconds or an HTTP date), in the order core's throttling strategy uses.
 */
export function parseRetryAfterInMs(
  headers: PipelineResponse["headers"],
  now = Date.now(),
): number | undefined {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const v = headers.get(name);
    if (v !== undefined && v !== "") {
      const n = Number(v);
      if (Number.isFinite(n) && n >= 0) return n;
    }
  }
  const ra = headers.get("retry-after");
  if (ra === undefined || ra === "") return undefined;
  const seconds = Number(ra);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(ra);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return undefined;
}
