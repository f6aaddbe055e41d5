import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { isConnectionError, isRequestTimeoutError } from "../../src/core/errors";
import { type ConnectionError, DefenderClient, SentinelClient } from "../../src/index";
import { type LoopbackServer, startLoopbackServer } from "../../src/testing/loopbackServer";
import { fakeCredential, TEST_TOKEN } from "../helpers/credential";
import { readJson } from "../helpers/fixtures";

const SUB = "d0cfe6b2-9ac0-4464-9919-dccaee2e48c0";
const INCIDENT_NAME = "73e01a99-5cd7-4139-a149-9f2736ff2ab5";
const COMMENT_ID = "4bb36b7b-26ff-4d1c-9cbe-0d8ab3da0014";
const FAST = { rateLimit: false, retryOptions: { retryDelayInMs: 1, maxRetries: 2 } } as const;

const graphIncident = readJson<Record<string, unknown>>(
  "graph/examples/security-incident-update.1.response.json",
);
const graphComments = readJson<Record<string, unknown>>(
  "graph/examples/security-incident-post-comments.1.response.json",
);
const armComment = readJson<{ responses: Record<string, { body: unknown }> }>(
  "sentinel/examples/incidents/comments/CreateIncidentComment.json",
).responses["200"]!.body;

/** What the loopback service does with each request: answer, or store it and then drop the socket. */
type Behaviour =
  | { kind: "answer"; status?: number; body?: unknown; headers?: Record<string, string> }
  | {
      kind: "storeThenReset";
    };

interface Fake {
  server: LoopbackServer;
  /** Every request that reached the service ("METHOD /path"), including the ones it dropped. */
  stored: string[];
}

let fake: Fake | undefined;
afterEach(async () => {
  await fake?.server.close();
  fake = undefined;
});

/** Starts a loopback service that behaves as `script` says for the n-th request (the last entry repeats). */
async function startFake(script: Behaviour[]): Promise<Fake> {
  const stored: string[] = [];
  const server = await startLoopbackServer(async (request) => {
    stored.push(`${request.method} ${new URL(request.url).pathname}`);
    const b = script[Math.min(stored.length - 1, script.length - 1)]!;
    if (b.kind === "storeThenReset") return { response: new Response(null), reset: true };
    return {
      response: new Response(b.body === undefined ? null : JSON.stringify(b.body), {
        status: b.status ?? 200,
        headers: { "content-type": "application/json", ...b.headers },
      }),
    };
  });
  fake = { server, stored };
  return fake;
}

const defender = (f: Fake) =>
  new DefenderClient(fakeCredential(), { ...FAST, endpoint: `${f.server.origin}/v1.0` });
const sentinel = (f: Fake) =>
  new SentinelClient(fakeCredential(), {
    ...FAST,
    endpoint: f.server.origin,
    subscriptionId: SUB,
    resourceGroupName: "myRg",
    workspaceName: "myWorkspace",
  });

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

function expectConnectionError(e: unknown): ConnectionError {
  if (!isConnectionError(e)) throw e;
  expect(isRequestTimeoutError(e)).toBe(false);
  expect(e.message).not.toContain(TEST_TOKEN);
  expect(inspect(e, { depth: 8 })).not.toContain(TEST_TOKEN);
  return e;
}

describe("a write the service stored before the connection dropped is not re-sent", () => {
  it("PATCH (DefenderClient.updateIncident): exactly one request reaches the service", async () => {
    const f = await startFake([{ kind: "storeThenReset" }]);
    const e = expectConnectionError(await caught(defender(f).updateIncident("42", { status: "resolved" })));
    expect(f.stored).toEqual(["PATCH /v1.0/security/incidents/42"]);
    expect(e.service).toBe("defender");
    expect(e.request?.method).toBe("PATCH");
    expect(e.message).toMatch(/not resent/);
  });

  it("POST (DefenderClient.addIncidentComment): exactly one request reaches the service", async () => {
    const f = await startFake([{ kind: "storeThenReset" }]);
    const client = defender(f);
    expectConnectionError(await caught(client.addIncidentComment("42", "Checked the proxy logs.")));
    expect(f.stored).toEqual(["POST /v1.0/security/incidents/42/comments"]);
    expect(client.metrics.snapshot().requests).toBe(1);
  });
});

describe("what the service did not process is still retried", () => {
  it("a POST answered 429 with Retry-After, then 503 with Retry-After, is sent again", async () => {
    const f = await startFake([
      {
        kind: "answer",
        status: 429,
        headers: { "retry-after": "0" },
        body: { error: { code: "TooManyRequests" } },
      },
      {
        kind: "answer",
        status: 503,
        headers: { "retry-after": "0" },
        body: { error: { code: "Unavailable" } },
      },
      { kind: "answer", body: graphComments },
    ]);
    const comments = await defender(f).addIncidentComment("42", "Checked the proxy logs.");
    expect(comments).toHaveLength(2);
    expect(f.stored).toHaveLength(3);
  });

  it("an idempotent GET is retried after a reset", async () => {
    const f = await startFake([{ kind: "storeThenReset" }, { kind: "answer", body: graphIncident }]);
    expect((await defender(f).getIncident("42"))?.id).toBe(graphIncident.id);
    expect(f.stored).toHaveLength(2);
  });

  it("an idempotent PUT (SentinelClient.createIncidentComment) is retried after a reset", async () => {
    const f = await startFake([{ kind: "storeThenReset" }, { kind: "answer", body: armComment }]);
    await sentinel(f).createIncidentComment(INCIDENT_NAME, COMMENT_ID, "Some message");
    expect(f.stored.map((s) => s.split(" ")[0])).toEqual(["PUT", "PUT"]);
  });

  it("a read-only POST (SentinelClient.listIncidentAlerts) is retried after a reset", async () => {
    const f = await startFake([{ kind: "storeThenReset" }, { kind: "answer", body: { value: [] } }]);
    expect(await sentinel(f).listIncidentAlerts(INCIDENT_NAME)).toEqual([]);
    expect(f.stored).toHaveLength(2);
  });

  it("a POST whose connection was refused (nothing sent) is retried", async () => {
    const f = await startFake([{ kind: "answer", body: graphComments }]);
    const client = defender(f);
    await f.server.close();
    expectConnectionError(await caught(client.addIncidentComment("42", "Checked the proxy logs.")));
    expect(client.metrics.snapshot().requests).toBe(3);
  });
});
