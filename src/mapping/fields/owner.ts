/**
 * Owner field: Defender `assignedTo` (a UPN) ⇄ canonical `owner` (lower-cased UPN) ⇄ Sentinel `owner` object.
 */
import type { DefenderIncidentPatch } from "../../defender/models";
import type { SentinelIncidentProperties, SentinelIncidentWriteProperties } from "../../sentinel/models";
import { asRecord, isGuid, own } from "../guards";
import type {
  DefenderReadContext,
  DefenderRenderContext,
  SentinelReadContext,
  SentinelRenderContext,
} from "../mapper";
import type { OwnerMapper } from "../owner";
import type { WarningSink } from "../result";
import {
  type Composed,
  check,
  clean,
  cleanOptional,
  type FieldEquality,
  fail,
  incidentString,
  invoke,
  mapperName,
  patchShape,
  writeShape,
} from "./kit";

type SentinelOwner = NonNullable<SentinelIncidentWriteProperties["owner"]>;

export const read = {
  fromDefender: (c: Composed<OwnerMapper>, ctx: DefenderReadContext) =>
    invoke(c, "fromDefender", "owner", incidentString(ctx.incident, "assignedTo"), ctx),
  fromSentinel: (c: Composed<OwnerMapper>, ctx: SentinelReadContext) => {
    const value = asRecord(own(asRecord(ctx.incident), "owner")) as SentinelIncidentProperties["owner"];
    return invoke(c, "fromSentinel", "owner", value, ctx);
  },
  /** A trimmed, lower-cased UPN; undefined when unassigned. */
  normalize(raw: string | undefined, warn: WarningSink): string | undefined {
    const upn = cleanOptional(raw, "owner", warn)?.trim().toLowerCase();
    return upn === "" ? undefined : upn;
  },
};

/** The owner object as written: cleaned, blank fields left out, `objectId` a GUID. */
function writtenOwner(owner: SentinelOwner, name: string, warn: WarningSink): SentinelOwner {
  const written: SentinelOwner = {};
  for (const key of ["objectId", "email", "assignedTo", "userPrincipalName"] as const) {
    const v = owner[key];
    const c = typeof v === "string" ? clean(v, "owner", warn).trim() : "";
    if (c !== "") written[key] = c;
  }
  if (owner.ownerType !== undefined && owner.ownerType !== null) written.ownerType = owner.ownerType;
  if (typeof written.objectId === "string" && !isGuid(written.objectId)) {
    fail("owner.objectId", name, "objectId must be a GUID");
  }
  return written;
}

function toSentinel(
  c: Composed<OwnerMapper>,
  ctx: SentinelRenderContext,
): Pick<SentinelIncidentWriteProperties, "owner"> {
  const out = invoke(c, "toSentinel", "owner", ctx.canonical.owner, ctx);
  if (out === undefined) return {};
  const name = mapperName(c, "toSentinel");
  const written = writtenOwner(check(writeShape.owner.unwrap(), out, "owner", name), name, ctx.warn);
  return Object.keys(written).length > 0 ? { owner: written } : {};
}

/** Sent when `changes` names the owner and Defender's assignee differs (case-insensitively), or is unknown. */
function toDefender(
  c: Composed<OwnerMapper>,
  ctx: DefenderRenderContext,
): Pick<DefenderIncidentPatch, "assignedTo"> {
  if (!Object.hasOwn(ctx.changes, "owner")) return {};
  const out = invoke(c, "toDefender", "owner", ctx.changes.owner, ctx);
  const v = check(patchShape.assignedTo.unwrap(), out, "owner", mapperName(c, "toDefender"));
  const now = incidentString(ctx.current, "assignedTo");
  const same =
    v === null
      ? now === undefined || now.trim() === ""
      : now !== undefined && now.trim().toLowerCase() === v.trim().toLowerCase();
  return same && ctx.current !== undefined ? {} : { assignedTo: v };
}

export const render = { toSentinel, toDefender };

export const equals: FieldEquality<"owner"> = {
  owner: (a, b) => a.owner?.toLowerCase() === b.owner?.toLowerCase(),
};
