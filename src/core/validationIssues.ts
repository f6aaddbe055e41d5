import type { z } from "zod";
import type { ValidationIssue } from "./errors";

/**
 * `issues` with their paths under `prefix`: `"x"` becomes `"prefix.x"`, the root (`""`) becomes `"prefix"`. Without
 * a prefix (or with `""`) they are returned as they are.
 */
export function prefixIssues(issues: readonly ValidationIssue[], prefix?: string): ValidationIssue[] {
  if (prefix === undefined || prefix === "") return [...issues];
  return issues.map((i) => ({ path: i.path ? `${prefix}.${i.path}` : prefix, message: i.message }));
}

/**
 * zod's issues as this package reports them: `{ path: "value.0.severity", message }`, the path under `prefix`
 * when one is given (`""` for the root).
 */
export function zodIssues(error: z.ZodError, prefix?: string): ValidationIssue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== undefined && p !== "").join("."),
    message: i.message,
  }));
}

/**
 * Issues as one line for an error or warning message: `path: message; …`, the root shown as `(root)`, at most
 * `limit` of them and a count of the rest.
 */
export function describeIssues(issues: readonly ValidationIssue[], limit = 10): string {
  const shown = issues.slice(0, limit).map((i) => `${i.path || "(root)"}: ${i.message}`);
  if (issues.length > limit) shown.push(`and ${issues.length - limit} more issues`);
  return shown.join("; ");
}
