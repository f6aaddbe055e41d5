import { InvalidArgumentError } from "../core/errors";

/**
 * Options of `RelayPacer`: how many relay rows any window may carry and the window length in ms (the relay rule's
 * query frequency). Default 140 rows per 300,000 ms.
 */
export interface RelayPacerOptions {
  /**
   * Rows allowed in any window of `windowInMs`. A Scheduled rule raises at most 150 alerts per run (the 150th
   * summarises the rest, so rows past 149 get no alert of their own); the default keeps a margin. For an NRT
   * rule (30 alerts per run, every minute) use 28 per 60,000 ms.
   */
  maxRowsPerWindow?: number;
  /** The rule's query frequency. Default 300,000 (PT5M). */
  windowInMs?: number;
  now?: () => number;
}

/**
 * Paces relay rows so that no run of the relay rule sees more rows than it can turn into alerts. Share one
 * pacer between every lane that writes to the same rule (same table): the cap is per rule run, not per lane.
 */
export class RelayPacer {
  readonly maxRowsPerWindow: number;
  readonly windowInMs: number;
  private readonly now: () => number;
  private readonly sent: { at: number; rows: number }[] = [];

  constructor(options: RelayPacerOptions = {}) {
    this.maxRowsPerWindow = options.maxRowsPerWindow ?? 140;
    this.windowInMs = options.windowInMs ?? 300_000;
    if (
      !Number.isInteger(this.maxRowsPerWindow) ||
      this.maxRowsPerWindow < 1 ||
      this.maxRowsPerWindow > 149
    ) {
      throw new InvalidArgumentError("maxRowsPerWindow", "must be an integer from 1 to 149");
    }
    if (!Number.isFinite(this.windowInMs) || this.windowInMs < 60_000) {
      throw new InvalidArgumentError(
        "windowInMs",
        "must be at least 60000 (a rule runs at most once a minute)",
      );
    }
    this.now = options.now ?? Date.now;
  }

  /** Rows that may be sent now. */
  available(): number {
    // A rule's ingestion-time slice includes both of its ends, so rows sent exactly one window ago still count.
    const horizon = this.now() - this.windowInMs;
    while (this.sent.length > 0 && (this.sent[0]?.at ?? 0) < horizon) this.sent.shift();
    return this.maxRowsPerWindow - this.sent.reduce((sum, s) => sum + s.rows, 0);
  }

  /** Takes up to `rows` from the budget; returns how many were granted. */
  take(rows: number): number {
    const granted = Math.max(0, Math.min(rows, this.available()));
    if (granted > 0) this.sent.push({ at: this.now(), rows: granted });
    return granted;
  }

  /** Gives back rows whose upload failed (they did not reach the table). */
  giveBack(rows: number): void {
    for (let i = this.sent.length - 1; i >= 0 && rows > 0; i--) {
      const entry = this.sent[i];
      if (!entry) continue;
      const back = Math.min(rows, entry.rows);
      entry.rows -= back;
      rows -= back;
    }
  }
}
