/**
 * Defender incident → complete Sentinel PUT body, for a new incident or an existing one.
 */
import type { DefenderIncident } from "../defender/models";
import type { SentinelIncidentProperties, SentinelIncidentWriteProperties } from "../sentinel/models";
import { DEFAULT_MAPPING_PROFILE } from "./defaultProfile";
import type { MappingProfile } from "./profile";
import type { MappingResult } from "./result";

/**
 * Options of `defenderToSentinel`: the mapping profile, and the Sentinel incident as it is now when updating one
 * (what is not synced is preserved from it).
 */
export interface DefenderToSentinelOptions {
  /** Default: `createMappingProfile()`. */
  profile?: MappingProfile;
  /** The Sentinel incident as it is now, when updating one: what we do not sync is preserved from it. */
  existing?: SentinelIncidentProperties;
}

/**
 * Maps a Defender incident to the `properties` of a Sentinel PUT: title, severity, status, description with a
 * link to `incidentWebUrl` and an alert summary, owner, labels, first/last activity from the alerts, and
 * classification + reason + comment when closed. Warnings say what was truncated, lossy or dropped.
 */
export function defenderToSentinel(
  incident: DefenderIncident,
  options: DefenderToSentinelOptions = {},
): MappingResult<SentinelIncidentWriteProperties> {
  const profile = options.profile ?? DEFAULT_MAPPING_PROFILE;
  const canonical = profile.defenderToCanonical(incident);
  if (!canonical.ok) return canonical;
  const rendered = profile.renderSentinel(canonical.value, {
    defender: incident,
    existing: options.existing,
  });
  if (!rendered.ok) return rendered;
  return { ok: true, value: rendered.value, warnings: [...canonical.warnings, ...rendered.warnings] };
}
