import {
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
  type ObservableResult,
} from "@opentelemetry/api";
import type { ServiceName } from "./errors";
import { SYNC_ATTRIBUTES } from "./tracing";
import { SDK_VERSION } from "./version";

/** Names of the OpenTelemetry instruments this package records. */
export const SYNC_METRICS = {
  /** Counter: incident and comment writes the engine made, by `side` (the service written to). */
  writes: "defender_sentinel_sync.writes",
  /** Counter: pairs edited on both sides since the last sync (resolved by the conflict policy). */
  conflicts: "defender_sentinel_sync.conflicts",
  /** Counter: pairs whose sync failed (`transient`), and cycles that failed as a whole. */
  failures: "defender_sentinel_sync.failures",
  /** Counter: 429 responses, by `side` (the service that sent them); every attempt counts. */
  throttledResponses: "defender_sentinel_sync.throttled_responses",
  /** Histogram (s): wall time of a cycle, by `outcome` (completed or failed). */
  cycleDuration: "defender_sentinel_sync.cycle.duration",
  /** Histogram (s): from an edit on one side to the engine's write of it on the other, by `side` written. */
  editLatency: "defender_sentinel_sync.edit.latency",
  /** Gauge: pairs waiting for a later cycle (quarantine retries, deferred relays), per engine. */
  pendingPairs: "defender_sentinel_sync.pairs.pending",
  /** Gauge: 1 while a fleet lane is healthy, 0 while it is unhealthy (the `lane.unhealthy` event says why). */
  laneHealthy: "defender_sentinel_sync.lane.healthy",
} as const;

/** Services whose writes and 429s are counted. */
export type MetricSide = ServiceName;

interface Instruments {
  writes: Counter;
  conflicts: Counter;
  failures: Counter;
  throttledResponses: Counter;
  cycleDuration: Histogram;
  editLatency: Histogram;
}

/**
 * The API has no proxy for metrics: a meter taken before the application registers its MeterProvider stays a
 * no-op. So the instruments are made per provider, the first time something is recorded under it.
 */
const instrumentsByProvider = new WeakMap<MeterProvider, Instruments>();

function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  let found = instrumentsByProvider.get(provider);
  if (!found) {
    found = createInstruments(provider.getMeter("defender-sentinel-sync", SDK_VERSION));
    instrumentsByProvider.set(provider, found);
  }
  return found;
}

function createInstruments(meter: Meter): Instruments {
  const pending = meter.createObservableGauge(SYNC_METRICS.pendingPairs, {
    description: "Pairs waiting for a later cycle",
    unit: "{pair}",
  });
  pending.addCallback(observePendingSources);
  const lanes = meter.createObservableGauge(SYNC_METRICS.laneHealthy, {
    description: "1 while a fleet lane is healthy, 0 while it is held back",
    unit: "1",
  });
  lanes.addCallback(observeLanes);
  return {
    writes: meter.createCounter(SYNC_METRICS.writes, { description: "Writes made", unit: "{write}" }),
    conflicts: meter.createCounter(SYNC_METRICS.conflicts, {
      description: "Pairs edited on both sides",
      unit: "{conflict}",
    }),
    failures: meter.createCounter(SYNC_METRICS.failures, {
      description: "Failed pair syncs and cycles",
      unit: "{failure}",
    }),
    throttledResponses: meter.createCounter(SYNC_METRICS.throttledResponses, {
      description: "429 responses received",
      unit: "{response}",
    }),
    cycleDuration: meter.createHistogram(SYNC_METRICS.cycleDuration, {
      description: "Duration of a sync cycle",
      unit: "s",
    }),
    editLatency: meter.createHistogram(SYNC_METRICS.editLatency, {
      description: "Time from an edit on one side to its write on the other",
      unit: "s",
    }),
  };
}

/** Counts `count` writes to `side`. */
export function recordWrites(side: MetricSide, count = 1, attributes?: Attributes): void {
  if (count > 0) instruments().writes.add(count, { ...attributes, [SYNC_ATTRIBUTES.side]: side });
}

/** Counts pairs found edited on both sides. */
export function recordConflicts(count = 1, attributes?: Attributes): void {
  if (count > 0) instruments().conflicts.add(count, attributes);
}

/** Counts failures: of pairs (`scope: "pair"`, transient or not) or of whole cycles (`scope: "cycle"`). */
export function recordFailures(
  count: number,
  scope: "pair" | "cycle",
  transient: boolean | undefined,
  attributes?: Attributes,
): void {
  if (count <= 0) return;
  instruments().failures.add(count, {
    ...attributes,
    [SYNC_ATTRIBUTES.failureScope]: scope,
    ...(transient === undefined ? {} : { [SYNC_ATTRIBUTES.failureTransient]: transient }),
  });
}

/** Counts one 429 response from `side`. */
export function recordThrottledResponse(side: MetricSide, attributes?: Attributes): void {
  instruments().throttledResponses.add(1, { ...attributes, [SYNC_ATTRIBUTES.side]: side });
}

/** Records how long a cycle took (wall time, ms) and whether it completed. */
export function recordCycleDuration(
  durationInMs: number,
  outcome: "completed" | "failed",
  attributes?: Attributes,
): void {
  instruments().cycleDuration.record(Math.max(0, durationInMs) / 1000, {
    ...attributes,
    [SYNC_ATTRIBUTES.cycleOutcome]: outcome,
  });
}

/**
 * Records the time from an edit (`editedAt`, the source side's last-modified time) to its write on `writtenTo`
 * (`writtenAt`, default now). Timestamps that do not parse are skipped; a clock skew that puts the edit in the
 * future counts as 0.
 */
export function recordEditLatency(
  writtenTo: MetricSide,
  editedAt: Date | string | undefined,
  writtenAt: Date = new Date(),
  attributes?: Attributes,
): void {
  if (editedAt === undefined) return;
  const edited = typeof editedAt === "string" ? Date.parse(editedAt) : editedAt.getTime();
  if (!Number.isFinite(edited)) return;
  instruments().editLatency.record(Math.max(0, writtenAt.getTime() - edited) / 1000, {
    ...attributes,
    [SYNC_ATTRIBUTES.side]: writtenTo,
  });
}

/** A source of the pending-pairs gauge: called at each collection; `undefined` reports nothing. */
export type PendingPairsSource = () => number | undefined;

const pendingSources = new Map<PendingPairsSource, Attributes | undefined>();

/**
 * Reports `source()` on the pending-pairs gauge at every collection until the returned function is called
 * (call it when the engine is disposed).
 */
export function observePendingPairs(source: PendingPairsSource, attributes?: Attributes): () => void {
  pendingSources.set(source, attributes);
  instruments();
  return () => {
    pendingSources.delete(source);
  };
}

function observePendingSources(result: ObservableResult): void {
  for (const [source, attributes] of pendingSources) {
    try {
      const value = source();
      if (value !== undefined) result.observe(value, attributes);
    } catch {
      // A failing source must not break the collection of the others.
    }
  }
}

/** What the lane-health gauge reads of a lane. */
export interface ObservedLaneHealth {
  readonly unhealthy: boolean;
}

const lanes = new Map<ObservedLaneHealth, string>();

/** Reports a lane's health on the lane-health gauge until the returned function is called. */
export function observeLaneHealth(laneId: string, health: ObservedLaneHealth): () => void {
  lanes.set(health, laneId);
  instruments();
  return () => {
    lanes.delete(health);
  };
}

function observeLanes(result: ObservableResult): void {
  for (const [health, laneId] of lanes) {
    // The reason is not an attribute: a series per reason would keep reporting a reason that no longer holds.
    result.observe(health.unhealthy ? 0 : 1, { [SYNC_ATTRIBUTES.laneId]: laneId });
  }
}
