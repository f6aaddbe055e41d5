import type { AlertComment } from "../../defender/models";
import type { CanonicalIncident, MappingProfile } from "../../mapping";
import { compactCanonical } from "../compactCanonical";
import type { ConflictPolicy } from "../conflictPolicy";
import type { SyncDirection } from "../cycleContext";
import { sha256 } from "../deterministicName";
import { mergePair, withoutGroups } from "../pairMerge";
import type { SyncedComment, SyncRecord } from "../stateStore";
import { MERGE_GROUPS, type MergeConflict, type MergeGroup, type Side } from "../threeWayMerge";

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
  /**
   * Comments (and the redirect note) we wrote before whose ledger write was lost (a crash, a dropped answer):
   * already on the other side, so recorded instead of posted again. Absent when there are none.
   */
  adopted?: SyncedComment[];
}

/** Ledger identity of the redirect note of a source incident. */
export function redirectNoteHash(sourceId: string): string {
  return `redirect:${sourceId}`;
}

/** Identity of a comment's text, whatever its author and time (Graph comments have no id). */
export function commentTextHash(text: string): string {
  return sha256(text.trim()).slice(0, 32);
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
  const merge = mergePair(
    {
      defender: view.sourceCanonical,
      sentinel: view.targetCanonical,
      record: view.record,
      defenderId: view.sourceId,
      sentinelName: view.targetId,
      defenderUpdatedAt: view.sourceUpdatedAt,
      sentinelUpdatedAt: view.targetUpdatedAt,
    },
    settings,
  );
  let toTarget =
    settings.direction === "sentinel-to-defender" ? {} : sourceOwned(view, merge.toSentinel, settings);
  let toSource = settings.direction === "defender-to-sentinel" ? {} : merge.toDefender;
  toSource = withoutRedirectedTag(withoutGroups(toSource, SOURCE_OWNED_GROUPS), view.sourceCanonical.tags);
  // A merged source cannot be reopened or reassigned from the target.
  if (view.sourceCanonical.redirectTarget) toSource = withoutGroups(toSource, ["lifecycle", "owner"]);
  if (view.sourceCanonical.redirectTarget && !view.targetCanonical.tags.includes(REDIRECTED_TAG)) {
    const tags = [...new Set([...(toTarget.tags ?? view.targetCanonical.tags), REDIRECTED_TAG])].sort();
    toTarget = { ...toTarget, tags };
  }
  return { toTarget, toSource, conflicts: merge.conflicts };
}

const byline = (c: AlertComment) => (c.createdByDisplayName ? ` (${c.createdByDisplayName})` : "");

/**
 * Comments of one side not synced yet whose mirrored copy the other side already shows: we posted them, and
 * the ledger write that would have said so was lost. They are adopted (recorded, never posted again), and
 * our copy is then known, so it does not come back as a new comment.
 */
function adoptPosted(
  view: RelayPairView,
  known: { source: Set<string>; target: Set<string> },
  adopted: SyncedComment[],
  direction: "toTarget" | "toSource",
): void {
  const toTarget = direction === "toTarget";
  const from = toTarget ? view.sourceComments : view.targetComments;
  const other = new Set(
    (toTarget ? view.targetComments : view.sourceComments).map((c) => commentTextHash(c.comment ?? "")),
  );
  const [knownFrom, knownOther] = toTarget ? [known.source, known.target] : [known.target, known.source];
  for (const c of from) {
    const hash = commentTextHash(c.comment ?? "");
    if (!c.comment?.trim() || knownFrom.has(hash) || knownOther.has(hash)) continue;
    const written = commentTextHash(mirrorText(view, c, direction));
    if (!other.has(written)) continue;
    knownFrom.add(hash);
    knownOther.add(written);
    adopted.push(
      toTarget
        ? { defenderHash: hash, sentinelCommentId: written, origin: "defender" }
        : { defenderHash: written, sentinelCommentId: hash, origin: "sentinel" },
    );
  }
}

function mirrorText(view: RelayPairView, c: AlertComment, direction: "toTarget" | "toSource"): string {
  return direction === "toTarget"
    ? `${c.comment}\n— source incident ${view.sourceId}${byline(c)}`
    : `${c.comment}\n— mirror incident ${view.targetId}${byline(c)}`;
}

function commentsBetween(view: RelayPairView, settings: RelayPlanSettings, adopted: SyncedComment[]) {
  const known = view.record?.comments ?? [];
  const knownSource = new Set(known.map((c) => c.defenderHash));
  const knownTarget = new Set(known.map((c) => c.sentinelCommentId));
  const toTarget = settings.direction !== "sentinel-to-defender";
  const toSource = settings.direction !== "defender-to-sentinel";
  for (const c of adopted) knownTarget.add(c.sentinelCommentId);
  const sets = { source: knownSource, target: knownTarget };
  if (toTarget) adoptPosted(view, sets, adopted, "toTarget");
  if (toSource) adoptPosted(view, sets, adopted, "toSource");
  const commentsToTarget: PlannedComment[] = [];
  const commentsToSource: PlannedComment[] = [];
  if (toTarget) {
    for (const c of view.sourceComments) {
      const hash = commentTextHash(c.comment ?? "");
      if (!c.comment?.trim() || knownSource.has(hash) || knownTarget.has(hash)) continue;
      knownSource.add(hash);
      commentsToTarget.push({ originHash: hash, text: mirrorText(view, c, "toTarget") });
    }
  }
  if (toSource) {
    for (const c of view.targetComments) {
      const hash = commentTextHash(c.comment ?? "");
      if (!c.comment?.trim() || knownTarget.has(hash) || knownSource.has(hash)) continue;
      knownTarget.add(hash);
      commentsToSource.push({ originHash: hash, text: mirrorText(view, c, "toSource") });
    }
  }
  return { commentsToTarget, commentsToSource };
}

/** The redirect note when it is due; one the target already shows (its ledger write was lost) is adopted. */
function redirectNoteOf(
  view: RelayPairView,
  settings: RelayPlanSettings,
  adopted: SyncedComment[],
): string | undefined {
  const redirect = view.sourceCanonical.redirectTarget;
  if (
    !redirect ||
    view.record?.redirectNotified === redirect ||
    settings.direction === "sentinel-to-defender"
  )
    return undefined;
  const note = `The source incident ${view.sourceId} was merged into source incident ${redirect}${
    view.redirectTargetMirror ? ` (mirrored as incident ${view.redirectTargetMirror})` : ""
  }. This incident was resolved automatically.`;
  const hash = commentTextHash(note);
  if (!view.targetComments.some((c) => commentTextHash(c.comment ?? "") === hash)) return note;
  adopted.push({
    defenderHash: redirectNoteHash(view.sourceId),
    sentinelCommentId: hash,
    origin: "defender",
  });
  return undefined;
}

/**
 * Plans one linked relay pair: a three-way merge against the ledger base (title, description and severity
 * only source → target), comments both ways by text hash (each comment we post is recorded under both its
 * origin hash and the hash of the text we wrote, so it never echoes), and the redirect note.
 */
export function planRelayPair(view: RelayPairView, settings: RelayPlanSettings): RelayPlan {
  const { toTarget, toSource, conflicts } = mergeFields(view, settings);
  const adopted: SyncedComment[] = [];
  const redirectNote = redirectNoteOf(view, settings, adopted);
  const { commentsToTarget, commentsToSource } = commentsBetween(view, settings, adopted);
  return {
    toTarget,
    toSource,
    conflicts,
    commentsToTarget,
    commentsToSource,
    redirectNote,
    ...(adopted.length > 0 ? { adopted } : {}),
  };
}

type InFlight = NonNullable<NonNullable<SyncRecord["relay"]>["inFlight"]>;

/** Same-side equality as the merge compares a view with its base (tags as sets, absent as null). */
function sameValue(field: keyof CanonicalIncident, a: CanonicalIncident, b: CanonicalIncident): boolean {
  const norm = (v: unknown) => (field === "tags" && Array.isArray(v) ? [...v].sort() : (v ?? null));
  return JSON.stringify(norm(a[field])) === JSON.stringify(norm(b[field]));
}

/** One side's base after an in-flight write whose ledger write was lost. */
function sideBase(
  base: CanonicalIncident,
  read: CanonicalIncident,
  wrote: CanonicalIncident,
  now: CanonicalIncident,
): CanonicalIncident {
  const out: Record<string, unknown> = { ...base };
  for (const fields of Object.values(MERGE_GROUPS)) {
    for (const f of fields) {
      const written = !sameValue(f, wrote, read) && sameValue(f, now, wrote);
      if (written)
        out[f] = wrote[f]; // our write landed: no change since
      else if (!sameValue(f, now, read)) out[f] = read[f]; // changed since we read it, even back to the base
    }
  }
  return out as unknown as CanonicalIncident;
}

/**
 * The merge bases of a linked pair whose last writes may or may not have landed (the process stopped before
 * the ledger write after them). Per side and field: what we were writing when the side shows it (it landed),
 * the old base when the side still shows what we read (nothing happened there, so the same merge is redone),
 * and what we read otherwise (an analyst changed it since, also when back to the old base value). Views are
 * compared compacted, as bases are stored.
 */
export function basesAfterInFlight(
  record: Pick<SyncRecord, "baseDefender" | "baseSentinel" | "relay">,
  source: CanonicalIncident,
  target: CanonicalIncident,
): { baseDefender: CanonicalIncident | undefined; baseSentinel: CanonicalIncident | undefined } {
  const flight: InFlight | undefined = record.relay?.inFlight;
  const { baseDefender, baseSentinel } = record;
  if (!flight || !baseDefender || !baseSentinel) return { baseDefender, baseSentinel };
  return {
    baseDefender: sideBase(baseDefender, flight.readSource, flight.wroteSource, compactCanonical(source)),
    baseSentinel: sideBase(baseSentinel, flight.readTarget, flight.wroteTarget, compactCanonical(target)),
  };
}

/** True when the plan writes nothing. */
export function isEmptyPlan(plan: RelayPlan): boolean {
  return (
    Object.keys(plan.toTarget).length === 0 &&
    Object.keys(plan.toSource).length === 0 &&
    plan.commentsToTarget.length === 0 &&
    plan.commentsToSource.length === 0 &&
    plan.redirectNote === undefined &&
    (plan.adopted?.length ?? 0) === 0
  );
}
