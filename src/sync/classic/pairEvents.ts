import type { CanonicalIncident } from "../../mapping";
import type { CycleContext } from "../cycleContext";
import type { FieldChange } from "../events";

/** One direction's write of a pair, as events see it. */
export interface WrittenChanges {
  direction: "defender-to-sentinel" | "sentinel-to-defender";
  /** The written side's canonical view before the write. */
  before: CanonicalIncident;
  /** The merged values written to it. */
  values: Partial<CanonicalIncident>;
  changes: FieldChange[];
}

/** `incident.updated` for a write, plus `incident.closed` / `incident.reopened` when it changed the status. */
export function emitWritten(ctx: CycleContext, defenderId: string, sentinelName: string, w: WrittenChanges) {
  const dryRun = ctx.settings.dryRun;
  const { direction, before, values } = w;
  ctx.emit("incident.updated", { defenderId, sentinelName, direction, changes: w.changes, dryRun });
  const status = values.status;
  if (!status || status === before.status) return;
  const origin = direction === "defender-to-sentinel" ? "defender" : "sentinel";
  const classification = values.classification ?? before.classification;
  if (status === "closed") {
    ctx.report.counts.closed++;
    ctx.emit("incident.closed", { defenderId, sentinelName, origin, classification, dryRun });
  } else if (before.status === "closed") {
    ctx.report.counts.reopened++;
    ctx.emit("incident.reopened", { defenderId, sentinelName, origin, classification, dryRun });
  }
}
