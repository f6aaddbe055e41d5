/**
 * TableStateStore against Azurite (started by this file): the StateStore contracts, optimistic concurrency
 * between instances, hostile entities, batch transactions, odd keys, records near the entity limits, paged
 * listing in bounded memory, and the Table requests a quiet SyncEngine cycle costs.
 */
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { TableClient } from "@azure/data-tables";
import { isStateStoreCorruptedError, type SyncRecord, TableStateStore } from "defender-sentinel-sync";
import { durableStateStoreContract, stateStoreContract } from "defender-sentinel-sync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Azurite, startAzurite } from "../helpers/azurite";
import { collectGarbage, countedClient, freshTableName, sampleRecord } from "./tableStoreHelpers";

let az: Azurite;
beforeAll(async () => {
  az = await startAzurite();
}, 60_000);
afterAll(async () => {
  await az?.stop();
});

const http = { allowInsecureConnection: true };
const newStore = (tableName = freshTableName(), lane?: string) =>
  new TableStateStore({ connectionString: az.connectionString, tableName, clientOptions: http, lane });
const rawClient = (tableName: string) => TableClient.fromConnectionString(az.connectionString, tableName, http);

describe("TableStateStore contract", () => {
  for (const c of stateStoreContract(() => newStore())) it(c.name, c.run);
  let durableTable = "";
  for (const c of durableStateStoreContract(() => newStore((durableTable ||= freshTableName()), "durable"))) {
    it(c.name, c.run);
  }
});

describe("TableStateStore lanes", () => {
  let root: TableStateStore;
  let lanes = 0;
  beforeAll(() => {
    root = newStore();
  });
  for (const c of stateStoreContract(() => root.forLane(`lane ${lanes++}: contoso.eu`))) it(`forLane: ${c.name}`, c.run);
});
