import { SyncSdkError } from "../core/errors";
import type { CanonicalIncident } from "../mapping";

/** One synced comment: its content hash on the Defender side and its id on the Sentinel side. */
export interface SyncedComment {
  /** sha256 of the Defender comment (text + created time), or of the text we posted. */
  defenderHash: string;
  sentinelCommentId: string;
  /** Where the comment was written first. */
  origin: "defender" | "sentinel";
  /** sha256 of the Sentinel message as last synced (detects edits). */
  sentinelMessageHash?: string;
}

/** A poison incident kept aside: retried with backoff, never blocking the cycle. */
export interface Quarantine {
  reason: string;
  /** sha256 of the payload that failed, so an unchanged payload is not retried before its time. */
  digest: string;
  attempts: number;
  nextAttemptAt: string;
  firstFailedAt: string;
}

/** Ledger state of a pair mirrored through the unified (relay) target. */
export interface RelayState {
  /** The target incident once linked (also kept in `sentinelName`). */
  targetId?: string;
  /** When the source's alerts were first relayed; cleared once linked. */
  pendingSince?: string;
  /** Source alert ids already handed to the target (one row each). */
  relayed: string[];
  /** Times the alerts were relayed again after the pending timeout. */
  reRelays?: number;
  /** Other target incidents made for this source incident, resolved as duplicates. */
  duplicates?: string[];
  /**
   * Written just before a linked pair's PATCHes, cleared by the ledger write after them: both sides as read
   * and as they were to be written (compacted canonical views). After a crash in between, the next merge
   * reads its bases from them, so neither a write that landed nor an analyst's edit since is misread.
   */
  inFlight?: {
    readSource: CanonicalIncident;
    readTarget: CanonicalIncident;
    wroteSource: CanonicalIncident;
    wroteTarget: CanonicalIncident;
  };
}

/** The ledger entry of one linked pair. */
export interface SyncRecord {
  defenderId: string;
  sentinelName: string;
  /**
   * "owned": we created the Sentinel copy; "connector": Microsoft's connector did and we linked it; "relay": the
   * unified target made it from relayed alerts (`sentinelName` is then the target tenant's Graph incident id, or
   * `pending:<source id>` until it is linked).
   */
  link: "owned" | "connector" | "relay";
  /** Each side's canonical view as of the last sync: the base of the three-way merge. */
  baseDefender?: CanonicalIncident;
  baseSentinel?: CanonicalIncident;
  /** Defender determination last seen: Sentinel has none, so it is kept here and never clobbered. */
  determination?: string;
  defenderVersion?: string;
  sentinelEtag?: string;
  sentinelModified?: string;
  comments: SyncedComment[];
  /** sha256 of the Sentinel body rendered from the Defender side alone (alerts, links): detects context changes. */
  renderDigest?: string;
  /**
   * Per-pair checkpoints of the engine's pair hooks (e.g. which alert versions went to the alert sink), by the
   * hook's `checkpointName`. Opaque to the engine: each hook checks its own.
   */
  hookCheckpoints?: Record<string, unknown>;
  /** Set once the redirect comment was written. */
  redirectNotified?: string;
  quarantine?: Quarantine;
  /** Unified (relay) target only. */
  relay?: RelayState;
  /** Store-managed, incremented on each write (optimistic concurrency). */
  version: number;
}

/** Per-side positions of fully applied work. */
export interface Watermarks {
  defender?: string;
  sentinel?: string;
  cycles: number;
  /** Set once a copy made by Microsoft's connector was seen in the workspace. */
  connectorCopiesSeen?: boolean;
  /** Defender ids currently quarantined (small; lets retries skip a scan of every record). */
  quarantined?: string[];
  /** Unified target: source ids whose pair is pending (small; lets the timeout sweep skip a scan). */
  relayPending?: string[];
  /**
   * Checkpoint of `LogsIngestionAlertSink.syncFromDefender` (kept in a store of its own): the alerts watermark,
   * the (alert, version) pairs already uploaded at or after `watermark − overlap`, and the failed ones to retry.
   */
  alertSink?: { watermark?: string; boundary?: string[]; retry?: string[] };
  /** Store-managed version (optimistic concurrency). */
  version: number;
}

/** One write of `StateStore.putRecords`: the arguments of a `putRecord`. */
export interface RecordWrite {
  record: Omit<SyncRecord, "version">;
  expectedVersion: number;
}

/** What `StateStore.putRecords` wrote (with the new versions) and what it refused. */
export interface PutRecordsResult {
  written: SyncRecord[];
  conflicts: StateConflictError[];
}

/** A conditional write lost: another writer changed the record first. */
export class StateConflictError extends SyncSdkError {
  override name = "StateConflictError";
  constructor(
    readonly key: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(`State record ${key} is at version ${actualVersion}, expected ${expectedVersion}`);
  }
}

export const isStateConflictError = (e: unknown): e is StateConflictError =>
  typeof e === "object" && e !== null && (e as { name?: unknown }).name === "StateConflictError";

/**
 * Where the engine keeps its ledger and watermarks (one store per tenant → workspace lane). Writes are
 * conditional: `expectedVersion` must equal the stored version (0 for "must not exist"), otherwise
 * StateConflictError, so two engines sharing a store can never silently overwrite each other.
 * Implementations return copies: mutating a returned record must not change the store.
 */
export interface StateStore {
  getRecord(defenderId: string): Promise<SyncRecord | undefined>;
  findBySentinelName(sentinelName: string): Promise<SyncRecord | undefined>;
  /** Writes `record` if the stored version is `expectedVersion`; returns it with the new version. */
  putRecord(record: Omit<SyncRecord, "version">, expectedVersion: number): Promise<SyncRecord>;
  /**
   * Optional: several `putRecord`s in fewer requests (e.g. a page). Each record is written or refused on its own;
   * the refused ones (stale version) come back in `conflicts`, nothing of them written.
   */
  putRecords?(writes: readonly RecordWrite[]): Promise<PutRecordsResult>;
  deleteRecord(defenderId: string, expectedVersion: number): Promise<void>;
  /** Every record, in no particular order, without loading them all at once where avoidable. */
  listRecords(): AsyncIterable<SyncRecord>;
  getWatermarks(): Promise<Watermarks>;
  putWatermarks(watermarks: Omit<Watermarks, "version">, expectedVersion: number): Promise<Watermarks>;
  /** Flushes buffered state (durable stores). */
  flush?(): Promise<void>;
  close?(): Promise<void>;
}
