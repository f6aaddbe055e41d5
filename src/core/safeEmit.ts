type Listener<A extends unknown[]> = (...args: A) => void;

/**
 * Calls each listener on its own: one that throws is handed to `onListenerError` and neither stops the other
 * listeners nor reaches the caller (a listener's bug must never break the request or cycle that emitted).
 */
export function callListeners<A extends unknown[]>(
  listeners: Iterable<Listener<A>>,
  args: A,
  onListenerError: (error: unknown) => void,
): void {
  // A copy, so a listener that unsubscribes (or subscribes) while called does not change this round.
  for (const listener of [...listeners]) {
    try {
      listener(...args);
    } catch (error) {
      onListenerError(error);
    }
  }
}

/** Anything with EventEmitter's `listeners` (every emitter of this package is an `eventemitter3` one). */
export interface ListenerSource {
  listeners(event: string): unknown[];
}

/**
 * Emits `event` to each listener separately. A listener that throws is reported on the emitter's `error` event
 * (or to `onListenerError` when given, for emitters without one); an `error` listener that throws is
 * swallowed, not looped. Emitters keep a typed `safeEmit` method that delegates here.
 */
export function safeEmit(
  emitter: ListenerSource,
  event: string,
  args: readonly unknown[],
  onListenerError?: (error: unknown) => void,
): void {
  callListeners(emitter.listeners(event) as Listener<unknown[]>[], [...args], (error) => {
    if (onListenerError) onListenerError(error);
    else if (event !== "error") safeEmit(emitter, "error", [error]);
  });
}

/** For listeners of request-level callbacks (warnings, throttling): a listener's bug must never break a request. */
export function ignoreListenerError(): void {}
