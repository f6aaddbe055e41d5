/**
 * Reading an incident of either side into canonical form: every field module's reader, then the shared checks
 * and normalization (see canonical.ts). All mappers run before any of their values is checked, so the first
 * failure reported is the same whatever the field order.
 */
import type { DefenderIncident } from "../../defender/models";
import type { SentinelIncident, SentinelIncidentProperties } from "../../sentinel/models";
import { type CanonicalField, type CanonicalIncident, canonicalIncidentSchema } from "../canonical";
import { asRecord, own, ownString } from "../guards";
import type { DefenderReadContext, SentinelReadContext } from "../mapper";
import type { WarningSink } from "../result";
import { untitledDefenderIncident } from "../title";
import * as classification from "./classification";
import * as closingComment from "./closingComment";
import * as description from "./description";
import { check, fail, mapperName } from "./kit";
import * as owner from "./owner";
import { mapperBase, type ProfileParts } from "./parts";
import * as redirect from "./redirect";
import * as severity from "./severity";
import * as status from "./status";
import * as tags from "./tags";
import * as title from "./title";

type Side = "defender" | "sentinel";
type Direction = "fromDefender" | "fromSentinel";

const canonicalShape = canonicalIncidentSchema.shape;

/** The `properties` of a Sentinel incident, or the object itself when it already is the properties. */
export function propertiesOf(
  incident: SentinelIncident | SentinelIncidentProperties,
): SentinelIncidentProperties {
  const record = asRecord(incident);
  if (record === undefined) fail("incident", "sentinelToCanonical", "the Sentinel incident is not an object");
  const props = asRecord(own(record, "properties"));
  if (props !== undefined && ownString(record, "title") === undefined)
    return props as SentinelIncidentProperties;
  return record as SentinelIncidentProperties;
}

/** The mapper that produced each canonical field (named in errors). */
function producers(parts: ProfileParts, fn: Direction, side: Side): Record<CanonicalField, string> {
  const m = parts.mappers;
  return {
    title: mapperName(m.title, fn),
    description: mapperName(m.description, fn),
    severity: mapperName(m.severity, fn),
    status: mapperName(m.status, fn),
    classification: mapperName(m.classification, fn),
    classificationDetail: mapperName(m.classification, fn),
    closingComment: mapperName(m.closingComment, fn),
    owner: mapperName(m.owner, fn),
    tags: mapperName(m.tags, fn),
    redirectTarget: `${side}ToCanonical`,
  };
}

/** Checks every raw field against its schema, then applies the canonical normalization rules. */
function normalizeCanonical(
  parts: ProfileParts,
  raw: CanonicalIncident,
  side: Side,
  warn: WarningSink,
  fallbackTitle: () => string,
): CanonicalIncident {
  const names = producers(parts, side === "defender" ? "fromDefender" : "fromSentinel", side);
  for (const field of Object.keys(canonicalShape) as CanonicalField[]) {
    check(canonicalShape[field], raw[field], field, names[field]);
  }
  const titleText = title.read.normalize(raw.title, side, warn, fallbackTitle);
  const tagList = tags.read.normalize(raw.tags, side, mapperBase(parts, warn));
  const ownerUpn = owner.read.normalize(raw.owner, warn);
  const closed = raw.status === "closed";
  const canonical: CanonicalIncident = {
    title: titleText,
    description: description.read.normalize(raw.description, warn),
    severity: raw.severity,
    status: raw.status,
    ...classification.read.normalize(raw, closed, warn),
    closingComment: closingComment.read.normalize(raw.closingComment, closed, warn),
    owner: ownerUpn,
    tags: tagList,
    redirectTarget: redirect.read.normalize(raw.redirectTarget, warn),
  };
  check(canonicalIncidentSchema, canonical, "incident", `${side}ToCanonical`);
  return canonical;
}

export function defenderToCanonical(
  parts: ProfileParts,
  incident: DefenderIncident,
  warn: WarningSink,
): CanonicalIncident {
  const record = asRecord(incident);
  if (record === undefined) fail("incident", "defenderToCanonical", "the Defender incident is not an object");
  const ctx: DefenderReadContext = {
    ...mapperBase(parts, warn),
    direction: "defenderToCanonical",
    incident: record as DefenderIncident,
  };
  const m = parts.mappers;
  const closing = classification.read.fromDefender(m.classification, ctx);
  const raw: CanonicalIncident = {
    title: title.read.fromDefender(m.title, ctx),
    description: description.read.fromDefender(m.description, ctx),
    severity: severity.read.fromDefender(m.severity, ctx),
    status: status.read.fromDefender(m.status, ctx),
    ...closing,
    closingComment: closingComment.read.fromDefender(m.closingComment, ctx),
    owner: owner.read.fromDefender(m.owner, ctx),
    tags: tags.read.fromDefender(m.tags, ctx),
    redirectTarget: redirect.read.fromDefender(ctx),
  };
  return normalizeCanonical(parts, raw, "defender", warn, () => untitledDefenderIncident(own(record, "id")));
}

export function sentinelToCanonical(
  parts: ProfileParts,
  incident: SentinelIncident | SentinelIncidentProperties,
  warn: WarningSink,
): CanonicalIncident {
  const ctx: SentinelReadContext = {
    ...mapperBase(parts, warn),
    direction: "sentinelToCanonical",
    incident: propertiesOf(incident),
  };
  const m = parts.mappers;
  const closing = classification.read.fromSentinel(m.classification, ctx);
  const raw: CanonicalIncident = {
    title: title.read.fromSentinel(m.title, ctx),
    description: description.read.fromSentinel(m.description, ctx),
    severity: severity.read.fromSentinel(m.severity, ctx),
    status: status.read.fromSentinel(m.status, ctx),
    ...closing,
    closingComment: closingComment.read.fromSentinel(m.closingComment, ctx),
    owner: owner.read.fromSentinel(m.owner, ctx),
    tags: tags.read.fromSentinel(m.tags, ctx),
    redirectTarget: redirect.read.fromSentinel(),
  };
  return normalizeCanonical(parts, raw, "sentinel", warn, () => "");
}
