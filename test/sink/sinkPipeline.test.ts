/**
 * The sink's HTTP pipeline is the clients' (`createServicePipeline`): the credential comes first, client options
 * have the clients' shape, and the package's policies (retry with `maxRetryAfterInMs`, host pin, typed errors,
 * sanitized logging, rate limiting, `additionalPolicies`, `httpClient`) apply to uploads.
 */
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import {
  createDefaultHttpClient,
  type HttpClient,
  type PipelinePolicy,
  type PipelineRequest,
} from "@azure/core-rest-pipeline";
import { AzureLogger, getLogLevel, setLogLevel } from "@azure/logger";
import {
  type AlertBatchFailedEvent,
  type HttpResponseError,
  isSyncSdkError,
  LogsIngestionAlertSink,
  RateLimiter,
  type ThrottledError,
  type UntrustedHostError,
} from "defender-sentinel-sync";
import { createEmulator, type Emulator, type EmulatorServer } from "defender-sentinel-sync/testing";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fakeCredential, TEST_TOKEN } from "../helpers/credential";
import { installTestTracing, namesOf, type TestTracing } from "../helpers/otel";
import { RULE_ID, STREAM, sampleAlerts } from "./helpers";

const fast = { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 5 };

/** Wraps a credential and records the scopes of every `getToken` call. */
function recording(inner: TokenCredential): TokenCredential & { scopes: string[][] } {
  const scopes: string[][] = [];
  return {
    scopes,
    getToken: (s, options) => {
      scopes.push(Array.isArray(s) ? [...s] : [s]);
      return inner.getToken(s, options);
    },
  };
}

function failedEvents(sink: LogsIngestionAlertSink): AlertBatchFailedEvent[] {
  const events: AlertBatchFailedEvent[] = [];
  sink.on("batch.failed", (e) => events.push(e));
  return events;
}

describe("LogsIngestionAlertSink against the emulator's ingestion endpoint (loopback)", () => {
  let emu: Emulator;
  let server: EmulatorServer;
  beforeAll(async () => {
    emu = createEmulator({ incidents: 0, throttling: false });
    server = await emu.listen();
  });
  afterAll(() => server.close());
  afterEach(() => {
    emu.reset();
    emu.faults.clear();
  });

  it("takes the credential first, as DefenderClient and SentinelClient, and uploads end to end", async () => {
    const credential = recording(emu.credential);
    const sink = new LogsIngestionAlertSink(credential, {
      endpoint: server.url,
      ruleId: RULE_ID,
      streamName: STREAM,
      retryOptions: fast,
    });
    const alerts = sampleAlerts(5);
    const result = await sink.uploadAlerts(alerts);
    expect(result.failed).toEqual([]);
    expect(result.uploaded.map((k) => k.alertId)).toEqual(alerts.map((a) => a.id));
    expect(emu.logs.count(STREAM, RULE_ID)).toBe(5);
    expect(credential.scopes[0]).toEqual(["https://monitor.azure.com/.default"]);
    const [request] = emu.logs.requests();
    expect(request!.gzip).toBe(true);
    expect(sink.stats()).toMatchObject({ requests: 1, rowsUploaded: 5, rowsFailed: 0 });
  });

  it("credentialScopes replaces the default audience (sovereign clouds)", async () => {
    const credential = recording(emu.credential);
    const sink = new LogsIngestionAlertSink(credential, {
      endpoint: server.url,
      ruleId: RULE_ID,
      streamName: STREAM,
      credentialScopes: ["https://monitor.azure.us/.default"],
    });
    await sink.uploadAlerts(sampleAlerts(1));
    expect(credential.scopes[0]).toEqual(["https://monitor.azure.us/.default"]);
  });

  it("a credential that cannot get a token is an AuthenticationError, asked once (not retried)", async () => {
    let calls = 0;
    const broken: TokenCredential = {
      async getToken(): Promise<AccessToken | null> {
        calls++;
        throw Object.assign(new Error("AADSTS7000215: Invalid client secret provided."), {
          name: "AuthenticationError",
        });
      },
    };
    const sink = new LogsIngestionAlertSink(broken, {
      endpoint: server.url,
      ruleId: RULE_ID,
      streamName: STREAM,
      retryOptions: fast,
    });
    const events = failedEvents(sink);
    const result = await sink.uploadAlerts(sampleAlerts(2));
    expect(result.failed).toHaveLength(2);
    expect(isSyncSdkError(events[0]!.error)).toBe(true);
    expect((events[0]!.error as Error).name).toBe("AuthenticationError");
    expect((events[0]!.error as Error).message).toContain("https://monitor.azure.com/.default");
    expect(calls).toBe(1);
    expect(emu.logs.count()).toBe(0);
  });

  it("additionalPolicies see the sink's requests: perCall once per request, perRetry on every attempt", async () => {
    const perCall: PipelineRequest[] = [];
    const perRetry: { url: string; encoding: string | undefined }[] = [];
    const callPolicy: PipelinePolicy = {
      name: "testPerCall",
      sendRequest: (request, next) => {
        perCall.push(request);
        request.headers.set("x-test-tag", "sink");
        return next(request);
      },
    };
    const retryPolicy: PipelinePolicy = {
      name: "testPerRetry",
      sendRequest: (request, next) => {
        perRetry.push({ url: request.url, encoding: request.headers.get("content-encoding") });
        return next(request);
      },
    };
    const sink = new LogsIngestionAlertSink(emu.credential, {
      endpoint: server.url,
      ruleId: RULE_ID,
      streamName: STREAM,
      retryOptions: fast,
      additionalPolicies: [
        { policy: callPolicy, position: "perCall" },
        { policy: retryPolicy, position: "perRetry" },
      ],
    });
    emu.faults.script({ service: "logsIngestion", times: 1, fault: 500 });
    const result = await sink.uploadAlerts(sampleAlerts(3));
    expect(result.failed).toEqual([]);
    expect(perCall).toHaveLength(1);
    expect(perRetry).toHaveLength(2);
    for (const attempt of perRetry) {
      expect(new URL(attempt.url).origin).toBe(new URL(server.url).origin);
      expect(attempt.url).toContain(`/dataCollectionRules/${RULE_ID}/streams/${STREAM}`);
      expect(attempt.encoding).toBe("gzip");
    }
    expect(perCall[0]!.headers.get("x-test-tag")).toBe("sink");
    expect(sink.stats().requests).toBe(2);
  });

  it("maxRetryAfterInMs: a Retry-After beyond it ends the batch with ThrottledError at once", async () => {
    const sink = new LogsIngestionAlertSink(emu.credential, {
      endpoint: server.url,
      ruleId: RULE_ID,
      streamName: STREAM,
      retryOptions: { ...fast, maxRetryAfterInMs: 1_000 },
    });
    emu.faults.script({
      service: "logsIngestion",
      times: 1,
      fault: { kind: "status", status: 429, retryAfterSeconds: 120 },
    });
    const events = failedEvents(sink);
    const started = Date.now();
    const result = await sink.uploadAlerts(sampleAlerts(1));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.failed).toHaveLength(1);
    expect((events[0]!.error as Error).name).toBe("ThrottledError");
    expect((events[0]!.error as ThrottledError).retryAfterInMs).toBe(120_000);
    expect(events[0]).toMatchObject({ status: 429, retryable: true });
    expect(sink.stats().requests).toBe(1);
  });

  it("httpClient is the transport of the uploads", async () => {
    const inner = createDefaultHttpClient();
    const sent: string[] = [];
    const httpClient: HttpClient = {
      sendRequest: (request) => {
        sent.push(`${request.method} ${new URL(request.url).pathname}`);
        return inner.sendRequest(request);
      },
    };
    const sink = new LogsIngestionAlertSink(emu.credential, {
      endpoint: server.url,
      ruleId: RULE_ID,
      streamName: STREAM,
      httpClient,
    });
    const result = await sink.uploadAlerts(sampleAlerts(2));
    expect(result.failed).toEqual([]);
    expect(sent).toEqual([`POST /dataCollectionRules/${RULE_ID}/streams/${STREAM}`]);
    expect(emu.logs.count(STREAM)).toBe(2);
  });

  it("rateLimit: a shared RateLimiter holds uploads back (counted as client waits)", async () => {
    const limiter = new RateLimiter({ read: { capacity: 1, refillPerSecond: 20 } });
    const sink = new LogsIngestionAlertSink(emu.credential, {
      endpoint: server.url,
      ruleId: RULE_ID,
      streamName: STREAM,
      rateLimit: limiter,
    });
    for (let i = 0; i < 3; i++) {
      const result = await sink.uploadAlerts(sampleAlerts(1).map((a) => ({ ...a, id: `limited-${i}` })));
      expect(result.failed).toEqual([]);
    }
    expect(sink.metrics.snapshot().rateLimitWaitInMs).toBeGreaterThan(0);
  });

  it("logs requests through the package logger with the token redacted", async () => {
    const previous = getLogLevel();
    const originalLog = AzureLogger.log;
    const lines: string[] = [];
    AzureLogger.log = (...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    };
    setLogLevel("info");
    try {
      const sink = new LogsIngestionAlertSink(fakeCredential(), {
        endpoint: server.url,
        ruleId: RULE_ID,
        streamName: STREAM,
      });
      await sink.uploadAlerts(sampleAlerts(1));
    } finally {
      setLogLevel(previous);
      AzureLogger.log = originalLog;
    }
    const requestLines = lines.filter(
      (l) => l.includes("defender-sentinel-sync") && l.includes("dataCollectionRules"),
    );
    expect(requestLines.length).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toContain(TEST_TOKEN);
    expect(requestLines.join("\n")).toContain("REDACTED");
  });
});

describe("tracing", () => {
  let tracing: TestTracing;
  let emu: Emulator;
  let server: EmulatorServer;
  beforeAll(async () => {
    tracing = installTestTracing();
    emu = createEmulator({ incidents: 0, throttling: false });
    server = await emu.listen();
  });
  afterAll(async () => {
    await server.close();
    await tracing.shutdown();
  });

  it("uploadAlerts is a span of ours with core's HTTP spans (one per attempt) as its children", async () => {
    const sink = new LogsIngestionAlertSink(emu.credential, {
      endpoint: server.url,
      ruleId: RULE_ID,
      streamName: STREAM,
      retryOptions: fast,
    });
    emu.faults.script({ service: "logsIngestion", times: 1, fault: 500 });
    const result = await sink.uploadAlerts(sampleAlerts(2));
    expect(result.failed).toEqual([]);
    expect(namesOf(tracing.spanTree())).toEqual([
      [
        "LogsIngestionAlertSink.uploadAlerts",
        [
          ["HTTP POST", []],
          ["HTTP POST", []],
        ],
      ],
    ]);
    expect(tracing.spanTree()[0]!.attributes).toMatchObject({ "defender_sentinel_sync.alert_sink.rows": 2 });
  });
});

describe("tokens only go to the configured endpoint's host (msw)", () => {
  const DCE = "https://my-dce-a1b2.westeurope-1.ingest.monitor.azure.com";
  const EVIL = "https://evil.example.net";
  const emu = createEmulator({ incidents: 0, throttling: false });
  const elsewhere: { url: string; authorization: string | null }[] = [];
  const server = setupServer(
    ...emu.handlers,
    http.all(`${EVIL}/*`, ({ request }) => {
      elsewhere.push({ url: request.url, authorization: request.headers.get("authorization") });
      return new HttpResponse(null, { status: 204 });
    }),
  );
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => {
    server.resetHandlers();
    elsewhere.length = 0;
  });
  afterAll(() => server.close());

  const newSink = (
    options: { additionalPolicies?: { policy: PipelinePolicy; position: "perCall" | "perRetry" }[] } = {},
  ) =>
    new LogsIngestionAlertSink(fakeCredential(), {
      endpoint: DCE,
      ruleId: RULE_ID,
      streamName: STREAM,
      retryOptions: fast,
      ...options,
    });

  it("a redirect to another host is not followed: the batch fails with a typed error, nothing reaches it", async () => {
    server.use(
      http.post(
        `${DCE}/dataCollectionRules/:rule/streams/:stream`,
        () => new HttpResponse(null, { status: 307, headers: { Location: `${EVIL}/steal` } }),
      ),
    );
    const sink = newSink();
    const events = failedEvents(sink);
    const result = await sink.uploadAlerts(sampleAlerts(2));
    expect(result.uploaded).toEqual([]);
    expect(result.failed).toHaveLength(2);
    expect(isSyncSdkError(events[0]!.error)).toBe(true);
    expect((events[0]!.error as HttpResponseError).statusCode).toBe(307);
    expect(elsewhere).toEqual([]);
  });

  it.each(["perCall", "perRetry"] as const)(
    "a %s policy that points the upload elsewhere is refused with UntrustedHostError before it is sent",
    async (position) => {
      const hijack: PipelinePolicy = {
        name: "hijack",
        sendRequest: (request, next) => {
          request.url = request.url.replace(DCE, EVIL);
          return next(request);
        },
      };
      const sink = newSink({ additionalPolicies: [{ policy: hijack, position }] });
      const events = failedEvents(sink);
      const result = await sink.uploadAlerts(sampleAlerts(1));
      expect(result.failed).toHaveLength(1);
      expect((events[0]!.error as Error).name).toBe("UntrustedHostError");
      expect((events[0]!.error as UntrustedHostError).allowedOrigin).toBe(DCE);
      expect((events[0]!.error as Error).message).not.toContain(TEST_TOKEN);
      expect(elsewhere).toEqual([]);
      expect(emu.logs.count()).toBe(0);
    },
  );
});
