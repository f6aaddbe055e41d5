/**
 * The timer handler of the Azure Functions host adapter: each invocation runs one round of the fleet (every lane
 * this instance owns through its Blob lease). Several instances of the Function app share the lanes; the fleet is
 * built once per instance and kept warm between invocations.
 */
import type { InvocationContext, Timer } from "@azure/functions";
import type { FleetReport, SyncFleet } from "defender-sentinel-sync";

export type FleetFactory = () => Promise<SyncFleet>;

/** One line per invocation, for Application Insights. */
export function summarize(report: FleetReport): string {
  const t = report.totals;
  return (
    `lanes ${t.lanes}: ${t.completed} completed, ${t.failed} failed, ${t.skipped} skipped; ` +
    `writes defender ${t.writes.defender} / target ${t.writes.sentinel}; ${report.durationInMs} ms`
  );
}

/**
 * Builds the handler. A failed lane is logged as an error but does not fail the invocation (the other lanes did
 * their work, and the lane is backed off inside the fleet); only a round that could not run at all throws, so
 * that the Functions host records the failure.
 */
export function createSyncTimerHandler(getFleet: FleetFactory) {
  let fleet: Promise<SyncFleet> | undefined;
  return async (timer: Timer, context: InvocationContext): Promise<FleetReport> => {
    fleet ??= getFleet().catch((error: unknown) => {
      fleet = undefined; // Built again at the next invocation.
      throw error;
    });
    if (timer.isPastDue)
      context.warn("The timer is past due: the previous round ran long or the app was idle.");
    const report = await (await fleet).runOnce();
    context.log(summarize(report));
    for (const lane of report.lanes) {
      if (lane.status === "failed") context.error(`lane ${lane.laneId} failed (${lane.reason})`, lane.error);
    }
    return report;
  };
}
