/** Read schemas of analytics rules: tolerant (unknown properties kept, nulls accepted, unknown kinds kept whole). */
import { z } from "zod";
import { sentinelSeveritySchema, systemDataSchema } from "../models";
import {
  alertDetailSchema,
  alertPropertySchema,
  alertRuleKindSchema,
  attackTacticSchema,
  entityMappingTypeSchema,
  eventGroupingAggregationKindSchema,
  matchingMethodSchema,
  triggerOperatorSchema,
} from "./enums";

const str = z.string().nullish();
const strList = z.array(z.string()).nullish();

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
