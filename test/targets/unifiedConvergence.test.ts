/**
 * Randomized schedules (fast-check) in unified mode: customer analysts edit and comment on source incidents,
 * MSSP analysts close, assign, tag and comment on the target incidents, new incidents and late alerts arrive,
 * uploads land with their answers lost, the clock moves (rule runs, the grouping lookback expires), bursts
 * exceed one rule run's cap, and the engine cycles in between. After a quiet tail both tenants must agree:
 * status/classification, owner and tags merged both ways (a group one side alone edited ends with that side's
 * last value), severity and description the source's, the title the source's once renamed after the link,
 * one open target incident per open source incident, nothing pending, every comment once on each side.
 *
 * UNIFIED_FUZZ_RUNS (default 200) sets the number of schedules; UNIFIED_SOAK=1 runs 2,000 longer ones;
 * UNIFIED_FUZZ_SEED (+ UNIFIED_FUZZ_PATH) replays a failure.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DefenderIncident, defenderIncidentSchema } from "../../src/defender/models";
import {
  type CanonicalField,
  type CanonicalIncident,
  canonicalEquals,
  createMappingProfile,
} from "../../src/mapping";
import { sourceKeysOfIncident } from "../../src/targets/sourceKeys";
import type { GraphIncident } from "../../src/testing/index";
import {
  CUSTOMER,
  cycleUntilLinked,
  cycleUntilQuiet,
  type Lane,
  MINUTE,
  relayIncidents,
  relayProblems,
  TABLE,
  unifiedLane,
} from "./unifiedHelpers";

const SOAK = process.env.UNIFIED_SOAK === "1";
const RUNS = Number(process.env.UNIFIED_FUZZ_RUNS ?? (SOAK ? 2000 : 200));
const SEED = process.env.UNIFIED_FUZZ_SEED === undefined ? undefined : Number(process.env.UNIFIED_FUZZ_SEED);
const PATH = process.env.UNIFIED_FUZZ_PATH;
const MAX_STEPS = SOAK ? 40 : 14;
/** The relay rule's query frequency (PT5M); a run executes 5 minutes after its scheduled time. */
const RULE_PERIOD = 5 * MINUTE;

/** Merge groups the relay syncs both ways, and their canonical fields. */
const MERGED = {
  lifecycle: ["status", "classification", "classificationDetail"],
  owner: ["owner"],
  tags: ["tags"],
} as const satisfies Record<string, readonly CanonicalField[]>;
type Merged = keyof typeof MERGED;
type CustomerGroup = Merged | "severity" | "title";

const TAGS = ["alpha", "beta", "gamma", "delta"];
const OWNERS = ["carol@customer.com", "dave@customer.com", "nina@mssp.example", "omar@mssp.example"];

type Step =
  | { kind: "cEdit"; i: number; group: CustomerGroup; v: number }
  | { kind: "cComment"; i: number }
  | { kind: "mEdit"; i: number; group: Merged; v: number }
  | { kind: "mComment"; i: number }
  | { kind: "newIncident" }
  | { kind: "lateAlert"; i: number }
  | { kind: "burst"; alerts: number }
  | { kind: "loseUploads"; times: number }
  | { kind: "advance"; minutes: number }
  | { kind: "cut"; at: CutPoint; effect: "reset" | "crash" }
  | { kind: "crashAtLedger" }
  | { kind: "cycle" };

/** Writes the front end can let land and then cut off: the answer lost, or the engine's process with it. */
const CUTS = {
  upload: { side: "ingestion", method: "POST", path: /\/dataCollectionRules\// },
  targetPatch: { side: "target", method: "PATCH", path: /\/security\/incidents\/[^/]+$/ },
  sourcePatch: { side: "source", method: "PATCH", path: /\/security\/incidents\/[^/]+$/ },
  targetComment: { side: "target", method: "POST", path: /\/comments$/ },
  sourceComment: { side: "source", method: "POST", path: /\/comments$/ },
} as const;
type CutPoint = keyof typeof CUTS;

const index = fc.nat(9);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("cEdit" as const),
      i: index,
      group: fc.constantFrom<CustomerGroup>("lifecycle", "owner", "tags", "severity", "title"),
      v: fc.nat(60),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("cComment" as const), i: index }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("mEdit" as const),
      i: index,
      group: fc.constantFrom<Merged>("lifecycle", "owner", "tags"),
      v: fc.nat(60),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("mComment" as const), i: index }) },
  { weight: 1, arbitrary: fc.constant({ kind: "newIncident" as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("lateAlert" as const), i: index }) },
  {
    weight: 1,
    // Past one run's budget (140 rows), and past the 150 alerts one incident holds.
    arbitrary: fc.record({ kind: fc.constant("burst" as const), alerts: fc.constantFrom(145, 160) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("loseUploads" as const),
      times: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      // Minutes, with the occasional jump past the rule's 7-day grouping lookback.
      minutes: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 30 }) }, fc.constant(8 * 24 * 60)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("cut" as const),
      at: fc.constantFrom(...(Object.keys(CUTS) as CutPoint[])),
      effect: fc.constantFrom("reset" as const, "crash" as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "crashAtLedger" as const }) },
  { weight: 5, arbitrary: fc.constant({ kind: "cycle" as const }) },
);

const scheduleArb = fc.record({
  incidents: fc.integer({ min: 1, max: 4 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: MAX_STEPS }),
});
type Schedule = typeof scheduleArb extends fc.Arbitrary<infer T> ? T : never;

const profile = createMappingProfile();

function canonical(raw: GraphIncident): CanonicalIncident {
  const result = profile.defenderToCanonical(defenderIncidentSchema.parse(raw));
  if (!result.ok) throw result.error;
  return result.value;
}

/** What analysts did: the oracle of "nothing lost". */
interface Oracle {
  /** Per source id and merged group: the sides that edited it and the value after the last edit. */
  edits: Map<string, Map<Merged, { sides: Set<"c" | "m">; value: CanonicalIncident }>>;
  /** Source ids renamed by the customer while their pair was linked: the target must follow. */
  renamed: Set<string>;
  /** Comment tokens, by the side they were written on. */
  comments: { token: string; source: string; side: "c" | "m" }[];
}

interface Run {
  lane: Lane;
  oracle: Oracle;
  token: (prefix: string) => string;
}

const customer = (lane: Lane) => lane.emu.unified.tenant(CUSTOMER);
const mssp = (lane: Lane) => lane.emu.unified.tenant(lane.emu.tenantId);
const pick = (lane: Lane, i: number) => {
  const all = customer(lane).listIncidents();
  return all[i % all.length]!;
};

function note(run: Run, id: string, group: Merged, side: "c" | "m", raw: GraphIncident): void {
  let byGroup = run.oracle.edits.get(id);
  if (!byGroup) run.oracle.edits.set(id, (byGroup = new Map()));
  const entry = byGroup.get(group) ?? { sides: new Set<"c" | "m">(), value: canonical(raw) };
  entry.sides.add(side);
  entry.value = canonical(raw);
  byGroup.set(group, entry);
}

/** A Graph edit of a merged group (the same vocabulary on both tenants). */
function mergedEdit(group: Merged, v: number, tags: readonly string[], status: string) {
  switch (group) {
    case "owner":
      return { assignedTo: v % 7 === 0 ? null : OWNERS[v % OWNERS.length]! };
    case "tags":
      return {
        customTags: TAGS.filter((_, n) => (v >> n) & 1).concat(tags.filter((t) => t === "Redirected")),
      };
    case "lifecycle": {
      const closes = [
        ["truePositive", "malware"],
        ["informationalExpectedActivity", "securityTesting"],
        ["falsePositive", "notMalicious"],
      ] as const;
      const k = v % 5;
      if (k === 3 || (k === 4 && status === "resolved")) return { status: "active" };
      if (k === 4) return { status: "inProgress" };
      const [classification, determination] = closes[k]!;
      return { status: "resolved", classification, determination };
    }
  }
}

async function customerEdit(run: Run, step: Extract<Step, { kind: "cEdit" }>): Promise<void> {
  const { lane } = run;
  const s = pick(lane, step.i);
  if (step.group === "severity") {
    const severity = ["informational", "low", "medium", "high"][step.v % 4]!;
    customer(lane).editIncident(s.id, { severity });
    return;
  }
  if (step.group === "title") {
    customer(lane).editIncident(s.id, { displayName: `Renamed ${run.token("t")}` });
    const record = await lane.store.getRecord(s.id);
    if (record?.relay?.targetId) run.oracle.renamed.add(s.id);
    return;
  }
  // A merged source cannot be reopened or reassigned (by design): not an analyst option here.
  if (s.status === "redirected" && step.group !== "tags") return;
  const edited = customer(lane).editIncident(s.id, mergedEdit(step.group, step.v, s.customTags, s.status));
  note(run, s.id, step.group, "c", edited);
}

/** The MSSP's side needs the pair linked: analysts only see the target incident once it exists. */
async function linkedTarget(
  run: Run,
  i: number,
): Promise<{ source: GraphIncident; target: string } | undefined> {
  const s = pick(run.lane, i);
  const target = (await run.lane.store.getRecord(s.id))?.relay?.targetId;
  return target ? { source: s, target } : undefined;
}

async function msspEdit(run: Run, step: Extract<Step, { kind: "mEdit" }>): Promise<void> {
  const pair = await linkedTarget(run, step.i);
  if (!pair || (pair.source.status === "redirected" && step.group !== "tags")) return;
  const t = mssp(run.lane).getIncident(pair.target)!;
  const edited = mssp(run.lane).editIncident(
    pair.target,
    mergedEdit(step.group, step.v, t.customTags, t.status),
    { by: "nina@mssp.example" },
  );
  note(run, pair.source.id, step.group, "m", edited);
}

async function apply(run: Run, step: Step): Promise<void> {
  const { lane } = run;
  switch (step.kind) {
    case "cycle":
      // One rule period: rows uploaded a cycle ago have become incidents by now. A crashed process restarts.
      await lane.cycle(RULE_PERIOD).catch((e: unknown) => {
        if (!lane.crash?.process.dead) throw e;
        lane.crash.restart();
      });
      return;
    case "cut":
      lane.crash!.frontEnd.add({ ...CUTS[step.at], effect: step.effect });
      return;
    case "crashAtLedger":
      lane.crash!.store.crashOnPut(() => true);
      return;
    case "advance":
      lane.advance(step.minutes * MINUTE);
      return;
    case "loseUploads":
      lane.emu.unified.loseIngestionResponses(step.times);
      return;
    case "newIncident":
      customer(lane).createIncident({ displayName: `New ${run.token("n")}` });
      return;
    case "burst": {
      // One incident with more alerts than a rule run raises (and maybe than an incident holds).
      const made = customer(lane).createIncident({ displayName: `Burst ${run.token("b")}` });
      const alert = made.alerts[0]!;
      const alerts = Array.from({ length: step.alerts }, (_, n) => ({ ...alert, id: `${alert.id}-b${n}` }));
      customer(lane).editIncident(made.id, { alerts });
      return;
    }
    case "lateAlert": {
      const s = pick(lane, step.i);
      const first = s.alerts[0];
      if (!first) return;
      customer(lane).editIncident(s.id, {
        alerts: [...s.alerts, { ...first, id: run.token(`${first.id}-late`) }],
      });
      return;
    }
    case "cEdit":
      return customerEdit(run, step);
    case "mEdit":
      return msspEdit(run, step);
    case "cComment": {
      const s = pick(lane, step.i);
      const token = run.token("cc");
      customer(lane).addComment(s.id, `customer note ${token}`, "carol@customer.com");
      run.oracle.comments.push({ token, source: s.id, side: "c" });
      return;
    }
    case "mComment": {
      const pair = await linkedTarget(run, step.i);
      if (!pair) return;
      const token = run.token("mc");
      mssp(lane).addComment(pair.target, `mssp note ${token}`, "nina@mssp.example");
      run.oracle.comments.push({ token, source: pair.source.id, side: "m" });
      return;
    }
  }
}

/** Field-by-field comparison of both sides of every pair against the merge rules and the oracle. */
async function fieldProblems(run: Run): Promise<string[]> {
  const { lane, oracle } = run;
  const problems: string[] = [];
  for (const s of customer(lane).listIncidents()) {
    const targetId = (await lane.store.getRecord(s.id))?.relay?.targetId;
    const t = targetId ? mssp(lane).getIncident(targetId) : undefined;
    if (!t) continue; // reported by relayProblems
    const [cs, ct] = [canonical(s), canonical(t)];
    ct.tags = ct.tags.filter((x) => x !== "Redirected");
    const fields: CanonicalField[] = ["severity", "description", "tags"];
    if (s.status !== "redirected") fields.push(...MERGED.lifecycle, "owner");
    if (oracle.renamed.has(s.id)) fields.push("title");
    for (const f of fields)
      if (!canonicalEquals(f, cs, ct))
        problems.push(`${s.id}→${t.id} ${f}: ${JSON.stringify(cs[f])} ≠ ${JSON.stringify(ct[f])}`);
    for (const [group, { sides, value }] of oracle.edits.get(s.id) ?? []) {
      if (sides.size !== 1) continue;
      const now = sides.has("c") ? cs : ct;
      for (const f of MERGED[group]) {
        const want = f === "tags" ? value.tags.filter((x) => x !== "Redirected") : value[f];
        if (!canonicalEquals(f, now, { ...value, [f]: want }))
          problems.push(
            `${s.id} ${group} edited on ${[...sides]} lost: ${JSON.stringify(want)} → ${JSON.stringify(now[f])}`,
          );
      }
    }
  }
  return problems;
}

function commentProblems(run: Run): string[] {
  const problems: string[] = [];
  const texts = (incidents: GraphIncident[]) => incidents.flatMap((i) => i.comments.map((c) => c.comment));
  const sources = texts(customer(run.lane).listIncidents());
  const targets = texts(mssp(run.lane).listIncidents());
  for (const { token, side } of run.oracle.comments) {
    const onSource = sources.filter((x) => x.includes(token)).length;
    const onTarget = targets.filter((x) => x.includes(token)).length;
    if (onSource !== 1 || onTarget !== 1)
      problems.push(`comment ${token} (${side}): ${onSource} on the source, ${onTarget} on the target`);
  }
  return problems;
}

/** What a failing schedule left behind (UNIFIED_FUZZ_DEBUG=1). */
function dump(lane: Lane): void {
  for (const i of relayIncidents(lane))
    console.log(
      `target ${i.id} ${i.status} alerts=${i.alerts.length} keys=${JSON.stringify(
        sourceKeysOfIncident(i as unknown as DefenderIncident).map((k) => k.incidentId),
      )} created=${i.createdDateTime}`,
    );
  for (const e of lane.events)
    if (e.name !== "warning") console.log(e.name, JSON.stringify(e.event).slice(0, 240));
  for (const r of lane.emu.unified.runs().filter((r) => r.results > 0))
    console.log(
      `run ${r.runId} at ${r.runAt} results=${r.results} created=${r.createdIncidentIds} incidents=${r.incidentIds}`,
    );
}

async function runSchedule(schedule: Schedule): Promise<void> {
  const lane = await unifiedLane({
    customerIncidents: schedule.incidents,
    mssPIncidents: 1,
    crashable: true,
  });
  let uniq = 0;
  const run: Run = {
    lane,
    oracle: { edits: new Map(), renamed: new Set(), comments: [] },
    token: (prefix) => `${prefix}${++uniq}`,
  };
  try {
    // Start linked, so that MSSP analysts have target incidents to work on from the first step.
    await lane.cycle();
    await cycleUntilLinked(lane, schedule.incidents, 12, 2 * RULE_PERIOD);
    for (const step of schedule.steps) await apply(run, step);
    lane.emu.unified.loseIngestionResponses(0);
    // Two rule periods a cycle: rows uploaded by one cycle are an incident by the next, so one quiet cycle does.
    await cycleUntilQuiet(lane, 40, 2 * RULE_PERIOD, 1);
    // Quiet stays quiet: one list call per side, nothing read back.
    const after = await lane.cycle(2 * RULE_PERIOD);
    const problems = [
      ...(after.apiCalls.defender + after.apiCalls.sentinel > 2
        ? [`quiet cycle calls ${JSON.stringify(after.apiCalls)}`]
        : []),
      ...(await relayProblems(lane)),
      ...(await fieldProblems(run)),
      ...commentProblems(run),
    ];
    if (problems.length > 0 && process.env.UNIFIED_FUZZ_DEBUG === "1") dump(lane);
    expect(problems).toEqual([]);
  } finally {
    await lane.close();
  }
}

describe("the rule's per-run budget", () => {
  it("relays a closed incident's alerts in one run rather than split (no second target incident)", async () => {
    const lane = await unifiedLane({ customerIncidents: 0, mssPIncidents: 1 });
    try {
      const control = customer(lane);
      const big = control.createIncident({ displayName: "Almost a window" });
      const alert = big.alerts[0]!;
      const alerts = Array.from({ length: 139 }, (_, n) => ({ ...alert, id: `${alert.id}-w${n}` }));
      control.editIncident(big.id, { alerts });
      const closed = control.createIncident({ displayName: "Closed with three alerts" });
      const three = [0, 1, 2].map((n) => ({ ...closed.alerts[0]!, id: `${closed.alerts[0]!.id}-c${n}` }));
      control.editIncident(closed.id, {
        alerts: three,
        status: "resolved",
        classification: "falsePositive",
        determination: "notMalicious",
      });
      const first = await lane.cycle();
      // One row of budget was left: the closed incident waits for the next window, whole.
      expect(lane.emu.unified.rows(TABLE)).toHaveLength(139);
      expect(first.failures).toEqual([]);
      await cycleUntilQuiet(lane, 20, 2 * RULE_PERIOD, 1);
      expect(await relayProblems(lane, 2)).toEqual([]);
      expect(lane.events.filter((e) => e.name === "incident.duplicate")).toEqual([]);
    } finally {
      await lane.close();
    }
  });
});

describe("randomized unified schedules", () => {
  it(`converge with one target incident each and nothing lost (${RUNS} runs)`, {
    timeout: Math.max(120_000, RUNS * 1500),
  }, async () => {
    await fc.assert(fc.asyncProperty(scheduleArb, runSchedule), {
      numRuns: RUNS,
      ...(SEED !== undefined ? { seed: SEED } : {}),
      ...(PATH !== undefined ? { path: PATH } : {}),
      endOnFailure: true,
    });
  });
});
