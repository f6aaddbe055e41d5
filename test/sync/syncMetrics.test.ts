/** The engine's OpenTelemetry metrics, collected from a real cycle over the loopback emulator. */
import { afterEach, describe, expect, it } from "vitest";
import { SYNC_METRICS } from "../../src/core/otelMetrics";
import { SYNC_ATTRIBUTES } from "../../src/core/tracing";
import { runToQuiescence, type SyncSetup, setupSync } from "../helpers/engine";
import { installTestMetrics, type TestMetrics } from "../helpers/otel";

let metrics: TestMetrics | undefined;
let t: SyncSetup | undefined;
afterEach(async () => {
  await metrics?.shutdown();
  await t?.close();
  metrics = undefined;
  t = undefined;
});

describe("engine metrics", () => {
  it("an edit carried across records one edit latency on the side written, and the cycle's writes", async () => {
    t = await setupSync({ incidents: 3 });
    await runToQuiescence(t.engine);
    metrics = installTestMetrics();
    const [incident] = t.emu.defender.listIncidents();
    t.emu.defender.editIncident(incident!.id, { severity: incident!.severity === "high" ? "low" : "high" });
    const report = await t.engine.runOnce();
    expect(report.writes.sentinel).toBe(1);

    const collected = await metrics.collect();
    const latency = collected.get(SYNC_METRICS.editLatency) ?? [];
    expect(latency.map((p) => p.attributes[SYNC_ATTRIBUTES.side])).toEqual(["sentinel"]);
    const histogram = latency[0]!.value as { count: number; sum: number };
    expect(histogram.count).toBe(1);
    // The emulator stamps the edit with its clock: the write follows within seconds, never a negative time.
    expect(histogram.sum).toBeGreaterThanOrEqual(0);
    expect(histogram.sum).toBeLessThan(60);
    const writes = collected.get(SYNC_METRICS.writes) ?? [];
    expect(writes.find((p) => p.attributes[SYNC_ATTRIBUTES.side] === "sentinel")?.value).toBe(1);
  });

  it("a quiet cycle records no edit latency", async () => {
    t = await setupSync({ incidents: 2 });
    await runToQuiescence(t.engine);
    metrics = installTestMetrics();
    await t.engine.runOnce();
    expect((await metrics.collect()).get(SYNC_METRICS.editLatency) ?? []).toEqual([]);
  });
});
