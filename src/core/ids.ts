import { InvalidArgumentError } from "./errors";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SAFE_ID = /^[A-Za-z0-9_.:-]{1,256}$/;

/** Ids placed in a URL path: non-empty, no separators or traversal. Returns the encoded segment. */
export function pathId(argument: string, value: unknown): string {
  if (typeof value !== "string" || !SAFE_ID.test(value) || value.includes("..") || value === ".") {
    throw new InvalidArgumentError(
      argument,
      `${JSON.stringify(value)} is not a valid id (letters, digits, "_", "-", ".", ":" only)`,
    );
  }
  return encodeURIComponent(value);
}

/** Sentinel incident and comment names are GUIDs we choose. */
export function guidId(argument: string, value: unknown): string {
  if (typeof value !== "string" || !GUID.test(value)) {
    throw new InvalidArgumentError(argument, `${JSON.stringify(value)} is not a GUID`);
  }
  return value;
}

export function isGuid(value: string): boolean {
  return GUID.test(value);
}
