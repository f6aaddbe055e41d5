/**
 * Closing comment: Defender `resolvingComment` ⇄ canonical ⇄ Sentinel `classificationComment`. Like the
 * classification, it is a closing attribute: canonical form only carries it for closed incidents.
 */
import type {
  DefenderReadContext,
  DefenderRenderContext,
  SentinelReadContext,
  SentinelRenderContext,
} from "./mapper";

/** The closing-comment mapper group; override any function through `createMappingProfile({ closingComment })`. */
export interface ClosingCommentMapper {
  fromDefender(value: string | null | undefined, ctx: DefenderReadContext): string | undefined;
  fromSentinel(value: string | null | undefined, ctx: SentinelReadContext): string | undefined;
  /** Only called for closed incidents; `undefined` sends no classificationComment. */
  toSentinel(value: string | undefined, ctx: SentinelRenderContext): string | undefined;
  /** Only called when the incident is (or becomes) closed; `undefined` leaves Defender's comment alone. */
  toDefender(value: string | undefined, ctx: DefenderRenderContext): string | undefined;
}

const text = (value: string | null | undefined): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value : undefined;

export const defaultClosingCommentMapper: ClosingCommentMapper = {
  fromDefender: (value) => text(value),
  fromSentinel: (value) => text(value),
  toSentinel: (value) => value,
  toDefender: (value, ctx) => {
    if (value === undefined && ctx.currentCanonical?.closingComment !== undefined) {
      // Clearing Defender's resolving comment is not worth the risk of erasing an analyst's text.
      ctx.warn({
        field: "closingComment",
        kind: "dropped",
        message: "A removed closing comment is not cleared in Defender",
      });
    }
    return value;
  },
};
