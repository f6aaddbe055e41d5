import type { MappingError } from "../core/errors";
import type { AlertKey } from "../mapping/alertRow";

/** One alert the sink could not upload. */
export interface AlertUploadFailure {
  key: AlertKey;
  /** The batch's error (one of this package's typed errors, e.g. `BadRequestError`, `ThrottledError`, `ConnectionError`), or a `MappingError` when no row could be made. */
  error: unknown;
  /**
   * False when sending the same row again cannot succeed (a `MappingError`, or 400/413/415: the content was
   * refused). `syncFromDefender` still keeps refused batches on its retry list; this flag is for callers.
   */
  retryable: boolean;
}

/** What `uploadAlerts` did. Every alert passed in is in exactly one of the two lists (duplicates once). */
export interface AlertUploadResult {
  uploaded: AlertKey[];
  failed: AlertUploadFailure[];
}

/** `batch.failed`: one upload request (≤ 1 MB of rows) failed after the client's retries. */
export interface AlertBatchFailedEvent {
  /** The alerts whose rows were in the batch. */
  keys: AlertKey[];
  error: unknown;
  /** HTTP status, when the service answered. */
  status: number | undefined;
  retryable: boolean;
}

/** `uploaded`: rows the service accepted (204) in one `uploadAlerts` call. */
export interface AlertsUploadedEvent {
  count: number;
  keys: AlertKey[];
}

/** `row.invalid`: an alert that could not be turned into a valid row (typed mapping error; not retried). */
export interface AlertRowInvalidEvent {
  key: AlertKey;
  error: MappingError;
}

/** `retry.abandoned`: a failed alert on the retry list no longer exists in Defender (404), so nothing is left to send. */
export interface AlertRetryAbandonedEvent {
  key: AlertKey;
  reason: string;
}

/** Typed events of `LogsIngestionAlertSink`. A listener that throws is reported on `error` and never stops it. */
export interface AlertSinkEvents {
  uploaded: (event: AlertsUploadedEvent) => void;
  "batch.failed": (event: AlertBatchFailedEvent) => void;
  "row.invalid": (event: AlertRowInvalidEvent) => void;
  "retry.abandoned": (event: AlertRetryAbandonedEvent) => void;
  error: (error: unknown) => void;
}

/** What one `syncFromDefender` run did. */
export interface AlertSyncReport {
  /** Alerts Defender returned, overlap re-reads included. */
  listed: number;
  /** Rows the service accepted in this run (retries included). */
  uploaded: number;
  /** Alert versions already uploaded by an earlier run or page (not sent again). */
  skipped: number;
  /** Alerts whose batch failed in this run; they are on the retry list. */
  failed: number;
  /** Alerts that could not be mapped to a valid row (`row.invalid`); reported once, not retried. */
  invalid: number;
  /** Retry-list entries uploaded in this run. */
  retried: number;
  /** Retry-list entries dropped because the alert no longer exists. */
  abandoned: number;
  /** Entries left on the retry list for the next run. */
  retryPending: number;
  /** Pages read from Defender. */
  pages: number;
  /** Listing windows; more than 1 when a window had to be split to stay under the service's `$skip` cap. */
  windows: number;
  /** The alerts watermark after the run (`lastUpdateDateTime` of the newest alert handled). */
  watermark: string | undefined;
  durationInMs: number;
}
