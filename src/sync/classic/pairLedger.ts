import { recordEditLatency } from "../../core/otelMetrics";
import type { DefenderIncident } from "../../defender/models";
import type { CanonicalIncident, MappingResult } from "../../mapping";
import { syncComments } from "../commentSync";
import { compactCanonical } from "../compactCanonical";
import type { CycleContext } from "../cycleContext";
import type { SyncedComment, SyncRecord } from "../stateStore";
import { trustedTimestamp } from "../trustedTimestamp";
import type { PairOutcome } from "./classicPair";
import type { AppliedWrites } from "./pairApply";
import { emitWritten } from "./pairEvents";
import type { ClassicPairPlan } from "./pairPlan";
import type { ClassicPairView } from "./pairView";
import { notifyRedirect } from "./redirectNote";

type NewRecord = Omit<SyncRecord, "version">;

function unwrap<T>(result: MappingResult<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * After a plan's field writes: comments, the redirect note, pair hooks, then the ledger record with the new
 * bases (each side as it now is), and the pair's events.
 */
export async function finishPair(
  ctx: CycleContext,
  view: ClassicPairView,
  plan: ClassicPairPlan,
  applied: AppliedWrites,
): Promise<PairOutcome> {
  const { settings } = ctx;
  let commentWritten = false;
  const onCommentWritten = () => {
    commentWritten = true;
  };
  const comments = await syncPairComments(ctx, view, plan, applied.defender, onCommentWritten);
  let next = nextRecord(ctx, view, plan, applied, comments);
  next = await notifyRedirect(ctx, applied.defender, next, onCommentWritten);
  // Our comment writes may have moved the incident's etag: re-read it (batched per page, see refreshEtags).
  if (commentWritten && !settings.dryRun) {
    ctx.etagRefresh.push({
      defenderId: next.defenderId,
      sentinelName: next.sentinelName,
      since: trustedTimestamp(applied.sentinel?.properties.lastModifiedTimeUtc, settings.now()),
    });
  }
  next = await runPairHooks(ctx, applied.defender, next);
  if (!settings.dryRun) {
    const { quarantine: _dropped, ...clean } = next;
    await settings.store.putRecord(clean, view.record?.version ?? 0);
  }
  return emitPairEvents(ctx, view, plan, applied);
}

async function syncPairComments(
  ctx: CycleContext,
  view: ClassicPairView,
  plan: ClassicPairPlan,
  defender: DefenderIncident,
  onCommentWritten: () => void,
): Promise<SyncedComment[]> {
  const { settings } = ctx;
  const known = view.record?.comments ?? [];
  if (!settings.syncComments) return known;
  const created = plan.action === "create";
  const sentinelComments = plan.listSentinelComments
    ? await settings.classic.listComments(view.sentinelName, { abortSignal: ctx.abortSignal })
    : undefined;
  return syncComments(ctx, {
    defender,
    sentinelName: view.sentinelName,
    sentinelComments,
    known,
    toSentinel: created || settings.direction !== "sentinel-to-defender",
    toDefender: !created && settings.direction !== "defender-to-sentinel",
    onSentinelCommentWritten: onCommentWritten,
  });
}

/** The ledger record after the writes: the new merge bases are each side as it now is. */
function nextRecord(
  ctx: CycleContext,
  view: ClassicPairView,
  plan: ClassicPairPlan,
  applied: AppliedWrites,
  comments: SyncedComment[],
): NewRecord {
  const { views } = ctx;
  const { record } = view;
  const created = plan.action === "create";
  const baseDefender: CanonicalIncident = applied.wroteDefender
    ? unwrap(views.defender(applied.defender).canonical)
    : view.canonicalDefender;
  const baseSentinel: CanonicalIncident =
    applied.sentinel && (applied.wroteSentinel || !view.canonicalSentinel)
      ? unwrap(views.sentinel(applied.sentinel))
      : (view.canonicalSentinel ?? view.canonicalDefender);
  const digest = applied.wroteDefender ? views.defender(applied.defender).renderDigest : view.renderDigest;
  return {
    defenderId: view.defender.id,
    sentinelName: view.sentinelName,
    link: created ? "owned" : view.link,
    baseDefender: compactCanonical(baseDefender),
    baseSentinel: compactCanonical(baseSentinel),
    determination: applied.defender.determination ?? (created ? undefined : record?.determination),
    defenderVersion: applied.defender.lastUpdateDateTime ?? undefined,
    sentinelEtag: applied.sentinel?.etag ?? undefined,
    sentinelModified: applied.sentinel?.properties.lastModifiedTimeUtc ?? undefined,
    comments,
    redirectNotified: created ? undefined : record?.redirectNotified,
    hookCheckpoints: record?.hookCheckpoints,
    renderDigest: created || view.link === "owned" ? digest : undefined,
  };
}

/** Pair hooks (the alert sink) after the writes; never in dry-run. Each checkpoint is kept in its namespace. */
async function runPairHooks(
  ctx: CycleContext,
  defender: DefenderIncident,
  record: NewRecord,
): Promise<NewRecord> {
  const { settings, report } = ctx;
  if (settings.pairHooks.length === 0 || settings.dryRun) return record;
  const checkpoints = { ...record.hookCheckpoints };
  for (const hook of settings.pairHooks) {
    const previous = checkpoints[hook.checkpointName];
    if (!hook.hasPendingWork(defender, previous)) continue;
    const result = await hook.afterPair({
      defender,
      mirrorName: record.sentinelName,
      checkpoint: previous,
      abortSignal: ctx.abortSignal,
    });
    report.counts.alertsUploaded += result.uploaded ?? 0;
    report.counts.alertUploadsFailed += result.failed ?? 0;
    checkpoints[hook.checkpointName] = result.checkpoint;
  }
  return { ...record, hookCheckpoints: checkpoints };
}

function emitPairEvents(
  ctx: CycleContext,
  view: ClassicPairView,
  plan: ClassicPairPlan,
  applied: AppliedWrites,
): PairOutcome {
  const { settings, report } = ctx;
  const ids = [view.defender.id, view.sentinelName] as const;
  if (plan.action === "create" || view.linking) {
    if (plan.action !== "create") report.counts.linked++;
    ctx.emit("incident.created", {
      defenderId: view.defender.id,
      sentinelName: view.sentinelName,
      linkedConnectorCopy: plan.action !== "create" && view.link === "connector",
      dryRun: settings.dryRun,
    });
    if (plan.action === "create") return "created";
  }
  if (applied.wroteSentinel) {
    const values = plan.toSentinel;
    const changes = plan.sentinelChanges;
    emitWritten(ctx, ...ids, {
      direction: "defender-to-sentinel",
      before: view.canonicalSentinel!,
      values,
      changes,
    });
  }
  if (applied.wroteDefender) {
    const values = plan.toDefender;
    const changes = plan.defenderChanges;
    emitWritten(ctx, ...ids, {
      direction: "sentinel-to-defender",
      before: view.canonicalDefender,
      values,
      changes,
    });
  }
  recordPairEditLatency(ctx, view, plan, applied);
  const wrote = applied.wroteDefender || applied.wroteSentinel;
  if (!wrote) report.counts.unchanged++;
  return view.linking ? "linked" : wrote ? "updated" : "unchanged";
}

/** Edit → write time of the fields this pair carried across (not context refreshes, not dry-run). */
function recordPairEditLatency(
  ctx: CycleContext,
  view: ClassicPairView,
  plan: ClassicPairPlan,
  applied: AppliedWrites,
): void {
  if (ctx.settings.dryRun) return;
  const now = ctx.settings.now();
  if (applied.wroteSentinel && plan.sentinelChanges.length > 0)
    recordEditLatency("sentinel", trustedTimestamp(view.defender.lastUpdateDateTime, now), now);
  if (applied.wroteDefender && plan.defenderChanges.length > 0)
    recordEditLatency("defender", trustedTimestamp(view.sentinel?.properties.lastModifiedTimeUtc, now), now);
}
