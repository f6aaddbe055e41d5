/**
 * Graph evolvable enums: members after `unknownFutureValue` are only sent to callers that send
 * `Prefer: include-unknown-enum-members`; everyone else gets `unknownFutureValue` (WIRE-FACTS 1.6).
 */

export const INCIDENT_STATUS = [
  "active",
  "resolved",
  "inProgress",
  "redirected",
  "unknownFutureValue",
  "awaitingAction",
] as const;
export const ALERT_SEVERITY = [
  "unknown",
  "informational",
  "low",
  "medium",
  "high",
  "unknownFutureValue",
] as const;
export const ALERT_STATUS = ["unknown", "new", "inProgress", "resolved", "unknownFutureValue"] as const;
export const ALERT_CLASSIFICATION = [
  "unknown",
  "falsePositive",
  "truePositive",
  "informationalExpectedActivity",
  "unknownFutureValue",
] as const;
export const ALERT_DETERMINATION = [
  "unknown",
  "apt",
  "malware",
  "securityPersonnel",
  "securityTesting",
  "unwantedSoftware",
  "other",
  "multiStagedAttack",
  "compromisedAccount",
  "phishing",
  "maliciousUserActivity",
  "notMalicious",
  "notEnoughDataToValidate",
  "confirmedActivity",
  "lineOfBusinessApplication",
  "unknownFutureValue",
] as const;
export const SERVICE_SOURCE = [
  "unknown",
  "microsoftDefenderForEndpoint",
  "microsoftDefenderForIdentity",
  "microsoftDefenderForCloudApps",
  "microsoftDefenderForOffice365",
  "microsoft365Defender",
  "azureAdIdentityProtection",
  "microsoftAppGovernance",
  "dataLossPrevention",
  "unknownFutureValue",
  "microsoftDefenderForCloud",
  "microsoftSentinel",
  "microsoftInsiderRiskManagement",
  "microsoftThreatIntelligence",
] as const;
export const DETECTION_SOURCE = [
  "unknown",
  "microsoftDefenderForEndpoint",
  "antivirus",
  "smartScreen",
  "customTi",
  "microsoftDefenderForOffice365",
  "automatedInvestigation",
  "microsoftThreatExperts",
  "customDetection",
  "microsoftDefenderForIdentity",
  "cloudAppSecurity",
  "microsoft365Defender",
  "azureAdIdentityProtection",
  "manual",
  "microsoftDataLossPrevention",
  "appGovernancePolicy",
  "appGovernanceDetection",
  "unknownFutureValue",
  "microsoftDefenderForCloud",
  "microsoftDefenderForIoT",
  "microsoftDefenderForServers",
  "microsoftDefenderForStorage",
  "microsoftDefenderForDNS",
  "microsoftDefenderForDatabases",
  "microsoftDefenderForContainers",
  "microsoftDefenderForNetwork",
  "microsoftDefenderForAppService",
  "microsoftDefenderForKeyVault",
  "microsoftDefenderForResourceManager",
  "microsoftDefenderForApiManagement",
  "nrtAlerts",
  "scheduledAlerts",
  "microsoftDefenderThreatIntelligenceAnalytics",
  "builtInMl",
  "microsoftInsiderRiskManagement",
  "microsoftThreatIntelligence",
  "microsoftDefenderForAIServices",
  "securityCopilot",
  "microsoftSentinel",
] as const;
export const EVIDENCE_REMEDIATION_STATUS = [
  "none",
  "remediated",
  "prevented",
  "blocked",
  "notFound",
  "unknownFutureValue",
  "active",
  "pendingApproval",
  "declined",
  "unremediated",
  "running",
  "partiallyRemediated",
] as const;

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
