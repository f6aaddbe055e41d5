/**
 * The alert sink's standalone feed: Defender alerts changed since a watermark, uploaded once per
 * (alert id, lastUpdateDateTime), checkpointed after every page, failed ones retried on later runs.
 */
import type { AbortSignalLike } from "@azure/abort-controller";
import type { OperationOptions } from "../core/clientOptions";
import { InvalidArgumentError, isBadRequestError, isMappingError } from "../core/errors";
import { odataDateTime, timestampKey } from "../core/timestamps";
import type { DefenderClient } from "../defender/defenderClient";
import type { DefenderAlert } from "../defender/models";
import { alertKeyOf } from "../mapping/alertRow";
import {
  type AlertSinkCheckpointStore,
  type AlertSinkWatermarks,
  decodeCheckpoint,
  encodeCheckpoint,
  isCanonicalTimestamp,
  isDone,
  markDone,
  pruneBoundary,
  type SinkCheckpoint,
  shiftTimestamp,
  timestampMs,
} from "./checkpoint";
import type { AlertRetryAbandonedEvent, AlertSyncReport, AlertUploadResult } from "./events";

/** Options of `LogsIngestionAlertSink.syncFromDefender`. */
export interface SyncFromDefenderOptions extends OperationOptions {
  /** Each run re-reads this much before the watermark, for late-committed updates. Default 120000. */
  overlapInMs?: number;
  /** First run only: ignore alerts last updated before this. Default: everything Defender keeps. */
  backfillSince?: Date | string;
  /** `$top` of the alert listing (1–1000). Default 500. */
  pageSize?: number;
  /** Failed alerts older than the listing window are re-read one by one; at most this many per run. Default 200. */
  maxRetryFetches?: number;
}

/** The part of `DefenderClient` the standalone feed uses. */
export type AlertSource = Pick<DefenderClient, "listAlerts" | "getAlert">;

/** What the feed needs of the sink. */
export interface AlertFeedSink {
  upload(
    alerts: readonly DefenderAlert[],
    abortSignal: AbortSignalLike | undefined,
  ): Promise<AlertUploadResult>;
  onAbandoned(event: AlertRetryAbandonedEvent): void;
  now(): Date;
}

interface Window {
  since: string | undefined;
  until: string | undefined;
}

/** One run of the feed: its checkpoint state, report and settings. */
interface FeedRun {
  sink: AlertFeedSink;
  defender: AlertSource;
  state: SinkCheckpoint;
  report: AlertSyncReport;
  persist: () => Promise<void>;
  overlapInMs: number;
  pageSize: number;
  abortSignal: AbortSignalLike | undefined;
}

const EPOCH = "1970-01-01T00:00:00.0000000Z";
/** Versions further ahead than this are not trusted to move the watermark (a bad clock would hide later alerts). */
const MAX_FUTURE_MS = 86_400_000;

/** Runs the feed once (see `LogsIngestionAlertSink.syncFromDefender`). */
export async function syncAlertFeed(
  sink: AlertFeedSink,
  defender: AlertSource,
  store: AlertSinkCheckpointStore,
  options: SyncFromDefenderOptions,
): Promise<AlertSyncReport> {
  const started = Date.now();
  const pageSize = options.pageSize ?? 500;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new InvalidArgumentError("pageSize", "must be an integer from 1 to 1000");
  }
  let watermarks: AlertSinkWatermarks = await store.getWatermarks();
  const state = decodeCheckpoint(watermarks.alertSink);
  const run: FeedRun = {
    sink,
    defender,
    state,
    report: emptyReport(state.watermark),
    persist: async () => {
      const { version, ...rest } = watermarks;
      watermarks = await store.putWatermarks({ ...rest, alertSink: encodeCheckpoint(state) }, version);
    },
    overlapInMs: Math.max(0, options.overlapInMs ?? 120_000),
    pageSize,
    abortSignal: options.abortSignal,
  };
  const floor =
    state.watermark !== undefined
      ? shiftTimestamp(state.watermark, -run.overlapInMs)
      : options.backfillSince !== undefined
        ? odataDateTime(options.backfillSince)
        : undefined;
  await retryStale(run, floor, options.maxRetryFetches ?? 200);
  await readWindows(run, floor);
  run.report.watermark = state.watermark;
  run.report.retryPending = state.retry.size;
  run.report.durationInMs = Date.now() - started;
  return run.report;
}

function emptyReport(watermark: string | undefined): AlertSyncReport {
  return {
    listed: 0,
    uploaded: 0,
    skipped: 0,
    failed: 0,
    invalid: 0,
    retried: 0,
    abandoned: 0,
    retryPending: 0,
    pages: 0,
    windows: 0,
    watermark,
    durationInMs: 0,
  };
}

/** Failed alerts the listing will not return again (older than its floor): read their current version one by one. */
async function retryStale(run: FeedRun, floor: string | undefined, maxRetryFetches: number): Promise<void> {
  const { state, report } = run;
  const stale = [...state.retry.values()].filter((k) => floor === undefined || k.lastUpdateDateTime < floor);
  if (stale.length === 0) return;
  const current: DefenderAlert[] = [];
  for (const key of stale.slice(0, maxRetryFetches)) {
    const alert = await run.defender.getAlert(key.alertId, { abortSignal: run.abortSignal });
    if (alert === undefined) {
      state.retry.delete(key.alertId);
      report.abandoned++;
      run.sink.onAbandoned({ key, reason: "the alert no longer exists in Defender" });
      continue;
    }
    if (isDone(state, alertKeyOf(alert))) state.retry.delete(key.alertId);
    else current.push(alert);
  }
  const before = report.uploaded;
  await applyUpload(run, current);
  report.retried += report.uploaded - before;
  await run.persist();
}

/** Everything changed since the floor, in windows oldest first; a window too deep for `$skip` is split. */
async function readWindows(run: FeedRun, floor: string | undefined): Promise<void> {
  const nowMs = run.sink.now().getTime();
  const newestTrusted = timestampKey(new Date(nowMs + MAX_FUTURE_MS));
  const windows: Window[] = [{ since: floor, until: undefined }];
  while (windows.length > 0) {
    const window = windows.pop()!;
    run.report.windows++;
    const read = await readWindow(run, window, newestTrusted);
    if (read.refusedAfterPages) {
      windows.push(...splitWindow(window, read.min, nowMs));
      continue;
    }
    if (read.max !== undefined) {
      if (run.state.watermark === undefined || read.max > run.state.watermark) run.state.watermark = read.max;
      pruneBoundary(run.state, run.overlapInMs);
      await run.persist();
    }
  }
}

/**
 * Reads one window page by page, checkpointing after each. Past Graph's $skip cap (500) the next page is refused
 * with 400: that is reported (`refusedAfterPages`) so the window is read again in smaller pieces.
 */
async function readWindow(
  run: FeedRun,
  window: Window,
  newestTrusted: string,
): Promise<{ min: string | undefined; max: string | undefined; refusedAfterPages: boolean }> {
  let pagesInWindow = 0;
  let max: string | undefined;
  let min: string | undefined;
  try {
    const pages = run.defender
      .listAlerts({
        updatedSince: window.since,
        filter: window.until !== undefined ? `lastUpdateDateTime lt ${window.until}` : undefined,
        pageSize: run.pageSize,
        abortSignal: run.abortSignal,
      })
      .byPage();
    for await (const page of pages) {
      pagesInWindow++;
      run.report.pages++;
      const seen = await processPage(run, page, newestTrusted);
      if (seen.max !== undefined && (max === undefined || seen.max > max)) max = seen.max;
      if (seen.min !== undefined && (min === undefined || seen.min < min)) min = seen.min;
      await run.persist();
    }
  } catch (e) {
    if (!(isBadRequestError(e) && pagesInWindow > 0)) throw e;
    return { min, max, refusedAfterPages: true };
  }
  return { min, max, refusedAfterPages: false };
}

/** Uploads one page; returns its oldest version and the newest one that may move the watermark. */
async function processPage(
  run: FeedRun,
  page: readonly DefenderAlert[],
  newestTrusted: string,
): Promise<{ min: string | undefined; max: string | undefined }> {
  const { state, report } = run;
  report.listed += page.length;
  let max: string | undefined;
  let min: string | undefined;
  const fresh: DefenderAlert[] = [];
  for (const alert of page) {
    const key = alertKeyOf(alert);
    const version = key.lastUpdateDateTime;
    // A version far in the future (bad clock, hostile data) would hide every later alert behind the watermark.
    if (isCanonicalTimestamp(version)) {
      if (version <= newestTrusted && (max === undefined || version > max)) max = version;
      if (min === undefined || version < min) min = version;
    }
    if (isDone(state, key)) {
      report.skipped++;
      const pending = state.retry.get(key.alertId);
      if (pending !== undefined && pending.lastUpdateDateTime <= key.lastUpdateDateTime) {
        state.retry.delete(key.alertId); // superseded by a version already uploaded
      }
      continue;
    }
    fresh.push(alert);
  }
  await applyUpload(run, fresh);
  return { min, max };
}

/** Uploads and records the outcome in the checkpoint state (not yet persisted). */
async function applyUpload(run: FeedRun, alerts: readonly DefenderAlert[]): Promise<void> {
  if (alerts.length === 0) return;
  const { state, report } = run;
  const result = await run.sink.upload(alerts, run.abortSignal);
  for (const key of result.uploaded) {
    markDone(state, key);
    const pending = state.retry.get(key.alertId);
    if (pending !== undefined && pending.lastUpdateDateTime <= key.lastUpdateDateTime)
      state.retry.delete(key.alertId);
    report.uploaded++;
  }
  for (const failure of result.failed) {
    if (isMappingError(failure.error)) {
      // Mapping is deterministic: this version will never map. Reported once (row.invalid), not retried.
      markDone(state, failure.key);
      report.invalid++;
      continue;
    }
    state.retry.set(failure.key.alertId, failure.key);
    report.failed++;
  }
}

/**
 * Splits a listing window that is too large for one `$skip` run (oldest part last, so it is read first). The cut
 * is the oldest version the refused window's pages showed: the part from there on was mostly read already, the
 * older part is new. When that does not shrink the window, it is cut in the middle of its time range.
 */
function splitWindow(window: Window, seenMin: string | undefined, nowMs: number): Window[] {
  if (
    seenMin !== undefined &&
    (window.since === undefined || seenMin > window.since) &&
    (window.until === undefined || seenMin < window.until)
  ) {
    return [
      { since: seenMin, until: window.until },
      { since: window.since, until: seenMin },
    ];
  }
  const since = window.since ?? EPOCH;
  if (window.until === undefined) {
    const now = timestampKey(new Date(nowMs));
    if (now <= since) {
      throw new InvalidArgumentError(
        "window",
        "cannot split an alert listing window that starts in the future",
      );
    }
    return [
      { since: now, until: undefined },
      { since, until: now },
    ];
  }
  const from = timestampMs(since);
  const to = timestampMs(window.until);
  if (!(to - from >= 2)) {
    throw new InvalidArgumentError(
      "window",
      `more alerts changed within ${since}..${window.until} than Graph can page through ($skip cap)`,
    );
  }
  const mid = timestampKey(new Date(from + Math.floor((to - from) / 2)));
  return [
    { since: mid, until: window.until },
    { since, until: mid },
  ];
}
