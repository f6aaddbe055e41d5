import type { DefenderIncident } from "../../defender/models";
import type { CanonicalIncident, MappingResult } from "../../mapping";
import type { TargetIncident } from "../../targets/incidentTarget";
import { compactCanonical } from "../compactCanonical";
import type { CommentSyncedEvent, SyncDirectionName } from "../events";
import { fieldChanges } from "../pairMerge";
import type { SyncedComment, SyncRecord } from "../stateStore";
import { type RelayContext, saveRelayRecord } from "./relayContext";
import { commentTextHash, type RelayPairView, type RelayPlan, redirectNoteHash } from "./relayPlan";

function unwrap<T>(result: MappingResult<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

export interface AppliedPair {
  source: DefenderIncident;
  target: TargetIncident;
  wroteSource: boolean;
  wroteTarget: boolean;
}

async function patchSource(ctx: RelayContext, source: DefenderIncident, changes: Partial<CanonicalIncident>) {
  const patch = unwrap(ctx.settings.profile.renderDefenderPatch(changes, { current: source }));
  if (Object.keys(patch).length === 0) return undefined;
  const perform = ctx.plan({
    service: "defender",
    method: "PATCH",
    target: source.id,
    operation: "updateIncident",
    body: patch,
  });
  if (!perform) return { ...source, ...patch } as DefenderIncident;
  const updated = await ctx.settings.source.updateIncident(source.id, patch, {
    abortSignal: ctx.abortSignal,
  });
  return { ...updated, alerts: updated.alerts ?? source.alerts, comments: source.comments };
}

async function patchTarget(ctx: RelayContext, target: TargetIncident, changes: Partial<CanonicalIncident>) {
  const patch = unwrap(ctx.settings.profile.renderDefenderPatch(changes, { current: target.incident }));
  if (Object.keys(patch).length === 0) return undefined;
  const perform = ctx.plan({
    service: "defender",
    method: "PATCH",
    target: `target:${target.id}`,
    operation: "updateIncident",
    body: patch,
  });
  if (!perform) return { ...target, incident: { ...target.incident, ...patch } as DefenderIncident };
  const updated = await ctx.settings.target.updateIncident(target.id, patch, {
    abortSignal: ctx.abortSignal,
  });
  return {
    ...updated,
    incident: { ...updated.incident, alerts: updated.incident.alerts ?? target.incident.alerts },
  };
}

async function postComments(
  ctx: RelayContext,
  view: RelayPairView,
  plan: RelayPlan,
): Promise<SyncedComment[]> {
  const synced: SyncedComment[] = [];
  const { settings, abortSignal } = ctx;
  const notes = plan.redirectNote
    ? [{ originHash: redirectNoteHash(view.sourceId), text: plan.redirectNote }]
    : [];
  for (const c of [...plan.commentsToTarget, ...notes]) {
    if (
      ctx.plan({
        service: "defender",
        method: "POST",
        target: `target:${view.targetId}/comments`,
        operation: "createComment",
        body: { comment: c.text },
      })
    ) {
      await settings.target.addComment(view.targetId, c.text, { abortSignal });
    }
    ctx.report.writes.sentinel++;
    synced.push({
      defenderHash: c.originHash,
      sentinelCommentId: commentTextHash(c.text),
      origin: "defender",
    });
    ctx.emit("comment.synced", commentEvent(ctx, view, "defender-to-sentinel", c.originHash));
  }
  for (const c of plan.commentsToSource) {
    if (
      ctx.plan({
        service: "defender",
        method: "POST",
        target: `${view.sourceId}/comments`,
        operation: "createComment",
        body: { comment: c.text },
      })
    ) {
      await settings.source.addIncidentComment(view.sourceId, c.text, { abortSignal });
    }
    ctx.report.writes.defender++;
    synced.push({
      defenderHash: commentTextHash(c.text),
      sentinelCommentId: c.originHash,
      origin: "sentinel",
    });
    ctx.emit("comment.synced", commentEvent(ctx, view, "sentinel-to-defender", c.originHash));
  }
  return synced;
}

function commentEvent(
  ctx: RelayContext,
  view: RelayPairView,
  direction: SyncDirectionName,
  hash: string,
): CommentSyncedEvent {
  const dryRun = ctx.settings.dryRun;
  // Graph comments have no id: the comment is named by the hash of its text.
  return {
    defenderId: view.sourceId,
    sentinelName: view.targetId,
    direction,
    sentinelCommentId: hash,
    kind: "new",
    truncated: false,
    dryRun,
  };
}

function emitPlanEvents(ctx: RelayContext, view: RelayPairView, plan: RelayPlan, applied: AppliedPair): void {
  const dryRun = ctx.settings.dryRun;
  for (const c of plan.conflicts) {
    ctx.report.counts.conflicts++;
    ctx.emit("conflict", {
      defenderId: view.sourceId,
      sentinelName: view.targetId,
      group: c.group,
      fields: c.fields,
      base: c.base,
      defenderValue: c.defenderValue,
      sentinelValue: c.sentinelValue,
      defenderUpdatedAt: view.sourceUpdatedAt,
      sentinelUpdatedAt: view.targetUpdatedAt,
      resolution: c.winner,
    });
  }
  if (applied.wroteTarget) {
    ctx.report.counts.updatedInSentinel++;
    const changes = fieldChanges(view.targetCanonical, plan.toTarget);
    ctx.emit("incident.updated", {
      defenderId: view.sourceId,
      sentinelName: view.targetId,
      direction: "defender-to-sentinel",
      changes,
      dryRun,
    });
  }
  if (applied.wroteSource) {
    ctx.report.counts.updatedInDefender++;
    const changes = fieldChanges(view.sourceCanonical, plan.toSource);
    ctx.emit("incident.updated", {
      defenderId: view.sourceId,
      sentinelName: view.targetId,
      direction: "sentinel-to-defender",
      changes,
      dryRun,
    });
  }
}

/**
 * Before PATCHing a linked pair, the ledger learns what is about to be written (`relay.inFlight`, with the
 * bases the plan was made on): a crash before the ledger write that follows cannot turn our own write into an
 * analyst's change, or an analyst's revert into no change. Returns the record's version after it.
 */
async function recordInFlight(
  ctx: RelayContext,
  view: RelayPairView,
  plan: RelayPlan,
  sides: { record: Omit<SyncRecord, "version">; version: number },
): Promise<number> {
  const { record } = sides;
  const writes = Object.keys(plan.toTarget).length + Object.keys(plan.toSource).length > 0;
  if (!writes || !record.baseDefender || !record.baseSentinel) return sides.version;
  const inFlight = {
    readSource: compactCanonical(view.sourceCanonical),
    readTarget: compactCanonical(view.targetCanonical),
    wroteSource: compactCanonical({ ...view.sourceCanonical, ...plan.toSource }),
    wroteTarget: compactCanonical({ ...view.targetCanonical, ...plan.toTarget }),
  };
  return saveRelayRecord(
    ctx,
    { ...record, relay: { ...(record.relay ?? { relayed: [] }), inFlight } },
    sides.version,
  );
}

/**
 * Performs a relay plan: one PATCH per side at most, the comments, then the ledger record with the new
 * bases (what each side shows after our writes), so our own writes come back as no change.
 */
export async function applyRelayPlan(
  ctx: RelayContext,
  view: RelayPairView,
  plan: RelayPlan,
  sides: {
    source: DefenderIncident;
    target: TargetIncident;
    record: Omit<SyncRecord, "version">;
    version: number;
  },
): Promise<AppliedPair> {
  const { profile } = ctx.settings;
  const version = await recordInFlight(ctx, view, plan, sides);
  const newTarget =
    Object.keys(plan.toTarget).length > 0 ? await patchTarget(ctx, sides.target, plan.toTarget) : undefined;
  if (newTarget) ctx.report.writes.sentinel++;
  const newSource =
    Object.keys(plan.toSource).length > 0 ? await patchSource(ctx, sides.source, plan.toSource) : undefined;
  if (newSource) ctx.report.writes.defender++;
  const posted = await postComments(ctx, view, plan);
  const adopted = plan.adopted ?? [];
  const source = newSource ?? sides.source;
  const target = newTarget ?? sides.target;
  const applied = {
    source,
    target,
    wroteSource: newSource !== undefined,
    wroteTarget: newTarget !== undefined,
  };
  const baseDefender = newSource ? unwrap(profile.defenderToCanonical(source)) : view.sourceCanonical;
  const baseSentinel = newTarget
    ? unwrap(profile.defenderToCanonical(target.incident))
    : view.targetCanonical;
  const { inFlight: _landed, ...relay } = sides.record.relay ?? { relayed: [] };
  await saveRelayRecord(
    ctx,
    {
      ...sides.record,
      relay,
      baseDefender: compactCanonical(baseDefender),
      baseSentinel: compactCanonical(baseSentinel),
      determination: source.determination ?? sides.record.determination,
      // A side's version after our PATCH is the one its answer carries, so the next cycle does not read our
      // own write back; a comment we posted moved it again to a version we do not know.
      defenderVersion: posted.some((c) => c.origin === "sentinel")
        ? undefined
        : (source.lastUpdateDateTime ?? undefined),
      sentinelEtag: posted.some((c) => c.origin === "defender") ? undefined : target.version,
      comments: [...sides.record.comments, ...adopted, ...posted],
      redirectNotified:
        plan.redirectNote || adopted.some((c) => c.defenderHash === redirectNoteHash(view.sourceId))
          ? (view.sourceCanonical.redirectTarget ?? undefined)
          : sides.record.redirectNotified,
    },
    version,
  );
  emitPlanEvents(ctx, view, plan, applied);
  if (!applied.wroteSource && !applied.wroteTarget && posted.length === 0) ctx.report.counts.unchanged++;
  return applied;
}
