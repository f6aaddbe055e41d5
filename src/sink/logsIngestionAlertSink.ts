/**
 * `LogsIngestionAlertSink`: Defender alerts → one row each in a Log Analytics table, through the Azure Monitor
 * Logs Ingestion API.
 *
 * Batching under the 1 MB request limit, gzip, concurrent uploads and retries (429 with Retry-After, 5xx,
 * resets) are `@azure/monitor-ingestion`'s `LogsIngestionClient`; this class adds the row mapping, per-alert
 * accounting of partial failures (an `AggregateLogsUploadError` becomes `batch.failed` events naming the alerts,
 * and a `failed` list), the engine's per-pair hook, and the standalone feed (`alertFeed.ts`) with its own
 * checkpoint so that each (alert id, lastUpdateDateTime) is uploaded once across restarts.
 *
 * The ingestion API has no idempotency key: a crash (or abort) after the service accepted a batch but before
 * the checkpoint was written sends that batch again on the next run. Every row carries `RowId` (a stable hash of
 * alert id + lastUpdateDateTime) so queries can drop such duplicates:
 * `DefenderAlerts_CL | summarize arg_max(TimeGenerated, *) by RowId`.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import {
  isAggregateLogsUploadError,
  type LogsIngestionClient,
  type LogsUploadFailure,
} from "@azure/monitor-ingestion";
import { EventEmitter } from "eventemitter3";
import type { CommonClientOptions, OperationOptions, RetryOptions } from "../core/clientOptions";
import { parseEndpoint } from "../core/endpoint";
import { InvalidArgumentError, isMappingError, RequestAbortedError } from "../core/errors";
import { RequestMetrics } from "../core/metrics";
import type { RateLimiter, RateLimitOptions } from "../core/rateLimiter";
import { safeEmit } from "../core/safeEmit";
import { withSpan } from "../core/tracing";
import type { DefenderAlert } from "../defender/models";
import {
  type AlertKey,
  type AlertRow,
  type AlertRowMapper,
  alertKeyOf,
  alertRowId,
  defaultAlertRowMapper,
} from "../mapping/alertRow";
import { type AlertSource, type SyncFromDefenderOptions, syncAlertFeed } from "./alertFeed";
import type { AlertSinkCheckpointStore } from "./checkpoint";
import type { AlertSinkEvents, AlertSyncReport, AlertUploadFailure, AlertUploadResult } from "./events";
import { createIngestionClient } from "./ingestionClient";
import {
  type AlertSinkPairInput,
  type AlertSinkPairResult,
  advanceAlertMark,
  alertsToUpload,
  parseAlertUploadMark,
} from "./uploadMark";

export type { AlertSource, SyncFromDefenderOptions } from "./alertFeed";
export { LOGS_INGESTION_AUDIENCE } from "./ingestionClient";

/**
 * Options of `LogsIngestionAlertSink`: where to upload, how to map, and the client options `DefenderClient` and
 * `SentinelClient` take (`retryOptions` with `maxRetryAfterInMs`, `additionalPolicies`, `httpClient`,
 * `rateLimit`, `requestTimeoutInMs`, `maxResponseBytes`, `userAgentPrefix`, `credentialScopes`).
 */
export interface LogsIngestionAlertSinkOptions
  extends Omit<CommonClientOptions, "endpoint" | "pagingOptions"> {
  /**
   * Logs ingestion endpoint: a data collection endpoint (`https://<dce>.<region>-1.ingest.monitor.azure.com`) or
   * a DCR's own `logsIngestion` endpoint. https only; plain http only for loopback hosts (the emulator's `url`).
   * Tokens are sent to this origin only.
   */
  endpoint: string;
  /** The data collection rule's immutable id (`dcr-…`). */
  ruleId: string;
  /** The DCR stream, e.g. `Custom-DefenderAlerts_CL` (`DEFAULT_ALERT_STREAM_NAME`). */
  streamName: string;
  /** Upload requests in flight at once. Default 2. */
  maxConcurrency?: number;
  /** Alert → row mapper. Default `defaultAlertRowMapper`; build one with `createAlertRowMapper`. */
  mapping?: AlertRowMapper;
  /** `DefenderTenantId` for alerts that carry no `tenantId`. */
  tenantId?: string;
  /**
   * Token scopes. Default `["https://monitor.azure.com/.default"]` (the public cloud); sovereign clouds:
   * `["https://monitor.azure.us/.default"]` or `["https://monitor.azure.cn/.default"]`.
   */
  credentialScopes?: string[];
  /** Retries per request after the first attempt (429, 5xx, resets). Defaults: 3 retries, 1 s base, 64 s max. */
  retryOptions?: RetryOptions;
  /**
   * Client-side rate limit: a `RateLimiter` shared with other uploaders to the same rule, `RateLimitOptions`, or
   * `false`. Default: 12,000 requests per minute (the service's limit per data collection rule).
   */
  rateLimit?: RateLimiter | RateLimitOptions | false;
  /**
   * Replace a `TimeGenerated` more than 2 days old (or 1 day ahead) by the upload time, as Azure Monitor does not
   * keep such values; `LastUpdateDateTime` keeps the alert's own time. Default true.
   */
  clampTimeGenerated?: boolean;
  /** Clock (tests). */
  now?: () => Date;
}

/** Options of `LogsIngestionAlertSink.uploadAlerts`. */
export interface UploadAlertsOptions extends OperationOptions {}

/** Rows sent by one `uploadAlerts` call (span attribute). */
const ALERT_SINK_ROWS_ATTRIBUTE = "defender_sentinel_sync.alert_sink.rows";
function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown; status?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** 400/413/415: the service refused the content itself; sending it again cannot help. */
function isRetryable(error: unknown): boolean {
  if (isMappingError(error)) return false;
  const status = statusOf(error);
  return !(status === 400 || status === 413 || status === 415);
}

function bodyBytes(body: unknown): number {
  if (body === undefined || body === null) return 0;
  if (typeof body === "string") return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  if (body instanceof ArrayBuffer) return body.byteLength;
  return 0;
}

/** Wire counters of the sink (every attempt counts). */
export interface AlertSinkStats {
  /** Upload attempts (retries included). */
  requests: number;
  /** 429 answers. */
  throttled: number;
  /** Request body bytes sent (gzip), over all attempts. */
  bytesSent: number;
  /** Rows accepted by the service. */
  rowsUploaded: number;
  /** Rows in failed batches. */
  rowsFailed: number;
}

/**
 * Uploads Defender alerts as rows of a Log Analytics table (see `ALERT_ROW_COLUMNS` and
 * `examples/arm/defender-alerts-table.json`).
 *
 * @example
 * const sink = new LogsIngestionAlertSink(new DefaultAzureCredential(), {
 *   endpoint: "https://my-dce-a1b2.westeurope-1.ingest.monitor.azure.com",
 *   ruleId: "dcr-00000000000000000000000000000000",
 *   streamName: DEFAULT_ALERT_STREAM_NAME,
 * });
 * const report = await sink.syncFromDefender(defender, new FileStateStore("./alerts-state"));
 */
export class LogsIngestionAlertSink extends EventEmitter<AlertSinkEvents> {
  readonly endpoint: string;
  readonly ruleId: string;
  readonly streamName: string;
  /** Attempts, 429s and 5xx seen by the upload pipeline. */
  readonly metrics: RequestMetrics;
  /** The underlying client (its `pipeline` can take more policies). */
  readonly client: LogsIngestionClient;
  private readonly mapping: AlertRowMapper;
  private readonly maxConcurrency: number;
  private readonly tenantId: string | undefined;
  private readonly clamp: boolean;
  private readonly now: () => Date;
  private readonly counters = { bytesSent: 0, rowsUploaded: 0, rowsFailed: 0 };

  /**
   * @param credential - Needs the "Monitoring Metrics Publisher" role on the data collection rule.
   * @param options - The endpoint, rule and stream, the mapping, and the client options.
   */
  constructor(credential: TokenCredential, options: LogsIngestionAlertSinkOptions) {
    super();
    if (typeof (credential as Partial<TokenCredential> | null | undefined)?.getToken !== "function") {
      throw new InvalidArgumentError("credential", "must be a TokenCredential (the first argument)");
    }
    if (typeof options !== "object" || options === null) {
      throw new InvalidArgumentError("options", "must be an object with endpoint, ruleId and streamName");
    }
    const endpointUrl = parseEndpoint(options.endpoint);
    for (const [name, value] of [
      ["ruleId", options.ruleId],
      ["streamName", options.streamName],
    ] as const) {
      if (typeof value !== "string" || value.trim() === "" || /[/?#\s]/.test(value)) {
        throw new InvalidArgumentError(name, "must be a non-empty name without '/', '?', '#' or spaces");
      }
    }
    const maxConcurrency = options.maxConcurrency ?? 2;
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) {
      throw new InvalidArgumentError("maxConcurrency", "must be a positive integer");
    }
    this.endpoint = `${endpointUrl.origin}${endpointUrl.pathname}`.replace(/\/+$/, "");
    this.ruleId = options.ruleId;
    this.streamName = options.streamName;
    this.mapping = options.mapping ?? defaultAlertRowMapper;
    this.maxConcurrency = maxConcurrency;
    this.tenantId = options.tenantId;
    this.clamp = options.clampTimeGenerated ?? true;
    this.now = options.now ?? (() => new Date());
    this.metrics = new RequestMetrics("logsIngestion");

    const {
      endpoint: _endpoint,
      ruleId: _ruleId,
      streamName: _streamName,
      maxConcurrency: _maxConcurrency,
      mapping: _mapping,
      tenantId: _tenantId,
      clampTimeGenerated: _clamp,
      now: _now,
      ...clientOptions
    } = options;
    this.client = createIngestionClient({
      ...clientOptions,
      endpointUrl,
      credential,
      metrics: this.metrics,
      perRetryPolicies: [this.bytesPolicy()],
    });
  }

  private bytesPolicy(): PipelinePolicy {
    return {
      name: "alertSinkBytesPolicy",
      sendRequest: async (request, next) => {
        this.counters.bytesSent += bodyBytes(request.body);
        return next(request);
      },
    };
  }

  /** Wire counters since construction. */
  stats(): AlertSinkStats {
    const m = this.metrics.snapshot();
    return { requests: m.requests, throttled: m.throttledResponses, ...this.counters };
  }

  /** Emits to each listener separately: a throwing listener is reported on `error`, never propagated. */
  private safeEmit<E extends keyof AlertSinkEvents>(event: E, ...args: Parameters<AlertSinkEvents[E]>): void {
    safeEmit(this, event, args);
  }

  /**
   * Maps the alerts to rows and uploads them. Returns which (alertId, lastUpdateDateTime) the service accepted and
   * which failed (with the error); alerts that share a key are sent once. Never throws for a failed batch (each
   * one is also a `batch.failed` event); throws only when `abortSignal` fires (`AbortError`), because batches
   * in flight may or may not have been accepted then. Does not dedupe against earlier calls.
   */
  async uploadAlerts(
    alerts: readonly DefenderAlert[],
    options: UploadAlertsOptions = {},
  ): Promise<AlertUploadResult> {
    const { abortSignal } = options;
    const throwIfAborted = () => {
      if (abortSignal?.aborted) throw new RequestAbortedError("The alert upload was aborted");
    };
    throwIfAborted();
    const failed: AlertUploadFailure[] = [];
    const rows: AlertRow[] = [];
    const keyOfRow = new Map<string, AlertKey>();
    const seen = new Set<string>();
    const receivedAt = this.clamp ? this.now() : undefined;
    for (const alert of alerts) {
      const key = alertKeyOf(alert);
      const rowId = alertRowId(key);
      if (seen.has(rowId)) continue;
      seen.add(rowId);
      const mapped = this.mapping(alert, { tenantId: this.tenantId, receivedAt });
      if (!mapped.ok) {
        failed.push({ key, error: mapped.error, retryable: false });
        this.safeEmit("row.invalid", { key, error: mapped.error });
        continue;
      }
      rows.push(mapped.value);
      keyOfRow.set(mapped.value.RowId, key);
    }
    if (rows.length === 0) return { uploaded: [], failed };

    const failures: LogsUploadFailure[] = [];
    try {
      // The library does not pass tracingOptions on to its requests: core's request spans (one per attempt)
      // find this span as the active one instead.
      await withSpan(
        "LogsIngestionAlertSink.uploadAlerts",
        options,
        () =>
          this.client.upload(this.ruleId, this.streamName, rows, {
            maxConcurrency: this.maxConcurrency,
            abortSignal,
            onError: (failure) => {
              failures.push(failure);
            },
          }),
        { [ALERT_SINK_ROWS_ATTRIBUTE]: rows.length },
      );
    } catch (e) {
      throwIfAborted();
      if (!isAggregateLogsUploadError(e)) {
        // Not a per-batch failure (the client failed before sending): every row failed with it.
        failures.length = 0;
        failures.push({ failedLogs: rows, cause: e instanceof Error ? e : new Error(String(e)) });
      } else if (failures.length === 0) {
        failures.push(...e.errors);
      }
    }
    // The client stops scheduling batches on abort without reporting the ones it never sent.
    throwIfAborted();

    const failedRowIds = new Set<string>();
    for (const failure of failures) {
      const keys: AlertKey[] = [];
      for (const log of failure.failedLogs) {
        const rowId = typeof log.RowId === "string" ? log.RowId : undefined;
        const key = rowId === undefined ? undefined : keyOfRow.get(rowId);
        if (key === undefined || failedRowIds.has(rowId!)) continue;
        failedRowIds.add(rowId!);
        keys.push(key);
      }
      const retryable = isRetryable(failure.cause);
      for (const key of keys) failed.push({ key, error: failure.cause, retryable });
      this.counters.rowsFailed += keys.length;
      this.safeEmit("batch.failed", {
        keys,
        error: failure.cause,
        status: statusOf(failure.cause),
        retryable,
      });
    }
    const uploaded = rows.filter((r) => !failedRowIds.has(r.RowId)).map((r) => keyOfRow.get(r.RowId)!);
    this.counters.rowsUploaded += uploaded.length;
    if (uploaded.length > 0) this.safeEmit("uploaded", { count: uploaded.length, keys: uploaded });
    return { uploaded, failed };
  }

  /** Ledger namespace of the per-incident upload marks when the sink runs as a `SyncEngine` pair hook. */
  readonly checkpointName = "alertSink";

  /** Pair hook: true while the incident has alert versions this sink has not uploaded. */
  hasPendingWork(incident: { alerts?: DefenderAlert[] | null }, checkpoint: unknown): boolean {
    return alertsToUpload(incident.alerts ?? [], parseAlertUploadMark(checkpoint)).length > 0;
  }

  /**
   * Pair hook (`SyncEngine` option `alertSink`): uploads the incident's alert versions not uploaded yet and
   * returns the new mark. Failed versions stay pending and are retried the next time the pair is processed.
   */
  async afterPair(input: AlertSinkPairInput): Promise<AlertSinkPairResult> {
    const mark = parseAlertUploadMark(input.checkpoint);
    const pending = alertsToUpload(input.defender.alerts ?? [], mark);
    if (pending.length === 0) return { checkpoint: mark, uploaded: 0, failed: 0 };
    const result = await this.uploadAlerts(pending, { abortSignal: input.abortSignal });
    return {
      checkpoint: advanceAlertMark(mark, result),
      uploaded: result.uploaded.length,
      failed: result.failed.length,
    };
  }

  /**
   * The standalone feed: lists alerts changed since this sink's watermark (minus `overlapInMs`), uploads the ones
   * not uploaded yet and checkpoints after every page in `store` (use a store of its own, e.g.
   * `new FileStateStore("./alerts-state")`; only `Watermarks.alertSink` is used). Failed batches go to a retry
   * list and are sent again on later runs, never dropped. Throws when listing fails or the checkpoint cannot be
   * written (a `StateConflictError` means another writer uses the store); the next run resumes from the last
   * checkpoint.
   */
  syncFromDefender(
    defender: AlertSource,
    store: AlertSinkCheckpointStore,
    options: SyncFromDefenderOptions = {},
  ): Promise<AlertSyncReport> {
    return syncAlertFeed(
      {
        upload: (alerts, abortSignal) => this.uploadAlerts(alerts, { abortSignal }),
        onAbandoned: (event) => this.safeEmit("retry.abandoned", event),
        now: this.now,
      },
      defender,
      store,
      options,
    );
  }
}
