/**
 * Chaos: three fleet processes (test/fleet/chaosChild.ts) share 30 lanes — 30 emulated tenants, each mirrored into
 * its own workspace — through Blob leases and a Table ledger on one Azurite. The emulator runs here; the
 * processes reach it over HTTP while this process keeps making analyst edits on both sides. One process is
 * SIGKILLed mid-cycle (its lanes must be taken over within the lease duration plus one poll), or cut off from
 * the lease storage (its lanes must stop writing before anyone else takes them: fencing). Afterwards every
 * Defender incident has exactly one Sentinel incident, every edit is on both sides, and a fresh fleet over the
 * same ledger finds nothing to write.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import {
  DefenderClient,
  SentinelClient,
  SyncFleet,
  sentinelNameFor,
  TableStateStore,
} from "defender-sentinel-sync";
import { createEmulator, type Emulator, type EmulatorServer } from "defender-sentinel-sync/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from "../helpers/azurite";
import type { ChaosChildConfig } from "./chaosChild";
import { FAST_RETRIES, type FleetLaneSetup, laneProblems, tenantIdOf } from "./syncFleetHelpers";

const LANES = 30;
const INCIDENTS = 5;
const LEASE = 15_000;
const POLL = 1_000;
/** Startup of a round after the lease lapses (claim interval, first cycle's requests on a loaded machine). */
const SLACK = 5_000;

let az: Azurite;
beforeAll(async () => {
  az = await startAzurite();
}, 60_000);
afterAll(async () => {
  await az?.stop();
});

interface ChildEvent {
  ev: string;
  lane?: string;
  lanes?: string[];
  fenced?: boolean;
  /** When the member sent it (its clock: the same machine's). */
  t: number;
  /** When this process received it (ms since the epoch). */
  at: number;
}

interface Member {
  id: string;
  process: ChildProcess;
  events: ChildEvent[];
  owned: string[];
  stderr: string[];
  ready: Promise<void>;
}

interface World {
  emu: Emulator;
  server: EmulatorServer;
  lanes: FleetLaneSetup[];
  members: Member[];
  containerName: string;
  tableName: string;
}

let world: World | undefined;
afterEach(async () => {
  for (const m of world?.members ?? []) m.process.kill("SIGKILL");
  await world?.server.close();
  await world?.emu.close();
  world = undefined;
});

async function startWorld(): Promise<World> {
  const emu = createEmulator({ throttling: false, seed: 11, incidents: 0 });
  const server = await emu.listen();
  const lanes: FleetLaneSetup[] = [];
  for (let i = 0; i < LANES; i++) {
    const tenant = emu.addTenant({ tenantId: tenantIdOf(i), incidents: INCIDENTS });
    const workspace = emu.addWorkspace({
      subscriptionId: server.subscriptionId,
      resourceGroupName: server.resourceGroupName,
      workspaceName: `ws-chaos-${i}`,
    });
    const { defender, sentinel } = clientsFor(server, tenant.tenantId, workspace.workspaceName, emu);
    lanes.push({ id: `lane-${i}`, tenant, workspace, defender, sentinel });
  }
  const suffix = randomUUID().slice(0, 8);
  const w: World = {
    emu,
    server,
    lanes,
    members: [],
    containerName: `chaos-${suffix}`,
    tableName: `chaos${suffix}`,
  };
  world = w;
  w.members = ["a", "b", "c"].map((id) => spawnMember(w, id));
  await Promise.all(w.members.map((m) => m.ready));
  return w;
}

function clientsFor(server: EmulatorServer, tenantId: string, workspaceName: string, emu: Emulator) {
  const defender = new DefenderClient(emu.credentialFor(tenantId), {
    endpoint: server.defenderEndpoint,
    retryOptions: FAST_RETRIES,
  });
  const sentinel = new SentinelClient(emu.credential, {
    endpoint: server.sentinelEndpoint,
    subscriptionId: server.subscriptionId,
    resourceGroupName: server.resourceGroupName,
    workspaceName,
    retryOptions: FAST_RETRIES,
  });
  return { defender, sentinel };
}

function spawnMember(w: World, id: string): Member {
  const config: ChaosChildConfig = {
    instanceId: `chaos-${id}`,
    blobEndpoint: az.blobEndpoint,
    tableEndpoint: az.tableEndpoint,
    accountName: AZURITE_ACCOUNT,
    accountKey: AZURITE_KEY,
    containerName: w.containerName,
    tableName: w.tableName,
    defenderEndpoint: w.server.defenderEndpoint,
    sentinelEndpoint: w.server.sentinelEndpoint,
    subscriptionId: w.server.subscriptionId,
    resourceGroupName: w.server.resourceGroupName,
    lanes: w.lanes.map((l) => ({
      id: l.id,
      tenantId: l.tenant.tenantId,
      workspaceName: l.workspace.workspaceName,
    })),
    leaseDurationInMs: LEASE,
    pollIntervalInMs: POLL,
  };
  // node with tsx's loader (not the tsx wrapper), so that SIGKILL kills the member itself.
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.resolve(__dirname, "chaosChild.ts"), JSON.stringify(config)],
    { cwd: path.resolve(__dirname, "../.."), stdio: ["pipe", "pipe", "pipe"] },
  );
  const member: Member = { id, process: child, events: [], owned: [], stderr: [], ready: Promise.resolve() };
  createInterface({ input: child.stderr! }).on("line", (line) => {
    member.stderr.push(line);
    if (member.stderr.length > 50) member.stderr.shift();
  });
  member.ready = new Promise<void>((resolve, reject) => {
    child.once("exit", (code, signal) =>
      reject(new Error(`member ${id} exited (${code ?? signal}): ${member.stderr.join("\n")}`)),
    );
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let event: ChildEvent;
      try {
        event = { ...(JSON.parse(line) as ChildEvent), at: Date.now() };
      } catch {
        return; // not a report
      }
      member.events.push(event);
      if (event.ev === "owned") member.owned = event.lanes ?? [];
      if (event.ev === "ready") resolve();
    });
  });
  member.ready.catch(() => undefined);
  return member;
}

/** Lanes with a completed cycle since `since`, from `members`. */
function lanesDone(members: Member[], since: number): Set<string> {
  const done = new Set<string>();
  for (const m of members)
    for (const e of m.events) if (e.ev === "done" && e.at > since && e.lane) done.add(e.lane);
  return done;
}

async function until(condition: () => boolean, timeoutInMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const DEFENDER_SEVERITIES = ["low", "medium", "high", "informational"] as const;
const SENTINEL_SEVERITY: Record<string, string> = {
  low: "Low",
  medium: "Medium",
  high: "High",
  informational: "Informational",
};

/**
 * Analyst edits every `everyMs`: a random incident's severity and a comment carrying a unique token, in
 * Defender for incidents at even positions and in Sentinel for odd ones (each incident edited on one side
 * only, so "latest wins" has one right answer: the last edit).
 */
function startEdits(w: World, everyMs: number) {
  const lastSeverity = new Map<string, { lane: FleetLaneSetup; defenderId: string; severity: string }>();
  const comments: { lane: FleetLaneSetup; defenderId: string; token: string }[] = [];
  let n = 0;
  const timer = setInterval(() => {
    const lane = w.lanes[Math.floor(Math.random() * w.lanes.length)]!;
    const incidents = lane.tenant.defender.listIncidents();
    const index = Math.floor(Math.random() * incidents.length);
    const defenderId = incidents[index]!.id;
    const severity = DEFENDER_SEVERITIES[Math.floor(Math.random() * 4)]!;
    const token = `[chaos-edit-${n++}]`; // bracketed: edit 1 must not match edit 11
    if (index % 2 === 0) {
      lane.tenant.defender.editIncident(defenderId, { severity });
      lane.tenant.defender.addComment(defenderId, token);
    } else {
      const name = sentinelNameFor(lane.tenant.tenantId, defenderId);
      if (!lane.workspace.getIncident(name)) return; // not mirrored yet
      lane.workspace.editIncident(name, { severity: SENTINEL_SEVERITY[severity] } as never);
      lane.workspace.addComment(name, token);
    }
    lastSeverity.set(`${lane.id}/${defenderId}`, { lane, defenderId, severity });
    comments.push({ lane, defenderId, token });
  }, everyMs);
  return {
    stop: () => clearInterval(timer),
    get count() {
      return comments.length;
    },
    /** Edits not visible on both sides. */
    lost(): string[] {
      const lost: string[] = [];
      for (const [key, { lane, defenderId, severity }] of lastSeverity) {
        const d = lane.tenant.defender.getIncident(defenderId)?.severity;
        const s = lane.workspace.getIncident(sentinelNameFor(lane.tenant.tenantId, defenderId))?.properties
          .severity;
        if (d !== severity || s !== SENTINEL_SEVERITY[severity])
          lost.push(`${key}: severity ${severity} edited, Defender ${d}, Sentinel ${s}`);
      }
      for (const { lane, defenderId, token } of comments) {
        const d = lane.tenant.defender.getIncident(defenderId)?.comments ?? [];
        const name = sentinelNameFor(lane.tenant.tenantId, defenderId);
        const s = lane.workspace.listComments(name);
        const inDefender = d.filter((c) => c.comment.includes(token)).length;
        const inSentinel = s.filter((c) => c.properties.message.includes(token)).length;
        if (inDefender !== 1 || inSentinel !== 1)
          lost.push(
            `${lane.id}/${defenderId}: comment ${token} ×${inDefender} in Defender, ×${inSentinel} in Sentinel`,
          );
      }
      return lost;
    },
  };
}

/** After the edits stopped: every lane completes two cycles started later, then the members are stopped. */
async function settle(w: World, survivors: Member[], stoppedAt: number): Promise<void> {
  const cyclesAfter = (lane: string) =>
    survivors.flatMap((m) => m.events).filter((e) => e.lane === lane && e.ev === "start" && e.at > stoppedAt)
      .length;
  await until(
    () => lanesDone(survivors, stoppedAt).size === LANES && w.lanes.every((l) => cyclesAfter(l.id) >= 3),
    30_000,
    "every lane to cycle after the edits stopped",
  );
  for (const m of w.members) m.process.kill("SIGKILL");
}

/** No duplicate mirror, nothing lost, and a fresh fleet over the same ledger has nothing to write. */
async function assertConverged(w: World, edits: ReturnType<typeof startEdits>): Promise<void> {
  const ledger = new TableStateStore({
    connectionString: az.connectionString,
    tableName: w.tableName,
    clientOptions: { allowInsecureConnection: true },
  });
  const problems: string[] = [];
  for (const lane of w.lanes) problems.push(...(await laneProblems(lane, ledger.forLane(lane.id))));
  expect(problems).toEqual([]);
  expect(edits.lost()).toEqual([]);
  const fleet = new SyncFleet({ stateStore: ledger });
  for (const lane of w.lanes)
    fleet.addLane({
      id: lane.id,
      defender: lane.defender,
      sentinel: lane.sentinel,
      tenantId: lane.tenant.tenantId,
    });
  const report = await fleet.runOnce();
  await fleet.close();
  expect(report.totals.completed).toBe(LANES);
  expect(report.totals.writes).toEqual({ defender: 0, sentinel: 0 });
}

describe("chaos: three fleet processes, 30 lanes, one Azurite", () => {
  it("a process SIGKILLed mid-cycle: its lanes are taken over within the lease plus one poll, nothing lost or doubled", async () => {
    const w = await startWorld();
    const startedAt = Date.now();
    await until(() => lanesDone(w.members, 0).size === LANES, 40_000, "every lane's first cycle");
    const firstRound = Date.now() - startedAt;
    const edits = startEdits(w, 100);
    const victim = w.members[Math.floor(Math.random() * 3)]!;
    const survivors = w.members.filter((m) => m !== victim);
    await until(() => victim.owned.length > 0, 10_000, "the victim to own lanes");
    // Mid-cycle: right after one of its cycles read its ledger, a random 0-150 ms later.
    const seen = victim.events.length;
    await until(() => victim.events.slice(seen).some((e) => e.ev === "start"), 10_000, "a victim cycle");
    await new Promise((r) => setTimeout(r, Math.random() * 150));
    const orphaned = [...victim.owned];
    const midCycle = victim.events
      .slice(seen)
      .filter((e) => e.ev === "start")
      .map((e) => e.lane);
    victim.process.kill("SIGKILL");
    const killedAt = Date.now();
    await until(
      () => orphaned.every((lane) => lanesDone(survivors, killedAt).has(lane)),
      LEASE + POLL + SLACK + 10_000,
      "the orphaned lanes to be taken over",
    );
    const takeover = Date.now() - killedAt;
    edits.stop();
    const stoppedAt = Date.now();
    await settle(w, survivors, stoppedAt);
    console.info(
      `[chaos] kill: first round ${firstRound} ms; killed ${victim.id} owning ${orphaned.length} lanes ` +
        `(mid-cycle in ${midCycle.join(",")}); takeover ${takeover} ms for a ${LEASE} ms lease ` +
        `(ratio ${(takeover / LEASE).toFixed(2)}); ${edits.count} edits`,
    );
    expect(orphaned.length).toBeGreaterThan(0);
    expect(takeover).toBeLessThanOrEqual(LEASE + POLL + SLACK);
    await assertConverged(w, edits);
  }, 120_000);

  it("a process cut off from the lease storage stops writing before its lanes are taken over (fencing)", async () => {
    const w = await startWorld();
    await until(() => lanesDone(w.members, 0).size === LANES, 40_000, "every lane's first cycle");
    const edits = startEdits(w, 100);
    const victim = w.members[Math.floor(Math.random() * 3)]!;
    const survivors = w.members.filter((m) => m !== victim);
    await until(() => victim.owned.length > 0, 10_000, "the victim to own lanes");
    const orphaned = [...victim.owned];
    victim.process.stdin!.write("partition blob\n");
    const cutAt = Date.now();
    await until(
      () => orphaned.every((lane) => lanesDone(survivors, cutAt).has(lane)),
      LEASE + POLL + SLACK + 10_000,
      "the cut-off member's lanes to be taken over",
    );
    const takeover = Date.now() - cutAt;
    await until(() => victim.owned.length === 0, 5_000, "the cut-off member to give its lanes up");
    edits.stop();
    const stoppedAt = Date.now();
    await settle(w, survivors, stoppedAt);
    const all = w.members.flatMap((m) => m.events);
    const fencedWrites = all.filter((e) => e.ev === "write" && e.fenced);
    // Split brain: a write of the cut-off member after a survivor began a cycle of the same lane.
    const firstSurvivorStart = new Map<string, number>();
    for (const e of survivors.flatMap((m) => m.events))
      if (e.ev === "start" && e.t > cutAt && e.lane && !(firstSurvivorStart.get(e.lane)! <= e.t))
        firstSurvivorStart.set(e.lane, e.t);
    const victimWrites = victim.events.filter((e) => e.ev === "write" && e.t > cutAt);
    const lastVictimWrite = Math.max(cutAt, ...victimWrites.map((e) => e.t));
    const gaveUp = victim.events.find((e) => e.ev === "owned" && e.t > cutAt && e.lanes?.length === 0);
    const writesBefore = victim.events.filter((e) => e.ev === "write" && e.t <= cutAt).length;
    const overlapping = victimWrites.filter((e) => e.t >= (firstSurvivorStart.get(e.lane!) ?? Infinity));
    console.info(
      `[chaos] partition: ${victim.id} cut off owning ${orphaned.length} lanes (${writesBefore} writes before); ` +
        `its signals aborted ≤${(gaveUp?.t ?? Number.NaN) - cutAt} ms after the cut; it wrote ${victimWrites.length} ` +
        `times after the cut, the last ${lastVictimWrite - cutAt} ms after it; takeover ${takeover} ms for a ` +
        `${LEASE} ms lease (ratio ${(takeover / LEASE).toFixed(2)}); ${edits.count} edits`,
    );
    expect(orphaned.length).toBeGreaterThan(0);
    expect(fencedWrites).toEqual([]);
    expect(overlapping).toEqual([]);
    expect(takeover).toBeLessThanOrEqual(LEASE + POLL + SLACK);
    await assertConverged(w, edits);
  }, 120_000);
});
