/** The state of one read of a Defender payload, and the primitives every reader shares. */
import type { DefenderParseWarning } from "../parseWarnings";

export interface ReadIssue {
  path: (string | number)[];
  message: string;
}

/** Where the walk is, what failed, what was tolerated, and the ids warnings are reported with. */
export class ReadState {
  readonly path: (string | number)[] = [];
  readonly issues: ReadIssue[] = [];
  readonly warnings: DefenderParseWarning[] = [];
  incidentId: string | undefined;
  alertId: string | undefined;
}

/** Reads `value`, found under `key` of the current path (`undefined` at the root). Returns the value to keep. */
export type Reader = (value: unknown, st: ReadState, key: string | number | undefined) => unknown;

const MAX_ISSUES_IN_WARNING = 3;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function received(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

export function expected(what: string, value: unknown): string {
  return `Invalid input: expected ${what}, received ${received(value)}`;
}

/** Records an issue at `key` of the current path; returns `value` (kept as it is). */
export function fail(
  st: ReadState,
  key: string | number | undefined,
  message: string,
  value: unknown,
): unknown {
  st.issues.push({ path: key === undefined ? [...st.path] : [...st.path, key], message });
  return value;
}

export function pathText(path: readonly (string | number)[]): string {
  return path.join(".");
}

/** The current path with `key`, as text. */
export function here(st: ReadState, key: string | number | undefined): string {
  return pathText(key === undefined ? st.path : [...st.path, key]);
}

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function warn(st: ReadState, warning: Omit<DefenderParseWarning, "incidentId" | "alertId">): void {
  st.warnings.push({
    ...warning,
    ...(st.incidentId !== undefined && { incidentId: st.incidentId }),
    ...(st.alertId !== undefined && { alertId: st.alertId }),
  });
}

export function issueSummary(issues: readonly ReadIssue[]): { path: string; message: string }[] {
  return issues.slice(0, MAX_ISSUES_IN_WARNING).map((i) => ({ path: pathText(i.path), message: i.message }));
}

/**
 * For tolerant reading: the issues recorded since `issuesBefore` (removed, with the warnings recorded since
 * `warningsBefore`, which belong to the value now kept as sent), or `undefined` when there were none.
 */
export function takeIssues(
  st: ReadState,
  issuesBefore: number,
  warningsBefore: number,
): ReadIssue[] | undefined {
  if (st.issues.length === issuesBefore) return undefined;
  const issues = st.issues.splice(issuesBefore);
  st.warnings.length = warningsBefore;
  return issues;
}
