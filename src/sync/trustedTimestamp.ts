import type { SyncWarning } from "../core/warnings";

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

type Side = "defender" | "sentinel";

const describe = (reason: UntrustedReason) => (reason === "inTheFuture" ? "in the future" : "not a date");

/**
 * Judges the timestamps one engine reads and words the warnings about the untrusted ones. An item's bad value is
 * reported once per engine (the same incident keeps being listed while its timestamp stays bogus).
 */
export class TimestampTrust {
  private readonly reported = new Set<string>();

  constructor(private readonly now: () => Date) {}

  /** The item's timestamp if it may move a watermark; otherwise undefined and, the first time, a warning. */
  item(side: Side, id: string, value: string | null | undefined): { value?: string; warning?: SyncWarning } {
    if (value === null || value === undefined) return {};
    const reason = untrustedReason(value, this.now());
    if (!reason) return { value };
    const key = `${side}\n${id}\n${value}`;
    if (this.reported.has(key)) return {};
    if (this.reported.size >= 10_000) this.reported.clear(); // Bounded: at worst a warning is repeated.
    this.reported.add(key);
    const shown = value.slice(0, 64);
    return {
      warning: {
        code: "untrustedTimestamp",
        message: `${side === "defender" ? "Defender" : "Sentinel"} incident ${id} carries the timestamp ${JSON.stringify(shown)}, ${describe(reason)}; it was synced, but the timestamp is ignored for watermarks and conflicts`,
        service: side,
        detail: { id, value: shown, reason },
      },
    };
  }

  /**
   * A stored watermark that is not a date or lies in the future (written by an older version from a bogus
   * service timestamp): the warning to give before listing that side from the start again.
   */
  distrustedWatermark(side: Side, watermark: string): SyncWarning | undefined {
    const reason = untrustedReason(watermark, this.now());
    if (!reason) return undefined;
    const shown = watermark.slice(0, 64);
    return {
      code: "watermarkDistrusted",
      message: `The stored ${side} watermark ${JSON.stringify(shown)} is ${describe(reason)}; listing ${side} from the start again`,
      service: side,
      detail: { watermark: shown, reason },
    };
  }
}
