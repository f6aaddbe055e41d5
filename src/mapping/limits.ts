/**
 * Output limits and the visible truncation marker.
 *
 * Sentinel documents 5,000 characters for an incident description and 30,000 for a comment.
 * The other limits are not documented by Microsoft and are conservative choices (UNVERIFIED), all configurable
 * through `createMappingProfile({ limits })`.
 */
import { isHighSurrogate } from "./text";

/**
 * Output length limits, in characters, the mapping cuts texts to (with a visible marker): Sentinel description and
 * comments, Defender comments, titles and labels.
 */
export interface MappingLimits {
  /** Sentinel `description`, including the section this package appends. Documented: 5,000. */
  descriptionMaxLength: number;
  /** Sentinel incident comment (`message`). Documented: 30,000. */
  sentinelCommentMaxLength: number;
  /** Defender incident comment. Graph documents no limit (UNVERIFIED); 30,000 keeps both sides symmetric. */
  defenderCommentMaxLength: number;
  /** Sentinel `classificationComment`. Not documented (UNVERIFIED); the comment limit is used. */
  classificationCommentMaxLength: number;
  /** Sentinel `title`. Not documented (UNVERIFIED): 256. Titles are never empty. */
  titleMaxLength: number;
  /**
   * Sentinel label name / Defender tag. Not documented (UNVERIFIED): 256. Longer tags are left out of the
   * canonical tag set on both sides (with a warning) and kept untouched in Defender.
   */
  labelMaxLength: number;
  /**
   * How much of the description is reserved for the appended sections (link, alerts, …) when the incident's own
   * description is long. When the own description is short the sections may use the rest.
   */
  descriptionSectionReserve: number;
}

export const DEFAULT_MAPPING_LIMITS: Readonly<MappingLimits> = Object.freeze({
  descriptionMaxLength: 5_000,
  sentinelCommentMaxLength: 30_000,
  defenderCommentMaxLength: 30_000,
  classificationCommentMaxLength: 30_000,
  titleMaxLength: 256,
  labelMaxLength: 256,
  descriptionSectionReserve: 1_500,
});

/**
 * Appended to every text this package had to cut. Canonical comparison treats a value ending with the marker as
 * equal to any value that starts with the text before the marker (see `canonicalEquals`).
 */
export const TRUNCATION_MARKER = " …[truncated by defender-sentinel-sync]";

/** The result of {@link truncateWithMarker}. */
export interface Truncation {
  text: string;
  /** Characters of the input that were left out (0 when nothing was cut). */
  omitted: number;
}

/**
 * Cuts `text` so that the result, marker included, is at most `max` characters. Never splits a surrogate pair.
 * When `max` cannot even hold the marker, the text is cut hard to `max`.
 */
export function truncateWithMarker(text: string, max: number): Truncation {
  if (text.length <= max) return { text, omitted: 0 };
  if (max < TRUNCATION_MARKER.length) {
    let keep = Math.max(0, max);
    if (keep > 0 && isHighSurrogate(text.charCodeAt(keep - 1))) keep--;
    return { text: text.slice(0, keep), omitted: text.length - keep };
  }
  let keep = max - TRUNCATION_MARKER.length;
  if (keep > 0 && isHighSurrogate(text.charCodeAt(keep - 1))) keep--;
  return { text: text.slice(0, keep) + TRUNCATION_MARKER, omitted: text.length - keep };
}

/** True when `text` was produced by {@link truncateWithMarker} cutting something. */
export function isTruncated(text: string): boolean {
  return text.endsWith(TRUNCATION_MARKER);
}

/**
 * Equality of two texts where either may have been truncated by this package: a truncated value equals any value
 * that starts with its kept prefix.
 */
export function textEqualsAllowingTruncation(a: string, b: string): boolean {
  if (a === b) return true;
  if (isTruncated(a) && b.startsWith(a.slice(0, a.length - TRUNCATION_MARKER.length))) return true;
  if (isTruncated(b) && a.startsWith(b.slice(0, b.length - TRUNCATION_MARKER.length))) return true;
  return false;
}
