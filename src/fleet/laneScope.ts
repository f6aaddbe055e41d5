import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The lane whose cycle is running, carried through the async context. Shared budgets read it to give lanes
 * turns, and the fleet reads it to tell which lane a shared client's throttling or warning belongs to.
 */
const scope = new AsyncLocalStorage<string>();

/** The id of the fleet lane whose work is running now, if any. */
export function currentLaneId(): string | undefined {
  return scope.getStore();
}

/** Runs `fn` (and every async continuation it starts) as work of lane `laneId`. */
export function runInLane<T>(laneId: string, fn: () => T): T {
  return scope.run(laneId, fn);
}
