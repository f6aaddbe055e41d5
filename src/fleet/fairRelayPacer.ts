import { RelayPacer, type RelayPacerOptions } from "../targets/relayPacer";

/**
 * Options of `FairRelayPacer`: the relay rule's row budget (as for `RelayPacer`) and `flowOf`, which names the lane
 * asking for rows.
 */
export interface FairRelayPacerOptions extends RelayPacerOptions {
  /** Names the lane asking (a fleet finds it through the async context). Undefined: one shared lane. */
  flowOf?: () => string | undefined;
}

interface Grant {
  at: number;
  lane: string;
  rows: number;
}

/**
 * Max-min fair shares of a relay rule's per-run budget for lanes that write to the same rule: within a
 * window, a lane gets at most its fair share of the rows while other lanes want rows too (a lane that wants
 * less than its share leaves the rest to the others). Without it, a lane with a large backlog that asks first
 * after each rule run takes the whole budget and a quiet lane's incident waits for the entire backlog.
 */
export class FairRelayPacer extends RelayPacer {
  private readonly flowOf: () => string | undefined;
  private readonly clock: () => number;
  private readonly grants: Grant[] = [];
  /** Rows each lane asked for and did not get, as of its last ask within the window. */
  private readonly unmet = new Map<string, { at: number; rows: number }>();

  constructor(options: FairRelayPacerOptions = {}) {
    super(options);
    this.flowOf = options.flowOf ?? (() => undefined);
    this.clock = options.now ?? Date.now;
  }

  override take(rows: number): number {
    const lane = this.flowOf() ?? "";
    const now = this.clock();
    this.prune(now);
    const used = this.usedByLane();
    const wants = new Map<string, number>();
    for (const [other, ask] of this.unmet) wants.set(other, (used.get(other) ?? 0) + ask.rows);
    for (const [other, rows] of used) if (!wants.has(other)) wants.set(other, rows);
    wants.set(lane, (used.get(lane) ?? 0) + Math.max(0, rows));
    const share = maxMinShares(this.maxRowsPerWindow, wants).get(lane) ?? 0;
    const allowed = Math.max(0, Math.min(rows, share - (used.get(lane) ?? 0)));
    const granted = super.take(allowed);
    if (granted > 0) this.grants.push({ at: now, lane, rows: granted });
    if (rows > granted) this.unmet.set(lane, { at: now, rows: rows - granted });
    else this.unmet.delete(lane);
    return granted;
  }

  override giveBack(rows: number): void {
    super.giveBack(rows);
    const lane = this.flowOf() ?? "";
    for (let i = this.grants.length - 1; i >= 0 && rows > 0; i--) {
      const grant = this.grants[i]!;
      if (grant.lane !== lane) continue;
      const back = Math.min(rows, grant.rows);
      grant.rows -= back;
      rows -= back;
    }
  }

  /**
   * Forgets grants older than one window (the base pacer's horizon) and unmet asks older than two: a lane
   * refused in one rule run still has its want counted in the next, before it has had the chance to ask again.
   */
  private prune(now: number): void {
    const horizon = now - this.windowInMs;
    while (this.grants.length > 0 && this.grants[0]!.at < horizon) this.grants.shift();
    for (const [lane, ask] of this.unmet) if (ask.at < horizon - this.windowInMs) this.unmet.delete(lane);
  }

  private usedByLane(): Map<string, number> {
    const used = new Map<string, number>();
    for (const g of this.grants) if (g.rows > 0) used.set(g.lane, (used.get(g.lane) ?? 0) + g.rows);
    return used;
  }
}

/**
 * Water-filling: lanes wanting less than an equal split get what they want; the rest is split equally among
 * the others (whole rows, the remainder going to the larger wants).
 */
export function maxMinShares(capacity: number, wants: ReadonlyMap<string, number>): Map<string, number> {
  const sorted = [...wants].sort((a, b) => a[1] - b[1]);
  const shares = new Map<string, number>();
  let remaining = capacity;
  sorted.forEach(([lane, want], i) => {
    const share = Math.min(want, Math.floor(remaining / (sorted.length - i)));
    shares.set(lane, share);
    remaining -= share;
  });
  return shares;
}
