import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isAbortError, isConnectionError, isRequestTimeoutError } from "../../src/core/errors";
import { DefenderClient, type DefenderClientOptions, type RequestTimeoutError } from "../../src/index";
import { startLoopbackServer } from "../../src/testing/loopbackServer";
import { fakeCredential, TEST_TOKEN } from "../helpers/credential";
import { readJson } from "../helpers/fixtures";

const graphIncident = readJson<Record<string, unknown>>(
  "graph/examples/security-incident-get.1.response.json",
);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A loopback service that receives requests and never answers (until the test ends). */
async function silentService(): Promise<{ origin: string; received: string[] }> {
  const received: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  const server = await startLoopbackServer(async (request) => {
    received.push(request.method);
    await released;
    return { response: new Response(null, { status: 204 }), reset: true };
  });
  cleanups.push(() => server.close(), release);
  return { origin: server.origin, received };
}

/** A raw server that sends status and headers, a few body bytes, then stalls. */
async function stallingBodyService(): Promise<{ origin: string; received: string[] }> {
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    received.push(req.method ?? "");
    res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
    res.write('{"id": "42", ');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const client = (origin: string, options: DefenderClientOptions = {}) =>
  new DefenderClient(fakeCredential(), {
    rateLimit: false,
    endpoint: `${origin}/v1.0`,
    ...options,
    retryOptions: { retryDelayInMs: 1, maxRetries: 2, ...options.retryOptions },
  });

/** Settles `p` within `ms` or fails the test (a request must never wait forever). */
async function rejection(p: Promise<unknown>, ms = 5_000): Promise<unknown> {
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

function expectTimeout(e: unknown, timeoutInMs: number): RequestTimeoutError {
  if (!isRequestTimeoutError(e)) throw e;
  expect(isConnectionError(e)).toBe(true);
  expect(e.timeoutInMs).toBe(timeoutInMs);
  expect(e.message).toContain(`${timeoutInMs} ms`);
  expect(e.message).not.toContain(TEST_TOKEN);
  return e;
}

describe("no request waits forever", () => {
  it("a GET without an answer times out per attempt, is retried, then ends in RequestTimeoutError", async () => {
    const svc = await silentService();
    const started = Date.now();
    const e = expectTimeout(
      await rejection(client(svc.origin, { requestTimeoutInMs: 200 }).getIncident("42")),
      200,
    );
    expect(e.service).toBe("defender");
    expect(svc.received).toEqual(["GET", "GET", "GET"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 190);
  });

  it("a PATCH without an answer times out once and is not re-sent (it may have been applied)", async () => {
    const svc = await silentService();
    const c = client(svc.origin, { requestTimeoutInMs: 200 });
    expectTimeout(await rejection(c.updateIncident("42", { status: "active" })), 200);
    expect(svc.received).toEqual(["PATCH"]);
  });

  it("a body that stops arriving after the headers times out too", async () => {
    const svc = await stallingBodyService();
    const c = client(svc.origin, { requestTimeoutInMs: 200, retryOptions: { maxRetries: 1 } });
    expectTimeout(await rejection(c.getIncident("42")), 200);
    expect(svc.received).toEqual(["GET", "GET"]);
  });

  it("the caller's abort still wins as AbortError, not as a timeout", async () => {
    const svc = await silentService();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const e = await rejection(
      client(svc.origin, { requestTimeoutInMs: 5_000 }).getIncident("42", { abortSignal: ac.signal }),
    );
    expect(isAbortError(e)).toBe(true);
    expect(isRequestTimeoutError(e)).toBe(false);
  });

  it("an answer inside the timeout is unaffected", async () => {
    const server = await startLoopbackServer(async () => {
      await new Promise((r) => setTimeout(r, 50));
      return { response: Response.json(graphIncident) };
    });
    cleanups.push(() => server.close());
    const incident = await client(server.origin, { requestTimeoutInMs: 2_000 }).getIncident("42");
    expect(incident?.id).toBe(graphIncident.id);
  });

  it("defaults to 100 seconds", async () => {
    const svc = await silentService();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const p = rejection(client(svc.origin, { retryOptions: { maxRetries: 0 } }).getIncident("42"), 200_000);
    await vi.waitFor(() => expect(svc.received).toHaveLength(1), { interval: 5 });
    await vi.advanceTimersByTimeAsync(99_000);
    let done = false;
    void p.finally(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1_500);
    expectTimeout(await p, 100_000);
  });
});
