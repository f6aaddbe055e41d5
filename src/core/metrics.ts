import type { ServiceName } from "./errors";
import { recordThrottledResponse } from "./otelMetrics";
import { callListeners, ignoreListenerError } from "./safeEmit";

/** Something the client saw while sending: a 429 from the service, or a wait imposed by our own limiter. */
export interface ThrottleInfo {
  service: ServiceName;
  /** "server": the service answered 429/503; "client": our rate limiter held the request back. */
  source: "server" | "client";
  waitInMs: number;
  method: string;
}

/** Counters of one client; every attempt (retries included) counts as a request. */
export interface RequestMetricsSnapshot {
  requests: number;
  reads: number;
  writes: number;
  throttledResponses: number;
  serverErrors: number;
  rateLimitWaitInMs: number;
}

/**
 * Called each time a request is throttled: the service answered 429 or 503, or the client's own rate limiter held it
 * back; with the service, the HTTP method and the wait in ms.
 */
export type ThrottleListener = (info: ThrottleInfo) => void;

/**
 * The request counters of a client as a `SyncEngine` reads them (`DefenderIncidentsApi.metrics`,
 * `SentinelIncidentsApi.metrics`). `RequestMetrics` implements it; a decorated client passes on its real
 * client's `metrics`.
 */
export interface ClientMetrics {
  /** The counters now (a copy). */
  snapshot(): RequestMetricsSnapshot;
  /** Subscribes to throttling (the service's 429s, waits of the client's own rate limiter); returns the unsubscribe function. */
  onThrottle(listener: ThrottleListener): () => void;
}

/** Mutable counters shared by a client's pipeline policies. */
export class RequestMetrics implements ClientMetrics {
  private counts: RequestMetricsSnapshot = emptySnapshot();
  private readonly listeners = new Set<ThrottleListener>();

  constructor(readonly service: ServiceName) {}

  recordAttempt(method: string): void {
    this.counts.requests++;
    if (method === "GET" || method === "HEAD") this.counts.reads++;
    else this.counts.writes++;
  }

  recordStatus(status: number, method: string, retryAfterInMs: number | undefined): void {
    if (status === 429) {
      this.counts.throttledResponses++;
      recordThrottledResponse(this.service);
      this.emit({ service: this.service, source: "server", waitInMs: retryAfterInMs ?? 0, method });
    } else if (status >= 500) {
      this.counts.serverErrors++;
    }
  }

  recordClientWait(waitInMs: number, method: string): void {
    if (waitInMs <= 0) return;
    this.counts.rateLimitWaitInMs += waitInMs;
    this.emit({ service: this.service, source: "client", waitInMs, method });
  }

  snapshot(): RequestMetricsSnapshot {
    return { ...this.counts };
  }

  reset(): void {
    this.counts = emptySnapshot();
  }

  /** Subscribes to throttling; returns the unsubscribe function. Listener errors are swallowed. */
  onThrottle(listener: ThrottleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(info: ThrottleInfo): void {
    callListeners(this.listeners, [info], ignoreListenerError);
  }
}

function emptySnapshot(): RequestMetricsSnapshot {
  return { requests: 0, reads: 0, writes: 0, throttledResponses: 0, serverErrors: 0, rateLimitWaitInMs: 0 };
}
