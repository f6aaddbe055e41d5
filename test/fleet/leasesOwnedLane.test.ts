import type { BlobLeaseClient } from "@azure/storage-blob";
import { describe, expect, it } from "vitest";
import { isLaneLostError, type LaneLossReason } from "../../src/fleet/leases/laneLostError";
import { OwnedLane } from "../../src/fleet/leases/ownedLane";

/** A lease client whose renewals answer as the test says (the fence logic needs no storage). */
function fakeLease(renew: (signal: AbortSignal) => Promise<void>) {
  const calls = { renew: 0, release: 0 };
  const client = {
    leaseId: "lease-1",
    renewLease: (options: { abortSignal: AbortSignal }) => {
      calls.renew++;
      return renew(options.abortSignal);
    },
    releaseLease: async () => {
      calls.release++;
    },
  } as unknown as BlobLeaseClient;
  return { client, calls };
}

const timing = {
  leaseDurationInMs: 400,
  safetyMarginInMs: 100,
  requestTimeoutInMs: 80,
  now: () => performance.now(),
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const storageError = (statusCode: number, code: string) =>
  Object.assign(new Error(code), { statusCode, code });

function lane(renew: (signal: AbortSignal) => Promise<void>) {
  const losses: Array<{ reason: LaneLossReason; cause: unknown; at: number }> = [];
  const { client, calls } = fakeLease(renew);
  const started = performance.now();
  const owned = new OwnedLane("contoso", client, started, timing, (_l, reason, cause) =>
    losses.push({ reason, cause, at: performance.now() - started }),
  );
  return { owned, losses, calls };
}

describe("OwnedLane fence", () => {
  it("without a renewal, its signal aborts at duration minus the safety margin, not before", async () => {
    const { owned, losses } = lane(async () => {});
    await sleep(250);
    expect(owned.signal.aborted).toBe(false);
    await sleep(150);
    expect(owned.signal.aborted).toBe(true);
    expect(losses).toHaveLength(1);
    expect(losses[0]!.reason).toBe("expired");
    expect(losses[0]!.at).toBeGreaterThanOrEqual(295);
    expect(losses[0]!.at).toBeLessThan(400); // before the service could end the lease
    const reason = owned.signal.reason;
    expect(isLaneLostError(reason) && reason.lane === "contoso" && reason.reason === "expired").toBe(true);
  });

  it("a successful renewal moves the deadline forward from the moment it was sent", async () => {
    const { owned, losses } = lane(async () => {});
    await sleep(200);
    await owned.renew();
    await sleep(200); // 400 ms after the start: past the first deadline (300), before the new one (~500)
    expect(owned.signal.aborted).toBe(false);
    await sleep(200);
    expect(losses.map((l) => l.reason)).toEqual(["expired"]);
  });

  it("a renewal that hangs is abandoned after the request timeout and the lane is lost at once", async () => {
    const { owned, losses } = lane(
      (signal) =>
        new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
    );
    const error = await owned.renew();
    expect(error).toBeDefined();
    expect(losses.map((l) => l.reason)).toEqual(["renewFailed"]);
    expect(losses[0]!.at).toBeLessThan(200);
  });

  it.each([
    [409, "LeaseIsBrokenAndCannotBeRenewed", "stolen"],
    [409, "LeaseIdMismatchWithLeaseOperation", "leaseLost"],
    [409, "LeaseNotPresentWithLeaseOperation", "leaseLost"],
    [503, "ServerBusy", "renewFailed"],
  ] as const)("a renewal answered %i %s loses the lane as %s", async (status, code, expected) => {
    const { owned, losses } = lane(async () => {
      throw storageError(status, code);
    });
    const outage = await owned.renew();
    expect(losses.map((l) => l.reason)).toEqual([expected]);
    expect(owned.lost).toBe(true);
    // Only failures to reach the service count as an outage; refusals are answers.
    expect(outage === undefined).toBe(expected !== "renewFailed");
  });

  it("a renewal that succeeds after the deadline fired does not revive the lane", async () => {
    const { owned, losses } = lane(() => sleep(350));
    const renewal = owned.renew();
    await sleep(320);
    expect(owned.lost).toBe(true);
    await renewal;
    await sleep(200);
    expect(owned.lost).toBe(true);
    expect(losses.map((l) => l.reason)).toEqual(["expired"]);
  });

  it("losing is idempotent and a lost lane is not renewed any more", async () => {
    const { owned, losses, calls } = lane(async () => {});
    expect(owned.lose("released")).toBe(true);
    expect(owned.lose("expired")).toBe(false);
    await owned.renew();
    expect(calls.renew).toBe(0);
    expect(losses.map((l) => l.reason)).toEqual(["released"]);
  });
});
