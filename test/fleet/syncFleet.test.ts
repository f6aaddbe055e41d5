import {
  DefenderClient,
  type FleetReport,
  InvalidArgumentError,
  type LaneCycleResult,
  type LaneEvent,
  type LaneOwnership,
  type LaneRecoveredEvent,
  type LaneUnhealthyEvent,
  SentinelClient,
  SyncFleet,
  UnifiedTarget,
} from "defender-sentinel-sync";
import { afterEach, describe, expect, it } from "vitest";
import {
  FAST_RETRIES,
  type FleetEnv,
  failingStore,
  fleetOnEmulator,
  laneProblems,
  revocable,
  slowStore,
  tracked,
  waitFor,
} from "./syncFleetHelpers";

let env: FleetEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

function result(report: FleetReport, laneId: string): LaneCycleResult {
  const r = report.lanes.find((l) => l.laneId === laneId);
  if (!r) throw new Error(`no result for ${laneId}`);
  return r;
}

async function expectAllConverged(e: FleetEnv, laneIds = e.lanes.map((l) => l.id)): Promise<void> {
  const problems: string[] = [];
  for (const lane of e.lanes.filter((l) => laneIds.includes(l.id)))
    problems.push(...(await laneProblems(lane, e.stores.get(lane.id)!)));
  expect(problems).toEqual([]);
}

describe("SyncFleet on the emulator", () => {
  it("10 lanes (10 tenants → 10 workspaces) converge in one round, and the next round writes nothing", async () => {
    env = await fleetOnEmulator({ lanes: 10, incidents: (i) => 4 + i, limits: "shared" });
    const created = new Map<string, number>();
    env.fleet.on("incident.created", (e: LaneEvent<"incident.created">) => {
      created.set(e.laneId, (created.get(e.laneId) ?? 0) + 1);
      expect(e.event.defenderId).toBeTypeOf("string");
    });
    const completedEvents: string[] = [];
    env.fleet.on("fleet.completed", (r) => completedEvents.push(r.finishedAt));

    const first = await env.fleet.runOnce();
    expect(first.lanes.map((l) => l.status)).toEqual(Array(10).fill("completed"));
    expect(first.lanes.map((l) => l.laneId)).toEqual(env.fleet.laneIds);
    // 4 + 5 + … + 13 incidents.
    expect(first.totals.counts.created).toBe(85);
    expect(first.totals.completed).toBe(10);
    expect(first.totals.writes.sentinel).toBeGreaterThanOrEqual(85);
    expect([...created.entries()].sort()).toEqual(env.lanes.map((l, i) => [l.id, 4 + i]).sort());
    await expectAllConverged(env);

    const second = await env.fleet.runOnce();
    expect(second.totals.completed).toBe(10);
    expect(second.totals.writes).toEqual({ defender: 0, sentinel: 0 });
    expect(completedEvents).toHaveLength(2);
  });

  it("a lane whose tenant revoked consent is unhealthy and backed off; the others complete in the same round", async () => {
    let offset = 0;
    env = await fleetOnEmulator({
      lanes: 0,
      incidents: 5,
      fleet: { now: () => new Date(Date.now() + offset), backoff: { initialInMs: 60_000, maxInMs: 600_000 } },
    });
    const consent = revocable();
    // Lane 1 reads its tenant through a credential we revoke: Graph then answers 401.
    const lanes = [0, 1, 2, 3].map((i) => env!.laneFor(i, i === 1 ? { wrapCredential: consent.wrap } : {}));
    for (const lane of lanes) env.fleet.addLane(lane.options);
    env.lanes.push(...lanes);
    consent.revoke();

    const unhealthy: LaneUnhealthyEvent[] = [];
    const recovered: LaneRecoveredEvent[] = [];
    const failedCycles: string[] = [];
    env.fleet.on("lane.unhealthy", (e) => unhealthy.push(e));
    env.fleet.on("lane.recovered", (e) => recovered.push(e));
    env.fleet.on("cycle.failed", (e) => failedCycles.push(e.laneId));

    const before = Date.now();
    const first = await env.fleet.runOnce();
    const badId = lanes[1]!.id;
    const failed = result(first, badId);
    expect(failed).toMatchObject({ status: "failed", reason: "authentication", unhealthy: true });
    const others = lanes.filter((l) => l.id !== badId).map((l) => l.id);
    for (const id of others) expect(result(first, id).status).toBe("completed");
    await expectAllConverged(env, others);
    expect(unhealthy).toHaveLength(1);
    expect(unhealthy[0]).toMatchObject({ laneId: badId, reason: "authentication", consecutiveFailures: 1 });
    expect(unhealthy[0]!.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 60_000);
    expect(unhealthy[0]!.nextAttemptAt.getTime()).toBeLessThan(Date.now() + 61_000);
    expect(failedCycles).toEqual([badId]);
    expect(env.fleet.lane(badId)).toMatchObject({ unhealthy: true, reason: "authentication" });

    // Backed off: skipped while the others run again.
    const second = await env.fleet.runOnce();
    expect(result(second, badId)).toMatchObject({ status: "skipped", reason: "backoff" });
    expect(second.totals.completed).toBe(3);

    // Past the backoff, still revoked: the wait doubles.
    offset += 61_000;
    const third = await env.fleet.runOnce();
    expect(result(third, badId)).toMatchObject({ status: "failed", consecutiveFailures: 2 });
    const wait = unhealthy[1]!.nextAttemptAt.getTime() - (Date.now() + offset);
    expect(wait).toBeGreaterThan(115_000);
    expect(wait).toBeLessThanOrEqual(120_000);

    // Consent given back: the lane completes and recovers.
    consent.restore();
    offset += 121_000;
    const fourth = await env.fleet.runOnce();
    expect(result(fourth, badId).status).toBe("completed");
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ laneId: badId, failures: 2 });
    expect(recovered[0]!.unhealthyForMs).toBeGreaterThanOrEqual(182_000);
    expect(env.fleet.lane(badId)).toMatchObject({ unhealthy: false, consecutiveFailures: 0 });
    await expectAllConverged(env);
  });

  it("a lane whose workspace is gone (404) is unhealthy at once; one that keeps failing after 3 cycles", async () => {
    env = await fleetOnEmulator({
      lanes: 2,
      incidents: 3,
      wrapStore: (laneId, store) => (laneId === "lane-1" ? failingStore(store) : store),
    });
    const gone = env.laneFor(2);
    const sentinel = new SentinelClient(env.emu.credential, {
      endpoint: env.server.sentinelEndpoint,
      subscriptionId: env.server.subscriptionId,
      resourceGroupName: env.server.resourceGroupName,
      workspaceName: "ws-deleted",
      retryOptions: FAST_RETRIES,
      rateLimit: false,
    });
    env.fleet.addLane({ ...gone.options, id: "gone", sentinel });
    const unhealthy: LaneUnhealthyEvent[] = [];
    env.fleet.on("lane.unhealthy", (e) => unhealthy.push(e));

    const first = await env.fleet.runOnce();
    expect(result(first, "gone")).toMatchObject({
      status: "failed",
      reason: "workspaceNotFound",
      unhealthy: true,
    });
    expect(result(first, "lane-1")).toMatchObject({ status: "failed", reason: "failing", unhealthy: false });
    expect(result(first, "lane-0").status).toBe("completed");
    expect(unhealthy.map((e) => [e.laneId, e.reason])).toEqual([["gone", "workspaceNotFound"]]);

    // lane-1's ledger keeps failing: retried on its normal cadence, unhealthy at the third failure.
    const second = await env.fleet.runOnce();
    expect(result(second, "lane-1")).toMatchObject({
      status: "failed",
      unhealthy: false,
      consecutiveFailures: 2,
    });
    expect(result(second, "gone")).toMatchObject({ status: "skipped", reason: "backoff" });
    const third = await env.fleet.runOnce();
    expect(result(third, "lane-1")).toMatchObject({
      status: "failed",
      unhealthy: true,
      consecutiveFailures: 3,
    });
    expect(unhealthy.map((e) => [e.laneId, e.reason])).toEqual([
      ["gone", "workspaceNotFound"],
      ["lane-1", "failing"],
    ]);
    expect(third.totals).toMatchObject({ completed: 1, failed: 1, skipped: 1, lanes: 3 });
  });

  it("a slow lane holds one slot and delays no other lane: the others finish while it still runs", async () => {
    env = await fleetOnEmulator({
      lanes: 6,
      incidents: 3,
      fleet: { maxConcurrentLanes: 2 },
      wrapStore: (laneId, store) => (laneId === "lane-0" ? slowStore(store, 1_500) : store),
    });
    const finishedAt = new Map<string, number>();
    env.fleet.on("cycle.completed", (e) => finishedAt.set(e.laneId, Date.now()));
    const started = Date.now();
    const report = await env.fleet.runOnce();
    expect(report.totals.completed).toBe(6);
    const slowEnd = finishedAt.get("lane-0")!;
    expect(slowEnd - started).toBeGreaterThanOrEqual(1_500);
    for (const id of ["lane-1", "lane-2", "lane-3", "lane-4", "lane-5"]) {
      expect(finishedAt.get(id)!).toBeLessThan(slowEnd);
    }
    // Next round the slow lane (longest last cycle) is started last, after the quick ones.
    const order: string[] = [];
    env.fleet.on("progress", (e) => {
      if (!order.includes(e.laneId)) order.push(e.laneId);
    });
    await env.fleet.runOnce();
    expect(order.indexOf("lane-0")).toBeGreaterThanOrEqual(4);
  });

  it("removeLane mid-cycle aborts that lane only, keeps its checkpoints and closes the ledger the fleet opened", async () => {
    const closed: string[] = [];
    env = await fleetOnEmulator({
      lanes: 3,
      incidents: (i) => (i === 0 ? 300 : 4),
      fleet: { laneDefaults: { maxConcurrency: 2 } },
      wrapStore: (laneId, store) => tracked(store, () => closed.push(laneId)),
    });
    const removed: string[] = [];
    env.fleet.on("lane.removed", (e) => removed.push(e.laneId));
    let removal: Promise<boolean> | undefined;
    let createdBeforeRemoval = 0;
    env.fleet.on("incident.created", (e) => {
      if (e.laneId !== "lane-0") return;
      createdBeforeRemoval++;
      if (createdBeforeRemoval === 20) removal = env!.fleet.removeLane("lane-0");
    });
    const report = await env.fleet.runOnce();
    expect(await removal).toBe(true);
    expect(result(report, "lane-0")).toMatchObject({ status: "skipped", reason: "removed" });
    expect(result(report, "lane-1").status).toBe("completed");
    expect(result(report, "lane-2").status).toBe("completed");
    expect(removed).toEqual(["lane-0"]);
    expect(closed).toEqual(["lane-0"]);
    expect(env.fleet.laneIds).toEqual(["lane-1", "lane-2"]);
    expect(env.fleet.lane("lane-0")).toBeUndefined();
    expect(await env.fleet.removeLane("lane-0")).toBe(false);
    // What the lane finished is in its ledger; it wrote nothing after removal.
    const lane0 = env.lanes[0]!;
    const mirrored = lane0.workspace.listIncidents().length;
    expect(mirrored).toBeGreaterThanOrEqual(20);
    expect(mirrored).toBeLessThan(300);
    let records = 0;
    for await (const _ of env.stores.get("lane-0")!.listRecords()) records++;
    expect(records).toBeGreaterThanOrEqual(20);
    await new Promise((r) => setTimeout(r, 200));
    expect(lane0.workspace.listIncidents().length).toBe(mirrored);
    const next = await env.fleet.runOnce();
    expect(next.lanes.map((l) => l.laneId)).toEqual(["lane-1", "lane-2"]);
    await expectAllConverged(env, ["lane-1", "lane-2"]);
  });

  it("start() runs each lane on its own cadence, picks up lanes added while running, and close() waits for cycles in flight", async () => {
    env = await fleetOnEmulator({
      lanes: 2,
      incidents: 3,
      fleet: { laneDefaults: { pollIntervalInMs: 1_000 } },
      wrapStore: (laneId, store) => (laneId === "lane-1" ? slowStore(store, 300) : store),
    });
    const cycles = new Map<string, number>();
    env.fleet.on("cycle.completed", (e) => cycles.set(e.laneId, (cycles.get(e.laneId) ?? 0) + 1));
    const run = env.fleet.start();
    expect(run.isRunning).toBe(true);
    await expect(env.fleet.runOnce()).rejects.toThrow(/started/);
    expect(() => env!.fleet.start()).toThrow(/already started/);
    const late = env.laneFor(2);
    env.fleet.addLane(late.options);
    env.lanes.push(late);
    await waitFor(() => (cycles.get("lane-0") ?? 0) >= 2 && (cycles.get("lane-2") ?? 0) >= 2, 8_000);
    // lane-1's cycle takes ≥ 300 ms; stop while one is in flight, and close waits for it.
    await waitFor(() => env!.fleet.lane("lane-1")!.running, 3_000);
    const before = cycles.get("lane-1") ?? 0;
    await run.close();
    expect(run.isRunning).toBe(false);
    expect(cycles.get("lane-1")).toBe(before + 1);
    const after = new Map(cycles);
    await new Promise((r) => setTimeout(r, 1_300));
    expect(cycles).toEqual(after);
    await expectAllConverged(env);
  });

  it("a shared client's throttling and warnings reach only the lane whose request it was", async () => {
    env = await fleetOnEmulator({ lanes: 0, incidents: 6, sharedTenant: true });
    const a = env.laneFor(0);
    const b = env.laneFor(1);
    // One DefenderClient for both lanes, with a budget so small that most requests wait.
    const tiny = new DefenderClient(env.emu.credentialFor(a.tenant.tenantId), {
      endpoint: env.server.defenderEndpoint,
      rateLimit: { read: { capacity: 1, refillPerSecond: 4 } },
    });
    // Count the engines listening to the client's throttling.
    let listening = 0;
    const subscribe = tiny.metrics.onThrottle.bind(tiny.metrics);
    tiny.metrics.onThrottle = (listener) => {
      listening++;
      const off = subscribe(listener);
      return () => {
        listening--;
        return off();
      };
    };
    env.fleet.addLane({ ...a.options, defender: tiny });
    env.fleet.addLane({ ...b.options, defender: tiny });
    expect(listening).toBe(2);
    let clientThrottles = 0;
    tiny.metrics.onThrottle(() => clientThrottles++);
    const byLane = new Map<string, number>();
    env.fleet.on("throttled", (e) => byLane.set(e.laneId, (byLane.get(e.laneId) ?? 0) + 1));
    const report = await env.fleet.runOnce();
    expect(report.totals.completed).toBe(2);
    expect(clientThrottles).toBeGreaterThan(0);
    // Each wait is reported once, for one lane (not once per engine sharing the client).
    expect([...byLane.values()].reduce((n, c) => n + c, 0)).toBe(clientThrottles);
    // A removed lane's engine lets go of the client the other lane still uses.
    await env.fleet.removeLane(a.id);
    expect(listening).toBe(2); // the remaining engine and this test's counter
  });

  it("runs only the lanes its LaneOwnership grants; a lane lost mid-cycle stops at once", async () => {
    const ownership = new FakeOwnership(["lane-0", "lane-1"]);
    env = await fleetOnEmulator({
      lanes: 3,
      incidents: (i) => (i === 1 ? 300 : 3),
      fleet: { ownership, laneDefaults: { maxConcurrency: 2 } },
    });
    const lost: string[] = [];
    env.fleet.on("lane.lost", (e) => lost.push(e.laneId));
    let created = 0;
    env.fleet.on("incident.created", (e) => {
      if (e.laneId === "lane-1" && ++created === 10) ownership.lose("lane-1");
    });
    const first = await env.fleet.runOnce();
    expect(first.lanes.map((l) => [l.laneId, l.status, "reason" in l ? l.reason : undefined])).toEqual([
      ["lane-0", "completed", undefined],
      ["lane-1", "skipped", "lost"],
      ["lane-2", "skipped", "notOwned"],
    ]);
    expect(env.fleet.lane("lane-2")).toMatchObject({ owned: false, unhealthy: false });
    const mirrored = env.lanes[1]!.workspace.listIncidents().length;
    expect(mirrored).toBeLessThan(300);
    // The next claim reports the loss; the lane is not run.
    const second = await env.fleet.runOnce();
    expect(lost).toEqual(["lane-1"]);
    expect(second.lanes.map((l) => l.status)).toEqual(["completed", "skipped", "skipped"]);
    expect(env.lanes[1]!.workspace.listIncidents()).toHaveLength(mirrored);
    await env.fleet.removeLane("lane-0");
    expect(ownership.released).toEqual(["lane-0"]);
    await env.fleet.close();
    expect(ownership.released).toEqual(["lane-0", "lane-1", "lane-2"]);
  });

  it("refuses bad lanes and options with InvalidArgumentError naming them", async () => {
    env = await fleetOnEmulator({ lanes: 1, incidents: 1 });
    const lane = env.laneFor(1);
    for (const id of ["", "a/b", "x?", " padded", "a".repeat(129), "tab\there"]) {
      expect(() => env!.fleet.addLane({ ...lane.options, id })).toThrow(InvalidArgumentError);
    }
    expect(() => env!.fleet.addLane({ ...lane.options, id: "lane-0" })).toThrow(/exists already/);
    const bad = (() => {
      try {
        env!.fleet.addLane({ ...lane.options, id: "ok", maxConcurrency: 0 });
      } catch (e) {
        return e;
      }
    })();
    expect(bad).toBeInstanceOf(InvalidArgumentError);
    expect((bad as InvalidArgumentError).argument).toBe("maxConcurrency");
    // Engine options reach the lane's engine: a unified target needs the source tenant id.
    const target = new UnifiedTarget({
      defender: lane.defender,
      sentinel: lane.sentinel,
      ingestion: { endpoint: env.server.url, ruleId: "dcr-00112233", streamName: "Custom-DefenderRelay_CL" },
      credential: env.emu.credential,
    });
    expect(() =>
      env!.fleet.addLane({ id: "unified", defender: lane.defender, target, tenantId: undefined }),
    ).toThrow(/tenantId/);
    env.fleet.addLane({ id: "unified", defender: lane.defender, target, tenantId: lane.tenant.tenantId });
    expect(env.fleet.laneIds).toEqual(["lane-0", "unified"]);
    expect(await env.fleet.removeLane("unified")).toBe(true);
    expect(env.fleet.laneIds).toEqual(["lane-0"]);
    expect(() => new SyncFleet({ maxConcurrentLanes: 0 })).toThrow(/maxConcurrentLanes/);
    expect(() => new SyncFleet({ stateStore: {} as never })).toThrow(/stateStore/);
    expect(
      () => new SyncFleet({ ownership: { claim: async () => ({ owned: [], lost: [] }) } as never }),
    ).toThrow(/ownership/);
    await env.fleet.close();
    expect(() => env!.fleet.addLane(lane.options)).toThrow(/closed/);
  });
});

/** Ownership as a lease manager would give it: some lanes, and a lane can be lost (its signal aborts). */
class FakeOwnership implements LaneOwnership {
  readonly released: string[] = [];
  private readonly owned: Set<string>;
  private readonly controllers = new Map<string, AbortController>();
  private lostSinceClaim: string[] = [];

  constructor(owned: string[]) {
    this.owned = new Set(owned);
  }

  async claim(laneIds: readonly string[]): Promise<{ owned: string[]; lost: string[] }> {
    const lost = this.lostSinceClaim;
    this.lostSinceClaim = [];
    return { owned: laneIds.filter((id) => this.owned.has(id)), lost };
  }

  signalFor(laneId: string): AbortSignal {
    let controller = this.controllers.get(laneId);
    if (!controller || controller.signal.aborted) {
      controller = new AbortController();
      this.controllers.set(laneId, controller);
    }
    return controller.signal;
  }

  lose(laneId: string): void {
    this.owned.delete(laneId);
    this.lostSinceClaim.push(laneId);
    this.controllers.get(laneId)?.abort();
  }

  async release(laneIds: readonly string[]): Promise<void> {
    this.released.push(...laneIds);
  }
}
