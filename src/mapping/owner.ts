/**
 * Owner: Defender `assignedTo` (free text, usually a UPN) ⇄ canonical lower-cased UPN ⇄ Sentinel `owner`.
 *
 * The translation between a UPN and a Sentinel owner is delegated to an {@link OwnerResolver}. The default sends
 * the UPN as `userPrincipalName` (and `email`) and reads `userPrincipalName ?? email`. Cross-tenant deployments
 * (the Sentinel workspace lives in another tenant) supply a lookup table with {@link createOwnerLookupResolver}.
 * Resolvers are synchronous: prefetch directory lookups into a table.
 */
import type { IncidentOwner, SentinelIncidentWriteProperties } from "../sentinel/models";
import { ownerTypeValues } from "../sentinel/models";
import { asRecord, ownString } from "./guards";
import type {
  DefenderReadContext,
  DefenderRenderContext,
  SentinelReadContext,
  SentinelRenderContext,
} from "./mapper";

/** The owner object written to Sentinel. */
export type SentinelOwnerOutput = NonNullable<SentinelIncidentWriteProperties["owner"]>;

/** Translates between a canonical owner (a UPN as Defender knows it) and a Sentinel owner. */
export interface OwnerResolver {
  /** The Sentinel owner for `upn` (lower-cased), or `undefined` to leave the Sentinel incident unassigned. */
  toSentinel(upn: string): SentinelOwnerOutput | undefined;
  /** The UPN (as Defender knows it) of a Sentinel owner, or `undefined` when it cannot be resolved. */
  fromSentinel(owner: IncidentOwner): string | undefined;
}

/** Sends `{ userPrincipalName, email }` (email only when the UPN looks like an address); reads UPN ?? email. */
export const defaultOwnerResolver: OwnerResolver = {
  toSentinel: (upn) =>
    upn.includes("@") ? { userPrincipalName: upn, email: upn } : { userPrincipalName: upn },
  fromSentinel: (owner) => {
    const record = asRecord(owner);
    const upn = ownString(record, "userPrincipalName")?.trim();
    if (upn) return upn;
    const email = ownString(record, "email")?.trim();
    return email ? email : undefined;
  },
};

/** One row of an owner lookup table. */
export interface OwnerDirectoryEntry {
  /** The UPN as Defender shows it in `assignedTo`. */
  upn: string;
  /** The Entra object id of the owner in the Sentinel workspace's tenant. */
  objectId: string;
  /** The owner's UPN in the Sentinel tenant, when it differs (cross-tenant). */
  sentinelUpn?: string;
  ownerType?: "User" | "Group";
}

/**
 * Options of `createOwnerLookupResolver`: the resolver used for owners not in the table (default: the UPN-only
 * resolver).
 */
export interface OwnerLookupResolverOptions {
  /** Used for owners not in the table. Default: {@link defaultOwnerResolver}. */
  fallback?: OwnerResolver;
}

/**
 * A resolver backed by a lookup table: UPN → objectId (+ Sentinel-tenant UPN) and back, by objectId or by
 * Sentinel UPN/email. Lookups are case-insensitive.
 */
export function createOwnerLookupResolver(
  entries: Iterable<OwnerDirectoryEntry>,
  options: OwnerLookupResolverOptions = {},
): OwnerResolver {
  const fallback = options.fallback ?? defaultOwnerResolver;
  const byUpn = new Map<string, OwnerDirectoryEntry>();
  const byObjectId = new Map<string, OwnerDirectoryEntry>();
  const bySentinelUpn = new Map<string, OwnerDirectoryEntry>();
  for (const entry of entries) {
    byUpn.set(entry.upn.trim().toLowerCase(), entry);
    byObjectId.set(entry.objectId.trim().toLowerCase(), entry);
    bySentinelUpn.set((entry.sentinelUpn ?? entry.upn).trim().toLowerCase(), entry);
  }
  return {
    toSentinel: (upn) => {
      const entry = byUpn.get(upn.trim().toLowerCase());
      if (entry === undefined) return fallback.toSentinel(upn);
      const owner: SentinelOwnerOutput = { objectId: entry.objectId };
      if (entry.sentinelUpn !== undefined) owner.userPrincipalName = entry.sentinelUpn;
      if (entry.ownerType !== undefined) owner.ownerType = entry.ownerType;
      return owner;
    },
    fromSentinel: (owner) => {
      const record = asRecord(owner);
      const objectId = ownString(record, "objectId")?.trim().toLowerCase();
      const hit =
        (objectId ? byObjectId.get(objectId) : undefined) ??
        bySentinelUpn.get(ownString(record, "userPrincipalName")?.trim().toLowerCase() ?? "") ??
        bySentinelUpn.get(ownString(record, "email")?.trim().toLowerCase() ?? "");
      return hit !== undefined ? hit.upn : fallback.fromSentinel(owner);
    },
  };
}

/** The owner mapper group; override any function through `createMappingProfile({ owner })`. */
export interface OwnerMapper {
  fromDefender(value: string | null | undefined, ctx: DefenderReadContext): string | undefined;
  fromSentinel(value: IncidentOwner | null | undefined, ctx: SentinelReadContext): string | undefined;
  /** `undefined`: the Sentinel incident is unassigned. */
  toSentinel(value: string | undefined, ctx: SentinelRenderContext): SentinelOwnerOutput | undefined;
  /** `null` unassigns (UNVERIFIED: Graph documents `null` as "unassigned" on read only). */
  toDefender(value: string | undefined, ctx: DefenderRenderContext): string | null;
}

/** True when a Sentinel owner object names somebody (any identifying field set). */
export function hasOwnerIdentity(owner: unknown): boolean {
  const record = asRecord(owner);
  return ["objectId", "userPrincipalName", "email", "assignedTo"].some((k) => {
    const v = ownString(record, k);
    return v !== undefined && v.trim() !== "";
  });
}

const knownOwnerTypes = new Set<string>(ownerTypeValues);

/** A write-safe copy of an existing owner (no nulls, only known fields and owner types). */
function copyOwner(owner: unknown): SentinelOwnerOutput {
  const record = asRecord(owner);
  const copy: SentinelOwnerOutput = {};
  for (const key of ["objectId", "email", "assignedTo", "userPrincipalName"] as const) {
    const v = ownString(record, key);
    if (v !== undefined) copy[key] = v;
  }
  const ownerType = ownString(record, "ownerType");
  if (ownerType !== undefined && knownOwnerTypes.has(ownerType)) {
    copy.ownerType = ownerType as SentinelOwnerOutput["ownerType"];
  }
  return copy;
}

/** The default owner mapper over `resolver`. */
export function createOwnerMapper(resolver: OwnerResolver = defaultOwnerResolver): OwnerMapper {
  const resolve = (owner: unknown): string | undefined => {
    const record = asRecord(owner);
    if (record === undefined) return undefined;
    const upn = resolver.fromSentinel(record as IncidentOwner);
    return typeof upn === "string" && upn.trim() !== "" ? upn.trim().toLowerCase() : undefined;
  };
  return {
    fromDefender: (value) => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined),
    fromSentinel: (value, ctx) => {
      const upn = resolve(value);
      if (upn === undefined && hasOwnerIdentity(value)) {
        ctx.warn({
          field: "owner",
          kind: "lossy",
          message:
            "The Sentinel owner could not be resolved to a UPN (objectId only?); treated as unassigned",
        });
      }
      return upn;
    },
    toSentinel: (value, ctx) => {
      const existing = ctx.existing?.owner;
      // Same owner as now (including "both unresolvable"): keep the existing object with its objectId/ownerType.
      if (hasOwnerIdentity(existing) && resolve(existing) === value) return copyOwner(existing);
      if (value === undefined) return undefined;
      return resolver.toSentinel(value);
    },
    toDefender: (value) => value ?? null,
  };
}

/** The owner mapper of the default resolver. */
export const defaultOwnerMapper: OwnerMapper = createOwnerMapper(defaultOwnerResolver);
