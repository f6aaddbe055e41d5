/**
 * zod models for the Microsoft Graph security API v1.0 (`microsoft.graph.security`): incidents, alerts_v2,
 * alert comments and alert evidence. Wire names are kept as they are.
 *
 * Read schemas are tolerant: unknown properties are kept, optional fields accept `null` and absence,
 * enums accept any string (see `evolvableEnum`). Only the PATCH body schema is strict.
 */
import { z } from "zod";
import { evolvableEnum } from "../core/enum";

// ---------------------------------------------------------------------------------------------------------------
// Small building blocks

const str = z.string().nullish();

/**
 * An object that keeps unknown properties, validated on zod's compiled fast path: `z.looseObject` copies
 * unknown keys through a slow generic loop (≈5× slower on evidence with 30 keys), so the known keys are
 * checked with a plain (stripping) object and the result is laid over the raw value.
 */
function loose<S extends z.core.$ZodLooseShape>(
  shape: S,
): z.ZodType<z.output<z.ZodObject<S, z.core.$loose>>, z.input<z.ZodObject<S, z.core.$loose>>> {
  const known = z.object(shape);
  return z.unknown().transform((value, ctx) => {
    const parsed = known.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue(issue as never);
      return z.NEVER;
    }
    return { ...(value as object), ...parsed.data } as z.output<z.ZodObject<S, z.core.$loose>>;
  }) as unknown as z.ZodType<z.output<z.ZodObject<S, z.core.$loose>>, z.input<z.ZodObject<S, z.core.$loose>>>;
}

const strList = z.array(z.string()).nullish();

/**
 * int64/int32 values. OData may send int64 as a string (IEEE754Compatible), so numeric strings become numbers
 * when that is lossless; anything else is kept as the string rather than failing the whole payload.
 */
const int = z
  .union([z.number(), z.string()])
  .transform((v): number | string => {
    if (typeof v === "number") return v;
    const n = Number(v);
    return v.trim() !== "" && Number.isSafeInteger(n) ? n : v;
  })
  .nullish();

/** A list that reads `null` and absence as empty, so callers never branch on "no list". */
function list<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((v) => v ?? []);
}

const record = z.record(z.string(), z.unknown()).nullish();

type Simplify<T> = { [P in keyof T]: T[P] } & {};
/** `T` without `K`, plus `U`. Spread and rest would drop the `[k: string]: unknown` of loose objects; this keeps it. */
type ReplaceKeys<T, K extends PropertyKey, U> = Simplify<
  { [P in keyof T as P extends K | keyof U ? never : P]: T[P] } & U
>;

/** Renames legacy properties on a parsed loose object (a copy), keeping every other property. */
function replaceKeys<T extends object, K extends keyof T, U extends object>(
  value: T,
  drop: readonly K[],
  add: U,
): ReplaceKeys<T, K, U> {
  const out = { ...value } as Record<PropertyKey, unknown>;
  for (const key of drop) delete out[key];
  return Object.assign(out, add) as ReplaceKeys<T, K, U>;
}

// ---------------------------------------------------------------------------------------------------------------
// Enums (WIRE-FACTS 1.6 and 1.8)

export const alertSeverityValues = [
  "unknown",
  "informational",
  "low",
  "medium",
  "high",
  "unknownFutureValue",
] as const;
export const alertSeveritySchema = evolvableEnum(alertSeverityValues);
export type AlertSeverity = z.infer<typeof alertSeveritySchema>;

export const incidentStatusValues = [
  "active",
  "resolved",
  "inProgress",
  "redirected",
  "unknownFutureValue",
  "awaitingAction",
] as const;
export const incidentStatusSchema = evolvableEnum(incidentStatusValues);
export type IncidentStatus = z.infer<typeof incidentStatusSchema>;

export const alertStatusValues = ["unknown", "new", "inProgress", "resolved", "unknownFutureValue"] as const;
export const alertStatusSchema = evolvableEnum(alertStatusValues);
export type AlertStatus = z.infer<typeof alertStatusSchema>;

export const alertClassificationValues = [
  "unknown",
  "falsePositive",
  "truePositive",
  "informationalExpectedActivity",
  "unknownFutureValue",
] as const;
export const alertClassificationSchema = evolvableEnum(alertClassificationValues);
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
 * The incident doc pages and the legacy API use other names for some members (WIRE-FACTS 1.6 "doc bug", 2.5);
 * they are read as the enum member so only real enum values are ever written back.
 */
export const alertDeterminationAliases = {
  compromiseduser: "compromisedAccount",
  clean: "notMalicious",
  insufficientdata: "notEnoughDataToValidate",
  noenoughdatatovalidate: "notEnoughDataToValidate",
  confirmeduseractivity: "confirmedActivity",
  notavailable: "unknown",
} as const satisfies Record<string, (typeof alertDeterminationValues)[number]>;
export const alertDeterminationSchema = evolvableEnum(alertDeterminationValues, {
  aliases: alertDeterminationAliases,
});
export type AlertDetermination = z.infer<typeof alertDeterminationSchema>;

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
] as const;
export const serviceSourceSchema = evolvableEnum(serviceSourceValues);
export type ServiceSource = z.infer<typeof serviceSourceSchema>;

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
export const detectionSourceSchema = evolvableEnum(detectionSourceValues);
export type DetectionSource = z.infer<typeof detectionSourceSchema>;

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
export const investigationStateSchema = evolvableEnum(investigationStateValues);
export type InvestigationState = z.infer<typeof investigationStateSchema>;

export const evidenceVerdictValues = [
  "unknown",
  "suspicious",
  "malicious",
  "noThreatsFound",
  "unknownFutureValue",
] as const;
export const evidenceVerdictSchema = evolvableEnum(evidenceVerdictValues);
export type EvidenceVerdict = z.infer<typeof evidenceVerdictSchema>;

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
export const evidenceRemediationStatusSchema = evolvableEnum(evidenceRemediationStatusValues);
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
export const evidenceRoleSchema = evolvableEnum(evidenceRoleValues);
export type EvidenceRole = z.infer<typeof evidenceRoleSchema>;

export const detectionStatusValues = ["detected", "blocked", "prevented", "unknownFutureValue"] as const;
export const detectionStatusSchema = evolvableEnum(detectionStatusValues);
export type DetectionStatus = z.infer<typeof detectionStatusSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Comments (WIRE-FACTS 1.5)

/**
 * `alertComment`. Incident doc samples still use the legacy names `createdBy`/`createdTime` (quirk G4); they are
 * renamed to the v1.0 names so the output always has `createdByDisplayName`/`createdDateTime`.
 */
export const alertCommentSchema = z
  .looseObject({
    comment: str,
    createdByDisplayName: str,
    createdDateTime: str,
    createdBy: str,
    createdTime: str,
  })
  .transform((c) =>
    replaceKeys(c, ["createdBy", "createdTime"], {
      createdByDisplayName: c.createdByDisplayName ?? c.createdBy,
      createdDateTime: c.createdDateTime ?? c.createdTime,
    }),
  );
export type AlertComment = z.infer<typeof alertCommentSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Evidence (WIRE-FACTS 1.8)

const EVIDENCE_NAMESPACE = "#microsoft.graph.security.";

/** `"#microsoft.graph.security.fileEvidence"`, `"microsoft.graph.security.FileEvidence"` → `"fileevidence"`. */
function evidenceTypeKey(odataType: string): string {
  const lower = odataType.toLowerCase();
  const withoutHash = lower.startsWith("#") ? lower.slice(1) : lower;
  const prefix = EVIDENCE_NAMESPACE.slice(1);
  return withoutHash.startsWith(prefix) ? withoutHash.slice(prefix.length) : withoutHash;
}

export const knownEvidenceTypes = [
  "deviceEvidence",
  "userEvidence",
  "ipEvidence",
  "urlEvidence",
  "fileEvidence",
  "processEvidence",
  "mailboxEvidence",
  "analyzedMessageEvidence",
  "mailClusterEvidence",
  "cloudApplicationEvidence",
  "oauthApplicationEvidence",
  "registryKeyEvidence",
  "registryValueEvidence",
  "securityGroupEvidence",
] as const;
export type KnownEvidenceType = (typeof knownEvidenceTypes)[number];
const knownEvidenceKeys = new Set<string>(knownEvidenceTypes.map((t) => t.toLowerCase()));

/** Matches one evidence type however its `@odata.type` is spelled and outputs the canonical discriminator. */
function evidenceOdataType<const N extends KnownEvidenceType>(name: N) {
  const canonical = `${EVIDENCE_NAMESPACE}${name}` as const;
  const key = name.toLowerCase();
  return z
    .string()
    .refine((v) => evidenceTypeKey(v) === key, { message: `Expected @odata.type ${canonical}` })
    .transform((): typeof canonical => canonical);
}

const evidenceBase = {
  createdDateTime: str,
  verdict: evidenceVerdictSchema.nullish(),
  remediationStatus: evidenceRemediationStatusSchema.nullish(),
  remediationStatusDetails: str,
  roles: list(evidenceRoleSchema),
  detailedRoles: list(z.string()),
  tags: list(z.string()),
};

export const fileDetailsSchema = loose({
  fileName: str,
  filePath: str,
  filePublisher: str,
  fileSize: int,
  sha1: str,
  sha256: str,
  sha256Ac: str,
  md5: str,
  signer: str,
  issuer: str,
});
export type FileDetails = z.infer<typeof fileDetailsSchema>;

export const userAccountSchema = loose({
  accountName: str,
  domainName: str,
  userSid: str,
  azureAdUserId: str,
  userPrincipalName: str,
  displayName: str,
  activeDirectoryObjectGuid: str,
  resourceAccessEvents: z.array(loose({})).nullish(),
});
export type UserAccount = z.infer<typeof userAccountSchema>;

const vmMetadataSchema = loose({
  vmId: str,
  cloudProvider: str,
  resourceId: str,
  subscriptionId: str,
});
const loggedOnUserSchema = loose({ accountName: str, domainName: str });
const emailSenderSchema = loose({ displayName: str, domainName: str, emailAddress: str });
const geoLocationSchema = loose({
  city: str,
  countryName: str,
  state: str,
  latitude: z.number().nullish(),
  longitude: z.number().nullish(),
});

export const deviceEvidenceSchema = loose({
  "@odata.type": evidenceOdataType("deviceEvidence"),
  ...evidenceBase,
  mdeDeviceId: str,
  azureAdDeviceId: str,
  deviceDnsName: str,
  hostName: str,
  ntDomain: str,
  dnsDomain: str,
  osPlatform: str,
  osBuild: int,
  version: str,
  healthStatus: str,
  onboardingStatus: str,
  riskScore: str,
  defenderAvStatus: str,
  rbacGroupId: int,
  rbacGroupName: str,
  firstSeenDateTime: str,
  ipInterfaces: strList,
  lastIpAddress: str,
  lastExternalIpAddress: str,
  loggedOnUsers: z.array(loggedOnUserSchema).nullish(),
  vmMetadata: vmMetadataSchema.nullish(),
});
export type DeviceEvidence = z.infer<typeof deviceEvidenceSchema>;

export const userEvidenceSchema = loose({
  "@odata.type": evidenceOdataType("userEvidence"),
  ...evidenceBase,
  userAccount: userAccountSchema.nullish(),
  stream: loose({}).nullish(),
});
export type UserEvidence = z.infer<typeof userEvidenceSchema>;

export const ipEvidenceSchema = loose({
  "@odata.type": evidenceOdataType("ipEvidence"),
  ...evidenceBase,
  ipAddress: str,
  countryLetterCode: str,
  location: geoLocationSchema.nullish(),
  stream: loose({}).nullish(),
});
export type IpEvidence = z.infer<typeof ipEvidenceSchema>;

export const urlEvidenceSchema = loose({
  "@odata.type": evidenceOdataType("urlEvidence"),
  ...evidenceBase,
  url: str,
});
export type UrlEvidence = z.infer<typeof urlEvidenceSchema>;

export const fileEvidenceSchema = loose({
  "@odata.type": evidenceOdataType("fileEvidence"),
  ...evidenceBase,
  fileDetails: fileDetailsSchema.nullish(),
  detectionStatus: detectionStatusSchema.nullish(),
  mdeDeviceId: str,
});
export type FileEvidence = z.infer<typeof fileEvidenceSchema>;

export const processEvidenceSchema = loose({
  "@odata.type": evidenceOdataType("processEvidence"),
  ...evidenceBase,
  processId: int,
  parentProcessId: int,
  processCommandLine: str,
  processCreationDateTime: str,
  parentProcessCreationDateTime: str,
  imageFile: fileDetailsSchema.nullish(),
  parentProcessImageFile: fileDetailsSchema.nullish(),
  userAccount: userAccountSchema.nullish(),
  detectionStatus: detectionStatusSchema.nullish(),
  mdeDeviceId: str,
});
export type ProcessEvidence = z.infer<typeof processEvidenceSchema>;

export const mailboxEvidenceSchema = loose({
  "@odata.type": evidenceOdataType("mailboxEvidence"),
  ...evidenceBase,
  displayName: str,
  primaryAddress: str,
  upn: str,
  userAccount: userAccountSchema.nullish(),
});
export type MailboxEvidence = z.infer<typeof mailboxEvidenceSchema>;

export const analyzedMessageEvidenceSchema = loose({
  "@odata.type": evidenceOdataType("analyzedMessageEvidence"),
  ...evidenceBase,
  networkMessageId: str,
  internetMessageId: str,
  subject: str,
  senderIp: str,
  recipientEmailAddress: str,
  p1Sender: emailSenderSchema.nullish(),
  p2Sender: emailSenderSchema.nullish(),
  antiSpamDirection: str,
  deliveryAction: str,
  deliveryLocation: str,
  receivedDateTime: str,
  attachmentsCount: int,
  urlCount: int,
  urls: strList,
  threats: strList,
  threatDetectionMethods: strList,
  language: str,
  urn: str,
});
export type AnalyzedMessageEvidence = z.infer<typeof analyzedMessageEvidenceSchema>;

export const mailClusterEvidenceSchema = loose({
  "@odata.type": evidenceOdataType("mailClusterEvidence"),
  ...evidenceBase,
  clusterBy: str,
  clusterByValue: str,
  emailCount: int,
  networkMessageIds: strList,
  query: str,
  urn: str,
});
export type MailClusterEvidence = z.infer<typeof mailClusterEvidenceSchema>;

export const cloudApplicationEvidenceSchema = loose({
  "@odata.type": evidenceOdataType("cloudApplicationEvidence"),
  ...evidenceBase,
  appId: int,
  displayName: str,
  instanceId: int,
  instanceName: str,
  saasAppId: int,
  stream: loose({}).nullish(),
});
export type CloudApplicationEvidence = z.infer<typeof cloudApplicationEvidenceSchema>;

export const oauthApplicationEvidenceSchema = loose({
  "@odata.type": evidenceOdataType("oauthApplicationEvidence"),
  ...evidenceBase,
  appId: str,
  displayName: str,
  objectId: str,
  publisher: str,
});
export type OauthApplicationEvidence = z.infer<typeof oauthApplicationEvidenceSchema>;

export const registryKeyEvidenceSchema = loose({
  "@odata.type": evidenceOdataType("registryKeyEvidence"),
  ...evidenceBase,
  registryHive: str,
  registryKey: str,
});
export type RegistryKeyEvidence = z.infer<typeof registryKeyEvidenceSchema>;

export const registryValueEvidenceSchema = loose({
  "@odata.type": evidenceOdataType("registryValueEvidence"),
  ...evidenceBase,
  registryHive: str,
  registryKey: str,
  registryValue: str,
  registryValueName: str,
  registryValueType: str,
  mdeDeviceId: str,
});
export type RegistryValueEvidence = z.infer<typeof registryValueEvidenceSchema>;

export const securityGroupEvidenceSchema = loose({
  "@odata.type": evidenceOdataType("securityGroupEvidence"),
  ...evidenceBase,
  securityGroupId: str,
  displayName: str,
  distinguishedName: str,
  friendlyName: str,
  sid: str,
  activeDirectoryObjectGuid: str,
});
export type SecurityGroupEvidence = z.infer<typeof securityGroupEvidenceSchema>;

/**
 * Any evidence type not modelled above (Graph keeps adding them, WIRE-FACTS 1.8). It only matches types outside
 * the known list, so a known type is never silently downgraded; all its fields are kept.
 */
export const unknownEvidenceSchema = loose({
  "@odata.type": z
    .string()
    .refine((v) => !knownEvidenceKeys.has(evidenceTypeKey(v)), { message: "Known evidence type" }),
  ...evidenceBase,
});
export type UnknownEvidence = z.infer<typeof unknownEvidenceSchema>;

// The union gives the type; parsing dispatches on the normalized `@odata.type` instead of trying up to 15
// members in turn (each failed attempt builds a zod error: that made evidence most of the validation time).
const alertEvidenceUnion = z.union([
  deviceEvidenceSchema,
  userEvidenceSchema,
  ipEvidenceSchema,
  urlEvidenceSchema,
  fileEvidenceSchema,
  processEvidenceSchema,
  mailboxEvidenceSchema,
  analyzedMessageEvidenceSchema,
  mailClusterEvidenceSchema,
  cloudApplicationEvidenceSchema,
  oauthApplicationEvidenceSchema,
  registryKeyEvidenceSchema,
  registryValueEvidenceSchema,
  securityGroupEvidenceSchema,
  unknownEvidenceSchema,
]);
const evidenceByKey = new Map<string, z.ZodType>(
  alertEvidenceUnion.options.slice(0, -1).map((schema, i) => [knownEvidenceTypes[i]!.toLowerCase(), schema]),
);

/** Evidence of any type: known types are checked against their schema, unknown ones kept whole. */
export const alertEvidenceSchema = z.unknown().transform((value, ctx): z.infer<typeof alertEvidenceUnion> => {
  const odataType = (value as { "@odata.type"?: unknown } | null)?.["@odata.type"];
  const schema =
    (typeof odataType === "string" && evidenceByKey.get(evidenceTypeKey(odataType))) || unknownEvidenceSchema;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as z.infer<typeof alertEvidenceUnion>;
  for (const issue of parsed.error.issues)
    ctx.addIssue({ ...issue, code: "custom", message: issue.message, path: issue.path } as never);
  return z.NEVER;
});
export type AlertEvidence = z.infer<typeof alertEvidenceSchema>;

/** The parsed type of each known evidence kind, keyed by its short name. */
export interface KnownEvidenceMap {
  deviceEvidence: DeviceEvidence;
  userEvidence: UserEvidence;
  ipEvidence: IpEvidence;
  urlEvidence: UrlEvidence;
  fileEvidence: FileEvidence;
  processEvidence: ProcessEvidence;
  mailboxEvidence: MailboxEvidence;
  analyzedMessageEvidence: AnalyzedMessageEvidence;
  mailClusterEvidence: MailClusterEvidence;
  cloudApplicationEvidence: CloudApplicationEvidence;
  oauthApplicationEvidence: OauthApplicationEvidence;
  registryKeyEvidence: RegistryKeyEvidence;
  registryValueEvidence: RegistryValueEvidence;
  securityGroupEvidence: SecurityGroupEvidence;
}

/**
 * Narrows parsed evidence to one known type. Comparing `@odata.type` directly does not narrow fully, because
 * the fallback member's `@odata.type` is a plain `string`.
 */
export function isEvidenceType<K extends KnownEvidenceType>(
  evidence: AlertEvidence,
  type: K,
): evidence is KnownEvidenceMap[K] {
  return evidence["@odata.type"] === `${EVIDENCE_NAMESPACE}${type}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Alerts (WIRE-FACTS 1.7)

export const defenderAlertSchema = loose({
  // Any value: the samples are not consistent about namespaces (quirk G2).
  "@odata.type": str,
  id: z.string(),
  providerAlertId: str,
  incidentId: str,
  alertWebUrl: str,
  incidentWebUrl: str,
  tenantId: str,
  alertPolicyId: str,
  detectorId: str,
  status: alertStatusSchema.nullish(),
  severity: alertSeveritySchema.nullish(),
  classification: alertClassificationSchema.nullish(),
  determination: alertDeterminationSchema.nullish(),
  assignedTo: str,
  comments: list(alertCommentSchema),
  createdDateTime: str,
  lastUpdateDateTime: str,
  resolvedDateTime: str,
  firstActivityDateTime: str,
  lastActivityDateTime: str,
  serviceSource: serviceSourceSchema.nullish(),
  detectionSource: detectionSourceSchema.nullish(),
  productName: str,
  title: str,
  description: str,
  recommendedActions: str,
  category: str,
  mitreTechniques: strList,
  actorDisplayName: str,
  threatDisplayName: str,
  threatFamilyName: str,
  investigationState: investigationStateSchema.nullish(),
  systemTags: strList,
  customDetails: record,
  additionalData: record,
  evidence: list(alertEvidenceSchema),
});
export type DefenderAlert = z.infer<typeof defenderAlertSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Incidents (WIRE-FACTS 1.3)

export const defenderIncidentSchema = z
  .looseObject({
    "@odata.type": str,
    id: z.string(),
    displayName: str,
    description: str,
    summary: str,
    severity: alertSeveritySchema.nullish(),
    status: incidentStatusSchema.nullish(),
    classification: alertClassificationSchema.nullish(),
    determination: alertDeterminationSchema.nullish(),
    assignedTo: str,
    customTags: strList,
    // Legacy name of customTags in one doc sample (quirk G3); folded into customTags below.
    tags: strList,
    systemTags: strList,
    comments: list(alertCommentSchema),
    resolvingComment: str,
    createdDateTime: str,
    lastUpdateDateTime: str,
    lastModifiedBy: str,
    incidentWebUrl: str,
    redirectIncidentId: str,
    tenantId: str,
    priorityScore: z.number().nullish(),
    alerts: z.array(defenderAlertSchema).nullish(),
  })
  .transform((i) => replaceKeys(i, ["tags"], { customTags: i.customTags ?? i.tags }));
export type DefenderIncident = z.infer<typeof defenderIncidentSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Pages

/** An OData collection page (`GET /security/incidents`, `/security/alerts_v2`, the comments POST response). */
export function graphPageSchema<T extends z.ZodType>(item: T) {
  return loose({
    value: z.array(item),
    "@odata.nextLink": str,
    "@odata.count": z.number().nullish(),
    "@odata.context": str,
  });
}

export const defenderIncidentPageSchema = graphPageSchema(defenderIncidentSchema);
export const defenderAlertPageSchema = graphPageSchema(defenderAlertSchema);
/** `POST /security/incidents/{id}/comments` answers with all comments of the incident (quirk G9). */
export const alertCommentPageSchema = graphPageSchema(alertCommentSchema);

// ---------------------------------------------------------------------------------------------------------------
// PATCH body (WIRE-FACTS 1.4)

/**
 * What `PATCH /security/incidents/{id}` may carry. Strict, so a read-only field (`id`, `comments`, …) is caught
 * before it reaches the service, and enums must be exact v1.0 values.
 */
export const defenderIncidentPatchSchema = z.strictObject({
  status: z.enum(incidentStatusValues).optional(),
  assignedTo: z.string().nullable().optional(),
  classification: z.enum(alertClassificationValues).optional(),
  determination: z.enum(alertDeterminationValues).optional(),
  customTags: z.array(z.string()).optional(),
  description: z.string().optional(),
  displayName: z.string().optional(),
  severity: z.enum(alertSeverityValues).optional(),
  resolvingComment: z.string().optional(),
});
export type DefenderIncidentPatch = z.infer<typeof defenderIncidentPatchSchema>;
