/** Write schemas of Scheduled and NRT analytics rules: strict. */
import { z } from "zod";
import { sentinelSeverityValues } from "../models";
import { duration } from "./duration";
import {
  alertDetailValues,
  alertPropertyValues,
  attackTacticValues,
  entityMappingTypeValues,
  eventGroupingAggregationKindValues,
  matchingMethodValues,
  triggerOperatorValues,
} from "./enums";
import { ALERT_RULE_LIMITS } from "./limits";

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

export const queryRuleWriteShape = {
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
