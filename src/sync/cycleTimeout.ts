import type { AbortSignalLike } from "@azure/abort-controller";
import { SyncSdkError } from "../core/errors";

/** A sync cycle ran longer than `cycleTimeoutInMs`: its requests were aborted, its checkpoints kept. */
export class CycleTimeoutError extends SyncSdkError {
  override name = "CycleTimeoutError";
  readonly timeoutInMs: number;
  constructor(timeoutInMs: number, options?: { cause?: unknown }) {
    super(
      `The sync cycle did not finish within ${timeoutInMs} ms and was aborted; the next cycle resumes from its checkpoints`,
      options,
    );
    this.timeoutInMs = timeoutInMs;
  }
}

export const isCycleTimeoutError = (e: unknown): e is CycleTimeoutError =>
  typeof e === "object" && e !== null && (e as { name?: unknown }).name === "CycleTimeoutError";

/**
 * Runs `work` with a deadline. At `timeoutInMs` the signal handed to `work` aborts; the returned promise then
 * rejects with CycleTimeoutError as soon as `work` settles, or after `graceInMs` if `work` ignores the signal
 * (a hung state store, say), so the caller is never left waiting. `signal` (the caller's) aborts `work` too.
 */
export async function runWithDeadline<T>(
  work: (signal: AbortSignal) => Promise<T>,
  timeoutInMs: number,
  signal: AbortSignalLike | undefined,
  graceInMs = Math.min(5_000, timeoutInMs),
): Promise<T> {
  const controller = new AbortController();
  // A plain AbortSignalLike has no `reason`; a DOM AbortSignal's is passed on.
  const reasonOf = () => (signal as { reason?: unknown } | undefined)?.reason;
  const onAbort = () => controller.abort(reasonOf());
  if (signal?.aborted) controller.abort(reasonOf());
  signal?.addEventListener("abort", onAbort, { once: true });
  let timedOut = false;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  let expire!: (e: CycleTimeoutError) => void;
  const expired = new Promise<never>((_, reject) => {
    expire = reject;
  });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new CycleTimeoutError(timeoutInMs));
    graceTimer = setTimeout(() => expire(new CycleTimeoutError(timeoutInMs)), graceInMs);
  }, timeoutInMs);
  const running = work(controller.signal);
  // The race may settle first; a late rejection of `work` must not surface as an unhandled rejection.
  running.catch(() => undefined);
  try {
    return await Promise.race([running, expired]);
  } catch (e) {
    if (timedOut && !(e instanceof CycleTimeoutError)) throw new CycleTimeoutError(timeoutInMs, { cause: e });
    throw e;
  } finally {
    clearTimeout(timer);
    clearTimeout(graceTimer);
    signal?.removeEventListener("abort", onAbort);
  }
}
