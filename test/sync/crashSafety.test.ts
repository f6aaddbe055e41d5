/**
 * Crash safety: the engine is killed at every write point — after a Sentinel PUT, a Defender PATCH, a comment
 * write on either side, or a list page arrived — before it could record anything more. A new engine over the
 * same store must then converge with no duplicate Sentinel incident, no duplicate comment and no lost update.
 *
 * "Killed" means: the cycle's abort signal fires right after the chosen response arrives, every later request
 * fails, and every later state-store write fails, exactly as if the process had died at that instant.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";
import {
  FileStateStore,
  InMemoryStateStore,
  RequestAbortedError,
  type StateStore,
  sentinelNameFor,
} from "defender-sentinel-sync";
import { afterEach, describe, expect, it } from "vitest";
import { expectConverged, runToQuiescence, type SyncSetup, setupSync } from "../helpers/engine";

let current: SyncSetup[] = [];
afterEach(async () => {
  await Promise.all(current.map((t) => t.close()));
  current = [];
});

interface Crash {
  /** Crash right after the k-th matching response (0: never). */
  k: number;
  match: (request: PipelineRequest) => boolean;
  seen: number;
  crashed: boolean;
  controller: AbortController;
}

const isWrite = (r: PipelineRequest) =>
  r.method === "PUT" ||
  r.method === "PATCH" ||
  (r.method === "POST" && /\/comments(\?|$)/.test(new URL(r.url).pathname));
const isList = (r: PipelineRequest) =>
  r.method === "GET" && /\/incidents(\?|$)/.test(new URL(r.url).pathname) && !/\$count=true/.test(r.url);

function crashPolicy(crash: Crash): { policy: PipelinePolicy; position: "perCall" } {
  return {
    position: "perCall",
    policy: {
      name: "crash",
      async sendRequest(request, next) {
        if (crash.crashed) throw new RequestAbortedError("process crashed");
        const response = await next(request);
        if (crash.k > 0 && crash.match(request) && ++crash.seen === crash.k) {
          crash.crashed = true;
          crash.controller.abort();
        }
        return response;
      },
    },
  };
}

/** A store that stops accepting writes once the process "crashed". */
function crashableStore(inner: StateStore, crash: Crash): StateStore {
  const dead = () => {
    if (crash.crashed) throw new RequestAbortedError("process crashed");
  };
  return {
    getRecord: (id) => inner.getRecord(id),
    findBySentinelName: (name) => inner.findBySentinelName(name),
    listRecords: () => inner.listRecords(),
    getWatermarks: () => inner.getWatermarks(),
    async putRecord(record, version) {
      dead();
      return inner.putRecord(record, version);
    },
    async deleteRecord(id, version) {
      dead();
      return inner.deleteRecord(id, version);
    },
    async putWatermarks(w, version) {
      dead();
      return inner.putWatermarks(w, version);
    },
    async flush() {
      dead();
      await inner.flush?.();
    },
  };
}

interface Run {
  t: SyncSetup;
  crash: Crash;
  inner: StateStore;
}

async function prepare(
  seed: number,
  incidents: number,
  concurrency: number,
  inner: StateStore = new InMemoryStateStore(),
): Promise<Run> {
  const crash: Crash = { k: 0, match: isWrite, seen: 0, crashed: false, controller: new AbortController() };
  const t = await setupSync({
    incidents,
    seed,
    store: crashableStore(inner, crash),
    engine: { maxConcurrency: concurrency },
    policies: { defender: [crashPolicy(crash)], sentinel: [crashPolicy(crash)] },
  });
  current.push(t);
  return { t, crash, inner };
}

/** Arms the crash, runs one cycle; returns whether it crashed (it must then reject with an abort error). */
async function crashingCycle(run: Run, k: number, match: Crash["match"] = isWrite): Promise<boolean> {
  Object.assign(run.crash, { k, match, seen: 0, crashed: false, controller: new AbortController() });
  const outcome = await run.t.engine.runOnce({ abortSignal: run.crash.controller.signal }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!run.crash.crashed) {
    expect(outcome).toBeUndefined();
    return false;
  }
  expect(outcome).toBeInstanceOf(RequestAbortedError);
  return true;
}

/** "Restart": a new engine over the same (inner) store, on clients without the crash injector. */
async function recover(run: Run) {
  const { defender, sentinel } = run.t.clients();
  const engine = run.t.restart({ defender, sentinel, stateStore: run.inner });
  await runToQuiescence(engine);
  return engine;
}

function expectNoDuplicateIncidents(t: SyncSetup) {
  // No native incidents in these emulators: every Sentinel incident is a copy of one Defender incident.
  expect(t.emu.sentinel.listIncidents()).toHaveLength(t.emu.defender.listIncidents().length);
}

describe("crash during the backfill", () => {
  it.each([1, 4])(
    "at every Sentinel write (concurrency %i): no duplicates after restart",
    async (concurrency) => {
      let crashes = 0;
      for (let k = 1; ; k++) {
        const run = await prepare(31, 4, concurrency);
        const crashed = await crashingCycle(run, k);
        await recover(run);
        expectNoDuplicateIncidents(run.t);
        await expectConverged(run.t.emu, run.inner);
        await run.t.close();
        if (!crashed) break;
        crashes++;
      }
      // 4 incidents and their comments: every one of those writes was a crash point.
      expect(crashes).toBeGreaterThanOrEqual(4);
    },
  );

  it("right after each list page arrives (mid-page) over a multi-page backfill", async () => {
    let crashes = 0;
    for (let k = 1; ; k++) {
      const run = await prepare(33, 60, 4);
      const crashed = await crashingCycle(run, k, isList);
      await recover(run);
      expectNoDuplicateIncidents(run.t);
      await expectConverged(run.t.emu, run.inner, { comments: false });
      await run.t.close();
      if (!crashed) break;
      crashes++;
    }
    expect(crashes).toBeGreaterThanOrEqual(3); // Sentinel list + two Defender pages
  });

  it("in the middle of the second page's writes", async () => {
    const run = await prepare(33, 60, 4);
    // The copy of the 55th incident in list order (lastUpdateDateTime ascending): written while page 2 is processed.
    const second = [...run.t.emu.defender.listIncidents()].sort((x, y) =>
      x.lastUpdateDateTime.localeCompare(y.lastUpdateDateTime),
    )[54]!;
    const name = sentinelNameFor(run.t.server.tenantId, second.id);
    const crashed = await crashingCycle(
      run,
      1,
      (r) => r.method === "PUT" && new URL(r.url).pathname.endsWith(`/incidents/${name}`),
    );
    expect(crashed).toBe(true);
    expect((await run.inner.getWatermarks()).defender).toBeDefined(); // page 1 was checkpointed
    expect(await run.inner.getRecord(second.id)).toBeUndefined(); // its ledger write never happened
    await recover(run);
    expectNoDuplicateIncidents(run.t);
    await expectConverged(run.t.emu, run.inner);
  });
});

describe("crash while applying changes on both sides", () => {
  /** Edits on both sides, a merge and a new incident; returns a checker for "no lost update". */
  async function edits(run: Run) {
    const { t } = run;
    await runToQuiescence(t.engine);
    const open = t.emu.defender
      .listIncidents()
      .filter((i) => i.status !== "resolved" && i.status !== "redirected");
    const [a, b, c, d, e] = open;
    if (!a || !b || !c || !d || !e) throw new Error("seed has too few open incidents");
    const nameOf = async (id: string) => (await run.inner.getRecord(id))!.sentinelName;
    const carol = t.emu.users()[2]!;
    t.emu.defender.editIncident(a.id, { displayName: "A renamed in Defender", severity: "high" });
    t.emu.defender.addComment(a.id, "crash-test comment from Defender");
    t.emu.sentinel.editIncident(await nameOf(b.id), {
      status: "Closed",
      classification: "BenignPositive",
      classificationReason: "SuspiciousButExpected",
      classificationComment: "expected",
    });
    t.emu.sentinel.addComment(await nameOf(b.id), "crash-test comment from Sentinel");
    t.emu.sentinel.editIncident(await nameOf(c.id), { owner: { objectId: carol.objectId } });
    t.emu.defender.mergeIncidents(d.id, e.id);
    const f = t.emu.defender.createIncident({ displayName: "F new" });
    const names = { a: await nameOf(a.id), d: await nameOf(d.id), e: await nameOf(e.id) };

    return async () => {
      const sA = t.emu.sentinel.getIncident(names.a)!.properties;
      expect(sA.title).toBe("A renamed in Defender");
      expect(sA.severity).toBe("High");
      const dB = t.emu.defender.getIncident(b.id)!;
      expect(dB.status).toBe("resolved");
      expect(dB.classification).toBe("informationalExpectedActivity");
      expect(t.emu.defender.getIncident(c.id)!.assignedTo?.toLowerCase()).toBe(
        carol.userPrincipalName.toLowerCase(),
      );
      const sD = t.emu.sentinel.getIncident(names.d)!.properties;
      expect(sD.status).toBe("Closed");
      expect(sD.labels.map((l) => l.labelName)).toContain("Redirected");
      const notes = t.emu.sentinel
        .listComments(names.d)
        .filter((x) => x.properties.message.includes(names.e));
      expect(notes).toHaveLength(1);
      expect(
        t.emu.defender
          .getIncident(b.id)!
          .comments.filter((x) => x.comment.includes("crash-test comment from Sentinel")),
      ).toHaveLength(1);
      const sCommentsA = t.emu.sentinel.listComments(names.a);
      expect(
        sCommentsA.filter((x) => x.properties.message.includes("crash-test comment from Defender")),
      ).toHaveLength(1);
      expect((await run.inner.getRecord(f.id))?.sentinelName).toBeDefined();
      expectNoDuplicateIncidents(t);
      await expectConverged(t.emu, run.inner);
    };
  }

  it.each([1, 4])(
    "at every write point (concurrency %i): no duplicate, no lost update",
    async (concurrency) => {
      const kinds = new Set<string>();
      for (let k = 1; ; k++) {
        const run = await prepare(37, 8, concurrency);
        const check = await edits(run);
        // Which write is the k-th? Recorded by a second counter on the same predicate.
        let kth = "";
        const match = (r: PipelineRequest) => {
          if (!isWrite(r)) return false;
          if (run.crash.seen + 1 === k)
            kth = `${r.method} ${new URL(r.url).pathname.replace(/[0-9a-f-]{36}/g, "{id}").replace(/\/\d+/g, "/{n}")}`;
          return true;
        };
        const crashed = await crashingCycle(run, k, match);
        if (crashed) kinds.add(kth);
        await recover(run);
        await check();
        await run.t.close();
        if (!crashed) break;
      }
      // Every kind of write point was hit: Sentinel incident PUT, Sentinel comment PUT, Defender PATCH and comment POST.
      expect([...kinds].sort()).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^PATCH .*\/security\/incidents\/\{n\}$/),
          expect.stringMatching(/^POST .*\/comments$/),
          expect.stringMatching(/^PUT .*\/incidents\/\{id\}$/),
          expect.stringMatching(/^PUT .*\/comments\/\{id\}$/),
        ]),
      );
    },
  );

  it("with a FileStateStore reopened after the crash", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sync-crash-"));
    try {
      const store = new FileStateStore(dir);
      const run = await prepare(37, 8, 4, store);
      const check = await edits(run);
      expect(await crashingCycle(run, 3)).toBe(true);
      await store.close();
      const reopened = new FileStateStore(dir);
      run.inner = reopened;
      await recover(run);
      await check();
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
