/**
 * Checks an alertRules PUT body as the service does: the 2025-09-01 spec's required properties and enums
 * (AlertRules.json in Azure/azure-rest-api-specs), plus the documented limits of scheduled and NRT rules
 * (learn.microsoft.com/azure/sentinel/sentinel-service-limits, scheduled-rules-overview, near-real-time-rules).
 */
import type {
  AlertDetailsOverride,
  EntityMapping,
  GroupingSpec,
  RuleSpec,
  RunnableRuleKind,
} from "./alertRuleTypes";
import { DAY_MS, HOUR_MS, MINUTE_MS, parseIsoDuration } from "./durations";
import { ENTITY_IDENTIFIERS } from "./entityEvidence";

/** A 4xx answer of the alertRules API (ARM CloudError code and message). */
export class AlertRuleRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The analytics rule limits the emulated alertRules API enforces: query frequency and period (ms), query length,
 * custom details, entity mappings, grouping lookback and enabled rules per workspace.
 */
export const ALERT_RULE_SERVICE_LIMITS = {
  minQueryFrequencyMs: 5 * MINUTE_MS,
  maxQueryFrequencyMs: 14 * DAY_MS,
  minQueryPeriodMs: 5 * MINUTE_MS,
  maxQueryPeriodMs: 14 * DAY_MS,
  /** A period over 2 days needs a frequency of at least 1 hour. */
  longPeriodMs: 2 * DAY_MS,
  longPeriodMinFrequencyMs: HOUR_MS,
  maxQueryLength: 10_000,
  maxCustomDetails: 20,
  maxEntityMappings: 10,
  maxIdentifiersPerEntity: 3,
  maxOverrideParameters: 3,
  minLookbackMs: 5 * MINUTE_MS,
  maxLookbackMs: 7 * DAY_MS,
  maxEnabledScheduled: 512,
  maxEnabledNrt: 50,
} as const;

export const SEVERITY_VALUES = ["High", "Medium", "Low", "Informational"] as const;
export const TRIGGER_OPERATORS = ["GreaterThan", "LessThan", "Equal", "NotEqual"] as const;
export const ATTACK_TACTICS = [
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
export const ENTITY_MAPPING_TYPES = [
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
export const ALERT_PROPERTIES = [
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
/** Kinds of the stable 2025-09-01 spec; NRT exists only in preview api-versions. */
export const STABLE_RULE_KINDS = ["Scheduled", "MicrosoftSecurityIncidentCreation", "Fusion"] as const;
export const PREVIEW_RULE_KINDS = [...STABLE_RULE_KINDS, "NRT"] as const;

const bad = (message: string) => new AlertRuleRequestError(400, "BadRequest", message);

type Bag = Record<string, unknown>;
const isBag = (v: unknown): v is Bag => typeof v === "object" && v !== null && !Array.isArray(v);

function enumValue<T extends string>(values: readonly T[], raw: unknown, field: string): T {
  const hit = values.find((v) => typeof raw === "string" && v.toLowerCase() === raw.toLowerCase());
  if (!hit)
    throw bad(`The value '${String(raw)}' of '${field}' is invalid. Allowed values: ${values.join(", ")}.`);
  return hit;
}

function requireFields(p: Bag, fields: readonly string[]): void {
  const missing = fields.filter((f) => p[f] === undefined || p[f] === null);
  if (missing.length > 0)
    throw bad(`Validation error: the ${missing.map((f) => `'${f}'`).join(", ")} field(s) are required.`);
}

function stringField(p: Bag, field: string, required: boolean): string | undefined {
  const v = p[field];
  if (v === undefined || v === null) {
    if (required) throw bad(`Validation error: the '${field}' field is required.`);
    return undefined;
  }
  if (typeof v !== "string") throw bad(`The '${field}' field must be a string.`);
  return v;
}

function booleanField(p: Bag, field: string): boolean {
  if (typeof p[field] !== "boolean") throw bad(`The '${field}' field must be a boolean.`);
  return p[field] as boolean;
}

function durationField(p: Bag, field: string, min: number, max: number, range: string): number {
  const raw = p[field];
  const ms = typeof raw === "string" ? parseIsoDuration(raw) : undefined;
  if (ms === undefined)
    throw bad(`The value '${String(raw)}' of '${field}' is not a valid ISO 8601 duration.`);
  if (ms < min || ms > max) throw bad(`The '${field}' must be between ${range} (got '${String(raw)}').`);
  return ms;
}

function stringList(raw: unknown, field: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.some((v) => typeof v !== "string"))
    throw bad(`The '${field}' field must be an array of strings.`);
  return raw as string[];
}

/** `{{Column}}` parameters of an override format. */
export function formatParameters(format: string): string[] {
  return [...format.matchAll(/\{\{\s*([^{}]+?)\s*\}\}/g)].map((m) => m[1]!);
}

function customDetails(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isBag(raw)) throw bad("The 'customDetails' field must be an object of key → column name.");
  const entries = Object.entries(raw);
  if (entries.length > ALERT_RULE_SERVICE_LIMITS.maxCustomDetails)
    throw bad(
      `A rule can have at most ${ALERT_RULE_SERVICE_LIMITS.maxCustomDetails} custom details (got ${entries.length}).`,
    );
  for (const [key, column] of entries) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw bad(`The custom detail key '${key}' is invalid: use letters, digits and underscores.`);
    if (typeof column !== "string" || column.trim() === "")
      throw bad(`The custom detail '${key}' must name a column.`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function entityMappings(raw: unknown): EntityMapping[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw bad("The 'entityMappings' field must be an array.");
  if (raw.length > ALERT_RULE_SERVICE_LIMITS.maxEntityMappings)
    throw bad(
      `A rule can have at most ${ALERT_RULE_SERVICE_LIMITS.maxEntityMappings} entity mappings (got ${raw.length}).`,
    );
  return raw.map((m, i) => {
    if (!isBag(m)) throw bad(`entityMappings[${i}] must be an object.`);
    const entityType = enumValue(ENTITY_MAPPING_TYPES, m.entityType, `entityMappings[${i}].entityType`);
    const fields = m.fieldMappings;
    if (
      !Array.isArray(fields) ||
      fields.length === 0 ||
      fields.length > ALERT_RULE_SERVICE_LIMITS.maxIdentifiersPerEntity
    )
      throw bad(
        `entityMappings[${i}].fieldMappings must hold 1 to ${ALERT_RULE_SERVICE_LIMITS.maxIdentifiersPerEntity} mappings.`,
      );
    const fieldMappings = fields.map((f, j) => {
      if (
        !isBag(f) ||
        typeof f.identifier !== "string" ||
        f.identifier === "" ||
        typeof f.columnName !== "string" ||
        f.columnName === ""
      )
        throw bad(
          `entityMappings[${i}].fieldMappings[${j}] needs a non-empty 'identifier' and 'columnName'.`,
        );
      const allowed = ENTITY_IDENTIFIERS[entityType] ?? [];
      const identifier = allowed.find((a) => a.toLowerCase() === (f.identifier as string).toLowerCase());
      if (!identifier)
        throw bad(
          `'${f.identifier}' is not an identifier of entity type '${entityType}'. Identifiers: ${allowed.join(", ")}.`,
        );
      return { identifier, columnName: f.columnName };
    });
    return { entityType, fieldMappings };
  });
}

function detailsOverride(raw: unknown): AlertDetailsOverride | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isBag(raw)) throw bad("The 'alertDetailsOverride' field must be an object.");
  const out: AlertDetailsOverride = { alertDynamicProperties: [] };
  for (const field of ["alertDisplayNameFormat", "alertDescriptionFormat"] as const) {
    const format = stringField(raw, field, false);
    if (format === undefined) continue;
    if (formatParameters(format).length > ALERT_RULE_SERVICE_LIMITS.maxOverrideParameters)
      throw bad(
        `'${field}' can use at most ${ALERT_RULE_SERVICE_LIMITS.maxOverrideParameters} {{column}} parameters.`,
      );
    out[field] = format;
  }
  for (const field of ["alertSeverityColumnName", "alertTacticsColumnName"] as const) {
    const column = stringField(raw, field, false);
    if (column !== undefined) out[field] = column;
  }
  const dynamic = raw.alertDynamicProperties;
  if (dynamic !== undefined && dynamic !== null) {
    if (!Array.isArray(dynamic)) throw bad("'alertDynamicProperties' must be an array.");
    out.alertDynamicProperties = dynamic.map((d, i) => {
      if (!isBag(d) || typeof d.value !== "string")
        throw bad(`alertDynamicProperties[${i}] needs 'alertProperty' and a column 'value'.`);
      return {
        alertProperty: enumValue(
          ALERT_PROPERTIES,
          d.alertProperty,
          `alertDynamicProperties[${i}].alertProperty`,
        ),
        value: d.value,
      };
    });
  }
  return out;
}

function grouping(
  raw: unknown,
  details: Record<string, string>,
  entities: EntityMapping[],
): GroupingSpec | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isBag(raw)) throw bad("'groupingConfiguration' must be an object.");
  requireFields(raw, ["enabled", "reopenClosedIncident", "lookbackDuration", "matchingMethod"]);
  const spec: GroupingSpec = {
    enabled: booleanField(raw, "enabled"),
    reopenClosedIncident: booleanField(raw, "reopenClosedIncident"),
    lookbackMs: durationField(
      raw,
      "lookbackDuration",
      ALERT_RULE_SERVICE_LIMITS.minLookbackMs,
      ALERT_RULE_SERVICE_LIMITS.maxLookbackMs,
      "5 minutes and 7 days",
    ),
    matchingMethod: enumValue(
      ["AllEntities", "AnyAlert", "Selected"] as const,
      raw.matchingMethod,
      "matchingMethod",
    ),
    groupByEntities: stringList(raw.groupByEntities, "groupByEntities").map((e) =>
      enumValue(ENTITY_MAPPING_TYPES, e, "groupByEntities"),
    ),
    groupByAlertDetails: stringList(raw.groupByAlertDetails, "groupByAlertDetails").map((d) =>
      enumValue(["DisplayName", "Severity"] as const, d, "groupByAlertDetails"),
    ),
    groupByCustomDetails: stringList(raw.groupByCustomDetails, "groupByCustomDetails"),
  };
  if (spec.matchingMethod === "Selected") {
    if (
      spec.groupByEntities.length + spec.groupByAlertDetails.length + spec.groupByCustomDetails.length ===
      0
    )
      throw bad(
        "When matchingMethod is Selected at least one of groupByEntities, groupByAlertDetails, groupByCustomDetails must be provided and not empty.",
      );
    const unknownDetail = spec.groupByCustomDetails.find((k) => !(k in details));
    if (unknownDetail !== undefined)
      throw bad(`groupByCustomDetails: '${unknownDetail}' is not a custom detail of this rule.`);
    const unknownEntity = spec.groupByEntities.find((t) => !entities.some((m) => m.entityType === t));
    if (unknownEntity !== undefined)
      throw bad(`groupByEntities: '${unknownEntity}' is not mapped by this rule's entityMappings.`);
  }
  return spec;
}

function incidentConfiguration(raw: unknown, details: Record<string, string>, entities: EntityMapping[]) {
  if (raw === undefined || raw === null) return { createIncident: true, grouping: undefined };
  if (!isBag(raw)) throw bad("'incidentConfiguration' must be an object.");
  requireFields(raw, ["createIncident"]);
  return {
    createIncident: booleanField(raw, "createIncident"),
    grouping: grouping(raw.groupingConfiguration, details, entities),
  };
}

function scheduleOf(kind: RunnableRuleKind, p: Bag): { frequencyMs: number; periodMs: number | undefined } {
  if (kind === "NRT") return { frequencyMs: MINUTE_MS, periodMs: undefined };
  const L = ALERT_RULE_SERVICE_LIMITS;
  const frequencyMs = durationField(
    p,
    "queryFrequency",
    L.minQueryFrequencyMs,
    L.maxQueryFrequencyMs,
    "5 minutes and 14 days",
  );
  const periodMs = durationField(
    p,
    "queryPeriod",
    L.minQueryPeriodMs,
    L.maxQueryPeriodMs,
    "5 minutes and 14 days",
  );
  if (frequencyMs > periodMs)
    throw bad("The 'queryFrequency' must be less than or equal to the 'queryPeriod'.");
  if (periodMs > L.longPeriodMs && frequencyMs < L.longPeriodMinFrequencyMs)
    throw bad("A 'queryPeriod' over 2 days needs a 'queryFrequency' of at least 1 hour.");
  return { frequencyMs, periodMs };
}

const SCHEDULED_REQUIRED = [
  "displayName",
  "enabled",
  "severity",
  "query",
  "queryFrequency",
  "queryPeriod",
  "triggerOperator",
  "triggerThreshold",
  "suppressionEnabled",
  "suppressionDuration",
];
const NRT_REQUIRED = [
  "displayName",
  "enabled",
  "severity",
  "query",
  "suppressionEnabled",
  "suppressionDuration",
];

/** The runnable view of a Scheduled or NRT rule's properties; throws `AlertRuleRequestError` on bad input. */
export function validateRunnableRule(kind: RunnableRuleKind, p: Bag): RuleSpec {
  requireFields(p, kind === "NRT" ? NRT_REQUIRED : SCHEDULED_REQUIRED);
  const query = stringField(p, "query", true)!;
  if (query.trim().length === 0 || query.length > ALERT_RULE_SERVICE_LIMITS.maxQueryLength)
    throw bad(`The 'query' must be 1 to ${ALERT_RULE_SERVICE_LIMITS.maxQueryLength} characters long.`);
  const displayName = stringField(p, "displayName", true)!;
  if (displayName.trim() === "") throw bad("The 'displayName' must not be empty.");
  const threshold = p.triggerThreshold ?? 0;
  if (!Number.isInteger(threshold) || (threshold as number) < 0)
    throw bad("The 'triggerThreshold' must be a non-negative integer.");
  const details = customDetails(p.customDetails);
  const entities = entityMappings(p.entityMappings);
  const aggregation = isBag(p.eventGroupingSettings) ? p.eventGroupingSettings.aggregationKind : undefined;
  const incident = incidentConfiguration(p.incidentConfiguration, details, entities);
  return {
    kind,
    displayName,
    description: stringField(p, "description", false) ?? "",
    severity: enumValue(SEVERITY_VALUES, p.severity, "severity"),
    enabled: booleanField(p, "enabled"),
    query,
    ...scheduleOf(kind, p),
    triggerOperator:
      p.triggerOperator === undefined
        ? "GreaterThan"
        : enumValue(TRIGGER_OPERATORS, p.triggerOperator, "triggerOperator"),
    triggerThreshold: threshold as number,
    suppressionEnabled: booleanField(p, "suppressionEnabled"),
    suppressionMs: durationField(p, "suppressionDuration", 0, 14 * DAY_MS, "0 and 14 days"),
    // No default in the spec; the portal's default is SingleAlert.
    aggregationKind:
      aggregation === undefined
        ? "SingleAlert"
        : enumValue(
            ["SingleAlert", "AlertPerResult"] as const,
            aggregation,
            "eventGroupingSettings.aggregationKind",
          ),
    customDetails: details,
    entityMappings: entities,
    alertDetailsOverride: detailsOverride(p.alertDetailsOverride),
    tactics: stringList(p.tactics, "tactics").map((t) => enumValue(ATTACK_TACTICS, t, "tactics")),
    techniques: stringList(p.techniques, "techniques"),
    createIncident: incident.createIncident,
    grouping: incident.grouping,
  };
}

/** Properties the service keeps for each kind (anything else in a PUT is dropped, as ARM does). */
export const RULE_PROPERTIES: Record<string, readonly string[]> = {
  Scheduled: [
    "alertRuleTemplateName",
    "templateVersion",
    "description",
    "displayName",
    "enabled",
    "suppressionDuration",
    "suppressionEnabled",
    "tactics",
    "techniques",
    "incidentConfiguration",
    "query",
    "queryFrequency",
    "queryPeriod",
    "severity",
    "triggerOperator",
    "triggerThreshold",
    "eventGroupingSettings",
    "customDetails",
    "entityMappings",
    "alertDetailsOverride",
    "sentinelEntitiesMappings",
    "subTechniques",
  ],
  NRT: [
    "alertRuleTemplateName",
    "templateVersion",
    "description",
    "displayName",
    "enabled",
    "suppressionDuration",
    "suppressionEnabled",
    "tactics",
    "techniques",
    "incidentConfiguration",
    "query",
    "severity",
    "eventGroupingSettings",
    "customDetails",
    "entityMappings",
    "alertDetailsOverride",
    "sentinelEntitiesMappings",
    "subTechniques",
  ],
  Fusion: ["alertRuleTemplateName", "enabled", "sourceSettings", "scenarioExclusionPatterns"],
  MicrosoftSecurityIncidentCreation: [
    "alertRuleTemplateName",
    "description",
    "displayName",
    "enabled",
    "displayNamesFilter",
    "displayNamesExcludeFilter",
    "productFilter",
    "severitiesFilter",
  ],
};

/** Checks the kinds the emulator stores but does not run. */
export function validateOtherRule(kind: string, p: Bag): void {
  if (kind === "Fusion") {
    requireFields(p, ["alertRuleTemplateName", "enabled"]);
    booleanField(p, "enabled");
    return;
  }
  requireFields(p, ["displayName", "enabled", "productFilter"]);
  booleanField(p, "enabled");
  enumValue(
    [
      "Microsoft Cloud App Security",
      "Azure Security Center",
      "Azure Advanced Threat Protection",
      "Azure Active Directory Identity Protection",
      "Azure Security Center for IoT",
    ] as const,
    p.productFilter,
    "productFilter",
  );
}

/** The kind of a PUT body, checked against what the api-version knows. */
export function ruleKindFor(body: Bag, apiVersion: string): string {
  const preview = /-preview$/i.test(apiVersion);
  const kinds: readonly string[] = preview ? PREVIEW_RULE_KINDS : STABLE_RULE_KINDS;
  const raw = body.kind;
  if (typeof raw !== "string" || raw === "") throw bad("Validation error: the 'kind' field is required.");
  const kind = kinds.find((k) => k.toLowerCase() === raw.toLowerCase());
  if (!kind) {
    throw bad(
      preview || raw.toLowerCase() !== "nrt"
        ? `The alert rule kind '${raw}' is not supported. Supported kinds: ${kinds.join(", ")}.`
        : `The alert rule kind 'NRT' is not supported in api-version '${apiVersion}'; near-real-time rules exist only in preview api-versions (for example 2025-07-01-preview).`,
    );
  }
  return kind;
}
