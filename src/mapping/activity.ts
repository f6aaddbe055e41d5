/**
 * First/last activity times of the Sentinel incident, from the Defender alerts. Not a canonical (synced) field:
 * Sentinel gets them on every PUT; when the Defender incident comes without alerts, the existing Sentinel values
 * are kept.
 */
import { asArray, asRecord, isDateTime, ownString } from "./guards";
import type { SentinelRenderContext } from "./mapper";

/**
 * The first and last activity times of a Sentinel incident (`firstActivityTimeUtc`, `lastActivityTimeUtc`, RFC 3339),
 * taken from its Defender alerts; undefined keeps the existing values.
 */
export interface ActivityTimes {
  firstActivityTimeUtc: string | undefined;
  lastActivityTimeUtc: string | undefined;
}

/** The activity mapper group; override through `createMappingProfile({ activity })`. */
export interface ActivityMapper {
  /** Values must be RFC 3339 date-times (Sentinel `format: date-time`). */
  toSentinel(ctx: SentinelRenderContext): ActivityTimes;
}

/** Earliest and latest valid alert activity time (first and last activity of every alert), as sent by Graph. */
export function activityFromAlerts(alerts: unknown): ActivityTimes {
  let first: { text: string; ms: number } | undefined;
  let last: { text: string; ms: number } | undefined;
  for (const alert of asArray(alerts)) {
    const record = asRecord(alert);
    for (const key of ["firstActivityDateTime", "lastActivityDateTime"]) {
      const text = ownString(record, key);
      if (text === undefined || !isDateTime(text)) continue;
      const ms = Date.parse(text);
      if (Number.isNaN(ms)) continue;
      if (first === undefined || ms < first.ms) first = { text, ms };
      if (last === undefined || ms > last.ms) last = { text, ms };
    }
  }
  return { firstActivityTimeUtc: first?.text, lastActivityTimeUtc: last?.text };
}

const valid = (value: unknown): string | undefined =>
  typeof value === "string" && isDateTime(value) ? value : undefined;

export const defaultActivityMapper: ActivityMapper = {
  toSentinel: (ctx) => {
    const fromAlerts = activityFromAlerts(ctx.defender?.alerts);
    if (fromAlerts.firstActivityTimeUtc !== undefined) return fromAlerts;
    return {
      firstActivityTimeUtc: valid(ctx.existing?.firstActivityTimeUtc),
      lastActivityTimeUtc: valid(ctx.existing?.lastActivityTimeUtc),
    };
  },
};
