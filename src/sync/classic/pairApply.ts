import type { DefenderIncident, DefenderIncidentPatch } from "../../defender/models";
import type { SentinelIncident, SentinelIncidentWriteProperties } from "../../sentinel/models";
import type { CycleContext } from "../cycleContext";
import type { PairOutcome } from "./classicPair";
import { finishPair } from "./pairLedger";
import type { ClassicPairPlan } from "./pairPlan";
import type { ClassicPairView } from "./pairView";

/** What the writes of a plan left behind: each side as it now is (or would be, in dry-run). */
export interface AppliedWrites {
  defender: DefenderIncident;
  /** The Sentinel incident after our PUT, or as read when there was none (undefined: not created in dry-run). */
  sentinel: SentinelIncident | undefined;
  wroteSentinel: boolean;
  wroteDefender: boolean;
}

/**
 * Performs a plan: the Sentinel write through the classic target, the Defender PATCH through the source client,
 * then comments, the redirect note, pair hooks and the ledger (see `finishPair`). In dry-run the writes are
 * listed in the report instead. A Sentinel 409 propagates before anything else was written (re-plan and retry).
 */
export async function applyClassicPlan(
  ctx: CycleContext,
  view: ClassicPairView,
  plan: ClassicPairPlan,
): Promise<PairOutcome> {
  if (plan.action === "none") return "unchanged";
  const { report } = ctx;
  if (plan.action === "merge") emitConflicts(ctx, view, plan);
  let sentinel = view.sentinel;
  let wroteSentinel = false;
  if (plan.sentinelWrite) {
    const { body, etag } = plan.sentinelWrite;
    const written = await putSentinel(ctx, view.sentinelName, body, etag);
    sentinel =
      written ?? (sentinel ? { ...sentinel, properties: { ...sentinel.properties, ...body } } : undefined);
    wroteSentinel = true;
    report.writes.sentinel++;
    if (plan.action === "create") report.counts.created++;
    else report.counts.updatedInSentinel++;
  }
  let defender = view.defender;
  if (plan.defenderPatch) {
    defender = await patchDefender(ctx, defender, plan.defenderPatch);
    report.writes.defender++;
    report.counts.updatedInDefender++;
  }
  const applied = { defender, sentinel, wroteSentinel, wroteDefender: plan.defenderPatch !== undefined };
  return finishPair(ctx, view, plan, applied);
}

function emitConflicts(ctx: CycleContext, view: ClassicPairView, plan: ClassicPairPlan): void {
  for (const c of plan.conflicts) {
    ctx.report.counts.conflicts++;
    ctx.emit("conflict", {
      defenderId: view.defender.id,
      sentinelName: view.sentinelName,
      group: c.group,
      fields: c.fields,
      base: c.base,
      defenderValue: c.defenderValue,
      sentinelValue: c.sentinelValue,
      defenderUpdatedAt: view.defender.lastUpdateDateTime ?? undefined,
      sentinelUpdatedAt: view.sentinel?.properties.lastModifiedTimeUtc ?? undefined,
      resolution: c.winner,
    });
  }
}

async function putSentinel(
  ctx: CycleContext,
  name: string,
  body: SentinelIncidentWriteProperties,
  etag: string | undefined,
): Promise<SentinelIncident | undefined> {
  const perform = ctx.plan({
    service: "sentinel",
    method: "PUT",
    target: name,
    operation: etag ? "updateIncident" : "createIncident",
    body: { properties: body, ...(etag ? { etag } : {}) },
  });
  if (!perform) return undefined;
  return ctx.settings.classic.writeIncident(name, body, { etag, abortSignal: ctx.abortSignal });
}

async function patchDefender(
  ctx: CycleContext,
  current: DefenderIncident,
  patch: DefenderIncidentPatch,
): Promise<DefenderIncident> {
  const perform = ctx.plan({
    service: "defender",
    method: "PATCH",
    target: current.id,
    operation: "updateIncident",
    body: patch,
  });
  if (!perform) return { ...current, ...patch } as DefenderIncident;
  const updated = await ctx.settings.defender.updateIncident(current.id, patch, {
    abortSignal: ctx.abortSignal,
  });
  // The PATCH response may omit the expanded alerts and comments; keep what we had.
  return {
    ...updated,
    alerts: updated.alerts ?? current.alerts,
    comments: updated.comments?.length ? updated.comments : current.comments,
  };
}
