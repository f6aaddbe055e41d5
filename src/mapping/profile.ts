/**
 * A mapping profile: the complete, overridable translation between Defender incidents, the canonical view and
 * Sentinel incidents. `createMappingProfile()` is the default profile; `createMappingProfile(overrides)` replaces
 * or wraps any field mapper.
 *
 * Every output is checked before it leaves: canonical records against `canonicalIncidentSchema`, Sentinel bodies
 * against `sentinelIncidentWritePropertiesSchema`, Defender patches against `defenderIncidentPatchSchema`, and each
 * mapper's return value against the schema of the field it fills. A mapper that throws or returns an invalid value
 * yields `{ ok: false, error: MappingError }` naming the field and the mapper; no half-built body ever leaves.
 */
import type { z } from "zod";
import { isMappingError, MappingError, type ValidationIssue } from "../core/errors";
import type { DefenderIncident, DefenderIncidentPatch } from "../defender/models";
import { defenderIncidentPatchSchema } from "../defender/models";
import type {
  IncidentLabel,
  SentinelIncident,
  SentinelIncidentProperties,
  SentinelIncidentWriteProperties,
} from "../sentinel/models";
import { labelTypeValues, sentinelIncidentWritePropertiesSchema } from "../sentinel/models";
import { type ActivityMapper, defaultActivityMapper } from "./activity";
import {
  type CanonicalComparator,
  type CanonicalField,
  type CanonicalIncident,
  type CanonicalStatus,
  canonicalIncidentSchema,
  createCanonicalComparator,
} from "./canonical";
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
import { type DescriptionMapper, type DescriptionSection, defaultDescriptionMapper } from "./description";
import { asArray, asRecord, asString, isDateTime, isGuid, own, ownString } from "./guards";
import { DEFAULT_SYSTEM_LABELS, defaultTagsMapper, isUserLabel, type TagsMapper } from "./labels";
import { DEFAULT_MAPPING_LIMITS, isTruncated, type MappingLimits, truncateWithMarker } from "./limits";
import {
  composeMapper,
  type DefenderReadContext,
  type DefenderRenderContext,
  type MapperContextBase,
  type MapperOverrides,
  type SentinelReadContext,
  type SentinelRenderContext,
} from "./mapper";
import { createOwnerMapper, defaultOwnerResolver, type OwnerMapper, type OwnerResolver } from "./owner";
import type { MappingResult, MappingWarning, WarningSink } from "./result";
import { defaultSeverityMapper, type SeverityMapper } from "./severity";
import { defaultStatusMapper, type StatusMapper } from "./status";
import { sanitizeText } from "./text";
import { defaultTitleMapper, type TitleMapper, untitledDefenderIncident } from "./title";

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
// Internals

interface Composed<M> {
  readonly mapper: M;
  readonly overridden: ReadonlySet<string>;
  readonly group: string;
}

function compose<M extends object>(
  group: string,
  base: M,
  overrides: MapperOverrides<M> | undefined,
): Composed<M> {
  return { group, ...composeMapper(base, overrides) };
}

function mapperName(c: Composed<unknown>, fn: string): string {
  return `${c.group}.${fn}${c.overridden.has(fn) ? " (override)" : ""}`;
}

function message(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === "string" ? e : "non-error value thrown";
}

/** Calls one mapper function; anything it throws becomes a MappingError naming `field` and the mapper. */
function invoke<M, K extends keyof M & string>(
  c: Composed<M>,
  fn: K,
  field: string,
  ...args: M[K] extends (...a: infer A) => unknown ? A : never
): M[K] extends (...a: never[]) => infer R ? R : never {
  try {
    return (c.mapper[fn] as (...a: unknown[]) => never)(...args);
  } catch (e) {
    if (isMappingError(e)) throw e;
    throw new MappingError({
      field,
      mapper: mapperName(c, fn),
      message: `mapper threw: ${message(e)}`,
      cause: e,
    });
  }
}

function issuesOf(error: z.ZodError, prefix: string): ValidationIssue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== "").join("."),
    message: i.message,
  }));
}

/** `value` if `schema` accepts it, else a MappingError naming `field` and `mapper`. */
function check<S extends z.ZodType>(schema: S, value: unknown, field: string, mapper: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new MappingError({
    field,
    mapper,
    message: `returned an invalid value: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    issues: issuesOf(parsed.error, field),
  });
}

function fail(field: string, mapper: string, text: string): never {
  throw new MappingError({ field, mapper, message: text });
}

function run<T>(body: (warn: WarningSink) => T): MappingResult<T> {
  const warnings: MappingWarning[] = [];
  const warn: WarningSink = (w) => {
    if (typeof w === "object" && w !== null) {
      warnings.push({ field: String(w.field), kind: w.kind, message: String(w.message) });
    }
  };
  try {
    return { ok: true, value: body(warn), warnings };
  } catch (e) {
    if (isMappingError(e)) return { ok: false, error: e };
    return {
      ok: false,
      error: new MappingError({ field: "(input)", mapper: "profile", message: message(e), cause: e }),
    };
  }
}

/** Removes control characters (warning when any were removed). */
function clean(text: string, field: string, warn: WarningSink): string {
  const s = sanitizeText(text);
  if (s.removed > 0) {
    warn({ field, kind: "dropped", message: `Removed ${s.removed} control or invalid character(s)` });
  }
  return s.text;
}

function cut(text: string, max: number, field: string, warn: WarningSink): string {
  const t = truncateWithMarker(text, max);
  if (t.omitted > 0) {
    warn({
      field,
      kind: "truncated",
      message: `Cut to ${t.text.length} of ${text.length} characters (limit ${max}); ${t.omitted} left out`,
    });
  }
  return t.text;
}

const patchShape = defenderIncidentPatchSchema.shape;
const writeShape = sentinelIncidentWritePropertiesSchema.shape;
const canonicalShape = canonicalIncidentSchema.shape;
const partialCanonicalSchema = canonicalIncidentSchema.partial();
const knownLabelTypes = new Set<string>(labelTypeValues);
const labelNamesSchema = writeShape.labels.unwrap().element.shape.labelName.array();

function propertiesOf(incident: SentinelIncident | SentinelIncidentProperties): SentinelIncidentProperties {
  const record = asRecord(incident);
  if (record === undefined) fail("incident", "sentinelToCanonical", "the Sentinel incident is not an object");
  const props = asRecord(own(record, "properties"));
  if (props !== undefined && ownString(record, "title") === undefined)
    return props as SentinelIncidentProperties;
  return record as SentinelIncidentProperties;
}

function sameTagSet(a: readonly string[], b: readonly unknown[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b.filter((t): t is string => typeof t === "string"));
  if (sa.size !== sb.size) return false;
  for (const t of sa) if (!sb.has(t)) return false;
  return true;
}

const REAL_DEFENDER_CLASSIFICATIONS = new Set([
  "truepositive",
  "falsepositive",
  "informationalexpectedactivity",
]);

// ---------------------------------------------------------------------------------------------------------------

/**
 * Creates a mapping profile. `createMappingProfile()` is the default profile.
 * Throws a TypeError for an unusable configuration (unknown override name, non-function override, incomplete
 * classification table).
 */
export function createMappingProfile(overrides: MappingOverrides = {}): MappingProfile {
  const limits: Readonly<MappingLimits> = Object.freeze({
    ...DEFAULT_MAPPING_LIMITS,
    ...(overrides.limits ?? {}),
  });
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1)
      throw new TypeError(`Mapping limit ${key} must be a positive integer`);
  }
  const table = overrides.classificationTable ?? DEFAULT_CLASSIFICATION_TABLE;
  const comparator = createCanonicalComparator(table);

  const systemLabelNames = [...DEFAULT_SYSTEM_LABELS, ...(overrides.systemLabels ?? [])];
  const systemLabels: ReadonlySet<string> = new Set(systemLabelNames);
  const systemLower = new Set(systemLabelNames.map((l) => l.toLowerCase()));
  const systemLabelPrefixes: readonly string[] = Object.freeze([...(overrides.systemLabelPrefixes ?? [])]);
  const prefixesLower = systemLabelPrefixes.map((p) => p.toLowerCase()).filter((p) => p !== "");
  const isSystemLabel = (name: string): boolean => {
    if (typeof name !== "string") return false;
    const lower = name.trim().toLowerCase();
    return systemLower.has(lower) || prefixesLower.some((p) => lower.startsWith(p));
  };

  const title = compose("title", defaultTitleMapper, overrides.title);
  const description = compose("description", defaultDescriptionMapper, overrides.description);
  const severity = compose("severity", defaultSeverityMapper, overrides.severity);
  const status = compose("status", defaultStatusMapper, overrides.status);
  const classification = compose(
    "classification",
    overrides.classificationTable ? createClassificationMapper(table) : createClassificationMapper(),
    overrides.classification,
  );
  const closingComment = compose("closingComment", defaultClosingCommentMapper, overrides.closingComment);
  const owner = compose(
    "owner",
    createOwnerMapper(overrides.ownerResolver ?? defaultOwnerResolver),
    overrides.owner,
  );
  const tags = compose("tags", defaultTagsMapper, overrides.tags);
  const activity = compose("activity", defaultActivityMapper, overrides.activity);
  const comments = compose("comments", defaultCommentMapper, overrides.comments);

  const base = (warn: WarningSink): MapperContextBase => ({ warn, limits, isSystemLabel });

  /** Shared canonical normalization (see canonical.ts). `names` maps each field to the mapper that made it. */
  function normalizeCanonical(
    raw: CanonicalIncident,
    side: "defender" | "sentinel",
    names: Readonly<Record<CanonicalField, string>>,
    warn: WarningSink,
    fallbackTitle: () => string,
  ): CanonicalIncident {
    for (const field of Object.keys(canonicalShape) as CanonicalField[]) {
      check(canonicalShape[field], raw[field], field, names[field]);
    }
    let titleText = clean(raw.title, "title", warn).trim();
    if (titleText === "" && side === "defender") {
      titleText = fallbackTitle();
      warn({ field: "title", kind: "lossy", message: `No usable title; using "${titleText}"` });
    }
    const optionalText = (value: string | undefined, field: string): string | undefined => {
      if (value === undefined) return undefined;
      const t = clean(value, field, warn);
      return t.trim() === "" ? undefined : t;
    };
    const tagSet = new Set<string>();
    for (const tag of raw.tags) {
      const t = clean(tag, "tags", warn).trim();
      if (t === "") continue;
      if (t.length > limits.labelMaxLength) {
        warn({
          field: "tags",
          kind: "dropped",
          message: `Tag longer than ${limits.labelMaxLength} characters left out`,
        });
        continue;
      }
      if (isSystemLabel(t)) {
        if (side === "defender") {
          warn({
            field: "tags",
            kind: "dropped",
            message: `Tag "${t.slice(0, 64)}" is a system label; not synced`,
          });
        }
        continue;
      }
      tagSet.add(t);
    }
    const ownerText = optionalText(raw.owner, "owner")?.trim().toLowerCase();
    const closed = raw.status === "closed";
    const canonical: CanonicalIncident = {
      title: titleText,
      description: clean(raw.description, "description", warn).trimEnd(),
      severity: raw.severity,
      status: raw.status,
      classification: closed ? raw.classification : "undetermined",
      classificationDetail: closed
        ? optionalText(raw.classificationDetail, "classificationDetail")?.trim()
        : undefined,
      closingComment: closed ? optionalText(raw.closingComment, "closingComment") : undefined,
      owner: ownerText === "" ? undefined : ownerText,
      tags: [...tagSet].sort(),
      redirectTarget: optionalText(raw.redirectTarget, "redirectTarget")?.trim(),
    };
    check(canonicalIncidentSchema, canonical, "incident", `${side}ToCanonical`);
    return canonical;
  }

  function defenderToCanonicalInner(incident: DefenderIncident, warn: WarningSink): CanonicalIncident {
    const record = asRecord(incident);
    if (record === undefined)
      fail("incident", "defenderToCanonical", "the Defender incident is not an object");
    const inc = record as DefenderIncident;
    const ctx: DefenderReadContext = { ...base(warn), direction: "defenderToCanonical", incident: inc };
    const s = (key: string) => asString(own(record, key));
    const cls = invoke(
      classification,
      "fromDefender",
      "classification",
      {
        classification: s("classification"),
        determination: s("determination"),
      },
      ctx,
    );
    const clsValue = asRecord(cls);
    const raw: CanonicalIncident = {
      title: invoke(title, "fromDefender", "title", s("displayName"), ctx),
      description: invoke(description, "fromDefender", "description", s("description"), ctx),
      severity: invoke(severity, "fromDefender", "severity", s("severity"), ctx),
      status: invoke(status, "fromDefender", "status", s("status"), ctx),
      classification: own(clsValue, "classification") as CanonicalIncident["classification"],
      classificationDetail: own(clsValue, "detail") as string | undefined,
      closingComment: invoke(closingComment, "fromDefender", "closingComment", s("resolvingComment"), ctx),
      owner: invoke(owner, "fromDefender", "owner", s("assignedTo"), ctx),
      // Raw payloads may still use the legacy name `tags` (quirk G3; the zod model folds it into customTags).
      tags: invoke(
        tags,
        "fromDefender",
        "tags",
        asArray(own(record, "customTags") ?? own(record, "tags")) as string[],
        ctx,
      ),
      redirectTarget: s("redirectIncidentId"),
    };
    return normalizeCanonical(
      raw,
      "defender",
      {
        title: mapperName(title, "fromDefender"),
        description: mapperName(description, "fromDefender"),
        severity: mapperName(severity, "fromDefender"),
        status: mapperName(status, "fromDefender"),
        classification: mapperName(classification, "fromDefender"),
        classificationDetail: mapperName(classification, "fromDefender"),
        closingComment: mapperName(closingComment, "fromDefender"),
        owner: mapperName(owner, "fromDefender"),
        tags: mapperName(tags, "fromDefender"),
        redirectTarget: "defenderToCanonical",
      },
      warn,
      () => untitledDefenderIncident(own(record, "id")),
    );
  }

  function sentinelToCanonicalInner(
    incident: SentinelIncident | SentinelIncidentProperties,
    warn: WarningSink,
  ): CanonicalIncident {
    const props = propertiesOf(incident);
    const record = props as unknown as Readonly<Record<string, unknown>>;
    const ctx: SentinelReadContext = { ...base(warn), direction: "sentinelToCanonical", incident: props };
    const s = (key: string) => asString(own(record, key));
    const cls = invoke(
      classification,
      "fromSentinel",
      "classification",
      {
        classification: s("classification"),
        reason: s("classificationReason"),
      },
      ctx,
    );
    const clsValue = asRecord(cls);
    const ownerValue = asRecord(own(record, "owner")) as SentinelIncidentProperties["owner"];
    const labels = asArray(own(record, "labels")) as IncidentLabel[];
    const raw: CanonicalIncident = {
      title: invoke(title, "fromSentinel", "title", s("title"), ctx),
      description: invoke(description, "fromSentinel", "description", s("description"), ctx),
      severity: invoke(severity, "fromSentinel", "severity", s("severity"), ctx),
      status: invoke(status, "fromSentinel", "status", s("status"), ctx),
      classification: own(clsValue, "classification") as CanonicalIncident["classification"],
      classificationDetail: own(clsValue, "detail") as string | undefined,
      closingComment: invoke(
        closingComment,
        "fromSentinel",
        "closingComment",
        s("classificationComment"),
        ctx,
      ),
      owner: invoke(owner, "fromSentinel", "owner", ownerValue, ctx),
      tags: invoke(tags, "fromSentinel", "tags", labels, ctx),
      redirectTarget: undefined,
    };
    return normalizeCanonical(
      raw,
      "sentinel",
      {
        title: mapperName(title, "fromSentinel"),
        description: mapperName(description, "fromSentinel"),
        severity: mapperName(severity, "fromSentinel"),
        status: mapperName(status, "fromSentinel"),
        classification: mapperName(classification, "fromSentinel"),
        classificationDetail: mapperName(classification, "fromSentinel"),
        closingComment: mapperName(closingComment, "fromSentinel"),
        owner: mapperName(owner, "fromSentinel"),
        tags: mapperName(tags, "fromSentinel"),
        redirectTarget: "sentinelToCanonical",
      },
      warn,
      () => "",
    );
  }

  function renderLabels(
    ctx: SentinelRenderContext,
    warn: WarningSink,
  ): NonNullable<SentinelIncidentWriteProperties["labels"]> {
    const labels: NonNullable<SentinelIncidentWriteProperties["labels"]> = [];
    const seen = new Set<string>();
    const add = (name: string, labelType: "User" | "AutoAssigned" | undefined, origin: string) => {
      const n = clean(name, "labels", warn).trim();
      if (n === "") return;
      if (n.length > limits.labelMaxLength) {
        warn({
          field: "labels",
          kind: "dropped",
          message: `Label from ${origin} longer than ${limits.labelMaxLength} characters left out`,
        });
        return;
      }
      const key = `${labelType ?? ""}\u0000${n}`;
      if (seen.has(key)) return;
      seen.add(key);
      labels.push(labelType === undefined ? { labelName: n } : { labelName: n, labelType });
    };
    // 1. What the existing incident has that is not a user tag (AutoAssigned, future label types) is kept.
    for (const label of asArray(ctx.existing?.labels)) {
      if (isUserLabel(label)) continue;
      const record = asRecord(label);
      const name = ownString(record, "labelName");
      if (name === undefined) continue;
      const type = ownString(record, "labelType");
      if (type !== undefined && knownLabelTypes.has(type))
        add(name, type as "AutoAssigned", "the existing incident");
      else {
        warn({
          field: "labels",
          kind: "lossy",
          message: `Label type "${String(type).slice(0, 32)}" is unknown; sent without type`,
        });
        add(name, undefined, "the existing incident");
      }
    }
    // 2. User tags.
    const userNames = check(
      labelNamesSchema,
      invoke(tags, "toSentinel", "labels", ctx.canonical.tags, ctx),
      "labels",
      mapperName(tags, "toSentinel"),
    );
    for (const name of userNames) add(name, "User", "tags");
    // 3. System and derived labels; each must be a system label or it would come back as a user tag.
    for (const fn of ["systemLabels", "derive"] as const) {
      const names = check(labelNamesSchema, invoke(tags, fn, "labels", ctx), "labels", mapperName(tags, fn));
      for (const name of names) {
        if (!isSystemLabel(name)) {
          fail(
            "labels",
            mapperName(tags, fn),
            `label "${name.slice(0, 64)}" is not a system label: list it in systemLabels or systemLabelPrefixes`,
          );
        }
        add(name, "User", fn);
      }
    }
    return labels;
  }

  function renderSentinelInner(
    canonicalInput: CanonicalIncident,
    context: RenderSentinelContext,
    warn: WarningSink,
  ): SentinelIncidentWriteProperties {
    check(canonicalIncidentSchema, canonicalInput, "canonical", "renderSentinel (input)");
    const canonical = canonicalInput;
    const existingRaw = context.existing === undefined ? undefined : asRecord(context.existing);
    const existing =
      existingRaw === undefined
        ? undefined
        : (propertiesOf(existingRaw as SentinelIncidentProperties) as SentinelIncidentProperties);
    const defender =
      context.defender === undefined ? undefined : (asRecord(context.defender) as DefenderIncident);
    const ctx: SentinelRenderContext = {
      ...base(warn),
      direction: "renderSentinel",
      canonical,
      defender,
      existing,
    };

    // Title: cleaned, never empty, within the limit.
    const titleName = mapperName(title, "toSentinel");
    let titleText = check(
      writeShape.title,
      invoke(title, "toSentinel", "title", canonical.title, ctx),
      "title",
      titleName,
    );
    titleText = clean(titleText, "title", warn).trim();
    if (titleText === "") fail("title", titleName, "returned an empty title");
    titleText = cut(titleText, limits.titleMaxLength, "title", warn);

    const sev = check(
      writeShape.severity,
      invoke(severity, "toSentinel", "severity", canonical.severity, ctx),
      "severity",
      mapperName(severity, "toSentinel"),
    );
    const st = check(
      writeShape.status,
      invoke(status, "toSentinel", "status", canonical.status, ctx),
      "status",
      mapperName(status, "toSentinel"),
    );

    const body: SentinelIncidentWriteProperties = { title: titleText, severity: sev, status: st };

    // Description with the appended sections.
    const sectionsName = mapperName(description, "sections");
    const sections = invoke(description, "sections", "description", ctx);
    if (
      !Array.isArray(sections) ||
      !sections.every((s) => asRecord(s) !== undefined && Array.isArray(s.lines))
    ) {
      fail("description", sectionsName, "returned something other than an array of { heading?, lines[] }");
    }
    const descName = mapperName(description, "toSentinel");
    let desc = check(
      writeShape.description.unwrap(),
      invoke(description, "toSentinel", "description", canonical.description, {
        ...ctx,
        sections: sections as DescriptionSection[],
      }),
      "description",
      descName,
    );
    desc = cut(clean(desc, "description", warn), limits.descriptionMaxLength, "description", warn);
    body.description = desc;

    // Closing attributes: only on Closed (Sentinel requires a classification then; BenignPositive needs a reason).
    if (st === "Closed") {
      const clsName = mapperName(classification, "toSentinel");
      const out = asRecord(
        invoke(
          classification,
          "toSentinel",
          "classification",
          {
            classification: canonical.classification,
            detail: canonical.classificationDetail,
          },
          ctx,
        ),
      );
      const cls = check(
        writeShape.classification.unwrap(),
        own(out, "classification"),
        "classification",
        clsName,
      );
      const reason = own(out, "reason");
      body.classification = cls;
      if (reason !== undefined) {
        body.classificationReason = check(
          writeShape.classificationReason.unwrap(),
          reason,
          "classificationReason",
          clsName,
        );
      } else if (cls === "BenignPositive") {
        fail(
          "classificationReason",
          clsName,
          "BenignPositive needs a classificationReason (Sentinel answers 400)",
        );
      }
      const commentName = mapperName(closingComment, "toSentinel");
      const comment = invoke(closingComment, "toSentinel", "closingComment", canonical.closingComment, ctx);
      if (comment !== undefined) {
        const c = clean(
          check(writeShape.classificationComment.unwrap(), comment, "classificationComment", commentName),
          "closingComment",
          warn,
        );
        if (c.trim() !== "")
          body.classificationComment = cut(c, limits.classificationCommentMaxLength, "closingComment", warn);
      }
    }

    // Owner.
    const ownerName = mapperName(owner, "toSentinel");
    const ownerOut = invoke(owner, "toSentinel", "owner", canonical.owner, ctx);
    if (ownerOut !== undefined) {
      const o = check(writeShape.owner.unwrap(), ownerOut, "owner", ownerName);
      const written: NonNullable<SentinelIncidentWriteProperties["owner"]> = {};
      for (const key of ["objectId", "email", "assignedTo", "userPrincipalName"] as const) {
        const v = o[key];
        const c = typeof v === "string" ? clean(v, "owner", warn).trim() : "";
        if (c !== "") written[key] = c;
      }
      if (o.ownerType !== undefined && o.ownerType !== null) written.ownerType = o.ownerType;
      if (typeof written.objectId === "string" && !isGuid(written.objectId)) {
        fail("owner.objectId", ownerName, "objectId must be a GUID");
      }
      if (Object.keys(written).length > 0) body.owner = written;
    }

    body.labels = renderLabels(ctx, warn);

    // Activity times.
    const activityName = mapperName(activity, "toSentinel");
    const times = asRecord(invoke(activity, "toSentinel", "firstActivityTimeUtc", ctx));
    for (const key of ["firstActivityTimeUtc", "lastActivityTimeUtc"] as const) {
      const v = own(times, key);
      if (v === undefined) continue;
      if (typeof v !== "string" || !isDateTime(v)) fail(key, activityName, "not an RFC 3339 date-time");
      body[key] = v;
    }

    return check(sentinelIncidentWritePropertiesSchema, body, "incident", "renderSentinel");
  }

  function renderDefenderPatchInner(
    changesInput: Partial<CanonicalIncident>,
    context: RenderDefenderPatchContext,
    warn: WarningSink,
  ): DefenderIncidentPatch {
    const changes = check(partialCanonicalSchema, changesInput, "changes", "renderDefenderPatch (input)");
    const has = (field: CanonicalField) => Object.hasOwn(changes, field) && changes[field] !== undefined;
    const current =
      context.current === undefined ? undefined : (asRecord(context.current) as DefenderIncident);
    let currentCanonical: CanonicalIncident | undefined;
    if (current !== undefined) {
      currentCanonical = defenderToCanonicalInner(current, () => {});
    }
    const targetStatus: CanonicalStatus | undefined = changes.status ?? currentCanonical?.status;
    const ctx: DefenderRenderContext = {
      ...base(warn),
      direction: "renderDefenderPatch",
      changes,
      current,
      currentCanonical,
      targetStatus,
    };
    const cur = (key: string): unknown => own(current as unknown as Record<string, unknown>, key);
    const patch: DefenderIncidentPatch = {};

    const text = (field: "title" | "description", key: "displayName" | "description") => {
      const value = changes[field];
      if (value === undefined) return;
      if (isTruncated(value)) {
        warn({ field, kind: "dropped", message: "A value truncated by this package is never written back" });
        return;
      }
      const c = field === "title" ? title : description;
      const out = invoke(c, "toDefender", field, value, ctx);
      if (out === undefined) return;
      const v = check(patchShape[key].unwrap(), out, field, mapperName(c, "toDefender"));
      if (v !== cur(key)) patch[key] = v;
    };
    text("title", "displayName");
    text("description", "description");

    if (changes.severity !== undefined) {
      const out = invoke(severity, "toDefender", "severity", changes.severity, ctx);
      if (out !== undefined) {
        const v = check(patchShape.severity.unwrap(), out, "severity", mapperName(severity, "toDefender"));
        if (v !== cur("severity")) patch.severity = v;
      }
    }
    if (changes.status !== undefined) {
      const out = invoke(status, "toDefender", "status", changes.status, ctx);
      if (out !== undefined) {
        const v = check(patchShape.status.unwrap(), out, "status", mapperName(status, "toDefender"));
        if (v !== cur("status")) patch.status = v;
      }
    }

    // Closing attributes.
    if (targetStatus === "closed") {
      const currentCls = (asString(cur("classification")) ?? "").toLowerCase();
      const currentReal = REAL_DEFENDER_CLASSIFICATIONS.has(currentCls);
      const wasClosed = currentCanonical?.status === "closed";
      let targetCls = changes.classification;
      if (
        targetCls === undefined &&
        has("classificationDetail") &&
        currentCanonical?.classification !== "undetermined"
      ) {
        targetCls = currentCanonical?.classification;
      }
      const wantsClassification =
        targetCls !== undefined &&
        (targetCls !== "undetermined" || current === undefined || (wasClosed && currentReal));
      if (targetCls !== undefined && wantsClassification) {
        const clsName = mapperName(classification, "toDefender");
        const out = asRecord(
          invoke(
            classification,
            "toDefender",
            "classification",
            {
              classification: targetCls,
              detail: has("classificationDetail") ? changes.classificationDetail : undefined,
            },
            ctx,
          ),
        );
        const cls = check(
          patchShape.classification.unwrap(),
          own(out, "classification"),
          "classification",
          clsName,
        );
        if (cls.toLowerCase() !== currentCls) patch.classification = cls;
        const det = own(out, "determination");
        if (det !== undefined) {
          const d = check(patchShape.determination.unwrap(), det, "classificationDetail", clsName);
          if (d.toLowerCase() !== (asString(cur("determination")) ?? "").toLowerCase())
            patch.determination = d;
        }
      }
      if (Object.hasOwn(changes, "closingComment")) {
        const value = changes.closingComment;
        if (value !== undefined && isTruncated(value)) {
          warn({
            field: "closingComment",
            kind: "dropped",
            message: "A value truncated by this package is never written back",
          });
        } else {
          const out = invoke(closingComment, "toDefender", "closingComment", value, ctx);
          if (out !== undefined) {
            const v = check(
              patchShape.resolvingComment.unwrap(),
              out,
              "closingComment",
              mapperName(closingComment, "toDefender"),
            );
            if (v !== cur("resolvingComment")) patch.resolvingComment = v;
          }
        }
      }
    } else if (
      (has("classification") && changes.classification !== "undetermined") ||
      has("closingComment")
    ) {
      // Open incidents carry no closing attributes in canonical form; a caller asking for them gets told.
      warn({
        field: "classification",
        kind: "dropped",
        message: "Classification and closing comment are only written together with a closed status",
      });
    }

    if (Object.hasOwn(changes, "owner")) {
      const out = invoke(owner, "toDefender", "owner", changes.owner, ctx);
      const v = check(patchShape.assignedTo.unwrap(), out, "owner", mapperName(owner, "toDefender"));
      const now = asString(cur("assignedTo"));
      const same =
        v === null
          ? now === undefined || now.trim() === ""
          : now !== undefined && now.trim().toLowerCase() === v.trim().toLowerCase();
      if (!same || current === undefined) patch.assignedTo = v;
    }

    if (changes.tags !== undefined) {
      const out = invoke(tags, "toDefender", "tags", changes.tags, ctx);
      const v = check(patchShape.customTags.unwrap(), out, "tags", mapperName(tags, "toDefender"));
      if (current === undefined || !sameTagSet(v, asArray(cur("customTags")))) patch.customTags = v;
    }

    if (changes.redirectTarget !== undefined && changes.redirectTarget !== currentCanonical?.redirectTarget) {
      warn({ field: "redirectTarget", kind: "dropped", message: "redirectIncidentId is read-only in Graph" });
    }

    return check(defenderIncidentPatchSchema, patch, "patch", "renderDefenderPatch");
  }

  function renderComment(
    c: Composed<CommentMapper>,
    fn: "toSentinel" | "toDefender",
    text: string,
    meta: SentinelCommentMeta | DefenderCommentMeta,
    max: number,
    warn: WarningSink,
  ): string {
    const name = mapperName(c, fn);
    if (typeof text !== "string") fail("comment", name, "comment text is not a string");
    if (sanitizeText(text).text.trim() === "") fail("comment", name, "comment text is empty");
    const safeMeta = asRecord(meta) ?? {};
    const out = (c.mapper[fn] as (t: string, m: unknown, x: MapperContextBase) => unknown)(
      text,
      safeMeta,
      base(warn),
    );
    if (typeof out !== "string") fail("comment", name, "returned something other than a string");
    const cleaned = clean(out, "comment", warn);
    if (cleaned.trim() === "") fail("comment", name, "returned an empty comment");
    return cut(cleaned, max, "comment", warn);
  }

  const profile: MappingProfile = {
    defenderToCanonical: (incident) => run((warn) => defenderToCanonicalInner(incident, warn)),
    sentinelToCanonical: (incident) => run((warn) => sentinelToCanonicalInner(incident, warn)),
    renderSentinel: (canonical, context) =>
      run((warn) => renderSentinelInner(canonical, context ?? {}, warn)),
    renderDefenderPatch: (changes, context) =>
      run((warn) => renderDefenderPatchInner(changes, context ?? {}, warn)),
    renderSentinelComment: (text, meta) =>
      run((warn) => {
        try {
          return renderComment(comments, "toSentinel", text, meta, limits.sentinelCommentMaxLength, warn);
        } catch (e) {
          if (isMappingError(e)) throw e;
          throw new MappingError({
            field: "comment",
            mapper: mapperName(comments, "toSentinel"),
            message: `mapper threw: ${message(e)}`,
            cause: e,
          });
        }
      }),
    renderDefenderComment: (text, meta) =>
      run((warn) => {
        try {
          return renderComment(comments, "toDefender", text, meta, limits.defenderCommentMaxLength, warn);
        } catch (e) {
          if (isMappingError(e)) throw e;
          throw new MappingError({
            field: "comment",
            mapper: mapperName(comments, "toDefender"),
            message: `mapper threw: ${message(e)}`,
            cause: e,
          });
        }
      }),
    systemLabels,
    systemLabelPrefixes,
    isSystemLabel,
    limits,
    classificationTable: table,
    equals: comparator.equals,
    diff: comparator.diff,
  };
  return Object.freeze(profile);
}
