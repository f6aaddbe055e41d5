/**
 * Analytics rules (ARM `Microsoft.SecurityInsights/alertRules`) as the emulator keeps them: the wire resource
 * the API returns, and for the kinds that run (Scheduled, NRT) a checked, runnable view of it.
 */

export type RunnableRuleKind = "Scheduled" | "NRT";

export interface FieldMapping {
  identifier: string;
  columnName: string;
}

export interface EntityMapping {
  entityType: string;
  fieldMappings: FieldMapping[];
}

export interface AlertDetailsOverride {
  alertDisplayNameFormat?: string;
  alertDescriptionFormat?: string;
  alertSeverityColumnName?: string;
  alertTacticsColumnName?: string;
  alertDynamicProperties: { alertProperty: string; value: string }[];
}

export interface GroupingSpec {
  enabled: boolean;
  reopenClosedIncident: boolean;
  lookbackMs: number;
  matchingMethod: "AllEntities" | "AnyAlert" | "Selected";
  groupByEntities: string[];
  groupByAlertDetails: ("DisplayName" | "Severity")[];
  groupByCustomDetails: string[];
}

/** What the rule runner needs of a Scheduled or NRT rule (validated, durations in ms). */
export interface RuleSpec {
  kind: RunnableRuleKind;
  displayName: string;
  description: string;
  severity: string;
  enabled: boolean;
  query: string;
  /** Scheduled: queryFrequency; NRT: one minute. */
  frequencyMs: number;
  /** Scheduled: queryPeriod; NRT: none (it reads what was ingested since its last run). */
  periodMs: number | undefined;
  triggerOperator: "GreaterThan" | "LessThan" | "Equal" | "NotEqual";
  triggerThreshold: number;
  suppressionEnabled: boolean;
  suppressionMs: number;
  aggregationKind: "SingleAlert" | "AlertPerResult";
  customDetails: Record<string, string>;
  entityMappings: EntityMapping[];
  alertDetailsOverride: AlertDetailsOverride | undefined;
  tactics: string[];
  techniques: string[];
  createIncident: boolean;
  grouping: GroupingSpec | undefined;
}

/** One stored rule. `resource` is exactly what GET returns. */
export interface StoredAlertRule {
  name: string;
  kind: string;
  etag: string;
  resource: Record<string, unknown>;
  /** Undefined for kinds the emulator does not run (Fusion, MicrosoftSecurityIncidentCreation). */
  spec: RuleSpec | undefined;
  /** When the current schedule started (creation, last update or re-enable), ms since epoch. */
  scheduledFromMs: number;
  /** Runs made since `scheduledFromMs`. */
  runsDone: number;
  /** End (ms) of the last NRT window, so that the next one starts there. */
  lastWindowEndMs: number | undefined;
  /** When the rule last raised an alert (for suppression), ms since epoch. */
  lastAlertMs: number | undefined;
}
