import type { TokenCredential } from "@azure/core-auth";
import {
  bearerTokenAuthenticationPolicy,
  createPipelineFromOptions,
  type Pipeline,
  retryPolicy,
} from "@azure/core-rest-pipeline";
import type { CommonClientOptions } from "./clientOptions";
import { scopeForEndpoint } from "./endpoint";
import type { ServiceName } from "./errors";
import { logger } from "./log";
import type { RequestMetrics } from "./metrics";
import {
  hostPinningPolicy,
  loopbackBearerPolicy,
  metricsPolicy,
  rateLimitPolicy,
  staticHeadersPolicy,
  throttledWithoutRetryAfterStrategy,
} from "./policies";
import { RateLimiter, type RateLimitOptions } from "./rateLimiter";
import { SDK_VERSION } from "./version";

export interface ServicePipelineOptions extends CommonClientOptions {
  service: ServiceName;
  endpointUrl: URL;
  credential: TokenCredential;
  defaultRateLimits: RateLimitOptions;
  metrics: RequestMetrics;
  headers?: Record<string, string>;
}

const allowedHeaderNames = [
  "prefer",
  "request-id",
  "client-request-id",
  "x-ms-request-id",
  "x-ms-correlation-request-id",
  "retry-after-ms",
  "x-ms-ratelimit-remaining-subscription-reads",
  "x-ms-ratelimit-remaining-subscription-writes",
];
const allowedQueryParameters = ["api-version", "$filter", "$orderby", "$top", "$skip", "$expand", "$count"];

/**
 * One pipeline per client, built on core's defaults: retries (429/503 honouring Retry-After, 5xx,
 * resets), user agent, sanitized logging. We add bearer auth with the endpoint's scope, client-side
 * rate limiting and metrics on every attempt, and a host pin in front of the transport.
 */
export function createServicePipeline(options: ServicePipelineOptions): Pipeline {
  const retry = options.retryOptions ?? {};
  const pipeline = createPipelineFromOptions({
    retryOptions: {
      maxRetries: retry.maxRetries ?? 3,
      retryDelayInMs: retry.retryDelayInMs ?? 1000,
      maxRetryDelayInMs: retry.maxRetryDelayInMs ?? 64_000,
    },
    userAgentOptions: {
      userAgentPrefix: [options.userAgentPrefix, `defender-sentinel-sync/${SDK_VERSION}`]
        .filter(Boolean)
        .join(" "),
    },
    // Following a redirect could carry the token to another host; the service APIs used here never redirect.
    redirectOptions: { maxRetries: 0 },
    loggingOptions: {
      logger: logger.info,
      additionalAllowedHeaderNames: allowedHeaderNames,
      additionalAllowedQueryParameters: allowedQueryParameters,
    },
  });
  pipeline.addPolicy(
    retryPolicy(
      [throttledWithoutRetryAfterStrategy(retry.retryDelayInMs ?? 1000, retry.maxRetryDelayInMs ?? 64_000)],
      { maxRetries: retry.maxRetries ?? 3 },
    ),
    { phase: "Retry" },
  );
  if (options.headers) pipeline.addPolicy(staticHeadersPolicy(options.headers));

  const limiter =
    options.rateLimit === false
      ? undefined
      : options.rateLimit instanceof RateLimiter
        ? options.rateLimit
        : new RateLimiter(options.rateLimit ?? options.defaultRateLimits);
  if (limiter) pipeline.addPolicy(rateLimitPolicy(limiter, options.metrics), { afterPhase: "Retry" });
  pipeline.addPolicy(metricsPolicy(options.metrics), { afterPhase: "Retry" });

  const scopes = options.credentialScopes ?? [scopeForEndpoint(options.endpointUrl)];
  const auth =
    options.endpointUrl.protocol === "http:"
      ? loopbackBearerPolicy(options.credential, scopes)
      : bearerTokenAuthenticationPolicy({ credential: options.credential, scopes });
  pipeline.addPolicy(auth, { phase: "Sign" });
  pipeline.addPolicy(hostPinningPolicy(options.endpointUrl.origin), { afterPhase: "Sign" });

  for (const extra of options.additionalPolicies ?? []) {
    pipeline.addPolicy(extra.policy, extra.position === "perRetry" ? { afterPhase: "Retry" } : {});
  }
  return pipeline;
}
