/**
 * The Log Analytics tables of each workspace as analytics rules see them: rows that arrived through Logs
 * Ingestion, each with its ingestion time on the emulator clock. There is no idempotency key: a retried
 * upload lands twice. `TimeGenerated` more than 2 days old or more than 1 day ahead is replaced by the receive
 * time, and the reserved `TenantId` column holds the workspace id (learn.microsoft.com/azure/azure-monitor/logs/
 * logs-ingestion-api-overview).
 */
import { DAY_MS } from "./durations";

/** One row of a workspace table. */
export interface IngestedRow {
  /** The row as stored (TimeGenerated and TenantId as the service sets them). */
  row: Record<string, unknown>;
  /** `ingestion_time()`, 7-digit UTC. */
  ingestionTime: string;
  /** `ingestion_time()` in ms since epoch. */
  ingestionMs: number;
  /** `TimeGenerated` in ms since epoch. */
  timeGeneratedMs: number;
  /** The DCR and stream it came through. */
  ruleId: string;
  streamName: string;
}

interface Table {
  name: string;
  rows: IngestedRow[];
}

export interface IngestInput {
  workspaceKey: string;
  /** Workspace id (`customerId`), the value of the reserved TenantId column. */
  workspaceId: string;
  table: string;
  ruleId: string;
  streamName: string;
  rows: Record<string, unknown>[];
  /** When the row lands in the table (receipt + processing latency), ms since epoch. */
  ingestionMs: number;
  receivedMs: number;
  /** 7-digit timestamp for `ingestionMs`, strictly increasing. */
  stampAt(ms: number): string;
}

/** Table of a DCR output stream: `Custom-MyTable_CL` → `MyTable_CL`, `Microsoft-Syslog` → `Syslog`. */
export function tableOfStream(outputStream: string): string {
  return outputStream.replace(/^(Custom|Microsoft)-/i, "");
}

function timeGenerated(raw: unknown, receivedMs: number): number {
  const ms = typeof raw === "string" ? Date.parse(raw) : raw instanceof Date ? raw.getTime() : Number.NaN;
  if (Number.isNaN(ms) || ms < receivedMs - 2 * DAY_MS || ms > receivedMs + DAY_MS) return receivedMs;
  return ms;
}

export class IngestionTables {
  private readonly byWorkspace = new Map<string, Map<string, Table>>();

  ingest(input: IngestInput): IngestedRow[] {
    const tables = this.byWorkspace.get(input.workspaceKey) ?? new Map<string, Table>();
    this.byWorkspace.set(input.workspaceKey, tables);
    const key = input.table.toLowerCase();
    const table = tables.get(key) ?? { name: input.table, rows: [] };
    tables.set(key, table);
    const added = input.rows.map((raw) => {
      const generated = timeGenerated(raw.TimeGenerated, input.receivedMs);
      const row = {
        ...structuredClone(raw),
        TimeGenerated: new Date(generated).toISOString(),
        TenantId: input.workspaceId,
      };
      const ingestionTime = input.stampAt(input.ingestionMs);
      return {
        row,
        ingestionTime,
        ingestionMs: preciseMs(ingestionTime),
        timeGeneratedMs: generated,
        ruleId: input.ruleId,
        streamName: input.streamName,
      };
    });
    table.rows.push(...added);
    return added;
  }

  /** Rows of a table (case-insensitive name), oldest ingestion first; the stored objects, not copies. */
  rows(workspaceKey: string, table: string): readonly IngestedRow[] {
    return this.byWorkspace.get(workspaceKey)?.get(table.toLowerCase())?.rows ?? [];
  }

  tables(workspaceKey: string): string[] {
    return [...(this.byWorkspace.get(workspaceKey)?.values() ?? [])].map((t) => t.name);
  }

  clear(): void {
    this.byWorkspace.clear();
  }
}

/**
 * Milliseconds of a 7-digit stamp with its sub-millisecond ticks kept: rows ingested in the same millisecond as a
 * rule's window bound are after it, as `ingestion_time()` (100 ns ticks) says, not on it.
 */
function preciseMs(stamp: string): number {
  const ticks = /\.\d{3}(\d{4})Z$/.exec(stamp);
  return Date.parse(stamp) + (ticks ? Number(ticks[1]) / 10_000 : 0);
}
