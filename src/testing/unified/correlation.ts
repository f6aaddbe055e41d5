/**
 * Defender's cross-alert correlation, reduced to the part a relay must survive: a new incident may be merged
 * with another open incident of the tenant that shares an entity. Alerts of a rule whose description starts
 * with `#DONT_CORR#` are never correlated (the state is fixed per alert when it is raised); merges skip
 * closed incidents and incidents with different owners or classifications
 * (learn.microsoft.com/defender-xdr/alerts-incidents-correlation, exclude-analytics-rules-correlation).
 * Off by default in the emulator; which of the two incidents survives is Defender's choice.
 */
import type { DefenderTenant } from "../defenderState";
import type { Rng } from "../prng";
import type { GraphEvidence, GraphIncident } from "../types";

/**
 * Which incident survives when emulated Defender correlation merges two incidents: the existing one (`intoExisting`),
 * the new one (`intoNew`), or either, from the seed (`seeded`).
 */
export type MergeDirection = "intoExisting" | "intoNew" | "seeded";

const OPEN = new Set(["active", "inProgress", "awaitingAction"]);
const lower = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim().toLowerCase() : undefined);

/** What makes two evidence items "the same entity" (undefined: not comparable). */
export function evidenceIdentity(e: GraphEvidence): string | undefined {
  const type = e["@odata.type"].replace(/^#microsoft\.graph\.security\./, "");
  const account = e.userAccount as Record<string, unknown> | null | undefined;
  const file = e.fileDetails as Record<string, unknown> | null | undefined;
  const value =
    type === "userEvidence"
      ? (lower(account?.userPrincipalName) ?? lower(account?.accountName))
      : type === "deviceEvidence"
        ? (lower(e.hostName) ?? lower(e.deviceDnsName))
        : type === "ipEvidence"
          ? lower(e.ipAddress)
          : type === "urlEvidence"
            ? lower(e.url)
            : type === "mailboxEvidence"
              ? lower(e.primaryAddress)
              : type === "fileEvidence"
                ? lower(file?.fileName)
                : type === "fileHashEvidence"
                  ? lower(e.value)
                  : undefined;
  return value === undefined ? undefined : `${type}:${value}`;
}

function identities(incident: GraphIncident, excluded: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const alert of incident.alerts) {
    if (excluded.has(alert.id)) continue;
    for (const e of alert.evidence) {
      const id = evidenceIdentity(e);
      if (id) out.add(id);
    }
  }
  return out;
}

const sameTriage = (a: GraphIncident, b: GraphIncident) =>
  (a.assignedTo ?? "") === (b.assignedTo ?? "") &&
  (a.classification ?? "unknown") === (b.classification ?? "unknown");

export interface CorrelateInput {
  tenant: DefenderTenant;
  incident: GraphIncident;
  /** Ids of alerts excluded from correlation. */
  excluded: ReadonlySet<string>;
  direction: MergeDirection;
  rng: Rng;
}

/** Merges `incident` with an open incident sharing an entity, if any; returns the merge made. */
export function correlate(input: CorrelateInput): { sourceId: string; targetId: string } | undefined {
  const mine = identities(input.incident, input.excluded);
  if (mine.size === 0) return undefined;
  const candidates = [...input.tenant.incidents.values()]
    .filter(
      (other) =>
        other.id !== input.incident.id && OPEN.has(other.status) && sameTriage(other, input.incident),
    )
    .filter((other) => [...identities(other, input.excluded)].some((id) => mine.has(id)))
    .sort((a, b) => b.lastUpdateDateTime.localeCompare(a.lastUpdateDateTime));
  const other = candidates[0];
  if (!other) return undefined;
  const intoExisting =
    input.direction === "intoExisting" || (input.direction === "seeded" && input.rng.chance(0.5));
  const [source, target] = intoExisting ? [input.incident, other] : [other, input.incident];
  input.tenant.mergeIncidents(source.id, target.id);
  return { sourceId: source.id, targetId: target.id };
}
