import type { OperationOptions } from "../core/clientOptions";

/** What a claim found: the lanes this process may run now, and those it ran before and may no longer. */
export interface LaneClaim {
  owned: string[];
  lost: string[];
}

/**
 * Which lanes this process runs. A fleet asks before each round of cycles (`runOnce`, and periodically under
 * `start()`) and runs only the lanes it owns; several processes sharing lanes plug in an implementation backed
 * by leases (Azure Blob leases, the primitive Azure Functions uses for singletons).
 */
export interface LaneOwnership {
  /**
   * Claims or renews `laneIds` for this process. `owned`: lanes it may run now (a subset of `laneIds`).
   * `lost`: lanes it owned at the previous claim and no longer does (taken by another process, or dropped).
   */
  claim(laneIds: readonly string[], options?: OperationOptions): Promise<LaneClaim>;
  /**
   * Aborts when this process loses `laneId`; the fleet passes it to the lane's cycle, so a lane taken over
   * mid-cycle stops writing at once. After a loss, a later successful claim hands out a fresh signal.
   */
  signalFor(laneId: string): AbortSignal;
  /** Gives lanes up (a lane removed, the fleet closed), so another process may take them at once. */
  release?(laneIds: readonly string[]): Promise<void>;
  /** Releases everything and stops renewing. */
  close?(): Promise<void>;
}

/** The single-process default: this process owns every lane, always. */
export class OwnAllLanes implements LaneOwnership {
  // Never aborted: nothing can take a lane away from the only process.
  private readonly never = new AbortController().signal;

  async claim(laneIds: readonly string[]): Promise<LaneClaim> {
    return { owned: [...laneIds], lost: [] };
  }

  signalFor(_laneId: string): AbortSignal {
    return this.never;
  }
}
