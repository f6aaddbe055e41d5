/**
 * Live output of the unified demo: one line per engine event of each lane. While the backfill brings new
 * mirrors up to date, their field and comment copies are tallied into one line per lane and step.
 */
import { fmt } from "./output";
import type { Demo } from "./unified";
import { CUSTOMERS, type Lane } from "./unifiedLanes";

export const MINUTE = 60_000;

/** Field and comment copies of one lane in one step (backfill only). */
export interface Tally {
  mirrors: Set<string>;
  fields: Set<string>;
  comments: number;
}

export function emptyTally(): Tally {
  return { mirrors: new Set(), fields: new Set(), comments: 0 };
}

/** Emulated time since the start, e.g. "T+10 min". */
export function at(demo: Demo): string {
  const minutes = Math.round((demo.setup.clock.now().getTime() - demo.clockStartMs) / MINUTE);
  return demo.paint(2, `T+${String(minutes).padStart(2, "0")} min`);
}

const COLOURS = [36, 35, 33];
export function tenantLabel(demo: Demo, lane: number): string {
  const name = CUSTOMERS[lane]?.name ?? `lane ${lane}`;
  return demo.paint(COLOURS[lane % COLOURS.length] ?? 0, name.padEnd(9));
}

function direction(lane: number, d: string): string {
  const name = CUSTOMERS[lane]?.name ?? "customer";
  return d === "defender-to-sentinel" ? `${name} → MSSP` : `MSSP → ${name}`;
}

function short(v: unknown): string {
  return v === "" ? '""' : fmt(v);
}

function say(demo: Demo, lane: number, line: string): void {
  demo.out(`${at(demo)}  ${tenantLabel(demo, lane)} ${line}`);
}

/** Prints and clears the lane's tally of the step that just ran. */
export function flushTally(demo: Demo, lane: number): void {
  const tally = demo.tallies[lane];
  if (!tally || (tally.mirrors.size === 0 && tally.comments === 0)) return;
  const fields = tally.fields.size > 0 ? ` (${[...tally.fields].join(", ")})` : "";
  say(
    demo,
    lane,
    `~ ${tally.mirrors.size} new mirror(s) brought up to date${fields}, ${tally.comments} comment(s) copied`,
  );
  demo.tallies[lane] = emptyTally();
}

function wireRelay(demo: Demo, lane: Lane, i: number): void {
  lane.engine.on("incident.pending", (e) => {
    const deferred = e.alertsDeferred > 0 ? `, ${e.alertsDeferred} deferred by the pacer` : "";
    const again = e.reRelayed ? " again (pending too long)" : "";
    say(demo, i, `⧗ #${e.defenderId} pending: ${e.alertsRelayed} alert row(s) relayed${again}${deferred}`);
  });
  lane.engine.on("incident.linked", (e) => {
    demo.links[i]?.set(e.defenderId, e.targetIncidentId);
    if (e.previousTargetIncidentId) {
      say(
        demo,
        i,
        `⇄ #${e.defenderId} relinked: MSSP #${e.previousTargetIncidentId} → #${e.targetIncidentId}`,
      );
      return;
    }
    const minutes = Math.round((e.pendingForMs ?? 0) / MINUTE);
    say(
      demo,
      i,
      `⇄ #${e.defenderId} linked to MSSP incident #${e.targetIncidentId} after ${minutes} min pending`,
    );
  });
  lane.engine.on("incident.duplicate", (e) =>
    say(
      demo,
      i,
      `≡ #${e.defenderId}: MSSP #${e.duplicateTargetIncidentId} resolved as a duplicate of #${e.primaryTargetIncidentId}`,
    ),
  );
}

function wireSync(demo: Demo, lane: Lane, i: number): void {
  lane.engine.on("incident.updated", (e) => {
    const tally = demo.tallies[i];
    if (!demo.live && tally) {
      tally.mirrors.add(e.defenderId);
      for (const c of e.changes) tally.fields.add(c.field);
      return;
    }
    const fields = e.changes.map((c) => `${c.field}: ${short(c.from)} → ${short(c.to)}`).join(", ");
    say(demo, i, `~ #${e.defenderId} / MSSP #${e.sentinelName} ${direction(i, e.direction)}: ${fields}`);
  });
  lane.engine.on("comment.synced", (e) => {
    const tally = demo.tallies[i];
    if (!demo.live && tally) {
      tally.mirrors.add(e.defenderId);
      tally.comments++;
      return;
    }
    say(demo, i, `✎ comment ${direction(i, e.direction)} on #${e.defenderId} / MSSP #${e.sentinelName}`);
  });
  lane.engine.on("incident.redirected", (e) =>
    say(
      demo,
      i,
      `⇢ #${e.defenderId} merged into #${e.targetDefenderId}; its mirror MSSP #${e.sentinelName} resolved`,
    ),
  );
  lane.engine.on("conflict", (e) =>
    say(demo, i, `! conflict on #${e.defenderId} (${e.group}): ${e.resolution} wins`),
  );
  lane.engine.on("incident.failed", (e) =>
    say(demo, i, `✗ #${e.defenderId ?? "?"} failed${e.transient ? " (will retry)" : ""}: ${e.reason}`),
  );
  lane.engine.on("warning", (w) => say(demo, i, `⚠ ${w.message}`));
}

export function wireEvents(demo: Demo, lane: Lane, i: number): void {
  wireRelay(demo, lane, i);
  wireSync(demo, lane, i);
}
