import { SyncSdkError } from "../../core/errors";

/**
 * Why this instance stopped owning a lane.
 * - `renewFailed`: a renewal did not get through (storage unreachable, timed out, 5xx). The lease may still be
 *   held on the service until it expires; nobody else can take the lane before then.
 * - `expired`: no renewal succeeded before the lease's local deadline (its duration minus a safety margin).
 * - `leaseLost`: the service says the lease is no longer this instance's (it expired and someone took it).
 * - `stolen`: another instance is breaking the lease to rebalance the fleet.
 * - `removed`: the lane was not in the lanes passed to `claimLanes` any more.
 * - `released`: `release(lane)` was called.
 * - `closed`: the manager was closed.
 * - `notOwned`: the signal of a lane this instance did not hold when it was asked for.
 */
export type LaneLossReason =
  | "renewFailed"
  | "expired"
  | "leaseLost"
  | "stolen"
  | "removed"
  | "released"
  | "closed"
  | "notOwned";

/** The abort reason of a lane's signal once its lease is lost: the lane's cycle must stop before its next write. */
export class LaneLostError extends SyncSdkError {
  override name = "LaneLostError";
  readonly lane: string;
  readonly reason: LaneLossReason;
  constructor(lane: string, reason: LaneLossReason, options?: { cause?: unknown }) {
    super(`Lane ${JSON.stringify(lane)} is no longer owned by this instance (${reason})`, options);
    this.lane = lane;
    this.reason = reason;
  }
}

export const isLaneLostError = (e: unknown): e is LaneLostError =>
  typeof e === "object" && e !== null && (e as { name?: unknown }).name === "LaneLostError";
