/**
 * Tags field: Defender `customTags` ⇄ canonical `tags` (a sorted set, never system labels) ⇄ Sentinel `labels`
 * of type User. On the Sentinel side the rendered labels also keep the existing non-User labels and add the
 * system and derived labels.
 */
import type { DefenderIncidentPatch } from "../../defender/models";
import type { IncidentLabel, SentinelIncidentWriteProperties } from "../../sentinel/models";
import { labelTypeValues } from "../../sentinel/models";
import { asArray, asRecord, own, ownString } from "../guards";
import { isUserLabel, type TagsMapper } from "../labels";
import type {
  DefenderReadContext,
  DefenderRenderContext,
  MapperContextBase,
  SentinelReadContext,
  SentinelRenderContext,
} from "../mapper";
import {
  type Composed,
  check,
  clean,
  type FieldEquality,
  fail,
  invoke,
  mapperName,
  patchShape,
  writeShape,
} from "./kit";

type Labels = NonNullable<SentinelIncidentWriteProperties["labels"]>;

const knownLabelTypes = new Set<string>(labelTypeValues);
const labelNamesSchema = writeShape.labels.unwrap().element.shape.labelName.array();

/** Whether two tag lists hold the same set of values. */
function sameSet(a: readonly unknown[], b: readonly unknown[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  if (sa.size !== sb.size) return false;
  for (const t of sa) if (!sb.has(t)) return false;
  return true;
}

/** One canonical tag, or undefined when it is left out (blank, too long, a system label). */
function canonicalTag(
  raw: string,
  side: "defender" | "sentinel",
  ctx: MapperContextBase,
): string | undefined {
  const tag = clean(raw, "tags", ctx.warn).trim();
  if (tag === "") return undefined;
  const max = ctx.limits.labelMaxLength;
  if (tag.length > max) {
    ctx.warn({ field: "tags", kind: "dropped", message: `Tag longer than ${max} characters left out` });
    return undefined;
  }
  if (!ctx.isSystemLabel(tag)) return tag;
  if (side === "defender") {
    ctx.warn({
      field: "tags",
      kind: "dropped",
      message: `Tag "${tag.slice(0, 64)}" is a system label; not synced`,
    });
  }
  return undefined;
}

export const read = {
  // Raw payloads may still use the legacy name `tags` (quirk G3; the zod model folds it into customTags).
  fromDefender(c: Composed<TagsMapper>, ctx: DefenderReadContext): string[] {
    const record = asRecord(ctx.incident);
    const value = asArray(own(record, "customTags") ?? own(record, "tags")) as string[];
    return invoke(c, "fromDefender", "tags", value, ctx);
  },
  fromSentinel(c: Composed<TagsMapper>, ctx: SentinelReadContext): string[] {
    const labels = asArray(own(asRecord(ctx.incident), "labels")) as IncidentLabel[];
    return invoke(c, "fromSentinel", "tags", labels, ctx);
  },
  /** Cleaned, de-duplicated and sorted; blank, over-long and system-label tags left out. */
  normalize(raw: readonly string[], side: "defender" | "sentinel", ctx: MapperContextBase): string[] {
    const tags = new Set<string>();
    for (const value of raw) {
      const tag = canonicalTag(value, side, ctx);
      if (tag !== undefined) tags.add(tag);
    }
    return [...tags].sort();
  },
};

/** Collects labels without duplicates (per type), cleaned and within the length limit. */
function labelCollector(ctx: SentinelRenderContext) {
  const labels: Labels = [];
  const seen = new Set<string>();
  const add = (name: string, labelType: "User" | "AutoAssigned" | undefined, origin: string): void => {
    const n = clean(name, "labels", ctx.warn).trim();
    if (n === "") return;
    const max = ctx.limits.labelMaxLength;
    if (n.length > max) {
      ctx.warn({
        field: "labels",
        kind: "dropped",
        message: `Label from ${origin} longer than ${max} characters left out`,
      });
      return;
    }
    const key = `${labelType ?? ""}\u0000${n}`;
    if (seen.has(key)) return;
    seen.add(key);
    labels.push(labelType === undefined ? { labelName: n } : { labelName: n, labelType });
  };
  return { labels, add };
}

type AddLabel = ReturnType<typeof labelCollector>["add"];

/** What the existing incident has that is not a user tag (AutoAssigned, future label types) is kept. */
function keepExistingLabels(ctx: SentinelRenderContext, add: AddLabel): void {
  for (const label of asArray(ctx.existing?.labels)) {
    if (isUserLabel(label)) continue;
    const record = asRecord(label);
    const name = ownString(record, "labelName");
    if (name === undefined) continue;
    const type = ownString(record, "labelType");
    if (type !== undefined && knownLabelTypes.has(type)) {
      add(name, type as "AutoAssigned", "the existing incident");
      continue;
    }
    ctx.warn({
      field: "labels",
      kind: "lossy",
      message: `Label type "${String(type).slice(0, 32)}" is unknown; sent without type`,
    });
    add(name, undefined, "the existing incident");
  }
}

/** System and derived labels; each must be a system label or it would come back as a user tag. */
function addSystemLabels(c: Composed<TagsMapper>, ctx: SentinelRenderContext, add: AddLabel): void {
  for (const fn of ["systemLabels", "derive"] as const) {
    const name = mapperName(c, fn);
    const names = check(labelNamesSchema, invoke(c, fn, "labels", ctx), "labels", name);
    for (const label of names) {
      if (!ctx.isSystemLabel(label)) {
        fail(
          "labels",
          name,
          `label "${label.slice(0, 64)}" is not a system label: list it in systemLabels or systemLabelPrefixes`,
        );
      }
      add(label, "User", fn);
    }
  }
}

function toSentinel(c: Composed<TagsMapper>, ctx: SentinelRenderContext): { labels: Labels } {
  const { labels, add } = labelCollector(ctx);
  keepExistingLabels(ctx, add);
  const out = invoke(c, "toSentinel", "labels", ctx.canonical.tags, ctx);
  for (const name of check(labelNamesSchema, out, "labels", mapperName(c, "toSentinel")))
    add(name, "User", "tags");
  addSystemLabels(c, ctx, add);
  return { labels };
}

/** customTags replaces the whole list: sent when the set differs from Defender's, or Defender's is unknown. */
function toDefender(
  c: Composed<TagsMapper>,
  ctx: DefenderRenderContext,
): Pick<DefenderIncidentPatch, "customTags"> {
  if (ctx.changes.tags === undefined) return {};
  const out = invoke(c, "toDefender", "tags", ctx.changes.tags, ctx);
  const v = check(patchShape.customTags.unwrap(), out, "tags", mapperName(c, "toDefender"));
  if (ctx.current === undefined) return { customTags: v };
  const current = asArray(own(asRecord(ctx.current), "customTags")).filter((t) => typeof t === "string");
  return sameSet(v, current) ? {} : { customTags: v };
}

export const render = { toSentinel, toDefender };

export const equals: FieldEquality<"tags"> = {
  tags: (a, b) => sameSet(a.tags, b.tags),
};
