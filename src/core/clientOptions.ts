import type { AbortSignalLike } from "@azure/abort-controller";
import type { HttpClient, PipelinePolicy } from "@azure/core-rest-pipeline";
import type { OperationTracingOptions } from "@azure/core-tracing";
import type { RateLimiter, RateLimitOptions } from "./rateLimiter";

/** Options every operation accepts (Azure SDK `OperationOptions`). */
export interface OperationOptions {
  /** Cancels the operation, including waits for rate-limit budget and retries. */
  abortSignal?: AbortSignalLike;
  /**
   * Parent span of the operation's span (Azure SDK convention). Without it the span is a child of the active
   * OpenTelemetry context, if any.
   */
  tracingOptions?: OperationTracingOptions;
}

/** Retry settings passed to core's retry policies. */
export interface RetryOptions {
  /** Retries per request after the first attempt. Default 3. */
  maxRetries?: number;
  /** Base delay of the exponential backoff (5xx, resets, 429 without Retry-After). Default 1000. */
  retryDelayInMs?: number;
  /** Upper bound of one backoff delay. Default 64000. */
  maxRetryDelayInMs?: number;
  /**
   * Longest server-requested wait (Retry-After on 429/503) the client sleeps before retrying. A longer one
   * ends the call at once with ThrottledError (or ServiceUnavailableError) carrying the server's value in
   * `retryAfterInMs`, instead of sleeping for a day or overflowing Node's timer. Default 60000.
   */
  maxRetryAfterInMs?: number;
}

/** Guards against listings that never end. */
export interface PagingOptions {
  /**
   * Empty pages in a row (each with yet another next-page link) after which a listing stops with
   * PagingError. Default 10. A next-page link already followed stops a listing at once, whatever this is.
   */
  maxConsecutiveEmptyPages?: number;
}

/** Options shared by `DefenderClient` and `SentinelClient`. */
export interface CommonClientOptions {
  /** Base URL of the service. https only, except for loopback hosts (the emulator). */
  endpoint?: string;
  /** Overrides the AAD scopes (default `<endpoint origin>/.default`). */
  credentialScopes?: string[];
  /** Prepended to the User-Agent header. */
  userAgentPrefix?: string;
  retryOptions?: RetryOptions;
  /**
   * Longest wait for one attempt's complete response (headers and body), in ms. Past it the attempt fails
   * with RequestTimeoutError, which is retried for idempotent methods only. Default 100000 (as Azure SDKs).
   */
  requestTimeoutInMs?: number;
  /**
   * Largest response body accepted, in bytes; a larger one is refused with ResponseTooLargeError before it
   * is buffered whole. Default 64 MiB.
   */
  maxResponseBytes?: number;
  pagingOptions?: PagingOptions;
  /**
   * Client-side rate limit. Pass a `RateLimiter` to share one budget between clients of the same tenant,
   * `RateLimitOptions` to size this client's own, or `false` to turn it off. Defaults follow the services' documented limits.
   */
  rateLimit?: RateLimiter | RateLimitOptions | false;
  /** Transport override (tests, proxies). Defaults to core's Node HTTP client. */
  httpClient?: HttpClient;
  /** Extra policies: `perCall` run once per operation, `perRetry` on every attempt. */
  additionalPolicies?: { policy: PipelinePolicy; position: "perCall" | "perRetry" }[];
}
