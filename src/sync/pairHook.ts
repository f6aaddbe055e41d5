import type { AbortSignalLike } from "@azure/abort-controller";
import type { DefenderIncident } from "../defender/models";

/** What a pair hook is handed after the engine applied a pair's plan. */
export interface PairHookInput {
  /** The source incident as the engine last saw it (after its own writes). */
  defender: DefenderIncident;
  /** The mirror's name (a Sentinel incident name, or the target incident id). */
  mirrorName: string;
  /** What this hook returned for the pair last time (from the ledger; untrusted, check it). */
  checkpoint: unknown;
  abortSignal?: AbortSignalLike;
}

/** A hook's answer: its new checkpoint for the pair and the counts it adds to the cycle report. */
export interface PairHookResult {
  checkpoint: unknown;
  /** Alert rows the hook uploaded (`SyncReport.counts.alertsUploaded`). */
  uploaded?: number;
  /** Uploads that failed and will be retried (`SyncReport.counts.alertUploadsFailed`). */
  failed?: number;
}

/**
 * Work the engine runs for every pair it processed, after the pair's writes (e.g. `LogsIngestionAlertSink`
 * uploading the incident's alerts). The hook keeps its own per-pair checkpoint, which the engine stores with the
 * pair under `checkpointName` without reading it. Never called in dry-run.
 */
export interface SyncPairHook {
  /** Namespace of the hook's checkpoint in the ledger (one per hook). */
  readonly checkpointName: string;
  /**
   * True when the hook still has work for this incident: the engine then processes a pair whose fields did
   * not change (otherwise skipped as an echo of its own writes).
   */
  hasPendingWork(defender: DefenderIncident, checkpoint: unknown): boolean;
  /** Does the hook's work; a rejection fails the pair like any write (retried next cycle). */
  afterPair(input: PairHookInput): Promise<PairHookResult>;
}
