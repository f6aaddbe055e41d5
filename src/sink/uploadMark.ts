/**
 * Per-incident bookkeeping for callers that feed `uploadAlerts` themselves (the SyncEngine's `alertSink` option):
 * which alerts of an incident still need uploading, and the new mark after an upload.
 *
 * A plain "newest version uploaded" mark would drop an alert whose batch failed while a newer alert of the same
 * incident went through. The mark is therefore the newest version V such that every alert version at or before V
 * is done (uploaded, or unmappable), plus the RowIds of versions after V that are done already, so they are not
 * sent twice while an older failed one is retried.
 */
import type { AbortSignalLike } from "@azure/abort-controller";
import { z } from "zod";
import { isMappingError } from "../core/errors";
import type { DefenderAlert, DefenderIncident } from "../defender/models";
import { alertKeyOf, alertRowId } from "../mapping/alertRow";
import type { AlertUploadResult } from "./events";

/** What to keep per incident (small: `above` is empty unless an upload failed). */
export interface AlertUploadMark {
  /** Every alert version with `lastUpdateDateTime` ≤ this (sortable key form) is done. */
  through?: string;
  /** Versions newer than `through` that are done, as `"<lastUpdateDateTime>|<RowId>"`. */
  above?: string[];
}

function parseAbove(mark: AlertUploadMark | undefined): Map<string, string> {
  const entries = new Map<string, string>();
  for (const entry of mark?.above ?? []) {
    const at = entry.lastIndexOf("|");
    if (at >= 0) entries.set(entry.slice(at + 1), entry.slice(0, at));
  }
  return entries;
}

/** The alerts of an incident that still need uploading under `mark` (each version once). */
export function alertsToUpload(
  alerts: readonly DefenderAlert[],
  mark: AlertUploadMark | undefined,
): DefenderAlert[] {
  const above = parseAbove(mark);
  const seen = new Set<string>();
  const out: DefenderAlert[] = [];
  for (const alert of alerts) {
    const key = alertKeyOf(alert);
    const rowId = alertRowId(key);
    if (seen.has(rowId)) continue;
    seen.add(rowId);
    if (mark?.through !== undefined && key.lastUpdateDateTime <= mark.through) continue;
    if (above.has(rowId)) continue;
    out.push(alert);
  }
  return out;
}

/**
 * The mark after `result = await sink.uploadAlerts(alertsToUpload(alerts, mark))`, where `alerts` are all the
 * incident's alerts. Failed uploads (anything but a `MappingError`) stay pending and are selected again next
 * time; `through` never passes a pending version.
 */
export function advanceAlertMark(
  mark: AlertUploadMark | undefined,
  result: AlertUploadResult,
): AlertUploadMark {
  const entries = parseAbove(mark);
  for (const failure of result.failed) {
    if (isMappingError(failure.error)) entries.set(alertRowId(failure.key), failure.key.lastUpdateDateTime);
  }
  for (const key of result.uploaded) entries.set(alertRowId(key), key.lastUpdateDateTime);
  let oldestPending: string | undefined;
  for (const failure of result.failed) {
    if (isMappingError(failure.error)) continue;
    const v = failure.key.lastUpdateDateTime;
    if (oldestPending === undefined || v < oldestPending) oldestPending = v;
  }
  let through = mark?.through;
  for (const version of entries.values()) {
    if (oldestPending !== undefined && version >= oldestPending) continue;
    if (through === undefined || version > through) through = version;
  }
  const above: string[] = [];
  for (const [rowId, version] of entries) {
    if (through === undefined || version > through) above.push(`${version}|${rowId}`);
  }
  return { ...(through !== undefined ? { through } : {}), ...(above.length > 0 ? { above } : {}) };
}

const alertUploadMarkSchema = z.object({
  through: z.string().optional(),
  above: z.array(z.string()).optional(),
});

/**
 * A mark read back from a ledger: anything that is not a mark (a torn or hand-edited state file) counts as
 * "nothing uploaded yet", so alerts are sent again (rows carry `RowId` for deduplication) and none is lost.
 */
export function parseAlertUploadMark(value: unknown): AlertUploadMark | undefined {
  const parsed = alertUploadMarkSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** What the sink is handed as a `SyncEngine` pair hook. */
export interface AlertSinkPairInput {
  defender: Pick<DefenderIncident, "alerts">;
  /** The mark the sink returned for this incident last time (untrusted: parsed). */
  checkpoint: unknown;
  abortSignal?: AbortSignalLike;
}

/** The sink's answer as a pair hook: the new mark and the upload counts. */
export interface AlertSinkPairResult {
  checkpoint: AlertUploadMark | undefined;
  uploaded: number;
  failed: number;
}
