/**
 * Sentinel incident → minimal Graph PATCH for the Defender incident.
 */
import type { DefenderIncident, DefenderIncidentPatch } from "../defender/models";
import type { SentinelIncident, SentinelIncidentProperties } from "../sentinel/models";
import { type CanonicalField, type CanonicalIncident, syncedCanonicalFields } from "./canonical";
import { DEFAULT_MAPPING_PROFILE } from "./defaultProfile";
import { asRecord, own } from "./guards";
import { hasOwnerIdentity } from "./owner";
import type { MappingProfile } from "./profile";
import type { MappingResult, MappingWarning } from "./result";

/** Options of `sentinelToDefender`: the mapping profile to use (default `createMappingProfile()`). */
export interface SentinelToDefenderOptions {
  /** Default: `createMappingProfile()`. */
  profile?: MappingProfile;
}

/**
 * A Graph PATCH carrying only the fields whose canonical value differs between `sentinel` and `defender`
 * (compared with the profile's `equals`, so lossy pairs never produce a write), or every mappable field when no
 * Defender incident is given. `redirectTarget` is never written (read-only in Graph). A Sentinel owner that cannot
 * be resolved to a UPN (e.g. objectId only, no lookup table) never unassigns the Defender incident.
 */
export function sentinelToDefender(
  sentinel: SentinelIncident | SentinelIncidentProperties,
  defender?: DefenderIncident,
  options: SentinelToDefenderOptions = {},
): MappingResult<DefenderIncidentPatch> {
  const profile = options.profile ?? DEFAULT_MAPPING_PROFILE;
  const fromSentinel = profile.sentinelToCanonical(sentinel);
  if (!fromSentinel.ok) return fromSentinel;
  const s = fromSentinel.value;
  const warnings: MappingWarning[] = [...fromSentinel.warnings];

  let fields: CanonicalField[];
  if (defender !== undefined) {
    const fromDefender = profile.defenderToCanonical(defender);
    if (!fromDefender.ok) return fromDefender;
    fields = profile.diff(s, fromDefender.value).filter((f) => f !== "redirectTarget");
  } else {
    fields = [...syncedCanonicalFields];
  }

  const record = asRecord(sentinel);
  const props = asRecord(own(record, "properties")) ?? record;
  if (s.owner === undefined && hasOwnerIdentity(own(props, "owner")) && fields.includes("owner")) {
    fields = fields.filter((f) => f !== "owner");
    warnings.push({
      field: "owner",
      kind: "dropped",
      message: "The Sentinel owner could not be resolved to a UPN; the Defender assignment is left alone",
    });
  }

  const changes: Partial<CanonicalIncident> = {};
  for (const field of fields) {
    (changes as Record<CanonicalField, unknown>)[field] = s[field];
  }
  const patch = profile.renderDefenderPatch(changes, { current: defender });
  if (!patch.ok) return patch;
  return { ok: true, value: patch.value, warnings: [...warnings, ...patch.warnings] };
}
