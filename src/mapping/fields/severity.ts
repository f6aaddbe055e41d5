/**
 * Severity field: Defender `severity` ⇄ canonical `severity` ⇄ Sentinel `severity`. Sentinel has no "unknown",
 * so canonical `unknown` and `informational` compare equal.
 */
import type {
  DefenderReadContext,
  DefenderRenderContext,
  SentinelReadContext,
  SentinelRenderContext,
} from "../mapper";
import type { SeverityMapper } from "../severity";
import { renderDefenderEnum, renderSentinelEnum } from "./enumField";
import { type Composed, type FieldEquality, incidentString, invoke } from "./kit";

export const read = {
  fromDefender: (c: Composed<SeverityMapper>, ctx: DefenderReadContext) =>
    invoke(c, "fromDefender", "severity", incidentString(ctx.incident, "severity"), ctx),
  fromSentinel: (c: Composed<SeverityMapper>, ctx: SentinelReadContext) =>
    invoke(c, "fromSentinel", "severity", incidentString(ctx.incident, "severity"), ctx),
};

export const render = {
  toSentinel: (c: Composed<SeverityMapper>, ctx: SentinelRenderContext) =>
    renderSentinelEnum(c, ctx, "severity"),
  toDefender: (c: Composed<SeverityMapper>, ctx: DefenderRenderContext) =>
    renderDefenderEnum(c, ctx, "severity"),
};

export const equals: FieldEquality<"severity"> = {
  severity: (a, b) =>
    a.severity === b.severity ||
    (a.severity === "unknown" && b.severity === "informational") ||
    (a.severity === "informational" && b.severity === "unknown"),
};
