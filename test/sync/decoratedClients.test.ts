/**
 * The engine and the targets depend on the client interfaces (`DefenderIncidentsApi`, `SentinelIncidentsApi`,
 * `SentinelAlertRulesApi`), not on the classes: plain objects that delegate to real clients (decorators that
 * count calls here) run full cycles over the emulator.
 */
import {
  DEFAULT_RELAY_STREAM_NAME,
  DefenderClient,
  type DefenderIncidentsApi,
  InMemoryStateStore,
  InvalidArgumentError,
  type SentinelAlertRulesApi,
  SentinelClient,
  type SentinelIncidentsApi,
  SyncEngine,
  UnifiedTarget,
} from "defender-sentinel-sync";
import { createEmulator, createManualClock } from "defender-sentinel-sync/testing";
import { describe, expect, it } from "vitest";
import { expectConverged, openIncidents, runToQuiescence, useSyncSetups } from "../helpers/engine";

type Calls = Map<string, number>;

/** Wraps functions so that each call is counted under a name before it is delegated. */
function counter(calls: Calls) {
  return <A extends unknown[], R>(method: string, fn: (...args: A) => R) =>
    (...args: A): R => {
      calls.set(method, (calls.get(method) ?? 0) + 1);
      return fn(...args);
    };
}

/** A logging-style decorator: a plain object (not a DefenderClient) that counts each call and delegates. */
function countingDefender(real: DefenderIncidentsApi, calls: Calls): DefenderIncidentsApi {
  const counted = counter(calls);
  return {
    metrics: real.metrics,
    onWarning: counted("onWarning", (listener) => real.onWarning(listener)),
    listIncidents: counted("listIncidents", (options) => real.listIncidents(options)),
    countIncidents: counted("countIncidents", (options) => real.countIncidents(options)),
    getIncident: counted("getIncident", (id, options) => real.getIncident(id, options)),
    updateIncident: counted("updateIncident", (id, patch, options) =>
      real.updateIncident(id, patch, options),
    ),
    addIncidentComment: counted("addIncidentComment", (id, comment, options) =>
      real.addIncidentComment(id, comment, options),
    ),
  };
}

function countingSentinel(real: SentinelIncidentsApi, calls: Calls): SentinelIncidentsApi {
  const counted = counter(calls);
  return {
    metrics: real.metrics,
    onWarning: counted("onWarning", (listener) => real.onWarning(listener)),
    listIncidents: counted("listIncidents", (options) => real.listIncidents(options)),
    getIncident: counted("getIncident", (name, options) => real.getIncident(name, options)),
    createOrUpdateIncident: counted("createOrUpdateIncident", (name, properties, options) =>
      real.createOrUpdateIncident(name, properties, options),
    ),
    listIncidentComments: counted("listIncidentComments", (name, options) =>
      real.listIncidentComments(name, options),
    ),
    createIncidentComment: counted("createIncidentComment", (name, commentId, message, options) =>
      real.createIncidentComment(name, commentId, message, options),
    ),
  };
}

function countingAlertRules(real: SentinelAlertRulesApi, calls: Calls): SentinelAlertRulesApi {
  const counted = counter(calls);
  return {
    getAlertRule: counted("getAlertRule", (ruleId, options) => real.getAlertRule(ruleId, options)),
    createOrUpdateAlertRule: counted("createOrUpdateAlertRule", (ruleId, rule, options) =>
      real.createOrUpdateAlertRule(ruleId, rule, options),
    ),
  };
}

const setup = useSyncSetups();

describe("decorated clients", () => {
  it("a SyncEngine over plain-object decorators creates the copies, carries edits and comments, and converges", async () => {
    const t = await setup({ incidents: 4, seed: 11 });
    const dCalls: Calls = new Map();
    const sCalls: Calls = new Map();
    const defender = countingDefender(t.defender, dCalls);
    const sentinel = countingSentinel(t.sentinel, sCalls);
    expect(defender).not.toBeInstanceOf(DefenderClient);
    expect(sentinel).not.toBeInstanceOf(SentinelClient);
    const store = new InMemoryStateStore();
    const engine = new SyncEngine({ defender, sentinel, stateStore: store, tenantId: t.server.tenantId });
    // Throttling and warnings are forwarded through the decorators' own subscriptions.
    expect(dCalls.get("onWarning")).toBe(1);
    expect(sCalls.get("onWarning")).toBe(1);

    const first = await runToQuiescence(engine);
    const incidents = t.emu.defender.listIncidents();
    expect(t.emu.sentinel.listIncidents()).toHaveLength(incidents.length);
    expect(first[0]!.counts.created).toBe(incidents.length);
    expect(sCalls.get("createOrUpdateIncident")).toBeGreaterThanOrEqual(incidents.length);
    expect(dCalls.get("listIncidents")).toBeGreaterThanOrEqual(first.length);
    expect(sCalls.get("listIncidents")).toBeGreaterThanOrEqual(first.length);
    // The first (backfill) cycle estimates its size through the source.
    expect(dCalls.get("countIncidents")).toBe(1);
    // The report's request counts come from the decorators' `metrics`.
    expect(first[0]!.apiCalls.defender).toBeGreaterThan(0);
    expect(first[0]!.apiCalls.sentinel).toBeGreaterThan(0);

    // Edits and comments both ways.
    const [a, b] = openIncidents(t);
    const aName = (await store.getRecord(a!.id))!.sentinelName;
    const bName = (await store.getRecord(b!.id))!.sentinelName;
    const before = { d: new Map(dCalls), s: new Map(sCalls) };
    const delta = (calls: Calls, was: Calls, method: string) =>
      (calls.get(method) ?? 0) - (was.get(method) ?? 0);
    t.emu.defender.editIncident(a!.id, { displayName: "Renamed in Defender" });
    t.emu.sentinel.editIncident(bName, { title: "Renamed in Sentinel" });
    t.emu.defender.addComment(a!.id, "Isolated the device", "Bob");
    t.emu.sentinel.addComment(bName, "Escalated to tier 2");
    const second = await runToQuiescence(engine);
    expect(second.reduce((n, r) => n + r.counts.commentsToSentinel, 0)).toBe(1);
    expect(second.reduce((n, r) => n + r.counts.commentsToDefender, 0)).toBe(1);
    expect(t.emu.sentinel.getIncident(aName)!.properties.title).toBe("Renamed in Defender");
    expect(t.emu.defender.getIncident(b!.id)!.displayName).toBe("Renamed in Sentinel");
    expect(delta(dCalls, before.d, "updateIncident")).toBe(1);
    expect(delta(dCalls, before.d, "addIncidentComment")).toBe(1);
    expect(delta(sCalls, before.s, "createIncidentComment")).toBe(1);
    expect(delta(sCalls, before.s, "createOrUpdateIncident")).toBeGreaterThan(0);
    expect(delta(sCalls, before.s, "listIncidentComments")).toBeGreaterThan(0);
    await expectConverged(t.emu, store);
    engine.dispose();
  });

  it("refuses, at construction, an object that lacks a method of the interface", () => {
    const real = new DefenderClient(createEmulator().credential, { endpoint: "https://graph.example/v1.0" });
    const { countIncidents: _left, ...partial } = countingDefender(real, new Map());
    const sentinel = countingSentinel(
      new SentinelClient(createEmulator().credential, {
        endpoint: "https://arm.example",
        subscriptionId: "00000000-0000-0000-0000-000000000001",
        resourceGroupName: "rg",
        workspaceName: "ws1",
      }),
      new Map(),
    );
    expect(() => new SyncEngine({ defender: partial as DefenderIncidentsApi, sentinel })).toThrow(
      /defender.*lacks countIncidents/,
    );
    expect(() => new SyncEngine({ defender: {} as DefenderIncidentsApi, sentinel })).toThrow(
      InvalidArgumentError,
    );
    const { metrics: _m, ...noMetrics } = countingDefender(real, new Map());
    expect(() => new SyncEngine({ defender: noMetrics as DefenderIncidentsApi, sentinel })).toThrow(
      /lacks metrics/,
    );
    const { createIncidentComment: _c, ...noComments } = sentinel;
    expect(
      () => new SyncEngine({ defender: countingDefender(real, new Map()), sentinel: noComments as never }),
    ).toThrow(/sentinel.*lacks createIncidentComment/);
  });

  it("a UnifiedTarget takes decorated clients too: the alert-rules part of the workspace is enough", async () => {
    const clock = createManualClock("2026-11-30T00:00:00Z");
    const tenantId = "0f7c1d3e-5a6b-4c8d-9e0f-1a2b3c4d5e6f";
    const emu = createEmulator({ seed: 11, incidents: 2, now: clock.now, throttling: false, unified: {} });
    const customer = emu.addTenant({ tenantId, incidents: 2 });
    const srv = await emu.listen();
    try {
      const retryOptions = { maxRetries: 1, retryDelayInMs: 5, maxRetryDelayInMs: 10 };
      const calls = { mssp: new Map() as Calls, source: new Map() as Calls, rules: new Map() as Calls };
      const mssp = countingDefender(
        new DefenderClient(emu.credential, { endpoint: srv.defenderEndpoint, retryOptions }),
        calls.mssp,
      );
      const source = countingDefender(
        new DefenderClient(customer.credential, { endpoint: srv.defenderEndpoint, retryOptions }),
        calls.source,
      );
      const rules = countingAlertRules(
        new SentinelClient(emu.credential, {
          endpoint: srv.sentinelEndpoint,
          subscriptionId: srv.subscriptionId,
          resourceGroupName: srv.resourceGroupName,
          workspaceName: srv.workspaceName,
          retryOptions,
        }),
        calls.rules,
      );
      const target = new UnifiedTarget({
        defender: mssp,
        sentinel: rules,
        ingestion: {
          endpoint: srv.url,
          ruleId: "dcr-00112233445566778899aabbccddeeff",
          streamName: DEFAULT_RELAY_STREAM_NAME,
          retryOptions,
        },
        credential: emu.credential,
        now: clock.now,
      });
      expect(await target.ensureRelayRule()).toMatchObject({ action: "created" });
      expect(calls.rules.get("getAlertRule")).toBe(1);
      expect(calls.rules.get("createOrUpdateAlertRule")).toBe(1);
      const engine = new SyncEngine({ defender: source, target, tenantId, now: clock.now, overlapInMs: 0 });
      let linked = 0;
      engine.on("incident.linked", () => linked++);
      const first = await engine.runOnce();
      expect(first.failures).toEqual([]);
      expect(first.pendingPairs).toBe(2);
      expect(calls.source.get("listIncidents")).toBeGreaterThan(0);
      expect(calls.mssp.get("listIncidents")).toBeGreaterThan(0);
      // The relay rule raises the incidents; later cycles link them through the decorated MSSP client.
      for (let i = 0; i < 12 && linked < 2; i++) {
        clock.advance(5 * 60_000);
        expect((await engine.runOnce()).failures).toEqual([]);
      }
      expect(linked).toBe(2);
      engine.dispose();
    } finally {
      await srv.close();
      await emu.close();
    }
  });
});
