/**
 * One line saying why a synced change looks the way it does on the other side: the two services name the
 * same states differently, and some values have no counterpart (Sentinel has no determination, Defender no
 * classification reason).
 */

interface FieldChange {
  field: string;
  from?: unknown;
  to?: unknown;
}

type Direction = "defender-to-sentinel" | "sentinel-to-defender" | string;

/** Canonical classification → Defender `classification`, Sentinel `classification` + default reason. */
const CLASSIFICATIONS: Record<string, { defender: string; sentinel: string; reason?: string }> = {
  truePositive: { defender: "truePositive", sentinel: "TruePositive", reason: "SuspiciousActivity" },
  benignPositive: {
    defender: "informationalExpectedActivity",
    sentinel: "BenignPositive",
    reason: "SuspiciousButExpected",
  },
  falsePositive: { defender: "falsePositive", sentinel: "FalsePositive", reason: "InaccurateData" },
  undetermined: { defender: "unknown", sentinel: "Undetermined" },
};

/** Canonical status → Defender `status`, Sentinel `status`. */
const STATUSES: Record<string, { defender: string; sentinel: string }> = {
  new: { defender: "active", sentinel: "New" },
  active: { defender: "inProgress", sentinel: "Active" },
  closed: { defender: "resolved", sentinel: "Closed" },
};

function classificationWhy(direction: Direction, to: string): string | undefined {
  const c = CLASSIFICATIONS[to];
  if (!c) return undefined;
  if (direction === "sentinel-to-defender") {
    const determination =
      to === "undetermined"
        ? ""
        : "; Sentinel has no determination, so Defender gets `other` unless its own fits";
    return `Sentinel ${c.sentinel} is Defender ${c.defender}${determination}`;
  }
  const reason = c.reason
    ? ` with reason ${c.reason} (Sentinel requires one; the determination stays in Defender)`
    : "";
  return `Defender ${c.defender} is Sentinel ${c.sentinel}${reason}`;
}

function statusWhy(direction: Direction, to: string, redirected: boolean): string | undefined {
  const s = STATUSES[to];
  if (!s) return undefined;
  if (redirected) return "a merged (redirected) Defender incident closes its Sentinel copy";
  return direction === "sentinel-to-defender"
    ? `Sentinel ${s.sentinel} is Defender ${s.defender}`
    : `Defender ${s.defender} is Sentinel ${s.sentinel}`;
}

function severityWhy(direction: Direction, to: string): string | undefined {
  if (to === "unknown" && direction === "defender-to-sentinel") {
    return "Sentinel has no unknown severity, so it gets Informational (and it is never written back)";
  }
  return undefined;
}

/**
 * The reason for the most telling change of one `incident.updated` event, or undefined when the change
 * needs none (a title copied as is). `redirected` marks the close of a merged incident.
 */
export function explainChanges(
  direction: Direction,
  changes: readonly FieldChange[],
  redirected = false,
): string | undefined {
  const to = (field: string) => {
    const c = changes.find((x) => x.field === field);
    return c && typeof c.to === "string" ? c.to : undefined;
  };
  const classification = to("classification");
  const status = to("status");
  const parts = [
    status === undefined ? undefined : statusWhy(direction, status, redirected),
    classification === undefined ? undefined : classificationWhy(direction, classification),
  ].filter((p): p is string => p !== undefined);
  if (parts.length > 0) return parts.join("; ");
  const severity = to("severity");
  const severityReason = severity === undefined ? undefined : severityWhy(direction, severity);
  if (severityReason) return severityReason;
  if (changes.some((c) => c.field === "owner"))
    return "owners are matched by user principal name, lower-cased";
  if (changes.some((c) => c.field === "tags")) return "Defender tags are Sentinel labels of type User";
  return undefined;
}
