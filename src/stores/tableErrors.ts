import { StateStoreCorruptedError, type ValidationIssue } from "../core/errors";

/** Where a Table ledger entity lives, and which ledger key it holds. */
export interface TableEntityLocation {
  table: string;
  partitionKey: string;
  rowKey: string;
  /** The ledger key: a Defender id, a Sentinel name (index) or "watermarks". */
  key: string;
}

/**
 * An entity of a Table ledger cannot be read back as what the store wrote: a payload that is not JSON, a record
 * of the wrong shape, a version that is not a positive integer, a key that does not match its id. Keeps the name
 * `StateStoreCorruptedError` (and `isStateStoreCorruptedError` matches it): the cause and the fix are the same as
 * for a damaged state file; `file` holds `table/partitionKey/rowKey`.
 */
export class TableStateCorruptedError extends StateStoreCorruptedError {
  readonly table: string;
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly key: string;
  constructor(
    where: TableEntityLocation,
    problem: string,
    options: { issues?: ValidationIssue[]; cause?: unknown } = {},
  ) {
    super(`${where.table}/${where.partitionKey}/${where.rowKey}`, undefined, problem, options);
    this.message =
      `State table ${where.table}, partition ${where.partitionKey}, row ${where.rowKey} ` +
      `(key ${JSON.stringify(where.key)}) is corrupt: ${problem}`;
    this.table = where.table;
    this.partitionKey = where.partitionKey;
    this.rowKey = where.rowKey;
    this.key = where.key;
  }
}
