/**
 * Rendering shared by the two enum fields (severity, status): the mapper's value checked against the wire enum,
 * and sent to Defender only when it differs from the current value.
 */
import type { DefenderIncidentPatch } from "../../defender/models";
import type { SentinelIncidentWriteProperties } from "../../sentinel/models";
import type { CanonicalIncident } from "../canonical";
import type { DefenderRenderContext, SentinelRenderContext } from "../mapper";
import { type Composed, check, incidentString, invoke, mapperName, patchShape, writeShape } from "./kit";

export type EnumField = "severity" | "status";

/** What severity and status mappers have in common on the way out. */
export interface EnumFieldMapper<V> {
  toSentinel(value: V, ctx: SentinelRenderContext): unknown;
  toDefender(value: V, ctx: DefenderRenderContext): unknown;
}

export function renderSentinelEnum<F extends EnumField>(
  c: Composed<EnumFieldMapper<CanonicalIncident[F]>>,
  ctx: SentinelRenderContext,
  field: F,
): Pick<SentinelIncidentWriteProperties, F> {
  const out = invoke(c, "toSentinel", field, ctx.canonical[field], ctx);
  const value = check(writeShape[field], out, field, mapperName(c, "toSentinel"));
  return { [field]: value } as Pick<SentinelIncidentWriteProperties, F>;
}

export function renderDefenderEnum<F extends EnumField>(
  c: Composed<EnumFieldMapper<CanonicalIncident[F]>>,
  ctx: DefenderRenderContext,
  field: F,
): Pick<DefenderIncidentPatch, F> | Record<string, never> {
  const value = ctx.changes[field];
  if (value === undefined) return {};
  const out = invoke(c, "toDefender", field, value, ctx);
  if (out === undefined) return {};
  const v = check(patchShape[field].unwrap(), out, field, mapperName(c, "toDefender"));
  return v === incidentString(ctx.current, field) ? {} : ({ [field]: v } as Pick<DefenderIncidentPatch, F>);
}
