/**
 * Rendering a canonical record as a complete Sentinel PUT body, field by field. Closing attributes
 * (classification, reason, comment) are only rendered for a closed status: Sentinel shows and accepts them only
 * there.
 */
import type { DefenderIncident } from "../../defender/models";
import type { SentinelIncidentProperties, SentinelIncidentWriteProperties } from "../../sentinel/models";
import { sentinelIncidentWritePropertiesSchema } from "../../sentinel/models";
import { type CanonicalIncident, canonicalIncidentSchema } from "../canonical";
import { asRecord } from "../guards";
import type { SentinelRenderContext } from "../mapper";
import type { WarningSink } from "../result";
import * as activity from "./activity";
import * as classification from "./classification";
import * as closingComment from "./closingComment";
import * as description from "./description";
import { check } from "./kit";
import * as owner from "./owner";
import { mapperBase, type ProfileParts } from "./parts";
import { propertiesOf } from "./readCanonical";
import * as severity from "./severity";
import * as status from "./status";
import * as tags from "./tags";
import * as title from "./title";

/** What `renderSentinel` gets besides the canonical values (see `RenderSentinelContext`). */
export interface SentinelRenderInput {
  defender?: DefenderIncident;
  existing?: SentinelIncidentProperties;
}

function renderContext(
  parts: ProfileParts,
  canonical: CanonicalIncident,
  input: SentinelRenderInput,
  warn: WarningSink,
): SentinelRenderContext {
  const existing = input.existing === undefined ? undefined : asRecord(input.existing);
  return {
    ...mapperBase(parts, warn),
    direction: "renderSentinel",
    canonical,
    defender: input.defender === undefined ? undefined : (asRecord(input.defender) as DefenderIncident),
    existing: existing === undefined ? undefined : propertiesOf(existing as SentinelIncidentProperties),
  };
}

export function renderSentinel(
  parts: ProfileParts,
  canonical: CanonicalIncident,
  input: SentinelRenderInput,
  warn: WarningSink,
): SentinelIncidentWriteProperties {
  check(canonicalIncidentSchema, canonical, "canonical", "renderSentinel (input)");
  const ctx = renderContext(parts, canonical, input, warn);
  const m = parts.mappers;
  const body: SentinelIncidentWriteProperties = {
    ...title.render.toSentinel(m.title, ctx),
    ...severity.render.toSentinel(m.severity, ctx),
    ...status.render.toSentinel(m.status, ctx),
    ...description.render.toSentinel(m.description, ctx),
  };
  if (body.status === "Closed") {
    Object.assign(body, classification.render.toSentinel(m.classification, ctx));
    Object.assign(body, closingComment.render.toSentinel(m.closingComment, ctx));
  }
  Object.assign(body, owner.render.toSentinel(m.owner, ctx));
  Object.assign(body, tags.render.toSentinel(m.tags, ctx));
  Object.assign(body, activity.render.toSentinel(m.activity, ctx));
  return check(sentinelIncidentWritePropertiesSchema, body, "incident", "renderSentinel");
}
