import type { FleetLane } from "./fleetLane";

/** What the polling loop needs from its fleet. */
export interface FleetLoopHost {
  readonly maxConcurrentLanes: number;
  readonly claimIntervalInMs: number;
  now(): number;
  lanes(): Iterable<FleetLane>;
  owns(laneId: string): boolean;
  /** Claims ownership of every lane (throws when the claim fails). */
  claim(): Promise<void>;
  signalFor(laneId: string): AbortSignal;
  reportError(error: unknown): void;
}

/** Node's timers fire at once for longer delays. */
const MAX_TIMER_IN_MS = 2_147_483_647;

/**
 * `SyncFleet.start()`: each lane on its own cadence (`pollIntervalInMs` after its last cycle, later while it is
 * backed off), at most `maxConcurrentLanes` at a time, the lane due the longest first. A slow lane holds one
 * slot and delays no other lane's schedule; ownership is re-claimed every `claimIntervalInMs`.
 */
export class FleetLoop {
  readonly done: Promise<void>;
  private stopped = false;
  private claimNeeded = true;
  private lastClaim = Number.NEGATIVE_INFINITY;
  private readonly inFlight = new Map<string, Promise<void>>();
  private wakeUp: (() => void) | undefined;

  constructor(private readonly host: FleetLoopHost) {
    this.done = this.run();
  }

  /** Re-examines the lanes now (a lane was added or removed); `claim`: also claim ownership first. */
  wake(claim = false): void {
    if (claim) this.claimNeeded = true;
    this.wakeUp?.();
  }

  /** Stops starting cycles and waits for those in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.claimNeeded || this.host.now() - this.lastClaim >= this.host.claimIntervalInMs) {
        this.claimNeeded = false;
        this.lastClaim = this.host.now();
        try {
          await this.host.claim();
        } catch (error) {
          // Keep running the lanes owned so far; their leases abort them if they are lost meanwhile.
          this.host.reportError(error);
        }
        if (this.stopped) break;
      }
      this.dispatch(this.host.now());
      await this.sleep();
    }
    await Promise.all(this.inFlight.values());
  }

  private dispatch(now: number): void {
    const due = [...this.host.lanes()]
      .filter((l) => this.idle(l) && l.nextDueAt <= now && l.health.isDue(now))
      .sort((a, b) => a.nextDueAt - b.nextDueAt);
    for (const lane of due) {
      if (this.inFlight.size >= this.host.maxConcurrentLanes) break;
      const cycle = lane
        .runCycle(undefined, this.host.signalFor(lane.id))
        .then(() => {
          lane.nextDueAt = Math.max(this.host.now() + lane.pollIntervalInMs, lane.health.nextAttemptAt ?? 0);
        })
        .finally(() => {
          this.inFlight.delete(lane.id);
          this.wake();
        });
      this.inFlight.set(lane.id, cycle);
    }
  }

  private idle(lane: FleetLane): boolean {
    return !lane.removed && !this.inFlight.has(lane.id) && this.host.owns(lane.id);
  }

  /** Until the next lane is due, the next claim, or a wake-up. */
  private sleep(): Promise<void> {
    let next = this.lastClaim + this.host.claimIntervalInMs;
    if (this.inFlight.size < this.host.maxConcurrentLanes) {
      for (const lane of this.host.lanes())
        if (this.idle(lane)) next = Math.min(next, Math.max(lane.nextDueAt, lane.health.nextAttemptAt ?? 0));
    }
    const delay = Math.min(MAX_TIMER_IN_MS, Math.max(0, next - this.host.now()));
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, delay);
      this.wakeUp = done;
    });
  }
}
