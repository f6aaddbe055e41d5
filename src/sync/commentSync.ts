import type { AlertComment, DefenderIncident } from "../defender/models";
import type { SentinelComment } from "../sentinel/models";
import { SENTINEL_LIMITS } from "../sentinel/sentinelClient";
import type { CycleContext } from "./cycleContext";
import { redirectCommentIdFor, sentinelCommentIdFor, sha256 } from "./deterministicName";
import type { SyncedComment } from "./stateStore";

/** Sentinel comments the ledger knows (an edited one has an entry per Defender re-post, all with its id). */
export function sentinelCommentCount(known: readonly SyncedComment[]): number {
  return new Set(known.map((c) => c.sentinelCommentId.toLowerCase())).size;
}

/** Identity of a Defender comment, which has no id: its text and creation time. */
export function defenderCommentHash(comment: Pick<AlertComment, "comment" | "createdDateTime">): string {
  return sha256(`${comment.createdDateTime ?? ""}\n${comment.comment ?? ""}`);
}

export interface CommentSyncInput {
  defender: DefenderIncident;
  sentinelName: string;
  /** Sentinel comments, when they were listed; undefined skips Sentinel → Defender. */
  sentinelComments: SentinelComment[] | undefined;
  known: SyncedComment[];
  toSentinel: boolean;
  toDefender: boolean;
  /** Told of each comment we write to Sentinel (the incident's etag may move because of it). */
  onSentinelCommentWritten?: () => void;
}

/**
 * Syncs comments both ways without duplicates or loops. Defender → Sentinel uses a comment id derived
 * from the Defender comment's hash, so a retry after a crash rewrites the same comment. Sentinel →
 * Defender (which cannot be made idempotent by id) first looks for an identical, unclaimed Defender
 * comment before posting. Every comment we write is recorded by hash on both sides, so it never echoes.
 */
export async function syncComments(ctx: CycleContext, input: CommentSyncInput): Promise<SyncedComment[]> {
  const { settings, report } = ctx;
  const { defender, sentinelName } = input;
  const known = [...input.known];
  const byDefenderHash = new Set(known.map((c) => c.defenderHash));
  const bySentinelId = new Map(known.map((c) => [c.sentinelCommentId.toLowerCase(), c]));
  const defenderComments = defender.comments ?? [];
  // The Defender comments as they now are: a post answers with the whole list, kept here (never written back
  // into the caller's incident).
  const current: CurrentDefenderComments = { comments: defenderComments };
  const deterministicIds = new Map<string, string>();
  for (const c of defenderComments) {
    const hash = defenderCommentHash(c);
    deterministicIds.set(sentinelCommentIdFor(defender.id, hash), hash);
  }
  // Our note on a merged incident (see notifyRedirect): adopted like our other comments, never copied back.
  if (defender.status === "redirected" && defender.redirectIncidentId) {
    const target = defender.redirectIncidentId;
    deterministicIds.set(redirectCommentIdFor(defender.id, target), `redirect:${target}`);
  }
  let sentinelCount = input.sentinelComments?.length ?? sentinelCommentCount(known);

  if (input.sentinelComments && input.toDefender) {
    for (const sc of input.sentinelComments) {
      const id = sc.name.toLowerCase();
      const message = sc.properties.message ?? "";
      const existing = bySentinelId.get(id);
      if (existing) {
        const hash = sha256(message);
        if (existing.sentinelMessageHash === undefined || existing.sentinelMessageHash === hash) continue;
        // Defender cannot edit comments: re-post the edited text once per distinct edit.
        const posted = await postToDefender(ctx, input, current, message, sc, true, known);
        if (posted) {
          // A new entry, not an edit of the ledger's (whose records may be shared or frozen).
          known[known.indexOf(existing)] = { ...existing, sentinelMessageHash: hash };
          // Record the re-post too, or it would come back to Sentinel as a new Defender comment.
          const repost: SyncedComment = {
            defenderHash: posted,
            sentinelCommentId: sc.name,
            origin: "sentinel",
            sentinelMessageHash: hash,
          };
          known.push(repost);
          bySentinelId.set(id, repost);
          byDefenderHash.add(posted);
        }
        continue;
      }
      const ourHash = deterministicIds.get(id);
      if (ourHash) {
        // Written by us from a Defender comment, but the ledger write was lost (crash): adopt it.
        const adopted: SyncedComment = {
          defenderHash: ourHash,
          sentinelCommentId: sc.name,
          origin: "defender",
          sentinelMessageHash: sha256(message),
        };
        known.push(adopted);
        bySentinelId.set(id, adopted);
        byDefenderHash.add(ourHash);
        continue;
      }
      const posted = await postToDefender(ctx, input, current, message, sc, false, known);
      if (posted) {
        const entry: SyncedComment = {
          defenderHash: posted,
          sentinelCommentId: sc.name,
          origin: "sentinel",
          sentinelMessageHash: sha256(message),
        };
        known.push(entry);
        bySentinelId.set(id, entry);
        byDefenderHash.add(posted);
      }
    }
  }

  if (input.toSentinel) {
    for (const dc of defenderComments) {
      const hash = defenderCommentHash(dc);
      if (byDefenderHash.has(hash)) continue;
      if (sentinelCount >= SENTINEL_LIMITS.maxCommentsPerIncident) {
        report.warnings.push(
          `Sentinel incident ${sentinelName} reached ${SENTINEL_LIMITS.maxCommentsPerIncident} comments; newer Defender comments of ${defender.id} were not copied`,
        );
        break;
      }
      const rendered = settings.profile.renderSentinelComment(dc.comment ?? "", {
        author: dc.createdByDisplayName ?? undefined,
        createdDateTime: dc.createdDateTime ?? undefined,
      });
      if (!rendered.ok) throw rendered.error;
      const commentId = sentinelCommentIdFor(defender.id, hash);
      const truncated = rendered.warnings.some((w) => w.kind === "truncated");
      const perform = ctx.plan({
        service: "sentinel",
        method: "PUT",
        target: `${sentinelName}/comments/${commentId}`,
        operation: "createComment",
        body: { properties: { message: rendered.value } },
      });
      if (perform) {
        await settings.classic.addComment(sentinelName, commentId, rendered.value, {
          abortSignal: ctx.abortSignal,
        });
        input.onSentinelCommentWritten?.();
      }
      sentinelCount++;
      report.writes.sentinel++;
      report.counts.commentsToSentinel++;
      const entry: SyncedComment = {
        defenderHash: hash,
        sentinelCommentId: commentId,
        origin: "defender",
        sentinelMessageHash: sha256(rendered.value),
      };
      known.push(entry);
      byDefenderHash.add(hash);
      bySentinelId.set(commentId, entry);
      ctx.emit("comment.synced", {
        defenderId: defender.id,
        sentinelName,
        direction: "defender-to-sentinel",
        sentinelCommentId: commentId,
        kind: "new",
        truncated,
        dryRun: settings.dryRun,
      });
    }
  }
  return known;
}

/** The Defender incident's comments during one `syncComments`, replaced by each post's answer. */
interface CurrentDefenderComments {
  comments: readonly AlertComment[];
}

/** Posts a Sentinel comment to Defender (or adopts an identical unclaimed one); returns its Defender hash. */
async function postToDefender(
  ctx: CycleContext,
  input: CommentSyncInput,
  current: CurrentDefenderComments,
  message: string,
  sc: SentinelComment,
  edited: boolean,
  known: SyncedComment[],
): Promise<string | undefined> {
  const { settings, report } = ctx;
  const author =
    sc.properties.author?.name ?? sc.properties.author?.email ?? sc.properties.author?.userPrincipalName;
  const rendered = settings.profile.renderDefenderComment(edited ? `(edited) ${message}` : message, {
    author: author ?? undefined,
    createdTimeUtc: sc.properties.createdTimeUtc ?? undefined,
  });
  if (!rendered.ok) throw rendered.error;
  const text = rendered.value;
  const claimed = new Set(known.map((k) => k.defenderHash));
  const existing = current.comments.find((c) => c.comment === text && !claimed.has(defenderCommentHash(c)));
  if (existing) return defenderCommentHash(existing);

  const perform = ctx.plan({
    service: "defender",
    method: "POST",
    target: `${input.defender.id}/comments`,
    operation: "addComment",
    body: { "@odata.type": "microsoft.graph.security.alertComment", comment: text },
  });
  let hash = sha256(`dry-run\n${text}`);
  if (perform) {
    const all = await settings.defender.addIncidentComment(input.defender.id, text, {
      abortSignal: ctx.abortSignal,
    });
    const mine = [...all].reverse().find((c) => c.comment === text && !claimed.has(defenderCommentHash(c)));
    hash = mine ? defenderCommentHash(mine) : sha256(`\n${text}`);
    current.comments = all;
  }
  report.writes.defender++;
  report.counts.commentsToDefender++;
  ctx.emit("comment.synced", {
    defenderId: input.defender.id,
    sentinelName: input.sentinelName,
    direction: "sentinel-to-defender",
    sentinelCommentId: sc.name,
    kind: edited ? "edit" : "new",
    truncated: rendered.warnings.some((w) => w.kind === "truncated"),
    dryRun: settings.dryRun,
  });
  return hash;
}
