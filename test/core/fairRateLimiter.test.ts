import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isAbortError } from "../../src/core/errors";
import { FairQueue } from "../../src/core/fairQueue";
import { FairRateLimiter } from "../../src/core/fairRateLimiter";
import { RateLimiter } from "../../src/core/rateLimiter";
import { TokenBucket } from "../../src/core/tokenBucket";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Issues `count` acquires per flow (in the order given) and records the order in which they are granted. */
async function grantOrder(
  limiter: RateLimiter,
  setFlow: (flow: string) => void,
  plan: [flow: string, count: number][],
): Promise<string[]> {
  const order: string[] = [];
  const all: Promise<unknown>[] = [];
  for (const [flow, count] of plan) {
    for (let i = 1; i <= count; i++) {
      setFlow(flow);
      all.push(limiter.acquire("read").then(() => order.push(`${flow}${i}`)));
    }
  }
  await vi.advanceTimersByTimeAsync(10_000);
  await Promise.all(all);
  return order;
}

describe("FairRateLimiter", () => {
  const limits = { read: { capacity: 1, refillPerSecond: 10 } };

  it("gives waiting flows turns: a flow with one queued request waits behind one request of a busy flow, not all", async () => {
    let flow = "";
    const fair = new FairRateLimiter(limits, { flowOf: () => flow });
    const order = await grantOrder(fair, (f) => (flow = f), [
      ["A", 6],
      ["B", 2],
    ]);
    // A1 took the free token; then A and B alternate while both wait.
    expect(order).toEqual(["A1", "A2", "B1", "A3", "B2", "A4", "A5", "A6"]);

    // The plain limiter serves strictly in arrival order: B waits for every A.
    const fifo = await grantOrder(new RateLimiter(limits), () => undefined, [
      ["A", 6],
      ["B", 2],
    ]);
    expect(fifo).toEqual(["A1", "A2", "A3", "A4", "A5", "A6", "B1", "B2"]);
  });

  it("never exceeds the bucket's rate, however many flows wait", async () => {
    let flow = "";
    const fair = new FairRateLimiter({ read: { capacity: 5, refillPerSecond: 20 } }, { flowOf: () => flow });
    const grantedAt: number[] = [];
    const start = Date.now();
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 45; i++) {
      flow = `lane-${i % 9}`;
      all.push(fair.acquire("read").then(() => grantedAt.push(Date.now() - start)));
    }
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(all);
    expect(grantedAt).toHaveLength(45);
    // 5 at once (the burst), then one per 50 ms: the 45th at ≥ 40 × 50 ms.
    expect(grantedAt.filter((t) => t === 0)).toHaveLength(5);
    expect(Math.max(...grantedAt)).toBeGreaterThanOrEqual(2_000);
    for (let k = 5; k < 45; k++) {
      // In any window [0, t], no more than capacity + t × rate grants.
      const t = grantedAt.slice().sort((a, b) => a - b)[k]!;
      expect(k + 1).toBeLessThanOrEqual(5 + Math.floor((t / 1000) * 20) + 1);
    }
  });

  it("callers without a flow share one flow, served in arrival order", async () => {
    const fair = new FairRateLimiter(limits);
    const order = await grantOrder(fair, () => undefined, [
      ["A", 3],
      ["B", 2],
    ]);
    expect(order).toEqual(["A1", "A2", "A3", "B1", "B2"]);
  });

  it("an aborted waiter is answered at once and leaves its turn to the next, without losing a token", async () => {
    let flow = "";
    const fair = new FairRateLimiter(limits, { flowOf: () => flow });
    flow = "A";
    expect(await fair.acquire("read")).toBe(0);
    const controller = new AbortController();
    flow = "B";
    const aborted = fair.acquire("read", controller.signal);
    flow = "C";
    const next = fair.acquire("read");
    expect(fair.queued("read")).toBe(2);
    controller.abort();
    const error = await aborted.catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect(fair.queued("read", "B")).toBe(0);
    await vi.advanceTimersByTimeAsync(100);
    // C got the token B gave up: granted after one refill interval (100 ms), not two.
    expect(await next).toBe(100);
    const refused = await fair.acquire("read", AbortSignal.abort()).catch((e: unknown) => e);
    expect(isAbortError(refused)).toBe(true);
  });

  it("keeps separate turns per bucket; kinds that share the read bucket share its turns", async () => {
    let flow = "";
    const fair = new FairRateLimiter(
      { read: { capacity: 1, refillPerSecond: 1 }, write: { capacity: 1, refillPerSecond: 1 } },
      { flowOf: () => flow },
    );
    flow = "A";
    await fair.acquire("read");
    const read = fair.acquire("read");
    // The write bucket is untouched by reads; deletes share the read bucket.
    expect(await fair.acquire("write")).toBe(0);
    const del = fair.acquire("delete");
    expect(fair.queued("read")).toBe(2);
    expect(fair.queued("delete")).toBe(2);
    expect(fair.queued("write")).toBe(0);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await read).toBe(1_000);
    expect(await del).toBe(2_000);
  });
});

describe("FairQueue", () => {
  it("takes a free token at once when nobody waits", async () => {
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1 });
    const queue = new FairQueue(bucket);
    expect(await queue.take("x")).toBe(0);
    expect(await queue.take("y")).toBe(0);
    expect(bucket.available()).toBe(0);
    const third = queue.take("x");
    expect(queue.queued()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await third).toBe(1_000);
    expect(queue.queued()).toBe(0);
  });
});
