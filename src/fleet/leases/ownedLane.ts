import type { BlobLeaseClient } from "@azure/storage-blob";
import { type LaneLossReason, LaneLostError } from "./laneLostError";
import { renewalRefusal } from "./storageErrors";

export interface LaneTiming {
  leaseDurationInMs: number;
  safetyMarginInMs: number;
  requestTimeoutInMs: number;
  now: () => number;
}

export type LaneLostListener = (lane: OwnedLane, reason: LaneLossReason, cause: unknown) => void;

/**
 * One lane this instance holds: its lease, the signal its cycle watches and a local deadline. The deadline
 * is counted from the moment the last successful acquire or renew was *sent*, so it always falls before the
 * service's expiry (which counts from when the request arrived); the signal aborts at the deadline minus a
 * safety margin even if every storage call hangs. This is the first fence; the ledger's ETag-conditional
 * writes (a deposed owner's write fails with a conflict) are the second.
 */
export class OwnedLane {
  private readonly controller = new AbortController();
  private deadline: ReturnType<typeof setTimeout> | undefined;
  /** Local time (timing.now) the last successful acquire/renew was sent. */
  private confirmedAt: number;

  constructor(
    readonly lane: string,
    private readonly lease: BlobLeaseClient,
    sentAt: number,
    private readonly timing: LaneTiming,
    private readonly onLost: LaneLostListener,
  ) {
    this.confirmedAt = sentAt;
    this.armDeadline();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get leaseId(): string {
    return this.lease.leaseId;
  }

  get lost(): boolean {
    return this.controller.signal.aborted;
  }

  /** Local time after which the lease may have expired on the service. */
  get expiresAt(): number {
    return this.confirmedAt + this.timing.leaseDurationInMs;
  }

  /**
   * Renews the lease. Any failure loses the lane at once — a refusal (`stolen`, `leaseLost`) or a call that
   * did not get through (`renewFailed`) — so the lane stops before its next write; the storage error of an
   * outage is returned for the caller's outage accounting.
   */
  async renew(): Promise<unknown> {
    if (this.lost) return undefined;
    const sentAt = this.timing.now();
    try {
      await this.lease.renewLease({ abortSignal: AbortSignal.timeout(this.timing.requestTimeoutInMs) });
    } catch (error) {
      const refusal = renewalRefusal(error);
      this.lose(refusal ?? "renewFailed", error);
      return refusal ? undefined : error;
    }
    if (this.lost) return undefined; // the deadline fired while the call was in flight: lost stays lost
    this.confirmedAt = sentAt;
    this.armDeadline();
    return undefined;
  }

  /** Aborts the lane's signal (idempotent). Returns false when it was already lost. */
  lose(reason: LaneLossReason, cause?: unknown): boolean {
    if (this.lost) return false;
    clearTimeout(this.deadline);
    this.controller.abort(new LaneLostError(this.lane, reason, { cause }));
    this.onLost(this, reason, cause);
    return true;
  }

  /** Gives the lease back so another instance can acquire at once; failures are ignored (it then expires). */
  async release(): Promise<void> {
    try {
      await this.lease.releaseLease({ abortSignal: AbortSignal.timeout(this.timing.requestTimeoutInMs) });
    } catch {
      // Unreachable storage or a lease already gone: either way it ends by itself within its duration.
    }
  }

  private armDeadline(): void {
    clearTimeout(this.deadline);
    const at = this.confirmedAt + this.timing.leaseDurationInMs - this.timing.safetyMarginInMs;
    this.deadline = setTimeout(() => this.lose("expired"), Math.max(0, at - this.timing.now()));
    this.deadline.unref?.();
  }
}
