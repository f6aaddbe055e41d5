/**
 * Mapping results are values, not throws: every public mapping function returns a {@link MappingResult}.
 */
import type { MappingError } from "../core/errors";

/** What kind of information was changed or lost while mapping a field. */
export type MappingWarningKind = "truncated" | "lossy" | "unknownValue" | "dropped";

/** A non-fatal note about one field: the value was mapped, but not exactly. */
export interface MappingWarning {
  /** The canonical or wire field concerned (`"description"`, `"severity"`, `"labels"`, …). */
  field: string;
  kind: MappingWarningKind;
  message: string;
}

/** `{ ok: true, value, warnings }` on success, `{ ok: false, error }` when the mapping could not be completed. */
export type MappingResult<T> =
  | { ok: true; value: T; warnings: MappingWarning[] }
  | { ok: false; error: MappingError };

/** A successful result. */
export function mappingOk<T>(value: T, warnings: MappingWarning[] = []): MappingResult<T> {
  return { ok: true, value, warnings };
}

/** A failed result. */
export function mappingFail<T = never>(error: MappingError): MappingResult<T> {
  return { ok: false, error };
}

/** Receives the warnings of one mapping call; handed to every mapper through its context. */
export type WarningSink = (warning: MappingWarning) => void;
