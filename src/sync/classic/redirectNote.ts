import type { DefenderIncident } from "../../defender/models";
import type { CycleContext } from "../cycleContext";
import { redirectCommentIdFor, sentinelNameFor } from "../deterministicName";
import type { SyncRecord } from "../stateStore";

/**
 * A merged Defender incident: its Sentinel copy gets one comment naming the target's Sentinel incident
 * (deterministic id, so never twice), and the target is queued to sync in this same cycle. Returns the record
 * with the note recorded.
 */
export async function notifyRedirect(
  ctx: CycleContext,
  defender: DefenderIncident,
  record: Omit<SyncRecord, "version">,
  onCommentWritten: () => void,
): Promise<Omit<SyncRecord, "version">> {
  const target = defender.redirectIncidentId;
  if (defender.status !== "redirected" || !target) return record;
  const { settings } = ctx;
  const targetRecord = await settings.store.getRecord(target);
  const tenant = settings.tenantId ?? defender.tenantId ?? "default";
  const targetName = targetRecord?.sentinelName ?? sentinelNameFor(tenant, target);
  if (!ctx.processed.has(target)) ctx.followUps.add(target);
  if (record.redirectNotified === target) return record;
  const commentId = redirectCommentIdFor(defender.id, target);
  let comments = record.comments;
  // Already there (adopted after a crash between writing the note and recording it): not written twice.
  const written = comments.some((c) => c.sentinelCommentId.toLowerCase() === commentId);
  if (settings.direction !== "sentinel-to-defender" && !written) {
    const message = `This incident was merged into Microsoft Defender XDR incident ${target} (Sentinel incident ${targetName}). It was closed automatically.`;
    const perform = ctx.plan({
      service: "sentinel",
      method: "PUT",
      target: `${record.sentinelName}/comments/${commentId}`,
      operation: "createComment",
      body: { properties: { message } },
    });
    if (perform) {
      await settings.classic.addComment(record.sentinelName, commentId, message, {
        abortSignal: ctx.abortSignal,
      });
      onCommentWritten();
    }
    ctx.report.writes.sentinel++;
    comments = [
      ...comments,
      { defenderHash: `redirect:${target}`, sentinelCommentId: commentId, origin: "defender" },
    ];
  }
  ctx.report.counts.redirected++;
  ctx.emit("incident.redirected", {
    defenderId: defender.id,
    sentinelName: record.sentinelName,
    targetDefenderId: target,
    targetSentinelName: targetName,
    dryRun: settings.dryRun,
  });
  return { ...record, comments, redirectNotified: target };
}
