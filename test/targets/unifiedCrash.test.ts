/**
 * The unified (relay) target crashed or cut off at every write point: the row upload, the ledger writes (pending
 * record, link record, merge record), the target and source PATCH, and the comment POSTs on either side (ours:
 * mirrored comments, duplicate notes). A "crash" stops the engine's process right after the write reached the
 * service (its store refuses everything, its requests never land) and a fresh engine on the same store takes
 * over; a "reset" loses only the answer. After each, cycles run until quiet: one open target incident per source
 * incident, every analyst edit on both sides, no comment twice.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  CUSTOMER,
  cycleUntilLinked,
  cycleUntilQuiet,
  type FrontEndRule,
  type Lane,
  MINUTE,
  relayIncidents,
  relayProblems,
  TABLE,
  unifiedLane,
} from "./unifiedHelpers";

let lane: Lane;
afterEach(async () => {
  await lane?.close();
});

const COMMENTS = /\/security\/incidents\/[^/]+\/comments$/;
const INCIDENT = /\/security\/incidents\/[^/]+$/;
const MSSP_ANALYST = "nina@mssp.example";

const named = (name: string) =>
  lane.events.filter((e) => e.name === name).map((e) => e.event as Record<string, unknown>);

interface Pair {
  source: string;
  target: string;
}

/** A crashable lane with `n` fresh (open) customer incidents, linked. */
async function linkedPairs(n = 1): Promise<Pair[]> {
  lane = await unifiedLane({ customerIncidents: 0, crashable: true });
  const control = lane.emu.unified.tenant(CUSTOMER);
  for (let i = 0; i < n; i++) control.createIncident({ customTags: [], assignedTo: null });
  await lane.cycle();
  await cycleUntilLinked(lane, n);
  return named("incident.linked").map((e) => ({
    source: String(e.defenderId),
    target: String(e.targetIncidentId),
  }));
}

const source = (id: string) => lane.emu.unified.tenant(CUSTOMER).getIncident(id)!;
const target = (id: string) => lane.emu.unified.tenant(lane.emu.tenantId).getIncident(id)!;

/** Comments of an incident that contain `text`. */
const copies = (incident: { comments: { comment: string }[] }, text: string) =>
  incident.comments.filter((c) => c.comment.includes(text));

/** Restarts the crashed process (if it crashed) and cycles until quiet. */
async function settle(): Promise<void> {
  await cycleUntilQuiet(lane);
}

/** The relay's invariants (see `relayProblems`) hold. */
async function expectSound(expectedTargets?: number): Promise<void> {
  expect(await relayProblems(lane, expectedTargets)).toEqual([]);
}

function cut(rule: FrontEndRule): void {
  lane.crash!.frontEnd.add(rule);
}

describe("the row upload", () => {
  it("accepted rows whose answers are all lost: sent again, still one target incident", async () => {
    lane = await unifiedLane({ customerIncidents: 0, crashable: true });
    lane.emu.unified.tenant(CUSTOMER).createIncident({ customTags: [] });
    // The client tries twice (one retry): both uploads land, both answers are lost.
    lane.emu.unified.loseIngestionResponses(2);
    const first = await lane.cycle();
    expect(first.failures).toMatchObject([{ transient: true }]);
    await settle();
    const alerts = source(lane.emu.unified.tenant(CUSTOMER).listIncidents()[0]!.id).alerts.length;
    expect(lane.emu.unified.rows(TABLE).length).toBe(3 * alerts);
    await expectSound(1);
    expect(named("incident.duplicate")).toEqual([]);
  });

  it("the process crashes after the upload, before the pending record is written", async () => {
    lane = await unifiedLane({ customerIncidents: 0, crashable: true });
    const incident = lane.emu.unified.tenant(CUSTOMER).createIncident({ customTags: [] });
    lane.crash!.store.crashOnPut((record, before) => !before && (record.relay?.relayed.length ?? 0) > 0);
    await expect(lane.cycle()).rejects.toThrow();
    expect(lane.crash!.process.crashes).toBe(1);
    expect(lane.emu.unified.rows(TABLE)).toHaveLength(incident.alerts.length);
    expect(await lane.store.getRecord(incident.id)).toBeUndefined();
    // The customer keeps working meanwhile.
    lane.emu.unified.tenant(CUSTOMER).addComment(incident.id, "customer: crash-1 note", "carol@customer.com");
    lane.emu.unified.tenant(CUSTOMER).editIncident(incident.id, { customTags: ["crash-1"] });
    lane.crash!.restart();
    await settle();
    await expectSound(1);
    const [t] = relayIncidents(lane);
    expect(copies(target(t!.id), "crash-1 note")).toHaveLength(1);
    expect(target(t!.id).customTags).toEqual(["crash-1"]);
  });

  it("a new alert of a linked pair: crash after its upload, before the ledger write", async () => {
    const [pair] = await linkedPairs(1);
    const control = lane.emu.unified.tenant(CUSTOMER);
    const s = source(pair!.source);
    const late = { ...s.alerts[0]!, id: `${s.alerts[0]!.id}-late` };
    control.editIncident(pair!.source, { alerts: [...s.alerts, late] });
    lane.crash!.store.crashOnPut((record) => record.relay?.relayed.includes(late.id) === true);
    await expect(lane.cycle(MINUTE)).rejects.toThrow();
    lane.crash!.restart();
    await settle();
    await expectSound(1);
    const t = target(pair!.target);
    expect(t.alerts.some((a) => JSON.stringify(a).includes(late.id))).toBe(true);
    expect(named("incident.duplicate")).toEqual([]);
  });
});

describe("the ledger writes", () => {
  it("crash at the link record: the link's comment and tags land once", async () => {
    lane = await unifiedLane({ customerIncidents: 0, crashable: true });
    const control = lane.emu.unified.tenant(CUSTOMER);
    const incident = control.createIncident({ customTags: [] });
    await lane.cycle();
    control.addComment(incident.id, "customer: before-link note", "carol@customer.com");
    control.editIncident(incident.id, { customTags: ["vip"], assignedTo: "carol@customer.com" });
    lane.crash!.store.crashOnPut((record, before) => !!record.relay?.targetId && !before?.relay?.targetId);
    let crashed = false;
    for (let i = 0; i < 6 && !crashed; i++) {
      await lane.cycle(5 * MINUTE).catch(() => undefined);
      crashed = lane.crash!.process.dead;
    }
    expect(crashed).toBe(true);
    const [t] = relayIncidents(lane);
    // The link's writes reached the target before the crash.
    expect(copies(target(t!.id), "before-link note")).toHaveLength(1);
    lane.crash!.restart();
    await settle();
    await expectSound(1);
    expect(copies(target(t!.id), "before-link note")).toHaveLength(1);
    expect(copies(source(incident.id), "before-link note")).toHaveLength(1);
    expect(target(t!.id)).toMatchObject({ customTags: ["vip"], assignedTo: "carol@customer.com" });
  });

  it("crash at the merge record after writes both ways: every edit once, on both sides", async () => {
    const [pair] = await linkedPairs(1);
    const { source: sid, target: tid } = pair!;
    lane.emu.unified.tenant(CUSTOMER).addComment(sid, "customer: merge-crash note", "carol@customer.com");
    lane.emu.unified.tenant(CUSTOMER).editIncident(sid, { customTags: ["from-customer"] });
    lane.emu.unified.addComment(lane.emu.tenantId, tid, "mssp: merge-crash reply", MSSP_ANALYST);
    lane.emu.unified.editIncident(lane.emu.tenantId, tid, { assignedTo: MSSP_ANALYST });
    lane.crash!.store.crashOnPut((record, before) => !!before?.relay?.targetId && record.comments.length > 0);
    await expect(lane.cycle(MINUTE)).rejects.toThrow();
    lane.crash!.restart();
    await settle();
    await expectSound(1);
    for (const i of [source(sid), target(tid)]) {
      expect(copies(i, "merge-crash note")).toHaveLength(1);
      expect(copies(i, "merge-crash reply")).toHaveLength(1);
      expect(i).toMatchObject({ customTags: ["from-customer"], assignedTo: MSSP_ANALYST });
    }
  });
});

describe("the in-flight record before the PATCHes", () => {
  it("crash while writing it: nothing was written yet, the next process does it all", async () => {
    const [pair] = await linkedPairs(1);
    const { source: sid, target: tid } = pair!;
    lane.emu.unified.tenant(CUSTOMER).editIncident(sid, { severity: "high", customTags: ["c"] });
    lane.emu.unified.editIncident(lane.emu.tenantId, tid, { assignedTo: MSSP_ANALYST });
    lane.crash!.store.crashOnPut((record) => record.relay?.inFlight !== undefined);
    await expect(lane.cycle(MINUTE)).rejects.toThrow();
    expect(target(tid).customTags).toEqual([]);
    lane.crash!.restart();
    await settle();
    await expectSound(1);
    expect((await lane.store.getRecord(sid))?.relay?.inFlight).toBeUndefined();
    for (const i of [source(sid), target(tid)])
      expect(i).toMatchObject({ severity: "high", customTags: ["c"], assignedTo: MSSP_ANALYST });
  });
});

describe("the PATCHes", () => {
  it("crash after the target PATCH, before the source PATCH and the comments", async () => {
    const [pair] = await linkedPairs(1);
    const { source: sid, target: tid } = pair!;
    lane.emu.unified.closeIncident(CUSTOMER, sid, {
      classification: "truePositive",
      determination: "malware",
    });
    lane.emu.unified.editIncident(lane.emu.tenantId, tid, { assignedTo: MSSP_ANALYST });
    lane.emu.unified.addComment(lane.emu.tenantId, tid, "mssp: patch-crash reply", MSSP_ANALYST);
    cut({ side: "target", method: "PATCH", path: INCIDENT, effect: "crash" });
    await expect(lane.cycle(MINUTE)).rejects.toThrow();
    expect(lane.crash!.frontEnd.dropped).toEqual([`target PATCH /v1.0/security/incidents/${tid}`]);
    expect(target(tid).status).toBe("resolved");
    lane.crash!.restart();
    await settle();
    await expectSound(1);
    for (const i of [source(sid), target(tid)]) {
      expect(i).toMatchObject({
        status: "resolved",
        classification: "truePositive",
        determination: "malware",
        assignedTo: MSSP_ANALYST,
      });
      expect(copies(i, "patch-crash reply")).toHaveLength(1);
    }
  });

  it("an analyst's revert after a crash that followed our PATCH is an edit, not a return to the base", async () => {
    const [pair] = await linkedPairs(1);
    const { source: sid, target: tid } = pair!;
    lane.emu.unified.tenant(CUSTOMER).editIncident(sid, { status: "inProgress" });
    cut({ side: "target", method: "PATCH", path: INCIDENT, effect: "crash" });
    await expect(lane.cycle(MINUTE)).rejects.toThrow();
    expect(target(tid).status).toBe("inProgress");
    // Back to the value of the last sync: with the old base alone this would read as "unchanged".
    lane.emu.unified.tenant(CUSTOMER).editIncident(sid, { status: "active" });
    lane.emu.unified.editIncident(lane.emu.tenantId, tid, { customTags: ["triage"] });
    lane.crash!.restart();
    await settle();
    await expectSound(1);
    for (const i of [source(sid), target(tid)])
      expect(i).toMatchObject({ status: "active", customTags: ["triage"] });
  });

  it("the MSSP's revert after a crash that followed the source PATCH wins too", async () => {
    const [pair] = await linkedPairs(1);
    const { source: sid, target: tid } = pair!;
    lane.emu.unified.editIncident(lane.emu.tenantId, tid, { assignedTo: MSSP_ANALYST });
    cut({ side: "source", method: "PATCH", path: INCIDENT, effect: "crash" });
    await expect(lane.cycle(MINUTE)).rejects.toThrow();
    expect(source(sid).assignedTo).toBe(MSSP_ANALYST);
    lane.emu.unified.editIncident(lane.emu.tenantId, tid, { assignedTo: null });
    lane.crash!.restart();
    await settle();
    await expectSound(1);
    for (const i of [source(sid), target(tid)]) expect(i.assignedTo ?? null).toBeNull();
  });

  it("crash after the source PATCH, before the comments", async () => {
    const [pair] = await linkedPairs(1);
    const { source: sid, target: tid } = pair!;
    lane.emu.unified.closeIncident(lane.emu.tenantId, tid, {
      classification: "falsePositive",
      determination: "notMalicious",
    });
    lane.emu.unified.editIncident(lane.emu.tenantId, tid, { customTags: ["fp-reviewed"] });
    lane.emu.unified.tenant(CUSTOMER).addComment(sid, "customer: source-patch note", "carol@customer.com");
    cut({ side: "source", method: "PATCH", path: INCIDENT, effect: "crash" });
    await expect(lane.cycle(MINUTE)).rejects.toThrow();
    expect(source(sid).status).toBe("resolved");
    lane.crash!.restart();
    await settle();
    await expectSound(1);
    for (const i of [source(sid), target(tid)]) {
      expect(i).toMatchObject({ status: "resolved", classification: "falsePositive" });
      expect(i.customTags).toEqual(["fp-reviewed"]);
      expect(copies(i, "source-patch note")).toHaveLength(1);
    }
  });
});

describe("the comment POSTs", () => {
  for (const effect of ["reset", "crash"] as const) {
    it(`customer comment → target: stored, then ${effect === "reset" ? "the answer is lost" : "the process dies"}`, async () => {
      const [pair] = await linkedPairs(1);
      const { source: sid, target: tid } = pair!;
      lane.emu.unified
        .tenant(CUSTOMER)
        .addComment(sid, `customer: ${effect} to target`, "carol@customer.com");
      cut({ side: "target", method: "POST", path: COMMENTS, effect });
      const first = await lane.cycle(MINUTE).catch(() => undefined);
      if (effect === "reset") expect(first?.failures).toMatchObject([{ transient: true }]);
      expect(lane.crash!.frontEnd.dropped).toHaveLength(1);
      await settle();
      await expectSound(1);
      expect(copies(target(tid), `${effect} to target`)).toHaveLength(1);
      expect(copies(source(sid), `${effect} to target`)).toHaveLength(1);
    });

    it(`MSSP comment → source: stored, then ${effect === "reset" ? "the answer is lost" : "the process dies"}`, async () => {
      const [pair] = await linkedPairs(1);
      const { source: sid, target: tid } = pair!;
      lane.emu.unified.addComment(lane.emu.tenantId, tid, `mssp: ${effect} to source`, MSSP_ANALYST);
      cut({ side: "source", method: "POST", path: COMMENTS, effect });
      await lane.cycle(MINUTE).catch(() => undefined);
      expect(lane.crash!.frontEnd.dropped).toHaveLength(1);
      await settle();
      await expectSound(1);
      expect(copies(source(sid), `${effect} to source`)).toHaveLength(1);
      expect(copies(target(tid), `${effect} to source`)).toHaveLength(1);
    });
  }

  it("the duplicate note on a second target incident: crash after it is posted", async () => {
    const [pair] = await linkedPairs(1);
    lane.advance(8 * 24 * 60 * MINUTE); // past the rule's 7-day grouping lookback
    const control = lane.emu.unified.tenant(CUSTOMER);
    const s = source(pair!.source);
    control.editIncident(pair!.source, { alerts: [...s.alerts, { ...s.alerts[0]!, id: "late-alert" }] });
    cut({ side: "target", method: "POST", path: COMMENTS, effect: "crash" });
    let crashed = false;
    for (let i = 0; i < 6 && !crashed; i++) {
      await lane.cycle(5 * MINUTE).catch(() => undefined);
      crashed = lane.crash!.process.dead;
    }
    expect(crashed).toBe(true);
    lane.crash!.restart();
    await settle();
    await expectSound(2);
    const duplicates = named("incident.duplicate");
    expect(duplicates.map((d) => d.primaryTargetIncidentId)).toEqual([pair!.target]);
    const dup = target(String(duplicates[0]?.duplicateTargetIncidentId));
    expect(dup.status).toBe("resolved");
    expect(copies(dup, `Duplicate of incident ${pair!.target}`)).toHaveLength(1);
  });

  it("the redirect note after a source merge: crash after it is posted", async () => {
    const [a, b] = await linkedPairs(2);
    lane.emu.unified.tenant(CUSTOMER).mergeIncidents(a!.source, b!.source);
    cut({ side: "target", method: "POST", path: COMMENTS, effect: "crash" });
    await expect(lane.cycle(MINUTE)).rejects.toThrow();
    lane.crash!.restart();
    await settle();
    await expectSound(2);
    const merged = target(a!.target);
    expect(merged.status).toBe("resolved");
    expect(copies(merged, `was merged into source incident ${b!.source}`)).toHaveLength(1);
    expect(named("incident.redirected").length).toBeGreaterThanOrEqual(1);
  });
});
