import type { AbortSignalLike } from "@azure/abort-controller";
import { RequestAbortedError } from "./errors";

/** Size and refill rate of one token bucket. */
export interface TokenBucketConfig {
  /** Tokens available in a burst. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

/** Options of a `TokenBucket`: its size and refill rate, and the clock (ms) it refills by. */
export interface TokenBucketOptions extends TokenBucketConfig {
  /** Clock in ms; injectable for tests. */
  now?: () => number;
}

/**
 * A token bucket that makes callers wait (in arrival order) instead of sending requests that would be
 * throttled. Waiters queue so a burst of concurrent callers never overdraws the bucket.
 */
export class TokenBucket {
  readonly capacity: number;
  readonly refillPerSecond: number;
  private tokens: number;
  private lastRefill: number;
  private readonly now: () => number;
  private queue: Promise<void> = Promise.resolve();
  /** Callers queued in `take` whose turn has not finished yet. */
  private pending = 0;

  constructor(options: TokenBucketOptions) {
    if (!(options.capacity > 0) || !(options.refillPerSecond > 0)) {
      throw new RangeError("TokenBucket capacity and refillPerSecond must be positive");
    }
    this.capacity = options.capacity;
    this.refillPerSecond = options.refillPerSecond;
    this.now = options.now ?? Date.now;
    this.tokens = options.capacity;
    this.lastRefill = this.now();
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.lastRefill);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed / 1000) * this.refillPerSecond);
    this.lastRefill = now;
  }

  /** Takes `cost` tokens if available; returns 0, or the ms to wait until they will be. */
  tryTake(cost = 1): number {
    this.refill();
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return 0;
    }
    return Math.ceil(((cost - this.tokens) / this.refillPerSecond) * 1000);
  }

  /** Tokens currently available (fractional). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Waits until `cost` tokens are available and takes them. Resolves with the ms waited. */
  take(cost = 1, abortSignal?: AbortSignalLike): Promise<number> {
    // Fast path: nobody is queued and a token is free. Taking it now (instead of on a later microtask) keeps
    // FIFO order and reports exactly 0 ms, so scheduling jitter is never counted as a client-side wait.
    if (this.pending === 0) {
      if (abortSignal?.aborted) {
        return Promise.reject(new RequestAbortedError("The operation was aborted while rate limited"));
      }
      if (this.tryTake(cost) === 0) return Promise.resolve(0);
    }
    const start = this.now();
    this.pending++;
    const turn = this.queue.then(async () => {
      for (;;) {
        if (abortSignal?.aborted)
          throw new RequestAbortedError("The operation was aborted while rate limited");
        const wait = this.tryTake(cost);
        if (wait === 0) return this.now() - start;
        await sleep(wait, abortSignal);
      }
    });
    // A rejected turn (abort) must not block the callers queued behind it.
    const settled = () => {
      this.pending--;
    };
    this.queue = turn.then(settled, settled);
    // A caller aborted while still queued behind other waiters is answered at once; its turn, when it comes,
    // sees the aborted signal and passes without taking a token.
    return abortSignal ? rejectOnAbort(turn, abortSignal) : turn;
  }
}

function rejectOnAbort<T>(promise: Promise<T>, abortSignal: AbortSignalLike): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new RequestAbortedError("The operation was aborted while rate limited"));
    if (abortSignal.aborted) {
      onAbort();
      return;
    }
    abortSignal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        abortSignal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        abortSignal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** setTimeout as a promise that rejects with an AbortError when the signal fires. */
export function sleep(ms: number, abortSignal?: AbortSignalLike): Promise<void> {
  return new Promise((resolve, reject) => {
    if (abortSignal?.aborted) {
      reject(new RequestAbortedError("The operation was aborted"));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RequestAbortedError("The operation was aborted"));
    };
    const timer = setTimeout(() => {
      abortSignal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    abortSignal?.addEventListener("abort", onAbort, { once: true });
  });
}
