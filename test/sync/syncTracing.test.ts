import { SpanStatusCode } from "@opentelemetry/api";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SYNC_ATTRIBUTES } from "../../src/core/tracing";
import { DefenderClient } from "../../src/defender/defenderClient";
import { SentinelClient } from "../../src/sentinel/sentinelClient";
import { InMemoryStateStore } from "../../src/sync/inMemoryStateStore";
import { SyncEngine } from "../../src/sync/syncEngine";
import { newSyncReport } from "../../src/sync/syncReport";
import { traceCycle, tracePair } from "../../src/sync/syncTracing";
import { createEmulator, type Emulator, type EmulatorServer } from "../../src/testing";
import { installTestTracing, namesOf, type SpanNode, type TestTracing } from "../helpers/otel";

let tracing: TestTracing;
beforeAll(() => {
  tracing = installTestTracing();
});
afterEach(() => tracing.reset());
afterAll(() => tracing.shutdown());

function only(tree: SpanNode[]): SpanNode {
  expect(tree).toHaveLength(1);
  return tree[0]!;
}

describe("engine spans over the loopback emulator", () => {
  let emu: Emulator;
  let loopback: EmulatorServer;
  let defender: DefenderClient;
  let sentinel: SentinelClient;
  beforeAll(async () => {
    emu = createEmulator({ throttling: false, seed: 3, incidents: 1 });
    loopback = await emu.listen();
    const fast = { rateLimit: false as const, retryOptions: { retryDelayInMs: 1, maxRetries: 2 } };
    defender = new DefenderClient(emu.credential, { ...fast, endpoint: loopback.defenderEndpoint });
    sentinel = new SentinelClient(emu.credential, {
      ...fast,
      endpoint: loopback.sentinelEndpoint,
      subscriptionId: loopback.subscriptionId,
      resourceGroupName: loopback.resourceGroupName,
      workspaceName: loopback.workspaceName,
    });
  });
  afterAll(async () => {
    await loopback.close();
    await emu.close();
  });

  it("cycle → pair → client writes → HTTP requests, as the engine will nest them", async () => {
    const [incident] = (await defender.listIncidents().byPage().next()).value as { id: string }[];
    const defenderId = incident!.id;
    tracing.reset();
    const report = await traceCycle({}, async () => {
      await tracePair({ defenderId }, async (span) => {
        span.setAttribute(SYNC_ATTRIBUTES.sentinelIncidentName, "copy-1");
        await sentinel.createOrUpdateIncident("copy-1", { title: "t", severity: "High", status: "New" });
        await sentinel.createIncidentComment("copy-1", "c0ffee00-0000-4000-8000-000000000001", "synced");
        await defender.addIncidentComment(defenderId, "linked");
        return "created" as const;
      });
      return newSyncReport(7, new Date(), false, false, { defender: undefined, sentinel: undefined });
    });
    expect(report.cycle).toBe(7);

    const cycle = only(tracing.spanTree());
    expect(namesOf([cycle])).toEqual([
      [
        "SyncEngine.cycle",
        [
          [
            "SyncEngine.pair",
            [
              ["SentinelClient.createOrUpdateIncident", [["HTTP PUT", []]]],
              ["SentinelClient.createIncidentComment", [["HTTP PUT", []]]],
              ["DefenderClient.addIncidentComment", [["HTTP POST", []]]],
            ],
          ],
        ],
      ],
    ]);
    expect(cycle.attributes[SYNC_ATTRIBUTES.cycleNumber]).toBe(7);
    expect(cycle.children[0]!.attributes).toMatchObject({
      [SYNC_ATTRIBUTES.defenderIncidentId]: defenderId,
      [SYNC_ATTRIBUTES.sentinelIncidentName]: "copy-1",
      [SYNC_ATTRIBUTES.pairOutcome]: "created",
    });
  });

  it("a pair that throws ends with outcome failed and the cycle goes on", async () => {
    await traceCycle({}, async () => {
      await tracePair({ defenderId: "missing" }, () =>
        defender.updateIncident("does-not-exist", { status: "resolved" }),
      ).catch(() => undefined);
      return newSyncReport(8, new Date(), false, false, { defender: undefined, sentinel: undefined });
    });
    const pair = only(only(tracing.spanTree()).children);
    expect(pair.status).toBe(SpanStatusCode.ERROR);
    expect(pair.attributes[SYNC_ATTRIBUTES.pairOutcome]).toBe("failed");
    expect(namesOf(pair.children)).toEqual([["DefenderClient.updateIncident", [["HTTP PATCH", []]]]]);
  });

  it("a real engine cycle: one cycle span, a pair span per incident with its writes, reads under the cycle", async () => {
    const store = new InMemoryStateStore();
    const engine = new SyncEngine({ defender, sentinel, stateStore: store });
    tracing.reset();
    const report = await engine.runOnce();
    engine.dispose();
    expect(report.counts.created).toBe(1);

    const cycle = only(tracing.spanTree().filter((n) => n.name === "SyncEngine.cycle"));
    expect(cycle.attributes[SYNC_ATTRIBUTES.cycleNumber]).toBe(report.cycle);
    const pairs = cycle.children.filter((n) => n.name === "SyncEngine.pair");
    expect(pairs).toHaveLength(1);
    const pair = pairs[0]!;
    expect(pair.attributes[SYNC_ATTRIBUTES.pairOutcome]).toBe("created");
    const created = pair.children.find((n) => n.name === "SentinelClient.createOrUpdateIncident");
    expect(created && namesOf(created.children)).toEqual([["HTTP PUT", []]]);
    // The listing requests belong to the cycle, not to a pair.
    const cycleHttp = cycle.children.filter((n) => n.name.startsWith("HTTP GET"));
    expect(cycleHttp.length).toBeGreaterThanOrEqual(2);
    // Every span of the cycle hangs under it: nothing of this run is a second root.
    expect(tracing.spanTree().filter((n) => n.name !== "SyncEngine.cycle")).toEqual([]);
  });
});
