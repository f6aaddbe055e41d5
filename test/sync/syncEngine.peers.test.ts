/**
 * The complaints collected in PEERS.md (§2.2, §5, §6), each as a scenario the engine must get right, plus
 * conflicts, redirects, 409 handling, poison incidents and watermarks.
 */
import {
  type ConflictContext,
  type ConflictEvent,
  createMappingProfile,
  type IncidentFailedEvent,
  type IncidentRedirectedEvent,
  sentinelNameFor,
} from "defender-sentinel-sync";
import { describe, expect, it } from "vitest";
import {
  expectConverged,
  nameOf,
  openIncidents,
  runToQuiescence,
  type SetupOptions,
  sentinelCanonical,
  totalWrites,
  useSyncSetups,
  writeCounts,
} from "../helpers/engine";

const setup = useSyncSetups();
const total = totalWrites;

/** A clock the test moves by hand (engine option `now`). */
function manualClock(start = Date.now()) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) };
}

describe("PEERS complaints", () => {
  it("owner is not clobbered when another field changes (XSOAR PR #28920)", async () => {
    const t = await setup({ incidents: 4, seed: 21 });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    const dave = t.emu.users()[3]!;
    // Assigned in Sentinel by objectId only (the service fills in the rest).
    t.emu.sentinel.editIncident(name, { owner: { objectId: dave.objectId } });
    await runToQuiescence(t.engine);
    expect(t.emu.defender.getIncident(d!.id)!.assignedTo?.toLowerCase()).toBe(
      dave.userPrincipalName.toLowerCase(),
    );

    // Partial updates on either side leave the owner alone.
    t.emu.defender.editIncident(d!.id, { severity: "high" });
    await runToQuiescence(t.engine);
    t.emu.sentinel.editIncident(name, { title: "Only the title changed" });
    await runToQuiescence(t.engine);
    const s = t.emu.sentinel.getIncident(name)!.properties;
    expect(s.severity).toBe("High");
    expect(s.owner.objectId).toBe(dave.objectId);
    expect(s.owner.userPrincipalName).toBe(dave.userPrincipalName);
    expect(t.emu.defender.getIncident(d!.id)!.assignedTo?.toLowerCase()).toBe(
      dave.userPrincipalName.toLowerCase(),
    );
    await expectConverged(t.emu, t.store);
  });

  it("closing as BenignPositive sends a classification reason (XSOAR PR #34306)", async () => {
    const t = await setup({ incidents: 4, seed: 21 });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    t.emu.defender.editIncident(d!.id, {
      status: "resolved",
      classification: "informationalExpectedActivity",
      determination: "securityTesting",
      resolvingComment: "Red team exercise",
    });
    const r = await t.engine.runOnce();
    expect(r.failures).toEqual([]);
    const s = t.emu.sentinel.getIncident(name)!.properties;
    expect(s.status).toBe("Closed");
    expect(s.classification).toBe("BenignPositive");
    expect(s.classificationReason).toBe("SuspiciousButExpected");
    expect(s.classificationComment).toBe("Red team exercise");
    expect(total(await t.engine.runOnce())).toBe(0);
    await expectConverged(t.emu, t.store);
  });

  it("a reopen is detected even when nothing but the status changes (XSOAR PR #40373)", async () => {
    const t = await setup({ incidents: 4, seed: 21 });
    await runToQuiescence(t.engine);
    const [a, b] = openIncidents(t);
    for (const d of [a!, b!]) {
      t.emu.defender.editIncident(d.id, {
        status: "resolved",
        classification: "truePositive",
        determination: "malware",
      });
    }
    await runToQuiescence(t.engine);
    // a reopened in Defender, b reopened in Sentinel; neither side touches anything else.
    t.emu.defender.editIncident(a!.id, { status: "active" });
    t.emu.sentinel.editIncident(await nameOf(t, b!.id), { status: "Active" });
    const reopened: string[] = [];
    t.engine.on("incident.reopened", (e) => reopened.push(`${e.defenderId}:${e.origin}`));
    await runToQuiescence(t.engine);
    expect(reopened.sort()).toEqual([`${a!.id}:defender`, `${b!.id}:sentinel`].sort());
    expect(t.emu.sentinel.getIncident(await nameOf(t, a!.id))!.properties.status).not.toBe("Closed");
    expect(t.emu.defender.getIncident(b!.id)!.status).not.toBe("resolved");
    await expectConverged(t.emu, t.store);
  });

  it("growing the look-back window causes no duplicates (XSOAR PR #44282)", async () => {
    const t = await setup({ incidents: 6, seed: 21 });
    await runToQuiescence(t.engine);
    const count = t.emu.sentinel.listIncidents().length;
    const writes = writeCounts(t.emu);
    // Restart with a huge overlap and an old backfill date, then with a full reconciliation every cycle.
    const wide = t.restart({ overlapInMs: 365 * 24 * 3600_000, backfillSince: new Date(0) });
    const r1 = await wide.runOnce();
    expect(total(r1)).toBe(0);
    const reconciling = t.restart({ reconcileEveryNCycles: 1 });
    const r2 = await reconciling.runOnce();
    expect(r2.reconciliation).toBe(true);
    expect(total(r2)).toBe(0);
    expect(r2.counts.created).toBe(0);
    expect(t.emu.sentinel.listIncidents()).toHaveLength(count);
    expect(writeCounts(t.emu)).toEqual(writes);
    await expectConverged(t.emu, t.store);
  });

  it("a change committed late with an older timestamp, inside the overlap, is not skipped (SNOW #13584)", async () => {
    const t = await setup({ incidents: 5, seed: 21 });
    await runToQuiescence(t.engine);
    const [a, b] = openIncidents(t);
    t.emu.defender.editIncident(b!.id, { displayName: "moves the watermark" });
    await runToQuiescence(t.engine);
    const watermark = (await t.store.getWatermarks()).defender!;
    // Committed after the watermark was taken, stamped 30 s before it (well within the 120 s overlap).
    const late = new Date(Date.parse(watermark) - 30_000).toISOString();
    t.emu.defender.editIncident(a!.id, { displayName: "late commit", lastUpdateDateTime: late });
    const r = await t.engine.runOnce();
    expect(r.writes.sentinel).toBe(1);
    expect(t.emu.sentinel.getIncident(await nameOf(t, a!.id))!.properties.title).toBe("late commit");
    await expectConverged(t.emu, t.store);
  });

  it("an incident modified while a long cycle processes it is picked up next cycle", async () => {
    let hook: (() => void) | undefined;
    const t = await setup({
      incidents: 6,
      seed: 21,
      policies: {
        sentinel: [
          {
            position: "perCall",
            policy: {
              name: "mid-cycle-edit",
              async sendRequest(request, next) {
                const response = await next(request);
                if (request.method === "PUT" && hook) {
                  const h = hook;
                  hook = undefined;
                  h();
                }
                return response;
              },
            },
          },
        ],
      },
    });
    await runToQuiescence(t.engine);
    const [a, b] = openIncidents(t);
    t.emu.defender.editIncident(a!.id, { displayName: "first edit" });
    // While the engine writes a's first edit, analysts edit a again on both sides and b in Defender.
    hook = () => {
      t.emu.defender.editIncident(a!.id, { severity: "high" });
      t.emu.defender.editIncident(b!.id, { displayName: "edited mid-cycle" });
    };
    await t.engine.runOnce();
    expect(hook).toBeUndefined();
    await runToQuiescence(t.engine);
    const sa = t.emu.sentinel.getIncident(await nameOf(t, a!.id))!.properties;
    expect(sa.title).toBe("first edit");
    expect(sa.severity).toBe("High");
    expect(t.emu.sentinel.getIncident(await nameOf(t, b!.id))!.properties.title).toBe("edited mid-cycle");
    await expectConverged(t.emu, t.store);
  });

  it("a merged (redirected) incident is closed downstream, labelled, commented once, and its target synced", async () => {
    const t = await setup({ incidents: 6, seed: 21 });
    await runToQuiescence(t.engine);
    const [source, target] = openIncidents(t);
    const sourceName = await nameOf(t, source!.id);
    const targetName = await nameOf(t, target!.id);
    const redirected: IncidentRedirectedEvent[] = [];
    t.engine.on("incident.redirected", (e) => redirected.push(e));
    t.emu.defender.mergeIncidents(source!.id, target!.id);
    const r = await t.engine.runOnce();
    expect(r.failures).toEqual([]);
    expect(r.counts.redirected).toBe(1);

    const s = t.emu.sentinel.getIncident(sourceName)!.properties;
    expect(s.status).toBe("Closed");
    expect(s.labels.map((l) => l.labelName)).toContain("Redirected");
    const notes = t.emu.sentinel
      .listComments(sourceName)
      .filter((c) => c.properties.message.includes(targetName));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.properties.message).toContain(target!.id);
    expect(redirected).toEqual([
      {
        defenderId: source!.id,
        sentinelName: sourceName,
        targetDefenderId: target!.id,
        targetSentinelName: targetName,
        dryRun: false,
      },
    ]);
    // The target (which got the source's tags and alerts) was synced in the same cycle.
    const mergedTarget = t.emu.defender.getIncident(target!.id)!;
    expect(sentinelCanonical(t.emu, targetName).tags).toEqual([...mergedTarget.customTags].sort());
    expect(sentinelCanonical(t.emu, targetName).severity).toBe(mergedTarget.severity);

    // Never twice, no echo.
    for (let i = 0; i < 2; i++) expect(total(await t.engine.runOnce())).toBe(0);
    expect(
      t.emu.sentinel.listComments(sourceName).filter((c) => c.properties.message.includes(targetName)),
    ).toHaveLength(1);
    expect(redirected).toHaveLength(1);
    await expectConverged(t.emu, t.store);

    // An analyst reopens and reassigns the merged copy in Sentinel: Defender cannot take it (a merged incident
    // stays redirected), so the copy is put back closed and unassigned like its Defender incident.
    const mergedSource = t.emu.defender.getIncident(source!.id)!;
    t.emu.sentinel.editIncident(sourceName, {
      status: "Active",
      owner: { objectId: t.emu.users()[5]!.objectId },
    });
    const r2 = await t.engine.runOnce();
    expect(r2.writes).toEqual({ defender: 0, sentinel: 1 });
    expect(t.emu.sentinel.getIncident(sourceName)!.properties.status).toBe("Closed");
    expect(t.emu.sentinel.getIncident(sourceName)!.properties.labels.map((l) => l.labelName)).toContain(
      "Redirected",
    );
    expect(t.emu.defender.getIncident(source!.id)).toMatchObject({
      status: "redirected",
      assignedTo: mergedSource.assignedTo,
    });
    expect(total(await t.engine.runOnce())).toBe(0);
    await expectConverged(t.emu, t.store);
  });

  it("a Sentinel comment edit is re-posted to Defender once, and nothing loops (comment edit/loop)", async () => {
    const t = await setup({ incidents: 3, seed: 21 });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    const comment = t.emu.sentinel.addComment(name, "Looks like phishing");
    await runToQuiescence(t.engine);
    const count = t.emu.defender.getIncident(d!.id)!.comments.length;
    t.emu.sentinel.editComment(name, comment.name, "Looks like phishing — confirmed");
    const reports = await runToQuiescence(t.engine);
    const edits = t.emu.defender
      .getIncident(d!.id)!
      .comments.filter((c) => c.comment.includes("(edited) Looks like phishing — confirmed"));
    expect(edits).toHaveLength(1);
    expect(t.emu.defender.getIncident(d!.id)!.comments).toHaveLength(count + 1);
    expect(reports.reduce((n, r) => n + r.counts.commentsToDefender, 0)).toBe(1);
    // The re-post must not come back to Sentinel as a new comment.
    expect(
      t.emu.sentinel.listComments(name).filter((c) => c.properties.message.includes("confirmed")),
    ).toHaveLength(1);
    for (let i = 0; i < 3; i++) expect(total(await t.engine.runOnce())).toBe(0);
  });
});

describe("conflicts", () => {
  async function conflictOnSeverity(options: SetupOptions) {
    const t = await setup({ incidents: 3, seed: 23, ...options });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    const before = t.emu.defender.getIncident(d!.id)!.severity;
    const events: ConflictEvent[] = [];
    t.engine.on("conflict", (e) => events.push(e));
    const dSev = before === "high" ? "low" : "high";
    t.emu.defender.editIncident(d!.id, { severity: dSev });
    await new Promise((r) => setTimeout(r, 5));
    t.emu.sentinel.editIncident(name, { severity: "Informational" }); // later
    await runToQuiescence(t.engine);
    return { t, d: d!, name, before, dSev, events };
  }

  it("latest-wins (default) lets the later edit win and announces the conflict with base and both values", async () => {
    const { t, d, events, before, dSev } = await conflictOnSeverity({});
    expect(t.emu.defender.getIncident(d.id)!.severity).toBe("informational");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      defenderId: d.id,
      group: "severity",
      fields: ["severity"],
      base: { defender: { severity: before }, sentinel: { severity: before } },
      defenderValue: { severity: dSev },
      sentinelValue: { severity: "informational" },
      resolution: "sentinel",
    });
    await expectConverged(t.emu, t.store);
  });

  it("defender-wins", async () => {
    const { t, d, name, dSev, events } = await conflictOnSeverity({
      engine: { conflictPolicy: "defender-wins" },
    });
    expect(t.emu.defender.getIncident(d.id)!.severity).toBe(dSev);
    expect(sentinelCanonical(t.emu, name).severity).toBe(dSev);
    expect(events.map((e) => e.resolution)).toEqual(["defender"]);
  });

  it("sentinel-wins", async () => {
    const { t, d, events } = await conflictOnSeverity({ engine: { conflictPolicy: "sentinel-wins" } });
    expect(t.emu.defender.getIncident(d.id)!.severity).toBe("informational");
    expect(events.map((e) => e.resolution)).toEqual(["sentinel"]);
  });

  it("a function policy sees the conflict and decides", async () => {
    const seen: ConflictContext[] = [];
    const { t, d, dSev, events } = await conflictOnSeverity({
      engine: {
        conflictPolicy: (c) => {
          seen.push(c);
          return "defender";
        },
      },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ defenderId: d.id, group: "severity" });
    expect(seen[0]!.defenderUpdatedAt).toBeTruthy();
    expect(seen[0]!.sentinelUpdatedAt).toBeTruthy();
    expect(t.emu.defender.getIncident(d.id)!.severity).toBe(dSev);
    expect(events.map((e) => e.resolution)).toEqual(["defender"]);
  });

  it("the same change on both sides is agreement, not a conflict", async () => {
    const t = await setup({ incidents: 3, seed: 23 });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    let conflicts = 0;
    t.engine.on("conflict", () => conflicts++);
    t.emu.defender.editIncident(d!.id, { displayName: "Same on both" });
    t.emu.sentinel.editIncident(await nameOf(t, d!.id), { title: "Same on both" });
    const r = await t.engine.runOnce();
    expect(conflicts).toBe(0);
    expect(r.counts.conflicts).toBe(0);
    expect(total(await t.engine.runOnce())).toBe(0);
  });
});

describe("Sentinel 409", () => {
  it("re-reads, re-merges and retries: the analyst's concurrent Sentinel edit and the Defender change both survive", async () => {
    let raced: (() => void) | undefined;
    const t = await setup({
      incidents: 3,
      seed: 25,
      policies: {
        sentinel: [
          {
            position: "perCall",
            policy: {
              name: "race",
              async sendRequest(request, next) {
                // An analyst saves in the portal between our GET and our PUT: the etag we send is stale.
                if (request.method === "PUT" && raced) {
                  const r = raced;
                  raced = undefined;
                  r();
                }
                return next(request);
              },
            },
          },
        ],
      },
    });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    const erin = t.emu.users()[4]!;
    raced = () => t.emu.sentinel.editIncident(name, { owner: { objectId: erin.objectId } });
    t.emu.defender.editIncident(d!.id, { displayName: "Defender title" });
    const before = t.emu.stats().sentinel.byRoute["GET /incidents/{id}"] ?? 0;
    const r = await t.engine.runOnce();
    expect(r.failures).toEqual([]);
    expect(t.emu.stats().sentinel.byRoute["GET /incidents/{id}"] ?? 0).toBeGreaterThan(before);
    const s = t.emu.sentinel.getIncident(name)!.properties;
    expect(s.title).toBe("Defender title");
    expect(s.owner.objectId).toBe(erin.objectId);
    await runToQuiescence(t.engine);
    expect(t.emu.defender.getIncident(d!.id)!.assignedTo?.toLowerCase()).toBe(
      erin.userPrincipalName.toLowerCase(),
    );
    await expectConverged(t.emu, t.store);
  });

  it("retries a scripted 409 and gives up after maxConflictRetries with a transient failure", async () => {
    const t = await setup({ incidents: 3, seed: 25, engine: { maxConflictRetries: 2 } });
    await runToQuiescence(t.engine);
    const [a] = openIncidents(t);
    t.emu.defender.editIncident(a!.id, { displayName: "after one 409" });
    t.emu.faults.script({
      service: "sentinel",
      method: "PUT",
      route: "/incidents/{id}",
      fault: { kind: "status", status: 409 },
    });
    const r1 = await t.engine.runOnce();
    expect(r1.failures).toEqual([]);
    expect(t.emu.sentinel.getIncident(await nameOf(t, a!.id))!.properties.title).toBe("after one 409");

    t.emu.defender.editIncident(a!.id, { displayName: "after many 409s" });
    t.emu.faults.script({
      service: "sentinel",
      method: "PUT",
      route: "/incidents/{id}",
      fault: { kind: "status", status: 409 },
      times: 3,
    });
    const failed: IncidentFailedEvent[] = [];
    t.engine.on("incident.failed", (e) => failed.push(e));
    const r2 = await t.engine.runOnce();
    expect(r2.failures).toHaveLength(1);
    expect(failed).toHaveLength(1);
    // Contention, not poison: retried next cycle (not quarantined), and the watermark waits for it.
    expect(failed[0]).toMatchObject({ defenderId: a!.id, transient: true, quarantined: false });
    expect((await t.store.getRecord(a!.id))?.quarantine).toBeUndefined();
    // Not lost: the next cycle applies it.
    await runToQuiescence(t.engine);
    expect(t.emu.sentinel.getIncident(await nameOf(t, a!.id))!.properties.title).toBe("after many 409s");
    await expectConverged(t.emu, t.store);
  });
});

describe("poison incidents", () => {
  it("a mapping failure is reported, quarantined in the ledger, the cycle goes on, and it is retried with backoff", async () => {
    const clock = manualClock();
    let poisonId: string | undefined;
    const profile = createMappingProfile({
      title: {
        toSentinel: (title, ctx, next) => {
          if (ctx.defender?.id === poisonId) throw new Error("cannot render this title");
          return next(title, ctx);
        },
      },
    });
    const t = await setup({
      incidents: 5,
      seed: 27,
      engine: {
        mapping: profile,
        now: clock.now,
        quarantineBackoff: { initialInMs: 60_000, maxInMs: 600_000 },
      },
    });
    poisonId = t.emu.defender.listIncidents()[2]!.id;
    const failed: IncidentFailedEvent[] = [];
    t.engine.on("incident.failed", (e) => failed.push(e));

    const r1 = await t.engine.runOnce();
    expect(r1.counts.created).toBe(4);
    expect(r1.counts.quarantined).toBe(1);
    expect(failed).toMatchObject([
      { defenderId: poisonId, transient: false, quarantined: true, attempts: 1 },
    ]);
    expect(failed[0]!.reason).toContain("cannot render this title");
    let record = await t.store.getRecord(poisonId);
    expect(record?.quarantine).toMatchObject({ attempts: 1 });
    expect(Date.parse(record!.quarantine!.nextAttemptAt) - clock.now().getTime()).toBe(60_000);
    expect((await t.store.getWatermarks()).quarantined).toEqual([poisonId]);

    // Not retried before its time…
    await t.engine.runOnce();
    expect(failed).toHaveLength(1);
    // …retried after it, still failing: backoff doubles.
    clock.advance(60_001);
    await t.engine.runOnce();
    expect(failed).toHaveLength(2);
    expect(failed[1]!.attempts).toBe(2);
    record = await t.store.getRecord(poisonId);
    expect(Date.parse(record!.quarantine!.nextAttemptAt) - clock.now().getTime()).toBe(120_000);

    // Fixed: the next due retry syncs it and clears the quarantine.
    poisonId = undefined;
    clock.advance(120_001);
    const r4 = await t.engine.runOnce();
    expect(r4.counts.created).toBe(1);
    const id = t.emu.defender.listIncidents()[2]!.id;
    expect((await t.store.getRecord(id))?.quarantine).toBeUndefined();
    expect((await t.store.getWatermarks()).quarantined).toEqual([]);
    await expectConverged(t.emu, t.store, profile);
  });

  it("a Sentinel write rejected with 400 quarantines that incident only", async () => {
    const clock = manualClock();
    const t = await setup({ incidents: 4, seed: 27, engine: { now: clock.now } });
    await runToQuiescence(t.engine);
    const [a, b] = openIncidents(t);
    const name = await nameOf(t, a!.id);
    t.emu.defender.editIncident(a!.id, { displayName: "rejected" });
    t.emu.defender.editIncident(b!.id, { displayName: "accepted" });
    t.emu.faults.script({
      service: "sentinel",
      method: "PUT",
      route: new RegExp(`/incidents/${name}$`),
      fault: { kind: "status", status: 400, code: "BadRequest", message: "Invalid incident" },
    });
    const failed: IncidentFailedEvent[] = [];
    t.engine.on("incident.failed", (e) => failed.push(e));
    const r = await t.engine.runOnce();
    expect(failed).toMatchObject([{ defenderId: a!.id, transient: false, quarantined: true }]);
    expect(r.counts.quarantined).toBe(1);
    expect(t.emu.sentinel.getIncident(await nameOf(t, b!.id))!.properties.title).toBe("accepted");
    expect((await t.store.getRecord(a!.id))?.quarantine?.reason).toContain("Invalid incident");
    clock.advance(61_000);
    await runToQuiescence(t.engine);
    expect(t.emu.sentinel.getIncident(name)!.properties.title).toBe("rejected");
    expect((await t.store.getRecord(a!.id))?.quarantine).toBeUndefined();
    await expectConverged(t.emu, t.store);
  });

  it("an incident that fails its schema is reported and quarantined; the rest of the cycle goes on", async () => {
    const clock = manualClock();
    const t = await setup({ incidents: 4, seed: 27, engine: { now: clock.now } });
    const [bad] = t.emu.defender.listIncidents();
    t.emu.defender.editIncident(bad!.id, { severity: 42 as never });
    const failed: IncidentFailedEvent[] = [];
    t.engine.on("incident.failed", (e) => failed.push(e));
    const r = await t.engine.runOnce();
    expect(r.counts.created).toBe(3);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      defenderId: bad!.id,
      transient: false,
      quarantined: true,
      attempts: 1,
    });
    expect(failed[0]!.reason).toMatch(/schema/);
    const record = await t.store.getRecord(bad!.id);
    expect(record?.quarantine).toBeDefined();
    expect(record?.sentinelName).toBe(sentinelNameFor(t.server.tenantId, bad!.id));
    // Listed again (inside the overlap) with the same payload: not reported twice.
    await t.engine.runOnce();
    expect(failed).toHaveLength(1);
    // Fixed in Defender: synced on the next cycle.
    t.emu.defender.editIncident(bad!.id, { severity: "low" });
    clock.advance(61_000);
    await runToQuiescence(t.engine);
    expect((await t.store.getRecord(bad!.id))?.quarantine).toBeUndefined();
    await expectConverged(t.emu, t.store);
  });
});

describe("watermarks", () => {
  it("advance only past fully applied work: a transient failure holds them and the change is not lost", async () => {
    const t = await setup({ incidents: 5, seed: 29 });
    await runToQuiescence(t.engine);
    const [a, b] = openIncidents(t);
    t.emu.defender.editIncident(a!.id, { displayName: "will fail once" });
    const failedAt = t.emu.defender.getIncident(a!.id)!.lastUpdateDateTime;
    t.emu.defender.editIncident(b!.id, { displayName: "later edit" });
    const name = await nameOf(t, a!.id);
    // 500 on every attempt of a's PUT (1 + 4 retries): a transient failure.
    t.emu.faults.script({
      service: "sentinel",
      method: "PUT",
      route: new RegExp(`/incidents/${name}$`),
      fault: 500,
      times: 5,
    });
    const r = await t.engine.runOnce();
    expect(r.failures).toMatchObject([{ defenderId: a!.id, transient: true }]);
    const wm = (await t.store.getWatermarks()).defender!;
    expect(Date.parse(wm)).toBeLessThanOrEqual(Date.parse(failedAt));
    expect(t.emu.sentinel.getIncident(await nameOf(t, b!.id))!.properties.title).toBe("later edit");
    await runToQuiescence(t.engine);
    expect(t.emu.sentinel.getIncident(name)!.properties.title).toBe("will fail once");
    const last = t.emu.defender
      .listIncidents()
      .map((i) => i.lastUpdateDateTime)
      .sort()
      .at(-1)!;
    expect(Date.parse((await t.store.getWatermarks()).defender!)).toBe(Date.parse(last));
    await expectConverged(t.emu, t.store);
  });
});
