/**
 * A listing that never ends must not hang a cycle. When Graph (or ARM) answers with the same next-page link
 * forever, or with empty pages that each bring yet another link, the clients stop with PagingError; the engine's
 * cycle then fails with it (runOnce rejects, `cycle.failed` is emitted) and no watermark moves past what was
 * really synced. The next cycle, once the service behaves, picks up where the last good one ended.
 */
import {
  type CycleFailedEvent,
  DefenderClient,
  InMemoryStateStore,
  isSyncSdkError,
  type PagingError,
  SentinelClient,
  SyncEngine,
} from "defender-sentinel-sync";
import { createEmulator } from "defender-sentinel-sync/testing";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { isPagingError } from "../../src/core/errors";
import { FAST_RETRIES } from "../helpers/engine";
import { ARM_BASE, GRAPH_BASE, server, useMswServer } from "../helpers/msw";

useMswServer();

const GRAPH_INCIDENTS = `${GRAPH_BASE}/security/incidents`;

async function syncedEngine() {
  const emu = createEmulator({ seed: 61, incidents: 8, throttling: false });
  server.use(...emu.handlers);
  const defender = new DefenderClient(emu.credential, { retryOptions: FAST_RETRIES, rateLimit: false });
  const sentinel = new SentinelClient(emu.credential, {
    subscriptionId: emu.subscriptionId,
    resourceGroupName: emu.resourceGroupName,
    workspaceName: emu.workspaceName,
    retryOptions: FAST_RETRIES,
    rateLimit: false,
  });
  const store = new InMemoryStateStore();
  // A generous deadline: the paging guard, not the cycle timeout, must be what ends these cycles.
  const engine = new SyncEngine({
    defender,
    sentinel,
    tenantId: emu.tenantId,
    stateStore: store,
    cycleTimeoutInMs: 20_000,
  });
  await engine.runOnce();
  await engine.runOnce();
  const failed: CycleFailedEvent[] = [];
  engine.on("cycle.failed", (e) => failed.push(e));
  const sentinelIncidents = `${ARM_BASE}/subscriptions/${emu.subscriptionId}/resourceGroups/${emu.resourceGroupName}/providers/Microsoft.OperationalInsights/workspaces/${emu.workspaceName}/providers/Microsoft.SecurityInsights/incidents`;
  return { emu, engine, store, failed, before: await store.getWatermarks(), sentinelIncidents };
}

/** Runs a cycle that must fail with PagingError, within a bound, and leave the watermarks where they were. */
async function expectPagingFailure(
  t: Awaited<ReturnType<typeof syncedEngine>>,
  reason: PagingError["reason"],
  service: PagingError["service"],
): Promise<void> {
  const started = performance.now();
  const error = await t.engine.runOnce().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(performance.now() - started).toBeLessThan(10_000);
  expect(isSyncSdkError(error)).toBe(true);
  expect(isPagingError(error)).toBe(true);
  expect(error).toMatchObject({ reason, service });
  expect(t.failed).toEqual([{ cycle: 3, error }]);
  const after = await t.store.getWatermarks();
  expect(after.cycles).toBe(2);
  for (const side of ["defender", "sentinel"] as const) {
    if (t.before[side] === undefined) expect(after[side]).toBeUndefined();
    else expect(Date.parse(after[side]!)).toBeLessThanOrEqual(Date.parse(t.before[side]!));
  }
}

describe("paging that never ends, inside runOnce", () => {
  it("Graph answers the same empty page and nextLink forever", async () => {
    const t = await syncedEngine();
    const loop = `${GRAPH_INCIDENTS}?$skiptoken=same`;
    server.use(http.get(GRAPH_INCIDENTS, () => HttpResponse.json({ value: [], "@odata.nextLink": loop })));
    await expectPagingFailure(t, "repeatedLink", "defender");
  });

  it("Graph answers empty pages, each with a new nextLink", async () => {
    const t = await syncedEngine();
    let n = 0;
    server.use(
      http.get(GRAPH_INCIDENTS, () =>
        HttpResponse.json({ value: [], "@odata.nextLink": `${GRAPH_INCIDENTS}?$skiptoken=t${++n}` }),
      ),
    );
    await expectPagingFailure(t, "emptyPages", "defender");
    expect(n).toBeLessThan(100);
  });

  it("Graph repeats a page of already synced incidents with the same nextLink", async () => {
    const t = await syncedEngine();
    const page = t.emu.defender.listIncidents().slice(0, 3);
    const loop = `${GRAPH_INCIDENTS}?$skiptoken=again`;
    let requests = 0;
    server.use(
      http.get(GRAPH_INCIDENTS, () => {
        requests++;
        return HttpResponse.json({ value: page, "@odata.nextLink": loop });
      }),
    );
    await expectPagingFailure(t, "repeatedLink", "defender");
    expect(requests).toBeLessThan(10);
  });

  it("ARM answers the same empty page and nextLink forever", async () => {
    const t = await syncedEngine();
    const loop = `${t.sentinelIncidents}?api-version=2025-09-01&$skipToken=same`;
    server.use(http.get(t.sentinelIncidents, () => HttpResponse.json({ value: [], nextLink: loop })));
    await expectPagingFailure(t, "repeatedLink", "sentinel");
  });

  it("once the service behaves again, the next cycle completes and counts as cycle 3", async () => {
    const t = await syncedEngine();
    let looping = true;
    const loop = `${GRAPH_INCIDENTS}?$skiptoken=same`;
    server.use(
      http.get(GRAPH_INCIDENTS, () =>
        looping ? HttpResponse.json({ value: [], "@odata.nextLink": loop }) : undefined,
      ),
    );
    await expectPagingFailure(t, "repeatedLink", "defender");
    looping = false;
    const [d] = t.emu.defender.listIncidents();
    t.emu.defender.editIncident(d!.id, { displayName: "after the loop" });
    const r = await t.engine.runOnce();
    expect(r.cycle).toBe(3);
    expect(r.writes.sentinel).toBe(1);
  });
});
