/**
 * Incident comments copied from one side to the other. The SyncEngine suppresses echoes by content hash, so no
 * marker is needed; the header only tells readers where the comment came from.
 */
import type { MapperContextBase } from "./mapper";
import { oneLine } from "./text";

/**
 * What is known about a Defender comment when its text is rendered as a Sentinel comment: its author and creation
 * time.
 */
export interface SentinelCommentMeta {
  /** `createdByDisplayName` of the Defender comment. */
  author?: string;
  /** `createdDateTime` of the Defender comment. */
  createdDateTime?: string;
}

/**
 * What is known about a Sentinel comment when its text is rendered as a Defender comment: its author and creation
 * time.
 */
export interface DefenderCommentMeta {
  /** Author name / UPN of the Sentinel comment. */
  author?: string;
  /** `createdTimeUtc` of the Sentinel comment. */
  createdTimeUtc?: string;
}

/**
 * The comment mapper group; override through `createMappingProfile({ comments })`. The result is then cleaned
 * (control characters) and cut to the side's comment limit with a visible marker.
 */
export interface CommentMapper {
  /** Text of a Sentinel comment for a Defender comment. */
  toSentinel(text: string, meta: SentinelCommentMeta, ctx: MapperContextBase): string;
  /** Text of a Defender comment for a Sentinel comment. */
  toDefender(text: string, meta: DefenderCommentMeta, ctx: MapperContextBase): string;
}

function header(source: string, author: string | undefined, time: string | undefined): string {
  const who =
    typeof author === "string" && author.trim() !== "" ? ` by ${oneLine(author).slice(0, 256)}` : "";
  const when = typeof time === "string" && time.trim() !== "" ? ` at ${oneLine(time).slice(0, 64)}` : "";
  return `[${source} comment${who}${when}]\n`;
}

export const defaultCommentMapper: CommentMapper = {
  toSentinel: (text, meta) => header("Defender XDR", meta.author, meta.createdDateTime) + text,
  toDefender: (text, meta) => header("Sentinel", meta.author, meta.createdTimeUtc) + text,
};
