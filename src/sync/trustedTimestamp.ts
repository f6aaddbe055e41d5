/**
 * Timestamps from the services are data, not facts: a `lastUpdateDateTime` in year 9999 or a value that is not a
 * date at all must never become a watermark (the next cycles would list from the far future, or fail to build
 * their filter) nor decide a conflict. Such a value is treated as absent; the incident itself still syncs.
 */

/** How far a service clock may run ahead of ours before its timestamps are distrusted. */
export const CLOCK_SKEW_ALLOWANCE_IN_MS = 5 * 60_000;

/** ISO 8601 date-time with a zone, as both services write it (up to 7 fractional digits). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;

export type UntrustedReason = "notADate" | "inTheFuture";

/** Why `value` cannot be trusted as a position in time (undefined: it can). */
export function untrustedReason(value: string, now: Date): UntrustedReason | undefined {
  if (!ISO_DATE_TIME.test(value)) return "notADate";
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return "notADate";
  if (ms > now.getTime() + CLOCK_SKEW_ALLOWANCE_IN_MS) return "inTheFuture";
  return undefined;
}

/** `value` when it is a real date-time not after now (plus the skew allowance); otherwise undefined. */
export function trustedTimestamp(value: string | null | undefined, now: Date): string | undefined {
  if (typeof value !== "string") return undefined;
  return untrustedReason(value, now) === undefined ? value : undefined;
}
