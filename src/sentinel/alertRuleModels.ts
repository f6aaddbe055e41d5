/**
 * zod models for Microsoft Sentinel analytics rules over ARM (`Microsoft.SecurityInsights/alertRules`,
 * api-version 2025-09-01, plus the NRT kind of the preview api-versions). Names follow the spec
 * (`AlertRules.json`, `common/AlertTypes.json` in Azure/azure-rest-api-specs).
 *
 * Read schemas are tolerant: unknown properties are kept, optional fields accept `null` and absence, enums
 * accept any string, and a rule of an unknown kind is kept whole (`OtherAlertRule`). The write schemas
 * (Scheduled and NRT) are strict, and `validateAlertRule` adds the service's documented limits (query timing,
 * grouping, custom details, entity mappings, alert-details parameters) so a bad rule fails before it is sent.
 */
import { z } from "zod";
import type { OperationOptions } from "../core/clientOptions";
import { evolvableEnum } from "../core/enum";
import { InvalidArgumentError, type ValidationIssue } from "../core/errors";
import type { InvalidItemHandler } from "../core/parseItems";
import { describeIssues, prefixIssues, zodIssues } from "../core/validationIssues";
import { sentinelSeveritySchema, sentinelSeverityValues, systemDataSchema } from "./models";

const str = z.string().nullish();
const strList = z.array(z.string()).nullish();

// ---------------------------------------------------------------------------------------------------------------
// Enums (all `modelAsString: true` in the spec except the trigger operator)

/** Rule kinds: the stable spec knows the first three; `NRT` exists only in preview api-versions. */
export const alertRuleKindValues = [
  "Scheduled",
  "MicrosoftSecurityIncidentCreation",
  "Fusion",
  "NRT",
] as const;
export const alertRuleKindSchema = evolvableEnum(alertRuleKindValues);
/**
 * The `kind` of a Sentinel analytics rule: `Scheduled`, `MicrosoftSecurityIncidentCreation`, `Fusion`, or `NRT`
 * (preview api-versions only); read leniently, so other kinds pass.
 */
export type AlertRuleKind = z.infer<typeof alertRuleKindSchema>;

/** `AttackTactic` (`common/AlertTypes.json`). */
export const attackTacticValues = [
  "Reconnaissance",
  "ResourceDevelopment",
  "InitialAccess",
  "Execution",
  "Persistence",
  "PrivilegeEscalation",
  "DefenseEvasion",
  "CredentialAccess",
  "Discovery",
  "LateralMovement",
  "Collection",
  "Exfiltration",
  "CommandAndControl",
  "Impact",
  "PreAttack",
  "ImpairProcessControl",
  "InhibitResponseFunction",
] as const;
export const attackTacticSchema = evolvableEnum(attackTacticValues);
/**
 * Spec `AttackTactic` (`common/AlertTypes.json`): a MITRE ATT&CK tactic a rule or alert is tagged with
 * (`InitialAccess`, `Execution`, `Persistence`, ...).
 */
export type AttackTactic = z.infer<typeof attackTacticSchema>;

export const triggerOperatorValues = ["GreaterThan", "LessThan", "Equal", "NotEqual"] as const;
export const triggerOperatorSchema = evolvableEnum(triggerOperatorValues);
/**
 * Spec `TriggerOperator`: how a Scheduled rule compares the query's result count with `triggerThreshold`
 * (`GreaterThan`, `LessThan`, `Equal`, `NotEqual`).
 */
export type TriggerOperator = z.infer<typeof triggerOperatorSchema>;

/** `SingleAlert` (one alert per run) or `AlertPerResult` (one alert per result row). The spec has no default. */
export const eventGroupingAggregationKindValues = ["SingleAlert", "AlertPerResult"] as const;
export const eventGroupingAggregationKindSchema = evolvableEnum(eventGroupingAggregationKindValues);
/**
 * Spec `EventGroupingAggregationKind`: whether a rule run raises one alert (`SingleAlert`) or one alert per result
 * row (`AlertPerResult`).
 */
export type EventGroupingAggregationKind = z.infer<typeof eventGroupingAggregationKindSchema>;

/** `EntityMappingType`: the entity types a rule can map columns to. */
export const entityMappingTypeValues = [
  "Account",
  "Host",
  "IP",
  "Malware",
  "File",
  "Process",
  "CloudApplication",
  "DNS",
  "AzureResource",
  "FileHash",
  "RegistryKey",
  "RegistryValue",
  "SecurityGroup",
  "URL",
  "Mailbox",
  "MailCluster",
  "MailMessage",
  "SubmissionMail",
] as const;
export const entityMappingTypeSchema = evolvableEnum(entityMappingTypeValues);
/**
 * Spec `EntityMappingType`: the entity type a rule maps result columns to (`Account`, `Host`, `IP`, `File`, `URL`,
 * ...).
 */
export type EntityMappingType = z.infer<typeof entityMappingTypeSchema>;

/** `AlertProperty`: alert properties `alertDynamicProperties` can take from a column. */
export const alertPropertyValues = [
  "AlertLink",
  "ConfidenceLevel",
  "ConfidenceScore",
  "ExtendedLinks",
  "ProductName",
  "ProviderName",
  "ProductComponentName",
  "RemediationSteps",
  "Techniques",
] as const;
export const alertPropertySchema = evolvableEnum(alertPropertyValues);
/**
 * Spec `AlertProperty`: an alert property a rule's `alertDynamicProperties` can set from a result column
 * (`AlertLink`, `ProductName`, `Techniques`, ...).
 */
export type AlertProperty = z.infer<typeof alertPropertySchema>;

export const matchingMethodValues = ["AllEntities", "AnyAlert", "Selected"] as const;
export const matchingMethodSchema = evolvableEnum(matchingMethodValues);
/**
 * Spec `MatchingMethod`: how a rule groups alerts into incidents: `AllEntities` (alerts with the same entities),
 * `AnyAlert` (all alerts) or `Selected` (the chosen entities and details).
 */
export type MatchingMethod = z.infer<typeof matchingMethodSchema>;

export const alertDetailValues = ["DisplayName", "Severity"] as const;
export const alertDetailSchema = evolvableEnum(alertDetailValues);
/** Spec `AlertDetail`: an alert detail incident grouping can match on (`DisplayName` or `Severity`). */
export type AlertDetail = z.infer<typeof alertDetailSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Limits

/** Stable api-version of the alert rules API. */
export const ALERT_RULES_API_VERSION = "2025-09-01";
/** Preview api-version used for NRT rules (the stable api-version has no NRT kind). */
export const NRT_ALERT_RULE_API_VERSION = "2025-07-01-preview";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * Documented limits of analytics rules (learn.microsoft.com/azure/sentinel/scheduled-rules-overview,
 * sentinel-service-limits, map-data-fields-to-entities, surface-custom-details-in-alerts, customize-alert-details).
 */
export const ALERT_RULE_LIMITS = {
  maxQueryLength: 10_000,
  minQueryFrequencyMs: 5 * MINUTE_MS,
  maxQueryFrequencyMs: 14 * DAY_MS,
  minQueryPeriodMs: 5 * MINUTE_MS,
  maxQueryPeriodMs: 14 * DAY_MS,
  /** A lookback (queryPeriod) above this needs a frequency of at least `longPeriodMinFrequencyMs`. */
  longPeriodThresholdMs: 2 * DAY_MS,
  longPeriodMinFrequencyMs: HOUR_MS,
  maxCustomDetails: 20,
  maxEntityMappings: 10,
  maxIdentifiersPerEntityMapping: 3,
  /** `{{Column}}` parameters in `alertDisplayNameFormat` and in `alertDescriptionFormat`. */
  maxAlertDetailsParameters: 3,
  maxAlertNameBytes: 256,
  maxAlertDescriptionBytes: 5_000,
  minGroupingLookbackMs: 5 * MINUTE_MS,
  maxGroupingLookbackMs: 7 * DAY_MS,
  /** With `AlertPerResult`, a Scheduled run raises at most 150 alerts (the 150th summarizes the rest). */
  maxAlertsPerScheduledRun: 150,
  /** With `AlertPerResult`, an NRT run raises at most 30 alerts (the 30th summarizes the rest). */
  maxAlertsPerNrtRun: 30,
  maxAlertsPerIncident: 150,
} as const;

// ---------------------------------------------------------------------------------------------------------------
// ISO 8601 durations

const DURATION = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Milliseconds of an ISO 8601 duration made of weeks, days, hours, minutes and seconds (`PT5M`, `P2DT1H30M`).
 * Years and months have no fixed length, so they (and anything malformed) give `undefined`.
 */
export function parseIsoDuration(value: string): number | undefined {
  const m = DURATION.exec(value);
  if (m === null) return undefined;
  const [, w, d, h, min, s] = m;
  return (
    Number(w ?? 0) * 7 * DAY_MS +
    Number(d ?? 0) * DAY_MS +
    Number(h ?? 0) * HOUR_MS +
    Number(min ?? 0) * MINUTE_MS +
    Math.round(Number(s ?? 0) * 1000)
  );
}

const duration = z
  .string()
  .refine((s) => parseIsoDuration(s) !== undefined, "must be an ISO 8601 duration such as PT5M or P1D");

// ---------------------------------------------------------------------------------------------------------------
// Read schemas (tolerant)

/** `FieldMapping`: one entity identifier taken from a result column. */
export const fieldMappingSchema = z.looseObject({ identifier: str, columnName: str });
/**
 * Spec `FieldMapping`: one identifier of a mapped entity (such as `FullName` of an `Account`) and the result column
 * it is taken from.
 */
export type FieldMapping = z.infer<typeof fieldMappingSchema>;

/** `EntityMapping`. */
export const entityMappingSchema = z.looseObject({
  entityType: entityMappingTypeSchema.nullish(),
  fieldMappings: z.array(fieldMappingSchema).nullish(),
});
/** Spec `EntityMapping`: an entity of the given type built from result columns, one field mapping per identifier. */
export type EntityMapping = z.infer<typeof entityMappingSchema>;

/** `AlertPropertyMapping`. */
export const alertPropertyMappingSchema = z.looseObject({
  alertProperty: alertPropertySchema.nullish(),
  value: str,
});
/** Spec `AlertPropertyMapping`: an alert property and the result column its value is taken from. */
export type AlertPropertyMapping = z.infer<typeof alertPropertyMappingSchema>;

/** `AlertDetailsOverride`: alert name, description, tactics, severity and more taken from result columns. */
export const alertDetailsOverrideSchema = z.looseObject({
  alertDisplayNameFormat: str,
  alertDescriptionFormat: str,
  alertTacticsColumnName: str,
  alertSeverityColumnName: str,
  alertDynamicProperties: z.array(alertPropertyMappingSchema).nullish(),
});
/**
 * Spec `AlertDetailsOverride`: alert name and description formats (with `{{column}}` placeholders), and the columns
 * the tactics, severity and dynamic properties come from.
 */
export type AlertDetailsOverride = z.infer<typeof alertDetailsOverrideSchema>;

/** `EventGroupingSettings`. */
export const eventGroupingSettingsSchema = z.looseObject({
  aggregationKind: eventGroupingAggregationKindSchema.nullish(),
});
/** Spec `EventGroupingSettings`: how a rule's results become alerts (`aggregationKind`). */
export type EventGroupingSettings = z.infer<typeof eventGroupingSettingsSchema>;

/** `GroupingConfiguration`: how alerts of the rule are grouped into incidents. */
export const groupingConfigurationSchema = z.looseObject({
  enabled: z.boolean().nullish(),
  reopenClosedIncident: z.boolean().nullish(),
  lookbackDuration: str,
  matchingMethod: matchingMethodSchema.nullish(),
  groupByEntities: z.array(entityMappingTypeSchema).nullish(),
  groupByAlertDetails: z.array(alertDetailSchema).nullish(),
  groupByCustomDetails: strList,
});
/**
 * Spec `GroupingConfiguration`: whether and how a rule's alerts are grouped into one incident: lookback (ISO 8601
 * duration), matching method, entities and details to match, and reopening closed incidents.
 */
export type GroupingConfiguration = z.infer<typeof groupingConfigurationSchema>;

/** `IncidentConfiguration`. */
export const incidentConfigurationSchema = z.looseObject({
  createIncident: z.boolean().nullish(),
  groupingConfiguration: groupingConfigurationSchema.nullish(),
});
/** Spec `IncidentConfiguration`: whether a rule's alerts create incidents, and how they are grouped. */
export type IncidentConfiguration = z.infer<typeof incidentConfigurationSchema>;

/** Properties Scheduled and NRT rules share (`ScheduledAlertRuleCommonProperties` and the rule-level ones). */
const queryRuleReadShape = {
  displayName: str,
  description: str,
  enabled: z.boolean().nullish(),
  severity: sentinelSeveritySchema.nullish(),
  query: str,
  tactics: z.array(attackTacticSchema).nullish(),
  techniques: strList,
  suppressionDuration: str,
  suppressionEnabled: z.boolean().nullish(),
  eventGroupingSettings: eventGroupingSettingsSchema.nullish(),
  customDetails: z.record(z.string(), z.string().nullable()).nullish(),
  entityMappings: z.array(entityMappingSchema).nullish(),
  alertDetailsOverride: alertDetailsOverrideSchema.nullish(),
  incidentConfiguration: incidentConfigurationSchema.nullish(),
  alertRuleTemplateName: str,
  templateVersion: str,
  lastModifiedUtc: str,
};

/** `ScheduledAlertRuleProperties` as read. */
export const scheduledAlertRulePropertiesSchema = z.looseObject({
  ...queryRuleReadShape,
  queryFrequency: str,
  queryPeriod: str,
  triggerOperator: triggerOperatorSchema.nullish(),
  triggerThreshold: z.number().nullish(),
});
/**
 * Spec `ScheduledAlertRuleProperties` as read: the KQL query, its frequency and period (ISO 8601 durations), the
 * trigger, severity, tactics, entity mappings and incident settings. Unknown properties are kept.
 */
export type ScheduledAlertRuleProperties = z.infer<typeof scheduledAlertRulePropertiesSchema>;

/** `NrtAlertRuleProperties` as read (preview api-versions): no schedule, runs every minute. */
export const nrtAlertRulePropertiesSchema = z.looseObject({ ...queryRuleReadShape });
/**
 * Spec `NrtAlertRuleProperties` as read (preview api-versions): the properties of a near-real-time rule, which has no
 * schedule and runs every minute. Unknown properties are kept.
 */
export type NrtAlertRuleProperties = z.infer<typeof nrtAlertRulePropertiesSchema>;

/** `ResourceWithEtag` without `properties`. */
const ruleEnvelope = {
  id: str,
  name: str,
  type: str,
  etag: str,
  systemData: systemDataSchema.nullish(),
};

export const scheduledAlertRuleSchema = z.looseObject({
  ...ruleEnvelope,
  kind: z.literal("Scheduled"),
  properties: scheduledAlertRulePropertiesSchema,
});
/**
 * A Scheduled analytics rule as ARM returns it (`ScheduledAlertRule` in `AlertRules.json`): the resource envelope
 * (`id`, `name`, `etag`, `systemData`), `kind: "Scheduled"` and its properties.
 */
export type ScheduledAlertRule = z.infer<typeof scheduledAlertRuleSchema>;

export const nrtAlertRuleSchema = z.looseObject({
  ...ruleEnvelope,
  kind: z.literal("NRT"),
  properties: nrtAlertRulePropertiesSchema,
});
/**
 * A near-real-time analytics rule as ARM returns it (`NrtAlertRule`, preview api-versions): the resource envelope,
 * `kind: "NRT"` and its properties.
 */
export type NrtAlertRule = z.infer<typeof nrtAlertRuleSchema>;

/** A rule of any other kind (Fusion, MicrosoftSecurityIncidentCreation, ThreatIntelligence, …): kept whole. */
export const otherAlertRuleSchema = z.looseObject({
  ...ruleEnvelope,
  kind: z.string(),
  properties: z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((v) => v ?? {}),
});
/**
 * An analytics rule of a kind this package does not model (`Fusion`, `MicrosoftSecurityIncidentCreation`, ...): the
 * resource envelope, its `kind`, and its properties kept as a record.
 */
export type OtherAlertRule = z.infer<typeof otherAlertRuleSchema>;

/** An analytics rule of any kind, as read. Narrow with `isScheduledAlertRule` / `isNrtAlertRule`. */
export type AlertRule = ScheduledAlertRule | NrtAlertRule | OtherAlertRule;

const ruleSchemaByKind = new Map<string, z.ZodType<AlertRule>>([
  ["scheduled", scheduledAlertRuleSchema],
  ["nrt", nrtAlertRuleSchema],
]);

/**
 * Any analytics rule: dispatches on `kind` (matched case-insensitively and returned in the documented spelling),
 * so a malformed Scheduled rule is reported as such instead of passing as an unknown kind.
 */
export const alertRuleSchema: z.ZodType<AlertRule> = z.unknown().transform((value, ctx): AlertRule => {
  const rawKind = (value as { kind?: unknown } | null)?.kind;
  const kind = typeof rawKind === "string" ? alertRuleKindSchema.parse(rawKind) : rawKind;
  const schema =
    (typeof kind === "string" && ruleSchemaByKind.get(kind.toLowerCase())) || otherAlertRuleSchema;
  const input = typeof value === "object" && value !== null && kind !== rawKind ? { ...value, kind } : value;
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    ctx.addIssue({ ...issue, code: "custom", message: issue.message, path: issue.path } as never);
  return z.NEVER;
});

/** Narrows a rule to the Scheduled kind. */
export function isScheduledAlertRule(rule: AlertRule): rule is ScheduledAlertRule {
  return rule.kind === "Scheduled";
}

/** Narrows a rule to the NRT kind. */
export function isNrtAlertRule(rule: AlertRule): rule is NrtAlertRule {
  return rule.kind === "NRT";
}

/** `AlertRulesList`: follow `nextLink` verbatim. */
export const alertRulePageSchema = z.looseObject({ value: z.array(alertRuleSchema), nextLink: str });

// ---------------------------------------------------------------------------------------------------------------
// Write schemas (strict)

const fieldMappingWriteSchema = z.strictObject({
  identifier: z.string().min(1),
  columnName: z.string().min(1),
});

const entityMappingWriteSchema = z.strictObject({
  entityType: z.enum(entityMappingTypeValues),
  fieldMappings: z
    .array(fieldMappingWriteSchema)
    .min(1)
    .max(ALERT_RULE_LIMITS.maxIdentifiersPerEntityMapping),
});

const alertDetailsOverrideWriteSchema = z.strictObject({
  alertDisplayNameFormat: z.string().optional(),
  alertDescriptionFormat: z.string().optional(),
  alertTacticsColumnName: z.string().optional(),
  alertSeverityColumnName: z.string().optional(),
  alertDynamicProperties: z
    .array(z.strictObject({ alertProperty: z.enum(alertPropertyValues), value: z.string().min(1) }))
    .optional(),
});

const incidentConfigurationWriteSchema = z.strictObject({
  createIncident: z.boolean(),
  groupingConfiguration: z
    .strictObject({
      enabled: z.boolean(),
      reopenClosedIncident: z.boolean(),
      lookbackDuration: duration,
      matchingMethod: z.enum(matchingMethodValues),
      groupByEntities: z.array(z.enum(entityMappingTypeValues)).optional(),
      groupByAlertDetails: z.array(z.enum(alertDetailValues)).optional(),
      groupByCustomDetails: z.array(z.string().min(1)).optional(),
    })
    .optional(),
});

const queryRuleWriteShape = {
  displayName: z.string().min(1),
  description: z.string().optional(),
  enabled: z.boolean(),
  severity: z.enum(sentinelSeverityValues),
  query: z.string().min(1).max(ALERT_RULE_LIMITS.maxQueryLength),
  tactics: z.array(z.enum(attackTacticValues)).optional(),
  techniques: z.array(z.string()).optional(),
  suppressionDuration: duration,
  suppressionEnabled: z.boolean(),
  eventGroupingSettings: z
    .strictObject({ aggregationKind: z.enum(eventGroupingAggregationKindValues) })
    .optional(),
  customDetails: z.record(z.string().min(1), z.string().min(1)).optional(),
  entityMappings: z.array(entityMappingWriteSchema).max(ALERT_RULE_LIMITS.maxEntityMappings).optional(),
  alertDetailsOverride: alertDetailsOverrideWriteSchema.optional(),
  incidentConfiguration: incidentConfigurationWriteSchema.optional(),
  alertRuleTemplateName: z.string().optional(),
  templateVersion: z.string().optional(),
};

/** The `properties` of a Scheduled rule PUT (strict: unknown or read-only fields are refused). */
export const scheduledAlertRuleWritePropertiesSchema = z.strictObject({
  ...queryRuleWriteShape,
  queryFrequency: duration,
  queryPeriod: duration,
  triggerOperator: z.enum(triggerOperatorValues),
  triggerThreshold: z.number().int().min(0),
});
/**
 * The `properties` of a Scheduled rule PUT: every writable `ScheduledAlertRuleProperties` field, strictly checked,
 * with the service's limits validated before sending.
 */
export type ScheduledAlertRuleWriteProperties = z.infer<typeof scheduledAlertRuleWritePropertiesSchema>;

/** The `properties` of an NRT rule PUT (preview api-version only). */
export const nrtAlertRuleWritePropertiesSchema = z.strictObject({
  ...queryRuleWriteShape,
  subTechniques: z.array(z.string()).optional(),
  sentinelEntitiesMappings: z.array(z.strictObject({ columnName: z.string().min(1) })).optional(),
});
/**
 * The `properties` of an NRT rule PUT (sent with a preview api-version): the writable `NrtAlertRuleProperties`
 * fields, strictly checked.
 */
export type NrtAlertRuleWriteProperties = z.infer<typeof nrtAlertRuleWritePropertiesSchema>;

/** A Scheduled rule to create or replace. */
export interface ScheduledAlertRuleWrite {
  kind: "Scheduled";
  properties: ScheduledAlertRuleWriteProperties;
}

/** An NRT rule to create or replace (sent with a preview api-version). */
export interface NrtAlertRuleWrite {
  kind: "NRT";
  properties: NrtAlertRuleWriteProperties;
}

/** What `SentinelClient.createOrUpdateAlertRule` sends: a Scheduled or an NRT rule. */
export type AlertRuleWrite = ScheduledAlertRuleWrite | NrtAlertRuleWrite;

// ---------------------------------------------------------------------------------------------------------------
// Write validation

/** Properties the service owns; dropped so GET → modify → PUT round trips work. */
const readOnlyRuleProperties = ["lastModifiedUtc"] as const;

/** A copy without `null` values (the service sends `null` for "not set"; the strict write schemas refuse it). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map(withoutNulls);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== null) out[key] = withoutNulls(v);
  return out;
}

/** The `{{Column}}` parameters of an alert-details format string. */
export function alertDetailsParameters(format: string): string[] {
  return [...format.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)].map((m) => m[1]!);
}

/**
 * Issues of a Scheduled rule's timing: each of `queryFrequency` and `queryPeriod` from 5 minutes to 14 days,
 * frequency ≤ period, and a period over 2 days needs a frequency of at least 1 hour.
 */
export function scheduledTimingIssues(queryFrequency: string, queryPeriod: string): ValidationIssue[] {
  const L = ALERT_RULE_LIMITS;
  const frequency = parseIsoDuration(queryFrequency);
  const period = parseIsoDuration(queryPeriod);
  const issues: ValidationIssue[] = [];
  if (frequency === undefined)
    issues.push({ path: "queryFrequency", message: "is not an ISO 8601 duration" });
  else if (frequency < L.minQueryFrequencyMs || frequency > L.maxQueryFrequencyMs)
    issues.push({ path: "queryFrequency", message: "must be from 5 minutes (PT5M) to 14 days (P14D)" });
  if (period === undefined) issues.push({ path: "queryPeriod", message: "is not an ISO 8601 duration" });
  else if (period < L.minQueryPeriodMs || period > L.maxQueryPeriodMs)
    issues.push({ path: "queryPeriod", message: "must be from 5 minutes (PT5M) to 14 days (P14D)" });
  if (issues.length > 0 || frequency === undefined || period === undefined) return issues;
  if (frequency > period)
    issues.push({
      path: "queryFrequency",
      message: "must not be longer than queryPeriod (gaps in coverage)",
    });
  if (period > L.longPeriodThresholdMs && frequency < L.longPeriodMinFrequencyMs)
    issues.push({
      path: "queryFrequency",
      message: "must be at least 1 hour when queryPeriod is over 2 days",
    });
  return issues;
}

type QueryRuleProperties = z.infer<z.ZodObject<typeof queryRuleWriteShape>>;

function alertDetailsIssues(p: QueryRuleProperties): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const override = p.alertDetailsOverride;
  for (const key of ["alertDisplayNameFormat", "alertDescriptionFormat"] as const) {
    const format = override?.[key];
    if (
      format !== undefined &&
      alertDetailsParameters(format).length > ALERT_RULE_LIMITS.maxAlertDetailsParameters
    ) {
      issues.push({
        path: `alertDetailsOverride.${key}`,
        message: "may use at most 3 {{Column}} parameters",
      });
    }
  }
  return issues;
}

function groupingIssues(p: QueryRuleProperties): ValidationIssue[] {
  const grouping = p.incidentConfiguration?.groupingConfiguration;
  if (grouping === undefined) return [];
  const issues: ValidationIssue[] = [];
  const path = "incidentConfiguration.groupingConfiguration";
  const lookback = parseIsoDuration(grouping.lookbackDuration) ?? 0;
  if (
    lookback < ALERT_RULE_LIMITS.minGroupingLookbackMs ||
    lookback > ALERT_RULE_LIMITS.maxGroupingLookbackMs
  ) {
    issues.push({
      path: `${path}.lookbackDuration`,
      message: "must be from 5 minutes (PT5M) to 7 days (P7D)",
    });
  }
  const byEntities = grouping.groupByEntities ?? [];
  const byDetails = grouping.groupByAlertDetails ?? [];
  const byCustom = grouping.groupByCustomDetails ?? [];
  if (
    grouping.matchingMethod === "Selected" &&
    byEntities.length + byDetails.length + byCustom.length === 0
  ) {
    issues.push({
      path,
      message: "matchingMethod Selected needs groupByEntities, groupByAlertDetails or groupByCustomDetails",
    });
  }
  const customKeys = new Set(Object.keys(p.customDetails ?? {}));
  for (const key of byCustom.filter((k) => !customKeys.has(k)))
    issues.push({
      path: `${path}.groupByCustomDetails`,
      message: `${key} is not a custom detail of the rule`,
    });
  const mapped = new Set((p.entityMappings ?? []).map((m) => m.entityType));
  for (const type of byEntities.filter((t) => !mapped.has(t)))
    issues.push({ path: `${path}.groupByEntities`, message: `${type} is not mapped by the rule` });
  return issues;
}

function queryRuleIssues(p: QueryRuleProperties): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (p.displayName.trim() === "") issues.push({ path: "displayName", message: "must not be empty" });
  if (Object.keys(p.customDetails ?? {}).length > ALERT_RULE_LIMITS.maxCustomDetails)
    issues.push({ path: "customDetails", message: "may have at most 20 entries" });
  return [...issues, ...alertDetailsIssues(p), ...groupingIssues(p)];
}

/**
 * Checks a rule before it is sent: `kind` is Scheduled or NRT, the properties pass the strict write schema
 * (after dropping `null`s and read-only `lastModifiedUtc`, so a rule read with `getAlertRule` can be sent back),
 * and the documented limits hold. Returns the body to send; throws `InvalidArgumentError` listing every issue.
 */
export function validateAlertRule(rule: unknown): AlertRuleWrite {
  const kind = (rule as { kind?: unknown } | null)?.kind;
  const properties = (rule as { properties?: unknown } | null)?.properties;
  if (kind !== "Scheduled" && kind !== "NRT") {
    throw new InvalidArgumentError(
      "rule",
      `kind ${JSON.stringify(kind)} cannot be written; use Scheduled or NRT`,
    );
  }
  if (typeof properties !== "object" || properties === null || Array.isArray(properties)) {
    throw new InvalidArgumentError("rule", "properties must be an object");
  }
  const copy = withoutNulls(properties) as Record<string, unknown>;
  for (const key of readOnlyRuleProperties) delete copy[key];
  const schema =
    kind === "Scheduled" ? scheduledAlertRuleWritePropertiesSchema : nrtAlertRuleWritePropertiesSchema;
  const parsed = schema.safeParse(copy);
  let issues: ValidationIssue[];
  if (!parsed.success) issues = zodIssues(parsed.error);
  else {
    issues = queryRuleIssues(parsed.data);
    if (kind === "Scheduled") {
      const p = parsed.data as ScheduledAlertRuleWriteProperties;
      issues.push(...scheduledTimingIssues(p.queryFrequency, p.queryPeriod));
    }
  }
  if (issues.length > 0 || !parsed.success) {
    const all = prefixIssues(issues, "properties");
    throw new InvalidArgumentError("rule", describeIssues(all), all);
  }
  return { kind, properties: parsed.data } as AlertRuleWrite;
}

// ---------------------------------------------------------------------------------------------------------------
// Client options

/** Options of `SentinelClient.getAlertRule`. */
export interface GetAlertRuleOptions extends OperationOptions {
  /** The api-version of this call (e.g. `2025-07-01-preview` to read NRT rules). Default: the client's. */
  apiVersion?: string;
}

/** Options of `SentinelClient.deleteAlertRule`. */
export interface DeleteAlertRuleOptions extends OperationOptions {
  /** The api-version of this call. Default: the client's. */
  apiVersion?: string;
}

/** Options of `SentinelClient.createOrUpdateAlertRule`. */
export interface CreateOrUpdateAlertRuleOptions extends OperationOptions {
  /**
   * The api-version of this call. Default: the client's; an NRT rule written under a stable client api-version
   * is sent with `NRT_ALERT_RULE_API_VERSION`.
   */
  apiVersion?: string;
  /** The etag read with the rule; a stale one makes the service answer 409 (ConflictError). */
  etag?: string;
}

/** Options of `SentinelClient.listAlertRules`. */
export interface ListAlertRulesOptions extends OperationOptions {
  /** The api-version of this call (e.g. `2025-07-01-preview` to list NRT rules). Default: the client's. */
  apiVersion?: string;
  /** Receives rules that fail the schema; without it such a rule throws a ResponseValidationError. */
  onInvalidItem?: InvalidItemHandler;
}
