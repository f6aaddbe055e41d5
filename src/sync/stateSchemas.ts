/**
 * zod schemas of the ledger as it is persisted, so that a durable store can check every record and the watermarks
 * it loads. Unknown fields are allowed (a newer version may add some; they are kept as read), every known field is
 * checked. The type checks at the bottom fail to compile when `SyncRecord` or `Watermarks` gain a field or value
 * that these schemas do not know.
 */
import { z } from "zod";
import { canonicalIncidentSchema } from "../mapping/canonical";
import type { SyncRecord, Watermarks } from "./stateStore";

const syncedCommentSchema = z.object({
  defenderHash: z.string(),
  sentinelCommentId: z.string(),
  origin: z.enum(["defender", "sentinel"]),
  sentinelMessageHash: z.string().optional(),
});

const quarantineSchema = z.object({
  reason: z.string(),
  digest: z.string(),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: z.string(),
  firstFailedAt: z.string(),
});

const relayStateSchema = z.object({
  targetId: z.string().optional(),
  pendingSince: z.string().optional(),
  relayed: z.array(z.string()),
  reRelays: z.number().int().nonnegative().optional(),
  duplicates: z.array(z.string()).optional(),
  inFlight: z
    .object({
      readSource: canonicalIncidentSchema,
      readTarget: canonicalIncidentSchema,
      wroteSource: canonicalIncidentSchema,
      wroteTarget: canonicalIncidentSchema,
    })
    .optional(),
});

const syncRecordFields = z.object({
  defenderId: z.string().min(1),
  sentinelName: z.string().min(1),
  link: z.enum(["owned", "connector", "relay"]),
  baseDefender: canonicalIncidentSchema.optional(),
  baseSentinel: canonicalIncidentSchema.optional(),
  determination: z.string().optional(),
  defenderVersion: z.string().optional(),
  sentinelEtag: z.string().optional(),
  sentinelModified: z.string().optional(),
  comments: z.array(syncedCommentSchema),
  renderDigest: z.string().optional(),
  hookCheckpoints: z.record(z.string(), z.unknown()).optional(),
  redirectNotified: z.string().optional(),
  quarantine: quarantineSchema.optional(),
  relay: relayStateSchema.optional(),
  version: z.number().int().positive(),
});

/**
 * Records written before pair hooks existed keep the alert sink's mark in `alertsUploaded`: it moves to the sink's
 * checkpoint namespace (`hookCheckpoints.alertSink`) when read.
 */
export const syncRecordSchema = z.preprocess((value) => {
  if (typeof value !== "object" || value === null || !("alertsUploaded" in value)) return value;
  const { alertsUploaded, ...rest } = value as Record<string, unknown>;
  const hooks = (rest.hookCheckpoints ?? {}) as Record<string, unknown>;
  if (typeof hooks !== "object" || hooks === null || "alertSink" in hooks) return rest;
  return { ...rest, hookCheckpoints: { ...hooks, alertSink: alertsUploaded } };
}, syncRecordFields);

export const watermarksSchema = z.object({
  defender: z.string().optional(),
  sentinel: z.string().optional(),
  cycles: z.number().int().nonnegative(),
  connectorCopiesSeen: z.boolean().optional(),
  quarantined: z.array(z.string()).optional(),
  relayPending: z.array(z.string()).optional(),
  alertSink: z
    .object({
      watermark: z.string().optional(),
      boundary: z.array(z.string()).optional(),
      retry: z.array(z.string()).optional(),
    })
    .optional(),
  version: z.number().int().nonnegative(),
});

// Compile-time guards: every field of the interfaces is in the schemas, and the schemas accept every value.
type Covers<T, S> = [Exclude<keyof T, keyof S>] extends [never] ? true : Exclude<keyof T, keyof S>;
const recordFieldsCovered: Covers<SyncRecord, z.infer<typeof syncRecordSchema>> = true;
const watermarkFieldsCovered: Covers<Watermarks, z.infer<typeof watermarksSchema>> = true;
const recordValuesAccepted = (r: SyncRecord): z.input<typeof syncRecordSchema> => r;
const watermarkValuesAccepted = (w: Watermarks): z.input<typeof watermarksSchema> => w;
void [recordFieldsCovered, watermarkFieldsCovered, recordValuesAccepted, watermarkValuesAccepted];
