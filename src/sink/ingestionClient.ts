import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { LogsIngestionClient } from "@azure/monitor-ingestion";
import type { CommonClientOptions } from "../core/clientOptions";
import type { RequestMetrics } from "../core/metrics";
import { createServicePipeline } from "../core/pipeline";
import type { RateLimitOptions } from "../core/rateLimiter";

/** Public-cloud audience of the Logs Ingestion API (token scope `https://monitor.azure.com/.default`). */
export const LOGS_INGESTION_AUDIENCE = "https://monitor.azure.com";

/**
 * Logs Ingestion: 12,000 requests per minute per data collection rule (one bucket, uploads are POSTs). Sized so
 * one client alone never meets the service's 429; share a `RateLimiter` between clients of the same rule.
 */
export const LOGS_INGESTION_RATE_LIMITS: RateLimitOptions = {
  read: { capacity: 12_000, refillPerSecond: 200 },
};

/** The client options of a Logs Ingestion client, as `DefenderClient`'s and `SentinelClient`'s. */
export type IngestionClientSettings = Omit<CommonClientOptions, "endpoint" | "pagingOptions">;

export interface IngestionClientOptions extends IngestionClientSettings {
  /** Already checked by `parseEndpoint` (https, or http on a loopback host). */
  endpointUrl: URL;
  credential: TokenCredential;
  metrics: RequestMetrics;
  /** Extra per-attempt policies of the caller itself (byte counters). */
  perRetryPolicies?: PipelinePolicy[];
}

/**
 * A `LogsIngestionClient` (batching under 1 MB, gzip, concurrent uploads are the library's) driving the pipeline
 * `DefenderClient` and `SentinelClient` use (`createServicePipeline`): this package's retry policy (Retry-After
 * capped by `maxRetryAfterInMs`, backoff on a 429 without one), bearer auth with a guarded credential (plain http
 * only for the loopback emulator), client-side rate limiting, per-attempt metrics, a host pin in front of the
 * transport (the token only goes to the endpoint's origin; redirects are not followed), a timeout per attempt, a
 * response-size cap, sanitized logging through the package logger, core's request spans, `additionalPolicies`,
 * and typed errors out of the pipeline instead of `RestError`.
 *
 * Uploads are resent after a 5xx or a dropped connection although the service has no idempotency key: rows
 * carry a stable id (RowId, RelayRowId) that queries and the relay rule deduplicate on, and a lost batch would be
 * worse.
 */
export function createIngestionClient(options: IngestionClientOptions): LogsIngestionClient {
  const { endpointUrl, credential, metrics, perRetryPolicies, httpClient, ...settings } = options;
  const pipeline = createServicePipeline({
    ...settings,
    service: "logsIngestion",
    endpointUrl,
    credential,
    credentialScopes: settings.credentialScopes ?? [`${LOGS_INGESTION_AUDIENCE}/.default`],
    defaultRateLimits: LOGS_INGESTION_RATE_LIMITS,
    metrics,
    typedErrors: true,
    resendable: true,
    perRetryPolicies,
  });
  const endpoint = `${endpointUrl.origin}${endpointUrl.pathname}`.replace(/\/+$/, "");
  // With `pipeline` the library builds none of its own (nor adds `additionalPolicies` a second time); it adds
  // its gzip and api-version policies to ours.
  return new LogsIngestionClient(endpoint, credential, {
    pipeline,
    httpClient,
    ...(endpointUrl.protocol === "http:" ? { allowInsecureConnection: true } : {}),
  });
}
