import type { AbortSignalLike } from "@azure/abort-controller";
import { RequestAbortedError } from "./errors";
import { sleep, type TokenBucket } from "./tokenBucket";

interface Waiter {
  flow: string;
  enqueuedAt: number;
  resolve(waitedInMs: number): void;
  reject(error: unknown): void;
  detach(): void;
}

const aborted = () => new RequestAbortedError("The operation was aborted while rate limited");

/**
 * Round-robin turns in front of one TokenBucket. Callers name their flow (a fleet lane); while callers wait,
 * each flow with a waiter gets the next token in turn, so a flow with many requests queued cannot make a flow
 * with one request wait behind all of them. The bucket itself still decides the rate, so the total never
 * exceeds it. When nobody waits, a free token is taken at once.
 */
export class FairQueue {
  /** Flows with waiters, in turn order (the flow served last moves to the back). */
  private readonly flows = new Map<string, Waiter[]>();
  private waiting = 0;
  private pumping = false;

  constructor(
    private readonly bucket: TokenBucket,
    private readonly now: () => number = Date.now,
  ) {}

  /** Callers waiting, in total or for one flow. */
  queued(flow?: string): number {
    return flow === undefined ? this.waiting : (this.flows.get(flow)?.length ?? 0);
  }

  /** Waits for this flow's turn and a token; resolves with the ms waited (0 when a token was free). */
  take(flow: string, abortSignal?: AbortSignalLike): Promise<number> {
    if (abortSignal?.aborted) return Promise.reject(aborted());
    if (this.waiting === 0 && this.bucket.tryTake(1) === 0) return Promise.resolve(0);
    return new Promise<number>((resolve, reject) => {
      const onAbort = () => {
        if (this.remove(waiter)) reject(aborted());
      };
      const waiter: Waiter = {
        flow,
        enqueuedAt: this.now(),
        resolve,
        reject,
        detach: () => abortSignal?.removeEventListener("abort", onAbort),
      };
      abortSignal?.addEventListener("abort", onAbort, { once: true });
      const queue = this.flows.get(flow);
      if (queue) queue.push(waiter);
      else this.flows.set(flow, [waiter]);
      this.waiting++;
      if (!this.pumping) void this.pump();
    });
  }

  /** Hands out tokens while anyone waits; the only place tokens are taken for waiters. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.waiting > 0) {
        const wait = this.bucket.tryTake(1);
        if (wait > 0) {
          await sleep(wait);
          continue;
        }
        // Synchronous from the token to the grant: an abort cannot slip in and strand the token.
        this.grantNext();
      }
    } finally {
      this.pumping = false;
    }
  }

  private grantNext(): void {
    const first = this.flows.entries().next();
    if (first.done) return;
    const [flow, queue] = first.value;
    const waiter = queue.shift()!;
    this.flows.delete(flow);
    if (queue.length > 0) this.flows.set(flow, queue);
    this.waiting--;
    waiter.detach();
    waiter.resolve(Math.max(0, this.now() - waiter.enqueuedAt));
  }

  private remove(waiter: Waiter): boolean {
    const queue = this.flows.get(waiter.flow);
    const at = queue?.indexOf(waiter) ?? -1;
    if (!queue || at < 0) return false;
    queue.splice(at, 1);
    if (queue.length === 0) this.flows.delete(waiter.flow);
    this.waiting--;
    waiter.detach();
    return true;
  }
}
