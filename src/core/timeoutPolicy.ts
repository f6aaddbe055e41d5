import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { InvalidArgumentError, RequestTimeoutError, type ServiceName } from "./errors";
import { redactRequest } from "./redaction";

/** As the Azure SDKs' default. */
export const DEFAULT_REQUEST_TIMEOUT_IN_MS = 100_000;

/**
 * Bounds one attempt, headers and body. Core's `request.timeout` is not used: it stops counting once the
 * headers arrive (a stalled body waits forever) and surfaces as an AbortError, indistinguishable from the
 * caller's own abort. This policy aborts the transport and rejects with RequestTimeoutError even if a custom
 * HttpClient ignores the abort; the caller's abortSignal still ends the attempt as an AbortError.
 */
export function requestTimeoutPolicy(service: ServiceName, timeoutInMs: number): PipelinePolicy {
  if (!(Number.isFinite(timeoutInMs) && timeoutInMs > 0 && timeoutInMs <= 2 ** 31 - 1)) {
    throw new InvalidArgumentError("requestTimeoutInMs", "must be a positive number of ms (at most 2^31-1)");
  }
  return {
    name: "requestTimeoutPolicy",
    async sendRequest(request, next) {
      const outer = request.abortSignal;
      if (outer?.aborted) return next(request);
      const controller = new AbortController();
      const forward = () => controller.abort();
      outer?.addEventListener("abort", forward);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // Rejected before the abort, so the race settles with this error and not the transport's.
          reject(
            new RequestTimeoutError(
              `${service} ${request.method} got no complete response within ${timeoutInMs} ms`,
              {
                service,
                request: redactRequest(request.method, request.url, request.headers),
                timeoutInMs,
              },
            ),
          );
          controller.abort();
        }, timeoutInMs);
      });
      request.abortSignal = controller.signal;
      const sent = next(request);
      // After a timeout the transport rejects with its own AbortError; nobody awaits it any more.
      sent.catch(() => undefined);
      try {
        return await Promise.race([sent, timedOut]);
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener("abort", forward);
        request.abortSignal = outer;
      }
    },
  };
}
