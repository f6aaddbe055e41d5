/**
 * The Azure Functions host adapter's timer handler, driven with a fake invocation context against a fleet on the
 * emulator: a round per invocation, a failed lane logged without failing the invocation, a fleet that cannot be
 * built failing the invocation and built again at the next one.
 */
import type { InvocationContext, Timer } from "@azure/functions";
import { afterEach, describe, expect, it } from "vitest";
import { createSyncTimerHandler } from "../../examples/azure-functions/src/syncTimer";
import { DefenderClient, SentinelClient, SyncFleet } from "../../src/index";
import { createEmulator, type EmulatorServer } from "../../src/testing/index";

const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: true },
  scheduleStatus: { last: "", next: "", lastUpdated: "" },
};

function fakeContext() {
  const lines: { level: string; text: string }[] = [];
  const push =
    (level: string) =>
    (...args: unknown[]) =>
      lines.push({ level, text: args.map(String).join(" ") });
  const context = {
    log: push("log"),
    warn: push("warn"),
    error: push("error"),
  } as unknown as InvocationContext;
  return { context, lines };
}

let server: EmulatorServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function emulatedFleet(options: { brokenLane?: boolean } = {}) {
  const emu = createEmulator({ seed: 5, incidents: 6, throttling: false });
  const customer = emu.addTenant({ tenantId: "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b", incidents: 4 });
  server = await emu.listen();
  const srv = server;
  const sentinel = new SentinelClient(emu.credential, {
    endpoint: srv.sentinelEndpoint,
    subscriptionId: srv.subscriptionId,
    resourceGroupName: srv.resourceGroupName,
    workspaceName: srv.workspaceName,
  });
  const fleet = new SyncFleet();
  fleet.addLane({
    id: "default",
    defender: new DefenderClient(emu.credential, { endpoint: srv.defenderEndpoint }),
    sentinel,
  });
  const broken = { getToken: async () => Promise.reject(new Error("AADSTS7000215: invalid client secret")) };
  fleet.addLane({
    id: "customer",
    defender: new DefenderClient(options.brokenLane ? broken : customer.credential, {
      endpoint: srv.defenderEndpoint,
      retryOptions: { maxRetries: 0 },
    }),
    sentinel,
  });
  return fleet;
}

describe("Azure Functions timer handler", () => {
  it("runs one fleet round per invocation, building the fleet once", async () => {
    let built = 0;
    const handler = createSyncTimerHandler(async () => {
      built++;
      return emulatedFleet();
    });
    const { context, lines } = fakeContext();
    const first = await handler(timer, context);
    expect(first.totals).toMatchObject({ lanes: 2, completed: 2, failed: 0 });
    expect(first.totals.counts.created).toBe(10);
    const second = await handler(timer, context);
    expect(second.totals.writes).toEqual({ defender: 0, sentinel: 0 });
    expect(built).toBe(1);
    expect(lines.filter((l) => l.level === "log").map((l) => l.text)).toEqual([
      expect.stringMatching(/^lanes 2: 2 completed, 0 failed, 0 skipped; writes defender 0 \/ target \d+;/),
      expect.stringMatching(/^lanes 2: 2 completed, 0 failed, 0 skipped; writes defender 0 \/ target 0;/),
    ]);
  });

  it("logs a failed lane as an error and still completes the invocation with the other lanes' work", async () => {
    const handler = createSyncTimerHandler(() => emulatedFleet({ brokenLane: true }));
    const { context, lines } = fakeContext();
    const report = await handler(timer, context);
    expect(report.totals).toMatchObject({ completed: 1, failed: 1 });
    const errors = lines.filter((l) => l.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.text).toContain("lane customer failed");
  });

  it("fails the invocation when the fleet cannot be built, and builds it again next time", async () => {
    let attempts = 0;
    const handler = createSyncTimerHandler(async () => {
      attempts++;
      if (attempts === 1) throw new Error("SYNC_STORAGE_ACCOUNT is not set");
      return emulatedFleet();
    });
    const { context } = fakeContext();
    await expect(handler({ ...timer, isPastDue: true }, context)).rejects.toThrow("SYNC_STORAGE_ACCOUNT");
    const report = await handler(timer, context);
    expect(report.totals.completed).toBe(2);
    expect(attempts).toBe(2);
  });
});
