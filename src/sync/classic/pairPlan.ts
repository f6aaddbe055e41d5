import type { DefenderIncidentPatch } from "../../defender/models";
import type { CanonicalIncident, MappingProfile, MappingResult } from "../../mapping";
import type { SentinelIncidentWriteProperties } from "../../sentinel/models";
import { sentinelCommentCount } from "../commentSync";
import type { ConflictPolicy } from "../conflictPolicy";
import type { SyncDirection } from "../cycleContext";
import type { FieldChange } from "../events";
import { fieldChanges, mergePair, withoutGroups } from "../pairMerge";
import { MERGE_GROUPS, type MergeConflict, type MergeGroup, type Side } from "../threeWayMerge";
import { trustedTimestamp } from "../trustedTimestamp";
import type { ClassicPairView } from "./pairView";
import { renderedBodyDiffers } from "./renderedBody";

/** What the plan of a classic pair depends on besides the pair itself. */
export interface ClassicPlanSettings {
  profile: Pick<MappingProfile, "equals" | "renderSentinel" | "renderDefenderPatch">;
  direction: SyncDirection;
  conflictPolicy: ConflictPolicy;
  writeConnectorFields: boolean;
  syncComments: boolean;
  /** A full reconciliation cycle: comments are listed whatever the counts say. */
  reconciling: boolean;
  now: Date;
}

/** The Sentinel PUT of a plan: a new copy (no etag) or an etag-checked update. */
export interface PlannedSentinelWrite {
  body: SentinelIncidentWriteProperties;
  etag: string | undefined;
}

/** What to do for one classic pair. Pure data: `applyClassicPlan` performs it. */
export interface ClassicPairPlan {
  /** "create": a new Sentinel copy; "merge": an existing pair; "none": nothing may be done (direction). */
  action: "create" | "merge" | "none";
  sentinelWrite: PlannedSentinelWrite | undefined;
  defenderPatch: DefenderIncidentPatch | undefined;
  /** Merged values per side (canonical), before rendering. */
  toSentinel: Partial<CanonicalIncident>;
  toDefender: Partial<CanonicalIncident>;
  conflicts: (MergeConflict & { winner: Side })[];
  /** Sentinel comments must be listed (they may have changed) before comments are synced. */
  listSentinelComments: boolean;
  /** Field changes each write makes, for `incident.updated` (from → to). */
  sentinelChanges: FieldChange[];
  defenderChanges: FieldChange[];
}

/** Fields the built-in connector already mirrors both ways; left to it on linked copies. */
const CONNECTOR_GROUPS: readonly MergeGroup[] = ["lifecycle", "owner"];

function unwrap<T>(result: MappingResult<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * Plans one pair: a copy to create, or the three-way merge of both canonical views against the ledger's bases,
 * rendered into at most one write per side. Throws the `MappingError` of a value that cannot be rendered.
 */
export function planClassicPair(view: ClassicPairView, settings: ClassicPlanSettings): ClassicPairPlan {
  if (!view.sentinel || !view.canonicalSentinel) return planCreate(view, settings);
  const { toSentinel, toDefender, conflicts } = mergeFields(view, settings);
  const sentinelWrite = planSentinelWrite(view, settings, toSentinel);
  const defenderPatch =
    Object.keys(toDefender).length > 0
      ? unwrap(settings.profile.renderDefenderPatch(toDefender, { current: view.defender }))
      : undefined;
  const patch = defenderPatch && Object.keys(defenderPatch).length > 0 ? defenderPatch : undefined;
  return {
    action: "merge",
    sentinelWrite,
    defenderPatch: patch,
    toSentinel,
    toDefender,
    conflicts,
    listSentinelComments: mustListComments(view, settings),
    sentinelChanges: sentinelWrite ? fieldChanges(view.canonicalSentinel, toSentinel) : [],
    defenderChanges: patch ? fieldChanges(view.canonicalDefender, toDefender) : [],
  };
}

function planCreate(view: ClassicPairView, settings: ClassicPlanSettings): ClassicPairPlan {
  const create = settings.direction !== "sentinel-to-defender";
  return {
    action: create ? "create" : "none",
    sentinelWrite: create ? { body: view.renderedDefender, etag: undefined } : undefined,
    defenderPatch: undefined,
    toSentinel: {},
    toDefender: {},
    conflicts: [],
    listSentinelComments: false,
    sentinelChanges: [],
    defenderChanges: [],
  };
}

/** The merge, narrowed by direction, connector ownership and what a merged Defender incident can take. */
function mergeFields(view: ClassicPairView, settings: ClassicPlanSettings) {
  const cD = view.canonicalDefender;
  const sentinel = view.sentinel!;
  const merge = mergePair(
    {
      defender: cD,
      sentinel: view.canonicalSentinel!,
      record: view.record,
      defenderId: view.defender.id,
      sentinelName: view.sentinelName,
      // A timestamp that is not a date or lies in the future must not win every conflict: it counts as unknown.
      defenderUpdatedAt: trustedTimestamp(view.defender.lastUpdateDateTime, settings.now),
      sentinelUpdatedAt: trustedTimestamp(sentinel.properties.lastModifiedTimeUtc, settings.now),
    },
    settings,
  );
  const blocked = new Set<MergeGroup>();
  if (view.link === "connector" && !settings.writeConnectorFields)
    for (const g of CONNECTOR_GROUPS) blocked.add(g);
  // A merged (redirected) Defender incident cannot be reopened or reassigned from Sentinel.
  const defenderBlocked = new Set<MergeGroup>(
    view.defender.status === "redirected" ? ["lifecycle", "owner"] : [],
  );
  // What Sentinel changed but a merged Defender incident cannot take (a reopen, a new owner) is put back in
  // Sentinel, so the copy stays closed like its Defender incident and both sides agree.
  const bounced: Partial<CanonicalIncident> = {};
  for (const g of defenderBlocked) {
    if (MERGE_GROUPS[g].some((f) => f in merge.toDefender))
      for (const f of MERGE_GROUPS[g]) Object.assign(bounced, { [f]: cD[f] });
  }
  const toSentinel =
    settings.direction === "sentinel-to-defender"
      ? {}
      : withoutGroups({ ...merge.toSentinel, ...bounced }, blocked);
  const toDefender =
    settings.direction === "defender-to-sentinel"
      ? {}
      : withoutGroups(withoutGroups(merge.toDefender, blocked), defenderBlocked);
  return { toSentinel, toDefender, conflicts: merge.conflicts };
}

/**
 * Sentinel is written when merged values changed, or (for our own copies) when the Defender context we render —
 * alert summary, activity times, redirect label — no longer matches what is there.
 */
function planSentinelWrite(
  view: ClassicPairView,
  settings: ClassicPlanSettings,
  toSentinel: Partial<CanonicalIncident>,
): PlannedSentinelWrite | undefined {
  const sentinel = view.sentinel!;
  const changed = Object.keys(toSentinel).length > 0;
  const mayRefresh = view.link === "owned" && settings.direction !== "sentinel-to-defender";
  if (!changed && !mayRefresh) return undefined;
  const target: CanonicalIncident = {
    ...view.canonicalSentinel!,
    ...toSentinel,
    redirectTarget: view.canonicalDefender.redirectTarget,
  };
  const body = unwrap(
    settings.profile.renderSentinel(target, { defender: view.defender, existing: sentinel.properties }),
  );
  if (!changed && !renderedBodyDiffers(body, sentinel)) return undefined;
  return { body, etag: sentinel.etag ?? undefined };
}

/**
 * Someone else changed the Sentinel incident since we recorded its etag: besides (or instead of) the fields, a
 * comment may have been edited, which neither the fields nor the comment count show.
 */
function mustListComments(view: ClassicPairView, settings: ClassicPlanSettings): boolean {
  if (!settings.syncComments || settings.direction === "defender-to-sentinel") return false;
  const record = view.record;
  const known = sentinelCommentCount(record?.comments ?? []);
  const count = view.sentinel?.properties.additionalData?.commentsCount;
  const etagMoved = record?.sentinelEtag !== undefined && record.sentinelEtag !== view.sentinel?.etag;
  return settings.reconciling || etagMoved || typeof count !== "number" || count !== known;
}
