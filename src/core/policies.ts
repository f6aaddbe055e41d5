import type { AccessToken, TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy, RetryStrategy } from "@azure/core-rest-pipeline";
import { UntrustedHostError } from "./errors";
import type { RequestMetrics } from "./metrics";
import { operationKindOf, type RateLimiter } from "./rateLimiter";
import { parseRetryAfterInMs } from "./retryAfter";

/** Waits for client-side budget before each attempt, so load turns into waiting rather than 429s. */
export function rateLimitPolicy(limiter: RateLimiter, metrics: RequestMetrics): PipelinePolicy {
  return {
    name: "rateLimitPolicy",
    async sendRequest(request, next) {
      const waited = await limiter.acquire(operationKindOf(request.method), request.abortSignal);
      metrics.recordClientWait(waited, request.method);
      return next(request);
    },
  };
}

/** Counts every attempt and every 429/5xx the service returns. */
export function metricsPolicy(metrics: RequestMetrics): PipelinePolicy {
  return {
    name: "metricsPolicy",
    async sendRequest(request, next) {
      metrics.recordAttempt(request.method);
      const response = await next(request);
      metrics.recordStatus(response.status, request.method, parseRetryAfterInMs(response.headers));
      return response;
    },
  };
}

/**
 * The last line of defence for credentials: any request whose origin is not the configured endpoint's
 * is refused before it leaves the process (redirects and nextLinks included).
 */
export function hostPinningPolicy(allowedOrigin: string): PipelinePolicy {
  return {
    name: "hostPinningPolicy",
    async sendRequest(request, next) {
      let origin: string;
      try {
        origin = new URL(request.url).origin;
      } catch {
        throw new UntrustedHostError(request.url, allowedOrigin);
      }
      if (origin !== allowedOrigin) throw new UntrustedHostError(request.url, allowedOrigin);
      return next(request);
    },
  };
}

/** Adds fixed headers (Graph: `Prefer: include-unknown-enum-members`). */
export function staticHeadersPolicy(headers: Record<string, string>): PipelinePolicy {
  return {
    name: "staticHeadersPolicy",
    async sendRequest(request, next) {
      for (const [k, v] of Object.entries(headers)) {
        if (!request.headers.has(k)) request.headers.set(k, v);
      }
      return next(request);
    },
  };
}

/**
 * Bearer auth for the loopback emulator over plain http. Core's policy refuses non-TLS URLs; this one is
 * only installed when the endpoint was verified to be a loopback host.
 */
export function loopbackBearerPolicy(credential: TokenCredential, scopes: string[]): PipelinePolicy {
  let cached: AccessToken | null = null;
  return {
    name: "loopbackBearerPolicy",
    async sendRequest(request, next) {
      if (!cached || cached.expiresOnTimestamp - Date.now() < 60_000) {
        cached = await credential.getToken(scopes, { abortSignal: request.abortSignal });
      }
      if (cached) request.headers.set("Authorization", `Bearer ${cached.token}`);
      return next(request);
    },
  };
}

/**
 * Core's throttling strategy steps aside on a 429 without any Retry-After header; Graph documents that
 * some responses omit it and asks for exponential backoff then.
 */
export function throttledWithoutRetryAfterStrategy(
  baseDelayInMs: number,
  maxDelayInMs: number,
): RetryStrategy {
  return {
    name: "throttledWithoutRetryAfter",
    retry({ retryCount, response }) {
      if (response?.status !== 429 || parseRetryAfterInMs(response.headers) !== undefined) {
        return { skipStrategy: true };
      }
      const exp = Math.min(maxDelayInMs, baseDelayInMs * 2 ** retryCount);
      return { retryAfterInMs: exp / 2 + Math.random() * (exp / 2) };
    },
  };
}
