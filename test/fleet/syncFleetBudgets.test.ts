import {
  FleetBudgets,
  InvalidArgumentError,
  type LaneCycleResult,
  RelayPacer,
  type SyncReport,
} from "defender-sentinel-sync";
import { afterEach, describe, expect, it } from "vitest";
import { FairRelayPacer, maxMinShares } from "../../src/fleet/fairRelayPacer";
import { runInLane } from "../../src/fleet/laneScope";
import { type FleetEnv, fleetOnEmulator, laneProblems, slowStore } from "./syncFleetHelpers";

let env: FleetEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

describe("FleetBudgets", () => {
  it("hands out one limiter per service budget key (ids compared case-insensitively)", () => {
    const budgets = new FleetBudgets();
    const tenant = "7E1A0000-0000-4000-8000-000000000001";
    expect(budgets.graph(tenant)).toBe(budgets.graph(tenant.toLowerCase()));
    expect(budgets.graph(tenant)).not.toBe(budgets.graph("7e1a0000-0000-4000-8000-000000000002"));
    expect(budgets.graph(tenant, "app-a")).not.toBe(budgets.graph(tenant, "app-b"));
    expect(budgets.arm("sub-1")).toBe(budgets.arm("SUB-1"));
    expect(budgets.arm("sub-1", "principal-a")).not.toBe(budgets.arm("sub-1", "principal-b"));
    // 90% of the services' limits by default: Graph one 150/min bucket, ARM writes 200 at 10/s.
    expect(budgets.graph(tenant).bucket("write")).toBe(budgets.graph(tenant).bucket("read"));
    expect(budgets.graph(tenant).bucket("read").refillPerSecond).toBeCloseTo(2.25);
    expect(budgets.graph(tenant).bucket("read").capacity).toBe(135);
    expect(budgets.arm("sub-1").bucket("write").capacity).toBe(180);
    expect(budgets.arm("sub-1").bucket("write").refillPerSecond).toBe(9);
    expect(new FleetBudgets({ headroom: 1 }).arm("s").bucket("read").capacity).toBe(250);
    expect(() => new FleetBudgets({ headroom: 0 })).toThrow(/headroom/);
    expect(budgets.relayPacer("dcr-1")).toBe(budgets.relayPacer("DCR-1"));
    expect(budgets.relayPacer("dcr-1", "Custom-A_CL")).not.toBe(budgets.relayPacer("dcr-1", "Custom-B_CL"));
    expect(budgets.keys()).toHaveLength(10);
    expect(() => budgets.graph(" ")).toThrow(InvalidArgumentError);
    expect(() => budgets.arm("")).toThrow(/subscriptionId/);
  });

  it("lanes running through runInLane take turns on a shared budget", async () => {
    const budgets = new FleetBudgets({ graph: { read: { capacity: 1, refillPerSecond: 100 } } });
    const limiter = budgets.graph("t");
    const order: string[] = [];
    const burst = (lane: string, n: number) =>
      runInLane(lane, () =>
        Promise.all(Array.from({ length: n }, () => limiter.acquire("read").then(() => order.push(lane)))),
      );
    await Promise.all([burst("backlog", 8), burst("quiet", 2)]);
    // The quiet lane's 2 requests are among the first 5 granted, not the last 2.
    expect(order.slice(0, 5).filter((l) => l === "quiet")).toHaveLength(2);
    expect(order).toHaveLength(10);
  });
});

describe("FairRelayPacer", () => {
  it("max-min shares: small wants are met, the rest split evenly", () => {
    const shares = (wants: Record<string, number>) =>
      Object.fromEntries(maxMinShares(140, new Map(Object.entries(wants))));
    expect(shares({ a: 1000 })).toEqual({ a: 140 });
    expect(shares({ a: 1000, b: 5 })).toEqual({ a: 135, b: 5 });
    expect(shares({ a: 1000, b: 1000, c: 1000 })).toEqual({ a: 46, b: 47, c: 47 });
    expect(shares({ a: 10, b: 20 })).toEqual({ a: 10, b: 20 });
  });

  it("a backlogged lane cannot take every rule run's budget from a quiet lane", () => {
    let t = 0;
    let lane = "";
    const window = 300_000;
    const fair = new FairRelayPacer({ now: () => t, flowOf: () => lane });
    const plain = new RelayPacer({ now: () => t });
    const ask = (pacer: RelayPacer, who: string, rows: number) => {
      lane = who;
      return pacer.take(rows);
    };
    for (const pacer of [fair, plain]) {
      t = 0;
      expect(ask(pacer, "backlog", 1_000)).toBe(140); // alone: the whole budget
      expect(ask(pacer, "quiet", 5)).toBe(0); // spent
    }
    // Next rule run: the backlog lane asks first again.
    t = window + 1;
    expect(ask(plain, "backlog", 860)).toBe(140);
    expect(ask(plain, "quiet", 5)).toBe(0);
    expect(ask(fair, "backlog", 860)).toBe(135);
    expect(ask(fair, "quiet", 5)).toBe(5);
    // Giving rows back (a failed upload) returns them to the budget.
    lane = "quiet";
    fair.giveBack(5);
    expect(fair.available()).toBe(5);
  });
});

describe("FleetBudgets.relayPacer", () => {
  it("lanes writing to one relay rule share its pacer and get fair shares by their lane scope", () => {
    let t = 0;
    const budgets = new FleetBudgets({ now: () => t });
    const pacer = budgets.relayPacer("dcr-0011", "Custom-DefenderRelay_CL");
    expect(runInLane("backlog", () => pacer.take(1_000))).toBe(140);
    expect(runInLane("quiet", () => pacer.take(3))).toBe(0);
    t = 300_001;
    expect(runInLane("backlog", () => pacer.take(860))).toBe(137);
    expect(runInLane("quiet", () => pacer.take(3))).toBe(3);
    expect(pacer.available()).toBe(0);
  });
});

describe("shared budgets on the emulator (server-side throttling on, time ×20)", () => {
  /** 10 lanes read one tenant; analysts tag 30 incidents in each workspace, so each lane PATCHes 30 in Graph. */
  async function graphHeavyRound(limits: "shared" | "perClient") {
    env = await fleetOnEmulator({
      lanes: 10,
      incidents: 30,
      sharedTenant: true,
      limits,
      timeScale: 20,
      emulator: { throttling: true },
      fleet: { maxConcurrentLanes: 10 },
    });
    const backfill = await env.fleet.runOnce();
    expect(backfill.totals.completed).toBe(10);
    for (const lane of env.lanes) {
      for (const incident of lane.workspace.listIncidents()) {
        const labels = incident.properties.labels ?? [];
        lane.workspace.editIncident(incident.name, {
          labels: [...labels, { labelName: "fleet-triage", labelType: "User" }],
        });
      }
    }
    const before = env.emu.stats().defender;
    const started = Date.now();
    const report = await env.fleet.runOnce();
    const seconds = (Date.now() - started) / 1000;
    const after = env.emu.stats().defender;
    const requests = after.requests - before.requests;
    const throttled = after.throttled - before.throttled;
    return { report, requests, throttled, seconds, ratio: throttled / requests };
  }

  it("10 lanes on one tenant share its Graph budget: < 1% answered 429 (vs each client its own budget)", async () => {
    const shared = await graphHeavyRound("shared");
    expect(shared.report.totals.completed).toBe(10);
    expect(shared.report.totals.writes.defender).toBeGreaterThanOrEqual(30);
    // More requests than the bucket holds, so the budget had to be shared over time.
    expect(shared.requests).toBeGreaterThan(150);
    expect(shared.ratio).toBeLessThan(0.01);
    // Within the tenant's budget: at most the 150 burst plus 2.5/s × 20 over the round.
    expect(shared.requests).toBeLessThanOrEqual(150 + 50 * shared.seconds + 1);
    const problems: string[] = [];
    for (const lane of env!.lanes) problems.push(...(await laneProblems(lane, env!.stores.get(lane.id)!)));
    expect(problems).toEqual([]);
    await env!.close();
    env = undefined;

    const separate = await graphHeavyRound("perClient");
    console.info(
      `[fleet] Graph 429 rate, 10 lanes on one tenant: shared budget ${(shared.ratio * 100).toFixed(2)}% of ${shared.requests} requests in ${shared.seconds.toFixed(1)} s, ${shared.report.totals.completed}/10 lanes completed; each client its own budget ${(separate.ratio * 100).toFixed(2)}% of ${separate.requests} in ${separate.seconds.toFixed(1)} s, ${separate.report.totals.completed}/10 completed`,
    );
    // Without sharing, the lanes overdraw the tenant's bucket together.
    expect(separate.ratio).toBeGreaterThan(0.01);
  }, 180_000);
});

describe("a backlog lane beside a quiet lane on one ARM write budget", () => {
  /**
   * A quiet lane (3 changed incidents) and a lane backfilling 1,000 incidents with concurrency 32 write to one
   * subscription. The ARM write budget is shrunk to 10 burst, 20/s so the backlog saturates it within the test.
   * Measures the quiet lane's cycle alone and beside the backlog, with fair turns and first-come-first-served.
   */
  async function quietDelay(limits: "shared" | "sharedFifo") {
    const arm = {
      read: { capacity: 250, refillPerSecond: 250 },
      write: { capacity: 10, refillPerSecond: 20 },
      delete: { capacity: 10, refillPerSecond: 20 },
    };
    env = await fleetOnEmulator({
      lanes: 0,
      incidents: (i) => (i === 0 ? 1_000 : 6),
      limits,
      sizes: { arm },
      headroom: 1, // the same budget as the first-come-first-served limiter

      // The quiet lane's cycle starts 1 s late (in both measurements), when the backlog holds the budget.
      wrapStore: (laneId, store) => (laneId === "lane-1" ? slowStore(store, 1_000) : store),
    });
    const backlog = env.laneFor(0, { maxConcurrency: 32, cycleTimeoutInMs: 5_000 });
    const quiet = env.laneFor(1);
    env.fleet.addLane(quiet.options);
    await env.fleet.runOnce();
    const touch = (ids: string[]) => {
      for (const id of ids)
        quiet.tenant.defender.editIncident(id, { displayName: `Changed ${id} ${Date.now()}` });
    };
    const ids = quiet.tenant.defender.listIncidents().map((i) => i.id);
    await new Promise((r) => setTimeout(r, 1_000)); // the bucket refills
    touch(ids.slice(0, 3));
    const alone = reportOf((await env.fleet.runOnce()).lanes, quiet.id);
    await new Promise((r) => setTimeout(r, 1_000));
    touch(ids.slice(3, 6));
    env.fleet.addLane(backlog.options);
    const round = await env.fleet.runOnce();
    const beside = reportOf(round.lanes, quiet.id);
    const backlogResult = round.lanes.find((l) => l.laneId === backlog.id)!;
    expect(alone.counts.updatedInSentinel).toBe(3);
    expect(beside.counts.updatedInSentinel).toBe(3);
    const created = backlog.workspace.listIncidents().length;
    await env.close();
    env = undefined;
    return { alone: alone.durationInMs, beside: beside.durationInMs, backlogResult, created };
  }

  it("a lane with a 1,000-incident backlog delays a quiet lane's cycle by at most a few write turns", async () => {
    const fair = await quietDelay("shared");
    const fifo = await quietDelay("sharedFifo");
    const fairDelay = fair.beside - fair.alone;
    const fifoDelay = fifo.beside - fifo.alone;
    console.info(
      `[fleet] quiet lane cycle: alone ${fair.alone} ms, beside a 1,000-incident backlog ${fair.beside} ms with fair turns (delay ${fairDelay} ms); first-come-first-served: alone ${fifo.alone} ms, beside ${fifo.beside} ms (delay ${fifoDelay} ms); backlog created ${fair.created} / ${fifo.created} before its 5 s cycle timeout`,
    );
    // The backlog lane really held the budget: it was still writing when its cycle timed out.
    expect(fair.backlogResult).toMatchObject({ status: "failed", reason: "cycleTimeout" });
    expect(fair.created).toBeGreaterThan(20);
    expect(fair.created).toBeLessThan(1_000);
    // X = 750 ms: 3 writes, each waiting at most one backlog write (50 ms at 20/s) plus service time.
    expect(fairDelay).toBeLessThan(750);
    expect(fairDelay).toBeLessThan(fifoDelay);
  }, 180_000);
});

function reportOf(lanes: LaneCycleResult[], laneId: string): SyncReport {
  const r = lanes.find((l) => l.laneId === laneId);
  if (r?.status !== "completed") throw new Error(`${laneId} did not complete: ${JSON.stringify(r)}`);
  return r.report;
}
