import {
  isConflictError,
  isConnectionError,
  isResponseValidationError,
  isServiceUnavailableError,
  isThrottledError,
  type ResponseValidationError,
} from "../core/errors";
import { describeIssues } from "../core/validationIssues";

/**
 * A pair failure to retry next cycle rather than quarantine: throttling, an unavailable service, a dropped
 * connection, a ledger write that lost a race, a 2xx body cut off mid-way, or a Sentinel 409 that outlasted
 * its re-merge retries (contention, not a poison incident).
 */
export function isTransientPairFailure(e: unknown): boolean {
  return (
    isThrottledError(e) ||
    isServiceUnavailableError(e) ||
    isConnectionError(e) ||
    isStateConflict(e) ||
    isTruncatedBody(e) ||
    (isConflictError(e) && e.service === "sentinel")
  );
}

/**
 * A 2xx whose body arrived cut off (a reset mid-body): the request may well have succeeded, so it is a
 * transport fault to retry next cycle, not a poison payload.
 */
function isTruncatedBody(e: unknown): boolean {
  return (
    isResponseValidationError(e) &&
    e.statusCode >= 200 &&
    e.statusCode < 300 &&
    e.cause instanceof SyntaxError
  );
}

function isStateConflict(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "StateConflictError";
}

/** The reason of a failure as kept in reports, events and quarantine records. */
export function failureReason(e: unknown): string {
  return shortReason(e instanceof Error ? e.message : String(e));
}

/** Why a list item was refused: its first schema issues (a huge payload may have tens of thousands). */
export function invalidItemReason(side: "defender" | "sentinel", error: ResponseValidationError): string {
  return shortReason(`${side} returned an incident that fails its schema: ${describeIssues(error.issues)}`);
}

/** Longest failure reason kept in reports, events and quarantine records (a service may echo a whole payload). */
const MAX_REASON_LENGTH = 2_000;

function shortReason(reason: string): string {
  if (reason.length <= MAX_REASON_LENGTH) return reason;
  return `${reason.slice(0, MAX_REASON_LENGTH)}… (${reason.length - MAX_REASON_LENGTH} more characters)`;
}
