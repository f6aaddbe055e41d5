/**
 * The unified demo (`npm run demo -- --unified`): an MSSP mirrors three customer tenants into its own
 * workspace, onboarded to the unified Defender portal, through `UnifiedTarget`. Each customer incident's
 * alerts become relay rows; the relay rule turns them into alerts and incidents of the MSSP tenant; each
 * lane links them and keeps both incidents in sync through Graph. Runs on a manual clock moved in steps.
 */
import { type Out, stdoutLine } from "./output";
import { at, emptyTally, flushTally, MINUTE, type Tally, tenantLabel, wireEvents } from "./unifiedEvents";
import { CUSTOMERS, createMsspSetup, DEFAULT_CUSTOMER_INCIDENTS, type MsspSetup } from "./unifiedLanes";
import { closeFollowed, commentReached, pickScenario, type Scenario } from "./unifiedScenario";
import { printSummary } from "./unifiedSummary";

/** Rule runs past those the pacer needs before the demo gives up waiting for links. */
const SPARE_RUNS = 3;

export interface UnifiedDemoOptions {
  seed: number;
  /** Source incidents per customer. Default 6, 4 and 8. */
  incidents?: number;
  out?: Out;
  /** Colours when true. Default: whether stdout is a terminal (and NO_COLOR is unset). */
  tty?: boolean;
}

export interface UnifiedDemoResult {
  exitCode: number;
  sourceIncidents: number;
  linked: number;
  followedClose: boolean;
  commentReached: boolean;
}

/** Shared state of one demo run. */
export interface Demo {
  setup: MsspSetup;
  out: Out;
  paint: (code: number, text: string) => string;
  startedAtMs: number;
  clockStartMs: number;
  /** Per lane: source incident id → MSSP incident id. */
  links: Map<string, string>[];
  /** False during the backfill: field and comment copies are tallied, not printed one by one. */
  live: boolean;
  tallies: Tally[];
}

export async function runUnifiedDemo(options: UnifiedDemoOptions): Promise<UnifiedDemoResult> {
  const startedAtMs = Date.now();
  const counts = CUSTOMERS.map((_, i) => options.incidents ?? DEFAULT_CUSTOMER_INCIDENTS[i] ?? 0);
  const setup = await createMsspSetup({ seed: options.seed, incidents: counts, msspIncidents: 3 });
  const tty = options.tty ?? (process.stdout.isTTY === true && !process.env.NO_COLOR);
  const demo: Demo = {
    setup,
    out: options.out ?? stdoutLine,
    paint: (code, text) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text),
    startedAtMs,
    clockStartMs: setup.clock.now().getTime(),
    links: setup.lanes.map(() => new Map()),
    live: false,
    tallies: setup.lanes.map(() => emptyTally()),
  };
  try {
    await introduce(demo, counts);
    for (const [i, lane] of setup.lanes.entries()) wireEvents(demo, lane, i);
    const linked = await backfill(demo);
    const scenario = await pickScenario(demo);
    const followed = await runScenario(demo, scenario);
    await printSummary(demo);
    return verdict(demo, linked, followed);
  } finally {
    await setup.close();
  }
}

async function introduce(demo: Demo, counts: number[]): Promise<void> {
  const { out, setup, paint } = demo;
  const { server, lanes, pacer } = setup;
  out(paint(1, "Unified Defender portal: an MSSP mirrors three customer tenants into its workspace"));
  out(`Emulator listening on ${server.url} (Graph, ARM, Logs Ingestion); manual clock, moved in steps`);
  for (const [i, lane] of lanes.entries()) {
    out(`  Customer ${tenantLabel(demo, i)} ${lane.customer.tenantId}: ${counts[i]} Defender incidents`);
  }
  out(
    `  MSSP tenant ${server.tenantId}: workspace ${server.workspaceName}, 3 incidents of its own (left alone)`,
  );
  const installed = await lanes[0]!.target.ensureRelayRule();
  const rule = lanes[0]!.target.relayRule;
  out(
    `Relay rule ${installed.action}: ${rule.rule.kind} every 5 min over ${rule.tableName} ` +
      `(one alert per row, grouped into one incident per source incident)`,
  );
  out(`Relay pacer shared by the ${lanes.length} lanes: at most ${pacer.maxRowsPerWindow} rows per rule run`);
  out("");
}

/** Moves the clock, lets the relay rule run what is due, then runs one cycle per lane. */
export async function step(demo: Demo, ms: number): Promise<void> {
  const { clock, emu, lanes } = demo.setup;
  clock.advance(ms);
  for (const run of emu.unified.runDue()) {
    if (run.results === 0) continue;
    demo.out(
      `${at(demo)}  ${demo.paint(1, "relay rule")} ran: ${run.results} row(s) → ${run.alertIds.length} alert(s), ` +
        `${run.createdIncidentIds.length} new MSSP incident(s)`,
    );
  }
  // One lane after the other (as one worker would run them): the output stays in a readable order.
  for (const [i, lane] of lanes.entries()) {
    lane.reports.push(await lane.engine.runOnce());
    flushTally(demo, i);
  }
}

function linkedCount(demo: Demo): number {
  return demo.links.reduce((n, m) => n + m.size, 0);
}

export function sourceCount(demo: Demo): number {
  return demo.setup.lanes.reduce(
    (n, lane) => n + demo.setup.emu.unified.tenant(lane.customer.tenantId).listIncidents().length,
    0,
  );
}

/** Relay rows the customers' incidents need (an incident without alerts is relayed as one row). */
function sourceAlertCount(demo: Demo): number {
  const { emu, lanes } = demo.setup;
  return lanes
    .flatMap((lane) => emu.unified.tenant(lane.customer.tenantId).listIncidents())
    .reduce((n, incident) => n + Math.max(1, incident.alerts?.length ?? 0), 0);
}

async function backfill(demo: Demo): Promise<number> {
  const { out, paint } = demo;
  const { emu, lanes, pacer } = demo.setup;
  const total = sourceCount(demo);
  // A cycle a minute, as a scheduler would run the lanes; the pacer lets one rule run's worth of rows
  // through per 5 minutes, and a row becomes an incident one or two runs after it was ingested.
  const runs = SPARE_RUNS + Math.ceil(sourceAlertCount(demo) / pacer.maxRowsPerWindow);
  out(paint(1, "Backfill: every customer incident is relayed, then linked when the rule has made it"));
  await step(demo, 0);
  for (let i = 0; i < runs * 5 && linkedCount(demo) < total; i++) await step(demo, MINUTE);
  const perLane = lanes
    .map((lane, i) => {
      const own = emu.unified.tenant(lane.customer.tenantId).listIncidents().length;
      return `${lane.customer.name} ${demo.links[i]?.size ?? 0}/${own}`;
    })
    .join(", ");
  out(`Linked after ${at(demo)} (emulated): ${perLane}`);
  out("");
  return linkedCount(demo);
}

async function runScenario(demo: Demo, s: Scenario): Promise<{ close: boolean; comment: boolean }> {
  const { out, paint, setup } = demo;
  const { emu } = setup;
  demo.live = true;
  out(paint(1, "Scripted scenario:"));
  out(
    `1. An MSSP analyst resolves MSSP incident #${s.close.target} (${s.close.name} #${s.close.source}) as truePositive / malware`,
  );
  emu.unified.closeIncident(emu.tenantId, s.close.target, {
    classification: "truePositive",
    determination: "malware",
  });
  out(`2. A ${s.comment.name} analyst comments on their incident #${s.comment.source}`);
  emu.unified.tenant(s.comment.tenantId).addComment(s.comment.source, s.commentText, s.commentAuthor);
  out(`3. ${s.severity.name} raises the severity of #${s.severity.source} to high`);
  emu.unified.tenant(s.severity.tenantId).editIncident(s.severity.source, { severity: "high" });
  out(`4. An MSSP analyst assigns MSSP incident #${s.severity.target} to ${s.assignee}`);
  emu.unified.editIncident(emu.tenantId, s.severity.target, { assignedTo: s.assignee });
  await step(demo, MINUTE);
  out("");
  out(paint(1, "What each side shows after the next cycle:"));
  const closed = emu.unified.tenant(s.close.tenantId).getIncident(s.close.source);
  out(
    `  ${s.close.name} #${s.close.source} (customer tenant): status ${closed?.status}, ` +
      `${closed?.classification}/${closed?.determination}`,
  );
  const reached = commentReached(demo, s);
  out(
    `  MSSP #${s.comment.target}: ${reached ? `has the ${s.comment.name} comment "${s.commentText}"` : "no comment from the customer"}`,
  );
  const raised = emu.unified.tenant(emu.tenantId).getIncident(s.severity.target);
  const assigned = emu.unified.tenant(s.severity.tenantId).getIncident(s.severity.source);
  out(
    `  MSSP #${s.severity.target}: severity ${raised?.severity}; ${s.severity.name} #${s.severity.source}: assigned to ${assigned?.assignedTo ?? "nobody"}`,
  );
  await quiet(demo);
  return { close: closeFollowed(demo, s), comment: reached };
}

async function quiet(demo: Demo): Promise<void> {
  const before = demo.setup.lanes.map((l) => l.reports.length);
  await step(demo, MINUTE);
  const reports = demo.setup.lanes.flatMap((l, i) => l.reports.slice(before[i]));
  const writes = reports.reduce((n, r) => n + r.writes.defender + r.writes.sentinel, 0);
  const calls = reports.reduce((n, r) => n + r.apiCalls.defender + r.apiCalls.sentinel, 0);
  demo.out(
    `Steady state (nothing changed): ${writes} writes, ${calls} Graph calls across ${reports.length} lanes`,
  );
  demo.out("");
}

function verdict(
  demo: Demo,
  linked: number,
  followed: { close: boolean; comment: boolean },
): UnifiedDemoResult {
  const { out } = demo;
  const total = sourceCount(demo);
  const allLinked = linked === total;
  out(
    allLinked
      ? `✓ Every customer incident was linked: ${linked} of ${total}`
      : `✗ Only ${linked} of ${total} customer incidents were linked`,
  );
  out(
    followed.close
      ? "✓ The customer's incident followed the MSSP close"
      : "✗ The customer's incident did not follow the MSSP close",
  );
  out(
    followed.comment
      ? "✓ The customer's comment reached the MSSP"
      : "✗ The customer's comment did not reach the MSSP",
  );
  out(`Done in ${((Date.now() - demo.startedAtMs) / 1000).toFixed(1)} s (emulated: ${at(demo)})`);
  const ok = allLinked && followed.close && followed.comment;
  return {
    exitCode: ok ? 0 : 1,
    sourceIncidents: total,
    linked,
    followedClose: followed.close,
    commentReached: followed.comment,
  };
}
