import {
  isAbortError,
  isConnectionError,
  isServiceUnavailableError,
  isThrottledError,
} from "../../core/errors";
import { compareTimestamps, timestampKey } from "../../core/timestamps";
import type { DefenderIncident } from "../../defender/models";
import type { SourceKey, TargetIncident } from "../../targets/incidentTarget";
import type { SyncRecord } from "../stateStore";
import { trustedTimestamp } from "../trustedTimestamp";
import { isLinked, type RelayContext, saveRelayRecord } from "./relayContext";
import { linkRecord, mergeRelayPair, relayAlerts, resolveDuplicate } from "./relayPair";

export interface RelayPassOptions {
  sourceSince: Date | undefined;
  targetSince: Date | undefined;
  checkpoint: (update: { defender?: string; sentinel?: string }) => Promise<void>;
}

function isTransient(e: unknown): boolean {
  return isThrottledError(e) || isServiceUnavailableError(e) || isConnectionError(e);
}

/** Runs one pair step with failure handling; returns false when it must be retried (watermark held). */
async function guarded(
  ctx: RelayContext,
  defenderId: string,
  step: () => Promise<boolean>,
): Promise<boolean> {
  try {
    return await step();
  } catch (e) {
    if (isAbortError(e) || ctx.abortSignal.aborted) throw e;
    const transient = isTransient(e);
    const reason = e instanceof Error ? e.message : String(e);
    ctx.report.counts.failed++;
    ctx.report.failures.push({ defenderId, sentinelName: undefined, reason, transient });
    ctx.emit("incident.failed", {
      defenderId,
      sentinelName: undefined,
      reason,
      error: e,
      transient,
      quarantined: false,
      attempts: 1,
    });
    return !transient;
  }
}

async function sourceItem(ctx: RelayContext, incident: DefenderIncident): Promise<boolean> {
  const { settings } = ctx;
  if (ctx.processed.has(incident.id)) return true;
  const record = await settings.store.getRecord(incident.id);
  if (isLinked(record) && !ctx.reconciling && record.defenderVersion === incident.lastUpdateDateTime)
    return true;
  ctx.report.counts.seen++;
  const relayed = await relayAlerts(ctx, incident, record);
  if (!isLinked(record)) {
    await saveRelayRecord(ctx, relayed.record, record?.version ?? 0);
    return relayed.complete;
  }
  ctx.processed.add(incident.id);
  const target = await settings.target.getIncident(record.relay.targetId, { abortSignal: ctx.abortSignal });
  if (!target) {
    ctx.report.warnings.push(
      `Target incident ${record.relay.targetId} of source incident ${incident.id} is gone`,
    );
    return true;
  }
  await mergeRelayPair(ctx, incident, target, relayed.record, record.version);
  return relayed.complete;
}

async function getSource(ctx: RelayContext, id: string): Promise<DefenderIncident | undefined> {
  const source = await ctx.settings.source.getIncident(id, {
    expandAlerts: true,
    abortSignal: ctx.abortSignal,
  });
  if (!source) ctx.report.warnings.push(`Source incident ${id} named by a target incident does not exist`);
  return source;
}

/** A target incident names a source incident: link, merge, relink after a target merge, or resolve a duplicate. */
async function targetKey(ctx: RelayContext, key: SourceKey, target: TargetIncident): Promise<boolean> {
  const { settings } = ctx;
  const record = await settings.store.getRecord(key.incidentId);
  // A second target incident is resolved even when its pair was handled earlier in this cycle (linked to
  // the first of two incidents listed together: an alert-cap overflow, a late alert): the watermark moves on.
  if (isLinked(record) && record.relay.targetId !== target.id) {
    // A duplicate resolved before costs no call when listed again (the watermark's boundary item); reopened,
    // it is looked at again (the primary may have been merged into it).
    const resolvedBefore =
      record.relay.duplicates?.includes(target.id) && target.incident.status === "resolved";
    if (resolvedBefore) return true;
    const primary = await settings.target.getIncident(record.relay.targetId, {
      abortSignal: ctx.abortSignal,
    });
    const mergedHere =
      primary?.incident.status === "redirected" && primary.incident.redirectIncidentId === target.id;
    if (primary && !mergedHere) {
      await resolveDuplicate(ctx, record, target);
      return true;
    }
  }
  if (ctx.processed.has(key.incidentId)) return true;
  const unchanged = record?.relay?.targetId === target.id && record.sentinelEtag === target.version;
  if (unchanged && !ctx.reconciling) return true;
  const source = await getSource(ctx, key.incidentId);
  if (!source) return true;
  ctx.processed.add(key.incidentId);
  ctx.report.counts.seen++;
  const linked = isLinked(record) && record.relay.targetId === target.id;
  const next = linked ? record : linkRecord(ctx, key.incidentId, record, target);
  await mergeRelayPair(ctx, source, target, next, record?.version ?? 0);
  return true;
}

/** A target incident Defender merged into another: its pairs follow `redirectIncidentId`. */
async function followTargetMerge(ctx: RelayContext, target: TargetIncident): Promise<TargetIncident> {
  const next = target.incident.redirectIncidentId;
  if (target.incident.status !== "redirected" || !next) return target;
  const merged = await ctx.settings.target.getIncident(next, { abortSignal: ctx.abortSignal });
  return merged ?? target;
}

function belongsToLane(ctx: RelayContext, key: SourceKey): boolean {
  const tenant = ctx.settings.sourceTenantId;
  return tenant === undefined || key.tenantId.toLowerCase() === tenant.toLowerCase();
}

async function targetItem(ctx: RelayContext, incident: TargetIncident): Promise<boolean> {
  const keys = incident.sources.filter((k) => belongsToLane(ctx, k));
  if (keys.length === 0) return true; // Not a relay incident of this lane: never touched.
  const target = await followTargetMerge(ctx, incident);
  let ok = true;
  for (const key of keys) {
    ok = (await guarded(ctx, key.incidentId, () => targetKey(ctx, key, target))) && ok;
  }
  return ok;
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return compareTimestamps(a, b) >= 0 ? a : b;
}

function earlier(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return compareTimestamps(a, b) <= 0 ? a : b;
}

async function sourcePass(ctx: RelayContext, options: RelayPassOptions): Promise<void> {
  const pages = ctx.settings.source
    .listIncidents({ updatedSince: options.sourceSince, expandAlerts: true, abortSignal: ctx.abortSignal })
    .byPage();
  // Held for the whole pass: a later page must not checkpoint past an item an earlier page could not finish.
  let high: string | undefined;
  let blockedAt: string | undefined;
  for await (const page of pages) {
    for (const incident of page) {
      // A timestamp in the future or not a date never moves the watermark (the incident still syncs).
      const ts = trustedTimestamp(incident.lastUpdateDateTime, ctx.settings.now());
      const ok = await guarded(ctx, incident.id, () => sourceItem(ctx, incident));
      high = later(high, ts);
      if (!ok) blockedAt = earlier(blockedAt, ts);
    }
    const mark = blockedAt ?? high;
    if (mark) await options.checkpoint({ defender: timestampKey(mark) });
  }
}

async function targetPass(ctx: RelayContext, options: RelayPassOptions): Promise<void> {
  const pages = ctx.settings.target
    .listChanges({ updatedSince: options.targetSince, abortSignal: ctx.abortSignal })
    .byPage();
  // Held for the whole pass: a later page must not checkpoint past an item an earlier page could not finish.
  let high: string | undefined;
  let blockedAt: string | undefined;
  for await (const page of pages) {
    for (const incident of page) {
      const ok = await targetItem(ctx, incident);
      const ts = trustedTimestamp(incident.version, ctx.settings.now());
      high = later(high, ts);
      if (!ok) blockedAt = earlier(blockedAt, ts);
    }
    const mark = blockedAt ?? high;
    if (mark) await options.checkpoint({ sentinel: timestampKey(mark) });
  }
}

/** Pairs pending past their timeout: the rule may have swallowed their rows (per-run cap): relay again. */
async function sweepPending(ctx: RelayContext): Promise<void> {
  const { settings } = ctx;
  const now = settings.now().getTime();
  for (const id of [...ctx.pending]) {
    const record = await settings.store.getRecord(id);
    if (!record || isLinked(record)) {
      ctx.pending.delete(id);
      continue;
    }
    const since = Date.parse(record.relay?.pendingSince ?? "");
    if (Number.isFinite(since) && now - since < settings.pendingTimeoutInMs) continue;
    await guarded(ctx, id, async () => {
      const source = await getSource(ctx, id);
      if (!source) return true;
      ctx.report.warnings.push(
        `Source incident ${id} stayed pending past ${settings.pendingTimeoutInMs} ms; alerts relayed again`,
      );
      const relayed = await relayAlerts(ctx, source, record as SyncRecord, true);
      await saveRelayRecord(ctx, relayed.record, record.version);
      return true;
    });
  }
}

/**
 * One cycle of a unified-target lane: source changes (relay new alerts, merge linked pairs), target changes
 * (link pending pairs, merge, follow target merges, resolve duplicates), then the pending timeout sweep.
 * Each side's watermark moves only past work that is written and recorded.
 */
export async function runRelayPasses(ctx: RelayContext, options: RelayPassOptions): Promise<void> {
  await sourcePass(ctx, options);
  await targetPass(ctx, options);
  await sweepPending(ctx);
}
