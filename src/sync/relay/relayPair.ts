import type { DefenderIncident } from "../../defender/models";
import type { MappingResult } from "../../mapping";
import type { TargetIncident } from "../../targets/incidentTarget";
import type { SyncRecord } from "../stateStore";
import { applyRelayPlan } from "./relayApply";
import { isLinked, pendingName, type RelayContext, saveRelayRecord } from "./relayContext";
import { basesAfterInFlight, planRelayPair, type RelayPairView, redirectNoteHash } from "./relayPlan";

function unwrap<T>(result: MappingResult<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

/** Source alerts not handed to the target yet, handed over now (paced). Returns false when some wait. */
export async function relayAlerts(
  ctx: RelayContext,
  source: DefenderIncident,
  record: SyncRecord | undefined,
  reRelay = false,
): Promise<{ record: Omit<SyncRecord, "version">; complete: boolean }> {
  const { settings } = ctx;
  const tenant = settings.sourceTenantId ?? source.tenantId ?? "default";
  const base: Omit<SyncRecord, "version"> = record ?? {
    defenderId: source.id,
    sentinelName: pendingName(source.id),
    link: "relay",
    comments: [],
    relay: { relayed: [] },
  };
  const relay = base.relay ?? { relayed: [] };
  if (settings.direction === "sentinel-to-defender") return { record: base, complete: true };
  // The placeholder row of an alertless incident is for its first relay only. A merged source's alerts moved
  // to the incident it was merged into (which relays them): a placeholder now would make a stray incident.
  if ((source.alerts ?? []).length === 0 && relay.relayed.length > 0 && !reRelay)
    return { record: base, complete: true };
  const plannedOnly = !ctx.plan({
    service: "sentinel",
    method: "POST",
    target: `relay:${source.id}`,
    operation: "createIncident",
    body: { alerts: (source.alerts ?? []).map((a) => a.id) },
  });
  if (plannedOnly) return { record: base, complete: true };
  const result = await settings.target.materialize(source, tenant, {
    alreadyRelayed: relay.relayed,
    reRelay,
    abortSignal: ctx.abortSignal,
  });
  const relayed = [...new Set([...relay.relayed, ...result.relayed])];
  const linked = isLinked(record);
  const now = settings.now().toISOString();
  const next: Omit<SyncRecord, "version"> = {
    ...base,
    relay: {
      ...relay,
      relayed,
      ...(linked ? {} : { pendingSince: relay.pendingSince ?? now }),
      ...(reRelay ? { reRelays: (relay.reRelays ?? 0) + 1, pendingSince: now } : {}),
    },
  };
  if (!linked && (result.relayed.length > 0 || result.deferred.length > 0)) {
    ctx.pending.add(source.id);
    ctx.emit("incident.pending", {
      defenderId: source.id,
      alertsRelayed: result.relayed.length,
      alertsDeferred: result.deferred.length,
      reRelayed: reRelay,
      dryRun: settings.dryRun,
    });
  }
  if (result.relayed.length > 0) ctx.report.writes.sentinel++;
  return { record: next, complete: result.deferred.length === 0 };
}

/** Merges a linked pair: view (both sides mapped once) → plan (pure) → apply. */
export async function mergeRelayPair(
  ctx: RelayContext,
  source: DefenderIncident,
  target: TargetIncident,
  record: Omit<SyncRecord, "version">,
  version: number,
): Promise<void> {
  const { settings } = ctx;
  const redirect = source.status === "redirected" ? (source.redirectIncidentId ?? undefined) : undefined;
  const redirectRecord = redirect ? await settings.store.getRecord(redirect) : undefined;
  const sourceCanonical = unwrap(settings.profile.defenderToCanonical(source));
  const targetCanonical = unwrap(settings.profile.defenderToCanonical(target.incident));
  // Writes of a crashed cycle may have landed without their ledger write: bases that account for them.
  const based = { ...record, ...basesAfterInFlight(record, sourceCanonical, targetCanonical) };
  const view: RelayPairView = {
    sourceTenantId: settings.sourceTenantId ?? source.tenantId ?? "default",
    sourceId: source.id,
    sourceCanonical,
    sourceUpdatedAt: source.lastUpdateDateTime ?? undefined,
    sourceComments: source.comments ?? [],
    targetId: target.id,
    targetCanonical,
    targetUpdatedAt: target.version,
    targetComments: target.incident.comments ?? [],
    record: { ...based, version },
    redirectTargetMirror: isLinked(redirectRecord) ? redirectRecord.relay.targetId : undefined,
  };
  const plan = planRelayPair(view, settings);
  await applyRelayPlan(ctx, view, plan, { source, target, record: based, version });
  // A note adopted after a crash still reports the redirect (the crashed process could not).
  const noted =
    plan.redirectNote ?? plan.adopted?.find((c) => c.defenderHash === redirectNoteHash(source.id));
  if (noted) {
    ctx.report.counts.redirected++;
    ctx.emit("incident.redirected", {
      defenderId: source.id,
      sentinelName: target.id,
      targetDefenderId: redirect ?? "",
      targetSentinelName: view.redirectTargetMirror ?? "",
      dryRun: settings.dryRun,
    });
  }
}

/** Links a pending (or unknown) pair to the target incident that appeared for it. */
export function linkRecord(
  ctx: RelayContext,
  sourceId: string,
  record: Omit<SyncRecord, "version"> | undefined,
  target: TargetIncident,
): Omit<SyncRecord, "version"> {
  const previous = record?.relay?.targetId;
  const pendingSince = record?.relay?.pendingSince;
  const now = ctx.settings.now().getTime();
  ctx.pending.delete(sourceId);
  ctx.report.counts.linked++;
  ctx.emit("incident.linked", {
    defenderId: sourceId,
    targetIncidentId: target.id,
    previousTargetIncidentId: previous,
    pendingForMs: pendingSince && !previous ? Math.max(0, now - Date.parse(pendingSince)) : undefined,
    dryRun: ctx.settings.dryRun,
  });
  const { pendingSince: _done, ...relay } = record?.relay ?? { relayed: [] };
  return {
    ...(record ?? { defenderId: sourceId, comments: [] }),
    sentinelName: target.id,
    link: "relay",
    // A new target incident has its own state: the merge starts again from the source (no base).
    ...(previous ? {} : { baseDefender: undefined, baseSentinel: undefined }),
    sentinelEtag: undefined,
    relay: { ...relay, targetId: target.id },
  };
}

/**
 * A second target incident for a source incident whose pair is linked elsewhere (the grouping lookback
 * expired, the per-incident alert cap overflowed, or an upload landed twice across runs): it is resolved
 * with a comment pointing at the primary, once.
 */
export async function resolveDuplicate(
  ctx: RelayContext,
  record: SyncRecord & { relay: { targetId: string } },
  duplicate: TargetIncident,
): Promise<void> {
  const { settings } = ctx;
  if (record.relay.duplicates?.includes(duplicate.id)) return;
  const primary = record.relay.targetId;
  const text = `Duplicate of incident ${primary}, which mirrors source incident ${record.defenderId}. Resolved automatically.`;
  const status = duplicate.incident.status;
  if (status !== "resolved" && status !== "redirected") {
    const patch = { status: "resolved" as const };
    if (
      ctx.plan({
        service: "defender",
        method: "PATCH",
        target: `target:${duplicate.id}`,
        operation: "updateIncident",
        body: patch,
      })
    ) {
      await settings.target.updateIncident(duplicate.id, patch, { abortSignal: ctx.abortSignal });
      ctx.report.writes.sentinel++;
    }
  }
  // Posted before, but the ledger write that followed was lost (a crash): not posted twice.
  const noted = duplicate.incident.comments?.some((c) => c.comment?.trim() === text);
  if (
    !noted &&
    ctx.plan({
      service: "defender",
      method: "POST",
      target: `target:${duplicate.id}/comments`,
      operation: "createComment",
      body: { comment: text },
    })
  ) {
    await settings.target.addComment(duplicate.id, text, { abortSignal: ctx.abortSignal });
    ctx.report.writes.sentinel++;
  }
  const { version, ...rest } = record;
  await saveRelayRecord(
    ctx,
    { ...rest, relay: { ...rest.relay, duplicates: [...(rest.relay.duplicates ?? []), duplicate.id] } },
    version,
  );
  ctx.emit("incident.duplicate", {
    defenderId: record.defenderId,
    primaryTargetIncidentId: primary,
    duplicateTargetIncidentId: duplicate.id,
    dryRun: settings.dryRun,
  });
}
