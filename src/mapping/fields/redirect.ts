/**
 * Redirect field: Defender `redirectIncidentId` → canonical `redirectTarget`. It only flows Defender → Sentinel,
 * as the "Redirected" system label (rendered by the tags field): Sentinel has no such field and Graph does not
 * let it be written.
 */
import type { DefenderReadContext, DefenderRenderContext } from "../mapper";
import type { WarningSink } from "../result";
import { cleanOptional, type FieldEquality, incidentString } from "./kit";

export const read = {
  fromDefender: (ctx: DefenderReadContext): string | undefined =>
    incidentString(ctx.incident, "redirectIncidentId"),
  fromSentinel: (): string | undefined => undefined,
  normalize: (raw: string | undefined, warn: WarningSink): string | undefined =>
    cleanOptional(raw, "redirectTarget", warn)?.trim(),
};

export const render = {
  /** Nothing is written; a caller asking for a new target gets told. */
  toDefender(ctx: DefenderRenderContext): Record<string, never> {
    const target = ctx.changes.redirectTarget;
    if (target !== undefined && target !== ctx.currentCanonical?.redirectTarget) {
      ctx.warn({
        field: "redirectTarget",
        kind: "dropped",
        message: "redirectIncidentId is read-only in Graph",
      });
    }
    return {};
  },
};

export const equals: FieldEquality<"redirectTarget"> = {
  redirectTarget: (a, b) => a.redirectTarget === b.redirectTarget,
};
