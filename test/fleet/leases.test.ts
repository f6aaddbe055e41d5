import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import { ContainerClient, newPipeline, StorageSharedKeyCredential } from "@azure/storage-blob";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BlobLeaseManager } from "../../src/fleet/leases/blobLeaseManager";
import { isLaneLostError } from "../../src/fleet/leases/laneLostError";
import type { LaneClaimRound, LaneGain, LaneLoss } from "../../src/fleet/leases/leaseEvents";
import type { BlobLeaseManagerOptions } from "../../src/fleet/leases/leaseOptions";
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from "../helpers/azurite";

/** Azurite, like Azure, accepts leases of 15 to 60 s: the takeover tests run on real 15 s leases. */
const LEASE = 15_000;
const TEN = Array.from({ length: 10 }, (_, i) => `tenant-${i}`);

let az: Azurite;
const managers: BlobLeaseManager[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  az = await startAzurite();
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await Promise.all(managers.splice(0).map((m) => m.close()));
  await az?.stop();
});

interface Wire {
  partitioned: boolean;
  /** Lease actions sent (acquire, renew, release, break) with the time they were sent. */
  leaseActions: Array<{ action: string; at: number }>;
  /** Every request sent. */
  requests?: number;
}

/** A container client whose requests can be cut (a network partition) and whose lease calls are counted. */
function wiredContainer(name: string, wire: Wire): ContainerClient {
  const pipeline = newPipeline(new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY), {
    retryOptions: { maxTries: 2, retryDelayInMs: 100, maxRetryDelayInMs: 200 },
  });
  pipeline.factories.push({
    create: (next) => ({
      sendRequest: async (request) => {
        if (wire.partitioned) {
          throw Object.assign(new Error("connect ECONNREFUSED (test partition)"), { code: "ECONNREFUSED" });
        }
        wire.requests = (wire.requests ?? 0) + 1;
        const action = request.headers.get("x-ms-lease-action");
        if (action) wire.leaseActions.push({ action, at: performance.now() });
        return next.sendRequest(request);
      },
    }),
  });
  return new ContainerClient(`${az.blobEndpoint}/${name}`, pipeline);
}

/** A manager closed after the test (`owners`: a list the test closes itself, for concurrent tests). */
function manager(options: BlobLeaseManagerOptions, owners = managers): BlobLeaseManager {
  const m = new BlobLeaseManager({ leaseDurationInMs: LEASE, ...options });
  owners.push(m);
  return m;
}

const count = (wire: Wire, action: string) => wire.leaseActions.filter((x) => x.action === action).length;

function plainContainer(name: string): ContainerClient {
  return new ContainerClient(az.connectionString, name);
}

async function listLanes(name: string) {
  const out = new Map<string, { state: string | undefined; owner: string | undefined }>();
  for await (const blob of plainContainer(name).listBlobsFlat({ includeMetadata: true, prefix: "lanes/" })) {
    out.set(decodeURIComponent(blob.name.slice(6)), {
      state: blob.properties.leaseState,
      owner: blob.metadata?.owner && decodeURIComponent(blob.metadata.owner),
    });
  }
  return out;
}

/** Records gains and losses with their time, to check that no lane ever had two live owners. */
function track(m: BlobLeaseManager) {
  const gained: Array<LaneGain & { at: number }> = [];
  const lost: Array<LaneLoss & { at: number }> = [];
  const outages: unknown[] = [];
  let recovered = 0;
  m.on("lane.gained", (e) => gained.push({ ...e, at: performance.now() }));
  m.on("lane.lost", (e) => lost.push({ ...e, at: performance.now() }));
  m.on("storage.outage", (e) => outages.push(e.error));
  m.on("storage.recovered", () => recovered++);
  return { gained, lost, outages, recovered: () => recovered };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rounds for every manager in turn, `pauseMs` apart, until `done` (or `maxRounds`). */
async function roundsUntil(
  fleet: BlobLeaseManager[],
  lanes: readonly string[],
  done: () => boolean,
  maxRounds: number,
  pauseMs = 200,
  onRound?: (m: BlobLeaseManager, round: LaneClaimRound) => void,
): Promise<number> {
  for (let round = 1; round <= maxRounds; round++) {
    for (const m of fleet) {
      const result = await m.claimLanes(lanes);
      onRound?.(m, result);
    }
    if (done()) return round;
    await sleep(pauseMs);
  }
  throw new Error(`not done after ${maxRounds} rounds`);
}

function assertNoOverlap(fleet: BlobLeaseManager[]): void {
  const seen = new Map<string, string>();
  for (const m of fleet) {
    for (const lane of m.ownedLanes()) {
      expect(seen.get(lane), `lane ${lane} owned twice`).toBeUndefined();
      seen.set(lane, m.instanceId);
    }
  }
}

describe("BlobLeaseManager on Azurite", () => {
  it("acquires leases, renews them well before expiry, and releases them on close", async () => {
    const name = `leases-${randomUUID().slice(0, 8)}`;
    const wire: Wire = { partitioned: false, leaseActions: [] };
    const a = manager({
      containerClient: wiredContainer(name, wire),
      instanceId: "a",
      renewIntervalInMs: 1_000,
    });
    const events = track(a);

    const round = await a.claimLanes(["l1", "l2", "l3"]);
    expect(round).toMatchObject({ owned: ["l1", "l2", "l3"], instances: 1, target: 3, outage: undefined });
    expect(round.gained.map((g) => g.lane).sort()).toEqual(["l1", "l2", "l3"]);
    const listed = await listLanes(name);
    for (const lane of ["l1", "l2", "l3"]) expect(listed.get(lane)).toEqual({ state: "leased", owner: "a" });

    // Someone else's acquire is refused while the lease is held.
    const intruder = plainContainer(name).getBlockBlobClient("lanes/l1").getBlobLeaseClient(randomUUID());
    await expect(intruder.acquireLease(15)).rejects.toMatchObject({
      statusCode: 409,
      code: "LeaseAlreadyPresent",
    });

    const signals = ["l1", "l2", "l3"].map((lane) => a.signalFor(lane));
    await sleep(2_600);
    expect(count(wire, "renew")).toBeGreaterThanOrEqual(3);
    expect(signals.every((s) => !s.aborted)).toBe(true);
    expect(["l1", "l2", "l3"].every((lane) => a.isOwned(lane))).toBe(true);

    await a.close();
    expect(signals.every((s) => s.aborted && isLaneLostError(s.reason) && s.reason.reason === "closed")).toBe(
      true,
    );
    expect(count(wire, "release")).toBe(3);
    expect(events.lost.map((l) => l.reason)).toEqual(["closed", "closed", "closed"]);
    expect([...(await listLanes(name)).values()].map((x) => x.state)).toEqual([
      "available",
      "available",
      "available",
    ]);
    expect(await plainContainer(name).getBlockBlobClient("instances/a").exists()).toBe(false);
    await expect(intruder.acquireLease(15)).resolves.toMatchObject({ leaseId: intruder.leaseId });
    await expect(a.claimLanes(["l1"])).rejects.toThrow(/closed/);
  });

  it("two managers split 10 lanes 5/5 within a few rounds, never sharing one", async () => {
    const containerName = `leases-${randomUUID().slice(0, 8)}`;
    const a = manager({ connectionString: az.connectionString, containerName, instanceId: "node-a" });
    const b = manager({ connectionString: az.connectionString, containerName, instanceId: "node-b" });
    const ea = track(a);
    const eb = track(b);
    await Promise.all([a.open(), b.open()]);
    // Both race for the empty container in the first round; a loser of a race simply gets 409 and moves on.
    await Promise.all([a.claimLanes(TEN), b.claimLanes(TEN)]);
    assertNoOverlap([a, b]);
    const rounds = await roundsUntil(
      [a, b],
      TEN,
      () => a.ownedLanes().length === 5 && b.ownedLanes().length === 5,
      5,
      100,
      () => assertNoOverlap([a, b]),
    );
    console.info(`[leases] 5/5 split after 1 racing round + ${rounds} round(s)`);
    expect(rounds).toBeLessThanOrEqual(3);
    expect([...ea.lost, ...eb.lost]).toEqual([]);
    expect(ea.outages.concat(eb.outages)).toEqual([]);
    // Balanced: further rounds change nothing.
    const again = await Promise.all([a.claimLanes(TEN), b.claimLanes(TEN)]);
    expect(again.map((r) => [r.gained.length, r.lost.length, r.stealing])).toEqual([
      [0, 0, undefined],
      [0, 0, undefined],
    ]);
  });

  it("a restarted process with the same instance id is refused its predecessor's leases (409) until they end", async () => {
    const containerName = `leases-${randomUUID().slice(0, 8)}`;
    const before = manager({ connectionString: az.connectionString, containerName, instanceId: "pod-0" });
    await before.claimLanes(["x", "y"]);
    const after = manager({ connectionString: az.connectionString, containerName, instanceId: "pod-0" });
    const round = await after.claimLanes(["x", "y"]);
    // The records say "pod-0", so the newcomer tries them, but the service holds them for the old lease ids.
    expect(round).toMatchObject({ gained: [], owned: [], outage: undefined });
    await before.release(["x"]);
    const next = await after.claimLanes(["x", "y"]);
    expect(next.gained).toEqual([{ lane: "x" }]);
  });

  it("a late joiner takes its share over one lane per round; each lane's old signal aborts before the new owner has it", async () => {
    const containerName = `leases-${randomUUID().slice(0, 8)}`;
    const a = manager({ connectionString: az.connectionString, containerName, instanceId: "first" });
    const ea = track(a);
    expect((await a.claimLanes(TEN)).owned).toHaveLength(10);
    const signals = new Map(TEN.map((lane) => [lane, a.signalFor(lane)]));
    const b = manager({ connectionString: az.connectionString, containerName, instanceId: "second" });
    const eb = track(b);
    await b.open();
    const started = performance.now();
    let steals = 0;
    const rounds = await roundsUntil(
      [b, a],
      TEN,
      () => a.ownedLanes().length === 5 && b.ownedLanes().length === 5,
      20,
      100,
      (m, r) => {
        if (m === b && r.stealing) steals++;
        assertNoOverlap([a, b]);
      },
    );
    console.info(
      `[leases] late joiner balanced 5/5 in ${rounds} rounds, ${Math.round(performance.now() - started)} ms`,
    );
    expect(steals).toBe(5); // one takeover per round, no more than needed
    expect(ea.lost.map((l) => l.reason)).toEqual(Array(5).fill("stolen"));
    expect(eb.gained.every((g) => g.stolenFrom === "first")).toBe(true);
    for (const gain of eb.gained) {
      const loss = ea.lost.find((l) => l.lane === gain.lane)!;
      expect(loss.at).toBeLessThan(gain.at);
      expect(signals.get(gain.lane)!.aborted).toBe(true);
    }
  });

  it("checks its options: lease duration 15-60 s, renewal room before the deadline, a container name", async () => {
    const base = { connectionString: "UseDevelopmentStorage=true", containerName: "ok-name" };
    expect(() => new BlobLeaseManager({ ...base, leaseDurationInMs: 10_000 })).toThrow(/leaseDurationInMs/);
    expect(() => new BlobLeaseManager({ ...base, leaseDurationInMs: 15_500 })).toThrow(
      /whole number of seconds/,
    );
    expect(() => new BlobLeaseManager({ ...base, renewIntervalInMs: 24_000 })).toThrow(/must not exceed/);
    expect(() => new BlobLeaseManager({ ...base, containerName: "Bad_Name" })).toThrow(/container name/);
    expect(() => new BlobLeaseManager({ containerName: "ok-name" })).toThrow(/containerClient/);
    const m = new BlobLeaseManager(base);
    await expect(m.claimLanes([""])).rejects.toThrow(/lane id/);
  });

  it("serves as a SyncFleet's LaneOwnership: claim() gives owned and lost ids, signalFor() a fence per lane", async () => {
    const containerName = `leases-${randomUUID().slice(0, 8)}`;
    const a = manager({ connectionString: az.connectionString, containerName, instanceId: "fleet-a" });
    expect(await a.claim(["p", "q"])).toEqual({ owned: ["p", "q"], lost: [] });
    const signals = { p: a.signalFor("p"), q: a.signalFor("q") };
    expect(signals.p.aborted || signals.q.aborted).toBe(false);
    const stranger = a.signalFor("not-mine");
    expect(stranger.aborted && isLaneLostError(stranger.reason) && stranger.reason.reason).toBe("notOwned");

    const b = manager({ connectionString: az.connectionString, containerName, instanceId: "fleet-b" });
    await b.open();
    expect(await b.claim(["p", "q"])).toEqual({ owned: [], lost: [] }); // breaks one of a's leases
    const claimA = await a.claim(["p", "q"]); // a sees the break, stops that lane and releases it
    expect(claimA.owned).toHaveLength(1);
    expect(claimA.lost).toHaveLength(1);
    const taken = claimA.lost[0] as "p" | "q";
    expect(signals[taken].aborted).toBe(true);
    expect((signals[taken].reason as Error).message).toMatch(/stolen/);
    expect(await b.claim(["p", "q"])).toEqual({ owned: [taken], lost: [] });
    const controller = new AbortController();
    controller.abort();
    await expect(a.claim(["p", "q"], { abortSignal: controller.signal })).rejects.toMatchObject({
      name: "AbortError",
    });
  });

  it("an aborted signal stops open, claimLanes and release before any request, with RequestAbortedError", async () => {
    const wire: Wire = { partitioned: false, leaseActions: [] };
    const containerName = `leases-${randomUUID().slice(0, 8)}`;
    const m = manager({ containerClient: wiredContainer(containerName, wire), instanceId: "aborted" });
    const controller = new AbortController();
    controller.abort();
    const options = { abortSignal: controller.signal };
    await expect(m.open(options)).rejects.toMatchObject({ name: "AbortError" });
    await expect(m.claimLanes(["x"], options)).rejects.toMatchObject({ name: "AbortError" });
    await expect(m.release(["x"], options)).rejects.toMatchObject({ name: "AbortError" });
    expect(wire.requests ?? 0).toBe(0);
    // The same manager works once asked without an aborted signal.
    expect((await m.claimLanes(["x"])).owned).toEqual(["x"]);
    expect(wire.requests).toBeGreaterThan(0);
  });

  it("rounds never throw while storage is unreachable: they report the outage, announced once", async () => {
    const containerName = `leases-${randomUUID().slice(0, 8)}`;
    const wire: Wire = { partitioned: true, leaseActions: [] };
    const a = manager({ containerClient: wiredContainer(containerName, wire), instanceId: "offline" });
    const events = track(a);
    await a.open();
    const first = await a.claimLanes(TEN);
    const second = await a.claimLanes(TEN);
    for (const round of [first, second]) {
      expect(round).toMatchObject({ gained: [], lost: [], owned: [], instances: 0 });
      expect((round.outage as Error).message).toMatch(/ECONNREFUSED/);
    }
    expect(events.outages).toHaveLength(1);
    wire.partitioned = false;
    const online = await a.claimLanes(TEN);
    expect(online).toMatchObject({ outage: undefined, instances: 1 });
    expect(online.owned).toHaveLength(10);
    expect(events.recovered()).toBe(1);
    // Steady state costs one listing per round; renewals and heartbeats run on their own interval.
    const before = wire.requests ?? 0;
    expect(await a.claimLanes(TEN)).toMatchObject({ gained: [], lost: [], outage: undefined });
    expect((wire.requests ?? 0) - before).toBe(1);
  });

  describe.concurrent("failures (real 15 s leases)", () => {
    it("a killed process's lanes are taken over within the lease duration plus one round", async ({
      onTestFinished,
    }) => {
      const local: BlobLeaseManager[] = [];
      onTestFinished(() => Promise.all(local.map((m) => m.close())).then(() => undefined));
      const containerName = `leases-${randomUUID().slice(0, 8)}`;
      const child = spawnChild(containerName, "doomed");
      const b = manager(
        { connectionString: az.connectionString, containerName, instanceId: "survivor" },
        local,
      );
      const eb = track(b);
      await child.ready;
      await b.open();
      child.process.stdin?.write("go\n");
      await roundsUntil([b], TEN, () => child.owned().length === 5 && b.ownedLanes().length === 5, 40, 300);
      expect(new Set([...child.owned(), ...b.ownedLanes()]).size).toBe(10);

      child.process.kill("SIGKILL");
      const killedAt = performance.now();
      await roundsUntil([b], TEN, () => b.ownedLanes().length === 10, 200, 300);
      const takeover = performance.now() - killedAt;
      console.info(
        `[leases] killed: takeover ${Math.round(takeover)} ms for a ${LEASE} ms lease (ratio ${(takeover / LEASE).toFixed(2)})`,
      );
      // Not before the leases could have lapsed (the child renewed every 5 s), and no later than one round after.
      expect(takeover).toBeGreaterThan(LEASE - LEASE / 3 - 1_000);
      expect(takeover).toBeLessThan(LEASE + 2_000);
      expect(eb.gained.filter((g) => child.lastOwned.includes(g.lane))).toHaveLength(5);
    }, 90_000);

    it("a partitioned instance aborts its lanes before its leases expire; the other takes over after expiry", async ({
      onTestFinished,
    }) => {
      const local: BlobLeaseManager[] = [];
      onTestFinished(() => Promise.all(local.map((m) => m.close())).then(() => undefined));
      const name = `leases-${randomUUID().slice(0, 8)}`;
      const wire: Wire = { partitioned: false, leaseActions: [] };
      const a = manager({ containerClient: wiredContainer(name, wire), instanceId: "cut-off" }, local);
      const b = manager(
        { connectionString: az.connectionString, containerName: name, instanceId: "healthy" },
        local,
      );
      const ea = track(a);
      const eb = track(b);
      await Promise.all([a.open(), b.open()]);
      await roundsUntil([a, b], TEN, () => a.ownedLanes().length === 5 && b.ownedLanes().length === 5, 10);
      const aLanes = a.ownedLanes();
      const signals = aLanes.map((lane) => a.signalFor(lane));

      wire.partitioned = true;
      const cutAt = performance.now();
      const aRounds: LaneClaimRound[] = [];
      await roundsUntil(
        [a, b],
        TEN,
        () => b.ownedLanes().length === 10,
        200,
        300,
        (m, r) => {
          if (m === a) aRounds.push(r);
          assertNoOverlap([a, b]);
        },
      );
      // The service ends a lease no earlier than its last renewal was sent + its duration.
      const lastRenewal = Math.max(
        ...wire.leaseActions.filter((x) => x.action !== "break" && x.at < cutAt).map((x) => x.at),
      );
      const expiry = lastRenewal + LEASE;
      const abortLatest = Math.max(...ea.lost.map((l) => l.at));
      const takeover = Math.max(...eb.gained.filter((g) => aLanes.includes(g.lane)).map((g) => g.at));
      console.info(
        `[leases] partition: signals aborted ${Math.round(abortLatest - cutAt)} ms after the cut, ` +
          `${Math.round(expiry - abortLatest)} ms before the lease could expire; takeover ${Math.round(takeover - cutAt)} ms ` +
          `after the cut = ${Math.round(takeover - lastRenewal)} ms after the last renewal (ratio ${((takeover - lastRenewal) / LEASE).toFixed(2)} of the lease)`,
      );
      expect(lastRenewal).toBeLessThan(cutAt);
      expect(signals.every((s) => s.aborted && isLaneLostError(s.reason))).toBe(true);
      expect(new Set(ea.lost.map((l) => l.reason))).toEqual(new Set(["renewFailed"]));
      // Every signal aborted before the lease could have expired (at its next renewal, within 5 s + retries)…
      expect(abortLatest).toBeLessThan(expiry - 2_000);
      expect(abortLatest - cutAt).toBeLessThan(LEASE / 3 + 1_000);
      // …and the other instance took every lane only after it expired, within one round (300 ms) + a call.
      for (const lane of aLanes) {
        const gain = eb.gained.find((g) => g.lane === lane)!;
        expect(gain.at).toBeGreaterThan(expiry - 100);
        expect(ea.lost.find((l) => l.lane === lane)!.at).toBeLessThan(gain.at);
      }
      expect(takeover - expiry).toBeLessThan(1_500);
      // Rounds of the cut-off instance never threw; they reported the outage, announced once.
      expect(aRounds.every((r) => r.outage !== undefined && r.gained.length === 0)).toBe(true);
      expect(ea.outages).toHaveLength(1);

      wire.partitioned = false;
      const healed = await a.claimLanes(TEN);
      expect(healed.outage).toBeUndefined();
      expect(ea.recovered()).toBe(1);
      const rounds = await roundsUntil(
        [a, b],
        TEN,
        () => a.ownedLanes().length === 5 && b.ownedLanes().length === 5,
        20,
        100,
        () => assertNoOverlap([a, b]),
      );
      console.info(`[leases] partition healed: 5/5 again after ${rounds} rounds`);
    }, 90_000);
  });
});

function spawnChild(containerName: string, instanceId: string) {
  // One process (node with tsx's loader, not the tsx wrapper) so that SIGKILL really kills the member.
  const script = path.resolve(__dirname, "leasesChild.ts");
  const args = [script, az.connectionString, containerName, instanceId, TEN.join(","), String(LEASE)];
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    cwd: path.resolve(__dirname, "../.."),
    stdio: ["pipe", "pipe", "inherit"],
  });
  children.push(child);
  let owned: string[] = [];
  const state = {
    process: child,
    owned: () => owned,
    get lastOwned() {
      return owned;
    },
    ready: new Promise<void>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const message = JSON.parse(line) as { ready?: boolean; owned?: string[] };
        if (message.ready) resolve();
        if (message.owned) owned = message.owned;
      });
    }),
  };
  return state;
}
