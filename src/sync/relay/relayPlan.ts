import type { AlertComment } from "../../defender/models";
import type { CanonicalIncident, MappingProfile } from "../../mapping";
import { compactCanonical } from "../compactCanonical";
import { type ConflictPolicy, resolveConflict } from "../conflictPolicy";
import type { SyncDirection } from "../cycleContext";
import { sha256 } from "../deterministicName";
import type { SyncRecord } from "../stateStore";
import {
  MERGE_GROUPS,
  type MergeConflict,
  type MergeGroup,
  type Side,
  threeWayMerge,
} from "../threeWayMerge";

/**
 * Groups owned by the source: they flow source → target only. The target's title is chosen by Defender's
 * correlation engine and is never written back; severity and description follow the source's.
 */
export const SOURCE_OWNED_GROUPS: readonly MergeGroup[] = ["title", "description", "severity"];

/** Source-owned fields the target is held to: a change made on the target is put back. */
const HELD_FIELDS = ["severity", "description"] as const;

/** Tag the target incident gets when its source incident was merged into another. */
export const REDIRECTED_TAG = "Redirected";

/** Everything one relay pair's plan is made from: both sides read once, mapped once. */
export interface RelayPairView {
  sourceTenantId: string;
  sourceId: string;
  sourceCanonical: CanonicalIncident;
  sourceUpdatedAt: string | undefined;
  sourceComments: readonly AlertComment[];
  targetId: string;
  targetCanonical: CanonicalIncident;
  targetUpdatedAt: string | undefined;
  targetComments: readonly AlertComment[];
  record: SyncRecord | undefined;
  /** Target id of the source's redirect target pair, when the source was merged and that pair is linked. */
  redirectTargetMirror: string | undefined;
}

export interface RelayPlanSettings {
  direction: SyncDirection;
  conflictPolicy: ConflictPolicy;
  profile: Pick<MappingProfile, "equals">;
}

export interface PlannedComment {
  /** Text hash on the side it came from (ledger identity). */
  originHash: string;
  text: string;
}

/** What to write for one linked relay pair. Pure data: `applyRelayPlan` performs it. */
export interface RelayPlan {
  toSource: Partial<CanonicalIncident>;
  toTarget: Partial<CanonicalIncident>;
  conflicts: (MergeConflict & { winner: Side })[];
  commentsToTarget: PlannedComment[];
  commentsToSource: PlannedComment[];
  /** A note on the target incident that its source was merged (written once). */
  redirectNote: string | undefined;
}

/** Identity of a comment's text, whatever its author and time (Graph comments have no id). */
export function commentTextHash(text: string): string {
  return sha256(text.trim()).slice(0, 32);
}

function dropGroups(
  values: Partial<CanonicalIncident>,
  groups: readonly MergeGroup[],
): Partial<CanonicalIncident> {
  const out = { ...values };
  for (const g of groups) for (const f of MERGE_GROUPS[g]) delete out[f];
  return out;
}

/** The Redirected tag is ours on the target: it never flows to the source. */
function withoutRedirectedTag(
  values: Partial<CanonicalIncident>,
  sourceTags: readonly string[],
): Partial<CanonicalIncident> {
  if (!values.tags) return values;
  const tags = values.tags.filter((t) => t !== REDIRECTED_TAG);
  const { tags: _all, ...rest } = values;
  return JSON.stringify(tags) === JSON.stringify([...sourceTags].sort()) ? rest : { ...rest, tags };
}

/**
 * What the target gets of the source-owned fields: severity and description always follow the source; the
 * title only when the source renamed its incident since the last sync (never on link: Defender names the
 * target incident, and an analyst's rename there stays until the source renames).
 */
function sourceOwned(
  view: RelayPairView,
  toTarget: Partial<CanonicalIncident>,
  settings: RelayPlanSettings,
): Partial<CanonicalIncident> {
  const out: Partial<CanonicalIncident> = { ...toTarget };
  for (const field of HELD_FIELDS) {
    if (settings.profile.equals(field, view.sourceCanonical, view.targetCanonical)) delete out[field];
    else (out as Record<string, unknown>)[field] = view.sourceCanonical[field];
  }
  const base = view.record?.baseDefender;
  const renamed = base !== undefined && base.title !== view.sourceCanonical.title;
  if (renamed && view.sourceCanonical.title !== view.targetCanonical.title)
    out.title = view.sourceCanonical.title;
  else delete out.title;
  return out;
}

/** The merge of one pair; the source plays Graph-merge side "defender", the target "sentinel". */
function mergeFields(view: RelayPairView, settings: RelayPlanSettings) {
  const merge = threeWayMerge({
    defender: view.sourceCanonical,
    sentinel: view.targetCanonical,
    baseDefender: view.record?.baseDefender,
    baseSentinel: view.record?.baseSentinel,
    equals: (field, a, b) => settings.profile.equals(field, a, b),
    compact: compactCanonical,
    initialSource: "defender",
    resolve: (conflict) =>
      resolveConflict(settings.conflictPolicy, {
        ...conflict,
        defenderId: view.sourceId,
        sentinelName: view.targetId,
        defenderUpdatedAt: view.sourceUpdatedAt,
        sentinelUpdatedAt: view.targetUpdatedAt,
      }),
  });
  let toTarget =
    settings.direction === "sentinel-to-defender" ? {} : sourceOwned(view, merge.toSentinel, settings);
  let toSource = settings.direction === "defender-to-sentinel" ? {} : merge.toDefender;
  toSource = withoutRedirectedTag(dropGroups(toSource, SOURCE_OWNED_GROUPS), view.sourceCanonical.tags);
  // A merged source cannot be reopened or reassigned from the target.
  if (view.sourceCanonical.redirectTarget) toSource = dropGroups(toSource, ["lifecycle", "owner"]);
  if (view.sourceCanonical.redirectTarget && !view.targetCanonical.tags.includes(REDIRECTED_TAG)) {
    const tags = [...new Set([...(toTarget.tags ?? view.targetCanonical.tags), REDIRECTED_TAG])].sort();
    toTarget = { ...toTarget, tags };
  }
  return { toTarget, toSource, conflicts: merge.conflicts };
}

function commentsBetween(view: RelayPairView, settings: RelayPlanSettings) {
  const known = view.record?.comments ?? [];
  const knownSource = new Set(known.map((c) => c.defenderHash));
  const knownTarget = new Set(known.map((c) => c.sentinelCommentId));
  const commentsToTarget: PlannedComment[] = [];
  const commentsToSource: PlannedComment[] = [];
  if (settings.direction !== "sentinel-to-defender") {
    for (const c of view.sourceComments) {
      const hash = commentTextHash(c.comment ?? "");
      if (!c.comment?.trim() || knownSource.has(hash) || knownTarget.has(hash)) continue;
      knownSource.add(hash);
      const by = c.createdByDisplayName ? ` (${c.createdByDisplayName})` : "";
      commentsToTarget.push({
        originHash: hash,
        text: `${c.comment}\n— source incident ${view.sourceId}${by}`,
      });
    }
  }
  if (settings.direction !== "defender-to-sentinel") {
    for (const c of view.targetComments) {
      const hash = commentTextHash(c.comment ?? "");
      if (!c.comment?.trim() || knownTarget.has(hash) || knownSource.has(hash)) continue;
      knownTarget.add(hash);
      const by = c.createdByDisplayName ? ` (${c.createdByDisplayName})` : "";
      commentsToSource.push({
        originHash: hash,
        text: `${c.comment}\n— mirror incident ${view.targetId}${by}`,
      });
    }
  }
  return { commentsToTarget, commentsToSource };
}

/**
 * Plans one linked relay pair: a three-way merge against the ledger base (title, description and severity
 * only source → target), comments both ways by text hash (each comment we post is recorded under both its
 * origin hash and the hash of the text we wrote, so it never echoes), and the redirect note.
 */
export function planRelayPair(view: RelayPairView, settings: RelayPlanSettings): RelayPlan {
  const { toTarget, toSource, conflicts } = mergeFields(view, settings);
  const { commentsToTarget, commentsToSource } = commentsBetween(view, settings);
  const redirect = view.sourceCanonical.redirectTarget;
  const redirectNote =
    redirect && view.record?.redirectNotified !== redirect && settings.direction !== "sentinel-to-defender"
      ? `The source incident ${view.sourceId} was merged into source incident ${redirect}${
          view.redirectTargetMirror ? ` (mirrored as incident ${view.redirectTargetMirror})` : ""
        }. This incident was resolved automatically.`
      : undefined;
  return { toTarget, toSource, conflicts, commentsToTarget, commentsToSource, redirectNote };
}

/** True when the plan writes nothing. */
export function isEmptyPlan(plan: RelayPlan): boolean {
  return (
    Object.keys(plan.toTarget).length === 0 &&
    Object.keys(plan.toSource).length === 0 &&
    plan.commentsToTarget.length === 0 &&
    plan.commentsToSource.length === 0 &&
    plan.redirectNote === undefined
  );
}
