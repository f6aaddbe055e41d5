import type { NamedKeyCredential, SASCredential, TokenCredential } from "@azure/core-auth";
import { TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import { InvalidArgumentError } from "../core/errors";

/** How the store reaches its table: an endpoint and a credential, a connection string, or a client of yours. */
export type TableStateStoreConnection =
  | {
      /** `https://<account>.table.core.windows.net` (or a Cosmos DB for Table endpoint). */
      endpoint: string;
      /** A TokenCredential (role "Storage Table Data Contributor"), or a named-key / SAS credential. */
      credential: TokenCredential | NamedKeyCredential | SASCredential;
      tableName: string;
      clientOptions?: TableServiceClientOptions;
    }
  | { connectionString: string; tableName: string; clientOptions?: TableServiceClientOptions }
  /** Your own client (its pipeline, retries and policies are used as they are). */
  | { tableClient: TableClient };

/**
 * Tuning of a `TableStateStore`: its lane (table partition), table creation, page size, ETag cache, and the
 * transaction and entity size limits (bytes) of Azure Table Storage or Cosmos DB for Table.
 */
export interface TableStateStoreTuning {
  /** This store's lane: its partition of the table. Default "default". */
  lane?: string;
  /** Create the table on first use (a no-op when it exists). Default true. */
  createTable?: boolean;
  /** Records per listing request, 1–1,000 (the service's maximum). Default 200. */
  pageSize?: number;
  /** ETags remembered per lane (saves a read before a write). Default 10,000; 0 turns the cache off. */
  etagCacheSize?: number;
  /**
   * Request bytes per transaction. Default 3.5 MiB (Azure Table Storage accepts 4 MiB); on a Cosmos DB for Table
   * endpoint 1.8 MB (it accepts 2 MB).
   */
  maxTransactionBytes?: number;
  /** Largest entity, as the service counts it. Default 1 MiB, Azure Table Storage's limit. */
  maxEntityBytes?: number;
  /** Clock of the lane's metadata entity. Default `() => new Date()`. */
  now?: () => Date;
}

/**
 * Options of `TableStateStore`: how to reach the table (endpoint and credential, connection string, or your
 * `TableClient`) plus the tuning.
 */
export type TableStateStoreOptions = TableStateStoreConnection & TableStateStoreTuning;

export interface ResolvedTableOptions {
  lane: string;
  createTable: boolean;
  pageSize: number;
  etagCacheSize: number;
  maxTransactionBytes: number;
  maxEntityBytes: number;
  now: () => Date;
}

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const KEY_FORBIDDEN = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

/** The table client the options describe. */
export function tableClientFrom(options: TableStateStoreConnection): TableClient {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError(
      "options",
      "expected { endpoint, credential, tableName }, { connectionString, tableName } or { tableClient }",
    );
  }
  if ("tableClient" in options && options.tableClient !== undefined) {
    if (typeof (options.tableClient as Partial<TableClient>).submitTransaction !== "function") {
      throw new InvalidArgumentError("tableClient", "must be a TableClient from @azure/data-tables");
    }
    return options.tableClient;
  }
  const tableName = (options as { tableName?: unknown }).tableName;
  if (typeof tableName !== "string" || !TABLE_NAME.test(tableName)) {
    throw new InvalidArgumentError("tableName", "must be 3–63 letters or digits, starting with a letter");
  }
  if ("connectionString" in options && options.connectionString !== undefined) {
    if (typeof options.connectionString !== "string" || options.connectionString.length === 0) {
      throw new InvalidArgumentError("connectionString", "must be a non-empty string");
    }
    return TableClient.fromConnectionString(options.connectionString, tableName, options.clientOptions);
  }
  const { endpoint, credential, clientOptions } = options as {
    endpoint?: unknown;
    credential?: unknown;
    clientOptions?: TableServiceClientOptions;
  };
  if (typeof endpoint !== "string" || !URL.canParse(endpoint)) {
    throw new InvalidArgumentError(
      "endpoint",
      "must be the table service URL, e.g. https://<account>.table.core.windows.net",
    );
  }
  if (typeof credential !== "object" || credential === null) {
    throw new InvalidArgumentError(
      "credential",
      "must be a TokenCredential, a NamedKeyCredential or a SASCredential",
    );
  }
  return new TableClient(endpoint, tableName, credential as TokenCredential, clientOptions);
}

/** Checks a lane id: 1–128 characters, none a Table key refuses. */
export function checkLane(lane: unknown): string {
  if (typeof lane !== "string" || lane.length === 0 || lane.length > 128 || KEY_FORBIDDEN.test(lane)) {
    throw new InvalidArgumentError(
      "lane",
      "must be 1–128 characters, none of / \\ # ? nor control characters",
    );
  }
  return lane;
}

export function resolveTuning(tuning: TableStateStoreTuning, client: TableClient): ResolvedTableOptions {
  const cosmos = /\.table\.cosmos(db)?\./.test(new URL(client.url).hostname);
  return {
    lane: checkLane(tuning.lane ?? "default"),
    createTable: tuning.createTable ?? true,
    pageSize: integer("pageSize", tuning.pageSize ?? 200, 1, 1_000),
    etagCacheSize: integer("etagCacheSize", tuning.etagCacheSize ?? 10_000, 0, 10_000_000),
    maxTransactionBytes: integer(
      "maxTransactionBytes",
      tuning.maxTransactionBytes ?? (cosmos ? 1_800_000 : 3.5 * 1024 * 1024),
      64 * 1024,
      4 * 1024 * 1024,
    ),
    maxEntityBytes: integer(
      "maxEntityBytes",
      tuning.maxEntityBytes ?? 1024 * 1024,
      64 * 1024,
      2 * 1024 * 1024,
    ),
    now: tuning.now ?? (() => new Date()),
  };
}

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(name, `must be an integer from ${min} to ${max}`);
  }
  return value;
}
