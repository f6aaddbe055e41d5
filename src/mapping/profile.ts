/**
 * A mapping profile: the complete, overridable translation between Defender incidents, the canonical view and
 * Sentinel incidents. `createMappingProfile()` is the default profile; `createMappingProfile(overrides)` replaces
 * or wraps any field mapper.
 *
 * Every output is checked before it leaves: canonical records against `canonicalIncidentSchema`, Sentinel bodies
 * against `sentinelIncidentWritePropertiesSchema`, Defender patches against `defenderIncidentPatchSchema`, and each
 * mapper's return value against the schema of the field it fills. A mapper that throws or returns an invalid value
 * yields `{ ok: false, error: MappingError }` naming the field and the mapper; no half-built body ever leaves.
 *
 * Each field lives in its own module under `fields/` (read, render, equality); this file composes them.
 */
import type { DefenderIncident, DefenderIncidentPatch } from "../defender/models";
import type {
  SentinelIncident,
  SentinelIncidentProperties,
  SentinelIncidentWriteProperties,
} from "../sentinel/models";
import { type ActivityMapper, defaultActivityMapper } from "./activity";
import { type CanonicalComparator, type CanonicalIncident, createCanonicalComparator } from "./canonical";
import {
  type ClassificationMapper,
  type ClassificationTable,
  createClassificationMapper,
  DEFAULT_CLASSIFICATION_TABLE,
} from "./classification";
import { type ClosingCommentMapper, defaultClosingCommentMapper } from "./closingComment";
import {
  type CommentMapper,
  type DefenderCommentMeta,
  defaultCommentMapper,
  type SentinelCommentMeta,
} from "./comments";
import { type DescriptionMapper, defaultDescriptionMapper } from "./description";
import * as comments from "./fields/comments";
import { compose, run } from "./fields/kit";
import { mapperBase, type ProfileMappers, type ProfileParts } from "./fields/parts";
import { defenderToCanonical, sentinelToCanonical } from "./fields/readCanonical";
import { renderDefenderPatch } from "./fields/renderDefenderPatch";
import { renderSentinel } from "./fields/renderSentinel";
import { DEFAULT_SYSTEM_LABELS, defaultTagsMapper, type TagsMapper } from "./labels";
import { DEFAULT_MAPPING_LIMITS, type MappingLimits } from "./limits";
import type { MapperOverrides } from "./mapper";
import { createOwnerMapper, defaultOwnerResolver, type OwnerMapper, type OwnerResolver } from "./owner";
import type { MappingResult } from "./result";
import { defaultSeverityMapper, type SeverityMapper } from "./severity";
import { defaultStatusMapper, type StatusMapper } from "./status";
import { defaultTitleMapper, type TitleMapper } from "./title";

/**
 * What `createMappingProfile` accepts. Every mapper group is optional and every function in a group is
 * optional; an override receives the same arguments as the function it replaces plus `next`, the default
 * implementation, so it can wrap it. Return types are checked at compile time (and at run time).
 *
 * @example
 * createMappingProfile({
 *   title: {
 *     toSentinel: (title, ctx, next) => `[XDR ${ctx.defender?.id}] ${next(title, ctx)}`,
 *     fromSentinel: (title, ctx, next) => next(title, ctx).replace(/^\[XDR [^\]]*\] /, ""),
 *   },
 *   tags: { derive: (ctx, next) => [...next(ctx), ...categoriesOf(ctx.defender)] },
 *   systemLabelPrefixes: ["Tactic: "],
 * });
 */
export interface MappingOverrides {
  /** Title (e.g. a title template). Give both directions to keep round trips exact. */
  title?: MapperOverrides<TitleMapper>;
  /** Description and its appended sections (`sections` derives sections from alerts and evidence). */
  description?: MapperOverrides<DescriptionMapper>;
  /** Severity (e.g. a bump for VIP users). */
  severity?: MapperOverrides<SeverityMapper>;
  status?: MapperOverrides<StatusMapper>;
  /** Classification + detail functions. To change only the pairs, pass `classificationTable` instead. */
  classification?: MapperOverrides<ClassificationMapper>;
  /** A complete classification table used by the default classification mapper and by `equals`/`diff`. */
  classificationTable?: ClassificationTable;
  closingComment?: MapperOverrides<ClosingCommentMapper>;
  owner?: MapperOverrides<OwnerMapper>;
  /** UPN ⇄ Sentinel owner translation (e.g. `createOwnerLookupResolver(table)` for cross-tenant sync). */
  ownerResolver?: OwnerResolver;
  /** Tags ⇄ labels, system labels and labels derived from alerts (`derive`). */
  tags?: MapperOverrides<TagsMapper>;
  /** Extra exact system label names (added to "Redirected"); compared case-insensitively. */
  systemLabels?: Iterable<string>;
  /** Label name prefixes that mark system labels (e.g. "Tactic: " for derived labels). */
  systemLabelPrefixes?: Iterable<string>;
  /** First/last activity times. */
  activity?: MapperOverrides<ActivityMapper>;
  /** Text of comments copied between the sides. */
  comments?: MapperOverrides<CommentMapper>;
  /** Output limits (defaults: `DEFAULT_MAPPING_LIMITS`). */
  limits?: Partial<MappingLimits>;
}

/** Context of {@link MappingProfile.renderSentinel}. */
export interface RenderSentinelContext {
  /** The Defender incident the canonical values came from: link, alerts → activity times and sections. */
  defender?: DefenderIncident;
  /** The Sentinel incident as it is now: AutoAssigned labels, owner object, reasons, … are preserved from it. */
  existing?: SentinelIncidentProperties;
}

/** Context of {@link MappingProfile.renderDefenderPatch}. */
export interface RenderDefenderPatchContext {
  /** The Defender incident as it is now: values it already has are not sent, fitting determinations are kept. */
  current?: DefenderIncident;
}

/**
 * A complete mapping between Defender and Sentinel incidents: reading each side into canonical form, rendering the
 * Sentinel PUT body and the Defender PATCH, comments, limits and comparison. Build one with `createMappingProfile`.
 */
export interface MappingProfile {
  defenderToCanonical(incident: DefenderIncident): MappingResult<CanonicalIncident>;
  sentinelToCanonical(
    incident: SentinelIncident | SentinelIncidentProperties,
  ): MappingResult<CanonicalIncident>;
  /**
   * Full PUT body: values from `canonical`, plus context from the Defender incident (incidentWebUrl link,
   * alerts → first/last activity, alert-derived labels/description sections), preserving what `existing` has
   * that we don't sync (AutoAssigned labels, owner objectId/ownerType if the owner did not change, a fitting
   * classificationReason, activity times when there are no alerts).
   */
  renderSentinel(
    canonical: CanonicalIncident,
    context: RenderSentinelContext,
  ): MappingResult<SentinelIncidentWriteProperties>;
  /**
   * Minimal PATCH carrying the given canonical fields (only those, and only where `current` differs), consistent
   * with `current`: closing sends `resolved` with classification and determination from the reverse table, a
   * determination that fits the target classification is kept, truncated texts are never written back.
   */
  renderDefenderPatch(
    changes: Partial<CanonicalIncident>,
    context: RenderDefenderPatchContext,
  ): MappingResult<DefenderIncidentPatch>;
  /** Sentinel comment text for a Defender comment, within 30,000 characters. */
  renderSentinelComment(text: string, meta: SentinelCommentMeta): MappingResult<string>;
  /** Defender comment text for a Sentinel comment. */
  renderDefenderComment(text: string, meta: DefenderCommentMeta): MappingResult<string>;
  /** Exact system label names (e.g. "Redirected"). */
  readonly systemLabels: ReadonlySet<string>;
  /** Prefixes that mark system labels. */
  readonly systemLabelPrefixes: readonly string[];
  /** True for a system label (case-insensitive): never a user tag, never sent to Defender. */
  isSystemLabel(name: string): boolean;
  readonly limits: Readonly<MappingLimits>;
  readonly classificationTable: ClassificationTable;
  /** `canonicalEquals` under this profile's classification table. */
  equals: CanonicalComparator["equals"];
  /** `diffCanonical` under this profile's classification table. */
  diff: CanonicalComparator["diff"];
}

// ---------------------------------------------------------------------------------------------------------------
// Composition

function validatedLimits(overrides: Partial<MappingLimits> | undefined): Readonly<MappingLimits> {
  const limits: Readonly<MappingLimits> = Object.freeze({ ...DEFAULT_MAPPING_LIMITS, ...(overrides ?? {}) });
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1)
      throw new TypeError(`Mapping limit ${key} must be a positive integer`);
  }
  return limits;
}

interface SystemLabelRules {
  readonly systemLabels: ReadonlySet<string>;
  readonly systemLabelPrefixes: readonly string[];
  readonly isSystemLabel: (name: string) => boolean;
}

/** System labels: exact names and prefixes, both compared case-insensitively. */
function systemLabelRules(overrides: MappingOverrides): SystemLabelRules {
  const names = [...DEFAULT_SYSTEM_LABELS, ...(overrides.systemLabels ?? [])];
  const lowerNames = new Set(names.map((l) => l.toLowerCase()));
  const systemLabelPrefixes: readonly string[] = Object.freeze([...(overrides.systemLabelPrefixes ?? [])]);
  const lowerPrefixes = systemLabelPrefixes.map((p) => p.toLowerCase()).filter((p) => p !== "");
  const isSystemLabel = (name: string): boolean => {
    if (typeof name !== "string") return false;
    const lower = name.trim().toLowerCase();
    return lowerNames.has(lower) || lowerPrefixes.some((p) => lower.startsWith(p));
  };
  return { systemLabels: new Set(names), systemLabelPrefixes, isSystemLabel };
}

/** The default mapper groups with the caller's overrides applied (this also validates the overrides). */
function composeMappers(overrides: MappingOverrides): ProfileMappers {
  const table = overrides.classificationTable;
  const ownerResolver = overrides.ownerResolver ?? defaultOwnerResolver;
  return {
    title: compose("title", defaultTitleMapper, overrides.title),
    description: compose("description", defaultDescriptionMapper, overrides.description),
    severity: compose("severity", defaultSeverityMapper, overrides.severity),
    status: compose("status", defaultStatusMapper, overrides.status),
    classification: compose(
      "classification",
      table ? createClassificationMapper(table) : createClassificationMapper(),
      overrides.classification,
    ),
    closingComment: compose("closingComment", defaultClosingCommentMapper, overrides.closingComment),
    owner: compose("owner", createOwnerMapper(ownerResolver), overrides.owner),
    tags: compose("tags", defaultTagsMapper, overrides.tags),
    activity: compose("activity", defaultActivityMapper, overrides.activity),
    comments: compose("comments", defaultCommentMapper, overrides.comments),
  };
}

/**
 * Creates a mapping profile. `createMappingProfile()` is the default profile.
 * Throws a TypeError for an unusable configuration (unknown override name, non-function override, incomplete
 * classification table).
 */
export function createMappingProfile(overrides: MappingOverrides = {}): MappingProfile {
  const limits = validatedLimits(overrides.limits);
  const table = overrides.classificationTable ?? DEFAULT_CLASSIFICATION_TABLE;
  const comparator = createCanonicalComparator(table);
  const labels = systemLabelRules(overrides);
  const parts: ProfileParts = {
    mappers: composeMappers(overrides),
    limits,
    isSystemLabel: labels.isSystemLabel,
  };
  const commentMapper = parts.mappers.comments;
  const profile: MappingProfile = {
    defenderToCanonical: (incident) => run((warn) => defenderToCanonical(parts, incident, warn)),
    sentinelToCanonical: (incident) => run((warn) => sentinelToCanonical(parts, incident, warn)),
    renderSentinel: (canonical, context) =>
      run((warn) => renderSentinel(parts, canonical, context ?? {}, warn)),
    renderDefenderPatch: (changes, context) =>
      run((warn) => renderDefenderPatch(parts, changes, context?.current, warn)),
    renderSentinelComment: (text, meta) =>
      run((warn) => comments.render.toSentinel(commentMapper, text, meta, mapperBase(parts, warn))),
    renderDefenderComment: (text, meta) =>
      run((warn) => comments.render.toDefender(commentMapper, text, meta, mapperBase(parts, warn))),
    systemLabels: labels.systemLabels,
    systemLabelPrefixes: labels.systemLabelPrefixes,
    isSystemLabel: labels.isSystemLabel,
    limits,
    classificationTable: table,
    equals: comparator.equals,
    diff: comparator.diff,
  };
  return Object.freeze(profile);
}
