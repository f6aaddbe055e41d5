/**
 * Title field: Defender `displayName` ⇄ canonical `title` ⇄ Sentinel `title` (cleaned, never empty, within
 * `limits.titleMaxLength`).
 */
import type { SentinelIncidentWriteProperties } from "../../sentinel/models";
import { textEqualsAllowingTruncation } from "../limits";
import type {
  DefenderReadContext,
  DefenderRenderContext,
  SentinelReadContext,
  SentinelRenderContext,
} from "../mapper";
import type { WarningSink } from "../result";
import type { TitleMapper } from "../title";
import {
  type Composed,
  check,
  clean,
  cut,
  type FieldEquality,
  fail,
  incidentString,
  invoke,
  mapperName,
  renderDefenderText,
  writeShape,
} from "./kit";

export const read = {
  fromDefender: (c: Composed<TitleMapper>, ctx: DefenderReadContext): string =>
    invoke(c, "fromDefender", "title", incidentString(ctx.incident, "displayName"), ctx),
  fromSentinel: (c: Composed<TitleMapper>, ctx: SentinelReadContext): string =>
    invoke(c, "fromSentinel", "title", incidentString(ctx.incident, "title"), ctx),
  /** Cleaned and trimmed; a Defender incident left without a title gets `fallback()` (with a warning). */
  normalize(raw: string, side: "defender" | "sentinel", warn: WarningSink, fallback: () => string): string {
    const title = clean(raw, "title", warn).trim();
    if (title !== "" || side !== "defender") return title;
    const replacement = fallback();
    warn({ field: "title", kind: "lossy", message: `No usable title; using "${replacement}"` });
    return replacement;
  },
};

export const render = {
  toSentinel(
    c: Composed<TitleMapper>,
    ctx: SentinelRenderContext,
  ): Pick<SentinelIncidentWriteProperties, "title"> {
    const name = mapperName(c, "toSentinel");
    const out = check(
      writeShape.title,
      invoke(c, "toSentinel", "title", ctx.canonical.title, ctx),
      "title",
      name,
    );
    const title = clean(out, "title", ctx.warn).trim();
    if (title === "") fail("title", name, "returned an empty title");
    return { title: cut(title, ctx.limits.titleMaxLength, "title", ctx.warn) };
  },
  toDefender: (c: Composed<TitleMapper>, ctx: DefenderRenderContext) =>
    renderDefenderText(c, ctx, "title", "displayName"),
};

export const equals: FieldEquality<"title"> = {
  title: (a, b) => textEqualsAllowingTruncation(a.title, b.title),
};
