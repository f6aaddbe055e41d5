/** The service's documented limits and api-versions of analytics rules. */
import { DAY_MS, HOUR_MS, MINUTE_MS } from "./duration";

/** Stable api-version of the alert rules API. */
export const ALERT_RULES_API_VERSION = "2025-09-01";
/** Preview api-version used for NRT rules (the stable api-version has no NRT kind). */
export const NRT_ALERT_RULE_API_VERSION = "2025-07-01-preview";

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
