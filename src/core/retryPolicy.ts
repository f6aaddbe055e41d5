import { isRestError, type PipelinePolicy, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { RetryOptions } from "./clientOptions";
import { InvalidArgumentError, isRequestTimeoutError, RequestAbortedError } from "./errors";
import { isIdempotentRequest } from "./idempotency";
import { logger } from "./log";
import { parseRetryAfterInMs } from "./retryAfter";
import { sleep } from "./tokenBucket";

/** setTimeout fires at once for anything longer (with a TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RetrySettings {
  maxRetries: number;
  retryDelayInMs: number;
  maxRetryDelayInMs: number;
  maxRetryAfterInMs: number;
}

export function retrySettings(options: RetryOptions = {}): RetrySettings {
  const s = {
    maxRetries: options.maxRetries ?? 3,
    retryDelayInMs: options.retryDelayInMs ?? 1000,
    maxRetryDelayInMs: options.maxRetryDelayInMs ?? 64_000,
    maxRetryAfterInMs: options.maxRetryAfterInMs ?? 60_000,
  };
  for (const [name, value] of Object.entries(s)) {
    if (!(Number.isFinite(value) && value >= 0)) {
      throw new InvalidArgumentError(`retryOptions.${name}`, "must be a non-negative number");
    }
  }
  return {
    ...s,
    maxRetryDelayInMs: Math.min(s.maxRetryDelayInMs, MAX_TIMER_MS),
    maxRetryAfterInMs: Math.min(s.maxRetryAfterInMs, MAX_TIMER_MS),
  };
}

/** Nothing was sent: the connection was never established, so any method may be retried. */
const NOT_CONNECTED = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOENT",
]);
/** The connection dropped, possibly after the service received (and applied) the request. */
const DROPPED = new Set(["ECONNRESET", "ETIMEDOUT", "ESOCKETTIMEDOUT", "EPIPE", "ECONNABORTED"]);

/** True when a connection error with this code may have followed a request the service received. */
export function connectionMayHaveDelivered(code: string | undefined): boolean {
  return code === undefined || !NOT_CONNECTED.has(code);
}

export interface AttemptOutcome {
  response?: PipelineResponse;
  error?: unknown;
}

/**
 * How long to wait before the next attempt, or undefined to stop and surface the outcome.
 * - 429 and 503 were not processed by the service: retried for every method, after the server's
 *   Retry-After when it is within `maxRetryAfterInMs` (never past it: the call ends with the server's
 *   value on the error), with exponential backoff when there is none.
 * - Other 5xx (not 501/505), 408, resets and timeouts may follow a request the service applied: retried
 *   only when the request is idempotent.
 * - A connection never established (refused, DNS) is retried for every method.
 */
export function retryDelayFor(
  attempt: number,
  outcome: AttemptOutcome,
  idempotent: boolean,
  s: RetrySettings,
): number | undefined {
  if (attempt >= s.maxRetries) return undefined;
  const response = outcome.response ?? (isRestError(outcome.error) ? outcome.error.response : undefined);
  if (response) {
    const status = response.status;
    if (status === 429 || status === 503) {
      const retryAfter = parseRetryAfterInMs(response.headers);
      if (retryAfter === undefined) return backoff(attempt, s);
      return retryAfter <= s.maxRetryAfterInMs ? retryAfter : undefined;
    }
    const transient = status === 408 || (status >= 500 && status !== 501 && status !== 505);
    return transient && idempotent ? backoff(attempt, s) : undefined;
  }
  if (isRequestTimeoutError(outcome.error)) return idempotent ? backoff(attempt, s) : undefined;
  const code = isRestError(outcome.error) ? outcome.error.code : undefined;
  if (code !== undefined && NOT_CONNECTED.has(code)) return backoff(attempt, s);
  if (code !== undefined && DROPPED.has(code) && idempotent) return backoff(attempt, s);
  return undefined;
}

/** Exponential backoff with jitter in [exp/2, exp), as core's exponential strategy. */
function backoff(attempt: number, s: RetrySettings): number {
  const exp = Math.min(s.maxRetryDelayInMs, s.retryDelayInMs * 2 ** attempt);
  return exp / 2 + Math.random() * (exp / 2);
}

/**
 * The pipeline's only retry policy. It replaces core's default one, whose throttling strategy sleeps any
 * Retry-After (a day; past 2^31-1 ms Node's timer fires at once, turning into a retry storm) and whose
 * exponential strategy resends a POST or PATCH after a reset.
 */
export function serviceRetryPolicy(settings: RetrySettings): PipelinePolicy {
  return {
    name: "serviceRetryPolicy",
    async sendRequest(request, next) {
      for (let attempt = 0; ; attempt++) {
        let outcome: AttemptOutcome;
        try {
          outcome = { response: await next(request) };
        } catch (error) {
          // Aborts, host pinning, credential failures: not a transport outcome, never retried.
          if (!isRestError(error) && !isRequestTimeoutError(error)) throw error;
          outcome = { error };
        }
        // The transport reports the caller's abort as a send error; it is an abort, not a network failure.
        if (request.abortSignal?.aborted) throw new RequestAbortedError("The operation was aborted");
        const delay = retryDelayFor(attempt, outcome, isIdempotentRequest(request), settings);
        if (delay === undefined) {
          if (outcome.error !== undefined) throw outcome.error;
          return outcome.response!;
        }
        logger.info(`Retry ${attempt + 1} of ${request.method} in ${Math.round(delay)} ms`);
        await sleep(delay, request.abortSignal);
      }
    },
  };
}
