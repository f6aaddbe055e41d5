/**
 * Graph evolvable enums: members after `unknownFutureValue` are only sent to callers that send
 * `Prefer: include-unknown-enum-members`; everyone else gets `unknownFutureValue`.
 */

// The wire enums are the models' own lists: one source of truth for the client and its stand-in.
export {
  alertClassificationValues as ALERT_CLASSIFICATION,
  alertDeterminationValues as ALERT_DETERMINATION,
  alertSeverityValues as ALERT_SEVERITY,
  alertStatusValues as ALERT_STATUS,
  detectionSourceValues as DETECTION_SOURCE,
  evidenceRemediationStatusValues as EVIDENCE_REMEDIATION_STATUS,
  incidentStatusValues as INCIDENT_STATUS,
  serviceSourceValues as SERVICE_SOURCE,
} from "../defender/models";

/** The members that come after `unknownFutureValue`. */
export function evolvedMembers(values: readonly string[]): Set<string> {
  const i = values.indexOf("unknownFutureValue");
  return new Set(i < 0 ? [] : values.slice(i + 1));
}

/** `value` as a caller without the Prefer header sees it. */
export function hideEvolved(value: unknown, evolved: Set<string>): unknown {
  return typeof value === "string" && evolved.has(value) ? "unknownFutureValue" : value;
}

/** Does the `Prefer` header ask for evolved members? */
export function wantsUnknownEnumMembers(headers: Headers): boolean {
  const prefer = headers.get("prefer");
  if (!prefer) return false;
  return prefer
    .split(",")
    .map((p) => p.trim().toLowerCase())
    .includes("include-unknown-enum-members");
}

/** The documented spelling of `value` (case-insensitive). */
export function enumMember(values: readonly string[], value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  return values.find((v) => v.toLowerCase() === value.toLowerCase());
}
