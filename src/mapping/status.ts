/**
 * Status: Defender `incidentStatus` ⇄ canonical `new | active | closed` ⇄ Sentinel `New | Active | Closed`.
 *
 * Defender `active` means "open, nobody on it yet", which is Sentinel `New` (the built-in connector maps it the
 * same way); `inProgress` is Sentinel `Active`. Writing back, canonical `active` becomes `inProgress`, except that
 * a Defender status that already maps to the target (e.g. `awaitingAction` for active, `redirected` for closed) is
 * left alone.
 */
import type { incidentStatusValues } from "../defender/models";
import type { sentinelStatusValues } from "../sentinel/models";
import type { CanonicalStatus } from "./canonical";
import type {
  DefenderReadContext,
  DefenderRenderContext,
  SentinelReadContext,
  SentinelRenderContext,
} from "./mapper";
import { createEnumLookup, type EnumRow, mapEnum } from "./table";

/** A Defender `incidentStatus` member: `active`, `inProgress`, `resolved`, `redirected`, `awaitingAction`, ... */
export type DefenderStatusValue = (typeof incidentStatusValues)[number];
/** A Sentinel `IncidentStatus` value: `New`, `Active` or `Closed`. */
export type SentinelStatusValue = (typeof sentinelStatusValues)[number];

/** Defender `status` → canonical. A missing status is `new` (no warning). */
export const defenderToCanonicalStatusRows: readonly EnumRow<DefenderStatusValue, CanonicalStatus>[] = [
  { from: "active", to: "new" },
  { from: "inProgress", to: "active" },
  {
    from: "awaitingAction",
    to: "active",
    lossy: "Defender Experts' awaiting-action state; written back as inProgress only if it changes",
  },
  { from: "resolved", to: "closed" },
  {
    from: "redirected",
    to: "closed",
    lossy:
      "merged into another incident: Sentinel gets the system label 'Redirected', redirectTarget keeps the target",
  },
  {
    from: "unknownFutureValue",
    to: "active",
    lossy: "a newer member hidden by Graph; treated as open",
    unknown: true,
  },
  { from: "*", to: "active", lossy: "unrecognized status; treated as open", unknown: true },
];

/** Canonical → Sentinel `status` (required on every PUT). */
export const canonicalToSentinelStatusRows: readonly EnumRow<CanonicalStatus, SentinelStatusValue>[] = [
  { from: "new", to: "New" },
  { from: "active", to: "Active" },
  { from: "closed", to: "Closed" },
];

/** Sentinel `status` → canonical. */
export const sentinelToCanonicalStatusRows: readonly EnumRow<SentinelStatusValue, CanonicalStatus>[] = [
  { from: "New", to: "new" },
  { from: "Active", to: "active" },
  { from: "Closed", to: "closed" },
  { from: "*", to: "active", lossy: "unrecognized status; treated as open", unknown: true },
];

/**
 * Canonical → Defender PATCH `status`. `inProgress` is in the Graph enum but the update docs only show `active`,
 * `resolved` and `redirected`: writing `inProgress` is UNVERIFIED.
 */
export const canonicalToDefenderStatusRows: readonly EnumRow<CanonicalStatus, DefenderStatusValue>[] = [
  { from: "new", to: "active" },
  { from: "active", to: "inProgress" },
  { from: "closed", to: "resolved" },
];

/** The status mapper group; override any function through `createMappingProfile({ status })`. */
export interface StatusMapper {
  fromDefender(value: string | null | undefined, ctx: DefenderReadContext): CanonicalStatus;
  fromSentinel(value: string | null | undefined, ctx: SentinelReadContext): CanonicalStatus;
  toSentinel(value: CanonicalStatus, ctx: SentinelRenderContext): SentinelStatusValue;
  /** `undefined`: leave Defender's status as it is. */
  toDefender(value: CanonicalStatus, ctx: DefenderRenderContext): DefenderStatusValue | undefined;
}

const fromDefender = createEnumLookup(defenderToCanonicalStatusRows);
const toSentinel = createEnumLookup(canonicalToSentinelStatusRows);
const fromSentinel = createEnumLookup(sentinelToCanonicalStatusRows);
const toDefender = createEnumLookup(canonicalToDefenderStatusRows);

export const defaultStatusMapper: StatusMapper = {
  fromDefender: (value, ctx) =>
    typeof value === "string" ? (mapEnum(fromDefender, value, "status", ctx.warn)?.to ?? "active") : "new",
  fromSentinel: (value, ctx) =>
    typeof value === "string" ? (mapEnum(fromSentinel, value, "status", ctx.warn)?.to ?? "active") : "new",
  toSentinel: (value, ctx) => mapEnum(toSentinel, value, "status", ctx.warn)?.to ?? "Active",
  toDefender: (value, ctx) => {
    // A Defender status that already means the target (awaitingAction ≙ active, redirected ≙ closed) is kept.
    if (ctx.currentCanonical !== undefined && ctx.currentCanonical.status === value) return undefined;
    return mapEnum(toDefender, value, "status", ctx.warn)?.to;
  },
};
