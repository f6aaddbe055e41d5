/**
 * The standalone feed's checkpoint, kept in `Watermarks.alertSink` of a store of its own:
 * - `watermark`: `lastUpdateDateTime` of the newest alert handled in a completed listing window;
 * - `boundary`: the (alert, version) pairs uploaded (or reported invalid) whose version is at or after
 *   `watermark − overlap`, i.e. everything the next run's overlapping listing can return again, plus whatever the
 *   window in progress uploaded (so a restart mid-window does not send those again);
 * - `retry`: the alerts whose batch failed, by id, with the version that failed.
 * Entries are strings so any `StateStore` can keep them: boundary `"<version>|<rowId>"`, retry `["<id>","<version>"]`.
 */
import { timestampKey } from "../core/timestamps";
import { type AlertKey, alertRowId } from "../mapping/alertRow";

export interface SinkCheckpoint {
  watermark: string | undefined;
  /** rowId → version */
  boundary: Map<string, string>;
  /** alertId → failed key */
  retry: Map<string, AlertKey>;
}

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;

/** True for a key produced by `timestampKey` from a real timestamp. */
export function isCanonicalTimestamp(value: string): boolean {
  return CANONICAL.test(value);
}

/** Milliseconds of a canonical timestamp key (sub-millisecond digits dropped). */
export function timestampMs(key: string): number {
  return Date.parse(`${key.slice(0, 23)}Z`);
}

/** `key` moved by `deltaMs`, as a canonical key. */
export function shiftTimestamp(key: string, deltaMs: number): string {
  return timestampKey(new Date(timestampMs(key) + deltaMs));
}

export function decodeCheckpoint(
  raw: { watermark?: string; boundary?: string[]; retry?: string[] } | undefined,
): SinkCheckpoint {
  const watermark =
    typeof raw?.watermark === "string" && isCanonicalTimestamp(timestampKey(raw.watermark))
      ? timestampKey(raw.watermark)
      : undefined;
  const boundary = new Map<string, string>();
  for (const entry of Array.isArray(raw?.boundary) ? raw.boundary : []) {
    if (typeof entry !== "string") continue;
    const at = entry.lastIndexOf("|");
    if (at < 0) continue;
    boundary.set(entry.slice(at + 1), entry.slice(0, at));
  }
  const retry = new Map<string, AlertKey>();
  for (const entry of Array.isArray(raw?.retry) ? raw.retry : []) {
    try {
      const parsed: unknown = JSON.parse(entry);
      if (Array.isArray(parsed) && typeof parsed[0] === "string" && typeof parsed[1] === "string") {
        retry.set(parsed[0], { alertId: parsed[0], lastUpdateDateTime: parsed[1] });
      }
    } catch {
      // an unreadable entry cannot be retried; skip it
    }
  }
  return { watermark, boundary, retry };
}

export function encodeCheckpoint(c: SinkCheckpoint): {
  watermark?: string;
  boundary: string[];
  retry: string[];
} {
  return {
    ...(c.watermark !== undefined ? { watermark: c.watermark } : {}),
    boundary: [...c.boundary].map(([rowId, version]) => `${version}|${rowId}`),
    retry: [...c.retry.values()].map((k) => JSON.stringify([k.alertId, k.lastUpdateDateTime])),
  };
}

/** Marks a key as done (uploaded or reported). */
export function markDone(c: SinkCheckpoint, key: AlertKey): void {
  c.boundary.set(alertRowId(key), key.lastUpdateDateTime);
}

export function isDone(c: SinkCheckpoint, key: AlertKey): boolean {
  return c.boundary.has(alertRowId(key));
}

/** Drops boundary entries the next listing (from `watermark − overlap`) cannot return. */
export function pruneBoundary(c: SinkCheckpoint, overlapInMs: number): void {
  if (c.watermark === undefined) return;
  const floor = shiftTimestamp(c.watermark, -overlapInMs);
  for (const [rowId, version] of c.boundary) {
    if (version < floor) c.boundary.delete(rowId);
  }
}

/** The part of a state store's watermarks the standalone feed uses (`Watermarks.alertSink`). */
export interface AlertSinkWatermarks {
  alertSink?: { watermark?: string; boundary?: string[]; retry?: string[] };
  version: number;
}

/**
 * Where `syncFromDefender` checkpoints: any `StateStore` of this package fits (only `Watermarks.alertSink` is
 * used; give the sink a store of its own).
 */
export interface AlertSinkCheckpointStore {
  getWatermarks(): Promise<AlertSinkWatermarks>;
  putWatermarks(
    watermarks: Omit<AlertSinkWatermarks, "version">,
    expectedVersion: number,
  ): Promise<AlertSinkWatermarks>;
}
