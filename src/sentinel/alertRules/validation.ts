/** Client-side validation of an analytics rule before it is sent: the service's documented limits. */
import type { z } from "zod";
import { InvalidArgumentError, type ValidationIssue } from "../../core/errors";
import { describeIssues, prefixIssues, zodIssues } from "../../core/validationIssues";
import { parseIsoDuration } from "./duration";
import { ALERT_RULE_LIMITS } from "./limits";
import {
  type AlertRuleWrite,
  nrtAlertRuleWritePropertiesSchema,
  type queryRuleWriteShape,
  type ScheduledAlertRuleWriteProperties,
  scheduledAlertRuleWritePropertiesSchema,
} from "./writeSchemas";

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
