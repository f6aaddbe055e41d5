/**
 * What one profile hands its field modules: the composed mapper groups (defaults with the caller's overrides),
 * the output limits and the system-label test.
 */
import type { ActivityMapper } from "../activity";
import type { ClassificationMapper } from "../classification";
import type { ClosingCommentMapper } from "../closingComment";
import type { CommentMapper } from "../comments";
import type { DescriptionMapper } from "../description";
import type { TagsMapper } from "../labels";
import type { MappingLimits } from "../limits";
import type { MapperContextBase } from "../mapper";
import type { OwnerMapper } from "../owner";
import type { WarningSink } from "../result";
import type { SeverityMapper } from "../severity";
import type { StatusMapper } from "../status";
import type { TitleMapper } from "../title";
import type { Composed } from "./kit";

export interface ProfileMappers {
  readonly title: Composed<TitleMapper>;
  readonly description: Composed<DescriptionMapper>;
  readonly severity: Composed<SeverityMapper>;
  readonly status: Composed<StatusMapper>;
  readonly classification: Composed<ClassificationMapper>;
  readonly closingComment: Composed<ClosingCommentMapper>;
  readonly owner: Composed<OwnerMapper>;
  readonly tags: Composed<TagsMapper>;
  readonly activity: Composed<ActivityMapper>;
  readonly comments: Composed<CommentMapper>;
}

export interface ProfileParts {
  readonly mappers: ProfileMappers;
  readonly limits: Readonly<MappingLimits>;
  readonly isSystemLabel: (name: string) => boolean;
}

/** The context part every mapper call gets. */
export function mapperBase(parts: ProfileParts, warn: WarningSink): MapperContextBase {
  return { warn, limits: parts.limits, isSystemLabel: parts.isSystemLabel };
}
