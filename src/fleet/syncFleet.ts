import { EventEmitter } from "eventemitter3";
import { followAbortSignal } from "../core/abortSignal";
import { InvalidArgumentError } from "../core/errors";
import { safeEmit } from "../core/safeEmit";
import { forEachConcurrent } from "../sync/concurrency";
import type { RunOnceOptions, SyncSubscription } from "../sync/syncEngine";
import { FleetBudgets } from "./fleetBudgets";
import type { SyncFleetEvents } from "./fleetEvents";
import { FleetLane } from "./fleetLane";
import { FleetLoop } from "./fleetLoop";
import {
  checkLaneId,
  type LaneOptions,
  type ResolvedFleetOptions,
  resolveFleetOptions,
  type SyncFleetOptions,
} from "./fleetOptions";
import { type FleetReport, fleetTotals, type LaneCycleResult } from "./fleetReport";
import type { LaneFailureReason } from "./laneHealth";
import { type LaneOwnership, OwnAllLanes } from "./ownership";

/** A lane as `SyncFleet.lane(id)` shows it. */
export interface LaneStatus {
  id: string;
  /** This process runs it (see `LaneOwnership`). */
  owned: boolean;
  running: boolean;
  unhealthy: boolean;
  /** Why its last cycle failed, while it has not completed one since. */
  reason: LaneFailureReason | undefined;
  consecutiveFailures: number;
  /** Its cycles are skipped until then. */
  nextAttemptAt: Date | undefined;
  lastDurationInMs: number | undefined;
}

/**
 * Many lanes (source tenant → target) in one process. Each lane runs its own SyncEngine over its own ledger
 * partition; lanes that spend the same service budget share it through `budgets` and take turns; a lane whose
 * consent was revoked, whose workspace is gone or that keeps failing is backed off (exponential, capped) with a
 * `lane.unhealthy` event and never holds up the other lanes' cycles. At most `maxConcurrentLanes` cycles run at
 * once, so memory follows the pages in flight, not the number of lanes.
 *
 * ```ts
 * const fleet = new SyncFleet({ maxConcurrentLanes: 8 });
 * const defender = new DefenderClient(contosoCredential, { rateLimit: fleet.budgets.graph(contosoTenantId) });
 * fleet.addLane({ id: "contoso", defender, sentinel, tenantId: contosoTenantId });
 * const report = await fleet.runOnce();      // or: const run = fleet.start(); … await run.close();
 * ```
 */
export class SyncFleet extends EventEmitter<SyncFleetEvents> {
  /** Shared budgets: pass `budgets.graph(tenantId)` / `budgets.arm(subscriptionId)` as clients' `rateLimit`. */
  readonly budgets: FleetBudgets;
  private readonly options: SyncFleetOptions;
  private readonly resolved: ResolvedFleetOptions;
  private readonly ownership: LaneOwnership;
  private readonly lanes = new Map<string, FleetLane>();
  private owned = new Set<string>();
  private round: Promise<FleetReport> | undefined;
  private loop: FleetLoop | undefined;
  private closed = false;

  constructor(options: SyncFleetOptions = {}) {
    super();
    this.resolved = resolveFleetOptions(options);
    this.options = options;
    this.budgets = options.budgets ?? new FleetBudgets();
    this.ownership = options.ownership ?? new OwnAllLanes();
  }

  /** Ids of the lanes, in the order they were added. */
  get laneIds(): string[] {
    return [...this.lanes.keys()];
  }

  /** True while `start()`'s loop runs. */
  get isRunning(): boolean {
    return this.loop !== undefined;
  }

  /**
   * Adds a lane; its engine options are checked now (InvalidArgumentError naming the option). Under `start()` its
   * first cycle starts as soon as it is owned and a slot is free; `runOnce` rounds include it from the next one.
   */
  addLane(options: LaneOptions): void {
    this.assertOpen();
    if (typeof options !== "object" || options === null)
      throw new InvalidArgumentError("lane", "addLane needs the lane's options");
    const id = checkLaneId(options.id);
    if (this.lanes.has(id)) throw new InvalidArgumentError("id", `a lane "${id}" exists already`);
    const lane = new FleetLane(options, {
      defaults: this.options.laneDefaults,
      stores: this.options.stateStore,
      backoff: this.options.backoff,
      emit: (event, ...args) => this.safeEmit(event, ...args),
      now: this.resolved.now,
    });
    this.lanes.set(id, lane);
    this.safeEmit("lane.added", { laneId: id });
    this.loop?.wake(true);
  }

  /**
   * Removes a lane: its cycle in flight is aborted (what it finished stays checkpointed), its ledger flushed
   * (and closed when the fleet's `stateStore` provided it), its ownership released. Resolves false if no such lane.
   */
  async removeLane(id: string): Promise<boolean> {
    const lane = this.lanes.get(id);
    if (!lane) return false;
    this.lanes.delete(id);
    this.owned.delete(id);
    await lane.remove();
    await this.ownership.release?.([id]);
    this.safeEmit("lane.removed", { laneId: id });
    this.loop?.wake();
    return true;
  }

  /** A lane's health and state; undefined if no such lane. */
  lane(id: string): LaneStatus | undefined {
    const lane = this.lanes.get(id);
    if (!lane) return undefined;
    const next = lane.health.nextAttemptAt;
    return {
      id,
      owned: this.owned.has(id),
      running: lane.running,
      unhealthy: lane.health.unhealthy,
      reason: lane.health.reason,
      consecutiveFailures: lane.health.consecutiveFailures,
      nextAttemptAt: next === undefined ? undefined : new Date(next),
      lastDurationInMs: lane.lastDurationInMs,
    };
  }

  /**
   * One round: claims ownership, then runs one cycle of every owned lane that is not backed off, at most
   * `maxConcurrentLanes` at a time, the lanes whose last cycle was shortest first. A lane's failure is its
   * own: the report lists it and the other lanes' cycles run on. Rejects only when ownership cannot be claimed.
   */
  runOnce(options: RunOnceOptions = {}): Promise<FleetReport> {
    try {
      this.assertOpen();
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.loop) return Promise.reject(new Error("The fleet is started; stop it before calling runOnce"));
    if (this.round) return Promise.reject(new Error("A fleet round is already running; await it"));
    const followed = followAbortSignal(options.abortSignal);
    const round = this.runRound(followed.signal).finally(() => {
      followed.release();
      this.round = undefined;
    });
    this.round = round;
    return round;
  }

  /**
   * Polls: each lane runs a cycle every `pollIntervalInMs` (its own, or `laneDefaults`'), on its own schedule.
   * `close()` stops starting cycles and waits for those in flight.
   */
  start(): SyncSubscription {
    this.assertOpen();
    if (this.loop) throw new Error("The fleet is already started");
    if (this.round) throw new Error("A fleet round is running; await it before start()");
    const loop = new FleetLoop({
      maxConcurrentLanes: this.resolved.maxConcurrentLanes,
      claimIntervalInMs: this.resolved.claimIntervalInMs,
      now: this.resolved.now,
      lanes: () => this.lanes.values(),
      owns: (id) => this.owned.has(id),
      claim: () => this.claim(),
      signalFor: (id) => this.ownership.signalFor(id),
      reportError: (error) => this.safeEmit("error", error),
    });
    this.loop = loop;
    const fleet = this;
    return {
      async close() {
        if (fleet.loop !== loop) return;
        await loop.stop();
        await Promise.all([...fleet.lanes.values()].map((l) => l.engine.stateStore.flush?.()));
        fleet.loop = undefined;
      },
      get isRunning() {
        return fleet.loop === loop;
      },
    };
  }

  /** Stops polling, waits for cycles in flight, closes the ledgers the fleet opened and releases every lane. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.loop) {
      await this.loop.stop();
      this.loop = undefined;
    }
    await this.round?.catch(() => undefined);
    const lanes = [...this.lanes.values()];
    await Promise.all(lanes.map((l) => l.close()));
    await this.ownership.release?.(lanes.map((l) => l.id));
    await this.ownership.close?.();
  }

  private async runRound(abortSignal: AbortSignal | undefined): Promise<FleetReport> {
    const now = this.resolved.now;
    const started = now();
    const lanes = [...this.lanes.values()];
    await this.claim(abortSignal);
    const results = new Map<string, LaneCycleResult>();
    const runnable: FleetLane[] = [];
    for (const lane of lanes) {
      if (!this.owned.has(lane.id)) {
        results.set(lane.id, { laneId: lane.id, status: "skipped", reason: "notOwned" });
      } else if (!lane.health.isDue(started)) {
        const at = lane.health.nextAttemptAt;
        results.set(lane.id, {
          laneId: lane.id,
          status: "skipped",
          reason: "backoff",
          ...(at === undefined ? {} : { nextAttemptAt: new Date(at).toISOString() }),
        });
      } else runnable.push(lane);
    }
    // Short lanes first: quiet lanes finish early instead of queueing behind backfills for a slot.
    runnable.sort((a, b) => (a.lastDurationInMs ?? Infinity) - (b.lastDurationInMs ?? Infinity));
    await forEachConcurrent(runnable, this.resolved.maxConcurrentLanes, async (lane) => {
      let result: LaneCycleResult;
      if (lane.removed) result = { laneId: lane.id, status: "skipped", reason: "removed" };
      else if (abortSignal?.aborted) result = { laneId: lane.id, status: "skipped", reason: "aborted" };
      else result = await lane.runCycle(abortSignal, this.ownership.signalFor(lane.id));
      results.set(lane.id, result);
    });
    const ordered = lanes.map((l) => results.get(l.id)!);
    const finished = now();
    const report: FleetReport = {
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationInMs: finished - started,
      lanes: ordered,
      totals: fleetTotals(ordered),
    };
    this.safeEmit("fleet.completed", report);
    return report;
  }

  /** Claims every lane; lanes lost since the last claim are announced on `lane.lost`. */
  private async claim(abortSignal?: AbortSignal): Promise<void> {
    const ids = [...this.lanes.keys()];
    const claim = await this.ownership.claim(ids, { abortSignal });
    for (const id of claim.lost) if (this.lanes.has(id)) this.safeEmit("lane.lost", { laneId: id });
    this.owned = new Set(claim.owned.filter((id) => this.lanes.has(id)));
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("The fleet is closed");
  }

  /** Emits to each listener separately: a throwing listener is reported on `error`, never propagated. */
  private safeEmit<E extends keyof SyncFleetEvents>(event: E, ...args: Parameters<SyncFleetEvents[E]>): void {
    safeEmit(this, event, args);
  }
}
