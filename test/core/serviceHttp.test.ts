import { inspect } from "node:util";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { delay, HttpResponse, http } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { CommonClientOptions } from "../../src/core/clientOptions";
import { parseEndpoint } from "../../src/core/endpoint";
import {
  type HttpResponseError,
  isAbortError,
  isAuthenticationError,
  isAuthorizationError,
  isBadRequestError,
  isConflictError,
  isConnectionError,
  isHttpResponseError,
  isNotFoundError,
  isResponseValidationError,
  isServiceUnavailableError,
  isThrottledError,
  isUntrustedHostError,
  type ResponseValidationError,
  type ThrottledError,
} from "../../src/core/errors";
import { RequestMetrics, type ThrottleInfo } from "../../src/core/metrics";
import { createServicePipeline } from "../../src/core/pipeline";
import { GRAPH_RATE_LIMITS, RateLimiter } from "../../src/core/rateLimiter";
import { ServiceHttp } from "../../src/core/serviceHttp";
import { fakeCredential, TEST_TOKEN } from "../helpers/credential";
import { GRAPH_BASE, server, useMswServer } from "../helpers/msw";

const recorder = useMswServer();
afterEach(() => {
  vi.useRealTimers();
});

const FAST: CommonClientOptions = { rateLimit: false, retryOptions: { retryDelayInMs: 1, maxRetries: 2 } };

function makeHttp(options: CommonClientOptions = {}) {
  const endpointUrl = parseEndpoint(options.endpoint ?? GRAPH_BASE);
  const metrics = new RequestMetrics("defender");
  const credential = fakeCredential();
  const pipeline = createServicePipeline({
    ...FAST,
    ...options,
    service: "defender",
    endpointUrl,
    credential,
    defaultRateLimits: GRAPH_RATE_LIMITS,
    metrics,
  });
  return { http: new ServiceHttp("defender", endpointUrl, pipeline), metrics, credential };
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

const thing = z.object({ id: z.string(), count: z.number() });
const URL_THING = `${GRAPH_BASE}/things/1`;

describe("ServiceHttp.url", () => {
  it("encodes query values with %20 (not +) and keeps `$` in OData option names", () => {
    const { http: svc } = makeHttp();
    const url = svc.url("/security/incidents", {
      $filter: "lastUpdateDateTime ge 2024-01-01T00:00:00.0000000Z and assignedTo eq 'a+b@contoso.com'",
      $top: 50,
      skipped: undefined,
    });
    expect(url).toBe(
      "https://graph.microsoft.com/v1.0/security/incidents?$filter=lastUpdateDateTime%20ge%202024-01-01T00%3A00%3A00.0000000Z%20and%20assignedTo%20eq%20'a%2Bb%40contoso.com'&$top=50",
    );
    expect(new URL(url).searchParams.get("$filter")).toContain("'a+b@contoso.com'");
  });
});

describe("ServiceHttp.send", () => {
  it("sends the bearer token for the endpoint's scope and parses the body", async () => {
    server.use(
      http.get(URL_THING, () =>
        HttpResponse.json({ id: "1", count: 2 }, { headers: { "request-id": "rid-1" } }),
      ),
    );
    const { http: svc, credential } = makeHttp({ userAgentPrefix: "my-app/2.0" });
    const res = await svc.send({ method: "GET", url: URL_THING, schema: thing });
    expect(res.body).toEqual({ id: "1", count: 2 });
    expect(res.requestId).toBe("rid-1");
    expect(credential.calls[0]).toEqual(["https://graph.microsoft.com/.default"]);
    const [req] = recorder.requests;
    expect(req?.headers.authorization).toBe(`Bearer ${TEST_TOKEN}`);
    expect(req?.headers.accept).toBe("application/json");
    expect(req?.headers["user-agent"]).toMatch(/^my-app\/2\.0 defender-sentinel-sync\/\d/);
  });

  it("honours credentialScopes", async () => {
    server.use(http.get(URL_THING, () => HttpResponse.json({ id: "1", count: 2 })));
    const { http: svc, credential } = makeHttp({ credentialScopes: ["api://custom/.default"] });
    await svc.send({ method: "GET", url: URL_THING, schema: thing });
    expect(credential.calls[0]).toEqual(["api://custom/.default"]);
  });

  it("serializes a JSON body with content-type, and returns no body for 204", async () => {
    let seen: { contentType: string | null; body: unknown } | undefined;
    server.use(
      http.post(URL_THING, async ({ request }) => {
        seen = { contentType: request.headers.get("content-type"), body: await request.json() };
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { http: svc } = makeHttp();
    const res = await svc.send({ method: "POST", url: URL_THING, body: { a: [1, "two"] }, schema: thing });
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect(seen).toEqual({ contentType: "application/json", body: { a: [1, "two"] } });
  });

  it.each([
    [400, isBadRequestError],
    [401, isAuthenticationError],
    [403, isAuthorizationError],
    [404, isNotFoundError],
    [409, isConflictError],
  ] as const)(
    "maps %i to its typed error without retrying, keeping the service code and message",
    async (status, guard) => {
      server.use(
        http.get(URL_THING, () =>
          HttpResponse.json(
            { error: { code: `Code${status}`, message: `message ${status}` } },
            { status, headers: { "x-ms-request-id": "req-9" } },
          ),
        ),
      );
      const { http: svc } = makeHttp();
      const e = (await caught(
        svc.send({ method: "GET", url: URL_THING, schema: thing }),
      )) as HttpResponseError;
      expect(guard(e)).toBe(true);
      expect(e.statusCode).toBe(status);
      expect(e.code).toBe(`Code${status}`);
      expect(e.message).toContain(`message ${status}`);
      expect(e.requestId).toBe("req-9");
      expect(e.details).toEqual({ error: { code: `Code${status}`, message: `message ${status}` } });
      expect(recorder.requests).toHaveLength(1);
    },
  );

  it("maps an unlisted status to a plain HttpResponseError", async () => {
    server.use(http.get(URL_THING, () => HttpResponse.text("gone", { status: 410 })));
    const { http: svc } = makeHttp();
    const e = (await caught(svc.send({ method: "GET", url: URL_THING }))) as HttpResponseError;
    expect(e.name).toBe("HttpResponseError");
    expect(isHttpResponseError(e)).toBe(true);
    expect(e.statusCode).toBe(410);
    expect(e.details).toBeUndefined();
  });

  it("accepts a listed non-2xx status without a body", async () => {
    server.use(
      http.get(URL_THING, () => HttpResponse.json({ error: { code: "NotFound" } }, { status: 404 })),
    );
    const { http: svc } = makeHttp();
    const res = await svc.send({ method: "GET", url: URL_THING, schema: thing, acceptStatuses: [404] });
    expect(res).toMatchObject({ status: 404, body: undefined });
  });

  it("retries 5xx and ends in ServiceUnavailableError", async () => {
    server.use(
      http.get(URL_THING, () =>
        HttpResponse.json({ error: { code: "InternalServerError" } }, { status: 500 }),
      ),
    );
    const { http: svc, metrics } = makeHttp();
    const e = await caught(svc.send({ method: "GET", url: URL_THING }));
    expect(isServiceUnavailableError(e)).toBe(true);
    expect(recorder.requests).toHaveLength(3);
    expect(metrics.snapshot()).toMatchObject({ requests: 3, serverErrors: 3 });
  });

  it("backs off on a 429 without Retry-After and ends in ThrottledError", async () => {
    server.use(
      http.get(URL_THING, () => HttpResponse.json({ error: { code: "TooManyRequests" } }, { status: 429 })),
    );
    const { http: svc, metrics } = makeHttp();
    const e = (await caught(svc.send({ method: "GET", url: URL_THING }))) as ThrottledError;
    expect(isThrottledError(e)).toBe(true);
    expect(e.retryAfterInMs).toBeUndefined();
    expect(recorder.requests).toHaveLength(3);
    expect(metrics.snapshot().throttledResponses).toBe(3);
  });

  it("keeps the server's Retry-After on the ThrottledError when retries run out", async () => {
    server.use(
      http.get(URL_THING, () => new HttpResponse(null, { status: 429, headers: { "retry-after-ms": "5" } })),
    );
    const { http: svc, metrics } = makeHttp();
    const throttles: ThrottleInfo[] = [];
    metrics.onThrottle((info) => throttles.push(info));
    const e = (await caught(svc.send({ method: "GET", url: URL_THING }))) as ThrottledError;
    expect(isThrottledError(e)).toBe(true);
    expect(e.retryAfterInMs).toBe(5);
    expect(recorder.requests).toHaveLength(3);
    expect(throttles).toHaveLength(3);
    expect(throttles[0]).toEqual({ service: "defender", source: "server", waitInMs: 5, method: "GET" });
  });

  it("waits the Retry-After of a 503 before the next attempt", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let calls = 0;
    server.use(
      http.get(URL_THING, () => {
        calls++;
        return calls === 1
          ? new HttpResponse(null, { status: 503, headers: { "Retry-After": "2" } })
          : HttpResponse.json({ id: "1", count: 1 });
      }),
    );
    const { http: svc, metrics } = makeHttp();
    const events: ThrottleInfo[] = [];
    metrics.onThrottle((info) => events.push(info));
    const p = svc.send({ method: "GET", url: URL_THING, schema: thing });
    await vi.advanceTimersByTimeAsync(1990);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(20);
    expect(calls).toBe(2);
    await expect(p).resolves.toMatchObject({ body: { id: "1" } });
    expect(metrics.snapshot().serverErrors).toBe(1);
    expect(events).toEqual([]);
  });

  it("turns a non-JSON 200 into ResponseValidationError at the root", async () => {
    server.use(
      http.get(URL_THING, () =>
        HttpResponse.text('{"id": "1", "count": ', { headers: { "content-type": "application/json" } }),
      ),
    );
    const { http: svc } = makeHttp();
    const e = (await caught(
      svc.send({ method: "GET", url: URL_THING, schema: thing }),
    )) as ResponseValidationError;
    expect(isResponseValidationError(e)).toBe(true);
    expect(e.statusCode).toBe(200);
    expect(e.issues).toEqual([{ path: "", message: expect.stringContaining("not valid JSON") }]);
  });

  it("turns a 200 that fails the schema into ResponseValidationError naming the paths", async () => {
    server.use(http.get(URL_THING, () => HttpResponse.json({ id: 1, count: "many" })));
    const { http: svc } = makeHttp();
    const e = (await caught(
      svc.send({ method: "GET", url: URL_THING, schema: thing }),
    )) as ResponseValidationError;
    expect(isResponseValidationError(e)).toBe(true);
    expect(e.issues.map((i) => i.path).sort()).toEqual(["count", "id"]);
    expect(e.message).toMatch(/id/);
  });

  it("does not follow a redirect, so the token cannot travel with it", async () => {
    server.use(
      http.get(
        URL_THING,
        () => new HttpResponse(null, { status: 302, headers: { location: "https://evil.example.com/x" } }),
      ),
      http.get("https://evil.example.com/x", () => HttpResponse.json({ id: "1", count: 1 })),
    );
    const { http: svc } = makeHttp();
    const e = (await caught(svc.send({ method: "GET", url: URL_THING, schema: thing }))) as HttpResponseError;
    expect(isHttpResponseError(e)).toBe(true);
    expect(e.statusCode).toBe(302);
    expect(recorder.to("evil.example.com")).toHaveLength(0);
  });

  it("refuses a URL on another origin before sending anything", async () => {
    server.use(http.get("https://evil.example.com/x", () => HttpResponse.json({})));
    const { http: svc, credential } = makeHttp();
    const e = await caught(svc.send({ method: "GET", url: "https://evil.example.com/x?$skipToken=abc" }));
    expect(isUntrustedHostError(e)).toBe(true);
    expect(recorder.requests).toHaveLength(0);
    expect(credential.calls).toHaveLength(0);
    // Same host, other scheme or port is another origin too.
    expect(
      isUntrustedHostError(
        await caught(svc.send({ method: "GET", url: "https://graph.microsoft.com:8443/v1.0/x" })),
      ),
    ).toBe(true);
  });

  it("blocks a request whose URL a policy rewrote to another host (host pin after signing)", async () => {
    server.use(http.get("https://evil.example.com/x", () => HttpResponse.json({})));
    const rewrite: PipelinePolicy = {
      name: "rewrite",
      sendRequest(request, next) {
        request.url = "https://evil.example.com/x";
        return next(request);
      },
    };
    const { http: svc } = makeHttp({ additionalPolicies: [{ policy: rewrite, position: "perRetry" }] });
    const e = await caught(svc.send({ method: "GET", url: URL_THING }));
    expect(isUntrustedHostError(e)).toBe(true);
    expect(recorder.to("evil.example.com")).toHaveLength(0);
  });

  it("reports a network failure as ConnectionError after retries, without the token anywhere", async () => {
    server.use(http.get(URL_THING, () => HttpResponse.error()));
    const { http: svc } = makeHttp();
    const e = await caught(svc.send({ method: "GET", url: URL_THING }));
    expect(isConnectionError(e)).toBe(true);
    expect(JSON.stringify(e)).not.toContain(TEST_TOKEN);
    expect((e as Error).message).not.toContain(TEST_TOKEN);
    expect(inspect(e, { depth: 8 })).not.toContain(TEST_TOKEN);
  });

  it("rejects with AbortError when aborted before sending, and sends nothing", async () => {
    const { http: svc } = makeHttp();
    const ac = new AbortController();
    ac.abort();
    const e = await caught(svc.send({ method: "GET", url: URL_THING, abortSignal: ac.signal }));
    expect(isAbortError(e)).toBe(true);
    expect(recorder.requests).toHaveLength(0);
  });

  it("rejects with AbortError when aborted while the response is pending", async () => {
    const ac = new AbortController();
    server.use(
      http.get(URL_THING, async () => {
        ac.abort();
        await delay(1_000);
        return HttpResponse.json({ id: "1", count: 1 });
      }),
    );
    const { http: svc } = makeHttp();
    const started = Date.now();
    const e = await caught(
      svc.send({ method: "GET", url: URL_THING, schema: thing, abortSignal: ac.signal }),
    );
    expect(isAbortError(e)).toBe(true);
    // Rejected as soon as the signal fired, not when the (1 s) response would have arrived.
    expect(Date.now() - started).toBeLessThan(800);
  });

  it("talks plain http to a loopback emulator, still with the bearer token", async () => {
    server.use(
      http.get("http://127.0.0.1:7777/v1.0/things/1", () => HttpResponse.json({ id: "1", count: 1 })),
    );
    const { http: svc } = makeHttp({ endpoint: "http://127.0.0.1:7777/v1.0" });
    const res = await svc.send({ method: "GET", url: svc.url("/things/1"), schema: thing });
    expect(res.body?.id).toBe("1");
    expect(recorder.requests[0]?.headers.authorization).toBe(`Bearer ${TEST_TOKEN}`);
  });
});

describe("client-side rate limiting", () => {
  it("makes the request wait for budget instead of sending it, and reports the wait", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    server.use(http.get(URL_THING, () => HttpResponse.json({ id: "1", count: 1 })));
    const limiter = new RateLimiter({ read: { capacity: 1, refillPerSecond: 2 } });
    const { http: svc, metrics } = makeHttp({ rateLimit: limiter });
    const events: ThrottleInfo[] = [];
    metrics.onThrottle((info) => events.push(info));
    await svc.send({ method: "GET", url: URL_THING, schema: thing });
    expect(recorder.requests).toHaveLength(1);
    const second = svc.send({ method: "GET", url: URL_THING, schema: thing });
    await vi.advanceTimersByTimeAsync(450);
    expect(recorder.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60);
    await second;
    expect(recorder.requests).toHaveLength(2);
    expect(metrics.snapshot().rateLimitWaitInMs).toBe(500);
    expect(events).toEqual([{ service: "defender", source: "client", waitInMs: 500, method: "GET" }]);
  });

  it("one shared RateLimiter spends a single budget across clients", async () => {
    server.use(http.get(URL_THING, () => HttpResponse.json({ id: "1", count: 1 })));
    const limiter = new RateLimiter({ read: { capacity: 5, refillPerSecond: 0.001 } });
    const a = makeHttp({ rateLimit: limiter });
    const b = makeHttp({ rateLimit: limiter });
    await a.http.send({ method: "GET", url: URL_THING });
    await b.http.send({ method: "GET", url: URL_THING });
    expect(limiter.bucket("read").available()).toBeCloseTo(3, 1);
  });
});
