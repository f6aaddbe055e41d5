import type { CanonicalIncident, MappingProfile } from "../mapping";
import { compactCanonical } from "./compactCanonical";
import { type ConflictPolicy, resolveConflict } from "./conflictPolicy";
import type { FieldChange } from "./events";
import type { SyncRecord } from "./stateStore";
import { MERGE_GROUPS, type MergeGroup, type MergeResult, threeWayMerge } from "./threeWayMerge";

/** One pair as both pipelines merge it: the source plays merge side "defender", the mirror side "sentinel". */
export interface PairMergeInput {
  defender: CanonicalIncident;
  sentinel: CanonicalIncident;
  record: Pick<SyncRecord, "baseDefender" | "baseSentinel"> | undefined;
  defenderId: string;
  sentinelName: string;
  /** Trusted last-modified times (undefined when unknown: not a date, or in the future). */
  defenderUpdatedAt: string | undefined;
  sentinelUpdatedAt: string | undefined;
}

/** The settings the merge of a pair depends on. */
export interface PairMergeSettings {
  profile: Pick<MappingProfile, "equals">;
  conflictPolicy: ConflictPolicy;
}

/** The three-way merge of a pair against its ledger bases, conflicts settled by the conflict policy. */
export function mergePair(input: PairMergeInput, settings: PairMergeSettings): MergeResult {
  return threeWayMerge({
    defender: input.defender,
    sentinel: input.sentinel,
    baseDefender: input.record?.baseDefender,
    baseSentinel: input.record?.baseSentinel,
    equals: (field, a, b) => settings.profile.equals(field, a, b),
    compact: compactCanonical,
    initialSource: "defender",
    resolve: (conflict) =>
      resolveConflict(settings.conflictPolicy, {
        ...conflict,
        defenderId: input.defenderId,
        sentinelName: input.sentinelName,
        defenderUpdatedAt: input.defenderUpdatedAt,
        sentinelUpdatedAt: input.sentinelUpdatedAt,
      }),
  });
}

/** `values` without the fields of `groups` (a new object). */
export function withoutGroups(
  values: Partial<CanonicalIncident>,
  groups: Iterable<MergeGroup>,
): Partial<CanonicalIncident> {
  const out: Partial<CanonicalIncident> = { ...values };
  for (const g of groups) for (const f of MERGE_GROUPS[g]) delete out[f];
  return out;
}

/** The fields a write of `values` changes on a side that held `before` (from → to), for `incident.updated`. */
export function fieldChanges(before: CanonicalIncident, values: Partial<CanonicalIncident>): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [field, to] of Object.entries(values) as [keyof CanonicalIncident, unknown][]) {
    if (JSON.stringify(before[field]) !== JSON.stringify(to))
      changes.push({ field, from: before[field], to });
  }
  return changes;
}
