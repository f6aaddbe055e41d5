/**
 * `TimeGenerated` and the two date-times it comes from: the alert's `lastUpdateDateTime`, else its
 * `createdDateTime`, moved to the upload time when Azure Monitor would not keep it (README, "Alerts as SIEM data").
 */
import { MappingError } from "../../core/errors";
import type { AlertRowContext } from "./context";
import { dateField } from "./fields";
import type { AlertRow } from "./schema";

const TWO_DAYS_MS = 2 * 86_400_000;
const ONE_DAY_MS = 86_400_000;

/** The row's time columns; throws a `MappingError` when the alert has neither date-time. */
export function timeColumns(
  alert: Readonly<Record<string, unknown>>,
  ctx: AlertRowContext,
): Pick<AlertRow, "TimeGenerated" | "CreatedDateTime" | "LastUpdateDateTime"> {
  const { warn } = ctx;
  const lastUpdate = dateField(alert, "lastUpdateDateTime", "LastUpdateDateTime", warn);
  const created = dateField(alert, "createdDateTime", "CreatedDateTime", warn);
  let timeGenerated = lastUpdate ?? created;
  if (timeGenerated === null) {
    throw new MappingError({
      field: "TimeGenerated",
      mapper: "alertRow",
      message: "the alert has neither a valid lastUpdateDateTime nor a valid createdDateTime",
    });
  }
  if (lastUpdate === null) {
    warn({ field: "TimeGenerated", kind: "lossy", message: "no lastUpdateDateTime; createdDateTime used" });
  }
  if (ctx.receivedAt !== undefined) {
    const t = Date.parse(timeGenerated);
    const now = ctx.receivedAt.getTime();
    if (t < now - TWO_DAYS_MS || t > now + ONE_DAY_MS) {
      warn({
        field: "TimeGenerated",
        kind: "lossy",
        message:
          "outside [upload time − 2 days, + 1 day]; set to the upload time (LastUpdateDateTime keeps the real value)",
      });
      timeGenerated = ctx.receivedAt.toISOString();
    }
  }
  return { TimeGenerated: timeGenerated, CreatedDateTime: created, LastUpdateDateTime: lastUpdate };
}
