/**
 * The entities of one lane's partition: a record per pair (`r:<id>`), an index entity per Sentinel name
 * (`s:<name>` → id), the watermarks (`m:watermarks`) and the lane's metadata (`m:lane`). Reading treats every
 * property as hostile: format, version, key ↔ id, payload and shape are all checked, and anything unexpected is a
 * {@link TableStateCorruptedError} naming the entity. Writes are checked against the same schemas first, so the
 * store never writes what it would refuse to read.
 */
import { InvalidArgumentError, type ValidationIssue } from "../core/errors";
import { describeIssues, zodIssues } from "../core/validationIssues";
import { syncRecordSchema, watermarksSchema } from "../sync/stateSchemas";
import type { SyncRecord, Watermarks } from "../sync/stateStore";
import { type TableEntityLocation, TableStateCorruptedError } from "./tableErrors";
import { indexRowKey, LANE_ROW, recordRowKey, WATERMARKS_ROW } from "./tableKeys";
import { decodePayload, describeValue, encodePayload, entitySizeBytes, PayloadProblem } from "./tablePayload";

/** Version of this layout, stored in every entity (`fmt`); a reader refuses layouts it does not know. */
export const TABLE_FORMAT = 1;

/** An entity as written (keys plus properties). */
export type Entity = { partitionKey: string; rowKey: string } & Record<string, unknown>;

export interface DecodedRecord {
  record: SyncRecord;
  etag: string;
}

/** The record's entity at `version`; refuses (InvalidArgumentError) a record the schema or the size limit refuses. */
export async function recordEntity(
  partitionKey: string,
  record: Omit<SyncRecord, "version">,
  version: number,
  maxEntityBytes: number,
): Promise<Entity> {
  const { version: _ignored, ...payload } = record as SyncRecord;
  const checked = syncRecordSchema.safeParse({ ...payload, version });
  if (!checked.success) {
    const issues = zodIssues(checked.error);
    throw new InvalidArgumentError(
      "record",
      `${describeValue(payload.defenderId)} has the wrong shape: ${describeIssues(issues)}`,
      issues,
    );
  }
  const rowKey = recordRowKey(record.defenderId);
  const props = {
    fmt: TABLE_FORMAT,
    v: version,
    id: record.defenderId,
    sn: record.sentinelName.toLowerCase(),
    ...(await encodePayload(payload)),
  };
  const size = entitySizeBytes(partitionKey, rowKey, props);
  if (size > maxEntityBytes) {
    throw new InvalidArgumentError(
      "record",
      `${JSON.stringify(record.defenderId)} takes ${size} bytes as a Table entity (compressed), over the ` +
        `${maxEntityBytes}-byte limit of an entity; nothing was written`,
    );
  }
  return { partitionKey, rowKey, ...props };
}

export const indexEntity = (partitionKey: string, sentinelName: string, defenderId: string): Entity => ({
  partitionKey,
  rowKey: indexRowKey(sentinelName),
  fmt: TABLE_FORMAT,
  id: defenderId,
  sn: sentinelName.toLowerCase(),
});

export const laneEntity = (partitionKey: string, lane: string, now: Date): Entity => ({
  partitionKey,
  rowKey: LANE_ROW,
  fmt: TABLE_FORMAT,
  lane,
  createdAt: now.toISOString(),
});

export async function watermarksEntity(
  partitionKey: string,
  watermarks: Omit<Watermarks, "version">,
  version: number,
  maxEntityBytes: number,
): Promise<Entity> {
  const { version: _ignored, ...payload } = watermarks as Watermarks;
  const checked = watermarksSchema.safeParse({ ...payload, version });
  if (!checked.success) {
    const issues = zodIssues(checked.error);
    throw new InvalidArgumentError("watermarks", describeIssues(issues), issues);
  }
  const props = { fmt: TABLE_FORMAT, v: version, ...(await encodePayload(payload)) };
  const size = entitySizeBytes(partitionKey, WATERMARKS_ROW, props);
  if (size > maxEntityBytes) {
    throw new InvalidArgumentError(
      "watermarks",
      `take ${size} bytes as a Table entity, over ${maxEntityBytes}`,
    );
  }
  return { partitionKey, rowKey: WATERMARKS_ROW, ...props };
}

/** A record entity read back. `where.key` is the id asked for (for a listing: the entity's own `id`). */
export async function decodeRecordEntity(
  entity: Record<string, unknown>,
  where: TableEntityLocation,
): Promise<DecodedRecord> {
  const fail: Fail = (problem, options) => new TableStateCorruptedError(where, problem, options);
  const version = checkHeader(entity, fail);
  if (entity.id !== where.key) throw fail(`property id is ${describeValue(entity.id)}, expected the key`);
  if (recordRowKey(where.key) !== where.rowKey) throw fail("the row key is not the one of its id");
  if (typeof entity.sn !== "string") throw fail("property sn is not a string");
  const value = await payloadOf(entity, fail);
  const candidate = { ...(value as object), version };
  const parsed = syncRecordSchema.safeParse(candidate);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    throw fail(`the record has the wrong shape: ${describeIssues(issues)}`, { issues });
  }
  if (parsed.data.defenderId !== where.key) throw fail("the record's defenderId is not its key");
  if (parsed.data.sentinelName.toLowerCase() !== entity.sn)
    throw fail("property sn is not the record's name");
  // The checked value keeps fields a newer version may add (the schema strips them), as the other stores do.
  return { record: candidate as SyncRecord, etag: etagOf(entity, fail) };
}

export async function decodeWatermarksEntity(
  entity: Record<string, unknown>,
  where: TableEntityLocation,
): Promise<{ watermarks: Watermarks; etag: string }> {
  const fail: Fail = (problem, options) => new TableStateCorruptedError(where, problem, options);
  const version = checkHeader(entity, fail);
  const candidate = { ...((await payloadOf(entity, fail)) as object), version };
  const parsed = watermarksSchema.safeParse(candidate);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    throw fail(`the watermarks have the wrong shape: ${describeIssues(issues)}`, { issues });
  }
  return { watermarks: candidate as Watermarks, etag: etagOf(entity, fail) };
}

/** The Defender id an index entity points to. */
export function decodeIndexEntity(entity: Record<string, unknown>, where: TableEntityLocation): string {
  const fail: Fail = (problem) => new TableStateCorruptedError(where, problem);
  checkFormat(entity, fail);
  if (typeof entity.id !== "string" || entity.id.length === 0) {
    throw fail(`property id is ${describeValue(entity.id)}, expected a Defender id`);
  }
  return entity.id;
}

type Fail = (problem: string, options?: { issues?: ValidationIssue[]; cause?: unknown }) => Error;

function checkFormat(entity: Record<string, unknown>, fail: Fail): void {
  if (entity.fmt === TABLE_FORMAT) return;
  if (typeof entity.fmt === "number" && Number.isInteger(entity.fmt) && entity.fmt > TABLE_FORMAT) {
    throw fail(
      `it was written in layout ${entity.fmt} by a newer version of this package (this one reads 1)`,
    );
  }
  throw fail(`property fmt is ${describeValue(entity.fmt)}, expected ${TABLE_FORMAT}`);
}

/** Checks the layout and returns the version (`v`, a positive integer). */
function checkHeader(entity: Record<string, unknown>, fail: Fail): number {
  checkFormat(entity, fail);
  const v = entity.v;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) {
    throw fail(`property v is ${describeValue(v)}, expected a positive integer`);
  }
  return v;
}

async function payloadOf(entity: Record<string, unknown>, fail: Fail): Promise<object> {
  let value: unknown;
  try {
    value = await decodePayload(entity);
  } catch (e) {
    if (e instanceof PayloadProblem) throw fail(e.message, { cause: e.cause });
    throw e;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw fail("the payload is not an object");
  return value;
}

function etagOf(entity: Record<string, unknown>, fail: Fail): string {
  if (typeof entity.etag !== "string" || entity.etag.length === 0) throw fail("the service returned no ETag");
  return entity.etag;
}
