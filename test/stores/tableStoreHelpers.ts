/** Helpers of the TableStateStore tests: counted Table clients on Azurite, sample records, a forced GC. */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { TableClient } from "@azure/data-tables";
import type { SyncRecord } from "defender-sentinel-sync";

/** Requests one client sent, as "METHOD path" (the batch endpoint is `POST /<account>/$batch`). */
export interface RequestLog {
  lines: string[];
  count(match?: (line: string) => boolean): number;
  reset(): void;
}

export function countingPolicy(): { policy: PipelinePolicy; log: RequestLog } {
  const lines: string[] = [];
  const policy: PipelinePolicy = {
    name: "countTableRequests",
    sendRequest: (request, next) => {
      lines.push(`${request.method} ${decodeURIComponent(new URL(request.url).pathname)}`);
      return next(request);
    },
  };
  const log: RequestLog = {
    lines,
    count: (match) => (match ? lines.filter(match).length : lines.length),
    reset: () => {
      lines.length = 0;
    },
  };
  return { policy, log };
}

let tables = 0;
/** A table name no other test uses. */
export const freshTableName = (): string => `t${process.pid}x${Date.now().toString(36)}x${tables++}`;

/** A client on `tableName` whose requests are counted. */
export function countedClient(
  connectionString: string,
  tableName: string,
): { client: TableClient; log: RequestLog } {
  const { policy, log } = countingPolicy();
  const client = TableClient.fromConnectionString(connectionString, tableName, {
    allowInsecureConnection: true,
    additionalPolicies: [{ policy, position: "perCall" }],
  });
  return { client, log };
}

export function sampleRecord(id: string, overrides: Partial<SyncRecord> = {}): Omit<SyncRecord, "version"> {
  return {
    defenderId: id,
    sentinelName: `00000000-0000-4000-8000-${String(id).replace(/\W/g, "").slice(0, 12).padStart(12, "0")}`,
    link: "owned",
    defenderVersion: "2026-01-01T00:00:00.0000000Z",
    comments: [{ defenderHash: "h1", sentinelCommentId: "c1", origin: "defender" }],
    ...overrides,
  };
}

const gcFunction: () => void = (() => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

/** Runs full collections, yielding between them so WeakRefs read in earlier jobs can be cleared. */
export async function collectGarbage(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 0));
    gcFunction();
  }
}
