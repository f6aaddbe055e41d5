/**
 * A JSON value as entity properties. A Table property holds at most 64 KiB (a string: 32 K UTF-16 characters)
 * and an entity at most 1 MiB, counted as the service does: 4 bytes + 2 per key character + for each property
 * 8 bytes + 2 per name character + its value (a string 4 + 2 per character, binary 4 + its bytes)
 * (https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model). Small
 * payloads stay readable (`enc: "json"`, one string); larger ones are gzipped into binary properties `d0…dN`
 * of 64,000 bytes (`enc: "gzip"`, `parts: N`), ≈ 8× more than one string property holds even before compression.
 */
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** JSON up to this many UTF-16 units is kept as one string property (the limit is 32,768). */
export const INLINE_JSON_CHARS = 32_000;
/** Bytes per binary chunk (the limit is 65,536). */
export const CHUNK_BYTES = 64_000;
/** Chunks a reader accepts: 1 MiB / 64,000 rounds to 17; Cosmos DB's 2 MB items fit in 33. */
export const MAX_PARTS = 40;
/** A gzip payload may not inflate beyond this (a hostile entity must not exhaust memory). */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

export type PayloadProperties =
  | { enc: "json"; json: string }
  | ({ enc: "gzip"; parts: number } & { [chunk: `d${number}`]: Uint8Array });

export async function encodePayload(value: unknown): Promise<PayloadProperties> {
  const json = JSON.stringify(value);
  if (json.length <= INLINE_JSON_CHARS) return { enc: "json", json };
  const zipped = await gzipAsync(Buffer.from(json, "utf8"));
  const props: Record<string, unknown> = { enc: "gzip", parts: Math.ceil(zipped.length / CHUNK_BYTES) };
  for (let i = 0, offset = 0; offset < zipped.length; i++, offset += CHUNK_BYTES) {
    props[`d${i}`] = new Uint8Array(zipped.subarray(offset, offset + CHUNK_BYTES));
  }
  return props as PayloadProperties;
}

/** Why a payload could not be decoded (the caller adds where). */
export class PayloadProblem extends Error {}

/** The JSON value of an entity's payload properties; throws PayloadProblem on anything unexpected. */
export async function decodePayload(entity: Record<string, unknown>): Promise<unknown> {
  let text: string;
  if (entity.enc === "json") {
    if (typeof entity.json !== "string") throw new PayloadProblem("property json is not a string");
    text = entity.json;
  } else if (entity.enc === "gzip") {
    text = await inflate(entity);
  } else {
    throw new PayloadProblem(`property enc is ${describeValue(entity.enc)}, expected "json" or "gzip"`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PayloadProblem(`payload is not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

async function inflate(entity: Record<string, unknown>): Promise<string> {
  const parts = entity.parts;
  if (typeof parts !== "number" || !Number.isInteger(parts) || parts < 1 || parts > MAX_PARTS) {
    throw new PayloadProblem(
      `property parts is ${describeValue(parts)}, expected an integer from 1 to ${MAX_PARTS}`,
    );
  }
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < parts; i++) {
    const chunk = entity[`d${i}`];
    if (!(chunk instanceof Uint8Array)) throw new PayloadProblem(`property d${i} is not binary`);
    chunks.push(chunk);
  }
  let bytes: Buffer;
  try {
    bytes = await gunzipAsync(Buffer.concat(chunks), { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (e) {
    throw new PayloadProblem(`payload does not inflate (${(e as Error).message})`, { cause: e });
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (e) {
    throw new PayloadProblem("payload is not UTF-8", { cause: e });
  }
}

/** The entity's size as the service counts it (see the file comment). */
export function entitySizeBytes(
  partitionKey: string,
  rowKey: string,
  props: Record<string, unknown>,
): number {
  let size = 4 + (partitionKey.length + rowKey.length) * 2;
  for (const [name, value] of Object.entries(props)) {
    size += 8 + name.length * 2;
    if (typeof value === "string") size += 4 + value.length * 2;
    else if (value instanceof Uint8Array) size += 4 + value.length;
    else size += 8; // numbers (Int32 or Double) and booleans
  }
  return size;
}

/** Bytes the entity adds to a transaction request: JSON with base64 binaries, plus the multipart framing. */
export function wireSizeBytes(props: Record<string, unknown>): number {
  const FRAMING = 700; // boundary, request line, headers (If-Match, content type) of one operation
  let size = FRAMING;
  for (const [name, value] of Object.entries(props)) {
    size += name.length + 40; // quotes, colon, comma, an "@odata.type" annotation at most
    if (typeof value === "string") size += Buffer.byteLength(JSON.stringify(value), "utf8");
    else if (value instanceof Uint8Array) size += Math.ceil(value.length / 3) * 4;
    else size += 24;
  }
  return size;
}

/** Whether two JSON values are equal, whatever the order of their keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function describeValue(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
