/**
 * On-disk format of FileStateStore. Both JSONL files start with a header line naming their generation: each
 * compaction writes snapshot N+1 and then a fresh log N+1. A log of generation N builds on snapshot N, so a
 * missing or out-of-date snapshot is detected instead of silently loading the log alone; a log one generation
 * behind its snapshot is what a crash between those two steps leaves, and everything in it is in the snapshot.
 */
import { z } from "zod";
import type { ValidationIssue } from "../core/errors";
import { zodIssues } from "../core/validationIssues";
import { syncRecordSchema } from "./stateSchemas";
import type { SyncRecord } from "./stateStore";

export const SNAPSHOT_FILE = "records.snapshot.jsonl";
export const LOG_FILE = "records.log.jsonl";
export const WATERMARKS_FILE = "watermarks.json";
export const LOCK_FILE = "lock";

const FORMAT = 1;

export interface FileHeader {
  format: typeof FORMAT;
  generation: number;
  /** Snapshots only: how many record lines follow (a cut snapshot is detected). */
  records?: number;
}

const headerSchema = z.strictObject({
  format: z.literal(FORMAT),
  generation: z.number().int().nonnegative(),
  records: z.number().int().nonnegative().optional(),
});

export function headerBytes(generation: number, records?: number): Buffer {
  const header: FileHeader = { format: FORMAT, generation, ...(records === undefined ? {} : { records }) };
  return Buffer.from(`${JSON.stringify(header)}\n`, "utf8");
}

/** The header, or a description of what is wrong with the line. */
export function parseHeader(value: unknown): FileHeader | string {
  const result = headerSchema.safeParse(value);
  return result.success ? result.data : `expected a header {"format":${FORMAT},"generation":n}`;
}

/** One record line: key and record, or `null` for a deletion. */
export interface RecordLine {
  k: string;
  r: SyncRecord | null;
}

export function recordLineBytes(key: string, record: SyncRecord | null): Buffer {
  const r = record === null ? "null" : serialize(record);
  return Buffer.from(`{"k":${JSON.stringify(key)},"r":${r}}\n`, "utf8");
}

/** Reads back a line this store wrote and checked at load (no validation: that was done once). */
export function readRecordLine(text: string): RecordLine {
  const line = JSON.parse(text) as RecordLine;
  if (line.r) line.r = expand(line.r);
  return line;
}

/** Checks a parsed line's shape; returns the line with its record expanded, or the issues. */
export function checkRecordLine(value: unknown): RecordLine | ValidationIssue[] {
  if (typeof value !== "object" || value === null || typeof (value as RecordLine).k !== "string") {
    return [{ path: "k", message: "expected a line {k: string, r: record | null}" }];
  }
  const { k, r } = value as { k: string; r: unknown };
  if (r === null) return { k, r: null };
  if (typeof r !== "object" || r === undefined) return [{ path: "r", message: "expected a record or null" }];
  const expanded = expand(r as SyncRecord);
  if ("sentinelDelta" in expanded)
    return [{ path: "r.sentinelDelta", message: "is set without baseDefender" }];
  const result = syncRecordSchema.safeParse(expanded);
  if (!result.success) return zodIssues(result.error, "r");
  if (expanded.defenderId !== k) {
    return [
      {
        path: "r.defenderId",
        message: `is ${JSON.stringify(expanded.defenderId)}, the line's key is ${JSON.stringify(k)}`,
      },
    ];
  }
  return { k, r: expanded };
}

/**
 * On disk a record is JSON with its Sentinel base stored as the fields that differ from the Defender base
 * (usually one or two): that halves the size of a ledger of 100,000 pairs.
 */
function serialize(record: SyncRecord): string {
  const { baseDefender, baseSentinel } = record;
  if (!baseDefender || !baseSentinel) return JSON.stringify(record);
  const d = baseDefender as unknown as Record<string, unknown>;
  const s = baseSentinel as unknown as Record<string, unknown>;
  const delta: Record<string, unknown> = {};
  // Both key sets: a field the Sentinel base lacks must come back absent, not as the Defender value.
  for (const k of new Set([...Object.keys(d), ...Object.keys(s)])) {
    if (JSON.stringify(s[k]) !== JSON.stringify(d[k])) delta[k] = s[k] ?? null;
  }
  return JSON.stringify({ ...record, baseSentinel: undefined, sentinelDelta: delta });
}

function expand(stored: SyncRecord): SyncRecord {
  const raw = stored as SyncRecord & { sentinelDelta?: Record<string, unknown> };
  if (raw.sentinelDelta && typeof raw.sentinelDelta === "object" && raw.baseDefender) {
    const base: Record<string, unknown> = { ...raw.baseDefender };
    for (const [k, v] of Object.entries(raw.sentinelDelta)) {
      if (v === null) delete base[k];
      else base[k] = v;
    }
    raw.baseSentinel = base as unknown as SyncRecord["baseSentinel"];
    delete raw.sentinelDelta;
  }
  return raw;
}
