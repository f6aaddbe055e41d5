import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { isResponseTooLargeError, isResponseValidationError } from "../../src/core/errors";
import {
  DefenderClient,
  type DefenderClientOptions,
  type ResponseTooLargeError,
  SentinelClient,
} from "../../src/index";
import { startLoopbackServer } from "../../src/testing/loopbackServer";
import { fakeCredential, TEST_TOKEN } from "../helpers/credential";
import { readJson } from "../helpers/fixtures";

const graphIncident = readJson<Record<string, unknown>>(
  "graph/examples/security-incident-get.1.response.json",
);
const CAP = 4 * 1024;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const client = (origin: string, options: DefenderClientOptions = {}) =>
  new DefenderClient(fakeCredential(), {
    rateLimit: false,
    endpoint: `${origin}/v1.0`,
    retryOptions: { retryDelayInMs: 1, maxRetries: 2 },
    maxResponseBytes: CAP,
    ...options,
  });

/** A loopback service answering every request with `body` (content-length set), counting requests. */
async function serve(body: unknown, status = 200): Promise<{ origin: string; received: () => number }> {
  let received = 0;
  const server = await startLoopbackServer(async () => {
    received++;
    return { response: Response.json(body, { status }) };
  });
  cleanups.push(() => server.close());
  return { origin: server.origin, received: () => received };
}

/** A raw server that streams JSON without content-length, 1 KiB every few ms, until the client hangs up. */
async function endlessStream(): Promise<{ origin: string; sent: () => number; closed: Promise<void> }> {
  let sent = 0;
  let onClosed!: () => void;
  const closed = new Promise<void>((r) => {
    onClosed = r;
  });
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"id": "42", "description": "');
    const timer = setInterval(() => {
      sent += 1024;
      res.write("x".repeat(1024));
    }, 2);
    res.on("close", () => {
      clearInterval(timer);
      onClosed();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sent: () => sent, closed };
}

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

function expectTooLarge(e: unknown): ResponseTooLargeError {
  if (!isResponseTooLargeError(e)) throw e;
  expect(isResponseValidationError(e)).toBe(true);
  expect(e.maxResponseBytes).toBe(CAP);
  expect(e.message).toContain(String(CAP));
  expect(e.message).not.toContain(TEST_TOKEN);
  expect(JSON.stringify(e.request)).not.toContain(TEST_TOKEN);
  return e;
}

describe("a response larger than maxResponseBytes is refused", () => {
  it("by its content-length, without reading the body, and is not retried", async () => {
    const big = { ...graphIncident, description: "x".repeat(3 * CAP) };
    const svc = await serve(big);
    const e = expectTooLarge(await rejection(client(svc.origin).getIncident("42")));
    expect(e.declaredBytes).toBeGreaterThan(3 * CAP);
    expect(e.receivedBytes).toBe(0);
    expect(e.statusCode).toBe(200);
    expect(svc.received()).toBe(1);
  });

  it("while streaming, when no content-length announces it: the read stops near the cap", async () => {
    const svc = await endlessStream();
    const e = expectTooLarge(await rejection(client(svc.origin).getIncident("42")));
    expect(e.declaredBytes).toBeUndefined();
    expect(e.receivedBytes).toBeGreaterThan(CAP);
    expect(e.receivedBytes).toBeLessThan(CAP + 64 * 1024);
    await svc.closed;
    // The client hung up instead of buffering the endless body.
    expect(svc.sent()).toBeLessThan(1024 * 1024);
  });

  it("an error body over the cap is refused too (SentinelClient)", async () => {
    const svc = await serve({ error: { code: "InternalServerError", message: "y".repeat(2 * CAP) } }, 400);
    const sentinel = new SentinelClient(fakeCredential(), {
      rateLimit: false,
      endpoint: svc.origin,
      subscriptionId: "d0cfe6b2-9ac0-4464-9919-dccaee2e48c0",
      resourceGroupName: "myRg",
      workspaceName: "myWorkspace",
      maxResponseBytes: CAP,
    });
    const e = expectTooLarge(await rejection(sentinel.getIncident("73e01a99-5cd7-4139-a149-9f2736ff2ab5")));
    expect(e.service).toBe("sentinel");
    expect(e.statusCode).toBe(400);
  });

  it("a response under the cap is read normally", async () => {
    const svc = await serve(graphIncident);
    expect((await client(svc.origin).getIncident("42"))?.id).toBe(graphIncident.id);
  });

  it("without the option, a 2 MiB response is read and a declared 65 MiB one is refused (default 64 MiB)", async () => {
    const svc = await serve({ ...graphIncident, description: "x".repeat(2 * 1024 * 1024) });
    const incident = await client(svc.origin, { maxResponseBytes: undefined }).getIncident("42");
    expect(incident?.description).toHaveLength(2 * 1024 * 1024);

    // Headers announcing 65 MiB, and no body at all: refused on the announcement alone.
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(65 * 1024 * 1024) });
      res.flushHeaders();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const e = await rejection(client(origin, { maxResponseBytes: undefined }).getIncident("42"));
    if (!isResponseTooLargeError(e)) throw e;
    expect(e.maxResponseBytes).toBe(64 * 1024 * 1024);
    expect(e.declaredBytes).toBe(65 * 1024 * 1024);
  });
});
