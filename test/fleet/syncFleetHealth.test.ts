import {
  AuthenticationError,
  AuthorizationError,
  ConnectionError,
  CycleTimeoutError,
  InvalidArgumentError,
  NotFoundError,
  ServiceUnavailableError,
  StateStoreCorruptedError,
  ThrottledError,
} from "defender-sentinel-sync";
import { describe, expect, it } from "vitest";
import { classifyLaneFailure, LaneHealth } from "../../src/fleet/laneHealth";

const request = { method: "GET", url: "https://example.test/x", headers: {} };
const http = (service: "defender" | "sentinel", statusCode: number) => ({ service, statusCode, request });

describe("classifyLaneFailure", () => {
  it("sorts cycle errors into reasons; consent, permissions, a missing workspace and a broken ledger are at once fatal", () => {
    expect(classifyLaneFailure(new AuthenticationError("401", http("defender", 401)))).toEqual({
      reason: "authentication",
      immediate: true,
    });
    expect(classifyLaneFailure(new AuthorizationError("403", http("sentinel", 403)))).toEqual({
      reason: "authorization",
      immediate: true,
    });
    expect(classifyLaneFailure(new NotFoundError("404", http("sentinel", 404)))).toEqual({
      reason: "workspaceNotFound",
      immediate: true,
    });
    // A Graph 404 is not a missing workspace.
    expect(classifyLaneFailure(new NotFoundError("404", http("defender", 404))).reason).toBe("failing");
    expect(
      classifyLaneFailure(new StateStoreCorruptedError("state/log.jsonl", 3, "torn line")),
    ).toMatchObject({ reason: "stateStore", immediate: true });
    expect(
      classifyLaneFailure(
        new ThrottledError("429", { ...http("defender", 429), retryAfterInMs: 86_400_000 }),
      ),
    ).toEqual({ reason: "throttled", immediate: false, retryAfterInMs: 86_400_000 });
    expect(
      classifyLaneFailure(
        new ServiceUnavailableError("503", { ...http("sentinel", 503), retryAfterInMs: 5_000 }),
      ),
    ).toEqual({ reason: "throttled", immediate: false, retryAfterInMs: 5_000 });
    expect(classifyLaneFailure(new ServiceUnavailableError("503", http("sentinel", 503))).reason).toBe(
      "failing",
    );
    expect(classifyLaneFailure(new CycleTimeoutError(1000)).reason).toBe("cycleTimeout");
    expect(classifyLaneFailure(new ConnectionError("reset", { code: "ECONNRESET" })).reason).toBe("failing");
    expect(classifyLaneFailure(new Error("anything")).reason).toBe("failing");
  });
});

describe("LaneHealth", () => {
  it("backs off exponentially from the first fatal failure, capped, and recovers on success", () => {
    const health = new LaneHealth({ initialInMs: 1_000, maxInMs: 5_000 });
    const auth = new AuthenticationError("401", http("defender", 401));
    const waits: number[] = [];
    let now = 0;
    for (let i = 0; i < 5; i++) {
      const verdict = health.failed(auth, now);
      expect(verdict.unhealthy).toBe(true);
      waits.push(verdict.nextAttemptAt! - now);
      expect(health.isDue(now)).toBe(false);
      now = verdict.nextAttemptAt!;
      expect(health.isDue(now)).toBe(true);
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(health.consecutiveFailures).toBe(5);
    // Unhealthy since the first failure at 0; 1 + 2 + 4 + 5 + 5 s of waits later it completes.
    expect(health.succeeded(now + 10)).toEqual({ unhealthyForMs: 17_010, failures: 5 });
    expect(health.unhealthy).toBe(false);
    expect(health.nextAttemptAt).toBeUndefined();
    expect(health.succeeded(now)).toBeUndefined();
  });

  it("a lane that keeps failing turns unhealthy at the threshold; a long Retry-After holds it back even before", () => {
    const health = new LaneHealth({ initialInMs: 1_000, failuresBeforeUnhealthy: 3 });
    const outage = new Error("5xx after retries");
    expect(health.failed(outage, 0)).toEqual({
      reason: "failing",
      unhealthy: false,
      consecutiveFailures: 1,
      nextAttemptAt: undefined,
    });
    const throttled = new ThrottledError("429", { ...http("defender", 429), retryAfterInMs: 30_000 });
    expect(health.failed(throttled, 10)).toMatchObject({ unhealthy: false, nextAttemptAt: 30_010 });
    expect(health.isDue(20)).toBe(false);
    expect(health.failed(outage, 30_010)).toMatchObject({ unhealthy: true, nextAttemptAt: 31_010 });
  });

  it("cycle timeouts (a backfill spanning cycles) never make a lane unhealthy", () => {
    const health = new LaneHealth({ failuresBeforeUnhealthy: 1 });
    for (let i = 0; i < 5; i++) {
      expect(health.failed(new CycleTimeoutError(1_000), i)).toMatchObject({
        reason: "cycleTimeout",
        unhealthy: false,
        nextAttemptAt: undefined,
      });
    }
    expect(health.consecutiveFailures).toBe(0);
  });

  it("refuses bad backoff options", () => {
    expect(() => new LaneHealth({ initialInMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => new LaneHealth({ initialInMs: 10, maxInMs: 5 })).toThrow(/maxInMs/);
    expect(() => new LaneHealth({ failuresBeforeUnhealthy: 1.5 })).toThrow(/failuresBeforeUnhealthy/);
  });
});
