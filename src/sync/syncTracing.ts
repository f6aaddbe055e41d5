import { recordConflicts, recordCycleDuration, recordFailures, recordWrites } from "../core/otelMetrics";
import { errorTypeOf, SYNC_ATTRIBUTES, type TracedOptions, withSpan } from "../core/tracing";
import type { SyncReport } from "./syncReport";

/**
 * Runs one engine cycle in a `SyncEngine.cycle` span, and records the cycle's metrics when it settles: its
 * wall time, and from the report its writes, conflicts and pair failures. `fn` receives the options with the
 * span's context; the clients' spans and requests inside become its children either way (through the active
 * context), so passing them on is optional.
 */
export async function traceCycle<O extends TracedOptions, R extends SyncReport>(
  options: O,
  fn: (updatedOptions: O) => Promise<R>,
): Promise<R> {
  const started = performance.now();
  try {
    const report = await withSpan("SyncEngine.cycle", options, async (updated, span) => {
      const result = await fn(updated);
      span.setAttribute(SYNC_ATTRIBUTES.cycleNumber, result.cycle);
      span.setAttribute(SYNC_ATTRIBUTES.dryRun, result.dryRun);
      span.setAttribute(
        "defender_sentinel_sync.cycle.writes",
        result.writes.defender + result.writes.sentinel,
      );
      span.setAttribute("defender_sentinel_sync.cycle.failures", result.failures.length);
      return result;
    });
    recordCycleDuration(performance.now() - started, "completed");
    recordCycleMetrics(report);
    return report;
  } catch (e) {
    recordCycleDuration(performance.now() - started, "failed");
    recordFailures(1, "cycle", undefined, { [SYNC_ATTRIBUTES.errorType]: errorTypeOf(e) });
    throw e;
  }
}

/** Counts a finished cycle's writes (none in dry-run mode), conflicts and pair failures. */
export function recordCycleMetrics(report: SyncReport): void {
  if (!report.dryRun) {
    recordWrites("defender", report.writes.defender);
    recordWrites("sentinel", report.writes.sentinel);
  }
  recordConflicts(report.counts.conflicts);
  const transient = report.failures.filter((f) => f.transient).length;
  recordFailures(transient, "pair", true);
  recordFailures(report.failures.length - transient, "pair", false);
}

/** Which pair a `SyncEngine.pair` span is about; the Sentinel name may be unknown before the pair is read. */
export interface TracedPair {
  defenderId?: string;
  sentinelName?: string;
}

/**
 * Runs one pair's sync in a `SyncEngine.pair` span with the pair's ids; a string result (the `PairOutcome`)
 * becomes the span's outcome, a rejection the outcome `failed`. `fn` may name the Sentinel incident once known
 * (`span.setAttribute(SYNC_ATTRIBUTES.sentinelIncidentName, name)`).
 */
export async function tracePair<R>(
  pair: TracedPair,
  fn: (span: { setAttribute(name: string, value: unknown): void }) => Promise<R>,
  options: TracedOptions = {},
): Promise<R> {
  return withSpan(
    "SyncEngine.pair",
    options,
    async (_updated, span) => {
      try {
        const outcome = await fn(span);
        if (typeof outcome === "string") span.setAttribute(SYNC_ATTRIBUTES.pairOutcome, outcome);
        return outcome;
      } catch (e) {
        span.setAttribute(SYNC_ATTRIBUTES.pairOutcome, "failed");
        throw e;
      }
    },
    {
      [SYNC_ATTRIBUTES.defenderIncidentId]: pair.defenderId,
      [SYNC_ATTRIBUTES.sentinelIncidentName]: pair.sentinelName,
    },
  );
}
