/**
 * Title: Defender `displayName` ⇄ canonical ⇄ Sentinel `title` (required, never empty).
 *
 * An empty or blank Defender title becomes "(untitled Defender incident <id>)" already in canonical form (with a
 * warning), so the Sentinel copy always has a valid title and both sides compare equal.
 */
import type {
  DefenderReadContext,
  DefenderRenderContext,
  SentinelReadContext,
  SentinelRenderContext,
} from "./mapper";
import { clip } from "./text";

/** The title mapper group; override any function through `createMappingProfile({ title })`. */
export interface TitleMapper {
  fromDefender(value: string | null | undefined, ctx: DefenderReadContext): string;
  fromSentinel(value: string | null | undefined, ctx: SentinelReadContext): string;
  /** Must return a non-empty title (it is then cleaned and cut to `limits.titleMaxLength`). */
  toSentinel(value: string, ctx: SentinelRenderContext): string;
  /** `undefined`: leave Defender's title as it is. */
  toDefender(value: string, ctx: DefenderRenderContext): string | undefined;
}

/** The fallback title for a Defender incident without one. */
export function untitledDefenderIncident(id: unknown): string {
  return typeof id === "string" && id.trim() !== ""
    ? `(untitled Defender incident ${clip(id.trim(), 64)})`
    : "(untitled Defender incident)";
}

export const defaultTitleMapper: TitleMapper = {
  fromDefender: (value, ctx) => {
    const title = typeof value === "string" ? value.trim() : "";
    if (title !== "") return title;
    const fallback = untitledDefenderIncident(ctx.incident.id);
    ctx.warn({
      field: "title",
      kind: "lossy",
      message: `Defender incident has no title; using "${fallback}"`,
    });
    return fallback;
  },
  fromSentinel: (value) => (typeof value === "string" ? value.trim() : ""),
  toSentinel: (value, ctx) => {
    const title = value.trim();
    if (title !== "") return title;
    const fallback =
      ctx.defender !== undefined ? untitledDefenderIncident(ctx.defender.id) : "(untitled incident)";
    ctx.warn({ field: "title", kind: "lossy", message: `Empty title; using "${fallback}"` });
    return fallback;
  },
  toDefender: (value, ctx) => {
    if (value.trim() !== "") return value;
    ctx.warn({ field: "title", kind: "dropped", message: "An empty title is never written to Defender" });
    return undefined;
  },
};
