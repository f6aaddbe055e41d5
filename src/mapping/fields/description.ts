/**
 * Description field: Defender `description` ⇄ canonical `description` ⇄ Sentinel `description`, where the
 * Sentinel copy carries the sections this package appends (link, alert summary, …) within
 * `limits.descriptionMaxLength`.
 */
import type { SentinelIncidentWriteProperties } from "../../sentinel/models";
import type { DescriptionMapper, DescriptionSection } from "../description";
import { asRecord } from "../guards";
import { textEqualsAllowingTruncation } from "../limits";
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
  fromDefender: (c: Composed<DescriptionMapper>, ctx: DefenderReadContext): string =>
    invoke(c, "fromDefender", "description", incidentString(ctx.incident, "description"), ctx),
  fromSentinel: (c: Composed<DescriptionMapper>, ctx: SentinelReadContext): string =>
    invoke(c, "fromSentinel", "description", incidentString(ctx.incident, "description"), ctx),
  normalize: (raw: string, warn: WarningSink): string => clean(raw, "description", warn).trimEnd(),
};

function sectionsOf(c: Composed<DescriptionMapper>, ctx: SentinelRenderContext): DescriptionSection[] {
  const sections = invoke(c, "sections", "description", ctx);
  if (
    !Array.isArray(sections) ||
    !sections.every((s) => asRecord(s) !== undefined && Array.isArray(s.lines))
  ) {
    fail(
      "description",
      mapperName(c, "sections"),
      "returned something other than an array of { heading?, lines[] }",
    );
  }
  return sections;
}

export const render = {
  toSentinel(
    c: Composed<DescriptionMapper>,
    ctx: SentinelRenderContext,
  ): Pick<SentinelIncidentWriteProperties, "description"> {
    const sections = sectionsOf(c, ctx);
    const out = invoke(c, "toSentinel", "description", ctx.canonical.description, { ...ctx, sections });
    const text = check(writeShape.description.unwrap(), out, "description", mapperName(c, "toSentinel"));
    const cleaned = clean(text, "description", ctx.warn);
    return { description: cut(cleaned, ctx.limits.descriptionMaxLength, "description", ctx.warn) };
  },
  toDefender: (c: Composed<DescriptionMapper>, ctx: DefenderRenderContext) =>
    renderDefenderText(c, ctx, "description", "description"),
};

export const equals: FieldEquality<"description"> = {
  description: (a, b) => textEqualsAllowingTruncation(a.description, b.description),
};
