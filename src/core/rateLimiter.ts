import type { AbortSignalLike } from "@azure/abort-controller";
import { TokenBucket, type TokenBucketConfig } from "./tokenBucket";

/** Operation classes that the services budget separately (ARM counts reads, writes and deletes apart). */
export type OperationKind = "read" | "write" | "delete";

/** Per-kind bucket sizes; a kind left out shares the `read` bucket. */
export interface RateLimitOptions {
  read: TokenBucketConfig;
  write?: TokenBucketConfig;
  delete?: TokenBucketConfig;
}

/**
 * Graph security: 150 requests/min per app per tenant — one bucket for every operation.
 */
export const GRAPH_RATE_LIMITS: RateLimitOptions = { read: { capacity: 150, refillPerSecond: 2.5 } };

/** ARM per principal per subscription: reads 250/25 s⁻¹, writes and deletes 200/10 s⁻¹. */
export const ARM_RATE_LIMITS: RateLimitOptions = {
  read: { capacity: 250, refillPerSecond: 25 },
  write: { capacity: 200, refillPerSecond: 10 },
  delete: { capacity: 200, refillPerSecond: 10 },
};

/**
 * Client-side budget for one service and tenant/subscription. Share one instance between clients that
 * talk to the same tenant so they spend a single budget.
 */
export class RateLimiter {
  private readonly buckets = new Map<OperationKind, TokenBucket>();

  constructor(options: RateLimitOptions, now?: () => number) {
    const read = new TokenBucket({ ...options.read, now });
    this.buckets.set("read", read);
    this.buckets.set("write", options.write ? new TokenBucket({ ...options.write, now }) : read);
    this.buckets.set("delete", options.delete ? new TokenBucket({ ...options.delete, now }) : read);
  }

  /** Waits for budget; resolves with the ms waited (0 when a token was free). */
  acquire(kind: OperationKind, abortSignal?: AbortSignalLike): Promise<number> {
    return this.buckets.get(kind)!.take(1, abortSignal);
  }

  bucket(kind: OperationKind): TokenBucket {
    return this.buckets.get(kind)!;
  }
}

export function operationKindOf(method: string): OperationKind {
  const m = method.toUpperCase();
  if (m === "GET" || m === "HEAD") return "read";
  if (m === "DELETE") return "delete";
  return "write";
}
