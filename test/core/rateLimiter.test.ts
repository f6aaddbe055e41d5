import { describe, expect, it } from "vitest";
import { ARM_RATE_LIMITS, GRAPH_RATE_LIMITS, operationKindOf, RateLimiter } from "../../src/core/rateLimiter";

function manualClock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("RateLimiter", () => {
  it("ARM defaults follow the per-principal token bucket (reads 250 @25/s, writes and deletes 200 @10/s)", () => {
    expect(ARM_RATE_LIMITS).toEqual({
      read: { capacity: 250, refillPerSecond: 25 },
      write: { capacity: 200, refillPerSecond: 10 },
      delete: { capacity: 200, refillPerSecond: 10 },
    });
    const limiter = new RateLimiter(ARM_RATE_LIMITS, manualClock().now);
    expect(limiter.bucket("read").capacity).toBe(250);
    expect(limiter.bucket("read").refillPerSecond).toBe(25);
    expect(limiter.bucket("write").capacity).toBe(200);
    expect(limiter.bucket("delete").refillPerSecond).toBe(10);
  });

  it("Graph defaults: one bucket of 150/min shared by every operation", () => {
    expect(GRAPH_RATE_LIMITS.read).toEqual({ capacity: 150, refillPerSecond: 2.5 });
    const limiter = new RateLimiter(GRAPH_RATE_LIMITS, manualClock().now);
    expect(limiter.bucket("write")).toBe(limiter.bucket("read"));
    expect(limiter.bucket("delete")).toBe(limiter.bucket("read"));
  });

  it("keeps read, write and delete budgets apart", async () => {
    const clock = manualClock();
    const limiter = new RateLimiter(
      {
        read: { capacity: 2, refillPerSecond: 1 },
        write: { capacity: 1, refillPerSecond: 1 },
        delete: { capacity: 3, refillPerSecond: 1 },
      },
      clock.now,
    );
    expect(await limiter.acquire("write")).toBe(0);
    expect(limiter.bucket("write").tryTake()).toBeGreaterThan(0);
    // Spending writes left reads and deletes untouched.
    expect(limiter.bucket("read").available()).toBe(2);
    expect(limiter.bucket("delete").available()).toBe(3);
    expect(await limiter.acquire("read")).toBe(0);
    expect(await limiter.acquire("delete")).toBe(0);
    expect(limiter.bucket("read").available()).toBe(1);
    expect(limiter.bucket("delete").available()).toBe(2);
  });

  it("a kind left out shares the read bucket", async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ read: { capacity: 2, refillPerSecond: 1 } }, clock.now);
    await limiter.acquire("write");
    await limiter.acquire("delete");
    expect(limiter.bucket("read").available()).toBe(0);
  });

  it("maps HTTP methods to operation kinds (POST list calls count as writes, as ARM counts them)", () => {
    expect(operationKindOf("GET")).toBe("read");
    expect(operationKindOf("head")).toBe("read");
    expect(operationKindOf("DELETE")).toBe("delete");
    expect(operationKindOf("PUT")).toBe("write");
    expect(operationKindOf("PATCH")).toBe("write");
    expect(operationKindOf("POST")).toBe("write");
  });
});
