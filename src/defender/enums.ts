/**
 * The enums of the Graph security data model (`microsoft.graph.security`), members in the model's order. Members
 * after `unknownFutureValue` are "evolvable": Graph sends them only to callers that send
 * `Prefer: include-unknown-enum-members` (https://learn.microsoft.com/graph/best-practices-concept#handling-future-members-in-evolvable-enumerations),
 * which `DefenderClient` does. Every schema accepts any string (see `evolvableEnum`).
 */
import type { z } from "zod";
import { defineEnum } from "./schema/fields";

export const aiAgentPlatformValues = [
  "unknown",
  "azureAIFoundry",
  "copilotStudio",
  "copilot",
  "unknownFutureValue",
] as const;
export const aiAgentPlatformSchema = defineEnum("aiAgentPlatform", aiAgentPlatformValues);
export type AiAgentPlatform = z.infer<typeof aiAgentPlatformSchema>;

export const alertClassificationValues = [
  "unknown",
  "falsePositive",
  "truePositive",
  "informationalExpectedActivity",
  "unknownFutureValue",
] as const;
export const alertClassificationSchema = defineEnum("alertClassification", alertClassificationValues);
/**
 * Graph `alertClassification`: what an analyst decided an alert or incident is (`truePositive`, `falsePositive`,
 * `informationalExpectedActivity`, `unknown`).
 */
export type AlertClassification = z.infer<typeof alertClassificationSchema>;

export const alertDeterminationValues = [
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
/**
 * Legacy names some incident doc samples and the legacy API still send
 * (https://learn.microsoft.com/graph/api/resources/security-incident): read as the enum member so only real
 * enum values are ever written back.
 */
export const alertDeterminationAliases = {
  compromiseduser: "compromisedAccount",
  clean: "notMalicious",
  insufficientdata: "notEnoughDataToValidate",
  noenoughdatatovalidate: "notEnoughDataToValidate",
  confirmeduseractivity: "confirmedActivity",
  notavailable: "unknown",
} as const satisfies Record<string, (typeof alertDeterminationValues)[number]>;
export const alertDeterminationSchema = defineEnum(
  "alertDetermination",
  alertDeterminationValues,
  alertDeterminationAliases,
);
/**
 * Graph `alertDetermination`: the finer verdict under a classification (`malware`, `phishing`, `securityTesting`,
 * ...). Legacy names are read as the current member.
 */
export type AlertDetermination = z.infer<typeof alertDeterminationSchema>;

export const alertSeverityValues = [
  "unknown",
  "informational",
  "low",
  "medium",
  "high",
  "unknownFutureValue",
] as const;
export const alertSeveritySchema = defineEnum("alertSeverity", alertSeverityValues);
/**
 * Graph `alertSeverity`: the severity of an alert or incident (`informational`, `low`, `medium`, `high`, `unknown`).
 */
export type AlertSeverity = z.infer<typeof alertSeveritySchema>;

export const alertStatusValues = ["unknown", "new", "inProgress", "resolved", "unknownFutureValue"] as const;
export const alertStatusSchema = defineEnum("alertStatus", alertStatusValues);
/** Graph `alertStatus`: the status of an alert (`new`, `inProgress`, `resolved`, `unknown`). */
export type AlertStatus = z.infer<typeof alertStatusSchema>;

export const antispamTeamsDirectionValues = [
  "unknown",
  "inbound",
  "outbound",
  "intraorg",
  "unknownFutureValue",
] as const;
export const antispamTeamsDirectionSchema = defineEnum(
  "antispamTeamsDirection",
  antispamTeamsDirectionValues,
);
export type AntispamTeamsDirection = z.infer<typeof antispamTeamsDirectionSchema>;

export const containerPortProtocolValues = ["udp", "tcp", "sctp", "unknownFutureValue"] as const;
export const containerPortProtocolSchema = defineEnum("containerPortProtocol", containerPortProtocolValues);
export type ContainerPortProtocol = z.infer<typeof containerPortProtocolSchema>;

export const defenderAvStatusValues = [
  "notReporting",
  "disabled",
  "notUpdated",
  "updated",
  "unknown",
  "notSupported",
  "unknownFutureValue",
] as const;
export const defenderAvStatusSchema = defineEnum("defenderAvStatus", defenderAvStatusValues);
export type DefenderAvStatus = z.infer<typeof defenderAvStatusSchema>;

export const detectionSourceValues = [
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
export const detectionSourceSchema = defineEnum("detectionSource", detectionSourceValues);
/**
 * Graph `detectionSource`: the detection technology or sensor that raised an alert (`antivirus`, `customDetection`,
 * `scheduledAlerts`, ...).
 */
export type DetectionSource = z.infer<typeof detectionSourceSchema>;

export const detectionStatusValues = ["detected", "blocked", "prevented", "unknownFutureValue"] as const;
export const detectionStatusSchema = defineEnum("detectionStatus", detectionStatusValues);
export type DetectionStatus = z.infer<typeof detectionStatusSchema>;

export const deviceHealthStatusValues = [
  "active",
  "inactive",
  "impairedCommunication",
  "noSensorData",
  "noSensorDataImpairedCommunication",
  "unknown",
  "unknownFutureValue",
] as const;
export const deviceHealthStatusSchema = defineEnum("deviceHealthStatus", deviceHealthStatusValues);
export type DeviceHealthStatus = z.infer<typeof deviceHealthStatusSchema>;

export const deviceRiskScoreValues = [
  "none",
  "informational",
  "low",
  "medium",
  "high",
  "unknownFutureValue",
] as const;
export const deviceRiskScoreSchema = defineEnum("deviceRiskScore", deviceRiskScoreValues);
export type DeviceRiskScore = z.infer<typeof deviceRiskScoreSchema>;

export const evidenceRemediationStatusValues = [
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
export const evidenceRemediationStatusSchema = defineEnum(
  "evidenceRemediationStatus",
  evidenceRemediationStatusValues,
);
export type EvidenceRemediationStatus = z.infer<typeof evidenceRemediationStatusSchema>;

export const evidenceRoleValues = [
  "unknown",
  "contextual",
  "scanned",
  "source",
  "destination",
  "created",
  "added",
  "compromised",
  "edited",
  "attacked",
  "attacker",
  "commandAndControl",
  "loaded",
  "suspicious",
  "policyViolator",
  "unknownFutureValue",
] as const;
export const evidenceRoleSchema = defineEnum("evidenceRole", evidenceRoleValues);
export type EvidenceRole = z.infer<typeof evidenceRoleSchema>;

export const evidenceVerdictValues = [
  "unknown",
  "suspicious",
  "malicious",
  "noThreatsFound",
  "unknownFutureValue",
] as const;
export const evidenceVerdictSchema = defineEnum("evidenceVerdict", evidenceVerdictValues);
export type EvidenceVerdict = z.infer<typeof evidenceVerdictSchema>;

export const fileHashAlgorithmValues = [
  "unknown",
  "md5",
  "sha1",
  "sha256",
  "sha256ac",
  "unknownFutureValue",
] as const;
export const fileHashAlgorithmSchema = defineEnum("fileHashAlgorithm", fileHashAlgorithmValues);
export type FileHashAlgorithm = z.infer<typeof fileHashAlgorithmSchema>;

export const googleCloudLocationTypeValues = [
  "unknown",
  "regional",
  "zonal",
  "global",
  "unknownFutureValue",
] as const;
export const googleCloudLocationTypeSchema = defineEnum(
  "googleCloudLocationType",
  googleCloudLocationTypeValues,
);
export type GoogleCloudLocationType = z.infer<typeof googleCloudLocationTypeSchema>;

export const incidentStatusValues = [
  "active",
  "resolved",
  "inProgress",
  "redirected",
  "unknownFutureValue",
  "awaitingAction",
] as const;
export const incidentStatusSchema = defineEnum("incidentStatus", incidentStatusValues);
/**
 * Graph `incidentStatus`: the status of a Defender incident (`active`, `inProgress`, `resolved`, `redirected`,
 * `awaitingAction`).
 */
export type IncidentStatus = z.infer<typeof incidentStatusSchema>;

export const investigationStateValues = [
  "unknown",
  "terminated",
  "successfullyRemediated",
  "benign",
  "failed",
  "partiallyRemediated",
  "running",
  "pendingApproval",
  "pendingResource",
  "queued",
  "innerFailure",
  "preexistingAlert",
  "unsupportedOs",
  "unsupportedAlertType",
  "suppressedAlert",
  "partiallyInvestigated",
  "terminatedByUser",
  "terminatedBySystem",
  "unknownFutureValue",
] as const;
export const investigationStateSchema = defineEnum("investigationState", investigationStateValues);
export type InvestigationState = z.infer<typeof investigationStateSchema>;

export const ioTDeviceImportanceTypeValues = [
  "unknown",
  "low",
  "normal",
  "high",
  "unknownFutureValue",
] as const;
export const ioTDeviceImportanceTypeSchema = defineEnum(
  "ioTDeviceImportanceType",
  ioTDeviceImportanceTypeValues,
);
export type IoTDeviceImportanceType = z.infer<typeof ioTDeviceImportanceTypeSchema>;

export const kubernetesPlatformValues = [
  "unknown",
  "aks",
  "eks",
  "gke",
  "arc",
  "unknownFutureValue",
] as const;
export const kubernetesPlatformSchema = defineEnum("kubernetesPlatform", kubernetesPlatformValues);
export type KubernetesPlatform = z.infer<typeof kubernetesPlatformSchema>;

export const kubernetesServiceTypeValues = [
  "unknown",
  "clusterIP",
  "externalName",
  "nodePort",
  "loadBalancer",
  "unknownFutureValue",
] as const;
export const kubernetesServiceTypeSchema = defineEnum("kubernetesServiceType", kubernetesServiceTypeValues);
export type KubernetesServiceType = z.infer<typeof kubernetesServiceTypeSchema>;

export const mailboxConfigurationTypeValues = [
  "mailForwardingRule",
  "owaSettings",
  "ewsSettings",
  "mailDelegation",
  "userInboxRule",
  "unknownFutureValue",
] as const;
export const mailboxConfigurationTypeSchema = defineEnum(
  "mailboxConfigurationType",
  mailboxConfigurationTypeValues,
);
export type MailboxConfigurationType = z.infer<typeof mailboxConfigurationTypeSchema>;

export const onboardingStatusValues = [
  "insufficientInfo",
  "onboarded",
  "canBeOnboarded",
  "unsupported",
  "unknownFutureValue",
] as const;
export const onboardingStatusSchema = defineEnum("onboardingStatus", onboardingStatusValues);
export type OnboardingStatus = z.infer<typeof onboardingStatusSchema>;

export const protocolTypeValues = ["tcp", "udp", "unknownFutureValue"] as const;
export const protocolTypeSchema = defineEnum("protocolType", protocolTypeValues);
export type ProtocolType = z.infer<typeof protocolTypeSchema>;

export const servicePrincipalTypeValues = [
  "unknown",
  "application",
  "managedIdentity",
  "legacy",
  "unknownFutureValue",
] as const;
export const servicePrincipalTypeSchema = defineEnum("servicePrincipalType", servicePrincipalTypeValues);
export type ServicePrincipalType = z.infer<typeof servicePrincipalTypeSchema>;

export const serviceSourceValues = [
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
  "microsoftSecurityForAI",
] as const;
export const serviceSourceSchema = defineEnum("serviceSource", serviceSourceValues);
/**
 * Graph `serviceSource`: the Microsoft security product an alert comes from (`microsoftDefenderForEndpoint`,
 * `microsoftSentinel`, ...).
 */
export type ServiceSource = z.infer<typeof serviceSourceSchema>;

export const teamsDeliveryLocationValues = [
  "unknown",
  "teams",
  "quarantine",
  "failed",
  "unknownFutureValue",
] as const;
export const teamsDeliveryLocationSchema = defineEnum("teamsDeliveryLocation", teamsDeliveryLocationValues);
export type TeamsDeliveryLocation = z.infer<typeof teamsDeliveryLocationSchema>;

export const teamsMessageDeliveryActionValues = [
  "unknown",
  "deliveredAsSpam",
  "delivered",
  "blocked",
  "replaced",
  "unknownFutureValue",
] as const;
export const teamsMessageDeliveryActionSchema = defineEnum(
  "teamsMessageDeliveryAction",
  teamsMessageDeliveryActionValues,
);
export type TeamsMessageDeliveryAction = z.infer<typeof teamsMessageDeliveryActionSchema>;

export const vmCloudProviderValues = ["unknown", "azure", "unknownFutureValue"] as const;
export const vmCloudProviderSchema = defineEnum("vmCloudProvider", vmCloudProviderValues);
export type VmCloudProvider = z.infer<typeof vmCloudProviderSchema>;
