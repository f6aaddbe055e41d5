import type { HttpHeaders } from "@azure/core-rest-pipeline";
import type { RedactedRequest } from "./errors";

/**
 * The one allowlist of what may appear in errors and logs. Every other header value (Authorization above all)
 * and every other query parameter ($skipToken, SAS `sig`, `code` …) is replaced by "REDACTED".
 * Core's logging policy takes the same lists, on top of its own defaults.
 */
export const SAFE_HEADER_NAMES: readonly string[] = [
  "accept",
  "content-type",
  "prefer",
  "user-agent",
  "if-match",
  "request-id",
  "client-request-id",
  "x-ms-client-request-id",
  "x-ms-request-id",
  "x-ms-correlation-request-id",
  "retry-after-ms",
  "x-ms-ratelimit-remaining-subscription-reads",
  "x-ms-ratelimit-remaining-subscription-writes",
];

/** Query parameters safe to show (see `SAFE_HEADER_NAMES`). */
export const SAFE_QUERY_PARAMETERS: readonly string[] = [
  "api-version",
  "$filter",
  "$orderby",
  "$top",
  "$skip",
  "$expand",
  "$count",
  "$select",
];

const safeHeaders = new Set(SAFE_HEADER_NAMES);
const safeQuery = new Set(SAFE_QUERY_PARAMETERS);

/** A copy of the request that is safe to log or attach to an error. */
export function redactRequest(method: string, url: string, headers?: HttpHeaders): RedactedRequest {
  const safe: Record<string, string> = {};
  if (headers) {
    for (const [name, value] of headers) {
      safe[name] = safeHeaders.has(name.toLowerCase()) ? value : "REDACTED";
    }
  }
  return { method, url: redactUrl(url), headers: safe };
}

/** Keeps path and known OData parameters; opaque tokens ($skipToken, sig, code …) are redacted. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    for (const key of [...u.searchParams.keys()]) {
      if (!safeQuery.has(key)) u.searchParams.set(key, "REDACTED");
    }
    return u.toString();
  } catch {
    return "<unparseable url>";
  }
}
