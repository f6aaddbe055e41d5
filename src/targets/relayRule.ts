/**
 * The relay analytics rule: a Sentinel Scheduled (or NRT) rule over the relay table that raises one alert per
 * relay row, carrying the source keys as custom details, the entities as entity mappings and the source's
 * title and severity as alert details, and groups the alerts into one incident per source incident.
 *
 * Why each setting (learn.microsoft.com/azure/sentinel: scheduled-rules-overview, ingestion-delay,
 * near-real-time-rules, customize-alert-details, surface-custom-details-in-alerts, sentinel-service-limits;
 * learn.microsoft.com/defender-xdr/exclude-analytics-rules-correlation):
 * - rows are picked by `ingestion_time()`, not `TimeGenerated`, so late rows are neither missed nor raised twice
 *   (each run takes the rows ingested during the last `queryFrequency`; the lookback only has to cover their
 *   `TimeGenerated`); NRT rules already work on ingestion time;
 * - `AlertPerResult` is set explicitly (the portal's default is one alert per run);
 * - grouping by the `SourceTenantId`/`SourceIncidentId` custom details over the longest lookback (7 days), never
 *   reopening closed incidents (the Defender portal does not support it: a new incident is made instead);
 * - the description starts with `#DONT_CORR#`, which keeps Defender from correlating relayed alerts with other
 *   alerts into a different incident.
 */
import { InvalidArgumentError, type ValidationIssue } from "../core/errors";
import { isGuid } from "../core/guid";
import { describeIssues } from "../core/validationIssues";
import {
  ALERT_RULE_LIMITS,
  ALERT_RULES_API_VERSION,
  type AlertRuleWrite,
  alertDetailsParameters,
  type EntityMappingType,
  NRT_ALERT_RULE_API_VERSION,
  parseIsoDuration,
  scheduledTimingIssues,
  validateAlertRule,
} from "../sentinel/alertRuleModels";
import type { SentinelSeverity } from "../sentinel/models";
import { uuidV5 } from "../sync/deterministicName";
import { DEFAULT_RELAY_TABLE_NAME, RELAY_ROW_COLUMNS, type RelayColumnName } from "./relayRow";
import { RELAY_DETAIL_KEYS } from "./sourceKeys";

/** Namespace of relay rule ids (a fixed, random v4): `relayRuleId` is a UUID v5 of the table name in it. */
export const RELAY_RULE_NAMESPACE = "5827a6a0-3fcc-410b-b1f1-95eb3fcb2462";

/** Tag that excludes a rule's alerts from Defender XDR's cross-rule correlation (first in the description). */
export const DONT_CORRELATE_TAG = "#DONT_CORR#";

/**
 * Rows the relay should upload per rule run at most: one alert per row up to the service's per-run cap, whose
 * last alert summarizes the rest (Scheduled 150, NRT 30), so one below it.
 */
export const RELAY_MAX_ROWS_PER_RUN = {
  Scheduled: ALERT_RULE_LIMITS.maxAlertsPerScheduledRun - 1,
  NRT: ALERT_RULE_LIMITS.maxAlertsPerNrtRun - 1,
} as const;

/**
 * Options of the relay analytics rule: its table or stream, Scheduled or NRT, query frequency and period (ISO 8601),
 * name, description, fallback severity and rule id namespace.
 */
export interface BuildRelayRuleOptions {
  /** The relay table (`…_CL`). Default `DefenderRelay_CL`. */
  tableName?: string;
  /** Or its DCR stream, `Custom-<table>`; the table name is taken from it. */
  streamName?: string;
  /** An NRT rule (every minute, preview api-version) instead of a Scheduled one. Default false. */
  nrt?: boolean;
  /** Scheduled only: how often the rule runs, ISO 8601. Default `PT5M` (the minimum). */
  queryFrequency?: string;
  /** Scheduled only: the `TimeGenerated` lookback, ISO 8601. Default `P2D` (rows older are re-stamped anyway). */
  queryPeriod?: string;
  /** Default `Defender XDR relay (<table>)`; rule names must be unique in a workspace. */
  displayName?: string;
  /** Appended to the description after `#DONT_CORR#` and the default text. */
  description?: string;
  /** Severity of an alert whose `AlertSeverity` is empty or invalid. Default `Medium`. */
  severity?: SentinelSeverity;
  /** Default true. */
  enabled?: boolean;
  /** Namespace (a GUID) of the rule id, to run several relays into one table. Default `RELAY_RULE_NAMESPACE`. */
  namespace?: string;
  /** Alert name format (at most 3 `{{Column}}` parameters). Default `{{IncidentTitle}} | {{AlertTitle}}`. */
  alertDisplayNameFormat?: string;
  /** Alert description format (at most 3 parameters). Default `{{AlertDescription}}`. */
  alertDescriptionFormat?: string;
}

/** A relay rule ready for `SentinelClient.createOrUpdateAlertRule(ruleId, rule, { apiVersion })`. */
export interface RelayRuleDefinition {
  /** Deterministic: the same table and namespace always give the same id, so installing is idempotent. */
  ruleId: string;
  /** `2025-09-01` for Scheduled, the preview api-version for NRT. */
  apiVersion: string;
  rule: AlertRuleWrite;
  tableName: string;
  /** Every table column the rule reads (query, custom details, entity mappings, alert details). */
  columns: readonly RelayColumnName[];
}

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,40}_CL$/;

/** The relay table's name, checked (it is placed in KQL, so nothing but a plain identifier passes). */
function relayTableName(options: Pick<BuildRelayRuleOptions, "tableName" | "streamName">): string {
  const { tableName, streamName } = options;
  if (tableName !== undefined && streamName !== undefined && streamName !== `Custom-${tableName}`) {
    throw new InvalidArgumentError("streamName", `must be Custom-${tableName} for table ${tableName}`);
  }
  if (streamName !== undefined && (typeof streamName !== "string" || !streamName.startsWith("Custom-"))) {
    throw new InvalidArgumentError("streamName", "must be Custom-<table name>");
  }
  const name = tableName ?? streamName?.slice("Custom-".length) ?? DEFAULT_RELAY_TABLE_NAME;
  if (typeof name !== "string" || !TABLE_NAME.test(name)) {
    throw new InvalidArgumentError(
      "tableName",
      `${JSON.stringify(name)} is not a custom table name (letters, digits, "_", ending in _CL)`,
    );
  }
  return name;
}

/** The deterministic id of the relay rule over `tableName` (UUID v5; table names compare case-insensitively). */
export function relayRuleId(
  tableName: string = DEFAULT_RELAY_TABLE_NAME,
  namespace: string = RELAY_RULE_NAMESPACE,
): string {
  const table = relayTableName({ tableName });
  if (typeof namespace !== "string" || !isGuid(namespace)) {
    throw new InvalidArgumentError("namespace", `${JSON.stringify(namespace)} is not a GUID`);
  }
  return uuidV5(`relay-rule:${table.toLowerCase()}`, namespace);
}

/** A duration as a KQL timespan literal (`5m`, `1h`, `90s`). */
function kqlTimespan(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Scheduled rules run 5 minutes after their scheduled time (learn.microsoft.com/azure/sentinel/ingestion-delay). */
const SCHEDULED_RUN_DELAY_MS = 300_000;

/**
 * The rule's query: one result per relay row version (a retried upload can land twice). A Scheduled rule
 * reads the ingestion-time slice (frequency + 5 min .. 5 min) ago: whether `ago()` counts from the scheduled
 * time or from the delayed execution is not documented, and this slice tiles the timeline run after run
 * under both readings, where `> ago(frequency)` misses every row under the second.
 */
function relayQuery(table: string, frequencyMs: number | undefined): string {
  const lines = [table];
  if (frequencyMs !== undefined) {
    const from = kqlTimespan(frequencyMs + SCHEDULED_RUN_DELAY_MS);
    lines.push(
      `| where ingestion_time() between (ago(${from}) .. ago(${kqlTimespan(SCHEDULED_RUN_DELAY_MS)}))`,
    );
  }
  lines.push("| summarize arg_max(TimeGenerated, *) by RelayRowId");
  return lines.join("\n");
}

/** Columns the query reads besides the table name. */
const QUERY_COLUMNS: readonly RelayColumnName[] = ["TimeGenerated", "RelayRowId"];

type Mapping = {
  entityType: EntityMappingType;
  fieldMappings: { identifier: string; columnName: RelayColumnName }[];
};
const id = (identifier: string, columnName: RelayColumnName) => ({ identifier, columnName });

/** Entity mappings from the relay columns (≤ 10 mappings, ≤ 3 identifiers each). */
export const RELAY_ENTITY_MAPPINGS: readonly Mapping[] = [
  {
    entityType: "Account",
    fieldMappings: [
      id("Name", "AccountName"),
      id("UPNSuffix", "AccountUPNSuffix"),
      id("NTDomain", "AccountNTDomain"),
    ],
  },
  {
    entityType: "Host",
    fieldMappings: [
      id("HostName", "HostName"),
      id("DnsDomain", "HostDnsDomain"),
      id("NTDomain", "HostNTDomain"),
    ],
  },
  { entityType: "IP", fieldMappings: [id("Address", "IPAddress")] },
  { entityType: "URL", fieldMappings: [id("Url", "Url")] },
  { entityType: "File", fieldMappings: [id("Name", "FileName"), id("Directory", "FileDirectory")] },
  {
    entityType: "FileHash",
    fieldMappings: [id("Algorithm", "FileHashAlgorithm"), id("Value", "FileSha256")],
  },
  { entityType: "Mailbox", fieldMappings: [id("MailboxPrimaryAddress", "MailboxPrimaryAddress")] },
];

/** Custom details: the source keys the engine links target incidents by (`sourceKeys.ts` reads them back). */
const CUSTOM_DETAILS: Readonly<Record<string, RelayColumnName>> = {
  [RELAY_DETAIL_KEYS.tenantId]: "SourceTenantId",
  [RELAY_DETAIL_KEYS.incidentId]: "SourceIncidentId",
  [RELAY_DETAIL_KEYS.alertId]: "SourceAlertId",
};

const COLUMN_NAMES = new Set<string>(RELAY_ROW_COLUMNS.map((c) => c.name));

function formatIssues(path: string, format: unknown): ValidationIssue[] {
  if (typeof format !== "string" || format.trim() === "")
    return [{ path, message: "must be a non-empty string" }];
  const params = alertDetailsParameters(format);
  const issues: ValidationIssue[] = [];
  if (params.length > ALERT_RULE_LIMITS.maxAlertDetailsParameters)
    issues.push({ path, message: "may use at most 3 {{Column}} parameters" });
  for (const p of params.filter((c) => !COLUMN_NAMES.has(c)))
    issues.push({ path, message: `{{${p}}} is not a relay table column` });
  return issues;
}

interface Timing {
  frequencyMs: number | undefined;
  queryFrequency: string;
  queryPeriod: string;
}

function timing(options: BuildRelayRuleOptions): Timing {
  const queryFrequency = options.queryFrequency ?? "PT5M";
  const queryPeriod = options.queryPeriod ?? "P2D";
  if (options.nrt && (options.queryFrequency !== undefined || options.queryPeriod !== undefined)) {
    throw new InvalidArgumentError(
      "queryFrequency",
      "NRT rules run every minute; omit queryFrequency and queryPeriod",
    );
  }
  const issues = options.nrt
    ? []
    : typeof queryFrequency !== "string" || typeof queryPeriod !== "string"
      ? [{ path: "queryFrequency", message: "must be ISO 8601 duration strings" }]
      : scheduledTimingIssues(queryFrequency, queryPeriod);
  if (issues.length > 0) {
    throw new InvalidArgumentError(issues[0]!.path, describeIssues(issues), issues);
  }
  return {
    frequencyMs: options.nrt ? undefined : parseIsoDuration(queryFrequency),
    queryFrequency,
    queryPeriod,
  };
}

function ruleProperties(
  options: BuildRelayRuleOptions,
  table: string,
  t: Timing,
  names: { display: string; description: string },
) {
  return {
    displayName: options.displayName ?? `Defender XDR relay (${table})`,
    description: [
      DONT_CORRELATE_TAG,
      `Raises one alert per Microsoft Defender XDR alert relayed into ${table} by defender-sentinel-sync,`,
      "grouped into one incident per source incident.",
      ...(options.description ? [options.description] : []),
    ].join(" "),
    enabled: options.enabled ?? true,
    severity: options.severity ?? "Medium",
    query: relayQuery(table, t.frequencyMs),
    suppressionDuration: "PT5H",
    suppressionEnabled: false,
    eventGroupingSettings: { aggregationKind: "AlertPerResult" as const },
    customDetails: { ...CUSTOM_DETAILS },
    entityMappings: RELAY_ENTITY_MAPPINGS.map((m) => ({
      ...m,
      fieldMappings: m.fieldMappings.map((f) => ({ ...f })),
    })),
    alertDetailsOverride: {
      alertDisplayNameFormat: names.display,
      alertDescriptionFormat: names.description,
      alertSeverityColumnName: "AlertSeverity",
      alertTacticsColumnName: "Tactics",
      alertDynamicProperties: [
        { alertProperty: "AlertLink" as const, value: "SourceAlertWebUrl" },
        { alertProperty: "Techniques" as const, value: "Techniques" },
      ],
    },
    incidentConfiguration: {
      createIncident: true,
      groupingConfiguration: {
        enabled: true,
        reopenClosedIncident: false,
        lookbackDuration: "P7D",
        matchingMethod: "Selected" as const,
        groupByCustomDetails: [RELAY_DETAIL_KEYS.tenantId, RELAY_DETAIL_KEYS.incidentId],
      },
    },
    ...(options.nrt
      ? {}
      : {
          queryFrequency: t.queryFrequency,
          queryPeriod: t.queryPeriod,
          triggerOperator: "GreaterThan" as const,
          triggerThreshold: 0,
        }),
  };
}

/** Every relay column a rule names: query columns, custom details, entity mappings and alert details. */
function referencedColumns(rule: AlertRuleWrite): RelayColumnName[] {
  const p = rule.properties;
  const o = p.alertDetailsOverride ?? {};
  const names = [
    ...QUERY_COLUMNS,
    ...Object.values(p.customDetails ?? {}),
    ...(p.entityMappings ?? []).flatMap((m) => m.fieldMappings.map((f) => f.columnName)),
    ...alertDetailsParameters(o.alertDisplayNameFormat ?? ""),
    ...alertDetailsParameters(o.alertDescriptionFormat ?? ""),
    ...[o.alertSeverityColumnName, o.alertTacticsColumnName].filter((c): c is string => c !== undefined),
    ...(o.alertDynamicProperties ?? []).map((d) => d.value),
  ];
  return [...new Set(names)] as RelayColumnName[];
}

/**
 * Builds the relay rule for a table (pure: the same options always give the same rule and id). Throws
 * `InvalidArgumentError` for a bad table name, a schedule the service refuses (5 minutes to 14 days, frequency
 * ≤ period, a period over 2 days needs a frequency of at least 1 hour) or an alert name/description format with
 * more than 3 parameters or a column the table does not have.
 */
export function buildRelayRule(options: BuildRelayRuleOptions = {}): RelayRuleDefinition {
  const table = relayTableName(options);
  const ruleId = relayRuleId(table, options.namespace ?? RELAY_RULE_NAMESPACE);
  const t = timing(options);
  const display = options.alertDisplayNameFormat ?? "{{IncidentTitle}} | {{AlertTitle}}";
  const description = options.alertDescriptionFormat ?? "{{AlertDescription}}";
  const issues = [
    ...formatIssues("alertDisplayNameFormat", display),
    ...formatIssues("alertDescriptionFormat", description),
  ];
  if (issues.length > 0) {
    throw new InvalidArgumentError(issues[0]!.path, describeIssues(issues), issues);
  }
  const properties = ruleProperties(options, table, t, { display, description });
  // The builder's output goes through the same checks as any rule a caller writes.
  const rule = validateAlertRule({ kind: options.nrt ? "NRT" : "Scheduled", properties });
  return {
    ruleId,
    apiVersion: options.nrt ? NRT_ALERT_RULE_API_VERSION : ALERT_RULES_API_VERSION,
    rule,
    tableName: table,
    columns: referencedColumns(rule),
  };
}
