import {
  InvalidArgumentError,
  isAuthenticationError,
  isAuthorizationError,
  isNotFoundError,
  isServiceUnavailableError,
  isStateStoreCorruptedError,
  isStateStoreLockedError,
  isThrottledError,
} from "../core/errors";
import { isCycleTimeoutError } from "../sync/cycleTimeout";

/**
 * Why a lane's cycle failed:
 * - `authentication`: 401 or the credential could not get a token (consent revoked, secret expired);
 * - `authorization`: 403 (a role or Graph permission removed);
 * - `workspaceNotFound`: ARM answered 404 for the workspace, its resource group or subscription;
 * - `stateStore`: the lane's ledger is damaged or held by another process;
 * - `throttled`: the service asked for a wait longer than the clients sleep (Retry-After);
 * - `cycleTimeout`: the cycle hit `cycleTimeoutInMs` (a large backfill spans several cycles by design);
 * - `failing`: anything else (5xx after retries, network, paging).
 */
export type LaneFailureReason =
  | "authentication"
  | "authorization"
  | "workspaceNotFound"
  | "stateStore"
  | "throttled"
  | "cycleTimeout"
  | "failing";

/**
 * How a fleet backs off a failing lane: after how many failures in a row it turns unhealthy, and the first and
 * longest wait (doubling in between), in ms.
 */
export interface LaneBackoffOptions {
  /** First wait after a lane turns unhealthy. Default 60,000. */
  initialInMs?: number;
  /** Longest wait; each further failure doubles it up to this. Default 3,600,000 (1 hour). */
  maxInMs?: number;
  /**
   * Failed cycles in a row (reason `failing` or `throttled`) after which a lane is unhealthy. Revoked consent,
   * missing permissions, a missing workspace and a broken ledger make it unhealthy at once. Default 3.
   */
  failuresBeforeUnhealthy?: number;
}

interface FailureClass {
  reason: LaneFailureReason;
  /** Retrying on the normal cadence cannot help: unhealthy at the first failure. */
  immediate: boolean;
  retryAfterInMs?: number;
}

/** Sorts a cycle's error into a `LaneFailureReason`. */
export function classifyLaneFailure(error: unknown): FailureClass {
  if (isAuthenticationError(error)) return { reason: "authentication", immediate: true };
  if (isAuthorizationError(error)) return { reason: "authorization", immediate: true };
  if (isNotFoundError(error) && error.service === "sentinel")
    return { reason: "workspaceNotFound", immediate: true };
  if (isStateStoreCorruptedError(error) || isStateStoreLockedError(error))
    return { reason: "stateStore", immediate: true };
  if (isCycleTimeoutError(error)) return { reason: "cycleTimeout", immediate: false };
  if (isThrottledError(error) || isServiceUnavailableError(error)) {
    const retryAfterInMs = error.retryAfterInMs;
    if (retryAfterInMs !== undefined) return { reason: "throttled", immediate: false, retryAfterInMs };
  }
  return { reason: "failing", immediate: false };
}

/** What one failed cycle means for its lane. */
export interface LaneFailureVerdict {
  reason: LaneFailureReason;
  /** The lane is (still) unhealthy after this failure. */
  unhealthy: boolean;
  consecutiveFailures: number;
  /** Earliest time of the next cycle (ms since the epoch); undefined: the normal cadence. */
  nextAttemptAt: number | undefined;
}

/** A lane's health: consecutive failures and the exponential, capped backoff they earn. */
export class LaneHealth {
  private failures = 0;
  private unhealthyFailures = 0;
  private since: number | undefined;
  private notBefore: number | undefined;
  private lastReason: LaneFailureReason | undefined;
  private readonly initialInMs: number;
  private readonly maxInMs: number;
  private readonly threshold: number;

  constructor(options: LaneBackoffOptions = {}) {
    this.initialInMs = positiveInteger("backoff.initialInMs", options.initialInMs, 60_000);
    this.maxInMs = positiveInteger("backoff.maxInMs", options.maxInMs, 3_600_000);
    if (this.maxInMs < this.initialInMs)
      throw new InvalidArgumentError("backoff.maxInMs", "must be at least backoff.initialInMs");
    this.threshold = positiveInteger("backoff.failuresBeforeUnhealthy", options.failuresBeforeUnhealthy, 3);
  }

  get unhealthy(): boolean {
    return this.since !== undefined;
  }

  get reason(): LaneFailureReason | undefined {
    return this.lastReason;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Earliest time of the next cycle, if the lane is held back. */
  get nextAttemptAt(): number | undefined {
    return this.notBefore;
  }

  /** May the lane run a cycle at `now`? */
  isDue(now: number): boolean {
    return this.notBefore === undefined || now >= this.notBefore;
  }

  failed(error: unknown, now: number): LaneFailureVerdict {
    const { reason, immediate, retryAfterInMs } = classifyLaneFailure(error);
    this.lastReason = reason;
    // A timed-out cycle kept its checkpoints and the next one resumes: progress, not a fault of the lane.
    if (reason !== "cycleTimeout") this.failures++;
    const unhealthy = immediate || (reason !== "cycleTimeout" && this.failures >= this.threshold);
    let waitInMs = retryAfterInMs ?? 0;
    if (unhealthy) {
      this.since ??= now;
      const backoff = Math.min(this.maxInMs, this.initialInMs * 2 ** Math.min(this.unhealthyFailures, 40));
      this.unhealthyFailures++;
      waitInMs = Math.max(waitInMs, backoff);
    }
    this.notBefore = waitInMs > 0 ? now + waitInMs : undefined;
    return {
      reason,
      unhealthy: this.since !== undefined,
      consecutiveFailures: this.failures,
      nextAttemptAt: this.notBefore,
    };
  }

  /** A cycle completed: back to health. Returns how long the lane was unhealthy, if it was. */
  succeeded(now: number): { unhealthyForMs: number; failures: number } | undefined {
    const was =
      this.since === undefined ? undefined : { unhealthyForMs: now - this.since, failures: this.failures };
    this.failures = 0;
    this.unhealthyFailures = 0;
    this.since = undefined;
    this.notBefore = undefined;
    this.lastReason = undefined;
    return was;
  }
}

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
    throw new InvalidArgumentError(name, `must be a positive integer (got ${String(value)})`);
  return value;
}
