import type { DefenderIncident } from "../../defender/models";
import { type CanonicalIncident, sameCanonicalView } from "../../mapping/canonical";
import type { SentinelIncident } from "../../sentinel/models";
import { defenderCommentHash, sentinelCommentCount } from "../commentSync";
import { compactCanonical } from "../compactCanonical";
import type { CycleContext } from "../cycleContext";
import type { SyncRecord } from "../stateStore";

/** A current view still equal to the ledger's base (compared the way bases are stored). */
function sameAsBase(current: CanonicalIncident, base: CanonicalIncident | undefined): boolean {
  return base !== undefined && sameCanonicalView(compactCanonical(current), base);
}

function sameCommentCount(ctx: CycleContext, record: SyncRecord, sentinel: SentinelIncident): boolean {
  const count = sentinel.properties.additionalData?.commentsCount;
  return (
    !ctx.settings.syncComments ||
    (typeof count === "number" && count === sentinelCommentCount(record.comments))
  );
}

/**
 * The Sentinel incident still shows what we recorded (synced view and comment count): whatever moved its etag
 * was not a change we have to sync (or was our own comment write).
 */
export function sentinelViewUnchanged(
  ctx: CycleContext,
  record: SyncRecord,
  sentinel: SentinelIncident,
): boolean {
  const canonical = ctx.views.sentinel(sentinel);
  return (
    canonical.ok &&
    sameAsBase(canonical.value, record.baseSentinel) &&
    sameCommentCount(ctx, record, sentinel)
  );
}

/**
 * A Sentinel incident whose etag moved but whose synced view and comment count did not, while the ledger holds
 * no etag (our own comment writes could not be followed by a read): only the ledger's etag needs to move — no
 * API call. When the etag we recorded moved for no visible reason, a comment may have been edited (or
 * automation touched the incident): not an echo, the pair is merged again (one comments list).
 */
export function isSentinelEcho(ctx: CycleContext, record: SyncRecord, sentinel: SentinelIncident): boolean {
  if (record.quarantine || !record.baseSentinel) return false;
  const watchEdits = ctx.settings.syncComments && ctx.settings.direction !== "defender-to-sentinel";
  if (watchEdits && record.sentinelEtag !== undefined && record.sentinelEtag !== sentinel.etag) return false;
  return sentinelViewUnchanged(ctx, record, sentinel);
}

/**
 * A Defender incident whose lastUpdateDateTime moved but whose synced view, comments, rendered context and pair
 * hooks' work did not (e.g. our own comment posts): only the ledger's version needs to move.
 */
export function isDefenderEcho(ctx: CycleContext, record: SyncRecord, defender: DefenderIncident): boolean {
  if (record.quarantine || !record.baseDefender) return false;
  const view = ctx.views.defender(defender);
  if (!view.canonical.ok || !sameAsBase(view.canonical.value, record.baseDefender)) return false;
  const checkpoints = record.hookCheckpoints ?? {};
  if (ctx.settings.pairHooks.some((h) => h.hasPendingWork(defender, checkpoints[h.checkpointName])))
    return false;
  if (defender.status === "redirected" && record.redirectNotified !== defender.redirectIncidentId)
    return false;
  if (ctx.settings.syncComments) {
    const known = new Set(record.comments.map((c) => c.defenderHash));
    if ((defender.comments ?? []).some((c) => !known.has(defenderCommentHash(c)))) return false;
  }
  return record.link !== "owned" || record.renderDigest === view.renderDigest;
}
