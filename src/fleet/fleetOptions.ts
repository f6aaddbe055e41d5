import { InvalidArgumentError } from "../core/errors";
import type { DefenderIncidentsApi } from "../defender/defenderApi";
import type { SentinelIncidentsApi } from "../sentinel/sentinelApi";
import type { SyncEngineOptions } from "../sync/engineOptions";
import type { StateStore } from "../sync/stateStore";
import type { SentinelTarget } from "../targets/sentinelTarget";
import type { UnifiedTarget } from "../targets/unifiedTarget";
import type { FleetBudgets } from "./fleetBudgets";
import type { LaneBackoffOptions } from "./laneHealth";
import type { LaneOwnership } from "./ownership";

/** Engine options a lane may set (see `SyncEngineOptions`); the clients, target and ledger are the lane's own. */
export type LaneEngineOptions = Omit<SyncEngineOptions, "defender" | "sentinel" | "target" | "stateStore">;

/** One lane: a source tenant's Graph mirrored into a target, run by its own SyncEngine. */
export interface LaneOptions extends LaneEngineOptions {
  /**
   * Names the lane in events, reports, its ledger partition and its lease: 1–128 characters, none of
   * `/ \ # ?` nor control characters (the characters Azure Table keys refuse).
   */
  id: string;
  /** The source tenant's Graph (its credential). Share its `rateLimit` through `fleet.budgets.graph(…)`. */
  defender: DefenderIncidentsApi;
  /** Classic target: the workspace (same as `target: new SentinelTarget(sentinel)`). */
  sentinel?: SentinelIncidentsApi;
  target?: SentinelTarget | UnifiedTarget;
  /** This lane's ledger, instead of the fleet's `stateStore` partition; the caller closes it. */
  stateStore?: StateStore;
}

/** Ledger partitions by lane: a function, or a store offering `forLane` (one partition per lane). */
export type LaneStateStores = ((laneId: string) => StateStore) | { forLane(laneId: string): StateStore };

/**
 * Options of `SyncFleet`: how many lanes run at once, where each lane keeps its ledger, which lanes this process
 * owns, shared service budgets, per-lane engine defaults and backoff.
 */
export interface SyncFleetOptions {
  /** Lanes whose cycles run at the same time, an integer from 1 to 1,000. Default 8. */
  maxConcurrentLanes?: number;
  /**
   * Where lanes keep their ledgers and watermarks, one partition per lane. The fleet closes the stores it got
   * from here when a lane is removed or the fleet closed. Default: an InMemoryStateStore per lane.
   */
  stateStore?: LaneStateStores;
  /** Which lanes this process runs, for several processes sharing lanes. Default: all of them. */
  ownership?: LaneOwnership;
  /** Shared service budgets (`fleet.budgets`). Default: a new FleetBudgets with the services' limits. */
  budgets?: FleetBudgets;
  /** Engine options applied to every lane; a lane's own options win. */
  laneDefaults?: LaneEngineOptions;
  /** How failing lanes are backed off. */
  backoff?: LaneBackoffOptions;
  /** Under `start()`: how often lane ownership is claimed (renewed), an integer of at least 1,000. Default 30000. */
  claimIntervalInMs?: number;
  /** Clock (tests). */
  now?: () => Date;
}

export interface ResolvedFleetOptions {
  maxConcurrentLanes: number;
  claimIntervalInMs: number;
  now: () => number;
}

const LANE_ID = /^[^/\\#?\u0000-\u001f\u007f-\u009f]{1,128}$/;

export function checkLaneId(id: unknown): string {
  if (typeof id !== "string" || !LANE_ID.test(id) || id.trim() !== id)
    throw new InvalidArgumentError(
      "id",
      "must be 1–128 characters without / \\ # ?, control characters or surrounding spaces",
    );
  return id;
}

export function resolveFleetOptions(options: SyncFleetOptions): ResolvedFleetOptions {
  if (typeof options !== "object" || options === null)
    throw new InvalidArgumentError("options", "SyncFleet needs an options object");
  const store = options.stateStore as unknown;
  if (
    store !== undefined &&
    typeof store !== "function" &&
    typeof (store as { forLane?: unknown })?.forLane !== "function"
  )
    throw new InvalidArgumentError("stateStore", "must be a function of the lane id or have forLane(laneId)");
  const ownership = options.ownership as Partial<LaneOwnership> | undefined;
  if (
    ownership !== undefined &&
    (typeof ownership?.claim !== "function" || typeof ownership.signalFor !== "function")
  )
    throw new InvalidArgumentError("ownership", "must implement claim(laneIds) and signalFor(laneId)");
  if (options.now !== undefined && typeof options.now !== "function")
    throw new InvalidArgumentError("now", "must be a function returning a Date");
  const now = options.now;
  return {
    maxConcurrentLanes: integer("maxConcurrentLanes", options.maxConcurrentLanes, 8, 1, 1_000),
    claimIntervalInMs: integer("claimIntervalInMs", options.claimIntervalInMs, 30_000, 1_000, 2_147_483_647),
    now: now ? () => now().getTime() : Date.now,
  };
}

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    throw new InvalidArgumentError(name, `must be an integer from ${min} to ${max} (got ${String(value)})`);
  return value;
}

/** The lane's ledger: its own, or its partition of the fleet's stores (which the fleet then owns). */
export function laneStore(
  lane: LaneOptions,
  stores: LaneStateStores | undefined,
): { store: StateStore | undefined; owned: boolean } {
  if (lane.stateStore !== undefined) return { store: lane.stateStore, owned: false };
  if (stores === undefined) return { store: undefined, owned: false };
  const store = typeof stores === "function" ? stores(lane.id) : stores.forLane(lane.id);
  return { store, owned: true };
}
