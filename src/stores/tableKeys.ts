/**
 * PartitionKey / RowKey encoding of the Table ledger. Keys may not hold `/ \ # ?` nor control characters, are
 * limited to 1 KiB on Azure Table Storage and to 255 bytes (row keys) on Azure Cosmos DB for Table
 * (https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model,
 * https://learn.microsoft.com/azure/cosmos-db/table/faq). Every id is therefore percent-encoded outside a small
 * safe set (which also keeps `'`, `%` and `+` out of request URLs and OData filters), and an encoded key longer
 * than {@link MAX_ENCODED_KEY} is replaced by its sha256. The original id is always kept in a property, so a key
 * never has to be decoded and a hashed key is checked against it on read.
 */
import { createHash } from "node:crypto";

/** Characters kept as they are; everything else becomes %XX of its UTF-8 bytes (`%` and `~` included). */
const SAFE = /^[A-Za-z0-9._-]$/;

/** Encoded keys above this length are hashed: fits Cosmos DB's 255-byte row keys with the prefix. */
export const MAX_ENCODED_KEY = 200;

/** Row key prefixes: one range per kind, so a record query never meets an index or metadata entity. */
export const RECORD_PREFIX = "r:";
export const INDEX_PREFIX = "s:";
/** The first key after every record key (`;` follows `:`), for the range filter of a listing. */
export const RECORD_RANGE_END = "r;";
export const WATERMARKS_ROW = "m:watermarks";
export const LANE_ROW = "m:lane";

/** Percent-encodes `value` outside [A-Za-z0-9._-]; injective, never emits `~`, which marks hashed keys. */
export function escapeKey(value: string): string {
  let out = "";
  for (const ch of value) {
    if (SAFE.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, "utf8")) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The escaped value, or `~` + sha256 when it would be too long for a key. */
export function keyPart(value: string): string {
  const escaped = escapeKey(value);
  if (escaped.length <= MAX_ENCODED_KEY) return escaped;
  return `~${createHash("sha256").update(value, "utf8").digest("hex")}`;
}

export const partitionKeyFor = (lane: string): string => keyPart(lane);
export const recordRowKey = (defenderId: string): string => RECORD_PREFIX + keyPart(defenderId);
/** Sentinel names are matched case-insensitively (ARM resource names are case-insensitive). */
export const indexRowKey = (sentinelName: string): string =>
  INDEX_PREFIX + keyPart(sentinelName.toLowerCase());
