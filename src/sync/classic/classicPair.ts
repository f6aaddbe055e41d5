import { isConflictError } from "../../core/errors";
import type { DefenderIncident } from "../../defender/models";
import type { SentinelIncident } from "../../sentinel/models";
import { isConnectorCopy } from "../../targets/connectorCopy";
import type { CycleContext } from "../cycleContext";
import { sentinelNameFor } from "../deterministicName";
import type { SyncRecord } from "../stateStore";
import { applyClassicPlan } from "./pairApply";
import { planClassicPair } from "./pairPlan";
import { buildPairView, type ClassicPairView } from "./pairView";

/** What the engine knows of a pair when it picks it up (what is missing is read). */
export interface PairInput {
  defenderId: string;
  defender?: DefenderIncident;
  sentinel?: SentinelIncident;
  record?: SyncRecord;
  /** The Sentinel incident was found by providerIncidentId: a copy made by Microsoft's connector. */
  connectorCopy?: boolean;
}

export type PairOutcome = "created" | "linked" | "updated" | "unchanged" | "missing";

/**
 * Brings one Defender incident and its Sentinel copy into agreement: view (both sides read and mapped once),
 * plan (pure: merge, writes, comment listing), apply (writes, comments, hooks, ledger). A Sentinel 409 means
 * someone changed the copy since we read it: re-read, re-plan, retry (bounded). Throws on failure; the caller
 * decides between retry and quarantine.
 */
export async function syncClassicPair(ctx: CycleContext, input: PairInput): Promise<PairOutcome> {
  const { settings } = ctx;
  const record = input.record ?? (await settings.store.getRecord(input.defenderId));
  const defender =
    input.defender ??
    (await settings.defender.getIncident(input.defenderId, {
      expandAlerts: settings.expandAlerts,
      abortSignal: ctx.abortSignal,
    }));
  if (!defender) {
    ctx.report.warnings.push(
      `Defender incident ${input.defenderId} no longer exists; its Sentinel copy was left as is`,
    );
    return "missing";
  }
  const tenant = settings.tenantId ?? defender.tenantId ?? "default";
  const sentinelName = record?.sentinelName ?? input.sentinel?.name ?? sentinelNameFor(tenant, defender.id);
  const link: ClassicPairView["link"] =
    record?.link === "owned" || record?.link === "connector"
      ? record.link
      : input.connectorCopy || isConnectorCopy(input.sentinel?.properties.providerName)
        ? "connector"
        : "owned";
  let sentinel = input.sentinel;
  if (!sentinel && record)
    sentinel = await settings.classic.getIncident(sentinelName, { abortSignal: ctx.abortSignal });
  // Sentinel-to-Defender only: a pair without a copy has nothing to do (and its Defender side is not mapped).
  if (!sentinel && settings.direction === "sentinel-to-defender") return "unchanged";

  for (let attempt = 0; ; attempt++) {
    const view = buildPairView(ctx.views, { defender, sentinel, sentinelName, record, link });
    const plan = planClassicPair(view, {
      ...settings,
      reconciling: ctx.reconciling,
      now: settings.now(),
    });
    if (settings.dryRun) ctx.report.plannedPairs.push({ defenderId: defender.id, sentinelName, plan });
    try {
      return await applyClassicPlan(ctx, view, plan);
    } catch (e) {
      if (!isConflictError(e) || e.service !== "sentinel" || attempt >= settings.maxConflictRetries) throw e;
      sentinel = await settings.classic.getIncident(sentinelName, { abortSignal: ctx.abortSignal });
    }
  }
}
