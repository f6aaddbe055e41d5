import { HttpResponse, http } from "msw";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isServiceUnavailableError, isThrottledError } from "../../src/core/errors";
import {
  DefenderClient,
  type DefenderClientOptions,
  type ServiceUnavailableError,
  type ThrottledError,
} from "../../src/index";
import { fakeCredential } from "../helpers/credential";
import { GRAPH_BASE, server, useMswServer } from "../helpers/msw";

const recorder = useMswServer();

const INCIDENT = `${GRAPH_BASE}/security/incidents/42`;
const DAY_MS = 24 * 60 * 60 * 1000;
const YEAR_MS = 365 * DAY_MS;

const client = (options: DefenderClientOptions = {}) =>
  new DefenderClient(fakeCredential(), {
    rateLimit: false,
    retryOptions: { retryDelayInMs: 1, maxRetries: 2, ...options.retryOptions },
    ...options,
  });

/** Node turns a setTimeout above 2^31-1 ms into 1 ms and says so with this warning. */
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(w.name);
beforeEach(() => {
  warnings.length = 0;
  process.on("warning", onWarning);
});
afterEach(() => {
  process.off("warning", onWarning);
});

/** Settles `p`, or fails once `ms` have passed (a client that sleeps for a day must not pass by timing out). */
async function settled(p: Promise<unknown>, ms = 3_000): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([p, deadline]);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith("still waiting")) throw e;
    return e;
  } finally {
    clearTimeout(timer);
  }
  throw new Error("expected a rejection");
}

function answer(status: number, headers: Record<string, string>) {
  server.use(
    http.get(INCIDENT, () =>
      HttpResponse.json({ error: { code: "TooManyRequests", message: "slow down" } }, { status, headers }),
    ),
  );
}

describe("a Retry-After beyond reason is not slept on", () => {
  it.each([
    ["a day in seconds", { "Retry-After": "86400" }, DAY_MS],
    ["1e9 seconds (past Node's 2^31-1 ms timer limit)", { "Retry-After": "1000000000" }, 1e12],
    ["5e9 ms in retry-after-ms", { "retry-after-ms": "5000000000" }, 5e9],
  ])("429 with %s: one request, then ThrottledError with the server's value", async (_name, headers, ms) => {
    answer(429, headers);
    const e = (await settled(client().getIncident("42"))) as ThrottledError;
    expect(isThrottledError(e)).toBe(true);
    expect(e.retryAfterInMs).toBe(ms);
    expect(recorder.requests).toHaveLength(1);
    expect(warnings).not.toContain("TimeoutOverflowWarning");
  });

  it("429 with an HTTP date a year ahead", async () => {
    answer(429, { "Retry-After": new Date(Date.now() + YEAR_MS).toUTCString() });
    const e = (await settled(client().getIncident("42"))) as ThrottledError;
    expect(isThrottledError(e)).toBe(true);
    expect(e.retryAfterInMs).toBeGreaterThan(YEAR_MS - 60_000);
    expect(recorder.requests).toHaveLength(1);
    expect(warnings).not.toContain("TimeoutOverflowWarning");
  });

  it("503 with a day's Retry-After gives up at once too, keeping the value", async () => {
    answer(503, { "Retry-After": "86400" });
    const e = (await settled(client().getIncident("42"))) as ServiceUnavailableError;
    expect(isServiceUnavailableError(e)).toBe(true);
    expect(e.retryAfterInMs).toBe(DAY_MS);
    expect(recorder.requests).toHaveLength(1);
  });

  it("retryOptions.maxRetryAfterInMs sets the cap", async () => {
    answer(429, { "retry-after-ms": "800" });
    const e = (await settled(
      client({ retryOptions: { maxRetryAfterInMs: 500 } }).getIncident("42"),
    )) as ThrottledError;
    expect(isThrottledError(e)).toBe(true);
    expect(e.retryAfterInMs).toBe(800);
    expect(recorder.requests).toHaveLength(1);
  });

  it("a Retry-After within the cap is still waited out, then retried", async () => {
    let calls = 0;
    server.use(
      http.get(INCIDENT, () =>
        ++calls === 1
          ? new HttpResponse(null, { status: 429, headers: { "retry-after-ms": "150" } })
          : HttpResponse.json({ id: "42", lastUpdateDateTime: "2024-01-01T00:00:00Z" }),
      ),
    );
    const started = Date.now();
    const incident = await client({ retryOptions: { maxRetryAfterInMs: 1_000 } }).getIncident("42");
    expect(incident?.id).toBe("42");
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(recorder.requests).toHaveLength(2);
  });
});
