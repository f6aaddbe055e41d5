/**
 * Loading and checking a FileStateStore directory. The only damage a crash can cause is a torn last log line
 * (the log is appended to; every other file is replaced whole by rename): that line is cut. Anything else is
 * refused with StateStoreCorruptedError naming the file and line, and nothing is written, so the files stay as
 * they were for inspection or restore.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { StateStoreCorruptedError } from "../core/errors";
import { describeIssues, zodIssues } from "../core/validationIssues";
import { decodeLine, type FileLine, readFileLines } from "./fileLines";
import {
  checkRecordLine,
  type FileHeader,
  LOG_FILE,
  parseHeader,
  type RecordLine,
  SNAPSHOT_FILE,
  WATERMARKS_FILE,
} from "./fileStateFormat";
import type { RecordIndex } from "./recordIndex";
import { watermarksSchema } from "./stateSchemas";
import type { Watermarks } from "./stateStore";

export interface LoadedState {
  /** Generation of the snapshot the log builds on (0: never compacted). */
  generation: number;
  /** The log must be (re)created empty: the store is new, or the log is the stale half of a compaction. */
  newLog: boolean;
  /** Bytes of the log to keep: a torn last line beyond this is cut. */
  logEnd: number;
  /** Record lines in the kept log. */
  logLines: number;
  hasSnapshot: boolean;
  watermarks: Watermarks;
}

/** Fills `index` from the directory's files; throws StateStoreCorruptedError on damage. */
export async function loadState(directory: string, index: RecordIndex): Promise<LoadedState> {
  const snapshotPath = join(directory, SNAPSHOT_FILE);
  const logPath = join(directory, LOG_FILE);
  const watermarksPath = join(directory, WATERMARKS_FILE);
  const [hasSnapshot, hasLog] = await Promise.all([exists(snapshotPath), exists(logPath)]);
  const stored = await loadWatermarks(watermarksPath);
  const watermarks = stored ?? { cycles: 0, version: 0 };
  if (!hasLog) {
    // The log is created on first open, before anything else is written.
    if (hasSnapshot || stored) {
      throw new StateStoreCorruptedError(
        logPath,
        undefined,
        `is missing, but ${hasSnapshot ? SNAPSHOT_FILE : WATERMARKS_FILE} shows the store was written to`,
      );
    }
    return { generation: 0, newLog: true, logEnd: 0, logLines: 0, hasSnapshot, watermarks };
  }
  const snapshotGeneration = hasSnapshot ? await loadSnapshot(snapshotPath, index) : undefined;
  const log = await replayLog(logPath, index, (header) => {
    if (snapshotGeneration === undefined && header.generation > 0) {
      throw new StateStoreCorruptedError(
        snapshotPath,
        undefined,
        `is missing, but ${LOG_FILE} (generation ${header.generation}) builds on it`,
      );
    }
    const expected = snapshotGeneration ?? 0;
    // A crash between writing snapshot N+1 and resetting the log: the old log is all in the snapshot.
    if (header.generation + 1 === expected) return "stale";
    if (header.generation !== expected) {
      throw new StateStoreCorruptedError(
        logPath,
        1,
        `builds on snapshot generation ${header.generation}, but ${SNAPSHOT_FILE} is generation ${expected}`,
      );
    }
    return "replay";
  });
  if (log === "stale") {
    return { generation: snapshotGeneration!, newLog: true, logEnd: 0, logLines: 0, hasSnapshot, watermarks };
  }
  return { generation: snapshotGeneration ?? 0, newLog: false, ...log, hasSnapshot, watermarks };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return false;
      throw e;
    },
  );
}

async function loadWatermarks(path: string): Promise<Watermarks | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new StateStoreCorruptedError(path, undefined, `is not valid JSON (${(e as Error).message})`, {
      cause: e,
    });
  }
  const result = watermarksSchema.safeParse(value);
  if (!result.success) {
    const issues = zodIssues(result.error);
    throw new StateStoreCorruptedError(path, undefined, `has the wrong shape: ${describeIssues(issues)}`, {
      issues,
    });
  }
  return value as Watermarks;
}

/** Parses and checks one record line; `undefined` when it is not JSON (a torn line, if it is the last). */
function parseLine(path: string, line: FileLine): RecordLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decodeLine(line.bytes));
  } catch {
    return undefined;
  }
  const checked = checkRecordLine(value);
  if (Array.isArray(checked)) {
    throw new StateStoreCorruptedError(
      path,
      line.number,
      `record has the wrong shape: ${describeIssues(checked)}`,
      { issues: checked },
    );
  }
  return checked;
}

function header(path: string, line: FileLine | undefined): FileHeader {
  if (!line)
    throw new StateStoreCorruptedError(path, 1, "is empty (the store writes a header when it creates it)");
  let value: unknown;
  try {
    value = JSON.parse(decodeLine(line.bytes));
  } catch {
    value = undefined;
  }
  const parsed = parseHeader(value);
  if (typeof parsed === "string" || !line.terminated) {
    throw new StateStoreCorruptedError(
      path,
      line.number,
      typeof parsed === "string" ? parsed : "header is incomplete",
    );
  }
  return parsed;
}

/** A snapshot is written whole and renamed into place: every line must be intact and counted. */
async function loadSnapshot(path: string, index: RecordIndex): Promise<number> {
  const lines = readFileLines(path);
  const first = await lines.next();
  const { generation, records } = header(path, first.done ? undefined : first.value);
  let count = 0;
  for await (const line of lines) {
    const entry = line.terminated ? parseLine(path, line) : undefined;
    if (!entry) throw new StateStoreCorruptedError(path, line.number, "is not a complete JSON line");
    if (entry.r === null || index.get(entry.k)) {
      throw new StateStoreCorruptedError(
        path,
        line.number,
        `record ${entry.k} is a deletion or appears twice`,
      );
    }
    index.set(entry.k, entry.r, { inLog: false, offset: line.offset, length: line.bytes.length });
    count++;
  }
  if (records === undefined || count !== records) {
    throw new StateStoreCorruptedError(
      path,
      undefined,
      `holds ${count} records, its header says ${records ?? "nothing"}`,
    );
  }
  return generation;
}

/**
 * Replays the log over the snapshot. Each line must continue its record's history (version = previous + 1, a
 * deletion only of an existing record): a gap means lines were lost. Only the last line may be torn.
 */
async function replayLog(
  path: string,
  index: RecordIndex,
  onHeader: (header: FileHeader) => "replay" | "stale",
): Promise<{ logEnd: number; logLines: number } | "stale"> {
  const lines = readFileLines(path);
  const first = await lines.next();
  const head = first.done ? undefined : first.value;
  if (onHeader(header(path, head)) === "stale") {
    await lines.return(undefined);
    return "stale";
  }
  let logEnd = head!.bytes.length + 1;
  let logLines = 0;
  let pending: FileLine | undefined;
  const apply = (line: FileLine, last: boolean): void => {
    const entry = last && !line.terminated ? undefined : parseLine(path, line);
    if (!entry) {
      if (last) return; // Torn by a crash mid-append: cut.
      throw new StateStoreCorruptedError(
        path,
        line.number,
        "is not a complete JSON line, and lines follow it",
      );
    }
    checkContinuity(path, line, entry, index);
    index.set(entry.k, entry.r, { inLog: true, offset: line.offset, length: line.bytes.length });
    logEnd = line.offset + line.bytes.length + 1;
    logLines++;
  };
  for await (const line of lines) {
    if (pending) apply(pending, false);
    pending = line;
  }
  if (pending) apply(pending, true);
  return { logEnd, logLines };
}

function checkContinuity(path: string, line: FileLine, entry: RecordLine, index: RecordIndex): void {
  const previous = index.get(entry.k)?.version ?? 0;
  if (entry.r === null ? previous > 0 : entry.r.version === previous + 1) return;
  const what =
    entry.r === null
      ? `deletes record ${entry.k}, which does not exist`
      : `writes record ${entry.k} at version ${entry.r.version} over version ${previous}`;
  throw new StateStoreCorruptedError(path, line.number, `${what}: lines before it are missing`);
}
