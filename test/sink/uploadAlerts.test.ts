import type { TokenCredential } from "@azure/core-auth";
import {
  type AlertBatchFailedEvent,
  type AlertKey,
  createAlertRowMapper,
  type DefenderAlert,
  LogsIngestionAlertSink,
} from "defender-sentinel-sync";
import { createEmulator } from "defender-sentinel-sync/testing";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type BadRequestError,
  type InvalidArgumentError,
  isAbortError,
  isBadRequestError,
  isInvalidArgumentError,
  isMappingError,
} from "../../src/core/errors";
import { defenderAlertSchema } from "../../src/defender/models";
import { alertKeyOf, alertRowId, defaultAlertRowMapper } from "../../src/mapping/alertRow";
import { fakeCredential } from "../helpers/credential";
import { RULE_ID, type SinkSetup, STREAM, sampleAlerts, setupSink } from "./helpers";

const keyString = (k: AlertKey) => `${k.alertId}@${k.lastUpdateDateTime}`;

describe("uploadAlerts against the emulator (loopback HTTP)", () => {
  let setup: SinkSetup;
  beforeAll(async () => {
    setup = await setupSink({ timeScale: 1000 });
  });
  afterAll(() => setup.close());
  afterEach(() => {
    setup.emu.reset();
    setup.sink.removeAllListeners();
  });

  it("uploads one validated row per alert, gzip-compressed, and reports every key", async () => {
    const alerts = sampleAlerts(20);
    const events: number[] = [];
    setup.sink.on("uploaded", (e) => events.push(e.count));
    const result = await setup.sink.uploadAlerts(alerts);
    expect(result.failed).toEqual([]);
    expect(result.uploaded.map(keyString)).toEqual(alerts.map((a) => keyString(alertKeyOf(a))));
    expect(events).toEqual([20]);
    const rows = setup.emu.logs.rows(STREAM, RULE_ID);
    expect(rows).toHaveLength(20);
    const expected = defaultAlertRowMapper(alerts[3]!);
    expect(expected.ok).toBe(true);
    const row = rows.find((r) => r.AlertId === alerts[3]!.id)!;
    expect(row.RowId).toBe(alertRowId(alertKeyOf(alerts[3]!)));
    expect(row.Evidence).toEqual(expected.ok && expected.value.Evidence);
    const [request] = setup.emu.logs.requests();
    expect(request!.gzip).toBe(true);
    expect(request!.wireBytes).toBeLessThan(request!.jsonBytes / 3);
    expect(setup.sink.stats().bytesSent).toBeGreaterThanOrEqual(request!.wireBytes);
  });

  it("splits large uploads into requests under 1 MB", async () => {
    const alerts = sampleAlerts(400, 25); // ≈ 13 KB of JSON per row
    const result = await setup.newSink({ maxConcurrency: 3 }).uploadAlerts(alerts);
    expect(result.failed).toEqual([]);
    expect(result.uploaded).toHaveLength(400);
    const requests = setup.emu.logs.requests();
    expect(requests.length).toBeGreaterThanOrEqual(4);
    for (const r of requests) {
      expect(r.status).toBe(204);
      expect(r.jsonBytes).toBeLessThanOrEqual(1_048_576);
    }
    expect(setup.emu.logs.count(STREAM)).toBe(400);
  });

  it("retries 429 (honouring Retry-After), 5xx and connection resets", async () => {
    setup.emu.faults.script({
      service: "logsIngestion",
      times: 2,
      fault: { kind: "status", status: 429, retryAfterSeconds: 1 },
    });
    const sink = setup.newSink();
    const throttled: number[] = [];
    sink.metrics.onThrottle((t) => throttled.push(t.waitInMs));
    let result = await sink.uploadAlerts(sampleAlerts(5));
    expect(result.failed).toEqual([]);
    expect(throttled).toHaveLength(2);
    expect(throttled[0]).toBe(1); // 1 s scaled down 1000× by the emulator's timeScale (retry-after-ms)

    for (const fault of [500, 503, "reset"] as const) {
      setup.emu.faults.script({ service: "logsIngestion", times: 1, fault });
      result = await sink.uploadAlerts(sampleAlerts(5).map((a) => ({ ...a, id: `${a.id}-${fault}` })));
      expect(result.failed, String(fault)).toEqual([]);
    }
    expect(setup.emu.logs.count()).toBe(20);
    // Every attempt counts: 2 × 429 + 1, then (fault + 1) three times.
    expect(sink.stats().requests).toBe(9);
    expect(sink.stats().throttled).toBe(2);
  });

  it("reports a partial failure per batch: the failed alerts are named, the others uploaded", async () => {
    const alerts = sampleAlerts(400, 25);
    // The first request is refused (400 is not retried); the other batches go through.
    setup.emu.faults.script({
      service: "logsIngestion",
      times: 1,
      fault: { kind: "status", status: 400, code: "InvalidStream" },
    });
    const sink = setup.newSink({ maxConcurrency: 1 });
    const failedEvents: AlertBatchFailedEvent[] = [];
    sink.on("batch.failed", (e) => failedEvents.push(e));
    const result = await sink.uploadAlerts(alerts);
    expect(failedEvents).toHaveLength(1);
    expect(failedEvents[0]!.status).toBe(400);
    // The package's typed error, not core's RestError, with the service's code.
    expect(isBadRequestError(failedEvents[0]!.error)).toBe(true);
    expect((failedEvents[0]!.error as BadRequestError).code).toBe("InvalidStream");
    expect(failedEvents[0]!.retryable).toBe(false);
    expect(failedEvents[0]!.keys.length).toBeGreaterThan(0);
    expect(result.failed.map((f) => keyString(f.key))).toEqual(failedEvents[0]!.keys.map(keyString));
    expect(result.uploaded.length + result.failed.length).toBe(400);
    const stored = new Set(setup.emu.logs.rows(STREAM).map((r) => r.AlertId));
    expect(stored.size).toBe(result.uploaded.length);
    for (const f of result.failed) expect(stored.has(f.key.alertId)).toBe(false);
    for (const k of result.uploaded) expect(stored.has(k.alertId)).toBe(true);

    // Sending the failed ones again later completes the set.
    const failedIds = new Set(result.failed.map((f) => f.key.alertId));
    const again = await sink.uploadAlerts(alerts.filter((a) => failedIds.has(a.id)));
    expect(again.failed).toEqual([]);
    expect(setup.emu.logs.count(STREAM)).toBe(400);
  });

  it("a batch that keeps failing after the retries is reported as retryable", async () => {
    setup.emu.faults.script({ service: "logsIngestion", times: 100, fault: 503 });
    const sink = setup.newSink({ retryOptions: { maxRetries: 1, retryDelayInMs: 1, maxRetryDelayInMs: 2 } });
    const events: AlertBatchFailedEvent[] = [];
    sink.on("batch.failed", (e) => events.push(e));
    const result = await sink.uploadAlerts(sampleAlerts(3));
    expect(result.uploaded).toEqual([]);
    expect(result.failed).toHaveLength(3);
    expect(result.failed.every((f) => f.retryable)).toBe(true);
    expect(events[0]).toMatchObject({ status: 503, retryable: true });
    setup.emu.faults.clear();
  });

  it("a hostile alert yields a valid row or a typed error; the rest of the batch is unaffected", async () => {
    const [ok1, ok2] = sampleAlerts(2);
    const huge = defenderAlertSchema.parse({
      id: "huge",
      lastUpdateDateTime: "2024-05-02T14:19:01Z",
      evidence: Array.from({ length: 500 }, (_, i) => ({
        "@odata.type": "#microsoft.graph.security.ipEvidence",
        ipAddress: `10.0.${i >> 8}.${i & 255}`,
        padding: "p".repeat(5_000),
      })),
    });
    const noTime = { id: "no-time", title: "no timestamps at all" } as unknown as DefenderAlert;
    const invalid: unknown[] = [];
    setup.sink.on("row.invalid", (e) => invalid.push(e.key.alertId));
    const result = await setup.sink.uploadAlerts([ok1!, huge, noTime, ok2!, ok1!]);
    expect(result.uploaded.map((k) => k.alertId)).toEqual([ok1!.id, "huge", ok2!.id]);
    expect(result.failed).toHaveLength(1);
    expect(isMappingError(result.failed[0]!.error)).toBe(true);
    expect(result.failed[0]!.retryable).toBe(false);
    expect(invalid).toEqual(["no-time"]);
    const hugeRow = setup.emu.logs.rows(STREAM).find((r) => r.AlertId === "huge")!;
    expect(hugeRow.EvidenceTruncated).toBe(true);
    expect((hugeRow.IPs as string[]).length).toBe(100);
    expect(Buffer.byteLength(JSON.stringify(hugeRow))).toBeLessThan(100_000);
  });

  it("a custom mapper can add a column", async () => {
    const sink = setup.newSink({
      mapping: createAlertRowMapper({
        build: (a, ctx, next) => ({ ...next(a, ctx), Environment_s: "prod" }),
      }),
    });
    await sink.uploadAlerts(sampleAlerts(1));
    expect(setup.emu.logs.rows(STREAM)[0]!.Environment_s).toBe("prod");
  });

  it("throws AbortError when aborted (before or during the upload)", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      setup.sink.uploadAlerts(sampleAlerts(1), { abortSignal: controller.signal }),
    ).rejects.toSatisfy(isAbortError);
    const during = new AbortController();
    setup.emu.faults.script({ service: "logsIngestion", times: 1, fault: { kind: "slow", delayMs: 200 } });
    const pending = setup.sink.uploadAlerts(sampleAlerts(3), { abortSignal: during.signal });
    setTimeout(() => during.abort(), 20);
    await expect(pending).rejects.toSatisfy(isAbortError);
  });

  it("a throwing listener is reported on `error` and does not break the upload", async () => {
    const errors: unknown[] = [];
    setup.sink.on("uploaded", () => {
      throw new Error("listener bug");
    });
    setup.sink.on("error", (e) => errors.push(e));
    const result = await setup.sink.uploadAlerts(sampleAlerts(2));
    expect(result.uploaded).toHaveLength(2);
    expect(errors).toHaveLength(1);
  });
});

describe("constructor", () => {
  const credential = fakeCredential();
  const base = { ruleId: RULE_ID, streamName: STREAM };

  it("refuses plain http except on loopback, and malformed names", () => {
    expect(
      () => new LogsIngestionAlertSink(credential, { ...base, endpoint: "http://dce.example.com" }),
    ).toThrow(/loopback/);
    expect(
      () => new LogsIngestionAlertSink(credential, { ...base, endpoint: "http://127.0.0.1:1234" }),
    ).not.toThrow();
    for (const bad of [
      { ruleId: "" },
      { ruleId: "dcr/../x" },
      { streamName: "Custom X" },
      { maxConcurrency: 0 },
      { requestTimeoutInMs: 0 },
      { maxResponseBytes: -1 },
      { retryOptions: { maxRetries: -1 } },
    ]) {
      let error: unknown;
      try {
        new LogsIngestionAlertSink(credential, { ...base, endpoint: "https://dce.example.com", ...bad });
      } catch (e) {
        error = e;
      }
      expect(isInvalidArgumentError(error), JSON.stringify(bad)).toBe(true);
    }
  });

  it("a bad credential argument is an InvalidArgumentError naming `credential`", () => {
    const options = { ...base, endpoint: "https://dce.example.com" };
    const badCredentials: unknown[] = [
      undefined,
      null,
      {},
      "secret",
      { getToken: "not a function" },
      // The signature before 0.1.0: everything in one options object.
      { ...options, credential },
    ];
    for (const bad of badCredentials) {
      let error: unknown;
      try {
        new LogsIngestionAlertSink(bad as TokenCredential, options);
      } catch (e) {
        error = e;
      }
      expect(isInvalidArgumentError(error), String(bad)).toBe(true);
      expect((error as InvalidArgumentError).argument).toBe("credential");
    }
    let missing: unknown;
    try {
      new LogsIngestionAlertSink(credential, undefined as never);
    } catch (e) {
      missing = e;
    }
    expect((missing as InvalidArgumentError).argument).toBe("options");
  });
});

describe("uploadAlerts through msw (https data collection endpoint)", () => {
  const DCE = "https://my-dce-a1b2.westeurope-1.ingest.monitor.azure.com";
  const emu = createEmulator({ incidents: 0, throttling: false });
  const server = setupServer(...emu.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it("sends a bearer token for https://monitor.azure.com/.default to the DCE", async () => {
    const credential = fakeCredential();
    const sink = new LogsIngestionAlertSink(credential, {
      endpoint: DCE,
      ruleId: RULE_ID,
      streamName: STREAM,
    });
    const result = await sink.uploadAlerts(sampleAlerts(3));
    expect(result.uploaded).toHaveLength(3);
    expect(credential.calls[0]).toEqual(["https://monitor.azure.com/.default"]);
    expect(emu.logs.count(STREAM, RULE_ID)).toBe(3);
  });

  it("backs off on a 429 without Retry-After", async () => {
    let calls = 0;
    server.use(
      http.post(`${DCE}/dataCollectionRules/:rule/streams/:stream`, () => {
        calls++;
        return calls === 1 ? new HttpResponse(null, { status: 429 }) : undefined;
      }),
    );
    const sink = new LogsIngestionAlertSink(fakeCredential(), {
      endpoint: DCE,
      ruleId: RULE_ID,
      streamName: STREAM,
      retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 10 },
    });
    const result = await sink.uploadAlerts(sampleAlerts(1));
    expect(result.failed).toEqual([]);
    expect(calls).toBe(2);
  });
});
