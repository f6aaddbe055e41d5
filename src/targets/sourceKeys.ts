import type { DefenderAlert, DefenderIncident } from "../defender/models";
import type { SourceKey } from "./incidentTarget";

/** Custom-detail keys the relay rule puts on every alert it raises. */
export const RELAY_DETAIL_KEYS = {
  tenantId: "SourceTenantId",
  incidentId: "SourceIncidentId",
  alertId: "SourceAlertId",
} as const;

/**
 * A custom detail's value: analytics rules surface custom details as string arrays (one per result row),
 * Graph may give a plain string or a JSON-encoded array. Anything else reads as absent.
 */
function detailValue(bag: unknown, key: string): string | undefined {
  if (typeof bag !== "object" || bag === null) return undefined;
  const entry = Object.entries(bag).find(([k]) => k.toLowerCase() === key.toLowerCase());
  let value: unknown = entry?.[1];
  if (typeof value === "string" && value.startsWith("[")) {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (Array.isArray(value)) value = value.find((v) => typeof v === "string" && v.trim() !== "");
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * Reads the relay keys of one alert. Which Graph dictionary carries a rule's custom details is not
 * documented, so `customDetails` is read first and `additionalData` (also its nested `customDetails`)
 * after it.
 */
export function sourceKeyOfAlert(alert: DefenderAlert): SourceKey | undefined {
  const raw = alert as unknown as Record<string, unknown>;
  const additional = raw.additionalData as Record<string, unknown> | null | undefined;
  const bags = [raw.customDetails, additional, additional?.customDetails, additional?.CustomDetails];
  const read = (key: string) => bags.map((b) => detailValue(b, key)).find((v) => v !== undefined);
  const tenantId = read(RELAY_DETAIL_KEYS.tenantId);
  const incidentId = read(RELAY_DETAIL_KEYS.incidentId);
  if (!tenantId || !incidentId) return undefined;
  const alertId = read(RELAY_DETAIL_KEYS.alertId);
  return alertId ? { tenantId, incidentId, alertId } : { tenantId, incidentId };
}

/** Distinct source incidents whose alerts a target incident carries, in alert order. */
export function sourceKeysOfIncident(incident: DefenderIncident): SourceKey[] {
  const seen = new Map<string, SourceKey>();
  for (const alert of incident.alerts ?? []) {
    const key = sourceKeyOfAlert(alert);
    if (!key) continue;
    const id = `${key.tenantId.toLowerCase()}/${key.incidentId}`;
    if (!seen.has(id)) seen.set(id, { tenantId: key.tenantId, incidentId: key.incidentId });
  }
  return [...seen.values()];
}
