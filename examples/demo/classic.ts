/**
 * The classic demo (`npm run demo`): one Defender tenant synced with the Sentinel workspace of the same
 * tenant through `SentinelTarget` (the SecurityInsights incidents API), over HTTP on the emulator.
 */
import {
  ARM_RATE_LIMITS,
  DEFAULT_ALERT_STREAM_NAME,
  DefenderClient,
  GRAPH_RATE_LIMITS,
  LogsIngestionAlertSink,
  type RateLimitOptions,
  SentinelClient,
  SyncEngine,
  type SyncReport,
} from "defender-sentinel-sync";
import { createEmulator, type Emulator, type EmulatorServer } from "defender-sentinel-sync/testing";
import { explainChanges } from "./explain";
import { fmt, type Out, stdoutLine, table } from "./output";
import { createRequestCounter, type RequestCounter } from "./requestCounter";

export interface ClassicDemoOptions {
  incidents: number;
  seed: number;
  faults: boolean;
  /** Where lines go (default stdout). */
  out?: Out;
  /** Rewrite the progress line in place (default: stdout is a terminal). Off, every line is plain text. */
  tty?: boolean;
}

// The emulator enforces the real rate limits, sped up 50×; the clients' own limiters are scaled to match so
// the run waits instead of collecting 429s, exactly as it would against Azure (only faster).
const timeScale = 50;
const scaled = (limits: RateLimitOptions): RateLimitOptions =>
  Object.fromEntries(
    Object.entries(limits).map(([kind, b]) => [
      kind,
      { capacity: b.capacity, refillPerSecond: b.refillPerSecond * timeScale },
    ]),
  ) as unknown as RateLimitOptions;

interface ClassicRun {
  out: Out;
  tty: boolean;
  emu: Emulator;
  server: EmulatorServer;
  engine: SyncEngine;
  reports: SyncReport[];
  /** Events are printed only during the scripted scenario. */
  live: boolean;
  throttled: number;
  started: number;
  faults: boolean;
  counters: { graph: RequestCounter; arm: RequestCounter };
  /** Defender ids whose merge closed their Sentinel copy (their close needs another explanation). */
  redirected: Set<string>;
}

export async function runClassicDemo(options: ClassicDemoOptions): Promise<void> {
  const run = await setUp(options);
  try {
    wireEvents(run, options.incidents);
    await backfill(run);
    await scenario(run);
    summary(run);
  } finally {
    await run.server.close();
  }
}

async function setUp(options: ClassicDemoOptions): Promise<ClassicRun> {
  const { incidents: incidentCount, seed, faults } = options;
  const out = options.out ?? stdoutLine;
  const tty = options.tty ?? process.stdout.isTTY === true;
  const started = Date.now();
  const emu = createEmulator({ seed, incidents: incidentCount, timeScale });
  const server = await emu.listen();
  out(`Emulator listening: Graph ${server.defenderEndpoint} · ARM ${server.sentinelEndpoint}`);
  out(
    `Rate limits: Graph 150/min, ARM 250 reads + 200 writes burst, both sped up ${timeScale}× for the demo`,
  );
  out(`Seeded tenant ${server.tenantId} with ${incidentCount} Defender incidents (seed ${seed})`);
  if (faults) {
    const kinds = [
      500,
      503,
      "reset",
      "truncate",
      { kind: "status", status: 429, retryAfterSeconds: 1 },
    ] as const;
    emu.faults.configure({
      seed,
      defender: { probability: 0.05, kinds: [...kinds] },
      sentinel: { probability: 0.05, kinds: [...kinds] },
    });
    out("Fault injection on: 5% of requests fail with 429, 5xx, connection resets or truncated bodies");
  }
  const retryOptions = { retryDelayInMs: 50, maxRetryDelayInMs: 500, maxRetries: 5 };
  const counters = { graph: createRequestCounter("graph"), arm: createRequestCounter("arm") };
  const defender = new DefenderClient(emu.credential, {
    endpoint: server.defenderEndpoint,
    retryOptions,
    additionalPolicies: counters.graph.policies,
    rateLimit: scaled(GRAPH_RATE_LIMITS),
  });
  const sentinel = new SentinelClient(emu.credential, {
    endpoint: server.sentinelEndpoint,
    subscriptionId: server.subscriptionId,
    resourceGroupName: server.resourceGroupName,
    workspaceName: server.workspaceName,
    retryOptions,
    additionalPolicies: counters.arm.policies,
    rateLimit: scaled(ARM_RATE_LIMITS),
  });
  // Alerts go to a Log Analytics table through the (emulated) Logs Ingestion API, as the connector's
  // SecurityAlert rows would.
  const alertSink = new LogsIngestionAlertSink(emu.credential, {
    endpoint: server.url,
    ruleId: "dcr-00000000000000000000000000000000",
    streamName: DEFAULT_ALERT_STREAM_NAME,
    tenantId: server.tenantId,
    retryOptions,
  });
  const engine = new SyncEngine({
    defender,
    sentinel,
    tenantId: server.tenantId,
    maxConcurrency: 8,
    alertSink,
  });
  return {
    out,
    tty,
    emu,
    server,
    engine,
    reports: [],
    live: false,
    throttled: 0,
    started,
    faults,
    counters,
    redirected: new Set(),
  };
}

function wireEvents(run: ClassicRun, incidentCount: number): void {
  const { engine, out } = run;
  const live = (line: string) => run.live && out(line);
  // A terminal gets one progress line rewritten in place; a pipe or a file gets only the result line.
  if (run.tty) {
    engine.on("progress", (p) => {
      if (p.side !== "defender" || p.phase !== "backfill") return;
      const total = p.estimatedTotal ?? incidentCount;
      process.stdout.write(`\rBackfill: ${p.processed}/${total} Defender incidents processed`);
    });
  }
  engine.on("throttled", () => run.throttled++);
  engine.on("incident.created", (e) =>
    live(`  + created Sentinel copy ${e.sentinelName} of Defender ${e.defenderId}`),
  );
  engine.on("incident.updated", (e) => {
    const fields = e.changes.map((c) => `${c.field}: ${fmt(c.from)} → ${fmt(c.to)}`).join(", ");
    live(`  ~ ${e.direction} #${e.defenderId}: ${fields}`);
    const why = explainChanges(e.direction, e.changes, run.redirected.has(e.defenderId));
    if (why) live(`      why: ${why}`);
  });
  engine.on("incident.closed", (e) =>
    live(`  ✓ closed #${e.defenderId} (${e.classification}), closed in ${e.origin}`),
  );
  engine.on("incident.reopened", (e) => live(`  ↺ reopened #${e.defenderId} in ${e.origin}`));
  engine.on("incident.redirected", (e) => {
    run.redirected.add(e.defenderId);
    live(
      `  ⇢ #${e.defenderId} merged into #${e.targetDefenderId}; Sentinel copy closed and labelled Redirected`,
    );
  });
  engine.on("comment.synced", (e) => live(`  ✎ comment ${e.direction} on #${e.defenderId}`));
  engine.on("conflict", (e) => live(`  ! conflict on #${e.defenderId} (${e.group}): ${e.resolution} wins`));
  engine.on("incident.failed", (e) =>
    out(`  ✗ #${e.defenderId ?? "?"} failed${e.transient ? " (will retry)" : " (quarantined)"}: ${e.reason}`),
  );
}

// A cycle that cannot list a side (faults outlasting retries) rejects; the next one resumes from the
// checkpointed watermarks. start() does this on its own; here we retry by hand to keep the script linear.
async function cycle(run: ClassicRun): Promise<SyncReport> {
  for (let attempt = 1; ; attempt++) {
    try {
      const report = await run.engine.runOnce();
      run.reports.push(report);
      return report;
    } catch (e) {
      if (attempt >= 5) throw e;
      run.out(
        `${run.tty ? "\n" : ""}  cycle interrupted (${(e as Error).name}: ${(e as Error).message.slice(0, 80)}); resuming from checkpoint`,
      );
    }
  }
}

async function backfill(run: ClassicRun): Promise<void> {
  const { out } = run;
  const first = await cycle(run);
  if (run.tty) out(""); // ends the progress line
  out(
    `Backfill done in ${(first.durationInMs / 1000).toFixed(1)} s: ${first.counts.created} Sentinel incidents created, ` +
      `${first.counts.commentsToSentinel} comments copied, ${first.counts.alertsUploaded} alert rows ingested, ` +
      `${first.apiCalls.defender} Graph + ${first.apiCalls.sentinel} ARM calls`,
  );
  const quiet = await cycle(run);
  out(
    `Steady state (nothing changed): ${quiet.writes.defender + quiet.writes.sentinel} writes, ${quiet.apiCalls.defender} Graph + ${quiet.apiCalls.sentinel} ARM calls`,
  );
}

async function scenario(run: ClassicRun): Promise<void> {
  const { emu, engine, out } = run;
  run.live = true;
  out("");
  out("Scripted scenario:");
  const incidents = emu.defender
    .listIncidents()
    .filter((i) => i.status !== "redirected" && i.status !== "resolved");
  const [a, b, c, d] = incidents;
  if (!a || !b || !c || !d) throw new Error("the seed produced too few open incidents for the scenario");
  const nameOf = async (id: string) => (await engine.stateStore.getRecord(id))!.sentinelName;

  out(`1. An analyst closes Sentinel incident of #${a.id} as BenignPositive / SuspiciousButExpected`);
  emu.sentinel.editIncident(await nameOf(a.id), {
    status: "Closed",
    classification: "BenignPositive",
    classificationReason: "SuspiciousButExpected",
    classificationComment: "Pen test by the red team",
  });
  out(`2. Another analyst reassigns Defender incident #${b.id} to bob@contoso.com and comments on it`);
  emu.defender.editIncident(b.id, { assignedTo: "bob@contoso.com" });
  emu.defender.addComment(b.id, "Taking this one, checking the mailbox rules.", "Bob");
  out(`3. Defender merges incident #${c.id} into #${d.id}`);
  emu.defender.mergeIncidents(c.id, d.id);
  out(`4. An analyst comments in Sentinel on #${d.id}`);
  emu.sentinel.addComment(await nameOf(d.id), "Escalated to tier 2.", "Carol");

  await cycle(run);
  run.live = false;

  out("");
  out("What each side shows now:");
  const defA = emu.defender.getIncident(a.id)!;
  out(
    `  Defender #${a.id}: status ${defA.status}, classification ${defA.classification}/${defA.determination}`,
  );
  const senB = emu.sentinel.getIncident(await nameOf(b.id))!;
  out(
    `  Sentinel copy of #${b.id}: owner ${senB.properties.owner?.userPrincipalName ?? senB.properties.owner?.email}`,
  );
  const senC = emu.sentinel.getIncident(await nameOf(c.id))!;
  out(
    `  Sentinel copy of #${c.id}: status ${senC.properties.status}, labels ${(senC.properties.labels ?? []).map((l) => l.labelName).join(", ")}`,
  );
}

function summary(run: ClassicRun): void {
  const { emu, reports, out } = run;
  const stats = emu.stats();
  const sum = (f: (r: SyncReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  out("");
  out("Summary");
  table(out, [
    ["Defender incidents", String(emu.defender.listIncidents().length)],
    ["Sentinel incidents", String(emu.sentinel.listIncidents().length)],
    ["Writes to Sentinel", String(sum((r) => r.writes.sentinel))],
    ["Writes to Defender", String(sum((r) => r.writes.defender))],
    ["Alert rows in Log Analytics", String(emu.logs.count(DEFAULT_ALERT_STREAM_NAME))],
    ["Graph API calls", String(stats.defender.requests)],
    ["ARM API calls", String(stats.sentinel.requests)],
    ["429 responses", String(stats.defender.throttled + stats.sentinel.throttled)],
    ["Client-side throttle waits", String(run.throttled)],
    ["Failures", String(sum((r) => r.counts.failed))],
    ["Duration", `${((Date.now() - run.started) / 1000).toFixed(1)} s`],
  ]);
  if (run.faults) faultSummary(run);
}

/** What fault injection did: faults the emulator injected, and the retries that absorbed them. */
function faultSummary(run: ClassicRun): void {
  const { defender, sentinel } = run.emu.stats();
  const { graph, arm } = run.counters;
  const failures = run.reports.reduce((n, r) => n + r.counts.failed, 0);
  run.out("");
  run.out(
    `Injected faults: ${defender.faults + sentinel.faults} (Graph ${defender.faults}, ARM ${sentinel.faults}); ` +
      `retries: ${graph.retries + arm.retries} (Graph ${graph.retries}, ARM ${arm.retries}); ` +
      `incidents failed after retries: ${failures}`,
  );
}
