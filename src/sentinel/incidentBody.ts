/**
 * The `properties` of an incident PUT: what `createOrUpdateIncident` sends, checked before anything goes out.
 * Sentinel has no PATCH, so callers send back what they read; this module makes that round trip work.
 */
import { InvalidArgumentError, type ValidationIssue } from "../core/errors";
import { describeIssues, zodIssues } from "../core/validationIssues";
import {
  SENTINEL_LIMITS,
  type SentinelIncidentPutProperties,
  sentinelIncidentPutPropertiesSchema,
} from "./models";

/** Properties the service owns; dropped from a PUT body so GET → modify → PUT round trips just work. */
export const SENTINEL_READ_ONLY_PROPERTIES = [
  "incidentNumber",
  "incidentUrl",
  "createdTimeUtc",
  "lastModifiedTimeUtc",
  "additionalData",
  "relatedAnalyticRuleIds",
  "providerName",
  "providerIncidentId",
  "teamInformation",
] as const;

/**
 * Checks what the service would reject, before sending: required fields, closing rules, description length,
 * enum members spelled in the wrong case. Returns the body to send: read-only properties dropped, `null`
 * properties dropped (a GET's `null` means "not set", which a PUT says by leaving the property out), label types
 * dropped (the service decides them), everything else, including properties this package does not know, kept.
 */
export function validateIncidentProperties(properties: unknown): SentinelIncidentPutProperties {
  if (typeof properties !== "object" || properties === null || Array.isArray(properties)) {
    throw new InvalidArgumentError("properties", "must be an object");
  }
  const parsed = sentinelIncidentPutPropertiesSchema.safeParse(withoutServiceOwned(properties));
  const issues: ValidationIssue[] = parsed.success ? closingIssues(parsed.data) : zodIssues(parsed.error);
  if (issues.length > 0 || !parsed.success) {
    throw new InvalidArgumentError("properties", describeIssues(issues), issues);
  }
  return parsed.data;
}

function withoutServiceOwned(properties: object): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(properties)) {
    if (value === null || value === undefined) continue;
    if ((SENTINEL_READ_ONLY_PROPERTIES as readonly string[]).includes(key)) continue;
    copy[key] = value;
  }
  // `IncidentLabel.labelType` is read-only in the spec (User/AutoAssigned is decided by the service).
  if (Array.isArray(copy.labels)) {
    copy.labels = copy.labels.map((label: unknown) => {
      if (typeof label !== "object" || label === null) return label;
      const { labelType: _readOnly, ...rest } = label as Record<string, unknown>;
      return rest;
    });
  }
  return copy;
}

/** Rules the service applies beyond types: a title, a classification to close, a reason for BenignPositive. */
function closingIssues(p: SentinelIncidentPutProperties): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (p.title.trim() === "") issues.push({ path: "title", message: "must not be empty" });
  if (p.status === "Closed" && !p.classification) {
    issues.push({ path: "classification", message: "closing an incident requires a classification" });
  }
  if (p.classification === "BenignPositive" && !p.classificationReason) {
    issues.push({
      path: "classificationReason",
      message: "classification 'BenignPositive' must have classificationReason",
    });
  }
  if (p.description !== undefined && p.description.length > SENTINEL_LIMITS.maxDescriptionLength) {
    issues.push({ path: "description", message: "exceeds Sentinel's 5,000 characters" });
  }
  return issues;
}
