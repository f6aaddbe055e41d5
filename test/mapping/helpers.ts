import { expect } from "vitest";
import type { MappingResult, MappingWarning } from "../../src/mapping";

/** The value of a successful result (fails the test with the error otherwise). */
export function ok<T>(result: MappingResult<T>): T {
  if (!result.ok) expect.fail(`expected ok, got MappingError: ${result.error.message}`);
  return result.value;
}

/** The value and warnings of a successful result. */
export function okWithWarnings<T>(result: MappingResult<T>): { value: T; warnings: MappingWarning[] } {
  if (!result.ok) expect.fail(`expected ok, got MappingError: ${result.error.message}`);
  return { value: result.value, warnings: result.warnings };
}

/** The error of a failed result. */
export function err<T>(result: MappingResult<T>) {
  if (result.ok) expect.fail(`expected a MappingError, got ${JSON.stringify(result.value).slice(0, 200)}`);
  return result.error;
}

export function kinds(warnings: readonly MappingWarning[], field?: string): string[] {
  return warnings.filter((w) => field === undefined || w.field === field).map((w) => w.kind);
}
