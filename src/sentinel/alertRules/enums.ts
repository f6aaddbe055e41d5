/** Enums of the analytics-rule models (all `modelAsString: true` in the spec except the trigger operator). */
import type { z } from "zod";
import { evolvableEnum } from "../../core/enum";

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
