/**
 * zod models for Microsoft Sentinel incidents over ARM (`Microsoft.SecurityInsights`, api-version 2025-09-01):
 * incidents, comments, alerts and entities. Names follow the spec (`Incidents.json`, `common/IncidentTypes.json`,
 * `common/EntityTypes.json`, `common/2.0/types.json`).
 *
 * Read schemas are tolerant: unknown properties are kept, optional fields accept `null` and absence, and enums
 * (all `modelAsString: true`) accept any string. Only the PUT body schema is strict.
 */
import { z } from "zod";
import { type EvolvableEnumValue, evolvableEnum } from "../core/enum";

/** Sentinel service limits (comments, description, alerts per incident). */
export const SENTINEL_LIMITS = {
  maxPageSize: 1000,
  maxCommentLength: 30_000,
  maxCommentsPerIncident: 100,
  maxDescriptionLength: 5_000,
  maxAlertsPerIncident: 150,
} as const;

const str = z.string().nullish();
const strList = z.array(z.string()).nullish();
const int = z.number().nullish();

// ---------------------------------------------------------------------------------------------------------------
// Enums (quirk S2: all PascalCase)

export const sentinelSeverityValues = ["High", "Medium", "Low", "Informational"] as const;
export const sentinelSeveritySchema = evolvableEnum(sentinelSeverityValues);
/**
 * Sentinel `IncidentSeverity` (`common/IncidentTypes.json`): `High`, `Medium`, `Low` or `Informational`; read
 * leniently, so a value the spec does not list yet passes.
 */
export type SentinelSeverity = z.infer<typeof sentinelSeveritySchema>;

export const sentinelStatusValues = ["New", "Active", "Closed"] as const;
export const sentinelStatusSchema = evolvableEnum(sentinelStatusValues);
/**
 * Sentinel `IncidentStatus` (`common/IncidentTypes.json`): `New`, `Active` or `Closed`; read leniently, so a value
 * the spec does not list yet passes.
 */
export type SentinelStatus = z.infer<typeof sentinelStatusSchema>;

export const sentinelClassificationValues = [
  "Undetermined",
  "TruePositive",
  "BenignPositive",
  "FalsePositive",
] as const;
export const sentinelClassificationSchema = evolvableEnum(sentinelClassificationValues);
/**
 * Sentinel `IncidentClassification`: how a closed incident was classified (`TruePositive`, `BenignPositive`,
 * `FalsePositive`, `Undetermined`); read leniently.
 */
export type SentinelClassification = z.infer<typeof sentinelClassificationSchema>;

export const sentinelClassificationReasonValues = [
  "SuspiciousActivity",
  "SuspiciousButExpected",
  "IncorrectAlertLogic",
  "InaccurateData",
] as const;
export const sentinelClassificationReasonSchema = evolvableEnum(sentinelClassificationReasonValues);
/**
 * Sentinel `IncidentClassificationReason`: why a closed incident got its classification (`SuspiciousActivity`,
 * `SuspiciousButExpected`, `IncorrectAlertLogic`, `InaccurateData`); read leniently.
 */
export type SentinelClassificationReason = z.infer<typeof sentinelClassificationReasonSchema>;

export const ownerTypeValues = ["Unknown", "User", "Group"] as const;
export const ownerTypeSchema = evolvableEnum(ownerTypeValues);
export type OwnerType = z.infer<typeof ownerTypeSchema>;

export const labelTypeValues = ["User", "AutoAssigned"] as const;
export const labelTypeSchema = evolvableEnum(labelTypeValues);
export type LabelType = z.infer<typeof labelTypeSchema>;

/** `SecurityAlertProperties.status` in `common/EntityTypes.json`. */
export const sentinelAlertStatusValues = ["Unknown", "New", "Resolved", "Dismissed", "InProgress"] as const;
export const sentinelAlertStatusSchema = evolvableEnum(sentinelAlertStatusValues);
export type SentinelAlertStatus = z.infer<typeof sentinelAlertStatusSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Shared ARM pieces

/** ARM `systemData` (common-types v5). */
export const systemDataSchema = z.looseObject({
  createdBy: str,
  createdByType: str,
  createdAt: str,
  lastModifiedBy: str,
  lastModifiedByType: str,
  lastModifiedAt: str,
});
export type SystemData = z.infer<typeof systemDataSchema>;

/** `ClientInfo` (common/2.0): the author of a comment. */
export const clientInfoSchema = z.looseObject({
  objectId: str,
  email: str,
  name: str,
  userPrincipalName: str,
});
export type ClientInfo = z.infer<typeof clientInfoSchema>;

/** `ResourceWithEtag` without `properties`. The etag is quoted for incidents but not for comments (quirk S3). */
const resourceEnvelope = {
  id: z.string(),
  name: z.string(),
  type: str,
  etag: str,
  systemData: systemDataSchema.nullish(),
};

// ---------------------------------------------------------------------------------------------------------------
// Incidents

/** `IncidentOwnerInfo`. */
export const incidentOwnerSchema = z.looseObject({
  objectId: str,
  email: str,
  assignedTo: str,
  userPrincipalName: str,
  ownerType: ownerTypeSchema.nullish(),
});
/**
 * Sentinel `IncidentOwnerInfo`: who an incident is assigned to (Entra object ID, email, UPN, display name, user or
 * group).
 */
export type IncidentOwner = z.infer<typeof incidentOwnerSchema>;

/** `IncidentLabel`. */
export const incidentLabelSchema = z.looseObject({
  labelName: z.string(),
  labelType: labelTypeSchema.nullish(),
});
/**
 * Sentinel `IncidentLabel`: a label (tag) on an incident; `labelType` is `User` for labels people set, `AutoAssigned`
 * for labels the service sets.
 */
export type IncidentLabel = z.infer<typeof incidentLabelSchema>;

/** `IncidentAdditionalData`; `techniques` is not in the spec but real responses carry it. */
export const incidentAdditionalDataSchema = z.looseObject({
  alertsCount: int,
  bookmarksCount: int,
  commentsCount: int,
  alertProductNames: strList,
  tactics: strList,
  techniques: strList,
  providerIncidentUrl: str,
});
export type IncidentAdditionalData = z.infer<typeof incidentAdditionalDataSchema>;

/** `IncidentProperties` as read. */
export const sentinelIncidentPropertiesSchema = z.looseObject({
  title: z.string(),
  severity: sentinelSeveritySchema,
  status: sentinelStatusSchema,
  description: str,
  classification: sentinelClassificationSchema.nullish(),
  classificationReason: sentinelClassificationReasonSchema.nullish(),
  classificationComment: str,
  owner: incidentOwnerSchema.nullish(),
  labels: z.array(incidentLabelSchema).nullish(),
  firstActivityTimeUtc: str,
  lastActivityTimeUtc: str,
  createdTimeUtc: str,
  lastModifiedTimeUtc: str,
  incidentNumber: int,
  incidentUrl: str,
  providerName: str,
  providerIncidentId: str,
  relatedAnalyticRuleIds: strList,
  additionalData: incidentAdditionalDataSchema.nullish(),
});
/**
 * Sentinel `IncidentProperties` (`Incidents.json`, api-version 2025-09-01) as read: title, severity, status,
 * classification, owner, labels, activity times, provider IDs and additional data. Unknown properties are kept.
 */
export type SentinelIncidentProperties = z.infer<typeof sentinelIncidentPropertiesSchema>;

/** `Incident`: the ARM envelope around `IncidentProperties`. */
export const sentinelIncidentSchema = z.looseObject({
  ...resourceEnvelope,
  properties: sentinelIncidentPropertiesSchema,
});
/**
 * A Sentinel incident as ARM returns it (`Incident` in `Incidents.json`): the resource envelope (`id`, `name`,
 * `etag`, `systemData`) around its `properties`.
 */
export type SentinelIncident = z.infer<typeof sentinelIncidentSchema>;

/**
 * The `properties` we send with `PUT .../incidents/{id}`. Strict and exact: read-only fields (incidentNumber,
 * createdTimeUtc, additionalData, …) and unknown enum spellings are rejected before they reach the service.
 * `providerName`/`providerIncidentId` are read-only in the spec but may be sent (the service ignores them).
 */
export const sentinelIncidentWritePropertiesSchema = z.strictObject({
  title: z.string(),
  severity: z.enum(sentinelSeverityValues),
  status: z.enum(sentinelStatusValues),
  description: z.string().optional(),
  classification: z.enum(sentinelClassificationValues).optional(),
  classificationReason: z.enum(sentinelClassificationReasonValues).optional(),
  classificationComment: z.string().optional(),
  owner: z
    .strictObject({
      objectId: z.string().nullish(),
      email: z.string().nullish(),
      assignedTo: z.string().nullish(),
      userPrincipalName: z.string().nullish(),
      ownerType: z.enum(ownerTypeValues).nullish(),
    })
    .optional(),
  labels: z
    .array(
      z.strictObject({
        labelName: z.string(),
        labelType: z.enum(labelTypeValues).optional(),
      }),
    )
    .optional(),
  firstActivityTimeUtc: z.string().optional(),
  lastActivityTimeUtc: z.string().optional(),
  providerName: z.string().optional(),
  providerIncidentId: z.string().optional(),
});
/**
 * The `properties` of an incident PUT (`IncidentProperties`) as the mapping builds it: only writable properties, with
 * exact enum values.
 */
export type SentinelIncidentWriteProperties = z.infer<typeof sentinelIncidentWritePropertiesSchema>;

/**
 * An enum value of a PUT body that came from a GET: a documented member as spelled, or a value this package
 * has never seen (the spec's enums are `modelAsString`, so the service may add members and must take back what
 * it sent). A documented member in another case ("closed") is a typo, not a new member, and is refused.
 */
function roundTripEnum<const T extends readonly string[]>(values: T) {
  const byLower = new Map<string, string>(values.map((v) => [v.toLowerCase(), v]));
  return z
    .string()
    .superRefine((value, ctx) => {
      const known = byLower.get(value.toLowerCase());
      if (known !== undefined && known !== value) {
        ctx.addIssue({ code: "custom", message: `'${value}' is not a member; did you mean '${known}'?` });
      } else if (value.trim() === "") {
        ctx.addIssue({ code: "custom", message: "must not be empty" });
      }
    })
    .transform((value) => value as EvolvableEnumValue<T>);
}

/**
 * The `properties` `SentinelClient.createOrUpdateIncident` sends, after read-only properties and `null`s were
 * dropped. Tolerant where a GET may differ from what this package writes, so GET → modify → PUT round-trips:
 * enum values never seen pass (see `roundTripEnum`), owner fields may be `null`, and properties this package does
 * not know are sent back unchanged (ARM resources take back what their GET returned). Known properties keep their
 * types.
 */
export const sentinelIncidentPutPropertiesSchema = z.looseObject({
  title: z.string(),
  severity: roundTripEnum(sentinelSeverityValues),
  status: roundTripEnum(sentinelStatusValues),
  description: z.string().optional(),
  classification: roundTripEnum(sentinelClassificationValues).optional(),
  classificationReason: roundTripEnum(sentinelClassificationReasonValues).optional(),
  classificationComment: z.string().optional(),
  owner: z
    .looseObject({
      objectId: z.string().nullish(),
      email: z.string().nullish(),
      assignedTo: z.string().nullish(),
      userPrincipalName: z.string().nullish(),
      ownerType: roundTripEnum(ownerTypeValues).nullish(),
    })
    .optional(),
  labels: z.array(z.looseObject({ labelName: z.string() })).optional(),
  firstActivityTimeUtc: z.string().optional(),
  lastActivityTimeUtc: z.string().optional(),
});
/**
 * The `properties` `SentinelClient.createOrUpdateIncident` sends: writable `IncidentProperties`, tolerant enough that
 * a GET, modified and sent back, round-trips (unknown properties and enum values pass).
 */
export type SentinelIncidentPutProperties = z.infer<typeof sentinelIncidentPutPropertiesSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Comments

export const sentinelCommentPropertiesSchema = z.looseObject({
  message: z.string(),
  createdTimeUtc: str,
  lastModifiedTimeUtc: str,
  author: clientInfoSchema.nullish(),
});
export type SentinelCommentProperties = z.infer<typeof sentinelCommentPropertiesSchema>;

export const sentinelCommentSchema = z.looseObject({
  ...resourceEnvelope,
  properties: sentinelCommentPropertiesSchema,
});
/**
 * A Sentinel incident comment (`IncidentComment` in `Incidents.json`): the ARM envelope around its message, times and
 * author.
 */
export type SentinelComment = z.infer<typeof sentinelCommentSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Alerts and entities

/** `SecurityAlertProperties`. */
export const sentinelAlertPropertiesSchema = z.looseObject({
  systemAlertId: str,
  alertDisplayName: str,
  alertType: str,
  alertLink: str,
  severity: sentinelSeveritySchema.nullish(),
  status: sentinelAlertStatusSchema.nullish(),
  description: str,
  compromisedEntity: str,
  productName: str,
  productComponentName: str,
  productVersion: str,
  providerAlertId: str,
  vendorName: str,
  confidenceLevel: str,
  confidenceScore: z.number().nullish(),
  confidenceScoreStatus: str,
  confidenceReasons: z.array(z.looseObject({ reason: str, reasonType: str })).nullish(),
  intent: str,
  tactics: strList,
  techniques: strList,
  remediationSteps: strList,
  startTimeUtc: str,
  endTimeUtc: str,
  timeGenerated: str,
  processingEndTime: str,
  resourceIdentifiers: z.array(z.looseObject({ type: str })).nullish(),
  additionalData: z.record(z.string(), z.unknown()).nullish(),
  friendlyName: str,
});
export type SentinelAlertProperties = z.infer<typeof sentinelAlertPropertiesSchema>;

/** `SecurityAlert`, as returned by `POST .../incidents/{id}/alerts`. */
export const sentinelAlertSchema = z.looseObject({
  id: str,
  name: str,
  type: str,
  systemData: systemDataSchema.nullish(),
  kind: z.literal("SecurityAlert"),
  properties: sentinelAlertPropertiesSchema,
});
/**
 * A Sentinel alert of an incident (`SecurityAlert` in `common/EntityTypes.json`), as `POST .../incidents/{id}/alerts`
 * returns it.
 */
export type SentinelAlert = z.infer<typeof sentinelAlertSchema>;

/**
 * `Entity`: open on `kind` (Account, Host, Ip, … and whatever comes next); the per-kind property bags are kept
 * as a plain record.
 */
export const sentinelEntitySchema = z.looseObject({
  id: str,
  name: str,
  type: str,
  systemData: systemDataSchema.nullish(),
  kind: z.string(),
  properties: z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((v) => v ?? {}),
});
/**
 * A Sentinel entity of an incident (`Entity` in `common/EntityTypes.json`): open on `kind` (`Account`, `Host`, `Ip`,
 * ...), with the per-kind properties kept as a record.
 */
export type SentinelEntity = z.infer<typeof sentinelEntitySchema>;

/** `IncidentEntitiesResponse` (`POST .../incidents/{id}/entities`). */
export const sentinelEntitiesResponseSchema = z.looseObject({
  entities: z
    .array(sentinelEntitySchema)
    .nullish()
    .transform((v) => v ?? []),
  metaData: z.array(z.looseObject({ entityKind: z.string(), count: z.number() })).nullish(),
});
export type SentinelEntitiesResponse = z.infer<typeof sentinelEntitiesResponseSchema>;

/** `IncidentAlertList` (`POST .../incidents/{id}/alerts`): not pageable, so no `nextLink`. */
export const sentinelAlertsResponseSchema = z.looseObject({
  value: z.array(sentinelAlertSchema),
});
export type SentinelAlertsResponse = z.infer<typeof sentinelAlertsResponseSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Pages

/** An ARM list page; follow `nextLink` verbatim (it carries `$skipToken`). */
export function armPageSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    value: z.array(item),
    nextLink: str,
  });
}

export const sentinelIncidentPageSchema = armPageSchema(sentinelIncidentSchema);
export const sentinelCommentPageSchema = armPageSchema(sentinelCommentSchema);
