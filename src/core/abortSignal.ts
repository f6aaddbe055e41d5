import type { AbortSignalLike } from "@azure/abort-controller";

/**
 * A DOM `AbortSignal` following an `AbortSignalLike` (what options accept, per the Azure SDK convention), for
 * code that needs `AbortSignal.any` or `reason`. `release` stops following it once the operation settled.
 */
export function followAbortSignal(signal: AbortSignalLike | undefined): {
  signal: AbortSignal | undefined;
  release: () => void;
} {
  if (signal === undefined || signal instanceof AbortSignal) return { signal, release: () => {} };
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  if (signal.aborted) controller.abort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return { signal: controller.signal, release: () => signal.removeEventListener("abort", onAbort) };
}
