import { InvalidArgumentError } from "./errors";
import { isGuid } from "./guid";

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
  if (!isGuid(value)) {
    throw new InvalidArgumentError(argument, `${JSON.stringify(value)} is not a GUID`);
  }
  return value;
}

/**
 * Longest incident or comment name accepted. The spec sets no limit; names are GUIDs in practice and ARM
 * resource names stay far below this, so anything longer is a caller's mistake, not a real name.
 */
export const MAX_ARM_NAME_LENGTH = 256;

// "/" and "\" split the path, "?" and "#" end it, "%" would be decoded a second time, control characters
// never belong in a URL.
const ARM_NAME_FORBIDDEN = /[/\\?#%\u0000-\u001f\u007f-\u009f]/;

/**
 * Why `value` cannot be a Sentinel incident or comment name in an ARM path, or `undefined` when it can.
 *
 * The Microsoft.SecurityInsights spec types `incidentId` and `incidentCommentId` as plain strings (not GUIDs),
 * so every name is accepted except what would change the request path: empty or blank names, "/", "\", "?",
 * "#", "%", control characters, ".." anywhere, a trailing "." (IIS and ARM drop it, addressing another
 * resource) and names over {@link MAX_ARM_NAME_LENGTH} characters.
 */
export function armNameProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "is not a string";
  if (value.trim() === "") return "is empty";
  if (value.length > MAX_ARM_NAME_LENGTH) return `is longer than ${MAX_ARM_NAME_LENGTH} characters`;
  const bad = ARM_NAME_FORBIDDEN.exec(value);
  if (bad) return `contains ${JSON.stringify(bad[0])}`;
  if (value.includes("..")) return 'contains ".."';
  if (value.endsWith(".")) return 'ends with "."';
  return undefined;
}

/** A Sentinel incident or comment name (see {@link armNameProblem}); returns the encoded path segment. */
export function armName(argument: string, value: unknown): string {
  const problem = armNameProblem(value);
  if (problem !== undefined) {
    throw new InvalidArgumentError(
      argument,
      `${JSON.stringify(value)} ${problem}; not a usable resource name`,
    );
  }
  return encodeURIComponent(value as string);
}

/**
 * A Log Analytics workspace name as the spec's `WorkspaceName` parameter allows (`common/2.0/types.json`):
 * `^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$`, at most 90 characters (so 3 to 90).
 */
export const WORKSPACE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{1,88}[A-Za-z0-9]$/;
