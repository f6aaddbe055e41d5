import type { LaneLossReason } from "./laneLostError";

/** Payload of `BlobLeaseManager`'s `lane.gained` event: a lane this instance now holds the lease of. */
export interface LaneGain {
  lane: string;
  /** Set when the lane was taken over from an instance whose lease this one broke. */
  stolenFrom?: string;
}

/** Payload of `BlobLeaseManager`'s `lane.lost` event: a lane this instance no longer holds, and why. */
export interface LaneLoss {
  lane: string;
  reason: LaneLossReason;
  /** The storage error behind `renewFailed`, when there was one. */
  error?: unknown;
}

/** What one `claimLanes` round changed. */
export interface LaneClaimRound {
  /** Lanes acquired in this round. */
  gained: LaneGain[];
  /** Lanes lost since the previous round (renewal timers run between rounds) or in this one. */
  lost: LaneLoss[];
  /** Lanes held after the round. */
  owned: string[];
  /** A steal started in this round: the lane is acquired in a later round, once its lease is broken. */
  stealing: { lane: string; from: string } | undefined;
  /** Instances sharing the lanes as this round saw them (0 when the container could not be read). */
  instances: number;
  /** How many lanes this instance aims to hold. */
  target: number;
  /** The storage failure of this round, if any; the round then changed only what it could. */
  outage: unknown;
}

/** Payload of `BlobLeaseManager`'s `storage.outage` event: the first Blob Storage failure after a success. */
export interface StorageOutageEvent {
  /** What was being done: `list`, `acquire`, `renew`, `heartbeat`, `createContainer`, `steal`. */
  operation: string;
  error: unknown;
}

/** Payload of `BlobLeaseManager`'s `storage.recovered` event: Blob Storage calls succeed again after an outage. */
export interface StorageRecoveredEvent {
  /** How long storage calls failed, in ms. */
  outageInMs: number;
}

/**
 * The typed event map of `BlobLeaseManager`: lanes gained, lost and being stolen, and Blob Storage outages and
 * recoveries.
 */
export interface BlobLeaseManagerEvents {
  "lane.gained": (event: LaneGain) => void;
  /** The lane's signal has just aborted. */
  "lane.lost": (event: LaneLoss) => void;
  /** This instance started breaking another instance's lease to rebalance. */
  "lane.stealing": (event: { lane: string; from: string }) => void;
  /** The first storage failure after a success (emitted once per outage). */
  "storage.outage": (event: StorageOutageEvent) => void;
  "storage.recovered": (event: StorageRecoveredEvent) => void;
}
