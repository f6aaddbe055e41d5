import { compareTimestamps, timestampKey } from "../core/timestamps";

/**
 * The position a listing pass may checkpoint: the newest (trusted) timestamp it saw, but never past an item
 * that still has to be looked at again — one that failed transiently, on any page of the pass, or one whose
 * handling was deferred to later in the cycle. The listing is re-read from there next cycle.
 */
export class PassMark {
  private high: string | undefined;
  private blocked: string | undefined;
  private readonly deferred = new Map<string, string>();

  /** An item at `ts` was listed. */
  seen(ts: string | undefined): void {
    if (ts && (!this.high || compareTimestamps(ts, this.high) > 0)) this.high = ts;
  }

  /** The item at `ts` failed transiently: no checkpoint of this pass may pass it. */
  block(ts: string | undefined): void {
    if (ts && (!this.blocked || compareTimestamps(ts, this.blocked) < 0)) this.blocked = ts;
  }

  /** The item `key` at `ts` is handled later in the cycle: hold the mark until `settle(key, …)`. */
  defer(key: string, ts: string | undefined): void {
    if (ts) this.deferred.set(key, ts);
  }

  /** A deferred item was handled; `ok` false blocks at its timestamp. */
  settle(key: string, ok: boolean): void {
    const ts = this.deferred.get(key);
    this.deferred.delete(key);
    if (!ok) this.block(ts);
  }

  /** Where a checkpoint may go now (a timestampKey), or undefined when nothing was seen. */
  get mark(): string | undefined {
    let mark = this.blocked;
    for (const ts of this.deferred.values()) if (!mark || compareTimestamps(ts, mark) < 0) mark = ts;
    const at = mark ?? this.high;
    return at === undefined ? undefined : timestampKey(at);
  }
}
