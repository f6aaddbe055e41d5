/**
 * Randomized schedules (fast-check): analysts edit both sides, Defender merges incidents and raises new ones,
 * and the services fail (429, 5xx, 409, connection resets, truncated bodies) while the engine runs cycles.
 * Once the faults stop and the engine quiesces, both sides must agree, nothing may be duplicated, and nothing
 * an analyst did may be lost: every comment is on both sides, and a field group edited on one side only ends
 * with that side's last value.
 *
 * SYNC_FUZZ_RUNS (default 200) sets the number of schedules; SYNC_FUZZ_SEED (+ SYNC_FUZZ_PATH) replays a failure.
 */
import type {
  CanonicalField,
  CanonicalIncident,
  MergeGroup,
  SyncEngine,
  SyncReport,
} from "defender-sentinel-sync";
import type { Fault, FaultShorthand } from "defender-sentinel-sync/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalEquals } from "../../src/mapping";
import {
  defenderCanonical,
  expectConverged,
  type SyncSetup,
  sentinelCanonical,
  setupSync,
} from "../helpers/engine";

const RUNS = Number(process.env.SYNC_FUZZ_RUNS ?? 200);
const SEED = process.env.SYNC_FUZZ_SEED === undefined ? undefined : Number(process.env.SYNC_FUZZ_SEED);
const PATH = process.env.SYNC_FUZZ_PATH;

type Group = Exclude<MergeGroup, never>;
const GROUP_FIELDS: Record<Group, readonly CanonicalField[]> = {
  title: ["title"],
  description: ["description"],
  severity: ["severity"],
  lifecycle: ["status", "classification", "classificationDetail", "closingComment"],
  owner: ["owner"],
  tags: ["tags"],
};
const GROUPS = Object.keys(GROUP_FIELDS) as Group[];
const TAGS = ["alpha", "beta", "gamma", "delta"];

type Step =
  | { kind: "dEdit" | "sEdit"; i: number; group: Group; v: number }
  | { kind: "dComment" | "sComment" | "sCommentEdit"; i: number; v: number }
  | { kind: "merge"; i: number; j: number }
  | { kind: "newIncident" }
  | { kind: "faults"; p: number; kinds: number }
  | { kind: "conflict409"; times: number }
  | { kind: "cycle" };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("dEdit" as const),
      i: fc.nat(15),
      group: fc.constantFrom(...GROUPS),
      v: fc.nat(60),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("sEdit" as const),
      i: fc.nat(15),
      group: fc.constantFrom(...GROUPS),
      v: fc.nat(60),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("dComment" as const), i: fc.nat(15), v: fc.nat(60) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("sComment" as const), i: fc.nat(15), v: fc.nat(60) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("sCommentEdit" as const), i: fc.nat(15), v: fc.nat(60) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("merge" as const), i: fc.nat(15), j: fc.nat(15) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "newIncident" as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("faults" as const),
      p: fc.constantFrom(0, 0.1, 0.2, 0.35),
      kinds: fc.nat(31),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("conflict409" as const),
      times: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 4, arbitrary: fc.constant({ kind: "cycle" as const }) },
);

const scheduleArb = fc.record({
  seed: fc.integer({ min: 1, max: 10_000 }),
  incidents: fc.integer({ min: 3, max: 8 }),
  connectorCopies: fc.constantFrom(0, 0, 0.5),
  concurrency: fc.constantFrom(1, 4),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 14 }),
});
type Schedule = typeof scheduleArb extends fc.Arbitrary<infer T> ? T : never;

const FAULT_KINDS: readonly (Fault | FaultShorthand)[] = [
  { kind: "status", status: 429, retryAfterSeconds: 1 },
  500,
  503,
  "reset",
  "truncate",
];

/** What analysts did: the oracle of "nothing lost". */
interface Ledger {
  /** Per Defender id and group: which sides edited it, and the value after the last edit. */
  edits: Map<string, Map<Group, { sides: Set<"d" | "s">; value: CanonicalIncident }>>;
  /** Unique tokens of analyst comments (and comment edits). */
  comments: string[];
}

async function runSchedule(schedule: Schedule): Promise<void> {
  let clock = Date.now();
  const t = await setupSync({
    incidents: schedule.incidents,
    seed: schedule.seed,
    emulator: { timeScale: 1000, connectorCopies: schedule.connectorCopies },
    engine: { maxConcurrency: schedule.concurrency, now: () => new Date(clock), maxConflictRetries: 2 },
  });
  const ledger: Ledger = { edits: new Map(), comments: [] };
  let uniq = 0;
  const token = (prefix: string) => `${prefix}-${schedule.seed}-${++uniq}`;
  const cycle = async (): Promise<SyncReport | undefined> => {
    clock += 2 * 3600_000; // past any quarantine backoff
    return t.engine.runOnce().catch(() => undefined);
  };
  try {
    for (const step of schedule.steps) {
      if (step.kind === "cycle") await cycle();
      else await apply(t, step, ledger, token);
    }
    t.emu.faults.clear();
    await quiesce(t.engine, cycle);
    await check(t, ledger);
  } finally {
    await t.close();
  }
}

async function quiesce(engine: SyncEngine, cycle: () => Promise<SyncReport | undefined>) {
  const history: unknown[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await cycle();
    history.push(r ? { writes: r.writes, failures: r.failures } : "rejected");
    if (r && r.writes.defender + r.writes.sentinel === 0 && r.failures.length === 0) {
      let quarantined = 0;
      for await (const rec of engine.stateStore.listRecords()) if (rec.quarantine) quarantined++;
      if (quarantined === 0) return;
    }
  }
  throw new Error(`no quiescence: ${JSON.stringify(history)}`);
}

function pickIncident(t: SyncSetup, i: number) {
  const all = t.emu.defender.listIncidents();
  return all[i % all.length]!;
}

async function note(t: SyncSetup, ledger: Ledger, id: string, group: Group, side: "d" | "s", name?: string) {
  const value = side === "d" ? defenderCanonical(t.emu, id) : sentinelCanonical(t.emu, name!);
  let byGroup = ledger.edits.get(id);
  if (!byGroup) ledger.edits.set(id, (byGroup = new Map()));
  const entry = byGroup.get(group) ?? { sides: new Set<"d" | "s">(), value };
  entry.sides.add(side);
  // Not linked yet to the connector's copy: on first link tags merge as a union (no base tells a removal).
  if (
    group === "tags" &&
    side === "d" &&
    !(await t.store.getRecord(id)) &&
    t.emu.sentinel.findByProviderIncidentId(id)
  ) {
    entry.sides.add("s");
  }
  entry.value = value;
  byGroup.set(group, entry);
}

async function apply(
  t: SyncSetup,
  step: Exclude<Step, { kind: "cycle" }>,
  ledger: Ledger,
  token: (p: string) => string,
) {
  const { emu } = t;
  const users = emu.users();
  switch (step.kind) {
    case "faults": {
      const kinds = FAULT_KINDS.filter((_, n) => (step.kinds >> n) & 1);
      if (step.p === 0 || kinds.length === 0) emu.faults.clear();
      else
        emu.faults.configure({
          seed: step.kinds,
          defender: { probability: step.p, kinds },
          sentinel: { probability: step.p, kinds },
        });
      return;
    }
    case "conflict409":
      emu.faults.script({
        service: "sentinel",
        method: "PUT",
        route: "/incidents/{id}",
        fault: { kind: "status", status: 409 },
        times: step.times,
      });
      return;
    case "newIncident":
      emu.defender.createIncident({ displayName: token("new") });
      return;
    case "merge": {
      const a = pickIncident(t, step.i);
      const b = pickIncident(t, step.j);
      const closed = (s: string) => s === "resolved" || s === "redirected";
      if (a.id === b.id || closed(a.status) || closed(b.status)) return;
      emu.defender.mergeIncidents(a.id, b.id);
      for (const id of [a.id, b.id]) for (const g of GROUPS) await note(t, ledger, id, g, "d");
      return;
    }
    case "dComment": {
      const d = pickIncident(t, step.i);
      const text = token("dc");
      emu.defender.addComment(d.id, `Defender note ${text}`, users[step.v % users.length]!.userPrincipalName);
      ledger.comments.push(text);
      return;
    }
    case "dEdit": {
      const d = pickIncident(t, step.i);
      if (d.status === "redirected" && (step.group === "lifecycle" || step.group === "owner")) return;
      emu.defender.editIncident(d.id, defenderEdit(step.group, step.v, token, users, d.status));
      await note(t, ledger, d.id, step.group, "d");
      return;
    }
  }
  // Sentinel steps need the incident's copy, which exists once the engine linked or created it.
  const d = pickIncident(t, step.i);
  const record = await t.store.getRecord(d.id);
  if (!record || !emu.sentinel.getIncident(record.sentinelName)) return;
  const name = record.sentinelName;
  switch (step.kind) {
    case "sComment": {
      const text = token("sc");
      emu.sentinel.addComment(name, `Sentinel note ${text}`, users[step.v % users.length]!.userPrincipalName);
      ledger.comments.push(text);
      return;
    }
    case "sCommentEdit": {
      const comments = emu.sentinel
        .listComments(name)
        .filter((c) => !c.properties.message.startsWith("This incident was merged"));
      const c = comments[step.v % Math.max(1, comments.length)];
      if (!c) return;
      const text = token("edit");
      emu.sentinel.editComment(name, c.name, `${c.properties.message} ✎${text}`);
      ledger.comments.push(text);
      return;
    }
    case "sEdit": {
      // A merged incident cannot be reopened or reassigned from Sentinel (by design): not an analyst option here.
      if (d.status === "redirected" && (step.group === "lifecycle" || step.group === "owner")) return;
      const current = emu.sentinel.getIncident(name)!;
      emu.sentinel.editIncident(
        name,
        sentinelEdit(step.group, step.v, token, users, current.properties.labels),
      );
      await note(t, ledger, d.id, step.group, "s", name);
      // Not linked yet (a failed first attempt left only a quarantine record): the first link lets Defender win.
      if (!record.baseDefender) ledger.edits.get(d.id)!.get(step.group)!.sides.add("d");
      return;
    }
  }
}

function defenderEdit(
  group: Group,
  v: number,
  token: (p: string) => string,
  users: { userPrincipalName: string }[],
  status: string,
) {
  switch (group) {
    case "title":
      return { displayName: `D title ${token("t")}` };
    case "description":
      return { description: `D description ${token("d")}` };
    case "severity":
      return { severity: ["informational", "low", "medium", "high"][v % 4]! };
    case "owner":
      return { assignedTo: v % 7 === 0 ? null : users[v % users.length]!.userPrincipalName };
    case "tags":
      return { customTags: TAGS.filter((_, n) => (v >> n) & 1) };
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
      return { status: "resolved", classification, determination, resolvingComment: `D close ${token("r")}` };
    }
  }
}

function sentinelEdit(
  group: Group,
  v: number,
  token: (p: string) => string,
  users: { objectId: string }[],
  labels: { labelName: string; labelType: string }[],
) {
  switch (group) {
    case "title":
      return { title: `S title ${token("t")}` };
    case "description":
      return { description: `S description ${token("d")}` };
    case "severity":
      return { severity: ["Informational", "Low", "Medium", "High"][v % 4]! };
    case "owner":
      return { owner: v % 7 === 0 ? {} : { objectId: users[v % users.length]!.objectId } };
    case "tags":
      return {
        labels: [
          ...labels.filter((l) => l.labelType === "AutoAssigned"),
          ...TAGS.filter((_, n) => (v >> n) & 1).map((labelName) => ({ labelName })),
        ],
      };
    case "lifecycle": {
      const closes = [
        ["TruePositive", "SuspiciousActivity"],
        ["BenignPositive", "SuspiciousButExpected"],
        ["FalsePositive", "IncorrectAlertLogic"],
      ] as const;
      const k = v % 5;
      if (k >= 3) {
        return {
          status: k === 3 ? "Active" : "New",
          classification: undefined,
          classificationReason: undefined,
          classificationComment: undefined,
        };
      }
      const [classification, classificationReason] = closes[k]!;
      return {
        status: "Closed",
        classification,
        classificationReason,
        classificationComment: `S close ${token("r")}`,
      };
    }
  }
}

async function check(t: SyncSetup, ledger: Ledger) {
  await expectConverged(t.emu, t.store);
  const lost: string[] = [];
  // A group one side alone edited ends with that side's last value (on both sides, by convergence).
  for (const [id, byGroup] of ledger.edits) {
    const record = (await t.store.getRecord(id))!;
    for (const [group, { sides, value }] of byGroup) {
      if (sides.size !== 1) continue;
      const now = sides.has("d")
        ? defenderCanonical(t.emu, id)
        : sentinelCanonical(t.emu, record.sentinelName);
      const diff = GROUP_FIELDS[group].filter((f) => !canonicalEquals(f, now, value));
      if (diff.length > 0) {
        lost.push(
          `${id} ${group} (${[...sides]}): expected ${JSON.stringify(pick(value, diff))}, got ${JSON.stringify(pick(now, diff))}`,
        );
      }
    }
  }
  // Every analyst comment (and comment edit) is on both sides.
  const dTexts = t.emu.defender.listIncidents().flatMap((d) => d.comments.map((c) => c.comment));
  const sTexts = t.emu.sentinel
    .listIncidents()
    .flatMap((s) => t.emu.sentinel.listComments(s.name).map((c) => c.properties.message));
  for (const tok of ledger.comments) {
    if (!dTexts.some((x) => x.includes(tok))) lost.push(`comment ${tok} missing in Defender`);
    if (!sTexts.some((x) => x.includes(tok))) lost.push(`comment ${tok} missing in Sentinel`);
  }
  expect(lost).toEqual([]);
}

function pick(c: CanonicalIncident, fields: readonly CanonicalField[]) {
  return Object.fromEntries(fields.map((f) => [f, c[f]]));
}

describe("randomized schedules", () => {
  it(`converge with nothing duplicated or lost (${RUNS} runs)`, {
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
