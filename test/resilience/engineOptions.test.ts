/**
 * SyncEngine checks its options when it is built, with InvalidArgumentError naming the option, instead of
 * failing later inside a cycle (or never: a poll interval of 0 spins, a concurrency of 0 used to be clamped
 * silently, an invalid backfillSince made every cycle throw).
 */
import {
  DefenderClient,
  InvalidArgumentError,
  SentinelClient,
  SyncEngine,
  type SyncEngineOptions,
} from "defender-sentinel-sync";
import { createEmulator } from "defender-sentinel-sync/testing";
import { describe, expect, it } from "vitest";

const emu = createEmulator({ seed: 1, incidents: 0, throttling: false });
const defender = new DefenderClient(emu.credential);
const sentinel = new SentinelClient(emu.credential, {
  subscriptionId: emu.subscriptionId,
  resourceGroupName: emu.resourceGroupName,
  workspaceName: emu.workspaceName,
});

function build(options: Partial<Record<keyof SyncEngineOptions, unknown>>): () => SyncEngine {
  return () => new SyncEngine({ defender, sentinel, ...options } as SyncEngineOptions);
}

function expectInvalid(options: Partial<Record<keyof SyncEngineOptions, unknown>>, argument: string) {
  let thrown: unknown;
  try {
    build(options)();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(InvalidArgumentError);
  expect(thrown).toBeInstanceOf(InvalidArgumentError);
  expect((thrown as InvalidArgumentError).argument).toBe(argument);
}

describe("SyncEngine options", () => {
  it("accepts the defaults and every documented value", () => {
    expect(build({})).not.toThrow();
    expect(
      build({
        backfillSince: new Date(Date.now() - 86_400_000),
        pollIntervalInMs: 1_000,
        maxConcurrency: 1,
        overlapInMs: 0,
        reconcileEveryNCycles: 0,
        direction: "sentinel-to-defender",
        conflictPolicy: () => "defender",
        connectorCopies: "ignore",
        maxConflictRetries: 0,
        quarantineBackoff: { initialInMs: 1_000, maxInMs: 1_000 },
        cycleTimeoutInMs: 60_000,
        dryRun: true,
        tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
      }),
    ).not.toThrow();
  });

  it("requires both clients", () => {
    expectInvalid({ defender: undefined }, "defender");
    expectInvalid({ sentinel: undefined }, "sentinel");
    expectInvalid({ sentinel: defender.metrics }, "sentinel");
    expect(() => new SyncEngine(undefined as unknown as SyncEngineOptions)).toThrow(InvalidArgumentError);
  });

  it.each([
    ["an invalid Date", new Date("not a date")],
    ["a date string", "2024-01-01T00:00:00Z"],
    ["a date in the future", new Date(Date.now() + 3_600_000)],
  ])("refuses backfillSince: %s", (_, value) => {
    expectInvalid({ backfillSince: value }, "backfillSince");
  });

  it.each([
    ["pollIntervalInMs", 0],
    ["pollIntervalInMs", 999],
    ["pollIntervalInMs", 1_500.5],
    ["pollIntervalInMs", Number.POSITIVE_INFINITY],
    ["pollIntervalInMs", Number.NaN],
    ["pollIntervalInMs", 2 ** 31],
    ["pollIntervalInMs", "60000"],
    ["maxConcurrency", 0],
    ["maxConcurrency", -1],
    ["maxConcurrency", 2.5],
    ["overlapInMs", -1],
    ["overlapInMs", Number.NaN],
    ["reconcileEveryNCycles", -1],
    ["reconcileEveryNCycles", 1.5],
    ["maxConflictRetries", -1],
    ["cycleTimeoutInMs", 0],
    ["cycleTimeoutInMs", Number.POSITIVE_INFINITY],
  ])("refuses %s = %s", (name, value) => {
    expectInvalid({ [name]: value }, name);
  });

  it("refuses unknown direction, conflict policy and connector mode, and non-boolean flags", () => {
    expectInvalid({ direction: "both-ways" }, "direction");
    expectInvalid({ conflictPolicy: "newest" }, "conflictPolicy");
    expectInvalid({ connectorCopies: "skip" }, "connectorCopies");
    expectInvalid({ dryRun: "yes" }, "dryRun");
    expectInvalid({ syncComments: 1 }, "syncComments");
  });

  it("refuses a backoff whose maximum is below its start, and malformed collaborators", () => {
    expectInvalid(
      { quarantineBackoff: { initialInMs: 10_000, maxInMs: 5_000 } },
      "quarantineBackoff.maxInMs",
    );
    expectInvalid({ quarantineBackoff: 5 }, "quarantineBackoff");
    expectInvalid({ stateStore: {} }, "stateStore");
    expectInvalid({ mapping: { defenderToCanonical: () => undefined } }, "mapping");
    expectInvalid({ alertSink: {} }, "alertSink");
    expectInvalid({ tenantId: "" }, "tenantId");
    expectInvalid({ now: new Date() }, "now");
  });

  it("names the option and the value it got in the message", () => {
    expect(build({ pollIntervalInMs: 5 })).toThrow(/pollIntervalInMs.*1000.*got 5/);
  });

  it("a backfillSince in the future is judged by the engine's own clock", () => {
    const past = () => new Date("2020-01-01T00:00:00Z");
    expectInvalid({ backfillSince: new Date("2021-01-01T00:00:00Z"), now: past }, "backfillSince");
    expect(build({ backfillSince: new Date("2019-01-01T00:00:00Z"), now: past })).not.toThrow();
  });
});
