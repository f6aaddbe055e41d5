import { RequestAbortedError } from "../../core/errors";
import type { ClientMetrics } from "../../core/metrics";
import type { EngineSettings } from "../cycleContext";
import type { RelayOptions } from "../engineOptions";
import type { Watermarks } from "../stateStore";
import { newSyncReport, type PlannedWrite, type SyncReport } from "../syncReport";
import type { RelayContext } from "./relayContext";
import { runRelayPasses } from "./relayCycle";

export interface RelayCycleDeps {
  settings: EngineSettings;
  relay: RelayOptions;
  abortSignal: AbortSignal;
  emit: RelayContext["emit"];
  /** Start of a pass from its watermark (overlap, distrusted watermarks, backfillSince). */
  since: (watermark: string | undefined) => Date | undefined;
  onCycle: (cycle: number) => void;
  reconcileEvery: number;
}

function totals(metrics: readonly ClientMetrics[]): { requests: number; throttled: number } {
  let requests = 0;
  let throttled = 0;
  for (const m of metrics) {
    const s = m.snapshot();
    requests += s.requests;
    throttled += s.throttledResponses;
  }
  return { requests, throttled };
}

function newRelayContext(
  deps: RelayCycleDeps,
  report: SyncReport,
  watermarks: Watermarks,
  reconciling: boolean,
): RelayContext {
  const { settings, relay } = deps;
  return {
    settings: {
      source: settings.defender,
      target: relay.target,
      store: settings.store,
      profile: settings.profile,
      direction: settings.direction,
      conflictPolicy: settings.conflictPolicy,
      dryRun: settings.dryRun,
      sourceTenantId: relay.sourceTenantId,
      pendingTimeoutInMs: relay.pendingTimeoutInMs,
      now: settings.now,
    },
    report,
    abortSignal: deps.abortSignal,
    emit: deps.emit,
    plan: (write: PlannedWrite) => {
      if (settings.dryRun) {
        report.plannedWrites.push(write);
        return false;
      }
      return true;
    },
    processed: new Set(),
    pending: new Set(watermarks.relayPending ?? []),
    reconciling,
  };
}

/**
 * One cycle of a lane whose target is a `UnifiedTarget`: the same ledger, watermarks, report and events as a
 * classic cycle; the source watermark is `defender`, the target tenant's Graph watermark is `sentinel`.
 */
export async function runRelayCycle(deps: RelayCycleDeps): Promise<SyncReport> {
  const { settings } = deps;
  const started = settings.now();
  const sides = { source: [settings.defender.metrics], target: deps.relay.target.metrics };
  const before = { source: totals(sides.source), target: totals(sides.target) };
  let watermarks = await settings.store.getWatermarks();
  const initial = watermarks;
  const cycle = watermarks.cycles + 1;
  deps.onCycle(cycle);
  const reconciling = deps.reconcileEvery > 0 && cycle % deps.reconcileEvery === 0;
  const report = newSyncReport(cycle, started, settings.dryRun, reconciling, watermarks);
  const ctx = newRelayContext(deps, report, watermarks, reconciling);
  const checkpoint = async (update: Partial<Omit<Watermarks, "version">>) => {
    if (settings.dryRun) return;
    const { version, ...rest } = watermarks;
    watermarks = await settings.store.putWatermarks(
      { ...rest, ...update, relayPending: [...ctx.pending] },
      version,
    );
    report.watermarks = { defender: watermarks.defender, sentinel: watermarks.sentinel };
  };
  try {
    await runRelayPasses(ctx, {
      sourceSince: reconciling ? undefined : deps.since(initial.defender),
      targetSince: reconciling ? undefined : deps.since(initial.sentinel),
      checkpoint,
    });
    await checkpoint({ cycles: cycle });
    await settings.store.flush?.();
  } finally {
    const after = { source: totals(sides.source), target: totals(sides.target) };
    report.apiCalls = {
      defender: after.source.requests - before.source.requests,
      sentinel: after.target.requests - before.target.requests,
    };
    report.throttledResponses = {
      defender: after.source.throttled - before.source.throttled,
      sentinel: after.target.throttled - before.target.throttled,
    };
    const finished = settings.now();
    report.finishedAt = finished.toISOString();
    report.durationInMs = finished.getTime() - started.getTime();
    report.pendingPairs = ctx.pending.size;
  }
  if (deps.abortSignal.aborted) throw new RequestAbortedError("The sync cycle was aborted");
  return report;
}
