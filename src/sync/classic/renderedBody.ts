import type { SentinelIncident, SentinelIncidentWriteProperties } from "../../sentinel/models";

/**
 * Whether the body we would PUT differs from what Sentinel shows, on the properties we render. This compares
 * wire values (rendered descriptions, activity times), not canonical fields: it decides whether the Defender
 * context of our own copy needs a refresh, which the canonical comparison cannot see.
 */
export function renderedBodyDiffers(
  body: SentinelIncidentWriteProperties,
  current: SentinelIncident,
): boolean {
  const have = current.properties as Record<string, unknown>;
  return Object.entries(body).some(([key, value]) => !sameWireValue(key, value, have[key]));
}

function sameWireValue(key: string, value: unknown, have: unknown): boolean {
  if (key === "labels") return labelNames(value) === labelNames(have);
  if (key === "owner") return ownerKey(value) === ownerKey(have);
  if (key === "firstActivityTimeUtc" || key === "lastActivityTimeUtc")
    return instant(value) === instant(have);
  return JSON.stringify(value ?? null) === JSON.stringify(have ?? null);
}

function labelNames(value: unknown): string {
  const labels = (value as { labelName: string }[] | undefined) ?? [];
  return JSON.stringify(labels.map((l) => l.labelName).sort());
}

function ownerKey(value: unknown): string {
  const owner = (value ?? {}) as Record<string, unknown>;
  return String(owner.userPrincipalName ?? owner.email ?? owner.objectId ?? "").toLowerCase();
}

function instant(value: unknown): number | undefined {
  return value ? Date.parse(String(value)) : undefined;
}
