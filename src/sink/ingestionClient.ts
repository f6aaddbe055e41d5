import type { TokenCredential } from "@azure/core-auth";
import { bearerTokenAuthenticationPolicyName, type PipelinePolicy } from "@azure/core-rest-pipeline";
import { LogsIngestionClient, type LogsIngestionClientOptions } from "@azure/monitor-ingestion";
import type { RetryOptions } from "../core/clientOptions";
import { typedErrorPolicy } from "../core/httpErrors";
import { markIdempotent } from "../core/idempotency";
import type { RequestMetrics } from "../core/metrics";
import { hostPinningPolicy, loopbackBearerPolicy, metricsPolicy } from "../core/policies";
import { retrySettings, serviceRetryPolicy } from "../core/retryPolicy";
import { DEFAULT_REQUEST_TIMEOUT_IN_MS, requestTimeoutPolicy } from "../core/timeoutPolicy";
import { SDK_VERSION } from "../core/version";

/** Public-cloud audience of the Logs Ingestion API (token scope `https://monitor.azure.com/.default`). */
export const LOGS_INGESTION_AUDIENCE = "https://monitor.azure.com";

export interface IngestionClientOptions {
  /** Already checked by `parseEndpoint` (https, or http on a loopback host). */
  endpointUrl: URL;
  credential: TokenCredential;
  metrics: RequestMetrics;
  retryOptions?: RetryOptions;
  clientOptions?: LogsIngestionClientOptions;
  /** Per attempt. Default 100,000. */
  requestTimeoutInMs?: number;
  /** Extra per-attempt policies (byte counters). */
  perRetryPolicies?: PipelinePolicy[];
}

/**
 * A `LogsIngestionClient` (batching, gzip, retries are the library's) with this package's additions: backoff
 * on a 429 without Retry-After, per-attempt metrics, a host pin in front of the transport, and bearer auth
 * over plain http for the loopback emulator (core's policy refuses non-TLS URLs).
 */
export function createIngestionClient(options: IngestionClientOptions): LogsIngestionClient {
  const { endpointUrl } = options;
  const loopback = endpointUrl.protocol === "http:";
  const retry = options.retryOptions ?? {};
  const retryDelayInMs = retry.retryDelayInMs ?? 1000;
  const maxRetryDelayInMs = retry.maxRetryDelayInMs ?? 64_000;
  const maxRetries = retry.maxRetries ?? 3;
  const clientOptions: LogsIngestionClientOptions = {
    retryOptions: { maxRetries, retryDelayInMs, maxRetryDelayInMs },
    // Following a redirect could carry the token elsewhere; the ingestion API does not redirect.
    redirectOptions: { maxRetries: 0 },
    userAgentOptions: { userAgentPrefix: `defender-sentinel-sync/${SDK_VERSION}` },
    ...options.clientOptions,
    ...(loopback ? { allowInsecureConnection: true } : {}),
  };
  const endpoint = `${endpointUrl.origin}${endpointUrl.pathname}`.replace(/\/+$/, "");
  const client = new LogsIngestionClient(endpoint, options.credential, clientOptions);
  const pipeline = client.pipeline;
  // Our retry policy instead of core's: Retry-After capped at a sane wait. Uploads are resent after a 5xx or
  // a dropped connection although the service has no idempotency key: rows carry a stable id (RowId,
  // RelayRowId) that queries and the relay rule deduplicate on, and a lost batch would be worse.
  pipeline.removePolicy({ name: "defaultRetryPolicy" });
  pipeline.addPolicy(
    {
      name: "ingestionUploadsResendable",
      sendRequest: (request, next) => {
        markIdempotent(request, true);
        return next(request);
      },
    },
    { phase: "Retry" },
  );
  pipeline.addPolicy(serviceRetryPolicy(retrySettings(options.retryOptions)), { phase: "Retry" });
  // Outermost: failures leave as this package's typed errors (ThrottledError, ConnectionError …), not RestError.
  pipeline.addPolicy(typedErrorPolicy("logsIngestion"), { phase: "Serialize" });
  pipeline.addPolicy(metricsPolicy(options.metrics), { afterPhase: "Retry" });
  for (const policy of options.perRetryPolicies ?? []) pipeline.addPolicy(policy, { afterPhase: "Retry" });
  if (loopback) {
    const audience = clientOptions.audience ?? LOGS_INGESTION_AUDIENCE;
    pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
    pipeline.addPolicy(loopbackBearerPolicy(options.credential, [`${audience}/.default`]), { phase: "Sign" });
  }
  pipeline.addPolicy(hostPinningPolicy(endpointUrl.origin), { afterPhase: "Sign" });
  pipeline.addPolicy(
    requestTimeoutPolicy("logsIngestion", options.requestTimeoutInMs ?? DEFAULT_REQUEST_TIMEOUT_IN_MS),
    { afterPhase: "Sign" },
  );
  return client;
}
