import {
  createHttpHeaders,
  createPipelineRequest,
  type PipelineResponse,
  RestError,
} from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { RequestTimeoutError } from "../../src/core/errors";
import { isIdempotentMethod } from "../../src/core/idempotency";
import { retryDelayFor, retrySettings } from "../../src/core/retryPolicy";

const s = retrySettings({
  maxRetries: 3,
  retryDelayInMs: 100,
  maxRetryDelayInMs: 1000,
  maxRetryAfterInMs: 5000,
});
const request = createPipelineRequest({ url: "https://graph.microsoft.com/v1.0/x" });
const response = (status: number, headers: Record<string, string> = {}): { response: PipelineResponse } => ({
  response: { status, headers: createHttpHeaders(headers), request },
});
const netError = (code: string) => ({ error: new RestError("boom", { code, request }) });

describe("retryDelayFor", () => {
  it("waits a Retry-After within the cap on 429 and 503, for every method", () => {
    for (const idempotent of [true, false]) {
      expect(retryDelayFor(0, response(429, { "retry-after": "2" }), idempotent, s)).toBe(2000);
      expect(retryDelayFor(0, response(503, { "retry-after-ms": "5000" }), idempotent, s)).toBe(5000);
    }
  });

  it("gives up on a Retry-After past the cap instead of sleeping it", () => {
    expect(retryDelayFor(0, response(429, { "retry-after": "6" }), true, s)).toBeUndefined();
    expect(retryDelayFor(0, response(503, { "retry-after": "86400" }), true, s)).toBeUndefined();
    const yearAhead = new Date(Date.now() + 365 * 86_400_000).toUTCString();
    expect(retryDelayFor(0, response(429, { "retry-after": yearAhead }), true, s)).toBeUndefined();
  });

  it("backs off exponentially (with jitter, capped) on 429/503 without Retry-After", () => {
    const d0 = retryDelayFor(0, response(429), false, s)!;
    expect(d0).toBeGreaterThanOrEqual(50);
    expect(d0).toBeLessThan(100);
    const d2 = retryDelayFor(2, response(503), false, s)!;
    expect(d2).toBeGreaterThanOrEqual(200);
    expect(d2).toBeLessThan(400);
    const big = retrySettings({ maxRetries: 20, retryDelayInMs: 100, maxRetryDelayInMs: 1000 });
    expect(retryDelayFor(15, response(429), true, big)).toBeLessThan(1000);
  });

  it("retries other 5xx and 408 only for idempotent requests; never 501, 505 or 4xx", () => {
    for (const status of [500, 502, 504, 408]) {
      expect(retryDelayFor(0, response(status), true, s)).toBeGreaterThan(0);
      expect(retryDelayFor(0, response(status), false, s)).toBeUndefined();
    }
    for (const status of [501, 505, 400, 401, 404, 409, 200]) {
      expect(retryDelayFor(0, response(status), true, s)).toBeUndefined();
    }
  });

  it("retries a dropped connection or a timeout only for idempotent requests", () => {
    for (const outcome of [netError("ECONNRESET"), netError("EPIPE"), { error: timeout() }]) {
      expect(retryDelayFor(0, outcome, true, s)).toBeGreaterThan(0);
      expect(retryDelayFor(0, outcome, false, s)).toBeUndefined();
    }
  });

  it("retries a connection never established for every method", () => {
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]) {
      expect(retryDelayFor(0, netError(code), false, s)).toBeGreaterThan(0);
    }
  });

  it("does not retry unknown errors, nor past maxRetries", () => {
    expect(retryDelayFor(0, netError("REQUEST_SEND_ERROR"), true, s)).toBeUndefined();
    expect(retryDelayFor(0, { error: new Error("no") }, true, s)).toBeUndefined();
    expect(retryDelayFor(3, response(503, { "retry-after": "1" }), true, s)).toBeUndefined();
  });
});

describe("retrySettings", () => {
  it("defaults to 3 retries, 1 s base, 64 s max backoff and a 60 s Retry-After cap", () => {
    expect(retrySettings()).toEqual({
      maxRetries: 3,
      retryDelayInMs: 1000,
      maxRetryDelayInMs: 64_000,
      maxRetryAfterInMs: 60_000,
    });
  });

  it("keeps every wait within Node's timer range and refuses nonsense", () => {
    expect(retrySettings({ maxRetryAfterInMs: 1e12 }).maxRetryAfterInMs).toBe(2 ** 31 - 1);
    expect(() => retrySettings({ maxRetryAfterInMs: -1 })).toThrow(/maxRetryAfterInMs/);
    expect(() => retrySettings({ maxRetries: Number.NaN })).toThrow(/maxRetries/);
  });
});

describe("isIdempotentMethod", () => {
  it("is false for POST and PATCH only", () => {
    expect(["GET", "PUT", "DELETE", "HEAD"].map(isIdempotentMethod)).toEqual([true, true, true, true]);
    expect(["POST", "PATCH", "patch"].map(isIdempotentMethod)).toEqual([false, false, false]);
  });
});

function timeout(): RequestTimeoutError {
  return new RequestTimeoutError("slow", { timeoutInMs: 10 });
}
