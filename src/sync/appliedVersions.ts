/**
 * Versions of items the engine already found applied (the ledger held exactly that version). Each pass re-lists
 * an overlap window before its watermark, so a quiet lane sees the same few items every cycle; remembering them
 * spares one ledger read each (a request per item on a remote store such as Azure Table Storage). Only the
 * owner of a lane writes its ledger, so a remembered version cannot go stale behind the engine's back.
 */
export class AppliedVersions {
  private readonly seen = new Map<string, string>();

  constructor(private readonly capacity = 10_000) {}

  private key(side: "defender" | "sentinel", id: string): string {
    return `${side}\n${id.toLowerCase()}`;
  }

  /** True when `version` of the item was already found applied. */
  has(side: "defender" | "sentinel", id: string, version: string | null | undefined): boolean {
    return typeof version === "string" && this.seen.get(this.key(side, id)) === version;
  }

  remember(side: "defender" | "sentinel", id: string, version: string | null | undefined): void {
    if (typeof version !== "string") return;
    // Bounded: the overlap window holds few items; a burst past the cap only costs re-reads.
    if (this.seen.size >= this.capacity) this.seen.clear();
    this.seen.set(this.key(side, id), version);
  }

  forget(side: "defender" | "sentinel", id: string): void {
    this.seen.delete(this.key(side, id));
  }
}
