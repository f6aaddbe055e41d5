/**
 * Status field: Defender `status` ⇄ canonical `new | active | closed` ⇄ Sentinel `status`. A closed status is
 * what carries the closing attributes (classification, detail, closing comment).
 */
import type {
  DefenderReadContext,
  DefenderRenderContext,
  SentinelReadContext,
  SentinelRenderContext,
} from "../mapper";
import type { StatusMapper } from "../status";
import { renderDefenderEnum, renderSentinelEnum } from "./enumField";
import { type Composed, type FieldEquality, incidentString, invoke } from "./kit";

export const read = {
  fromDefender: (c: Composed<StatusMapper>, ctx: DefenderReadContext) =>
    invoke(c, "fromDefender", "status", incidentString(ctx.incident, "status"), ctx),
  fromSentinel: (c: Composed<StatusMapper>, ctx: SentinelReadContext) =>
    invoke(c, "fromSentinel", "status", incidentString(ctx.incident, "status"), ctx),
};

export const render = {
  toSentinel: (c: Composed<StatusMapper>, ctx: SentinelRenderContext) => renderSentinelEnum(c, ctx, "status"),
  toDefender: (c: Composed<StatusMapper>, ctx: DefenderRenderContext) => renderDefenderEnum(c, ctx, "status"),
};

export const equals: FieldEquality<"status"> = {
  status: (a, b) => a.status === b.status,
};
