/**
 * The alerts one rule run raises, as Graph alerts (alerts_v2) of the workspace's tenant: title, description
 * and severity from `alertDetailsOverride` ({{Column}} parameters; an empty or missing column falls back to
 * the rule's value), custom details from the rule's column mapping, evidence from its entity mappings,
 * `serviceSource: microsoftSentinel` and `detectionSource: scheduledAlerts` / `nrtAlerts`
 * (learn.microsoft.com/azure/sentinel/customize-alert-details, surface-custom-details-in-alerts).
 */
import type { GraphAlert } from "../types";
import type { RuleSpec, StoredAlertRule } from "./alertRuleTypes";
import { formatParameters } from "./alertRuleValidation";
import { type AlertEntity, entitiesOfRow, entityKey, evidenceOf } from "./entityEvidence";

/** Alerts per run with AlertPerResult: alerts 1–149 one result each, the 150th summarises the rest (Scheduled). */
export const SCHEDULED_ALERTS_PER_RUN = 150;
/** NRT rules raise at most 30 alerts per run. */
export const NRT_ALERTS_PER_RUN = 30;
/** Longest alert name an emulated analytics rule produces, 256 bytes; longer names are cut. */
export const MAX_ALERT_NAME_BYTES = 256;
/**
 * Longest alert description an emulated analytics rule produces, 5 KiB (5,120 bytes); longer descriptions are cut.
 */
export const MAX_ALERT_DESCRIPTION_BYTES = 5 * 1024;
/** Custom details per alert, cumulative (the smaller of the two documented limits). */
export const MAX_CUSTOM_DETAILS_BYTES = 2 * 1024;
export const MAX_ENTITIES_PER_ALERT = 500;

/** Where a rule's custom details appear on the Graph alert (which one Graph uses is not documented). */
export type CustomDetailsLocation = "customDetails" | "additionalData" | "both";

/** A Graph alert raised by an analytics rule (customDetails and additionalData are Graph dictionaries). */
export interface RuleAlert extends GraphAlert {
  customDetails: Record<string, string>;
  additionalData: Record<string, unknown>;
}

export interface BuiltAlert {
  alert: RuleAlert;
  /** Custom detail values (several for a summary alert). */
  details: Record<string, string[]>;
  entities: AlertEntity[];
  /** Result rows this alert stands for (more than one for a summary or SingleAlert alert). */
  rowCount: number;
  summary: boolean;
  /** `#DONT_CORR#` rule: never correlated (merged) with other incidents. */
  excludedFromCorrelation: boolean;
}

export interface BuildContext {
  rule: StoredAlertRule;
  spec: RuleSpec;
  tenantId: string;
  /** Run time, 7-digit UTC (the alerts' createdDateTime). */
  createdDateTime: string;
  customDetailsIn: CustomDetailsLocation;
  /** `#DONT_CORR#` / `#INC_CORR#` aside, are analytics rules excluded from correlation? */
  excludeByDefault: boolean;
  newGuid(): string;
}

type Row = Record<string, unknown>;
const text = (v: unknown) =>
  v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);

function cutBytes(s: string, max: number): string {
  const b = Buffer.from(s, "utf8");
  if (b.length <= max) return s;
  return b
    .subarray(0, max)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
}

/** `format` with its {{Column}} parameters filled from `row`; undefined when a column is empty or missing. */
export function fillFormat(format: string | undefined, row: Row): string | undefined {
  if (format === undefined) return undefined;
  const params = formatParameters(format);
  if (params.some((c) => text(row[c]).trim() === "")) return undefined;
  return format.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (_m, c: string) => text(row[c]));
}

const SEVERITIES: Record<string, string> = {
  high: "high",
  medium: "medium",
  low: "low",
  informational: "informational",
};

function detailValues(spec: RuleSpec, rows: Row[]): Record<string, string[]> {
  let budget = MAX_CUSTOM_DETAILS_BYTES;
  const out: Record<string, string[]> = {};
  for (const [key, columnName] of Object.entries(spec.customDetails)) {
    const values = [...new Set(rows.map((r) => text(r[columnName])).filter((v) => v !== ""))].map((v) => {
      const kept = cutBytes(v, Math.max(0, budget));
      budget -= Buffer.byteLength(kept, "utf8");
      return kept;
    });
    if (values.length > 0) out[key] = values;
  }
  return out;
}

function entitiesOf(spec: RuleSpec, rows: Row[]): AlertEntity[] {
  const seen = new Map<string, AlertEntity>();
  for (const row of rows) for (const e of entitiesOfRow(spec.entityMappings, row)) seen.set(entityKey(e), e);
  return [...seen.values()].slice(0, MAX_ENTITIES_PER_ALERT);
}

function activityRange(rows: Row[], fallback: string): [string, string] {
  const times = rows.map((r) => Date.parse(text(r.TimeGenerated))).filter((t) => !Number.isNaN(t));
  if (times.length === 0) return [fallback, fallback];
  const fmt = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}0000Z`;
  return [fmt(Math.min(...times)), fmt(Math.max(...times))];
}

function dynamicProperties(spec: RuleSpec, row: Row) {
  const out: {
    productName?: string;
    recommendedActions?: string;
    techniques?: string[];
    extra: Record<string, string>;
  } = { extra: {} };
  for (const d of spec.alertDetailsOverride?.alertDynamicProperties ?? []) {
    const value = text(row[d.value]).trim();
    if (value === "") continue;
    if (d.alertProperty === "ProductName") out.productName = value;
    else if (d.alertProperty === "RemediationSteps") out.recommendedActions = value;
    else if (d.alertProperty === "Techniques")
      out.techniques = value
        .replace(/[[\]"]/g, "")
        .split(/\s*,\s*/)
        .filter(Boolean);
    else out.extra[d.alertProperty] = value;
  }
  return out;
}

function placeDetails(details: Record<string, string[]>, where: CustomDetailsLocation) {
  const single = Object.fromEntries(
    Object.entries(details).map(([k, v]) => [k, v.length === 1 ? v[0]! : JSON.stringify(v)]),
  );
  return {
    customDetails: where === "additionalData" ? {} : single,
    additionalData: where === "customDetails" ? {} : structuredClone(details),
  };
}

/** Name, description, severity and tactics of an alert: the override's columns, else the rule's values. */
function headline(spec: RuleSpec, first: Row) {
  const o = spec.alertDetailsOverride;
  const severityColumn = o?.alertSeverityColumnName ? text(first[o.alertSeverityColumnName]) : "";
  return {
    title: cutBytes(fillFormat(o?.alertDisplayNameFormat, first) ?? spec.displayName, MAX_ALERT_NAME_BYTES),
    description: cutBytes(
      fillFormat(o?.alertDescriptionFormat, first) ?? spec.description,
      MAX_ALERT_DESCRIPTION_BYTES,
    ),
    severity: SEVERITIES[severityColumn.toLowerCase()] ?? spec.severity.toLowerCase(),
    tactics: o?.alertTacticsColumnName
      ? text(first[o.alertTacticsColumnName])
          .split(/\s*,\s*/)
          .filter(Boolean)
      : spec.tactics,
  };
}

/** `#DONT_CORR#` first in the rule description excludes its alerts; `#INC_CORR#` includes them. */
function excludedFromCorrelation(spec: RuleSpec, excludeByDefault: boolean): boolean {
  const d = spec.description.trimStart();
  return d.startsWith("#DONT_CORR#") || (excludeByDefault && !d.startsWith("#INC_CORR#"));
}

/** One alert standing for `rows` (one row, or several for a summary / SingleAlert). */
export function buildAlert(ctx: BuildContext, rows: Row[], summary: boolean): BuiltAlert {
  const { spec } = ctx;
  const first = rows[0] ?? {};
  const { title, description, severity, tactics } = headline(spec, first);
  const details = detailValues(spec, rows);
  const entities = entitiesOf(spec, rows);
  const dynamic = dynamicProperties(spec, first);
  const guid = ctx.newGuid();
  const id = `sn${guid}`;
  const [firstActivity, lastActivity] = activityRange(rows, ctx.createdDateTime);
  const excluded = excludedFromCorrelation(spec, ctx.excludeByDefault);
  const placed = placeDetails(details, ctx.customDetailsIn);
  const alert: RuleAlert = {
    "@odata.type": "#microsoft.graph.security.alert",
    id,
    providerAlertId: guid,
    incidentId: "",
    status: "new",
    severity,
    classification: null,
    determination: null,
    serviceSource: "microsoftSentinel",
    detectionSource: spec.kind === "NRT" ? "nrtAlerts" : "scheduledAlerts",
    productName: dynamic.productName ?? "Microsoft Sentinel",
    detectorId: ctx.rule.name,
    tenantId: ctx.tenantId,
    title,
    description,
    recommendedActions: dynamic.recommendedActions ?? "",
    category: tactics[0] ?? "",
    assignedTo: null,
    alertWebUrl: `https://security.microsoft.com/alerts/${id}?tid=${ctx.tenantId}`,
    incidentWebUrl: "",
    actorDisplayName: null,
    threatDisplayName: null,
    threatFamilyName: null,
    mitreTechniques: dynamic.techniques ?? [...spec.techniques],
    createdDateTime: ctx.createdDateTime,
    lastUpdateDateTime: ctx.createdDateTime,
    resolvedDateTime: null,
    firstActivityDateTime: firstActivity,
    lastActivityDateTime: lastActivity,
    investigationState: "unknown",
    alertPolicyId: null,
    systemTags: [],
    comments: [],
    evidence: entities.map((e) => evidenceOf(e, ctx.createdDateTime)),
    customDetails: placed.customDetails,
    additionalData: { ...placed.additionalData, ...dynamic.extra },
  };
  return { alert, details, entities, rowCount: rows.length, summary, excludedFromCorrelation: excluded };
}

/** The alerts of one run over its result rows (after the trigger threshold). */
export function buildRunAlerts(ctx: BuildContext, results: Row[]): BuiltAlert[] {
  if (results.length === 0) return [];
  if (ctx.spec.aggregationKind === "SingleAlert") return [buildAlert(ctx, results, results.length > 1)];
  const cap = ctx.spec.kind === "NRT" ? NRT_ALERTS_PER_RUN : SCHEDULED_ALERTS_PER_RUN;
  if (results.length <= cap) return results.map((r) => buildAlert(ctx, [r], false));
  return [
    ...results.slice(0, cap - 1).map((r) => buildAlert(ctx, [r], false)),
    buildAlert(ctx, results.slice(cap - 1), true),
  ];
}
