import type { CanonicalField, CanonicalIncident } from "../mapping";
import { sameCanonicalField } from "../mapping/canonical";

/**
 * Fields that move together. Lifecycle fields are one group because Sentinel needs a classification to
 * close and Defender pairs determination with classification: splitting them across a conflict could
 * produce a state neither side accepts.
 */
export const MERGE_GROUPS = {
  title: ["title"],
  description: ["description"],
  severity: ["severity"],
  lifecycle: ["status", "classification", "classificationDetail", "closingComment"],
  owner: ["owner"],
  tags: ["tags"],
} as const satisfies Record<string, readonly CanonicalField[]>;

/**
 * A group of canonical fields merged as a unit (`title`, `description`, `severity`, `lifecycle`, `owner`, `tags`):
 * `lifecycle` holds status, classification and closing comment, which must change together.
 */
export type MergeGroup = keyof typeof MERGE_GROUPS;
export const ALL_MERGE_GROUPS = Object.keys(MERGE_GROUPS) as MergeGroup[];

/** One side of a sync pair: `defender` (the source) or `sentinel` (the mirror). */
export type Side = "defender" | "sentinel";

/** Two sides changed the same group to different values since the last sync. */
export interface MergeConflict {
  group: MergeGroup;
  fields: readonly CanonicalField[];
  base: {
    defender: Partial<CanonicalIncident> | undefined;
    sentinel: Partial<CanonicalIncident> | undefined;
  };
  defenderValue: Partial<CanonicalIncident>;
  sentinelValue: Partial<CanonicalIncident>;
}

export interface MergeInput {
  defender: CanonicalIncident;
  sentinel: CanonicalIncident;
  /** Each side's canonical view after the last sync; absent on first link. */
  baseDefender?: CanonicalIncident;
  baseSentinel?: CanonicalIncident;
  /** Cross-side equality (lossy pairs compare equal). */
  equals: (field: CanonicalField, a: CanonicalIncident, b: CanonicalIncident) => boolean;
  /** Settles a conflict. */
  resolve: (conflict: MergeConflict) => Side;
  /** Which side wins when there is no base (first link). */
  initialSource: Side;
  /** Applied to a current view before comparing it with its base (bases may be stored compacted). */
  compact?: (c: CanonicalIncident) => CanonicalIncident;
}

export interface MergeResult {
  /** Values to write to Sentinel (canonical space). */
  toSentinel: Partial<CanonicalIncident>;
  /** Values to write to Defender. */
  toDefender: Partial<CanonicalIncident>;
  conflicts: (MergeConflict & { winner: Side })[];
  /** Groups that changed on each side since base. */
  changed: { defender: MergeGroup[]; sentinel: MergeGroup[] };
}

function pick(c: CanonicalIncident, fields: readonly CanonicalField[]): Partial<CanonicalIncident> {
  const out: Partial<CanonicalIncident> = {};
  for (const f of fields) (out as Record<string, unknown>)[f] = c[f];
  return out;
}

function sameSide(fields: readonly CanonicalField[], a: CanonicalIncident, b: CanonicalIncident): boolean {
  return fields.every((f) => sameCanonicalField(f, a, b));
}

/**
 * Tags merge as sets: an add on either side is kept, a removal on either side is applied. With per-side
 * bases a tag that one side never had (e.g. filtered out) is not mistaken for a removal.
 */
export function mergeTags(
  defender: readonly string[],
  sentinel: readonly string[],
  baseDefender: readonly string[] | undefined,
  baseSentinel: readonly string[] | undefined,
): string[] {
  const d = new Set(defender);
  const s = new Set(sentinel);
  const bd = new Set(baseDefender ?? []);
  const bs = new Set(baseSentinel ?? []);
  const out = new Set<string>();
  for (const tag of new Set([...d, ...s])) {
    if (d.has(tag) && s.has(tag)) out.add(tag);
    else if (d.has(tag)) {
      const removedInSentinel = bs.has(tag) && bd.has(tag);
      if (!removedInSentinel || !baseSentinel) out.add(tag);
    } else {
      const removedInDefender = bd.has(tag) && bs.has(tag);
      if (!removedInDefender || !baseDefender) out.add(tag);
    }
  }
  return [...out].sort();
}

/**
 * Three-way merge of the two canonical views against their bases. Pure: decides, never writes.
 * A group changed only on one side flows to the other; changed on both to equal values is agreement;
 * changed on both to different values is a conflict settled by `resolve`.
 */
export function threeWayMerge(input: MergeInput): MergeResult {
  const { defender: d, sentinel: s, baseDefender: bd, baseSentinel: bs } = input;
  const cd = input.compact ? input.compact(d) : d;
  const cs = input.compact ? input.compact(s) : s;
  const result: MergeResult = {
    toSentinel: {},
    toDefender: {},
    conflicts: [],
    changed: { defender: [], sentinel: [] },
  };

  for (const group of ALL_MERGE_GROUPS) {
    const fields = MERGE_GROUPS[group];
    if (group === "tags") {
      const merged = mergeTags(d.tags, s.tags, bd?.tags, bs?.tags);
      if (bd && !sameSide(fields, cd, bd)) result.changed.defender.push(group);
      if (bs && !sameSide(fields, cs, bs)) result.changed.sentinel.push(group);
      if (JSON.stringify(merged) !== JSON.stringify([...d.tags].sort())) result.toDefender.tags = merged;
      if (JSON.stringify(merged) !== JSON.stringify([...s.tags].sort())) result.toSentinel.tags = merged;
      continue;
    }
    const agree = fields.every((f) => input.equals(f, d, s));
    const dChanged = bd ? !sameSide(fields, cd, bd) : input.initialSource === "defender";
    const sChanged = bs ? !sameSide(fields, cs, bs) : input.initialSource === "sentinel";
    if (bd && dChanged) result.changed.defender.push(group);
    if (bs && sChanged) result.changed.sentinel.push(group);
    if (agree) continue;
    let winner: Side | undefined;
    if (dChanged && sChanged) {
      const conflict: MergeConflict = {
        group,
        fields,
        base: { defender: bd ? pick(bd, fields) : undefined, sentinel: bs ? pick(bs, fields) : undefined },
        defenderValue: pick(d, fields),
        sentinelValue: pick(s, fields),
      };
      winner = input.resolve(conflict);
      result.conflicts.push({ ...conflict, winner });
    } else if (dChanged) winner = "defender";
    else if (sChanged) winner = "sentinel";
    else continue; // Differ but neither moved since base: a lossy mapping, not a change.
    if (winner === "defender") Object.assign(result.toSentinel, pick(d, fields));
    else Object.assign(result.toDefender, pick(s, fields));
  }
  return result;
}
