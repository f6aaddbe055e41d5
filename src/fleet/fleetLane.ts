import { observeLaneHealth } from "../core/otelMetrics";
import type { StateStore } from "../sync/stateStore";
import { SyncEngine } from "../sync/syncEngine";
import type { LaneEngineEventName, SyncFleetEvents } from "./fleetEvents";
import { LANE_ENGINE_EVENTS } from "./fleetEvents";
import type { LaneEngineOptions, LaneOptions, LaneStateStores } from "./fleetOptions";
import { laneStore } from "./fleetOptions";
import type { LaneCycleResult } from "./fleetReport";
import { type LaneBackoffOptions, LaneHealth } from "./laneHealth";
import { currentLaneId, runInLane } from "./laneScope";

type Emit = <E extends keyof SyncFleetEvents>(event: E, ...args: Parameters<SyncFleetEvents[E]>) => void;

export interface LaneDeps {
  defaults: LaneEngineOptions | undefined;
  stores: LaneStateStores | undefined;
  backoff: LaneBackoffOptions | undefined;
  emit: Emit;
  now: () => number;
}

/** Events a shared client raises on every engine using it; only the lane whose request it was keeps them. */
const CLIENT_EVENTS: ReadonlySet<string> = new Set(["throttled", "warning"]);

/** One lane of a fleet: its engine, its health, and the cycle it is running. */
export class FleetLane {
  readonly id: string;
  readonly engine: SyncEngine;
  readonly pollIntervalInMs: number;
  readonly health: LaneHealth;
  /** How long the last cycle took (to run short lanes first); undefined before the first. */
  lastDurationInMs: number | undefined;
  /** Under `start()`: when the next cycle is due (ms since the epoch). */
  nextDueAt = 0;
  private readonly store: StateStore | undefined;
  private readonly ownsStore: boolean;
  private readonly removal = new AbortController();
  private inFlight: Promise<LaneCycleResult> | undefined;
  private readonly unobserveHealth: () => void;

  constructor(
    options: LaneOptions,
    private readonly deps: LaneDeps,
  ) {
    this.id = options.id;
    this.health = new LaneHealth(deps.backoff);
    const { store, owned } = laneStore(options, deps.stores);
    const { id: _id, ...engineOptions } = { ...deps.defaults, ...options };
    try {
      this.engine = new SyncEngine({ ...engineOptions, ...(store ? { stateStore: store } : {}) });
    } catch (e) {
      if (owned) void store?.close?.();
      throw e;
    }
    this.store = store;
    this.ownsStore = owned;
    this.pollIntervalInMs = engineOptions.pollIntervalInMs ?? 60_000;
    this.forwardEvents();
    this.unobserveHealth = observeLaneHealth(this.id, this.health);
  }

  get running(): boolean {
    return this.inFlight !== undefined;
  }

  get removed(): boolean {
    return this.removal.signal.aborted;
  }

  /** Runs one engine cycle as this lane (budgets see the lane id); never rejects. */
  runCycle(fleetSignal: AbortSignal | undefined, ownershipSignal: AbortSignal): Promise<LaneCycleResult> {
    if (this.inFlight) return this.inFlight;
    const run = this.cycle(fleetSignal, ownershipSignal).finally(() => {
      this.inFlight = undefined;
    });
    this.inFlight = run;
    return run;
  }

  /** Aborts the cycle in flight (its checkpoints stay), waits for it, and lets go of the engine and ledger. */
  async remove(): Promise<void> {
    this.removal.abort();
    await this.close();
  }

  /** Waits for the cycle in flight, flushes the ledger, and lets go of the engine and the ledger. */
  async close(): Promise<void> {
    await this.inFlight;
    this.unobserveHealth();
    this.engine.dispose();
    this.engine.removeAllListeners();
    await this.store?.flush?.();
    if (this.ownsStore) await this.store?.close?.();
  }

  private async cycle(
    fleetSignal: AbortSignal | undefined,
    ownershipSignal: AbortSignal,
  ): Promise<LaneCycleResult> {
    const { now, emit } = this.deps;
    const signal = anySignal([fleetSignal, ownershipSignal, this.removal.signal]);
    const started = now();
    try {
      const report = await runInLane(this.id, () => this.engine.runOnce({ abortSignal: signal.signal }));
      this.lastDurationInMs = now() - started;
      const recovered = this.health.succeeded(now());
      if (recovered) emit("lane.recovered", { laneId: this.id, ...recovered });
      return { laneId: this.id, status: "completed", report };
    } catch (error) {
      this.lastDurationInMs = now() - started;
      if (this.removal.signal.aborted) return { laneId: this.id, status: "skipped", reason: "removed" };
      if (ownershipSignal.aborted) return { laneId: this.id, status: "skipped", reason: "lost" };
      if (fleetSignal?.aborted) return { laneId: this.id, status: "skipped", reason: "aborted" };
      const verdict = this.health.failed(error, now());
      if (verdict.unhealthy && verdict.nextAttemptAt !== undefined) {
        emit("lane.unhealthy", {
          laneId: this.id,
          reason: verdict.reason,
          error,
          consecutiveFailures: verdict.consecutiveFailures,
          nextAttemptAt: new Date(verdict.nextAttemptAt),
        });
      }
      return {
        laneId: this.id,
        status: "failed",
        reason: verdict.reason,
        error,
        unhealthy: verdict.unhealthy,
        consecutiveFailures: verdict.consecutiveFailures,
        nextAttemptAt:
          verdict.nextAttemptAt === undefined ? undefined : new Date(verdict.nextAttemptAt).toISOString(),
      };
    } finally {
      signal.dispose();
    }
  }

  /** Re-emits every engine event with this lane's id. */
  private forwardEvents(): void {
    for (const name of Object.keys(LANE_ENGINE_EVENTS) as LaneEngineEventName[]) {
      this.engine.on(name, (event: unknown) => {
        // A client shared by lanes tells every lane's engine; the async context says whose request it was.
        const lane = currentLaneId();
        if (CLIENT_EVENTS.has(name) && lane !== undefined && lane !== this.id) return;
        (this.deps.emit as (n: string, e: unknown) => void)(name, { laneId: this.id, event });
      });
    }
    this.engine.on("error", (error) => this.deps.emit("error", error));
  }
}

/** One signal that aborts when any of `signals` does; `dispose` unhooks it. */
function anySignal(signals: (AbortSignal | undefined)[]): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const hooked: [AbortSignal, () => void][] = [];
  for (const s of signals) {
    if (!s) continue;
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    const onAbort = () => controller.abort(s.reason);
    s.addEventListener("abort", onAbort, { once: true });
    hooked.push([s, onAbort]);
  }
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [s, onAbort] of hooked) s.removeEventListener("abort", onAbort);
    },
  };
}
