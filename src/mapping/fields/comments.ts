/**
 * Comment texts copied between the sides (not an incident field): never empty, cleaned, within the side's limit.
 */
import type { CommentMapper, DefenderCommentMeta, SentinelCommentMeta } from "../comments";
import { asRecord } from "../guards";
import type { MapperContextBase } from "../mapper";
import { sanitizeText } from "../text";
import { asMapperError, type Composed, clean, cut, fail, mapperName } from "./kit";

function renderComment(
  c: Composed<CommentMapper>,
  fn: "toSentinel" | "toDefender",
  text: string,
  meta: SentinelCommentMeta | DefenderCommentMeta,
  max: number,
  ctx: MapperContextBase,
): string {
  const name = mapperName(c, fn);
  try {
    if (typeof text !== "string") fail("comment", name, "comment text is not a string");
    if (sanitizeText(text).text.trim() === "") fail("comment", name, "comment text is empty");
    const mapper = c.mapper[fn] as (t: string, m: unknown, x: MapperContextBase) => unknown;
    const out = mapper(text, asRecord(meta) ?? {}, ctx);
    if (typeof out !== "string") fail("comment", name, "returned something other than a string");
    const cleaned = clean(out, "comment", ctx.warn);
    if (cleaned.trim() === "") fail("comment", name, "returned an empty comment");
    return cut(cleaned, max, "comment", ctx.warn);
  } catch (e) {
    throw asMapperError(e, "comment", name);
  }
}

export const render = {
  toSentinel: (c: Composed<CommentMapper>, text: string, meta: SentinelCommentMeta, ctx: MapperContextBase) =>
    renderComment(c, "toSentinel", text, meta, ctx.limits.sentinelCommentMaxLength, ctx),
  toDefender: (c: Composed<CommentMapper>, text: string, meta: DefenderCommentMeta, ctx: MapperContextBase) =>
    renderComment(c, "toDefender", text, meta, ctx.limits.defenderCommentMaxLength, ctx),
};
