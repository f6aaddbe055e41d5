/**
 * What reading a Defender payload tolerated instead of failing. The warnings of a parsed incident or alert are
 * kept beside it (a WeakMap), not on it, so the parsed object round-trips unchanged through JSON, spreads and
 * equality checks. `DefenderClient` forwards them through its `onWarning` channel.
 */
import type { WarningChannel } from "../core/warnings";

/** What kind of leniency reading a Defender payload applied instead of failing. */
export type DefenderParseWarningCode =
  /** An evidence item without `@odata.type`, of a type this package does not know, or malformed. */
  | "evidenceKeptGeneric"
  /** An alert of an incident that failed its schema: kept exactly as sent. */
  | "alertKeptRaw"
  /** A field of an alert read on its own (alerts_v2) had a bad value: kept as sent. */
  | "alertFieldKeptRaw"
  /** An incident field that neither the mapping nor the sync engine reads had a bad value: kept as sent. */
  | "incidentFieldKeptRaw"
  /** An enum value the data model does not list (yet): kept as sent. */
  | "enumValueUnknown";

/**
 * Something reading a Defender incident or alert tolerated instead of failing (an unknown evidence type, a bad field
 * value kept as sent, an unknown enum member), with where it was found.
 */
export interface DefenderParseWarning {
  code: DefenderParseWarningCode;
  message: string;
  /** Where, from the parsed object: `alerts.2.evidence.0`. */
  path: string;
  incidentId?: string;
  alertId?: string;
  /** For evidence: `noType`, `unknownType`, `malformed` or `notAnObject`. */
  reason?: string;
  /** The `@odata.type` of an evidence item, or the enum's name and the unknown value. */
  evidenceType?: string;
  enumName?: string;
  value?: string;
  /** The first few schema issues, for `malformed` and `alertKeptRaw`. */
  issues?: { path: string; message: string }[];
}

const store = new WeakMap<object, readonly DefenderParseWarning[]>();
const generic = new WeakSet<object>();

/** @internal Attaches the warnings of one parse to its result. */
export function setParseWarnings(parsed: unknown, warnings: readonly DefenderParseWarning[]): void {
  if (typeof parsed === "object" && parsed !== null && warnings.length > 0) store.set(parsed, warnings);
}

/**
 * The warnings recorded when `parsed` (an incident or alert returned by a Defender schema or `DefenderClient`)
 * was read: evidence kept generic, alerts kept raw, unknown enum values. Empty when there were none.
 */
export function parseWarningsOf(parsed: unknown): readonly DefenderParseWarning[] {
  return (typeof parsed === "object" && parsed !== null && store.get(parsed)) || [];
}

/** @internal Marks an evidence item kept generic, whatever its `@odata.type` says. */
export function markGenericEvidence(evidence: unknown): void {
  if (typeof evidence === "object" && evidence !== null) generic.add(evidence);
}

/**
 * True for an evidence item that was kept generic: of an unknown type, without a type, or malformed (then its
 * `@odata.type` may name a known type its fields do not match).
 */
export function isGenericEvidence(evidence: unknown): boolean {
  return typeof evidence === "object" && evidence !== null && generic.has(evidence);
}

/**
 * Emits the parse warnings of `parsed` on a client's warning channel. An unknown evidence type or enum value
 * says something about this package, not about one incident: each is announced once per client.
 */
export function forwardParseWarnings(channel: WarningChannel, parsed: unknown): void {
  for (const w of parseWarningsOf(parsed)) {
    const { code, message, ...detail } = w;
    const warning = { code, message, service: "defender" as const, detail };
    if (code === "enumValueUnknown") channel.emitOnce(`${code}:${w.enumName}:${w.value}`, warning);
    else if (w.reason === "unknownType") channel.emitOnce(`${code}:unknownType:${w.evidenceType}`, warning);
    else channel.emit(warning);
  }
}
