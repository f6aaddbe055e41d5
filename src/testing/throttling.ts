/**
 * Server-side token buckets with the services' real limits. `timeScale` makes
 * buckets refill N× faster and shrinks the Retry-After the emulator sends by the same factor, so tests can
 * run into throttling and out of it in milliseconds.
 */

export interface BucketLimits {
  capacity: number;
  refillPerSecond: number;
}

/** Graph security: 150 requests/min per app per tenant. */
export const GRAPH_LIMITS: BucketLimits = { capacity: 150, refillPerSecond: 2.5 };
/** ARM, per subscription per principal: reads 250 (25/s), writes 200 (10/s), deletes 200 (10/s). */
export const ARM_LIMITS = {
  read: { capacity: 250, refillPerSecond: 25 },
  write: { capacity: 200, refillPerSecond: 10 },
  delete: { capacity: 200, refillPerSecond: 10 },
} as const satisfies Record<string, BucketLimits>;

/**
 * The answer of `Throttler.take`: a token was taken (with how many remain), or the request is throttled, with the
 * scaled wait (ms) until a token is available.
 */
export type ThrottleResult =
  | { ok: true; remaining: number }
  | {
      ok: false;
      /** Scaled wait until a token is available, in ms. */
      retryAfterMs: number;
      remaining: number;
    };

interface BucketState {
  tokens: number;
  last: number;
}

/**
 * The emulator's server-side throttling: token buckets with the services' real limits (Graph per app and tenant, ARM
 * per principal and subscription), refilled `timeScale` times faster.
 */
export class Throttler {
  private readonly buckets = new Map<string, BucketState>();

  constructor(
    private readonly nowMs: () => number,
    private readonly timeScale: number,
    private enabled: boolean,
  ) {
    if (!(timeScale > 0)) throw new RangeError("timeScale must be positive");
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  /** Takes one token from the bucket `key`. */
  take(key: string, limits: BucketLimits): ThrottleResult {
    const now = this.nowMs();
    const rate = limits.refillPerSecond * this.timeScale;
    let state = this.buckets.get(key);
    if (!state) {
      state = { tokens: limits.capacity, last: now };
      this.buckets.set(key, state);
    }
    const elapsed = Math.max(0, now - state.last);
    state.tokens = Math.min(limits.capacity, state.tokens + (elapsed / 1000) * rate);
    state.last = now;
    if (!this.enabled) return { ok: true, remaining: Math.floor(state.tokens) };
    if (state.tokens >= 1) {
      state.tokens -= 1;
      return { ok: true, remaining: Math.floor(state.tokens) };
    }
    return {
      ok: false,
      retryAfterMs: Math.max(1, Math.ceil(((1 - state.tokens) / rate) * 1000)),
      remaining: 0,
    };
  }

  /** Tokens left in a bucket (capacity when it was never used). */
  peek(key: string, limits: BucketLimits): number {
    const state = this.buckets.get(key);
    if (!state) return limits.capacity;
    const elapsed = Math.max(0, this.nowMs() - state.last);
    return Math.min(
      limits.capacity,
      state.tokens + (elapsed / 1000) * limits.refillPerSecond * this.timeScale,
    );
  }

  reset(): void {
    this.buckets.clear();
  }
}

/**
 * `Retry-After` in whole seconds (at least 1) and, when time is scaled, `retry-after-ms` with the exact
 * scaled wait (core-rest-pipeline reads `retry-after-ms` first).
 */
export function retryAfterHeaders(retryAfterMs: number, timeScale: number): Record<string, string> {
  const headers: Record<string, string> = {
    "Retry-After": String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
  };
  if (timeScale !== 1) headers["retry-after-ms"] = String(Math.max(1, Math.ceil(retryAfterMs)));
  return headers;
}
