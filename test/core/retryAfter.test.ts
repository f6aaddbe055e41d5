import { createHttpHeaders } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { parseRetryAfterInMs } from "../../src/core/retryAfter";

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const parse = (headers: Record<string, string>) => parseRetryAfterInMs(createHttpHeaders(headers), NOW);

describe("parseRetryAfterInMs", () => {
  it("reads Retry-After in seconds", () => {
    expect(parse({ "Retry-After": "5" })).toBe(5000);
    expect(parse({ "retry-after": "0" })).toBe(0);
    expect(parse({ "Retry-After": "1.5" })).toBe(1500);
  });

  it("reads the millisecond headers, and prefers them over Retry-After", () => {
    expect(parse({ "retry-after-ms": "250" })).toBe(250);
    expect(parse({ "x-ms-retry-after-ms": "40" })).toBe(40);
    expect(parse({ "retry-after-ms": "250", "Retry-After": "9" })).toBe(250);
    expect(parse({ "retry-after-ms": "10", "x-ms-retry-after-ms": "20" })).toBe(10);
  });

  it("ignores an unusable millisecond header and falls back to Retry-After", () => {
    expect(parse({ "retry-after-ms": "soon", "Retry-After": "2" })).toBe(2000);
    expect(parse({ "retry-after-ms": "-5", "Retry-After": "2" })).toBe(2000);
  });

  it("reads an HTTP date as the time left until then", () => {
    const in30s = new Date(NOW + 30_000).toUTCString();
    expect(parse({ "Retry-After": in30s })).toBe(30_000);
  });

  it("treats a date in the past (and negative seconds) as 'retry now'", () => {
    expect(parse({ "Retry-After": new Date(NOW - 60_000).toUTCString() })).toBe(0);
    expect(parse({ "Retry-After": "-3" })).toBe(0);
  });

  it("returns undefined when there is nothing usable", () => {
    expect(parse({})).toBeUndefined();
    expect(parse({ "Retry-After": "" })).toBeUndefined();
    expect(parse({ "Retry-After": "later please" })).toBeUndefined();
  });
});
