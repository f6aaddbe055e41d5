/**
 * Closing comment field: Defender `resolvingComment` ⇄ canonical `closingComment` ⇄ Sentinel
 * `classificationComment`. A closing attribute, like the classification.
 */
import type { DefenderIncidentPatch } from "../../defender/models";
import type { SentinelIncidentWriteProperties } from "../../sentinel/models";
import type { ClosingCommentMapper } from "../closingComment";
import { isTruncated, textEqualsAllowingTruncation } from "../limits";
import type {
  DefenderReadContext,
  DefenderRenderContext,
  SentinelReadContext,
  SentinelRenderContext,
} from "../mapper";
import type { WarningSink } from "../result";
import {
  type Composed,
  check,
  clean,
  cleanOptional,
  cut,
  droppedTruncated,
  type FieldEquality,
  incidentString,
  invoke,
  mapperName,
  patchShape,
  writeShape,
} from "./kit";

export const read = {
  fromDefender: (c: Composed<ClosingCommentMapper>, ctx: DefenderReadContext) =>
    invoke(c, "fromDefender", "closingComment", incidentString(ctx.incident, "resolvingComment"), ctx),
  fromSentinel: (c: Composed<ClosingCommentMapper>, ctx: SentinelReadContext) =>
    invoke(c, "fromSentinel", "closingComment", incidentString(ctx.incident, "classificationComment"), ctx),
  /** Only closed incidents carry a closing comment. */
  normalize: (raw: string | undefined, closed: boolean, warn: WarningSink): string | undefined =>
    closed ? cleanOptional(raw, "closingComment", warn) : undefined,
};

type SentinelCommentPart = Pick<SentinelIncidentWriteProperties, "classificationComment">;

/** Only called for a closed incident. A blank comment is not sent. */
function toSentinel(c: Composed<ClosingCommentMapper>, ctx: SentinelRenderContext): SentinelCommentPart {
  const out = invoke(c, "toSentinel", "closingComment", ctx.canonical.closingComment, ctx);
  if (out === undefined) return {};
  const name = mapperName(c, "toSentinel");
  const text = check(writeShape.classificationComment.unwrap(), out, "classificationComment", name);
  const cleaned = clean(text, "closingComment", ctx.warn);
  if (cleaned.trim() === "") return {};
  return {
    classificationComment: cut(
      cleaned,
      ctx.limits.classificationCommentMaxLength,
      "closingComment",
      ctx.warn,
    ),
  };
}

/** Only called when the incident is or becomes closed, and only when `changes` names the closing comment. */
function toDefender(
  c: Composed<ClosingCommentMapper>,
  ctx: DefenderRenderContext,
): Pick<DefenderIncidentPatch, "resolvingComment"> {
  if (!Object.hasOwn(ctx.changes, "closingComment")) return {};
  const value = ctx.changes.closingComment;
  if (value !== undefined && isTruncated(value)) {
    droppedTruncated("closingComment", ctx.warn);
    return {};
  }
  const out = invoke(c, "toDefender", "closingComment", value, ctx);
  if (out === undefined) return {};
  const v = check(patchShape.resolvingComment.unwrap(), out, "closingComment", mapperName(c, "toDefender"));
  return v === incidentString(ctx.current, "resolvingComment") ? {} : { resolvingComment: v };
}

export const render = { toSentinel, toDefender };

export const equals: FieldEquality<"closingComment"> = {
  closingComment: ({ closingComment: a }, { closingComment: b }) =>
    a === undefined || b === undefined ? a === b : textEqualsAllowingTruncation(a, b),
};
