/**
 * SyncEngine scenarios over the emulator (real loopback HTTP): creation, linking, both-way field sync, comments,
 * steady state, direction, dry-run, events, the polling loop and a durable store.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AbortSignalLike } from "@azure/abort-controller";
import {
  type CommentSyncedEvent,
  type CycleFailedEvent,
  FileStateStore,
  type IncidentCreatedEvent,
  type IncidentLifecycleEvent,
  type IncidentUpdatedEvent,
  InMemoryStateStore,
  type PlannedWrite,
  StateConflictError,
  type SyncRecord,
  type SyncReport,
  sentinelNameFor,
  type ThrottleInfo,
} from "defender-sentinel-sync";
import { describe, expect, it } from "vitest";
import { TRUNCATION_MARKER } from "../../src/mapping";
import { sentinelCommentIdFor } from "../../src/sync/deterministicName";
import { formatSyncPlan } from "../../src/sync/formatSyncPlan";
import {
  defenderCanonical,
  expectConverged,
  nameOf,
  openIncidents,
  routeCount,
  runToQuiescence,
  sentinelCanonical,
  totalWrites,
  useSyncSetups,
  writeCounts,
} from "../helpers/engine";

const setup = useSyncSetups();
const total = totalWrites;

/** Records method + target of every write a client sends (the same shape as `PlannedWrite`). */
function writeRecorder() {
  const writes: Pick<PlannedWrite, "service" | "method" | "target">[] = [];
  const make = (service: "defender" | "sentinel") => [
    {
      position: "perCall" as const,
      policy: {
        name: "write-recorder",
        async sendRequest(request: { method: string; url: string }, next: (r: never) => Promise<unknown>) {
          const response = await next(request as never);
          if (request.method !== "GET" && !/\/(alerts|entities)(\?|$)/.test(new URL(request.url).pathname)) {
            const path = new URL(request.url).pathname;
            const target =
              service === "sentinel"
                ? path.slice(path.indexOf("/incidents/") + "/incidents/".length)
                : path.slice(path.indexOf("/security/incidents/") + "/security/incidents/".length);
            writes.push({ service, method: request.method, target } as never);
          }
          return response;
        },
      },
    },
  ];
  return { writes, policies: { defender: make("defender") as never, sentinel: make("sentinel") as never } };
}

describe("creation and linking", () => {
  it("creates one Sentinel copy per Defender incident under its deterministic name, then goes quiet", async () => {
    const t = await setup({ incidents: 6, seed: 3 });
    const created: IncidentCreatedEvent[] = [];
    t.engine.on("incident.created", (e) => created.push(e));

    const first = await t.engine.runOnce();
    const incidents = t.emu.defender.listIncidents();
    expect(first.counts.created).toBe(incidents.length);
    expect(first.failures).toEqual([]);
    expect(t.emu.sentinel.listIncidents()).toHaveLength(incidents.length);
    for (const d of incidents) {
      const name = sentinelNameFor(t.server.tenantId, d.id);
      const s = t.emu.sentinel.getIncident(name);
      expect(s?.properties.title).toBe(d.displayName);
      expect((await t.store.getRecord(d.id))?.sentinelName).toBe(name);
    }
    expect(created.map((e) => e.defenderId).sort()).toEqual(incidents.map((d) => d.id).sort());
    expect(created.every((e) => !e.linkedConnectorCopy && !e.dryRun)).toBe(true);
    await expectConverged(t.emu, t.store);

    // Steady state: nothing changed → no writes, at most one list call per side.
    const before = writeCounts(t.emu);
    const second = await t.engine.runOnce();
    expect(total(second)).toBe(0);
    expect(second.apiCalls.defender).toBeLessThanOrEqual(1);
    expect(second.apiCalls.sentinel).toBeLessThanOrEqual(1);
    expect(writeCounts(t.emu)).toEqual(before);
    const third = await t.engine.runOnce();
    expect(total(third)).toBe(0);
    expect(third.apiCalls).toEqual({ defender: 1, sentinel: 1 });
  });

  it("creates a copy for an incident Defender raises later, and only that one", async () => {
    const t = await setup({ incidents: 3 });
    await t.engine.runOnce();
    const fresh = t.emu.defender.createIncident({ displayName: "Ransomware on FS01" });
    const r = await t.engine.runOnce();
    expect(r.counts.created).toBe(1);
    expect(t.emu.sentinel.getIncident(sentinelNameFor(t.server.tenantId, fresh.id))?.properties.title).toBe(
      "Ransomware on FS01",
    );
    expect(t.emu.sentinel.listIncidents()).toHaveLength(4);
    await expectConverged(t.emu, t.store);
  });

  it("backfillSince limits the first cycle to incidents updated since then", async () => {
    const t = await setup({ incidents: 8, seed: 3 });
    const sorted = t.emu.defender
      .listIncidents()
      .sort((a, b) => a.lastUpdateDateTime.localeCompare(b.lastUpdateDateTime));
    const since = new Date(Date.parse(sorted[5]!.lastUpdateDateTime));
    const engine = t.restart({ backfillSince: since });
    const r = await engine.runOnce();
    const expected = sorted
      .filter((d) => Date.parse(d.lastUpdateDateTime) >= since.getTime())
      .map((d) => d.id);
    expect(r.counts.created).toBe(expected.length);
    expect(expected.length).toBeLessThan(8);
    for (const d of sorted) {
      expect(Boolean(await t.store.getRecord(d.id))).toBe(expected.includes(d.id));
    }
  });

  it("links copies made by Microsoft's connector instead of duplicating them", async () => {
    const t = await setup({ incidents: 6, seed: 5, emulator: { connectorCopies: 1, sentinelIncidents: 2 } });
    const before = t.emu.sentinel.listIncidents();
    const created: IncidentCreatedEvent[] = [];
    t.engine.on("incident.created", (e) => created.push(e));
    const reports = await runToQuiescence(t.engine);
    expect(reports[0]!.counts.created).toBe(0);
    expect(reports[0]!.counts.linked).toBe(6);
    expect(t.emu.sentinel.listIncidents()).toHaveLength(before.length);
    expect(created).toHaveLength(6);
    expect(created.every((e) => e.linkedConnectorCopy)).toBe(true);
    for (const d of t.emu.defender.listIncidents()) {
      const record = await t.store.getRecord(d.id);
      expect(record?.link).toBe("connector");
      expect(record?.sentinelName).toBe(t.emu.sentinel.findByProviderIncidentId(d.id)?.name);
    }
    // Native Sentinel incidents are not ours: never written.
    for (const s of before.filter((x) => x.properties.providerName === "Azure Sentinel")) {
      expect(t.emu.sentinel.getIncident(s.name)?.etag).toBe(s.etag);
    }
    await expectConverged(t.emu, t.store);
  });

  it("leaves status, owner and classification of connector copies to the connector", async () => {
    const t = await setup({ incidents: 4, seed: 5, emulator: { connectorCopies: 1 } });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    const copyBefore = t.emu.sentinel.getIncident(name)!;
    const bob = t.emu.users()[1]!.userPrincipalName;
    t.emu.defender.editIncident(d!.id, {
      assignedTo: bob,
      status: "resolved",
      classification: "falsePositive",
      determination: "notMalicious",
      displayName: "Renamed in Defender",
    });
    await runToQuiescence(t.engine);
    const copy = t.emu.sentinel.getIncident(name)!;
    expect(copy.properties.title).toBe("Renamed in Defender");
    expect(copy.properties.status).toBe(copyBefore.properties.status);
    expect(copy.properties.owner.userPrincipalName).toBe(copyBefore.properties.owner.userPrincipalName);
    expect(copy.properties.classification).toBe(copyBefore.properties.classification);
    // …and Sentinel-side lifecycle edits are not pushed to Defender either.
    t.emu.sentinel.editIncident(name, {
      severity: "High",
      owner: { userPrincipalName: t.emu.users()[2]!.userPrincipalName },
    });
    await runToQuiescence(t.engine);
    expect(t.emu.defender.getIncident(d!.id)?.severity).toBe("high");
    expect(t.emu.defender.getIncident(d!.id)?.assignedTo).toBe(bob);
  });

  it("writes connector fields too with writeConnectorFields", async () => {
    const t = await setup({
      incidents: 4,
      seed: 5,
      emulator: { connectorCopies: 1 },
      engine: { writeConnectorFields: true },
    });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    const bob = t.emu.users()[1]!.userPrincipalName;
    t.emu.defender.editIncident(d!.id, {
      assignedTo: bob,
      status: "resolved",
      classification: "falsePositive",
      determination: "notMalicious",
    });
    await runToQuiescence(t.engine);
    const copy = t.emu.sentinel.getIncident(name)!;
    expect(copy.properties.status).toBe("Closed");
    expect(copy.properties.classification).toBe("FalsePositive");
    expect(copy.properties.owner.userPrincipalName).toBe(bob);
    await expectConverged(t.emu, t.store, { connectorFields: true });
  });

  it("with connectorCopies: 'ignore' makes its own copies and never touches the connector's", async () => {
    const t = await setup({
      incidents: 3,
      seed: 5,
      emulator: { connectorCopies: 1 },
      engine: { connectorCopies: "ignore" },
    });
    const copies = t.emu.sentinel.listIncidents();
    const r = await t.engine.runOnce();
    expect(r.counts.created).toBe(3);
    expect(r.counts.linked).toBe(0);
    for (const c of copies) expect(t.emu.sentinel.getIncident(c.name)?.etag).toBe(c.etag);
    for (const d of t.emu.defender.listIncidents()) {
      expect((await t.store.getRecord(d.id))?.sentinelName).toBe(sentinelNameFor(t.server.tenantId, d.id));
    }
  });
});

describe("both-way field sync", () => {
  it("copies Defender edits of title, description, severity, owner and tags to Sentinel, without echo", async () => {
    const t = await setup({ incidents: 4, seed: 11 });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    const carol = t.emu.users()[2]!.userPrincipalName;
    const updates: IncidentUpdatedEvent[] = [];
    t.engine.on("incident.updated", (e) => updates.push(e));
    t.emu.defender.editIncident(d!.id, {
      displayName: "Credential theft on DC01",
      description: "Mimikatz seen on DC01",
      severity: "high",
      assignedTo: carol,
      customTags: ["vip", "tier2"],
    });
    const r = await t.engine.runOnce();
    expect(r.writes).toEqual({ defender: 0, sentinel: 1 });
    const s = t.emu.sentinel.getIncident(name)!.properties;
    expect(s.title).toBe("Credential theft on DC01");
    expect(s.description).toContain("Mimikatz seen on DC01");
    expect(s.severity).toBe("High");
    expect(s.owner.userPrincipalName).toBe(carol);
    expect(s.labels.map((l) => l.labelName).sort()).toEqual(expect.arrayContaining(["tier2", "vip"]));
    expect(updates).toHaveLength(1);
    expect(updates[0]!.direction).toBe("defender-to-sentinel");
    expect(updates[0]!.changes.map((c) => c.field).sort()).toEqual(
      ["description", "owner", "severity", "tags", "title"].sort(),
    );
    const quiet = await t.engine.runOnce();
    expect(total(quiet)).toBe(0);
    await expectConverged(t.emu, t.store);
  });

  it("copies Sentinel edits to Defender with a minimal PATCH, without echo", async () => {
    const rec = writeRecorder();
    const patches: unknown[] = [];
    const t = await setup({
      incidents: 4,
      seed: 11,
      policies: {
        defender: [
          ...rec.policies.defender,
          {
            position: "perCall",
            policy: {
              name: "patch-body",
              async sendRequest(request, next) {
                if (request.method === "PATCH") patches.push(JSON.parse(String(request.body)));
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
    const before = t.emu.defender.getIncident(d!.id)!;
    t.emu.sentinel.editIncident(name, { severity: "Low", title: "Renamed in Sentinel" });
    const r = await t.engine.runOnce();
    expect(r.writes.defender).toBe(1);
    const after = t.emu.defender.getIncident(d!.id)!;
    expect(after.displayName).toBe("Renamed in Sentinel");
    expect(after.severity).toBe("low");
    // Only the changed fields travel; owner, tags, status are untouched.
    expect(patches).toEqual([{ displayName: "Renamed in Sentinel", severity: "low" }]);
    expect(after.assignedTo).toBe(before.assignedTo);
    expect(after.customTags).toEqual(before.customTags);
    expect(after.status).toBe(before.status);
    expect(total(await t.engine.runOnce())).toBe(0);
    await expectConverged(t.emu, t.store);
  });

  it("closes and reopens from Sentinel (classification and reason reach Defender)", async () => {
    const t = await setup({ incidents: 4, seed: 11 });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    const closed: IncidentLifecycleEvent[] = [];
    const reopened: IncidentLifecycleEvent[] = [];
    t.engine.on("incident.closed", (e) => closed.push(e));
    t.engine.on("incident.reopened", (e) => reopened.push(e));

    t.emu.sentinel.editIncident(name, {
      status: "Closed",
      classification: "TruePositive",
      classificationReason: "SuspiciousActivity",
      classificationComment: "Confirmed by IR",
    });
    const r = await t.engine.runOnce();
    expect(r.counts.closed).toBe(1);
    let def = t.emu.defender.getIncident(d!.id)!;
    expect(def.status).toBe("resolved");
    expect(def.classification).toBe("truePositive");
    expect(def.resolvingComment).toBe("Confirmed by IR");
    expect(closed).toMatchObject([{ defenderId: d!.id, origin: "sentinel", classification: "truePositive" }]);
    expect(total(await t.engine.runOnce())).toBe(0);

    t.emu.sentinel.editIncident(name, { status: "Active" });
    const r2 = await t.engine.runOnce();
    expect(r2.counts.reopened).toBe(1);
    def = t.emu.defender.getIncident(d!.id)!;
    expect(def.status).not.toBe("resolved");
    expect(reopened).toMatchObject([{ defenderId: d!.id, origin: "sentinel" }]);
    expect(total(await t.engine.runOnce())).toBe(0);
    await expectConverged(t.emu, t.store);
  });

  it("closes and reopens from Defender (Sentinel gets classification and reason)", async () => {
    const t = await setup({ incidents: 4, seed: 11 });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    t.emu.defender.editIncident(d!.id, {
      status: "resolved",
      classification: "falsePositive",
      determination: "notMalicious",
      resolvingComment: "Known scanner",
    });
    const r = await t.engine.runOnce();
    expect(r.failures).toEqual([]);
    let s = t.emu.sentinel.getIncident(name)!.properties;
    expect(s.status).toBe("Closed");
    expect(s.classification).toBe("FalsePositive");
    expect(["IncorrectAlertLogic", "InaccurateData"]).toContain(s.classificationReason);
    expect(s.classificationComment).toBe("Known scanner");
    expect(total(await t.engine.runOnce())).toBe(0);

    t.emu.defender.editIncident(d!.id, {
      status: "active",
      classification: "unknown",
      determination: "unknown",
    });
    const r2 = await t.engine.runOnce();
    expect(r2.counts.reopened).toBe(1);
    s = t.emu.sentinel.getIncident(name)!.properties;
    expect(s.status).not.toBe("Closed");
    expect(total(await t.engine.runOnce())).toBe(0);
    await expectConverged(t.emu, t.store);
  });

  it("keeps the Defender determination that Sentinel cannot hold", async () => {
    const t = await setup({ incidents: 4, seed: 11 });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    t.emu.defender.editIncident(d!.id, {
      status: "resolved",
      classification: "truePositive",
      determination: "malware",
    });
    await runToQuiescence(t.engine);
    expect(t.emu.sentinel.getIncident(name)!.properties.classification).toBe("TruePositive");
    // A Sentinel edit of an unrelated field must not rewrite the lifecycle (and lose "malware").
    t.emu.sentinel.editIncident(name, { title: "Emotet on WS042" });
    await runToQuiescence(t.engine);
    const def = t.emu.defender.getIncident(d!.id)!;
    expect(def.displayName).toBe("Emotet on WS042");
    expect(def.determination).toBe("malware");
    expect((await t.store.getRecord(d!.id))?.determination).toBe("malware");
  });

  it("maps values Sentinel cannot hold (severity unknown) without ping-pong", async () => {
    const t = await setup({ incidents: 3, seed: 11 });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    t.emu.defender.editIncident(d!.id, { severity: "unknown" });
    const r = await t.engine.runOnce();
    expect(r.writes).toEqual({ defender: 0, sentinel: 1 });
    expect(t.emu.sentinel.getIncident(name)!.properties.severity).toBe("Informational");
    for (let i = 0; i < 2; i++) expect(total(await t.engine.runOnce())).toBe(0);
    expect(t.emu.defender.getIncident(d!.id)!.severity).toBe("unknown");
    await expectConverged(t.emu, t.store);
  });

  it("merges tags as sets: adds on both sides survive, a removal on one side is applied", async () => {
    const t = await setup({ incidents: 3, seed: 11 });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    t.emu.defender.editIncident(d!.id, { customTags: ["keep", "drop"] });
    await runToQuiescence(t.engine);
    let conflicts = 0;
    t.engine.on("conflict", () => conflicts++);
    t.emu.defender.editIncident(d!.id, { customTags: ["keep", "drop", "from-defender"] });
    const labels = t.emu.sentinel.getIncident(name)!.properties.labels.filter((l) => l.labelName !== "drop");
    t.emu.sentinel.editIncident(name, { labels: [...labels, { labelName: "from-sentinel" }] });
    await runToQuiescence(t.engine);
    expect([...t.emu.defender.getIncident(d!.id)!.customTags].sort()).toEqual([
      "from-defender",
      "from-sentinel",
      "keep",
    ]);
    expect(sentinelCanonical(t.emu, name).tags).toEqual(["from-defender", "from-sentinel", "keep"]);
    expect(conflicts).toBe(0);
  });
});

describe("comments", () => {
  it("copies comments both ways once, with deterministic Sentinel ids, and never loops", async () => {
    const t = await setup({ incidents: 3, seed: 11 });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    const dCount = t.emu.defender.getIncident(d!.id)!.comments.length;
    t.emu.defender.addComment(d!.id, "Isolated the device", "Bob");
    t.emu.sentinel.addComment(name, "Escalated to tier 2");
    const reports = await runToQuiescence(t.engine);
    expect(reports.reduce((n, r) => n + r.counts.commentsToSentinel, 0)).toBe(1);
    expect(reports.reduce((n, r) => n + r.counts.commentsToDefender, 0)).toBe(1);
    const dc = t.emu.defender.getIncident(d!.id)!.comments;
    expect(dc).toHaveLength(dCount + 2);
    expect(dc.filter((c) => c.comment.includes("Escalated to tier 2"))).toHaveLength(1);
    const isolated = dc.find((c) => c.comment === "Isolated the device")!;
    const sc = t.emu.sentinel.listComments(name);
    const copy = sc.filter((c) => c.properties.message.includes("Isolated the device"));
    expect(copy).toHaveLength(1);
    const hash = (await t.store.getRecord(d!.id))!.comments.find(
      (c) => c.sentinelCommentId === copy[0]!.name,
    )!.defenderHash;
    expect(copy[0]!.name).toBe(sentinelCommentIdFor(d!.id, hash));
    expect(isolated).toBeDefined();
    // More cycles: still exactly one copy each way.
    for (let i = 0; i < 3; i++) expect(total(await t.engine.runOnce())).toBe(0);
    expect(t.emu.defender.getIncident(d!.id)!.comments).toHaveLength(dCount + 2);
    await expectConverged(t.emu, t.store);
  });
});

describe("comment limits", () => {
  it("truncates a Defender comment over 30,000 characters with a marker, once", async () => {
    const t = await setup({ incidents: 2, seed: 11 });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    const synced: CommentSyncedEvent[] = [];
    t.engine.on("comment.synced", (e) => synced.push(e));
    t.emu.defender.addComment(d!.id, `huge ${"x".repeat(31_000)}`);
    const r = await t.engine.runOnce();
    expect(r.failures).toEqual([]);
    const copy = t.emu.sentinel.listComments(name).find((c) => c.properties.message.includes("huge xxx"))!;
    expect(copy.properties.message.length).toBeLessThanOrEqual(30_000);
    expect(copy.properties.message).toContain(TRUNCATION_MARKER.trim());
    expect(synced).toMatchObject([{ direction: "defender-to-sentinel", truncated: true }]);
    for (let i = 0; i < 2; i++) expect(total(await t.engine.runOnce())).toBe(0);
  });

  it("stops at Sentinel's 100 comments per incident with a warning, without failing or retrying forever", async () => {
    const t = await setup({ incidents: 2, seed: 11 });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    const existing = t.emu.sentinel.listComments(name).length;
    for (let i = existing; i < 105; i++) t.emu.defender.addComment(d!.id, `note ${i}`);
    const r = await t.engine.runOnce();
    expect(r.failures).toEqual([]);
    expect(t.emu.sentinel.listComments(name)).toHaveLength(100);
    expect(r.warnings.some((w) => w.includes("100 comments"))).toBe(true);
    const again = await t.engine.runOnce();
    expect(total(again)).toBe(0);
  });
});

describe("direction", () => {
  it("defender-to-sentinel never writes Defender", async () => {
    const t = await setup({ incidents: 3, seed: 11, engine: { direction: "defender-to-sentinel" } });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    t.emu.sentinel.editIncident(name, { severity: "Low" });
    t.emu.sentinel.addComment(name, "Sentinel only");
    t.emu.defender.editIncident(d!.id, { displayName: "From Defender" });
    await runToQuiescence(t.engine);
    expect(writeCounts(t.emu).defender).toBe(0);
    expect(t.emu.sentinel.getIncident(name)!.properties.title).toBe("From Defender");
    expect(t.emu.defender.getIncident(d!.id)!.severity).not.toBe("low");
  });

  it("sentinel-to-defender creates nothing in Sentinel and only writes Defender", async () => {
    const t = await setup({ incidents: 3, seed: 11 });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    const engine = t.restart({ direction: "sentinel-to-defender" });
    const fresh = t.emu.defender.createIncident({ displayName: "New in Defender" });
    t.emu.defender.editIncident(d!.id, { displayName: "Defender rename" });
    t.emu.sentinel.editIncident(name, { severity: "Low" });
    const before = writeCounts(t.emu).sentinel;
    await runToQuiescence(engine);
    expect(writeCounts(t.emu).sentinel).toBe(before);
    expect(t.emu.sentinel.getIncident(sentinelNameFor(t.server.tenantId, fresh.id))).toBeUndefined();
    expect(t.emu.defender.getIncident(d!.id)!.severity).toBe("low");
    expect(t.emu.sentinel.getIncident(name)!.properties.title).not.toBe("Defender rename");
  });
});

describe("dry run", () => {
  it("writes nothing, records nothing, and plans exactly the writes a real run makes", async () => {
    const rec = writeRecorder();
    const t = await setup({ incidents: 5, seed: 13, policies: rec.policies, engine: { dryRun: true } });
    const created: IncidentCreatedEvent[] = [];
    t.engine.on("incident.created", (e) => created.push(e));
    const dry = await t.engine.runOnce();
    expect(dry.dryRun).toBe(true);
    expect(writeCounts(t.emu)).toEqual({ defender: 0, sentinel: 0 });
    expect(routeCount(t.emu, "sentinel", /^PUT /)).toBe(0);
    expect(routeCount(t.emu, "defender", /^(PATCH|POST) /)).toBe(0);
    expect(rec.writes).toEqual([]);
    const records = [];
    for await (const r of t.store.listRecords()) records.push(r);
    expect(records).toEqual([]);
    expect((await t.store.getWatermarks()).version).toBe(0);
    expect(created.length).toBe(5);
    expect(created.every((e) => e.dryRun)).toBe(true);
    expect(dry.plannedWrites.length).toBeGreaterThan(5);

    const real = await t.restart({ dryRun: false }).runOnce();
    const key = (w: { service: string; method: string; target: string }) =>
      `${w.service} ${w.method} ${w.target}`;
    expect(rec.writes.map(key).sort()).toEqual(dry.plannedWrites.map(key).sort());
    expect(real.writes.defender + real.writes.sentinel).toBe(dry.plannedWrites.length);
    expect(real.plannedWrites).toEqual([]);
  });

  it("plans updates, closes and comments in both directions exactly", async () => {
    const rec = writeRecorder();
    const t = await setup({ incidents: 5, seed: 13, policies: rec.policies });
    await runToQuiescence(t.engine);
    const [a, b, c] = openIncidents(t);
    t.emu.defender.editIncident(a!.id, { displayName: "dry A", customTags: ["x"] });
    t.emu.defender.addComment(a!.id, "dry comment D");
    t.emu.sentinel.editIncident(await nameOf(t, b!.id), {
      status: "Closed",
      classification: "BenignPositive",
      classificationReason: "SuspiciousButExpected",
    });
    t.emu.sentinel.addComment(await nameOf(t, c!.id), "dry comment S");
    const versionBefore = (await t.store.getWatermarks()).version;
    const recordsBefore = JSON.stringify(await t.store.getRecord(a!.id));
    rec.writes.length = 0;

    const dry = await t.restart({ dryRun: true }).runOnce();
    expect(rec.writes).toEqual([]);
    expect((await t.store.getWatermarks()).version).toBe(versionBefore);
    expect(JSON.stringify(await t.store.getRecord(a!.id))).toBe(recordsBefore);
    expect(dry.plannedWrites.map((w) => w.operation).sort()).toEqual(
      ["addComment", "createComment", "updateIncident", "updateIncident"].sort(),
    );

    // The pair plans say the same, field by field, and formatSyncPlan shows them to a person.
    const byId = new Map(dry.plannedPairs.map((p) => [p.defenderId, p.plan]));
    expect(
      byId
        .get(a!.id)
        ?.sentinelChanges.map((c) => c.field)
        .sort(),
    ).toEqual(["tags", "title"]);
    expect(byId.get(b!.id)?.defenderPatch).toMatchObject({ status: "resolved" });
    expect(byId.get(c!.id)?.listSentinelComments).toBe(true);
    const text = formatSyncPlan(dry);
    expect(text).toContain(`Defender ${a!.id}`);
    expect(text).toContain('title "');
    expect(text).toContain('→ "dry A"');
    expect(text.split("\n").filter((l) => l.startsWith("- Defender "))).toHaveLength(2);

    await t.engine.runOnce();
    const key = (w: { service: string; method: string; target: string }) =>
      `${w.service} ${w.method} ${w.target}`;
    expect(rec.writes.map(key).sort()).toEqual(dry.plannedWrites.map(key).sort());
    await expectConverged(t.emu, t.store);
  });
});

describe("events and the polling loop", () => {
  it("runOnce during a running cycle rejects (never throws synchronously) and the first cycle completes", async () => {
    const t = await setup({ incidents: 2 });
    const first = t.engine.runOnce();
    let second: Promise<unknown> | undefined;
    expect(() => {
      second = t.engine.runOnce();
    }).not.toThrow();
    await expect(second).rejects.toThrow(/already running/);
    expect((await first).counts.created).toBe(2);
  });

  it("runOnce accepts any AbortSignalLike, not only a DOM AbortSignal", async () => {
    const t = await setup({ incidents: 1 });
    let abortListener: ((ev: unknown) => void) | undefined;
    const signalLike: AbortSignalLike & { aborted: boolean } = {
      aborted: false,
      addEventListener: (_type, listener) => {
        abortListener = listener.bind(signalLike);
      },
      removeEventListener: () => {},
    };
    const run = t.engine.runOnce({ abortSignal: signalLike });
    signalLike.aborted = true;
    abortListener?.({});
    await expect(run).rejects.toThrow(/abort/i);
  });

  it("a throwing listener is reported on `error` and the cycle goes on", async () => {
    const t = await setup({ incidents: 4 });
    const errors: unknown[] = [];
    t.engine.on("incident.created", () => {
      throw new Error("listener bug");
    });
    t.engine.on("error", (e) => errors.push(e));
    let createdSeen = 0;
    t.engine.on("incident.created", () => createdSeen++);
    const r = await t.engine.runOnce();
    expect(r.counts.created).toBe(4);
    expect(createdSeen).toBe(4);
    expect(errors).toHaveLength(4);
    expect((errors[0] as Error).message).toBe("listener bug");
    // A throwing error listener is swallowed too.
    t.engine.on("error", () => {
      throw new Error("error listener bug");
    });
    t.emu.defender.createIncident();
    await expect(t.engine.runOnce()).resolves.toMatchObject({ counts: { created: 1 } });
    await expectConverged(t.emu, t.store);
  });

  it("emits `throttled` when a service answers 429, and the cycle still completes", async () => {
    const t = await setup({ incidents: 2, emulator: { timeScale: 1000 } });
    const throttled: ThrottleInfo[] = [];
    t.engine.on("throttled", (e) => throttled.push(e));
    t.emu.faults.script({
      service: "sentinel",
      method: "PUT",
      fault: { kind: "status", status: 429, retryAfterSeconds: 1 },
      times: 2,
    });
    const r = await t.engine.runOnce();
    expect(r.failures).toEqual([]);
    expect(r.throttledResponses.sentinel).toBe(2);
    expect(throttled.length).toBeGreaterThanOrEqual(2);
    await expectConverged(t.emu, t.store);
  });

  it("start() polls, close() waits for the in-flight cycle, and is idempotent", async () => {
    const t = await setup({ incidents: 3, engine: { pollIntervalInMs: 1_000 } });
    const completed: SyncReport[] = [];
    t.engine.on("cycle.completed", (r) => completed.push(r));
    const run = t.engine.start();
    expect(run.isRunning).toBe(true);
    expect(t.engine.isRunning).toBe(true);
    expect(() => t.engine.start()).toThrow();
    await vi_waitFor(() => completed.length >= 2);
    // Make the next cycle slow, then close while it runs.
    t.emu.defender.createIncident({ displayName: "late" });
    t.emu.faults.script({
      service: "sentinel",
      method: "PUT",
      fault: { kind: "slow", delayMs: 150 },
      times: 1,
    });
    const cycles = completed.length;
    await vi_waitFor(() => t.emu.stats().sentinel.faults > 0);
    await run.close();
    expect(run.isRunning).toBe(false);
    expect(t.engine.isRunning).toBe(false);
    // The in-flight cycle finished (and created the copy) before close resolved.
    expect(completed.length).toBe(cycles + 1);
    expect(completed.at(-1)!.counts.created).toBe(1);
    await run.close();
    const after = completed.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(completed.length).toBe(after);
    // runOnce is free again.
    await expect(t.engine.runOnce()).resolves.toBeDefined();
  });

  it("a cycle that fails goes to `error` and the loop carries on", async () => {
    const t = await setup({ incidents: 2, engine: { pollIntervalInMs: 1_000 } });
    const errors: unknown[] = [];
    const failed: CycleFailedEvent[] = [];
    const completed: SyncReport[] = [];
    t.engine.on("error", (e) => errors.push(e));
    t.engine.on("cycle.failed", (e) => failed.push(e));
    t.engine.on("cycle.completed", (r) => completed.push(r));
    // Graph lists fail for longer than the client retries (5 attempts each; the backfill count takes some).
    t.emu.faults.script({
      service: "defender",
      method: "GET",
      route: "/security/incidents",
      fault: 500,
      times: 15,
    });
    const run = t.engine.start();
    await vi_waitFor(() => completed.length >= 1);
    await run.close();
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect((errors[0] as Error).name).toBe("ServiceUnavailableError");
    // Each failed cycle is also a `cycle.failed` with its number; the cycle after them completed as cycle 1.
    expect(failed.map((f) => f.error)).toEqual(errors);
    expect(failed.every((f) => f.cycle === 1)).toBe(true);
    expect(completed[0]!.cycle).toBe(1);
    await expectConverged(t.emu, t.store);
  });
});

describe("watermarks", () => {
  it("a transient failure on an early page holds the watermark for the whole pass, so the next cycle retries it", async () => {
    let failFor: string | undefined;
    // The ledger write of one pair loses a race once: transient, retried next cycle.
    class FlakyStore extends InMemoryStateStore {
      override async putRecord(record: Omit<SyncRecord, "version">, version: number): Promise<SyncRecord> {
        if (record.defenderId === failFor) {
          failFor = undefined;
          throw new StateConflictError(record.defenderId, version, version + 1);
        }
        return super.putRecord(record, version);
      }
    }
    const t = await setup({ incidents: 120, seed: 19, store: new FlakyStore() });
    // The oldest change is on the first of three Defender pages (50 each, oldest first).
    const oldest = t.emu.defender
      .listIncidents()
      .reduce((a, b) => (Date.parse(a.lastUpdateDateTime) <= Date.parse(b.lastUpdateDateTime) ? a : b));
    failFor = oldest.id;

    const first = await t.engine.runOnce();
    expect(first.failures).toMatchObject([{ defenderId: oldest.id, transient: true }]);
    const mark = (await t.store.getWatermarks()).defender!;
    expect(Date.parse(mark)).toBeLessThanOrEqual(Date.parse(oldest.lastUpdateDateTime));

    const second = await t.engine.runOnce();
    expect(second.failures).toEqual([]);
    expect(await t.store.getRecord(oldest.id)).toBeDefined();
    // Once nothing failed, the watermark catches up with the newest incident.
    const newest = Math.max(...t.emu.defender.listIncidents().map((i) => Date.parse(i.lastUpdateDateTime)));
    expect(Date.parse((await t.store.getWatermarks()).defender!)).toBe(newest);
    await expectConverged(t.emu, t.store);
  });
});

describe("durable store", () => {
  it("a FileStateStore survives a restart: no duplicates, no writes, later edits still flow", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sync-engine-"));
    try {
      const store = new FileStateStore(dir);
      const t = await setup({ incidents: 5, seed: 17, store });
      await runToQuiescence(t.engine);
      await store.close();

      const reopened = new FileStateStore(dir);
      const again = t.restart({ stateStore: reopened });
      const r = await again.runOnce();
      expect(total(r)).toBe(0);
      expect(r.counts.created).toBe(0);
      expect(t.emu.sentinel.listIncidents()).toHaveLength(5);
      const [d] = openIncidents(t);
      t.emu.defender.editIncident(d!.id, { displayName: "after restart" });
      const r2 = await again.runOnce();
      expect(r2.writes.sentinel).toBe(1);
      expect(defenderCanonical(t.emu, d!.id).title).toBe("after restart");
      await expectConverged(t.emu, reopened);
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

async function vi_waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 2));
  }
}
