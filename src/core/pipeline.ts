import type { TokenCredential } from "@azure/core-auth";
import {
  bearerTokenAuthenticationPolicy,
  createPipelineFromOptions,
  type Pipeline,
  type PipelinePolicy,
} from "@azure/core-rest-pipeline";
import type { CommonClientOptions, PagingOptions } from "./clientOptions";
import { guardCredential } from "./credentialGuard";
import { scopeForEndpoint } from "./endpoint";
import type { ServiceName } from "./errors";
import { typedErrorPolicy } from "./httpErrors";
import { markIdempotent } from "./idempotency";
import { logger } from "./log";
import type { RequestMetrics } from "./metrics";
import {
  hostPinningPolicy,
  loopbackBearerPolicy,
  metricsPolicy,
  rateLimitPolicy,
  staticHeadersPolicy,
} from "./policies";
import { RateLimiter, type RateLimitOptions } from "./rateLimiter";
import { SAFE_HEADER_NAMES, SAFE_QUERY_PARAMETERS } from "./redaction";
import { DEFAULT_MAX_RESPONSE_BYTES, responseSizePolicy } from "./responseSizePolicy";
import { retrySettings, serviceRetryPolicy } from "./retryPolicy";
import { DEFAULT_REQUEST_TIMEOUT_IN_MS, requestTimeoutPolicy } from "./timeoutPolicy";
import { SDK_VERSION } from "./version";

export interface ServicePipelineOptions extends CommonClientOptions {
  service: ServiceName;
  endpointUrl: URL;
  credential: TokenCredential;
  defaultRateLimits: RateLimitOptions;
  metrics: RequestMetrics;
  headers?: Record<string, string>;
  /**
   * For a pipeline that a generated client drives instead of `ServiceHttp` (the Logs Ingestion client): every
   * failure, and every non-2xx answer, leaves the pipeline as this package's typed error (outermost policy, so
   * after the retries).
   */
  typedErrors?: boolean;
  /**
   * Every request may be sent again after it may have reached the service (a reset, a timeout, a 5xx), POST
   * included. Only for services whose writes carry their own dedupe key (Logs Ingestion rows carry `RowId`).
   */
  resendable?: boolean;
  /** Per-attempt policies of the client itself (byte counters), added before `additionalPolicies`. */
  perRetryPolicies?: PipelinePolicy[];
}

// Settings the pipeline's owner (ServiceHttp) reads back; a Pipeline has no room for them.
const pagingByPipeline = new WeakMap<Pipeline, PagingOptions>();

/** The `pagingOptions` a pipeline was created with. */
export function pagingOptionsOf(pipeline: Pipeline): PagingOptions {
  return pagingByPipeline.get(pipeline) ?? {};
}

/**
 * One pipeline per client, built on core's defaults for user agent and sanitized logging. Core's retry
 * policy is replaced by ours (serviceRetryPolicy: Retry-After capped, POST/PATCH not resent after a drop).
 * We add bearer auth with the endpoint's scope (credential failures recognisable), client-side rate limiting
 * and metrics on every attempt, a host pin in front of the transport, and next to the transport a timeout
 * per attempt and a cap on the response size.
 */
export function createServicePipeline(options: ServicePipelineOptions): Pipeline {
  const pipeline = createPipelineFromOptions({
    userAgentOptions: {
      userAgentPrefix: [options.userAgentPrefix, `defender-sentinel-sync/${SDK_VERSION}`]
        .filter(Boolean)
        .join(" "),
    },
    // Following a redirect could carry the token to another host; the service APIs used here never redirect.
    redirectOptions: { maxRetries: 0 },
    loggingOptions: {
      logger: logger.info,
      additionalAllowedHeaderNames: [...SAFE_HEADER_NAMES],
      additionalAllowedQueryParameters: [...SAFE_QUERY_PARAMETERS],
    },
  });
  pipeline.removePolicy({ name: "defaultRetryPolicy" });
  // Outermost: what leaves the pipeline is a typed error (ThrottledError, ConnectionError …), not a RestError.
  if (options.typedErrors) pipeline.addPolicy(typedErrorPolicy(options.service), { phase: "Serialize" });
  if (options.resendable) {
    pipeline.addPolicy(
      {
        name: "resendablePolicy",
        sendRequest: (request, next) => {
          markIdempotent(request, true);
          return next(request);
        },
      },
      { phase: "Serialize" },
    );
  }
  pipeline.addPolicy(serviceRetryPolicy(retrySettings(options.retryOptions)), { phase: "Retry" });
  if (options.headers) pipeline.addPolicy(staticHeadersPolicy(options.headers));

  const limiter =
    options.rateLimit === false
      ? undefined
      : options.rateLimit instanceof RateLimiter
        ? options.rateLimit
        : new RateLimiter(options.rateLimit ?? options.defaultRateLimits);
  if (limiter) pipeline.addPolicy(rateLimitPolicy(limiter, options.metrics), { afterPhase: "Retry" });
  pipeline.addPolicy(metricsPolicy(options.metrics), { afterPhase: "Retry" });
  for (const policy of options.perRetryPolicies ?? []) pipeline.addPolicy(policy, { afterPhase: "Retry" });

  const scopes = options.credentialScopes ?? [scopeForEndpoint(options.endpointUrl)];
  const credential = guardCredential(options.credential);
  const auth =
    options.endpointUrl.protocol === "http:"
      ? loopbackBearerPolicy(credential, scopes)
      : bearerTokenAuthenticationPolicy({ credential, scopes });
  pipeline.addPolicy(auth, { phase: "Sign" });
  pipeline.addPolicy(hostPinningPolicy(options.endpointUrl.origin), { afterPhase: "Sign" });
  // Added last, so they sit right above the transport: the timeout covers the size-checked body read.
  pipeline.addPolicy(
    requestTimeoutPolicy(options.service, options.requestTimeoutInMs ?? DEFAULT_REQUEST_TIMEOUT_IN_MS),
    { afterPhase: "Sign" },
  );
  pipeline.addPolicy(
    responseSizePolicy(options.service, options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES),
    { afterPhase: "Sign" },
  );

  for (const extra of options.additionalPolicies ?? []) {
    pipeline.addPolicy(extra.policy, extra.position === "perRetry" ? { afterPhase: "Retry" } : {});
  }
  pagingByPipeline.set(pipeline, options.pagingOptions ?? {});
  return pipeline;
}
