import { afterEach, describe, expect, it, vi } from "vitest";
import { isAbortError } from "../../src/core/errors";
import { sleep, TokenBucket } from "../../src/core/tokenBucket";

/** A manual clock: the bucket reads `now()`, the test moves it. */
function manualClock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("TokenBucket (injected clock)", () => {
  it("refuses a non-positive capacity or refill rate", () => {
    expect(() => new TokenBucket({ capacity: 0, refillPerSecond: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ capacity: 1, refillPerSecond: 0 })).toThrow(RangeError);
    expect(() => new TokenBucket({ capacity: Number.NaN, refillPerSecond: 1 })).toThrow(RangeError);
  });

  it("allows a burst of `capacity` and then reports the wait until the next token", () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 4, now: clock.now });
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([0, 0, 0]);
    // 1 token at 4/s takes 250 ms.
    expect(bucket.tryTake()).toBe(250);
    expect(bucket.available()).toBe(0);
  });

  it("refills at `refillPerSecond`, never above capacity", () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 2, now: clock.now });
    for (let i = 0; i < 5; i++) bucket.tryTake();
    expect(bucket.available()).toBe(0);
    clock.advance(500);
    expect(bucket.available()).toBeCloseTo(1, 10);
    expect(bucket.tryTake()).toBe(0);
    expect(bucket.tryTake()).toBe(500);
    clock.advance(60_000);
    expect(bucket.available()).toBe(5);
  });

  it("a clock going backwards does not mint tokens", () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1, now: clock.now });
    bucket.tryTake();
    clock.advance(-10_000);
    expect(bucket.available()).toBe(0);
  });
});

describe("TokenBucket.take (waiting)", () => {
  it("serves waiters in arrival order and spaces them by the refill interval", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 10, now: () => Date.now() });
    const order: number[] = [];
    const waits: number[] = [];
    const all = [0, 1, 2, 3].map((i) =>
      bucket.take().then((waited) => {
        order.push(i);
        waits.push(waited);
      }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual([0]);
    await vi.advanceTimersByTimeAsync(99);
    expect(order).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(order).toEqual([0, 1]);
    await vi.advanceTimersByTimeAsync(200);
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(waits).toEqual([0, 100, 200, 300]);
  });

  it("an abort while waiting rejects with AbortError and does not hold up the callers behind it", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1, now: () => Date.now() });
    await bucket.take(); // bucket now empty; next token in 1000 ms
    const ac = new AbortController();
    const aborted = bucket.take(1, ac.signal);
    const abortedResult = aborted.then(
      () => "resolved",
      (e: unknown) => e,
    );
    let thirdDone = false;
    const third = bucket.take().then((w) => {
      thirdDone = true;
      return w;
    });
    await vi.advanceTimersByTimeAsync(300);
    ac.abort();
    await vi.advanceTimersByTimeAsync(0);
    const error = await abortedResult;
    expect(isAbortError(error)).toBe(true);
    // The aborted waiter took no token: the third caller gets the token that refills at t=1000.
    await vi.advanceTimersByTimeAsync(650);
    expect(thirdDone).toBe(false);
    await vi.advanceTimersByTimeAsync(50);
    expect(thirdDone).toBe(true);
    expect(await third).toBe(1000);
  });

  it("a waiter aborted while still queued behind another rejects at once, not when its turn comes", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 0.1, now: () => Date.now() });
    await bucket.take(); // next token in 10 s
    const first = bucket.take(); // waits 10 s
    const ac = new AbortController();
    let settled: unknown = "pending";
    const queued = bucket.take(1, ac.signal).then(
      () => "resolved",
      (e: unknown) => e,
    );
    void queued.then((v) => {
      settled = v;
    });
    await vi.advanceTimersByTimeAsync(100);
    ac.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(isAbortError(settled)).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await first).toBe(10_000);
    // The aborted caller never consumed a token: the next one refills 10 s after `first` took its token (t=20 s),
    // so a caller arriving at t=10.1 s waits 9.9 s, not 19.9 s.
    const next = bucket.take();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await next).toBe(9_900);
  });

  it("a take served from a free token reports 0 ms, even if the clock moves before the caller resumes", async () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1, now: clock.now });
    const first = bucket.take();
    clock.advance(5);
    expect(await first).toBe(0);
    expect(bucket.available()).toBeCloseTo(1.005, 10);
  });

  it("an already-aborted signal rejects without taking a token", async () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1, now: clock.now });
    const ac = new AbortController();
    ac.abort();
    await expect(bucket.take(1, ac.signal)).rejects.toSatisfy(isAbortError);
    expect(bucket.available()).toBe(1);
  });
});

describe("sleep", () => {
  it("resolves after the delay and rejects with AbortError on abort, clearing its timer", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let done = false;
    const p = sleep(100).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);

    const ac = new AbortController();
    const aborted = sleep(1000, ac.signal);
    ac.abort();
    await expect(aborted).rejects.toSatisfy(isAbortError);
    expect(vi.getTimerCount()).toBe(0);
  });
});
