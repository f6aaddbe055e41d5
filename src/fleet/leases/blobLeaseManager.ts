import { randomUUID } from "node:crypto";
import { EventEmitter } from "eventemitter3";
import type { OperationOptions } from "../../core/clientOptions";
import { RequestAbortedError, SyncSdkError } from "../../core/errors";
import { logger } from "../../core/log";
import { safeEmit } from "../../core/safeEmit";
import { forEachConcurrent } from "../../sync/concurrency";
import type { LaneClaim, LaneOwnership } from "../ownership";
import { type LaneBalancePlan, planLaneClaims } from "./balancer";
import { deleteHeartbeat, liveInstancesOf, pruneHeartbeats, writeHeartbeat } from "./heartbeat";
import { type LaneLossReason, LaneLostError } from "./laneLostError";
import { laneBlobName, OWNER_METADATA } from "./leaseBlobNames";
import type { BlobLeaseManagerEvents, LaneClaimRound, LaneLoss } from "./leaseEvents";
import { type BlobLeaseManagerOptions, type ResolvedLeaseOptions, resolveLeaseOptions } from "./leaseOptions";
import { type LeaseSnapshot, readLeaseSnapshot } from "./leaseSnapshot";
import { OwnedLane } from "./ownedLane";
import { ownershipViewOf } from "./ownershipView";
import { isBlobAlreadyExists, isLeaseHeldElsewhere } from "./storageErrors";

/** Heartbeats silent this many instance-expiry periods are deleted. */
const PRUNE_AFTER_EXPIRIES = 20;

/**
 * Shares lanes between processes with Azure Blob leases — the primitive Azure Functions uses for singletons
 * (https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer#scale-out-behavior) — balanced
 * the way Event Hubs' processors share partitions: free lanes first, then one lane per round from the most
 * loaded instance. Call {@link BlobLeaseManager.claimLanes} on every poll (or give the manager to a
 * `SyncFleet` as its `ownership`); run a lane only while {@link BlobLeaseManager.isOwned} and pass
 * {@link BlobLeaseManager.signalFor} to its cycle, which aborts
 * before the lease could lapse (renewal failed, lease lost or taken over), so a deposed owner stops before its
 * next write. The lane's ledger writes are ETag-conditional (Table Storage), the second fence: a write that
 * slipped past the signal fails with a conflict instead of overwriting the new owner's.
 *
 * Layout: one empty blob per lane under `lanes/` (its lease; metadata `owner`), one heartbeat blob per
 * instance under `instances/` (metadata `instance`, `lanes`, `beat`), rewritten every renewal interval.
 */
export class BlobLeaseManager extends EventEmitter<BlobLeaseManagerEvents> implements LaneOwnership {
  readonly instanceId: string;
  private readonly options: ResolvedLeaseOptions;
  private readonly owned = new Map<string, OwnedLane>();
  /** Lease ids of lanes lost without release (renewal failed): proposing the same id regains them at once. */
  private readonly dormant = new Map<string, string>();
  /** Lanes whose lease this instance is breaking, and whose. */
  private readonly steals = new Map<string, string>();
  private lostSinceRound: LaneLoss[] = [];
  private rounds: Promise<unknown> = Promise.resolve();
  private ticker: ReturnType<typeof setInterval> | undefined;
  private ticking: Promise<void> | undefined;
  private containerReady = false;
  private announced = false;
  private outageSince: number | undefined;
  private closed = false;

  constructor(options: BlobLeaseManagerOptions) {
    super();
    this.options = resolveLeaseOptions(options);
    this.instanceId = this.options.instanceId;
  }

  get leaseDurationInMs(): number {
    return this.options.leaseDurationInMs;
  }

  /** True while this instance holds the lane's lease and its signal has not aborted. */
  isOwned(lane: string): boolean {
    return this.owned.get(lane)?.lost === false;
  }

  /**
   * The lane's fence: aborts, with a `LaneLostError` as its reason, the moment the lane is lost. For a lane
   * not held, an already aborted signal (reason `notOwned`). A lane lost and acquired again gets a new signal.
   */
  signalFor(lane: string): AbortSignal {
    return this.owned.get(lane)?.signal ?? AbortSignal.abort(new LaneLostError(lane, "notOwned"));
  }

  ownedLanes(): string[] {
    return [...this.owned.keys()].sort();
  }

  /**
   * Creates the container if missing and announces this instance (heartbeat). Optional — the first round does
   * it — but when every instance opens before its first round they split the lanes at once instead of by
   * taking lanes over. Never throws on storage failures (they are reported as `storage.outage`). An
   * `abortSignal` already aborted rejects with `RequestAbortedError` before any request.
   */
  async open(options: OperationOptions = {}): Promise<void> {
    this.assertOpen();
    throwIfAborted(options, "opening the lease manager");
    this.startTicker();
    await this.prepare();
  }

  /**
   * One ownership round: re-checks the lanes held, acquires free lanes up to this instance's share and starts
   * at most one takeover from an over-loaded instance. Never throws on storage failures: the round reports
   * `outage` and lanes already held stay held until their own renewals fail or their deadline passes.
   * Throws `InvalidArgumentError` for an unusable lane id. `abortSignal` is checked before the round starts (then
   * it rejects with `RequestAbortedError`); a started round is not cut short, because a lease acquired but not
   * yet recorded would stay held until it expires — each of its requests is bounded by `requestTimeoutInMs`.
   */
  async claimLanes(lanes: Iterable<string>, options: OperationOptions = {}): Promise<LaneClaimRound> {
    this.assertOpen();
    throwIfAborted(options, "the lane claim");
    const laneIds = [...new Set(lanes)];
    for (const lane of laneIds) laneBlobName(lane);
    const round = this.rounds.then(() => this.runRound(laneIds));
    this.rounds = round.catch(() => undefined);
    return round;
  }

  /** `LaneOwnership` for `SyncFleet`: one round, reduced to the lanes owned and the lanes no longer owned. */
  async claim(laneIds: readonly string[], options: OperationOptions = {}): Promise<LaneClaim> {
    const round = await this.claimLanes(laneIds, options);
    const owned = new Set(round.owned);
    const lost = new Set(round.lost.map((l) => l.lane).filter((lane) => !owned.has(lane)));
    return { owned: round.owned, lost: [...lost] };
  }

  /**
   * Gives lanes up: their signals abort and their leases are released, so another instance can take them at once.
   * `abortSignal` is checked before anything is given up.
   */
  async release(laneIds: readonly string[], options: OperationOptions = {}): Promise<void> {
    throwIfAborted(options, "releasing lanes");
    const held = laneIds.map((lane) => this.owned.get(lane)).filter((l) => l?.lose("released"));
    await forEachConcurrent(held as OwnedLane[], this.options.maxConcurrentRequests, (lane) =>
      lane.release(),
    );
  }

  /** Aborts every lane's signal, releases the leases and removes the heartbeat. Never throws. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ticker);
    await this.rounds;
    await this.ticking; // so that no renewal or heartbeat lands after the releases below
    const held = [...this.owned.values()];
    for (const lane of held) lane.lose("closed");
    await forEachConcurrent(held, this.options.maxConcurrentRequests, (lane) => lane.release());
    try {
      await deleteHeartbeat(this.options.container, this.instanceId, this.timeout());
    } catch {
      // It ages out of the live set by itself.
    }
  }

  private async runRound(laneIds: string[]): Promise<LaneClaimRound> {
    const round: LaneClaimRound = {
      gained: [],
      lost: [],
      owned: [],
      stealing: undefined,
      instances: 0,
      target: 0,
      outage: undefined,
    };
    this.startTicker();
    await this.dropRemovedLanes(laneIds);
    round.outage = await this.prepare();
    const snapshot = round.outage === undefined ? await this.tryRead(round) : undefined;
    if (snapshot) {
      this.reconcile(snapshot);
      await this.createMissingLanes(laneIds, snapshot, round);
      const plan = this.plan(laneIds, snapshot);
      round.instances = plan.instances;
      round.target = plan.target;
      await this.acquireAll(plan.claim, snapshot, round);
      if (plan.steal) await this.startSteal(plan.steal.lane, plan.steal.from, round);
      void pruneHeartbeats(
        this.options.container,
        snapshot.instances,
        snapshot.serverNow,
        this.options.instanceExpiryInMs * PRUNE_AFTER_EXPIRIES,
        this.timeout(),
      );
    }
    round.lost = this.lostSinceRound;
    this.lostSinceRound = [];
    round.owned = this.ownedLanes();
    return round;
  }

  /** Container and first heartbeat, once each; returns the storage error while they cannot be written. */
  private async prepare(): Promise<unknown> {
    try {
      if (!this.containerReady) {
        await this.options.container.createIfNotExists({ abortSignal: this.timeout() });
        this.containerReady = true;
      }
      if (!this.announced) {
        await writeHeartbeat(this.options.container, this.instanceId, this.owned.size, this.timeout());
        this.announced = true;
      }
      return undefined;
    } catch (error) {
      this.noteOutage(this.containerReady ? "heartbeat" : "createContainer", error);
      return error;
    }
  }

  private async tryRead(round: LaneClaimRound): Promise<LeaseSnapshot | undefined> {
    try {
      const snapshot = await readLeaseSnapshot(this.options.container, this.timeout(2));
      this.noteRecovered();
      return snapshot;
    } catch (error) {
      round.outage = error;
      this.noteOutage("list", error);
      return undefined;
    }
  }

  /** Lanes held here whose blob says otherwise: being broken (a takeover) or leased under another name. */
  private reconcile(snapshot: LeaseSnapshot): void {
    for (const [lane, held] of this.owned) {
      const blob = snapshot.lanes.get(lane);
      if (blob?.leaseState === "breaking" || blob?.leaseState === "broken") held.lose("stolen");
      else if (blob?.leaseState !== "leased" || blob.owner !== this.instanceId) held.lose("leaseLost");
    }
    for (const [lane] of this.steals) {
      const blob = snapshot.lanes.get(lane);
      if (blob?.leaseState === "leased" && blob.owner !== this.instanceId) this.steals.delete(lane);
    }
  }

  private plan(laneIds: readonly string[], snapshot: LeaseSnapshot): LaneBalancePlan {
    const live = liveInstancesOf(snapshot.instances, snapshot.serverNow, this.options.instanceExpiryInMs);
    const held = new Set([...this.owned.keys()]);
    return planLaneClaims({
      self: this.instanceId,
      lanes: laneIds,
      liveInstances: live,
      ownership: ownershipViewOf(this.instanceId, laneIds, snapshot.lanes, held),
    });
  }

  private async dropRemovedLanes(laneIds: readonly string[]): Promise<void> {
    const wanted = new Set(laneIds);
    const removed = [...this.owned.values()].filter((held) => !wanted.has(held.lane));
    for (const held of removed) held.lose("removed");
    await forEachConcurrent(removed, this.options.maxConcurrentRequests, (held) => held.release());
    for (const lane of [...this.dormant.keys()]) if (!wanted.has(lane)) this.dormant.delete(lane);
  }

  private async createMissingLanes(
    laneIds: readonly string[],
    snapshot: LeaseSnapshot,
    round: LaneClaimRound,
  ): Promise<void> {
    const missing = laneIds.filter((lane) => !snapshot.lanes.has(lane));
    await forEachConcurrent(missing, this.options.maxConcurrentRequests, async (lane) => {
      try {
        await this.options.container.getBlockBlobClient(laneBlobName(lane)).upload("", 0, {
          conditions: { ifNoneMatch: "*" },
          abortSignal: this.timeout(),
        });
      } catch (error) {
        if (isBlobAlreadyExists(error)) return; // another instance created it first
        round.outage ??= error;
        this.noteOutage("createLane", error);
        return;
      }
      snapshot.lanes.set(lane, { leaseState: "available", owner: undefined });
    });
  }

  private async acquireAll(lanes: readonly string[], snapshot: LeaseSnapshot, round: LaneClaimRound) {
    await forEachConcurrent(lanes, this.options.maxConcurrentRequests, async (lane) => {
      if (!snapshot.lanes.has(lane)) return; // its blob could not be created
      try {
        const held = await this.acquire(lane, snapshot.lanes.get(lane)?.owner === this.instanceId);
        if (!held) return;
        const from = this.steals.get(lane);
        this.steals.delete(lane);
        const gain = from === undefined ? { lane } : { lane, stolenFrom: from };
        round.gained.push(gain);
        this.safeEmit("lane.gained", gain);
      } catch (error) {
        round.outage ??= error;
        this.noteOutage("acquire", error);
      }
    });
  }

  /** Acquires one lane's lease and records this instance as its owner; undefined if someone else holds it. */
  private async acquire(lane: string, ownerRecorded: boolean): Promise<OwnedLane | undefined> {
    const leaseId = this.dormant.get(lane) ?? randomUUID();
    const blob = this.options.container.getBlockBlobClient(laneBlobName(lane));
    const lease = blob.getBlobLeaseClient(leaseId);
    const sentAt = this.options.now();
    try {
      await lease.acquireLease(this.options.leaseDurationInMs / 1000, { abortSignal: this.timeout() });
    } catch (error) {
      if (isLeaseHeldElsewhere(error)) return undefined;
      throw error;
    }
    this.dormant.delete(lane);
    if (!ownerRecorded) {
      try {
        // Others count loads by this record; a lane nobody can attribute would never be rebalanced.
        await blob.setMetadata(
          { [OWNER_METADATA]: encodeURIComponent(this.instanceId) },
          { conditions: { leaseId }, abortSignal: this.timeout() },
        );
      } catch (error) {
        await lease.releaseLease({ abortSignal: this.timeout() }).catch(() => undefined);
        throw error;
      }
    }
    const held = new OwnedLane(lane, lease, sentAt, this.options, (l, reason, cause) =>
      this.onLost(l, reason, cause),
    );
    this.owned.set(lane, held);
    return held;
  }

  /**
   * Breaks one lease of an over-loaded instance. Its owner sees the break at its next renewal or round,
   * aborts the lane and releases it; if it does not (it hangs), the break period ends the lease no earlier
   * than that owner's own deadline. The lane is acquired in a later round, as a free lane.
   */
  private async startSteal(lane: string, from: string, round: LaneClaimRound): Promise<void> {
    try {
      const lease = this.options.container.getBlockBlobClient(laneBlobName(lane)).getBlobLeaseClient();
      await lease.breakLease(this.options.stealBreakPeriodInMs / 1000, { abortSignal: this.timeout() });
    } catch (error) {
      // 409 LeaseNotPresentWithLeaseOperation: it was released meanwhile; it is free next round.
      logger.verbose(`lease takeover of lane ${lane} did not start: ${(error as Error).message}`);
      return;
    }
    this.steals.set(lane, from);
    round.stealing = { lane, from };
    this.safeEmit("lane.stealing", { lane, from });
  }

  private onLost(held: OwnedLane, reason: LaneLossReason, cause: unknown): void {
    if (this.owned.get(held.lane) === held) this.owned.delete(held.lane);
    // A lease kept by the service after a failed renewal can be re-acquired with the same id; any other loss
    // forgets the id so a release still in flight can never end a later acquisition.
    if (reason === "renewFailed" || reason === "expired") this.dormant.set(held.lane, held.leaseId);
    if (reason === "stolen") void held.release();
    const loss: LaneLoss =
      cause === undefined ? { lane: held.lane, reason } : { lane: held.lane, reason, error: cause };
    this.lostSinceRound.push(loss);
    if (reason === "renewFailed") this.noteOutage("renew", cause);
    this.safeEmit("lane.lost", loss);
  }

  private startTicker(): void {
    if (this.ticker || this.closed) return;
    this.ticker = setInterval(() => this.tick(), this.options.renewIntervalInMs);
    this.ticker.unref?.();
  }

  /** Renews every lease and rewrites the heartbeat, every renewal interval, independently of rounds. */
  private tick(): void {
    if (this.ticking || this.closed) return;
    this.ticking = this.renewAll().finally(() => {
      this.ticking = undefined;
    });
  }

  private async renewAll(): Promise<void> {
    let failed = false;
    const renewals = forEachConcurrent(
      [...this.owned.values()],
      this.options.maxConcurrentRequests,
      async (held) => {
        if ((await held.renew()) !== undefined) failed = true;
      },
    );
    const beat = writeHeartbeat(
      this.options.container,
      this.instanceId,
      this.owned.size,
      this.timeout(),
    ).catch((error: unknown) => {
      failed = true;
      this.noteOutage("heartbeat", error);
    });
    await Promise.all([renewals, beat]);
    if (!failed) this.noteRecovered();
  }

  private noteOutage(operation: string, error: unknown): void {
    if (this.outageSince !== undefined) return;
    this.outageSince = this.options.now();
    logger.warning(`lease storage ${operation} failed: ${(error as Error)?.message ?? String(error)}`);
    this.safeEmit("storage.outage", { operation, error });
  }

  private noteRecovered(): void {
    if (this.outageSince === undefined) return;
    const outageInMs = this.options.now() - this.outageSince;
    this.outageSince = undefined;
    this.safeEmit("storage.recovered", { outageInMs });
  }

  /** Lanes are lost from timers: a throwing listener is logged, never allowed to break renewals. */
  private safeEmit<E extends keyof BlobLeaseManagerEvents>(
    event: E,
    ...args: Parameters<BlobLeaseManagerEvents[E]>
  ): void {
    // These events have no `error` channel: a listener that throws is logged.
    safeEmit(this, event, args, (error) =>
      logger.warning(`a ${event} listener threw: ${(error as Error)?.message ?? String(error)}`),
    );
  }

  private timeout(factor = 1): AbortSignal {
    return AbortSignal.timeout(this.options.requestTimeoutInMs * factor);
  }

  private assertOpen(): void {
    if (this.closed) throw new SyncSdkError(`BlobLeaseManager ${this.instanceId} is closed`);
  }
}

function throwIfAborted(options: OperationOptions, what: string): void {
  if (options.abortSignal?.aborted)
    throw new RequestAbortedError(`${what[0]!.toUpperCase()}${what.slice(1)} was aborted`);
}
