import type { PairInput } from "./classic/classicPair";
import type { EngineSettings } from "./cycleContext";
import { sentinelNameFor } from "./deterministicName";
import { payloadDigest } from "./payloadDigest";
import type { StateStore, SyncRecord } from "./stateStore";

/** The raw payload of a list item that failed its schema, and what it told about its pair. */
export interface QuarantinedPayload {
  payload: unknown;
  tenantId?: string;
  sentinelName?: string;
}

/** A pair's ledger record with its quarantine (next attempt after an exponential backoff), ready to write. */
export interface QuarantineWrite {
  record: Omit<SyncRecord, "version">;
  expectedVersion: number;
  /** The failures so far, this one included. */
  attempts: number;
}

/**
 * Builds the quarantine of a pair: its existing record (or a new one under the deterministic Sentinel name) with
 * the reason, the digest of the failing payload (a changed payload is retried sooner), the attempt count and the
 * next attempt, backing off from `initialInMs` doubling up to `maxInMs`.
 */
export async function quarantineWrite(
  settings: Pick<EngineSettings, "store" | "quarantineBackoff" | "now" | "tenantId">,
  input: PairInput,
  reason: string,
  raw?: QuarantinedPayload,
): Promise<QuarantineWrite> {
  const record = input.record ?? (await settings.store.getRecord(input.defenderId));
  const attempts = (record?.quarantine?.attempts ?? 0) + 1;
  const backoff = Math.min(
    settings.quarantineBackoff.maxInMs,
    settings.quarantineBackoff.initialInMs * 2 ** (attempts - 1),
  );
  const now = settings.now();
  const { version: _version, ...base } = record ?? newRecord(settings.tenantId, input, raw);
  return {
    record: {
      ...base,
      quarantine: {
        reason,
        digest: payloadDigest(raw?.payload ?? input.defender ?? input.sentinel ?? input.defenderId),
        attempts,
        nextAttemptAt: new Date(now.getTime() + backoff).toISOString(),
        firstFailedAt: record?.quarantine?.firstFailedAt ?? now.toISOString(),
      },
    },
    expectedVersion: record?.version ?? 0,
    attempts,
  };
}

function newRecord(
  tenantId: string | undefined,
  input: PairInput,
  raw: QuarantinedPayload | undefined,
): SyncRecord {
  return {
    defenderId: input.defenderId,
    sentinelName:
      input.sentinel?.name ??
      raw?.sentinelName ??
      sentinelNameFor(tenantId ?? input.defender?.tenantId ?? raw?.tenantId ?? "default", input.defenderId),
    link: input.connectorCopy ? "connector" : "owned",
    comments: [],
    version: 0,
  };
}

/** The quarantined pairs due for a retry now; pairs whose record lost its quarantine leave the set. */
export async function dueQuarantine(
  store: StateStore,
  quarantined: Set<string>,
  now: Date,
): Promise<string[]> {
  const due: string[] = [];
  for (const id of quarantined) {
    const r = await store.getRecord(id);
    if (!r?.quarantine) {
      quarantined.delete(id);
      continue;
    }
    if (Date.parse(r.quarantine.nextAttemptAt) <= now.getTime()) due.push(id);
  }
  return due;
}
