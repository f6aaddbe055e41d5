import type { AbortSignalLike } from "@azure/abort-controller";
import { FairQueue } from "./fairQueue";
import { type OperationKind, RateLimiter, type RateLimitOptions } from "./rateLimiter";
import type { TokenBucket } from "./tokenBucket";

/**
 * How a `FairRateLimiter` tells flows apart: `flowOf` names the caller's flow (a fleet lane); waiters of different
 * flows take turns for the same budget.
 */
export interface FairRateLimiterOptions {
  /**
   * Names the flow of the current caller (a fleet passes its lane id, found through the async context);
   * callers of one flow queue in arrival order, flows take turns. Undefined puts the caller in a shared flow.
   */
  flowOf?: () => string | undefined;
  /** Clock in ms; injectable for tests. */
  now?: () => number;
}

/**
 * A RateLimiter whose waiters take turns by flow instead of strictly in arrival order: clients of several
 * lanes can share one service budget (a tenant's Graph bucket, a subscription's ARM buckets) without a lane
 * that queues many requests delaying the others by all of them. Pass it as the clients' `rateLimit`.
 */
export class FairRateLimiter extends RateLimiter {
  private readonly queues = new Map<TokenBucket, FairQueue>();
  private readonly flowOf: () => string | undefined;

  constructor(options: RateLimitOptions, fairness: FairRateLimiterOptions = {}) {
    super(options, fairness.now);
    this.flowOf = fairness.flowOf ?? (() => undefined);
    for (const kind of ["read", "write", "delete"] as const) {
      const bucket = this.bucket(kind);
      if (!this.queues.has(bucket)) this.queues.set(bucket, new FairQueue(bucket, fairness.now));
    }
  }

  override acquire(kind: OperationKind, abortSignal?: AbortSignalLike): Promise<number> {
    return this.queueOf(kind).take(this.flowOf() ?? "", abortSignal);
  }

  /** Callers waiting for `kind` budget, in total or for one flow. */
  queued(kind: OperationKind, flow?: string): number {
    return this.queueOf(kind).queued(flow);
  }

  private queueOf(kind: OperationKind): FairQueue {
    return this.queues.get(this.bucket(kind))!;
  }
}
