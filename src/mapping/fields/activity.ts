/**
 * Activity times: Sentinel `firstActivityTimeUtc` / `lastActivityTimeUtc`, rendered on every PUT. Not a
 * canonical field, so there is nothing to read or compare.
 */
import type { SentinelIncidentWriteProperties } from "../../sentinel/models";
import type { ActivityMapper } from "../activity";
import { asRecord, isDateTime, own } from "../guards";
import type { SentinelRenderContext } from "../mapper";
import { type Composed, fail, invoke, mapperName } from "./kit";

type ActivityPart = Pick<SentinelIncidentWriteProperties, "firstActivityTimeUtc" | "lastActivityTimeUtc">;

export const render = {
  toSentinel(c: Composed<ActivityMapper>, ctx: SentinelRenderContext): ActivityPart {
    const times = asRecord(invoke(c, "toSentinel", "firstActivityTimeUtc", ctx));
    const part: ActivityPart = {};
    for (const key of ["firstActivityTimeUtc", "lastActivityTimeUtc"] as const) {
      const v = own(times, key);
      if (v === undefined) continue;
      if (typeof v !== "string" || !isDateTime(v))
        fail(key, mapperName(c, "toSentinel"), "not an RFC 3339 date-time");
      part[key] = v;
    }
    return part;
  },
};
