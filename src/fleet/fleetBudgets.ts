import { InvalidArgumentError } from "../core/errors";
import { FairRateLimiter } from "../core/fairRateLimiter";
import { ARM_RATE_LIMITS, GRAPH_RATE_LIMITS, type RateLimitOptions } from "../core/rateLimiter";
import type { TokenBucketConfig } from "../core/tokenBucket";
import type { RelayPacerOptions } from "../targets/relayPacer";
import { FairRelayPacer } from "./fairRelayPacer";
import { currentLaneId } from "./laneScope";

/**
 * Sizes of the shared service budgets a `FleetBudgets` hands out: Graph per app and tenant, ARM per principal and
 * subscription, relay rows per rule, and the share of each limit spent.
 */
export interface FleetBudgetsOptions {
  /** Size of each Graph budget, per app and tenant. Default `GRAPH_RATE_LIMITS` (150 requests a minute). */
  graph?: RateLimitOptions;
  /**
   * Size of each ARM budget, per principal and subscription. Default `ARM_RATE_LIMITS` (reads 250 at 25/s,
   * writes and deletes 200 at 10/s).
   */
  arm?: RateLimitOptions;
  /** Size of each relay rule's row budget. Default: the `RelayPacer` default (140 rows per 5 minutes). */
  relay?: Omit<RelayPacerOptions, "now">;
  /**
   * Share of each Graph and ARM limit the fleet spends, over 0 and at most 1. Requests spaced exactly at the
   * service's rate reach it with jitter and some are refused, and other clients of the same app or principal
   * spend the same budget; the margin keeps 429s rare. Default 0.9.
   */
  headroom?: number;
  /** Clock in ms; injectable for tests. */
  now?: () => number;
}

/**
 * The budgets the services enforce across clients, handed out by key so that every lane spending the same
 * budget shares one limiter: Graph throttles per app per tenant (150 requests a minute for the security API,
 * learn.microsoft.com/graph/throttling-limits), ARM per principal per subscription
 * (learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling), and a relay
 * rule turns at most 150 rows into alerts per run. Lanes waiting on one budget take turns, so a lane with a
 * backlog cannot starve the others. Pass the limiters as the clients' `rateLimit` and the pacer as the
 * `UnifiedTarget`'s `pacer`.
 */
export class FleetBudgets {
  private readonly limiters = new Map<string, FairRateLimiter>();
  private readonly pacers = new Map<string, FairRelayPacer>();
  private readonly options: FleetBudgetsOptions;

  private readonly headroom: number;

  constructor(options: FleetBudgetsOptions = {}) {
    this.options = options;
    const headroom = options.headroom ?? 0.9;
    if (typeof headroom !== "number" || !(headroom > 0 && headroom <= 1))
      throw new InvalidArgumentError("headroom", "must be a number over 0 and at most 1");
    this.headroom = headroom;
  }

  /** The Graph budget of `tenantId` for the app `appId` (one app per fleet is the usual case). */
  graph(tenantId: string, appId = "default"): FairRateLimiter {
    const key = `graph|${keyPart("appId", appId)}|${keyPart("tenantId", tenantId)}`;
    return this.limiter(key, this.options.graph ?? GRAPH_RATE_LIMITS);
  }

  /** The ARM budgets (read, write, delete) of `subscriptionId` for the principal `principalId`. */
  arm(subscriptionId: string, principalId = "default"): FairRateLimiter {
    const key = `arm|${keyPart("principalId", principalId)}|${keyPart("subscriptionId", subscriptionId)}`;
    return this.limiter(key, this.options.arm ?? ARM_RATE_LIMITS);
  }

  /**
   * The row budget of one relay rule, named by the data collection rule's immutable id (and the stream, when
   * one DCR feeds several relay tables). Every lane writing to that rule must share it: the cap is per rule
   * run, not per lane.
   */
  relayPacer(dcrImmutableId: string, streamName = ""): FairRelayPacer {
    const key = `${keyPart("dcrImmutableId", dcrImmutableId)}|${streamName.toLowerCase()}`;
    let pacer = this.pacers.get(key);
    if (!pacer) {
      pacer = new FairRelayPacer({ ...this.options.relay, now: this.options.now, flowOf: currentLaneId });
      this.pacers.set(key, pacer);
    }
    return pacer;
  }

  /** Keys of the budgets handed out so far (diagnostics). */
  keys(): string[] {
    return [...this.limiters.keys(), ...[...this.pacers.keys()].map((k) => `relay|${k}`)];
  }

  private limiter(key: string, limits: RateLimitOptions): FairRateLimiter {
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new FairRateLimiter(withHeadroom(limits, this.headroom), {
        flowOf: currentLaneId,
        now: this.options.now,
      });
      this.limiters.set(key, limiter);
    }
    return limiter;
  }
}

function withHeadroom(limits: RateLimitOptions, headroom: number): RateLimitOptions {
  const part = (b: TokenBucketConfig | undefined) =>
    b && {
      capacity: Math.max(1, Math.floor(b.capacity * headroom)),
      refillPerSecond: b.refillPerSecond * headroom,
    };
  return { read: part(limits.read)!, write: part(limits.write), delete: part(limits.delete) };
}

/** Ids are compared case-insensitively, as Azure compares GUIDs and resource ids. */
function keyPart(name: string, value: string): string {
  if (typeof value !== "string" || value.trim() === "")
    throw new InvalidArgumentError(name, "must be a non-empty string");
  return value.trim().toLowerCase();
}
