/**
 * A clock that only moves when told: pass `clock.now` as the emulator's `now` option, then `advance` it to
 * make analytics rules run, lookbacks expire and tokens refill without waiting.
 */

export interface ManualClock {
  /** The current time (a fresh Date each call). */
  now(): Date;
  /** Moves the clock forward by `ms` (negative values are refused: the services' clocks never go back). */
  advance(ms: number): Date;
  /** Moves the clock to `time`, which must not be earlier than the current time. */
  set(time: Date | string): Date;
}

/** A `ManualClock` starting at `start` (default 2025-06-01T00:00:00Z). */
export function createManualClock(start: Date | string = "2025-06-01T00:00:00Z"): ManualClock {
  let t = typeof start === "string" ? Date.parse(start) : start.getTime();
  if (Number.isNaN(t)) throw new RangeError(`start is not a valid time: ${String(start)}`);
  return {
    now: () => new Date(t),
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError("a manual clock only moves forward (ms must be >= 0)");
      t += ms;
      return new Date(t);
    },
    set(time) {
      const next = typeof time === "string" ? Date.parse(time) : time.getTime();
      if (Number.isNaN(next) || next < t)
        throw new RangeError("a manual clock only moves forward to a valid time");
      t = next;
      return new Date(t);
    },
  };
}
