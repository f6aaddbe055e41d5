/**
 * Severity: Defender `alertSeverity` (camelCase) ⇄ canonical ⇄ Sentinel `IncidentSeverity` (PascalCase).
 *
 * Defender `unknown` has no Sentinel value: it is sent as `Informational` (lossy, warned), and canonical
 * comparison treats `unknown` and `informational` as equal so that it never comes back. A Sentinel severity is
 * never written to Defender as `unknown`.
 */
import type { alertSeverityValues } from "../defender/models";
import type { sentinelSeverityValues } from "../sentinel/models";
import type { CanonicalSeverity } from "./canonical";
import type {
  DefenderReadContext,
  DefenderRenderContext,
  SentinelReadContext,
  SentinelRenderContext,
} from "./mapper";
import { createEnumLookup, type EnumRow, mapEnum } from "./table";

/** A Defender `alertSeverity` member: `unknown`, `informational`, `low`, `medium`, `high` or `unknownFutureValue`. */
export type DefenderSeverityValue = (typeof alertSeverityValues)[number];
/** A Sentinel `IncidentSeverity` value: `Informational`, `Low`, `Medium` or `High`. */
export type SentinelSeverityValue = (typeof sentinelSeverityValues)[number];

/** Defender `severity` → canonical. A missing severity is `unknown` (no warning). */
export const defenderToCanonicalSeverityRows: readonly EnumRow<DefenderSeverityValue, CanonicalSeverity>[] = [
  { from: "unknown", to: "unknown" },
  { from: "informational", to: "informational" },
  { from: "low", to: "low" },
  { from: "medium", to: "medium" },
  { from: "high", to: "high" },
  {
    from: "unknownFutureValue",
    to: "unknown",
    lossy: "a newer member hidden by Graph (send Prefer: include-unknown-enum-members)",
    unknown: true,
  },
  { from: "*", to: "unknown", lossy: "unrecognized severity", unknown: true },
];

/** Canonical → Sentinel `severity` (required on every PUT). */
export const canonicalToSentinelSeverityRows: readonly EnumRow<CanonicalSeverity, SentinelSeverityValue>[] = [
  {
    from: "unknown",
    to: "Informational",
    lossy:
      "Sentinel has no unknown severity; unknown and informational compare equal, so it is never written back",
  },
  { from: "informational", to: "Informational" },
  { from: "low", to: "Low" },
  { from: "medium", to: "Medium" },
  { from: "high", to: "High" },
];

/** Sentinel `severity` → canonical. */
export const sentinelToCanonicalSeverityRows: readonly EnumRow<SentinelSeverityValue, CanonicalSeverity>[] = [
  { from: "Informational", to: "informational" },
  { from: "Low", to: "low" },
  { from: "Medium", to: "medium" },
  { from: "High", to: "high" },
  { from: "*", to: "unknown", lossy: "unrecognized severity; never written to Defender", unknown: true },
];

/** Canonical → Defender PATCH `severity`; `undefined` means "do not write". */
export const canonicalToDefenderSeverityRows: readonly EnumRow<
  CanonicalSeverity,
  DefenderSeverityValue | undefined
>[] = [
  { from: "unknown", to: undefined, lossy: "a Sentinel severity is never written to Defender as unknown" },
  { from: "informational", to: "informational" },
  { from: "low", to: "low" },
  { from: "medium", to: "medium" },
  { from: "high", to: "high" },
];

/** The severity mapper group; override any function through `createMappingProfile({ severity })`. */
export interface SeverityMapper {
  fromDefender(value: string | null | undefined, ctx: DefenderReadContext): CanonicalSeverity;
  fromSentinel(value: string | null | undefined, ctx: SentinelReadContext): CanonicalSeverity;
  toSentinel(value: CanonicalSeverity, ctx: SentinelRenderContext): SentinelSeverityValue;
  /** `undefined`: leave Defender's severity as it is. */
  toDefender(value: CanonicalSeverity, ctx: DefenderRenderContext): DefenderSeverityValue | undefined;
}

const fromDefender = createEnumLookup(defenderToCanonicalSeverityRows);
const toSentinel = createEnumLookup(canonicalToSentinelSeverityRows);
const fromSentinel = createEnumLookup(sentinelToCanonicalSeverityRows);
const toDefender = createEnumLookup(canonicalToDefenderSeverityRows);

export const defaultSeverityMapper: SeverityMapper = {
  fromDefender: (value, ctx) =>
    typeof value === "string"
      ? (mapEnum(fromDefender, value, "severity", ctx.warn)?.to ?? "unknown")
      : "unknown",
  fromSentinel: (value, ctx) =>
    typeof value === "string"
      ? (mapEnum(fromSentinel, value, "severity", ctx.warn)?.to ?? "unknown")
      : "unknown",
  toSentinel: (value, ctx) => mapEnum(toSentinel, value, "severity", ctx.warn)?.to ?? "Informational",
  toDefender: (value, ctx) => {
    if (value === "unknown") {
      ctx.warn({
        field: "severity",
        kind: "dropped",
        message: "Severity unknown is never written to Defender",
      });
      return undefined;
    }
    return mapEnum(toDefender, value, "severity", ctx.warn)?.to;
  },
};
