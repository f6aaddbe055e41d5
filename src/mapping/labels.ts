/**
 * Tags: Defender `customTags` ⇄ canonical tag set ⇄ Sentinel `labels` of type `User`.
 *
 * - AutoAssigned labels (and any other non-User label type) never go to Defender; on write they are preserved
 *   from the existing Sentinel incident.
 * - System labels are labels this package adds itself (default: "Redirected" for merged incidents), plus labels
 *   derived from alerts by a profile (`tags.derive`). They are never canonical tags on either side, so they never
 *   go back to Defender. A derived label must be a system label (listed in `systemLabels` or starting with one
 *   of `systemLabelPrefixes`), otherwise rendering fails with a MappingError.
 * - Defender `systemTags` are read-only and not synced.
 */
import type { IncidentLabel } from "../sentinel/models";
import { asArray, asRecord, ownString } from "./guards";
import type {
  DefenderReadContext,
  DefenderRenderContext,
  SentinelReadContext,
  SentinelRenderContext,
} from "./mapper";

/** The label this package adds to the Sentinel copy of a merged (redirected) Defender incident. */
export const REDIRECTED_LABEL = "Redirected";

/** Default exact system label names. */
export const DEFAULT_SYSTEM_LABELS: readonly string[] = [REDIRECTED_LABEL];

/** The tags mapper group; override any function through `createMappingProfile({ tags })`. */
export interface TagsMapper {
  /** Defender customTags → canonical tags (then cleaned, de-duplicated, sorted; system labels removed). */
  fromDefender(value: readonly string[] | null | undefined, ctx: DefenderReadContext): string[];
  /** Sentinel labels → canonical tags: User labels only (a label without type counts as User). */
  fromSentinel(value: readonly IncidentLabel[] | null | undefined, ctx: SentinelReadContext): string[];
  /** Canonical tags → names of the Sentinel User labels. */
  toSentinel(value: readonly string[], ctx: SentinelRenderContext): string[];
  /** Canonical tags → the complete Defender customTags array (it replaces the old one). */
  toDefender(value: readonly string[], ctx: DefenderRenderContext): string[];
  /** System labels for this incident (default: "Redirected" when the Defender incident was merged). */
  systemLabels(ctx: SentinelRenderContext): string[];
  /** Extra labels derived from alerts and evidence (default: none). Each must be a system label. */
  derive(ctx: SentinelRenderContext): string[];
}

/** True for a label that counts as a user tag when read from Sentinel. */
export function isUserLabel(label: unknown): boolean {
  const type = ownString(asRecord(label), "labelType");
  return type === undefined || type.toLowerCase() === "user";
}

export const defaultTagsMapper: TagsMapper = {
  fromDefender: (value) => asArray(value).filter((t): t is string => typeof t === "string"),
  fromSentinel: (value) => {
    const tags: string[] = [];
    for (const label of asArray(value)) {
      const name = ownString(asRecord(label), "labelName");
      if (name !== undefined && isUserLabel(label)) tags.push(name);
    }
    return tags;
  },
  toSentinel: (value) => [...value],
  toDefender: (value, ctx) => {
    // customTags is replaced as a whole: keep the current tags that canonical form leaves out on purpose
    // (system-label names, over-long tags), so syncing never deletes them.
    const keep: string[] = [];
    for (const tag of asArray(ctx.current?.customTags)) {
      if (typeof tag !== "string") continue;
      const t = tag.trim();
      if (t !== "" && (ctx.isSystemLabel(t) || t.length > ctx.limits.labelMaxLength)) keep.push(tag);
    }
    return [...new Set([...value, ...keep])];
  },
  systemLabels: (ctx) => {
    const d = ctx.defender;
    const redirected =
      ctx.canonical.redirectTarget !== undefined ||
      (typeof d?.status === "string" && d.status.toLowerCase() === "redirected");
    return redirected ? [REDIRECTED_LABEL] : [];
  },
  derive: () => [],
};
