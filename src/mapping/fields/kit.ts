/**
 * The plumbing every field module shares: calling a (possibly overridden) mapper so that whatever it throws
 * becomes a MappingError naming the field and the mapper, checking its return value against the field's schema,
 * and the text hygiene (control characters, truncation) applied to every text a profile outputs.
 */
import type { z } from "zod";
import { isMappingError, MappingError } from "../../core/errors";
import { zodIssues } from "../../core/validationIssues";
import type { DefenderIncident, DefenderIncidentPatch } from "../../defender/models";
import { defenderIncidentPatchSchema } from "../../defender/models";
import type { SentinelIncidentProperties } from "../../sentinel/models";
import { sentinelIncidentWritePropertiesSchema } from "../../sentinel/models";
import type { CanonicalField, CanonicalIncident } from "../canonical";
import type { CompiledClassificationTable } from "../classification";
import { asRecord, asString, own } from "../guards";
import { isTruncated, truncateWithMarker } from "../limits";
import { composeMapper, type DefenderRenderContext, type MapperOverrides } from "../mapper";
import type { MappingResult, MappingWarning, WarningSink } from "../result";
import { sanitizeText } from "../text";

/** A mapper group with its overrides applied, and what error messages need to name it. */
export interface Composed<M> {
  readonly mapper: M;
  readonly overridden: ReadonlySet<string>;
  readonly group: string;
}

export function compose<M extends object>(
  group: string,
  base: M,
  overrides: MapperOverrides<M> | undefined,
): Composed<M> {
  return { group, ...composeMapper(base, overrides) };
}

/** "group.fn", marked when the function is an override (so users see whose code failed). */
export function mapperName(c: Composed<unknown>, fn: string): string {
  return `${c.group}.${fn}${c.overridden.has(fn) ? " (override)" : ""}`;
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === "string" ? e : "non-error value thrown";
}

/** A MappingError as is; anything else thrown by `mapper` wrapped into one naming `field`. */
export function asMapperError(e: unknown, field: string, mapper: string): MappingError {
  if (isMappingError(e)) return e;
  return new MappingError({ field, mapper, message: `mapper threw: ${errorMessage(e)}`, cause: e });
}

/** Calls one mapper function; anything it throws becomes a MappingError naming `field` and the mapper. */
export function invoke<M, K extends keyof M & string>(
  c: Composed<M>,
  fn: K,
  field: string,
  ...args: M[K] extends (...a: infer A) => unknown ? A : never
): M[K] extends (...a: never[]) => infer R ? R : never {
  try {
    return (c.mapper[fn] as (...a: unknown[]) => never)(...args);
  } catch (e) {
    throw asMapperError(e, field, mapperName(c, fn));
  }
}

/** `value` if `schema` accepts it, else a MappingError naming `field` and `mapper`. */
export function check<S extends z.ZodType>(
  schema: S,
  value: unknown,
  field: string,
  mapper: string,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new MappingError({
    field,
    mapper,
    message: `returned an invalid value: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    issues: zodIssues(parsed.error, field),
  });
}

export function fail(field: string, mapper: string, text: string): never {
  throw new MappingError({ field, mapper, message: text });
}

/** Runs one profile operation: warnings collected, every failure returned as `{ ok: false, error }`. */
export function run<T>(body: (warn: WarningSink) => T): MappingResult<T> {
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
      error: new MappingError({ field: "(input)", mapper: "profile", message: errorMessage(e), cause: e }),
    };
  }
}

/** Removes control characters (warning when any were removed). */
export function clean(text: string, field: string, warn: WarningSink): string {
  const s = sanitizeText(text);
  if (s.removed > 0) {
    warn({ field, kind: "dropped", message: `Removed ${s.removed} control or invalid character(s)` });
  }
  return s.text;
}

/** Cleaned, or undefined when nothing but whitespace is left. */
export function cleanOptional(
  value: string | undefined,
  field: string,
  warn: WarningSink,
): string | undefined {
  if (value === undefined) return undefined;
  const t = clean(value, field, warn);
  return t.trim() === "" ? undefined : t;
}

/** Cuts `text` to `max` characters with the truncation marker (warning when cut). */
export function cut(text: string, max: number, field: string, warn: WarningSink): string {
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

/** Truncated texts are never written back: they would overwrite the whole value with its prefix. */
export function droppedTruncated(field: string, warn: WarningSink): void {
  warn({ field, kind: "dropped", message: "A value truncated by this package is never written back" });
}

/** Field schemas of a Sentinel PUT body and of a Defender PATCH. */
export const writeShape = sentinelIncidentWritePropertiesSchema.shape;
export const patchShape = defenderIncidentPatchSchema.shape;

/** A string property of an incident as handed over (never trusted to match its type). */
export function incidentString(
  incident: DefenderIncident | SentinelIncidentProperties | undefined,
  key: string,
): string | undefined {
  return asString(own(asRecord(incident), key));
}

/** Equality of one canonical field, modulo the known lossy mappings (see `CanonicalComparator.equals`). */
export type FieldEquals = (
  a: CanonicalIncident,
  b: CanonicalIncident,
  table: CompiledClassificationTable,
) => boolean;

/** The equality of each canonical field a field module owns. */
export type FieldEquality<F extends CanonicalField> = Readonly<Record<F, FieldEquals>>;

/** What title and description mappers have in common on the way to Defender. */
interface DefenderTextMapper {
  toDefender(value: string, ctx: DefenderRenderContext): string | undefined;
}

/** The PATCH part of a text field: only when changed, never a value this package truncated. */
export function renderDefenderText<K extends "displayName" | "description">(
  c: Composed<DefenderTextMapper>,
  ctx: DefenderRenderContext,
  field: "title" | "description",
  key: K,
): Pick<DefenderIncidentPatch, K> | Record<string, never> {
  const value = ctx.changes[field];
  if (value === undefined) return {};
  if (isTruncated(value)) {
    droppedTruncated(field, ctx.warn);
    return {};
  }
  const out = invoke(c, "toDefender", field, value, ctx);
  if (out === undefined) return {};
  const v = check(patchShape[key].unwrap(), out, field, mapperName(c, "toDefender"));
  return v === incidentString(ctx.current, key) ? {} : ({ [key]: v } as Pick<DefenderIncidentPatch, K>);
}

/** Whether `changes` carries a value for `field`. */
export function hasChange(changes: Partial<CanonicalIncident>, field: CanonicalField): boolean {
  return Object.hasOwn(changes, field) && changes[field] !== undefined;
}
