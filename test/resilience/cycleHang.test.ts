/**
 * No cycle can hang. `cycleTimeoutInMs` bounds a cycle: when it runs out, the cycle's requests are aborted through
 * its AbortSignal, what it finished stays checkpointed, and it fails with CycleTimeoutError (on `runOnce`'s promise
 * and as `cycle.failed`). Even work that ignores the signal (a hung state store) cannot hold the caller. The
 * services here are the emulator's msw handlers on the real hosts, with routes that never answer.
 */
import {
  type CycleFailedEvent,
  CycleTimeoutError,
  DefenderClient,
  InMemoryStateStore,
  isSyncSdkError,
  SentinelClient,
  SyncEngine,
  type SyncEngineOptions,
  type Watermarks,
} from "defender-sentinel-sync";
import { createEmulator } from "defender-sentinel-sync/testing";
import { http } from "msw";
import { describe, expect, it } from "vitest";
import { isCycleTimeoutError } from "../../src/sync/cycleTimeout";
import { FAST_RETRIES } from "../helpers/engine";
import { GRAPH_BASE, server, useMswServer } from "../helpers/msw";

useMswServer();

function mswEngine(options: Partial<SyncEngineOptions> = {}) {
  const emu = createEmulator({ seed: 51, incidents: 6, throttling: false });
  server.use(...emu.handlers);
  const defender = new DefenderClient(emu.credential, { retryOptions: FAST_RETRIES, rateLimit: false });
  const sentinel = new SentinelClient(emu.credential, {
    subscriptionId: emu.subscriptionId,
    resourceGroupName: emu.resourceGroupName,
    workspaceName: emu.workspaceName,
    retryOptions: FAST_RETRIES,
    rateLimit: false,
  });
  const store = options.stateStore ?? new InMemoryStateStore();
  const engine = new SyncEngine({
    defender,
    sentinel,
    tenantId: emu.tenantId,
    stateStore: store,
    ...options,
  });
  const failed: CycleFailedEvent[] = [];
  engine.on("cycle.failed", (e) => failed.push(e));
  return { emu, engine, store, failed };
}

/** Graph's incident listing stops answering (the request stays open forever) until `release()`. */
function graphNeverAnswers(): { release(): void } {
  let hanging = true;
  // Returning nothing falls through to the emulator's handler.
  server.use(
    http.get(`${GRAPH_BASE}/security/incidents`, () => (hanging ? new Promise<never>(() => {}) : undefined)),
  );
  return {
    release: () => {
      hanging = false;
    },
  };
}

async function timed<T>(work: Promise<T>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  try {
    await work;
    return { ms: performance.now() - started, error: undefined };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

describe("cycleTimeoutInMs", () => {
  it("a Graph listing that never answers ends the cycle with CycleTimeoutError; watermarks stay; the next cycle syncs", async () => {
    const { emu, engine, store, failed } = mswEngine({ cycleTimeoutInMs: 400 });
    await engine.runOnce();
    const before = await store.getWatermarks();
    emu.defender.editIncident(emu.defender.listIncidents()[0]!.id, { displayName: "edited during the hang" });
    const hang = graphNeverAnswers();

    const { ms, error } = await timed(engine.runOnce());
    expect(error).toBeInstanceOf(CycleTimeoutError);
    expect(isCycleTimeoutError(error)).toBe(true);
    expect(isSyncSdkError(error)).toBe(true);
    expect((error as CycleTimeoutError).timeoutInMs).toBe(400);
    expect(ms).toBeLessThan(5_000);
    expect(failed).toEqual([{ cycle: 2, error }]);
    const after: Watermarks = await store.getWatermarks();
    // The Defender pass never got a page: its watermark did not move, and the cycle was not counted. (The
    // Sentinel pass before it finished and kept its checkpoint.)
    expect(after).toMatchObject({ cycles: 1, defender: before.defender });

    // The service answers again: the next cycle is cycle 2 again, and the edit flows.
    hang.release();
    const r = await engine.runOnce();
    expect(r.cycle).toBe(2);
    expect(r.writes.sentinel).toBe(1);
  });

  it("work that ignores the abort signal (a hung state store) still cannot hold runOnce past the deadline", async () => {
    let hang = false;
    class HangingStore extends InMemoryStateStore {
      override async getRecord(id: string) {
        if (hang) await new Promise<never>(() => {});
        return super.getRecord(id);
      }
    }
    const { emu, engine, failed } = mswEngine({ cycleTimeoutInMs: 300, stateStore: new HangingStore() });
    await engine.runOnce();
    emu.defender.editIncident(emu.defender.listIncidents()[0]!.id, { displayName: "x" });
    hang = true;
    const { ms, error } = await timed(engine.runOnce());
    expect(isCycleTimeoutError(error)).toBe(true);
    // The deadline, then a grace period of at most the timeout itself for the work to notice.
    expect(ms).toBeLessThan(3_000);
    expect(failed).toHaveLength(1);
  });

  it("start() reports a hung cycle as cycle.failed and error, and keeps polling", async () => {
    const { engine, failed } = mswEngine({ cycleTimeoutInMs: 300, pollIntervalInMs: 1_000 });
    const errors: unknown[] = [];
    const completed: number[] = [];
    engine.on("error", (e) => errors.push(e));
    engine.on("cycle.completed", (r) => completed.push(r.cycle));
    const hang = graphNeverAnswers();
    const run = engine.start();
    await waitFor(() => failed.length >= 1);
    hang.release();
    await waitFor(() => completed.length >= 1);
    await run.close();
    expect(isCycleTimeoutError(failed[0]!.error)).toBe(true);
    expect(errors[0]).toBe(failed[0]!.error);
    expect(completed[0]).toBe(1);
  });

  it("a caller's abort is not a failure: the cycle rejects with an abort error and no cycle.failed", async () => {
    const { engine, failed } = mswEngine();
    graphNeverAnswers();
    const controller = new AbortController();
    const run = engine.runOnce({ abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const { error } = await timed(run);
    expect((error as Error).name).toBe("AbortError");
    expect(failed).toEqual([]);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
