import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import {
  observeLaneHealth,
  observePendingPairs,
  recordEditLatency,
  recordWrites,
  SYNC_METRICS,
} from "../../src/core/otelMetrics";
import { SYNC_ATTRIBUTES } from "../../src/core/tracing";
import { DefenderClient } from "../../src/defender/defenderClient";
import { newSyncReport } from "../../src/sync/syncReport";
import { traceCycle } from "../../src/sync/syncTracing";
import { fakeCredential } from "../helpers/credential";
import { readJson } from "../helpers/fixtures";
import { GRAPH_BASE, server, useMswServer } from "../helpers/msw";
import { installTestMetrics, type TestMetrics } from "../helpers/otel";

useMswServer();
let installed: TestMetrics | undefined;
afterEach(async () => {
  await installed?.shutdown();
  installed = undefined;
});

function install(): TestMetrics {
  installed = installTestMetrics();
  return installed;
}

function report() {
  const r = newSyncReport(3, new Date(), false, false, { defender: undefined, sentinel: undefined });
  r.writes = { defender: 2, sentinel: 5 };
  r.counts.conflicts = 1;
  r.failures = [
    { defenderId: "1", reason: "x", transient: true },
    { defenderId: "2", reason: "y", transient: true },
    { defenderId: "3", reason: "z", transient: false },
  ];
  return r;
}

describe("OpenTelemetry metrics", () => {
  it("records nothing before a MeterProvider is registered, and records under one registered later", async () => {
    recordWrites("defender", 9);
    const metrics = install();
    recordWrites("defender", 1);
    const points = (await metrics.collect()).get(SYNC_METRICS.writes);
    expect(points).toEqual([{ attributes: { [SYNC_ATTRIBUTES.side]: "defender" }, value: 1 }]);
  });

  it("a completed cycle records its writes per side, conflicts, pair failures and duration", async () => {
    const metrics = install();
    await traceCycle({}, async () => report());
    const collected = await metrics.collect();
    const bySide = Object.fromEntries(
      collected.get(SYNC_METRICS.writes)!.map((p) => [p.attributes[SYNC_ATTRIBUTES.side], p.value]),
    );
    expect(bySide).toEqual({ defender: 2, sentinel: 5 });
    expect(collected.get(SYNC_METRICS.conflicts)!.map((p) => p.value)).toEqual([1]);
    const failures = collected
      .get(SYNC_METRICS.failures)!
      .map((p) => [p.attributes[SYNC_ATTRIBUTES.failureTransient], p.value]);
    expect(failures).toEqual(
      expect.arrayContaining([
        [true, 2],
        [false, 1],
      ]),
    );
    const duration = collected.get(SYNC_METRICS.cycleDuration)!;
    expect(duration).toHaveLength(1);
    expect(duration[0]!.attributes[SYNC_ATTRIBUTES.cycleOutcome]).toBe("completed");
    expect((duration[0]!.value as { count: number }).count).toBe(1);
  });

  it("a failed cycle counts as a cycle failure and a failed duration; a dry run counts no writes", async () => {
    const metrics = install();
    await expect(
      traceCycle({}, async () => {
        throw new TypeError("boom");
      }),
    ).rejects.toThrow("boom");
    await traceCycle({}, async () => ({ ...report(), dryRun: true }));
    const collected = await metrics.collect();
    expect(collected.get(SYNC_METRICS.failures)).toContainEqual({
      attributes: { [SYNC_ATTRIBUTES.failureScope]: "cycle", [SYNC_ATTRIBUTES.errorType]: "TypeError" },
      value: 1,
    });
    const outcomes = collected
      .get(SYNC_METRICS.cycleDuration)!
      .map((p) => p.attributes[SYNC_ATTRIBUTES.cycleOutcome]);
    expect(outcomes.sort()).toEqual(["completed", "failed"]);
    expect(collected.get(SYNC_METRICS.writes)).toBeUndefined();
  });

  it("counts every 429 a client receives, by service", async () => {
    const metrics = install();
    const updated = readJson<Record<string, unknown>>(
      "graph/examples/security-incident-update.1.response.json",
    );
    let calls = 0;
    server.use(
      http.patch(`${GRAPH_BASE}/security/incidents/2972395`, () =>
        ++calls <= 2
          ? HttpResponse.json({}, { status: 429, headers: { "Retry-After": "0" } })
          : HttpResponse.json(updated),
      ),
    );
    const client = new DefenderClient(fakeCredential(), {
      rateLimit: false,
      retryOptions: { retryDelayInMs: 1, maxRetries: 3 },
    });
    await client.updateIncident("2972395", { status: "resolved" });
    expect((await metrics.collect()).get(SYNC_METRICS.throttledResponses)).toEqual([
      { attributes: { [SYNC_ATTRIBUTES.side]: "defender" }, value: 2 },
    ]);
  });

  it("edit latency is the time from the edit to the write, in seconds", async () => {
    const metrics = install();
    recordEditLatency("sentinel", "2026-01-01T00:00:00Z", new Date("2026-01-01T00:00:30Z"));
    recordEditLatency("sentinel", "not a time");
    const [point] = (await metrics.collect()).get(SYNC_METRICS.editLatency)!;
    expect(point!.attributes).toEqual({ [SYNC_ATTRIBUTES.side]: "sentinel" });
    expect(point!.value).toMatchObject({ count: 1, sum: 30 });
  });

  it("the gauges read pending pairs and lane health at collection until unregistered", async () => {
    const metrics = install();
    let pending = 4;
    let reads = 0;
    const stopPending = observePendingPairs(() => {
      reads++;
      return pending;
    });
    const health = { unhealthy: false };
    const stopLane = observeLaneHealth("tenant-a", health);
    let collected = await metrics.collect();
    expect(collected.get(SYNC_METRICS.pendingPairs)!.map((p) => p.value)).toEqual([4]);
    expect(collected.get(SYNC_METRICS.laneHealthy)).toEqual([
      { attributes: { [SYNC_ATTRIBUTES.laneId]: "tenant-a" }, value: 1 },
    ]);

    pending = 1;
    health.unhealthy = true;
    collected = await metrics.collect();
    expect(collected.get(SYNC_METRICS.pendingPairs)!.map((p) => p.value)).toEqual([1]);
    expect(collected.get(SYNC_METRICS.laneHealthy)).toEqual([
      { attributes: { [SYNC_ATTRIBUTES.laneId]: "tenant-a" }, value: 0 },
    ]);

    stopPending();
    stopLane();
    await metrics.collect();
    expect(reads).toBe(2);
  });
});
