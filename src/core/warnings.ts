import type { ServiceName } from "./errors";
import { logger } from "./log";
import { callListeners, ignoreListenerError } from "./safeEmit";

/**
 * Something the SDK tolerated instead of failing: a wire choice the service refused and a fallback taken,
 * an odd item kept raw, a value clamped. Warnings never carry tokens or payload bodies.
 */
export interface SyncWarning {
  /** Stable machine-readable code, e.g. `orderbyRefused`, `evidenceKeptGeneric`. */
  code: string;
  /** One line for humans. */
  message: string;
  service?: ServiceName;
  /** Small, non-secret context (ids, paths). */
  detail?: Record<string, unknown>;
}

/** Receives each `SyncWarning` a client or engine emits: a fallback taken, an odd item kept raw, a value clamped. */
export type WarningListener = (warning: SyncWarning) => void;

/**
 * Fan-out of warnings to listeners (the engine re-emits them as its `warning` event) and to the logger.
 * `emitOnce` keys a warning so a remembered fallback is announced once per client, not once per request.
 */
export class WarningChannel {
  private readonly listeners = new Set<WarningListener>();
  private readonly announced = new Set<string>();

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: WarningListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(warning: SyncWarning): void {
    logger.warning(`${warning.code}: ${warning.message}`);
    callListeners(this.listeners, [warning], ignoreListenerError);
  }

  /** Emits only the first warning with this key. */
  emitOnce(key: string, warning: SyncWarning): void {
    if (this.announced.has(key)) return;
    this.announced.add(key);
    this.emit(warning);
  }
}
