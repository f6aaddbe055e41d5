/**
 * Writes as entity group transactions: at most 100 operations and 4 MiB in one request, all in one partition,
 * all or nothing (https://learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions).
 * A unit is one record's operations (its conditional write first, then its index entities) and is never split
 * across transactions. When a transaction fails, the service names the failed operation ("<index>:" before the
 * message): a lost condition on a unit's first operation rejects that unit, a missing entity on an operation
 * marked optional drops that operation, and the rest of the transaction is sent again.
 */
import type { TableClient, TransactionAction } from "@azure/data-tables";

export const MAX_TRANSACTION_OPERATIONS = 100;

export interface BatchUnit {
  /** The ledger key (Defender id or "watermarks"). */
  key: string;
  /** The first action is the conditional write of the unit's main entity. */
  actions: TransactionAction[];
  /** Indexes of actions that may be dropped when they fail because the entity is already gone (404). */
  optional: Set<number>;
  /** Estimated request bytes of the actions. */
  bytes: number;
}

export interface BatchOutcome {
  /** Units written, with the new ETag of their main entity. */
  committed: { unit: BatchUnit; etag: string | undefined }[];
  /** Units whose condition failed (412: changed, 409: exists, 404: gone), nothing of them written. */
  rejected: { unit: BatchUnit; status: number }[];
  /** Requests sent (transactions, retries included). */
  requests: number;
}

/**
 * Groups units in order into transactions of at most `maxOperations` actions and `maxBytes` bytes, in which no
 * entity appears twice (the service refuses that: two records claiming one Sentinel name, or a rename onto a
 * name another record leaves, go to separate transactions, in order).
 */
export function chunkUnits(units: BatchUnit[], maxOperations: number, maxBytes: number): BatchUnit[][] {
  const chunks: BatchUnit[][] = [];
  let current: BatchUnit[] = [];
  let ops = 0;
  let bytes = 0;
  const rows = new Set<string>();
  for (const unit of units) {
    const n = unit.actions.length;
    const unitRows = unit.actions.map((a) => a[1].rowKey);
    const clash = unitRows.some((r) => rows.has(r));
    if (current.length > 0 && (clash || ops + n > maxOperations || bytes + unit.bytes > maxBytes)) {
      chunks.push(current);
      current = [];
      ops = 0;
      bytes = 0;
      rows.clear();
    }
    current.push(unit);
    ops += n;
    bytes += unit.bytes;
    for (const r of unitRows) rows.add(r);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

const CONDITION_STATUSES = new Set([404, 409, 412]);

/** Sends the chunks in order. Errors other than a lost condition are thrown; earlier chunks stay committed. */
export async function runTransactions(client: TableClient, chunks: BatchUnit[][]): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { committed: [], rejected: [], requests: 0 };
  const queue = chunks.map((c) => [...c]);
  while (queue.length > 0) {
    const chunk = queue.shift()!;
    if (chunk.length === 0) continue;
    try {
      outcome.requests++;
      const response = await client.submitTransaction(chunk.flatMap((u) => u.actions));
      let offset = 0;
      for (const unit of chunk) {
        outcome.committed.push({ unit, etag: response.subResponses[offset]?.etag });
        offset += unit.actions.length;
      }
    } catch (e) {
      const status = statusOf(e);
      if (status === undefined || !CONDITION_STATUSES.has(status)) throw e;
      const retry = settleFailure(chunk, failedActionIndex(e), status, outcome);
      if (retry === undefined) throw e;
      queue.unshift(...retry);
    }
  }
  return outcome;
}

/** What to send again after a lost condition, or undefined when the failure cannot be attributed. */
function settleFailure(
  chunk: BatchUnit[],
  index: number | undefined,
  status: number,
  outcome: BatchOutcome,
): BatchUnit[][] | undefined {
  if (index === undefined) {
    // The service did not say which operation failed: retry the units one by one to find out.
    if (chunk.length > 1) return chunk.map((u) => [u]);
    index = status === 404 && chunk[0]!.optional.size > 0 ? [...chunk[0]!.optional][0]! : 0;
  }
  let offset = 0;
  for (const [i, unit] of chunk.entries()) {
    const local = index - offset;
    if (local < unit.actions.length) {
      const rest = chunk.filter((_, j) => j !== i);
      if (local === 0 && CONDITION_STATUSES.has(status)) {
        outcome.rejected.push({ unit, status });
        return [rest];
      }
      if (status === 404 && unit.optional.has(local)) return [[...rest, withoutAction(unit, local)]];
      return undefined;
    }
    offset += unit.actions.length;
  }
  return undefined;
}

function withoutAction(unit: BatchUnit, index: number): BatchUnit {
  const optional = new Set<number>();
  for (const o of unit.optional) if (o !== index) optional.add(o > index ? o - 1 : o);
  return { ...unit, actions: unit.actions.filter((_, i) => i !== index), optional };
}

export function statusOf(e: unknown): number | undefined {
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** The failed operation's index: the service starts the error message with "<index>:". */
export function failedActionIndex(e: unknown): number | undefined {
  const message = (e as { message?: unknown } | null)?.message;
  if (typeof message !== "string") return undefined;
  const m = /^(\d{1,3}):/.exec(message);
  return m ? Number(m[1]) : undefined;
}
